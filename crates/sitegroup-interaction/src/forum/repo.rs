//! Persistence of boards, threads, posts and rate-limit keys: the forum's only SQL.
//! Portable SQL for SQLite and PostgreSQL. Public reads select `status = 'visible'`
//! in SQL, so a pending, rejected or hidden post can never reach them.

use sitegroup_core::UnitId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};

use super::{Board, Moderation, ModerationNote, Post, PostStatus, Recent, Thread, ThreadSummary, ValidBoard};
use crate::flow::TicketState;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn status_of(s: &str) -> Result<PostStatus, StoreError> {
    PostStatus::parse(s).ok_or_else(|| corrupt("post status", s))
}

// ---------------------------------------------------------------------------------
// Boards.

const BOARD_COLS: &str = "id, slug, name, description, unit_id, addressable, moderation, open, position, created_at";

fn board_from(r: &Row) -> Result<Board, StoreError> {
    let moderation: String = r.get(6)?;
    Ok(Board {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        unit: r.get::<Option<i64>>(4)?.map(UnitId),
        addressable: r.get(5)?,
        moderation: Moderation::parse(&moderation).ok_or_else(|| corrupt("moderation", &moderation))?,
        open: r.get(7)?,
        position: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Inserts a board; a used code is [`StoreError::UniqueViolation`].
pub fn insert_board(tx: &mut Tx<'_>, b: &ValidBoard, unit: Option<UnitId>, at: i64) -> Result<Board, StoreError> {
    let row = tx.query_one(
        &format!(
            "INSERT INTO forum_boards (slug, name, description, unit_id, addressable, moderation, open, position, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {BOARD_COLS}"
        ),
        params![
            b.slug.as_str(),
            b.name.as_str(),
            b.description.as_str(),
            unit.map(|u| u.0),
            b.addressable,
            b.moderation.as_str(),
            true,
            b.position,
            at,
            at
        ],
    )?;
    board_from(&row)
}

/// Stores a board's changeable fields.
pub fn update_board(tx: &mut Tx<'_>, b: &Board, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE forum_boards SET name = ?, description = ?, addressable = ?, moderation = ?, open = ?, position = ?, \
         updated_at = ? WHERE id = ?",
        params![
            b.name.as_str(),
            b.description.as_str(),
            b.addressable,
            b.moderation.as_str(),
            b.open,
            b.position,
            at,
            b.id
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A board by id.
pub fn board(tx: &mut Tx<'_>, id: i64) -> Result<Option<Board>, StoreError> {
    tx.query_opt(&format!("SELECT {BOARD_COLS} FROM forum_boards WHERE id = ?"), params![id])?
        .map(|r| board_from(&r))
        .transpose()
}

/// A board by code.
pub fn board_by_slug(tx: &mut Tx<'_>, slug: &str) -> Result<Option<Board>, StoreError> {
    tx.query_opt(&format!("SELECT {BOARD_COLS} FROM forum_boards WHERE slug = ?"), params![slug])?
        .map(|r| board_from(&r))
        .transpose()
}

/// Every board, in display order.
pub fn boards(tx: &mut Tx<'_>) -> Result<Vec<Board>, StoreError> {
    tx.query(&format!("SELECT {BOARD_COLS} FROM forum_boards ORDER BY position, id"), params![])?
        .iter()
        .map(board_from)
        .collect()
}

/// "Answered" in SQL for a thread `t` joined with its ticket `k` (see
/// [`ThreadSummary::answered`]).
/// (`COALESCE`: a thread without a ticket must give false, not NULL, for `NOT` to work.)
const ANSWERED: &str = "(COALESCE(k.state, '') = 'closed' OR EXISTS (SELECT 1 FROM forum_posts o WHERE o.thread_id = t.id \
    AND o.official = 1 AND o.status = 'visible'))";

/// Per board: (board id, public threads, answered public threads).
pub fn board_counts(tx: &mut Tx<'_>) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    tx.query(
        &format!(
            "SELECT t.board_id, COUNT(*), SUM(CASE WHEN {ANSWERED} THEN 1 ELSE 0 END) FROM forum_threads t \
             LEFT JOIN interaction_tickets k ON k.id = t.ticket_id WHERE t.status = 'visible' GROUP BY t.board_id"
        ),
        params![],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?, r.get::<Option<i64>>(2)?.unwrap_or(0))))
    .collect()
}

// ---------------------------------------------------------------------------------
// Rate limits.

/// Locks the row of a rate-limit key (poster or address hash) until the transaction
/// ends, creating it if needed: concurrent posts of one key queue here, so each counts
/// the others' committed posts.
pub fn lock_rate_key(tx: &mut Tx<'_>, key_hash: &str, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO forum_rate_keys (key_hash, touched_at) VALUES (?, ?) \
         ON CONFLICT (key_hash) DO UPDATE SET touched_at = excluded.touched_at",
        params![key_hash, at],
    )?;
    Ok(())
}

fn recent(tx: &mut Tx<'_>, column: &str, hash: &str, since: i64) -> Result<Recent, StoreError> {
    let r = tx.query_one(
        &format!(
            "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM forum_posts WHERE {column} = ? AND created_at > ?"
        ),
        params![hash, since],
    )?;
    let count: i64 = r.get(0)?;
    Ok(Recent { count: u32::try_from(count).unwrap_or(u32::MAX), oldest: r.get(1)?, newest: r.get(2)? })
}

/// Posts of a poster (by hash) after `since`, whatever their state.
pub fn recent_by_poster(tx: &mut Tx<'_>, hash: &str, since: i64) -> Result<Recent, StoreError> {
    recent(tx, "poster_hash", hash, since)
}

/// Posts from an address (by hash) after `since`, whatever their state.
pub fn recent_by_address(tx: &mut Tx<'_>, hash: &str, since: i64) -> Result<Recent, StoreError> {
    recent(tx, "address_hash", hash, since)
}

// ---------------------------------------------------------------------------------
// Threads.

const THREAD_COLS: &str =
    "t.id, t.board_id, t.subject, t.nickname, t.unit_id, t.ticket_id, t.status, t.created_at, t.last_post_at";

fn thread_from(r: &Row) -> Result<Thread, StoreError> {
    thread_at(r, 0)
}

/// A thread from the [`THREAD_COLS`] starting at column `base`.
fn thread_at(r: &Row, base: usize) -> Result<Thread, StoreError> {
    let status: String = r.get(base + 6)?;
    Ok(Thread {
        id: r.get(base)?,
        board: r.get(base + 1)?,
        subject: r.get(base + 2)?,
        nickname: r.get(base + 3)?,
        unit: r.get::<Option<i64>>(base + 4)?.map(UnitId),
        ticket: r.get(base + 5)?,
        status: status_of(&status)?,
        created_at: r.get(base + 7)?,
        last_post_at: r.get(base + 8)?,
    })
}

/// What a new thread row holds.
#[derive(Debug, Clone)]
pub struct NewThreadRow<'a> {
    /// The board.
    pub board: i64,
    /// Subject.
    pub subject: &'a str,
    /// Nickname.
    pub nickname: &'a str,
    /// The unit addressed.
    pub unit: Option<UnitId>,
    /// The opening post's state.
    pub status: PostStatus,
    /// Created, unix seconds.
    pub at: i64,
}

/// Inserts a thread; returns its id.
pub fn insert_thread(tx: &mut Tx<'_>, t: &NewThreadRow<'_>) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO forum_threads (board_id, subject, nickname, unit_id, ticket_id, status, created_at, last_post_at) \
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?) RETURNING id",
        params![t.board, t.subject, t.nickname, t.unit.map(|u| u.0), t.status.as_str(), t.at, t.at],
    )?
    .get(0)
}

/// Links a thread to its ticket.
pub fn set_thread_ticket(tx: &mut Tx<'_>, thread: i64, ticket: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE forum_threads SET ticket_id = ? WHERE id = ?", params![ticket, thread])?;
    Ok(())
}

/// Sets a thread's state (its opening post's).
pub fn set_thread_status(tx: &mut Tx<'_>, thread: i64, status: PostStatus) -> Result<(), StoreError> {
    tx.execute("UPDATE forum_threads SET status = ? WHERE id = ?", params![status.as_str(), thread])?;
    Ok(())
}

/// Moves a thread's latest-post time forward to `at` (never back).
pub fn touch_thread(tx: &mut Tx<'_>, thread: i64, at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE forum_threads SET last_post_at = ? WHERE id = ? AND last_post_at < ?", params![at, thread, at])?;
    Ok(())
}

/// A thread by id, whatever its state.
pub fn thread(tx: &mut Tx<'_>, id: i64) -> Result<Option<Thread>, StoreError> {
    tx.query_opt(&format!("SELECT {THREAD_COLS} FROM forum_threads t WHERE t.id = ?"), params![id])?
        .map(|r| thread_from(&r))
        .transpose()
}

fn summary_sql(filter: &str) -> String {
    format!(
        "SELECT {THREAD_COLS}, \
         (SELECT COUNT(*) FROM forum_posts p WHERE p.thread_id = t.id AND p.opening = 0 AND p.status = 'visible'), \
         (SELECT COUNT(*) FROM forum_posts o WHERE o.thread_id = t.id AND o.official = 1 AND o.status = 'visible'), \
         k.state FROM forum_threads t LEFT JOIN interaction_tickets k ON k.id = t.ticket_id WHERE {filter}"
    )
}

fn summary_from(r: &Row) -> Result<ThreadSummary, StoreError> {
    let state: Option<String> = r.get(11)?;
    Ok(ThreadSummary {
        thread: thread_from(r)?,
        replies: r.get(9)?,
        official_posts: r.get(10)?,
        ticket_state: match state {
            Some(s) => Some(TicketState::parse(&s).ok_or_else(|| corrupt("ticket state", &s))?),
            None => None,
        },
    })
}

/// Public threads of a board, latest activity first: `limit` from `offset`.
pub fn public_threads(tx: &mut Tx<'_>, board: i64, offset: i64, limit: i64) -> Result<Vec<ThreadSummary>, StoreError> {
    tx.query(
        &format!(
            "{} ORDER BY t.last_post_at DESC, t.id DESC LIMIT ? OFFSET ?",
            summary_sql("t.board_id = ? AND t.status = 'visible'")
        ),
        params![board, limit, offset],
    )?
    .iter()
    .map(summary_from)
    .collect()
}

/// Number of public threads of a board.
pub fn count_public_threads(tx: &mut Tx<'_>, board: i64) -> Result<i64, StoreError> {
    tx.query_one("SELECT COUNT(*) FROM forum_threads WHERE board_id = ? AND status = 'visible'", params![board])?.get(0)
}

/// A thread with its counts, whatever its state.
pub fn thread_summary(tx: &mut Tx<'_>, id: i64) -> Result<Option<ThreadSummary>, StoreError> {
    tx.query_opt(&summary_sql("t.id = ?"), params![id])?.map(|r| summary_from(&r)).transpose()
}

/// Filter of the back office's thread list.
#[derive(Debug, Clone, Default)]
pub struct AdminFilter {
    /// Only threads addressed to one of these units (`None`: all).
    pub units: Option<Vec<UnitId>>,
    /// Only threads not answered yet.
    pub unanswered: bool,
    /// Most rows.
    pub limit: i64,
}

/// Threads for the back office (any state but rejected), newest first.
pub fn admin_threads(tx: &mut Tx<'_>, f: &AdminFilter) -> Result<Vec<ThreadSummary>, StoreError> {
    let mut filter = "t.status <> 'rejected'".to_string();
    let mut args: Vec<Value> = Vec::new();
    if let Some(units) = &f.units {
        if units.is_empty() {
            return Ok(vec![]);
        }
        filter.push_str(&format!(" AND t.unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::Int(u.0)));
    }
    if f.unanswered {
        filter.push_str(&format!(" AND NOT {ANSWERED}"));
    }
    let sql = format!("{} ORDER BY t.created_at DESC, t.id DESC LIMIT ?", summary_sql(&filter));
    args.push(Value::Int(if f.limit > 0 { f.limit } else { 100 }));
    tx.query(&sql, &args)?.iter().map(summary_from).collect()
}

/// (public threads, answered public threads) of the whole forum.
pub fn totals(tx: &mut Tx<'_>) -> Result<(i64, i64), StoreError> {
    let r = tx.query_one(
        &format!(
            "SELECT COUNT(*), SUM(CASE WHEN {ANSWERED} THEN 1 ELSE 0 END) FROM forum_threads t \
             LEFT JOIN interaction_tickets k ON k.id = t.ticket_id WHERE t.status = 'visible'"
        ),
        params![],
    )?;
    Ok((r.get(0)?, r.get::<Option<i64>>(1)?.unwrap_or(0)))
}

// ---------------------------------------------------------------------------------
// Posts.

const POST_COLS: &str = "p.id, p.thread_id, p.opening, p.nickname, p.body, p.official, p.official_unit, p.author, \
    p.status, p.findings, p.moderation, p.created_at";

fn post_from(r: &Row) -> Result<Post, StoreError> {
    let status: String = r.get(8)?;
    let findings: String = r.get(9)?;
    let moderation: Option<String> = r.get(10)?;
    Ok(Post {
        id: r.get(0)?,
        thread: r.get(1)?,
        opening: r.get(2)?,
        nickname: r.get(3)?,
        body: r.get(4)?,
        official: r.get(5)?,
        official_unit: r.get::<Option<i64>>(6)?.map(UnitId),
        author: r.get(7)?,
        status: status_of(&status)?,
        findings: serde_json::from_str(&findings).map_err(|e| corrupt("findings", e))?,
        moderation: match moderation {
            Some(m) => Some(serde_json::from_str::<ModerationNote>(&m).map_err(|e| corrupt("moderation", e))?),
            None => None,
        },
        created_at: r.get(11)?,
    })
}

/// What a new post row holds.
#[derive(Debug, Clone)]
pub struct NewPostRow<'a> {
    /// The thread.
    pub thread: i64,
    /// The opening post.
    pub opening: bool,
    /// Nickname (official replies: the unit's name).
    pub nickname: &'a str,
    /// Body as typed.
    pub body: &'a str,
    /// Official reply.
    pub official: bool,
    /// The unit an official reply speaks for.
    pub official_unit: Option<UnitId>,
    /// The back-office user of an official reply.
    pub author: Option<&'a str>,
    /// Initial state.
    pub status: PostStatus,
    /// Warning findings.
    pub findings: &'a [sitegroup_text::checks::Finding],
    /// Salted hash of the poster key.
    pub poster_hash: Option<&'a str>,
    /// Salted hash of the client address.
    pub address_hash: Option<&'a str>,
    /// Idempotency key.
    pub idempotency_key: Option<&'a str>,
    /// Created, unix seconds.
    pub at: i64,
}

/// Inserts a post. `Ok(None)` when the idempotency key is already used.
pub fn insert_post(tx: &mut Tx<'_>, p: &NewPostRow<'_>) -> Result<Option<i64>, StoreError> {
    let findings = serde_json::to_string(p.findings).map_err(|e| corrupt("findings", e))?;
    let row = tx.query_opt(
        "INSERT INTO forum_posts (thread_id, opening, nickname, body, official, official_unit, author, status, \
         findings, moderation, poster_hash, address_hash, idempotency_key, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        params![
            p.thread,
            p.opening,
            p.nickname,
            p.body,
            p.official,
            p.official_unit.map(|u| u.0),
            p.author,
            p.status.as_str(),
            findings,
            p.poster_hash,
            p.address_hash,
            p.idempotency_key,
            p.at
        ],
    )?;
    row.map(|r| r.get(0)).transpose()
}

/// A post by id, whatever its state.
pub fn post(tx: &mut Tx<'_>, id: i64) -> Result<Option<Post>, StoreError> {
    tx.query_opt(&format!("SELECT {POST_COLS} FROM forum_posts p WHERE p.id = ?"), params![id])?
        .map(|r| post_from(&r))
        .transpose()
}

/// A post by idempotency key.
pub fn post_by_key(tx: &mut Tx<'_>, key: &str) -> Result<Option<Post>, StoreError> {
    tx.query_opt(&format!("SELECT {POST_COLS} FROM forum_posts p WHERE p.idempotency_key = ?"), params![key])?
        .map(|r| post_from(&r))
        .transpose()
}

/// The posts of a thread in order; only visible ones when `public`.
pub fn posts_of(tx: &mut Tx<'_>, thread: i64, public: bool, limit: i64) -> Result<Vec<Post>, StoreError> {
    let filter = if public { " AND p.status = 'visible'" } else { "" };
    tx.query(
        &format!("SELECT {POST_COLS} FROM forum_posts p WHERE p.thread_id = ?{filter} ORDER BY p.id LIMIT ?"),
        params![thread, limit.max(1)],
    )?
    .iter()
    .map(post_from)
    .collect()
}

/// Changes a post's state if it is still `from` (a concurrent decision that got there
/// first makes this [`StoreError::NotFound`]), recording the decision.
pub fn set_post_status(
    tx: &mut Tx<'_>,
    id: i64,
    from: PostStatus,
    to: PostStatus,
    note: &ModerationNote,
) -> Result<(), StoreError> {
    let note = serde_json::to_string(note).map_err(|e| corrupt("moderation", e))?;
    let n = tx.execute(
        "UPDATE forum_posts SET status = ?, moderation = ? WHERE id = ? AND status = ?",
        params![to.as_str(), note, id, from.as_str()],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Pending posts, oldest first, with their threads.
pub fn pending(tx: &mut Tx<'_>, limit: i64) -> Result<Vec<(Post, Thread)>, StoreError> {
    tx.query(
        &format!(
            "SELECT {POST_COLS}, {THREAD_COLS} FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id \
             WHERE p.status = 'pending' ORDER BY p.id LIMIT ?"
        ),
        params![limit.max(1)],
    )?
    .iter()
    .map(|r| {
        // The thread's columns follow the post's 12.
        Ok((post_from(r)?, thread_at(r, 12)?))
    })
    .collect()
}

/// Every `forum.*` setting.
pub fn settings(tx: &mut Tx<'_>) -> Result<Vec<(String, String)>, StoreError> {
    tx.query("SELECT key, value FROM settings WHERE key LIKE 'forum.%' ORDER BY key", params![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}
