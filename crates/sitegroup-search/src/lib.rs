//! Chinese full-text search (全文检索) for the whole site group, on tantivy, fed by the
//! outbox.
//!
//! **What it owns.** The analysis of Chinese text for search ([`analysis`]: folding via
//! `sitegroup-text`, jieba words for ranking, Han unigrams + bigrams for substring
//! recall, ASCII words and numbers), the index schema ([`index`]), the two indexes of a
//! group on disk and the outbox follower ([`engine`]: [`SearchEngine`], [`Indexer`]),
//! queries with filters, grouped counts, highlighting, synonyms and "did you mean"
//! ([`query`]), pinyin suggestions ([`suggest`]), the registration trait
//! ([`SearchSource`]) and the hot-query log ([`repo`]).
//!
//! **What it must never do.** Decide permissions (the caller turns `authorize` into a
//! [`DraftScope`]), read content tables itself (sources load documents), speak HTTP, or
//! put a document loaded for the back office into the public index.
//!
//! **Invariants.**
//! - The public index ([`PublicIndex`]) holds only what sources return for
//!   [`Audience::Public`]; the back-office index ([`DraftIndex`]) is separate and can
//!   only be searched with a [`DraftScope`].
//! - Any run of two or more Han characters in a title or body (after folding) finds the
//!   document, whatever the segmentation.
//! - Token offsets point into the original text; highlights show it as written.
//! - Each index's commit payload holds the last outbox seq it contains; polls resume
//!   from it, so a crash at any point leaves a usable index that catches up.
#![warn(missing_docs)]

pub mod analysis;
mod cells;
pub mod engine;
pub mod highlight;
pub mod index;
pub mod query;
pub mod repo;
pub mod source;
pub mod suggest;
pub mod synonyms;
pub mod testing;

use std::path::Path;

pub use engine::{
    CONSUMER, DraftIndex, Indexer, PollReport, PublicIndex, ReindexProgress, ReindexReport, SearchEngine,
};
pub use index::{DocWriter, SearchIndex};
pub use query::{DraftScope, SearchHit, SearchQuery, SearchResults, Sort};
pub use repo::migrations;
pub use source::{Audience, DisclosureFields, SearchDoc, SearchSource};
pub use suggest::{NameEntry, Suggestion};
pub use synonyms::Synonyms;

/// Errors of search. [`SearchError::Busy`] and [`SearchError::Source`] may be passed
/// on; the rest are ours (storage, index files).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// Another process holds the index writer (it is indexing); try later.
    #[error("the search index is being written by another process")]
    Busy,
    /// The index is missing, unreadable or of another version (it is rebuilt).
    #[error("search index unusable: {0}")]
    Corrupt(String),
    /// A source failed to load documents.
    #[error("search source: {0}")]
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// tantivy failed.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The database failed.
    #[error("storage error: {0}")]
    Store(#[from] sitegroup_store::StoreError),
    /// A file or directory could not be used.
    #[error("file error at {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Something that should not happen.
    #[error("internal search error: {0}")]
    Internal(String),
}

impl SearchError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> SearchError {
        SearchError::Io { path: path.display().to_string(), source }
    }

    /// A source's error.
    pub fn source(e: impl std::error::Error + Send + Sync + 'static) -> SearchError {
        SearchError::Source(Box::new(e))
    }
}

impl From<tantivy::directory::error::OpenReadError> for SearchError {
    fn from(e: tantivy::directory::error::OpenReadError) -> Self {
        SearchError::Tantivy(e.into())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::Io { path: String::new(), source: e }
    }
}
