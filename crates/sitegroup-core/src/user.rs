//! Back-office users and the login lock-out rule.

use serde::{Deserialize, Serialize};

use crate::error::{ValidationError, code, optional_text, required_text};
use crate::ids::{UnitId, UserId};

/// A back-office user (editor, reviewer, handler …). Citizens have no accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Database id.
    pub id: UserId,
    /// Login name, lowercase ASCII.
    pub username: String,
    /// Name shown in the audit log and on sign-offs.
    pub display_name: String,
    /// The unit the user works for.
    pub unit: Option<UnitId>,
    /// Disabled users cannot log in.
    pub active: bool,
    /// Failed logins since the last success.
    pub failed_logins: u32,
    /// Locked until this time (unix seconds), if locked.
    pub locked_until: Option<i64>,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// Input for a new user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Display name (defaults to the login name).
    pub display_name: Option<String>,
    /// The user's unit.
    pub unit: Option<UnitId>,
}

impl NewUser {
    /// Normalises and checks the fields.
    pub fn validate(&self) -> Result<NewUser, ValidationError> {
        let username = code("username", &crate::site::fold_width(&self.username))?;
        let display_name = optional_text("display_name", self.display_name.as_deref(), 50)?;
        Ok(NewUser { display_name: Some(display_name.unwrap_or_else(|| username.clone())), username, unit: self.unit })
    }
}

/// Checks a chosen password: 10–128 characters, not only digits, not the user name.
pub fn check_password_strength(username: &str, password: &str) -> Result<(), ValidationError> {
    let p = required_text("password", password, 128).map_err(|_| ValidationError::Malformed {
        field: "password",
        reason: "must not be empty, at most 128 characters, no control characters".into(),
    })?;
    if p.chars().count() < 10 {
        return Err(ValidationError::Malformed { field: "password", reason: "at least 10 characters".into() });
    }
    if p.chars().all(|c| c.is_ascii_digit()) || p.eq_ignore_ascii_case(username) {
        return Err(ValidationError::Malformed {
            field: "password",
            reason: "too easy to guess (only digits or the user name)".into(),
        });
    }
    Ok(())
}

/// Lock-out after repeated failed logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Failed attempts that trigger a lock.
    pub max_failures: u32,
    /// How long the lock lasts, in minutes.
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { max_failures: 5, lock_minutes: 15 }
    }
}

/// What a login attempt does to the user's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password was right and the account usable: reset the counters.
    Success,
    /// Wrong password: store the new count and, when it reached the limit, the lock end.
    Failure {
        /// The new failure count.
        failed_logins: u32,
        /// Set when this failure locks the account.
        locked_until: Option<i64>,
    },
    /// The account is locked until the given time; the password was not even checked.
    Locked {
        /// End of the lock, unix seconds.
        until: i64,
    },
    /// The account is disabled.
    Disabled,
}

impl LockoutPolicy {
    /// Decides a login attempt. `password_ok` is only consulted when the account is
    /// usable, so a locked account gives no oracle for guessing.
    ///
    /// ```
    /// use sitegroup_core::user::{LockoutPolicy, LoginOutcome};
    /// let p = LockoutPolicy { max_failures: 2, lock_minutes: 10 };
    /// assert_eq!(p.decide(true, 1, None, 1000, || false), LoginOutcome::Failure { failed_logins: 2, locked_until: Some(1600) });
    /// assert_eq!(p.decide(true, 2, Some(1600), 1200, || true), LoginOutcome::Locked { until: 1600 });
    /// assert_eq!(p.decide(true, 2, Some(1600), 1601, || true), LoginOutcome::Success);
    /// ```
    pub fn decide(
        &self,
        active: bool,
        failed_logins: u32,
        locked_until: Option<i64>,
        now: i64,
        password_ok: impl FnOnce() -> bool,
    ) -> LoginOutcome {
        if !active {
            return LoginOutcome::Disabled;
        }
        if let Some(until) = locked_until.filter(|u| *u > now) {
            return LoginOutcome::Locked { until };
        }
        // A lock that has run out starts a fresh count.
        let previous = if locked_until.is_some() { 0 } else { failed_logins };
        if password_ok() {
            LoginOutcome::Success
        } else {
            let failed = previous.saturating_add(1);
            let locked_until = (failed >= self.max_failures.max(1)).then_some(now + self.lock_minutes * 60);
            LoginOutcome::Failure { failed_logins: failed, locked_until }
        }
    }
}
