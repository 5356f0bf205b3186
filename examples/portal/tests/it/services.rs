//! The online services pages (issue 6 item 1): the 网上办事 home by audience, life event
//! and unit, item guides without the back-office badge, the forms library and its
//! downloads, Q&A search, the query pages (Chinese validation messages, results, 429),
//! and the back office (completeness per item, who may edit what; the forms library;
//! query definitions with their 24-hour counts; Q&A removal and its search hits).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::content::{Attachment, DocInput};
use sitegroup::services::Item;
use sitegroup::{Actor, NewColumn, Origin, ServiceFilter};

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

/// A draft document with one attachment on the site `site` (a form's possible source).
fn draft_with_attachment(p: &TestPortal, site: &str, title: &str) -> i64 {
    let g = p.group();
    let sys = Actor::system("test");
    let site = g.site(site).unwrap().id;
    let col = g
        .add_column(
            &sys,
            &Origin::other("test"),
            site,
            &NewColumn { name: format!("{title}栏目"), ..Default::default() },
        )
        .unwrap()
        .id;
    let mut doc = DocInput::article(title, "<p>表格</p>");
    doc.attachments = vec![Attachment { key: "ab12.docx".into(), name: format!("{title}.docx"), size: 10 }];
    g.create_draft(&sys, &Origin::other("test"), site, col, &doc).unwrap().id
}

/// The CSRF token of a login's cookie (double submit).
fn token_of(cookie: &str) -> String {
    let prefix = format!("{}=", portal::CSRF_COOKIE);
    cookie.split("; ").find_map(|c| c.strip_prefix(&prefix)).unwrap().to_string()
}

fn forms_of(p: &TestPortal, unit: &str) -> Vec<sitegroup::ServiceFormView> {
    p.group().service_forms_for(&Actor::system("test"), Some(unit)).unwrap()
}

#[tokio::test]
async fn the_forms_back_office_adds_edits_hides_and_removes_forms() {
    let p = TestPortal::new();
    let gaj = p.login("gaj_admin").await;
    let doc = draft_with_attachment(&p, "gaj", "户籍业务表格");
    let list = p.get_with_cookie("/admin/bsfw/forms", &gaj).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let before = forms_of(&p, "gaj");
    assert!(!before.is_empty(), "the demo has forms of the public-security bureau");
    assert!(list.body.contains(&esc(&before[0].form.name)));
    // The picker offers the unit's documents with attachments.
    assert!(list.body.contains(&format!("value=\"{doc}:1\"")), "the picker offers the draft's attachment");
    let token = list.hidden("csrf");

    // Added through the picker.
    let body =
        format!("csrf={token}&unit=gaj&item=&name={}&source={doc}%3A1&document=&attachment=", encode("户口迁移申请表"));
    let res = p.post_form("/admin/bsfw/forms", &body, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let added = forms_of(&p, "gaj").into_iter().find(|f| f.form.name == "户口迁移申请表").expect("added");
    assert_eq!((added.form.document, added.form.attachment), (doc, 1));
    assert!(added.url.is_none(), "a draft document does not download yet");

    // Chinese refusals: another site's document, a non-number, a missing attachment.
    let foreign = before[0].form.document; // on the services bureau's site
    let body = format!("csrf={token}&unit=gaj&name={}&source=&document={foreign}&attachment=1", encode("别站表格"));
    let res = p.post_form("/admin/bsfw/forms", &body, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("不属于本部门的网站"), "{}", res.body);
    let body = format!("csrf={token}&unit=gaj&name=x&source=&document=abc&attachment=1");
    let res = p.post_form("/admin/bsfw/forms", &body, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("文档编号应填写数字"));
    let body = format!("csrf={token}&unit=gaj&name=x&source=&document={doc}&attachment=5");
    let res = p.post_form("/admin/bsfw/forms", &body, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains(&format!("文档 {doc} 没有第 5 个附件")));

    // Edit: rename.
    let page = p.get_with_cookie(&format!("/admin/bsfw/forms/{}", added.form.id), &gaj).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = format!("csrf={token}&unit=gaj&name={}&source={doc}%3A1", encode("户口迁移申请表（新版）"));
    let res = p.post_form(&format!("/admin/bsfw/forms/{}", added.form.id), &body, Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        p.group().service_form(&Actor::system("test"), added.form.id).unwrap().form.name,
        "户口迁移申请表（新版）"
    );

    // Hiding a public demo form takes it off the public library.
    let public = before.iter().find(|f| f.url.is_some()).expect("a downloadable demo form");
    let link = href(public.url.as_deref().unwrap());
    assert!(p.get("/bsfw/forms").await.body.contains(&link));
    let res = p
        .post_form(
            &format!("/admin/bsfw/forms/{}/publish", public.form.id),
            &format!("csrf={token}&published=0"),
            Some(&gaj),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(!p.get("/bsfw/forms").await.body.contains(&link), "a hidden form is not listed");
    let page = p.get_with_cookie(&format!("/admin/bsfw/forms/{}", public.form.id), &gaj).await;
    assert!(page.body.contains("已停用"));

    // A form a guide lists is not removed (409, Chinese); an unused one is.
    let used = before.iter().find(|f| {
        let item = f.form.item.unwrap();
        p.group()
            .service_item(&Actor::system("test"), item)
            .unwrap()
            .item
            .guide
            .materials
            .iter()
            .any(|m| m.form == Some(f.form.id))
    });
    let used = used.expect("a demo form listed by a guide");
    let res =
        p.post_form(&format!("/admin/bsfw/forms/{}/remove", used.form.id), &format!("csrf={token}"), Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(res.body.contains("不能删除"));
    let res =
        p.post_form(&format!("/admin/bsfw/forms/{}/remove", added.form.id), &format!("csrf={token}"), Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(forms_of(&p, "gaj").iter().all(|f| f.form.id != added.form.id));

    // Another unit's forms: refused everywhere.
    let all = p.group().service_forms_for(&Actor::system("test"), None).unwrap();
    let other = all.iter().find(|f| f.unit_code != "gaj").expect("a form of another unit").clone();
    let unit = other.unit_code.clone();
    let theirs = forms_of(&p, &unit);
    assert_eq!(p.get_with_cookie(&format!("/admin/bsfw/forms?unit={unit}"), &gaj).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        p.get_with_cookie(&format!("/admin/bsfw/forms/{}", other.form.id), &gaj).await.status,
        StatusCode::FORBIDDEN
    );
    for action in ["publish", "remove"] {
        let res = p
            .post_form(
                &format!("/admin/bsfw/forms/{}/{action}", other.form.id),
                &format!("csrf={token}&published=0"),
                Some(&gaj),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{action}");
    }
    let body = format!("csrf={token}&unit={unit}&name=x&source=&document={doc}&attachment=1");
    assert_eq!(p.post_form("/admin/bsfw/forms", &body, Some(&gaj)).await.status, StatusCode::FORBIDDEN);
    let after = forms_of(&p, &unit);
    assert_eq!(after.len(), theirs.len(), "nothing changed");
    assert!(after.iter().all(|f| f.form.published));
}

#[tokio::test]
async fn the_queries_back_office_edits_limits_toggles_and_counts_runs() {
    let p = TestPortal::new();
    for ip in ["198.51.100.20", "198.51.100.21"] {
        assert_eq!(query_post(&p, "salary", &GOOD, ip).await.status, StatusCode::OK);
    }
    let admin = p.login("admin").await;
    let list = p.get_with_cookie("/admin/bsfw/queries", &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("机关职工工资查询"));
    assert!(list.body.contains("机动车信息查询"));
    let page = p.get_with_cookie("/admin/bsfw/queries/salary", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("近24小时查询 2 次"), "{}", page.body);
    for secret in ["11010519491231002X", "王芳", "198.51.100.20"] {
        assert!(!page.body.contains(secret) && !list.body.contains(secret), "counts only: {secret}");
    }
    let token = page.hidden("csrf");

    // Edit the limits: one query per address from now on.
    let form = |token: &str, name: &str, provider: &str, per_address: &str| {
        format!(
            "csrf={token}&name={}&description={}&provider={provider}&per_address={per_address}&per_query=600&window_seconds=600",
            encode(name),
            encode("县直机关事业单位在编职工按月查询工资发放明细。")
        )
    };
    let res = p
        .post_form("/admin/bsfw/queries/salary", &form(&token, "工资发放查询", "demo.salary", "1"), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(p.get("/bsfw/queries").await.body.contains("工资发放查询"));
    assert_eq!(query_post(&p, "salary", &GOOD, "198.51.100.30").await.status, StatusCode::OK);
    assert_eq!(query_post(&p, "salary", &GOOD, "198.51.100.30").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.get_with_cookie("/admin/bsfw/queries/salary", &admin).await.body.contains("近24小时查询 3 次"));

    // Chinese refusals: a provider that is not plugged in, a limit that is not a number.
    let res = p.post_form("/admin/bsfw/queries/salary", &form(&token, "工资", "hr.nothing", "1"), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("尚未接入本系统"));
    let res =
        p.post_form("/admin/bsfw/queries/salary", &form(&token, "工资", "demo.salary", "abc"), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("应填写数字"));
    let res = p.post_form("/admin/bsfw/queries/salary", &form(&token, "工资", "demo.salary", "0"), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("访问频次限制须为正数"));

    // Disable: gone from the public pages; enable again.
    let res =
        p.post_form("/admin/bsfw/queries/salary/publish", &format!("csrf={token}&published=0"), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(p.get("/bsfw/queries/salary").await.status, StatusCode::NOT_FOUND);
    assert!(!p.get("/bsfw/queries").await.body.contains("工资发放查询"));
    let res =
        p.post_form("/admin/bsfw/queries/salary/publish", &format!("csrf={token}&published=1"), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(p.get("/bsfw/queries/salary").await.status, StatusCode::OK);

    // The public-security bureau's admin sees and edits its own query, not the finance
    // bureau's, and cannot enable or disable (a publishing decision).
    let gaj = p.login("gaj_admin").await;
    let token = token_of(&gaj);
    let own = p.get_with_cookie("/admin/bsfw/queries", &gaj).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.contains("机动车信息查询"));
    assert!(!own.body.contains("工资发放查询"));
    assert_eq!(p.get_with_cookie("/admin/bsfw/queries/salary", &gaj).await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get_with_cookie("/admin/bsfw/queries?unit=czj", &gaj).await.status, StatusCode::FORBIDDEN);
    let res = p.post_form("/admin/bsfw/queries/salary", &form(&token, "改名", "demo.salary", "5"), Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = p
        .post_form("/admin/bsfw/queries/vehicle", &form(&token, "机动车信息查询", "demo.vehicle", "5"), Some(&gaj))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res =
        p.post_form("/admin/bsfw/queries/vehicle/publish", &format!("csrf={token}&published=0"), Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get("/bsfw/queries/vehicle").await.status, StatusCode::OK);
}

#[tokio::test]
async fn qa_entries_are_searchable_link_to_their_page_and_can_be_removed() {
    let p = TestPortal::new();
    let gaj = p.login("gaj_admin").await;
    let page = p.get_with_cookie("/admin/bsfw/qa", &gaj).await;
    let token = page.hidden("csrf");
    let body = format!(
        "csrf={token}&unit=gaj&question={}&answer={}&published=1",
        encode("临时身份证怎么办理？"),
        encode("可到户籍窗口申领临时居民身份证，当场拍照。")
    );
    assert_eq!(p.post_form("/admin/bsfw/qa", &body, Some(&gaj)).await.status, StatusCode::SEE_OTHER);
    let qa = p.group().service_qas_for(&Actor::system("test"), Some("gaj"), 500).unwrap();
    let qa = qa.into_iter().find(|q| q.question == "临时身份证怎么办理？").unwrap();
    p.group().search_poll().unwrap();
    let found = p.get(&format!("/search?q={}", encode("拍照"))).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains(&href(&format!("/bsfw/qa/{}", qa.id))), "{}", found.body);
    assert!(found.body.contains("政策答疑"), "the kind is labelled");
    assert!(found.body.contains(r#"value="qa""#), "the kind filter offers policy Q&A");
    let only_qa = p.get(&format!("/search?q={}&kind=qa", encode("拍照"))).await;
    assert!(only_qa.body.contains(&href(&format!("/bsfw/qa/{}", qa.id))), "{}", only_qa.body);
    let only_articles = p.get(&format!("/search?q={}&kind=article", encode("拍照"))).await;
    assert!(!only_articles.body.contains(&href(&format!("/bsfw/qa/{}", qa.id))));
    let one = p.get(&format!("/bsfw/qa/{}", qa.id)).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains(&esc("可到户籍窗口申领临时居民身份证，当场拍照。")));

    // Another unit's admin may not remove it; its own may, and it leaves search.
    let czj = p.login("czj_admin").await;
    let czj_token = token_of(&czj);
    let res = p.post_form(&format!("/admin/bsfw/qa/{}/remove", qa.id), &format!("csrf={czj_token}"), Some(&czj)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = p.post_form(&format!("/admin/bsfw/qa/{}/remove", qa.id), &format!("csrf={token}"), Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    p.group().search_poll().unwrap();
    assert!(
        !p.get(&format!("/search?q={}", encode("拍照")))
            .await
            .body
            .contains(&format!("/bsfw/qa/{}", qa.id).replace('/', "&#x2f;"))
    );
    assert_eq!(p.get(&format!("/bsfw/qa/{}", qa.id)).await.status, StatusCode::NOT_FOUND);
}
