//! Demo data of the ticket channels: the seed's year of letters — 1,383 to the county
//! head's mailbox and 394 service complaints, all answered — plus unit-mailbox letters
//! and a few still open (some due soon, some overdue) so the back-office queues, the
//! urging list and the monthly notice have something to show.
//!
//! Letters are built from a table of realistic local topics (what a county's citizens
//! actually write about: roads, water, schools, subsidies, noise …), each addressed to
//! the unit that answers such letters, with a reply in the usual official form. A few
//! bodies carry a phone number or the writer's name so the automatic redaction of the
//! published list can be seen. They go in through the history import
//! ([`SiteGroup::import_tickets_batch`]), which computes each deadline from the
//! channel's working-day setting.
//!
//! Disclosure requests (依申请公开) from the start of last year on carry an applicant
//! kind (mostly natural persons) and, once answered, an outcome (mostly granted,
//! partly granted or not held), for the annual report.

use sitegroup::{Actor, Error, ImportTicket, Origin, SiteGroup};

use super::Scale;
use super::text::Rng;

/// Answered county-head mailbox letters in the seed's year.
const MAILBOX_LETTERS: usize = 1_383;
/// Answered service complaints in the seed's year.
const COMPLAINTS: usize = 394;
/// Answered unit-mailbox letters (the seed gives no figure; a plausible volume).
const UNIT_LETTERS: usize = 420;
/// Letters still open at the demo's "now".
const OPEN_LETTERS: usize = 14;
/// Letters per import transaction.
const BATCH: usize = 500;

/// A topic: the unit that answers it, subject templates, a body and a reply.
struct Topic {
    unit: &'static str,
    subjects: &'static [&'static str],
    body: &'static str,
    reply: &'static str,
}

/// `{place}` is replaced by a township or village, `{n}` by a small number.
const TOPICS: &[Topic] = &[
    Topic {
        unit: "jtj",
        subjects: &[
            "{place}村村道路面破损严重，请求维修",
            "关于{place}至县城公交班次太少的建议",
            "{place}路段缺少路灯和减速带",
        ],
        body: "我是{place}的村民，村里通往镇上的水泥路已经破损{n}年多了，坑洼很多，雨天积水，学生上学和老人出行都很不方便，去年还有电动车在这里摔倒。希望有关部门尽快安排维修。",
        reply: "您好！您反映的{place}道路问题已收悉。经我局工作人员实地查看，该路段确有破损，已列入今年农村公路养护计划，预计{n}个月内完成修复。感谢您对交通工作的关心和支持。",
    },
    Topic {
        unit: "slj",
        subjects: &[
            "{place}自来水经常停水，水压不足",
            "{place}小区自来水发黄浑浊",
            "关于{place}农田灌溉渠道淤塞的问题",
        ],
        body: "最近一个月{place}经常停水，每次停水都没有提前通知，恢复供水后水压也很低，三楼以上基本用不上水，水质有时还发黄。请相关部门查明原因并解决。",
        reply: "您好！收到您的来信后，我局立即会同供水公司到{place}进行排查，停水系管网改造施工所致，今后停水将提前24小时在村务公开栏和微信群通知。水质已抽检合格，水压问题将在管网改造完成后解决。",
    },
    Topic {
        unit: "jyj",
        subjects: &[
            "咨询{place}小学今年秋季招生划片范围",
            "{place}中学周边交通安全隐患",
            "关于{place}幼儿园收费标准的咨询",
        ],
        body: "孩子今年满六周岁，户口在{place}，但我们一家在县城租房居住已{n}年。请问孩子可以在县城就近入学吗？需要准备哪些材料？",
        reply: "您好！根据我县今年义务教育招生工作方案，随迁子女凭居住证、租房合同和社保缴纳证明可申请在居住地就近入学，具体报名时间和材料请关注县教育局网站招生专栏发布的公告，咨询电话见公告。",
    },
    Topic {
        unit: "rsj",
        subjects: &["咨询灵活就业人员社保缴费政策", "{place}工地拖欠农民工工资", "关于退休人员养老金调整的咨询"],
        body: "我在{place}的一个工地干了{n}个月，包工头一直拖着不发工资，说是上面没拨款。我们十几个人都没拿到钱，快过年了，请政府帮帮我们。",
        reply: "您好！我局劳动保障监察大队接信后立即到{place}该工地调查，已责令施工单位在十日内足额支付拖欠工资，目前已支付到位。如仍有未结清的，请携带身份证到县劳动保障监察大队现场登记。",
    },
    Topic {
        unit: "sthj",
        subjects: &["{place}养殖场臭味扰民", "{place}工业园区夜间排放刺鼻气味", "{place}河道有人倾倒垃圾"],
        body: "{place}附近的养殖场规模越来越大，夏天臭味非常重，晚上窗户都不敢开，污水还直接排到旁边的沟渠里。希望环保部门来查一查。",
        reply: "您好！我分局执法人员已到{place}现场检查，该养殖场存在粪污处理设施不完善的问题，已依法下达整改通知，责令限期完善设施，我们将跟踪复查整改情况。",
    },
    Topic {
        unit: "zjj",
        subjects: &["{place}小区物业服务差，电梯经常故障", "关于{place}老旧小区改造的建议", "{place}商品房延期交付"],
        body: "我们{place}小区的电梯一个月坏了{n}次，物业每次都拖好几天才修，小区里老人多，上下楼非常困难。物业费照收，服务却跟不上。",
        reply: "您好！我局已约谈{place}小区物业服务企业，要求其立即对电梯进行全面检修并建立日常维保台账，同时将该企业纳入物业服务信用考核。如问题仍未解决，请拨打物业监管投诉电话。",
    },
    Topic {
        unit: "mzj",
        subjects: &["咨询{place}低保申请条件和流程", "{place}高龄津贴没有按时发放", "关于农村养老服务站建设的建议"],
        body: "我母亲今年八十多岁，住在{place}，听说有高龄津贴，但已经{n}个月没有到账了。请问是什么原因，到哪里查询？",
        reply: "您好！经核查，您母亲的高龄津贴因银行账户信息变更未能到账，我局已协调{place}民政所更新账户信息，津贴将于下月统一补发。",
    },
    Topic {
        unit: "scjgj",
        subjects: &["{place}超市销售过期食品", "{place}农贸市场缺斤少两", "投诉{place}一家餐馆卫生条件差"],
        body: "我在{place}一家超市买的牛奶回家发现已经过期{n}天，找超市理论，店员态度很差，只同意退货不肯赔偿。",
        reply: "您好！我局执法人员已对该超市进行检查，发现部分商品超过保质期，已依法立案调查，并督促其向您退货并按规定赔偿。感谢您对食品安全工作的监督。",
    },
    Topic {
        unit: "nyncj",
        subjects: &["咨询耕地地力保护补贴发放时间", "{place}高标准农田建设质量问题", "关于{place}土地流转费用的问题"],
        body: "我家在{place}有{n}亩地，往年耕地地力保护补贴都是春天到账，今年到现在还没收到，村里也说不清楚。",
        reply: "您好！今年耕地地力保护补贴资金已于近期拨付，因部分农户信息需要复核，发放时间有所延后。经查，您家的补贴已于本月发放至“一卡通”账户，请注意查收。",
    },
    Topic {
        unit: "cgj",
        subjects: &["{place}夜市占道经营噪音扰民", "{place}垃圾清运不及时", "县城停车位太少，乱停车严重"],
        body: "{place}一带每天晚上都有摊贩占道经营，一直到凌晨一两点，噪音很大，垃圾满地，附近居民休息受到严重影响。",
        reply: "您好！我局已安排执法中队加强{place}一带的夜间巡查，规范摊点经营时间和区域，并增加环卫保洁频次，欢迎您继续监督。",
    },
    Topic {
        unit: "wjw",
        subjects: &["{place}卫生院看病排队时间太长", "关于家庭医生签约服务的咨询", "{place}村卫生室经常没人"],
        body: "{place}卫生院只有{n}个医生坐诊，每次看病要排一上午的队，而且很多药都没有，只能去县城医院。",
        reply: "您好！针对您反映的问题，我委已督促{place}卫生院优化排班，增加高峰时段坐诊医生，并通过县域医共体调配常用药品，方便群众就近就医。",
    },
    Topic {
        unit: "zwfwj",
        subjects: &[
            "政务服务中心办事窗口排队时间长",
            "网上办事大厅无法上传材料",
            "关于延长政务服务中心周末服务时间的建议",
        ],
        body: "前天到政务服务中心办理营业执照变更，排队{n}个小时才轮到，窗口工作人员说材料不全，又让回去重新准备，能不能一次告知需要的材料？",
        reply: "您好！对您在办事过程中遇到的不便我们深表歉意。我局已要求窗口严格落实一次性告知制度，并在网站公布各事项的材料清单，同时推行预约办理，减少排队等候时间。",
    },
];

const PLACES: &[&str] = &[
    "无城镇",
    "襄安镇",
    "陡沟镇",
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
    "高沟镇",
    "鹤毛乡",
    "十里墩镇",
    "昆山乡",
    "洪巷镇",
    "六洲镇",
    "二坝镇",
    "汤沟镇",
    "白马村",
    "新民村",
    "大圩村",
    "凤凰社区",
    "城东社区",
];

const SURNAMES: &[&str] = &["张", "王", "李", "刘", "陈", "杨", "黄", "吴", "周", "徐", "孙", "朱"];

/// One letter from the topic table.
fn letter(rng: &mut Rng, channel: &str, received_at: i64, replied_after: Option<i64>) -> ImportTicket {
    let topic = &TOPICS[rng.below(TOPICS.len())];
    let place = PLACES[rng.below(PLACES.len())];
    let n = (1 + rng.below(5)).to_string();
    let fill = |s: &str| s.replace("{place}", place).replace("{n}", &n);
    let surname = SURNAMES[rng.below(SURNAMES.len())];
    let writer = format!("{surname}{}", ["先生", "女士", "建国", "秀英", "志强"][rng.below(5)]);
    let mut body = fill(topic.body);
    match rng.below(6) {
        0 => body.push_str(&format!("我的联系电话是139{:08}，请回电。", rng.below(100_000_000))),
        1 => body.push_str(&format!("来信人：{writer}。")),
        _ => {}
    }
    let subject = fill(topic.subjects[rng.below(topic.subjects.len())]);
    ImportTicket {
        channel: channel.into(),
        unit: topic.unit.into(),
        subject,
        body,
        received_at,
        replied_at: replied_after.map(|d| received_at + d),
        reply: replied_after.map(|_| fill(topic.reply)),
        public: rng.below(10) < 8,
        writer: Some(writer),
        category: None,
        ..Default::default()
    }
}

/// Disclosure requests (依申请公开) per year and unit in the demo.
const DISCLOSURE_UNITS: &[(&str, usize)] =
    &[("zjj", 14), ("nyncj", 10), ("jyj", 8), ("rsj", 7), ("sthj", 6), ("mzj", 5), ("scjgj", 4)];

/// What people ask units to disclose: `{place}` and `{year}` are filled in.
const DISCLOSURE_SUBJECTS: &[&str] = &[
    "申请公开{place}征地补偿安置方案",
    "申请公开{year}年{place}农村危房改造补助名单",
    "申请公开{place}某建设项目环境影响评价文件",
    "申请公开{year}年部门预算执行情况明细",
    "申请公开{place}房屋征收决定及补偿标准",
    "申请公开{place}规划许可证及附图",
    "申请公开{year}年低保资金发放明细",
    "申请公开{place}高标准农田建设项目验收资料",
];

/// Applicant kinds, mostly natural persons (weights in percent).
const APPLICANTS: &[(&str, usize)] = &[
    ("natural_person", 80),
    ("commercial_enterprise", 8),
    ("legal_service", 5),
    ("other_organisation", 3),
    ("research_institution", 2),
    ("public_interest", 2),
];

/// Outcomes, mostly granted, partly granted or not held (weights in percent).
const OUTCOMES: &[(&str, usize)] = &[
    ("granted", 44),
    ("partly_granted", 18),
    ("unavailable.not_held", 15),
    ("unavailable.needs_making", 4),
    ("refused.process", 3),
    ("refused.third_party", 3),
    ("refused.internal", 2),
    ("refused.state_secret", 1),
    ("not_handled.petition", 3),
    ("not_handled.repeat", 3),
    ("not_handled.publication", 1),
    ("other.no_correction", 2),
    ("other.other", 1),
];

fn weighted(rng: &mut Rng, table: &[(&'static str, usize)]) -> &'static str {
    let total: usize = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total.max(1));
    for (code, w) in table {
        if x < *w {
            return code;
        }
        x -= w;
    }
    table[0].0
}

/// `count` disclosure requests to `unit` received between `from` and `to` (unix
/// seconds), each with an applicant kind and, once answered (5–28 days later, unless
/// that is after `now`), an outcome. One in fifty is answered without a recorded
/// outcome, so the annual report's warning can be seen.
pub(crate) fn disclosure_requests(
    rng: &mut Rng,
    unit: &str,
    count: usize,
    (from, to): (i64, i64),
    now: i64,
) -> Vec<ImportTicket> {
    const DAY: i64 = 86_400;
    (0..count)
        .map(|i| {
            let received = from + (i as i64 * (to - from)) / count.max(1) as i64 + rng.range(8 * 3_600, 17 * 3_600);
            let year =
                chrono::DateTime::from_timestamp(received + 8 * 3_600, 0).map_or(2025, |d| chrono::Datelike::year(&d));
            let place = PLACES[rng.below(PLACES.len())];
            let subject = DISCLOSURE_SUBJECTS[rng.below(DISCLOSURE_SUBJECTS.len())]
                .replace("{place}", place)
                .replace("{year}", &(year - 1).to_string());
            let applicant = weighted(rng, APPLICANTS);
            let replied = received + rng.range(5 * DAY, 28 * DAY);
            let answered = replied < now;
            let outcome = (answered && !rng.chance(2)).then(|| weighted(rng, OUTCOMES).to_string());
            let writer = if applicant == "natural_person" {
                format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], ["先生", "女士"][rng.below(2)])
            } else {
                ["无为县某建材有限公司", "安徽某律师事务所", "某环保公益组织", "某研究院"][rng.below(4)].to_string()
            };
            ImportTicket {
                channel: "disclosure".into(),
                unit: unit.into(),
                subject: subject.clone(),
                body: format!("本人（单位）因生产生活需要，{subject}。请以纸质或电子邮件形式提供。"),
                received_at: received,
                replied_at: answered.then_some(replied),
                reply: answered
                    .then(|| "您好！您的政府信息公开申请已办理，答复书已按您选择的方式送达，请查收。".to_string()),
                public: false,
                writer: Some(writer),
                category: Some("依申请公开".into()),
                applicant: Some(applicant.into()),
                outcome,
            }
        })
        .collect()
}

/// Seeds the demo tickets at `scale`: a year of answered letters ending at the group's
/// "now", then a few open ones from the last weeks.
pub(crate) fn seed(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("demo");
    let now = group.now();
    const DAY: i64 = 86_400;
    let year_ago = now - 365 * DAY;
    let (mailbox, complaints, unit_letters, open) = match scale {
        Scale::Full => (MAILBOX_LETTERS, COMPLAINTS, UNIT_LETTERS, OPEN_LETTERS),
        Scale::Small => (8, 3, 3, 4),
    };
    let mut rng = Rng::derive(2026, "tickets");
    let mut lines = Vec::with_capacity(mailbox + complaints + unit_letters + open);
    for (channel, count) in [("mailbox", mailbox), ("complaint", complaints), ("unit_mailbox", unit_letters)] {
        for i in 0..count {
            // Spread over the year (oldest first), answered within 1–9 days: a few late.
            let received = year_ago + (i as i64 * 350 * DAY) / count.max(1) as i64 + rng.range(8 * 3_600, 18 * 3_600);
            let answered_after = rng.range(DAY, 9 * DAY);
            lines.push(letter(&mut rng, channel, received, Some(answered_after)));
        }
    }
    for i in 0..open {
        // Open letters from the last three weeks: the oldest are overdue by now.
        let received = now - (21 - (i as i64 * 20) / open.max(1) as i64) * DAY;
        let channel = ["mailbox", "complaint", "unit_mailbox"][i % 3];
        lines.push(letter(&mut rng, channel, received, None));
    }
    // Disclosure requests from the start of last year to now (the annual report's
    // data): each unit's yearly volume, a few at small scale.
    let last_year_start = chrono::DateTime::from_timestamp(now + 8 * 3_600, 0)
        .and_then(|d| chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&d) - 1, 1, 1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(year_ago, |d| d.and_utc().timestamp() - 8 * 3_600);
    let years = ((now - last_year_start) as f64 / (365.0 * DAY as f64)).max(0.1);
    for (unit, per_year) in DISCLOSURE_UNITS {
        let n = match scale {
            Scale::Full => (*per_year as f64 * years).round() as usize,
            Scale::Small => 2,
        };
        lines.extend(disclosure_requests(&mut rng, unit, n, (last_year_start, now), now));
    }
    for chunk in lines.chunks(BATCH) {
        for result in group.import_tickets_batch(&seed, &origin, chunk)? {
            result?;
        }
    }
    progress("tickets");
    Ok(())
}
