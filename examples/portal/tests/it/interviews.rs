//! 在线访谈 in the portal (issue 5, item 8): the public lists and pages, the question
//! form (HTML escaped, contacts never shown, nothing public before approval, double
//! submits, bursts, oversized bodies), the live stream of server-sent events, the back
//! office (planning, moderation, answers, the yearly planning view) and who may use it.

use axum::body::{Body, BodyDataStream};
use axum::http::{Request, StatusCode};
use futures_util::{FutureExt, StreamExt};
use sitegroup::interaction::interview::{InterviewState, NewInterview, NewQuestion};
use sitegroup::{Actor, Origin};
use tower::ServiceExt;

use crate::support::{Resp, TestPortal, encode, esc};

const SCRIPT: &str = "<script>alert('x')</script>";

fn system() -> Actor {
    Actor::system("test")
}

fn o() -> Origin {
    Origin::other("test")
}

fn body_of(token: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={token}");
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

/// The CSRF token inside a Cookie header made by `TestPortal::login` or `csrf`.
fn token_of(cookie: &str) -> String {
    let marker = format!("{}=", portal::CSRF_COOKIE);
    let start = cookie.find(&marker).unwrap() + marker.len();
    cookie[start..].split(';').next().unwrap().to_string()
}

/// The id of the demo's interview in `state`.
fn demo_interview(p: &TestPortal, state: InterviewState) -> i64 {
    p.group().interviews(&system(), None).unwrap().iter().find(|s| s.interview.state == state).unwrap().interview.id
}

/// A live interview of the education bureau with one approved question; returns the
/// interview's and the question's ids.
fn live_interview(p: &TestPortal) -> (i64, i64) {
    let g = p.group();
    let start = g.now() + 3600;
    let new = NewInterview {
        unit: "jyj".into(),
        topic: "课后服务答网友问".into(),
        guests: vec![sitegroup::interaction::interview::Guest { name: "王明".into(), post: "局长".into() }],
        host: "李晓".into(),
        starts_at: start,
        ends_at: start + 7200,
        ..Default::default()
    };
    let i = g.plan_interview(&system(), &o(), &new).unwrap();
    g.announce_interview(&system(), &o(), i.id).unwrap();
    let q = NewQuestion { nickname: "家长".into(), text: "课后服务几点结束？".into(), ..Default::default() };
    let asked = g.ask_interview_question(&o(), i.id, &q).unwrap();
    g.approve_interview_question(&system(), &o(), asked.question).unwrap();
    g.start_interview(&system(), &o(), i.id).unwrap();
    (i.id, asked.question)
}

/// Positions in `body` of each needle, which must all be there.
fn positions(body: &str, needles: &[String]) -> Vec<usize> {
    needles.iter().map(|n| body.find(n.as_str()).unwrap_or_else(|| panic!("{n} not in page"))).collect()
}

#[tokio::test]
async fn the_lists_show_upcoming_and_archive_but_never_a_planned_interview() {
    let p = TestPortal::new();
    let res = p.get("/hudong/fangtan").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.assert_security_headers();
    let listed = p.group().public_interviews().unwrap();
    assert!(listed.iter().any(|s| s.interview.state == InterviewState::Announced));
    assert!(listed.iter().filter(|s| s.interview.state == InterviewState::Archived).count() >= 2);
    for s in &listed {
        assert!(res.body.contains(&esc(&s.interview.topic)), "{} listed", s.interview.topic);
    }
    let planned = demo_interview(&p, InterviewState::Planned);
    let topic = p.group().interview_detail(&system(), planned).unwrap().interview.topic;
    assert!(!res.body.contains(&esc(&topic)), "a planned interview is not public");
    assert_eq!(p.get(&format!("/hudong/fangtan/{planned}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get(&format!("/hudong/fangtan/{planned}/live")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/hudong/fangtan/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/hudong/fangtan/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_archived_interview_shows_its_full_transcript_in_order() {
    let p = TestPortal::new();
    let id = demo_interview(&p, InterviewState::Archived);
    let public = p.group().public_interview(id).unwrap();
    assert!(public.transcript.len() >= 5, "remarks and answers");
    let res = p.get(&format!("/hudong/fangtan/{id}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("name=\"text\""), "no question form on an archived interview");
    let ids: Vec<String> = public.transcript.iter().map(|e| format!("id=\"iv-entry-{}\"", e.seq)).collect();
    let at = positions(&res.body, &ids);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "entries in order");
    let texts: Vec<String> = public.transcript.iter().map(|e| esc(&e.text)).collect();
    // Each text appears after its own entry's anchor.
    for (anchor, text) in at.iter().zip(&texts) {
        assert!(res.body[*anchor..].contains(text.as_str()));
    }
    let first_question = public.transcript.iter().find_map(|e| e.question.as_ref()).unwrap();
    assert!(res.body.contains(&esc(&first_question.text)));
}

/// Opens an interview page as a browser does: the CSRF cookie, its token and the
/// question form's idempotency key.
async fn open_page(p: &TestPortal, id: i64) -> (String, String, String) {
    let (cookie, token) = p.csrf().await;
    let page = p.get_with_cookie(&format!("/hudong/fangtan/{id}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let key = page.hidden("key");
    assert_eq!(key.len(), 32);
    (cookie, token, key)
}

async fn ask(p: &TestPortal, id: i64, cookie: &str, token: &str, key: &str, text: &str, contact: &str) -> Resp {
    let pairs = [("key", key), ("nickname", "老张"), ("text", text), ("contact", contact)];
    p.post_form(&format!("/hudong/fangtan/{id}/tiwen"), &body_of(token, &pairs), Some(cookie)).await
}

#[tokio::test]
async fn a_question_is_escaped_private_until_approved_and_its_contact_never_shown() {
    let p = TestPortal::new();
    let id = demo_interview(&p, InterviewState::Announced);
    let (cookie, token, key) = open_page(&p, id).await;
    let text = format!("{SCRIPT}学区怎么划分？");
    let res = ask(&p, id, &cookie, &token, &key, &text, "13912345678").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains(&esc(p.state.catalogue().get("iv.ask.received"))));
    // A double submit of the same form gives the same question.
    let again = ask(&p, id, &cookie, &token, &key, &text, "13912345678").await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains(&esc(p.state.catalogue().get("iv.ask.replayed"))));
    let detail = p.group().interview_detail(&system(), id).unwrap();
    let mine: Vec<_> = detail.questions.iter().filter(|q| q.text == text).collect();
    assert_eq!(mine.len(), 1, "one question for one key");
    let qid = mine[0].id;

    // Pending: not on the public page.
    let page = p.get(&format!("/hudong/fangtan/{id}")).await;
    assert!(!page.body.contains("学区怎么划分"), "an unapproved question never appears publicly");
    assert!(!page.body.contains("13912345678"));

    // A citizen (no session) cannot moderate; a site administrator without the
    // handler's role neither.
    let approve = body_of(&token, &[("op", "approve"), ("interview", &id.to_string())]);
    let res = p.post_form(&format!("/admin/fangtan/questions/{qid}"), &approve, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/login");
    let site_admin = p.login("jyj_admin").await;
    let body = body_of(&token_of(&site_admin), &[("op", "approve"), ("interview", &id.to_string())]);
    let res = p.post_form(&format!("/admin/fangtan/questions/{qid}"), &body, Some(&site_admin)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert_eq!(p.get(&format!("/admin/fangtan/{id}")).await.status, StatusCode::SEE_OTHER);
    let still = p.group().interview_detail(&system(), id).unwrap();
    assert!(still.questions.iter().any(|q| q.id == qid && q.state.as_str() == "pending"));

    // The centre approves: now public, escaped, still without the contact.
    let admin = p.login("admin").await;
    let body = body_of(&token_of(&admin), &[("op", "approve"), ("interview", &id.to_string())]);
    let res = p.post_form(&format!("/admin/fangtan/questions/{qid}"), &body, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = p.get(&format!("/hudong/fangtan/{id}")).await;
    assert!(page.body.contains(&esc(&text)), "approved: public and escaped");
    assert!(!page.body.contains(SCRIPT), "never raw HTML");
    assert!(!page.body.contains("13912345678"), "contacts never appear publicly");
    // The back office shows the contact to the moderators.
    let bo = p.get_with_cookie(&format!("/admin/fangtan/{id}"), &admin).await;
    assert_eq!(bo.status, StatusCode::OK, "{}", bo.body);
    assert!(bo.body.contains("13912345678"));
    assert!(!bo.body.contains(SCRIPT));
}

#[tokio::test]
async fn bad_questions_get_clear_messages_and_write_nothing() {
    let p = TestPortal::new();
    let id = demo_interview(&p, InterviewState::Announced);
    let count = || p.group().interview_detail(&system(), id).unwrap().questions.len();
    let before = count();
    let (cookie, token, key) = open_page(&p, id).await;
    // Too long.
    let res = ask(&p, id, &cookie, &token, &key, &"问".repeat(1_001), "").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"err-text\""), "{}", res.body);
    // A contact that is neither a phone number nor an e-mail address.
    let res = ask(&p, id, &cookie, &token, &key, "问题", "not a phone").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"err-contact\""));
    assert!(res.body.contains(&esc(p.state.catalogue().get("iv.err.contact"))));
    // No CSRF token.
    let res = p.post_form(&format!("/hudong/fangtan/{id}/tiwen"), "text=x", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // An oversized body.
    let huge = body_of(&token, &[("text", &"字".repeat(20_000))]);
    let res = p.post_form(&format!("/hudong/fangtan/{id}/tiwen"), &huge, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.is_html());
    assert_eq!(count(), before, "nothing written");
    // Questions are closed once the session is over.
    let archived = demo_interview(&p, InterviewState::Archived);
    let res = ask(&p, archived, &cookie, &token, "closed-1", "还能提问吗", "").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("id=\"iv-alert\""), "{}", res.body);
    // A burst from one address: five go in, the sixth is refused with a clear message.
    for n in 0..5 {
        let res = ask(&p, id, &cookie, &token, &format!("burst-{n}"), &format!("第{n}个问题"), "").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    let res = ask(&p, id, &cookie, &token, "burst-6", "第六个问题", "").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!res.header("retry-after").is_empty());
    let message = p.state.catalogue().format("iv.rate_limited", &[("count", "5"), ("minutes", "10")]);
    assert!(res.body.contains(&esc(&message)), "{}", res.body);
    assert_eq!(count(), before + 5);
}

/// Every event frame ready now, without waiting; and whether the stream ended.
fn ready(stream: &mut BodyDataStream) -> (String, bool) {
    let mut out = String::new();
    loop {
        match stream.next().now_or_never() {
            Some(Some(Ok(bytes))) => out.push_str(&String::from_utf8_lossy(&bytes)),
            Some(Some(Err(e))) => panic!("stream error: {e}"),
            Some(None) => return (out, true),
            None => return (out, false),
        }
    }
}

#[tokio::test]
async fn a_live_answer_is_delivered_to_an_sse_subscriber() {
    let p = TestPortal::new();
    let (id, qid) = live_interview(&p);
    let g = p.group();
    g.add_interview_remark(&system(), &o(), id, sitegroup::interaction::interview::Speaker::Host, "", "欢迎各位网友。")
        .unwrap();

    let req = Request::get(format!("/hudong/fangtan/{id}/live")).body(Body::empty()).unwrap();
    let res = p.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut stream = res.into_body().into_data_stream();
    // First what exists: the opening remark, then the state.
    let (first, ended) = ready(&mut stream);
    assert!(!ended);
    assert!(first.contains("event: entry") && first.contains("id: 1") && first.contains("欢迎各位网友。"), "{first}");
    assert!(first.contains("event: state") && first.contains("\"live\""), "{first}");

    // The unit answers through the back office: the subscriber gets it at once.
    let admin = p.login("admin").await;
    let pairs = [("op", "answer"), ("interview", &id.to_string()), ("guest", "王明"), ("text", "下午五点半结束。")];
    let res = p
        .post_form(&format!("/admin/fangtan/questions/{qid}"), &body_of(&token_of(&admin), &pairs), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (next, ended) = ready(&mut stream);
    assert!(!ended);
    assert!(next.contains("event: entry") && next.contains("id: 2"), "{next}");
    assert!(next.contains("下午五点半结束。") && next.contains("课后服务几点结束？"), "{next}");
    assert!(!next.contains("\"contact\""));

    // A viewer connecting later with the position it has gets only what is new.
    let req = Request::get(format!("/hudong/fangtan/{id}/live?after=1")).body(Body::empty()).unwrap();
    let mut late = p.app.clone().oneshot(req).await.unwrap().into_body().into_data_stream();
    let (caught_up, _) = ready(&mut late);
    assert!(caught_up.contains("id: 2") && !caught_up.contains("id: 1\n"), "{caught_up}");

    // Ending the session tells the viewers and closes their streams.
    let res = p
        .post_form(&format!("/admin/fangtan/{id}/step"), &body_of(&token_of(&admin), &[("op", "end")]), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (last, ended) = ready(&mut stream);
    assert!(last.contains("event: state") && last.contains("\"ended\""), "{last}");
    assert!(ended, "the stream ends with the session");

    // The live page, without JavaScript, reloads itself; with it, interview.js follows.
    let (id2, _) = live_interview(&p);
    let page = p.get(&format!("/hudong/fangtan/{id2}")).await;
    assert!(page.body.contains("http-equiv=\"refresh\""));
    assert!(page.body.contains("/static/interview.js"));
    assert!(page.body.contains(&format!("data-live=\"{}\"", esc(&format!("/hudong/fangtan/{id2}/live")))));
    let js = p.get("/static/interview.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("EventSource") && js.body.contains("textContent") && !js.body.contains("innerHTML"));
}

#[tokio::test]
async fn the_back_office_plans_announces_and_runs_an_interview() {
    let p = TestPortal::new();
    let admin = p.login("admin").await;
    let token = token_of(&admin);
    let list = p.get_with_cookie("/admin/fangtan", &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("name=\"lead_days\""));
    let form = p.get_with_cookie("/admin/fangtan/new", &admin).await;
    assert_eq!(form.status, StatusCode::OK);

    let fields = |starts: &'static str, ends: &'static str| {
        vec![
            ("unit", "rsj"),
            ("topic", "稳就业政策解读"),
            ("host", "李晓"),
            ("guests", "张军 局长\n刘芳，副局长"),
            ("starts", starts),
            ("ends", ends),
            ("outline", "一、就业补贴"),
            ("background", "<b>背景</b>"),
        ]
    };
    // The end before the start: the form again with the reason, nothing written.
    let before = p.group().interviews(&system(), None).unwrap().len();
    let bad = p
        .post_form(
            "/admin/fangtan/new",
            &body_of(&token, &fields("2030-05-01T10:00", "2030-05-01T09:00")),
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(&esc(p.state.catalogue().get("iv.err.schedule"))), "{}", bad.body);
    assert!(bad.body.contains(&esc("稳就业政策解读")), "the input is kept");
    assert_eq!(p.group().interviews(&system(), None).unwrap().len(), before);

    let res = p
        .post_form(
            "/admin/fangtan/new",
            &body_of(&token, &fields("2030-05-01T10:00", "2030-05-01T12:00")),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let location = res.header("location").to_string();
    let id: i64 = location.trim_start_matches("/admin/fangtan/").split('?').next().unwrap().parse().unwrap();
    let detail = p.group().interview_detail(&system(), id).unwrap().interview;
    assert_eq!(detail.state, InterviewState::Planned);
    assert_eq!(
        detail.guests.iter().map(|g| (g.name.as_str(), g.post.as_str())).collect::<Vec<_>>(),
        vec![("张军", "局长"), ("刘芳", "副局长")]
    );
    assert_eq!(p.get(&format!("/hudong/fangtan/{id}")).await.status, StatusCode::NOT_FOUND);

    let show = p.get_with_cookie(&location, &admin).await;
    assert_eq!(show.status, StatusCode::OK);
    assert!(show.body.contains(&esc("<b>背景</b>")), "plan text escaped in the back office");
    // Starting before the announcement is refused with a clear message.
    let res =
        p.post_form(&format!("/admin/fangtan/{id}/step"), &body_of(&token, &[("op", "start")]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res =
        p.post_form(&format!("/admin/fangtan/{id}/step"), &body_of(&token, &[("op", "announce")]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = p.get(&format!("/hudong/fangtan/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&esc("<b>背景</b>")) && !page.body.contains("<b>背景</b>"));
    assert!(page.body.contains("name=\"text\""), "the question form is open");

    // The lead-time setting: 7 to 14 days.
    let res = p.post_form("/admin/fangtan/settings", &body_of(&token, &[("lead_days", "20")]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains(&esc(p.state.catalogue().get("iv.err.lead_days"))));
    let res = p.post_form("/admin/fangtan/settings", &body_of(&token, &[("lead_days", "14")]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(p.group().interview_lead_days().unwrap(), 14);
}

#[tokio::test]
async fn the_yearly_planning_view_is_for_the_centre() {
    let p = TestPortal::new();
    let admin = p.login("admin").await;
    let res = p.get_with_cookie("/admin/fangtan/planning", &admin).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("id=\"iv-planning\"") && res.body.contains("<svg"));
    let year = {
        use chrono::Datelike;
        sitegroup::interaction::model::beijing_date(p.group().now()).unwrap().year()
    };
    let view = p.group().interview_planning(&system(), year).unwrap();
    let first = &view.rows[0];
    assert!(res.body.contains(&esc(&first.unit_name)));
    let res = p.get_with_cookie("/admin/fangtan/planning?year=abc", &admin).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let site_admin = p.login("jyj_admin").await;
    assert_eq!(p.get_with_cookie("/admin/fangtan/planning", &site_admin).await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get_with_cookie("/admin/fangtan", &site_admin).await.status, StatusCode::FORBIDDEN);
}

#[test]
fn every_interview_message_key_used_in_the_code_exists() {
    let cat = portal::i18n::Catalogue::for_lang("zh-CN").unwrap();
    let sources = [
        include_str!("../../src/interaction/interview.rs"),
        include_str!("../../src/interaction/interview/admin.rs"),
        include_str!("../../src/interaction/interview/live.rs"),
    ];
    let mut missing = Vec::new();
    for src in sources {
        for (i, _) in src.match_indices("\"iv.") {
            let rest = &src[i + 1..];
            let key = &rest[..rest.find('"').unwrap()];
            if !key.ends_with('.') && !key.contains('{') && !cat.has(key) {
                missing.push(key.to_string());
            }
        }
    }
    for s in ["planned", "announced", "live", "ended", "archived", "cancelled"] {
        for prefix in ["iv.state.", "iv.admin.section."] {
            if !cat.has(&format!("{prefix}{s}")) {
                missing.push(format!("{prefix}{s}"));
            }
        }
    }
    for s in ["pending", "approved", "rejected", "answered"] {
        if !cat.has(&format!("iv.qstate.{s}")) {
            missing.push(format!("iv.qstate.{s}"));
        }
    }
    for a in ["announce", "start", "end", "archive", "cancel", "update", "moderate", "approve", "reject", "answer"] {
        if !cat.has(&format!("iv.action.{a}")) {
            missing.push(format!("iv.action.{a}"));
        }
    }
    for d in [
        "plan", "update", "announce", "start", "end", "archive", "cancel", "remark", "approve", "reject", "answer",
        "settings",
    ] {
        if !cat.has(&format!("iv.done.{d}")) {
            missing.push(format!("iv.done.{d}"));
        }
    }
    assert!(missing.is_empty(), "missing catalogue keys: {missing:?}");
}
