//! Interaction (tickets) through the facade (issue 5): authorize, validate, write with
//! audit and outbox.
//!
//! **Who may do what.** A ticket's resource is its *responsible unit's sites*: every site
//! whose owning unit (`sites.unit_id`) is the ticket's unit; an actor is allowed when
//! `authorize` allows the action on any of them. A ticket not yet with a unit (waiting for
//! screening, a batch or a leader's instruction), or whose unit has no site, is the
//! group's: only group-scoped actors (the information centre, county leaders) reach it.
//! Steps map to actions: screening, forwarding, transfers, reply review and publication
//! are `ScreenTicket` on the group (the centre); the leader's instruction is
//! `InstructTicket` on the group (county leaders hold group scope); replies, delays,
//! extensions, correction requests and third-party consultations are `HandleTicket` on
//! the unit's sites; reading is `ViewTickets` there; the report and the veto scan are
//! `ViewStats` on the group. Writers act with their query code and secret (no account):
//! reading their ticket, supplying a correction, rating the answer.
//!
//! Every step writes the ticket, a history line (`interaction_ticket_log`), an audit
//! entry and an outbox event `ticket.{step}` (`ticket.submit`, `ticket.accept`,
//! `ticket.forward`, `ticket.instruct`, `ticket.reply`, `ticket.approve`, `ticket.rate`,
//! `ticket.remind`, `ticket.urge`, `ticket.escalate`, `ticket.deadline`, `ticket.import`
//! …) in one transaction. Payloads carry `id, channel, state, unit, due_at` and never
//! the writer's contact.
//!
//! **Calendar.** The facade's calendar is loaded on open (built-in years plus
//! `dir/calendar.txt`). A newly announced year is loaded by adding it to
//! `calendar.txt` and reopening the handle; `recompute_open_deadlines` then recomputes
//! every open ticket (tickets whose days reach into a year without data have no
//! deadline until then).

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, UnitId, authorize};
use sitegroup_interaction::deadline::{self, DeadlineStatus, DueDate};
use sitegroup_interaction::flow::{Command, Context, Flow, RejectReason, TicketState, apply};
use sitegroup_interaction::model::{Channel, NewTicket, Rating, Settings, Ticket, ValidTicket, Writer, beijing_date};
use sitegroup_interaction::repo::{self, ListFilter, LogEntry, NewRow, Urging};
use sitegroup_interaction::report::{self, UnitReport, VetoFinding};
use sitegroup_interaction::{
    ApplicantKind, DisclosureFacts, DisclosureOutcome, InteractionError, Redacted, code, redact,
};
use sitegroup_store::{StoreError, Tx, core_repo};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

impl MaybeSite for Ticket {}
impl MaybeSite for usize {}

/// The public, redacted form of a published ticket; `None` unless it is published and
/// not private.
fn published_view(t: &Ticket, units: &[sitegroup_core::OrgUnit]) -> Option<PublishedTicket> {
    if !t.flow.published || t.private {
        return None;
    }
    let p = preview(t);
    Some(PublishedTicket {
        id: t.id,
        channel: t.channel,
        unit: t.flow.unit.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.code.clone()),
        subject: p.subject.text,
        body: p.body.text,
        reply: p.reply.map(|r| r.text).unwrap_or_default(),
        received_at: t.received_at,
        replied_at: t.flow.replied_at,
    })
}

fn ierr(e: InteractionError) -> Error {
    Error::Interaction(e)
}

/// The result of a submission.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    /// The ticket.
    pub ticket: Ticket,
    /// The secret to show the writer once with the query code; `None` on a replay.
    pub secret: Option<String>,
    /// True when the idempotency key was already used: this is the earlier ticket.
    pub replayed: bool,
}

/// A ticket with its deadline, status and history (back office).
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    /// The ticket.
    pub ticket: Ticket,
    /// The deadline and how it was computed.
    pub deadline: Option<DueDate>,
    /// On time, due soon, overdue …
    pub status: DeadlineStatus,
    /// History, oldest first.
    pub log: Vec<LogEntry>,
}

/// What a writer sees with their query code and secret.
#[derive(Debug, Clone, Serialize)]
pub struct WriterView {
    /// Query code.
    pub query_code: String,
    /// Channel.
    pub channel: Channel,
    /// Subject as typed.
    pub subject: String,
    /// Body as typed.
    pub body: String,
    /// State.
    pub state: TicketState,
    /// Received.
    pub received_at: i64,
    /// Deadline.
    pub due_at: Option<i64>,
    /// The approved reply (only once closed).
    pub reply: Option<String>,
    /// Why it was refused, if it was.
    pub rejection: Option<(RejectReason, String)>,
    /// The writer's rating.
    pub rating: Option<Rating>,
    /// The deadline, day by day (`None` once answered, or while the calendar lacks a
    /// year): what the writer is owed and how it was counted.
    pub deadline: Option<DueDate>,
    /// What the deadline was counted from (days, restarts, extension, pauses, delay).
    pub basis: sitegroup_interaction::DeadlineBasis,
}

/// An answered letter on the public list, redacted.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedTicket {
    /// Ticket id.
    pub id: i64,
    /// Channel.
    pub channel: Channel,
    /// The responsible unit's code.
    pub unit: Option<String>,
    /// Redacted subject.
    pub subject: String,
    /// Redacted body.
    pub body: String,
    /// Redacted reply.
    pub reply: String,
    /// Received.
    pub received_at: i64,
    /// Replied.
    pub replied_at: Option<i64>,
}

/// A published letter with its responsible unit (for the search source).
pub(crate) type PublishedLetter = (PublishedTicket, Option<UnitId>);

/// The editor's preview of what publication would show.
#[derive(Debug, Clone, Serialize)]
pub struct RedactionPreview {
    /// Subject.
    pub subject: Redacted,
    /// Body.
    pub body: Redacted,
    /// Reply.
    pub reply: Option<Redacted>,
}

/// Filter for the back-office list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TicketQuery {
    /// Only this unit's tickets (code).
    pub unit: Option<String>,
    /// Only these states.
    pub states: Vec<TicketState>,
    /// Most rows (default 100).
    pub limit: i64,
}

/// One line of a history import (`sitegroup tickets import FILE.jsonl`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportTicket {
    /// `mailbox`, `unit_mailbox`, `complaint`, `forum`, `disclosure`.
    pub channel: String,
    /// Responsible unit's code.
    pub unit: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Received, unix seconds.
    pub received_at: i64,
    /// Replied, unix seconds.
    #[serde(default)]
    pub replied_at: Option<i64>,
    /// The reply.
    #[serde(default)]
    pub reply: Option<String>,
    /// Published (the writer allowed it).
    #[serde(default)]
    pub public: bool,
    /// The writer's name.
    #[serde(default)]
    pub writer: Option<String>,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Disclosure lines: the applicant kind code (`natural_person` …); history without
    /// one counts as a natural person's request. Ignored on other channels.
    #[serde(default)]
    pub applicant: Option<String>,
    /// Disclosure lines: the outcome code (`granted` …), if the history records one.
    #[serde(default)]
    pub outcome: Option<String>,
}

/// What one run of [`SiteGroup::urge_due`] recorded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UrgeReport {
    /// Reminders before the deadline.
    pub reminders: Vec<Urging>,
    /// Urgings after it.
    pub urgings: Vec<Urging>,
    /// Escalations to the unit's leader.
    pub escalations: Vec<Urging>,
}

fn event(t: &Ticket) -> serde_json::Value {
    serde_json::json!({
        "id": t.id, "channel": t.channel.as_str(), "state": t.flow.state.as_str(),
        "unit": t.flow.unit.map(|u| u.0), "due_at": t.due_at, "query_code": t.query_code,
    })
}

impl SiteGroup {
    /// The interaction settings (`interaction.*` in the settings table, with defaults).
    pub fn interaction_settings(&self) -> Result<Settings, Error> {
        let pairs = self.db.read(repo::settings)?;
        Ok(Settings::from_pairs(&pairs)?)
    }

    /// The stored `interaction.*` settings as `(key, value)` pairs, sorted (the centre);
    /// keys not listed run on their defaults.
    pub fn interaction_setting_pairs(&self, actor: &Actor) -> Result<Vec<(String, String)>, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let mut pairs: Vec<(String, String)> =
            self.db.read(repo::settings)?.into_iter().filter(|(k, _)| k.starts_with("interaction.")).collect();
        pairs.sort();
        Ok(pairs)
    }

    /// Sets one `interaction.*` setting (the centre); refused when malformed.
    pub fn set_interaction_setting(&self, actor: &Actor, origin: &Origin, key: &str, value: &str) -> Result<(), Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let mut pairs = self.db.read(repo::settings)?;
        pairs.push((key.to_string(), value.to_string()));
        if !key.starts_with("interaction.") {
            return Err(sitegroup_core::ValidationError::Rule(format!("unknown setting {key}")).into());
        }
        Settings::from_pairs(&pairs)?;
        self.audited(actor, origin, "settings.interaction", None, format!("settings:{key}"), |tx| {
            core_repo::set_setting(tx, key, value)?;
            Ok(((), serde_json::json!({ "key": key, "value": value })))
        })
    }

    /// Sites of a unit (their resources); the group when it has none.
    fn unit_resources(&self, unit: Option<UnitId>) -> Result<Vec<Resource>, Error> {
        let Some(unit) = unit else { return Ok(vec![Resource::Group]) };
        let tree = self.site_tree()?;
        let sites: Vec<Resource> =
            tree.sites().iter().filter(|s| s.unit == Some(unit)).map(|s| Resource::Site(s.id)).collect();
        Ok(if sites.is_empty() { vec![Resource::Group] } else { sites })
    }

    pub(crate) fn unit_site(&self, unit: Option<UnitId>) -> Result<Option<SiteId>, Error> {
        Ok(self.unit_resources(unit)?.first().and_then(Resource::site))
    }

    pub(crate) fn authorize_unit(&self, actor: &Actor, action: Action, unit: Option<UnitId>) -> Result<(), Error> {
        let resources = self.unit_resources(unit)?;
        let mut denied = None;
        for r in &resources {
            match authorize(actor, action, r) {
                Ok(()) => return Ok(()),
                Err(d) => denied = Some(d),
            }
        }
        Err(denied.map_or_else(|| Error::Internal("no resource".into()), Error::Denied))
    }

    fn due_of(&self, flow: &Flow, settings: &Settings) -> Result<Option<DueDate>, Error> {
        Ok(deadline::compute_opt(&flow.clock, settings.max_pause_days, self.calendar())?)
    }

    fn resolve_unit(tx: &mut Tx<'_>, code: &str) -> Result<UnitId, Error> {
        core_repo::unit_by_code(tx, &code.trim().to_ascii_lowercase())?
            .map(|u| u.id)
            .ok_or_else(|| ierr(InteractionError::UnknownUnit(code.to_string())))
    }

    /// Submits a ticket (a citizen, no account). Validates first; an idempotency key
    /// already used returns the earlier ticket without a secret. The secret is returned
    /// once and stored only hashed.
    pub fn submit_ticket(&self, origin: &Origin, new: &NewTicket) -> Result<Submitted, Error> {
        let settings = self.interaction_settings()?;
        let valid = new.validate(settings.max_body_chars)?;
        if let Some(key) = &valid.idempotency_key
            && let Some(t) = self.db.read(|tx| repo::ticket_by_key(tx, key))?
        {
            return Ok(Submitted { ticket: t, secret: None, replayed: true });
        }
        let target = match &valid.unit_code {
            Some(c) => Some(self.db.read(|tx| Self::resolve_unit(tx, c))?),
            None => None,
        };
        let now = self.now();
        let mut flow = Flow::new(now, settings.days_for(valid.channel, &valid.category));
        flow.disclosure = valid.applicant.map(|applicant| DisclosureFacts { applicant, outcome: None });
        let due = self.due_of(&flow, &settings)?.map(|d| d.due_at);
        let (secret, salt, hash) = code::new_secret().map_err(Error::Internal)?;
        let site = self.unit_site(target)?;
        let result = self.audited_as(&Actor::anonymous(), origin, "ticket.submit", site, |tx| {
            let t = self.insert_new(tx, &valid, target, &salt, &hash, now, &flow, due, "web")?;
            Ok((t.clone(), format!("ticket:{}", t.id), event(&t)))
        });
        match result {
            Ok(ticket) => Ok(Submitted { ticket, secret: Some(secret), replayed: false }),
            Err(Error::Duplicate { what: "idempotency key", key }) => {
                let t =
                    self.db.read(|tx| repo::ticket_by_key(tx, &key))?.ok_or(Error::NotFound { what: "ticket", key })?;
                Ok(Submitted { ticket: t, secret: None, replayed: true })
            }
            Err(e) => Err(e),
        }
    }

    /// Inserts a ticket with a fresh query code (retried on the rare collision) and its
    /// first history line.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_new(
        &self,
        tx: &mut Tx<'_>,
        valid: &ValidTicket,
        target: Option<UnitId>,
        salt: &str,
        hash: &str,
        received_at: i64,
        flow: &Flow,
        due_at: Option<i64>,
        source: &str,
    ) -> Result<Ticket, Error> {
        let now = self.now();
        for _ in 0..5 {
            let qcode = code::new_code().map_err(Error::Internal)?;
            let row = NewRow {
                ticket: valid,
                target_unit: target,
                code: &qcode,
                salt,
                hash,
                received_at,
                flow,
                due_at,
                source,
                at: now,
            };
            let inserted = tx.savepoint(|tx| repo::insert_ticket(tx, &row));
            let id = match inserted {
                Ok(Some(id)) => id,
                Ok(None) => {
                    let key = valid.idempotency_key.clone().unwrap_or_default();
                    return Err(Error::Duplicate { what: "idempotency key", key });
                }
                Err(StoreError::UniqueViolation { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            let entry = LogEntry {
                at: now,
                actor: "writer".into(),
                action: "submit".into(),
                unit: target,
                detail: serde_json::json!({ "source": source }),
            };
            repo::append_log(tx, id, &entry)?;
            return repo::ticket(tx, id)?.ok_or(Error::Internal("inserted ticket vanished".into()));
        }
        Err(Error::Internal("could not draw a unique query code".into()))
    }

    fn load_ticket(tx: &mut Tx<'_>, id: i64) -> Result<Ticket, Error> {
        repo::ticket(tx, id)?.ok_or(ierr(InteractionError::NotFound(id)))
    }

    /// A ticket with deadline, status and history (`ViewTickets` on the responsible
    /// unit's sites; the group before one is responsible).
    pub fn ticket(&self, actor: &Actor, id: i64) -> Result<TicketView, Error> {
        let (t, log) = self.db.read(|tx| {
            let t = Self::load_ticket(tx, id)?;
            let log = repo::log(tx, id)?;
            Ok::<_, Error>((t, log))
        })?;
        self.authorize_unit(actor, Action::ViewTickets, t.flow.unit)?;
        let settings = self.interaction_settings()?;
        let deadline = self.due_of(&t.flow, &settings)?;
        let status = deadline::status(t.flow.state, t.due_at, self.now(), settings.due_soon_days, self.calendar());
        Ok(TicketView { ticket: t, deadline, status, log })
    }

    /// Tickets the actor may see: one unit's (`ViewTickets` on its sites) or, without a
    /// unit, the whole group's (group scope).
    pub fn tickets(&self, actor: &Actor, q: &TicketQuery) -> Result<Vec<Ticket>, Error> {
        let units = match &q.unit {
            Some(code) => {
                let unit = self.db.read(|tx| Self::resolve_unit(tx, code))?;
                self.authorize_unit(actor, Action::ViewTickets, Some(unit))?;
                Some(vec![unit])
            }
            None => {
                authorize(actor, Action::ViewTickets, &Resource::Group)?;
                None
            }
        };
        let filter =
            ListFilter { units, states: q.states.clone(), published_only: false, limit: q.limit, ..Default::default() };
        Ok(self.db.read(|tx| repo::list(tx, &filter))?)
    }

    /// Loads a ticket by code and checks the secret; the same error whether the code
    /// is unknown or the secret wrong.
    fn writer_ticket(&self, query_code: &str, secret: &str) -> Result<Ticket, Error> {
        let found = self.db.read(|tx| repo::ticket_by_code(tx, &code::normalize(query_code)))?;
        match found {
            Some((t, salt, hash)) if code::verify(&salt, &hash, secret) => Ok(t),
            Some(_) => Err(ierr(InteractionError::QueryRefused)),
            None => {
                // Same work as a real check, so timing tells nothing either.
                let _ = code::verify("0000000000000000", "x", secret);
                Err(ierr(InteractionError::QueryRefused))
            }
        }
    }

    /// What the writer sees with the query code and secret.
    pub fn ticket_for_writer(&self, query_code: &str, secret: &str) -> Result<WriterView, Error> {
        let t = self.writer_ticket(query_code, secret)?;
        let closed = t.flow.state == TicketState::Closed;
        let running = !matches!(t.flow.state, TicketState::Rejected | TicketState::Replied | TicketState::Closed);
        let deadline = if running { self.due_of(&t.flow, &self.interaction_settings()?)? } else { None };
        Ok(WriterView {
            query_code: t.query_code.clone(),
            channel: t.channel,
            subject: t.subject.clone(),
            body: t.body.clone(),
            state: t.flow.state,
            received_at: t.received_at,
            due_at: t.due_at,
            reply: if closed { t.flow.reply.clone() } else { None },
            rejection: t.flow.rejection.clone(),
            rating: t.flow.rating,
            deadline,
            basis: t.flow.clock.clone(),
        })
    }

    /// A writer's step with the query code and secret: supplying a correction or
    /// rating the answer (other commands are refused).
    pub fn writer_step(&self, origin: &Origin, query_code: &str, secret: &str, cmd: Command) -> Result<Ticket, Error> {
        if !matches!(cmd, Command::SupplyCorrection { .. } | Command::Rate { .. }) {
            return Err(Error::Denied(sitegroup_core::Denied {
                actor: "writer".into(),
                action: Action::HandleTicket,
                resource: Resource::Group,
            }));
        }
        let t = self.writer_ticket(query_code, secret)?;
        self.ticket_apply(&Actor::anonymous(), origin, t.id, cmd)
    }

    /// A back-office step on a ticket (see the module doc for who may do which).
    pub fn ticket_step(&self, actor: &Actor, origin: &Origin, id: i64, cmd: Command) -> Result<Ticket, Error> {
        let t = self.db.read(|tx| Self::load_ticket(tx, id))?;
        let action = match &cmd {
            Command::Instruct { .. } => Some(Action::InstructTicket),
            Command::Reply { .. }
            | Command::ExplainDelay { .. }
            | Command::Extend { .. }
            | Command::RequestCorrection { .. }
            | Command::ConsultThirdParty { .. }
            | Command::EndConsultation
            | Command::Decide { .. } => Some(Action::HandleTicket),
            _ => None,
        };
        match action {
            Some(Action::HandleTicket) => self.authorize_unit(actor, Action::HandleTicket, t.flow.unit)?,
            Some(a) => authorize(actor, a, &Resource::Group)?,
            // Screening, forwarding, transfers, review, publication; a writer's step
            // recorded by the centre on their behalf (a correction sent by post).
            None => authorize(actor, Action::ScreenTicket, &Resource::Group)?,
        }
        if let Command::Transfer { unit, .. }
        | Command::Instruct { unit, .. }
        | Command::Accept { unit: Some(unit), .. } = &cmd
        {
            self.db
                .read(|tx| core_repo::unit_by_id(tx, *unit))?
                .ok_or_else(|| ierr(InteractionError::UnknownUnit(unit.0.to_string())))?;
        }
        self.ticket_apply(actor, origin, id, cmd)
    }

    /// Applies a command in one transaction: re-read, pure step, new deadline, history,
    /// audit and event.
    fn ticket_apply(&self, actor: &Actor, origin: &Origin, id: i64, cmd: Command) -> Result<Ticket, Error> {
        let settings = self.interaction_settings()?;
        let now = self.now();
        let t = self.db.read(|tx| Self::load_ticket(tx, id))?;
        let site = self.unit_site(t.flow.unit)?;
        let ctx = Context {
            channel: t.channel,
            private: t.private,
            now,
            due_at: t.due_at,
            settings: &settings,
            calendar: self.calendar(),
        };
        let to = apply(&t.flow, &cmd, &ctx).map_err(ierr)?;
        let due = self.due_of(&to, &settings)?.map(|d| d.due_at);
        let new_site = self.unit_site(to.unit)?.or(site);
        let action = format!("ticket.{}", cmd.name());
        let detail = serde_json::to_value(&cmd).unwrap_or_default();
        self.audited(actor, origin, &action, new_site, format!("ticket:{id}"), |tx| {
            let current = Self::load_ticket(tx, id)?;
            if current.flow != t.flow {
                return Err(ierr(InteractionError::IllegalTransition { from: current.flow.state, action: cmd.name() }));
            }
            repo::save_flow(tx, id, &t.flow, &to, due, now)?;
            let entry = LogEntry {
                at: now,
                actor: actor.label(),
                action: cmd.name().into(),
                unit: to.unit,
                detail: detail.clone(),
            };
            repo::append_log(tx, id, &entry)?;
            let saved = Self::load_ticket(tx, id)?;
            let payload = event(&saved);
            Ok((saved, payload))
        })
    }

    /// The editor's preview of the redacted subject, body and reply (the centre).
    pub fn redaction_preview(&self, actor: &Actor, id: i64) -> Result<RedactionPreview, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let t = self.db.read(|tx| Self::load_ticket(tx, id))?;
        Ok(preview(&t))
    }

    /// Published answered letters, newest first, redacted (public).
    pub fn published_tickets(&self, limit: i64) -> Result<Vec<PublishedTicket>, Error> {
        Ok(self.published_tickets_page(None, 0, limit)?.0)
    }

    /// One page of published answered letters (optionally of one channel), newest
    /// first, redacted (public), with the total to page through.
    pub fn published_tickets_page(
        &self,
        channel: Option<Channel>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<PublishedTicket>, i64), Error> {
        let (rows, total) = self.published_letters_page(channel, offset, limit)?;
        Ok((rows.into_iter().map(|(letter, _)| letter).collect(), total))
    }

    /// [`published_tickets_page`](Self::published_tickets_page) with each letter's
    /// responsible unit (for the search source, which files letters under its site).
    pub(crate) fn published_letters_page(
        &self,
        channel: Option<Channel>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<PublishedLetter>, i64), Error> {
        let filter = ListFilter { published_only: true, channel, limit, offset, ..Default::default() };
        let (list, total, units) = self.db.read(|tx| {
            Ok::<_, Error>((repo::list(tx, &filter)?, repo::count(tx, &filter)?, core_repo::list_units(tx)?))
        })?;
        let rows = list.iter().filter_map(|t| Some((published_view(t, &units)?, t.flow.unit))).collect();
        Ok((rows, total))
    }

    /// One published letter, redacted (public); `NotFound` for anything not published
    /// (drafts, private letters, unknown ids alike).
    pub fn published_ticket(&self, id: i64) -> Result<PublishedTicket, Error> {
        self.published_letter(id)?
            .map(|(letter, _)| letter)
            .ok_or_else(|| Error::NotFound { what: "ticket", key: id.to_string() })
    }

    /// [`published_ticket`](Self::published_ticket) with the letter's responsible unit,
    /// `None` for anything not published (one read).
    pub(crate) fn published_letter(&self, id: i64) -> Result<Option<PublishedLetter>, Error> {
        let (ticket, units) =
            self.db.read(|tx| Ok::<_, Error>((repo::published_one(tx, id)?, core_repo::list_units(tx)?)))?;
        Ok(ticket.as_ref().and_then(|t| Some((published_view(t, &units)?, t.flow.unit))))
    }

    /// Forwards accepted mailbox letters to the leaders when `now` is a batch day
    /// (setting `interaction.batch_days`, Monday and Thursday by default), and at any
    /// time those that missed an earlier batch day. Returns the forwarded ids.
    pub fn forward_due_batches(&self, origin: &Origin, now: i64) -> Result<Vec<i64>, Error> {
        let settings = self.interaction_settings()?;
        let Some(today) = beijing_date(now) else { return Ok(vec![]) };
        let batch_today = settings.batch_days.contains(&today.weekday());
        let last_batch = (1..=7)
            .filter_map(|back| today.checked_sub_days(chrono::Days::new(back)))
            .find(|d| settings.batch_days.contains(&d.weekday()));
        let waiting = self.db.read(|tx| repo::in_state(tx, TicketState::AwaitingBatch))?;
        let system = Actor::system("scheduler");
        let mut out = Vec::new();
        for t in waiting {
            let accepted = t.flow.accepted_at.and_then(beijing_date).unwrap_or(today);
            let missed = last_batch.is_some_and(|d| accepted < d);
            if batch_today || missed {
                self.ticket_apply(&system, origin, t.id, Command::Forward)?;
                out.push(t.id);
            }
        }
        Ok(out)
    }

    /// Recomputes the deadline of every open ticket with the calendar in use (after a
    /// new year's notice is loaded). Returns how many changed.
    pub fn recompute_open_deadlines(&self, actor: &Actor, origin: &Origin) -> Result<usize, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let settings = self.interaction_settings()?;
        let open = self.db.read(repo::open_tickets)?;
        let mut changes = Vec::new();
        for t in open {
            let due = self.due_of(&t.flow, &settings)?.map(|d| d.due_at);
            if due != t.due_at {
                changes.push((t, due));
            }
        }
        let n = changes.len();
        self.db.write(|tx| {
            for (t, due) in &changes {
                repo::set_due(tx, t.id, *due)?;
                let site = self.unit_site(t.flow.unit)?;
                let payload = serde_json::json!({ "id": t.id, "from": t.due_at, "to": due });
                self.record(tx, actor, origin, "ticket.deadline", site, format!("ticket:{}", t.id), payload)?;
            }
            Ok::<_, Error>(())
        })?;
        Ok(n)
    }

    /// Records reminders (at most `remind_before_days` working days before the
    /// deadline), urgings (once per working day overdue) and, after `escalate_after`
    /// urgings, one escalation to the unit's leader. Runs on working days only; safe to
    /// run repeatedly (one record per ticket, kind and day).
    pub fn urge_due(&self, origin: &Origin, now: i64) -> Result<UrgeReport, Error> {
        let settings = self.interaction_settings()?;
        let mut report = UrgeReport::default();
        let Some(today) = beijing_date(now) else { return Ok(report) };
        if !self.calendar().is_workday(today).unwrap_or(false) {
            return Ok(report);
        }
        let system = Actor::system("scheduler");
        let open = self.db.read(|tx| repo::in_state(tx, TicketState::Assigned))?;
        for t in open {
            let (Some(unit), Some(due)) = (t.flow.unit, t.due_at) else { continue };
            let Some(due_day) = beijing_date(due) else { continue };
            let site = self.unit_site(Some(unit))?;
            let base = Urging {
                id: 0,
                ticket: t.id,
                unit,
                kind: String::new(),
                day: today.to_string(),
                n: 0,
                target: "unit".into(),
                at: now,
            };
            self.db.write(|tx| {
                if now <= due {
                    let left = self.calendar().working_days_between(today, due_day).unwrap_or(i64::MAX);
                    if left <= i64::from(settings.remind_before_days)
                        && let Some(u) =
                            repo::insert_urging(tx, &Urging { kind: "reminder".into(), n: left, ..base.clone() })?
                    {
                        self.record(
                            tx,
                            &system,
                            origin,
                            "ticket.remind",
                            site,
                            format!("ticket:{}", t.id),
                            serde_json::to_value(&u).unwrap_or_default(),
                        )?;
                        report.reminders.push(u);
                    }
                    return Ok::<_, Error>(());
                }
                let n = repo::count_urgings(tx, t.id, "urging")? + 1;
                let Some(u) = repo::insert_urging(tx, &Urging { kind: "urging".into(), n, ..base.clone() })? else {
                    return Ok(());
                };
                self.record(
                    tx,
                    &system,
                    origin,
                    "ticket.urge",
                    site,
                    format!("ticket:{}", t.id),
                    serde_json::to_value(&u).unwrap_or_default(),
                )?;
                report.urgings.push(u);
                if n >= i64::from(settings.escalate_after) && repo::count_urgings(tx, t.id, "escalation")? == 0 {
                    let e = Urging { kind: "escalation".into(), n, target: "leader".into(), ..base.clone() };
                    if let Some(e) = repo::insert_urging(tx, &e)? {
                        self.record(
                            tx,
                            &system,
                            origin,
                            "ticket.escalate",
                            site,
                            format!("ticket:{}", t.id),
                            serde_json::to_value(&e).unwrap_or_default(),
                        )?;
                        report.escalations.push(e);
                    }
                }
                Ok(())
            })?;
        }
        Ok(report)
    }

    /// Urging records, newest first: one unit's (`ViewTickets` on its sites) or all
    /// (group scope).
    pub fn urgings(&self, actor: &Actor, unit: Option<&str>, limit: i64) -> Result<Vec<Urging>, Error> {
        match unit {
            Some(code) => {
                let u = self.db.read(|tx| Self::resolve_unit(tx, code))?;
                self.authorize_unit(actor, Action::ViewTickets, Some(u))?;
                Ok(self.db.read(|tx| repo::urgings(tx, Some(&[u]), limit))?)
            }
            None => {
                authorize(actor, Action::ViewTickets, &Resource::Group)?;
                Ok(self.db.read(|tx| repo::urgings(tx, None, limit))?)
            }
        }
    }

    /// The monthly notice (通报) for `year`-`month` as of `as_of` (unix seconds), every
    /// unit ranked; counting rules in [`sitegroup_interaction::report`]. `ViewStats` on the group.
    pub fn monthly_report(&self, actor: &Actor, year: i32, month: u32, as_of: i64) -> Result<Vec<UnitReport>, Error> {
        authorize(actor, Action::ViewStats, &Resource::Group)?;
        let (from, to) = report::month_bounds(year, month).ok_or_else(|| {
            sitegroup_core::ValidationError::Malformed { field: "month", reason: format!("{year}-{month}") }
        })?;
        let (units, rows) = self.db.read(|tx| {
            let units: Vec<(String, String)> =
                core_repo::list_units(tx)?.into_iter().map(|u| (u.code, u.name)).collect();
            Ok::<_, Error>((units, repo::report_rows(tx, from, to)?))
        })?;
        Ok(report::monthly(&units, &rows, as_of, self.calendar()))
    }

    /// [`monthly_report`](Self::monthly_report) as an .xlsx workbook.
    pub fn monthly_report_xlsx(&self, actor: &Actor, year: i32, month: u32, as_of: i64) -> Result<Vec<u8>, Error> {
        let rows = self.monthly_report(actor, year, month, as_of)?;
        report::to_xlsx(&format!("{year}年{month}月 互动交流办理情况通报"), &rows)
            .map_err(|e| Error::Internal(format!("xlsx: {e}")))
    }

    /// Valid messages of the past year that waited more than three months for an
    /// answer (the inspection veto), for the self-check. `ViewStats` on the group.
    pub fn three_month_unanswered(&self, actor: &Actor, as_of: i64) -> Result<Vec<VetoFinding>, Error> {
        authorize(actor, Action::ViewStats, &Resource::Group)?;
        let rows = self.db.read(|tx| repo::report_rows(tx, as_of - 400 * 86_400, as_of))?;
        Ok(report::three_month_unanswered(&rows, as_of))
    }

    /// Imports history: one ticket per line, each under its own savepoint in one
    /// transaction (a bad line is reported, the rest go in). Deadlines are computed from
    /// the channel's setting; a replied line is closed with its reply; `public` lines
    /// are published. The centre only (`ScreenTicket` on the group).
    pub fn import_tickets_batch(
        &self,
        actor: &Actor,
        origin: &Origin,
        lines: &[ImportTicket],
    ) -> Result<Vec<Result<Ticket, Error>>, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let settings = self.interaction_settings()?;
        self.db.write(|tx| {
            let mut out = Vec::with_capacity(lines.len());
            for line in lines {
                let prepared = self.prepare_ticket_import(tx, line, &settings);
                out.push(match prepared {
                    Ok((valid, unit, flow, due)) => tx.savepoint(|tx| {
                        let (_, salt, hash) = code::new_secret().map_err(Error::Internal)?;
                        let t = self.insert_new(
                            tx,
                            &valid,
                            Some(unit),
                            &salt,
                            &hash,
                            line.received_at,
                            &flow,
                            due,
                            "import",
                        )?;
                        let site = self.unit_site(Some(unit))?;
                        self.record(tx, actor, origin, "ticket.import", site, format!("ticket:{}", t.id), event(&t))?;
                        Ok(t)
                    }),
                    Err(e) => Err(e),
                });
            }
            Ok::<_, Error>(out)
        })
    }

    fn prepare_ticket_import(
        &self,
        tx: &mut Tx<'_>,
        line: &ImportTicket,
        settings: &Settings,
    ) -> Result<(ValidTicket, UnitId, Flow, Option<i64>), Error> {
        let channel = Channel::parse(&line.channel).ok_or_else(|| sitegroup_core::ValidationError::Malformed {
            field: "channel",
            reason: format!("unknown channel {:?}", line.channel),
        })?;
        let unit = Self::resolve_unit(tx, &line.unit)?;
        let new = NewTicket {
            channel: channel.as_str().into(),
            category: line.category.clone().unwrap_or_default(),
            unit: Some(line.unit.clone()),
            leader: Some("县长".into()),
            writer: Writer { name: line.writer.clone(), phone: None, email: None },
            subject: line.subject.clone(),
            body: line.body.clone(),
            private: !line.public,
            ..Default::default()
        };
        // History lacks contacts: check the fields, not the anonymity rule.
        let mut probe = new.clone();
        probe.channel = "forum".into();
        let mut valid = probe.validate(settings.max_body_chars)?;
        valid.channel = channel;
        valid.leader = None;
        let mut flow = Flow::new(line.received_at, settings.days_for(channel, &valid.category));
        if channel == Channel::Disclosure {
            let applicant = match line.applicant.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                None => ApplicantKind::NaturalPerson,
                Some(a) => ApplicantKind::parse(a).ok_or_else(|| sitegroup_core::ValidationError::Malformed {
                    field: "applicant",
                    reason: format!("unknown applicant kind {a:?}"),
                })?,
            };
            let outcome = match line.outcome.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
                None => None,
                Some(o) => {
                    Some(DisclosureOutcome::parse(o).ok_or_else(|| sitegroup_core::ValidationError::Malformed {
                        field: "outcome",
                        reason: format!("unknown outcome {o:?}"),
                    })?)
                }
            };
            flow.disclosure = Some(DisclosureFacts { applicant, outcome });
        }
        flow.state = TicketState::Assigned;
        flow.unit = Some(unit);
        flow.accepted_at = Some(line.received_at);
        if let Some(replied) = line.replied_at {
            if replied < line.received_at {
                return Err(sitegroup_core::ValidationError::Rule("replied_at is before received_at".into()).into());
            }
            let reply = line.reply.as_deref().unwrap_or("").trim();
            if reply.is_empty() {
                return Err(sitegroup_core::ValidationError::Empty { field: "reply" }.into());
            }
            flow.reply = Some(reply.to_string());
            flow.replied_at = Some(replied);
            flow.closed_at = Some(replied);
            flow.state = TicketState::Closed;
            flow.published = line.public;
        } else if line.reply.is_some() {
            return Err(sitegroup_core::ValidationError::Empty { field: "replied_at" }.into());
        }
        let due = self.due_of(&flow, settings)?.map(|d| d.due_at);
        Ok((valid, unit, flow, due))
    }
}

fn preview(t: &Ticket) -> RedactionPreview {
    let names: Vec<&str> = t.writer.name.as_deref().into_iter().collect();
    RedactionPreview {
        subject: redact(&t.subject, &names),
        body: redact(&t.body, &names),
        reply: t.flow.reply.as_deref().map(|r| redact(r, &names)),
    }
}
