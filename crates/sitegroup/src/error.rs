use sitegroup_core::calendar::CalendarError;
use sitegroup_core::token::TokenError;
use sitegroup_core::{Denied, ValidationError};
use sitegroup_store::StoreError;
use thiserror::Error;

/// Everything a facade call can fail with. The first group is the user's fault and is
/// shown to them (the portal maps each variant to a Chinese message); the rest are ours.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A field or rule check failed.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// `authorize` refused.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A referenced record does not exist.
    #[error("{what} {key:?} not found")]
    NotFound {
        /// `site`, `unit`, `user` …
        what: &'static str,
        /// The code or name asked for.
        key: String,
    },
    /// A unique code or name is already used.
    #[error("{what} {key:?} already exists")]
    Duplicate {
        /// `site`, `unit`, `user` …
        what: &'static str,
        /// The code or name.
        key: String,
    },
    /// The path prefix is used by another site under the same website.
    #[error("path prefix {prefix} is already taken by site {owner}")]
    PrefixTaken {
        /// The prefix asked for.
        prefix: String,
        /// The code of the site holding it.
        owner: String,
    },
    /// The host name is used by another site.
    #[error("host {host} is already taken by site {owner}")]
    HostTaken {
        /// The host asked for.
        host: String,
        /// The code of the site holding it.
        owner: String,
    },
    /// Wrong user name or password (deliberately not saying which).
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many failed logins: locked until the given time (unix seconds).
    #[error("account locked until {until}")]
    Locked {
        /// End of the lock, unix seconds.
        until: i64,
    },
    /// The account is disabled.
    #[error("account disabled")]
    Disabled,
    /// The session token is invalid, expired or revoked.
    #[error("session invalid: {0}")]
    Session(#[from] TokenError),
    /// A calendar question for a year without data, or a bad calendar file.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// A column rule refused the operation (see [`sitegroup_columns::ColumnError`]).
    #[error(transparent)]
    Column(#[from] sitegroup_columns::ColumnError),
    /// A content rule refused the operation (see [`sitegroup_content::ContentError`]).
    #[error(transparent)]
    Content(#[from] sitegroup_content::ContentError),
    /// Content checks found blocking problems; the findings say what and where.
    #[error("content checks found {} blocking problem(s)", .0.iter().filter(|f| f.severity == sitegroup_text::checks::Severity::Block).count())]
    Blocked(Vec<sitegroup_text::checks::Finding>),
    /// `init` ran on a group that already has an administrator.
    #[error("the site group is already initialised")]
    AlreadyInitialised,
    /// An interaction (ticket) rule refused the operation (see
    /// [`sitegroup_interaction::InteractionError`]).
    #[error(transparent)]
    Interaction(#[from] sitegroup_interaction::InteractionError),
    /// A forum rule refused the operation.
    #[error(transparent)]
    Forum(#[from] sitegroup_interaction::forum::ForumError),
    /// An online-interview rule refused the operation.
    #[error(transparent)]
    Interview(#[from] sitegroup_interaction::interview::InterviewError),
    /// A survey rule refused the operation.
    #[error(transparent)]
    Survey(#[from] sitegroup_interaction::survey::SurveyError),
    /// A solicitation rule refused the operation.
    #[error(transparent)]
    Solicitation(#[from] sitegroup_interaction::solicitation::SolicitationError),
    /// A services rule refused the operation.
    #[error(transparent)]
    Services(#[from] sitegroup_services::ServicesError),
    /// An analytics rule refused the operation.
    #[error(transparent)]
    Stats(#[from] sitegroup_stats::StatsError),
    /// Search failed (ours: index files, or a source's storage).
    #[error(transparent)]
    Search(#[from] sitegroup_search::SearchError),
    /// The database failed (ours).
    #[error("storage error: {0}")]
    Store(StoreError),
    /// A file or directory could not be used (ours, or the operator's setup).
    #[error("file error at {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Something that should not happen (randomness unavailable, a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

impl Error {
    /// True when the caller (operator, editor, citizen) can fix it by changing input.
    pub fn is_user_error(&self) -> bool {
        match self {
            Error::Interaction(e) => e.is_user_error(),
            Error::Forum(e) => e.is_user_error(),
            Error::Services(e) => e.is_user_error(),
            Error::Stats(e) => e.is_user_error(),
            Error::Interview(e) => e.is_user_error(),
            Error::Survey(e) => e.is_user_error(),
            Error::Solicitation(e) => e.is_user_error(),
            _ => !matches!(self, Error::Store(_) | Error::Io { .. } | Error::Internal(_) | Error::Search(_)),
        }
    }
}
