//! Audit entries: every write records who did what, where, when and from where.
//! The log is append-only; the store enforces it.

use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::ids::{SiteId, UserId};

/// Where a write came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The channel: `cli`, `web`, `seed`, `scheduler` …
    pub channel: String,
    /// The client address for web requests, if known.
    pub address: Option<String>,
}

impl Origin {
    /// The command line.
    pub fn cli() -> Origin {
        Origin { channel: "cli".into(), address: None }
    }

    /// A web request from `address`.
    pub fn web(address: Option<String>) -> Origin {
        Origin { channel: "web".into(), address }
    }

    /// Any other channel, e.g. `Origin::other("seed")`.
    pub fn other(channel: &str) -> Origin {
        Origin { channel: channel.into(), address: None }
    }

    /// `web 127.0.0.1` or `cli`.
    pub fn label(&self) -> String {
        match &self.address {
            Some(a) => format!("{} {a}", self.channel),
            None => self.channel.clone(),
        }
    }
}

/// An entry about to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    /// Acting user, if a user acted.
    pub actor_user: Option<UserId>,
    /// Actor label (`wang`, `system:cli`).
    pub actor: String,
    /// What was done, dotted: `site.create`, `user.grant`, `login.failed`.
    pub action: String,
    /// The site concerned, if any.
    pub site: Option<SiteId>,
    /// The target, e.g. `site:jyj`, `user:li`.
    pub target: String,
    /// Where it came from.
    pub origin: String,
    /// Free detail (JSON), e.g. the changed fields.
    pub detail: serde_json::Value,
    /// When, unix seconds.
    pub at: i64,
}

impl NewAuditEntry {
    /// An entry for `actor` doing `action` on `target` at `at`.
    pub fn new(actor: &Actor, origin: &Origin, action: &str, site: Option<SiteId>, target: String, at: i64) -> Self {
        NewAuditEntry {
            actor_user: actor.user_id(),
            actor: actor.label(),
            action: action.to_string(),
            site,
            target,
            origin: origin.label(),
            detail: serde_json::Value::Null,
            at,
        }
    }

    /// Adds detail.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// The entry.
    #[serde(flatten)]
    pub entry: NewAuditEntry,
}

/// A query over the log: by site (or group-wide) and time range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only this site; `None` for group-wide entries too (needs group scope).
    pub site: Option<SiteId>,
    /// From this time (inclusive), unix seconds.
    pub since: Option<i64>,
    /// Until this time (exclusive), unix seconds.
    pub until: Option<i64>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<u32>,
}
