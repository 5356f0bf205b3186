//! 索引号 (index numbers) of disclosure items: the configurable pattern.
//!
//! A pattern is text with tokens, replaced at first publication:
//!
//! | token      | replaced by                                                        |
//! |------------|--------------------------------------------------------------------|
//! | `UNITCODE` | the code of the site's owning unit (the site code if it has none)  |
//! | `SITECODE` | the site's code                                                    |
//! | `YYYY`     | the year of publication (Beijing time)                             |
//! | `MM`       | the month of publication, two digits                               |
//! | `N…N`      | the counter, zero-padded to the number of `N`s (at least one)       |
//!
//! The counter runs per unit and, when the pattern contains `YYYY`, per year (it
//! restarts every year). Everything else is copied. The default is
//! [`DEFAULT_PATTERN`], e.g. `jyj/2025-00042`. The setting `content.index_pattern`
//! overrides it. A pattern must contain exactly one counter run.

use crate::ContentError;

/// The default pattern: unit code, year and a five-digit counter.
pub const DEFAULT_PATTERN: &str = "UNITCODE/YYYY-NNNNN";

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPattern {
    parts: Vec<Part>,
    per_year: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Unit,
    Site,
    Year,
    Month,
    Counter(usize),
}

impl IndexPattern {
    /// Parses a pattern; it needs exactly one run of `N`.
    ///
    /// ```
    /// use sitegroup_content::index::IndexPattern;
    /// let p = IndexPattern::parse("UNITCODE/YYYY-NNNNN").unwrap();
    /// assert_eq!(p.render("jyj", "jyj-site", 2025, 6, 42), "jyj/2025-00042");
    /// assert!(IndexPattern::parse("UNITCODE-YYYY").is_err());
    /// ```
    pub fn parse(pattern: &str) -> Result<IndexPattern, ContentError> {
        let bad = |reason: &str| ContentError::BadPattern { pattern: pattern.to_string(), reason: reason.to_string() };
        if pattern.trim().is_empty() || pattern.chars().count() > 100 {
            return Err(bad("empty or longer than 100 characters"));
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = pattern;
        let mut counters = 0;
        let mut per_year = false;
        while let Some(c) = rest.chars().next() {
            let token = [("UNITCODE", Part::Unit), ("SITECODE", Part::Site), ("YYYY", Part::Year), ("MM", Part::Month)]
                .into_iter()
                .find(|(t, _)| rest.starts_with(t));
            if let Some((t, part)) = token {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                per_year |= part == Part::Year;
                parts.push(part);
                rest = &rest[t.len()..];
            } else if c == 'N' {
                let n = rest.chars().take_while(|&c| c == 'N').count();
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(Part::Counter(n));
                counters += 1;
                rest = &rest[n..];
            } else {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        if counters != 1 {
            return Err(bad("needs exactly one counter run (N, NNNNN …)"));
        }
        Ok(IndexPattern { parts, per_year })
    }

    /// Whether the counter restarts every year (the pattern has `YYYY`).
    pub fn per_year(&self) -> bool {
        self.per_year
    }

    /// The counter's year key for a publication in `year` (0 when not per year).
    pub fn counter_year(&self, year: i32) -> i32 {
        if self.per_year { year } else { 0 }
    }

    /// Renders an index number.
    pub fn render(&self, unit_code: &str, site_code: &str, year: i32, month: u32, n: i64) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Unit => out.push_str(unit_code),
                Part::Site => out.push_str(site_code),
                Part::Year => out.push_str(&format!("{year:04}")),
                Part::Month => out.push_str(&format!("{month:02}")),
                Part::Counter(w) => out.push_str(&format!("{n:0w$}", w = *w)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn patterns() {
        let p = IndexPattern::parse(DEFAULT_PATTERN).unwrap();
        assert!(p.per_year());
        assert_eq!(p.render("jyj", "x", 2025, 1, 42), "jyj/2025-00042");
        assert_eq!(p.render("jyj", "x", 2025, 1, 1_234_567), "jyj/2025-1234567");
        let q = IndexPattern::parse("SITECODE-MM-NNN号").unwrap();
        assert!(!q.per_year());
        assert_eq!(q.counter_year(2025), 0);
        assert_eq!(q.render("u", "site", 2025, 3, 7), "site-03-007号");
        assert!(IndexPattern::parse("NN-NN").is_err());
        assert!(IndexPattern::parse("").is_err());
        assert!(IndexPattern::parse("无为/YYYY").is_err());
    }
}
