//! The group's two indexes on disk, the outbox follower and the rebuild.
//!
//! Layout under the index directory: `CURRENT` names the live generation (`gen-7`),
//! whose folder holds `public/` and `drafts/`. A rebuild writes a new generation and
//! switches `CURRENT` by an atomic rename; readers in other processes notice on
//! [`SearchEngine::refresh`].
//!
//! **Public and drafts are two indexes.** [`PublicIndex`] receives only what sources
//! load for [`Audience::Public`] and its search takes no scope; [`DraftIndex`] holds
//! working revisions and can only be searched with a [`DraftScope`]. No code path moves
//! a document from one to the other.
//!
//! **Following the outbox.** Each index's commit payload records the last outbox seq it
//! contains; the index is the truth. A poll reads events after that seq, reloads each
//! touched key from its source (upsert, or delete when the source says `None`), commits
//! both indexes with the new seq, then acknowledges the `search` cursor. A crash before
//! the commit re-reads the events; a crash between commit and ack re-reads nothing and
//! acknowledges next time; re-applying is idempotent anyway (state is reloaded, not
//! replayed).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use sitegroup_store::Db;

use crate::SearchError;
use crate::index::{DocWriter, SearchIndex};
use crate::query::{DraftScope, SearchQuery, SearchResults};
use crate::source::{Audience, SearchSource};
use crate::suggest::{NameEntry, Suggestion};
use crate::synonyms::Synonyms;

/// Indexing memory per thread of a rebuild: each writer thread fills one segment of
/// some 30,000 documents of 1,000 characters before it flushes, so a county rebuild
/// ends with one segment per thread and needs no merge (at most
/// [`REBUILD_HEAP_MAX`] in all).
pub const REBUILD_HEAP_PER_THREAD: usize = 500_000_000;
/// Most indexing memory of a rebuild, all threads together.
pub const REBUILD_HEAP_MAX: usize = 2_000_000_000;

/// The outbox consumer name of the indexer.
pub const CONSUMER: &str = "search";
/// Events read per batch (one commit per batch).
pub const BATCH: usize = 500;
const POINTER: &str = "CURRENT";

/// The public index: published public documents only.
#[derive(Debug)]
pub struct PublicIndex(SearchIndex);

impl PublicIndex {
    /// Wraps an index that only ever received [`Audience::Public`] documents.
    pub fn new(index: SearchIndex) -> PublicIndex {
        PublicIndex(index)
    }

    /// Searches public documents (no scope: everything in here is public).
    pub fn search(&self, synonyms: &Synonyms, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        crate::query::run(&self.0, synonyms, q, None)
    }

    /// As-you-type suggestions (see [`crate::suggest::suggest`]).
    pub fn suggest(
        &self,
        names: &[NameEntry],
        prefix: &str,
        scope: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Suggestion>, SearchError> {
        crate::suggest::suggest(&self.0, names, prefix, scope, limit)
    }

    /// The underlying index (read-only use: counts, checks).
    pub fn index(&self) -> &SearchIndex {
        &self.0
    }
}

/// The back-office index: working revisions of everything, drafts included.
#[derive(Debug)]
pub struct DraftIndex(SearchIndex);

impl DraftIndex {
    /// Wraps a back-office index.
    pub fn new(index: SearchIndex) -> DraftIndex {
        DraftIndex(index)
    }

    /// Searches within `scope` only (sites and columns where the actor has ViewDrafts).
    pub fn search(
        &self,
        synonyms: &Synonyms,
        q: &SearchQuery,
        scope: &DraftScope,
    ) -> Result<SearchResults, SearchError> {
        crate::query::run(&self.0, synonyms, q, Some(scope))
    }

    /// The underlying index.
    pub fn index(&self) -> &SearchIndex {
        &self.0
    }
}

struct Loaded {
    generation: String,
    public: Arc<PublicIndex>,
    drafts: Arc<DraftIndex>,
    needs_rebuild: bool,
}

/// The group's indexes under one directory.
pub struct SearchEngine {
    root: PathBuf,
    loaded: RwLock<Arc<Loaded>>,
}

impl std::fmt::Debug for SearchEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchEngine").field("root", &self.root).finish()
    }
}

fn read_pointer(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join(POINTER)).ok()?;
    let g = text.trim().to_string();
    (g.starts_with("gen-") && !g.contains(['/', '\\', '.'])).then_some(g)
}

fn write_pointer(root: &Path, generation: &str) -> Result<(), SearchError> {
    let tmp = root.join(format!("{POINTER}.tmp"));
    std::fs::write(&tmp, generation).map_err(|e| SearchError::io(&tmp, e))?;
    if let Ok(f) = std::fs::File::open(&tmp) {
        let _ = f.sync_all();
    }
    std::fs::rename(&tmp, root.join(POINTER)).map_err(|e| SearchError::io(root, e))
}

fn next_generation(root: &Path) -> String {
    let mut n = 0u64;
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            if let Some(v) = e.file_name().to_str().and_then(|s| s.strip_prefix("gen-")).and_then(|s| s.parse().ok()) {
                n = n.max(v);
            }
        }
    }
    format!("gen-{}", n + 1)
}

fn create_generation(root: &Path) -> Result<(String, SearchIndex, SearchIndex), SearchError> {
    let generation = next_generation(root);
    let dir = root.join(&generation);
    let public = SearchIndex::create_in_dir(&dir.join("public"))?;
    let drafts = SearchIndex::create_in_dir(&dir.join("drafts"))?;
    Ok((generation, public, drafts))
}

fn open_generation(root: &Path, generation: &str) -> Result<(SearchIndex, SearchIndex), SearchError> {
    let dir = root.join(generation);
    Ok((SearchIndex::open_in_dir(&dir.join("public"))?, SearchIndex::open_in_dir(&dir.join("drafts"))?))
}

fn load(root: &Path) -> Result<Loaded, SearchError> {
    std::fs::create_dir_all(root).map_err(|e| SearchError::io(root, e))?;
    if let Some(generation) = read_pointer(root)
        && let Ok((public, drafts)) = open_generation(root, &generation)
    {
        let needs_rebuild = public.payload()?.seq.is_none() || drafts.payload()?.seq.is_none();
        return Ok(Loaded {
            generation,
            public: Arc::new(PublicIndex(public)),
            drafts: Arc::new(DraftIndex(drafts)),
            needs_rebuild,
        });
    }
    // Missing or corrupt: a fresh empty generation, filled by a rebuild on the next poll.
    let (generation, public, drafts) = create_generation(root)?;
    write_pointer(root, &generation)?;
    Ok(Loaded {
        generation,
        public: Arc::new(PublicIndex(public)),
        drafts: Arc::new(DraftIndex(drafts)),
        needs_rebuild: true,
    })
}

impl SearchEngine {
    /// Opens the indexes under `root` (the group's index directory). A missing or
    /// corrupt index is replaced by an empty one that the next poll rebuilds.
    pub fn open(root: &Path) -> Result<SearchEngine, SearchError> {
        let loaded = load(root)?;
        Ok(SearchEngine { root: root.to_path_buf(), loaded: RwLock::new(Arc::new(loaded)) })
    }

    fn current(&self) -> Arc<Loaded> {
        match self.loaded.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    fn set(&self, loaded: Loaded) {
        match self.loaded.write() {
            Ok(mut g) => *g = Arc::new(loaded),
            Err(p) => *p.into_inner() = Arc::new(loaded),
        }
    }

    /// The public index (searches).
    pub fn public(&self) -> Arc<PublicIndex> {
        Arc::clone(&self.current().public)
    }

    /// The back-office index.
    pub fn drafts(&self) -> Arc<DraftIndex> {
        Arc::clone(&self.current().drafts)
    }

    /// The live generation's name.
    pub fn generation(&self) -> String {
        self.current().generation.clone()
    }

    /// Whether the indexes are empty placeholders waiting for a rebuild.
    pub fn needs_rebuild(&self) -> bool {
        self.current().needs_rebuild
    }

    /// Picks up a generation switched by another process; returns whether it changed.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        let current = self.current();
        match read_pointer(&self.root) {
            Some(g) if g != current.generation => {
                self.set(load(&self.root)?);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The last outbox seq contained in both indexes (`None` before the first fill).
    pub fn committed_seq(&self) -> Result<Option<i64>, SearchError> {
        let c = self.current();
        let a = c.public.0.payload()?.seq;
        let b = c.drafts.0.payload()?.seq;
        Ok(match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        })
    }
}

/// What a poll did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollReport {
    /// Outbox events read.
    pub events: usize,
    /// Documents written or replaced (both indexes).
    pub upserted: usize,
    /// Documents removed (both indexes).
    pub deleted: usize,
    /// The last seq now in the indexes.
    pub seq: i64,
    /// Another process holds the index writer: nothing was done.
    pub busy: bool,
    /// The indexes were missing, corrupt or outdated and were rebuilt.
    pub rebuilt: bool,
}

/// Progress of a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReindexProgress {
    /// Which index is being filled.
    pub audience: Audience,
    /// Documents added to it so far.
    pub done: u64,
}

/// Result of a rebuild.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReindexReport {
    /// Documents in the public index.
    pub public: u64,
    /// Documents in the back-office index.
    pub drafts: u64,
    /// The outbox seq the rebuild is consistent with.
    pub seq: i64,
    /// The new generation.
    pub generation: String,
}

struct Writers {
    generation: String,
    public: DocWriter,
    drafts: DocWriter,
}

/// Follows the outbox into the engine's indexes (one per process; others get
/// [`PollReport::busy`]).
pub struct Indexer {
    engine: Arc<SearchEngine>,
    writers: Option<Writers>,
    /// Indexing memory of a rebuild, bytes.
    pub rebuild_heap: usize,
    /// Indexing threads of a rebuild.
    pub rebuild_threads: usize,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").field("engine", &self.engine).finish()
    }
}

impl Indexer {
    /// An indexer for `engine`.
    pub fn new(engine: Arc<SearchEngine>) -> Indexer {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        Indexer {
            engine,
            writers: None,
            rebuild_heap: (REBUILD_HEAP_PER_THREAD * threads).min(REBUILD_HEAP_MAX),
            rebuild_threads: threads,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<SearchEngine> {
        &self.engine
    }

    fn writers(&mut self) -> Result<&mut Writers, SearchError> {
        let generation = self.engine.generation();
        if self.writers.as_ref().is_some_and(|w| w.generation != generation) {
            self.writers = None;
        }
        if self.writers.is_none() {
            let public = self.engine.public().0.writer(30_000_000, 1)?;
            let drafts = self.engine.drafts().0.writer(15_000_000, 1)?;
            self.writers = Some(Writers { generation, public, drafts });
        }
        self.writers.as_mut().ok_or_else(|| SearchError::Internal("writers".into()))
    }

    /// Applies every new outbox event, commits, acknowledges. Rebuilds first when the
    /// indexes are missing or corrupt.
    pub fn poll(&mut self, db: &Db, sources: &[&dyn SearchSource]) -> Result<PollReport, SearchError> {
        self.poll_inner(db, sources, true)
    }

    /// Like [`poll`](Self::poll) but without acknowledging the cursor: the state a crash
    /// between the index commit and the cursor save leaves (crash tests).
    pub fn poll_without_ack(&mut self, db: &Db, sources: &[&dyn SearchSource]) -> Result<PollReport, SearchError> {
        self.poll_inner(db, sources, false)
    }

    fn poll_inner(&mut self, db: &Db, sources: &[&dyn SearchSource], ack: bool) -> Result<PollReport, SearchError> {
        self.engine.refresh()?;
        if self.engine.needs_rebuild() {
            let r = match self.reindex(db, sources, &mut |_| {}) {
                Err(SearchError::Busy) => return Ok(PollReport { busy: true, ..Default::default() }),
                other => other?,
            };
            return Ok(PollReport { seq: r.seq, rebuilt: true, ..Default::default() });
        }
        let mut report = PollReport::default();
        let mut from = self.engine.committed_seq()?.unwrap_or(0);
        report.seq = from;
        loop {
            let events = db.outbox_since(from, BATCH)?;
            let Some(last) = events.last().map(|e| e.seq) else { break };
            let w = match self.writers() {
                Ok(w) => w,
                Err(SearchError::Busy) => return Ok(PollReport { busy: true, ..report }),
                Err(e) => return Err(e),
            };
            let mut seen: HashSet<(usize, String)> = HashSet::new();
            let applied = (|| {
                for e in &events {
                    for (i, s) in sources.iter().enumerate() {
                        for key in s.keys_for(e) {
                            if !seen.insert((i, key.clone())) {
                                continue;
                            }
                            for (audience, writer) in
                                [(Audience::Public, &mut w.public), (Audience::BackOffice, &mut w.drafts)]
                            {
                                match s.load(&key, audience)? {
                                    Some(d) => {
                                        writer.upsert(&d)?;
                                        report.upserted += 1;
                                    }
                                    None => {
                                        writer.delete(&key);
                                        report.deleted += 1;
                                    }
                                }
                            }
                        }
                    }
                }
                w.public.commit(Some(last))?;
                w.drafts.commit(Some(last))?;
                Ok::<(), SearchError>(())
            })();
            if let Err(e) = applied {
                // Nothing half-applied stays in the writer; the next poll re-reads.
                let _ = w.public.rollback();
                let _ = w.drafts.rollback();
                return Err(e);
            }
            report.events += events.len();
            report.seq = last;
            from = last;
            self.engine.public().0.reload()?;
            self.engine.drafts().0.reload()?;
            if ack {
                db.outbox_ack(CONSUMER, last)?;
            }
        }
        if ack && report.events == 0 && from > db.outbox_cursor(CONSUMER)? {
            // Committed by an earlier run that crashed before acknowledging.
            db.outbox_ack(CONSUMER, from)?;
        }
        Ok(report)
    }

    /// Rebuilds both indexes from the sources into a new generation and switches to it
    /// atomically; events committed meanwhile are applied by the next poll.
    pub fn reindex(
        &mut self,
        db: &Db,
        sources: &[&dyn SearchSource],
        progress: &mut dyn FnMut(ReindexProgress),
    ) -> Result<ReindexReport, SearchError> {
        let head = db.outbox_head()?;
        let root = self.engine.root.clone();
        let (generation, public, drafts) = create_generation(&root)?;
        let mut report = ReindexReport { seq: head, generation: generation.clone(), ..Default::default() };
        for (audience, index) in [(Audience::Public, &public), (Audience::BackOffice, &drafts)] {
            let mut writer = index.writer(self.rebuild_heap, self.rebuild_threads)?;
            writer.bulk();
            let mut done = 0u64;
            // Sources page through live tables: a key read twice (pages shifted by a
            // concurrent publication) is added once.
            let mut seen: HashSet<String> = HashSet::new();
            for s in sources {
                s.all(audience, &mut |d| {
                    if !seen.insert(d.key.clone()) {
                        return Ok(());
                    }
                    writer.add(&d)?;
                    done += 1;
                    if done.is_multiple_of(1000) {
                        progress(ReindexProgress { audience, done });
                    }
                    Ok(())
                })?;
            }
            progress(ReindexProgress { audience, done });
            writer.commit(Some(head))?;
            writer.merge_into(self.rebuild_threads)?;
            writer.finish()?;
            match audience {
                Audience::Public => report.public = done,
                Audience::BackOffice => report.drafts = done,
            }
        }
        drop((public, drafts));
        let old = self.engine.generation();
        self.writers = None;
        write_pointer(&root, &generation)?;
        self.engine.set(load(&root)?);
        if old != generation {
            let _ = std::fs::remove_dir_all(root.join(&old));
        }
        if head > db.outbox_cursor(CONSUMER)? {
            db.outbox_ack(CONSUMER, head)?;
        }
        Ok(report)
    }
}
