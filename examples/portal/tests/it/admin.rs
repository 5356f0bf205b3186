//! The back office: login required, sites and audit log as the library allows.

use axum::http::StatusCode;

use crate::support::TestPortal;

#[tokio::test]
async fn admin_needs_a_login() {
    let p = TestPortal::new();
    let res = p.get("/admin").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/login");
    let forged = p.get_with_cookie("/admin", "sg_session=v1.1.0.9999999999.abc.def").await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert!(forged.set_cookie(portal::SESSION_COOKIE).unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn a_site_admin_sees_their_site_and_its_audit_log() {
    let p = TestPortal::new();
    let cookie = p.login("jyj_admin").await;
    let res = p.get_with_cookie("/admin", &cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("您好，县教育局管理员（jyj_admin）"));
    assert!(res.body.contains(r#"<tr data-site="jyj">"#));
    assert_eq!(res.body.matches("<tr data-site=").count(), 1, "only the sites the library gives");
    assert!(res.body.contains("站点管理员 · 县教育局"));
    // The site's log: the login is a group-wide entry, the seed's grant on jyj is the site's.
    assert!(res.body.contains("无为县教育局审计日志"));
    assert!(res.body.contains("授予角色"));
    assert!(res.body.contains("user:jyj_admin"));
    assert!(!res.body.contains("user:gaj_admin"), "no other site's entries");
    assert_eq!(res.header("cache-control"), "no-store");
    // The explicit form of the same page.
    let same = p.get_with_cookie("/admin?site=jyj", &cookie).await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(same.body.contains("无为县教育局审计日志"));
}

#[tokio::test]
async fn a_site_admin_asking_for_another_sites_log_gets_403_and_no_data() {
    let p = TestPortal::new();
    let cookie = p.login("jyj_admin").await;
    let res = p.get_with_cookie("/admin?site=gaj", &cookie).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("无权访问"));
    assert!(res.body.contains("您没有权限访问此页面或执行此操作"));
    for leak in ["gaj_admin", "无为县公安局", "县公安局", "授予角色"] {
        assert!(!res.body.contains(leak), "403 page leaks {leak}");
    }
    let missing = p.get_with_cookie("/admin?site=nosuch", &cookie).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("未找到相应的站点"));
}

#[tokio::test]
async fn the_group_admin_sees_every_site_and_the_whole_log_in_beijing_time() {
    let p = TestPortal::new();
    let cookie = p.login("admin").await;
    let res = p.get_with_cookie("/admin", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    let sites = p.group().site_tree().unwrap().sites().len();
    assert_eq!(res.body.matches("<tr data-site=").count(), sites);
    assert!(res.body.contains("全站群审计日志"));
    assert!(res.body.contains("初始化站群"));
    assert!(res.body.contains("登录成功"));
    assert!(res.body.contains("时间（北京时间）"));
    // A site's log on request, with a way back to the whole group's.
    let one = p.get_with_cookie("/admin?site=wucheng", &cookie).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("无城镇审计日志"));
    assert!(one.body.contains("查看全站群日志"));
}

#[tokio::test]
async fn logout_clears_the_session_cookie() {
    let p = TestPortal::new();
    let cookie = p.login("hemao_admin").await;
    let admin = p.get_with_cookie("/admin", &cookie).await;
    let token = admin.hidden("csrf");
    let res = p.post_form("/logout", &format!("csrf={token}"), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/");
    let cleared = res.set_cookie(portal::SESSION_COOKIE).unwrap();
    assert!(cleared.starts_with("sg_session=;") && cleared.contains("Max-Age=0"));
}
