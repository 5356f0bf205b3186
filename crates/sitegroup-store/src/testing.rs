//! Test fixtures for every crate's database tests: one test body, both drivers.
//!
//! [`for_each_driver`] runs a test against a fresh SQLite file and, when the environment
//! variable [`PG_ENV`] (`SITEGROUP_TEST_PG`) holds a PostgreSQL URL and the store is built
//! with feature `postgres`, against PostgreSQL in a fresh schema of its own (so tests run
//! in parallel). Everything is removed when the [`TestDb`] drops: the SQLite directory,
//! or the schema (`DROP SCHEMA … CASCADE`).
//!
//! ```
//! use sitegroup_store::{testing::for_each_driver, params, StoreError};
//! for_each_driver(|db| {
//!     let n: i64 = db.read(|tx| tx.query_one("SELECT ? * 2", params![21])?.get(0)).expect("query");
//!     assert_eq!(n, 42);
//! });
//! ```
//!
//! Fixtures panic on setup errors: they are for tests only.
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Db, Dialect};

/// The environment variable holding the PostgreSQL URL for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/test`.
pub const PG_ENV: &str = "SITEGROUP_TEST_PG";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test in any process uses at the same time: pid, counter, clock.
fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

enum Place {
    Sqlite {
        dir: PathBuf,
        file: PathBuf,
    },
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres {
        url: String,
        schema: String,
    },
}

/// A throw-away database; dereferences to [`Db`]. Dropping it removes everything.
pub struct TestDb {
    db: Option<Db>,
    place: Place,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl TestDb {
    /// A fresh SQLite database in a new temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("sitegroup-test"));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let file = dir.join("test.sqlite");
        let db = Db::open_sqlite(&file).unwrap_or_else(|e| panic!("opening {}: {e}", file.display()));
        TestDb { db: Some(db), place: Place::Sqlite { dir, file } }
    }

    /// A fresh schema on the PostgreSQL server named by [`PG_ENV`], or `None` (with a
    /// note on stderr) when the variable is unset or the `postgres` feature is off.
    /// Panics if the variable is set but the server cannot be used.
    pub fn postgres() -> Option<TestDb> {
        let url = match std::env::var(PG_ENV) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                eprintln!("{PG_ENV} is not set: skipping the PostgreSQL half of this test");
                return None;
            }
        };
        TestDb::postgres_at(&url)
    }

    #[cfg(feature = "postgres")]
    fn postgres_at(url: &str) -> Option<TestDb> {
        let schema = unique("sgt");
        let db = Db::connect_postgres_in_schema(url, &schema)
            .unwrap_or_else(|e| panic!("{PG_ENV}={url}: cannot create test schema {schema}: {e}"));
        Some(TestDb { db: Some(db), place: Place::Postgres { url: url.to_owned(), schema } })
    }

    #[cfg(not(feature = "postgres"))]
    fn postgres_at(_url: &str) -> Option<TestDb> {
        eprintln!("{PG_ENV} is set but sitegroup-store was built without feature `postgres`: skipping PostgreSQL");
        None
    }

    /// SQLite, plus PostgreSQL when available.
    pub fn all() -> Vec<TestDb> {
        let mut all = vec![TestDb::sqlite()];
        all.extend(TestDb::postgres());
        all
    }

    /// The handle.
    pub fn db(&self) -> &Db {
        // Only `drop` takes it out.
        self.db.as_ref().unwrap_or_else(|| unreachable!("TestDb used after drop"))
    }

    /// A second, independent handle (its own pool) on the same database: the same
    /// file, or the same schema. Use it to test what survives a restart.
    pub fn reopen(&self) -> Db {
        match &self.place {
            Place::Sqlite { file, .. } => {
                Db::open_sqlite(file).unwrap_or_else(|e| panic!("reopening {}: {e}", file.display()))
            }
            #[cfg(feature = "postgres")]
            Place::Postgres { url, schema } => Db::connect_postgres_in_schema(url, schema)
                .unwrap_or_else(|e| panic!("reconnecting to schema {schema}: {e}")),
            #[cfg(not(feature = "postgres"))]
            Place::Postgres { .. } => unreachable!("no PostgreSQL without the feature"),
        }
    }

    /// The SQLite file, if this is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.place {
            Place::Sqlite { file, .. } => Some(file),
            Place::Postgres { .. } => None,
        }
    }

    /// `sqlite:<file>` or `postgres:<schema>`, for messages.
    pub fn label(&self) -> String {
        match &self.place {
            Place::Sqlite { file, .. } => format!("sqlite:{}", file.display()),
            Place::Postgres { schema, .. } => format!("postgres:{schema}"),
        }
    }

    /// The driver.
    pub fn dialect(&self) -> Dialect {
        self.db().dialect()
    }
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Close our pool first so nothing holds the file or the schema.
        drop(self.db.take());
        match &self.place {
            Place::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            #[cfg(feature = "postgres")]
            Place::Postgres { url, schema } => {
                let dropped = url
                    .parse::<postgres::Config>()
                    .and_then(|c| c.connect(postgres::NoTls))
                    .and_then(|mut c| c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")));
                if let Err(e) = dropped {
                    eprintln!("could not drop test schema {schema}: {e}");
                }
            }
            #[cfg(not(feature = "postgres"))]
            Place::Postgres { .. } => {}
        }
    }
}

/// Runs `test` on a fresh SQLite database, then (when [`PG_ENV`] is set) on a fresh
/// PostgreSQL schema. The driver is printed to stderr first, so a failure shows which.
pub fn for_each_driver(test: impl Fn(&Db)) {
    for t in TestDb::all() {
        eprintln!("-- on {}", t.label());
        test(&t);
    }
}
