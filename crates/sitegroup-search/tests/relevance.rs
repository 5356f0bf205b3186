//! The relevance set: ≥ 100 query → expected-document pairs on real news text (People's
//! Daily 1998), hand-written county documents (Simplified and Traditional, disclosure
//! items with document numbers) and the Traditional, glossed seed; two-character
//! queries, phrases, synonyms, pinyin (suggestions and "did you mean") and typos.
//!
//! Prints precision and recall per category and overall, and FAILS below the floors.
//! Relevant sets: for plain substring queries, every document whose folded title or
//! body contains the folded query (computed by brute force); otherwise labelled by hand.
//! Recall is recall@10 against min(|relevant|, 10); precision is the share of returned
//! results (top 10) that are relevant.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::build;
use sitegroup_search::testing::{Expect, precision_recall, relevance_set};
use sitegroup_search::{SearchQuery, Synonyms};

/// Floors, set just under what was measured (see the printed numbers).
const FLOOR_PRECISION: f64 = 0.99;
const FLOOR_RECALL: f64 = 0.99;

#[derive(Default)]
struct Score {
    queries: usize,
    precision: f64,
    recall: f64,
    failures: Vec<String>,
}

#[test]
fn relevance_set_meets_the_floor() {
    let set = relevance_set().unwrap();
    let docs = &set.docs;
    let index = build(docs);
    let synonyms = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);
    let cases = &set.cases;
    assert!(cases.len() >= 100, "only {} cases", cases.len());

    let mut by_cat: BTreeMap<&str, Score> = BTreeMap::new();
    for c in cases {
        let s = by_cat.entry(c.category).or_default();
        s.queries += 1;
        let (p, r) = match &c.expect {
            Expect::Contains | Expect::Keys(_) | Expect::ContainsAny(_) => {
                let relevant = set.relevant(c, &synonyms).unwrap();
                let res = index.search(&synonyms, &SearchQuery::text(&c.query)).unwrap();
                let got: Vec<String> = res.hits.iter().map(|h| h.key.clone()).collect();
                let (p, r) = precision_recall(&got, &relevant);
                if p < 1.0 || r < 1.0 {
                    s.failures.push(format!("{:?}: p={p:.2} r={r:.2} got={got:?} want={relevant:?}", c.query));
                }
                (p, r)
            }
            Expect::Suggests(want) => {
                let sug = index.suggest(&[], &c.query, None, 10).unwrap();
                let ok = sug.iter().any(|s| s.text.contains(want));
                if !ok {
                    s.failures.push(format!(
                        "{:?}: suggestions {:?}",
                        c.query,
                        sug.iter().map(|s| &s.text).collect::<Vec<_>>()
                    ));
                }
                let v = if ok { 1.0 } else { 0.0 };
                (v, v)
            }
            Expect::DidYouMean(want) => {
                let res = index.search(&synonyms, &SearchQuery::text(&c.query)).unwrap();
                let ok = res.total == 0 && res.did_you_mean.as_deref().is_some_and(|d| d.contains(want));
                if !ok {
                    s.failures.push(format!("{:?}: total={} did_you_mean={:?}", c.query, res.total, res.did_you_mean));
                }
                let v = if ok { 1.0 } else { 0.0 };
                (v, v)
            }
        };
        s.precision += p;
        s.recall += r;
    }

    let (mut n, mut p, mut r) = (0usize, 0.0, 0.0);
    println!("relevance set: {} documents, {} queries", docs.len(), cases.len());
    println!("{:<14} {:>7} {:>9} {:>7}", "category", "queries", "precision", "recall");
    for (cat, s) in &by_cat {
        println!(
            "{:<14} {:>7} {:>9.3} {:>7.3}",
            cat,
            s.queries,
            s.precision / s.queries as f64,
            s.recall / s.queries as f64
        );
        for f in &s.failures {
            println!("    {f}");
        }
        n += s.queries;
        p += s.precision;
        r += s.recall;
    }
    let (p, r) = (p / n as f64, r / n as f64);
    println!("{:<14} {:>7} {:>9.3} {:>7.3}", "ALL", n, p, r);
    let two = &by_cat["two_char"];
    assert_eq!(two.recall / two.queries as f64, 1.0, "two-character queries must all be found");
    assert!(p >= FLOOR_PRECISION, "precision {p:.3} below the floor {FLOOR_PRECISION}");
    assert!(r >= FLOOR_RECALL, "recall {r:.3} below the floor {FLOOR_RECALL}");
}
