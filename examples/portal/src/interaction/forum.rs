//! 论坛 (forum) pages: boards, threads, posting, moderation queue, official replies (public pages under `/hudong/luntan`, back office under `/admin/luntan`… as the module documents).

use axum::Router;
use axum::http::StatusCode;
use sitegroup::interaction::forum::ForumError;

use crate::AppState;
use crate::i18n::Catalogue;

/// Routes of the forum pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

/// The status and Chinese message for a forum error; `None` leaves it to the portal's
/// general mapping.
pub(crate) fn describe(_cat: &Catalogue, _e: &ForumError) -> Option<(StatusCode, String)> {
    None
}
