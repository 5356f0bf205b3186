//! Tests of the working-day calendar: the shipped data, the counting rule, loading.

use super::*;
use chrono::{Duration, Utc};
use proptest::prelude::*;

type R = Result<(), CalendarError>;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are well formed")
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test instants are well formed")
}

fn holiday(name: &str) -> DayKind {
    DayKind::Holiday { name: name.to_owned() }
}

fn adjusted(name: &str) -> DayKind {
    DayKind::AdjustedWorkday { name: name.to_owned() }
}

fn days(from: &str, to: &str) -> Vec<NaiveDate> {
    d(from).iter_days().take_while(|x| *x <= d(to)).collect()
}

/// Checks each `(date, kind)` of a table against the builtin calendar.
fn check_kinds(calendar: &WorkCalendar, table: &[(&str, DayKind)]) -> R {
    for (date, want) in table {
        let info = calendar.day_info(d(date))?;
        assert_eq!(&info.kind, want, "{date}");
        assert_eq!(calendar.is_workday(d(date))?, want.is_working(), "{date}");
    }
    Ok(())
}

/// Expands a holiday range and workdays into table rows.
fn period_rows(name: &str, from: &str, to: &str, workdays: &[&str]) -> Vec<(String, DayKind)> {
    let mut rows: Vec<(String, DayKind)> = days(from, to).into_iter().map(|x| (x.to_string(), holiday(name))).collect();
    rows.extend(workdays.iter().map(|w| ((*w).to_owned(), adjusted(name))));
    rows
}

#[test]
fn builtin_parses_and_covers_2010_to_2026() -> R {
    let mut calendar = WorkCalendar::new();
    calendar.extend_from_str(BUILTIN_DATA)?;
    assert_eq!(calendar.covered_years(), (2010..=2026).collect::<Vec<_>>());
    assert_eq!(WorkCalendar::builtin().covered_years(), calendar.covered_years());
    Ok(())
}

#[test]
fn spring_festival_and_national_day_2024_to_2026() -> R {
    let calendar = WorkCalendar::builtin();
    let periods = [
        // (name, from, to, adjusted workdays)
        ("春节", "2024-02-10", "2024-02-17", &["2024-02-04", "2024-02-18"][..]),
        ("国庆节", "2024-10-01", "2024-10-07", &["2024-09-29", "2024-10-12"][..]),
        ("春节", "2025-01-28", "2025-02-04", &["2025-01-26", "2025-02-08"][..]),
        ("国庆节、中秋节", "2025-10-01", "2025-10-08", &["2025-09-28", "2025-10-11"][..]),
        ("春节", "2026-02-15", "2026-02-23", &["2026-02-14", "2026-02-28"][..]),
        ("国庆节", "2026-10-01", "2026-10-07", &["2026-09-20", "2026-10-10"][..]),
    ];
    for (name, from, to, workdays) in periods {
        let rows = period_rows(name, from, to, workdays);
        let table: Vec<(&str, DayKind)> = rows.iter().map(|(s, k)| (s.as_str(), k.clone())).collect();
        check_kinds(&calendar, &table)?;
    }
    // The days around them are ordinary.
    check_kinds(
        &calendar,
        &[
            ("2024-02-03", DayKind::Weekend),
            ("2024-02-09", DayKind::Workday), // 除夕 (New Year's Eve) 2024 was worked
            ("2024-02-19", DayKind::Workday),
            ("2024-09-28", DayKind::Weekend),
            ("2024-09-30", DayKind::Workday),
            ("2024-10-08", DayKind::Workday),
            ("2024-10-13", DayKind::Weekend),
            ("2025-01-25", DayKind::Weekend),
            ("2025-01-27", DayKind::Workday),
            ("2025-02-05", DayKind::Workday),
            ("2025-02-09", DayKind::Weekend),
            ("2025-09-27", DayKind::Weekend),
            ("2025-09-30", DayKind::Workday),
            ("2025-10-09", DayKind::Workday),
            ("2025-10-12", DayKind::Weekend),
            ("2026-02-13", DayKind::Workday),
            ("2026-02-24", DayKind::Workday),
            ("2026-03-01", DayKind::Weekend),
            ("2026-09-19", DayKind::Weekend),
            ("2026-09-30", DayKind::Workday),
            ("2026-10-08", DayKind::Workday),
            ("2026-10-11", DayKind::Weekend),
        ],
    )
}

#[test]
fn new_years_day_spilling_into_the_previous_year() -> R {
    let calendar = WorkCalendar::builtin();
    check_kinds(
        &calendar,
        &[
            // 2012 notice: Saturday 2011-12-31 worked.
            ("2011-12-31", adjusted("元旦")),
            ("2012-01-03", holiday("元旦")),
            // 2019 notice: 2018-12-30 .. 2019-01-01 off, Saturday 2018-12-29 worked.
            ("2018-12-28", DayKind::Workday),
            ("2018-12-29", adjusted("元旦")),
            ("2018-12-30", holiday("元旦")),
            ("2018-12-31", holiday("元旦")),
            ("2019-01-01", holiday("元旦")),
            ("2019-01-02", DayKind::Workday),
            // 2023 notice: 2022-12-31 .. 2023-01-02 off.
            ("2022-12-30", DayKind::Workday),
            ("2022-12-31", holiday("元旦")),
            ("2023-01-02", holiday("元旦")),
            ("2023-01-03", DayKind::Workday),
        ],
    )?;
    // The spilled days belong to the later notice, not to the year they fall in.
    let in_2018 = calendar.periods(2018).unwrap_or_default();
    assert!(in_2018.iter().all(|p| p.holidays.iter().all(|x| x.year() == 2018)));
    let yuandan_2019 = calendar.periods(2019).and_then(|p| p.first());
    assert_eq!(
        yuandan_2019.map(|p| (p.holidays.clone(), p.workdays.clone())),
        Some((days("2018-12-30", "2019-01-01"), vec![d("2018-12-29")]))
    );
    Ok(())
}

#[test]
fn the_2015_victory_day_and_other_special_arrangements() -> R {
    let calendar = WorkCalendar::builtin();
    check_kinds(
        &calendar,
        &[
            ("2015-09-02", DayKind::Workday),
            ("2015-09-03", holiday("抗战胜利70周年纪念日")),
            ("2015-09-04", holiday("抗战胜利70周年纪念日")),
            ("2015-09-05", holiday("抗战胜利70周年纪念日")),
            ("2015-09-06", adjusted("抗战胜利70周年纪念日")),
            // 2020: Spring Festival extended to 2 Feb; Saturday 1 Feb no longer worked.
            ("2020-01-19", adjusted("春节")),
            ("2020-01-31", holiday("春节")),
            ("2020-02-01", holiday("春节")),
            ("2020-02-02", holiday("春节")),
            ("2020-02-03", DayKind::Workday),
            // 2019: Labour Day amended to 1-4 May, with 28 Apr and 5 May worked.
            ("2019-04-28", adjusted("劳动节")),
            ("2019-05-03", holiday("劳动节")),
            ("2019-05-05", adjusted("劳动节")),
            // 2014: 除夕 worked; 清明 4 Apr off (Sat), 7 Apr compensatory.
            ("2014-01-30", DayKind::Workday),
            ("2014-04-07", holiday("清明节")),
        ],
    )
}

#[test]
fn every_year_has_all_its_periods_and_day_counts() {
    let calendar = WorkCalendar::builtin();
    // (year, periods as the notice lists them, total days off named by the notice)
    let table = [
        (2010, 7, 29),
        (2011, 7, 29),
        (2012, 6, 27), // 中秋节、国庆节 merged
        (2013, 7, 29),
        (2014, 7, 23),
        (2015, 8, 27), // + 抗战胜利70周年纪念日
        (2016, 7, 24),
        (2017, 6, 24), // merged
        (2018, 7, 23),
        (2019, 7, 24),
        (2020, 6, 30), // merged; Spring Festival extended to 10 days
        (2021, 7, 31),
        (2022, 7, 31),
        (2023, 6, 27), // merged
        (2024, 7, 28),
        (2025, 6, 28), // merged
        (2026, 7, 33),
    ];
    let required = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"];
    for (year, periods_expected, total) in table {
        let periods = calendar.periods(year).unwrap_or_default();
        assert_eq!(periods.len(), periods_expected, "{year}");
        let festivals: Vec<&str> = periods.iter().flat_map(HolidayPeriod::festivals).collect();
        assert!(festivals.len() >= 7, "{year}: {festivals:?}");
        for name in required {
            assert_eq!(festivals.iter().filter(|f| **f == name).count(), 1, "{year} {name}");
        }
        let days: usize = periods.iter().map(|p| p.holidays.len()).sum();
        assert_eq!(days, total, "{year}");
    }
}

#[test]
fn status_agrees_with_kind_and_weekday_everywhere() -> R {
    let calendar = WorkCalendar::builtin();
    for date in d("2010-01-01").iter_days().take_while(|x| x.year() <= 2026) {
        let info = calendar.day_info(date)?;
        assert_eq!(calendar.is_workday(date)?, info.kind.is_working(), "{date}");
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        match info.kind {
            DayKind::Workday => assert!(!weekend, "{date}"),
            DayKind::Weekend | DayKind::AdjustedWorkday { .. } => assert!(weekend, "{date}"),
            DayKind::Holiday { .. } => {}
        }
    }
    Ok(())
}

#[test]
fn deadline_across_the_2025_spring_festival() -> R {
    let calendar = WorkCalendar::builtin();
    let deadline = calendar.add_working_days(&at("2025-01-27T10:00:00+08:00"), 5)?;
    assert_eq!(deadline.due, at("2025-02-10T23:59:59+08:00"));
    assert_eq!(deadline.due.to_rfc3339(), "2025-02-10T23:59:59+08:00");
    assert_eq!(deadline.working_days, 5);
    assert_eq!(
        deadline.counted,
        vec![d("2025-02-05"), d("2025-02-06"), d("2025-02-07"), d("2025-02-08"), d("2025-02-10")]
    );
    let mut skipped: Vec<DayInfo> =
        days("2025-01-28", "2025-02-04").into_iter().map(|date| DayInfo { date, kind: holiday("春节") }).collect();
    skipped.push(DayInfo { date: d("2025-02-09"), kind: DayKind::Weekend });
    assert_eq!(deadline.skipped, skipped);
    assert_eq!(deadline.adjusted, vec![DayInfo { date: d("2025-02-08"), kind: adjusted("春节") }]);
    let expected = "\
received 2025-01-27T10:00:00+08:00; 5 working days; due 2025-02-10T23:59:59+08:00
2025-01-28 skipped: public holiday 春节
2025-01-29 skipped: public holiday 春节
2025-01-30 skipped: public holiday 春节
2025-01-31 skipped: public holiday 春节
2025-02-01 skipped: public holiday 春节
2025-02-02 skipped: public holiday 春节
2025-02-03 skipped: public holiday 春节
2025-02-04 skipped: public holiday 春节
2025-02-05 day 1
2025-02-06 day 2
2025-02-07 day 3
2025-02-08 day 4: adjusted workday (春节)
2025-02-09 skipped: weekend
2025-02-10 day 5";
    assert_eq!(deadline.explain(), expected);
    Ok(())
}

#[test]
fn deadline_of_20_days_across_national_day_2024() -> R {
    let calendar = WorkCalendar::builtin();
    // 18:00 in Beijing, given in UTC.
    let received = Utc.with_ymd_and_hms(2024, 9, 30, 10, 0, 0).single().ok_or(CalendarError::ZeroDays)?;
    let deadline = calendar.add_working_days(&received, 20)?;
    assert_eq!(deadline.received_at, at("2024-09-30T18:00:00+08:00"));
    assert_eq!(deadline.received_at.offset().local_minus_utc(), 8 * 3600);
    assert_eq!(deadline.due, at("2024-11-01T23:59:59+08:00"));
    let mut counted = days("2024-10-08", "2024-10-12");
    for (from, to) in [("2024-10-14", "2024-10-18"), ("2024-10-21", "2024-10-25"), ("2024-10-28", "2024-11-01")] {
        counted.extend(days(from, to));
    }
    assert_eq!(deadline.counted, counted);
    let mut skipped: Vec<DayInfo> =
        days("2024-10-01", "2024-10-07").into_iter().map(|date| DayInfo { date, kind: holiday("国庆节") }).collect();
    for w in ["2024-10-13", "2024-10-19", "2024-10-20", "2024-10-26", "2024-10-27"] {
        skipped.push(DayInfo { date: d(w), kind: DayKind::Weekend });
    }
    assert_eq!(deadline.skipped, skipped);
    assert_eq!(deadline.adjusted.len(), 1);
    assert!(deadline.explain().contains("\n2024-10-12 day 5: adjusted workday (国庆节)\n"));
    assert_eq!(calendar.working_days_between(d("2024-09-30"), d("2024-11-01"))?, 20);
    Ok(())
}

#[test]
fn receipt_day_and_hour_do_not_count() -> R {
    let calendar = WorkCalendar::builtin();
    // (received, n, due day)
    let table = [
        // Saturday: Sunday skipped, Monday is day 1.
        ("2025-03-08T09:00:00+08:00", 1, "2025-03-10"),
        // A Saturday that is an adjusted workday still does not count itself.
        ("2025-02-08T09:00:00+08:00", 1, "2025-02-10"),
        // A working day, at the first and the last second.
        ("2025-03-10T00:00:00+08:00", 1, "2025-03-11"),
        ("2025-03-10T23:59:59+08:00", 1, "2025-03-11"),
        // Friday: the weekend is skipped.
        ("2025-03-07T12:00:00+08:00", 2, "2025-03-11"),
        // 23:30 Beijing given in UTC is still Thursday.
        ("2025-03-06T15:30:00+00:00", 1, "2025-03-07"),
        // 00:30 Beijing on Friday is still Thursday in UTC and in New York.
        ("2025-03-06T16:30:00+00:00", 1, "2025-03-10"),
        ("2025-03-06T11:30:00-05:00", 1, "2025-03-10"),
        // Received in an uncovered year; the days counted are covered.
        ("2009-12-31T10:00:00+08:00", 1, "2010-01-04"),
    ];
    for (received, n, due) in table {
        let deadline = calendar.add_working_days(&at(received), n)?;
        assert_eq!(deadline.due.date_naive(), d(due), "{received}");
        assert_eq!(deadline.due.time(), NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
        assert_eq!(deadline.due.offset().local_minus_utc(), 8 * 3600);
        assert_eq!(deadline.received_at, at(received), "same instant, shown in +08:00");
        assert!(deadline.received_at.to_rfc3339().ends_with("+08:00"));
    }
    let one = calendar.add_working_days(&at("2025-03-06T16:30:00+00:00"), 1)?;
    assert!(
        one.explain().starts_with("received 2025-03-07T00:30:00+08:00; 1 working day; due 2025-03-10T23:59:59+08:00\n")
    );
    Ok(())
}

#[test]
fn zero_days_and_uncovered_years_are_errors() {
    let calendar = WorkCalendar::builtin();
    assert!(matches!(calendar.add_working_days(&at("2025-03-06T10:00:00+08:00"), 0), Err(CalendarError::ZeroDays)));
    for (date, year) in [("2009-12-31", 2009), ("2027-01-04", 2027), ("2009-06-01", 2009)] {
        assert!(
            matches!(calendar.is_workday(d(date)), Err(CalendarError::YearNotCovered { year: y }) if y == year),
            "{date}"
        );
        assert!(
            matches!(calendar.day_info(d(date)), Err(CalendarError::YearNotCovered { year: y }) if y == year),
            "{date}"
        );
    }
    // 29-31 Dec 2026 count, then 2027 is unknown.
    assert!(matches!(
        calendar.add_working_days(&at("2026-12-28T10:00:00+08:00"), 5),
        Err(CalendarError::YearNotCovered { year: 2027 })
    ));
    assert!(matches!(
        calendar.working_days_between(d("2026-12-30"), d("2027-01-05")),
        Err(CalendarError::YearNotCovered { year: 2027 })
    ));
    assert!(matches!(
        calendar.working_days_between(d("2010-01-05"), d("2009-12-01")),
        Err(CalendarError::YearNotCovered { year: 2009 })
    ));
    assert!(matches!(
        WorkCalendar::new().is_workday(d("2025-01-02")),
        Err(CalendarError::YearNotCovered { year: 2025 })
    ));
    let message = CalendarError::YearNotCovered { year: 2027 }.to_string();
    assert!(message.contains("2027"), "{message}");
}

#[test]
fn extending_adds_a_year_and_replaces_one_wholly() -> R {
    let mut calendar = WorkCalendar::builtin();
    let fake_2027 = "\
# 2027 — a made-up notice for the test
2027 元旦 holiday 2026-12-31..2027-01-03
2027 春节 holiday 2027-02-05..2027-02-11 workdays 2027-02-13
";
    assert!(calendar.is_workday(d("2026-12-31"))?); // a Thursday, before 2027 is known
    calendar.extend_from_str(fake_2027)?;
    assert_eq!(calendar.covered_years(), (2010..=2027).collect::<Vec<_>>());
    check_kinds(
        &calendar,
        &[
            ("2026-12-31", holiday("元旦")),
            ("2027-01-04", DayKind::Workday),
            ("2027-02-08", holiday("春节")),
            ("2027-02-13", adjusted("春节")),
            ("2027-02-14", DayKind::Weekend),
        ],
    )?;
    let deadline = calendar.add_working_days(&at("2026-12-28T10:00:00+08:00"), 5)?;
    // 29, 30 Dec; 31 Dec - 3 Jan off; 4, 5, 6 Jan.
    assert_eq!(deadline.due.date_naive(), d("2027-01-06"));

    // A new 2026 notice replaces the old one wholly.
    let before = calendar.add_working_days(&at("2026-09-30T10:00:00+08:00"), 1)?;
    assert_eq!(before.due.date_naive(), d("2026-10-08"));
    calendar.extend_from_str("2026 国庆节 holiday 2026-10-01..2026-10-08 workdays 2026-09-26")?;
    assert_eq!(calendar.periods(2026).map(<[_]>::len), Some(1));
    check_kinds(
        &calendar,
        &[
            ("2026-02-16", DayKind::Workday), // no longer 春节
            ("2026-02-14", DayKind::Weekend), // no longer an adjusted workday
            ("2026-09-20", DayKind::Weekend),
            ("2026-09-26", adjusted("国庆节")),
            ("2026-10-08", holiday("国庆节")),
            ("2026-12-31", holiday("元旦")), // still named by the 2027 notice
        ],
    )?;
    let after = calendar.add_working_days(&at("2026-09-30T10:00:00+08:00"), 1)?;
    assert_eq!(after.due.date_naive(), d("2026-10-09"));

    // Replacing the 2019 notice drops the days it named in December 2018.
    calendar.extend_from_str("2019 春节 holiday 2019-02-04..2019-02-10")?;
    assert_eq!(calendar.day_info(d("2018-12-31"))?.kind, DayKind::Workday);
    assert_eq!(calendar.day_info(d("2018-12-29"))?.kind, DayKind::Weekend);
    Ok(())
}

#[test]
fn failed_extension_changes_nothing() -> R {
    let mut calendar = WorkCalendar::builtin();
    // Line 2 is bad; line 1 alone would have replaced 2026.
    let result =
        calendar.extend_from_str("2026 元旦 holiday 2026-01-01\n2027 春节 holiday 2027-02-05 workdays 2027-02-08");
    assert!(matches!(result, Err(CalendarError::Parse { line: 2, .. })));
    assert_eq!(calendar.covered_years(), (2010..=2026).collect::<Vec<_>>());
    assert_eq!(calendar.day_info(d("2026-02-16"))?.kind, holiday("春节"));

    // A day named by two notices: 2022-12-31 belongs to the 2023 notice.
    let result = calendar.extend_from_str("# replacing 2022\n2022 元旦 holiday 2022-01-01..2022-01-03,2022-12-31");
    match result {
        Err(CalendarError::Parse { line, message }) => {
            assert_eq!(line, 2);
            assert!(message.contains("2022-12-31"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(calendar.periods(2022).map(<[_]>::len), Some(7));
    Ok(())
}

#[test]
fn malformed_lines_name_their_line() {
    // (text, line, words the message must contain)
    let table: &[(&str, usize, &str)] = &[
        ("2025 春节 holiday", 1, "3 fields"),
        ("2025 春节 holiday 2025-01-28 workdays 2025-01-26 extra", 1, "7 fields"),
        ("\n# comment\n2025 春节 holidays 2025-01-28", 3, "`holiday`"),
        ("2025 元旦 holiday 2025-01-01\n\n2025 春节 holiday 2025-1-28", 3, "YYYY-MM-DD"),
        ("2025 春节 holiday 2025-02-30", 1, "2025-02-30"),
        ("25 春节 holiday 2025-01-28", 1, "notice year"),
        ("二〇二五 春节 holiday 2025-01-28", 1, "notice year"),
        ("2025 春节 holiday 2025-02-04..2025-01-28", 1, "ends before"),
        ("2025 春节 holiday 2025-01-01..2025-03-01", 1, "days long"),
        ("2025 春节 holiday 2025-01-28 workday 2025-01-26", 1, "`workdays`"),
        ("2025 春节 holiday 2025-01-28 workdays 2025-01-27", 1, "not a Saturday or Sunday"),
        ("2025 春节 holiday 2025-01-25..2025-01-26 workdays 2025-01-26", 1, "both"),
        ("2025 元旦 holiday 2023-12-31", 1, "outside the 2025 notice"),
        ("2025 元旦 holiday 2025-02-01 workdays 2024-11-30", 1, "outside"),
        ("2025 春节 holiday 2025-01-28,2025-01-28", 1, "twice"),
        ("2025 元旦 holiday 2025-01-01\n# x\n2025 春节 holiday 2025-01-01", 3, "line 1"),
        ("2025 春节 holiday 2025-01-28, 2025-01-29", 1, "5 fields"),
    ];
    for (text, line, words) in table {
        let mut calendar = WorkCalendar::new();
        match calendar.extend_from_str(text) {
            Err(CalendarError::Parse { line: got, message }) => {
                assert_eq!(got, *line, "{text:?}: {message}");
                assert!(message.contains(words), "{text:?}: {message}");
            }
            other => panic!("{text:?} should fail, got {other:?}"),
        }
        assert!(calendar.covered_years().is_empty());
    }
}

#[test]
fn format_tolerates_comments_blank_lines_and_a_bom() -> R {
    let mut calendar = WorkCalendar::new();
    calendar.extend_from_str("\u{feff}# header\n\n  2030 元旦 holiday 2030-01-01   # 星期二 trailing comment\r\n")?;
    assert_eq!(calendar.covered_years(), vec![2030]);
    assert_eq!(calendar.day_info(d("2030-01-01"))?.kind, holiday("元旦"));
    Ok(())
}

#[test]
fn extend_from_file_reads_and_reports_io_errors() -> R {
    let path = std::env::temp_dir().join(format!("sitegroup-calendar-test-{}.txt", std::process::id()));
    std::fs::write(&path, "2031 元旦 holiday 2031-01-01\n")
        .map_err(|source| CalendarError::Io { path: path.clone(), source })?;
    let mut calendar = WorkCalendar::new();
    let result = calendar.extend_from_file(&path);
    let _ = std::fs::remove_file(&path);
    result?;
    assert_eq!(calendar.covered_years(), vec![2031]);
    let missing = calendar.extend_from_file(Path::new("/nonexistent/cn-holidays.txt"));
    assert!(matches!(missing, Err(CalendarError::Io { .. })));
    Ok(())
}

#[test]
fn working_days_between_basics() -> R {
    let calendar = WorkCalendar::builtin();
    let table = [
        ("2025-01-27", "2025-01-27", 0),
        ("2025-01-27", "2025-02-10", 5),
        ("2025-02-10", "2025-01-27", -5),
        ("2025-01-27", "2025-02-04", 0),
        ("2024-12-31", "2025-01-02", 1),
        ("2010-01-01", "2010-12-31", 250),
        ("2024-01-01", "2024-12-31", 251),
        ("2025-01-01", "2025-12-31", 248),
        ("2026-01-01", "2026-12-31", 248),
        ("2009-12-31", "2010-01-04", 1),
    ];
    for (a, b, want) in table {
        assert_eq!(calendar.working_days_between(d(a), d(b))?, want, "{a}..{b}");
    }
    Ok(())
}

#[test]
fn working_days_per_year_match_a_day_by_day_count() -> R {
    let calendar = WorkCalendar::builtin();
    for year in 2010..=2026 {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let mut by_day = 0;
        for date in first.iter_days().take_while(|x| x.year() == year) {
            if calendar.is_workday(date)? {
                by_day += 1;
            }
        }
        let dec31 = NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
        assert_eq!(calendar.working_days_between(dec31, last)?, by_day, "{year}");
    }
    Ok(())
}

fn round_trip(calendar: &WorkCalendar, received: DateTime<FixedOffset>, n: u32) -> R {
    let deadline = calendar.add_working_days(&received, n)?;
    let receipt_day = received.date_naive();
    let due_day = deadline.due.date_naive();
    assert_eq!(calendar.working_days_between(receipt_day, due_day)?, i64::from(n));
    assert_eq!(calendar.working_days_between(due_day, receipt_day)?, -i64::from(n));
    assert!(calendar.is_workday(due_day)?);
    let day_before = due_day - Duration::days(1);
    assert_eq!(calendar.working_days_between(receipt_day, day_before)?, i64::from(n) - 1);
    assert_eq!(deadline.counted.len(), n as usize);
    assert_eq!(deadline.counted.last(), Some(&due_day));
    let span = (due_day - receipt_day).num_days();
    assert_eq!(deadline.counted.len() + deadline.skipped.len(), usize::try_from(span).unwrap_or_default());
    Ok(())
}

#[test]
fn working_days_between_round_trips_with_add_working_days() -> R {
    let calendar = WorkCalendar::builtin();
    let start = at("2010-01-01T09:30:00+08:00");
    for offset in 0..(365 * 16) {
        let received = start + Duration::days(offset);
        for n in [1, 3, 5, 20, 40] {
            round_trip(&calendar, received, n)?;
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn round_trip_property(day in 0i64..(365 * 16), minute in 0i64..(24 * 60), n in 1u32..120) {
        let calendar = WorkCalendar::builtin();
        let received = at("2010-01-01T00:00:00+08:00") + Duration::days(day) + Duration::minutes(minute);
        prop_assert!(round_trip(&calendar, received, n).is_ok());
    }
}

#[test]
fn deadline_serializes() -> R {
    let calendar = WorkCalendar::builtin();
    let deadline = calendar.add_working_days(&at("2025-01-27T10:00:00+08:00"), 5)?;
    let json = serde_json::to_string(&deadline).unwrap_or_default();
    assert!(json.contains(r#""due":"2025-02-10T23:59:59+08:00""#), "{json}");
    assert!(json.contains(r#"{"date":"2025-01-28","kind":{"type":"holiday","name":"春节"}}"#), "{json}");
    let back: Deadline = serde_json::from_str(&json).unwrap_or_else(|_| deadline.clone());
    assert_eq!(back, deadline);
    Ok(())
}
