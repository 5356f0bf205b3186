//! Queries: parsing, building (our own, not tantivy's QueryParser), filters, grouped
//! counts, paging, highlighting and "did you mean".
//!
//! **Recall.** The text is split into terms on spaces (quoted text is one exact term).
//! Every term must match: a term of Han characters is cut by jieba into words (single
//! characters merged into a neighbour), and every word must occur as a phrase of
//! bigrams in `all_ng` (title, body and extra parts), so any substring of a document is
//! found whatever jieba does with the document. A two-character word is one bigram: a
//! term query, no positions read. A term mixing Han and ASCII (a document number) is
//! one phrase. Synonyms expand a term into alternatives.
//!
//! **Ranking.** The BM25 score of the must clauses on `all_ng`, plus optional clauses:
//! every word and the whole term in the title (`title_ng`, boosted), the whole term as
//! a phrase anywhere, and jieba search-mode words of the query in the title (`title`).
//!
//! **Counting and the page.** Counts by (site, kind) come from one pass over every
//! match (`CountCollector`: one array read per match through the segment's cell
//! table). The page by relevance is the best by must score merged with the best of the
//! matches that also match a ranking clause (`relevance_page`); the ranking clauses
//! are title clauses, so they are never scored on every match. The best by must score
//! comes from tantivy's block-max pruned top documents when the must part is a term or
//! a conjunction of terms with no filter (the counting pass then does not score), else
//! from the counting pass. Counts are always exact; the score is exactly tantivy's
//! score of "must clauses + optional ranking clauses". Segments are searched in
//! parallel.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use crate::SearchError;
use crate::analysis::{self, Analyzed, CharClass, Run, runs};
use crate::cells::{CellCache, SegmentCells};
use crate::highlight::{compact, highlight};
use crate::index::{Fields, SearchIndex};
use crate::synonyms::Synonyms;

/// Longest query text considered, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most terms considered.
const MAX_TERMS: usize = 12;
/// Most results per page.
pub const MAX_PER_PAGE: usize = 100;
/// Length of a snippet, in characters.
pub const SNIPPET_CHARS: usize = 120;

/// Sort order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest displayed date first.
    Date,
}

/// A search request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What the user typed.
    pub text: String,
    /// One site, or `None` for the whole group.
    pub site: Option<i64>,
    /// Only these kinds (empty: all).
    pub kinds: Vec<String>,
    /// Only this column.
    pub column: Option<i64>,
    /// Displayed date from (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Displayed date to (unix seconds, exclusive).
    pub to: Option<i64>,
    /// Order.
    pub sort: Sort,
    /// Page, from 1.
    pub page: usize,
    /// Results per page, 1–100.
    pub per_page: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            site: None,
            kinds: Vec::new(),
            column: None,
            from: None,
            to: None,
            sort: Sort::Relevance,
            page: 1,
            per_page: 10,
        }
    }
}

impl SearchQuery {
    /// A query for `text` across the group, first page of 10.
    pub fn text(text: &str) -> SearchQuery {
        SearchQuery { text: text.to_string(), ..Default::default() }
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// Key (`doc:123`).
    pub key: String,
    /// The numeric id behind the key, when it has one.
    pub id: Option<i64>,
    /// Site.
    pub site: i64,
    /// Column (`None` when the thing has none).
    pub column: Option<i64>,
    /// Kind.
    pub kind: String,
    /// Title as written.
    pub title: String,
    /// Title, HTML-escaped, matches in `<em>`.
    pub title_html: String,
    /// URL.
    pub url: String,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
    /// Snippet of the body (or summary), HTML-escaped, matches in `<em>`.
    pub snippet: String,
    /// Displayed publication time, unix seconds.
    pub published_at: i64,
    /// Workflow state (back-office results).
    pub state: Option<String>,
}

/// Results of a search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Matches with every filter applied.
    pub total: u64,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Matches by kind, for the query and every filter but the kind filter.
    pub by_kind: Vec<(String, u64)>,
    /// Matches by site, for the query and every filter but the site filter.
    pub by_site: Vec<(i64, u64)>,
    /// Page (from 1).
    pub page: usize,
    /// Per page.
    pub per_page: usize,
    /// A corrected query when nothing matched.
    pub did_you_mean: Option<String>,
}

/// Where a back-office search may look: whole sites, and single columns, for which the
/// actor holds ViewDrafts (computed by the caller with `authorize`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftScope {
    /// Sites where every column is visible.
    pub sites: Vec<i64>,
    /// Single visible columns.
    pub columns: Vec<i64>,
}

// ---------------------------------------------------------------- parsing

/// One chunk that must occur: `(position, token)` on the ngram fields.
type Chunk = Vec<(usize, String)>;

/// A term and its synonym variants, each a list of chunks that must all occur, and for
/// short single-run terms the chunks as one phrase with some slop (they must occur
/// near each other and in order).
#[derive(Debug, Clone)]
struct ParsedTerm {
    /// Folded text of each variant (for phrases and highlighting).
    variants: Vec<Variant>,
}

/// Folded text, chunks that must all occur, and the optional proximity phrase with slop.
type Variant = (String, Vec<Chunk>, Option<(Chunk, u32)>);

/// Longest single-run term (in characters) whose words must occur near each other.
const PROXIMITY_CHARS: usize = 8;
/// Characters allowed between two words of such a term.
const PROXIMITY_SLOP: u32 = 2;

/// The phrase tokens of folded text: bigrams of Han runs (a unigram for a lone
/// character), whole words of other runs; positions as in the ngram field.
fn phrase_tokens(chars: &[char]) -> Chunk {
    let mut out = Vec::new();
    let mut pos = 0usize;
    for r in runs(chars) {
        match r.class {
            CharClass::Han if r.end - r.start >= 2 => {
                for k in r.start..r.end - 1 {
                    out.push((pos, chars[k..k + 2].iter().collect()));
                    pos += 1;
                }
                pos += 1;
            }
            _ => {
                out.push((pos, chars[r.start..r.end].iter().collect()));
                pos += 1;
            }
        }
    }
    out
}

/// Jieba words of a Han run, single characters merged into a neighbour.
fn run_words(jieba: &Jieba, chars: &[char], r: Run) -> Vec<String> {
    let text: String = chars[r.start..r.end].iter().collect();
    let mut out: Vec<String> = Vec::new();
    let mut pending = String::new();
    for w in analysis::query_words(jieba, &text) {
        if w.chars().count() == 1 {
            match out.last_mut() {
                Some(last) => last.push_str(&w),
                None => pending.push_str(&w),
            }
        } else {
            out.push(format!("{pending}{w}"));
            pending.clear();
        }
    }
    if !pending.is_empty() {
        match out.last_mut() {
            Some(last) => last.push_str(&pending),
            None => out.push(pending),
        }
    }
    out
}

fn chunks_of(jieba: &Jieba, folded: &str, exact: bool) -> Vec<Chunk> {
    let chars: Vec<char> = folded.chars().collect();
    let rs = runs(&chars);
    let has_han = rs.iter().any(|r| r.class == CharClass::Han);
    let has_word = rs.iter().any(|r| r.class == CharClass::Word);
    if rs.is_empty() {
        return Vec::new();
    }
    if exact || (has_han && has_word) {
        return vec![phrase_tokens(&chars)];
    }
    let mut out = Vec::new();
    for r in rs {
        if r.class == CharClass::Han {
            for w in run_words(jieba, &chars, r) {
                let wc: Vec<char> = w.chars().collect();
                out.push(phrase_tokens(&wc));
            }
        } else {
            out.push(phrase_tokens(&chars[r.start..r.end]));
        }
    }
    out
}

/// The words of a short single Han run as one phrase (positions as in the text,
/// bigrams across word borders left out) with slop for a few characters between words.
fn proximity_of(folded: &str, chunks: &[Chunk]) -> Option<(Chunk, u32)> {
    let chars: Vec<char> = folded.chars().collect();
    let rs = runs(&chars);
    if chunks.len() < 2 || chars.len() > PROXIMITY_CHARS || rs.len() != 1 || rs[0].class != CharClass::Han {
        return None;
    }
    let mut phrase = Vec::new();
    let mut offset = 0usize;
    for c in chunks {
        let len = chunk_text(c).chars().count();
        phrase.extend(c.iter().map(|(p, t)| (p + offset, t.clone())));
        offset += len;
    }
    let slop = PROXIMITY_SLOP * u32::try_from(chunks.len() - 1).unwrap_or(1);
    Some((phrase, slop))
}

/// Splits the text into terms: quoted parts (`"…"`, `“…”`) exact, the rest on spaces.
fn split_terms(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars().take(MAX_QUERY_CHARS) {
        match c {
            '"' | '“' | '”' | '＂' => {
                if !cur.trim().is_empty() {
                    out.push((cur.trim().to_string(), quoted));
                }
                cur.clear();
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push((std::mem::take(&mut cur), false));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push((cur.trim().to_string(), quoted));
    }
    out.truncate(MAX_TERMS);
    out
}

fn parse(jieba: &Jieba, synonyms: &Synonyms, text: &str) -> Vec<ParsedTerm> {
    let mut out = Vec::new();
    for (raw, exact) in split_terms(text) {
        let folded = Analyzed::new(&raw).folded.text;
        let mut variants = Vec::new();
        for v in synonyms.variants(&folded) {
            let chunks = chunks_of(jieba, &v, exact);
            if !chunks.is_empty() {
                let near = proximity_of(&v, &chunks);
                variants.push((v, chunks, near));
            }
        }
        if !variants.is_empty() {
            out.push(ParsedTerm { variants });
        }
    }
    out
}

// ---------------------------------------------------------------- building

/// Is this token a lone Han character (matched as a prefix when it ends a chunk)?
fn lone_han(token: &str) -> bool {
    let mut it = token.chars();
    matches!((it.next(), it.next()), (Some(c), None) if sitegroup_text::fold::is_han(c))
}

/// Most terms a lone character's prefix expands to.
const MAX_EXPANSIONS: u32 = 1_000_000;

fn chunk_query(field: Field, chunk: &Chunk) -> Option<Box<dyn Query>> {
    let terms: Vec<(usize, Term)> = chunk.iter().map(|(p, t)| (*p, Term::from_field_text(field, t))).collect();
    let last_lone = chunk.last().is_some_and(|(_, t)| lone_han(t));
    match terms.len() {
        0 => None,
        _ if last_lone => {
            // Its unigram, or any bigram it starts.
            let mut q = PhrasePrefixQuery::new_with_offset(terms);
            q.set_max_expansions(MAX_EXPANSIONS);
            Some(Box::new(q))
        }
        1 => Some(Box::new(TermQuery::new(terms[0].1.clone(), IndexRecordOption::WithFreqs))),
        _ => Some(Box::new(PhraseQuery::new_with_offset(terms))),
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// The must-match part of one term (any variant, every chunk), on `all_ng` only.
fn term_query(f: &Fields, t: &ParsedTerm) -> Option<Box<dyn Query>> {
    let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (_, chunks, near) in &t.variants {
        if let Some((phrase, slop)) = near {
            let terms = phrase.iter().map(|(p, t)| (*p, Term::from_field_text(f.all_ng, t))).collect();
            alts.push((Occur::Should, Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))));
            continue;
        }
        let mut musts: Vec<(Occur, Box<dyn Query>)> =
            chunks.iter().filter_map(|c| chunk_query(f.all_ng, c)).map(|q| (Occur::Must, q)).collect();
        match musts.len() {
            0 => {}
            1 => alts.extend(musts.pop().map(|(_, q)| (Occur::Should, q))),
            _ => alts.push((Occur::Should, Box::new(BooleanQuery::new(musts)))),
        }
    }
    match alts.len() {
        0 => None,
        1 => alts.pop().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(alts))),
    }
}

/// Ranking clauses (optional, on top of the must part): each chunk and each whole term
/// in the title, the whole term as a phrase anywhere, jieba words in the title.
fn ranking(f: &Fields, jieba: &Jieba, terms: &[ParsedTerm], text: &str) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for t in terms {
        for (v, chunks, _) in &t.variants {
            for c in chunks {
                if let Some(q) = chunk_query(f.title_ng, c) {
                    out.push((Occur::Should, boosted(q, 2.0)));
                }
            }
            if chunks.len() < 2 {
                continue;
            }
            let chars: Vec<char> = v.chars().collect();
            let whole = phrase_tokens(&chars);
            if let Some(q) = chunk_query(f.title_ng, &whole) {
                out.push((Occur::Should, boosted(q, 3.0)));
            }
            if let Some(q) = chunk_query(f.all_ng, &whole) {
                out.push((Occur::Should, q));
            }
        }
    }
    // Single characters (的, 一, 了) only when the query has no longer word: as title
    // words they are in most titles, add next to nothing to the ranking and would make
    // the ranking pass visit most documents.
    let words = analysis::word_tokens(jieba, text);
    let longer = words.iter().any(|t| t.text.chars().nth(1).is_some());
    let mut seen = HashSet::new();
    for tok in words {
        if (longer && tok.text.chars().nth(1).is_none()) || !seen.insert(tok.text.clone()) {
            continue;
        }
        let q = TermQuery::new(Term::from_field_text(f.title, &tok.text), IndexRecordOption::WithFreqs);
        out.push((Occur::Should, boosted(Box::new(q), 1.5)));
    }
    out
}

fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn u64_term(field: Field, v: i64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, u64::try_from(v).unwrap_or(u64::MAX)),
        IndexRecordOption::Basic,
    ))
}

/// Filters shared by the count and the page: column, dates, draft scope.
fn base_filters(f: &Fields, q: &SearchQuery, scope: Option<&DraftScope>) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out = Vec::new();
    if let Some(c) = q.column {
        out.push(filter(u64_term(f.column, c)));
    }
    if q.from.is_some() || q.to.is_some() {
        let lo = q.from.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(f.published_at, v)));
        let hi = q.to.map_or(Bound::Unbounded, |v| Bound::Excluded(Term::from_field_i64(f.published_at, v)));
        out.push(filter(Box::new(RangeQuery::new(lo, hi))));
    }
    if let Some(s) = scope {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        any.extend(s.sites.iter().map(|&site| (Occur::Should, u64_term(f.site, site))));
        any.extend(s.columns.iter().map(|&c| (Occur::Should, u64_term(f.column, c))));
        if any.is_empty() {
            // Nothing visible: a filter nothing passes.
            any.push((Occur::Should, u64_term(f.site, -1)));
        }
        out.push(filter(Box::new(BooleanQuery::new(any))));
    }
    out
}

fn site_kind_filters(f: &Fields, q: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out = Vec::new();
    if let Some(s) = q.site {
        out.push(filter(u64_term(f.site, s)));
    }
    if !q.kinds.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = q
            .kinds
            .iter()
            .map(|k| {
                let t = TermQuery::new(Term::from_field_text(f.kind, k), IndexRecordOption::Basic);
                (Occur::Should, Box::new(t) as Box<dyn Query>)
            })
            .collect();
        out.push(filter(Box::new(BooleanQuery::new(any))));
    }
    out
}

// ---------------------------------------------------------------- counting and the page

/// Counts by (site, kind) over every match of the query with the column, date and scope
/// filters, in one pass; the same pass may also keep the best matches that pass the
/// site and kind filters, by date or by score (see `run` for when the page comes from a
/// separate, pruned pass instead).
struct CountCollector<'a> {
    /// The cell tables of the index's segments.
    cells: &'a CellCache,
    /// What to keep besides the counts.
    order: Keep,
    /// How many to keep.
    keep: usize,
    site: Option<u64>,
    kinds: Vec<String>,
}

/// What the counting pass keeps besides the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Counts only (unscored).
    Nothing,
    /// The newest matches (unscored).
    Newest,
    /// The best matches by score.
    BestScored,
}

/// A candidate for the page: larger key first, then the earlier document.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    key: f64,
    segment: SegmentOrdinal,
    doc: DocId,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    /// `Less` means better (so a max-heap keeps the worst on top).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.key.total_cmp(&self.key).then((self.segment, self.doc).cmp(&(other.segment, other.doc)))
    }
}

/// The best `keep` candidates: a heap with the worst on top.
#[derive(Default)]
struct Best {
    keep: usize,
    heap: std::collections::BinaryHeap<Candidate>,
}

impl Best {
    fn new(keep: usize) -> Best {
        Best { keep, heap: std::collections::BinaryHeap::new() }
    }

    fn offer(&mut self, c: Candidate) {
        if self.heap.len() < self.keep {
            self.heap.push(c);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && c < *worst
        {
            *worst = c;
        }
    }

    fn sorted(self) -> Vec<Candidate> {
        self.heap.into_sorted_vec()
    }
}

struct CountSegment {
    ord: SegmentOrdinal,
    site: tantivy::columnar::Column<u64>,
    kind: Option<tantivy::columnar::StrColumn>,
    kind_ords: Option<tantivy::columnar::Column<u64>>,
    /// The (site, kind) cell of each document, when sites × kinds are few (the usual
    /// case); the two columns are read otherwise.
    cells: Option<std::sync::Arc<SegmentCells>>,
    order: Keep,
    /// Read only when the page is by date.
    published_at: Option<tantivy::columnar::Column<i64>>,
    /// Dense counts `[site * width + kind ord]` when sites and kinds are few (the usual
    /// case); the map otherwise.
    dense: Vec<u64>,
    width: u64,
    counts: HashMap<(u64, u64), u64>,
    /// The site filter, if any.
    site_filter: Option<u64>,
    /// The kind ords allowed (`None`: all kinds).
    kind_filter: Option<Vec<u64>>,
    best: Best,
}

/// What one pass yields: counts by (site, kind) and the best candidates by date.
type CountFruit = (HashMap<(u64, String), u64>, Vec<Candidate>);

impl Collector for CountCollector<'_> {
    type Fruit = CountFruit;
    type Child = CountSegment;

    fn for_segment(&self, ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<CountSegment> {
        let ff = segment.fast_fields();
        let site = ff.u64("site")?;
        let kind = ff.str("kind")?;
        // One extra kind slot for "no kind".
        let width = kind.as_ref().map_or(0, |k| k.num_terms() as u64) + 1;
        let table = self.cells.get(segment)?;
        let dense = match &table {
            Some(_) => vec![0; (site.max_value().saturating_add(1)).saturating_mul(width) as usize],
            None => Vec::new(),
        };
        let kind_filter = if self.kinds.is_empty() {
            None
        } else {
            let mut ords = Vec::new();
            if let Some(k) = &kind {
                for name in &self.kinds {
                    if let Some(o) = k.dictionary().term_ord(name)? {
                        ords.push(o);
                    }
                }
            }
            Some(ords)
        };
        let published_at = if self.order == Keep::Newest { Some(ff.i64("published_at")?) } else { None };
        Ok(CountSegment {
            ord,
            order: self.order,
            kind_ords: kind.as_ref().map(|k| k.ords().clone()),
            cells: table,
            kind,
            site,
            published_at,
            dense,
            width,
            counts: HashMap::new(),
            site_filter: self.site,
            kind_filter,
            best: Best::new(self.keep),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order == Keep::BestScored
    }

    fn merge_fruits(&self, fruits: Vec<CountFruit>) -> tantivy::Result<CountFruit> {
        let mut counts = HashMap::new();
        let mut best = Best::new(self.keep);
        for (c, cands) in fruits {
            for (k, n) in c {
                *counts.entry(k).or_insert(0) += n;
            }
            for cand in cands {
                best.offer(cand);
            }
        }
        Ok((counts, best.sorted()))
    }
}

impl SegmentCollector for CountSegment {
    type Fruit = CountFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let (site, kind) = match &self.cells {
            Some(t) => {
                let cell = t.cell(doc);
                if let Some(c) = self.dense.get_mut(cell as usize) {
                    *c += 1;
                }
                (cell / self.width, cell % self.width)
            }
            None => {
                let site = self.site.first(doc).unwrap_or(0);
                let kind = match &self.kind_ords {
                    Some(k) => k.first(doc).unwrap_or(self.width - 1),
                    None => self.width - 1,
                };
                *self.counts.entry((site, kind)).or_insert(0) += 1;
                (site, kind)
            }
        };
        if self.order == Keep::Nothing
            || self.site_filter.is_some_and(|s| s != site)
            || self.kind_filter.as_ref().is_some_and(|k| !k.contains(&kind))
        {
            return;
        }
        let key = match &self.published_at {
            Some(published_at) => published_at.first(doc).unwrap_or(i64::MIN) as f64,
            None => f64::from(score),
        };
        self.best.offer(Candidate { key, segment: self.ord, doc });
    }

    fn harvest(mut self) -> CountFruit {
        let width = self.width.max(1);
        for (cell, n) in self.dense.iter().enumerate().filter(|(_, n)| **n > 0) {
            let cell = cell as u64;
            *self.counts.entry((cell / width, cell % width)).or_insert(0) += n;
        }
        let mut out = HashMap::new();
        let mut name = String::new();
        for ((site, ord), n) in self.counts {
            name.clear();
            if let Some(k) = &self.kind
                && ord < width - 1
            {
                let _ = k.ord_to_str(ord, &mut name);
            }
            *out.entry((site, name.clone())).or_insert(0) += n;
        }
        (out, self.best.sorted())
    }
}

/// The best `keep` matches by relevance: the score of the must clauses plus the
/// optional ranking clauses, as tantivy scores "must + should", without scoring the
/// ranking clauses on every match (they are title clauses):
/// - `ranked`: the best `keep` of the matches that also match a ranking clause, with
///   their whole score (a pass over the documents whose title matches);
/// - `top`: the best `keep` by the must clauses alone (the other documents' whole score
///   *is* their must score).
///
/// A document of the true top `keep` either matches a ranking clause, and then it is in
/// `ranked` (else `keep` such documents would beat it), or its whole score is its must
/// score, and then it is in `top` (else `keep` documents would beat it on must score and
/// so on whole score). A document of `top` that matches a ranking clause but is not in
/// `ranked` is beaten by the `keep` documents of `ranked` even on its whole score, so
/// offering it with its lower must score changes nothing. So the page is the best `keep`
/// of the union, a document in both counted once, with its whole score.
fn relevance_page(ranked: Vec<Candidate>, top: Vec<Candidate>, keep: usize) -> Vec<Candidate> {
    let mut best = Best::new(keep);
    let known: HashSet<(SegmentOrdinal, DocId)> = ranked.iter().map(|c| (c.segment, c.doc)).collect();
    for c in top.into_iter().filter(|c| !known.contains(&(c.segment, c.doc))) {
        best.offer(c);
    }
    for c in ranked {
        best.offer(c);
    }
    best.sorted()
}

/// The best `keep` matches of `query` by score.
fn best_scored(searcher: &Searcher, query: &dyn Query, keep: usize) -> Result<Vec<Candidate>, SearchError> {
    let top = searcher.search(query, &TopDocs::with_limit(keep).order_by_score())?;
    Ok(top
        .into_iter()
        .map(|(score, a)| Candidate { key: f64::from(score), segment: a.segment_ord, doc: a.doc_id })
        .collect())
}

/// Can tantivy prune the matches of these parts when it looks for the best by score
/// (block-max WAND)? Only a single term or a conjunction of terms, with no filter.
fn prunable(parts: &[(Occur, Box<dyn Query>)]) -> bool {
    parts.iter().all(|(o, q)| *o == Occur::Must && q.is::<TermQuery>())
}

// ---------------------------------------------------------------- running

fn stored_str(d: &TantivyDocument, f: Field) -> String {
    d.get_first(f).and_then(|v| v.as_str()).unwrap_or("").to_string()
}

fn stored_u64(d: &TantivyDocument, f: Field) -> u64 {
    d.get_first(f).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// A prepared query on one index.
struct Plan {
    terms: Vec<ParsedTerm>,
    /// One clause per term, all required (empty: no searchable text).
    musts: Vec<Box<dyn Query>>,
    ranking: Vec<(Occur, Box<dyn Query>)>,
    needles: Vec<String>,
}

fn plan(index: &SearchIndex, synonyms: &Synonyms, text: &str) -> Plan {
    let f = &index.fields;
    let jieba = analysis::jieba();
    let terms = parse(&jieba, synonyms, text);
    let musts: Vec<Box<dyn Query>> = terms.iter().filter_map(|t| term_query(f, t)).collect();
    let ranking = if musts.is_empty() { Vec::new() } else { ranking(f, &jieba, &terms, text) };
    let mut needles: Vec<String> = Vec::new();
    for t in &terms {
        for (v, chunks, _) in &t.variants {
            needles.push(compact(v));
            if chunks.len() > 1 {
                for c in chunks {
                    let s: String = chunk_text(c);
                    if s.chars().count() >= 2 || chunks.len() == 1 {
                        needles.push(s);
                    }
                }
            }
        }
    }
    needles.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    needles.dedup();
    Plan { terms, musts, ranking, needles }
}

/// The folded text a chunk stands for (bigrams joined back).
fn chunk_text(c: &Chunk) -> String {
    let mut s = String::new();
    let mut last_pos: Option<usize> = None;
    for (p, t) in c {
        match last_pos {
            Some(lp) if *p == lp + 1 && t.chars().count() == 2 && s.chars().last() == t.chars().next() => {
                if let Some(ch) = t.chars().nth(1) {
                    s.push(ch);
                }
            }
            _ => s.push_str(t),
        }
        last_pos = Some(*p);
    }
    s
}

/// The conjunction/disjunction of `parts`; a lone required part is returned as itself
/// (same matches and score), so that tantivy can prune a single term's postings.
fn combine(mut parts: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if parts.len() == 1
        && parts[0].0 == Occur::Must
        && let Some((_, q)) = parts.pop()
    {
        return q;
    }
    Box::new(BooleanQuery::new(parts))
}

/// Runs `q` on `index` (with an optional draft scope), the core of both audiences.
pub(crate) fn run(
    index: &SearchIndex,
    synonyms: &Synonyms,
    q: &SearchQuery,
    scope: Option<&DraftScope>,
) -> Result<SearchResults, SearchError> {
    let f = index.fields;
    let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
    let page = q.page.max(1);
    let mut results = SearchResults { page, per_page, ..Default::default() };
    let text: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
    let p = plan(index, synonyms, &text);
    let has_text = !text.trim().is_empty();
    if has_text && p.musts.is_empty() {
        // Only punctuation: nothing to find.
        return Ok(results);
    }
    let searcher = index.reader.searcher();

    // The matches: the must clauses with the column, date and scope filters. The site and
    // kind filters are applied in the counting collector, so the counts by kind and by
    // site come from the same pass.
    let mut base: Vec<(Occur, Box<dyn Query>)> = p.musts.iter().map(|m| (Occur::Must, m.box_clone())).collect();
    if base.is_empty() {
        base.push((Occur::Must, Box::new(AllQuery)));
    }
    base.extend(base_filters(&f, q, scope));
    let offset = (page - 1).saturating_mul(per_page);
    let keep = offset.saturating_add(per_page);
    let by_date = q.sort == Sort::Date || !has_text;
    // The page: by date, the counting pass keeps the newest. By relevance it is the
    // best by must score merged with the best of the matches that also match a ranking
    // clause (`relevance_page`); the best by must score comes from tantivy's block-max
    // pruned top documents when the must part is a term or a conjunction of terms with
    // no filter (`pruned`: the counting pass need not score), else from the counting
    // pass itself (phrases and filters: their postings and positions are read once).
    let pruned = !by_date && q.site.is_none() && q.kinds.is_empty() && prunable(&base);
    index.cells.retain_live(&searcher);
    let counter = CountCollector {
        cells: &index.cells,
        order: match (by_date, pruned) {
            (true, _) => Keep::Newest,
            (false, true) => Keep::Nothing,
            (false, false) => Keep::BestScored,
        },
        keep,
        site: q.site.map(|s| u64::try_from(s).unwrap_or(u64::MAX)),
        kinds: q.kinds.clone(),
    };
    let matches = |extra: Vec<(Occur, Box<dyn Query>)>| {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = base.iter().map(|(o, q)| (*o, q.box_clone())).collect();
        parts.extend(extra);
        combine(parts)
    };
    let (counts, kept) = searcher.search(&*matches(Vec::new()), &counter)?;
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_site: BTreeMap<i64, u64> = BTreeMap::new();
    let mut total = 0;
    for ((site, kind), n) in &counts {
        let site = i64::try_from(*site).unwrap_or(0);
        let site_ok = q.site.is_none_or(|s| s == site);
        let kind_ok = q.kinds.is_empty() || q.kinds.contains(kind);
        if site_ok {
            *by_kind.entry(kind.clone()).or_insert(0) += n;
        }
        if kind_ok {
            *by_site.entry(site).or_insert(0) += n;
        }
        if site_ok && kind_ok {
            total += n;
        }
    }
    results.total = total;
    results.by_kind = by_kind.into_iter().collect();
    results.by_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    results.by_site = by_site.into_iter().collect();
    results.by_site.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    if total == 0 {
        if has_text {
            results.did_you_mean = did_you_mean(index, synonyms, q, scope, &p.terms, &text)?;
        }
        return Ok(results);
    }
    let best = if by_date {
        kept
    } else {
        let page_matches = matches(site_kind_filters(&f, q));
        let top = if pruned { best_scored(&searcher, &*page_matches, keep)? } else { kept };
        let ranked = if p.ranking.is_empty() {
            Vec::new()
        } else {
            // The matches that also match a ranking clause, with their whole score.
            let with_ranking = combine(vec![(Occur::Must, page_matches), (Occur::Must, combine(p.ranking))]);
            best_scored(&searcher, &*with_ranking, keep)?
        };
        relevance_page(ranked, top, keep)
    };
    for c in best.into_iter().skip(offset) {
        let score = if by_date { 0.0 } else { c.key as f32 };
        results.hits.push(hit(&searcher, &f, DocAddress::new(c.segment, c.doc), score, &p.needles)?);
    }
    Ok(results)
}

fn hit(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
    score: f32,
    needles: &[String],
) -> Result<SearchHit, SearchError> {
    let d: TantivyDocument = searcher.doc(addr)?;
    let key = stored_str(&d, f.key);
    let title = stored_str(&d, f.title);
    let body = stored_str(&d, f.body);
    let summary = stored_str(&d, f.summary);
    let snippet_source = if body.trim().is_empty() { &summary } else { &body };
    let column = stored_u64(&d, f.column);
    let state = stored_str(&d, f.state);
    Ok(SearchHit {
        id: key.split_once(':').and_then(|(_, id)| id.parse().ok()),
        site: i64::try_from(stored_u64(&d, f.site)).unwrap_or(0),
        column: (column > 0).then(|| i64::try_from(column).unwrap_or(0)),
        kind: stored_str(&d, f.kind),
        title_html: highlight(&title, needles, None),
        snippet: highlight(snippet_source, needles, Some(SNIPPET_CHARS)),
        url: stored_str(&d, f.url),
        score,
        published_at: d.get_first(f.published_at).and_then(|v| v.as_i64()).unwrap_or(0),
        state: (!state.is_empty()).then_some(state),
        title,
        key,
    })
}

/// Number of documents matching `text` under the same filters (for corrections).
fn count_text(
    index: &SearchIndex,
    synonyms: &Synonyms,
    q: &SearchQuery,
    scope: Option<&DraftScope>,
    text: &str,
) -> Result<usize, SearchError> {
    let p = plan(index, synonyms, text);
    if p.musts.is_empty() {
        return Ok(0);
    }
    let mut parts: Vec<(Occur, Box<dyn Query>)> = p.musts.into_iter().map(|m| (Occur::Must, m)).collect();
    parts.extend(base_filters(&index.fields, q, scope));
    parts.extend(site_kind_filters(&index.fields, q));
    Ok(index.reader.searcher().search(&*combine(parts), &Count)?)
}

// ---------------------------------------------------------------- did you mean

fn did_you_mean(
    index: &SearchIndex,
    synonyms: &Synonyms,
    q: &SearchQuery,
    scope: Option<&DraftScope>,
    terms: &[ParsedTerm],
    text: &str,
) -> Result<Option<String>, SearchError> {
    let mut corrected: Vec<String> = Vec::new();
    let mut changed = false;
    for (raw, _) in split_terms(text) {
        let folded = compact(&Analyzed::new(&raw).folded.text);
        if folded.is_empty() || count_text(index, synonyms, q, scope, &folded)? > 0 {
            corrected.push(folded);
            continue;
        }
        let fix = if folded.chars().all(|c| c.is_ascii_alphabetic()) && folded.len() >= 2 {
            crate::suggest::pinyin_word(index, &folded)?
        } else if folded.chars().all(sitegroup_text::fold::is_han) {
            typo_fix(index, synonyms, q, scope, &folded)?
        } else {
            None
        };
        match fix {
            Some(fix) => {
                corrected.push(fix);
                changed = true;
            }
            None => corrected.push(folded),
        }
    }
    let _ = terms;
    if !changed {
        return Ok(None);
    }
    let text = corrected.join(" ");
    Ok((count_text(index, synonyms, q, scope, &text)? > 0).then_some(text))
}

/// Bigrams of the ngram fields starting with `first` (each with its document frequency).
fn bigrams_after(searcher: &Searcher, fields: &[Field], first: char) -> Result<HashMap<char, u64>, SearchError> {
    let mut out: HashMap<char, u64> = HashMap::new();
    let mut buf = [0u8; 4];
    let prefix = first.encode_utf8(&mut buf).as_bytes().to_vec();
    for segment in searcher.segment_readers() {
        for &field in fields {
            let inv = segment.inverted_index(field)?;
            let mut stream = inv.terms().range().ge(&prefix).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(&prefix) {
                    break;
                }
                let Ok(s) = std::str::from_utf8(key) else { continue };
                let mut it = s.chars();
                if let (Some(_), Some(c), None) = (it.next(), it.next(), it.next()) {
                    *out.entry(c).or_insert(0) += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    Ok(out)
}

/// Bigrams ending with `second` (a scan of the title dictionary: used only for a typo in
/// the first character).
fn bigrams_before(searcher: &Searcher, field: Field, second: char) -> Result<HashMap<char, u64>, SearchError> {
    let mut out: HashMap<char, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inv = segment.inverted_index(field)?;
        let mut stream = inv.terms().stream()?;
        while stream.advance() {
            let Ok(s) = std::str::from_utf8(stream.key()) else { continue };
            let mut it = s.chars();
            if let (Some(c), Some(d), None) = (it.next(), it.next(), it.next())
                && d == second
            {
                *out.entry(c).or_insert(0) += u64::from(stream.value().doc_freq);
            }
        }
    }
    Ok(out)
}

fn same_pinyin(a: char, b: char) -> bool {
    use pinyin::ToPinyin;
    match (a.to_pinyin(), b.to_pinyin()) {
        (Some(x), Some(y)) => x.plain() == y.plain(),
        _ => false,
    }
}

/// One-character correction of a Han term with no match: candidates keep both
/// neighbouring bigrams in the dictionary; homophones first, then by matches.
fn typo_fix(
    index: &SearchIndex,
    synonyms: &Synonyms,
    q: &SearchQuery,
    scope: Option<&DraftScope>,
    term: &str,
) -> Result<Option<String>, SearchError> {
    let chars: Vec<char> = term.chars().collect();
    let n = chars.len();
    if !(2..=16).contains(&n) {
        return Ok(None);
    }
    let searcher = index.reader.searcher();
    let f = &index.fields;
    let fields = [f.all_ng];
    let df = |a: char, b: char| -> Result<u64, SearchError> {
        let t: String = [a, b].iter().collect();
        let mut total = 0;
        for &field in &fields {
            total += searcher.doc_freq(&Term::from_field_text(field, &t))?;
        }
        Ok(total)
    };
    let mut candidates: Vec<(bool, u64, String)> = Vec::new();
    for i in 0..n {
        let options: HashMap<char, u64> = if i > 0 {
            bigrams_after(&searcher, &fields, chars[i - 1])?
        } else {
            bigrams_before(&searcher, f.title_ng, chars[1])?
        };
        let mut opts: Vec<(char, u64)> = options.into_iter().filter(|(c, _)| *c != chars[i]).collect();
        opts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (c, weight) in opts.into_iter().take(200) {
            if i + 1 < n && i > 0 && df(c, chars[i + 1])? == 0 {
                continue;
            }
            let mut fixed = chars.clone();
            fixed[i] = c;
            candidates.push((same_pinyin(c, chars[i]), weight, fixed.into_iter().collect()));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut best: Option<(bool, usize, String)> = None;
    for (homophone, _, cand) in candidates.into_iter().take(24) {
        let hits = count_text(index, synonyms, q, scope, &format!("\"{cand}\""))?;
        if hits == 0 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((h, n, _)) => (homophone, hits) > (*h, *n),
        };
        if better {
            best = Some((homophone, hits, cand));
        }
    }
    Ok(best.map(|b| b.2))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn splits_terms_and_quotes() {
        assert_eq!(
            split_terms("无为县  “县长 信箱” 教育"),
            vec![("无为县".to_string(), false), ("县长 信箱".to_string(), true), ("教育".to_string(), false)]
        );
    }

    #[test]
    fn phrase_tokens_match_the_ngram_field() {
        let chars: Vec<char> = "无政〔2024〕12号".chars().collect();
        assert_eq!(
            phrase_tokens(&chars),
            vec![(0, "无政".to_string()), (2, "2024".to_string()), (3, "12".to_string()), (4, "号".to_string())]
        );
        // Same positions as the index tokenizer.
        let idx: Vec<(usize, String)> =
            analysis::ngram_tokens("无政〔2024〕12号").into_iter().map(|t| (t.position, t.text)).collect();
        for p in phrase_tokens(&chars) {
            assert!(idx.contains(&p), "{p:?}");
        }
    }

    /// The page (the best by must score, pruned or from the counting pass, merged with
    /// the best title-ranked matches) equals tantivy's own top 10 of "must clauses +
    /// optional ranking clauses", and the counts equal a plain count, with and without
    /// site and kind filters (so both ways to the page are compared).
    #[test]
    fn the_page_equals_the_plain_query() {
        use tantivy::collector::TopDocs;
        let set = crate::testing::relevance_set().unwrap();
        let index = SearchIndex::create_in_ram().unwrap();
        let mut w = index.writer(60_000_000, 2).unwrap();
        for d in &set.docs {
            w.add(d).unwrap();
        }
        w.commit(Some(0)).unwrap();
        w.finish().unwrap();
        index.reload().unwrap();
        assert!(index.segment_count().unwrap() >= 2, "several segments");
        let synonyms = Synonyms::parse(crate::synonyms::DEFAULT_SYNONYMS);
        let searcher = index.reader.searcher();
        let f = index.fields;
        let mut compared = 0;
        for (i, c) in set.cases.iter().enumerate() {
            let mut q = SearchQuery::text(&c.query);
            if i % 3 == 1 {
                q.site = Some(1 + (i as i64 % 3));
            }
            if i % 4 == 2 {
                q.kinds = vec!["article".into(), "disclosure".into()];
            }
            let p = plan(&index, &synonyms, &q.text);
            if p.musts.is_empty() {
                continue;
            }
            let mut parts: Vec<(Occur, Box<dyn Query>)> =
                p.musts.iter().map(|m| (Occur::Must, m.box_clone())).collect();
            parts.extend(site_kind_filters(&f, &q));
            let count =
                searcher.search(&*combine(parts.iter().map(|(o, q)| (*o, q.box_clone())).collect()), &Count).unwrap();
            parts.extend(p.ranking);
            let want = searcher.search(&*combine(parts), &TopDocs::with_limit(10).order_by_score()).unwrap();
            let got = run(&index, &synonyms, &q, None).unwrap();
            assert_eq!(got.total as usize, count, "{q:?}");
            assert_eq!(got.hits.len(), want.len(), "{q:?}");
            for (h, (score, addr)) in got.hits.iter().zip(&want) {
                assert!((h.score - score).abs() <= 1e-4 * score.abs().max(1.0), "{q:?}: {} vs {score}", h.score);
                let d: TantivyDocument = searcher.doc(*addr).unwrap();
                // Equal scores may come in another order; distinct ones may not.
                if stored_str(&d, f.key) != h.key {
                    let same = want.iter().filter(|(s, _)| (s - score).abs() <= 1e-4 * score.abs().max(1.0)).count();
                    assert!(same > 1, "{q:?}: {} where {} was expected", h.key, stored_str(&d, f.key));
                }
            }
            compared += 1;
        }
        assert!(compared >= 100, "{compared}");
    }

    #[test]
    fn single_characters_merge_into_words() {
        let j = analysis::jieba();
        let chars: Vec<char> = "教育局的通知".chars().collect();
        let words = run_words(&j, &chars, Run { class: CharClass::Han, start: 0, end: chars.len() });
        assert!(words.iter().all(|w| w.chars().count() >= 2), "{words:?}");
        assert_eq!(words.concat(), "教育局的通知");
    }
}
