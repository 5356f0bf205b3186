//! Public pages: home, channels, 404, closed and archived sites, assets, headers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sitegroup::{Actor, Origin};

use crate::support::{TestPortal, esc, href, link};

#[tokio::test]
async fn home_lists_every_department_and_township_channel() {
    let p = TestPortal::new();
    let res = p.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.is_html());
    assert_eq!(res.body.matches(r#"data-kind="department""#).count(), 45);
    assert_eq!(res.body.matches(r#"data-kind="township""#).count(), 23);
    assert_eq!(res.body.matches(r#"data-kind="topic""#).count(), 1, "the portal's own topic");
    for expected in ["无为县人民政府", &link("/jyj", "县教育局"), &link("/wucheng", "无城镇"), "汤沟镇", "网站纠错"]
    {
        assert!(res.body.contains(expected), "home lacks {expected}");
    }
    // The identity footer of the portal.
    for expected in ["网站标识码：3402250001", "皖ICP备05001234号", "皖公网安备 34022502000123号"] {
        assert!(res.body.contains(expected), "footer lacks {expected}");
    }
    assert!(res.body.contains(r#"<html lang="zh-CN">"#));
}

#[tokio::test]
async fn the_portal_answers_its_host_name_too() {
    let p = TestPortal::new();
    let req = Request::get("/").header(header::HOST, "www.wuwei.gov.cn").body(Body::empty()).unwrap();
    let res = p.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("欢迎访问无为县人民政府"));
}

#[tokio::test]
async fn channel_page_shows_its_name_unit_breadcrumbs_and_the_inherited_identity() {
    let p = TestPortal::new();
    for path in ["/jyj", "/jyj/", "/JYJ"] {
        let res = p.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.body.contains("<h1>无为县教育局</h1>"), "{path}");
        assert!(res.body.contains("所属单位：无为县教育局"));
        // Breadcrumbs back to the portal, sub-sites, and the portal's identity.
        assert!(res.body.contains(&link("/", "首页")));
        assert!(res.body.contains(&link("/jyj/zsks", "招生考试专栏")));
        assert!(res.body.contains("网站标识码：3402250001"));
        assert!(res.body.contains("皖ICP备05001234号"));
        assert!(res.body.contains("皖公网安备 34022502000123号"));
        assert!(res.body.contains(&href("/jyj/jiucuo")), "error-report entry of the channel");
    }
    let township = p.get("/hemao").await;
    assert!(township.body.contains("<h1>鹤毛乡</h1>"));
    assert!(township.body.contains("无为县鹤毛乡人民政府"));

    let topic = p.get("/jyj/zsks").await;
    assert_eq!(topic.status, StatusCode::OK);
    assert!(topic.body.contains("<h1>招生考试专栏</h1>"));
    assert!(topic.body.contains(&link("/jyj", "县教育局")), "breadcrumb through the department");
}

#[tokio::test]
async fn the_error_report_page_exists_for_portal_and_channels() {
    let p = TestPortal::new();
    let portal = p.get("/jiucuo").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(portal.body.contains("网站纠错"));
    assert!(portal.body.contains("反映问题时请注明网站标识码：3402250001"));
    let channel = p.get("/gaj/jiucuo").await;
    assert_eq!(channel.status, StatusCode::OK);
    assert!(channel.body.contains("您正在浏览：无为县公安局"));
}

#[tokio::test]
async fn unknown_paths_give_a_chinese_404_with_a_way_back() {
    let p = TestPortal::new();
    let res = p.get("/jyj/no-such-page.html").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.is_html());
    assert!(res.body.contains("页面不存在"));
    assert!(res.body.contains("您访问的页面不存在或已被删除"));
    assert!(res.body.contains(&link("/jyj", "返回县教育局首页")));
    assert!(res.body.contains("网站标识码：3402250001"), "footer on error pages too");
    res.assert_security_headers();

    let top = p.get("/no-such-channel").await;
    assert_eq!(top.status, StatusCode::NOT_FOUND);
    assert!(top.body.contains(&link("/", "返回首页")));
    assert_eq!(p.get("/static/no-such.css").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_closed_site_shows_its_notice_and_redirect() {
    let p = TestPortal::new();
    let system = Actor::system("test");
    p.group()
        .close_site(
            &system,
            &Origin::cli(),
            "gaj",
            "本站已整合至县政府门户。<script>alert(1)</script>",
            Some("https://www.example.gov.cn/gaj"),
        )
        .unwrap();
    for path in ["/gaj", "/gaj/news/1.html"] {
        let res = p.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "closed notices are served with 200");
        assert!(res.body.contains("无为县公安局已关停"));
        assert!(res.body.contains(&esc("本站已整合至县政府门户。<script>alert(1)</script>")));
        assert!(!res.body.contains("<script>alert(1)"));
        let refresh =
            format!(r#"<meta http-equiv="refresh" content="5;url={}">"#, esc("https://www.example.gov.cn/gaj"));
        assert!(res.body.contains(&refresh), "{}", res.body);
        assert!(res.body.contains(&href("https://www.example.gov.cn/gaj")));
    }
    // Without a redirect: the notice only.
    p.group().close_site(&system, &Origin::cli(), "sfj", "本站已停止更新。", None).unwrap();
    let res = p.get("/sfj").await;
    assert!(res.body.contains("本站已停止更新。"));
    assert!(!res.body.contains("http-equiv=\"refresh\""));
    // The home page still lists it, marked.
    let home = p.get("/").await;
    assert!(home.body.contains(&format!(r#"class="is-closed"><a {}>"#, href("/gaj"))));
    // Reopened: the channel again.
    p.group().reopen_site(&system, &Origin::cli(), "gaj").unwrap();
    assert!(p.get("/gaj").await.body.contains("<h1>无为县公安局</h1>"));
}

#[tokio::test]
async fn an_archived_site_is_gone() {
    let p = TestPortal::new();
    p.group().archive_site(&Actor::system("test"), &Origin::cli(), "zt-yshj").unwrap();
    let res = p.get("/zt/yshj").await;
    assert_eq!(res.status, StatusCode::GONE);
    assert!(res.body.contains("站点已停止服务"));
    assert!(!p.get("/").await.body.contains("优化营商环境专题"));
}

#[tokio::test]
async fn other_methods_on_pages_are_refused_in_chinese() {
    let p = TestPortal::new();
    let res = p.post_form("/jyj", "a=b", None).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.body.contains("不支持的请求方式"));
    assert_eq!(res.header("allow"), "GET, HEAD");
}

#[tokio::test]
async fn the_stylesheet_is_served_by_the_portal_with_a_cache_header() {
    let p = TestPortal::new();
    let res = p.get("/static/style.css").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("text/css"));
    assert!(res.header("cache-control").contains("max-age="));
    assert!(res.body.contains(".band"));
    res.assert_security_headers();
    assert!(p.get("/static/favicon.svg").await.header("content-type").starts_with("image/svg+xml"));
    // Pages load nothing from other origins.
    let home = p.get("/").await;
    assert!(!home.body.contains("src=\"http"), "no external scripts or images");
    assert!(!home.body.contains("stylesheet\" href=\"http"), "no external stylesheets");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let p = TestPortal::new();
    for path in ["/", "/jyj", "/jyj/nope", "/login", "/admin", "/health", "/jiucuo"] {
        let res = p.get(path).await;
        res.assert_security_headers();
        if res.status != StatusCode::SEE_OTHER && path != "/health" {
            assert!(res.is_html(), "{path}");
        }
    }
}

#[tokio::test]
async fn health_says_ok() {
    let p = TestPortal::new();
    let res = p.get("/health").await;
    assert_eq!((res.status, res.body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_in_chinese() {
    let p = TestPortal::new();
    let big = format!("username={}", "a".repeat(portal::BODY_LIMIT + 10));
    let res = p.post_form("/login", &big, None).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("提交的内容过大"));
    res.assert_security_headers();
}
