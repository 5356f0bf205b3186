//! 在线调查 (survey) pages of issue 5: the public list under `/hudong/diaocha` (open,
//! upcoming and closed surveys), a survey's page with its answer form
//! (`/hudong/diaocha/{id}`), the thank-you page (`…/xiexie`) and the results with inline
//! SVG bar charts (`…/jieguo`, counts only: free text never shows in public); and the
//! back office under `/admin/diaocha` (list, create and edit drafts with their
//! questions, publish and close, full results, CSV and .xlsx downloads).
//!
//! One response per person: a logged-in user answers as their account; a visitor as the
//! random id in the `sg_visitor` cookie (set on the survey page, or on the first
//! answer). The library keeps only salted hashes of that key and of the client address,
//! refuses a second response, and limits responses per address in the database (so the
//! limit holds across portal processes). Forms work without JavaScript and carry the
//! CSRF token; answers and questions are plain text, escaped by the templates. The
//! answer form reads its own body up to [`ANSWER_LIMIT`], the editor up to
//! [`EDIT_LIMIT`].

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::interaction::survey::{
    self as sv, Answers, NewQuestion, NewSurvey, Question, QuestionKind, QuestionResult, Survey, SurveyError,
    SurveyPhase, SurveyResults, SurveyState,
};
use sitegroup::{Action, Actor, Error, Origin, Resource, SiteGroup, ValidationError};

use super::{Frame, message_page, read_limited};
use crate::admin::{self as bo, Fail, Reply};
use crate::i18n::Catalogue;
use crate::{AppError, AppState, ClientAddr, run_blocking};

/// Path of the public survey pages.
pub(crate) const BASE: &str = "/hudong/diaocha";
/// Path of the back-office survey pages.
pub(crate) const ADMIN: &str = "/admin/diaocha";
/// The visitor cookie: a random id (32 hex digits), the respondent key of a visitor
/// without an account.
pub(crate) const VISITOR_COOKIE: &str = "sg_visitor";
/// Lifetime of the visitor cookie (a year).
const VISITOR_MAX_AGE: i64 = 365 * 86_400;
/// Largest answer form: 50 questions of up to 5,000 characters, percent-encoded.
pub(crate) const ANSWER_LIMIT: usize = 512 * 1024;
/// Largest editor form.
pub(crate) const EDIT_LIMIT: usize = 1024 * 1024;
/// Empty question slots offered below the existing ones in the editor.
const BLANK_SLOTS: usize = 3;
/// Most question slots read from an editor form.
const MAX_SLOTS: usize = 60;
/// Width of a full bar in the charts, in pixels.
const BAR_WIDTH: f64 = 300.0;

/// Routes of the survey pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(list))
        .route("/hudong/diaocha/{id}", get(show).post(answer))
        .route("/hudong/diaocha/{id}/xiexie", get(thanks))
        .route("/hudong/diaocha/{id}/jieguo", get(results_page))
        .route(ADMIN, get(admin_list))
        .route("/admin/diaocha/new", get(admin_new).post(admin_create))
        .route("/admin/diaocha/{id}", get(admin_show))
        .route("/admin/diaocha/{id}/edit", post(admin_edit))
        .route("/admin/diaocha/{id}/publish", post(admin_publish))
        .route("/admin/diaocha/{id}/close", post(admin_close))
        .route("/admin/diaocha/{id}/results", get(admin_results))
        .route("/admin/diaocha/{id}/export.csv", get(export_csv))
        .route("/admin/diaocha/{id}/export.xlsx", get(export_xlsx))
}

// ---------------------------------------------------------------------------------
// Messages.

/// The question a survey error is about, to show the message next to it.
fn question_of(e: &SurveyError) -> Option<u32> {
    match e {
        SurveyError::OptionCount { question, .. }
        | SurveyError::DuplicateOption { question, .. }
        | SurveyError::BadLimit { question, .. }
        | SurveyError::MissingAnswer { question }
        | SurveyError::UnknownQuestion { question }
        | SurveyError::UnknownOption { question, .. }
        | SurveyError::TooManyChoices { question, .. }
        | SurveyError::RatingOutOfRange { question, .. }
        | SurveyError::TextTooLong { question, .. }
        | SurveyError::MalformedAnswer { question } => Some(*question),
        _ => None,
    }
}

/// A validation error of a participation module in Chinese, with the field names of
/// the module's catalogue part (`{prefix}.field.{name}`).
pub(super) fn validation_text(cat: &Catalogue, prefix: &str, v: &ValidationError) -> String {
    let field = |f: &str| {
        let key = format!("{prefix}.field.{}", f.replace(' ', "_"));
        if cat.has(&key) { cat.get(&key).to_string() } else { cat.get("field.other").to_string() }
    };
    match v {
        ValidationError::Empty { field: f } => cat.format(&format!("{prefix}.err.empty"), &[("field", &field(f))]),
        ValidationError::TooLong { field: f, len, max } => cat.format(
            &format!("{prefix}.err.too_long"),
            &[("field", &field(f)), ("len", &len.to_string()), ("max", &max.to_string())],
        ),
        ValidationError::Malformed { field: f, .. } => {
            cat.format(&format!("{prefix}.err.malformed"), &[("field", &field(f))])
        }
        _ => cat.get("error.invalid_rule").to_string(),
    }
}

/// The status and Chinese message for a survey error; `None` leaves it to the portal's
/// general mapping (storage and internal errors).
pub(crate) fn describe(cat: &Catalogue, e: &SurveyError) -> Option<(StatusCode, String)> {
    use SurveyError as E;
    let f = |key: &str, args: &[(&str, &str)]| cat.format(key, args);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let q = question_of(e).map(|n| n.to_string()).unwrap_or_default();
    let q = q.as_str();
    Some(match e {
        E::Invalid(v) => (unprocessable, validation_text(cat, "sv", v)),
        E::NotFound(_) => (StatusCode::NOT_FOUND, f("sv.err.not_found", &[])),
        E::QuestionCount { max, .. } => (unprocessable, f("sv.err.question_count", &[("max", &max.to_string())])),
        E::OptionCount { max, .. } => (unprocessable, f("sv.err.option_count", &[("n", q), ("max", &max.to_string())])),
        E::DuplicateOption { label, .. } => {
            (unprocessable, f("sv.err.duplicate_option", &[("n", q), ("label", label)]))
        }
        E::BadLimit { what, min, max, .. } => (
            unprocessable,
            f(&format!("sv.err.limit_{what}"), &[("n", q), ("min", &min.to_string()), ("max", &max.to_string())]),
        ),
        E::BadPeriod => (unprocessable, f("sv.err.bad_period", &[])),
        E::MissingAnswer { .. } => (unprocessable, f("sv.err.missing", &[("n", q)])),
        E::UnknownQuestion { .. } => (unprocessable, f("sv.err.unknown_question", &[("n", q)])),
        E::UnknownOption { .. } => (unprocessable, f("sv.err.unknown_option", &[("n", q)])),
        E::TooManyChoices { max, .. } => (unprocessable, f("sv.err.too_many", &[("n", q), ("max", &max.to_string())])),
        E::RatingOutOfRange { scale, .. } => {
            (unprocessable, f("sv.err.rating", &[("n", q), ("scale", &scale.to_string())]))
        }
        E::TextTooLong { len, max, .. } => {
            (unprocessable, f("sv.err.text_long", &[("n", q), ("len", &len.to_string()), ("max", &max.to_string())]))
        }
        E::MalformedAnswer { .. } => (unprocessable, f("sv.err.malformed_answer", &[("n", q)])),
        E::NotOpen { phase } => (StatusCode::CONFLICT, f(&format!("sv.err.not_open_{}", phase.as_str()), &[])),
        E::IllegalState { state, .. } => {
            (StatusCode::CONFLICT, f("sv.err.state", &[("state", &f(&format!("sv.state.{}", state.as_str()), &[]))]))
        }
        E::AlreadyResponded => (StatusCode::CONFLICT, f("sv.err.already", &[])),
        E::Throttled { max, minutes } => (
            StatusCode::TOO_MANY_REQUESTS,
            f("sv.err.throttled", &[("max", &max.to_string()), ("minutes", &minutes.to_string())]),
        ),
        E::NoRespondent => (StatusCode::BAD_REQUEST, f("sv.err.no_respondent", &[])),
        E::OutsidePeriod => (unprocessable, f("sv.err.outside_period", &[])),
        E::ResultsNotPublic(_) => (StatusCode::NOT_FOUND, f("sv.err.results_hidden", &[])),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------
// Shared helpers (also used by the solicitation pages).

/// An id from the path; anything else is a 404.
pub(super) fn parse_id(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::Status(StatusCode::NOT_FOUND))
}

/// The actor of a public page: the logged-in user when the session is valid, else a
/// visitor (`Actor::anonymous`).
pub(super) async fn visitor_actor(st: &AppState, headers: &HeaderMap) -> Actor {
    let Some(token) = crate::cookie(headers, crate::SESSION_COOKIE).filter(|t| !t.is_empty()).map(str::to_string)
    else {
        return Actor::anonymous();
    };
    run_blocking(st, move |g| g.actor_from_token(&token)).await.unwrap_or_else(|_| Actor::anonymous())
}

/// A period as shown: `YYYY-MM-DD HH:MM 至 YYYY-MM-DD HH:MM` (the end exclusive, shown as
/// its last minute).
pub(super) fn period(st: &AppState, from: i64, to: i64) -> String {
    st.tf(
        "sv.period",
        &[("from", &crate::shanghai(from, "%Y-%m-%d %H:%M")), ("to", &crate::shanghai(to - 1, "%Y-%m-%d %H:%M"))],
    )
}

/// A file download that is never cached.
pub(super) fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A back-office failure: session and permission failures, records not found and our
/// own errors as usual (login, 403, 404, 500); anything the user can fix as a Chinese
/// explanation with a way back, under the status the portal's mapping gives it (409 for
/// a step the state does not allow, 422 for bad input, 429 …).
pub(super) async fn admin_fail(st: &AppState, headers: &HeaderMap, e: Error, back: &str) -> Fail {
    let (status, text) = crate::describe_error(st.catalogue(), &e);
    let keep = matches!(e, Error::Session(_) | Error::Disabled | Error::Denied(_))
        || !e.is_user_error()
        || status == StatusCode::NOT_FOUND;
    if keep {
        return e.into();
    }
    match bo::notice(st, headers, status, &st.t("admin.notice.failed"), &text, vec![], back).await {
        Ok(res) => Fail::Page(Box::new(res)),
        Err(f) => f,
    }
}

/// The back-office done message for `?done=…`.
pub(super) fn done_message(st: &AppState, prefix: &str, done: Option<&str>) -> Option<String> {
    let key = format!("{prefix}.done.{}", done?);
    st.catalogue().has(&key).then(|| st.t(&key))
}

/// `?done=…` on back-office pages.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
}

fn visitor_cookie(st: &AppState, id: &str) -> Option<HeaderValue> {
    crate::set_cookie(st, VISITOR_COOKIE, id, "Lax", Some(VISITOR_MAX_AGE))
}

/// The visitor id from the cookie, or a fresh one with the header that sets it.
fn visitor_id(st: &AppState, headers: &HeaderMap) -> Result<(String, Option<HeaderValue>), AppError> {
    if let Some(v) = crate::cookie(headers, VISITOR_COOKIE).filter(|v| sv::valid_visitor_id(v)) {
        return Ok((v.to_ascii_lowercase(), None));
    }
    let fresh = sv::random_hex(16).map_err(|e| AppError::Lib(Error::Survey(e)))?;
    let set = visitor_cookie(st, &fresh);
    Ok((fresh, set))
}

// ---------------------------------------------------------------------------------
// Values for templates.

/// A survey in a list or on its page.
#[derive(Debug, Serialize)]
struct SurveyRow {
    id: i64,
    href: String,
    title: String,
    intro: String,
    site: Option<String>,
    period: String,
    opens: String,
    phase: &'static str,
    phase_label: String,
    state: &'static str,
    state_label: String,
    responses: i64,
    results_public: bool,
    results_href: Option<String>,
}

fn row(st: &AppState, g_sites: &HashMap<i64, String>, s: &Survey, now: i64) -> SurveyRow {
    let phase = s.phase(now);
    SurveyRow {
        id: s.id,
        href: format!("{BASE}/{}", s.id),
        title: s.title.clone(),
        intro: s.intro.clone(),
        site: g_sites.get(&s.site.0).cloned(),
        period: period(st, s.opens_at, s.closes_at),
        opens: crate::shanghai(s.opens_at, "%Y-%m-%d %H:%M"),
        phase: phase.as_str(),
        phase_label: st.t(&format!("sv.phase.{}", phase.as_str())),
        state: s.state.as_str(),
        state_label: st.t(&format!("sv.state.{}", s.state.as_str())),
        responses: s.responses,
        results_public: s.results_public,
        results_href: (s.results_public && s.is_public()).then(|| format!("{BASE}/{}/jieguo", s.id)),
    }
}

fn site_names(g: &SiteGroup) -> Result<HashMap<i64, String>, Error> {
    Ok(g.site_tree()?.sites().iter().map(|s| (s.id.0, s.display_name().to_string())).collect())
}

/// An option (or a rating value) on the answer form.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// A question on the answer form, with what the visitor sent and its error.
#[derive(Debug, Serialize)]
struct QuestionView {
    id: u32,
    name: String,
    kind: &'static str,
    text: String,
    required: bool,
    choices: Vec<Choice>,
    value: String,
    max_chars: u32,
    hint: String,
    error: Option<String>,
}

fn question_views(
    st: &AppState,
    questions: &[Question],
    fields: &[(String, String)],
    errors: &HashMap<u32, String>,
) -> Vec<QuestionView> {
    questions
        .iter()
        .map(|q| {
            let name = format!("q{}", q.id);
            let sent: Vec<&str> = fields.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.as_str()).collect();
            let choices = match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => q
                    .options
                    .iter()
                    .map(|o| Choice {
                        value: o.id.to_string(),
                        label: o.label.clone(),
                        checked: sent.contains(&o.id.to_string().as_str()),
                    })
                    .collect(),
                QuestionKind::Rating => (1..=q.scale)
                    .map(|n| Choice {
                        value: n.to_string(),
                        label: n.to_string(),
                        checked: sent.contains(&n.to_string().as_str()),
                    })
                    .collect(),
                QuestionKind::Text => vec![],
            };
            let hint = match q.kind {
                QuestionKind::Single => st.t("sv.hint.single"),
                QuestionKind::Multiple if q.max_choices < u32::try_from(q.options.len()).unwrap_or(u32::MAX) => {
                    st.tf("sv.hint.multiple_max", &[("max", &q.max_choices.to_string())])
                }
                QuestionKind::Multiple => st.t("sv.hint.multiple"),
                QuestionKind::Rating => st.tf("sv.hint.rating", &[("scale", &q.scale.to_string())]),
                QuestionKind::Text => st.tf("sv.hint.text", &[("max", &q.max_chars.to_string())]),
            };
            QuestionView {
                id: q.id,
                name,
                kind: q.kind.as_str(),
                text: q.text.clone(),
                required: q.required,
                choices,
                value: if q.kind == QuestionKind::Text {
                    sent.first().map(|s| s.to_string()).unwrap_or_default()
                } else {
                    String::new()
                },
                max_chars: q.max_chars,
                hint,
                error: errors.get(&q.id).cloned(),
            }
        })
        .collect()
}

/// One bar of a chart.
#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    short: String,
    count: u64,
    pct: String,
    width: u32,
    y: u32,
    text_y: u32,
    value_x: u32,
}

/// A question's results as shown: bars (options or rating values), the mean, texts.
#[derive(Debug, Serialize)]
struct ResultView {
    id: u32,
    kind: &'static str,
    text: String,
    answered: u64,
    bars: Vec<Bar>,
    height: u32,
    mean: Option<String>,
    texts: Vec<TextRow>,
    summary: String,
}

#[derive(Debug, Serialize)]
struct TextRow {
    response: i64,
    at: String,
    text: String,
}

fn bars(items: &[(String, u64, f64)]) -> Vec<Bar> {
    items
        .iter()
        .enumerate()
        .map(|(i, (label, count, share))| {
            let y = u32::try_from(i).unwrap_or(0) * 28 + 4;
            let width = (share.clamp(0.0, 1.0) * BAR_WIDTH).round() as u32;
            let short: String = if label.chars().count() > 12 {
                label.chars().take(11).chain(std::iter::once('…')).collect()
            } else {
                label.clone()
            };
            Bar {
                label: label.clone(),
                short,
                count: *count,
                pct: format!("{:.1}%", share * 100.0),
                width,
                y,
                text_y: y + 14,
                value_x: 190 + width + 6,
            }
        })
        .collect()
}

fn result_views(st: &AppState, res: &SurveyResults) -> Vec<ResultView> {
    res.questions.iter().map(|q| result_view(st, q)).collect()
}

fn result_view(st: &AppState, q: &QuestionResult) -> ResultView {
    let (bars, mean) = match (q.kind, &q.rating) {
        (QuestionKind::Rating, Some(r)) => {
            let total: u64 = r.distribution.iter().sum();
            let items: Vec<(String, u64, f64)> = r
                .distribution
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let share = if total == 0 { 0.0 } else { *n as f64 / total as f64 };
                    (st.tf("sv.result.score", &[("n", &(i + 1).to_string())]), *n, share)
                })
                .collect();
            (bars(&items), r.mean.map(|m| format!("{m:.2}")))
        }
        (QuestionKind::Single | QuestionKind::Multiple, _) => {
            let items: Vec<(String, u64, f64)> =
                q.options.iter().map(|o| (o.label.clone(), o.count, o.share)).collect();
            (bars(&items), None)
        }
        _ => (vec![], None),
    };
    let height = u32::try_from(bars.len()).unwrap_or(0) * 28 + 8;
    let summary = bars.iter().map(|b| format!("{} {}（{}）", b.label, b.count, b.pct)).collect::<Vec<_>>().join("；");
    ResultView {
        id: q.id,
        kind: q.kind.as_str(),
        text: q.text.clone(),
        answered: q.answered,
        bars,
        height,
        mean,
        texts: q
            .texts
            .iter()
            .map(|t| TextRow {
                response: t.response,
                at: crate::shanghai(t.at, "%Y-%m-%d %H:%M"),
                text: t.text.clone(),
            })
            .collect(),
        summary,
    }
}

// ---------------------------------------------------------------------------------
// Public pages.

async fn list(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let (surveys, sites, now) = run_blocking(&st, |g| Ok((g.public_surveys()?, site_names(g)?, g.now()))).await?;
    let mut open = vec![];
    let mut upcoming = vec![];
    let mut closed = vec![];
    for s in &surveys {
        let r = row(&st, &sites, s, now);
        match s.phase(now) {
            SurveyPhase::Open => open.push(r),
            SurveyPhase::Upcoming => upcoming.push(r),
            _ => closed.push(r),
        }
    }
    let title = st.t("sv.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    let ctx = context! { title => title, open => crate::ser(open), upcoming => crate::ser(upcoming), closed => crate::ser(closed) };
    frame.render(&st, "interaction/survey_list.html", StatusCode::OK, ctx)
}

/// The survey page: the answer form while open, else where it stands.
#[allow(clippy::too_many_arguments)]
async fn survey_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    s: &Survey,
    site: Option<String>,
    fields: &[(String, String)],
    errors: HashMap<u32, String>,
    alert: Option<String>,
    status: StatusCode,
    set_visitor: Option<HeaderValue>,
) -> Result<Response, AppError> {
    let now = st.group().now();
    let mut sites = HashMap::new();
    if let Some(name) = site {
        sites.insert(s.site.0, name);
    }
    let survey = row(st, &sites, s, now);
    let questions = question_views(st, &s.questions, fields, &errors);
    let frame = Frame::new(st, headers, uri, s.title.clone(), vec![(st.t("sv.title"), BASE.into())]).await?;
    let ctx = context! {
        survey => crate::ser(&survey),
        questions => crate::ser(&questions),
        open => s.phase(now) == SurveyPhase::Open,
        alert => alert,
        action => format!("{BASE}/{}", s.id),
    };
    let mut res = frame.render(st, "interaction/survey_show.html", status, ctx)?;
    if let Some(set) = set_visitor {
        res.headers_mut().append(header::SET_COOKIE, set);
    }
    Ok(res)
}

async fn load_public(st: &AppState, id: i64) -> Result<(Survey, Option<String>), AppError> {
    Ok(run_blocking(st, move |g| {
        let s = g.public_survey(id)?;
        let site = g.site_tree()?.get(s.site).map(|x| x.display_name().to_string());
        Ok((s, site))
    })
    .await?)
}

async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (s, site) = load_public(&st, id).await?;
    let (_, set) = visitor_id(&st, &headers)?;
    survey_page(&st, &headers, &uri, &s, site, &[], HashMap::new(), None, StatusCode::OK, set).await
}

async fn answer(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let Some(bytes) = read_limited(&headers, body, ANSWER_LIMIT).await else {
        let text = st.tf("sv.too_large", &[("kb", &(ANSWER_LIMIT / 1024).to_string())]);
        return message_page(&st, &headers, &uri, StatusCode::PAYLOAD_TOO_LARGE, st.t("error.heading_413"), text).await;
    };
    let pairs = bo::form_pairs(&bytes);
    crate::check_csrf(&headers, bo::field(&pairs, "csrf"))?;
    let (s, site) = load_public(&st, id).await?;
    let actor = visitor_actor(&st, &headers).await;
    let (visitor, set) = visitor_id(&st, &headers)?;
    let result = match Answers::from_fields(&s.questions, &pairs) {
        Err(e) => Err(Error::Survey(e)),
        Ok(answers) => {
            let origin = Origin::web(addr);
            run_blocking(&st, move |g| g.submit_survey_response(&actor, &origin, id, Some(&visitor), &answers)).await
        }
    };
    match result {
        Ok(_) => {
            let mut res = bo::see_other(&format!("{BASE}/{id}/xiexie"));
            if let Some(set) = set {
                res.headers_mut().append(header::SET_COOKIE, set);
            }
            Ok(res)
        }
        Err(Error::Survey(e)) if e.is_user_error() => {
            let (status, text) =
                describe(st.catalogue(), &e).unwrap_or((StatusCode::BAD_REQUEST, st.t("error.bad_request")));
            if matches!(e, SurveyError::AlreadyResponded) {
                let mut res = message_page(&st, &headers, &uri, status, st.t("sv.already.title"), text).await?;
                if let Some(set) = set {
                    res.headers_mut().append(header::SET_COOKIE, set);
                }
                return Ok(res);
            }
            let mut errors = HashMap::new();
            let alert = match question_of(&e) {
                Some(q) => {
                    errors.insert(q, text);
                    st.t("sv.form.fix")
                }
                None => text,
            };
            let mut res = survey_page(&st, &headers, &uri, &s, site, &pairs, errors, Some(alert), status, set).await?;
            if let SurveyError::Throttled { minutes, .. } = e {
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(u64::from(minutes) * 60));
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn thanks(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (s, _) = load_public(&st, id).await?;
    let title = st.t("sv.thanks.title");
    let frame = Frame::new(
        &st,
        &headers,
        &uri,
        title.clone(),
        vec![(st.t("sv.title"), BASE.into()), (s.title.clone(), format!("{BASE}/{id}"))],
    )
    .await?;
    let ctx = context! {
        title => title,
        survey => s.title.clone(),
        results_href => s.results_public.then(|| format!("{BASE}/{id}/jieguo")),
    };
    frame.render(&st, "interaction/survey_thanks.html", StatusCode::OK, ctx)
}

async fn results_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (s, res) = run_blocking(&st, move |g| g.public_survey_results(id)).await?;
    let now = st.group().now();
    let survey = row(&st, &HashMap::new(), &s, now);
    let title = st.tf("sv.results.title", &[("title", &s.title)]);
    let frame = Frame::new(
        &st,
        &headers,
        &uri,
        title.clone(),
        vec![(st.t("sv.title"), BASE.into()), (s.title.clone(), format!("{BASE}/{id}"))],
    )
    .await?;
    let ctx = context! {
        title => title,
        survey => crate::ser(&survey),
        responses => res.responses,
        questions => crate::ser(result_views(&st, &res)),
        public => true,
    };
    frame.render(&st, "interaction/survey_results.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Back office: the editor form.

/// A question slot of the editor form.
#[derive(Debug, Clone, Default, Serialize)]
struct Slot {
    n: usize,
    kind: String,
    text: String,
    required: bool,
    options: String,
    max: String,
    scale: String,
    chars: String,
    error: Option<String>,
}

/// What the editor typed.
#[derive(Debug, Clone, Default, Serialize)]
struct EditInput {
    site: String,
    title: String,
    intro: String,
    opens: String,
    closes: String,
    results_public: bool,
    slots: Vec<Slot>,
}

impl EditInput {
    fn from_survey(s: &Survey, site_code: &str) -> EditInput {
        let slots = s
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| Slot {
                n: i + 1,
                kind: q.kind.as_str().into(),
                text: q.text.clone(),
                required: q.required,
                options: q.options.iter().map(|o| o.label.as_str()).collect::<Vec<_>>().join("\n"),
                max: if q.kind == QuestionKind::Multiple { q.max_choices.to_string() } else { String::new() },
                scale: if q.kind == QuestionKind::Rating { q.scale.to_string() } else { String::new() },
                chars: if q.kind == QuestionKind::Text { q.max_chars.to_string() } else { String::new() },
                error: None,
            })
            .collect();
        EditInput {
            site: site_code.into(),
            title: s.title.clone(),
            intro: s.intro.clone(),
            opens: bo::local_input(s.opens_at),
            closes: bo::local_input(s.closes_at),
            results_public: s.results_public,
            slots,
        }
        .with_blank_slots()
    }

    fn fresh(site: &str, now: i64) -> EditInput {
        EditInput {
            site: site.into(),
            opens: bo::local_input(now),
            closes: bo::local_input(now + 30 * 86_400),
            results_public: true,
            ..Default::default()
        }
        .with_blank_slots()
    }

    /// Keeps the filled slots, renumbered, and adds blank ones.
    fn with_blank_slots(mut self) -> EditInput {
        self.slots.retain(|s| !s.text.trim().is_empty());
        let filled = self.slots.len();
        for (i, s) in self.slots.iter_mut().enumerate() {
            s.n = i + 1;
        }
        for i in 0..BLANK_SLOTS {
            self.slots.push(Slot { n: filled + i + 1, kind: "single".into(), required: true, ..Default::default() });
        }
        self
    }

    fn from_pairs(pairs: &[(String, String)]) -> EditInput {
        let f = |n: &str| bo::field(pairs, n).to_string();
        let count = f("slots").trim().parse::<usize>().unwrap_or(0).min(MAX_SLOTS);
        let slots = (1..=count)
            .map(|n| Slot {
                n,
                kind: f(&format!("q{n}_kind")),
                text: f(&format!("q{n}_text")),
                required: !f(&format!("q{n}_required")).is_empty(),
                options: f(&format!("q{n}_options")),
                max: f(&format!("q{n}_max")),
                scale: f(&format!("q{n}_scale")),
                chars: f(&format!("q{n}_chars")),
                error: None,
            })
            .filter(|s| !s.text.trim().is_empty())
            .collect();
        EditInput {
            site: f("site"),
            title: f("title"),
            intro: f("intro"),
            opens: f("opens"),
            closes: f("closes"),
            results_public: !f("results_public").is_empty(),
            slots,
        }
    }

    /// The survey to create or save, or the message of a field the portal reads
    /// (a number or a time) with the question it belongs to.
    /// Renumbers the slots as the questions will be numbered.
    fn build(&mut self, st: &AppState) -> Result<NewSurvey, (Option<usize>, String)> {
        let mut questions = Vec::with_capacity(self.slots.len());
        for (i, s) in self.slots.iter_mut().enumerate() {
            s.n = i + 1;
            let n = s.n;
            let number = |v: &str, what: &str| -> Result<Option<u32>, (Option<usize>, String)> {
                let v = v.trim();
                if v.is_empty() {
                    return Ok(None);
                }
                v.parse::<u32>().map(Some).map_err(|_| {
                    (
                        Some(n),
                        st.tf(
                            "sv.admin.err.number",
                            &[("n", &n.to_string()), ("what", &st.t(&format!("sv.admin.what.{what}")))],
                        ),
                    )
                })
            };
            let kind = QuestionKind::parse(&s.kind)
                .ok_or_else(|| (Some(n), st.tf("sv.admin.err.kind", &[("n", &n.to_string())])))?;
            let scale = number(&s.scale, "scale")?;
            questions.push(NewQuestion {
                kind,
                text: s.text.clone(),
                required: s.required,
                options: s.options.lines().map(str::to_string).collect(),
                max_choices: number(&s.max, "max")?,
                scale: scale.map(|v| u8::try_from(v).unwrap_or(u8::MAX)),
                max_chars: number(&s.chars, "chars")?,
            });
        }
        let opens = bo::parse_local(&self.opens).ok_or_else(|| (None, st.t("sv.admin.err.opens")))?;
        let closes = bo::parse_local(&self.closes).ok_or_else(|| (None, st.t("sv.admin.err.closes")))?;
        Ok(NewSurvey {
            title: self.title.clone(),
            intro: self.intro.clone(),
            questions,
            opens_at: opens,
            closes_at: closes,
            results_public: self.results_public,
        })
    }
}

#[derive(Debug, Serialize)]
struct SiteOption {
    code: String,
    name: String,
}

/// Sites where the actor may write drafts.
async fn writable_sites(st: &AppState, me: &Actor) -> Result<Vec<SiteOption>, Fail> {
    let sites = bo::call(st, me, |g, a| g.sites_for(a)).await?;
    Ok(sites
        .into_iter()
        .filter(|s| bo::may(me, Action::EditDraft, Resource::Site(s.id)))
        .map(|s| SiteOption { code: s.code.clone(), name: s.display_name().to_string() })
        .collect())
}

/// The editor form's context: where it posts, what was typed, the question kinds and
/// (for a new survey) the sites the actor may write on.
async fn form_ctx(
    st: &AppState,
    me: &Actor,
    survey: Option<&Survey>,
    input: EditInput,
) -> Result<minijinja::Value, Fail> {
    let input = input.with_blank_slots();
    let action = match survey {
        Some(s) => format!("{ADMIN}/{}/edit", s.id),
        None => format!("{ADMIN}/new"),
    };
    let sites = if survey.is_none() { writable_sites(st, me).await? } else { vec![] };
    let kinds: Vec<(String, String)> =
        QuestionKind::ALL.iter().map(|k| (k.as_str().to_string(), st.t(&format!("sv.kind.{}", k.as_str())))).collect();
    Ok(context! {
        action => action,
        input => crate::ser(&input),
        slots => input.slots.len(),
        kinds => kinds,
        sites => crate::ser(&sites),
        new => survey.is_none(),
    })
}

/// The editor form page (a new survey, or a draft's form again after a refusal).
async fn edit_page(
    st: &AppState,
    headers: &HeaderMap,
    me: &Actor,
    survey: Option<&Survey>,
    input: EditInput,
    alert: Option<String>,
    status: StatusCode,
) -> Reply {
    let title = match survey {
        Some(s) => st.tf("sv.admin.edit_title", &[("title", &s.title)]),
        None => st.t("sv.admin.new_title"),
    };
    let form = form_ctx(st, me, survey, input).await?;
    let frame = bo::Frame::new(st, headers, title.clone(), vec![(st.t("sv.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        form => form,
        alert => alert,
        back => survey.map(|s| format!("{ADMIN}/{}", s.id)).unwrap_or_else(|| ADMIN.into()),
    };
    frame.render(st, "admin/survey_edit.html", status, ctx)
}

/// Saves the editor form (create when `id` is `None`); on a refusal, the form again
/// with the message.
async fn save(st: AppState, headers: HeaderMap, id: Option<i64>, body: Body) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let pairs = crate::admin::read_form(&st, &headers, body, EDIT_LIMIT, "sv.admin.too_large").await?;
    let existing = match id {
        Some(id) => Some(bo::call(&st, &me, move |g, a| g.survey_admin(a, id)).await.map_err(Fail::from)?),
        None => None,
    };
    let mut input = EditInput::from_pairs(&pairs);
    let new = match input.build(&st) {
        Ok(n) => n,
        Err((q, text)) => {
            if let Some(q) = q
                && let Some(slot) = input.slots.get_mut(q - 1)
            {
                slot.error = Some(text.clone());
            }
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
        Some(id) => g.update_survey(a, &bo::origin(), id, &new),
        None => {
            let site = g.site(&code)?;
            g.create_survey(a, &bo::origin(), site.id, &new)
        }
    })
    .await;
    match result {
        Ok(s) => {
            Ok(bo::see_other(&format!("{ADMIN}/{}?done={}", s.id, if id.is_some() { "saved" } else { "created" })))
        }
        Err(Error::Survey(e))
            if e.is_user_error() && !matches!(e, SurveyError::NotFound(_) | SurveyError::IllegalState { .. }) =>
        {
            let text = describe(st.catalogue(), &e).map(|d| d.1).unwrap_or_else(|| st.t("error.bad_request"));
            if let Some(q) = question_of(&e)
                && let Some(slot) = input.slots.get_mut(q as usize - 1)
            {
                slot.error = Some(text.clone());
            }
            edit_page(&st, &headers, &me, existing.as_ref(), input, Some(text), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(admin_fail(&st, &headers, e, ADMIN).await),
    }
}

// ---------------------------------------------------------------------------------
// Back office pages.

async fn admin_list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let (surveys, sites, now) = bo::call(&st, &me, |g, a| Ok((g.surveys_admin(a)?, site_names(g)?, g.now()))).await?;
    let rows: Vec<SurveyRow> = surveys.iter().map(|s| row(&st, &sites, s, now)).collect();
    let writable = writable_sites(&st, &me).await?;
    let frame = bo::Frame::new(&st, &headers, st.t("sv.admin.title"), vec![]).await?;
    let ctx = context! {
        title => st.t("sv.admin.title"),
        rows => crate::ser(&rows),
        sites => crate::ser(&writable),
        done => done_message(&st, "sv", q.done.as_deref()),
    };
    frame.render(&st, "admin/survey_list.html", StatusCode::OK, ctx)
}

async fn admin_new(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = bo::actor(&st, &headers).await?;
    let input = EditInput::fresh(q.site.as_deref().unwrap_or(""), st.group().now());
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
        let s = g.survey_admin(a, id)?;
        let code = g.site_tree()?.get(s.site).map(|x| x.code.clone()).unwrap_or_default();
        Ok((s, site_names(g)?, code, g.now()))
    })
    .await;
    let (s, sites, code, now) = match found {
        Ok(v) => v,
        Err(e) => return Err(admin_fail(&st, &headers, e, ADMIN).await),
    };
    let site = Resource::Site(s.site);
    let editable = s.state == SurveyState::Draft && bo::may(&me, Action::EditDraft, site);
    let form =
        if editable { Some(form_ctx(&st, &me, Some(&s), EditInput::from_survey(&s, &code)).await?) } else { None };
    let frame =
        bo::Frame::new(&st, &headers, s.title.clone(), vec![(st.t("sv.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        survey => crate::ser(row(&st, &sites, &s, now)),
        questions => crate::ser(question_views(&st, &s.questions, &[], &HashMap::new())),
        form => form,
        may_publish => s.state == SurveyState::Draft && bo::may(&me, Action::PublishContent, site),
        may_close => s.state == SurveyState::Published && bo::may(&me, Action::PublishContent, site),
        results => format!("{ADMIN}/{}/results", s.id),
        done => done_message(&st, "sv", q.done.as_deref()),
    };
    frame.render(&st, "admin/survey_show.html", StatusCode::OK, ctx)
}

async fn step(st: AppState, headers: HeaderMap, id: String, body: Body, publish: bool) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    crate::admin::read_form(&st, &headers, body, EDIT_LIMIT, "sv.admin.too_large").await?;
    let result = bo::call(&st, &me, move |g, a| {
        if publish { g.publish_survey(a, &bo::origin(), id) } else { g.close_survey(a, &bo::origin(), id) }
    })
    .await;
    match result {
        Ok(s) => Ok(bo::see_other(&format!("{ADMIN}/{}?done={}", s.id, if publish { "published" } else { "closed" }))),
        Err(e) => Err(admin_fail(&st, &headers, e, &format!("{ADMIN}/{id}")).await),
    }
}

async fn admin_publish(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    step(st, headers, id, body, true).await
}

async fn admin_close(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    step(st, headers, id, body, false).await
}

async fn admin_results(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let found = bo::call(&st, &me, move |g, a| Ok((g.survey_admin(a, id)?, g.survey_results(a, id)?, g.now()))).await;
    let (s, res, now) = match found {
        Ok(v) => v,
        Err(e) => return Err(admin_fail(&st, &headers, e, ADMIN).await),
    };
    let title = st.tf("sv.results.title", &[("title", &s.title)]);
    let frame = bo::Frame::new(
        &st,
        &headers,
        title.clone(),
        vec![(st.t("sv.admin.title"), Some(ADMIN.into())), (s.title.clone(), Some(format!("{ADMIN}/{id}")))],
    )
    .await?;
    let ctx = context! {
        title => title,
        survey => crate::ser(row(&st, &HashMap::new(), &s, now)),
        responses => res.responses,
        questions => crate::ser(result_views(&st, &res)),
        csv => format!("{ADMIN}/{id}/export.csv"),
        xlsx => format!("{ADMIN}/{id}/export.xlsx"),
    };
    frame.render(&st, "admin/survey_results.html", StatusCode::OK, ctx)
}

async fn export(st: AppState, headers: HeaderMap, id: String, xlsx: bool) -> Reply {
    let id = parse_id(&id)?;
    let me = bo::actor(&st, &headers).await?;
    let bytes = bo::call(&st, &me, move |g, a| if xlsx { g.survey_xlsx(a, id) } else { g.survey_csv(a, id) }).await;
    match bytes {
        Ok(b) if xlsx => Ok(download(
            b,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("diaocha-{id}.xlsx"),
        )),
        Ok(b) => Ok(download(b, "text/csv; charset=utf-8", &format!("diaocha-{id}.csv"))),
        Err(e) => Err(admin_fail(&st, &headers, e, ADMIN).await),
    }
}

async fn export_csv(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    export(st, headers, id, false).await
}

async fn export_xlsx(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    export(st, headers, id, true).await
}
