//! 同义词 (synonyms): a configurable list applied at query time.
//!
//! File format (`search/synonyms.txt` in the data directory): one group per line,
//! members separated by `~` (`县长信箱 ~ 县长邮箱`); `#` starts a comment. Members are
//! folded, so Traditional and full-width forms work. A query term containing a member
//! also matches the term with that member replaced by each other member of its group.

use std::path::Path;

use sitegroup_text::fold::fold;

use crate::SearchError;

/// Used when the data directory has no synonyms file.
pub const DEFAULT_SYNONYMS: &str = "\
县长信箱 ~ 县长邮箱
书记信箱 ~ 书记邮箱
社保 ~ 社会保险
医保 ~ 医疗保险 ~ 医疗保障
公积金 ~ 住房公积金
低保 ~ 最低生活保障
";

/// Most variants one term expands to.
const MAX_VARIANTS: usize = 8;

/// A parsed synonym list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
}

impl Synonyms {
    /// Parses the file format (see the module docs). Groups with fewer than two members
    /// are ignored.
    ///
    /// ```
    /// use sitegroup_search::Synonyms;
    /// let s = Synonyms::parse("县长信箱 ~ 县长邮箱\n# comment");
    /// assert_eq!(s.variants("县长信箱回复"), vec!["县长信箱回复".to_string(), "县长邮箱回复".to_string()]);
    /// ```
    pub fn parse(text: &str) -> Synonyms {
        let groups = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .map(|l| {
                let mut g: Vec<String> = l
                    .split(['~', '～'])
                    .map(|m| fold(m.trim()).chars().filter(|c| !c.is_whitespace()).collect::<String>())
                    .filter(|m| !m.is_empty())
                    .collect();
                g.dedup();
                g
            })
            .filter(|g| g.len() >= 2)
            .collect();
        Synonyms { groups }
    }

    /// Reads `path`; a missing file gives [`DEFAULT_SYNONYMS`].
    pub fn load(path: &Path) -> Result<Synonyms, SearchError> {
        match std::fs::read_to_string(path) {
            Ok(t) => Ok(Synonyms::parse(t.trim_start_matches('\u{feff}'))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Synonyms::parse(DEFAULT_SYNONYMS)),
            Err(e) => Err(SearchError::io(path, e)),
        }
    }

    /// The groups.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// `term` (folded) and its variants, `term` first.
    pub fn variants(&self, term: &str) -> Vec<String> {
        let mut out = vec![term.to_string()];
        for g in &self.groups {
            for m in g {
                if !term.contains(m.as_str()) {
                    continue;
                }
                for alt in g.iter().filter(|a| *a != m) {
                    let v = term.replacen(m.as_str(), alt, 1);
                    if !out.contains(&v) && out.len() < MAX_VARIANTS {
                        out.push(v);
                    }
                }
            }
        }
        out
    }
}
