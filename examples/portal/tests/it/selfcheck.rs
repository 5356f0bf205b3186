//! The self-check pages.

use axum::http::StatusCode;

use crate::support::{TestPortal, encode};

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
