//! Interaction benchmarks (issue 5): ticket submissions per second, and over 500,000
//! tickets the monthly notice (target ≤ 1 s) and the overdue scans (the three-month
//! unanswered veto and the daily urging pass).
//!
//! Run with: `cargo bench -p sitegroup-benches --bench interaction`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sitegroup::interaction::model::{NewTicket, Writer};
use sitegroup::{Actor, ImportTicket, NewUnit, Origin, SiteGroup, UnitKind};
use sitegroup_benches::corpus_paragraphs;

/// Tickets in the large group.
const TICKETS: usize = 500_000;
/// Units answering them (the seed's 45 departments and 23 townships).
const UNITS: usize = 68;

fn group_with_units(dir: &std::path::Path) -> SiteGroup {
    let group = SiteGroup::open(dir).unwrap();
    let me = Actor::system("bench");
    for u in 0..UNITS {
        let new = NewUnit { code: format!("u{u}"), name: format!("单位{u}"), kind: UnitKind::Department };
        group.add_unit(&me, &Origin::cli(), &new).unwrap();
    }
    group
}

fn submissions(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let group = group_with_units(dir.path());
    let paragraphs = corpus_paragraphs();
    let mut n = 0usize;
    let mut g = c.benchmark_group("ticket_submission_sqlite");
    g.throughput(Throughput::Elements(1));
    g.bench_function("submit_one_letter", |b| {
        b.iter(|| {
            n += 1;
            let body = &paragraphs[n % paragraphs.len()];
            let t = NewTicket {
                channel: "complaint".into(),
                category: "投诉".into(),
                unit: Some(format!("u{}", n % UNITS)),
                writer: Writer { name: Some("张先生".into()), phone: Some("13912345678".into()), email: None },
                subject: body.chars().take(20).collect(),
                body: body.clone(),
                idempotency_key: Some(format!("k{n}")),
                ..Default::default()
            };
            black_box(group.submit_ticket(&Origin::web(Some("10.0.0.1".into())), &t).unwrap());
        })
    });
    g.finish();
}

fn large_group(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let group = group_with_units(dir.path());
    let me = Actor::system("bench");
    let paragraphs = corpus_paragraphs();
    // 500,000 tickets received over June 2025 (the worst case for one month's notice):
    // most answered within a few days, some late, some never.
    let june = chrono::DateTime::parse_from_rfc3339("2025-06-01T08:00:00+08:00").unwrap().timestamp();
    let started = std::time::Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    for i in 0..TICKETS {
        let received = june + (i as i64 * 29 * 86_400) / TICKETS as i64;
        let replied = match i % 10 {
            0 => None,
            1 => Some(received + 12 * 86_400),
            _ => Some(received + (1 + (i % 4) as i64) * 86_400),
        };
        batch.push(ImportTicket {
            channel: if i % 3 == 0 { "unit_mailbox".into() } else { "complaint".into() },
            unit: format!("u{}", i % UNITS),
            subject: paragraphs[i % paragraphs.len()].chars().take(20).collect(),
            body: paragraphs[i % paragraphs.len()].chars().take(200).collect(),
            received_at: received,
            replied_at: replied,
            reply: replied.map(|_| "已办理。".to_string()),
            public: false,
            writer: None,
            category: None,
            ..Default::default()
        });
        if batch.len() == batch.capacity() {
            let results = group.import_tickets_batch(&me, &Origin::cli(), &batch).unwrap();
            assert!(results.iter().all(Result::is_ok));
            batch.clear();
        }
    }
    eprintln!("imported {TICKETS} tickets in {:.1} s", started.elapsed().as_secs_f64());
    let as_of = chrono::DateTime::parse_from_rfc3339("2025-07-15T00:00:00+08:00").unwrap().timestamp();
    let rows = group.monthly_report(&me, 2025, 6, as_of).unwrap();
    assert_eq!(rows.iter().map(|r| r.received).sum::<u64>(), TICKETS as u64);
    let mut g = c.benchmark_group("interaction_500k_tickets_sqlite");
    g.sample_size(10);
    g.bench_function("monthly_notice_june_500k", |b| {
        b.iter(|| black_box(group.monthly_report(&me, 2025, 6, as_of).unwrap()))
    });
    let october = chrono::DateTime::parse_from_rfc3339("2025-10-15T00:00:00+08:00").unwrap().timestamp();
    g.bench_function("three_month_unanswered_scan", |b| {
        b.iter(|| black_box(group.three_month_unanswered(&me, october).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, submissions, large_group);
criterion_main!(benches);
