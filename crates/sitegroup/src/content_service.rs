//! Content through the facade: authorize, validate, write with audit and outbox.
//!
//! Every write authorizes on `Resource::Column { site, column }` (EditDraft,
//! SubmitForReview, ReviewContent, PublishContent), validates and sanitises before the
//! transaction, and runs the workflow step ([`sitegroup_content::workflow::apply`]) on the
//! document re-read inside the transaction, with its audit entry and outbox event
//! (`content.create`, `content.update`, `content.submit`, `content.review`,
//! `content.reject`, `content.publish`, `content.withdraw`, `content.archive`,
//! `content.syndicate`, `content.syndication_accept`, `content.syndication_reject`).
//! Event payloads carry `id, site, column, kind, title, state, public, published_rev,
//! index_number` so the search and statistics consumers can act on them.
//!
//! Public reads return only published revisions. Back-office reads need `ViewDrafts`
//! on the document's column.
//!
//! Settings (table `settings`): `content.date_tolerance_days` (default 3),
//! `content.index_pattern` (default `UNITCODE/YYYY-NNNNN`), `content.max_file_bytes`
//! (default 50 MB), `content.iframe_hosts` (comma-separated video hosts).
//!
//! Word lists for the checks are read from `dir/checks/{prohibited,sensitive,serious}.txt`
//! (format: `sitegroup_text::checks::CheckConfig::from_lists`) into a [`Checker`] cached per data directory and
//! rebuilt only when a file's size or modification time changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sitegroup_columns::Column;
use sitegroup_content::compare::Comparison;
use sitegroup_content::files::{DirFileStore, FileStore, StoredFile};
use sitegroup_content::index::{DEFAULT_PATTERN, IndexPattern};
use sitegroup_content::model::{beijing_year, date_flag, parse_doc_url};
use sitegroup_content::repo::{self, PublicationRecord};
use sitegroup_content::workflow::{Command, Flow, Outcome, apply};
use sitegroup_content::{
    CatalogueFacets, CatalogueFilter, ColumnActivity, ContentError, DocInput, DocKind, DocState, Document, Page,
    PublicDocument, Review, Revision, Syndication, SyndicationCount, SyndicationState,
};
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, ValidationError, authorize};
use sitegroup_store::{StoreError, Tx, core_repo};
use sitegroup_text::checks::{CheckConfig, Checker, Finding, Severity};
use sitegroup_text::sanitize::Policy;

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

impl MaybeSite for Document {
    fn site_id(&self) -> Option<SiteId> {
        Some(self.site)
    }
}
impl MaybeSite for Syndication {}

/// When to publish a reviewed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublishAt {
    /// Now.
    Now,
    /// At this time (unix seconds); a time not in the future publishes now.
    At(i64),
}

/// A document to import as already published (`sitegroup import`): sanitised and
/// checked like any other, recorded as reviewed by the importing actor (note `import`),
/// and published with `published_at` as its real and displayed time (the item was
/// published on the old system then; the import itself is in the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDocument {
    /// The fields.
    pub input: DocInput,
    /// Original publication time, unix seconds.
    pub published_at: i64,
}

/// An import that passed sanitising and checks, ready to write.
struct PreparedImport {
    fields: sitegroup_content::DocFields,
    findings: Vec<sitegroup_text::checks::Finding>,
    published_at: i64,
}

/// A document waiting for review, with the check findings of its working revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The document.
    pub document: Document,
    /// Warnings found at submit (nothing blocking reaches the queue).
    pub findings: Vec<Finding>,
}

/// A public document whose displayed date is far from its real publication date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateFlag {
    /// Document.
    pub doc: i64,
    /// Site.
    pub site: SiteId,
    /// Distance in whole days.
    pub days: i64,
}

/// An upload as stored: the file, and for images a thumbnail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// The stored file.
    pub file: StoredFile,
    /// Key of a JPEG thumbnail (images only).
    pub thumb: Option<String>,
}

const DEFAULT_TOLERANCE_DAYS: i64 = 3;
const MAX_PER_PAGE: i64 = 100;

fn content(e: ContentError) -> Error {
    match e {
        ContentError::Invalid(v) => Error::Invalid(v),
        other => Error::Content(other),
    }
}

fn col_resource(site: SiteId, column: i64) -> Resource {
    Resource::Column { site, column }
}

fn payload(d: &Document) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "site": d.site.0,
        "column": d.column,
        "kind": d.fields.kind.name(),
        "title": d.fields.title,
        "state": d.state.as_str(),
        "public": d.published_rev.is_some(),
        "published_rev": d.published_rev,
        "index_number": d.index_number,
    })
}

fn actor_user(actor: &Actor) -> Option<i64> {
    actor.user_id().map(|u| u.0)
}

fn flow_of(d: &Document) -> Flow {
    Flow {
        state: d.state,
        current_rev: d.current_rev,
        reviewed_rev: d.reviewed_rev,
        published_rev: d.published_rev,
        scheduled_at: d.scheduled_at,
    }
}

fn setting_i64(tx: &mut Tx<'_>, key: &str) -> Result<Option<i64>, StoreError> {
    Ok(core_repo::get_setting(tx, key)?.and_then(|v| v.trim().parse().ok()))
}

fn load_doc(tx: &mut Tx<'_>, id: i64) -> Result<Document, Error> {
    repo::get_document(tx, id)?.ok_or(Error::NotFound { what: "document", key: id.to_string() })
}

/// The checker for a data directory, cached while the word-list files are unchanged
/// (building one compiles the lists into automata: too costly per call).
pub(crate) fn checker_for(dir: &Path) -> Result<Arc<Checker>, Error> {
    type Stamp = Vec<Option<(u64, std::time::SystemTime)>>;
    type Cache = Mutex<HashMap<PathBuf, (Stamp, Arc<Checker>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let files = ["prohibited.txt", "sensitive.txt", "serious.txt"].map(|f| dir.join("checks").join(f));
    let stamp: Stamp =
        files.iter().map(|p| std::fs::metadata(p).ok().and_then(|m| Some((m.len(), m.modified().ok()?)))).collect();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(guard) = cache.lock()
        && let Some((s, c)) = guard.get(dir)
        && *s == stamp
    {
        return Ok(Arc::clone(c));
    }
    let read = |p: &Path| -> Result<String, Error> {
        match std::fs::read_to_string(p) {
            Ok(t) => Ok(t.trim_start_matches('\u{feff}').to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(source) => Err(Error::Io { path: p.display().to_string(), source }),
        }
    };
    let config = CheckConfig::from_lists(&read(&files[0])?, &read(&files[1])?, &read(&files[2])?)
        .map_err(|e| content(ContentError::CheckConfig(e.to_string())))?;
    let checker = Arc::new(Checker::new(&config));
    if let Ok(mut guard) = cache.lock() {
        guard.insert(dir.to_path_buf(), (stamp, Arc::clone(&checker)));
    }
    Ok(checker)
}

impl SiteGroup {
    // ---- helpers ----

    fn content_policy(&self) -> Result<Policy, Error> {
        let hosts = self.db.read(|tx| core_repo::get_setting(tx, "content.iframe_hosts"))?;
        let iframe_hosts = hosts
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        Ok(Policy { iframe_hosts })
    }

    /// The column, checked to belong to `site`, to be live and to hold documents.
    fn site_column(&self, site: SiteId, column: i64) -> Result<Column, Error> {
        let col = self
            .db
            .read(|tx| sitegroup_columns::repo::get_column(tx, column))?
            .ok_or(Error::NotFound { what: "column", key: column.to_string() })?;
        if col.site != site {
            return Err(content(ContentError::WrongSite { column }));
        }
        if !col.is_live() {
            return Err(content(ContentError::ColumnClosed { column, reason: "archived".into() }));
        }
        if !col.kind().holds_documents() {
            return Err(content(ContentError::ColumnClosed { column, reason: format!("{} column", col.kind) }));
        }
        Ok(col)
    }

    /// A document for a back-office action: loaded, then `action` authorized on its column.
    fn doc_for(&self, actor: &Actor, id: i64, action: Action) -> Result<Document, Error> {
        let doc = self.db.read(|tx| load_doc(tx, id))?;
        authorize(actor, action, &col_resource(doc.site, doc.column))?;
        Ok(doc)
    }

    /// Runs the content checks and the broken-link check on prepared fields.
    fn check_fields(&self, fields: &sitegroup_content::DocFields) -> Result<Vec<Finding>, Error> {
        let checker = checker_for(self.dir())?;
        let mut findings = checker.check_document(&fields.title, &fields.body_text);
        // Photo reports, videos, downloads and links may have no body text.
        if !matches!(fields.kind, DocKind::Article | DocKind::Disclosure(_)) {
            findings.retain(|f| f.rule != "empty_body");
        }
        findings.extend(self.link_findings(&fields.body_html)?);
        Ok(findings)
    }

    /// `broken_link` warnings for links of the form `{site prefix}/docs/{id}.html` to a
    /// document that does not exist or is not published (links to other hosts are not
    /// checked). Offsets are 0: links are in the HTML, not the text.
    fn link_findings(&self, html: &str) -> Result<Vec<Finding>, Error> {
        let tree = self.site_tree()?;
        let mut out = Vec::new();
        for url in sitegroup_text::sanitize::links(html) {
            let Some((host, prefix, id)) = parse_doc_url(&url) else { continue };
            if let Some(h) = &host
                && tree.resolve(h, &format!("{prefix}/")).is_none()
            {
                continue;
            }
            let ok = match self.db.read(|tx| repo::doc_visibility(tx, id))? {
                Some((site, true)) => tree.path_of(site).trim_end_matches('/') == prefix || host.is_some(),
                _ => false,
            };
            if !ok {
                out.push(Finding {
                    rule: "broken_link".into(),
                    severity: Severity::Warn,
                    start: 0,
                    end: 0,
                    excerpt: url.clone(),
                    message: format!("link to document {id}, which does not exist or is not published"),
                });
            }
        }
        Ok(out)
    }

    /// Applies a workflow step inside `tx`; on a publication records times, the date
    /// flag and (first time, disclosure items) the index number.
    fn step(&self, tx: &mut Tx<'_>, doc: &Document, cmd: Command, now: i64, real_time: i64) -> Result<Outcome, Error> {
        let from = flow_of(doc);
        let outcome = apply(&from, cmd, now).map_err(content)?;
        repo::save_flow(tx, doc.id, &from, &outcome.flow, now).map_err(|e| match e {
            StoreError::NotFound => {
                Error::Invalid(ValidationError::Rule("the document was changed at the same time; try again".into()))
            }
            other => Error::Store(other),
        })?;
        if outcome.went_public {
            let rev = repo::get_revision(tx, doc.current_rev)?
                .ok_or(Error::NotFound { what: "revision", key: doc.current_rev.to_string() })?;
            let tolerance = setting_i64(tx, "content.date_tolerance_days")?.unwrap_or(DEFAULT_TOLERANCE_DAYS);
            // The displayed date is compared with the *first* publication: republishing
            // a corrected revision weeks later must not flag the original date.
            let first = doc.first_published_at.unwrap_or(real_time);
            let shown = rev.fields.display_time.unwrap_or(first);
            let disclosure =
                rev.fields.kind.disclosure().map(|m| (m.category.clone(), m.organ.clone(), beijing_year(shown)));
            repo::record_publication(
                tx,
                doc.id,
                &PublicationRecord {
                    published_at: real_time,
                    display_time: shown,
                    date_flag_days: date_flag(rev.fields.display_time, first, tolerance),
                    disclosure,
                },
            )?;
            if rev.fields.kind.disclosure().is_some() && doc.index_number.is_none() {
                let number = self.next_index_number(tx, doc.site, real_time)?;
                repo::set_index_number(tx, doc.id, &number).map_err(|e| match e {
                    StoreError::UniqueViolation { .. } => {
                        Error::Duplicate { what: "index number", key: number.clone() }
                    }
                    other => Error::Store(other),
                })?;
            }
        }
        Ok(outcome)
    }

    fn next_index_number(&self, tx: &mut Tx<'_>, site: SiteId, at: i64) -> Result<String, Error> {
        let site = core_repo::site_by_id(tx, site)?.ok_or(Error::NotFound { what: "site", key: site.to_string() })?;
        let unit_code = match site.unit {
            Some(u) => core_repo::unit_by_id(tx, u)?.map_or_else(|| site.code.clone(), |u| u.code),
            None => site.code.clone(),
        };
        let pattern = core_repo::get_setting(tx, "content.index_pattern")?.unwrap_or_else(|| DEFAULT_PATTERN.into());
        let pattern = IndexPattern::parse(&pattern).map_err(content)?;
        let shown = chrono::DateTime::from_timestamp(at + 8 * 3600, 0).unwrap_or_default();
        let (year, month) = {
            use chrono::Datelike;
            (shown.year(), shown.month())
        };
        let n = repo::next_counter(tx, &unit_code, pattern.counter_year(year))?;
        Ok(pattern.render(&unit_code, &site.code, year, month, n))
    }

    /// One audited workflow step on document `id` for `actor` holding `action`.
    #[allow(clippy::too_many_arguments)]
    fn workflow_write(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        action: Action,
        audit_action: &str,
        cmd: Command,
        review: Option<(bool, String)>,
    ) -> Result<Document, Error> {
        let doc = self.doc_for(actor, id, action)?;
        let now = self.now();
        self.audited(actor, origin, audit_action, Some(doc.site), format!("doc:{id}"), |tx| {
            let doc = load_doc(tx, id)?;
            if let Some((approved, note)) = &review {
                // Check the transition first so a refused review records nothing.
                apply(&flow_of(&doc), cmd, now).map_err(content)?;
                repo::insert_review(tx, id, doc.current_rev, *approved, &actor.label(), actor_user(actor), note, now)?;
            }
            self.step(tx, &doc, cmd, now, now)?;
            let doc = load_doc(tx, id)?;
            let mut p = payload(&doc);
            if let Some((_, note)) = &review {
                p["note"] = serde_json::Value::String(note.clone());
            }
            Ok((doc, p))
        })
    }

    // ---- writes ----

    /// Creates a draft in `column` of `site` (EditDraft on the column). The body is
    /// sanitised; checks run at submit.
    pub fn create_draft(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        column: i64,
        input: &DocInput,
    ) -> Result<Document, Error> {
        authorize(actor, Action::EditDraft, &col_resource(site, column))?;
        self.site_column(site, column)?;
        let fields = input.prepare(&self.content_policy()?).map_err(content)?;
        let now = self.now();
        self.audited_as(actor, origin, "content.create", Some(site), |tx| {
            let id = repo::insert_document(tx, site, column, fields.kind.name(), &actor.label(), None, now)?;
            let rev = repo::insert_revision(tx, id, &fields, &[], &actor.label(), actor_user(actor), now)?;
            repo::init_flow(tx, id, &Flow::new(rev), now)?;
            let doc = load_doc(tx, id)?;
            let p = payload(&doc);
            Ok((doc, format!("doc:{id}"), p))
        })
    }

    /// Saves a new revision of a document (EditDraft on its column). The workflow goes
    /// back to draft; a published document stays public with its reviewed revision until
    /// the new one is reviewed and published. The kind cannot change.
    pub fn update_draft(&self, actor: &Actor, origin: &Origin, id: i64, input: &DocInput) -> Result<Document, Error> {
        let doc = self.doc_for(actor, id, Action::EditDraft)?;
        if doc.fields.kind.name() != input.kind.name() {
            return Err(content(ContentError::KindChange { from: doc.fields.kind.name(), to: input.kind.name() }));
        }
        let fields = input.prepare(&self.content_policy()?).map_err(content)?;
        let now = self.now();
        self.audited(actor, origin, "content.update", Some(doc.site), format!("doc:{id}"), |tx| {
            let doc = load_doc(tx, id)?;
            // Refuse before writing the revision (archived documents are frozen).
            apply(&flow_of(&doc), Command::Edit { rev: doc.current_rev }, now).map_err(content)?;
            let rev = repo::insert_revision(tx, id, &fields, &[], &actor.label(), actor_user(actor), now)?;
            self.step(tx, &doc, Command::Edit { rev }, now, now)?;
            let doc = load_doc(tx, id)?;
            let p = payload(&doc);
            Ok((doc, p))
        })
    }

    /// Sends a draft to review (SubmitForReview on its column). Runs the content checks
    /// and the broken-link check: any blocking finding returns [`Error::Blocked`] and
    /// writes nothing; warnings are stored with the revision for the reviewer.
    pub fn submit(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Document, Error> {
        let doc = self.doc_for(actor, id, Action::SubmitForReview)?;
        let findings = self.check_fields(&doc.fields)?;
        if findings.iter().any(|f| f.severity == Severity::Block) {
            return Err(Error::Blocked(findings));
        }
        let now = self.now();
        self.audited(actor, origin, "content.submit", Some(doc.site), format!("doc:{id}"), |tx| {
            let fresh = load_doc(tx, id)?;
            if fresh.current_rev != doc.current_rev {
                return Err(ValidationError::Rule(
                    "the document changed while it was being checked; submit again".into(),
                )
                .into());
            }
            self.step(tx, &fresh, Command::Submit, now, now)?;
            repo::set_findings(tx, fresh.current_rev, &findings)?;
            let doc = load_doc(tx, id)?;
            let mut p = payload(&doc);
            p["warnings"] = serde_json::json!(findings.len());
            Ok((doc, p))
        })
    }

    /// The confidentiality review's sign-off (保密审查; ReviewContent on the column):
    /// records reviewer, time and note with the revision reviewed.
    pub fn review_approve(&self, actor: &Actor, origin: &Origin, id: i64, note: &str) -> Result<Document, Error> {
        let note = note.trim().chars().take(1000).collect::<String>();
        self.workflow_write(
            actor,
            origin,
            id,
            Action::ReviewContent,
            "content.review",
            Command::Approve,
            Some((true, note)),
        )
    }

    /// Sends a submitted document back to its editor with a reason (ReviewContent).
    pub fn review_reject(&self, actor: &Actor, origin: &Origin, id: i64, reason: &str) -> Result<Document, Error> {
        let reason = sitegroup_core::error::required_text("reason", reason, 1000)?;
        self.workflow_write(
            actor,
            origin,
            id,
            Action::ReviewContent,
            "content.reject",
            Command::Reject,
            Some((false, reason)),
        )
    }

    /// Publishes a reviewed document now or schedules it (PublishContent on the column).
    pub fn publish(&self, actor: &Actor, origin: &Origin, id: i64, when: PublishAt) -> Result<Document, Error> {
        let at = match when {
            PublishAt::Now => None,
            PublishAt::At(t) => Some(t),
        };
        self.workflow_write(actor, origin, id, Action::PublishContent, "content.publish", Command::Publish { at }, None)
    }

    /// Publishes every scheduled document whose time has come (group clock), each in its
    /// own transaction, as `actor` (the portal and CLI use `Actor::system("scheduler")`);
    /// documents the actor may not publish are left alone. Returns those published.
    pub fn publish_due(&self, actor: &Actor, origin: &Origin) -> Result<Vec<Document>, Error> {
        let due = self.db.read(|tx| repo::due_scheduled(tx, self.now()))?;
        let mut out = Vec::new();
        for id in due {
            match self.workflow_write(
                actor,
                origin,
                id,
                Action::PublishContent,
                "content.publish",
                Command::PublishDue,
                None,
            ) {
                Ok(d) => out.push(d),
                // Not ours to publish, or another scheduler run got there first.
                Err(Error::Denied(_) | Error::Invalid(_) | Error::Content(ContentError::IllegalTransition { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Takes a document off the public site (PublishContent on the column).
    pub fn withdraw(&self, actor: &Actor, origin: &Origin, id: i64, reason: &str) -> Result<Document, Error> {
        let reason = sitegroup_core::error::required_text("reason", reason, 1000)?;
        let doc = self.doc_for(actor, id, Action::PublishContent)?;
        let now = self.now();
        self.audited(actor, origin, "content.withdraw", Some(doc.site), format!("doc:{id}"), |tx| {
            let doc = load_doc(tx, id)?;
            self.step(tx, &doc, Command::Withdraw, now, now)?;
            let doc = load_doc(tx, id)?;
            let mut p = payload(&doc);
            p["reason"] = serde_json::Value::String(reason.clone());
            Ok((doc, p))
        })
    }

    /// Archives a published or withdrawn document (PublishContent on the column): it
    /// leaves the public site and can no longer be edited.
    pub fn archive(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Document, Error> {
        self.workflow_write(actor, origin, id, Action::PublishContent, "content.archive", Command::Archive, None)
    }

    /// Imports a document as published (`sitegroup import`; PublishContent on the
    /// column). Sanitised and checked; a blocking finding is [`Error::Blocked`] for this
    /// document. Recorded as reviewed by the importing actor with the note `import`.
    pub fn import_published(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        column: i64,
        doc: &ImportDocument,
    ) -> Result<Document, Error> {
        authorize(actor, Action::PublishContent, &col_resource(site, column))?;
        self.site_column(site, column)?;
        let prepared = self.prepare_import(doc)?;
        self.db.write(|tx| self.write_import(tx, actor, origin, site, column, prepared))
    }

    /// Imports many documents into one column in one transaction (the CLI's import and
    /// the demo seeding): each document is prepared and checked on its own and written
    /// under a savepoint, so a bad document is reported in its slot and the others go
    /// in. The outer error is for what fails them all (permission, column, storage).
    pub fn import_published_batch(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        column: i64,
        docs: &[ImportDocument],
    ) -> Result<Vec<Result<Document, Error>>, Error> {
        authorize(actor, Action::PublishContent, &col_resource(site, column))?;
        self.site_column(site, column)?;
        let prepared: Vec<Result<PreparedImport, Error>> = docs.iter().map(|d| self.prepare_import(d)).collect();
        self.db.write(|tx| {
            let mut out = Vec::with_capacity(prepared.len());
            for p in prepared {
                out.push(match p {
                    Ok(p) => tx.savepoint(|tx| self.write_import(tx, actor, origin, site, column, p)),
                    Err(e) => Err(e),
                });
            }
            Ok::<_, Error>(out)
        })
    }

    /// Sanitises and checks an imported document (no database write).
    fn prepare_import(&self, doc: &ImportDocument) -> Result<PreparedImport, Error> {
        let mut input = doc.input.clone();
        input.display_time = Some(input.display_time.unwrap_or(doc.published_at));
        let fields = input.prepare(&self.content_policy()?).map_err(content)?;
        let findings = self.check_fields(&fields)?;
        if findings.iter().any(|f| f.severity == Severity::Block) {
            return Err(Error::Blocked(findings));
        }
        Ok(PreparedImport { fields, findings, published_at: doc.published_at })
    }

    /// Writes one prepared import: document, revision, sign-off, publication, audit, event.
    fn write_import(
        &self,
        tx: &mut Tx<'_>,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        column: i64,
        p: PreparedImport,
    ) -> Result<Document, Error> {
        let now = self.now();
        let PreparedImport { fields, findings, published_at: real } = p;
        let id = repo::insert_document(tx, site, column, fields.kind.name(), &actor.label(), None, now)?;
        let rev = repo::insert_revision(tx, id, &fields, &findings, &actor.label(), actor_user(actor), now)?;
        repo::init_flow(tx, id, &Flow::new(rev), now)?;
        // One load, then the flow is carried forward in memory (submit and approve only
        // move the workflow pointers; publishing records the rest, read back at the end).
        let mut d = load_doc(tx, id)?;
        for cmd in [Command::Submit, Command::Approve, Command::Publish { at: None }] {
            if cmd == Command::Approve {
                repo::insert_review(tx, id, rev, true, &actor.label(), actor_user(actor), "import", now)?;
            }
            let outcome = self.step(tx, &d, cmd, now, real)?;
            let f = outcome.flow;
            (d.state, d.current_rev, d.reviewed_rev, d.published_rev, d.scheduled_at) =
                (f.state, f.current_rev, f.reviewed_rev, f.published_rev, f.scheduled_at);
        }
        let d = load_doc(tx, id)?;
        let mut p = payload(&d);
        p["imported"] = serde_json::Value::Bool(true);
        self.record(tx, actor, origin, "content.publish", Some(site), format!("doc:{id}"), p)?;
        Ok(d)
    }

    // ---- back-office reads ----

    /// A document with its working revision (ViewDrafts on its column).
    pub fn document(&self, actor: &Actor, id: i64) -> Result<Document, Error> {
        self.doc_for(actor, id, Action::ViewDrafts)
    }

    /// Documents of a site (or one column) in the given states (all states when empty),
    /// limited to the columns where the actor has ViewDrafts. Newest change first.
    pub fn documents(
        &self,
        actor: &Actor,
        site: SiteId,
        column: Option<i64>,
        states: &[DocState],
    ) -> Result<Vec<Document>, Error> {
        if let Some(c) = column {
            authorize(actor, Action::ViewDrafts, &col_resource(site, c))?;
        }
        let docs = self.db.read(|tx| repo::documents_in(tx, site, column, states))?;
        Ok(docs
            .into_iter()
            .filter(|d| authorize(actor, Action::ViewDrafts, &col_resource(d.site, d.column)).is_ok())
            .collect())
    }

    /// How many documents of a site are in each state (every state, in [`DocState::ALL`]
    /// order), counting only the columns where the actor has ViewDrafts, like
    /// [`SiteGroup::documents`] — without loading the documents.
    pub fn document_state_counts(&self, actor: &Actor, site: SiteId) -> Result<Vec<(DocState, u64)>, Error> {
        let rows = self.db.read(|tx| repo::state_counts_by_column(tx, site))?;
        let mut counts: Vec<(DocState, u64)> = DocState::ALL.iter().map(|s| (*s, 0)).collect();
        for (column, state, n) in rows {
            if authorize(actor, Action::ViewDrafts, &col_resource(site, column)).is_ok()
                && let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state)
            {
                slot.1 += n;
            }
        }
        Ok(counts)
    }

    /// Drafts of a site or column (ViewDrafts; see [`SiteGroup::documents`]).
    pub fn drafts(&self, actor: &Actor, site: SiteId, column: Option<i64>) -> Result<Vec<Document>, Error> {
        self.documents(actor, site, column, &[DocState::Draft])
    }

    /// Submitted documents with their check findings, oldest first (ViewDrafts).
    pub fn review_queue(&self, actor: &Actor, site: SiteId, column: Option<i64>) -> Result<Vec<ReviewItem>, Error> {
        let mut docs = self.documents(actor, site, column, &[DocState::Submitted])?;
        docs.reverse();
        self.db.read(|tx| {
            docs.into_iter()
                .map(|d| {
                    let findings = repo::get_revision(tx, d.current_rev)?.map(|r| r.findings).unwrap_or_default();
                    Ok(ReviewItem { document: d, findings })
                })
                .collect::<Result<Vec<_>, Error>>()
        })
    }

    /// Every revision of a document, oldest first (ViewDrafts).
    pub fn revisions(&self, actor: &Actor, id: i64) -> Result<Vec<Revision>, Error> {
        self.doc_for(actor, id, Action::ViewDrafts)?;
        Ok(self.db.read(|tx| repo::revisions(tx, id))?)
    }

    /// Review decisions on a document (ViewDrafts).
    pub fn reviews(&self, actor: &Actor, id: i64) -> Result<Vec<Review>, Error> {
        self.doc_for(actor, id, Action::ViewDrafts)?;
        Ok(self.db.read(|tx| repo::reviews(tx, id))?)
    }

    /// Compares two revisions of the same document (ViewDrafts).
    pub fn compare(&self, actor: &Actor, rev_a: i64, rev_b: i64) -> Result<Comparison, Error> {
        let (a, b) =
            self.db.read(|tx| Ok::<_, Error>((repo::get_revision(tx, rev_a)?, repo::get_revision(tx, rev_b)?)))?;
        let a = a.ok_or(Error::NotFound { what: "revision", key: rev_a.to_string() })?;
        let b = b.ok_or(Error::NotFound { what: "revision", key: rev_b.to_string() })?;
        if a.doc != b.doc {
            return Err(ValidationError::Rule("revisions of different documents".into()).into());
        }
        self.doc_for(actor, a.doc, Action::ViewDrafts)?;
        Ok(sitegroup_content::compare::compare(a.id, &a.fields, b.id, &b.fields))
    }

    /// Public documents whose displayed date was flagged (RunSelfCheck on the site, or
    /// group scope for `None`).
    pub fn date_flags(&self, actor: &Actor, site: Option<SiteId>) -> Result<Vec<DateFlag>, Error> {
        authorize(actor, Action::RunSelfCheck, &site.map_or(Resource::Group, Resource::Site))?;
        let rows = self.db.read(|tx| repo::flagged_dates(tx, site))?;
        Ok(rows.into_iter().map(|(doc, site, days)| DateFlag { doc, site, days }).collect())
    }

    // ---- public reads (published content only) ----

    /// A published document of `site` (its public revision), or `None`.
    pub fn published_document(&self, site: SiteId, id: i64) -> Result<Option<PublicDocument>, Error> {
        Ok(self.db.read(|tx| repo::public_document(tx, site, id))?)
    }

    /// Published documents of a column, newest displayed date first; `page` from 1,
    /// `per_page` 1–100.
    pub fn published_in_column(
        &self,
        site: SiteId,
        column: i64,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PublicDocument>, Error> {
        let (page, per_page) = (page.max(1), per_page.clamp(1, MAX_PER_PAGE));
        let offset = (page - 1).saturating_mul(per_page);
        let (items, total) = self.db.read(|tx| repo::public_in_column(tx, site, column, per_page, offset))?;
        Ok(Page { items, total, page, per_page })
    }

    /// Every published document of a site by reference (id, column, times), newest
    /// first: for sitemaps and exports, without loading bodies.
    pub fn published_refs(&self, site: SiteId) -> Result<Vec<sitegroup_content::repo::PublicRef>, Error> {
        Ok(self.db.read(|tx| repo::public_refs(tx, site))?)
    }

    /// The newest published documents of a site (at most 100).
    pub fn latest_published(&self, site: SiteId, limit: i64) -> Result<Vec<PublicDocument>, Error> {
        Ok(self.db.read(|tx| repo::latest_public(tx, site, limit.clamp(0, MAX_PER_PAGE)))?)
    }

    /// The disclosure catalogue (信息公开目录) of a site, filtered by category, organ
    /// and year.
    pub fn disclosure_catalogue(
        &self,
        site: SiteId,
        filter: &CatalogueFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PublicDocument>, Error> {
        let (page, per_page) = (page.max(1), per_page.clamp(1, MAX_PER_PAGE));
        let offset = (page - 1).saturating_mul(per_page);
        let (items, total) = self.db.read(|tx| repo::catalogue(tx, site, filter, per_page, offset))?;
        Ok(Page { items, total, page, per_page })
    }

    /// Counts for browsing the catalogue by category, organ and year.
    pub fn disclosure_facets(&self, site: SiteId) -> Result<CatalogueFacets, Error> {
        Ok(self.db.read(|tx| repo::catalogue_facets(tx, site))?)
    }

    /// Publishing activity per (site, column) — last publication, total public,
    /// published since `window_start` — from public documents' first publication times
    /// (an edit of an old item does not make a column fresh). Derived from public data,
    /// so no authorization; the columns module's health function takes it.
    pub fn column_activity(&self, site: Option<SiteId>, window_start: i64) -> Result<Vec<ColumnActivity>, Error> {
        Ok(self.db.read(|tx| repo::column_activity(tx, site, window_start))?)
    }

    // ---- syndication (信息报送) ----

    /// Submits a published document to a column of another site (SubmitForReview on
    /// the document's column).
    pub fn syndicate(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        to_site: SiteId,
        to_column: i64,
    ) -> Result<Syndication, Error> {
        let doc = self.doc_for(actor, id, Action::SubmitForReview)?;
        let rev = doc.published_rev.ok_or(Error::Content(ContentError::NotPublished(id)))?;
        if to_site == doc.site {
            return Err(ValidationError::Rule("submit to a column of another site".into()).into());
        }
        self.site_column(to_site, to_column)?;
        let now = self.now();
        self.audited(actor, origin, "content.syndicate", Some(doc.site), format!("doc:{id}"), |tx| {
            if repo::pending_syndication_exists(tx, id, to_column)? {
                return Err(Error::Duplicate { what: "syndication", key: format!("doc:{id} → column:{to_column}") });
            }
            let s = repo::insert_syndication(tx, id, rev, doc.site, to_site, to_column, &actor.label(), now)?;
            let p = serde_json::to_value(&s).unwrap_or_default();
            Ok((s, p))
        })
    }

    /// Submissions to a site, newest first, limited to columns where the actor has
    /// ViewDrafts.
    pub fn syndication_inbox(&self, actor: &Actor, site: SiteId) -> Result<Vec<Syndication>, Error> {
        let all = self.db.read(|tx| repo::syndications_for(tx, site, true))?;
        Ok(all
            .into_iter()
            .filter(|s| authorize(actor, Action::ViewDrafts, &col_resource(s.to_site, s.to_column)).is_ok())
            .collect())
    }

    /// Accepts a submission (PublishContent on the target column): publishes a linked
    /// copy of the source's current public revision; the acceptance is recorded as the
    /// copy's review sign-off.
    pub fn accept_syndication(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Document, Error> {
        let s = self.syndication(id)?;
        authorize(actor, Action::PublishContent, &col_resource(s.to_site, s.to_column))?;
        let now = self.now();
        self.audited(actor, origin, "content.syndication_accept", Some(s.to_site), format!("syndication:{id}"), |tx| {
            let source = load_doc(tx, s.source_doc)?;
            let rev_id = source.published_rev.ok_or(Error::Content(ContentError::NotPublished(source.id)))?;
            let rev =
                repo::get_revision(tx, rev_id)?.ok_or(Error::NotFound { what: "revision", key: rev_id.to_string() })?;
            let label = actor.label();
            let copy = repo::insert_document(
                tx,
                s.to_site,
                s.to_column,
                rev.fields.kind.name(),
                &label,
                Some((source.id, rev_id)),
                now,
            )?;
            let crev = repo::insert_revision(tx, copy, &rev.fields, &rev.findings, &label, actor_user(actor), now)?;
            repo::init_flow(tx, copy, &Flow::new(crev), now)?;
            for cmd in [Command::Submit, Command::Approve, Command::Publish { at: None }] {
                let d = load_doc(tx, copy)?;
                if cmd == Command::Approve {
                    let note = format!("syndication #{id}");
                    repo::insert_review(tx, copy, crev, true, &label, actor_user(actor), &note, now)?;
                }
                self.step(tx, &d, cmd, now, now)?;
            }
            repo::decide_syndication(tx, id, SyndicationState::Accepted, None, Some(copy), &label, now)
                .map_err(|e| pending_only(e, id))?;
            let d = load_doc(tx, copy)?;
            let mut p = payload(&d);
            p["syndication"] = serde_json::json!(id);
            Ok((d, p))
        })
    }

    /// Rejects a submission with a reason (PublishContent on the target column).
    pub fn reject_syndication(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        reason: &str,
    ) -> Result<Syndication, Error> {
        let reason = sitegroup_core::error::required_text("reason", reason, 1000)?;
        let s = self.syndication(id)?;
        authorize(actor, Action::PublishContent, &col_resource(s.to_site, s.to_column))?;
        let now = self.now();
        self.audited(actor, origin, "content.syndication_reject", Some(s.to_site), format!("syndication:{id}"), |tx| {
            let s =
                repo::decide_syndication(tx, id, SyndicationState::Rejected, Some(&reason), None, &actor.label(), now)
                    .map_err(|e| pending_only(e, id))?;
            let p = serde_json::to_value(&s).unwrap_or_default();
            Ok((s, p))
        })
    }

    fn syndication(&self, id: i64) -> Result<Syndication, Error> {
        self.db
            .read(|tx| repo::get_syndication(tx, id))?
            .ok_or(Error::NotFound { what: "syndication", key: id.to_string() })
    }

    /// Submissions per submitting site in a month (Beijing time), with how many were
    /// accepted and rejected (ViewStats, group scope).
    pub fn syndication_counts(&self, actor: &Actor, year: i32, month: u32) -> Result<Vec<SyndicationCount>, Error> {
        authorize(actor, Action::ViewStats, &Resource::Group)?;
        let (from, to) = sitegroup_content::syndication::month_bounds(year, month)
            .ok_or_else(|| ValidationError::Malformed { field: "month", reason: format!("{year}-{month}") })?;
        let rows = self.db.read(|tx| repo::syndication_counts(tx, from, to))?;
        let tree = self.site_tree()?;
        Ok(rows
            .into_iter()
            .map(|(site, submitted, accepted, rejected)| SyndicationCount {
                site,
                unit: tree.get(site).and_then(|s| s.unit),
                submitted,
                accepted,
                rejected,
            })
            .collect())
    }

    // ---- attachments ----

    /// The group's file store (`files_dir()`).
    pub fn file_store(&self) -> DirFileStore {
        DirFileStore::new(self.files_dir())
    }

    /// Stores an upload for a document of `column` (EditDraft on it): checked against
    /// the size limit (`content.max_file_bytes`) and the type allow-list; images get a
    /// JPEG thumbnail. Identical files are stored once.
    pub fn upload(&self, actor: &Actor, site: SiteId, column: i64, name: &str, bytes: &[u8]) -> Result<Upload, Error> {
        authorize(actor, Action::EditDraft, &col_resource(site, column))?;
        let max = self
            .db
            .read(|tx| setting_i64(tx, "content.max_file_bytes"))?
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(sitegroup_content::files::DEFAULT_MAX_FILE_BYTES);
        let checked = sitegroup_content::files::check_upload(name, bytes, max).map_err(content)?;
        let store = self.file_store();
        let key = store.put(bytes, &checked.ext).map_err(content)?;
        let thumb = if matches!(checked.ext.as_str(), "jpg" | "png" | "gif") {
            let t = sitegroup_content::files::thumbnail(bytes, sitegroup_content::files::THUMB_MAX).map_err(content)?;
            Some(store.put(&t, "jpg").map_err(content)?)
        } else {
            None
        };
        Ok(Upload { file: StoredFile { key, size: bytes.len() as u64, mime: checked.mime }, thumb })
    }
}

fn pending_only(e: StoreError, id: i64) -> Error {
    match e {
        StoreError::NotFound => ValidationError::Rule(format!("syndication {id} was already decided")).into(),
        other => Error::Store(other),
    }
}
