//! 民意征集 (opinion solicitation): a draft open for comments between dates, moderated comments and a feedback summary that must be published.

use sitegroup_store::StoreError;

/// Errors of the solicitation rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolicitationError {
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
}

impl SolicitationError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, SolicitationError::Store(_))
    }
}

/// This module's migrations (module `solicitation`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    Vec::new()
}
