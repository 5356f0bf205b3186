//! The completeness check of a guide (办事指南要素): which elements the inspection
//! indicators ask for are missing. Pure; never stored, always recomputed.
//!
//! **The rules.** The 2019 inspection indicators veto a site whose service guides miss
//! *key elements* (name, legal basis, conditions, materials, process, time limit …). An
//! element is present when:
//!
//! | element | present when | key (veto) |
//! |---|---|---|
//! | name (事项名称) | the item's name is not blank | yes |
//! | legal basis (设定依据) | not blank | yes |
//! | conditions (办理条件) | not blank | yes |
//! | materials (申请材料) | at least one material with a name | yes |
//! | process (办理流程) | at least one non-blank step | yes |
//! | time limit (办理时限) | not blank | yes |
//! | fees (收费标准) | not blank (`不收费` counts) | no |
//! | place (办理地点) | not blank | no |
//! | hours (办公时间) | not blank | no |
//! | phone (咨询电话) | contains at least 7 digits | no |
//! | online entry (网上办理入口) | not blank (a URL, or `暂不支持网上办理`) | no |
//!
//! Text made only of placeholder characters (`无`, `-`, `—`, `/`, `暂无`, `待定`, `…`)
//! counts as blank: inspectors read "无" under 设定依据 as missing. (`不收费` is a real
//! answer for fees and is not a placeholder.)

use serde::{Deserialize, Serialize};

use crate::model::Guide;

/// One element of a guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuideElement {
    /// 事项名称.
    Name,
    /// 设定依据.
    LegalBasis,
    /// 办理条件.
    Conditions,
    /// 申请材料.
    Materials,
    /// 办理流程.
    Process,
    /// 办理时限.
    TimeLimit,
    /// 收费标准.
    Fees,
    /// 办理地点.
    Place,
    /// 办公时间.
    Hours,
    /// 咨询电话.
    Phone,
    /// 网上办理入口.
    OnlineEntry,
}

impl GuideElement {
    /// Every element, in the guide's order.
    pub const ALL: [GuideElement; 11] = [
        GuideElement::Name,
        GuideElement::LegalBasis,
        GuideElement::Conditions,
        GuideElement::Materials,
        GuideElement::Process,
        GuideElement::TimeLimit,
        GuideElement::Fees,
        GuideElement::Place,
        GuideElement::Hours,
        GuideElement::Phone,
        GuideElement::OnlineEntry,
    ];

    /// Stable name (`legal_basis` …); the portal's message key suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            GuideElement::Name => "name",
            GuideElement::LegalBasis => "legal_basis",
            GuideElement::Conditions => "conditions",
            GuideElement::Materials => "materials",
            GuideElement::Process => "process",
            GuideElement::TimeLimit => "time_limit",
            GuideElement::Fees => "fees",
            GuideElement::Place => "place",
            GuideElement::Hours => "hours",
            GuideElement::Phone => "phone",
            GuideElement::OnlineEntry => "online_entry",
        }
    }

    /// Whether missing it is a veto item of the inspection indicators.
    pub fn is_key(self) -> bool {
        matches!(
            self,
            GuideElement::Name
                | GuideElement::LegalBasis
                | GuideElement::Conditions
                | GuideElement::Materials
                | GuideElement::Process
                | GuideElement::TimeLimit
        )
    }
}

/// The verdict on one guide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// Missing elements, in the guide's order.
    pub missing: Vec<GuideElement>,
}

impl Completeness {
    /// Nothing is missing.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// A key element is missing: the inspection would veto the site.
    pub fn veto(&self) -> bool {
        self.missing.iter().any(|e| e.is_key())
    }

    /// Present elements out of all, e.g. `(9, 11)`.
    pub fn score(&self) -> (usize, usize) {
        (GuideElement::ALL.len() - self.missing.len(), GuideElement::ALL.len())
    }
}

/// Whether `text` says nothing: blank or only placeholder marks.
pub fn is_blank(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return true;
    }
    const PLACEHOLDERS: [&str; 6] = ["无", "暂无", "待定", "待补充", "略", "空"];
    if PLACEHOLDERS.contains(&t.as_str()) {
        return true;
    }
    t.chars().all(|c| matches!(c, '-' | '—' | '－' | '/' | '／' | '…' | '.' | '。' | '无'))
}

/// The elements of the guide of an item called `name` that are missing (see the
/// module's rules).
///
/// ```
/// use sitegroup_services::guide::{check, GuideElement};
/// use sitegroup_services::Guide;
/// let g = Guide { legal_basis: "无".into(), time_limit: "5个工作日".into(), ..Default::default() };
/// let c = check("出生登记", &g);
/// assert!(c.missing.contains(&GuideElement::LegalBasis));
/// assert!(!c.missing.contains(&GuideElement::TimeLimit));
/// assert!(c.veto());
/// ```
pub fn check(name: &str, guide: &Guide) -> Completeness {
    let mut missing = Vec::new();
    for e in GuideElement::ALL {
        let present = match e {
            GuideElement::Name => !is_blank(name),
            GuideElement::LegalBasis => !is_blank(&guide.legal_basis),
            GuideElement::Conditions => !is_blank(&guide.conditions),
            GuideElement::Materials => guide.materials.iter().any(|m| !is_blank(&m.name)),
            GuideElement::Process => guide.steps.iter().any(|s| !is_blank(s)),
            GuideElement::TimeLimit => !is_blank(&guide.time_limit),
            GuideElement::Fees => !is_blank(&guide.fees),
            GuideElement::Place => !is_blank(&guide.place),
            GuideElement::Hours => !is_blank(&guide.hours),
            GuideElement::Phone => guide.phone.chars().filter(char::is_ascii_digit).count() >= 7,
            GuideElement::OnlineEntry => !is_blank(&guide.online_entry),
        };
        if !present {
            missing.push(e);
        }
    }
    Completeness { missing }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::Material;

    pub(crate) fn full() -> Guide {
        Guide {
            legal_basis: "《中华人民共和国户口登记条例》".into(),
            conditions: "新生儿父母一方为本县户籍".into(),
            materials: vec![Material { name: "出生医学证明".into(), note: "原件".into(), form: None }],
            steps: vec!["受理".into(), "审核".into(), "办结".into()],
            time_limit: "即时办结".into(),
            fees: "不收费".into(),
            place: "县政务服务中心一楼".into(),
            hours: "工作日 8:30-12:00 14:30-17:30".into(),
            phone: "0553-6612345".into(),
            online_entry: "https://www.ahzwfw.gov.cn/".into(),
        }
    }

    #[test]
    fn complete_guide_has_nothing_missing() {
        let c = check("出生登记", &full());
        assert!(c.is_complete(), "{c:?}");
        assert!(!c.veto());
        assert_eq!(c.score(), (11, 11));
    }

    #[test]
    fn each_element_is_detected() {
        type Breaker = Box<dyn Fn(&mut Guide)>;
        let cases: Vec<(GuideElement, Breaker)> = vec![
            (GuideElement::LegalBasis, Box::new(|g| g.legal_basis = "  无 ".into())),
            (GuideElement::Conditions, Box::new(|g| g.conditions = "—".into())),
            (GuideElement::Materials, Box::new(|g| g.materials = vec![Material::default()])),
            (GuideElement::Process, Box::new(|g| g.steps = vec![" ".into()])),
            (GuideElement::TimeLimit, Box::new(|g| g.time_limit = String::new())),
            (GuideElement::Fees, Box::new(|g| g.fees = "/".into())),
            (GuideElement::Place, Box::new(|g| g.place = "暂无".into())),
            (GuideElement::Hours, Box::new(|g| g.hours = "".into())),
            (GuideElement::Phone, Box::new(|g| g.phone = "12345".into())),
            (GuideElement::OnlineEntry, Box::new(|g| g.online_entry = "".into())),
        ];
        for (element, break_it) in cases {
            let mut g = full();
            break_it(&mut g);
            let c = check("出生登记", &g);
            assert_eq!(c.missing, vec![element]);
            assert_eq!(c.veto(), element.is_key(), "{element:?}");
        }
        assert_eq!(check(" ", &full()).missing, vec![GuideElement::Name]);
        assert_eq!(check("x", &Guide::default()).missing.len(), 10);
    }

    #[test]
    fn fees_not_charged_is_an_answer() {
        assert!(!is_blank("不收费"));
        assert!(!is_blank("即时办结"));
        assert!(is_blank("--"));
    }
}
