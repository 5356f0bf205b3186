//! Persistence of tickets, their history and urgings: the only SQL of this crate.
//! Portable SQL for SQLite and PostgreSQL.

use sitegroup_core::UnitId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};

use crate::flow::{Flow, TicketState};
use crate::model::{Channel, Rating, Ticket, ValidTicket, Writer};
use crate::report::ReportTicket;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

const COLS: &str = "t.id, t.channel, t.category, t.target_unit, t.leader, t.writer_name, t.writer_phone, \
    t.writer_email, t.subject, t.body, t.attachments, t.private, t.urgent, t.query_code, t.received_at, t.flow, \
    t.due_at, t.source";

fn ticket_from(row: &Row) -> Result<Ticket, StoreError> {
    let channel: String = row.get(1)?;
    let attachments: String = row.get(10)?;
    let flow: String = row.get(15)?;
    Ok(Ticket {
        id: row.get(0)?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        category: row.get(2)?,
        target_unit: row.get::<Option<i64>>(3)?.map(UnitId),
        leader: row.get(4)?,
        writer: Writer { name: row.get(5)?, phone: row.get(6)?, email: row.get(7)? },
        subject: row.get(8)?,
        body: row.get(9)?,
        attachments: serde_json::from_str(&attachments).map_err(|e| corrupt("attachments", e))?,
        private: row.get(11)?,
        urgent: row.get(12)?,
        query_code: row.get(13)?,
        received_at: row.get(14)?,
        flow: serde_json::from_str(&flow).map_err(|e| corrupt("flow", e))?,
        due_at: row.get(16)?,
        source: row.get(17)?,
    })
}

fn flow_json(flow: &Flow) -> Result<String, StoreError> {
    serde_json::to_string(flow).map_err(|e| corrupt("flow", e))
}

/// What a new row needs besides the validated ticket.
#[derive(Debug, Clone)]
pub struct NewRow<'a> {
    /// The validated ticket.
    pub ticket: &'a ValidTicket,
    /// The unit addressed, resolved.
    pub target_unit: Option<UnitId>,
    /// Query code.
    pub code: &'a str,
    /// Secret salt (hex).
    pub salt: &'a str,
    /// Secret hash (hex).
    pub hash: &'a str,
    /// Received, unix seconds.
    pub received_at: i64,
    /// Initial flow.
    pub flow: &'a Flow,
    /// Initial deadline.
    pub due_at: Option<i64>,
    /// `web`, `import` …
    pub source: &'a str,
    /// Now.
    pub at: i64,
}

/// Inserts a ticket. `Ok(None)` when the idempotency key is already used (the caller
/// loads that ticket); a query-code collision is [`StoreError::UniqueViolation`].
pub fn insert_ticket(tx: &mut Tx<'_>, r: &NewRow<'_>) -> Result<Option<i64>, StoreError> {
    let t = r.ticket;
    let attachments = serde_json::to_string(&t.attachments).map_err(|e| corrupt("attachments", e))?;
    let row = tx.query_opt(
        "INSERT INTO interaction_tickets (channel, category, target_unit, leader, unit_id, writer_name, writer_phone, \
         writer_email, subject, body, attachments, private, urgent, query_code, secret_salt, secret_hash, \
         idempotency_key, state, flow, received_at, due_at, replied_at, rating, published, source, created_at, \
         updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        params![
            t.channel.as_str(),
            t.category.as_str(),
            r.target_unit.map(|u| u.0),
            t.leader.as_deref(),
            r.flow.unit.map(|u| u.0),
            t.writer.name.as_deref(),
            t.writer.phone.as_deref(),
            t.writer.email.as_deref(),
            t.subject.as_str(),
            t.body.as_str(),
            attachments,
            t.private,
            t.urgent,
            r.code,
            r.salt,
            r.hash,
            t.idempotency_key.as_deref(),
            r.flow.state.as_str(),
            flow_json(r.flow)?,
            r.received_at,
            r.due_at,
            r.flow.replied_at,
            r.flow.rating.map(Rating::as_str),
            r.flow.published,
            r.source,
            r.at,
            r.at
        ],
    )?;
    row.map(|row| row.get(0)).transpose()
}

/// A ticket by id.
pub fn ticket(tx: &mut Tx<'_>, id: i64) -> Result<Option<Ticket>, StoreError> {
    tx.query_opt(&format!("SELECT {COLS} FROM interaction_tickets t WHERE t.id = ?"), params![id])?
        .map(|r| ticket_from(&r))
        .transpose()
}

/// A ticket by idempotency key.
pub fn ticket_by_key(tx: &mut Tx<'_>, key: &str) -> Result<Option<Ticket>, StoreError> {
    tx.query_opt(&format!("SELECT {COLS} FROM interaction_tickets t WHERE t.idempotency_key = ?"), params![key])?
        .map(|r| ticket_from(&r))
        .transpose()
}

/// A ticket by query code, with its secret's salt and hash.
pub fn ticket_by_code(tx: &mut Tx<'_>, code: &str) -> Result<Option<(Ticket, String, String)>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("SELECT {COLS}, t.secret_salt, t.secret_hash FROM interaction_tickets t WHERE t.query_code = ?"),
        params![code],
    )?
    else {
        return Ok(None);
    };
    Ok(Some((ticket_from(&row)?, row.get(18)?, row.get(19)?)))
}

/// Stores a new flow if the ticket's flow is still `from` (optimistic check: a
/// concurrent step that got there first makes this [`StoreError::NotFound`]).
pub fn save_flow(
    tx: &mut Tx<'_>,
    id: i64,
    from: &Flow,
    to: &Flow,
    due_at: Option<i64>,
    at: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE interaction_tickets SET state = ?, flow = ?, unit_id = ?, due_at = ?, replied_at = ?, closed_at = ?, \
         rating = ?, published = ?, updated_at = ? WHERE id = ? AND flow = ?",
        params![
            to.state.as_str(),
            flow_json(to)?,
            to.unit.map(|u| u.0),
            due_at,
            to.replied_at,
            to.closed_at,
            to.rating.map(Rating::as_str),
            to.published,
            at,
            id,
            flow_json(from)?
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets only the deadline (recomputation after a calendar change).
pub fn set_due(tx: &mut Tx<'_>, id: i64, due_at: Option<i64>) -> Result<(), StoreError> {
    tx.execute("UPDATE interaction_tickets SET due_at = ? WHERE id = ?", params![due_at, id])?;
    Ok(())
}

/// One history line of a ticket (transfers, instructions, delays, corrections …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogEntry {
    /// When.
    pub at: i64,
    /// Who (actor label).
    pub actor: String,
    /// `submit`, `accept`, `transfer`, …
    pub action: String,
    /// The responsible unit after the step.
    pub unit: Option<UnitId>,
    /// The command's details.
    pub detail: serde_json::Value,
}

/// Appends a history line.
pub fn append_log(tx: &mut Tx<'_>, ticket: i64, e: &LogEntry) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO interaction_ticket_log (ticket_id, at, actor, action, unit_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        params![ticket, e.at, e.actor.as_str(), e.action.as_str(), e.unit.map(|u| u.0), e.detail.to_string()],
    )?;
    Ok(())
}

/// A ticket's history, oldest first.
pub fn log(tx: &mut Tx<'_>, ticket: i64) -> Result<Vec<LogEntry>, StoreError> {
    tx.query(
        "SELECT at, actor, action, unit_id, detail FROM interaction_ticket_log WHERE ticket_id = ? ORDER BY id",
        params![ticket],
    )?
    .iter()
    .map(|r| {
        let detail: String = r.get(4)?;
        Ok(LogEntry {
            at: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            unit: r.get::<Option<i64>>(3)?.map(UnitId),
            detail: serde_json::from_str(&detail).map_err(|e| corrupt("log detail", e))?,
        })
    })
    .collect()
}

/// Filter for ticket lists.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only tickets whose responsible unit is one of these (`None`: all).
    pub units: Option<Vec<UnitId>>,
    /// Only these states (empty: all).
    pub states: Vec<TicketState>,
    /// Only published ones.
    pub published_only: bool,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Most rows.
    pub limit: i64,
    /// Rows to skip (paging).
    pub offset: i64,
}

/// Tickets, newest first.
pub fn list(tx: &mut Tx<'_>, f: &ListFilter) -> Result<Vec<Ticket>, StoreError> {
    let Some((filter, mut args)) = where_clause(f) else { return Ok(vec![]) };
    let sql = format!(
        "SELECT {COLS} FROM interaction_tickets t WHERE {filter} ORDER BY t.received_at DESC, t.id DESC LIMIT ? OFFSET ?"
    );
    args.push(Value::Int(if f.limit > 0 { f.limit } else { 100 }));
    args.push(Value::Int(f.offset.max(0)));
    tx.query(&sql, &args)?.iter().map(ticket_from).collect()
}

/// How many tickets [`list`] would page through (ignoring limit and offset).
pub fn count(tx: &mut Tx<'_>, f: &ListFilter) -> Result<i64, StoreError> {
    let Some((filter, args)) = where_clause(f) else { return Ok(0) };
    tx.query_one(&format!("SELECT COUNT(*) FROM interaction_tickets t WHERE {filter}"), &args)?.get(0)
}

/// The published ticket with this id, if it is published.
pub fn published_one(tx: &mut Tx<'_>, id: i64) -> Result<Option<Ticket>, StoreError> {
    tx.query(&format!("SELECT {COLS} FROM interaction_tickets t WHERE t.id = ? AND t.published = 1"), params![id])?
        .first()
        .map(ticket_from)
        .transpose()
}

/// The WHERE clause of a filter and its arguments; `None` when it can match nothing.
fn where_clause(f: &ListFilter) -> Option<(String, Vec<Value>)> {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(units) = &f.units {
        if units.is_empty() {
            return None;
        }
        sql.push_str(&format!(" AND t.unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::Int(u.0)));
    }
    if !f.states.is_empty() {
        sql.push_str(&format!(" AND t.state IN ({})", vec!["?"; f.states.len()].join(", ")));
        args.extend(f.states.iter().map(|s| Value::from(s.as_str())));
    }
    if f.published_only {
        sql.push_str(" AND t.published = 1");
    }
    if let Some(c) = f.channel {
        sql.push_str(" AND t.channel = ?");
        args.push(Value::from(c.as_str()));
    }
    Some((sql, args))
}

/// Every ticket whose deadline runs or is paused (not rejected, replied or closed).
pub fn open_tickets(tx: &mut Tx<'_>) -> Result<Vec<Ticket>, StoreError> {
    tx.query(
        &format!(
            "SELECT {COLS} FROM interaction_tickets t WHERE t.state NOT IN ('rejected', 'replied', 'closed') \
             ORDER BY t.id"
        ),
        params![],
    )?
    .iter()
    .map(ticket_from)
    .collect()
}

/// Tickets in one state, oldest first.
pub fn in_state(tx: &mut Tx<'_>, state: TicketState) -> Result<Vec<Ticket>, StoreError> {
    tx.query(
        &format!("SELECT {COLS} FROM interaction_tickets t WHERE t.state = ? ORDER BY t.id"),
        params![state.as_str()],
    )?
    .iter()
    .map(ticket_from)
    .collect()
}

/// Report rows: valid tickets (not rejected) received in `[from, to]`, by responsible
/// unit (or the unit addressed while none is responsible yet; `""` for letters still
/// with the leaders).
pub fn report_rows(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Vec<ReportTicket>, StoreError> {
    tx.query(
        "SELECT t.id, COALESCE(u.code, ''), t.received_at, t.due_at, t.replied_at, t.rating \
         FROM interaction_tickets t LEFT JOIN units u ON u.id = COALESCE(t.unit_id, t.target_unit) \
         WHERE t.state <> 'rejected' AND t.received_at >= ? AND t.received_at <= ? ORDER BY t.id",
        params![from, to],
    )?
    .iter()
    .map(|r| {
        let rating: Option<String> = r.get(5)?;
        Ok(ReportTicket {
            id: r.get(0)?,
            unit: r.get(1)?,
            received_at: r.get(2)?,
            due_at: r.get(3)?,
            replied_at: r.get(4)?,
            rating: rating.as_deref().and_then(Rating::parse),
        })
    })
    .collect()
}

/// Disclosure requests (channel `disclosure`) of one unit — responsible, or addressed
/// while none is responsible yet — received no later than `to`, oldest first: the
/// rows of the annual report.
pub fn disclosure_tickets(tx: &mut Tx<'_>, unit: UnitId, to: i64) -> Result<Vec<Ticket>, StoreError> {
    tx.query(
        &format!(
            "SELECT {COLS} FROM interaction_tickets t WHERE t.channel = 'disclosure' \
             AND COALESCE(t.unit_id, t.target_unit) = ? AND t.received_at <= ? ORDER BY t.received_at, t.id"
        ),
        params![unit.0, to],
    )?
    .iter()
    .map(ticket_from)
    .collect()
}

/// An urging record (催办): a reminder before the deadline, an urging after it, or an
/// escalation to the unit's leader.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Urging {
    /// Record id.
    pub id: i64,
    /// The ticket.
    pub ticket: i64,
    /// The unit urged.
    pub unit: UnitId,
    /// `reminder`, `urging` or `escalation`.
    pub kind: String,
    /// The Beijing day it concerns (`YYYY-MM-DD`).
    pub day: String,
    /// For urgings: the how-many-th; for escalations: the urgings so far.
    pub n: i64,
    /// Who is told: `unit` or `leader`.
    pub target: String,
    /// Created, unix seconds.
    pub at: i64,
}

/// Inserts an urging unless one of that kind exists for the ticket and day.
pub fn insert_urging(tx: &mut Tx<'_>, u: &Urging) -> Result<Option<Urging>, StoreError> {
    let row = tx.query_opt(
        "INSERT INTO interaction_urgings (ticket_id, unit_id, kind, day, n, target, at) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (ticket_id, kind, day) DO NOTHING RETURNING id",
        params![u.ticket, u.unit.0, u.kind.as_str(), u.day.as_str(), u.n, u.target.as_str(), u.at],
    )?;
    Ok(match row {
        Some(r) => Some(Urging { id: r.get(0)?, ..u.clone() }),
        None => None,
    })
}

/// Number of urgings of `kind` recorded for a ticket.
pub fn count_urgings(tx: &mut Tx<'_>, ticket: i64, kind: &str) -> Result<i64, StoreError> {
    tx.query_one("SELECT COUNT(*) FROM interaction_urgings WHERE ticket_id = ? AND kind = ?", params![ticket, kind])?
        .get(0)
}

/// Urgings, newest first, optionally of some units only.
pub fn urgings(tx: &mut Tx<'_>, units: Option<&[UnitId]>, limit: i64) -> Result<Vec<Urging>, StoreError> {
    let mut sql = "SELECT id, ticket_id, unit_id, kind, day, n, target, at FROM interaction_urgings".to_string();
    let mut args: Vec<Value> = Vec::new();
    if let Some(units) = units {
        if units.is_empty() {
            return Ok(vec![]);
        }
        sql.push_str(&format!(" WHERE unit_id IN ({})", vec!["?"; units.len()].join(", ")));
        args.extend(units.iter().map(|u| Value::Int(u.0)));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    args.push(Value::Int(limit.max(1)));
    tx.query(&sql, &args)?
        .iter()
        .map(|r| {
            Ok(Urging {
                id: r.get(0)?,
                ticket: r.get(1)?,
                unit: UnitId(r.get(2)?),
                kind: r.get(3)?,
                day: r.get(4)?,
                n: r.get(5)?,
                target: r.get(6)?,
                at: r.get(7)?,
            })
        })
        .collect()
}

/// Every `interaction.*` setting.
pub fn settings(tx: &mut Tx<'_>) -> Result<Vec<(String, String)>, StoreError> {
    tx.query("SELECT key, value FROM settings WHERE key LIKE 'interaction.%' ORDER BY key", params![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}
