//! Benchmarks of the stats module (issue 6); results in benches/RESULTS.md.
//!
//! - `stats_recording`: the portal's page-view middleware ([`portal::record_view`]) on a
//!   trivial HTML route, against the same route without it, in the same run (the buffer
//!   is drained outside the timed loop, so every timed request takes the recording path).
//! - `stats_aggregation`: aggregating one day inside a table of `STATS_BENCH_VIEWS` page
//!   views (default 1,000,000; spread over 100 Beijing days), generated in a temp SQLite
//!   with one bulk `INSERT … WITH RECURSIVE`; and, timed once, the catch-up of every day,
//!   the group dashboard over the 100 days (three reads), the purge of the 100 days' raw
//!   rows (retention set to 1 day) and the dashboard again (same figures, asserted).
//!   Set `STATS_BENCH_SKIP_DAY=1` to skip the criterion part (the one-day aggregation).
//!
//! Run with: `STATS_BENCH_VIEWS=10000000 cargo bench -p sitegroup-benches --bench stats`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::middleware;
use axum::response::Html;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use portal::{AppState, Options};
use sitegroup::SiteGroup;
use sitegroup::stats::stats;
use tower::ServiceExt;

/// Days the generated page views spread over.
const DAYS: i64 = 100;

fn request() -> Request<Body> {
    let mut req = Request::get("/")
        .header(header::USER_AGENT, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0")
        .header(header::REFERER, "https://www.baidu.com/s?wd=%E6%97%A0%E4%B8%BA")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([203, 0, 113, 9], 40_000))));
    req
}

fn recording(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    // An empty group: the flush finds no site and stores nothing, so draining is cheap.
    let group = SiteGroup::open(dir.path()).unwrap();
    let state = AppState::with_options(Arc::new(group), &Options::default()).unwrap();
    let page = || async { Html("<!doctype html><title>首页</title><p>无为县人民政府</p>") };
    let plain: Router = Router::new().route("/", get(page));
    let recorded: Router =
        Router::new().route("/", get(page)).layer(middleware::from_fn_with_state(state.clone(), portal::record_view));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let run = |router: &Router| {
        let router = router.clone();
        rt.block_on(async move {
            let res = router.oneshot(request()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap()
        })
    };
    let mut g = c.benchmark_group("stats_recording");
    g.bench_function("html_route_without_recording", |b| b.iter(|| black_box(run(&plain))));
    g.bench_function("html_route_with_recording", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let batch = (iters - done).min(10_000);
                let start = Instant::now();
                for _ in 0..batch {
                    black_box(run(&recorded));
                }
                total += start.elapsed();
                done += batch;
                // Drain outside the timed part so the buffer never fills (a full buffer drops).
                rt.block_on(portal::flush_stats(&state, false)).unwrap();
            }
            total
        })
    });
    g.finish();
}

fn aggregation(c: &mut Criterion) {
    let views: i64 = std::env::var("STATS_BENCH_VIEWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let group = SiteGroup::open(dir.path()).unwrap();
    let today = stats::beijing_day(group.now());
    let day0 = today - DAYS - 1;
    let started = Instant::now();
    {
        let conn = rusqlite::Connection::open(dir.path().join("sitegroup.sqlite")).unwrap();
        conn.busy_timeout(Duration::from_secs(30)).unwrap();
        // 70 sites, 20 columns each, two views in three on one of 30,000 documents, up to
        // 50,000 visitor keys a day, one view in ten from one of 300 referring hosts, one in
        // fifty a site search for one of 500 terms.
        conn.execute(
            &format!(
                "INSERT INTO stats_views (site_id, column_id, doc_id, at, day, visitor, referrer_host, search_terms)
                 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
                 SELECT 1 + i % 70, 1 + i % 1400, CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + i % 30000 END,
                        ({day0} + i % {DAYS}) * 86400 - 28800 + (i * 7) % 86400, {day0} + i % {DAYS},
                        printf('%016x', (i / {DAYS} * 2654435761) % 50000 + 1000000 * (i % {DAYS})),
                        CASE WHEN i % 10 = 0 THEN printf('r%d.example.cn', (i / 10) % 300) END,
                        CASE WHEN i % 50 = 0 THEN printf('招聘%d', (i / 50) % 500) END
                 FROM n",
                last = views - 1
            ),
            [],
        )
        .unwrap();
    }
    eprintln!("generated {views} page views over {DAYS} days in {:.1} s", started.elapsed().as_secs_f64());
    let day = day0 + DAYS / 2;
    if std::env::var("STATS_BENCH_SKIP_DAY").is_err() {
        let mut g = c.benchmark_group("stats_aggregation");
        g.sample_size(10);
        g.bench_function(format!("aggregate_one_day_of_{}_in_{views}", views / DAYS), |b| {
            b.iter(|| black_box(group.db().write(|tx| stats::aggregate_day(tx, day)).unwrap()))
        });
        // The part of the above that the referrer and term aggregates add.
        g.bench_function(format!("aggregate_sources_of_one_day_of_{}_in_{views}", views / DAYS), |b| {
            b.iter(|| black_box(group.db().write(|tx| stats::aggregate_sources(tx, day)).unwrap()))
        });
        g.finish();
    }
    let started = Instant::now();
    let report = group.stats_aggregate().unwrap();
    eprintln!(
        "catch-up: {} days, {} aggregate rows, all {views} page views in {:.1} s",
        report.closed_days.len(),
        report.rows,
        started.elapsed().as_secs_f64()
    );
    let from = stats::date_of_day(day0).unwrap();
    let to = stats::date_of_day(day0 + DAYS - 1).unwrap();
    let me = sitegroup::Actor::system("bench");
    let dashboard = |label: &str| {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let started = Instant::now();
            let dash = group.stats_dashboard(&me, None, from, to).unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            last = Some(dash);
        }
        let dash = last.unwrap();
        eprintln!(
            "group dashboard over {DAYS} days ({label}): {} views, {} visitor-days, {} referred, {} searches, \
             read in {:.0} / {:.0} / {:.0} ms",
            dash.views, dash.visitors, dash.referrer_views, dash.search_views, times[0], times[1], times[2]
        );
        assert_eq!(dash.views, u64::try_from(views).unwrap());
        assert_eq!(dash.referrer_views, u64::try_from(views / 10).unwrap());
        let mut v = serde_json::to_value(&dash).unwrap();
        v.as_object_mut().unwrap().remove("raw_retention_days");
        v
    };
    let before = dashboard("raw rows kept");
    group.set_stats_retention_days(&me, &sitegroup::Origin::cli(), "1").unwrap();
    let started = Instant::now();
    let purged = group.stats_purge().unwrap();
    eprintln!(
        "purge: {} raw page views of {} days in {} batches in {:.1} s",
        purged.rows,
        purged.days.len(),
        purged.batches,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(purged.rows, u64::try_from(views).unwrap());
    let after = dashboard("raw rows purged");
    assert_eq!(before, after, "the purge changed a figure");
}

criterion_group!(benches, recording, aggregation);
criterion_main!(benches);
