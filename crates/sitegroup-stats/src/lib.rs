//! Visit analytics (访问统计): page views recorded cheaply, a visitor key that is a
//! salted hash rotated daily (a raw IP address is never stored), daily aggregates per
//! site, column and document, distinct visitors per day and over ranges, and the
//! publishing volume (发布量) read from the content tables.
//!
//! **What it owns.** The tables `stats_views` (one row per counted page view),
//! `stats_salts` (one random salt per Beijing day, deleted once the day is closed),
//! `stats_daily` (the daily aggregates), `stats_daily_referrers` and `stats_daily_terms`
//! (the daily top referrer hosts and site search terms, with an "other" remainder) and
//! `stats_days_done` (days whose aggregates are final, with the version of those
//! aggregates); the pure rules in [`stats`] (day numbers, the visitor key, the bot list,
//! referrer hosts, the retention setting) and the SQL over those tables.
//!
//! **What it must never do.** Store a raw IP address or a raw User-Agent (only the
//! salted, truncated hash [`stats::visitor_key`] leaves this crate's input), read the
//! system clock (times come in as arguments), check permissions (the facade does), or
//! write to another module's tables (content and site tables are read only).
//!
//! **Invariants.** A visitor key is only comparable within one day: the salt changes
//! every day and is forgotten when the day is closed, so nobody — not even an operator
//! with the database — can recompute a key from an address afterwards. Aggregating a day
//! is idempotent (its rows are deleted and rebuilt in one transaction). Raw page views
//! are only ever purged for days whose aggregates are final and complete
//! ([`stats::AGGREGATES_VERSION`]); an un-aggregated day keeps every raw row.
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
    /// A `stats.*` setting is unknown or its value is out of range.
    #[error("bad setting {key} = {value:?}")]
    BadSetting {
        /// The setting's key.
        key: String,
        /// The refused value.
        value: String,
    },
}

impl StatsError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        matches!(self, StatsError::BadRange { .. } | StatsError::BadSetting { .. })
    }
}

/// This crate's migrations (module `stats`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![
        sitegroup_store::Migration {
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
        },
        sitegroup_store::Migration {
            module: "stats",
            version: 2,
            name: "daily referrer hosts and search terms, aggregate version of closed days",
            // Days closed before this migration keep `aggregates = 1`: the next aggregation
            // run backfills their referrer and term rows from the raw views (which no purge
            // has touched, since purging needs `aggregates = 2`) and raises them to 2.
            sql: "CREATE TABLE stats_daily_referrers (
            day BIGINT NOT NULL,
            site_id BIGINT NOT NULL,
            host TEXT NOT NULL,
            views BIGINT NOT NULL,
            visitors BIGINT NOT NULL,
            PRIMARY KEY (day, site_id, host)
        );
        CREATE INDEX stats_daily_referrers_site ON stats_daily_referrers (site_id, day);
        CREATE TABLE stats_daily_terms (
            day BIGINT NOT NULL,
            site_id BIGINT NOT NULL,
            terms TEXT NOT NULL,
            views BIGINT NOT NULL,
            visitors BIGINT NOT NULL,
            PRIMARY KEY (day, site_id, terms)
        );
        CREATE INDEX stats_daily_terms_site ON stats_daily_terms (site_id, day);
        ALTER TABLE stats_days_done ADD COLUMN aggregates BIGINT NOT NULL DEFAULT 1;",
            postgres_sql: None,
        },
        sitegroup_store::Migration {
            module: "stats",
            version: 3,
            name: "partial indexes over referred and searched page views",
            // Covering, and only over the views that have a referrer (search terms): the
            // daily referrer and term aggregation and today's dashboard lists read these
            // instead of every view of the day.
            sql: "CREATE INDEX stats_views_referrers ON stats_views (day, referrer_host, site_id, visitor)
            WHERE referrer_host IS NOT NULL;
        CREATE INDEX stats_views_terms ON stats_views (day, search_terms, site_id, visitor)
            WHERE search_terms IS NOT NULL;",
            postgres_sql: None,
        },
    ]
}
