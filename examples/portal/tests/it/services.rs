//! The online services pages (issue 6 item 1): the 网上办事 home by audience, life event
//! and unit, item guides without the back-office badge, the forms library and its
//! downloads, Q&A search, the query pages (Chinese validation messages, results, 429),
//! and the back office (completeness per item, who may edit what).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::services::Item;
use sitegroup::{Actor, ServiceFilter};

use crate::support::{Resp, TestPortal, encode, esc, href};

fn published(p: &TestPortal) -> Vec<Item> {
    p.group().published_service_items(&ServiceFilter::default()).unwrap()
}

fn all_items(p: &TestPortal) -> Vec<sitegroup::ServiceGuideStatus> {
    p.group().service_items_for(&Actor::system("test"), None).unwrap()
}

#[tokio::test]
async fn the_home_page_has_audience_tabs_and_only_published_items() {
    let p = TestPortal::new();
    let home = p.get("/bsfw").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    home.assert_security_headers();
    for tab in ["个人办事", "企业办事", "旅游服务", "投资服务"] {
        assert!(home.body.contains(tab), "tab {tab}");
    }
    let items = published(&p);
    assert!(!items.is_empty());
    let birth = items.iter().find(|i| i.name == "出生登记").unwrap();
    assert!(home.body.contains(&href(&format!("/bsfw/items/{}", birth.id))));
    // The draft item is neither listed nor reachable.
    let draft = all_items(&p).into_iter().find(|s| !s.published).expect("a demo draft item");
    assert!(!home.body.contains(&draft.name));
    assert_eq!(p.get(&format!("/bsfw/items/{}", draft.id)).await.status, StatusCode::NOT_FOUND);
    // The main navigation links to it.
    assert!(p.get("/").await.body.contains(r#"<a href="/bsfw">网上办事</a>"#));
}

#[tokio::test]
async fn items_are_found_by_life_event_unit_and_name() {
    let p = TestPortal::new();
    let by_event = p.get("/bsfw?audience=personal&event=schooling").await;
    assert_eq!(by_event.status, StatusCode::OK);
    assert!(by_event.body.contains("义务教育阶段入学登记"));
    assert!(!by_event.body.contains("出生登记</a>"));
    let by_unit = p.get("/bsfw?unit=gaj").await;
    assert!(by_unit.body.contains("出生登记"));
    assert!(!by_unit.body.contains("失业登记"));
    let units = p.get("/bsfw/units").await;
    assert_eq!(units.status, StatusCode::OK);
    assert!(units.body.contains("无为县公安局"));
    let search = p.get(&format!("/bsfw?q={}", encode("入学"))).await;
    assert!(search.body.contains("义务教育阶段入学登记"));
    // Junk parameters are harmless.
    assert_eq!(p.get("/bsfw?unit=nobody&event=nonsense&audience=x").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_item_page_shows_the_full_guide_and_its_forms_but_no_badge() {
    let p = TestPortal::new();
    let item = published(&p).into_iter().find(|i| i.name == "出生登记").unwrap();
    let page = p.get(&format!("/bsfw/items/{}", item.id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for label in [
        "设定依据",
        "办理条件",
        "申请材料",
        "办理流程",
        "办理时限",
        "收费标准",
        "办理地点",
        "办公时间",
        "咨询电话",
        "网上办理入口",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    assert!(page.body.contains(&esc("《中华人民共和国户口登记条例》第七条")));
    assert!(!page.body.contains("指南要素完整度"), "the completeness badge is back-office only");
    // A material's form downloads.
    let start = page.body.find("&#x2f;zwfwj&#x2f;docs&#x2f;").expect("a form link");
    let end = page.body[start..].find('"').unwrap();
    let link = page.body[start..start + end].replace("&#x2f;", "/");
    let file = p.get(&link).await;
    assert_eq!(file.status, StatusCode::OK, "{link}");
}

#[tokio::test]
async fn the_forms_library_and_qa_list_and_search() {
    let p = TestPortal::new();
    let forms = p.get("/bsfw/forms").await;
    assert_eq!(forms.status, StatusCode::OK);
    assert!(forms.body.contains("出生登记申请表"));
    let qa = p.get("/bsfw/qa").await;
    assert_eq!(qa.status, StatusCode::OK);
    assert!(qa.body.contains("问："));
    let found = p.get(&format!("/bsfw/qa?q={}", encode("出生登记"))).await;
    assert!(found.body.contains("出生登记"));
    let none = p.get(&format!("/bsfw/qa?q={}", encode("绝无此问题"))).await;
    assert!(none.body.contains("共 0 条"));
}

async fn query_post(p: &TestPortal, code: &str, pairs: &[(&str, &str)], ip: &str) -> Resp {
    let (cookie, token) = p.csrf().await;
    let mut body = format!("csrf={token}");
    for (k, v) in pairs {
        body.push_str(&format!("&{k}={}", encode(v)));
    }
    let mut req = Request::post(format!("/bsfw/queries/{code}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    p.send(req).await
}

const GOOD: [(&str, &str); 3] = [("name", "王芳"), ("id_number", "11010519491231002X"), ("month", "2025-05")];

#[tokio::test]
async fn a_query_validates_in_chinese_answers_with_a_table_and_limits_bursts() {
    let p = TestPortal::new();
    let list = p.get("/bsfw/queries").await;
    assert!(list.body.contains("机关职工工资查询"));
    let form = p.get("/bsfw/queries/salary").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"csrf\""));
    assert!(form.body.contains("演示数据"));

    let bad = query_post(&p, "salary", &[("name", "王芳"), ("id_number", "110105194912310021")], "198.51.100.9").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("身份证号码不正确"), "{}", bad.body);
    assert!(bad.body.contains("请填写查询月份"));

    let ok = query_post(&p, "salary", &GOOD, "198.51.100.9").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("实发工资（元）"));
    assert!(ok.body.contains("2025-05"));
    assert_eq!(ok.header("cache-control"), "no-store");

    // Without the CSRF token: refused.
    let res = p.post_form("/bsfw/queries/salary", "name=x", None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The per-address limit (10 per window by default).
    let mut last = None;
    for _ in 0..12 {
        last = Some(query_post(&p, "salary", &GOOD, "203.0.113.5").await);
    }
    let last = last.unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(last.body.contains("查询过于频繁"));
    assert!(!last.header("retry-after").is_empty());
    // Another address is not affected.
    assert_eq!(query_post(&p, "salary", &GOOD, "203.0.113.6").await.status, StatusCode::OK);
    assert_eq!(p.get("/bsfw/queries/nope").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_back_office_shows_completeness_and_keeps_units_apart() {
    let p = TestPortal::new();
    assert_eq!(p.get("/admin/bsfw").await.status, StatusCode::SEE_OTHER, "login first");
    let admin = p.login("admin").await;
    let list = p.get_with_cookie("/admin/bsfw", &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("检查单项否决"), "an incomplete demo guide is flagged");
    assert!(list.body.contains("缺少："));

    // The public-security bureau's site admin edits its own item, not the finance bureau's.
    let gaj = p.login("gaj_admin").await;
    let items = all_items(&p);
    let own = items.iter().find(|s| s.unit == "gaj").unwrap();
    let other = items.iter().find(|s| s.unit != "gaj").unwrap();
    let page = p.get_with_cookie(&format!("/admin/bsfw/items/{}", own.id), &gaj).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("指南要素完整度"));
    let token = page.hidden("csrf");
    let body = format!(
        "csrf={token}&legal_basis={}&conditions={}&materials={}&steps={}&time_limit={}&fees={}&place={}&hours={}&phone={}&online_entry={}",
        encode("《户口登记条例》"),
        encode("本县户籍"),
        encode("出生医学证明｜原件"),
        encode("受理\n办结"),
        encode("即时办结"),
        encode("不收费"),
        encode("政务服务中心"),
        encode("工作日"),
        encode("0553-6612345"),
        encode("https://www.ahzwfw.gov.cn/"),
    );
    let saved = p.post_form(&format!("/admin/bsfw/items/{}/guide", own.id), &body, Some(&gaj)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let view = p.group().service_item(&Actor::system("test"), own.id).unwrap();
    assert!(view.completeness.is_complete());
    assert_eq!(view.item.guide.steps, vec!["受理".to_string(), "办结".to_string()]);

    let refused = p.post_form(&format!("/admin/bsfw/items/{}/guide", other.id), &body, Some(&gaj)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get_with_cookie(&format!("/admin/bsfw/items/{}", other.id), &gaj).await.status, StatusCode::FORBIDDEN);

    // A bad material line is a Chinese message, not a failure.
    let bad = body.replace(&encode("出生医学证明｜原件"), &encode("申请表｜原件｜abc"));
    let res = p.post_form(&format!("/admin/bsfw/items/{}/guide", own.id), &bad, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("表格编号应为数字"));

    // A site admin has no PublishContent: the button is not shown and the step refused.
    assert!(!page.body.contains(&format!("/admin/bsfw/items/{}/publish", own.id).replace('/', "&#x2f;")));
    let res = p
        .post_form(&format!("/admin/bsfw/items/{}/publish", own.id), &format!("csrf={token}&published=0"), Some(&gaj))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn qa_can_be_added_in_the_back_office() {
    let p = TestPortal::new();
    let gaj = p.login("gaj_admin").await;
    let page = p.get_with_cookie("/admin/bsfw/qa", &gaj).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = page.hidden("csrf");
    let body = format!(
        "csrf={token}&unit=gaj&question={}&answer={}&published=1",
        encode("身份证丢了怎么办？"),
        encode("到户籍窗口挂失补领。")
    );
    let res = p.post_form("/admin/bsfw/qa", &body, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let found = p.get(&format!("/bsfw/qa?q={}", encode("身份证丢了"))).await;
    assert!(found.body.contains(&esc("到户籍窗口挂失补领。")));
    // Not for another unit.
    let other = format!("csrf={token}&unit=czj&question=x&answer=y");
    assert_eq!(p.post_form("/admin/bsfw/qa", &other, Some(&gaj)).await.status, StatusCode::FORBIDDEN);
}
