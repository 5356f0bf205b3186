//! Online interviews (在线访谈) through the facade (issue 5): authorize, validate, then
//! write the change, its audit entry and its outbox event in one transaction.
//!
//! **Who may do what.** The seed has the information centre agree each session's
//! outline, background, time, topic and guests with the unit, announce it, and the
//! unit's head answer live. So:
//! - *planning* — plan, edit, announce by hand, cancel, archive, import a history
//!   session, the lead-time setting — is the centre's: `ScreenTicket` on the group;
//! - *running the session* — moderating questions, going live and ending, remarks and
//!   answers — is the centre's or the interview unit's: `ScreenTicket` on the group, or
//!   `HandleTicket` on one of the unit's sites (the unit's 办理人 who answer its
//!   messages; a unit without a site is the centre's alone). Editors' `EditDraft` is
//!   deliberately not enough: answering citizens is the handlers' duty, not the
//!   content editors';
//! - the *yearly planning view* reads statistics: `ViewStats` on the group (the centre
//!   and county leaders);
//! - *citizens* (no account) read announced, live and archived interviews and ask
//!   questions; a planned interview does not exist for them (not found), nor does a
//!   pending or rejected question, nor any contact.
//!
//! Events: `interview.plan`, `interview.update`, `interview.announce` (by hand or by the
//! scheduler), `interview.start`, `interview.end`, `interview.archive`,
//! `interview.cancel`, `interview.import`, `interview.ask`, `interview.approve`,
//! `interview.reject`, `interview.answer`, `interview.remark`, `settings.interview`.
//! Payloads carry ids, states and transcript positions; never a contact.
//!
//! The lead time is the setting `interview.lead_days` (7–14, default 7), kept outside
//! the `interaction.*` keys the ticket settings own.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Denied, Resource, SiteId, UnitId, ValidationError, authorize};
use sitegroup_interaction::interview::model::{MAX_ANSWER_CHARS, MAX_NOTE_CHARS, multiline};
use sitegroup_interaction::interview::repo::{self as irepo, InterviewFilter, NewEntry};
use sitegroup_interaction::interview::rules::{self, HistoryItem, PlanningRow, PublicInterview, Step};
use sitegroup_interaction::interview::{
    EntryKind, HistoryInterview, Interview, InterviewError, InterviewState, NewInterview, NewQuestion, Question,
    QuestionState, Speaker, TranscriptEntry,
};
use sitegroup_store::{Tx, core_repo};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

impl MaybeSite for Interview {}
impl MaybeSite for Question {}
impl MaybeSite for InterviewEntry {}
impl MaybeSite for InterviewAsked {}

fn verr(e: impl Into<InterviewError>) -> Error {
    Error::Interview(e.into())
}

const DAY: i64 = 86_400;

/// An interview in a list, with its question counts.
#[derive(Debug, Clone, Serialize)]
pub struct InterviewSummary {
    /// The interview.
    pub interview: Interview,
    /// Questions waiting for moderation (0 on public lists).
    pub pending: u64,
    /// Approved questions waiting for an answer.
    pub approved: u64,
    /// Answered questions.
    pub answered: u64,
    /// Questions not taken (0 on public lists).
    pub rejected: u64,
}

/// An interview as the back office sees it: every question (with contacts, for the
/// moderators) and the transcript.
#[derive(Debug, Clone, Serialize)]
pub struct InterviewDetail {
    /// The interview.
    pub interview: Interview,
    /// Every question, oldest first.
    pub questions: Vec<Question>,
    /// The transcript in order.
    pub transcript: Vec<TranscriptEntry>,
    /// When the scheduler announces it (start − lead time).
    pub announce_from: i64,
}

/// What asking a question gave.
#[derive(Debug, Clone, Serialize)]
pub struct InterviewAsked {
    /// The question's id.
    pub question: i64,
    /// Its state (pending when new).
    pub state: QuestionState,
    /// When it was asked.
    pub asked_at: i64,
    /// True when the idempotency key was already used: this is the earlier question.
    pub replayed: bool,
}

/// A transcript entry just recorded, with its interview (for the live stream).
#[derive(Debug, Clone, Serialize)]
pub struct InterviewEntry {
    /// The interview.
    pub interview: i64,
    /// The entry (public data only).
    pub entry: TranscriptEntry,
}

/// The transcript after a position, for the live stream.
#[derive(Debug, Clone, Serialize)]
pub struct InterviewLive {
    /// The interview's state now.
    pub state: InterviewState,
    /// Entries after the position asked for (empty unless the transcript is public).
    pub entries: Vec<TranscriptEntry>,
}

/// The yearly planning view (年度访谈计划参考).
#[derive(Debug, Clone, Serialize)]
pub struct InterviewPlanning {
    /// The year.
    pub year: i32,
    /// Tickets are judged as of this time (the year's end, or now within the year).
    pub as_of: i64,
    /// Units ranked as candidates (see [`rules::planning`]).
    pub rows: Vec<PlanningRow>,
}

fn payload(i: &Interview) -> serde_json::Value {
    serde_json::json!({
        "id": i.id, "unit": i.unit.0, "state": i.state.as_str(), "starts_at": i.starts_at, "ends_at": i.ends_at,
    })
}

fn question_payload(q: &Question) -> serde_json::Value {
    serde_json::json!({ "id": q.id, "interview": q.interview, "state": q.state.as_str() })
}

/// The first and last instants (Beijing time) of a year.
fn year_bounds(year: i32) -> Result<(i64, i64), Error> {
    let bad = || verr(ValidationError::Malformed { field: "year", reason: format!("{year}") });
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let start = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).ok_or_else(bad)?;
    let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).ok_or_else(bad)?;
    Ok((start.and_utc().timestamp() - 8 * 3600, next.and_utc().timestamp() - 8 * 3600 - 1))
}

fn load(tx: &mut Tx<'_>, id: i64) -> Result<Interview, Error> {
    irepo::interview(tx, id)?.ok_or(verr(InterviewError::NotFound(id)))
}

fn load_question(tx: &mut Tx<'_>, id: i64) -> Result<Question, Error> {
    irepo::question(tx, id)?.ok_or(verr(InterviewError::QuestionNotFound(id)))
}

impl SiteGroup {
    // -----------------------------------------------------------------------------
    // Permissions.

    /// The sites owned by a unit.
    fn interview_unit_sites(&self, unit: UnitId) -> Result<Vec<SiteId>, Error> {
        Ok(self.site_tree()?.sites().iter().filter(|s| s.unit == Some(unit)).map(|s| s.id).collect())
    }

    /// The site an interview's audit entries are filed under (the unit's first site).
    fn interview_site(&self, unit: UnitId) -> Result<Option<SiteId>, Error> {
        Ok(self.interview_unit_sites(unit)?.first().copied())
    }

    /// The centre (`ScreenTicket` on the group) or the unit's handlers (`HandleTicket`
    /// on one of its sites).
    fn authorize_interview_unit(&self, actor: &Actor, unit: UnitId) -> Result<(), Error> {
        if authorize(actor, Action::ScreenTicket, &Resource::Group).is_ok() {
            return Ok(());
        }
        let sites = self.interview_unit_sites(unit)?;
        if sites.iter().any(|s| authorize(actor, Action::HandleTicket, &Resource::Site(*s)).is_ok()) {
            return Ok(());
        }
        let resource = sites.first().map_or(Resource::Group, |s| Resource::Site(*s));
        Err(Error::Denied(Denied { actor: actor.label(), action: Action::HandleTicket, resource }))
    }

    /// Units whose interviews the actor may run (`None`: every unit, the centre).
    fn interview_units_of(&self, actor: &Actor) -> Result<Option<Vec<UnitId>>, Error> {
        if authorize(actor, Action::ScreenTicket, &Resource::Group).is_ok() {
            return Ok(None);
        }
        let units: BTreeSet<UnitId> = self
            .site_tree()?
            .sites()
            .iter()
            .filter(|s| authorize(actor, Action::HandleTicket, &Resource::Site(s.id)).is_ok())
            .filter_map(|s| s.unit)
            .collect();
        Ok(Some(units.into_iter().collect()))
    }

    fn resolve_interview_unit(tx: &mut Tx<'_>, code: &str) -> Result<UnitId, Error> {
        core_repo::unit_by_code(tx, &code.trim().to_ascii_lowercase())?
            .map(|u| u.id)
            .ok_or_else(|| verr(InterviewError::UnknownUnit(code.trim().to_string())))
    }

    // -----------------------------------------------------------------------------
    // The lead time.

    /// Days before its start that an interview is announced (setting
    /// `interview.lead_days`, 7–14, default 7).
    pub fn interview_lead_days(&self) -> Result<u32, Error> {
        let v = self.db.read(|tx| core_repo::get_setting(tx, rules::LEAD_DAYS_SETTING))?;
        rules::lead_days(v.as_deref()).map_err(verr)
    }

    /// Sets the announcement lead time (the centre); 7 to 14 days.
    pub fn set_interview_lead_days(&self, actor: &Actor, origin: &Origin, days: u32) -> Result<(), Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let days = rules::check_lead_days(days).map_err(verr)?;
        self.audited(
            actor,
            origin,
            "settings.interview",
            None,
            format!("settings:{}", rules::LEAD_DAYS_SETTING),
            |tx| {
                core_repo::set_setting(tx, rules::LEAD_DAYS_SETTING, &days.to_string())?;
                Ok(((), serde_json::json!({ "key": rules::LEAD_DAYS_SETTING, "value": days })))
            },
        )
    }

    // -----------------------------------------------------------------------------
    // Planning.

    /// Plans an interview (the centre). It stays invisible to the public until it is
    /// announced.
    pub fn plan_interview(&self, actor: &Actor, origin: &Origin, new: &NewInterview) -> Result<Interview, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let valid = new.validate().map_err(verr)?;
        let unit = self.db.read(|tx| Self::resolve_interview_unit(tx, &valid.unit))?;
        let site = self.interview_site(unit)?;
        let now = self.now();
        self.audited_as(actor, origin, "interview.plan", site, |tx| {
            let id = irepo::insert_interview(tx, &valid, unit, now)?;
            let i = load(tx, id)?;
            let p = payload(&i);
            Ok((i, format!("interview:{id}"), p))
        })
    }

    /// Changes the plan of an interview not yet live (the centre).
    pub fn update_interview(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        new: &NewInterview,
    ) -> Result<Interview, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let valid = new.validate().map_err(verr)?;
        let (current, unit) = self.db.read(|tx| {
            let current = load(tx, id)?;
            Ok::<_, Error>((current, Self::resolve_interview_unit(tx, &valid.unit)?))
        })?;
        rules::step(current.state, Step::Edit).map_err(verr)?;
        let site = self.interview_site(unit)?;
        let now = self.now();
        self.audited(actor, origin, "interview.update", site, format!("interview:{id}"), |tx| {
            if !irepo::update_plan(tx, id, current.state, &valid, unit, now)? {
                let fresh = load(tx, id)?;
                return Err(verr(InterviewError::IllegalTransition { from: fresh.state, action: "update" }));
            }
            let i = load(tx, id)?;
            let p = payload(&i);
            Ok((i, p))
        })
    }

    /// One step of the interview's life, checked by [`rules::step`] and re-checked in
    /// the transaction (a step that lost a race is refused, nothing written).
    fn interview_step(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        step: Step,
        reason: Option<String>,
    ) -> Result<Interview, Error> {
        let current = self.db.read(|tx| load(tx, id))?;
        match step {
            Step::Start | Step::End => self.authorize_interview_unit(actor, current.unit)?,
            _ => authorize(actor, Action::ScreenTicket, &Resource::Group)?,
        }
        let to = rules::step(current.state, step).map_err(verr)?;
        let site = self.interview_site(current.unit)?;
        let now = self.now();
        let action = format!("interview.{}", step.as_str());
        self.audited(actor, origin, &action, site, format!("interview:{id}"), |tx| {
            if !irepo::set_state(tx, id, current.state, to, now, reason.as_deref())? {
                let fresh = load(tx, id)?;
                return Err(verr(InterviewError::IllegalTransition { from: fresh.state, action: step.as_str() }));
            }
            let i = load(tx, id)?;
            let mut p = payload(&i);
            if let Some(r) = &reason {
                p["reason"] = serde_json::Value::from(r.as_str());
            }
            Ok((i, p))
        })
    }

    /// Announces a planned interview now, ahead of the scheduler (the centre).
    pub fn announce_interview(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Interview, Error> {
        self.interview_step(actor, origin, id, Step::Announce, None)
    }

    /// Goes live (the centre or the unit).
    pub fn start_interview(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Interview, Error> {
        self.interview_step(actor, origin, id, Step::Start, None)
    }

    /// Ends the live session (the centre or the unit); questions close.
    pub fn end_interview(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Interview, Error> {
        self.interview_step(actor, origin, id, Step::End, None)
    }

    /// Archives an ended interview with its transcript (the centre).
    pub fn archive_interview(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Interview, Error> {
        self.interview_step(actor, origin, id, Step::Archive, None)
    }

    /// Cancels a planned or announced interview, with a reason shown to the public if
    /// it had been announced (the centre).
    pub fn cancel_interview(&self, actor: &Actor, origin: &Origin, id: i64, reason: &str) -> Result<Interview, Error> {
        let reason = sitegroup_core::error::required_text("reason", reason, MAX_NOTE_CHARS).map_err(verr)?;
        self.interview_step(actor, origin, id, Step::Cancel, Some(reason))
    }

    /// Announces every planned interview whose lead time has begun (see
    /// [`rules::announcement_due`]); returns their ids. Idempotent: each interview is
    /// announced once (a conditional update), cancelled ones never. Run by the
    /// scheduler as `system:scheduler`.
    pub fn announce_due_interviews(&self, origin: &Origin, now: i64) -> Result<Vec<i64>, Error> {
        let lead = self.interview_lead_days()?;
        let until = now.saturating_add(i64::from(lead) * DAY);
        let candidates = self.db.read(|tx| irepo::planned_starting_by(tx, until))?;
        let system = Actor::system("scheduler");
        let mut out = Vec::new();
        for i in candidates {
            if !rules::announcement_due(i.state, i.starts_at, i.ends_at, lead, now) {
                continue;
            }
            let site = self.interview_site(i.unit)?;
            let announced = self.db.write(|tx| {
                if !irepo::set_state(tx, i.id, InterviewState::Planned, InterviewState::Announced, now, None)? {
                    return Ok::<_, Error>(false);
                }
                let fresh = load(tx, i.id)?;
                let mut p = payload(&fresh);
                p["lead_days"] = serde_json::Value::from(lead);
                self.record(tx, &system, origin, "interview.announce", site, format!("interview:{}", i.id), p)?;
                Ok(true)
            })?;
            if announced {
                out.push(i.id);
            }
        }
        Ok(out)
    }

    /// Imports a session held before (the centre): the plan, its questions (answered
    /// or not taken) and remarks, archived with the transcript in the order said, in
    /// one transaction.
    pub fn import_interview_history(
        &self,
        actor: &Actor,
        origin: &Origin,
        history: &HistoryInterview,
    ) -> Result<Interview, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let h = rules::check_history(history).map_err(verr)?;
        let unit = self.db.read(|tx| Self::resolve_interview_unit(tx, &h.plan.unit))?;
        let site = self.interview_site(unit)?;
        self.audited_as(actor, origin, "interview.import", site, |tx| {
            let id = irepo::insert_interview(tx, &h.plan, unit, h.announced_at)?;
            irepo::set_history(tx, id, h.announced_at, h.started_at, h.ended_at, h.ended_at)?;
            let mut ids = Vec::with_capacity(h.questions.len());
            for q in &h.questions {
                let answer = q.answer.as_ref().map(|(g, t, at)| (g.as_str(), t.as_str(), *at));
                ids.push(irepo::insert_history_question(tx, id, &q.nickname, &q.text, q.asked_at, answer)?);
            }
            for item in &h.order {
                let entry = match *item {
                    HistoryItem::Remark(n) => {
                        let Some(r) = h.remarks.get(n) else { continue };
                        NewEntry {
                            at: r.at,
                            kind: EntryKind::Remark,
                            speaker: r.speaker,
                            name: &r.name,
                            text: &r.text,
                            question: None,
                        }
                    }
                    HistoryItem::Answer(n) => {
                        let (Some(q), Some(qid)) = (h.questions.get(n), ids.get(n)) else { continue };
                        let Some((guest, text, at)) = &q.answer else { continue };
                        NewEntry {
                            at: *at,
                            kind: EntryKind::Answer,
                            speaker: Speaker::Guest,
                            name: guest,
                            text,
                            question: Some(*qid),
                        }
                    }
                };
                irepo::append_entry(tx, id, &entry)?;
            }
            let i = load(tx, id)?;
            let mut p = payload(&i);
            p["questions"] = serde_json::Value::from(ids.len());
            p["entries"] = serde_json::Value::from(h.order.len());
            Ok((i, format!("interview:{id}"), p))
        })
    }

    // -----------------------------------------------------------------------------
    // Questions and the live session.

    /// A citizen asks a question (no account) while the interview is announced or
    /// live. An idempotency key already used returns the earlier question. A planned
    /// interview is not found.
    pub fn ask_interview_question(&self, origin: &Origin, id: i64, new: &NewQuestion) -> Result<InterviewAsked, Error> {
        let valid = new.validate().map_err(verr)?;
        let i = self.db.read(|tx| load(tx, id))?;
        if !rules::visibility(i.state, i.announced_at).page {
            return Err(verr(InterviewError::NotFound(id)));
        }
        let replay = |q: Question| -> Result<InterviewAsked, Error> {
            if q.interview != id {
                return Err(verr(ValidationError::Malformed {
                    field: "idempotency key",
                    reason: "used for another interview".into(),
                }));
            }
            Ok(InterviewAsked { question: q.id, state: q.state, asked_at: q.asked_at, replayed: true })
        };
        if let Some(key) = &valid.idempotency_key
            && let Some(q) = self.db.read(|tx| irepo::question_by_key(tx, key))?
        {
            return replay(q);
        }
        rules::may_ask(i.state).map_err(verr)?;
        let site = self.interview_site(i.unit)?;
        let now = self.now();
        let result = self.audited_as(&Actor::anonymous(), origin, "interview.ask", site, |tx| {
            let fresh = load(tx, id)?;
            rules::may_ask(fresh.state).map_err(verr)?;
            let Some(qid) = irepo::insert_question(tx, id, &valid, now)? else {
                let key = valid.idempotency_key.clone().unwrap_or_default();
                return Err(Error::Duplicate { what: "idempotency key", key });
            };
            let q = load_question(tx, qid)?;
            let p = question_payload(&q);
            let asked = InterviewAsked { question: qid, state: q.state, asked_at: q.asked_at, replayed: false };
            Ok((asked, format!("interview_question:{qid}"), p))
        });
        match result {
            Err(Error::Duplicate { what: "idempotency key", key }) => {
                let q = self
                    .db
                    .read(|tx| irepo::question_by_key(tx, &key))?
                    .ok_or(Error::NotFound { what: "question", key })?;
                replay(q)
            }
            other => other,
        }
    }

    fn moderate_interview_question(
        &self,
        actor: &Actor,
        origin: &Origin,
        qid: i64,
        approve: bool,
        note: Option<String>,
    ) -> Result<Question, Error> {
        let (q, i) = self.db.read(|tx| {
            let q = load_question(tx, qid)?;
            let i = load(tx, q.interview)?;
            Ok::<_, Error>((q, i))
        })?;
        self.authorize_interview_unit(actor, i.unit)?;
        let to = rules::moderate(i.state, q.state, approve).map_err(verr)?;
        let site = self.interview_site(i.unit)?;
        let now = self.now();
        let action = if approve { "approve" } else { "reject" };
        let by = actor.label();
        self.audited(actor, origin, &format!("interview.{action}"), site, format!("interview_question:{qid}"), |tx| {
            let fresh_i = load(tx, i.id)?;
            rules::moderate(fresh_i.state, q.state, approve).map_err(verr)?;
            if !irepo::moderate_question(tx, qid, q.state, to, now, &by, note.as_deref())? {
                let fresh = load_question(tx, qid)?;
                return Err(verr(InterviewError::QuestionState { from: fresh.state, action }));
            }
            let saved = load_question(tx, qid)?;
            let p = question_payload(&saved);
            Ok((saved, p))
        })
    }

    /// Approves a question: it becomes public and may be answered (the centre or the
    /// unit).
    pub fn approve_interview_question(&self, actor: &Actor, origin: &Origin, qid: i64) -> Result<Question, Error> {
        self.moderate_interview_question(actor, origin, qid, true, None)
    }

    /// Does not take a question (never public); the note is for the moderators.
    pub fn reject_interview_question(
        &self,
        actor: &Actor,
        origin: &Origin,
        qid: i64,
        note: &str,
    ) -> Result<Question, Error> {
        let note = sitegroup_core::error::optional_text("note", Some(note), MAX_NOTE_CHARS).map_err(verr)?;
        self.moderate_interview_question(actor, origin, qid, false, note)
    }

    /// A guest answers an approved question live (the centre or the unit records it):
    /// the question is answered and the answer appended to the transcript.
    pub fn answer_interview_question(
        &self,
        actor: &Actor,
        origin: &Origin,
        qid: i64,
        guest: &str,
        answer: &str,
    ) -> Result<InterviewEntry, Error> {
        let text = multiline("answer", answer, MAX_ANSWER_CHARS).map_err(verr)?;
        let (q, i) = self.db.read(|tx| {
            let q = load_question(tx, qid)?;
            let i = load(tx, q.interview)?;
            Ok::<_, Error>((q, i))
        })?;
        self.authorize_interview_unit(actor, i.unit)?;
        rules::may_answer(i.state, q.state).map_err(verr)?;
        let name = rules::speaker_name(&i, Speaker::Guest, guest).map_err(verr)?;
        let site = self.interview_site(i.unit)?;
        let now = self.now();
        self.audited(actor, origin, "interview.answer", site, format!("interview_question:{qid}"), |tx| {
            let fresh = load(tx, i.id)?;
            rules::may_answer(fresh.state, QuestionState::Approved).map_err(verr)?;
            if !irepo::answer_question(tx, qid, &name, &text, now)? {
                let fq = load_question(tx, qid)?;
                return Err(verr(InterviewError::QuestionState { from: fq.state, action: "answer" }));
            }
            let entry = NewEntry {
                at: now,
                kind: EntryKind::Answer,
                speaker: Speaker::Guest,
                name: &name,
                text: &text,
                question: Some(qid),
            };
            let e = irepo::append_entry(tx, i.id, &entry)?;
            let p = serde_json::json!({ "interview": i.id, "question": qid, "seq": e.seq, "guest": name });
            Ok((InterviewEntry { interview: i.id, entry: e }, p))
        })
    }

    /// A remark of the host or a guest during the live session (the centre or the
    /// unit records it).
    pub fn add_interview_remark(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        speaker: Speaker,
        name: &str,
        text: &str,
    ) -> Result<InterviewEntry, Error> {
        let text = multiline("remark", text, MAX_ANSWER_CHARS).map_err(verr)?;
        let i = self.db.read(|tx| load(tx, id))?;
        self.authorize_interview_unit(actor, i.unit)?;
        rules::may_remark(i.state).map_err(verr)?;
        let name = rules::speaker_name(&i, speaker, name).map_err(verr)?;
        let site = self.interview_site(i.unit)?;
        let now = self.now();
        self.audited(actor, origin, "interview.remark", site, format!("interview:{id}"), |tx| {
            let fresh = load(tx, id)?;
            rules::may_remark(fresh.state).map_err(verr)?;
            let entry =
                NewEntry { at: now, kind: EntryKind::Remark, speaker, name: &name, text: &text, question: None };
            let e = irepo::append_entry(tx, id, &entry)?;
            let p = serde_json::json!({ "interview": id, "seq": e.seq, "speaker": speaker.as_str() });
            Ok((InterviewEntry { interview: id, entry: e }, p))
        })
    }

    // -----------------------------------------------------------------------------
    // Reading.

    fn interview_summaries(&self, list: Vec<Interview>, public: bool) -> Result<Vec<InterviewSummary>, Error> {
        let counts = self.db.read(irepo::question_counts)?;
        let mut by: BTreeMap<i64, [u64; 4]> = BTreeMap::new();
        for (id, state, n) in counts {
            let slot = match state {
                QuestionState::Pending => 0,
                QuestionState::Approved => 1,
                QuestionState::Answered => 2,
                QuestionState::Rejected => 3,
            };
            by.entry(id).or_default()[slot] = n;
        }
        Ok(list
            .into_iter()
            .map(|interview| {
                let c = by.get(&interview.id).copied().unwrap_or_default();
                InterviewSummary {
                    interview,
                    pending: if public { 0 } else { c[0] },
                    approved: c[1],
                    answered: c[2],
                    rejected: if public { 0 } else { c[3] },
                }
            })
            .collect())
    }

    /// Interviews the actor may run, latest first: all of them for the centre, the
    /// units' own for their handlers (refused when there are none); optionally those
    /// starting in one year.
    pub fn interviews(&self, actor: &Actor, year: Option<i32>) -> Result<Vec<InterviewSummary>, Error> {
        let units = self.interview_units_of(actor)?;
        if let Some(u) = &units
            && u.is_empty()
        {
            return Err(Error::Denied(Denied {
                actor: actor.label(),
                action: Action::HandleTicket,
                resource: Resource::Group,
            }));
        }
        let starts_between = year.map(year_bounds).transpose()?;
        let filter = InterviewFilter { states: vec![], units, starts_between };
        let list = self.db.read(|tx| irepo::interviews(tx, &filter))?;
        self.interview_summaries(list, false)
    }

    /// One interview with every question (contacts included) and the transcript (the
    /// centre or the unit).
    pub fn interview_detail(&self, actor: &Actor, id: i64) -> Result<InterviewDetail, Error> {
        let i = self.db.read(|tx| load(tx, id))?;
        self.authorize_interview_unit(actor, i.unit)?;
        let lead = self.interview_lead_days()?;
        let (questions, transcript) =
            self.db.read(|tx| Ok::<_, Error>((irepo::questions(tx, id)?, irepo::transcript(tx, id, 0)?)))?;
        let announce_from = rules::announce_from(i.starts_at, lead);
        Ok(InterviewDetail { interview: i, questions, transcript, announce_from })
    }

    /// The interviews listed publicly (announced, live, ended, archived), latest first,
    /// with the counts of approved and answered questions.
    pub fn public_interviews(&self) -> Result<Vec<InterviewSummary>, Error> {
        let states =
            vec![InterviewState::Announced, InterviewState::Live, InterviewState::Ended, InterviewState::Archived];
        let list = self.db.read(|tx| irepo::interviews(tx, &InterviewFilter { states, ..Default::default() }))?;
        let list = list.into_iter().filter(|i| rules::visibility(i.state, i.announced_at).listed).collect();
        self.interview_summaries(list, true)
    }

    /// An interview as the public sees it; not found when it has no public page.
    pub fn public_interview(&self, id: i64) -> Result<PublicInterview, Error> {
        let (i, questions, transcript) = self.db.read(|tx| {
            let i = load(tx, id)?;
            Ok::<_, Error>((i, irepo::questions(tx, id)?, irepo::transcript(tx, id, 0)?))
        })?;
        rules::public_view(&i, &questions, transcript).ok_or(verr(InterviewError::NotFound(id)))
    }

    /// The public transcript after position `after`, and the state: what the live
    /// stream sends. Not found when the interview has no public page.
    pub fn public_interview_live(&self, id: i64, after: i64) -> Result<InterviewLive, Error> {
        let (i, entries) = self.db.read(|tx| {
            let i = load(tx, id)?;
            Ok::<_, Error>((i, irepo::transcript(tx, id, after.max(0))?))
        })?;
        let v = rules::visibility(i.state, i.announced_at);
        if !v.page {
            return Err(verr(InterviewError::NotFound(id)));
        }
        Ok(InterviewLive { state: i.state, entries: if v.transcript { entries } else { vec![] } })
    }

    /// The yearly planning view: every unit ranked as an interview candidate by the
    /// year's ticket volume, then overdue rate (rules in [`rules::planning`]), with the
    /// interviews it already has that year. `ViewStats` on the group.
    pub fn interview_planning(&self, actor: &Actor, year: i32) -> Result<InterviewPlanning, Error> {
        authorize(actor, Action::ViewStats, &Resource::Group)?;
        let (from, to) = year_bounds(year)?;
        let as_of = self.now().min(to);
        let (units, tickets, per_unit) = self.db.read(|tx| {
            let units: Vec<(String, String)> =
                core_repo::list_units(tx)?.into_iter().map(|u| (u.code, u.name)).collect();
            let tickets = sitegroup_interaction::repo::report_rows(tx, from, to)?;
            let per_unit: BTreeMap<String, u64> = irepo::interviews_per_unit(tx, from, to)?.into_iter().collect();
            Ok::<_, Error>((units, tickets, per_unit))
        })?;
        Ok(InterviewPlanning { year, as_of, rows: rules::planning(&units, &tickets, &per_unit, as_of) })
    }
}
