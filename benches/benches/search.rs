//! Search benchmarks (issue 4), on real Chinese news text (People's Daily, 1998): index a
//! batch of 1,000 documents (into a fresh in-memory index, commit included) and one
//! two-term query with counts by kind and by site on the 30,000-document county index.
//! Criterion reports means; the load script (`--bin search_scale`) has p50/p99, the
//! 3-million-document corpus and the FTS5 baseline.
//!
//! Run with: `cargo bench -p sitegroup-benches --bench search`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sitegroup_benches::{SearchCorpus, corpus_paragraphs};
use sitegroup_search::{PublicIndex, SearchIndex, SearchQuery, Synonyms};

fn search(c: &mut Criterion) {
    let paragraphs = corpus_paragraphs();
    let docs = SearchCorpus::new(&paragraphs, 0x5EED_C0DE).county(30_000);

    let mut g = c.benchmark_group("search");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("index 1,000 county documents (2 threads, commit)", |b| {
        b.iter_batched(
            || SearchIndex::create_in_ram().unwrap(),
            |index| {
                let mut w = index.writer(128_000_000, 2).unwrap();
                for d in &docs[..1_000] {
                    w.add(d).unwrap();
                }
                w.commit(Some(0)).unwrap();
                w.finish().unwrap();
                black_box(index)
            },
            BatchSize::PerIteration,
        )
    });

    let tmp = tempfile::tempdir().unwrap();
    let index = SearchIndex::create_in_dir(tmp.path()).unwrap();
    // The bulk path of `Indexer::reindex`: its heap, one segment per thread.
    let mut w = index.writer(sitegroup_search::engine::REBUILD_HEAP_PER_THREAD * 2, 2).unwrap();
    w.bulk();
    for d in &docs {
        w.add(d).unwrap();
    }
    w.commit(Some(0)).unwrap();
    w.merge_into(2).unwrap();
    w.finish().unwrap();
    index.reload().unwrap();
    let public = PublicIndex::new(index);
    let synonyms = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);
    let q = SearchQuery::text("经济 发展");
    let first = public.search(&synonyms, &q).unwrap();
    assert!(first.total > 0 && !first.by_kind.is_empty() && !first.by_site.is_empty());
    g.throughput(Throughput::Elements(1));
    g.sample_size(50).measurement_time(Duration::from_secs(10));
    g.bench_function("query \"经济 发展\" with counts by kind and site, 30,000 documents", |b| {
        b.iter(|| black_box(public.search(&synonyms, &q).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
