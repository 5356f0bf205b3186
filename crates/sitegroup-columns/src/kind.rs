//! Column kinds and the fields that belong to one kind only.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ColumnError;

/// Prefixes of kinds that later modules add (online services, interaction channels).
/// A kind `service`, `interaction`, `service.<name>` or `interaction.<name>` parses to
/// [`ColumnKind::Other`]; anything else unknown is refused, so a typo (`lsit`) is an
/// error rather than a new kind. A module that needs a new family adds its prefix here.
pub const EXTENSION_PREFIXES: &[&str] = &["service", "interaction"];

/// 栏目类型 (column kind): what a column shows.
///
/// Stored as text ([`ColumnKind::as_str`]); `Column::kind` keeps that text and
/// `Column::kind()` parses it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ColumnKind {
    /// 列表栏目: a list of documents, newest first (news, notices …).
    #[default]
    List,
    /// 单页栏目: one page of content (overview, functions, contact).
    SinglePage,
    /// 外链栏目: a link to an external URL; holds no content and no sub-columns.
    Link,
    /// 专题专栏 (topic): a themed section with a banner, a time span and sub-columns.
    Topic,
    /// 信息公开目录 (disclosure catalogue): the government-information disclosure
    /// catalogue; its sub-columns are the catalogue's categories.
    Disclosure,
    /// A kind added by a later module (`service`, `interaction.mailbox` …); see
    /// [`EXTENSION_PREFIXES`]. Such columns hold no documents of the content module,
    /// so they are never counted blank by the health rules.
    Other(String),
}

impl ColumnKind {
    /// The built-in kinds.
    pub const BUILT_IN: [ColumnKind; 5] =
        [ColumnKind::List, ColumnKind::SinglePage, ColumnKind::Link, ColumnKind::Topic, ColumnKind::Disclosure];

    /// Stable name: `list`, `single_page`, `link`, `topic`, `disclosure`, or the
    /// extension's own name.
    pub fn as_str(&self) -> &str {
        match self {
            ColumnKind::List => "list",
            ColumnKind::SinglePage => "single_page",
            ColumnKind::Link => "link",
            ColumnKind::Topic => "topic",
            ColumnKind::Disclosure => "disclosure",
            ColumnKind::Other(name) => name,
        }
    }

    /// Parses [`ColumnKind::as_str`]'s output (case-insensitive, `-` accepted for `_`).
    ///
    /// ```
    /// use sitegroup_columns::ColumnKind;
    /// assert_eq!(ColumnKind::parse("single-page").unwrap(), ColumnKind::SinglePage);
    /// assert_eq!(ColumnKind::parse("interaction.mailbox").unwrap().as_str(), "interaction.mailbox");
    /// assert!(ColumnKind::parse("lsit").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<ColumnKind, ColumnError> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        if let Some(k) = ColumnKind::BUILT_IN.into_iter().find(|k| k.as_str() == norm) {
            return Ok(k);
        }
        let (family, rest) = match norm.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (norm.as_str(), None),
        };
        let rest_ok = rest.is_none_or(|r| {
            !r.is_empty()
                && r.len() <= 32
                && r.starts_with(|c: char| c.is_ascii_lowercase())
                && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
        if EXTENSION_PREFIXES.contains(&family) && rest_ok {
            return Ok(ColumnKind::Other(norm));
        }
        Err(ColumnError::BadKind(s.trim().chars().take(40).collect()))
    }

    /// Whether documents of the content module are expected in a column of this kind
    /// (links and extension kinds hold none, so they are never blank).
    pub fn holds_documents(&self) -> bool {
        matches!(self, ColumnKind::List | ColumnKind::SinglePage | ColumnKind::Topic | ColumnKind::Disclosure)
    }

    /// Whether a column of this kind may have sub-columns (every kind but a link).
    pub fn may_have_children(&self) -> bool {
        !matches!(self, ColumnKind::Link)
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ColumnKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ColumnKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ColumnKind::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        for k in ColumnKind::BUILT_IN {
            assert_eq!(ColumnKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(ColumnKind::parse(" Topic ").unwrap(), ColumnKind::Topic);
        assert_eq!(ColumnKind::parse("service").unwrap(), ColumnKind::Other("service".into()));
        assert_eq!(ColumnKind::parse("service.guide").unwrap(), ColumnKind::Other("service.guide".into()));
        for bad in ["", "news", "service.", "service.9x", "interaction.a b", "other.x", "link.x"] {
            assert!(ColumnKind::parse(bad).is_err(), "{bad:?}");
        }
        assert!(!ColumnKind::Link.holds_documents());
        assert!(!ColumnKind::Other("service".into()).holds_documents());
        let json = serde_json::to_string(&ColumnKind::SinglePage).unwrap();
        assert_eq!(json, "\"single_page\"");
        assert_eq!(serde_json::from_str::<ColumnKind>(&json).unwrap(), ColumnKind::SinglePage);
    }
}
