//! Deadlines in working days: computed from a [`DeadlineBasis`] with the core calendar,
//! explained line by line, and classified (on time, due soon, overdue).
//!
//! The count is `days + extension + paused days` working days after `start` (receipt,
//! or the last restart), by the core rule (day 1 is the first working day after the day
//! of receipt; due at 23:59:59 Beijing time). A consultation still running counts its
//! maximum (15 working days) so the deadline shown never falls before the real one. A
//! delay explanation replaces the due day by a later working day.

use chrono::{NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};
use sitegroup_core::{CalendarError, Deadline, WorkCalendar};

use crate::flow::{DeadlineBasis, TicketState};
use crate::model::{beijing_date, beijing_time, end_of_day};

/// A computed deadline with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDate {
    /// Due instant, unix seconds (end of a working day).
    pub due_at: i64,
    /// The counted deadline before any delay.
    pub counted: Deadline,
    /// The delayed due day, if a delay explanation moved it.
    pub delay_to: Option<NaiveDate>,
    /// How it was computed, one line per step and per day.
    pub explain: String,
}

/// Working days counted for a basis (`days + extension + paused`, plus the maximum
/// pause while a consultation runs).
pub fn total_days(basis: &DeadlineBasis, max_pause_days: u32) -> u32 {
    let open_pause = if basis.pause_since.is_some() { max_pause_days } else { 0 };
    basis.days.max(1).saturating_add(basis.extension).saturating_add(basis.paused_days).saturating_add(open_pause)
}

/// Computes the deadline. Errors with [`CalendarError::YearNotCovered`] when a day to
/// count lies in a year whose holiday notice is not loaded.
pub fn compute(basis: &DeadlineBasis, max_pause_days: u32, calendar: &WorkCalendar) -> Result<DueDate, CalendarError> {
    let start = beijing_time(basis.start).ok_or(CalendarError::YearNotCovered { year: 0 })?;
    let n = total_days(basis, max_pause_days);
    let counted = calendar.add_working_days(&start, n)?;
    let mut explain = String::new();
    explain.push_str(&format!("{} working days to answer", basis.days.max(1)));
    if basis.restarts > 0 {
        explain.push_str(&format!(
            "; the clock restarted {} time(s), last at {}",
            basis.restarts,
            start.to_rfc3339_opts(SecondsFormat::Secs, false)
        ));
    }
    if basis.extension > 0 {
        let by = basis.extension_approved_by.as_deref().unwrap_or("-");
        explain.push_str(&format!("; extended by {} working days (approved by {by})", basis.extension));
    }
    if basis.paused_days > 0 {
        explain.push_str(&format!("; {} working days of third-party consultation not counted", basis.paused_days));
    }
    if basis.pause_since.is_some() {
        explain.push_str(&format!("; third party consulted now: up to {max_pause_days} working days not counted"));
    }
    explain.push('\n');
    explain.push_str(&counted.explain());
    let mut due_at = counted.due.timestamp();
    let mut delay_to = None;
    if let Some(to) = basis.delay_to
        && end_of_day(to) > due_at
    {
        due_at = end_of_day(to);
        delay_to = Some(to);
        explain.push_str(&format!(
            "\ndelayed to {to}: {}",
            basis.delay_reason.as_deref().unwrap_or("delay explained before the deadline")
        ));
    }
    Ok(DueDate { due_at, counted, delay_to, explain })
}

/// Like [`compute`] but `None` when the calendar lacks a year (the ticket waits for
/// the year's notice; see `recompute_open_deadlines`).
pub fn compute_opt(
    basis: &DeadlineBasis,
    max_pause_days: u32,
    calendar: &WorkCalendar,
) -> Result<Option<DueDate>, CalendarError> {
    match compute(basis, max_pause_days, calendar) {
        Ok(d) => Ok(Some(d)),
        Err(CalendarError::YearNotCovered { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Where a ticket stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// More than the due-soon margin left.
    OnTime,
    /// At most `due_soon_days` working days left.
    DueSoon,
    /// Past the deadline without a reply.
    Overdue,
    /// The clock is stopped (correction asked, third party consulted).
    Paused,
    /// Answered (or rejected): no deadline runs.
    Done,
    /// The calendar does not cover the days to count yet.
    Unknown,
}

/// Classifies a ticket at `now`.
pub fn status(
    state: TicketState,
    due_at: Option<i64>,
    now: i64,
    due_soon_days: u32,
    calendar: &WorkCalendar,
) -> DeadlineStatus {
    if !state.is_open() {
        return DeadlineStatus::Done;
    }
    if matches!(state, TicketState::AwaitingCorrection | TicketState::ThirdParty) {
        return DeadlineStatus::Paused;
    }
    let Some(due) = due_at else { return DeadlineStatus::Unknown };
    if now > due {
        return DeadlineStatus::Overdue;
    }
    match (beijing_date(now), beijing_date(due)) {
        (Some(today), Some(day)) => match calendar.working_days_between(today, day) {
            Ok(left) if left <= i64::from(due_soon_days) => DeadlineStatus::DueSoon,
            Ok(_) => DeadlineStatus::OnTime,
            Err(_) => DeadlineStatus::Unknown,
        },
        _ => DeadlineStatus::Unknown,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn national_day_2025_with_adjusted_saturday() {
        // Received Fri 2025-09-26 10:00. Holidays 10-01..10-08; Sun 09-28 and Sat 10-11 are
        // adjusted workdays. Day 1 = Sun 09-28 (adjusted), 2 = Mon 09-29, 3 = Tue 09-30,
        // 10-01..10-08 skipped (holiday), 4 = Thu 10-09, 5 = Fri 10-10.
        let c = WorkCalendar::builtin();
        let b = DeadlineBasis { start: at("2025-09-26T10:00:00+08:00"), days: 5, ..Default::default() };
        let d = compute(&b, 15, &c).unwrap();
        assert_eq!(d.due_at, at("2025-10-10T23:59:59+08:00"));
        assert!(d.explain.contains("2025-09-28 day 1: adjusted workday"), "{}", d.explain);
        assert!(d.explain.contains("2025-10-03 skipped: public holiday"), "{}", d.explain);
        // Received Thu 2025-09-30: day 1 = Thu 10-09, 2 = Fri 10-10, 3 = Sat 10-11 (adjusted),
        // 10-12 Sunday skipped, 4 = Mon 10-13, 5 = Tue 10-14.
        let b = DeadlineBasis { start: at("2025-09-30T16:00:00+08:00"), days: 5, ..Default::default() };
        let d = compute(&b, 15, &c).unwrap();
        assert_eq!(d.due_at, at("2025-10-14T23:59:59+08:00"));
        assert!(d.explain.contains("2025-10-11 day 3: adjusted workday"), "{}", d.explain);
        assert!(c.is_workday(beijing_date(d.due_at).unwrap()).unwrap());
    }

    #[test]
    fn delay_only_moves_later() {
        let c = WorkCalendar::builtin();
        let mut b = DeadlineBasis { start: at("2025-06-03T09:00:00+08:00"), days: 5, ..Default::default() };
        // Tue 06-03: days 06-04, 05, 06, 09, 10 → due Tue 06-10.
        assert_eq!(compute(&b, 15, &c).unwrap().due_at, at("2025-06-10T23:59:59+08:00"));
        b.delay_to = Some(day("2025-06-06"));
        assert_eq!(compute(&b, 15, &c).unwrap().due_at, at("2025-06-10T23:59:59+08:00"));
        b.delay_to = Some(day("2025-06-13"));
        let d = compute(&b, 15, &c).unwrap();
        assert_eq!(d.due_at, at("2025-06-13T23:59:59+08:00"));
        assert!(d.explain.contains("delayed to 2025-06-13"));
    }

    #[test]
    fn year_not_covered_is_unknown() {
        let c = WorkCalendar::builtin();
        let b = DeadlineBasis { start: at("2026-12-28T09:00:00+08:00"), days: 5, ..Default::default() };
        assert_eq!(compute_opt(&b, 15, &c).unwrap(), None);
        assert_eq!(status(TicketState::Assigned, None, b.start, 1, &c), DeadlineStatus::Unknown);
    }

    #[test]
    fn statuses() {
        let c = WorkCalendar::builtin();
        let due = at("2025-06-10T23:59:59+08:00");
        let s = |now: &str| status(TicketState::Assigned, Some(due), at(now), 1, &c);
        assert_eq!(s("2025-06-05T09:00:00+08:00"), DeadlineStatus::OnTime);
        assert_eq!(s("2025-06-09T09:00:00+08:00"), DeadlineStatus::DueSoon);
        assert_eq!(s("2025-06-10T23:00:00+08:00"), DeadlineStatus::DueSoon);
        assert_eq!(s("2025-06-11T00:00:00+08:00"), DeadlineStatus::Overdue);
        assert_eq!(status(TicketState::Closed, Some(due), due + 9, 1, &c), DeadlineStatus::Done);
        assert_eq!(status(TicketState::ThirdParty, Some(due), due + 9, 1, &c), DeadlineStatus::Paused);
    }
}
