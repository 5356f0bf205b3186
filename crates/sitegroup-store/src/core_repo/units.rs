use sitegroup_core::UnitId;
use sitegroup_core::unit::{NewUnit, OrgUnit, UnitKind};

use super::corrupt;
use crate::{Row, StoreError, Tx, params};

const COLUMNS: &str = "id, code, name, kind, created_at";

fn from_row(row: &Row) -> Result<OrgUnit, StoreError> {
    let kind: String = row.get(3)?;
    Ok(OrgUnit {
        id: UnitId(row.get(0)?),
        code: row.get(1)?,
        name: row.get(2)?,
        kind: UnitKind::parse(&kind).map_err(|e| corrupt(e.to_string()))?,
        created_at: row.get(4)?,
    })
}

/// Inserts a validated unit. A duplicate code gives [`StoreError::UniqueViolation`].
pub fn insert_unit(tx: &mut Tx<'_>, unit: &NewUnit, at: i64) -> Result<OrgUnit, StoreError> {
    let row = tx.query_one(
        &format!("INSERT INTO units (code, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING {COLUMNS}"),
        params![unit.code.as_str(), unit.name.as_str(), unit.kind.as_str(), at],
    )?;
    from_row(&row)
}

/// Every unit, by code.
pub fn list_units(tx: &mut Tx<'_>) -> Result<Vec<OrgUnit>, StoreError> {
    tx.query(&format!("SELECT {COLUMNS} FROM units ORDER BY code"), &[])?.iter().map(from_row).collect()
}

/// The unit with this code.
pub fn unit_by_code(tx: &mut Tx<'_>, code: &str) -> Result<Option<OrgUnit>, StoreError> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM units WHERE code = ?"), params![code])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The unit with this id.
pub fn unit_by_id(tx: &mut Tx<'_>, id: UnitId) -> Result<Option<OrgUnit>, StoreError> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM units WHERE id = ?"), params![id.0])?
        .as_ref()
        .map(from_row)
        .transpose()
}
