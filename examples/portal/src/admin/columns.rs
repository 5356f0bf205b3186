//! The column tree of a site (栏目管理): kinds, duties, owners, hidden and archived
//! columns, and the forms that change them.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::{Action, Column, ColumnChange, ColumnKind, Duty, NewColumn, Owner, Resource};

use super::{Frame, Reply, actor, call, may, origin, refuse, see_other, site};
use crate::AppState;

/// A duty's Chinese label.
pub(crate) fn duty_label(st: &AppState, d: Duty) -> String {
    match d {
        Duty::Custom(n) => st.tf("admin.duty.custom_n", &[("days", &n.to_string())]),
        other => st.t(&format!("admin.duty.{other}")),
    }
}

/// A column kind's Chinese label (an extension kind shows its own name).
pub(crate) fn kind_label(st: &AppState, kind: &str) -> String {
    let key = format!("admin.ckind.{kind}");
    if st.catalogue().has(&key) { st.t(&key) } else { kind.to_string() }
}

#[derive(Debug, Serialize)]
struct OwnerRow {
    name: String,
    phone: Option<String>,
}

#[derive(Debug, Serialize)]
struct ColumnRow {
    id: i64,
    name: String,
    slug: String,
    path: String,
    depth: usize,
    indent: usize,
    parent: Option<i64>,
    position: i64,
    kind: String,
    kind_label: String,
    duty: String,
    duty_days: Option<u32>,
    duty_label: String,
    hidden: bool,
    archived: bool,
    link_url: Option<String>,
    banner: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    owners: Vec<OwnerRow>,
    owners_text: String,
    may_manage: bool,
    may_write: bool,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

/// The message of a `?done=` key, if it is one of ours.
pub(crate) fn done_message(st: &AppState, done: Option<&str>) -> Option<String> {
    let key = format!("admin.done.{}", done?);
    st.catalogue().has(&key).then(|| st.t(&key))
}

pub(crate) async fn tree_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<Done>,
) -> Reply {
    let me = actor(&st, &headers).await?;
    let site = site(&st, &code).await?;
    let sid = site.id;
    let (columns, owners) = call(&st, &me, move |g, a| Ok((g.columns(a, sid)?, g.column_owners(a, sid)?))).await?;
    let mut owners = owners;
    let rows: Vec<ColumnRow> = columns
        .iter()
        .map(|c| {
            let list = owners.remove(&c.id).unwrap_or_default();
            let owners_text = list
                .iter()
                .map(|o| match &o.phone {
                    Some(p) => format!("{} {p}", o.name),
                    None => o.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            ColumnRow {
                id: c.id,
                name: c.name.clone(),
                slug: c.slug.clone(),
                path: c.path.clone(),
                depth: c.depth(),
                indent: c.depth().saturating_sub(1),
                parent: c.parent,
                position: c.position,
                kind: c.kind.clone(),
                kind_label: kind_label(&st, &c.kind),
                duty: match c.duty {
                    Duty::Custom(_) => "custom".into(),
                    d => d.to_string(),
                },
                duty_days: c.duty.period_days(),
                duty_label: duty_label(&st, c.duty),
                hidden: c.hidden,
                archived: c.archived_at.is_some(),
                link_url: c.link_url.clone(),
                banner: c.banner.clone(),
                starts_on: c.starts_on.map(|d| d.to_string()),
                ends_on: c.ends_on.map(|d| d.to_string()),
                owners: list.into_iter().map(|o| OwnerRow { name: o.name, phone: o.phone }).collect(),
                owners_text,
                may_manage: may(&me, Action::ManageColumns, Resource::Column { site: sid, column: c.id }),
                may_write: c.is_live()
                    && c.kind().holds_documents()
                    && may(&me, Action::EditDraft, Resource::Column { site: sid, column: c.id }),
            }
        })
        .collect();
    let parents: Vec<&ColumnRow> = rows
        .iter()
        .filter(|r| !r.archived && ColumnKind::parse(&r.kind).is_ok_and(|k| k.may_have_children()))
        .collect();
    let kinds: Vec<(String, String)> =
        ColumnKind::BUILT_IN.iter().map(|k| (k.as_str().to_string(), kind_label(&st, k.as_str()))).collect();
    let duties: Vec<(String, String)> = [Duty::News, Duty::Notice, Duty::Personnel, Duty::Static]
        .iter()
        .map(|d| (d.to_string(), duty_label(&st, *d)))
        .collect();
    let frame = Frame::new(
        &st,
        &headers,
        st.t("admin.columns.title"),
        vec![(site.display_name().to_string(), Some(format!("/admin/sites/{}", site.code)))],
    )
    .await?;
    let ctx = context! {
        site => context! { code => site.code.clone(), name => site.name.clone() },
        rows => crate::ser(&rows),
        parents => crate::ser(&parents),
        kinds => kinds,
        duties => duties,
        may_add => may(&me, Action::ManageColumns, Resource::Site(sid)),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/columns.html", StatusCode::OK, ctx)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ColumnForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    duty: String,
    #[serde(default)]
    duty_days: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    hidden: Option<String>,
    #[serde(default)]
    link_url: String,
    #[serde(default)]
    banner: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn date(s: &str) -> Result<Option<NaiveDate>, sitegroup::Error> {
    match opt(s) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d").map(Some).map_err(|_| {
            sitegroup::ValidationError::Malformed { field: "date", reason: "use YYYY-MM-DD".into() }.into()
        }),
    }
}

/// The duty chosen in a form: `""` (the kind's default), a named duty, or `custom`
/// with a number of days.
fn duty(form: &ColumnForm) -> Result<Option<Duty>, sitegroup::Error> {
    match form.duty.trim() {
        "" => Ok(None),
        "custom" => Ok(Some(Duty::parse(&format!("{}d", form.duty_days.trim()))?)),
        other => Ok(Some(Duty::parse(other)?)),
    }
}

fn parent(s: &str) -> Result<Option<i64>, sitegroup::Error> {
    match opt(s) {
        None => Ok(None),
        Some(p) => {
            p.parse().map(Some).map_err(|_| sitegroup::ValidationError::Malformed { field: "parent", reason: p }.into())
        }
    }
}

fn tree_url(code: &str, done: &str) -> String {
    format!("/admin/sites/{code}/columns?done={done}")
}

pub(crate) async fn add(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<ColumnForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let site = site(&st, &code).await?;
    let sid = site.id;
    let back = format!("/admin/sites/{code}/columns");
    let result = call(&st, &me, move |g, a| {
        let kind = if form.kind.trim().is_empty() { ColumnKind::List } else { ColumnKind::parse(form.kind.trim())? };
        let new = NewColumn {
            parent: parent(&form.parent)?,
            kind,
            name: form.name.clone(),
            slug: opt(&form.slug),
            duty: duty(&form)?,
            hidden: form.hidden.is_some(),
            position: opt(&form.position).and_then(|p| p.parse().ok()),
            link_url: opt(&form.link_url),
            banner: opt(&form.banner),
            starts_on: date(&form.starts_on)?,
            ends_on: date(&form.ends_on)?,
        };
        g.add_column(a, &origin(), sid, &new)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&tree_url(&code, "column_added"))),
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}

/// The change a form asks for, relative to the column as it is.
fn change_of(form: &ColumnForm, current: &Column) -> Result<ColumnChange, sitegroup::Error> {
    let mut change = ColumnChange::default();
    if let Some(name) = opt(&form.name).filter(|n| *n != current.name) {
        change.name = Some(name);
    }
    if let Some(slug) = opt(&form.slug).filter(|s| *s != current.slug) {
        change.slug = Some(slug);
    }
    let p = parent(&form.parent)?;
    if p != current.parent {
        change.parent = Some(p);
    }
    if let Some(pos) = opt(&form.position).and_then(|p| p.parse().ok()).filter(|p| *p != current.position) {
        change.position = Some(pos);
    }
    let hidden = form.hidden.is_some();
    if hidden != current.hidden {
        change.hidden = Some(hidden);
    }
    if let Some(d) = duty(form)?.filter(|d| *d != current.duty) {
        change.duty = Some(d);
    }
    if let Some(k) = opt(&form.kind) {
        let k = ColumnKind::parse(&k)?;
        if k != current.kind() {
            change.kind = Some(k);
        }
    }
    let kind = change.kind.clone().unwrap_or_else(|| current.kind());
    if kind == ColumnKind::Link {
        change.link_url = Some(opt(&form.link_url));
    }
    if kind == ColumnKind::Topic {
        change.banner = Some(opt(&form.banner));
        change.starts_on = Some(date(&form.starts_on)?);
        change.ends_on = Some(date(&form.ends_on)?);
    }
    Ok(change)
}

pub(crate) async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<ColumnForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let site = site(&st, &code).await?;
    let sid = site.id;
    let result = call(&st, &me, move |g, a| {
        let current = g.column(a, sid, id)?;
        let change = change_of(&form, &current)?;
        g.update_column(a, &origin(), sid, id, &change)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&tree_url(&code, "column_saved"))),
        Err(e) => Err(refuse(&st, &headers, e, &format!("/admin/sites/{code}/columns")).await),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OwnersForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    owners: String,
}

/// Owners typed one a line: the name, then optionally the phone (`王芳 0553-6612345`).
pub(crate) fn parse_owners(text: &str) -> Vec<Owner> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let line = line.replace(['，', ',', '：', ':', '\t'], " ");
            let mut parts = line.split_whitespace();
            let name = parts.next().unwrap_or_default().to_string();
            let phone = parts.collect::<Vec<_>>().join(" ");
            Owner { user: None, name, phone: opt(&phone) }
        })
        .collect()
}

pub(crate) async fn owners(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<OwnersForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let site = site(&st, &code).await?;
    let sid = site.id;
    let list = parse_owners(&form.owners);
    match call(&st, &me, move |g, a| g.set_column_owners(a, &origin(), sid, id, &list)).await {
        Ok(_) => Ok(see_other(&tree_url(&code, "owners_saved"))),
        Err(e) => Err(refuse(&st, &headers, e, &format!("/admin/sites/{code}/columns")).await),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PlainForm {
    #[serde(default)]
    pub csrf: String,
}

pub(crate) async fn archive(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<PlainForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let sid = site(&st, &code).await?.id;
    match call(&st, &me, move |g, a| g.archive_column(a, &origin(), sid, id)).await {
        Ok(_) => Ok(see_other(&tree_url(&code, "column_archived"))),
        Err(e) => Err(refuse(&st, &headers, e, &format!("/admin/sites/{code}/columns")).await),
    }
}

pub(crate) async fn restore(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<PlainForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let sid = site(&st, &code).await?.id;
    match call(&st, &me, move |g, a| g.restore_column(a, &origin(), sid, id)).await {
        Ok(_) => Ok(see_other(&tree_url(&code, "column_restored"))),
        Err(e) => Err(refuse(&st, &headers, e, &format!("/admin/sites/{code}/columns")).await),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    per_day: String,
}

pub(crate) async fn min_rate(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<RateForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let sid = site(&st, &code).await?.id;
    let back = format!("/admin/sites/{code}/health");
    let Ok(per_day) = form.per_day.trim().parse::<u32>() else {
        let e = sitegroup::ValidationError::Malformed { field: "min_daily_rate", reason: form.per_day.clone() };
        return Err(refuse(&st, &headers, e.into(), &back).await);
    };
    match call(&st, &me, move |g, a| g.set_column_min_rate(a, &origin(), sid, per_day)).await {
        Ok(()) => Ok(see_other(&format!("{back}?done=rate_saved"))),
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}
