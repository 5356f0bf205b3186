//! Test documents: real news text (People's Daily, January 1998) cut into articles,
//! hand-written county documents (Simplified and Traditional, disclosure items with
//! document numbers) and the Traditional, glossed seed text.
#![allow(dead_code, clippy::unwrap_used)]

use sitegroup_search::{DisclosureFields, PublicIndex, SearchDoc, SearchIndex};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/peoples-daily-199801.txt");
pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed/wuwei-county-site-group.zh.txt");

const KINDS: [&str; 4] = ["article", "photo", "file", "article"];

fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    (4..=30).contains(&n) && !line.ends_with(['。', '！', '？', '”', '）', '：'])
}

/// Up to `n` news articles: a headline line starts an article; sites 1–5.
pub fn news_docs(n: usize) -> Vec<SearchDoc> {
    let text = std::fs::read_to_string(CORPUS).unwrap();
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
    docs
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
pub fn seed_docs() -> Vec<SearchDoc> {
    let text = std::fs::read_to_string(SEED).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let third = lines.len().div_ceil(3);
    lines
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
        .collect()
}

/// An in-memory public index holding `docs`.
pub fn build(docs: &[SearchDoc]) -> PublicIndex {
    let index = SearchIndex::create_in_ram().unwrap();
    let mut w = index.writer(60_000_000, 2).unwrap();
    for d in docs {
        w.add(d).unwrap();
    }
    w.commit(Some(0)).unwrap();
    w.finish().unwrap();
    index.reload().unwrap();
    PublicIndex::new(index)
}

/// Folded title + body of a document (what the recall guarantee is about).
pub fn folded_text(d: &SearchDoc) -> (String, String) {
    let f = |s: &str| sitegroup_search::analysis::Analyzed::new(s).folded.text;
    (f(&d.title), f(&d.body))
}

/// A small deterministic generator (no extra dependency).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}
