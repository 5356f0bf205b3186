//! Visit analytics through the facade (issue 6): recording page views, aggregation, the
//! dashboard figures.
//!
//! **Who may do what.** Recording ([`SiteGroup::record_page_views`]) is public: any
//! visitor's page view is recorded, with no actor, audit entry or outbox event (a page
//! view is not a change anyone made; auditing 10,000 reads a day would drown the audit
//! log). Aggregation ([`SiteGroup::stats_aggregate`]) is maintenance run by the host's
//! background task, like `search_poll`. Reading the dashboard
//! ([`SiteGroup::stats_dashboard`]) needs `ViewStats` on the site asked for, or on the
//! group for the group-wide view: a site administrator sees their own site only; every
//! query of a site-scoped dashboard filters on that site id.
//!
//! **Privacy.** The address and User-Agent of a [`PageView`] are hashed here with the
//! day's salt ([`sitegroup_stats::stats::visitor_key`]) and dropped; the salt of a day is
//! deleted when the day after it is closed, so a stored key cannot be linked back to an
//! address by anyone.
//!
//! **Retention.** Raw page views are kept `stats.raw_retention_days` days (setting,
//! default 180, 1 to 3650; [`SiteGroup::set_stats_retention_days`] is the centre's,
//! audited). [`SiteGroup::stats_purge`] deletes the raw views of older days, but only of
//! days whose aggregates are final and current (closed at
//! [`stats::AGGREGATES_VERSION`]), in batches of [`PURGE_BATCH`] rows, one transaction
//! each, so a purge of millions of rows never holds one long transaction. The periodic
//! [`SiteGroup::stats_aggregate`] backfills the referrer and term aggregates of days
//! closed before they existed, then purges (at most [`PURGE_BATCHES_PER_RUN`] batches a
//! run). A malformed stored retention (only possible by editing the database) is read
//! as the default.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, authorize, password};
use sitegroup_interaction::report::{self, UnitReport};
use sitegroup_stats::StatsError;
use sitegroup_stats::stats::{self, DayFigure, PageView, Ranked, Source, StoredView, Volume, VolumeBy};
use sitegroup_store::core_repo;

use crate::error::Error;
use crate::group::SiteGroup;

/// How many lines each ranked list of the dashboard shows.
pub const STATS_TOP: i64 = 10;
/// Raw page views deleted per purge transaction.
pub const PURGE_BATCH: i64 = 10_000;
/// Most purge batches one [`SiteGroup::stats_aggregate`] run does (the rest waits for
/// the next run; [`SiteGroup::stats_purge`] has no such cap).
pub const PURGE_BATCHES_PER_RUN: u64 = 100;

/// What one call of [`SiteGroup::record_page_views`] stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VisitRecordReport {
    /// Page views stored.
    pub stored: u64,
    /// Page views dropped: unknown site, or a bot's User-Agent ([`stats::is_bot`],
    /// which includes the self-check's probe).
    pub skipped: u64,
}

/// What one call of [`SiteGroup::stats_aggregate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsAggregateReport {
    /// Closed days aggregated for the last time.
    pub closed_days: Vec<i64>,
    /// Aggregate rows written (closed days and today).
    pub rows: u64,
    /// Days closed before the referrer and term aggregates existed, backfilled now.
    pub backfilled_days: Vec<i64>,
    /// Raw page views purged (older than the retention, of closed days only).
    pub purged: StatsPurgeReport,
}

/// What a purge of raw page views did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsPurgeReport {
    /// The retention applied (days).
    pub retention_days: i64,
    /// Days emptied of raw views (or partly, when the run's cap was reached).
    pub days: Vec<i64>,
    /// Raw page views deleted.
    pub rows: u64,
    /// Transactions used.
    pub batches: u64,
}

/// The analytics dashboard (统计报表) of a site or of the group over a range of days.
#[derive(Debug, Clone, Serialize)]
pub struct StatsDashboard {
    /// The site, or `None` for the whole group.
    pub site: Option<SiteId>,
    /// First day (Beijing calendar).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// One entry per day.
    pub days: Vec<DayFigure>,
    /// Page views over the range.
    pub views: u64,
    /// Distinct visitors over the range: the **sum of the daily distinct counts**
    /// (keys rotate daily, so a visitor on two days counts twice).
    pub visitors: u64,
    /// Most viewed columns.
    pub top_columns: Vec<Ranked>,
    /// Most viewed documents.
    pub top_documents: Vec<Ranked>,
    /// Most frequent referring hosts.
    pub referrers: Vec<Ranked>,
    /// Most frequent site search terms.
    pub search_terms: Vec<Ranked>,
    /// Views with a referrer over the range (listed or not).
    pub referrer_views: u64,
    /// Site searches over the range (listed or not).
    pub search_views: u64,
    /// How many days raw page views are kept (`stats.raw_retention_days`).
    pub raw_retention_days: i64,
    /// Items first published in the range, by owning unit.
    pub published_by_unit: Vec<Volume>,
    /// … by column.
    pub published_by_column: Vec<Volume>,
    /// … by kind.
    pub published_by_kind: Vec<Volume>,
    /// Reply figures of the month containing `to` (the monthly notice's rows): every
    /// unit for the group view, the site's own unit for a site.
    pub replies: Vec<UnitReport>,
    /// (year, month) of `replies`.
    pub replies_month: (i32, u32),
}

impl SiteGroup {
    /// Stores page views seen by the portal (public; no actor). Views of unknown sites
    /// are skipped; a column path that matches no column and a document of another
    /// site are recorded without column/document. Each view's address and User-Agent
    /// become the day's visitor key and are dropped. One transaction.
    pub fn record_page_views(&self, views: &[PageView]) -> Result<VisitRecordReport, Error> {
        if views.is_empty() {
            return Ok(VisitRecordReport::default());
        }
        let tree = self.site_tree()?;
        let mut report = VisitRecordReport::default();
        self.db.write(|tx| {
            let mut salts: Vec<(i64, String)> = Vec::new();
            let mut columns: Vec<((i64, String), Option<i64>)> = Vec::new();
            let mut rows = Vec::with_capacity(views.len());
            for v in views {
                if tree.get(SiteId(v.site)).is_none() || stats::is_bot(&v.user_agent) {
                    report.skipped += 1;
                    continue;
                }
                let day = stats::beijing_day(v.at);
                let salt = match salts.iter().find(|(d, _)| *d == day) {
                    Some((_, s)) => s.clone(),
                    None => {
                        let s = stats::salt_for_day(tx, day, &fresh_salt()?)?;
                        salts.push((day, s.clone()));
                        s
                    }
                };
                let mut column = None;
                let mut doc = None;
                if let Some(d) = v.doc {
                    if let Some(c) = stats::doc_column(tx, v.site, d)? {
                        doc = Some(d);
                        column = Some(c);
                    }
                } else if let Some(path) = &v.column_path {
                    let key = (v.site, path.clone());
                    column = match columns.iter().find(|(k, _)| *k == key) {
                        Some((_, c)) => *c,
                        None => {
                            let c = stats::column_at(tx, v.site, path)?;
                            columns.push((key, c));
                            c
                        }
                    };
                }
                rows.push(StoredView {
                    site: v.site,
                    column,
                    doc,
                    at: v.at,
                    visitor: stats::visitor_key(&salt, &v.address, &v.user_agent),
                    referrer_host: v.referrer_host.as_deref().and_then(stats::clean_host),
                    search_terms: v.search_terms.as_deref().and_then(stats::clean_terms),
                });
            }
            report.stored = stats::insert_views(tx, &rows)?;
            Ok::<_, Error>(())
        })?;
        Ok(report)
    }

    /// Aggregates page views: every day before today not yet final is aggregated and
    /// marked final, today is (re)aggregated, and salts older than yesterday are
    /// forgotten; then days closed before the referrer and term aggregates existed are
    /// backfilled, and raw views older than the retention are purged (at most
    /// [`PURGE_BATCHES_PER_RUN`] batches). Maintenance (no actor), run by the host every
    /// minute or so; each day (each purge batch) is its own transaction.
    pub fn stats_aggregate(&self) -> Result<StatsAggregateReport, Error> {
        let now = self.now();
        let today = stats::beijing_day(now);
        let pending = self.db.read(|tx| stats::pending_days(tx, today))?;
        let mut report = StatsAggregateReport::default();
        for day in pending {
            report.rows += self.db.write(|tx| {
                let n = stats::aggregate_day(tx, day)?;
                stats::mark_done(tx, day, now)?;
                Ok::<_, StatsError>(n)
            })?;
            report.closed_days.push(day);
        }
        report.rows += self.db.write(|tx| {
            let n = stats::aggregate_day(tx, today)?;
            stats::forget_salts_before(tx, today - 1)?;
            Ok::<_, StatsError>(n)
        })?;
        for day in self.db.read(stats::stale_days)? {
            report.rows += self.db.write(|tx| stats::backfill_day(tx, day))?;
            report.backfilled_days.push(day);
        }
        report.purged = self.purge_raw(Some(PURGE_BATCHES_PER_RUN))?;
        Ok(report)
    }

    /// Purges raw page views older than the retention (`stats.raw_retention_days`),
    /// of closed days with current aggregates only, in batches of [`PURGE_BATCH`] rows
    /// (one transaction each). Maintenance (no actor), like
    /// [`stats_aggregate`](Self::stats_aggregate), which also purges; the CLI's
    /// `sitegroup stats purge`.
    pub fn stats_purge(&self) -> Result<StatsPurgeReport, Error> {
        self.purge_raw(None)
    }

    fn purge_raw(&self, max_batches: Option<u64>) -> Result<StatsPurgeReport, Error> {
        let retention = self.stats_retention_days()?;
        let cutoff = stats::retention_cutoff(stats::beijing_day(self.now()), retention);
        let mut report = StatsPurgeReport { retention_days: retention, ..StatsPurgeReport::default() };
        for day in self.db.read(|tx| stats::purgeable_days(tx, cutoff))? {
            report.days.push(day);
            loop {
                if max_batches.is_some_and(|m| report.batches >= m) {
                    return Ok(report);
                }
                let n = self.db.write(|tx| stats::purge_views(tx, day, PURGE_BATCH))?;
                report.batches += 1;
                report.rows += n;
                if n < u64::try_from(PURGE_BATCH).unwrap_or(u64::MAX) {
                    break;
                }
            }
        }
        Ok(report)
    }

    /// How many days raw page views are kept (`stats.raw_retention_days`; the default
    /// [`stats::DEFAULT_RETENTION_DAYS`] when unset or malformed).
    pub fn stats_retention_days(&self) -> Result<i64, Error> {
        let stored = self.db.read(|tx| core_repo::get_setting(tx, stats::RETENTION_KEY))?;
        Ok(stored.and_then(|v| stats::parse_retention(&v).ok()).unwrap_or(stats::DEFAULT_RETENTION_DAYS))
    }

    /// Sets how many days raw page views are kept (the centre: `EditSite` on the
    /// group). Refused outside [`stats::MIN_RETENTION_DAYS`] ..=
    /// [`stats::MAX_RETENTION_DAYS`]. Audited as `settings.stats`.
    pub fn set_stats_retention_days(&self, actor: &Actor, origin: &Origin, value: &str) -> Result<i64, Error> {
        authorize(actor, Action::EditSite, &Resource::Group)?;
        let days = stats::parse_retention(value)?;
        let key = stats::RETENTION_KEY;
        self.audited(actor, origin, "settings.stats", None, format!("settings:{key}"), |tx| {
            core_repo::set_setting(tx, key, &days.to_string())?;
            Ok(((), serde_json::json!({ "key": key, "value": days })))
        })?;
        Ok(days)
    }

    /// Sites whose dashboard `actor` may read (`ViewStats` on the site), and whether
    /// the group-wide view is allowed too.
    pub fn stats_sites(&self, actor: &Actor) -> Result<(Vec<sitegroup_core::Site>, bool), Error> {
        let tree = self.site_tree()?;
        let sites = tree
            .sites()
            .iter()
            .filter(|s| authorize(actor, Action::ViewStats, &Resource::Site(s.id)).is_ok())
            .cloned()
            .collect();
        Ok((sites, authorize(actor, Action::ViewStats, &Resource::Group).is_ok()))
    }

    /// The dashboard of `site` (or the group, `None`) for the Beijing days
    /// `from..=to` (at most [`stats::MAX_RANGE_DAYS`]). `ViewStats` on the site, or on
    /// the group for `None`. Figures come from the daily aggregates (today's as of the
    /// last [`stats_aggregate`](Self::stats_aggregate)).
    pub fn stats_dashboard(
        &self,
        actor: &Actor,
        site: Option<SiteId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<StatsDashboard, Error> {
        let (unit, site_id) = match site {
            Some(s) => {
                authorize(actor, Action::ViewStats, &Resource::Site(s))?;
                let tree = self.site_tree()?;
                let found = tree.get(s).ok_or_else(|| Error::NotFound { what: "site", key: s.0.to_string() })?;
                (found.unit, Some(s.0))
            }
            None => {
                authorize(actor, Action::ViewStats, &Resource::Group)?;
                (None, None)
            }
        };
        let (d0, d1) = (stats::day_of_date(from), stats::day_of_date(to));
        stats::check_range(d0, d1)?;
        let (year, month) = (to.year(), to.month());
        let (m_from, m_to) = report::month_bounds(year, month)
            .ok_or_else(|| StatsError::BadRange { from: stats::day_label(d0), to: stats::day_label(d1) })?;
        let (from_at, to_at) = (stats::day_start(d0), stats::day_start(d1 + 1));
        let (days, cols, docs, refs, terms, by_unit, by_col, by_kind, units, rows) = self.db.read(|tx| {
            let days = stats::daily(tx, site_id, d0, d1)?;
            let cols = stats::top_columns(tx, site_id, d0, d1, STATS_TOP)?;
            let docs = stats::top_documents(tx, site_id, d0, d1, STATS_TOP)?;
            let refs = stats::top_sources(tx, Source::Referrer, site_id, d0, d1, STATS_TOP)?;
            let terms = stats::top_sources(tx, Source::Terms, site_id, d0, d1, STATS_TOP)?;
            let by_unit = stats::publishing_volume(tx, site_id, from_at, to_at, VolumeBy::Unit)?;
            let by_col = stats::publishing_volume(tx, site_id, from_at, to_at, VolumeBy::Column)?;
            let by_kind = stats::publishing_volume(tx, site_id, from_at, to_at, VolumeBy::Kind)?;
            let units: Vec<(i64, String, String)> =
                core_repo::list_units(tx)?.into_iter().map(|u| (u.id.0, u.code, u.name)).collect();
            let rows = sitegroup_interaction::repo::report_rows(tx, m_from, m_to)?;
            Ok::<_, Error>((days, cols, docs, refs, terms, by_unit, by_col, by_kind, units, rows))
        })?;
        let wanted: Vec<(String, String)> = units
            .into_iter()
            .filter(|(id, _, _)| site.is_none() || unit.map(|u| u.0) == Some(*id))
            .map(|(_, code, name)| (code, name))
            .collect();
        let replies = if wanted.is_empty() {
            Vec::new()
        } else {
            let codes: Vec<&str> = wanted.iter().map(|(c, _)| c.as_str()).collect();
            report::monthly(&wanted, &rows, self.now(), self.calendar())
                .into_iter()
                .filter(|r| codes.contains(&r.unit.as_str()))
                .collect()
        };
        Ok(StatsDashboard {
            site,
            from,
            to,
            views: days.iter().map(|d| d.views).sum(),
            visitors: days.iter().map(|d| d.visitors).sum(),
            days,
            top_columns: cols,
            top_documents: docs,
            referrer_views: refs.total,
            search_views: terms.total,
            referrers: refs.top,
            search_terms: terms.top,
            raw_retention_days: self.stats_retention_days()?,
            published_by_unit: by_unit,
            published_by_column: by_col,
            published_by_kind: by_kind,
            replies,
            replies_month: (year, month),
        })
    }
}

/// A random salt for a new day (hex).
fn fresh_salt() -> Result<String, StatsError> {
    let mut buf = [0u8; 16];
    password::random_bytes(&mut buf).map_err(|e| StatsError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
