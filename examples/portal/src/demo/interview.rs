//! Demo data of the interview module.

use sitegroup::{Error, SiteGroup};

use super::Scale;

/// Seeds the demo interview data at `scale`.
pub(crate) fn seed(_group: &SiteGroup, _scale: Scale, _progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    Ok(())
}
