//! 论坛 (forum): boards, threads and posts; pre- or post-moderation per board, the shared sensitive-word checks, official replies by handlers; a thread addressed to a unit is also a ticket.

use sitegroup_store::StoreError;

/// Errors of the forum rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForumError {
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
}

impl ForumError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ForumError::Store(_))
    }
}

/// This module's migrations (module `forum`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    Vec::new()
}
