//! Load script of issue 4: indexing throughput, per-query latency (p50/p99) and
//! throughput of `sitegroup-search`, against SQLite FTS5 with the trigram tokenizer on
//! the same documents and queries, plus recall on the relevance set for both engines.
//! Prints Markdown tables for `benches/RESULTS.md`. Run in release:
//!
//! - `cargo run --release -p sitegroup-benches --bin search_scale -- county [N]`
//!   (county corpus, default 30,000 documents: both engines, relevance set)
//! - `cargo run --release -p sitegroup-benches --bin search_scale -- province N DIR [fts5] [--max-add-secs=S] [--keep]`
//!   (province corpus of N documents built in DIR, deleted at the end unless `--keep`;
//!   `fts5` adds the FTS5 baseline at that size; with a time limit, adding stops after S
//!   seconds and the exact number built is reported)
//! - `... -- index [N]`: only the county build (profiling, A/B runs)
//!
//! Environment: `SEARCH_HEAP_MB` (indexing memory, default that of `Indexer::reindex`),
//! `SEARCH_MERGE_TO` (segments left by the final merge, default one per thread, 0 = no
//! merge).
//! - `... -- query DIR`: the province query rows on an index already in `DIR/tantivy`
//!   (opened read-only, e.g. while the build process is still merging its segments)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{Connection, params};
use sitegroup_benches::{SearchCorpus, corpus_paragraphs, doc_number_queries, two_char_queries, two_term_queries};
use sitegroup_search::testing::{Expect, folded_text, precision_recall, relevance_set};
use sitegroup_search::{PublicIndex, SearchDoc, SearchIndex, SearchQuery, Synonyms};

/// Indexing threads: the default of `Indexer::reindex` on this machine.
const THREADS: usize = 2;

/// Indexing memory (the default of `Indexer::reindex`; `SEARCH_HEAP_MB` overrides).
fn heap() -> usize {
    std::env::var("SEARCH_HEAP_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(sitegroup_search::engine::REBUILD_HEAP_PER_THREAD * THREADS, |mb| mb * 1_000_000)
}

/// Segments left by the final merge (the default of `Indexer::reindex`: one per
/// thread; `SEARCH_MERGE_TO` overrides, 0 = no merge).
fn merge_to() -> usize {
    std::env::var("SEARCH_MERGE_TO").ok().and_then(|v| v.parse().ok()).unwrap_or(THREADS)
}
/// Timed passes over each query list (after one warm-up pass).
const PASSES: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("county") => county(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30_000)),
        Some("province") => {
            let n = args.get(1).and_then(|a| a.parse().ok()).expect("province N DIR");
            let dir = PathBuf::from(args.get(2).expect("province N DIR"));
            let max_add_s = args.iter().find_map(|a| a.strip_prefix("--max-add-secs=")).and_then(|s| s.parse().ok());
            province(n, &dir, args.iter().any(|a| a == "fts5"), max_add_s, args.iter().any(|a| a == "--keep"));
        }
        Some("index") => index_only(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30_000)),
        Some("query") => {
            let dir = PathBuf::from(args.get(1).expect("query DIR"));
            query_existing(&dir);
        }
        Some("fts5") => {
            let n = args.get(1).and_then(|a| a.parse().ok()).expect("fts5 N DIR");
            fts5_province(n, &PathBuf::from(args.get(2).expect("fts5 N DIR")));
        }
        Some("slowest") => {
            let dir = PathBuf::from(args.get(1).expect("slowest DIR"));
            slowest(&dir);
        }
        _ => eprintln!(
            "usage: search_scale county [N] | province N DIR [fts5] [--max-add-secs=S] | query DIR | slowest DIR"
        ),
    }
}

// ---------------------------------------------------------------- measuring

#[derive(Clone, Copy)]
struct Lat {
    n: usize,
    p50: f64,
    p99: f64,
    mean: f64,
    qps: f64,
    /// p50 and p99 over the queries of each query's fastest pass (1 client only): what
    /// a query costs when it is not interrupted by other processes on a loaded machine.
    best: Option<(f64, f64)>,
}

fn stats(mut ms: Vec<f64>, wall_s: f64) -> Lat {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    Lat {
        n: ms.len(),
        p50: at(0.5),
        p99: at(0.99),
        mean: ms.iter().sum::<f64>() / ms.len() as f64,
        qps: ms.len() as f64 / wall_s,
        best: None,
    }
}

/// Milliseconds of one call.
fn sample(run: impl FnOnce()) -> f64 {
    let s = Instant::now();
    run();
    s.elapsed().as_secs_f64() * 1e3
}

/// One warm-up pass, then `PASSES` timed passes, one query at a time.
fn timed<F: FnMut(&str)>(queries: &[String], mut run: F) -> Lat {
    for q in queries {
        run(q);
    }
    let mut ms = Vec::with_capacity(queries.len() * PASSES);
    let mut best = vec![f64::MAX; queries.len()];
    let t = Instant::now();
    for _ in 0..PASSES {
        for (i, q) in queries.iter().enumerate() {
            let m = sample(|| run(q));
            best[i] = best[i].min(m);
            ms.push(m);
        }
    }
    let mut l = stats(ms, t.elapsed().as_secs_f64());
    best.sort_by(f64::total_cmp);
    let at = |q: f64| best[((best.len() as f64 - 1.0) * q).round() as usize];
    l.best = Some((at(0.5), at(0.99)));
    l
}

/// Queries per second with `threads` clients, each running every query `PASSES` times;
/// latency samples from all clients.
fn concurrent<F: Fn(&str) + Sync>(queries: &[String], threads: usize, run: F) -> Lat {
    let t = Instant::now();
    let samples: Vec<Vec<f64>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|k| {
                let run = &run;
                s.spawn(move || {
                    let mut ms = Vec::new();
                    for p in 0..PASSES {
                        // Clients start at different places in the list.
                        for i in 0..queries.len() {
                            let q = &queries[(i + k * queries.len() / threads + p) % queries.len()];
                            ms.push(sample(|| run(q)));
                        }
                    }
                    ms
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    stats(samples.concat(), t.elapsed().as_secs_f64())
}

fn dir_size(p: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
        let m = e.metadata().unwrap();
        total += if m.is_dir() { dir_size(&e.path()) } else { m.len() };
    }
    total
}

fn row(engine: &str, class: &str, l: &Lat, extra: &str) {
    let best = l.best.map_or("–".to_string(), |(a, b)| format!("{a:.2} / {b:.2}"));
    println!(
        "| {engine} | {class} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {best} | {extra} |",
        l.n, l.p50, l.p99, l.mean, l.qps
    );
}

fn header() {
    println!(
        "| Engine | Queries | Samples | p50 ms | p99 ms | mean ms | queries/s | best of {PASSES} p50 / p99 ms | Matches (median per query) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

// ---------------------------------------------------------------- sitegroup-search

/// Builds through the bulk path of `Indexer::reindex`: bulk mode, add, one commit,
/// merge into one segment, finish. Returns the index and seconds.
fn build_tantivy(
    dir: &Path,
    docs: &mut dyn Iterator<Item = SearchDoc>,
    progress: bool,
    add_deadline_s: Option<f64>,
) -> (PublicIndex, u64, f64) {
    let index = SearchIndex::create_in_dir(dir).unwrap();
    let t = Instant::now();
    let mut w = index.writer(heap(), THREADS).unwrap();
    w.bulk();
    let mut n = 0u64;
    for d in docs {
        w.add(&d).unwrap();
        n += 1;
        if add_deadline_s.is_some_and(|s| t.elapsed().as_secs_f64() > s) {
            eprintln!("  time limit for adding reached at {n} documents");
            break;
        }
        if progress && n.is_multiple_of(250_000) {
            eprintln!(
                "  {n} docs added at {:.0} s ({:.0} docs/s)",
                t.elapsed().as_secs_f64(),
                n as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    let added = t.elapsed().as_secs_f64();
    w.commit(Some(0)).unwrap();
    let committed = t.elapsed().as_secs_f64();
    let segments = index.segment_count().unwrap();
    if merge_to() > 0 {
        w.merge_into(merge_to()).unwrap();
    }
    w.finish().unwrap();
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "  tantivy: heap {} MB, {THREADS} threads: added {n} at {added:.1} s, committed at {committed:.1} s \
         ({segments} segments), merged into {} and finished at {secs:.1} s",
        heap() / 1_000_000,
        index.segment_count().unwrap()
    );
    index.reload().unwrap();
    (PublicIndex::new(index), n, secs)
}

fn tantivy_query(index: &PublicIndex, syn: &Synonyms, q: &str) -> sitegroup_search::SearchResults {
    let r = index.search(syn, &SearchQuery::text(q)).unwrap();
    assert!(r.total == 0 || !r.by_kind.is_empty() && !r.by_site.is_empty(), "group counts for {q}");
    r
}

/// The folded extra parts of a document, as the library indexes them in `all_ng`.
fn folded_extra(d: &SearchDoc) -> Vec<String> {
    let mut parts: Vec<&str> = vec![&d.summary];
    parts.extend(d.attachments.iter().map(String::as_str));
    parts.extend(d.keywords.iter().map(String::as_str));
    parts.extend(d.index_number.as_deref());
    if let Some(m) = &d.disclosure {
        parts.push(&m.organ);
        parts.push(&m.category);
        parts.extend(m.doc_number.as_deref());
    }
    parts.iter().map(|p| sitegroup_search::analysis::Analyzed::new(p).folded.text).collect()
}

// ---------------------------------------------------------------- FTS5 trigram

fn fts5_open(path: &Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;").unwrap();
    c
}

/// What the library puts in its `extra` field: summary, attachments, numbers, organ.
fn extra_of(d: &SearchDoc) -> String {
    let mut parts: Vec<&str> = vec![&d.summary];
    parts.extend(d.attachments.iter().map(String::as_str));
    if let Some(m) = &d.disclosure {
        parts.push(&m.organ);
        parts.push(&m.category);
        if let Some(n) = &m.doc_number {
            parts.push(n);
        }
    }
    parts.join("\n")
}

/// Documents per FTS5 transaction (so that the write-ahead log of a province-size build
/// does not grow to the size of the whole index).
const FTS5_BATCH: u64 = 100_000;

/// Builds an FTS5 trigram table (one transaction per `FTS5_BATCH` documents, then
/// `optimize`); returns seconds.
fn build_fts5(c: &Connection, docs: &mut dyn Iterator<Item = SearchDoc>) -> (u64, f64) {
    let t = Instant::now();
    c.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, site UNINDEXED, kind UNINDEXED, title, body, extra, \
         tokenize = 'trigram');",
    )
    .unwrap();
    let mut n = 0u64;
    let mut docs = docs.peekable();
    while docs.peek().is_some() {
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut ins =
                tx.prepare("INSERT INTO docs (key, site, kind, title, body, extra) VALUES (?, ?, ?, ?, ?, ?)").unwrap();
            for d in docs.by_ref().take(FTS5_BATCH as usize) {
                ins.execute(params![d.key, d.site, d.kind, d.title, d.body, extra_of(&d)]).unwrap();
                n += 1;
            }
        }
        tx.commit().unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        if n.is_multiple_of(500_000) {
            eprintln!("  FTS5: {n} docs at {:.0} s", t.elapsed().as_secs_f64());
        }
    }
    // `optimize` rewrites the whole index in one transaction: above a million
    // documents that doubles the disk needed, so the larger builds keep FTS5's own
    // incremental merging.
    if n <= FTS5_OPTIMIZE_MAX {
        c.execute_batch("INSERT INTO docs(docs) VALUES('optimize');").unwrap();
    }
    (n, t.elapsed().as_secs_f64())
}

/// Largest FTS5 build that is `optimize`d at the end.
const FTS5_OPTIMIZE_MAX: u64 = 1_000_000;

/// The FTS5 form of a query: every space-separated term as a quoted phrase, ANDed;
/// with `like`, terms under 3 characters (which trigram cannot match) become LIKE scans.
fn fts5_sql(q: &str, like: bool) -> (Option<String>, Vec<String>) {
    let mut phrases = Vec::new();
    let mut likes = Vec::new();
    for term in q.split_whitespace() {
        if like && term.chars().count() < 3 {
            likes.push(format!("%{term}%"));
        } else {
            phrases.push(format!("\"{}\"", term.replace('"', "\"\"")));
        }
    }
    ((!phrases.is_empty()).then(|| phrases.join(" AND ")), likes)
}

/// Counts by kind and by site and the top 10 with snippets (as the library returns).
/// Returns (total, top-10 keys).
fn fts5_query(c: &Connection, q: &str, like: bool) -> (u64, Vec<String>) {
    let (matched, likes) = fts5_sql(q, like);
    let mut wh: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(m) = matched {
        wh.push("docs MATCH ?".into());
        args.push(m);
    }
    for l in &likes {
        wh.push("(title LIKE ? OR body LIKE ? OR extra LIKE ?)".into());
        args.extend([l.clone(), l.clone(), l.clone()]);
    }
    if wh.is_empty() {
        return (0, Vec::new());
    }
    let wh = wh.join(" AND ");
    let has_match = wh.contains("MATCH");
    let mut total = 0;
    for col in ["kind", "site"] {
        let mut st = c.prepare_cached(&format!("SELECT {col}, count(*) FROM docs WHERE {wh} GROUP BY {col}")).unwrap();
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, i64>(1)).unwrap();
        let sum: i64 = rows.map(Result::unwrap).sum();
        total = sum as u64;
    }
    let order = if has_match { "ORDER BY rank" } else { "" };
    let mut st = c
        .prepare_cached(&format!(
            "SELECT key, title, snippet(docs, 4, '<em>', '</em>', '…', 24) FROM docs WHERE {wh} {order} LIMIT 10"
        ))
        .unwrap();
    let keys = st
        .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (total, keys)
}

// ---------------------------------------------------------------- county

fn county(n: usize) {
    let paragraphs = corpus_paragraphs();
    let t = Instant::now();
    let docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(n);
    let chars: usize = docs.iter().map(|d| d.title.chars().count() + d.body.chars().count()).sum();
    eprintln!(
        "county corpus: {} docs, {:.1} M chars, generated in {:.1} s",
        docs.len(),
        chars as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let two_term = two_term_queries(&docs, 200, 11);
    let two_char = two_char_queries(&docs, 200, 12);
    let numbers = doc_number_queries(&docs, 100, 13);
    let number_q: Vec<String> = numbers.iter().map(|(n, _)| n.clone()).collect();

    let tmp = tempfile::tempdir().unwrap();
    let (index, _, secs) = build_tantivy(&tmp.path().join("tantivy"), &mut docs.iter().cloned(), false, None);
    let size = dir_size(&tmp.path().join("tantivy"));
    let syn = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);

    let fts_path = tmp.path().join("fts5.db");
    let fts = fts5_open(&fts_path);
    let (_, fts_secs) = build_fts5(&fts, &mut docs.iter().cloned());
    let fts_size = std::fs::metadata(&fts_path).map_or(0, |m| m.len())
        + std::fs::metadata(tmp.path().join("fts5.db-wal")).map_or(0, |m| m.len());

    println!(
        "\n### County corpus: {} documents, {:.1} M characters (mean {:.0} per document)\n",
        docs.len(),
        chars as f64 / 1e6,
        chars as f64 / docs.len() as f64
    );
    println!("| Engine | Build (s) | Documents/s | Index size (MB) |");
    println!("|---|---|---|---|");
    println!(
        "| sitegroup-search (bulk, {THREADS} threads, {} MB heap) | {secs:.1} | **{:.0}** | {:.0} |",
        heap() / 1_000_000,
        docs.len() as f64 / secs,
        size as f64 / 1e6
    );
    println!(
        "| SQLite FTS5 trigram (one transaction + optimize) | {fts_secs:.1} | {:.0} | {:.0} |",
        docs.len() as f64 / fts_secs,
        fts_size as f64 / 1e6
    );

    // Matches, and recall of two-character queries by brute force over the folded text.
    let texts: Vec<(String, String)> = docs.iter().map(folded_text).collect();
    let extras: Vec<Vec<String>> = docs.iter().map(folded_extra).collect();
    let mut exact = 0;
    let mut exact_all = 0;
    let mut tv_two = Vec::new();
    let mut fts_two = Vec::new();
    let mut differing: Vec<String> = Vec::new();
    for q in &two_char {
        // Title and body only (the count the earlier report compared against) …
        let truth = texts.iter().filter(|(t, b)| t.contains(q.as_str()) || b.contains(q.as_str())).count() as u64;
        // … and everything the index searches: title, body, the extra parts (summary,
        // attachments, organ, category, document number), with the synonym variants.
        let variants = syn.variants(q);
        let truth_all = texts
            .iter()
            .zip(&extras)
            .filter(|((t, b), ex)| {
                variants.iter().any(|v| {
                    t.contains(v.as_str()) || b.contains(v.as_str()) || ex.iter().any(|e| e.contains(v.as_str()))
                })
            })
            .count() as u64;
        let got = tantivy_query(&index, &syn, q).total;
        exact += usize::from(got == truth);
        exact_all += usize::from(got == truth_all);
        if got != truth {
            let by_extra = texts
                .iter()
                .zip(&extras)
                .filter(|((t, b), ex)| {
                    !t.contains(q.as_str()) && !b.contains(q.as_str()) && ex.iter().any(|e| e.contains(q.as_str()))
                })
                .count();
            differing.push(format!(
                "`{q}`: total {got}, title/body {truth}, documents matched only through extra parts {by_extra}, synonym variants {:?}, brute force over everything {truth_all}",
                &variants[1..]
            ));
        }
        tv_two.push(got);
        fts_two.push(fts5_query(&fts, q, false).0);
    }
    let numbers_found = numbers
        .iter()
        .filter(|(n, key)| tantivy_query(&index, &syn, n).hits.first().is_some_and(|h| &h.key == key))
        .count();
    let fts_numbers_found =
        numbers.iter().filter(|(n, key)| fts5_query(&fts, n, false).1.first().is_some_and(|k| k == key)).count();
    let totals = |qs: &[String]| median(qs.iter().map(|q| tantivy_query(&index, &syn, q).total).collect());
    let fts_totals = |qs: &[String], like: bool| median(qs.iter().map(|q| fts5_query(&fts, q, like).0).collect());

    println!(
        "\n#### Query latency, county corpus (one warm-up pass, then {PASSES} passes; top 10 with snippets + counts by kind and by site)\n"
    );
    header();
    let tv = |q: &str| {
        std::hint::black_box(tantivy_query(&index, &syn, q));
    };
    let m = totals(&two_term);
    row("sitegroup-search, 1 client", "two-term (200)", &timed(&two_term, tv), &m.to_string());
    row("sitegroup-search, 2 clients", "two-term (200)", &concurrent(&two_term, 2, tv), &m.to_string());
    let m = median(tv_two.clone());
    row("sitegroup-search, 1 client", "two-character (200)", &timed(&two_char, tv), &m.to_string());
    row("sitegroup-search, 2 clients", "two-character (200)", &concurrent(&two_char, 2, tv), &m.to_string());
    row(
        "sitegroup-search, 1 client",
        "document number (100)",
        &timed(&number_q, tv),
        &format!("{}, top hit right {numbers_found}/100", totals(&number_q)),
    );
    let fq = |like: bool| {
        let c = fts5_open(&fts_path);
        move |q: &str| {
            std::hint::black_box(fts5_query(&c, q, like));
        }
    };
    row(
        "FTS5 trigram, 1 client",
        "two-term (200)",
        &timed(&two_term, fq(false)),
        &fts_totals(&two_term, false).to_string(),
    );
    row(
        "FTS5 trigram, 1 client",
        "two-character (200)",
        &timed(&two_char, fq(false)),
        &format!(
            "{} (queries with any match: {}/200)",
            median(fts_two.clone()),
            fts_two.iter().filter(|&&n| n > 0).count()
        ),
    );
    row(
        "FTS5 trigram, 1 client",
        "document number (100)",
        &timed(&number_q, fq(false)),
        &format!("{}, top hit right {fts_numbers_found}/100", fts_totals(&number_q, false)),
    );
    // LIKE scans every row (~0.5 s a query): only with SEARCH_LIKE=1.
    if std::env::var("SEARCH_LIKE").is_ok_and(|v| v == "1") {
        // LIKE scans every row: 50 queries of each list, which is enough to see the cost.
        let (tt50, tc50) = (&two_term[..50], &two_char[..50]);
        row(
            "FTS5 trigram + LIKE for terms < 3 chars, 1 client",
            "two-term (first 50)",
            &timed(tt50, fq(true)),
            &fts_totals(tt50, true).to_string(),
        );
        row(
            "FTS5 trigram + LIKE for terms < 3 chars, 1 client",
            "two-character (first 50)",
            &timed(tc50, fq(true)),
            &fts_totals(tc50, true).to_string(),
        );
    }
    println!(
        "\nTwo-character queries: sitegroup-search's total equals a brute-force count over the folded title + body for \
         {exact}/200, and over everything it searches (title, body, extra parts, synonym variants) for {exact_all}/200; \
         FTS5 trigram MATCH finds a document for {}/200.",
        fts_two.iter().filter(|&&n| n > 0).count()
    );
    for d in &differing {
        println!("- {d}");
    }
    drop(fts);
    relevance();
}

/// Only the county build (for profiling and A/B runs of the indexing path).
fn index_only(n: usize) {
    let paragraphs = corpus_paragraphs();
    let docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(n);
    let tmp = tempfile::tempdir().unwrap();
    let (_, _, secs) = build_tantivy(&tmp.path().join("tantivy"), &mut docs.iter().cloned(), false, None);
    println!(
        "index {} docs: {secs:.1} s, {:.0} docs/s, {:.0} MB",
        docs.len(),
        docs.len() as f64 / secs,
        dir_size(&tmp.path().join("tantivy")) as f64 / 1e6
    );
}

// ---------------------------------------------------------------- relevance set

fn relevance() {
    let set = relevance_set().unwrap();
    let syn = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);
    let tmp = tempfile::tempdir().unwrap();
    let (index, _, _) = build_tantivy(&tmp.path().join("tantivy"), &mut set.docs.iter().cloned(), false, None);
    let fts = fts5_open(&tmp.path().join("fts5.db"));
    build_fts5(&fts, &mut set.docs.iter().cloned());
    // category -> (queries, tantivy p, r, fts p, r)
    let mut by: BTreeMap<&str, (usize, f64, f64, f64, f64)> = BTreeMap::new();
    for c in &set.cases {
        let e = by.entry(c.category).or_default();
        e.0 += 1;
        let (tp, tr, fp, fr) = match set.relevant(c, &syn) {
            Some(relevant) => {
                let got: Vec<String> =
                    index.search(&syn, &SearchQuery::text(&c.query)).unwrap().hits.into_iter().map(|h| h.key).collect();
                let (tp, tr) = precision_recall(&got, &relevant);
                let (_, fgot) = fts5_query(&fts, &c.query, false);
                let (fp, fr) = precision_recall(&fgot, &relevant);
                (tp, tr, fp, fr)
            }
            None => {
                // Suggestions and "did you mean": FTS5 has neither.
                let ok = match &c.expect {
                    Expect::Suggests(want) => {
                        index.suggest(&[], &c.query, None, 10).unwrap().iter().any(|s| s.text.contains(want))
                    }
                    Expect::DidYouMean(want) => {
                        let r = index.search(&syn, &SearchQuery::text(&c.query)).unwrap();
                        r.total == 0 && r.did_you_mean.as_deref().is_some_and(|d| d.contains(want))
                    }
                    _ => false,
                };
                let v = if ok { 1.0 } else { 0.0 };
                (v, v, 0.0, 0.0)
            }
        };
        e.1 += tp;
        e.2 += tr;
        e.3 += fp;
        e.4 += fr;
    }
    println!(
        "\n#### Relevance set ({} documents, {} queries; top 10; FTS5 queried with the same text, terms as phrases)\n",
        set.docs.len(),
        set.cases.len()
    );
    println!(
        "| Category | Queries | sitegroup-search precision | sitegroup-search recall | FTS5 trigram precision | FTS5 trigram recall |"
    );
    println!("|---|---|---|---|---|---|");
    let mut all = (0usize, 0.0, 0.0, 0.0, 0.0);
    let mut searchable = (0usize, 0.0, 0.0, 0.0, 0.0);
    for (cat, (n, tp, tr, fp, fr)) in &by {
        let nf = *n as f64;
        println!("| {cat} | {n} | {:.3} | {:.3} | {:.3} | {:.3} |", tp / nf, tr / nf, fp / nf, fr / nf);
        all = (all.0 + n, all.1 + tp, all.2 + tr, all.3 + fp, all.4 + fr);
        if *cat != "pinyin" && *cat != "did_you_mean" {
            searchable = (searchable.0 + n, searchable.1 + tp, searchable.2 + tr, searchable.3 + fp, searchable.4 + fr);
        }
    }
    for (label, (n, tp, tr, fp, fr)) in [("all but pinyin/did-you-mean", searchable), ("**all**", all)] {
        let nf = n as f64;
        println!("| {label} | {n} | {:.3} | {:.3} | {:.3} | {:.3} |", tp / nf, tr / nf, fp / nf, fr / nf);
    }
}

// ---------------------------------------------------------------- province

fn province(n: usize, dir: &Path, with_fts5: bool, max_add_s: Option<f64>, keep: bool) {
    let paragraphs = corpus_paragraphs();
    // Queries from a county corpus of the same text (the same lists as `county`).
    let county_docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(30_000);
    let two_term = two_term_queries(&county_docs, 200, 11);
    let two_char = two_char_queries(&county_docs, 200, 12);
    drop(county_docs);
    assert!(!dir.join("tantivy").exists(), "{} exists: remove it first", dir.join("tantivy").display());
    std::fs::create_dir_all(dir).unwrap();
    let mut generator = SearchCorpus::new(&paragraphs, 0x0050_4F56);
    let mut chars = 0usize;
    let mut numbers: Vec<(String, String)> = Vec::new();
    let mut docs = (0..n).map(|i| {
        let d = generator.recombined();
        chars += d.title.chars().count() + d.body.chars().count();
        if i % 29_989 == 7
            && let Some(num) = d.disclosure.as_ref().and_then(|m| m.doc_number.clone())
        {
            numbers.push((num, d.key.clone()));
        }
        d
    });
    let (index, added, secs) = build_tantivy(&dir.join("tantivy"), &mut docs, true, max_add_s);
    drop(docs);
    let size = dir_size(&dir.join("tantivy"));
    let syn = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);
    println!(
        "\n### Province corpus: {added} documents, {:.0} M characters (mean {:.0} per document), paragraphs recombined across articles\n",
        chars as f64 / 1e6,
        chars as f64 / added as f64
    );
    println!("| Engine | Build (s) | Documents/s | Index size (GB) |");
    println!("|---|---|---|---|");
    println!(
        "| sitegroup-search (bulk, {THREADS} threads, {} MB heap) | {secs:.0} | **{:.0}** | {:.2} |",
        heap() / 1_000_000,
        added as f64 / secs,
        size as f64 / 1e9
    );
    let number_q: Vec<String> = numbers.iter().map(|(n, _)| n.clone()).collect();
    let found = numbers
        .iter()
        .filter(|(n, k)| tantivy_query(&index, &syn, n).hits.first().is_some_and(|h| &h.key == k))
        .count();
    let totals = |qs: &[String]| median(qs.iter().map(|q| tantivy_query(&index, &syn, q).total).collect());
    println!("\n#### Query latency, province corpus (one warm-up pass, then {PASSES} passes)\n");
    header();
    let tv = |q: &str| {
        std::hint::black_box(tantivy_query(&index, &syn, q));
    };
    let m = totals(&two_term);
    let l1 = timed(&two_term, tv);
    row("sitegroup-search, 1 client", "two-term (200)", &l1, &m.to_string());
    row("sitegroup-search, 2 clients", "two-term (200)", &concurrent(&two_term, 2, tv), &m.to_string());
    let common: Vec<String> = two_term[..40].to_vec();
    row(
        "sitegroup-search, 1 client",
        "two-term, the 40 frequent pairs",
        &timed(&common, tv),
        &totals(&common).to_string(),
    );
    row("sitegroup-search, 1 client", "two-character (200)", &timed(&two_char, tv), &totals(&two_char).to_string());
    row(
        "sitegroup-search, 1 client",
        &format!("document number ({})", number_q.len()),
        &timed(&number_q, tv),
        &format!("top hit right {found}/{}", numbers.len()),
    );
    println!(
        "\nTarget p99 ≤ 20 ms for two-term queries with group counts: p99 = {:.1} ms → {}.",
        l1.p99,
        if l1.p99 <= 20.0 { "met" } else { "NOT met" }
    );
    println!(
        "Target ≥ 5,000 documents/s indexing: {:.0} → {}.",
        added as f64 / secs,
        if added as f64 / secs >= 5_000.0 { "met" } else { "NOT met" }
    );
    drop(index);
    if with_fts5 {
        let path = dir.join("fts5.db");
        let fts = fts5_open(&path);
        let mut generator = SearchCorpus::new(&paragraphs, 0x0050_4F56);
        let (fn_, fsecs) = build_fts5(&fts, &mut (0..added).map(|_| generator.recombined()));
        let fsize = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!(
            "\nFTS5 trigram at {fn_} documents: build {fsecs:.0} s ({:.0} docs/s), {:.2} GB\n",
            fn_ as f64 / fsecs,
            fsize as f64 / 1e9
        );
        header();
        let fq = |q: &str| {
            std::hint::black_box(fts5_query(&fts, q, false));
        };
        let fm = median(two_term.iter().map(|q| fts5_query(&fts, q, false).0).collect());
        row("FTS5 trigram, 1 client", "two-term (200)", &timed(&two_term, fq), &fm.to_string());
    }
    if keep {
        eprintln!("kept the index in {}", dir.join("tantivy").display());
        return;
    }
    std::fs::remove_dir_all(dir.join("tantivy")).unwrap();
    let _ = std::fs::remove_file(dir.join("fts5.db"));
    let _ = std::fs::remove_file(dir.join("fts5.db-wal"));
    let _ = std::fs::remove_file(dir.join("fts5.db-shm"));
    eprintln!("removed the indexes under {}", dir.display());
}

/// The province query rows on an existing (committed) index, which may have many segments.
fn query_existing(dir: &Path) {
    let paragraphs = corpus_paragraphs();
    let county_docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(30_000);
    let two_term = two_term_queries(&county_docs, 200, 11);
    let two_char = two_char_queries(&county_docs, 200, 12);
    drop(county_docs);
    let index = SearchIndex::open_in_dir(&dir.join("tantivy")).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("tantivy/meta.json")).unwrap()).unwrap();
    let segments = meta["segments"].as_array().map_or(0, Vec::len);
    let n = index.num_docs();
    // Document numbers of the same generator's first 600,000 documents.
    let mut generator = SearchCorpus::new(&paragraphs, 0x0050_4F56);
    let numbers: Vec<(String, String)> = (0..600_000usize.min(n as usize))
        .filter_map(|i| {
            let d = generator.recombined();
            let num = d.disclosure.as_ref().and_then(|m| m.doc_number.clone())?;
            (i % 29_989 == 7).then_some((num, d.key))
        })
        .collect();
    let index = PublicIndex::new(index);
    let syn = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);
    println!("\n#### Query latency, {n} documents in {segments} segments (one warm-up pass, then {PASSES} passes)\n");
    header();
    let tv = |q: &str| {
        std::hint::black_box(tantivy_query(&index, &syn, q));
    };
    let totals = |qs: &[String]| median(qs.iter().map(|q| tantivy_query(&index, &syn, q).total).collect());
    let l1 = timed(&two_term, tv);
    row("sitegroup-search, 1 client", "two-term (200)", &l1, &totals(&two_term).to_string());
    row("sitegroup-search, 2 clients", "two-term (200)", &concurrent(&two_term, 2, tv), "");
    let common: Vec<String> = two_term[..40].to_vec();
    row(
        "sitegroup-search, 1 client",
        "two-term, the 40 frequent pairs",
        &timed(&common, tv),
        &totals(&common).to_string(),
    );
    row("sitegroup-search, 1 client", "two-character (200)", &timed(&two_char, tv), &totals(&two_char).to_string());
    let number_q: Vec<String> = numbers.iter().map(|(n, _)| n.clone()).collect();
    let found = numbers
        .iter()
        .filter(|(n, k)| tantivy_query(&index, &syn, n).hits.first().is_some_and(|h| &h.key == k))
        .count();
    row(
        "sitegroup-search, 1 client",
        &format!("document number ({})", number_q.len()),
        &timed(&number_q, tv),
        &format!("top hit right {found}/{}", numbers.len()),
    );
    println!("\nTarget p99 ≤ 20 ms for two-term queries with group counts: p99 = {:.1} ms.", l1.p99);
}

/// The two-term queries on an existing index, slowest first (best of `PASSES` each):
/// where the p99 comes from, and a fixed workload to profile (`perf record`).
fn slowest(dir: &Path) {
    let paragraphs = corpus_paragraphs();
    let county_docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(30_000);
    let mut two_term = two_term_queries(&county_docs, 200, 11);
    drop(county_docs);
    // `SEARCH_ONLY=q` repeats one query (to profile it).
    if let Ok(only) = std::env::var("SEARCH_ONLY") {
        two_term = vec![only; 30];
    }
    let index = PublicIndex::new(SearchIndex::open_in_dir(&dir.join("tantivy")).unwrap());
    let syn = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);
    let mut rows: Vec<(f64, u64, &String)> = two_term
        .iter()
        .map(|q| {
            let total = tantivy_query(&index, &syn, q).total;
            let best = (0..PASSES).map(|_| sample(|| drop(tantivy_query(&index, &syn, q)))).fold(f64::MAX, f64::min);
            (best, total, q)
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("| Query | Best of {PASSES} ms | Matches |\n|---|---|---|");
    for (ms, total, q) in rows.iter().take(20) {
        println!("| {q} | {ms:.2} | {total} |");
    }
}

/// The FTS5 trigram baseline on the first `n` documents of the province corpus (the
/// same generator as `province`), with the same query lists; the database is deleted
/// afterwards. (At 3 million documents it would take about 65 GB.)
fn fts5_province(n: usize, dir: &Path) {
    let paragraphs = corpus_paragraphs();
    let county_docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(30_000);
    let two_term = two_term_queries(&county_docs, 200, 11);
    let two_char = two_char_queries(&county_docs, 200, 12);
    drop(county_docs);
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("fts5.db");
    assert!(!path.exists(), "{} exists: remove it first", path.display());
    let fts = fts5_open(&path);
    let mut generator = SearchCorpus::new(&paragraphs, 0x0050_4F56);
    let (built, secs) = build_fts5(&fts, &mut (0..n).map(|_| generator.recombined()));
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "\nFTS5 trigram, province corpus, first {built} documents: build {secs:.0} s ({:.0} docs/s), {:.2} GB{}\n",
        built as f64 / secs,
        size as f64 / 1e9,
        if built > FTS5_OPTIMIZE_MAX { " (not optimized: FTS5's incremental merging only)" } else { "" }
    );
    header();
    let fq = |q: &str| {
        std::hint::black_box(fts5_query(&fts, q, false));
    };
    let totals = |qs: &[String]| median(qs.iter().map(|q| fts5_query(&fts, q, false).0).collect());
    let any = |qs: &[String]| qs.iter().filter(|q| fts5_query(&fts, q, false).0 > 0).count();
    row(
        "FTS5 trigram, 1 client",
        "two-term (200)",
        &timed(&two_term, fq),
        &format!("{} (queries with any match: {}/200)", totals(&two_term), any(&two_term)),
    );
    let common: Vec<String> = two_term[..40].to_vec();
    row("FTS5 trigram, 1 client", "two-term, the 40 frequent pairs", &timed(&common, fq), &totals(&common).to_string());
    row(
        "FTS5 trigram, 1 client",
        "two-character (200)",
        &timed(&two_char, fq),
        &format!("{} (queries with any match: {}/200)", totals(&two_char), any(&two_char)),
    );
    drop(fts);
    for f in ["fts5.db", "fts5.db-wal", "fts5.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
}
