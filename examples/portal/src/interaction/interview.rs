//! 在线访谈 (online interview) pages: upcoming, live (server-sent events), archive; planning and moderation in the back office (public pages under `/hudong/fangtan`, back office under `/admin/fangtan`… as the module documents).

use axum::Router;
use axum::http::StatusCode;
use sitegroup::interaction::interview::InterviewError;

use crate::AppState;
use crate::i18n::Catalogue;

/// Routes of the interview pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

/// The status and Chinese message for a interview error; `None` leaves it to the portal's
/// general mapping.
pub(crate) fn describe(_cat: &Catalogue, _e: &InterviewError) -> Option<(StatusCode, String)> {
    None
}
