//! The back office of the annual report of government information disclosure
//! (政府信息公开工作年度报告): the computed tables of a site and year laid out like the
//! national form, the warnings to look at, the entry form for what the platform cannot
//! know, saving, publishing (and correcting a published report), and the .xlsx.
//!
//! `GET /admin/ndbg?site=CODE&year=YYYY` — the site picker offers the sites the user
//! may read reports of (`ViewStats`); without `site` the first of them; without `year`
//! last year. `POST /admin/ndbg` saves the entries (or, once published, saves and
//! publishes a correction after the confirmation box); `POST /admin/ndbg/publish`
//! publishes after the confirmation box; `GET /admin/ndbg.xlsx?site=…&year=…`.
//!
//! **Never** computes or checks a figure itself, and never decides a permission: the
//! library reads (`ViewStats`) and writes (`EditSite`) and refuses another site's; the
//! portal only asks `authorize` whether to show the form. A refused entry form is
//! shown again as typed with the Chinese message next to the field, and nothing is
//! saved (the library validates before its transaction).

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use chrono::Datelike;
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::interaction::model::beijing_date;
use sitegroup::{
    ANNUAL_REPORT_FIRST_YEAR, Action, Actor, AnnualReport, AnnualReportEntries, EntryKind, Error, Resource, Site,
    ValidationError,
};

use super::{Fail, Frame, Reply, actor, call, field, may, origin, see_other, when};
use crate::AppState;
use crate::public::annual_report::{PATH as PUBLIC_PATH, report_view, xlsx_response};

/// Largest entry form: three texts of 20,000 characters, percent-encoded (9 bytes
/// each), and the numbers.
const FORM_LIMIT: usize = 1024 * 1024;

/// Routes of the annual report pages (merged into [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/ndbg", get(page).post(save))
        .route("/admin/ndbg/publish", post(publish))
        .route("/admin/ndbg.xlsx", get(xlsx))
        .layer(DefaultBodyLimit::disable())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    done: String,
}

#[derive(Debug, Serialize)]
struct SiteOption {
    code: String,
    name: String,
}

/// The sites whose reports the actor may read, the chosen one and the year.
struct Scope {
    sites: Vec<SiteOption>,
    site: Site,
    year: i32,
    this_year: i32,
}

/// Why a request names no report.
enum ScopeError {
    /// The year is not a number (the library refuses years out of range itself).
    Year(String),
    Lib(Error),
}

impl From<Error> for ScopeError {
    fn from(e: Error) -> Self {
        ScopeError::Lib(e)
    }
}

fn scope_of(g: &sitegroup::SiteGroup, a: &Actor, code: &str, year: &str) -> Result<Scope, ScopeError> {
    let this_year = beijing_date(g.now()).map_or(ANNUAL_REPORT_FIRST_YEAR, |d| d.year());
    let year = match year.trim() {
        "" => this_year - 1,
        y => y.parse::<i32>().map_err(|_| ScopeError::Year(y.to_string()))?,
    };
    let allowed: Vec<Site> = g
        .sites_for(a)?
        .into_iter()
        .filter(|s| !s.is_template && may(a, Action::ViewStats, Resource::Site(s.id)))
        .collect();
    let code = code.trim();
    let site = if code.is_empty() {
        match allowed.first() {
            Some(s) => s.clone(),
            // Nothing to show: the library's refusal.
            None => {
                sitegroup::authorize(a, Action::ViewStats, &Resource::Group).map_err(Error::from)?;
                return Err(ScopeError::Lib(Error::NotFound { what: "site", key: String::new() }));
            }
        }
    } else {
        // Another site's code is the library's refusal when the report is read.
        g.site(code)?
    };
    let sites =
        allowed.iter().map(|s| SiteOption { code: s.code.clone(), name: s.display_name().to_string() }).collect();
    Ok(Scope { sites, site, year, this_year })
}

/// The entry form as typed (`typed`) or as saved, with the error of one key.
#[derive(Debug, Serialize)]
struct EntryRow {
    key: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    error: Option<String>,
}

/// A warning as shown, with a link to the ticket it is about.
#[derive(Debug, Serialize)]
struct WarningRow {
    kind: String,
    text: String,
    href: Option<String>,
}

fn warning_rows(st: &AppState, r: &AnnualReport) -> Vec<WarningRow> {
    r.warnings
        .iter()
        .map(|w| {
            let text = match w.kind.as_str() {
                "no_outcome" => st.tf("ndbg.warn.no_outcome", &[("code", w.query_code.as_deref().unwrap_or_default())]),
                "unbalanced" => {
                    let column = w.column.clone().unwrap_or_default();
                    match r.requests.columns.iter().position(|c| *c == column) {
                        Some(i) => {
                            let n = |key: &str| r.requests.counts(key)[i].to_string();
                            st.tf(
                                "ndbg.warn.balance",
                                &[
                                    ("column", &column),
                                    ("results", &n("concluded_total")),
                                    ("forward", &n("carried_forward")),
                                    ("received", &n("received")),
                                    ("carried", &n("carried_over")),
                                ],
                            )
                        }
                        None => w.text.clone(),
                    }
                }
                _ => w.text.clone(),
            };
            WarningRow { kind: w.kind.clone(), text, href: w.ticket.map(|id| format!("/admin/tickets/{id}")) }
        })
        .collect()
}

fn entry_label(st: &AppState, key: &str) -> String {
    st.t(&format!("ndbg.entry.{key}"))
}

/// The field an entry error names and its Chinese message (`ndbg.err.field`).
fn entry_error(st: &AppState, e: &Error) -> Option<(&'static str, String)> {
    let Error::Invalid(v) = e else { return None };
    let (key, problem) = match v {
        ValidationError::TooLong { field, len, max } => {
            (*field, st.tf("ndbg.err.too_long", &[("len", &len.to_string()), ("max", &max.to_string())]))
        }
        ValidationError::Malformed { field, reason } => {
            let problem = match reason.as_str() {
                "negative" => "ndbg.err.negative",
                "not a whole number" => "ndbg.err.number",
                "too large" => "ndbg.err.too_large",
                r if r.starts_with("not a number") => "ndbg.err.decimals",
                _ => "ndbg.err.invalid",
            };
            (*field, st.t(problem))
        }
        _ => return None,
    };
    AnnualReportEntries::FIELDS.iter().any(|(k, _)| *k == key).then(|| {
        let label = entry_label(st, key);
        (key, st.tf("ndbg.err.field", &[("field", &label), ("problem", &problem)]))
    })
}

fn kind_name(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Count => "count",
        EntryKind::Decimal => "decimal",
        EntryKind::Text => "text",
    }
}

/// What the page shows besides the report.
struct Shown {
    typed: Option<Vec<(String, String)>>,
    error: Option<(&'static str, String)>,
    alert: Option<String>,
    done: Option<String>,
    status: StatusCode,
}

impl Shown {
    fn plain(done: Option<String>) -> Shown {
        Shown { typed: None, error: None, alert: None, done, status: StatusCode::OK }
    }
}

async fn render(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    scope: Scope,
    report: AnnualReport,
    shown: Shown,
) -> Reply {
    let entries: Vec<EntryRow> = AnnualReportEntries::FIELDS
        .iter()
        .map(|(key, kind)| EntryRow {
            key,
            label: entry_label(st, key),
            kind: kind_name(*kind),
            value: match &shown.typed {
                Some(pairs) => field(pairs, key).to_string(),
                None => report.entries.value(key),
            },
            error: shown.error.as_ref().filter(|(k, _)| k == key).map(|(_, m)| m.clone()),
        })
        .collect();
    let view = report_view(st, &report);
    let code = scope.site.code.clone();
    let year = scope.year;
    let frame = Frame::new(st, headers, st.t("ndbg.title"), vec![]).await?;
    let public = format!("{}{PUBLIC_PATH}/{year}", frame.site_path(&scope.site).trim_end_matches('/'));
    let years: Vec<i32> = (ANNUAL_REPORT_FIRST_YEAR..=scope.this_year).rev().collect();
    let ctx = context! {
        r => crate::ser(&view),
        sites => crate::ser(&scope.sites),
        site => code.clone(),
        year => year,
        years => years,
        as_of => when(st.group().now()),
        xlsx => format!("/admin/ndbg.xlsx?site={code}&year={year}"),
        public => public,
        warnings => crate::ser(warning_rows(st, &report)),
        entries => crate::ser(&entries),
        may_edit => may(me, Action::EditSite, Resource::Site(scope.site.id)),
        alert => shown.alert,
        done => shown.done,
    };
    frame.render(st, "admin/annual_report.html", shown.status, ctx)
}

/// A page explaining a request that names no valid year (or another failure).
async fn scope_failed(st: &AppState, headers: &HeaderMap, e: ScopeError) -> Fail {
    match e {
        ScopeError::Lib(e) => e.into(),
        ScopeError::Year(y) => {
            let text = st.tf("ndbg.err.year", &[("year", &y)]);
            match super::notice(
                st,
                headers,
                StatusCode::BAD_REQUEST,
                &st.t("admin.notice.failed"),
                &text,
                vec![],
                "/admin/ndbg",
            )
            .await
            {
                Ok(res) => Fail::Page(Box::new(res)),
                Err(f) => f,
            }
        }
    }
}

/// A library refusal of the year (out of range) as the same explanation.
fn year_refused(e: &Error) -> bool {
    matches!(e, Error::Invalid(ValidationError::Malformed { field: "year", .. }))
}

async fn load(
    st: &AppState,
    me: &Actor,
    code: &str,
    year: &str,
) -> Result<Result<(Scope, AnnualReport), ScopeError>, Fail> {
    let (code, year) = (code.to_string(), year.to_string());
    let result = call(st, me, move |g, a| {
        let scope = match scope_of(g, a, &code, &year) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        match g.annual_report(a, scope.site.id, scope.year) {
            Ok(r) => Ok(Ok((scope, r))),
            Err(e) if year_refused(&e) => Ok(Err(ScopeError::Year(scope.year.to_string()))),
            Err(e) => Err(e),
        }
    })
    .await?;
    Ok(result)
}

fn done_text(st: &AppState, done: &str) -> Option<String> {
    let key = format!("ndbg.done.{done}");
    st.catalogue().has(&key).then(|| st.t(&key))
}

pub(crate) async fn page(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let (scope, report) = match load(&st, &me, &q.site, &q.year).await? {
        Ok(v) => v,
        Err(e) => return Err(scope_failed(&st, &headers, e).await),
    };
    render(&st, &headers, &me, scope, report, Shown::plain(done_text(&st, q.done.trim()))).await
}

fn back_to(code: &str, year: i32, done: &str) -> String {
    format!("/admin/ndbg?site={code}&year={year}&done={done}")
}

/// Saves the entries; once the report is published, saves and publishes a correction
/// (the form then carries `mode=correct` and needs the confirmation box).
pub(crate) async fn save(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, FORM_LIMIT, "ndbg.too_large").await?;
    let me = actor(&st, &headers).await?;
    let correct = field(&pairs, "mode") == "correct";
    let confirmed = !field(&pairs, "confirm").is_empty();
    let (scope, report) = match load(&st, &me, field(&pairs, "site"), field(&pairs, "year")).await? {
        Ok(v) => v,
        Err(e) => return Err(scope_failed(&st, &headers, e).await),
    };
    let refill = |error: Option<(&'static str, String)>, alert: String| Shown {
        typed: Some(pairs.clone()),
        error,
        alert: Some(alert),
        done: None,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    if correct && !confirmed {
        let shown = refill(None, st.t("ndbg.err.confirm"));
        return render(&st, &headers, &me, scope, report, shown).await;
    }
    let (sid, year, p2) = (scope.site.id, scope.year, pairs.clone());
    let result = call(&st, &me, move |g, a| {
        let entries = AnnualReportEntries::from_form(&p2)?;
        if correct {
            g.correct_annual_report(a, &origin(), sid, year, &entries)
        } else {
            g.save_annual_report_entries(a, &origin(), sid, year, &entries)
        }
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&back_to(&scope.site.code, year, if correct { "corrected" } else { "saved" }))),
        Err(Error::Invalid(ValidationError::Malformed { field: "published", .. })) => {
            let shown = refill(None, st.t("ndbg.err.published"));
            render(&st, &headers, &me, scope, report, shown).await
        }
        Err(e) => match entry_error(&st, &e) {
            Some((key, text)) => {
                let shown = refill(Some((key, text)), st.t("ndbg.err.fix"));
                render(&st, &headers, &me, scope, report, shown).await
            }
            None => Err(e.into()),
        },
    }
}

/// Publishes the report (freezing the figures); needs the confirmation box.
pub(crate) async fn publish(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, crate::BODY_LIMIT, "ndbg.too_large").await?;
    let me = actor(&st, &headers).await?;
    let (scope, report) = match load(&st, &me, field(&pairs, "site"), field(&pairs, "year")).await? {
        Ok(v) => v,
        Err(e) => return Err(scope_failed(&st, &headers, e).await),
    };
    if field(&pairs, "confirm").is_empty() {
        let shown = Shown {
            typed: None,
            error: None,
            alert: Some(st.t("ndbg.err.confirm")),
            done: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return render(&st, &headers, &me, scope, report, shown).await;
    }
    let (sid, year) = (scope.site.id, scope.year);
    call(&st, &me, move |g, a| g.publish_annual_report(a, &origin(), sid, year)).await?;
    Ok(see_other(&back_to(&scope.site.code, year, "published")))
}

pub(crate) async fn xlsx(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let (scope, report) = match load(&st, &me, &q.site, &q.year).await? {
        Ok(v) => v,
        Err(e) => return Err(scope_failed(&st, &headers, e).await),
    };
    let bytes = report.to_xlsx()?;
    let mut res = xlsx_response(bytes, scope.year);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
