//! 信息报送 (syndication): a unit submits one of its published documents to a column of
//! another site; that site's editors accept (a linked copy is published) or reject it.
//!
//! **Decision.** Acceptance publishes the copy directly: the source already passed its
//! own unit's confidentiality review, and accepting needs `PublishContent` on the target
//! column, i.e. a reviewer of the receiving site, whose acceptance is recorded as the
//! copy's review sign-off (note `syndication #id`). The copy keeps a link to the source
//! revision it was made from; when the source publishes a newer revision (or is
//! withdrawn) the copy shows "source changed" ([`crate::model::SourceLink::changed`])
//! and its editors decide whether to update it through the normal workflow.

use serde::{Deserialize, Serialize};
use sitegroup_core::SiteId;

/// State of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyndicationState {
    /// 待采用: waiting for the receiving site.
    Pending,
    /// 已采用: accepted; a linked copy was published.
    Accepted,
    /// 未采用: rejected with a reason.
    Rejected,
}

impl SyndicationState {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SyndicationState::Pending => "pending",
            SyndicationState::Accepted => "accepted",
            SyndicationState::Rejected => "rejected",
        }
    }

    /// Parses [`SyndicationState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<SyndicationState> {
        [SyndicationState::Pending, SyndicationState::Accepted, SyndicationState::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A submission of a document to another site's column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Syndication {
    /// Id.
    pub id: i64,
    /// The submitted document.
    pub source_doc: i64,
    /// Its published revision at submission.
    pub source_rev: i64,
    /// Submitting site.
    pub from_site: SiteId,
    /// Receiving site.
    pub to_site: SiteId,
    /// Receiving column.
    pub to_column: i64,
    /// State.
    pub state: SyndicationState,
    /// Reason of a rejection.
    pub reason: Option<String>,
    /// The copy made on acceptance.
    pub copy_doc: Option<i64>,
    /// Who submitted (actor label).
    pub submitted_by: String,
    /// When.
    pub submitted_at: i64,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<i64>,
}

/// Submissions of one unit (site) in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyndicationCount {
    /// Submitting site.
    pub site: SiteId,
    /// The org unit owning the submitting site (filled in by the facade).
    pub unit: Option<sitegroup_core::UnitId>,
    /// Submitted in the month.
    pub submitted: i64,
    /// Of which accepted.
    pub accepted: i64,
    /// Of which rejected.
    pub rejected: i64,
}

/// The unix-time bounds `[start, end)` of a month in Beijing time.
///
/// ```
/// let (a, b) = sitegroup_content::syndication::month_bounds(2025, 6).unwrap();
/// assert_eq!(b - a, 30 * 86_400);
/// assert!(sitegroup_content::syndication::month_bounds(2025, 13).is_none());
/// ```
pub fn month_bounds(year: i32, month: u32) -> Option<(i64, i64)> {
    let start = chrono::NaiveDate::from_ymd_opt(year, month, 1)?;
    let end = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let ts = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp() - 8 * 3600);
    Some((ts(start)?, ts(end)?))
}
