//! The pure part of the annual report (政府信息公开工作年度报告): the entries a unit types
//! in, their validation, and the computation of the national tables from plain rows.
//!
//! **What it owns.** [`AnnualReportEntries`] and its form parsing, the table types
//! ([`ProactiveTable`], [`RequestTable`], [`ReviewTable`], [`ReportWarning`]) and the
//! counting rules ([`request_table`], [`proactive_rows`]).
//!
//! **What it must never do.** Read the database or the clock, or decide permissions:
//! the facade ([`super`]) loads the rows and calls these functions.
//!
//! **Counting rules (Beijing time, year = 1 January 00:00:00 to 31 December 23:59:59).**
//! - 一、本年新收: requests received in the year.
//! - 二、上年结转: received before the year and not concluded at its start.
//! - 三、办理结果: requests *concluded* in the year, by the outcome recorded on them; a
//!   concluded request without an outcome counts under （六）3.其他 and is listed in the
//!   warnings with its query code. （七）总计 is the sum of the 21 rows.
//! - 四、结转下年度继续办理: received by the year's end and not concluded at its end.
//! - The balance rule 三（七） + 四 = 一 + 二 holds per column whenever every request is
//!   concluded no earlier than it was received; [`RequestTable::balanced`] checks it
//!   and a broken column becomes a warning.
//! - 本年制发: first published in the year; 本年废止: repealed in the year; 现行有效:
//!   first published by the year's end and not repealed by then.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sitegroup_content::DocumentForm;
use sitegroup_core::ValidationError;
use sitegroup_interaction::{ApplicantKind, DisclosureOutcome};

/// Longest text entry (overview, problems, other matters), in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Largest count accepted in an entry.
pub const MAX_COUNT: u64 = 1_000_000_000;

/// What kind of value an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A whole number ≥ 0.
    Count,
    /// A decimal ≥ 0 with at most 4 decimals (money).
    Decimal,
    /// Free text.
    Text,
}

/// A decimal amount ≥ 0 with at most four decimals, held exactly as ten-thousandths.
/// Serialised as its text (`"12.5"`, `"0"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(pub u64);

impl Amount {
    /// Parses `12`, `12.5`, `0.0001` (already trimmed and folded to ASCII).
    pub fn parse(s: &str) -> Option<Amount> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 4
            || int.len() > 12
        {
            return None;
        }
        let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let mut f = frac.to_string();
        while f.len() < 4 {
            f.push('0');
        }
        let part: u64 = f.parse().ok()?;
        whole.checked_mul(10_000)?.checked_add(part).map(Amount)
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, part) = (self.0 / 10_000, self.0 % 10_000);
        if part == 0 {
            return write!(f, "{whole}");
        }
        let frac = format!("{part:04}");
        write!(f, "{whole}.{}", frac.trim_end_matches('0'))
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let s = String::deserialize(d)?;
        Amount::parse(s.trim()).ok_or_else(|| serde::de::Error::custom(format!("bad amount {s:?}")))
    }
}

/// Results of reconsiderations or suits of one kind (part 四 of the form).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCounts {
    /// 结果维持.
    pub upheld: u64,
    /// 结果纠正.
    pub corrected: u64,
    /// 其他结果.
    pub other: u64,
    /// 尚未审结.
    pub pending: u64,
}

impl CaseCounts {
    /// 总计.
    pub fn total(&self) -> u64 {
        self.upheld + self.corrected + self.other + self.pending
    }
}

/// What the platform cannot know and the unit types in (the entry form). Keys in
/// [`AnnualReportEntries::FIELDS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnualReportEntries {
    /// 一、总体情况 (`overview`).
    pub overview: String,
    /// 第二十条第（五）项 行政许可 本年处理决定数量 (`licensing`).
    pub licensing: u64,
    /// 第二十条第（六）项 行政处罚 本年处理决定数量 (`penalty`).
    pub penalty: u64,
    /// 第二十条第（六）项 行政强制 本年处理决定数量 (`enforcement`).
    pub enforcement: u64,
    /// 第二十条第（八）项 行政事业性收费 本年收费金额（万元）(`fees_wan`).
    pub fees_wan: Amount,
    /// 行政复议 (`review.*`).
    pub review: CaseCounts,
    /// 行政诉讼 未经复议直接起诉 (`suit_direct.*`).
    pub suit_direct: CaseCounts,
    /// 行政诉讼 复议后起诉 (`suit_after.*`).
    pub suit_after: CaseCounts,
    /// 五、存在的主要问题及改进情况 (`problems`).
    pub problems: String,
    /// 六、其他需要报告的事项 (`other`).
    pub other: String,
    /// 发出收费通知的件数 (`fee_notices`).
    pub fee_notices: u64,
    /// 收费通知总金额（元）(`fee_notice_amount`).
    pub fee_notice_amount: Amount,
    /// 实际收取的总金额（元）(`fee_collected`).
    pub fee_collected: Amount,
}

impl AnnualReportEntries {
    /// Every entry key in form order with its kind.
    pub const FIELDS: &'static [(&'static str, EntryKind)] = &[
        ("overview", EntryKind::Text),
        ("licensing", EntryKind::Count),
        ("penalty", EntryKind::Count),
        ("enforcement", EntryKind::Count),
        ("fees_wan", EntryKind::Decimal),
        ("review.upheld", EntryKind::Count),
        ("review.corrected", EntryKind::Count),
        ("review.other", EntryKind::Count),
        ("review.pending", EntryKind::Count),
        ("suit_direct.upheld", EntryKind::Count),
        ("suit_direct.corrected", EntryKind::Count),
        ("suit_direct.other", EntryKind::Count),
        ("suit_direct.pending", EntryKind::Count),
        ("suit_after.upheld", EntryKind::Count),
        ("suit_after.corrected", EntryKind::Count),
        ("suit_after.other", EntryKind::Count),
        ("suit_after.pending", EntryKind::Count),
        ("problems", EntryKind::Text),
        ("other", EntryKind::Text),
        ("fee_notices", EntryKind::Count),
        ("fee_notice_amount", EntryKind::Decimal),
        ("fee_collected", EntryKind::Decimal),
    ];

    /// From form pairs (key → text as typed). Folds full-width digits and points,
    /// trims; an empty number is 0; keys not in [`Self::FIELDS`] are ignored (CSRF
    /// tokens, buttons). Refuses negatives, non-numbers, more than 4 decimals and
    /// too-long texts with a [`ValidationError`] naming the key.
    pub fn from_form(pairs: &[(String, String)]) -> Result<AnnualReportEntries, crate::Error> {
        let mut e = AnnualReportEntries::default();
        for (key, value) in pairs {
            let Some(&(field, kind)) = Self::FIELDS.iter().find(|(k, _)| k == key) else { continue };
            match kind {
                EntryKind::Text => {
                    let text = value.trim();
                    let len = text.chars().count();
                    if len > MAX_TEXT_CHARS {
                        return Err(ValidationError::TooLong { field, len, max: MAX_TEXT_CHARS }.into());
                    }
                    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                        return Err(malformed(field, "control characters").into());
                    }
                    *e.text_mut(field) = text.to_string();
                }
                EntryKind::Count => {
                    let n = number(field, value)?;
                    let n: u64 = n.parse().map_err(|_| malformed(field, "not a whole number"))?;
                    if n > MAX_COUNT {
                        return Err(malformed(field, "too large").into());
                    }
                    e.set_count(field, n);
                }
                EntryKind::Decimal => {
                    let n = number(field, value)?;
                    let a =
                        Amount::parse(&n).ok_or_else(|| malformed(field, "not a number with at most 4 decimals"))?;
                    e.set_amount(field, a);
                }
            }
        }
        Ok(e)
    }

    /// The current value of a key as text, for refilling the form (`""` for an unknown key).
    pub fn value(&self, key: &str) -> String {
        match key {
            "overview" => self.overview.clone(),
            "problems" => self.problems.clone(),
            "other" => self.other.clone(),
            "fees_wan" => self.fees_wan.to_string(),
            "fee_notice_amount" => self.fee_notice_amount.to_string(),
            "fee_collected" => self.fee_collected.to_string(),
            _ => self.count(key).map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    /// Every key with its current value as text, in form order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        Self::FIELDS.iter().map(|(k, _)| ((*k).to_string(), self.value(k))).collect()
    }

    fn count(&self, key: &str) -> Option<u64> {
        let (group, part) = match key.split_once('.') {
            Some((g, p)) => (g, Some(p)),
            None => (key, None),
        };
        let cases = match group {
            "licensing" => return Some(self.licensing),
            "penalty" => return Some(self.penalty),
            "enforcement" => return Some(self.enforcement),
            "fee_notices" => return Some(self.fee_notices),
            "review" => &self.review,
            "suit_direct" => &self.suit_direct,
            "suit_after" => &self.suit_after,
            _ => return None,
        };
        match part? {
            "upheld" => Some(cases.upheld),
            "corrected" => Some(cases.corrected),
            "other" => Some(cases.other),
            "pending" => Some(cases.pending),
            _ => None,
        }
    }

    fn set_count(&mut self, key: &str, n: u64) {
        let (group, part) = key.split_once('.').unwrap_or((key, ""));
        let cases = match group {
            "licensing" => return self.licensing = n,
            "penalty" => return self.penalty = n,
            "enforcement" => return self.enforcement = n,
            "fee_notices" => return self.fee_notices = n,
            "review" => &mut self.review,
            "suit_direct" => &mut self.suit_direct,
            "suit_after" => &mut self.suit_after,
            _ => return,
        };
        match part {
            "upheld" => cases.upheld = n,
            "corrected" => cases.corrected = n,
            "other" => cases.other = n,
            "pending" => cases.pending = n,
            _ => {}
        }
    }

    fn set_amount(&mut self, key: &str, a: Amount) {
        match key {
            "fees_wan" => self.fees_wan = a,
            "fee_notice_amount" => self.fee_notice_amount = a,
            "fee_collected" => self.fee_collected = a,
            _ => {}
        }
    }

    fn text_mut(&mut self, key: &str) -> &mut String {
        match key {
            "problems" => &mut self.problems,
            "other" => &mut self.other,
            _ => &mut self.overview,
        }
    }
}

fn malformed(field: &'static str, reason: &str) -> ValidationError {
    ValidationError::Malformed { field, reason: reason.into() }
}

/// Folds full-width digits, signs and points to ASCII and trims; refuses a negative.
fn number(field: &'static str, typed: &str) -> Result<String, ValidationError> {
    let folded: String = typed
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF0E}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '。' => '.',
            '\u{2212}' => '-',
            c => c,
        })
        .collect();
    let folded = folded.trim().to_string();
    if folded.starts_with('-') {
        return Err(malformed(field, "negative"));
    }
    Ok(if folded.is_empty() { "0".into() } else { folded.strip_prefix('+').unwrap_or(&folded).to_string() })
}

/// One row of 第二十条第（一）项: 规章 or 行政规范性文件.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProactiveRow {
    /// `rule` or `normative`.
    pub form: DocumentForm,
    /// 信息内容: 规章 / 行政规范性文件.
    pub label: String,
    /// 本年制发件数.
    pub made: u64,
    /// 本年废止件数.
    pub repealed: u64,
    /// 现行有效件数.
    pub in_force: u64,
}

/// 二、主动公开政府信息情况: the computed rows and the entered decision counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProactiveTable {
    /// 第二十条第（一）项: 规章 then 行政规范性文件.
    pub documents: Vec<ProactiveRow>,
    /// 第二十条第（五）项 行政许可 本年处理决定数量.
    pub licensing: u64,
    /// 第二十条第（六）项 行政处罚 本年处理决定数量.
    pub penalty: u64,
    /// 第二十条第（六）项 行政强制 本年处理决定数量.
    pub enforcement: u64,
    /// 第二十条第（八）项 行政事业性收费 本年收费金额（万元）.
    pub fees_wan: Amount,
}

/// One row of part 三.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    /// Stable key: `received`, `carried_over`, an outcome code (`granted` …
    /// `other.other`), `concluded_total` or `carried_forward`.
    pub key: String,
    /// Row label as the national form prints it (`一、本年新收政府信息公开申请数量`,
    /// `1.属于国家秘密` …).
    pub label: String,
    /// For outcome rows of a multi-row group, the group heading (`（三）不予公开`);
    /// `None` otherwise. Rows of one group are consecutive.
    pub group: Option<String>,
    /// Counts per column: the six applicant kinds in [`ApplicantKind::ALL`] order, then 总计.
    pub counts: [u64; 7],
}

/// 三、收到和处理政府信息公开申请情况.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTable {
    /// Column headings: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
    /// (columns 1–5 sit under 法人或其他组织).
    pub columns: Vec<String>,
    /// Rows in form order: received, carried_over, the 21 outcomes, concluded_total,
    /// carried_forward (25 rows).
    pub rows: Vec<RequestRow>,
}

impl RequestTable {
    /// The row with this key.
    pub fn row(&self, key: &str) -> Option<&RequestRow> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// The counts of a row (zeros for an unknown key).
    pub fn counts(&self, key: &str) -> [u64; 7] {
        self.row(key).map_or([0; 7], |r| r.counts)
    }

    /// The columns (0..7) where 三（七） + 四 ≠ 一 + 二.
    pub fn unbalanced_columns(&self) -> Vec<usize> {
        let (a, b, c, d) = (
            self.counts("received"),
            self.counts("carried_over"),
            self.counts("concluded_total"),
            self.counts("carried_forward"),
        );
        (0..7).filter(|&i| c[i] + d[i] != a[i] + b[i]).collect()
    }

    /// Whether the balance rule holds in every column.
    pub fn balanced(&self) -> bool {
        self.unbalanced_columns().is_empty()
    }
}

/// One row of part 四.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// `review`, `suit_direct` or `suit_after`.
    pub key: String,
    /// 行政复议 / 未经复议直接起诉 / 复议后起诉.
    pub label: String,
    /// 结果维持.
    pub upheld: u64,
    /// 结果纠正.
    pub corrected: u64,
    /// 其他结果.
    pub other: u64,
    /// 尚未审结.
    pub pending: u64,
    /// 总计.
    pub total: u64,
}

/// 四、政府信息公开行政复议、行政诉讼情况 (from the entries, totals computed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTable {
    /// review, suit_direct, suit_after.
    pub rows: Vec<ReviewRow>,
}

impl ReviewTable {
    /// The table from the entries.
    pub fn from_entries(e: &AnnualReportEntries) -> ReviewTable {
        let row = |key: &str, label: &str, c: &CaseCounts| ReviewRow {
            key: key.into(),
            label: label.into(),
            upheld: c.upheld,
            corrected: c.corrected,
            other: c.other,
            pending: c.pending,
            total: c.total(),
        };
        ReviewTable {
            rows: vec![
                row("review", "行政复议", &e.review),
                row("suit_direct", "未经复议直接起诉", &e.suit_direct),
                row("suit_after", "复议后起诉", &e.suit_after),
            ],
        }
    }
}

/// Something the unit should look at before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportWarning {
    /// `unbalanced` (a column breaks the balance rule), `no_outcome` (a concluded
    /// request without a recorded outcome, counted under 其他) or `no_unit` (the site
    /// has no unit, so no requests are counted).
    pub kind: String,
    /// For `unbalanced`: the column heading.
    pub column: Option<String>,
    /// For `no_outcome`: the ticket id.
    pub ticket: Option<i64>,
    /// For `no_outcome`: the ticket's query code.
    pub query_code: Option<String>,
    /// The warning in Chinese (also printed in the .xlsx).
    pub text: String,
}

/// What the request table needs of one disclosure ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFact {
    /// Ticket id.
    pub id: i64,
    /// Query code (for warnings).
    pub query_code: String,
    /// 申请人类型.
    pub applicant: ApplicantKind,
    /// Received, unix seconds.
    pub received_at: i64,
    /// Concluded (closed after an approved reply, or rejected), unix seconds.
    pub concluded_at: Option<i64>,
    /// The recorded outcome.
    pub outcome: Option<DisclosureOutcome>,
}

/// First and last second (unix, Beijing time) of a year.
pub fn year_bounds(year: i32) -> Option<(i64, i64)> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0)?.and_utc().timestamp() - 8 * 3600;
    let next = NaiveDate::from_ymd_opt(year + 1, 1, 1)?.and_hms_opt(0, 0, 0)?.and_utc().timestamp() - 8 * 3600;
    Some((first, next - 1))
}

/// The label of request-table column `i` (0..7).
pub fn column_label(i: usize) -> &'static str {
    ApplicantKind::ALL.get(i).map_or("总计", |k| k.label_zh())
}

/// Part 三 for `year` from the site's disclosure requests, with warnings (requests
/// concluded without an outcome, broken balance). Requests not of the site's unit
/// must not be passed in.
pub fn request_table(year: i32, facts: &[RequestFact]) -> (RequestTable, Vec<ReportWarning>) {
    let (start, end) = year_bounds(year).unwrap_or((i64::MIN, i64::MAX));
    let mut received = [0u64; 7];
    let mut carried_over = [0u64; 7];
    let mut outcomes = [[0u64; 7]; 21];
    let mut forward = [0u64; 7];
    let mut warnings = Vec::new();
    let bump = |row: &mut [u64; 7], k: ApplicantKind| {
        row[k.index()] += 1;
        row[6] += 1;
    };
    let mut sorted: Vec<&RequestFact> = facts.iter().collect();
    sorted.sort_by_key(|f| (f.received_at, f.id));
    for f in sorted {
        if (start..=end).contains(&f.received_at) {
            bump(&mut received, f.applicant);
        }
        if f.received_at < start && f.concluded_at.is_none_or(|c| c >= start) {
            bump(&mut carried_over, f.applicant);
        }
        if let Some(c) = f.concluded_at
            && (start..=end).contains(&c)
            && f.received_at <= end
        {
            let outcome = f.outcome.unwrap_or(DisclosureOutcome::OtherOther);
            bump(&mut outcomes[outcome.index()], f.applicant);
            if f.outcome.is_none() {
                warnings.push(ReportWarning {
                    kind: "no_outcome".into(),
                    column: None,
                    ticket: Some(f.id),
                    query_code: Some(f.query_code.clone()),
                    text: format!("申请（查询码 {}）已办结但未登记办理结果，暂计入“其他”", f.query_code),
                });
            }
        }
        if f.received_at <= end && f.concluded_at.is_none_or(|c| c > end) {
            bump(&mut forward, f.applicant);
        }
    }
    let mut total = [0u64; 7];
    for row in &outcomes {
        for i in 0..7 {
            total[i] += row[i];
        }
    }
    let plain = |key: &str, label: &str, counts: [u64; 7]| RequestRow {
        key: key.into(),
        label: label.into(),
        group: None,
        counts,
    };
    let mut rows = vec![
        plain("received", "一、本年新收政府信息公开申请数量", received),
        plain("carried_over", "二、上年结转政府信息公开申请数量", carried_over),
    ];
    for o in DisclosureOutcome::ALL {
        rows.push(RequestRow {
            key: o.as_str().into(),
            label: if o.is_single_row_group() { o.group_zh().into() } else { o.label_zh().into() },
            group: if o.is_single_row_group() { None } else { Some(o.group_zh().into()) },
            counts: outcomes[o.index()],
        });
    }
    rows.push(plain("concluded_total", "（七）总计", total));
    rows.push(plain("carried_forward", "四、结转下年度继续办理", forward));
    let table = RequestTable { columns: (0..7).map(|i| column_label(i).to_string()).collect(), rows };
    for i in table.unbalanced_columns() {
        warnings.push(ReportWarning {
            kind: "unbalanced".into(),
            column: Some(column_label(i).into()),
            ticket: None,
            query_code: None,
            text: format!("“{}”列不平衡：三（七）+ 四 ≠ 一 + 二", column_label(i)),
        });
    }
    (table, warnings)
}

/// What the proactive table needs of one published disclosure document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDoc {
    /// 文件类型.
    pub form: DocumentForm,
    /// First publication, unix seconds.
    pub first_published_at: i64,
    /// Day of repeal, if repealed.
    pub repealed_on: Option<NaiveDate>,
}

/// 第二十条第（一）项 for `year`: rows for 规章 and 行政规范性文件.
pub fn proactive_rows(year: i32, docs: &[FormDoc]) -> Vec<ProactiveRow> {
    let (start, end) = year_bounds(year).unwrap_or((i64::MIN, i64::MAX));
    let in_year = |d: NaiveDate| chrono::Datelike::year(&d) == year;
    let by_end = |d: NaiveDate| chrono::Datelike::year(&d) <= year;
    [DocumentForm::Rule, DocumentForm::Normative]
        .into_iter()
        .map(|form| {
            let mine = docs.iter().filter(|d| d.form == form);
            let mut row = ProactiveRow { form, label: form.label_zh().into(), made: 0, repealed: 0, in_force: 0 };
            for d in mine {
                if (start..=end).contains(&d.first_published_at) {
                    row.made += 1;
                }
                if d.repealed_on.is_some_and(in_year) {
                    row.repealed += 1;
                }
                if d.first_published_at <= end && !d.repealed_on.is_some_and(by_end) {
                    row.in_force += 1;
                }
            }
            row
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp() - 8 * 3600
    }

    fn fact(id: i64, k: ApplicantKind, rec: i64, done: Option<i64>, o: Option<DisclosureOutcome>) -> RequestFact {
        RequestFact { id, query_code: format!("Q{id}"), applicant: k, received_at: rec, concluded_at: done, outcome: o }
    }

    #[test]
    fn amounts_and_entries() {
        assert_eq!(Amount::parse("12.5").unwrap().to_string(), "12.5");
        assert_eq!(Amount::parse("0.0001").unwrap().0, 1);
        assert_eq!(Amount::parse("3").unwrap().to_string(), "3");
        assert!(Amount::parse("1.23456").is_none());
        assert!(Amount::parse("1e3").is_none());
        assert!(Amount::parse(".").is_none());
        let pairs = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let e = AnnualReportEntries::from_form(&pairs("licensing", " １２３ ")).unwrap();
        assert_eq!(e.licensing, 123);
        let e = AnnualReportEntries::from_form(&pairs("fees_wan", "１２．５")).unwrap();
        assert_eq!(e.value("fees_wan"), "12.5");
        let e = AnnualReportEntries::from_form(&pairs("review.pending", "")).unwrap();
        assert_eq!(e.review.pending, 0);
        for (k, v) in [("penalty", "-1"), ("penalty", "－2"), ("penalty", "abc"), ("penalty", "1.5"), ("fees_wan", "x")]
        {
            let err = AnnualReportEntries::from_form(&pairs(k, v)).unwrap_err();
            assert!(
                matches!(&err, crate::Error::Invalid(ValidationError::Malformed { field, .. }) if *field == k),
                "{k}={v}: {err:?}"
            );
        }
        let long = "字".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            AnnualReportEntries::from_form(&pairs("problems", &long)),
            Err(crate::Error::Invalid(ValidationError::TooLong { field: "problems", .. }))
        ));
        let e = AnnualReportEntries::from_form(&pairs("suit_after.corrected", "7")).unwrap();
        assert_eq!(e.value("suit_after.corrected"), "7");
        assert_eq!(AnnualReportEntries::from_form(&e.pairs()).unwrap(), e);
    }

    #[test]
    fn request_rules() {
        use ApplicantKind as K;
        use DisclosureOutcome as O;
        let y = 2025;
        let facts = vec![
            // Carried over from 2024, concluded in 2025.
            fact(1, K::NaturalPerson, at(2024, 12, 20), Some(at(2025, 1, 10)), Some(O::Granted)),
            // Carried over, still open at the end: carried forward too.
            fact(2, K::CommercialEnterprise, at(2024, 12, 28), None, None),
            // Concluded in 2024: nowhere.
            fact(3, K::NaturalPerson, at(2024, 3, 1), Some(at(2024, 3, 20)), Some(O::Granted)),
            fact(4, K::LegalService, at(2025, 3, 1), Some(at(2025, 3, 20)), Some(O::RefusedProcess)),
            fact(5, K::NaturalPerson, at(2025, 4, 1), Some(at(2025, 4, 9)), None),
            fact(6, K::NaturalPerson, at(2025, 12, 30), Some(at(2026, 1, 5)), Some(O::Granted)),
            // Next year: nowhere.
            fact(7, K::NaturalPerson, at(2026, 1, 2), None, None),
        ];
        let (t, w) = request_table(y, &facts);
        assert_eq!(t.counts("received"), [2, 0, 0, 0, 1, 0, 3]);
        assert_eq!(t.counts("carried_over"), [1, 1, 0, 0, 0, 0, 2]);
        assert_eq!(t.counts("granted"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(t.counts("refused.process"), [0, 0, 0, 0, 1, 0, 1]);
        assert_eq!(t.counts("other.other"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(t.counts("concluded_total"), [2, 0, 0, 0, 1, 0, 3]);
        assert_eq!(t.counts("carried_forward"), [1, 1, 0, 0, 0, 0, 2]);
        assert!(t.balanced());
        assert_eq!(t.rows.len(), 25);
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].kind.as_str(), w[0].query_code.as_deref()), ("no_outcome", Some("Q5")));
        // A request concluded before it was received breaks the balance.
        let bad = vec![fact(9, K::NaturalPerson, at(2025, 6, 1), Some(at(2024, 6, 1)), Some(O::Granted))];
        let (t, w) = request_table(y, &bad);
        assert_eq!(t.unbalanced_columns(), vec![0, 6]);
        assert_eq!(w.iter().filter(|w| w.kind == "unbalanced").count(), 2);
    }

    #[test]
    fn proactive_rules() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let docs = vec![
            FormDoc { form: DocumentForm::Rule, first_published_at: at(2025, 2, 1), repealed_on: None },
            FormDoc { form: DocumentForm::Rule, first_published_at: at(2020, 2, 1), repealed_on: Some(d(2025, 7, 1)) },
            FormDoc { form: DocumentForm::Normative, first_published_at: at(2023, 2, 1), repealed_on: None },
            FormDoc {
                form: DocumentForm::Normative,
                first_published_at: at(2025, 5, 1),
                repealed_on: Some(d(2026, 1, 3)),
            },
            FormDoc { form: DocumentForm::Normative, first_published_at: at(2026, 1, 1), repealed_on: None },
            FormDoc { form: DocumentForm::Other, first_published_at: at(2025, 5, 1), repealed_on: None },
        ];
        let rows = proactive_rows(2025, &docs);
        assert_eq!((rows[0].made, rows[0].repealed, rows[0].in_force), (1, 1, 1));
        assert_eq!((rows[1].made, rows[1].repealed, rows[1].in_force), (1, 0, 2));
    }
}
