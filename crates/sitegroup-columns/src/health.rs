//! Column health (栏目更新情况): last update, overdue, blank, lapsing soon, and the
//! site-level veto checks of the national inspection indicators. One pure function,
//! [`site_health`], over columns, their publishing activity, the time and thresholds.
//!
//! Rules (every figure can be recomputed by hand from these):
//! - **Archived** columns are ignored entirely.
//! - A column's **last update** is the latest publish in the column *or anywhere
//!   under it* (a parent's page lists its children's documents).
//! - **Due time** = (last update, or the column's creation when nothing was ever
//!   published) + the duty's period. A static duty has none; nor has a column inside a
//!   topic (专题) whose `ends_on` day (Asia/Shanghai, UTC+8) is before today.
//! - **Overdue** when `now > due`; overdue by `now - due` seconds, shown in days
//!   rounded up. **Lapses soon** when not overdue and `due - now` ≤ the reminder window.
//! - **Blank** (空白栏目): a column of a kind that holds documents (list, single page,
//!   topic, disclosure; not link, not service/interaction kinds), with no live
//!   sub-columns (a parent is judged through its children), and nothing ever published
//!   in it. A static single page counts: an empty "overview" page is exactly what the
//!   inspection calls blank. No grace period.
//! - **Counted** columns — visible in navigation, i.e. not hidden and under no hidden
//!   column — make up the site figures (inspectors judge what the public sees); hidden
//!   ones still get their own figures for the back office.
//! - Site: blank count; stale news (news duty overdue) + stale notices (notice duty
//!   overdue); "should update and did not" = every overdue counted column with any
//!   duty (personnel and custom included); home-page freshness = the latest publish in
//!   any live column of the site; the minimum rate = documents published in the
//!   trailing window across counted news-duty columns, against rate × window days.
//! - Vetoes (否决项): home not updated for more than 14 days (or never); stale news +
//!   notices ≥ 5; should-update-and-did-not ≥ 10; blank ≥ 5. The rate is reported, not
//!   a veto.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::duty::DAY;
use crate::{Column, ColumnKind, Duty};

/// Publishing activity of one column, produced by the content module: what was
/// published (live, public) in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnActivity {
    /// The column id.
    pub column: i64,
    /// Latest publish time, unix seconds; `None` if nothing was ever published.
    pub last_published_at: Option<i64>,
    /// Documents published in the column, in total.
    pub published_total: u64,
    /// Documents published in the trailing window of [`HealthThresholds::window_days`].
    pub published_in_window: u64,
}

/// The limits health is judged by. Defaults are the national inspection's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthThresholds {
    /// Home page stale after this many days without any publish (14).
    pub home_stale_days: u32,
    /// Veto when stale news + stale notice columns reach this (5).
    pub stale_news_notice_veto: u32,
    /// Veto when overdue columns of any duty reach this (10).
    pub not_updated_veto: u32,
    /// Veto when blank columns reach this (5).
    pub blank_veto: u32,
    /// A column "lapses soon" when due within this many days (7).
    pub remind_within_days: u32,
    /// The trailing window `published_in_window` was counted over, in days (1).
    pub window_days: u32,
    /// Minimum documents per day across the site's news columns; 0 = no minimum.
    pub min_daily_rate: u32,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        HealthThresholds {
            home_stale_days: 14,
            stale_news_notice_veto: 5,
            not_updated_veto: 10,
            blank_veto: 5,
            remind_within_days: 7,
            window_days: 1,
            min_daily_rate: 0,
        }
    }
}

/// Health of one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnHealth {
    /// Column id.
    pub column: i64,
    /// Name.
    pub name: String,
    /// Path.
    pub path: String,
    /// Duty.
    pub duty: Duty,
    /// Latest publish in the column or under it.
    pub last_published_at: Option<i64>,
    /// Published in the column itself, in total.
    pub published_total: u64,
    /// Published in the column itself within the window.
    pub published_in_window: u64,
    /// When the next update is due; `None` without a duty (static, ended topic).
    pub due_at: Option<i64>,
    /// Seconds past due (0 when not overdue).
    pub overdue_seconds: i64,
    /// Days past due, rounded up (0 when not overdue).
    pub overdue_days: i64,
    /// Seconds until due, when due within the reminder window and not yet overdue.
    pub lapses_in_seconds: Option<i64>,
    /// A blank column (see the module rules).
    pub blank: bool,
    /// Counted in the site figures (visible in navigation).
    pub counted: bool,
    /// Inside a topic that has ended (no duty).
    pub ended: bool,
}

impl ColumnHealth {
    /// Whether the column is past its due time.
    pub fn is_overdue(&self) -> bool {
        self.overdue_seconds > 0
    }

    /// Whether the column lapses within the reminder window.
    pub fn lapses_soon(&self) -> bool {
        self.lapses_in_seconds.is_some()
    }
}

/// The minimum-rate figure of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCheck {
    /// Documents per day required (0: none).
    pub min_daily_rate: u32,
    /// The window, in days.
    pub window_days: u32,
    /// Required in the window: rate × days.
    pub required: u64,
    /// Published in the window across counted news-duty columns.
    pub published: u64,
    /// `published >= required`.
    pub met: bool,
}

/// A veto item (否决项) of the inspection that the site currently fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "veto", rename_all = "snake_case")]
pub enum Veto {
    /// 首页长期未更新: no publish for more than 14 days; `days` since the latest
    /// (rounded down), `None` when nothing was ever published.
    HomeNotUpdated {
        /// Whole days since the latest publish.
        days: Option<i64>,
    },
    /// 栏目不更新: news columns stale 2 weeks plus notice columns stale 6 months.
    StaleColumns {
        /// Stale news columns.
        news: u32,
        /// Stale notice/policy columns.
        notice: u32,
    },
    /// 应更新而未更新的栏目 reach the limit (any duty, personnel/planning included).
    ColumnsNotUpdated {
        /// How many.
        count: u32,
    },
    /// 空白栏目 reach the limit.
    BlankColumns {
        /// How many.
        count: u32,
    },
}

/// Health of a site's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteHealth {
    /// The time judged at, unix seconds.
    pub now: i64,
    /// Per live column, in the order given.
    pub columns: Vec<ColumnHealth>,
    /// Counted blank columns.
    pub blank_count: u32,
    /// Counted news-duty columns overdue.
    pub stale_news: u32,
    /// Counted notice-duty columns overdue.
    pub stale_notice: u32,
    /// Counted columns of any duty overdue.
    pub not_updated: u32,
    /// Latest publish anywhere in the site (home-page freshness).
    pub latest_published_at: Option<i64>,
    /// Seconds since that publish.
    pub home_age_seconds: Option<i64>,
    /// The minimum-rate figure.
    pub rate: RateCheck,
    /// Veto items failed; empty when none.
    pub vetoes: Vec<Veto>,
}

impl SiteHealth {
    /// Columns that lapse within the reminder window (for reminders to owners).
    pub fn lapsing(&self) -> impl Iterator<Item = &ColumnHealth> {
        self.columns.iter().filter(|c| c.lapses_soon())
    }

    /// Columns past due.
    pub fn overdue(&self) -> impl Iterator<Item = &ColumnHealth> {
        self.columns.iter().filter(|c| c.is_overdue())
    }
}

fn ceil_days(seconds: i64) -> i64 {
    if seconds <= 0 { 0 } else { (seconds + DAY - 1) / DAY }
}

/// Today's date in China (UTC+8, no daylight saving).
fn china_date(now: i64) -> Option<NaiveDate> {
    let offset = FixedOffset::east_opt(8 * 3600)?;
    DateTime::from_timestamp(now, 0).map(|t| t.with_timezone(&offset).date_naive())
}

/// Computes the health of one site's columns at `now` (see the module rules).
/// `columns` are the site's columns (archived ones are skipped), `activity` their
/// publishing figures (missing entries mean nothing published; unknown ids are ignored).
pub fn site_health(columns: &[Column], activity: &[ColumnActivity], now: i64, t: &HealthThresholds) -> SiteHealth {
    let live: Vec<&Column> = columns.iter().filter(|c| c.archived_at.is_none()).collect();
    let by_id: HashMap<i64, &Column> = live.iter().map(|c| (c.id, *c)).collect();
    let act: HashMap<i64, &ColumnActivity> = activity.iter().map(|a| (a.column, a)).collect();
    let has_children: HashSet<i64> = live.iter().filter_map(|c| c.parent).collect();
    let today = china_date(now);

    // Ancestors of each column (nearest first), bounded against bad data.
    let ancestors = |c: &Column| -> Vec<&Column> {
        let mut out = vec![];
        let mut cur = c.parent;
        while let Some(p) = cur.and_then(|id| by_id.get(&id)) {
            if out.len() > live.len() {
                break;
            }
            out.push(*p);
            cur = p.parent;
        }
        out
    };
    // Latest publish in each column's subtree: push each column's own latest up the tree.
    let mut subtree_last: HashMap<i64, i64> = HashMap::new();
    for c in &live {
        if let Some(at) = act.get(&c.id).and_then(|a| a.last_published_at) {
            for id in std::iter::once(c.id).chain(ancestors(c).iter().map(|a| a.id)) {
                let e = subtree_last.entry(id).or_insert(at);
                *e = (*e).max(at);
            }
        }
    }

    let mut out = Vec::with_capacity(live.len());
    for c in &live {
        let a = act.get(&c.id).copied().copied().unwrap_or(ColumnActivity { column: c.id, ..Default::default() });
        let ups = ancestors(c);
        let counted = !c.hidden && ups.iter().all(|p| !p.hidden);
        let ended = std::iter::once(*c).chain(ups.iter().copied()).any(|x| {
            x.kind() == ColumnKind::Topic && matches!((x.ends_on, today), (Some(end), Some(day)) if end < day)
        });
        let last = subtree_last.get(&c.id).copied();
        let due_at = if ended { None } else { c.duty.period_seconds().map(|p| last.unwrap_or(c.created_at) + p) };
        let overdue_seconds = due_at.map_or(0, |d| (now - d).max(0));
        let lapses_in_seconds =
            due_at.filter(|d| now <= *d && *d - now <= i64::from(t.remind_within_days) * DAY).map(|d| d - now);
        let blank = c.kind().holds_documents()
            && !has_children.contains(&c.id)
            && a.published_total == 0
            && a.last_published_at.is_none();
        out.push(ColumnHealth {
            column: c.id,
            name: c.name.clone(),
            path: c.path.clone(),
            duty: c.duty,
            last_published_at: last,
            published_total: a.published_total,
            published_in_window: a.published_in_window,
            due_at,
            overdue_seconds,
            overdue_days: ceil_days(overdue_seconds),
            lapses_in_seconds,
            blank,
            counted,
            ended,
        });
    }

    let counted = || out.iter().filter(|h| h.counted);
    let count =
        |f: &dyn Fn(&ColumnHealth) -> bool| u32::try_from(counted().filter(|h| f(h)).count()).unwrap_or(u32::MAX);
    let blank_count = count(&|h| h.blank);
    let stale_news = count(&|h| h.is_overdue() && h.duty == Duty::News);
    let stale_notice = count(&|h| h.is_overdue() && h.duty == Duty::Notice);
    let not_updated = count(&|h| h.is_overdue());
    let latest_published_at = live.iter().filter_map(|c| act.get(&c.id).and_then(|a| a.last_published_at)).max();
    let home_age_seconds = latest_published_at.map(|l| now - l);
    let published: u64 = counted().filter(|h| h.duty == Duty::News).map(|h| h.published_in_window).sum();
    let required = u64::from(t.min_daily_rate) * u64::from(t.window_days);
    let rate = RateCheck {
        min_daily_rate: t.min_daily_rate,
        window_days: t.window_days,
        required,
        published,
        met: published >= required,
    };

    let mut vetoes = vec![];
    if home_age_seconds.is_none_or(|age| age > i64::from(t.home_stale_days) * DAY) {
        vetoes.push(Veto::HomeNotUpdated { days: home_age_seconds.map(|s| s.div_euclid(DAY)) });
    }
    if stale_news + stale_notice >= t.stale_news_notice_veto {
        vetoes.push(Veto::StaleColumns { news: stale_news, notice: stale_notice });
    }
    if not_updated >= t.not_updated_veto {
        vetoes.push(Veto::ColumnsNotUpdated { count: not_updated });
    }
    if blank_count >= t.blank_veto {
        vetoes.push(Veto::BlankColumns { count: blank_count });
    }
    SiteHealth {
        now,
        columns: out,
        blank_count,
        stale_news,
        stale_notice,
        not_updated,
        latest_published_at,
        home_age_seconds,
        rate,
        vetoes,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use sitegroup_core::SiteId;

    use super::*;

    /// 2025-06-15T15:06:40Z = 2025-06-15 23:06:40 in China.
    const NOW: i64 = 1_750_000_000;
    const CREATED: i64 = NOW - 400 * DAY;

    fn col(id: i64, parent: Option<i64>, kind: &str, duty: Duty, path: &str) -> Column {
        Column {
            id,
            site: SiteId(1),
            parent,
            kind: kind.into(),
            name: format!("栏目{id}"),
            slug: path.rsplit('/').next().unwrap().into(),
            path: path.into(),
            position: id,
            hidden: false,
            duty,
            link_url: None,
            banner: None,
            starts_on: None,
            ends_on: None,
            archived_at: None,
            created_at: CREATED,
            updated_at: CREATED,
        }
    }

    fn act(column: i64, days_ago: Option<i64>, total: u64, window: u64) -> ColumnActivity {
        ColumnActivity {
            column,
            last_published_at: days_ago.map(|d| NOW - d * DAY),
            published_total: total,
            published_in_window: window,
        }
    }

    /// The fixture of the module docs, computed by hand below.
    fn fixture() -> (Vec<Column>, Vec<ColumnActivity>) {
        let mut cols = vec![
            col(1, None, "list", Duty::News, "/xwdt"),
            col(2, None, "list", Duty::News, "/tpxw"),
            col(3, None, "list", Duty::Notice, "/tzgg"),
            col(4, None, "list", Duty::Personnel, "/rsxx"),
            col(5, None, "single_page", Duty::Static, "/gk"),
            col(6, None, "single_page", Duty::Static, "/ldzc"),
            col(7, None, "link", Duty::Static, "/wl"),
            col(8, None, "disclosure", Duty::Notice, "/xxgk"),
            col(9, Some(8), "list", Duty::Notice, "/xxgk/zcwj"),
            col(10, Some(8), "list", Duty::Personnel, "/xxgk/ghjh"),
            col(11, None, "topic", Duty::Static, "/zt"),
            col(12, Some(11), "list", Duty::News, "/zt/hd"),
            col(13, None, "list", Duty::News, "/nb"),
            col(14, None, "service", Duty::Static, "/bsfw"),
            col(15, None, "list", Duty::News, "/xzdt"),
            col(16, None, "list", Duty::News, "/old"),
        ];
        cols[10].ends_on = NaiveDate::from_ymd_opt(2024, 12, 31);
        cols[12].hidden = true;
        cols[15].archived_at = Some(NOW - DAY);
        let activity = vec![
            act(1, Some(3), 100, 5),
            act(2, Some(20), 40, 0),
            act(3, Some(200), 10, 0),
            act(4, Some(360), 3, 0),
            act(5, Some(300), 1, 0),
            act(9, Some(10), 7, 0),
            act(15, Some(14), 9, 2),
            act(16, Some(0), 1, 50), // archived: ignored, even for home freshness
            act(99, Some(0), 1, 1),  // unknown column: ignored
        ];
        (cols, activity)
    }

    #[test]
    fn fixture_by_hand() {
        let t = HealthThresholds { min_daily_rate: 8, ..Default::default() };
        let (cols, activity) = fixture();
        let h = site_health(&cols, &activity, NOW, &t);
        let get = |id: i64| h.columns.iter().find(|c| c.column == id).unwrap();
        assert_eq!(h.columns.len(), 15, "the archived column is skipped");

        // 1: news, 3 days ago: due in 11 days; not overdue, outside the 7-day window.
        assert_eq!(get(1).due_at, Some(NOW + 11 * DAY));
        assert_eq!((get(1).overdue_seconds, get(1).lapses_in_seconds), (0, None));
        // 2: news, 20 days ago: due 6 days ago.
        assert_eq!((get(2).overdue_seconds, get(2).overdue_days), (6 * DAY, 6));
        // 3: notice, 200 days ago: due 200 - 183 = 17 days ago.
        assert_eq!(get(3).overdue_days, 17);
        // 4: personnel, 360 days ago: due in 5 days -> lapses soon.
        assert_eq!((get(4).overdue_seconds, get(4).lapses_in_seconds), (0, Some(5 * DAY)));
        // 5: static page with content: no duty, not blank. 6: empty static page: blank.
        assert_eq!((get(5).due_at, get(5).blank), (None, false));
        assert!(get(6).blank && get(6).due_at.is_none());
        // 7: link: never blank. 14: service kind: never blank.
        assert!(!get(7).blank && !get(14).blank);
        // 8: disclosure parent, nothing of its own; its child 9 published 10 days ago,
        //    so its last update is 10 days ago, due in 173 days; not blank (has children).
        assert_eq!(get(8).last_published_at, Some(NOW - 10 * DAY));
        assert_eq!(get(8).due_at, Some(NOW + 173 * DAY));
        assert!(!get(8).blank);
        // 10: personnel, nothing ever: due = created (400 days ago) + 365 -> 35 days ago; blank.
        assert_eq!((get(10).overdue_days, get(10).blank), (35, true));
        // 11/12: the topic ended 2024-12-31: no duty for either; 12 is still blank.
        assert!(get(11).ended && get(12).ended);
        assert_eq!((get(12).due_at, get(12).blank), (None, true));
        assert!(!get(11).blank, "a topic with sub-columns is judged through them");
        // 13: hidden: would be overdue and blank, but not counted.
        assert!(get(13).is_overdue() && get(13).blank && !get(13).counted);
        // 15: news exactly 14 days ago: due now, not overdue, lapses in 0 s.
        assert_eq!((get(15).overdue_seconds, get(15).lapses_in_seconds), (0, Some(0)));

        // Site: blank = 6, 10, 12 -> 3. Stale news = 2 -> 1; stale notice = 3 -> 1.
        // Not updated = 2, 3, 10 -> 3. Latest publish: column 1, 3 days ago.
        assert_eq!(h.blank_count, 3);
        assert_eq!((h.stale_news, h.stale_notice, h.not_updated), (1, 1, 3));
        assert_eq!(h.latest_published_at, Some(NOW - 3 * DAY));
        assert_eq!(h.home_age_seconds, Some(3 * DAY));
        // Rate: counted news columns 1 (5) + 2 (0) + 12 (0) + 15 (2) = 7 < 8 required.
        assert_eq!(h.rate, RateCheck { min_daily_rate: 8, window_days: 1, required: 8, published: 7, met: false });
        assert!(h.vetoes.is_empty());
        let lapsing: Vec<i64> = h.lapsing().map(|c| c.column).collect();
        assert_eq!(lapsing, vec![4, 15]);
        let overdue: Vec<i64> = h.overdue().map(|c| c.column).collect();
        assert_eq!(overdue, vec![2, 3, 10, 13]);
    }

    #[test]
    fn vetoes_by_hand() {
        // Five news columns last updated 15 days ago, five empty pages, and five
        // personnel columns never updated since they were created 400 days ago.
        let mut cols = vec![];
        let mut activity = vec![];
        for i in 0..5 {
            cols.push(col(i, None, "list", Duty::News, &format!("/n{i}")));
            activity.push(act(i, Some(15), 1, 0));
            cols.push(col(10 + i, None, "single_page", Duty::Static, &format!("/p{i}")));
            cols.push(col(20 + i, None, "list", Duty::Personnel, &format!("/r{i}")));
            activity.push(act(20 + i, Some(366), 1, 0));
        }
        let h = site_health(&cols, &activity, NOW, &HealthThresholds::default());
        assert_eq!(
            h.vetoes,
            vec![
                Veto::HomeNotUpdated { days: Some(15) },
                Veto::StaleColumns { news: 5, notice: 0 },
                Veto::ColumnsNotUpdated { count: 10 },
                Veto::BlankColumns { count: 5 },
            ]
        );
        assert!(h.rate.met, "no minimum rate set");
        // Exactly 14 days is not yet stale for the home page.
        let fresh = vec![act(0, Some(14), 1, 0)];
        let h = site_health(&cols[..1], &fresh, NOW, &HealthThresholds::default());
        assert!(h.vetoes.is_empty());
        // An empty site has never been updated.
        let h = site_health(&[], &[], NOW, &HealthThresholds::default());
        assert_eq!(h.vetoes, vec![Veto::HomeNotUpdated { days: None }]);
    }

    #[test]
    fn topic_running_today_keeps_its_duty() {
        let mut t = col(1, None, "topic", Duty::News, "/zt");
        t.ends_on = NaiveDate::from_ymd_opt(2025, 6, 15); // today in China
        let h = site_health(&[t], &[], NOW, &HealthThresholds::default());
        assert!(!h.columns[0].ended);
        assert_eq!(h.columns[0].overdue_days, 400 - 14);
    }
}
