//! The self-check (自查) against the national inspection indicators (issue 6): every veto and
//! deduction indicator the group's data can compute, with evidence, a score per site and a
//! ranked table (the annual performance evaluation of department sites).
//!
//! **What it owns.** Gathering the findings from the other modules (column health, date
//! flags, the content checker over published documents, tickets, solicitations, service
//! guides, site identity), the availability-probe table (`selfcheck_probes`, written by
//! the portal, which alone can speak HTTP), the per-site error-report (纠错) entry setting
//! (`site.error_report.{site id}`), and the .xlsx export. Scoring is pure, in [`score`].
//!
//! **What it must never do.** Change content or tickets; show one site's findings to
//! another site's administrator: a site admin checks their own site only
//! (`RunSelfCheck` on the site), the centre the whole group (`RunSelfCheck` on the group).
//!
//! **Speed: a derived cache** ([`cache`]). Re-checking every published text is almost all
//! of a group run's cost, so each run stores the checker's verdict per (document, public
//! revision) under a fingerprint of the checker's configuration, and checks again only
//! new or changed documents; a run also stores its report as the last one of its scope
//! ([`SiteGroup::last_self_check`]). Both tables are derived and may be dropped at any
//! time; writing them is not an audited change.
//!
//! **Invariants.** Reads only, except the probe recording and the error-report setting,
//! which are audited writes in one transaction, and the derived cache above (a site
//! admin's run writes and prunes only its own site's rows). Indicator rules:
//! - column indicators come from [`SiteGroup::column_health`] (national thresholds of the
//!   columns crate); lapsing-soon columns become non-scoring notices;
//! - published documents are checked with the group's checker: `prohibited_word`,
//!   `serious_error` and blocking `confidential_marker` findings are vetoes;
//!   `id_number`/`bank_card` are deductions (one finding per document and indicator);
//! - a message of the past year that waited more than three months is a veto;
//! - a channel of the site's unit is idle when none of its messages was answered in the
//!   past 365 days and its first message came more than 30 days ago; when every channel
//!   of the unit is idle, each idle finding is a veto (no working channel);
//! - probes of the past 7 days: a probe fails on a status outside 200–399 or a load over
//!   15 s; 5 % or more failed is the veto, fewer failed pages are deductions.

mod cache;
mod score;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sitegroup_columns::Veto;
use sitegroup_core::{Action, Actor, Origin, Resource, SiteId, SiteStatus, ValidationError, authorize};
use sitegroup_store::{StoreError, Tx, core_repo, params};
use sitegroup_text::checks::Severity;

pub use cache::{CHECK_RULES_VERSION, checker_fingerprint};
pub use score::{
    CheckEvidence, CheckFinding, CheckIndicator, CheckNotice, CheckVerdict, SelfCheckSite, check_deductions,
    check_rank, check_site,
};

use crate::content_service::checker_for;
use crate::error::Error;
use crate::group::SiteGroup;

/// A probe slower than this (milliseconds) counts as failed (the indicator's 15 s).
pub const CHECK_PROBE_SLOW_MS: i64 = 15_000;
/// Probes of this many trailing days are judged.
pub const CHECK_PROBE_WINDOW_DAYS: i64 = 7;
/// Probe rows older than this many days are pruned when new ones are recorded.
pub const CHECK_PROBE_KEEP_DAYS: i64 = 30;
/// Longest error-report entry accepted.
pub const CHECK_ERROR_REPORT_MAX: usize = 500;

const DAY: i64 = 86_400;

/// The migrations of the self-check: the probe table (1), the derived caches (2).
pub(crate) fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![
        sitegroup_store::Migration {
            module: "selfcheck",
            version: 1,
            name: "availability probe results",
            sql: "CREATE TABLE selfcheck_probes (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            path TEXT NOT NULL,
            status BIGINT NOT NULL,
            millis BIGINT NOT NULL,
            at BIGINT NOT NULL
        );
        CREATE INDEX selfcheck_probes_site ON selfcheck_probes (site_id, at);",
            postgres_sql: None,
        },
        cache::migration(),
    ]
}

/// One availability probe the portal made: a page of a site requested in-process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckProbe {
    /// The site.
    pub site: SiteId,
    /// The path requested (`/jyj/`).
    pub path: String,
    /// HTTP status (0 when the request failed without one).
    pub status: u16,
    /// Time to the full response, milliseconds.
    pub millis: i64,
}

impl CheckProbe {
    /// Whether this probe counts as a failure to load.
    pub fn failed(&self) -> bool {
        !(200..400).contains(&self.status) || self.millis > CHECK_PROBE_SLOW_MS
    }
}

/// The self-check of one site or the whole group at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfCheckReport {
    /// When it was computed, unix seconds.
    pub at: i64,
    /// The sites checked, in rank order.
    pub sites: Vec<SelfCheckSite>,
}

impl SelfCheckReport {
    /// Every finding, site by site in rank order.
    pub fn findings(&self) -> impl Iterator<Item = &CheckFinding> {
        self.sites.iter().flat_map(|s| s.findings.iter())
    }

    /// The ranked table and every finding as an .xlsx workbook (two sheets).
    pub fn to_xlsx(&self) -> Result<Vec<u8>, Error> {
        check_xlsx(self).map_err(|e| Error::Internal(format!("xlsx: {e}")))
    }
}

fn check_xlsx(report: &SelfCheckReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("排名")?;
    ws.write_string_with_format(0, 0, format!("网站自查结果（{}）", check_date(report.at)), &bold)?;
    for (c, h) in
        ["排名", "站点代码", "站点", "得分", "扣分", "否决项", "结论", "问题数", "即将到期栏目"].iter().enumerate()
    {
        ws.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    for (i, s) in report.sites.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_number(row, 0, f64::from(s.rank))?;
        ws.write_string(row, 1, &s.code)?;
        ws.write_string(row, 2, &s.name)?;
        ws.write_number(row, 3, f64::from(s.score))?;
        ws.write_number(row, 4, f64::from(s.deducted))?;
        ws.write_number(row, 5, f64::from(s.vetoes))?;
        ws.write_string(row, 6, verdict_zh(s.verdict))?;
        ws.write_number(row, 7, s.findings.len() as f64)?;
        ws.write_number(row, 8, s.notices.len() as f64)?;
    }
    ws.set_column_width(2, 24)?;
    let ws = wb.add_worksheet();
    ws.set_name("问题")?;
    for (c, h) in ["站点代码", "指标", "否决", "证据", "起始日期", "整改建议"].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, f) in report.findings().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &f.site_code)?;
        ws.write_string(row, 1, f.indicator.as_str())?;
        ws.write_string(row, 2, if f.veto { "是" } else { "否" })?;
        ws.write_string(row, 3, f.evidence.describe())?;
        ws.write_string(row, 4, f.since.map(check_date).unwrap_or_default())?;
        ws.write_string(row, 5, f.indicator.todo())?;
    }
    ws.set_column_width(3, 60)?;
    ws.set_column_width(5, 50)?;
    wb.save_to_buffer()
}

fn verdict_zh(v: CheckVerdict) -> &'static str {
    match v {
        CheckVerdict::Vetoed => "单项否决",
        CheckVerdict::Failed => "不合格",
        CheckVerdict::Passed => "合格",
        CheckVerdict::Good => "良好",
    }
}

/// `YYYY-MM-DD` in Beijing time.
pub fn check_date(at: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600);
    match (chrono::DateTime::from_timestamp(at, 0), tz) {
        (Some(t), Some(tz)) => t.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        _ => String::new(),
    }
}

/// Settings key prefix of the error-report entries (`site.error_report.{site id}`).
const ERROR_REPORT_PREFIX: &str = "site.error_report.";

fn error_report_key(site: SiteId) -> String {
    format!("{ERROR_REPORT_PREFIX}{}", site.0)
}

/// `(unit id, channel, first received, last answered)` of one channel of one unit.
type ChannelRow = (i64, String, i64, Option<i64>);

/// Every channel of every unit, over valid tickets.
fn channel_rows(tx: &mut Tx<'_>) -> Result<Vec<ChannelRow>, StoreError> {
    tx.query(
        "SELECT COALESCE(t.unit_id, t.target_unit), t.channel, MIN(t.received_at), MAX(t.replied_at) \
         FROM interaction_tickets t WHERE t.state <> 'rejected' AND COALESCE(t.unit_id, t.target_unit) IS NOT NULL \
         GROUP BY COALESCE(t.unit_id, t.target_unit), t.channel",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
    .collect()
}

fn probe_rows(tx: &mut Tx<'_>, from: i64) -> Result<Vec<(CheckProbe, i64)>, StoreError> {
    tx.query("SELECT site_id, path, status, millis, at FROM selfcheck_probes WHERE at >= ? ORDER BY id", params![from])?
        .iter()
        .map(|r| {
            let status: i64 = r.get(2)?;
            Ok((
                CheckProbe {
                    site: SiteId(r.get(0)?),
                    path: r.get(1)?,
                    status: u16::try_from(status).unwrap_or(0),
                    millis: r.get(3)?,
                },
                r.get(4)?,
            ))
        })
        .collect()
}

/// Collects findings per site.
struct Sink {
    wanted: HashSet<SiteId>,
    codes: HashMap<SiteId, String>,
    findings: HashMap<SiteId, Vec<CheckFinding>>,
}

impl Sink {
    fn add(
        &mut self,
        site: SiteId,
        indicator: CheckIndicator,
        veto: bool,
        evidence: CheckEvidence,
        since: Option<i64>,
    ) {
        if !self.wanted.contains(&site) {
            return;
        }
        let site_code = self.codes.get(&site).cloned().unwrap_or_default();
        self.findings.entry(site).or_default().push(CheckFinding { site, site_code, indicator, veto, evidence, since });
    }
}

impl SiteGroup {
    /// Runs the self-check: `site` alone (`RunSelfCheck` on it: a site admin, for their own
    /// site) or, with `None`, every open site of the group (`RunSelfCheck` on the group:
    /// the centre). Templates, closed and archived sites are not checked in the group run.
    pub fn self_check(&self, actor: &Actor, site: Option<SiteId>) -> Result<SelfCheckReport, Error> {
        authorize(actor, Action::RunSelfCheck, &site.map_or(Resource::Group, Resource::Site))?;
        // The caller is authorised for everything gathered below; the modules' own
        // group-level reads run as the self-check's system actor.
        let inner = Actor::system("selfcheck");
        let now = self.now();
        let tree = self.site_tree()?;
        let checked: Vec<&sitegroup_core::Site> = match site {
            Some(id) => {
                vec![tree.get(id).ok_or_else(|| Error::NotFound { what: "site", key: id.0.to_string() })?]
            }
            None => tree.sites().iter().filter(|s| !s.is_template && matches!(s.status, SiteStatus::Open)).collect(),
        };
        let mut sink = Sink {
            wanted: checked.iter().map(|s| s.id).collect(),
            codes: tree.sites().iter().map(|s| (s.id, s.code.clone())).collect(),
            findings: HashMap::new(),
        };

        // Columns: health and reminders, per site.
        let mut notices: HashMap<SiteId, Vec<CheckNotice>> = HashMap::new();
        let mut columns: HashMap<i64, (String, String)> = HashMap::new();
        for s in &checked {
            let activity = self.column_activity_of(s.id)?;
            let health = self.column_health_of(&inner, s.id, &activity, crate::health::RATE_WINDOW_DAYS)?;
            for c in &health.columns {
                columns.insert(c.column, (c.path.clone(), c.name.clone()));
            }
            self.column_findings(&mut sink, s.id, &health);
            let reminders = self.column_reminders(&inner, s.id, &activity, crate::health::RATE_WINDOW_DAYS)?;
            let list = notices.entry(s.id).or_default();
            for r in reminders.into_iter().filter(|r| r.health.lapses_soon()) {
                list.push(CheckNotice {
                    site: s.id,
                    column: r.health.column,
                    column_path: r.health.path.clone(),
                    column_name: r.health.name.clone(),
                    due_at: r.health.due_at.unwrap_or(now),
                    owners: r.owners.iter().map(|o| o.name.clone()).collect(),
                });
            }
        }

        let (fingerprint, verdicts) = self.document_findings(&mut sink, site, &columns)?;
        self.ticket_findings(&mut sink, &tree, now)?;

        for s in self.solicitations_without_summary(now)?.into_iter().filter(|s| s.overdue) {
            let evidence = CheckEvidence {
                solicitation: Some(s.id),
                title: Some(s.title.clone()),
                figure: Some(s.comments),
                ..Default::default()
            };
            sink.add(s.site, CheckIndicator::SolicitationNoSummary, false, evidence, s.due_at);
        }
        for g in self.incomplete_service_guides(&inner, true)? {
            let Some(site) = g.site else { continue };
            let evidence = CheckEvidence {
                item: Some(g.id),
                title: Some(g.name.clone()),
                detail: g.missing.iter().map(|e| e.as_str().to_string()).collect(),
                ..Default::default()
            };
            sink.add(site, CheckIndicator::GuideIncomplete, g.veto, evidence, Some(g.updated_at));
        }

        // Identity footer and error-report entry.
        let entries = self.error_report_entries()?;
        for s in &checked {
            let identity = tree.identity(s.id);
            let mut missing = Vec::new();
            if identity.site_code.as_deref().is_none_or(|c| c.trim().is_empty()) {
                missing.push("site_code".to_string());
            }
            if identity.icp.as_deref().is_none_or(|c| c.trim().is_empty()) {
                missing.push("icp".to_string());
            }
            if identity.police_filing.as_deref().is_none_or(|c| c.trim().is_empty()) {
                missing.push("police_filing".to_string());
            }
            let ancestors = ancestors(&tree, s.id);
            if !ancestors.iter().any(|a| tree.get(*a).is_some_and(|x| x.unit.is_some())) {
                missing.push("sponsor".to_string());
            }
            if !missing.is_empty() {
                let evidence = CheckEvidence { detail: missing, ..Default::default() };
                sink.add(s.id, CheckIndicator::IdentityFooter, false, evidence, None);
            }
            if !ancestors.iter().any(|a| entries.contains_key(a)) {
                sink.add(s.id, CheckIndicator::ErrorReportEntry, false, CheckEvidence::default(), None);
            }
        }

        self.probe_findings(&mut sink, now)?;

        let mut sites: Vec<SelfCheckSite> = checked
            .iter()
            .map(|s| {
                let findings = sink.findings.remove(&s.id).unwrap_or_default();
                let notes = notices.remove(&s.id).unwrap_or_default();
                check_site(s.id, s.code.clone(), s.name.clone(), findings, notes)
            })
            .collect();
        check_rank(&mut sites);
        let report = SelfCheckReport { at: now, sites };
        // The derived caches: verdicts of the documents checked in this run's scope, and
        // the report as the last of its scope.
        self.db.write(|tx| {
            if let Some(verdicts) = &verdicts {
                cache::store_verdicts(tx, site, &fingerprint, verdicts, now)?;
            }
            cache::store_report(tx, site, &report)
        })?;
        Ok(report)
    }

    /// How many published documents the next [`SiteGroup::self_check`] of `site` (or of
    /// the group) has to check with the content checker because no valid cached verdict
    /// exists (new or republished documents, or changed word lists). Lets a caller decide
    /// whether to run the check now or in the background (`RunSelfCheck`, as the check).
    pub fn self_check_pending(&self, actor: &Actor, site: Option<SiteId>) -> Result<i64, Error> {
        authorize(actor, Action::RunSelfCheck, &site.map_or(Resource::Group, Resource::Site))?;
        let fingerprint = checker_fingerprint(self.dir())?;
        Ok(self.db.read(|tx| cache::pending_count(tx, site, &fingerprint))?)
    }

    /// The last stored self-check report of `site` (or of the group), if any: the newer of
    /// the site's own run and the site's part of the last group run (`RunSelfCheck`, as
    /// the check; a site admin never gets another site's findings). A stored report is a
    /// derived cache: it may be missing even after a run if the cache was dropped.
    pub fn last_self_check(&self, actor: &Actor, site: Option<SiteId>) -> Result<Option<SelfCheckReport>, Error> {
        authorize(actor, Action::RunSelfCheck, &site.map_or(Resource::Group, Resource::Site))?;
        let (own, group) = self.db.read(|tx| {
            let own = cache::load_report(tx, site)?;
            let group = if site.is_some() { cache::load_report(tx, None)? } else { None };
            Ok::<_, StoreError>((own, group))
        })?;
        let Some(id) = site else { return Ok(own) };
        let own = own.filter(|r| r.sites.iter().all(|s| s.site == id));
        let from_group = group.and_then(|g| {
            let mut part: Vec<SelfCheckSite> = g.sites.into_iter().filter(|s| s.site == id).collect();
            part.iter_mut().for_each(|s| s.rank = 1);
            (!part.is_empty()).then_some(SelfCheckReport { at: g.at, sites: part })
        });
        Ok(match (own, from_group) {
            (Some(a), Some(b)) => Some(if b.at > a.at { b } else { a }),
            (a, b) => a.or(b),
        })
    }

    fn column_findings(&self, sink: &mut Sink, site: SiteId, health: &sitegroup_columns::SiteHealth) {
        for v in &health.vetoes {
            let (indicator, figure, since) = match v {
                Veto::HomeNotUpdated { days } => (
                    CheckIndicator::HomeStale,
                    *days,
                    health
                        .latest_published_at
                        .map(|t| t + i64::from(sitegroup_columns::HealthThresholds::default().home_stale_days) * DAY),
                ),
                Veto::StaleColumns { news, notice } => {
                    (CheckIndicator::ColumnsStale, Some(i64::from(*news) + i64::from(*notice)), None)
                }
                Veto::ColumnsNotUpdated { count } => (CheckIndicator::ColumnsNotUpdated, Some(i64::from(*count)), None),
                Veto::BlankColumns { count } => (CheckIndicator::BlankColumns, Some(i64::from(*count)), None),
            };
            let evidence = CheckEvidence { figure, ..Default::default() };
            sink.add(site, indicator, true, evidence, since);
        }
        for c in health.columns.iter().filter(|c| c.counted) {
            let evidence = CheckEvidence {
                column: Some(c.column),
                column_path: Some(c.path.clone()),
                column_name: Some(c.name.clone()),
                detail: vec![c.duty.to_string()],
                ..Default::default()
            };
            if c.is_overdue() {
                let evidence = CheckEvidence { figure: Some(c.overdue_days), ..evidence.clone() };
                sink.add(site, CheckIndicator::ColumnStale, false, evidence, c.due_at);
            }
            if c.blank {
                sink.add(site, CheckIndicator::BlankColumn, false, evidence, None);
            }
        }
    }

    /// Faked dates and the checker over the published documents (one pass). Documents
    /// with a valid cached verdict are not checked again; the fresh verdicts are returned
    /// for the caller to store (`None` when the word lists changed during the run, so
    /// nothing is stored under a fingerprint that may not match the checker used).
    fn document_findings(
        &self,
        sink: &mut Sink,
        site: Option<SiteId>,
        columns: &HashMap<i64, (String, String)>,
    ) -> Result<(String, Option<Vec<cache::NewVerdict>>), Error> {
        let fingerprint = checker_fingerprint(self.dir())?;
        let checker = checker_for(self.dir())?;
        let rows = self.db.read(|tx| cache::published_rows(tx, site, &fingerprint))?;
        let rows: Vec<cache::PublishedRow> = rows.into_iter().filter(|r| sink.wanted.contains(&r.site)).collect();
        // An unreadable cached verdict counts as missing (the cache is derived).
        let cached: Vec<Option<cache::DocVerdict>> =
            rows.iter().map(|r| r.cached.as_deref().and_then(|j| serde_json::from_str(j).ok())).collect();
        let misses: Vec<i64> = rows.iter().zip(&cached).filter(|(_, c)| c.is_none()).map(|(r, _)| r.rev).collect();
        let texts: HashMap<i64, String> = if misses.is_empty() {
            HashMap::new()
        } else {
            self.db.read(|tx| cache::revision_fields(tx, &misses))?.into_iter().collect()
        };
        let mut fresh: Vec<cache::NewVerdict> = Vec::with_capacity(misses.len());
        for (row, cached) in rows.into_iter().zip(cached) {
            let found = match cached {
                Some(v) => v,
                None => {
                    let v = self.check_text(&checker, &row, texts.get(&row.rev))?;
                    let json = serde_json::to_string(&v)
                        .map_err(|e| Error::Internal(format!("document {} verdict: {e}", row.id)))?;
                    fresh.push((row.id, row.site, row.rev, json));
                    v
                }
            };
            let (path, name) = columns.get(&row.column).cloned().unzip();
            let base = CheckEvidence {
                column: Some(row.column),
                column_path: path,
                column_name: name,
                document: Some(row.id),
                title: Some(row.title.clone()),
                ..Default::default()
            };
            if let Some(days) = row.date_flag_days {
                let evidence = CheckEvidence { figure: Some(days), ..base.clone() };
                sink.add(row.site, CheckIndicator::FakedDate, true, evidence, row.published_at);
            }
            for (indicator, detail) in found {
                let veto = indicator != CheckIndicator::PersonalData;
                let evidence = CheckEvidence { detail, ..base.clone() };
                sink.add(row.site, indicator, veto, evidence, row.published_at);
            }
        }
        let unchanged = checker_fingerprint(self.dir())? == fingerprint;
        Ok((fingerprint, unchanged.then_some(fresh)))
    }

    /// The checker's verdict on one published revision: per indicator, up to five pieces
    /// of evidence (personal data by rule only: the number itself is not repeated).
    fn check_text(
        &self,
        checker: &sitegroup_text::checks::Checker,
        row: &cache::PublishedRow,
        fields: Option<&String>,
    ) -> Result<cache::DocVerdict, Error> {
        let fields =
            fields.ok_or_else(|| Error::Internal(format!("document {}: revision {} missing", row.id, row.rev)))?;
        let fields: sitegroup_content::DocFields =
            serde_json::from_str(fields).map_err(|e| Error::Internal(format!("document {} fields: {e}", row.id)))?;
        let mut found: cache::DocVerdict = Vec::new();
        for f in checker.check_document(&fields.title, &fields.body_text) {
            if f.severity != Severity::Block {
                continue;
            }
            let indicator = match f.rule.as_str() {
                "prohibited_word" => CheckIndicator::ProhibitedContent,
                "serious_error" => CheckIndicator::SeriousError,
                "confidential_marker" => CheckIndicator::LeakedSecret,
                "id_number" | "bank_card" => CheckIndicator::PersonalData,
                _ => continue,
            };
            let shown = if indicator == CheckIndicator::PersonalData { f.rule.clone() } else { f.excerpt.clone() };
            match found.iter_mut().find(|(i, _)| *i == indicator) {
                Some((_, list)) if !list.contains(&shown) && list.len() < 5 => list.push(shown),
                Some(_) => {}
                None => found.push((indicator, vec![shown])),
            }
        }
        Ok(found)
    }

    /// Messages unanswered for more than three months, and idle channels.
    fn ticket_findings(&self, sink: &mut Sink, tree: &crate::sites::SiteTree, now: i64) -> Result<(), Error> {
        let units = self.db.read(core_repo::list_units)?;
        let unit_code: HashMap<i64, String> = units.iter().map(|u| (u.id.0, u.code.clone())).collect();
        let mut sites_of_unit: HashMap<String, Vec<SiteId>> = HashMap::new();
        for s in tree.sites() {
            if let Some(u) = s.unit
                && let Some(code) = unit_code.get(&u.0)
            {
                sites_of_unit.entry(code.clone()).or_default().push(s.id);
            }
        }
        let rows = self.db.read(|tx| sitegroup_interaction::repo::report_rows(tx, now - 400 * DAY, now))?;
        for v in sitegroup_interaction::report::three_month_unanswered(&rows, now) {
            for site in sites_of_unit.get(&v.unit).into_iter().flatten() {
                let evidence = CheckEvidence {
                    ticket: Some(v.id),
                    figure: v.replied_at.map(|r| (r - v.received_at) / DAY),
                    ..Default::default()
                };
                sink.add(*site, CheckIndicator::UnansweredThreeMonths, true, evidence, Some(v.received_at));
            }
        }
        let channels = self.db.read(channel_rows)?;
        let mut per_unit: HashMap<i64, Vec<(ChannelRow, bool)>> = HashMap::new();
        for row in channels {
            let idle = row.3.is_none_or(|l| l < now - 365 * DAY) && row.2 <= now - 30 * DAY;
            per_unit.entry(row.0).or_default().push((row, idle));
        }
        for (unit, list) in per_unit {
            let Some(code) = unit_code.get(&unit) else { continue };
            let all_idle = list.iter().all(|c| c.1);
            for ((_, channel, first, last), _) in list.into_iter().filter(|c| c.1) {
                for site in sites_of_unit.get(code).into_iter().flatten() {
                    let evidence = CheckEvidence { detail: vec![channel.clone()], ..Default::default() };
                    let since = last.map_or(first, |l| l + 365 * DAY);
                    sink.add(*site, CheckIndicator::ChannelIdle, all_idle, evidence, Some(since));
                }
            }
        }
        Ok(())
    }

    fn probe_findings(&self, sink: &mut Sink, now: i64) -> Result<(), Error> {
        let rows = self.db.read(|tx| probe_rows(tx, now - CHECK_PROBE_WINDOW_DAYS * DAY))?;
        let mut per_site: HashMap<SiteId, Vec<(CheckProbe, i64)>> = HashMap::new();
        for r in rows {
            per_site.entry(r.0.site).or_default().push(r);
        }
        for (site, list) in per_site {
            let total = list.len();
            let failed: Vec<&(CheckProbe, i64)> = list.iter().filter(|(p, _)| p.failed()).collect();
            if failed.is_empty() {
                continue;
            }
            let since = failed.iter().map(|(_, at)| *at).min();
            if failed.len() * 20 >= total {
                let mut paths: Vec<String> = failed.iter().map(|(p, _)| p.path.clone()).collect();
                paths.dedup();
                paths.truncate(5);
                let evidence = CheckEvidence {
                    detail: paths,
                    figure: i64::try_from(failed.len() * 100 / total).ok(),
                    ..Default::default()
                };
                sink.add(site, CheckIndicator::Unreachable, true, evidence, since);
            } else {
                let mut seen = HashSet::new();
                for (p, at) in failed {
                    if seen.insert(p.path.clone()) {
                        let evidence = CheckEvidence {
                            detail: vec![p.path.clone(), format!("HTTP {}", p.status), format!("{} ms", p.millis)],
                            ..Default::default()
                        };
                        sink.add(site, CheckIndicator::PageFailed, false, evidence, Some(*at));
                    }
                }
            }
        }
        Ok(())
    }

    /// Records the portal's availability probes (`RunSelfCheck` on the group: the portal
    /// runs them as its system actor) at the group's time, and prunes rows older than
    /// [`CHECK_PROBE_KEEP_DAYS`]; one audit entry for the batch. Returns how many were kept.
    pub fn record_check_probes(&self, actor: &Actor, origin: &Origin, probes: &[CheckProbe]) -> Result<usize, Error> {
        authorize(actor, Action::RunSelfCheck, &Resource::Group)?;
        for p in probes {
            if p.path.is_empty() || p.path.chars().count() > 500 || !p.path.starts_with('/') {
                return Err(
                    ValidationError::Malformed { field: "path", reason: "a path starting with /".into() }.into()
                );
            }
            if p.millis < 0 {
                return Err(ValidationError::Malformed { field: "millis", reason: "negative".into() }.into());
            }
        }
        let now = self.now();
        let n = probes.len();
        let failed = probes.iter().filter(|p| p.failed()).count();
        self.audited(actor, origin, "selfcheck.probe", None, format!("probe:{now}"), |tx| {
            tx.execute("DELETE FROM selfcheck_probes WHERE at < ?", params![now - CHECK_PROBE_KEEP_DAYS * DAY])?;
            for p in probes {
                tx.execute(
                    "INSERT INTO selfcheck_probes (site_id, path, status, millis, at) VALUES (?, ?, ?, ?, ?)",
                    params![p.site.0, p.path.clone(), i64::from(p.status), p.millis, now],
                )?;
            }
            Ok(((), serde_json::json!({ "probes": n, "failed": failed })))
        })?;
        Ok(n)
    }

    /// Sets (or, with an empty `entry`, clears) the site's error-report (纠错) entry: a path
    /// on this platform, an http(s) URL or a `mailto:` address where reports of errors on
    /// the site go (`EditSite` on the site). A channel without one uses its website's.
    pub fn set_error_report_entry(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        entry: &str,
    ) -> Result<(), Error> {
        authorize(actor, Action::EditSite, &Resource::Site(site))?;
        let entry = entry.trim();
        let len = entry.chars().count();
        if len > CHECK_ERROR_REPORT_MAX {
            return Err(ValidationError::TooLong { field: "error_report", len, max: CHECK_ERROR_REPORT_MAX }.into());
        }
        if !entry.is_empty() && !["/", "http://", "https://", "mailto:"].iter().any(|p| entry.starts_with(p))
            || entry.chars().any(char::is_control)
        {
            return Err(ValidationError::Malformed {
                field: "error_report",
                reason: "a path, an http(s) URL or a mailto: address".into(),
            }
            .into());
        }
        self.site_tree()?.get(site).ok_or_else(|| Error::NotFound { what: "site", key: site.0.to_string() })?;
        let value = entry.to_string();
        self.audited(actor, origin, "site.error_report", Some(site), format!("site:{}", site.0), |tx| {
            core_repo::set_setting(tx, &error_report_key(site), &value)?;
            Ok(((), serde_json::json!({ "site": site.0, "entry": value })))
        })
    }

    /// Every site's own error-report entry (public: shown in the footer of the site's
    /// pages). One small read over the settings, cheap enough per request, so a
    /// change is visible on the next page without any cache to invalidate. A channel
    /// without its own uses its nearest ancestor's ([`SiteGroup::effective_error_report_entry`]).
    pub fn error_report_entries(&self) -> Result<HashMap<SiteId, String>, Error> {
        // LIKE's `_` matches any character: the exact prefix is checked below. (A key
        // range would depend on the PostgreSQL collation's handling of punctuation.)
        let pattern = format!("{ERROR_REPORT_PREFIX}%");
        let rows = self.db.read(|tx| tx.query("SELECT key, value FROM settings WHERE key LIKE ?", params![pattern]))?;
        let mut out = HashMap::new();
        for r in rows {
            let (key, value): (String, String) = (r.get(0)?, r.get(1)?);
            if let Some(id) = key.strip_prefix(ERROR_REPORT_PREFIX).and_then(|n| n.parse::<i64>().ok())
                && !value.trim().is_empty()
            {
                out.insert(SiteId(id), value);
            }
        }
        Ok(out)
    }

    /// The error-report entry that applies to a site: its own, else its nearest
    /// ancestor's (a channel shares its website's), if any.
    pub fn effective_error_report_entry(&self, site: SiteId) -> Result<Option<String>, Error> {
        let tree = self.site_tree()?;
        let entries = self.error_report_entries()?;
        Ok(ancestors(&tree, site).into_iter().find_map(|s| entries.get(&s).cloned()))
    }

    /// The site's own error-report entry, if set (public: it is shown on the site).
    pub fn error_report_entry(&self, site: SiteId) -> Result<Option<String>, Error> {
        let v = self.db.read(|tx| core_repo::get_setting(tx, &error_report_key(site)))?;
        Ok(v.filter(|v| !v.trim().is_empty()))
    }
}

/// The site and its ancestors, nearest first.
fn ancestors(tree: &crate::sites::SiteTree, site: SiteId) -> Vec<SiteId> {
    let mut out = vec![site];
    let mut cur = tree.get(site).and_then(|s| s.parent);
    while let Some(p) = cur {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        cur = tree.get(p).and_then(|s| s.parent);
    }
    out
}
