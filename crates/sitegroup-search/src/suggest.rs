//! Pinyin (拼音) and as-you-type suggestions.
//!
//! Every title is indexed in the `suggest` field as raw terms
//! `{scope}\u{1}{key}\u{1}{display}` where scope is `g` (group) or the site id, key is
//! the full pinyin (`wuweixian`), the initials (`wwx`) or the folded Han form (`无为县`)
//! of the whole title and of each of its words, and display is what to show. A prefix
//! is answered by a range scan of the term dictionary (no document is read), ranked by
//! document frequency. Names of sites and columns are not documents: the caller passes
//! them as [`NameEntry`]s.

use std::collections::HashMap;

use jieba_rs::Jieba;
use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};
use sitegroup_text::fold::{fold, is_han};
use tantivy::Term;

use crate::SearchError;
use crate::index::{SEP, SearchIndex};

/// Longest title indexed whole for suggestions, in characters.
const MAX_TITLE_CHARS: usize = 30;

/// Full pinyin and initials of `text` (letters and digits kept as they are), or `None`
/// when it holds no Han character with a known reading.
///
/// ```
/// use sitegroup_search::suggest::pinyin_keys;
/// assert_eq!(pinyin_keys("无为县"), Some(("wuweixian".to_string(), "wwx".to_string())));
/// ```
pub fn pinyin_keys(text: &str) -> Option<(String, String)> {
    let mut full = String::new();
    let mut initials = String::new();
    let mut any = false;
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
                any = true;
            }
            None if c.is_ascii_alphanumeric() => {
                full.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    any.then_some((full, initials))
}

/// Keys of one entry: folded Han form; initials (≥ 2 letters, at most 12); full pinyin
/// for entries of at most 8 characters (nobody types the pinyin of a whole title).
fn keys_of(folded: &str) -> Vec<String> {
    let mut keys = vec![folded.to_string()];
    if let Some((full, initials)) = pinyin_keys(folded) {
        if folded.chars().count() <= 8 {
            keys.push(full);
        }
        if (2..=12).contains(&initials.chars().count()) {
            keys.push(initials);
        }
    }
    keys
}

/// The suggestion terms of a title of `site`: the whole title (up to 30 characters) and
/// its words of 2–8 characters, each under the group scope and the site's.
pub(crate) fn suggestion_terms(jieba: &Jieba, title: &str, site: i64) -> Vec<String> {
    let title = title.trim();
    if title.is_empty() {
        return Vec::new();
    }
    let folded = fold(title);
    let mut entries: Vec<(String, String)> = Vec::new();
    if folded.chars().count() <= MAX_TITLE_CHARS {
        entries.push((folded.clone(), title.to_string()));
    }
    for w in jieba.cut(&folded, false) {
        if (2..=8).contains(&w.word.chars().count()) && w.word.chars().any(is_han) {
            entries.push((w.word.to_string(), w.word.to_string()));
        }
    }
    entries.sort();
    entries.dedup();
    let site = site.to_string();
    let mut out = Vec::with_capacity(entries.len() * 6);
    for (key_form, display) in entries {
        for key in keys_of(&key_form) {
            for scope in ["g", site.as_str()] {
                out.push(format!("{scope}{SEP}{key}{SEP}{display}"));
            }
        }
    }
    out
}

/// A name to suggest besides titles: a site, a column, a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameEntry {
    /// `site`, `column`, `service` …
    pub kind: String,
    /// The name shown.
    pub name: String,
    /// The site it belongs to (a site's own id for a site).
    pub site: Option<i64>,
    /// Where it leads.
    pub url: Option<String>,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The text to show and to search for.
    pub text: String,
    /// `site`, `column`, `service` (names) or `title`, `term` (from documents).
    pub kind: String,
    /// The site, when known.
    pub site: Option<i64>,
    /// Where it leads, when known (names).
    pub url: Option<String>,
}

/// Normalises what the user typed: folded, spaces removed.
fn normalise_prefix(prefix: &str) -> String {
    fold(prefix).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Does a name match the typed prefix (Han prefix, pinyin prefix, initials prefix)?
pub fn name_matches(name: &str, prefix: &str) -> bool {
    let p = normalise_prefix(prefix);
    if p.is_empty() {
        return false;
    }
    keys_of(&fold(name)).iter().any(|k| k.starts_with(&p)) || fold(name).contains(&p)
}

/// Terms of the suggest field starting with `prefix` in `scope`: `(key, display, live
/// documents)`, most documents first. At most `max_terms` dictionary terms are read; only
/// the best `keep` are checked against deleted documents.
pub(crate) fn prefix_terms(
    index: &SearchIndex,
    scope: &str,
    prefix: &str,
    max_terms: usize,
    keep: usize,
) -> Result<Vec<(String, String, u32)>, SearchError> {
    let start = format!("{scope}{SEP}{prefix}");
    let searcher = index.reader.searcher();
    let mut found: HashMap<String, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(index.fields.suggest)?;
        let mut stream = inverted.terms().range().ge(start.as_bytes()).into_stream()?;
        let mut n = 0;
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
            if !term.starts_with(&start) || n >= max_terms {
                break;
            }
            n += 1;
            *found.entry(term.to_string()).or_insert(0) += stream.value().doc_freq;
        }
    }
    let mut terms: Vec<(String, u32)> = found.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    terms.truncate(keep);
    let mut out = Vec::new();
    for (term, df) in terms {
        // Deleted documents still count in the dictionary: count live ones.
        let mut live = df;
        if searcher.segment_readers().iter().any(|s| s.num_deleted_docs() > 0) {
            live = 0;
            let t = Term::from_field_text(index.fields.suggest, &term);
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(index.fields.suggest)?;
                if let Some(mut p) = inverted.read_postings(&t, tantivy::schema::IndexRecordOption::Basic)? {
                    use tantivy::DocSet;
                    let mut d = p.doc();
                    while d != tantivy::TERMINATED {
                        if !segment.is_deleted(d) {
                            live += 1;
                        }
                        d = p.advance();
                    }
                }
            }
        }
        if live == 0 {
            continue;
        }
        let mut parts = term.splitn(3, SEP);
        let (_, key, display) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        out.push((key.to_string(), display.to_string(), live));
    }
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.chars().count().cmp(&b.1.chars().count())).then(a.1.cmp(&b.1)));
    Ok(out)
}

/// As-you-type suggestions for `prefix` (Han, pinyin or initials): matching `names`
/// first, then words and titles of documents in `scope` (a site, or the group).
pub fn suggest(
    index: &SearchIndex,
    names: &[NameEntry],
    prefix: &str,
    scope: Option<i64>,
    limit: usize,
) -> Result<Vec<Suggestion>, SearchError> {
    let p = normalise_prefix(prefix);
    let limit = limit.clamp(1, 50);
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Suggestion> = names
        .iter()
        .filter(|n| scope.is_none() || n.site == scope || n.kind == "site")
        .filter(|n| name_matches(&n.name, &p))
        .take(limit)
        .map(|n| Suggestion { text: n.name.clone(), kind: n.kind.clone(), site: n.site, url: n.url.clone() })
        .collect();
    let scope_key = scope.map_or_else(|| "g".to_string(), |s| s.to_string());
    let terms = prefix_terms(index, &scope_key, &p, 20_000, limit * 8)?;
    // Words (short) before whole titles, each by popularity.
    let mut words: Vec<&(String, String, u32)> = terms.iter().collect();
    words.sort_by_key(|t| (t.1.chars().count() > 8, std::cmp::Reverse(t.2)));
    for (_, display, _) in words {
        if out.len() >= limit {
            break;
        }
        if out.iter().any(|s| fold(&s.text) == fold(display)) {
            continue;
        }
        let kind = if display.chars().count() > 8 { "title" } else { "term" };
        out.push(Suggestion { text: display.clone(), kind: kind.into(), site: scope, url: None });
    }
    Ok(out)
}

/// The best Han word whose full pinyin or initials equal `letters` (did-you-mean for
/// pinyin typed into the search box).
pub(crate) fn pinyin_word(index: &SearchIndex, letters: &str) -> Result<Option<String>, SearchError> {
    // Exactly `letters` as the key: the range starts at `letters` + separator.
    let terms = prefix_terms(index, "g", &format!("{letters}{SEP}"), 20_000, 200)?;
    Ok(terms.into_iter().find(|(key, display, _)| key == letters && display.chars().count() <= 12).map(|t| t.1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_county() {
        assert_eq!(pinyin_keys("无为县"), Some(("wuweixian".into(), "wwx".into())));
        assert_eq!(pinyin_keys("abc"), None);
        assert!(name_matches("无为县教育局", "wuwei"));
        assert!(name_matches("无为县教育局", "wwxjyj"));
        assert!(name_matches("無為縣教育局", "无为"));
        assert!(!name_matches("无为县教育局", "xyz"));
    }
}
