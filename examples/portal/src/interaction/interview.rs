//! 在线访谈 (online interview) pages: public pages under `/hudong/fangtan` — the list
//! (live, upcoming, archive), an interview's page (background, guests, outline, the
//! question form, approved questions, the transcript) and its live stream of
//! server-sent events (`/hudong/fangtan/{id}/live`, [`live`]) — and the back office
//! under `/admin/fangtan` ([`admin`]): planning and editing, the moderation queue,
//! answers and remarks, going live and ending, archiving, the lead-time setting and
//! the yearly planning view.
//!
//! Every form works without JavaScript and carries the CSRF token; the question form
//! also carries an idempotency key drawn per render (a double submit gives one
//! question), its body is read up to [`ASK_LIMIT`] and bursts from one address are
//! refused ([`ASK_RATE_LIMIT`] per [`super::RATE_WINDOW`]) with a clear message.
//! Questions are plain text: the library stores them as typed and every template
//! escapes them; the live script renders with `textContent`. While an interview is
//! live its page reloads itself without JavaScript, and `interview.js` follows the
//! stream instead. No page shows a question's contact or an unapproved question: the
//! public pages only ever receive the library's public view.

mod admin;
mod live;

use std::collections::HashMap;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::context;
use serde::Serialize;
use sitegroup::interaction::interview::{
    EntryKind, InterviewError, InterviewState, NewQuestion, PublicInterview, Speaker, TranscriptEntry,
};
use sitegroup::{Error, Origin, UnitId, ValidationError};

use super::{Frame, address_key, message_page, new_key, read_limited};
use crate::i18n::Catalogue;
use crate::{AppError, AppState, ClientAddr, run_blocking};

pub(crate) use live::LiveRegistry;

/// Path of the public interview pages.
pub(crate) const BASE: &str = "/hudong/fangtan";
/// Largest question request: 1,000 characters percent-encoded plus the other fields.
pub(crate) const ASK_LIMIT: usize = 64 * 1024;
/// Questions accepted per client address within [`super::RATE_WINDOW`].
pub(crate) const ASK_RATE_LIMIT: usize = 5;
/// Seconds between reloads of a live page without JavaScript.
pub(crate) const RELOAD_SECONDS: u32 = 30;

/// Routes of the interview pages (merged by [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(index))
        .route("/hudong/fangtan/{id}", get(show))
        .route("/hudong/fangtan/{id}/tiwen", post(ask))
        .route("/hudong/fangtan/{id}/live", get(live::live))
        .merge(admin::routes())
}

// ---------------------------------------------------------------------------------
// Messages.

fn field_label(cat: &Catalogue, field: &str) -> String {
    let key = format!("iv.field.{}", field.replace(' ', "_"));
    if cat.has(&key) { cat.get(&key).to_string() } else { cat.get("iv.field.other").to_string() }
}

/// The Chinese message of a validation error met on an interview form.
fn validation_text(cat: &Catalogue, v: &ValidationError) -> String {
    match v {
        ValidationError::Empty { field } => cat.format("iv.err.empty", &[("field", &field_label(cat, field))]),
        ValidationError::TooLong { field, len, max } => cat.format(
            "iv.err.too_long",
            &[("field", &field_label(cat, field)), ("len", &len.to_string()), ("max", &max.to_string())],
        ),
        ValidationError::Malformed { field: "contact", .. } => cat.get("iv.err.contact").to_string(),
        ValidationError::Malformed { field: "ends_at", .. } => cat.get("iv.err.schedule").to_string(),
        ValidationError::Malformed { field: "guests", .. } => cat.get("iv.err.guests_twice").to_string(),
        ValidationError::Malformed { field, .. } => {
            cat.format("iv.err.malformed", &[("field", &field_label(cat, field))])
        }
        _ => cat.get("error.invalid_rule").to_string(),
    }
}

fn state_label(cat: &Catalogue, s: InterviewState) -> String {
    cat.get(&format!("iv.state.{}", s.as_str())).to_string()
}

/// The status and Chinese message for an interview error; `None` leaves it to the
/// portal's general mapping (storage failures: 500).
pub(crate) fn describe(cat: &Catalogue, e: &InterviewError) -> Option<(StatusCode, String)> {
    let action = |a: &str| {
        let key = format!("iv.action.{a}");
        if cat.has(&key) { cat.get(&key).to_string() } else { a.to_string() }
    };
    Some(match e {
        InterviewError::Invalid(v) => (StatusCode::BAD_REQUEST, validation_text(cat, v)),
        InterviewError::NotFound(_) => (StatusCode::NOT_FOUND, cat.get("iv.err.not_found").to_string()),
        InterviewError::QuestionNotFound(_) => {
            (StatusCode::NOT_FOUND, cat.get("iv.err.question_not_found").to_string())
        }
        InterviewError::UnknownUnit(_) => (StatusCode::BAD_REQUEST, cat.get("iv.err.unknown_unit").to_string()),
        InterviewError::UnknownGuest(name) => {
            (StatusCode::BAD_REQUEST, cat.format("iv.err.unknown_guest", &[("name", name)]))
        }
        InterviewError::IllegalTransition { from, action: a } => (
            StatusCode::CONFLICT,
            cat.format("iv.err.transition", &[("state", &state_label(cat, *from)), ("action", &action(a))]),
        ),
        InterviewError::QuestionsClosed { state } => {
            (StatusCode::CONFLICT, cat.format("iv.err.questions_closed", &[("state", &state_label(cat, *state))]))
        }
        InterviewError::NotLive { state } => {
            (StatusCode::CONFLICT, cat.format("iv.err.not_live", &[("state", &state_label(cat, *state))]))
        }
        InterviewError::QuestionState { from, action: a } => (
            StatusCode::CONFLICT,
            cat.format(
                "iv.err.question_state",
                &[("state", cat.get(&format!("iv.qstate.{}", from.as_str()))), ("action", &action(a))],
            ),
        ),
        InterviewError::BadLeadTime { .. } => (StatusCode::BAD_REQUEST, cat.get("iv.err.lead_days").to_string()),
        InterviewError::BadHistory(_) => (StatusCode::BAD_REQUEST, cat.get("iv.err.history").to_string()),
        _ => return None,
    })
}

/// The Chinese message of any library error met on an interview page.
pub(crate) fn error_text(st: &AppState, e: &Error) -> String {
    match e {
        Error::Interview(i) => {
            describe(st.catalogue(), i).map_or_else(|| crate::describe_error(st.catalogue(), e).1, |d| d.1)
        }
        other => crate::describe_error(st.catalogue(), other).1,
    }
}

// ---------------------------------------------------------------------------------
// Values for templates.

/// How a transcript entry's speaker is introduced (主持人, 嘉宾 …).
pub(crate) fn speaker_label(st: &AppState, e: &TranscriptEntry) -> String {
    match (e.kind, e.speaker) {
        (EntryKind::Answer, _) => st.t("iv.entry.answer"),
        (_, Speaker::Host) => st.t("iv.entry.host"),
        (_, Speaker::Guest) => st.t("iv.entry.guest"),
    }
}

/// A transcript entry as the templates (and, as JSON, the live script) show it: the
/// lines introducing the speaker and the question are formatted from the catalogue.
#[derive(Debug, Serialize)]
pub(crate) struct EntryRow {
    seq: i64,
    kind: &'static str,
    /// 「嘉宾 王明（10:05）：」
    head: String,
    text: String,
    /// 「网友“老张”提问：」 for answers.
    asked: Option<String>,
    question: Option<String>,
}

pub(crate) fn entry_row(st: &AppState, e: &TranscriptEntry) -> EntryRow {
    let time = crate::shanghai(e.at, "%H:%M");
    EntryRow {
        seq: e.seq,
        kind: e.kind.as_str(),
        head: st.tf("iv.entry.head", &[("label", &speaker_label(st, e)), ("name", &e.name), ("time", &time)]),
        text: e.text.clone(),
        asked: e.question.as_ref().map(|q| st.tf("iv.entry.asked", &[("nickname", &q.nickname)])),
        question: e.question.as_ref().map(|q| q.text.clone()),
    }
}

/// "2025-06-20 10:00–12:00" (or with the end's date when it differs).
pub(crate) fn schedule(starts: i64, ends: i64) -> String {
    let day = |t| crate::shanghai(t, "%Y-%m-%d");
    if day(starts) == day(ends) {
        format!("{}–{}", crate::shanghai(starts, "%Y-%m-%d %H:%M"), crate::shanghai(ends, "%H:%M"))
    } else {
        format!("{}–{}", crate::shanghai(starts, "%Y-%m-%d %H:%M"), crate::shanghai(ends, "%Y-%m-%d %H:%M"))
    }
}

/// An interview in a public list.
#[derive(Debug, Serialize)]
struct ListRow {
    href: String,
    topic: String,
    unit: String,
    guests: String,
    time: String,
    state: &'static str,
    state_label: String,
    answered: u64,
}

fn unit_name(units: &HashMap<UnitId, String>, id: UnitId) -> String {
    units.get(&id).cloned().unwrap_or_default()
}

async fn unit_names(st: &AppState) -> Result<HashMap<UnitId, String>, AppError> {
    Ok(run_blocking(st, |g| {
        Ok(g.list_units(&sitegroup::Actor::anonymous())?.into_iter().map(|u| (u.id, u.name)).collect())
    })
    .await?)
}

// ---------------------------------------------------------------------------------
// The list.

async fn index(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let list = run_blocking(&st, |g| g.public_interviews()).await?;
    let units = unit_names(&st).await?;
    let row = |s: &sitegroup::InterviewSummary| {
        let i = &s.interview;
        ListRow {
            href: format!("{BASE}/{}", i.id),
            topic: i.topic.clone(),
            unit: unit_name(&units, i.unit),
            guests: i.guests.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join("、"),
            time: schedule(i.starts_at, i.ends_at),
            state: i.state.as_str(),
            state_label: state_label(st.catalogue(), i.state),
            answered: s.answered,
        }
    };
    let live: Vec<ListRow> = list.iter().filter(|s| s.interview.state == InterviewState::Live).map(row).collect();
    let mut upcoming: Vec<&sitegroup::InterviewSummary> =
        list.iter().filter(|s| s.interview.state == InterviewState::Announced).collect();
    upcoming.sort_by_key(|s| (s.interview.starts_at, s.interview.id));
    let upcoming: Vec<ListRow> = upcoming.into_iter().map(row).collect();
    let archive: Vec<ListRow> = list
        .iter()
        .filter(|s| matches!(s.interview.state, InterviewState::Ended | InterviewState::Archived))
        .map(row)
        .collect();
    let title = st.t("iv.title");
    let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
    frame.render(
        &st,
        "interaction/interview_index.html",
        StatusCode::OK,
        context! {
            title => title,
            live => crate::ser(&live),
            upcoming => crate::ser(&upcoming),
            archive => crate::ser(&archive),
        },
    )
}

// ---------------------------------------------------------------------------------
// One interview.

/// An approved question waiting for its answer.
#[derive(Debug, Serialize)]
struct WaitingRow {
    nickname: String,
    text: String,
    asked: String,
}

/// The interview as its page shows it.
#[derive(Debug, Serialize)]
struct ShowView {
    id: i64,
    topic: String,
    unit: String,
    time: String,
    state: &'static str,
    state_label: String,
    host: String,
    guests: Vec<sitegroup::interaction::interview::Guest>,
    outline: String,
    background: String,
    cancel_reason: Option<String>,
    ask: bool,
    live: bool,
    transcript_shown: bool,
    waiting: Vec<WaitingRow>,
    answered: usize,
    transcript: Vec<EntryRow>,
    last_seq: i64,
    live_href: String,
    ask_href: String,
}

/// What the citizen typed, kept to show the form again.
#[derive(Debug, Clone, Default, Serialize)]
struct AskInput {
    nickname: String,
    text: String,
    contact: String,
    key: String,
}

async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::Status(StatusCode::NOT_FOUND))?;
    let input = AskInput { key: new_key()?, ..Default::default() };
    page(&st, &headers, &uri, id, input, HashMap::new(), None, None, StatusCode::OK).await
}

/// Renders an interview's page with the question form (its input, errors, an alert or
/// a confirmation).
#[allow(clippy::too_many_arguments)]
async fn page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    id: i64,
    input: AskInput,
    errors: HashMap<&'static str, String>,
    alert: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view: PublicInterview = match run_blocking(st, move |g| g.public_interview(id)).await {
        Ok(v) => v,
        Err(Error::Interview(InterviewError::NotFound(_))) => return Err(AppError::Status(StatusCode::NOT_FOUND)),
        Err(e) => return Err(e.into()),
    };
    let units = unit_names(st).await?;
    let show = ShowView {
        id: view.id,
        topic: view.topic.clone(),
        unit: unit_name(&units, view.unit),
        time: schedule(view.starts_at, view.ends_at),
        state: view.state.as_str(),
        state_label: state_label(st.catalogue(), view.state),
        host: view.host.clone(),
        guests: view.guests.clone(),
        outline: view.outline.clone(),
        background: view.background.clone(),
        cancel_reason: view.cancel_reason.clone(),
        ask: view.visibility.ask,
        live: view.visibility.live,
        transcript_shown: view.visibility.transcript,
        waiting: view
            .waiting
            .iter()
            .map(|q| WaitingRow {
                nickname: q.nickname.clone(),
                text: q.text.clone(),
                asked: crate::shanghai(q.asked_at, "%m-%d %H:%M"),
            })
            .collect(),
        answered: view.answered,
        transcript: view.transcript.iter().map(|e| entry_row(st, e)).collect(),
        last_seq: view.transcript.last().map_or(0, |e| e.seq),
        live_href: format!("{BASE}/{id}/live"),
        ask_href: format!("{BASE}/{id}/tiwen"),
    };
    let frame = Frame::new(st, headers, uri, view.topic.clone(), vec![(st.t("iv.title"), BASE.to_string())]).await?;
    let ctx = context! {
        iv => crate::ser(&show),
        input => crate::ser(&input),
        errors => crate::ser(&errors),
        alert => alert,
        notice => notice,
        reload => RELOAD_SECONDS,
        max_question => sitegroup::interaction::interview::model::MAX_QUESTION_CHARS,
    };
    frame.render(st, "interaction/interview_show.html", status, ctx)
}

/// The form field a validation error belongs to.
fn ask_field(v: &ValidationError) -> &'static str {
    match v {
        ValidationError::Empty { field }
        | ValidationError::TooLong { field, .. }
        | ValidationError::Malformed { field, .. } => match *field {
            "question" => "text",
            "nickname" => "nickname",
            "contact" => "contact",
            _ => "",
        },
        _ => "",
    }
}

async fn ask(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::Status(StatusCode::NOT_FOUND))?;
    let Some(bytes) = read_limited(&headers, body, ASK_LIMIT).await else {
        let text = st.tf("iv.too_large", &[("kb", &(ASK_LIMIT / 1024).to_string())]);
        return message_page(&st, &headers, &uri, StatusCode::PAYLOAD_TOO_LARGE, st.t("error.heading_413"), text).await;
    };
    let pairs = crate::admin::form_pairs(&bytes);
    crate::check_csrf(&headers, crate::admin::field(&pairs, "csrf"))?;
    let f = |n: &str| crate::admin::field(&pairs, n).to_string();
    let mut input = AskInput { nickname: f("nickname"), text: f("text"), contact: f("contact"), key: f("key") };
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let limit_key = address_key("interview", addr.as_deref());
    if st.0.limits.full(&limit_key, ASK_RATE_LIMIT, Instant::now()) {
        let minutes = (super::RATE_WINDOW.as_secs() / 60).to_string();
        let alert = st.tf("iv.rate_limited", &[("count", &ASK_RATE_LIMIT.to_string()), ("minutes", &minutes)]);
        let mut res =
            page(&st, &headers, &uri, id, input, HashMap::new(), Some(alert), None, StatusCode::TOO_MANY_REQUESTS)
                .await?;
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(super::RATE_WINDOW.as_secs()));
        return Ok(res);
    }
    let new = NewQuestion {
        nickname: input.nickname.clone(),
        text: input.text.clone(),
        contact: Some(input.contact.clone()).filter(|c| !c.trim().is_empty()),
        idempotency_key: Some(input.key.clone()),
    };
    let origin = Origin::web(addr.clone());
    match run_blocking(&st, move |g| g.ask_interview_question(&origin, id, &new)).await {
        Ok(asked) => {
            if !asked.replayed {
                st.0.limits.record(&limit_key, Instant::now());
            }
            let notice = st.t(if asked.replayed { "iv.ask.replayed" } else { "iv.ask.received" });
            // A fresh form: the next question gets a new key.
            let fresh = AskInput { key: new_key()?, ..Default::default() };
            page(&st, &headers, &uri, id, fresh, HashMap::new(), None, Some(notice), StatusCode::OK).await
        }
        Err(Error::Interview(InterviewError::NotFound(_))) => Err(AppError::Status(StatusCode::NOT_FOUND)),
        Err(e) if e.is_user_error() => {
            let mut errors = HashMap::new();
            let mut status = StatusCode::UNPROCESSABLE_ENTITY;
            let alert = match &e {
                Error::Interview(InterviewError::Invalid(v)) if !ask_field(v).is_empty() => {
                    errors.insert(ask_field(v), validation_text(st.catalogue(), v));
                    st.t("iv.ask.fix")
                }
                Error::Interview(InterviewError::QuestionsClosed { .. }) => {
                    status = StatusCode::CONFLICT;
                    error_text(&st, &e)
                }
                other => error_text(&st, other),
            };
            let alert = Some(alert);
            page(&st, &headers, &uri, id, input, errors, alert, None, status).await
        }
        Err(e) => Err(e.into()),
    }
}
