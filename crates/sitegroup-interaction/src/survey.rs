//! 在线调查 (online survey): questions of several types, an open period, one response per person, results.

use sitegroup_store::StoreError;

/// Errors of the survey rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SurveyError {
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
}

impl SurveyError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, SurveyError::Store(_))
    }
}

/// This module's migrations (module `survey`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    Vec::new()
}
