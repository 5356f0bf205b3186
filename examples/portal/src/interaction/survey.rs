//! 在线调查 (survey) pages: open surveys, answering, results with charts, exports; editing in the back office (public pages under `/hudong/diaocha`, back office under `/admin/diaocha`… as the module documents).

use axum::Router;
use axum::http::StatusCode;
use sitegroup::interaction::survey::SurveyError;

use crate::AppState;
use crate::i18n::Catalogue;

/// Routes of the survey pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

/// The status and Chinese message for a survey error; `None` leaves it to the portal's
/// general mapping.
pub(crate) fn describe(_cat: &Catalogue, _e: &SurveyError) -> Option<(StatusCode, String)> {
    None
}
