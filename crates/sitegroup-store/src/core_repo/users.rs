use sitegroup_core::auth::{Grant, Role, Scope};
use sitegroup_core::user::{NewUser, User};
use sitegroup_core::{SiteId, UnitId, UserId};

use crate::{Row, StoreError, Tx, params};

const COLUMNS: &str = "id, username, display_name, unit_id, active, failed_logins, locked_until, created_at, password_hash, session_epoch";

/// A user with the secrets only the login path needs.
#[derive(Debug, Clone)]
pub struct StoredUser {
    /// The user.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Session epoch (raised to invalidate tokens).
    pub session_epoch: i64,
}

fn from_row(row: &Row) -> Result<StoredUser, StoreError> {
    let failed: i64 = row.get(5)?;
    Ok(StoredUser {
        user: User {
            id: UserId(row.get(0)?),
            username: row.get(1)?,
            display_name: row.get(2)?,
            unit: row.get::<Option<i64>>(3)?.map(UnitId),
            active: row.get(4)?,
            failed_logins: u32::try_from(failed).unwrap_or(u32::MAX),
            locked_until: row.get(6)?,
            created_at: row.get(7)?,
        },
        password_hash: row.get(8)?,
        session_epoch: row.get(9)?,
    })
}

/// Inserts a validated user with an already hashed password.
pub fn insert_user(tx: &mut Tx<'_>, u: &NewUser, password_hash: &str, at: i64) -> Result<User, StoreError> {
    let row = tx.query_one(
        &format!(
            "INSERT INTO users (username, display_name, unit_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?) \
             RETURNING {COLUMNS}"
        ),
        params![
            u.username.as_str(),
            u.display_name.clone().unwrap_or_else(|| u.username.clone()),
            u.unit.map(|x| x.0),
            password_hash,
            at
        ],
    )?;
    Ok(from_row(&row)?.user)
}

/// The user with this login name.
pub fn user_by_name(tx: &mut Tx<'_>, username: &str) -> Result<Option<StoredUser>, StoreError> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"), params![username])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The user with this id.
pub fn user_by_id(tx: &mut Tx<'_>, id: UserId) -> Result<Option<StoredUser>, StoreError> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM users WHERE id = ?"), params![id.0])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Every user, by login name.
pub fn list_users(tx: &mut Tx<'_>) -> Result<Vec<User>, StoreError> {
    tx.query(&format!("SELECT {COLUMNS} FROM users ORDER BY username"), &[])?
        .iter()
        .map(|r| from_row(r).map(|s| s.user))
        .collect()
}

/// Users holding any grant on one of `sites`, by login name.
pub fn users_with_site_grants(tx: &mut Tx<'_>, sites: &[SiteId]) -> Result<Vec<User>, StoreError> {
    let mut out = Vec::new();
    for site in sites {
        let rows = tx.query(
            &format!(
                "SELECT {COLUMNS} FROM users WHERE id IN (SELECT user_id FROM grants WHERE scope_site = ?) ORDER BY username"
            ),
            params![site.0],
        )?;
        for r in &rows {
            let u = from_row(r)?.user;
            if !out.iter().any(|x: &User| x.id == u.id) {
                out.push(u);
            }
        }
    }
    out.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(out)
}

/// Resets the failure counter after a successful login.
pub fn record_login_success(tx: &mut Tx<'_>, id: UserId) -> Result<(), StoreError> {
    tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", params![id.0])?;
    Ok(())
}

/// Stores a failed login's new count and lock.
pub fn record_login_failure(
    tx: &mut Tx<'_>,
    id: UserId,
    failed_logins: u32,
    locked_until: Option<i64>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
        params![failed_logins, locked_until, id.0],
    )?;
    Ok(())
}

fn scope_key(scope: Scope) -> (Option<i64>, Option<i64>, String) {
    match scope {
        Scope::Group => (None, None, "group".into()),
        Scope::Site(s) => (Some(s.0), None, format!("site:{}", s.0)),
        Scope::Column { site, column } => (Some(site.0), Some(column), format!("column:{}:{column}", site.0)),
    }
}

/// Records a grant; granting the same role in the same scope twice is a no-op.
pub fn insert_grant(tx: &mut Tx<'_>, user: UserId, grant: &Grant) -> Result<bool, StoreError> {
    let (site, column, key) = scope_key(grant.scope);
    let n = tx.execute(
        "INSERT INTO grants (user_id, role, scope_site, scope_column, scope_key) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (user_id, role, scope_key) DO NOTHING",
        params![user.0, grant.role.as_str(), site, column, key],
    )?;
    Ok(n > 0)
}

/// Removes a grant; returns whether it existed.
pub fn revoke_grant(tx: &mut Tx<'_>, user: UserId, grant: &Grant) -> Result<bool, StoreError> {
    let (_, _, key) = scope_key(grant.scope);
    let n = tx.execute(
        "DELETE FROM grants WHERE user_id = ? AND role = ? AND scope_key = ?",
        params![user.0, grant.role.as_str(), key],
    )?;
    Ok(n > 0)
}

/// A user's grants.
pub fn grants_of(tx: &mut Tx<'_>, user: UserId) -> Result<Vec<Grant>, StoreError> {
    tx.query("SELECT role, scope_site, scope_column FROM grants WHERE user_id = ? ORDER BY id", params![user.0])?
        .iter()
        .map(|r| {
            let role: String = r.get(0)?;
            let role = Role::parse(&role).ok_or_else(|| super::corrupt(format!("unknown role {role:?}")))?;
            let scope = match (r.get::<Option<i64>>(1)?, r.get::<Option<i64>>(2)?) {
                (None, _) => Scope::Group,
                (Some(s), None) => Scope::Site(SiteId(s)),
                (Some(s), Some(c)) => Scope::Column { site: SiteId(s), column: c },
            };
            Ok(Grant { role, scope })
        })
        .collect()
}
