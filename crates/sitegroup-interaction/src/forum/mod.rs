//! 论坛 (forum): boards (版块), threads (主题帖) and posts (回帖); pre- or post-moderation
//! per board, the sensitive-word checks shared with content, rate limits per poster and
//! per address, official replies (官方回复) by handlers; a thread addressed to a unit is
//! also a ticket of channel [`Channel::Forum`](crate::Channel::Forum).
//!
//! **What it owns.** The forum's model and its validation ([`NewBoard`], [`NewThread`],
//! [`NewPost`]), the pure rules — the moderation decision from a board's mode and the
//! check findings ([`decide`]), the moderation steps ([`moderate`]), the rate-limit rule
//! ([`check_rate`]), which unit a thread addresses ([`thread_unit`]), the salted hashes
//! of poster keys and client addresses ([`poster_hash`], [`address_hash`]) — its settings
//! ([`ForumSettings`], keys `forum.*`), the SQL ([`repo`]) and [`migrations`].
//!
//! **Posters.** Citizens post without a government account, under a nickname (昵称).
//! "Per account" limits apply to an opaque **poster key**: a random id the embedding
//! program keeps for the visitor (the portal: an `HttpOnly` cookie) and passes with each
//! post; "per address" limits apply to the client address. Neither is ever stored as
//! given: both are stored as `sha256(salt ‖ kind ‖ value)` with a group-wide random salt
//! (setting `forum.hash_salt`), IPv6 addresses grouped by their /64. A visitor without a
//! key gets a fresh one per post, so only the address limit holds for them; an unknown
//! address (`None`) leaves only the poster limit.
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize`), speak
//! HTTP, read the clock (times come in), store a raw address or poster key, or render
//! text: bodies are plain text stored exactly as typed and escaped by whoever shows them.
//!
//! **Invariants.**
//! - A post is public only in state [`PostStatus::Visible`]; public reads select nothing
//!   else, and a thread is public only while its opening post is.
//! - A pre-moderated board's new posts, and any post with a warning finding, start
//!   [`PostStatus::Pending`]; a blocking finding refuses the post (nothing written).
//! - Rate limits are counted in the database, in the transaction that inserts the post,
//!   after locking the poster's and the address's rows of `forum_rate_keys` (so two
//!   processes cannot both take the last slot); a refusal writes nothing.
//! - An idempotency key yields at most one post (unique index).
//! - A thread has at most one ticket, and a ticket at most one thread (unique index).

pub mod repo;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sitegroup_core::{UnitId, ValidationError};
use sitegroup_store::StoreError;
use sitegroup_text::checks::{Finding, Severity};

use crate::flow::{RejectReason, TicketState};

/// Largest subject of a thread, in characters.
pub const MAX_SUBJECT_CHARS: usize = 100;
/// Default largest post body, in characters (setting `forum.max_body_chars`).
pub const MAX_BODY_CHARS: usize = 5_000;
/// Largest official reply, in characters.
pub const MAX_OFFICIAL_CHARS: usize = crate::model::MAX_NOTE_CHARS;
/// Largest nickname, in characters.
pub const MAX_NICKNAME_CHARS: usize = 20;
/// Largest moderation note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// Threads per page of a board (default).
pub const PAGE_SIZE: u32 = 30;

/// Errors of the forum rules. All but [`ForumError::Store`] and [`ForumError::Internal`]
/// are the user's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForumError {
    /// A field check failed (empty, too long, malformed).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No board with this code (slug).
    #[error("board {0:?} not found")]
    BoardNotFound(String),
    /// No such thread, or not public.
    #[error("thread {0} not found")]
    ThreadNotFound(i64),
    /// No such post.
    #[error("post {0} not found")]
    PostNotFound(i64),
    /// A board code is already used.
    #[error("board code {0:?} is already used")]
    DuplicateBoard(String),
    /// The board takes no new threads (closed by the centre).
    #[error("the board is closed")]
    BoardClosed,
    /// The thread takes no replies (pending, rejected or hidden).
    #[error("the thread takes no replies")]
    ThreadClosed,
    /// No unit with this code.
    #[error("unknown unit {0:?}")]
    UnknownUnit(String),
    /// The board does not let a thread address this unit (or any unit).
    #[error("this board does not take threads addressed to that unit")]
    UnitNotAllowed,
    /// The checks found blocking problems (prohibited words, ID numbers …).
    #[error("content checks found {} blocking problem(s)", .0.iter().filter(|f| f.severity == Severity::Block).count())]
    Blocked(Vec<Finding>),
    /// Too many posts from this poster or address: try again after `retry_after` seconds.
    #[error("too many posts from this {}: retry after {retry_after} s", .scope.as_str())]
    RateLimited {
        /// Which limit.
        scope: RateScope,
        /// Seconds until a post would be accepted.
        retry_after: i64,
        /// Posts allowed per window (0 for the minimum interval).
        limit: u32,
        /// The window (or the minimum interval), seconds.
        window_secs: i64,
    },
    /// The moderation step does not apply to a post in this state.
    #[error("cannot {action} a post that is {}", .from.as_str())]
    IllegalModeration {
        /// The post's state.
        from: PostStatus,
        /// The step asked for.
        action: &'static str,
    },
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// Something that should not happen (randomness unavailable).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ForumError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ForumError::Store(_) | ForumError::Internal(_))
    }
}

// ---------------------------------------------------------------------------------
// Model.

/// 审核方式 (how a board is moderated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    /// 先审后发: every new post waits for a moderator.
    Pre,
    /// 先发后审: posts show at once; moderators may hide them afterwards.
    Post,
}

impl Moderation {
    /// Stable name (`pre`, `post`).
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Pre => "pre",
            Moderation::Post => "post",
        }
    }

    /// Parses [`Moderation::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Moderation> {
        match s.trim() {
            "pre" => Some(Moderation::Pre),
            "post" => Some(Moderation::Post),
            _ => None,
        }
    }
}

/// 状态 of a post (and of a thread: its opening post's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    /// 待审核: waits for a moderator; never shown publicly.
    Pending,
    /// 已发布: public.
    Visible,
    /// 未通过: refused by a moderator (terminal).
    Rejected,
    /// 已屏蔽: taken down after publication, with a reason.
    Hidden,
}

impl PostStatus {
    /// Every state.
    pub const ALL: [PostStatus; 4] =
        [PostStatus::Pending, PostStatus::Visible, PostStatus::Rejected, PostStatus::Hidden];

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Pending => "pending",
            PostStatus::Visible => "visible",
            PostStatus::Rejected => "rejected",
            PostStatus::Hidden => "hidden",
        }
    }

    /// Parses [`PostStatus::as_str`]'s output.
    pub fn parse(s: &str) -> Option<PostStatus> {
        PostStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// 版块: a board of the forum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// Database id.
    pub id: i64,
    /// Code used in addresses (`wenzheng`), unique.
    pub slug: String,
    /// Name (`问政无为`).
    pub name: String,
    /// What the board is for.
    pub description: String,
    /// A unit's own board: every thread addresses this unit (and is a ticket).
    pub unit: Option<UnitId>,
    /// On a board without a unit: whether a poster may address a thread to a unit.
    pub addressable: bool,
    /// Pre- or post-moderation.
    pub moderation: Moderation,
    /// Takes new threads and replies.
    pub open: bool,
    /// Sort order (smaller first).
    pub position: i64,
    /// Created, unix seconds.
    pub created_at: i64,
}

/// A board as the centre creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBoard {
    /// Code (ASCII letters, digits, `-`, `_`).
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// Code of the unit whose board this is.
    pub unit: Option<String>,
    /// Threads may address a unit (boards without a unit).
    pub addressable: bool,
    /// Moderation mode.
    pub moderation: Moderation,
    /// Sort order.
    pub position: i64,
}

/// A [`NewBoard`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBoard {
    /// Code, lowercase.
    pub slug: String,
    /// Name, trimmed.
    pub name: String,
    /// Description, trimmed.
    pub description: String,
    /// Unit code, lowercase.
    pub unit_code: Option<String>,
    /// Addressable (false when the board has a unit).
    pub addressable: bool,
    /// Moderation mode.
    pub moderation: Moderation,
    /// Sort order.
    pub position: i64,
}

impl NewBoard {
    /// Checks: a code of 1–32 ASCII letters, digits, `-`, `_` (not `new`); a name of
    /// 1–40 characters; a description of at most 500.
    pub fn validate(&self) -> Result<ValidBoard, ValidationError> {
        let slug = sitegroup_core::error::code("board code", &self.slug)?;
        if slug == "new" {
            return Err(ValidationError::Malformed { field: "board code", reason: "reserved".into() });
        }
        let name = sitegroup_core::error::required_text("board name", &self.name, 40)?;
        let description =
            sitegroup_core::error::optional_text("description", Some(&self.description), 500)?.unwrap_or_default();
        let unit_code =
            sitegroup_core::error::optional_text("unit", self.unit.as_deref(), 64)?.map(|u| u.to_ascii_lowercase());
        Ok(ValidBoard {
            slug,
            name,
            description,
            addressable: self.addressable && unit_code.is_none(),
            unit_code,
            moderation: self.moderation,
            position: self.position,
        })
    }
}

/// Changes to a board (`None` keeps a field). The unit of a board never changes: its
/// threads' tickets already address it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardChange {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New moderation mode (applies to posts made from now on).
    pub moderation: Option<Moderation>,
    /// Open or close the board.
    pub open: Option<bool>,
    /// New sort order.
    pub position: Option<i64>,
    /// Whether threads may address a unit (boards without a unit).
    pub addressable: Option<bool>,
}

impl BoardChange {
    /// The board after the change, validated like [`NewBoard::validate`].
    pub fn apply(&self, board: &Board) -> Result<Board, ValidationError> {
        let mut b = board.clone();
        if let Some(n) = &self.name {
            b.name = sitegroup_core::error::required_text("board name", n, 40)?;
        }
        if let Some(d) = &self.description {
            b.description = sitegroup_core::error::optional_text("description", Some(d), 500)?.unwrap_or_default();
        }
        if let Some(m) = self.moderation {
            b.moderation = m;
        }
        if let Some(o) = self.open {
            b.open = o;
        }
        if let Some(p) = self.position {
            b.position = p;
        }
        if let Some(a) = self.addressable {
            b.addressable = a && b.unit.is_none();
        }
        Ok(b)
    }
}

/// 主题帖: a thread. Its text is its opening post's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// Database id.
    pub id: i64,
    /// The board.
    pub board: i64,
    /// 标题, as typed.
    pub subject: String,
    /// The poster's nickname.
    pub nickname: String,
    /// The unit addressed, if any.
    pub unit: Option<UnitId>,
    /// The ticket this thread also is (threads addressed to a unit).
    pub ticket: Option<i64>,
    /// The opening post's state.
    pub status: PostStatus,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Latest visible post, unix seconds (sorts the board).
    pub last_post_at: i64,
}

/// A thread in a list, with what the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    /// The thread.
    pub thread: Thread,
    /// Visible replies (the opening post not counted).
    pub replies: i64,
    /// Visible official replies posted on the thread.
    pub official_posts: i64,
    /// The ticket's state, for threads that are tickets.
    pub ticket_state: Option<TicketState>,
}

impl ThreadSummary {
    /// 已答复: an official reply is public — an official post, or the ticket's reply
    /// approved by the centre (the ticket is closed).
    pub fn answered(&self) -> bool {
        self.official_posts > 0 || self.ticket_state == Some(TicketState::Closed)
    }
}

/// What a moderator decided about a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationNote {
    /// The category of a refusal (spam, duplicate, out of scope); `None` for hiding.
    pub reason: Option<RejectReason>,
    /// Why, as told to the public (hidden posts) or kept for the record.
    pub note: String,
    /// Who (actor label).
    pub by: String,
    /// When, unix seconds.
    pub at: i64,
}

/// 帖子: one post of a thread (the opening post or a reply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Database id.
    pub id: i64,
    /// The thread.
    pub thread: i64,
    /// The opening post of its thread.
    pub opening: bool,
    /// The poster's nickname (official replies: the unit's name).
    pub nickname: String,
    /// Body as typed.
    pub body: String,
    /// 官方回复: posted by a handler for a unit (or the centre).
    pub official: bool,
    /// The unit an official reply speaks for (`None`: the information centre).
    pub official_unit: Option<UnitId>,
    /// The back-office user who wrote an official reply.
    pub author: Option<String>,
    /// State.
    pub status: PostStatus,
    /// Warning findings of the checks (shown to moderators).
    pub findings: Vec<Finding>,
    /// The latest moderation decision.
    pub moderation: Option<ModerationNote>,
    /// Created, unix seconds.
    pub created_at: i64,
}

/// A new thread as a citizen writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewThread {
    /// The board's code.
    pub board: String,
    /// Code of the unit addressed (boards that allow it); a unit's board addresses its
    /// unit whatever is given here (a different unit is refused).
    pub unit: Option<String>,
    /// 昵称.
    pub nickname: String,
    /// 标题.
    pub subject: String,
    /// 内容: plain text, stored as typed.
    pub body: String,
    /// A key from the form so a double submit gives one thread.
    pub idempotency_key: Option<String>,
}

/// A [`NewThread`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidThread {
    /// Board code, lowercase.
    pub board: String,
    /// Unit code, lowercase.
    pub unit_code: Option<String>,
    /// Nickname, trimmed.
    pub nickname: String,
    /// Subject, trimmed.
    pub subject: String,
    /// Body as typed.
    pub body: String,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
}

/// A reply as a citizen writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPost {
    /// 昵称.
    pub nickname: String,
    /// 内容: plain text, stored as typed.
    pub body: String,
    /// A key from the form so a double submit gives one post.
    pub idempotency_key: Option<String>,
}

/// A [`NewPost`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPost {
    /// Nickname, trimmed.
    pub nickname: String,
    /// Body as typed.
    pub body: String,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
}

/// Checks a body: not blank, at most `max` characters, no NUL (line breaks allowed).
pub fn check_body(field: &'static str, body: &str, max: usize) -> Result<String, ValidationError> {
    if body.trim().is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let len = body.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    if body.contains('\0') {
        return Err(ValidationError::Malformed { field, reason: "contains a NUL character".into() });
    }
    Ok(body.to_string())
}

fn nickname(s: &str) -> Result<String, ValidationError> {
    sitegroup_core::error::required_text("nickname", s, MAX_NICKNAME_CHARS)
}

fn idempotency_key(s: Option<&str>) -> Result<Option<String>, ValidationError> {
    sitegroup_core::error::optional_text("idempotency key", s, 100)
}

impl NewThread {
    /// Checks: a board code; a nickname of 1–20 characters; a subject of 1–100; a body
    /// that is not blank and at most `max_body` characters (kept as typed).
    pub fn validate(&self, max_body: usize) -> Result<ValidThread, ValidationError> {
        let board = sitegroup_core::error::required_text("board", &self.board, 64)?.to_ascii_lowercase();
        let unit_code =
            sitegroup_core::error::optional_text("unit", self.unit.as_deref(), 64)?.map(|u| u.to_ascii_lowercase());
        Ok(ValidThread {
            board,
            unit_code,
            nickname: nickname(&self.nickname)?,
            subject: sitegroup_core::error::required_text("subject", &self.subject, MAX_SUBJECT_CHARS)?,
            body: check_body("body", &self.body, max_body)?,
            idempotency_key: idempotency_key(self.idempotency_key.as_deref())?,
        })
    }
}

impl NewPost {
    /// Checks: a nickname of 1–20 characters; a body that is not blank and at most
    /// `max_body` characters (kept as typed).
    pub fn validate(&self, max_body: usize) -> Result<ValidPost, ValidationError> {
        Ok(ValidPost {
            nickname: nickname(&self.nickname)?,
            body: check_body("body", &self.body, max_body)?,
            idempotency_key: idempotency_key(self.idempotency_key.as_deref())?,
        })
    }
}

// ---------------------------------------------------------------------------------
// Settings.

/// Rate limits of citizens' posts (threads and replies together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimits {
    /// The counting window, seconds (`forum.rate.window_secs`, 600).
    pub window_secs: i64,
    /// Posts per poster key per window (`forum.rate.per_poster`, 5).
    pub per_poster: u32,
    /// Posts per client address per window (`forum.rate.per_address`, 20: offices and
    /// schools share addresses).
    pub per_address: u32,
    /// Least seconds between two posts of one poster (`forum.rate.min_interval_secs`, 10).
    pub min_interval_secs: i64,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits { window_secs: 600, per_poster: 5, per_address: 20, min_interval_secs: 10 }
    }
}

/// Forum settings (table `settings`, keys `forum.*`), with defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumSettings {
    /// Largest post body in characters (`forum.max_body_chars`, 5,000).
    pub max_body_chars: usize,
    /// Rate limits.
    pub rate: RateLimits,
}

impl Default for ForumSettings {
    fn default() -> Self {
        ForumSettings { max_body_chars: MAX_BODY_CHARS, rate: RateLimits::default() }
    }
}

/// The setting holding the salt of the poster and address hashes (internal; created
/// on first use, never shown).
pub const SALT_KEY: &str = "forum.hash_salt";

impl ForumSettings {
    /// Settings from `(key, value)` pairs of the settings table. Keys outside `forum.`
    /// are ignored; unknown `forum.*` keys and malformed values are refused.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<ForumSettings, ValidationError> {
        let mut s = ForumSettings::default();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("forum.") else { continue };
            if key == SALT_KEY {
                continue;
            }
            let bad = || ValidationError::Rule(format!("setting {key}: bad value"));
            let n: i64 = value.trim().parse().map_err(|_| bad())?;
            if n < 0 {
                return Err(bad());
            }
            let count = || u32::try_from(n).map_err(|_| bad());
            match rest {
                "max_body_chars" if n >= 1 => s.max_body_chars = usize::try_from(n).map_err(|_| bad())?,
                "rate.window_secs" if n >= 1 => s.rate.window_secs = n,
                "rate.per_poster" if n >= 1 => s.rate.per_poster = count()?,
                "rate.per_address" if n >= 1 => s.rate.per_address = count()?,
                "rate.min_interval_secs" => s.rate.min_interval_secs = n,
                "max_body_chars" | "rate.window_secs" | "rate.per_poster" | "rate.per_address" => {
                    return Err(bad());
                }
                _ => return Err(ValidationError::Rule(format!("unknown setting {key}"))),
            }
        }
        Ok(s)
    }
}

// ---------------------------------------------------------------------------------
// Pure rules.

/// The state a new citizen's post starts in, from the board's mode and the check
/// findings: any blocking finding refuses it ([`ForumError::Blocked`] with every
/// finding); a warning sends it to the moderation queue even on a post-moderated board;
/// otherwise a pre-moderated board queues it and a post-moderated board shows it.
pub fn decide(mode: Moderation, findings: &[Finding]) -> Result<PostStatus, ForumError> {
    if findings.iter().any(|f| f.severity == Severity::Block) {
        return Err(ForumError::Blocked(findings.to_vec()));
    }
    if findings.iter().any(|f| f.severity == Severity::Warn) {
        return Ok(PostStatus::Pending);
    }
    Ok(match mode {
        Moderation::Pre => PostStatus::Pending,
        Moderation::Post => PostStatus::Visible,
    })
}

/// A moderation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationStep {
    /// 通过: a pending post becomes public.
    Approve,
    /// 不予通过: a pending post is refused.
    Reject,
    /// 屏蔽: a public post is taken down.
    Hide,
    /// 恢复: a hidden post is public again.
    Restore,
}

impl ModerationStep {
    /// Stable name (`approve`, `reject`, `hide`, `restore`), used in audit actions.
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationStep::Approve => "approve",
            ModerationStep::Reject => "reject",
            ModerationStep::Hide => "hide",
            ModerationStep::Restore => "restore",
        }
    }
}

/// The state after a moderation step, or why it does not apply: approve and reject
/// take a pending post, hide a visible one, restore a hidden one.
pub fn moderate(from: PostStatus, step: ModerationStep) -> Result<PostStatus, ForumError> {
    use PostStatus as P;
    let to = match (from, step) {
        (P::Pending, ModerationStep::Approve) | (P::Hidden, ModerationStep::Restore) => P::Visible,
        (P::Pending, ModerationStep::Reject) => P::Rejected,
        (P::Visible, ModerationStep::Hide) => P::Hidden,
        _ => return Err(ForumError::IllegalModeration { from, action: step.as_str() }),
    };
    Ok(to)
}

/// Which limit refused a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateScope {
    /// Too many posts from this poster key in the window.
    Poster,
    /// Too many posts from this client address in the window.
    Address,
    /// The poster posted a moment ago.
    Interval,
}

impl RateScope {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RateScope::Poster => "poster",
            RateScope::Address => "address",
            RateScope::Interval => "interval",
        }
    }
}

/// Recent posts of one key (poster or address) within the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    /// How many.
    pub count: u32,
    /// The oldest one, unix seconds.
    pub oldest: Option<i64>,
    /// The newest one, unix seconds.
    pub newest: Option<i64>,
}

/// Whether a post may be made at `now` given the poster's and the address's recent
/// posts (within `limits.window_secs` before `now`). Checked in order: the minimum
/// interval, the poster's count, the address's count (`None`: address unknown).
pub fn check_rate(limits: &RateLimits, poster: &Recent, address: Option<&Recent>, now: i64) -> Result<(), ForumError> {
    if let Some(newest) = poster.newest
        && limits.min_interval_secs > 0
        && now < newest + limits.min_interval_secs
    {
        return Err(ForumError::RateLimited {
            scope: RateScope::Interval,
            retry_after: (newest + limits.min_interval_secs - now).max(1),
            limit: 0,
            window_secs: limits.min_interval_secs,
        });
    }
    let full = |r: &Recent, max: u32, scope: RateScope| {
        if r.count >= max {
            let oldest = r.oldest.unwrap_or(now);
            Err(ForumError::RateLimited {
                scope,
                retry_after: (oldest + limits.window_secs - now).max(1),
                limit: max,
                window_secs: limits.window_secs,
            })
        } else {
            Ok(())
        }
    };
    full(poster, limits.per_poster, RateScope::Poster)?;
    if let Some(a) = address {
        full(a, limits.per_address, RateScope::Address)?;
    }
    Ok(())
}

/// The unit a new thread addresses on `board`: a unit's board addresses its unit (a
/// different unit asked for is refused); an addressable board takes the unit asked for,
/// if any; other boards take none.
pub fn thread_unit(board: &Board, requested: Option<UnitId>) -> Result<Option<UnitId>, ForumError> {
    match (board.unit, requested) {
        (Some(own), Some(r)) if r != own => Err(ForumError::UnitNotAllowed),
        (Some(own), _) => Ok(Some(own)),
        (None, r) if board.addressable => Ok(r),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ForumError::UnitNotAllowed),
    }
}

/// Checks a poster key: 16–128 ASCII letters, digits, `-` or `_`.
pub fn check_poster_key(key: &str) -> Result<(), ValidationError> {
    let ok =
        (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(ValidationError::Malformed { field: "poster", reason: "not a poster key".into() }) }
}

fn salted(salt: &str, kind: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a poster key: `sha256(salt ‖ "poster" ‖ key)`, hex.
pub fn poster_hash(salt: &str, key: &str) -> String {
    salted(salt, "poster", key)
}

/// An address as counted: IPv4 as is, IPv6 by its /64 (one subscriber's usual block),
/// IPv4-mapped IPv6 as IPv4; anything unparsable trimmed and lowercased.
pub fn normalize_address(addr: &str) -> String {
    let a = addr.trim();
    match a.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => a.to_ascii_lowercase(),
    }
}

/// The stored form of a client address: `sha256(salt ‖ "address" ‖ normalised)`, hex.
pub fn address_hash(salt: &str, addr: &str) -> String {
    salted(salt, "address", &normalize_address(addr))
}

/// Number of pages of `total` items, `per_page` a page (at least 1).
pub fn page_count(total: i64, per_page: u32) -> u32 {
    let per = i64::from(per_page.max(1));
    u32::try_from(((total.max(0) + per - 1) / per).max(1)).unwrap_or(u32::MAX)
}

/// This module's migrations (module `forum`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "forum",
        version: 1,
        name: "boards, threads, posts, rate-limit keys",
        sql: "CREATE TABLE forum_boards (
            id {{id}},
            slug TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            unit_id BIGINT REFERENCES units(id),
            addressable BIGINT NOT NULL,
            moderation TEXT NOT NULL,
            open BIGINT NOT NULL,
            position BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX forum_boards_slug ON forum_boards (slug);
        CREATE TABLE forum_threads (
            id {{id}},
            board_id BIGINT NOT NULL REFERENCES forum_boards(id),
            subject TEXT NOT NULL,
            nickname TEXT NOT NULL,
            unit_id BIGINT REFERENCES units(id),
            ticket_id BIGINT REFERENCES interaction_tickets(id),
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_post_at BIGINT NOT NULL
        );
        CREATE INDEX forum_threads_board ON forum_threads (board_id, status, last_post_at);
        CREATE INDEX forum_threads_status ON forum_threads (status, last_post_at);
        CREATE UNIQUE INDEX forum_threads_ticket ON forum_threads (ticket_id);
        CREATE TABLE forum_posts (
            id {{id}},
            thread_id BIGINT NOT NULL REFERENCES forum_threads(id),
            opening BIGINT NOT NULL,
            nickname TEXT NOT NULL,
            body TEXT NOT NULL,
            official BIGINT NOT NULL,
            official_unit BIGINT REFERENCES units(id),
            author TEXT,
            status TEXT NOT NULL,
            findings TEXT NOT NULL,
            moderation TEXT,
            poster_hash TEXT,
            address_hash TEXT,
            idempotency_key TEXT,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX forum_posts_thread ON forum_posts (thread_id, status);
        CREATE INDEX forum_posts_status ON forum_posts (status, id);
        CREATE INDEX forum_posts_poster ON forum_posts (poster_hash, created_at);
        CREATE INDEX forum_posts_address ON forum_posts (address_hash, created_at);
        CREATE UNIQUE INDEX forum_posts_key ON forum_posts (idempotency_key);
        CREATE TABLE forum_rate_keys (
            key_hash TEXT NOT NULL PRIMARY KEY,
            touched_at BIGINT NOT NULL
        );",
        postgres_sql: None,
    }]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn finding(severity: Severity) -> Finding {
        Finding {
            rule: "sensitive_word".into(),
            severity,
            start: 0,
            end: 2,
            excerpt: "某词".into(),
            message: "x".into(),
        }
    }

    #[test]
    fn decision_from_mode_and_findings() {
        assert_eq!(decide(Moderation::Post, &[]).unwrap(), PostStatus::Visible);
        assert_eq!(decide(Moderation::Pre, &[]).unwrap(), PostStatus::Pending);
        // A warning queues the post even on a post-moderated board.
        assert_eq!(decide(Moderation::Post, &[finding(Severity::Warn)]).unwrap(), PostStatus::Pending);
        assert_eq!(decide(Moderation::Pre, &[finding(Severity::Warn)]).unwrap(), PostStatus::Pending);
        // A blocking finding refuses it on either board, with every finding.
        for mode in [Moderation::Pre, Moderation::Post] {
            match decide(mode, &[finding(Severity::Warn), finding(Severity::Block)]) {
                Err(ForumError::Blocked(f)) => assert_eq!(f.len(), 2),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn moderation_steps() {
        use ModerationStep as M;
        use PostStatus as P;
        assert_eq!(moderate(P::Pending, M::Approve).unwrap(), P::Visible);
        assert_eq!(moderate(P::Pending, M::Reject).unwrap(), P::Rejected);
        assert_eq!(moderate(P::Visible, M::Hide).unwrap(), P::Hidden);
        assert_eq!(moderate(P::Hidden, M::Restore).unwrap(), P::Visible);
        for (from, step) in [
            (P::Visible, M::Approve),
            (P::Rejected, M::Approve),
            (P::Visible, M::Reject),
            (P::Pending, M::Hide),
            (P::Rejected, M::Restore),
            (P::Hidden, M::Hide),
        ] {
            assert!(matches!(moderate(from, step), Err(ForumError::IllegalModeration { .. })), "{from:?} {step:?}");
        }
    }

    #[test]
    fn rate_rule() {
        let l = RateLimits { window_secs: 600, per_poster: 3, per_address: 5, min_interval_secs: 10 };
        let now = 10_000;
        let none = Recent::default();
        assert!(check_rate(&l, &none, None, now).is_ok());
        assert!(check_rate(&l, &none, Some(&none), now).is_ok());
        // A moment ago: the interval.
        let just = Recent { count: 1, oldest: Some(now - 3), newest: Some(now - 3) };
        match check_rate(&l, &just, None, now) {
            Err(ForumError::RateLimited { scope: RateScope::Interval, retry_after: 7, .. }) => {}
            other => panic!("{other:?}"),
        }
        // The poster's count, retry when the oldest leaves the window.
        let poster = Recent { count: 3, oldest: Some(now - 500), newest: Some(now - 60) };
        match check_rate(&l, &poster, None, now) {
            Err(ForumError::RateLimited { scope: RateScope::Poster, retry_after: 100, limit: 3, .. }) => {}
            other => panic!("{other:?}"),
        }
        let two = Recent { count: 2, oldest: Some(now - 500), newest: Some(now - 60) };
        assert!(check_rate(&l, &two, None, now).is_ok());
        // The address's count, even for a fresh poster key.
        let addr = Recent { count: 5, oldest: Some(now - 599), newest: Some(now - 20) };
        match check_rate(&l, &none, Some(&addr), now) {
            Err(ForumError::RateLimited { scope: RateScope::Address, retry_after: 1, limit: 5, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    fn board(unit: Option<i64>, addressable: bool) -> Board {
        Board {
            id: 1,
            slug: "b".into(),
            name: "版块".into(),
            description: String::new(),
            unit: unit.map(UnitId),
            addressable,
            moderation: Moderation::Post,
            open: true,
            position: 0,
            created_at: 0,
        }
    }

    #[test]
    fn which_unit_a_thread_addresses() {
        assert_eq!(thread_unit(&board(Some(3), false), None).unwrap(), Some(UnitId(3)));
        assert_eq!(thread_unit(&board(Some(3), false), Some(UnitId(3))).unwrap(), Some(UnitId(3)));
        assert!(matches!(thread_unit(&board(Some(3), false), Some(UnitId(4))), Err(ForumError::UnitNotAllowed)));
        assert_eq!(thread_unit(&board(None, true), Some(UnitId(4))).unwrap(), Some(UnitId(4)));
        assert_eq!(thread_unit(&board(None, true), None).unwrap(), None);
        assert_eq!(thread_unit(&board(None, false), None).unwrap(), None);
        assert!(matches!(thread_unit(&board(None, false), Some(UnitId(4))), Err(ForumError::UnitNotAllowed)));
    }

    #[test]
    fn validation_keeps_text_as_typed() {
        let t = NewThread {
            board: " WenZheng ".into(),
            unit: Some("JYJ".into()),
            nickname: " 老王 ".into(),
            subject: "学校门口<script>".into(),
            body: "<script>alert(1)</script>\n第二行".into(),
            idempotency_key: Some("k1".into()),
        };
        let v = t.validate(100).unwrap();
        assert_eq!((v.board.as_str(), v.unit_code.as_deref(), v.nickname.as_str()), ("wenzheng", Some("jyj"), "老王"));
        assert_eq!(v.body, "<script>alert(1)</script>\n第二行");
        let mut long = t.clone();
        long.body = "字".repeat(101);
        assert!(matches!(long.validate(100), Err(ValidationError::TooLong { field: "body", len: 101, max: 100 })));
        let mut blank = t.clone();
        blank.body = " \n ".into();
        assert!(matches!(blank.validate(100), Err(ValidationError::Empty { field: "body" })));
        let mut nul = t.clone();
        nul.body = "a\0b".into();
        assert!(nul.validate(100).is_err());
        let mut nick = t.clone();
        nick.nickname = "名".repeat(21);
        assert!(matches!(nick.validate(100), Err(ValidationError::TooLong { field: "nickname", .. })));
        let mut subject = t;
        subject.subject = "  ".into();
        assert!(matches!(subject.validate(100), Err(ValidationError::Empty { field: "subject" })));
        assert!(NewPost { nickname: "甲".into(), body: "回复".into(), idempotency_key: None }.validate(10).is_ok());
        assert!(NewPost { nickname: "".into(), body: "回复".into(), idempotency_key: None }.validate(10).is_err());
    }

    #[test]
    fn boards_validate() {
        let b = NewBoard {
            slug: "JYJ".into(),
            name: "教育服务".into(),
            description: String::new(),
            unit: Some("JYJ".into()),
            addressable: true,
            moderation: Moderation::Pre,
            position: 2,
        };
        let v = b.validate().unwrap();
        assert_eq!((v.slug.as_str(), v.unit_code.as_deref(), v.addressable), ("jyj", Some("jyj"), false));
        assert!(NewBoard { slug: "new".into(), ..b.clone() }.validate().is_err());
        assert!(NewBoard { slug: "问政".into(), ..b.clone() }.validate().is_err());
        assert!(NewBoard { name: " ".into(), ..b }.validate().is_err());
    }

    #[test]
    fn hashes_never_show_the_value_and_group_ipv6() {
        let h = address_hash("salt", "203.0.113.7");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("203.0.113.7"));
        assert_ne!(h, address_hash("other salt", "203.0.113.7"));
        assert_eq!(address_hash("s", "2001:db8:1:2:aaaa::1"), address_hash("s", "2001:db8:1:2:bbbb::9"));
        assert_ne!(address_hash("s", "2001:db8:1:2::1"), address_hash("s", "2001:db8:1:3::1"));
        assert_eq!(address_hash("s", "::ffff:203.0.113.7"), address_hash("s", "203.0.113.7"));
        assert_ne!(poster_hash("s", "abc"), address_hash("s", "abc"));
        assert!(check_poster_key("0123456789abcdef").is_ok());
        assert!(check_poster_key("short").is_err());
        assert!(check_poster_key("0123456789abcdef<").is_err());
    }

    #[test]
    fn settings_and_pages() {
        let s = ForumSettings::from_pairs(&[
            ("forum.rate.per_poster".into(), "2".into()),
            ("forum.hash_salt".into(), "ab".into()),
            ("interaction.x".into(), "y".into()),
        ])
        .unwrap();
        assert_eq!(s.rate.per_poster, 2);
        assert_eq!(s.rate.per_address, 20);
        assert!(ForumSettings::from_pairs(&[("forum.rate.per_poster".into(), "0".into())]).is_err());
        assert!(ForumSettings::from_pairs(&[("forum.nope".into(), "1".into())]).is_err());
        assert!(ForumSettings::from_pairs(&[("forum.max_body_chars".into(), "x".into())]).is_err());
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
        assert_eq!(page_count(2772, 30), 93);
    }
}
