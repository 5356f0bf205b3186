//! 论坛 (the forum) through the facade (issue 5): authorize, validate, check, then write
//! the change, its audit entry and its outbox event in one transaction.
//!
//! **Who may do what.** Reading public boards, threads and visible posts needs nothing.
//! Citizens post with a poster key and their address ([`ForumPoster`]): no account, and
//! neither value is stored as given (see [`sitegroup_interaction::forum`]); the audit
//! entries of their posts carry no address either. Moderation (the queue, approve,
//! reject, hide, restore) and board management are `ScreenTicket` on the group (the
//! information centre). An official reply is `HandleTicket` on the sites of the unit it
//! speaks for (a unit without a site, or no unit, needs group scope); on a thread that
//! is a ticket it *is* the ticket's reply ([`SiteGroup::ticket_step`] with
//! `Command::Reply`), which the centre reviews as for any ticket. The back office reads a
//! thread with all its posts with `ScreenTicket` on the group or `ViewTickets` on the
//! unit's sites.
//!
//! **Threads that are tickets.** A thread addressed to a unit creates, in the same
//! transaction, a ticket of channel `forum` whose deadline comes from the channel's
//! setting (`interaction.deadline.forum`, 5 working days). A thread public at once
//! (post-moderated board, no warning) is its own screening: the ticket starts with the
//! unit (`accept` in its history). A thread waiting for a moderator leaves its ticket
//! `submitted`; approving the thread accepts the ticket for the unit and refusing it
//! rejects the ticket with the same reason, in the moderation's transaction (a ticket
//! the centre already screened is left alone; hiding a public thread later does not
//! touch its ticket). The thread page reads the ticket's state, deadline and — once the
//! centre approved it (closed) — its reply; nothing is copied between the two.
//!
//! **Events.** `forum.thread`, `forum.reply`, `forum.official`, `forum.approve`,
//! `forum.reject`, `forum.hide`, `forum.restore`, `forum.board_create`,
//! `forum.board_update`, `forum.import`, `forum.settings`; a thread that is a ticket also
//! writes `ticket.submit` (and `ticket.accept` / `ticket.reject` when moderation screens
//! it). Payloads carry ids and states, never hashes, addresses or contacts.

use serde::{Deserialize, Serialize};
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, UnitId, authorize, password};
use sitegroup_interaction::InteractionError;
use sitegroup_interaction::deadline::{self, DeadlineStatus};
use sitegroup_interaction::flow::{self, Command, Context, Flow, RejectReason, TicketState};
use sitegroup_interaction::forum::repo::{self as frepo, AdminFilter, NewPostRow, NewThreadRow};
use sitegroup_interaction::forum::{
    self, Board, BoardChange, ForumError, ForumSettings, ModerationNote, ModerationStep, NewBoard, NewPost, NewThread,
    Post, PostStatus, Thread, ThreadSummary,
};
use sitegroup_interaction::model::{Channel, Settings, Ticket, ValidTicket, Writer};
use sitegroup_interaction::repo::{self as trepo, LogEntry};
use sitegroup_interaction::{code, redact};
use sitegroup_store::{StoreError, Tx, core_repo};
use sitegroup_text::checks::{Finding, Severity};

use crate::content_service::checker_for;
use crate::error::Error;
use crate::group::SiteGroup;

fn ferr(e: ForumError) -> Error {
    Error::Forum(e)
}

/// Who posts: the visitor's poster key (an opaque random id the embedding program keeps
/// for them, 16–128 ASCII letters, digits, `-`, `_`) and their address. Both are only
/// ever stored as salted hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumPoster {
    /// The poster key (the portal's `sg_forum` cookie).
    pub key: String,
    /// The client address, if known (`None`: only the poster limit applies).
    pub address: Option<String>,
}

/// What a citizen's post came to.
#[derive(Debug, Clone, Serialize)]
pub struct ForumPosted {
    /// The thread (new, or the one replied to).
    pub thread: Thread,
    /// The post: `visible`, or `pending` until a moderator approves it.
    pub post: Post,
    /// True when the idempotency key was already used: this is the earlier post.
    pub replayed: bool,
    /// For a new thread addressed to a unit: its ticket.
    pub ticket: Option<ForumTicketReceipt>,
}

/// The ticket a new thread created, for the poster to follow it with the query code.
#[derive(Debug, Clone, Serialize)]
pub struct ForumTicketReceipt {
    /// Ticket id.
    pub id: i64,
    /// 查询码.
    pub query_code: String,
    /// The secret, shown once; `None` on a replay.
    pub secret: Option<String>,
    /// The deadline (end of a working day), if the calendar covers it.
    pub due_at: Option<i64>,
}

/// A board with its public counts.
#[derive(Debug, Clone, Serialize)]
pub struct BoardSummary {
    /// The board.
    pub board: Board,
    /// Public threads.
    pub threads: i64,
    /// Public threads with a public official reply.
    pub answered: i64,
}

/// One page of a board's public threads, latest activity first.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadPage {
    /// The board.
    pub board: Board,
    /// The threads of this page.
    pub threads: Vec<ThreadSummary>,
    /// Public threads of the board.
    pub total: i64,
    /// This page (from 1).
    pub page: u32,
    /// Number of pages (at least 1).
    pub pages: u32,
}

/// Where a thread's ticket stands, read from the ticket.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadTicket {
    /// Ticket id.
    pub id: i64,
    /// 查询码 (back office only; public pages do not show it).
    pub query_code: String,
    /// The ticket's state.
    pub state: TicketState,
    /// The responsible unit.
    pub unit: Option<UnitId>,
    /// Received, unix seconds.
    pub received_at: i64,
    /// Deadline.
    pub due_at: Option<i64>,
    /// On time, due soon, overdue …
    pub deadline: DeadlineStatus,
    /// The unit's reply once the centre approved it (closed), redacted.
    pub reply: Option<String>,
    /// When the reply was given.
    pub replied_at: Option<i64>,
}

/// A thread with its posts (public: visible posts only; back office: all).
#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    /// The board.
    pub board: Board,
    /// The thread and its counts.
    pub thread: ThreadSummary,
    /// Posts, oldest first (the opening post first).
    pub posts: Vec<Post>,
    /// The ticket, for threads addressed to a unit.
    pub ticket: Option<ThreadTicket>,
}

impl ThreadView {
    /// Whether a public official reply exists (an official post, or the ticket's
    /// approved reply).
    pub fn answered(&self) -> bool {
        self.thread.answered()
    }
}

/// A pending post in the moderation queue.
#[derive(Debug, Clone, Serialize)]
pub struct ForumQueueItem {
    /// The post (its warning findings say why it waits, if any).
    pub post: Post,
    /// Its thread.
    pub thread: Thread,
    /// The thread's board.
    pub board: Board,
}

/// A moderator's decision on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ForumModeration {
    /// Publish a pending post.
    Approve,
    /// Refuse a pending post: why (told to the ticket's writer for a ticket thread).
    Reject {
        /// Spam, duplicate or out of scope.
        reason: RejectReason,
        /// The note.
        note: String,
    },
    /// Take a public post down, saying why (the reason replaces it on the page).
    Hide {
        /// The reason.
        note: String,
    },
    /// Show a hidden post again.
    Restore,
}

impl ForumModeration {
    fn step(&self) -> ModerationStep {
        match self {
            ForumModeration::Approve => ModerationStep::Approve,
            ForumModeration::Reject { .. } => ModerationStep::Reject,
            ForumModeration::Hide { .. } => ModerationStep::Hide,
            ForumModeration::Restore => ModerationStep::Restore,
        }
    }
}

/// What an official reply came to.
#[derive(Debug, Clone, Serialize)]
pub enum ForumOfficial {
    /// An official post, public at once.
    Posted(Post),
    /// The thread is a ticket: the reply is the ticket's, shown once the centre approves it.
    TicketReply(Box<Ticket>),
}

/// The forum's public totals (the seed: 2,772 threads, 2,758 answered).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ForumStats {
    /// Public threads.
    pub threads: i64,
    /// Public threads with a public official reply.
    pub answered: i64,
}

/// One historical thread to import (demo data, a migration from an old forum).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThreadImport {
    /// Board code.
    pub board: String,
    /// Unit addressed (code); the thread becomes a ticket.
    pub unit: Option<String>,
    /// Nickname.
    pub nickname: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Posted, unix seconds.
    pub created_at: i64,
    /// Citizens' replies (nickname, body, unix seconds).
    pub replies: Vec<(String, String, i64)>,
    /// The official answer and when: the ticket's approved reply for a thread addressed
    /// to a unit, an official post of the centre otherwise.
    pub answer: Option<(String, i64)>,
}

/// Most posts read for one thread.
const POSTS_LIMIT: i64 = 1_000;

fn web_origin(origin: &Origin) -> Origin {
    // Citizens' addresses never reach the audit log.
    Origin { channel: origin.channel.clone(), address: None }
}

fn thread_event(t: &Thread) -> serde_json::Value {
    serde_json::json!({
        "id": t.id, "board": t.board, "status": t.status.as_str(), "unit": t.unit.map(|u| u.0), "ticket": t.ticket,
    })
}

fn post_event(p: &Post) -> serde_json::Value {
    serde_json::json!({ "id": p.id, "thread": p.thread, "status": p.status.as_str(), "official": p.official })
}

fn ticket_event(t: &Ticket) -> serde_json::Value {
    serde_json::json!({
        "id": t.id, "channel": t.channel.as_str(), "state": t.flow.state.as_str(),
        "unit": t.flow.unit.map(|u| u.0), "due_at": t.due_at, "query_code": t.query_code,
    })
}

fn note_text(field: &'static str, s: &str) -> Result<String, Error> {
    Ok(sitegroup_core::error::required_text(field, s, forum::MAX_NOTE_CHARS)?)
}

/// Either a new post or the earlier one with the same idempotency key.
enum Written {
    New(Box<ForumPosted>),
    Replay(Post),
}

impl SiteGroup {
    // ---- settings and helpers ----

    /// The forum settings (`forum.*` in the settings table, with defaults).
    pub fn forum_settings(&self) -> Result<ForumSettings, Error> {
        let pairs = self.db.read(frepo::settings)?;
        Ok(ForumSettings::from_pairs(&pairs)?)
    }

    /// Sets one `forum.*` setting (the centre); refused when unknown or malformed.
    pub fn set_forum_setting(&self, actor: &Actor, origin: &Origin, key: &str, value: &str) -> Result<(), Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        if !key.starts_with("forum.") || key == forum::SALT_KEY {
            return Err(sitegroup_core::ValidationError::Rule(format!("unknown setting {key}")).into());
        }
        let mut pairs = self.db.read(frepo::settings)?;
        pairs.push((key.to_string(), value.to_string()));
        ForumSettings::from_pairs(&pairs)?;
        self.audited(actor, origin, "forum.settings", None, format!("settings:{key}"), |tx| {
            core_repo::set_setting(tx, key, value)?;
            Ok(((), serde_json::json!({ "key": key, "value": value })))
        })
    }

    /// The salt of the poster and address hashes, drawn on first use and kept in the
    /// settings table (so every node of a group agrees).
    fn forum_salt(&self) -> Result<String, Error> {
        if let Some(s) = self.db.read(|tx| core_repo::get_setting(tx, forum::SALT_KEY))? {
            return Ok(s);
        }
        let mut fresh = [0u8; 32];
        password::random_bytes(&mut fresh).map_err(|e| Error::Internal(e.to_string()))?;
        let hex: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
        Ok(self.db.write(|tx| core_repo::setting_or_insert(tx, forum::SALT_KEY, &hex))?)
    }

    fn load_board(tx: &mut Tx<'_>, slug: &str) -> Result<Board, Error> {
        let slug = slug.trim().to_ascii_lowercase();
        frepo::board_by_slug(tx, &slug)?.ok_or(ferr(ForumError::BoardNotFound(slug)))
    }

    fn load_thread(tx: &mut Tx<'_>, id: i64) -> Result<Thread, Error> {
        frepo::thread(tx, id)?.ok_or(ferr(ForumError::ThreadNotFound(id)))
    }

    fn forum_unit(tx: &mut Tx<'_>, code: &str) -> Result<UnitId, Error> {
        core_repo::unit_by_code(tx, &code.trim().to_ascii_lowercase())?
            .map(|u| u.id)
            .ok_or_else(|| ferr(ForumError::UnknownUnit(code.to_string())))
    }

    /// Runs the shared content checks on a citizen's text: the findings, or the
    /// refusal when one blocks.
    fn forum_checks(&self, subject: Option<&str>, body: &str) -> Result<Vec<Finding>, Error> {
        let checker = checker_for(self.dir())?;
        Ok(match subject {
            Some(s) => checker.check_document(s, body),
            None => checker.check_text(body),
        })
    }

    /// The gate of a citizen's post inside its transaction: locks the poster's and the
    /// address's rate rows (so concurrent posts of one key queue), then returns the
    /// earlier post of the same idempotency key if there is one (a double submit that
    /// raced the first), else counts recent posts and applies the rate rule.
    fn forum_gate(
        tx: &mut Tx<'_>,
        settings: &ForumSettings,
        poster: &str,
        address: Option<&str>,
        key: Option<&str>,
        now: i64,
    ) -> Result<Option<Post>, Error> {
        // Always poster first, then address: two posts never wait on each other in a cycle.
        frepo::lock_rate_key(tx, &format!("p:{poster}"), now)?;
        if let Some(a) = address {
            frepo::lock_rate_key(tx, &format!("a:{a}"), now)?;
        }
        if let Some(k) = key
            && let Some(p) = frepo::post_by_key(tx, k)?
        {
            return Ok(Some(p));
        }
        let since = now - settings.rate.window_secs;
        let by_poster = frepo::recent_by_poster(tx, poster, since)?;
        let by_address = match address {
            Some(a) => Some(frepo::recent_by_address(tx, a, since)?),
            None => None,
        };
        forum::check_rate(&settings.rate, &by_poster, by_address.as_ref(), now).map_err(ferr)?;
        Ok(None)
    }

    fn replayed(&self, post: Post) -> Result<ForumPosted, Error> {
        let thread = self.db.read(|tx| Self::load_thread(tx, post.thread))?;
        let ticket = match thread.ticket.filter(|_| post.opening) {
            Some(id) => self.db.read(|tx| trepo::ticket(tx, id))?.map(|t| ForumTicketReceipt {
                id: t.id,
                query_code: t.query_code,
                secret: None,
                due_at: t.due_at,
            }),
            None => None,
        };
        Ok(ForumPosted { thread, post, replayed: true, ticket })
    }

    fn replay_by_key(&self, key: Option<&str>) -> Result<Option<ForumPosted>, Error> {
        let Some(key) = key else { return Ok(None) };
        match self.db.read(|tx| frepo::post_by_key(tx, key))? {
            Some(p) => Ok(Some(self.replayed(p)?)),
            None => Ok(None),
        }
    }

    /// Finishes a write that may have met a concurrent double submit.
    fn forum_written(&self, result: Result<Written, Error>, key: Option<&str>) -> Result<ForumPosted, Error> {
        match result {
            Ok(Written::New(p)) => Ok(*p),
            Ok(Written::Replay(p)) => self.replayed(p),
            Err(Error::Duplicate { what: "forum idempotency key", .. }) => {
                self.replay_by_key(key)?.ok_or_else(|| Error::Internal("a duplicate post key without its post".into()))
            }
            Err(e) => Err(e),
        }
    }

    /// Applies a ticket command inside `tx` (moderation screening a thread's ticket):
    /// the pure step, the new deadline, the history line, the audit entry and event.
    fn forum_ticket_step(
        &self,
        tx: &mut Tx<'_>,
        actor: &Actor,
        origin: &Origin,
        ticket: &Ticket,
        cmd: &Command,
        settings: &Settings,
    ) -> Result<(), Error> {
        let now = self.now();
        let ctx = Context {
            channel: ticket.channel,
            private: ticket.private,
            now,
            due_at: ticket.due_at,
            settings,
            calendar: self.calendar(),
        };
        let to = flow::apply(&ticket.flow, cmd, &ctx).map_err(Error::Interaction)?;
        let due = deadline::compute_opt(&to.clock, settings.max_pause_days, self.calendar())?.map(|d| d.due_at);
        trepo::save_flow(tx, ticket.id, &ticket.flow, &to, due, now)?;
        let entry = LogEntry {
            at: now,
            actor: actor.label(),
            action: cmd.name().into(),
            unit: to.unit,
            detail: serde_json::to_value(cmd).unwrap_or_default(),
        };
        trepo::append_log(tx, ticket.id, &entry)?;
        let saved = trepo::ticket(tx, ticket.id)?.ok_or(Error::Internal("ticket vanished".into()))?;
        let site = self.unit_site(to.unit)?;
        self.record(
            tx,
            actor,
            origin,
            &format!("ticket.{}", cmd.name()),
            site,
            format!("ticket:{}", ticket.id),
            ticket_event(&saved),
        )
    }

    // ---- boards ----

    /// Creates a board (the centre: `ScreenTicket` on the group).
    pub fn forum_create_board(&self, actor: &Actor, origin: &Origin, new: &NewBoard) -> Result<Board, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let valid = new.validate()?;
        let now = self.now();
        self.db.write(|tx| {
            let unit = match &valid.unit_code {
                Some(c) => Some(Self::forum_unit(tx, c)?),
                None => None,
            };
            let board = tx.savepoint(|tx| frepo::insert_board(tx, &valid, unit, now)).map_err(|e| match e {
                StoreError::UniqueViolation { .. } => ferr(ForumError::DuplicateBoard(valid.slug.clone())),
                other => other.into(),
            })?;
            let payload = serde_json::to_value(&board).unwrap_or_default();
            self.record(tx, actor, origin, "forum.board_create", None, format!("forum_board:{}", board.id), payload)?;
            Ok(board)
        })
    }

    /// Changes a board (the centre).
    pub fn forum_update_board(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        change: &BoardChange,
    ) -> Result<Board, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let now = self.now();
        self.db.write(|tx| {
            let board = frepo::board(tx, id)?.ok_or_else(|| ferr(ForumError::BoardNotFound(id.to_string())))?;
            let changed = change.apply(&board)?;
            frepo::update_board(tx, &changed, now)?;
            let payload = serde_json::to_value(&changed).unwrap_or_default();
            self.record(tx, actor, origin, "forum.board_update", None, format!("forum_board:{id}"), payload)?;
            Ok(changed)
        })
    }

    /// Every board in display order with its public counts (public).
    pub fn forum_boards(&self) -> Result<Vec<BoardSummary>, Error> {
        let (boards, counts) = self.db.read(|tx| Ok::<_, Error>((frepo::boards(tx)?, frepo::board_counts(tx)?)))?;
        Ok(boards
            .into_iter()
            .map(|board| {
                let (threads, answered) = counts.iter().find(|c| c.0 == board.id).map_or((0, 0), |&(_, n, a)| (n, a));
                BoardSummary { board, threads, answered }
            })
            .collect())
    }

    /// A board by its code (public).
    pub fn forum_board(&self, slug: &str) -> Result<Board, Error> {
        self.db.read(|tx| Self::load_board(tx, slug))
    }

    /// The forum's public totals.
    pub fn forum_stats(&self) -> Result<ForumStats, Error> {
        let (threads, answered) = self.db.read(frepo::totals)?;
        Ok(ForumStats { threads, answered })
    }

    // ---- public reads ----

    /// One page (from 1) of a board's public threads, `per_page` a page (1–100).
    pub fn forum_threads(&self, slug: &str, page: u32, per_page: u32) -> Result<ThreadPage, Error> {
        let per_page = per_page.clamp(1, 100);
        self.db.read(|tx| {
            let board = Self::load_board(tx, slug)?;
            let total = frepo::count_public_threads(tx, board.id)?;
            let pages = forum::page_count(total, per_page);
            let page = page.clamp(1, pages);
            let offset = i64::from(page - 1) * i64::from(per_page);
            let threads = frepo::public_threads(tx, board.id, offset, i64::from(per_page))?;
            Ok(ThreadPage { board, threads, total, page, pages })
        })
    }

    /// A public thread with its visible posts and its ticket's state; a thread that is
    /// not public is not found.
    pub fn forum_thread(&self, id: i64) -> Result<ThreadView, Error> {
        let view = self.forum_view(id, true)?;
        if view.thread.thread.status != PostStatus::Visible {
            return Err(ferr(ForumError::ThreadNotFound(id)));
        }
        Ok(view)
    }

    fn forum_view(&self, id: i64, public: bool) -> Result<ThreadView, Error> {
        let (board, thread, posts, ticket) = self.db.read(|tx| {
            let thread = frepo::thread_summary(tx, id)?.ok_or(ferr(ForumError::ThreadNotFound(id)))?;
            if public && thread.thread.status != PostStatus::Visible {
                return Err(ferr(ForumError::ThreadNotFound(id)));
            }
            let board = frepo::board(tx, thread.thread.board)?
                .ok_or_else(|| Error::Internal(format!("thread {id} without its board")))?;
            let posts = frepo::posts_of(tx, id, public, POSTS_LIMIT)?;
            let ticket = match thread.thread.ticket {
                Some(t) => trepo::ticket(tx, t)?,
                None => None,
            };
            Ok::<_, Error>((board, thread, posts, ticket))
        })?;
        let ticket = match ticket {
            Some(t) => {
                let settings = self.interaction_settings()?;
                let closed = t.flow.state == TicketState::Closed;
                Some(ThreadTicket {
                    id: t.id,
                    query_code: t.query_code.clone(),
                    state: t.flow.state,
                    unit: t.flow.unit.or(t.target_unit),
                    received_at: t.received_at,
                    due_at: t.due_at,
                    deadline: deadline::status(
                        t.flow.state,
                        t.due_at,
                        self.now(),
                        settings.due_soon_days,
                        self.calendar(),
                    ),
                    reply: if closed { t.flow.reply.as_deref().map(|r| redact(r, &[]).text) } else { None },
                    replied_at: if closed { t.flow.replied_at } else { None },
                })
            }
            None => None,
        };
        Ok(ThreadView { board, thread, posts, ticket })
    }

    // ---- citizens' posts ----

    /// Posts a new thread (a citizen, no account). Validates, runs the content checks
    /// (a blocking finding refuses it, a warning queues it), then in one transaction:
    /// the rate limits, the thread, its opening post and — when it addresses a unit —
    /// its ticket. An idempotency key already used returns the earlier thread.
    pub fn forum_post_thread(
        &self,
        origin: &Origin,
        poster: &ForumPoster,
        new: &NewThread,
    ) -> Result<ForumPosted, Error> {
        let settings = self.forum_settings()?;
        let valid = new.validate(settings.max_body_chars)?;
        forum::check_poster_key(&poster.key)?;
        if let Some(p) = self.replay_by_key(valid.idempotency_key.as_deref())? {
            return Ok(p);
        }
        let (board, requested) = self.db.read(|tx| {
            let board = Self::load_board(tx, &valid.board)?;
            let requested = match &valid.unit_code {
                Some(c) => Some(Self::forum_unit(tx, c)?),
                None => None,
            };
            Ok::<_, Error>((board, requested))
        })?;
        if !board.open {
            return Err(ferr(ForumError::BoardClosed));
        }
        let unit = forum::thread_unit(&board, requested).map_err(ferr)?;
        let findings = self.forum_checks(Some(&valid.subject), &valid.body)?;
        let status = forum::decide(board.moderation, &findings).map_err(ferr)?;
        let salt = self.forum_salt()?;
        let poster_hash = forum::poster_hash(&salt, &poster.key);
        let address_hash = poster.address.as_deref().map(|a| forum::address_hash(&salt, a));
        let now = self.now();
        let origin = web_origin(origin);
        let anonymous = Actor::anonymous();
        // The ticket's parts are prepared before the transaction.
        let ticket_parts = match unit {
            Some(u) => {
                let isettings = self.interaction_settings()?;
                let mut tflow = Flow::new(now, isettings.days_for(Channel::Forum, ""));
                if status == PostStatus::Visible {
                    let ctx = Context {
                        channel: Channel::Forum,
                        private: false,
                        now,
                        due_at: None,
                        settings: &isettings,
                        calendar: self.calendar(),
                    };
                    tflow = flow::apply(&tflow, &Command::Accept { unit: Some(u), urgent: false }, &ctx)
                        .map_err(Error::Interaction)?;
                }
                let due =
                    deadline::compute_opt(&tflow.clock, isettings.max_pause_days, self.calendar())?.map(|d| d.due_at);
                let secret = code::new_secret().map_err(Error::Internal)?;
                Some((u, tflow, due, secret))
            }
            None => None,
        };
        let site = self.unit_site(unit)?;
        let key = valid.idempotency_key.clone();
        let result = self.db.write(|tx| {
            if let Some(p) =
                Self::forum_gate(tx, &settings, &poster_hash, address_hash.as_deref(), key.as_deref(), now)?
            {
                return Ok(Written::Replay(p));
            }
            let current =
                frepo::board(tx, board.id)?.ok_or_else(|| ferr(ForumError::BoardNotFound(board.slug.clone())))?;
            if !current.open {
                return Err(ferr(ForumError::BoardClosed));
            }
            let row = NewThreadRow {
                board: board.id,
                subject: &valid.subject,
                nickname: &valid.nickname,
                unit,
                status,
                at: now,
            };
            let thread_id = frepo::insert_thread(tx, &row)?;
            let post_row = NewPostRow {
                thread: thread_id,
                opening: true,
                nickname: &valid.nickname,
                body: &valid.body,
                official: false,
                official_unit: None,
                author: None,
                status,
                findings: &findings,
                poster_hash: Some(&poster_hash),
                address_hash: address_hash.as_deref(),
                idempotency_key: key.as_deref(),
                at: now,
            };
            let Some(post_id) = frepo::insert_post(tx, &post_row)? else {
                return Err(Error::Duplicate { what: "forum idempotency key", key: key.clone().unwrap_or_default() });
            };
            let mut receipt = None;
            if let Some((u, tflow, due, (secret, salt, hash))) = &ticket_parts {
                let vt = ValidTicket {
                    channel: Channel::Forum,
                    category: String::new(),
                    unit_code: None,
                    leader: None,
                    writer: Writer::default(),
                    subject: valid.subject.clone(),
                    body: valid.body.clone(),
                    attachments: vec![],
                    private: false,
                    urgent: false,
                    idempotency_key: None,
                    applicant: None,
                };
                let t = self.insert_new(tx, &vt, Some(*u), salt, hash, now, tflow, *due, "forum")?;
                if tflow.state == TicketState::Assigned {
                    let entry = LogEntry {
                        at: now,
                        actor: "system:forum".into(),
                        action: "accept".into(),
                        unit: Some(*u),
                        detail: serde_json::json!({ "thread": thread_id, "moderation": "post" }),
                    };
                    trepo::append_log(tx, t.id, &entry)?;
                }
                frepo::set_thread_ticket(tx, thread_id, t.id)?;
                self.record(
                    tx,
                    &anonymous,
                    &origin,
                    "ticket.submit",
                    site,
                    format!("ticket:{}", t.id),
                    ticket_event(&t),
                )?;
                receipt = Some(ForumTicketReceipt {
                    id: t.id,
                    query_code: t.query_code.clone(),
                    secret: Some(secret.clone()),
                    due_at: t.due_at,
                });
            }
            let thread = Self::load_thread(tx, thread_id)?;
            let post = frepo::post(tx, post_id)?.ok_or(Error::Internal("inserted post vanished".into()))?;
            self.record(
                tx,
                &anonymous,
                &origin,
                "forum.thread",
                site,
                format!("forum_thread:{thread_id}"),
                thread_event(&thread),
            )?;
            Ok(Written::New(Box::new(ForumPosted { thread, post, replayed: false, ticket: receipt })))
        });
        self.forum_written(result, valid.idempotency_key.as_deref())
    }

    /// Replies to a public thread (a citizen, no account): the same checks, limits and
    /// idempotency as a new thread.
    pub fn forum_reply(
        &self,
        origin: &Origin,
        poster: &ForumPoster,
        thread_id: i64,
        new: &NewPost,
    ) -> Result<ForumPosted, Error> {
        let settings = self.forum_settings()?;
        let valid = new.validate(settings.max_body_chars)?;
        forum::check_poster_key(&poster.key)?;
        if let Some(p) = self.replay_by_key(valid.idempotency_key.as_deref())? {
            return Ok(p);
        }
        let (thread, board) = self.db.read(|tx| {
            let thread = Self::load_thread(tx, thread_id)?;
            let board = frepo::board(tx, thread.board)?.ok_or(ferr(ForumError::ThreadNotFound(thread_id)))?;
            Ok::<_, Error>((thread, board))
        })?;
        if thread.status != PostStatus::Visible {
            return Err(ferr(ForumError::ThreadNotFound(thread_id)));
        }
        if !board.open {
            return Err(ferr(ForumError::BoardClosed));
        }
        let findings = self.forum_checks(None, &valid.body)?;
        let status = forum::decide(board.moderation, &findings).map_err(ferr)?;
        let salt = self.forum_salt()?;
        let poster_hash = forum::poster_hash(&salt, &poster.key);
        let address_hash = poster.address.as_deref().map(|a| forum::address_hash(&salt, a));
        let now = self.now();
        let origin = web_origin(origin);
        let site = self.unit_site(thread.unit)?;
        let key = valid.idempotency_key.clone();
        let result = self.db.write(|tx| {
            if let Some(p) =
                Self::forum_gate(tx, &settings, &poster_hash, address_hash.as_deref(), key.as_deref(), now)?
            {
                return Ok(Written::Replay(p));
            }
            let current = Self::load_thread(tx, thread_id)?;
            if current.status != PostStatus::Visible {
                return Err(ferr(ForumError::ThreadClosed));
            }
            let row = NewPostRow {
                thread: thread_id,
                opening: false,
                nickname: &valid.nickname,
                body: &valid.body,
                official: false,
                official_unit: None,
                author: None,
                status,
                findings: &findings,
                poster_hash: Some(&poster_hash),
                address_hash: address_hash.as_deref(),
                idempotency_key: key.as_deref(),
                at: now,
            };
            let Some(post_id) = frepo::insert_post(tx, &row)? else {
                return Err(Error::Duplicate { what: "forum idempotency key", key: key.clone().unwrap_or_default() });
            };
            if status == PostStatus::Visible {
                frepo::touch_thread(tx, thread_id, now)?;
            }
            let post = frepo::post(tx, post_id)?.ok_or(Error::Internal("inserted post vanished".into()))?;
            self.record(
                tx,
                &Actor::anonymous(),
                &origin,
                "forum.reply",
                site,
                format!("forum_post:{post_id}"),
                post_event(&post),
            )?;
            let thread = Self::load_thread(tx, thread_id)?;
            Ok(Written::New(Box::new(ForumPosted { thread, post, replayed: false, ticket: None })))
        });
        self.forum_written(result, valid.idempotency_key.as_deref())
    }

    // ---- moderation ----

    /// The moderation queue: pending posts, oldest first (the centre).
    pub fn forum_queue(&self, actor: &Actor, limit: i64) -> Result<Vec<ForumQueueItem>, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let (items, boards) = self.db.read(|tx| Ok::<_, Error>((frepo::pending(tx, limit)?, frepo::boards(tx)?)))?;
        Ok(items
            .into_iter()
            .filter_map(|(post, thread)| {
                let board = boards.iter().find(|b| b.id == thread.board)?.clone();
                Some(ForumQueueItem { post, thread, board })
            })
            .collect())
    }

    /// A moderator's decision on a post (the centre). Approving or refusing an opening
    /// post decides its thread, and screens the thread's ticket if it still waits.
    pub fn forum_moderate(
        &self,
        actor: &Actor,
        origin: &Origin,
        post_id: i64,
        decision: &ForumModeration,
    ) -> Result<Post, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let (reason, note) = match decision {
            ForumModeration::Reject { reason, note } => (Some(*reason), note_text("note", note)?),
            ForumModeration::Hide { note } => (None, note_text("note", note)?),
            ForumModeration::Approve | ForumModeration::Restore => (None, String::new()),
        };
        let step = decision.step();
        let now = self.now();
        let (post, thread) = self.db.read(|tx| {
            let post = frepo::post(tx, post_id)?.ok_or(ferr(ForumError::PostNotFound(post_id)))?;
            let thread = Self::load_thread(tx, post.thread)?;
            Ok::<_, Error>((post, thread))
        })?;
        let to = forum::moderate(post.status, step).map_err(ferr)?;
        let isettings = self.interaction_settings()?;
        let site = self.unit_site(thread.unit)?;
        let record = ModerationNote { reason, note: note.clone(), by: actor.label(), at: now };
        self.db.write(|tx| {
            match frepo::set_post_status(tx, post_id, post.status, to, &record) {
                Ok(()) => {}
                Err(StoreError::NotFound) => {
                    let current = frepo::post(tx, post_id)?.map_or(post.status, |p| p.status);
                    return Err(ferr(ForumError::IllegalModeration { from: current, action: step.as_str() }));
                }
                Err(e) => return Err(e.into()),
            }
            if post.opening {
                frepo::set_thread_status(tx, thread.id, to)?;
            }
            if to == PostStatus::Visible {
                frepo::touch_thread(tx, thread.id, post.created_at)?;
            }
            // A thread's ticket still waiting for screening follows the thread's fate.
            if post.opening
                && let Some(tid) = thread.ticket
                && let Some(ticket) = trepo::ticket(tx, tid)?
                && ticket.flow.state == TicketState::Submitted
            {
                let cmd = match decision {
                    ForumModeration::Approve => Some(Command::Accept { unit: thread.unit, urgent: false }),
                    ForumModeration::Reject { reason, .. } => {
                        Some(Command::Reject { reason: *reason, note: note.clone() })
                    }
                    _ => None,
                };
                if let Some(cmd) = cmd {
                    self.forum_ticket_step(tx, actor, origin, &ticket, &cmd, &isettings)?;
                }
            }
            let saved = frepo::post(tx, post_id)?.ok_or(ferr(ForumError::PostNotFound(post_id)))?;
            let action = format!("forum.{}", step.as_str());
            let mut payload = post_event(&saved);
            payload["note"] = serde_json::Value::String(note.clone());
            self.record(tx, actor, origin, &action, site, format!("forum_post:{post_id}"), payload)?;
            Ok(saved)
        })
    }

    // ---- official replies ----

    /// An official reply (官方回复) to a thread. On a thread that is a ticket this is the
    /// ticket's reply (`HandleTicket` on the responsible unit; the centre reviews it and
    /// the thread shows it once approved). Otherwise an official post speaking for
    /// `unit` (`HandleTicket` on its sites) or, without a unit, for the centre
    /// (`HandleTicket` on the group), public at once; a blocking check finding refuses it.
    pub fn forum_official_reply(
        &self,
        actor: &Actor,
        origin: &Origin,
        thread_id: i64,
        unit: Option<&str>,
        text: &str,
    ) -> Result<ForumOfficial, Error> {
        let thread = self.db.read(|tx| Self::load_thread(tx, thread_id))?;
        let unit = match unit.map(str::trim).filter(|u| !u.is_empty()) {
            Some(code) => Some(self.db.read(|tx| Self::forum_unit(tx, code))?),
            None => None,
        };
        if let Some(tid) = thread.ticket {
            let ticket = self
                .db
                .read(|tx| trepo::ticket(tx, tid))?
                .ok_or(Error::Interaction(InteractionError::NotFound(tid)))?;
            if unit.is_some() && unit != ticket.flow.unit.or(ticket.target_unit) {
                return Err(ferr(ForumError::UnitNotAllowed));
            }
            let t = self.ticket_step(actor, origin, tid, Command::Reply { text: text.to_string() })?;
            return Ok(ForumOfficial::TicketReply(Box::new(t)));
        }
        match unit {
            Some(u) => self.authorize_unit(actor, Action::HandleTicket, Some(u))?,
            None => authorize(actor, Action::HandleTicket, &Resource::Group)?,
        }
        if thread.status != PostStatus::Visible {
            return Err(ferr(ForumError::ThreadClosed));
        }
        let body = forum::check_body("reply", text, forum::MAX_OFFICIAL_CHARS)?;
        let findings = self.forum_checks(None, &body)?;
        if findings.iter().any(|f| f.severity == Severity::Block) {
            return Err(ferr(ForumError::Blocked(findings)));
        }
        let (nickname, site) = match unit {
            Some(u) => (
                self.db.read(|tx| core_repo::unit_by_id(tx, u))?.map(|u| u.name).unwrap_or_default(),
                self.unit_site(Some(u))?,
            ),
            None => (String::new(), None),
        };
        let now = self.now();
        let author = actor.label();
        let post = self.db.write(|tx| {
            let row = NewPostRow {
                thread: thread_id,
                opening: false,
                nickname: &nickname,
                body: &body,
                official: true,
                official_unit: unit,
                author: Some(&author),
                status: PostStatus::Visible,
                findings: &findings,
                poster_hash: None,
                address_hash: None,
                idempotency_key: None,
                at: now,
            };
            let id = frepo::insert_post(tx, &row)?
                .ok_or(Error::Internal("an official post without a key conflicted".into()))?;
            frepo::touch_thread(tx, thread_id, now)?;
            let post = frepo::post(tx, id)?.ok_or(Error::Internal("inserted post vanished".into()))?;
            self.record(tx, actor, origin, "forum.official", site, format!("forum_post:{id}"), post_event(&post))?;
            Ok::<_, Error>(post)
        })?;
        Ok(ForumOfficial::Posted(post))
    }

    // ---- back office reads ----

    /// A thread with all its posts (any state) for the back office: the centre, or a
    /// user who may read the tickets of the thread's unit.
    pub fn forum_admin_thread(&self, actor: &Actor, id: i64) -> Result<ThreadView, Error> {
        let view = self.forum_view(id, false)?;
        if authorize(actor, Action::ScreenTicket, &Resource::Group).is_err() {
            self.authorize_unit(actor, Action::ViewTickets, view.thread.thread.unit)?;
        }
        Ok(view)
    }

    /// Threads for the back office, newest first (rejected ones left out): all of them
    /// for group-scoped readers of tickets, else those addressed to units whose sites
    /// the actor may read the tickets of (refused when there are none).
    pub fn forum_admin_threads(
        &self,
        actor: &Actor,
        unanswered: bool,
        limit: i64,
    ) -> Result<Vec<ThreadSummary>, Error> {
        let units = match authorize(actor, Action::ViewTickets, &Resource::Group) {
            Ok(()) => None,
            Err(denied) => {
                let tree = self.site_tree()?;
                let mut units: Vec<UnitId> = tree
                    .sites()
                    .iter()
                    .filter(|s| authorize(actor, Action::ViewTickets, &Resource::Site(s.id)).is_ok())
                    .filter_map(|s| s.unit)
                    .collect();
                units.sort_unstable_by_key(|u| u.0);
                units.dedup();
                if units.is_empty() {
                    return Err(Error::Denied(denied));
                }
                Some(units)
            }
        };
        let filter = AdminFilter { units, unanswered, limit };
        Ok(self.db.read(|tx| frepo::admin_threads(tx, &filter))?)
    }

    // ---- history ----

    /// Imports historical threads (demo data, a migration), each under its own savepoint
    /// in one transaction: a bad thread is reported, the rest go in. No checks, limits
    /// or moderation (the history was moderated where it came from); posts are public.
    /// A thread addressed to a unit becomes a ticket with the unit, closed with its
    /// answer when it has one (deadline from the channel's setting). The centre only.
    pub fn forum_import(
        &self,
        actor: &Actor,
        origin: &Origin,
        threads: &[ThreadImport],
    ) -> Result<Vec<Result<Thread, Error>>, Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        let settings = self.forum_settings()?;
        let isettings = self.interaction_settings()?;
        let days = isettings.days_for(Channel::Forum, "");
        let tree = self.site_tree()?;
        let site_of = |u: Option<UnitId>| -> Option<SiteId> {
            u.and_then(|u| tree.sites().iter().find(|s| s.unit == Some(u)).map(|s| s.id))
        };
        self.db.write(|tx| {
            let mut boards: Vec<Board> = frepo::boards(tx)?;
            let mut out = Vec::with_capacity(threads.len());
            for line in threads {
                out.push(tx.savepoint(|tx| {
                    let new = NewThread {
                        board: line.board.clone(),
                        unit: line.unit.clone(),
                        nickname: line.nickname.clone(),
                        subject: line.subject.clone(),
                        body: line.body.clone(),
                        idempotency_key: None,
                    };
                    let valid = new.validate(settings.max_body_chars)?;
                    let board = match boards.iter().find(|b| b.slug == valid.board) {
                        Some(b) => b.clone(),
                        None => {
                            let b = Self::load_board(tx, &valid.board)?;
                            boards.push(b.clone());
                            b
                        }
                    };
                    let requested = match &valid.unit_code {
                        Some(c) => Some(Self::forum_unit(tx, c)?),
                        None => None,
                    };
                    let unit = forum::thread_unit(&board, requested).map_err(ferr)?;
                    let mut replies = Vec::with_capacity(line.replies.len());
                    for (nick, body, at) in &line.replies {
                        let p = NewPost { nickname: nick.clone(), body: body.clone(), idempotency_key: None }
                            .validate(settings.max_body_chars)?;
                        replies.push((p, *at));
                    }
                    let answer = match &line.answer {
                        Some((text, at)) if *at >= line.created_at => {
                            Some((forum::check_body("reply", text, forum::MAX_OFFICIAL_CHARS)?, *at))
                        }
                        Some(_) => {
                            return Err(sitegroup_core::ValidationError::Rule("answer before the thread".into()).into());
                        }
                        None => None,
                    };
                    let mut last = line.created_at;
                    let row = NewThreadRow {
                        board: board.id,
                        subject: &valid.subject,
                        nickname: &valid.nickname,
                        unit,
                        status: PostStatus::Visible,
                        at: line.created_at,
                    };
                    let thread_id = frepo::insert_thread(tx, &row)?;
                    let mut post = |tx: &mut Tx<'_>, nick: &str, body: &str, at: i64, opening: bool, official: bool| {
                        let row = NewPostRow {
                            thread: thread_id,
                            opening,
                            nickname: nick,
                            body,
                            official,
                            official_unit: None,
                            author: official.then_some("import"),
                            status: PostStatus::Visible,
                            findings: &[],
                            poster_hash: None,
                            address_hash: None,
                            idempotency_key: None,
                            at,
                        };
                        last = last.max(at);
                        frepo::insert_post(tx, &row)
                    };
                    post(tx, &valid.nickname, &valid.body, line.created_at, true, false)?;
                    for (p, at) in &replies {
                        post(tx, &p.nickname, &p.body, *at, false, false)?;
                    }
                    match (unit, &answer) {
                        (Some(u), _) => {
                            let mut tflow = Flow::new(line.created_at, days);
                            tflow.state = TicketState::Assigned;
                            tflow.unit = Some(u);
                            tflow.accepted_at = Some(line.created_at);
                            if let Some((text, at)) = &answer {
                                tflow.reply = Some(text.clone());
                                tflow.replied_at = Some(*at);
                                tflow.closed_at = Some(*at);
                                tflow.state = TicketState::Closed;
                            }
                            let due = deadline::compute_opt(&tflow.clock, isettings.max_pause_days, self.calendar())?
                                .map(|d| d.due_at);
                            let vt = ValidTicket {
                                channel: Channel::Forum,
                                category: String::new(),
                                unit_code: None,
                                leader: None,
                                writer: Writer::default(),
                                subject: valid.subject.clone(),
                                body: valid.body.clone(),
                                attachments: vec![],
                                private: false,
                                urgent: false,
                                idempotency_key: None,
                                applicant: None,
                            };
                            let (_, salt, hash) = code::new_secret().map_err(Error::Internal)?;
                            let t = self.insert_new(
                                tx,
                                &vt,
                                Some(u),
                                &salt,
                                &hash,
                                line.created_at,
                                &tflow,
                                due,
                                "import",
                            )?;
                            frepo::set_thread_ticket(tx, thread_id, t.id)?;
                            if let Some((_, at)) = &answer {
                                last = last.max(*at);
                            }
                        }
                        (None, Some((text, at))) => {
                            post(tx, "", text, *at, false, true)?;
                        }
                        (None, None) => {}
                    }
                    frepo::touch_thread(tx, thread_id, last)?;
                    let thread = Self::load_thread(tx, thread_id)?;
                    self.record(
                        tx,
                        actor,
                        origin,
                        "forum.import",
                        site_of(unit),
                        format!("forum_thread:{thread_id}"),
                        thread_event(&thread),
                    )?;
                    Ok::<_, Error>(thread)
                }));
            }
            Ok::<_, Error>(out)
        })
    }
}
