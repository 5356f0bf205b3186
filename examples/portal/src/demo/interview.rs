//! Demo data of the interview module: the seed's year of online interviews.
//!
//! [`Scale::Full`]: 20 sessions held over the past year with the units citizens write
//! about most, each archived with its transcript (opening and closing remarks, about 48
//! questions, nearly all answered: 900+ answered in all), one session announced for the
//! coming days with a few questions already in, and one planned for next month (not
//! yet public). [`Scale::Small`]: two archived sessions, one announced, one planned.
//!
//! Deterministic (a seeded generator; times relative to the group's clock). History is
//! imported whole (`import_interview_history`, one transaction per session); the
//! coming sessions go through the ordinary calls.

use sitegroup::interaction::interview::{
    Guest, HistoryInterview, HistoryQuestion, HistoryRemark, NewInterview, NewQuestion, Speaker,
};
use sitegroup::{Actor, Error, Origin, SiteGroup};

use super::Scale;
use super::text::Rng;

/// Interview units, the topic of their session and what citizens ask them about.
const SESSIONS: [(&str, &str, [&str; 4]); 20] = [
    ("jyj", "义务教育阶段招生入学政策解读", ["学区划分", "入学报名", "课后服务", "校车接送"]),
    ("rsj", "稳就业促创业 政策惠民生", ["创业担保贷款", "失业保险", "技能培训补贴", "工资拖欠"]),
    ("zjj", "老旧小区改造与住房保障", ["老旧小区改造", "公租房申请", "物业管理", "加装电梯"]),
    ("wjw", "基层医疗卫生服务能力提升", ["家庭医生签约", "乡镇卫生院", "预防接种", "医共体建设"]),
    ("ybj", "医保政策与群众就医报销", ["异地就医备案", "门诊慢特病", "医保缴费", "大病保险"]),
    ("jtj", "城乡公交一体化与农村公路建设", ["城乡公交", "农村公路", "客运班线", "道路养护"]),
    ("scjgj", "守护舌尖上的安全", ["食品安全", "消费维权", "价格监管", "市场主体登记"]),
    ("nyncj", "乡村振兴与农业产业发展", ["高标准农田建设", "种粮补贴", "农机购置补贴", "土地流转"]),
    ("sthj", "打好污染防治攻坚战", ["空气质量", "河道污染", "噪声扰民", "畜禽养殖污染"]),
    ("gaj", "公安便民服务与平安建设", ["户籍办理", "身份证办理", "交通违法处理", "电信诈骗防范"]),
    ("mzj", "兜牢民生底线 做好社会救助", ["最低生活保障", "特困供养", "养老服务", "残疾人两项补贴"]),
    ("cgj", "城市精细化管理与市容环境", ["占道经营", "垃圾分类", "停车管理", "路灯维修"]),
    ("zrzyj", "不动产登记与自然资源管理", ["不动产登记", "宅基地审批", "耕地保护", "国土空间规划"]),
    ("zwfwj", "优化营商环境 提升政务服务", ["一网通办", "企业开办", "帮办代办", "政务服务热线"]),
    ("slj", "城乡供水与防汛抗旱", ["城乡供水一体化", "农村饮水安全", "防汛抗旱", "河长制"]),
    ("tyjrj", "退役军人服务保障", ["优抚待遇", "退役军人就业", "光荣牌悬挂", "困难帮扶"]),
    ("gjj", "住房公积金政策解读", ["公积金贷款", "公积金提取", "灵活就业缴存", "异地转移"]),
    ("wltyj", "文旅融合与全民健身", ["全民健身场地", "文化惠民演出", "旅游景区", "农家书屋"]),
    ("yjglj", "安全生产与应急管理", ["安全生产", "森林防火", "应急避难场所", "燃气安全"]),
    ("xfj", "畅通信访渠道 化解矛盾纠纷", ["网上信访", "信访事项办理", "领导接访", "矛盾纠纷调解"]),
];

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "许"];
const GIVEN: &[&str] =
    &["明", "华", "军", "芳", "建国", "晓东", "志强", "丽", "海燕", "文杰", "红梅", "国庆", "新民", "静"];
const NICKS: &[&str] = &[
    "无城居民",
    "热心市民",
    "一位家长",
    "返乡青年",
    "种粮大户",
    "个体户老陈",
    "退休教师",
    "外出务工人员",
    "小区业主",
    "新市民",
    "老党员",
    "大学生村官",
    "快递小哥",
    "网友",
    "环保志愿者",
    "创业者",
];
const TOWNS: &[&str] =
    &["无城镇", "襄安镇", "陡沟镇", "石涧镇", "严桥镇", "牛埠镇", "高沟镇", "泥汊镇", "福渡镇", "红庙镇"];

const QUESTIONS: &[&str] = &[
    "我是{town}的居民，想问一下{s}今年有什么新政策？",
    "请问{s}需要满足哪些条件，要准备什么材料？",
    "{town}这边{s}的问题反映过好几次了，什么时候能解决？",
    "{s}现在能不能在网上办理？最多要跑几次？",
    "想咨询一下{s}的补贴标准是多少，什么时候发放到位？",
    "在外地务工，{s}可以异地办理吗？",
    "{s}工作中发现的问题，应该向哪个部门反映？",
    "听说今年{s}有调整，能具体介绍一下吗？",
    "我们村{s}推进得比较慢，县里有没有督促的办法？",
    "老年人不会用手机，{s}有没有线下办理的渠道？",
    "{s}办理下来一般需要多长时间？",
    "建议把{s}的办事指南公布得再详细一些，可以吗？",
];

const ANSWERS: &[&str] = &[
    "感谢这位网友的关注。关于{s}，今年我们进一步简化了流程，群众可以在县政务服务中心窗口或皖事通办理，材料齐全的当场受理。",
    "这个问题很有代表性。{s}方面，县里已经出台了实施细则，我们将会同{town}逐户摸排，确保政策落实到位。",
    "您反映的情况我们已经记录下来，访谈结束后将安排专人到{town}实地核查，并在规定时间内给您答复。",
    "{s}目前已实现全程网办，符合条件的群众足不出户即可办理；确需到现场的，最多跑一次。",
    "补贴资金按季度发放，直接打入一卡通账户。如对发放结果有疑问，可以到所在乡镇便民服务中心查询。",
    "可以异地办理。您可以通过线上渠道提交申请，也可以委托家属持相关材料到窗口代办。",
    "谢谢您的建议。我们将在门户网站{s}专栏公布办事指南和常见问题，方便群众查阅。",
    "对于老年人等群体，各乡镇便民服务中心都保留了人工窗口，并提供帮办代办服务。",
    "今年我们把{s}纳入县政府民生实事，年底前完成既定目标，欢迎社会各界监督。",
    "这项工作确实存在进度不平衡的问题。下一步我们将加强调度，每月通报进展，对推进不力的及时督促整改。",
];

const HOSTS: &[&str] = &["李晓", "陈曦", "周婷"];

fn fill(template: &str, s: &str, town: &str) -> String {
    template.replace("{s}", s).replace("{town}", town)
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// The start of today (00:00 Beijing time) as unix seconds.
fn beijing_midnight(now: i64) -> i64 {
    (now + 8 * 3600).div_euclid(86_400) * 86_400 - 8 * 3600
}

fn guests(rng: &mut Rng, unit_name: &str) -> Vec<Guest> {
    let head = name(rng);
    let mut deputy = name(rng);
    while deputy == head {
        deputy = name(rng);
    }
    vec![
        Guest { name: head, post: format!("{unit_name}主要负责同志") },
        Guest { name: deputy, post: format!("{unit_name}分管负责同志") },
    ]
}

fn outline(keywords: &[&str]) -> String {
    let numbers = ["一", "二", "三", "四"];
    keywords
        .iter()
        .zip(numbers)
        .map(|(k, n)| format!("{n}、{k}工作开展情况和下一步打算"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn background(unit_name: &str, topic: &str, keywords: &[&str]) -> String {
    format!(
        "近年来，{unit_name}认真贯彻落实县委、县政府决策部署，围绕“{topic}”，在{}等方面持续用力，\
         一批群众关心关注的问题得到解决。本期访谈邀请{unit_name}负责同志做客在线访谈，介绍相关政策和工作进展，\
         在线解答网友提问。",
        keywords.join("、")
    )
}

/// A session held `days_ago` days ago with `n` questions (about one in twenty-five not taken).
fn history(
    rng: &mut Rng,
    unit: &str,
    unit_name: &str,
    topic: &str,
    keywords: &[&str],
    start: i64,
    n: usize,
) -> HistoryInterview {
    let host = rng.pick(HOSTS).to_string();
    let guests = guests(rng, unit_name);
    let duration = 2 * 3600;
    let end = start + duration;
    let mut questions = Vec::with_capacity(n);
    let answered_n = n.max(1);
    for k in 0..n {
        let s = rng.pick(keywords).to_string();
        let town = rng.pick(TOWNS).to_string();
        let tpl = *rng.pick(QUESTIONS);
        let text = fill(tpl, &s, &town);
        // Asked during the week before the session or in its first hour and a half.
        let asked_at = if rng.chance(70) { start - rng.range(600, 7 * 86_400) } else { start + rng.range(0, 5_400) };
        let answer = if rng.chance(4) {
            None
        } else {
            let guest = if rng.chance(70) { &guests[0] } else { &guests[1] };
            // Answers spread over the session in the order asked, after the opening.
            let at = (start + 300 + (k as i64) * (duration - 900) / answered_n as i64).max(asked_at);
            let tpl = *rng.pick(ANSWERS);
            Some((guest.name.clone(), fill(tpl, &s, &town), at.min(end - 300)))
        };
        questions.push(HistoryQuestion { nickname: rng.pick(NICKS).to_string(), text, asked_at, answer });
    }
    let remarks = vec![
        HistoryRemark {
            at: start,
            speaker: Speaker::Host,
            name: host.clone(),
            text: format!(
                "各位网友，大家好！欢迎收看本期在线访谈。今天我们邀请到{unit_name}的负责同志，围绕“{topic}”与大家在线交流。"
            ),
        },
        HistoryRemark {
            at: start + 120,
            speaker: Speaker::Guest,
            name: guests[0].name.clone(),
            text: format!(
                "各位网友大家好！很高兴和大家交流。我先简要介绍一下{}等方面的工作情况。",
                keywords.join("、")
            ),
        },
        HistoryRemark {
            at: end - 120,
            speaker: Speaker::Guest,
            name: guests[0].name.clone(),
            text: "感谢广大网友的关注和支持，今天没有来得及回答的问题，我们会在访谈结束后逐一答复。".into(),
        },
        HistoryRemark {
            at: end,
            speaker: Speaker::Host,
            name: host.clone(),
            text: "本期在线访谈到此结束，感谢各位嘉宾，感谢各位网友，我们下期再见！".into(),
        },
    ];
    HistoryInterview {
        plan: NewInterview {
            unit: unit.into(),
            topic: topic.into(),
            guests,
            host,
            outline: outline(keywords),
            background: background(unit_name, topic, keywords),
            starts_at: start,
            ends_at: end,
        },
        announced_at: start - 7 * 86_400,
        started_at: start,
        ended_at: end,
        questions,
        remarks,
    }
}

/// Seeds the demo interview data at `scale`.
pub(crate) fn seed(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("seed");
    let mut rng = Rng::derive(0x1a7e_5e55, "interview");
    let today = beijing_midnight(group.now());
    let (held, per) = match scale {
        Scale::Full => (SESSIONS.len(), 48),
        Scale::Small => (2, 6),
    };
    let units = group.list_units(&seed)?;
    let unit_name =
        |code: &str| units.iter().find(|u| u.code == code).map_or_else(|| code.to_string(), |u| u.name.clone());
    // Past sessions, the oldest about a year ago, roughly every 18 days, at 09:30.
    for (k, (code, topic, keywords)) in SESSIONS.iter().take(held).enumerate() {
        let days_ago = 10 + (held - 1 - k) as i64 * 18;
        let start = today - days_ago * 86_400 + 9 * 3600 + 1800;
        let h = history(&mut rng, code, &unit_name(code), topic, keywords, start, per);
        group.import_interview_history(&seed, &origin, &h)?;
        progress(topic);
    }
    // The coming session: announced, with questions already in.
    let (code, topic, keywords) =
        ("ybj", "城乡居民医保参保缴费政策解读", ["医保缴费", "异地就医备案", "门诊慢特病", "大病保险"]);
    let name_of = unit_name(code);
    let start = today + 5 * 86_400 + 9 * 3600 + 1800;
    let coming = NewInterview {
        unit: code.into(),
        topic: topic.into(),
        guests: guests(&mut rng, &name_of),
        host: HOSTS[0].into(),
        outline: outline(&keywords),
        background: background(&name_of, topic, &keywords),
        starts_at: start,
        ends_at: start + 2 * 3600,
    };
    let i = group.plan_interview(&seed, &origin, &coming)?;
    group.announce_interview(&seed, &origin, i.id)?;
    for (n, s) in keywords.iter().enumerate() {
        let town = rng.pick(TOWNS);
        let q = NewQuestion {
            nickname: rng.pick(NICKS).to_string(),
            text: fill(QUESTIONS[n % QUESTIONS.len()], s, town),
            contact: None,
            idempotency_key: None,
        };
        let asked = group.ask_interview_question(&origin, i.id, &q)?;
        if n < 2 {
            group.approve_interview_question(&seed, &origin, asked.question)?;
        }
    }
    progress(topic);
    // Next month's session: planned, not public yet.
    let (code, topic, keywords) = ("cgj", "城市停车难问题治理", ["停车管理", "占道经营", "路灯维修", "垃圾分类"]);
    let name_of = unit_name(code);
    let start = today + 40 * 86_400 + 15 * 3600;
    let planned = NewInterview {
        unit: code.into(),
        topic: topic.into(),
        guests: guests(&mut rng, &name_of),
        host: HOSTS[1].into(),
        outline: outline(&keywords),
        background: String::new(),
        starts_at: start,
        ends_at: start + 2 * 3600,
    };
    group.plan_interview(&seed, &origin, &planned)?;
    progress(topic);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sitegroup::interaction::interview::InterviewState;
    use sitegroup::{NewUnit, UnitKind};

    #[test]
    fn the_full_demo_has_the_seeds_year_of_interviews() {
        let dir = tempfile::tempdir().unwrap();
        let group = SiteGroup::open(dir.path()).unwrap();
        let seed = Actor::system("seed");
        let codes: Vec<&str> = SESSIONS.iter().map(|s| s.0).chain(["cgj"]).collect();
        for code in codes {
            if group.unit(code).is_err() {
                let new = NewUnit { code: code.into(), name: format!("{code}局"), kind: UnitKind::Department };
                group.add_unit(&seed, &Origin::other("seed"), &new).unwrap();
            }
        }
        let started = std::time::Instant::now();
        super::seed(&group, Scale::Full, &mut |_| {}).unwrap();
        eprintln!("interview demo (full): {:?}", started.elapsed());
        let all = group.interviews(&seed, None).unwrap();
        let count = |s: InterviewState| all.iter().filter(|i| i.interview.state == s).count();
        assert_eq!(count(InterviewState::Archived), 20);
        assert_eq!(count(InterviewState::Announced), 1);
        assert_eq!(count(InterviewState::Planned), 1);
        let answered: u64 = all.iter().map(|i| i.answered).sum();
        let asked: u64 = all.iter().map(|i| i.answered + i.rejected + i.pending + i.approved).sum();
        assert!(answered >= 900, "{answered} answered");
        assert!((900..1_000).contains(&asked), "{asked} asked");
        // Nothing planned is public; the announced one takes questions.
        assert_eq!(group.public_interviews().unwrap().len(), 21);
    }

    #[test]
    fn history_sessions_are_valid_and_mostly_answered() {
        let mut rng = Rng::new(7);
        let mut answered = 0;
        let mut total = 0;
        for (code, topic, keywords) in SESSIONS {
            let h = history(&mut rng, code, "某局", topic, &keywords, 1_750_000_000, 48);
            assert!(sitegroup::interaction::interview::rules::check_history(&h).is_ok(), "{code}");
            total += h.questions.len();
            answered += h.questions.iter().filter(|q| q.answer.is_some()).count();
        }
        assert_eq!(total, 960);
        assert!(answered >= 900, "the seed's 900+ answered questions: {answered}");
    }
}
