//! 在线调查 (online survey): questions of several types, an open period, one response per
//! person, results with counts and means, and their CSV and .xlsx exports.
//!
//! **What it owns.** The survey definition and its validation ([`model`]): single choice
//! (单选), multiple choice (多选, with a most-choices limit), rating (评分, 1 to a scale)
//! and free text (填空), each required or optional; the states (draft → published →
//! closed) and the phase a visitor sees at a given time; the validation of a response
//! against the definition; the pure aggregation of results ([`results`]); the exports
//! ([`export`]); the respondent and address hashes ([`respondent_hash`],
//! [`address_hash`]); the settings ([`SurveySettings`]); and the SQL ([`repo`],
//! [`migrations`]).
//!
//! **What it must never do.** Decide permissions (the facade calls `authorize`), read
//! the clock (times come in as arguments), speak HTTP, or store who answered: a
//! response row holds only a salted hash of the respondent key (an account id or a
//! visitor's random cookie id) and a salted hash of the client address, never the raw
//! key or IP address.
//!
//! **Invariants.**
//! - A stored response satisfies its survey's definition (validated before the insert).
//! - One response per respondent and survey: a unique index on `(survey_id,
//!   respondent_hash)` backs the check made inside the insert transaction.
//! - A survey's questions change only while it is a draft, so stored answers always
//!   refer to the questions they answered.
//! - Responses are accepted only while the survey is published and `opens_at <= now <
//!   closes_at`.

pub mod export;
pub mod model;
pub mod repo;
pub mod results;

pub use model::{
    Answer, Answers, NewQuestion, NewSurvey, Question, QuestionKind, Survey, SurveyOption, SurveyPhase, SurveyState,
    ValidSurvey,
};
pub use results::{OptionResult, QuestionResult, RatingResult, StoredResponse, SurveyResults, TextAnswer};

use sha2::{Digest, Sha256};
use sitegroup_core::ValidationError;
use sitegroup_store::StoreError;

/// Errors of the survey rules. All but [`SurveyError::Store`] and
/// [`SurveyError::Internal`] are the user's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SurveyError {
    /// A field of the definition failed a check (empty title, too long …).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No survey with this id (or not visible to the public).
    #[error("survey {0} not found")]
    NotFound(i64),
    /// The definition has no question, or too many.
    #[error("a survey needs 1 to {max} questions, not {count}")]
    QuestionCount {
        /// Questions given.
        count: usize,
        /// Most allowed.
        max: usize,
    },
    /// A choice question with too few or too many options.
    #[error("question {question} needs 2 to {max} options, not {count}")]
    OptionCount {
        /// Question number (1-based).
        question: u32,
        /// Options given.
        count: usize,
        /// Most allowed.
        max: usize,
    },
    /// The same option twice in one question.
    #[error("question {question} lists the option {label:?} twice")]
    DuplicateOption {
        /// Question number.
        question: u32,
        /// The repeated label.
        label: String,
    },
    /// A rating scale outside 2–10, or a most-choices limit outside 1–options.
    #[error("question {question}: {what} must be between {min} and {max}")]
    BadLimit {
        /// Question number.
        question: u32,
        /// `scale`, `max_choices` or `max_chars`.
        what: &'static str,
        /// Least allowed.
        min: u32,
        /// Most allowed.
        max: u32,
    },
    /// The period ends before it starts.
    #[error("the survey must close after it opens")]
    BadPeriod,
    /// A required question was not answered.
    #[error("question {question} is required")]
    MissingAnswer {
        /// Question number.
        question: u32,
    },
    /// An answer to a question the survey does not have.
    #[error("the survey has no question {question}")]
    UnknownQuestion {
        /// The number sent.
        question: u32,
    },
    /// A choice that is not one of the question's options.
    #[error("question {question} has no option {option:?}")]
    UnknownOption {
        /// Question number.
        question: u32,
        /// What was sent.
        option: String,
    },
    /// More choices than the question allows.
    #[error("question {question} allows at most {max} choices, not {count}")]
    TooManyChoices {
        /// Question number.
        question: u32,
        /// Choices sent.
        count: usize,
        /// Most allowed.
        max: usize,
    },
    /// A rating outside `1..=scale` (or not a number).
    #[error("question {question} takes a rating from 1 to {scale}, not {value:?}")]
    RatingOutOfRange {
        /// Question number.
        question: u32,
        /// What was sent.
        value: String,
        /// The scale.
        scale: u8,
    },
    /// A free-text answer longer than the question allows.
    #[error("the answer to question {question} is too long ({len} characters, at most {max})")]
    TextTooLong {
        /// Question number.
        question: u32,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An answer of the wrong kind (a rating for a choice question …) or with a NUL.
    #[error("the answer to question {question} is malformed")]
    MalformedAnswer {
        /// Question number.
        question: u32,
    },
    /// The survey does not take responses now (draft, not yet open, or closed).
    #[error("the survey is {} and takes no responses", .phase.as_str())]
    NotOpen {
        /// Where it stands.
        phase: SurveyPhase,
    },
    /// The step is not allowed in the survey's state (editing a published survey …).
    #[error("cannot {action} a survey that is {}", .state.as_str())]
    IllegalState {
        /// The current state.
        state: SurveyState,
        /// The step asked for.
        action: &'static str,
    },
    /// This person (account or visitor cookie) already answered this survey.
    #[error("this respondent already answered the survey")]
    AlreadyResponded,
    /// Too many responses from one address within the window.
    #[error("too many responses from this address: at most {max} in {minutes} minutes")]
    Throttled {
        /// Responses allowed per address and window.
        max: u32,
        /// The window, in minutes.
        minutes: u32,
    },
    /// A response needs a respondent key (an account, or a visitor id).
    #[error("a response needs an account or a visitor id")]
    NoRespondent,
    /// The survey's results are not public.
    #[error("the results of survey {0} are not public")]
    ResultsNotPublic(i64),
    /// A recorded (paper) response dated outside the survey's period.
    #[error("a recorded response must be dated within the survey's period")]
    OutsidePeriod,
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// Something that should not happen (randomness unavailable, an export failed).
    #[error("internal error: {0}")]
    Internal(String),
}

impl SurveyError {
    /// True when the caller can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, SurveyError::Store(_) | SurveyError::Internal(_))
    }
}

/// Survey settings (table `settings`, keys `survey.*`), with defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SurveySettings {
    /// Responses accepted per client address and survey within the window
    /// (`survey.address_limit`, 20: a household or an office shares one address).
    pub address_limit: u32,
    /// The window of the address limit in minutes (`survey.address_window_minutes`, 60).
    pub address_window_minutes: u32,
}

impl Default for SurveySettings {
    fn default() -> Self {
        SurveySettings { address_limit: 20, address_window_minutes: 60 }
    }
}

/// Key of the per-group salt of the respondent and address hashes.
pub const SALT_SETTING: &str = "survey.salt";

impl SurveySettings {
    /// Settings from `(key, value)` pairs of the settings table; unknown `survey.*`
    /// keys and malformed values are refused with the key named.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<SurveySettings, ValidationError> {
        let mut s = SurveySettings::default();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("survey.") else { continue };
            let bad = || ValidationError::Rule(format!("setting {key}: bad value"));
            let n = || value.trim().parse::<u32>().ok().filter(|n| (1..=100_000).contains(n)).ok_or_else(bad);
            match rest {
                "address_limit" => s.address_limit = n()?,
                "address_window_minutes" => s.address_window_minutes = n()?,
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn salted(salt: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    for p in parts {
        h.update([0x1f]);
        h.update(p.as_bytes());
    }
    hex(&h.finalize())
}

/// `sha256(salt ‖ survey ‖ key)`, hex: what a response row stores instead of the
/// respondent key (`user:{id}` for an account, `visitor:{cookie id}` otherwise). The
/// survey id is mixed in, so one visitor's rows cannot be linked across surveys.
pub fn respondent_hash(salt: &str, survey: i64, key: &str) -> String {
    salted(salt, &[&survey.to_string(), "respondent", key])
}

/// `sha256(salt ‖ survey ‖ address)`, hex: what a response row stores instead of the
/// client address (for the per-address limit). `None` (address unknown) hashes as `-`.
pub fn address_hash(salt: &str, survey: i64, address: Option<&str>) -> String {
    salted(salt, &[&survey.to_string(), "address", address.unwrap_or("-")])
}

/// A fresh random hex string of `bytes` random bytes (salts, visitor ids).
pub fn random_hex(bytes: usize) -> Result<String, SurveyError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| SurveyError::Internal(format!("randomness: {e}")))?;
    Ok(hex(&buf))
}

/// Whether `id` looks like a visitor id this module hands out (32 hex digits), so a
/// forged cookie of another shape is not used as a key.
pub fn valid_visitor_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// This module's migrations (module `survey`), run by the facade on open.
pub fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "survey",
        version: 1,
        name: "surveys and their responses",
        sql: "CREATE TABLE surveys (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            title TEXT NOT NULL,
            intro TEXT NOT NULL,
            questions TEXT NOT NULL,
            opens_at BIGINT NOT NULL,
            closes_at BIGINT NOT NULL,
            results_public BIGINT NOT NULL,
            state TEXT NOT NULL,
            responses BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            published_at BIGINT
        );
        CREATE INDEX surveys_site ON surveys (site_id, state);
        CREATE INDEX surveys_state ON surveys (state, closes_at);
        CREATE TABLE survey_responses (
            id {{id}},
            survey_id BIGINT NOT NULL REFERENCES surveys(id),
            respondent_hash TEXT NOT NULL,
            address_hash TEXT NOT NULL,
            answers TEXT NOT NULL,
            source TEXT NOT NULL,
            at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX survey_responses_once ON survey_responses (survey_id, respondent_hash);
        CREATE INDEX survey_responses_address ON survey_responses (survey_id, address_hash, at);",
        postgres_sql: None,
    }]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_per_survey_and_never_the_raw_value() {
        let a = respondent_hash("salt", 1, "visitor:abc");
        assert_eq!(a.len(), 64);
        assert_ne!(a, respondent_hash("salt", 2, "visitor:abc"), "unlinkable across surveys");
        assert_ne!(a, respondent_hash("other", 1, "visitor:abc"), "salted");
        assert_eq!(a, respondent_hash("salt", 1, "visitor:abc"), "stable");
        let ip = address_hash("salt", 1, Some("203.0.113.7"));
        assert!(!ip.contains("203.0.113.7"));
        assert_ne!(ip, address_hash("salt", 1, None));
        assert!(valid_visitor_id(&random_hex(16).unwrap()));
        assert!(!valid_visitor_id("../../etc"));
    }

    #[test]
    fn survey_settings() {
        let s = SurveySettings::from_pairs(&[
            ("survey.address_limit".into(), "5".into()),
            ("survey.salt".into(), "x".into()),
            ("other.key".into(), "y".into()),
        ])
        .unwrap();
        assert_eq!(s.address_limit, 5);
        assert_eq!(s.window_seconds(), 3600);
        assert!(SurveySettings::from_pairs(&[("survey.limit".into(), "5".into())]).is_err());
        assert!(SurveySettings::from_pairs(&[("survey.address_limit".into(), "0".into())]).is_err());
    }

    #[test]
    fn migrations_expand_on_both_dialects() {
        for m in migrations() {
            assert!(m.sql_for(sitegroup_store::Dialect::Sqlite).is_ok());
            assert!(m.sql_for(sitegroup_store::Dialect::Postgres).is_ok());
        }
    }
}
