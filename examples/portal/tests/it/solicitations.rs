//! 民意征集 (issue 5 item 10) in the portal: the public list and pages, commenting
//! (pending until approved, HTML escaped, double submits give one comment, bursts
//! refused), moderation and who may do it, the feedback summary, and the centre's list
//! of overdue summaries.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::interaction::solicitation::{
    CommentState, Moderation, NewSolicitation, Solicitation, SolicitationPhase,
};
use sitegroup::{Actor, Origin};

use crate::support::{Resp, TestPortal, encode, esc};

fn sys() -> Actor {
    Actor::system("test")
}

fn o() -> Origin {
    Origin::other("test")
}

fn by_phase(p: &TestPortal, phase: SolicitationPhase) -> Solicitation {
    let now = p.group().now();
    p.group()
        .public_solicitations()
        .unwrap()
        .into_iter()
        .find(|s| s.phase(now) == phase)
        .unwrap_or_else(|| panic!("a demo solicitation in phase {phase:?}"))
}

fn form(token: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={token}");
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

fn token_of(cookie: &str) -> String {
    cookie.split("sg_csrf=").nth(1).unwrap().split(';').next().unwrap().to_string()
}

/// Opens the page of a solicitation: the CSRF cookie, its token and the form's key.
async fn open_form(p: &TestPortal, id: i64) -> (String, String, String) {
    let (cookie, token) = p.csrf().await;
    let page = p.get_with_cookie(&format!("/hudong/zhengji/{id}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let key = page.hidden("key");
    assert_eq!(key.len(), 32);
    (cookie, token, key)
}

async fn post_comment(p: &TestPortal, id: i64, pairs: &[(&str, &str)], ip: Option<&str>) -> Resp {
    let (cookie, token, key) = open_form(p, id).await;
    let mut all = vec![("key", key.as_str())];
    all.extend_from_slice(pairs);
    let mut req = Request::post(format!("/hudong/zhengji/{id}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(form(&token, &all)))
        .unwrap();
    if let Some(ip) = ip {
        let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    p.send(req).await
}

fn count(p: &TestPortal, sql: &str) -> i64 {
    p.group().db().read(|tx| tx.query_one(sql, &[])?.get(0)).unwrap()
}

#[test]
fn the_catalogue_has_every_key_the_solicitation_code_builds() {
    let cat = portal::i18n::Catalogue::for_lang("zh-CN").unwrap();
    let mut keys = vec![];
    for s in ["draft", "upcoming", "open", "awaiting_summary", "concluded"] {
        keys.push(format!("sol.phase.{s}"));
        keys.push(format!("sol.err.not_open_{s}"));
    }
    for s in [CommentState::Pending, CommentState::Approved, CommentState::Rejected] {
        keys.push(format!("sol.comment.{}", s.as_str()));
    }
    for d in ["created", "saved", "published", "closed", "moderated", "feedback_saved", "feedback_published"] {
        keys.push(format!("sol.done.{d}"));
    }
    for f in ["title", "intro", "body", "comment", "author", "feedback", "reason"] {
        keys.push(format!("sol.field.{f}"));
    }
    keys.extend(["sol.source.web", "sol.source.offline"].map(String::from));
    let missing: Vec<&String> = keys.iter().filter(|k| !cat.has(k)).collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
}

#[tokio::test]
async fn the_list_and_the_pages() {
    let p = TestPortal::new();
    let open = by_phase(&p, SolicitationPhase::Open);
    let concluded = by_phase(&p, SolicitationPhase::Concluded);
    let awaiting = by_phase(&p, SolicitationPhase::AwaitingSummary);
    let list = p.get("/hudong/zhengji").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_security_headers();
    for s in [&open, &concluded, &awaiting] {
        assert!(list.body.contains(&esc(&s.title)), "{}", s.title);
    }
    // An open one: the document, approved comments only, the form.
    let page = p.get(&format!("/hudong/zhengji/{}", open.id)).await;
    assert!(page.body.contains("第一条"), "{}", page.body);
    assert!(page.body.contains("建议明确遛狗时间段"), "an approved comment");
    assert!(!page.body.contains("专业办证"), "a rejected comment is not public");
    assert!(!page.body.contains("烈性犬"), "a pending comment is not public");
    assert!(page.body.contains("name=\"body\""));
    // A concluded one: the published summary, no form.
    let page = p.get(&format!("/hudong/zhengji/{}", concluded.id)).await;
    assert!(page.body.contains("意见采纳情况"));
    assert!(page.body.contains("先试点、后推广"), "{}", page.body);
    assert!(!page.body.contains("name=\"body\""));
    // Awaiting its summary: says so.
    let page = p.get(&format!("/hudong/zhengji/{}", awaiting.id)).await;
    assert!(page.body.contains("征集已结束"), "{}", page.body);
    assert_eq!(p.get("/hudong/zhengji/999999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_comment_waits_for_approval_and_is_escaped() {
    let p = TestPortal::new();
    let s = by_phase(&p, SolicitationPhase::Open);
    let script = "<script>alert('x')</script>第三条应当修改";
    let res = post_comment(&p, s.id, &[("author", "<b>张</b>"), ("body", script)], None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("意见已提交"), "{}", res.body);
    assert!(res.body.contains(&esc(script)) && !res.body.contains(script), "escaped on the confirmation");
    // Not public yet.
    let page = p.get(&format!("/hudong/zhengji/{}", s.id)).await;
    assert!(!page.body.contains("第三条应当修改"), "pending is never public");
    // Approved: public, escaped, never raw.
    let c =
        p.group().solicitation_admin(&sys(), s.id).unwrap().comments.into_iter().find(|c| c.body == script).unwrap();
    assert_eq!(c.state, CommentState::Pending);
    p.group().moderate_solicitation_comment(&sys(), &o(), c.id, &Moderation::Approve).unwrap();
    let page = p.get(&format!("/hudong/zhengji/{}", s.id)).await;
    assert!(page.body.contains(&esc(script)), "{}", page.body);
    assert!(!page.body.contains(script));
    assert!(page.body.contains(&esc("<b>张</b>")));
}

#[tokio::test]
async fn double_submits_give_one_comment_and_bursts_are_refused() {
    let p = TestPortal::new();
    let s = by_phase(&p, SolicitationPhase::Open);
    let before = count(&p, "SELECT COUNT(*) FROM solicitation_comments");
    let (cookie, token, key) = open_form(&p, s.id).await;
    let body = form(&token, &[("key", &key), ("body", "同意第四条")]);
    let first = p.post_form(&format!("/hudong/zhengji/{}", s.id), &body, Some(&cookie)).await;
    let second = p.post_form(&format!("/hudong/zhengji/{}", s.id), &body, Some(&cookie)).await;
    assert_eq!((first.status, second.status), (StatusCode::OK, StatusCode::OK));
    assert!(second.body.contains("重复提交只保留一份"), "{}", second.body);
    assert_eq!(count(&p, "SELECT COUNT(*) FROM solicitation_comments"), before + 1);
    // Empty and oversized comments are explained.
    let res = post_comment(&p, s.id, &[("body", "   ")], None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("请填写您的意见"), "{}", res.body);
    let long = "长".repeat(5001);
    let res = post_comment(&p, s.id, &[("body", &long)], None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("过长（5001 字），最多 5000 字"), "{}", res.body);
    // Five comments from one address in ten minutes, then a clear refusal.
    for n in 0..5 {
        let res = post_comment(&p, s.id, &[("body", &format!("意见{n}"))], Some("198.51.100.7")).await;
        assert_eq!(res.status, StatusCode::OK, "{n}");
    }
    let res = post_comment(&p, s.id, &[("body", "第六条")], Some("198.51.100.7")).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.body.contains("提交过于频繁"), "{}", res.body);
    assert!(res.body.contains("第六条"), "the comment is kept in the form");
    assert_eq!(count(&p, "SELECT COUNT(*) FROM solicitation_comments"), before + 6);
    let rows = p.group().db().read(|tx| tx.query("SELECT * FROM solicitation_comments", &[])).unwrap();
    for row in rows {
        for v in row.values() {
            if let sitegroup::store::Value::Text(t) = v {
                assert!(!t.contains("198.51.100.7"), "raw address stored: {t}");
            }
        }
    }
    // A closed solicitation takes no comment.
    let closed = by_phase(&p, SolicitationPhase::AwaitingSummary);
    let (cookie, token) = p.csrf().await;
    let res =
        p.post_form(&format!("/hudong/zhengji/{}", closed.id), &form(&token, &[("body", "晚了")]), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("不再接收意见"), "{}", res.body);
}

#[tokio::test]
async fn only_editors_and_the_centre_moderate() {
    let p = TestPortal::new();
    let s = by_phase(&p, SolicitationPhase::Open);
    let pending = p
        .group()
        .solicitation_admin(&sys(), s.id)
        .unwrap()
        .comments
        .into_iter()
        .find(|c| c.state == CommentState::Pending)
        .expect("a pending demo comment");
    let path = format!("/admin/zhengji/comments/{}", pending.id);
    // A citizen (no session): to the login form, nothing changes.
    let (cookie, token) = p.csrf().await;
    let res = p.post_form(&path, &form(&token, &[("op", "approve")]), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/login");
    // Another site's administrator: refused.
    let jyj = p.login("jyj_admin").await;
    let res = p.post_form(&path, &form(&token_of(&jyj), &[("op", "approve")]), Some(&jyj)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let page = p.get_with_cookie(&format!("/admin/zhengji/{}", s.id), &jyj).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let state = |p: &TestPortal| {
        p.group()
            .solicitation_admin(&sys(), s.id)
            .unwrap()
            .comments
            .into_iter()
            .find(|c| c.id == pending.id)
            .unwrap()
            .state
    };
    assert_eq!(state(&p), CommentState::Pending);
    // The site's own administrator (an editor there) may.
    let gaj = p.login("gaj_admin").await;
    let page = p.get_with_cookie(&format!("/admin/zhengji/{}", s.id), &gaj).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("烈性犬"), "the pending comment is shown to moderators");
    let res = p.post_form(&path, &form(&token_of(&gaj), &[("op", "reject"), ("reason", "重复")]), Some(&gaj)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(state(&p), CommentState::Rejected);
    // The centre too.
    let admin = p.login("admin").await;
    let res = p.post_form(&path, &form(&token_of(&admin), &[("op", "approve")]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), format!("/admin/zhengji/{}?done=moderated", s.id));
    assert_eq!(state(&p), CommentState::Approved);
}

#[tokio::test]
async fn the_summary_is_written_and_published_and_overdue_ones_are_listed() {
    let p = TestPortal::new();
    let awaiting = by_phase(&p, SolicitationPhase::AwaitingSummary);
    // A fixture on fixed dates (2025), whatever today is: overdue since 2025-05-30.
    let site = p.group().site("jyj").unwrap().id;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    let old = p
        .group()
        .create_solicitation(
            &sys(),
            &o(),
            site,
            &NewSolicitation {
                title: "2025年中考招生政策征求意见".into(),
                intro: String::new(),
                body: "正文".into(),
                opens_at: at("2025-04-01T00:00:00+08:00"),
                closes_at: at("2025-04-30T00:00:00+08:00"),
            },
        )
        .unwrap();
    p.group().publish_solicitation(&sys(), &o(), old.id).unwrap();

    let admin = p.login("admin").await;
    let res = p.get_with_cookie("/admin/zhengji/overdue", &admin).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains(&esc("2025年中考招生政策征求意见")), "{}", res.body);
    assert!(res.body.contains("2025-05-30"), "its due date");
    let list = p.get_with_cookie("/admin/zhengji", &admin).await;
    assert!(list.body.contains("/admin/zhengji/overdue"), "the centre sees the link");
    // Not for a site administrator.
    let jyj = p.login("jyj_admin").await;
    assert_eq!(p.get_with_cookie("/admin/zhengji/overdue", &jyj).await.status, StatusCode::FORBIDDEN);

    // Write and publish the summary of the demo's awaiting solicitation.
    let token = token_of(&admin);
    let path = format!("/admin/zhengji/{}", awaiting.id);
    let res = p.post_form(&format!("{path}/feedback/publish"), &form(&token, &[]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing saved yet: {}", res.body);
    assert!(res.body.contains("请先保存意见采纳情况"));
    let res = p
        .post_form(&format!("{path}/feedback"), &form(&token, &[("text", "采纳"), ("adopted", "99")]), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("采纳条数（99）不能多于"), "{}", res.body);
    let text = "采纳了关于收益分配的意见；地价评估制度另行制定。";
    let res = p
        .post_form(&format!("{path}/feedback"), &form(&token, &[("text", text), ("adopted", "1")]), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let public = p.get(&format!("/hudong/zhengji/{}", awaiting.id)).await;
    assert!(!public.body.contains(text), "saved, not yet public");
    let res = p.post_form(&format!("{path}/feedback/publish"), &form(&token, &[]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let public = p.get(&format!("/hudong/zhengji/{}", awaiting.id)).await;
    assert!(public.body.contains(text), "{}", public.body);
    let res = p.get_with_cookie("/admin/zhengji/overdue", &admin).await;
    assert!(!res.body.contains(&esc(&awaiting.title)), "no longer overdue");
}

#[tokio::test]
async fn the_back_office_creates_and_publishes() {
    let p = TestPortal::new();
    let admin = p.login("admin").await;
    let token = token_of(&admin);
    let new = p.get_with_cookie("/admin/zhengji/new?site=jyj", &admin).await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    let fields = [
        ("site", "jyj"),
        ("title", "《无为县中小学课后服务实施办法》征求意见"),
        ("intro", "欢迎提出意见。"),
        ("body", "第一条 为做好课后服务，制定本办法。"),
        ("opens", "2026-01-01T08:00"),
        ("closes", "2099-01-01T08:00"),
    ];
    let mut bad = fields;
    bad[5] = ("closes", "2025-01-01T08:00");
    let res = p.post_form("/admin/zhengji/new", &form(&token, &bad), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("结束时间须晚于开始时间"), "{}", res.body);
    let res = p.post_form("/admin/zhengji/new", &form(&token, &fields), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let at = res.header("location").to_string();
    let id: i64 = at.trim_start_matches("/admin/zhengji/").split('?').next().unwrap().parse().unwrap();
    assert_eq!(p.get(&format!("/hudong/zhengji/{id}")).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    let res = p.post_form(&format!("/admin/zhengji/{id}/publish"), &form(&token, &[]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = p.get(&format!("/hudong/zhengji/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"body\""), "open for comments");
}
