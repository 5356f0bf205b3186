//! The relevance set: ≥ 100 query → expected-document pairs on real news text (People's
//! Daily 1998), hand-written county documents (Simplified and Traditional, disclosure
//! items with document numbers) and the Traditional, glossed seed; two-character
//! queries, phrases, synonyms, pinyin (suggestions and "did you mean") and typos.
//!
//! Prints precision and recall per category and overall, and FAILS below the floors.
//! Relevant sets: for plain substring queries, every document whose folded title or
//! body contains the folded query (computed by brute force); otherwise labelled by hand.
//! Recall is recall@10 against min(|relevant|, 10); precision is the share of returned
//! results (top 10) that are relevant.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, HashSet};

use common::{Lcg, build, county_docs, folded_text, news_docs, seed_docs};
use sitegroup_search::{SearchDoc, SearchQuery, Synonyms};
use sitegroup_text::fold::is_han;

/// Floors, set just under what was measured (see the printed numbers).
const FLOOR_PRECISION: f64 = 0.99;
const FLOOR_RECALL: f64 = 0.99;

enum Expect {
    /// Documents containing the (folded) query.
    Contains,
    /// These keys.
    Keys(&'static [&'static str]),
    /// Documents containing any of these (a term and its synonyms).
    ContainsAny(&'static [&'static str]),
    /// A suggestion for the prefix whose text contains this.
    Suggests(&'static str),
    /// No result, and "did you mean" containing this.
    DidYouMean(&'static str),
}

struct Case {
    category: &'static str,
    query: String,
    expect: Expect,
}

fn case(category: &'static str, query: &str, expect: Expect) -> Case {
    Case { category, query: query.to_string(), expect }
}

fn hand_cases() -> Vec<Case> {
    use Expect::*;
    let mut v = Vec::new();
    for q in [
        "植树",
        "造林",
        "招生",
        "义务教育",
        "预算绩效",
        "防汛",
        "应急演练",
        "欺诈骗保",
        "乡村振兴",
        "三公经费",
        "营商环境",
        "一网通办",
        "招聘会",
        "最低生活保障",
        "老旧小区",
        "加装电梯",
        "耕地保护",
        "不动产登记",
        "返乡农民工",
        "明前茶",
        "雨污分流",
        "划片招生",
        "就近入学",
    ] {
        v.push(case("county", q, Contains));
    }
    // Traditional documents found by Simplified queries, and Traditional queries.
    for q in [
        "政府网站管理",
        "栏目更新",
        "义诊",
        "健康咨询",
        "台湾同胞",
        "电缆产业",
        "农业保险",
        "保费补贴",
        "政府網站管理",
        "義診",
        "農業保險",
        "臺灣同胞",
        "裡面",
        "衛生健康委員會",
        "規範政府網站",
    ] {
        v.push(case("traditional", q, Contains));
    }
    // The seed: Traditional with pinyin glosses inside words.
    for q in [
        "优秀政府网站",
        "优秀企业",
        "创新",
        "乡镇政府网站",
        "县直部门",
        "网站群",
        "联系",
        "信息发布",
        "务工创业",
        "家乡",
        "發布會議",
        "節節攀升",
        "县长信箱",
    ] {
        v.push(case("seed", q, Contains));
    }
    // Document numbers, whole and by parts, in several widths and bracket forms.
    v.push(case("doc_number", "无政〔2024〕12号", Keys(&["county:19"])));
    v.push(case("doc_number", "无政办〔2024〕35号", Keys(&["county:20"])));
    v.push(case("doc_number", "无教〔2024〕7号", Keys(&["county:21"])));
    v.push(case("doc_number", "无财〔2024〕21号", Keys(&["county:22"])));
    v.push(case("doc_number", "無財〔2024〕21號", Keys(&["county:22"])));
    v.push(case("doc_number", "无政 12号", Keys(&["county:19"])));
    v.push(case("doc_number", "无政办", Keys(&["county:20"])));
    v.push(case("doc_number", "〔2024〕35号", Keys(&["county:20"])));
    v.push(case("doc_number", "无政[2024]12号", Keys(&["county:19"])));
    v.push(case("doc_number", "无政〔２０２４〕１２号", Keys(&["county:19"])));
    // Synonyms (县长信箱 ~ 县长邮箱, 低保 ~ 最低生活保障, 医保 ~ 医疗保险 ~ 医疗保障).
    v.push(case("synonym", "县长邮箱", ContainsAny(&["县长邮箱", "县长信箱"])));
    v.push(case("synonym", "低保", ContainsAny(&["低保", "最低生活保障"])));
    v.push(case("synonym", "医保", ContainsAny(&["医保", "医疗保险", "医疗保障"])));
    v.push(case("synonym", "住房公积金", ContainsAny(&["住房公积金", "公积金"])));
    v.push(case("synonym", "社会保险", ContainsAny(&["社会保险", "社保"])));
    // Several terms (AND).
    v.push(case("multi", "无为县 防汛", Keys(&["county:19"])));
    v.push(case("multi", "高沟镇 演练", Keys(&["county:5"])));
    v.push(case("multi", "县长信箱 义务教育", Keys(&["county:2"])));
    v.push(case("multi", "教育局 民办学校", Keys(&["county:21"])));
    // Longer natural queries (words anywhere in the document).
    v.push(case("long", "无为县教育局招生通知", Keys(&["county:3"])));
    v.push(case("long", "县政府植树造林活动通知", Keys(&["county:1"])));
    v.push(case("long", "城乡居民医疗保险参保缴费", Keys(&["county:6"])));
    v.push(case("long", "打击欺诈骗取医保基金", Keys(&["county:7"])));
    v.push(case("long", "老旧小区改造加装电梯", Keys(&["county:13"])));
    v.push(case("long", "防汛抗旱应急预案", Keys(&["county:19"])));
    v.push(case("long", "民办学校年检结果", Keys(&["county:21"])));
    v.push(case("long", "農業保險保費補貼資金", Keys(&["county:22"])));
    // Pinyin and initials (suggestions as you type).
    for (q, want) in [
        ("wuweixian", "无为县"),
        ("wwx", "无为县"),
        ("wuwei", "无为"),
        ("jiaoyuju", "教育局"),
        ("fangxun", "防汛"),
        ("xzxx", "县长信箱"),
        ("yingshanghuanjing", "营商环境"),
        ("gaogouzhen", "高沟镇"),
        ("无为县教", "无为县教育局"),
        ("無為縣", "无为县"),
    ] {
        v.push(case("pinyin", q, Suggests(want)));
    }
    // Did you mean: pinyin typed into the box, one-character typos.
    v.push(case("did_you_mean", "wuweixian", DidYouMean("无为县")));
    v.push(case("did_you_mean", "yingshanghuanjing", DidYouMean("营商环境")));
    v.push(case("did_you_mean", "营商环竟", DidYouMean("营商环境")));
    v.push(case("did_you_mean", "乡村振性", DidYouMean("乡村振兴")));
    v.push(case("did_you_mean", "老旧小去", DidYouMean("老旧小区")));
    v
}

/// Generated known-item queries: rare two-character strings and four-character
/// strings of the news text, found by brute force.
fn generated_cases(docs: &[SearchDoc], texts: &[(String, String)]) -> Vec<Case> {
    let mut rng = Lcg(20_260_101);
    let mut out = Vec::new();
    let mut used = HashSet::new();
    let news: Vec<usize> = (0..docs.len()).filter(|&i| docs[i].key.starts_with("news:")).collect();
    for (len, want, category, max_docs) in [(2usize, 45usize, "two_char", 8usize), (4, 30, "phrase", 1)] {
        let mut made = 0;
        let mut tries = 0;
        while made < want && tries < 50_000 {
            tries += 1;
            let d = news[rng.next(news.len())];
            let body: Vec<char> = texts[d].1.chars().collect();
            if body.len() < len {
                continue;
            }
            let s = rng.next(body.len() - len + 1);
            let q: String = body[s..s + len].iter().collect();
            if !q.chars().all(is_han) || !used.insert(q.clone()) {
                continue;
            }
            let n = texts.iter().filter(|(t, b)| t.contains(&q) || b.contains(&q)).count();
            if (1..=max_docs).contains(&n) {
                out.push(case(category, &q, Expect::Contains));
                made += 1;
            }
        }
    }
    out
}

#[derive(Default)]
struct Score {
    queries: usize,
    precision: f64,
    recall: f64,
    failures: Vec<String>,
}

#[test]
fn relevance_set_meets_the_floor() {
    let mut docs = news_docs(1500);
    docs.extend(county_docs());
    docs.extend(seed_docs());
    let texts: Vec<(String, String)> = docs.iter().map(folded_text).collect();
    let index = build(&docs);
    let synonyms = Synonyms::parse(sitegroup_search::synonyms::DEFAULT_SYNONYMS);

    let mut cases = hand_cases();
    cases.extend(generated_cases(&docs, &texts));
    assert!(cases.len() >= 100, "only {} cases", cases.len());

    let mut by_cat: BTreeMap<&str, Score> = BTreeMap::new();
    for c in &cases {
        let s = by_cat.entry(c.category).or_default();
        s.queries += 1;
        let (p, r) = match &c.expect {
            Expect::Contains | Expect::Keys(_) | Expect::ContainsAny(_) => {
                let relevant: HashSet<String> = match &c.expect {
                    Expect::Keys(k) => k.iter().map(|s| s.to_string()).collect(),
                    Expect::ContainsAny(any) => docs
                        .iter()
                        .zip(&texts)
                        .filter(|(_, (t, b))| any.iter().any(|q| t.contains(q) || b.contains(q)))
                        .map(|(d, _)| d.key.clone())
                        .collect(),
                    _ => {
                        // The query and its synonym variants, as the engine defines them.
                        let q = sitegroup_search::highlight::compact(
                            &sitegroup_search::analysis::Analyzed::new(&c.query).folded.text,
                        );
                        let variants = synonyms.variants(&q);
                        docs.iter()
                            .zip(&texts)
                            .filter(|(_, (t, b))| variants.iter().any(|q| t.contains(q) || b.contains(q)))
                            .map(|(d, _)| d.key.clone())
                            .collect()
                    }
                };
                let res = index.search(&synonyms, &SearchQuery::text(&c.query)).unwrap();
                let got: Vec<String> = res.hits.iter().map(|h| h.key.clone()).collect();
                let hit = got.iter().filter(|k| relevant.contains(*k)).count();
                let p = if got.is_empty() { 0.0 } else { hit as f64 / got.len() as f64 };
                let r = if relevant.is_empty() { 1.0 } else { hit as f64 / relevant.len().min(10) as f64 };
                if p < 1.0 || r < 1.0 {
                    s.failures.push(format!("{:?}: p={p:.2} r={r:.2} got={got:?} want={relevant:?}", c.query));
                }
                (p, r)
            }
            Expect::Suggests(want) => {
                let sug = index.suggest(&[], &c.query, None, 10).unwrap();
                let ok = sug.iter().any(|s| s.text.contains(want));
                if !ok {
                    s.failures.push(format!(
                        "{:?}: suggestions {:?}",
                        c.query,
                        sug.iter().map(|s| &s.text).collect::<Vec<_>>()
                    ));
                }
                let v = if ok { 1.0 } else { 0.0 };
                (v, v)
            }
            Expect::DidYouMean(want) => {
                let res = index.search(&synonyms, &SearchQuery::text(&c.query)).unwrap();
                let ok = res.total == 0 && res.did_you_mean.as_deref().is_some_and(|d| d.contains(want));
                if !ok {
                    s.failures.push(format!("{:?}: total={} did_you_mean={:?}", c.query, res.total, res.did_you_mean));
                }
                let v = if ok { 1.0 } else { 0.0 };
                (v, v)
            }
        };
        s.precision += p;
        s.recall += r;
    }

    let (mut n, mut p, mut r) = (0usize, 0.0, 0.0);
    println!("relevance set: {} documents, {} queries", docs.len(), cases.len());
    println!("{:<14} {:>7} {:>9} {:>7}", "category", "queries", "precision", "recall");
    for (cat, s) in &by_cat {
        println!(
            "{:<14} {:>7} {:>9.3} {:>7.3}",
            cat,
            s.queries,
            s.precision / s.queries as f64,
            s.recall / s.queries as f64
        );
        for f in &s.failures {
            println!("    {f}");
        }
        n += s.queries;
        p += s.precision;
        r += s.recall;
    }
    let (p, r) = (p / n as f64, r / n as f64);
    println!("{:<14} {:>7} {:>9.3} {:>7.3}", "ALL", n, p, r);
    let two = &by_cat["two_char"];
    assert_eq!(two.recall / two.queries as f64, 1.0, "two-character queries must all be found");
    assert!(p >= FLOOR_PRECISION, "precision {p:.3} below the floor {FLOOR_PRECISION}");
    assert!(r >= FLOOR_RECALL, "recall {r:.3} below the floor {FLOOR_RECALL}");
}
