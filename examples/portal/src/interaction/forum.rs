//! 论坛 (forum) pages of issue 5, item 7. Public pages under `/hudong/luntan`: the boards
//! with their counts, a board's threads in pages, a thread with its visible posts, its
//! ticket's state and deadline and its official replies (shown apart), the new-thread
//! and reply forms. Back office under `/admin/luntan`: the moderation queue (approve, or
//! refuse with a reason), every thread with all its posts (hide and restore with a
//! reason), official replies for handlers, and board management for the centre.
//!
//! Citizens have no account: a random poster key in an `HttpOnly` cookie
//! ([`POSTER_COOKIE`]) and the client address go to the library, which counts the rate
//! limits in the database and stores both only as salted hashes. Every form works
//! without JavaScript and carries the CSRF token and an idempotency key drawn per
//! render; bodies are plain text the templates escape (line breaks kept by
//! `white-space: pre-wrap`). Bursts get a Chinese message with HTTP 429 and
//! `Retry-After`; oversized requests a 413 page. Which back-office controls show is
//! asked of `authorize`; the library decides again on every step.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::interaction::flow::{RejectReason, TicketState};
use sitegroup::interaction::forum::{
    BoardChange, ForumError, Moderation, NewBoard, NewPost, NewThread, Post, PostStatus, RateScope, ThreadSummary,
};
use sitegroup::{
    Action, Actor, Error, ForumModeration, ForumOfficial, ForumPoster, OrgUnit, Origin, Resource, ThreadView, UnitId,
    ValidationError,
};

use super::{Frame, deadline_label, message_page, new_key, read_limited, reject_label};
use crate::admin::{self, Fail, Reply};
use crate::i18n::Catalogue;
use crate::{AppError, AppState, ClientAddr, run_blocking};

/// Path of the public forum pages.
const BASE: &str = "/hudong/luntan";
/// Path of the back office.
const ADMIN: &str = "/admin/luntan";
/// Cookie holding the visitor's poster key (32 hex digits).
pub(crate) const POSTER_COOKIE: &str = "sg_forum";
/// How long the poster key lives (a year).
const POSTER_MAX_AGE: i64 = 365 * 86_400;
/// Largest public post request: a 5,000-character body percent-encoded (9 bytes a
/// character) and the other fields, with room for a raised `forum.max_body_chars`.
const POST_LIMIT: usize = 128 * 1024;
/// Largest back-office form (an official reply may have 20,000 characters).
const ADMIN_LIMIT: usize = 1024 * 1024;
/// Threads per page of a board.
const PER_PAGE: u32 = 30;
/// Most rows in back-office lists.
const ADMIN_ROWS: i64 = 300;

/// Routes of the forum pages (merged by [`super::routes`], outside the app-wide body
/// limit: every POST reads its own body up to its limit).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(index))
        .route("/hudong/luntan/{board}", get(board_page))
        .route("/hudong/luntan/{board}/new", get(new_form).post(new_submit))
        .route("/hudong/luntan/{board}/{id}", get(thread_page))
        .route("/hudong/luntan/{board}/{id}/reply", post(reply_submit))
        .route(ADMIN, get(admin_queue))
        .route("/admin/luntan/posts/{id}/moderate", post(admin_moderate))
        .route("/admin/luntan/boards", get(admin_boards).post(admin_board_create))
        .route("/admin/luntan/boards/{id}", post(admin_board_update))
        .route("/admin/luntan/threads", get(admin_threads))
        .route("/admin/luntan/threads/{id}", get(admin_thread))
        .route("/admin/luntan/threads/{id}/reply", post(admin_official))
}

/// The status and Chinese message for a forum error; `None` leaves it to the portal's
/// general mapping.
pub(crate) fn describe(cat: &Catalogue, e: &ForumError) -> Option<(StatusCode, String)> {
    let t = |k: &str| cat.get(k).to_string();
    Some(match e {
        ForumError::Invalid(v) => {
            (StatusCode::BAD_REQUEST, cat.format("error.invalid", &[("detail", &crate::describe_validation(cat, v))]))
        }
        ForumError::BoardNotFound(_) => (StatusCode::NOT_FOUND, t("forum.err.board_not_found")),
        ForumError::ThreadNotFound(_) => (StatusCode::NOT_FOUND, t("forum.err.thread_not_found")),
        ForumError::PostNotFound(_) => (StatusCode::NOT_FOUND, t("forum.err.post_not_found")),
        ForumError::DuplicateBoard(slug) => {
            (StatusCode::CONFLICT, cat.format("forum.err.duplicate_board", &[("slug", slug)]))
        }
        ForumError::BoardClosed => (StatusCode::FORBIDDEN, t("forum.err.board_closed")),
        ForumError::ThreadClosed => (StatusCode::CONFLICT, t("forum.err.thread_closed")),
        ForumError::UnknownUnit(_) => (StatusCode::UNPROCESSABLE_ENTITY, t("forum.err.unknown_unit")),
        ForumError::UnitNotAllowed => (StatusCode::UNPROCESSABLE_ENTITY, t("forum.err.unit_not_allowed")),
        ForumError::Blocked(_) => (StatusCode::UNPROCESSABLE_ENTITY, t("forum.err.blocked")),
        ForumError::RateLimited { scope, retry_after, limit, window_secs } => {
            (StatusCode::TOO_MANY_REQUESTS, rate_message(cat, *scope, *retry_after, *limit, *window_secs))
        }
        ForumError::IllegalModeration { from, .. } => (
            StatusCode::CONFLICT,
            cat.format("forum.err.moderation", &[("state", cat.get(&format!("forum.status.{}", from.as_str())))]),
        ),
        _ => return None,
    })
}

/// "Wait 3 minutes" / "wait 20 seconds".
fn wait_text(cat: &Catalogue, seconds: i64) -> String {
    if seconds >= 60 {
        cat.format("forum.wait.minutes", &[("n", &((seconds + 59) / 60).to_string())])
    } else {
        cat.format("forum.wait.seconds", &[("n", &seconds.max(1).to_string())])
    }
}

fn rate_message(cat: &Catalogue, scope: RateScope, retry_after: i64, limit: u32, window_secs: i64) -> String {
    let wait = wait_text(cat, retry_after);
    let minutes = ((window_secs + 59) / 60).to_string();
    let key = format!("forum.err.rate_{}", scope.as_str());
    cat.format(&key, &[("count", &limit.to_string()), ("minutes", &minutes), ("wait", &wait)])
}

// ---------------------------------------------------------------------------------
// Shared pieces.

/// The visitor's poster key, and the cookie to set when it is new.
fn poster_key(st: &AppState, headers: &HeaderMap) -> Result<(String, Option<HeaderValue>), AppError> {
    if let Some(k) =
        crate::cookie(headers, POSTER_COOKIE).filter(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Ok((k.to_string(), None));
    }
    let key = new_key()?;
    let set = crate::set_cookie(st, POSTER_COOKIE, &key, "Lax", Some(POSTER_MAX_AGE));
    Ok((key, set))
}

fn with_cookie(mut res: Response, set: Option<HeaderValue>) -> Response {
    if let Some(v) = set {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn not_found() -> AppError {
    AppError::Status(StatusCode::NOT_FOUND)
}

fn thread_href(board: &str, id: i64) -> String {
    format!("{BASE}/{board}/{id}")
}

fn unit_name(units: &[OrgUnit], id: Option<UnitId>) -> Option<String> {
    id.and_then(|id| units.iter().find(|u| u.id == id)).map(|u| u.name.clone())
}

/// A thread in a list.
#[derive(Debug, Serialize)]
struct ThreadRow {
    id: i64,
    href: String,
    admin_href: String,
    board: String,
    subject: String,
    nickname: String,
    unit: Option<String>,
    replies: i64,
    answered: bool,
    status: &'static str,
    status_label: String,
    ticket: Option<i64>,
    ticket_state: Option<String>,
    created: String,
    last: String,
}

fn thread_row(st: &AppState, s: &ThreadSummary, board_slug: &str, units: &[OrgUnit]) -> ThreadRow {
    let t = &s.thread;
    ThreadRow {
        id: t.id,
        href: thread_href(board_slug, t.id),
        admin_href: format!("{ADMIN}/threads/{}", t.id),
        board: board_slug.to_string(),
        subject: t.subject.clone(),
        nickname: t.nickname.clone(),
        unit: unit_name(units, t.unit),
        replies: s.replies,
        answered: s.answered(),
        status: t.status.as_str(),
        status_label: st.t(&format!("forum.status.{}", t.status.as_str())),
        ticket: t.ticket,
        ticket_state: s.ticket_state.map(|k| st.t(&format!("ix.state.{}", k.as_str()))),
        created: crate::shanghai(t.created_at, "%Y-%m-%d"),
        last: crate::shanghai(t.last_post_at, "%Y-%m-%d %H:%M"),
    }
}

/// A post as shown.
#[derive(Debug, Serialize)]
struct PostRow {
    id: i64,
    floor: usize,
    opening: bool,
    nickname: String,
    body: String,
    official: bool,
    speaker: String,
    author: Option<String>,
    created: String,
    status: &'static str,
    status_label: String,
    note: Option<String>,
    findings: Vec<admin::FindingRow>,
}

fn post_rows(st: &AppState, posts: &[Post], units: &[OrgUnit]) -> Vec<PostRow> {
    posts
        .iter()
        .enumerate()
        .map(|(i, p)| PostRow {
            id: p.id,
            floor: i + 1,
            opening: p.opening,
            nickname: p.nickname.clone(),
            body: p.body.clone(),
            official: p.official,
            speaker: if p.official {
                unit_name(units, p.official_unit).unwrap_or_else(|| st.t("forum.official.centre"))
            } else {
                p.nickname.clone()
            },
            author: p.author.clone(),
            created: crate::shanghai(p.created_at, "%Y-%m-%d %H:%M"),
            status: p.status.as_str(),
            status_label: st.t(&format!("forum.status.{}", p.status.as_str())),
            note: p.moderation.as_ref().filter(|m| !m.note.is_empty()).map(|m| match m.reason {
                Some(r) => format!("{}：{}", reject_label(st, r), m.note),
                None => m.note.clone(),
            }),
            findings: admin::finding_rows(st, &p.findings),
        })
        .collect()
}

/// The ticket of a thread as shown.
#[derive(Debug, Serialize)]
struct TicketPanel {
    id: i64,
    code: String,
    state: &'static str,
    state_label: String,
    unit: Option<String>,
    received: String,
    due: Option<String>,
    deadline: &'static str,
    deadline_label: String,
    reply: Option<String>,
    replied: Option<String>,
}

fn ticket_panel(st: &AppState, view: &ThreadView, units: &[OrgUnit]) -> Option<TicketPanel> {
    let t = view.ticket.as_ref()?;
    let (deadline, deadline_label) = deadline_label(st, t.deadline);
    Some(TicketPanel {
        id: t.id,
        code: t.query_code.clone(),
        state: t.state.as_str(),
        state_label: st.t(&format!("ix.state.{}", t.state.as_str())),
        unit: unit_name(units, t.unit),
        received: crate::shanghai(t.received_at, "%Y-%m-%d %H:%M"),
        due: t.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d")),
        deadline,
        deadline_label,
        reply: t.reply.clone(),
        replied: t.replied_at.map(|r| crate::shanghai(r, "%Y-%m-%d %H:%M")),
    })
}

/// The page links of a board (the same shape as the public pager macro's).
#[derive(Debug, Serialize)]
struct Pager {
    total: i64,
    page: u32,
    pages: u32,
    first: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    last: Option<String>,
    numbers: Vec<(String, String, bool)>,
}

fn pager(base: &str, total: i64, page: u32, pages: u32) -> Pager {
    let href = |n: u32| if n <= 1 { base.to_string() } else { format!("{base}?page={n}") };
    let from = page.saturating_sub(3).max(1);
    let to = (page + 3).min(pages);
    Pager {
        total,
        page,
        pages,
        first: (page > 1).then(|| href(1)),
        prev: (page > 1).then(|| href(page - 1)),
        next: (page < pages).then(|| href(page + 1)),
        last: (page < pages).then(|| href(pages)),
        numbers: (from..=to).map(|n| (n.to_string(), href(n), n == page)).collect(),
    }
}

/// The form field a validation error belongs to, and its Chinese message.
fn field_error(st: &AppState, v: &ValidationError) -> (&'static str, String) {
    let field = match v {
        ValidationError::Empty { field } | ValidationError::TooLong { field, .. } => *field,
        ValidationError::Malformed { field, .. } => *field,
        _ => "",
    };
    let name = match field {
        "nickname" => "nickname",
        "subject" => "subject",
        "body" | "reply" => "body",
        "unit" => "unit",
        _ => "",
    };
    let label = st.t(&format!("forum.field.{}", if name.is_empty() { "other" } else { name }));
    let text = match v {
        ValidationError::Empty { .. } => st.tf("forum.err.empty", &[("field", &label)]),
        ValidationError::TooLong { len, max, .. } => {
            st.tf("forum.err.too_long", &[("field", &label), ("len", &len.to_string()), ("max", &max.to_string())])
        }
        ValidationError::Malformed { .. } => st.tf("forum.err.malformed", &[("field", &label)]),
        _ => st.t("error.invalid_rule"),
    };
    (name, text)
}

/// How a refused citizen's post is shown on its form.
struct Refusal {
    status: StatusCode,
    errors: HashMap<&'static str, String>,
    alert: String,
    findings: Vec<admin::FindingRow>,
    retry_after: Option<i64>,
}

/// A refusal the visitor can fix (shown on the form), or the error for the general page.
fn refusal(st: &AppState, e: Error) -> Result<Refusal, AppError> {
    let mut r = Refusal {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        errors: HashMap::new(),
        alert: st.t("forum.form.fix"),
        findings: vec![],
        retry_after: None,
    };
    match &e {
        Error::Invalid(v) | Error::Forum(ForumError::Invalid(v)) => {
            let (field, text) = field_error(st, v);
            if field.is_empty() {
                r.alert = text;
            } else {
                r.errors.insert(field, text);
            }
        }
        Error::Forum(f @ (ForumError::UnknownUnit(_) | ForumError::UnitNotAllowed)) => {
            let text = describe(st.catalogue(), f).map(|d| d.1).unwrap_or_default();
            // A unit's board shows no unit field: the message goes in the alert too.
            r.alert = text.clone();
            r.errors.insert("unit", text);
        }
        Error::Forum(
            f @ (ForumError::Blocked(_)
            | ForumError::RateLimited { .. }
            | ForumError::BoardClosed
            | ForumError::ThreadClosed),
        ) => {
            if let Some((status, text)) = describe(st.catalogue(), f) {
                r.status = status;
                r.alert = text;
            }
            match f {
                ForumError::Blocked(found) => r.findings = admin::finding_rows(st, found),
                ForumError::RateLimited { retry_after, .. } => r.retry_after = Some(*retry_after),
                _ => {}
            }
        }
        _ => return Err(e.into()),
    }
    Ok(r)
}

fn retry_header(res: &mut Response, seconds: Option<i64>) {
    if let Some(s) = seconds
        && let Ok(v) = HeaderValue::from_str(&s.max(1).to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

// ---------------------------------------------------------------------------------
// Public pages.

#[derive(Debug, Serialize)]
struct BoardRow {
    slug: String,
    name: String,
    description: String,
    href: String,
    unit: Option<String>,
    moderation: String,
    open: bool,
    threads: i64,
    answered: i64,
}

async fn index(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let (boards, stats, units) =
        run_blocking(&st, |g| Ok((g.forum_boards()?, g.forum_stats()?, g.list_units(&Actor::anonymous())?))).await?;
    let rows: Vec<BoardRow> = boards
        .iter()
        .map(|b| BoardRow {
            slug: b.board.slug.clone(),
            name: b.board.name.clone(),
            description: b.board.description.clone(),
            href: format!("{BASE}/{}", b.board.slug),
            unit: unit_name(&units, b.board.unit),
            moderation: st.t(&format!("forum.moderation.{}", b.board.moderation.as_str())),
            open: b.board.open,
            threads: b.threads,
            answered: b.answered,
        })
        .collect();
    let rate = if stats.threads > 0 {
        format!("{:.1}", stats.answered as f64 * 100.0 / stats.threads as f64)
    } else {
        "0".into()
    };
    let title = st.t("forum.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    let ctx = context! { title => title, boards => crate::ser(&rows), threads => stats.threads, answered => stats.answered, rate => rate };
    frame.render(&st, "interaction/forum_index.html", StatusCode::OK, ctx)
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

async fn board_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page: u32 = q.page.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1).max(1);
    let s = slug.clone();
    let result =
        run_blocking(&st, move |g| Ok((g.forum_threads(&s, page, PER_PAGE)?, g.list_units(&Actor::anonymous())?)))
            .await;
    let (tp, units) = match result {
        Ok(v) => v,
        Err(Error::Forum(ForumError::BoardNotFound(_))) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let base = format!("{BASE}/{}", tp.board.slug);
    let rows: Vec<ThreadRow> = tp.threads.iter().map(|t| thread_row(&st, t, &tp.board.slug, &units)).collect();
    let title = tp.board.name.clone();
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![(st.t("forum.title"), BASE.into())]).await?;
    let ctx = context! {
        title => title,
        board => context! {
            slug => tp.board.slug.clone(),
            description => tp.board.description.clone(),
            open => tp.board.open,
            unit => unit_name(&units, tp.board.unit),
            moderation => st.t(&format!("forum.moderation.{}", tp.board.moderation.as_str())),
            new_href => format!("{base}/new"),
        },
        rows => crate::ser(&rows),
        pager => crate::ser(pager(&base, tp.total, tp.page, tp.pages)),
    };
    frame.render(&st, "interaction/forum_board.html", StatusCode::OK, ctx)
}

/// What the poster typed on the new-thread form.
#[derive(Debug, Clone, Default, Serialize)]
struct ThreadInput {
    unit: String,
    nickname: String,
    subject: String,
    body: String,
    key: String,
}

#[derive(Debug, Serialize)]
struct UnitOption {
    code: String,
    name: String,
}

#[allow(clippy::too_many_arguments)]
async fn new_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    slug: &str,
    input: ThreadInput,
    refused: Option<Refusal>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let s = slug.to_string();
    let result = run_blocking(st, move |g| {
        Ok((g.forum_board(&s)?, g.list_units(&Actor::anonymous())?, g.forum_settings()?.max_body_chars))
    })
    .await;
    let (board, units, max_body) = match result {
        Ok(v) => v,
        Err(Error::Forum(ForumError::BoardNotFound(_))) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let title = st.tf("forum.new.title", &[("board", &board.name)]);
    let trail = vec![(st.t("forum.title"), BASE.to_string()), (board.name.clone(), format!("{BASE}/{}", board.slug))];
    let frame = Frame::new(st, headers, uri, title.clone(), trail).await?;
    let options: Vec<UnitOption> =
        units.iter().map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() }).collect();
    let (errors, alert, findings) = match refused {
        Some(r) => (r.errors, Some(r.alert), r.findings),
        None => (HashMap::new(), None, vec![]),
    };
    let ctx = context! {
        title => title,
        board => context! {
            slug => board.slug.clone(),
            name => board.name.clone(),
            open => board.open,
            pre => board.moderation == Moderation::Pre,
            unit => unit_name(&units, board.unit),
            addressable => board.addressable && board.unit.is_none(),
        },
        action => format!("{BASE}/{}/new", board.slug),
        units => crate::ser(&options),
        input => crate::ser(&input),
        errors => crate::ser(&errors),
        alert => alert,
        findings => crate::ser(&findings),
        max_body => max_body,
    };
    frame.render(st, "interaction/forum_new.html", status, ctx)
}

async fn new_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let q: HashMap<String, String> =
        uri.query().map(|q| admin::form_pairs(q.as_bytes())).unwrap_or_default().into_iter().collect();
    let input =
        ThreadInput { key: new_key()?, unit: q.get("unit").cloned().unwrap_or_default(), ..ThreadInput::default() };
    new_page(&st, &headers, &uri, &slug, input, None, StatusCode::OK).await
}

async fn too_large(st: &AppState, headers: &HeaderMap, uri: &Uri) -> Result<Response, AppError> {
    let text = st.tf("forum.too_large", &[("kb", &(POST_LIMIT / 1024).to_string())]);
    message_page(st, headers, uri, StatusCode::PAYLOAD_TOO_LARGE, st.t("error.heading_413"), text).await
}

async fn new_submit(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Path(slug): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let Some(bytes) = read_limited(&headers, body, POST_LIMIT).await else {
        return too_large(&st, &headers, &uri).await;
    };
    let pairs = admin::form_pairs(&bytes);
    crate::check_csrf(&headers, admin::field(&pairs, "csrf"))?;
    let f = |n: &str| admin::field(&pairs, n).to_string();
    let mut input =
        ThreadInput { unit: f("unit"), nickname: f("nickname"), subject: f("subject"), body: f("body"), key: f("key") };
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let (key, set) = poster_key(&st, &headers)?;
    let new = NewThread {
        board: slug.clone(),
        unit: Some(input.unit.trim().to_string()).filter(|u| !u.is_empty()),
        nickname: input.nickname.clone(),
        subject: input.subject.clone(),
        body: input.body.clone(),
        idempotency_key: Some(input.key.clone()),
    };
    let poster = ForumPoster { key, address: addr };
    let result = run_blocking(&st, move |g| g.forum_post_thread(&Origin::web(None), &poster, &new)).await;
    match result {
        Ok(p) => {
            let visible = p.post.status == PostStatus::Visible;
            let title = st.t(if visible { "forum.posted.title" } else { "forum.posted.pending_title" });
            let trail = vec![(st.t("forum.title"), BASE.to_string())];
            let frame = Frame::new(&st, &headers, &uri, title.clone(), trail).await?;
            let ctx = context! {
                title => title,
                visible => visible,
                replayed => p.replayed,
                subject => p.thread.subject.clone(),
                href => thread_href(&slug.to_ascii_lowercase(), p.thread.id),
                board_href => format!("{BASE}/{}", slug.to_ascii_lowercase()),
                ticket => p.ticket.as_ref().map(|t| context! {
                    code => t.query_code.clone(),
                    secret => t.secret.clone(),
                    due => t.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d")),
                }),
            };
            Ok(with_cookie(frame.render(&st, "interaction/forum_posted.html", StatusCode::OK, ctx)?, set))
        }
        Err(Error::Forum(ForumError::BoardNotFound(_))) => Err(not_found()),
        Err(e) => {
            let r = refusal(&st, e)?;
            let (status, retry) = (r.status, r.retry_after);
            let mut res = new_page(&st, &headers, &uri, &slug, input, Some(r), status).await?;
            retry_header(&mut res, retry);
            Ok(with_cookie(res, set))
        }
    }
}

/// What the poster typed on the reply form.
#[derive(Debug, Clone, Default, Serialize)]
struct ReplyInput {
    nickname: String,
    body: String,
    key: String,
}

#[derive(Debug, Default, Deserialize)]
struct ThreadQuery {
    #[serde(default)]
    sent: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn thread_view(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    slug: &str,
    id: &str,
    input: ReplyInput,
    refused: Option<Refusal>,
    sent: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let result = run_blocking(st, move |g| {
        Ok((g.forum_thread(id)?, g.list_units(&Actor::anonymous())?, g.forum_settings()?.max_body_chars))
    })
    .await;
    let (view, units, max_body) = match result {
        Ok(v) => v,
        Err(Error::Forum(ForumError::ThreadNotFound(_))) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if !view.board.slug.eq_ignore_ascii_case(slug) {
        return Err(not_found());
    }
    let posts = post_rows(st, &view.posts, &units);
    let (opening, replies): (Vec<PostRow>, Vec<PostRow>) = posts.into_iter().partition(|p| p.opening);
    let ticket = ticket_panel(st, &view, &units);
    let title = view.thread.thread.subject.clone();
    let trail =
        vec![(st.t("forum.title"), BASE.to_string()), (view.board.name.clone(), format!("{BASE}/{}", view.board.slug))];
    let frame = Frame::new(st, headers, uri, title.clone(), trail).await?;
    let (errors, alert, findings) = match refused {
        Some(r) => (r.errors, Some(r.alert), r.findings),
        None => (HashMap::new(), None, vec![]),
    };
    let sent = sent.filter(|s| s == "pending").map(|_| st.t("forum.reply.pending"));
    let ctx = context! {
        title => title,
        thread => context! {
            id => view.thread.thread.id,
            nickname => view.thread.thread.nickname.clone(),
            unit => unit_name(&units, view.thread.thread.unit),
            created => crate::shanghai(view.thread.thread.created_at, "%Y-%m-%d %H:%M"),
            replies => view.thread.replies,
            answered => view.answered(),
        },
        board => context! { slug => view.board.slug.clone(), name => view.board.name.clone(), open => view.board.open, pre => view.board.moderation == Moderation::Pre },
        opening => crate::ser(opening.first()),
        replies => crate::ser(&replies),
        ticket => crate::ser(&ticket),
        action => format!("{}/reply", thread_href(&view.board.slug, view.thread.thread.id)),
        input => crate::ser(&input),
        errors => crate::ser(&errors),
        alert => alert,
        findings => crate::ser(&findings),
        sent => sent,
        max_body => max_body,
    };
    frame.render(st, "interaction/forum_thread.html", status, ctx)
}

async fn thread_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, AppError> {
    let input = ReplyInput { key: new_key()?, ..ReplyInput::default() };
    thread_view(&st, &headers, &uri, &slug, &id, input, None, q.sent, StatusCode::OK).await
}

async fn reply_submit(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Path((slug, id)): Path<(String, String)>,
    body: Body,
) -> Result<Response, AppError> {
    let thread: i64 = id.parse().map_err(|_| not_found())?;
    let Some(bytes) = read_limited(&headers, body, POST_LIMIT).await else {
        return too_large(&st, &headers, &uri).await;
    };
    let pairs = admin::form_pairs(&bytes);
    crate::check_csrf(&headers, admin::field(&pairs, "csrf"))?;
    let f = |n: &str| admin::field(&pairs, n).to_string();
    let mut input = ReplyInput { nickname: f("nickname"), body: f("body"), key: f("key") };
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let (key, set) = poster_key(&st, &headers)?;
    let new = NewPost {
        nickname: input.nickname.clone(),
        body: input.body.clone(),
        idempotency_key: Some(input.key.clone()),
    };
    let poster = ForumPoster { key, address: addr };
    let result = run_blocking(&st, move |g| g.forum_reply(&Origin::web(None), &poster, thread, &new)).await;
    match result {
        Ok(p) => {
            let href = thread_href(&slug.to_ascii_lowercase(), thread);
            let to = if p.post.status == PostStatus::Visible {
                format!("{href}#p{}", p.post.id)
            } else {
                format!("{href}?sent=pending")
            };
            Ok(with_cookie(admin::see_other(&to), set))
        }
        Err(Error::Forum(ForumError::ThreadNotFound(_))) => Err(not_found()),
        Err(e) => {
            let r = refusal(&st, e)?;
            let (status, retry) = (r.status, r.retry_after);
            let mut res = thread_view(&st, &headers, &uri, &slug, &id, input, Some(r), None, status).await?;
            retry_header(&mut res, retry);
            Ok(with_cookie(res, set))
        }
    }
}

// ---------------------------------------------------------------------------------
// Back office.

#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    unanswered: Option<String>,
}

fn done_message(st: &AppState, done: Option<&str>) -> Option<String> {
    let key = format!("forum.done.{}", done?);
    st.catalogue().has(&key).then(|| st.t(&key))
}

/// The back office's forum links and which show.
fn nav(me: &Actor) -> minijinja::Value {
    context! { moderate => admin::may(me, Action::ScreenTicket, Resource::Group) }
}

#[derive(Debug, Serialize)]
struct QueueRow {
    post: PostRow,
    thread: i64,
    subject: String,
    board: String,
    href: String,
    unit: Option<String>,
}

async fn admin_queue(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = admin::actor(&st, &headers).await?;
    let result = admin::call(&st, &me, |g, a| Ok((g.forum_queue(a, ADMIN_ROWS)?, g.list_units(a)?))).await;
    let (items, units) = match result {
        Ok(v) => v,
        // Not a moderator: the threads the actor may answer (refused there if none).
        Err(Error::Denied(_)) => return Ok(admin::see_other(&format!("{ADMIN}/threads"))),
        Err(e) => return Err(e.into()),
    };
    let rows: Vec<QueueRow> = items
        .iter()
        .filter_map(|i| {
            Some(QueueRow {
                post: post_rows(&st, std::slice::from_ref(&i.post), &units).into_iter().next()?,
                thread: i.thread.id,
                subject: i.thread.subject.clone(),
                board: i.board.name.clone(),
                href: format!("{ADMIN}/threads/{}", i.thread.id),
                unit: unit_name(&units, i.thread.unit),
            })
        })
        .collect();
    let title = st.t("forum.admin.queue");
    let frame = admin::Frame::new(&st, &headers, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        rows => crate::ser(&rows),
        nav => nav(&me),
        back => ADMIN,
        reasons => reasons(&st),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/forum_queue.html", StatusCode::OK, ctx)
}

fn reasons(st: &AppState) -> Vec<(String, String)> {
    [RejectReason::Spam, RejectReason::Duplicate, RejectReason::OutOfScope]
        .into_iter()
        .map(|r| (reason_code(r).to_string(), reject_label(st, r)))
        .collect()
}

fn reason_code(r: RejectReason) -> &'static str {
    match r {
        RejectReason::Spam => "spam",
        RejectReason::Duplicate => "duplicate",
        RejectReason::OutOfScope => "out_of_scope",
    }
}

/// A back-office path to go back to after a step (only ours).
fn back_to(pairs: &[(String, String)], default: &str) -> String {
    Some(admin::field(pairs, "back"))
        .filter(|b| b.starts_with(ADMIN) && !b.contains("//"))
        .map_or_else(|| default.to_string(), str::to_string)
}

fn with_done(back: &str, done: &str) -> String {
    let sep = if back.contains('?') { '&' } else { '?' };
    format!("{back}{sep}done={done}")
}

fn invalid(field: &'static str) -> Error {
    Error::Invalid(ValidationError::Empty { field })
}

async fn admin_moderate(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id: i64 = id.parse().map_err(|_| Fail::from(not_found()))?;
    let pairs = crate::admin::read_form(&st, &headers, body, ADMIN_LIMIT, "forum.admin.too_large").await?;
    let me = admin::actor(&st, &headers).await?;
    let back = back_to(&pairs, ADMIN);
    let op = admin::field(&pairs, "op").to_string();
    let note = admin::field(&pairs, "note").to_string();
    let decision = match op.as_str() {
        "approve" => Ok(ForumModeration::Approve),
        "restore" => Ok(ForumModeration::Restore),
        "hide" => Ok(ForumModeration::Hide { note }),
        "reject" => match admin::field(&pairs, "reason") {
            "spam" => Ok(ForumModeration::Reject { reason: RejectReason::Spam, note }),
            "duplicate" => Ok(ForumModeration::Reject { reason: RejectReason::Duplicate, note }),
            "out_of_scope" => Ok(ForumModeration::Reject { reason: RejectReason::OutOfScope, note }),
            _ => Err(invalid("reason")),
        },
        _ => Err(Error::Invalid(ValidationError::Rule("unknown step".into()))),
    };
    let result = match decision {
        Ok(d) => admin::call(&st, &me, move |g, a| g.forum_moderate(a, &admin::origin(), id, &d)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(admin::see_other(&with_done(&back, &op))),
        Err(Error::Forum(ForumError::PostNotFound(_))) => Err(not_found().into()),
        Err(e) => Err(admin_refuse(&st, &headers, e, &back).await),
    }
}

/// A refused back-office form: the forum's own messages, else the back office's.
async fn admin_refuse(st: &AppState, headers: &HeaderMap, e: Error, back: &str) -> Fail {
    let own = match &e {
        Error::Forum(f) if f.is_user_error() => describe(st.catalogue(), f),
        _ => None,
    };
    let Some((status, text)) = own else { return admin::refuse(st, headers, e, back).await };
    let findings = match &e {
        Error::Forum(ForumError::Blocked(f)) => admin::finding_rows(st, f),
        _ => vec![],
    };
    match admin::notice(st, headers, status, &st.t("admin.notice.failed"), &text, findings, back).await {
        Ok(res) => Fail::Page(Box::new(res)),
        Err(f) => f,
    }
}

#[derive(Debug, Serialize)]
struct BoardAdminRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    unit: Option<String>,
    addressable: bool,
    moderation: &'static str,
    open: bool,
    position: i64,
    threads: i64,
    answered: i64,
    href: String,
}

async fn admin_boards(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = admin::actor(&st, &headers).await?;
    if !admin::may(&me, Action::ScreenTicket, Resource::Group) {
        return Err(AppError::Status(StatusCode::FORBIDDEN).into());
    }
    let (boards, units) = admin::call(&st, &me, |g, a| Ok((g.forum_boards()?, g.list_units(a)?))).await?;
    let rows: Vec<BoardAdminRow> = boards
        .iter()
        .map(|b| BoardAdminRow {
            id: b.board.id,
            slug: b.board.slug.clone(),
            name: b.board.name.clone(),
            description: b.board.description.clone(),
            unit: unit_name(&units, b.board.unit),
            addressable: b.board.addressable,
            moderation: b.board.moderation.as_str(),
            open: b.board.open,
            position: b.board.position,
            threads: b.threads,
            answered: b.answered,
            href: format!("{BASE}/{}", b.board.slug),
        })
        .collect();
    let options: Vec<UnitOption> =
        units.iter().map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() }).collect();
    let title = st.t("forum.admin.boards");
    let frame =
        admin::Frame::new(&st, &headers, title.clone(), vec![(st.t("forum.admin.queue"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        rows => crate::ser(&rows),
        units => crate::ser(&options),
        nav => nav(&me),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/forum_boards.html", StatusCode::OK, ctx)
}

fn moderation_of(pairs: &[(String, String)]) -> Result<Moderation, Error> {
    Moderation::parse(admin::field(pairs, "moderation")).ok_or_else(|| invalid("moderation"))
}

fn position_of(pairs: &[(String, String)]) -> Result<i64, Error> {
    let p = admin::field(pairs, "position").trim();
    if p.is_empty() {
        return Ok(0);
    }
    p.parse()
        .map_err(|_| Error::Invalid(ValidationError::Malformed { field: "position", reason: "not a number".into() }))
}

async fn admin_board_create(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, ADMIN_LIMIT, "forum.admin.too_large").await?;
    let me = admin::actor(&st, &headers).await?;
    let back = format!("{ADMIN}/boards");
    let new = (|| {
        Ok::<_, Error>(NewBoard {
            slug: admin::field(&pairs, "slug").to_string(),
            name: admin::field(&pairs, "name").to_string(),
            description: admin::field(&pairs, "description").to_string(),
            unit: Some(admin::field(&pairs, "unit").trim().to_string()).filter(|u| !u.is_empty()),
            addressable: !admin::field(&pairs, "addressable").is_empty(),
            moderation: moderation_of(&pairs)?,
            position: position_of(&pairs)?,
        })
    })();
    let result = match new {
        Ok(n) => admin::call(&st, &me, move |g, a| g.forum_create_board(a, &admin::origin(), &n)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(admin::see_other(&with_done(&back, "board_create"))),
        Err(e) => Err(admin_refuse(&st, &headers, e, &back).await),
    }
}

async fn admin_board_update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Reply {
    let id: i64 = id.parse().map_err(|_| Fail::from(not_found()))?;
    let pairs = crate::admin::read_form(&st, &headers, body, ADMIN_LIMIT, "forum.admin.too_large").await?;
    let me = admin::actor(&st, &headers).await?;
    let back = format!("{ADMIN}/boards");
    let change = (|| {
        Ok::<_, Error>(BoardChange {
            name: Some(admin::field(&pairs, "name").to_string()),
            description: Some(admin::field(&pairs, "description").to_string()),
            moderation: Some(moderation_of(&pairs)?),
            open: Some(!admin::field(&pairs, "open").is_empty()),
            position: Some(position_of(&pairs)?),
            addressable: Some(!admin::field(&pairs, "addressable").is_empty()),
        })
    })();
    let result = match change {
        Ok(c) => admin::call(&st, &me, move |g, a| g.forum_update_board(a, &admin::origin(), id, &c)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(admin::see_other(&with_done(&back, "board_update"))),
        Err(Error::Forum(ForumError::BoardNotFound(_))) => Err(not_found().into()),
        Err(e) => Err(admin_refuse(&st, &headers, e, &back).await),
    }
}

async fn admin_threads(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = admin::actor(&st, &headers).await?;
    let unanswered = q.unanswered.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    let (list, boards, units) = admin::call(&st, &me, move |g, a| {
        Ok((g.forum_admin_threads(a, unanswered, ADMIN_ROWS)?, g.forum_boards()?, g.list_units(a)?))
    })
    .await?;
    let rows: Vec<ThreadRow> = list
        .iter()
        .map(|t| {
            let slug =
                boards.iter().find(|b| b.board.id == t.thread.board).map(|b| b.board.slug.clone()).unwrap_or_default();
            thread_row(&st, t, &slug, &units)
        })
        .collect();
    let title = st.t("forum.admin.threads");
    let frame = admin::Frame::new(&st, &headers, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        rows => crate::ser(&rows),
        unanswered => unanswered,
        nav => nav(&me),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/forum_threads.html", StatusCode::OK, ctx)
}

async fn admin_thread(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Reply {
    let id: i64 = id.parse().map_err(|_| Fail::from(not_found()))?;
    let me = admin::actor(&st, &headers).await?;
    let result = admin::call(&st, &me, move |g, a| {
        let view = g.forum_admin_thread(a, id)?;
        let units = g.list_units(a)?;
        // Units the actor may speak for (the library decides again).
        let tree = g.site_tree()?;
        let mut speak: Vec<UnitId> = tree
            .sites()
            .iter()
            .filter(|s| admin::may(a, Action::HandleTicket, Resource::Site(s.id)))
            .filter_map(|s| s.unit)
            .collect();
        speak.sort_unstable_by_key(|u| u.0);
        speak.dedup();
        Ok((view, units, speak))
    })
    .await;
    let (view, units, speak) = match result {
        Ok(v) => v,
        Err(Error::Forum(ForumError::ThreadNotFound(_))) => return Err(not_found().into()),
        Err(e) => return Err(e.into()),
    };
    let moderate = admin::may(&me, Action::ScreenTicket, Resource::Group);
    let centre = admin::may(&me, Action::HandleTicket, Resource::Group);
    let ticket = ticket_panel(&st, &view, &units);
    // On a ticket thread the reply goes to the ticket: only while it is with the unit.
    let ticket_unit = view.ticket.as_ref().and_then(|t| t.unit);
    let reply_form = match &view.ticket {
        Some(t) => t.state == TicketState::Assigned && (centre || ticket_unit.is_some_and(|u| speak.contains(&u))),
        None => view.thread.thread.status == PostStatus::Visible && (centre || !speak.is_empty()),
    };
    let speak_as: Vec<UnitOption> = units
        .iter()
        .filter(|u| speak.contains(&u.id) || (centre && view.ticket.is_none()))
        .map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() })
        .collect();
    let posts = post_rows(&st, &view.posts, &units);
    let title = view.thread.thread.subject.clone();
    let trail = vec![(st.t("forum.admin.threads"), Some(format!("{ADMIN}/threads")))];
    let frame = admin::Frame::new(&st, &headers, title.clone(), trail).await?;
    let back = format!("{ADMIN}/threads/{id}");
    let ctx = context! {
        title => title,
        thread => crate::ser(thread_row(&st, &view.thread, &view.board.slug, &units)),
        board => view.board.name.clone(),
        posts => crate::ser(&posts),
        ticket => crate::ser(&ticket),
        moderate => moderate,
        reply_form => reply_form,
        ticket_reply => view.ticket.is_some(),
        centre => centre && view.ticket.is_none(),
        speak_as => crate::ser(&speak_as),
        reasons => reasons(&st),
        back => back,
        nav => nav(&me),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/forum_thread.html", StatusCode::OK, ctx)
}

async fn admin_official(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id: i64 = id.parse().map_err(|_| Fail::from(not_found()))?;
    let pairs = crate::admin::read_form(&st, &headers, body, ADMIN_LIMIT, "forum.admin.too_large").await?;
    let me = admin::actor(&st, &headers).await?;
    let back = format!("{ADMIN}/threads/{id}");
    let unit = admin::field(&pairs, "unit").trim().to_string();
    let text = admin::field(&pairs, "text").to_string();
    let result = admin::call(&st, &me, move |g, a| {
        let unit = Some(unit.as_str()).filter(|u| !u.is_empty());
        g.forum_official_reply(a, &admin::origin(), id, unit, &text)
    })
    .await;
    match result {
        Ok(ForumOfficial::Posted(_)) => Ok(admin::see_other(&with_done(&back, "official"))),
        Ok(ForumOfficial::TicketReply(_)) => Ok(admin::see_other(&with_done(&back, "ticket_reply"))),
        Err(Error::Forum(ForumError::ThreadNotFound(_))) => Err(not_found().into()),
        Err(e) => Err(admin_refuse(&st, &headers, e, &back).await),
    }
}
