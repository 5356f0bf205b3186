//! 互动交流 (citizen interaction), the public pages of issue 5: writing to the county
//! head's mailbox, a unit's mailbox or the service-complaint desk, following a letter
//! with its query code and secret, rating the answer, and the list of answered letters.
//!
//! Every form works without JavaScript and carries the CSRF token; a letter form also
//! carries an idempotency key drawn per render, so a double submit gives one ticket.
//! Letters are plain text: the library stores them as typed and every template escapes
//! them. Bursts are refused per client address ([`Limiter`], in memory); a wrong secret
//! and an unknown code get the same answer. The letter routes read their own bodies up
//! to [`LETTER_LIMIT`] (a 20,000-character letter, percent-encoded, is larger than the
//! portal's small-form limit).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use sitegroup::interaction::InteractionError;
use sitegroup::interaction::deadline::{self, DeadlineStatus};
use sitegroup::interaction::flow::{Command, RejectReason, TicketState};
use sitegroup::interaction::model::{Channel, NewTicket, Rating, Writer, beijing_date};
use sitegroup::{Error, Origin, ValidationError};

use crate::{AppError, AppState, ClientAddr, Crumb, Page, load_snapshot, run_blocking};

pub(crate) mod disclosure;
pub(crate) mod explain;
pub(crate) mod forum;
pub(crate) mod interview;
pub(crate) mod mail;
pub(crate) mod solicitation;
pub(crate) mod survey;

/// Largest letter request: 20,000 Chinese characters percent-encoded (9 bytes each)
/// plus the other fields. A larger one gets a Chinese 413 page.
pub(crate) const LETTER_LIMIT: usize = 256 * 1024;
/// Letters accepted per client address within [`RATE_WINDOW`].
pub(crate) const RATE_LIMIT: usize = 5;
/// The window of the per-address limits.
pub(crate) const RATE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Failed progress look-ups allowed per client address within [`RATE_WINDOW`].
pub(crate) const LOOKUP_LIMIT: usize = 20;
/// Path of the interaction pages.
pub(crate) const BASE: &str = "/hudong";
/// The leader the county head's mailbox addresses.
const LEADER: &str = "县长";

/// Routes of the public interaction pages (merged into [`crate::app`], outside the
/// app-wide body limit: the POST handlers read at most [`LETTER_LIMIT`] themselves).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(index))
        .route("/hudong/xzxx", get(list))
        .route("/hudong/xzxx/new", get(mailbox_form).post(mailbox_submit))
        .route("/hudong/xzxx/{id}", get(letter))
        .route("/hudong/bmxx/new", get(unit_form).post(unit_submit))
        .route("/hudong/tousu/new", get(complaint_form).post(complaint_submit))
        .route("/hudong/chaxun", get(lookup_form).post(lookup_submit))
        .merge(disclosure::routes())
        .merge(forum::routes())
        .merge(interview::routes())
        .merge(survey::routes())
        .merge(solicitation::routes())
        .layer(DefaultBodyLimit::disable())
}

// ---------------------------------------------------------------------------------
// Rate limits.

/// Per-key counters of recent events (client addresses), in memory: a burst from one
/// address is refused for a while. Lost on restart, per process.
#[derive(Debug, Default)]
pub(crate) struct Limiter(Mutex<HashMap<String, VecDeque<Instant>>>);

impl Limiter {
    /// Whether `key` already had `max` events within [`RATE_WINDOW`] before `now`.
    pub(crate) fn full(&self, key: &str, max: usize, now: Instant) -> bool {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > 10_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < RATE_WINDOW));
        }
        let Some(q) = map.get_mut(key) else { return false };
        while q.front().is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW) {
            q.pop_front();
        }
        q.len() >= max
    }

    /// Records one event of `key`.
    pub(crate) fn record(&self, key: &str, now: Instant) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key.to_string()).or_default().push_back(now);
    }
}

/// The fields of a public letter or request form: the body read within
/// [`LETTER_LIMIT`] and the CSRF token checked. `Err` is the page to answer with
/// instead (413 for a body too large, 403 for a bad token).
pub(crate) async fn read_public_form(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    body: Body,
) -> Result<Vec<(String, String)>, Response> {
    let Some(bytes) = read_limited(headers, body, LETTER_LIMIT).await else {
        let text = st.tf("ix.too_large", &[("kb", &(LETTER_LIMIT / 1024).to_string())]);
        let page = message_page(st, headers, uri, StatusCode::PAYLOAD_TOO_LARGE, st.t("error.heading_413"), text);
        return Err(page.await.unwrap_or_else(axum::response::IntoResponse::into_response));
    };
    let pairs = crate::admin::form_pairs(&bytes);
    crate::check_csrf(headers, crate::admin::field(&pairs, "csrf"))
        .map_err(axum::response::IntoResponse::into_response)?;
    Ok(pairs)
}

/// When the address behind `limit_key` has used up its submissions of the window: the
/// alert to show above the refilled form (which then carries [`with_retry_after`]).
pub(crate) fn rate_alert(st: &AppState, limit_key: &str) -> Option<String> {
    st.0.limits.full(limit_key, RATE_LIMIT, Instant::now()).then(|| {
        let minutes = (RATE_WINDOW.as_secs() / 60).to_string();
        st.tf("ix.rate_limited", &[("count", &RATE_LIMIT.to_string()), ("minutes", &minutes)])
    })
}

/// Adds `Retry-After` (the rate window) to a refused submission's page.
pub(crate) fn with_retry_after(mut res: Response) -> Response {
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RATE_WINDOW.as_secs()));
    res
}

fn address_key(kind: &str, addr: Option<&str>) -> String {
    format!("{kind}:{}", addr.unwrap_or("-"))
}

// ---------------------------------------------------------------------------------
// Page frame.

/// The layout of a public interaction page with its CSRF token.
pub(crate) struct Frame {
    page: Page,
    csrf: String,
    set_csrf: Option<HeaderValue>,
}

impl Frame {
    pub(crate) async fn new(
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
        if title != st.t("ix.title") {
            crumbs.push(Crumb { name: st.t("ix.title"), href: Some(BASE.into()) });
        }
        crumbs.extend(trail.into_iter().map(|(name, href)| Crumb { name, href: Some(href) }));
        crumbs.push(Crumb { name: title, href: None });
        page.breadcrumbs = crumbs;
        Ok(Frame { page, csrf, set_csrf })
    }

    pub(crate) fn render(
        self,
        st: &AppState,
        template: &str,
        status: StatusCode,
        ctx: Value,
    ) -> Result<Response, AppError> {
        let full = context! { page => crate::ser(&self.page), csrf => self.csrf, ..ctx };
        let mut res = crate::render(st, template, status, full)?;
        if let Some(set) = self.set_csrf {
            res.headers_mut().append(header::SET_COOKIE, set);
        }
        // Forms with keys and pages with secrets are never cached.
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(res)
    }
}

/// A page with a heading and a message (413, 429 …).
pub(crate) async fn message_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    status: StatusCode,
    heading: String,
    text: String,
) -> Result<Response, AppError> {
    let frame = Frame::new(st, headers, uri, heading.clone(), vec![]).await?;
    frame.render(st, "interaction/message.html", status, context! { heading => heading, message => text })
}

/// Reads a body of at most `limit` bytes; `None` when larger.
pub(crate) async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Option<Bytes> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > limit => None,
        _ => axum::body::to_bytes(body, limit).await.ok(),
    }
}

// ---------------------------------------------------------------------------------
// Messages: library errors met on these pages, in Chinese.

/// The Chinese message of an interaction error a user can fix (forms, steps).
pub(crate) fn error_message(st: &AppState, e: &Error) -> String {
    match e {
        Error::Invalid(v) | Error::Interaction(InteractionError::Invalid(v)) => validation_message(st, v).1,
        Error::Interaction(i) => match i {
            InteractionError::UnknownUnit(_) => st.t("ix.err.unknown_unit"),
            InteractionError::NotFound(_) => st.t("ix.err.not_found"),
            InteractionError::QueryRefused => st.t("ix.err.query_refused"),
            InteractionError::IllegalTransition { from, .. } => {
                st.tf("ix.err.transition", &[("state", &st.t(&format!("ix.state.{}", from.as_str())))])
            }
            InteractionError::SameUnit => st.t("ix.err.same_unit"),
            InteractionError::DeadlinePassed => st.t("ix.err.deadline_passed"),
            InteractionError::DeadlineUnknown => st.t("ix.err.deadline_unknown"),
            InteractionError::DelayNotLater { due, .. } => {
                st.tf("ix.err.delay_not_later", &[("due", &due.to_string())])
            }
            InteractionError::NotAWorkday(d) => st.tf("ix.err.not_workday", &[("date", &d.to_string())]),
            InteractionError::AlreadyExtended => st.t("ix.err.already_extended"),
            InteractionError::BadExtension { max, .. } => st.tf("ix.err.bad_extension", &[("max", &max.to_string())]),
            InteractionError::Private => st.t("ix.err.private"),
            _ => crate::describe_error(st.catalogue(), e).1,
        },
        other => crate::describe_error(st.catalogue(), other).1,
    }
}

/// The per-field messages and the alert of a refused submission (a user error): a
/// validation error goes next to its field through `fields` (or into the alert when it
/// has none), an unknown unit next to the unit select (`unknown_unit` is its message
/// key), anything else into the alert, which otherwise asks to fix the marked fields.
pub(crate) fn submission_errors(
    st: &AppState,
    e: &Error,
    fields: fn(&AppState, &ValidationError) -> (&'static str, String),
    unknown_unit: &str,
) -> (HashMap<&'static str, String>, Option<String>) {
    let mut errors = HashMap::new();
    let mut alert = None;
    match e {
        Error::Invalid(v) | Error::Interaction(InteractionError::Invalid(v)) => {
            let (field, text) = fields(st, v);
            if field.is_empty() {
                alert = Some(text);
            } else {
                errors.insert(field, text);
            }
        }
        Error::Interaction(InteractionError::UnknownUnit(_)) => {
            errors.insert("unit", st.t(unknown_unit));
        }
        other => alert = Some(error_message(st, other)),
    }
    (errors, alert.or_else(|| Some(st.t("ix.form.fix"))))
}

/// The form field a validation error belongs to, and its Chinese message.
pub(crate) fn validation_message(st: &AppState, v: &ValidationError) -> (&'static str, String) {
    let field = match v {
        ValidationError::Empty { field } | ValidationError::TooLong { field, .. } => *field,
        ValidationError::Malformed { field, .. } => *field,
        _ => "",
    };
    let (name, key) = match field {
        "subject" => ("subject", "subject"),
        "body" => ("body", "body"),
        "writer name" => ("name", "name"),
        "phone" => ("phone", "phone"),
        "e-mail" => ("email", "email"),
        "phone or e-mail" => ("phone", "contact"),
        "unit" => ("unit", "unit"),
        "category" => ("category", "category"),
        "reply" | "text" => ("text", "text"),
        "note" | "reason" => ("note", "note"),
        _ => ("", "other"),
    };
    let label = st.t(&format!("ix.field.{key}"));
    let text = match v {
        ValidationError::Empty { .. } if key == "contact" => st.t("ix.err.contact"),
        ValidationError::Empty { .. } if key == "name" => st.t("ix.err.name_required"),
        ValidationError::Empty { .. } if key == "unit" => st.t("ix.err.unknown_unit"),
        ValidationError::Empty { .. } => st.tf("ix.err.empty", &[("field", &label)]),
        ValidationError::TooLong { len, max, .. } => {
            st.tf("ix.err.too_long", &[("field", &label), ("len", &len.to_string()), ("max", &max.to_string())])
        }
        ValidationError::Malformed { .. } if key == "phone" => st.t("ix.err.phone"),
        ValidationError::Malformed { .. } if key == "email" => st.t("ix.err.email"),
        ValidationError::Malformed { .. } => st.tf("ix.err.malformed", &[("field", &label)]),
        _ => st.t("error.invalid_rule"),
    };
    (name, text)
}

// ---------------------------------------------------------------------------------
// The index.

async fn index(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let frame = Frame::new(&st, &headers, &uri, st.t("ix.title"), vec![]).await?;
    frame.render(&st, "interaction/index.html", StatusCode::OK, context! {})
}

// ---------------------------------------------------------------------------------
// Writing a letter.

/// The three letter forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 县长信箱.
    Mailbox,
    /// 部门信箱: the writer chooses a unit.
    Unit,
    /// 服务投诉: a unit, anonymity allowed.
    Complaint,
}

impl Kind {
    fn channel(self) -> Channel {
        match self {
            Kind::Mailbox => Channel::Mailbox,
            Kind::Unit => Channel::UnitMailbox,
            Kind::Complaint => Channel::Complaint,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Mailbox => "/hudong/xzxx/new",
            Kind::Unit => "/hudong/bmxx/new",
            Kind::Complaint => "/hudong/tousu/new",
        }
    }
}

/// Categories offered (stored as the Chinese word; catalogue keys `ix.cat.*`).
const CATEGORIES: [&str; 6] = ["zixun", "jianyi", "qiuzhu", "tousu", "jiucuo", "qita"];

/// What the writer typed, kept to show the form again.
#[derive(Debug, Clone, Default, Serialize)]
struct LetterInput {
    unit: String,
    category: String,
    subject: String,
    body: String,
    name: String,
    phone: String,
    email: String,
    anonymous: bool,
    private: bool,
    key: String,
}

impl LetterInput {
    fn from_pairs(pairs: &[(String, String)]) -> LetterInput {
        let f = |n: &str| crate::admin::field(pairs, n).to_string();
        LetterInput {
            unit: f("unit"),
            category: f("category"),
            subject: f("subject"),
            body: f("body"),
            name: f("name"),
            phone: f("phone"),
            email: f("email"),
            anonymous: !f("anonymous").is_empty(),
            private: !f("private").is_empty(),
            key: f("key"),
        }
    }

    fn to_new(&self, st: &AppState, kind: Kind) -> NewTicket {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let anonymous = self.anonymous && kind.channel().allows_anonymous();
        let category =
            CATEGORIES.iter().map(|c| st.t(&format!("ix.cat.{c}"))).find(|c| *c == self.category).unwrap_or_default();
        NewTicket {
            channel: kind.channel().as_str().into(),
            category,
            unit: if kind == Kind::Mailbox { None } else { Some(self.unit.trim().to_string()) },
            leader: (kind == Kind::Mailbox).then(|| LEADER.to_string()),
            writer: if anonymous {
                Writer::default()
            } else {
                Writer { name: opt(&self.name), phone: opt(&self.phone), email: opt(&self.email) }
            },
            subject: self.subject.clone(),
            body: self.body.clone(),
            attachments: vec![],
            private: self.private,
            urgent: false,
            idempotency_key: opt(&self.key),
            applicant: None,
        }
    }
}

/// A fresh idempotency key (32 hex digits).
pub(crate) fn new_key() -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    sitegroup::core::password::random_bytes(&mut bytes).map_err(|e| AppError::Lib(Error::Internal(e.to_string())))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Serialize)]
struct UnitOption {
    code: String,
    name: String,
}

async fn unit_options(st: &AppState) -> Result<Vec<UnitOption>, AppError> {
    Ok(run_blocking(st, |g| {
        Ok(g.list_units(&sitegroup::Actor::anonymous())?
            .into_iter()
            .map(|u| UnitOption { code: u.code, name: u.name })
            .collect())
    })
    .await?)
}

/// The letter form, empty or with the writer's input and the errors next to the fields.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    kind: Kind,
    input: LetterInput,
    errors: HashMap<&'static str, String>,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (slug, title) = match kind {
        Kind::Mailbox => ("xzxx", st.t("ix.mailbox.title")),
        Kind::Unit => ("bmxx", st.t("ix.unit_mailbox.title")),
        Kind::Complaint => ("tousu", st.t("ix.complaint.title")),
    };
    let units = if kind == Kind::Mailbox { vec![] } else { unit_options(st).await? };
    let max_body = run_blocking(st, |g| Ok(g.interaction_settings()?.max_body_chars)).await?;
    let categories: Vec<String> = CATEGORIES.iter().map(|c| st.t(&format!("ix.cat.{c}"))).collect();
    let frame = Frame::new(st, headers, uri, title.clone(), vec![]).await?;
    let ctx = context! {
        kind => slug,
        intro => st.t(&format!("ix.form.intro_{slug}")),
        title => title,
        action => kind.path(),
        input => crate::ser(&input),
        errors => crate::ser(&errors),
        alert => alert,
        units => crate::ser(&units),
        categories => categories,
        anonymous_allowed => kind.channel().allows_anonymous(),
        choose_unit => kind != Kind::Mailbox,
        max_body => max_body,
    };
    frame.render(st, "interaction/form.html", status, ctx)
}

async fn new_form(st: AppState, headers: HeaderMap, uri: Uri, kind: Kind) -> Result<Response, AppError> {
    let q: HashMap<String, String> =
        uri.query().map(|q| crate::admin::form_pairs(q.as_bytes())).unwrap_or_default().into_iter().collect();
    // `unit` and `category` (a code of CATEGORIES, e.g. `jiucuo` from the error-report
    // page) may be preset by a link.
    let category = q
        .get("category")
        .filter(|c| CATEGORIES.contains(&c.as_str()))
        .map(|c| st.t(&format!("ix.cat.{c}")))
        .unwrap_or_default();
    let input = LetterInput {
        key: new_key()?,
        unit: q.get("unit").cloned().unwrap_or_default(),
        category,
        ..LetterInput::default()
    };
    form_page(&st, &headers, &uri, kind, input, HashMap::new(), None, StatusCode::OK).await
}

async fn mailbox_form(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    new_form(st, headers, uri, Kind::Mailbox).await
}

async fn unit_form(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    new_form(st, headers, uri, Kind::Unit).await
}

async fn complaint_form(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    new_form(st, headers, uri, Kind::Complaint).await
}

async fn mailbox_submit(
    State(st): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Response, AppError> {
    submit(st, addr, headers, uri, body, Kind::Mailbox).await
}

async fn unit_submit(
    State(st): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Response, AppError> {
    submit(st, addr, headers, uri, body, Kind::Unit).await
}

async fn complaint_submit(
    State(st): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Response, AppError> {
    submit(st, addr, headers, uri, body, Kind::Complaint).await
}

async fn submit(
    st: AppState,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
    kind: Kind,
) -> Result<Response, AppError> {
    let pairs = match read_public_form(&st, &headers, &uri, body).await {
        Ok(pairs) => pairs,
        Err(page) => return Ok(page),
    };
    let mut input = LetterInput::from_pairs(&pairs);
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let limit_key = address_key("letter", addr.as_deref());
    if let Some(alert) = rate_alert(&st, &limit_key) {
        let status = StatusCode::TOO_MANY_REQUESTS;
        let res = form_page(&st, &headers, &uri, kind, input, HashMap::new(), Some(alert), status).await?;
        return Ok(with_retry_after(res));
    }
    let new = input.to_new(&st, kind);
    let origin = Origin::web(addr.clone());
    match run_blocking(&st, move |g| g.submit_ticket(&origin, &new)).await {
        Ok(s) => {
            if !s.replayed {
                st.0.limits.record(&limit_key, Instant::now());
            }
            let title = st.t(if s.replayed { "ix.confirm.replayed_title" } else { "ix.confirm.title" });
            let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
            let ctx = context! {
                title => title,
                code => s.ticket.query_code.clone(),
                secret => s.secret,
                replayed => s.replayed,
                subject => s.ticket.subject.clone(),
                received => crate::shanghai(s.ticket.received_at, "%Y-%m-%d %H:%M"),
                due => s.ticket.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d")),
            };
            frame.render(&st, "interaction/confirm.html", StatusCode::OK, ctx)
        }
        Err(e) if e.is_user_error() => {
            let (errors, alert) = submission_errors(&st, &e, validation_message, "ix.err.unknown_unit");
            form_page(&st, &headers, &uri, kind, input, errors, alert, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// Progress lookup and rating.

#[derive(Debug, Default, Deserialize)]
struct LookupQuery {
    #[serde(default)]
    code: String,
}

async fn lookup_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<LookupQuery>,
) -> Result<Response, AppError> {
    lookup_page(&st, &headers, &uri, &q.code, None, None, StatusCode::OK).await
}

/// What the writer sees, prepared for the template.
#[derive(Debug, Serialize)]
struct WriterPage {
    code: String,
    channel: String,
    subject: String,
    body: String,
    state: &'static str,
    state_label: String,
    received: String,
    due: Option<String>,
    deadline: &'static str,
    deadline_label: String,
    deadline_explain: String,
    deadline_days: Vec<String>,
    reply: Option<String>,
    rejection: Option<String>,
    rating: Option<String>,
    can_rate: bool,
}

fn deadline_key(s: DeadlineStatus) -> &'static str {
    match s {
        DeadlineStatus::OnTime => "on_time",
        DeadlineStatus::DueSoon => "due_soon",
        DeadlineStatus::Overdue => "overdue",
        DeadlineStatus::Paused => "paused",
        DeadlineStatus::Done => "done",
        DeadlineStatus::Unknown => "unknown",
    }
}

pub(crate) fn deadline_label(st: &AppState, s: DeadlineStatus) -> (&'static str, String) {
    let key = deadline_key(s);
    (key, st.t(&format!("ix.deadline.{key}")))
}

pub(crate) fn reject_label(st: &AppState, r: RejectReason) -> String {
    let key = match r {
        RejectReason::Spam => "spam",
        RejectReason::Duplicate => "duplicate",
        RejectReason::OutOfScope => "out_of_scope",
    };
    st.t(&format!("ix.reject.{key}"))
}

pub(crate) fn channel_label(st: &AppState, c: Channel) -> String {
    st.t(&format!("ix.channel.{}", c.as_str()))
}

pub(crate) fn rating_label(st: &AppState, r: Rating) -> String {
    st.t(&format!("ix.rating.{}", r.as_str()))
}

#[allow(clippy::too_many_arguments)]
async fn lookup_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    code: &str,
    view: Option<(WriterPage, String)>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = st.t("ix.lookup.title");
    let frame = Frame::new(st, headers, uri, title.clone(), vec![]).await?;
    let (view, secret) = match view {
        Some((v, s)) => (Some(v), s),
        None => (None, String::new()),
    };
    let ctx = context! {
        title => title,
        code => code,
        secret => secret,
        view => crate::ser(&view),
        error => error,
        ratings => crate::ser(["satisfied", "basically", "dissatisfied"].iter().map(|r| (r.to_string(), st.t(&format!("ix.rating.{r}")))).collect::<Vec<_>>()),
        done => None::<String>,
    };
    frame.render(st, "interaction/lookup.html", status, ctx)
}

async fn lookup_submit(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Response, AppError> {
    let Some(bytes) = read_limited(&headers, body, crate::BODY_LIMIT).await else {
        return Err(AppError::Status(StatusCode::PAYLOAD_TOO_LARGE));
    };
    let pairs = crate::admin::form_pairs(&bytes);
    crate::check_csrf(&headers, crate::admin::field(&pairs, "csrf"))?;
    let code = crate::admin::field(&pairs, "code").trim().to_string();
    let secret = crate::admin::field(&pairs, "secret").trim().to_string();
    let rating = crate::admin::field(&pairs, "rating").to_string();
    let limit_key = address_key("lookup", addr.as_deref());
    if st.0.limits.full(&limit_key, LOOKUP_LIMIT, Instant::now()) {
        let minutes = (RATE_WINDOW.as_secs() / 60).to_string();
        let text = st.tf("ix.lookup.limited", &[("minutes", &minutes)]);
        return lookup_page(&st, &headers, &uri, &code, None, Some(text), StatusCode::TOO_MANY_REQUESTS).await;
    }
    if code.is_empty() || secret.is_empty() {
        let text = st.t("ix.lookup.missing");
        return lookup_page(&st, &headers, &uri, &code, None, Some(text), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let rate = if rating.is_empty() {
        None
    } else {
        match Rating::parse(&rating) {
            Some(r) => Some(r),
            None => {
                let text = st.t("ix.lookup.bad_rating");
                return lookup_page(&st, &headers, &uri, &code, None, Some(text), StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
        }
    };
    let (c, s) = (code.clone(), secret.clone());
    let origin = Origin::web(addr.clone());
    let result = run_blocking(&st, move |g| {
        let mut rate_error = None;
        if let Some(r) = rate {
            match g.writer_step(&origin, &c, &s, Command::Rate { rating: r }) {
                Ok(_) => {}
                Err(e @ Error::Interaction(InteractionError::QueryRefused)) => return Err(e),
                Err(e) if e.is_user_error() => rate_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        let v = g.ticket_for_writer(&c, &s)?;
        let settings = g.interaction_settings()?;
        let now = g.now();
        let status = deadline::status(v.state, v.due_at, now, settings.due_soon_days, g.calendar());
        let left = match (v.due_at.and_then(beijing_date), beijing_date(now)) {
            (Some(due), Some(today)) => g.calendar().working_days_between(today, due).ok(),
            _ => None,
        };
        let days = settings.days.get(&v.channel).copied().unwrap_or(v.channel.default_days());
        Ok((v, status, left, days, rate_error, settings.max_pause_days))
    })
    .await;
    match result {
        Ok((v, status, left, days, rate_error, max_pause_days)) => {
            let explain_days = v
                .deadline
                .as_ref()
                .map(|d| explain::deadline_lines(st.catalogue(), d, &v.basis, max_pause_days, explain::Reader::Writer))
                .unwrap_or_default();
            let (key, label) = deadline_label(&st, status);
            let due = v.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d"));
            let due_text = due.clone().unwrap_or_default();
            let n = left.map(|n| n.abs().to_string()).unwrap_or_default();
            let explain = st.tf(
                &format!("ix.deadline.explain_{key}"),
                &[("days", &days.to_string()), ("due", &due_text), ("n", &n)],
            );
            let page = WriterPage {
                code: v.query_code.clone(),
                channel: channel_label(&st, v.channel),
                subject: v.subject.clone(),
                body: v.body.clone(),
                state: v.state.as_str(),
                state_label: st.t(&format!("ix.state.{}", v.state.as_str())),
                received: crate::shanghai(v.received_at, "%Y-%m-%d %H:%M"),
                due,
                deadline: key,
                deadline_label: label,
                deadline_explain: explain,
                deadline_days: explain_days,
                reply: v.reply.clone(),
                rejection: v.rejection.as_ref().map(|(r, note)| {
                    let reason = reject_label(&st, *r);
                    if note.trim().is_empty() { reason } else { format!("{reason}：{note}") }
                }),
                rating: v.rating.map(|r| rating_label(&st, r)),
                can_rate: v.state == TicketState::Closed && v.rating.is_none(),
            };
            let error = rate_error.map(|e| error_message(&st, &e));
            let mut res = lookup_page(&st, &headers, &uri, &code, Some((page, secret)), error, StatusCode::OK).await?;
            if rate.is_some() {
                res.headers_mut().insert("x-rated", HeaderValue::from_static("1"));
            }
            Ok(res)
        }
        Err(Error::Interaction(InteractionError::QueryRefused)) => {
            st.0.limits.record(&limit_key, Instant::now());
            let text = st.t("ix.err.query_refused");
            lookup_page(&st, &headers, &uri, &code, None, Some(text), StatusCode::NOT_FOUND).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// Answered letters.

#[derive(Debug, Serialize)]
struct LetterRow {
    id: i64,
    href: String,
    channel: String,
    unit: Option<String>,
    subject: String,
    body: String,
    reply: String,
    received: String,
    replied: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    qd: String,
    #[serde(default)]
    page: String,
}

/// Answered letters per page of the public list.
const LIST_PER_PAGE: i64 = 20;

fn letter_row(st: &AppState, t: sitegroup::PublishedTicket, units: &[sitegroup::OrgUnit]) -> LetterRow {
    LetterRow {
        id: t.id,
        href: format!("/hudong/xzxx/{}", t.id),
        channel: channel_label(st, t.channel),
        unit: t.unit.as_ref().and_then(|c| units.iter().find(|u| &u.code == c)).map(|u| u.name.clone()),
        subject: t.subject,
        body: t.body,
        reply: t.reply,
        received: crate::shanghai(t.received_at, "%Y-%m-%d"),
        replied: t.replied_at.map(|r| crate::shanghai(r, "%Y-%m-%d")),
    }
}

async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let wanted = Channel::parse(&q.qd);
    let page = q.page.trim().parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1);
    let ((list, total), units) = run_blocking(&st, move |g| {
        Ok((
            g.published_tickets_page(wanted, (page - 1).saturating_mul(LIST_PER_PAGE), LIST_PER_PAGE)?,
            g.list_units(&sitegroup::Actor::anonymous())?,
        ))
    })
    .await?;
    let rows: Vec<LetterRow> = list.into_iter().map(|t| letter_row(&st, t, &units)).collect();
    let filters: Vec<(String, String, bool)> = std::iter::once(("".to_string(), st.t("ix.list.all"), wanted.is_none()))
        .chain(
            [Channel::Mailbox, Channel::UnitMailbox, Channel::Complaint]
                .into_iter()
                .map(|c| (c.as_str().to_string(), channel_label(&st, c), wanted == Some(c))),
        )
        .collect();
    let extra = wanted.map(|c| format!("qd={}&", c.as_str())).unwrap_or_default();
    let pager = crate::public::pager("/hudong/xzxx", &extra, page, LIST_PER_PAGE, total);
    let title = st.t("ix.list.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    frame.render(
        &st,
        "interaction/list.html",
        StatusCode::OK,
        context! { title => title, rows => crate::ser(&rows), filters => filters, pager => crate::ser(&pager) },
    )
}

async fn letter(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::Status(StatusCode::NOT_FOUND))?;
    let (ticket, units) =
        run_blocking(&st, move |g| Ok((g.published_ticket(id)?, g.list_units(&sitegroup::Actor::anonymous())?)))
            .await?;
    let row = letter_row(&st, ticket, &units);
    let frame =
        Frame::new(&st, &headers, &uri, row.subject.clone(), vec![(st.t("ix.list.title"), "/hudong/xzxx".into())])
            .await?;
    frame.render(&st, "interaction/letter.html", StatusCode::OK, context! { letter => crate::ser(&row) })
}
