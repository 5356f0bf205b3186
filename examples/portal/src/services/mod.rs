//! 网上办事 (online services) pages: services by audience, life event and unit, item
//! guides, the forms library, policy Q&A and the online query pages; their back office
//! ([`admin`]).
//!
//! Public pages live under `/bsfw`: the home with audience tabs, life events, themes and
//! a name filter (`/bsfw?audience=personal&event=birth&theme=…&q=…`), the units
//! (`/bsfw/units`, each linking to `/bsfw?unit=code`), an item's full guide
//! (`/bsfw/items/{id}`), the forms library (`/bsfw/forms`), Q&A (`/bsfw/qa?q=…`, one
//! entry at `/bsfw/qa/{id}`, where search hits of kind `qa` link) and
//! the online queries (`/bsfw/queries`, `/bsfw/queries/{code}`: a form that posts back
//! to itself). Only published items are shown; the completeness badge is back-office
//! only. Query forms carry the CSRF token; refused input is re-shown with a Chinese
//! message per field (422), and the library's rate limit answers 429 with
//! `Retry-After`. Nothing typed into a query is logged or echoed into a URL.

pub(crate) mod admin;

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use sitegroup::services::query::{FieldError, FieldKind, QueryField, QueryResult};
use sitegroup::services::{Audience, GuideElement, Item, LifeEvent, ServicesError};
use sitegroup::{Error, Origin, ServiceFilter, ServiceQaFilter};

use crate::i18n::Catalogue;
use crate::{AppError, AppState, ClientAddr, Crumb, Page, load_snapshot, run_blocking};

/// Path of the public pages.
pub(crate) const BASE: &str = "/bsfw";
/// Largest query form body.
const QUERY_LIMIT: usize = 8 * 1024;
/// Rows per page of the forms library and Q&A.
const PER_PAGE: i64 = 30;

/// Routes of the services pages (merged by [`crate::app`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(home))
        .route("/bsfw/units", get(units))
        .route("/bsfw/items/{id}", get(item))
        .route("/bsfw/forms", get(forms))
        .route("/bsfw/qa", get(qa_list))
        .route("/bsfw/qa/{id}", get(qa_one))
        .route("/bsfw/queries", get(queries))
        .route("/bsfw/queries/{code}", get(query_form).post(query_run))
        .merge(admin::routes())
}

/// The status and Chinese message for a services error; `None` leaves it to the
/// portal's general mapping.
pub(crate) fn describe(cat: &Catalogue, e: &ServicesError) -> Option<(StatusCode, String)> {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    Some(match e {
        ServicesError::Invalid(v) => (unprocessable, validation_text(cat, v)),
        ServicesError::NotFound { what, .. } => {
            (StatusCode::NOT_FOUND, cat.format("svc.err.not_found", &[("what", cat.get(&format!("svc.what.{what}")))]))
        }
        ServicesError::UnknownUnit(_) => (unprocessable, cat.get("svc.err.unknown_unit").to_string()),
        ServicesError::DuplicateCode { code, .. } => {
            (StatusCode::CONFLICT, cat.format("svc.err.duplicate_code", &[("code", code)]))
        }
        ServicesError::LifeEventMismatch { audience, event } => (
            unprocessable,
            cat.format(
                "svc.err.event_mismatch",
                &[
                    ("event", cat.get(&format!("svc.event.{event}"))),
                    ("audience", cat.get(&format!("svc.audience.{audience}"))),
                ],
            ),
        ),
        ServicesError::MissingAttachment { document, attachment } => (
            unprocessable,
            cat.format(
                "svc.err.missing_attachment",
                &[("document", &document.to_string()), ("n", &attachment.to_string())],
            ),
        ),
        ServicesError::ForeignDocument { document } => {
            (unprocessable, cat.format("svc.err.foreign_document", &[("document", &document.to_string())]))
        }
        ServicesError::FormInUse { items, .. } => {
            let ids: Vec<String> = items.iter().map(|i| i.to_string()).collect();
            (StatusCode::CONFLICT, cat.format("svc.err.form_in_use", &[("items", &ids.join("、"))]))
        }
        ServicesError::InputRejected(_) => (unprocessable, cat.get("svc.query.fix").to_string()),
        ServicesError::RateLimited { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            cat.format("svc.query.rate_limited", &[("minutes", &((retry_after + 59) / 60).max(1).to_string())]),
        ),
        ServicesError::UnknownProvider(_) | ServicesError::Provider(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, cat.get("svc.query.unavailable").to_string())
        }
        _ => return None,
    })
}

/// A validation error in Chinese, naming the field.
pub(crate) fn validation_text(cat: &Catalogue, v: &sitegroup::ValidationError) -> String {
    use sitegroup::ValidationError as V;
    let label = |f: &str| {
        let key = format!("svc.field.{f}");
        if cat.has(&key) { cat.get(&key).to_string() } else { cat.get("svc.field.other").to_string() }
    };
    match v {
        V::Empty { field } => cat.format("svc.err.empty", &[("field", &label(field))]),
        V::TooLong { field, len, max } => cat.format(
            "svc.err.too_long",
            &[("field", &label(field)), ("len", &len.to_string()), ("max", &max.to_string())],
        ),
        V::Malformed { field, .. } => cat.format("svc.err.malformed", &[("field", &label(field))]),
        _ => cat.get("svc.err.rule").to_string(),
    }
}

// ---------------------------------------------------------------------------------
// Frame.

/// The layout of a public services page.
struct Frame {
    page: Page,
    csrf: String,
    set_csrf: Option<HeaderValue>,
}

impl Frame {
    async fn new(
        st: &AppState,
        headers: &HeaderMap,
        uri: &Uri,
        title: String,
        trail: Vec<(String, String)>,
    ) -> Result<Frame, AppError> {
        let (csrf, set_csrf) = crate::csrf_token(st, headers)?;
        let snap = load_snapshot(st).await?;
        let site = snap.tree.resolve(&crate::host_of(headers, uri), "/").map(|(s, _)| s);
        let mut page = snap.page(st, site, title.clone(), false);
        let mut crumbs = vec![Crumb { name: st.t("layout.home"), href: Some(page.website.href.clone()) }];
        if title != st.t("svc.title") {
            crumbs.push(Crumb { name: st.t("svc.title"), href: Some(BASE.into()) });
        }
        crumbs.extend(trail.into_iter().map(|(name, href)| Crumb { name, href: Some(href) }));
        crumbs.push(Crumb { name: title, href: None });
        page.breadcrumbs = crumbs;
        Ok(Frame { page, csrf, set_csrf })
    }

    fn render(self, st: &AppState, template: &str, status: StatusCode, ctx: Value) -> Result<Response, AppError> {
        let full = context! { page => crate::ser(&self.page), csrf => self.csrf, ..ctx };
        let mut res = crate::render(st, template, status, full)?;
        if let Some(set) = self.set_csrf {
            res.headers_mut().append(header::SET_COOKIE, set);
        }
        Ok(res)
    }
}

// ---------------------------------------------------------------------------------
// Values for templates.

#[derive(Debug, Serialize)]
struct Tab {
    key: String,
    label: String,
    href: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct ItemRow {
    id: i64,
    href: String,
    name: String,
    audience: String,
    events: Vec<String>,
    theme: String,
    unit: String,
}

fn item_row(st: &AppState, i: &Item, units: &HashMap<i64, String>) -> ItemRow {
    ItemRow {
        id: i.id,
        href: format!("{BASE}/items/{}", i.id),
        name: i.name.clone(),
        audience: st.t(&format!("svc.audience.{}", i.audience.as_str())),
        events: i.life_events.iter().map(|e| st.t(&format!("svc.event.{}", e.as_str()))).collect(),
        theme: i.theme.clone(),
        unit: units.get(&i.unit.0).cloned().unwrap_or_default(),
    }
}

async fn unit_names(st: &AppState) -> Result<HashMap<i64, String>, AppError> {
    let units = run_blocking(st, |g| g.list_units(&sitegroup::Actor::anonymous())).await?;
    Ok(units.into_iter().map(|u| (u.id.0, u.name)).collect())
}

fn page_of(q: Option<&str>) -> i64 {
    q.and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1 && *p <= 100_000).unwrap_or(1)
}

#[derive(Debug, Serialize)]
struct Pager {
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn pager(page: i64, total: i64, per_page: i64, href: impl Fn(i64) -> String) -> Pager {
    let pages = ((total + per_page - 1) / per_page).max(1);
    Pager { page, pages, prev: (page > 1).then(|| href(page - 1)), next: (page < pages).then(|| href(page + 1)) }
}

/// `a=b&c=d` with the values percent-encoded.
fn query_string(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")
}

// ---------------------------------------------------------------------------------
// Home: audience tabs, life events, themes, units.

#[derive(Debug, Default, Deserialize)]
struct HomeQuery {
    audience: Option<String>,
    event: Option<String>,
    theme: Option<String>,
    unit: Option<String>,
    q: Option<String>,
}

async fn home(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let event = q.event.as_deref().and_then(LifeEvent::parse);
    let audience = q
        .audience
        .as_deref()
        .and_then(Audience::parse)
        .or_else(|| event.map(|e| if e.is_enterprise() { Audience::Enterprise } else { Audience::Personal }))
        .unwrap_or(Audience::Personal);
    let unit = q.unit.clone().filter(|u| !u.trim().is_empty());
    let theme = q.theme.clone().filter(|t| !t.trim().is_empty());
    let text = q.q.clone().map(|t| t.trim().chars().take(50).collect::<String>()).filter(|t| !t.is_empty());
    // A unit or a text search looks across audiences.
    let across = unit.is_some() || text.is_some();
    let filter = ServiceFilter {
        audience: if across { None } else { Some(audience) },
        life_event: event,
        unit: unit.clone(),
        theme: theme.clone(),
        text: text.clone(),
    };
    let found = run_blocking(&st, move |g| {
        let items = match g.published_service_items(&filter) {
            Err(Error::Services(ServicesError::UnknownUnit(_))) => Vec::new(),
            other => other?,
        };
        let counts = g.service_catalogue_counts()?;
        let queries = g.service_queries()?;
        Ok((items, counts, queries))
    })
    .await?;
    let (items, (audiences, themes), queries) = found;
    let names = unit_names(&st).await?;
    let tabs: Vec<Tab> = Audience::ALL
        .iter()
        .map(|a| {
            let n = audiences.iter().find(|(k, _)| k == a.as_str()).map_or(0, |(_, n)| *n);
            Tab {
                key: a.as_str().into(),
                label: st
                    .tf("svc.tab", &[("name", &st.t(&format!("svc.audience.{}", a.as_str()))), ("n", &n.to_string())]),
                href: format!("{BASE}?audience={}", a.as_str()),
                current: !across && *a == audience,
            }
        })
        .collect();
    let events: Vec<Tab> = audience
        .life_events()
        .iter()
        .map(|e| Tab {
            key: e.as_str().into(),
            label: st.t(&format!("svc.event.{}", e.as_str())),
            href: format!("{BASE}?audience={}&event={}", audience.as_str(), e.as_str()),
            current: Some(*e) == event,
        })
        .collect();
    let theme_tabs: Vec<Tab> = themes
        .iter()
        .map(|(name, n)| Tab {
            key: name.clone(),
            label: st.tf("svc.tab", &[("name", name), ("n", &n.to_string())]),
            href: format!("{BASE}?{}", query_string(&[("audience", audience.as_str()), ("theme", name)])),
            current: theme.as_deref() == Some(name.as_str()),
        })
        .collect();
    let rows: Vec<ItemRow> = items.iter().map(|i| item_row(&st, i, &names)).collect();
    let unit_name = unit.as_deref().and_then(|code| {
        let key = code.trim().to_ascii_lowercase();
        st.group().unit(&key).ok().map(|u| u.name)
    });
    let heading = match (&unit_name, event, &text) {
        (Some(n), _, _) => st.tf("svc.home.by_unit", &[("unit", n)]),
        (None, _, Some(t)) => st.tf("svc.home.search", &[("q", t)]),
        (None, Some(e), None) => st.tf("svc.home.by_event", &[("event", &st.t(&format!("svc.event.{}", e.as_str())))]),
        (None, None, None) => st.t(&format!("svc.audience.{}", audience.as_str())),
    };
    let query_rows: Vec<QueryRow> = queries
        .iter()
        .map(|v| QueryRow { href: format!("{BASE}/queries/{}", v.def.code), name: v.def.name.clone(), demo: v.demo })
        .collect();
    let frame = Frame::new(&st, &headers, &uri, st.t("svc.title"), vec![]).await?;
    let ctx = context! {
        title => st.t("svc.title"),
        heading => heading,
        tabs => crate::ser(&tabs),
        events => crate::ser(&events),
        themes => crate::ser(&theme_tabs),
        items => crate::ser(&rows),
        audience => audience.as_str(),
        q => text.unwrap_or_default(),
        queries => crate::ser(&query_rows),
    };
    frame.render(&st, "services/home.html", StatusCode::OK, ctx)
}

#[derive(Debug, Serialize)]
struct QueryRow {
    href: String,
    name: String,
    demo: bool,
}

#[derive(Debug, Serialize)]
struct UnitRow {
    code: String,
    name: String,
    href: String,
    items: usize,
}

async fn units(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let (items, units) = run_blocking(&st, |g| {
        Ok((g.published_service_items(&ServiceFilter::default())?, g.list_units(&sitegroup::Actor::anonymous())?))
    })
    .await?;
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for i in &items {
        *counts.entry(i.unit.0).or_default() += 1;
    }
    let rows: Vec<UnitRow> = units
        .iter()
        .filter_map(|u| {
            let n = counts.get(&u.id.0).copied()?;
            Some(UnitRow {
                code: u.code.clone(),
                name: u.name.clone(),
                href: format!("{BASE}?{}", query_string(&[("unit", &u.code)])),
                items: n,
            })
        })
        .collect();
    let title = st.t("svc.units.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    frame.render(&st, "services/units.html", StatusCode::OK, context! { title => title, units => crate::ser(&rows) })
}

// ---------------------------------------------------------------------------------
// An item's guide.

#[derive(Debug, Serialize)]
struct MaterialRow {
    name: String,
    note: String,
    form: Option<String>,
    form_name: Option<String>,
}

#[derive(Debug, Serialize)]
struct FormRow {
    name: String,
    href: String,
    unit: String,
}

/// The guide of an item as the templates show it (shared with the back office).
#[derive(Debug, Serialize)]
pub(crate) struct GuideCtx {
    legal_basis: String,
    conditions: String,
    materials: Vec<MaterialRow>,
    steps: Vec<String>,
    time_limit: String,
    fees: String,
    place: String,
    hours: String,
    phone: String,
    online_entry: String,
    online_href: Option<String>,
    missing: Vec<String>,
    veto: bool,
    score: String,
}

pub(crate) fn guide_ctx(st: &AppState, view: &sitegroup::ServiceItemView) -> GuideCtx {
    let g = &view.item.guide;
    let forms: HashMap<i64, &sitegroup::ServiceFormView> = view.forms.iter().map(|f| (f.form.id, f)).collect();
    let (have, all) = view.completeness.score();
    let online = g.online_entry.trim();
    GuideCtx {
        legal_basis: g.legal_basis.clone(),
        conditions: g.conditions.clone(),
        materials: g
            .materials
            .iter()
            .map(|m| {
                let f = m.form.and_then(|id| forms.get(&id));
                MaterialRow {
                    name: m.name.clone(),
                    note: m.note.clone(),
                    form: f.and_then(|f| f.url.clone()),
                    form_name: f.map(|f| f.form.name.clone()),
                }
            })
            .collect(),
        steps: g.steps.clone(),
        time_limit: g.time_limit.clone(),
        fees: g.fees.clone(),
        place: g.place.clone(),
        hours: g.hours.clone(),
        phone: g.phone.clone(),
        online_entry: g.online_entry.clone(),
        online_href: (online.starts_with("https://") || online.starts_with("http://") || online.starts_with('/'))
            .then(|| online.to_string()),
        missing: view.completeness.missing.iter().map(|e| element_label(st, *e)).collect(),
        veto: view.completeness.veto(),
        score: st.tf("svc.complete.score", &[("have", &have.to_string()), ("all", &all.to_string())]),
    }
}

/// The Chinese name of a guide element.
pub(crate) fn element_label(st: &AppState, e: GuideElement) -> String {
    st.t(&format!("svc.element.{}", e.as_str()))
}

fn parse_id(s: &str) -> Result<i64, AppError> {
    s.trim_end_matches(".html").parse::<i64>().ok().filter(|i| *i > 0).ok_or(AppError::Status(StatusCode::NOT_FOUND))
}

async fn item(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let view = run_blocking(&st, move |g| g.published_service_item(id)).await?;
    let guide = guide_ctx(&st, &view);
    let forms: Vec<FormRow> = view
        .forms
        .iter()
        .filter_map(|f| Some(FormRow { name: f.form.name.clone(), href: f.url.clone()?, unit: f.unit_code.clone() }))
        .collect();
    let qas: Vec<QaRow> = view.qas.iter().map(qa_row).collect();
    let i = &view.item;
    let trail = vec![(
        st.t(&format!("svc.audience.{}", i.audience.as_str())),
        format!("{BASE}?audience={}", i.audience.as_str()),
    )];
    let frame = Frame::new(&st, &headers, &uri, i.name.clone(), trail).await?;
    let ctx = context! {
        title => i.name.clone(),
        item => crate::ser(item_row(&st, i, &unit_names(&st).await?)),
        unit_code => view.unit.as_ref().map(|u| u.code.clone()),
        guide => crate::ser(&guide),
        forms => crate::ser(&forms),
        qas => crate::ser(&qas),
        updated => crate::shanghai(i.updated_at, "%Y-%m-%d"),
        back_office => false,
    };
    frame.render(&st, "services/item.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Forms library and Q&A.

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    unit: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

async fn forms(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let page = page_of(q.page.as_deref());
    let unit = q.unit.clone().filter(|u| !u.trim().is_empty());
    let u = unit.clone();
    let (list, total) = run_blocking(&st, move |g| match g.published_service_forms(u.as_deref(), page, PER_PAGE) {
        Err(Error::Services(ServicesError::UnknownUnit(_))) => Ok((Vec::new(), 0)),
        other => other,
    })
    .await?;
    let names = run_blocking(&st, |g| g.list_units(&sitegroup::Actor::anonymous())).await?;
    let rows: Vec<FormRow> = list
        .iter()
        .filter_map(|f| {
            Some(FormRow {
                name: f.form.name.clone(),
                href: f.url.clone()?,
                unit: names.iter().find(|n| n.id == f.form.unit).map(|n| n.name.clone()).unwrap_or_default(),
            })
        })
        .collect();
    let unit_q = unit.clone().unwrap_or_default();
    let pg = pager(page, total, PER_PAGE, |p| {
        format!("{BASE}/forms?{}", query_string(&[("unit", &unit_q), ("page", &p.to_string())]))
    });
    let title = st.t("svc.forms.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        forms => crate::ser(&rows),
        total => total,
        pager => crate::ser(&pg),
    };
    frame.render(&st, "services/forms.html", StatusCode::OK, ctx)
}

#[derive(Debug, Serialize)]
struct QaRow {
    id: i64,
    question: String,
    answer: String,
    item: Option<String>,
}

fn qa_row(q: &sitegroup::services::Qa) -> QaRow {
    QaRow {
        id: q.id,
        question: q.question.clone(),
        answer: q.answer.clone(),
        item: q.item.map(|i| format!("{BASE}/items/{i}")),
    }
}

async fn qa_list(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let page = page_of(q.page.as_deref());
    let text = q.q.clone().map(|t| t.trim().chars().take(50).collect::<String>()).filter(|t| !t.is_empty());
    let filter = ServiceQaFilter { text: text.clone(), page, per_page: PER_PAGE, ..Default::default() };
    let (list, total) = run_blocking(&st, move |g| g.published_service_qas(&filter)).await?;
    let rows: Vec<QaRow> = list.iter().map(qa_row).collect();
    let tq = text.clone().unwrap_or_default();
    let pg = pager(page, total, PER_PAGE, |p| {
        format!("{BASE}/qa?{}", query_string(&[("q", &tq), ("page", &p.to_string())]))
    });
    let title = st.t("svc.qa.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        qas => crate::ser(&rows),
        total => total,
        q => text.unwrap_or_default(),
        pager => crate::ser(&pg),
    };
    frame.render(&st, "services/qa.html", StatusCode::OK, ctx)
}

/// One published Q&A entry (where search hits of kind `qa` link).
async fn qa_one(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let qa = run_blocking(&st, move |g| g.published_service_qa(id)).await?;
    let row = qa_row(&qa);
    let title = st.t("svc.qa.one");
    let frame =
        Frame::new(&st, &headers, &uri, title.clone(), vec![(st.t("svc.qa.title"), format!("{BASE}/qa"))]).await?;
    let ctx = context! {
        title => title,
        question => row.question,
        answer => row.answer,
        item => row.item,
    };
    frame.render(&st, "services/qa_one.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Online queries.

async fn queries(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let list = run_blocking(&st, |g| g.service_queries()).await?;
    let names = unit_names(&st).await?;
    #[derive(Serialize)]
    struct Row {
        href: String,
        name: String,
        description: String,
        unit: String,
        demo: bool,
    }
    let rows: Vec<Row> = list
        .iter()
        .map(|v| Row {
            href: format!("{BASE}/queries/{}", v.def.code),
            name: v.def.name.clone(),
            description: v.def.description.clone(),
            unit: names.get(&v.def.unit.0).cloned().unwrap_or_default(),
            demo: v.demo,
        })
        .collect();
    let title = st.t("svc.queries.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    frame.render(
        &st,
        "services/queries.html",
        StatusCode::OK,
        context! { title => title, queries => crate::ser(&rows) },
    )
}

#[derive(Debug, Serialize)]
struct FieldRow {
    name: String,
    label: String,
    hint: String,
    input_type: &'static str,
    maxlength: usize,
    value: String,
    error: Option<String>,
}

fn field_rows(
    st: &AppState,
    fields: &[QueryField],
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Vec<FieldRow> {
    fields
        .iter()
        .map(|f| {
            let label = st.t(&format!("svc.qfield.{}", f.name));
            let error = errors
                .iter()
                .find(|e| e.field == f.name)
                .map(|e| st.tf(&format!("svc.problem.{}", e.problem.as_str()), &[("field", &label)]));
            let (hint, maxlength) = match f.kind {
                FieldKind::IdNumber => (st.t("svc.hint.id_number"), 18),
                FieldKind::PersonName => (st.t("svc.hint.name"), 20),
                FieldKind::Month => (st.t("svc.hint.month"), 7),
                FieldKind::Digits { min, max } => {
                    (st.tf("svc.hint.digits", &[("min", &min.to_string()), ("max", &max.to_string())]), max)
                }
                FieldKind::Plate => (st.t("svc.hint.plate"), 10),
                FieldKind::Code { min, max } => {
                    (st.tf("svc.hint.code", &[("min", &min.to_string()), ("max", &max.to_string())]), max)
                }
            };
            FieldRow {
                name: f.name.clone(),
                label,
                hint,
                input_type: if f.kind == FieldKind::Month { "month" } else { "text" },
                maxlength,
                // Values are re-shown only to the person who typed them (this response).
                value: values.get(&f.name).cloned().unwrap_or_default(),
                error,
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct ResultCtx {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    demo: bool,
}

fn result_ctx(st: &AppState, r: &QueryResult) -> ResultCtx {
    ResultCtx {
        columns: r
            .columns
            .iter()
            .map(|c| {
                let key = format!("svc.col.{}", c.key);
                if st.catalogue().has(&key) { st.t(&key) } else { c.label.clone() }
            })
            .collect(),
        rows: r.rows.clone(),
        demo: r.demo,
    }
}

#[allow(clippy::too_many_arguments)]
async fn query_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    view: &sitegroup::ServiceQueryView,
    values: &HashMap<String, String>,
    errors: &[FieldError],
    alert: Option<String>,
    result: Option<&QueryResult>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let trail = vec![(st.t("svc.queries.title"), format!("{BASE}/queries"))];
    let frame = Frame::new(st, headers, uri, view.def.name.clone(), trail).await?;
    let ctx = context! {
        title => view.def.name.clone(),
        description => view.def.description.clone(),
        action => format!("{BASE}/queries/{}", view.def.code),
        fields => crate::ser(field_rows(st, &view.fields, values, errors)),
        available => view.available,
        demo => view.demo,
        alert => alert,
        result => result.map(|r| crate::ser(result_ctx(st, r))),
    };
    let mut res = frame.render(st, "services/query.html", status, ctx)?;
    // What a citizen typed (and its answer) never goes into a cache.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn query_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let view = run_blocking(&st, move |g| g.service_query(&code)).await?;
    query_page(&st, &headers, &uri, &view, &HashMap::new(), &[], None, None, StatusCode::OK).await
}

async fn query_run(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Path(code): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let c = code.clone();
    let view = run_blocking(&st, move |g| g.service_query(&c)).await?;
    let Some(bytes) = crate::interaction::read_limited(&headers, body, QUERY_LIMIT).await else {
        return Err(AppError::Status(StatusCode::PAYLOAD_TOO_LARGE));
    };
    let pairs = crate::admin::form_pairs(&bytes);
    crate::check_csrf(&headers, crate::admin::field(&pairs, "csrf"))?;
    let inputs: Vec<(String, String)> =
        pairs.into_iter().filter(|(k, _)| view.fields.iter().any(|f| f.name == *k)).collect();
    let values: HashMap<String, String> = inputs.iter().cloned().collect();
    let origin = Origin::web(addr);
    let run_inputs = inputs.clone();
    let result = run_blocking(&st, move |g| {
        let refs: Vec<(&str, &str)> = run_inputs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        g.run_service_query(&origin, &code, &refs)
    })
    .await;
    match result {
        Ok(r) => query_page(&st, &headers, &uri, &view, &values, &[], None, Some(&r), StatusCode::OK).await,
        Err(Error::Services(ServicesError::InputRejected(errors))) => {
            let alert = Some(st.t("svc.query.fix"));
            query_page(&st, &headers, &uri, &view, &values, &errors, alert, None, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(Error::Services(e @ ServicesError::RateLimited { retry_after })) => {
            let text = describe(st.catalogue(), &e).map(|d| d.1);
            let mut res =
                query_page(&st, &headers, &uri, &view, &values, &[], text, None, StatusCode::TOO_MANY_REQUESTS).await?;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            Ok(res)
        }
        Err(Error::Services(e @ (ServicesError::Provider(_) | ServicesError::UnknownProvider(_)))) => {
            let text = describe(st.catalogue(), &e).map(|d| d.1);
            query_page(&st, &headers, &uri, &view, &values, &[], text, None, StatusCode::SERVICE_UNAVAILABLE).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_encode_values_and_skip_empty_ones() {
        assert_eq!(query_string(&[("unit", "gaj"), ("page", "")]), "unit=gaj");
        assert_eq!(query_string(&[("theme", "户籍")]), "theme=%E6%88%B7%E7%B1%8D");
        let p = pager(2, 61, 30, |p| p.to_string());
        assert_eq!((p.pages, p.prev.as_deref(), p.next.as_deref()), (3, Some("1"), Some("3")));
    }
}
