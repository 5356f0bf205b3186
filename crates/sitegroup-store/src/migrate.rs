//! Per-module schema migrations.
#![warn(missing_docs)]

use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Db, Dialect, StoreError, params};

/// One schema change of one module, written once for both drivers.
///
/// `sql` may hold several `;`-separated statements and the dialect tokens of
/// [`crate::DDL_TOKENS`] (`{{id}}`, `{{blob}}`, `{{real}}`). When a change cannot be
/// written portably (triggers, functions), `postgres_sql: Some(…)` replaces the whole
/// SQL on PostgreSQL (tokens are expanded there too).
///
/// Rules enforced by [`Db::migrate`]:
/// - each migration runs in its own transaction together with its row in
///   `schema_migrations(module, version, name, applied_at)`: it is applied completely
///   or not at all (DDL is transactional on both drivers);
/// - already-applied versions are skipped, so running the same list twice changes nothing;
/// - a module's versions must be strictly increasing in the list, and a version cannot
///   be applied after a higher one of the same module (no back-filling);
/// - an applied version whose recorded name differs from the code's is an error: an
///   applied migration was edited. Add a new version instead;
/// - the module name `store` is reserved for the store's own tables (`schema_migrations`,
///   `outbox`, `outbox_cursors`), created when the [`Db`] opens.
///
/// ```
/// use sitegroup_store::Migration;
/// const MIGRATIONS: &[Migration] = &[Migration {
///     module: "columns",
///     version: 1,
///     name: "column tree",
///     sql: "CREATE TABLE columns (id {{id}}, site_id BIGINT NOT NULL, parent_id BIGINT REFERENCES columns(id), name TEXT NOT NULL, icon {{blob}});
///           CREATE INDEX columns_site ON columns (site_id);",
///     postgres_sql: None,
/// }];
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// The owning module (`core`, `content`, …); versions are counted per module.
    pub module: &'static str,
    /// 1, 2, 3 … in the order they must run.
    pub version: u32,
    /// A short description; recorded, and compared on later runs to detect edits.
    pub name: &'static str,
    /// The SQL for both drivers (with dialect tokens).
    pub sql: &'static str,
    /// A PostgreSQL-only replacement for `sql`.
    pub postgres_sql: Option<&'static str>,
}

impl Migration {
    /// The SQL that runs on `dialect`, with the dialect tokens expanded.
    pub fn sql_for(&self, dialect: Dialect) -> Result<String, StoreError> {
        let raw = match (dialect, self.postgres_sql) {
            (Dialect::Postgres, Some(pg)) => pg,
            _ => self.sql,
        };
        crate::sql::expand_ddl(raw, dialect).map_err(|m| StoreError::migration(self.module, self.version, m))
    }
}

/// What [`Db::migrate`] applied, in order: `(module, version)`. Empty when the schema
/// was already up to date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// The migrations applied by this run.
    pub applied: Vec<(String, u32)>,
}

impl MigrationReport {
    /// True when nothing was applied.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty()
    }
}

/// The module name of the store's own migrations.
pub const STORE_MODULE: &str = "store";

const SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    PRIMARY KEY (module, version)
)";

const STORE_MIGRATIONS: &[Migration] = &[Migration {
    module: STORE_MODULE,
    version: 1,
    name: "outbox and consumer cursors",
    sql: "CREATE TABLE outbox (
    seq {{id}},
    site_id BIGINT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE TABLE outbox_cursors (
    consumer TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);",
    postgres_sql: None,
}];

/// Creates `schema_migrations` and applies the store's own migrations.
pub(crate) fn bootstrap(db: &Db) -> Result<Vec<(String, u32)>, StoreError> {
    db.write(|tx| {
        tx.lock_migrations()?;
        tx.execute_batch(SCHEMA_MIGRATIONS)
    })?;
    apply_all(db, STORE_MIGRATIONS)
}

pub(crate) fn run(db: &Db, migrations: &[Migration]) -> Result<crate::MigrationReport, StoreError> {
    validate(migrations)?;
    bootstrap(db)?;
    Ok(MigrationReport { applied: apply_all(db, migrations)? })
}

fn validate(migrations: &[Migration]) -> Result<(), StoreError> {
    let mut last: Vec<(&str, u32)> = Vec::new();
    for m in migrations {
        let fail = |msg: &str| Err(StoreError::migration(m.module, m.version, msg));
        if m.module == STORE_MODULE {
            return fail("the module name `store` is reserved for the store's own tables");
        }
        if m.module.is_empty() || m.name.is_empty() {
            return fail("module and name must not be empty");
        }
        if m.version == 0 {
            return fail("versions start at 1");
        }
        match last.iter_mut().find(|(module, _)| *module == m.module) {
            Some((_, previous)) if *previous >= m.version => {
                return fail(&format!("listed after version {previous}: a module's versions must be increasing"));
            }
            Some((_, previous)) => *previous = m.version,
            None => last.push((m.module, m.version)),
        }
    }
    Ok(())
}

fn apply_all(db: &Db, migrations: &[Migration]) -> Result<Vec<(String, u32)>, StoreError> {
    let mut applied = Vec::new();
    for m in migrations {
        if apply_one(db, m)? {
            applied.push((m.module.to_owned(), m.version));
        }
    }
    Ok(applied)
}

fn apply_one(db: &Db, m: &Migration) -> Result<bool, StoreError> {
    db.write(|tx| {
        tx.lock_migrations()?;
        let recorded = tx.query(
            "SELECT version, name FROM schema_migrations WHERE module = ? ORDER BY version",
            params![m.module],
        )?;
        let mut highest = 0i64;
        for row in &recorded {
            let version: i64 = row.get(0)?;
            if version == i64::from(m.version) {
                let name: String = row.get(1)?;
                if name != m.name {
                    return Err(StoreError::migration(
                        m.module,
                        m.version,
                        format!(
                            "recorded as {name:?} but the code calls it {:?}: an applied migration was edited; add a new version instead",
                            m.name
                        ),
                    ));
                }
                return Ok(false);
            }
            highest = highest.max(version);
        }
        if highest > i64::from(m.version) {
            return Err(StoreError::migration(
                m.module,
                m.version,
                format!("not applied, but the later version {highest} is: migrations must be applied in order"),
            ));
        }
        let sql = m.sql_for(tx.dialect())?;
        tx.execute_batch(&sql).map_err(|e| StoreError::migration(m.module, m.version, e.to_string()))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        tx.execute(
            "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)",
            params![m.module, m.version, m.name, now],
        )?;
        Ok(true)
    })
}
