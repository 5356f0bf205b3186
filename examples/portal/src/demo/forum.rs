//! Demo data of the forum (论坛): the county's boards and a few units' own, and the
//! seed's volume — 2,772 public threads of which 2,758 carry an official answer — over
//! the last three years, from a small built-in generator of citizens' questions and
//! units' answers (deterministic). Threads addressed to a unit are tickets of channel
//! `forum`, closed with the unit's answer, so the monthly notice counts them; the 14
//! newest addressed threads are still open (within their deadline). A few live posts
//! wait in the moderation queue (a pre-moderated board, a post with a mobile number).
//!
//! History goes in through `forum_import` in chunks of [`CHUNK`] threads (one
//! transaction each); the live posts through `forum_post_thread` / `forum_reply` like
//! any visitor's.

use sitegroup::interaction::forum::{Moderation, NewBoard, NewPost, NewThread};
use sitegroup::{Actor, Error, ForumPoster, Origin, SiteGroup, ThreadImport};

use super::Scale;
use super::text::Rng;

/// Threads per import transaction.
const CHUNK: usize = 400;
const SEED: u64 = 0xf0_2075_2772;
const DAY: i64 = 86_400;
/// How far back the history goes.
const SPAN_DAYS: i64 = 3 * 365;
/// Threads still waiting for an answer (the seed: 2,772 − 2,758).
const OPEN: usize = 14;

/// A board: code, name, description, unit code, addressable, moderation, threads (full scale).
type BoardSpec = (&'static str, &'static str, &'static str, Option<&'static str>, bool, Moderation, usize);

/// The boards; their full-scale thread counts add up to the seed's 2,772.
const BOARDS: [BoardSpec; 8] = [
    (
        "wenzheng",
        "问政无为",
        "向县直部门和乡镇提问、反映诉求，由有关单位在 5 个工作日内答复。",
        None,
        true,
        Moderation::Post,
        1_400,
    ),
    (
        "minsheng",
        "民生热线",
        "就业、教育、医疗、住房、出行等民生问题，帖子审核后显示。",
        None,
        true,
        Moderation::Pre,
        500,
    ),
    (
        "jianyan",
        "建言献策",
        "为全县经济社会发展出主意、提建议，由县政府信息中心汇总答复。",
        None,
        false,
        Moderation::Post,
        250,
    ),
    ("shenghuo", "无为生活", "分享身边事、交流生活信息。", None, false, Moderation::Post, 150),
    ("jiaoyu", "教育服务", "入学、转学、学籍、校园安全等问题。", Some("jyj"), false, Moderation::Post, 150),
    ("shebao", "人社服务", "社保、就业、劳动维权、职称等问题。", Some("rsj"), false, Moderation::Post, 120),
    (
        "zhujian",
        "住房建设",
        "物业、房屋质量、老旧小区改造等问题，帖子审核后显示。",
        Some("zjj"),
        false,
        Moderation::Pre,
        112,
    ),
    ("wucheng", "无城镇", "无城镇辖区内的民生问题。", Some("wucheng"), false, Moderation::Post, 90),
];

/// Units most asked on the open boards, with the kind of question each gets.
const UNITS: [(&str, usize); 14] = [
    ("zjj", 0),
    ("jtj", 1),
    ("cgj", 2),
    ("jyj", 3),
    ("rsj", 4),
    ("wjw", 5),
    ("slj", 6),
    ("sthj", 7),
    ("scjgj", 8),
    ("gaj", 1),
    ("nyncj", 9),
    ("ybj", 5),
    ("wucheng", 2),
    ("xiangan", 9),
];

/// Per kind of question: coherent (subject with `{p}` for a place, detail, what is asked).
const TOPICS: [&[(&str, &str, &str)]; 10] = [
    &[
        (
            "{p}小区物业不作为",
            "小区物业费年年收，但楼道卫生没人打扫，路灯坏了几个月也不修。",
            "希望有关部门督促物业履职。",
        ),
        (
            "{p}老旧小区改造何时开工",
            "听说我们小区列入了老旧小区改造计划，但一直没有动静。",
            "请问改造计划什么时候实施？",
        ),
        ("{p}楼房漏水无人维修", "楼顶防水层老化，一下雨顶楼几户家里就漏水，找物业多次没有结果。", "恳请尽快协调解决。"),
        (
            "{p}小区电梯经常故障",
            "小区电梯一个月坏了三次，有一次还困了人，物业说没有维修资金。",
            "请问电梯维修资金怎么申请使用？",
        ),
    ],
    &[
        (
            "{p}路口红绿灯时间太短",
            "早晚高峰车流量大，行人绿灯只有十几秒，老人孩子根本走不过去。",
            "建议延长行人绿灯时间。",
        ),
        (
            "{p}到县城的公交班次太少",
            "乡镇到县城的公交一小时才一班，上班上学很不方便。",
            "希望增加班次或者开通定制公交。",
        ),
        ("{p}道路坑洼不平", "这段路破损严重，雨天积水，电动车经过很危险。", "请尽快安排修补。"),
        ("{p}公交站台缺少遮雨棚", "站台只有一根站牌，下雨天等车的老人孩子没处躲雨。", "建议加装遮雨棚和座椅。"),
    ],
    &[
        ("{p}占道经营严重", "早上菜贩把摊子摆到马路中间，车辆行人都过不去。", "请城管部门加强管理。"),
        ("{p}夜间施工噪音扰民", "工地每天晚上十一点以后还在施工，附近居民无法休息。", "希望依法查处夜间违规施工。"),
        ("{p}垃圾清运不及时", "垃圾桶满了好几天都没人清运，天热气味很大。", "请安排及时清运。"),
        ("{p}路灯不亮", "这条路上的路灯坏了一大半，晚上出行很不安全。", "请尽快维修。"),
    ],
    &[
        (
            "{p}孩子入学划片咨询",
            "我家户口在城区，房子买在新区，孩子今年上小学不知道该去哪个学校报名。",
            "请问具体政策是怎样的？",
        ),
        ("{p}学校门口交通拥堵", "放学时段学校门口车辆乱停，孩子过马路很危险。", "建议安排交警或志愿者疏导。"),
        ("{p}课后服务收费问题", "学校课后服务收费标准是怎么定的，家长不太清楚。", "希望公开收费依据。"),
        ("{p}幼儿园学位紧张", "附近只有一所公办幼儿园，报名的人太多，很多孩子排不上。", "请问有没有新建幼儿园的计划？"),
    ],
    &[
        (
            "{p}灵活就业人员社保缴费咨询",
            "我在外地打工多年，现在回乡自己做点小生意，想以灵活就业身份续缴社保。",
            "请问在哪里办理、需要什么手续？",
        ),
        ("{p}企业拖欠农民工工资", "我们在工地干了三个月，老板一直拖着不发工资。", "恳请劳动监察部门帮忙追讨。"),
        ("失业保险金申领咨询", "公司裁员后我想申领失业保险金，不知道需要哪些材料。", "请告知办理流程。"),
        ("职称评审材料咨询", "今年准备申报中级职称，不清楚继续教育学时怎么认定。", "请告知具体要求。"),
    ],
    &[
        ("{p}卫生院看病难", "镇卫生院医生少，早上排队两个小时才能看上病。", "希望加强基层医疗力量。"),
        ("医保异地报销咨询", "老人在外地子女家住院，医保报销比例比本地低很多。", "请问异地就医备案怎么办理？"),
        ("慢性病门诊待遇办理", "家里老人有高血压、糖尿病，想办理慢性病门诊待遇。", "请告知办理条件和地点。"),
        ("{p}疫苗接种预约难", "网上预约疫苗总是约不上，打电话也没人接。", "希望增加接种名额和预约渠道。"),
    ],
    &[
        ("{p}自来水水压不足", "一到用水高峰，三楼以上就没有水，已经持续一个多月。", "请供水部门尽快检查。"),
        ("{p}自来水发黄", "最近几天家里自来水发黄，烧开后有沉淀。", "希望检测水质并告知结果。"),
        ("{p}排水沟堵塞", "排水沟被淤泥堵死，一下大雨门口就积水。", "请安排清淤疏通。"),
        ("{p}河道垃圾漂浮", "河面上漂着很多塑料袋和杂物，好久没人打捞。", "请安排保洁。"),
    ],
    &[
        ("{p}养殖场臭味扰民", "村边的养猪场气味很大，夏天窗户都不敢开。", "请环保部门调查处理。"),
        ("{p}企业夜间排放废气", "附近工厂晚上排气，空气里有刺鼻的味道。", "希望加强夜间监测。"),
        ("{p}有人焚烧秸秆", "这几天傍晚田里烧秸秆，烟雾很大，呛得人睁不开眼。", "请加强巡查制止。"),
        ("{p}河水发黑发臭", "河里的水最近发黑，还有死鱼。", "请尽快查明原因。"),
    ],
    &[
        ("{p}超市销售过期食品", "在超市买的牛奶回家发现已经过期三天。", "请市场监管部门查处。"),
        ("{p}加油站计量不准", "同样的车每次加满油，在这家加油站总是多出几升。", "希望对加油机进行检定。"),
        ("{p}预付卡商家跑路", "办了健身卡没几个月，店就关门了，老板联系不上。", "请帮助消费者维权。"),
        ("{p}小餐馆卫生差", "这家餐馆后厨脏乱，吃完饭家里两个人都闹肚子。", "请检查处理。"),
    ],
    &[
        ("高标准农田建设咨询", "我们村的田块分散，听说有高标准农田建设项目，想了解申报条件。", "请问如何申报？"),
        ("种粮补贴发放时间", "今年的种粮补贴还没有收到，不知道什么时候发放。", "请告知发放时间。"),
        ("{p}农村道路硬化", "村里到组的路还是土路，下雨天没法走。", "希望纳入道路硬化计划。"),
        ("{p}村里饮用水问题", "村里还有几户没通上自来水，吃的是井水。", "请问什么时候能通自来水？"),
    ],
];

/// Suggestions and everyday posts for the boards without a unit.
const SUGGESTIONS: [&str; 10] = [
    "关于发展{p}乡村旅游的建议",
    "建议在{p}增设便民停车位",
    "关于提升县城绿化水平的建议",
    "建议政务服务中心延长周末服务时间",
    "关于加强青少年体育设施建设的建议",
    "建议在{p}建设口袋公园",
    "关于打造无为板鸭品牌的建议",
    "建议公交车推广移动支付",
    "关于老年人智能手机使用培训的建议",
    "建议完善{p}夜间照明",
];
const LIFE: [&str; 8] = [
    "{p}哪里可以办理居住证",
    "周末带孩子去{p}游玩攻略",
    "{p}菜市场营业时间",
    "无为哪里有好的图书馆自习室",
    "{p}新开的公园很漂亮",
    "推荐几家{p}的特色小吃",
    "县城到合肥的班车时刻",
    "{p}的樱花开了",
];
const SUGGESTION_BODIES: [&str; 4] = [
    "近年来我县发展变化很大，作为一名普通市民，我有几点想法：一是加强统筹规划，二是多听取群众意见，三是加大宣传力度。",
    "我经常在这一带活动，发现很多市民都有这方面的需求，外地一些县市已经做得很好，值得借鉴。",
    "这件事关系到很多家庭，希望有关部门能够认真研究，尽快拿出方案。",
    "以上建议仅供参考，希望我们的家乡越来越好。",
];
const PLACES: [&str; 12] = [
    "无城镇",
    "襄安镇",
    "陡沟镇",
    "石涧镇",
    "严桥镇",
    "开城镇",
    "高沟镇",
    "红庙镇",
    "泉塘镇",
    "县城南门",
    "城北新区",
    "滨湖路",
];
const NICK_PREFIX: [&str; 10] = [
    "无为网友",
    "热心市民",
    "襄安老乡",
    "城北居民",
    "一位家长",
    "外出务工者",
    "老党员",
    "退休教师",
    "小区业主",
    "环保志愿者",
];
const REPLIES: [&str; 6] = [
    "同问，我们那里也有这个情况。",
    "支持楼主！",
    "希望早日解决。",
    "前几天我也打过电话反映。",
    "顶一下，盼回复。",
    "感谢分享。",
];
const ANSWER_OPEN: [&str; 3] =
    ["您好！您反映的问题已收悉。", "网友您好：感谢您对我县工作的关心和支持。", "您好！收到您的留言后，我们高度重视。"];
const ANSWER_BODY: [&str; 6] = [
    "经我单位工作人员现场核实，情况基本属实，已责成相关责任人限期整改，目前问题已得到解决。",
    "经调查了解，该事项已列入今年工作计划，预计年内完成，届时将及时向社会公布。",
    "我们已与相关单位进行了对接，制定了整改方案，将持续跟踪督办。",
    "根据现行政策规定，您可携带相关材料到县政务服务中心对应窗口办理，工作日均可受理。",
    "已安排专人上门了解情况并协调处理，处理结果已电话反馈给您。",
    "您所提的问题涉及多个部门，我们已会同有关部门研究，正在按程序推进。",
];
const ANSWER_CLOSE: [&str; 3] = ["如有疑问，欢迎继续反映。", "感谢您的监督！", "欢迎继续关注和支持我们的工作。"];
const CENTRE_ANSWER: [&str; 4] = [
    "感谢您的宝贵建议！您的建议已转交有关部门研究参考。",
    "您好，您的建议我们已汇总报送县政府，相关部门将在制定工作计划时认真研究吸纳。",
    "感谢关注！相关信息可在县政府门户网站“信息公开”栏目查询。",
    "您好，感谢您的分享和对家乡建设的关心。",
];

fn place(rng: &mut Rng) -> &'static str {
    PLACES[rng.below(PLACES.len())]
}

fn nickname(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&NICK_PREFIX), rng.range(10, 9999))
}

fn fill(template: &str, rng: &mut Rng) -> String {
    template.replace("{p}", place(rng))
}

/// An answer of a unit (or the centre).
fn answer(rng: &mut Rng) -> String {
    format!("{}{}{}", rng.pick(&ANSWER_OPEN), rng.pick(&ANSWER_BODY), rng.pick(&ANSWER_CLOSE))
}

/// A generated question of kind `topic`: its subject and body.
fn question(rng: &mut Rng, topic: usize) -> (String, String) {
    let (subject, detail, ask) = *rng.pick(TOPICS[topic % TOPICS.len()]);
    let p = place(rng);
    (subject.replace("{p}", p), format!("我是{p}的居民。{detail}{ask}\n谢谢！"))
}

fn boards_for(scale: Scale) -> Vec<(BoardSpec, usize)> {
    BOARDS
        .iter()
        .map(|b| {
            let n = match scale {
                Scale::Full => b.6,
                Scale::Small => 2,
            };
            (*b, n)
        })
        .collect()
}

/// The history, oldest first: threads spread over [`SPAN_DAYS`], the [`OPEN`] newest
/// addressed threads without an answer.
fn history(scale: Scale, now: i64) -> Vec<ThreadImport> {
    let mut rng = Rng::new(SEED);
    let mut out = Vec::new();
    for ((slug, _, _, unit, addressable, _, _), count) in boards_for(scale) {
        for _ in 0..count {
            let created = now - rng.range(3 * DAY, SPAN_DAYS * DAY);
            let (unit, subject, body) = if let Some(u) = unit {
                let topic = UNITS.iter().find(|(c, _)| *c == u).map_or(0, |(_, t)| *t);
                let (s, b) = question(&mut rng, topic);
                (None, s, b)
            } else if addressable {
                let (u, topic) = *rng.pick(&UNITS);
                let (s, b) = question(&mut rng, topic);
                (Some(u.to_string()), s, b)
            } else if slug == "jianyan" {
                let s = fill(SUGGESTIONS[rng.below(SUGGESTIONS.len())], &mut rng);
                let b = format!("{}{}", rng.pick(&SUGGESTION_BODIES), rng.pick(&SUGGESTION_BODIES));
                (None, s, b)
            } else {
                let s = fill(LIFE[rng.below(LIFE.len())], &mut rng);
                (None, s.clone(), format!("{s}？有了解的网友说说吧。"))
            };
            let replies = (0..rng.below(4))
                .map(|k| (nickname(&mut rng), rng.pick(&REPLIES).to_string(), created + 600 * (k as i64 + 1)))
                .collect();
            let addressed = unit.is_some() || BOARDS.iter().any(|b| b.0 == slug && b.3.is_some());
            // Most answers come within the 5 working days, a few late.
            let delay = if rng.chance(6) { rng.range(8 * DAY, 15 * DAY) } else { rng.range(3 * 3600, 5 * DAY) };
            let text = if addressed { answer(&mut rng) } else { rng.pick(&CENTRE_ANSWER).to_string() };
            out.push(ThreadImport {
                board: slug.to_string(),
                unit,
                nickname: nickname(&mut rng),
                subject,
                body,
                created_at: created,
                replies,
                answer: Some((text, (created + delay).min(now - 3600))),
            });
        }
    }
    out.sort_by_key(|t| t.created_at);
    // The newest addressed threads wait for their answer: moved to the last two days.
    let open = match scale {
        Scale::Full => OPEN,
        Scale::Small => 2,
    };
    let mut left = open;
    for (k, t) in out.iter_mut().rev().enumerate() {
        if left == 0 {
            break;
        }
        let addressed = t.unit.is_some() || BOARDS.iter().any(|b| b.0 == t.board && b.3.is_some());
        if addressed {
            t.created_at = now - 3600 * (k as i64 + 2);
            t.replies.iter_mut().enumerate().for_each(|(i, r)| r.2 = t.created_at + 300 * (i as i64 + 1));
            t.answer = None;
            left -= 1;
        }
    }
    out
}

/// Seeds the demo forum data at `scale`.
pub(crate) fn seed(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let actor = Actor::system("seed");
    let origin = Origin::other("seed");
    for (i, (slug, name, description, unit, addressable, moderation, _)) in BOARDS.iter().enumerate() {
        let board = NewBoard {
            slug: (*slug).into(),
            name: (*name).into(),
            description: (*description).into(),
            unit: unit.map(String::from),
            addressable: *addressable,
            moderation: *moderation,
            position: i as i64 + 1,
        };
        group.forum_create_board(&actor, &origin, &board)?;
    }
    let now = group.now();
    let lines = history(scale, now);
    for chunk in lines.chunks(CHUNK) {
        let out = group.forum_import(&actor, &origin, chunk)?;
        if let Some(Err(e)) = out.into_iter().find(Result::is_err) {
            return Err(e);
        }
        progress("论坛");
    }
    // A few live posts for the moderation queue.
    let mut rng = Rng::new(SEED ^ 0x1);
    let web = Origin::other("seed");
    let poster = |n: u64| ForumPoster { key: format!("demo-forum-poster-{n:04}"), address: None };
    for n in 0..3u64 {
        let (subject, body) = question(&mut rng, n as usize);
        let t = NewThread {
            board: "minsheng".into(),
            unit: Some(UNITS[n as usize].0.into()),
            nickname: nickname(&mut rng),
            subject,
            body,
            idempotency_key: Some(format!("demo-forum-{n}")),
        };
        group.forum_post_thread(&web, &poster(n), &t)?;
    }
    let latest = group.forum_threads("wenzheng", 1, 1)?;
    if let Some(t) = latest.threads.first() {
        let reply = NewPost {
            nickname: nickname(&mut rng),
            body: "我也遇到同样的问题，可以打我电话 13905530000 了解情况。".into(),
            idempotency_key: Some("demo-forum-reply".into()),
        };
        group.forum_reply(&web, &poster(9), t.thread.id, &reply)?;
    }
    progress("论坛审核队列");
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn history_has_the_seed_volumes() {
        let now = 1_750_000_000;
        let h = history(Scale::Full, now);
        assert_eq!(h.len(), 2_772);
        assert_eq!(h.iter().filter(|t| t.answer.is_some()).count(), 2_758);
        assert!(h.iter().all(|t| t.created_at < now && t.answer.as_ref().is_none_or(|a| a.1 >= t.created_at)));
        assert_eq!(history(Scale::Small, now).len(), 16);
        assert_eq!(history(Scale::Small, now).iter().filter(|t| t.answer.is_none()).count(), 2);
    }

    /// The full history through the facade: the seed's figures (a few seconds in a
    /// debug build); how long it takes is printed, not asserted.
    #[test]
    fn forum_full_seed() {
        use sitegroup::NewUnit;
        let dir = tempfile::tempdir().unwrap();
        let group = SiteGroup::open(dir.path()).unwrap();
        let actor = Actor::system("seed");
        for c in super::super::channels() {
            let unit = NewUnit { code: c.code.clone(), name: c.unit_name.clone(), kind: c.unit_kind };
            group.add_unit(&actor, &Origin::other("seed"), &unit).unwrap();
        }
        let started = std::time::Instant::now();
        seed(&group, Scale::Full, &mut |_| {}).unwrap();
        eprintln!("forum: full seed took {:?}", started.elapsed());
        let stats = group.forum_stats().unwrap();
        assert_eq!((stats.threads, stats.answered), (2_772, 2_758));
        assert_eq!(group.forum_queue(&actor, 100).unwrap().len(), 4);
    }
}
