//! 在线访谈 (online interview): a unit's planned interview with guests, announced ahead, questions collected before and during, moderated, answered live, archived with its transcript.

use sitegroup_store::StoreError;

/// Errors of the interview rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InterviewError {
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
}

impl InterviewError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, InterviewError::Store(_))
    }
}

/// This module's migrations (module `interview`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    Vec::new()
}
