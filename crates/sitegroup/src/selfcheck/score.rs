//! The pure part of the self-check: indicators, findings, the deduction table, the
//! score of a site and the ranked table of the group. No I/O, no clock.
//!
//! **Scoring** (the national indicators leave the points to local practice, so these
//! are settings of this platform, documented here): a site starts at 100; each
//! deduction indicator takes [`CheckIndicator::points`] per finding, at most
//! [`CheckIndicator::cap`] per indicator; the score never goes below 0. A veto finding
//! takes no points: it fails the site outright. Below 60 fails; above 80 is good.
//! **Ranking**: sites without a veto first, by score (high first), then vetoed sites by
//! score; ties by site code. Ranks are 1, 2, 3 … in that order.

use serde::{Deserialize, Serialize};
use sitegroup_core::SiteId;

/// An inspection indicator (检查指标) the self-check computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckIndicator {
    /// 首页长期未更新: the home page not updated for 2 weeks (veto).
    HomeStale,
    /// 栏目不更新: stale news + notice columns reach 5 (veto).
    ColumnsStale,
    /// 应更新而未更新栏目 reach 10 (veto).
    ColumnsNotUpdated,
    /// 空白栏目 reach 5 (veto).
    BlankColumns,
    /// One column past its update duty (deduction).
    ColumnStale,
    /// One blank column (deduction).
    BlankColumn,
    /// 发布日期造假: a displayed date far from the real publication (veto).
    FakedDate,
    /// 严重表述错误 in a published document (veto).
    SeriousError,
    /// 违禁内容 in a published document (veto).
    ProhibitedContent,
    /// 泄露涉密信息: a classification mark in a published document (veto).
    LeakedSecret,
    /// 泄露个人信息: an ID or bank-card number in a published document (deduction).
    PersonalData,
    /// 留言超过3个月未回复 within the past year (veto).
    UnansweredThreeMonths,
    /// A channel with no handled message in a year (deduction; a veto when every
    /// channel of the site is idle: no working channel).
    ChannelIdle,
    /// 征集调查未公开结果: a closed solicitation whose summary is overdue (deduction).
    SolicitationNoSummary,
    /// 办事指南要素缺失: a published guide missing elements (veto for key elements).
    GuideIncomplete,
    /// 网站标识 missing from the footer (deduction).
    IdentityFooter,
    /// No error-report (纠错) entry configured (deduction).
    ErrorReportEntry,
    /// 网站不能访问: 5 % or more of the probes failed (veto).
    Unreachable,
    /// One page failed the availability probe (deduction).
    PageFailed,
}

impl CheckIndicator {
    /// Every indicator, in report order.
    pub const ALL: [CheckIndicator; 19] = [
        CheckIndicator::HomeStale,
        CheckIndicator::ColumnsStale,
        CheckIndicator::ColumnsNotUpdated,
        CheckIndicator::BlankColumns,
        CheckIndicator::ColumnStale,
        CheckIndicator::BlankColumn,
        CheckIndicator::FakedDate,
        CheckIndicator::SeriousError,
        CheckIndicator::ProhibitedContent,
        CheckIndicator::LeakedSecret,
        CheckIndicator::PersonalData,
        CheckIndicator::UnansweredThreeMonths,
        CheckIndicator::ChannelIdle,
        CheckIndicator::SolicitationNoSummary,
        CheckIndicator::GuideIncomplete,
        CheckIndicator::IdentityFooter,
        CheckIndicator::ErrorReportEntry,
        CheckIndicator::Unreachable,
        CheckIndicator::PageFailed,
    ];

    /// Stable name (`home_stale` …): the JSON value and the portal's message key suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckIndicator::HomeStale => "home_stale",
            CheckIndicator::ColumnsStale => "columns_stale",
            CheckIndicator::ColumnsNotUpdated => "columns_not_updated",
            CheckIndicator::BlankColumns => "blank_columns",
            CheckIndicator::ColumnStale => "column_stale",
            CheckIndicator::BlankColumn => "blank_column",
            CheckIndicator::FakedDate => "faked_date",
            CheckIndicator::SeriousError => "serious_error",
            CheckIndicator::ProhibitedContent => "prohibited_content",
            CheckIndicator::LeakedSecret => "leaked_secret",
            CheckIndicator::PersonalData => "personal_data",
            CheckIndicator::UnansweredThreeMonths => "unanswered_three_months",
            CheckIndicator::ChannelIdle => "channel_idle",
            CheckIndicator::SolicitationNoSummary => "solicitation_no_summary",
            CheckIndicator::GuideIncomplete => "guide_incomplete",
            CheckIndicator::IdentityFooter => "identity_footer",
            CheckIndicator::ErrorReportEntry => "error_report_entry",
            CheckIndicator::Unreachable => "unreachable",
            CheckIndicator::PageFailed => "page_failed",
        }
    }

    /// What to do about a finding, in English (the portal shows `check.todo.{name}`).
    pub fn todo(self) -> &'static str {
        match self {
            CheckIndicator::HomeStale => {
                "publish on the home page now; keep the site updating at least every two weeks"
            }
            CheckIndicator::ColumnsStale | CheckIndicator::ColumnsNotUpdated | CheckIndicator::ColumnStale => {
                "publish in the overdue columns, or archive/hide columns that no longer apply"
            }
            CheckIndicator::BlankColumns | CheckIndicator::BlankColumn => {
                "fill the blank columns with content or remove them from navigation"
            }
            CheckIndicator::FakedDate => "correct the displayed date to the real publication date",
            CheckIndicator::SeriousError => "correct the misstatement and republish after review",
            CheckIndicator::ProhibitedContent => "withdraw the document at once and review it",
            CheckIndicator::LeakedSecret => "withdraw the document at once and report to the secrecy office",
            CheckIndicator::PersonalData => "withdraw or redact the personal data and republish",
            CheckIndicator::UnansweredThreeMonths => "answer the message now and urge the responsible unit",
            CheckIndicator::ChannelIdle => "handle the channel's messages, or close the channel",
            CheckIndicator::SolicitationNoSummary => "publish the feedback summary of the solicitation",
            CheckIndicator::GuideIncomplete => "complete the missing elements of the service guide",
            CheckIndicator::IdentityFooter => {
                "fill the site identifier code, ICP and public-security filings and sponsor"
            }
            CheckIndicator::ErrorReportEntry => "configure the site's error-report (纠错) entry",
            CheckIndicator::Unreachable | CheckIndicator::PageFailed => {
                "find out why the pages fail to load and fix the server or the page"
            }
        }
    }

    /// Points taken per finding of a deduction indicator (0 for veto-only ones).
    pub fn points(self) -> u32 {
        match self {
            CheckIndicator::ColumnStale | CheckIndicator::BlankColumn => 2,
            CheckIndicator::PersonalData => 5,
            CheckIndicator::ChannelIdle => 5,
            CheckIndicator::SolicitationNoSummary => 3,
            CheckIndicator::GuideIncomplete => 2,
            CheckIndicator::IdentityFooter => 5,
            CheckIndicator::ErrorReportEntry => 5,
            CheckIndicator::PageFailed => 2,
            _ => 0,
        }
    }

    /// At most this many points per indicator and site.
    pub fn cap(self) -> u32 {
        match self {
            CheckIndicator::ColumnStale => 20,
            CheckIndicator::BlankColumn => 10,
            CheckIndicator::PersonalData => 20,
            CheckIndicator::ChannelIdle => 10,
            CheckIndicator::SolicitationNoSummary => 15,
            CheckIndicator::GuideIncomplete => 10,
            CheckIndicator::IdentityFooter => 5,
            CheckIndicator::ErrorReportEntry => 5,
            CheckIndicator::PageFailed => 10,
            _ => 0,
        }
    }
}

/// What a finding points at: the ids and names an editor needs to find it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckEvidence {
    /// The column, if the finding is about one.
    pub column: Option<i64>,
    /// The column's path (`/xwdt`).
    pub column_path: Option<String>,
    /// The column's name.
    pub column_name: Option<String>,
    /// The document, if any.
    pub document: Option<i64>,
    /// The ticket (message), if any.
    pub ticket: Option<i64>,
    /// The solicitation, if any.
    pub solicitation: Option<i64>,
    /// The service item, if any.
    pub item: Option<i64>,
    /// A title or name (document title, item name, solicitation title).
    pub title: Option<String>,
    /// Machine-readable details: matched words, missing elements, counts, paths
    /// (short ASCII names or the matched text itself).
    pub detail: Vec<String>,
    /// A number that goes with the indicator (days, count, per cent).
    pub figure: Option<i64>,
}

impl CheckEvidence {
    /// The evidence in one line of English (the CLI and `--json`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(id), path) = (self.column, &self.column_path) {
            let name = self.column_name.as_deref().unwrap_or("");
            parts.push(format!("column {} {name} (#{id})", path.as_deref().unwrap_or("")));
        }
        if let Some(d) = self.document {
            parts.push(format!("document #{d}"));
        }
        if let Some(t) = self.ticket {
            parts.push(format!("ticket #{t}"));
        }
        if let Some(s) = self.solicitation {
            parts.push(format!("solicitation #{s}"));
        }
        if let Some(i) = self.item {
            parts.push(format!("service item #{i}"));
        }
        if let Some(t) = &self.title {
            parts.push(format!("「{t}」"));
        }
        if let Some(f) = self.figure {
            parts.push(format!("figure {f}"));
        }
        if !self.detail.is_empty() {
            parts.push(self.detail.join(", "));
        }
        parts.join("; ")
    }
}

/// One failed indicator of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFinding {
    /// The site.
    pub site: SiteId,
    /// Its code.
    pub site_code: String,
    /// The indicator.
    pub indicator: CheckIndicator,
    /// A veto item (单项否决): fails the site whatever its score.
    pub veto: bool,
    /// What was found where.
    pub evidence: CheckEvidence,
    /// Since when the problem stands (unix seconds), when known.
    pub since: Option<i64>,
}

impl CheckFinding {
    /// The finding as the CLI's `--json` object: `site`, `indicator`, `veto`,
    /// `evidence`, `since` (plus `todo`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "site": self.site_code,
            "indicator": self.indicator.as_str(),
            "veto": self.veto,
            "evidence": self.evidence.describe(),
            "since": self.since,
            "todo": self.indicator.todo(),
        })
    }
}

/// A non-scoring notice: a column whose duty lapses soon (reminders go to its owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckNotice {
    /// The site.
    pub site: SiteId,
    /// The column.
    pub column: i64,
    /// Its path.
    pub column_path: String,
    /// Its name.
    pub column_name: String,
    /// When the duty lapses (unix seconds).
    pub due_at: i64,
    /// The column owners' names (栏目责任人) to remind.
    pub owners: Vec<String>,
}

/// The verdict on a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    /// A veto item failed (单项否决).
    Vetoed,
    /// Score below 60.
    Failed,
    /// 60 to 80.
    Passed,
    /// Above 80 (bonus items may apply).
    Good,
}

impl CheckVerdict {
    /// Stable name (`vetoed`, `failed`, `passed`, `good`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckVerdict::Vetoed => "vetoed",
            CheckVerdict::Failed => "failed",
            CheckVerdict::Passed => "passed",
            CheckVerdict::Good => "good",
        }
    }
}

/// The self-check of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfCheckSite {
    /// The site.
    pub site: SiteId,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Findings, in indicator order.
    pub findings: Vec<CheckFinding>,
    /// Lapsing-soon notices (not scored).
    pub notices: Vec<CheckNotice>,
    /// Points deducted.
    pub deducted: u32,
    /// 100 minus deductions, at least 0.
    pub score: u32,
    /// Veto findings.
    pub vetoes: u32,
    /// The verdict.
    pub verdict: CheckVerdict,
    /// Rank in the group (1 = best), among the sites checked.
    pub rank: u32,
}

/// Deductions of a set of findings: per indicator, points × findings, capped.
pub fn check_deductions(findings: &[CheckFinding]) -> u32 {
    CheckIndicator::ALL
        .iter()
        .map(|ind| {
            let n = findings.iter().filter(|f| f.indicator == *ind && !f.veto).count();
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            n.saturating_mul(ind.points()).min(ind.cap())
        })
        .sum()
}

/// Builds a site's check from its findings (rank 0 until [`check_rank`]).
pub fn check_site(
    site: SiteId,
    code: String,
    name: String,
    mut findings: Vec<CheckFinding>,
    notices: Vec<CheckNotice>,
) -> SelfCheckSite {
    findings.sort_by_key(|f| (f.indicator, f.since));
    let deducted = check_deductions(&findings);
    let score = 100u32.saturating_sub(deducted);
    let vetoes = u32::try_from(findings.iter().filter(|f| f.veto).count()).unwrap_or(u32::MAX);
    let verdict = if vetoes > 0 {
        CheckVerdict::Vetoed
    } else if score < 60 {
        CheckVerdict::Failed
    } else if score > 80 {
        CheckVerdict::Good
    } else {
        CheckVerdict::Passed
    };
    SelfCheckSite { site, code, name, findings, notices, deducted, score, vetoes, verdict, rank: 0 }
}

/// Sorts the sites into the ranked table and numbers them (see the module rules).
pub fn check_rank(sites: &mut [SelfCheckSite]) {
    sites.sort_by(|a, b| {
        (a.vetoes > 0, std::cmp::Reverse(a.score), &a.code).cmp(&(b.vetoes > 0, std::cmp::Reverse(b.score), &b.code))
    });
    for (i, s) in sites.iter_mut().enumerate() {
        s.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(ind: CheckIndicator, veto: bool) -> CheckFinding {
        CheckFinding {
            site: SiteId(1),
            site_code: "a".into(),
            indicator: ind,
            veto,
            evidence: CheckEvidence::default(),
            since: None,
        }
    }

    #[test]
    fn deductions_are_capped_and_vetoes_take_none() {
        let many: Vec<_> = (0..20).map(|_| f(CheckIndicator::ColumnStale, false)).collect();
        assert_eq!(check_deductions(&many), 20);
        assert_eq!(check_deductions(&[f(CheckIndicator::FakedDate, true)]), 0);
        let s = check_site(SiteId(1), "a".into(), "A".into(), vec![f(CheckIndicator::FakedDate, true)], vec![]);
        assert_eq!((s.score, s.verdict), (100, CheckVerdict::Vetoed));
    }

    #[test]
    fn vetoed_sites_rank_last() {
        let mut sites = vec![
            check_site(SiteId(1), "a".into(), "A".into(), vec![f(CheckIndicator::FakedDate, true)], vec![]),
            check_site(SiteId(2), "b".into(), "B".into(), vec![f(CheckIndicator::IdentityFooter, false)], vec![]),
            check_site(SiteId(3), "c".into(), "C".into(), vec![], vec![]),
        ];
        check_rank(&mut sites);
        let order: Vec<_> = sites.iter().map(|s| (s.code.as_str(), s.rank)).collect();
        assert_eq!(order, [("c", 1), ("b", 2), ("a", 3)]);
    }
}
