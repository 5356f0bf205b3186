//! The SQLite driver: an r2d2 pool adapter for rusqlite and value conversions.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::{Row, StoreError, Value};

/// Opens connections to one database file with the store's settings.
///
/// (r2d2_sqlite would pin a different libsqlite3-sys than rusqlite 0.43; this is the
/// whole adapter.)
#[derive(Debug)]
pub(crate) struct SqliteManager {
    pub(crate) path: PathBuf,
    pub(crate) busy_timeout: Duration,
}

impl SqliteManager {
    /// A configured connection: WAL (persistent in the file), foreign keys on, busy
    /// timeout, `synchronous = NORMAL` (durable at checkpoints, safe in WAL mode).
    pub(crate) fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        conn.set_prepared_statement_cache_capacity(128);
        Ok(conn)
    }
}

impl r2d2::ManageConnection for SqliteManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> rusqlite::Result<Connection> {
        self.open()
    }

    fn is_valid(&self, conn: &mut Connection) -> rusqlite::Result<()> {
        // A transaction left open (a failed rollback) must not leak into the next user.
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err()
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn from_ref(v: ValueRef<'_>, column: &str) -> Result<Value, StoreError> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8(t.to_vec()).map_err(|e| StoreError::Conversion {
            column: Some(column.to_owned()),
            message: format!("text is not UTF-8: {e}"),
        })?),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    })
}

fn columns(stmt: &rusqlite::Statement<'_>) -> Arc<[String]> {
    stmt.column_names().map(str::to_owned).collect()
}

pub(crate) fn query(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let names = columns(&stmt);
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut values = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            values.push(from_ref(r.get_ref(i)?, name)?);
        }
        out.push(Row::new(Arc::clone(&names), values));
    }
    Ok(out)
}

/// Runs a statement; like PostgreSQL, a statement that returns rows (a `SELECT`, or
/// `… RETURNING`) is allowed and counts its rows.
pub(crate) fn execute(conn: &Connection, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    if stmt.column_count() == 0 {
        let n = stmt.execute(rusqlite::params_from_iter(params))?;
        return Ok(n as u64);
    }
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut n = 0u64;
    while rows.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}
