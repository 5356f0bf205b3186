//! Reading the holiday data format described in `cn-holidays.txt` (and in the
//! [`WorkCalendar`](super::WorkCalendar) docs).
//!
//! The parser checks each line on its own (shape, dates, the adjacent-year window,
//! weekend-only adjusted workdays) and the lines of one notice year against each other
//! (no day twice). Checks across notice years happen when the calendar is rebuilt.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};

use super::{CalendarError, HolidayPeriod};

/// Smallest and largest notice year accepted; keeps every date arithmetic far from
/// chrono's limits.
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 9999;
/// Longest holiday range accepted on one item. The longest real period (Spring
/// Festival 2020, extended) is 10 days; a longer range is almost surely a typo such as
/// `2025-01-28..2025-12-04`.
const MAX_RANGE_DAYS: i64 = 31;

/// One period as read, with the 1-based line it came from.
#[derive(Debug, Clone)]
pub(super) struct ParsedPeriod {
    pub(super) line: usize,
    pub(super) period: HolidayPeriod,
}

fn err(line: usize, message: impl Into<String>) -> CalendarError {
    CalendarError::Parse { line, message: message.into() }
}

/// Parses a whole text. Returns the periods grouped by notice year, in file order.
pub(super) fn parse(text: &str) -> Result<BTreeMap<i32, Vec<ParsedPeriod>>, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: BTreeMap<i32, Vec<ParsedPeriod>> = BTreeMap::new();
    // Per notice year: which day is already named, and on which line.
    let mut seen: HashMap<i32, HashMap<NaiveDate, usize>> = HashMap::new();

    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let (year, period) = parse_line(line, content)?;
        let days = seen.entry(year).or_default();
        for date in period.holidays.iter().chain(period.workdays.iter()) {
            if let Some(first) = days.insert(*date, line) {
                return Err(err(line, format!("{date} is already named on line {first} for the {year} notice")));
            }
        }
        out.entry(year).or_default().push(ParsedPeriod { line, period });
    }
    Ok(out)
}

fn parse_line(line: usize, content: &str) -> Result<(i32, HolidayPeriod), CalendarError> {
    let tokens: Vec<&str> = content.split_whitespace().collect();
    let shape = "expected `<year> <name> holiday <dates> [workdays <dates>]`";
    if tokens.len() != 4 && tokens.len() != 6 {
        return Err(err(line, format!("{shape}, found {} fields", tokens.len())));
    }
    let year = parse_year(line, tokens[0])?;
    let name = tokens[1];
    if tokens[2] != "holiday" {
        return Err(err(line, format!("{shape}: third field must be `holiday`, found `{}`", tokens[2])));
    }
    let holidays = parse_dates(line, year, tokens[3])?;
    let mut workdays = Vec::new();
    if tokens.len() == 6 {
        if tokens[4] != "workdays" {
            return Err(err(line, format!("{shape}: fifth field must be `workdays`, found `{}`", tokens[4])));
        }
        workdays = parse_dates(line, year, tokens[5])?;
        for date in &workdays {
            if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(err(
                    line,
                    format!("adjusted workday {date} is a {}, not a Saturday or Sunday", date.weekday()),
                ));
            }
            if holidays.contains(date) {
                return Err(err(line, format!("{date} is both a holiday and a workday")));
            }
        }
    }
    Ok((year, HolidayPeriod { name: name.to_owned(), holidays, workdays }))
}

fn parse_year(line: usize, token: &str) -> Result<i32, CalendarError> {
    let year =
        if token.len() == 4 && token.bytes().all(|b| b.is_ascii_digit()) { token.parse::<i32>().ok() } else { None };
    match year {
        Some(y) if (MIN_YEAR..=MAX_YEAR).contains(&y) => Ok(y),
        _ => {
            Err(err(line, format!("the first field must be the notice year ({MIN_YEAR}-{MAX_YEAR}), found `{token}`")))
        }
    }
}

/// Parses `a,b..c,d` into sorted, distinct days, each inside the notice's window.
fn parse_dates(line: usize, year: i32, token: &str) -> Result<Vec<NaiveDate>, CalendarError> {
    let mut out = Vec::new();
    for item in token.split(',') {
        if let Some((from, to)) = item.split_once("..") {
            let from = parse_date(line, from)?;
            let to = parse_date(line, to)?;
            let len = (to - from).num_days() + 1;
            if len < 1 {
                return Err(err(line, format!("range {item} ends before it starts")));
            }
            if len > MAX_RANGE_DAYS {
                return Err(err(
                    line,
                    format!("range {item} is {len} days long; at most {MAX_RANGE_DAYS} are accepted"),
                ));
            }
            out.extend(from.iter_days().take(len as usize));
        } else {
            out.push(parse_date(line, item)?);
        }
    }
    let before = out.len();
    out.sort_unstable();
    out.dedup();
    if out.len() != before {
        return Err(err(line, format!("`{token}` names a day twice")));
    }
    for date in &out {
        if !in_window(year, *date) {
            return Err(err(
                line,
                format!(
                    "{date} is outside the {year} notice: dates must lie in {year}, in December {} or in January {}",
                    year - 1,
                    year + 1
                ),
            ));
        }
    }
    Ok(out)
}

fn parse_date(line: usize, text: &str) -> Result<NaiveDate, CalendarError> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let parsed = if well_formed { NaiveDate::parse_from_str(text, "%Y-%m-%d").ok() } else { None };
    parsed.ok_or_else(|| {
        err(line, format!("`{text}` is not a date written YYYY-MM-DD (or a range YYYY-MM-DD..YYYY-MM-DD)"))
    })
}

/// The days a notice for `year` may name: its own year, December of the year before
/// (元旦 starting on Dec 30/31, or a Saturday workday on Dec 31) and January of the year
/// after.
fn in_window(year: i32, date: NaiveDate) -> bool {
    date.year() == year
        || (date.year() == year - 1 && date.month() == 12)
        || (date.year() == year + 1 && date.month() == 1)
}
