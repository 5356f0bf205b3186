//! Foundation benchmarks: site resolution among 10,000 sites (against a linear-scan
//! baseline), one `authorize` call, `add_working_days` over five years of dates, and
//! outbox append + commit on SQLite and (with `SITEGROUP_TEST_PG`) PostgreSQL.
//!
//! Run with: `cargo bench -p sitegroup-benches --bench foundation`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone};
use criterion::{Criterion, criterion_group, criterion_main};
use sitegroup_benches::{resolve_by_scan, synthetic_sites};
use sitegroup_core::{
    Action, Actor, Grant, Resource, Role, Scope, SiteId, SiteResolver, UserId, WorkCalendar, authorize,
};
use sitegroup_store::{Db, NewEvent};

fn resolve(c: &mut Criterion) {
    let sites = synthetic_sites(10_000);
    let resolver = SiteResolver::build(&sites);
    // A mix: a channel, a topic two segments deep, a website host, an unknown path.
    let requests = [
        ("www.example.gov.cn", "/c5003/news/2025/1.html"),
        ("www.example.gov.cn", "/c9991/zt10000/index.html"),
        ("w4200.example.gov.cn", "/c4201/"),
        ("127.0.0.1:8080", "/nosuch/page"),
    ];
    for (host, path) in requests {
        assert!(resolver.resolve(host, path).is_some());
    }
    let mut g = c.benchmark_group("resolve_10k_sites");
    g.bench_function("hash_maps", |b| {
        b.iter(|| {
            for (host, path) in requests {
                black_box(resolver.resolve(black_box(host), black_box(path)));
            }
        })
    });
    g.bench_function("linear_scan_baseline", |b| {
        b.iter(|| {
            for (host, path) in requests {
                black_box(resolve_by_scan(&sites, black_box(host), black_box(path)));
            }
        })
    });
    g.finish();
}

fn authorize_one(c: &mut Criterion) {
    let grants = (1..=5).map(|i| Grant { role: Role::Editor, scope: Scope::Site(SiteId(i)) }).collect();
    let actor = Actor::user(UserId(1), "li", grants);
    c.bench_function("authorize_one_call", |b| {
        b.iter(|| black_box(authorize(black_box(&actor), Action::EditDraft, black_box(&Resource::Site(SiteId(5))))))
    });
}

fn working_days(c: &mut Criterion) {
    let cal = WorkCalendar::builtin();
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    let receipts: Vec<_> = start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|d| shanghai.from_local_datetime(&d.and_hms_opt(10, 0, 0).unwrap()).unwrap())
        .collect();
    let mut g = c.benchmark_group("add_working_days_5_years");
    g.throughput(criterion::Throughput::Elements(receipts.len() as u64));
    for n in [5u32, 20] {
        g.bench_function(format!("n={n}"), |b| {
            b.iter(|| {
                for r in &receipts {
                    black_box(cal.add_working_days(r, n).unwrap());
                }
            })
        });
    }
    g.finish();
}

fn append(c: &mut Criterion, label: &str, db: &Db) {
    db.migrate(&[]).unwrap();
    let event = NewEvent {
        site: Some(7),
        kind: "content.publish".into(),
        entity: "doc:123".into(),
        payload: serde_json_value(),
        at: 1_750_000_000,
    };
    c.bench_function(&format!("outbox_append_commit/{label}"), |b| {
        b.iter(|| db.write(|tx| tx.outbox_append(black_box(&event))).unwrap())
    });
}

fn serde_json_value() -> serde_json::Value {
    serde_json::json!({ "title": "无为县召开政府网站工作会议", "column": 12 })
}

fn outbox(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("bench.sqlite")).unwrap();
    append(c, "sqlite", &db);
    if let Ok(url) = std::env::var("SITEGROUP_TEST_PG") {
        let schema = format!("bench_{}", std::process::id());
        let db = Db::connect_postgres_in_schema(&url, &schema).unwrap();
        append(c, "postgres", &db);
        let _ = db.write(|tx| tx.execute(&format!("DROP SCHEMA {schema} CASCADE"), &[]));
    } else {
        eprintln!("SITEGROUP_TEST_PG not set: skipping the PostgreSQL outbox benchmark");
    }
}

criterion_group!(benches, resolve, authorize_one, working_days, outbox);
criterion_main!(benches);
