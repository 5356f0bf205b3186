//! Persistence of columns: the only SQL of this crate. Portable across SQLite and
//! PostgreSQL; every function takes the caller's transaction. No permission checks
//! and no rules here: the facade authorizes, [`crate::tree`] decides, this writes.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sitegroup_core::{SiteId, UserId};
use sitegroup_store::{Row, StoreError, Tx, core_repo, params};

use crate::tree::{ColumnFields, ColumnLookup, MovePlan, Placement, sort_tree};
use crate::{Column, Duty, Owner};

const SELECT: &str = "SELECT id, site_id, parent_id, kind, name, slug, path, position, hidden, duty, link_url, \
                      banner, starts_on, ends_on, archived_at, created_at, updated_at FROM site_columns";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("site_columns.{what} = {value:?}"))
}

fn date(row: &Row, idx: usize, what: &str) -> Result<Option<NaiveDate>, StoreError> {
    let raw: Option<String> = row.get(idx)?;
    raw.map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| corrupt(what, &s))).transpose()
}

fn from_row(row: &Row) -> Result<Column, StoreError> {
    let duty: String = row.get(9)?;
    Ok(Column {
        id: row.get(0)?,
        site: SiteId(row.get(1)?),
        parent: row.get(2)?,
        kind: row.get(3)?,
        name: row.get(4)?,
        slug: row.get(5)?,
        path: row.get(6)?,
        position: row.get(7)?,
        hidden: row.get(8)?,
        duty: Duty::parse(&duty).map_err(|_| corrupt("duty", &duty))?,
        link_url: row.get(10)?,
        banner: row.get(11)?,
        starts_on: date(row, 12, "starts_on")?,
        ends_on: date(row, 13, "ends_on")?,
        archived_at: row.get(14)?,
        created_at: row.get(15)?,
        updated_at: row.get(16)?,
    })
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The column with this id, of any site.
pub fn get_column(tx: &mut Tx<'_>, id: i64) -> Result<Option<Column>, StoreError> {
    tx.query_opt(&format!("{SELECT} WHERE id = ?"), params![id])?.as_ref().map(from_row).transpose()
}

/// Every column of a site, archived ones included, in tree order.
pub fn columns_of_site(tx: &mut Tx<'_>, site: SiteId) -> Result<Vec<Column>, StoreError> {
    let rows = tx.query(&format!("{SELECT} WHERE site_id = ? ORDER BY id"), params![site.0])?;
    Ok(sort_tree(rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?))
}

/// The live (not archived) column at `path` in a site.
pub fn column_at_path(tx: &mut Tx<'_>, site: SiteId, path: &str) -> Result<Option<Column>, StoreError> {
    tx.query_opt(&format!("{SELECT} WHERE site_id = ? AND path = ? AND archived_at IS NULL"), params![site.0, path])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Inserts a column at a placement computed by [`crate::tree::place_new`].
pub fn insert_column(
    tx: &mut Tx<'_>,
    site: SiteId,
    place: &Placement,
    fields: &ColumnFields,
    position: i64,
    at: i64,
) -> Result<Column, StoreError> {
    let row = tx.query_one(
        "INSERT INTO site_columns (site_id, parent_id, kind, name, slug, path, position, hidden, duty, link_url, \
         banner, starts_on, ends_on, archived_at, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) RETURNING id",
        params![
            site.0,
            place.parent,
            fields.kind.as_str(),
            fields.name.as_str(),
            place.slug.as_str(),
            place.path.as_str(),
            position,
            fields.hidden,
            fields.duty.to_string(),
            fields.link_url.clone(),
            fields.banner.clone(),
            day(fields.starts_on),
            day(fields.ends_on),
            at,
            at
        ],
    )?;
    let id: i64 = row.get(0)?;
    // A path freshly taken by a live column no longer redirects elsewhere.
    tx.execute(
        "DELETE FROM column_redirects WHERE site_id = ? AND old_path = ?",
        params![site.0, place.path.as_str()],
    )?;
    get_column(tx, id)?.ok_or(StoreError::NotFound)
}

/// Writes a column's fields (everything but its place) and its sort key.
pub fn update_fields(
    tx: &mut Tx<'_>,
    id: i64,
    fields: &ColumnFields,
    position: i64,
    at: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE site_columns SET kind = ?, name = ?, duty = ?, hidden = ?, link_url = ?, banner = ?, starts_on = ?, \
         ends_on = ?, position = ?, updated_at = ? WHERE id = ?",
        params![
            fields.kind.as_str(),
            fields.name.as_str(),
            fields.duty.to_string(),
            fields.hidden,
            fields.link_url.clone(),
            fields.banner.clone(),
            day(fields.starts_on),
            day(fields.ends_on),
            position,
            at,
            id
        ],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Carries out a move or slug change planned by [`crate::tree::plan_move`]: the new
/// parent and slug, every rewritten path, a redirect from each old path, and removal
/// of redirects from paths that are live again.
pub fn apply_move(tx: &mut Tx<'_>, site: SiteId, plan: &MovePlan, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE site_columns SET parent_id = ?, slug = ?, updated_at = ? WHERE id = ? AND site_id = ?",
        params![plan.parent, plan.slug.as_str(), at, plan.column, site.0],
    )?;
    for r in &plan.rewrites {
        tx.execute(
            "UPDATE site_columns SET path = ? WHERE id = ? AND site_id = ?",
            params![r.new_path.as_str(), r.column, site.0],
        )?;
    }
    for r in &plan.rewrites {
        tx.execute(
            "INSERT INTO column_redirects (site_id, old_path, column_id, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (site_id, old_path) DO UPDATE SET column_id = excluded.column_id, created_at = excluded.created_at",
            params![site.0, r.old_path.as_str(), r.column, at],
        )?;
    }
    for r in &plan.rewrites {
        tx.execute(
            "DELETE FROM column_redirects WHERE site_id = ? AND old_path = ?",
            params![site.0, r.new_path.as_str()],
        )?;
    }
    Ok(())
}

/// Archives (`Some(at)`) or restores (`None`) a column.
pub fn set_archived(tx: &mut Tx<'_>, id: i64, archived_at: Option<i64>, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE site_columns SET archived_at = ?, updated_at = ? WHERE id = ?",
        params![archived_at, at, id],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Resolves a normalised path of a site: a live column, else a redirect to the
/// current path of the (live) column that had it, else nothing.
pub fn lookup_path(tx: &mut Tx<'_>, site: SiteId, path: &str) -> Result<ColumnLookup, StoreError> {
    if let Some(c) = column_at_path(tx, site, path)? {
        return Ok(ColumnLookup::Found(Box::new(c)));
    }
    let row = tx.query_opt(
        "SELECT c.path FROM column_redirects r JOIN site_columns c ON c.id = r.column_id \
         WHERE r.site_id = ? AND r.old_path = ? AND c.site_id = r.site_id AND c.archived_at IS NULL",
        params![site.0, path],
    )?;
    match row {
        Some(row) => Ok(ColumnLookup::Redirect(row.get(0)?)),
        None => Ok(ColumnLookup::NotFound),
    }
}

/// Old paths of a column that redirect to it.
pub fn redirects_of(tx: &mut Tx<'_>, column: i64) -> Result<Vec<String>, StoreError> {
    let rows = tx.query("SELECT old_path FROM column_redirects WHERE column_id = ? ORDER BY id", params![column])?;
    rows.iter().map(|r| r.get(0)).collect()
}

fn owner_from_row(row: &Row) -> Result<(i64, Owner), StoreError> {
    let user: Option<i64> = row.get(1)?;
    Ok((row.get(0)?, Owner { user: user.map(UserId), name: row.get(2)?, phone: row.get(3)? }))
}

/// The owners of a column, in the order they were given.
pub fn owners_of(tx: &mut Tx<'_>, column: i64) -> Result<Vec<Owner>, StoreError> {
    let rows = tx.query(
        "SELECT column_id, user_id, name, phone FROM column_owners WHERE column_id = ? ORDER BY position, id",
        params![column],
    )?;
    rows.iter().map(|r| owner_from_row(r).map(|(_, o)| o)).collect()
}

/// The owners of every column of a site that has any, by column id.
pub fn owners_of_site(tx: &mut Tx<'_>, site: SiteId) -> Result<BTreeMap<i64, Vec<Owner>>, StoreError> {
    let rows = tx.query(
        "SELECT o.column_id, o.user_id, o.name, o.phone FROM column_owners o \
         JOIN site_columns c ON c.id = o.column_id WHERE c.site_id = ? ORDER BY o.column_id, o.position, o.id",
        params![site.0],
    )?;
    let mut out: BTreeMap<i64, Vec<Owner>> = BTreeMap::new();
    for r in &rows {
        let (column, owner) = owner_from_row(r)?;
        out.entry(column).or_default().push(owner);
    }
    Ok(out)
}

/// Replaces the owners of a column.
pub fn replace_owners(tx: &mut Tx<'_>, column: i64, owners: &[Owner]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM column_owners WHERE column_id = ?", params![column])?;
    for (i, o) in owners.iter().enumerate() {
        tx.execute(
            "INSERT INTO column_owners (column_id, position, user_id, name, phone) VALUES (?, ?, ?, ?, ?)",
            params![column, i as i64, o.user.map(|u| u.0), o.name.as_str(), o.phone.clone()],
        )?;
    }
    Ok(())
}

/// Copies the live column skeleton of `from` into `to` (tree, kinds, names, slugs,
/// paths, duties, order, visibility and kind fields; no owners, redirects or
/// content). Returns how many columns were copied.
pub fn copy_skeleton(tx: &mut Tx<'_>, from: SiteId, to: SiteId, at: i64) -> Result<usize, StoreError> {
    let source = columns_of_site(tx, from)?;
    let mut new_ids: HashMap<i64, i64> = HashMap::new();
    let mut archived: Vec<i64> = vec![];
    for c in source {
        // Skip archived columns and everything under them (tree order: parents first).
        if c.archived_at.is_some() || c.parent.is_some_and(|p| archived.contains(&p)) {
            archived.push(c.id);
            continue;
        }
        let parent = match c.parent {
            Some(p) => Some(*new_ids.get(&p).ok_or_else(|| corrupt("parent_id", &p.to_string()))?),
            None => None,
        };
        let place = Placement { parent, slug: c.slug.clone(), path: c.path.clone() };
        let fields = ColumnFields {
            kind: c.kind(),
            name: c.name.clone(),
            duty: c.duty,
            hidden: c.hidden,
            link_url: c.link_url.clone(),
            banner: c.banner.clone(),
            starts_on: c.starts_on,
            ends_on: c.ends_on,
        };
        let created = insert_column(tx, to, &place, &fields, c.position, at)?;
        new_ids.insert(c.id, created.id);
    }
    Ok(new_ids.len())
}

/// Number of columns of a site (archived included).
pub fn count_columns(tx: &mut Tx<'_>, site: SiteId) -> Result<i64, StoreError> {
    tx.query_one("SELECT COUNT(*) FROM site_columns WHERE site_id = ?", params![site.0])?.get(0)
}

fn rate_key(site: SiteId) -> String {
    format!("columns.min_daily_rate.{}", site.0)
}

/// The minimum documents per day across a site's news columns (0 when unset).
pub fn min_daily_rate(tx: &mut Tx<'_>, site: SiteId) -> Result<u32, StoreError> {
    Ok(core_repo::get_setting(tx, &rate_key(site))?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Sets the minimum documents per day of a site.
pub fn set_min_daily_rate(tx: &mut Tx<'_>, site: SiteId, per_day: u32) -> Result<(), StoreError> {
    core_repo::set_setting(tx, &rate_key(site), &per_day.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use sitegroup_store::testing::for_each_driver;

    use super::*;
    use crate::tree::{SlugChoice, place_new, plan_move};
    use crate::{ColumnKind, NewColumn};

    fn setup(db: &sitegroup_store::Db) -> SiteId {
        db.migrate(core_repo::migrations()).unwrap();
        db.migrate(&crate::migrations()).unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO sites (code, name, kind, status, is_template, created_at) VALUES ('s', '站', 'portal', 'open', 0, 0)",
                params![],
            )?;
            let id: i64 = tx.query_one("SELECT id FROM sites WHERE code = 's'", params![])?.get(0)?;
            Ok::<_, StoreError>(SiteId(id))
        })
        .unwrap()
    }

    fn add(tx: &mut Tx<'_>, site: SiteId, parent: Option<i64>, name: &str) -> Column {
        let all = columns_of_site(tx, site).unwrap();
        let place = place_new(&all, parent, &SlugChoice::FromName(name.into())).unwrap();
        let fields = NewColumn { name: name.into(), ..Default::default() }.fields();
        insert_column(tx, site, &place, &fields, 0, 100).unwrap()
    }

    #[test]
    fn round_trip_move_and_redirects() {
        for_each_driver(|db| {
            let site = setup(db);
            db.write(|tx| {
                let gk = add(tx, site, None, "政务公开");
                let dt = add(tx, site, Some(gk.id), "政务动态");
                let tp = add(tx, site, Some(dt.id), "图片");
                assert_eq!(tp.path, "/zhengwugongkai/zhengwudongtai/tupian");
                assert_eq!(get_column(tx, dt.id)?.unwrap().kind(), ColumnKind::List);
                let all = columns_of_site(tx, site)?;
                let plan = plan_move(&all, dt.id, None, "zwdt").unwrap();
                apply_move(tx, site, &plan, 200)?;
                assert_eq!(
                    lookup_path(tx, site, "/zhengwugongkai/zhengwudongtai/tupian")?,
                    ColumnLookup::Redirect("/zwdt/tupian".into())
                );
                assert!(matches!(lookup_path(tx, site, "/zwdt")?, ColumnLookup::Found(c) if c.id == dt.id));
                // Moving back: the live path wins and the redirect from it is dropped.
                let all = columns_of_site(tx, site)?;
                apply_move(tx, site, &plan_move(&all, dt.id, Some(gk.id), "zhengwudongtai").unwrap(), 300)?;
                assert!(matches!(
                    lookup_path(tx, site, "/zhengwugongkai/zhengwudongtai")?,
                    ColumnLookup::Found(c) if c.id == dt.id
                ));
                assert_eq!(lookup_path(tx, site, "/zwdt/tupian")?, ColumnLookup::Redirect(tp.path.clone()));
                assert_eq!(redirects_of(tx, dt.id)?, vec!["/zwdt".to_string()]);
                set_archived(tx, dt.id, Some(400), 400)?;
                assert_eq!(lookup_path(tx, site, "/zwdt")?, ColumnLookup::NotFound);
                replace_owners(tx, gk.id, &[Owner { user: None, name: "王芳".into(), phone: None }])?;
                assert_eq!(owners_of(tx, gk.id)?.len(), 1);
                assert_eq!(owners_of_site(tx, site)?.len(), 1);
                set_min_daily_rate(tx, site, 8)?;
                assert_eq!(min_daily_rate(tx, site)?, 8);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        });
    }
}
