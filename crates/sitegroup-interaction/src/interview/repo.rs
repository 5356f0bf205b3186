//! Persistence of interviews, their questions and transcripts: the only SQL of the
//! interview module. Portable SQL for SQLite and PostgreSQL (`?` placeholders).
//!
//! State changes are conditional updates (`… WHERE id = ? AND state = ?`): a step that
//! lost a race changes nothing and reports `false`, so the facade can refuse it.
//! Transcript positions come from a per-interview counter bumped by an `UPDATE` (a row
//! lock on PostgreSQL, the one writer on SQLite), so two answers never share a `seq`.

use sitegroup_core::UnitId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};

use super::model::{
    AskedQuestion, EntryKind, Guest, Interview, InterviewState, Question, QuestionState, Speaker, TranscriptEntry,
    ValidInterview, ValidQuestion,
};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

const COLS: &str = "i.id, i.unit_id, i.topic, i.guests, i.host, i.outline, i.background, i.starts_at, i.ends_at, \
    i.state, i.announced_at, i.started_at, i.ended_at, i.archived_at, i.cancelled_at, i.cancel_reason, i.created_at, \
    i.updated_at";

fn interview_from(row: &Row) -> Result<Interview, StoreError> {
    let guests: String = row.get(3)?;
    let state: String = row.get(9)?;
    Ok(Interview {
        id: row.get(0)?,
        unit: UnitId(row.get(1)?),
        topic: row.get(2)?,
        guests: serde_json::from_str::<Vec<Guest>>(&guests).map_err(|e| corrupt("guests", e))?,
        host: row.get(4)?,
        outline: row.get(5)?,
        background: row.get(6)?,
        starts_at: row.get(7)?,
        ends_at: row.get(8)?,
        state: InterviewState::parse(&state).ok_or_else(|| corrupt("interview state", &state))?,
        announced_at: row.get(10)?,
        started_at: row.get(11)?,
        ended_at: row.get(12)?,
        archived_at: row.get(13)?,
        cancelled_at: row.get(14)?,
        cancel_reason: row.get(15)?,
        created_at: row.get(16)?,
        updated_at: row.get(17)?,
    })
}

fn guests_json(guests: &[Guest]) -> Result<String, StoreError> {
    serde_json::to_string(guests).map_err(|e| corrupt("guests", e))
}

/// Inserts a plan (state `planned`); returns its id.
pub fn insert_interview(tx: &mut Tx<'_>, v: &ValidInterview, unit: UnitId, at: i64) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO interviews (unit_id, topic, guests, host, outline, background, starts_at, ends_at, state, \
         entries, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?) RETURNING id",
        params![
            unit.0,
            v.topic.as_str(),
            guests_json(&v.guests)?,
            v.host.as_str(),
            v.outline.as_str(),
            v.background.as_str(),
            v.starts_at,
            v.ends_at,
            at,
            at
        ],
    )?
    .get(0)
}

/// Replaces the plan of an interview still in `state`; `false` when it is not.
pub fn update_plan(
    tx: &mut Tx<'_>,
    id: i64,
    state: InterviewState,
    v: &ValidInterview,
    unit: UnitId,
    at: i64,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "UPDATE interviews SET unit_id = ?, topic = ?, guests = ?, host = ?, outline = ?, background = ?, \
         starts_at = ?, ends_at = ?, updated_at = ? WHERE id = ? AND state = ?",
        params![
            unit.0,
            v.topic.as_str(),
            guests_json(&v.guests)?,
            v.host.as_str(),
            v.outline.as_str(),
            v.background.as_str(),
            v.starts_at,
            v.ends_at,
            at,
            id,
            state.as_str()
        ],
    )?;
    Ok(n == 1)
}

/// An interview by id.
pub fn interview(tx: &mut Tx<'_>, id: i64) -> Result<Option<Interview>, StoreError> {
    tx.query_opt(&format!("SELECT {COLS} FROM interviews i WHERE i.id = ?"), params![id])?
        .map(|r| interview_from(&r))
        .transpose()
}

/// Filter for interview lists.
#[derive(Debug, Clone, Default)]
pub struct InterviewFilter {
    /// Only these states (empty: all).
    pub states: Vec<InterviewState>,
    /// Only these units (`None`: all).
    pub units: Option<Vec<UnitId>>,
    /// Only those starting in `[from, to]`.
    pub starts_between: Option<(i64, i64)>,
}

/// Interviews by scheduled start, latest first.
pub fn interviews(tx: &mut Tx<'_>, f: &InterviewFilter) -> Result<Vec<Interview>, StoreError> {
    let mut sql = format!("SELECT {COLS} FROM interviews i WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if !f.states.is_empty() {
        sql.push_str(&format!(" AND i.state IN ({})", vec!["?"; f.states.len()].join(", ")));
        args.extend(f.states.iter().map(|s| Value::from(s.as_str())));
    }
    if let Some(units) = &f.units {
        if units.is_empty() {
            return Ok(vec![]);
        }
        sql.push_str(&format!(" AND i.unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::Int(u.0)));
    }
    if let Some((from, to)) = f.starts_between {
        sql.push_str(" AND i.starts_at >= ? AND i.starts_at <= ?");
        args.push(Value::Int(from));
        args.push(Value::Int(to));
    }
    sql.push_str(" ORDER BY i.starts_at DESC, i.id DESC");
    tx.query(&sql, &args)?.iter().map(interview_from).collect()
}

/// Planned interviews starting no later than `until` (candidates for announcement).
pub fn planned_starting_by(tx: &mut Tx<'_>, until: i64) -> Result<Vec<Interview>, StoreError> {
    tx.query(
        &format!(
            "SELECT {COLS} FROM interviews i WHERE i.state = 'planned' AND i.starts_at <= ? ORDER BY i.starts_at, i.id"
        ),
        params![until],
    )?
    .iter()
    .map(interview_from)
    .collect()
}

/// Moves an interview from `from` to `to` if it is still in `from`, stamping the
/// column of the new state (`announced_at`, `started_at` …) with `at`; a cancellation
/// also stores its reason. `false` when the interview was not in `from`.
pub fn set_state(
    tx: &mut Tx<'_>,
    id: i64,
    from: InterviewState,
    to: InterviewState,
    at: i64,
    reason: Option<&str>,
) -> Result<bool, StoreError> {
    let stamp = match to {
        InterviewState::Announced => "announced_at",
        InterviewState::Live => "started_at",
        InterviewState::Ended => "ended_at",
        InterviewState::Archived => "archived_at",
        InterviewState::Cancelled => "cancelled_at",
        InterviewState::Planned => "updated_at",
    };
    let n = tx.execute(
        &format!(
            "UPDATE interviews SET state = ?, {stamp} = ?, cancel_reason = COALESCE(?, cancel_reason), updated_at = ? \
             WHERE id = ? AND state = ?"
        ),
        params![to.as_str(), at, reason, at, id, from.as_str()],
    )?;
    Ok(n == 1)
}

/// Sets the history stamps of an imported interview (archived at `archived_at`).
pub fn set_history(
    tx: &mut Tx<'_>,
    id: i64,
    announced_at: i64,
    started_at: i64,
    ended_at: i64,
    archived_at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE interviews SET state = 'archived', announced_at = ?, started_at = ?, ended_at = ?, archived_at = ?, \
         updated_at = ? WHERE id = ?",
        params![announced_at, started_at, ended_at, archived_at, archived_at, id],
    )?;
    Ok(())
}

/// Interviews per unit code starting in `[from, to]`, cancelled ones left out.
pub fn interviews_per_unit(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Vec<(String, u64)>, StoreError> {
    tx.query(
        "SELECT u.code, COUNT(*) FROM interviews i JOIN units u ON u.id = i.unit_id \
         WHERE i.state <> 'cancelled' AND i.starts_at >= ? AND i.starts_at <= ? GROUP BY u.code ORDER BY u.code",
        params![from, to],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get::<i64>(1)?.max(0).unsigned_abs())))
    .collect()
}

// ---------------------------------------------------------------------------------
// Questions.

const QCOLS: &str = "q.id, q.interview_id, q.nickname, q.text, q.contact, q.state, q.asked_at, q.moderated_at, \
    q.moderated_by, q.reject_note, q.answer, q.answered_by, q.answered_at";

fn question_from(row: &Row) -> Result<Question, StoreError> {
    let state: String = row.get(5)?;
    Ok(Question {
        id: row.get(0)?,
        interview: row.get(1)?,
        nickname: row.get(2)?,
        text: row.get(3)?,
        contact: row.get(4)?,
        state: QuestionState::parse(&state).ok_or_else(|| corrupt("question state", &state))?,
        asked_at: row.get(6)?,
        moderated_at: row.get(7)?,
        moderated_by: row.get(8)?,
        reject_note: row.get(9)?,
        answer: row.get(10)?,
        answered_by: row.get(11)?,
        answered_at: row.get(12)?,
    })
}

/// Inserts a question (state `pending`). `Ok(None)` when the idempotency key is
/// already used (the caller loads that question).
pub fn insert_question(tx: &mut Tx<'_>, interview: i64, q: &ValidQuestion, at: i64) -> Result<Option<i64>, StoreError> {
    let row = tx.query_opt(
        "INSERT INTO interview_questions (interview_id, nickname, text, contact, state, asked_at, idempotency_key) \
         VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        params![
            interview,
            q.nickname.as_str(),
            q.text.as_str(),
            q.contact.as_deref(),
            at,
            q.idempotency_key.as_deref()
        ],
    )?;
    row.map(|r| r.get(0)).transpose()
}

/// Inserts a question of a history interview as it ended up (answered or rejected).
pub fn insert_history_question(
    tx: &mut Tx<'_>,
    interview: i64,
    nickname: &str,
    text: &str,
    asked_at: i64,
    answer: Option<(&str, &str, i64)>,
) -> Result<i64, StoreError> {
    let state = if answer.is_some() { QuestionState::Answered } else { QuestionState::Rejected };
    tx.query_one(
        "INSERT INTO interview_questions (interview_id, nickname, text, state, asked_at, moderated_at, moderated_by, \
         answer, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, 'import', ?, ?, ?) RETURNING id",
        params![
            interview,
            nickname,
            text,
            state.as_str(),
            asked_at,
            asked_at,
            answer.map(|a| a.1),
            answer.map(|a| a.0),
            answer.map(|a| a.2)
        ],
    )?
    .get(0)
}

/// A question by id.
pub fn question(tx: &mut Tx<'_>, id: i64) -> Result<Option<Question>, StoreError> {
    tx.query_opt(&format!("SELECT {QCOLS} FROM interview_questions q WHERE q.id = ?"), params![id])?
        .map(|r| question_from(&r))
        .transpose()
}

/// A question by idempotency key.
pub fn question_by_key(tx: &mut Tx<'_>, key: &str) -> Result<Option<Question>, StoreError> {
    tx.query_opt(&format!("SELECT {QCOLS} FROM interview_questions q WHERE q.idempotency_key = ?"), params![key])?
        .map(|r| question_from(&r))
        .transpose()
}

/// Every question of an interview, oldest first.
pub fn questions(tx: &mut Tx<'_>, interview: i64) -> Result<Vec<Question>, StoreError> {
    tx.query(
        &format!("SELECT {QCOLS} FROM interview_questions q WHERE q.interview_id = ? ORDER BY q.asked_at, q.id"),
        params![interview],
    )?
    .iter()
    .map(question_from)
    .collect()
}

/// Question counts per interview and state: `(interview, state, count)`.
pub fn question_counts(tx: &mut Tx<'_>) -> Result<Vec<(i64, QuestionState, u64)>, StoreError> {
    tx.query("SELECT interview_id, state, COUNT(*) FROM interview_questions GROUP BY interview_id, state", params![])?
        .iter()
        .map(|r| {
            let state: String = r.get(1)?;
            Ok((
                r.get(0)?,
                QuestionState::parse(&state).ok_or_else(|| corrupt("question state", &state))?,
                r.get::<i64>(2)?.max(0).unsigned_abs(),
            ))
        })
        .collect()
}

/// Records a moderation decision if the question is still in `from`.
pub fn moderate_question(
    tx: &mut Tx<'_>,
    id: i64,
    from: QuestionState,
    to: QuestionState,
    at: i64,
    by: &str,
    note: Option<&str>,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "UPDATE interview_questions SET state = ?, moderated_at = ?, moderated_by = ?, reject_note = ? \
         WHERE id = ? AND state = ?",
        params![to.as_str(), at, by, note, id, from.as_str()],
    )?;
    Ok(n == 1)
}

/// Records the answer of an approved question; `false` when it is no longer approved.
pub fn answer_question(tx: &mut Tx<'_>, id: i64, guest: &str, answer: &str, at: i64) -> Result<bool, StoreError> {
    let n = tx.execute(
        "UPDATE interview_questions SET state = 'answered', answer = ?, answered_by = ?, answered_at = ? \
         WHERE id = ? AND state = 'approved'",
        params![answer, guest, at, id],
    )?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------
// The transcript.

/// What a new transcript entry holds.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// When.
    pub at: i64,
    /// Remark or answer.
    pub kind: EntryKind,
    /// Host or guest.
    pub speaker: Speaker,
    /// The speaker's name.
    pub name: &'a str,
    /// Text.
    pub text: &'a str,
    /// For answers: the question.
    pub question: Option<i64>,
}

/// Appends an entry at the next position of the interview's transcript; returns it
/// as read back (with its question).
pub fn append_entry(tx: &mut Tx<'_>, interview: i64, e: &NewEntry<'_>) -> Result<TranscriptEntry, StoreError> {
    let seq: i64 = tx
        .query_one("UPDATE interviews SET entries = entries + 1 WHERE id = ? RETURNING entries", params![interview])?
        .get(0)?;
    tx.execute(
        "INSERT INTO interview_transcript (interview_id, seq, at, kind, speaker, name, text, question_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![interview, seq, e.at, e.kind.as_str(), e.speaker.as_str(), e.name, e.text, e.question],
    )?;
    transcript(tx, interview, seq - 1)?.into_iter().next().ok_or_else(|| corrupt("transcript", "entry vanished"))
}

/// The transcript of an interview after position `after` (0: all), in order. Answer
/// entries carry their question's nickname and text, never its contact.
pub fn transcript(tx: &mut Tx<'_>, interview: i64, after: i64) -> Result<Vec<TranscriptEntry>, StoreError> {
    tx.query(
        "SELECT t.seq, t.at, t.kind, t.speaker, t.name, t.text, q.id, q.nickname, q.text FROM interview_transcript t \
         LEFT JOIN interview_questions q ON q.id = t.question_id WHERE t.interview_id = ? AND t.seq > ? ORDER BY t.seq",
        params![interview, after],
    )?
    .iter()
    .map(|r| {
        let kind: String = r.get(2)?;
        let speaker: String = r.get(3)?;
        let question = match r.get::<Option<i64>>(6)? {
            Some(id) => Some(AskedQuestion { id, nickname: r.get(7)?, text: r.get(8)? }),
            None => None,
        };
        Ok(TranscriptEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            kind: EntryKind::parse(&kind).ok_or_else(|| corrupt("entry kind", &kind))?,
            speaker: Speaker::parse(&speaker).ok_or_else(|| corrupt("speaker", &speaker))?,
            name: r.get(4)?,
            text: r.get(5)?,
            question,
        })
    })
    .collect()
}
