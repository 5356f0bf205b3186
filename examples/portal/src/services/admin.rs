//! The back office of online services under `/admin/bsfw`: the list of items with the
//! completeness of each guide (`?unit=code`), creating an item, editing an item's
//! catalogue data and its guide, publishing and unpublishing, and policy Q&A
//! (`/admin/bsfw/qa`, with removal), the forms library (`/admin/bsfw/forms?unit=code`:
//! add a form from a picker of the unit's documents with attachments or by document id
//! and attachment number, edit, hide/list, remove) and the online query definitions
//! (`/admin/bsfw/queries?unit=code`: title, description, provider, limits, enable or
//! disable, and the runs of the last 24 hours — counts only). The library decides every
//! permission (a unit's site editors edit
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
use sitegroup::services::{Audience, Guide, LifeEvent, Material, NewForm, NewItem, NewQa, QueryEdit, ServicesError};
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
        .route("/admin/bsfw/qa/{id}/remove", post(qa_remove))
        .route("/admin/bsfw/forms", get(forms_list).post(form_create))
        .route("/admin/bsfw/forms/{id}", get(form_show).post(form_save))
        .route("/admin/bsfw/forms/{id}/publish", post(form_publish))
        .route("/admin/bsfw/forms/{id}/remove", post(form_remove))
        .route("/admin/bsfw/queries", get(queries_list))
        .route("/admin/bsfw/queries/{code}", get(query_show).post(query_save))
        .route("/admin/bsfw/queries/{code}/publish", post(query_publish))
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
        "qa_removed" => "svc.done.qa_removed",
        "form" => "svc.done.form",
        "form_shown" => "svc.done.form_shown",
        "form_hidden" => "svc.done.form_hidden",
        "form_removed" => "svc.done.form_removed",
        "query" => "svc.done.query",
        "query_on" => "svc.done.query_on",
        "query_off" => "svc.done.query_off",
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
    let pairs = bo::read_form(&st, &headers, body, EDIT_LIMIT, "svc.admin.too_large").await?;
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

/// The actor and the `published` switch (`1` = shown/enabled) of a show/hide form.
async fn read_switch(st: &AppState, headers: &HeaderMap, body: Body) -> Result<(Actor, bool), Fail> {
    let me = bo::actor(st, headers).await?;
    let pairs = read_form(st, headers, body).await?;
    Ok((me, bo::field(&pairs, "published") == "1"))
}

async fn read_form(st: &AppState, headers: &HeaderMap, body: Body) -> Result<Vec<(String, String)>, Fail> {
    bo::read_form(st, headers, body, EDIT_LIMIT, "svc.admin.too_large").await
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
    let (me, on) = read_switch(&st, &headers, body).await?;
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

async fn qa_remove(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    read_form(&st, &headers, body).await?;
    let unit = match bo::call(&st, &me, move |g, a| g.service_qa(a, id)).await {
        Ok(q) => input_unit(&st, &q),
        Err(e) => return Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/qa")).await),
    };
    match bo::call(&st, &me, move |g, a| g.remove_service_qa(a, &bo::origin(), id)).await {
        Ok(()) => Ok(bo::see_other(&format!("{ADMIN}/qa?done=qa_removed&unit={unit}"))),
        Err(e) => Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/qa/{id}")).await),
    }
}

/// The unit's code chosen on a list page: the one asked for, else (for a user without
/// group scope) the first unit the user manages; `None` means the whole group.
fn chosen_unit(q: Option<&str>, units: &[OrgUnit], group_wide: bool) -> Option<String> {
    q.map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .or_else(|| if group_wide { None } else { units.first().map(|u| u.code.clone()) })
}

/// The resource `authorize` looks at for a unit's records: its first site, else the group.
async fn unit_resource(st: &AppState, me: &Actor, unit: sitegroup::UnitId) -> Result<Resource, Fail> {
    let site =
        bo::call(st, me, move |g, _| Ok(g.site_tree()?.sites().iter().find(|s| s.unit == Some(unit)).map(|s| s.id)))
            .await?;
    Ok(site.map_or(Resource::Group, Resource::Site))
}

// ---------------------------------------------------------------------------------
// Forms (办事表格).

#[derive(Debug, Default, Clone, Serialize)]
struct FormInput {
    unit: String,
    item: String,
    name: String,
    source: String,
    document: String,
    attachment: String,
}

impl FormInput {
    fn from_pairs(pairs: &[(String, String)]) -> FormInput {
        let f = |n: &str| bo::field(pairs, n).trim().to_string();
        FormInput {
            unit: f("unit"),
            item: f("item"),
            name: bo::field(pairs, "name").to_string(),
            source: f("source"),
            document: f("document"),
            attachment: f("attachment"),
        }
    }

    fn from_form(f: &sitegroup::ServiceFormView) -> FormInput {
        FormInput {
            unit: f.unit_code.clone(),
            item: f.form.item.map(|i| i.to_string()).unwrap_or_default(),
            name: f.form.name.clone(),
            source: format!("{}:{}", f.form.document, f.form.attachment),
            document: f.form.document.to_string(),
            attachment: f.form.attachment.to_string(),
        }
    }

    /// The form typed. The picker (`source` = `document:attachment`) wins over the two
    /// number fields; what is not a number is `Err(field)`.
    fn to_new(&self) -> Result<NewForm, &'static str> {
        let (document, attachment) = match self.source.split_once(':') {
            Some((d, a)) if !self.source.is_empty() => (d.trim().to_string(), a.trim().to_string()),
            _ => (self.document.clone(), self.attachment.clone()),
        };
        let document = document.parse::<i64>().map_err(|_| "document")?;
        let attachment = attachment.parse::<i64>().map_err(|_| "attachment")?;
        let item = match self.item.as_str() {
            "" => None,
            i => Some(i.parse::<i64>().map_err(|_| "item")?),
        };
        Ok(NewForm { item, unit: self.unit.clone(), name: self.name.clone(), document, attachment })
    }
}

#[derive(Debug, Serialize)]
struct FormRow {
    id: i64,
    name: String,
    unit: String,
    item: Option<i64>,
    document: i64,
    attachment: i64,
    published: bool,
    url: Option<String>,
    updated: String,
}

#[derive(Debug, Serialize)]
struct SourceOption {
    value: String,
    label: String,
}

/// The services error of a form or query page in Chinese (a few get a wording of their
/// own here; the rest as everywhere).
fn services_text(st: &AppState, e: &Error) -> String {
    match e {
        Error::Services(ServicesError::FormInUse { items, .. }) => {
            let ids: Vec<String> = items.iter().map(|i| i.to_string()).collect();
            st.tf("svc.err.form_in_use", &[("items", &ids.join("、"))])
        }
        Error::Services(ServicesError::UnknownProvider(p)) => st.tf("svc.err.unknown_provider", &[("provider", p)]),
        Error::Invalid(sitegroup::ValidationError::Rule(_)) => st.t("svc.err.rule_unit"),
        other => error_text(st, other),
    }
}

fn user_fault(e: &Error) -> bool {
    !matches!(e, Error::Denied(_) | Error::Session(_)) && e.is_user_error()
}

#[allow(clippy::too_many_arguments)]
async fn forms_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    unit: Option<String>,
    edit: Option<(i64, bool)>,
    input: FormInput,
    alert: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Reply {
    let units = my_units(st, me).await?;
    let group_wide = bo::may(me, Action::ViewDrafts, Resource::Group);
    let rows: Vec<FormRow> = if edit.is_some() {
        Vec::new()
    } else {
        if unit.is_none() && !group_wide {
            return Err(Error::Denied(sitegroup::Denied {
                actor: me.label(),
                action: Action::ViewDrafts,
                resource: Resource::Group,
            })
            .into());
        }
        let u = unit.clone();
        let list = match bo::call(st, me, move |g, a| g.service_forms_for(a, u.as_deref())).await {
            Ok(l) => l,
            Err(e) => return Err(bo::refuse(st, headers, e, ADMIN).await),
        };
        list.into_iter()
            .map(|f| FormRow {
                id: f.form.id,
                name: f.form.name,
                unit: f.unit_code,
                item: f.form.item,
                document: f.form.document,
                attachment: f.form.attachment,
                published: f.form.published,
                url: f.url,
                updated: bo::when(f.form.updated_at),
            })
            .collect()
    };
    // The picker and the item choice need one unit the user may edit.
    let pick_unit = Some(input.unit.clone()).filter(|u| !u.is_empty()).or_else(|| unit.clone());
    let may_add = pick_unit.as_ref().is_some_and(|u| units.iter().any(|x| &x.code == u));
    let (sources, items) = match pick_unit.clone().filter(|_| may_add) {
        Some(code) => {
            let c = code.clone();
            let sources = bo::call(st, me, move |g, a| g.service_form_sources(a, &c)).await.unwrap_or_default();
            let items = bo::call(st, me, move |g, a| g.service_items_for(a, Some(&code))).await.unwrap_or_default();
            (sources, items)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut options = Vec::new();
    for s in &sources {
        let state = st.t(&format!("admin.state.{}", s.state));
        for (n, name) in &s.attachments {
            options.push(SourceOption {
                value: format!("{}:{n}", s.document),
                label: st.tf(
                    "svc.form.source_option",
                    &[
                        ("doc", &s.document.to_string()),
                        ("title", &s.title),
                        ("state", &state),
                        ("n", &n.to_string()),
                        ("file", name),
                    ],
                ),
            });
        }
    }
    let items: Vec<Choice> = items.into_iter().map(|i| Choice { key: i.id.to_string(), label: i.name }).collect();
    let title = match edit {
        Some(_) => st.t("svc.admin.form_edit"),
        None => st.t("svc.admin.forms"),
    };
    let mut crumbs = vec![(st.t("svc.admin.title"), Some(ADMIN.to_string()))];
    if edit.is_some() {
        crumbs.push((st.t("svc.admin.forms"), Some(format!("{ADMIN}/forms?unit={}", input.unit))));
    }
    let frame = bo::Frame::new(st, headers, title.clone(), crumbs).await?;
    let ctx = context! {
        title => title,
        rows => crate::ser(&rows),
        units => crate::ser(&units),
        unit => unit,
        group_wide => group_wide,
        input => crate::ser(&input),
        sources => crate::ser(&options),
        items => crate::ser(&items),
        may_add => may_add || edit.is_some(),
        edit_id => edit.map(|(id, _)| id),
        edit_published => edit.map(|(_, p)| p),
        alert => alert,
        done => done,
    };
    frame.render(st, "services/admin_forms.html", status, ctx)
}

async fn forms_list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let units = my_units(&st, &me).await?;
    let group_wide = bo::may(&me, Action::ViewDrafts, Resource::Group);
    let unit = chosen_unit(q.unit.as_deref(), &units, group_wide);
    let input = FormInput { unit: unit.clone().unwrap_or_default(), ..Default::default() };
    let done = done_text(&st, q.done.as_deref());
    forms_page(&st, &headers, &me, unit, None, input, None, done, StatusCode::OK).await
}

async fn form_create(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = FormInput::from_pairs(&pairs);
    let unit = Some(input.unit.clone()).filter(|u| !u.is_empty());
    let new = match input.to_new() {
        Ok(n) => n,
        Err(field) => {
            let text = st.tf("svc.err.number", &[("field", &st.t(&format!("svc.field.form_{field}")))]);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return forms_page(&st, &headers, &me, unit, None, input, Some(text), None, status).await;
        }
    };
    match bo::call(&st, &me, move |g, a| g.add_service_form(a, &bo::origin(), &new)).await {
        Ok(_) => Ok(bo::see_other(&format!("{ADMIN}/forms?unit={}&done=form", input.unit))),
        Err(e) if user_fault(&e) => {
            let text = services_text(&st, &e);
            forms_page(&st, &headers, &me, unit, None, input, Some(text), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn form_show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let view = match bo::call(&st, &me, move |g, a| g.service_form(a, id)).await {
        Ok(v) => v,
        Err(e) => return Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/forms")).await),
    };
    let input = FormInput::from_form(&view);
    let done = done_text(&st, q.done.as_deref());
    let edit = Some((id, view.form.published));
    forms_page(&st, &headers, &me, Some(view.unit_code.clone()), edit, input, None, done, StatusCode::OK).await
}

async fn form_save(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = FormInput::from_pairs(&pairs);
    let current = match bo::call(&st, &me, move |g, a| g.service_form(a, id)).await {
        Ok(v) => v,
        Err(e) => return Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/forms")).await),
    };
    let edit = Some((id, current.form.published));
    let unit = Some(current.unit_code.clone());
    let new = match input.to_new() {
        Ok(n) => n,
        Err(field) => {
            let text = st.tf("svc.err.number", &[("field", &st.t(&format!("svc.field.form_{field}")))]);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return forms_page(&st, &headers, &me, unit, edit, input, Some(text), None, status).await;
        }
    };
    match bo::call(&st, &me, move |g, a| g.update_service_form(a, &bo::origin(), id, &new)).await {
        Ok(_) => Ok(bo::see_other(&format!("{ADMIN}/forms/{id}?done=form"))),
        Err(e) if user_fault(&e) => {
            let text = services_text(&st, &e);
            forms_page(&st, &headers, &me, unit, edit, input, Some(text), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn form_publish(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let (me, on) = read_switch(&st, &headers, body).await?;
    match bo::call(&st, &me, move |g, a| g.publish_service_form(a, &bo::origin(), id, on)).await {
        Ok(_) => {
            Ok(bo::see_other(&format!("{ADMIN}/forms/{id}?done={}", if on { "form_shown" } else { "form_hidden" })))
        }
        Err(e) => Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/forms/{id}")).await),
    }
}

async fn form_remove(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    read_form(&st, &headers, body).await?;
    let view = match bo::call(&st, &me, move |g, a| g.service_form(a, id)).await {
        Ok(v) => v,
        Err(e) => return Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/forms")).await),
    };
    match bo::call(&st, &me, move |g, a| g.remove_service_form(a, &bo::origin(), id)).await {
        Ok(()) => Ok(bo::see_other(&format!("{ADMIN}/forms?unit={}&done=form_removed", view.unit_code))),
        Err(e) if user_fault(&e) => {
            let text = services_text(&st, &e);
            let edit = Some((id, view.form.published));
            let input = FormInput::from_form(&view);
            let unit = Some(view.unit_code.clone());
            forms_page(&st, &headers, &me, unit, edit, input, Some(text), None, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// Online query definitions (在线查询).

#[derive(Debug, Serialize)]
struct QueryRow {
    code: String,
    name: String,
    unit: String,
    provider: String,
    available: bool,
    demo: bool,
    published: bool,
    limits: String,
    used: i64,
}

fn limits_text(st: &AppState, d: &sitegroup::services::QueryDef) -> String {
    st.tf(
        "svc.query.limits",
        &[
            ("minutes", &(d.window_seconds / 60).to_string()),
            ("seconds", &d.window_seconds.to_string()),
            ("per_address", &d.per_address.to_string()),
            ("per_query", &d.per_query.to_string()),
        ],
    )
}

async fn queries_list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let units = my_units(&st, &me).await?;
    let group_wide = bo::may(&me, Action::ViewDrafts, Resource::Group);
    let unit = chosen_unit(q.unit.as_deref(), &units, group_wide);
    if unit.is_none() && !group_wide {
        return Err(Error::Denied(sitegroup::Denied {
            actor: me.label(),
            action: Action::ViewDrafts,
            resource: Resource::Group,
        })
        .into());
    }
    let u = unit.clone();
    let list = match bo::call(&st, &me, move |g, a| g.service_queries_for(a, u.as_deref())).await {
        Ok(l) => l,
        Err(e) => return Err(bo::refuse(&st, &headers, e, ADMIN).await),
    };
    let rows: Vec<QueryRow> = list
        .into_iter()
        .map(|s| QueryRow {
            limits: limits_text(&st, &s.def),
            code: s.def.code,
            name: s.def.name,
            unit: s.unit_code,
            provider: s.def.provider,
            available: s.available,
            demo: s.demo,
            published: s.def.published,
            used: s.used_24h,
        })
        .collect();
    let frame =
        bo::Frame::new(&st, &headers, st.t("svc.admin.queries"), vec![(st.t("svc.admin.title"), Some(ADMIN.into()))])
            .await?;
    let ctx = context! {
        title => st.t("svc.admin.queries"),
        rows => crate::ser(&rows),
        units => crate::ser(&units),
        unit => unit,
        group_wide => group_wide,
        done => done_text(&st, q.done.as_deref()),
    };
    frame.render(&st, "services/admin_queries.html", StatusCode::OK, ctx)
}

#[derive(Debug, Default, Serialize)]
struct QueryInput {
    name: String,
    description: String,
    provider: String,
    per_address: String,
    per_query: String,
    window_seconds: String,
}

impl QueryInput {
    fn from_pairs(pairs: &[(String, String)]) -> QueryInput {
        let f = |n: &str| bo::field(pairs, n).to_string();
        QueryInput {
            name: f("name"),
            description: f("description"),
            provider: f("provider"),
            per_address: f("per_address"),
            per_query: f("per_query"),
            window_seconds: f("window_seconds"),
        }
    }

    fn from_def(d: &sitegroup::services::QueryDef) -> QueryInput {
        QueryInput {
            name: d.name.clone(),
            description: d.description.clone(),
            provider: d.provider.clone(),
            per_address: d.per_address.to_string(),
            per_query: d.per_query.to_string(),
            window_seconds: d.window_seconds.to_string(),
        }
    }

    /// The edit typed; a limit that is not a number is `Err(field)`.
    fn to_edit(&self) -> Result<QueryEdit, &'static str> {
        let n = |v: &str, f: &'static str| v.trim().parse::<i64>().map_err(|_| f);
        Ok(QueryEdit {
            name: self.name.clone(),
            description: self.description.clone(),
            provider: self.provider.clone(),
            per_address: n(&self.per_address, "per_address")?,
            per_query: n(&self.per_query, "per_query")?,
            window_seconds: n(&self.window_seconds, "window_seconds")?,
        })
    }
}

#[allow(clippy::too_many_arguments)]
async fn query_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    code: String,
    input: Option<QueryInput>,
    alert: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Reply {
    let c = code.clone();
    let view = match bo::call(st, me, move |g, a| g.service_query_status(a, &c)).await {
        Ok(v) => v,
        Err(e) => return Err(bo::refuse(st, headers, e, &format!("{ADMIN}/queries")).await),
    };
    let mut kinds = bo::call(st, me, |g, _| g.query_provider_kinds()).await?;
    if !kinds.contains(&view.def.provider) {
        kinds.insert(0, view.def.provider.clone());
    }
    let resource = unit_resource(st, me, view.def.unit).await?;
    let title = view.def.name.clone();
    let frame = bo::Frame::new(
        st,
        headers,
        title.clone(),
        vec![
            (st.t("svc.admin.title"), Some(ADMIN.into())),
            (st.t("svc.admin.queries"), Some(format!("{ADMIN}/queries?unit={}", view.unit_code))),
        ],
    )
    .await?;
    let ctx = context! {
        title => title,
        code => view.def.code.clone(),
        unit => view.unit_code.clone(),
        published => view.def.published,
        available => view.available,
        demo => view.demo,
        used => st.tf("svc.query.used", &[("n", &view.used_24h.to_string())]),
        limits => limits_text(st, &view.def),
        public_href => format!("{BASE}/queries/{}", view.def.code),
        input => crate::ser(input.unwrap_or_else(|| QueryInput::from_def(&view.def))),
        kinds => kinds,
        may_edit => bo::may(me, Action::EditDraft, resource),
        may_publish => bo::may(me, Action::PublishContent, resource),
        alert => alert,
        done => done,
    };
    frame.render(st, "services/admin_query.html", status, ctx)
}

async fn query_show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let done = done_text(&st, q.done.as_deref());
    query_page(&st, &headers, &me, code, None, None, done, StatusCode::OK).await
}

async fn query_save(State(st): State<AppState>, headers: HeaderMap, Path(code): Path<String>, body: Body) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let pairs = read_form(&st, &headers, body).await?;
    let input = QueryInput::from_pairs(&pairs);
    let edit = match input.to_edit() {
        Ok(e) => e,
        Err(field) => {
            let text = st.tf("svc.err.number", &[("field", &st.t(&format!("svc.field.{field}")))]);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return query_page(&st, &headers, &me, code, Some(input), Some(text), None, status).await;
        }
    };
    let c = code.clone();
    match bo::call(&st, &me, move |g, a| g.update_service_query(a, &bo::origin(), &c, &edit)).await {
        Ok(d) => Ok(bo::see_other(&format!("{ADMIN}/queries/{}?done=query", d.code))),
        Err(e) if user_fault(&e) && !matches!(e, Error::Services(ServicesError::NotFound { .. })) => {
            let text = match &e {
                Error::Invalid(sitegroup::ValidationError::Rule(_))
                | Error::Services(ServicesError::Invalid(sitegroup::ValidationError::Rule(_))) => {
                    st.t("svc.err.limits")
                }
                Error::Services(ServicesError::Invalid(v)) => validation_text(st.catalogue(), v),
                other => services_text(&st, other),
            };
            query_page(&st, &headers, &me, code, Some(input), Some(text), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/queries")).await),
    }
}

async fn query_publish(State(st): State<AppState>, headers: HeaderMap, Path(code): Path<String>, body: Body) -> Reply {
    let (me, on) = read_switch(&st, &headers, body).await?;
    let c = code.clone();
    match bo::call(&st, &me, move |g, a| g.publish_service_query(a, &bo::origin(), &c, on)).await {
        Ok(d) => {
            Ok(bo::see_other(&format!("{ADMIN}/queries/{}?done={}", d.code, if on { "query_on" } else { "query_off" })))
        }
        Err(e @ Error::Services(ServicesError::UnknownProvider(_))) => {
            let text = services_text(&st, &e);
            query_page(&st, &headers, &me, code, None, Some(text), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(bo::refuse(&st, &headers, e, &format!("{ADMIN}/queries/{code}")).await),
    }
}
