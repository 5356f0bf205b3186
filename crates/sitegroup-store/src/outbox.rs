//! The outbox: change events committed with the change, read by consumers with cursors.
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

use crate::{Db, Row, StoreError, Tx, params};

/// A change event to append with [`Tx::outbox_append`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The site (tenant) the change belongs to; `None` for group-wide changes.
    pub site: Option<i64>,
    /// What happened, `module.verb` (`doc.publish`, `site.create`).
    pub kind: String,
    /// What it happened to, `type:id` (`doc:42`).
    pub entity: String,
    /// Whatever consumers need (keep it small: ids and changed fields).
    pub payload: serde_json::Value,
    /// When, unix seconds, from the caller's `Clock`.
    pub at: i64,
}

impl NewEvent {
    /// A group-wide event (add a site with [`NewEvent::with_site`]).
    ///
    /// ```
    /// use sitegroup_store::NewEvent;
    /// let e = NewEvent::new("doc.publish", "doc:42", serde_json::json!({"title": "通知"}), 1_700_000_000).with_site(3);
    /// assert_eq!(e.site, Some(3));
    /// ```
    pub fn new(kind: impl Into<String>, entity: impl Into<String>, payload: serde_json::Value, at: i64) -> NewEvent {
        NewEvent { site: None, kind: kind.into(), entity: entity.into(), payload, at }
    }

    /// The same event scoped to `site`.
    pub fn with_site(mut self, site: i64) -> NewEvent {
        self.site = Some(site);
        self
    }
}

/// A committed change event, as consumers read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the outbox: increasing in commit order (gaps are possible where a
    /// transaction rolled back).
    pub seq: i64,
    /// The site, if any.
    pub site: Option<i64>,
    /// What happened.
    pub kind: String,
    /// What it happened to.
    pub entity: String,
    /// The payload.
    pub payload: serde_json::Value,
    /// When, unix seconds.
    pub at: i64,
}

fn event(row: &Row) -> Result<Event, StoreError> {
    let payload: String = row.get(4)?;
    Ok(Event {
        seq: row.get(0)?,
        site: row.get(1)?,
        kind: row.get(2)?,
        entity: row.get(3)?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| StoreError::Corrupt(format!("outbox payload is not JSON: {e}")))?,
        at: row.get(5)?,
    })
}

fn events_after(tx: &mut Tx<'_>, after: i64, limit: usize) -> Result<Vec<Event>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    tx.query(
        "SELECT seq, site_id, kind, entity, payload, at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
        params![after, limit],
    )?
    .iter()
    .map(event)
    .collect()
}

fn cursor_in(tx: &mut Tx<'_>, consumer: &str) -> Result<i64, StoreError> {
    match tx.query_opt("SELECT seq FROM outbox_cursors WHERE consumer = ?", params![consumer])? {
        Some(row) => row.get(0),
        None => Ok(0),
    }
}

fn head_in(tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    tx.query_one("SELECT COALESCE(MAX(seq), 0) FROM outbox", &[])?.get(0)
}

/// Consumers: a search indexer or statistics job keeps its own cursor and catches up
/// after a crash from the last acknowledged event.
///
/// ```
/// # use sitegroup_store::{testing::TestDb, NewEvent, StoreError};
/// # let db = TestDb::sqlite();
/// db.write(|tx| tx.outbox_append(&NewEvent::new("doc.publish", "doc:1", serde_json::json!({}), 0)))?;
/// loop {
///     let batch = db.outbox_read("search", 100)?;
///     let Some(last) = batch.last() else { break };
///     // … index the batch …
///     db.outbox_ack("search", last.seq)?;
/// }
/// assert_eq!(db.outbox_cursor("search")?, db.outbox_head()?);
/// # Ok::<(), StoreError>(())
/// ```
impl Db {
    /// Up to `limit` events after `consumer`'s cursor, oldest first.
    pub fn outbox_read(&self, consumer: &str, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.read(|tx| {
            let cursor = cursor_in(tx, consumer)?;
            events_after(tx, cursor, limit)
        })
    }

    /// Up to `limit` events with `seq > after`, oldest first, without any cursor (for
    /// rebuilding derived state from the start: `outbox_since(0, …)`).
    pub fn outbox_since(&self, after: i64, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.read(|tx| events_after(tx, after, limit))
    }

    /// Records that `consumer` has processed everything up to `seq`. The cursor only
    /// moves forward (an older `seq` is ignored) and is persisted; acknowledging
    /// beyond [`Db::outbox_head`] is [`StoreError::AckBeyondHead`].
    pub fn outbox_ack(&self, consumer: &str, seq: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let head = head_in(tx)?;
            if seq > head {
                return Err(StoreError::AckBeyondHead { seq, head });
            }
            tx.execute(
                "INSERT INTO outbox_cursors (consumer, seq) VALUES (?, ?) \
                 ON CONFLICT (consumer) DO UPDATE SET seq = \
                 CASE WHEN excluded.seq > outbox_cursors.seq THEN excluded.seq ELSE outbox_cursors.seq END",
                params![consumer, seq],
            )?;
            Ok(())
        })
    }

    /// `consumer`'s cursor: the last acknowledged seq, 0 for a new consumer.
    pub fn outbox_cursor(&self, consumer: &str) -> Result<i64, StoreError> {
        self.read(|tx| cursor_in(tx, consumer))
    }

    /// The highest committed seq, 0 when the outbox is empty. `head - cursor` is a
    /// consumer's lag.
    pub fn outbox_head(&self) -> Result<i64, StoreError> {
        self.read(head_in)
    }

    /// Every consumer and its cursor, by name.
    pub fn outbox_consumers(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(|tx| {
            tx.query("SELECT consumer, seq FROM outbox_cursors ORDER BY consumer", &[])?
                .iter()
                .map(|r| Ok((r.get(0)?, r.get(1)?)))
                .collect()
        })
    }
}
