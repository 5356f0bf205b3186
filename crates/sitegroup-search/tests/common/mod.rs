//! Test documents: real news text (People's Daily, January 1998) cut into articles,
//! hand-written county documents (Simplified and Traditional, disclosure items with
//! document numbers) and the Traditional, glossed seed text.
#![allow(dead_code, clippy::unwrap_used)]

use sitegroup_search::{PublicIndex, SearchDoc, SearchIndex};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/peoples-daily-199801.txt");
pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed/wuwei-county-site-group.zh.txt");

const KINDS: [&str; 4] = ["article", "photo", "file", "article"];

fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    (4..=30).contains(&n) && !line.ends_with(['。', '！', '？', '”', '）', '：'])
}

/// Up to `n` news articles: a headline line starts an article; sites 1–5.
pub fn news_docs(n: usize) -> Vec<SearchDoc> {
    let text = std::fs::read_to_string(CORPUS).unwrap();
    let mut docs: Vec<SearchDoc> = Vec::new();
    let mut title = String::new();
    let mut body: Vec<&str> = Vec::new();
    let flush = |title: &str, body: &mut Vec<&str>, docs: &mut Vec<SearchDoc>| {
        if !title.is_empty() && body.len() >= 2 {
            let i = docs.len() as i64;
            docs.push(SearchDoc {
                key: format!("news:{i}"),
                site: i % 5 + 1,
                column: Some(100 + i % 7),
                kind: KINDS[(i % 4) as usize].into(),
                title: title.to_string(),
                body: body.join("\n"),
                url: format!("/news/{i}.html"),
                published_at: 883_584_000 + i * 3_600,
                ..Default::default()
            });
        }
        body.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if is_headline(line) && body.len() >= 2 {
            flush(&title, &mut body, &mut docs);
            title = line.to_string();
            if docs.len() >= n {
                break;
            }
        } else if title.is_empty() {
            title = line.to_string();
        } else {
            body.push(line);
        }
    }
    docs.truncate(n);
    docs
}

/// The hand-written county documents, shared with the relevance test and the benchmarks.
#[allow(unused_imports)] // not every test binary that includes this module uses it
pub use sitegroup_search::testing::county_docs;

/// The seed (Traditional with pinyin glosses inside words), as three documents.
pub fn seed_docs() -> Vec<SearchDoc> {
    let text = std::fs::read_to_string(SEED).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let third = lines.len().div_ceil(3);
    lines
        .chunks(third.max(1))
        .enumerate()
        .map(|(i, chunk)| SearchDoc {
            key: format!("seed:{i}"),
            site: 1,
            column: Some(2),
            kind: "article".into(),
            title: if i == 0 {
                "無為縣政府網站情況介紹".into()
            } else {
                format!("無為縣政府網站建設經驗（{}）", i + 1)
            },
            body: chunk.join("\n"),
            url: format!("/seed/{i}.html"),
            published_at: 1_288_000_000,
            ..Default::default()
        })
        .collect()
}

/// An in-memory public index holding `docs`.
pub fn build(docs: &[SearchDoc]) -> PublicIndex {
    let index = SearchIndex::create_in_ram().unwrap();
    let mut w = index.writer(60_000_000, 2).unwrap();
    for d in docs {
        w.add(d).unwrap();
    }
    w.commit(Some(0)).unwrap();
    w.finish().unwrap();
    index.reload().unwrap();
    PublicIndex::new(index)
}

/// Folded title + body of a document (what the recall guarantee is about).
pub fn folded_text(d: &SearchDoc) -> (String, String) {
    let f = |s: &str| sitegroup_search::analysis::Analyzed::new(s).folded.text;
    (f(&d.title), f(&d.body))
}

/// A small deterministic generator (no extra dependency).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}
