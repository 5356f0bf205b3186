//! Online services through the facade on both drivers: guide completeness, the query
//! provider's validation and rate limit, public visibility and search (items and Q&A),
//! the forms library's back-office calls, query definitions with their 24-hour usage,
//! tenancy, and no raw address or query input stored anywhere.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sitegroup::content::{Attachment, DocInput};
use sitegroup::services::query::FieldProblem;
use sitegroup::services::{
    Audience, Guide, GuideElement, Material, NewForm, NewItem, NewQa, NewQueryDef, QueryEdit, ServicesError,
};
use sitegroup::store::{Dialect, Value};
use sitegroup::{
    Actor, AuditQuery, Clock, Error, Grant, NewSite, Origin, Role, Scope, SearchQuery, ServiceFilter, ServiceQaFilter,
    SiteGroup, SiteId, UserId,
};
use sitegroup_tests::{column, for_each_group, for_each_group_with_clock, publish_new, system, unit};

fn o() -> Origin {
    Origin::other("test")
}

/// Units `a` and `b`, each owning a department site under a portal; the site ids.
fn setup(group: &SiteGroup) -> (SiteId, SiteId) {
    let ua = unit(group, "a", "甲局");
    let ub = unit(group, "b", "乙局");
    let portal = sitegroup_tests::site(group, "portal", "portal", None, None).id;
    let mk = |code: &str, u| {
        group
            .add_site(
                &system(),
                &o(),
                &NewSite {
                    code: code.into(),
                    name: code.into(),
                    kind: "department".into(),
                    unit: Some(u),
                    parent: Some(portal),
                    path_prefix: Some(format!("/{code}")),
                    ..Default::default()
                },
            )
            .unwrap()
            .id
    };
    (mk("site-a", ua.id), mk("site-b", ub.id))
}

fn user(id: i64, name: &str, role: Role, scope: Scope) -> Actor {
    Actor::user(UserId(id), name, vec![Grant { role, scope }])
}

fn new_item(code: &str, name: &str, unit: &str) -> NewItem {
    NewItem {
        code: code.into(),
        name: name.into(),
        audience: "personal".into(),
        life_events: vec!["birth".into()],
        theme: "户籍".into(),
        unit: unit.into(),
        sort: 0,
    }
}

fn full_guide() -> Guide {
    Guide {
        legal_basis: "《中华人民共和国户口登记条例》第七条".into(),
        conditions: "新生儿父母一方为本县常住户口".into(),
        materials: vec![Material { name: "出生医学证明".into(), note: "原件".into(), form: None }],
        steps: vec!["申请".into(), "受理".into(), "办结".into()],
        time_limit: "即时办结".into(),
        fees: "不收费".into(),
        place: "县政务服务中心一楼公安窗口".into(),
        hours: "工作日 8:30-12:00，14:30-17:30".into(),
        phone: "0553-6612345".into(),
        online_entry: "https://www.ahzwfw.gov.cn/".into(),
    }
}

fn salary_def(unit: &str) -> NewQueryDef {
    NewQueryDef {
        code: "salary".into(),
        name: "机关职工工资查询".into(),
        unit: unit.into(),
        provider: "demo.salary".into(),
        per_address: 3,
        per_query: 5,
        window_seconds: 600,
        published: true,
        ..Default::default()
    }
}

const ID: &str = "11010519491231002X";
const IP: &str = "203.0.113.77";

fn salary_input() -> Vec<(&'static str, &'static str)> {
    vec![("name", "王芳"), ("id_number", ID), ("month", "2025-05")]
}

#[test]
fn guide_completeness_is_reported_per_item_and_group_wide() {
    for_each_group(|driver, group| {
        setup(group);
        let full = group.add_service_item(&system(), &o(), &new_item("csdj", "出生登记", "a"), &full_guide()).unwrap();
        let partial = Guide { legal_basis: "无".into(), phone: "12".into(), ..full_guide() };
        let bad = group.add_service_item(&system(), &o(), &new_item("hjqy", "户籍迁移", "b"), &partial).unwrap();
        let empty =
            group.add_service_item(&system(), &o(), &new_item("sfz", "身份证办理", "a"), &Guide::default()).unwrap();

        let view = group.service_item(&system(), full.id).unwrap();
        assert!(view.completeness.is_complete(), "{driver}");
        let view = group.service_item(&system(), bad.id).unwrap();
        assert_eq!(view.completeness.missing, vec![GuideElement::LegalBasis, GuideElement::Phone], "{driver}");
        assert!(view.completeness.veto());

        // Group-wide: unpublished items count only when asked.
        let all = group.incomplete_service_guides(&system(), false).unwrap();
        let ids: Vec<i64> = all.iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![bad.id, empty.id], "{driver}");
        assert_eq!(all[1].missing.len(), 10);
        assert!(group.incomplete_service_guides(&system(), true).unwrap().is_empty());
        group.publish_service_item(&system(), &o(), bad.id, true).unwrap();
        let published = group.incomplete_service_guides(&system(), true).unwrap();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].unit, "b");

        // Fixing the guide clears it.
        let (_, c) = group.set_service_guide(&system(), &o(), bad.id, &full_guide()).unwrap();
        assert!(c.is_complete());
        assert!(group.incomplete_service_guides(&system(), true).unwrap().is_empty());

        // A unit editor may not run the group-wide check.
        let (sa, _) = (group.site("site-a").unwrap().id, ());
        let ea = user(1, "ea", Role::Editor, Scope::Site(sa));
        assert!(matches!(group.incomplete_service_guides(&ea, false), Err(Error::Denied(_))));
    });
}

#[test]
fn validation_refuses_bad_items_and_writes_nothing() {
    for_each_group(|driver, group| {
        setup(group);
        let head = group.db().outbox_head().unwrap();
        let mismatch = NewItem { life_events: vec!["closure".into()], ..new_item("x", "事项", "a") };
        assert!(matches!(
            group.add_service_item(&system(), &o(), &mismatch, &Guide::default()),
            Err(Error::Services(ServicesError::LifeEventMismatch { .. }))
        ));
        assert!(matches!(
            group.add_service_item(&system(), &o(), &new_item("x", "事项", "nobody"), &Guide::default()),
            Err(Error::Services(ServicesError::UnknownUnit(_)))
        ));
        let with_missing_form = Guide {
            materials: vec![Material { name: "申请表".into(), note: String::new(), form: Some(999) }],
            ..full_guide()
        };
        assert!(group.add_service_item(&system(), &o(), &new_item("x", "事项", "a"), &with_missing_form).is_err());
        assert_eq!(group.db().outbox_head().unwrap(), head, "{driver}: nothing written");
        group.add_service_item(&system(), &o(), &new_item("x", "事项", "a"), &Guide::default()).unwrap();
        assert!(matches!(
            group.add_service_item(&system(), &o(), &new_item("X", "另一事项", "b"), &Guide::default()),
            Err(Error::Services(ServicesError::DuplicateCode { .. }))
        ));
    });
}

#[test]
fn forms_reference_attachments_and_download_only_when_published() {
    for_each_group(|driver, group| {
        let (sa, _) = setup(group);
        let col = column(group, sa, "表格下载");
        let mut doc = DocInput::article("出生登记申请表", "<p>表格</p>");
        doc.attachments =
            vec![Attachment { key: "ab12.docx".into(), name: "出生登记申请表.docx".into(), size: 10 }];
        let published = publish_new(group, sa, col, &doc);
        let draft = group.create_draft(&system(), &o(), sa, col, &doc).unwrap();
        let item = group.add_service_item(&system(), &o(), &new_item("csdj", "出生登记", "a"), &full_guide()).unwrap();

        let bad =
            NewForm {
                item: Some(item.id), unit: "a".into(), name: "表".into(), document: published.id, attachment: 2
            };
        assert!(matches!(
            group.add_service_form(&system(), &o(), &bad),
            Err(Error::Services(ServicesError::MissingAttachment { .. }))
        ));
        let f1 = group.add_service_form(&system(), &o(), &NewForm { attachment: 1, ..bad.clone() }).unwrap();
        group
            .add_service_form(&system(), &o(), &NewForm { document: draft.id, attachment: 1, item: None, ..bad })
            .unwrap();
        let (forms, total) = group.published_service_forms(None, 1, 50).unwrap();
        assert_eq!(total, 1, "{driver}: the draft document's form is not public");
        assert_eq!(forms[0].form.id, f1.id);
        assert_eq!(forms[0].url.as_deref(), Some(format!("/site-a/docs/{}/files/1", published.id).as_str()));

        // A material pointing at the form shows it on the item page.
        let g = Guide {
            materials: vec![Material { name: "申请表".into(), note: String::new(), form: Some(f1.id) }],
            ..full_guide()
        };
        group.set_service_guide(&system(), &o(), item.id, &g).unwrap();
        group.publish_service_item(&system(), &o(), item.id, true).unwrap();
        let view = group.published_service_item(item.id).unwrap();
        assert_eq!(view.forms.len(), 1);
        assert!(view.forms[0].url.is_some());
    });
}

#[test]
fn unpublished_items_are_never_public_nor_in_public_search() {
    for_each_group(|driver, group| {
        let (sa, _) = setup(group);
        let hidden =
            group.add_service_item(&system(), &o(), &new_item("bzzm", "残疾人证办理", "a"), &full_guide()).unwrap();
        let shown =
            group.add_service_item(&system(), &o(), &new_item("csdj", "出生医学登记", "a"), &full_guide()).unwrap();
        group.publish_service_item(&system(), &o(), shown.id, true).unwrap();
        group
            .add_service_qa(
                &system(),
                &o(),
                &NewQa {
                    item: Some(hidden.id),
                    unit: "a".into(),
                    question: "怎么办?".into(),
                    answer: "这样办。".into(),
                    published: false,
                },
            )
            .unwrap();

        assert!(matches!(
            group.published_service_item(hidden.id),
            Err(Error::Services(ServicesError::NotFound { .. }))
        ));
        assert!(group.published_service_item(shown.id).is_ok());
        let listed = group.published_service_items(&ServiceFilter::default()).unwrap();
        assert_eq!(listed.iter().map(|i| i.id).collect::<Vec<_>>(), vec![shown.id], "{driver}");
        let by_event = group
            .published_service_items(&ServiceFilter {
                audience: Some(Audience::Personal),
                life_event: Some(sitegroup::services::LifeEvent::Birth),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_event.len(), 1);
        assert_eq!(group.published_service_qas(&ServiceQaFilter::default()).unwrap().1, 0);

        group.search_poll().unwrap();
        let q =
            |t: &str| SearchQuery { text: t.into(), kinds: vec!["service".into()], per_page: 50, ..Default::default() };
        let public = group.search(None, &q("残疾人证")).unwrap();
        assert!(public.hits.is_empty(), "{driver}: an unpublished item is not publicly searchable");
        let public = group.search(None, &q("出生医学")).unwrap();
        assert_eq!(public.hits.len(), 1);
        assert_eq!(public.hits[0].url, format!("/bsfw/items/{}", shown.id));
        // The unit's editor finds the draft in the back office.
        let ea = user(1, "ea", Role::Editor, Scope::Site(sa));
        assert_eq!(group.search(Some(&ea), &q("残疾人证")).unwrap().hits.len(), 1);

        // Unpublishing removes it from public search.
        group.publish_service_item(&system(), &o(), shown.id, false).unwrap();
        group.search_poll().unwrap();
        assert!(group.search(None, &q("出生医学")).unwrap().hits.is_empty());
        assert!(group.published_service_item(shown.id).is_err());
    });
}

#[test]
fn query_input_is_validated_before_anything_is_counted() {
    for_each_group(|driver, group| {
        setup(group);
        group.define_service_query(&system(), &o(), &salary_def("a")).unwrap();
        let origin = Origin::web(Some(IP.into()));
        let head = group.db().outbox_head().unwrap();
        let err = group
            .run_service_query(&origin, "salary", &[("name", "王芳"), ("id_number", "110105194912310021")])
            .unwrap_err();
        let Error::Services(ServicesError::InputRejected(fields)) = err else { panic!("{driver}: {err:?}") };
        let problems: Vec<_> = fields.iter().map(|f| (f.field.as_str(), f.problem)).collect();
        assert_eq!(problems, vec![("id_number", FieldProblem::BadIdNumber), ("month", FieldProblem::Missing)]);
        assert_eq!(group.db().outbox_head().unwrap(), head, "refused input counts nothing");

        let r = group.run_service_query(&origin, "salary", &salary_input()).unwrap();
        assert!(r.demo);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0][0], "2025-05");
        // Deterministic.
        assert_eq!(group.run_service_query(&origin, "salary", &salary_input()).unwrap(), r);
        // Unknown and unpublished queries are not found.
        assert!(matches!(
            group.run_service_query(&origin, "nope", &salary_input()),
            Err(Error::Services(ServicesError::NotFound { .. }))
        ));
        group.define_service_query(&system(), &o(), &NewQueryDef { published: false, ..salary_def("a") }).unwrap();
        assert!(group.run_service_query(&origin, "salary", &salary_input()).is_err());
        assert!(group.service_queries().unwrap().is_empty());
    });
}

#[test]
fn rate_limits_hold_per_address_and_per_query_across_handles() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        group.define_service_query(&system(), &o(), &salary_def("a")).unwrap();
        let from = |ip: &str| Origin::web(Some(ip.into()));
        // Align to the start of a window so the test never straddles two.
        let now = group.now();
        let w = 600;
        clock.advance(chrono::Duration::seconds(w - now.rem_euclid(w)));
        for _ in 0..3 {
            group.run_service_query(&from(IP), "salary", &salary_input()).unwrap();
        }
        let err = group.run_service_query(&from(IP), "salary", &salary_input()).unwrap_err();
        assert!(
            matches!(err, Error::Services(ServicesError::RateLimited { retry_after }) if retry_after > 0 && retry_after <= w),
            "{driver}"
        );
        // Another address still may, until the per-query limit (5) is reached.
        group.run_service_query(&from("198.51.100.1"), "salary", &salary_input()).unwrap();
        group.run_service_query(&from("198.51.100.2"), "salary", &salary_input()).unwrap();
        assert!(matches!(
            group.run_service_query(&from("198.51.100.3"), "salary", &salary_input()),
            Err(Error::Services(ServicesError::RateLimited { .. }))
        ));
        // The counters live in the store: a second handle on the same database agrees.
        let other = SiteGroup::with_db(group.db().clone(), group.dir().to_path_buf())
            .unwrap()
            .with_clock(std::sync::Arc::new(sitegroup::TestClock::new(clock.now())));
        assert!(matches!(
            other.run_service_query(&from(IP), "salary", &salary_input()),
            Err(Error::Services(ServicesError::RateLimited { .. }))
        ));
        // The next window starts afresh.
        clock.advance(chrono::Duration::seconds(w));
        group.run_service_query(&from(IP), "salary", &salary_input()).unwrap();
    });
}

/// Every text value of every table of the group's database.
fn all_stored_text(group: &SiteGroup) -> Vec<(String, String)> {
    group
        .db()
        .read(|tx| {
            let tables: Vec<String> = match tx.dialect() {
                Dialect::Sqlite => tx
                    .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", &[])?
                    .iter()
                    .map(|r| r.get(0))
                    .collect::<Result<_, _>>()?,
                Dialect::Postgres => tx
                    .query(
                        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
                        &[],
                    )?
                    .iter()
                    .map(|r| r.get(0))
                    .collect::<Result<_, _>>()?,
            };
            let mut out = Vec::new();
            for t in tables {
                for row in tx.query(&format!("SELECT * FROM {t}"), &[])? {
                    for v in row.values() {
                        match v {
                            Value::Text(s) => out.push((t.clone(), s.clone())),
                            Value::Blob(b) => out.push((t.clone(), String::from_utf8_lossy(b).into_owned())),
                            _ => {}
                        }
                    }
                }
            }
            Ok::<_, sitegroup::store::StoreError>(out)
        })
        .unwrap()
}

#[test]
fn no_raw_address_or_query_input_is_stored() {
    for_each_group(|driver, group| {
        setup(group);
        group.define_service_query(&system(), &o(), &salary_def("a")).unwrap();
        let origin = Origin::web(Some(IP.into()));
        group.run_service_query(&origin, "salary", &salary_input()).unwrap();
        let _ = group.run_service_query(&origin, "salary", &[("name", "李四"), ("id_number", "34022319900315123X")]);
        for _ in 0..5 {
            let _ = group.run_service_query(&origin, "salary", &salary_input());
        }
        let stored = all_stored_text(group);
        assert!(!stored.is_empty());
        for (table, text) in &stored {
            for secret in [IP, ID, "王芳", "李四", "34022319900315123X", "2025-05"] {
                assert!(!text.contains(secret), "{driver}: {table} stores {secret:?}: {text}");
            }
        }
        // The audit records that a salary query ran, and nothing else about it.
        let audit = group.audit(&system(), &AuditQuery { limit: Some(1000), ..Default::default() }).unwrap();
        let runs: Vec<_> = audit.iter().filter(|e| e.entry.action == "service.query_run").collect();
        assert_eq!(runs.len(), 3, "{driver}: 3 within the per-address limit");
        assert!(runs.iter().all(|e| e.entry.target == "service_query:salary" && e.entry.origin == "web"));
    });
}

#[derive(Debug, Clone, Copy)]
enum Who {
    EditorA,
    ReviewerA,
    EditorB,
    ReviewerB,
    HandlerA,
    Admin,
    Anonymous,
}

#[derive(Debug, Clone)]
enum Step {
    Create(Who, bool),
    Update(Who, usize),
    Guide(Who, usize),
    Publish(Who, usize, bool),
    Qa(Who, usize),
    View(Who, usize),
    AddForm(Who, bool),
    EditForm(Who, usize),
    HideForm(Who, usize, bool),
    ViewForms(Who, bool),
    EditQuery(Who, bool),
    EnableQuery(Who, bool, bool),
    ViewQueries(Who, bool),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::EditorA),
        Just(Who::ReviewerA),
        Just(Who::EditorB),
        Just(Who::ReviewerB),
        Just(Who::HandlerA),
        Just(Who::Admin),
        Just(Who::Anonymous),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (who(), any::<bool>()).prop_map(|(w, a)| Step::Create(w, a)),
        (who(), 0usize..8).prop_map(|(w, i)| Step::Update(w, i)),
        (who(), 0usize..8).prop_map(|(w, i)| Step::Guide(w, i)),
        (who(), 0usize..8, any::<bool>()).prop_map(|(w, i, p)| Step::Publish(w, i, p)),
        (who(), 0usize..8).prop_map(|(w, i)| Step::Qa(w, i)),
        (who(), 0usize..8).prop_map(|(w, i)| Step::View(w, i)),
        (who(), any::<bool>()).prop_map(|(w, a)| Step::AddForm(w, a)),
        (who(), 0usize..8).prop_map(|(w, i)| Step::EditForm(w, i)),
        (who(), 0usize..8, any::<bool>()).prop_map(|(w, i, p)| Step::HideForm(w, i, p)),
        (who(), any::<bool>()).prop_map(|(w, a)| Step::ViewForms(w, a)),
        (who(), any::<bool>()).prop_map(|(w, a)| Step::EditQuery(w, a)),
        (who(), any::<bool>(), any::<bool>()).prop_map(|(w, a, p)| Step::EnableQuery(w, a, p)),
        (who(), any::<bool>()).prop_map(|(w, a)| Step::ViewQueries(w, a)),
    ]
}

/// A published document with two attachments on `site` (a form's source).
fn form_document(group: &SiteGroup, site: SiteId, title: &str) -> i64 {
    let col = column(group, site, &format!("{title}栏目"));
    let mut doc = DocInput::article(title, "<p>表格</p>");
    doc.attachments = vec![
        Attachment { key: "ab12.docx".into(), name: format!("{title}一.docx"), size: 10 },
        Attachment { key: "cd34.docx".into(), name: format!("{title}二.docx"), size: 10 },
    ];
    publish_new(group, site, col, &doc).id
}

fn edit_of(def: &sitegroup::services::QueryDef) -> QueryEdit {
    QueryEdit {
        name: def.name.clone(),
        description: def.description.clone(),
        provider: def.provider.clone(),
        per_address: def.per_address,
        per_query: def.per_query,
        window_seconds: def.window_seconds,
    }
}

#[test]
fn a_unit_editor_never_touches_another_units_items() {
    for_each_group(|driver, group| {
        let (sa, sb) = setup(group);
        let actor = |w: Who| match w {
            Who::EditorA => user(1, "ea", Role::Editor, Scope::Site(sa)),
            Who::ReviewerA => user(2, "ra", Role::Reviewer, Scope::Site(sa)),
            Who::EditorB => user(3, "eb", Role::Editor, Scope::Site(sb)),
            Who::ReviewerB => user(4, "rb", Role::Reviewer, Scope::Site(sb)),
            Who::HandlerA => user(6, "ha", Role::Handler, Scope::Site(sa)),
            Who::Admin => user(5, "admin", Role::GroupAdmin, Scope::Group),
            Who::Anonymous => Actor::anonymous(),
        };
        // Which unit an actor may edit (EditDraft) and publish (PublishContent) for.
        let may_edit = |w: Who, unit: &str| match w {
            Who::Admin => true,
            Who::EditorA => unit == "a",
            Who::EditorB => unit == "b",
            _ => false,
        };
        let may_publish = |w: Who, unit: &str| match w {
            Who::Admin => true,
            Who::ReviewerA => unit == "a",
            Who::ReviewerB => unit == "b",
            _ => false,
        };
        let may_view = |w: Who, unit: &str| may_edit(w, unit) || may_publish(w, unit);
        let doc_of = |unit: &str| {
            if unit == "a" { form_document(group, sa, "甲表") } else { form_document(group, sb, "乙表") }
        };
        let docs = [("a", doc_of("a")), ("b", doc_of("b"))];
        let doc_for = |unit: &str| docs.iter().find(|(u, _)| *u == unit).map(|(_, d)| *d).unwrap();
        for unit in ["a", "b"] {
            let def = NewQueryDef { code: format!("q-{unit}"), ..salary_def(unit) };
            group.define_service_query(&system(), &o(), &def).unwrap();
        }
        let counter = std::cell::Cell::new(0);
        let cases = if driver == "sqlite" { 48 } else { 12 };
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        runner
            .run(&proptest::collection::vec(step(), 1..25), |steps| {
                let mut items: Vec<(i64, &'static str)> = Vec::new();
                let fresh = || {
                    counter.set(counter.get() + 1);
                    format!("it{}", counter.get())
                };
                let mut forms: Vec<(i64, &'static str)> = Vec::new();
                let new_form = |unit: &str, name: &str| NewForm {
                    item: None,
                    unit: unit.into(),
                    name: name.into(),
                    document: doc_for(unit),
                    attachment: 1,
                };
                for unit in ["a", "b"] {
                    let code = fresh();
                    let i = group
                        .add_service_item(&system(), &o(), &new_item(&code, "起始事项", unit), &Guide::default())
                        .unwrap();
                    items.push((i.id, unit));
                    let f = group.add_service_form(&system(), &o(), &new_form(unit, "起始表格")).unwrap();
                    forms.push((f.id, unit));
                }
                let unit_of = |on_a: bool| if on_a { "a" } else { "b" };
                for st in steps {
                    let head = group.db().outbox_head().unwrap();
                    let pick = |i: usize| items[i % items.len()];
                    let (allowed, result): (bool, Result<(), Error>) = match st {
                        Step::Create(w, on_a) => {
                            let unit = if on_a { "a" } else { "b" };
                            let code = fresh();
                            let r = group.add_service_item(
                                &actor(w),
                                &o(),
                                &new_item(&code, "新事项", unit),
                                &full_guide(),
                            );
                            if let Ok(i) = &r {
                                items.push((i.id, unit));
                            }
                            (may_edit(w, unit), r.map(|_| ()))
                        }
                        Step::Update(w, i) => {
                            let (id, unit) = pick(i);
                            let code = fresh();
                            let r = group.update_service_item(&actor(w), &o(), id, &new_item(&code, "改名事项", unit));
                            (may_edit(w, unit), r.map(|_| ()))
                        }
                        Step::Guide(w, i) => {
                            let (id, unit) = pick(i);
                            (may_edit(w, unit), group.set_service_guide(&actor(w), &o(), id, &full_guide()).map(|_| ()))
                        }
                        Step::Publish(w, i, p) => {
                            let (id, unit) = pick(i);
                            (may_publish(w, unit), group.publish_service_item(&actor(w), &o(), id, p).map(|_| ()))
                        }
                        Step::Qa(w, i) => {
                            let (id, unit) = pick(i);
                            let qa = NewQa {
                                item: Some(id),
                                unit: unit.into(),
                                question: "问".into(),
                                answer: "答".into(),
                                published: true,
                            };
                            (may_edit(w, unit), group.add_service_qa(&actor(w), &o(), &qa).map(|_| ()))
                        }
                        Step::View(w, i) => {
                            let (id, unit) = pick(i);
                            let r = group.service_item(&actor(w), id).map(|_| ());
                            prop_assert_eq!(r.is_ok(), may_view(w, unit), "{}: view", driver);
                            continue;
                        }
                        Step::AddForm(w, on_a) => {
                            let unit = unit_of(on_a);
                            let r = group.add_service_form(&actor(w), &o(), &new_form(unit, "新表格"));
                            if let Ok(f) = &r {
                                forms.push((f.id, unit));
                            }
                            (may_edit(w, unit), r.map(|_| ()))
                        }
                        Step::EditForm(w, i) => {
                            let (id, unit) = forms[i % forms.len()];
                            let r = group.update_service_form(&actor(w), &o(), id, &new_form(unit, "改名表格"));
                            (may_edit(w, unit), r.map(|_| ()))
                        }
                        Step::HideForm(w, i, on) => {
                            let (id, unit) = forms[i % forms.len()];
                            (may_edit(w, unit), group.publish_service_form(&actor(w), &o(), id, on).map(|_| ()))
                        }
                        Step::ViewForms(w, on_a) => {
                            let unit = unit_of(on_a);
                            let r = group.service_forms_for(&actor(w), Some(unit));
                            prop_assert_eq!(r.is_ok(), may_view(w, unit), "{}: forms of {}", driver, unit);
                            if let Ok(list) = r {
                                prop_assert!(list.iter().all(|f| f.unit_code == unit), "only the unit's forms");
                            }
                            let (id, funit) = forms[usize::from(on_a)];
                            let one = group.service_form(&actor(w), id);
                            prop_assert_eq!(one.is_ok(), may_view(w, funit), "{}: form {}", driver, id);
                            continue;
                        }
                        Step::EditQuery(w, on_a) => {
                            let unit = unit_of(on_a);
                            let code = format!("q-{unit}");
                            let def = group.service_query_status(&system(), &code).unwrap().def;
                            let edit = QueryEdit { name: fresh(), ..edit_of(&def) };
                            (may_edit(w, unit), group.update_service_query(&actor(w), &o(), &code, &edit).map(|_| ()))
                        }
                        Step::EnableQuery(w, on_a, on) => {
                            let unit = unit_of(on_a);
                            let code = format!("q-{unit}");
                            (may_publish(w, unit), group.publish_service_query(&actor(w), &o(), &code, on).map(|_| ()))
                        }
                        Step::ViewQueries(w, on_a) => {
                            let unit = unit_of(on_a);
                            let r = group.service_queries_for(&actor(w), Some(unit));
                            prop_assert_eq!(r.is_ok(), may_view(w, unit), "{}: queries of {}", driver, unit);
                            if let Ok(list) = r {
                                prop_assert!(list.iter().all(|q| q.unit_code == unit), "only the unit's queries");
                            }
                            let one = group.service_query_status(&actor(w), &format!("q-{unit}"));
                            prop_assert_eq!(one.is_ok(), may_view(w, unit));
                            let all = group.service_queries_for(&actor(w), None);
                            prop_assert_eq!(all.is_ok(), matches!(w, Who::Admin), "only the centre lists every unit's");
                            continue;
                        }
                    };
                    if allowed {
                        prop_assert!(result.is_ok(), "{}: allowed step failed: {:?}", driver, result);
                        prop_assert!(group.db().outbox_head().unwrap() > head);
                    } else {
                        prop_assert!(matches!(result, Err(Error::Denied(_))), "{}: {:?}", driver, result);
                        prop_assert_eq!(group.db().outbox_head().unwrap(), head, "a refusal writes nothing");
                    }
                }
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn moving_an_item_needs_both_units() {
    for_each_group(|_driver, group| {
        let (sa, _) = setup(group);
        let ea = user(1, "ea", Role::Editor, Scope::Site(sa));
        let item = group.add_service_item(&ea, &o(), &new_item("csdj", "出生登记", "a"), &Guide::default()).unwrap();
        assert!(matches!(
            group.update_service_item(&ea, &o(), item.id, &new_item("csdj", "出生登记", "b")),
            Err(Error::Denied(_))
        ));
        // A Q&A entry linked to an item must name the item's unit.
        let qa = NewQa {
            item: Some(item.id),
            unit: "b".into(),
            question: "问".into(),
            answer: "答".into(),
            published: true,
        };
        assert!(group.add_service_qa(&system(), &o(), &qa).is_err());
    });
}

/// One Q&A entry of unit `unit`.
fn qa(unit: &str, question: &str, answer: &str, published: bool) -> NewQa {
    NewQa { item: None, unit: unit.into(), question: question.into(), answer: answer.into(), published }
}

#[test]
fn qa_is_searchable_and_leaves_the_index_when_unpublished_or_deleted() {
    for_each_group(|driver, group| {
        let (sa, sb) = setup(group);
        let ea = user(1, "ea", Role::Editor, Scope::Site(sa));
        let eb = user(3, "eb", Role::Editor, Scope::Site(sb));
        let public = group
            .add_service_qa(&ea, &o(), &qa("a", "怎样办理公积金业务？", "携带身份证到窗口办理提取手续。", true))
            .unwrap();
        let draft =
            group.add_service_qa(&eb, &o(), &qa("b", "户口如何变更？", "请准备迁移证明和户口簿。", false)).unwrap();
        group.search_poll().unwrap();
        let q = |t: &str| SearchQuery { text: t.into(), kinds: vec!["qa".into()], per_page: 50, ..Default::default() };

        // Found by a two-character word of its answer, as kind `qa`, linking to its page.
        let hits = group.search(None, &q("提取")).unwrap().hits;
        assert_eq!(hits.len(), 1, "{driver}");
        assert_eq!(hits[0].kind, "qa");
        assert_eq!(hits[0].url, format!("/bsfw/qa/{}", public.id));
        assert_eq!(hits[0].site, sa.0, "filed under its unit's site");
        assert!(hits[0].state.is_none());
        // Also without a kind filter, next to documents and items.
        let any = SearchQuery { text: "提取".into(), per_page: 50, ..Default::default() };
        assert_eq!(group.search(None, &any).unwrap().hits.len(), 1);

        // Another site's draft is never found publicly, nor in this site's back office.
        assert!(group.search(None, &q("迁移")).unwrap().hits.is_empty(), "{driver}: a draft Q&A is not public");
        assert!(group.search(Some(&ea), &q("迁移")).unwrap().hits.is_empty(), "{driver}: another site's draft");
        let own = group.search(Some(&eb), &q("迁移")).unwrap().hits;
        assert_eq!(own.len(), 1, "{driver}: its own editor finds the draft");
        assert_eq!(own[0].state.as_deref(), Some("draft"));

        // Unpublishing removes it from the public index within one poll.
        group.update_service_qa(&ea, &o(), public.id, &qa("a", &public.question, &public.answer, false)).unwrap();
        group.search_poll().unwrap();
        assert!(group.search(None, &q("提取")).unwrap().hits.is_empty(), "{driver}: unpublished");
        assert_eq!(group.search(Some(&ea), &q("提取")).unwrap().hits.len(), 1, "still a draft in the back office");
        group.update_service_qa(&ea, &o(), public.id, &qa("a", &public.question, &public.answer, true)).unwrap();
        group.search_poll().unwrap();
        assert_eq!(group.search(None, &q("提取")).unwrap().hits.len(), 1, "{driver}: published again");

        // Deleting: another unit's editor may not; its own may, and it leaves both indexes.
        let head = group.db().outbox_head().unwrap();
        assert!(matches!(group.remove_service_qa(&eb, &o(), public.id), Err(Error::Denied(_))));
        assert_eq!(group.db().outbox_head().unwrap(), head, "a refusal writes nothing");
        group.remove_service_qa(&ea, &o(), public.id).unwrap();
        group.search_poll().unwrap();
        assert!(group.search(None, &q("提取")).unwrap().hits.is_empty(), "{driver}: deleted");
        assert!(group.search(Some(&ea), &q("提取")).unwrap().hits.is_empty());
        assert!(matches!(group.published_service_qa(public.id), Err(Error::Services(ServicesError::NotFound { .. }))));
        let audit = group.audit(&system(), &AuditQuery { limit: Some(100), ..Default::default() }).unwrap();
        assert!(audit.iter().any(|e| e.entry.action == "service.qa_delete"
            && e.entry.target == format!("service_qa:{}", public.id)));

        // A rebuild reads every source: the published entry of b is found, the draft is not.
        group.update_service_qa(&eb, &o(), draft.id, &qa("b", &draft.question, &draft.answer, true)).unwrap();
        group.reindex(&mut |_| {}).unwrap();
        assert_eq!(group.search(None, &q("迁移")).unwrap().hits.len(), 1, "{driver}: rebuilt");
    });
}

#[test]
fn forms_are_added_edited_hidden_and_removed_within_their_unit() {
    for_each_group(|driver, group| {
        let (sa, sb) = setup(group);
        let ea = user(1, "ea", Role::Editor, Scope::Site(sa));
        let eb = user(3, "eb", Role::Editor, Scope::Site(sb));
        let doc_a = form_document(group, sa, "甲表");
        let doc_b = form_document(group, sb, "乙表");
        let item = group.add_service_item(&ea, &o(), &new_item("csdj", "出生登记", "a"), &full_guide()).unwrap();
        group.publish_service_item(&system(), &o(), item.id, true).unwrap();
        let new = NewForm {
            item: Some(item.id),
            unit: "a".into(),
            name: "出生登记申请表".into(),
            document: doc_a,
            attachment: 1,
        };

        // The source must be a document of the unit's own site.
        let head = group.db().outbox_head().unwrap();
        assert!(
            matches!(
                group.add_service_form(&ea, &o(), &NewForm { document: doc_b, ..new.clone() }),
                Err(Error::Services(ServicesError::ForeignDocument { .. }))
            ),
            "{driver}"
        );
        assert!(matches!(
            group.add_service_form(&ea, &o(), &NewForm { attachment: 3, ..new.clone() }),
            Err(Error::Services(ServicesError::MissingAttachment { .. }))
        ));
        assert!(matches!(group.add_service_form(&eb, &o(), &new), Err(Error::Denied(_))));
        assert_eq!(group.db().outbox_head().unwrap(), head, "{driver}: refusals write nothing");
        let form = group.add_service_form(&ea, &o(), &new).unwrap();
        assert!(form.published);

        // Edit: rename and point at the second attachment; not to another site's document.
        let renamed = NewForm { name: "出生登记申请表（2025版）".into(), attachment: 2, ..new.clone() };
        let edited = group.update_service_form(&ea, &o(), form.id, &renamed).unwrap();
        assert_eq!((edited.name.as_str(), edited.attachment), ("出生登记申请表（2025版）", 2));
        assert!(matches!(
            group.update_service_form(&ea, &o(), form.id, &NewForm { document: doc_b, ..renamed.clone() }),
            Err(Error::Services(ServicesError::ForeignDocument { .. }))
        ));
        assert!(matches!(group.update_service_form(&eb, &o(), form.id, &renamed), Err(Error::Denied(_))));
        let (list, _) = group.published_service_forms(Some("a"), 1, 50).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].url.as_deref(), Some(format!("/site-a/docs/{doc_a}/files/2").as_str()), "{driver}");

        // The centre may point a unit's form at another site's document (a shared
        // library); the unit may still rename it without re-pointing it.
        let shared =
            group.add_service_form(&system(), &o(), &NewForm { document: doc_b, item: None, ..new.clone() }).unwrap();
        group
            .update_service_form(
                &ea,
                &o(),
                shared.id,
                &NewForm { name: "共享表格".into(), document: doc_b, item: None, ..new.clone() },
            )
            .unwrap();

        // Hidden forms leave the public library and item page but stay in the back office.
        let g = Guide {
            materials: vec![Material { name: "申请表".into(), note: String::new(), form: Some(form.id) }],
            ..full_guide()
        };
        group.set_service_guide(&ea, &o(), item.id, &g).unwrap();
        assert_eq!(group.published_service_item(item.id).unwrap().forms.len(), 1);
        assert!(matches!(group.publish_service_form(&eb, &o(), form.id, false), Err(Error::Denied(_))));
        group.publish_service_form(&ea, &o(), form.id, false).unwrap();
        assert!(group.published_service_item(item.id).unwrap().forms.is_empty(), "{driver}: hidden");
        let ids: Vec<i64> = group.published_service_forms(None, 1, 50).unwrap().0.iter().map(|f| f.form.id).collect();
        assert_eq!(ids, vec![shared.id]);
        let mine = group.service_forms_for(&ea, Some("a")).unwrap();
        assert_eq!(mine.len(), 2);
        assert!(mine.iter().any(|f| f.form.id == form.id && !f.form.published));
        assert!(matches!(group.service_forms_for(&eb, Some("a")), Err(Error::Denied(_))));
        assert!(matches!(group.service_forms_for(&ea, None), Err(Error::Denied(_))));
        assert_eq!(group.service_forms_for(&system(), None).unwrap().len(), 2);
        // The picker offers the unit's documents with attachments only.
        let sources = group.service_form_sources(&ea, "a").unwrap();
        assert_eq!(sources.iter().map(|s| s.document).collect::<Vec<_>>(), vec![doc_a], "{driver}");
        assert_eq!(sources[0].attachments.len(), 2);
        assert!(matches!(group.service_form_sources(&ea, "b"), Err(Error::Denied(_))));

        // A form a guide lists cannot be removed; once the guide lets go, it can.
        let head = group.db().outbox_head().unwrap();
        let err = group.remove_service_form(&ea, &o(), form.id).unwrap_err();
        assert!(
            matches!(&err, Error::Services(ServicesError::FormInUse { items, .. }) if items == &vec![item.id]),
            "{err:?}"
        );
        assert!(matches!(group.remove_service_form(&eb, &o(), form.id), Err(Error::Denied(_))));
        assert_eq!(group.db().outbox_head().unwrap(), head);
        group.set_service_guide(&ea, &o(), item.id, &full_guide()).unwrap();
        group.remove_service_form(&ea, &o(), form.id).unwrap();
        assert!(matches!(group.service_form(&ea, form.id), Err(Error::Services(ServicesError::NotFound { .. }))));

        let audit = group.audit(&system(), &AuditQuery { limit: Some(200), ..Default::default() }).unwrap();
        let target = format!("service_form:{}", form.id);
        let actions: Vec<&str> =
            audit.iter().filter(|e| e.entry.target == target).map(|e| e.entry.action.as_str()).collect();
        for a in ["service.form_create", "service.form_update", "service.form_unpublish", "service.form_remove"] {
            assert!(actions.contains(&a), "{driver}: {a} in {actions:?}");
        }
    });
}

#[test]
fn query_definitions_are_edited_enabled_and_count_the_last_day() {
    for_each_group_with_clock(|driver, group, clock| {
        let (sa, sb) = setup(group);
        let ea = user(1, "ea", Role::Editor, Scope::Site(sa));
        let ra = user(2, "ra", Role::Reviewer, Scope::Site(sa));
        let eb = user(3, "eb", Role::Editor, Scope::Site(sb));
        group.define_service_query(&system(), &o(), &salary_def("a")).unwrap();
        let from = |ip: &str| Origin::web(Some(ip.into()));
        // Align to a window start so every run below falls in one window.
        let now = group.now();
        clock.advance(chrono::Duration::seconds(600 - now.rem_euclid(600)));
        for _ in 0..3 {
            group.run_service_query(&from(IP), "salary", &salary_input()).unwrap();
        }
        group.run_service_query(&from("198.51.100.1"), "salary", &salary_input()).unwrap();
        // Refused requests (over the limit, bad input) are not counted.
        assert!(group.run_service_query(&from(IP), "salary", &salary_input()).is_err());
        assert!(group.run_service_query(&from("198.51.100.2"), "salary", &[("name", "王芳")]).is_err());
        let status = group.service_query_status(&ea, "salary").unwrap();
        assert_eq!(status.used_24h, 4, "{driver}");
        assert!(status.available && status.demo && status.def.published);
        let listed = group.service_queries_for(&ea, Some("a")).unwrap();
        assert_eq!(listed.iter().map(|s| (s.def.code.as_str(), s.used_24h)).collect::<Vec<_>>(), vec![("salary", 4)]);
        assert!(matches!(group.service_queries_for(&eb, Some("a")), Err(Error::Denied(_))));
        assert!(matches!(group.service_query_status(&eb, "salary"), Err(Error::Denied(_))));
        // A day later, the count is empty.
        clock.advance(chrono::Duration::hours(25));
        assert_eq!(group.service_query_status(&ea, "salary").unwrap().used_24h, 0, "{driver}");

        // Editing: title, description, limits and the provider; providers are code.
        let def = group.service_query_status(&ea, "salary").unwrap().def;
        let edit = QueryEdit {
            name: "车辆信息查询".into(),
            description: "机动车状态和检验有效期".into(),
            provider: "demo.vehicle".into(),
            per_address: 1,
            ..edit_of(&def)
        };
        let head = group.db().outbox_head().unwrap();
        assert!(matches!(group.update_service_query(&eb, &o(), "salary", &edit), Err(Error::Denied(_))));
        assert!(matches!(
            group.update_service_query(
                &ea,
                &o(),
                "salary",
                &QueryEdit { provider: "hr.nothing".into(), ..edit.clone() }
            ),
            Err(Error::Services(ServicesError::UnknownProvider(_)))
        ));
        assert!(matches!(
            group.update_service_query(&ea, &o(), "salary", &QueryEdit { per_query: 0, ..edit.clone() }),
            Err(Error::Services(ServicesError::Invalid(_)))
        ));
        assert!(matches!(
            group.update_service_query(&ea, &o(), "nope", &edit),
            Err(Error::Services(ServicesError::NotFound { .. }))
        ));
        assert_eq!(group.db().outbox_head().unwrap(), head, "{driver}: refusals write nothing");
        let saved = group.update_service_query(&ea, &o(), "salary", &edit).unwrap();
        assert_eq!(
            (saved.name.as_str(), saved.provider.as_str(), saved.per_address),
            ("车辆信息查询", "demo.vehicle", 1)
        );
        assert!(saved.published, "editing keeps the public flag");
        let vehicle = [("plate", "皖B12345"), ("vin", "A1B2C3")];
        let r = group.run_service_query(&from(IP), "salary", &vehicle).unwrap();
        assert_eq!(r.columns[0].key, "vehicle_state", "{driver}: the new provider answers");
        assert!(
            matches!(
                group.run_service_query(&from(IP), "salary", &vehicle),
                Err(Error::Services(ServicesError::RateLimited { .. }))
            ),
            "the new limit holds"
        );

        // Disabling is a publishing decision: the editor may not, the reviewer may.
        assert!(matches!(group.publish_service_query(&ea, &o(), "salary", false), Err(Error::Denied(_))));
        group.publish_service_query(&ra, &o(), "salary", false).unwrap();
        assert!(group.service_queries().unwrap().is_empty(), "{driver}: disabled");
        assert!(matches!(
            group.run_service_query(&from("198.51.100.7"), "salary", &vehicle),
            Err(Error::Services(ServicesError::NotFound { .. }))
        ));
        assert!(!group.service_query_status(&ea, "salary").unwrap().def.published);
        group.publish_service_query(&ra, &o(), "salary", true).unwrap();
        assert_eq!(group.service_queries().unwrap().len(), 1);

        let audit = group.audit(&system(), &AuditQuery { limit: Some(200), ..Default::default() }).unwrap();
        let actions: Vec<&str> = audit
            .iter()
            .filter(|e| e.entry.target == "service_query:salary")
            .map(|e| e.entry.action.as_str())
            .collect();
        for a in ["service.query_update", "service.query_disable", "service.query_enable"] {
            assert!(actions.contains(&a), "{driver}: {a}");
        }
    });
}
