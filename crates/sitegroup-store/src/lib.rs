//! The database edge of sitegroup: the only crate that knows the drivers.
//!
//! **What it owns.** Connections and pools for embedded SQLite (the default: bundled,
//! WAL, `foreign_keys = ON`, 5 s busy timeout, `synchronous = NORMAL`) and PostgreSQL
//! (feature `postgres`); transactions ([`Db::write`], [`Db::read`], [`Tx`]); portable
//! values ([`Value`], [`Row`], [`params!`]); per-module migrations with dialect tokens
//! ([`Migration`], [`DDL_TOKENS`]); the outbox of change events and its consumer
//! cursors ([`Tx::outbox_append`], [`Db::outbox_read`], [`Db::outbox_ack`]); typed
//! constraint errors ([`StoreError`]); and test fixtures running one test on both
//! drivers ([`testing`]). `core_repo` persists `sitegroup-core`'s entities.
//!
//! **What it must never do.** Hold domain rules (permissions, workflows, deadlines live
//! in the module crates as pure functions), know HTTP, or start an async runtime: every
//! call is synchronous and may block, and async hosts wrap it in `spawn_blocking`.
//! Module crates never see a driver type; they write plain SQL through [`Tx`].
//!
//! **Invariants.**
//! - *Every event is committed with its change*: [`Tx::outbox_append`] writes in the
//!   caller's transaction, so an event exists if and only if its change committed, and
//!   events become visible in `seq` order (on PostgreSQL an advisory lock makes commit
//!   order equal `seq` order, so no consumer can skip one).
//! - *Cursors are monotonic*: a consumer's cursor never moves backwards.
//! - *Same SQL on both drivers*: `?` placeholders everywhere (rewritten to `$n` for
//!   PostgreSQL), the common SQL subset (`BIGINT`, `TEXT`, `RETURNING`,
//!   `ON CONFLICT … DO …`), and the same transaction semantics — a failed statement aborts
//!   the transaction on SQLite as it does on PostgreSQL ([`Tx::savepoint`] to recover).
//!   The conformance suite (`tests/conformance`) runs every test on both.
//!
//! ```
//! use sitegroup_store::{Db, Migration, NewEvent, StoreError, params};
//! # let dir = std::env::temp_dir().join(format!("sitegroup-doc-lib-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let db = Db::open_sqlite(&dir.join("group.sqlite"))?;
//! db.migrate(&[Migration { module: "docs", version: 1, name: "documents",
//!     sql: "CREATE TABLE docs (id {{id}}, site_id BIGINT NOT NULL, title TEXT NOT NULL)", postgres_sql: None }])?;
//! db.write(|tx| {
//!     let id: i64 = tx.query_one("INSERT INTO docs (site_id, title) VALUES (?, ?) RETURNING id", params![3, "关于春节放假的通知"])?.get(0)?;
//!     tx.outbox_append(&NewEvent::new("doc.create", format!("doc:{id}"), serde_json::json!({ "id": id }), 1_700_000_000).with_site(3))
//! })?;
//! let events = db.outbox_read("search", 100)?;
//! assert_eq!(events[0].kind, "doc.create");
//! db.outbox_ack("search", events[0].seq)?;
//! # drop(db); std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), StoreError>(())
//! ```

mod db;
mod error;
mod migrate;
mod outbox;
#[cfg(feature = "postgres")]
mod pg;
mod sql;
mod sqlite;
mod tx;
mod value;

pub mod core_repo;
pub mod testing;

pub use db::{Db, DbOptions, Dialect};
pub use error::StoreError;
pub use migrate::{Migration, MigrationReport, STORE_MODULE};
pub use outbox::{Event, NewEvent};
pub use sql::{DDL_TOKENS, expand_ddl, rewrite_placeholders};
pub use tx::Tx;
pub use value::{FromValue, Row, Value};

/// Builds a parameter slice for [`Tx::execute`] and friends, converting each argument
/// with [`Value::from`].
///
/// ```
/// use sitegroup_store::{params, Value};
/// let p: &[Value] = params![1, "县", None::<i64>, true];
/// assert_eq!(p, &[Value::Int(1), Value::Text("县".into()), Value::Null, Value::Int(1)]);
/// ```
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => {
        &[$($crate::Value::from($v)),*]
    };
}
