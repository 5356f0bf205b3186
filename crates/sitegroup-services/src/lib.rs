//! Online services (网上办事): the catalogue of service items (办事事项) by audience,
//! life event, theme and responsible unit; the guide (办事指南) of each item with the
//! elements inspectors require and a completeness check; policy Q&A (政策问答); the forms
//! library (表格下载); online queries (在线查询) through providers.
//!
//! **What it owns.** The item, guide, Q&A, form and query-definition models and their
//! validation ([`model`]); the guide completeness rules as a pure function
//! ([`guide::check`]); the query provider trait, input validation, the demo providers
//! and the rate-limit rule ([`query`]); and the SQL for all of it ([`repo`],
//! [`migrations`]).
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize` before
//! every read and write), speak HTTP, read the clock (times come in as arguments), or
//! store what a citizen typed into an online query: the only trace of a query is a
//! per-window counter keyed by a salted hash of the client address, and the audit
//! entry the facade writes (which names the query, never the input).
//!
//! **Invariants.**
//! - Item codes and query codes are unique (unique indexes).
//! - A guide's completeness is always computed from the guide itself by
//!   [`guide::check`]; nothing stores a verdict that could go stale.
//! - Rate-limit counters live in the database (`services_query_hits`), so a limit holds
//!   across processes and nodes; a counter row holds a query id, a window start, a
//!   salted hash and a count — nothing that identifies a person.
#![warn(missing_docs)]

pub mod guide;
pub mod model;
pub mod query;
pub mod repo;

pub use guide::{Completeness, GuideElement};
pub use model::{
    Audience, Form, Guide, Item, LifeEvent, Material, NewForm, NewItem, NewQa, NewQueryDef, Qa, QueryDef, QueryEdit,
    ValidItem,
};
pub use query::{
    FieldError, FieldKind, FieldProblem, ProviderRegistry, QueryColumn, QueryField, QueryInput, QueryProvider,
    QueryResult,
};

use sitegroup_store::StoreError;

/// Errors of the services rules. All but [`ServicesError::Store`],
/// [`ServicesError::Provider`] and [`ServicesError::Internal`] are the user's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServicesError {
    /// A field failed a check (empty, too long, malformed …).
    #[error(transparent)]
    Invalid(#[from] sitegroup_core::ValidationError),
    /// No such item, Q&A entry, form or query (or not public).
    #[error("{what} {key} not found")]
    NotFound {
        /// `item`, `qa`, `form`, `query`.
        what: &'static str,
        /// The id or code asked for.
        key: String,
    },
    /// The unit code is unknown.
    #[error("unknown unit {0:?}")]
    UnknownUnit(String),
    /// A code is already used.
    #[error("{what} code {code:?} is already used")]
    DuplicateCode {
        /// `item` or `query`.
        what: &'static str,
        /// The code.
        code: String,
    },
    /// A life event that does not belong to the item's audience (a person's birth on
    /// an enterprise item).
    #[error("life event {event} does not fit audience {audience}")]
    LifeEventMismatch {
        /// The audience.
        audience: &'static str,
        /// The life event.
        event: &'static str,
    },
    /// A material or form points at a document attachment that does not exist.
    #[error("document {document} has no attachment {attachment}")]
    MissingAttachment {
        /// Content document id.
        document: i64,
        /// Attachment number (from 1).
        attachment: i64,
    },
    /// A form's document is not on a site of the form's unit (nor on one where the
    /// actor may edit): a form downloads from its own site's documents.
    #[error("document {document} is not on a site of the form's unit")]
    ForeignDocument {
        /// Content document id.
        document: i64,
    },
    /// A form cannot be removed while guides list it among their materials.
    #[error("form {form} is a material of items {items:?}")]
    FormInUse {
        /// The form.
        form: i64,
        /// The items whose guides point at it.
        items: Vec<i64>,
    },
    /// The input of an online query failed validation; one entry per bad field.
    #[error("query input rejected ({} field(s))", .0.len())]
    InputRejected(Vec<FieldError>),
    /// Too many queries from this address, or for this query, in the current window.
    #[error("too many queries; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until the window ends.
        retry_after: i64,
    },
    /// The query names a provider that is not registered.
    #[error("no provider {0:?} is registered")]
    UnknownProvider(String),
    /// The provider (a back end) failed.
    #[error("query provider failed: {0}")]
    Provider(String),
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// Something that should not happen (randomness unavailable).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServicesError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ServicesError::Store(_) | ServicesError::Provider(_) | ServicesError::Internal(_))
    }
}

/// This crate's migrations (module `services`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![
        sitegroup_store::Migration {
            module: "services",
            version: 1,
            name: "service items, Q&A, forms, query definitions, query rate counters",
            sql: "CREATE TABLE services_items (
            id {{id}},
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            audience TEXT NOT NULL,
            life_events TEXT NOT NULL,
            theme TEXT NOT NULL,
            unit_id BIGINT NOT NULL REFERENCES units(id),
            guide TEXT NOT NULL,
            published BIGINT NOT NULL,
            sort BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX services_items_code ON services_items (code);
        CREATE INDEX services_items_unit ON services_items (unit_id);
        CREATE INDEX services_items_audience ON services_items (published, audience);
        CREATE TABLE services_qa (
            id {{id}},
            item_id BIGINT REFERENCES services_items(id),
            unit_id BIGINT NOT NULL REFERENCES units(id),
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            published BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX services_qa_item ON services_qa (item_id);
        CREATE INDEX services_qa_unit ON services_qa (unit_id);
        CREATE TABLE services_forms (
            id {{id}},
            item_id BIGINT REFERENCES services_items(id),
            unit_id BIGINT NOT NULL REFERENCES units(id),
            name TEXT NOT NULL,
            document_id BIGINT NOT NULL,
            attachment BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX services_forms_item ON services_forms (item_id);
        CREATE INDEX services_forms_unit ON services_forms (unit_id);
        CREATE TABLE services_queries (
            id {{id}},
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            unit_id BIGINT NOT NULL REFERENCES units(id),
            provider TEXT NOT NULL,
            description TEXT NOT NULL,
            per_address BIGINT NOT NULL,
            per_query BIGINT NOT NULL,
            window_seconds BIGINT NOT NULL,
            published BIGINT NOT NULL,
            sort BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX services_queries_code ON services_queries (code);
        CREATE TABLE services_query_hits (
            query_id BIGINT NOT NULL REFERENCES services_queries(id),
            address_hash TEXT NOT NULL,
            window_start BIGINT NOT NULL,
            n BIGINT NOT NULL,
            PRIMARY KEY (query_id, address_hash, window_start)
        );",
            postgres_sql: None,
        },
        sitegroup_store::Migration {
            module: "services",
            version: 2,
            name: "forms can be hidden and remember their last change",
            sql: "ALTER TABLE services_forms ADD COLUMN published BIGINT NOT NULL DEFAULT 1;
        ALTER TABLE services_forms ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
        UPDATE services_forms SET updated_at = created_at;
        CREATE INDEX services_queries_unit ON services_queries (unit_id);",
            postgres_sql: None,
        },
    ]
}
