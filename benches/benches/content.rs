//! Content benchmarks (issue 3): check throughput with a 10,000-word list and
//! sanitising throughput, on real Chinese news text.
//!
//! Run with: `cargo bench -p sitegroup-benches --bench content`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sitegroup::text::checks::{CheckConfig, Checker};
use sitegroup::text::sanitize::{Policy, sanitize_html};
use sitegroup_benches::{corpus_paragraphs, corpus_word_list};

fn checks(c: &mut Criterion) {
    let paragraphs = corpus_paragraphs();
    let words = corpus_word_list(&paragraphs, 10_000);
    let (prohibited, sensitive) = words.split_at(2_000);
    let config = CheckConfig { prohibited: prohibited.to_vec(), sensitive: sensitive.to_vec(), ..Default::default() };
    let checker = Checker::new(&config);
    // About 1 MB of text: the first paragraphs of the corpus.
    let mut text = String::new();
    for p in &paragraphs {
        if text.len() > 1_000_000 {
            break;
        }
        text.push_str(p);
        text.push('\n');
    }
    let mut g = c.benchmark_group("check_10k_words");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("check_text_1MB", |b| b.iter(|| black_box(checker.check_text(black_box(&text)))));
    g.finish();
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

criterion_group!(benches, checks, sanitizing);
criterion_main!(benches);
