//! Content checks (内容检查) run before the confidentiality review.
//!
//! Rules and their severities:
//!
//! | rule | severity | what |
//! |---|---|---|
//! | `prohibited_word` | block | a word of [`CheckConfig::prohibited`] |
//! | `sensitive_word` | warn | a word of [`CheckConfig::sensitive`] (not inside a prohibited match) |
//! | `serious_error` | block | a [`PhraseFix`] `wrong` phrase, or a leader next to a title that is not theirs |
//! | `id_number` | block | a valid mainland ID number (see [`crate::personal`]) |
//! | `bank_card` | block | a Luhn-valid bank card number |
//! | `mobile_number` | warn | a mobile number (offices publish contact mobiles on purpose; the reviewer decides) |
//! | `confidential_marker` | block / warn | see below |
//! | `empty_title`, `empty_body` | block | [`Checker::check_document`] only |
//!
//! Word lists and phrase fixes are matched on [`fold_mapped`] with glosses stripped and
//! separators dropped, on both the list and the text: Traditional/Simplified variants,
//! full-width forms and punctuation or spaces inserted between characters all match. A word
//! made only of ASCII letters/digits must additionally stand alone (no ASCII letter or digit
//! right before or after it in the text), so `ass` does not match in `class`.
//!
//! **Confidentiality markers.** `绝密`, `机密`, `秘密` block when used as a classification
//! mark: followed by `★`/`☆`/`*`; preceded by `密级` (`密级：秘密`); at the start of a line and
//! followed by `级`, a digit, a closing bracket or the end of the line (`秘密 1年`, `机密级`); or
//! with `不得公开` in the next ten characters. Otherwise `绝密`/`机密` warn and a bare `秘密`
//! (`商业秘密`, `国家秘密`, `秘密投票`) gives nothing. The phrases `内部资料`, `内部文件`,
//! `内部使用`, `内部传阅`, `不得外传`, `注意保存` block in a marker position (at the start or end
//! of a line, or on a line of at most 16 characters: a header) and warn elsewhere
//! (`会议内容不得外传` in a news sentence).
//!
//! Offsets are in characters of the input given to the function; `excerpt` is that span of
//! the input (for HTML it may contain tags, e.g. `法<b>轮</b>功`).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::fold::{FoldOptions, fold, fold_mapped};
use crate::html;
use crate::personal::{self, PersonalKind};

pub use crate::personal::{Match, personal_data};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed before review can pass.
    Block,
    /// Shown to the reviewer.
    Warn,
}

/// One problem found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `prohibited_word`, `id_number`, `confidential_marker`.
    pub rule: String,
    /// Block or warn.
    pub severity: Severity,
    /// Start offset in characters of the checked input.
    pub start: usize,
    /// End offset (exclusive) in characters.
    pub end: usize,
    /// The matched text as it appears in the input.
    pub excerpt: String,
    /// What is wrong and what to do, in English for logs (the portal translates `rule`).
    pub message: String,
}

/// A serious-error phrase (严重表述错误): `wrong` must be written `right`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhraseFix {
    /// The erroneous phrase, e.g. `中华人名共和国`.
    pub wrong: String,
    /// The correct phrase, e.g. `中华人民共和国`.
    pub right: String,
}

/// A leader (领导) and one of their correct titles (职务). A leader with several titles has
/// several entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderTitle {
    /// The leader's name, e.g. `张三`.
    pub name: String,
    /// A title they hold, e.g. `副县长`.
    pub title: String,
}

/// Titles recognised next to a leader's name in addition to [`CheckConfig::titles`] and the
/// leaders' own titles.
pub const BUILTIN_TITLES: &[&str] = &[
    "书记",
    "副书记",
    "县委书记",
    "县委副书记",
    "县委常委",
    "常委",
    "县长",
    "副县长",
    "常务副县长",
    "代县长",
    "区长",
    "副区长",
    "市长",
    "副市长",
    "省长",
    "副省长",
    "镇长",
    "副镇长",
    "乡长",
    "副乡长",
    "主任",
    "副主任",
    "局长",
    "副局长",
    "部长",
    "副部长",
    "主席",
    "副主席",
    "秘书长",
    "副秘书长",
    "院长",
    "副院长",
    "检察长",
    "副检察长",
    "党组书记",
    "政委",
    "委员",
    "调研员",
    "处长",
    "副处长",
    "科长",
    "副科长",
    "所长",
    "副所长",
    "站长",
    "副站长",
    "队长",
    "副队长",
];

/// Word lists and rules.
///
/// Plain-text formats (see [`CheckConfig::from_lists`]): one entry per line, `#` starts a
/// comment (at line start, or after whitespace), blank lines are ignored.
/// - word lists: one word or phrase per line;
/// - serious-error rules: `wrong => right` (a phrase fix), `name = title` (a leader; several
///   titles may be separated by `、`, `,` or `，`), `title: 常务副县长` (an extra known title).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckConfig {
    /// Words that block publication.
    pub prohibited: Vec<String>,
    /// Words that warn.
    pub sensitive: Vec<String>,
    /// Phrases that must be written otherwise (block).
    pub phrase_fixes: Vec<PhraseFix>,
    /// Leaders and their correct titles.
    pub leaders: Vec<LeaderTitle>,
    /// Known titles besides [`BUILTIN_TITLES`] and the leaders' titles.
    pub titles: Vec<String>,
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim();
    if t.starts_with('#') {
        return "";
    }
    // A '#' after whitespace starts a comment.
    let bytes = t.as_bytes();
    for (k, b) in bytes.iter().enumerate() {
        if *b == b'#' && k > 0 && (bytes[k - 1] == b' ' || bytes[k - 1] == b'\t') {
            return t[..k].trim();
        }
    }
    t
}

fn has_letters(s: &str) -> bool {
    !fold_mapped(s, FoldOptions::MATCHING).text.is_empty()
}

fn parse_words(list: &str, name: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for (k, raw) in list.lines().enumerate() {
        let line = strip_comment(raw);
        if line.is_empty() {
            continue;
        }
        if !has_letters(line) {
            return Err(Error::Config {
                list: name.to_string(),
                line: k + 1,
                message: format!("entry {line:?} has no letters or digits"),
            });
        }
        out.push(line.to_string());
    }
    Ok(out)
}

impl CheckConfig {
    /// Parses the three plain-text lists (see the type docs for the format). An error names
    /// the list (`prohibited`, `sensitive`, `serious`) and the 1-based line.
    pub fn from_lists(prohibited: &str, sensitive: &str, serious: &str) -> Result<CheckConfig, Error> {
        let mut config = CheckConfig {
            prohibited: parse_words(prohibited, "prohibited")?,
            sensitive: parse_words(sensitive, "sensitive")?,
            ..CheckConfig::default()
        };
        config.parse_serious(serious)?;
        Ok(config)
    }

    /// Parses serious-error rules and adds them to this config.
    pub fn parse_serious(&mut self, serious: &str) -> Result<(), Error> {
        for (k, raw) in serious.lines().enumerate() {
            let line = strip_comment(raw);
            if line.is_empty() {
                continue;
            }
            let err = |message: String| Error::Config { list: "serious".to_string(), line: k + 1, message };
            if let Some((wrong, right)) = line.split_once("=>") {
                let (wrong, right) = (wrong.trim(), right.trim());
                if !has_letters(wrong) || right.is_empty() {
                    return Err(err(format!("expected `wrong => right`, got {line:?}")));
                }
                self.phrase_fixes.push(PhraseFix { wrong: wrong.to_string(), right: right.to_string() });
            } else if let Some(rest) = line.strip_prefix("title:").or_else(|| line.strip_prefix("title：")) {
                let mut any = false;
                for t in split_titles(rest) {
                    self.titles.push(t.to_string());
                    any = true;
                }
                if !any {
                    return Err(err(format!("expected `title: TITLE`, got {line:?}")));
                }
            } else if let Some((name, titles)) = line.split_once(['=', '＝']) {
                let name = name.trim();
                if !has_letters(name) {
                    return Err(err(format!("expected `name = title`, got {line:?}")));
                }
                let mut any = false;
                for t in split_titles(titles) {
                    self.leaders.push(LeaderTitle { name: name.to_string(), title: t.to_string() });
                    any = true;
                }
                if !any {
                    return Err(err(format!("leader {name:?} has no title")));
                }
            } else {
                return Err(err(format!("expected `wrong => right`, `name = title` or `title: TITLE`, got {line:?}")));
            }
        }
        Ok(())
    }
}

fn split_titles(s: &str) -> impl Iterator<Item = &str> {
    s.split(['、', ',', '，']).map(str::trim).filter(|t| has_letters(t))
}

/// A compiled word list: one automaton over folded words.
#[derive(Debug, Clone)]
struct WordSet {
    ac: AhoCorasick,
    /// Per pattern: the word as configured, and whether it is ASCII-only (needs boundaries).
    words: Vec<(String, bool)>,
}

impl WordSet {
    fn build(words: &[String], strict: bool) -> Result<Option<WordSet>, Error> {
        let mut patterns = Vec::new();
        let mut meta = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        for w in words {
            let folded = fold_mapped(w, FoldOptions::MATCHING).text;
            if folded.is_empty() {
                if strict {
                    return Err(Error::Config {
                        list: "words".to_string(),
                        line: 0,
                        message: format!("entry {w:?} has no letters or digits"),
                    });
                }
                continue;
            }
            if seen.insert(folded.clone(), ()).is_some() {
                continue;
            }
            let ascii = folded.chars().all(|c| c.is_ascii_alphanumeric());
            patterns.push(folded);
            meta.push((w.clone(), ascii));
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| Error::Config { list: "words".to_string(), line: 0, message: e.to_string() })?;
        Ok(Some(WordSet { ac, words: meta }))
    }
}

/// A compiled checker. Build it once and share it (`Send + Sync`, cheap to clone).
#[derive(Debug, Clone)]
pub struct Checker {
    prohibited: Option<WordSet>,
    sensitive: Option<WordSet>,
    fixes: Option<WordSet>,
    fix_right: Vec<String>,
    leaders: Option<AhoCorasick>,
    /// Per leader pattern: the folded name and their folded titles.
    leader_titles: Vec<(String, Vec<Vec<char>>)>,
    /// Folded known titles, longest first.
    titles: Vec<Vec<char>>,
}

impl Checker {
    /// Compiles the lists; entries that cannot be used (nothing left after folding) are
    /// skipped. See [`Checker::try_new`] to be told instead.
    pub fn new(config: &CheckConfig) -> Checker {
        Self::build(config, false).unwrap_or_else(|_| Checker::empty())
    }

    /// Compiles the lists, failing on an entry with no letters or digits.
    pub fn try_new(config: &CheckConfig) -> Result<Checker, Error> {
        Self::build(config, true)
    }

    fn empty() -> Checker {
        Checker {
            prohibited: None,
            sensitive: None,
            fixes: None,
            fix_right: Vec::new(),
            leaders: None,
            leader_titles: Vec::new(),
            titles: Vec::new(),
        }
    }

    fn build(config: &CheckConfig, strict: bool) -> Result<Checker, Error> {
        let mut checker = Checker::empty();
        checker.prohibited = WordSet::build(&config.prohibited, strict)?;
        checker.sensitive = WordSet::build(&config.sensitive, strict)?;
        let wrongs: Vec<String> = config.phrase_fixes.iter().map(|f| f.wrong.clone()).collect();
        checker.fixes = WordSet::build(&wrongs, strict)?;
        if let Some(fixes) = &checker.fixes {
            // Map each pattern back to its fix (first fix with that wrong phrase).
            checker.fix_right = fixes
                .words
                .iter()
                .map(|(w, _)| {
                    config.phrase_fixes.iter().find(|f| &f.wrong == w).map(|f| f.right.clone()).unwrap_or_default()
                })
                .collect();
        }
        // Leaders: folded name -> folded titles.
        let mut by_name: Vec<(String, Vec<Vec<char>>)> = Vec::new();
        for l in &config.leaders {
            let name = fold_mapped(&l.name, FoldOptions::MATCHING).text;
            let title: Vec<char> = fold_mapped(&l.title, FoldOptions::MATCHING).text.chars().collect();
            if name.is_empty() || title.is_empty() {
                if strict {
                    return Err(Error::Config {
                        list: "serious".to_string(),
                        line: 0,
                        message: format!("leader {:?} = {:?} is empty after folding", l.name, l.title),
                    });
                }
                continue;
            }
            match by_name.iter_mut().find(|(n, _)| *n == name) {
                Some((_, titles)) => titles.push(title),
                None => by_name.push((name, vec![title])),
            }
        }
        let mut titles: Vec<Vec<char>> = BUILTIN_TITLES
            .iter()
            .map(|t| t.to_string())
            .chain(config.titles.iter().cloned())
            .map(|t| fold_mapped(&t, FoldOptions::MATCHING).text.chars().collect::<Vec<char>>())
            .chain(by_name.iter().flat_map(|(_, ts)| ts.iter().cloned()))
            .filter(|t| !t.is_empty())
            .collect();
        titles.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        titles.dedup();
        checker.titles = titles;
        if !by_name.is_empty() {
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(by_name.iter().map(|(n, _)| n.as_str()))
                .map_err(|e| Error::Config { list: "serious".to_string(), line: 0, message: e.to_string() })?;
            checker.leaders = Some(ac);
            checker.leader_titles = by_name;
        }
        Ok(checker)
    }

    /// Checks a document: empty title/body plus every text rule over title and body.
    /// Offsets of body findings are in characters of `body_text`; title findings use rule
    /// names prefixed `title.` and offsets in characters of `title`.
    pub fn check_document(&self, title: &str, body_text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if title.chars().all(char::is_whitespace) {
            out.push(Finding {
                rule: "empty_title".to_string(),
                severity: Severity::Block,
                start: 0,
                end: title.chars().count(),
                excerpt: title.to_string(),
                message: "the title is empty".to_string(),
            });
        } else {
            out.extend(self.check_text(title).into_iter().map(|mut f| {
                f.rule = format!("title.{}", f.rule);
                f
            }));
        }
        if body_text.chars().all(char::is_whitespace) {
            out.push(Finding {
                rule: "empty_body".to_string(),
                severity: Severity::Block,
                start: 0,
                end: body_text.chars().count(),
                excerpt: body_text.to_string(),
                message: "the body is empty".to_string(),
            });
        } else {
            out.extend(self.check_text(body_text));
        }
        out
    }

    /// Checks plain text; offsets in characters of `text`.
    pub fn check_text(&self, text: &str) -> Vec<Finding> {
        let source: Vec<char> = text.chars().collect();
        let starts: Vec<usize> = (0..source.len()).collect();
        let ends: Vec<usize> = (1..=source.len()).collect();
        self.check_mapped(text, &source, &starts, &ends)
    }

    /// Checks HTML; offsets in characters of the HTML input. Text split by inline tags
    /// (`法<b>轮</b>功`) is checked as one word; entities are decoded; block elements
    /// separate lines; comments, scripts and styles are not checked.
    pub fn check_html(&self, html_input: &str) -> Vec<Finding> {
        let source: Vec<char> = html_input.chars().collect();
        let (text, starts, ends) = html::text_with_offsets(html_input);
        self.check_mapped(&text, &source, &starts, &ends)
    }

    /// `text` is the logical text; its char `i` came from `source[starts[i]..ends[i]]`.
    fn check_mapped(&self, text: &str, source: &[char], starts: &[usize], ends: &[usize]) -> Vec<Finding> {
        let mut raw: Vec<RawFinding> = Vec::new();
        let plain: Vec<char> = fold(text).chars().collect();

        // Word lists and phrase fixes on the matching form.
        if self.prohibited.is_some() || self.sensitive.is_some() || self.fixes.is_some() {
            let folded = fold_mapped(text, FoldOptions::MATCHING);
            let char_of_byte = byte_to_char(&folded.text);
            let mut blocked: Vec<(usize, usize)> = Vec::new();
            if let Some(set) = &self.prohibited {
                for (s, e, k) in word_matches(set, &folded, &char_of_byte, &plain) {
                    blocked.push((s, e));
                    raw.push(RawFinding {
                        rule: "prohibited_word",
                        severity: Severity::Block,
                        start: s,
                        end: e,
                        message: format!("prohibited word {:?}: remove it", set.words[k].0),
                    });
                }
            }
            if let Some(set) = &self.sensitive {
                for (s, e, k) in word_matches(set, &folded, &char_of_byte, &plain) {
                    if blocked.iter().any(|&(bs, be)| bs <= s && e <= be) {
                        continue;
                    }
                    raw.push(RawFinding {
                        rule: "sensitive_word",
                        severity: Severity::Warn,
                        start: s,
                        end: e,
                        message: format!("sensitive word {:?}: check the wording", set.words[k].0),
                    });
                }
            }
            if let Some(set) = &self.fixes {
                for (s, e, k) in word_matches(set, &folded, &char_of_byte, &plain) {
                    let right = self.fix_right.get(k).map(String::as_str).unwrap_or("");
                    raw.push(RawFinding {
                        rule: "serious_error",
                        severity: Severity::Block,
                        start: s,
                        end: e,
                        message: format!("{:?} should be written {:?}", set.words[k].0, right),
                    });
                }
            }
        }

        if let Some(ac) = &self.leaders {
            self.leader_findings(ac, text, &mut raw);
        }

        for m in personal::personal_data_in(&plain) {
            let severity = match m.kind {
                PersonalKind::MobileNumber => Severity::Warn,
                PersonalKind::IdNumber | PersonalKind::BankCard => Severity::Block,
            };
            let what = match m.kind {
                PersonalKind::IdNumber => "an ID number",
                PersonalKind::MobileNumber => "a mobile number",
                PersonalKind::BankCard => "a bank card number",
            };
            raw.push(RawFinding {
                rule: m.kind.rule(),
                severity,
                start: m.start,
                end: m.end,
                message: format!("personal data: {what}; remove or mask it"),
            });
        }

        confidential_markers(&plain, &mut raw);

        let mut out: Vec<Finding> = raw
            .into_iter()
            .filter(|f| f.start < f.end && f.end <= starts.len())
            .map(|f| {
                let start = starts[f.start];
                let end = ends[f.end - 1].max(start);
                Finding {
                    rule: f.rule.to_string(),
                    severity: f.severity,
                    start,
                    end,
                    excerpt: source[start.min(source.len())..end.min(source.len())].iter().collect(),
                    message: f.message,
                }
            })
            .collect();
        out.sort_by(|a, b| (a.start, a.end, &a.rule).cmp(&(b.start, b.end, &b.rule)));
        out.dedup();
        out
    }

    fn leader_findings(&self, ac: &AhoCorasick, text: &str, raw: &mut Vec<RawFinding>) {
        let folded = fold_mapped(text, FoldOptions { strip_glosses: true, drop_separators: false });
        let chars: Vec<char> = folded.text.chars().collect();
        let char_of_byte = byte_to_char(&folded.text);
        for m in ac.find_iter(&folded.text) {
            let (s, e) = (char_of_byte[m.start()], char_of_byte[m.end()]);
            let (name, own) = &self.leader_titles[m.pattern().as_usize()];
            // The title right after the name (spaces allowed).
            let mut after = e;
            while after < chars.len() && after - e < 2 && chars[after].is_whitespace() {
                after += 1;
            }
            if let Some(t) = self.titles.iter().find(|t| chars[after..].starts_with(t))
                && !compatible(t, own)
            {
                let end = after + t.len();
                raw.push(leader_finding(name, t, own, folded.to_original[s], folded.to_original[end - 1] + 1));
            }
            // The title right before the name.
            let mut before = s;
            while before > 0 && s - before < 2 && chars[before - 1].is_whitespace() {
                before -= 1;
            }
            if let Some(t) = self.titles.iter().find(|t| chars[..before].ends_with(t))
                && !compatible(t, own)
            {
                let start = before - t.len();
                raw.push(leader_finding(name, t, own, folded.to_original[start], folded.to_original[e - 1] + 1));
            }
        }
    }
}

/// A title written next to a leader is compatible with their titles when it is one of them,
/// or a shortened form that drops an organ qualifier but not a rank (`书记` for `县委书记` is
/// fine; `县长` for `副县长` is not).
fn compatible(written: &[char], own: &[Vec<char>]) -> bool {
    own.iter()
        .any(|t| t.as_slice() == written || (t.ends_with(written) && !t[..t.len() - written.len()].contains(&'副')))
}

fn leader_finding(name: &str, written: &[char], own: &[Vec<char>], start: usize, end: usize) -> RawFinding {
    let written: String = written.iter().collect();
    let own: Vec<String> = own.iter().map(|t| t.iter().collect()).collect();
    RawFinding {
        rule: "serious_error",
        severity: Severity::Block,
        start,
        end,
        message: format!("{name} is {} , not {written}", own.join("/")),
    }
}

struct RawFinding {
    rule: &'static str,
    severity: Severity,
    /// Char offsets in the logical text.
    start: usize,
    end: usize,
    message: String,
}

/// For each byte offset of `s` that starts a char (and `s.len()`), the char index.
fn byte_to_char(s: &str) -> Vec<usize> {
    let mut map = vec![0usize; s.len() + 1];
    let mut count = 0;
    for (b, c) in s.char_indices() {
        for slot in &mut map[b..b + c.len_utf8()] {
            *slot = count;
        }
        count += 1;
    }
    map[s.len()] = count;
    map
}

/// Matches of a word set in folded text: (start, end) in chars of the logical text, pattern.
fn word_matches(
    set: &WordSet,
    folded: &crate::fold::Folded,
    char_of_byte: &[usize],
    plain: &[char],
) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for m in set.ac.find_iter(&folded.text) {
        let (fs, fe) = (char_of_byte[m.start()], char_of_byte[m.end()]);
        let Some((s, e)) = folded.original_span(fs, fe) else { continue };
        let k = m.pattern().as_usize();
        if set.words[k].1 {
            let before_ok = s == 0 || !plain[s - 1].is_ascii_alphanumeric();
            let after_ok = e >= plain.len() || !plain[e].is_ascii_alphanumeric();
            if !before_ok || !after_ok {
                continue;
            }
        }
        out.push((s, e, k));
    }
    out
}

const LEVELS: &[&str] = &["绝密", "机密", "秘密"];
const PHRASES: &[&str] = &["内部资料", "内部文件", "内部使用", "内部传阅", "不得外传", "注意保存"];

fn confidential_markers(plain: &[char], raw: &mut Vec<RawFinding>) {
    let n = plain.len();
    let at = |i: usize, w: &str| -> bool { w.chars().enumerate().all(|(k, c)| plain.get(i + k) == Some(&c)) };
    let line_start = |i: usize| (0..i).rev().find(|&k| plain[k] == '\n').map_or(0, |k| k + 1);
    let line_end = |i: usize| (i..n).find(|&k| plain[k] == '\n').unwrap_or(n);
    let opening = |c: char| c.is_whitespace() || matches!(c, '【' | '[' | '(' | '（' | '★' | '☆' | '*' | '〔');
    let closing = |c: char| c.is_whitespace() || matches!(c, '】' | ']' | ')' | '）' | '★' | '☆' | '*' | '〕');
    let mut i = 0;
    while i < n {
        if let Some(level) = LEVELS.iter().find(|w| at(i, w)) {
            let end = i + 2;
            let ls = line_start(i);
            let le = line_end(end);
            let next = (end..le).find(|&k| !matches!(plain[k], ' ' | '\t'));
            let next_c = next.map(|k| plain[k]);
            let star = matches!(next_c, Some('★' | '☆' | '*'));
            let mut p = i;
            while p > ls && matches!(plain[p - 1], ' ' | '\t' | ':' | '：') {
                p -= 1;
            }
            let after_miji = p >= ls + 2 && at(p - 2, "密级");
            let at_line_start = plain[ls..i].iter().all(|&c| opening(c));
            let level_like =
                next_c.is_none_or(|c| c == '级' || c.is_ascii_digit() || matches!(c, ')' | '）' | '】' | ']'));
            let not_public = (end..(end + 12).min(le)).any(|k| at(k, "不得公开"));
            let block = star || after_miji || (at_line_start && level_like) || not_public;
            if block {
                raw.push(RawFinding {
                    rule: "confidential_marker",
                    severity: Severity::Block,
                    start: i,
                    end,
                    message: format!("classification mark {level:?}: classified material must not be published"),
                });
            } else if *level != "秘密" {
                raw.push(RawFinding {
                    rule: "confidential_marker",
                    severity: Severity::Warn,
                    start: i,
                    end,
                    message: format!("{level:?} appears: make sure no classified material is published"),
                });
            }
            i = end;
            continue;
        }
        if let Some(phrase) = PHRASES.iter().find(|w| at(i, w)) {
            let end = i + phrase.chars().count();
            let ls = line_start(i);
            let le = line_end(end);
            let at_start = plain[ls..i].iter().all(|&c| opening(c));
            let at_end = plain[end..le].iter().all(|&c| closing(c));
            let line_len = plain[ls..le].iter().filter(|c| !c.is_whitespace()).count();
            let block = at_start || at_end || line_len <= 16;
            raw.push(RawFinding {
                rule: "confidential_marker",
                severity: if block { Severity::Block } else { Severity::Warn },
                start: i,
                end,
                message: if block {
                    format!("marker {phrase:?}: internal material must not be published")
                } else {
                    format!("{phrase:?} appears: make sure no internal material is published")
                },
            });
            i = end;
            continue;
        }
        i += 1;
    }
}
