//! Online services (网上办事) through the facade (issue 6): authorize, validate, write
//! with audit and outbox; the public catalogue; online queries; services as a search
//! source.
//!
//! **Who may do what.** An item, its guide, its Q&A entries and its forms belong to the
//! item's *responsible unit's sites* (every site whose owning unit is that unit, as for
//! tickets); a unit without a site is the group's. Creating and editing items, guides,
//! Q&A, forms and query definitions is `EditDraft` on one of those sites; publishing or
//! unpublishing an item is `PublishContent` there; the back-office lists are
//! `ViewDrafts` there; the group-wide list of incomplete guides (for the self-check) is
//! `RunSelfCheck` on the group. Moving an item to another unit needs `EditDraft` on both.
//! Forms (表格) are added, edited, hidden and removed with `EditDraft` on their unit's
//! sites; a form's document must be on one of those sites (or on a site where the actor
//! itself may edit — the centre's shared forms library), and a form that a guide lists
//! among its materials cannot be removed, only hidden. Query definitions are edited
//! (texts, limits, provider) with `EditDraft` and enabled or disabled with
//! `PublishContent` on their unit's sites; the back office sees each one's runs of the
//! last 24 hours (counts from the rate counters, never inputs).
//! Reading published items, Q&A, forms and queries, and running a query, is public.
//!
//! Every write is one transaction holding the change, its audit entry and an outbox
//! event `service.*`: `service.create`, `service.update`, `service.guide`,
//! `service.publish`, `service.unpublish` (entity `service:{id}`, what the search
//! source follows), `service.qa_create`, `service.qa_update`, `service.qa_delete`
//! (entity `service_qa:{id}`, what the Q&A search source follows),
//! `service.form_create`, `service.form_update`, `service.form_publish`,
//! `service.form_unpublish`, `service.form_remove` (entity `service_form:{id}`),
//! `service.query_define`, `service.query_update`, `service.query_enable`,
//! `service.query_disable` and `service.query_run` (entity `service_query:{code}`).
//!
//! **Online queries.** [`SiteGroup::run_service_query`] validates the input against the
//! provider's fields, then in one transaction counts the request against the
//! definition's per-address and per-query limits (counters in the database keyed by a
//! salted hash of the address, so limits hold across processes) and writes the audit
//! entry `service.query_run` — which names the query and provider, never the input, and
//! whose origin carries no address — and only after the commit asks the provider.
//! Providers are registered per data directory with
//! [`SiteGroup::register_query_provider`]; the demo providers (`demo.*`) are always
//! there.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, OrgUnit, Resource, SiteId, UnitId, authorize};
use sitegroup_search::{Audience as SearchAudience, SearchDoc, SearchError, SearchSource};
use sitegroup_services::guide::{self, Completeness};
use sitegroup_services::query::{self, ProviderRegistry, QueryField, QueryProvider, QueryResult};
use sitegroup_services::repo::{self, FormFilter, ItemFilter, QaFilter};
use sitegroup_services::{
    Audience, Form, Guide, Item, LifeEvent, NewForm, NewItem, NewQa, NewQueryDef, Qa, QueryDef, QueryEdit,
};
use sitegroup_services::{GuideElement, ServicesError};
use sitegroup_store::{Event, StoreError, Tx, core_repo};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};
use crate::search_service::{each_page, entity_keys, filing_site, key_id};

impl MaybeSite for Item {}
impl MaybeSite for Qa {}
impl MaybeSite for Form {}
impl MaybeSite for QueryDef {}

/// The setting holding the salt of the query address hashes (drawn on first use).
const SALT_SETTING: &str = "services.salt";
/// Events the search source follows.
const ITEM_EVENTS: [&str; 5] =
    ["service.create", "service.update", "service.guide", "service.publish", "service.unpublish"];
/// Events the Q&A search source follows.
const QA_EVENTS: [&str; 3] = ["service.qa_create", "service.qa_update", "service.qa_delete"];
/// How far back the back office counts a query's runs.
const USAGE_WINDOW: i64 = 86_400;
/// Most documents offered as form sources on the back-office page.
const MAX_FORM_SOURCES: usize = 100;

fn serr(e: ServicesError) -> Error {
    Error::Services(e)
}

fn not_found(what: &'static str, key: impl ToString) -> Error {
    serr(ServicesError::NotFound { what, key: key.to_string() })
}

/// Where to find public items (empty fields do not filter).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceFilter {
    /// Audience.
    pub audience: Option<Audience>,
    /// Life event.
    pub life_event: Option<LifeEvent>,
    /// Responsible unit's code.
    pub unit: Option<String>,
    /// Theme.
    pub theme: Option<String>,
    /// Name contains.
    pub text: Option<String>,
}

/// A form with where to download it.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceFormView {
    /// The form.
    pub form: Form,
    /// The responsible unit's code.
    pub unit_code: String,
    /// The download path (`{site prefix}/docs/{id}/files/{n}`); `None` while the
    /// document is unpublished or lacks the attachment.
    pub url: Option<String>,
}

/// An item with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceItemView {
    /// The item and its guide.
    pub item: Item,
    /// The responsible unit.
    pub unit: Option<OrgUnit>,
    /// What the guide lacks (the back office shows it; public pages do not).
    pub completeness: Completeness,
    /// Forms of the item (materials point at them by id).
    pub forms: Vec<ServiceFormView>,
    /// Q&A entries linked to the item (published ones on public pages).
    pub qas: Vec<Qa>,
}

/// One row of the back-office list and of the group-wide check.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceGuideStatus {
    /// Item id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit code.
    pub unit: String,
    /// The unit's first site, if it has one.
    pub site: Option<SiteId>,
    /// Public.
    pub published: bool,
    /// Missing elements.
    pub missing: Vec<GuideElement>,
    /// A key element is missing (an inspection veto when published).
    pub veto: bool,
    /// Last change.
    pub updated_at: i64,
}

/// A query as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceQueryView {
    /// The definition.
    pub def: QueryDef,
    /// The provider's input fields (empty when the provider is not registered).
    pub fields: Vec<QueryField>,
    /// The provider serves demo data.
    pub demo: bool,
    /// The provider is registered.
    pub available: bool,
}

/// Public Q&A search.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceQaFilter {
    /// Only entries of this item.
    pub item: Option<i64>,
    /// Only this unit's (code).
    pub unit: Option<String>,
    /// Question or answer contains.
    pub text: Option<String>,
    /// Page from 1.
    pub page: i64,
    /// Rows per page (default 20).
    pub per_page: i64,
}

/// A document that can back a form: one with attachments on a site of the unit.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceFormSource {
    /// Content document id.
    pub document: i64,
    /// Its site.
    pub site: SiteId,
    /// Title of its working revision.
    pub title: String,
    /// Workflow state (`published`, `draft` …): only a published document downloads.
    pub state: String,
    /// `(number from 1, file name)` of each attachment.
    pub attachments: Vec<(i64, String)>,
}

/// A query definition as the back office lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceQueryStatus {
    /// The definition.
    pub def: QueryDef,
    /// The responsible unit's code.
    pub unit_code: String,
    /// The provider is registered in this process.
    pub available: bool,
    /// The provider serves demo data.
    pub demo: bool,
    /// Runs counted in the last 24 hours (by the all-addresses rate counter; refused
    /// requests are not counted, and windows that began before the 24 hours are left
    /// out).
    pub used_24h: i64,
}

/// Published items per audience and per theme: `(name, count)` pairs.
pub type ServiceCounts = (Vec<(String, i64)>, Vec<(String, i64)>);

fn providers() -> &'static Mutex<HashMap<PathBuf, ProviderRegistry>> {
    static REG: OnceLock<Mutex<HashMap<PathBuf, ProviderRegistry>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}

fn item_event(i: &Item) -> serde_json::Value {
    serde_json::json!({ "id": i.id, "code": i.code, "unit": i.unit.0, "published": i.published })
}

impl SiteGroup {
    /// Plugs a query back end in for this data directory (replacing the provider of
    /// the same kind). Definitions whose `provider` names its kind use it from then on.
    ///
    /// ```
    /// # fn main() -> Result<(), sitegroup::Error> {
    /// use sitegroup::services::query::{FieldKind, QueryColumn, QueryField, QueryInput, QueryProvider, QueryResult};
    /// struct Fund;
    /// impl QueryProvider for Fund {
    ///     fn kind(&self) -> &str { "gjj.balance" }
    ///     fn fields(&self) -> Vec<QueryField> { vec![QueryField::new("id_number", FieldKind::IdNumber)] }
    ///     fn run(&self, _query: &str, _input: &QueryInput) -> Result<QueryResult, String> {
    ///         // Call the housing-fund centre's service here.
    ///         Ok(QueryResult { columns: vec![QueryColumn::new("balance", "余额")], rows: vec![vec!["1.00".into()]], demo: false })
    ///     }
    /// }
    /// let dir = tempfile::tempdir().expect("temp dir");
    /// let group = sitegroup::SiteGroup::open(dir.path())?;
    /// group.register_query_provider(std::sync::Arc::new(Fund))?;
    /// assert!(group.query_provider_kinds()?.contains(&"gjj.balance".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn register_query_provider(&self, provider: Arc<dyn QueryProvider>) -> Result<(), Error> {
        let mut reg = providers().lock().map_err(|_| Error::Internal("provider registry poisoned".into()))?;
        reg.entry(self.dir().to_path_buf()).or_insert_with(ProviderRegistry::with_demo).register(provider);
        Ok(())
    }

    /// The registered provider kinds (demo ones included).
    pub fn query_provider_kinds(&self) -> Result<Vec<String>, Error> {
        Ok(self.provider_registry()?.kinds())
    }

    fn provider_registry(&self) -> Result<ProviderRegistry, Error> {
        let reg = providers().lock().map_err(|_| Error::Internal("provider registry poisoned".into()))?;
        Ok(reg.get(self.dir()).cloned().unwrap_or_else(ProviderRegistry::with_demo))
    }

    fn services_salt(&self) -> Result<String, Error> {
        if let Some(salt) = self.db.read(|tx| core_repo::get_setting(tx, SALT_SETTING))? {
            return Ok(salt);
        }
        let mut buf = [0u8; 16];
        sitegroup_core::password::random_bytes(&mut buf).map_err(|e| Error::Internal(e.to_string()))?;
        let fresh: String = buf.iter().map(|b| format!("{b:02x}")).collect();
        Ok(self.db.write(|tx| core_repo::setting_or_insert(tx, SALT_SETTING, &fresh))?)
    }

    fn service_unit(tx: &mut Tx<'_>, code: &str) -> Result<OrgUnit, Error> {
        core_repo::unit_by_code(tx, &code.trim().to_ascii_lowercase())?
            .ok_or_else(|| serr(ServicesError::UnknownUnit(code.to_string())))
    }

    fn unit_of_code(&self, code: &str) -> Result<OrgUnit, Error> {
        self.db.read(|tx| Self::service_unit(tx, code))
    }

    fn load_item(&self, id: i64) -> Result<Item, Error> {
        self.db.read(|tx| repo::item(tx, id))?.ok_or_else(|| not_found("item", id))
    }

    fn code_taken(e: StoreError, what: &'static str, code: &str) -> Error {
        match e {
            StoreError::UniqueViolation { .. } => serr(ServicesError::DuplicateCode { what, code: code.to_string() }),
            other => Error::Store(other),
        }
    }

    // ---- items and guides ----

    /// Adds a service item (unpublished, with `guide` validated) for the unit named in
    /// `new` (`EditDraft` on the unit's sites).
    pub fn add_service_item(
        &self,
        actor: &Actor,
        origin: &Origin,
        new: &NewItem,
        guide: &Guide,
    ) -> Result<Item, Error> {
        let valid = new.validate().map_err(serr)?;
        let unit = self.unit_of_code(&valid.unit)?;
        self.authorize_unit(actor, Action::EditDraft, Some(unit.id))?;
        let guide = guide.validate().map_err(serr)?;
        let site = self.unit_site(Some(unit.id))?;
        let now = self.now();
        self.audited_as(actor, origin, "service.create", site, |tx| {
            self.check_material_forms(tx, &guide)?;
            let item = tx
                .savepoint(|tx| repo::insert_item(tx, &valid, unit.id, &guide, now))
                .map_err(|e| Self::code_taken(e, "item", &valid.code))?;
            Ok((item.clone(), format!("service:{}", item.id), item_event(&item)))
        })
    }

    /// Changes an item's catalogue data (`EditDraft` on its unit's sites, and on the new
    /// unit's when it moves).
    pub fn update_service_item(&self, actor: &Actor, origin: &Origin, id: i64, new: &NewItem) -> Result<Item, Error> {
        let valid = new.validate().map_err(serr)?;
        let old = self.load_item(id)?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let unit = self.unit_of_code(&valid.unit)?;
        if unit.id != old.unit {
            self.authorize_unit(actor, Action::EditDraft, Some(unit.id))?;
        }
        let site = self.unit_site(Some(unit.id))?;
        let now = self.now();
        self.audited(actor, origin, "service.update", site, format!("service:{id}"), |tx| {
            tx.savepoint(|tx| repo::update_item(tx, id, &valid, unit.id, now))
                .map_err(|e| Self::code_taken(e, "item", &valid.code))?;
            let item = repo::item(tx, id)?.ok_or_else(|| not_found("item", id))?;
            let payload = item_event(&item);
            Ok((item, payload))
        })
    }

    /// Replaces an item's guide (`EditDraft` on its unit's sites). Materials' forms must
    /// exist. Returns the item and what the guide still lacks.
    pub fn set_service_guide(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        guide: &Guide,
    ) -> Result<(Item, Completeness), Error> {
        let old = self.load_item(id)?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let guide = guide.validate().map_err(serr)?;
        let site = self.unit_site(Some(old.unit))?;
        let now = self.now();
        let item = self.audited(actor, origin, "service.guide", site, format!("service:{id}"), |tx| {
            self.check_material_forms(tx, &guide)?;
            repo::set_guide(tx, id, &guide, now)?;
            let item = repo::item(tx, id)?.ok_or_else(|| not_found("item", id))?;
            let c = guide::check(&item.name, &item.guide);
            let mut payload = item_event(&item);
            payload["missing"] = serde_json::json!(c.missing.iter().map(|e| e.as_str()).collect::<Vec<_>>());
            Ok((item, payload))
        })?;
        let c = guide::check(&item.name, &item.guide);
        Ok((item, c))
    }

    fn check_material_forms(&self, tx: &mut Tx<'_>, guide: &Guide) -> Result<(), Error> {
        for m in &guide.materials {
            if let Some(f) = m.form
                && repo::form(tx, f)?.is_none()
            {
                return Err(not_found("form", f));
            }
        }
        Ok(())
    }

    /// Publishes (`true`) or unpublishes an item (`PublishContent` on its unit's sites).
    /// An incomplete guide may be published (the completeness badge and the self-check
    /// say so); the public never sees an unpublished item.
    pub fn publish_service_item(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        published: bool,
    ) -> Result<Item, Error> {
        let old = self.load_item(id)?;
        self.authorize_unit(actor, Action::PublishContent, Some(old.unit))?;
        let site = self.unit_site(Some(old.unit))?;
        let now = self.now();
        let action = if published { "service.publish" } else { "service.unpublish" };
        self.audited(actor, origin, action, site, format!("service:{id}"), |tx| {
            repo::set_item_published(tx, id, published, now)?;
            let item = repo::item(tx, id)?.ok_or_else(|| not_found("item", id))?;
            let payload = item_event(&item);
            Ok((item, payload))
        })
    }

    /// Published items matching `filter` (public).
    pub fn published_service_items(&self, filter: &ServiceFilter) -> Result<Vec<Item>, Error> {
        let units = match &filter.unit {
            Some(code) => Some(vec![self.unit_of_code(code)?.id]),
            None => None,
        };
        let f = ItemFilter {
            published_only: true,
            audience: filter.audience,
            life_event: filter.life_event,
            units,
            theme: filter.theme.clone().filter(|t| !t.trim().is_empty()),
            text: filter.text.clone().filter(|t| !t.trim().is_empty()),
        };
        Ok(self.db.read(|tx| repo::items(tx, &f))?)
    }

    /// Published items per audience (`personal` → 12 …) and themes with counts (public).
    pub fn service_catalogue_counts(&self) -> Result<ServiceCounts, Error> {
        Ok(self.db.read(|tx| Ok::<_, StoreError>((repo::audience_counts(tx)?, repo::themes(tx)?)))?)
    }

    /// A published item with its forms and published Q&A (public); unpublished items
    /// are not found.
    pub fn published_service_item(&self, id: i64) -> Result<ServiceItemView, Error> {
        let item = self.load_item(id)?;
        if !item.published {
            return Err(not_found("item", id));
        }
        self.item_view(item, true)
    }

    /// Any item with its forms and all its Q&A (`ViewDrafts` on its unit's sites).
    pub fn service_item(&self, actor: &Actor, id: i64) -> Result<ServiceItemView, Error> {
        let item = self.load_item(id)?;
        self.authorize_unit(actor, Action::ViewDrafts, Some(item.unit))?;
        self.item_view(item, false)
    }

    fn item_view(&self, item: Item, public: bool) -> Result<ServiceItemView, Error> {
        let units = self.db.read(core_repo::list_units)?;
        let unit = units.iter().find(|u| u.id == item.unit).cloned();
        let filter = FormFilter { published_only: public, item: Some(item.id), units: None };
        let forms = self.db.read(|tx| repo::forms(tx, &filter))?;
        let mut extra: Vec<i64> = item.guide.materials.iter().filter_map(|m| m.form).collect();
        extra.retain(|f| !forms.iter().any(|x| x.id == *f));
        let mut all = forms;
        for f in extra {
            if let Some(form) = self.db.read(|tx| repo::form(tx, f))?
                && (form.published || !public)
            {
                all.push(form);
            }
        }
        let forms = self.form_views(all, &units)?;
        let f = QaFilter { published_only: public, item: Some(item.id), limit: 200, ..Default::default() };
        let (qas, _) = self.db.read(|tx| repo::qas(tx, &f))?;
        let completeness = guide::check(&item.name, &item.guide);
        Ok(ServiceItemView { item, unit, completeness, forms, qas })
    }

    fn form_views(&self, forms: Vec<Form>, units: &[OrgUnit]) -> Result<Vec<ServiceFormView>, Error> {
        let tree = self.site_tree()?;
        let mut docs: HashMap<i64, Option<(SiteId, usize)>> = HashMap::new();
        let mut out = Vec::with_capacity(forms.len());
        for form in forms {
            let doc = match docs.get(&form.document) {
                Some(d) => *d,
                None => {
                    let d = self.db.read(|tx| {
                        let Some((site, true)) = sitegroup_content::repo::doc_visibility(tx, form.document)? else {
                            return Ok::<_, Error>(None);
                        };
                        let p = sitegroup_content::repo::public_document(tx, site, form.document)?;
                        Ok(p.map(|p| (site, p.fields.attachments.len())))
                    })?;
                    docs.insert(form.document, d);
                    d
                }
            };
            let url = doc.and_then(|(site, n)| {
                let k = usize::try_from(form.attachment).ok()?;
                (k >= 1 && k <= n)
                    .then(|| format!("{}/docs/{}/files/{}", tree.path_of(site).trim_end_matches('/'), form.document, k))
            });
            let unit_code = units.iter().find(|u| u.id == form.unit).map(|u| u.code.clone()).unwrap_or_default();
            out.push(ServiceFormView { form, unit_code, url });
        }
        Ok(out)
    }

    /// Items of one unit (`ViewDrafts` on its sites) or, with `None`, of the whole group
    /// (group scope), with what each guide lacks: the back-office list.
    pub fn service_items_for(&self, actor: &Actor, unit: Option<&str>) -> Result<Vec<ServiceGuideStatus>, Error> {
        let units = match unit {
            Some(code) => {
                let u = self.unit_of_code(code)?;
                self.authorize_unit(actor, Action::ViewDrafts, Some(u.id))?;
                Some(vec![u.id])
            }
            None => {
                authorize(actor, Action::ViewDrafts, &Resource::Group)?;
                None
            }
        };
        let items = self.db.read(|tx| repo::items(tx, &ItemFilter { units, ..Default::default() }))?;
        self.statuses(items)
    }

    /// Units whose items `actor` may manage (`EditDraft` on one of their sites; every
    /// unit for group scope).
    pub fn service_units_for(&self, actor: &Actor) -> Result<Vec<OrgUnit>, Error> {
        let units = self.db.read(core_repo::list_units)?;
        let mut out = Vec::new();
        for u in units {
            if self.authorize_unit(actor, Action::EditDraft, Some(u.id)).is_ok() {
                out.push(u);
            }
        }
        Ok(out)
    }

    fn statuses(&self, items: Vec<Item>) -> Result<Vec<ServiceGuideStatus>, Error> {
        let units = self.db.read(core_repo::list_units)?;
        let tree = self.site_tree()?;
        Ok(items
            .into_iter()
            .map(|i| {
                let c = guide::check(&i.name, &i.guide);
                ServiceGuideStatus {
                    id: i.id,
                    code: i.code.clone(),
                    unit: units.iter().find(|u| u.id == i.unit).map(|u| u.code.clone()).unwrap_or_default(),
                    site: tree.sites().iter().find(|s| s.unit == Some(i.unit)).map(|s| s.id),
                    name: i.name,
                    published: i.published,
                    veto: c.veto(),
                    missing: c.missing,
                    updated_at: i.updated_at,
                }
            })
            .collect())
    }

    /// Every item whose guide lacks an element, group-wide (`RunSelfCheck` on the
    /// group): what the inspection self-check reports. `published_only` keeps only what
    /// the public (and the inspectors) see.
    pub fn incomplete_service_guides(
        &self,
        actor: &Actor,
        published_only: bool,
    ) -> Result<Vec<ServiceGuideStatus>, Error> {
        authorize(actor, Action::RunSelfCheck, &Resource::Group)?;
        let items = self.db.read(|tx| repo::items(tx, &ItemFilter { published_only, ..Default::default() }))?;
        Ok(self.statuses(items)?.into_iter().filter(|s| !s.missing.is_empty()).collect())
    }

    // ---- Q&A ----

    fn qa_unit(&self, new: &NewQa) -> Result<UnitId, Error> {
        let unit = self.unit_of_code(&new.unit)?;
        if let Some(item) = new.item {
            let item = self.load_item(item)?;
            if item.unit != unit.id {
                return Err(sitegroup_core::ValidationError::Rule(
                    "a Q&A entry linked to an item belongs to the item's unit".into(),
                )
                .into());
            }
        }
        Ok(unit.id)
    }

    /// Adds a policy Q&A entry (`EditDraft` on the unit's sites).
    pub fn add_service_qa(&self, actor: &Actor, origin: &Origin, new: &NewQa) -> Result<Qa, Error> {
        let v = new.validate().map_err(serr)?;
        let unit = self.qa_unit(&v)?;
        self.authorize_unit(actor, Action::EditDraft, Some(unit))?;
        let site = self.unit_site(Some(unit))?;
        let now = self.now();
        self.audited_as(actor, origin, "service.qa_create", site, |tx| {
            let qa = repo::insert_qa(tx, v.item, unit, &v.question, &v.answer, v.published, now)?;
            let payload = serde_json::json!({ "id": qa.id, "item": qa.item, "published": qa.published });
            Ok((qa.clone(), format!("service_qa:{}", qa.id), payload))
        })
    }

    /// Changes a Q&A entry (`EditDraft` on its unit's sites, and the new unit's).
    pub fn update_service_qa(&self, actor: &Actor, origin: &Origin, id: i64, new: &NewQa) -> Result<Qa, Error> {
        let v = new.validate().map_err(serr)?;
        let old = self.db.read(|tx| repo::qa(tx, id))?.ok_or_else(|| not_found("qa", id))?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let unit = self.qa_unit(&v)?;
        if unit != old.unit {
            self.authorize_unit(actor, Action::EditDraft, Some(unit))?;
        }
        let site = self.unit_site(Some(unit))?;
        let now = self.now();
        self.audited(actor, origin, "service.qa_update", site, format!("service_qa:{id}"), |tx| {
            repo::update_qa(tx, id, v.item, unit, &v.question, &v.answer, v.published, now)?;
            let qa = repo::qa(tx, id)?.ok_or_else(|| not_found("qa", id))?;
            let payload = serde_json::json!({ "id": qa.id, "item": qa.item, "published": qa.published });
            Ok((qa, payload))
        })
    }

    /// Deletes a Q&A entry (`EditDraft` on its unit's sites); the next search poll
    /// removes it from both indexes.
    pub fn remove_service_qa(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<(), Error> {
        let old = self.db.read(|tx| repo::qa(tx, id))?.ok_or_else(|| not_found("qa", id))?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let site = self.unit_site(Some(old.unit))?;
        self.audited(actor, origin, "service.qa_delete", site, format!("service_qa:{id}"), |tx| {
            repo::delete_qa(tx, id)?;
            Ok(((), serde_json::json!({ "id": id, "item": old.item, "question": old.question })))
        })
    }

    /// Published Q&A entries (public), newest first, and the total.
    pub fn published_service_qas(&self, filter: &ServiceQaFilter) -> Result<(Vec<Qa>, i64), Error> {
        let units = match &filter.unit {
            Some(code) => Some(vec![self.unit_of_code(code)?.id]),
            None => None,
        };
        let per_page = if filter.per_page <= 0 { 20 } else { filter.per_page.min(100) };
        let f = QaFilter {
            published_only: true,
            item: filter.item,
            units,
            text: filter.text.clone(),
            limit: per_page,
            offset: (filter.page.max(1) - 1).saturating_mul(per_page),
        };
        Ok(self.db.read(|tx| repo::qas(tx, &f))?)
    }

    /// One published Q&A entry (public).
    pub fn published_service_qa(&self, id: i64) -> Result<Qa, Error> {
        match self.db.read(|tx| repo::qa(tx, id))? {
            Some(q) if q.published => Ok(q),
            _ => Err(not_found("qa", id)),
        }
    }

    /// Q&A entries of one unit (`ViewDrafts` on its sites) or of the group (group
    /// scope), drafts included.
    pub fn service_qas_for(&self, actor: &Actor, unit: Option<&str>, limit: i64) -> Result<Vec<Qa>, Error> {
        let units = match unit {
            Some(code) => {
                let u = self.unit_of_code(code)?;
                self.authorize_unit(actor, Action::ViewDrafts, Some(u.id))?;
                Some(vec![u.id])
            }
            None => {
                authorize(actor, Action::ViewDrafts, &Resource::Group)?;
                None
            }
        };
        Ok(self.db.read(|tx| repo::qas(tx, &QaFilter { units, limit, ..Default::default() }))?.0)
    }

    /// A Q&A entry, drafts included (`ViewDrafts` on its unit's sites).
    pub fn service_qa(&self, actor: &Actor, id: i64) -> Result<Qa, Error> {
        let qa = self.db.read(|tx| repo::qa(tx, id))?.ok_or_else(|| not_found("qa", id))?;
        self.authorize_unit(actor, Action::ViewDrafts, Some(qa.unit))?;
        Ok(qa)
    }

    // ---- forms ----

    /// Adds a form to the library (`EditDraft` on the unit's sites): a name for one
    /// attachment of a content document, which must exist.
    pub fn add_service_form(&self, actor: &Actor, origin: &Origin, new: &NewForm) -> Result<Form, Error> {
        let v = new.validate().map_err(serr)?;
        let unit = self.unit_of_code(&v.unit)?;
        self.authorize_unit(actor, Action::EditDraft, Some(unit.id))?;
        if let Some(item) = v.item {
            let item = self.load_item(item)?;
            if item.unit != unit.id {
                return Err(sitegroup_core::ValidationError::Rule(
                    "a form of an item belongs to the item's unit".into(),
                )
                .into());
            }
        }
        let site = self.unit_site(Some(unit.id))?;
        let unit_sites = self.unit_sites(unit.id)?;
        let now = self.now();
        self.audited_as(actor, origin, "service.form_create", site, |tx| {
            Self::check_form_document(tx, actor, &unit_sites, &v)?;
            let form = repo::insert_form(tx, &v, unit.id, now)?;
            let payload = serde_json::json!({ "id": form.id, "item": form.item, "document": form.document });
            Ok((form.clone(), format!("service_form:{}", form.id), payload))
        })
    }

    /// The sites owned by `unit` (empty for a unit without a site).
    fn unit_sites(&self, unit: UnitId) -> Result<Vec<SiteId>, Error> {
        Ok(self.site_tree()?.sites().iter().filter(|s| s.unit == Some(unit)).map(|s| s.id).collect())
    }

    /// A form's document must exist, be on one of `unit_sites` (or on a site where the
    /// actor may edit drafts) and have the attachment. The site is checked before the
    /// attachment, so a foreign document's attachments are not probed.
    fn check_form_document(tx: &mut Tx<'_>, actor: &Actor, unit_sites: &[SiteId], v: &NewForm) -> Result<(), Error> {
        let missing = || serr(ServicesError::MissingAttachment { document: v.document, attachment: v.attachment });
        let Some(doc) = sitegroup_content::repo::get_document(tx, v.document)? else { return Err(missing()) };
        if !unit_sites.contains(&doc.site) && authorize(actor, Action::EditDraft, &Resource::Site(doc.site)).is_err() {
            return Err(serr(ServicesError::ForeignDocument { document: v.document }));
        }
        let n = doc.fields.attachments.len();
        if usize::try_from(v.attachment).map_or(true, |k| k == 0 || k > n) {
            return Err(missing());
        }
        Ok(())
    }

    fn load_form(&self, id: i64) -> Result<Form, Error> {
        self.db.read(|tx| repo::form(tx, id))?.ok_or_else(|| not_found("form", id))
    }

    /// Changes a form's name, item, unit or attachment (`EditDraft` on its unit's sites,
    /// and on the new unit's when it moves). The document is checked again only when the
    /// reference or the unit changes, so a unit may rename a form the centre pointed at
    /// its shared library.
    pub fn update_service_form(&self, actor: &Actor, origin: &Origin, id: i64, new: &NewForm) -> Result<Form, Error> {
        let v = new.validate().map_err(serr)?;
        let old = self.load_form(id)?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let unit = self.unit_of_code(&v.unit)?;
        if unit.id != old.unit {
            self.authorize_unit(actor, Action::EditDraft, Some(unit.id))?;
        }
        if let Some(item) = v.item
            && self.load_item(item)?.unit != unit.id
        {
            return Err(
                sitegroup_core::ValidationError::Rule("a form of an item belongs to the item's unit".into()).into()
            );
        }
        let recheck = unit.id != old.unit || v.document != old.document || v.attachment != old.attachment;
        let unit_sites = self.unit_sites(unit.id)?;
        let site = self.unit_site(Some(unit.id))?;
        let now = self.now();
        self.audited(actor, origin, "service.form_update", site, format!("service_form:{id}"), |tx| {
            if recheck {
                Self::check_form_document(tx, actor, &unit_sites, &v)?;
            }
            repo::update_form(tx, id, &v, unit.id, now)?;
            let form = repo::form(tx, id)?.ok_or_else(|| not_found("form", id))?;
            let payload = serde_json::json!({ "id": form.id, "item": form.item, "document": form.document });
            Ok((form, payload))
        })
    }

    /// Lists (`true`) or hides (停用) a form (`EditDraft` on its unit's sites). A hidden
    /// form stays in the guides that point at it but is not shown to the public.
    pub fn publish_service_form(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        published: bool,
    ) -> Result<Form, Error> {
        let old = self.load_form(id)?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let site = self.unit_site(Some(old.unit))?;
        let now = self.now();
        let action = if published { "service.form_publish" } else { "service.form_unpublish" };
        self.audited(actor, origin, action, site, format!("service_form:{id}"), |tx| {
            repo::set_form_published(tx, id, published, now)?;
            let form = repo::form(tx, id)?.ok_or_else(|| not_found("form", id))?;
            Ok((form, serde_json::json!({ "id": id, "published": published })))
        })
    }

    /// Removes a form from the library (`EditDraft` on its unit's sites). Refused with
    /// [`ServicesError::FormInUse`] while a guide lists it among its materials.
    pub fn remove_service_form(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<(), Error> {
        let old = self.load_form(id)?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let site = self.unit_site(Some(old.unit))?;
        self.audited(actor, origin, "service.form_remove", site, format!("service_form:{id}"), |tx| {
            let items = repo::items_using_form(tx, id)?;
            if !items.is_empty() {
                return Err(serr(ServicesError::FormInUse { form: id, items }));
            }
            repo::delete_form(tx, id)?;
            let payload = serde_json::json!({ "id": id, "name": old.name, "document": old.document });
            Ok(((), payload))
        })
    }

    /// Forms of one unit (`ViewDrafts` on its sites) or of the group (group scope),
    /// hidden ones included, with where each downloads from: the back-office list.
    pub fn service_forms_for(&self, actor: &Actor, unit: Option<&str>) -> Result<Vec<ServiceFormView>, Error> {
        let units = self.units_viewable(actor, unit)?;
        let all = self.db.read(core_repo::list_units)?;
        let forms = self.db.read(|tx| repo::forms(tx, &FormFilter { units, ..Default::default() }))?;
        self.form_views(forms, &all)
    }

    /// One form, hidden or not (`ViewDrafts` on its unit's sites).
    pub fn service_form(&self, actor: &Actor, id: i64) -> Result<ServiceFormView, Error> {
        let form = self.load_form(id)?;
        self.authorize_unit(actor, Action::ViewDrafts, Some(form.unit))?;
        let units = self.db.read(core_repo::list_units)?;
        self.form_views(vec![form], &units)?.pop().ok_or_else(|| not_found("form", id))
    }

    /// Documents with attachments on the unit's sites, newest change first (at most
    /// 100): what the back office offers as a form's source (`EditDraft` on the unit's
    /// sites).
    pub fn service_form_sources(&self, actor: &Actor, unit: &str) -> Result<Vec<ServiceFormSource>, Error> {
        let unit = self.unit_of_code(unit)?;
        self.authorize_unit(actor, Action::EditDraft, Some(unit.id))?;
        let mut out = Vec::new();
        for site in self.unit_sites(unit.id)? {
            let docs = self.db.read(|tx| sitegroup_content::repo::documents_in(tx, site, None, &[]))?;
            for d in docs.into_iter().filter(|d| !d.fields.attachments.is_empty()) {
                if out.len() >= MAX_FORM_SOURCES {
                    return Ok(out);
                }
                out.push(ServiceFormSource {
                    document: d.id,
                    site,
                    title: d.fields.title.clone(),
                    state: d.state.as_str().to_string(),
                    attachments: (1i64..).zip(d.fields.attachments.iter()).map(|(n, a)| (n, a.name.clone())).collect(),
                });
            }
        }
        Ok(out)
    }

    /// The units `unit` names (`ViewDrafts` on its sites), or every unit (`None`, group
    /// scope).
    fn units_viewable(&self, actor: &Actor, unit: Option<&str>) -> Result<Option<Vec<UnitId>>, Error> {
        match unit {
            Some(code) => {
                let u = self.unit_of_code(code)?;
                self.authorize_unit(actor, Action::ViewDrafts, Some(u.id))?;
                Ok(Some(vec![u.id]))
            }
            None => {
                authorize(actor, Action::ViewDrafts, &Resource::Group)?;
                Ok(None)
            }
        }
    }

    /// The forms library (public): forms whose document is published, optionally of one
    /// unit, with download paths; a page of them and the total.
    pub fn published_service_forms(
        &self,
        unit: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<ServiceFormView>, i64), Error> {
        let unit = match unit {
            Some(code) => Some(self.unit_of_code(code)?.id),
            None => None,
        };
        let units = self.db.read(core_repo::list_units)?;
        let filter = FormFilter { published_only: true, item: None, units: unit.map(|u| vec![u]) };
        let forms = self.db.read(|tx| repo::forms(tx, &filter))?;
        let all: Vec<ServiceFormView> =
            self.form_views(forms, &units)?.into_iter().filter(|f| f.url.is_some()).collect();
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let per_page = if per_page <= 0 { 50 } else { per_page.min(500) };
        let skip = usize::try_from((page.max(1) - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let take = usize::try_from(per_page).unwrap_or(50);
        Ok((all.into_iter().skip(skip).take(take).collect(), total))
    }

    // ---- online queries ----

    /// Defines (or redefines, by code) an online query (`EditDraft` on the unit's sites).
    pub fn define_service_query(&self, actor: &Actor, origin: &Origin, new: &NewQueryDef) -> Result<QueryDef, Error> {
        let v = new.validate().map_err(serr)?;
        let unit = self.unit_of_code(&v.unit)?;
        self.authorize_unit(actor, Action::EditDraft, Some(unit.id))?;
        if let Some(old) = self.db.read(|tx| repo::query_by_code(tx, &v.code))?
            && old.unit != unit.id
        {
            self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        }
        let site = self.unit_site(Some(unit.id))?;
        let now = self.now();
        self.audited(actor, origin, "service.query_define", site, format!("service_query:{}", v.code), |tx| {
            let d = repo::upsert_query(tx, &v, unit.id, now)?;
            let payload = serde_json::json!({ "code": d.code, "provider": d.provider, "published": d.published });
            Ok((d, payload))
        })
    }

    /// Published online queries (public), with their fields.
    pub fn service_queries(&self) -> Result<Vec<ServiceQueryView>, Error> {
        let defs = self.db.read(|tx| repo::queries(tx, true))?;
        let reg = self.provider_registry()?;
        Ok(defs.into_iter().map(|d| Self::query_view(&reg, d)).collect())
    }

    /// Every query definition (group scope `ViewDrafts`), published or not.
    pub fn service_query_definitions(&self, actor: &Actor) -> Result<Vec<ServiceQueryView>, Error> {
        authorize(actor, Action::ViewDrafts, &Resource::Group)?;
        let defs = self.db.read(|tx| repo::queries(tx, false))?;
        let reg = self.provider_registry()?;
        Ok(defs.into_iter().map(|d| Self::query_view(&reg, d)).collect())
    }

    /// Query definitions of one unit (`ViewDrafts` on its sites) or of the group (group
    /// scope), enabled or not, with each one's runs in the last 24 hours.
    pub fn service_queries_for(&self, actor: &Actor, unit: Option<&str>) -> Result<Vec<ServiceQueryStatus>, Error> {
        let units = self.units_viewable(actor, unit)?;
        let defs = self.db.read(|tx| repo::queries_of(tx, units.as_deref()))?;
        self.query_statuses(defs)
    }

    /// One query definition, enabled or not, with its recent use (`ViewDrafts` on its
    /// unit's sites).
    pub fn service_query_status(&self, actor: &Actor, code: &str) -> Result<ServiceQueryStatus, Error> {
        let def = self.load_query(code)?;
        self.authorize_unit(actor, Action::ViewDrafts, Some(def.unit))?;
        self.query_statuses(vec![def])?.pop().ok_or_else(|| not_found("query", code))
    }

    fn load_query(&self, code: &str) -> Result<QueryDef, Error> {
        let code = code.trim().to_ascii_lowercase();
        self.db.read(|tx| repo::query_by_code(tx, &code))?.ok_or_else(|| not_found("query", code))
    }

    fn query_statuses(&self, defs: Vec<QueryDef>) -> Result<Vec<ServiceQueryStatus>, Error> {
        let reg = self.provider_registry()?;
        let units = self.db.read(core_repo::list_units)?;
        let since = self.now() - USAGE_WINDOW;
        let mut out = Vec::with_capacity(defs.len());
        for def in defs {
            let used_24h = self.db.read(|tx| repo::query_usage(tx, def.id, since))?;
            let provider = reg.get(&def.provider);
            out.push(ServiceQueryStatus {
                unit_code: units.iter().find(|u| u.id == def.unit).map(|u| u.code.clone()).unwrap_or_default(),
                available: provider.is_some(),
                demo: provider.is_some_and(|p| p.is_demo()),
                used_24h,
                def,
            });
        }
        Ok(out)
    }

    /// Changes a query's title, description, limits and provider (`EditDraft` on its
    /// unit's sites). The provider must be registered in this process
    /// ([`ServicesError::UnknownProvider`] otherwise): providers are code, definitions
    /// are data.
    pub fn update_service_query(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        edit: &QueryEdit,
    ) -> Result<QueryDef, Error> {
        let old = self.load_query(code)?;
        self.authorize_unit(actor, Action::EditDraft, Some(old.unit))?;
        let e = edit.validate().map_err(serr)?;
        if self.provider_registry()?.get(&e.provider).is_none() {
            return Err(serr(ServicesError::UnknownProvider(e.provider)));
        }
        let site = self.unit_site(Some(old.unit))?;
        let now = self.now();
        self.audited(actor, origin, "service.query_update", site, format!("service_query:{}", old.code), |tx| {
            repo::update_query(tx, old.id, &e, now)?;
            let d = repo::query_by_code(tx, &old.code)?.ok_or_else(|| not_found("query", &old.code))?;
            let payload = serde_json::json!({
                "code": d.code, "provider": d.provider, "per_address": d.per_address,
                "per_query": d.per_query, "window_seconds": d.window_seconds,
            });
            Ok((d, payload))
        })
    }

    /// Enables (`true`: public) or disables an online query (`PublishContent` on its
    /// unit's sites). Enabling a query whose provider is not registered is refused.
    pub fn publish_service_query(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        published: bool,
    ) -> Result<QueryDef, Error> {
        let old = self.load_query(code)?;
        self.authorize_unit(actor, Action::PublishContent, Some(old.unit))?;
        if published && self.provider_registry()?.get(&old.provider).is_none() {
            return Err(serr(ServicesError::UnknownProvider(old.provider)));
        }
        let site = self.unit_site(Some(old.unit))?;
        let now = self.now();
        let action = if published { "service.query_enable" } else { "service.query_disable" };
        self.audited(actor, origin, action, site, format!("service_query:{}", old.code), |tx| {
            repo::set_query_published(tx, old.id, published, now)?;
            let d = repo::query_by_code(tx, &old.code)?.ok_or_else(|| not_found("query", &old.code))?;
            Ok((d, serde_json::json!({ "code": old.code, "published": published })))
        })
    }

    fn query_view(reg: &ProviderRegistry, def: QueryDef) -> ServiceQueryView {
        match reg.get(&def.provider) {
            Some(p) => ServiceQueryView { fields: p.fields(), demo: p.is_demo(), available: true, def },
            None => ServiceQueryView { fields: Vec::new(), demo: false, available: false, def },
        }
    }

    /// One published query (public).
    pub fn service_query(&self, code: &str) -> Result<ServiceQueryView, Error> {
        let code = code.trim().to_ascii_lowercase();
        match self.db.read(|tx| repo::query_by_code(tx, &code))? {
            Some(d) if d.published => Ok(Self::query_view(&self.provider_registry()?, d)),
            _ => Err(not_found("query", code)),
        }
    }

    /// Runs a published online query for a citizen (public). `input` is the form's
    /// `(field, value)` pairs. Refused input is [`ServicesError::InputRejected`] (one
    /// entry per field, nothing counted); over a limit is [`ServicesError::RateLimited`].
    /// Neither the input nor the client address is stored: the rate counters hold a
    /// salted hash of the address, the audit entry names the query only.
    pub fn run_service_query(&self, origin: &Origin, code: &str, input: &[(&str, &str)]) -> Result<QueryResult, Error> {
        let view = self.service_query(code)?;
        let def = view.def;
        let provider = self
            .provider_registry()?
            .get(&def.provider)
            .ok_or_else(|| serr(ServicesError::UnknownProvider(def.provider.clone())))?;
        let valid =
            query::validate_input(&provider.fields(), input).map_err(|e| serr(ServicesError::InputRejected(e)))?;
        let salt = self.services_salt()?;
        let key = query::address_hash(&salt, &def.code, origin.address.as_deref());
        let now = self.now();
        let window = query::window_start(now, def.window_seconds);
        let retry_after = (window + def.window_seconds - now).max(1);
        let site = self.unit_site(Some(def.unit))?;
        let quiet = Origin { channel: origin.channel.clone(), address: None };
        self.audited(
            &Actor::anonymous(),
            &quiet,
            "service.query_run",
            site,
            format!("service_query:{}", def.code),
            |tx| {
                let mine = repo::hit(tx, def.id, &key, window)?;
                let all = repo::hit(tx, def.id, query::ALL_ADDRESSES, window)?;
                if mine > def.per_address || all > def.per_query {
                    return Err(serr(ServicesError::RateLimited { retry_after }));
                }
                // Old windows are of no use; keep the table small.
                repo::prune_hits(tx, window - 86_400)?;
                Ok(((), serde_json::json!({ "query": def.code, "provider": def.provider })))
            },
        )?;
        provider.run(&def.code, &valid).map_err(|e| serr(ServicesError::Provider(e)))
    }
}

/// Service items (办事事项) as a search source, kind `service`: published items for the
/// public index, every item for the back office. An item is filed under its unit's
/// first site (the main site when the unit has none) and links to `/bsfw/items/{id}`.
pub struct ServiceSource<'a> {
    group: &'a SiteGroup,
}

impl<'a> ServiceSource<'a> {
    /// The service source of `group`.
    pub fn new(group: &'a SiteGroup) -> ServiceSource<'a> {
        ServiceSource { group }
    }

    fn map(&self, item: &Item, units: &[OrgUnit]) -> Result<Option<SearchDoc>, Error> {
        let tree = self.group.site_tree()?;
        let site = tree
            .sites()
            .iter()
            .find(|s| s.unit == Some(item.unit) && !s.is_template)
            .or_else(|| tree.sites().iter().find(|s| s.parent.is_none() && !s.is_template));
        let Some(site) = site else { return Ok(None) };
        let g = &item.guide;
        let mut body = vec![g.conditions.clone()];
        body.extend(g.materials.iter().map(|m| m.name.clone()));
        body.extend(g.steps.iter().cloned());
        body.push(g.legal_basis.clone());
        let mut keywords = vec![item.theme.clone(), item.code.clone()];
        if let Some(u) = units.iter().find(|u| u.id == item.unit) {
            keywords.push(u.name.clone());
        }
        Ok(Some(SearchDoc {
            key: format!("service:{}", item.id),
            site: site.id.0,
            column: None,
            kind: "service".into(),
            title: item.name.clone(),
            body: body.join("\n"),
            summary: g.conditions.chars().take(120).collect(),
            attachments: Vec::new(),
            keywords,
            url: format!("/bsfw/items/{}", item.id),
            published_at: item.updated_at,
            disclosure: None,
            index_number: None,
            state: Some(if item.published { "published" } else { "draft" }.into()),
        }))
    }

    fn load_item(&self, id: i64, audience: SearchAudience) -> Result<Option<SearchDoc>, Error> {
        let Some(item) = self.group.db.read(|tx| repo::item(tx, id))? else { return Ok(None) };
        if audience == SearchAudience::Public && !item.published {
            return Ok(None);
        }
        let units = self.group.db.read(core_repo::list_units)?;
        let mut doc = self.map(&item, &units)?;
        if audience == SearchAudience::Public
            && let Some(d) = doc.as_mut()
        {
            d.state = None;
        }
        Ok(doc)
    }

    fn all_items(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), Error> {
        let published_only = audience == SearchAudience::Public;
        let items = self.group.db.read(|tx| repo::items(tx, &ItemFilter { published_only, ..Default::default() }))?;
        let units = self.group.db.read(core_repo::list_units)?;
        for item in &items {
            if let Some(mut d) = self.map(item, &units)? {
                if published_only {
                    d.state = None;
                }
                sink(d)?;
            }
        }
        Ok(())
    }
}

impl SearchSource for ServiceSource<'_> {
    fn kinds(&self) -> &[&str] {
        &["service"]
    }

    fn handles(&self, event_kind: &str) -> bool {
        ITEM_EVENTS.contains(&event_kind)
    }

    fn keys_for(&self, event: &Event) -> Vec<String> {
        entity_keys(event, self.handles(&event.kind), "service:")
    }

    fn load(&self, key: &str, audience: SearchAudience) -> Result<Option<SearchDoc>, SearchError> {
        let Some(id) = key_id(key, "service:") else { return Ok(None) };
        self.load_item(id, audience).map_err(SearchError::source)
    }

    fn all(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        self.all_items(audience, sink).map_err(SearchError::source)
    }
}

/// Policy Q&A entries (政策答疑) as a search source, kind `qa`: published entries for the
/// public index, every entry (with its state) for the back office. An entry is filed
/// under its unit's first site (the main site when the unit has none) and links to
/// `/bsfw/qa/{id}`. Creating, changing and deleting an entry (`service.qa_*` events)
/// re-reads it, so an unpublished or deleted entry leaves the public index in the next
/// poll.
pub struct QaSource<'a> {
    group: &'a SiteGroup,
}

impl<'a> QaSource<'a> {
    /// The Q&A source of `group`.
    pub fn new(group: &'a SiteGroup) -> QaSource<'a> {
        QaSource { group }
    }

    fn map(&self, qa: &Qa, public: bool) -> Result<Option<SearchDoc>, Error> {
        let tree = self.group.site_tree()?;
        let Some(site) = filing_site(&tree, Some(qa.unit)) else { return Ok(None) };
        Ok(Some(SearchDoc {
            key: format!("service_qa:{}", qa.id),
            site: site.0,
            column: None,
            kind: "qa".into(),
            title: qa.question.clone(),
            body: qa.answer.clone(),
            summary: qa.answer.chars().take(120).collect(),
            attachments: Vec::new(),
            keywords: Vec::new(),
            url: format!("/bsfw/qa/{}", qa.id),
            published_at: qa.updated_at,
            disclosure: None,
            index_number: None,
            state: if public { None } else { Some(if qa.published { "published" } else { "draft" }.into()) },
        }))
    }

    fn load_qa(&self, id: i64, audience: SearchAudience) -> Result<Option<SearchDoc>, Error> {
        let Some(qa) = self.group.db.read(|tx| repo::qa(tx, id))? else { return Ok(None) };
        let public = audience == SearchAudience::Public;
        if public && !qa.published {
            return Ok(None);
        }
        self.map(&qa, public)
    }

    fn all_qas(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), Error> {
        let public = audience == SearchAudience::Public;
        each_page(
            |offset, limit| {
                let f = QaFilter { published_only: public, limit, offset, ..Default::default() };
                Ok(self.group.db.read(|tx| repo::qas(tx, &f))?.0)
            },
            |qa| match self.map(&qa, public)? {
                Some(d) => sink(d).map_err(Error::from),
                None => Ok(()),
            },
        )
    }
}

impl SearchSource for QaSource<'_> {
    fn kinds(&self) -> &[&str] {
        &["qa"]
    }

    fn handles(&self, event_kind: &str) -> bool {
        QA_EVENTS.contains(&event_kind)
    }

    fn keys_for(&self, event: &Event) -> Vec<String> {
        entity_keys(event, self.handles(&event.kind), "service_qa:")
    }

    fn load(&self, key: &str, audience: SearchAudience) -> Result<Option<SearchDoc>, SearchError> {
        let Some(id) = key_id(key, "service_qa:") else { return Ok(None) };
        self.load_qa(id, audience).map_err(SearchError::source)
    }

    fn all(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        self.all_qas(audience, sink).map_err(SearchError::source)
    }
}
