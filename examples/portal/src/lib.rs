//! The example portal of a county site group: public pages for the portal and every
//! channel under its path prefix, a login, and a small back office over the
//! `sitegroup` library.
//!
//! **What it owns.** HTTP: routing, cookies, CSRF tokens, security headers, templates,
//! the message catalogue, and the one mapping from library errors to HTTP statuses and
//! Chinese messages ([`describe_error`]). Tests drive [`app`] without a socket.
//!
//! **What it must never do.** Check a role itself (it asks the library: `sites_for`,
//! `audit`, which answer [`Error::Denied`]), or call the synchronous library on an
//! async worker: every call goes through `spawn_blocking`. No page loads anything from another origin (no CDN, no fonts).
//!
//! **Invariants.** Every response carries the security headers; every text shown
//! comes from the catalogue ([`i18n`]); every template ends in `.html`, so minijinja
//! escapes everything inserted into it.

mod admin;
pub mod demo;
pub mod i18n;
mod interaction;
mod probe;
mod public;
mod search;
mod services;
mod stats;
mod templates;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Form, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::TimeZone;
use minijinja::{Environment, Value, context};
use serde::{Deserialize, Serialize};
use sitegroup::{
    Actor, AuditEntry, AuditQuery, Error, Origin, Scope, Site, SiteGroup, SiteId, SiteIdentity, SiteStatus, SiteTree,
    UnitId, ValidationError,
};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::i18n::{Catalogue, CatalogueError};

pub use probe::{PROBE_AGENT, ProbeLimits, selfcheck_probe_once, spawn_selfcheck_probe};
pub use stats::{flush_stats, record_view, spawn_stats_flush};
pub use templates::ASSETS;

/// Every template: the layout, login and back office ones (`templates::TEMPLATES`) and
/// the public content pages (`public::TEMPLATES`).
pub const TEMPLATES: &[(&str, &str)] = &concat_templates::<{ templates::TEMPLATES.len() + public::TEMPLATES.len() }>(
    templates::TEMPLATES,
    public::TEMPLATES,
);

/// Joins two template lists at compile time.
const fn concat_templates<const N: usize>(
    a: &[(&'static str, &'static str)],
    b: &[(&'static str, &'static str)],
) -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j];
        j += 1;
    }
    out
}

/// Name of the session cookie (holds the library's signed token).
pub const SESSION_COOKIE: &str = "sg_session";
/// Name of the CSRF cookie (double-submit: must match the form's hidden `csrf` field).
pub const CSRF_COOKIE: &str = "sg_csrf";
/// Largest request body accepted (forms are small).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Content-Security-Policy sent with every response: nothing from other origins.
pub const CSP: &str =
    "default-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'self'; object-src 'none'";
/// Seconds before a closed site's notice sends the visitor on.
pub const REDIRECT_SECONDS: u32 = 5;
/// Path below every site that shows the error-report page (网站纠错).
pub const REPORT_PATH: &str = "/jiucuo";

/// Why the portal could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The message catalogue is malformed.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// A template does not parse.
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
}

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct Options {
    /// Language tag of the catalogue (`zh-CN`).
    pub lang: String,
    /// Add `Secure` to cookies (set when served over HTTPS, e.g. behind a TLS proxy).
    pub secure_cookies: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { lang: "zh-CN".into(), secure_cookies: false }
    }
}

/// Shared state of the portal: the library handle, templates and catalogue.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    group: Arc<SiteGroup>,
    env: Environment<'static>,
    catalogue: Arc<Catalogue>,
    secure_cookies: bool,
    /// Per-address limits of the citizen forms (in memory, per process).
    limits: interaction::Limiter,
    /// Live interview viewers: one broadcast channel per interview (in memory, per process).
    live: interaction::interview::LiveRegistry,
    /// Page views waiting for the next flush (in memory, per process).
    visits: stats::Recorder,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("group", &self.0.group).finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state with default options.
    pub fn new(group: SiteGroup) -> Result<AppState, StartError> {
        AppState::with_options(Arc::new(group), &Options::default())
    }

    /// Builds the state.
    pub fn with_options(group: Arc<SiteGroup>, options: &Options) -> Result<AppState, StartError> {
        let catalogue = Arc::new(Catalogue::for_lang(&options.lang)?);
        let mut env = templates::environment(Arc::clone(&catalogue))?;
        for (name, source) in public::TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(AppState(Arc::new(Inner {
            group,
            env,
            catalogue,
            secure_cookies: options.secure_cookies,
            limits: interaction::Limiter::default(),
            live: interaction::interview::LiveRegistry::default(),
            visits: stats::Recorder::default(),
        })))
    }

    /// The library handle.
    pub fn group(&self) -> &Arc<SiteGroup> {
        &self.0.group
    }

    /// The message catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.0.catalogue
    }

    /// The page-view buffer.
    pub(crate) fn visits(&self) -> &stats::Recorder {
        &self.0.visits
    }

    fn t(&self, key: &str) -> String {
        self.0.catalogue.get(key).to_string()
    }

    fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.0.catalogue.format(key, args)
    }
}

/// The portal's router. `main` serves it; tests call it with `oneshot`.
pub fn app(state: AppState) -> Router {
    let security = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    let mut router = Router::new()
        .route("/", get(site_page))
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", post(logout))
        .route("/admin", get(admin))
        .route("/static/{file}", get(static_file))
        .route("/health", get(|| async { "ok" }))
        .fallback(site_page)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // After the global limit: the back office sets its own (4 MB editor, 50 MB uploads).
        .merge(admin::routes())
        .merge(search::routes())
        // The letter forms read their own bodies (a 20,000-character letter is larger than BODY_LIMIT).
        .merge(interaction::routes())
        .merge(services::routes())
        .merge(stats::routes())
        .layer(middleware::from_fn_with_state(state.clone(), stats::record_view))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages));
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value)));
    }
    router.with_state(state)
}

/// Reloads the site tree every `every` so that several portal nodes on one database
/// see each other's site changes. Errors are reported on stderr and retried.
pub fn spawn_site_refresh(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = run_blocking(&state, |g| g.refresh_sites().map(|_| ())).await {
                eprintln!("portal: refreshing the site tree failed: {e}");
            }
        }
    })
}

/// Applies new outbox events to the search index every `every` (the first poll runs at
/// once, so a fresh or seeded group is searchable as soon as it finishes). Errors are
/// reported on stderr and retried.
pub fn spawn_search_poll(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = run_blocking(&state, |g| g.search_poll().map(|_| ())).await {
                eprintln!("portal: updating the search index failed: {e}");
            }
        }
    })
}

/// Where ticket e-mail goes: the mailer and the portal's public address for links.
#[derive(Clone)]
pub struct MailSetup {
    /// The SMTP (or memory) mailer.
    pub mailer: Arc<dyn sitegroup::Mailer>,
    /// The portal's public address (`https://www.example.gov.cn`), for links in mail.
    pub base_url: String,
}

/// Runs [`interaction_tasks_once`] every `every`.
pub fn spawn_interaction_tasks(
    state: AppState,
    every: Duration,
    mail: Option<MailSetup>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            interaction_tasks_once(&state, mail.as_ref()).await;
        }
    })
}

/// Forwards mailbox letters on batch days, announces interviews whose lead time has
/// come, and records reminders, urgings and escalations (`forward_due_batches`,
/// `announce_due_interviews`, `urge_due`), then, when `mail` is set, sends the
/// e-mail they call for (`send_ticket_mail`); all safe to run repeatedly. Errors are
/// reported on stderr and retried on the next run. Returns the mail report.
pub async fn interaction_tasks_once(state: &AppState, mail: Option<&MailSetup>) -> Option<sitegroup::MailReport> {
    let result = run_blocking(state, |g| {
        let origin = Origin::other("scheduler");
        g.forward_due_batches(&origin, g.now())?;
        g.announce_due_interviews(&origin, g.now())?;
        g.urge_due(&origin, g.now()).map(|_| ())
    })
    .await;
    if let Err(e) = result {
        eprintln!("portal: forwarding or urging tickets failed: {e}");
    }
    let setup = mail?.clone();
    let cat = Arc::clone(&state.0.catalogue);
    let sent = run_blocking(state, move |g| {
        g.send_ticket_mail(setup.mailer.as_ref(), &|n| interaction::mail::compose(&cat, &setup.base_url, n))
    })
    .await;
    match sent {
        Ok(report) => {
            if report.deferred.is_some() || !report.refused.is_empty() {
                eprintln!("portal: ticket mail: {report:?}");
            }
            Some(report)
        }
        Err(e) => {
            eprintln!("portal: sending ticket mail failed: {e}");
            None
        }
    }
}

// ---------------------------------------------------------------------------------
// Errors: the one mapping from library errors to statuses and Chinese messages.

/// Everything a handler can fail with. Turned into a Chinese error page by the
/// `error_pages` middleware (which has the templates and the request's site).
#[derive(Debug)]
pub enum AppError {
    /// A library error.
    Lib(Error),
    /// A plain HTTP status (404 for unknown paths, 410 for archived sites …).
    Status(StatusCode),
    /// A POST without a matching CSRF token.
    Csrf,
    /// A template failed to render (ours).
    Render(String),
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Lib(e)
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Render(format!("{e:#}"))
    }
}

#[derive(Clone)]
struct Failure(Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Lib(e) => lib_status(e),
            AppError::Status(s) => *s,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(Failure(Arc::new(self)));
        res
    }
}

fn lib_status(e: &Error) -> StatusCode {
    match e {
        Error::Invalid(_) | Error::Calendar(_) => StatusCode::BAD_REQUEST,
        Error::Denied(_) | Error::Disabled => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Duplicate { .. } | Error::PrefixTaken { .. } | Error::HostTaken { .. } | Error::AlreadyInitialised => {
            StatusCode::CONFLICT
        }
        Error::BadCredentials | Error::Session(_) => StatusCode::UNAUTHORIZED,
        Error::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Store(_) | Error::Io { .. } | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        other if other.is_user_error() => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status and Chinese message for a library error: the one place where library
/// errors meet HTTP. Internal errors get a generic message (the details go to stderr).
pub fn describe_error(cat: &Catalogue, e: &Error) -> (StatusCode, String) {
    let participation = match e {
        Error::Forum(f) => interaction::forum::describe(cat, f),
        Error::Interview(f) => interaction::interview::describe(cat, f),
        Error::Survey(f) => interaction::survey::describe(cat, f),
        Error::Solicitation(f) => interaction::solicitation::describe(cat, f),
        Error::Services(f) => services::describe(cat, f),
        _ => None,
    };
    if let Some(described) = participation {
        return described;
    }
    let status = lib_status(e);
    let message = match e {
        Error::Invalid(v) => cat.format("error.invalid", &[("detail", &describe_validation(cat, v))]),
        Error::Denied(_) => cat.get("error.denied").to_string(),
        Error::NotFound { what, .. } => cat.format("error.not_found_record", &[("what", &what_name(cat, what))]),
        Error::Duplicate { what, key } => {
            cat.format("error.duplicate", &[("what", &what_name(cat, what)), ("key", key)])
        }
        Error::PrefixTaken { prefix, owner } => {
            cat.format("error.prefix_taken", &[("prefix", prefix), ("owner", owner)])
        }
        Error::HostTaken { host, owner } => cat.format("error.host_taken", &[("host", host), ("owner", owner)]),
        Error::BadCredentials => cat.get("error.bad_credentials").to_string(),
        Error::Locked { until } => cat.format("error.locked", &[("time", &shanghai(*until, "%H:%M"))]),
        Error::Disabled => cat.get("error.disabled").to_string(),
        Error::Session(_) => cat.get("error.session").to_string(),
        Error::Calendar(_) => cat.get("error.calendar").to_string(),
        Error::AlreadyInitialised => cat.get("error.already_initialised").to_string(),
        Error::Content(sitegroup::content::ContentError::TooLarge { .. }) => cat.get("error.too_large").to_string(),
        _ if status.is_server_error() => {
            eprintln!("portal: internal error: {e}");
            cat.get("error.internal").to_string()
        }
        _ => cat.get("error.bad_request").to_string(),
    };
    (status, message)
}

fn describe_validation(cat: &Catalogue, v: &ValidationError) -> String {
    let field = |f: &str| {
        let key = format!("field.{f}");
        if cat.has(&key) { cat.get(&key).to_string() } else { cat.get("field.other").to_string() }
    };
    match v {
        ValidationError::Empty { field: f } => cat.format("error.invalid_empty", &[("field", &field(f))]),
        ValidationError::TooLong { field: f, len, max } => cat.format(
            "error.invalid_too_long",
            &[("field", &field(f)), ("len", &len.to_string()), ("max", &max.to_string())],
        ),
        ValidationError::Malformed { field: f, .. } => cat.format("error.invalid_malformed", &[("field", &field(f))]),
        _ => cat.get("error.invalid_rule").to_string(),
    }
}

fn what_name(cat: &Catalogue, what: &str) -> String {
    let key = format!("what.{what}");
    if cat.has(&key) { cat.get(&key).to_string() } else { cat.get("what.record").to_string() }
}

/// Status and message of any handler failure.
fn describe(cat: &Catalogue, e: &AppError) -> (StatusCode, String) {
    match e {
        AppError::Lib(e) => describe_error(cat, e),
        AppError::Csrf => (StatusCode::FORBIDDEN, cat.get("error.csrf").to_string()),
        AppError::Render(detail) => {
            eprintln!("portal: template error: {detail}");
            (StatusCode::INTERNAL_SERVER_ERROR, cat.get("error.internal").to_string())
        }
        AppError::Status(s) => (*s, status_message(cat, *s)),
    }
}

fn status_message(cat: &Catalogue, s: StatusCode) -> String {
    let key = match s {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::GONE => "error.gone",
        StatusCode::FORBIDDEN => "error.denied",
        StatusCode::UNAUTHORIZED => "error.session",
        StatusCode::METHOD_NOT_ALLOWED => "error.method",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::SERVICE_UNAVAILABLE => "error.unavailable",
        s if s.is_client_error() => "error.bad_request",
        _ => "error.internal",
    };
    cat.get(key).to_string()
}

fn heading(cat: &Catalogue, s: StatusCode) -> String {
    let key = format!("error.heading_{}", s.as_u16());
    if cat.has(&key) { cat.get(&key).to_string() } else { cat.get("error.title").to_string() }
}

/// Renders an error page for failures from handlers (carried in a `Failure`
/// extension) and for bare error statuses from axum or tower-http (rejections,
/// body too large, method not allowed). HTML responses pass through.
async fn error_pages(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let host = host_of(req.headers(), req.uri());
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let failure = res.extensions_mut().remove::<Failure>();
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let error = match failure {
        Some(Failure(e)) => e,
        None if (status.is_client_error() || status.is_server_error()) && !is_html => {
            Arc::new(AppError::Status(status))
        }
        None => return res,
    };
    let mut page = render_error(&st, &host, &path, &error).await;
    // Keep headers the failure set on purpose (Allow, Retry-After, Set-Cookie …).
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().append(name.clone(), value.clone());
        }
    }
    page
}

async fn render_error(st: &AppState, host: &str, path: &str, e: &AppError) -> Response {
    let cat = st.catalogue();
    let (status, message) = describe(cat, e);
    let snapshot = load_snapshot(st).await.ok();
    let (page, back) = match &snapshot {
        Some(snap) => {
            let site = snap.tree.resolve(host, path).map(|(s, _)| s);
            let page = snap.page(st, site, heading(cat, status), false);
            // A way back to the channel the visitor was in (never for back-office paths).
            let back = site.filter(|s| !s.kind.is_registered_website()).map(|s| {
                let href = snap.href(s, snap.website_of(s.id).map(|w| w.id));
                context! { href => href, label => st.tf("error.back_site", &[("name", s.display_name())]) }
            });
            (page, back)
        }
        None => (Page::bare(heading(cat, status)), None),
    };
    let ctx = context! {
        page => ser(&page),
        heading => heading(cat, status),
        message => message.clone(),
        status => status.as_u16(),
        back => back,
    };
    let mut res = match st.0.env.get_template("error.html").and_then(|t| t.render(ctx)) {
        Ok(body) => html(status, body),
        Err(err) => {
            eprintln!("portal: error page failed to render: {err:#}");
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
        }
    };
    if let AppError::Lib(Error::Locked { until }) = e
        && let Some(v) = retry_after(st, *until)
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

// ---------------------------------------------------------------------------------
// Helpers.

/// Runs a library call on the blocking pool.
async fn run_blocking<T, F>(st: &AppState, f: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&SiteGroup) -> Result<T, Error> + Send + 'static,
{
    let group = Arc::clone(st.group());
    match tokio::task::spawn_blocking(move || f(&group)).await {
        Ok(result) => result,
        Err(join) => Err(Error::Internal(format!("library call did not finish: {join}"))),
    }
}

/// `Retry-After` for an account locked until `until` (unix seconds).
fn retry_after(st: &AppState, until: i64) -> Option<HeaderValue> {
    HeaderValue::from_str(&(until - st.group().now()).max(1).to_string()).ok()
}

/// A serialisable value for a template context.
fn ser<T: Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn render(st: &AppState, name: &str, status: StatusCode, ctx: Value) -> Result<Response, AppError> {
    let body = st.0.env.get_template(name)?.render(ctx)?;
    Ok(html(status, body))
}

/// Unix seconds shown on the Beijing wall clock.
fn shanghai(at: i64, format: &str) -> String {
    match chrono_tz::Asia::Shanghai.timestamp_opt(at, 0).single() {
        Some(t) => t.format(format).to_string(),
        None => at.to_string(),
    }
}

fn host_of(headers: &HeaderMap, uri: &Uri) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.as_str().to_string()))
        .unwrap_or_else(|| "localhost".into())
}

/// The value of a cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn set_cookie(st: &AppState, name: &str, value: &str, same_site: &str, max_age: Option<i64>) -> Option<HeaderValue> {
    let mut c = format!("{name}={value}; HttpOnly; SameSite={same_site}; Path=/");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if st.0.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).ok()
}

/// The client's address, when the server was started with connect info.
struct ClientAddr(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())))
    }
}

// ---------------------------------------------------------------------------------
// CSRF: a random token in a SameSite=Strict cookie, repeated in every POST form.

fn csrf_token(st: &AppState, headers: &HeaderMap) -> Result<(String, Option<HeaderValue>), AppError> {
    if let Some(existing) =
        cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Ok((existing.to_string(), None));
    }
    let mut bytes = [0u8; 32];
    sitegroup::core::password::random_bytes(&mut bytes).map_err(|e| AppError::Lib(Error::Internal(e.to_string())))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let header = set_cookie(st, CSRF_COOKIE, &token, "Strict", None);
    Ok((token, header))
}

fn check_csrf(headers: &HeaderMap, submitted: &str) -> Result<(), AppError> {
    let expected = cookie(headers, CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), submitted.as_bytes()) {
        return Err(AppError::Csrf);
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------------
// Page context.

/// What every page's layout needs.
#[derive(Debug, Clone, Serialize)]
struct Page {
    title: String,
    website: WebsiteRef,
    channel: Option<Named>,
    identity: SiteIdentity,
    report_href: String,
    /// The site's error-report (纠错) entry set in the self-check page (its own or its
    /// nearest ancestor's): the footer's 网站纠错 link goes there; without one, to the site's
    /// built-in error-report page.
    error_report: Option<String>,
    /// Where the header's search box sends its query (the current site's search).
    search_href: String,
    /// The site code the box's suggestions are limited to (`None`: the whole group).
    search_site: Option<String>,
    breadcrumbs: Vec<Crumb>,
}

#[derive(Debug, Clone, Serialize)]
struct WebsiteRef {
    name: String,
    href: String,
    unit: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Named {
    name: String,
}

#[derive(Debug, Clone, Serialize)]
struct Crumb {
    name: String,
    href: Option<String>,
}

impl Page {
    fn bare(title: String) -> Page {
        Page {
            title,
            website: WebsiteRef { name: String::new(), href: "/".into(), unit: None },
            channel: None,
            identity: SiteIdentity::default(),
            report_href: REPORT_PATH.into(),
            error_report: None,
            search_href: search::SEARCH_PATH.into(),
            search_site: None,
            breadcrumbs: vec![],
        }
    }
}

/// A site in a list.
#[derive(Debug, Clone, Serialize)]
struct SiteRow {
    code: String,
    name: String,
    kind: &'static str,
    status: &'static str,
    closed: bool,
    href: String,
}

/// The site tree and unit names, loaded once per request.
struct Snapshot {
    tree: Arc<SiteTree>,
    /// Units by id: (code, name).
    units: HashMap<UnitId, (String, String)>,
    /// Every site's own error-report entry (read per request: a change shows at once).
    error_reports: HashMap<SiteId, String>,
}

async fn load_snapshot(st: &AppState) -> Result<Snapshot, Error> {
    run_blocking(st, |g| {
        let tree = g.site_tree()?;
        let units = g.list_units(&Actor::anonymous())?.into_iter().map(|u| (u.id, (u.code, u.name))).collect();
        let error_reports = g.error_report_entries()?;
        Ok(Snapshot { tree, units, error_reports })
    })
    .await
}

impl Snapshot {
    /// The registered website a site belongs to (itself, or its nearest registered ancestor).
    fn website_of(&self, id: SiteId) -> Option<&Site> {
        let mut cursor = self.tree.get(id);
        let mut steps = 0;
        while let Some(s) = cursor {
            if s.kind.is_registered_website() {
                return Some(s);
            }
            steps += 1;
            if steps > self.tree.sites().len() {
                return None;
            }
            cursor = s.parent.and_then(|p| self.tree.get(p));
        }
        None
    }

    /// The site and its ancestors, root first.
    fn lineage(&self, site: &Site) -> Vec<Site> {
        let mut chain = vec![site.clone()];
        let mut cursor = site.parent;
        while let Some(p) = cursor.and_then(|p| self.tree.get(p)) {
            if chain.len() > self.tree.sites().len() {
                break;
            }
            chain.push(p.clone());
            cursor = p.parent;
        }
        chain.reverse();
        chain
    }

    /// A link to a site as seen from the registered website `here`: its path when it
    /// lives under the same website, else through its (or its website's) host name.
    fn href(&self, site: &Site, here: Option<SiteId>) -> String {
        let path = self.tree.path_of(site.id);
        let website = self.website_of(site.id);
        if here.is_none() || website.map(|w| w.id) == here {
            return path;
        }
        if let Some(host) = site.hosts.first() {
            return format!("//{host}/");
        }
        match website.and_then(|w| w.hosts.first()) {
            Some(host) if path == "/" => format!("//{host}/"),
            Some(host) => format!("//{host}{path}"),
            None => path,
        }
    }

    fn unit_name(&self, unit: Option<UnitId>) -> Option<String> {
        unit.and_then(|u| self.units.get(&u)).map(|(_, name)| name.clone())
    }

    fn row(&self, site: &Site, here: Option<SiteId>) -> SiteRow {
        SiteRow {
            code: site.code.clone(),
            name: site.display_name().to_string(),
            kind: site.kind.as_str(),
            status: site.status.as_str(),
            closed: matches!(site.status, SiteStatus::Closed { .. }),
            href: self.href(site, here),
        }
    }

    /// The layout context for a page of `site` (or of no site).
    fn page(&self, st: &AppState, site: Option<&Site>, title: String, crumbs: bool) -> Page {
        let Some(site) = site else { return Page::bare(title) };
        let website = self.website_of(site.id);
        let here = website.map(|w| w.id);
        let website_ref = match website {
            Some(w) => WebsiteRef { name: w.name.clone(), href: self.href(w, here), unit: self.unit_name(w.unit) },
            None => WebsiteRef { name: site.name.clone(), href: "/".into(), unit: None },
        };
        let channel = (!site.kind.is_registered_website()).then(|| Named { name: site.display_name().to_string() });
        let site_href = self.href(site, here);
        let report_href = format!("{}{REPORT_PATH}", site_href.trim_end_matches('/'));
        let search_href = format!("{}{}", site_href.trim_end_matches('/'), search::SEARCH_PATH);
        let search_site = site.parent.is_some().then(|| site.code.clone());
        let breadcrumbs = if crumbs {
            self.lineage(site)
                .iter()
                .map(|s| {
                    let name = if Some(s.id) == here { st.t("layout.home") } else { s.display_name().to_string() };
                    Crumb { name, href: Some(self.href(s, here)) }
                })
                .collect()
        } else {
            vec![]
        };
        Page {
            title,
            website: website_ref,
            channel,
            identity: self.tree.identity(site.id),
            report_href,
            error_report: self.lineage(site).iter().rev().find_map(|s| self.error_reports.get(&s.id).cloned()),
            search_href,
            search_site,
            breadcrumbs,
        }
    }

    /// The nearest closed site among `site` and its ancestors.
    fn closed_in_lineage(&self, site: &Site) -> Option<Site> {
        self.lineage(site).into_iter().rev().find(|s| matches!(s.status, SiteStatus::Closed { .. }))
    }

    /// An archived site whose prefix `path` falls under, on the website `website`.
    /// (The resolver leaves archived sites out; this tells "gone" from "never was".)
    fn archived_at(&self, website: SiteId, path: &str) -> Option<&Site> {
        let path = path.to_ascii_lowercase();
        self.tree.sites().iter().find(|s| {
            s.status == SiteStatus::Archived
                && s.parent.and_then(|p| self.website_of(p)).map(|w| w.id) == Some(website)
                && s.path_prefix.as_deref().is_some_and(|p| path == p || path.starts_with(&format!("{p}/")))
        })
    }
}

// ---------------------------------------------------------------------------------
// Public pages.

async fn site_page(
    State(st): State<AppState>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, AppError> {
    if method != Method::GET && method != Method::HEAD {
        let mut res = AppError::Status(StatusCode::METHOD_NOT_ALLOWED).into_response();
        res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(res);
    }
    let snap = load_snapshot(&st).await?;
    let host = host_of(&headers, &uri);
    let Some((site, rest)) = snap.tree.resolve(&host, uri.path()) else {
        return Err(AppError::Status(StatusCode::NOT_FOUND));
    };
    let site = site.clone();

    if let Some(closed) = snap.closed_in_lineage(&site) {
        return closed_page(&st, &snap, &closed);
    }
    match rest.as_str() {
        "/" | "" => public::home(&st, &snap, &site).await,
        REPORT_PATH => report_page(&st, &snap, &site),
        search::SEARCH_PATH => search::public_page(&st, &snap, &site, &uri).await,
        _ => {
            if let Some(res) = public::dispatch(&st, &snap, &site, &rest, &uri, &headers).await? {
                return Ok(res);
            }
            if let Some(website) = snap.website_of(site.id)
                && snap.archived_at(website.id, uri.path()).is_some()
            {
                return Err(AppError::Status(StatusCode::GONE));
            }
            Err(AppError::Status(StatusCode::NOT_FOUND))
        }
    }
}

fn report_page(st: &AppState, snap: &Snapshot, site: &Site) -> Result<Response, AppError> {
    let here = snap.website_of(site.id).map(|w| w.id);
    let mut page = snap.page(st, Some(site), st.t("report.title"), true);
    page.breadcrumbs.push(Crumb { name: st.t("report.title"), href: None });
    // The online form: a letter to the unit that runs the site (the nearest one up the
    // tree), filed under the category 网站纠错, so it is tracked with a deadline like any
    // letter; a configured entry elsewhere is offered too.
    let unit = snap.lineage(site).iter().rev().find_map(|s| s.unit).and_then(|u| snap.units.get(&u));
    let form_href = unit.map(|(code, _)| format!("/hudong/bmxx/new?unit={code}&category=jiucuo"));
    let entry = page.error_report.clone().filter(|e| e.as_str() != REPORT_PATH);
    let ctx = context! {
        page => ser(&page),
        site => context! { name => site.name.clone(), href => snap.href(site, here) },
        form_href => form_href,
        unit_name => unit.map(|(_, name)| name.clone()),
        entry => entry,
    };
    render(st, "report.html", StatusCode::OK, ctx)
}

/// A closed site's notice. Served with **200**: the notice is the site's content now
/// (a closure is not an outage, and monitoring counts 5xx as "unreachable").
fn closed_page(st: &AppState, snap: &Snapshot, closed: &Site) -> Result<Response, AppError> {
    let SiteStatus::Closed { notice, redirect } = &closed.status else {
        return Err(AppError::Status(StatusCode::NOT_FOUND));
    };
    // The library validated the redirect; only http(s) URLs and local paths are followed.
    let redirect = redirect.as_deref().filter(|r| {
        r.starts_with("https://") || r.starts_with("http://") || (r.starts_with('/') && !r.starts_with("//"))
    });
    let page = snap.page(st, Some(closed), st.t("closed.title"), true);
    let ctx = context! {
        page => ser(&page),
        site => context! { name => closed.name.clone() },
        notice => notice.clone(),
        redirect => redirect,
        seconds => REDIRECT_SECONDS,
    };
    render(st, "closed.html", StatusCode::OK, ctx)
}

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Result<Response, AppError> {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file) else {
        return Err(AppError::Status(StatusCode::NOT_FOUND));
    };
    Ok((
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::ETAG, &asset.etag()),
        ],
        asset.body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------
// Login, logout, back office.

#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Default, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn login_form(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    login_page(&st, &headers, &uri, "", None, StatusCode::OK).await
}

async fn login_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (csrf, set) = csrf_token(st, headers)?;
    let snap = load_snapshot(st).await?;
    let site = snap.tree.resolve(&host_of(headers, uri), "/").map(|(s, _)| s);
    let mut page = snap.page(st, site, st.t("login.title"), false);
    page.breadcrumbs = vec![
        Crumb { name: st.t("layout.home"), href: Some(page.website.href.clone()) },
        Crumb { name: st.t("login.title"), href: None },
    ];
    let ctx = context! { page => ser(&page), csrf => csrf, username => username, error => error };
    let mut res = render(st, "login.html", status, ctx)?;
    if let Some(set) = set {
        res.headers_mut().append(header::SET_COOKIE, set);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn login_submit(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    check_csrf(&headers, &form.csrf)?;
    if form.username.trim().is_empty() || form.password.is_empty() {
        return login_page(&st, &headers, &uri, &form.username, Some(st.t("login.missing")), StatusCode::BAD_REQUEST)
            .await;
    }
    let (username, password) = (form.username.clone(), form.password);
    let result = run_blocking(&st, move |g| {
        let session = g.login(&username, &password, &Origin::web(addr))?;
        let max_age = (session.expires_at - g.now()).max(0);
        Ok((session.token, max_age))
    })
    .await;
    match result {
        Ok((token, max_age)) => {
            let mut res = redirect("/admin");
            if let Some(c) = set_cookie(&st, SESSION_COOKIE, &token, "Lax", Some(max_age)) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            Ok(res)
        }
        Err(e) if e.is_user_error() => {
            let (status, message) = describe_error(st.catalogue(), &e);
            let mut res = login_page(&st, &headers, &uri, &form.username, Some(message), status).await?;
            if let Error::Locked { until } = e
                && let Some(v) = retry_after(&st, until)
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(e) => Err(AppError::Lib(e)),
    }
}

fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check_csrf(&headers, &form.csrf)?;
    let mut res = redirect("/");
    if let Some(c) = set_cookie(&st, SESSION_COOKIE, "", "Lax", Some(0)) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

#[derive(Debug, Default, Deserialize)]
struct AdminQuery {
    site: Option<String>,
}

#[derive(Debug, Serialize)]
struct AuditRow {
    time: String,
    actor: String,
    action: String,
    target: String,
    site: Option<String>,
    origin: String,
}

#[derive(Debug, Serialize)]
struct RoleRow {
    role: &'static str,
    scope: String,
}

/// What the back office shows, gathered in one blocking call.
struct AdminData {
    actor: Actor,
    display_name: String,
    sites: Vec<Site>,
    /// Site shown (None = group-wide) and its entries; None when nothing may be shown.
    audit: Option<(Option<Site>, Vec<AuditEntry>)>,
    can_group: bool,
}

const AUDIT_LIMIT: u32 = 200;

async fn admin(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<AdminQuery>,
) -> Result<Response, AppError> {
    let Some(token) = cookie(&headers, SESSION_COOKIE).filter(|t| !t.is_empty()).map(str::to_string) else {
        return Ok(redirect("/login"));
    };
    let wanted = q.site.filter(|s| !s.trim().is_empty());
    let result = run_blocking(&st, move |g| {
        let actor = g.actor_from_token(&token)?;
        let display_name = g.user(&actor, &actor.label()).map(|u| u.display_name).unwrap_or_else(|_| actor.label());
        let sites = g.sites_for(&actor)?;
        let group_query = AuditQuery { limit: Some(AUDIT_LIMIT), ..AuditQuery::default() };
        // The whole group's log, or (with an explicit site) just whether it may be read.
        let probe = AuditQuery { limit: Some(1), ..group_query.clone() };
        let group_log = g.audit(&actor, if wanted.is_some() { &probe } else { &group_query });
        let can_group = group_log.is_ok();
        let audit = match wanted {
            // An explicit site: the library decides; Denied becomes a 403 page.
            Some(code) => {
                let site = g.site(&code)?;
                let entries = g.audit(&actor, &AuditQuery { site: Some(site.id), ..group_query })?;
                Some((Some(site), entries))
            }
            None => match group_log {
                Ok(entries) => Some((None, entries)),
                Err(Error::Denied(_)) => sites.iter().find_map(|s| {
                    g.audit(&actor, &AuditQuery { site: Some(s.id), ..group_query.clone() })
                        .ok()
                        .map(|entries| (Some(s.clone()), entries))
                }),
                Err(e) => return Err(e),
            },
        };
        Ok(AdminData { actor, display_name, sites, audit, can_group })
    })
    .await;
    let data = match result {
        Ok(d) => d,
        Err(Error::Session(_) | Error::Disabled) => {
            let mut res = redirect("/login");
            if let Some(c) = set_cookie(&st, SESSION_COOKIE, "", "Lax", Some(0)) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            return Ok(res);
        }
        Err(e) => return Err(e.into()),
    };

    let (csrf, set) = csrf_token(&st, &headers)?;
    let snap = load_snapshot(&st).await?;
    let site = snap.tree.resolve(&host_of(&headers, &uri), "/").map(|(s, _)| s);
    let here = site.and_then(|s| snap.website_of(s.id)).map(|w| w.id);
    let mut page = snap.page(&st, site, st.t("admin.title"), false);
    page.breadcrumbs = vec![
        Crumb { name: st.t("layout.home"), href: Some(page.website.href.clone()) },
        Crumb { name: st.t("admin.title"), href: None },
    ];
    let site_name = |id: Option<SiteId>| id.and_then(|id| snap.tree.get(id)).map(|s| s.display_name().to_string());
    let roles: Vec<RoleRow> = data
        .actor
        .grants
        .iter()
        .map(|g| RoleRow {
            role: g.role.as_str(),
            scope: match g.scope {
                Scope::Group => st.t("admin.scope_group"),
                Scope::Site(id) => site_name(Some(id)).unwrap_or_else(|| id.to_string()),
                Scope::Column { site, column } => {
                    format!("{} #{column}", site_name(Some(site)).unwrap_or_else(|| site.to_string()))
                }
            },
        })
        .collect();
    let sites: Vec<SiteRow> = data.sites.iter().map(|s| snap.row(s, here)).collect();
    let cat = st.catalogue();
    let (audit_site, audit_group, entries, audit_note) = match &data.audit {
        Some((site, entries)) => {
            let rows: Vec<AuditRow> = entries
                .iter()
                .map(|e| {
                    let key = format!("action.{}", e.entry.action);
                    AuditRow {
                        time: shanghai(e.entry.at, "%Y-%m-%d %H:%M:%S"),
                        actor: e.entry.actor.clone(),
                        action: if cat.has(&key) { cat.get(&key).to_string() } else { e.entry.action.clone() },
                        target: e.entry.target.clone(),
                        site: site_name(e.entry.site),
                        origin: e.entry.origin.clone(),
                    }
                })
                .collect();
            (site.as_ref().map(|s| s.name.clone()), site.is_none(), rows, None)
        }
        None => (None, false, vec![], Some(st.t("admin.audit_denied"))),
    };
    let ctx = context! {
        page => ser(&page),
        csrf => csrf,
        user => context! { username => data.actor.label(), display_name => data.display_name },
        roles => ser(roles),
        sites => ser(sites),
        audit_site => audit_site,
        audit_group => audit_group,
        audit_shown => data.audit.is_some(),
        audit_note => audit_note,
        entries => ser(entries),
        can_group => data.can_group,
    };
    let mut res = render(&st, "admin.html", StatusCode::OK, ctx)?;
    if let Some(set) = set {
        res.headers_mut().append(header::SET_COOKIE, set);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
