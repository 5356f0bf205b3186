//! Visit analytics in the portal: recording page views (a middleware that costs the
//! request next to nothing) and the analytics dashboard (`/admin/tongji`).
//!
//! **Recording.** [`record_view`] looks at each request before and after it runs.
//! Only a successful (200) `GET` whose response is HTML counts, and not the back
//! office (`/admin`, `/login`, `/logout`), static files (`/static`), the health check,
//! feeds and sitemaps (`.xml`), document files and media, or a client whose
//! User-Agent is a bot ([`sitegroup::stats::stats::BOT_MARKERS`], which include the
//! self-check's availability probe, `sitegroup-selfcheck-probe`). A counted view is a
//! small record pushed into an in-memory buffer of at most [`BUFFER_MAX`] entries (when
//! full, the view is dropped and counted in [`Recorder::dropped`] rather than the buffer
//! growing); nothing touches the database on the request path. [`spawn_stats_flush`]
//! hands the buffer to the library every few seconds, which resolves the site, column
//! and document from the path, hashes the address and User-Agent with the day's salt
//! and stores the rest; every [`AGGREGATE_EVERY`]-th flush also aggregates, which also
//! backfills old days' referrer and term aggregates and purges raw page views older
//! than `stats.raw_retention_days` (shown in the dashboard's footer).
//!
//! **What it must never do.** Write the address or the User-Agent anywhere but the
//! buffer (they leave memory as the library's salted key), or block a request on the
//! database.
//!
//! **The address.** The peer address of the connection; when the peer is a loopback
//! address (a reverse proxy on the same machine) the last `X-Forwarded-For` entry is
//! used instead. Without connect info (tests) the address is `-`.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use chrono::{Days, NaiveDate};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::stats::stats::{self as rules, PageView};
use sitegroup::{Error, SiteGroup};

use crate::admin::{Fail, Frame, Reply, actor, call, notice};
use crate::{AppState, REPORT_PATH};

/// Most page views waiting in memory for the next flush.
pub const BUFFER_MAX: usize = 20_000;
/// Aggregation runs on every this many flushes.
pub const AGGREGATE_EVERY: u64 = 12;
/// Longest path, User-Agent or Referer kept in the buffer (bytes; longer ones are cut).
const FIELD_MAX: usize = 512;
/// Days shown by default (today and the 29 before).
const DEFAULT_DAYS: u64 = 30;

/// A page view waiting in memory: raw request facts, resolved at flush time.
struct Pending {
    host: String,
    path: String,
    query: Option<String>,
    address: String,
    user_agent: String,
    referer: Option<String>,
    at: i64,
}

/// The in-memory buffer of page views (one per portal process).
#[derive(Default)]
pub struct Recorder {
    buffer: Mutex<Vec<Pending>>,
    dropped: AtomicU64,
    flushes: AtomicU64,
}

impl Recorder {
    fn push(&self, p: Pending) {
        if let Ok(mut buf) = self.buffer.lock()
            && buf.len() < BUFFER_MAX
        {
            buf.push(p);
            return;
        }
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    fn take(&self) -> Vec<Pending> {
        self.buffer.lock().map(|mut b| std::mem::take(&mut *b)).unwrap_or_default()
    }

    /// Page views waiting for the next flush.
    pub fn pending(&self) -> usize {
        self.buffer.lock().map(|b| b.len()).unwrap_or(0)
    }

    /// Page views dropped because the buffer was full (since start).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

fn cut(s: &str) -> String {
    if s.len() <= FIELD_MAX {
        return s.to_string();
    }
    let mut end = FIELD_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Paths that are never page views, whatever they answer.
fn excluded(path: &str) -> bool {
    const PREFIXES: &[&str] = &["/static/", "/admin", "/login", "/logout", "/health"];
    PREFIXES.iter().any(|p| path.starts_with(p))
        || path.ends_with(".xml")
        || path.ends_with(".img")
        || path.contains("/files/")
        || path.contains("/media/")
        || path.ends_with(REPORT_PATH)
}

fn client_address(req: &Request) -> String {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    match peer {
        Some(ip) if ip.is_loopback() => req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| cut(v.trim()))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| ip.to_string()),
        Some(ip) => ip.to_string(),
        None => "-".into(),
    }
}

/// Records a page view for public HTML pages (layered over the whole app by
/// [`crate::app`]; public for the benchmark that compares a route with and without it).
pub async fn record_view(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let candidate = if req.method() == Method::GET && !excluded(req.uri().path()) {
        let ua = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        (!rules::is_bot(ua)).then(|| Pending {
            host: crate::host_of(req.headers(), req.uri()),
            path: cut(req.uri().path()),
            query: req.uri().query().map(cut),
            address: client_address(&req),
            user_agent: cut(ua),
            referer: req.headers().get(header::REFERER).and_then(|v| v.to_str().ok()).map(cut),
            at: 0,
        })
    } else {
        None
    };
    let res = next.run(req).await;
    if let Some(mut p) = candidate
        && res.status() == StatusCode::OK
        && is_html(res.headers())
    {
        p.at = st.group().now();
        st.visits().push(p);
    }
    res
}

fn is_html(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// The `q` parameter of a query string, decoded.
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| crate::admin::form_pairs(format!("v={v}").as_bytes()).pop().map(|(_, v)| v)).flatten()
    })
}

/// Turns buffered requests into page views: the site from the site tree, a document
/// from `/docs/{id}.html`, search terms from the site search, otherwise a column path.
fn resolve(group: &SiteGroup, pending: Vec<Pending>) -> Result<Vec<PageView>, Error> {
    let tree = group.site_tree()?;
    let mut out = Vec::with_capacity(pending.len());
    for p in pending {
        let Some((site, rest)) = tree.resolve(&p.host, &p.path) else { continue };
        let mut v = PageView {
            site: site.id.0,
            column_path: None,
            doc: None,
            at: p.at,
            address: p.address,
            user_agent: p.user_agent,
            referrer_host: p.referer.as_deref().and_then(rules::referrer_host),
            search_terms: None,
        };
        if let Some(id) = rest.strip_prefix("/docs/").and_then(|t| t.strip_suffix(".html")) {
            v.doc = id.parse().ok();
        } else if rest == crate::search::SEARCH_PATH {
            v.search_terms =
                p.query.as_deref().and_then(|q| query_param(q, "q")).as_deref().and_then(rules::clean_terms);
        } else if rest != "/" && !rest.is_empty() {
            v.column_path = Some(rest.trim_end_matches('/').to_ascii_lowercase());
        }
        out.push(v);
    }
    Ok(out)
}

/// Hands the buffered page views to the library and aggregates (used by the flush
/// task every few seconds, and by tests). Returns how many views were stored.
pub async fn flush_stats(state: &AppState, aggregate: bool) -> Result<u64, Error> {
    let pending = state.visits().take();
    crate::run_blocking(state, move |g| {
        let mut stored = 0;
        if !pending.is_empty() {
            let views = resolve(g, pending)?;
            stored = g.record_page_views(&views)?.stored;
        }
        if aggregate {
            g.stats_aggregate()?;
        }
        Ok(stored)
    })
    .await
}

/// Flushes the page-view buffer every `every`, aggregating on every
/// [`AGGREGATE_EVERY`]-th flush. Errors are reported on stderr (the views of a failed
/// flush are lost, never retried into an unbounded buffer).
pub fn spawn_stats_flush(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let n = state.visits().flushes.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = flush_stats(&state, n.is_multiple_of(AGGREGATE_EVERY)).await {
                eprintln!("portal: storing page views failed: {e}");
            }
        }
    })
}

// ---------------------------------------------------------------------------------
// The dashboard.

/// Routes of the analytics dashboard (merged by [`crate::app`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/admin/tongji", get(dashboard))
}

#[derive(Debug, Deserialize)]
struct DashQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Debug, Serialize)]
struct SiteOption {
    code: String,
    name: String,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct Bar {
    x: u32,
    y: u32,
    h: u32,
    label: String,
    views: u64,
    visitors: u64,
}

#[derive(Debug, Serialize)]
struct Line {
    label: String,
    views: u64,
    visitors: u64,
    width: u32,
}

/// Chart geometry (SVG user units).
const CHART_W: u32 = 720;
const CHART_H: u32 = 200;

fn scaled(v: u64, max: u64, full: u32) -> u32 {
    if max == 0 {
        return 0;
    }
    // v <= max, so the quotient fits in u32.
    u32::try_from(u128::from(v) * u128::from(full) / u128::from(max)).unwrap_or(full)
}

fn lines(items: &[rules::Ranked]) -> Vec<Line> {
    let max = items.iter().map(|r| r.views).max().unwrap_or(0);
    items
        .iter()
        .map(|r| Line {
            label: r.label.clone(),
            views: r.views,
            visitors: r.visitors,
            width: scaled(r.views, max, 100),
        })
        .collect()
}

fn volumes(items: &[rules::Volume]) -> Vec<Line> {
    let max = items.iter().map(|r| r.items).max().unwrap_or(0);
    items
        .iter()
        .map(|r| Line { label: r.label.clone(), views: r.items, visitors: 0, width: scaled(r.items, max, 100) })
        .collect()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

async fn dashboard(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DashQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let (sites, group_view) = call(&st, &me, |g, a| g.stats_sites(a)).await?;
    if sites.is_empty() && !group_view {
        sitegroup::core::authorize(&me, sitegroup::Action::ViewStats, &sitegroup::Resource::Group)
            .map_err(Error::from)?;
    }
    let code = q.site.trim();
    let site = if code.is_empty() {
        if group_view { None } else { sites.first().cloned() }
    } else {
        Some(crate::admin::site(&st, code).await?)
    };
    let today = rules::date_of_day(rules::beijing_day(st.group().now())).unwrap_or_default();
    let to = if q.to.trim().is_empty() { Some(today) } else { parse_date(&q.to) };
    let from = if q.from.trim().is_empty() {
        to.and_then(|t| t.checked_sub_days(Days::new(DEFAULT_DAYS - 1)))
    } else {
        parse_date(&q.from)
    };
    let (Some(from), Some(to)) = (from, to) else {
        let text = st.tf("stats.bad_range", &[("max", &rules::MAX_RANGE_DAYS.to_string())]);
        return Err(Fail::Page(Box::new(
            notice(&st, &headers, StatusCode::BAD_REQUEST, &st.t("stats.title"), &text, vec![], "/admin/tongji")
                .await?,
        )));
    };
    let site_id = site.as_ref().map(|s| s.id);
    let dash = match call(&st, &me, move |g, a| g.stats_dashboard(a, site_id, from, to)).await {
        Ok(d) => d,
        Err(Error::Stats(_)) => {
            let text = st.tf("stats.bad_range", &[("max", &rules::MAX_RANGE_DAYS.to_string())]);
            return Err(Fail::Page(Box::new(
                notice(&st, &headers, StatusCode::BAD_REQUEST, &st.t("stats.title"), &text, vec![], "/admin/tongji")
                    .await?,
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let max = dash.days.iter().map(|d| d.views.max(d.visitors)).max().unwrap_or(0);
    let n = u32::try_from(dash.days.len()).unwrap_or(1).max(1);
    let slot = CHART_W / n;
    let bars: Vec<Bar> = dash
        .days
        .iter()
        .zip(0u32..)
        .map(|(d, i)| {
            let h = scaled(d.views, max, CHART_H);
            Bar { x: i * slot, y: CHART_H - h, h, label: rules::day_label(d.day), views: d.views, visitors: d.visitors }
        })
        .collect();
    let points: Vec<String> = dash
        .days
        .iter()
        .zip(0u32..)
        .map(|(d, i)| format!("{},{}", i * slot + slot / 2, CHART_H - scaled(d.visitors, max, CHART_H)))
        .collect();
    let options: Vec<SiteOption> = sites
        .iter()
        .map(|s| SiteOption {
            code: s.code.clone(),
            name: s.name.clone(),
            selected: site.as_ref().is_some_and(|x| x.id == s.id),
        })
        .collect();
    let scope_name = site.as_ref().map_or_else(|| st.t("stats.group"), |s| s.name.clone());
    let replies: Vec<Line> = dash
        .replies
        .iter()
        .map(|r| Line {
            label: r.unit_name.clone(),
            views: r.received,
            visitors: r.answered,
            width: r.reply_rate.map_or(0, |x| (x.clamp(0.0, 1.0) * 100.0).round() as u32),
        })
        .collect();
    let mut kinds = volumes(&dash.published_by_kind);
    for k in &mut kinds {
        let key = format!("stats.kind.{}", k.label);
        if st.catalogue().has(&key) {
            k.label = st.t(&key);
        }
    }
    let title = st.t("stats.title");
    let frame = Frame::new(&st, &headers, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        scope_name => scope_name,
        group_view => group_view,
        sites => crate::ser(&options),
        from => from.format("%Y-%m-%d").to_string(),
        to => to.format("%Y-%m-%d").to_string(),
        views => dash.views,
        visitors => dash.visitors,
        days => dash.days.len(),
        bars => crate::ser(&bars),
        bar_w => slot.saturating_sub(2).max(1),
        points => points.join(" "),
        chart_w => CHART_W,
        chart_h => CHART_H,
        columns => crate::ser(lines(&dash.top_columns)),
        documents => crate::ser(lines(&dash.top_documents)),
        referrers => crate::ser(lines(&dash.referrers)),
        terms => crate::ser(lines(&dash.search_terms)),
        referrer_views => dash.referrer_views,
        search_views => dash.search_views,
        retention_days => dash.raw_retention_days,
        by_unit => crate::ser(volumes(&dash.published_by_unit)),
        by_column => crate::ser(volumes(&dash.published_by_column)),
        by_kind => crate::ser(&kinds),
        replies => crate::ser(&replies),
        replies_month => format!("{}-{:02}", dash.replies_month.0, dash.replies_month.1),
        pending => st.visits().pending(),
        dropped => st.visits().dropped(),
    };
    frame.render(&st, "admin/stats_dashboard.html", StatusCode::OK, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_office_and_files_are_excluded() {
        for p in ["/admin", "/admin/tongji", "/static/site.css", "/health", "/login", "/a/rss.xml", "/sitemap.xml"] {
            assert!(excluded(p), "{p}");
        }
        for p in ["/", "/a", "/a/docs/12.html", "/search", "/xwzx/gzdt"] {
            assert!(!excluded(p), "{p}");
        }
    }

    #[test]
    fn the_buffer_is_bounded() {
        let r = Recorder::default();
        for _ in 0..BUFFER_MAX + 5 {
            r.push(Pending {
                host: String::new(),
                path: String::new(),
                query: None,
                address: String::new(),
                user_agent: String::new(),
                referer: None,
                at: 0,
            });
        }
        assert_eq!((r.pending(), r.dropped()), (BUFFER_MAX, 5));
        assert_eq!(r.take().len(), BUFFER_MAX);
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn search_terms_are_decoded() {
        assert_eq!(query_param("q=%E6%97%A0%E4%B8%BA+%E6%8B%9B%E8%81%98&page=2", "q").as_deref(), Some("无为 招聘"));
        assert_eq!(query_param("page=2", "q"), None);
    }
}
