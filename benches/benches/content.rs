//! Content benchmarks (issue 3), on real Chinese news text: check throughput with a
//! 10,000-word list; sanitising; publishing with sanitising and checks (the full
//! review workflow per document, and the batch import path); column health for 70
//! sites × 30 columns over 30,000 published documents.
//!
//! Run with: `cargo bench -p sitegroup-benches --bench content`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sitegroup::text::checks::{CheckConfig, Checker};
use sitegroup::text::sanitize::{Policy, sanitize_html};
use sitegroup::{Actor, DocInput, ImportDocument, NewColumn, NewSite, Origin, PublishAt, SiteGroup, SiteId};
use sitegroup_benches::{corpus_paragraphs, corpus_word_list, rare_word_list};

/// Bodies of 2–5 KB cut from the corpus: paragraphs joined until the size is reached.
fn bodies(paragraphs: &[String], n: usize) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let target = 2_000 + (out.len() * 997) % 3_000;
        let title: String = paragraphs[i % paragraphs.len()].chars().take(24).collect();
        let mut body = String::new();
        while body.len() < target {
            body.push_str(&format!("<p>{}</p>", paragraphs[i % paragraphs.len()]));
            i += 1;
        }
        out.push((title, body));
    }
    out
}

/// A group with a 10,000-word check list, one portal and `sites` channels of `columns`
/// list columns each.
fn group_with_sites(dir: &std::path::Path, sites: usize, columns: usize) -> (SiteGroup, Vec<(SiteId, Vec<i64>)>) {
    // A 10,000-word list (2,000 prohibited, 8,000 sensitive) of words that clean news
    // text does not contain: real lists rarely fire on ordinary copy, so this measures
    // the cost of checking rather than of reporting thousands of findings (the check
    // benchmark above covers that worst case).
    let words = rare_word_list(10_000);
    std::fs::create_dir_all(dir.join("checks")).unwrap();
    std::fs::write(dir.join("checks/prohibited.txt"), words[..2_000].join("\n")).unwrap();
    std::fs::write(dir.join("checks/sensitive.txt"), words[2_000..].join("\n")).unwrap();
    let group = SiteGroup::open(dir).unwrap();
    let me = Actor::system("bench");
    let o = Origin::cli();
    let new_site = |code: &str, kind: &str, parent: Option<SiteId>, prefix: Option<String>| NewSite {
        code: code.into(),
        name: format!("站点{code}"),
        kind: kind.into(),
        parent,
        path_prefix: prefix,
        ..Default::default()
    };
    let portal = group.add_site(&me, &o, &new_site("www", "portal", None, None)).unwrap();
    let mut out = vec![];
    for s in 0..sites {
        let code = format!("s{s}");
        let site =
            group.add_site(&me, &o, &new_site(&code, "township", Some(portal.id), Some(format!("/{code}")))).unwrap();
        let cols = (0..columns)
            .map(|c| {
                let new = NewColumn { name: format!("栏目{c}"), slug: Some(format!("c{c}")), ..Default::default() };
                group.add_column(&me, &o, site.id, &new).unwrap().id
            })
            .collect();
        out.push((site.id, cols));
    }
    (group, out)
}

fn checks(c: &mut Criterion) {
    let paragraphs = corpus_paragraphs();
    // About 1 MB of text: the first paragraphs of the corpus.
    let mut text = String::new();
    for p in &paragraphs {
        if text.len() > 1_000_000 {
            break;
        }
        text.push_str(p);
        text.push('\n');
    }
    // Realistic lists: words that clean news text does not contain (a few findings).
    let rare = Checker::new(&CheckConfig {
        prohibited: rare_word_list(2_000),
        sensitive: rare_word_list(10_000).split_off(2_000),
        ..Default::default()
    });
    // Worst case: 10,000 common words cut from the same corpus, so a finding every few
    // characters (each finding allocates its excerpt and message).
    let common = Checker::new(&CheckConfig {
        prohibited: vec![],
        sensitive: corpus_word_list(&paragraphs, 10_000),
        ..Default::default()
    });
    let mut g = c.benchmark_group("check_10k_words");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("check_text_1MB_rare_words", |b| b.iter(|| black_box(rare.check_text(black_box(&text)))));
    g.bench_function("check_text_1MB_common_words", |b| b.iter(|| black_box(common.check_text(black_box(&text)))));
    g.finish();
    eprintln!(
        "findings in 1 MB: rare list {}, common list {}",
        rare.check_text(&text).len(),
        common.check_text(&text).len()
    );
}

fn sanitizing(c: &mut Criterion) {
    let paragraphs = corpus_paragraphs();
    // A 4 KB body shaped like a pasted article: paragraphs, a table and some Word noise.
    let mut html = String::from("<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->");
    for p in paragraphs.iter().skip(100) {
        if html.len() > 4_000 {
            break;
        }
        html.push_str(&format!(
            "<p class=\"MsoNormal\" style=\"text-indent:2em\"><span lang=\"EN-US\">{p}</span><o:p></o:p></p>"
        ));
    }
    html.push_str("<table><tr><td colspan=\"2\">项目</td></tr><tr><td>一</td><td onclick=\"x()\">二</td></tr></table>");
    let policy = Policy::default();
    let mut g = c.benchmark_group("sanitize");
    g.throughput(Throughput::Bytes(html.len() as u64));
    g.bench_function("word_paste_4KB", |b| b.iter(|| black_box(sanitize_html(black_box(&html), &policy))));
    g.finish();
}

fn publishing(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (group, sites) = group_with_sites(dir.path(), 1, 1);
    let (site, column) = (sites[0].0, sites[0].1[0]);
    let me = Actor::system("bench");
    let o = Origin::cli();
    let docs = bodies(&corpus_paragraphs(), 2_000);
    let mut next = 0usize;
    let mut g = c.benchmark_group("publish_2_5KB_bodies_sqlite");
    g.throughput(Throughput::Elements(1));
    g.sample_size(30);
    // create → submit (sanitise + checks) → approve → publish: four transactions.
    g.bench_function("full_review_workflow_per_document", |b| {
        b.iter(|| {
            let (title, body) = &docs[next % docs.len()];
            next += 1;
            let d = group.create_draft(&me, &o, site, column, &DocInput::article(title, body)).unwrap();
            group.submit(&me, &o, d.id).unwrap();
            group.review_approve(&me, &o, d.id, "同意").unwrap();
            black_box(group.publish(&me, &o, d.id, PublishAt::Now).unwrap());
        })
    });
    g.finish();
    let next = std::cell::Cell::new(next);
    let mut g = c.benchmark_group("publish_2_5KB_bodies_sqlite_batch");
    g.throughput(Throughput::Elements(100));
    g.sample_size(10);
    g.bench_function("import_batch_of_100", |b| {
        b.iter_batched(
            || {
                (0..100)
                    .map(|i| {
                        let (title, body) = &docs[(next.get() + i) % docs.len()];
                        ImportDocument { input: DocInput::article(title, body), published_at: 1_750_000_000 }
                    })
                    .collect::<Vec<_>>()
            },
            |batch| {
                next.set(next.get() + 100);
                let results = group.import_published_batch(&me, &o, site, column, &batch).unwrap();
                black_box(results.iter().filter(|r| r.is_ok()).count())
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn column_health(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (group, sites) = group_with_sites(dir.path(), 70, 30);
    let me = Actor::system("bench");
    let o = Origin::cli();
    // 30,000 documents spread over the 2,100 columns, dated over the last two years.
    let docs = bodies(&corpus_paragraphs(), 200);
    let now = group.now();
    let mut k = 0usize;
    for (site, cols) in &sites {
        for (ci, col) in cols.iter().enumerate() {
            // Uneven: some columns blank, most with a handful, a few with many.
            let n = match ci % 10 {
                0 => 0,
                1 => 60,
                _ => 13,
            };
            let batch: Vec<ImportDocument> = (0..n)
                .map(|i| {
                    k += 1;
                    let (title, body) = &docs[k % docs.len()];
                    let age = ((k * 7919) % (730 * 86_400)) as i64 + i as i64;
                    {
                        let short: String = body.chars().take(300).collect();
                        ImportDocument { input: DocInput::article(title, &short), published_at: now - age }
                    }
                })
                .collect();
            if !batch.is_empty() {
                group.import_published_batch(&me, &o, *site, *col, &batch).unwrap();
            }
        }
    }
    let mut g = c.benchmark_group("column_health_70_sites_x_30_columns_30k_docs");
    g.sample_size(10);
    g.bench_function("all_sites_from_the_database", |b| {
        b.iter(|| {
            for (site, _) in &sites {
                black_box(group.column_health(&me, *site).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, checks, sanitizing, publishing, column_health);
criterion_main!(benches);
