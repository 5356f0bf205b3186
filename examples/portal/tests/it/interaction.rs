//! 互动交流 (issue 5) in the portal: the letter forms, the progress lookup and rating,
//! the answered letters, the back-office queues and the monthly notice.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::{Actor, Grant, NewUser, Origin, Role, Scope, TicketQuery};

use crate::support::{Resp, TestPortal, encode, esc};

/// A CSRF cookie and a letter form's idempotency key, as a browser gets them.
async fn open_form(p: &TestPortal, path: &str) -> (String, String, String) {
    let (cookie, token) = p.csrf().await;
    let form = p.get_with_cookie(path, &cookie).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.hidden("csrf"), token);
    let key = form.hidden("key");
    assert_eq!(key.len(), 32, "a fresh key per render");
    (cookie, token, key)
}

fn body_of(token: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={token}");
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

/// The text between `id="{id}">` and the next `<`.
fn text_of(res: &Resp, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = res.body.find(&marker).unwrap_or_else(|| panic!("no #{id} in {}", res.body)) + marker.len();
    let end = res.body[start..].find('<').unwrap();
    res.body[start..start + end].to_string()
}

/// The page's alert paragraph.
fn alert(res: &Resp) -> String {
    let marker = "role=\"alert\">";
    let start = res.body.find(marker).unwrap_or_else(|| panic!("no alert in {}", res.body)) + marker.len();
    let end = res.body[start..].find('<').unwrap();
    res.body[start..start + end].to_string()
}

const SCRIPT: &str = "<script>alert('x')</script>";

fn letter_pairs<'a>(key: &'a str, subject: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("key", key),
        ("unit", "jyj"),
        ("category", "咨询"),
        ("subject", subject),
        ("body", body),
        ("name", "张三"),
        ("phone", "13912345678"),
        ("email", ""),
    ]
}

/// Submits a unit-mailbox letter; returns the confirmation page.
async fn submit_letter(p: &TestPortal, subject: &str, body: &str) -> Resp {
    let (cookie, token, key) = open_form(p, "/hudong/bmxx/new").await;
    let res =
        p.post_form("/hudong/bmxx/new", &body_of(&token, &letter_pairs(&key, subject, body)), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res
}

async fn lookup(p: &TestPortal, code: &str, secret: &str, rating: Option<&str>) -> Resp {
    let (cookie, token) = p.csrf().await;
    let mut pairs = vec![("code", code), ("secret", secret)];
    if let Some(r) = rating {
        pairs.push(("rating", r));
    }
    p.post_form("/hudong/chaxun", &body_of(&token, &pairs), Some(&cookie)).await
}

fn tickets_with_subject(p: &TestPortal, subject: &str) -> Vec<sitegroup::interaction::model::Ticket> {
    let all =
        p.group().tickets(&Actor::system("test"), &TicketQuery { limit: 1000, ..TicketQuery::default() }).unwrap();
    all.into_iter().filter(|t| t.subject == subject).collect()
}

async fn login_as(p: &TestPortal, username: &str, password: &str) -> String {
    let (csrf_cookie, token) = p.csrf().await;
    let body = format!("csrf={token}&username={username}&password={}", encode(password));
    let res = p.post_form("/login", &body, Some(&csrf_cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    format!("{csrf_cookie}; {}={}", portal::SESSION_COOKIE, res.cookie(portal::SESSION_COOKIE).unwrap())
}

/// A handler (办理人) of the unit behind the channel `site`.
async fn handler_of(p: &TestPortal, site: &str) -> String {
    let system = Actor::system("test");
    let origin = Origin::other("test");
    let s = p.group().site(site).unwrap();
    let username = format!("{site}_handler");
    let password = "Handler-Pass-2026!";
    p.group()
        .add_user(
            &system,
            &origin,
            &NewUser { username: username.clone(), display_name: Some("办理人".into()), unit: s.unit },
            Some(password),
        )
        .unwrap();
    p.group().grant(&system, &origin, &username, Grant { role: Role::Handler, scope: Scope::Site(s.id) }).unwrap();
    login_as(p, &username, password).await
}

fn token(cookie: &str) -> String {
    cookie
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == portal::CSRF_COOKIE)
        .map(|(_, v)| v.to_string())
        .unwrap()
}

async fn step(p: &TestPortal, cookie: &str, id: i64, pairs: &[(&str, &str)]) -> Resp {
    p.post_form(&format!("/admin/tickets/{id}/step"), &body_of(&token(cookie), pairs), Some(cookie)).await
}

#[tokio::test]
async fn a_letter_with_a_script_gets_a_code_and_the_lookup_shows_it_escaped() {
    let p = TestPortal::new();
    let nav = p.get("/").await;
    assert!(nav.body.contains("href=\"/hudong\""), "the layout links 互动交流");
    let body = format!("{SCRIPT}东门路灯坏了一个月。");
    let res = submit_letter(&p, "东门路灯不亮", &body).await;
    assert!(!res.body.contains(SCRIPT), "never echoed raw");
    assert_eq!(res.header("cache-control"), "no-store");
    let code = text_of(&res, "ix-code");
    let secret = text_of(&res, "ix-secret");
    assert!(!code.is_empty() && !secret.is_empty());
    assert!(res.body.contains("查询密码只显示这一次"), "the warning to keep them");

    let found = lookup(&p, &code, &secret, None).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains(&esc(SCRIPT)), "escaped: {}", found.body);
    assert!(!found.body.contains(SCRIPT));
    assert!(found.body.contains("待甄别"), "the state");
    assert!(found.body.contains("ix-dl-"), "the deadline status");
    assert!(found.body.contains("办理期限是怎样计算的") && found.body.contains("第 1 个工作日"), "day by day");
    // Stored as typed.
    assert_eq!(tickets_with_subject(&p, "东门路灯不亮")[0].body, body);
}

#[tokio::test]
async fn a_double_submit_with_the_same_key_gives_one_ticket() {
    let p = TestPortal::new();
    let (cookie, token, key) = open_form(&p, "/hudong/bmxx/new").await;
    let form = body_of(&token, &letter_pairs(&key, "重复提交测试", "学校门口交通拥堵。"));
    let first = p.post_form("/hudong/bmxx/new", &form, Some(&cookie)).await;
    let second = p.post_form("/hudong/bmxx/new", &form, Some(&cookie)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body.contains("已经提交过"), "{}", second.body);
    assert!(!second.body.contains("id=\"ix-secret\""), "the secret is shown once");
    assert_eq!(text_of(&first, "ix-code"), text_of(&second, "ix-code"));
    assert_eq!(tickets_with_subject(&p, "重复提交测试").len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_and_an_unknown_code_get_the_same_answer() {
    let p = TestPortal::new();
    let res = submit_letter(&p, "查询测试", "内容").await;
    let code = text_of(&res, "ix-code");
    let wrong = lookup(&p, &code, "not-the-secret", None).await;
    let unknown = lookup(&p, "ZZZZ-ZZZZ-ZZZZ", "not-the-secret", None).await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(alert(&wrong), alert(&unknown));
    assert!(alert(&wrong).contains("查询码或查询密码不正确"));
    assert!(!wrong.body.contains("查询测试"), "nothing of the letter");
}

#[tokio::test]
async fn validation_errors_are_shown_next_to_the_fields_with_the_input_kept() {
    let p = TestPortal::new();
    let (cookie, token, key) = open_form(&p, "/hudong/xzxx/new").await;
    let pairs = [
        ("key", key.as_str()),
        ("subject", "关于<b>老旧小区</b>改造"),
        ("body", "希望尽快改造。"),
        ("name", "李四"),
        ("phone", "12345"),
    ];
    let res = p.post_form("/hudong/xzxx/new", &body_of(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"err-phone\""), "{}", res.body);
    assert!(res.body.contains("电话号码格式不正确"));
    assert!(res.body.contains(&format!("value=\"{}\"", esc("关于<b>老旧小区</b>改造"))), "subject kept");
    assert!(res.body.contains(">希望尽快改造。</textarea>"), "body kept");
    assert!(res.body.contains("value=\"李四\""));
    assert_eq!(res.hidden("key"), key, "the same key: a resubmit stays idempotent");

    // No contact at all on a named channel.
    let pairs = [("key", key.as_str()), ("subject", "标题"), ("body", "内容"), ("name", "李四")];
    let res = p.post_form("/hudong/xzxx/new", &body_of(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("请至少填写电话或电子邮箱"), "{}", res.body);

    // A complaint may be anonymous.
    let (cookie, token, key) = open_form(&p, "/hudong/tousu/new").await;
    let pairs = [
        ("key", key.as_str()),
        ("unit", "wucheng"),
        ("subject", "窗口服务态度差"),
        ("body", "办证窗口工作人员态度生硬。"),
        ("anonymous", "1"),
        ("name", "不应提交"),
    ];
    let res = p.post_form("/hudong/tousu/new", &body_of(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(tickets_with_subject(&p, "窗口服务态度差")[0].writer.is_anonymous());
}

#[tokio::test]
async fn bursts_from_one_address_are_refused_with_a_clear_message() {
    let p = TestPortal::new();
    let (cookie, token) = p.csrf().await;
    let send = |key: String, ip: [u8; 4]| {
        let pairs = letter_pairs(&key, "频繁提交", "内容");
        let body = body_of(&token, &pairs);
        let mut req = Request::post("/hudong/bmxx/new")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookie)
            .body(Body::from(body))
            .unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        p.send(req)
    };
    for i in 0..5 {
        let res = send(format!("burst-{i}"), [10, 0, 0, 7]).await;
        assert_eq!(res.status, StatusCode::OK, "{i}: {}", res.body);
    }
    let refused = send("burst-5".into(), [10, 0, 0, 7]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("您提交得太频繁了"), "{}", refused.body);
    assert!(refused.body.contains("value=\"频繁提交\""), "input kept");
    assert!(!refused.header("retry-after").is_empty());
    assert_eq!(tickets_with_subject(&p, "频繁提交").len(), 5);
    // Another address is not affected.
    assert_eq!(send("burst-6".into(), [10, 0, 0, 8]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_long_letter_fits_and_an_oversized_request_gets_a_clear_message() {
    let p = TestPortal::new();
    p.group()
        .set_interaction_setting(&Actor::system("test"), &Origin::other("test"), "interaction.max_body_chars", "20000")
        .unwrap();
    let long = "长".repeat(20_000);
    let res = submit_letter(&p, "长信", &long).await;
    assert!(res.body.contains("id=\"ix-code\""));
    assert_eq!(tickets_with_subject(&p, "长信")[0].body.chars().count(), 20_000);

    // Over the library's limit: a message next to the body, input kept.
    let (cookie, token, key) = open_form(&p, "/hudong/bmxx/new").await;
    let longer = "长".repeat(20_001);
    let res =
        p.post_form("/hudong/bmxx/new", &body_of(&token, &letter_pairs(&key, "更长", &longer)), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"err-body\""), "{}", &res.body[..2000.min(res.body.len())]);
    assert!(res.body.contains("最多 20000 个字"));

    // Over the request limit.
    let huge = "长".repeat(40_000);
    let res =
        p.post_form("/hudong/bmxx/new", &body_of(&token, &letter_pairs(&key, "巨长", &huge)), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("20000 字以内"), "{}", res.body);
    assert!(tickets_with_subject(&p, "巨长").is_empty());
}

#[tokio::test]
async fn screened_assigned_replied_approved_then_rated_and_published() {
    let p = TestPortal::new();
    let body = "我是张三，手机13912345678，学校门口的斑马线看不清了。";
    let res = submit_letter(&p, "斑马线模糊", body).await;
    let (code, secret) = (text_of(&res, "ix-code"), text_of(&res, "ix-secret"));
    let id = tickets_with_subject(&p, "斑马线模糊")[0].id;

    // The centre screens and assigns.
    let centre = p.login("admin").await;
    let queue = p.get_with_cookie("/admin/tickets", &centre).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("斑马线模糊"));
    assert!(queue.body.contains("value=\"accept\""));
    let res = step(&p, &centre, id, &[("op", "accept"), ("unit", "jyj"), ("back", "/admin/tickets")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/admin/tickets?done=accept");

    // A handler of another unit may not read or answer it.
    let other = handler_of(&p, "kjj").await;
    assert_eq!(p.get_with_cookie(&format!("/admin/tickets/{id}"), &other).await.status, StatusCode::FORBIDDEN);
    let res = step(&p, &other, id, &[("op", "reply"), ("text", "越权答复")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The unit's handler sees it in the unit's queue and replies.
    let handler = handler_of(&p, "jyj").await;
    let res = p.get_with_cookie("/admin/tickets", &handler).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/admin/tickets?unit=jyj");
    let unit_queue = p.get_with_cookie("/admin/tickets?unit=jyj", &handler).await;
    assert_eq!(unit_queue.status, StatusCode::OK, "{}", unit_queue.body);
    assert!(unit_queue.body.contains("斑马线模糊"));
    assert!(unit_queue.body.contains("value=\"reply\"") && unit_queue.body.contains("value=\"delay\""));
    assert!(!unit_queue.body.contains("value=\"accept\""), "no centre controls for a handler");
    let reply = "已安排重新施划斑马线，预计本周完成。";
    let res = step(&p, &handler, id, &[("op", "reply"), ("text", reply), ("back", "/admin/tickets?unit=jyj")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/admin/tickets?unit=jyj&done=reply");
    // Before the review, the writer does not see the reply yet.
    assert!(!lookup(&p, &code, &secret, None).await.body.contains(reply));

    // A step in the wrong state is explained.
    let res = step(&p, &handler, id, &[("op", "reply"), ("text", "再次答复")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("不能进行此项操作"), "{}", res.body);

    // The centre approves.
    let page = p.get_with_cookie(&format!("/admin/tickets/{id}"), &centre).await;
    assert!(page.body.contains(reply) && page.body.contains("value=\"approve\""));
    let res = step(&p, &centre, id, &[("op", "approve")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // The writer sees the reply and rates it.
    let found = lookup(&p, &code, &secret, None).await;
    assert!(found.body.contains(reply), "{}", found.body);
    assert!(found.body.contains("name=\"rating\" value=\"satisfied\""));
    let rated = lookup(&p, &code, &secret, Some("satisfied")).await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert!(rated.body.contains("您的评价：满意"));
    assert!(!rated.body.contains("name=\"rating\""), "rated once");

    // Publication with the redaction preview.
    let page = p.get_with_cookie(&format!("/admin/tickets/{id}"), &centre).await;
    assert!(page.body.contains("公开预览"), "{}", page.body);
    assert!(!page.body.contains("已自动隐去 0 处"), "something was masked");
    let res = step(&p, &centre, id, &[("op", "publish")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let list = p.get("/hudong/xzxx").await;
    assert!(list.body.contains("斑马线模糊"), "{}", list.body);
    let letter = p.get(&format!("/hudong/xzxx/{id}")).await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.body.contains(reply));
    assert!(!letter.body.contains("13912345678"), "phone redacted");
    assert!(!letter.body.contains("张三"), "name redacted");
    assert_eq!(p.get("/hudong/xzxx/999999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_monthly_notice_page_and_its_xlsx() {
    let p = TestPortal::new();
    submit_letter(&p, "月报来信", "内容").await;
    let now = p.group().now();
    let month = chrono::DateTime::from_timestamp(now + 8 * 3600, 0).unwrap().format("%Y-%m").to_string();
    let centre = p.login("admin").await;
    let page = p.get_with_cookie(&format!("/admin/report/monthly?month={month}"), &centre).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("无为县教育局"));
    assert!(page.body.contains("<svg class=\"ix-bars\""));
    // The demo's letters of this month plus the one just written.
    let (year, mon) = (month[..4].parse().unwrap(), month[5..].parse().unwrap());
    let report = p.group().monthly_report(&sitegroup::Actor::system("test"), year, mon, now).unwrap();
    let received: u64 = report.iter().map(|u| u.received).sum();
    assert!(received >= 1);
    assert!(page.body.contains(&format!("本月共收信 {received} 件")), "{}", page.body);

    let xlsx = p.get_with_cookie(&format!("/admin/report/monthly?month={month}&format=xlsx"), &centre).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.header("content-disposition").starts_with("attachment; filename=\"tongbao-"));
    assert!(xlsx.bytes.starts_with(b"PK"), "a zip");

    let bad = p.get_with_cookie("/admin/report/monthly?month=2026-13", &centre).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let handler = handler_of(&p, "jyj").await;
    assert_eq!(p.get_with_cookie("/admin/report/monthly", &handler).await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get_with_cookie("/admin/tickets/urgings", &centre).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_mailbox_letter_is_batched_forwarded_instructed_and_delayed_and_a_rejection_is_told() {
    let p = TestPortal::new();
    let (cookie, token, key) = open_form(&p, "/hudong/xzxx/new").await;
    let pairs = [
        ("key", key.as_str()),
        ("subject", "县长信箱来信"),
        ("body", "建议增加公交线路。"),
        ("name", "王五"),
        ("email", "wangwu@example.com"),
    ];
    let res = p.post_form("/hudong/xzxx/new", &body_of(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let id = tickets_with_subject(&p, "县长信箱来信")[0].id;
    let centre = p.login("admin").await;

    let res = step(&p, &centre, id, &[("op", "accept")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let queue = p.get_with_cookie("/admin/tickets", &centre).await;
    assert!(queue.body.contains("value=\"forward\""), "waits for the batch");
    assert_eq!(step(&p, &centre, id, &[("op", "forward")]).await.status, StatusCode::SEE_OTHER);
    let page = p.get_with_cookie(&format!("/admin/tickets/{id}"), &centre).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("value=\"instruct\""));
    let res = step(&p, &centre, id, &[("op", "instruct"), ("unit", ""), ("note", "请交通局办理")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "a unit is required");
    assert!(res.body.contains("请选择受理单位"), "{}", res.body);
    let res = step(&p, &centre, id, &[("op", "instruct"), ("unit", "jyj"), ("note", "请教育局办理")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // The handler explains a delay to a later working day.
    let handler = handler_of(&p, "jyj").await;
    let page = p.get_with_cookie(&format!("/admin/tickets/{id}"), &handler).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let ticket = p.group().ticket(&Actor::system("test"), id).unwrap();
    {
        let due = ticket.ticket.due_at.expect("the demo calendar covers this year");
        let cal = p.group().calendar();
        let mut day = chrono::DateTime::from_timestamp(due + 8 * 3600, 0).unwrap().date_naive();
        for _ in 0..10 {
            day = day.succ_opt().unwrap();
            if cal.is_workday(day).unwrap_or(false) {
                break;
            }
        }
        let to = day.to_string();
        let res = step(&p, &handler, id, &[("op", "delay"), ("to", &to), ("note", "需实地调查")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = p.get_with_cookie(&format!("/admin/tickets/{id}"), &handler).await;
        assert!(page.body.contains(&to), "the new date shows");
        // The deadline explains itself in Chinese, day by day, with the delay and its reason.
        assert!(page.body.contains("第 1 个工作日"), "{}", page.body);
        assert!(page.body.contains("期限延至") && page.body.contains("需实地调查"), "{}", page.body);
        assert!(!page.body.contains("working days"), "no English explanation left");
    }
    let res = step(&p, &handler, id, &[("op", "delay"), ("to", "not-a-date"), ("note", "x")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A rejected letter: the writer is told why.
    let res = submit_letter(&p, "广告信息", "低价出售").await;
    let (code, secret) = (text_of(&res, "ix-code"), text_of(&res, "ix-secret"));
    let spam = tickets_with_subject(&p, "广告信息")[0].id;
    let res = step(&p, &centre, spam, &[("op", "reject"), ("reason", "spam"), ("note", "与政务无关")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let found = lookup(&p, &code, &secret, None).await;
    assert!(found.body.contains("垃圾信息：与政务无关"), "{}", found.body);
    assert!(found.body.contains("不予受理"));
}

#[tokio::test]
async fn the_centre_sets_deadlines_and_mail_recipients_and_a_bad_value_is_refused() {
    let p = TestPortal::new();
    let centre = p.login("admin").await;
    let page = p.get_with_cookie("/admin/tickets/settings", &centre).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("服务投诉办理期限") && page.body.contains("承办人邮箱"));
    let save = |key: &'static str, value: &'static str| {
        let (p, centre) = (&p, &centre);
        async move {
            p.post_form(
                "/admin/tickets/settings",
                &body_of(&token(centre), &[("key", key), ("value", value)]),
                Some(centre),
            )
            .await
        }
    };
    assert_eq!(save("interaction.deadline.complaint", "7").await.status, StatusCode::SEE_OTHER);
    assert_eq!(save("interaction.mail.unit.jyj", "jyj@example.gov.cn").await.status, StatusCode::SEE_OTHER);
    let bad = save("interaction.mail.unit.jyj", "<script>").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(!bad.body.contains("<script>"), "escaped");
    let settings = p.group().interaction_settings().unwrap();
    assert_eq!(settings.days_for(sitegroup::interaction::Channel::Complaint, ""), 7);
    assert_eq!(settings.mail.get("unit.jyj").unwrap(), &vec!["jyj@example.gov.cn".to_string()], "kept");
    let page = p.get_with_cookie("/admin/tickets/settings", &centre).await;
    assert!(page.body.contains("value=\"jyj@example.gov.cn\""));
    let handler = handler_of(&p, "jyj").await;
    assert_eq!(p.get_with_cookie("/admin/tickets/settings", &handler).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_background_task_mails_the_writer_the_approved_answer_in_chinese() {
    let p = TestPortal::new();
    let mailer = std::sync::Arc::new(sitegroup::MemoryMailer::default());
    let setup = portal::MailSetup {
        mailer: mailer.clone() as std::sync::Arc<dyn sitegroup::Mailer>,
        base_url: "https://www.example.gov.cn".into(),
    };
    let first = portal::interaction_tasks_once(&p.state, Some(&setup)).await.unwrap();
    assert_eq!(first.sent, 0, "the first run starts after the demo's history");

    let system = Actor::system("test");
    let origin = Origin::other("test");
    let jyj = p.group().unit("jyj").unwrap().id;
    let new = sitegroup::interaction::model::NewTicket {
        channel: "complaint".into(),
        unit: Some("jyj".into()),
        subject: "校车超载".into(),
        body: "每天早上校车很挤。".into(),
        writer: sitegroup::interaction::model::Writer {
            name: Some("李四".into()),
            phone: None,
            email: Some("lisi@example.com".into()),
        },
        ..Default::default()
    };
    let id = p.group().submit_ticket(&origin, &new).unwrap().ticket.id;
    for cmd in [
        sitegroup::interaction::flow::Command::Accept { unit: Some(jyj), urgent: false },
        sitegroup::interaction::flow::Command::Reply { text: "已责令校车公司增加班次。".into() },
        sitegroup::interaction::flow::Command::Approve,
    ] {
        p.group().ticket_step(&system, &origin, id, cmd).unwrap();
    }
    let report = portal::interaction_tasks_once(&p.state, Some(&setup)).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let mail = mailer.sent().pop().unwrap();
    assert_eq!(mail.to, ["lisi@example.com"]);
    assert_eq!(mail.subject, "您的来信“校车超载”已答复");
    assert!(mail.body.contains("已责令校车公司增加班次。") && mail.body.contains("\n\n"), "{}", mail.body);
    assert!(portal::interaction_tasks_once(&p.state, None).await.is_none(), "no mailer, no mail");
}
