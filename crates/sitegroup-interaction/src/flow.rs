//! The ticket workflow: one state machine as a pure function, [`apply`].
//!
//! ```text
//!  submitted ──reject(spam/duplicate/out of scope, reason)──► rejected
//!      │ accept
//!      ├── mailbox ──► awaiting_batch ──forward (batch day; urgent at once)──► forwarded ──instruct──┐
//!      └── other channels ─────────────────────────────────────────────────────────────────────────┤
//!                                                                                                   ▼
//!         ┌──────────── transfer (to another unit) / explain_delay (later date) / extend ─── assigned ◄─┐
//!         │   request_correction ─► awaiting_correction ─supply_correction (clock restarts)─┘      │    │
//!         │   consult_third_party ─► third_party ─end_consultation (paused days not counted)─┘     │    │
//!         └──────────────────────────────────────────────────────────────── reply ─► replied ─send_back┘
//!                                                                                       │ approve
//!                                  rate(dissatisfied, channel reopens) ◄─── closed ◄───┘  publish / unpublish
//! ```
//!
//! A ticket reaches `closed` only from `replied` (so never without a reply). A delay
//! explanation only moves the deadline to a later working day, and only before it
//! passes. Correction requests, third-party consultation and extensions are for
//! disclosure requests (the regulation's 补正, 征求第三方意见 and 延期).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sitegroup_core::{UnitId, WorkCalendar};

use crate::InteractionError;
use crate::disclosure::{ApplicantKind, DisclosureFacts, DisclosureOutcome};
use crate::model::{Channel, Rating, Settings, beijing_date};

/// 办理状态 (state of a ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// 待甄别: waiting for the centre's screening.
    Submitted,
    /// 不予受理: rejected by the screening (terminal).
    Rejected,
    /// 待转呈: accepted mailbox letter waiting for the next batch to the leaders.
    AwaitingBatch,
    /// 已转呈: with the leader, waiting for an instruction (批示).
    Forwarded,
    /// 办理中: with the responsible unit.
    Assigned,
    /// 待补正: the applicant was asked to correct the request (clock stopped).
    AwaitingCorrection,
    /// 征求第三方意见: a third party is consulted (the days do not count).
    ThirdParty,
    /// 待审核: the unit replied; the centre reviews the reply.
    Replied,
    /// 已办结: the reply was approved and returned to the writer.
    Closed,
}

impl TicketState {
    /// Every state.
    pub const ALL: [TicketState; 9] = [
        TicketState::Submitted,
        TicketState::Rejected,
        TicketState::AwaitingBatch,
        TicketState::Forwarded,
        TicketState::Assigned,
        TicketState::AwaitingCorrection,
        TicketState::ThirdParty,
        TicketState::Replied,
        TicketState::Closed,
    ];

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Submitted => "submitted",
            TicketState::Rejected => "rejected",
            TicketState::AwaitingBatch => "awaiting_batch",
            TicketState::Forwarded => "forwarded",
            TicketState::Assigned => "assigned",
            TicketState::AwaitingCorrection => "awaiting_correction",
            TicketState::ThirdParty => "third_party",
            TicketState::Replied => "replied",
            TicketState::Closed => "closed",
        }
    }

    /// Parses [`TicketState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<TicketState> {
        TicketState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the ticket still waits for an answer (deadline running or paused).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketState::Rejected | TicketState::Replied | TicketState::Closed)
    }
}

/// Why the centre refused a ticket; the reason is told to the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// 垃圾信息.
    Spam,
    /// 重复来信.
    Duplicate,
    /// 不属于受理范围.
    OutOfScope,
}

/// What the deadline is counted from; [`crate::deadline::compute`] turns it into a date.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeadlineBasis {
    /// The instant counting starts from (receipt, or the corrected request, or a reopening).
    pub start: i64,
    /// Working days allowed (per channel and category).
    pub days: u32,
    /// Extra working days of an approved extension (disclosure, once).
    pub extension: u32,
    /// Whether the one extension was used.
    pub extended: bool,
    /// Who approved the extension.
    pub extension_approved_by: Option<String>,
    /// Working days of finished third-party consultations (not counted).
    pub paused_days: u32,
    /// Start of a consultation still running.
    pub pause_since: Option<i64>,
    /// A later due date set by a delay explanation.
    pub delay_to: Option<NaiveDate>,
    /// Why the unit needs longer.
    pub delay_reason: Option<String>,
    /// How often the clock restarted (corrections, reopenings).
    pub restarts: u32,
}

/// The workflow part of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// State.
    pub state: TicketState,
    /// The responsible unit, once assigned.
    pub unit: Option<UnitId>,
    /// Deadline basis.
    pub clock: DeadlineBasis,
    /// The reply that stands (cleared when sent back or reopened).
    pub reply: Option<String>,
    /// When that reply was given.
    pub replied_at: Option<i64>,
    /// When the ticket was closed.
    pub closed_at: Option<i64>,
    /// Why it was rejected, and the note told to the writer.
    pub rejection: Option<(RejectReason, String)>,
    /// The leader's instruction (批示).
    pub instruction: Option<String>,
    /// When a mailbox letter went to the leaders.
    pub forwarded_at: Option<i64>,
    /// When the centre accepted it.
    pub accepted_at: Option<i64>,
    /// The writer's rating of the current answer.
    pub rating: Option<Rating>,
    /// Published (answered letters list), redacted.
    pub published: bool,
    /// How often a dissatisfied writer reopened it.
    pub reopened: u32,
    /// Disclosure requests only: the applicant kind and the recorded outcome (for the
    /// annual report). Absent on other channels and on rows stored before it existed
    /// (and then not serialised, so those rows' stored JSON stays byte-identical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<DisclosureFacts>,
}

impl Flow {
    /// A new ticket received at `at` with `days` working days to answer.
    pub fn new(at: i64, days: u32) -> Flow {
        Flow {
            state: TicketState::Submitted,
            unit: None,
            clock: DeadlineBasis { start: at, days, ..Default::default() },
            reply: None,
            replied_at: None,
            closed_at: None,
            rejection: None,
            instruction: None,
            forwarded_at: None,
            accepted_at: None,
            rating: None,
            published: false,
            reopened: 0,
            disclosure: None,
        }
    }
}

/// A workflow command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// The centre accepts: mailbox letters wait for a batch (urgent ones go at once),
    /// others go to `unit`.
    Accept {
        /// The responsible unit (required but for mailbox letters).
        unit: Option<UnitId>,
        /// Forward a mailbox letter at once.
        urgent: bool,
    },
    /// The centre refuses, telling the writer why.
    Reject {
        /// Why.
        reason: RejectReason,
        /// The message to the writer.
        note: String,
    },
    /// A batch forwards the letter to the leaders.
    Forward,
    /// The leader's instruction, naming the unit to handle it.
    Instruct {
        /// The unit.
        unit: UnitId,
        /// 批示.
        note: String,
    },
    /// The centre moves the ticket to another unit.
    Transfer {
        /// The new unit.
        unit: UnitId,
        /// Why.
        note: String,
    },
    /// The unit's answer.
    Reply {
        /// 答复.
        text: String,
    },
    /// Before the deadline, the unit explains it needs until a later working day.
    ExplainDelay {
        /// The new due day (a working day after the current one).
        to: NaiveDate,
        /// 延期说明.
        reason: String,
    },
    /// Disclosure: one extension of up to 20 working days, approved by the head.
    Extend {
        /// Working days added.
        days: u32,
        /// Who approved.
        approved_by: String,
    },
    /// Disclosure: ask the applicant to correct the request (补正).
    RequestCorrection {
        /// What to correct.
        note: String,
    },
    /// The applicant's correction; the clock restarts.
    SupplyCorrection {
        /// The corrected request.
        text: String,
    },
    /// Disclosure: consult a third party; the days do not count.
    ConsultThirdParty {
        /// Who and why.
        note: String,
    },
    /// The third party answered (or the time is up).
    EndConsultation,
    /// The centre approves the reply: closed and returned to the writer.
    Approve,
    /// The centre sends the reply back to the unit.
    SendBack {
        /// Why.
        note: String,
    },
    /// Publish the answered letter (writer allowed it; the centre approves).
    Publish,
    /// Take it off the public list.
    Unpublish,
    /// The writer rates the answer; a dissatisfied rating reopens where allowed.
    Rate {
        /// The rating.
        rating: Rating,
    },
    /// Disclosure: records the request's outcome (办理结果) for the annual report.
    /// Allowed in any state but `closed` and `rejected`, so it may be changed until the
    /// ticket is concluded.
    Decide {
        /// The outcome.
        outcome: DisclosureOutcome,
    },
}

impl Command {
    /// Stable name, used in audit actions (`ticket.{name}`).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Accept { .. } => "accept",
            Command::Reject { .. } => "reject",
            Command::Forward => "forward",
            Command::Instruct { .. } => "instruct",
            Command::Transfer { .. } => "transfer",
            Command::Reply { .. } => "reply",
            Command::ExplainDelay { .. } => "delay",
            Command::Extend { .. } => "extend",
            Command::RequestCorrection { .. } => "request_correction",
            Command::SupplyCorrection { .. } => "supply_correction",
            Command::ConsultThirdParty { .. } => "consult_third_party",
            Command::EndConsultation => "end_consultation",
            Command::Approve => "approve",
            Command::SendBack { .. } => "send_back",
            Command::Publish => "publish",
            Command::Unpublish => "unpublish",
            Command::Rate { .. } => "rate",
            Command::Decide { .. } => "decide",
        }
    }
}

/// What [`apply`] needs besides the flow: the ticket's fixed facts, now, the current
/// deadline, the settings and the calendar.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The ticket's channel.
    pub channel: Channel,
    /// The writer asked not to publish.
    pub private: bool,
    /// Now, unix seconds.
    pub now: i64,
    /// The current deadline (unix seconds), if known.
    pub due_at: Option<i64>,
    /// Settings.
    pub settings: &'a Settings,
    /// The working-day calendar.
    pub calendar: &'a WorkCalendar,
}

fn illegal(from: TicketState, action: &'static str) -> InteractionError {
    InteractionError::IllegalTransition { from, action }
}

fn note(field: &'static str, text: &str) -> Result<String, InteractionError> {
    Ok(sitegroup_core::error::required_text(field, text, crate::model::MAX_NOTE_CHARS)?)
}

fn reply_text(text: &str) -> Result<String, InteractionError> {
    if text.trim().is_empty() {
        return Err(sitegroup_core::ValidationError::Empty { field: "reply" }.into());
    }
    let len = text.chars().count();
    if len > crate::model::MAX_NOTE_CHARS {
        return Err(sitegroup_core::ValidationError::TooLong {
            field: "reply",
            len,
            max: crate::model::MAX_NOTE_CHARS,
        }
        .into());
    }
    Ok(text.to_string())
}

/// Applies `cmd` to `flow`: the new flow, or why the step is not allowed. Pure: no
/// permission check (the facade authorizes first), no I/O.
pub fn apply(flow: &Flow, cmd: &Command, ctx: &Context<'_>) -> Result<Flow, InteractionError> {
    use TicketState as S;
    let mut f = flow.clone();
    let from = flow.state;
    let name = cmd.name();
    let disclosure_only = |f: &Flow| {
        if ctx.channel == Channel::Disclosure { Ok(()) } else { Err(illegal(f.state, name)) }
    };
    let before_deadline = || match ctx.due_at {
        Some(due) if ctx.now <= due => Ok(()),
        Some(_) => Err(InteractionError::DeadlinePassed),
        None => Err(InteractionError::DeadlineUnknown),
    };
    match cmd {
        Command::Accept { unit, urgent } => {
            if from != S::Submitted {
                return Err(illegal(from, name));
            }
            f.accepted_at = Some(ctx.now);
            if ctx.channel == Channel::Mailbox {
                if *urgent {
                    f.state = S::Forwarded;
                    f.forwarded_at = Some(ctx.now);
                } else {
                    f.state = S::AwaitingBatch;
                }
            } else {
                f.unit = Some(unit.ok_or(sitegroup_core::ValidationError::Empty { field: "unit" })?);
                f.state = S::Assigned;
            }
        }
        Command::Reject { reason, note: n } => {
            if from != S::Submitted {
                return Err(illegal(from, name));
            }
            f.rejection = Some((*reason, note("reason", n)?));
            f.state = S::Rejected;
            f.closed_at = Some(ctx.now);
        }
        Command::Forward => {
            if from != S::AwaitingBatch {
                return Err(illegal(from, name));
            }
            f.state = S::Forwarded;
            f.forwarded_at = Some(ctx.now);
        }
        Command::Instruct { unit, note: n } => {
            if from != S::Forwarded {
                return Err(illegal(from, name));
            }
            f.instruction = Some(note("instruction", n)?);
            f.unit = Some(*unit);
            f.state = S::Assigned;
        }
        Command::Transfer { unit, note: n } => {
            if from != S::Assigned {
                return Err(illegal(from, name));
            }
            note("reason", n)?;
            if f.unit == Some(*unit) {
                return Err(InteractionError::SameUnit);
            }
            f.unit = Some(*unit);
        }
        Command::Reply { text } => {
            if from != S::Assigned {
                return Err(illegal(from, name));
            }
            f.reply = Some(reply_text(text)?);
            f.replied_at = Some(ctx.now);
            f.state = S::Replied;
        }
        Command::ExplainDelay { to, reason } => {
            if from != S::Assigned || ctx.channel == Channel::Disclosure {
                return Err(illegal(from, name));
            }
            let reason = note("reason", reason)?;
            before_deadline()?;
            let due_day = ctx.due_at.and_then(beijing_date).ok_or(InteractionError::DeadlineUnknown)?;
            if *to <= due_day {
                return Err(InteractionError::DelayNotLater { due: due_day, asked: *to });
            }
            if !ctx.calendar.is_workday(*to)? {
                return Err(InteractionError::NotAWorkday(*to));
            }
            f.clock.delay_to = Some(*to);
            f.clock.delay_reason = Some(reason);
        }
        Command::Extend { days, approved_by } => {
            disclosure_only(&f)?;
            if from != S::Assigned {
                return Err(illegal(from, name));
            }
            if f.clock.extended {
                return Err(InteractionError::AlreadyExtended);
            }
            if *days == 0 || *days > ctx.settings.max_extension_days {
                return Err(InteractionError::BadExtension { days: *days, max: ctx.settings.max_extension_days });
            }
            let approved_by = note("approved by", approved_by)?;
            before_deadline()?;
            f.clock.extension = *days;
            f.clock.extended = true;
            f.clock.extension_approved_by = Some(approved_by);
        }
        Command::RequestCorrection { note: n } => {
            disclosure_only(&f)?;
            if from != S::Assigned {
                return Err(illegal(from, name));
            }
            note("note", n)?;
            before_deadline()?;
            f.state = S::AwaitingCorrection;
        }
        Command::SupplyCorrection { text } => {
            if from != S::AwaitingCorrection {
                return Err(illegal(from, name));
            }
            reply_text(text).map_err(|_| sitegroup_core::ValidationError::Empty { field: "correction" })?;
            let days = f.clock.days;
            let restarts = f.clock.restarts + 1;
            f.clock = crate::flow::DeadlineBasis { start: ctx.now, days, restarts, ..Default::default() };
            f.state = S::Assigned;
        }
        Command::ConsultThirdParty { note: n } => {
            disclosure_only(&f)?;
            if from != S::Assigned {
                return Err(illegal(from, name));
            }
            note("note", n)?;
            before_deadline()?;
            f.clock.pause_since = Some(ctx.now);
            f.state = S::ThirdParty;
        }
        Command::EndConsultation => {
            if from != S::ThirdParty {
                return Err(illegal(from, name));
            }
            let since = f.clock.pause_since.take().unwrap_or(ctx.now);
            let (a, b) = (beijing_date(since), beijing_date(ctx.now));
            let days = match (a, b) {
                (Some(a), Some(b)) => ctx.calendar.working_days_between(a, b)?.max(0),
                _ => 0,
            };
            let days = u32::try_from(days).unwrap_or(u32::MAX).min(ctx.settings.max_pause_days);
            f.clock.paused_days = f.clock.paused_days.saturating_add(days);
            f.state = S::Assigned;
        }
        Command::Approve => {
            if from != S::Replied || f.reply.is_none() {
                return Err(illegal(from, name));
            }
            f.state = S::Closed;
            f.closed_at = Some(ctx.now);
        }
        Command::SendBack { note: n } => {
            if from != S::Replied {
                return Err(illegal(from, name));
            }
            note("reason", n)?;
            f.reply = None;
            f.replied_at = None;
            f.state = S::Assigned;
        }
        Command::Publish => {
            if from != S::Closed || f.published {
                return Err(illegal(from, name));
            }
            if ctx.private {
                return Err(InteractionError::Private);
            }
            f.published = true;
        }
        Command::Unpublish => {
            if !f.published {
                return Err(illegal(from, name));
            }
            f.published = false;
        }
        Command::Rate { rating } => {
            if from != S::Closed || f.rating.is_some() {
                return Err(illegal(from, name));
            }
            f.rating = Some(*rating);
            if *rating == Rating::Dissatisfied && ctx.settings.reopens(ctx.channel) {
                f.state = S::Assigned;
                f.reply = None;
                f.replied_at = None;
                f.closed_at = None;
                f.published = false;
                f.rating = None;
                f.reopened += 1;
                let days = f.clock.days;
                let restarts = f.clock.restarts + 1;
                f.clock = DeadlineBasis { start: ctx.now, days, restarts, ..Default::default() };
            }
        }
        Command::Decide { outcome } => {
            disclosure_only(&f)?;
            if matches!(from, S::Closed | S::Rejected) {
                return Err(illegal(from, name));
            }
            // A disclosure ticket stored before applicant kinds existed counts as a
            // natural person's request (the same default as the history import).
            let applicant = f.disclosure.map_or(ApplicantKind::NaturalPerson, |d| d.applicant);
            f.disclosure = Some(DisclosureFacts { applicant, outcome: Some(*outcome) });
        }
    }
    Ok(f)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ctx<'a>(channel: Channel, now: i64, due: Option<i64>, s: &'a Settings, c: &'a WorkCalendar) -> Context<'a> {
        Context { channel, private: false, now, due_at: due, settings: s, calendar: c }
    }

    #[test]
    fn mailbox_path_and_no_close_without_reply() {
        let (s, c) = (Settings::default(), WorkCalendar::builtin());
        let cx = ctx(Channel::Mailbox, 1_750_000_000, Some(1_750_500_000), &s, &c);
        let f = Flow::new(1_750_000_000, 5);
        assert!(apply(&f, &Command::Approve, &cx).is_err());
        let f = apply(&f, &Command::Accept { unit: None, urgent: false }, &cx).unwrap();
        assert_eq!(f.state, TicketState::AwaitingBatch);
        assert!(apply(&f, &Command::Instruct { unit: UnitId(1), note: "请办理".into() }, &cx).is_err());
        let f = apply(&f, &Command::Forward, &cx).unwrap();
        let f = apply(&f, &Command::Instruct { unit: UnitId(1), note: "请办理".into() }, &cx).unwrap();
        assert_eq!(f.state, TicketState::Assigned);
        assert!(apply(&f, &Command::Approve, &cx).is_err());
        assert!(apply(&f, &Command::Reply { text: " ".into() }, &cx).is_err());
        let f = apply(&f, &Command::Reply { text: "已修复".into() }, &cx).unwrap();
        let back = apply(&f, &Command::SendBack { note: "不完整".into() }, &cx).unwrap();
        assert_eq!((back.state, back.reply.as_deref()), (TicketState::Assigned, None));
        let f = apply(&f, &Command::Approve, &cx).unwrap();
        assert_eq!(f.state, TicketState::Closed);
        let r = apply(&f, &Command::Rate { rating: Rating::Dissatisfied }, &cx).unwrap();
        assert_eq!((r.state, r.reopened, r.clock.start), (TicketState::Assigned, 1, 1_750_000_000));
    }

    #[test]
    fn delay_only_later_and_before_deadline() {
        let (s, c) = (Settings::default(), WorkCalendar::builtin());
        let due = crate::model::end_of_day(NaiveDate::from_ymd_opt(2025, 6, 9).unwrap());
        let mut f = Flow::new(due - 86_400 * 7, 5);
        f.state = TicketState::Assigned;
        f.unit = Some(UnitId(1));
        let cx = ctx(Channel::Complaint, due - 100, Some(due), &s, &c);
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let delay = |to| Command::ExplainDelay { to, reason: "需现场调查".into() };
        assert!(matches!(apply(&f, &delay(d(2025, 6, 9)), &cx), Err(InteractionError::DelayNotLater { .. })));
        assert!(matches!(apply(&f, &delay(d(2025, 6, 14)), &cx), Err(InteractionError::NotAWorkday(_))));
        assert!(apply(&f, &delay(d(2025, 6, 13)), &cx).is_ok());
        let late = ctx(Channel::Complaint, due + 1, Some(due), &s, &c);
        assert!(matches!(apply(&f, &delay(d(2025, 6, 13)), &late), Err(InteractionError::DeadlinePassed)));
    }
}
