//! Test documents: real news text (People's Daily, January 1998) cut into articles,
//! hand-written county documents (Simplified and Traditional, disclosure items with
//! document numbers) and the Traditional, glossed seed text.
#![allow(dead_code, clippy::unwrap_used)]

use sitegroup_search::{PublicIndex, SearchDoc, SearchIndex};

pub use sitegroup_search::testing::SEED;

/// Up to `n` news articles cut from the corpus (shared with the relevance set).
pub fn news_docs(n: usize) -> Vec<SearchDoc> {
    sitegroup_search::testing::news_docs(n).unwrap()
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
