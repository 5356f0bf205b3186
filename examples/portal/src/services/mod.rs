//! 网上办事 (online services) pages: services by audience, life event and unit, item
//! guides, the forms library, policy Q&A and the online query pages; their back office.

use axum::Router;
use axum::http::StatusCode;
use sitegroup::services::ServicesError;

use crate::AppState;
use crate::i18n::Catalogue;

/// Routes of the services pages (merged by [`crate::app`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

/// The status and Chinese message for a services error; `None` leaves it to the
/// portal's general mapping.
pub(crate) fn describe(_cat: &Catalogue, _e: &ServicesError) -> Option<(StatusCode, String)> {
    None
}
