//! Citizen interaction (互动交流): tickets from the county head's mailbox (县长信箱), unit
//! mailboxes, service complaints (服务投诉), forum threads addressed to a unit and
//! disclosure requests (依申请公开), on working-day deadlines; urging (催办); the monthly
//! notice (通报) and the three-month inspection veto scan. Beside the tickets, the
//! public-participation modules: the forum ([`forum`]), online interviews
//! ([`interview`]), surveys ([`survey`]) and opinion solicitations ([`solicitation`]),
//! each with its own migration module, errors and invariants (see their module docs).
//!
//! **What it owns.** The ticket model and its validation ([`model`]), the one workflow
//! state machine as a pure function ([`flow::apply`]), deadlines computed from the core
//! calendar and explained ([`deadline`]), query codes and secrets ([`code`]), redaction
//! of personal data before publication ([`redact`]), the monthly notice and its .xlsx
//! ([`report`]), the applicant kinds and outcomes of disclosure requests that the annual
//! disclosure report counts ([`disclosure`]; recorded on the flow and set with
//! `Command::Decide`), and the SQL for all of it ([`repo`], [`migrations`]).
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize` before
//! every read and step), speak HTTP, send e-mail, read the system clock (times come in as
//! arguments), or render text: bodies are stored exactly as typed and escaped by whoever
//! shows them.
//!
//! **Invariants.**
//! - A ticket is closed only from `replied`: nothing closes without a reply.
//! - Every stored deadline is the end of a working day of the calendar in use; a delay
//!   explanation only ever moves it to a later working day, and only before it passes.
//! - Query codes are unique (unique index); secrets are stored salted and hashed only,
//!   and a wrong secret and an unknown code give the same error.
//! - An idempotency key yields at most one ticket (unique index).
#![warn(missing_docs)]

pub mod code;
pub mod deadline;
pub mod disclosure;
pub mod flow;
pub mod forum;
pub mod interview;
pub mod model;
pub mod redact;
pub mod repo;
pub mod report;
pub mod solicitation;
pub mod survey;

pub use deadline::{DeadlineStatus, DueDate};
pub use disclosure::{ApplicantKind, DisclosureFacts, DisclosureOutcome};
pub use flow::{Command, DeadlineBasis, Flow, RejectReason, TicketState};
pub use model::{Channel, NewTicket, Rating, Settings, Ticket, ValidTicket, Writer};
pub use redact::{Redacted, RedactedKind, RedactedSpan, redact};
pub use repo::{LogEntry, Urging};
pub use report::{ReportTicket, UnitReport, VetoFinding};

use chrono::NaiveDate;
use sitegroup_core::CalendarError;
use sitegroup_store::StoreError;

/// Errors of the interaction rules. All but [`InteractionError::Store`] and
/// [`InteractionError::Internal`] are the user's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InteractionError {
    /// A field or rule check failed (empty, too long, bad phone or e-mail …).
    #[error(transparent)]
    Invalid(#[from] sitegroup_core::ValidationError),
    /// No unit with this code.
    #[error("unknown unit {0:?}")]
    UnknownUnit(String),
    /// No ticket with this id (back office).
    #[error("ticket {0} not found")]
    NotFound(i64),
    /// Wrong query code or secret (deliberately not saying which).
    #[error("query code or secret is wrong")]
    QueryRefused,
    /// The workflow does not allow this step now.
    #[error("cannot {action} a ticket in state {}", .from.as_str())]
    IllegalTransition {
        /// Current state.
        from: TicketState,
        /// The step asked for.
        action: &'static str,
    },
    /// A transfer to the unit already responsible.
    #[error("the ticket is already with this unit")]
    SameUnit,
    /// The deadline has passed: a delay or extension must come before it.
    #[error("the deadline has passed; a delay must be explained before it")]
    DeadlinePassed,
    /// The deadline is not known (the calendar lacks a year).
    #[error("the deadline is not known yet (holiday notice missing)")]
    DeadlineUnknown,
    /// A delay must set a later day.
    #[error("a delay must set a day after {due}, not {asked}")]
    DelayNotLater {
        /// The current due day.
        due: NaiveDate,
        /// The day asked for.
        asked: NaiveDate,
    },
    /// A due day must be a working day.
    #[error("{0} is not a working day")]
    NotAWorkday(NaiveDate),
    /// The one extension was already used.
    #[error("a disclosure request may be extended only once")]
    AlreadyExtended,
    /// Extension length out of range.
    #[error("an extension of {days} working days is not allowed (1 to {max})")]
    BadExtension {
        /// Asked.
        days: u32,
        /// Allowed at most.
        max: u32,
    },
    /// The writer asked not to publish.
    #[error("the writer asked to keep this letter private")]
    Private,
    /// A calendar question failed (a bad year file).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// Something that should not happen (randomness unavailable, xlsx writer failed).
    #[error("internal error: {0}")]
    Internal(String),
}

impl InteractionError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, InteractionError::Store(_) | InteractionError::Internal(_))
    }
}

/// The migrations of this crate (run by the facade on open): the tickets' own, then
/// the forum's, the interviews', the surveys' and the solicitations' (each its own
/// migration module).
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    let mut all = ticket_migrations();
    all.extend(forum::migrations());
    all.extend(interview::migrations());
    all.extend(survey::migrations());
    all.extend(solicitation::migrations());
    all
}

fn ticket_migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "interaction",
        version: 1,
        name: "tickets, ticket log, urgings",
        sql: "CREATE TABLE interaction_tickets (
            id {{id}},
            channel TEXT NOT NULL,
            category TEXT NOT NULL,
            target_unit BIGINT REFERENCES units(id),
            leader TEXT,
            unit_id BIGINT REFERENCES units(id),
            writer_name TEXT,
            writer_phone TEXT,
            writer_email TEXT,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            attachments TEXT NOT NULL,
            private BIGINT NOT NULL,
            urgent BIGINT NOT NULL,
            query_code TEXT NOT NULL,
            secret_salt TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            idempotency_key TEXT,
            state TEXT NOT NULL,
            flow TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            due_at BIGINT,
            replied_at BIGINT,
            closed_at BIGINT,
            rating TEXT,
            published BIGINT NOT NULL,
            source TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX interaction_tickets_code ON interaction_tickets (query_code);
        CREATE UNIQUE INDEX interaction_tickets_key ON interaction_tickets (idempotency_key);
        CREATE INDEX interaction_tickets_received ON interaction_tickets (received_at);
        CREATE INDEX interaction_tickets_unit_state ON interaction_tickets (unit_id, state);
        CREATE INDEX interaction_tickets_state_due ON interaction_tickets (state, due_at);
        CREATE TABLE interaction_ticket_log (
            id {{id}},
            ticket_id BIGINT NOT NULL REFERENCES interaction_tickets(id),
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            unit_id BIGINT,
            detail TEXT NOT NULL
        );
        CREATE INDEX interaction_ticket_log_ticket ON interaction_ticket_log (ticket_id);
        CREATE TABLE interaction_urgings (
            id {{id}},
            ticket_id BIGINT NOT NULL REFERENCES interaction_tickets(id),
            unit_id BIGINT NOT NULL REFERENCES units(id),
            kind TEXT NOT NULL,
            day TEXT NOT NULL,
            n BIGINT NOT NULL,
            target TEXT NOT NULL,
            at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX interaction_urgings_once ON interaction_urgings (ticket_id, kind, day);
        CREATE INDEX interaction_urgings_unit ON interaction_urgings (unit_id, at);",
        postgres_sql: None,
    }]
}
