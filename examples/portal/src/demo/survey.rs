//! Demo data of the survey module: a county service-satisfaction survey that is open
//! and has a few hundred responses, a closed parking survey whose paper questionnaires
//! were recorded, and an upcoming fitness-facilities survey ([`Scale::Small`]: the open
//! survey only, with a dozen responses). Deterministic: answers come from a seeded
//! generator with realistic leanings; times are relative to the group's clock.

use sitegroup::interaction::survey::{Answer, Answers, NewQuestion, NewSurvey, QuestionKind, Survey};
use sitegroup::{Actor, Error, Origin, SiteGroup};

use super::Scale;
use super::text::Rng;

const DAY: i64 = 86_400;

fn multiple(text: &str, options: &[&str], max: u32) -> NewQuestion {
    let mut q = NewQuestion::new(QuestionKind::Multiple, text, false, options);
    q.max_choices = Some(max);
    q
}

fn text(text: &str, max: u32) -> NewQuestion {
    let mut q = NewQuestion::new(QuestionKind::Text, text, false, &[]);
    q.max_chars = Some(max);
    q
}

/// Picks an index by weights.
fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut n = rng.below(total.max(1) as usize) as u32;
    for (i, w) in weights.iter().enumerate() {
        if n < *w {
            return i;
        }
        n -= w;
    }
    0
}

/// Answers leaning the way `weights` (per question, per option or rating value) say,
/// with free text from `remarks` now and then.
fn answers(rng: &mut Rng, s: &Survey, weights: &[&[u32]], remarks: &[&str]) -> Answers {
    let mut a = Answers::default();
    for (q, w) in s.questions.iter().zip(weights) {
        match q.kind {
            QuestionKind::Single => {
                a.0.insert(q.id, Answer::Choices(vec![weighted(rng, w) as u32 + 1]));
            }
            QuestionKind::Multiple => {
                let mut picked: Vec<u32> = q
                    .options
                    .iter()
                    .zip(w.iter())
                    .filter(|(_, p)| rng.chance(u64::from(**p)))
                    .map(|(o, _)| o.id)
                    .take(q.max_choices as usize)
                    .collect();
                if picked.is_empty() && q.required {
                    picked.push(1);
                }
                if !picked.is_empty() {
                    a.0.insert(q.id, Answer::Choices(picked));
                }
            }
            QuestionKind::Rating => {
                a.0.insert(q.id, Answer::Rating(weighted(rng, w) as u8 + 1));
            }
            QuestionKind::Text => {
                if !remarks.is_empty() && rng.chance(25) {
                    a.0.insert(q.id, Answer::Text((*rng.pick(remarks)).to_string()));
                }
            }
        }
    }
    a
}

/// Seeds the demo survey data at `scale`.
pub(crate) fn seed(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("seed");
    let now = group.now();
    let mut rng = Rng::derive(2026, "survey");

    // 1. Open: satisfaction with the county's government service centre.
    let site = group.site("zwfwj")?;
    let open = group.create_survey(
        &seed,
        &origin,
        site.id,
        &NewSurvey {
            title: "2026年无为县政务服务满意度问卷调查".into(),
            intro: "为进一步优化营商环境、提升政务服务水平，县政务服务管理局开展本次满意度调查。问卷不记名，约需3分钟，感谢您的参与！".into(),
            questions: vec![
                NewQuestion::new(
                    QuestionKind::Single,
                    "您最近一年在县政务服务中心办理过业务吗？",
                    true,
                    &["办理过多次", "办理过一次", "没有办理过"],
                ),
                multiple(
                    "您通常通过哪些渠道办理政务服务事项？（最多选3项）",
                    &["政务服务中心窗口", "皖事通手机端", "政府网站网上办事大厅", "乡镇便民服务中心", "自助服务终端"],
                    3,
                ),
                NewQuestion::new(
                    QuestionKind::Single,
                    "您对窗口工作人员的服务态度是否满意？",
                    true,
                    &["非常满意", "满意", "基本满意", "不满意"],
                ),
                NewQuestion::new(QuestionKind::Rating, "请为县政务服务的整体水平打分", true, &[]),
                text("您对改进政务服务还有哪些意见和建议？", 500),
            ],
            opens_at: now - 20 * DAY,
            closes_at: now + 10 * DAY,
            results_public: true,
        },
    )?;
    let open = group.publish_survey(&seed, &origin, open.id)?;
    let remarks = [
        "希望延长午间办事时间，方便上班族。",
        "部分事项还要跑多个窗口，建议实行一窗受理。",
        "手机端办理很方便，希望更多事项能网上办。",
        "停车位太少，高峰期很难停车。",
        "窗口工作人员态度很好，点赞！",
        "建议在乡镇便民服务中心增加社保业务。",
    ];
    let weights: [&[u32]; 5] = [&[35, 40, 25], &[70, 55, 35, 30, 15], &[40, 38, 17, 5], &[3, 5, 17, 40, 35], &[]];
    let n = if scale == Scale::Small { 12 } else { 320 };
    for i in 0..n {
        let a = answers(&mut rng, &open, &weights, &remarks);
        let visitor = format!("{:016x}{:016x}", rng.next_u64(), i as u64);
        // Demo respondents come from many addresses (no real address is stored anyway).
        let web = Origin::web(Some(format!("demo-{i}")));
        group.submit_survey_response(&Actor::anonymous(), &web, open.id, Some(&visitor), &a)?;
    }
    progress(&open.title);
    if scale == Scale::Small {
        return Ok(());
    }

    // 2. Closed: parking in the town centre; paper questionnaires recorded afterwards.
    let site = group.site("cgj")?;
    let parking = group.create_survey(
        &seed,
        &origin,
        site.id,
        &NewSurvey {
            title: "无为县城区停车难问题问卷调查".into(),
            intro: "县城市管理局就城区停车设施规划和管理征求市民意见，调查结果将作为停车场建设和收费调整的参考。"
                .into(),
            questions: vec![
                NewQuestion::new(
                    QuestionKind::Single,
                    "您日常出行主要使用哪种交通方式？",
                    true,
                    &["私家车", "电动自行车", "公交车", "步行"],
                ),
                NewQuestion::new(
                    QuestionKind::Single,
                    "您认为城区哪个区域停车最难？",
                    true,
                    &["老城区商业街", "县医院周边", "学校周边", "政务服务中心周边", "居民小区"],
                ),
                multiple(
                    "您支持以下哪些措施？",
                    &["新建公共停车场", "错时共享单位停车位", "路边停车按时收费", "加强违停查处"],
                    4,
                ),
                NewQuestion::new(QuestionKind::Rating, "您对目前城区停车状况的满意程度", true, &[]),
                text("其他意见建议", 300),
            ],
            opens_at: now - 75 * DAY,
            closes_at: now - 45 * DAY,
            results_public: true,
        },
    )?;
    let parking = group.publish_survey(&seed, &origin, parking.id)?;
    let remarks = ["建议学校周边设置临时停车带。", "老城区可以建立体停车库。", "收费标准要公开透明。"];
    let weights: [&[u32]; 5] = [&[45, 35, 12, 8], &[30, 35, 20, 5, 10], &[80, 60, 35, 45], &[20, 30, 30, 15, 5], &[]];
    for _ in 0..210 {
        let a = answers(&mut rng, &parking, &weights, &remarks);
        let at = rng.range(parking.opens_at + 3600, parking.closes_at - 3600);
        group.record_survey_response(&seed, &origin, parking.id, &a, at)?;
    }
    group.close_survey(&seed, &origin, parking.id)?;
    progress(&parking.title);

    // 3. Upcoming: fitness facilities.
    let site = group.site("wltyj")?;
    let fitness = group.create_survey(
        &seed,
        &origin,
        site.id,
        &NewSurvey {
            title: "全民健身设施需求问卷调查".into(),
            intro: "为科学规划建设全民健身设施，县文化旅游体育局将开展本次调查。".into(),
            questions: vec![
                multiple("您平时参加哪些健身活动？", &["健步走", "广场舞", "篮球", "羽毛球", "游泳"], 5),
                NewQuestion::new(
                    QuestionKind::Single,
                    "您最希望在家门口增加哪类设施？",
                    true,
                    &["健身路径", "室内健身馆", "体育公园", "游泳池"],
                ),
                text("您的其他建议", 300),
            ],
            opens_at: now + 5 * DAY,
            closes_at: now + 35 * DAY,
            results_public: false,
        },
    )?;
    group.publish_survey(&seed, &origin, fitness.id)?;
    progress(&fitness.title);
    Ok(())
}
