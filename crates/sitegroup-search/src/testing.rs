//! The relevance set of search (shared by `tests/relevance.rs` and the benchmarks in
//! `benches/`): ≥ 100 query → expected-document pairs on real news text (People's Daily
//! 1998, read from `../shared/corpus/`), hand-written county documents (Simplified and
//! Traditional, disclosure items with document numbers) and the Traditional, glossed
//! seed (`../shared/seed/`); two-character queries, phrases, synonyms, pinyin
//! (suggestions and "did you mean") and typos.
//!
//! Test support only: it reads files beside the workspace and is never used by the
//! engine. Relevant sets: for plain substring queries, every document whose folded title
//! or body contains the folded query (computed by brute force); otherwise labelled by
//! hand. Recall is recall@10 against min(|relevant|, 10); precision is the share of
//! returned results (top 10) that are relevant.

use std::collections::HashSet;

use sitegroup_text::fold::is_han;

use crate::source::{DisclosureFields, SearchDoc};
use crate::synonyms::Synonyms;

/// The People's Daily corpus (January 1998).
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/peoples-daily-199801.txt");
/// The Traditional, glossed seed text.
pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed/wuwei-county-site-group.zh.txt");

/// The documents and cases of the relevance set.
pub struct RelevanceSet {
    /// 1,500 news articles, the county documents and the seed.
    pub docs: Vec<SearchDoc>,
    /// Folded (title, body) of each document, in the order of `docs`.
    pub texts: Vec<(String, String)>,
    /// The queries: hand-labelled, then generated from the news text.
    pub cases: Vec<Case>,
}

/// Loads the relevance set (reads the corpus and the seed).
pub fn relevance_set() -> std::io::Result<RelevanceSet> {
    let mut docs = news_docs(1500)?;
    docs.extend(county_docs());
    docs.extend(seed_docs()?);
    let texts: Vec<(String, String)> = docs.iter().map(folded_text).collect();
    let mut cases = hand_cases();
    cases.extend(generated_cases(&docs, &texts));
    Ok(RelevanceSet { docs, texts, cases })
}

impl RelevanceSet {
    /// The keys relevant to a search case (`None` for suggestion and "did you mean" cases).
    pub fn relevant(&self, c: &Case, synonyms: &Synonyms) -> Option<HashSet<String>> {
        let docs = &self.docs;
        let texts = &self.texts;
        Some(match &c.expect {
            Expect::Keys(k) => k.iter().map(|s| s.to_string()).collect(),
            Expect::ContainsAny(any) => docs
                .iter()
                .zip(texts)
                .filter(|(_, (t, b))| any.iter().any(|q| t.contains(q) || b.contains(q)))
                .map(|(d, _)| d.key.clone())
                .collect(),
            Expect::Contains => {
                // The query and its synonym variants, as the engine defines them.
                let q = crate::highlight::compact(&crate::analysis::Analyzed::new(&c.query).folded.text);
                let variants = synonyms.variants(&q);
                docs.iter()
                    .zip(texts)
                    .filter(|(_, (t, b))| variants.iter().any(|q| t.contains(q) || b.contains(q)))
                    .map(|(d, _)| d.key.clone())
                    .collect()
            }
            Expect::Suggests(_) | Expect::DidYouMean(_) => return None,
        })
    }
}

/// (precision, recall) of the keys returned (the top 10) against the relevant set.
pub fn precision_recall(got: &[String], relevant: &HashSet<String>) -> (f64, f64) {
    let hit = got.iter().filter(|k| relevant.contains(*k)).count();
    let p = if got.is_empty() { 0.0 } else { hit as f64 / got.len() as f64 };
    let r = if relevant.is_empty() { 1.0 } else { hit as f64 / relevant.len().min(10) as f64 };
    (p, r)
}

const KINDS: [&str; 4] = ["article", "photo", "file", "article"];

fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    (4..=30).contains(&n) && !line.ends_with(['。', '！', '？', '”', '）', '：'])
}

/// Up to `n` news articles: a headline line starts an article; sites 1–5.
pub fn news_docs(n: usize) -> std::io::Result<Vec<SearchDoc>> {
    let text = std::fs::read_to_string(CORPUS)?;
    let mut docs: Vec<SearchDoc> = Vec::new();
    let mut title = String::new();
    let mut body: Vec<&str> = Vec::new();
    let flush = |title: &str, body: &mut Vec<&str>, docs: &mut Vec<SearchDoc>| {
        if !title.is_empty() && body.len() >= 2 {
            let i = docs.len() as i64;
            docs.push(SearchDoc {
                key: format!("news:{i}"),
                site: i % 5 + 1,
                column: Some(100 + i % 7),
                kind: KINDS[(i % 4) as usize].into(),
                title: title.to_string(),
                body: body.join("\n"),
                url: format!("/news/{i}.html"),
                published_at: 883_584_000 + i * 3_600,
                ..Default::default()
            });
        }
        body.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if is_headline(line) && body.len() >= 2 {
            flush(&title, &mut body, &mut docs);
            title = line.to_string();
            if docs.len() >= n {
                break;
            }
        } else if title.is_empty() {
            title = line.to_string();
        } else {
            body.push(line);
        }
    }
    docs.truncate(n);
    Ok(docs)
}

fn doc(key: &str, site: i64, kind: &str, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        key: key.into(),
        site,
        column: Some(1),
        kind: kind.into(),
        title: title.into(),
        body: body.into(),
        url: format!("/{key}.html"),
        published_at: 1_717_200_000,
        ..Default::default()
    }
}

fn disclosure(key: &str, title: &str, body: &str, organ: &str, number: &str) -> SearchDoc {
    let mut d = doc(key, 1, "disclosure", title, body);
    d.disclosure = Some(DisclosureFields {
        category: "综合政务".into(),
        organ: organ.into(),
        year: 2024,
        doc_number: Some(number.into()),
    });
    d
}

/// Hand-written county documents (keys `county:…`).
pub fn county_docs() -> Vec<SearchDoc> {
    vec![
        doc(
            "county:1",
            1,
            "article",
            "无为县人民政府关于开展2024年春季植树造林活动的通知",
            "各乡镇人民政府，县直各部门：为推进生态文明建设，县政府决定在全县开展春季植树造林活动。各乡镇要落实造林地块，确保苗木成活率。",
        ),
        doc(
            "county:2",
            1,
            "article",
            "县长信箱办理情况公示（2024年5月）",
            "本月县长信箱共收到群众来信126件，已全部按期办结。来信主要涉及道路建设、农村饮水安全和义务教育入学等问题。",
        ),
        doc(
            "county:3",
            2,
            "article",
            "无为县教育局关于2024年义务教育阶段招生入学工作的通知",
            "根据省市有关文件精神，现就我县2024年义务教育阶段公办学校招生入学工作通知如下：实行划片招生、免试就近入学。",
        ),
        doc(
            "county:4",
            3,
            "article",
            "县财政局召开预算绩效管理工作会议",
            "会议强调，要全面实施预算绩效管理，提高财政资金使用效益，对重点项目开展绩效评价。",
        ),
        doc(
            "county:5",
            1,
            "photo",
            "高沟镇开展防汛应急演练",
            "近日，高沟镇在长江大堤组织开展防汛应急演练，模拟管涌险情抢护和群众转移安置，提升了防汛抢险实战能力。",
        ),
        doc(
            "county:6",
            4,
            "article",
            "关于城乡居民基本医疗保险集中参保缴费的公告",
            "2025年度城乡居民医保集中参保缴费期为2024年9月1日至12月31日。参保人员可通过皖事通、银行网点等渠道缴费。",
        ),
        doc(
            "county:7",
            4,
            "article",
            "县医保局开展打击欺诈骗保专项行动",
            "为守护好人民群众的看病钱、救命钱，县医疗保障局联合卫健、公安等部门开展打击欺诈骗取医保基金专项整治行动。",
        ),
        doc(
            "county:8",
            1,
            "video",
            "襄安镇乡村振兴示范村建设纪实",
            "襄安镇依托特色产业发展乡村旅游，建成美丽乡村中心村12个，村集体经济收入稳步增长。",
        ),
        doc(
            "county:9",
            5,
            "file",
            "2024年县级财政预算公开表",
            "附件为2024年县级一般公共预算收支表、政府性基金预算表和三公经费预算表。",
        ),
        doc(
            "county:10",
            1,
            "article",
            "无为县优化营商环境若干措施",
            "深化放管服改革，推行一网通办，企业开办时间压缩至1个工作日以内，工程建设项目审批实现全流程网上办理。",
        ),
        doc(
            "county:11",
            2,
            "article",
            "县人社局举办春风行动专场招聘会",
            "招聘会共有86家企业参加，提供就业岗位3200余个，现场达成就业意向680人，助力返乡农民工就近就业。",
        ),
        doc(
            "county:12",
            3,
            "article",
            "关于做好最低生活保障对象年度复核工作的通知",
            "各乡镇要对低保对象家庭收入和财产状况进行全面复核，做到应保尽保、应退尽退，复核结果在村务公开栏公示。",
        ),
        doc(
            "county:13",
            1,
            "article",
            "无城镇老旧小区改造工程全面开工",
            "今年无城镇计划改造老旧小区18个，惠及居民4100余户，主要实施雨污分流、外墙保温和加装电梯等工程。",
        ),
        doc(
            "county:14",
            5,
            "article",
            "县自然资源局开展耕地保护专项检查",
            "检查组深入各乡镇，重点核查违法占用耕地建房、永久基本农田保护等情况，对发现的问题建立整改台账。",
        ),
        doc(
            "county:15",
            1,
            "link",
            "安徽政务服务网无为分厅",
            "通过安徽政务服务网无为分厅可在线办理社保、公积金、不动产登记等事项。",
        ),
        // Traditional (Taiwan / Hong Kong forms) county documents.
        doc(
            "county:16",
            1,
            "article",
            "無為縣人民政府辦公室關於加強政府網站管理的通知",
            "各鄉鎮人民政府，縣直各部門：為進一步規範政府網站建設，提升網站服務水準，現將有關事項通知如下：一、落實欄目更新責任制度。",
        ),
        doc(
            "county:17",
            2,
            "article",
            "縣衛健委開展義診進鄉村活動",
            "縣衛生健康委員會組織醫療專家深入鄉村開展義診，為群眾提供免費健康諮詢和常見病篩查服務，發放宣傳資料三千餘份。",
        ),
        doc(
            "county:18",
            3,
            "article",
            "裏面的台灣同胞參訪無為縣工業園區",
            "台灣同胞參訪團一行參觀了工業園區電纜產業展示館，對無為縣特種電纜產業的發展給予高度評價。",
        ),
        disclosure(
            "county:19",
            "无为县人民政府关于印发无为县防汛抗旱应急预案的通知",
            "现将《无为县防汛抗旱应急预案》印发给你们，请认真贯彻执行。",
            "无为县人民政府",
            "无政〔2024〕12号",
        ),
        disclosure(
            "county:20",
            "无为县人民政府办公室关于印发无为县城区停车管理办法的通知",
            "《无为县城区停车管理办法》已经县政府同意，现印发给你们，请遵照执行。",
            "无为县人民政府办公室",
            "无政办〔2024〕35号",
        ),
        disclosure(
            "county:21",
            "无为县教育局关于公布2024年民办学校年检结果的通知",
            "根据民办教育促进法有关规定，县教育局对全县民办学校进行了年度检查，现将结果公布。",
            "无为县教育局",
            "无教〔2024〕7号",
        ),
        disclosure(
            "county:22",
            "無為縣財政局關於下達2024年農業保險保費補貼資金的通知",
            "根據省財政廳文件要求，現下達2024年農業保險保費補貼資金，請各鄉鎮按規定及時撥付。",
            "無為縣財政局",
            "無財〔2024〕21號",
        ),
        doc(
            "county:23",
            1,
            "article",
            "县长邮箱来信选登：关于修缮乡村道路的建议",
            "群众来信反映村组道路破损严重，县交通运输局回复：已将该路段纳入今年农村公路提质改造计划。",
        ),
        doc(
            "county:24",
            4,
            "article",
            "住房公积金提取业务办理指南",
            "职工购买、建造、翻建、大修自住住房的，可以申请提取住房公积金，办理时需提供身份证明和购房合同。",
        ),
        doc(
            "county:25",
            5,
            "photo",
            "严桥镇茶园春色",
            "严桥镇万亩茶园进入采摘期，茶农抢抓农时采摘明前茶，一派繁忙景象。",
        ),
    ]
}

/// The seed (Traditional with pinyin glosses inside words), as three documents.
pub fn seed_docs() -> std::io::Result<Vec<SearchDoc>> {
    let text = std::fs::read_to_string(SEED)?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let third = lines.len().div_ceil(3);
    Ok(lines
        .chunks(third.max(1))
        .enumerate()
        .map(|(i, chunk)| SearchDoc {
            key: format!("seed:{i}"),
            site: 1,
            column: Some(2),
            kind: "article".into(),
            title: if i == 0 {
                "無為縣政府網站情況介紹".into()
            } else {
                format!("無為縣政府網站建設經驗（{}）", i + 1)
            },
            body: chunk.join("\n"),
            url: format!("/seed/{i}.html"),
            published_at: 1_288_000_000,
            ..Default::default()
        })
        .collect())
}

/// What a case expects.
pub enum Expect {
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

/// One query of the relevance set.
pub struct Case {
    /// Category (`two_char`, `doc_number`, `pinyin`, ...).
    pub category: &'static str,
    /// What the user types.
    pub query: String,
    /// What must be found.
    pub expect: Expect,
}

fn case(category: &'static str, query: &str, expect: Expect) -> Case {
    Case { category, query: query.to_string(), expect }
}

/// The hand-labelled cases.
pub fn hand_cases() -> Vec<Case> {
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
pub fn generated_cases(docs: &[SearchDoc], texts: &[(String, String)]) -> Vec<Case> {
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

/// Folded title + body of a document (what the recall guarantee is about).
pub fn folded_text(d: &SearchDoc) -> (String, String) {
    let f = |s: &str| crate::analysis::Analyzed::new(s).folded.text;
    (f(&d.title), f(&d.body))
}

/// A small deterministic generator (no extra dependency).
struct Lcg(pub u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}
