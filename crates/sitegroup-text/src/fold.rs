//! Folding (归一化): one canonical form of Chinese text for matching and search.
//!
//! [`fold`] maps every character to exactly one character, so a position in the folded
//! text is the same position in the original:
//! - per-character NFKC when it yields exactly one character (full-width digits, letters
//!   and punctuation become ASCII, U+3000 becomes a space, CJK compatibility ideographs
//!   become unified ones); characters whose NFKC form is longer (`⑴`, `…`) stay as they are;
//! - ASCII lowercase;
//! - Traditional → Simplified with zhconv's OpenCC tables plus pairs OpenCC leaves alone
//!   (`於`→`于`, `乾`→`干`, Taiwan `著`→`着` …), for mainland, Taiwan and Hong Kong forms
//!   alike, **one character at a time and free of context** (only single-character pairs
//!   are kept when the converter is built, so `乾隆` folds to `干隆` on both sides of a
//!   search and a substring of folded text folds to itself), and the result is checked, so the
//!   output always has as many characters as the input.
//!
//! [`fold_mapped`] additionally removes pinyin glosses (`優(yōu)秀` → `优秀`) and, for
//! evasion-resistant matching, every character that is not a letter or digit
//! (`法 轮-功`, `法．輪．功` → `法轮功`), and records for each output character the index
//! of the original character it came from.

use std::sync::OnceLock;

use zhconv::{Variant, ZhConverter, ZhConverterBuilder, get_builtin_tables};

/// Pairs the OpenCC Traditional→Simplified tables leave alone, plus phrase exceptions
/// that keep a character where converting it would be wrong (leftmost-longest matching
/// lets the phrase win over the single character).
const EXTRA_PAIRS: &[(&str, &str)] = &[
    ("於", "于"),
    ("乾", "干"),
    ("衞", "卫"),
    ("祕", "秘"),
    ("隷", "隶"),
    ("麽", "么"),
    ("枱", "台"),
    ("徵", "征"),
    // Taiwan and Hong Kong write 著 for the aspect particle 着 (著名 folds to 着名 as well:
    // folding is for matching, context-free, and never shown).
    ("著", "着"),
];

fn converter() -> &'static ZhConverter {
    static CONVERTER: OnceLock<ZhConverter> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        let builder = ZhConverterBuilder::new()
            .target(Variant::ZhHans)
            .tables(get_builtin_tables(Variant::ZhHans))
            .conv_pairs(EXTRA_PAIRS.iter().copied());
        // Keep only single-character pairs: folding is one character for one AND free of
        // context, so folding a substring of folded text changes nothing. (Phrase pairs
        // such as 乾隆 or 著名 would fold a character differently at the edge of a query
        // than inside the document, and a search for a substring would miss it.) Folding
        // is for matching only; what people read is always the original text.
        let pairs: Vec<(String, String)> = builder
            .build_mapping()
            .into_iter()
            .filter(|(from, to)| from.chars().count() == 1 && to.chars().count() == 1)
            .collect();
        ZhConverterBuilder::new().target(Variant::ZhHans).conv_pairs(pairs).build()
    })
}

/// Builds the shared converter now (it is otherwise built on first use, ~30 ms).
pub fn warm_up() {
    let _ = converter();
}

/// Folds one character by width (NFKC when it yields exactly one character) and ASCII case.
#[inline]
pub fn fold_width_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // CJK unified ideographs (the bulk of Chinese text) have no decomposition.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return c;
    }
    let mut buf = ['\0'; 4];
    let mut n = 0usize;
    let mut overflow = false;
    unicode_normalization::char::decompose_compatible(c, |d| {
        if n < buf.len() {
            buf[n] = d;
            n += 1;
        } else {
            overflow = true;
        }
    });
    if overflow || n == 0 {
        return c;
    }
    // Canonical composition of the decomposed sequence (NFKC = NFKD + compose).
    let mut first = buf[0];
    for &next in &buf[1..n] {
        match unicode_normalization::char::compose(first, next) {
            Some(composed) => first = composed,
            None => return c,
        }
    }
    first.to_ascii_lowercase()
}

/// Folds `text` one character for one: width (NFKC per character), ASCII case and
/// Traditional → Simplified. The result has exactly as many characters as `text`.
///
/// ```
/// use sitegroup_text::fold::fold;
/// assert_eq!(fold("政府網站"), "政府网站");
/// assert_eq!(fold("０１２ＡＢ"), "012ab");
/// ```
pub fn fold(text: &str) -> String {
    let mut width = String::with_capacity(text.len());
    width.extend(text.chars().map(fold_width_char));
    convert_preserving(&width)
}

/// Traditional → Simplified conversion that never changes the character count.
fn convert_preserving(text: &str) -> String {
    // ASCII has nothing to convert.
    if text.is_ascii() {
        return text.to_string();
    }
    let conv = converter();
    let out = conv.convert(text);
    if out.chars().count() == text.chars().count() {
        return out;
    }
    // Unreachable with the filtered tables, but keep the invariant whatever zhconv does:
    // convert character by character, keeping a character whose conversion is not one char.
    let mut result = String::with_capacity(text.len());
    let mut buf = String::new();
    let mut one = [0u8; 4];
    for c in text.chars() {
        buf.clear();
        conv.convert_to(c.encode_utf8(&mut one), &mut buf);
        let mut it = buf.chars();
        match (it.next(), it.next()) {
            (Some(d), None) => result.push(d),
            _ => result.push(c),
        }
    }
    result
}

/// What [`fold_mapped`] removes besides folding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FoldOptions {
    /// Remove pinyin glosses embedded after a Han character (`優(yōu)秀`, `發（fā）布`).
    pub strip_glosses: bool,
    /// Drop every character that is not a letter or digit (whitespace, punctuation,
    /// symbols), so `法 轮-功` and `法．輪．功` fold to `法轮功`.
    pub drop_separators: bool,
}

impl FoldOptions {
    /// Both removals on: the form used for word lists and search matching.
    pub const MATCHING: FoldOptions = FoldOptions { strip_glosses: true, drop_separators: true };
}

/// Folded text with the way back to the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each character of `text`, the index of the character of the original it came
    /// from (strictly increasing).
    pub to_original: Vec<usize>,
}

impl Folded {
    /// The original character span `[start, end)` of the folded character span
    /// `[start, end)`. `None` when the span is empty or out of range.
    pub fn original_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.to_original.len() {
            return None;
        }
        Some((self.to_original[start], self.to_original[end - 1] + 1))
    }
}

/// Is `c` a Han ideograph (CJK unified, extensions, compatibility)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x323AF)
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || matches!(c, 'ü') || is_toned_vowel(c)
}

fn is_toned_vowel(c: char) -> bool {
    matches!(
        c,
        'ā' | 'á'
            | 'ǎ'
            | 'à'
            | 'ē'
            | 'é'
            | 'ě'
            | 'è'
            | 'ī'
            | 'í'
            | 'ǐ'
            | 'ì'
            | 'ō'
            | 'ó'
            | 'ǒ'
            | 'ò'
            | 'ū'
            | 'ú'
            | 'ǔ'
            | 'ù'
            | 'ǖ'
            | 'ǘ'
            | 'ǚ'
            | 'ǜ'
            | 'ń'
            | 'ň'
            | 'ǹ'
            | 'ḿ'
    )
}

/// Length in chars of a pinyin gloss starting at `chars[i]` (an opening parenthesis),
/// or 0. A gloss is `(` or `（`, one to six lowercase pinyin letters with at least one
/// tone mark, then `)` or `）`.
fn gloss_len(chars: &[char], i: usize) -> usize {
    if !matches!(chars.get(i), Some('(' | '（')) {
        return 0;
    }
    let mut j = i + 1;
    let mut toned = false;
    while let Some(&c) = chars.get(j) {
        if !is_pinyin_letter(c) || j - i > 6 {
            break;
        }
        toned |= is_toned_vowel(c);
        j += 1;
    }
    if j == i + 1 || !toned || !matches!(chars.get(j), Some(')' | '）')) {
        return 0;
    }
    j + 1 - i
}

/// Is `c` (already width-folded) a separator that [`FoldOptions::drop_separators`] drops?
#[inline]
pub fn is_separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// Folds `text` like [`fold`], optionally removing glosses and separators, and records
/// where each folded character came from.
pub fn fold_mapped(text: &str, options: FoldOptions) -> Folded {
    let mut kept = String::with_capacity(text.len());
    let mut to_original = Vec::with_capacity(text.len());
    if options.strip_glosses {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if i > 0 && is_han(chars[i - 1]) {
                let n = gloss_len(&chars, i);
                if n > 0 {
                    i += n;
                    continue;
                }
            }
            push_kept(c, i, options, &mut kept, &mut to_original);
            i += 1;
        }
    } else {
        for (i, c) in text.chars().enumerate() {
            push_kept(c, i, options, &mut kept, &mut to_original);
        }
    }
    Folded { text: convert_preserving(&kept), to_original }
}

#[inline]
fn push_kept(c: char, i: usize, options: FoldOptions, kept: &mut String, to_original: &mut Vec<usize>) {
    let w = fold_width_char(c);
    if options.drop_separators && is_separator(w) {
        return;
    }
    kept.push(w);
    to_original.push(i);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn folds_traditional_and_width() {
        assert_eq!(fold("政府網站"), "政府网站");
        assert_eq!(fold("關於"), "关于");
        assert_eq!(fold("０１２ＡＢ"), "012ab");
        // Context-free: 乾 folds the same everywhere, so 乾隆 and 乾净 match their queries
        // whichever character a substring starts or ends on.
        assert_eq!(fold("乾隆"), "干隆");
        assert_eq!(fold("乾淨"), "干净");
        assert_eq!(fold("\u{3000}"), " ");
    }

    #[test]
    fn regional_forms_agree() {
        for (a, b) in [
            ("裡面", "裏面"),
            ("臺灣", "台湾"),
            ("爲人民", "為人民"),
            ("綫路", "線路"),
            ("看著", "看着"),
            ("衞生", "衛生"),
        ] {
            assert_eq!(fold(a), fold(b), "{a} vs {b}");
        }
        assert_eq!(fold("著名"), fold("着名"));
    }

    #[test]
    fn folding_a_substring_of_folded_text_changes_nothing() {
        // The search crate's substring-recall guarantee rests on this: a query cut from a
        // document folds to exactly the document's folded characters.
        for text in ["的學術著作和乾隆年間的著名論著", "看著顯著的變化，乾淨的街道", "關於臺灣著者"]
        {
            let folded: Vec<char> = fold(text).chars().collect();
            for i in 0..folded.len() {
                for j in i + 1..=folded.len() {
                    let sub: String = folded[i..j].iter().collect();
                    assert_eq!(fold(&sub), sub, "{text}[{i}..{j}]");
                }
            }
        }
    }

    #[test]
    fn mapped_strips_glosses_and_separators() {
        let f = fold_mapped("優(yōu)秀企業（yè）", FoldOptions::MATCHING);
        assert_eq!(f.text, "优秀企业");
        assert_eq!(f.to_original, vec![0, 6, 7, 8]);
        let f = fold_mapped("法 轮-功，法．輪．功", FoldOptions::MATCHING);
        assert_eq!(f.text, "法轮功法轮功");
        assert_eq!(f.original_span(3, 6), Some((6, 11)));
        // A parenthesis that is not a gloss stays (and is a separator only when asked).
        let f = fold_mapped("信息(政務)", FoldOptions { strip_glosses: true, drop_separators: false });
        assert_eq!(f.text, "信息(政务)");
    }
}
