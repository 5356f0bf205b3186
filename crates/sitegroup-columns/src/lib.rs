//! Columns (栏目) of each site: the tree, kinds, slugs and paths, order and visibility,
//! owners (栏目更新责任制), update duties and their health.
//!
//! **What it owns.** The pure rules — kinds ([`ColumnKind`]), pinyin slugs and their
//! uniqueness ([`slug`]), placing and moving columns with the paths a move rewrites
//! ([`tree`]), owners ([`owner`]), update duties ([`Duty`]) and the health of a site's
//! columns against the inspection's veto thresholds ([`health`]) — and their
//! persistence in [`repo`] (tables `site_columns`, `column_owners`,
//! `column_redirects`; settings keys `columns.min_daily_rate.<site id>`).
//!
//! **What it must never do.** Decide a permission (the facade calls
//! `sitegroup_core::authorize` before anything here), read another module's tables
//! (publishing activity comes in as [`ColumnActivity`] values), read the clock (time
//! is a parameter), or write SQL outside [`repo`].
//!
//! **Invariants.**
//! - A column's `path` is its parent's path plus `/` plus its slug; paths are unique
//!   per site (a unique index backs the check), so slugs are unique under a parent.
//! - Renaming changes the name, never the slug. Changing the slug or moving a column
//!   rewrites its path and every descendant's, and records each old path in
//!   `column_redirects`, so an old URL keeps leading to the column
//!   ([`tree::ColumnLookup::Redirect`]). A live path always wins over a redirect.
//! - The tree has no cycle, never spans two sites, is at most [`tree::MAX_DEPTH`] deep,
//!   and a link column has no children.
//! - Columns are archived, never deleted: documents keep referring to them, and the
//!   slug stays taken under its parent.
//!
//! ```
//! use sitegroup_columns::{slug::slugify, Duty};
//! assert_eq!(slugify("新闻动态"), "xinwendongtai");
//! assert_eq!(Duty::parse("news").unwrap().period_days(), Some(14));
//! ```

pub mod duty;
pub mod health;
pub mod kind;
pub mod owner;
pub mod repo;
pub mod slug;
pub mod tree;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sitegroup_core::SiteId;

pub use duty::Duty;
pub use health::{ColumnActivity, ColumnHealth, HealthThresholds, RateCheck, SiteHealth, Veto, site_health};
pub use kind::ColumnKind;
pub use owner::Owner;
pub use tree::{ColumnChange, ColumnFields, ColumnLookup, NewColumn};

/// Errors of the column rules. All are the user's fault (bad input or a refused
/// change); storage failures travel as `StoreError` through the facade.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnError {
    /// A field or rule check failed.
    #[error(transparent)]
    Invalid(#[from] sitegroup_core::ValidationError),
    /// The column does not exist (in this site).
    #[error("column {0} not found")]
    NotFound(i64),
    /// The parent column does not exist.
    #[error("parent column {0} not found")]
    UnknownParent(i64),
    /// The parent (or the column moved) belongs to another site.
    #[error("column {column} belongs to another site than {site}")]
    WrongSite {
        /// The column named.
        column: i64,
        /// The site the operation is on.
        site: SiteId,
    },
    /// The move would put a column under itself or one of its descendants.
    #[error("column {column} cannot move under {parent}: that is inside it")]
    Cycle {
        /// The column moved.
        column: i64,
        /// The parent asked for.
        parent: i64,
    },
    /// The tree would be deeper than allowed.
    #[error("columns may nest at most {max} levels deep")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A column of this kind cannot have sub-columns.
    #[error("a {kind} column cannot have sub-columns")]
    NoChildren {
        /// The parent's kind.
        kind: String,
    },
    /// The column (or the parent) is archived.
    #[error("column {0} is archived")]
    Archived(i64),
    /// The column still has live sub-columns (archive them first).
    #[error("column {0} still has sub-columns")]
    HasChildren(i64),
    /// The slug has the wrong shape.
    #[error("slug {slug:?} is malformed: {reason}")]
    BadSlug {
        /// The slug typed.
        slug: String,
        /// What is wrong.
        reason: String,
    },
    /// The slug is reserved for the portal's own routes.
    #[error("slug {0:?} is reserved")]
    ReservedSlug(String),
    /// A sibling already has this slug.
    #[error("a column with slug {slug:?} already exists there")]
    DuplicateSlug {
        /// The slug.
        slug: String,
    },
    /// The kind is unknown.
    #[error("unknown column kind {0:?}")]
    BadKind(String),
    /// The duty does not parse (`news|notice|personnel|static|<N>d`).
    #[error("unknown update duty {0:?} (use news, notice, personnel, static or <N>d)")]
    BadDuty(String),
    /// A field that does not belong to the kind was given, or a required one is missing.
    #[error("field {field} does not fit a {kind} column")]
    KindField {
        /// The kind.
        kind: String,
        /// The field.
        field: &'static str,
    },
    /// Too many owners.
    #[error("at most {max} owners per column")]
    TooManyOwners {
        /// The limit.
        max: usize,
    },
    /// The same person is named twice.
    #[error("owner {0} is named twice")]
    DuplicateOwner(String),
}

/// 栏目 (column): a section of a site, in a tree per site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Database id.
    pub id: i64,
    /// The site it belongs to.
    pub site: SiteId,
    /// Parent column, `None` at the top of the site.
    pub parent: Option<i64>,
    /// Kind as stored, e.g. `list`, `single_page`, `link`, `topic`, `disclosure`
    /// (parsed by [`Column::kind`]).
    pub kind: String,
    /// Display name, e.g. 政务动态.
    pub name: String,
    /// URL segment under the parent, e.g. `zwdt`.
    pub slug: String,
    /// Full path within the site, e.g. `/xxgk/zwdt`.
    pub path: String,
    /// Sort key among its siblings (ascending, then by id).
    pub position: i64,
    /// Hidden from navigation (still reachable by path).
    pub hidden: bool,
    /// Update duty.
    pub duty: Duty,
    /// Link columns: the external URL.
    pub link_url: Option<String>,
    /// Topic columns: banner image URL or file key.
    pub banner: Option<String>,
    /// Topic columns: first day.
    pub starts_on: Option<NaiveDate>,
    /// Topic columns: last day.
    pub ends_on: Option<NaiveDate>,
    /// When archived (unix seconds); archived columns are out of navigation, paths
    /// and health.
    pub archived_at: Option<i64>,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last changed, unix seconds.
    pub updated_at: i64,
}

impl Column {
    /// The kind, parsed; a stored name this build does not know (written by a newer
    /// module) comes back as [`ColumnKind::Other`].
    pub fn kind(&self) -> ColumnKind {
        ColumnKind::parse(&self.kind).unwrap_or_else(|_| ColumnKind::Other(self.kind.clone()))
    }

    /// Depth in the tree (1 at the top).
    pub fn depth(&self) -> usize {
        tree::depth_of(&self.path)
    }

    /// Whether the column is live (not archived). Navigation also drops hidden columns
    /// and everything under them: see [`tree::navigation`].
    pub fn is_live(&self) -> bool {
        self.archived_at.is_none()
    }
}

/// This module's migrations (run by the facade on open).
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "columns",
        version: 1,
        name: "site columns, owners, redirects",
        sql: "CREATE TABLE site_columns (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            parent_id BIGINT REFERENCES site_columns(id),
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            slug TEXT NOT NULL,
            path TEXT NOT NULL,
            position BIGINT NOT NULL DEFAULT 0,
            hidden BIGINT NOT NULL DEFAULT 0,
            duty TEXT NOT NULL DEFAULT 'static',
            link_url TEXT,
            banner TEXT,
            starts_on TEXT,
            ends_on TEXT,
            archived_at BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX site_columns_path ON site_columns (site_id, path);
        CREATE INDEX site_columns_parent ON site_columns (site_id, parent_id, position);
        CREATE TABLE column_owners (
            id {{id}},
            column_id BIGINT NOT NULL REFERENCES site_columns(id),
            position BIGINT NOT NULL,
            user_id BIGINT REFERENCES users(id),
            name TEXT NOT NULL,
            phone TEXT
        );
        CREATE INDEX column_owners_column ON column_owners (column_id, position);
        CREATE TABLE column_redirects (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            old_path TEXT NOT NULL,
            column_id BIGINT NOT NULL REFERENCES site_columns(id),
            created_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX column_redirects_path ON column_redirects (site_id, old_path);",
        postgres_sql: None,
    }]
}
