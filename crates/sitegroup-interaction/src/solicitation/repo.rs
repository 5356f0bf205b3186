//! Persistence of solicitations and comments: the only SQL of the solicitation module.
//! Portable SQL for SQLite and PostgreSQL.

use sitegroup_core::SiteId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};

use super::model::{Comment, CommentState, Feedback, Solicitation, SolicitationState, ValidComment, ValidSolicitation};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

const COLS: &str = "id, site_id, title, intro, body, opens_at, closes_at, state, comments, feedback, adopted, \
    feedback_by, feedback_at, feedback_published_at, created_by, created_at, updated_at, published_at";

fn solicitation_from(row: &Row) -> Result<Solicitation, StoreError> {
    let state: String = row.get(7)?;
    let feedback: Option<String> = row.get(9)?;
    let adopted: Option<i64> = row.get(10)?;
    Ok(Solicitation {
        id: row.get(0)?,
        site: SiteId(row.get(1)?),
        title: row.get(2)?,
        intro: row.get(3)?,
        body: row.get(4)?,
        opens_at: row.get(5)?,
        closes_at: row.get(6)?,
        state: SolicitationState::parse(&state).ok_or_else(|| corrupt("solicitation state", &state))?,
        comments: row.get(8)?,
        feedback: feedback
            .map(|text| Feedback { text, adopted: adopted.and_then(|a| u32::try_from(a).ok()).unwrap_or(0) }),
        feedback_by: row.get(11)?,
        feedback_at: row.get(12)?,
        feedback_published_at: row.get(13)?,
        created_by: row.get(14)?,
        created_at: row.get(15)?,
        updated_at: row.get(16)?,
        published_at: row.get(17)?,
    })
}

/// Inserts a draft; returns its id.
pub fn insert(tx: &mut Tx<'_>, site: SiteId, v: &ValidSolicitation, by: &str, at: i64) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO solicitations (site_id, title, intro, body, opens_at, closes_at, state, comments, created_by, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', 0, ?, ?, ?) RETURNING id",
        params![site.0, v.title.as_str(), v.intro.as_str(), v.body.as_str(), v.opens_at, v.closes_at, by, at, at],
    )?
    .get(0)
}

/// Replaces a draft's document and period ([`StoreError::NotFound`] unless a draft).
pub fn update_draft(tx: &mut Tx<'_>, id: i64, v: &ValidSolicitation, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE solicitations SET title = ?, intro = ?, body = ?, opens_at = ?, closes_at = ?, updated_at = ? \
         WHERE id = ? AND state = 'draft'",
        params![v.title.as_str(), v.intro.as_str(), v.body.as_str(), v.opens_at, v.closes_at, at, id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Publishes a draft ([`StoreError::NotFound`] unless a draft).
pub fn publish(tx: &mut Tx<'_>, id: i64, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE solicitations SET state = 'published', published_at = ?, updated_at = ? WHERE id = ? AND state = 'draft'",
        params![at, at, id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets the closing time of a published solicitation whose period still runs at `now`
/// (an early close).
pub fn close(tx: &mut Tx<'_>, id: i64, closes_at: i64, now: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE solicitations SET closes_at = ?, updated_at = ? WHERE id = ? AND state = 'published' AND closes_at > ?",
        params![closes_at, now, id, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Saves the feedback summary of a solicitation whose summary is not yet published.
pub fn save_feedback(tx: &mut Tx<'_>, id: i64, f: &Feedback, by: &str, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE solicitations SET feedback = ?, adopted = ?, feedback_by = ?, feedback_at = ?, updated_at = ? \
         WHERE id = ? AND feedback_published_at IS NULL",
        params![f.text.as_str(), i64::from(f.adopted), by, at, at, id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Publishes the saved feedback summary (once).
pub fn publish_feedback(tx: &mut Tx<'_>, id: i64, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE solicitations SET feedback_published_at = ?, updated_at = ? \
         WHERE id = ? AND feedback IS NOT NULL AND feedback_published_at IS NULL",
        params![at, at, id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A solicitation by id.
pub fn solicitation(tx: &mut Tx<'_>, id: i64) -> Result<Option<Solicitation>, StoreError> {
    tx.query_opt(&format!("SELECT {COLS} FROM solicitations WHERE id = ?"), params![id])?
        .map(|r| solicitation_from(&r))
        .transpose()
}

/// Solicitations, newest first: of some sites (`None`: all), optionally only published ones.
pub fn list(tx: &mut Tx<'_>, sites: Option<&[SiteId]>, published_only: bool) -> Result<Vec<Solicitation>, StoreError> {
    let mut sql = format!("SELECT {COLS} FROM solicitations WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(sites) = sites {
        if sites.is_empty() {
            return Ok(vec![]);
        }
        sql.push_str(&format!(" AND site_id IN ({})", vec!["?"; sites.len()].join(", ")));
        args.extend(sites.iter().map(|s| Value::Int(s.0)));
    }
    if published_only {
        sql.push_str(" AND state = 'published'");
    }
    sql.push_str(" ORDER BY opens_at DESC, id DESC");
    tx.query(&sql, &args)?.iter().map(solicitation_from).collect()
}

/// Published solicitations closed by `as_of` whose feedback summary is not published,
/// oldest closing first: the candidates for the overdue list and the self-check.
pub fn closed_without_summary(tx: &mut Tx<'_>, as_of: i64) -> Result<Vec<Solicitation>, StoreError> {
    tx.query(
        &format!(
            "SELECT {COLS} FROM solicitations WHERE state = 'published' AND closes_at <= ? \
             AND feedback_published_at IS NULL ORDER BY closes_at, id"
        ),
        params![as_of],
    )?
    .iter()
    .map(solicitation_from)
    .collect()
}

/// Locks a published solicitation's row until the transaction ends (on PostgreSQL this
/// serialises concurrent comments to one solicitation, so the per-address count and the
/// idempotency check see every earlier one). Returns false when it is not published.
pub fn lock(tx: &mut Tx<'_>, id: i64) -> Result<bool, StoreError> {
    Ok(tx.execute("UPDATE solicitations SET comments = comments WHERE id = ? AND state = 'published'", params![id])?
        > 0)
}

const COMMENT_COLS: &str =
    "id, solicitation_id, author, body, state, source, submitted_at, moderated_at, moderated_by, reason";

fn comment_from(row: &Row) -> Result<Comment, StoreError> {
    let state: String = row.get(4)?;
    Ok(Comment {
        id: row.get(0)?,
        solicitation: row.get(1)?,
        author: row.get(2)?,
        body: row.get(3)?,
        state: CommentState::parse(&state).ok_or_else(|| corrupt("comment state", &state))?,
        source: row.get(5)?,
        submitted_at: row.get(6)?,
        moderated_at: row.get(7)?,
        moderated_by: row.get(8)?,
        reason: row.get(9)?,
    })
}

/// A comment by idempotency key.
pub fn comment_by_key(tx: &mut Tx<'_>, key: &str) -> Result<Option<Comment>, StoreError> {
    tx.query_opt(&format!("SELECT {COMMENT_COLS} FROM solicitation_comments WHERE idempotency_key = ?"), params![key])?
        .map(|r| comment_from(&r))
        .transpose()
}

/// A comment by id.
pub fn comment(tx: &mut Tx<'_>, id: i64) -> Result<Option<Comment>, StoreError> {
    tx.query_opt(&format!("SELECT {COMMENT_COLS} FROM solicitation_comments WHERE id = ?"), params![id])?
        .map(|r| comment_from(&r))
        .transpose()
}

/// Comments of a solicitation in some states (empty: all), oldest first. With
/// `[CommentState::Approved]` this is the public list.
pub fn comments(tx: &mut Tx<'_>, solicitation: i64, states: &[CommentState]) -> Result<Vec<Comment>, StoreError> {
    let mut sql = format!("SELECT {COMMENT_COLS} FROM solicitation_comments WHERE solicitation_id = ?");
    let mut args: Vec<Value> = vec![Value::Int(solicitation)];
    if !states.is_empty() {
        sql.push_str(&format!(" AND state IN ({})", vec!["?"; states.len()].join(", ")));
        args.extend(states.iter().map(|s| Value::from(s.as_str())));
    }
    sql.push_str(" ORDER BY submitted_at, id");
    tx.query(&sql, &args)?.iter().map(comment_from).collect()
}

/// Comments of a solicitation per state.
pub fn count_by_state(tx: &mut Tx<'_>, solicitation: i64, state: CommentState) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT COUNT(*) FROM solicitation_comments WHERE solicitation_id = ? AND state = ?",
        params![solicitation, state.as_str()],
    )?
    .get(0)
}

/// Comments to the solicitation from this address hash at or after `since`.
pub fn count_from_address(
    tx: &mut Tx<'_>,
    solicitation: i64,
    address_hash: &str,
    since: i64,
) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT COUNT(*) FROM solicitation_comments WHERE solicitation_id = ? AND address_hash = ? AND submitted_at >= ?",
        params![solicitation, address_hash, since],
    )?
    .get(0)
}

/// What a new comment row holds.
#[derive(Debug, Clone)]
pub struct NewCommentRow<'a> {
    /// The solicitation.
    pub solicitation: i64,
    /// The validated comment.
    pub comment: &'a ValidComment,
    /// Initial state (`pending` from the web; `approved` when recorded by an editor).
    pub state: CommentState,
    /// `web` or `offline`.
    pub source: &'a str,
    /// Salted hash of the client address.
    pub address_hash: &'a str,
    /// Received.
    pub at: i64,
    /// Who recorded it (an editor for offline comments).
    pub moderated_by: Option<&'a str>,
}

/// Inserts a comment and counts it on its solicitation. `Ok(None)` when the
/// idempotency key is already used.
pub fn insert_comment(tx: &mut Tx<'_>, c: &NewCommentRow<'_>) -> Result<Option<i64>, StoreError> {
    let moderated_at = c.moderated_by.map(|_| c.at);
    let row = tx.query_opt(
        "INSERT INTO solicitation_comments (solicitation_id, author, body, state, source, idempotency_key, \
         address_hash, submitted_at, moderated_at, moderated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        params![
            c.solicitation,
            c.comment.author.as_deref(),
            c.comment.body.as_str(),
            c.state.as_str(),
            c.source,
            c.comment.idempotency_key.as_deref(),
            c.address_hash,
            c.at,
            moderated_at,
            c.moderated_by
        ],
    )?;
    let Some(row) = row else { return Ok(None) };
    tx.execute("UPDATE solicitations SET comments = comments + 1 WHERE id = ?", params![c.solicitation])?;
    Ok(Some(row.get(0)?))
}

/// Sets a comment's moderation state if it is still `from` (optimistic check).
pub fn moderate(
    tx: &mut Tx<'_>,
    id: i64,
    from: CommentState,
    to: CommentState,
    by: &str,
    reason: Option<&str>,
    at: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE solicitation_comments SET state = ?, moderated_at = ?, moderated_by = ?, reason = ? \
         WHERE id = ? AND state = ?",
        params![to.as_str(), at, by, reason, id, from.as_str()],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Every `solicitation.*` setting.
pub fn settings(tx: &mut Tx<'_>) -> Result<Vec<(String, String)>, StoreError> {
    tx.query("SELECT key, value FROM settings WHERE key LIKE 'solicitation.%' ORDER BY key", params![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}
