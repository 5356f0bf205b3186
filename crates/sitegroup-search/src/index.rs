//! One tantivy index: schema, opening, writing documents, the commit payload.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Executor, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::SearchError;
use crate::analysis::{self, ZH_NGRAM, ZH_WORDS};
use crate::cells::CellCache;
use crate::source::SearchDoc;

/// Version of the schema and analysis; an index with another version is rebuilt.
///
/// 2: one ngram field `all_ng` (title, body and extra) replaces `body_ng` and
/// `extra_ng`; the unused `extra` word field is gone and the body is no longer
/// segmented into words; title words without HMM.
pub const SCHEMA_VERSION: u32 = 2;

/// Largest indexing memory per writer thread (tantivy's limit is just under 4 GiB).
pub const MAX_HEAP_PER_THREAD: usize = 3_900_000_000;

/// Separator inside suggestion terms: `{scope}\u{1}{key}\u{1}{display}`.
pub(crate) const SEP: char = '\u{1}';

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `doc:123`: unique key (raw, stored).
    pub key: Field,
    /// Site id (u64: indexed, fast, stored).
    pub site: Field,
    /// Column id (u64: indexed, fast, stored; 0 = none).
    pub column: Field,
    /// Kind (raw string: indexed, fast, stored).
    pub kind: Field,
    /// Displayed publication time, unix seconds (i64: indexed, fast, stored).
    pub published_at: Field,
    /// Disclosure category (raw: indexed, fast, stored).
    pub category: Field,
    /// Disclosure organ (raw: indexed, fast, stored).
    pub organ: Field,
    /// Disclosure year (u64: indexed, fast, stored; 0 = none).
    pub year: Field,
    /// Document number (stored; searchable through `extra`).
    pub doc_number: Field,
    /// Index number (stored; searchable through `extra`).
    pub index_number: Field,
    /// Title: jieba words, stored original.
    pub title: Field,
    /// Title: unigrams + bigrams with positions (ranking: matches in the title).
    pub title_ng: Field,
    /// Body text: stored original (snippets), not indexed: the body is searched and
    /// ranked through `all_ng` (segmenting every body with jieba cost more indexing time
    /// than everything else together and added nothing the relevance set measures).
    pub body: Field,
    /// Everything searchable: unigrams + bigrams with positions of the title, the body
    /// and each extra part (summary, attachment names, keywords, numbers, organ,
    /// category), one value each, so a phrase never spans two of them. Every must-match
    /// clause of a query runs on this one field.
    pub all_ng: Field,
    /// Summary (stored).
    pub summary: Field,
    /// Attachment names, one per line (stored).
    pub attachments: Field,
    /// URL (stored).
    pub url: Field,
    /// Workflow state (raw, stored).
    pub state: Field,
    /// Suggestion terms (raw): pinyin, initials and Han forms of titles and their words.
    pub suggest: Field,
}

fn text(tokenizer: &str, record: IndexRecordOption, stored: bool) -> TextOptions {
    let o = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record));
    if stored { o.set_stored() } else { o }
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = IndexRecordOption::WithFreqs;
    let grams = IndexRecordOption::WithFreqsAndPositions;
    let f = Fields {
        key: b.add_text_field("key", STRING | STORED),
        site: b.add_u64_field("site", INDEXED | FAST | STORED),
        column: b.add_u64_field("column", INDEXED | FAST | STORED),
        kind: b.add_text_field("kind", STRING | FAST | STORED),
        published_at: b.add_i64_field("published_at", INDEXED | FAST | STORED),
        category: b.add_text_field("category", STRING | FAST | STORED),
        organ: b.add_text_field("organ", STRING | FAST | STORED),
        year: b.add_u64_field("year", INDEXED | FAST | STORED),
        doc_number: b.add_text_field("doc_number", STORED),
        index_number: b.add_text_field("index_number", STORED),
        title: b.add_text_field("title", text(ZH_WORDS, words, true)),
        title_ng: b.add_text_field("title_ng", text(ZH_NGRAM, grams, false)),
        body: b.add_text_field("body", STORED),
        all_ng: b.add_text_field("all_ng", text(ZH_NGRAM, grams, false)),
        summary: b.add_text_field("summary", STORED),
        attachments: b.add_text_field("attachments", STORED),
        url: b.add_text_field("url", STORED),
        state: b.add_text_field("state", STRING | STORED),
        suggest: b.add_text_field("suggest", text("raw", IndexRecordOption::Basic, false)),
    };
    (b.build(), f)
}

/// What an index's last commit says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitPayload {
    /// Schema version of the index.
    pub schema: u32,
    /// The last outbox seq applied; `None` for an index never filled.
    pub seq: Option<i64>,
}

/// One tantivy index of the group with the shared analyzers registered.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The (site, kind) of every document, per segment, for counting.
    pub(crate) cells: CellCache,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("path", &self.path).finish()
    }
}

/// Most threads one query's segments are searched on.
const MAX_SEARCH_THREADS: usize = 8;

/// The process-wide pool that searches the segments of one query in parallel (one
/// thread per core, at most [`MAX_SEARCH_THREADS`]); shared by every index so that
/// opening many indexes (tests) does not start many pools. Single-threaded on a
/// one-core machine or when the pool cannot start.
fn search_executor() -> Executor {
    static EXECUTOR: OnceLock<Executor> = OnceLock::new();
    EXECUTOR
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_SEARCH_THREADS);
            if cores < 2 {
                return Executor::single_thread();
            }
            Executor::multi_thread(cores, "sitegroup-search-").unwrap_or_else(|_| Executor::single_thread())
        })
        .clone()
}

fn wrap(mut index: Index, path: Option<PathBuf>) -> Result<SearchIndex, SearchError> {
    analysis::register(&index);
    index.set_executor(search_executor());
    let (_, fields) = schema();
    let policy = if path.is_some() { ReloadPolicy::OnCommitWithDelay } else { ReloadPolicy::Manual };
    let reader = index.reader_builder().reload_policy(policy).try_into()?;
    Ok(SearchIndex { index, reader, fields, cells: CellCache::default(), path })
}

impl SearchIndex {
    /// A new empty index in memory (tests, benchmarks).
    pub fn create_in_ram() -> Result<SearchIndex, SearchError> {
        let (schema, _) = schema();
        wrap(Index::create_in_ram(schema), None)
    }

    /// A new empty index in `path` (created; must be empty or missing).
    pub fn create_in_dir(path: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(path).map_err(|e| SearchError::io(path, e))?;
        let (schema, _) = schema();
        wrap(Index::create_in_dir(path, schema)?, Some(path.to_path_buf()))
    }

    /// Opens the index in `path`; [`SearchError::Corrupt`] when it is missing, unreadable
    /// or of another schema version (the caller rebuilds).
    pub fn open_in_dir(path: &Path) -> Result<SearchIndex, SearchError> {
        let index = Index::open_in_dir(path).map_err(|e| SearchError::Corrupt(format!("{}: {e}", path.display())))?;
        let (expected, _) = schema();
        if index.schema() != expected {
            return Err(SearchError::Corrupt(format!("{}: schema differs", path.display())));
        }
        let s = wrap(index, Some(path.to_path_buf()))?;
        let payload = s.payload()?;
        if payload.schema != SCHEMA_VERSION {
            return Err(SearchError::Corrupt(format!("{}: schema version {}", path.display(), payload.schema)));
        }
        Ok(s)
    }

    /// The directory, for an index on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The fields.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    /// The payload of the last commit (default for an index never committed).
    pub fn payload(&self) -> Result<CommitPayload, SearchError> {
        let metas = self.index.load_metas()?;
        Ok(match metas.payload {
            Some(p) => serde_json::from_str(&p).map_err(|e| SearchError::Corrupt(format!("commit payload: {e}")))?,
            None => CommitPayload { schema: SCHEMA_VERSION, seq: None },
        })
    }

    /// Makes the latest commit visible to searches now.
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    /// Number of documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// A writer with `heap_bytes` of indexing memory (15 MB to 3.9 GB per thread) and
    /// `threads`. Each thread fills its own segment until its share of the heap is full,
    /// so the heap decides how many segments a bulk build leaves.
    pub fn writer(&self, heap_bytes: usize, threads: usize) -> Result<DocWriter, SearchError> {
        let threads = threads.max(1);
        let heap = heap_bytes.clamp(15_000_000 * threads, MAX_HEAP_PER_THREAD * threads);
        let writer = self.index.writer_with_num_threads(threads, heap).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => SearchError::Tantivy(other),
        })?;
        Ok(DocWriter { writer, fields: self.fields, jieba: analysis::jieba() })
    }

    /// Number of committed segments (after a bulk build: one per flushed writer buffer).
    pub fn segment_count(&self) -> Result<usize, SearchError> {
        Ok(self.index.searchable_segment_ids()?.len())
    }

    /// The stored key and fields of every document (tests and checks; not for large indexes).
    pub fn all_keys(&self) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64)?;
            for doc in 0..segment.max_doc() {
                if segment.is_deleted(doc) {
                    continue;
                }
                let d: TantivyDocument = store.get(doc)?;
                if let Some(k) = d.get_first(self.fields.key).and_then(|v| v.as_str()) {
                    out.push(k.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Writes documents into a [`SearchIndex`].
pub struct DocWriter {
    writer: IndexWriter,
    fields: Fields,
    jieba: std::sync::Arc<jieba_rs::Jieba>,
}

impl DocWriter {
    /// Adds a document (no delete of an older one with the same key: for fresh builds).
    pub fn add(&mut self, doc: &SearchDoc) -> Result<(), SearchError> {
        let d = self.to_tantivy(doc);
        self.writer.add_document(d)?;
        Ok(())
    }

    /// Replaces the document with `doc.key` (or adds it).
    pub fn upsert(&mut self, doc: &SearchDoc) -> Result<(), SearchError> {
        self.delete(&doc.key);
        self.add(doc)
    }

    /// Deletes the document with `key`, if any.
    pub fn delete(&mut self, key: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.key, key));
    }

    /// Commits everything written, recording `seq` as the last applied outbox event.
    pub fn commit(&mut self, seq: Option<i64>) -> Result<(), SearchError> {
        let payload = CommitPayload { schema: SCHEMA_VERSION, seq };
        let text = serde_json::to_string(&payload).map_err(|e| SearchError::Internal(e.to_string()))?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&text);
        prepared.commit()?;
        Ok(())
    }

    /// Bulk mode for a fresh build: no merges while writing (merges compete with
    /// indexing for the cores); call [`merge_all`](Self::merge_all) after the commit.
    pub fn bulk(&mut self) {
        self.writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }

    /// Merges every committed segment into one and waits (after a bulk build). The
    /// commit payload is kept.
    pub fn merge_all(&mut self) -> Result<(), SearchError> {
        self.merge_into(1)
    }

    /// Merges the committed segments into at most `max_segments` and waits (after a bulk
    /// build). The segments are dealt into groups of about the same number of documents,
    /// merged at the same time (one merge uses one core: with `max_segments` = the
    /// writer threads, the merge uses every core the build used). Queries over a handful
    /// of segments cost about what they cost over one. The commit payload is kept.
    pub fn merge_into(&mut self, max_segments: usize) -> Result<(), SearchError> {
        let mut metas = self.writer.index().searchable_segment_metas()?;
        let k = max_segments.max(1);
        if metas.len() <= k {
            return Ok(());
        }
        metas.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
        let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); k];
        for m in metas {
            if let Some(g) = groups.iter_mut().min_by_key(|g| g.0) {
                g.0 += u64::from(m.num_docs());
                g.1.push(m.id());
            }
        }
        let merges: Vec<_> =
            groups.iter().filter(|(_, ids)| ids.len() > 1).map(|(_, ids)| self.writer.merge(ids)).collect();
        for m in merges {
            m.wait()?;
        }
        Ok(())
    }

    /// Drops everything written since the last commit.
    pub fn rollback(&mut self) -> Result<(), SearchError> {
        self.writer.rollback()?;
        Ok(())
    }

    /// Waits for merges and releases the writer.
    pub fn finish(self) -> Result<(), SearchError> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }

    fn to_tantivy(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.key, &doc.key);
        d.add_u64(f.site, u64::try_from(doc.site).unwrap_or(0));
        d.add_u64(f.column, doc.column.and_then(|c| u64::try_from(c).ok()).unwrap_or(0));
        d.add_text(f.kind, &doc.kind);
        d.add_i64(f.published_at, doc.published_at);
        d.add_text(f.title, &doc.title);
        d.add_text(f.title_ng, &doc.title);
        d.add_text(f.all_ng, &doc.title);
        d.add_text(f.body, &doc.body);
        d.add_text(f.all_ng, &doc.body);
        let mut extra: Vec<&str> = vec![doc.summary.as_str()];
        extra.extend(doc.attachments.iter().map(String::as_str));
        extra.extend(doc.keywords.iter().map(String::as_str));
        if let Some(n) = &doc.index_number {
            d.add_text(f.index_number, n);
            extra.push(n);
        }
        if let Some(m) = &doc.disclosure {
            d.add_text(f.category, &m.category);
            d.add_text(f.organ, &m.organ);
            d.add_u64(f.year, u64::try_from(m.year).unwrap_or(0));
            extra.push(&m.organ);
            extra.push(&m.category);
            if let Some(n) = &m.doc_number {
                d.add_text(f.doc_number, n);
                extra.push(n);
            }
        }
        // One value per part: separate values never form phrases across their border.
        for part in extra.iter().filter(|p| !p.trim().is_empty()) {
            d.add_text(f.all_ng, part);
        }
        d.add_text(f.summary, &doc.summary);
        d.add_text(f.attachments, doc.attachments.join("\n"));
        d.add_text(f.url, &doc.url);
        if let Some(s) = &doc.state {
            d.add_text(f.state, s);
        }
        for term in crate::suggest::suggestion_terms(&self.jieba, &doc.title, doc.site) {
            d.add_text(f.suggest, term);
        }
        d
    }
}
