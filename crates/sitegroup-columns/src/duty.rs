//! Update duties (更新要求): how often a column must get new content.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ColumnError;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The longest custom period, in days (ten years).
pub const MAX_CUSTOM_DAYS: u32 = 3650;

/// 更新要求 (update duty) of a column, after the national inspection indicators.
///
/// Periods are whole days so that health figures can be checked by hand: news 14,
/// notices 183 (half a year, rounded up: no six calendar months are longer than 184
/// days, and the inspection counts "six months" loosely), personnel 365.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Duty {
    /// 动态类 (news, photo reports, work updates): at least every 2 weeks.
    #[default]
    News,
    /// 通知公告、政策文件类 (notices and policy documents): at least every 6 months.
    Notice,
    /// 人事、规划计划类 (personnel and planning): at least once a year.
    Personnel,
    /// 静态类 (static: overview, functions, contact): no update duty.
    Static,
    /// A custom period of this many days (1–3650).
    Custom(u32),
}

impl Duty {
    /// The period in days, `None` for [`Duty::Static`].
    pub fn period_days(self) -> Option<u32> {
        match self {
            Duty::News => Some(14),
            Duty::Notice => Some(183),
            Duty::Personnel => Some(365),
            Duty::Static => None,
            Duty::Custom(d) => Some(d),
        }
    }

    /// The period in seconds, `None` for [`Duty::Static`].
    pub fn period_seconds(self) -> Option<i64> {
        self.period_days().map(|d| i64::from(d) * DAY)
    }

    /// Parses the command-line syntax `news|notice|personnel|static|<N>d`.
    ///
    /// ```
    /// use sitegroup_columns::Duty;
    /// assert_eq!(Duty::parse("notice").unwrap(), Duty::Notice);
    /// assert_eq!(Duty::parse("30d").unwrap(), Duty::Custom(30));
    /// assert!(Duty::parse("0d").is_err());
    /// assert_eq!(Duty::Custom(30).to_string(), "30d");
    /// ```
    pub fn parse(s: &str) -> Result<Duty, ColumnError> {
        let norm = s.trim().to_ascii_lowercase();
        let bad = || ColumnError::BadDuty(s.trim().chars().take(40).collect());
        match norm.as_str() {
            "news" => Ok(Duty::News),
            "notice" => Ok(Duty::Notice),
            "personnel" => Ok(Duty::Personnel),
            "static" => Ok(Duty::Static),
            other => {
                let digits = other.strip_suffix('d').ok_or_else(bad)?;
                if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                let days: u32 = digits.parse().map_err(|_| bad())?;
                if days == 0 || days > MAX_CUSTOM_DAYS {
                    return Err(bad());
                }
                Ok(Duty::Custom(days))
            }
        }
    }

    /// Whether it counts among the news columns of the veto check and the daily rate.
    pub fn is_news(self) -> bool {
        self == Duty::News
    }
}

impl fmt::Display for Duty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duty::News => f.write_str("news"),
            Duty::Notice => f.write_str("notice"),
            Duty::Personnel => f.write_str("personnel"),
            Duty::Static => f.write_str("static"),
            Duty::Custom(d) => write!(f, "{d}d"),
        }
    }
}

impl std::str::FromStr for Duty {
    type Err = ColumnError;
    fn from_str(s: &str) -> Result<Duty, ColumnError> {
        Duty::parse(s)
    }
}

impl Serialize for Duty {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duty {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Duty::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parsing() {
        for (s, d) in [
            ("news", Duty::News),
            (" NOTICE ", Duty::Notice),
            ("personnel", Duty::Personnel),
            ("static", Duty::Static),
            ("1d", Duty::Custom(1)),
            ("3650d", Duty::Custom(3650)),
            ("090d", Duty::Custom(90)),
        ] {
            assert_eq!(Duty::parse(s).unwrap(), d, "{s}");
        }
        for bad in ["", "d", "0d", "3651d", "-3d", "+3d", "3", "3 d", "1.5d", "99999999999d", "week", "新闻"] {
            assert!(matches!(Duty::parse(bad), Err(ColumnError::BadDuty(_))), "{bad:?}");
        }
        for d in [Duty::News, Duty::Notice, Duty::Personnel, Duty::Static, Duty::Custom(45)] {
            assert_eq!(Duty::parse(&d.to_string()).unwrap(), d);
        }
    }

    #[test]
    fn periods() {
        assert_eq!(Duty::News.period_seconds(), Some(14 * DAY));
        assert_eq!(Duty::Notice.period_days(), Some(183));
        assert_eq!(Duty::Personnel.period_days(), Some(365));
        assert_eq!(Duty::Static.period_seconds(), None);
        assert_eq!(Duty::Custom(7).period_seconds(), Some(7 * DAY));
    }
}
