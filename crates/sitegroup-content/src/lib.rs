//! Documents (文档) of each site: kinds (article, photo report, video news, download,
//! external link, disclosure item), the publishing workflow with the confidentiality
//! review (保密审查), revisions and their comparison, disclosure index numbers (索引号),
//! syndication between sites (信息报送) and attachments.
//!
//! **What it owns.** The document model and its validation ([`model`]), the workflow as
//! one pure function ([`workflow::apply`]), index-number patterns ([`index`]), revision
//! comparison ([`compare`]), the file store and upload checks ([`files`]), syndication
//! records ([`syndication`]), and the SQL for all of these ([`repo`], [`migrations`]).
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize` before
//! every read of drafts and every write), speak HTTP, read the system clock (times come
//! in as arguments), or sanitise and check text itself (that is `sitegroup-text`'s).
//!
//! **Invariants.**
//! - Public reads (`repo::public_*`, `repo::catalogue`) return only a document's
//!   `published_rev`, and `published_rev` only ever points at a revision that was signed
//!   off while it was the working revision: editing a published document leaves the
//!   reviewed text in public until the new revision is reviewed and published.
//! - Withdrawn and archived documents have no `published_rev`: no public read sees them.
//! - Every save is kept as a revision; nothing is updated in place but the workflow
//!   pointers and a revision's findings (written at submit).
//! - Index numbers are unique (unique index), drawn from an atomic per-unit counter in
//!   the publishing transaction.
#![warn(missing_docs)]

pub mod compare;
pub mod files;
pub mod index;
pub mod model;
pub mod repo;
pub mod syndication;
pub mod workflow;

pub use model::{
    Attachment, CatalogueFacets, CatalogueFilter, ColumnActivity, DisclosureMeta, DocFields, DocInput, DocKind,
    Document, DocumentForm, Page, PhotoImage, PublicDocument, Review, Revision, SourceLink, Validity,
};
pub use syndication::{Syndication, SyndicationCount, SyndicationState};
pub use workflow::{Command, DocState, Flow};

/// Errors of the content rules. All but [`ContentError::Io`] are the user's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// A field or rule check failed.
    #[error(transparent)]
    Invalid(#[from] sitegroup_core::ValidationError),
    /// A field is larger than allowed (bytes).
    #[error("{field} is too large ({size} bytes, at most {max})")]
    TooLarge {
        /// The field.
        field: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The workflow does not allow this step from the current state.
    #[error("cannot {action} a document in state {}", .from.as_str())]
    IllegalTransition {
        /// The current state.
        from: DocState,
        /// The step asked for.
        action: &'static str,
    },
    /// The column belongs to another site, or a document to another column.
    #[error("column {column} does not belong to this site")]
    WrongSite {
        /// The column.
        column: i64,
    },
    /// The column takes no documents: archived, or of a kind without documents (link).
    #[error("column {column} takes no documents: {reason}")]
    ColumnClosed {
        /// The column.
        column: i64,
        /// Why (`archived`, `link column` …).
        reason: String,
    },
    /// A document's kind cannot change between revisions.
    #[error("a {from} cannot become a {to}")]
    KindChange {
        /// Current kind.
        from: &'static str,
        /// Kind asked for.
        to: &'static str,
    },
    /// The document is not published (syndication needs a published source).
    #[error("document {0} is not published")]
    NotPublished(i64),
    /// The index-number pattern setting is malformed.
    #[error("index number pattern {pattern:?}: {reason}")]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// The word lists in the data directory are malformed (the operator's to fix).
    #[error("check word lists: {0}")]
    CheckConfig(String),
    /// An upload is larger than the limit.
    #[error("file is too large ({size} bytes, at most {max})")]
    FileTooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// An upload's type is not allowed or does not match its extension.
    #[error("file {name:?} refused: {reason}")]
    FileRejected {
        /// File name.
        name: String,
        /// Why.
        reason: String,
    },
    /// An image could not be decoded or encoded (thumbnails).
    #[error("image: {0}")]
    Image(String),
    /// The file store failed (ours).
    #[error("file store error at {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

impl ContentError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ContentError::Io { .. })
    }
}

/// This module's migrations (run by the facade on open).
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "content",
        version: 1,
        name: "documents, revisions, reviews, index counters, syndication",
        sql: "CREATE TABLE content_documents (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            column_id BIGINT NOT NULL REFERENCES site_columns(id),
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            current_rev BIGINT NOT NULL,
            reviewed_rev BIGINT,
            published_rev BIGINT,
            scheduled_at BIGINT,
            first_published_at BIGINT,
            published_at BIGINT,
            display_time BIGINT,
            index_number TEXT,
            date_flag_days BIGINT,
            disc_category TEXT,
            disc_organ TEXT,
            disc_year BIGINT,
            source_doc BIGINT REFERENCES content_documents(id),
            source_rev BIGINT,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX content_documents_index_number ON content_documents (index_number);
        CREATE INDEX content_documents_public ON content_documents (site_id, column_id, published_rev, display_time);
        CREATE INDEX content_documents_site_state ON content_documents (site_id, state);
        CREATE INDEX content_documents_scheduled ON content_documents (state, scheduled_at);
        CREATE TABLE content_revisions (
            id {{id}},
            doc_id BIGINT NOT NULL REFERENCES content_documents(id),
            number BIGINT NOT NULL,
            title TEXT NOT NULL,
            fields TEXT NOT NULL,
            findings TEXT NOT NULL,
            author TEXT NOT NULL,
            author_user BIGINT,
            created_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX content_revisions_number ON content_revisions (doc_id, number);
        CREATE TABLE content_reviews (
            id {{id}},
            doc_id BIGINT NOT NULL REFERENCES content_documents(id),
            revision_id BIGINT NOT NULL REFERENCES content_revisions(id),
            approved BIGINT NOT NULL,
            reviewer TEXT NOT NULL,
            reviewer_user BIGINT,
            note TEXT NOT NULL,
            at BIGINT NOT NULL
        );
        CREATE INDEX content_reviews_doc ON content_reviews (doc_id);
        CREATE TABLE content_index_counters (
            unit_key TEXT NOT NULL,
            year BIGINT NOT NULL,
            n BIGINT NOT NULL,
            PRIMARY KEY (unit_key, year)
        );
        CREATE TABLE content_syndications (
            id {{id}},
            source_doc BIGINT NOT NULL REFERENCES content_documents(id),
            source_rev BIGINT NOT NULL,
            from_site BIGINT NOT NULL REFERENCES sites(id),
            to_site BIGINT NOT NULL REFERENCES sites(id),
            to_column BIGINT NOT NULL REFERENCES site_columns(id),
            state TEXT NOT NULL,
            reason TEXT,
            copy_doc BIGINT REFERENCES content_documents(id),
            submitted_by TEXT NOT NULL,
            submitted_at BIGINT NOT NULL,
            decided_by TEXT,
            decided_at BIGINT
        );
        CREATE INDEX content_syndications_to ON content_syndications (to_site, state);
        CREATE INDEX content_syndications_from ON content_syndications (from_site, submitted_at);",
        postgres_sql: None,
    }, sitegroup_store::Migration {
        module: "content",
        version: 2,
        name: "ordered partial indexes for public pages",
        sql: "CREATE INDEX content_documents_column_order ON content_documents (site_id, column_id, display_time, id) \
                  WHERE published_rev IS NOT NULL;
              CREATE INDEX content_documents_site_order ON content_documents (site_id, display_time, id) \
                  WHERE published_rev IS NOT NULL;",
        postgres_sql: None,
    }]
}
