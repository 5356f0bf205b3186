//! The analytics rules and their SQL: Beijing day numbers, the daily-rotated visitor
//! key, the bot list, referrer hosts, recording, daily aggregation and the readers of
//! the dashboard.
//!
//! **What it must never do.** Keep an address or a User-Agent: [`PageView`] carries
//! them only in memory (its `Debug` hides them) and [`insert_views`] stores the key
//! from [`visitor_key`] instead. Permissions are the facade's.
//!
//! **Distinct visitors (独立访客).** A visitor is a (day, key) pair. Per day, the count
//! of distinct keys is exact. Over a range of days the figure is the **sum of the daily
//! counts**: because keys rotate daily (the privacy trade-off), someone who visits on
//! two days counts twice across days; within one day they count once, whichever sites
//! they visit (the group row, site 0, is computed from the raw keys, not summed).
//!
//! **Aggregate rows.** `stats_daily` holds per day: the group (`site_id` 0, column 0,
//! document 0), each site (column 0, document 0), each column of a site (document 0)
//! and each document (its column, or 0). 0 is "all", never a real id.
//!
//! **Referrers and search terms.** `stats_daily_referrers` and `stats_daily_terms` hold
//! per day, for the group (`site_id` 0, computed from the raw rows like the group row of
//! `stats_daily`) and for each site, the [`SOURCES_TOP`] most frequent hosts (terms)
//! with their views and distinct visitors, and one **"other" row** whose label is the
//! empty string (never a real host or terms: [`clean_host`] and [`clean_terms`] refuse
//! empty values) carrying the views of everything below the cut, so the views of a day
//! and site always add up. The other row's `visitors` is the sum of the cut entries'
//! distinct counts (an upper bound; it is not shown). They are rebuilt with the other
//! aggregates of the day, in the same transaction ([`aggregate_day`]).
//!
//! **Closed and open days.** A day in `stats_days_done` is closed: its aggregates are
//! final. The dashboard reads referrers and terms of closed days from the aggregate
//! tables only, and of open days (today, or a past day not aggregated yet) from the raw
//! rows ([`top_sources`]). Raw rows of a closed day whose aggregates are of the current
//! [`AGGREGATES_VERSION`] may be purged after the retention period ([`purge_views`]);
//! an open day is never purged.
//!
//! **Ranges over the cut.** A range's top list sums the daily top entries: an entry that
//! is below the top [`SOURCES_TOP`] of a day and site counts in that day's "other" row,
//! not under its name. With at most ten lines shown, this only matters for a long tail.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sitegroup_store::{Tx, Value, params};

use crate::StatsError;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// Beijing time is UTC+8 all year.
const BEIJING_OFFSET: i64 = 8 * 3600;
/// The longest range the dashboard reads.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Longest search terms kept (characters); longer ones are cut.
pub const MAX_TERMS_CHARS: usize = 100;
/// Longest referrer host kept (a DNS name is at most 253 characters).
pub const MAX_HOST_CHARS: usize = 253;
/// Hex characters of the visitor key kept (64 bits: collisions among a county's
/// daily visitors are negligible, and a shorter key leaks less).
pub const VISITOR_KEY_HEX: usize = 16;

/// Substrings (lower case) of User-Agents that are not people: crawlers, monitors,
/// command-line clients. A request whose User-Agent contains one is not counted; an
/// empty User-Agent is not counted either.
pub const BOT_MARKERS: &[&str] = &[
    "bot",
    "spider",
    "crawl",
    "slurp",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "java/",
    "libwww",
    "httpclient",
    "scrapy",
    "headless",
    "monitor",
    "uptime",
    "facebookexternalhit",
    "preview",
    // The self-check's availability probe (portal `admin/selfcheck.rs`, `PROBE_AGENT`):
    // the platform requesting its own pages is not a visit.
    "sitegroup-selfcheck-probe",
];

/// How many referrer hosts (search terms) are kept per day and site; the rest are
/// summed into the day's "other" row.
pub const SOURCES_TOP: i64 = 100;
/// The version of a closed day's aggregates written by [`aggregate_day`]: 1 had no
/// referrer and term rows, 2 has them. Raw views are only purged for days at this
/// version; days below it are brought up to it by [`aggregate_sources`].
pub const AGGREGATES_VERSION: i64 = 2;
/// The setting holding how many days raw page views are kept.
pub const RETENTION_KEY: &str = "stats.raw_retention_days";
/// Raw page views are kept this many days by default.
pub const DEFAULT_RETENTION_DAYS: i64 = 180;
/// Shortest allowed retention (days).
pub const MIN_RETENTION_DAYS: i64 = 1;
/// Longest allowed retention (days; ten years).
pub const MAX_RETENTION_DAYS: i64 = 3650;

/// Parses a value of [`RETENTION_KEY`]: whole days from [`MIN_RETENTION_DAYS`] to
/// [`MAX_RETENTION_DAYS`].
pub fn parse_retention(value: &str) -> Result<i64, StatsError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(d))
        .ok_or_else(|| StatsError::BadSetting { key: RETENTION_KEY.into(), value: value.into() })
}

/// The first day whose raw views are kept when today is `today` and they are kept
/// `retention` days: days before it may be purged (once closed). Today and the
/// `retention - 1` days before it are kept.
pub fn retention_cutoff(today: i64, retention: i64) -> i64 {
    today - retention.max(MIN_RETENTION_DAYS) + 1
}

/// The Beijing calendar day of an instant, as days since 1970-01-01.
pub fn beijing_day(at: i64) -> i64 {
    (at + BEIJING_OFFSET).div_euclid(DAY)
}

/// The first instant (unix seconds) of a Beijing day.
pub fn day_start(day: i64) -> i64 {
    day * DAY - BEIJING_OFFSET
}

/// The day number of a calendar date.
pub fn day_of_date(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days()
}

/// The calendar date of a day number (`None` far outside chrono's range).
pub fn date_of_day(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::try_days(day)?)
}

/// A day as `YYYY-MM-DD` (the number itself if out of range).
pub fn day_label(day: i64) -> String {
    date_of_day(day).map_or_else(|| day.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// Checks a dashboard range: `from <= to` and at most [`MAX_RANGE_DAYS`] days.
pub fn check_range(from: i64, to: i64) -> Result<(), StatsError> {
    if from > to || to - from + 1 > MAX_RANGE_DAYS {
        return Err(StatsError::BadRange { from: day_label(from), to: day_label(to) });
    }
    Ok(())
}

/// Whether a User-Agent belongs to a bot ([`BOT_MARKERS`]) or is missing.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.is_empty() || BOT_MARKERS.iter().any(|m| ua.contains(m))
}

/// The visitor key (访客标识): the first [`VISITOR_KEY_HEX`] hex characters of
/// SHA-256(salt, address, User-Agent). The salt is the day's ([`salt_for_day`]).
pub fn visitor_key(salt: &str, address: &str, user_agent: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0u8]);
    h.update(address.as_bytes());
    h.update([0u8]);
    h.update(user_agent.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(VISITOR_KEY_HEX);
    for b in digest.iter().take(VISITOR_KEY_HEX / 2) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The host of a `Referer` header (`https://www.baidu.com/s?wd=…` → `www.baidu.com`),
/// lower case, without port, user or path; `None` for anything that is not an
/// absolute http(s) URL with a plausible host. Only the host is ever kept (a full
/// URL can carry personal data in its query).
pub fn referrer_host(referer: &str) -> Option<String> {
    let r = referer.trim();
    let rest = r
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("https://"))
        .map(|_| &r[8..])
        .or_else(|| r.get(..7).filter(|p| p.eq_ignore_ascii_case("http://")).map(|_| &r[7..]))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if host_port.starts_with('[') {
        host_port.split(']').next().map(|h| format!("{h}]"))?
    } else {
        host_port.split(':').next()?.to_string()
    };
    clean_host(&host)
}

/// A host as kept (already extracted by [`referrer_host`] or given by a caller): lower
/// case, at most [`MAX_HOST_CHARS`], letters, digits, `.`, `-` (and `[`, `]`, `:` for
/// IPv6 literals); `None` otherwise.
pub fn clean_host(host: &str) -> Option<String> {
    let h = host.trim().to_ascii_lowercase();
    let ok = !h.is_empty()
        && h.len() <= MAX_HOST_CHARS
        && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    ok.then_some(h)
}

/// Search terms as kept: trimmed, at most [`MAX_TERMS_CHARS`] characters, `None` when empty.
pub fn clean_terms(q: &str) -> Option<String> {
    let t: String = q.trim().chars().take(MAX_TERMS_CHARS).collect();
    let t = t.trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// One page view as the portal saw it, before it is stored. The address and the
/// User-Agent live only in memory, for the few seconds until the next flush; the
/// store keeps the visitor key made from them.
#[derive(Clone, PartialEq, Eq)]
pub struct PageView {
    /// The site that served the page.
    pub site: i64,
    /// The column path below the site (`/xwzx/gzdt`), when the page is a column.
    pub column_path: Option<String>,
    /// The document id, when the page is a document.
    pub doc: Option<i64>,
    /// When (unix seconds).
    pub at: i64,
    /// The client's address (never stored).
    pub address: String,
    /// The client's User-Agent (never stored).
    pub user_agent: String,
    /// The referring host ([`referrer_host`]).
    pub referrer_host: Option<String>,
    /// The terms of a site search page ([`clean_terms`]).
    pub search_terms: Option<String>,
}

impl std::fmt::Debug for PageView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageView")
            .field("site", &self.site)
            .field("column_path", &self.column_path)
            .field("doc", &self.doc)
            .field("at", &self.at)
            .field("referrer_host", &self.referrer_host)
            .field("search_terms", &self.search_terms)
            .finish_non_exhaustive()
    }
}

/// A page view as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredView {
    /// Site id.
    pub site: i64,
    /// Column id, if known.
    pub column: Option<i64>,
    /// Document id, if a document page.
    pub doc: Option<i64>,
    /// When (unix seconds).
    pub at: i64,
    /// The daily visitor key.
    pub visitor: String,
    /// The referring host.
    pub referrer_host: Option<String>,
    /// Site search terms.
    pub search_terms: Option<String>,
}

/// The salt of `day`: the stored one, or `fresh` (random hex from the caller) stored
/// now. Every portal node on the same database gets the same salt.
pub fn salt_for_day(tx: &mut Tx<'_>, day: i64, fresh: &str) -> Result<String, StatsError> {
    tx.execute("INSERT INTO stats_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING", params![day, fresh])?;
    Ok(tx.query_one("SELECT salt FROM stats_salts WHERE day = ?", params![day])?.get(0)?)
}

/// Forgets the salts of days before `day`: keys of those days can no longer be
/// recomputed from an address.
pub fn forget_salts_before(tx: &mut Tx<'_>, day: i64) -> Result<u64, StatsError> {
    Ok(tx.execute("DELETE FROM stats_salts WHERE day < ?", params![day])?)
}

/// The id of the column at `path` in `site` (read only, `site_columns`).
pub fn column_at(tx: &mut Tx<'_>, site: i64, path: &str) -> Result<Option<i64>, StatsError> {
    let row = tx.query_opt(
        "SELECT id FROM site_columns WHERE site_id = ? AND path = ? AND archived_at IS NULL",
        params![site, path],
    )?;
    Ok(row.map(|r| r.get(0)).transpose()?)
}

/// The column of document `doc` when it belongs to `site` (read only,
/// `content_documents`); `None` when it does not exist or is another site's.
pub fn doc_column(tx: &mut Tx<'_>, site: i64, doc: i64) -> Result<Option<i64>, StatsError> {
    let row =
        tx.query_opt("SELECT column_id FROM content_documents WHERE id = ? AND site_id = ?", params![doc, site])?;
    Ok(row.map(|r| r.get(0)).transpose()?)
}

/// Stores page views (several rows per statement).
pub fn insert_views(tx: &mut Tx<'_>, views: &[StoredView]) -> Result<u64, StatsError> {
    let mut n = 0;
    for chunk in views.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO stats_views (site_id, column_id, doc_id, at, day, visitor, referrer_host, search_terms) VALUES ",
        );
        let mut args: Vec<Value> = Vec::with_capacity(chunk.len() * 8);
        for (i, v) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?)");
            args.extend([
                Value::from(v.site),
                Value::from(v.column),
                Value::from(v.doc),
                Value::from(v.at),
                Value::from(beijing_day(v.at)),
                Value::from(v.visitor.as_str()),
                Value::from(v.referrer_host.clone()),
                Value::from(v.search_terms.clone()),
            ]);
        }
        n += tx.execute(&sql, &args)?;
    }
    Ok(n)
}

/// Rebuilds the aggregates of `day` from its page views (idempotent). Returns the
/// number of aggregate rows written.
pub fn aggregate_day(tx: &mut Tx<'_>, day: i64) -> Result<u64, StatsError> {
    tx.execute("DELETE FROM stats_daily WHERE day = ?", params![day])?;
    let mut n = tx.execute(
        "INSERT INTO stats_daily (day, site_id, column_id, doc_id, views, visitors)
         SELECT day, 0, 0, 0, COUNT(*), COUNT(DISTINCT visitor) FROM stats_views WHERE day = ? GROUP BY day",
        params![day],
    )?;
    n += tx.execute(
        "INSERT INTO stats_daily (day, site_id, column_id, doc_id, views, visitors)
         SELECT day, site_id, 0, 0, COUNT(*), COUNT(DISTINCT visitor) FROM stats_views WHERE day = ?
         GROUP BY day, site_id",
        params![day],
    )?;
    n += tx.execute(
        "INSERT INTO stats_daily (day, site_id, column_id, doc_id, views, visitors)
         SELECT day, site_id, column_id, 0, COUNT(*), COUNT(DISTINCT visitor) FROM stats_views
         WHERE day = ? AND column_id IS NOT NULL GROUP BY day, site_id, column_id",
        params![day],
    )?;
    n += tx.execute(
        "INSERT INTO stats_daily (day, site_id, column_id, doc_id, views, visitors)
         SELECT day, site_id, COALESCE(column_id, 0), doc_id, COUNT(*), COUNT(DISTINCT visitor) FROM stats_views
         WHERE day = ? AND doc_id IS NOT NULL GROUP BY day, site_id, COALESCE(column_id, 0), doc_id",
        params![day],
    )?;
    n += aggregate_sources(tx, day)?;
    Ok(n)
}

/// Where a ranked source is kept: the raw column and its daily aggregate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Referring hosts (`stats_views.referrer_host`, `stats_daily_referrers.host`).
    Referrer,
    /// Site search terms (`stats_views.search_terms`, `stats_daily_terms.terms`).
    Terms,
}

impl Source {
    /// (raw column, aggregate table, aggregate label column); constants, never input.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Source::Referrer => ("referrer_host", "stats_daily_referrers", "host"),
            Source::Terms => ("search_terms", "stats_daily_terms", "terms"),
        }
    }
}

/// Rebuilds the referrer and search-term rows of `day` from its page views
/// (idempotent): per site and for the group (site 0), the [`SOURCES_TOP`] most viewed
/// entries and an "other" row (label `''`) with the rest. Returns the rows written.
pub fn aggregate_sources(tx: &mut Tx<'_>, day: i64) -> Result<u64, StatsError> {
    let mut n = 0;
    for source in [Source::Referrer, Source::Terms] {
        let (raw, table, label) = source.names();
        tx.execute(&format!("DELETE FROM {table} WHERE day = ?"), params![day])?;
        // The rank is over (views desc, label) so the cut is deterministic.
        for (site, partition, group_by) in [("site_id", "PARTITION BY site_id ", "site_id, "), ("0", "", "")] {
            n += tx.execute(
                &format!(
                    "INSERT INTO {table} (day, site_id, {label}, views, visitors)
                     SELECT day, site_id, label, SUM(views), SUM(visitors) FROM (
                        SELECT day, {site} AS site_id,
                               CASE WHEN ROW_NUMBER() OVER ({partition}ORDER BY COUNT(*) DESC, {raw}) <= {SOURCES_TOP}
                                    THEN {raw} ELSE '' END AS label,
                               COUNT(*) AS views, COUNT(DISTINCT visitor) AS visitors
                        FROM stats_views WHERE day = ? AND {raw} IS NOT NULL
                        GROUP BY day, {group_by}{raw}) t
                     GROUP BY day, site_id, label"
                ),
                params![day],
            )?;
        }
    }
    Ok(n)
}

/// Closed days whose aggregates are older than [`AGGREGATES_VERSION`] (closed before
/// the referrer and term tables existed), oldest first.
pub fn stale_days(tx: &mut Tx<'_>) -> Result<Vec<i64>, StatsError> {
    let rows =
        tx.query("SELECT day FROM stats_days_done WHERE aggregates < ? ORDER BY day", params![AGGREGATES_VERSION])?;
    Ok(rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
}

/// Brings a stale closed day up to [`AGGREGATES_VERSION`]: rebuilds its referrer and
/// term rows from its raw views (its `stats_daily` rows are final and left alone).
/// Returns the rows written.
pub fn backfill_day(tx: &mut Tx<'_>, day: i64) -> Result<u64, StatsError> {
    let n = aggregate_sources(tx, day)?;
    tx.execute("UPDATE stats_days_done SET aggregates = ? WHERE day = ?", params![AGGREGATES_VERSION, day])?;
    Ok(n)
}

/// Closed days before `before` whose aggregates are current and that still have raw
/// page views: the days [`purge_views`] may empty. Open days and stale closed days are
/// never listed.
pub fn purgeable_days(tx: &mut Tx<'_>, before: i64) -> Result<Vec<i64>, StatsError> {
    let rows = tx.query(
        "SELECT d.day FROM stats_days_done d WHERE d.day < ? AND d.aggregates >= ?
         AND EXISTS (SELECT 1 FROM stats_views v WHERE v.day = d.day) ORDER BY d.day",
        params![before, AGGREGATES_VERSION],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
}

/// Deletes at most `limit` raw page views of `day`, only if the day is closed with
/// current aggregates (checked in the same transaction, so a purge never loses an
/// un-aggregated view). Returns the rows deleted (0 when the day is done or not closed).
pub fn purge_views(tx: &mut Tx<'_>, day: i64, limit: i64) -> Result<u64, StatsError> {
    let closed = tx
        .query_opt("SELECT 1 FROM stats_days_done WHERE day = ? AND aggregates >= ?", params![day, AGGREGATES_VERSION])?
        .is_some();
    if !closed {
        return Ok(0);
    }
    Ok(tx.execute(
        "DELETE FROM stats_views WHERE id IN (SELECT id FROM stats_views WHERE day = ? LIMIT ?)",
        params![day, limit],
    )?)
}

/// Days before `before` that have page views and are not final yet.
pub fn pending_days(tx: &mut Tx<'_>, before: i64) -> Result<Vec<i64>, StatsError> {
    let rows = tx.query(
        "SELECT DISTINCT day FROM stats_views WHERE day < ?
         AND day NOT IN (SELECT day FROM stats_days_done) ORDER BY day",
        params![before],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
}

/// Marks `day`'s aggregates final, at [`AGGREGATES_VERSION`] (a closed day is not
/// rebuilt again).
pub fn mark_done(tx: &mut Tx<'_>, day: i64, at: i64) -> Result<(), StatsError> {
    tx.execute(
        "INSERT INTO stats_days_done (day, at, aggregates) VALUES (?, ?, ?) ON CONFLICT (day) DO NOTHING",
        params![day, at, AGGREGATES_VERSION],
    )?;
    Ok(())
}

/// The closed days among `from..=to` whose aggregates are current (ascending). A
/// stale closed day (see [`stale_days`]) is not listed: until its backfill, its
/// referrers and terms are read from its raw views, which are never purged before.
pub fn closed_days(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Vec<i64>, StatsError> {
    let rows = tx.query(
        "SELECT day FROM stats_days_done WHERE day >= ? AND day <= ? AND aggregates >= ? ORDER BY day",
        params![from, to, AGGREGATES_VERSION],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
}

/// Views and distinct visitors of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayFigure {
    /// Day number ([`beijing_day`]).
    pub day: i64,
    /// Page views (浏览量).
    pub views: u64,
    /// Distinct visitors (独立访客) that day.
    pub visitors: u64,
}

fn u(r: &sitegroup_store::Row, i: usize) -> Result<u64, StatsError> {
    Ok(u64::try_from(r.get::<i64>(i)?).unwrap_or(0))
}

/// Daily figures of a site (`Some`) or the whole group (`None`) for `from..=to`, one
/// entry per day (zero when nothing was recorded).
pub fn daily(tx: &mut Tx<'_>, site: Option<i64>, from: i64, to: i64) -> Result<Vec<DayFigure>, StatsError> {
    let rows = tx.query(
        "SELECT day, views, visitors FROM stats_daily
         WHERE site_id = ? AND column_id = 0 AND doc_id = 0 AND day >= ? AND day <= ? ORDER BY day",
        params![site.unwrap_or(0), from, to],
    )?;
    let mut out: Vec<DayFigure> = (from..=to).map(|day| DayFigure { day, views: 0, visitors: 0 }).collect();
    for r in &rows {
        let day: i64 = r.get(0)?;
        if let Some(slot) = usize::try_from(day - from).ok().and_then(|i| out.get_mut(i)) {
            slot.views = u(r, 1)?;
            slot.visitors = u(r, 2)?;
        }
    }
    Ok(out)
}

/// A ranked line of the dashboard (a column, a document, a referrer, search terms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// Site id.
    pub site: i64,
    /// Column or document id (0 for referrers and terms).
    pub id: i64,
    /// What to show: column name, document title, host or terms.
    pub label: String,
    /// Page views.
    pub views: u64,
    /// Sum of daily distinct visitors.
    pub visitors: u64,
}

fn site_clause(site: Option<i64>, column: &str) -> String {
    match site {
        Some(_) => format!("{column} = ?"),
        None => format!("{column} <> 0"),
    }
}

fn ranked(rows: &[sitegroup_store::Row]) -> Result<Vec<Ranked>, StatsError> {
    rows.iter()
        .map(|r| {
            Ok(Ranked {
                site: r.get(0)?,
                id: r.get(1)?,
                label: r.get::<Option<String>>(2)?.unwrap_or_default(),
                views: u(r, 3)?,
                visitors: u(r, 4)?,
            })
        })
        .collect()
}

fn range_args(site: Option<i64>, from: i64, to: i64, limit: i64) -> Vec<Value> {
    let mut args = Vec::with_capacity(4);
    if let Some(s) = site {
        args.push(Value::from(s));
    }
    args.extend([Value::from(from), Value::from(to), Value::from(limit)]);
    args
}

/// Most viewed columns of a site (or every site) over `from..=to`.
pub fn top_columns(
    tx: &mut Tx<'_>,
    site: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<Ranked>, StatsError> {
    let sql = format!(
        "SELECT d.site_id, d.column_id, c.name, SUM(d.views), SUM(d.visitors) FROM stats_daily d
         LEFT JOIN site_columns c ON c.id = d.column_id
         WHERE {} AND d.column_id <> 0 AND d.doc_id = 0 AND d.day >= ? AND d.day <= ?
         GROUP BY d.site_id, d.column_id, c.name ORDER BY SUM(d.views) DESC, d.column_id LIMIT ?",
        site_clause(site, "d.site_id")
    );
    let rows = tx.query(&sql, &range_args(site, from, to, limit))?;
    ranked(&rows)
}

/// Most viewed documents of a site (or every site) over `from..=to`, with their
/// published titles.
pub fn top_documents(
    tx: &mut Tx<'_>,
    site: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<Ranked>, StatsError> {
    let sql = format!(
        "SELECT t.site_id, t.doc_id, r.title, t.views, t.visitors FROM (
            SELECT d.site_id, d.doc_id, SUM(d.views) AS views, SUM(d.visitors) AS visitors FROM stats_daily d
            WHERE {} AND d.doc_id <> 0 AND d.day >= ? AND d.day <= ?
            GROUP BY d.site_id, d.doc_id ORDER BY SUM(d.views) DESC, d.doc_id LIMIT ?) t
         LEFT JOIN content_documents c ON c.id = t.doc_id
         LEFT JOIN content_revisions r ON r.doc_id = c.id AND r.number = c.published_rev
         ORDER BY t.views DESC, t.doc_id",
        site_clause(site, "d.site_id")
    );
    let rows = tx.query(&sql, &range_args(site, from, to, limit))?;
    ranked(&rows)
}

/// A ranked source list of the dashboard and the views behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TopSources {
    /// The most frequent entries (at most the limit asked for).
    pub top: Vec<Ranked>,
    /// All views with a referrer (with search terms) in the range, listed or not
    /// (including the daily "other" rows).
    pub total: u64,
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Most frequent referrer hosts or search terms of a site (or the group, `None`) over
/// `from..=to`: closed days from the daily aggregate tables, open days (not in
/// `stats_days_done`: today, or a day not aggregated yet; or closed before the
/// referrer and term aggregates existed and not backfilled yet) from the raw page views.
/// `visitors` is the sum of daily distinct visitors, like every other ranked list; for
/// the group it comes from the group rows (site 0), so someone visiting two sites from
/// the same referrer on one day counts once that day.
pub fn top_sources(
    tx: &mut Tx<'_>,
    source: Source,
    site: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<TopSources, StatsError> {
    let (raw, table, label) = source.names();
    let closed = closed_days(tx, from, to)?;
    let open: Vec<i64> = (from..=to).filter(|d| closed.binary_search(d).is_err()).collect();
    let mut parts = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if !closed.is_empty() {
        parts.push(format!(
            "SELECT {label} AS label, views AS v, visitors AS vis FROM {table}
             WHERE site_id = ? AND day IN ({})",
            placeholders(closed.len())
        ));
        args.push(Value::from(site.unwrap_or(0)));
        args.extend(closed.iter().map(|d| Value::from(*d)));
    }
    if !open.is_empty() {
        let filter = if site.is_some() { "site_id = ? AND " } else { "" };
        parts.push(format!(
            "SELECT {raw} AS label, COUNT(*) AS v, COUNT(DISTINCT visitor) AS vis FROM stats_views
             WHERE {filter}day IN ({}) AND {raw} IS NOT NULL GROUP BY day, {raw}",
            placeholders(open.len())
        ));
        if let Some(s) = site {
            args.push(Value::from(s));
        }
        args.extend(open.iter().map(|d| Value::from(*d)));
    }
    if parts.is_empty() {
        return Ok(TopSources::default());
    }
    let union = parts.join(" UNION ALL ");
    let rows = tx.query(
        &format!("SELECT label, SUM(v), SUM(vis) FROM ({union}) t GROUP BY label ORDER BY SUM(v) DESC, label"),
        &args,
    )?;
    let mut out = TopSources::default();
    for r in &rows {
        let views = u(r, 1)?;
        out.total += views;
        let name: String = r.get::<Option<String>>(0)?.unwrap_or_default();
        if !name.is_empty() && i64::try_from(out.top.len()).unwrap_or(i64::MAX) < limit {
            out.top.push(Ranked { site: 0, id: 0, label: name, views, visitors: u(r, 2)? });
        }
    }
    Ok(out)
}

/// Most frequent referring hosts ([`top_sources`]).
pub fn top_referrers(
    tx: &mut Tx<'_>,
    site: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<Ranked>, StatsError> {
    Ok(top_sources(tx, Source::Referrer, site, from, to, limit)?.top)
}

/// Most frequent site search terms ([`top_sources`]).
pub fn top_terms(
    tx: &mut Tx<'_>,
    site: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<Ranked>, StatsError> {
    Ok(top_sources(tx, Source::Terms, site, from, to, limit)?.top)
}

/// A count of published items under a label (a unit, a column, a kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    /// Unit name, column name (with its site) or kind key.
    pub label: String,
    /// Items first published in the range.
    pub items: u64,
}

/// What to group the publishing volume by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeBy {
    /// The unit owning the site (站点所属单位).
    Unit,
    /// The column.
    Column,
    /// The document kind (`article`, `disclosure` …).
    Kind,
}

/// Publishing volume (发布量): documents first published in `[from_at, to_at)` (unix
/// seconds), for a site or the group, grouped by unit, column or kind. A document
/// withdrawn later still counts: it was published in the range. Read only over
/// `content_documents`, `site_columns`, `sites` and `units`.
pub fn publishing_volume(
    tx: &mut Tx<'_>,
    site: Option<i64>,
    from_at: i64,
    to_at: i64,
    by: VolumeBy,
) -> Result<Vec<Volume>, StatsError> {
    let (label, join) = match by {
        VolumeBy::Unit => {
            ("COALESCE(un.name, s.name)", "JOIN sites s ON s.id = d.site_id LEFT JOIN units un ON un.id = s.unit_id")
        }
        VolumeBy::Column => {
            ("s.name || ' / ' || c.name", "JOIN sites s ON s.id = d.site_id JOIN site_columns c ON c.id = d.column_id")
        }
        VolumeBy::Kind => ("d.kind", ""),
    };
    let filter = if site.is_some() { "AND d.site_id = ?" } else { "" };
    let sql = format!(
        "SELECT {label}, COUNT(*) FROM content_documents d {join}
         WHERE d.first_published_at >= ? AND d.first_published_at < ? {filter}
         GROUP BY {label} ORDER BY COUNT(*) DESC, {label}"
    );
    let mut args = vec![Value::from(from_at), Value::from(to_at)];
    if let Some(s) = site {
        args.push(Value::from(s));
    }
    let rows = tx.query(&sql, &args)?;
    rows.iter()
        .map(|r| Ok(Volume { label: r.get::<Option<String>>(0)?.unwrap_or_default(), items: u(r, 1)? }))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn days_follow_beijing_midnight() {
        // 2026-11-29T16:00:00Z is 2026-11-30 00:00 in Beijing.
        let midnight =
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_opt(16, 0, 0).unwrap().and_utc().timestamp();
        let day = beijing_day(midnight);
        assert_eq!(day_start(day), midnight);
        assert_eq!(beijing_day(midnight - 1), day - 1);
        assert_eq!(day_label(day), "2026-11-30");
        assert_eq!(day_of_date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()), day);
    }

    #[test]
    fn keys_depend_on_salt_and_hide_the_address() {
        let a = visitor_key("s1", "203.0.113.7", "Mozilla/5.0");
        assert_eq!(a.len(), VISITOR_KEY_HEX);
        assert_eq!(a, visitor_key("s1", "203.0.113.7", "Mozilla/5.0"));
        assert_ne!(a, visitor_key("s2", "203.0.113.7", "Mozilla/5.0"));
        assert_ne!(a, visitor_key("s1", "203.0.113.8", "Mozilla/5.0"));
        assert!(!a.contains("203"));
    }

    #[test]
    fn bots_are_recognised() {
        assert!(is_bot("Mozilla/5.0 (compatible; Baiduspider/2.0)"));
        assert!(is_bot("Googlebot/2.1"));
        assert!(is_bot("curl/8.5.0"));
        assert!(is_bot("  "));
        assert!(!is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 MicroMessenger"));
    }

    #[test]
    fn the_self_check_probe_is_not_a_visitor() {
        // The exact agent of the portal's availability probe, and variations of case,
        // padding and version suffix.
        assert!(is_bot("sitegroup-selfcheck-probe"));
        assert!(is_bot("  Sitegroup-SelfCheck-Probe/2.0 "));
        assert!(!is_bot("Mozilla/5.0 (Windows NT 10.0) sitegroup user"));
    }

    #[test]
    fn retention_is_validated() {
        assert_eq!(parse_retention("180").unwrap(), 180);
        assert_eq!(parse_retention(" 1 ").unwrap(), 1);
        assert_eq!(parse_retention("3650").unwrap(), MAX_RETENTION_DAYS);
        for bad in ["0", "-5", "3651", "", "abc", "1.5", "99999999999999999999"] {
            let e = parse_retention(bad).unwrap_err();
            assert!(e.is_user_error(), "{bad}");
        }
    }

    #[test]
    fn retention_keeps_today_and_the_days_before() {
        // Kept 180 days: today and the 179 before; the day before those may go.
        assert_eq!(retention_cutoff(1000, 180), 821);
        assert_eq!(retention_cutoff(1000, 1), 1000);
        // A nonsense retention never reaches into today.
        assert_eq!(retention_cutoff(1000, 0), 1000);
        assert_eq!(retention_cutoff(1000, -3), 1000);
    }

    #[test]
    fn referrer_hosts() {
        assert_eq!(referrer_host("https://www.Baidu.com/s?wd=无为").as_deref(), Some("www.baidu.com"));
        assert_eq!(referrer_host("http://user:pw@example.org:8080/x").as_deref(), Some("example.org"));
        assert_eq!(referrer_host("ftp://example.org/"), None);
        assert_eq!(referrer_host("/local"), None);
        assert_eq!(referrer_host("https://"), None);
    }

    #[test]
    fn terms_are_cut() {
        assert_eq!(clean_terms("  "), None);
        assert_eq!(clean_terms(&"字".repeat(300)).map(|t| t.chars().count()), Some(MAX_TERMS_CHARS));
    }

    #[test]
    fn ranges_are_checked() {
        assert!(check_range(10, 10).is_ok());
        assert!(check_range(11, 10).is_err());
        assert!(check_range(0, MAX_RANGE_DAYS).is_err());
        assert!(check_range(0, MAX_RANGE_DAYS - 1).is_ok());
    }

    #[test]
    fn page_view_debug_hides_address_and_agent() {
        let v = PageView {
            site: 1,
            column_path: None,
            doc: None,
            at: 0,
            address: "198.51.100.23".into(),
            user_agent: "SecretAgent/1.0".into(),
            referrer_host: None,
            search_terms: None,
        };
        let s = format!("{v:?}");
        assert!(!s.contains("198.51.100.23") && !s.contains("SecretAgent"));
    }

    proptest! {
        #[test]
        fn no_panic_on_any_referrer(s in "\\PC{0,80}") {
            if let Some(h) = referrer_host(&s) {
                prop_assert!(h.len() <= MAX_HOST_CHARS);
            }
            let _ = is_bot(&s);
            let _ = clean_terms(&s);
        }

        #[test]
        fn day_start_is_within_the_day(at in -4_000_000_000i64..4_000_000_000i64) {
            let d = beijing_day(at);
            prop_assert!(day_start(d) <= at && at < day_start(d + 1));
        }
    }
}
