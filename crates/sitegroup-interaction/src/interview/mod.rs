//! 在线访谈 (online interview): a unit's session with its head and other guests,
//! planned by the information centre (unit, topic, guests, host, outline, background,
//! time), announced automatically 1–2 weeks ahead (a setting), with questions from
//! citizens collected before and during it, moderated, answered live and kept as an
//! ordered transcript (文字实录) when it is archived; and the yearly planning view that
//! ranks units as candidates by ticket volume and overdue rate.
//!
//! **What it owns.** The model and its validation ([`model`]), the pure rules — the
//! state machine, when to announce, what may be asked, moderated and answered, what a
//! viewer may see, the planning ranking ([`rules`]) — and the SQL of its three tables
//! ([`repo`], [`migrations`], migration module `interview`).
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize`), read
//! the clock (times come in), speak HTTP, or render text: questions and answers are
//! stored as typed (HTML stays text) and escaped by whoever shows them. It reads the
//! ticket tables only through [`crate::repo::report_rows`] and never writes them.
//!
//! **Invariants.**
//! - A planned interview is invisible to the public; a question is public only once
//!   approved; a question's contact is in no public type ([`rules::PublicInterview`],
//!   [`model::TranscriptEntry`]).
//! - An interview is announced at most once (the state moves `planned → announced` by
//!   a conditional update); a cancelled one never is.
//! - Transcript positions (`seq`) of an interview are 1, 2, 3 … without gaps or
//!   repeats (a per-interview counter, unique index).
//! - An answered question was approved, and has exactly one answer entry.
//! - An idempotency key yields at most one question (unique index).

pub mod model;
pub mod repo;
pub mod rules;

pub use model::{
    AskedQuestion, EntryKind, Guest, HistoryInterview, HistoryQuestion, HistoryRemark, Interview, InterviewState,
    NewInterview, NewQuestion, Question, QuestionState, Speaker, TranscriptEntry, ValidInterview, ValidQuestion,
};
pub use rules::{PlanningRow, PublicInterview, PublicQuestion, Step, Visibility};

use sitegroup_core::ValidationError;
use sitegroup_store::StoreError;

/// Errors of the interview rules. All but [`InterviewError::Store`] are the user's
/// fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InterviewError {
    /// A field check failed (empty, too long, bad contact, end before start …).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No interview with this id (or, publicly, none visible).
    #[error("interview {0} not found")]
    NotFound(i64),
    /// No question with this id.
    #[error("question {0} not found")]
    QuestionNotFound(i64),
    /// No unit with this code.
    #[error("unknown unit {0:?}")]
    UnknownUnit(String),
    /// The name is not one of the interview's guests.
    #[error("{0:?} is not a guest of this interview")]
    UnknownGuest(String),
    /// The interview's flow does not allow this step now.
    #[error("cannot {action} an interview in state {}", .from.as_str())]
    IllegalTransition {
        /// Current state.
        from: InterviewState,
        /// The step asked for.
        action: &'static str,
    },
    /// Questions are taken only while the interview is announced or live.
    #[error("questions are not taken while the interview is {}", .state.as_str())]
    QuestionsClosed {
        /// Current state.
        state: InterviewState,
    },
    /// Answers and remarks are given only while live.
    #[error("the interview is {}, not live", .state.as_str())]
    NotLive {
        /// Current state.
        state: InterviewState,
    },
    /// The question's state does not allow this step.
    #[error("cannot {action} a question in state {}", .from.as_str())]
    QuestionState {
        /// Current state.
        from: QuestionState,
        /// The step asked for.
        action: &'static str,
    },
    /// The announcement lead time must be 7 to 14 days.
    #[error("a lead time of {days} days is not allowed (7 to 14)")]
    BadLeadTime {
        /// The days asked for (-1 when not a number).
        days: i64,
    },
    /// A history interview's times are out of order.
    #[error("the times of the history interview are out of order: {0}")]
    BadHistory(String),
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
}

impl InterviewError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, InterviewError::Store(_))
    }
}

/// This module's migrations (module `interview`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "interview",
        version: 1,
        name: "interviews, questions, transcripts",
        sql: "CREATE TABLE interviews (
            id {{id}},
            unit_id BIGINT NOT NULL REFERENCES units(id),
            topic TEXT NOT NULL,
            guests TEXT NOT NULL,
            host TEXT NOT NULL,
            outline TEXT NOT NULL,
            background TEXT NOT NULL,
            starts_at BIGINT NOT NULL,
            ends_at BIGINT NOT NULL,
            state TEXT NOT NULL,
            entries BIGINT NOT NULL,
            announced_at BIGINT,
            started_at BIGINT,
            ended_at BIGINT,
            archived_at BIGINT,
            cancelled_at BIGINT,
            cancel_reason TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX interviews_state_start ON interviews (state, starts_at);
        CREATE INDEX interviews_unit_start ON interviews (unit_id, starts_at);
        CREATE TABLE interview_questions (
            id {{id}},
            interview_id BIGINT NOT NULL REFERENCES interviews(id),
            nickname TEXT NOT NULL,
            text TEXT NOT NULL,
            contact TEXT,
            state TEXT NOT NULL,
            asked_at BIGINT NOT NULL,
            moderated_at BIGINT,
            moderated_by TEXT,
            reject_note TEXT,
            answer TEXT,
            answered_by TEXT,
            answered_at BIGINT,
            idempotency_key TEXT
        );
        CREATE UNIQUE INDEX interview_questions_key ON interview_questions (idempotency_key);
        CREATE INDEX interview_questions_interview ON interview_questions (interview_id, state);
        CREATE TABLE interview_transcript (
            id {{id}},
            interview_id BIGINT NOT NULL REFERENCES interviews(id),
            seq BIGINT NOT NULL,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            speaker TEXT NOT NULL,
            name TEXT NOT NULL,
            text TEXT NOT NULL,
            question_id BIGINT REFERENCES interview_questions(id)
        );
        CREATE UNIQUE INDEX interview_transcript_seq ON interview_transcript (interview_id, seq);
        CREATE UNIQUE INDEX interview_transcript_question ON interview_transcript (question_id);",
        postgres_sql: None,
    }]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sitegroup_core::UnitId;
    use sitegroup_store::testing::for_each_driver;
    use sitegroup_store::{core_repo, params};

    fn plan() -> ValidInterview {
        NewInterview {
            unit: "jyj".into(),
            topic: "招生政策解读".into(),
            guests: vec![Guest { name: "王明".into(), post: "局长".into() }],
            host: "李华".into(),
            outline: String::new(),
            background: String::new(),
            starts_at: 1_000_000,
            ends_at: 1_003_600,
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn interview_rows_round_trip_on_both_drivers() {
        for_each_driver(|db| {
            db.migrate(core_repo::migrations()).unwrap();
            db.migrate(&migrations()).unwrap();
            db.write(|tx| {
                tx.execute(
                    "INSERT INTO units (code, name, kind, created_at) VALUES ('jyj', '教育局', 'department', 0)",
                    params![],
                )?;
                let unit = UnitId(tx.query_one("SELECT id FROM units", params![])?.get(0)?);
                let id = repo::insert_interview(tx, &plan(), unit, 5)?;
                let i = repo::interview(tx, id)?.unwrap();
                assert_eq!((i.state, i.guests.len(), i.unit), (InterviewState::Planned, 1, unit));
                // Announce once; the second conditional update changes nothing.
                assert!(repo::set_state(tx, id, InterviewState::Planned, InterviewState::Announced, 7, None)?);
                assert!(!repo::set_state(tx, id, InterviewState::Planned, InterviewState::Announced, 8, None)?);
                assert_eq!(repo::interview(tx, id)?.unwrap().announced_at, Some(7));
                let q = NewQuestion {
                    nickname: "老张".into(),
                    text: "<b>学区</b>怎么划？".into(),
                    contact: Some("13912345678".into()),
                    idempotency_key: Some("k1".into()),
                }
                .validate()
                .unwrap();
                let qid = repo::insert_question(tx, id, &q, 9)?.unwrap();
                assert_eq!(repo::insert_question(tx, id, &q, 10)?, None, "one question per key");
                assert!(repo::moderate_question(
                    tx,
                    qid,
                    QuestionState::Pending,
                    QuestionState::Approved,
                    11,
                    "x",
                    None
                )?);
                assert!(repo::answer_question(tx, qid, "王明", "按片区划分。", 12)?);
                assert!(!repo::answer_question(tx, qid, "王明", "again", 13)?);
                let remark = repo::NewEntry {
                    at: 12,
                    kind: EntryKind::Remark,
                    speaker: Speaker::Host,
                    name: "李华",
                    text: "欢迎",
                    question: None,
                };
                let e1 = repo::append_entry(tx, id, &remark)?;
                let e2 = repo::append_entry(
                    tx,
                    id,
                    &repo::NewEntry {
                        kind: EntryKind::Answer,
                        speaker: Speaker::Guest,
                        name: "王明",
                        text: "按片区划分。",
                        question: Some(qid),
                        ..remark
                    },
                )?;
                assert_eq!((e1.seq, e2.seq), (1, 2));
                assert_eq!(e2.question.as_ref().map(|q| q.text.as_str()), Some("<b>学区</b>怎么划？"));
                let all = repo::transcript(tx, id, 0)?;
                assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
                assert_eq!(repo::transcript(tx, id, 1)?.len(), 1);
                let counts = repo::question_counts(tx)?;
                assert_eq!(counts, vec![(id, QuestionState::Answered, 1)]);
                assert_eq!(repo::interviews_per_unit(tx, 0, 2_000_000)?, vec![("jyj".to_string(), 1)]);
                Ok::<_, sitegroup_store::StoreError>(())
            })
            .unwrap();
        });
    }
}
