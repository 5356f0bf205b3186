//! Solicitations, comments and feedback summaries: models, validation, phases,
//! moderation and the summary's due date. Pure: no I/O, no clock.

use serde::{Deserialize, Serialize};
use sitegroup_core::{CalendarError, SiteId, ValidationError, WorkCalendar};

use super::SolicitationError;
use crate::model::beijing_time;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest introduction (征集说明), in characters.
pub const MAX_INTRO_CHARS: usize = 2_000;
/// Longest draft document, in characters.
pub const MAX_BODY_CHARS: usize = 200_000;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// Longest author name, in characters.
pub const MAX_AUTHOR_CHARS: usize = 50;
/// Longest feedback summary, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 20_000;
/// Longest moderation reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

fn text(field: &'static str, value: &str, max: usize, required: bool) -> Result<String, ValidationError> {
    let t = value.trim();
    if required && t.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let len = t.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    if t.contains('\0') {
        return Err(ValidationError::Malformed { field, reason: "contains a NUL character".into() });
    }
    Ok(t.to_string())
}

/// A solicitation as an editor enters it (create or edit a draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSolicitation {
    /// 标题, e.g. `《无为县城区养犬管理办法（征求意见稿）》公开征求意见`.
    pub title: String,
    /// 征集说明: what is asked, how to comment (plain text).
    #[serde(default)]
    pub intro: String,
    /// The draft document (征求意见稿), plain text, paragraphs separated by new lines.
    pub body: String,
    /// Comments accepted from (unix seconds).
    pub opens_at: i64,
    /// Comments accepted until, exclusive (unix seconds).
    pub closes_at: i64,
}

/// A [`NewSolicitation`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSolicitation {
    /// Title, trimmed.
    pub title: String,
    /// Introduction, trimmed.
    pub intro: String,
    /// The draft text, trimmed at the ends.
    pub body: String,
    /// Opens.
    pub opens_at: i64,
    /// Closes (exclusive).
    pub closes_at: i64,
}

impl NewSolicitation {
    /// Checks and normalises: a title of 1–200 characters, an introduction of at most
    /// 2,000, a document of 1–200,000, and a period that closes after it opens.
    pub fn validate(&self) -> Result<ValidSolicitation, SolicitationError> {
        let title = sitegroup_core::error::required_text("title", &self.title, MAX_TITLE_CHARS)?;
        let intro = text("intro", &self.intro, MAX_INTRO_CHARS, false)?;
        let body = text("body", &self.body, MAX_BODY_CHARS, true)?;
        if self.closes_at <= self.opens_at {
            return Err(SolicitationError::BadPeriod);
        }
        Ok(ValidSolicitation { title, intro, body, opens_at: self.opens_at, closes_at: self.closes_at })
    }
}

/// 状态 (state of a solicitation as stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolicitationState {
    /// 草稿: not public; the only state in which the document changes.
    Draft,
    /// 已发布: public; takes comments within its period.
    Published,
}

impl SolicitationState {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SolicitationState::Draft => "draft",
            SolicitationState::Published => "published",
        }
    }

    /// Parses [`SolicitationState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<SolicitationState> {
        [SolicitationState::Draft, SolicitationState::Published].into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a solicitation stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolicitationPhase {
    /// Not published.
    Draft,
    /// 未开始: published, before its period.
    Upcoming,
    /// 征集中: taking comments.
    Open,
    /// 待反馈: closed, its feedback summary not yet published.
    AwaitingSummary,
    /// 已反馈: closed, its feedback summary published.
    Concluded,
}

impl SolicitationPhase {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SolicitationPhase::Draft => "draft",
            SolicitationPhase::Upcoming => "upcoming",
            SolicitationPhase::Open => "open",
            SolicitationPhase::AwaitingSummary => "awaiting_summary",
            SolicitationPhase::Concluded => "concluded",
        }
    }
}

/// A stored solicitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solicitation {
    /// Database id.
    pub id: i64,
    /// The site it belongs to.
    pub site: SiteId,
    /// Title.
    pub title: String,
    /// Introduction.
    pub intro: String,
    /// The draft document.
    pub body: String,
    /// Opens.
    pub opens_at: i64,
    /// Closes (exclusive).
    pub closes_at: i64,
    /// State.
    pub state: SolicitationState,
    /// Comments received (every state).
    pub comments: i64,
    /// The feedback summary, once written.
    pub feedback: Option<Feedback>,
    /// Who last wrote the summary.
    pub feedback_by: Option<String>,
    /// When the summary was last saved.
    pub feedback_at: Option<i64>,
    /// When the summary was published.
    pub feedback_published_at: Option<i64>,
    /// Who created it.
    pub created_by: String,
    /// Created.
    pub created_at: i64,
    /// Last changed.
    pub updated_at: i64,
    /// First published.
    pub published_at: Option<i64>,
}

impl Solicitation {
    /// The phase at `now`.
    pub fn phase(&self, now: i64) -> SolicitationPhase {
        match self.state {
            SolicitationState::Draft => SolicitationPhase::Draft,
            SolicitationState::Published if now < self.opens_at => SolicitationPhase::Upcoming,
            SolicitationState::Published if now < self.closes_at => SolicitationPhase::Open,
            SolicitationState::Published if self.feedback_published_at.is_some() => SolicitationPhase::Concluded,
            SolicitationState::Published => SolicitationPhase::AwaitingSummary,
        }
    }

    /// Whether comments may come in at `now`.
    pub fn check_open(&self, now: i64) -> Result<(), SolicitationError> {
        match self.phase(now) {
            SolicitationPhase::Open => Ok(()),
            phase => Err(SolicitationError::NotOpen { phase }),
        }
    }

    /// Whether the public sees it.
    pub fn is_public(&self) -> bool {
        self.state == SolicitationState::Published
    }

    /// The published summary (what the public sees), if any.
    pub fn published_feedback(&self) -> Option<&Feedback> {
        self.feedback_published_at.and(self.feedback.as_ref())
    }

    /// Checks that the document may still change (drafts only).
    pub fn check_editable(&self, now: i64) -> Result<(), SolicitationError> {
        match self.phase(now) {
            SolicitationPhase::Draft => Ok(()),
            phase => Err(SolicitationError::IllegalState { phase, action: "edit" }),
        }
    }

    /// Checks that it may be published (drafts only).
    pub fn check_publishable(&self, now: i64) -> Result<(), SolicitationError> {
        match self.phase(now) {
            SolicitationPhase::Draft => Ok(()),
            phase => Err(SolicitationError::IllegalState { phase, action: "publish" }),
        }
    }

    /// The closing time after an early close at `now` (published and not yet closed).
    pub fn close_at(&self, now: i64) -> Result<i64, SolicitationError> {
        match self.phase(now) {
            SolicitationPhase::Upcoming | SolicitationPhase::Open => Ok(now.max(self.opens_at + 1).min(self.closes_at)),
            phase => Err(SolicitationError::IllegalState { phase, action: "close" }),
        }
    }

    /// Checks that a summary may be written or published at `now`: closed, and the
    /// summary not yet published.
    pub fn check_summary(&self, now: i64) -> Result<(), SolicitationError> {
        match self.phase(now) {
            SolicitationPhase::AwaitingSummary => Ok(()),
            SolicitationPhase::Concluded => Err(SolicitationError::SummaryPublished),
            SolicitationPhase::Draft => {
                Err(SolicitationError::IllegalState { phase: SolicitationPhase::Draft, action: "summarise" })
            }
            _ => Err(SolicitationError::NotClosed),
        }
    }
}

/// 意见采纳情况反馈 (the feedback summary): what was adopted and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// The summary text: which opinions were adopted, which not, and why.
    pub text: String,
    /// How many comments were adopted (fully or in part).
    pub adopted: u32,
}

impl Feedback {
    /// Checks and normalises: text of 1–20,000 characters, and at most `approved`
    /// comments adopted (comments received offline are recorded, so every adopted
    /// opinion is an approved comment).
    pub fn validate(&self, approved: u32) -> Result<Feedback, SolicitationError> {
        let t = text("feedback", &self.text, MAX_FEEDBACK_CHARS, true)?;
        if self.adopted > approved {
            return Err(SolicitationError::AdoptedTooMany { adopted: self.adopted, approved });
        }
        Ok(Feedback { text: t, adopted: self.adopted })
    }
}

/// A comment as a citizen submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    /// The name to show with it (optional; anonymous when absent).
    #[serde(default)]
    pub author: Option<String>,
    /// The comment: plain text, stored as typed (escaped on output).
    pub body: String,
    /// A key from the form, so a double submit gives one comment.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// A [`NewComment`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidComment {
    /// Author, trimmed.
    pub author: Option<String>,
    /// Body, trimmed at the ends only.
    pub body: String,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
}

impl NewComment {
    /// Checks: a body of 1–5,000 characters without NUL; an author of at most 50
    /// characters without control characters; a key of at most 100 characters.
    pub fn validate(&self) -> Result<ValidComment, SolicitationError> {
        let body = text("comment", &self.body, MAX_COMMENT_CHARS, true)?;
        let author = sitegroup_core::error::optional_text("author", self.author.as_deref(), MAX_AUTHOR_CHARS)?;
        let idempotency_key =
            sitegroup_core::error::optional_text("idempotency key", self.idempotency_key.as_deref(), 100)?;
        Ok(ValidComment { author, body, idempotency_key })
    }
}

/// 审核状态 (moderation state of a comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentState {
    /// 待审核: not public.
    Pending,
    /// 已公开: approved, public.
    Approved,
    /// 不予公开: rejected, never public (kept for the record).
    Rejected,
}

impl CommentState {
    /// Every state.
    pub const ALL: [CommentState; 3] = [CommentState::Pending, CommentState::Approved, CommentState::Rejected];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentState::Pending => "pending",
            CommentState::Approved => "approved",
            CommentState::Rejected => "rejected",
        }
    }

    /// Parses [`CommentState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<CommentState> {
        CommentState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A moderator's decision on a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Moderation {
    /// Make it public.
    Approve,
    /// Keep it off the public page (abuse, advertising, personal data, off topic …).
    Reject {
        /// Why (for the record; may be empty).
        #[serde(default)]
        reason: String,
    },
}

impl Moderation {
    /// The state it leads to.
    pub fn target(&self) -> CommentState {
        match self {
            Moderation::Approve => CommentState::Approved,
            Moderation::Reject { .. } => CommentState::Rejected,
        }
    }

    /// The reason, validated (at most 500 characters).
    pub fn reason(&self) -> Result<Option<String>, SolicitationError> {
        match self {
            Moderation::Approve => Ok(None),
            Moderation::Reject { reason } => Ok(Some(text("reason", reason, MAX_REASON_CHARS, false)?)),
        }
    }
}

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// Database id.
    pub id: i64,
    /// The solicitation.
    pub solicitation: i64,
    /// The author's name, if given.
    pub author: Option<String>,
    /// The comment as typed.
    pub body: String,
    /// Moderation state.
    pub state: CommentState,
    /// `web`, or `offline` (received on paper or by e-mail, recorded by an editor).
    pub source: String,
    /// Received, unix seconds.
    pub submitted_at: i64,
    /// Last moderated.
    pub moderated_at: Option<i64>,
    /// By whom (actor label).
    pub moderated_by: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
}

/// The instant the feedback summary of a solicitation closing at `closes_at` is due:
/// the end (23:59:59 Beijing time) of the `days`-th working day after the day it
/// closed, by the core calendar's counting rule. `None` when a day to count lies in a
/// year whose holiday notice is not loaded.
pub fn summary_due(closes_at: i64, days: u32, calendar: &WorkCalendar) -> Result<Option<i64>, CalendarError> {
    // The period is exclusive of `closes_at`: the last instant in it is one second before.
    let Some(closed) = beijing_time(closes_at.saturating_sub(1)) else { return Ok(None) };
    match calendar.add_working_days(&closed, days.max(1)) {
        Ok(d) => Ok(Some(d.due.timestamp())),
        Err(CalendarError::YearNotCovered { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Where a solicitation's feedback summary stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SummaryStatus {
    /// Not closed yet (or a draft): nothing is due.
    NotDue,
    /// Closed; the summary is due at `due_at` and that has not passed.
    Pending {
        /// Due, unix seconds.
        due_at: i64,
    },
    /// Closed; the due date has passed and the summary is not published.
    Overdue {
        /// Due, unix seconds.
        due_at: i64,
    },
    /// Closed; the due date is not known yet (a year's holiday notice is missing).
    Unknown,
    /// The summary was published at `at`.
    Published {
        /// Published, unix seconds.
        at: i64,
    },
}

/// The summary status of `s` at `now`, with the summary due `days` working days after
/// closing.
pub fn summary_status(
    s: &Solicitation,
    now: i64,
    days: u32,
    calendar: &WorkCalendar,
) -> Result<SummaryStatus, CalendarError> {
    Ok(match s.phase(now) {
        SolicitationPhase::Draft | SolicitationPhase::Upcoming | SolicitationPhase::Open => SummaryStatus::NotDue,
        SolicitationPhase::Concluded => SummaryStatus::Published { at: s.feedback_published_at.unwrap_or(now) },
        SolicitationPhase::AwaitingSummary => match summary_due(s.closes_at, days, calendar)? {
            Some(due_at) if now > due_at => SummaryStatus::Overdue { due_at },
            Some(due_at) => SummaryStatus::Pending { due_at },
            None => SummaryStatus::Unknown,
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn sample() -> Solicitation {
        Solicitation {
            id: 1,
            site: SiteId(1),
            title: "征求意见".into(),
            intro: String::new(),
            body: "第一条".into(),
            opens_at: 100,
            closes_at: 200,
            state: SolicitationState::Published,
            comments: 0,
            feedback: None,
            feedback_by: None,
            feedback_at: None,
            feedback_published_at: None,
            created_by: "x".into(),
            created_at: 0,
            updated_at: 0,
            published_at: Some(0),
        }
    }

    #[test]
    fn validation() {
        let new = NewSolicitation {
            title: "标题".into(),
            body: "正文".into(),
            opens_at: 1,
            closes_at: 2,
            ..Default::default()
        };
        assert!(new.validate().is_ok());
        let mut n = new.clone();
        n.body = " ".into();
        assert!(matches!(n.validate(), Err(SolicitationError::Invalid(ValidationError::Empty { field: "body" }))));
        let mut n = new;
        n.closes_at = 0;
        assert!(matches!(n.validate(), Err(SolicitationError::BadPeriod)));

        let c = NewComment { body: "<script>alert(1)</script>建议".into(), ..Default::default() }.validate().unwrap();
        assert!(c.body.starts_with("<script>"), "kept as typed");
        let long = NewComment { body: "字".repeat(MAX_COMMENT_CHARS + 1), ..Default::default() };
        assert!(matches!(long.validate(), Err(SolicitationError::Invalid(ValidationError::TooLong { .. }))));
        let nul = NewComment { body: "a\0b".into(), ..Default::default() };
        assert!(nul.validate().is_err());
        assert!(Feedback { text: "采纳".into(), adopted: 3 }.validate(2).is_err(), "more adopted than approved");
        assert!(Feedback { text: " ".into(), adopted: 0 }.validate(2).is_err());
    }

    #[test]
    fn phases_and_steps() {
        let mut s = sample();
        assert_eq!(s.phase(99), SolicitationPhase::Upcoming);
        assert_eq!(s.phase(150), SolicitationPhase::Open);
        assert!(s.check_open(150).is_ok());
        assert!(matches!(
            s.check_open(200),
            Err(SolicitationError::NotOpen { phase: SolicitationPhase::AwaitingSummary })
        ));
        assert!(matches!(s.check_summary(150), Err(SolicitationError::NotClosed)));
        assert!(s.check_summary(250).is_ok());
        assert_eq!(s.close_at(150).unwrap(), 150);
        assert!(s.close_at(250).is_err());
        assert!(s.check_editable(150).is_err());
        s.feedback = Some(Feedback { text: "已采纳".into(), adopted: 1 });
        assert!(s.published_feedback().is_none(), "saved, not published");
        s.feedback_published_at = Some(260);
        assert_eq!(s.phase(300), SolicitationPhase::Concluded);
        assert!(matches!(s.check_summary(300), Err(SolicitationError::SummaryPublished)));
        assert!(s.published_feedback().is_some());
        s.state = SolicitationState::Draft;
        assert!(s.check_editable(300).is_ok());
        assert!(s.check_open(150).is_err());
    }

    #[test]
    fn summary_due_counts_working_days_after_closing() {
        let cal = WorkCalendar::builtin();
        // Closes at midnight starting Sat 2025-05-31 (exclusive): the last day is Fri
        // 05-30. The Dragon Boat holiday runs 05-31..06-02, so day 1 is Tue 06-03 and
        // day 3 Thu 06-05.
        let closes = at("2025-05-31T00:00:00+08:00");
        let due = summary_due(closes, 3, &cal).unwrap().unwrap();
        assert_eq!(due, at("2025-06-05T23:59:59+08:00"));
        // Over the National Day holiday 2025 (10-01..10-08 off; Sat 10-11 an adjusted workday).
        let closes = at("2025-09-30T18:00:00+08:00");
        let due = summary_due(closes, 1, &cal).unwrap().unwrap();
        assert_eq!(due, at("2025-10-09T23:59:59+08:00"));
        // A year without a notice.
        assert_eq!(summary_due(at("2099-12-01T00:00:00+08:00"), 20, &cal).unwrap(), None);

        let mut s = sample();
        s.opens_at = at("2025-05-01T00:00:00+08:00");
        s.closes_at = at("2025-05-31T00:00:00+08:00");
        let due = at("2025-06-05T23:59:59+08:00");
        assert_eq!(summary_status(&s, s.closes_at - 1, 3, &cal).unwrap(), SummaryStatus::NotDue);
        assert_eq!(summary_status(&s, due, 3, &cal).unwrap(), SummaryStatus::Pending { due_at: due });
        assert_eq!(summary_status(&s, due + 1, 3, &cal).unwrap(), SummaryStatus::Overdue { due_at: due });
        s.feedback = Some(Feedback { text: "x".into(), adopted: 0 });
        s.feedback_published_at = Some(due + 10);
        assert_eq!(summary_status(&s, due + 20, 3, &cal).unwrap(), SummaryStatus::Published { at: due + 10 });
    }
}
