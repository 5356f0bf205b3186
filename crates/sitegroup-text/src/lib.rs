//! Chinese text rules shared by the modules of the site group: folding, HTML sanitising,
//! content checks and personal-data detection.
//!
//! **Owns**: [`fold`] (width/case/Traditional→Simplified folding, one character for one,
//! pinyin-gloss and separator removal with a map back to the original), [`sanitize`] (the
//! ammonia policy for government content, Word/WPS paste cleanup, plain text, summaries,
//! links), [`checks`] (word lists, serious errors, confidentiality markers, personal data,
//! empty title/body, with the plain-text config formats) and [`personal`] (ID, mobile and
//! bank-card detectors, reused for redaction).
//!
//! **Never**: touches a database, the network, the clock or the file system; decides
//! permissions; panics on any input (all functions are total over `&str`); lets content
//! through the sanitiser that ammonia's allow-list rejected (our own scanner only removes,
//! never admits).
//!
//! **Invariants**: [`fold::fold`] returns exactly as many characters as it is given, so
//! offsets in folded text are offsets in the original; [`fold::Folded::to_original`] is
//! strictly increasing; [`checks::Finding`] offsets are in characters of the input given to
//! the function and `excerpt` is exactly that span; the Traditional→Simplified converter is
//! built once per process; a [`checks::Checker`] is `Send + Sync` and immutable once built.

pub mod checks;
pub mod fold;
mod html;
pub mod personal;
pub mod sanitize;

/// Errors of this crate. All are the caller's fault (bad configuration input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A configuration list has a malformed line (`line` is 1-based; 0 when the entry did
    /// not come from a text file).
    #[error("{list} list, line {line}: {message}")]
    Config {
        /// Which list: `prohibited`, `sensitive`, `serious` or `words`.
        list: String,
        /// 1-based line number, or 0.
        line: usize,
        /// What is wrong.
        message: String,
    },
}
