//! [`Tx`]: one transaction on either driver.
#![warn(missing_docs)]

use crate::outbox::NewEvent;
use crate::{Dialect, Row, StoreError, Value, params};

pub(crate) enum Inner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    #[cfg(feature = "postgres")]
    Postgres(postgres::Transaction<'a>),
}

/// An open transaction, handed to the closure of [`crate::Db::write`] or
/// [`crate::Db::read`]. All SQL uses `?` placeholders on both drivers.
///
/// **After a failed statement the transaction is aborted** (PostgreSQL's rule, applied
/// to SQLite too so both drivers behave alike): further statements return
/// [`StoreError::TxAborted`] and the transaction rolls back. To try something that may
/// fail and carry on, wrap it in [`Tx::savepoint`].
///
/// ```
/// # use sitegroup_store::{testing::TestDb, params, StoreError};
/// # let db = TestDb::sqlite();
/// let n: i64 = db.read(|tx| tx.query_one("SELECT ? + ?", params![40, 2])?.get(0))?;
/// assert_eq!(n, 42);
/// # Ok::<(), StoreError>(())
/// ```
pub struct Tx<'a> {
    pub(crate) inner: Inner<'a>,
    aborted: bool,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    outbox_locked: bool,
    savepoints: u32,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("dialect", &self.dialect()).field("aborted", &self.aborted).finish()
    }
}

/// Advisory-lock class (first key of `pg_advisory_xact_lock(int, int)`) serialising
/// outbox appends; the second key is a hash of the current schema.
#[cfg(feature = "postgres")]
const OUTBOX_LOCK_CLASS: i32 = 0x5347_4f42; // "SGOB"
/// Advisory-lock class serialising migrations.
#[cfg(feature = "postgres")]
const MIGRATE_LOCK_CLASS: i32 = 0x5347_4d47; // "SGMG"

impl<'a> Tx<'a> {
    pub(crate) fn new(inner: Inner<'a>) -> Tx<'a> {
        Tx { inner, aborted: false, outbox_locked: false, savepoints: 0 }
    }

    /// Which driver this transaction runs on.
    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Inner::Postgres(_) => Dialect::Postgres,
        }
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.aborted { Err(StoreError::TxAborted) } else { Ok(()) }
    }

    fn note<T>(&mut self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(e) = &r
            && e.aborts_transaction()
        {
            self.aborted = true;
        }
        r
    }

    /// Runs one statement and returns the number of rows it changed (for a statement
    /// that returns rows, the number of rows returned).
    ///
    /// ```
    /// # use sitegroup_store::{testing::TestDb, params, StoreError};
    /// # let db = TestDb::sqlite();
    /// db.write(|tx| {
    ///     tx.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)", &[])?;
    ///     let n = tx.execute("INSERT INTO notes (id, body) VALUES (?, ?), (?, ?)", params![1, "甲", 2, "乙"])?;
    ///     assert_eq!(n, 2);
    ///     Ok::<_, StoreError>(())
    /// })?;
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        self.check()?;
        let r = match &mut self.inner {
            Inner::Sqlite(t) => crate::sqlite::execute(t, sql, params),
            #[cfg(feature = "postgres")]
            Inner::Postgres(t) => crate::pg::execute(t, sql, params),
        };
        self.note(r)
    }

    /// Runs a query and returns all its rows.
    ///
    /// On PostgreSQL, columns are read by type: integer types and `BOOL` → `Int`,
    /// `REAL`/`DOUBLE PRECISION` → `Real`, `NUMERIC` (what `SUM` and `AVG` return) →
    /// `Int` when integral else `Real`, text types and `JSON`/`JSONB` → `Text`, `BYTEA` →
    /// `Blob`. Other types (timestamps, arrays, …) are a [`StoreError::Conversion`]:
    /// cast them in SQL.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        self.check()?;
        let r = match &mut self.inner {
            Inner::Sqlite(t) => crate::sqlite::query(t, sql, params),
            #[cfg(feature = "postgres")]
            Inner::Postgres(t) => crate::pg::query(t, sql, params),
        };
        self.note(r)
    }

    /// The first row of a query, or [`StoreError::NotFound`].
    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?.ok_or(StoreError::NotFound)
    }

    /// The first row of a query, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs several `;`-separated statements without parameters (DDL, scripts). No
    /// placeholder rewriting and no dialect tokens: see [`crate::Db::migrate`] for those.
    pub fn execute_batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.check()?;
        let r = match &mut self.inner {
            Inner::Sqlite(t) => t.execute_batch(sql).map_err(StoreError::from),
            #[cfg(feature = "postgres")]
            Inner::Postgres(t) => t.batch_execute(sql).map_err(StoreError::from),
        };
        self.note(r)
    }

    /// Runs `f` inside a savepoint: if it returns `Err` (or leaves the transaction
    /// aborted), its changes are undone and the transaction can go on; if it returns
    /// `Ok`, its changes stay part of the transaction.
    ///
    /// ```
    /// # use sitegroup_store::{testing::TestDb, params, StoreError};
    /// # let db = TestDb::sqlite();
    /// db.write(|tx| {
    ///     tx.execute_batch("CREATE TABLE tags (name TEXT PRIMARY KEY)")?;
    ///     tx.execute("INSERT INTO tags (name) VALUES (?)", params!["政务"])?;
    ///     let dup = tx.savepoint(|tx| tx.execute("INSERT INTO tags (name) VALUES (?)", params!["政务"]));
    ///     assert!(matches!(dup, Err(StoreError::UniqueViolation { .. })));
    ///     tx.execute("INSERT INTO tags (name) VALUES (?)", params!["公开"])?; // still usable
    ///     Ok::<_, StoreError>(())
    /// })?;
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn savepoint<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&mut Tx<'a>) -> Result<T, E>) -> Result<T, E> {
        self.check()?;
        self.savepoints += 1;
        let name = format!("sitegroup_sp_{}", self.savepoints);
        self.execute_batch(&format!("SAVEPOINT {name}"))?;
        let out = f(self);
        self.savepoints -= 1;
        let failed = self.aborted;
        if out.is_ok() && !failed {
            self.execute_batch(&format!("RELEASE SAVEPOINT {name}"))?;
            return out;
        }
        self.aborted = false;
        self.execute_batch(&format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"))?;
        match out {
            Ok(_) => Err(StoreError::TxAborted.into()),
            Err(e) => Err(e),
        }
    }

    /// Appends a change event to the outbox **in this transaction**: it becomes visible
    /// to consumers exactly when (and if) the transaction commits. Returns its `seq`.
    ///
    /// On PostgreSQL, identity values are handed out at insert time but transactions
    /// commit in any order, so a consumer could see seq 8 committed before seq 7 and skip
    /// 7 forever. To rule that out the first append in a transaction takes a
    /// transaction-scoped advisory lock (per schema), held until commit: transactions
    /// that write events are serialised from their first append to their commit, so
    /// commit order equals seq order. The price is that event-writing transactions do
    /// not overlap; append the event as the last step of a transaction to keep the
    /// locked window short. (SQLite has one writer at a time anyway.)
    ///
    /// ```
    /// # use sitegroup_store::{testing::TestDb, NewEvent, StoreError};
    /// # let db = TestDb::sqlite();
    /// let seq = db.write(|tx| tx.outbox_append(&NewEvent::new("doc.publish", "doc:1", serde_json::json!({"title": "通知"}), 1_700_000_000)))?;
    /// assert_eq!(db.outbox_head()?, seq);
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn outbox_append(&mut self, event: &NewEvent) -> Result<i64, StoreError> {
        #[cfg(feature = "postgres")]
        if self.dialect() == Dialect::Postgres && !self.outbox_locked {
            self.execute(
                &format!("SELECT pg_advisory_xact_lock({OUTBOX_LOCK_CLASS}, hashtext(coalesce(current_schema(), '')))"),
                &[],
            )?;
            self.outbox_locked = true;
        }
        self.query_one(
            "INSERT INTO outbox (site_id, kind, entity, payload, at) VALUES (?, ?, ?, ?, ?) RETURNING seq",
            params![event.site, event.kind.as_str(), event.entity.as_str(), event.payload.to_string(), event.at],
        )?
        .get(0)
    }

    /// Serialises migrations across processes (PostgreSQL; SQLite's `BEGIN IMMEDIATE`
    /// already does).
    pub(crate) fn lock_migrations(&mut self) -> Result<(), StoreError> {
        #[cfg(feature = "postgres")]
        if self.dialect() == Dialect::Postgres {
            self.execute(
                &format!(
                    "SELECT pg_advisory_xact_lock({MIGRATE_LOCK_CLASS}, hashtext(coalesce(current_schema(), '')))"
                ),
                &[],
            )?;
        }
        Ok(())
    }

    /// Commits, or rolls back and reports [`StoreError::TxAborted`] if a statement failed.
    pub(crate) fn commit(self) -> Result<(), StoreError> {
        if self.aborted {
            self.rollback();
            return Err(StoreError::TxAborted);
        }
        match self.inner {
            Inner::Sqlite(t) => t.commit()?,
            #[cfg(feature = "postgres")]
            Inner::Postgres(t) => t.commit()?,
        }
        Ok(())
    }

    /// Rolls back, ignoring errors (the pool discards a connection left in a transaction).
    pub(crate) fn rollback(self) {
        match self.inner {
            Inner::Sqlite(t) => {
                let _ = t.rollback();
            }
            #[cfg(feature = "postgres")]
            Inner::Postgres(t) => {
                let _ = t.rollback();
            }
        }
    }
}

/// Runs `f` in `tx`: commit on `Ok`, rollback on `Err` (and on panic, by drop).
pub(crate) fn run<T, E: From<StoreError>>(mut tx: Tx<'_>, f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
    match f(&mut tx) {
        Ok(v) => {
            tx.commit()?;
            Ok(v)
        }
        Err(e) => {
            tx.rollback();
            Err(e)
        }
    }
}
