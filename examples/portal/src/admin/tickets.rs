//! 互动交流 back office (issue 5): the information centre's queue (screening,
//! forwarding, assignment and transfers, review of replies, publication with the
//! redaction preview), a unit's queue (reply, delay explanation), one ticket with its
//! deadline and history, the urgings list and the monthly notice (通报) with an .xlsx
//! download.
//!
//! Which controls show is asked of `authorize` (through [`super::may`]); the library
//! decides again on every step. Every step is one POST to `/admin/tickets/{id}/step`
//! with an `op` field and the CSRF token.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::interaction::InteractionError;
use sitegroup::interaction::deadline::{self, DeadlineStatus};
use sitegroup::interaction::disclosure::DisclosureOutcome;
use sitegroup::interaction::flow::{Command, RejectReason, TicketState};
use sitegroup::interaction::model::{Channel, Ticket, beijing_date};
use sitegroup::{Action, Actor, Error, OrgUnit, Resource, TicketQuery, UnitId, ValidationError};

use super::{Fail, Frame, Reply, actor, call, field, may, notice, origin, see_other};
use crate::AppState;
use crate::interaction::{channel_label, deadline_label, error_message, rating_label, reject_label};

/// Largest step form (a reply may have 20,000 characters; percent-encoded up to 9 bytes each).
const STEP_LIMIT: usize = 1024 * 1024;
/// Most tickets listed in a queue.
const QUEUE_LIMIT: i64 = 500;

/// Routes under `/admin/tickets` and the monthly notice (merged into [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/tickets", get(queue))
        .route("/admin/tickets/urgings", get(urgings))
        .route("/admin/tickets/settings", get(settings_page).post(settings_save))
        .route("/admin/tickets/{id}", get(show))
        .route("/admin/tickets/{id}/step", post(step))
        .route("/admin/report/monthly", get(monthly))
        .layer(DefaultBodyLimit::disable())
}

// ---------------------------------------------------------------------------------
// Rows.

/// A ticket in a list.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    code: String,
    channel: String,
    mailbox: bool,
    category: String,
    subject: String,
    body: String,
    writer: String,
    unit: Option<String>,
    unit_code: Option<String>,
    target_code: Option<String>,
    target: Option<String>,
    received: String,
    due: Option<String>,
    due_input: Option<String>,
    status: &'static str,
    status_label: String,
    state: &'static str,
    state_label: String,
    reply: Option<String>,
    instruction: Option<String>,
    delay: Option<String>,
    private: bool,
    published: bool,
    urgent: bool,
    rating: Option<String>,
    may_handle: bool,
    /// A disclosure request (依申请公开): shows the applicant kind and the outcome.
    disclosure: bool,
    /// 申请人类型, as the national table names it.
    applicant: Option<String>,
    /// 办理结果 recorded, as the national table names it, and its code.
    outcome: Option<String>,
    outcome_code: Option<String>,
}

struct Ctx<'a> {
    st: &'a AppState,
    me: &'a Actor,
    units: &'a [OrgUnit],
    unit_sites: &'a HashMap<UnitId, Vec<sitegroup::SiteId>>,
    now: i64,
    due_soon: u32,
    calendar: &'a sitegroup::WorkCalendar,
}

impl Ctx<'_> {
    fn unit(&self, id: Option<UnitId>) -> Option<&OrgUnit> {
        id.and_then(|id| self.units.iter().find(|u| u.id == id))
    }

    fn may_handle(&self, unit: Option<UnitId>) -> bool {
        unit.and_then(|u| self.unit_sites.get(&u))
            .is_some_and(|sites| sites.iter().any(|s| may(self.me, Action::HandleTicket, Resource::Site(*s))))
    }

    fn row(&self, t: &Ticket) -> Row {
        let st = self.st;
        let status = deadline::status(t.flow.state, t.due_at, self.now, self.due_soon, self.calendar);
        let (status, status_label) = deadline_label(st, status);
        let writer = match (&t.writer.name, &t.writer.phone, &t.writer.email) {
            (None, None, None) => st.t("ix.admin.anonymous"),
            (n, p, e) => {
                [n.as_deref(), p.as_deref(), e.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" · ")
            }
        };
        let unit = self.unit(t.flow.unit);
        let target = self.unit(t.target_unit);
        Row {
            id: t.id,
            code: t.query_code.clone(),
            channel: channel_label(st, t.channel),
            mailbox: t.channel == Channel::Mailbox,
            category: t.category.clone(),
            subject: t.subject.clone(),
            body: t.body.clone(),
            writer,
            unit: unit.map(|u| u.name.clone()),
            unit_code: unit.map(|u| u.code.clone()),
            target_code: target.map(|u| u.code.clone()),
            target: target.map(|u| u.name.clone()).or_else(|| t.leader.clone()),
            received: super::when(t.received_at),
            due: t.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d")),
            due_input: t.due_at.and_then(beijing_date).and_then(|d| d.succ_opt()).map(|d| d.to_string()),
            status,
            status_label,
            state: t.flow.state.as_str(),
            state_label: st.t(&format!("ix.state.{}", t.flow.state.as_str())),
            reply: t.flow.reply.clone(),
            instruction: t.flow.instruction.clone(),
            delay: t
                .flow
                .clock
                .delay_to
                .map(|d| format!("{d} {}", t.flow.clock.delay_reason.as_deref().unwrap_or_default())),
            private: t.private,
            published: t.flow.published,
            urgent: t.urgent,
            rating: t.flow.rating.map(|r| rating_label(st, r)),
            may_handle: self.may_handle(t.flow.unit),
            disclosure: t.channel == Channel::Disclosure,
            applicant: t.flow.disclosure.as_ref().map(|d| d.applicant.label_zh().to_string()),
            outcome: t.flow.disclosure.as_ref().and_then(|d| d.outcome).map(outcome_text),
            outcome_code: t.flow.disclosure.as_ref().and_then(|d| d.outcome).map(|o| o.as_str().to_string()),
        }
    }
}

/// An outcome as the national table names it: its group, and the row within it when
/// the group has several (`（三）不予公开：1.属于国家秘密`).
fn outcome_text(o: DisclosureOutcome) -> String {
    let (group, label) = (o.group_zh(), o.label_zh());
    if group.ends_with(label) { group.to_string() } else { format!("{group}：{label}") }
}

/// The outcome select of a disclosure ticket: the 21 outcomes in table order, grouped
/// as in the national table.
#[derive(Debug, Serialize)]
struct OutcomeGroup {
    group: &'static str,
    options: Vec<(&'static str, &'static str)>,
}

fn outcome_groups() -> Vec<OutcomeGroup> {
    let mut out: Vec<OutcomeGroup> = Vec::new();
    for o in DisclosureOutcome::ALL {
        match out.last_mut() {
            Some(g) if g.group == o.group_zh() => g.options.push((o.as_str(), o.label_zh())),
            _ => out.push(OutcomeGroup { group: o.group_zh(), options: vec![(o.as_str(), o.label_zh())] }),
        }
    }
    out
}

/// A part of a queue.
#[derive(Debug, Serialize)]
struct Section {
    name: &'static str,
    heading: String,
    rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
struct UnitOption {
    code: String,
    name: String,
}

/// Sites per unit (the unit's tickets are authorized on them).
fn unit_sites(g: &sitegroup::SiteGroup) -> Result<HashMap<UnitId, Vec<sitegroup::SiteId>>, Error> {
    let mut out: HashMap<UnitId, Vec<sitegroup::SiteId>> = HashMap::new();
    for s in g.site_tree()?.sites() {
        if let Some(u) = s.unit {
            out.entry(u).or_default().push(s.id);
        }
    }
    Ok(out)
}

/// The controls a page shows (the library decides again).
#[derive(Debug, Serialize)]
struct Powers {
    screen: bool,
    instruct: bool,
    stats: bool,
}

fn powers(me: &Actor) -> Powers {
    Powers {
        screen: may(me, Action::ScreenTicket, Resource::Group),
        instruct: may(me, Action::InstructTicket, Resource::Group),
        stats: may(me, Action::ViewStats, Resource::Group),
    }
}

fn done_message(st: &AppState, done: Option<&str>) -> Option<String> {
    let d = done?;
    let key = format!("ix.done.{d}");
    st.catalogue().has(&key).then(|| st.t(&key))
}

// ---------------------------------------------------------------------------------
// Queues.

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    done: Option<String>,
}

struct QueueData {
    tickets: Vec<Ticket>,
    units: Vec<OrgUnit>,
    unit_sites: HashMap<UnitId, Vec<sitegroup::SiteId>>,
    due_soon: u32,
    now: i64,
    /// The unit shown, or `None` for the centre's whole queue.
    unit: Option<OrgUnit>,
}

pub(crate) async fn queue(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<QueueQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let wanted = Some(q.unit.trim().to_ascii_lowercase()).filter(|u| !u.is_empty());
    let result = call(&st, &me, move |g, a| {
        let units = g.list_units(a)?;
        let unit_sites = unit_sites(g)?;
        let settings = g.interaction_settings()?;
        let unit = match &wanted {
            Some(code) => Some(
                units
                    .iter()
                    .find(|u| &u.code == code)
                    .cloned()
                    .ok_or(Error::Interaction(InteractionError::UnknownUnit(code.clone())))?,
            ),
            None => None,
        };
        let query = TicketQuery { unit: wanted.clone(), states: vec![], limit: QUEUE_LIMIT };
        let tickets = match g.tickets(a, &query) {
            Ok(t) => t,
            // Not the centre: the first unit whose tickets the actor may read.
            Err(Error::Denied(d)) if wanted.is_none() => {
                let mine = units.iter().find(|u| {
                    unit_sites
                        .get(&u.id)
                        .is_some_and(|sites| sites.iter().any(|s| may(a, Action::ViewTickets, Resource::Site(*s))))
                });
                return match mine {
                    Some(u) => Ok(Err(u.code.clone())),
                    None => Err(Error::Denied(d)),
                };
            }
            Err(e) => return Err(e),
        };
        Ok(Ok(QueueData { tickets, units, unit_sites, due_soon: settings.due_soon_days, now: g.now(), unit }))
    })
    .await;
    let data = match result {
        Ok(Ok(d)) => d,
        Ok(Err(code)) => return Ok(see_other(&format!("/admin/tickets?unit={code}"))),
        Err(Error::Interaction(InteractionError::UnknownUnit(_))) => {
            return Err(Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND))));
        }
        Err(e) => return Err(e.into()),
    };
    let calendar = st.group().calendar();
    let cx = Ctx {
        st: &st,
        me: &me,
        units: &data.units,
        unit_sites: &data.unit_sites,
        now: data.now,
        due_soon: data.due_soon,
        calendar,
    };
    let of = |states: &[TicketState]| -> Vec<Row> {
        data.tickets.iter().filter(|t| states.contains(&t.flow.state)).map(|t| cx.row(t)).collect()
    };
    let screening = of(&[TicketState::Submitted]);
    let batch = of(&[TicketState::AwaitingBatch]);
    let leader = of(&[TicketState::Forwarded]);
    let handling = of(&[TicketState::Assigned, TicketState::AwaitingCorrection, TicketState::ThirdParty]);
    let review = of(&[TicketState::Replied]);
    let to_publish: Vec<Row> = data
        .tickets
        .iter()
        .filter(|t| t.flow.state == TicketState::Closed && !t.private && !t.flow.published)
        .map(|t| cx.row(t))
        .collect();
    let closed: Vec<Row> = data
        .tickets
        .iter()
        .filter(|t| matches!(t.flow.state, TicketState::Closed | TicketState::Rejected))
        .take(50)
        .map(|t| cx.row(t))
        .collect();
    let mut named = Vec::new();
    if data.unit.is_none() {
        named.extend([("screening", screening), ("batch", batch), ("leader", leader)]);
    }
    named.extend([("handling", handling), ("review", review)]);
    if may(&me, Action::ScreenTicket, Resource::Group) {
        named.push(("publish", to_publish));
    }
    let sections: Vec<Section> = named
        .into_iter()
        .map(|(name, rows)| Section {
            name,
            heading: st.tf(&format!("ix.admin.section.{name}"), &[("count", &rows.len().to_string())]),
            rows,
        })
        .collect();
    let units: Vec<UnitOption> =
        data.units.iter().map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() }).collect();
    let title = match &data.unit {
        Some(u) => st.tf("ix.admin.unit_queue", &[("unit", &u.name)]),
        None => st.t("ix.admin.queue"),
    };
    let frame = Frame::new(&st, &headers, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        unit => data.unit.as_ref().map(|u| u.code.clone()),
        sections => crate::ser(&sections),
        closed => crate::ser(&closed),
        units => crate::ser(&units),
        powers => crate::ser(powers(&me)),
        back => match &data.unit { Some(u) => format!("/admin/tickets?unit={}", u.code), None => "/admin/tickets".into() },
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/tickets.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// One ticket.

#[derive(Debug, Serialize)]
struct LogRow {
    at: String,
    actor: String,
    action: String,
    unit: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct PreviewView {
    subject: String,
    body: String,
    reply: Option<String>,
    masked: usize,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Reply {
    let id: i64 = id.parse().map_err(|_| Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND))))?;
    let me = actor(&st, &headers).await?;
    let result = call(&st, &me, move |g, a| {
        let view = g.ticket(a, id)?;
        let units = g.list_units(a)?;
        let unit_sites = unit_sites(g)?;
        let settings = g.interaction_settings()?;
        let publishable = view.ticket.flow.state == TicketState::Closed && !view.ticket.private;
        let preview = if publishable && may(a, Action::ScreenTicket, Resource::Group) {
            Some(g.redaction_preview(a, id)?)
        } else {
            None
        };
        Ok((view, units, unit_sites, (settings.due_soon_days, settings.max_pause_days), g.now(), preview))
    })
    .await;
    let (view, units, unit_sites, (due_soon, max_pause_days), now, preview) = match result {
        Ok(v) => v,
        Err(Error::Interaction(InteractionError::NotFound(_))) => {
            return Err(Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND))));
        }
        Err(e) => return Err(e.into()),
    };
    let cx = Ctx {
        st: &st,
        me: &me,
        units: &units,
        unit_sites: &unit_sites,
        now,
        due_soon,
        calendar: st.group().calendar(),
    };
    let row = cx.row(&view.ticket);
    let log: Vec<LogRow> = view
        .log
        .iter()
        .map(|e| {
            let key = format!("ix.action.{}", e.action);
            let note = ["text", "note", "reason"]
                .iter()
                .find_map(|k| e.detail.get(k).and_then(|v| v.as_str()))
                .map(str::to_string)
                .or_else(|| e.detail.get("to").and_then(|v| v.as_str()).map(str::to_string))
                .or_else(|| e.detail.get("rating").and_then(|v| v.as_str()).map(str::to_string));
            LogRow {
                at: super::when(e.at),
                actor: e.actor.clone(),
                action: if st.catalogue().has(&key) { st.t(&key) } else { e.action.clone() },
                unit: cx.unit(e.unit).map(|u| u.name.clone()),
                note,
            }
        })
        .collect();
    let rejection = view.ticket.flow.rejection.as_ref().map(|(r, note)| format!("{}：{note}", reject_label(&st, *r)));
    let preview = preview.map(|p| PreviewView {
        masked: p.subject.spans.len() + p.body.spans.len() + p.reply.as_ref().map_or(0, |r| r.spans.len()),
        subject: p.subject.text,
        body: p.body.text,
        reply: p.reply.map(|r| r.text),
    });
    let (deadline_key, _) = deadline_label(&st, view.status);
    let units_opt: Vec<UnitOption> =
        units.iter().map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() }).collect();
    let may_decide = row.disclosure
        && !matches!(view.ticket.flow.state, TicketState::Closed | TicketState::Rejected)
        && (row.may_handle || may(&me, Action::ScreenTicket, Resource::Group));
    let title = st.tf("ix.admin.ticket_title", &[("code", &row.code)]);
    let frame =
        Frame::new(&st, &headers, title.clone(), vec![(st.t("ix.admin.queue"), Some("/admin/tickets".into()))]).await?;
    let ctx = context! {
        title => title,
        tk => crate::ser(&row),
        explain => view.deadline.as_ref().map(|d| crate::interaction::explain::deadline_lines(
            st.catalogue(),
            d,
            &view.ticket.flow.clock,
            max_pause_days,
            crate::interaction::explain::Reader::Staff,
        )),
        overdue => view.status == DeadlineStatus::Overdue,
        deadline_key => deadline_key,
        rejection => rejection,
        log => crate::ser(&log),
        preview => crate::ser(&preview),
        units => crate::ser(&units_opt),
        powers => crate::ser(powers(&me)),
        back => format!("/admin/tickets/{id}"),
        done => done_message(&st, q.done.as_deref()),
        may_decide => may_decide,
        outcomes => crate::ser(outcome_groups()),
    };
    frame.render(&st, "admin/tickets_ticket.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Steps.

fn invalid(field: &'static str) -> Error {
    Error::Invalid(ValidationError::Empty { field })
}

/// The command of a step form; unit codes resolved against `units`.
fn command(pairs: &[(String, String)], units: &[OrgUnit]) -> Result<Command, Error> {
    let text = |n: &str| field(pairs, n).to_string();
    let unit = || -> Result<UnitId, Error> {
        let code = field(pairs, "unit").trim().to_ascii_lowercase();
        if code.is_empty() {
            return Err(invalid("unit"));
        }
        units
            .iter()
            .find(|u| u.code == code)
            .map(|u| u.id)
            .ok_or(Error::Interaction(InteractionError::UnknownUnit(code)))
    };
    let required = |n: &'static str| -> Result<String, Error> {
        let v = text(n);
        if v.trim().is_empty() { Err(invalid(n)) } else { Ok(v) }
    };
    Ok(match field(pairs, "op") {
        "accept" => {
            let unit = if field(pairs, "unit").trim().is_empty() { None } else { Some(unit()?) };
            Command::Accept { unit, urgent: !field(pairs, "urgent").is_empty() }
        }
        "reject" => {
            let reason = match field(pairs, "reason") {
                "spam" => RejectReason::Spam,
                "duplicate" => RejectReason::Duplicate,
                "out_of_scope" => RejectReason::OutOfScope,
                _ => return Err(invalid("reason")),
            };
            Command::Reject { reason, note: required("note")? }
        }
        "forward" => Command::Forward,
        "instruct" => Command::Instruct { unit: unit()?, note: required("note")? },
        "transfer" => Command::Transfer { unit: unit()?, note: required("note")? },
        "reply" => Command::Reply { text: required("text")? },
        "delay" => {
            let to = NaiveDate::parse_from_str(field(pairs, "to").trim(), "%Y-%m-%d")
                .map_err(|_| Error::Invalid(ValidationError::Malformed { field: "to", reason: "not a date".into() }))?;
            Command::ExplainDelay { to, reason: required("note")? }
        }
        "approve" => Command::Approve,
        "send_back" => Command::SendBack { note: required("note")? },
        "publish" => Command::Publish,
        "unpublish" => Command::Unpublish,
        "decide" => Command::Decide {
            outcome: DisclosureOutcome::parse(field(pairs, "outcome")).ok_or_else(|| invalid("outcome"))?,
        },
        _ => return Err(Error::Invalid(ValidationError::Rule("unknown step".into()))),
    })
}

pub(crate) async fn step(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Body) -> Reply {
    let id: i64 = id.parse().map_err(|_| Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND))))?;
    let pairs = crate::admin::read_form(&st, &headers, body, STEP_LIMIT, "ix.admin.too_large").await?;
    let me = actor(&st, &headers).await?;
    let op = field(&pairs, "op").to_string();
    let back = Some(field(&pairs, "back"))
        .filter(|b| b.starts_with("/admin/tickets") && !b.contains("//"))
        .map_or_else(|| format!("/admin/tickets/{id}"), str::to_string);
    let result = call(&st, &me, move |g, a| {
        let units = g.list_units(a)?;
        let cmd = command(&pairs, &units)?;
        g.ticket_step(a, &origin(), id, cmd)
    })
    .await;
    match result {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(see_other(&format!("{back}{sep}done={op}")))
        }
        Err(Error::Interaction(InteractionError::NotFound(_))) => {
            Err(Fail::App(Box::new(crate::AppError::Status(StatusCode::NOT_FOUND))))
        }
        Err(e) if e.is_user_error() && !matches!(e, Error::Denied(_) | Error::Session(_) | Error::Disabled) => {
            let status = match &e {
                Error::Interaction(InteractionError::IllegalTransition { .. }) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let text = decide_message(&st, &e).unwrap_or_else(|| error_message(&st, &e));
            let res = notice(&st, &headers, status, &st.t("admin.notice.failed"), &text, vec![], &back).await?;
            Err(Fail::Page(Box::new(res)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The Chinese message of a refused outcome step (no outcome chosen, not a disclosure
/// request); `None` for every other error.
fn decide_message(st: &AppState, e: &Error) -> Option<String> {
    match e {
        Error::Invalid(ValidationError::Empty { field: "outcome" }) => Some(st.t("ndbg.err.outcome")),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------
// Urgings.

#[derive(Debug, Serialize)]
struct UrgingRow {
    ticket: i64,
    unit: String,
    kind: String,
    day: String,
    n: i64,
    target: String,
    at: String,
}

pub(crate) async fn urgings(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<QueueQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let unit = Some(q.unit.trim().to_string()).filter(|u| !u.is_empty());
    let (list, units) = call(&st, &me, move |g, a| Ok((g.urgings(a, unit.as_deref(), 500)?, g.list_units(a)?))).await?;
    let rows: Vec<UrgingRow> = list
        .iter()
        .map(|u| UrgingRow {
            ticket: u.ticket,
            unit: units.iter().find(|x| x.id == u.unit).map_or_else(|| u.unit.0.to_string(), |x| x.name.clone()),
            kind: st.t(&format!(
                "ix.urging.{}",
                if st.catalogue().has(&format!("ix.urging.{}", u.kind)) { u.kind.as_str() } else { "other" }
            )),
            day: u.day.clone(),
            n: u.n,
            target: st.t(if u.target == "leader" { "ix.urging.to_leader" } else { "ix.urging.to_unit" }),
            at: super::when(u.at),
        })
        .collect();
    let title = st.t("ix.admin.urgings");
    let frame =
        Frame::new(&st, &headers, title.clone(), vec![(st.t("ix.admin.queue"), Some("/admin/tickets".into()))]).await?;
    frame.render(
        &st,
        "admin/tickets_urgings.html",
        StatusCode::OK,
        context! { title => title, rows => crate::ser(&rows) },
    )
}

// ---------------------------------------------------------------------------------
// Settings (the centre): deadlines per channel, batch days, reminders, mail recipients.

/// The settings an operator is offered, with the catalogue key of their label.
const SETTING_KEYS: &[&str] = &[
    "interaction.deadline.mailbox",
    "interaction.deadline.unit_mailbox",
    "interaction.deadline.complaint",
    "interaction.deadline.forum",
    "interaction.deadline.disclosure",
    "interaction.batch_days",
    "interaction.due_soon_days",
    "interaction.remind_before_days",
    "interaction.escalate_after",
    "interaction.max_body_chars",
];

#[derive(Debug, Serialize)]
struct SettingRow {
    key: String,
    label: String,
    value: String,
}

pub(crate) async fn settings_page(State(st): State<AppState>, headers: HeaderMap) -> Reply {
    let me = actor(&st, &headers).await?;
    let (pairs, units) = call(&st, &me, |g, a| Ok((g.interaction_setting_pairs(a)?, g.list_units(a)?))).await?;
    let stored = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let rows: Vec<SettingRow> = SETTING_KEYS
        .iter()
        .map(|k| SettingRow { key: k.to_string(), label: st.t(&format!("ix.settings.{}", &k[12..])), value: stored(k) })
        .collect();
    let mail: Vec<(String, String, String, String)> = units
        .iter()
        .map(|u| {
            (
                u.code.clone(),
                u.name.clone(),
                stored(&format!("interaction.mail.unit.{}", u.code)),
                stored(&format!("interaction.mail.leader.{}", u.code)),
            )
        })
        .collect();
    let title = st.t("ix.settings.title");
    let frame =
        Frame::new(&st, &headers, title.clone(), vec![(st.t("ix.admin.queue"), Some("/admin/tickets".into()))]).await?;
    frame.render(
        &st,
        "admin/tickets_settings.html",
        StatusCode::OK,
        context! { title => title, rows => crate::ser(&rows), mail => mail },
    )
}

/// Saves one `key`/`value` pair; a malformed value is refused with the key named and
/// nothing stored.
pub(crate) async fn settings_save(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, STEP_LIMIT, "ix.admin.too_large").await?;
    let me = actor(&st, &headers).await?;
    let (key, value) = (field(&pairs, "key").trim().to_string(), field(&pairs, "value").trim().to_string());
    let back = "/admin/tickets/settings";
    match call(&st, &me, move |g, a| g.set_interaction_setting(a, &origin(), &key, &value)).await {
        Ok(()) => Ok(see_other(&format!("{back}?done=saved"))),
        Err(e) if e.is_user_error() && !matches!(e, Error::Denied(_) | Error::Session(_) | Error::Disabled) => {
            let text = error_message(&st, &e);
            let res = notice(
                &st,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &st.t("admin.notice.failed"),
                &text,
                vec![],
                back,
            )
            .await?;
            Err(Fail::Page(Box::new(res)))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// The monthly notice.

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    format: String,
}

#[derive(Debug, Serialize)]
struct ReportRow {
    rank: usize,
    unit: String,
    received: u64,
    answered: u64,
    answered_on_time: u64,
    overdue_open: u64,
    reply_rate: Option<String>,
    on_time_rate: Option<String>,
    mean_days: Option<String>,
    satisfaction: Option<String>,
    /// Bar widths (0–100) for the inline SVG.
    reply_bar: u32,
    on_time_bar: u32,
}

fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.trim().split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

fn percent(r: Option<f64>) -> Option<String> {
    r.map(|r| format!("{:.1}%", r * 100.0))
}

fn bar(r: Option<f64>) -> u32 {
    // The rates lie in 0..=1; the cast saturates anything else.
    r.map_or(0, |r| (r.clamp(0.0, 1.0) * 100.0).round() as u32)
}

pub(crate) async fn monthly(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let now = st.group().now();
    let (year, month) = if q.month.trim().is_empty() {
        let today = beijing_date(now).unwrap_or_default();
        (today.year(), today.month())
    } else {
        match parse_month(&q.month) {
            Some(ym) => ym,
            None => {
                let text = st.tf("ix.report.bad_month", &[("month", q.month.trim())]);
                let res = notice(
                    &st,
                    &headers,
                    StatusCode::BAD_REQUEST,
                    &st.t("admin.notice.failed"),
                    &text,
                    vec![],
                    "/admin/report/monthly",
                )
                .await?;
                return Err(Fail::Page(Box::new(res)));
            }
        }
    };
    if q.format == "xlsx" {
        let bytes = call(&st, &me, move |g, a| g.monthly_report_xlsx(a, year, month, now)).await?;
        let name = format!("tongbao-{year}-{month:02}.xlsx");
        let disposition = format!(
            "attachment; filename=\"{name}\"; filename*=UTF-8''%E4%BA%92%E5%8A%A8%E4%BA%A4%E6%B5%81%E9%80%9A%E6%8A%A5-{year}-{month:02}.xlsx"
        );
        let mut res = (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
            bytes,
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(res);
    }
    let rows = call(&st, &me, move |g, a| g.monthly_report(a, year, month, now)).await?;
    let rows: Vec<ReportRow> = rows
        .iter()
        .map(|r| ReportRow {
            rank: r.rank,
            unit: r.unit_name.clone(),
            received: r.received,
            answered: r.answered,
            answered_on_time: r.answered_on_time,
            overdue_open: r.overdue_open,
            reply_rate: percent(r.reply_rate),
            on_time_rate: percent(r.on_time_rate),
            mean_days: r.mean_working_days.map(|d| format!("{d:.1}")),
            satisfaction: percent(r.satisfaction),
            reply_bar: bar(r.reply_rate),
            on_time_bar: bar(r.on_time_rate),
        })
        .collect();
    let total_received: u64 = rows.iter().map(|r| r.received).sum();
    let total_answered: u64 = rows.iter().map(|r| r.answered).sum();
    let total_overdue: u64 = rows.iter().map(|r| r.overdue_open).sum();
    let month_str = format!("{year}-{month:02}");
    let title = st.tf("ix.report.title", &[("year", &year.to_string()), ("month", &month.to_string())]);
    let frame = Frame::new(&st, &headers, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        month => month_str.clone(),
        xlsx => format!("/admin/report/monthly?month={month_str}&format=xlsx"),
        rows => crate::ser(&rows),
        active => rows.iter().filter(|r| r.received > 0).count(),
        total_received => total_received,
        total_answered => total_answered,
        total_overdue => total_overdue,
        as_of => super::when(now),
    };
    frame.render(&st, "admin/tickets_report.html", StatusCode::OK, ctx)
}
