//! Visit analytics through the facade on both drivers.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sitegroup::content::DocInput;
use sitegroup::stats::stats::PageView;
use sitegroup::store::{Dialect, Value};
use sitegroup::{Actor, Error, Grant, Role, Scope, SiteGroup, SiteId, UserId};
use sitegroup_tests::{column, for_each_group, publish_new, system, two_channels};

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
        assert!(tables.iter().any(|t| t == "stats_views"), "{driver}: {tables:?}");
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
