//! Search through the facade (issue 4): the group's indexes under
//! [`SiteGroup::index_dir`], fed from the outbox by [`SiteGroup::search_poll`], the
//! content documents as a [`SearchSource`], public and back-office searches,
//! suggestions and hot queries.
//!
//! The open indexes and the indexer live in a process-wide registry keyed by the index
//! directory (the handle itself holds no search state), so every `SiteGroup` of the same
//! data directory in a process shares one writer. The public search reads only the
//! public index; the back-office search reads the drafts index with a scope computed
//! here by `authorize` (ViewDrafts on a site, or on single columns).
//!
//! Synonyms are read from `dir/search/synonyms.txt` (`a ~ b ~ c` lines), reloaded when
//! the file changes; without the file a small built-in list applies. Hot queries are
//! logged in the database (module `search` migration), one row per public search.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use sitegroup_content::model::{beijing_year, doc_url};
use sitegroup_content::{DocFields, repo};
use sitegroup_core::{Action, Actor, Resource, SiteId, authorize};
use sitegroup_search::{
    Audience, DisclosureFields, DraftScope, Indexer, NameEntry, PollReport, ReindexProgress, ReindexReport, SearchDoc,
    SearchEngine, SearchError, SearchQuery, SearchResults, SearchSource, Suggestion, Synonyms,
};
use sitegroup_store::Event;

use crate::error::Error;
use crate::group::SiteGroup;

/// File name of the synonym list inside `dir/search/`.
pub const SYNONYMS_FILE: &str = "synonyms.txt";
/// Kinds of content documents.
const CONTENT_KINDS: &[&str] = &["article", "photo", "video", "file", "link", "disclosure"];
/// Documents read per page when rebuilding.
const REBUILD_PAGE: i64 = 500;

type Stamp = Option<(u64, std::time::SystemTime)>;

struct SearchState {
    engine: Arc<SearchEngine>,
    indexer: Mutex<Indexer>,
    synonyms: Mutex<(Stamp, Arc<Synonyms>)>,
    names: RwLock<Option<Arc<Vec<NameEntry>>>>,
}

fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<SearchState>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Arc<SearchState>>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

fn internal<T>(_: T) -> Error {
    Error::Internal("search state lock poisoned".into())
}

/// Content documents (文档) as a search source: public revisions for the public index,
/// working revisions for the back office.
pub struct ContentSource<'a> {
    group: &'a SiteGroup,
}

impl<'a> ContentSource<'a> {
    /// The content source of `group`.
    pub fn new(group: &'a SiteGroup) -> ContentSource<'a> {
        ContentSource { group }
    }

    fn url(&self, site: SiteId, id: i64) -> Result<String, Error> {
        Ok(doc_url(&self.group.site_tree()?.path_of(site), id))
    }

    #[allow(clippy::too_many_arguments)]
    fn map(
        &self,
        id: i64,
        site: SiteId,
        column: i64,
        fields: &DocFields,
        shown: i64,
        index_number: Option<&String>,
        state: Option<&str>,
    ) -> Result<SearchDoc, Error> {
        let mut keywords: Vec<String> = fields.tags.clone();
        keywords.extend(fields.subtitle.iter().cloned());
        keywords.extend(fields.source.iter().cloned());
        keywords.extend(fields.author.iter().cloned());
        if let sitegroup_content::DocKind::Photo { images } = &fields.kind {
            keywords.extend(images.iter().map(|i| i.caption.clone()));
        }
        Ok(SearchDoc {
            key: format!("doc:{id}"),
            site: site.0,
            column: Some(column),
            kind: fields.kind.name().to_string(),
            title: fields.title.clone(),
            body: fields.body_text.clone(),
            summary: fields.summary.clone(),
            attachments: fields.attachments.iter().map(|a| a.name.clone()).collect(),
            keywords,
            url: self.url(site, id)?,
            published_at: shown,
            disclosure: fields.kind.disclosure().map(|m| DisclosureFields {
                category: m.category.clone(),
                organ: m.organ.clone(),
                year: beijing_year(shown),
                doc_number: m.doc_number.clone(),
            }),
            index_number: index_number.cloned(),
            state: state.map(str::to_string),
        })
    }

    fn load_doc(&self, id: i64, audience: Audience) -> Result<Option<SearchDoc>, Error> {
        let db = &self.group.db;
        match audience {
            Audience::Public => {
                let Some((site, true)) = db.read(|tx| repo::doc_visibility(tx, id))? else { return Ok(None) };
                let Some(p) = db.read(|tx| repo::public_document(tx, site, id))? else { return Ok(None) };
                self.map(p.id, p.site, p.column, &p.fields, p.display_time, p.index_number.as_ref(), None).map(Some)
            }
            Audience::BackOffice => {
                let Some(d) = db.read(|tx| repo::get_document(tx, id))? else { return Ok(None) };
                let shown = d.fields.display_time.or(d.published_at).unwrap_or(d.updated_at);
                self.map(d.id, d.site, d.column, &d.fields, shown, d.index_number.as_ref(), Some(d.state.as_str()))
                    .map(Some)
            }
        }
    }

    fn all_docs(
        &self,
        audience: Audience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), Error> {
        let tree = self.group.site_tree()?;
        let db = &self.group.db;
        for site in tree.sites() {
            match audience {
                Audience::Public => {
                    let columns = db.read(|tx| sitegroup_columns::repo::columns_of_site(tx, site.id))?;
                    for c in columns {
                        each_page(
                            |offset, limit| {
                                Ok(db.read(|tx| repo::public_in_column(tx, site.id, c.id, limit, offset))?.0)
                            },
                            |p| {
                                let d = self.map(
                                    p.id,
                                    p.site,
                                    p.column,
                                    &p.fields,
                                    p.display_time,
                                    p.index_number.as_ref(),
                                    None,
                                )?;
                                sink(d).map_err(Error::from)
                            },
                        )?;
                    }
                }
                Audience::BackOffice => {
                    for d in db.read(|tx| repo::documents_in(tx, site.id, None, &[]))? {
                        let shown = d.fields.display_time.or(d.published_at).unwrap_or(d.updated_at);
                        let doc = self.map(
                            d.id,
                            d.site,
                            d.column,
                            &d.fields,
                            shown,
                            d.index_number.as_ref(),
                            Some(d.state.as_str()),
                        )?;
                        sink(doc)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Reads a source's rows a page of `REBUILD_PAGE` at a time (`read(offset, limit)`)
/// and hands each to `each`, until a page comes back short (a whole-index rebuild).
pub(crate) fn each_page<T>(
    mut read: impl FnMut(i64, i64) -> Result<Vec<T>, Error>,
    mut each: impl FnMut(T) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut offset = 0;
    loop {
        let rows = read(offset, REBUILD_PAGE)?;
        let n = rows.len();
        for row in rows {
            each(row)?;
        }
        if i64::try_from(n).unwrap_or(0) < REBUILD_PAGE {
            return Ok(());
        }
        offset += REBUILD_PAGE;
    }
}

/// The id in a search key `{prefix}{id}` (`service:12` → 12); `None` for another kind
/// of key.
pub(crate) fn key_id(key: &str, prefix: &str) -> Option<i64> {
    key.strip_prefix(prefix).and_then(|id| id.parse().ok())
}

/// The key an event concerns when a source follows it (`handled`) and it is about an
/// entity `{prefix}{id}`: the entity itself, which is also the search key.
pub(crate) fn entity_keys(event: &Event, handled: bool, prefix: &str) -> Vec<String> {
    if handled && event.entity.starts_with(prefix) { vec![event.entity.clone()] } else { Vec::new() }
}

/// The site under which a unit's searchable thing (a Q&A entry, a published letter) is
/// filed: the unit's first site, else the main site (also for no unit).
pub(crate) fn filing_site(tree: &crate::SiteTree, unit: Option<sitegroup_core::UnitId>) -> Option<SiteId> {
    let live = |s: &&sitegroup_core::Site| !s.is_template;
    tree.sites()
        .iter()
        .filter(live)
        .find(|s| unit.is_some() && s.unit == unit)
        .or_else(|| tree.sites().iter().filter(live).find(|s| s.parent.is_none()))
        .map(|s| s.id)
}

impl SearchSource for ContentSource<'_> {
    fn kinds(&self) -> &[&str] {
        CONTENT_KINDS
    }

    fn handles(&self, event_kind: &str) -> bool {
        event_kind.starts_with("content.")
    }

    fn keys_for(&self, event: &Event) -> Vec<String> {
        if !self.handles(&event.kind) {
            return Vec::new();
        }
        if event.entity.starts_with("doc:") {
            return vec![event.entity.clone()];
        }
        // An accepted syndication creates a copy: its id is in the payload.
        match event.payload.get("id").and_then(serde_json::Value::as_i64) {
            Some(id) if event.kind == "content.syndication_accept" => vec![format!("doc:{id}")],
            _ => Vec::new(),
        }
    }

    fn load(&self, key: &str, audience: Audience) -> Result<Option<SearchDoc>, SearchError> {
        let Some(id) = key_id(key, "doc:") else { return Ok(None) };
        self.load_doc(id, audience).map_err(SearchError::source)
    }

    fn all(
        &self,
        audience: Audience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        self.all_docs(audience, sink).map_err(SearchError::source)
    }
}

impl SiteGroup {
    fn search_state(&self) -> Result<Arc<SearchState>, Error> {
        let dir = self.index_dir();
        let mut reg = registry().lock().map_err(internal)?;
        if let Some(s) = reg.get(&dir) {
            return Ok(Arc::clone(s));
        }
        let engine = Arc::new(SearchEngine::open(&dir)?);
        let state = Arc::new(SearchState {
            indexer: Mutex::new(Indexer::new(Arc::clone(&engine))),
            engine,
            synonyms: Mutex::new((None, Arc::new(Synonyms::default()))),
            names: RwLock::new(None),
        });
        // Load the synonyms now (a missing file gives the built-in list).
        reg.insert(dir, Arc::clone(&state));
        drop(reg);
        self.synonyms_of(&state)?;
        Ok(state)
    }

    fn synonyms_of(&self, state: &SearchState) -> Result<Arc<Synonyms>, Error> {
        let path = self.synonyms_path();
        let stamp: Stamp = std::fs::metadata(&path).ok().and_then(|m| Some((m.len(), m.modified().ok()?)));
        let mut guard = state.synonyms.lock().map_err(internal)?;
        if guard.0 != stamp || (stamp.is_none() && guard.1.groups().is_empty()) {
            *guard = (stamp, Arc::new(Synonyms::load(&path)?));
        }
        Ok(Arc::clone(&guard.1))
    }

    /// The synonym file: `dir/search/synonyms.txt`.
    pub fn synonyms_path(&self) -> PathBuf {
        self.dir().join("search").join(SYNONYMS_FILE)
    }

    /// The searchable sources of the group: content documents, service items, policy
    /// Q&A and published answered letters.
    fn search_sources(&self) -> Vec<Box<dyn SearchSource + '_>> {
        vec![
            Box::new(ContentSource::new(self)),
            Box::new(crate::services_service::ServiceSource::new(self)),
            Box::new(crate::services_service::QaSource::new(self)),
            Box::new(crate::reply_search::ReplySource::new(self)),
        ]
    }

    fn with_sources<T>(&self, f: impl FnOnce(&[&dyn SearchSource]) -> T) -> T {
        let owned = self.search_sources();
        let refs: Vec<&dyn SearchSource> = owned.iter().map(|b| b.as_ref()).collect();
        f(&refs)
    }

    /// Applies every new outbox event to the search indexes (one poll: a publish,
    /// update or withdrawal is searchable when it returns). Rebuilds a missing or
    /// corrupt index. When another process is indexing, returns at once with
    /// [`PollReport::busy`].
    pub fn search_poll(&self) -> Result<PollReport, Error> {
        self.poll_search(true)
    }

    /// [`search_poll`](Self::search_poll) without saving the cursor: what a crash between
    /// the index commit and the cursor save leaves (for crash tests).
    #[doc(hidden)]
    pub fn search_poll_without_ack(&self) -> Result<PollReport, Error> {
        self.poll_search(false)
    }

    fn poll_search(&self, ack: bool) -> Result<PollReport, Error> {
        let state = self.search_state()?;
        let mut indexer = state.indexer.lock().map_err(internal)?;
        let report = self.with_sources(|sources| {
            if ack { indexer.poll(&self.db, sources) } else { indexer.poll_without_ack(&self.db, sources) }
        })?;
        if report.events > 0 || report.rebuilt {
            *state.names.write().map_err(internal)? = None;
        }
        Ok(report)
    }

    /// Forgets this process's open indexes and indexer (as a restart would); the next
    /// search call reopens them from disk.
    pub fn search_close(&self) {
        if let Ok(mut reg) = registry().lock() {
            reg.remove(&self.index_dir());
        }
    }

    /// Rebuilds the search indexes from the store into a fresh generation and switches
    /// to it atomically; `progress` is called as documents are added. Returns counts.
    pub fn reindex(&self, progress: &mut dyn FnMut(ReindexProgress)) -> Result<ReindexReport, Error> {
        let state = self.search_state()?;
        let mut indexer = state.indexer.lock().map_err(internal)?;
        let report = self.with_sources(|sources| indexer.reindex(&self.db, sources, progress))?;
        *state.names.write().map_err(internal)? = None;
        Ok(report)
    }

    /// Searches. `actor: None` is the public search: published public documents only.
    /// `Some(actor)` is the back-office search: working revisions (drafts included) of
    /// the sites and columns where `authorize` grants the actor ViewDrafts. Public
    /// searches with text are counted for [`hot_queries`](Self::hot_queries) (first page only).
    pub fn search(&self, actor: Option<&Actor>, query: &SearchQuery) -> Result<SearchResults, Error> {
        let state = self.search_state()?;
        let synonyms = self.synonyms_of(&state)?;
        // A rebuild by another process (the CLI's `reindex`) switches generations.
        state.engine.refresh()?;
        match actor {
            None => {
                let results = state.engine.public().search(&synonyms, query)?;
                if query.page <= 1 && !query.text.trim().is_empty() {
                    // Counting is best effort: a failed log write must not fail the search.
                    let _ = sitegroup_search::repo::record(&self.db, query.site, &query.text, self.now());
                }
                Ok(results)
            }
            Some(actor) => {
                let scope = self.draft_scope(actor)?;
                Ok(state.engine.drafts().search(&synonyms, query, &scope)?)
            }
        }
    }

    /// The sites and columns where `actor` may see drafts (ViewDrafts).
    fn draft_scope(&self, actor: &Actor) -> Result<DraftScope, Error> {
        let mut scope = DraftScope::default();
        for site in self.site_tree()?.sites() {
            if authorize(actor, Action::ViewDrafts, &Resource::Site(site.id)).is_ok() {
                scope.sites.push(site.id.0);
                continue;
            }
            let columns = self.db.read(|tx| sitegroup_columns::repo::columns_of_site(tx, site.id))?;
            for c in columns {
                if authorize(actor, Action::ViewDrafts, &Resource::Column { site: site.id, column: c.id }).is_ok() {
                    scope.columns.push(c.id);
                }
            }
        }
        Ok(scope)
    }

    /// Names of sites and live, visible columns for suggestions (cached until the next
    /// poll that sees events).
    fn search_names(&self, state: &SearchState) -> Result<Arc<Vec<NameEntry>>, Error> {
        if let Some(n) = state.names.read().map_err(internal)?.as_ref() {
            return Ok(Arc::clone(n));
        }
        let tree = self.site_tree()?;
        let mut names = Vec::new();
        for site in tree.sites().iter().filter(|s| !s.is_template) {
            let prefix = tree.path_of(site.id);
            names.push(NameEntry {
                kind: "site".into(),
                name: site.name.clone(),
                site: Some(site.id.0),
                url: Some(prefix.clone()),
            });
            let columns = self.db.read(|tx| sitegroup_columns::repo::columns_of_site(tx, site.id))?;
            for c in columns.into_iter().filter(|c| c.is_live() && !c.hidden) {
                names.push(NameEntry {
                    kind: "column".into(),
                    url: Some(format!("{}{}/", prefix.trim_end_matches('/'), c.path)),
                    name: c.name,
                    site: Some(site.id.0),
                });
            }
        }
        let names = Arc::new(names);
        *state.names.write().map_err(internal)? = Some(Arc::clone(&names));
        Ok(names)
    }

    /// As-you-type suggestions for `prefix` (Han, full pinyin or initials: `wuweixian`,
    /// `wwx` → 无为县): names of sites and columns first, then words and titles of public
    /// documents, within `site` or the whole group.
    pub fn suggest(&self, prefix: &str, site: Option<SiteId>, limit: usize) -> Result<Vec<Suggestion>, Error> {
        let state = self.search_state()?;
        let names = self.search_names(&state)?;
        Ok(state.engine.public().suggest(&names, prefix, site.map(|s| s.0), limit)?)
    }

    /// The most searched public queries of the last `window_seconds`, on `site` or (for
    /// `None`) across the group, most first (at most 20).
    pub fn hot_queries(&self, site: Option<SiteId>, window_seconds: i64) -> Result<Vec<(String, i64)>, Error> {
        self.search_state()?;
        let since = self.now().saturating_sub(window_seconds.max(0));
        Ok(sitegroup_search::repo::hot(&self.db, site.map(|s| s.0), since, 20)?)
    }
}
