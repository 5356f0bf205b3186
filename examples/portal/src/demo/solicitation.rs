//! Demo data of the solicitation module, at every scale: one open solicitation with
//! moderated comments (approved, one rejected advertisement, one still pending), one
//! closed with its feedback summary published, and one closed whose summary is overdue
//! (so the centre's overdue list has an entry). Times are relative to the group's
//! clock; comments received offline are recorded with their dates.

use sitegroup::interaction::solicitation::{Feedback, Moderation, NewComment, NewSolicitation};
use sitegroup::{Actor, Error, Origin, SiteGroup};

use super::Scale;

const DAY: i64 = 86_400;

fn comment(author: Option<&str>, body: &str) -> NewComment {
    NewComment { author: author.map(String::from), body: body.into(), idempotency_key: None }
}

/// Seeds the demo solicitation data at `scale` (the same three at every scale).
pub(crate) fn seed(group: &SiteGroup, _scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("seed");
    let now = group.now();

    // 1. Open: a draft regulation on dog keeping in the town.
    let site = group.site("gaj")?;
    let dogs = group.create_solicitation(
        &seed,
        &origin,
        site.id,
        &NewSolicitation {
            title: "《无为县城区养犬管理办法（征求意见稿）》公开征求意见".into(),
            intro: "为规范城区养犬行为，保障公民健康和人身安全，县公安局起草了《无为县城区养犬管理办法（征求意见稿）》，现向社会公开征求意见。欢迎通过本页面留言，或来信寄至县公安局治安管理大队。".into(),
            body: "第一条 为了规范养犬行为，保障公民健康和人身安全，维护市容环境和社会公共秩序，根据有关法律法规，结合本县实际，制定本办法。\n第二条 本办法适用于本县城区范围内犬只的饲养、经营和管理活动。\n第三条 养犬实行登记制度。个人在城区饲养犬只的，应当向公安机关申请办理养犬登记。\n第四条 携犬出户时，应当为犬只束犬链，由完全民事行为能力人牵领，并主动避让行人。\n第五条 禁止携犬进入机关、学校、医院、室内公共场所及公共交通工具。\n第六条 本办法自发布之日起施行。".into(),
            opens_at: now - 10 * DAY,
            closes_at: now + 20 * DAY,
        },
    )?;
    group.publish_solicitation(&seed, &origin, dogs.id)?;
    let web = [
        (Some("城东居民"), "建议明确遛狗时间段，早晚高峰时段避开学校周边。", true),
        (None, "第四条应当规定犬链长度，不超过1.5米比较合适。", true),
        (Some("李女士"), "希望增加对犬只粪便清理的要求，并规定处罚标准。", true),
        (None, "养犬登记能否在皖事通上办理？建议开通网上登记。", true),
        (None, "专业办证，加微信xxxx，价格优惠。", false),
        (Some("王先生"), "对大型犬、烈性犬应当有更严格的管理规定。", false),
    ];
    for (i, (author, body, approve)) in web.iter().enumerate() {
        let from = Origin::web(Some(format!("demo-sol-{i}")));
        let c = group.submit_solicitation_comment(&Actor::anonymous(), &from, dogs.id, &comment(*author, body))?;
        if *approve {
            group.moderate_solicitation_comment(&seed, &origin, c.comment.id, &Moderation::Approve)?;
        } else if i == 4 {
            let reject = Moderation::Reject { reason: "广告信息".into() };
            group.moderate_solicitation_comment(&seed, &origin, c.comment.id, &reject)?;
        }
    }
    progress(&dogs.title);

    // 2. Closed, summary published: household waste sorting.
    let site = group.site("cgj")?;
    let waste = group.create_solicitation(
        &seed,
        &origin,
        site.id,
        &NewSolicitation {
            title: "《无为县城市生活垃圾分类管理实施方案（征求意见稿）》公开征求意见".into(),
            intro: "县城市管理局起草了生活垃圾分类管理实施方案，现公开征求社会各界意见。".into(),
            body: "一、工作目标：到年底，城区公共机构生活垃圾分类实现全覆盖，居民小区分类覆盖率达到60%以上。\n二、分类标准：生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾四类。\n三、主要任务：完善分类投放设施，建立分类收运体系，推进分类处理设施建设。\n四、保障措施：加强组织领导，加大宣传引导，强化监督考核。".into(),
            opens_at: now - 95 * DAY,
            closes_at: now - 65 * DAY,
        },
    )?;
    group.publish_solicitation(&seed, &origin, waste.id)?;
    let offline = [
        ("县人大代表张某", "建议在老旧小区先行试点，积累经验后再推开。"),
        ("某社区居委会", "分类垃圾桶数量不足，建议按户数配置。"),
        ("市民来信", "厨余垃圾收运频次应当每日一次，夏季可增加。"),
        ("网友", "可回收物可以与再生资源回收企业合作，给居民积分奖励。"),
        ("某物业公司", "希望明确物业企业的责任和费用来源。"),
    ];
    for (i, (author, body)) in offline.iter().enumerate() {
        let at = waste.opens_at + (i as i64 + 1) * 4 * DAY;
        group.record_solicitation_comment(&seed, &origin, waste.id, &comment(Some(author), body), at)?;
    }
    let text = "本次征求意见期间共收到意见建议5条，经研究，采纳3条：\n一、采纳“在老旧小区先行试点”的建议，方案增加“先试点、后推广”的实施步骤；\n二、采纳“按户数配置分类垃圾桶”的建议，明确每30户配置一组分类投放设施；\n三、采纳“厨余垃圾每日收运”的建议。\n未采纳的意见及理由：积分奖励和物业费用问题涉及其他部门职责，已转相关部门研究，将在配套文件中予以明确。";
    group.save_solicitation_feedback(&seed, &origin, waste.id, &Feedback { text: text.into(), adopted: 3 })?;
    group.publish_solicitation_feedback(&seed, &origin, waste.id)?;
    progress(&waste.title);

    // 3. Closed, summary overdue: rural collective construction land.
    let site = group.site("zrzyj")?;
    let land = group.create_solicitation(
        &seed,
        &origin,
        site.id,
        &NewSolicitation {
            title: "《无为县农村集体经营性建设用地入市管理办法（征求意见稿）》公开征求意见".into(),
            intro: "县自然资源和规划局起草了农村集体经营性建设用地入市管理办法，现公开征求意见。".into(),
            body: "第一条 为规范农村集体经营性建设用地入市行为，根据《中华人民共和国土地管理法》等规定，制定本办法。\n第二条 本办法所称入市，是指农村集体经营性建设用地以出让、出租等方式交由单位或者个人使用的行为。\n第三条 入市应当符合国土空间规划，依法取得集体经济组织成员的同意。".into(),
            opens_at: now - 70 * DAY,
            closes_at: now - 40 * DAY,
        },
    )?;
    group.publish_solicitation(&seed, &origin, land.id)?;
    let offline = [
        ("某村村民委员会", "建议明确入市收益在集体和成员之间的分配比例。"),
        ("县政协委员", "应当建立入市地价评估和公示制度。"),
        ("市民来信", "希望简化入市审批流程。"),
    ];
    for (i, (author, body)) in offline.iter().enumerate() {
        let at = land.opens_at + (i as i64 + 1) * 6 * DAY;
        group.record_solicitation_comment(&seed, &origin, land.id, &comment(Some(author), body), at)?;
    }
    progress(&land.title);
    Ok(())
}
