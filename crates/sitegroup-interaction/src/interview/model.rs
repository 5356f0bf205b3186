//! The interview's data: the plan ([`NewInterview`] → [`ValidInterview`] → [`Interview`]),
//! citizens' questions ([`NewQuestion`] → [`ValidQuestion`] → [`Question`]) and the
//! transcript ([`TranscriptEntry`]), with their validation. Pure values: no SQL, no
//! clock, no permissions.
//!
//! Text is stored as typed (trimmed at the ends): HTML in a question stays text and is
//! escaped by whoever shows it. A question's contact is for the moderators only: no
//! public type of this module has a field for it.

use serde::{Deserialize, Serialize};
use sitegroup_core::{UnitId, ValidationError};

use crate::model::{valid_email, valid_phone};

/// Longest topic (访谈主题), in characters.
pub const MAX_TOPIC_CHARS: usize = 200;
/// Most guests (嘉宾) of one interview.
pub const MAX_GUESTS: usize = 10;
/// Longest name (guest, host, nickname's upper bound for people), in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Longest post (职务) of a guest.
pub const MAX_POST_CHARS: usize = 100;
/// Longest outline (访谈提纲).
pub const MAX_OUTLINE_CHARS: usize = 5_000;
/// Longest background material (背景资料).
pub const MAX_BACKGROUND_CHARS: usize = 20_000;
/// Longest question.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// Longest nickname (网名) of a citizen asking.
pub const MAX_NICKNAME_CHARS: usize = 30;
/// Longest contact (phone or e-mail).
pub const MAX_CONTACT_CHARS: usize = 254;
/// Longest answer or remark.
pub const MAX_ANSWER_CHARS: usize = 10_000;
/// Longest moderation note.
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest session: 12 hours.
pub const MAX_DURATION_SECS: i64 = 12 * 3600;
/// The nickname used when a citizen gives none.
pub const DEFAULT_NICKNAME: &str = "网友";

/// A short single-line text: trimmed, non-empty, at most `max` characters, no control
/// characters.
fn line(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    sitegroup_core::error::required_text(field, value, max)
}

/// A multi-line text: trimmed, non-empty, at most `max` characters; line breaks and tabs
/// allowed, other control characters (NUL …) refused.
pub fn multiline(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    if trimmed.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ValidationError::Malformed { field, reason: "contains control characters".into() });
    }
    Ok(trimmed.to_string())
}

/// [`multiline`] that may be empty.
fn optional_text(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    if value.trim().is_empty() { Ok(String::new()) } else { multiline(field, value, max) }
}

/// 嘉宾 (a guest): a name and a post, e.g. `王明`, `县教育局局长`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guest {
    /// Name.
    pub name: String,
    /// Post (职务); may be empty.
    pub post: String,
}

/// 访谈状态 (the state of an interview).
///
/// ```text
/// planned ──announce (at start − lead time, or by hand)──► announced ──start──► live ──end──► ended ──archive──► archived
///    └──────────────┴──cancel──► cancelled
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewState {
    /// 筹备中: planned, not public yet.
    Planned,
    /// 已预告: announced; questions are collected.
    Announced,
    /// 直播中: live; questions are answered and streamed.
    Live,
    /// 已结束: over; the transcript is shown, not yet archived.
    Ended,
    /// 已归档: archived with its transcript (terminal).
    Archived,
    /// 已取消 (terminal).
    Cancelled,
}

impl InterviewState {
    /// Every state, in the order of the flow.
    pub const ALL: [InterviewState; 6] = [
        InterviewState::Planned,
        InterviewState::Announced,
        InterviewState::Live,
        InterviewState::Ended,
        InterviewState::Archived,
        InterviewState::Cancelled,
    ];

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewState::Planned => "planned",
            InterviewState::Announced => "announced",
            InterviewState::Live => "live",
            InterviewState::Ended => "ended",
            InterviewState::Archived => "archived",
            InterviewState::Cancelled => "cancelled",
        }
    }

    /// Parses [`InterviewState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<InterviewState> {
        InterviewState::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A plan as typed by the information centre.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInterview {
    /// Code of the unit whose head answers (访谈单位).
    pub unit: String,
    /// 访谈主题.
    pub topic: String,
    /// 嘉宾, 1 to [`MAX_GUESTS`].
    pub guests: Vec<Guest>,
    /// 主持人 (the host).
    pub host: String,
    /// 访谈提纲 (may be empty while planning).
    pub outline: String,
    /// 背景资料 (may be empty while planning).
    pub background: String,
    /// Scheduled start, unix seconds.
    pub starts_at: i64,
    /// Scheduled end, unix seconds.
    pub ends_at: i64,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidInterview {
    /// Unit code, lowercase.
    pub unit: String,
    /// Topic.
    pub topic: String,
    /// Guests (names unique).
    pub guests: Vec<Guest>,
    /// Host.
    pub host: String,
    /// Outline.
    pub outline: String,
    /// Background.
    pub background: String,
    /// Start.
    pub starts_at: i64,
    /// End.
    pub ends_at: i64,
}

impl NewInterview {
    /// Checks and normalises: a unit code; topic 1–200 characters; 1–10 guests with
    /// distinct names; a host; outline and background within their limits; the end after
    /// the start and at most 12 hours later.
    pub fn validate(&self) -> Result<ValidInterview, ValidationError> {
        let unit = line("unit", &self.unit, 64)?.to_ascii_lowercase();
        let topic = line("topic", &self.topic, MAX_TOPIC_CHARS)?;
        if self.guests.is_empty() {
            return Err(ValidationError::Empty { field: "guests" });
        }
        if self.guests.len() > MAX_GUESTS {
            return Err(ValidationError::TooLong { field: "guests", len: self.guests.len(), max: MAX_GUESTS });
        }
        let mut guests: Vec<Guest> = Vec::with_capacity(self.guests.len());
        for g in &self.guests {
            let name = line("guest name", &g.name, MAX_NAME_CHARS)?;
            let post =
                if g.post.trim().is_empty() { String::new() } else { line("guest post", &g.post, MAX_POST_CHARS)? };
            if guests.iter().any(|x| x.name == name) {
                return Err(ValidationError::Malformed { field: "guests", reason: format!("{name} is listed twice") });
            }
            guests.push(Guest { name, post });
        }
        let host = line("host", &self.host, MAX_NAME_CHARS)?;
        let outline = optional_text("outline", &self.outline, MAX_OUTLINE_CHARS)?;
        let background = optional_text("background", &self.background, MAX_BACKGROUND_CHARS)?;
        if self.ends_at <= self.starts_at {
            return Err(ValidationError::Malformed {
                field: "ends_at",
                reason: "the end must come after the start".into(),
            });
        }
        if self.ends_at - self.starts_at > MAX_DURATION_SECS {
            return Err(ValidationError::Malformed {
                field: "ends_at",
                reason: "a session lasts at most 12 hours".into(),
            });
        }
        Ok(ValidInterview {
            unit,
            topic,
            guests,
            host,
            outline,
            background,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        })
    }
}

/// An interview as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    /// Database id.
    pub id: i64,
    /// The unit whose head answers.
    pub unit: UnitId,
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
    /// When it was announced.
    pub announced_at: Option<i64>,
    /// When it went live.
    pub started_at: Option<i64>,
    /// When it ended.
    pub ended_at: Option<i64>,
    /// When it was archived.
    pub archived_at: Option<i64>,
    /// When it was cancelled.
    pub cancelled_at: Option<i64>,
    /// Why it was cancelled (public once it had been announced).
    pub cancel_reason: Option<String>,
    /// Created.
    pub created_at: i64,
    /// Last changed.
    pub updated_at: i64,
}

impl Interview {
    /// The guest with this name.
    pub fn guest(&self, name: &str) -> Option<&Guest> {
        self.guests.iter().find(|g| g.name == name.trim())
    }
}

/// 提问状态 (a question's moderation state).
///
/// ```text
/// pending ──approve──► approved ──answer (live)──► answered
///    └──reject──► rejected ◄──reject── approved;  rejected ──approve──► approved
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionState {
    /// 待审核.
    Pending,
    /// 已采纳: public, waiting for an answer.
    Approved,
    /// 未采纳: never public.
    Rejected,
    /// 已回答.
    Answered,
}

impl QuestionState {
    /// Every state.
    pub const ALL: [QuestionState; 4] =
        [QuestionState::Pending, QuestionState::Approved, QuestionState::Rejected, QuestionState::Answered];

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionState::Pending => "pending",
            QuestionState::Approved => "approved",
            QuestionState::Rejected => "rejected",
            QuestionState::Answered => "answered",
        }
    }

    /// Parses [`QuestionState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<QuestionState> {
        QuestionState::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A question as typed by a citizen (no account).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQuestion {
    /// 网名; [`DEFAULT_NICKNAME`] when empty.
    pub nickname: String,
    /// The question, plain text.
    pub text: String,
    /// A phone number or e-mail address for the moderators; never shown publicly.
    pub contact: Option<String>,
    /// One key per form render: a double submit yields one question.
    pub idempotency_key: Option<String>,
}

/// A checked question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidQuestion {
    /// Nickname.
    pub nickname: String,
    /// Text.
    pub text: String,
    /// Contact.
    pub contact: Option<String>,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
}

impl NewQuestion {
    /// Checks: nickname at most 30 characters (default 网友); text 1–1,000 characters;
    /// a contact, when given, is a valid phone number or e-mail address; a key of at
    /// most 100 characters.
    pub fn validate(&self) -> Result<ValidQuestion, ValidationError> {
        let nickname = if self.nickname.trim().is_empty() {
            DEFAULT_NICKNAME.to_string()
        } else {
            line("nickname", &self.nickname, MAX_NICKNAME_CHARS)?
        };
        let text = multiline("question", &self.text, MAX_QUESTION_CHARS)?;
        let contact = match self.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => {
                let c = line("contact", c, MAX_CONTACT_CHARS)?;
                if !valid_phone(&c) && !valid_email(&c) {
                    return Err(ValidationError::Malformed {
                        field: "contact",
                        reason: "neither a phone number nor an e-mail address".into(),
                    });
                }
                Some(c)
            }
        };
        let idempotency_key = match self.idempotency_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => Some(line("idempotency key", k, 100)?),
        };
        Ok(ValidQuestion { nickname, text, contact, idempotency_key })
    }
}

/// A question as stored (back office: includes the contact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Database id.
    pub id: i64,
    /// The interview.
    pub interview: i64,
    /// Nickname.
    pub nickname: String,
    /// Text as typed.
    pub text: String,
    /// Contact, for the moderators only.
    pub contact: Option<String>,
    /// State.
    pub state: QuestionState,
    /// Asked.
    pub asked_at: i64,
    /// Last moderated.
    pub moderated_at: Option<i64>,
    /// Who moderated (actor label).
    pub moderated_by: Option<String>,
    /// Why it was not taken (moderators only).
    pub reject_note: Option<String>,
    /// The answer.
    pub answer: Option<String>,
    /// The guest who answered.
    pub answered_by: Option<String>,
    /// Answered.
    pub answered_at: Option<i64>,
}

/// Who speaks in a transcript entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// 主持人.
    Host,
    /// 嘉宾.
    Guest,
}

impl Speaker {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Host => "host",
            Speaker::Guest => "guest",
        }
    }

    /// Parses [`Speaker::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Speaker> {
        [Speaker::Host, Speaker::Guest].into_iter().find(|x| x.as_str() == s)
    }
}

/// What a transcript entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A remark of the host or a guest.
    Remark,
    /// A guest's answer to a citizen's question.
    Answer,
}

impl EntryKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Remark => "remark",
            EntryKind::Answer => "answer",
        }
    }

    /// Parses [`EntryKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<EntryKind> {
        [EntryKind::Remark, EntryKind::Answer].into_iter().find(|x| x.as_str() == s)
    }
}

/// The question an answer answers, as the public sees it (never the contact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedQuestion {
    /// Question id.
    pub id: i64,
    /// Nickname.
    pub nickname: String,
    /// Text as typed.
    pub text: String,
}

/// One entry of the transcript (文字实录), in order of `seq` (1, 2, 3 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// Position in the transcript, from 1.
    pub seq: i64,
    /// When it was said.
    pub at: i64,
    /// Remark or answer.
    pub kind: EntryKind,
    /// Host or guest.
    pub speaker: Speaker,
    /// The speaker's name.
    pub name: String,
    /// What was said.
    pub text: String,
    /// For answers: the question.
    pub question: Option<AskedQuestion>,
}

/// A history interview to import whole (sessions held before the platform, or the
/// demo): the plan, when it was held, its questions and remarks with their times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryInterview {
    /// The plan.
    pub plan: NewInterview,
    /// When it was announced.
    pub announced_at: i64,
    /// When it went live.
    pub started_at: i64,
    /// When it ended.
    pub ended_at: i64,
    /// Questions, with answers for those answered.
    pub questions: Vec<HistoryQuestion>,
    /// Remarks of the host and the guests.
    pub remarks: Vec<HistoryRemark>,
}

/// A question of a history interview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuestion {
    /// Nickname.
    pub nickname: String,
    /// Text.
    pub text: String,
    /// Asked.
    pub asked_at: i64,
    /// `None`: not taken (rejected). Some: the guest's name, the answer and when.
    pub answer: Option<(String, String, i64)>,
}

/// A remark of a history interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRemark {
    /// When.
    pub at: i64,
    /// Host or guest.
    pub speaker: Speaker,
    /// Name (a guest's name; the host's for the host).
    pub name: String,
    /// Text.
    pub text: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn plan() -> NewInterview {
        NewInterview {
            unit: " JYJ ".into(),
            topic: "义务教育阶段招生政策解读".into(),
            guests: vec![Guest { name: "王明".into(), post: "县教育局局长".into() }],
            host: "李华".into(),
            outline: "一、招生范围\n二、报名时间".into(),
            background: String::new(),
            starts_at: 1_000_000,
            ends_at: 1_000_000 + 7200,
        }
    }

    #[test]
    fn plans_are_checked() {
        let v = plan().validate().unwrap();
        assert_eq!(v.unit, "jyj");
        assert_eq!(v.outline, "一、招生范围\n二、报名时间");
        let mut p = plan();
        p.guests.clear();
        assert_eq!(p.validate(), Err(ValidationError::Empty { field: "guests" }));
        let mut p = plan();
        p.guests.push(Guest { name: "王明".into(), post: String::new() });
        assert!(matches!(p.validate(), Err(ValidationError::Malformed { field: "guests", .. })));
        let mut p = plan();
        p.ends_at = p.starts_at;
        assert!(matches!(p.validate(), Err(ValidationError::Malformed { field: "ends_at", .. })));
        let mut p = plan();
        p.ends_at = p.starts_at + MAX_DURATION_SECS + 1;
        assert!(matches!(p.validate(), Err(ValidationError::Malformed { field: "ends_at", .. })));
        let mut p = plan();
        p.background = "字".repeat(MAX_BACKGROUND_CHARS + 1);
        assert!(matches!(p.validate(), Err(ValidationError::TooLong { field: "background", .. })));
        let mut p = plan();
        p.topic = "  ".into();
        assert_eq!(p.validate(), Err(ValidationError::Empty { field: "topic" }));
    }

    #[test]
    fn questions_are_checked_and_keep_html_as_text() {
        let q = NewQuestion { text: " <script>alert(1)</script>学区怎么划？ ".into(), ..Default::default() };
        let v = q.validate().unwrap();
        assert_eq!(v.nickname, DEFAULT_NICKNAME);
        assert_eq!(v.text, "<script>alert(1)</script>学区怎么划？");
        let long = NewQuestion { text: "问".repeat(MAX_QUESTION_CHARS + 1), ..Default::default() };
        assert_eq!(
            long.validate(),
            Err(ValidationError::TooLong { field: "question", len: MAX_QUESTION_CHARS + 1, max: MAX_QUESTION_CHARS })
        );
        let nul = NewQuestion { text: "a\0b".into(), ..Default::default() };
        assert!(matches!(nul.validate(), Err(ValidationError::Malformed { field: "question", .. })));
        let bad = NewQuestion { text: "问".into(), contact: Some("not a contact".into()), ..Default::default() };
        assert!(matches!(bad.validate(), Err(ValidationError::Malformed { field: "contact", .. })));
        for ok in ["13912345678", "zhang@example.cn"] {
            let q = NewQuestion { text: "问".into(), contact: Some(ok.into()), ..Default::default() };
            assert_eq!(q.validate().unwrap().contact.as_deref(), Some(ok));
        }
        let empty = NewQuestion { text: "\n \t".into(), ..Default::default() };
        assert_eq!(empty.validate(), Err(ValidationError::Empty { field: "question" }));
    }

    #[test]
    fn names_round_trip() {
        for s in InterviewState::ALL {
            assert_eq!(InterviewState::parse(s.as_str()), Some(s));
        }
        for s in QuestionState::ALL {
            assert_eq!(QuestionState::parse(s.as_str()), Some(s));
        }
        assert_eq!(Speaker::parse("guest"), Some(Speaker::Guest));
        assert_eq!(EntryKind::parse("answer"), Some(EntryKind::Answer));
        assert_eq!(InterviewState::parse("nope"), None);
    }
}
