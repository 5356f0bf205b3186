//! The back office of online services under `/admin/bsfw`: the list of items with the
//! completeness of each guide (`?unit=code`), creating an item, editing an item's
//! catalogue data and its guide, publishing and unpublishing, and policy Q&A
//! (`/admin/bsfw/qa`). The library decides every permission (a unit's site editors edit
//! its items, its reviewers publish them, the centre does everything); the pages only
//! hide buttons the actor could not use.
//!
//! Forms are plain HTML: materials are one per line (`名称｜说明｜表格编号`), process
//! steps one per line. Every form carries the CSRF token and reads its own body up to
//! [`EDIT_LIMIT`].

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::services::{Audience, Guide, LifeEvent, Material, NewItem, NewQa};
use sitegroup::{Action, Actor, Error, OrgUnit, Resource};

use super::{BASE, element_label, guide_ctx, validation_text};
use crate::AppState;
use crate::admin::{self as bo, Fail, Reply};

/// Path of the back-office pages.
pub(crate) const ADMIN: &str = "/admin/bsfw";
/// Largest edit form (a long guide, percent-encoded).
const EDIT_LIMIT: usize = 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(ADMIN, get(list))
        .route("/admin/bsfw/new", get(new_form).post(create))
        .route("/admin/bsfw/items/{id}", get(show))
        .route("/admin/bsfw/items/{id}/item", post(save_item))
        .route("/admin/bsfw/items/{id}/guide", post(save_guide))
        .route("/admin/bsfw/items/{id}/publish", post(publish))
        .route("/admin/bsfw/qa", get(qa_list).post(qa_create))
        .route("/admin/bsfw/qa/{id}", get(qa_show).post(qa_save))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    unit: Option<String>,
    done: Option<String>,
}

fn done_text(st: &AppState, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "created" => "svc.done.created",
        "saved" => "svc.done.saved",
        "guide" => "svc.done.guide",
        "published" => "svc.done.published",
        "unpublished" => "svc.done.unpublished",
        "qa" => "svc.done.qa",
        _ => return None,
    };
    Some(st.t(key))
}

fn parse_id(s: &str) -> Result<i64, Fail> {
    s.parse::<i64>().ok().filter(|i| *i > 0).ok_or(Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND))))
}

#[derive(Debug, Serialize)]
struct StatusRow {
    id: i64,
    code: String,
    name: String,
    unit: String,
    published: bool,
    missing: Vec<String>,
    veto: bool,
    score: String,
    updated: String,
}

/// Units the actor manages; the unit asked for when it is one of them.
async fn my_units(st: &AppState, me: &Actor) -> Result<Vec<OrgUnit>, Fail> {
    Ok(bo::call(st, me, |g, a| g.service_units_for(a)).await?)
}

async fn list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let units = my_units(&st, &me).await?;
    let group_wide = bo::may(&me, Action::ViewDrafts, Resource::Group);
    let unit = q
        .unit
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| if group_wide { None } else { units.first().map(|u| u.code.clone()) });
    if unit.is_none() && !group_wide {
        return Err(Error::Denied(sitegroup::Denied {
            actor: me.label(),
            action: Action::ViewDrafts,
            resource: Resource::Group,
        })
        .into());
    }
    let u = unit.clone();
    let rows = match bo::call(&st, &me, move |g, a| g.service_items_for(a, u.as_deref())).await {
        Ok(r) => r,
        Err(e) => return Err(bo::refuse(&st, &headers, e, "/admin").await),
    };
    let total = rows.len();
    let incomplete = rows.iter().filter(|r| !r.missing.is_empty()).count();
    let vetoes = rows.iter().filter(|r| r.published && r.veto).count();
    let rows: Vec<StatusRow> = rows
        .into_iter()
        .map(|r| StatusRow {
            score: st.tf("svc.complete.score", &[("have", &(11 - r.missing.len()).to_string()), ("all", "11")]),
            missing: r.missing.iter().map(|e| element_label(&st, *e)).collect(),
            id: r.id,
            code: r.code,
            name: r.name,
            unit: r.unit,
            published: r.published,
            veto: r.veto,
            updated: bo::when(r.updated_at),
        })
        .collect();
    let frame = bo::Frame::new(&st, &headers, st.t("svc.admin.title"), vec![]).await?;
    let ctx = context! {
        title => st.t("svc.admin.title"),
        rows => crate::ser(&rows),
        units => crate::ser(&units),
        unit => unit,
        group_wide => group_wide,
        summary => st.tf("svc.admin.summary", &[("total", &total.to_string()), ("incomplete", &incomplete.to_string()), ("veto", &vetoes.to_string())]),
        done => done_text(&st, q.done.as_deref()),
    };
    frame.render(&st, "services/admin_list.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Items.

#[derive(Debug, Default, Clone, Serialize)]
struct ItemInput {
    code: String,
    name: String,
    audience: String,
    events: Vec<String>,
    theme: String,
    unit: String,
    sort: String,
}

impl ItemInput {
    fn from_pairs(pairs: &[(String, String)]) -> ItemInput {
        ItemInput {
            code: bo::field(pairs, "code").to_string(),
            name: bo::field(pairs, "name").to_string(),
            audience: bo::field(pairs, "audience").to_string(),
            events: pairs.iter().filter(|(k, _)| k == "event").map(|(_, v)| v.clone()).collect(),
            theme: bo::field(pairs, "theme").to_string(),
            unit: bo::field(pairs, "unit").to_string(),
            sort: bo::field(pairs, "sort").to_string(),
        }
    }

    fn from_item(i: &sitegroup::services::Item, unit: &str) -> ItemInput {
        ItemInput {
            code: i.code.clone(),
            name: i.name.clone(),
            audience: i.audience.as_str().into(),
            events: i.life_events.iter().map(|e| e.as_str().to_string()).collect(),
            theme: i.theme.clone(),
            unit: unit.to_string(),
            sort: i.sort.to_string(),
        }
    }

    fn to_new(&self) -> NewItem {
        NewItem {
            code: self.code.clone(),
            name: self.name.clone(),
            audience: self.audience.clone(),
            life_events: self.events.clone(),
            theme: self.theme.clone(),
            unit: self.unit.clone(),
            sort: self.sort.trim().parse().unwrap_or(0),
        }
    }
}

#[derive(Debug, Serialize)]
struct Choice {
    key: String,
    label: String,
}

fn choices(st: &AppState) -> (Vec<Choice>, Vec<Choice>) {
    let audiences = Audience::ALL
        .iter()
        .map(|a| Choice { key: a.as_str().into(), label: st.t(&format!("svc.audience.{}", a.as_str())) })
        .collect();
    let events = LifeEvent::PERSONAL
        .iter()
        .chain(LifeEvent::ENTERPRISE.iter())
        .map(|e| Choice { key: e.as_str().into(), label: st.t(&format!("svc.event.{}", e.as_str())) })
        .collect();
    (audiences, events)
}

async fn new_form(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let input = ItemInput { unit: q.unit.unwrap_or_default(), audience: "personal".into(), ..Default::default() };
    new_page(&st, &headers, &me, input, None, StatusCode::OK).await
}

async fn new_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    input: ItemInput,
    alert: Option<String>,
    status: StatusCode,
) -> Reply {
    let units = my_units(st, me).await?;
    let (audiences, events) = choices(st);
    let frame =
        bo::Frame::new(st, headers, st.t("svc.admin.new"), vec![(st.t("svc.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => st.t("svc.admin.new"),
        input => crate::ser(&input),
        units => crate::ser(&units),
        audiences => crate::ser(&audiences),
        events => crate::ser(&events),
        alert => alert,
    };
    frame.render(st, "services/admin_new.html", status, ctx)
}

fn error_text(st: &AppState, e: &Error) -> String {
    match e {
        Error::Invalid(v) => validation_text(st.catalogue(), v),
        other => bo::message(st, other),
    }
}

async fn create(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let bytes = bo::read_body(&st, &headers, body, EDIT_LIMIT, "svc.admin.too_large").await?;
    let pairs = bo::form_pairs(&bytes);
    bo::check_csrf_pairs(&headers, &pairs)?;
    let input = ItemInput::from_pairs(&pairs);
    let new = input.to_new();
    match bo::call(&st, &me, move |g, a| g.add_service_item(a, &bo::origin(), &new, &Guide::default())).await {
        Ok(item) => Ok(bo::see_other(&format!("{ADMIN}/items/{}?done=created", item.id))),
        Err(e @ (Error::Denied(_) | Error::Session(_))) => Err(e.into()),
        Err(e) if e.is_user_error() => {
            let text = error_text(&st, &e);
            new_page(&st, &headers, &me, input, Some(text), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Serialize)]
struct GuideInput {
    legal_basis: String,
    conditions: String,
    materials: String,
    steps: String,
    time_limit: String,
    fees: String,
    place: String,
    hours: String,
    phone: String,
    online_entry: String,
}

impl GuideInput {
    fn from_guide(g: &Guide) -> GuideInput {
        GuideInput {
            legal_basis: g.legal_basis.clone(),
            conditions: g.conditions.clone(),
            materials: g
                .materials
                .iter()
                .map(|m| match m.form {
                    Some(f) => format!("{}｜{}｜{f}", m.name, m.note),
                    None if m.note.is_empty() => m.name.clone(),
                    None => format!("{}｜{}", m.name, m.note),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            steps: g.steps.join("\n"),
            time_limit: g.time_limit.clone(),
            fees: g.fees.clone(),
            place: g.place.clone(),
            hours: g.hours.clone(),
            phone: g.phone.clone(),
            online_entry: g.online_entry.clone(),
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> GuideInput {
        let f = |n: &str| bo::field(pairs, n).to_string();
        GuideInput {
            legal_basis: f("legal_basis"),
            conditions: f("conditions"),
            materials: f("materials"),
            steps: f("steps"),
            time_limit: f("time_limit"),
            fees: f("fees"),
            place: f("place"),
            hours: f("hours"),
            phone: f("phone"),
            online_entry: f("online_entry"),
        }
    }

    /// The guide typed; a material line whose form number is not a number is refused
    /// (its line number).
    fn to_guide(&self) -> Result<Guide, usize> {
        let mut materials = Vec::new();
        for (n, line) in self.materials.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            let form = match parts.get(2).filter(|p| !p.is_empty()) {
                Some(p) => Some(p.parse::<i64>().map_err(|_| n + 1)?),
                None => None,
            };
            materials.push(Material {
                name: parts.first().copied().unwrap_or_default().to_string(),
                note: parts.get(1).copied().unwrap_or_default().to_string(),
                form,
            });
        }
        Ok(Guide {
            legal_basis: self.legal_basis.clone(),
            conditions: self.conditions.clone(),
            materials,
            steps: self.steps.lines().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
            time_limit: self.time_limit.clone(),
            fees: self.fees.clone(),
            place: self.place.clone(),
            hours: self.hours.clone(),
            phone: self.phone.clone(),
            online_entry: self.online_entry.clone(),
        })
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    id: i64,
    item_input: Option<ItemInput>,
    guide_input: Option<GuideInput>,
    alert: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Reply {
    let view = match bo::call(st, me, move |g, a| g.service_item(a, id)).await {
        Ok(v) => v,
        Err(e) => return Err(bo::refuse(st, headers, e, ADMIN).await),
    };
    let unit_code = view.unit.as_ref().map(|u| u.code.clone()).unwrap_or_default();
    let (audiences, events) = choices(st);
    let guide = guide_ctx(st, &view);
    let unit_id = view.item.unit;
    let site =
        bo::call(st, me, move |g, _| Ok(g.site_tree()?.sites().iter().find(|s| s.unit == Some(unit_id)).map(|s| s.id)))
            .await?;
    let resource = site.map_or(Resource::Group, Resource::Site);
    let qas: Vec<(i64, String, bool)> = view.qas.iter().map(|q| (q.id, q.question.clone(), q.published)).collect();
    let title = view.item.name.clone();
    let frame = bo::Frame::new(st, headers, title.clone(), vec![(st.t("svc.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        id => view.item.id,
        published => view.item.published,
        public_href => format!("{BASE}/items/{}", view.item.id),
        item_input => crate::ser(item_input.unwrap_or_else(|| ItemInput::from_item(&view.item, &unit_code))),
        guide_input => crate::ser(guide_input.unwrap_or_else(|| GuideInput::from_guide(&view.item.guide))),
        guide => crate::ser(&guide),
        forms => crate::ser(view.forms.iter().map(|f| context! { id => f.form.id, name => f.form.name.clone(), url => f.url.clone() }).collect::<Vec<_>>()),
        units => crate::ser(my_units(st, me).await?),
        audiences => crate::ser(&audiences),
        events => crate::ser(&events),
        qas => crate::ser(&qas),
        unit_code => unit_code,
        may_edit => bo::may(me, Action::EditDraft, resource),
        may_publish => bo::may(me, Action::PublishContent, resource),
        alert => alert,
        done => done,
    };
    frame.render(st, "services/admin_item.html", status, ctx)
}

async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let done = done_text(&st, q.done.as_deref());
    show_page(&st, &headers, &me, id, None, None, None, done, StatusCode::OK).await
}

async fn read_form(st: &AppState, headers: &HeaderMap, body: Body) -> Result<Vec<(String, String)>, Fail> {
    let bytes = bo::read_body(st, headers, body, EDIT_LIMIT, "svc.admin.too_large").await?;
    let pairs = bo::form_pairs(&bytes);
    bo::check_csrf_pairs(headers, &pairs)?;
    Ok(pairs)
}

async fn save_item(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = ItemInput::from_pairs(&pairs);
    let new = input.to_new();
    match bo::call(&st, &me, move |g, a| g.update_service_item(a, &bo::origin(), id, &new)).await {
        Ok(_) => Ok(bo::see_other(&format!("{ADMIN}/items/{id}?done=saved"))),
        Err(e @ (Error::Denied(_) | Error::Session(_))) => Err(e.into()),
        Err(e) if e.is_user_error() => {
            let text = error_text(&st, &e);
            show_page(&st, &headers, &me, id, Some(input), None, Some(text), None, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn save_guide(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = GuideInput::from_pairs(&pairs);
    let guide = match input.to_guide() {
        Ok(g) => g,
        Err(line) => {
            let text = st.tf("svc.err.material_line", &[("line", &line.to_string())]);
            return show_page(
                &st,
                &headers,
                &me,
                id,
                None,
                Some(input),
                Some(text),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match bo::call(&st, &me, move |g, a| g.set_service_guide(a, &bo::origin(), id, &guide)).await {
        Ok(_) => Ok(bo::see_other(&format!("{ADMIN}/items/{id}?done=guide"))),
        Err(e @ (Error::Denied(_) | Error::Session(_))) => Err(e.into()),
        Err(e) if e.is_user_error() => {
            let text = error_text(&st, &e);
            show_page(&st, &headers, &me, id, None, Some(input), Some(text), None, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn publish(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let on = bo::field(&pairs, "published") == "1";
    match bo::call(&st, &me, move |g, a| g.publish_service_item(a, &bo::origin(), id, on)).await {
        Ok(_) => {
            Ok(bo::see_other(&format!("{ADMIN}/items/{id}?done={}", if on { "published" } else { "unpublished" })))
        }
        Err(e) => Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/items/{id}")).await),
    }
}

// ---------------------------------------------------------------------------------
// Q&A.

#[derive(Debug, Default, Serialize)]
struct QaInput {
    item: String,
    unit: String,
    question: String,
    answer: String,
    published: bool,
}

impl QaInput {
    fn from_pairs(pairs: &[(String, String)]) -> QaInput {
        QaInput {
            item: bo::field(pairs, "item").to_string(),
            unit: bo::field(pairs, "unit").to_string(),
            question: bo::field(pairs, "question").to_string(),
            answer: bo::field(pairs, "answer").to_string(),
            published: bo::field(pairs, "published") == "1",
        }
    }

    fn to_new(&self) -> NewQa {
        NewQa {
            item: self.item.trim().parse::<i64>().ok(),
            unit: self.unit.clone(),
            question: self.question.clone(),
            answer: self.answer.clone(),
            published: self.published,
        }
    }
}

#[derive(Debug, Serialize)]
struct QaRow {
    id: i64,
    question: String,
    item: Option<i64>,
    published: bool,
    updated: String,
}

#[allow(clippy::too_many_arguments)]
async fn qa_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    unit: Option<String>,
    input: QaInput,
    alert: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Reply {
    let units = my_units(st, me).await?;
    let group_wide = bo::may(me, Action::ViewDrafts, Resource::Group);
    let unit = unit.or_else(|| if group_wide { None } else { units.first().map(|u| u.code.clone()) });
    let u = unit.clone();
    let list = match bo::call(st, me, move |g, a| g.service_qas_for(a, u.as_deref(), 500)).await {
        Ok(l) => l,
        Err(e) => return Err(bo::refuse(st, headers, e, ADMIN).await),
    };
    let rows: Vec<QaRow> = list
        .iter()
        .map(|q| QaRow {
            id: q.id,
            question: q.question.clone(),
            item: q.item,
            published: q.published,
            updated: bo::when(q.updated_at),
        })
        .collect();
    let frame =
        bo::Frame::new(st, headers, st.t("svc.admin.qa"), vec![(st.t("svc.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => st.t("svc.admin.qa"),
        rows => crate::ser(&rows),
        units => crate::ser(&units),
        unit => unit,
        input => crate::ser(&input),
        alert => alert,
        done => done,
        edit_id => Option::<i64>::None,
    };
    frame.render(st, "services/admin_qa.html", status, ctx)
}

async fn qa_list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let unit = q.unit.clone().filter(|u| !u.trim().is_empty());
    let input = QaInput { unit: unit.clone().unwrap_or_default(), published: true, ..Default::default() };
    let done = done_text(&st, q.done.as_deref());
    qa_page(&st, &headers, &me, unit, input, None, done, StatusCode::OK).await
}

async fn qa_create(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = QaInput::from_pairs(&pairs);
    let new = input.to_new();
    match bo::call(&st, &me, move |g, a| g.add_service_qa(a, &bo::origin(), &new)).await {
        Ok(q) => Ok(bo::see_other(&format!("{ADMIN}/qa?done=qa&unit={}", input_unit(&st, &q)))),
        Err(e @ (Error::Denied(_) | Error::Session(_))) => Err(e.into()),
        Err(e) if e.is_user_error() => {
            let text = error_text(&st, &e);
            let unit = Some(input.unit.clone()).filter(|u| !u.is_empty());
            qa_page(&st, &headers, &me, unit, input, Some(text), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

fn input_unit(st: &AppState, q: &sitegroup::services::Qa) -> String {
    st.group()
        .list_units(&Actor::anonymous())
        .ok()
        .and_then(|us| us.into_iter().find(|u| u.id == q.unit).map(|u| u.code))
        .unwrap_or_default()
}

async fn qa_show(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let qa = match bo::call(&st, &me, move |g, a| g.service_qa(a, id)).await {
        Ok(q) => q,
        Err(e) => return Err(bo::refuse(&st, &headers, e, ADMIN).await),
    };
    let input = QaInput {
        item: qa.item.map(|i| i.to_string()).unwrap_or_default(),
        unit: input_unit(&st, &qa),
        question: qa.question.clone(),
        answer: qa.answer.clone(),
        published: qa.published,
    };
    qa_edit_page(&st, &headers, &me, id, input, None, StatusCode::OK).await
}

async fn qa_edit_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    id: i64,
    input: QaInput,
    alert: Option<String>,
    status: StatusCode,
) -> Reply {
    let units = my_units(st, me).await?;
    let frame = bo::Frame::new(
        st,
        headers,
        st.t("svc.admin.qa_edit"),
        vec![(st.t("svc.admin.qa"), Some(format!("{ADMIN}/qa")))],
    )
    .await?;
    let ctx = context! {
        title => st.t("svc.admin.qa_edit"),
        rows => Vec::<i64>::new(),
        units => crate::ser(&units),
        input => crate::ser(&input),
        alert => alert,
        edit_id => Some(id),
    };
    frame.render(st, "services/admin_qa.html", status, ctx)
}

async fn qa_save(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = QaInput::from_pairs(&pairs);
    let new = input.to_new();
    match bo::call(&st, &me, move |g, a| g.update_service_qa(a, &bo::origin(), id, &new)).await {
        Ok(q) => Ok(bo::see_other(&format!("{ADMIN}/qa?done=qa&unit={}", input_unit(&st, &q)))),
        Err(e @ (Error::Denied(_) | Error::Session(_))) => Err(e.into()),
        Err(e) if e.is_user_error() => {
            let text = error_text(&st, &e);
            qa_edit_page(&st, &headers, &me, id, input, Some(text), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
