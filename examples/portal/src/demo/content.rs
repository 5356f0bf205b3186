//! The demo's columns and content: each site's column skeleton with owners (栏目责任人)
//! and update duties, and the seed's volumes of published documents — on the portal
//! 6,170 news items, 1,365 photo reports, 4,122 video news, 2,570 tender and
//! procurement notices; across the units 2,880 township and department news items; and
//! over 9,000 disclosure items (index numbers, organs, document numbers such as
//! 无政〔2024〕12号, categories, some amended or repealed) — spread over the last five
//! years, dynamic columns getting more than 8 items a day recently.
//!
//! Owners and duties are chosen so that the column-health page shows both healthy and
//! lapsed columns: some columns were last updated months ago, a few are blank.
//!
//! Documents go in through `import_published_batch` in chunks of [`CHUNK`] (one
//! transaction per chunk), on two threads so that one prepares (sanitises and checks)
//! while the other writes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;

use chrono::{Datelike, NaiveDate};
use sitegroup::content::{Attachment, DisclosureMeta, DocInput, DocKind, DocumentForm, PhotoImage, Validity};
use sitegroup::{
    Actor, Column, ColumnChange, ColumnKind, Duty, Error, ImportDocument, NewColumn, Origin, Owner, SiteGroup, SiteId,
};

use super::images;
use super::text::{Rng, Text, html_escape, subject};
use super::{PORTAL, channels};

/// Documents per import transaction.
pub const CHUNK: usize = 500;
/// Seed of the generator.
const SEED: u64 = 0x5174_e9a0_2025;
const DAY: i64 = 86_400;
/// How far back the content goes.
const SPAN_DAYS: i64 = 5 * 365;

/// What seeding put in.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Columns created.
    pub columns: usize,
    /// Documents published, by kind name (`article`, `photo` …).
    pub by_kind: std::collections::BTreeMap<String, usize>,
    /// Documents the import refused (should be none).
    pub refused: usize,
    /// The first refusal, for the message.
    pub first_refusal: Option<String>,
    /// Whether body text came from the corpus.
    pub from_corpus: bool,
}

impl Report {
    /// All documents published.
    pub fn total(&self) -> usize {
        self.by_kind.values().sum()
    }
}

/// What a column's documents look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gen {
    News,
    Photo,
    Video,
    Tender,
    Notice,
    Interpretation,
    Personnel,
    Plan,
    Disclosure(&'static str),
    Single,
}

/// When a column's documents were published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    /// `per_day` a day over the last month, the rest over five years.
    Fresh { per_day: i64 },
    /// Over five years, the newest `newest_days` ago.
    Spread { newest_days: i64 },
}

/// One column of a skeleton.
#[derive(Debug, Clone)]
struct ColumnPlan {
    key: &'static str,
    name: &'static str,
    slug: &'static str,
    parent: Option<&'static str>,
    kind: ColumnKind,
    duty: Duty,
    maker: Gen,
    count: usize,
    when: When,
    topic: Option<(NaiveDate, Option<NaiveDate>, u32)>,
}

fn col(key: &'static str, name: &'static str, slug: &'static str, kind: ColumnKind, duty: Duty) -> ColumnPlan {
    ColumnPlan {
        key,
        name,
        slug,
        parent: None,
        kind,
        duty,
        maker: Gen::News,
        count: 0,
        when: When::Spread { newest_days: 3 },
        topic: None,
    }
}

impl ColumnPlan {
    fn under(mut self, parent: &'static str) -> Self {
        self.parent = Some(parent);
        self
    }
    fn docs(mut self, maker: Gen, count: usize, when: When) -> Self {
        self.maker = maker;
        self.count = count;
        self.when = when;
        self
    }
    fn topic(mut self, starts: NaiveDate, ends: Option<NaiveDate>, banner: u32) -> Self {
        self.topic = Some((starts, ends, banner));
        self
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// `full` at full scale; at small scale a few (`small`).
fn n(scale: super::Scale, full: usize, small: usize) -> usize {
    match scale {
        super::Scale::Full => full,
        super::Scale::Small => small,
    }
}

/// The portal's skeleton.
fn portal_plan(scale: super::Scale) -> Vec<ColumnPlan> {
    use ColumnKind::{Disclosure, Link, List, SinglePage, Topic};
    use Duty::{News, Notice, Personnel, Static};
    let fresh = |per_day| When::Fresh { per_day };
    let spread = |newest_days| When::Spread { newest_days };
    vec![
        col("yaowen", "要闻动态", "ywdt", List, News).docs(Gen::News, n(scale, 6170, 45), fresh(5)),
        col("photo", "图片新闻", "tpxw", List, News).docs(Gen::Photo, n(scale, 1365, 6), fresh(2)),
        col("video", "视频新闻", "spxw", List, News).docs(Gen::Video, n(scale, 4122, 6), fresh(3)),
        col("towns", "乡镇动态", "xzdt", List, News).docs(Gen::News, n(scale, 260, 4), fresh(1)),
        col("depts", "部门动态", "bmdt", List, News).docs(Gen::News, n(scale, 240, 4), fresh(1)),
        col("tender", "招标采购", "zbcg", List, Notice).docs(Gen::Tender, n(scale, 2570, 8), spread(1)),
        // Created as /gonggao and renamed to /tzgg: the old path redirects.
        col("notices", "通知公告", "gonggao", List, Notice).docs(Gen::Notice, n(scale, 640, 25), spread(2)),
        col("policy", "政策文件", "zcwj", List, Notice).docs(Gen::Disclosure("综合政务"), n(scale, 360, 3), spread(9)),
        col("interp", "政策解读", "zcjd", List, Notice).docs(Gen::Interpretation, n(scale, 420, 3), spread(12)),
        col("personnel", "人事信息", "rsxx", List, Personnel).docs(Gen::Personnel, n(scale, 210, 3), spread(40)),
        // Lapsed: planning documents are due yearly, the last one is 14 months old.
        col("plans", "规划计划", "ghjh", List, Personnel).docs(Gen::Plan, n(scale, 48, 2), spread(425)),
        col("xxgk", "信息公开", "xxgk", Disclosure, Notice),
        col("jgzn", "机构职能", "jgzn", SinglePage, Static).under("xxgk").docs(Gen::Single, 1, spread(700)),
        col("fgwj", "法规文件", "fgwj", List, Notice).under("xxgk").docs(
            Gen::Disclosure("综合政务"),
            n(scale, 1200, 6),
            spread(5),
        ),
        col("czxx", "财政信息", "czxx", List, Notice).under("xxgk").docs(
            Gen::Disclosure("财政、金融、审计"),
            n(scale, 900, 4),
            spread(20),
        ),
        // Lapsed: notices are due every six months, the last one is 7 months old.
        col("zdly", "重点领域信息", "zdly", List, Notice).under("xxgk").docs(
            Gen::Disclosure("城乡建设、环境保护"),
            n(scale, 700, 3),
            spread(215),
        ),
        col("gknb", "政府信息公开年报", "gknb", List, Personnel).under("xxgk").docs(
            Gen::Disclosure("综合政务"),
            n(scale, 5, 1),
            spread(60),
        ),
        col("ztzl", "专题专栏", "ztzl", List, Static),
        col("t1", "学习贯彻党的二十大精神", "xxgc", Topic, Static)
            .under("ztzl")
            .topic(date(2022, 10, 16), Some(date(2023, 12, 31)), 0)
            .docs(Gen::News, n(scale, 6, 1), spread(900)),
        col("t1a", "中央精神", "zyjs", List, News).under("t1").docs(Gen::News, n(scale, 60, 2), spread(880)),
        col("t1b", "基层声音", "jcsy", List, News).under("t1").docs(Gen::News, n(scale, 40, 2), spread(870)),
        col("t2", "优化营商环境", "yshj", Topic, Static).under("ztzl").topic(date(2023, 3, 1), None, 1).docs(
            Gen::News,
            n(scale, 5, 1),
            spread(30),
        ),
        col("t2a", "政策措施", "zccs", List, Notice).under("t2").docs(
            Gen::Disclosure("商贸、海关、旅游"),
            n(scale, 50, 2),
            spread(25),
        ),
        col("t2b", "工作动态", "gzdt", List, News).under("t2").docs(Gen::News, n(scale, 80, 3), spread(2)),
        col("t3", "乡村振兴", "xczx", Topic, Static)
            .under("ztzl")
            .topic(date(2021, 6, 1), Some(date(2026, 12, 31)), 2)
            .docs(Gen::News, n(scale, 4, 1), spread(20)),
        col("t3a", "政策文件", "zcwj", List, Notice).under("t3").docs(
            Gen::Disclosure("农业、林业、水利"),
            n(scale, 30, 2),
            spread(45),
        ),
        // Blank: nobody has filled it yet.
        col("t3b", "典型案例", "dxal", List, News).under("t3"),
        col("about", "走进无为", "zjww", SinglePage, Static).docs(Gen::Single, 1, spread(400)),
        col("zwfw", "政务服务", "zwfw", Link, Static),
    ]
}

/// A channel's skeleton; `i` varies counts and freshness between units.
fn channel_plan(scale: super::Scale, i: usize, news: usize, rng: &mut Rng) -> Vec<ColumnPlan> {
    use ColumnKind::{Disclosure, List, SinglePage};
    use Duty::{News, Notice, Personnel, Static};
    // About one unit in six lets its news lapse (2–4 months); the others post weekly.
    let lapsed = i % 6 == 5;
    let news_when = if lapsed {
        When::Spread { newest_days: rng.range(35, 120) }
    } else {
        When::Spread { newest_days: rng.range(0, 6) }
    };
    let small = |full: usize, small: usize| n(scale, full, small);
    let first_units = i < 4;
    vec![
        col("gzdt", "工作动态", "gzdt", List, News).docs(
            Gen::News,
            small(news, usize::from(first_units) * 3),
            news_when,
        ),
        col("tzgg", "通知公告", "tzgg", List, Notice).docs(
            Gen::Notice,
            small(rng.range(5, 20) as usize, usize::from(first_units)),
            When::Spread { newest_days: rng.range(3, 90) },
        ),
        col("xxgk", "信息公开", "xxgk", Disclosure, Notice),
        col("zcwj", "政策文件", "zcwj", List, Notice).under("xxgk").docs(
            Gen::Disclosure(""),
            small(rng.range(30, 60) as usize, usize::from(first_units) * 2),
            When::Spread { newest_days: rng.range(5, 120) },
        ),
        col("czzj", "财政资金", "czzj", List, Notice).under("xxgk").docs(
            Gen::Disclosure("财政、金融、审计"),
            small(rng.range(25, 50) as usize, usize::from(first_units)),
            // Some units' budget disclosure is overdue (more than half a year old).
            When::Spread { newest_days: if i % 7 == 3 { rng.range(190, 300) } else { rng.range(10, 150) } },
        ),
        col("rsxx", "人事信息", "rsxx", List, Personnel).under("xxgk").docs(
            Gen::Disclosure("劳动、人事、监察"),
            small(rng.range(4, 12) as usize, usize::from(first_units)),
            When::Spread { newest_days: rng.range(20, 500) },
        ),
        col("jggk", "机构概况", "jggk", SinglePage, Static).docs(Gen::Single, 1, When::Spread { newest_days: 600 }),
        // A few units have never filled in their leaders' page (blank columns).
        col("ldxx", "领导信息", "ldxx", List, Personnel).docs(
            Gen::Personnel,
            if i % 9 == 4 { 0 } else { small(rng.range(2, 5) as usize, usize::from(first_units)) },
            When::Spread { newest_days: rng.range(30, 300) },
        ),
    ]
}

/// The unit news (工作动态) per channel at full scale: 2,880 in all, uneven.
fn unit_news_counts(units: usize) -> Vec<usize> {
    const TOTAL: usize = 2880;
    let mut rng = Rng::derive(SEED, "unit-news");
    let weights: Vec<usize> = (0..units).map(|_| rng.range(10, 60) as usize).collect();
    let sum: usize = weights.iter().sum::<usize>().max(1);
    let mut counts: Vec<usize> = weights.iter().map(|w| w * TOTAL / sum).collect();
    let short = TOTAL - counts.iter().sum::<usize>().min(TOTAL);
    for c in counts.iter_mut().take(short) {
        *c += 1;
    }
    counts
}

/// One site to seed.
struct SitePlan {
    site: SiteId,
    code: String,
    organ: String,
    doc_prefix: String,
    columns: Vec<ColumnPlan>,
}

fn plans(group: &SiteGroup, scale: super::Scale) -> Result<Vec<SitePlan>, Error> {
    let portal = group.site(PORTAL.code)?;
    let mut out = vec![SitePlan {
        site: portal.id,
        code: PORTAL.code.into(),
        organ: PORTAL.name.into(),
        doc_prefix: "无政".into(),
        columns: portal_plan(scale),
    }];
    let chans = channels();
    let news = unit_news_counts(chans.len());
    for (i, c) in chans.iter().enumerate() {
        let site = group.site(&c.code)?;
        let mut rng = Rng::derive(SEED, &c.code);
        let short = c.name.trim_start_matches("无为县");
        let first: String = short.chars().take(1).collect();
        let doc_prefix = if c.kind == "township" { format!("{first}政") } else { format!("无{first}") };
        out.push(SitePlan {
            site: site.id,
            code: c.code.clone(),
            organ: c.unit_name.clone(),
            doc_prefix,
            columns: channel_plan(scale, i, news.get(i).copied().unwrap_or(0), &mut rng),
        });
    }
    Ok(out)
}

fn chunks_of(count: usize) -> u64 {
    count.div_ceil(CHUNK) as u64
}

/// Progress steps of [`seed_content`]: files, one per site's columns, one per chunk.
pub fn steps(scale: super::Scale) -> u64 {
    let mut steps = 1 + 1 + channels().len() as u64;
    steps += portal_plan(scale).iter().map(|c| chunks_of(c.count)).sum::<u64>();
    let news = unit_news_counts(channels().len());
    for (i, c) in channels().iter().enumerate() {
        let mut rng = Rng::derive(SEED, &c.code);
        steps += channel_plan(scale, i, news.get(i).copied().unwrap_or(0), &mut rng)
            .iter()
            .map(|c| chunks_of(c.count))
            .sum::<u64>();
    }
    steps
}

/// Stored files the documents refer to.
struct Media {
    photos: Vec<(String, Option<String>)>,
    posters: Vec<String>,
    banners: Vec<String>,
    video: Option<String>,
    pdf: Attachment,
    csv: Attachment,
}

fn store_media(group: &SiteGroup, actor: &Actor, site: SiteId, column: i64) -> Result<Media, Error> {
    let mut photos = Vec::new();
    for i in 0..8 {
        let up = group.upload(actor, site, column, &format!("photo-{i}.png"), &images::landscape(i, 480, 300))?;
        photos.push((up.file.key, up.thumb));
    }
    let mut posters = Vec::new();
    for i in 8..12 {
        let up = group.upload(actor, site, column, &format!("poster-{i}.png"), &images::landscape(i, 480, 270))?;
        posters.push(up.thumb.unwrap_or(up.file.key));
    }
    let mut banners = Vec::new();
    for i in 20..23 {
        banners.push(group.upload(actor, site, column, "banner.png", &images::landscape(i, 960, 200))?.file.key);
    }
    let video = group.upload(actor, site, column, "video.mp4", &images::mp4_stub()).ok().map(|u| u.file.key);
    let pdf_bytes = images::pdf("Wuwei County Government - document attachment");
    let pdf = group.upload(actor, site, column, "attachment.pdf", &pdf_bytes)?;
    let csv_text = "\u{feff}项目,预算金额（万元）,执行进度\n农村道路提升工程,1250,78%\n城乡供水一体化,3600,64%\n老旧小区改造,980,91%\n";
    let csv = group.upload(actor, site, column, "table.csv", csv_text.as_bytes())?;
    Ok(Media {
        photos,
        posters,
        banners,
        video,
        pdf: Attachment { key: pdf.file.key, name: "附件1：实施方案.pdf".into(), size: pdf.file.size },
        csv: Attachment { key: csv.file.key, name: "附件2：资金安排明细表.csv".into(), size: csv.file.size },
    })
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: &[&str] = &[
    "芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华",
    "平", "刚", "桂英", "文", "辉", "玲", "志强", "晓东", "海燕",
];

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn owners(rng: &mut Rng) -> Vec<Owner> {
    let n = if rng.chance(60) { 2 } else { 1 };
    let mut out: Vec<Owner> = Vec::new();
    while out.len() < n {
        let name = person(rng);
        if out.iter().any(|o| o.name == name) {
            continue;
        }
        let phone = format!("0553-63{:05}", rng.below(100_000));
        out.push(Owner { user: None, name, phone: Some(phone) });
    }
    out
}

/// Publication times, newest first, all in the past.
fn times(rng: &mut Rng, count: usize, when: When, now: i64) -> Vec<i64> {
    let mut out = Vec::with_capacity(count);
    let oldest = now - SPAN_DAYS * DAY;
    let (recent, newest) = match when {
        When::Fresh { per_day } => (((per_day * 30) as usize).min(count), now),
        When::Spread { newest_days } => (0, now - newest_days * DAY),
    };
    for i in 0..recent {
        let per_day = match when {
            When::Fresh { per_day } => per_day.max(1),
            When::Spread { .. } => 1,
        };
        let base = now - (i as i64) * DAY / per_day;
        out.push(base - rng.range(600, DAY / per_day));
    }
    let rest = count - recent;
    let upper = if recent > 0 { now - 30 * DAY } else { newest };
    for k in 0..rest {
        // The newest of a spread column is at its stated age; the others anywhere older.
        out.push(if k == 0 && recent == 0 { upper - rng.range(60, 3600) } else { rng.range(oldest, upper) });
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    out
}

const CATEGORIES: &[&str] = &[
    "综合政务",
    "国民经济管理",
    "财政、金融、审计",
    "国土资源、能源",
    "农业、林业、水利",
    "工业、交通",
    "商贸、海关、旅游",
    "市场监管、安全生产监管",
    "城乡建设、环境保护",
    "科技、教育",
    "文化、广电、新闻出版",
    "卫生、体育",
    "劳动、人事、监察",
    "公安、安全、司法",
    "民政、扶贫、救灾",
];

fn year_of(t: i64) -> i32 {
    chrono::DateTime::from_timestamp(t + 8 * 3600, 0).map_or(2024, |d| d.year())
}

/// Everything a document generator needs.
struct GenCtx<'a> {
    text: &'a Text,
    media: &'a Media,
    organ: &'a str,
    doc_prefix: &'a str,
    towns: &'a [&'static str],
    counters: &'a mut HashMap<(String, i32), u32>,
    now: i64,
}

fn place(rng: &mut Rng, towns: &[&'static str]) -> String {
    if rng.chance(40) { "我县".to_string() } else { (*rng.pick(towns)).to_string() }
}

fn document(g: &mut GenCtx<'_>, maker: Gen, rng: &mut Rng, at: i64) -> DocInput {
    let s = subject(rng);
    let year = year_of(at);
    let t = g.text;
    let mut input = DocInput::article("", "");
    input.source =
        Some(if g.organ == PORTAL.name { "无为县融媒体中心".to_string() } else { g.organ.to_string() });
    input.author = rng.chance(70).then(|| person(rng));
    match maker {
        Gen::News => {
            let p = place(rng, g.towns);
            input.title = match rng.below(8) {
                0 => format!("{p}召开{s}工作推进会"),
                1 => format!("{p}扎实推进{s}工作"),
                2 => format!("{}开展{s}专项行动", g.organ.trim_start_matches("无为县")),
                3 => format!("县领导调研{p}{s}工作"),
                4 => format!("{p}：{s}取得新成效"),
                5 => format!("{}举办{s}业务培训班", g.organ.trim_start_matches("无为县")),
                6 => format!("{p}部署{year}年{s}重点任务"),
                _ => format!("{p}多措并举抓好{s}"),
            };
            input.body_html = {
                let k = rng.range(3, 6) as usize;
                t.body(rng, k)
            };
        }
        Gen::Photo => {
            let p = place(rng, g.towns);
            input.title = format!("【图片新闻】{p}{s}工作一线见闻");
            let n = rng.range(3, 6) as usize;
            let start = rng.below(g.media.photos.len());
            let images = (0..n)
                .map(|k| {
                    let (key, thumb) = &g.media.photos[(start + k) % g.media.photos.len()];
                    PhotoImage { key: key.clone(), caption: t.caption(rng), thumb: thumb.clone() }
                })
                .collect();
            input.kind = DocKind::Photo { images };
            input.body_html = t.body(rng, 1);
        }
        Gen::Video => {
            let p = place(rng, g.towns);
            input.title = format!("【视频】{p}：{s}进行时");
            let poster = Some(g.media.posters[rng.below(g.media.posters.len())].clone());
            input.kind = match &g.media.video {
                Some(file) => DocKind::Video { file: Some(file.clone()), url: None, poster },
                None => {
                    DocKind::Video { file: None, url: Some("https://www.wuwei.gov.cn/video/demo.mp4".into()), poster }
                }
            };
            input.body_html = t.body(rng, 1);
        }
        Gen::Tender => {
            let project = format!(
                "{}{}项目",
                place(rng, g.towns),
                rng.pick(&[
                    "道路提升改造",
                    "农田水利设施",
                    "学校校舍维修",
                    "办公设备采购",
                    "污水管网建设",
                    "绿化养护服务"
                ])
            );
            let number = format!("WWZC-{year}-{:04}", rng.range(1, 9999));
            let (title, kind) = match rng.below(3) {
                0 => (format!("{project}招标公告"), "招标公告"),
                1 => (format!("{project}中标结果公示"), "中标结果"),
                _ => (format!("{project}竞争性磋商公告"), "磋商公告"),
            };
            input.title = title;
            input.body_html = format!(
                "<p>项目编号：{number}</p><p>公告类型：{kind}</p><table><tr><th>预算金额</th><td>{}万元</td></tr><tr><th>采购人</th><td>{}</td></tr></table>{}",
                rng.range(20, 5000),
                html_escape(g.organ),
                t.body(rng, 2)
            );
            if rng.chance(40) {
                input.attachments = vec![g.media.pdf.clone()];
            }
        }
        Gen::Notice => {
            input.title = match rng.below(4) {
                0 => format!("关于做好{year}年{s}工作的通知"),
                1 => format!("关于开展{s}专项检查的通知"),
                2 => format!("{}关于{s}有关事项的公告", g.organ),
                _ => format!("关于{s}工作情况的通报"),
            };
            input.body_html = {
                let k = rng.range(2, 4) as usize;
                t.body(rng, k)
            };
            if rng.chance(25) {
                input.attachments = vec![g.media.csv.clone()];
            }
        }
        Gen::Interpretation => {
            input.title = format!("《无为县{s}实施方案》政策解读");
            input.body_html = {
                let k = rng.range(3, 5) as usize;
                t.body(rng, k)
            };
        }
        Gen::Personnel => {
            input.title = match rng.below(3) {
                0 => format!("{year}年{}公开招聘工作人员公告", g.organ),
                1 => "领导班子成员及分工".to_string(),
                _ => format!("{}干部任前公示", g.organ.trim_start_matches("无为县")),
            };
            input.body_html = t.body(rng, 2);
        }
        Gen::Plan => {
            input.title = format!("无为县{year}年{s}工作计划");
            input.body_html = t.body(rng, 4);
        }
        Gen::Single => {
            input.title =
                if g.organ == PORTAL.name { "走进无为".to_string() } else { format!("{}机构概况", g.organ) };
            input.body_html = format!("<h2>主要职责</h2>{}<h2>内设机构</h2>{}", t.body(rng, 2), t.body(rng, 1));
        }
        Gen::Disclosure(category) => {
            let category = if category.is_empty() { (*rng.pick(CATEGORIES)).to_string() } else { category.to_string() };
            let (organ, prefix) = if g.organ == PORTAL.name && rng.chance(40) {
                ("无为县人民政府办公室".to_string(), "无政办".to_string())
            } else {
                (g.organ.to_string(), g.doc_prefix.to_string())
            };
            let numbered = rng.chance(75);
            let doc_number = numbered.then(|| {
                let c = g.counters.entry((prefix.clone(), year)).or_insert(0);
                *c += 1;
                format!("{prefix}〔{year}〕{c}号")
            });
            input.title = match rng.below(5) {
                0 => format!("{organ}关于印发《无为县{s}实施方案》的通知"),
                1 => format!("关于{year}年{s}资金安排情况的公示"),
                2 => format!("{organ}{year}年部门预算公开"),
                3 => format!("{organ}关于进一步加强{s}工作的意见"),
                _ => format!("关于公布{s}有关事项的通知"),
            };
            // Older documents are more often amended or repealed.
            let age_years = (g.now - at) / (365 * DAY);
            let validity = match rng.below(100) {
                v if age_years >= 2 && v < 9 => Validity::Repealed,
                v if age_years >= 1 && v >= 90 => Validity::Amended,
                _ => Validity::InForce,
            };
            // 文件类型 from the title (no draw from the generator, so the rest of the demo
            // stays as it was): numbered implementing notices and opinions are mostly
            // normative documents. None is a 规章: a county may not make rules (only
            // provinces and cities with districts may, under the 立法法), so the demo's
            // reports show the 规章 row empty, as a real county's do.
            let h = input.title.bytes().fold(doc_number.as_deref().map_or(7u32, |d| d.len() as u32), |h, b| {
                h.wrapping_mul(31).wrapping_add(u32::from(b))
            });
            let policy = input.title.contains("实施方案》的通知") || input.title.contains("工作的意见");
            let form = match (policy, doc_number.is_some()) {
                (true, true) if h % 5 != 0 => DocumentForm::Normative,
                _ => DocumentForm::Other,
            };
            // A repealed rule or normative document records its day of repeal: some
            // months after publication, never after "now".
            let repealed_on = (validity == Validity::Repealed && form != DocumentForm::Other).then(|| {
                let day = (at + i64::from(120 + h % 500) * DAY).min(g.now - DAY);
                chrono::DateTime::from_timestamp(day + 8 * 3600, 0)
                    .map_or_else(String::new, |d| d.date_naive().format("%Y-%m-%d").to_string())
            });
            input.kind = DocKind::Disclosure(DisclosureMeta {
                organ: organ.clone(),
                doc_number,
                category,
                validity,
                form,
                repealed_on: repealed_on.filter(|d| !d.is_empty()),
            });
            input.source = Some(organ);
            input.body_html = {
                let k = rng.range(3, 6) as usize;
                t.body(rng, k)
            };
            if rng.chance(20) {
                input.attachments = vec![if rng.chance(50) { g.media.pdf.clone() } else { g.media.csv.clone() }];
            }
        }
    }
    input
}

/// A chunk of documents for one column, ready to import.
struct Job {
    site: SiteId,
    column: i64,
    label: String,
    docs: Vec<ImportDocument>,
}

/// Creates the columns of one site with owners; returns (plan key → column).
fn create_columns(
    group: &SiteGroup,
    actor: &Actor,
    origin: &Origin,
    plan: &SitePlan,
    media: Option<&Media>,
    rng: &mut Rng,
) -> Result<HashMap<&'static str, Column>, Error> {
    let mut made: HashMap<&'static str, Column> = HashMap::new();
    for c in &plan.columns {
        let parent = c.parent.and_then(|p| made.get(p)).map(|p| p.id);
        let (starts_on, ends_on, banner) = match c.topic {
            Some((s, e, b)) => (Some(s), e, media.and_then(|m| m.banners.get(b as usize).cloned())),
            None => (None, None, None),
        };
        let new = NewColumn {
            parent,
            kind: c.kind.clone(),
            name: c.name.into(),
            slug: Some(c.slug.into()),
            duty: Some(c.duty),
            link_url: (c.kind == ColumnKind::Link).then(|| "https://www.ahzwfw.gov.cn/".to_string()),
            banner,
            starts_on,
            ends_on,
            ..NewColumn::default()
        };
        let mut column = group.add_column(actor, origin, plan.site, &new)?;
        if c.key == "notices" {
            let change = ColumnChange { slug: Some("tzgg".into()), ..ColumnChange::default() };
            column = group.update_column(actor, origin, plan.site, column.id, &change)?;
        }
        group.set_column_owners(actor, origin, plan.site, column.id, &owners(rng))?;
        made.insert(c.key, column);
    }
    Ok(made)
}

/// Seeds columns and content into the sites [`super::seed_with`] created.
pub fn seed_content(
    group: &SiteGroup,
    scale: super::Scale,
    corpus: Option<&Path>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, Error> {
    let actor = Actor::system("seed");
    let origin = Origin::other("seed");
    let text = Text::load(corpus);
    let plans = plans(group, scale)?;
    let now = group.now();
    let mut report = Report { from_corpus: text.from_corpus, ..Report::default() };
    let towns: Vec<&'static str> = super::TOWNSHIPS.iter().map(|(_, n)| *n).collect();

    // The portal's columns first: the media go into its photo column.
    let mut rng = Rng::derive(SEED, "owners");
    let mut columns: Vec<HashMap<&'static str, Column>> = Vec::with_capacity(plans.len());
    let portal_cols = create_columns(group, &actor, &origin, &plans[0], None, &mut rng)?;
    let photo_col = portal_cols.get("photo").map(|c| c.id).unwrap_or_default();
    let media = store_media(group, &actor, plans[0].site, photo_col)?;
    progress("图片与附件");
    // Topic banners are set now that the files exist.
    for c in plans[0].columns.iter().filter(|c| c.topic.is_some()) {
        if let (Some(col), Some((_, _, b))) = (portal_cols.get(c.key), c.topic) {
            let change =
                ColumnChange { banner: Some(media.banners.get(b as usize).cloned()), ..ColumnChange::default() };
            group.update_column(&actor, &origin, plans[0].site, col.id, &change)?;
        }
    }
    group.set_column_min_rate(&actor, &origin, plans[0].site, 8)?;
    columns.push(portal_cols);
    progress(PORTAL.name);
    for plan in &plans[1..] {
        columns.push(create_columns(group, &actor, &origin, plan, Some(&media), &mut rng)?);
        progress(&plan.organ);
    }
    report.columns = columns.iter().map(HashMap::len).sum();

    // Jobs are generated on this thread and imported by two workers.
    let (tx, rx) = mpsc::sync_channel::<Job>(2);
    let rx = Mutex::new(rx);
    let (done_tx, done_rx) = mpsc::channel::<(String, Result<Vec<Result<sitegroup::Document, Error>>, Error>)>();
    let generate = |tx: mpsc::SyncSender<Job>| -> Result<(), Error> {
        let mut counters: HashMap<(String, i32), u32> = HashMap::new();
        for (plan, made) in plans.iter().zip(&columns) {
            let mut g = GenCtx {
                text: &text,
                media: &media,
                organ: &plan.organ,
                doc_prefix: &plan.doc_prefix,
                towns: &towns,
                counters: &mut counters,
                now,
            };
            for c in plan.columns.iter().filter(|c| c.count > 0) {
                let Some(column) = made.get(c.key) else { continue };
                let mut rng = Rng::derive(SEED, &format!("{}{}", plan.code, c.key));
                let mut all = times(&mut rng, c.count, c.when, now);
                // Oldest first, so that document numbers count up through each year.
                all.reverse();
                for (k, chunk) in all.chunks(CHUNK).enumerate() {
                    let docs = chunk
                        .iter()
                        .map(|&at| ImportDocument { input: document(&mut g, c.maker, &mut rng, at), published_at: at })
                        .collect();
                    let label = format!("{} {} {}", plan.organ, c.name, k + 1);
                    if tx.send(Job { site: plan.site, column: column.id, label, docs }).is_err() {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    };
    let work = |done: mpsc::Sender<_>| {
        loop {
            let job = match rx.lock() {
                Ok(guard) => guard.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else { return };
            let result = group.import_published_batch(&actor, &origin, job.site, job.column, &job.docs);
            if done.send((job.label, result)).is_err() {
                return;
            }
        }
    };
    let generated = std::thread::scope(|scope| {
        let d1 = done_tx.clone();
        let d2 = done_tx;
        scope.spawn(move || work(d1));
        scope.spawn(move || work(d2));
        let producer = scope.spawn(move || generate(tx));
        let mut first_error = None;
        for (label, result) in done_rx.iter() {
            match result {
                Ok(docs) => {
                    for d in docs {
                        match d {
                            Ok(doc) => *report.by_kind.entry(doc.fields.kind.name().to_string()).or_default() += 1,
                            Err(e) => {
                                report.refused += 1;
                                report.first_refusal.get_or_insert_with(|| format!("{label}: {e}"));
                            }
                        }
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
            progress(&label);
        }
        let produced = producer.join().unwrap_or_else(|_| Err(Error::Internal("demo generator panicked".into())));
        match first_error {
            Some(e) => Err(e),
            None => produced,
        }
    });
    generated?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_news_adds_up_to_the_seed() {
        assert_eq!(unit_news_counts(68).iter().sum::<usize>(), 2880);
    }

    #[test]
    fn times_are_past_newest_first_and_fresh_columns_are_dense() {
        let now = 1_750_000_000;
        let mut rng = Rng::new(5);
        let t = times(&mut rng, 500, When::Fresh { per_day: 5 }, now);
        assert!(t.windows(2).all(|w| w[0] >= w[1]));
        assert!(t.iter().all(|&x| x < now && x > now - (SPAN_DAYS + 1) * DAY));
        assert!(t.iter().filter(|&&x| x > now - 7 * DAY).count() >= 5 * 6);
        let s = times(&mut rng, 10, When::Spread { newest_days: 100 }, now);
        assert!(s[0] <= now - 100 * DAY && s[0] > now - 101 * DAY);
    }
}
