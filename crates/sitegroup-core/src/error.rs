//! Validation errors: the user's fault, each precise enough to show in Chinese.

use thiserror::Error;

/// Why a value typed by an operator or editor was refused. Nothing is written when
/// one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A required field is empty or only whitespace.
    #[error("{field} must not be empty")]
    Empty {
        /// The field's name.
        field: &'static str,
    },
    /// A field is longer than allowed (counted in characters).
    #[error("{field} is too long ({len} characters, at most {max})")]
    TooLong {
        /// The field's name.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A field does not have the required shape.
    #[error("{field} is malformed: {reason}")]
    Malformed {
        /// The field's name.
        field: &'static str,
        /// What is wrong, in English; the portal maps the field to a Chinese message.
        reason: String,
    },
    /// A rule between fields or records is broken (cycle, wrong parent kind …).
    #[error("{0}")]
    Rule(String),
}

/// Trims `value` and checks it is non-empty, has no control characters and at most
/// `max` characters.
///
/// ```
/// use sitegroup_core::error::required_text;
/// assert_eq!(required_text("name", "  无为县  ", 50).unwrap(), "无为县");
/// assert!(required_text("name", "   ", 50).is_err());
/// ```
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::Malformed { field, reason: "contains control characters".into() });
    }
    Ok(trimmed.to_string())
}

/// Like [`required_text`] but `None` or blank gives `Ok(None)`.
pub fn optional_text(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>, ValidationError> {
    match value {
        Some(v) if !v.trim().is_empty() => required_text(field, v, max).map(Some),
        _ => Ok(None),
    }
}

/// A short code for a site, unit or user name: 1–32 ASCII letters, digits, `-` or `_`,
/// starting with a letter or digit; stored lowercase.
///
/// ```
/// use sitegroup_core::error::code;
/// assert_eq!(code("code", "JiaoYu-Ju").unwrap(), "jiaoyu-ju");
/// assert!(code("code", "教育局").is_err());
/// ```
pub fn code(field: &'static str, value: &str) -> Result<String, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if v.len() > 32 {
        return Err(ValidationError::TooLong { field, len: v.chars().count(), max: 32 });
    }
    let ok_first = v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok_first || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ValidationError::Malformed {
            field,
            reason: "use ASCII letters, digits, '-' or '_', starting with a letter or digit".into(),
        });
    }
    Ok(v.to_ascii_lowercase())
}
