use std::collections::HashMap;

use sitegroup_core::site::{Site, SiteIdentity, SiteKind, SiteStatus, ValidSite};
use sitegroup_core::{SiteId, UnitId};

use crate::{Row, StoreError, Tx, params};

const COLUMNS: &str = "id, code, name, short_name, kind, parent_id, unit_id, status, notice, redirect, \
                       path_prefix, site_code, icp, police_filing, is_template, created_at";

fn from_row(row: &Row, hosts: Vec<String>) -> Result<Site, StoreError> {
    let kind: String = row.get(4)?;
    let status: String = row.get(7)?;
    let status = match status.as_str() {
        "open" => SiteStatus::Open,
        "closed" => {
            SiteStatus::Closed { notice: row.get::<Option<String>>(8)?.unwrap_or_default(), redirect: row.get(9)? }
        }
        "archived" => SiteStatus::Archived,
        other => return Err(super::corrupt(format!("unknown site status {other:?}"))),
    };
    Ok(Site {
        id: SiteId(row.get(0)?),
        code: row.get(1)?,
        name: row.get(2)?,
        short_name: row.get(3)?,
        kind: SiteKind::parse(&kind).map_err(|e| super::corrupt(e.to_string()))?,
        parent: row.get::<Option<i64>>(5)?.map(SiteId),
        unit: row.get::<Option<i64>>(6)?.map(UnitId),
        status,
        path_prefix: row.get(10)?,
        hosts,
        identity: SiteIdentity { site_code: row.get(11)?, icp: row.get(12)?, police_filing: row.get(13)? },
        is_template: row.get(14)?,
        created_at: row.get(15)?,
    })
}

fn hosts_of(tx: &mut Tx<'_>, site: SiteId) -> Result<Vec<String>, StoreError> {
    tx.query("SELECT host FROM site_hosts WHERE site_id = ? ORDER BY host", params![site.0])?
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Inserts a validated site and its hosts. `prefix_anchor` is the registered website
/// under which its path prefix is unique.
pub fn insert_site(tx: &mut Tx<'_>, s: &ValidSite, prefix_anchor: Option<SiteId>, at: i64) -> Result<Site, StoreError> {
    let row = tx.query_one(
        &format!(
            "INSERT INTO sites (code, name, short_name, kind, parent_id, unit_id, status, path_prefix, prefix_anchor, \
             site_code, icp, police_filing, is_template, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ),
        params![
            s.code.as_str(),
            s.name.as_str(),
            s.short_name.clone(),
            s.kind.as_str(),
            s.parent.map(|p| p.0),
            s.unit.map(|u| u.0),
            s.path_prefix.clone(),
            prefix_anchor.filter(|_| s.path_prefix.is_some()).map(|a| a.0),
            s.identity.site_code.clone(),
            s.identity.icp.clone(),
            s.identity.police_filing.clone(),
            s.is_template,
            at
        ],
    )?;
    let id = SiteId(row.get(0)?);
    for host in &s.hosts {
        tx.execute("INSERT INTO site_hosts (host, site_id) VALUES (?, ?)", params![host.as_str(), id.0])?;
    }
    from_row(&row, s.hosts.clone())
}

/// Every site with its hosts, in id order.
pub fn all_sites(tx: &mut Tx<'_>) -> Result<Vec<Site>, StoreError> {
    let mut hosts: HashMap<i64, Vec<String>> = HashMap::new();
    for row in tx.query("SELECT site_id, host FROM site_hosts ORDER BY host", &[])? {
        hosts.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    tx.query(&format!("SELECT {COLUMNS} FROM sites ORDER BY id"), &[])?
        .iter()
        .map(|row| {
            let id: i64 = row.get(0)?;
            from_row(row, hosts.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// The site with this code.
pub fn site_by_code(tx: &mut Tx<'_>, code: &str) -> Result<Option<Site>, StoreError> {
    let Some(row) = tx.query_opt(&format!("SELECT {COLUMNS} FROM sites WHERE code = ?"), params![code])? else {
        return Ok(None);
    };
    let hosts = hosts_of(tx, SiteId(row.get(0)?))?;
    from_row(&row, hosts).map(Some)
}

/// The site with this id.
pub fn site_by_id(tx: &mut Tx<'_>, id: SiteId) -> Result<Option<Site>, StoreError> {
    let Some(row) = tx.query_opt(&format!("SELECT {COLUMNS} FROM sites WHERE id = ?"), params![id.0])? else {
        return Ok(None);
    };
    let hosts = hosts_of(tx, id)?;
    from_row(&row, hosts).map(Some)
}

/// The code of the site holding `prefix` under `anchor`, if any.
pub fn prefix_owner(tx: &mut Tx<'_>, anchor: SiteId, prefix: &str) -> Result<Option<String>, StoreError> {
    tx.query_opt("SELECT code FROM sites WHERE prefix_anchor = ? AND path_prefix = ?", params![anchor.0, prefix])?
        .map(|r| r.get(0))
        .transpose()
}

/// The code of the site holding `host`, if any.
pub fn host_owner(tx: &mut Tx<'_>, host: &str) -> Result<Option<String>, StoreError> {
    tx.query_opt("SELECT s.code FROM site_hosts h JOIN sites s ON s.id = h.site_id WHERE h.host = ?", params![host])?
        .map(|r| r.get(0))
        .transpose()
}

/// Sets a site's status (with the notice and redirect of a closed site).
pub fn update_site_status(tx: &mut Tx<'_>, id: SiteId, status: &SiteStatus) -> Result<(), StoreError> {
    let (notice, redirect) = match status {
        SiteStatus::Closed { notice, redirect } => (Some(notice.clone()), redirect.clone()),
        _ => (None, None),
    };
    let n = tx.execute(
        "UPDATE sites SET status = ?, notice = ?, redirect = ? WHERE id = ?",
        params![status.as_str(), notice, redirect, id.0],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Moves a site under a new parent, with the prefix anchor that goes with it.
pub fn update_site_parent(
    tx: &mut Tx<'_>,
    id: SiteId,
    parent: Option<SiteId>,
    prefix_anchor: Option<SiteId>,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE sites SET parent_id = ?, prefix_anchor = CASE WHEN path_prefix IS NULL THEN NULL ELSE ? END WHERE id = ?",
        params![parent.map(|p| p.0), prefix_anchor.map(|a| a.0), id.0],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}
