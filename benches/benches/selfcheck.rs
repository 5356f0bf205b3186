//! Benchmarks of the selfcheck module (issue 6); results in benches/RESULTS.md.
//!
//! The self-check of a 70-site group (a portal and 69 department channels, each with its
//! own unit and four news columns) holding 30,000 published documents (2–5 KB of corpus
//! text each, bytes of HTML; checked against a 10,000-word list plus serious-error
//! phrases) and 5,000 tickets over the past two years, on SQLite in a temp directory:
//! - `selfcheck_group_70_sites_30k_docs_cold`: the centre's run over every site with the
//!   checker's verdict cache emptied before each iteration (every text checked and stored);
//! - `selfcheck_group_70_sites_30k_docs_warm`: the same run with the cache filled (the
//!   normal case: only new or republished documents are checked);
//! - `selfcheck_one_site_cold` / `selfcheck_one_site_warm`: a site admin's run over one
//!   site (≈ 430 documents).
//!
//! Run with: `cargo bench -p sitegroup-benches --bench selfcheck`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sitegroup::content::DocInput;
use sitegroup::{
    Actor, ImportDocument, ImportTicket, NewColumn, NewSite, NewUnit, Origin, SiteGroup, SiteId, UnitKind,
};
use sitegroup_benches::{corpus_paragraphs, rare_word_list};

/// Channels under the portal (70 sites in all).
const CHANNELS: usize = 69;
/// Published documents across the group.
const DOCS: usize = 30_000;
/// Tickets across the group.
const TICKETS: usize = 5_000;
/// News columns per site.
const COLUMNS: usize = 4;

const DAY: i64 = 86_400;

fn build(dir: &std::path::Path) -> (SiteGroup, Vec<SiteId>) {
    let words = rare_word_list(10_000);
    std::fs::create_dir_all(dir.join("checks")).unwrap();
    std::fs::write(dir.join("checks/prohibited.txt"), words[..2_000].join("\n")).unwrap();
    std::fs::write(dir.join("checks/sensitive.txt"), words[2_000..].join("\n")).unwrap();
    std::fs::write(
        dir.join("checks/serious.txt"),
        "中华人名共和国 => 中华人民共和国\n中国共产党党员大会 => 中国共产党全国代表大会\n",
    )
    .unwrap();
    let group = SiteGroup::open(dir).unwrap();
    let me = Actor::system("bench");
    let o = Origin::cli();
    let unit = |code: &str| {
        group
            .add_unit(&me, &o, &NewUnit { code: code.into(), name: format!("单位{code}"), kind: UnitKind::Department })
            .unwrap()
    };
    let portal_unit = unit("county");
    let portal = group
        .add_site(
            &me,
            &o,
            &NewSite {
                code: "www".into(),
                name: "无为县人民政府".into(),
                kind: "portal".into(),
                unit: Some(portal_unit.id),
                hosts: vec!["www.example.gov.cn".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let mut sites = vec![portal.id];
    for s in 0..CHANNELS {
        let code = format!("u{s}");
        let u = unit(&code);
        let new = NewSite {
            code: format!("s{s}"),
            name: format!("站点{s}"),
            kind: "department".into(),
            parent: Some(portal.id),
            unit: Some(u.id),
            path_prefix: Some(format!("/s{s}")),
            ..Default::default()
        };
        sites.push(group.add_site(&me, &o, &new).unwrap().id);
    }
    let paragraphs = corpus_paragraphs();
    let now = group.now();
    let started = Instant::now();
    let per_site = DOCS / sites.len();
    let mut i = 0usize;
    let mut made = 0usize;
    for (n, site) in sites.iter().enumerate() {
        let want = if n + 1 == sites.len() { DOCS - made } else { per_site };
        let cols: Vec<i64> = (0..COLUMNS)
            .map(|c| {
                let new = NewColumn { name: format!("栏目{c}"), slug: Some(format!("c{c}")), ..Default::default() };
                group.add_column(&me, &o, *site, &new).unwrap().id
            })
            .collect();
        for (k, col) in cols.iter().enumerate() {
            let count = want / COLUMNS + usize::from(k < want % COLUMNS);
            let mut batch = Vec::with_capacity(count);
            for d in 0..count {
                let target = 2_000 + ((made + d) * 997) % 3_000;
                let title: String = paragraphs[i % paragraphs.len()].chars().take(24).collect();
                let mut body = String::new();
                while body.len() < target {
                    body.push_str(&format!("<p>{}</p>", paragraphs[i % paragraphs.len()]));
                    i += 1;
                }
                // Spread over the past two years, the newest a day old.
                let age = 1 + ((made + d) as i64 * 730 / DOCS as i64);
                batch.push(ImportDocument { input: DocInput::article(&title, &body), published_at: now - age * DAY });
            }
            let results = group.import_published_batch(&me, &o, *site, *col, &batch).unwrap();
            made += results.iter().filter(|r| r.is_ok()).count();
        }
    }
    eprintln!("imported {made} documents in {:.1} s", started.elapsed().as_secs_f64());
    let mut tickets = Vec::with_capacity(TICKETS);
    for t in 0..TICKETS {
        let received = now - 730 * DAY + (t as i64 * 729 * DAY) / TICKETS as i64;
        let replied = match t % 20 {
            0 => None,
            1 => Some(received + 100 * DAY),
            _ => Some(received + (1 + (t % 5) as i64) * DAY),
        };
        tickets.push(ImportTicket {
            channel: if t % 3 == 0 { "unit_mailbox".into() } else { "complaint".into() },
            unit: format!("u{}", t % CHANNELS),
            subject: paragraphs[t % paragraphs.len()].chars().take(20).collect(),
            body: paragraphs[t % paragraphs.len()].chars().take(200).collect(),
            received_at: received,
            replied_at: replied.filter(|r| *r < now),
            reply: replied.filter(|r| *r < now).map(|_| "已办理。".to_string()),
            writer: Some("王先生".into()),
            ..Default::default()
        });
    }
    let results = group.import_tickets_batch(&me, &o, &tickets).unwrap();
    eprintln!("imported {} tickets", results.iter().filter(|r| r.is_ok()).count());
    (group, sites)
}

fn selfcheck(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (group, sites) = build(dir.path());
    let me = Actor::system("bench");
    let started = Instant::now();
    let report = group.self_check(&me, None).unwrap();
    eprintln!(
        "first run: {} sites, {} findings in {:.2} s",
        report.sites.len(),
        report.findings().count(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(report.sites.len(), CHANNELS + 1);
    let started = Instant::now();
    let warm = group.self_check(&me, None).unwrap();
    eprintln!("second (warm) run: {:.2} s", started.elapsed().as_secs_f64());
    assert_eq!(warm.sites, report.sites, "a warm run finds what the cold run found");
    // Empties the derived verdict cache (what a changed word list amounts to).
    let clear = || {
        group.db().write(|tx| tx.execute("DELETE FROM selfcheck_doc_checks", &[])).unwrap();
    };
    let mut g = c.benchmark_group("selfcheck_sqlite");
    g.sample_size(10);
    g.bench_function("selfcheck_group_70_sites_30k_docs_cold", |b| {
        b.iter_batched(clear, |()| black_box(group.self_check(&me, None).unwrap()), BatchSize::PerIteration)
    });
    g.bench_function("selfcheck_group_70_sites_30k_docs_warm", |b| {
        b.iter(|| black_box(group.self_check(&me, None).unwrap()))
    });
    let one = sites[1];
    g.bench_function("selfcheck_one_site_cold", |b| {
        b.iter_batched(clear, |()| black_box(group.self_check(&me, Some(one)).unwrap()), BatchSize::PerIteration)
    });
    g.bench_function("selfcheck_one_site_warm", |b| b.iter(|| black_box(group.self_check(&me, Some(one)).unwrap())));
    g.finish();
}

criterion_group!(benches, selfcheck);
criterion_main!(benches);
