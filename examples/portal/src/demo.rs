//! The demo group seeded on first start: the information centre, the county portal,
//! 45 department channels, 23 township channels and two topics, one site
//! administrator per channel — and since issue 3 each site's column skeleton with named
//! owners and update duties, and the seed's volumes of published content (see
//! [`content`]). Data tables, one loop: no hand-written calls per site.
//!
//! Seeding acts as `system:seed` and runs `init` (the group administrator) last, so a
//! group counts as initialised only once the whole demo is in place; a data directory
//! left half-seeded by a crash is reported, not silently patched.
//!
//! Everything is deterministic (a seeded xorshift generator; times relative to the
//! group's clock). [`Scale::Small`] keeps the same skeleton with a few documents per
//! column, for the test suite.

mod annual_report;
pub mod content;
mod forum;
mod images;
mod interview;
mod services;
mod solicitation;
mod stats;
mod survey;
mod text;
mod tickets;

use std::io::Write;
use std::path::Path;

use sitegroup::{
    Actor, Error, Grant, NewSite, NewUnit, NewUser, Origin, Role, Scope, Site, SiteGroup, SiteIdentity, UnitKind,
};

/// Login name of the group administrator created by `init`.
pub const ADMIN_USERNAME: &str = "admin";

/// The information centre: runs the group and owns the portal.
pub const INFO_CENTRE: (&str, &str) = ("xxzx", "无为县人民政府信息中心");

/// The county portal.
pub struct PortalSpec {
    /// Site code.
    pub code: &'static str,
    /// Full name.
    pub name: &'static str,
    /// Host name.
    pub host: &'static str,
    /// 网站标识码.
    pub site_code: &'static str,
    /// ICP filing.
    pub icp: &'static str,
    /// Public-security filing.
    pub police_filing: &'static str,
}

/// The portal of the demo group.
pub const PORTAL: PortalSpec = PortalSpec {
    code: "portal",
    name: "无为县人民政府",
    host: "www.wuwei.gov.cn",
    site_code: "3402250001",
    icp: "皖ICP备05001234号",
    police_filing: "皖公网安备 34022502000123号",
};

/// County departments: (code = path prefix, name without the county). The full name is
/// `无为县{name}`, the short name `县{name}`.
pub const DEPARTMENTS: [(&str, &str); 45] = [
    ("zfb", "政府办公室"),
    ("fgw", "发展和改革委员会"),
    ("jyj", "教育局"),
    ("kjj", "科学技术局"),
    ("gxj", "工业和信息化局"),
    ("gaj", "公安局"),
    ("mzj", "民政局"),
    ("sfj", "司法局"),
    ("czj", "财政局"),
    ("rsj", "人力资源和社会保障局"),
    ("zrzyj", "自然资源和规划局"),
    ("sthj", "生态环境分局"),
    ("zjj", "住房和城乡建设局"),
    ("jtj", "交通运输局"),
    ("slj", "水务局"),
    ("nyncj", "农业农村局"),
    ("swj", "商务局"),
    ("wltyj", "文化旅游体育局"),
    ("wjw", "卫生健康委员会"),
    ("tyjrj", "退役军人事务局"),
    ("yjglj", "应急管理局"),
    ("sjj", "审计局"),
    ("scjgj", "市场监督管理局"),
    ("tjj", "统计局"),
    ("ybj", "医疗保障局"),
    ("lyj", "林业局"),
    ("cgj", "城市管理局"),
    ("sjzyj", "数据资源管理局"),
    ("xfj", "信访局"),
    ("mzzjj", "民族宗教事务局"),
    ("rfb", "人民防空办公室"),
    ("jgswj", "机关事务管理局"),
    ("zwfwj", "政务服务管理局"),
    ("tzcjj", "投资促进局"),
    ("jrj", "地方金融监督管理局"),
    ("lsj", "粮食和物资储备局"),
    ("gxs", "供销合作社联合社"),
    ("gjj", "住房公积金管理中心"),
    ("dag", "档案馆"),
    ("rmt", "融媒体中心"),
    ("qxj", "气象局"),
    ("zgh", "总工会"),
    ("fl", "妇女联合会"),
    ("cl", "残疾人联合会"),
    ("kx", "科学技术协会"),
];

/// Townships: (code = path prefix, name).
pub const TOWNSHIPS: [(&str, &str); 23] = [
    ("wucheng", "无城镇"),
    ("xiangan", "襄安镇"),
    ("dougou", "陡沟镇"),
    ("shijian", "石涧镇"),
    ("yanqiao", "严桥镇"),
    ("kaicheng", "开城镇"),
    ("shushan", "蜀山镇"),
    ("niubu", "牛埠镇"),
    ("liudu", "刘渡镇"),
    ("yaogou", "姚沟镇"),
    ("nicha", "泥汊镇"),
    ("fudu", "福渡镇"),
    ("quantang", "泉塘镇"),
    ("hedian", "赫店镇"),
    ("hongmiao", "红庙镇"),
    ("gaogou", "高沟镇"),
    ("hemao", "鹤毛乡"),
    ("shilidun", "十里墩镇"),
    ("kunshan", "昆山乡"),
    ("hongxiang", "洪巷镇"),
    ("liuzhou", "六洲镇"),
    ("erba", "二坝镇"),
    ("tanggou", "汤沟镇"),
];

/// Topic columns (专题专栏): (code, name, parent site code, path prefix).
pub const TOPICS: [(&str, &str, &str, &str); 2] =
    [("zt-yshj", "优化营商环境专题", "portal", "/zt/yshj"), ("zt-zsks", "招生考试专栏", "jyj", "/jyj/zsks")];

/// One channel to create, derived from the tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    /// Site and unit code; also the path prefix.
    pub code: String,
    /// Site name.
    pub name: String,
    /// Short name for menus.
    pub short_name: String,
    /// Name of the owning unit.
    pub unit_name: String,
    /// `department` or `township`.
    pub kind: &'static str,
    /// Unit kind.
    pub unit_kind: UnitKind,
}

/// Every channel of the demo, departments first.
pub fn channels() -> Vec<ChannelSpec> {
    let departments = DEPARTMENTS.iter().map(|(code, name)| ChannelSpec {
        code: (*code).to_string(),
        name: format!("无为县{name}"),
        short_name: format!("县{name}"),
        unit_name: format!("无为县{name}"),
        kind: "department",
        unit_kind: UnitKind::Department,
    });
    let townships = TOWNSHIPS.iter().map(|(code, name)| ChannelSpec {
        code: (*code).to_string(),
        name: (*name).to_string(),
        short_name: (*name).to_string(),
        unit_name: format!("无为县{name}人民政府"),
        kind: "township",
        unit_kind: UnitKind::Township,
    });
    departments.chain(townships).collect()
}

/// The site administrator's login name for a channel.
pub fn site_admin_username(channel_code: &str) -> String {
    format!("{channel_code}_admin")
}

/// A demo account and its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Login name.
    pub username: String,
    /// Generated password.
    pub password: String,
    /// What the account may do, for the accounts file.
    pub role: String,
}

/// What seeding created.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The group administrator first, then one site administrator per channel.
    pub accounts: Vec<DemoAccount>,
}

impl Seeded {
    /// The group administrator's account.
    pub fn admin(&self) -> Option<&DemoAccount> {
        self.accounts.first()
    }

    /// The account with this login name.
    pub fn account(&self, username: &str) -> Option<&DemoAccount> {
        self.accounts.iter().find(|a| a.username == username)
    }
}

/// Number of progress steps [`seed`] reports (for a progress bar's length).
pub fn steps() -> u64 {
    // Info centre + portal, each channel, the topics, `init`.
    (2 + channels().len() + TOPICS.len() + 1) as u64
}

/// How much content the demo gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// The seed's volumes: tens of thousands of documents (the portal's default).
    #[default]
    Full,
    /// The same sites and columns with a few documents per column (tests).
    Small,
}

/// Progress steps of the interaction and services demo data: one each for tickets, the
/// forum, interviews, surveys, solicitations, services, page views and the annual
/// disclosure report.
const INTERACTION_STEPS: u64 = 8;

/// Number of progress steps [`seed_with`] reports at a scale.
pub fn steps_with(scale: Scale) -> u64 {
    steps() + content::steps(scale) + INTERACTION_STEPS
}

/// Seeds the full demo group into an empty, uninitialised group. `progress` is called
/// once per step with what was just done.
pub fn seed(group: &SiteGroup, progress: &mut dyn FnMut(&str)) -> Result<Seeded, Error> {
    seed_with(group, Scale::Full, progress)
}

/// Seeds the demo group at a scale, with text from the default corpus when it exists.
pub fn seed_with(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<Seeded, Error> {
    seed_report(group, scale, None, progress).map(|(seeded, _)| seeded)
}

/// Seeds the demo group at a scale, with text from `corpus` (or the default corpus, or
/// the built-in generator when there is none); also returns what content went in.
pub fn seed_report(
    group: &SiteGroup,
    scale: Scale,
    corpus: Option<&Path>,
    progress: &mut dyn FnMut(&str),
) -> Result<(Seeded, content::Report), Error> {
    let seeded = seed_sites(group, progress)?;
    let report = content::seed_content(group, scale, corpus, progress)?;
    let seeded = seed_init(group, seeded, progress)?;
    // One progress step per module, whatever each reports inside.
    type ModuleSeed = fn(&SiteGroup, Scale, &mut dyn FnMut(&str)) -> Result<(), Error>;
    let modules: [(&str, ModuleSeed); INTERACTION_STEPS as usize] = [
        ("来信", tickets::seed),
        ("论坛", forum::seed),
        ("在线访谈", interview::seed),
        ("在线调查", survey::seed),
        ("民意征集", solicitation::seed),
        ("网上办事", services::seed),
        ("访问统计", stats::seed),
        ("政府信息公开年度报告", annual_report::seed),
    ];
    for (name, seed) in modules {
        seed(group, scale, &mut |_| {})?;
        progress(name);
    }
    Ok((seeded, report))
}

/// Units, sites, site administrators (everything but `init`).
fn seed_sites(group: &SiteGroup, progress: &mut dyn FnMut(&str)) -> Result<Seeded, Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("seed");

    let centre = group.add_unit(
        &seed,
        &origin,
        &NewUnit { code: INFO_CENTRE.0.into(), name: INFO_CENTRE.1.into(), kind: UnitKind::Other },
    )?;
    progress(INFO_CENTRE.1);
    let portal = group.add_site(
        &seed,
        &origin,
        &NewSite {
            code: PORTAL.code.into(),
            name: PORTAL.name.into(),
            kind: "portal".into(),
            unit: Some(centre.id),
            hosts: vec![PORTAL.host.into()],
            identity: SiteIdentity {
                site_code: Some(PORTAL.site_code.into()),
                icp: Some(PORTAL.icp.into()),
                police_filing: Some(PORTAL.police_filing.into()),
            },
            ..NewSite::default()
        },
    )?;
    progress(PORTAL.name);
    // The error-report (纠错) entry: the portal's built-in page; channels inherit it.
    group.set_error_report_entry(&seed, &origin, portal.id, crate::REPORT_PATH)?;

    let mut accounts = Vec::with_capacity(channels().len() + 1);
    for channel in channels() {
        let site = add_channel(group, &seed, &origin, &portal, &channel)?;
        let username = site_admin_username(&channel.code);
        let (_, password) = group.add_user(
            &seed,
            &origin,
            &NewUser {
                username: username.clone(),
                display_name: Some(format!("{}管理员", channel.short_name)),
                unit: site.unit,
            },
            None,
        )?;
        group.grant(&seed, &origin, &username, Grant { role: Role::SiteAdmin, scope: Scope::Site(site.id) })?;
        accounts.push(DemoAccount {
            username,
            password: password.unwrap_or_default(),
            role: format!("site_admin {}", channel.name),
        });
        progress(&channel.name);
    }

    for (code, name, parent, prefix) in TOPICS {
        let parent = group.site(parent)?;
        group.add_site(
            &seed,
            &origin,
            &NewSite {
                code: code.into(),
                name: name.into(),
                kind: "topic".into(),
                parent: Some(parent.id),
                unit: parent.unit,
                path_prefix: Some(prefix.into()),
                ..NewSite::default()
            },
        )?;
        progress(name);
    }

    Ok(Seeded { accounts })
}

/// The group administrator, last: the group counts as initialised from here on.
fn seed_init(group: &SiteGroup, mut seeded: Seeded, progress: &mut dyn FnMut(&str)) -> Result<Seeded, Error> {
    let (admin, password) = group.init(ADMIN_USERNAME, &Origin::other("seed"))?;
    seeded.accounts.insert(0, DemoAccount { username: admin.username, password, role: "group_admin".into() });
    progress(ADMIN_USERNAME);
    Ok(seeded)
}

fn add_channel(
    group: &SiteGroup,
    seed: &Actor,
    origin: &Origin,
    portal: &Site,
    c: &ChannelSpec,
) -> Result<Site, Error> {
    let unit = group.add_unit(
        seed,
        origin,
        &NewUnit { code: c.code.clone(), name: c.unit_name.clone(), kind: c.unit_kind },
    )?;
    group.add_site(
        seed,
        origin,
        &NewSite {
            code: c.code.clone(),
            name: c.name.clone(),
            short_name: Some(c.short_name.clone()),
            kind: c.kind.into(),
            parent: Some(portal.id),
            unit: Some(unit.id),
            path_prefix: Some(format!("/{}", c.code)),
            ..NewSite::default()
        },
    )
}

/// Writes every demo account with its password to `path` (owner-only permissions on
/// Unix). A demo convenience: the first line says so.
pub fn write_accounts(path: &Path, seeded: &Seeded) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(
        file,
        "# 演示账户（仅为演示方便而生成：正式使用前请删除本文件并修改密码） / Demo accounts: a demo convenience, delete before real use."
    )?;
    writeln!(file, "# username\tpassword\trole")?;
    for a in &seeded.accounts {
        writeln!(file, "{}\t{}\t{}", a.username, a.password, a.role)?;
    }
    file.flush()
}
