//! Conformance suite: every test is written once and runs on SQLite and, when
//! `SITEGROUP_TEST_PG` holds a URL (and feature `postgres` is on), on PostgreSQL in a
//! fresh schema of its own that is dropped afterwards.
//!
//! ```text
//! SITEGROUP_TEST_PG=postgres://postgres@127.0.0.1:5432/test cargo test -p sitegroup-store --features postgres
//! ```
#![allow(clippy::unwrap_used)]

mod concurrency;
mod errors;
mod migrations;
mod outbox;
mod pg_types;
mod transactions;
mod values;

use sitegroup_store::testing::TestDb;
use sitegroup_store::{Db, Dialect, Migration, params};

/// Runs `test` on SQLite, then on PostgreSQL when configured.
pub fn both(test: impl Fn(&TestDb)) {
    for t in TestDb::all() {
        eprintln!("-- on {}", t.label());
        test(&t);
    }
}

/// Creates tables with a one-off migration of module `module`.
pub fn setup(db: &Db, module: &'static str, sql: &'static str) {
    db.migrate(&[Migration { module, version: 1, name: "setup", sql, postgres_sql: None }]).unwrap();
}

/// Whether a table exists in the database (current schema on PostgreSQL).
pub fn table_exists(db: &Db, name: &str) -> bool {
    let sql = match db.dialect() {
        Dialect::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
        Dialect::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
        }
    };
    let n: i64 = db.read(|tx| tx.query_one(sql, params![name])?.get(0)).unwrap();
    n == 1
}

/// Rows of a one-column integer query.
pub fn ints(db: &Db, sql: &str) -> Vec<i64> {
    db.read(|tx| tx.query(sql, &[])?.iter().map(|r| r.get(0)).collect::<Result<Vec<i64>, _>>()).unwrap()
}

#[test]
fn the_handle_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Db>();
}

#[test]
fn for_each_driver_runs_on_every_configured_driver() {
    let runs = std::cell::RefCell::new(Vec::new());
    sitegroup_store::testing::for_each_driver(|db| {
        runs.borrow_mut().push(db.dialect());
        let n: i64 = db.read(|tx| tx.query_one("SELECT ? * 2", params![21])?.get(0)).unwrap();
        assert_eq!(n, 42);
    });
    let pg_configured = cfg!(feature = "postgres")
        && std::env::var(sitegroup_store::testing::PG_ENV).is_ok_and(|u| !u.trim().is_empty());
    let expected: &[Dialect] = if pg_configured { &[Dialect::Sqlite, Dialect::Postgres] } else { &[Dialect::Sqlite] };
    assert_eq!(runs.into_inner(), expected);
}
