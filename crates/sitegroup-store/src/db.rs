//! [`Db`]: the pooled handle, opening and transactions.
#![warn(missing_docs)]

use std::path::Path;
use std::time::Duration;

use rusqlite::TransactionBehavior;

use crate::sqlite::SqliteManager;
use crate::tx::{self, Inner, Tx};
use crate::{Migration, MigrationReport, StoreError};

/// The SQL dialect (and driver) of a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Embedded SQLite (the default).
    Sqlite,
    /// PostgreSQL (feature `postgres`).
    Postgres,
}

impl Dialect {
    /// `"sqlite"` or `"postgres"`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// Pool and timeout settings. [`Default`] suits a portal node.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Most connections the pool opens (default 10). SQLite has one writer at a time
    /// whatever this is; extra connections serve concurrent readers.
    pub max_connections: u32,
    /// How long a SQLite writer waits for the lock before [`StoreError::Busy`] (default 5 s).
    pub busy_timeout: Duration,
    /// How long to wait for a free pooled connection before [`StoreError::Pool`] (default 30 s).
    pub connection_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> DbOptions {
        DbOptions {
            max_connections: 10,
            busy_timeout: Duration::from_secs(5),
            connection_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(r2d2::Pool<SqliteManager>),
    #[cfg(feature = "postgres")]
    Postgres(r2d2::Pool<r2d2_postgres::PostgresConnectionManager<postgres::NoTls>>),
}

/// A pooled database handle: cheap to clone, `Send + Sync`, one per process.
///
/// The same calling code runs on both drivers: `?` placeholders, the common SQL subset,
/// the dialect tokens of migrations ([`crate::DDL_TOKENS`]).
///
/// ```
/// use sitegroup_store::{Db, Migration, StoreError, params};
/// # let dir = std::env::temp_dir().join(format!("sitegroup-doc-db-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let db = Db::open_sqlite(&dir.join("site.sqlite"))?;
/// db.migrate(&[Migration {
///     module: "notes",
///     version: 1,
///     name: "notes table",
///     sql: "CREATE TABLE notes (id {{id}}, body TEXT NOT NULL)",
///     postgres_sql: None,
/// }])?;
/// let id: i64 = db.write(|tx| tx.query_one("INSERT INTO notes (body) VALUES (?) RETURNING id", params!["你好"])?.get(0))?;
/// let body: String = db.read(|tx| tx.query_one("SELECT body FROM notes WHERE id = ?", params![id])?.get(0))?;
/// assert_eq!(body, "你好");
/// # drop(db); std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), StoreError>(())
/// ```
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("dialect", &self.dialect()).finish_non_exhaustive()
    }
}

/// Resets SQLite's `query_only` when a read transaction ends (even by panic).
struct QueryOnly<'c>(&'c rusqlite::Connection);

impl Drop for QueryOnly<'_> {
    fn drop(&mut self) {
        let _ = self.0.pragma_update(None, "query_only", false);
    }
}

impl Db {
    /// Opens (creating if needed) the SQLite database file at `path` with WAL,
    /// `foreign_keys = ON`, a 5 s busy timeout and `synchronous = NORMAL`, and creates the
    /// store's own tables. The path must be a file (not `:memory:`: every pooled
    /// connection would get its own empty database).
    pub fn open_sqlite(path: &Path) -> Result<Db, StoreError> {
        Db::open_sqlite_with(path, &DbOptions::default())
    }

    /// [`Db::open_sqlite`] with explicit pool settings.
    pub fn open_sqlite_with(path: &Path, options: &DbOptions) -> Result<Db, StoreError> {
        let manager = SqliteManager { path: path.to_path_buf(), busy_timeout: options.busy_timeout };
        // One direct connection first: a bad path fails now with SQLite's own error
        // instead of after the pool's connection timeout.
        drop(manager.open()?);
        let pool = r2d2::Pool::builder()
            .max_size(options.max_connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connection_timeout)
            .build(manager)?;
        let db = Db { pool: Pool::Sqlite(pool) };
        crate::migrate::bootstrap(&db)?;
        Ok(db)
    }

    /// Connects to PostgreSQL (`postgres://user@host:5432/dbname`, or the key=value
    /// form), without TLS, and creates the store's own tables in the connection's default
    /// schema.
    #[cfg(feature = "postgres")]
    pub fn connect_postgres(url: &str) -> Result<Db, StoreError> {
        Db::connect_postgres_with(url, None, &DbOptions::default())
    }

    /// Like [`Db::connect_postgres`], but everything lives in `schema` (created if
    /// missing; set as `search_path` on every pooled connection). Several groups, or
    /// parallel tests, can share one database this way. The name must match
    /// `[a-z_][a-z0-9_]*`.
    #[cfg(feature = "postgres")]
    pub fn connect_postgres_in_schema(url: &str, schema: &str) -> Result<Db, StoreError> {
        Db::connect_postgres_with(url, Some(schema), &DbOptions::default())
    }

    /// [`Db::connect_postgres`] / [`Db::connect_postgres_in_schema`] with explicit pool settings.
    #[cfg(feature = "postgres")]
    pub fn connect_postgres_with(url: &str, schema: Option<&str>, options: &DbOptions) -> Result<Db, StoreError> {
        let mut config: postgres::Config = url.parse()?;
        if let Some(schema) = schema {
            if !crate::pg::valid_schema(schema) {
                return Err(StoreError::InvalidSchemaName(schema.to_owned()));
            }
            let path = format!("-c search_path={schema}");
            let merged = match config.get_options() {
                Some(existing) if !existing.trim().is_empty() => format!("{existing} {path}"),
                _ => path,
            };
            config.options(&merged);
        }
        // One direct connection first: a bad URL fails now with the server's own error.
        let mut first = config.connect(postgres::NoTls)?;
        if let Some(schema) = schema {
            match first.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).map_err(StoreError::from) {
                // Two processes creating it at once: the loser sees a unique violation.
                Ok(()) | Err(StoreError::UniqueViolation { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        drop(first);
        let manager = r2d2_postgres::PostgresConnectionManager::new(config, postgres::NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(options.max_connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connection_timeout)
            .build(manager)?;
        let db = Db { pool: Pool::Postgres(pool) };
        crate::migrate::bootstrap(&db)?;
        Ok(db)
    }

    /// Which driver this handle uses.
    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs `f` in a write transaction: commit on `Ok`, rollback on `Err` (and on panic,
    /// by drop). If a statement failed inside `f` but `f` still returned `Ok`, the
    /// transaction rolls back and the result is [`StoreError::TxAborted`].
    ///
    /// SQLite starts with `BEGIN IMMEDIATE`, so writers queue on the busy timeout instead
    /// of deadlocking on a lock upgrade; PostgreSQL uses `READ COMMITTED`.
    ///
    /// ```
    /// # use sitegroup_store::{testing::TestDb, params, StoreError};
    /// # let db = TestDb::sqlite();
    /// db.write(|tx| tx.execute_batch("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)"))?;
    /// // Err rolls back: the row is not there afterwards.
    /// let r: Result<(), StoreError> = db.write(|tx| {
    ///     tx.execute("INSERT INTO kv (k, v) VALUES (?, ?)", params!["a", "1"])?;
    ///     Err(StoreError::NotFound)
    /// });
    /// assert!(r.is_err());
    /// assert!(db.read(|tx| tx.query_opt("SELECT v FROM kv WHERE k = ?", params!["a"]))?.is_none());
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let mut conn = pool.get().map_err(StoreError::from)?;
                let t = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
                tx::run(Tx::new(Inner::Sqlite(t)), f)
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => {
                let mut client = pool.get().map_err(StoreError::from)?;
                let t = client.transaction().map_err(StoreError::from)?;
                tx::run(Tx::new(Inner::Postgres(t)), f)
            }
        }
    }

    /// Runs `f` in a read-only transaction that sees one consistent snapshot (SQLite:
    /// a deferred transaction with `query_only`; PostgreSQL: `REPEATABLE READ READ
    /// ONLY`). A write inside it fails with [`StoreError::ReadOnly`] on both drivers.
    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let conn = pool.get().map_err(StoreError::from)?;
                conn.pragma_update(None, "query_only", true).map_err(StoreError::from)?;
                let _reset = QueryOnly(&conn);
                let t = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Deferred)
                    .map_err(StoreError::from)?;
                tx::run(Tx::new(Inner::Sqlite(t)), f)
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => {
                let mut client = pool.get().map_err(StoreError::from)?;
                let t = client
                    .build_transaction()
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()
                    .map_err(StoreError::from)?;
                tx::run(Tx::new(Inner::Postgres(t)), f)
            }
        }
    }

    /// Applies the migrations not applied yet, each in its own transaction together with
    /// its row in `schema_migrations`, and reports which ran. See [`Migration`] for the
    /// rules (order, edited history, dialect tokens).
    pub fn migrate(&self, migrations: &[Migration]) -> Result<MigrationReport, StoreError> {
        crate::migrate::run(self, migrations)
    }
}
