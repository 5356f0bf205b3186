//! Disclosure requests (依申请公开) as the annual report counts them: who applied
//! (申请人类型, [`ApplicantKind`]) and how the request was concluded (办理结果,
//! [`DisclosureOutcome`]), in the codes and order of the national annual-report table
//! (国办公开办函〔2021〕30号).
//!
//! **What it owns.** The two code lists, their stable names, Chinese labels and table
//! order, and [`DisclosureFacts`], the part of a disclosure ticket's flow that carries
//! them.
//!
//! **What it must never do.** Count anything (the facade's annual report does), read a
//! clock or a database.
//!
//! **Invariants.** The codes are stable: they are stored in tickets' flows and named in
//! forms and imports. `ALL` is in table order (the order of the rows and columns of
//! the national form).

use serde::{Deserialize, Serialize};

/// 申请人类型 (kind of applicant) of a disclosure request: a natural person (自然人) or one
/// of the five kinds of legal person or other organisation (法人或其他组织).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人.
    NaturalPerson,
    /// 商业企业.
    CommercialEnterprise,
    /// 科研机构.
    ResearchInstitution,
    /// 社会公益组织.
    PublicInterest,
    /// 法律服务机构.
    LegalService,
    /// 其他 (other legal person or organisation).
    OtherOrganisation,
}

impl ApplicantKind {
    /// Every kind, in the column order of the national table.
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::CommercialEnterprise,
        ApplicantKind::ResearchInstitution,
        ApplicantKind::PublicInterest,
        ApplicantKind::LegalService,
        ApplicantKind::OtherOrganisation,
    ];

    /// Stable code (`natural_person`, `commercial_enterprise`, `research_institution`,
    /// `public_interest`, `legal_service`, `other_organisation`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "natural_person",
            ApplicantKind::CommercialEnterprise => "commercial_enterprise",
            ApplicantKind::ResearchInstitution => "research_institution",
            ApplicantKind::PublicInterest => "public_interest",
            ApplicantKind::LegalService => "legal_service",
            ApplicantKind::OtherOrganisation => "other_organisation",
        }
    }

    /// Parses [`ApplicantKind::as_str`]'s output (trimmed, case-insensitive, `-` for `_`).
    pub fn parse(s: &str) -> Option<ApplicantKind> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        ApplicantKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The column heading of the national table (自然人, 商业企业 …, 其他).
    pub fn label_zh(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::CommercialEnterprise => "商业企业",
            ApplicantKind::ResearchInstitution => "科研机构",
            ApplicantKind::PublicInterest => "社会公益组织",
            ApplicantKind::LegalService => "法律服务机构",
            ApplicantKind::OtherOrganisation => "其他",
        }
    }

    /// Position in [`ApplicantKind::ALL`] (the column index of the table, 0..6).
    pub fn index(self) -> usize {
        ApplicantKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// 办理结果 (outcome) of a disclosure request: the 21 rows of part 三（一）…（六） of the
/// national table, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DisclosureOutcome {
    /// 予以公开.
    #[serde(rename = "granted")]
    Granted,
    /// 部分公开（区分处理的，只计这一情形，不计其他情形）.
    #[serde(rename = "partly_granted")]
    PartlyGranted,
    /// 不予公开: 属于国家秘密.
    #[serde(rename = "refused.state_secret")]
    RefusedStateSecret,
    /// 不予公开: 其他法律行政法规禁止公开.
    #[serde(rename = "refused.law_forbids")]
    RefusedLawForbids,
    /// 不予公开: 危及"三安全一稳定".
    #[serde(rename = "refused.security")]
    RefusedSecurity,
    /// 不予公开: 保护第三方合法权益.
    #[serde(rename = "refused.third_party")]
    RefusedThirdParty,
    /// 不予公开: 属于三类内部事务信息.
    #[serde(rename = "refused.internal")]
    RefusedInternal,
    /// 不予公开: 属于四类过程性信息.
    #[serde(rename = "refused.process")]
    RefusedProcess,
    /// 不予公开: 属于行政执法案卷.
    #[serde(rename = "refused.enforcement_file")]
    RefusedEnforcementFile,
    /// 不予公开: 属于行政查询事项.
    #[serde(rename = "refused.inquiry")]
    RefusedInquiry,
    /// 无法提供: 本机关不掌握相关政府信息.
    #[serde(rename = "unavailable.not_held")]
    UnavailableNotHeld,
    /// 无法提供: 没有现成信息需要另行制作.
    #[serde(rename = "unavailable.needs_making")]
    UnavailableNeedsMaking,
    /// 无法提供: 补正后申请内容仍不明确.
    #[serde(rename = "unavailable.unclear")]
    UnavailableUnclear,
    /// 不予处理: 信访举报投诉类申请.
    #[serde(rename = "not_handled.petition")]
    NotHandledPetition,
    /// 不予处理: 重复申请.
    #[serde(rename = "not_handled.repeat")]
    NotHandledRepeat,
    /// 不予处理: 要求提供公开出版物.
    #[serde(rename = "not_handled.publication")]
    NotHandledPublication,
    /// 不予处理: 无正当理由大量反复申请.
    #[serde(rename = "not_handled.abusive")]
    NotHandledAbusive,
    /// 不予处理: 要求行政机关确认或重新出具已获取信息.
    #[serde(rename = "not_handled.confirm")]
    NotHandledConfirm,
    /// 其他处理: 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请.
    #[serde(rename = "other.no_correction")]
    OtherNoCorrection,
    /// 其他处理: 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请.
    #[serde(rename = "other.no_fee")]
    OtherNoFee,
    /// 其他处理: 其他.
    #[serde(rename = "other.other")]
    OtherOther,
}

impl DisclosureOutcome {
    /// Every outcome, in the row order of the national table.
    pub const ALL: [DisclosureOutcome; 21] = [
        DisclosureOutcome::Granted,
        DisclosureOutcome::PartlyGranted,
        DisclosureOutcome::RefusedStateSecret,
        DisclosureOutcome::RefusedLawForbids,
        DisclosureOutcome::RefusedSecurity,
        DisclosureOutcome::RefusedThirdParty,
        DisclosureOutcome::RefusedInternal,
        DisclosureOutcome::RefusedProcess,
        DisclosureOutcome::RefusedEnforcementFile,
        DisclosureOutcome::RefusedInquiry,
        DisclosureOutcome::UnavailableNotHeld,
        DisclosureOutcome::UnavailableNeedsMaking,
        DisclosureOutcome::UnavailableUnclear,
        DisclosureOutcome::NotHandledPetition,
        DisclosureOutcome::NotHandledRepeat,
        DisclosureOutcome::NotHandledPublication,
        DisclosureOutcome::NotHandledAbusive,
        DisclosureOutcome::NotHandledConfirm,
        DisclosureOutcome::OtherNoCorrection,
        DisclosureOutcome::OtherNoFee,
        DisclosureOutcome::OtherOther,
    ];

    /// Stable code (`granted`, `partly_granted`, `refused.state_secret` …, `other.other`).
    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureOutcome::Granted => "granted",
            DisclosureOutcome::PartlyGranted => "partly_granted",
            DisclosureOutcome::RefusedStateSecret => "refused.state_secret",
            DisclosureOutcome::RefusedLawForbids => "refused.law_forbids",
            DisclosureOutcome::RefusedSecurity => "refused.security",
            DisclosureOutcome::RefusedThirdParty => "refused.third_party",
            DisclosureOutcome::RefusedInternal => "refused.internal",
            DisclosureOutcome::RefusedProcess => "refused.process",
            DisclosureOutcome::RefusedEnforcementFile => "refused.enforcement_file",
            DisclosureOutcome::RefusedInquiry => "refused.inquiry",
            DisclosureOutcome::UnavailableNotHeld => "unavailable.not_held",
            DisclosureOutcome::UnavailableNeedsMaking => "unavailable.needs_making",
            DisclosureOutcome::UnavailableUnclear => "unavailable.unclear",
            DisclosureOutcome::NotHandledPetition => "not_handled.petition",
            DisclosureOutcome::NotHandledRepeat => "not_handled.repeat",
            DisclosureOutcome::NotHandledPublication => "not_handled.publication",
            DisclosureOutcome::NotHandledAbusive => "not_handled.abusive",
            DisclosureOutcome::NotHandledConfirm => "not_handled.confirm",
            DisclosureOutcome::OtherNoCorrection => "other.no_correction",
            DisclosureOutcome::OtherNoFee => "other.no_fee",
            DisclosureOutcome::OtherOther => "other.other",
        }
    }

    /// Parses [`DisclosureOutcome::as_str`]'s output (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Option<DisclosureOutcome> {
        let s = s.trim().to_ascii_lowercase();
        DisclosureOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The group of the table this outcome belongs to: `（一）予以公开`, `（二）部分公开…`,
    /// `（三）不予公开`, `（四）无法提供`, `（五）不予处理`, `（六）其他处理`.
    pub fn group_zh(self) -> &'static str {
        use DisclosureOutcome as O;
        match self {
            O::Granted => "（一）予以公开",
            O::PartlyGranted => "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            O::RefusedStateSecret
            | O::RefusedLawForbids
            | O::RefusedSecurity
            | O::RefusedThirdParty
            | O::RefusedInternal
            | O::RefusedProcess
            | O::RefusedEnforcementFile
            | O::RefusedInquiry => "（三）不予公开",
            O::UnavailableNotHeld | O::UnavailableNeedsMaking | O::UnavailableUnclear => "（四）无法提供",
            O::NotHandledPetition
            | O::NotHandledRepeat
            | O::NotHandledPublication
            | O::NotHandledAbusive
            | O::NotHandledConfirm => "（五）不予处理",
            O::OtherNoCorrection | O::OtherNoFee | O::OtherOther => "（六）其他处理",
        }
    }

    /// The row label of the national table. For the two one-row groups (（一）, （二）)
    /// the label is the group's own text without the number.
    pub fn label_zh(self) -> &'static str {
        use DisclosureOutcome as O;
        match self {
            O::Granted => "予以公开",
            O::PartlyGranted => "部分公开（区分处理的，只计这一情形，不计其他情形）",
            O::RefusedStateSecret => "1.属于国家秘密",
            O::RefusedLawForbids => "2.其他法律行政法规禁止公开",
            O::RefusedSecurity => "3.危及“三安全一稳定”",
            O::RefusedThirdParty => "4.保护第三方合法权益",
            O::RefusedInternal => "5.属于三类内部事务信息",
            O::RefusedProcess => "6.属于四类过程性信息",
            O::RefusedEnforcementFile => "7.属于行政执法案卷",
            O::RefusedInquiry => "8.属于行政查询事项",
            O::UnavailableNotHeld => "1.本机关不掌握相关政府信息",
            O::UnavailableNeedsMaking => "2.没有现成信息需要另行制作",
            O::UnavailableUnclear => "3.补正后申请内容仍不明确",
            O::NotHandledPetition => "1.信访举报投诉类申请",
            O::NotHandledRepeat => "2.重复申请",
            O::NotHandledPublication => "3.要求提供公开出版物",
            O::NotHandledAbusive => "4.无正当理由大量反复申请",
            O::NotHandledConfirm => "5.要求行政机关确认或重新出具已获取信息",
            O::OtherNoCorrection => "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            O::OtherNoFee => "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            O::OtherOther => "3.其他",
        }
    }

    /// Whether the group has one row only (（一）予以公开 and （二）部分公开), so the
    /// table shows the group heading as the row itself.
    pub fn is_single_row_group(self) -> bool {
        matches!(self, DisclosureOutcome::Granted | DisclosureOutcome::PartlyGranted)
    }

    /// Position in [`DisclosureOutcome::ALL`] (0..21).
    pub fn index(self) -> usize {
        DisclosureOutcome::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

/// What a disclosure ticket carries for the annual report (part of its flow; absent on
/// other channels and on disclosure tickets stored before this existed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureFacts {
    /// 申请人类型, given at submission.
    pub applicant: ApplicantKind,
    /// 办理结果, recorded by the handler with [`crate::Command::Decide`]; `None` until then.
    #[serde(default)]
    pub outcome: Option<DisclosureOutcome>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_serde_matches() {
        for k in ApplicantKind::ALL {
            assert_eq!(ApplicantKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        for o in DisclosureOutcome::ALL {
            assert_eq!(DisclosureOutcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.as_str()));
            assert_eq!(DisclosureOutcome::ALL[o.index()], o);
        }
        assert_eq!(ApplicantKind::parse(" Natural-Person "), Some(ApplicantKind::NaturalPerson));
        assert_eq!(ApplicantKind::parse("robot"), None);
        assert_eq!(DisclosureOutcome::parse("refused"), None);
        let groups: std::collections::BTreeSet<_> = DisclosureOutcome::ALL.iter().map(|o| o.group_zh()).collect();
        assert_eq!(groups.len(), 6);
    }

    #[test]
    fn facts_load_without_outcome() {
        let f: DisclosureFacts = serde_json::from_str(r#"{"applicant":"legal_service"}"#).unwrap();
        assert_eq!(f, DisclosureFacts { applicant: ApplicantKind::LegalService, outcome: None });
    }
}
