//! Deadlines explained in the reader's language: the rule that set the number of
//! working days, restarts, extensions, pauses and delays, then every day from the day
//! after receipt to the due day — counted, skipped as a weekend or a public holiday, or
//! counted as an adjusted workday (调休上班). The same text for the writer's progress
//! page and the handler's ticket page; only the handler sees who approved an extension.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sitegroup::DayKind;
use sitegroup::interaction::{DeadlineBasis, DueDate};

use crate::i18n::Catalogue;

/// Who reads the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// The writer (public): no internal names.
    Writer,
    /// Staff in the back office.
    Staff,
}

fn day(cat: &Catalogue, date: NaiveDate) -> String {
    let weekday = cat.get(&format!("ix.weekday.{}", date.weekday().number_from_monday())).to_string();
    cat.format("ix.explain.date", &[("date", &date.format("%Y-%m-%d").to_string()), ("weekday", &weekday)])
}

/// The explanation lines of a computed deadline.
pub(crate) fn deadline_lines(
    cat: &Catalogue,
    due: &DueDate,
    basis: &DeadlineBasis,
    max_pause_days: u32,
    reader: Reader,
) -> Vec<String> {
    let counted = &due.counted;
    let mut lines = vec![cat.format(
        "ix.explain.head",
        &[
            ("received", &counted.received_at.format("%Y-%m-%d %H:%M").to_string()),
            ("days", &basis.days.max(1).to_string()),
            ("due", &counted.due.format("%Y-%m-%d").to_string()),
        ],
    )];
    if basis.restarts > 0 {
        lines.push(cat.format("ix.explain.restart", &[("n", &basis.restarts.to_string())]));
    }
    if basis.extension > 0 {
        let n = basis.extension.to_string();
        match (reader, basis.extension_approved_by.as_deref()) {
            (Reader::Staff, Some(by)) => lines.push(cat.format("ix.explain.extension_by", &[("n", &n), ("by", by)])),
            _ => lines.push(cat.format("ix.explain.extension", &[("n", &n)])),
        }
    }
    if basis.paused_days > 0 {
        lines.push(cat.format("ix.explain.paused", &[("n", &basis.paused_days.to_string())]));
    }
    if basis.pause_since.is_some() {
        lines.push(cat.format("ix.explain.pausing", &[("n", &max_pause_days.to_string())]));
    }
    let adjusted: HashMap<NaiveDate, &str> = counted
        .adjusted
        .iter()
        .filter_map(|info| match &info.kind {
            DayKind::AdjustedWorkday { name } => Some((info.date, name.as_str())),
            _ => None,
        })
        .collect();
    let mut days: Vec<(NaiveDate, String)> = Vec::with_capacity(counted.counted.len() + counted.skipped.len());
    for (i, date) in counted.counted.iter().enumerate() {
        let (n, d) = ((i + 1).to_string(), day(cat, *date));
        let text = match adjusted.get(date) {
            Some(name) => cat.format("ix.explain.day_adjusted", &[("day", &d), ("n", &n), ("name", name)]),
            None => cat.format("ix.explain.day", &[("day", &d), ("n", &n)]),
        };
        days.push((*date, text));
    }
    for info in &counted.skipped {
        let d = day(cat, info.date);
        let text = match &info.kind {
            DayKind::Holiday { name } => cat.format("ix.explain.skip_holiday", &[("day", &d), ("name", name)]),
            _ => cat.format("ix.explain.skip_weekend", &[("day", &d)]),
        };
        days.push((info.date, text));
    }
    days.sort_by_key(|(date, _)| *date);
    lines.extend(days.into_iter().map(|(_, text)| text));
    if let Some(to) = due.delay_to {
        let reason = basis.delay_reason.clone().unwrap_or_default();
        lines.push(cat.format("ix.explain.delay", &[("day", &day(cat, to)), ("reason", &reason)]));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitegroup::WorkCalendar;
    use sitegroup::interaction::deadline;

    fn basis(start: &str, days: u32) -> DeadlineBasis {
        DeadlineBasis {
            start: chrono::DateTime::parse_from_rfc3339(start).map(|d| d.timestamp()).unwrap_or_default(),
            days,
            extension: 0,
            extended: false,
            extension_approved_by: None,
            paused_days: 0,
            pause_since: None,
            delay_to: None,
            delay_reason: None,
            restarts: 0,
        }
    }

    #[test]
    fn spring_festival_2025_day_by_day_in_chinese() -> Result<(), String> {
        let cat = Catalogue::for_lang("zh-CN").map_err(|e| e.to_string())?;
        let cal = WorkCalendar::builtin();
        let mut b = basis("2025-01-27T10:00:00+08:00", 5);
        b.extension = 2;
        b.extension_approved_by = Some("王局长".into());
        let due = deadline::compute(&b, 15, &cal).map_err(|e| e.to_string())?;
        let staff = deadline_lines(&cat, &due, &b, 15, Reader::Staff);
        let text = staff.join("\n");
        assert!(staff[0].contains("2025-01-27 10:00") && staff[0].contains("5 个工作日"), "{text}");
        assert!(text.contains("王局长"), "{text}");
        assert!(text.contains("2025-01-28（星期二） 春节假期，不计"), "{text}");
        assert!(!staff[1..].iter().any(|l| l.starts_with("2025-01-27")), "the receipt day is not counted: {text}");
        assert!(text.contains("（星期六） 第 4 个工作日：春节调休上班"), "{text}");
        assert!(!text.contains("{"), "every placeholder filled: {text}");
        let writer = deadline_lines(&cat, &due, &b, 15, Reader::Writer).join("\n");
        assert!(!writer.contains("王局长") && writer.contains("延长 2 个工作日"), "{writer}");
        Ok(())
    }
}
