//! The service catalogue's records and their validation: items (办事事项) by audience
//! (服务对象), life event (生命周期事件), theme (主题) and responsible unit; guides
//! (办事指南); policy Q&A (政策问答); forms (表格); query definitions (在线查询).
//!
//! Validation is pure and happens before any transaction; what needs data (the unit
//! exists, the attachment exists, the code is free) is checked by the facade and the
//! unique indexes.

use serde::{Deserialize, Serialize};
use sitegroup_core::ValidationError;
use sitegroup_core::error::{optional_text, required_text};

use crate::ServicesError;

/// Longest item or form name, in characters.
pub const MAX_NAME: usize = 120;
/// Longest theme, in characters.
pub const MAX_THEME: usize = 40;
/// Longest multi-line guide text (legal basis, conditions, answers …), in characters.
pub const MAX_TEXT: usize = 20_000;
/// Longest short guide field (time limit, fees, place, hours, phone, online entry).
pub const MAX_SHORT: usize = 500;
/// Most materials or process steps in a guide.
pub const MAX_LIST: usize = 60;

/// Who a service is for (服务对象): the seed's four groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 个人办事 (matters of people).
    Personal,
    /// 企业办事 (matters of enterprises).
    Enterprise,
    /// 旅游服务 (tourism).
    Tourism,
    /// 投资服务 (investment).
    Investment,
}

impl Audience {
    /// Every audience, in display order.
    pub const ALL: [Audience; 4] = [Audience::Personal, Audience::Enterprise, Audience::Tourism, Audience::Investment];

    /// Stable name (`personal` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Personal => "personal",
            Audience::Enterprise => "enterprise",
            Audience::Tourism => "tourism",
            Audience::Investment => "investment",
        }
    }

    /// Parses [`Audience::as_str`].
    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// The life events of this audience: people's for personal and tourism, an
    /// enterprise's for enterprise and investment.
    pub fn life_events(self) -> &'static [LifeEvent] {
        match self {
            Audience::Personal | Audience::Tourism => &LifeEvent::PERSONAL,
            Audience::Enterprise | Audience::Investment => &LifeEvent::ENTERPRISE,
        }
    }
}

/// A life-cycle event (生命周期): for people birth to death, for enterprises start-up
/// to closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifeEvent {
    /// 出生.
    Birth,
    /// 上学.
    Schooling,
    /// 就业.
    Employment,
    /// 婚姻.
    Marriage,
    /// 住房.
    Housing,
    /// 退休.
    Retirement,
    /// 身后事.
    Death,
    /// 企业开办.
    StartUp,
    /// 经营.
    Operation,
    /// 变更.
    Change,
    /// 注销.
    Closure,
}

impl LifeEvent {
    /// People's events, in life order.
    pub const PERSONAL: [LifeEvent; 7] = [
        LifeEvent::Birth,
        LifeEvent::Schooling,
        LifeEvent::Employment,
        LifeEvent::Marriage,
        LifeEvent::Housing,
        LifeEvent::Retirement,
        LifeEvent::Death,
    ];
    /// Enterprises' events, in life order.
    pub const ENTERPRISE: [LifeEvent; 4] =
        [LifeEvent::StartUp, LifeEvent::Operation, LifeEvent::Change, LifeEvent::Closure];

    /// Stable name (`birth`, `start_up` …).
    pub fn as_str(self) -> &'static str {
        match self {
            LifeEvent::Birth => "birth",
            LifeEvent::Schooling => "schooling",
            LifeEvent::Employment => "employment",
            LifeEvent::Marriage => "marriage",
            LifeEvent::Housing => "housing",
            LifeEvent::Retirement => "retirement",
            LifeEvent::Death => "death",
            LifeEvent::StartUp => "start_up",
            LifeEvent::Operation => "operation",
            LifeEvent::Change => "change",
            LifeEvent::Closure => "closure",
        }
    }

    /// Parses [`LifeEvent::as_str`].
    pub fn parse(s: &str) -> Option<LifeEvent> {
        LifeEvent::PERSONAL.into_iter().chain(LifeEvent::ENTERPRISE).find(|e| e.as_str() == s.trim())
    }

    /// True for an enterprise's event.
    pub fn is_enterprise(self) -> bool {
        LifeEvent::ENTERPRISE.contains(&self)
    }
}

/// A required material (申请材料) of a guide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// What to bring, e.g. `居民身份证原件及复印件`.
    pub name: String,
    /// Copies, original or copy, notes (`原件1份`).
    #[serde(default)]
    pub note: String,
    /// The downloadable blank form (a [`Form`] id), if the material is a form.
    #[serde(default)]
    pub form: Option<i64>,
}

/// The guide (办事指南) of an item: every element the inspection indicators ask for.
/// Blank text means "not given"; [`crate::guide::check`] lists what is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// 设定依据 (legal basis): the laws and regulations.
    #[serde(default)]
    pub legal_basis: String,
    /// 办理条件 (conditions).
    #[serde(default)]
    pub conditions: String,
    /// 申请材料 (required materials).
    #[serde(default)]
    pub materials: Vec<Material>,
    /// 办理流程 (process steps), in order.
    #[serde(default)]
    pub steps: Vec<String>,
    /// 办理时限 (time limit), e.g. `5个工作日`.
    #[serde(default)]
    pub time_limit: String,
    /// 收费标准 (fees), e.g. `不收费`.
    #[serde(default)]
    pub fees: String,
    /// 办理地点 (place).
    #[serde(default)]
    pub place: String,
    /// 办公时间 (hours).
    #[serde(default)]
    pub hours: String,
    /// 咨询电话 (phone).
    #[serde(default)]
    pub phone: String,
    /// 网上办理入口 (online entry): a URL, or a statement that the item is handled only
    /// at the counter.
    #[serde(default)]
    pub online_entry: String,
}

fn long_text(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    let v = value.trim();
    let len = v.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ValidationError::Malformed { field, reason: "contains control characters".into() });
    }
    Ok(v.replace("\r\n", "\n"))
}

fn short_text(field: &'static str, value: &str) -> Result<String, ValidationError> {
    Ok(optional_text(field, Some(value), MAX_SHORT)?.unwrap_or_default())
}

impl Guide {
    /// Trims and checks lengths and characters. A guide may be incomplete (that is what
    /// the completeness check reports) but never malformed.
    pub fn validate(&self) -> Result<Guide, ServicesError> {
        if self.materials.len() > MAX_LIST || self.steps.len() > MAX_LIST {
            return Err(ValidationError::Rule(format!("a guide has at most {MAX_LIST} materials and steps")).into());
        }
        let mut materials = Vec::new();
        for m in &self.materials {
            let name = optional_text("material", Some(&m.name), MAX_NAME)?.unwrap_or_default();
            let note = optional_text("material_note", Some(&m.note), MAX_SHORT)?.unwrap_or_default();
            if name.is_empty() && m.form.is_none() {
                continue; // an empty row of the edit form
            }
            materials.push(Material { name, note, form: m.form });
        }
        let mut steps = Vec::new();
        for s in &self.steps {
            let s = long_text("step", s, MAX_SHORT)?;
            if !s.is_empty() {
                steps.push(s);
            }
        }
        Ok(Guide {
            legal_basis: long_text("legal_basis", &self.legal_basis, MAX_TEXT)?,
            conditions: long_text("conditions", &self.conditions, MAX_TEXT)?,
            materials,
            steps,
            time_limit: short_text("time_limit", &self.time_limit)?,
            fees: short_text("fees", &self.fees)?,
            place: short_text("place", &self.place)?,
            hours: short_text("hours", &self.hours)?,
            phone: short_text("phone", &self.phone)?,
            online_entry: short_text("online_entry", &self.online_entry)?,
        })
    }
}

/// A service item as typed (catalogue data without the guide).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewItem {
    /// Unique code, ASCII (`gr-csdj` or a national matter code).
    pub code: String,
    /// 事项名称 (name).
    pub name: String,
    /// Audience (`personal`, `enterprise`, `tourism`, `investment`).
    pub audience: String,
    /// Life events (`birth`, `start_up` …), each fitting the audience.
    #[serde(default)]
    pub life_events: Vec<String>,
    /// 主题 (theme), e.g. `社会保障`.
    #[serde(default)]
    pub theme: String,
    /// The responsible unit's code.
    pub unit: String,
    /// Display order (smaller first).
    #[serde(default)]
    pub sort: i64,
}

/// A validated [`NewItem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidItem {
    /// Code, lowercase.
    pub code: String,
    /// Name.
    pub name: String,
    /// Audience.
    pub audience: Audience,
    /// Life events, sorted, without duplicates.
    pub life_events: Vec<LifeEvent>,
    /// Theme (may be empty).
    pub theme: String,
    /// Unit code, lowercase.
    pub unit: String,
    /// Sort key.
    pub sort: i64,
}

impl NewItem {
    /// Checks every field; life events must fit the audience.
    pub fn validate(&self) -> Result<ValidItem, ServicesError> {
        let code = item_code("code", &self.code)?;
        let name = required_text("name", &self.name, MAX_NAME)?;
        let audience = Audience::parse(&self.audience)
            .ok_or_else(|| ValidationError::Malformed { field: "audience", reason: "unknown audience".into() })?;
        let mut life_events = Vec::new();
        for e in &self.life_events {
            if e.trim().is_empty() {
                continue;
            }
            let ev = LifeEvent::parse(e).ok_or_else(|| ValidationError::Malformed {
                field: "life_event",
                reason: "unknown life event".into(),
            })?;
            if !audience.life_events().contains(&ev) {
                return Err(ServicesError::LifeEventMismatch { audience: audience.as_str(), event: ev.as_str() });
            }
            life_events.push(ev);
        }
        life_events.sort();
        life_events.dedup();
        let theme = optional_text("theme", Some(&self.theme), MAX_THEME)?.unwrap_or_default();
        let unit = sitegroup_core::error::code("unit", &self.unit)?;
        Ok(ValidItem { code, name, audience, life_events, theme, unit, sort: self.sort })
    }
}

/// An item code: 1–64 ASCII letters, digits, `-`, `_` or `.`; stored lowercase.
fn item_code(field: &'static str, value: &str) -> Result<String, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if v.len() > 64 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        return Err(ValidationError::Malformed { field, reason: "1-64 ASCII letters, digits, - _ .".into() });
    }
    Ok(v.to_ascii_lowercase())
}

/// A stored service item with its guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Audience.
    pub audience: Audience,
    /// Life events.
    pub life_events: Vec<LifeEvent>,
    /// Theme.
    pub theme: String,
    /// Responsible unit.
    pub unit: sitegroup_core::UnitId,
    /// The guide.
    pub guide: Guide,
    /// Whether the public sees it.
    pub published: bool,
    /// Sort key.
    pub sort: i64,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last changed, unix seconds.
    pub updated_at: i64,
}

/// A policy Q&A entry as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQa {
    /// The item it explains, if any.
    #[serde(default)]
    pub item: Option<i64>,
    /// The responsible unit's code (for an entry linked to an item: the item's unit).
    pub unit: String,
    /// 问 (question).
    pub question: String,
    /// 答 (answer).
    pub answer: String,
    /// Whether the public sees it.
    #[serde(default)]
    pub published: bool,
}

impl NewQa {
    /// Checks the texts and the unit code.
    pub fn validate(&self) -> Result<NewQa, ServicesError> {
        let question = required_text("question", &self.question, 500)?;
        let answer = long_text("answer", &self.answer, MAX_TEXT)?;
        if answer.is_empty() {
            return Err(ValidationError::Empty { field: "answer" }.into());
        }
        let unit = sitegroup_core::error::code("unit", &self.unit)?;
        Ok(NewQa { item: self.item, unit, question, answer, published: self.published })
    }
}

/// A stored Q&A entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qa {
    /// Id.
    pub id: i64,
    /// Linked item.
    pub item: Option<i64>,
    /// Responsible unit.
    pub unit: sitegroup_core::UnitId,
    /// Question.
    pub question: String,
    /// Answer.
    pub answer: String,
    /// Public.
    pub published: bool,
    /// Created.
    pub created_at: i64,
    /// Changed.
    pub updated_at: i64,
}

/// A downloadable form (表格) as typed: a name and a content document's attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewForm {
    /// The item it belongs to, if any.
    #[serde(default)]
    pub item: Option<i64>,
    /// The responsible unit's code.
    pub unit: String,
    /// Name shown in the library.
    pub name: String,
    /// The content document holding the file.
    pub document: i64,
    /// Which attachment of the document (from 1).
    pub attachment: i64,
}

impl NewForm {
    /// Checks the name, unit and reference shape (existence is the facade's check).
    pub fn validate(&self) -> Result<NewForm, ServicesError> {
        let name = required_text("name", &self.name, MAX_NAME)?;
        let unit = sitegroup_core::error::code("unit", &self.unit)?;
        if self.document <= 0 || self.attachment <= 0 {
            return Err(ServicesError::MissingAttachment { document: self.document, attachment: self.attachment });
        }
        Ok(NewForm { item: self.item, unit, name, document: self.document, attachment: self.attachment })
    }
}

/// A stored form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    /// Id.
    pub id: i64,
    /// Item.
    pub item: Option<i64>,
    /// Unit.
    pub unit: sitegroup_core::UnitId,
    /// Name.
    pub name: String,
    /// Content document id.
    pub document: i64,
    /// Attachment number (from 1).
    pub attachment: i64,
    /// Whether the forms library and item pages list it (停用 hides it without
    /// breaking the guides that point at it).
    pub published: bool,
    /// Created.
    pub created_at: i64,
    /// Last changed (the creation time until the first edit).
    pub updated_at: i64,
}

/// An online query definition as typed: which provider answers it and its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQueryDef {
    /// Unique code, used in URLs (`salary`).
    pub code: String,
    /// Name, e.g. `机关职工工资查询`.
    pub name: String,
    /// The responsible unit's code.
    pub unit: String,
    /// The provider kind (`demo.salary`, or an integrator's).
    pub provider: String,
    /// What it answers.
    #[serde(default)]
    pub description: String,
    /// Most queries per client address per window.
    pub per_address: i64,
    /// Most queries of this query (all addresses) per window.
    pub per_query: i64,
    /// Window length, seconds.
    pub window_seconds: i64,
    /// Public.
    #[serde(default)]
    pub published: bool,
    /// Display order.
    #[serde(default)]
    pub sort: i64,
}

impl Default for NewQueryDef {
    fn default() -> Self {
        NewQueryDef {
            code: String::new(),
            name: String::new(),
            unit: String::new(),
            provider: String::new(),
            description: String::new(),
            per_address: 10,
            per_query: 600,
            window_seconds: 600,
            published: false,
            sort: 0,
        }
    }
}

impl NewQueryDef {
    /// Checks every field; limits must be positive (windows one minute to one day).
    pub fn validate(&self) -> Result<NewQueryDef, ServicesError> {
        let code = item_code("code", &self.code)?;
        let name = required_text("name", &self.name, MAX_NAME)?;
        let unit = sitegroup_core::error::code("unit", &self.unit)?;
        let provider = item_code("provider", &self.provider)?;
        let description = long_text("description", &self.description, 2_000)?;
        if !(1..=100_000).contains(&self.per_address) || !(1..=10_000_000).contains(&self.per_query) {
            return Err(ValidationError::Rule("query limits must be positive".into()).into());
        }
        if !(60..=86_400).contains(&self.window_seconds) {
            return Err(ValidationError::Rule("a query window is 60 to 86400 seconds".into()).into());
        }
        Ok(NewQueryDef { code, name, unit, provider, description, ..self.clone() })
    }
}

/// What the back office may change of an existing query definition: its texts, its
/// limits and which provider answers it (the code, unit and public flag stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryEdit {
    /// Name (title).
    pub name: String,
    /// What it answers.
    #[serde(default)]
    pub description: String,
    /// The provider kind.
    pub provider: String,
    /// Most queries per client address per window.
    pub per_address: i64,
    /// Most queries of this query (all addresses) per window.
    pub per_query: i64,
    /// Window length, seconds.
    pub window_seconds: i64,
}

impl QueryEdit {
    /// Checks every field with the rules of [`NewQueryDef::validate`].
    pub fn validate(&self) -> Result<QueryEdit, ServicesError> {
        let v = NewQueryDef {
            code: "x".into(),
            name: self.name.clone(),
            unit: "x".into(),
            provider: self.provider.clone(),
            description: self.description.clone(),
            per_address: self.per_address,
            per_query: self.per_query,
            window_seconds: self.window_seconds,
            published: false,
            sort: 0,
        }
        .validate()?;
        Ok(QueryEdit {
            name: v.name,
            description: v.description,
            provider: v.provider,
            per_address: v.per_address,
            per_query: v.per_query,
            window_seconds: v.window_seconds,
        })
    }
}

/// A stored query definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryDef {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: sitegroup_core::UnitId,
    /// Provider kind.
    pub provider: String,
    /// Description.
    pub description: String,
    /// Per-address limit.
    pub per_address: i64,
    /// Per-query limit.
    pub per_query: i64,
    /// Window, seconds.
    pub window_seconds: i64,
    /// Public.
    pub published: bool,
    /// Sort key.
    pub sort: i64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item() -> NewItem {
        NewItem {
            code: "GR-CSDJ".into(),
            name: " 出生登记 ".into(),
            audience: "personal".into(),
            life_events: vec!["birth".into(), "birth".into(), "".into()],
            theme: "户籍".into(),
            unit: "GAJ".into(),
            sort: 0,
        }
    }

    #[test]
    fn item_validation() {
        let v = item().validate().unwrap();
        assert_eq!(v.code, "gr-csdj");
        assert_eq!(v.name, "出生登记");
        assert_eq!(v.life_events, vec![LifeEvent::Birth]);
        assert_eq!(v.unit, "gaj");
        let bad = NewItem { life_events: vec!["start_up".into()], ..item() };
        assert!(matches!(bad.validate(), Err(ServicesError::LifeEventMismatch { .. })));
        let bad = NewItem { audience: "alien".into(), ..item() };
        assert!(bad.validate().is_err());
        let bad = NewItem { code: "出生".into(), ..item() };
        assert!(bad.validate().is_err());
        let bad = NewItem { name: " ".into(), ..item() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn guide_validation_drops_blank_rows_and_keeps_newlines() {
        let g = Guide {
            conditions: "一、年满18周岁\r\n二、本县户籍".into(),
            materials: vec![Material::default(), Material { name: "身份证".into(), ..Default::default() }],
            steps: vec!["  ".into(), "受理".into()],
            ..Default::default()
        };
        let v = g.validate().unwrap();
        assert_eq!(v.conditions, "一、年满18周岁\n二、本县户籍");
        assert_eq!(v.materials.len(), 1);
        assert_eq!(v.steps, vec!["受理".to_string()]);
        let bad = Guide { fees: "a\u{0}b".into(), ..Default::default() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn query_def_limits() {
        let d = NewQueryDef {
            code: "salary".into(),
            name: "工资查询".into(),
            unit: "czj".into(),
            provider: "demo.salary".into(),
            ..Default::default()
        };
        assert!(d.validate().is_ok());
        assert!(NewQueryDef { per_address: 0, ..d.clone() }.validate().is_err());
        assert!(NewQueryDef { window_seconds: 5, ..d }.validate().is_err());
    }

    #[test]
    fn query_edit_uses_the_definition_rules() {
        let e = QueryEdit {
            name: " 工资查询 ".into(),
            description: String::new(),
            provider: "Demo.Salary".into(),
            per_address: 10,
            per_query: 600,
            window_seconds: 600,
        };
        let v = e.validate().unwrap();
        assert_eq!((v.name.as_str(), v.provider.as_str()), ("工资查询", "demo.salary"));
        assert!(QueryEdit { name: " ".into(), ..e.clone() }.validate().is_err());
        assert!(QueryEdit { per_query: 0, ..e.clone() }.validate().is_err());
        assert!(QueryEdit { window_seconds: 86_401, ..e.clone() }.validate().is_err());
        assert!(QueryEdit { provider: "无".into(), ..e }.validate().is_err());
    }
}
