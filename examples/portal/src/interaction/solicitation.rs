//! 民意征集 (opinion solicitation) pages of issue 5: the public list under
//! `/hudong/zhengji` (open, upcoming, awaiting their feedback summary, concluded), a
//! solicitation's page with the draft document, the approved comments, the comment
//! form while open and the published feedback summary (`/hudong/zhengji/{id}`); and the
//! back office under `/admin/zhengji` (create and edit drafts, publish and close,
//! moderate comments, write and publish the summary, and the centre's list of overdue
//! summaries at `/admin/zhengji/overdue`).
//!
//! Comments are plain text, stored as typed and escaped by the templates; they are
//! public only once approved. The comment form carries the CSRF token and an
//! idempotency key drawn per render (a double submit gives one comment); bursts from one
//! address are refused by the library with a clear message. The public form reads its
//! own body up to [`super::LETTER_LIMIT`], the editor up to [`EDIT_LIMIT`] (a long
//! draft document, percent-encoded).

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::context;
use serde::Serialize;
use sitegroup::interaction::solicitation::{
    Comment, CommentState, Feedback, Moderation, NewComment, NewSolicitation, Solicitation, SolicitationError,
    SolicitationPhase, SummaryStatus, summary_due,
};
use sitegroup::{Action, Actor, Error, Origin, Resource, SiteGroup};

use super::survey::{DoneQuery, admin_fail, done_message, parse_id, period, validation_text, visitor_actor};
use super::{Frame, LETTER_LIMIT, message_page, new_key, read_limited};
use crate::admin::{self as bo, Fail, Reply};
use crate::i18n::Catalogue;
use crate::{AppError, AppState, ClientAddr, run_blocking};

/// Path of the public solicitation pages.
pub(crate) const BASE: &str = "/hudong/zhengji";
/// Path of the back-office solicitation pages.
pub(crate) const ADMIN: &str = "/admin/zhengji";
/// Largest editor form: a 200,000-character document, percent-encoded.
pub(crate) const EDIT_LIMIT: usize = 2 * 1024 * 1024;
/// Largest moderation or summary form (a 20,000-character summary, percent-encoded).
const STEP_LIMIT: usize = 256 * 1024;

/// Routes of the solicitation pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(list))
        .route("/hudong/zhengji/{id}", get(show).post(comment))
        .route(ADMIN, get(admin_list))
        .route("/admin/zhengji/overdue", get(admin_overdue))
        .route("/admin/zhengji/new", get(admin_new).post(admin_create))
        .route("/admin/zhengji/{id}", get(admin_show))
        .route("/admin/zhengji/{id}/edit", post(admin_edit))
        .route("/admin/zhengji/{id}/publish", post(admin_publish))
        .route("/admin/zhengji/{id}/close", post(admin_close))
        .route("/admin/zhengji/{id}/feedback", post(admin_feedback))
        .route("/admin/zhengji/{id}/feedback/publish", post(admin_feedback_publish))
        .route("/admin/zhengji/comments/{id}", post(admin_moderate))
}

/// The status and Chinese message for a solicitation error; `None` leaves it to the
/// portal's general mapping (storage, calendar and internal errors).
pub(crate) fn describe(cat: &Catalogue, e: &SolicitationError) -> Option<(StatusCode, String)> {
    use SolicitationError as E;
    let f = |key: &str, args: &[(&str, &str)]| cat.format(key, args);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    Some(match e {
        E::Invalid(v) => (unprocessable, validation_text(cat, "sol", v)),
        E::NotFound(_) => (StatusCode::NOT_FOUND, f("sol.err.not_found", &[])),
        E::CommentNotFound(_) => (StatusCode::NOT_FOUND, f("sol.err.comment_not_found", &[])),
        E::BadPeriod => (unprocessable, f("sol.err.bad_period", &[])),
        E::NotOpen { phase } => (StatusCode::CONFLICT, f(&format!("sol.err.not_open_{}", phase.as_str()), &[])),
        E::IllegalState { phase, .. } => {
            (StatusCode::CONFLICT, f("sol.err.state", &[("phase", &f(&format!("sol.phase.{}", phase.as_str()), &[]))]))
        }
        E::NotClosed => (StatusCode::CONFLICT, f("sol.err.not_closed", &[])),
        E::SummaryPublished => (StatusCode::CONFLICT, f("sol.err.summary_published", &[])),
        E::NoSummary => (unprocessable, f("sol.err.no_summary", &[])),
        E::AdoptedTooMany { adopted, approved } => (
            unprocessable,
            f("sol.err.adopted", &[("adopted", &adopted.to_string()), ("approved", &approved.to_string())]),
        ),
        E::OutsidePeriod => (unprocessable, f("sol.err.outside_period", &[])),
        E::Throttled { max, minutes } => (
            StatusCode::TOO_MANY_REQUESTS,
            f("sol.err.throttled", &[("max", &max.to_string()), ("minutes", &minutes.to_string())]),
        ),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------
// Values for templates.

/// A solicitation in a list or on its page.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    href: String,
    title: String,
    intro: String,
    body: String,
    site: Option<String>,
    period: String,
    opens: String,
    phase: &'static str,
    phase_label: String,
    comments: i64,
    due: Option<String>,
    overdue: bool,
    feedback: Option<String>,
    adopted: Option<u32>,
    feedback_saved: bool,
    feedback_published: Option<String>,
}

fn row(st: &AppState, sites: &HashMap<i64, String>, s: &Solicitation, now: i64, due_at: Option<i64>) -> Row {
    let phase = s.phase(now);
    let published = s.published_feedback();
    Row {
        id: s.id,
        href: format!("{BASE}/{}", s.id),
        title: s.title.clone(),
        intro: s.intro.clone(),
        body: s.body.clone(),
        site: sites.get(&s.site.0).cloned(),
        period: period(st, s.opens_at, s.closes_at),
        opens: crate::shanghai(s.opens_at, "%Y-%m-%d %H:%M"),
        phase: phase.as_str(),
        phase_label: st.t(&format!("sol.phase.{}", phase.as_str())),
        comments: s.comments,
        due: due_at.map(|d| crate::shanghai(d, "%Y-%m-%d")),
        overdue: phase == SolicitationPhase::AwaitingSummary && due_at.is_some_and(|d| now > d),
        feedback: published.map(|f| f.text.clone()),
        adopted: published.map(|f| f.adopted),
        feedback_saved: s.feedback.is_some(),
        feedback_published: s.feedback_published_at.map(|t| crate::shanghai(t, "%Y-%m-%d")),
    }
}

fn site_names(g: &SiteGroup) -> Result<HashMap<i64, String>, Error> {
    Ok(g.site_tree()?.sites().iter().map(|s| (s.id.0, s.display_name().to_string())).collect())
}

/// The summary's due date of a closed solicitation (`None` while open, or when the
/// calendar lacks a year).
fn due_of(g: &SiteGroup, s: &Solicitation, days: u32) -> Result<Option<i64>, Error> {
    if s.phase(g.now()) != SolicitationPhase::AwaitingSummary {
        return Ok(None);
    }
    Ok(summary_due(s.closes_at, days, g.calendar())?)
}

#[derive(Debug, Serialize)]
struct CommentRow {
    id: i64,
    author: String,
    body: String,
    at: String,
    state: &'static str,
    state_label: String,
    source: String,
    reason: Option<String>,
    moderated: Option<String>,
}

fn comment_row(st: &AppState, c: &Comment) -> CommentRow {
    CommentRow {
        id: c.id,
        author: c.author.clone().unwrap_or_else(|| st.t("sol.anonymous")),
        body: c.body.clone(),
        at: crate::shanghai(c.submitted_at, "%Y-%m-%d %H:%M"),
        state: c.state.as_str(),
        state_label: st.t(&format!("sol.comment.{}", c.state.as_str())),
        source: st.t(&format!("sol.source.{}", if c.source == "offline" { "offline" } else { "web" })),
        reason: c.reason.clone().filter(|r| !r.is_empty()),
        moderated: c.moderated_by.as_ref().map(|by| {
            format!("{by} {}", c.moderated_at.map(|t| crate::shanghai(t, "%Y-%m-%d %H:%M")).unwrap_or_default())
        }),
    }
}

/// What a visitor typed in the comment form.
#[derive(Debug, Clone, Default, Serialize)]
struct CommentInput {
    author: String,
    body: String,
    key: String,
}

// ---------------------------------------------------------------------------------
// Public pages.

async fn list(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let (items, sites, now) = run_blocking(&st, |g| {
        let days = g.solicitation_settings()?.summary_days;
        let mut items = Vec::new();
        for s in g.public_solicitations()? {
            let due = due_of(g, &s, days)?;
            items.push((s, due));
        }
        Ok((items, site_names(g)?, g.now()))
    })
    .await?;
    let (mut open, mut upcoming, mut awaiting, mut concluded) = (vec![], vec![], vec![], vec![]);
    for (s, due) in &items {
        let r = row(&st, &sites, s, now, *due);
        match s.phase(now) {
            SolicitationPhase::Open => open.push(r),
            SolicitationPhase::Upcoming => upcoming.push(r),
            SolicitationPhase::AwaitingSummary => awaiting.push(r),
            _ => concluded.push(r),
        }
    }
    let title = st.t("sol.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        open => crate::ser(open),
        upcoming => crate::ser(upcoming),
        awaiting => crate::ser(awaiting),
        concluded => crate::ser(concluded),
    };
    frame.render(&st, "interaction/solicitation_list.html", StatusCode::OK, ctx)
}

struct PublicData {
    s: Solicitation,
    comments: Vec<Comment>,
    site: HashMap<i64, String>,
    due: Option<i64>,
    now: i64,
}

async fn load_public(st: &AppState, id: i64) -> Result<PublicData, AppError> {
    Ok(run_blocking(st, move |g| {
        let view = g.public_solicitation(id)?;
        let days = g.solicitation_settings()?.summary_days;
        let due = due_of(g, &view.solicitation, days)?;
        let mut site = HashMap::new();
        if let Some(x) = g.site_tree()?.get(view.solicitation.site) {
            site.insert(x.id.0, x.display_name().to_string());
        }
        Ok(PublicData { s: view.solicitation, comments: view.comments, site, due, now: g.now() })
    })
    .await?)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    d: &PublicData,
    input: CommentInput,
    error: Option<String>,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let r = row(st, &d.site, &d.s, d.now, d.due);
    let comments: Vec<CommentRow> = d.comments.iter().map(|c| comment_row(st, c)).collect();
    let mut input = input;
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let frame = Frame::new(st, headers, uri, d.s.title.clone(), vec![(st.t("sol.title"), BASE.into())]).await?;
    let ctx = context! {
        s => crate::ser(&r),
        comments => crate::ser(&comments),
        open => d.s.phase(d.now) == SolicitationPhase::Open,
        input => crate::ser(&input),
        error => error,
        alert => alert,
        action => format!("{BASE}/{}", d.s.id),
    };
    frame.render(st, "interaction/solicitation_show.html", status, ctx)
}

async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let d = load_public(&st, id).await?;
    page(&st, &headers, &uri, &d, CommentInput::default(), None, None, StatusCode::OK).await
}

async fn comment(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let Some(bytes) = read_limited(&headers, body, LETTER_LIMIT).await else {
        let text = st.tf("sol.too_large", &[("kb", &(LETTER_LIMIT / 1024).to_string())]);
        return message_page(&st, &headers, &uri, StatusCode::PAYLOAD_TOO_LARGE, st.t("error.heading_413"), text).await;
    };
    let pairs = bo::form_pairs(&bytes);
    crate::check_csrf(&headers, bo::field(&pairs, "csrf"))?;
    let mut input = CommentInput {
        author: bo::field(&pairs, "author").to_string(),
        body: bo::field(&pairs, "body").to_string(),
        key: bo::field(&pairs, "key").to_string(),
    };
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let new = NewComment {
        author: Some(input.author.trim().to_string()).filter(|a| !a.is_empty()),
        body: input.body.clone(),
        idempotency_key: Some(input.key.clone()),
    };
    let actor = visitor_actor(&st, &headers).await;
    let origin = Origin::web(addr);
    let result = run_blocking(&st, move |g| g.submit_solicitation_comment(&actor, &origin, id, &new)).await;
    match result {
        Ok(receipt) => {
            let d = load_public(&st, id).await?;
            let title = st.t(if receipt.replayed { "sol.thanks.replayed" } else { "sol.thanks.title" });
            let frame = Frame::new(
                &st,
                &headers,
                &uri,
                title.clone(),
                vec![(st.t("sol.title"), BASE.into()), (d.s.title.clone(), format!("{BASE}/{id}"))],
            )
            .await?;
            let ctx = context! {
                title => title,
                solicitation => d.s.title.clone(),
                href => format!("{BASE}/{id}"),
                comment => crate::ser(comment_row(&st, &receipt.comment)),
            };
            frame.render(&st, "interaction/solicitation_thanks.html", StatusCode::OK, ctx)
        }
        Err(Error::Solicitation(e)) if e.is_user_error() => {
            let (status, text) =
                describe(st.catalogue(), &e).unwrap_or((StatusCode::BAD_REQUEST, st.t("error.bad_request")));
            let d = load_public(&st, id).await?;
            let (error, alert) = match e {
                SolicitationError::Invalid(_) => (Some(text), Some(st.t("sol.form.fix"))),
                _ => (None, Some(text)),
            };
            let mut res = page(&st, &headers, &uri, &d, input, error, alert, status).await?;
            if let SolicitationError::Throttled { minutes, .. } = e {
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(u64::from(minutes) * 60));
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// Back office.

/// What the editor typed.
#[derive(Debug, Clone, Default, Serialize)]
struct EditInput {
    site: String,
    title: String,
    intro: String,
    body: String,
    opens: String,
    closes: String,
}

impl EditInput {
    fn from_pairs(pairs: &[(String, String)]) -> EditInput {
        let f = |n: &str| bo::field(pairs, n).to_string();
        EditInput {
            site: f("site"),
            title: f("title"),
            intro: f("intro"),
            body: f("body"),
            opens: f("opens"),
            closes: f("closes"),
        }
    }

    fn from_solicitation(s: &Solicitation) -> EditInput {
        EditInput {
            site: String::new(),
            title: s.title.clone(),
            intro: s.intro.clone(),
            body: s.body.clone(),
            opens: bo::local_input(s.opens_at),
            closes: bo::local_input(s.closes_at),
        }
    }

    fn to_new(&self, st: &AppState) -> Result<NewSolicitation, String> {
        let opens = bo::parse_local(&self.opens).ok_or_else(|| st.t("sol.admin.err.opens"))?;
        let closes = bo::parse_local(&self.closes).ok_or_else(|| st.t("sol.admin.err.closes"))?;
        Ok(NewSolicitation {
            title: self.title.clone(),
            intro: self.intro.clone(),
            body: self.body.clone(),
            opens_at: opens,
            closes_at: closes,
        })
    }
}

#[derive(Debug, Serialize)]
struct SiteOption {
    code: String,
    name: String,
}

async fn writable_sites(st: &AppState, me: &Actor) -> Result<Vec<SiteOption>, Fail> {
    let sites = bo::call(st, me, |g, a| g.sites_for(a)).await?;
    Ok(sites
        .into_iter()
        .filter(|s| bo::may(me, Action::EditDraft, Resource::Site(s.id)))
        .map(|s| SiteOption { code: s.code.clone(), name: s.display_name().to_string() })
        .collect())
}

async fn form_ctx(
    st: &AppState,
    me: &Actor,
    s: Option<&Solicitation>,
    input: EditInput,
) -> Result<minijinja::Value, Fail> {
    let sites = if s.is_none() { writable_sites(st, me).await? } else { vec![] };
    Ok(context! {
        action => match s { Some(s) => format!("{ADMIN}/{}/edit", s.id), None => format!("{ADMIN}/new") },
        input => crate::ser(&input),
        sites => crate::ser(&sites),
        new => s.is_none(),
    })
}

async fn edit_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    s: Option<&Solicitation>,
    input: EditInput,
    alert: Option<String>,
    status: StatusCode,
) -> Reply {
    let title = match s {
        Some(s) => st.tf("sol.admin.edit_title", &[("title", &s.title)]),
        None => st.t("sol.admin.new_title"),
    };
    let form = form_ctx(st, me, s, input).await?;
    let frame = bo::Frame::new(st, headers, title.clone(), vec![(st.t("sol.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        form => form,
        alert => alert,
        back => s.map(|s| format!("{ADMIN}/{}", s.id)).unwrap_or_else(|| ADMIN.into()),
    };
    frame.render(st, "admin/solicitation_edit.html", status, ctx)
}

async fn save(st: AppState, headers: HeaderMap, id: Option<i64>, body: Body) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let pairs = crate::admin::read_form(&st, &headers, body, EDIT_LIMIT, "sol.admin.too_large").await?;
    let existing = match id {
        Some(id) => match bo::call(&st, &me, move |g, a| g.solicitation_admin(a, id)).await {
            Ok(v) => Some(v.solicitation),
            Err(e) => return Err(admin_fail(&st, &headers, e, ADMIN).await),
        },
        None => None,
    };
    let input = EditInput::from_pairs(&pairs);
    let new = match input.to_new(&st) {
        Ok(n) => n,
        Err(text) => {
            return edit_page(
                &st,
                &headers,
                &me,
                existing.as_ref(),
                input,
                Some(text),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let code = input.site.clone();
    let result = bo::call(&st, &me, move |g, a| match id {
        Some(id) => g.update_solicitation(a, &bo::origin(), id, &new),
        None => {
            let site = g.site(&code)?;
            g.create_solicitation(a, &bo::origin(), site.id, &new)
        }
    })
    .await;
    match result {
        Ok(s) => {
            Ok(bo::see_other(&format!("{ADMIN}/{}?done={}", s.id, if id.is_some() { "saved" } else { "created" })))
        }
        Err(Error::Solicitation(e @ (SolicitationError::Invalid(_) | SolicitationError::BadPeriod))) => {
            let text = describe(st.catalogue(), &e).map(|d| d.1).unwrap_or_else(|| st.t("error.bad_request"));
            edit_page(&st, &headers, &me, existing.as_ref(), input, Some(text), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(admin_fail(&st, &headers, e, ADMIN).await),
    }
}

fn may_moderate(me: &Actor, s: &Solicitation) -> bool {
    bo::may(me, Action::EditDraft, Resource::Site(s.site)) || bo::may(me, Action::ScreenTicket, Resource::Group)
}

async fn admin_list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let found = bo::call(&st, &me, |g, a| {
        let days = g.solicitation_settings()?.summary_days;
        let list = g.solicitations_admin(a)?;
        let mut out = Vec::with_capacity(list.len());
        for s in list {
            let due = due_of(g, &s, days)?;
            out.push((s, due));
        }
        Ok((out, site_names(g)?, g.now()))
    })
    .await;
    let (list, sites, now) = match found {
        Ok(v) => v,
        Err(e) => return Err(admin_fail(&st, &headers, e, "/admin").await),
    };
    let rows: Vec<Row> = list.iter().map(|(s, due)| row(&st, &sites, s, now, *due)).collect();
    let writable = writable_sites(&st, &me).await?;
    let frame = bo::Frame::new(&st, &headers, st.t("sol.admin.title"), vec![]).await?;
    let ctx = context! {
        title => st.t("sol.admin.title"),
        rows => crate::ser(&rows),
        sites => crate::ser(&writable),
        may_overdue => bo::may(&me, Action::ViewStats, Resource::Group),
        done => done_message(&st, "sol", q.done.as_deref()),
    };
    frame.render(&st, "admin/solicitation_list.html", StatusCode::OK, ctx)
}

async fn admin_overdue(State(st): State<AppState>, headers: HeaderMap) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let found = bo::call(&st, &me, |g, a| {
        let now = g.now();
        let overdue = g.solicitations_overdue_summary(a, now)?;
        let pending: Vec<_> = g.solicitations_without_summary(now)?.into_iter().filter(|d| !d.overdue).collect();
        Ok((overdue, pending, site_names(g)?, g.solicitation_settings()?.summary_days, now))
    })
    .await;
    let (overdue, pending, sites, days, now) = match found {
        Ok(v) => v,
        Err(e) => return Err(admin_fail(&st, &headers, e, ADMIN).await),
    };
    #[derive(Serialize)]
    struct DueRow {
        id: i64,
        title: String,
        site: Option<String>,
        closed: String,
        due: Option<String>,
        days_late: Option<i64>,
        comments: i64,
        drafted: bool,
    }
    let cal = st.group().calendar();
    let to_row = |d: &sitegroup::SolicitationSummaryDue| DueRow {
        id: d.id,
        title: d.title.clone(),
        site: sites.get(&d.site.0).cloned(),
        closed: crate::shanghai(d.closes_at - 1, "%Y-%m-%d"),
        due: d.due_at.map(|t| crate::shanghai(t, "%Y-%m-%d")),
        days_late: d.due_at.and_then(|due| {
            let (a, b) =
                (sitegroup::interaction::model::beijing_date(due)?, sitegroup::interaction::model::beijing_date(now)?);
            cal.working_days_between(a, b).ok()
        }),
        comments: d.comments,
        drafted: d.drafted,
    };
    let overdue: Vec<DueRow> = overdue.iter().map(to_row).collect();
    let pending: Vec<DueRow> = pending.iter().map(to_row).collect();
    let title = st.t("sol.overdue.title");
    let frame =
        bo::Frame::new(&st, &headers, title.clone(), vec![(st.t("sol.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        overdue => crate::ser(&overdue),
        pending => crate::ser(&pending),
        days => days,
        as_of => bo::when(now),
    };
    frame.render(&st, "admin/solicitation_overdue.html", StatusCode::OK, ctx)
}

async fn admin_new(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let now = st.group().now();
    let input = EditInput {
        site: q.site.unwrap_or_default(),
        opens: bo::local_input(now),
        closes: bo::local_input(now + 30 * 86_400),
        ..Default::default()
    };
    edit_page(&st, &headers, &me, None, input, None, StatusCode::OK).await
}

async fn admin_create(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    save(st, headers, None, body).await
}

async fn admin_edit(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    save(st, headers, Some(id), body).await
}

async fn admin_show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let found = bo::call(&st, &me, move |g, a| {
        let view = g.solicitation_admin(a, id)?;
        let days = g.solicitation_settings()?.summary_days;
        let due = due_of(g, &view.solicitation, days)?;
        Ok((view, due, site_names(g)?, g.now()))
    })
    .await;
    let (view, due, sites, now) = match found {
        Ok(v) => v,
        Err(e) => return Err(admin_fail(&st, &headers, e, ADMIN).await),
    };
    let s = &view.solicitation;
    let site = Resource::Site(s.site);
    let phase = s.phase(now);
    let editable = phase == SolicitationPhase::Draft && bo::may(&me, Action::EditDraft, site);
    let form = if editable { Some(form_ctx(&st, &me, Some(s), EditInput::from_solicitation(s)).await?) } else { None };
    let moderate = may_moderate(&me, s);
    let by_state = |state: CommentState| -> Vec<CommentRow> {
        view.comments.iter().filter(|c| c.state == state).map(|c| comment_row(&st, c)).collect()
    };
    let summary = match view.summary {
        SummaryStatus::NotDue => st.t("sol.summary.not_due"),
        SummaryStatus::Pending { due_at } => {
            st.tf("sol.summary.pending", &[("due", &crate::shanghai(due_at, "%Y-%m-%d"))])
        }
        SummaryStatus::Overdue { due_at } => {
            st.tf("sol.summary.overdue", &[("due", &crate::shanghai(due_at, "%Y-%m-%d"))])
        }
        SummaryStatus::Unknown => st.t("sol.summary.unknown"),
        SummaryStatus::Published { at } => st.tf("sol.summary.published", &[("at", &crate::shanghai(at, "%Y-%m-%d"))]),
    };
    let saved = s.feedback.clone();
    let frame =
        bo::Frame::new(&st, &headers, s.title.clone(), vec![(st.t("sol.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        s => crate::ser(row(&st, &sites, s, now, due)),
        form => form,
        may_publish => phase == SolicitationPhase::Draft && bo::may(&me, Action::PublishContent, site),
        may_close => matches!(phase, SolicitationPhase::Open | SolicitationPhase::Upcoming)
            && bo::may(&me, Action::PublishContent, site),
        moderate => moderate,
        pending => crate::ser(by_state(CommentState::Pending)),
        approved => crate::ser(by_state(CommentState::Approved)),
        rejected => crate::ser(by_state(CommentState::Rejected)),
        approved_count => view.approved,
        summary => summary,
        overdue => matches!(view.summary, SummaryStatus::Overdue { .. }),
        may_summarise => moderate && phase == SolicitationPhase::AwaitingSummary,
        feedback_text => saved.as_ref().map(|f| f.text.clone()).unwrap_or_default(),
        feedback_adopted => saved.as_ref().map(|f| f.adopted).unwrap_or(0),
        feedback_saved => saved.is_some(),
        feedback_published => s.feedback_published_at.is_some(),
        done => done_message(&st, "sol", q.done.as_deref()),
    };
    frame.render(&st, "admin/solicitation_show.html", StatusCode::OK, ctx)
}

/// A back-office POST: reads the small form, checks CSRF, runs `f`, redirects to the
/// solicitation with a done message, or explains the refusal.
async fn post_step<F>(st: AppState, headers: HeaderMap, back: String, body: Body, f: F) -> Reply
where
    F: FnOnce(&SiteGroup, &Actor, &[(String, String)]) -> Result<(i64, &'static str), Error> + Send + 'static,
{
    let me = bo::actor(&st, &headers).await?;
    let pairs = crate::admin::read_form(&st, &headers, body, STEP_LIMIT, "sol.admin.too_large").await?;
    match bo::call(&st, &me, move |g, a| f(g, a, &pairs)).await {
        Ok((id, done)) => Ok(bo::see_other(&format!("{ADMIN}/{id}?done={done}"))),
        Err(e) => Err(admin_fail(&st, &headers, e, &back).await),
    }
}

async fn admin_publish(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    post_step(st, headers, format!("{ADMIN}/{id}"), body, move |g, a, _| {
        g.publish_solicitation(a, &bo::origin(), id).map(|s| (s.id, "published"))
    })
    .await
}

async fn admin_close(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    post_step(st, headers, format!("{ADMIN}/{id}"), body, move |g, a, _| {
        g.close_solicitation(a, &bo::origin(), id).map(|s| (s.id, "closed"))
    })
    .await
}

async fn admin_feedback(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    post_step(st, headers, format!("{ADMIN}/{id}"), body, move |g, a, pairs| {
        let adopted = bo::field(pairs, "adopted").trim();
        let adopted = if adopted.is_empty() {
            0
        } else {
            adopted.parse::<u32>().map_err(|_| sitegroup::ValidationError::Malformed {
                field: "adopted",
                reason: "not a whole number".into(),
            })?
        };
        let fb = Feedback { text: bo::field(pairs, "text").to_string(), adopted };
        g.save_solicitation_feedback(a, &bo::origin(), id, &fb).map(|s| (s.id, "feedback_saved"))
    })
    .await
}

async fn admin_feedback_publish(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Reply {
    let id = parse_id(&id)?;
    post_step(st, headers, format!("{ADMIN}/{id}"), body, move |g, a, _| {
        g.publish_solicitation_feedback(a, &bo::origin(), id).map(|s| (s.id, "feedback_published"))
    })
    .await
}

async fn admin_moderate(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    post_step(st, headers, ADMIN.to_string(), body, move |g, a, pairs| {
        let decision = match bo::field(pairs, "op") {
            "approve" => Moderation::Approve,
            "reject" => Moderation::Reject { reason: bo::field(pairs, "reason").to_string() },
            _ => {
                return Err(
                    sitegroup::ValidationError::Malformed { field: "op", reason: "unknown decision".into() }.into()
                );
            }
        };
        g.moderate_solicitation_comment(a, &bo::origin(), id, &decision).map(|c| (c.solicitation, "moderated"))
    })
    .await
}
