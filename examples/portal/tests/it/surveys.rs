//! 在线调查 (issue 5 item 9) in the portal: the public list and answer form, one
//! response per person with a clear message, bad answers explained next to their
//! question, the per-address limit, a closed survey, results drawn as inline SVG, free
//! text escaped and kept out of public pages, the back office (create, edit, publish,
//! results, CSV and .xlsx) and who may use it.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sitegroup::interaction::survey::{NewQuestion, NewSurvey, QuestionKind, Survey};
use sitegroup::{Actor, Origin};

use crate::support::{Resp, TestPortal, encode, esc};

/// The open demo survey.
fn demo_survey(p: &TestPortal) -> Survey {
    let now = p.group().now();
    p.group().public_surveys().unwrap().into_iter().find(|s| s.phase(now).as_str() == "open").expect("an open survey")
}

fn count(p: &TestPortal, sql: &str) -> i64 {
    p.group().db().read(|tx| tx.query_one(sql, &[])?.get(0)).unwrap()
}

/// Opens the survey page as a new visitor: the Cookie header (CSRF and visitor id) and
/// the CSRF token.
async fn visit(p: &TestPortal, id: i64) -> (String, String) {
    let (csrf_cookie, token) = p.csrf().await;
    let page = p.get_with_cookie(&format!("/hudong/diaocha/{id}"), &csrf_cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let visitor = page.cookie("sg_visitor").expect("a visitor cookie is set");
    assert_eq!(visitor.len(), 32);
    assert!(page.set_cookie("sg_visitor").unwrap().contains("HttpOnly"));
    (format!("{csrf_cookie}; sg_visitor={visitor}"), token)
}

fn form(token: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={token}");
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

/// A complete, valid answer to the demo survey.
const GOOD: &[(&str, &str)] =
    &[("q1", "1"), ("q2", "2"), ("q2", "3"), ("q3", "2"), ("q4", "4"), ("q5", "希望延长办事时间")];

async fn answer(p: &TestPortal, id: i64, cookie: &str, token: &str, pairs: &[(&str, &str)]) -> Resp {
    p.post_form(&format!("/hudong/diaocha/{id}"), &form(token, pairs), Some(cookie)).await
}

async fn answer_from(p: &TestPortal, id: i64, cookie: &str, token: &str, pairs: &[(&str, &str)], ip: &str) -> Resp {
    let mut req = Request::post(format!("/hudong/diaocha/{id}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(form(token, pairs)))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    p.send(req).await
}

#[test]
fn the_catalogue_has_every_key_the_survey_code_builds() {
    let cat = portal::i18n::Catalogue::for_lang("zh-CN").unwrap();
    let mut keys = vec![];
    for s in ["draft", "upcoming", "open", "closed"] {
        keys.push(format!("sv.phase.{s}"));
        keys.push(format!("sv.err.not_open_{s}"));
        keys.push(format!("sv.show.status.{s}"));
    }
    for s in ["draft", "published", "closed"] {
        keys.push(format!("sv.state.{s}"));
    }
    for k in QuestionKind::ALL {
        keys.push(format!("sv.kind.{}", k.as_str()));
    }
    for d in ["created", "saved", "published", "closed"] {
        keys.push(format!("sv.done.{d}"));
    }
    for w in ["scale", "max_choices", "max_chars"] {
        keys.push(format!("sv.err.limit_{w}"));
    }
    for w in ["max", "scale", "chars"] {
        keys.push(format!("sv.admin.what.{w}"));
    }
    for f in ["title", "intro", "question", "option"] {
        keys.push(format!("sv.field.{f}"));
    }
    let missing: Vec<&String> = keys.iter().filter(|k| !cat.has(k)).collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
}

#[tokio::test]
async fn the_list_and_the_answer_form() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    let list = p.get("/hudong/diaocha").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_security_headers();
    assert!(list.body.contains(&esc(&s.title)), "{}", list.body);
    let (cookie, _) = visit(&p, s.id).await;
    let page = p.get_with_cookie(&format!("/hudong/diaocha/{}", s.id), &cookie).await;
    assert!(page.set_cookie("sg_visitor").is_none(), "the cookie is kept");
    assert!(page.body.contains("type=\"radio\" name=\"q1\""));
    assert!(page.body.contains("type=\"checkbox\" name=\"q2\""));
    assert!(page.body.contains("<textarea"));
    assert!(page.body.contains("name=\"csrf\""));
    // Unknown and malformed ids are 404 pages.
    assert_eq!(p.get("/hudong/diaocha/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/hudong/diaocha/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_response_per_visitor_with_a_clear_message() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    let before = count(&p, "SELECT COUNT(*) FROM survey_responses");
    let (cookie, token) = visit(&p, s.id).await;
    let res = answer(&p, s.id, &cookie, &token, GOOD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), format!("/hudong/diaocha/{}/xiexie", s.id));
    let thanks = p.get(&format!("/hudong/diaocha/{}/xiexie", s.id)).await;
    assert!(thanks.body.contains("提交成功"), "{}", thanks.body);
    // The same visitor again (a double submit): refused, clearly, nothing written.
    let again = answer(&p, s.id, &cookie, &token, GOOD).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("每人只能提交一份"), "{}", again.body);
    assert_eq!(count(&p, "SELECT COUNT(*) FROM survey_responses"), before + 1);
    // Without CSRF: refused.
    let forged = p.post_form(&format!("/hudong/diaocha/{}", s.id), "q1=1", Some(&cookie)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_answers_are_explained_next_to_their_question() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    let before = count(&p, "SELECT COUNT(*) FROM survey_responses");
    let (cookie, token) = visit(&p, s.id).await;
    let cases: [(&[(&str, &str)], &str); 4] = [
        // Missing required (question 3), the other answers kept.
        (&[("q1", "2"), ("q4", "5")], "第 3 题为必答题"),
        // Unknown option.
        (&[("q1", "9"), ("q3", "1"), ("q4", "5")], "第 1 题的选择无效"),
        // Too many choices (at most 3).
        (
            &[("q1", "1"), ("q2", "1"), ("q2", "2"), ("q2", "3"), ("q2", "4"), ("q3", "1"), ("q4", "5")],
            "第 2 题最多只能选择 3 项",
        ),
        // Rating out of range.
        (&[("q1", "1"), ("q3", "1"), ("q4", "9")], "第 4 题请在 1 至 5 分之间打分"),
    ];
    for (pairs, message) in cases {
        let res = answer(&p, s.id, &cookie, &token, pairs).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(res.body.contains(message), "{message}: {}", res.body);
        assert!(res.body.contains("答卷未提交"));
    }
    let res = answer(&p, s.id, &cookie, &token, &[("q1", "2"), ("q4", "5")]).await;
    assert!(res.body.contains("name=\"q1\" value=\"2\" checked"), "the answers given are kept");
    // Oversized free text.
    let long = "长".repeat(501);
    let res = answer(&p, s.id, &cookie, &token, &[("q1", "1"), ("q3", "1"), ("q4", "3"), ("q5", &long)]).await;
    assert!(res.body.contains("第 5 题的回答过长（501 字），最多 500 字"), "{}", res.body);
    assert_eq!(count(&p, "SELECT COUNT(*) FROM survey_responses"), before, "nothing written");
}

#[tokio::test]
async fn a_burst_from_one_address_is_refused_with_a_clear_message() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    p.group().set_survey_setting(&Actor::system("test"), &Origin::other("test"), "survey.address_limit", "2").unwrap();
    for n in 0..2 {
        let (cookie, token) = visit(&p, s.id).await;
        let res = answer_from(&p, s.id, &cookie, &token, GOOD, "203.0.113.9").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{n}: {}", res.body);
    }
    let (cookie, token) = visit(&p, s.id).await;
    let res = answer_from(&p, s.id, &cookie, &token, GOOD, "203.0.113.9").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.body.contains("提交过于频繁"), "{}", res.body);
    assert_eq!(res.header("retry-after"), "3600");
    // Another address is fine; the address itself is stored nowhere.
    let res = answer_from(&p, s.id, &cookie, &token, GOOD, "203.0.113.10").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    for table in ["survey_responses", "audit_log", "outbox"] {
        let rows = p.group().db().read(|tx| tx.query(&format!("SELECT * FROM {table}"), &[])).unwrap();
        for row in rows {
            for v in row.values() {
                if let sitegroup::store::Value::Text(t) = v {
                    assert!(!t.contains("203.0.113."), "raw address in {table}: {t}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_closed_survey_takes_no_answers() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    let (cookie, token) = visit(&p, s.id).await;
    p.group().close_survey(&Actor::system("test"), &Origin::other("test"), s.id).unwrap();
    let page = p.get_with_cookie(&format!("/hudong/diaocha/{}", s.id), &cookie).await;
    assert!(page.body.contains("本调查已结束"), "{}", page.body);
    assert!(!page.body.contains("type=\"radio\""), "no form");
    let res = answer(&p, s.id, &cookie, &token, GOOD).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("不再接收答卷"), "{}", res.body);
}

#[tokio::test]
async fn results_are_inline_svg_and_free_text_is_never_public() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    let (cookie, token) = visit(&p, s.id).await;
    let script = "<script>alert('x')</script>";
    let pairs = [("q1", "1"), ("q3", "1"), ("q4", "5"), ("q5", script)];
    assert_eq!(answer(&p, s.id, &cookie, &token, &pairs).await.status, StatusCode::SEE_OTHER);
    let res = p.get(&format!("/hudong/diaocha/{}/jieguo", s.id)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("<svg class=\"ix-bars\""), "{}", res.body);
    assert!(res.body.contains("<rect x=\"190\""));
    assert!(res.body.contains("%）</text>"), "counts and shares drawn");
    assert!(!res.body.contains("http://") && !res.body.contains("https://"), "nothing from another origin");
    assert!(!res.body.contains("alert("), "free text is not public");
    // The back office shows it, escaped.
    let admin = p.login("admin").await;
    let res = p.get_with_cookie(&format!("/admin/diaocha/{}/results", s.id), &admin).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains(&esc(script)), "escaped");
    assert!(!res.body.contains(script), "never raw");
}

#[tokio::test]
async fn the_back_office_creates_publishes_and_exports() {
    let p = TestPortal::new();
    let admin = p.login("admin").await;
    let token = admin.split("sg_csrf=").nth(1).unwrap().split(';').next().unwrap().to_string();
    let list = p.get_with_cookie("/admin/diaocha", &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let new = p.get_with_cookie("/admin/diaocha/new?site=jyj", &admin).await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    assert!(new.body.contains("name=\"q1_text\""));
    let fields: Vec<(&str, &str)> = vec![
        ("site", "jyj"),
        ("title", "课后服务家长满意度调查"),
        ("intro", "请家长如实填写。"),
        ("opens", "2026-01-01T08:00"),
        ("closes", "2099-12-31T18:00"),
        ("results_public", "1"),
        ("slots", "3"),
        ("q1_kind", "single"),
        ("q1_text", "您的孩子参加课后服务了吗？"),
        ("q1_required", "1"),
        ("q1_options", "参加了\n没有参加"),
        ("q2_kind", "rating"),
        ("q2_text", "请为课后服务打分"),
        ("q2_required", "1"),
        ("q2_scale", "10"),
        ("q3_kind", "text"),
        ("q3_text", ""),
    ];
    // A bad number is explained and the form kept.
    let mut bad = fields.clone();
    bad.push(("q2_scale", "x"));
    bad.retain(|(k, v)| *k != "q2_scale" || *v == "x");
    let res = p.post_form("/admin/diaocha/new", &form(&token, &bad), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("第 2 题的“评分满分”须为正整数"), "{}", res.body);
    assert!(res.body.contains("课后服务家长满意度调查"));
    // A choice question with one option: the library's message, next to it.
    let mut one = fields.clone();
    one.retain(|(k, _)| *k != "q1_options");
    one.push(("q1_options", "只有一个"));
    let res = p.post_form("/admin/diaocha/new", &form(&token, &one), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("第 1 题须有 2 至 30 个选项"), "{}", res.body);

    let res = p.post_form("/admin/diaocha/new", &form(&token, &fields), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let at = res.header("location").to_string();
    assert!(at.ends_with("?done=created"), "{at}");
    let id: i64 = at.trim_start_matches("/admin/diaocha/").split('?').next().unwrap().parse().unwrap();
    let survey = p.group().survey_admin(&Actor::system("test"), id).unwrap();
    assert_eq!(survey.questions.len(), 2, "the blank slot is not saved");
    assert_eq!(survey.questions[1].scale, 10);
    let page = p.get_with_cookie(&at, &admin).await;
    assert!(page.body.contains("调查已创建"), "{}", page.body);
    assert!(page.body.contains("value=\"您的孩子参加课后服务了吗？\""), "the draft's form");
    // Publish, answer, export.
    let res = p.post_form(&format!("/admin/diaocha/{id}/publish"), &form(&token, &[]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (cookie, t) = visit(&p, id).await;
    let res = answer(&p, id, &cookie, &t, &[("q1", "1"), ("q2", "9")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Editing a published survey is refused.
    let res = p.post_form(&format!("/admin/diaocha/{id}/edit"), &form(&token, &fields), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let csv = p.get_with_cookie(&format!("/admin/diaocha/{id}/export.csv"), &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[0].starts_with("答卷编号,提交时间,1. 您的孩子参加课后服务了吗？,2. 请为课后服务打分"));
    assert!(lines[1].ends_with(",参加了,9"), "{}", lines[1]);
    let xlsx = p.get_with_cookie(&format!("/admin/diaocha/{id}/export.xlsx"), &admin).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    assert_eq!(&xlsx.bytes[..4], b"PK\x03\x04");
    let res = p.post_form(&format!("/admin/diaocha/{id}/close"), &form(&token, &[]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn who_may_use_the_back_office() {
    let p = TestPortal::new();
    let s = demo_survey(&p);
    // No session: the login form.
    let res = p.get(&format!("/admin/diaocha/{}/export.csv", s.id)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/login");
    // Another site's administrator: refused.
    let jyj = p.login("jyj_admin").await;
    let res = p.get_with_cookie(&format!("/admin/diaocha/{}/results", s.id), &jyj).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = p.get_with_cookie(&format!("/admin/diaocha/{}/export.xlsx", s.id), &jyj).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // A site administrator writes drafts on their site but does not publish them.
    let now = p.group().now();
    let jyj_site = p.group().site("jyj").unwrap().id;
    let draft = NewSurvey {
        title: "草稿".into(),
        questions: vec![NewQuestion::new(QuestionKind::Text, "意见", false, &[])],
        opens_at: now,
        closes_at: now + 86_400,
        ..Default::default()
    };
    let d = p.group().create_survey(&Actor::system("test"), &Origin::other("test"), jyj_site, &draft).unwrap();
    let token = jyj.split("sg_csrf=").nth(1).unwrap().split(';').next().unwrap().to_string();
    let res = p.post_form(&format!("/admin/diaocha/{}/publish", d.id), &form(&token, &[]), Some(&jyj)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let list = p.get_with_cookie("/admin/diaocha", &jyj).await;
    assert!(list.body.contains("草稿"));
    assert!(!list.body.contains(&esc(&s.title)), "another site's survey is not listed");
}
