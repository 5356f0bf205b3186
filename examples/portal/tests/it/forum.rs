//! The forum pages (issue 5, item 7): boards, paging, threads with their ticket and
//! official replies, posting (escaping, line breaks, checks, limits, double submits,
//! oversized bodies), pre-moderation through the back office, official replies, and
//! who may moderate.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::{Actor, Origin};

use crate::support::{Resp, TestPortal, encode, esc};

const SCRIPT: &str = "<script>alert('x')</script>";

/// A poster cookie (the `sg_forum` key) for visitor `n`.
fn poster(n: u32) -> String {
    format!("{}={n:032x}", portal_cookie())
}

fn portal_cookie() -> &'static str {
    "sg_forum"
}

fn body_of(token: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={token}");
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

/// Opens a form page: the cookie header (CSRF + poster `n`), the token and the form's key.
async fn open(p: &TestPortal, path: &str, n: u32) -> (String, String, String) {
    let (csrf_cookie, token) = p.csrf().await;
    let cookie = format!("{csrf_cookie}; {}", poster(n));
    let page = p.get_with_cookie(path, &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let key = page.hidden("key");
    assert_eq!(key.len(), 32);
    (cookie, token, key)
}

async fn new_thread(p: &TestPortal, board: &str, n: u32, pairs: &[(&str, &str)]) -> Resp {
    let path = format!("/hudong/luntan/{board}/new");
    let (cookie, token, key) = open(p, &path, n).await;
    let mut all = vec![("key", key.as_str())];
    all.extend_from_slice(pairs);
    p.post_form(&path, &body_of(&token, &all), Some(&cookie)).await
}

/// The thread id in a confirmation page's link to it.
fn thread_link(res: &Resp, board: &str) -> (String, i64) {
    let marker = format!("href=\"{}", esc(&format!("/hudong/luntan/{board}/")));
    let start = res.body.find(&marker).unwrap_or_else(|| panic!("no thread link in {}", res.body)) + marker.len();
    let end = res.body[start..].find('"').unwrap();
    let id: i64 = res.body[start..start + end].parse().unwrap_or_else(|_| panic!("{}", &res.body[start..start + end]));
    (format!("/hudong/luntan/{board}/{id}"), id)
}

fn alert(res: &Resp) -> String {
    let marker = "role=\"alert\">";
    let start = res.body.find(marker).unwrap_or_else(|| panic!("no alert in {}", res.body)) + marker.len();
    let end = res.body[start..].find('<').unwrap();
    res.body[start..start + end].to_string()
}

fn threads(p: &TestPortal) -> i64 {
    p.group().db().read(|tx| tx.query_one("SELECT COUNT(*) FROM forum_threads", &[])?.get(0)).unwrap()
}

#[tokio::test]
async fn boards_threads_and_official_answers_render() {
    let p = TestPortal::new();
    let index = p.get("/hudong/luntan").await;
    assert_eq!(index.status, StatusCode::OK, "{}", index.body);
    for name in ["问政无为", "民生热线", "教育服务", "先审后发"] {
        assert!(index.body.contains(name), "{name}");
    }
    let stats = p.group().forum_stats().unwrap();
    assert!(stats.threads >= 16 && stats.answered < stats.threads, "{stats:?}");
    assert!(index.body.contains(&format!("共有主题帖 {} 个", stats.threads)), "{}", index.body);
    // A board lists its public threads; an answered one shows the official answer.
    let page = p.group().forum_threads("jianyan", 1, 30).unwrap();
    let t = &page.threads[0];
    let board = p.get("/hudong/luntan/jianyan").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains(&esc(&t.thread.subject)));
    let thread = p.get(&format!("/hudong/luntan/jianyan/{}", t.thread.id)).await;
    assert_eq!(thread.status, StatusCode::OK, "{}", thread.body);
    assert!(thread.body.contains("forum-official") && thread.body.contains("官方回复"), "{}", thread.body);
    // A ticket thread: its state and deadline from the ticket, its approved answer.
    let answered = p
        .group()
        .forum_threads("jiaoyu", 1, 30)
        .unwrap()
        .threads
        .into_iter()
        .find(|t| t.answered())
        .expect("an answered thread on the unit's board");
    let res = p.get(&format!("/hudong/luntan/jiaoyu/{}", answered.thread.id)).await;
    assert!(res.body.contains("办理情况") && res.body.contains("已办结"), "{}", res.body);
    assert!(res.body.contains("id=\"official-ticket\""));
    // Unknown board, wrong board for a thread, unknown thread: 404.
    assert_eq!(p.get("/hudong/luntan/nope").await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get(&format!("/hudong/luntan/wenzheng/{}", t.thread.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/hudong/luntan/jianyan/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/hudong/luntan/jianyan/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn paging_of_a_board() {
    let p = TestPortal::new();
    let lines: Vec<sitegroup::ThreadImport> = (0..40)
        .map(|i| sitegroup::ThreadImport {
            board: "shenghuo".into(),
            nickname: "网友".into(),
            subject: format!("分页测试{i:02}"),
            body: "内容".into(),
            created_at: p.group().now() - 1_000 + i,
            ..Default::default()
        })
        .collect();
    p.group().forum_import(&Actor::system("test"), &Origin::other("test"), &lines).unwrap();
    let first = p.get("/hudong/luntan/shenghuo").await;
    assert!(first.body.contains("分页测试39") && !first.body.contains("分页测试09"));
    assert!(first.body.contains(&esc("/hudong/luntan/shenghuo?page=2")), "{}", first.body);
    let second = p.get("/hudong/luntan/shenghuo?page=2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("分页测试09"));
    // Nonsense pages fall back to a real one.
    assert_eq!(p.get("/hudong/luntan/shenghuo?page=abc").await.status, StatusCode::OK);
    assert_eq!(p.get("/hudong/luntan/shenghuo?page=9999").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_post_is_kept_as_typed_and_escaped_with_its_line_breaks() {
    let p = TestPortal::new();
    let body = format!("{SCRIPT}\n第二行 <b>粗</b>");
    let res =
        new_thread(&p, "shenghuo", 1, &[("nickname", "<i>昵称</i>"), ("subject", "标题<img src=x>"), ("body", &body)])
            .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("发表成功"));
    assert!(res.set_cookie("sg_forum").is_none(), "the visitor's key is kept");
    let (href, _) = thread_link(&res, "shenghuo");
    let page = p.get(&href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(SCRIPT) && !page.body.contains("<img src=x>") && !page.body.contains("<i>昵称"));
    assert!(page.body.contains(&esc(&body)), "kept as typed, escaped, the line break inside the text");
    assert!(page.body.contains(&esc("<i>昵称</i>")));
    // A visitor without a key gets one.
    let (csrf, token) = p.csrf().await;
    let form = p.get_with_cookie("/hudong/luntan/shenghuo/new", &csrf).await;
    let key = form.hidden("key");
    let res = p
        .post_form(
            "/hudong/luntan/shenghuo/new",
            &body_of(&token, &[("key", &key), ("nickname", "新人"), ("subject", "你好"), ("body", "第一次来")]),
            Some(&csrf),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let set = res.set_cookie("sg_forum").expect("a poster key is set");
    assert!(set.contains("HttpOnly") && set.contains("Max-Age="));
}

#[tokio::test]
async fn pre_moderation_holds_posts_until_the_centre_approves() {
    let p = TestPortal::new();
    let res =
        new_thread(&p, "minsheng", 2, &[("nickname", "居民"), ("subject", "等待审核的帖子"), ("body", "内容")]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("等待审核"), "{}", res.body);
    let id = p.group().forum_threads("minsheng", 1, 100).unwrap().threads.len();
    let pending = p.group().forum_queue(&Actor::system("t"), 100).unwrap();
    let item = pending.iter().find(|i| i.thread.subject == "等待审核的帖子").unwrap();
    let href = format!("/hudong/luntan/minsheng/{}", item.thread.id);
    assert_eq!(p.get(&href).await.status, StatusCode::NOT_FOUND, "never public before approval");
    assert!(!p.get("/hudong/luntan/minsheng").await.body.contains("等待审核的帖子"));
    // The centre's queue shows it (with the seeded ones); approve it.
    let admin = p.login("admin").await;
    let queue = p.get_with_cookie("/admin/luntan", &admin).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("等待审核的帖子"));
    let token = queue.hidden("csrf");
    let res = p
        .post_form(
            &format!("/admin/luntan/posts/{}/moderate", item.post.id),
            &body_of(&token, &[("op", "approve"), ("back", "/admin/luntan")]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/admin/luntan?done=approve");
    assert_eq!(p.get(&href).await.status, StatusCode::OK);
    assert_eq!(p.group().forum_threads("minsheng", 1, 100).unwrap().threads.len(), id + 1);
    // Refusing needs a reason; hiding shows on the admin page.
    let res = p
        .post_form(
            &format!("/admin/luntan/posts/{}/moderate", item.post.id),
            &body_of(&token, &[("op", "hide"), ("note", ""), ("back", "/admin/luntan")]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    let res = p
        .post_form(
            &format!("/admin/luntan/posts/{}/moderate", item.post.id),
            &body_of(
                &token,
                &[("op", "hide"), ("note", "重复发帖"), ("back", &format!("/admin/luntan/threads/{}", item.thread.id))],
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(p.get(&href).await.status, StatusCode::NOT_FOUND);
    let page = p.get_with_cookie(&format!("/admin/luntan/threads/{}", item.thread.id), &admin).await;
    assert!(page.body.contains("重复发帖") && page.body.contains("已屏蔽"), "{}", page.body);
}

#[tokio::test]
async fn a_thread_to_a_unit_is_a_ticket_whose_approved_reply_shows() {
    let p = TestPortal::new();
    let res = new_thread(
        &p,
        "wenzheng",
        3,
        &[("unit", "jyj"), ("nickname", "家长"), ("subject", "入学咨询"), ("body", "孩子明年上小学，去哪里报名？")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("id=\"ix-code\"") && res.body.contains("id=\"ix-secret\""), "{}", res.body);
    let (href, id) = thread_link(&res, "wenzheng");
    let page = p.get(&href).await;
    assert!(page.body.contains("办理中") && page.body.contains("答复期限"), "{}", page.body);
    assert!(!page.body.contains("id=\"official-ticket\""));
    let ticket = p.group().forum_thread(id).unwrap().ticket.unwrap().id;
    // The group administrator answers for the unit; the centre approves.
    let admin = p.login("admin").await;
    let form = p.get_with_cookie(&format!("/admin/luntan/threads/{id}"), &admin).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.hidden("csrf");
    let res = p
        .post_form(
            &format!("/admin/luntan/threads/{id}/reply"),
            &body_of(&token, &[("text", "请到户籍所在学区报名。")]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.header("location").ends_with("done=ticket_reply"));
    assert!(!p.get(&href).await.body.contains("请到户籍所在学区报名"), "not before the review");
    let res = p
        .post_form(&format!("/admin/tickets/{ticket}/step"), &body_of(&token, &[("op", "approve")]), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = p.get(&href).await;
    assert!(
        page.body.contains("id=\"official-ticket\"") && page.body.contains("请到户籍所在学区报名。"),
        "{}",
        page.body
    );
    assert!(page.body.contains("已办结"));
}

#[tokio::test]
async fn official_posts_on_general_threads_are_marked() {
    let p = TestPortal::new();
    let res =
        new_thread(&p, "jianyan", 4, &[("nickname", "市民"), ("subject", "一条建议"), ("body", "建议多种树")]).await;
    let (href, id) = thread_link(&res, "jianyan");
    let admin = p.login("admin").await;
    let form = p.get_with_cookie(&format!("/admin/luntan/threads/{id}"), &admin).await;
    let token = form.hidden("csrf");
    let res = p
        .post_form(
            &format!("/admin/luntan/threads/{id}/reply"),
            &body_of(&token, &[("unit", ""), ("text", "感谢建议，已转园林部门。")]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = p.get(&href).await;
    assert!(page.body.contains("forum-reply forum-official") && page.body.contains("县政府信息中心"), "{}", page.body);
}

#[tokio::test]
async fn checks_refuse_blocked_content_and_queue_warnings() {
    let p = TestPortal::new();
    let before = threads(&p);
    let res = new_thread(
        &p,
        "shenghuo",
        5,
        &[("nickname", "甲"), ("subject", "身份证"), ("body", "我的身份证号 11010519491231002X")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(alert(&res).contains("不能发布的内容"), "{}", res.body);
    assert!(res.body.contains("value=\"身份证\""), "input kept");
    assert_eq!(threads(&p), before, "nothing written");
    let res =
        new_thread(&p, "shenghuo", 6, &[("nickname", "乙"), ("subject", "联系我"), ("body", "电话 13800138000")]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("等待审核"), "a warning queues it on a post-moderated board");
}

#[tokio::test]
async fn bad_input_gets_clear_messages() {
    let p = TestPortal::new();
    let long = "字".repeat(5_001);
    let res = new_thread(&p, "shenghuo", 7, &[("nickname", "丙"), ("subject", "长"), ("body", &long)]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("内容太长：5001 字，最多 5000 字"), "{}", res.body);
    let res = new_thread(&p, "shenghuo", 7, &[("nickname", ""), ("subject", "无名"), ("body", "x")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("请填写昵称"));
    // A unit the board does not take.
    let res =
        new_thread(&p, "jiaoyu", 7, &[("unit", "gaj"), ("nickname", "丁"), ("subject", "错"), ("body", "x")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("不能向所选单位提问"), "{}", res.body);
    // Far too large: 413 before anything is read.
    let (cookie, token, key) = open(&p, "/hudong/luntan/shenghuo/new", 8).await;
    let huge = "a".repeat(200 * 1024);
    let res = p
        .post_form("/hudong/luntan/shenghuo/new", &body_of(&token, &[("key", &key), ("body", &huge)]), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("提交的内容过大"));
    // Without the CSRF token: refused.
    let res = p.post_form("/hudong/luntan/shenghuo/new", "nickname=a&subject=b&body=c", None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_double_submit_gives_one_thread() {
    let p = TestPortal::new();
    let (cookie, token, key) = open(&p, "/hudong/luntan/shenghuo/new", 9).await;
    let body = body_of(&token, &[("key", &key), ("nickname", "戊"), ("subject", "双击"), ("body", "点了两次")]);
    let before = threads(&p);
    let first = p.post_form("/hudong/luntan/shenghuo/new", &body, Some(&cookie)).await;
    let second = p.post_form("/hudong/luntan/shenghuo/new", &body, Some(&cookie)).await;
    assert_eq!((first.status, second.status), (StatusCode::OK, StatusCode::OK), "{}", second.body);
    assert!(second.body.contains("没有重复发表"));
    assert_eq!(thread_link(&first, "shenghuo").1, thread_link(&second, "shenghuo").1);
    assert_eq!(threads(&p), before + 1);
}

/// A new thread from visitor `n` at the address 10.9.8.7.
async fn send_from(p: &TestPortal, n: u32) -> Resp {
    let path = "/hudong/luntan/shenghuo/new";
    let (cookie, token, key) = open(p, path, n).await;
    let subject = format!("同一网络{n}");
    let body = body_of(&token, &[("key", &key), ("nickname", "庚"), ("subject", &subject), ("body", "x")]);
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([10, 9, 8, 7], 40000))));
    p.send(req).await
}

#[tokio::test]
async fn bursts_get_429_with_a_chinese_message() {
    let p = TestPortal::new();
    // One poster, twice at once: the minimum interval.
    let first = new_thread(&p, "shenghuo", 10, &[("nickname", "己"), ("subject", "第一帖"), ("body", "x")]).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = new_thread(&p, "shenghuo", 10, &[("nickname", "己"), ("subject", "第二帖"), ("body", "x")]).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS, "{}", second.body);
    assert!(alert(&second).contains("间隔太短"), "{}", second.body);
    assert!(second.header("retry-after").parse::<i64>().unwrap() >= 1);
    assert!(second.body.contains("value=\"第二帖\""), "input kept");
    // One address, several posters: the address limit.
    p.group().set_forum_setting(&Actor::system("t"), &Origin::other("t"), "forum.rate.per_address", "2").unwrap();
    assert_eq!(send_from(&p, 11).await.status, StatusCode::OK);
    assert_eq!(send_from(&p, 12).await.status, StatusCode::OK);
    let refused = send_from(&p, 13).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(alert(&refused).contains("您所在网络发帖过于频繁"), "{}", refused.body);
    // No raw address was stored.
    let leaked: i64 = p
        .group()
        .db()
        .read(|tx| {
            tx.query_one(
                "SELECT COUNT(*) FROM forum_posts WHERE address_hash LIKE '%10.9.8.7%' OR poster_hash LIKE '%10.9.8.7%'",
                &[],
            )?
            .get(0)
        })
        .unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test]
async fn only_the_centre_moderates() {
    let p = TestPortal::new();
    let unit_admin = p.login("jyj_admin").await;
    // Not a moderator: sent from the queue to the threads of the unit.
    let res = p.get_with_cookie("/admin/luntan", &unit_admin).await;
    assert_eq!((res.status, res.header("location")), (StatusCode::SEE_OTHER, "/admin/luntan/threads"));
    let mine = p.get_with_cookie("/admin/luntan/threads", &unit_admin).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let jiaoyu = p.group().forum_threads("jiaoyu", 1, 30).unwrap();
    assert!(mine.body.contains(&esc(&jiaoyu.threads[0].thread.subject)));
    let general = p.group().forum_threads("jianyan", 1, 30).unwrap();
    assert!(!mine.body.contains(&esc(&general.threads[0].thread.subject)), "not threads without its unit");
    let other =
        p.get_with_cookie(&format!("/admin/luntan/threads/{}", general.threads[0].thread.id), &unit_admin).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get_with_cookie("/admin/luntan/boards", &unit_admin).await.status, StatusCode::FORBIDDEN);
    let pending = p.group().forum_queue(&Actor::system("t"), 10).unwrap();
    let (_, token) = p.csrf().await;
    let res = p
        .post_form(
            &format!("/admin/luntan/posts/{}/moderate", pending[0].post.id),
            &body_of(&token, &[("op", "approve")]),
            Some(&unit_admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert_eq!(p.group().forum_queue(&Actor::system("t"), 10).unwrap().len(), pending.len());
    let res = p
        .post_form(
            "/admin/luntan/boards",
            &body_of(&token, &[("slug", "x"), ("name", "x"), ("moderation", "post")]),
            Some(&unit_admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Without a session: the login page.
    assert_eq!(p.get("/admin/luntan").await.status, StatusCode::SEE_OTHER);
    // The centre manages boards.
    let admin = p.login("admin").await;
    let page = p.get_with_cookie("/admin/luntan/boards", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = page.hidden("csrf");
    let res = p
        .post_form(
            "/admin/luntan/boards",
            &body_of(&token, &[("slug", "tiyu"), ("name", "体育健身"), ("moderation", "pre"), ("position", "9")]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(p.get("/hudong/luntan").await.body.contains("体育健身"));
    let dup = p
        .post_form(
            "/admin/luntan/boards",
            &body_of(&token, &[("slug", "tiyu"), ("name", "又一个"), ("moderation", "pre")]),
            Some(&admin),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
    assert!(dup.body.contains("已被使用"));
}
