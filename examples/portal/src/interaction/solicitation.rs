//! 民意征集 (opinion solicitation) pages: open drafts, comments, feedback summaries; moderation and the overdue list in the back office (public pages under `/hudong/zhengji`, back office under `/admin/zhengji`… as the module documents).

use axum::Router;
use axum::http::StatusCode;
use sitegroup::interaction::solicitation::SolicitationError;

use crate::AppState;
use crate::i18n::Catalogue;

/// Routes of the solicitation pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

/// The status and Chinese message for a solicitation error; `None` leaves it to the portal's
/// general mapping.
pub(crate) fn describe(_cat: &Catalogue, _e: &SolicitationError) -> Option<(StatusCode, String)> {
    None
}
