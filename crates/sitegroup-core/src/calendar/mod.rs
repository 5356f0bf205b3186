//! The official working-day calendar of mainland China, and deadlines counted in it.
//!
//! **What it owns.** The public holidays and the 调休 (*tiáoxiū*, adjusted workdays:
//! weekend days turned into working days to bridge a holiday) that the State Council
//! General Office announces each year in its notice 国务院办公厅关于XXXX年部分节假日安排的通知
//! ("notice on the arrangement of certain holidays in year XXXX"). The data for every
//! year from 2010 through 2026 ships in `cn-holidays.txt`, embedded in the crate; a
//! newly announced year is loaded at run time in the same plain-text format
//! ([`WorkCalendar::extend_from_str`], [`WorkCalendar::extend_from_file`]).
//!
//! **What it never does.** Guess. A date in a year for which no notice is loaded is
//! answered with [`CalendarError::YearNotCovered`], never with a Monday-to-Friday
//! assumption: such a guess is wrong several times a year, and these answers set legal
//! deadlines (e.g. 20 working days for a disclosure request).
//!
//! **The counting rule.** For `n` working days from a receipt: the receipt instant is
//! taken on the Beijing wall clock (Asia/Shanghai); day 1 is the first working day
//! *after* the calendar day of receipt, whatever the hour and even if the day of
//! receipt is itself a working day; the deadline is the end of day `n`, 23:59:59
//! Asia/Shanghai. So [`WorkCalendar::working_days_between`]`(receipt day, due day) == n`.
//!
//! ```
//! use chrono::{FixedOffset, TimeZone};
//! use sitegroup_core::WorkCalendar;
//!
//! let calendar = WorkCalendar::builtin();
//! let received = FixedOffset::east_opt(8 * 3600).unwrap()
//!     .with_ymd_and_hms(2025, 1, 27, 10, 0, 0).unwrap();
//! let deadline = calendar.add_working_days(&received, 5)?;
//! // 28 Jan - 4 Feb is the Spring Festival holiday, Saturday 8 Feb is a working day.
//! assert_eq!(deadline.due.to_rfc3339(), "2025-02-10T23:59:59+08:00");
//! println!("{}", deadline.explain());
//! # Ok::<(), sitegroup_core::CalendarError>(())
//! ```

mod parse;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, TimeZone, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The data shipped with the crate: every notice from 2010 through 2026.
const BUILTIN_DATA: &str = include_str!("cn-holidays.txt");

/// UTC+08:00, the offset of Asia/Shanghai (China has kept no daylight saving time
/// since 1991). Evaluated at compile time.
const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("+08:00 is a valid offset"),
};

/// The last second of a day; a deadline falls due at this time on its last day.
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(time) => time,
    None => panic!("23:59:59 is a valid time"),
};

/// Why the calendar could not answer or could not load data.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// No notice is loaded for `year`, so whether its days are working days is unknown.
    /// Load the year's notice with [`WorkCalendar::extend_from_str`] or
    /// [`WorkCalendar::extend_from_file`].
    #[error("no holiday notice is loaded for {year}; working days in {year} are unknown")]
    YearNotCovered {
        /// The calendar year that has no data.
        year: i32,
    },
    /// A deadline of zero working days was asked for.
    #[error("a deadline needs at least one working day")]
    ZeroDays,
    /// Holiday data could not be read.
    #[error("holiday data, line {line}: {message}")]
    Parse {
        /// 1-based line number in the text given.
        line: usize,
        /// What is wrong, in English.
        message: String,
    },
    /// A holiday data file could not be read from disk.
    #[error("cannot read holiday data file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday to Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A day off under the notice: a public holiday (法定节假日) or a day of its
    /// bridging rest (调休放假).
    Holiday {
        /// The holiday as the notice names it, e.g. `春节` (Spring Festival),
        /// `国庆节、中秋节` (National Day and Mid-Autumn Festival, merged).
        name: String,
    },
    /// 调休上班 (adjusted workday): a Saturday or Sunday that is a working day because
    /// the notice moved it to bridge a holiday.
    AdjustedWorkday {
        /// The holiday whose bridge this working day pays for.
        name: String,
    },
}

impl DayKind {
    /// Whether government offices work on a day of this kind.
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday { .. })
    }
}

/// A date and what kind of day it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayInfo {
    /// The calendar date (on the Beijing wall clock).
    pub date: NaiveDate,
    /// Its kind.
    pub kind: DayKind,
}

/// One holiday period of a notice: its days off and the weekend days worked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayPeriod {
    /// As the notice heads it: 元旦 (New Year's Day), 春节 (Spring Festival), 清明节
    /// (Qingming, Tomb-sweeping Day), 劳动节 (Labour Day), 端午节 (Dragon Boat
    /// Festival), 中秋节 (Mid-Autumn Festival), 国庆节 (National Day); merged periods
    /// keep the notice's wording, e.g. `国庆节、中秋节`.
    pub name: String,
    /// The days off, sorted.
    pub holidays: Vec<NaiveDate>,
    /// The adjusted workdays (Saturdays and Sundays worked), sorted.
    pub workdays: Vec<NaiveDate>,
}

impl HolidayPeriod {
    /// The holidays this period stands for: `国庆节、中秋节` gives `国庆节` and `中秋节`.
    pub fn festivals(&self) -> impl Iterator<Item = &str> {
        self.name.split('、').filter(|s| !s.is_empty())
    }
}

/// A computed deadline, with the days that were counted and skipped so it can be
/// shown to the people it binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The receipt instant, on the Beijing clock (+08:00).
    pub received_at: DateTime<FixedOffset>,
    /// The end of the last working day: 23:59:59 +08:00.
    pub due: DateTime<FixedOffset>,
    /// The number of working days asked for.
    pub working_days: u32,
    /// The working days counted, in order; the last one is the due day.
    pub counted: Vec<NaiveDate>,
    /// The non-working days between the receipt day and the due day, with why.
    pub skipped: Vec<DayInfo>,
    /// The counted days that are adjusted workdays (调休上班), with the holiday they
    /// belong to; a subset of `counted`, kept so [`Deadline::explain`] can say why a
    /// weekend day counted.
    pub adjusted: Vec<DayInfo>,
}

impl Deadline {
    /// A human explanation, one line per day from the day after receipt to the due day.
    ///
    /// ```text
    /// received 2025-01-27T10:00:00+08:00; 5 working days; due 2025-02-10T23:59:59+08:00
    /// 2025-01-28 skipped: public holiday 春节
    /// …
    /// 2025-02-05 day 1
    /// 2025-02-08 day 4: adjusted workday (春节)
    /// 2025-02-09 skipped: weekend
    /// 2025-02-10 day 5
    /// ```
    pub fn explain(&self) -> String {
        let mut out = format!(
            "received {}; {} working {}; due {}",
            self.received_at.to_rfc3339_opts(SecondsFormat::Secs, false),
            self.working_days,
            if self.working_days == 1 { "day" } else { "days" },
            self.due.to_rfc3339_opts(SecondsFormat::Secs, false),
        );
        let adjusted: HashMap<NaiveDate, &str> = self
            .adjusted
            .iter()
            .filter_map(|info| match &info.kind {
                DayKind::AdjustedWorkday { name } => Some((info.date, name.as_str())),
                _ => None,
            })
            .collect();
        let mut lines: Vec<(NaiveDate, String)> = Vec::with_capacity(self.counted.len() + self.skipped.len());
        for (i, date) in self.counted.iter().enumerate() {
            let text = match adjusted.get(date) {
                Some(name) => format!("{date} day {}: adjusted workday ({name})", i + 1),
                None => format!("{date} day {}", i + 1),
            };
            lines.push((*date, text));
        }
        for info in &self.skipped {
            let why = match &info.kind {
                DayKind::Holiday { name } => format!("public holiday {name}"),
                DayKind::Weekend => "weekend".to_owned(),
                // Not produced by the calendar; shown plainly if built by hand.
                DayKind::Workday => "workday".to_owned(),
                DayKind::AdjustedWorkday { name } => format!("adjusted workday ({name})"),
            };
            lines.push((info.date, format!("{} skipped: {why}", info.date)));
        }
        lines.sort_by_key(|(date, _)| *date);
        for (_, text) in lines {
            let _ = write!(out, "\n{text}");
        }
        out
    }
}

/// What a notice says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Special {
    holiday: bool,
    /// Notice year and index of the period in that notice.
    year: i32,
    period: usize,
}

/// Every date some loaded notice names.
type SpecialDays = HashMap<NaiveDate, Special>;
/// The working-day bits of every covered year.
type YearMasks = HashMap<i32, YearMask>;

/// One bit per day of a covered year (bit `ordinal0`): set when it is a working day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct YearMask([u64; 6]);

impl YearMask {
    fn get(&self, ordinal0: u32) -> bool {
        let (word, bit) = ((ordinal0 / 64) as usize, ordinal0 % 64);
        self.0.get(word).is_some_and(|w| w >> bit & 1 == 1)
    }

    fn set(&mut self, ordinal0: u32, on: bool) {
        let (word, bit) = ((ordinal0 / 64) as usize, ordinal0 % 64);
        if let Some(w) = self.0.get_mut(word) {
            if on {
                *w |= 1 << bit;
            } else {
                *w &= !(1 << bit);
            }
        }
    }

    /// Working days with `lo <= ordinal0 <= hi`.
    fn count(&self, lo: u32, hi: u32) -> u32 {
        let mut total = 0;
        for (i, word) in self.0.iter().enumerate() {
            let start = i as u32 * 64;
            let end = start + 63;
            if end < lo || start > hi {
                continue;
            }
            let from = lo.saturating_sub(start);
            let to = hi.min(end) - start;
            let width = to - from + 1;
            let mask = if width == 64 { u64::MAX } else { ((1u64 << width) - 1) << from };
            total += (word & mask).count_ones();
        }
        total
    }
}

/// The working-day calendar: which days of the covered years are working days, and
/// deadlines counted in them.
///
/// Built from text in the format of the embedded `cn-holidays.txt`, one line per
/// holiday period of a notice:
///
/// ```text
/// # 2025 — 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
/// 2025 春节 holiday 2025-01-28..2025-02-04 workdays 2025-01-26,2025-02-08
/// 2025 劳动节 holiday 2025-05-01..2025-05-05 workdays 2025-04-27
/// ```
///
/// Fields: the notice year; the holiday's name (no spaces); `holiday` and the days
/// off; optionally `workdays` and the adjusted workdays. Days are `YYYY-MM-DD` or
/// inclusive ranges `YYYY-MM-DD..YYYY-MM-DD`, separated by commas without spaces. `#`
/// starts a comment. Rules: dates lie in the notice year, or in December of the year
/// before or January of the year after (元旦, New Year's Day, sometimes starts on Dec
/// 30 or 31); adjusted workdays are Saturdays or Sundays; no day is named twice, in one
/// notice or across notices.
///
/// A year is covered once a notice for it is loaded. The status of a date is decided
/// by whichever notice names it (the 2019 notice decides 2018-12-30), otherwise by its
/// weekday. Because of that, the next year's notice can still change the last days of
/// December of a covered year: deadlines reaching into late December should be
/// recomputed when the next notice is loaded.
///
/// Look-ups are O(1) (a bitset per covered year); counting `n` working days walks the
/// days once; [`WorkCalendar::working_days_between`] counts bits per year.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    /// Periods by notice year, in file order.
    notices: BTreeMap<i32, Vec<HolidayPeriod>>,
    /// Every date a loaded notice names.
    special: SpecialDays,
    /// Working-day bits of every covered year.
    masks: YearMasks,
}

impl WorkCalendar {
    /// An empty calendar: no year is covered. Mostly for tests and for loading only
    /// one's own data; use [`WorkCalendar::builtin`] for the official data.
    pub fn new() -> Self {
        Self::default()
    }

    /// The official calendar for 2010 through 2026, from the embedded `cn-holidays.txt`.
    ///
    /// # Panics
    ///
    /// Only if the embedded file, fixed at compile time, fails to parse. That file is
    /// not input: the unit test `builtin_parses_and_covers_2010_to_2026` parses it on
    /// every `cargo test`, so a broken file cannot ship unnoticed. Code that loads text
    /// from users calls [`WorkCalendar::extend_from_str`], which returns errors.
    pub fn builtin() -> Self {
        let mut calendar = Self::new();
        calendar.extend_from_str(BUILTIN_DATA).expect("the embedded cn-holidays.txt is checked by the unit tests");
        calendar
    }

    /// Loads notices from `text` (the format of `cn-holidays.txt`). For every notice
    /// year that appears in `text`, the lines in `text` replace everything loaded
    /// before for that year, including the days it named in an adjacent year; other
    /// years are kept. On error nothing changes.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use sitegroup_core::{CalendarError, WorkCalendar};
    ///
    /// let mut calendar = WorkCalendar::builtin();
    /// let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    /// assert!(matches!(calendar.is_workday(day), Err(CalendarError::YearNotCovered { year: 2027 })));
    /// calendar.extend_from_str("2027 元旦 holiday 2027-01-01..2027-01-03")?;
    /// assert!(calendar.is_workday(day)?);
    ///
    /// let bad = calendar.extend_from_str("# 2028\n2028 春节 holiday 2028-01-26..2028-02-02 workdays 2028-01-24");
    /// assert!(matches!(bad, Err(CalendarError::Parse { line: 2, .. }))); // 24 Jan 2028 is a Monday
    /// # Ok::<(), CalendarError>(())
    /// ```
    pub fn extend_from_str(&mut self, text: &str) -> Result<(), CalendarError> {
        let parsed = parse::parse(text)?;
        let mut notices = self.notices.clone();
        // Where each new period came from, to report cross-notice conflicts by line.
        let mut lines: HashMap<(i32, usize), usize> = HashMap::new();
        for (year, periods) in parsed {
            let mut list = Vec::with_capacity(periods.len());
            for (i, p) in periods.into_iter().enumerate() {
                lines.insert((year, i), p.line);
                list.push(p.period);
            }
            notices.insert(year, list);
        }
        let (special, masks) = build_index(&notices, &lines)?;
        self.notices = notices;
        self.special = special;
        self.masks = masks;
        Ok(())
    }

    /// Loads notices from a file in the format of `cn-holidays.txt`; see
    /// [`WorkCalendar::extend_from_str`] (a year in the file replaces that year wholly).
    pub fn extend_from_file(&mut self, path: &Path) -> Result<(), CalendarError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| CalendarError::Io { path: path.to_path_buf(), source })?;
        self.extend_from_str(&text)
    }

    /// The years with a loaded notice, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.notices.keys().copied().collect()
    }

    /// The holiday periods of the notice for `year`, in the order they were given, or
    /// `None` if no notice for `year` is loaded.
    pub fn periods(&self, year: i32) -> Option<&[HolidayPeriod]> {
        self.notices.get(&year).map(Vec::as_slice)
    }

    /// Whether `date` is a working day: an ordinary Monday to Friday that is not a
    /// holiday, or an adjusted workday. Errors with [`CalendarError::YearNotCovered`]
    /// when no notice for `date`'s calendar year is loaded.
    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.mask(date.year())?.get(date.ordinal0()))
    }

    /// What kind of day `date` is, with the holiday's name where there is one. Errors
    /// with [`CalendarError::YearNotCovered`] when no notice for `date`'s year is loaded.
    pub fn day_info(&self, date: NaiveDate) -> Result<DayInfo, CalendarError> {
        self.mask(date.year())?;
        let kind = match self.special.get(&date) {
            Some(special) => {
                let name = self
                    .notices
                    .get(&special.year)
                    .and_then(|periods| periods.get(special.period))
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                if special.holiday { DayKind::Holiday { name } } else { DayKind::AdjustedWorkday { name } }
            }
            None if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => DayKind::Weekend,
            None => DayKind::Workday,
        };
        Ok(DayInfo { date, kind })
    }

    /// The deadline `n` working days after `received_at`.
    ///
    /// `received_at` is read on the Beijing clock (Asia/Shanghai). Day 1 is the first
    /// working day after that calendar day, whatever the hour of receipt and even when
    /// the day of receipt is a working day; the deadline is 23:59:59 +08:00 on day `n`.
    ///
    /// Errors: [`CalendarError::ZeroDays`] when `n == 0`;
    /// [`CalendarError::YearNotCovered`] when a day to be counted lies in a year
    /// without a notice (the year of receipt itself need not be covered).
    pub fn add_working_days<Tz: TimeZone>(
        &self,
        received_at: &DateTime<Tz>,
        n: u32,
    ) -> Result<Deadline, CalendarError> {
        if n == 0 {
            return Err(CalendarError::ZeroDays);
        }
        let received = received_at.with_timezone(&chrono_tz::Asia::Shanghai).fixed_offset();
        let mut date = received.date_naive();
        let mut counted = Vec::with_capacity(n.min(1024) as usize);
        let mut skipped = Vec::new();
        let mut adjusted = Vec::new();
        while counted.len() < n as usize {
            // Notice years stop at 9999, so the year check below fails long before
            // chrono's last date; this error is only a formality.
            date = date.succ_opt().ok_or(CalendarError::YearNotCovered { year: date.year().saturating_add(1) })?;
            let mask = self.mask(date.year())?;
            if mask.get(date.ordinal0()) {
                counted.push(date);
                if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                    adjusted.push(self.day_info(date)?);
                }
            } else {
                skipped.push(self.day_info(date)?);
            }
        }
        // `date` is the due day; the loop ran at least once since n >= 1.
        let due_local = date.and_time(END_OF_DAY);
        let due = BEIJING.from_utc_datetime(&(due_local - TimeDelta::hours(8)));
        Ok(Deadline { received_at: received, due, working_days: n, counted, skipped, adjusted })
    }

    /// The number of working days `d` with `a < d <= b`: the count of the counting
    /// rule, so `working_days_between(receipt day, due day) == n`. When `b < a` it is
    /// the negative of `working_days_between(b, a)`; 0 when they are equal.
    /// Errors with [`CalendarError::YearNotCovered`] when a year of a day counted has
    /// no notice.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        if b < a {
            return Ok(-self.working_days_between(b, a)?);
        }
        if a == b {
            return Ok(0);
        }
        // a < b, so a has a successor.
        let start = a.succ_opt().unwrap_or(b);
        let mut total: i64 = 0;
        for year in start.year()..=b.year() {
            let mask = self.mask(year)?;
            let lo = if year == start.year() { start.ordinal0() } else { 0 };
            let hi = if year == b.year() { b.ordinal0() } else { 365 };
            total += i64::from(mask.count(lo, hi));
        }
        Ok(total)
    }

    fn mask(&self, year: i32) -> Result<&YearMask, CalendarError> {
        self.masks.get(&year).ok_or(CalendarError::YearNotCovered { year })
    }
}

/// Builds the date index and the per-year bitsets; fails on a day named by two notices.
fn build_index(
    notices: &BTreeMap<i32, Vec<HolidayPeriod>>,
    new_lines: &HashMap<(i32, usize), usize>,
) -> Result<(SpecialDays, YearMasks), CalendarError> {
    let mut special = SpecialDays::new();
    for (&year, periods) in notices {
        for (index, period) in periods.iter().enumerate() {
            let days = period.holidays.iter().map(|d| (*d, true)).chain(period.workdays.iter().map(|d| (*d, false)));
            for (date, holiday) in days {
                let entry = Special { holiday, year, period: index };
                if let Some(other) = special.insert(date, entry) {
                    // Same-notice duplicates were refused by the parser, so this is a
                    // day named by two notices. Report it on a line of the new text.
                    let line = new_lines
                        .get(&(year, index))
                        .or_else(|| new_lines.get(&(other.year, other.period)))
                        .copied()
                        .unwrap_or(0);
                    return Err(CalendarError::Parse {
                        line,
                        message: format!("{date} is named by both the {} and the {year} notice", other.year),
                    });
                }
            }
        }
    }

    let mut masks = YearMasks::with_capacity(notices.len());
    for &year in notices.keys() {
        let mut mask = YearMask::default();
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        for date in first.iter_days().take_while(|d| d.year() == year) {
            let weekday = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let working = match special.get(&date) {
                Some(s) => !s.holiday,
                None => weekday,
            };
            mask.set(date.ordinal0(), working);
        }
        masks.insert(year, mask);
    }
    Ok((special, masks))
}
