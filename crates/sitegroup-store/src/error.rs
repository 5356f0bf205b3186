//! [`StoreError`] and the mapping of both drivers' errors onto it.
#![warn(missing_docs)]

/// Everything the store can fail with.
///
/// Constraint violations are typed the same way on both drivers, so a module can turn
/// "duplicate code" into a clear user error without knowing the driver:
///
/// ```
/// # use sitegroup_store::{testing::TestDb, params, StoreError, Migration};
/// # let t = TestDb::sqlite();
/// # t.migrate(&[Migration { module: "doc", version: 1, name: "units", sql: "CREATE TABLE units (id {{id}}, code TEXT NOT NULL UNIQUE)", postgres_sql: None }])?;
/// t.write(|tx| tx.execute("INSERT INTO units (code) VALUES (?)", params!["gov"]))?;
/// let again = t.write(|tx| tx.execute("INSERT INTO units (code) VALUES (?)", params!["gov"]));
/// let err = again.unwrap_err();
/// assert!(matches!(err, StoreError::UniqueViolation { .. }));
/// assert!(err.is_unique_violation_on("code"));
/// # Ok::<(), StoreError>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `query_one` found no row (or an update touched no row where one was expected).
    #[error("no such row")]
    NotFound,
    /// A `UNIQUE` or `PRIMARY KEY` constraint refused the write.
    ///
    /// `constraint` names the columns as `table.column[, table.column…]` on both
    /// drivers (SQLite's own wording; on PostgreSQL rebuilt from the error's table and
    /// detail), falling back to the constraint or index name when the key is an
    /// expression. Test it with [`StoreError::is_unique_violation_on`].
    #[error("unique constraint violated{}", fmt_opt(.constraint))]
    UniqueViolation {
        /// `table.column` list, or the constraint/index name.
        constraint: Option<String>,
    },
    /// A `FOREIGN KEY` constraint refused the write (missing parent, or a child still refers to it).
    #[error("foreign key constraint violated")]
    ForeignKeyViolation,
    /// A `CHECK` constraint refused the write.
    #[error("check constraint violated")]
    CheckViolation,
    /// A `NOT NULL` column received `NULL`.
    #[error("NOT NULL constraint violated{}", fmt_opt(.column))]
    NotNullViolation {
        /// `table.column` when the driver says which.
        column: Option<String>,
    },
    /// The database is locked by another writer beyond the busy timeout (SQLite), or
    /// PostgreSQL reported a deadlock / serialization failure. Retrying may succeed.
    #[error("database is busy; try again")]
    Busy,
    /// A write was attempted inside [`crate::Db::read`].
    #[error("write attempted in a read-only transaction")]
    ReadOnly,
    /// An earlier statement in this transaction failed, so it can only be rolled back.
    ///
    /// PostgreSQL aborts a transaction at its first error; the store makes SQLite
    /// behave the same so code tested on one driver behaves the same on the other.
    /// Use [`crate::Tx::savepoint`] to try a statement and carry on after it fails.
    #[error("an earlier statement in this transaction failed; the transaction can only be rolled back")]
    TxAborted,
    /// A value could not be converted to or from the requested type.
    #[error("conversion error{}: {message}", .column.as_ref().map(|c| format!(" in column {c}")).unwrap_or_default())]
    Conversion {
        /// The column's name when reading a row.
        column: Option<String>,
        /// What was expected and what was found.
        message: String,
    },
    /// `Row::get`/`get_named` asked for a column the row does not have.
    #[error("no column {0} in the row")]
    NoSuchColumn(String),
    /// Stored data the code cannot read back (edited by hand, or written by a newer version).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A migration could not be applied, is out of order, or differs from the one
    /// recorded as applied (someone edited history).
    #[error("migration {module} v{version}: {message}")]
    Migration {
        /// The module whose migration failed.
        module: String,
        /// Its version.
        version: u32,
        /// What went wrong.
        message: String,
    },
    /// A consumer acknowledged a sequence number beyond the newest event.
    #[error("outbox ack of seq {seq} beyond the head {head}")]
    AckBeyondHead {
        /// The acknowledged sequence number.
        seq: i64,
        /// The newest committed sequence number.
        head: i64,
    },
    /// A PostgreSQL schema name outside `[a-z_][a-z0-9_]*` (at most 63 characters).
    #[error("invalid schema name {0:?}: use [a-z_][a-z0-9_]*, at most 63 characters")]
    InvalidSchemaName(String),
    /// Any other SQLite error.
    #[error("SQLite: {0}")]
    Sqlite(rusqlite::Error),
    /// Any other PostgreSQL error.
    #[cfg(feature = "postgres")]
    #[error("PostgreSQL: {}", pg_message(.0))]
    Postgres(postgres::Error),
    /// No pooled connection could be obtained in time.
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
}

fn fmt_opt(v: &Option<String>) -> String {
    v.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()
}

impl StoreError {
    /// True for a unique violation whose key includes `column` (bare name, or
    /// `table.column`), or whose constraint/index is named `column`.
    pub fn is_unique_violation_on(&self, column: &str) -> bool {
        let StoreError::UniqueViolation { constraint: Some(text) } = self else {
            return false;
        };
        text.split(", ").any(|part| {
            let part = part.trim();
            part == column || part.rsplit_once('.').is_some_and(|(_, c)| c == column)
        })
    }

    /// True when retrying the whole transaction may succeed ([`StoreError::Busy`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Busy)
    }

    /// True when the error came from the database refusing or failing a statement
    /// (which aborts a PostgreSQL transaction), as opposed to a conversion on our side.
    pub(crate) fn aborts_transaction(&self) -> bool {
        !matches!(self, StoreError::NotFound | StoreError::NoSuchColumn(_) | StoreError::Conversion { .. })
    }

    pub(crate) fn migration(module: &str, version: u32, message: impl Into<String>) -> StoreError {
        StoreError::Migration { module: module.to_owned(), version, message: message.into() }
    }
}

/// Text after SQLite's "… constraint failed: " prefix.
fn after_colon(msg: &Option<String>) -> Option<String> {
    msg.as_deref().and_then(|m| m.split_once(": ")).map(|(_, rest)| rest.trim().to_owned())
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ffi;
        match &e {
            rusqlite::Error::SqliteFailure(f, msg) => match f.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    StoreError::UniqueViolation { constraint: after_colon(msg) }
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::ForeignKeyViolation,
                ffi::SQLITE_CONSTRAINT_CHECK => StoreError::CheckViolation,
                ffi::SQLITE_CONSTRAINT_NOTNULL => StoreError::NotNullViolation { column: after_colon(msg) },
                _ => match f.code {
                    ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked => StoreError::Busy,
                    ffi::ErrorCode::ReadOnly => StoreError::ReadOnly,
                    _ => StoreError::Sqlite(e),
                },
            },
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            _ => StoreError::Sqlite(e),
        }
    }
}

#[cfg(feature = "postgres")]
fn pg_message(e: &postgres::Error) -> String {
    use std::fmt::Write as _;
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{}: {} ({})", db.severity(), db.message(), db.code().code());
        if let Some(d) = db.detail() {
            let _ = write!(s, "; {d}");
        }
        if let Some(h) = db.hint() {
            let _ = write!(s, "; hint: {h}");
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let _ = write!(s, ": {cause}");
        source = cause.source();
    }
    s
}

/// `table.a, table.b` from PostgreSQL's "Key (a, b)=(…) already exists." detail.
#[cfg(feature = "postgres")]
fn pg_key_columns(db: &postgres::error::DbError) -> Option<String> {
    let table = db.table()?;
    let detail = db.detail()?;
    let rest = detail.strip_prefix("Key (")?;
    let cols = &rest[..rest.find(")=(")?];
    if cols.contains('(') {
        return None; // an expression index: fall back to the constraint name
    }
    Some(cols.split(", ").map(|c| format!("{table}.{}", c.trim_matches('"'))).collect::<Vec<_>>().join(", "))
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        use postgres::error::SqlState;
        let Some(db) = e.as_db_error() else {
            return StoreError::Postgres(e);
        };
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            StoreError::UniqueViolation {
                constraint: pg_key_columns(db).or_else(|| db.constraint().map(str::to_owned)),
            }
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            StoreError::ForeignKeyViolation
        } else if *code == SqlState::CHECK_VIOLATION {
            StoreError::CheckViolation
        } else if *code == SqlState::NOT_NULL_VIOLATION {
            let column = match (db.table(), db.column()) {
                (Some(t), Some(c)) => Some(format!("{t}.{c}")),
                (None, Some(c)) => Some(c.to_owned()),
                _ => None,
            };
            StoreError::NotNullViolation { column }
        } else if *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::LOCK_NOT_AVAILABLE
        {
            StoreError::Busy
        } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            StoreError::ReadOnly
        } else if *code == SqlState::IN_FAILED_SQL_TRANSACTION {
            StoreError::TxAborted
        } else {
            StoreError::Postgres(e)
        }
    }
}
