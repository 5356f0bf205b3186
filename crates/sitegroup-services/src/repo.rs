//! Persistence of items, Q&A, forms, query definitions and rate counters: the only SQL
//! of this crate. Portable SQL for SQLite and PostgreSQL.

use sitegroup_core::UnitId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};

use crate::model::{Audience, Form, Guide, Item, LifeEvent, NewForm, NewQueryDef, Qa, QueryDef, QueryEdit, ValidItem};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Life events as stored: `,birth,housing,` (so `LIKE '%,birth,%'` finds them).
fn events_text(events: &[LifeEvent]) -> String {
    let mut s = String::from(",");
    for e in events {
        s.push_str(e.as_str());
        s.push(',');
    }
    s
}

const ITEM_COLS: &str =
    "id, code, name, audience, life_events, theme, unit_id, guide, published, sort, created_at, updated_at";

fn item_from(row: &Row) -> Result<Item, StoreError> {
    let audience: String = row.get(3)?;
    let events: String = row.get(4)?;
    let guide: String = row.get(7)?;
    Ok(Item {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        audience: Audience::parse(&audience).ok_or_else(|| corrupt("audience", &audience))?,
        life_events: events.split(',').filter(|s| !s.is_empty()).filter_map(LifeEvent::parse).collect(),
        theme: row.get(5)?,
        unit: UnitId(row.get(6)?),
        guide: serde_json::from_str(&guide).map_err(|e| corrupt("guide", e))?,
        published: row.get(8)?,
        sort: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

fn guide_json(g: &Guide) -> Result<String, StoreError> {
    serde_json::to_string(g).map_err(|e| corrupt("guide", e))
}

/// Inserts an item (unpublished, empty guide unless given). A taken code is
/// [`StoreError::UniqueViolation`].
pub fn insert_item(tx: &mut Tx<'_>, v: &ValidItem, unit: UnitId, guide: &Guide, at: i64) -> Result<Item, StoreError> {
    let id: i64 = tx
        .query_one(
            "INSERT INTO services_items (code, name, audience, life_events, theme, unit_id, guide, published, sort, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
            params![
                v.code.as_str(),
                v.name.as_str(),
                v.audience.as_str(),
                events_text(&v.life_events),
                v.theme.as_str(),
                unit.0,
                guide_json(guide)?,
                v.sort,
                at,
                at
            ],
        )?
        .get(0)?;
    item(tx, id)?.ok_or(StoreError::NotFound)
}

/// Replaces an item's catalogue data.
pub fn update_item(tx: &mut Tx<'_>, id: i64, v: &ValidItem, unit: UnitId, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE services_items SET code = ?, name = ?, audience = ?, life_events = ?, theme = ?, unit_id = ?, sort = ?, \
         updated_at = ? WHERE id = ?",
        params![
            v.code.as_str(),
            v.name.as_str(),
            v.audience.as_str(),
            events_text(&v.life_events),
            v.theme.as_str(),
            unit.0,
            v.sort,
            at,
            id
        ],
    )?;
    Ok(())
}

/// Replaces an item's guide.
pub fn set_guide(tx: &mut Tx<'_>, id: i64, guide: &Guide, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE services_items SET guide = ?, updated_at = ? WHERE id = ?",
        params![guide_json(guide)?, at, id],
    )?;
    Ok(())
}

/// Publishes or unpublishes an item.
pub fn set_item_published(tx: &mut Tx<'_>, id: i64, published: bool, at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE services_items SET published = ?, updated_at = ? WHERE id = ?", params![published, at, id])?;
    Ok(())
}

/// An item by id.
pub fn item(tx: &mut Tx<'_>, id: i64) -> Result<Option<Item>, StoreError> {
    tx.query_opt(&format!("SELECT {ITEM_COLS} FROM services_items WHERE id = ?"), params![id])?
        .map(|r| item_from(&r))
        .transpose()
}

/// Filter of item lists. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Only published items.
    pub published_only: bool,
    /// Only this audience.
    pub audience: Option<Audience>,
    /// Only items with this life event.
    pub life_event: Option<LifeEvent>,
    /// Only these units.
    pub units: Option<Vec<UnitId>>,
    /// Only this theme.
    pub theme: Option<String>,
    /// Name contains this text.
    pub text: Option<String>,
}

/// Items matching `f`, by sort key then id.
pub fn items(tx: &mut Tx<'_>, f: &ItemFilter) -> Result<Vec<Item>, StoreError> {
    let mut sql = format!("SELECT {ITEM_COLS} FROM services_items WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if f.published_only {
        sql.push_str(" AND published = 1");
    }
    if let Some(a) = f.audience {
        sql.push_str(" AND audience = ?");
        args.push(a.as_str().into());
    }
    if let Some(e) = f.life_event {
        sql.push_str(" AND life_events LIKE ?");
        args.push(format!("%,{},%", e.as_str()).into());
    }
    if let Some(units) = &f.units {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::from(u.0)));
    }
    if let Some(t) = &f.theme {
        sql.push_str(" AND theme = ?");
        args.push(t.as_str().into());
    }
    if let Some(t) = &f.text {
        sql.push_str(" AND name LIKE ?");
        args.push(format!("%{}%", escape_like(t)).into());
    }
    sql.push_str(" ORDER BY sort, id");
    tx.query(&sql, &args)?.iter().map(item_from).collect()
}

/// `%` and `_` are matched literally (dropped: item names never need them).
fn escape_like(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect()
}

/// Themes of published items with their counts.
pub fn themes(tx: &mut Tx<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    tx.query(
        "SELECT theme, COUNT(*) FROM services_items WHERE published = 1 AND theme <> '' GROUP BY theme ORDER BY theme",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .collect()
}

/// Counts of published items per audience.
pub fn audience_counts(tx: &mut Tx<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    tx.query("SELECT audience, COUNT(*) FROM services_items WHERE published = 1 GROUP BY audience", &[])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}

// ---- Q&A ----

const QA_COLS: &str = "id, item_id, unit_id, question, answer, published, created_at, updated_at";

fn qa_from(row: &Row) -> Result<Qa, StoreError> {
    Ok(Qa {
        id: row.get(0)?,
        item: row.get(1)?,
        unit: UnitId(row.get(2)?),
        question: row.get(3)?,
        answer: row.get(4)?,
        published: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

/// Inserts a Q&A entry.
pub fn insert_qa(
    tx: &mut Tx<'_>,
    item: Option<i64>,
    unit: UnitId,
    question: &str,
    answer: &str,
    published: bool,
    at: i64,
) -> Result<Qa, StoreError> {
    let id: i64 = tx
        .query_one(
            "INSERT INTO services_qa (item_id, unit_id, question, answer, published, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            params![item, unit.0, question, answer, published, at, at],
        )?
        .get(0)?;
    qa(tx, id)?.ok_or(StoreError::NotFound)
}

/// Replaces a Q&A entry.
#[allow(clippy::too_many_arguments)]
pub fn update_qa(
    tx: &mut Tx<'_>,
    id: i64,
    item: Option<i64>,
    unit: UnitId,
    question: &str,
    answer: &str,
    published: bool,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE services_qa SET item_id = ?, unit_id = ?, question = ?, answer = ?, published = ?, updated_at = ? \
         WHERE id = ?",
        params![item, unit.0, question, answer, published, at, id],
    )?;
    Ok(())
}

/// Deletes a Q&A entry (gone from every list and, one search poll later, the index).
pub fn delete_qa(tx: &mut Tx<'_>, id: i64) -> Result<u64, StoreError> {
    tx.execute("DELETE FROM services_qa WHERE id = ?", params![id])
}

/// A Q&A entry by id.
pub fn qa(tx: &mut Tx<'_>, id: i64) -> Result<Option<Qa>, StoreError> {
    tx.query_opt(&format!("SELECT {QA_COLS} FROM services_qa WHERE id = ?"), params![id])?
        .map(|r| qa_from(&r))
        .transpose()
}

/// Filter of Q&A lists.
#[derive(Debug, Clone, Default)]
pub struct QaFilter {
    /// Only published entries.
    pub published_only: bool,
    /// Only entries of this item.
    pub item: Option<i64>,
    /// Only these units.
    pub units: Option<Vec<UnitId>>,
    /// Question or answer contains this text.
    pub text: Option<String>,
    /// Most rows (0: 100).
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

fn qa_where(f: &QaFilter) -> Option<(String, Vec<Value>)> {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if f.published_only {
        sql.push_str(" AND published = 1");
    }
    if let Some(i) = f.item {
        sql.push_str(" AND item_id = ?");
        args.push(i.into());
    }
    if let Some(units) = &f.units {
        if units.is_empty() {
            return None;
        }
        sql.push_str(&format!(" AND unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::from(u.0)));
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        sql.push_str(" AND (question LIKE ? OR answer LIKE ?)");
        let p = format!("%{}%", escape_like(t));
        args.push(p.clone().into());
        args.push(p.into());
    }
    Some((sql, args))
}

/// Q&A entries matching `f`, newest first, and the total.
pub fn qas(tx: &mut Tx<'_>, f: &QaFilter) -> Result<(Vec<Qa>, i64), StoreError> {
    let Some((filter, mut args)) = qa_where(f) else { return Ok((Vec::new(), 0)) };
    let total: i64 = tx.query_one(&format!("SELECT COUNT(*) FROM services_qa{filter}"), &args)?.get(0)?;
    let limit = if f.limit <= 0 { 100 } else { f.limit.min(1_000) };
    args.push(limit.into());
    args.push(f.offset.max(0).into());
    let rows =
        tx.query(&format!("SELECT {QA_COLS} FROM services_qa{filter} ORDER BY id DESC LIMIT ? OFFSET ?"), &args)?;
    Ok((rows.iter().map(qa_from).collect::<Result<_, _>>()?, total))
}

// ---- forms ----

const FORM_COLS: &str = "id, item_id, unit_id, name, document_id, attachment, published, created_at, updated_at";

fn form_from(row: &Row) -> Result<Form, StoreError> {
    Ok(Form {
        id: row.get(0)?,
        item: row.get(1)?,
        unit: UnitId(row.get(2)?),
        name: row.get(3)?,
        document: row.get(4)?,
        attachment: row.get(5)?,
        published: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

/// Inserts a form (listed publicly once its document is published).
pub fn insert_form(tx: &mut Tx<'_>, f: &NewForm, unit: UnitId, at: i64) -> Result<Form, StoreError> {
    let id: i64 = tx
        .query_one(
            "INSERT INTO services_forms (item_id, unit_id, name, document_id, attachment, published, created_at, \
             updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
            params![f.item, unit.0, f.name.as_str(), f.document, f.attachment, at, at],
        )?
        .get(0)?;
    form(tx, id)?.ok_or(StoreError::NotFound)
}

/// Replaces a form's item, unit, name and attachment.
pub fn update_form(tx: &mut Tx<'_>, id: i64, f: &NewForm, unit: UnitId, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE services_forms SET item_id = ?, unit_id = ?, name = ?, document_id = ?, attachment = ?, \
         updated_at = ? WHERE id = ?",
        params![f.item, unit.0, f.name.as_str(), f.document, f.attachment, at, id],
    )?;
    Ok(())
}

/// Lists (`true`) or hides a form.
pub fn set_form_published(tx: &mut Tx<'_>, id: i64, published: bool, at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE services_forms SET published = ?, updated_at = ? WHERE id = ?", params![published, at, id])?;
    Ok(())
}

/// Deletes a form (the caller checks first that no guide points at it).
pub fn delete_form(tx: &mut Tx<'_>, id: i64) -> Result<u64, StoreError> {
    tx.execute("DELETE FROM services_forms WHERE id = ?", params![id])
}

/// Ids of the items whose guide lists `form` among its materials.
pub fn items_using_form(tx: &mut Tx<'_>, form: i64) -> Result<Vec<i64>, StoreError> {
    // A cheap pre-filter on the JSON text (`"form":12` also matches 123), then the
    // exact check on the parsed guide.
    let rows = tx.query(
        "SELECT id, guide FROM services_items WHERE guide LIKE ? ORDER BY id",
        params![format!("%\"form\":{form}%")],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let guide: String = r.get(1)?;
        let guide: Guide = serde_json::from_str(&guide).map_err(|e| corrupt("guide", e))?;
        if guide.materials.iter().any(|m| m.form == Some(form)) {
            out.push(r.get(0)?);
        }
    }
    Ok(out)
}

/// A form by id.
pub fn form(tx: &mut Tx<'_>, id: i64) -> Result<Option<Form>, StoreError> {
    tx.query_opt(&format!("SELECT {FORM_COLS} FROM services_forms WHERE id = ?"), params![id])?
        .map(|r| form_from(&r))
        .transpose()
}

/// Filter of form lists. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct FormFilter {
    /// Only listed (not hidden) forms.
    pub published_only: bool,
    /// Only forms of this item.
    pub item: Option<i64>,
    /// Only these units.
    pub units: Option<Vec<UnitId>>,
}

/// Forms matching `f`, by id.
pub fn forms(tx: &mut Tx<'_>, f: &FormFilter) -> Result<Vec<Form>, StoreError> {
    let mut sql = format!("SELECT {FORM_COLS} FROM services_forms WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if f.published_only {
        sql.push_str(" AND published = 1");
    }
    if let Some(i) = f.item {
        sql.push_str(" AND item_id = ?");
        args.push(i.into());
    }
    if let Some(units) = &f.units {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::from(u.0)));
    }
    sql.push_str(" ORDER BY id");
    tx.query(&sql, &args)?.iter().map(form_from).collect()
}

// ---- query definitions and counters ----

const QUERY_COLS: &str =
    "id, code, name, unit_id, provider, description, per_address, per_query, window_seconds, published, sort";

fn query_from(row: &Row) -> Result<QueryDef, StoreError> {
    Ok(QueryDef {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        unit: UnitId(row.get(3)?),
        provider: row.get(4)?,
        description: row.get(5)?,
        per_address: row.get(6)?,
        per_query: row.get(7)?,
        window_seconds: row.get(8)?,
        published: row.get(9)?,
        sort: row.get(10)?,
    })
}

/// Inserts a query definition, or replaces the one with the same code.
pub fn upsert_query(tx: &mut Tx<'_>, d: &NewQueryDef, unit: UnitId, at: i64) -> Result<QueryDef, StoreError> {
    tx.execute(
        "INSERT INTO services_queries (code, name, unit_id, provider, description, per_address, per_query, \
         window_seconds, published, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit_id = excluded.unit_id, \
         provider = excluded.provider, description = excluded.description, per_address = excluded.per_address, \
         per_query = excluded.per_query, window_seconds = excluded.window_seconds, published = excluded.published, \
         sort = excluded.sort, updated_at = excluded.updated_at",
        params![
            d.code.as_str(),
            d.name.as_str(),
            unit.0,
            d.provider.as_str(),
            d.description.as_str(),
            d.per_address,
            d.per_query,
            d.window_seconds,
            d.published,
            d.sort,
            at,
            at
        ],
    )?;
    query_by_code(tx, &d.code)?.ok_or(StoreError::NotFound)
}

/// A query definition by code.
pub fn query_by_code(tx: &mut Tx<'_>, code: &str) -> Result<Option<QueryDef>, StoreError> {
    tx.query_opt(&format!("SELECT {QUERY_COLS} FROM services_queries WHERE code = ?"), params![code])?
        .map(|r| query_from(&r))
        .transpose()
}

/// Query definitions (published only, or all), by sort then id.
pub fn queries(tx: &mut Tx<'_>, published_only: bool) -> Result<Vec<QueryDef>, StoreError> {
    let filter = if published_only { " WHERE published = 1" } else { "" };
    tx.query(&format!("SELECT {QUERY_COLS} FROM services_queries{filter} ORDER BY sort, id"), &[])?
        .iter()
        .map(query_from)
        .collect()
}

/// Query definitions of these units (all of them with `None`), by sort then id.
pub fn queries_of(tx: &mut Tx<'_>, units: Option<&[UnitId]>) -> Result<Vec<QueryDef>, StoreError> {
    let Some(units) = units else { return queries(tx, false) };
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {QUERY_COLS} FROM services_queries WHERE unit_id IN ({}) ORDER BY sort, id",
        vec!["?"; units.len()].join(", ")
    );
    let args: Vec<Value> = units.iter().map(|u| Value::from(u.0)).collect();
    tx.query(&sql, &args)?.iter().map(query_from).collect()
}

/// Changes a definition's texts, provider and limits (code, unit, public flag and sort
/// stay).
pub fn update_query(tx: &mut Tx<'_>, id: i64, e: &QueryEdit, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE services_queries SET name = ?, description = ?, provider = ?, per_address = ?, per_query = ?, \
         window_seconds = ?, updated_at = ? WHERE id = ?",
        params![
            e.name.as_str(),
            e.description.as_str(),
            e.provider.as_str(),
            e.per_address,
            e.per_query,
            e.window_seconds,
            at,
            id
        ],
    )?;
    Ok(())
}

/// Enables (`true`: public) or disables a query.
pub fn set_query_published(tx: &mut Tx<'_>, id: i64, published: bool, at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE services_queries SET published = ?, updated_at = ? WHERE id = ?", params![published, at, id])?;
    Ok(())
}

/// How many runs of `query` were counted in windows starting at or after `since`: the
/// sum of the all-addresses counters ([`crate::query::ALL_ADDRESSES`]). Refused
/// (over-limit) requests roll back and are not counted. Counts only; the per-address
/// rows are never read here.
pub fn query_usage(tx: &mut Tx<'_>, query: i64, since: i64) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT COALESCE(SUM(n), 0) FROM services_query_hits WHERE query_id = ? AND address_hash = ? \
         AND window_start >= ?",
        params![query, crate::query::ALL_ADDRESSES, since],
    )?
    .get(0)
}

/// Adds one to the counter of `(query, key, window)` and returns the new count. The
/// upsert is atomic on both drivers, so concurrent processes never lose a hit.
pub fn hit(tx: &mut Tx<'_>, query: i64, key: &str, window_start: i64) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO services_query_hits (query_id, address_hash, window_start, n) VALUES (?, ?, ?, 1) \
         ON CONFLICT (query_id, address_hash, window_start) DO UPDATE SET n = services_query_hits.n + 1 RETURNING n",
        params![query, key, window_start],
    )?
    .get(0)
}

/// Deletes counters of windows that started before `before` (housekeeping).
pub fn prune_hits(tx: &mut Tx<'_>, before: i64) -> Result<u64, StoreError> {
    tx.execute("DELETE FROM services_query_hits WHERE window_start < ?", params![before])
}
