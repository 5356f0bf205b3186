//! Demo data of the online services: service items across the four audiences and the
//! life events for the county's units, each with a guide (a few deliberately
//! incomplete, so the completeness check and the self-check have something to show),
//! the forms library (308 forms at full scale: attachments of "办事表格" documents in a
//! 表格下载 column of the government-services bureau's site), policy Q&A (127 at full
//! scale) and the online queries (16 at full scale) backed by the demo providers.
//! Deterministic; acts as `system:seed`.

use sitegroup::content::{Attachment, DocInput};
use sitegroup::services::{Guide, Material, NewForm, NewItem, NewQa, NewQueryDef};
use sitegroup::{Actor, Error, ImportDocument, NewColumn, Origin, SiteGroup};

use super::Scale;

/// (code, name, audience, life events, theme, unit, legal basis, time limit, fees).
type ItemSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const ITEMS: &[ItemSpec] = &[
    (
        "gr-csdj",
        "出生登记",
        "personal",
        &["birth"],
        "户籍办理",
        "gaj",
        "《中华人民共和国户口登记条例》第七条",
        "即时办结",
        "不收费",
    ),
    (
        "gr-yfjz",
        "预防接种证办理",
        "personal",
        &["birth"],
        "医疗卫生",
        "wjw",
        "《中华人民共和国疫苗管理法》第四十七条",
        "即时办结",
        "不收费",
    ),
    (
        "gr-sylx",
        "生育登记服务",
        "personal",
        &["birth"],
        "医疗卫生",
        "wjw",
        "《安徽省人口与计划生育条例》",
        "即时办结",
        "不收费",
    ),
    (
        "gr-ybcb",
        "城乡居民医疗保险参保登记",
        "personal",
        &["birth", "employment"],
        "社会保障",
        "ybj",
        "《中华人民共和国社会保险法》第二十五条",
        "即时办结",
        "不收费",
    ),
    (
        "gr-ywjy",
        "义务教育阶段入学登记",
        "personal",
        &["schooling"],
        "教育科研",
        "jyj",
        "《中华人民共和国义务教育法》第十二条",
        "10个工作日",
        "不收费",
    ),
    (
        "gr-xszz",
        "家庭经济困难学生资助申请",
        "personal",
        &["schooling"],
        "教育科研",
        "jyj",
        "《学生资助资金管理办法》",
        "20个工作日",
        "不收费",
    ),
    (
        "gr-jszg",
        "教师资格认定",
        "personal",
        &["schooling", "employment"],
        "教育科研",
        "jyj",
        "《教师资格条例》第十三条",
        "30个工作日",
        "不收费",
    ),
    (
        "gr-sydj",
        "失业登记",
        "personal",
        &["employment"],
        "就业创业",
        "rsj",
        "《就业服务与就业管理规定》第六十三条",
        "即时办结",
        "不收费",
    ),
    (
        "gr-cydk",
        "创业担保贷款申请",
        "personal",
        &["employment"],
        "就业创业",
        "rsj",
        "《创业担保贷款贴息资金管理办法》",
        "15个工作日",
        "不收费",
    ),
    (
        "gr-zyjn",
        "职业技能培训补贴申领",
        "personal",
        &["employment"],
        "就业创业",
        "rsj",
        "《职业技能提升行动方案（2019—2021年）》",
        "20个工作日",
        "不收费",
    ),
    (
        "gr-jhdj",
        "结婚登记",
        "personal",
        &["marriage"],
        "婚姻登记",
        "mzj",
        "《中华人民共和国民法典》第一千零四十九条",
        "即时办结",
        "不收费",
    ),
    (
        "gr-lhdj",
        "离婚登记",
        "personal",
        &["marriage"],
        "婚姻登记",
        "mzj",
        "《中华人民共和国民法典》第一千零七十六条",
        "冷静期届满后即时办结",
        "不收费",
    ),
    (
        "gr-gjjtq",
        "住房公积金提取",
        "personal",
        &["housing"],
        "住房保障",
        "gjj",
        "《住房公积金管理条例》第二十四条",
        "3个工作日",
        "不收费",
    ),
    (
        "gr-gjjdk",
        "住房公积金个人贷款",
        "personal",
        &["housing"],
        "住房保障",
        "gjj",
        "《住房公积金管理条例》第二十六条",
        "15个工作日",
        "不收费",
    ),
    (
        "gr-bdcdj",
        "不动产转移登记",
        "personal",
        &["housing"],
        "住房保障",
        "zrzyj",
        "《不动产登记暂行条例》第十四条",
        "5个工作日",
        "按规定收取登记费",
    ),
    (
        "gr-gzfsq",
        "公共租赁住房申请",
        "personal",
        &["housing"],
        "住房保障",
        "zjj",
        "《公共租赁住房管理办法》第七条",
        "30个工作日",
        "不收费",
    ),
    (
        "gr-txsp",
        "企业职工退休审批",
        "personal",
        &["retirement"],
        "社会保障",
        "rsj",
        "《国务院关于工人退休、退职的暂行办法》",
        "20个工作日",
        "不收费",
    ),
    (
        "gr-ylj",
        "城乡居民养老保险待遇申领",
        "personal",
        &["retirement"],
        "社会保障",
        "rsj",
        "《中华人民共和国社会保险法》第二十一条",
        "15个工作日",
        "不收费",
    ),
    (
        "gr-gljt",
        "高龄津贴申领",
        "personal",
        &["retirement"],
        "社会救助",
        "mzj",
        "《安徽省老年人权益保障条例》",
        "20个工作日",
        "不收费",
    ),
    (
        "gr-swzx",
        "死亡人员户口注销",
        "personal",
        &["death"],
        "户籍办理",
        "gaj",
        "《中华人民共和国户口登记条例》第八条",
        "即时办结",
        "不收费",
    ),
    (
        "gr-szbz",
        "丧葬补助金领取",
        "personal",
        &["death"],
        "社会保障",
        "rsj",
        "《中华人民共和国社会保险法》第十七条",
        "10个工作日",
        "不收费",
    ),
    (
        "gr-dbsq",
        "最低生活保障申请",
        "personal",
        &["housing", "employment"],
        "社会救助",
        "mzj",
        "《社会救助暂行办法》第十一条",
        "30个工作日",
        "不收费",
    ),
    (
        "gr-cjrz",
        "残疾人证办理",
        "personal",
        &["birth", "employment"],
        "社会救助",
        "cl",
        "《中华人民共和国残疾人证管理办法》",
        "15个工作日",
        "不收费",
    ),
    (
        "gr-jdcdj",
        "机动车注册登记",
        "personal",
        &["employment"],
        "交通出行",
        "gaj",
        "《机动车登记规定》第十四条",
        "即时办结",
        "按规定收取号牌工本费",
    ),
    (
        "qy-slkb",
        "企业设立登记",
        "enterprise",
        &["start_up"],
        "市场准入",
        "scjgj",
        "《中华人民共和国市场主体登记管理条例》第三条",
        "1个工作日",
        "不收费",
    ),
    (
        "qy-yzkz",
        "印章刻制备案",
        "enterprise",
        &["start_up"],
        "市场准入",
        "gaj",
        "《印铸刻字业暂行管理规则》",
        "即时办结",
        "不收费",
    ),
    (
        "qy-swdj",
        "新办纳税人涉税事项",
        "enterprise",
        &["start_up"],
        "税收财务",
        "czj",
        "《中华人民共和国税收征收管理法》第十五条",
        "即时办结",
        "不收费",
    ),
    (
        "qy-sbdj",
        "单位社会保险登记",
        "enterprise",
        &["start_up"],
        "社会保障",
        "rsj",
        "《中华人民共和国社会保险法》第五十七条",
        "即时办结",
        "不收费",
    ),
    (
        "qy-spjy",
        "食品经营许可",
        "enterprise",
        &["start_up", "operation"],
        "市场准入",
        "scjgj",
        "《中华人民共和国食品安全法》第三十五条",
        "10个工作日",
        "不收费",
    ),
    (
        "qy-jzzz",
        "建筑业企业资质核准",
        "enterprise",
        &["operation"],
        "建设工程",
        "zjj",
        "《建筑业企业资质管理规定》第九条",
        "20个工作日",
        "不收费",
    ),
    (
        "qy-hpsp",
        "建设项目环境影响评价审批",
        "enterprise",
        &["operation"],
        "环境保护",
        "sthj",
        "《中华人民共和国环境影响评价法》第二十二条",
        "30个工作日",
        "不收费",
    ),
    (
        "qy-xfys",
        "建设工程消防验收",
        "enterprise",
        &["operation"],
        "建设工程",
        "zjj",
        "《建设工程消防设计审查验收管理暂行规定》",
        "15个工作日",
        "不收费",
    ),
    (
        "qy-ajsc",
        "安全生产许可",
        "enterprise",
        &["operation"],
        "安全生产",
        "yjglj",
        "《安全生产许可证条例》第七条",
        "45个工作日",
        "不收费",
    ),
    (
        "qy-bgdj",
        "企业变更登记",
        "enterprise",
        &["change"],
        "市场准入",
        "scjgj",
        "《中华人民共和国市场主体登记管理条例》第二十四条",
        "1个工作日",
        "不收费",
    ),
    (
        "qy-gjjbg",
        "单位住房公积金缴存变更",
        "enterprise",
        &["change"],
        "住房保障",
        "gjj",
        "《住房公积金管理条例》第十四条",
        "即时办结",
        "不收费",
    ),
    (
        "qy-zxdj",
        "企业注销登记",
        "enterprise",
        &["closure"],
        "市场准入",
        "scjgj",
        "《中华人民共和国市场主体登记管理条例》第三十一条",
        "3个工作日",
        "不收费",
    ),
    (
        "qy-jyzx",
        "简易注销",
        "enterprise",
        &["closure"],
        "市场准入",
        "scjgj",
        "《中华人民共和国市场主体登记管理条例》第三十三条",
        "3个工作日",
        "不收费",
    ),
    ("ly-lxs", "旅行社设立许可", "tourism", &[], "文化旅游", "wltyj", "《旅行社条例》第六条", "20个工作日", "不收费"),
    ("ly-mssq", "乡村民宿备案", "tourism", &[], "文化旅游", "wltyj", "《安徽省旅游条例》", "5个工作日", "不收费"),
    (
        "ly-dyz",
        "导游证申领",
        "tourism",
        &["employment"],
        "文化旅游",
        "wltyj",
        "《导游人员管理条例》第四条",
        "10个工作日",
        "不收费",
    ),
    (
        "ly-tsjb",
        "旅游投诉受理",
        "tourism",
        &[],
        "文化旅游",
        "wltyj",
        "《旅游投诉处理办法》第十条",
        "5个工作日",
        "不收费",
    ),
    (
        "tz-xmba",
        "企业投资项目备案",
        "investment",
        &["start_up"],
        "投资建设",
        "fgw",
        "《企业投资项目核准和备案管理条例》第十三条",
        "即时办结",
        "不收费",
    ),
    (
        "tz-xmhz",
        "企业投资项目核准",
        "investment",
        &["start_up"],
        "投资建设",
        "fgw",
        "《企业投资项目核准和备案管理条例》第九条",
        "20个工作日",
        "不收费",
    ),
    (
        "tz-ydys",
        "建设项目用地预审与选址意见书",
        "investment",
        &["start_up"],
        "投资建设",
        "zrzyj",
        "《中华人民共和国土地管理法》第五十二条",
        "20个工作日",
        "不收费",
    ),
    (
        "tz-gcgh",
        "建设工程规划许可",
        "investment",
        &["operation"],
        "投资建设",
        "zrzyj",
        "《中华人民共和国城乡规划法》第四十条",
        "20个工作日",
        "不收费",
    ),
    (
        "tz-sgxk",
        "建筑工程施工许可",
        "investment",
        &["operation"],
        "投资建设",
        "zjj",
        "《中华人民共和国建筑法》第七条",
        "7个工作日",
        "不收费",
    ),
    (
        "tz-zsxm",
        "招商引资项目落户服务",
        "investment",
        &["start_up"],
        "招商引资",
        "tzcjj",
        "《无为县招商引资优惠政策若干规定》",
        "10个工作日",
        "不收费",
    ),
    (
        "tz-wzqy",
        "外商投资企业信息报告",
        "investment",
        &["change"],
        "招商引资",
        "swj",
        "《外商投资信息报告办法》",
        "即时办结",
        "不收费",
    ),
];

/// (code, name, unit, provider, description).
const QUERIES: [(&str, &str, &str, &str, &str); 16] = [
    ("salary", "机关职工工资查询", "czj", "demo.salary", "县直机关事业单位在编职工按月查询工资发放明细。"),
    ("salary-bonus", "绩效工资发放查询", "czj", "demo.salary", "查询年度绩效工资发放情况。"),
    ("retire-pension", "离退休人员养老金查询", "rsj", "demo.salary", "查询离退休人员月度养老金发放情况。"),
    ("teacher-salary", "教师工资发放查询", "jyj", "demo.salary", "义务教育阶段教师工资发放查询。"),
    ("gjj-balance", "住房公积金账户查询", "gjj", "demo.housing_fund", "查询个人住房公积金缴存和余额。"),
    ("gjj-deposit", "住房公积金缴存明细查询", "gjj", "demo.housing_fund", "查询住房公积金月缴存额和缴存月数。"),
    ("gjj-loan", "住房公积金贷款查询", "gjj", "demo.housing_fund", "查询公积金贷款账户状态。"),
    ("ybj-account", "医保个人账户查询", "ybj", "demo.housing_fund", "查询医疗保险个人账户余额。"),
    ("property", "房产信息查询", "zrzyj", "demo.property", "查询本人名下不动产登记信息。"),
    ("property-mortgage", "不动产抵押登记查询", "zrzyj", "demo.property", "查询不动产抵押登记状态。"),
    ("housing-contract", "商品房合同备案查询", "zjj", "demo.property", "查询商品房买卖合同网签备案情况。"),
    ("affordable-housing", "保障性住房申请进度查询", "zjj", "demo.property", "查询公共租赁住房申请审核进度。"),
    ("vehicle", "机动车信息查询", "gaj", "demo.vehicle", "查询机动车状态和检验有效期。"),
    ("vehicle-violation", "交通违法记录查询", "gaj", "demo.vehicle", "查询机动车未处理的交通违法记录。"),
    ("vehicle-inspection", "机动车检验预约查询", "gaj", "demo.vehicle", "查询机动车检验有效期。"),
    ("driving-licence", "驾驶证信息查询", "gaj", "demo.vehicle", "查询驾驶证状态（按车辆信息核验）。"),
];

const FORM_KINDS: [&str; 7] = ["申请表", "登记表", "告知承诺书", "授权委托书", "情况说明", "材料清单", "变更申请表"];

const QUESTIONS: [(&str, &str); 6] = [
    (
        "办理{name}需要本人到场吗？",
        "原则上需申请人本人到场；确有困难的，可委托他人代办，代办人须携带授权委托书及双方身份证件。",
    ),
    (
        "{name}可以在网上办理吗？",
        "可以。登录安徽政务服务网无为县分厅，搜索“{name}”即可在线申报，材料齐全的可全程网办。",
    ),
    (
        "{name}要多长时间办好？",
        "材料齐全、符合法定形式的，按办事指南公布的办理时限办结；需要现场核查的，核查时间不计入办理时限。",
    ),
    ("{name}收费吗？", "按照办事指南公布的收费标准执行，未列明收费项目的一律不收费。"),
    (
        "外地户籍人员能否在本县申请{name}？",
        "在本县居住、就业或经营的外地户籍人员符合条件的，可以在本县申请，具体以办理条件为准。",
    ),
    ("{name}材料不齐怎么办？", "窗口一次性告知需补正的材料；补齐后重新计算办理时限，也可通过“容缺受理”先行受理。"),
];

/// Seeds the demo services at `scale`.
pub(crate) fn seed(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("seed");
    let full = scale == Scale::Full;
    let items: &[ItemSpec] = if full { ITEMS } else { &ITEMS[..8] };

    // The forms library: one "办事表格" document per unit in a 表格下载 column of the
    // government-services bureau, its attachments the blank forms.
    let site = group.site("zwfwj")?;
    let column = group
        .add_column(
            &seed,
            &origin,
            site.id,
            &NewColumn { name: "表格下载".into(), slug: Some("bgxz".into()), ..Default::default() },
        )?
        .id;
    let blank = "\u{feff}项目,填写内容\n申请人,\n联系电话,\n申请事项,\n申请日期,\n";
    let upload = group.upload(&seed, site.id, column, "form.csv", blank.as_bytes())?;
    let forms_total = if full { 308 } else { 6 };
    let mut per_item: Vec<Vec<String>> = vec![Vec::new(); items.len()];
    for n in 0..forms_total {
        let i = n % items.len();
        let kind = FORM_KINDS[(n / items.len()) % FORM_KINDS.len()];
        per_item[i].push(format!("{}{}", items[i].1, kind));
    }
    let published_at = group.now() - 30 * 86_400;
    let mut created = Vec::with_capacity(items.len());
    for (i, (code, name, audience, events, theme, unit, basis, limit, fees)) in items.iter().enumerate() {
        let forms = &per_item[i];
        let mut doc = DocInput::article(&format!("{name}办事表格"), &format!("<p>{name}所需表格，请下载后填写。</p>"));
        doc.attachments = forms
            .iter()
            .map(|f| Attachment { key: upload.file.key.clone(), name: format!("{f}.csv"), size: upload.file.size })
            .collect();
        let document =
            group.import_published(&seed, &origin, site.id, column, &ImportDocument { input: doc, published_at })?;
        let new = NewItem {
            code: (*code).into(),
            name: (*name).into(),
            audience: (*audience).into(),
            life_events: events.iter().map(|e| (*e).to_string()).collect(),
            theme: (*theme).into(),
            unit: (*unit).into(),
            sort: i64::try_from(i).unwrap_or(0),
        };
        let item = group.add_service_item(&seed, &origin, &new, &Guide::default())?;
        let mut form_ids = Vec::new();
        for (k, f) in forms.iter().enumerate() {
            let form = group.add_service_form(
                &seed,
                &origin,
                &NewForm {
                    item: Some(item.id),
                    unit: (*unit).into(),
                    name: f.clone(),
                    document: document.id,
                    attachment: i64::try_from(k + 1).unwrap_or(1),
                },
            )?;
            form_ids.push(form.id);
        }
        let mut materials =
            vec![Material {
                name: "申请人居民身份证或营业执照".into(), note: "原件及复印件各1份".into(), form: None
            }];
        if let Some(first) = form_ids.first() {
            materials
                .insert(0, Material { name: format!("《{name}申请表》"), note: "原件1份".into(), form: Some(*first) });
        }
        let mut guide = Guide {
            legal_basis: (*basis).into(),
            conditions: format!("符合{name}相关规定条件的申请人，材料齐全、符合法定形式。"),
            materials,
            steps: vec![
                "申请：网上申报或窗口提交材料".into(),
                "受理：窗口审查材料".into(),
                "审核：业务科室审核".into(),
                "办结：出具结果并送达".into(),
            ],
            time_limit: (*limit).into(),
            fees: (*fees).into(),
            place: "无为县政务服务中心（无城镇临湖东路）".into(),
            hours: "法定工作日 上午8:30-12:00，下午14:30-17:30".into(),
            phone: format!("0553-66{:05}", 12_000 + i * 37),
            online_entry: "https://www.ahzwfw.gov.cn/".into(),
        };
        // A few guides are deliberately incomplete (what the check and self-check find).
        match i % 9 {
            4 => guide.legal_basis = "无".into(),
            7 => {
                guide.phone = String::new();
                guide.hours = String::new();
            }
            8 if full => guide.steps.clear(),
            _ => {}
        }
        group.set_service_guide(&seed, &origin, item.id, &guide)?;
        // One item stays unpublished (a draft in the back office).
        if i != 5 {
            group.publish_service_item(&seed, &origin, item.id, true)?;
        }
        created.push((item.id, *name, *unit));
    }

    // Policy Q&A: questions about the items (127 at full scale).
    let qa_total = if full { 127 } else { 6 };
    for n in 0..qa_total {
        let (id, name, unit) = created[n % created.len()];
        let (q, a) = QUESTIONS[(n / created.len()) % QUESTIONS.len()];
        group.add_service_qa(
            &seed,
            &origin,
            &NewQa {
                item: Some(id),
                unit: unit.into(),
                question: q.replace("{name}", name),
                answer: a.replace("{name}", name),
                published: n % 23 != 22,
            },
        )?;
    }

    // Online queries backed by the demo providers (16 at full scale, one per provider small).
    let queries: Vec<_> = if full { QUERIES.to_vec() } else { vec![QUERIES[0], QUERIES[4], QUERIES[8], QUERIES[12]] };
    for (n, (code, name, unit, provider, description)) in queries.into_iter().enumerate() {
        group.define_service_query(
            &seed,
            &origin,
            &NewQueryDef {
                code: code.into(),
                name: name.into(),
                unit: unit.into(),
                provider: provider.into(),
                description: description.into(),
                published: true,
                sort: i64::try_from(n).unwrap_or(0),
                ..Default::default()
            },
        )?;
    }
    progress(&format!("网上办事：{} 个事项，{forms_total} 份表格，{qa_total} 条答疑", created.len()));
    Ok(())
}
