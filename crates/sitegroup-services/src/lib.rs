//! Online services (网上办事): the catalogue of service items (办事事项) by audience,
//! life event, theme and responsible unit; the guide (办事指南) of each item with the
//! elements inspectors require and a completeness check; policy Q&A (政策问答); online
//! queries (在线查询) through providers.
#![warn(missing_docs)]

use sitegroup_store::StoreError;

/// Errors of the services rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServicesError {
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
}

impl ServicesError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ServicesError::Store(_))
    }
}

/// This crate's migrations (module `services`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    Vec::new()
}
