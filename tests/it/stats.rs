//! Visit analytics through the facade on both drivers.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sitegroup::content::DocInput;
use sitegroup::stats::stats::PageView;
use sitegroup::stats::stats::{self as rules, AGGREGATES_VERSION, SOURCES_TOP};
use sitegroup::store::{Dialect, Value, params};
use sitegroup::{Actor, Error, Grant, Role, Scope, SiteGroup, SiteId, StatsDashboard, UserId};
use sitegroup_tests::{centre, column, for_each_group, publish_new, system, test_origin, two_channels};

/// The fixture's raw address and User-Agent: they must never reach the database.
const IP1: &str = "203.0.113.77";
const IP2: &str = "198.51.100.42";
const UA1: &str = "Mozilla/5.0 FixtureBrowser/9.9 (fixture-ua-7f3a)";
const UA2: &str = "Mozilla/5.0 OtherFixture/1.2 (fixture-ua-c0de)";

/// 2025-06-01 and 2025-06-02 (the fixture clock's today) in Beijing.
fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}
fn d1() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 2).unwrap()
}

/// 10:00 Beijing on `date`, plus `minutes`.
fn at(date: NaiveDate, minutes: i64) -> i64 {
    date.and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp() + minutes * 60
}

fn view(site: SiteId, at: i64, ip: &str, ua: &str) -> PageView {
    PageView {
        site: site.0,
        column_path: None,
        doc: None,
        at,
        address: ip.into(),
        user_agent: ua.into(),
        referrer_host: None,
        search_terms: None,
    }
}

fn user(id: i64, role: Role, scope: Scope) -> Actor {
    Actor::user(UserId(id), &format!("u{id}"), vec![Grant { role, scope }])
}

struct Fixture {
    a: SiteId,
    b: SiteId,
    p: SiteId,
    col_a: i64,
    doc_a: i64,
    doc_b: i64,
}

/// The page views of the fixture (hand-counted figures in the tests below).
///
/// Day 0 (2025-06-01): site a — home (IP1/UA1), doc_a ×2 (IP1/UA1), doc_a (IP2/UA1),
/// the column page of col_a (IP1/UA2), doc_b asked under site a (IP2/UA1: recorded
/// without document); site b — home (IP1/UA1). A view of an unknown site is skipped.
/// Day 1 (2025-06-02): site a — home ×2 (IP1/UA1); site b — home (IP2/UA2).
fn fixture(group: &SiteGroup) -> Fixture {
    let (p, a, b) = two_channels(group);
    let col_a = column(group, a.id, "工作动态");
    let col_b = column(group, b.id, "通知公告");
    let doc_a = publish_new(group, a.id, col_a, &DocInput::article("全县春耕生产工作会议召开", "<p>会议要求。</p>")).id;
    let doc_b = publish_new(group, b.id, col_b, &DocInput::article("关于端午节放假的通知", "<p>放假安排。</p>")).id;
    let path: String = group
        .db()
        .read(|tx| tx.query_one("SELECT path FROM site_columns WHERE id = ?", sitegroup::store::params![col_a])?.get(0))
        .unwrap();
    let with = |mut v: PageView, f: &dyn Fn(&mut PageView)| {
        f(&mut v);
        v
    };
    let views = vec![
        with(view(a.id, at(d0(), 0), IP1, UA1), &|v| v.referrer_host = Some("www.baidu.com".into())),
        with(view(a.id, at(d0(), 1), IP1, UA1), &|v| v.doc = Some(doc_a)),
        with(view(a.id, at(d0(), 2), IP1, UA1), &|v| {
            v.doc = Some(doc_a);
            v.referrer_host = Some("www.baidu.com".into());
        }),
        with(view(a.id, at(d0(), 3), IP2, UA1), &|v| {
            v.doc = Some(doc_a);
            v.referrer_host = Some("www.so.com".into());
        }),
        with(view(a.id, at(d0(), 4), IP1, UA2), &|v| v.column_path = Some(path.clone())),
        with(view(a.id, at(d0(), 5), IP2, UA1), &|v| {
            v.doc = Some(doc_b);
            v.search_terms = Some("  无为 招聘  ".into());
        }),
        view(b.id, at(d0(), 6), IP1, UA1),
        view(SiteId(999_999), at(d0(), 7), IP1, UA1),
        view(a.id, at(d1(), 0), IP1, UA1),
        view(a.id, at(d1(), 5), IP1, UA1),
        view(b.id, at(d1(), 9), IP2, UA2),
    ];
    let report = group.record_page_views(&views).unwrap();
    assert_eq!((report.stored, report.skipped), (10, 1));
    group.stats_aggregate().unwrap();
    Fixture { a: a.id, b: b.id, p: p.id, col_a, doc_a, doc_b }
}

fn figures(days: &[sitegroup::stats::stats::DayFigure]) -> Vec<(u64, u64)> {
    days.iter().map(|d| (d.views, d.visitors)).collect()
}

#[test]
fn aggregates_match_hand_counts() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let s = system();
        let a = group.stats_dashboard(&s, Some(f.a), d0(), d1()).unwrap();
        // Day 0: 6 views by IP1/UA1, IP2/UA1, IP1/UA2; day 1: 2 views by IP1/UA1.
        assert_eq!(figures(&a.days), vec![(6, 3), (2, 1)], "{driver}");
        assert_eq!((a.views, a.visitors), (8, 4), "{driver}: IP1/UA1 counts once per day");
        // The column counts its page and its documents: doc_a ×3 + the column page.
        assert_eq!(a.top_columns.len(), 1, "{driver}");
        assert_eq!((a.top_columns[0].id, a.top_columns[0].views, a.top_columns[0].visitors), (f.col_a, 4, 3));
        assert_eq!(a.top_columns[0].label, "工作动态");
        assert_eq!(a.top_documents.len(), 1, "{driver}: doc_b asked under site a is not a's document");
        assert_eq!((a.top_documents[0].id, a.top_documents[0].views, a.top_documents[0].visitors), (f.doc_a, 3, 2));
        assert_eq!(a.top_documents[0].label, "全县春耕生产工作会议召开");
        let refs: Vec<(&str, u64)> = a.referrers.iter().map(|r| (r.label.as_str(), r.views)).collect();
        assert_eq!(refs, vec![("www.baidu.com", 2), ("www.so.com", 1)], "{driver}");
        let terms: Vec<&str> = a.search_terms.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(terms, vec!["无为 招聘"], "{driver}");
        // Published today (the fixture clock): one article in site a.
        let kinds: Vec<(&str, u64)> = a.published_by_kind.iter().map(|v| (v.label.as_str(), v.items)).collect();
        assert_eq!(kinds, vec![("article", 1)], "{driver}");
        assert_eq!(a.published_by_column.len(), 1);

        let b = group.stats_dashboard(&s, Some(f.b), d0(), d1()).unwrap();
        assert_eq!(figures(&b.days), vec![(1, 1), (1, 1)], "{driver}");
        assert!(b.top_documents.is_empty() && b.top_columns.is_empty());
        assert!(!b.top_documents.iter().any(|d| d.id == f.doc_b));

        // The group: IP1/UA1 visited a and b on day 0 and counts once that day.
        let g = group.stats_dashboard(&s, None, d0(), d1()).unwrap();
        assert_eq!(figures(&g.days), vec![(7, 3), (3, 2)], "{driver}");
        assert_eq!((g.views, g.visitors), (10, 5));
        let total: u64 = g.published_by_kind.iter().map(|v| v.items).sum();
        assert_eq!(total, 2);

        // The portal site had no views.
        let p = group.stats_dashboard(&s, Some(f.p), d0(), d1()).unwrap();
        assert_eq!(p.views, 0);
    });
}

#[test]
fn aggregation_is_idempotent_and_closes_days() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let again = group.stats_aggregate().unwrap();
        assert!(again.closed_days.is_empty(), "{driver}: day 0 was closed by the first run");
        let a = group.stats_dashboard(&system(), Some(f.a), d0(), d1()).unwrap();
        assert_eq!(figures(&a.days), vec![(6, 3), (2, 1)], "{driver}");
        // A later view today is counted after the next aggregation.
        group.record_page_views(&[view(f.a, at(d1(), 30), IP2, UA2)]).unwrap();
        group.stats_aggregate().unwrap();
        let a = group.stats_dashboard(&system(), Some(f.a), d1(), d1()).unwrap();
        assert_eq!(figures(&a.days), vec![(3, 2)], "{driver}");
    });
}

#[test]
fn bad_ranges_are_refused() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let r = group.stats_dashboard(&system(), Some(f.a), d1(), d0());
        assert!(matches!(&r, Err(e) if e.is_user_error()), "{driver}: {r:?}");
        let far = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert!(group.stats_dashboard(&system(), None, d0(), far).is_err(), "{driver}");
    });
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Text(t) => Some(t.clone()),
        Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

#[test]
fn no_raw_address_or_user_agent_is_stored() {
    for_each_group(|driver, group| {
        let _ = fixture(group);
        let tables: Vec<String> = group
            .db()
            .read(|tx| {
                let sql = match tx.dialect() {
                    Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                    _ => {
                        "SELECT table_name::text FROM information_schema.tables \
                         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
                    }
                };
                tx.query(sql, &[])?.iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for t in ["stats_views", "stats_daily", "stats_daily_referrers", "stats_daily_terms"] {
            assert!(tables.iter().any(|x| x == t), "{driver}: {t} not in {tables:?}");
        }
        // The referrer and term aggregates are filled, so the grep below reads them too.
        let n = |sql: &str| group.db().read(|tx| tx.query_one(sql, &[])?.get::<i64>(0)).unwrap();
        assert!(n("SELECT COUNT(*) FROM stats_daily_referrers") > 0, "{driver}");
        assert!(n("SELECT COUNT(*) FROM stats_daily_terms") > 0, "{driver}");
        let mut rows_seen = 0;
        for t in &tables {
            let rows = group.db().read(|tx| tx.query(&format!("SELECT * FROM \"{t}\""), &[])).unwrap();
            for row in &rows {
                rows_seen += 1;
                for v in row.values() {
                    if let Some(text) = text_of(v) {
                        for needle in [IP1, IP2, UA1, UA2, "fixture-ua", "FixtureBrowser"] {
                            assert!(!text.contains(needle), "{driver}: {needle} found in table {t}: {text}");
                        }
                    }
                }
            }
        }
        assert!(rows_seen > 10, "{driver}: the grep saw the rows");
    });
}

#[derive(Debug, Clone, Copy)]
enum Who {
    Centre,
    AdminA,
    AdminB,
    EditorA,
    Anonymous,
}

#[test]
fn dashboards_never_cross_sites() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let cases = if driver == "sqlite" { 48 } else { 16 };
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let who = prop_oneof![
            Just(Who::Centre),
            Just(Who::AdminA),
            Just(Who::AdminB),
            Just(Who::EditorA),
            Just(Who::Anonymous)
        ];
        let target = prop_oneof![Just(None), Just(Some(0usize)), Just(Some(1usize)), Just(Some(2usize))];
        runner
            .run(&(who, target, 0i64..2, 0i64..2), |(w, t, from, len)| {
                let sites = [f.p, f.a, f.b];
                let site = t.map(|i| sites[i]);
                let actor = match w {
                    Who::Centre => user(1, Role::GroupAdmin, Scope::Group),
                    Who::AdminA => user(2, Role::SiteAdmin, Scope::Site(f.a)),
                    Who::AdminB => user(3, Role::SiteAdmin, Scope::Site(f.b)),
                    Who::EditorA => user(4, Role::Editor, Scope::Site(f.a)),
                    Who::Anonymous => Actor::anonymous(),
                };
                let allowed = match w {
                    Who::Centre => true,
                    Who::AdminA => site == Some(f.a),
                    Who::AdminB => site == Some(f.b),
                    Who::EditorA | Who::Anonymous => false,
                };
                let from_d = d0() + chrono::Days::new(from as u64);
                let to_d = from_d + chrono::Days::new(len as u64);
                let r = group.stats_dashboard(&actor, site, from_d, to_d);
                match (allowed, r) {
                    (false, Err(Error::Denied(_))) => {}
                    (false, other) => prop_assert!(false, "{driver}: {w:?} read {site:?}: {other:?}"),
                    (true, Err(e)) => prop_assert!(false, "{driver}: {w:?} refused {site:?}: {e}"),
                    (true, Ok(d)) => {
                        if let Some(s) = site {
                            prop_assert!(d.top_columns.iter().all(|c| c.site == s.0));
                            prop_assert!(d.top_documents.iter().all(|c| c.site == s.0));
                            prop_assert!(s != f.a || !d.top_documents.iter().any(|x| x.id == f.doc_b));
                            // Hand counts per site and day.
                            let expect: &[(u64, u64)] = if s == f.a {
                                &[(6, 3), (2, 1)]
                            } else if s == f.b {
                                &[(1, 1), (1, 1)]
                            } else {
                                &[(0, 0), (0, 0)]
                            };
                            let want: Vec<(u64, u64)> =
                                expect[from as usize..(from + len + 1).min(2) as usize].to_vec();
                            let got = figures(&d.days);
                            prop_assert_eq!(&got[..want.len()], &want[..]);
                            let rest_zero = got[want.len()..].iter().all(|x| *x == (0, 0));
                            prop_assert!(rest_zero);
                        }
                    }
                }
                Ok(())
            })
            .unwrap();
    });
}

// ---------------------------------------------------------------------------------
// Referrer and term aggregates, retention, the probe (brief STATS).

/// The referrer (`host`) or term rows of one day, sorted: (site, label, views, visitors).
fn source_rows(group: &SiteGroup, table: &str, label: &str, day: i64) -> Vec<(i64, String, i64, i64)> {
    group
        .db()
        .read(|tx| {
            tx.query(
                &format!(
                    "SELECT site_id, {label}, views, visitors FROM {table} WHERE day = ? ORDER BY site_id, {label}"
                ),
                params![day],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .collect::<Result<Vec<_>, sitegroup::store::StoreError>>()
        })
        .unwrap()
}

fn raw_views(group: &SiteGroup, day: i64) -> i64 {
    group.db().read(|tx| tx.query_one("SELECT COUNT(*) FROM stats_views WHERE day = ?", params![day])?.get(0)).unwrap()
}

fn day_no(date: NaiveDate) -> i64 {
    rules::day_of_date(date)
}

/// Every figure of a dashboard except the retention shown in its footer.
fn figures_json(d: &StatsDashboard) -> serde_json::Value {
    let mut v = serde_json::to_value(d).unwrap();
    v.as_object_mut().unwrap().remove("raw_retention_days");
    v
}

#[test]
fn referrer_and_term_aggregates_match_hand_counts() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let day = day_no(d0());
        // Day 0 referrers: site a — baidu ×2 (IP1/UA1 twice: one visitor), so ×1 (IP2/UA1);
        // site b none. The group rows (site 0) are the same. Fewer than SOURCES_TOP: no
        // "other" row.
        let refs = source_rows(group, "stats_daily_referrers", "host", day);
        let want = vec![
            (0, "www.baidu.com".to_string(), 2, 1),
            (0, "www.so.com".to_string(), 1, 1),
            (f.a.0, "www.baidu.com".to_string(), 2, 1),
            (f.a.0, "www.so.com".to_string(), 1, 1),
        ];
        assert_eq!(refs, want, "{driver}");
        let terms = source_rows(group, "stats_daily_terms", "terms", day);
        let want = vec![(0, "无为 招聘".to_string(), 1, 1), (f.a.0, "无为 招聘".to_string(), 1, 1)];
        assert_eq!(terms, want, "{driver}");

        // The cut: 105 hosts on 2025-05-20 in site b, h000 ×3 (three visitors), h001 ×2
        // (one visitor), h002..h104 once each. Top 100 by (views desc, host): h000, h001,
        // h002..h099; the other row has h100..h104: 5 views.
        let may20 = NaiveDate::from_ymd_opt(2025, 5, 20).unwrap();
        let mut views = Vec::new();
        for i in 0..105 {
            let n = match i {
                0 => 3,
                1 => 2,
                _ => 1,
            };
            for k in 0..n {
                let ip = if i == 0 { format!("192.0.2.{k}") } else { IP1.to_string() };
                let mut v = view(f.b, at(may20, i), &ip, UA1);
                v.referrer_host = Some(format!("h{i:03}.example.cn"));
                views.push(v);
            }
        }
        // One search in site a that day, and a view without referrer (not counted here).
        let mut s = view(f.a, at(may20, 200), IP2, UA2);
        s.search_terms = Some("公积金".into());
        views.push(s);
        views.push(view(f.b, at(may20, 201), IP2, UA2));
        group.record_page_views(&views).unwrap();
        let report = group.stats_aggregate().unwrap();
        let day20 = day_no(may20);
        assert_eq!(report.closed_days, vec![day20], "{driver}");
        let refs = source_rows(group, "stats_daily_referrers", "host", day20);
        for site in [0, f.b.0] {
            let mine: Vec<_> = refs.iter().filter(|r| r.0 == site).collect();
            assert_eq!(mine.len() as i64, SOURCES_TOP + 1, "{driver}: top {SOURCES_TOP} and other");
            let other = mine.iter().find(|r| r.1.is_empty()).unwrap();
            assert_eq!((other.2, other.3), (5, 5), "{driver}: h100..h104, one visitor each summed");
            let h0 = mine.iter().find(|r| r.1 == "h000.example.cn").unwrap();
            assert_eq!((h0.2, h0.3), (3, 3), "{driver}");
            let h1 = mine.iter().find(|r| r.1 == "h001.example.cn").unwrap();
            assert_eq!((h1.2, h1.3), (2, 1), "{driver}");
            assert!(mine.iter().any(|r| r.1 == "h099.example.cn"), "{driver}");
            assert!(!mine.iter().any(|r| r.1 == "h100.example.cn"), "{driver}");
            let total: i64 = mine.iter().map(|r| r.2).sum();
            assert_eq!(total, 108, "{driver}: totals stay right");
        }
        assert!(refs.iter().all(|r| r.0 == 0 || r.0 == f.b.0), "{driver}: no rows for site a");
        assert_eq!(
            source_rows(group, "stats_daily_terms", "terms", day20),
            vec![(0, "公积金".to_string(), 1, 1), (f.a.0, "公积金".to_string(), 1, 1)],
            "{driver}"
        );

        // The dashboard over the day: the ten first, and the total with the other row.
        let b = group.stats_dashboard(&system(), Some(f.b), may20, may20).unwrap();
        let top: Vec<(&str, u64, u64)> =
            b.referrers.iter().map(|r| (r.label.as_str(), r.views, r.visitors)).take(3).collect();
        assert_eq!(top, vec![("h000.example.cn", 3, 3), ("h001.example.cn", 2, 1), ("h002.example.cn", 1, 1)]);
        assert_eq!(b.referrers.len(), 10, "{driver}");
        assert_eq!(b.referrer_views, 108, "{driver}");
        assert_eq!(b.search_views, 0, "{driver}");
        let g = group.stats_dashboard(&system(), None, may20, d1()).unwrap();
        assert_eq!(g.referrer_views, 108 + 3, "{driver}: with day 0's three");
        assert_eq!(g.search_views, 2, "{driver}");
        assert_eq!(g.referrers[0].label, "h000.example.cn");
        assert_eq!(g.raw_retention_days, rules::DEFAULT_RETENTION_DAYS);
    });
}

#[test]
fn today_is_read_from_raw_views() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        // A referred view today, recorded after the last aggregation: the dashboard
        // shows it at once (today is open), while the closed day comes from aggregates.
        let mut v = view(f.a, at(d1(), 40), IP2, UA2);
        v.referrer_host = Some("www.so.com".into());
        group.record_page_views(&[v]).unwrap();
        let a = group.stats_dashboard(&system(), Some(f.a), d0(), d1()).unwrap();
        let refs: Vec<(&str, u64, u64)> = a.referrers.iter().map(|r| (r.label.as_str(), r.views, r.visitors)).collect();
        assert_eq!(refs, vec![("www.baidu.com", 2, 1), ("www.so.com", 2, 2)], "{driver}");
        assert_eq!(a.referrer_views, 4, "{driver}");
    });
}

#[test]
fn purging_raw_views_of_closed_days_changes_no_figure() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let r = group.set_stats_retention_days(&centre(), &test_origin(), "1").unwrap();
        assert_eq!(r, 1);
        let scopes = [None, Some(f.a), Some(f.b), Some(f.p)];
        let before: Vec<serde_json::Value> =
            scopes.iter().map(|s| figures_json(&group.stats_dashboard(&system(), *s, d0(), d1()).unwrap())).collect();
        assert!(raw_views(group, day_no(d0())) > 0);
        let report = group.stats_purge().unwrap();
        assert_eq!(report.retention_days, 1);
        assert_eq!(report.days, vec![day_no(d0())], "{driver}: only the closed day");
        assert_eq!(report.rows, 7, "{driver}: day 0's seven stored views");
        assert_eq!(raw_views(group, day_no(d0())), 0, "{driver}");
        assert_eq!(raw_views(group, day_no(d1())), 3, "{driver}: today is kept");
        let after: Vec<serde_json::Value> =
            scopes.iter().map(|s| figures_json(&group.stats_dashboard(&system(), *s, d0(), d1()).unwrap())).collect();
        assert_eq!(before, after, "{driver}: identical figures from the aggregates alone");
        // Nothing more to purge; the footer shows the setting.
        assert_eq!(group.stats_purge().unwrap().rows, 0);
        let d = group.stats_dashboard(&system(), None, d0(), d1()).unwrap();
        assert_eq!(d.raw_retention_days, 1);
    });
}

#[test]
fn purging_is_batched_and_runs_from_the_aggregation() {
    for_each_group(|driver, group| {
        let (_, a, _) = two_channels(group);
        let old = NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
        let n = usize::try_from(sitegroup::PURGE_BATCH).unwrap() + 7;
        let views: Vec<PageView> = (0..n).map(|i| view(a.id, at(old, (i % 600) as i64), IP1, UA1)).collect();
        group.record_page_views(&views).unwrap();
        group.set_stats_retention_days(&centre(), &test_origin(), "10").unwrap();
        // The periodic run closes the day and, in the same call, purges it in two batches.
        let report = group.stats_aggregate().unwrap();
        assert_eq!(report.closed_days, vec![day_no(old)], "{driver}");
        assert_eq!((report.purged.rows, report.purged.batches), (n as u64, 2), "{driver}");
        assert_eq!(raw_views(group, day_no(old)), 0);
        let d = group.stats_dashboard(&system(), Some(a.id), old, old).unwrap();
        assert_eq!((d.views, d.visitors), (n as u64, 1), "{driver}");
    });
}

#[test]
fn purging_never_touches_unaggregated_days() {
    for_each_group(|driver, group| {
        let (_, a, b) = two_channels(group);
        let old = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let older = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
        let mut v = view(a.id, at(old, 0), IP1, UA1);
        v.referrer_host = Some("www.baidu.com".into());
        group.record_page_views(&[v, view(b.id, at(old, 1), IP2, UA2), view(a.id, at(older, 0), IP1, UA1)]).unwrap();
        group.set_stats_retention_days(&centre(), &test_origin(), "1").unwrap();
        // Not aggregated yet: far older than the retention, and kept.
        let r = group.stats_purge().unwrap();
        assert_eq!((r.rows, r.days.len()), (0, 0), "{driver}");
        let direct = group.db().write(|tx| rules::purge_views(tx, day_no(old), 1000)).unwrap();
        assert_eq!(direct, 0, "{driver}: purge_views refuses an open day");
        assert_eq!(raw_views(group, day_no(old)), 2);
        // A closed day at an old aggregate version (a stale day) is not purged either.
        group
            .db()
            .write(|tx| {
                rules::aggregate_day(tx, day_no(older))?;
                rules::mark_done(tx, day_no(older), 0)?;
                tx.execute("UPDATE stats_days_done SET aggregates = 1 WHERE day = ?", params![day_no(older)])?;
                Ok::<_, sitegroup::stats::StatsError>(())
            })
            .unwrap();
        assert_eq!(group.db().write(|tx| rules::purge_views(tx, day_no(older), 1000)).unwrap(), 0);
        assert_eq!(group.stats_purge().unwrap().rows, 0, "{driver}");
        assert_eq!(raw_views(group, day_no(older)), 1);
        // The next run aggregates (and backfills) first, then purges: nothing is lost.
        let report = group.stats_aggregate().unwrap();
        assert_eq!(report.closed_days, vec![day_no(old)], "{driver}");
        assert_eq!(report.backfilled_days, vec![day_no(older)], "{driver}");
        assert_eq!(report.purged.rows, 3, "{driver}");
        let d = group.stats_dashboard(&system(), None, older, old).unwrap();
        assert_eq!(d.views, 3, "{driver}");
        assert_eq!(d.referrer_views, 1, "{driver}");
        assert_eq!(d.referrers[0].label, "www.baidu.com");
    });
}

#[test]
fn retention_is_validated_and_audited() {
    for_each_group(|driver, group| {
        for bad in ["0", "3651", "abc", ""] {
            let r = group.set_stats_retention_days(&centre(), &test_origin(), bad);
            assert!(matches!(&r, Err(e) if e.is_user_error()), "{driver}: {bad}: {r:?}");
        }
        assert_eq!(group.stats_retention_days().unwrap(), rules::DEFAULT_RETENTION_DAYS);
        let (_, a, _) = two_channels(group);
        let admin_a = user(2, Role::SiteAdmin, Scope::Site(a.id));
        let r = group.set_stats_retention_days(&admin_a, &test_origin(), "30");
        assert!(matches!(r, Err(Error::Denied(_))), "{driver}: a site admin cannot");
        assert_eq!(group.set_stats_retention_days(&centre(), &test_origin(), " 30 ").unwrap(), 30);
        assert_eq!(group.stats_retention_days().unwrap(), 30);
        let audited: i64 = group
            .db()
            .read(|tx| tx.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.stats'", &[])?.get(0))
            .unwrap();
        assert_eq!(audited, 1, "{driver}");
    });
}

#[test]
fn days_closed_before_the_migration_are_backfilled() {
    for_each_group(|driver, group| {
        let f = fixture(group);
        let day = day_no(d0());
        let refs = source_rows(group, "stats_daily_referrers", "host", day);
        let terms = source_rows(group, "stats_daily_terms", "terms", day);
        let dash = figures_json(&group.stats_dashboard(&system(), None, d0(), d1()).unwrap());
        let dash_a = figures_json(&group.stats_dashboard(&system(), Some(f.a), d0(), d1()).unwrap());
        // An installation closed day 0 under version 1 of the migrations: no referrer or
        // term rows, and migration 2 gave its done row the column default.
        group
            .db()
            .write(|tx| {
                tx.execute("DELETE FROM stats_daily_referrers", &[])?;
                tx.execute("DELETE FROM stats_daily_terms", &[])?;
                tx.execute("DELETE FROM stats_days_done", &[])?;
                tx.execute("INSERT INTO stats_days_done (day, at) VALUES (?, 0)", params![day])?;
                tx.query_one("SELECT aggregates FROM stats_days_done WHERE day = ?", params![day])?.get::<i64>(0)
            })
            .map(|v| assert_eq!(v, 1, "{driver}: the migration's default marks old days stale"))
            .unwrap();
        // Until the backfill, the dashboard reads the stale day's raw views: same figures.
        assert_eq!(figures_json(&group.stats_dashboard(&system(), None, d0(), d1()).unwrap()), dash, "{driver}");
        // Stale days are never purged, whatever the retention.
        group.set_stats_retention_days(&centre(), &test_origin(), "1").unwrap();
        assert_eq!(group.stats_purge().unwrap().rows, 0, "{driver}");
        let report = group.stats_aggregate().unwrap();
        assert!(report.closed_days.is_empty(), "{driver}");
        assert_eq!(report.backfilled_days, vec![day], "{driver}");
        assert_eq!(source_rows(group, "stats_daily_referrers", "host", day), refs, "{driver}");
        assert_eq!(source_rows(group, "stats_daily_terms", "terms", day), terms, "{driver}");
        let version: i64 = group
            .db()
            .read(|tx| tx.query_one("SELECT aggregates FROM stats_days_done WHERE day = ?", params![day])?.get(0))
            .unwrap();
        assert_eq!(version, AGGREGATES_VERSION);
        // The same run then purged the backfilled day; the figures did not move.
        assert_eq!(report.purged.days, vec![day], "{driver}");
        assert_eq!(raw_views(group, day), 0);
        assert_eq!(figures_json(&group.stats_dashboard(&system(), None, d0(), d1()).unwrap()), dash, "{driver}");
        assert_eq!(figures_json(&group.stats_dashboard(&system(), Some(f.a), d0(), d1()).unwrap()), dash_a);
        assert!(group.stats_aggregate().unwrap().backfilled_days.is_empty(), "{driver}: once");
    });
}

#[test]
fn the_self_check_probe_is_not_recorded() {
    for_each_group(|driver, group| {
        let (_, a, _) = two_channels(group);
        let probe = view(a.id, at(d1(), 1), "127.0.0.1", "sitegroup-selfcheck-probe");
        let person = view(a.id, at(d1(), 2), IP1, UA1);
        let r = group.record_page_views(&[probe.clone(), person, probe]).unwrap();
        assert_eq!((r.stored, r.skipped), (1, 2), "{driver}");
        assert_eq!(raw_views(group, day_no(d1())), 1, "{driver}");
        group.stats_aggregate().unwrap();
        let d = group.stats_dashboard(&system(), Some(a.id), d1(), d1()).unwrap();
        assert_eq!((d.views, d.visitors), (1, 1), "{driver}");
    });
}
