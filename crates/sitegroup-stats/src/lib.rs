//! Visit analytics (访问统计): page views recorded cheaply, a visitor key that is a
//! salted hash rotated daily (a raw IP address is never stored), daily aggregates per
//! site, column and document, distinct visitors per day and over ranges, and the
//! publishing volume (发布量) read from the content tables.
//!
//! **What it owns.** The tables `stats_views` (one row per counted page view),
//! `stats_salts` (one random salt per Beijing day, deleted once the day is closed),
//! `stats_daily` (the daily aggregates) and `stats_days_done` (days whose aggregates
//! are final); the pure rules in [`stats`] (day numbers, the visitor key, the bot list,
//! referrer hosts) and the SQL over those tables.
//!
//! **What it must never do.** Store a raw IP address or a raw User-Agent (only the
//! salted, truncated hash [`stats::visitor_key`] leaves this crate's input), read the
//! system clock (times come in as arguments), check permissions (the facade does), or
//! write to another module's tables (content and site tables are read only).
//!
//! **Invariants.** A visitor key is only comparable within one day: the salt changes
//! every day and is forgotten when the day is closed, so nobody — not even an operator
//! with the database — can recompute a key from an address afterwards. Aggregating a day
//! is idempotent (its rows are deleted and rebuilt in one transaction).
#![warn(missing_docs)]

pub mod stats;

use sitegroup_store::StoreError;

/// Errors of the analytics rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// A date range is empty, reversed or longer than [`stats::MAX_RANGE_DAYS`].
    #[error("bad date range: {from} .. {to}")]
    BadRange {
        /// First day asked for (`YYYY-MM-DD`).
        from: String,
        /// Last day asked for (`YYYY-MM-DD`).
        to: String,
    },
    /// The operating system could not give randomness for a day's salt (ours).
    #[error("no randomness for the visitor salt: {0}")]
    Random(String),
}

impl StatsError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        matches!(self, StatsError::BadRange { .. })
    }
}

/// This crate's migrations (module `stats`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "stats",
        version: 1,
        name: "page views, daily salts, daily aggregates",
        sql: "CREATE TABLE stats_views (
            id {{id}},
            site_id BIGINT NOT NULL,
            column_id BIGINT,
            doc_id BIGINT,
            at BIGINT NOT NULL,
            day BIGINT NOT NULL,
            visitor TEXT NOT NULL,
            referrer_host TEXT,
            search_terms TEXT
        );
        CREATE INDEX stats_views_day ON stats_views (day, site_id);
        CREATE TABLE stats_salts (
            day BIGINT NOT NULL PRIMARY KEY,
            salt TEXT NOT NULL
        );
        CREATE TABLE stats_daily (
            day BIGINT NOT NULL,
            site_id BIGINT NOT NULL,
            column_id BIGINT NOT NULL,
            doc_id BIGINT NOT NULL,
            views BIGINT NOT NULL,
            visitors BIGINT NOT NULL,
            PRIMARY KEY (day, site_id, column_id, doc_id)
        );
        CREATE INDEX stats_daily_site ON stats_daily (site_id, day);
        CREATE TABLE stats_days_done (
            day BIGINT NOT NULL PRIMARY KEY,
            at BIGINT NOT NULL
        );",
        postgres_sql: None,
    }]
}
