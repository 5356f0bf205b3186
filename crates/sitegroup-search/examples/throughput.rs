//! Rough indexing throughput and query latency on People's Daily articles (not the
//! benchmark of record; that is `benches/`). Run in release:
//! `cargo run --release -p sitegroup-search --example throughput -- 30000`
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use sitegroup_search::{PublicIndex, SearchDoc, SearchIndex, SearchQuery, Synonyms};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/peoples-daily-199801.txt");

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30_000);
    let threads: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(2);
    let text = std::fs::read_to_string(CORPUS).unwrap();
    if std::env::args().any(|a| a == "analysis") {
        analysis_timing(&text);
        return;
    }
    let paras: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // Documents of 1–6 consecutive paragraphs, title = first line; cycling through the text.
    let mut docs = Vec::with_capacity(n);
    let mut i = 0usize;
    while docs.len() < n {
        let k = 1 + (docs.len() * 7919) % 6;
        let title = paras[i % paras.len()].chars().take(30).collect::<String>();
        let body: Vec<&str> = (1..=k).map(|j| paras[(i + j) % paras.len()]).collect();
        let id = docs.len() as i64;
        docs.push(SearchDoc {
            key: format!("doc:{id}"),
            site: id % 60 + 1,
            column: Some(id % 400),
            kind: ["article", "photo", "file", "disclosure"][id as usize % 4].into(),
            title,
            body: body.join("\n"),
            url: format!("/docs/{id}.html"),
            published_at: 883_584_000 + id * 60,
            ..Default::default()
        });
        i += k + 1;
    }
    let chars: usize = docs.iter().map(|d| d.body.chars().count() + d.title.chars().count()).sum();
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::args().nth(4).map(std::path::PathBuf::from);
    let dir_path = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let index = if keep.as_ref().is_some_and(|p| p.join("meta.json").exists()) {
        SearchIndex::open_in_dir(&dir_path).unwrap()
    } else {
        let index = SearchIndex::create_in_dir(&dir_path).unwrap();
        let t = Instant::now();
        let heap_mb: usize = std::env::args().nth(3).and_then(|a| a.parse().ok()).unwrap_or(200);
        let mut w = index.writer(heap_mb * 1_000_000 * threads, threads).unwrap();
        if std::env::var("BULK").is_ok() {
            w.bulk();
        }
        for d in &docs {
            w.add(d).unwrap();
        }
        let added = t.elapsed().as_secs_f64();
        w.commit(Some(0)).unwrap();
        let committed = t.elapsed().as_secs_f64();
        if std::env::var("BULK").is_ok() {
            w.merge_all().unwrap();
        }
        w.finish().unwrap();
        println!("add {added:.1} s, commit at {committed:.1} s, merged at {:.1} s", t.elapsed().as_secs_f64());
        let secs = t.elapsed().as_secs_f64();
        println!(
            "indexed {n} docs ({:.1} M chars) in {secs:.1} s with {threads} threads: {:.0} docs/s",
            chars as f64 / 1e6,
            n as f64 / secs
        );
        index
    };
    let dir = &dir_path;
    let bytes: u64 = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.metadata().map_or(0, |m| m.len())).sum();
    println!("index size: {:.1} MB", bytes as f64 / 1e6);
    index.reload().unwrap();
    let public = PublicIndex::new(index);
    let syn = Synonyms::default();
    let queries =
        ["经济 发展", "改革 开放", "农民 收入", "香港 回归", "国有企业 改革", "乡镇", "江泽民 讲话", "科技 教育"];
    let mut lat = Vec::new();
    let mut totals = Vec::new();
    for _ in 0..5 {
        for q in queries {
            let t = Instant::now();
            let r = public.search(&syn, &SearchQuery::text(q)).unwrap();
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            totals.push(r.total);
        }
    }
    lat.sort_by(f64::total_cmp);
    println!("matches per query: {:?}", &totals[..queries.len()]);
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize];
    println!("query latency (with group counts, snippets): p50 {:.2} ms, p99 {:.2} ms", p(0.5), p(0.99));
}

/// Times each analysis step over the corpus (`-- analysis`).
#[allow(dead_code)]
fn analysis_timing(text: &str) {
    use sitegroup_search::analysis;
    let j = analysis::jieba();
    let paras: Vec<&str> = text.lines().take(6000).collect();
    let t = Instant::now();
    for p in &paras {
        std::hint::black_box(analysis::Analyzed::new(p));
    }
    println!("fold_mapped: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for p in &paras {
        std::hint::black_box(analysis::ngram_tokens(p));
    }
    println!("ngram tokens: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for p in &paras {
        std::hint::black_box(analysis::word_tokens(&j, p));
    }
    println!("word tokens: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for p in &paras {
        std::hint::black_box(j.cut_for_search(p, true));
    }
    println!("jieba search hmm: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for p in &paras {
        std::hint::black_box(j.cut_for_search(p, false));
    }
    println!("jieba search no hmm: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for p in &paras {
        std::hint::black_box(sitegroup_text::fold::fold(p));
    }
    println!("fold: {:.2} s", t.elapsed().as_secs_f64());
    println!("chars: {}", paras.iter().map(|p| p.chars().count()).sum::<usize>());
}
