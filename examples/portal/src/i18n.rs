//! The message catalogue: every text the portal shows comes from one catalogue per
//! language, embedded in the binary: `messages/<lang>.txt` plus one part per
//! participation module (`messages/<lang>/<module>.txt`), `key = value` lines. A key
//! may appear in only one part.
//!
//! Templates reach it through the `t("key", name=value)` function; Rust code through
//! [`Catalogue::get`] and [`Catalogue::format`]. A missing key shows as the key itself
//! (visible, never a panic); the test suite checks that every key used exists.
//! Adding a language is adding its parts with the same keys and a row in [`LANGUAGES`].

use std::collections::HashMap;

/// The languages compiled in: tag and the parts of its catalogue. The first is the
/// default.
pub const LANGUAGES: &[(&str, &[&str])] = &[(
    "zh-CN",
    &[
        include_str!("../messages/zh-CN.txt"),
        include_str!("../messages/zh-CN/forum.txt"),
        include_str!("../messages/zh-CN/interview.txt"),
        include_str!("../messages/zh-CN/survey.txt"),
        include_str!("../messages/zh-CN/solicitation.txt"),
        include_str!("../messages/zh-CN/services.txt"),
        include_str!("../messages/zh-CN/stats.txt"),
        include_str!("../messages/zh-CN/selfcheck.txt"),
        include_str!("../messages/zh-CN/annual.txt"),
    ],
)];

/// A malformed catalogue line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// A line without `=`, with an empty or non-ASCII key, or an empty value.
    #[error("{lang} line {line}: expected `key = value`")]
    Malformed {
        /// The language tag.
        lang: String,
        /// 1-based line number.
        line: usize,
    },
    /// The same key twice.
    #[error("{lang} line {line}: duplicate key {key}")]
    Duplicate {
        /// The language tag.
        lang: String,
        /// 1-based line number.
        line: usize,
        /// The key.
        key: String,
    },
    /// No catalogue for this language.
    #[error("no message catalogue for language {0}")]
    UnknownLanguage(String),
}

/// The messages of one language.
#[derive(Debug, Clone)]
pub struct Catalogue {
    lang: String,
    messages: HashMap<String, String>,
}

impl Catalogue {
    /// Parses catalogue text (see `messages/zh-CN.txt` for the format).
    pub fn parse(lang: &str, text: &str) -> Result<Catalogue, CatalogueError> {
        Catalogue::parse_parts(lang, &[text])
    }

    /// Parses a catalogue made of several parts; a key in two parts is a duplicate.
    /// Line numbers in errors count from the start of the part.
    pub fn parse_parts(lang: &str, parts: &[&str]) -> Result<Catalogue, CatalogueError> {
        let mut messages = HashMap::new();
        for (i, raw) in parts.iter().flat_map(|text| text.lines().enumerate()) {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let malformed = || CatalogueError::Malformed { lang: lang.to_string(), line: i + 1 };
            let (key, value) = line.split_once('=').ok_or_else(malformed)?;
            let (key, value) = (key.trim(), value.trim());
            let key_ok =
                !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !key_ok || value.is_empty() {
                return Err(malformed());
            }
            if messages.insert(key.to_string(), value.to_string()).is_some() {
                return Err(CatalogueError::Duplicate { lang: lang.to_string(), line: i + 1, key: key.to_string() });
            }
        }
        Ok(Catalogue { lang: lang.to_string(), messages })
    }

    /// The embedded catalogue for a language tag (`zh-CN`).
    pub fn for_lang(lang: &str) -> Result<Catalogue, CatalogueError> {
        let (tag, parts) = LANGUAGES
            .iter()
            .find(|(tag, _)| tag.eq_ignore_ascii_case(lang))
            .ok_or_else(|| CatalogueError::UnknownLanguage(lang.to_string()))?;
        Catalogue::parse_parts(tag, parts)
    }

    /// The language tag, for `<html lang>`.
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// Whether the key exists.
    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }

    /// Every key, for checks.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// The message, or the key itself when missing.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map_or(key, String::as_str)
    }

    /// The message with `{name}` placeholders filled from `args`.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }
}

/// Replaces `{name}` in `template` by the matching argument; unknown placeholders stay.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
