//! Chinese analysis (分词与归一化), the same at index and query time.
//!
//! Every analyzer first folds the text with [`sitegroup_text::fold::fold_mapped`]
//! (width, case, Traditional → Simplified incl. Taiwan/Hong Kong forms, pinyin glosses
//! removed) and keeps the map back to the original, so every token's byte offsets point
//! into the ORIGINAL text (Traditional, full-width, glossed) and positions never go
//! backwards.
//!
//! - [`ZH_WORDS`]: jieba search-mode segmentation of the folded text, without HMM (no
//!   guessing of unknown words: ranking only, recall comes from the ngrams; the query
//!   side segments with the same function). Tokens without a letter or digit
//!   (punctuation, spaces) are dropped; ASCII is lowercased by folding. Positions are the
//!   folded char index of the token's start. Used for titles.
//! - [`ZH_NGRAM`]: the recall field. For every Han character the bigram starting there,
//!   at the character's position, or, for the last character of a Han run, its unigram
//!   (one token per character: half the postings of unigrams + bigrams); every run of
//!   other letters and digits (`2024`, `gb`, `12`) is one token. Separators produce
//!   nothing and do not advance the position, so `无政〔2024〕12号` and the query
//!   `无政2024` agree. A run of n ≥ 2 Han characters is found as the phrase of its n − 1
//!   bigrams. A lone character is found by the prefix of its terms (its unigram and every
//!   bigram it starts); inside a phrase a lone character is followed by a non-Han token,
//!   so in any matching text it ends a run and has its unigram there, except as the
//!   phrase's last token, which is matched as a prefix.
//!
//! **Fold once.** The indexer tokenizes a title for its word field and for two ngram
//! fields; [`analyzed`] keeps the last analyses of the thread (compared by content), so
//! each value is folded once. Token streams fill one reused token (no allocation per
//! token).

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use sitegroup_text::fold::{FoldOptions, Folded, fold_mapped, is_han};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name of the jieba word tokenizer registered on every index.
pub const ZH_WORDS: &str = "zh_words";
/// Name of the unigram + bigram tokenizer registered on every index.
pub const ZH_NGRAM: &str = "zh_ngram";

/// Place and unit names of the county (and terms of the trade) added to jieba's
/// dictionary so they stay whole words.
pub const EXTRA_WORDS: &[&str] = &[
    "无为县",
    "无为市",
    "无城镇",
    "高沟镇",
    "襄安镇",
    "石涧镇",
    "严桥镇",
    "开城镇",
    "蜀山镇",
    "牛埠镇",
    "刘渡镇",
    "姚沟镇",
    "泥汊镇",
    "福渡镇",
    "泉塘镇",
    "赫店镇",
    "红庙镇",
    "昆山镇",
    "洪巷镇",
    "陡沟镇",
    "鹤毛乡",
    "十里墩乡",
    "芜湖市",
    "巢湖市",
    "安徽省",
    "县政府",
    "县委",
    "县直部门",
    "县长信箱",
    "县长邮箱",
    "书记信箱",
    "政务公开",
    "信息公开",
    "政府信息公开",
    "依申请公开",
    "政府网站",
    "网站群",
    "一站式",
    "教育局",
    "财政局",
    "卫健委",
    "人社局",
    "民政局",
    "公安局",
    "农业农村局",
    "自然资源局",
    "生态环境分局",
    "住建局",
    "交通运输局",
    "市场监管局",
    "应急管理局",
    "医保局",
    "统计局",
    "审计局",
    "政务服务",
    "一网通办",
    "放管服",
    "营商环境",
    "乡村振兴",
    "低保",
    "医疗保障",
    "义务教育",
    "城乡居民",
    "国脉电子政务网",
    "电子政务",
    "绩效评估",
    "索引号",
    "发文字号",
];

/// The shared segmenter: jieba's dictionary plus [`EXTRA_WORDS`], loaded once per
/// process (~380 ms in debug builds) and shared by every tokenizer clone.
pub fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    Arc::clone(JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        for w in EXTRA_WORDS {
            j.add_word(w, Some(2000), None);
        }
        Arc::new(j)
    }))
}

/// Folding used by search: glosses removed, separators kept (they break runs).
const OPTIONS: FoldOptions = FoldOptions { strip_glosses: true, drop_separators: false };

/// Folded text with the byte offsets of the original's characters.
#[derive(Debug, Clone)]
pub struct Analyzed {
    /// The folded text and the char map back to the original.
    pub folded: Folded,
    /// The folded characters.
    pub chars: Vec<char>,
    /// Byte offset of each original character, plus the original's length at the end.
    pub original_bytes: Vec<usize>,
}

impl Analyzed {
    /// Folds `text` for search.
    pub fn new(text: &str) -> Analyzed {
        let folded = fold_mapped(text, OPTIONS);
        let chars: Vec<char> = folded.text.chars().collect();
        let mut original_bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        original_bytes.push(text.len());
        Analyzed { folded, chars, original_bytes }
    }

    /// Byte span in the original of the folded char span `[start, end)`.
    pub fn original_bytes_of(&self, start: usize, end: usize) -> (usize, usize) {
        match self.folded.original_span(start, end) {
            Some((a, b)) => {
                let from = self.original_bytes.get(a).copied().unwrap_or(0);
                let to = self.original_bytes.get(b).copied().unwrap_or(from);
                (from, to)
            }
            None => (0, 0),
        }
    }
}

/// What a folded character is for the ngram analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// A Han ideograph.
    Han,
    /// Another letter or digit (ASCII words, numbers).
    Word,
    /// Anything else.
    Separator,
}

/// The class of a folded character.
pub fn class(c: char) -> CharClass {
    if is_han(c) {
        CharClass::Han
    } else if c.is_alphanumeric() {
        CharClass::Word
    } else {
        CharClass::Separator
    }
}

/// A maximal run of Han characters or of other letters and digits, in folded chars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Han or Word.
    pub class: CharClass,
    /// First folded char.
    pub start: usize,
    /// One past the last.
    pub end: usize,
}

/// The runs of `chars` (separators omitted).
pub fn runs(chars: &[char]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let k = class(c);
        if k == CharClass::Separator {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.class == k && r.end == i => r.end = i + 1,
            _ => out.push(Run { class: k, start: i, end: i + 1 }),
        }
    }
    out
}

fn token(a: &Analyzed, start: usize, end: usize, position: usize) -> Token {
    let mut t = Token::default();
    fill(&mut t, a, start, end, position);
    t
}

/// Rewrites `t` in place (no allocation once its text buffer is large enough).
fn fill(t: &mut Token, a: &Analyzed, start: usize, end: usize, position: usize) {
    let (offset_from, offset_to) = a.original_bytes_of(start, end);
    t.offset_from = offset_from;
    t.offset_to = offset_to;
    t.position = position;
    t.position_length = 1;
    t.text.clear();
    t.text.extend(&a.chars[start..end]);
}

/// Analyses kept per thread: the indexer tokenizes each value of a document for the
/// word field and again for the ngram fields; the second time reuses the first folding.
const CACHE_ENTRIES: usize = 16;

thread_local! {
    static CACHE: std::cell::RefCell<std::collections::VecDeque<(String, Arc<Analyzed>)>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

/// [`Analyzed::new`] of `text`, shared with the other fields of the same document: the
/// last [`CACHE_ENTRIES`] texts analysed on this thread are kept (compared by content,
/// so a hit is always the analysis of exactly this text).
pub fn analyzed(text: &str) -> Arc<Analyzed> {
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if let Some((_, a)) = cache.iter().find(|(t, _)| t.len() == text.len() && t == text) {
            return Arc::clone(a);
        }
        let a = Arc::new(Analyzed::new(text));
        if cache.len() >= CACHE_ENTRIES {
            cache.pop_front();
        }
        cache.push_back((text.to_string(), Arc::clone(&a)));
        a
    })
}

/// The ngram tokens of `text` (see the module docs).
pub fn ngram_tokens(text: &str) -> Vec<Token> {
    let a = Analyzed::new(text);
    ngram_tokens_of(&a)
}

/// The ngram tokens of analyzed text.
pub fn ngram_tokens_of(a: &Analyzed) -> Vec<Token> {
    let mut out = Vec::with_capacity(a.chars.len() * 2);
    let mut pos = 0usize;
    for run in runs(&a.chars) {
        match run.class {
            CharClass::Han => {
                for k in run.start..run.end {
                    if k + 1 < run.end {
                        out.push(token(a, k, k + 2, pos));
                    } else {
                        out.push(token(a, k, k + 1, pos));
                    }
                    pos += 1;
                }
            }
            _ => {
                out.push(token(a, run.start, run.end, pos));
                pos += 1;
            }
        }
    }
    out
}

/// The jieba search-mode tokens of `text` (see the module docs).
pub fn word_tokens(jieba: &Jieba, text: &str) -> Vec<Token> {
    let a = Analyzed::new(text);
    word_spans(jieba, &a).into_iter().map(|(s, e)| token(&a, s, e, s)).collect()
}

/// The jieba search-mode word spans (folded chars) of analyzed text, sorted, distinct.
/// Without HMM (new words are not guessed): ranking only; recall comes from the
/// ngram fields, and the query side uses the same function.
fn word_spans(jieba: &Jieba, a: &Analyzed) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = jieba
        .cut_for_search(&a.folded.text, false)
        .into_iter()
        .filter(|t| t.end > t.start && t.word.chars().any(char::is_alphanumeric))
        .map(|t| (t.start, t.end))
        .filter(|&(s, e)| e <= a.chars.len() && s < e)
        .collect();
    spans.sort_unstable();
    spans.dedup();
    spans
}

/// Jieba default-mode words of folded text (query side), as folded strings.
pub fn query_words(jieba: &Jieba, folded: &str) -> Vec<String> {
    jieba
        .cut(folded, true)
        .into_iter()
        .map(|t| t.word.to_string())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// A token stream over a prepared vector.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
    /// Returned when asked for a token before the first or after the last.
    none: Token,
}

impl VecTokenStream {
    /// A stream over `tokens`.
    pub fn new(tokens: Vec<Token>) -> VecTokenStream {
        VecTokenStream { tokens, index: usize::MAX, none: Token::default() }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.index = self.index.wrapping_add(1);
        self.index < self.tokens.len()
    }

    fn token(&self) -> &Token {
        self.tokens.get(self.index).unwrap_or(&self.none)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.tokens.get_mut(self.index) {
            Some(t) => t,
            None => &mut self.none,
        }
    }
}

/// The [`ZH_WORDS`] token stream: word spans turned into tokens one at a time.
pub struct WordStream {
    a: Arc<Analyzed>,
    spans: std::vec::IntoIter<(usize, usize)>,
    token: Token,
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        match self.spans.next() {
            Some((s, e)) => {
                fill(&mut self.token, &self.a, s, e, s);
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The [`ZH_NGRAM`] token stream: bigrams (unigrams at the end of Han runs) and other
/// runs, produced one at a time into one reused token.
pub struct NgramStream {
    a: Arc<Analyzed>,
    runs: Vec<Run>,
    /// Current run.
    run: usize,
    /// Next char of the current Han run.
    next: usize,
    position: usize,
    started: bool,
    token: Token,
}

impl NgramStream {
    /// The stream over analyzed text.
    pub fn new(a: Arc<Analyzed>) -> NgramStream {
        let runs = runs(&a.chars);
        let next = runs.first().map_or(0, |r| r.start);
        NgramStream { a, runs, run: 0, next, position: 0, started: false, token: Token::default() }
    }
}

impl TokenStream for NgramStream {
    fn advance(&mut self) -> bool {
        let Some(r) = self.runs.get(self.run).copied() else { return false };
        if self.started {
            self.position += 1;
        }
        self.started = true;
        let k = self.next;
        let (s, e, done) = match r.class {
            CharClass::Han if k + 1 < r.end => (k, k + 2, false),
            CharClass::Han => (k, k + 1, true),
            _ => (r.start, r.end, true),
        };
        fill(&mut self.token, &self.a, s, e, self.position);
        if done {
            self.run += 1;
            self.next = self.runs.get(self.run).map_or(0, |r| r.start);
        } else {
            self.next += 1;
        }
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The [`ZH_WORDS`] tokenizer: holds one shared `Arc<Jieba>`, so clones are cheap.
#[derive(Clone)]
pub struct WordTokenizer {
    jieba: Arc<Jieba>,
}

impl WordTokenizer {
    /// A tokenizer on the shared segmenter.
    pub fn new(jieba: Arc<Jieba>) -> WordTokenizer {
        WordTokenizer { jieba }
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let a = analyzed(text);
        let spans = word_spans(&self.jieba, &a).into_iter();
        WordStream { a, spans, token: Token::default() }
    }
}

/// The [`ZH_NGRAM`] tokenizer.
#[derive(Clone, Copy, Default)]
pub struct NgramTokenizer;

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = NgramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream {
        NgramStream::new(analyzed(text))
    }
}

/// Registers both tokenizers on an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ZH_WORDS, WordTokenizer::new(jieba()));
    index.tokenizers().register(ZH_NGRAM, NgramTokenizer);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token]) -> Vec<String> {
        tokens.iter().map(|t| t.text.clone()).collect()
    }

    #[test]
    fn ngrams_of_han_and_numbers() {
        let t = ngram_tokens("无政〔２０２４〕12號");
        assert_eq!(texts(&t), ["无政", "政", "2024", "12", "号"]);
        let pos: Vec<usize> = t.iter().map(|t| t.position).collect();
        assert_eq!(pos, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "電子政務優(yōu)秀企業";
        let t = ngram_tokens(text);
        let yx = t.iter().find(|t| t.text == "优秀").unwrap();
        assert_eq!(&text[yx.offset_from..yx.offset_to], "優(yōu)秀");
        let w = word_tokens(&jieba(), text);
        for tok in &w {
            assert!(text.is_char_boundary(tok.offset_from) && text.is_char_boundary(tok.offset_to));
        }
        assert!(w.iter().any(|t| t.text == "电子政务" && &text[t.offset_from..t.offset_to] == "電子政務"));
    }

    fn streamed(mut s: impl TokenStream) -> Vec<Token> {
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().clone());
        }
        out
    }

    #[test]
    fn streams_equal_the_token_lists() {
        for text in [
            "",
            "，",
            "无政〔２０２４〕12號",
            "電子政務優(yōu)秀企業 abc 1 甲",
            "中华人民共和国国务院关于无为县政府网站建设的通知",
        ] {
            assert_eq!(streamed(NgramTokenizer.token_stream(text)), ngram_tokens(text), "{text}");
            assert_eq!(streamed(WordTokenizer::new(jieba()).token_stream(text)), word_tokens(&jieba(), text), "{text}");
            // A second analysis of the same text comes from the cache and is identical.
            assert_eq!(streamed(NgramTokenizer.token_stream(text)), ngram_tokens(text), "{text}");
        }
    }

    #[test]
    fn positions_never_go_backwards() {
        let w = word_tokens(&jieba(), "中华人民共和国国务院关于无为县政府网站建设的通知");
        for pair in w.windows(2) {
            assert!(pair[0].position <= pair[1].position);
        }
        assert!(texts(&w).contains(&"无为县".to_string()));
    }
}
