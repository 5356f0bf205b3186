//! The self-check's derived caches: the content checker's verdict per published revision
//! (`selfcheck_doc_checks`) and the last report per scope (`selfcheck_reports`).
//!
//! **What it owns.** Both tables and the checker fingerprint. A verdict row says: "the
//! published revision `rev_id` of document `document_id` (of site `site_id`), checked by
//! a checker whose configuration had fingerprint `fingerprint`, gave these
//! `(indicator, evidence)` pairs". The fingerprint covers the three word-list files of the
//! data directory byte for byte, [`CHECK_RULES_VERSION`] and the crate version, so editing
//! a list, changing the rules or upgrading the software invalidates every row at once.
//!
//! **Derived, may be dropped at any time.** Nothing reads these tables as facts: a missing
//! or stale row only means the document is checked again. Deleting every row (or the
//! tables' contents) is always safe; the next run rebuilds them. For that reason writing
//! them is not an audited change and appends no outbox event (like the search index).
//!
//! **Invariants.** A row is used only when its revision, site and fingerprint all match
//! the document's current public revision, so an edit that is republished (a new public
//! revision) is checked again, and a withdrawn or deleted document (no public revision) is
//! never reported from the cache. A run writes and prunes rows of the sites it checked
//! only: a site admin's run (`Some(site)`) touches rows with that `site_id` and no other.

use std::path::Path;

use sitegroup_core::SiteId;
use sitegroup_store::{StoreError, Tx, Value, params};

use super::{CheckIndicator, SelfCheckReport};
use crate::error::Error;

/// Version of the self-check's document rules. Bump it when the content checker's code or
/// the mapping from its findings to indicators changes: every cached verdict is then
/// recomputed on the next run.
pub const CHECK_RULES_VERSION: u32 = 1;

/// The word-list files the content checker is built from (under `dir/checks/`).
const LIST_FILES: [&str; 3] = ["prohibited.txt", "sensitive.txt", "serious.txt"];

/// Rows per multi-row `INSERT` (6 parameters each: far below both drivers' limits).
const INSERT_BATCH: usize = 200;

/// Ids per `IN (…)` list when loading the fields of documents to check.
const LOAD_BATCH: usize = 500;

/// What a document's published text gave: per indicator, up to five pieces of evidence.
pub(crate) type DocVerdict = Vec<(CheckIndicator, Vec<String>)>;

/// The migration adding both cache tables (module `selfcheck`, version 2).
pub(crate) fn migration() -> sitegroup_store::Migration {
    sitegroup_store::Migration {
        module: "selfcheck",
        version: 2,
        name: "cached checker verdicts per published revision, last report per scope",
        sql: "CREATE TABLE selfcheck_doc_checks (
            document_id BIGINT PRIMARY KEY,
            site_id BIGINT NOT NULL,
            rev_id BIGINT NOT NULL,
            fingerprint TEXT NOT NULL,
            findings TEXT NOT NULL,
            checked_at BIGINT NOT NULL
        );
        CREATE INDEX selfcheck_doc_checks_site ON selfcheck_doc_checks (site_id);
        CREATE TABLE selfcheck_reports (
            scope TEXT PRIMARY KEY,
            at BIGINT NOT NULL,
            report TEXT NOT NULL
        );",
        postgres_sql: None,
    }
}

/// FNV-1a, 64 bits: a stable hash (the same in every process and Rust version), enough to
/// notice a changed file; not a defence against anyone crafting collisions (whoever can
/// write the word lists can change the checker anyway).
struct Fnv(u64);

impl Fnv {
    fn new(seed: u64) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325 ^ seed)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// The fingerprint of the checker configuration in `dir`: the three list files (absent
/// and empty differ), [`CHECK_RULES_VERSION`] and the crate version, as 32 hex digits.
pub fn checker_fingerprint(dir: &Path) -> Result<String, Error> {
    let mut a = Fnv::new(0);
    let mut b = Fnv::new(0x9e37_79b9_7f4a_7c15);
    let mut feed = |bytes: &[u8]| {
        a.write(bytes);
        b.write(bytes);
    };
    feed(&CHECK_RULES_VERSION.to_le_bytes());
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    for name in LIST_FILES {
        let path = dir.join("checks").join(name);
        feed(name.as_bytes());
        match std::fs::read(&path) {
            Ok(bytes) => {
                feed(&[1]);
                feed(&(bytes.len() as u64).to_le_bytes());
                feed(&bytes);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => feed(&[0]),
            Err(source) => return Err(Error::Io { path: path.display().to_string(), source }),
        }
    }
    Ok(format!("{:016x}{:016x}", a.0, b.0))
}

/// A published document as the self-check reads it, with its cached verdict when one
/// matches (revision, site and fingerprint).
pub(crate) struct PublishedRow {
    pub id: i64,
    pub site: SiteId,
    pub column: i64,
    pub published_at: Option<i64>,
    pub date_flag_days: Option<i64>,
    pub rev: i64,
    pub title: String,
    /// The cached verdict (JSON) when it is valid for this revision and checker.
    pub cached: Option<String>,
}

/// Every published document (of `site`, or of the group), without the text.
pub(crate) fn published_rows(
    tx: &mut Tx<'_>,
    site: Option<SiteId>,
    fingerprint: &str,
) -> Result<Vec<PublishedRow>, StoreError> {
    let mut sql = String::from(
        "SELECT d.id, d.site_id, d.column_id, d.published_at, d.date_flag_days, d.published_rev, r.title, c.findings \
         FROM content_documents d JOIN content_revisions r ON r.id = d.published_rev \
         LEFT JOIN selfcheck_doc_checks c ON c.document_id = d.id AND c.rev_id = d.published_rev \
         AND c.site_id = d.site_id AND c.fingerprint = ? \
         WHERE d.published_rev IS NOT NULL",
    );
    let mut p: Vec<Value> = vec![fingerprint.into()];
    if let Some(s) = site {
        sql.push_str(" AND d.site_id = ?");
        p.push(s.0.into());
    }
    sql.push_str(" ORDER BY d.id");
    tx.query(&sql, &p)?
        .iter()
        .map(|r| {
            Ok(PublishedRow {
                id: r.get(0)?,
                site: SiteId(r.get(1)?),
                column: r.get(2)?,
                published_at: r.get(3)?,
                date_flag_days: r.get(4)?,
                rev: r.get(5)?,
                title: r.get(6)?,
                cached: r.get(7)?,
            })
        })
        .collect()
}

/// How many published documents of `site` (or of the group) have no valid cached verdict:
/// what the next run has to check.
pub(crate) fn pending_count(tx: &mut Tx<'_>, site: Option<SiteId>, fingerprint: &str) -> Result<i64, StoreError> {
    let mut sql = String::from(
        "SELECT COUNT(*) FROM content_documents d \
         LEFT JOIN selfcheck_doc_checks c ON c.document_id = d.id AND c.rev_id = d.published_rev \
         AND c.site_id = d.site_id AND c.fingerprint = ? \
         WHERE d.published_rev IS NOT NULL AND c.document_id IS NULL",
    );
    let mut p: Vec<Value> = vec![fingerprint.into()];
    if let Some(s) = site {
        sql.push_str(" AND d.site_id = ?");
        p.push(s.0.into());
    }
    tx.query_one(&sql, &p)?.get(0)
}

/// The stored fields (JSON) of these revisions, by revision id.
pub(crate) fn revision_fields(tx: &mut Tx<'_>, revs: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    let mut out = Vec::with_capacity(revs.len());
    for chunk in revs.chunks(LOAD_BATCH) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let p: Vec<Value> = chunk.iter().map(|r| Value::from(*r)).collect();
        for r in tx.query(&format!("SELECT id, fields FROM content_revisions WHERE id IN ({marks})"), &p)? {
            out.push((r.get(0)?, r.get(1)?));
        }
    }
    Ok(out)
}

/// A verdict to store: `(document, site, revision, verdict JSON)`.
pub(crate) type NewVerdict = (i64, SiteId, i64, String);

/// Stores fresh verdicts and prunes rows whose document is no longer published, within
/// the run's scope (`site`, or the whole group). One transaction.
pub(crate) fn store_verdicts(
    tx: &mut Tx<'_>,
    site: Option<SiteId>,
    fingerprint: &str,
    verdicts: &[NewVerdict],
    now: i64,
) -> Result<(), StoreError> {
    for chunk in verdicts.chunks(INSERT_BATCH) {
        let rows = vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let mut p: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        for (doc, s, rev, json) in chunk {
            p.extend([
                Value::from(*doc),
                Value::from(s.0),
                Value::from(*rev),
                Value::from(fingerprint),
                Value::from(json.as_str()),
                Value::from(now),
            ]);
        }
        tx.execute(
            &format!(
                "INSERT INTO selfcheck_doc_checks (document_id, site_id, rev_id, fingerprint, findings, checked_at) \
                 VALUES {rows} ON CONFLICT (document_id) DO UPDATE SET site_id = excluded.site_id, \
                 rev_id = excluded.rev_id, fingerprint = excluded.fingerprint, findings = excluded.findings, \
                 checked_at = excluded.checked_at"
            ),
            &p,
        )?;
    }
    match site {
        Some(s) => tx.execute(
            "DELETE FROM selfcheck_doc_checks WHERE site_id = ? AND document_id NOT IN \
             (SELECT id FROM content_documents WHERE published_rev IS NOT NULL AND site_id = ?)",
            params![s.0, s.0],
        )?,
        None => tx.execute(
            "DELETE FROM selfcheck_doc_checks WHERE document_id NOT IN \
             (SELECT id FROM content_documents WHERE published_rev IS NOT NULL)",
            &[],
        )?,
    };
    Ok(())
}

/// The key of a stored report: `group` or `site:{id}`.
fn scope_key(site: Option<SiteId>) -> String {
    site.map_or_else(|| "group".to_string(), |s| format!("site:{}", s.0))
}

/// Stores the report as the last one of its scope.
pub(crate) fn store_report(tx: &mut Tx<'_>, site: Option<SiteId>, report: &SelfCheckReport) -> Result<(), Error> {
    let json = serde_json::to_string(report).map_err(|e| Error::Internal(format!("self-check report: {e}")))?;
    tx.execute(
        "INSERT INTO selfcheck_reports (scope, at, report) VALUES (?, ?, ?) \
         ON CONFLICT (scope) DO UPDATE SET at = excluded.at, report = excluded.report",
        params![scope_key(site), report.at, json],
    )?;
    Ok(())
}

/// The last stored report of a scope, if any (an unreadable one counts as none: it is a
/// cache).
pub(crate) fn load_report(tx: &mut Tx<'_>, site: Option<SiteId>) -> Result<Option<SelfCheckReport>, StoreError> {
    let row = tx.query_opt("SELECT report FROM selfcheck_reports WHERE scope = ?", params![scope_key(site)])?;
    Ok(match row {
        Some(r) => serde_json::from_str(&r.get::<String>(0)?).ok(),
        None => None,
    })
}
