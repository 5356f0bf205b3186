//! The availability probe of the self-check (可用性探测): requests each open site's home
//! page and a few top-level columns through the portal's own router, in-process, and
//! records status and time with the library (`record_check_probes`; the self-check judges
//! the last 7 days of them).
//!
//! **What it owns.** The probe run, shared by the back office's on-demand button
//! (`POST /admin/zicha/probe`) and the periodic task ([`spawn_selfcheck_probe`], option
//! `--probe-every`), and the guard that keeps runs from overlapping.
//!
//! **What it must never do.** Speak to another host (it calls the router, not the
//! network), run unbounded (pages per site, lanes and a per-request timeout are capped by
//! [`ProbeLimits`]), or run twice at once for one data directory in one process (a second
//! start while one runs is refused and reports `None`). Requests carry the user agent
//! [`PROBE_AGENT`] so visit statistics can leave them out.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{self, Body};
use axum::http::{Request, header};
use sitegroup::{Actor, CheckProbe, Error, Origin, SiteGroup, SiteId, SiteStatus};
use tower::ServiceExt;

use crate::{AppState, run_blocking};

/// User agent of the availability probe's requests.
pub const PROBE_AGENT: &str = "sitegroup-selfcheck-probe";
/// Largest probed body read (the time includes reading it).
const PROBE_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Delay before the periodic task's first run (lets the server settle after a start).
const FIRST_PROBE_AFTER: Duration = Duration::from_secs(60);

/// Bounds of one probe run.
#[derive(Debug, Clone)]
pub struct ProbeLimits {
    /// Pages per site: the home page, then visible top-level columns (at least 1).
    pub pages_per_site: usize,
    /// Requests in flight at once (clamped to 1–2: the probe must not load the server).
    pub concurrency: usize,
    /// A request (with its body) that takes longer is cut off and recorded as failed.
    /// Longer than the indicator's 15 s, so a slow page is recorded as slow.
    pub timeout: Duration,
}

impl Default for ProbeLimits {
    fn default() -> Self {
        ProbeLimits { pages_per_site: 3, concurrency: 2, timeout: Duration::from_secs(20) }
    }
}

/// Data directories with a probe running in this process.
fn running() -> &'static Mutex<HashSet<PathBuf>> {
    static RUNNING: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    RUNNING.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Held while a probe runs; releases the data directory when dropped (also on a panic).
struct Running(PathBuf);

impl Running {
    fn start(dir: PathBuf) -> Option<Running> {
        let mut set = running().lock().ok()?;
        set.insert(dir.clone()).then_some(Running(dir))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut set) = running().lock() {
            set.remove(&self.0);
        }
    }
}

/// A page to probe: `(site, host, path)`.
type Target = (SiteId, String, String);

/// The pages to probe: every open site's home and up to `pages - 1` visible top-level
/// columns; the host is the site's own or its nearest ancestor's.
fn probe_targets(g: &SiteGroup, a: &Actor, pages: usize) -> Result<Vec<Target>, Error> {
    let tree = g.site_tree()?;
    let mut out = Vec::new();
    for s in tree.sites().iter().filter(|s| !s.is_template && matches!(s.status, SiteStatus::Open)) {
        let mut host = None;
        let mut cur = Some(s);
        while let Some(x) = cur {
            if let Some(h) = x.hosts.first() {
                host = Some(h.clone());
                break;
            }
            cur = x.parent.and_then(|p| tree.get(p));
        }
        let host = host.unwrap_or_else(|| "localhost".to_string());
        let prefix = tree.path_of(s.id).trim_end_matches('/').to_string();
        out.push((s.id, host.clone(), format!("{prefix}/")));
        let columns = g.columns(a, s.id)?;
        for c in columns
            .iter()
            .filter(|c| c.parent.is_none() && !c.hidden && c.archived_at.is_none() && c.link_url.is_none())
            .take(pages.saturating_sub(1))
        {
            out.push((s.id, host.clone(), format!("{prefix}{}", c.path)));
        }
    }
    Ok(out)
}

/// Requests one page through the router and measures it.
async fn probe_one(router: axum::Router, site: SiteId, host: String, path: String, timeout: Duration) -> CheckProbe {
    let Ok(req) = Request::builder()
        .uri(path.as_str())
        .header(header::HOST, host.as_str())
        .header(header::USER_AGENT, PROBE_AGENT)
        .body(Body::empty())
    else {
        return CheckProbe { site, path, status: 0, millis: 0 };
    };
    let start = Instant::now();
    let fetch = async {
        let res = router.oneshot(req).await.ok()?;
        let status = res.status().as_u16();
        body::to_bytes(res.into_body(), PROBE_BODY_LIMIT).await.ok()?;
        Some(status)
    };
    let status = tokio::time::timeout(timeout, fetch).await.ok().flatten().unwrap_or(0);
    let millis = i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX);
    CheckProbe { site, path, status, millis }
}

/// Runs one probe as `actor` (who must hold `RunSelfCheck` on the group: the library
/// refuses anyone else when recording) and records it. `Ok(None)` when a probe of this
/// data directory is already running in this process; otherwise the number of pages
/// probed.
pub async fn selfcheck_probe_once(
    state: &AppState,
    actor: &Actor,
    limits: &ProbeLimits,
) -> Result<Option<usize>, Error> {
    sitegroup::authorize(actor, sitegroup::Action::RunSelfCheck, &sitegroup::Resource::Group)?;
    let Some(_running) = Running::start(state.group().dir().to_path_buf()) else { return Ok(None) };
    let pages = limits.pages_per_site.max(1);
    let who = actor.clone();
    let targets = run_blocking(state, move |g| probe_targets(g, &who, pages)).await?;
    let router = crate::app(state.clone());
    let lanes = limits.concurrency.clamp(1, 2);
    // Round-robin over the lanes; each lane requests its pages one after another.
    let mut per_lane: Vec<Vec<(usize, Target)>> = vec![Vec::new(); lanes];
    for (k, t) in targets.into_iter().enumerate() {
        per_lane[k % lanes].push((k, t));
    }
    let mut handles = Vec::with_capacity(lanes);
    for lane in per_lane {
        let router = router.clone();
        let timeout = limits.timeout;
        handles.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(lane.len());
            for (k, (site, host, path)) in lane {
                out.push((k, probe_one(router.clone(), site, host, path, timeout).await));
            }
            out
        }));
    }
    let mut probes: Vec<(usize, CheckProbe)> = Vec::new();
    for h in handles {
        probes.extend(h.await.map_err(|e| Error::Internal(format!("probe lane did not finish: {e}")))?);
    }
    probes.sort_by_key(|(k, _)| *k);
    let probes: Vec<CheckProbe> = probes.into_iter().map(|(_, p)| p).collect();
    let who = actor.clone();
    let origin = Origin::other("selfcheck-probe");
    let n = run_blocking(state, move |g| g.record_check_probes(&who, &origin, &probes)).await?;
    Ok(Some(n))
}

/// Runs [`selfcheck_probe_once`] every `every` as the system actor (the first run a
/// minute after the start), then refreshes the group's self-check so its cached verdicts
/// and last report stay current. `None` when `every` is zero (disabled). Runs never
/// overlap: the next waits for the previous to finish. Errors go to stderr and are
/// retried on the next run.
pub fn spawn_selfcheck_probe(
    state: AppState,
    every: Duration,
    limits: ProbeLimits,
) -> Option<tokio::task::JoinHandle<()>> {
    if every.is_zero() {
        return None;
    }
    Some(tokio::spawn(async move {
        let first = tokio::time::Instant::now() + FIRST_PROBE_AFTER.min(every);
        let mut tick = tokio::time::interval_at(first, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let me = Actor::system("selfcheck-probe");
        loop {
            tick.tick().await;
            match selfcheck_probe_once(&state, &me, &limits).await {
                Ok(_) => {}
                Err(e) => eprintln!("portal: the availability probe failed: {e}"),
            }
            let who = me.clone();
            if let Err(e) = run_blocking(&state, move |g| g.self_check(&who, None).map(|_| ())).await {
                eprintln!("portal: the periodic self-check failed: {e}");
            }
        }
    }))
}
