use crate::{StoreError, Tx, params};

/// Reads a platform setting.
pub fn get_setting(tx: &mut Tx<'_>, key: &str) -> Result<Option<String>, StoreError> {
    match tx.query_opt("SELECT value FROM settings WHERE key = ?", params![key])? {
        Some(row) => Ok(Some(row.get(0)?)),
        None => Ok(None),
    }
}

/// Writes a platform setting (insert or replace).
pub fn set_setting(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Writes a setting unless it exists, then returns the stored value (so concurrent
/// first starts agree on one value).
pub fn setting_or_insert(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<String, StoreError> {
    tx.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", params![key, value])?;
    let row = tx.query_one("SELECT value FROM settings WHERE key = ?", params![key])?;
    row.get(0)
}
