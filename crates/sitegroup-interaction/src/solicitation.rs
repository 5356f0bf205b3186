//! 民意征集 (opinion solicitation): a draft document open for comments between dates,
//! moderated comments, and a feedback summary (意见采纳情况反馈) that must be published.
//!
//! **What it owns.** The solicitation and comment models and their validation, the
//! states and phases (draft → published: upcoming → open → awaiting its summary →
//! concluded), comment moderation, the feedback summary and its due date — a number of
//! working days after the solicitation closes, counted on the core calendar like a
//! ticket's deadline — ([`model`]), the settings ([`SolicitationSettings`]), the
//! address hash, and the SQL ([`repo`], [`migrations`]).
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize`), read
//! the clock (times come in as arguments), speak HTTP, render text (comments are stored
//! exactly as typed and escaped by whoever shows them), or store a client address: a
//! comment row keeps only a salted hash of it, for the per-address limit.
//!
//! **Invariants.**
//! - Only approved comments are ever public ([`repo::comments`] with
//!   [`CommentState::Approved`] is the public query).
//! - Comments come in only while the solicitation is published and
//!   `opens_at <= now < closes_at` (comments received on paper or by e-mail are
//!   recorded by an editor, dated within the period).
//! - An idempotency key yields at most one comment (unique index).
//! - A feedback summary is written only after the solicitation closes and cannot change
//!   once published; a solicitation is *overdue* when it closed, its summary is not
//!   published, and the summary's due date has passed.

pub mod model;
pub mod repo;

pub use model::{
    Comment, CommentState, Feedback, Moderation, NewComment, NewSolicitation, Solicitation, SolicitationPhase,
    SolicitationState, SummaryStatus, ValidComment, ValidSolicitation, summary_due, summary_status,
};

use sha2::{Digest, Sha256};
use sitegroup_core::{CalendarError, ValidationError};
use sitegroup_store::StoreError;

/// Errors of the solicitation rules. All but [`SolicitationError::Store`] and
/// [`SolicitationError::Internal`] are the user's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolicitationError {
    /// A field failed a check (empty title, comment too long …).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No solicitation with this id (or not visible to the public).
    #[error("solicitation {0} not found")]
    NotFound(i64),
    /// No comment with this id.
    #[error("comment {0} not found")]
    CommentNotFound(i64),
    /// The period ends before it starts.
    #[error("the solicitation must close after it opens")]
    BadPeriod,
    /// Comments are not taken now (draft, not yet open, or closed).
    #[error("the solicitation is {} and takes no comments", .phase.as_str())]
    NotOpen {
        /// Where it stands.
        phase: SolicitationPhase,
    },
    /// The step is not allowed in the solicitation's state (editing a published one …).
    #[error("cannot {action} a solicitation that is {}", .phase.as_str())]
    IllegalState {
        /// Where it stands.
        phase: SolicitationPhase,
        /// The step asked for.
        action: &'static str,
    },
    /// The feedback summary is written after the solicitation closes.
    #[error("the solicitation has not closed yet")]
    NotClosed,
    /// The feedback summary is already published and cannot change.
    #[error("the feedback summary is already published")]
    SummaryPublished,
    /// Publishing needs a saved summary first.
    #[error("no feedback summary has been written")]
    NoSummary,
    /// More comments adopted than were approved.
    #[error("{adopted} comments adopted, but only {approved} were approved")]
    AdoptedTooMany {
        /// Adopted, as entered.
        adopted: u32,
        /// Approved comments.
        approved: u32,
    },
    /// A recorded (offline) comment dated outside the period.
    #[error("a recorded comment must be dated within the solicitation's period")]
    OutsidePeriod,
    /// Too many comments from one address within the window.
    #[error("too many comments from this address: at most {max} in {minutes} minutes")]
    Throttled {
        /// Comments allowed per address and window.
        max: u32,
        /// The window, in minutes.
        minutes: u32,
    },
    /// The summary's due date could not be computed (a bad calendar).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// Something that should not happen (randomness unavailable).
    #[error("internal error: {0}")]
    Internal(String),
}

impl SolicitationError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, SolicitationError::Store(_) | SolicitationError::Internal(_) | SolicitationError::Calendar(_))
    }
}

/// Solicitation settings (table `settings`, keys `solicitation.*`), with defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SolicitationSettings {
    /// Working days after closing by which the feedback summary is due
    /// (`solicitation.summary_days`, 20, like the disclosure regulation's answer time).
    pub summary_days: u32,
    /// Comments accepted per client address and solicitation within the window
    /// (`solicitation.address_limit`, 5).
    pub address_limit: u32,
    /// The window of the address limit in minutes (`solicitation.address_window_minutes`, 10).
    pub address_window_minutes: u32,
}

impl Default for SolicitationSettings {
    fn default() -> Self {
        SolicitationSettings { summary_days: 20, address_limit: 5, address_window_minutes: 10 }
    }
}

/// Key of the per-group salt of the address hashes.
pub const SALT_SETTING: &str = "solicitation.salt";

impl SolicitationSettings {
    /// Settings from `(key, value)` pairs of the settings table; unknown
    /// `solicitation.*` keys and malformed values are refused with the key named.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<SolicitationSettings, ValidationError> {
        let mut s = SolicitationSettings::default();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("solicitation.") else { continue };
            let bad = || ValidationError::Rule(format!("setting {key}: bad value"));
            let n = |max: u32| value.trim().parse::<u32>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(bad);
            match rest {
                "summary_days" => s.summary_days = n(366)?,
                "address_limit" => s.address_limit = n(100_000)?,
                "address_window_minutes" => s.address_window_minutes = n(100_000)?,
                "salt" => {}
                _ => return Err(ValidationError::Rule(format!("unknown setting {key}"))),
            }
        }
        Ok(s)
    }

    /// The window in seconds.
    pub fn window_seconds(&self) -> i64 {
        i64::from(self.address_window_minutes) * 60
    }
}

/// `sha256(salt ‖ solicitation ‖ address)`, hex: what a comment row stores instead of
/// the client address. `None` (address unknown) hashes as `-`.
pub fn address_hash(salt: &str, solicitation: i64, address: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0x1f]);
    h.update(solicitation.to_string().as_bytes());
    h.update([0x1f]);
    h.update(address.unwrap_or("-").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// This module's migrations (module `solicitation`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "solicitation",
        version: 1,
        name: "solicitations, their comments and feedback summaries",
        sql: "CREATE TABLE solicitations (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            title TEXT NOT NULL,
            intro TEXT NOT NULL,
            body TEXT NOT NULL,
            opens_at BIGINT NOT NULL,
            closes_at BIGINT NOT NULL,
            state TEXT NOT NULL,
            comments BIGINT NOT NULL,
            feedback TEXT,
            adopted BIGINT,
            feedback_by TEXT,
            feedback_at BIGINT,
            feedback_published_at BIGINT,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            published_at BIGINT
        );
        CREATE INDEX solicitations_site ON solicitations (site_id, state);
        CREATE INDEX solicitations_closing ON solicitations (state, closes_at);
        CREATE TABLE solicitation_comments (
            id {{id}},
            solicitation_id BIGINT NOT NULL REFERENCES solicitations(id),
            author TEXT,
            body TEXT NOT NULL,
            state TEXT NOT NULL,
            source TEXT NOT NULL,
            idempotency_key TEXT,
            address_hash TEXT NOT NULL,
            submitted_at BIGINT NOT NULL,
            moderated_at BIGINT,
            moderated_by TEXT,
            reason TEXT
        );
        CREATE UNIQUE INDEX solicitation_comments_key ON solicitation_comments (idempotency_key);
        CREATE INDEX solicitation_comments_list ON solicitation_comments (solicitation_id, state, submitted_at);
        CREATE INDEX solicitation_comments_address ON solicitation_comments (solicitation_id, address_hash, submitted_at);",
        postgres_sql: None,
    }]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_hashes() {
        let s = SolicitationSettings::from_pairs(&[
            ("solicitation.summary_days".into(), "15".into()),
            ("solicitation.salt".into(), "x".into()),
        ])
        .unwrap();
        assert_eq!(s.summary_days, 15);
        assert_eq!(s.address_limit, 5);
        assert!(SolicitationSettings::from_pairs(&[("solicitation.summary_days".into(), "0".into())]).is_err());
        assert!(SolicitationSettings::from_pairs(&[("solicitation.days".into(), "3".into())]).is_err());
        let h = address_hash("salt", 3, Some("198.51.100.4"));
        assert_eq!(h.len(), 64);
        assert!(!h.contains("198.51.100.4"));
        assert_ne!(h, address_hash("salt", 4, Some("198.51.100.4")));
    }

    #[test]
    fn migrations_expand_on_both_dialects() {
        for m in migrations() {
            assert!(m.sql_for(sitegroup_store::Dialect::Sqlite).is_ok());
            assert!(m.sql_for(sitegroup_store::Dialect::Postgres).is_ok());
        }
    }
}
