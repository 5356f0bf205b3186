//! The monthly notice (通报): per-unit figures with a group ranking, its .xlsx export,
//! and the inspection veto scan (a valid message unanswered for more than 3 months).
//!
//! Counting rules (exactly those of the issue):
//! - a ticket belongs to the month (Beijing time) it was **received**; rejected tickets
//!   (spam, duplicates, out of scope) are not valid messages and are not counted;
//! - **answered**: it has a reply given no later than `as_of`;
//! - **answered on time**: answered, with the reply no later than its deadline (the
//!   deadline in force: counted days, extension, pauses and an accepted delay);
//! - **overdue and open**: not answered and `as_of` past its deadline;
//! - reply rate = answered / received; on-time rate = answered on time / received (an
//!   unanswered ticket lowers it too); both `None` when nothing was received;
//! - mean working days = mean over answered tickets of the working days from the day of
//!   receipt to the day of reply (the calendar's counting rule: a reply on the day of
//!   receipt is 0);
//! - satisfaction = (满意 + 基本满意) / rated tickets, `None` when none was rated.
//!
//! Ranking: on-time rate, then reply rate (higher first), then fewer overdue, then more
//! received, then unit code; units with nothing received come last.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use sitegroup_core::WorkCalendar;

use crate::model::{Rating, beijing_date, beijing_time};

/// What the report needs of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTicket {
    /// Ticket id.
    pub id: i64,
    /// Code of the responsible unit.
    pub unit: String,
    /// Received, unix seconds.
    pub received_at: i64,
    /// Deadline, unix seconds (`None` when not computable).
    pub due_at: Option<i64>,
    /// Reply time, if answered.
    pub replied_at: Option<i64>,
    /// The writer's rating.
    pub rating: Option<Rating>,
}

/// One unit's line of the monthly notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    /// Unit code.
    pub unit: String,
    /// Unit name.
    pub unit_name: String,
    /// Valid tickets received in the month.
    pub received: u64,
    /// Of those, answered by `as_of`.
    pub answered: u64,
    /// Of those, answered no later than the deadline.
    pub answered_on_time: u64,
    /// Not answered and past the deadline at `as_of`.
    pub overdue_open: u64,
    /// answered / received.
    pub reply_rate: Option<f64>,
    /// answered on time / received.
    pub on_time_rate: Option<f64>,
    /// Mean working days from receipt to reply.
    pub mean_working_days: Option<f64>,
    /// (满意 + 基本满意) / rated.
    pub satisfaction: Option<f64>,
    /// Place in the group ranking (1 = best).
    pub rank: usize,
}

/// The first and last instants (unix seconds, Beijing time) of a month.
pub fn month_bounds(year: i32, month: u32) -> Option<(i64, i64)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(Months::new(1))?;
    let start = first.and_hms_opt(0, 0, 0)?.and_utc().timestamp() - 8 * 3600;
    let end = next.and_hms_opt(0, 0, 0)?.and_utc().timestamp() - 8 * 3600;
    Some((start, end - 1))
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    if b == 0 { None } else { Some(a as f64 / b as f64) }
}

/// Builds the notice from the month's tickets (already filtered to the month and to
/// valid tickets) and every unit `(code, name)` to list.
pub fn monthly(
    units: &[(String, String)],
    tickets: &[ReportTicket],
    as_of: i64,
    calendar: &WorkCalendar,
) -> Vec<UnitReport> {
    #[derive(Default)]
    struct Acc {
        received: u64,
        answered: u64,
        on_time: u64,
        overdue: u64,
        days_sum: i64,
        days_n: u64,
        rated: u64,
        satisfied: u64,
    }
    let mut acc: BTreeMap<&str, Acc> = units.iter().map(|(c, _)| (c.as_str(), Acc::default())).collect();
    for t in tickets {
        let a = acc.entry(t.unit.as_str()).or_default();
        a.received += 1;
        let reply = t.replied_at.filter(|r| *r <= as_of);
        if let Some(r) = reply {
            a.answered += 1;
            if t.due_at.is_some_and(|d| r <= d) {
                a.on_time += 1;
            }
            if let (Some(from), Some(to)) = (beijing_date(t.received_at), beijing_date(r))
                && let Ok(n) = calendar.working_days_between(from, to)
            {
                a.days_sum += n.max(0);
                a.days_n += 1;
            }
        } else if t.due_at.is_some_and(|d| as_of > d) {
            a.overdue += 1;
        }
        if let Some(rating) = t.rating {
            a.rated += 1;
            if rating != Rating::Dissatisfied {
                a.satisfied += 1;
            }
        }
    }
    let names: BTreeMap<&str, &str> = units.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
    let mut out: Vec<UnitReport> = acc
        .into_iter()
        .map(|(code, a)| UnitReport {
            unit: code.to_string(),
            unit_name: names.get(code).copied().unwrap_or(code).to_string(),
            received: a.received,
            answered: a.answered,
            answered_on_time: a.on_time,
            overdue_open: a.overdue,
            reply_rate: ratio(a.answered, a.received),
            on_time_rate: ratio(a.on_time, a.received),
            mean_working_days: if a.days_n == 0 { None } else { Some(a.days_sum as f64 / a.days_n as f64) },
            satisfaction: ratio(a.satisfied, a.rated),
            rank: 0,
        })
        .collect();
    let key = |r: &UnitReport| (r.received == 0, -(r.on_time_rate.unwrap_or(-1.0)), -(r.reply_rate.unwrap_or(-1.0)));
    out.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.total_cmp(&kb.2))
            .then(a.overdue_open.cmp(&b.overdue_open))
            .then(b.received.cmp(&a.received))
            .then(a.unit.cmp(&b.unit))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    out
}

/// The notice as an .xlsx workbook (one sheet, one row per unit in rank order).
pub fn to_xlsx(title: &str, rows: &[UnitReport]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("通报")?;
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let dec = Format::new().set_num_format("0.00");
    ws.write_string_with_format(0, 0, title, &bold)?;
    let heads = [
        "排名",
        "单位代码",
        "单位",
        "收到",
        "已答复",
        "按时答复",
        "超期未答复",
        "答复率",
        "按时率",
        "平均办理工作日",
        "满意率",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_number(row, 0, r.rank as f64)?;
        ws.write_string(row, 1, &r.unit)?;
        ws.write_string(row, 2, &r.unit_name)?;
        ws.write_number(row, 3, r.received as f64)?;
        ws.write_number(row, 4, r.answered as f64)?;
        ws.write_number(row, 5, r.answered_on_time as f64)?;
        ws.write_number(row, 6, r.overdue_open as f64)?;
        for (col, v, f) in [
            (7u16, r.reply_rate, &pct),
            (8, r.on_time_rate, &pct),
            (9, r.mean_working_days, &dec),
            (10, r.satisfaction, &pct),
        ] {
            match v {
                Some(v) => ws.write_number_with_format(row, col, v, f)?,
                None => ws.write_string(row, col, "—")?,
            };
        }
    }
    ws.set_column_width(2, 24)?;
    wb.save_to_buffer()
}

/// A valid message left unanswered for more than three months (the inspection veto).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoFinding {
    /// Ticket id.
    pub id: i64,
    /// Responsible unit code.
    pub unit: String,
    /// Received.
    pub received_at: i64,
    /// Reply time, if it was answered late.
    pub replied_at: Option<i64>,
}

/// Tickets of the past year (received no earlier than a year before `as_of`) that
/// waited more than three calendar months (Beijing dates) for an answer: still
/// unanswered at `as_of`, or answered after that. The inspection fails a site on one.
pub fn three_month_unanswered(tickets: &[ReportTicket], as_of: i64) -> Vec<VetoFinding> {
    let Some(now) = beijing_time(as_of) else { return vec![] };
    let year_ago = now.checked_sub_months(Months::new(12)).map_or(i64::MIN, |t| t.timestamp());
    tickets
        .iter()
        .filter(|t| t.received_at >= year_ago && t.received_at <= as_of)
        .filter(|t| {
            let answered = t.replied_at.filter(|r| *r <= as_of).unwrap_or(as_of);
            beijing_time(t.received_at)
                .and_then(|r| r.checked_add_months(Months::new(3)))
                .is_some_and(|limit| answered > limit.timestamp())
        })
        .map(|t| VetoFinding { id: t.id, unit: t.unit.clone(), received_at: t.received_at, replied_at: t.replied_at })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn bounds_are_beijing_months() {
        let (a, b) = month_bounds(2025, 6).unwrap();
        assert_eq!(a, at("2025-06-01T00:00:00+08:00"));
        assert_eq!(b, at("2025-06-30T23:59:59+08:00"));
        assert!(month_bounds(2025, 13).is_none());
    }

    #[test]
    fn veto_scan() {
        let t = |id, rec: &str, rep: Option<&str>| ReportTicket {
            id,
            unit: "u".into(),
            received_at: at(rec),
            due_at: None,
            replied_at: rep.map(at),
            rating: None,
        };
        let tickets = [
            t(1, "2025-02-28T10:00:00+08:00", None), // 3 months + 1 day open
            t(2, "2025-03-05T10:00:00+08:00", None), // under 3 months
            t(3, "2025-01-02T10:00:00+08:00", Some("2025-05-01T10:00:00+08:00")), // answered after 4 months
            t(4, "2025-01-02T10:00:00+08:00", Some("2025-02-01T10:00:00+08:00")), // answered in time
            t(5, "2024-01-02T10:00:00+08:00", None), // older than a year
        ];
        let found: Vec<i64> =
            three_month_unanswered(&tickets, at("2025-06-01T09:00:00+08:00")).iter().map(|f| f.id).collect();
        assert_eq!(found, vec![1, 3]);
    }

    #[test]
    fn xlsx_is_a_zip() {
        let rows = monthly(&[("a".into(), "甲".into())], &[], 0, &WorkCalendar::builtin());
        let bytes = to_xlsx("2025年6月通报", &rows).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
