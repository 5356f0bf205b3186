//! The back office of issue 3: columns, documents, review, syndication, column health.
//!
//! Every page reads the session cookie (`actor_from_token`) and asks the library; a
//! refusal (`Error::Denied`) is the standard 403 page. No handler looks at a role: the
//! only permission question asked here is `sitegroup::authorize`, and only to decide
//! whether to *show* a button (the library decides again when it is pressed).
//! Every POST carries the CSRF token. Forms work without JavaScript; `admin.js` only
//! adds the rich-text editor on top of the body's `<textarea>`.

mod annual_report;
mod columns;
mod docs;
mod health;
mod multipart;
mod review;
mod selfcheck;
mod syndication;
mod tickets;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use serde::Serialize;
use sitegroup::{Action, Actor, Error, Origin, Resource, Site, SiteGroup, authorize};
use tower_http::limit::RequestBodyLimitLayer;

use crate::{AppError, AppState, Crumb, Snapshot, load_snapshot};

/// Largest editor form (urlencoded): the library takes bodies up to 2 MB of HTML, and a
/// form-encoded body can be up to three times its text.
pub(crate) const EDITOR_LIMIT: usize = 4 * 1024 * 1024;
/// Largest upload request (the library's default per-file limit is 50 MB).
pub(crate) const UPLOAD_LIMIT: usize = 50 * 1024 * 1024 + 64 * 1024;

/// Routes of the back office under `/admin/…` (merged into [`crate::app`]).
///
/// Small forms keep the portal's [`crate::BODY_LIMIT`]; the editor and the upload
/// routes read their bodies themselves up to [`EDITOR_LIMIT`] / [`UPLOAD_LIMIT`] and
/// answer a larger body with a Chinese 413 page. (The app-wide limit layer must not
/// wrap these routes for the larger limits to take effect.)
pub(crate) fn routes() -> Router<AppState> {
    let small = Router::new()
        .route("/admin/sites/{code}", get(dashboard))
        .route("/admin/sites/{code}/columns", get(columns::tree_page).post(columns::add))
        .route("/admin/sites/{code}/columns/{id}", post(columns::update))
        .route("/admin/sites/{code}/columns/{id}/owners", post(columns::owners))
        .route("/admin/sites/{code}/columns/{id}/archive", post(columns::archive))
        .route("/admin/sites/{code}/columns/{id}/restore", post(columns::restore))
        .route("/admin/sites/{code}/min-rate", post(columns::min_rate))
        .route("/admin/sites/{code}/docs", get(docs::list))
        .route("/admin/sites/{code}/health", get(health::site_page))
        .route("/admin/health", get(health::group_page))
        .route("/admin/docs/{id}", get(docs::show))
        .route("/admin/docs/{id}/submit", post(docs::submit))
        .route("/admin/docs/{id}/revisions", get(docs::revisions))
        .route("/admin/docs/{id}/compare", get(docs::compare))
        .route("/admin/docs/{id}/approve", post(review::approve))
        .route("/admin/docs/{id}/reject", post(review::reject))
        .route("/admin/docs/{id}/publish", post(review::publish))
        .route("/admin/docs/{id}/withdraw", post(review::withdraw))
        .route("/admin/docs/{id}/archive", post(review::archive))
        .route("/admin/docs/{id}/syndicate", post(syndication::submit))
        .route("/admin/review", get(review::queue))
        .route("/admin/syndication", get(syndication::inbox))
        .route("/admin/syndication/{id}/accept", post(syndication::accept))
        .route("/admin/syndication/{id}/reject", post(syndication::reject))
        .layer(RequestBodyLimitLayer::new(crate::BODY_LIMIT));
    // The large routes read the raw body themselves (see `read_body`), so axum's own
    // default limit is turned off for them.
    let large = Router::new()
        .route("/admin/docs/new", get(docs::new_form).post(docs::save_new))
        .route("/admin/docs/{id}/edit", get(docs::edit_form).post(docs::save_edit))
        .route("/admin/docs/{id}/attachments", post(docs::upload))
        .layer(DefaultBodyLimit::disable());
    small.merge(large).merge(tickets::routes()).merge(selfcheck::routes()).merge(annual_report::routes())
}

// ---------------------------------------------------------------------------------
// Errors and sessions.

/// What a back-office handler fails with.
pub(crate) enum Fail {
    /// No (valid) session: back to the login form, clearing the cookie.
    Login,
    /// A failure for the standard error page (403, 404, 500 …).
    App(Box<AppError>),
    /// A page already rendered (a Chinese explanation of a refused form).
    Page(Box<Response>),
}

impl From<AppError> for Fail {
    fn from(e: AppError) -> Self {
        Fail::App(Box::new(e))
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        match e {
            Error::Session(_) | Error::Disabled => Fail::Login,
            other => Fail::App(Box::new(AppError::Lib(other))),
        }
    }
}

impl From<minijinja::Error> for Fail {
    fn from(e: minijinja::Error) -> Self {
        Fail::App(Box::new(e.into()))
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Fail::Login => {
                let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
                let clear = format!("{}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0", crate::SESSION_COOKIE);
                if let Ok(v) = HeaderValue::from_str(&clear) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
                res
            }
            Fail::App(e) => (*e).into_response(),
            Fail::Page(res) => *res,
        }
    }
}

pub(crate) type Reply = Result<Response, Fail>;

/// The actor behind the session cookie.
pub(crate) async fn actor(st: &AppState, headers: &HeaderMap) -> Result<Actor, Fail> {
    let token = crate::cookie(headers, crate::SESSION_COOKIE).filter(|t| !t.is_empty()).map(str::to_string);
    let Some(token) = token else { return Err(Fail::Login) };
    Ok(crate::run_blocking(st, move |g| g.actor_from_token(&token)).await?)
}

/// The origin recorded in the audit log for a back-office request.
pub(crate) fn origin() -> Origin {
    Origin::web(None)
}

/// Runs a library call for `actor` on the blocking pool.
pub(crate) async fn call<T, F>(st: &AppState, actor: &Actor, f: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&SiteGroup, &Actor) -> Result<T, Error> + Send + 'static,
{
    let actor = actor.clone();
    crate::run_blocking(st, move |g| f(g, &actor)).await
}

/// Whether to show a control for `action` on `resource` (the library decides again).
pub(crate) fn may(actor: &Actor, action: Action, resource: Resource) -> bool {
    authorize(actor, action, &resource).is_ok()
}

/// The user's Chinese message for a library error met on a back-office form; the
/// portal-wide mapping ([`crate::describe_error`]) for everything it knows.
pub(crate) fn message(st: &AppState, e: &Error) -> String {
    use sitegroup::columns::ColumnError as C;
    use sitegroup::content::ContentError as K;
    let cat = st.catalogue();
    let mb = |n: u64| format!("{:.1}", n as f64 / 1_048_576.0);
    match e {
        Error::Column(c) => match c {
            C::Invalid(v) => crate::describe_error(cat, &Error::Invalid(v.clone())).1,
            C::NotFound(_) | C::UnknownParent(_) => st.t("admin.err.column_missing"),
            C::WrongSite { .. } => st.t("admin.err.column_wrong_site"),
            C::Cycle { .. } => st.t("admin.err.column_cycle"),
            C::TooDeep { max } => st.tf("admin.err.column_too_deep", &[("max", &max.to_string())]),
            C::NoChildren { .. } => st.t("admin.err.column_no_children"),
            C::Archived(_) => st.t("admin.err.column_archived"),
            C::HasChildren(_) => st.t("admin.err.column_has_children"),
            C::BadSlug { slug, .. } => st.tf("admin.err.slug_bad", &[("slug", slug)]),
            C::ReservedSlug(slug) => st.tf("admin.err.slug_reserved", &[("slug", slug)]),
            C::DuplicateSlug { slug } => st.tf("admin.err.slug_taken", &[("slug", slug)]),
            C::BadKind(_) => st.t("admin.err.column_kind"),
            C::BadDuty(_) => st.t("admin.err.duty"),
            C::KindField { .. } => st.t("admin.err.kind_field"),
            C::TooManyOwners { max } => st.tf("admin.err.owners_many", &[("max", &max.to_string())]),
            C::DuplicateOwner(name) => st.tf("admin.err.owner_twice", &[("name", name)]),
            _ => st.t("error.bad_request"),
        },
        Error::Content(c) => match c {
            K::Invalid(v) => crate::describe_error(cat, &Error::Invalid(v.clone())).1,
            K::TooLarge { size, max, .. } => {
                st.tf("admin.err.body_large", &[("size", &mb(*size as u64)), ("max", &mb(*max as u64))])
            }
            K::IllegalTransition { from, .. } => {
                st.tf("admin.err.transition", &[("state", &st.t(&format!("admin.state.{}", from.as_str())))])
            }
            K::WrongSite { .. } => st.t("admin.err.column_wrong_site"),
            K::ColumnClosed { .. } => st.t("admin.err.column_closed"),
            K::KindChange { .. } => st.t("admin.err.kind_change"),
            K::NotPublished(_) => st.t("admin.err.not_published"),
            K::FileTooLarge { size, max } => st.tf("admin.err.file_large", &[("size", &mb(*size)), ("max", &mb(*max))]),
            K::FileRejected { name, .. } => st.tf("admin.err.file_type", &[("name", name)]),
            K::Image(_) => st.t("admin.err.image"),
            _ => crate::describe_error(cat, e).1,
        },
        Error::Blocked(_) => st.t("admin.err.blocked"),
        Error::Invalid(sitegroup::ValidationError::Rule(_)) => st.t("admin.err.rule"),
        other => crate::describe_error(cat, other).1,
    }
}

/// A finding as shown: the rule in Chinese, severity, excerpt.
#[derive(Debug, Serialize)]
pub(crate) struct FindingRow {
    pub rule: String,
    pub block: bool,
    pub excerpt: String,
    pub place: &'static str,
}

pub(crate) fn finding_rows(st: &AppState, findings: &[sitegroup::text::checks::Finding]) -> Vec<FindingRow> {
    findings
        .iter()
        .map(|f| {
            let (place, rule) = match f.rule.strip_prefix("title.") {
                Some(r) => ("title", r),
                None => ("body", f.rule.as_str()),
            };
            let key = format!("admin.rule.{rule}");
            FindingRow {
                rule: if st.catalogue().has(&key) { st.t(&key) } else { st.t("admin.rule.other") },
                block: f.severity == sitegroup::text::checks::Severity::Block,
                excerpt: f.excerpt.chars().take(80).collect(),
                place,
            }
        })
        .collect()
}

/// Turns a library error on a form into the answer: the session and permission
/// failures as usual (login, 403, 404, 500), anything the user can fix as a Chinese
/// explanation with a way back (and the findings, for blocked content).
pub(crate) async fn refuse(st: &AppState, headers: &HeaderMap, e: Error, back: &str) -> Fail {
    let keep = matches!(e, Error::Session(_) | Error::Disabled | Error::Denied(_) | Error::NotFound { .. })
        || !e.is_user_error();
    if keep {
        return e.into();
    }
    let status = match &e {
        Error::Duplicate { .. } | Error::Column(sitegroup::columns::ColumnError::DuplicateSlug { .. }) => {
            StatusCode::CONFLICT
        }
        Error::Blocked(_) | Error::Content(_) | Error::Column(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_REQUEST,
    };
    let findings = match &e {
        Error::Blocked(f) => finding_rows(st, f),
        _ => vec![],
    };
    let text = message(st, &e);
    match notice(st, headers, status, &st.t("admin.notice.failed"), &text, findings, back).await {
        Ok(res) => Fail::Page(Box::new(res)),
        Err(f) => f,
    }
}

/// A page with a heading, a message, optional findings and a link back.
pub(crate) async fn notice(
    st: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    heading: &str,
    text: &str,
    findings: Vec<FindingRow>,
    back: &str,
) -> Reply {
    let frame = Frame::new(st, headers, heading.to_string(), vec![]).await?;
    let ctx = context! {
        heading => heading,
        message => text,
        findings => crate::ser(findings),
        back => back,
    };
    frame.render(st, "admin/notice.html", status, ctx)
}

// ---------------------------------------------------------------------------------
// Page frame.

/// The layout context of a back-office page, its CSRF token and the site tree.
pub(crate) struct Frame {
    pub page: crate::Page,
    pub csrf: String,
    set_csrf: Option<HeaderValue>,
    pub snap: Snapshot,
}

impl Frame {
    /// The frame of a page titled `title`; `trail` are the crumbs between 管理后台 and it.
    pub async fn new(
        st: &AppState,
        headers: &HeaderMap,
        title: String,
        trail: Vec<(String, Option<String>)>,
    ) -> Result<Frame, Fail> {
        let (csrf, set_csrf) = crate::csrf_token(st, headers)?;
        let snap = load_snapshot(st).await?;
        let host = crate::host_of(headers, &Uri::from_static("/"));
        let site = snap.tree.resolve(&host, "/").map(|(s, _)| s);
        let mut page = snap.page(st, site, title.clone(), false);
        let mut crumbs = vec![
            Crumb { name: st.t("layout.home"), href: Some(page.website.href.clone()) },
            Crumb { name: st.t("admin.title"), href: Some("/admin".into()) },
        ];
        crumbs.extend(trail.into_iter().map(|(name, href)| Crumb { name, href }));
        crumbs.push(Crumb { name: title, href: None });
        page.breadcrumbs = crumbs;
        Ok(Frame { page, csrf, set_csrf, snap })
    }

    /// Renders `template` with the frame (`page`, `csrf`) and `ctx`.
    pub fn render(self, st: &AppState, template: &str, status: StatusCode, ctx: Value) -> Reply {
        let full = context! { page => crate::ser(&self.page), csrf => self.csrf, ..ctx };
        let mut res = crate::render(st, template, status, full)?;
        if let Some(set) = self.set_csrf {
            res.headers_mut().append(header::SET_COOKIE, set);
        }
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(res)
    }

    /// The public path of a site (`/` for the portal, `/jyj` for a channel).
    pub fn site_path(&self, site: &Site) -> String {
        self.snap.tree.path_of(site.id)
    }
}

/// A 303 redirect to a back-office page.
pub(crate) fn see_other(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, HeaderValue::from_static("/admin"))]).into_response(),
    }
}

/// The site with this code (public information; permissions are asked per call).
pub(crate) async fn site(st: &AppState, code: &str) -> Result<Site, Fail> {
    let code = code.to_string();
    Ok(crate::run_blocking(st, move |g| g.site(&code)).await?)
}

/// Reads a request body up to `limit` bytes; a larger one is a Chinese 413 page.
pub(crate) async fn read_body(
    st: &AppState,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    what: &str,
) -> Result<Bytes, Fail> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let bytes = match declared {
        Some(n) if n > limit => None,
        _ => axum::body::to_bytes(body, limit).await.ok(),
    };
    match bytes {
        Some(b) => Ok(b),
        None => {
            let max = format!("{}", limit / (1024 * 1024));
            let text = st.tf(what, &[("max", &max)]);
            let res = notice(st, headers, StatusCode::PAYLOAD_TOO_LARGE, &st.t("error.heading_413"), &text, vec![], "")
                .await?;
            Err(Fail::Page(Box::new(res)))
        }
    }
}

/// Decodes a urlencoded form into its pairs (repeated names kept, in order). Invalid
/// UTF-8 is replaced, never refused: the library validates the values.
pub(crate) fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = match p.iter().position(|b| *b == b'=') {
                Some(i) => (&p[..i], &p[i + 1..]),
                None => (p, &p[p.len()..]),
            };
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> String {
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'+' {
            out.push(b' ');
        } else if b == b'%'
            && let (Some(h), Some(l)) = (s.get(i + 1).and_then(|c| hex(*c)), s.get(i + 2).and_then(|c| hex(*c)))
        {
            out.push(h * 16 + l);
            i += 2;
        } else {
            out.push(b);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first value of a form field.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// A back-office form's fields: the body read within `limit` (`too_large` is the
/// message key of the refusal), decoded, and its CSRF field checked.
pub(crate) async fn read_form(
    st: &AppState,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    too_large: &str,
) -> Result<Vec<(String, String)>, Fail> {
    let bytes = read_body(st, headers, body, limit, too_large).await?;
    let pairs = form_pairs(&bytes);
    check_csrf_pairs(headers, &pairs)?;
    Ok(pairs)
}

/// Checks the CSRF field of decoded pairs.
pub(crate) fn check_csrf_pairs(headers: &HeaderMap, pairs: &[(String, String)]) -> Result<(), Fail> {
    crate::check_csrf(headers, field(pairs, "csrf")).map_err(Fail::from)
}

/// Unix seconds on the Beijing wall clock (`YYYY-MM-DD HH:MM`).
pub(crate) fn when(at: i64) -> String {
    crate::shanghai(at, "%Y-%m-%d %H:%M")
}

/// Parses a `datetime-local` value (`YYYY-MM-DDTHH:MM`, Beijing time) to unix seconds.
pub(crate) fn parse_local(s: &str) -> Option<i64> {
    use chrono::TimeZone;
    let s = s.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    chrono_tz::Asia::Shanghai.from_local_datetime(&naive).single().map(|t| t.timestamp())
}

/// Unix seconds as a `datetime-local` value.
pub(crate) fn local_input(at: i64) -> String {
    crate::shanghai(at, "%Y-%m-%dT%H:%M")
}

// ---------------------------------------------------------------------------------
// The site dashboard.

#[derive(Debug, Serialize)]
struct Count {
    state: &'static str,
    count: u64,
}

async fn dashboard(State(st): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> Reply {
    let me = actor(&st, &headers).await?;
    let site = site(&st, &code).await?;
    let sid = site.id;
    let (columns, docs, queue, inbox, health, reminders) = call(&st, &me, move |g, a| {
        let columns = g.columns(a, sid)?;
        let docs = g.document_state_counts(a, sid)?;
        let queue = g.review_queue(a, sid, None)?.len();
        let inbox = g
            .syndication_inbox(a, sid)?
            .iter()
            .filter(|s| s.state == sitegroup::content::SyndicationState::Pending)
            .count();
        // Column health and the update reminders (栏目更新提醒: columns overdue or about
        // to lapse) from one read of the columns' publishing activity.
        let activity = g.column_activity_of(sid)?;
        let health = g.column_health_of(a, sid, &activity, sitegroup::RATE_WINDOW_DAYS).ok();
        let reminders = g.column_reminders(a, sid, &activity, sitegroup::RATE_WINDOW_DAYS).unwrap_or_default();
        Ok((columns, docs, queue, inbox, health, reminders))
    })
    .await?;
    let counts: Vec<Count> = docs.iter().map(|(s, n)| Count { state: s.as_str(), count: *n }).collect();
    let live = columns.iter().filter(|c| c.is_live()).count();
    let reminders = reminder_rows(&me, reminders);
    let frame = Frame::new(&st, &headers, site.display_name().to_string(), vec![]).await?;
    let ctx = context! {
        site => context! { code => site.code.clone(), name => site.name.clone(), href => frame.site_path(&site) },
        columns => live,
        counts => crate::ser(counts),
        queue => queue,
        inbox => inbox,
        blank => health.as_ref().map(|h| h.blank_count),
        vetoes => health.as_ref().map(|h| h.vetoes.len()),
        may_columns => may(&me, Action::ManageColumns, Resource::Site(sid)),
        reminders => crate::ser(reminders),
    };
    frame.render(&st, "admin/site.html", StatusCode::OK, ctx)
}

/// One line of the dashboard's update reminders (栏目更新提醒).
#[derive(Debug, Serialize)]
struct ReminderRow {
    column: i64,
    name: String,
    path: String,
    /// Days past the duty (0 when not yet overdue).
    overdue_days: i64,
    /// Whole days left before the duty lapses, when it has not yet.
    lapses_days: Option<i64>,
    owners: Vec<String>,
    /// The signed-in user is one of the column's owners.
    mine: bool,
}

/// The reminders as the dashboard lists them: the user's own columns first, then the
/// most overdue, then the soonest to lapse.
fn reminder_rows(me: &Actor, reminders: Vec<sitegroup::ColumnReminder>) -> Vec<ReminderRow> {
    const DAY: i64 = 86_400;
    let user = me.user_id();
    let mut rows: Vec<ReminderRow> = reminders
        .into_iter()
        .map(|r| ReminderRow {
            column: r.health.column,
            name: r.health.name,
            path: r.health.path,
            overdue_days: r.health.overdue_days,
            lapses_days: r.health.lapses_in_seconds.filter(|_| r.health.overdue_days == 0).map(|s| (s + DAY - 1) / DAY),
            mine: user.is_some() && r.owners.iter().any(|o| o.user == user),
            owners: r.owners.into_iter().map(|o| o.name).collect(),
        })
        .collect();
    rows.sort_by_key(|r| (!r.mine, -r.overdue_days, r.lapses_days.unwrap_or(i64::MAX), r.column));
    rows
}
