//! 在线访谈 back office under `/admin/fangtan`: the list with the lead-time setting,
//! planning and editing, one interview with its state controls, the moderation queue,
//! the answer and remark forms and the transcript, and the yearly planning view.
//!
//! Which controls show is asked of `authorize` (through [`crate::admin::may`]); the
//! library decides again on every step. Every POST carries the CSRF token and reads its
//! body up to [`FORM_LIMIT`]. Steps that change what viewers see (going live, ending,
//! answers, remarks …) are also published to the live registry after they committed.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::Datelike;
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::interaction::interview::model::{MAX_ANSWER_CHARS, MAX_BACKGROUND_CHARS, MAX_OUTLINE_CHARS};
use sitegroup::interaction::interview::rules::{MAX_LEAD_DAYS, MIN_LEAD_DAYS};
use sitegroup::interaction::interview::{
    Guest, Interview, InterviewError, InterviewState, NewInterview, Question, QuestionState, Speaker,
};
use sitegroup::interaction::model::beijing_date;
use sitegroup::{Action, Error, OrgUnit, Resource, UnitId, ValidationError};

use super::live::LiveMessage;
use super::{entry_row, error_text, schedule, state_label};
use crate::AppState;
use crate::admin::{
    Fail, Frame, Reply, actor, call, field, local_input, may, notice, origin, parse_local, see_other, when,
};

/// Largest back-office form: a background of 20,000 characters percent-encoded (9
/// bytes each) plus the other fields.
pub(crate) const FORM_LIMIT: usize = 512 * 1024;
/// Path of the back office.
const ADMIN: &str = "/admin/fangtan";

/// Routes under `/admin/fangtan` (merged by [`super::routes`]; they read their own bodies).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(ADMIN, get(list))
        .route("/admin/fangtan/new", get(new_form).post(create))
        .route("/admin/fangtan/planning", get(planning))
        .route("/admin/fangtan/settings", post(settings))
        .route("/admin/fangtan/{id}", get(show))
        .route("/admin/fangtan/{id}/edit", post(edit))
        .route("/admin/fangtan/{id}/step", post(step))
        .route("/admin/fangtan/questions/{qid}", post(question_step))
}

fn not_found() -> Fail {
    Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND)))
}

fn parse_id(s: &str) -> Result<i64, Fail> {
    s.parse().map_err(|_| not_found())
}

fn done_message(st: &AppState, done: Option<&str>) -> Option<String> {
    let key = format!("iv.done.{}", done?);
    st.catalogue().has(&key).then(|| st.t(&key))
}

/// A refused step as a Chinese notice with a way back (session, permission and
/// storage failures as usual).
async fn refused(st: &AppState, headers: &HeaderMap, e: Error, back: &str) -> Fail {
    match &e {
        Error::Interview(InterviewError::NotFound(_) | InterviewError::QuestionNotFound(_)) => not_found(),
        Error::Session(_) | Error::Disabled | Error::Denied(_) => e.into(),
        _ if !e.is_user_error() => e.into(),
        _ => {
            let status = match &e {
                Error::Interview(
                    InterviewError::IllegalTransition { .. }
                    | InterviewError::QuestionState { .. }
                    | InterviewError::NotLive { .. }
                    | InterviewError::QuestionsClosed { .. },
                ) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let text = error_text(st, &e);
            match notice(st, headers, status, &st.t("admin.notice.failed"), &text, vec![], back).await {
                Ok(res) => Fail::Page(Box::new(res)),
                Err(f) => f,
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

// ---------------------------------------------------------------------------------
// The list.

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    topic: String,
    unit: String,
    time: String,
    state: &'static str,
    state_label: String,
    pending: u64,
    approved: u64,
    answered: u64,
    rejected: u64,
    announce_from: Option<String>,
}

#[derive(Debug, Serialize)]
struct Section {
    name: &'static str,
    heading: String,
    rows: Vec<Row>,
}

fn unit_of(units: &[OrgUnit], id: UnitId) -> String {
    units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
}

pub(crate) async fn list(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<DoneQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let (list, units, lead) =
        call(&st, &me, |g, a| Ok((g.interviews(a, None)?, g.list_units(a)?, g.interview_lead_days()?))).await?;
    let cat = st.catalogue();
    let row = |s: &sitegroup::InterviewSummary| {
        let i = &s.interview;
        Row {
            id: i.id,
            topic: i.topic.clone(),
            unit: unit_of(&units, i.unit),
            time: schedule(i.starts_at, i.ends_at),
            state: i.state.as_str(),
            state_label: state_label(cat, i.state),
            pending: s.pending,
            approved: s.approved,
            answered: s.answered,
            rejected: s.rejected,
            announce_from: (i.state == InterviewState::Planned)
                .then(|| when(sitegroup::interaction::interview::rules::announce_from(i.starts_at, lead))),
        }
    };
    let sections: Vec<Section> = [
        ("live", vec![InterviewState::Live]),
        ("announced", vec![InterviewState::Announced]),
        ("planned", vec![InterviewState::Planned]),
        ("ended", vec![InterviewState::Ended]),
        ("archived", vec![InterviewState::Archived]),
        ("cancelled", vec![InterviewState::Cancelled]),
    ]
    .into_iter()
    .map(|(name, states)| {
        let mut rows: Vec<Row> = list.iter().filter(|s| states.contains(&s.interview.state)).map(row).collect();
        if matches!(name, "announced" | "planned") {
            rows.reverse(); // soonest first
        }
        Section {
            name,
            heading: st.tf(&format!("iv.admin.section.{name}"), &[("count", &rows.len().to_string())]),
            rows,
        }
    })
    .collect();
    let title = st.t("iv.admin.title");
    let frame = Frame::new(&st, &headers, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        sections => crate::ser(&sections),
        centre => may(&me, Action::ScreenTicket, Resource::Group),
        stats => may(&me, Action::ViewStats, Resource::Group),
        lead => lead,
        lead_min => MIN_LEAD_DAYS,
        lead_max => MAX_LEAD_DAYS,
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/interview_list.html", StatusCode::OK, ctx)
}

pub(crate) async fn settings(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, crate::BODY_LIMIT, "iv.admin.too_large").await?;
    let me = actor(&st, &headers).await?;
    let raw = field(&pairs, "lead_days").trim().to_string();
    let result = call(&st, &me, move |g, a| {
        let days: u32 = raw.parse().map_err(|_| Error::Interview(InterviewError::BadLeadTime { days: -1 }))?;
        g.set_interview_lead_days(a, &origin(), days)
    })
    .await;
    match result {
        Ok(()) => Ok(see_other("/admin/fangtan?done=settings")),
        Err(e) => Err(refused(&st, &headers, e, ADMIN).await),
    }
}

// ---------------------------------------------------------------------------------
// Planning and editing.

/// The plan form's fields as typed.
#[derive(Debug, Clone, Default, Serialize)]
struct PlanInput {
    unit: String,
    topic: String,
    host: String,
    guests: String,
    starts: String,
    ends: String,
    outline: String,
    background: String,
}

impl PlanInput {
    fn from_pairs(pairs: &[(String, String)]) -> PlanInput {
        let f = |n: &str| field(pairs, n).to_string();
        PlanInput {
            unit: f("unit"),
            topic: f("topic"),
            host: f("host"),
            guests: f("guests"),
            starts: f("starts"),
            ends: f("ends"),
            outline: f("outline"),
            background: f("background"),
        }
    }

    fn of(i: &Interview, units: &[OrgUnit]) -> PlanInput {
        PlanInput {
            unit: units.iter().find(|u| u.id == i.unit).map(|u| u.code.clone()).unwrap_or_default(),
            topic: i.topic.clone(),
            host: i.host.clone(),
            guests: i
                .guests
                .iter()
                .map(|g| if g.post.is_empty() { g.name.clone() } else { format!("{} {}", g.name, g.post) })
                .collect::<Vec<_>>()
                .join("\n"),
            starts: local_input(i.starts_at),
            ends: local_input(i.ends_at),
            outline: i.outline.clone(),
            background: i.background.clone(),
        }
    }

    /// The plan; the times must be `datetime-local` values (Beijing time). One guest
    /// per line: the name, then (after a space or a comma) the post.
    fn to_new(&self) -> Result<NewInterview, Error> {
        let time = |v: &str, field: &'static str| {
            parse_local(v).ok_or_else(|| {
                Error::Interview(InterviewError::Invalid(ValidationError::Malformed {
                    field,
                    reason: "not a date and time".into(),
                }))
            })
        };
        let guests = self
            .guests
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once([' ', '\u{3000}', ',', '，', '\t']) {
                Some((name, post)) => Guest { name: name.trim().to_string(), post: post.trim().to_string() },
                None => Guest { name: l.to_string(), post: String::new() },
            })
            .collect();
        Ok(NewInterview {
            unit: self.unit.clone(),
            topic: self.topic.clone(),
            guests,
            host: self.host.clone(),
            outline: self.outline.clone(),
            background: self.background.clone(),
            starts_at: time(&self.starts, "starts_at")?,
            ends_at: time(&self.ends, "ends_at")?,
        })
    }
}

#[derive(Debug, Serialize)]
struct UnitOption {
    code: String,
    name: String,
}

/// The plan form (new, or editing `id`), with the input and an alert.
async fn form_page(
    st: &AppState,
    headers: &HeaderMap,
    id: Option<i64>,
    input: PlanInput,
    alert: Option<String>,
    status: StatusCode,
) -> Reply {
    let me = actor(st, headers).await?;
    let units = call(st, &me, |g, a| g.list_units(a)).await?;
    let units: Vec<UnitOption> = units.into_iter().map(|u| UnitOption { code: u.code, name: u.name }).collect();
    let title = match id {
        Some(_) => st.t("iv.admin.edit"),
        None => st.t("iv.admin.new"),
    };
    let frame = Frame::new(st, headers, title.clone(), vec![(st.t("iv.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        action => match id { Some(id) => format!("/admin/fangtan/{id}/edit"), None => "/admin/fangtan/new".into() },
        input => crate::ser(&input),
        units => crate::ser(&units),
        alert => alert,
        max_outline => MAX_OUTLINE_CHARS,
        max_background => MAX_BACKGROUND_CHARS,
    };
    frame.render(st, "admin/interview_form.html", status, ctx)
}

pub(crate) async fn new_form(State(st): State<AppState>, headers: HeaderMap) -> Reply {
    let me = actor(&st, &headers).await?;
    if !may(&me, Action::ScreenTicket, Resource::Group) {
        return Err(Error::Denied(sitegroup::Denied {
            actor: me.label(),
            action: Action::ScreenTicket,
            resource: Resource::Group,
        })
        .into());
    }
    form_page(&st, &headers, None, PlanInput::default(), None, StatusCode::OK).await
}

async fn save(st: AppState, headers: HeaderMap, id: Option<i64>, body: Body) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, FORM_LIMIT, "iv.admin.too_large").await?;
    let me = actor(&st, &headers).await?;
    let input = PlanInput::from_pairs(&pairs);
    let typed = input.clone();
    let result = call(&st, &me, move |g, a| {
        let new = typed.to_new()?;
        match id {
            Some(id) => g.update_interview(a, &origin(), id, &new),
            None => g.plan_interview(a, &origin(), &new),
        }
    })
    .await;
    match result {
        Ok(i) => {
            Ok(see_other(&format!("/admin/fangtan/{}?done={}", i.id, if id.is_some() { "update" } else { "plan" })))
        }
        Err(e @ Error::Interview(InterviewError::Invalid(_) | InterviewError::UnknownUnit(_))) => {
            form_page(&st, &headers, id, input, Some(error_text(&st, &e)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => {
            let back = id.map_or_else(|| "/admin/fangtan/new".to_string(), |id| format!("/admin/fangtan/{id}"));
            Err(refused(&st, &headers, e, &back).await)
        }
    }
}

pub(crate) async fn create(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    save(st, headers, None, body).await
}

pub(crate) async fn edit(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    save(st, headers, Some(id), body).await
}

// ---------------------------------------------------------------------------------
// One interview.

#[derive(Debug, Serialize)]
struct QuestionRow {
    id: i64,
    nickname: String,
    text: String,
    contact: Option<String>,
    asked: String,
    state: &'static str,
    note: Option<String>,
    answer: Option<String>,
    answered_by: Option<String>,
    answered: Option<String>,
}

fn question_row(q: &Question) -> QuestionRow {
    QuestionRow {
        id: q.id,
        nickname: q.nickname.clone(),
        text: q.text.clone(),
        contact: q.contact.clone(),
        asked: when(q.asked_at),
        state: q.state.as_str(),
        note: q.reject_note.clone(),
        answer: q.answer.clone(),
        answered_by: q.answered_by.clone(),
        answered: q.answered_at.map(when),
    }
}

/// The controls shown for the interview's state (the library decides again).
#[derive(Debug, Serialize)]
struct Controls {
    edit: bool,
    announce: bool,
    start: bool,
    end: bool,
    archive: bool,
    cancel: bool,
    moderate: bool,
    answer: bool,
}

pub(crate) async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Reply {
    let id = parse_id(&id)?;
    let me = actor(&st, &headers).await?;
    let result = call(&st, &me, move |g, a| Ok((g.interview_detail(a, id)?, g.list_units(a)?))).await;
    let (detail, units) = match result {
        Ok(v) => v,
        Err(Error::Interview(InterviewError::NotFound(_))) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let i = &detail.interview;
    let centre = may(&me, Action::ScreenTicket, Resource::Group);
    let plan = matches!(i.state, InterviewState::Planned | InterviewState::Announced);
    let controls = Controls {
        edit: centre && plan,
        announce: centre && i.state == InterviewState::Planned,
        start: i.state == InterviewState::Announced,
        end: i.state == InterviewState::Live,
        archive: centre && i.state == InterviewState::Ended,
        cancel: centre && plan,
        moderate: matches!(i.state, InterviewState::Announced | InterviewState::Live),
        answer: i.state == InterviewState::Live,
    };
    let of = |s: QuestionState| -> Vec<QuestionRow> {
        detail.questions.iter().filter(|q| q.state == s).map(question_row).collect()
    };
    let cat = st.catalogue();
    let title = i.topic.clone();
    let frame = Frame::new(&st, &headers, title.clone(), vec![(st.t("iv.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        iv => context! {
            id => i.id,
            unit => unit_of(&units, i.unit),
            time => schedule(i.starts_at, i.ends_at),
            state => i.state.as_str(),
            state_label => state_label(cat, i.state),
            host => i.host.clone(),
            guests => crate::ser(&i.guests),
            outline => i.outline.clone(),
            background => i.background.clone(),
            announce_from => when(detail.announce_from),
            announced => i.announced_at.map(when),
            started => i.started_at.map(when),
            ended => i.ended_at.map(when),
            archived => i.archived_at.map(when),
            cancelled => i.cancelled_at.map(when),
            cancel_reason => i.cancel_reason.clone(),
            public_href => format!("{}/{}", super::BASE, i.id),
        },
        controls => crate::ser(&controls),
        plan_input => crate::ser(PlanInput::of(i, &units)),
        units => crate::ser(units.iter().map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() }).collect::<Vec<_>>()),
        pending => crate::ser(of(QuestionState::Pending)),
        approved => crate::ser(of(QuestionState::Approved)),
        answered => crate::ser(of(QuestionState::Answered)),
        rejected => crate::ser(of(QuestionState::Rejected)),
        transcript => crate::ser(detail.transcript.iter().map(|e| entry_row(&st, e)).collect::<Vec<_>>()),
        max_answer => MAX_ANSWER_CHARS,
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/interview_show.html", StatusCode::OK, ctx)
}

/// What a step did, for the live viewers.
enum Outcome {
    State(InterviewState),
    Entry(sitegroup::interaction::interview::TranscriptEntry),
}

fn publish(st: &AppState, interview: i64, outcome: Outcome) {
    let message = match outcome {
        Outcome::State(s) => LiveMessage::State(s),
        Outcome::Entry(e) => LiveMessage::Entry(e),
    };
    st.0.live.publish(interview, message);
}

pub(crate) async fn step(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id = parse_id(&id)?;
    let pairs = crate::admin::read_form(&st, &headers, body, FORM_LIMIT, "iv.admin.too_large").await?;
    let me = actor(&st, &headers).await?;
    let op = field(&pairs, "op").to_string();
    let back = format!("/admin/fangtan/{id}");
    let op2 = op.clone();
    let result = call(&st, &me, move |g, a| {
        let o = origin();
        let state = |i: Interview| Outcome::State(i.state);
        Ok(match op2.as_str() {
            "announce" => state(g.announce_interview(a, &o, id)?),
            "start" => state(g.start_interview(a, &o, id)?),
            "end" => state(g.end_interview(a, &o, id)?),
            "archive" => state(g.archive_interview(a, &o, id)?),
            "cancel" => state(g.cancel_interview(a, &o, id, field(&pairs, "reason"))?),
            "remark" => {
                let speaker = match field(&pairs, "speaker") {
                    "host" => Speaker::Host,
                    _ => Speaker::Guest,
                };
                let e = g.add_interview_remark(a, &o, id, speaker, field(&pairs, "name"), field(&pairs, "text"))?;
                Outcome::Entry(e.entry)
            }
            _ => return Err(Error::Invalid(ValidationError::Rule("unknown step".into()))),
        })
    })
    .await;
    match result {
        Ok(outcome) => {
            publish(&st, id, outcome);
            Ok(see_other(&format!("{back}?done={op}")))
        }
        Err(e) => Err(refused(&st, &headers, e, &back).await),
    }
}

pub(crate) async fn question_step(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(qid): Path<String>,
    body: Body,
) -> Reply {
    let qid = parse_id(&qid)?;
    let pairs = crate::admin::read_form(&st, &headers, body, FORM_LIMIT, "iv.admin.too_large").await?;
    let me = actor(&st, &headers).await?;
    let op = field(&pairs, "op").to_string();
    let interview: i64 = field(&pairs, "interview").parse().unwrap_or(0);
    let back = if interview > 0 { format!("/admin/fangtan/{interview}") } else { ADMIN.to_string() };
    let op2 = op.clone();
    let result = call(&st, &me, move |g, a| {
        let o = origin();
        Ok(match op2.as_str() {
            "approve" => (g.approve_interview_question(a, &o, qid)?.interview, None),
            "reject" => (g.reject_interview_question(a, &o, qid, field(&pairs, "note"))?.interview, None),
            "answer" => {
                let e = g.answer_interview_question(a, &o, qid, field(&pairs, "guest"), field(&pairs, "text"))?;
                (e.interview, Some(e.entry))
            }
            _ => return Err(Error::Invalid(ValidationError::Rule("unknown step".into()))),
        })
    })
    .await;
    match result {
        Ok((interview, entry)) => {
            if let Some(e) = entry {
                publish(&st, interview, Outcome::Entry(e));
            }
            Ok(see_other(&format!("/admin/fangtan/{interview}?done={op}")))
        }
        Err(e) => Err(refused(&st, &headers, e, &back).await),
    }
}

// ---------------------------------------------------------------------------------
// The yearly planning view.

#[derive(Debug, Default, Deserialize)]
pub(crate) struct YearQuery {
    #[serde(default)]
    year: String,
}

#[derive(Debug, Serialize)]
struct PlanningRowView {
    rank: usize,
    unit: String,
    received: u64,
    overdue: u64,
    rate: Option<String>,
    interviews: u64,
    /// Bar widths (0–100) for the inline SVG.
    volume_bar: u32,
    rate_bar: u32,
}

pub(crate) async fn planning(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<YearQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let this_year = beijing_date(st.group().now()).map_or(2025, |d| d.year());
    let year = if q.year.trim().is_empty() {
        this_year
    } else {
        match q.year.trim().parse::<i32>() {
            Ok(y) => y,
            Err(_) => {
                let e = Error::Interview(InterviewError::Invalid(ValidationError::Malformed {
                    field: "year",
                    reason: "not a year".into(),
                }));
                return Err(refused(&st, &headers, e, "/admin/fangtan/planning").await);
            }
        }
    };
    let view = match call(&st, &me, move |g, a| g.interview_planning(a, year)).await {
        Ok(v) => v,
        Err(e) => return Err(refused(&st, &headers, e, "/admin/fangtan/planning").await),
    };
    let max = view.rows.iter().map(|r| r.received).max().unwrap_or(0).max(1);
    let rows: Vec<PlanningRowView> = view
        .rows
        .iter()
        .map(|r| PlanningRowView {
            rank: r.rank,
            unit: r.unit_name.clone(),
            received: r.received,
            overdue: r.overdue,
            rate: r.overdue_rate.map(|x| format!("{:.1}%", x * 100.0)),
            interviews: r.interviews,
            // Both lie in 0..=100; the casts cannot truncate anything meaningful.
            volume_bar: ((r.received as f64 / max as f64) * 100.0).round().clamp(0.0, 100.0) as u32,
            rate_bar: r.overdue_rate.map_or(0, |x| (x.clamp(0.0, 1.0) * 100.0).round() as u32),
        })
        .collect();
    let active = rows.iter().filter(|r| r.received > 0).count();
    let title = st.tf("iv.planning.title", &[("year", &year.to_string())]);
    let frame = Frame::new(&st, &headers, title.clone(), vec![(st.t("iv.admin.title"), Some(ADMIN.into()))]).await?;
    let ctx = context! {
        title => title,
        year => year,
        years => ((this_year - 4)..=this_year).rev().collect::<Vec<_>>(),
        as_of => when(view.as_of),
        rows => crate::ser(&rows),
        active => active,
    };
    frame.render(&st, "admin/interview_planning.html", StatusCode::OK, ctx)
}
