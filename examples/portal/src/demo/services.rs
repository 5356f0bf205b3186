//! Demo data of the online services.

use sitegroup::{Error, SiteGroup};

use super::Scale;

/// Seeds the demo services at `scale`.
pub(crate) fn seed(_group: &SiteGroup, _scale: Scale, _progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    Ok(())
}
