//! The self-check pages.

use std::time::Duration;

use axum::http::StatusCode;
use sitegroup::{Actor, CheckIndicator, Origin};

use crate::support::{TestPortal, encode, esc};

/// The CSRF token of a login's cookie header (double submit).
fn csrf_of(cookie: &str) -> String {
    let prefix = format!("{}=", portal::CSRF_COOKIE);
    cookie.split("; ").find_map(|c| c.strip_prefix(prefix.as_str())).unwrap().to_string()
}

#[tokio::test]
async fn the_centre_sees_the_ranked_group_with_findings_and_evidence() {
    let p = TestPortal::new();
    let cookie = p.login("admin").await;
    let res = p.get_with_cookie("/admin/zicha", &cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("站群绩效排名"), "the group's ranked table");
    assert!(res.body.contains(r#"<tr class="" data-site="jyj">"#) || res.body.contains(r#"data-site="jyj""#));
    assert!(res.body.contains(r#"data-site="gaj""#), "every site for the centre");
    assert!(res.body.contains("整改建议"));
    assert!(res.body.contains("/admin/zicha/probe"), "the centre may probe");
    assert_eq!(res.header("cache-control"), "no-store");
    // The page shows what the library computed: the same number of findings.
    let report = p.group().self_check(&sitegroup::Actor::system("test"), None).unwrap();
    let total = report.findings().count();
    assert_eq!(res.body.matches("data-indicator=").count(), total);
    // The admin page links here.
    let admin = p.get_with_cookie("/admin", &cookie).await;
    assert!(admin.body.contains(r#"href="/admin/zicha""#));
}

#[tokio::test]
async fn a_site_admin_sees_only_their_site() {
    let p = TestPortal::new();
    let cookie = p.login("jyj_admin").await;
    let res = p.get_with_cookie("/admin/zicha", &cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body.matches("data-site=").count(), 1, "{}", res.body);
    assert!(res.body.contains(r#"data-site="jyj""#));
    assert!(!res.body.contains("县公安局"), "no other site's findings");
    assert!(!res.body.contains("/admin/zicha/probe"), "probing is the centre's");
    let other = p.get_with_cookie("/admin/zicha?site=gaj", &cookie).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!other.body.contains("data-indicator="));
    let xlsx = p.get_with_cookie("/admin/zicha.xlsx?site=gaj", &cookie).await;
    assert_eq!(xlsx.status, StatusCode::FORBIDDEN);
    let own = p.get_with_cookie("/admin/zicha.xlsx?site=jyj", &cookie).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(&own.bytes[..2], b"PK");
    // The probe refuses a site admin even with a valid token.
    let token = csrf_of(&cookie);
    let probe = p.post_form("/admin/zicha/probe", &format!("csrf={}", encode(&token)), Some(&cookie)).await;
    assert_eq!(probe.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_probe_records_results_that_the_check_reads() {
    let p = TestPortal::new();
    let cookie = p.login("admin").await;
    let no_token = p.post_form("/admin/zicha/probe", "csrf=wrong", Some(&cookie)).await;
    assert_ne!(no_token.status, StatusCode::SEE_OTHER, "no CSRF token, no probe");
    let token = csrf_of(&cookie);
    let res = p.post_form("/admin/zicha/probe", &format!("csrf={}", encode(&token)), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/admin/zicha?done=probed");
    let rows = p.group().db().read(|tx| tx.query("SELECT status FROM selfcheck_probes", &[])).unwrap();
    assert!(rows.len() >= 3, "home and column pages probed: {}", rows.len());
    let ok = rows.iter().filter(|r| r.get::<i64>(0).unwrap() == 200).count();
    assert_eq!(ok, rows.len(), "the demo's pages all load");
    let page = p.get_with_cookie("/admin/zicha?done=probed", &cookie).await;
    assert!(page.body.contains("可用性探测已完成"));
    assert!(!page.body.contains(r#"data-indicator="unreachable""#));
    let xlsx = p.get_with_cookie("/admin/zicha.xlsx", &cookie).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(&xlsx.bytes[..2], b"PK");
}

/// The footer's 网站纠错 link to a configured `entry`, as the template prints it.
fn footer_link(entry: &str) -> String {
    format!(r#"<a class="error-report" href="{}" rel="noopener">网站纠错</a>"#, esc(entry))
}

fn entry_form(token: &str, site: &str, entry: &str) -> String {
    format!("csrf={}&site={site}&entry={}", encode(token), encode(entry))
}

#[tokio::test]
async fn the_form_sets_the_entry_and_every_public_page_of_the_site_shows_it() {
    let p = TestPortal::new();
    let centre = p.login("admin").await;
    let token = csrf_of(&centre);
    let portal_site = p.group().site("portal").unwrap().id;
    let jyj = p.group().site("jyj").unwrap().id;
    // The demo points the portal at its built-in page; start from no entry at all.
    assert_eq!(p.group().error_report_entry(portal_site).unwrap().as_deref(), Some("/jiucuo"));
    p.group().set_error_report_entry(&Actor::system("test"), &Origin::other("test"), portal_site, "").unwrap();
    for path in ["/", "/jyj/"] {
        let page = p.get(path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains(r#"class="error-report""#), "{path}: no entry, no link");
        assert!(page.body.contains("jiucuo\">网站纠错</a>"), "{path}: the built-in page instead");
    }
    let has = |site| {
        let r = p.group().self_check(&Actor::system("test"), Some(site)).unwrap();
        r.findings().any(|f| f.indicator == CheckIndicator::ErrorReportEntry)
    };
    assert!(has(portal_site) && has(jyj), "the indicator fails before");
    // The page offers the form for each site the user may edit.
    let page = p.get_with_cookie("/admin/zicha?site=portal", &centre).await;
    assert!(page.body.contains(r#"action="/admin/zicha/jiucuo""#) && page.body.contains("尚未设置纠错入口"));

    let entry = "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?websiteid=3402250001";
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form(&token, "portal", entry), Some(&centre)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/admin/zicha?site=portal&done=entry_saved#site-portal");
    assert_eq!(p.group().error_report_entry(portal_site).unwrap().as_deref(), Some(entry));
    // Every public page of the site shows it at once, channels included (inherited).
    for path in ["/", "/jyj/", "/jiucuo", "/search?q=%E5%8E%BF"] {
        let page = p.get(path).await;
        assert!(page.body.contains(&footer_link(entry)), "{path}: {}", page.status);
    }
    assert!(!has(portal_site) && !has(jyj), "the indicator passes");
    let page = p.get_with_cookie("/admin/zicha?site=portal&done=entry_saved", &centre).await;
    assert!(page.body.contains("纠错入口已保存"));
    assert!(page.body.contains(&esc(entry)), "the current entry is shown");

    // A channel's own entry wins on the channel; its site admin may set it.
    let admin = p.login("jyj_admin").await;
    let own = "mailto:jiucuo@jyj.example.gov.cn";
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form(&csrf_of(&admin), "jyj", own), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(p.get("/jyj/").await.body.contains(&footer_link(own)));
    assert!(p.get("/").await.body.contains(&footer_link(entry)));
    // Not another site's.
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form(&csrf_of(&admin), "portal", "/x"), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(p.group().error_report_entry(portal_site).unwrap().as_deref(), Some(entry));

    // Clearing removes the link.
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form(&token, "portal", "  "), Some(&centre)).await;
    assert_eq!(res.header("location"), "/admin/zicha?site=portal&done=entry_cleared#site-portal");
    let home = p.get("/").await;
    assert!(!home.body.contains(r#"class="error-report""#), "cleared");
    assert!(has(portal_site));
}

#[tokio::test]
async fn a_bad_entry_is_refused_in_chinese_and_nothing_changes() {
    let p = TestPortal::new();
    let centre = p.login("admin").await;
    let token = csrf_of(&centre);
    let portal_site = p.group().site("portal").unwrap().id;
    let res =
        p.post_form("/admin/zicha/jiucuo", &entry_form(&token, "portal", "javascript:alert(1)"), Some(&centre)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("纠错入口格式不正确"), "{}", res.body);
    assert!(res.body.contains(&esc("/admin/zicha?site=portal#site-portal")), "a way back");
    let long = format!("https://example.gov.cn/{}", "a".repeat(600));
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form(&token, "portal", &long), Some(&centre)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("纠错入口过长"), "{}", res.body);
    assert_eq!(p.group().error_report_entry(portal_site).unwrap().as_deref(), Some("/jiucuo"), "nothing written");
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form("wrong", "portal", "/jiucuo"), Some(&centre)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no CSRF token, no change");
    let res = p.post_form("/admin/zicha/jiucuo", &entry_form(&token, "nosuch", "/jiucuo"), Some(&centre)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(p.get("/").await.body.contains(&footer_link("/jiucuo")));
}

#[tokio::test]
async fn the_background_probe_runs_once_and_records_probes() {
    let p = TestPortal::new();
    let count = || -> i64 {
        p.group().db().read(|tx| tx.query_one("SELECT COUNT(*) FROM selfcheck_probes", &[])?.get(0)).unwrap()
    };
    assert_eq!(count(), 0);
    let open = p
        .group()
        .site_tree()
        .unwrap()
        .sites()
        .iter()
        .filter(|s| !s.is_template && matches!(s.status, sitegroup::SiteStatus::Open))
        .count();
    // One page per site, two lanes: exactly one probe per open site, all loading.
    let limits = portal::ProbeLimits { pages_per_site: 1, concurrency: 2, timeout: Duration::from_secs(60) };
    let me = Actor::system("selfcheck-probe");
    let n = portal::selfcheck_probe_once(&p.state, &me, &limits).await.unwrap();
    assert_eq!(n, Some(open));
    assert_eq!(count(), open as i64);
    let rows = p.group().db().read(|tx| tx.query("SELECT status, path FROM selfcheck_probes", &[])).unwrap();
    assert!(rows.iter().all(|r| r.get::<i64>(0).unwrap() == 200), "every home page loads");
    // The concurrency is clamped to two lanes and pages per site are bounded.
    let limits = portal::ProbeLimits { pages_per_site: 2, concurrency: 50, timeout: Duration::from_secs(60) };
    let n = portal::selfcheck_probe_once(&p.state, &me, &limits).await.unwrap().unwrap();
    assert!(n > open && n <= 2 * open, "{n} pages for {open} sites");
    // The self-check reads them: no availability finding for the demo.
    let report = p.group().self_check(&me, None).unwrap();
    assert!(
        !report.findings().any(|f| matches!(f.indicator, CheckIndicator::Unreachable | CheckIndicator::PageFailed))
    );
    // Only the centre (or the system) may probe; a zero interval disables the task.
    let jyj = p.group().site("jyj").unwrap().id;
    let site_admin = Actor::user(
        sitegroup::UserId(9_999),
        "jyj",
        vec![sitegroup::Grant { role: sitegroup::Role::SiteAdmin, scope: sitegroup::Scope::Site(jyj) }],
    );
    assert!(matches!(
        portal::selfcheck_probe_once(&p.state, &site_admin, &limits).await,
        Err(sitegroup::Error::Denied(_))
    ));
    assert_eq!(count(), (open + n) as i64, "a refused probe records nothing");
    assert!(portal::spawn_selfcheck_probe(p.state.clone(), Duration::ZERO, limits).is_none());
}

#[tokio::test]
async fn the_error_report_page_offers_a_letter_to_the_sites_unit_filed_as_an_error_report() {
    let p = TestPortal::new();
    let site = p.group().site("jyj").unwrap();
    let units = p.group().list_units(&Actor::system("test")).unwrap();
    let unit = units.iter().find(|u| Some(u.id) == site.unit).unwrap();
    let page = p.get("/jyj/jiucuo").await;
    assert_eq!(page.status, StatusCode::OK);
    let form_href = format!("/hudong/bmxx/new?unit={}&category=jiucuo", unit.code);
    assert!(page.body.contains(&esc(&form_href)), "{}", page.body);
    assert!(page.body.contains(&unit.name), "the page names who handles it");
    assert!(!page.body.contains("正在建设中"));
    // The letter form opens with the unit and the category 网站纠错 chosen.
    let form = p.get(&form_href).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"<option value="网站纠错" selected>"#), "{}", form.body);
    assert!(form.body.contains(&format!(r#"value="{}" selected"#, unit.code)), "{}", form.body);
    // An unknown category code is ignored, not shown.
    let other = p.get("/hudong/bmxx/new?category=%3Cscript%3E").await;
    assert!(!other.body.contains(r#"selected>网站纠错"#) && !other.body.contains("<script>"));
}
