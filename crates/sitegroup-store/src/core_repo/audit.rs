use sitegroup_core::audit::{AuditEntry, AuditQuery, NewAuditEntry};
use sitegroup_core::{SiteId, UserId};

use crate::{StoreError, Tx, Value, params};

/// Appends an entry in the caller's transaction. There is no update or delete: the
/// tables carry triggers that refuse both.
pub fn append_audit(tx: &mut Tx<'_>, e: &NewAuditEntry) -> Result<i64, StoreError> {
    let row = tx.query_one(
        "INSERT INTO audit_log (at, actor_user, actor, action, site_id, target, origin, detail) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            e.at,
            e.actor_user.map(|u| u.0),
            e.actor.as_str(),
            e.action.as_str(),
            e.site.map(|s| s.0),
            e.target.as_str(),
            e.origin.as_str(),
            e.detail.to_string()
        ],
    )?;
    row.get(0)
}

/// Entries newest first. `query.site == None` reads the whole group's log.
pub fn query_audit(tx: &mut Tx<'_>, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
    let mut sql = String::from(
        "SELECT id, at, actor_user, actor, action, site_id, target, origin, detail FROM audit_log WHERE 1 = 1",
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(site) = query.site {
        sql.push_str(" AND site_id = ?");
        args.push(site.0.into());
    }
    if let Some(since) = query.since {
        sql.push_str(" AND at >= ?");
        args.push(since.into());
    }
    if let Some(until) = query.until {
        sql.push_str(" AND at < ?");
        args.push(until.into());
    }
    let limit = i64::from(query.limit.unwrap_or(100).clamp(1, 1000));
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    args.push(limit.into());
    tx.query(&sql, &args)?
        .iter()
        .map(|row| {
            let detail: String = row.get(8)?;
            Ok(AuditEntry {
                id: row.get(0)?,
                entry: NewAuditEntry {
                    at: row.get(1)?,
                    actor_user: row.get::<Option<i64>>(2)?.map(UserId),
                    actor: row.get(3)?,
                    action: row.get(4)?,
                    site: row.get::<Option<i64>>(5)?.map(SiteId),
                    target: row.get(6)?,
                    origin: row.get(7)?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                },
            })
        })
        .collect()
}
