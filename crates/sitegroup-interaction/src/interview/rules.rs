//! The interview's pure rules: the state machine ([`step`]), when an interview is
//! announced ([`announcement_due`]), which questions may be asked, moderated and
//! answered, what a viewer may see ([`visibility`], [`public_view`]) and the yearly
//! planning ranking ([`planning`]). Plain functions over plain values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::InterviewError;
use super::model::{
    AskedQuestion, Guest, Interview, InterviewState, Question, QuestionState, Speaker, TranscriptEntry,
};
use crate::report::ReportTicket;

/// The lead time when the setting is absent: 7 days (the seed: 1–2 weeks ahead).
pub const DEFAULT_LEAD_DAYS: u32 = 7;
/// Shortest lead time allowed.
pub const MIN_LEAD_DAYS: u32 = 7;
/// Longest lead time allowed.
pub const MAX_LEAD_DAYS: u32 = 14;
/// The settings key of the lead time (`settings` table).
pub const LEAD_DAYS_SETTING: &str = "interview.lead_days";

const DAY: i64 = 86_400;

/// A lead time in days, checked against 7–14.
pub fn check_lead_days(days: u32) -> Result<u32, InterviewError> {
    if (MIN_LEAD_DAYS..=MAX_LEAD_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(InterviewError::BadLeadTime { days: i64::from(days) })
    }
}

/// The lead time from the stored setting (absent: [`DEFAULT_LEAD_DAYS`]); a malformed
/// or out-of-range value is refused, never silently replaced.
pub fn lead_days(setting: Option<&str>) -> Result<u32, InterviewError> {
    match setting.map(str::trim) {
        None | Some("") => Ok(DEFAULT_LEAD_DAYS),
        Some(v) => {
            let days: i64 = v.parse().map_err(|_| InterviewError::BadLeadTime { days: -1 })?;
            let days = u32::try_from(days).map_err(|_| InterviewError::BadLeadTime { days })?;
            check_lead_days(days)
        }
    }
}

/// The instant from which an interview starting at `starts_at` is announced:
/// `lead_days` whole days (24 hours each) before its start.
pub fn announce_from(starts_at: i64, lead_days: u32) -> i64 {
    starts_at.saturating_sub(i64::from(lead_days) * DAY)
}

/// Whether the scheduler announces an interview now: it is still planned, the lead
/// time before its start has begun, and its scheduled end has not passed (a plan left
/// behind by its own time is for the centre to cancel or move, not to announce).
/// Cancelled, announced or later interviews are never due, so running the scheduler
/// again announces nothing twice.
pub fn announcement_due(state: InterviewState, starts_at: i64, ends_at: i64, lead_days: u32, now: i64) -> bool {
    state == InterviewState::Planned && now >= announce_from(starts_at, lead_days) && now < ends_at
}

/// A step of the interview's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 发布预告.
    Announce,
    /// 开始直播.
    Start,
    /// 结束直播.
    End,
    /// 归档.
    Archive,
    /// 取消.
    Cancel,
    /// Change the plan (topic, guests, time …).
    Edit,
}

impl Step {
    /// Stable name (also the event's suffix: `interview.{name}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Announce => "announce",
            Step::Start => "start",
            Step::End => "end",
            Step::Archive => "archive",
            Step::Cancel => "cancel",
            Step::Edit => "update",
        }
    }
}

/// The state after `step` from `from`, or [`InterviewError::IllegalTransition`].
/// An interview must be announced before it goes live; only a plan (planned or
/// announced) is edited or cancelled; only an ended interview is archived.
pub fn step(from: InterviewState, step: Step) -> Result<InterviewState, InterviewError> {
    use InterviewState::*;
    let to = match (from, step) {
        (Planned, Step::Announce) => Announced,
        (Announced, Step::Start) => Live,
        (Live, Step::End) => Ended,
        (Ended, Step::Archive) => Archived,
        (Planned | Announced, Step::Cancel) => Cancelled,
        (Planned | Announced, Step::Edit) => from,
        _ => return Err(InterviewError::IllegalTransition { from, action: step.as_str() }),
    };
    Ok(to)
}

/// Questions are collected before (announced) and during (live) the session.
pub fn may_ask(state: InterviewState) -> Result<(), InterviewError> {
    match state {
        InterviewState::Announced | InterviewState::Live => Ok(()),
        other => Err(InterviewError::QuestionsClosed { state: other }),
    }
}

/// The state after moderating a question (`approve` or reject): pending questions are
/// decided, and a decision may be reversed until the question is answered. Moderation
/// happens while questions are collected (announced or live).
pub fn moderate(
    interview: InterviewState,
    from: QuestionState,
    approve: bool,
) -> Result<QuestionState, InterviewError> {
    if !matches!(interview, InterviewState::Announced | InterviewState::Live) {
        return Err(InterviewError::IllegalTransition { from: interview, action: "moderate" });
    }
    let action = if approve { "approve" } else { "reject" };
    match (from, approve) {
        (QuestionState::Pending | QuestionState::Rejected, true) => Ok(QuestionState::Approved),
        (QuestionState::Pending | QuestionState::Approved, false) => Ok(QuestionState::Rejected),
        _ => Err(InterviewError::QuestionState { from, action }),
    }
}

/// A question is answered live, once, after it was approved.
pub fn may_answer(interview: InterviewState, question: QuestionState) -> Result<(), InterviewError> {
    if interview != InterviewState::Live {
        return Err(InterviewError::NotLive { state: interview });
    }
    if question != QuestionState::Approved {
        return Err(InterviewError::QuestionState { from: question, action: "answer" });
    }
    Ok(())
}

/// Remarks are added while live.
pub fn may_remark(interview: InterviewState) -> Result<(), InterviewError> {
    if interview == InterviewState::Live { Ok(()) } else { Err(InterviewError::NotLive { state: interview }) }
}

/// The name under which `speaker` speaks: the host's name for the host; for a guest,
/// one of the interview's guests (by name).
pub fn speaker_name(interview: &Interview, speaker: Speaker, name: &str) -> Result<String, InterviewError> {
    match speaker {
        Speaker::Host => Ok(interview.host.clone()),
        Speaker::Guest => interview
            .guest(name)
            .map(|g| g.name.clone())
            .ok_or_else(|| InterviewError::UnknownGuest(name.trim().to_string())),
    }
}

/// What a viewer (anyone, no account) may see of an interview in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// Listed on the public pages.
    pub listed: bool,
    /// Its page exists publicly (otherwise: not found, as if it did not exist).
    pub page: bool,
    /// The question form is open.
    pub ask: bool,
    /// The transcript is shown.
    pub transcript: bool,
    /// The live stream is on.
    pub live: bool,
}

/// A planned interview is not public at all; an announced one shows its plan and the
/// question form; a live one adds the transcript and the stream; ended and archived
/// ones show the plan and the full transcript. A cancelled interview keeps a page with
/// the notice only if it had been announced.
pub fn visibility(state: InterviewState, announced_at: Option<i64>) -> Visibility {
    let none = Visibility { listed: false, page: false, ask: false, transcript: false, live: false };
    match state {
        InterviewState::Planned => none,
        InterviewState::Announced => Visibility { listed: true, page: true, ask: true, ..none },
        InterviewState::Live => Visibility { listed: true, page: true, ask: true, transcript: true, live: true },
        InterviewState::Ended | InterviewState::Archived => {
            Visibility { listed: true, page: true, transcript: true, ..none }
        }
        InterviewState::Cancelled => Visibility { page: announced_at.is_some(), ..none },
    }
}

/// Whether a question in this state is shown publicly: approved or answered only.
pub fn question_public(state: QuestionState) -> bool {
    matches!(state, QuestionState::Approved | QuestionState::Answered)
}

/// An approved question waiting for its answer, as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicQuestion {
    /// Question id.
    pub id: i64,
    /// Nickname.
    pub nickname: String,
    /// Text as typed.
    pub text: String,
    /// Asked.
    pub asked_at: i64,
}

/// An interview as the public sees it. Built only by [`public_view`]: it has no field
/// for a question's contact, and holds only approved questions and the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicInterview {
    /// Interview id.
    pub id: i64,
    /// The unit.
    pub unit: sitegroup_core::UnitId,
    /// Topic.
    pub topic: String,
    /// Guests.
    pub guests: Vec<Guest>,
    /// Host.
    pub host: String,
    /// Outline.
    pub outline: String,
    /// Background.
    pub background: String,
    /// Scheduled start.
    pub starts_at: i64,
    /// Scheduled end.
    pub ends_at: i64,
    /// State.
    pub state: InterviewState,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// What may be shown.
    pub visibility: Visibility,
    /// Approved questions still waiting for an answer (oldest first).
    pub waiting: Vec<PublicQuestion>,
    /// Answered questions (for the counts).
    pub answered: usize,
    /// The transcript in order (empty unless `visibility.transcript`).
    pub transcript: Vec<TranscriptEntry>,
}

/// The public view of an interview, or `None` when it has no public page.
pub fn public_view(
    interview: &Interview,
    questions: &[Question],
    transcript: Vec<TranscriptEntry>,
) -> Option<PublicInterview> {
    let visibility = visibility(interview.state, interview.announced_at);
    if !visibility.page {
        return None;
    }
    let cancelled = interview.state == InterviewState::Cancelled;
    let mut waiting: Vec<PublicQuestion> = if cancelled {
        vec![]
    } else {
        questions
            .iter()
            .filter(|q| q.state == QuestionState::Approved && q.interview == interview.id)
            .map(|q| PublicQuestion {
                id: q.id,
                nickname: q.nickname.clone(),
                text: q.text.clone(),
                asked_at: q.asked_at,
            })
            .collect()
    };
    waiting.sort_by_key(|q| (q.asked_at, q.id));
    let answered = questions.iter().filter(|q| q.state == QuestionState::Answered).count();
    let mut transcript = if visibility.transcript { transcript } else { vec![] };
    transcript.sort_by_key(|e| e.seq);
    Some(PublicInterview {
        id: interview.id,
        unit: interview.unit,
        topic: interview.topic.clone(),
        guests: interview.guests.clone(),
        host: interview.host.clone(),
        outline: interview.outline.clone(),
        background: interview.background.clone(),
        starts_at: interview.starts_at,
        ends_at: interview.ends_at,
        state: interview.state,
        cancel_reason: if cancelled { interview.cancel_reason.clone() } else { None },
        visibility,
        waiting,
        answered,
        transcript,
    })
}

/// The question part of a public answer entry (never a contact).
pub fn asked(q: &Question) -> AskedQuestion {
    AskedQuestion { id: q.id, nickname: q.nickname.clone(), text: q.text.clone() }
}

// ---------------------------------------------------------------------------------
// History import.

/// A checked question of a history interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidHistoryQuestion {
    /// Nickname.
    pub nickname: String,
    /// Text.
    pub text: String,
    /// Asked.
    pub asked_at: i64,
    /// The guest, the answer and when; `None` for a question not taken.
    pub answer: Option<(String, String, i64)>,
}

/// A checked remark of a history interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidHistoryRemark {
    /// When.
    pub at: i64,
    /// Host or guest.
    pub speaker: Speaker,
    /// The speaker's name as it will be shown.
    pub name: String,
    /// Text.
    pub text: String,
}

/// One transcript item of a history interview, in the order it was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryItem {
    /// The remark at this index.
    Remark(usize),
    /// The answer of the question at this index.
    Answer(usize),
}

/// A checked history interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidHistory {
    /// The plan.
    pub plan: super::model::ValidInterview,
    /// Announced.
    pub announced_at: i64,
    /// Went live.
    pub started_at: i64,
    /// Ended.
    pub ended_at: i64,
    /// Questions.
    pub questions: Vec<ValidHistoryQuestion>,
    /// Remarks.
    pub remarks: Vec<ValidHistoryRemark>,
    /// The transcript's order: by time, a remark before an answer said at the same
    /// second, then as given.
    pub order: Vec<HistoryItem>,
}

/// Checks a history interview: the plan; `announced_at ≤ started_at ≤ ended_at`;
/// every question asked no later than its answer, every answer and remark within the
/// session, answers by one of the guests, remarks by the host or a guest; texts within
/// their limits.
pub fn check_history(h: &super::model::HistoryInterview) -> Result<ValidHistory, InterviewError> {
    use super::model::{MAX_ANSWER_CHARS, NewQuestion, multiline};
    let plan = h.plan.validate()?;
    if !(h.announced_at <= h.started_at && h.started_at <= h.ended_at) {
        return Err(InterviewError::BadHistory("announced ≤ started ≤ ended".into()));
    }
    let probe = Interview {
        id: 0,
        unit: sitegroup_core::UnitId(0),
        topic: plan.topic.clone(),
        guests: plan.guests.clone(),
        host: plan.host.clone(),
        outline: String::new(),
        background: String::new(),
        starts_at: plan.starts_at,
        ends_at: plan.ends_at,
        state: InterviewState::Live,
        announced_at: None,
        started_at: None,
        ended_at: None,
        archived_at: None,
        cancelled_at: None,
        cancel_reason: None,
        created_at: 0,
        updated_at: 0,
    };
    let within = |at: i64| h.started_at <= at && at <= h.ended_at;
    let mut questions = Vec::with_capacity(h.questions.len());
    for (n, q) in h.questions.iter().enumerate() {
        let v =
            NewQuestion { nickname: q.nickname.clone(), text: q.text.clone(), contact: None, idempotency_key: None }
                .validate()?;
        let answer = match &q.answer {
            None => None,
            Some((guest, text, at)) => {
                if *at < q.asked_at || !within(*at) {
                    return Err(InterviewError::BadHistory(format!(
                        "question {}: answered outside the session",
                        n + 1
                    )));
                }
                let name = speaker_name(&probe, Speaker::Guest, guest)?;
                Some((name, multiline("answer", text, MAX_ANSWER_CHARS)?, *at))
            }
        };
        questions.push(ValidHistoryQuestion { nickname: v.nickname, text: v.text, asked_at: q.asked_at, answer });
    }
    let mut remarks = Vec::with_capacity(h.remarks.len());
    for (n, r) in h.remarks.iter().enumerate() {
        if !within(r.at) {
            return Err(InterviewError::BadHistory(format!("remark {}: outside the session", n + 1)));
        }
        remarks.push(ValidHistoryRemark {
            at: r.at,
            speaker: r.speaker,
            name: speaker_name(&probe, r.speaker, &r.name)?,
            text: multiline("remark", &r.text, MAX_ANSWER_CHARS)?,
        });
    }
    let mut order: Vec<(i64, u8, usize, HistoryItem)> = remarks
        .iter()
        .enumerate()
        .map(|(i, r)| (r.at, 0, i, HistoryItem::Remark(i)))
        .chain(
            questions
                .iter()
                .enumerate()
                .filter_map(|(i, q)| q.answer.as_ref().map(|a| (a.2, 1, i, HistoryItem::Answer(i)))),
        )
        .collect();
    order.sort_by_key(|(at, kind, i, _)| (*at, *kind, *i));
    Ok(ValidHistory {
        plan,
        announced_at: h.announced_at,
        started_at: h.started_at,
        ended_at: h.ended_at,
        questions,
        remarks,
        order: order.into_iter().map(|(_, _, _, item)| item).collect(),
    })
}

// ---------------------------------------------------------------------------------
// The yearly planning view.

/// One unit's line of the yearly planning view (年度访谈计划参考).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanningRow {
    /// Unit code.
    pub unit: String,
    /// Unit name.
    pub unit_name: String,
    /// Valid tickets received in the year.
    pub received: u64,
    /// Of those, overdue: answered after the deadline, or unanswered and past it at
    /// `as_of`.
    pub overdue: u64,
    /// overdue / received (`None` when nothing was received).
    pub overdue_rate: Option<f64>,
    /// Interviews of the unit held or planned that year (not cancelled).
    pub interviews: u64,
    /// Place in the ranking (1 = first candidate).
    pub rank: usize,
}

/// Ranks units as interview candidates from the year's tickets (valid tickets received
/// in the year, as [`crate::repo::report_rows`] gives them), as the seed picks its
/// interview units: the units citizens write about most come first.
///
/// Counting: a ticket belongs to the unit responsible for it; it is **overdue** when it
/// has a deadline and was answered after it, or is unanswered (no reply by `as_of`) and
/// `as_of` is past it. Tickets without a unit (still with the leaders) are left out.
///
/// Ranking: more tickets first; equal volumes by higher overdue rate, then more overdue
/// tickets, then unit code. Units with no ticket come last (by code).
pub fn planning(
    units: &[(String, String)],
    tickets: &[ReportTicket],
    interviews: &BTreeMap<String, u64>,
    as_of: i64,
) -> Vec<PlanningRow> {
    let mut acc: BTreeMap<&str, (u64, u64)> = units.iter().map(|(c, _)| (c.as_str(), (0, 0))).collect();
    for t in tickets.iter().filter(|t| !t.unit.is_empty()) {
        let a = acc.entry(t.unit.as_str()).or_default();
        a.0 += 1;
        let reply = t.replied_at.filter(|r| *r <= as_of);
        let overdue = match (t.due_at, reply) {
            (Some(due), Some(r)) => r > due,
            (Some(due), None) => as_of > due,
            (None, _) => false,
        };
        if overdue {
            a.1 += 1;
        }
    }
    let names: BTreeMap<&str, &str> = units.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
    let mut rows: Vec<PlanningRow> = acc
        .into_iter()
        .map(|(code, (received, overdue))| PlanningRow {
            unit: code.to_string(),
            unit_name: names.get(code).copied().unwrap_or(code).to_string(),
            received,
            overdue,
            overdue_rate: if received == 0 { None } else { Some(overdue as f64 / received as f64) },
            interviews: interviews.get(code).copied().unwrap_or(0),
            rank: 0,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.received
            .cmp(&a.received)
            .then_with(|| b.overdue_rate.unwrap_or(0.0).total_cmp(&a.overdue_rate.unwrap_or(0.0)))
            .then_with(|| b.overdue.cmp(&a.overdue))
            .then_with(|| a.unit.cmp(&b.unit))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::interview::model::EntryKind;
    use sitegroup_core::UnitId;

    fn interview(state: InterviewState) -> Interview {
        Interview {
            id: 1,
            unit: UnitId(3),
            topic: "话题".into(),
            guests: vec![Guest { name: "王明".into(), post: "局长".into() }],
            host: "李华".into(),
            outline: String::new(),
            background: String::new(),
            starts_at: 100 * DAY,
            ends_at: 100 * DAY + 7200,
            state,
            announced_at: None,
            started_at: None,
            ended_at: None,
            archived_at: None,
            cancelled_at: None,
            cancel_reason: Some("嘉宾临时有公务".into()),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn question(id: i64, state: QuestionState) -> Question {
        Question {
            id,
            interview: 1,
            nickname: format!("网友{id}"),
            text: format!("问题{id}"),
            contact: Some("13912345678".into()),
            state,
            asked_at: id,
            moderated_at: None,
            moderated_by: None,
            reject_note: None,
            answer: None,
            answered_by: None,
            answered_at: None,
        }
    }

    #[test]
    fn lead_time_setting() {
        assert_eq!(lead_days(None).unwrap(), 7);
        assert_eq!(lead_days(Some(" 14 ")).unwrap(), 14);
        for bad in ["6", "15", "-3", "x", "7.5"] {
            assert!(matches!(lead_days(Some(bad)), Err(InterviewError::BadLeadTime { .. })), "{bad}");
        }
        assert!(check_lead_days(10).is_ok());
    }

    #[test]
    fn announcement_is_due_exactly_from_the_lead_time() {
        let start = 100 * DAY;
        let end = start + 3600;
        let from = start - 7 * DAY;
        assert_eq!(announce_from(start, 7), from);
        assert!(!announcement_due(InterviewState::Planned, start, end, 7, from - 1));
        assert!(announcement_due(InterviewState::Planned, start, end, 7, from));
        assert!(announcement_due(InterviewState::Planned, start, end, 7, start));
        assert!(!announcement_due(InterviewState::Planned, start, end, 7, end));
        assert!(announcement_due(InterviewState::Planned, start, end, 14, start - 14 * DAY));
        for s in [InterviewState::Announced, InterviewState::Cancelled, InterviewState::Live, InterviewState::Archived]
        {
            assert!(!announcement_due(s, start, end, 7, from), "{s:?}");
        }
    }

    #[test]
    fn the_state_machine() {
        use InterviewState::*;
        assert_eq!(step(Planned, Step::Announce).unwrap(), Announced);
        assert_eq!(step(Announced, Step::Start).unwrap(), Live);
        assert_eq!(step(Live, Step::End).unwrap(), Ended);
        assert_eq!(step(Ended, Step::Archive).unwrap(), Archived);
        assert_eq!(step(Announced, Step::Cancel).unwrap(), Cancelled);
        assert_eq!(step(Planned, Step::Edit).unwrap(), Planned);
        for (from, s) in [
            (Planned, Step::Start),
            (Live, Step::Cancel),
            (Live, Step::Edit),
            (Announced, Step::Announce),
            (Archived, Step::End),
            (Cancelled, Step::Announce),
            (Live, Step::Archive),
        ] {
            assert!(matches!(step(from, s), Err(InterviewError::IllegalTransition { .. })), "{from:?} {s:?}");
        }
    }

    #[test]
    fn questions_flow() {
        use InterviewState as I;
        use QuestionState as Q;
        assert!(may_ask(I::Announced).is_ok() && may_ask(I::Live).is_ok());
        for s in [I::Planned, I::Ended, I::Archived, I::Cancelled] {
            assert!(matches!(may_ask(s), Err(InterviewError::QuestionsClosed { .. })));
        }
        assert_eq!(moderate(I::Live, Q::Pending, true).unwrap(), Q::Approved);
        assert_eq!(moderate(I::Announced, Q::Pending, false).unwrap(), Q::Rejected);
        assert_eq!(moderate(I::Live, Q::Rejected, true).unwrap(), Q::Approved);
        assert!(moderate(I::Live, Q::Answered, false).is_err());
        assert!(moderate(I::Live, Q::Approved, true).is_err());
        assert!(moderate(I::Ended, Q::Pending, true).is_err());
        assert!(may_answer(I::Live, Q::Approved).is_ok());
        assert!(matches!(may_answer(I::Live, Q::Pending), Err(InterviewError::QuestionState { .. })));
        assert!(matches!(may_answer(I::Announced, Q::Approved), Err(InterviewError::NotLive { .. })));
        assert!(may_remark(I::Live).is_ok() && may_remark(I::Ended).is_err());
        let i = interview(I::Live);
        assert_eq!(speaker_name(&i, Speaker::Host, "whoever").unwrap(), "李华");
        assert_eq!(speaker_name(&i, Speaker::Guest, " 王明 ").unwrap(), "王明");
        assert!(matches!(speaker_name(&i, Speaker::Guest, "赵六"), Err(InterviewError::UnknownGuest(_))));
    }

    #[test]
    fn what_a_viewer_sees() {
        assert!(public_view(&interview(InterviewState::Planned), &[], vec![]).is_none());
        let qs = [
            question(1, QuestionState::Pending),
            question(2, QuestionState::Approved),
            question(3, QuestionState::Rejected),
            question(4, QuestionState::Answered),
        ];
        let entry = TranscriptEntry {
            seq: 1,
            at: 5,
            kind: EntryKind::Remark,
            speaker: Speaker::Host,
            name: "李华".into(),
            text: "欢迎".into(),
            question: None,
        };
        let announced = public_view(&interview(InterviewState::Announced), &qs, vec![entry.clone()]).unwrap();
        assert!(announced.visibility.ask && !announced.visibility.transcript);
        assert!(announced.transcript.is_empty());
        assert_eq!(announced.waiting.iter().map(|q| q.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(announced.answered, 1);
        assert_eq!(announced.cancel_reason, None);
        let json = serde_json::to_string(&announced).unwrap();
        assert!(!json.contains("13912345678"), "no contact in the public view");
        assert!(!json.contains("问题1") && !json.contains("问题3"), "no pending or rejected question");
        let live = public_view(&interview(InterviewState::Live), &qs, vec![entry.clone()]).unwrap();
        assert!(live.visibility.live && live.transcript.len() == 1);
        let archived = public_view(&interview(InterviewState::Archived), &qs, vec![entry]).unwrap();
        assert!(!archived.visibility.ask && archived.transcript.len() == 1);
        let mut cancelled = interview(InterviewState::Cancelled);
        assert!(public_view(&cancelled, &qs, vec![]).is_none(), "never announced: no page");
        cancelled.announced_at = Some(1);
        let v = public_view(&cancelled, &qs, vec![]).unwrap();
        assert!(v.waiting.is_empty() && !v.visibility.ask && !v.visibility.listed);
        assert_eq!(v.cancel_reason.as_deref(), Some("嘉宾临时有公务"));
        assert!(question_public(QuestionState::Answered) && !question_public(QuestionState::Pending));
    }

    #[test]
    fn history_is_checked_and_ordered() {
        use crate::interview::model::{HistoryInterview, HistoryQuestion, HistoryRemark, NewInterview};
        let plan = NewInterview {
            unit: "jyj".into(),
            topic: "话题".into(),
            guests: vec![Guest { name: "王明".into(), post: "局长".into() }],
            host: "李华".into(),
            starts_at: 1_000,
            ends_at: 5_000,
            ..Default::default()
        };
        let mut h = HistoryInterview {
            plan,
            announced_at: 10,
            started_at: 1_000,
            ended_at: 5_000,
            questions: vec![
                HistoryQuestion {
                    nickname: "甲".into(),
                    text: "问一".into(),
                    asked_at: 500,
                    answer: Some(("王明".into(), "答一".into(), 2_000)),
                },
                HistoryQuestion { nickname: String::new(), text: "问二".into(), asked_at: 600, answer: None },
                HistoryQuestion {
                    nickname: "丙".into(),
                    text: "问三".into(),
                    asked_at: 700,
                    answer: Some(("王明".into(), "答三".into(), 1_500)),
                },
            ],
            remarks: vec![
                HistoryRemark { at: 1_000, speaker: Speaker::Host, name: String::new(), text: "欢迎".into() },
                HistoryRemark { at: 2_000, speaker: Speaker::Guest, name: "王明".into(), text: "补充".into() },
            ],
        };
        let v = check_history(&h).unwrap();
        assert_eq!(
            v.order,
            vec![HistoryItem::Remark(0), HistoryItem::Answer(2), HistoryItem::Remark(1), HistoryItem::Answer(0)]
        );
        assert_eq!(v.remarks[0].name, "李华");
        assert_eq!(v.questions[1].nickname, "网友");
        h.questions[0].answer = Some(("赵六".into(), "答".into(), 2_000));
        assert!(matches!(check_history(&h), Err(InterviewError::UnknownGuest(_))));
        h.questions[0].answer = Some(("王明".into(), "答".into(), 9_000));
        assert!(matches!(check_history(&h), Err(InterviewError::BadHistory(_))));
        h.questions[0].answer = None;
        h.started_at = 6_000;
        assert!(matches!(check_history(&h), Err(InterviewError::BadHistory(_))));
    }

    fn t(unit: &str, due: Option<i64>, replied: Option<i64>) -> ReportTicket {
        ReportTicket { id: 0, unit: unit.into(), received_at: 0, due_at: due, replied_at: replied, rating: None }
    }

    #[test]
    fn planning_ranks_by_volume_then_overdue_rate() {
        let units: Vec<(String, String)> =
            ["a", "b", "c", "d"].iter().map(|c| (c.to_string(), format!("{c}局"))).collect();
        let as_of = 1_000;
        let tickets = vec![
            // a: 4 tickets, 2 overdue (one answered late, one open past its deadline).
            t("a", Some(100), Some(50)),
            t("a", Some(100), Some(100)),
            t("a", Some(100), Some(150)),
            t("a", Some(100), None),
            // b: 4 tickets, none overdue (one open, deadline still ahead; one answered
            // after as_of counts as open).
            t("b", Some(100), Some(10)),
            t("b", Some(100), Some(20)),
            t("b", Some(2_000), None),
            t("b", Some(5_000), Some(3_000)),
            // c: 2 tickets, both overdue.
            t("c", Some(100), Some(500)),
            t("c", Some(100), None),
            // Still with the leaders: not counted.
            t("", Some(1), None),
        ];
        let interviews: BTreeMap<String, u64> = [("c".to_string(), 1)].into();
        let rows = planning(&units, &tickets, &interviews, as_of);
        let got: Vec<(&str, u64, u64, usize)> =
            rows.iter().map(|r| (r.unit.as_str(), r.received, r.overdue, r.rank)).collect();
        assert_eq!(got, vec![("a", 4, 2, 1), ("b", 4, 0, 2), ("c", 2, 2, 3), ("d", 0, 0, 4)]);
        assert_eq!(rows[0].overdue_rate, Some(0.5));
        assert_eq!(rows[2].overdue_rate, Some(1.0));
        assert_eq!(rows[2].interviews, 1);
        assert_eq!(rows[3].overdue_rate, None);
        assert_eq!(rows[0].unit_name, "a局");
    }
}
