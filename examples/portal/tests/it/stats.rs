//! Page-view recording and the analytics dashboard.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::stats::stats;
use sitegroup::{Actor, Grant, NewUser, Origin, Role, Scope};

use crate::support::{Resp, TestPortal, encode};

const IP: &str = "203.0.113.99";
const UA: &str = "Mozilla/5.0 (Linux; Android 14) PortalFixture/3.1 (fixture-ua-9b2e)";

async fn visit(p: &TestPortal, path: &str, ua: &str, cookie: Option<&str>) -> Resp {
    let mut req = Request::get(path)
        .header(header::USER_AGENT, ua)
        .header(header::REFERER, "https://www.baidu.com/s?wd=%E6%97%A0%E4%B8%BA");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(IP.parse().unwrap(), 40_000)));
    p.send(req).await
}

fn today(p: &TestPortal) -> chrono::NaiveDate {
    stats::date_of_day(stats::beijing_day(p.group().now())).unwrap()
}

fn views_of(p: &TestPortal, code: &str) -> u64 {
    let site = p.group().site(code).unwrap();
    let d = today(p);
    p.group().stats_dashboard(&Actor::system("test"), Some(site.id), d, d).unwrap().views
}

fn portal_code(p: &TestPortal) -> String {
    p.group().resolve("localhost", "/").unwrap().unwrap().0.code
}

#[tokio::test]
async fn a_public_page_view_is_recorded_after_a_flush_without_the_address() {
    let p = TestPortal::new();
    assert_eq!(views_of(&p, "jyj"), 0);
    let page = visit(&p, "/jyj", UA, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let search = visit(&p, "/jyj/search?q=%E6%8B%9B%E8%81%98", UA, None).await;
    assert_eq!(search.status, StatusCode::OK);
    assert_eq!(views_of(&p, "jyj"), 0, "nothing is written on the request path");
    let stored = portal::flush_stats(&p.state, true).await.unwrap();
    assert_eq!(stored, 2);
    assert_eq!(views_of(&p, "jyj"), 2);
    let d = today(&p);
    let site = p.group().site("jyj").unwrap();
    let dash = p.group().stats_dashboard(&Actor::system("test"), Some(site.id), d, d).unwrap();
    assert_eq!(dash.visitors, 1);
    assert_eq!(dash.referrers.first().map(|r| r.label.as_str()), Some("www.baidu.com"));
    assert_eq!(dash.search_terms.first().map(|r| r.label.as_str()), Some("招聘"));
    // The stored rows carry the daily key, never the address or the User-Agent.
    let rows = p.group().db().read(|tx| tx.query("SELECT * FROM stats_views", &[])).unwrap();
    assert!(rows.len() > 2, "the demo's page views of the past days, and today's two");
    for row in &rows {
        let text = format!("{:?}", row.values());
        assert!(!text.contains(IP) && !text.contains("fixture-ua") && !text.contains("PortalFixture"), "{text}");
    }
}

#[tokio::test]
async fn back_office_bots_files_and_errors_are_not_recorded() {
    let p = TestPortal::new();
    let centre = p.login("admin").await;
    let _ = portal::flush_stats(&p.state, false).await.unwrap(); // the login form itself is not counted either
    assert_eq!(visit(&p, "/admin", UA, Some(&centre)).await.status, StatusCode::OK);
    assert_eq!(visit(&p, "/admin/tongji", UA, Some(&centre)).await.status, StatusCode::OK);
    assert_eq!(visit(&p, "/health", UA, None).await.status, StatusCode::OK);
    assert_eq!(visit(&p, "/", "Mozilla/5.0 (compatible; Baiduspider/2.0)", None).await.status, StatusCode::OK);
    assert_eq!(visit(&p, "/", "", None).await.status, StatusCode::OK);
    assert_eq!(visit(&p, "/jyj/no-such-column-here", UA, None).await.status, StatusCode::NOT_FOUND);
    let css = p.get("/static/site.css").await;
    assert_ne!(css.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(portal::flush_stats(&p.state, true).await.unwrap(), 0);
    // A real visitor of the portal home is counted.
    assert_eq!(visit(&p, "/", UA, None).await.status, StatusCode::OK);
    assert_eq!(portal::flush_stats(&p.state, true).await.unwrap(), 1);
    assert_eq!(views_of(&p, &portal_code(&p)), 1);
}

#[tokio::test]
async fn the_demo_has_past_page_views_and_none_today() {
    let p = TestPortal::new();
    let d = today(&p);
    let system = Actor::system("test");
    let past = p.group().stats_dashboard(&system, None, d - chrono::Days::new(3), d - chrono::Days::new(1)).unwrap();
    assert!(past.views > 0 && past.visitors > 0, "{past:?}");
    assert!(!past.top_documents.is_empty() && !past.top_columns.is_empty());
    assert_eq!(p.group().stats_dashboard(&system, None, d, d).unwrap().views, 0);
}

async fn login_as(p: &TestPortal, username: &str, password: &str) -> String {
    let (csrf_cookie, token) = p.csrf().await;
    let body = format!("csrf={token}&username={username}&password={}", encode(password));
    let res = p.post_form("/login", &body, Some(&csrf_cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    format!("{csrf_cookie}; {}={}", portal::SESSION_COOKIE, res.cookie(portal::SESSION_COOKIE).unwrap())
}

#[tokio::test]
async fn the_dashboard_renders_for_the_centre_and_is_limited_for_a_site() {
    let p = TestPortal::new();
    visit(&p, "/jyj", UA, None).await;
    portal::flush_stats(&p.state, true).await.unwrap();
    let centre = p.login("admin").await;
    let page = p.get_with_cookie("/admin/tongji", &centre).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg class=\"stats-chart\""), "inline SVG chart");
    assert!(page.body.contains("全站群"));
    assert!(page.body.contains("信息发布量（按单位）"));
    assert!(!page.body.contains("<script src=\"http"), "no CDN");
    let d = today(&p).format("%Y-%m-%d").to_string();
    let jyj = p.get_with_cookie(&format!("/admin/tongji?site=jyj&from={d}&to={d}"), &centre).await;
    assert_eq!(jyj.status, StatusCode::OK);
    assert!(jyj.body.contains("共 1 天：浏览量 1 次"), "{}", jyj.body);

    // A site administrator sees their own site only.
    let admin = p.login("jyj_admin").await;
    let own = p.get_with_cookie("/admin/tongji", &admin).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(!own.body.contains("全站群"), "no group view");
    assert!(own.body.contains("教育局"), "its own site is selected");
    let own_today = p.get_with_cookie(&format!("/admin/tongji?from={d}&to={d}"), &admin).await;
    assert!(own_today.body.contains("共 1 天：浏览量 1 次"), "{}", own_today.body);
    let other = p.get_with_cookie(&format!("/admin/tongji?site={}", portal_code(&p)), &admin).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let other = p.get_with_cookie("/admin/tongji?site=gaj", &admin).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    // Another site's editor has no analytics at all.
    let (system, origin) = (Actor::system("test"), Origin::other("test"));
    let gaj = p.group().site("gaj").unwrap();
    p.group()
        .add_user(
            &system,
            &origin,
            &NewUser { username: "gaj_editor".into(), display_name: Some("编辑".into()), unit: gaj.unit },
            Some("Editor-Pass-2026!"),
        )
        .unwrap();
    p.group().grant(&system, &origin, "gaj_editor", Grant { role: Role::Editor, scope: Scope::Site(gaj.id) }).unwrap();
    let editor = login_as(&p, "gaj_editor", "Editor-Pass-2026!").await;
    assert_eq!(p.get_with_cookie("/admin/tongji", &editor).await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get_with_cookie("/admin/tongji?site=jyj", &editor).await.status, StatusCode::FORBIDDEN);

    // A reversed range is explained, not a server error.
    let bad = p.get_with_cookie("/admin/tongji?from=2026-11-30&to=2026-11-01", &centre).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("日期范围无效"));
}
