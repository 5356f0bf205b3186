//! Persistence of documents, revisions, reviews, index counters and syndication: the
//! only SQL of this crate. Portable SQL for SQLite and PostgreSQL.

use sitegroup_core::SiteId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};
use sitegroup_text::checks::Finding;

use crate::model::{
    CatalogueFacets, CatalogueFilter, ColumnActivity, DocFields, Document, PublicDocument, Review, Revision, SourceLink,
};
use crate::syndication::{Syndication, SyndicationState};
use crate::workflow::{DocState, Flow};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn fields_from(text: &str) -> Result<DocFields, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt("revision fields", e))
}

fn state_from(text: &str) -> Result<DocState, StoreError> {
    DocState::parse(text).ok_or_else(|| corrupt("document state", text))
}

fn source_link(source_doc: Option<i64>, source_rev: Option<i64>, source_pub: Option<i64>) -> Option<SourceLink> {
    let (doc, revision) = (source_doc?, source_rev?);
    Some(SourceLink { doc, revision, changed: source_pub != Some(revision) })
}

const DOC_COLS: &str = "d.id, d.site_id, d.column_id, d.state, d.current_rev, d.reviewed_rev, d.published_rev, \
    d.scheduled_at, d.first_published_at, d.published_at, d.index_number, d.date_flag_days, d.source_doc, \
    d.source_rev, d.created_at, d.updated_at, r.fields, \
    (SELECT s.published_rev FROM content_documents s WHERE s.id = d.source_doc), d.display_time";

fn document_from(row: &Row) -> Result<Document, StoreError> {
    Ok(Document {
        id: row.get(0)?,
        site: SiteId(row.get(1)?),
        column: row.get(2)?,
        state: state_from(&row.get::<String>(3)?)?,
        current_rev: row.get(4)?,
        reviewed_rev: row.get(5)?,
        published_rev: row.get(6)?,
        scheduled_at: row.get(7)?,
        first_published_at: row.get(8)?,
        published_at: row.get(9)?,
        index_number: row.get(10)?,
        date_flag_days: row.get(11)?,
        source: source_link(row.get(12)?, row.get(13)?, row.get(17)?),
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
        fields: fields_from(&row.get::<String>(16)?)?,
    })
}

fn public_from(row: &Row) -> Result<PublicDocument, StoreError> {
    let d = document_from(row)?;
    let published_at = d.published_at.unwrap_or(d.created_at);
    let display_time: Option<i64> = row.get(18)?;
    Ok(PublicDocument {
        id: d.id,
        site: d.site,
        column: d.column,
        revision: d.published_rev.unwrap_or(d.current_rev),
        published_at,
        display_time: display_time.unwrap_or(published_at),
        index_number: d.index_number,
        source: d.source,
        fields: d.fields,
    })
}

/// Inserts a document shell (its first revision follows); returns its id.
pub fn insert_document(
    tx: &mut Tx<'_>,
    site: SiteId,
    column: i64,
    kind: &str,
    created_by: &str,
    source: Option<(i64, i64)>,
    at: i64,
) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO content_documents (site_id, column_id, kind, state, current_rev, created_by, source_doc, \
         source_rev, created_at, updated_at) VALUES (?, ?, ?, 'draft', 0, ?, ?, ?, ?, ?) RETURNING id",
        params![site.0, column, kind, created_by, source.map(|s| s.0), source.map(|s| s.1), at, at],
    )?
    .get(0)
}

/// Appends a revision (number = previous + 1); returns its id.
pub fn insert_revision(
    tx: &mut Tx<'_>,
    doc: i64,
    fields: &DocFields,
    findings: &[Finding],
    author: &str,
    author_user: Option<i64>,
    at: i64,
) -> Result<i64, StoreError> {
    let title = fields.title.as_str();
    let fields = serde_json::to_string(fields).map_err(|e| corrupt("fields", e))?;
    let findings = serde_json::to_string(findings).map_err(|e| corrupt("findings", e))?;
    tx.query_one(
        "INSERT INTO content_revisions (doc_id, number, fields, title, findings, author, author_user, created_at) \
         VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM content_revisions WHERE doc_id = ?), ?, \
         ?, ?, ?, ?, ?) RETURNING id",
        params![doc, doc, fields, title, findings, author, author_user, at],
    )?
    .get(0)
}

/// Replaces the findings stored with a revision (set when it is submitted).
pub fn set_findings(tx: &mut Tx<'_>, rev: i64, findings: &[Finding]) -> Result<(), StoreError> {
    let findings = serde_json::to_string(findings).map_err(|e| corrupt("findings", e))?;
    tx.execute("UPDATE content_revisions SET findings = ? WHERE id = ?", params![findings, rev])?;
    Ok(())
}

/// Points a new document at its first revision.
pub fn init_flow(tx: &mut Tx<'_>, doc: i64, flow: &Flow, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE content_documents SET state = ?, current_rev = ?, updated_at = ? WHERE id = ?",
        params![flow.state.as_str(), flow.current_rev, at, doc],
    )?;
    Ok(())
}

/// Stores the workflow part of a document, if it is still `from` (optimistic check: a
/// concurrent step that got there first makes this [`StoreError::NotFound`]). On
/// PostgreSQL the row lock makes the second writer wait and then see the new state.
pub fn save_flow(tx: &mut Tx<'_>, doc: i64, from: &Flow, to: &Flow, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE content_documents SET state = ?, current_rev = ?, reviewed_rev = ?, published_rev = ?, \
         scheduled_at = ?, updated_at = ? WHERE id = ? AND state = ? AND current_rev = ?",
        params![
            to.state.as_str(),
            to.current_rev,
            to.reviewed_rev,
            to.published_rev,
            to.scheduled_at,
            at,
            doc,
            from.state.as_str(),
            from.current_rev
        ],
    )?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// What is recorded when a revision goes public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRecord {
    /// Real publication time.
    pub published_at: i64,
    /// The time shown.
    pub display_time: i64,
    /// Date flag (days), if the shown date is beyond the tolerance.
    pub date_flag_days: Option<i64>,
    /// Disclosure category, organ and year (for the catalogue).
    pub disclosure: Option<(String, String, i32)>,
}

/// Records a publication: times, date flag and catalogue columns.
pub fn record_publication(tx: &mut Tx<'_>, doc: i64, p: &PublicationRecord) -> Result<(), StoreError> {
    let (cat, organ, year) = match &p.disclosure {
        Some((c, o, y)) => (Some(c.as_str()), Some(o.as_str()), Some(i64::from(*y))),
        None => (None, None, None),
    };
    tx.execute(
        "UPDATE content_documents SET published_at = ?, first_published_at = COALESCE(first_published_at, ?), \
         display_time = ?, date_flag_days = ?, disc_category = ?, disc_organ = ?, disc_year = ? WHERE id = ?",
        params![p.published_at, p.published_at, p.display_time, p.date_flag_days, cat, organ, year, doc],
    )?;
    Ok(())
}

/// Sets the index number (unique index: a clash is a [`StoreError::UniqueViolation`]).
pub fn set_index_number(tx: &mut Tx<'_>, doc: i64, number: &str) -> Result<(), StoreError> {
    tx.execute("UPDATE content_documents SET index_number = ? WHERE id = ?", params![number, doc])?;
    Ok(())
}

/// Takes the next counter value for `(unit_key, year)` atomically: one upsert that
/// locks the counter row until commit on PostgreSQL (SQLite has one writer).
pub fn next_counter(tx: &mut Tx<'_>, unit_key: &str, year: i32) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO content_index_counters (unit_key, year, n) VALUES (?, ?, 1) \
         ON CONFLICT (unit_key, year) DO UPDATE SET n = content_index_counters.n + 1 RETURNING n",
        params![unit_key, i64::from(year)],
    )?
    .get(0)
}

/// A document with its working revision, whatever its state.
pub fn get_document(tx: &mut Tx<'_>, id: i64) -> Result<Option<Document>, StoreError> {
    tx.query_opt(
        &format!(
            "SELECT {DOC_COLS} FROM content_documents d JOIN content_revisions r ON r.id = d.current_rev WHERE d.id = ?"
        ),
        params![id],
    )?
    .as_ref()
    .map(document_from)
    .transpose()
}

/// Documents of a site (optionally one column) in the given states, newest change first.
pub fn documents_in(
    tx: &mut Tx<'_>,
    site: SiteId,
    column: Option<i64>,
    states: &[DocState],
) -> Result<Vec<Document>, StoreError> {
    let mut sql = format!(
        "SELECT {DOC_COLS} FROM content_documents d JOIN content_revisions r ON r.id = d.current_rev WHERE d.site_id = ?"
    );
    let mut p: Vec<Value> = vec![site.0.into()];
    if let Some(c) = column {
        sql.push_str(" AND d.column_id = ?");
        p.push(c.into());
    }
    if !states.is_empty() {
        sql.push_str(" AND d.state IN (");
        sql.push_str(&vec!["?"; states.len()].join(", "));
        sql.push(')');
        p.extend(states.iter().map(|s| Value::from(s.as_str())));
    }
    sql.push_str(" ORDER BY d.updated_at DESC, d.id DESC");
    tx.query(&sql, &p)?.iter().map(document_from).collect()
}

/// How many documents of `site` each column holds in each state: `(column, state, count)`.
pub fn state_counts_by_column(tx: &mut Tx<'_>, site: SiteId) -> Result<Vec<(i64, DocState, u64)>, StoreError> {
    tx.query(
        "SELECT column_id, state, COUNT(*) FROM content_documents WHERE site_id = ? GROUP BY column_id, state",
        &[site.0.into()],
    )?
    .iter()
    .map(|r| Ok((r.get::<i64>(0)?, state_from(&r.get::<String>(1)?)?, r.get::<i64>(2)?.max(0) as u64)))
    .collect()
}

/// Ids of scheduled documents whose time has come, oldest first.
pub fn due_scheduled(tx: &mut Tx<'_>, now: i64) -> Result<Vec<i64>, StoreError> {
    tx.query(
        "SELECT id FROM content_documents WHERE state = 'scheduled' AND scheduled_at <= ? ORDER BY scheduled_at, id",
        params![now],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// A revision.
pub fn get_revision(tx: &mut Tx<'_>, id: i64) -> Result<Option<Revision>, StoreError> {
    tx.query_opt(
        "SELECT id, doc_id, number, fields, findings, author, created_at FROM content_revisions WHERE id = ?",
        params![id],
    )?
    .as_ref()
    .map(revision_from)
    .transpose()
}

/// Every revision of a document, oldest first.
pub fn revisions(tx: &mut Tx<'_>, doc: i64) -> Result<Vec<Revision>, StoreError> {
    tx.query(
        "SELECT id, doc_id, number, fields, findings, author, created_at FROM content_revisions WHERE doc_id = ? \
         ORDER BY number",
        params![doc],
    )?
    .iter()
    .map(revision_from)
    .collect()
}

fn revision_from(row: &Row) -> Result<Revision, StoreError> {
    Ok(Revision {
        id: row.get(0)?,
        doc: row.get(1)?,
        number: row.get(2)?,
        fields: fields_from(&row.get::<String>(3)?)?,
        findings: serde_json::from_str(&row.get::<String>(4)?).map_err(|e| corrupt("findings", e))?,
        author: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// Records a review decision.
#[allow(clippy::too_many_arguments)]
pub fn insert_review(
    tx: &mut Tx<'_>,
    doc: i64,
    rev: i64,
    approved: bool,
    reviewer: &str,
    reviewer_user: Option<i64>,
    note: &str,
    at: i64,
) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO content_reviews (doc_id, revision_id, approved, reviewer, reviewer_user, note, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![doc, rev, approved, reviewer, reviewer_user, note, at],
    )?
    .get(0)
}

/// Review decisions on a document, oldest first.
pub fn reviews(tx: &mut Tx<'_>, doc: i64) -> Result<Vec<Review>, StoreError> {
    tx.query(
        "SELECT id, doc_id, revision_id, approved, reviewer, note, at FROM content_reviews WHERE doc_id = ? ORDER BY id",
        params![doc],
    )?
    .iter()
    .map(|r| {
        Ok(Review {
            id: r.get(0)?,
            doc: r.get(1)?,
            revision: r.get(2)?,
            approved: r.get(3)?,
            reviewer: r.get(4)?,
            note: r.get(5)?,
            at: r.get(6)?,
        })
    })
    .collect()
}

const PUBLIC_FROM: &str = "FROM content_documents d JOIN content_revisions r ON r.id = d.published_rev \
    WHERE d.published_rev IS NOT NULL";

/// Public documents whose ids a light query over `content_documents` picks (`pick` is
/// the rest of its `WHERE … ORDER BY … LIMIT`), with their public revisions, in
/// displayed-date order. Picking ids first lets the ordered partial index
/// (migration v2) serve the page without reading every revision of a large column.
fn page_of_public(pick: &str) -> String {
    format!(
        "SELECT {DOC_COLS} {PUBLIC_FROM} AND d.id IN \
         (SELECT id FROM content_documents WHERE published_rev IS NOT NULL AND {pick}) \
         ORDER BY d.display_time DESC, d.id DESC"
    )
}

/// A published document of a site (its public revision), if public.
pub fn public_document(tx: &mut Tx<'_>, site: SiteId, id: i64) -> Result<Option<PublicDocument>, StoreError> {
    tx.query_opt(&format!("SELECT {DOC_COLS} {PUBLIC_FROM} AND d.site_id = ? AND d.id = ?"), params![site.0, id])?
        .as_ref()
        .map(public_from)
        .transpose()
}

/// Whether document `id` exists, and if so its site and whether it is public.
pub fn doc_visibility(tx: &mut Tx<'_>, id: i64) -> Result<Option<(SiteId, bool)>, StoreError> {
    tx.query_opt("SELECT site_id, published_rev FROM content_documents WHERE id = ?", params![id])?
        .map(|r| Ok((SiteId(r.get(0)?), r.get::<Option<i64>>(1)?.is_some())))
        .transpose()
}

/// Published documents of a column, newest displayed time first, and the total.
pub fn public_in_column(
    tx: &mut Tx<'_>,
    site: SiteId,
    column: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PublicDocument>, i64), StoreError> {
    let total: i64 = tx
        .query_one(
            "SELECT COUNT(*) FROM content_documents d WHERE d.published_rev IS NOT NULL AND d.site_id = ? AND d.column_id = ?",
            params![site.0, column],
        )?
        .get(0)?;
    let items = tx
        .query(
            &page_of_public("site_id = ? AND column_id = ? ORDER BY display_time DESC, id DESC LIMIT ? OFFSET ?"),
            params![site.0, column, limit, offset],
        )?
        .iter()
        .map(public_from)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Every published document of a site as (id, column, real publication time of the
/// public revision), newest first: one light query for sitemaps and exports.
pub fn public_refs(tx: &mut Tx<'_>, site: SiteId) -> Result<Vec<PublicRef>, StoreError> {
    tx.query(
        "SELECT id, column_id, published_at, display_time FROM content_documents \
         WHERE site_id = ? AND published_rev IS NOT NULL ORDER BY display_time DESC, id DESC",
        params![site.0],
    )?
    .iter()
    .map(|r| Ok(PublicRef { id: r.get(0)?, column: r.get(1)?, published_at: r.get(2)?, display_time: r.get(3)? }))
    .collect()
}

/// A published document by reference only (see [`public_refs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicRef {
    /// Document id.
    pub id: i64,
    /// Its column.
    pub column: i64,
    /// Real publication time of the public revision.
    pub published_at: i64,
    /// The time shown.
    pub display_time: i64,
}

/// The newest published documents of a site.
pub fn latest_public(tx: &mut Tx<'_>, site: SiteId, limit: i64) -> Result<Vec<PublicDocument>, StoreError> {
    tx.query(&page_of_public("site_id = ? ORDER BY display_time DESC, id DESC LIMIT ?"), params![site.0, limit])?
        .iter()
        .map(public_from)
        .collect()
}

fn catalogue_where(site: SiteId, f: &CatalogueFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" AND site_id = ? AND kind = 'disclosure'");
    let mut p: Vec<Value> = vec![site.0.into()];
    if let Some(c) = &f.category {
        sql.push_str(" AND disc_category = ?");
        p.push(c.as_str().into());
    }
    if let Some(o) = &f.organ {
        sql.push_str(" AND disc_organ = ?");
        p.push(o.as_str().into());
    }
    if let Some(y) = f.year {
        sql.push_str(" AND disc_year = ?");
        p.push(i64::from(y).into());
    }
    (sql, p)
}

/// Published disclosure items of a site matching the filter, and the total.
pub fn catalogue(
    tx: &mut Tx<'_>,
    site: SiteId,
    filter: &CatalogueFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PublicDocument>, i64), StoreError> {
    let (cond, mut p) = catalogue_where(site, filter);
    let total: i64 = tx
        .query_one(&format!("SELECT COUNT(*) FROM content_documents d WHERE d.published_rev IS NOT NULL{cond}"), &p)?
        .get(0)?;
    p.push(limit.into());
    p.push(offset.into());
    // `cond` names unqualified columns of content_documents, so it serves both queries.
    let pick = format!("1 = 1{cond} ORDER BY display_time DESC, id DESC LIMIT ? OFFSET ?");
    let items = tx.query(&page_of_public(&pick), &p)?.iter().map(public_from).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Counts of published disclosure items by category, organ and year.
pub fn catalogue_facets(tx: &mut Tx<'_>, site: SiteId) -> Result<CatalogueFacets, StoreError> {
    let mut out = CatalogueFacets::default();
    for (col, slot) in [("disc_category", 0), ("disc_organ", 1), ("disc_year", 2)] {
        let rows = tx.query(
            &format!(
                "SELECT {col}, COUNT(*) FROM content_documents WHERE published_rev IS NOT NULL AND site_id = ? \
                 AND kind = 'disclosure' AND {col} IS NOT NULL GROUP BY {col} ORDER BY {col}"
            ),
            params![site.0],
        )?;
        for r in rows {
            match slot {
                0 => out.categories.push((r.get(0)?, r.get(1)?)),
                1 => out.organs.push((r.get(0)?, r.get(1)?)),
                _ => out.years.push((r.get(0)?, r.get(1)?)),
            }
        }
    }
    out.years.reverse();
    Ok(out)
}

/// Publishing activity per (site, column) for column health.
pub fn column_activity(
    tx: &mut Tx<'_>,
    site: Option<SiteId>,
    window_start: i64,
) -> Result<Vec<ColumnActivity>, StoreError> {
    let mut sql = String::from(
        "SELECT site_id, column_id, MAX(first_published_at), COUNT(*), \
         SUM(CASE WHEN first_published_at >= ? THEN 1 ELSE 0 END) FROM content_documents \
         WHERE published_rev IS NOT NULL",
    );
    let mut p: Vec<Value> = vec![window_start.into()];
    if let Some(s) = site {
        sql.push_str(" AND site_id = ?");
        p.push(s.0.into());
    }
    sql.push_str(" GROUP BY site_id, column_id ORDER BY site_id, column_id");
    tx.query(&sql, &p)?
        .iter()
        .map(|r| {
            Ok(ColumnActivity {
                site: SiteId(r.get(0)?),
                column: r.get(1)?,
                last_published: r.get(2)?,
                total_published: r.get(3)?,
                published_since: r.get::<Option<i64>>(4)?.unwrap_or(0),
            })
        })
        .collect()
}

/// Documents whose displayed date was flagged, for the inspection self-check.
pub fn flagged_dates(tx: &mut Tx<'_>, site: Option<SiteId>) -> Result<Vec<(i64, SiteId, i64)>, StoreError> {
    let mut sql = String::from(
        "SELECT id, site_id, date_flag_days FROM content_documents WHERE date_flag_days IS NOT NULL \
         AND published_rev IS NOT NULL",
    );
    let mut p: Vec<Value> = vec![];
    if let Some(s) = site {
        sql.push_str(" AND site_id = ?");
        p.push(s.0.into());
    }
    sql.push_str(" ORDER BY id");
    tx.query(&sql, &p)?.iter().map(|r| Ok((r.get(0)?, SiteId(r.get(1)?), r.get(2)?))).collect()
}

// ---- syndication ----

const SYN_COLS: &str = "id, source_doc, source_rev, from_site, to_site, to_column, state, reason, copy_doc, \
    submitted_by, submitted_at, decided_by, decided_at";

fn syndication_from(r: &Row) -> Result<Syndication, StoreError> {
    let state: String = r.get(6)?;
    Ok(Syndication {
        id: r.get(0)?,
        source_doc: r.get(1)?,
        source_rev: r.get(2)?,
        from_site: SiteId(r.get(3)?),
        to_site: SiteId(r.get(4)?),
        to_column: r.get(5)?,
        state: SyndicationState::parse(&state).ok_or_else(|| corrupt("syndication state", &state))?,
        reason: r.get(7)?,
        copy_doc: r.get(8)?,
        submitted_by: r.get(9)?,
        submitted_at: r.get(10)?,
        decided_by: r.get(11)?,
        decided_at: r.get(12)?,
    })
}

/// Records a submission (信息报送).
#[allow(clippy::too_many_arguments)]
pub fn insert_syndication(
    tx: &mut Tx<'_>,
    source_doc: i64,
    source_rev: i64,
    from_site: SiteId,
    to_site: SiteId,
    to_column: i64,
    by: &str,
    at: i64,
) -> Result<Syndication, StoreError> {
    let row = tx.query_one(
        &format!(
            "INSERT INTO content_syndications (source_doc, source_rev, from_site, to_site, to_column, state, \
             submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING {SYN_COLS}"
        ),
        params![source_doc, source_rev, from_site.0, to_site.0, to_column, by, at],
    )?;
    syndication_from(&row)
}

/// A submission.
pub fn get_syndication(tx: &mut Tx<'_>, id: i64) -> Result<Option<Syndication>, StoreError> {
    tx.query_opt(&format!("SELECT {SYN_COLS} FROM content_syndications WHERE id = ?"), params![id])?
        .as_ref()
        .map(syndication_from)
        .transpose()
}

/// Whether a pending submission of this document to this column exists.
pub fn pending_syndication_exists(tx: &mut Tx<'_>, doc: i64, to_column: i64) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT id FROM content_syndications WHERE source_doc = ? AND to_column = ? AND state = 'pending'",
            params![doc, to_column],
        )?
        .is_some())
}

/// Records the decision on a submission.
pub fn decide_syndication(
    tx: &mut Tx<'_>,
    id: i64,
    state: SyndicationState,
    reason: Option<&str>,
    copy_doc: Option<i64>,
    by: &str,
    at: i64,
) -> Result<Syndication, StoreError> {
    let row = tx.query_one(
        &format!(
            "UPDATE content_syndications SET state = ?, reason = ?, copy_doc = ?, decided_by = ?, decided_at = ? \
             WHERE id = ? AND state = 'pending' RETURNING {SYN_COLS}"
        ),
        params![state.as_str(), reason, copy_doc, by, at, id],
    )?;
    syndication_from(&row)
}

/// Submissions to a site (the inbox) or from a site, newest first.
pub fn syndications_for(tx: &mut Tx<'_>, site: SiteId, incoming: bool) -> Result<Vec<Syndication>, StoreError> {
    let col = if incoming { "to_site" } else { "from_site" };
    tx.query(
        &format!("SELECT {SYN_COLS} FROM content_syndications WHERE {col} = ? ORDER BY submitted_at DESC, id DESC"),
        params![site.0],
    )?
    .iter()
    .map(syndication_from)
    .collect()
}

/// Submissions in `[from, to)` per submitting site: (site, submitted, accepted, rejected).
pub fn syndication_counts(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Vec<(SiteId, i64, i64, i64)>, StoreError> {
    tx.query(
        "SELECT from_site, COUNT(*), SUM(CASE WHEN state = 'accepted' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN state = 'rejected' THEN 1 ELSE 0 END) FROM content_syndications \
         WHERE submitted_at >= ? AND submitted_at < ? GROUP BY from_site ORDER BY from_site",
        params![from, to],
    )?
    .iter()
    .map(|r| {
        Ok((SiteId(r.get(0)?), r.get(1)?, r.get::<Option<i64>>(2)?.unwrap_or(0), r.get::<Option<i64>>(3)?.unwrap_or(0)))
    })
    .collect()
}
