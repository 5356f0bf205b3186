//! Shared data for the benchmarks: synthetic site trees shaped like a large group.

use sitegroup_core::site::{Site, SiteIdentity, SiteKind, SiteStatus};
use sitegroup_core::{SiteId, UnitId};

/// A group of `n` sites: one portal, websites every 100th site (each with a host), and
/// department/township channels with path prefixes under their website; every 10th
/// channel has a topic under it with a two-segment prefix.
pub fn synthetic_sites(n: usize) -> Vec<Site> {
    let mut sites = Vec::with_capacity(n);
    let base = |id: i64, kind: SiteKind, parent: Option<i64>| Site {
        id: SiteId(id),
        code: format!("s{id}"),
        name: format!("站点{id}"),
        short_name: None,
        kind,
        parent: parent.map(SiteId),
        unit: Some(UnitId(id)),
        status: SiteStatus::Open,
        path_prefix: None,
        hosts: vec![],
        identity: SiteIdentity::default(),
        is_template: false,
        created_at: 0,
    };
    sites.push(Site { hosts: vec!["www.example.gov.cn".into()], ..base(1, SiteKind::Portal, None) });
    let mut website = 1i64;
    let mut last_channel = 1i64;
    for i in 2..=n as i64 {
        let site = if i % 100 == 0 {
            website = i;
            Site { hosts: vec![format!("w{i}.example.gov.cn")], ..base(i, SiteKind::Website, Some(1)) }
        } else if i % 10 == 0 {
            let parent_prefix = format!("/c{last_channel}");
            Site { path_prefix: Some(format!("{parent_prefix}/zt{i}")), ..base(i, SiteKind::Topic, Some(last_channel)) }
        } else {
            last_channel = i;
            let kind = if i % 2 == 0 { SiteKind::Department } else { SiteKind::Township };
            Site { path_prefix: Some(format!("/c{i}")), ..base(i, kind, Some(website)) }
        };
        sites.push(site);
    }
    sites
}

/// The baseline the map resolver is measured against: a linear scan over every site
/// comparing hosts and prefixes, as a naive implementation would.
pub fn resolve_by_scan<'a>(sites: &'a [Site], host: &str, path: &str) -> Option<&'a Site> {
    let by_host = sites.iter().find(|s| s.hosts.iter().any(|h| h == host));
    let mut best: Option<&Site> = None;
    for s in sites {
        if let Some(p) = &s.path_prefix {
            let matches = path == p || path.starts_with(&format!("{p}/"));
            if matches && best.is_none_or(|b| b.path_prefix.as_ref().is_none_or(|bp| bp.len() < p.len())) {
                best = Some(s);
            }
        }
    }
    best.or(by_host)
}

/// The real-text corpus shipped beside the project (`../shared/corpus/` from the
/// workspace root): People's Daily, January 1998, one paragraph per line.
pub fn corpus_paragraphs() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/peoples-daily-199801.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("corpus at {}: {e}", path.display()));
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// `n` distinct words of 2–4 Han characters cut from the corpus at deterministic
/// positions: a word list the size of a real prohibited/sensitive list.
pub fn corpus_word_list(paragraphs: &[String], n: usize) -> Vec<String> {
    let mut words = std::collections::BTreeSet::new();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    while words.len() < n {
        let p = &paragraphs[(next() % paragraphs.len() as u64) as usize];
        let chars: Vec<char> = p.chars().collect();
        let len = 2 + (next() % 3) as usize;
        if chars.len() <= len {
            continue;
        }
        let start = (next() % (chars.len() - len) as u64) as usize;
        let word: String = chars[start..start + len].iter().collect();
        if word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            words.insert(word);
        }
    }
    words.into_iter().collect()
}

/// `n` distinct 2–4 character words of rare characters (CJK Extension A) that do not
/// occur in ordinary news text: a prohibited list whose words a clean document does
/// not contain, so publishing benchmarks measure checking rather than refusals.
pub fn rare_word_list(n: usize) -> Vec<String> {
    let mut words = Vec::with_capacity(n);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    while words.len() < n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = 2 + (state % 3) as usize;
        let word: String =
            (0..len).filter_map(|i| char::from_u32(0x3400 + ((state >> (8 * i + 3)) % 0x19B0) as u32)).collect();
        words.push(word);
    }
    words.sort();
    words.dedup();
    words
}

// ---------------------------------------------------------------- search corpora (issue 4)

/// Kinds of the generated search corpora (six, as a site group publishes).
pub const SEARCH_KINDS: [&str; 6] = ["article", "disclosure", "photo", "file", "service", "reply"];
/// Sites of the generated search corpora (a county group: portal, departments, townships).
pub const SEARCH_SITES: u64 = 71;
/// 2021-01-01 00:00 UTC: the generated documents are dated over the five years after it.
const DATES_FROM: i64 = 1_609_459_200;
const FIVE_YEARS: u64 = 1_826 * 86_400;
/// Issuing organs of disclosure items: (document-number prefix, organ).
const ORGANS: [(&str, &str); 8] = [
    ("无政", "无为县人民政府"),
    ("无政办", "无为县人民政府办公室"),
    ("无教", "无为县教育局"),
    ("无财", "无为县财政局"),
    ("无卫健", "无为县卫生健康委员会"),
    ("无农", "无为县农业农村局"),
    ("无人社", "无为县人力资源和社会保障局"),
    ("无自然资", "无为县自然资源和规划局"),
];

/// xorshift64: deterministic and dependency-free.
#[derive(Debug, Clone)]
pub struct XorShift(pub u64);

impl XorShift {
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Generates search documents from the corpus paragraphs: lengths 300–2,000 characters
/// (skewed towards short, mean ≈ 870), a title from the first sentence, 71 sites, 6
/// kinds, dates over 2021–2025, disclosure items with document numbers unique per
/// organ and year (`无政〔2023〕17号`).
#[derive(Debug)]
pub struct SearchCorpus<'a> {
    paragraphs: &'a [String],
    rng: XorShift,
    next_id: u64,
    numbers: std::collections::HashMap<(usize, i64), u32>,
}

impl<'a> SearchCorpus<'a> {
    /// A generator over `paragraphs` with a seed.
    pub fn new(paragraphs: &'a [String], seed: u64) -> SearchCorpus<'a> {
        SearchCorpus { paragraphs, rng: XorShift(seed | 1), next_id: 0, numbers: Default::default() }
    }

    fn target_len(&mut self) -> usize {
        let u = self.rng.below(1000) as f64 / 1000.0;
        300 + (1_700.0 * u * u) as usize
    }

    /// County corpus: `n` articles of CONSECUTIVE paragraphs. The 1.8 M-character text
    /// yields about 2,000 such articles per pass; each further pass starts at another
    /// offset with other lengths, so articles are cut at other boundaries.
    pub fn county(mut self, n: usize) -> Vec<sitegroup_search::SearchDoc> {
        let total = self.paragraphs.len();
        let mut docs = Vec::with_capacity(n);
        while docs.len() < n {
            let start = self.rng.below(total);
            let mut i = 0;
            while i < total && docs.len() < n {
                let target = self.target_len();
                let mut picked: Vec<&str> = Vec::new();
                let mut len = 0;
                while len < target && i < total {
                    let p = &self.paragraphs[(start + i) % total];
                    len += p.chars().count();
                    picked.push(p);
                    i += 1;
                }
                docs.push(self.doc(&picked));
            }
        }
        docs
    }

    /// Province corpus, one document at a time: paragraphs recombined ACROSS articles
    /// (runs of 1–3 consecutive paragraphs from random places) up to the target length,
    /// so documents differ from each other while the text stays real.
    pub fn recombined(&mut self) -> sitegroup_search::SearchDoc {
        let total = self.paragraphs.len();
        let target = self.target_len();
        let mut picked: Vec<&str> = Vec::new();
        let mut len = 0;
        while len < target {
            let start = self.rng.below(total);
            let run = 1 + self.rng.below(3);
            for k in 0..run {
                let p = &self.paragraphs[(start + k) % total];
                len += p.chars().count();
                picked.push(p);
                if len >= target {
                    break;
                }
            }
        }
        self.doc(&picked)
    }

    fn doc(&mut self, paragraphs: &[&str]) -> sitegroup_search::SearchDoc {
        let id = self.next_id;
        self.next_id += 1;
        let mut body = paragraphs.join("\n");
        if let Some((cut, _)) = body.char_indices().nth(2_000) {
            body.truncate(cut);
        }
        let site = 1 + self.rng.next_u64() % SEARCH_SITES;
        let kind = SEARCH_KINDS[self.rng.below(SEARCH_KINDS.len())];
        let published_at = DATES_FROM + (self.rng.next_u64() % FIVE_YEARS) as i64;
        let year = 2021 + (published_at - DATES_FROM) / (FIVE_YEARS as i64 / 5);
        let disclosure = (kind == "disclosure").then(|| {
            let organ = self.rng.below(ORGANS.len());
            let number = self.numbers.entry((organ, year)).or_insert(0);
            *number += 1;
            sitegroup_search::DisclosureFields {
                category: "综合政务".into(),
                organ: ORGANS[organ].1.into(),
                year: year as i32,
                doc_number: Some(format!("{}〔{year}〕{number}号", ORGANS[organ].0)),
            }
        });
        sitegroup_search::SearchDoc {
            key: format!("doc:{id}"),
            site: site as i64,
            column: Some((site * 100 + self.rng.next_u64() % 12) as i64),
            kind: kind.into(),
            title: first_sentence(paragraphs.first().copied().unwrap_or_default()),
            body,
            url: format!("/s{site}/{id}.html"),
            published_at,
            disclosure,
            ..Default::default()
        }
    }
}

/// The first sentence of a paragraph (up to 。！？；), at most 40 characters.
pub fn first_sentence(p: &str) -> String {
    let end = p.find(['。', '！', '？', '；']).unwrap_or(p.len());
    let s: String = p[..end].chars().take(40).collect();
    if s.chars().count() < 4 { p.chars().take(30).collect() } else { s }
}

fn han_run(chars: &[char], start: usize, len: usize) -> Option<String> {
    let w = chars.get(start..start + len)?;
    w.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).then(|| w.iter().collect())
}

/// Frequent two-term queries of government news (each term alone matches many documents).
pub const COMMON_TWO_TERM: [&str; 40] = [
    "经济 发展",
    "改革 开放",
    "农民 收入",
    "国有企业 改革",
    "科技 教育",
    "香港 回归",
    "环境 保护",
    "扶贫 开发",
    "社会 保障",
    "农业 生产",
    "基础 设施",
    "人民 群众",
    "领导 干部",
    "精神文明 建设",
    "市场 经济",
    "对外 开放",
    "下岗 职工",
    "再就业 工程",
    "法制 建设",
    "金融 风险",
    "粮食 生产",
    "交通 建设",
    "医疗 卫生",
    "文化 事业",
    "廉政 建设",
    "民主 法制",
    "企业 改革",
    "体制 改革",
    "消费 市场",
    "农村 电网",
    "水利 建设",
    "春节 慰问",
    "困难 职工",
    "安全 生产",
    "城市 建设",
    "外资 企业",
    "中小 企业",
    "银行 贷款",
    "税收 征管",
    "物价 上涨",
];

/// `n` two-term queries: the 40 frequent pairs, then pairs of 2–3 character Han runs
/// taken from one document at least 10 characters apart (so they co-occur there).
pub fn two_term_queries(docs: &[sitegroup_search::SearchDoc], n: usize, seed: u64) -> Vec<String> {
    let mut out: Vec<String> = COMMON_TWO_TERM.iter().take(n).map(|s| s.to_string()).collect();
    let mut rng = XorShift(seed | 1);
    while out.len() < n {
        let chars: Vec<char> = docs[rng.below(docs.len())].body.chars().collect();
        if chars.len() < 40 {
            continue;
        }
        let a = rng.below(chars.len() - 20);
        let b = a + 10 + rng.below(chars.len() - a - 13);
        let (la, lb) = (2 + rng.below(2), 2 + rng.below(2));
        if let (Some(x), Some(y)) = (han_run(&chars, a, la), han_run(&chars, b, lb)) {
            out.push(format!("{x} {y}"));
        }
    }
    out
}

/// `n` distinct two-character Han queries cut from document bodies.
pub fn two_char_queries(docs: &[sitegroup_search::SearchDoc], n: usize, seed: u64) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut rng = XorShift(seed | 1);
    while out.len() < n {
        let chars: Vec<char> = docs[rng.below(docs.len())].body.chars().collect();
        if chars.len() < 3 {
            continue;
        }
        if let Some(w) = han_run(&chars, rng.below(chars.len() - 2), 2) {
            out.insert(w);
        }
    }
    let mut v: Vec<String> = out.into_iter().collect();
    let mut r2 = XorShift(seed.rotate_left(7) | 1);
    for i in (1..v.len()).rev() {
        v.swap(i, r2.below(i + 1));
    }
    v
}

/// `n` document-number queries with the key of the document bearing each number.
pub fn doc_number_queries(docs: &[sitegroup_search::SearchDoc], n: usize, seed: u64) -> Vec<(String, String)> {
    let numbered: Vec<(String, String)> =
        docs.iter().filter_map(|d| Some((d.disclosure.as_ref()?.doc_number.clone()?, d.key.clone()))).collect();
    let mut rng = XorShift(seed | 1);
    (0..n.min(numbered.len())).map(|_| numbered[rng.below(numbered.len())].clone()).collect()
}
