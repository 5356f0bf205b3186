//! Hot queries (热搜词): the only SQL of this crate. Portable SQL for both drivers.
//!
//! Each public search with text is one row `(site, normalised query, time)`; the hot
//! list of a window is a `GROUP BY`. Rows older than [`KEEP_SECONDS`] are pruned when
//! recording, so the table stays small.

use sitegroup_store::{Db, Migration, StoreError, params};
use sitegroup_text::fold::fold;

/// Rows are kept this long (90 days).
pub const KEEP_SECONDS: i64 = 90 * 86_400;
/// Longest query recorded, in characters.
const MAX_CHARS: usize = 60;

/// The migrations of module `search`.
pub fn migrations() -> Vec<Migration> {
    vec![Migration {
        module: "search",
        version: 1,
        name: "search query log for hot queries",
        sql: "CREATE TABLE search_queries (
            id {{id}},
            site_id BIGINT NULL,
            query TEXT NOT NULL,
            at BIGINT NOT NULL
        );
        CREATE INDEX search_queries_at ON search_queries (at);
        CREATE INDEX search_queries_site_at ON search_queries (site_id, at);",
        postgres_sql: None,
    }]
}

/// The form a query is counted under: folded, spaces collapsed, at most 60 characters.
pub fn normalise(query: &str) -> String {
    let folded = fold(query);
    let words: Vec<&str> = folded.split_whitespace().collect();
    words.join(" ").chars().take(MAX_CHARS).collect()
}

/// Records one search of `query` on `site` (`None`: the whole group) at `at`.
pub fn record(db: &Db, site: Option<i64>, query: &str, at: i64) -> Result<(), StoreError> {
    let q = normalise(query);
    if q.is_empty() {
        return Ok(());
    }
    db.write(|tx| {
        tx.execute("INSERT INTO search_queries (site_id, query, at) VALUES (?, ?, ?)", params![site, q, at])?;
        // Prune now and then (cheap with the index on `at`).
        if at % 97 == 0 {
            tx.execute("DELETE FROM search_queries WHERE at < ?", params![at - KEEP_SECONDS])?;
        }
        Ok(())
    })
}

/// The most searched queries since `since`, most first: on `site`, or across the group
/// (every site and group-wide searches) for `None`.
pub fn hot(db: &Db, site: Option<i64>, since: i64, limit: usize) -> Result<Vec<(String, i64)>, StoreError> {
    let limit = i64::try_from(limit.clamp(1, 100)).unwrap_or(10);
    db.read(|tx| {
        let rows = match site {
            Some(s) => tx.query(
                "SELECT query, COUNT(*) AS n FROM search_queries WHERE site_id = ? AND at >= ? \
                 GROUP BY query ORDER BY n DESC, query LIMIT ?",
                params![s, since, limit],
            )?,
            None => tx.query(
                "SELECT query, COUNT(*) AS n FROM search_queries WHERE at >= ? \
                 GROUP BY query ORDER BY n DESC, query LIMIT ?",
                params![since, limit],
            )?,
        };
        rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
    })
}
