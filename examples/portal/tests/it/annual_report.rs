//! 依申请公开 and the annual report of government information disclosure in the portal:
//! the public request form, the handler's outcome on the ticket page, the back-office
//! report (tables, warnings, entries, publish, xlsx) and the public report pages.
//!
//! The fixture is a unit and a department site of its own (`ndbgcs`), so the demo's
//! disclosure tickets never reach its tables and the expected figures are exact.

use axum::http::StatusCode;
use chrono::Datelike;
use sitegroup::interaction::disclosure::{ApplicantKind, DisclosureOutcome};
use sitegroup::interaction::flow::Command;
use sitegroup::interaction::model::{NewTicket, Ticket, Writer, beijing_date};
use sitegroup::{Actor, Grant, NewSite, NewUnit, NewUser, Origin, Role, Scope, Site, TicketQuery, UnitKind};

use crate::support::{Resp, TestPortal, encode, esc};

const CODE: &str = "ndbgcs";
const SCRIPT: &str = "<script>alert('x')</script>";

fn system() -> Actor {
    Actor::system("test")
}

fn origin() -> Origin {
    Origin::other("test")
}

/// The fixture's unit and its department site under the county portal.
fn fixture_site(p: &TestPortal) -> Site {
    let g = p.group();
    let unit = g
        .add_unit(
            &system(),
            &origin(),
            &NewUnit { code: CODE.into(), name: "年报测试局".into(), kind: UnitKind::Department },
        )
        .unwrap();
    let portal = g.site_tree().unwrap().sites().iter().find(|s| s.parent.is_none()).unwrap().clone();
    g.add_site(
        &system(),
        &origin(),
        &NewSite {
            code: CODE.into(),
            name: "无为县年报测试局".into(),
            kind: "department".into(),
            parent: Some(portal.id),
            unit: Some(unit.id),
            path_prefix: Some(format!("/{CODE}")),
            ..Default::default()
        },
    )
    .unwrap()
}

/// A user with `role` on `site`, logged in; returns the Cookie header.
async fn user(p: &TestPortal, site: &Site, name: &str, role: Role) -> String {
    let password = "Annual-Report-2026!";
    p.group()
        .add_user(
            &system(),
            &origin(),
            &NewUser { username: name.into(), display_name: Some(name.into()), unit: site.unit },
            Some(password),
        )
        .unwrap();
    p.group().grant(&system(), &origin(), name, Grant { role, scope: Scope::Site(site.id) }).unwrap();
    let (csrf_cookie, token) = p.csrf().await;
    let body = format!("csrf={token}&username={name}&password={}", encode(password));
    let res = p.post_form("/login", &body, Some(&csrf_cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    format!("{csrf_cookie}; {}={}", portal::SESSION_COOKIE, res.cookie(portal::SESSION_COOKIE).unwrap())
}

fn token(cookie: &str) -> String {
    cookie
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == portal::CSRF_COOKIE)
        .map(|(_, v)| v.to_string())
        .unwrap()
}

fn form(token: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={token}");
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

/// A disclosure request to the fixture's unit, submitted through the library.
fn request(p: &TestPortal, subject: &str, applicant: ApplicantKind) -> Ticket {
    let new = NewTicket {
        channel: "disclosure".into(),
        category: String::new(),
        unit: Some(CODE.into()),
        leader: None,
        writer: Writer { name: Some("申请人".into()), phone: Some("13912345678".into()), email: None },
        subject: subject.into(),
        body: "请公开相关信息。".into(),
        attachments: vec![],
        private: true,
        urgent: false,
        idempotency_key: None,
        applicant: Some(applicant.as_str().into()),
    };
    p.group().submit_ticket(&origin(), &new).unwrap().ticket
}

fn step(p: &TestPortal, id: i64, cmd: Command) {
    p.group().ticket_step(&system(), &origin(), id, cmd).unwrap();
}

/// Accepted and assigned to the fixture's unit (the centre's screening).
fn accept(p: &TestPortal, site: &Site, id: i64) {
    step(p, id, Command::Accept { unit: site.unit, urgent: false });
}

/// Answered and approved: concluded.
fn conclude(p: &TestPortal, id: i64, outcome: Option<DisclosureOutcome>) {
    if let Some(outcome) = outcome {
        step(p, id, Command::Decide { outcome });
    }
    step(p, id, Command::Reply { text: "已答复。".into() });
    step(p, id, Command::Approve);
}

/// The current year on the Beijing calendar (the fixture's tickets are received now).
fn this_year(p: &TestPortal) -> i32 {
    beijing_date(p.group().now()).unwrap().year()
}

/// Four requests this year: two by natural persons (one granted, one still open), one by
/// a commercial enterprise (not held), one by a legal-service body concluded without an
/// outcome (counted under 其他 with a warning).
fn four_requests(p: &TestPortal, site: &Site) -> [Ticket; 4] {
    let a = request(p, "申请公开甲", ApplicantKind::NaturalPerson);
    let b = request(p, "申请公开乙", ApplicantKind::NaturalPerson);
    let c = request(p, "申请公开丙", ApplicantKind::CommercialEnterprise);
    let d = request(p, "申请公开丁", ApplicantKind::LegalService);
    for t in [&a, &b, &c, &d] {
        accept(p, site, t.id);
    }
    conclude(p, a.id, Some(DisclosureOutcome::Granted));
    conclude(p, c.id, Some(DisclosureOutcome::UnavailableNotHeld));
    conclude(p, d.id, None);
    [a, b, c, d]
}

/// The numbers of the table row `data-row="{key}"` (its `<td>` cells).
fn row(res: &Resp, key: &str) -> Vec<String> {
    let marker = format!("data-row=\"{key}\"");
    let start = res.body.find(&marker).unwrap_or_else(|| panic!("no row {key} in {}", res.body));
    let rest = &res.body[start..];
    let end = rest.find("</tr>").unwrap();
    rest[..end]
        .split("<td")
        .skip(1)
        .map(|cell| {
            let open = cell.find('>').unwrap() + 1;
            let close = cell.find("</td>").unwrap();
            cell[open..close].to_string()
        })
        .collect()
}

/// The text of the error paragraph of form field `key`.
fn field_error(res: &Resp, key: &str) -> String {
    let marker = format!("id=\"err-{key}\" role=\"alert\">");
    let start = res.body.find(&marker).unwrap_or_else(|| panic!("no error for {key} in {}", res.body)) + marker.len();
    let end = res.body[start..].find('<').unwrap();
    res.body[start..start + end].to_string()
}

fn nums(list: &[u64]) -> Vec<String> {
    list.iter().map(u64::to_string).collect()
}

fn is_xlsx(res: &Resp) {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(res.bytes.starts_with(b"PK\x03\x04"), "a zip file");
    assert!(res.header("content-disposition").starts_with("attachment"));
}

fn catalogue() -> portal::i18n::Catalogue {
    portal::i18n::Catalogue::for_lang("zh-CN").unwrap()
}

#[test]
fn every_key_the_pages_build_at_run_time_exists() {
    let cat = catalogue();
    let mut keys: Vec<String> =
        sitegroup::AnnualReportEntries::FIELDS.iter().map(|(k, _)| format!("ndbg.entry.{k}")).collect();
    keys.extend(["saved", "published", "corrected"].map(|d| format!("ndbg.done.{d}")));
    keys.extend(["ix.done.decide", "ix.action.decide"].map(String::from));
    let missing: Vec<&String> = keys.iter().filter(|k| !cat.has(k)).collect();
    assert!(missing.is_empty(), "{missing:?}");
}

// ---------------------------------------------------------------------------------
// The public request form.

async fn open_form(p: &TestPortal) -> (String, String, Resp) {
    let (cookie, token) = p.csrf().await;
    let page = p.get_with_cookie("/hudong/ysqgk/new", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let key = page.hidden("key");
    (cookie, format!("{token}&key={key}"), page)
}

fn request_pairs<'a>(applicant: &'a str, subject: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("applicant", applicant),
        ("name", "某某律师事务所"),
        ("phone", "13912345678"),
        ("email", ""),
        ("unit", "jyj"),
        ("subject", subject),
        ("body", body),
        ("private", "1"),
    ]
}

fn disclosure_tickets(p: &TestPortal, subject: &str) -> Vec<Ticket> {
    let all = p.group().tickets(&system(), &TicketQuery { limit: 5000, ..TicketQuery::default() }).unwrap();
    all.into_iter().filter(|t| t.subject == subject).collect()
}

#[tokio::test]
async fn the_request_form_gives_a_query_code_and_the_twenty_day_deadline() {
    let p = TestPortal::new();
    let index = p.get("/hudong").await;
    assert!(index.body.contains(r#"href="/hudong/ysqgk/new""#), "the index links the form");
    let (cookie, token, page) = open_form(&p).await;
    assert!(page.body.contains("name=\"private\" value=\"1\" checked"), "private by default");
    for kind in ApplicantKind::ALL {
        assert!(page.body.contains(&format!("value=\"{}\"", kind.as_str())), "{kind:?} offered");
    }
    assert!(page.body.contains("<optgroup label=\"法人或其他组织\">"));
    let pairs = request_pairs("legal_service", "申请公开城区规划图", "请提供2025年城区控制性详细规划图。");
    let res = p.post_form("/hudong/ysqgk/new", &form(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("id=\"ix-code\"") && res.body.contains("id=\"ix-secret\""));
    assert!(res.body.contains("20 个工作日"), "{}", res.body);
    let stored = disclosure_tickets(&p, "申请公开城区规划图");
    assert_eq!(stored.len(), 1);
    let t = &stored[0];
    assert_eq!(t.channel.as_str(), "disclosure");
    assert!(t.private);
    assert_eq!(t.flow.disclosure.as_ref().unwrap().applicant, ApplicantKind::LegalService);
    assert!(t.due_at.is_some(), "a deadline");
}

#[tokio::test]
async fn a_request_without_applicant_kind_or_description_is_refused_next_to_the_field() {
    let p = TestPortal::new();
    let (cookie, token, _) = open_form(&p).await;
    let pairs = request_pairs("", "无类型申请", "请公开。");
    let res = p.post_form("/hudong/ysqgk/new", &form(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"err-applicant\""), "{}", res.body);
    assert!(res.body.contains("请选择申请人类型"));
    assert!(res.body.contains("value=\"无类型申请\""), "input kept");

    let unknown = request_pairs("alien", "未知类型申请", "请公开。");
    let res = p.post_form("/hudong/ysqgk/new", &form(&token, &unknown), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"err-applicant\""), "{}", res.body);

    let empty = request_pairs("natural_person", "无描述申请", "   ");
    let res = p.post_form("/hudong/ysqgk/new", &form(&token, &empty), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"err-body\""), "{}", res.body);
    assert!(res.body.contains("请填写所需信息的内容描述"));
    for subject in ["无类型申请", "未知类型申请", "无描述申请"] {
        assert!(disclosure_tickets(&p, subject).is_empty(), "{subject}: nothing stored");
    }
}

#[tokio::test]
async fn a_script_in_the_subject_is_stored_as_text_and_shown_escaped() {
    let p = TestPortal::new();
    let (cookie, token, _) = open_form(&p).await;
    let subject = format!("{SCRIPT}申请公开");
    let pairs = request_pairs("natural_person", &subject, "请公开相关信息。");
    let res = p.post_form("/hudong/ysqgk/new", &form(&token, &pairs), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!res.body.contains(SCRIPT), "never echoed raw");
    assert!(res.body.contains(&esc(&subject)), "escaped: {}", res.body);
    let stored = disclosure_tickets(&p, &subject);
    assert_eq!(stored.len(), 1, "stored as typed");
    let admin = p.login("admin").await;
    let page = p.get_with_cookie(&format!("/admin/tickets/{}", stored[0].id), &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains(SCRIPT));
    assert!(page.body.contains(&esc(&subject)));
}

// ---------------------------------------------------------------------------------
// The handler's outcome.

#[tokio::test]
async fn the_outcome_select_records_the_outcome() {
    let p = TestPortal::new();
    let site = fixture_site(&p);
    let t = request(&p, "申请公开会议纪要", ApplicantKind::ResearchInstitution);
    accept(&p, &site, t.id);
    let handler = user(&p, &site, "ndbg_handler", Role::Handler).await;
    let path = format!("/admin/tickets/{}", t.id);
    let page = p.get_with_cookie(&path, &handler).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"tk-applicant\">科研机构<"), "{}", page.body);
    assert!(page.body.contains("id=\"tk-outcome\">尚未登记<"));
    assert!(page.body.contains("<optgroup label=\"（三）不予公开\">"), "grouped as the national table");
    for o in DisclosureOutcome::ALL {
        assert!(page.body.contains(&format!("<option value=\"{}\"", o.as_str())), "{o:?}");
    }

    // No outcome chosen: refused in Chinese, nothing recorded.
    let step_path = format!("{path}/step");
    let back = path.clone();
    let none = p
        .post_form(
            &step_path,
            &form(&token(&handler), &[("op", "decide"), ("outcome", ""), ("back", &back)]),
            Some(&handler),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", none.body);
    assert!(none.body.contains("请选择办理结果"), "{}", none.body);

    let res = p
        .post_form(
            &step_path,
            &form(&token(&handler), &[("op", "decide"), ("outcome", "refused.process"), ("back", &back)]),
            Some(&handler),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let stored = p.group().ticket(&system(), t.id).unwrap().ticket;
    assert_eq!(stored.flow.disclosure.unwrap().outcome, Some(DisclosureOutcome::RefusedProcess));
    let page = p.get_with_cookie(&format!("{path}?done=decide"), &handler).await;
    assert!(page.body.contains("办理结果已登记"), "{}", page.body);
    assert!(page.body.contains("id=\"tk-outcome\">（三）不予公开：6.属于四类过程性信息<"), "{}", page.body);
    assert!(page.body.contains("<option value=\"refused.process\" selected>"), "the select shows it");
}

// ---------------------------------------------------------------------------------
// The back-office report.

#[tokio::test]
async fn the_admin_page_renders_the_tables_with_the_fixture_numbers() {
    let p = TestPortal::new();
    let site = fixture_site(&p);
    let [_, _, _, d] = four_requests(&p, &site);
    let year = this_year(&p);
    let admin = user(&p, &site, "ndbg_admin", Role::SiteAdmin).await;
    let res = p.get_with_cookie(&format!("/admin/ndbg?site={CODE}&year={year}"), &admin).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains(&format!("无为县年报测试局{year}年政府信息公开工作年度报告")), "{}", res.body);
    for heading in [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ] {
        assert!(res.body.contains(heading), "{heading}");
    }
    // Columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
    assert_eq!(row(&res, "received"), nums(&[2, 1, 0, 0, 1, 0, 4]));
    assert_eq!(row(&res, "carried_over"), nums(&[0; 7]));
    assert_eq!(row(&res, "granted"), nums(&[1, 0, 0, 0, 0, 0, 1]));
    assert_eq!(row(&res, "unavailable.not_held"), nums(&[0, 1, 0, 0, 0, 0, 1]));
    assert_eq!(row(&res, "other.other"), nums(&[0, 0, 0, 0, 1, 0, 1]));
    assert_eq!(row(&res, "concluded_total"), nums(&[1, 1, 0, 0, 1, 0, 3]));
    assert_eq!(row(&res, "carried_forward"), nums(&[1, 0, 0, 0, 0, 0, 1]));
    // The label cells are merged as in the national form.
    for merged in [
        "colspan=\"3\">一、本年新收政府信息公开申请数量",
        "rowspan=\"22\">三、本年度办理结果",
        "colspan=\"2\">（一）予以公开",
        "rowspan=\"8\">（三）不予公开",
        "rowspan=\"3\">（四）无法提供",
        "rowspan=\"5\">（五）不予处理",
        "rowspan=\"3\">（六）其他处理",
        "colspan=\"2\">（七）总计",
        "colspan=\"3\">四、结转下年度继续办理",
    ] {
        assert!(res.body.contains(merged), "{merged}");
    }
    // The ticket concluded without an outcome is a warning with a link.
    assert!(res.body.contains(&format!("申请 {} 已办结，但未登记办理结果", d.query_code)), "{}", res.body);
    assert!(res.body.contains(&format!("href=\"&#x2f;admin&#x2f;tickets&#x2f;{}\"", d.id)));
    assert!(!res.body.contains("data-warning=\"unbalanced\""), "balanced");
    // The entry form lists every entry key.
    for (key, _) in sitegroup::AnnualReportEntries::FIELDS {
        assert!(res.body.contains(&format!("name=\"{key}\"")), "{key}");
    }
    // The default year is last year.
    let default = p.get_with_cookie("/admin/ndbg", &admin).await;
    assert_eq!(default.status, StatusCode::OK, "{}", default.body);
    assert!(default.body.contains(&format!("<option value=\"{}\" selected>", year - 1)));
    // The admin home links it.
    assert!(p.get_with_cookie("/admin", &admin).await.body.contains(r#"href="/admin/ndbg""#));
}

#[tokio::test]
async fn an_entry_error_refills_the_form_and_saves_nothing() {
    let p = TestPortal::new();
    let site = fixture_site(&p);
    let year = this_year(&p);
    let admin = user(&p, &site, "ndbg_admin", Role::SiteAdmin).await;
    let y = year.to_string();
    let pairs = [
        ("site", CODE),
        ("year", y.as_str()),
        ("overview", "本年度工作总体情况。"),
        ("licensing", "-3"),
        ("penalty", "5"),
    ];
    let res = p.post_form("/admin/ndbg", &form(&token(&admin), &pairs), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(field_error(&res, "licensing"), "“行政许可：本年处理决定数量”：不能为负数");
    assert!(res.body.contains("value=\"-3\"") && res.body.contains("value=\"5\""), "refilled");
    assert!(res.body.contains(">本年度工作总体情况。</textarea>"));
    let stored = p.group().annual_report(&system(), site.id, year).unwrap();
    assert_eq!(stored.entries, sitegroup::AnnualReportEntries::default(), "nothing saved");

    // Letters in an amount, and too many decimals.
    for (key, value, problem) in
        [("fees_wan", "十二", "数字"), ("fee_collected", "1.23456", "4 位小数"), ("penalty", "3.5", "请填写数字")]
    {
        let pairs = [("site", CODE), ("year", y.as_str()), (key, value)];
        let res = p.post_form("/admin/ndbg", &form(&token(&admin), &pairs), Some(&admin)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}: {}", res.body);
        let error = field_error(&res, key);
        assert!(error.contains(problem), "{key}: {error}");
        assert!(error.starts_with(&format!("“{}”", catalogue().get(&format!("ndbg.entry.{key}")))), "{key}: {error}");
    }
    assert_eq!(p.group().annual_report(&system(), site.id, year).unwrap().entries, Default::default());

    // Full-width digits are fine.
    let pairs = [("site", CODE), ("year", y.as_str()), ("licensing", "１２"), ("fees_wan", "３.５")];
    let res = p.post_form("/admin/ndbg", &form(&token(&admin), &pairs), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let stored = p.group().annual_report(&system(), site.id, year).unwrap();
    assert_eq!(stored.entries.licensing, 12);
    assert_eq!(stored.entries.fees_wan.to_string(), "3.5");
    let page = p.get_with_cookie(&format!("/admin/ndbg?site={CODE}&year={year}&done=saved"), &admin).await;
    assert!(page.body.contains("填报内容已保存"));
    assert_eq!(row(&page, "licensing"), vec!["12".to_string()]);
}

#[tokio::test]
async fn publishing_makes_the_public_page_and_an_unpublished_year_is_404() {
    let p = TestPortal::new();
    let site = fixture_site(&p);
    four_requests(&p, &site);
    let year = this_year(&p);
    let y = year.to_string();
    let admin = user(&p, &site, "ndbg_admin", Role::SiteAdmin).await;
    let public = format!("/{CODE}/xxgk/ndbg/{year}");
    assert_eq!(p.get(&public).await.status, StatusCode::NOT_FOUND, "not yet published");
    let list = p.get(&format!("/{CODE}/xxgk/ndbg")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("暂无已发布的年度报告"));

    let pairs = [("site", CODE), ("year", y.as_str()), ("overview", "总体情况良好。"), ("penalty", "7")];
    assert_eq!(
        p.post_form("/admin/ndbg", &form(&token(&admin), &pairs), Some(&admin)).await.status,
        StatusCode::SEE_OTHER
    );
    // Without the confirmation box: nothing published.
    let unconfirmed = [("site", CODE), ("year", y.as_str())];
    let res = p.post_form("/admin/ndbg/publish", &form(&token(&admin), &unconfirmed), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("请勾选"), "{}", res.body);
    assert_eq!(p.get(&public).await.status, StatusCode::NOT_FOUND);

    let confirmed = [("site", CODE), ("year", y.as_str()), ("confirm", "1")];
    let res = p.post_form("/admin/ndbg/publish", &form(&token(&admin), &confirmed), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = p.get(&public).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("无为县年报测试局{year}年政府信息公开工作年度报告")));
    assert_eq!(row(&page, "received"), nums(&[2, 1, 0, 0, 1, 0, 4]));
    assert_eq!(row(&page, "granted"), nums(&[1, 0, 0, 0, 0, 0, 1]));
    assert_eq!(row(&page, "penalty"), vec!["7".to_string()]);
    assert!(page.body.contains("<p>总体情况良好。</p>"));
    assert!(!page.body.contains("name=\"licensing\""), "no entry form in public");
    let list = p.get(&format!("/{CODE}/xxgk/ndbg")).await;
    assert!(list.body.contains(&format!("href=\"&#x2f;{CODE}&#x2f;xxgk&#x2f;ndbg&#x2f;{year}\"")), "{}", list.body);
    is_xlsx(&p.get(&format!("{public}.xlsx")).await);

    // Other years are not published; a year that is no year is not a report page.
    assert_eq!(p.get(&format!("/{CODE}/xxgk/ndbg/{}", year - 1)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get(&format!("/{CODE}/xxgk/ndbg/{}.xlsx", year - 1)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get(&format!("/{CODE}/xxgk/ndbg/abc")).await.status, StatusCode::NOT_FOUND);

    // The figures are frozen: a request concluded afterwards does not change the public page.
    let late = request(&p, "发布后的申请", ApplicantKind::NaturalPerson);
    accept(&p, &site, late.id);
    conclude(&p, late.id, Some(DisclosureOutcome::Granted));
    assert_eq!(row(&p.get(&public).await, "received"), nums(&[2, 1, 0, 0, 1, 0, 4]));
    let admin_page = p.get_with_cookie(&format!("/admin/ndbg?site={CODE}&year={year}"), &admin).await;
    assert!(admin_page.body.contains("id=\"ndbg-state\">已于"), "{}", admin_page.body);
    assert!(admin_page.body.contains("name=\"mode\" value=\"correct\""), "a correction from now on");
}

#[tokio::test]
async fn another_sites_admin_is_refused_and_the_xlsx_downloads() {
    let p = TestPortal::new();
    let site = fixture_site(&p);
    four_requests(&p, &site);
    let year = this_year(&p);
    let y = year.to_string();
    let other = p.login("jyj_admin").await;
    let res = p.get_with_cookie(&format!("/admin/ndbg?site={CODE}&year={year}"), &other).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let res = p.get_with_cookie(&format!("/admin/ndbg.xlsx?site={CODE}&year={year}"), &other).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let confirmed = [("site", CODE), ("year", y.as_str()), ("confirm", "1")];
    let res = p.post_form("/admin/ndbg/publish", &form(&token(&other), &confirmed), Some(&other)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let entries = [("site", CODE), ("year", y.as_str()), ("licensing", "9")];
    let res = p.post_form("/admin/ndbg", &form(&token(&other), &entries), Some(&other)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(p.group().published_annual_report(site.id, year).unwrap().is_none());
    assert_eq!(p.group().annual_report(&system(), site.id, year).unwrap().entries.licensing, 0);
    // Their own site's page works; the picker offers only theirs.
    let own = p.get_with_cookie("/admin/ndbg", &other).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(!own.body.contains(&format!("<option value=\"{CODE}\"")));

    let admin = user(&p, &site, "ndbg_admin", Role::SiteAdmin).await;
    is_xlsx(&p.get_with_cookie(&format!("/admin/ndbg.xlsx?site={CODE}&year={year}"), &admin).await);
    // A year out of range is explained, not a 500.
    let res = p.get_with_cookie(&format!("/admin/ndbg?site={CODE}&year=1999"), &admin).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("2008"), "{}", res.body);
}

// ---------------------------------------------------------------------------------
// The editor's disclosure fields.

#[tokio::test]
async fn the_editor_offers_the_document_form_and_the_day_of_repeal() {
    let p = TestPortal::new();
    let admin = p.login("jyj_admin").await;
    let site = p.group().site("jyj").unwrap();
    let column = p
        .group()
        .columns(&system(), site.id)
        .unwrap()
        .into_iter()
        .find(|c| c.kind() == sitegroup::ColumnKind::Disclosure)
        .unwrap();
    let path = format!("/admin/docs/new?site=jyj&column={}&kind=disclosure", column.id);
    let page = p.get_with_cookie(&path, &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name=\"form\""), "{}", page.body);
    assert!(page.body.contains("<option value=\"normative\">行政规范性文件</option>"));
    assert!(page.body.contains("name=\"repealed_on\""));

    let base = [
        ("kind", "disclosure"),
        ("title", "关于废止某某办法的决定"),
        ("organ", "无为县教育局"),
        ("category", "教育"),
        ("validity", "repealed"),
        ("form", "normative"),
        ("body", "<p>正文</p>"),
    ];
    let mut bad = base.to_vec();
    bad.push(("repealed_on", "2025-13-45"));
    let res = p.post_form(&path, &form(&token(&admin), &bad), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("废止日期格式不正确"), "{}", res.body);
    assert!(res.body.contains("<option value=\"normative\" selected>"), "refilled");

    let mut good = base.to_vec();
    good.push(("repealed_on", "2025-06-30"));
    let res = p.post_form(&path, &form(&token(&admin), &good), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id: i64 = res.header("location").trim_start_matches("/admin/docs/").split('/').next().unwrap().parse().unwrap();
    let doc = p.group().document(&system(), id).unwrap();
    let meta = doc.fields.kind.disclosure().unwrap();
    assert_eq!(meta.form.as_str(), "normative");
    assert_eq!(meta.repealed_on.as_deref(), Some("2025-06-30"));
    let edit = p.get_with_cookie(&format!("/admin/docs/{id}/edit"), &admin).await;
    assert!(edit.body.contains("value=\"2025-06-30\""), "{}", edit.body);
    assert!(edit.body.contains("<details class=\"bo-repealed\" open>"));
}

// ---------------------------------------------------------------------------------
// The demo's published reports.

#[tokio::test]
async fn the_demo_publishes_last_years_reports_and_the_catalogue_links_them() {
    let p = TestPortal::new();
    let year = this_year(&p) - 1;
    for prefix in ["", "/jyj"] {
        let list = p.get(&format!("{prefix}/xxgk/ndbg")).await;
        assert_eq!(list.status, StatusCode::OK, "{prefix}: {}", list.body);
        let href = format!("{prefix}/xxgk/ndbg/{year}");
        assert!(list.body.contains(&format!("href=\"{}\"", esc(&href))), "{prefix}: {}", list.body);
        let page = p.get(&href).await;
        assert_eq!(page.status, StatusCode::OK, "{prefix}: {}", page.body);
        assert!(page.is_html());
        page.assert_security_headers();
        let received = row(&page, "received");
        assert_eq!(received.len(), 7, "seven columns");
        let total: u64 = received[..6].iter().map(|n| n.parse::<u64>().unwrap()).sum();
        assert_eq!(received[6], total.to_string(), "总计 is the sum of the kinds");
        for key in ["carried_over", "granted", "refused.state_secret", "concluded_total", "carried_forward"] {
            assert_eq!(row(&page, key).len(), 7, "{prefix}: {key}");
        }
        assert_eq!(row(&page, "review").len(), 15, "part 四 has fifteen figures");
    }
    // Another department's last year is not published.
    assert_eq!(p.get(&format!("/gaj/xxgk/ndbg/{year}")).await.status, StatusCode::NOT_FOUND);
    // The disclosure catalogue links the reports and the request form.
    let catalogue = p.get("/jyj/xxgk").await;
    assert_eq!(catalogue.status, StatusCode::OK, "{}", catalogue.body);
    assert!(catalogue.body.contains(&format!("href=\"{}\"", esc("/jyj/xxgk/ndbg"))), "{}", catalogue.body);
    assert!(catalogue.body.contains(r#"href="/hudong/ysqgk/new""#));
}
