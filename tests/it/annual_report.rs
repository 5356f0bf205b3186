//! The annual report of government information disclosure (政府信息公开工作年度报告):
//! the tables of a fixture year built by hand, the balance rule, entry validation,
//! publication freezing the figures, corrections, tenancy, the reporting unit of the
//! portal, the request flow (applicant kind, `Decide`), the .xlsx, and a proptest over
//! random ticket sets.

use proptest::prelude::*;
use sitegroup::content::{DisclosureMeta, DocInput, DocKind, DocumentForm, Validity};
use sitegroup::interaction::flow::{Command, TicketState};
use sitegroup::interaction::model::{NewTicket, Writer};
use sitegroup::interaction::{ApplicantKind, DisclosureOutcome, InteractionError};
use sitegroup::{
    Actor, AnnualReportEntries, AuditQuery, Error, Grant, ImportTicket, NewSite, PublishAt, Role, Scope, SiteGroup,
    SiteId, TestClock, UserId, ValidationError,
};
use sitegroup_tests::{at, centre, column, for_each_group, for_each_group_with_clock, set_time, system, unit};
use sitegroup_tests::{publish_new, test_origin as o};

/// Units `a` and `b`, each owning a department site under a portal; returns
/// (portal, site a, site b).
fn setup(group: &SiteGroup) -> (SiteId, SiteId, SiteId) {
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
                    name: format!("{code}站"),
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
    (portal, mk("site-a", ua.id), mk("site-b", ub.id))
}

fn admin(site: SiteId, name: &str) -> Actor {
    Actor::user(UserId(950 + site.0), name, vec![Grant { role: Role::SiteAdmin, scope: Scope::Site(site) }])
}

fn editor(site: SiteId) -> Actor {
    Actor::user(UserId(990 + site.0), "editor", vec![Grant { role: Role::Editor, scope: Scope::Site(site) }])
}

/// One disclosure request of the history import.
fn req(unit: &str, kind: &str, received: &str, replied: Option<&str>, outcome: Option<&str>) -> ImportTicket {
    ImportTicket {
        channel: "disclosure".into(),
        unit: unit.into(),
        subject: format!("申请公开 {received}"),
        body: "请公开相关政府信息。".into(),
        received_at: at(received),
        replied_at: replied.map(at),
        reply: replied.map(|_| "已答复。".to_string()),
        applicant: Some(kind.into()),
        outcome: outcome.map(String::from),
        ..Default::default()
    }
}

fn import(group: &SiteGroup, lines: &[ImportTicket]) -> Vec<sitegroup::interaction::model::Ticket> {
    group.import_tickets_batch(&centre(), &o(), lines).unwrap().into_iter().map(|r| r.unwrap()).collect()
}

fn disclosure_doc(title: &str, form: DocumentForm, validity: Validity, repealed_on: Option<&str>) -> DocInput {
    let mut d = DocInput::article(title, "<p>现予公布。</p>");
    d.kind = DocKind::Disclosure(DisclosureMeta {
        organ: "甲局".into(),
        doc_number: None,
        category: "综合政务".into(),
        validity,
        form,
        repealed_on: repealed_on.map(String::from),
    });
    d
}

/// The fixture year 2024 of unit `a` (site a), by hand. Returns the query code of the
/// request concluded without an outcome.
fn fixture(group: &SiteGroup, clock: &TestClock, sa: SiteId, sb: SiteId) -> String {
    let t = import(
        group,
        &[
            // 1. Received in 2023, concluded in 2024: carried over, granted.
            req("a", "natural_person", "2023-12-20T10:00:00+08:00", Some("2024-01-15T10:00:00+08:00"), Some("granted")),
            // 2. Received in 2023, still open: carried over and carried forward.
            req("a", "commercial_enterprise", "2023-11-01T10:00:00+08:00", None, None),
            // 3. Received and concluded in 2023: nowhere.
            req("a", "natural_person", "2023-05-01T10:00:00+08:00", Some("2023-06-01T10:00:00+08:00"), Some("granted")),
            // 4–8, 11: received and concluded in 2024.
            req("a", "natural_person", "2024-03-01T10:00:00+08:00", Some("2024-03-20T10:00:00+08:00"), Some("granted")),
            req(
                "a",
                "natural_person",
                "2024-04-01T10:00:00+08:00",
                Some("2024-04-25T10:00:00+08:00"),
                Some("partly_granted"),
            ),
            req(
                "a",
                "legal_service",
                "2024-05-01T10:00:00+08:00",
                Some("2024-05-20T10:00:00+08:00"),
                Some("refused.process"),
            ),
            req(
                "a",
                "research_institution",
                "2024-06-03T10:00:00+08:00",
                Some("2024-06-12T10:00:00+08:00"),
                Some("unavailable.not_held"),
            ),
            // 8. Concluded without an outcome: counted under 其他, warned.
            req("a", "natural_person", "2024-07-01T10:00:00+08:00", Some("2024-07-10T10:00:00+08:00"), None),
            // 9. Received late in 2024, concluded in 2025: received, carried forward.
            req(
                "a",
                "public_interest",
                "2024-12-27T10:00:00+08:00",
                Some("2025-01-10T10:00:00+08:00"),
                Some("granted"),
            ),
            // 10. Received late in 2024, still open.
            req("a", "other_organisation", "2024-12-30T10:00:00+08:00", None, None),
            req(
                "a",
                "natural_person",
                "2024-08-01T10:00:00+08:00",
                Some("2024-08-20T10:00:00+08:00"),
                Some("not_handled.repeat"),
            ),
            // 12. Another unit's request: never counted for a.
            req("b", "natural_person", "2024-03-01T10:00:00+08:00", Some("2024-03-20T10:00:00+08:00"), Some("granted")),
        ],
    );
    // A complaint to unit a in 2024 is not a disclosure request.
    let complaint = ImportTicket {
        channel: "complaint".into(),
        unit: "a".into(),
        subject: "路灯不亮".into(),
        body: "东门路灯坏了".into(),
        received_at: at("2024-02-01T10:00:00+08:00"),
        ..Default::default()
    };
    import(group, &[complaint]);

    // Documents: published in their years (the clock moves), one repealed later.
    let col_a = column(group, sa, "政策文件");
    let col_b = column(group, sb, "政策文件");
    let publish_at = |when: &str, site, col, d: &DocInput| {
        set_time(clock, when);
        publish_new(group, site, col, d)
    };
    // Rules: one made in 2024; one from 2020 repealed on 2024-05-01 (an edit of the
    // published document, republished).
    publish_at(
        "2024-02-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规章甲", DocumentForm::Rule, Validity::InForce, None),
    );
    let old_rule = publish_at(
        "2020-02-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规章乙", DocumentForm::Rule, Validity::InForce, None),
    );
    set_time(clock, "2024-05-06T10:00:00+08:00");
    let s = system();
    group
        .update_draft(
            &s,
            &o(),
            old_rule.id,
            &disclosure_doc("规章乙", DocumentForm::Rule, Validity::Repealed, Some("2024-05-01")),
        )
        .unwrap();
    group.submit(&s, &o(), old_rule.id).unwrap();
    group.review_approve(&s, &o(), old_rule.id, "无涉密内容").unwrap();
    group.publish(&s, &o(), old_rule.id, PublishAt::Now).unwrap();
    // Normative documents: 2022 in force; 2024 in force; 2021 repealed in 2025 (in force
    // at the end of 2024); 2023 repealed without a date, its repealed revision published
    // in 2024 (that day counts); made in 2025 (not yet in force in 2024).
    publish_at(
        "2022-03-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规范性文件一", DocumentForm::Normative, Validity::InForce, None),
    );
    publish_at(
        "2024-09-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规范性文件二", DocumentForm::Normative, Validity::InForce, None),
    );
    publish_at(
        "2021-03-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规范性文件三", DocumentForm::Normative, Validity::Repealed, Some("2025-02-01")),
    );
    publish_at(
        "2024-10-08T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规范性文件四", DocumentForm::Normative, Validity::Repealed, None),
    );
    publish_at(
        "2025-02-05T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("规范性文件五", DocumentForm::Normative, Validity::InForce, None),
    );
    // Not counted: other forms, another site's rule, a withdrawn one.
    publish_at(
        "2024-02-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("通知", DocumentForm::Other, Validity::InForce, None),
    );
    publish_at(
        "2024-02-01T10:00:00+08:00",
        sb,
        col_b,
        &disclosure_doc("乙规章", DocumentForm::Rule, Validity::InForce, None),
    );
    let gone = publish_at(
        "2024-02-01T10:00:00+08:00",
        sa,
        col_a,
        &disclosure_doc("已撤回", DocumentForm::Normative, Validity::InForce, None),
    );
    group.withdraw(&s, &o(), gone.id, "发布有误").unwrap();
    set_time(clock, "2025-06-02T09:00:00+08:00");
    t[7].query_code.clone()
}

fn rows(r: &sitegroup::AnnualReport, key: &str) -> [u64; 7] {
    r.requests.counts(key)
}

#[test]
fn fixture_year_tables_by_hand() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, sa, sb) = setup(group);
        let no_outcome_code = fixture(group, clock, sa, sb);
        let r = group.annual_report(&admin(sa, "admin-a"), sa, 2024).unwrap();
        assert_eq!(r.published_at, None, "{driver}");
        assert_eq!(r.unit_name.as_deref(), Some("甲局"));
        //                                 自然人 商业 科研 公益 法律 其他 总计
        assert_eq!(rows(&r, "received"), [4, 0, 1, 1, 1, 1, 8], "{driver}");
        assert_eq!(rows(&r, "carried_over"), [1, 1, 0, 0, 0, 0, 2], "{driver}");
        assert_eq!(rows(&r, "granted"), [2, 0, 0, 0, 0, 0, 2], "{driver}");
        assert_eq!(rows(&r, "partly_granted"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(rows(&r, "refused.process"), [0, 0, 0, 0, 1, 0, 1]);
        assert_eq!(rows(&r, "unavailable.not_held"), [0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(rows(&r, "not_handled.repeat"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(rows(&r, "other.other"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(rows(&r, "concluded_total"), [5, 0, 1, 0, 1, 0, 7]);
        assert_eq!(rows(&r, "carried_forward"), [0, 1, 0, 1, 0, 1, 3], "{driver}");
        let outcome_sum: u64 = DisclosureOutcome::ALL.iter().map(|o| rows(&r, o.as_str())[6]).sum();
        assert_eq!(outcome_sum, 7);
        assert_eq!(r.requests.rows.len(), 25);
        assert!(r.requests.balanced());
        // Only the request without an outcome is warned about, by its query code.
        assert_eq!(r.warnings.len(), 1, "{driver}: {:?}", r.warnings);
        assert_eq!(r.warnings[0].kind, "no_outcome");
        assert_eq!(r.warnings[0].query_code.as_deref(), Some(no_outcome_code.as_str()));
        // Proactive disclosure: (made, repealed, in force).
        let d = &r.proactive.documents;
        assert_eq!((d[0].label.as_str(), d[0].made, d[0].repealed, d[0].in_force), ("规章", 1, 1, 1), "{driver}");
        assert_eq!(
            (d[1].label.as_str(), d[1].made, d[1].repealed, d[1].in_force),
            ("行政规范性文件", 2, 1, 3),
            "{driver}"
        );
        // Site b counts only its own request and document.
        let rb = group.annual_report(&centre(), sb, 2024).unwrap();
        assert_eq!(rows(&rb, "received"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(rows(&rb, "granted"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(rb.proactive.documents[0].made, 1);
        // 2023 from the same data: #2 and #3 and #1 received; #1 and #2 carried forward.
        let r23 = group.annual_report(&centre(), sa, 2023).unwrap();
        assert_eq!(rows(&r23, "received"), [2, 1, 0, 0, 0, 0, 3]);
        assert_eq!(rows(&r23, "carried_forward"), [1, 1, 0, 0, 0, 0, 2]);
        assert_eq!(rows(&r23, "carried_forward"), rows(&r, "carried_over"), "one year's forward is the next's carry");
        assert!(r23.requests.balanced());
    });
}

#[test]
fn entries_validation_and_nothing_saved_on_error() {
    for_each_group(|driver, group| {
        let (_, sa, _) = setup(group);
        let pairs =
            |v: &[(&str, &str)]| v.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect::<Vec<_>>();
        let ok = AnnualReportEntries::from_form(&pairs(&[
            ("overview", "  本年度，甲局认真贯彻落实《条例》。 "),
            ("licensing", "１２"),
            ("penalty", "3"),
            ("fees_wan", "１．２５"),
            ("review.upheld", "2"),
            ("review.pending", "1"),
            ("suit_after.corrected", "1"),
            ("fee_collected", "0"),
            ("csrf", "ignored"),
        ]))
        .unwrap();
        assert_eq!((ok.licensing, ok.value("fees_wan").as_str()), (12, "1.25"));
        assert_eq!(ok.overview, "本年度，甲局认真贯彻落实《条例》。");
        for (key, bad) in [("licensing", "-1"), ("penalty", "十"), ("enforcement", "1.5"), ("fees_wan", "1.23456")] {
            match AnnualReportEntries::from_form(&pairs(&[(key, bad)])) {
                Err(Error::Invalid(ValidationError::Malformed { field, .. })) => assert_eq!(field, key),
                other => panic!("{key}={bad}: {other:?}"),
            }
        }
        let long = "问".repeat(20_001);
        assert!(matches!(
            AnnualReportEntries::from_form(&pairs(&[("problems", &long)])),
            Err(Error::Invalid(ValidationError::TooLong { field: "problems", .. }))
        ));

        let audit_len =
            || group.audit(&system(), &AuditQuery { limit: Some(100_000), ..Default::default() }).unwrap().len();
        let before = audit_len();
        // Refused: year out of range, other site's admin, an editor — nothing written.
        assert!(matches!(
            group.save_annual_report_entries(&centre(), &o(), sa, 2007, &ok),
            Err(Error::Invalid(ValidationError::Malformed { field: "year", .. }))
        ));
        assert!(group.save_annual_report_entries(&centre(), &o(), sa, 2026, &ok).is_err(), "a future year");
        assert!(matches!(group.save_annual_report_entries(&editor(sa), &o(), sa, 2024, &ok), Err(Error::Denied(_))));
        assert_eq!(audit_len(), before, "{driver}");
        assert_eq!(group.annual_report(&centre(), sa, 2024).unwrap().entries, AnnualReportEntries::default());
        // Saved by the site's admin, read back, review totals computed.
        let r = group.save_annual_report_entries(&admin(sa, "admin-a"), &o(), sa, 2024, &ok).unwrap();
        assert_eq!(audit_len(), before + 1);
        let back = group.annual_report(&admin(sa, "admin-a"), sa, 2024).unwrap();
        assert_eq!(back.entries, ok);
        assert_eq!(back, r);
        assert_eq!((back.proactive.licensing, back.proactive.penalty), (12, 3));
        assert_eq!(back.review.rows[0].total, 3);
        assert_eq!(back.review.rows[2].corrected, 1);
    });
}

#[test]
fn publish_freezes_figures_and_corrections_replace_them() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, sa, sb) = setup(group);
        fixture(group, clock, sa, sb);
        let adm = admin(sa, "admin-a");
        let entries = AnnualReportEntries { licensing: 5, overview: "概述".into(), ..Default::default() };
        group.save_annual_report_entries(&adm, &o(), sa, 2024, &entries).unwrap();
        assert_eq!(group.published_annual_report(sa, 2024).unwrap(), None, "{driver}: not yet public");
        set_time(clock, "2025-01-20T10:00:00+08:00");
        let published = group.publish_annual_report(&adm, &o(), sa, 2024).unwrap();
        let first = at("2025-01-20T10:00:00+08:00");
        assert_eq!((published.published_at, published.first_published_at), (Some(first), Some(first)));
        assert_eq!(group.published_annual_report_years(sa).unwrap(), vec![2024]);
        // Past 31 January, the self-check's list of missing reports names site b only.
        assert!(group.annual_reports_missing(at("2025-01-31T23:00:00+08:00")).unwrap().is_empty(), "in time");
        assert_eq!(group.annual_reports_missing(at("2025-02-01T09:00:00+08:00")).unwrap(), vec![(sb, 2024)]);
        assert!(group.published_annual_report_years(sb).unwrap().is_empty());

        // A request concluded in 2024 that is recorded only now does not change the
        // published report, nor the back office's view of it.
        import(
            group,
            &[req(
                "a",
                "natural_person",
                "2024-09-02T10:00:00+08:00",
                Some("2024-10-08T10:00:00+08:00"),
                Some("granted"),
            )],
        );
        let public = group.published_annual_report(sa, 2024).unwrap().unwrap();
        assert_eq!(public, published, "{driver}");
        assert_eq!(rows(&public, "received")[6], 8);
        assert_eq!(group.annual_report(&adm, sa, 2024).unwrap(), published);

        // Entries alone are refused once published; nothing changes.
        let more = AnnualReportEntries { licensing: 6, ..entries.clone() };
        assert!(matches!(
            group.save_annual_report_entries(&adm, &o(), sa, 2024, &more),
            Err(Error::Invalid(ValidationError::Malformed { field: "published", .. }))
        ));
        assert_eq!(group.published_annual_report(sa, 2024).unwrap().unwrap(), published);

        // A correction republishes with the figures of now, keeping the first time.
        set_time(clock, "2025-02-03T10:00:00+08:00");
        let corrected = group.correct_annual_report(&adm, &o(), sa, 2024, &more).unwrap();
        assert_eq!(rows(&corrected, "received")[6], 9);
        assert_eq!(rows(&corrected, "granted")[6], 3);
        assert!(corrected.requests.balanced());
        assert_eq!(corrected.proactive.licensing, 6);
        assert_eq!(corrected.first_published_at, Some(first));
        assert_eq!(corrected.published_at, Some(at("2025-02-03T10:00:00+08:00")));
        assert_eq!(group.published_annual_report(sa, 2024).unwrap().unwrap(), corrected);

        let audit = group.audit(&centre(), &AuditQuery { site: Some(sa), limit: Some(1000), ..Default::default() });
        let actions: Vec<String> = audit.unwrap().into_iter().map(|e| e.entry.action).collect();
        for a in ["annual_report.save", "annual_report.publish", "annual_report.correct"] {
            assert!(actions.iter().any(|x| x == a), "{driver}: {a} audited");
        }
    });
}

#[test]
fn tenancy_and_public_reads() {
    for_each_group(|driver, group| {
        let (_, sa, sb) = setup(group);
        let (adm_a, adm_b) = (admin(sa, "admin-a"), admin(sb, "admin-b"));
        let e = AnnualReportEntries::default();
        assert!(matches!(group.annual_report(&adm_b, sa, 2024), Err(Error::Denied(_))), "{driver}");
        assert!(matches!(group.annual_report(&editor(sa), sa, 2024), Err(Error::Denied(_))));
        assert!(matches!(group.save_annual_report_entries(&adm_b, &o(), sa, 2024, &e), Err(Error::Denied(_))));
        assert!(matches!(group.publish_annual_report(&adm_b, &o(), sa, 2024), Err(Error::Denied(_))));
        assert!(matches!(group.correct_annual_report(&adm_b, &o(), sa, 2024, &e), Err(Error::Denied(_))));
        assert!(matches!(group.publish_annual_report(&editor(sa), &o(), sa, 2024), Err(Error::Denied(_))));
        assert!(matches!(group.set_annual_report_unit(&adm_a, &o(), sa, Some("b")), Err(Error::Denied(_))));
        assert_eq!(group.published_annual_report(sa, 2024).unwrap(), None);
        assert!(group.published_annual_report_years(sa).unwrap().is_empty());
        // Its own admin and the centre may.
        group.annual_report(&adm_a, sa, 2024).unwrap();
        group.publish_annual_report(&centre(), &o(), sa, 2024).unwrap();
        assert!(group.published_annual_report(sa, 2024).unwrap().is_some());
        assert_eq!(group.published_annual_report(sb, 2024).unwrap(), None, "another site's year stays unpublished");
    });
}

#[test]
fn portal_reports_for_the_unit_the_centre_names() {
    for_each_group(|driver, group| {
        let (portal, _, _) = setup(group);
        unit(group, "xzf", "县人民政府");
        import(
            group,
            &[req(
                "xzf",
                "legal_service",
                "2024-03-01T10:00:00+08:00",
                Some("2024-03-08T10:00:00+08:00"),
                Some("granted"),
            )],
        );
        let before = group.annual_report(&centre(), portal, 2024).unwrap();
        assert_eq!(rows(&before, "received")[6], 0, "{driver}");
        assert!(before.warnings.iter().any(|w| w.kind == "no_unit"));
        group.set_annual_report_unit(&centre(), &o(), portal, Some("XZF")).unwrap();
        let after = group.annual_report(&centre(), portal, 2024).unwrap();
        assert_eq!(rows(&after, "received"), [0, 0, 0, 0, 1, 0, 1], "{driver}");
        assert_eq!(after.unit_name.as_deref(), Some("县人民政府"));
        assert!(matches!(
            group.set_annual_report_unit(&centre(), &o(), portal, Some("nope")),
            Err(Error::NotFound { what: "unit", .. })
        ));
        group.set_annual_report_unit(&centre(), &o(), portal, None).unwrap();
        assert_eq!(rows(&group.annual_report(&centre(), portal, 2024).unwrap(), "received")[6], 0);
    });
}

#[test]
fn requests_carry_applicant_and_outcome() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, sa, sb) = setup(group);
        let mut new = NewTicket {
            channel: "disclosure".into(),
            unit: Some("a".into()),
            writer: Writer { name: Some("某律师事务所".into()), phone: Some("13800138000".into()), email: None },
            subject: "申请公开征地补偿标准".into(),
            body: "请公开2024年征地补偿标准。".into(),
            ..Default::default()
        };
        assert!(matches!(
            group.submit_ticket(&o(), &new),
            Err(Error::Invalid(ValidationError::Empty { field: "applicant" }))
        ));
        new.applicant = Some("robot".into());
        assert!(matches!(
            group.submit_ticket(&o(), &new),
            Err(Error::Invalid(ValidationError::Malformed { field: "applicant", .. }))
        ));
        new.applicant = Some("legal_service".into());
        let t = group.submit_ticket(&o(), &new).unwrap().ticket;
        let facts = t.flow.disclosure.unwrap();
        assert_eq!((facts.applicant, facts.outcome), (ApplicantKind::LegalService, None), "{driver}");
        let ua = group.unit("a").unwrap().id;
        group.ticket_step(&centre(), &o(), t.id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
        // Another site's admin may not decide; the unit's handler may, and change it.
        let handler_b = Actor::user(UserId(980), "hb", vec![Grant { role: Role::Handler, scope: Scope::Site(sb) }]);
        let decide = |o: DisclosureOutcome| Command::Decide { outcome: o };
        assert!(matches!(
            group.ticket_step(&handler_b, &o(), t.id, decide(DisclosureOutcome::Granted)),
            Err(Error::Denied(_))
        ));
        let handler = Actor::user(UserId(981), "ha", vec![Grant { role: Role::Handler, scope: Scope::Site(sa) }]);
        group.ticket_step(&handler, &o(), t.id, decide(DisclosureOutcome::Granted)).unwrap();
        let t2 = group.ticket_step(&handler, &o(), t.id, decide(DisclosureOutcome::PartlyGranted)).unwrap();
        assert_eq!(t2.flow.disclosure.unwrap().outcome, Some(DisclosureOutcome::PartlyGranted));
        group.ticket_step(&handler, &o(), t.id, Command::Reply { text: "部分公开。".into() }).unwrap();
        set_time(clock, "2025-06-05T09:00:00+08:00");
        let closed = group.ticket_step(&centre(), &o(), t.id, Command::Approve).unwrap();
        assert_eq!(closed.flow.state, TicketState::Closed);
        assert!(matches!(
            group.ticket_step(&handler, &o(), t.id, decide(DisclosureOutcome::Granted)),
            Err(Error::Interaction(InteractionError::IllegalTransition { .. }))
        ));
        let log = group.ticket(&centre(), t.id).unwrap().log;
        assert!(log.iter().any(|l| l.action == "decide"));
        // Decide is for disclosure requests only.
        let c = NewTicket {
            channel: "complaint".into(),
            unit: Some("a".into()),
            subject: "路灯".into(),
            body: "不亮".into(),
            applicant: Some("natural_person".into()),
            ..Default::default()
        };
        let c = group.submit_ticket(&o(), &c).unwrap().ticket;
        assert_eq!(c.flow.disclosure, None, "ignored on other channels");
        assert!(matches!(
            group.ticket_step(&centre(), &o(), c.id, decide(DisclosureOutcome::Granted)),
            Err(Error::Interaction(InteractionError::IllegalTransition { .. }))
        ));
        // A spam rejection is not a request; the 2025 report counts the one request.
        let spam = NewTicket { subject: "广告".into(), applicant: Some("natural_person".into()), ..new.clone() };
        let spam = group.submit_ticket(&o(), &spam).unwrap().ticket;
        let reject =
            Command::Reject { reason: sitegroup::interaction::flow::RejectReason::Spam, note: "垃圾信息".into() };
        group.ticket_step(&centre(), &o(), spam.id, reject).unwrap();
        let r = group.annual_report(&centre(), sa, 2025).unwrap();
        assert_eq!(rows(&r, "received"), [0, 0, 0, 0, 1, 0, 1], "{driver}");
        assert_eq!(rows(&r, "partly_granted"), [0, 0, 0, 0, 1, 0, 1]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    });
}

#[test]
fn xlsx_opens_and_holds_the_figures() {
    for_each_group_with_clock(|_, group, clock| {
        let (_, sa, sb) = setup(group);
        fixture(group, clock, sa, sb);
        let entries = AnnualReportEntries { fees_wan: sitegroup::Amount(12_500), ..Default::default() };
        let r = group.save_annual_report_entries(&centre(), &o(), sa, 2024, &entries).unwrap();
        let bytes = r.to_xlsx().unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04", "a zip container");
        let cells = r.sheet_cells();
        let text_at = |row: u32, col: u16| cells.iter().find(|c| c.row == row && c.col == col).map(|c| c.text.clone());
        assert_eq!(text_at(0, 0).as_deref(), Some("site-a站2024年政府信息公开工作年度报告"));
        let find = |t: &str| cells.iter().find(|c| c.text == t).unwrap_or_else(|| panic!("{t} in the sheet"));
        // The received row: label over columns A–C, then the seven counts.
        let received = find("一、本年新收政府信息公开申请数量");
        assert_eq!((received.col, received.last_col), (0, 2));
        let counts: Vec<String> = (3..10).filter_map(|c| text_at(received.row, c)).collect();
        assert_eq!(counts, ["4", "0", "1", "1", "1", "1", "8"]);
        // Merged headings of the national form.
        let legal = find("法人或其他组织");
        assert_eq!((legal.col, legal.last_col), (4, 8));
        let refused = find("（三）不予公开");
        assert_eq!(refused.last_row - refused.row + 1, 8, "eight refusal rows");
        let total = find("（七）总计");
        assert_eq!(text_at(total.row, 9).as_deref(), Some("7"));
        let rules = find("规章");
        assert_eq!(
            [3, 5, 7].map(|c| text_at(rules.row, c).unwrap_or_default()),
            ["1".to_string(), "1".into(), "1".into()]
        );
        let fees = find("行政事业性收费");
        assert_eq!(text_at(fees.row, 3).as_deref(), Some("1.25"));
        assert!(cells.iter().any(|c| c.text.contains("未登记办理结果")), "the warning is printed");
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Random requests of two units: the balance rule holds for every column, and the
    /// other unit's requests never count.
    #[test]
    fn balance_holds_and_other_units_never_count(
        tickets in proptest::collection::vec(
            (0usize..2, 0usize..6, 0i64..1_000, proptest::option::of(0i64..400), proptest::option::of(0usize..21)),
            0..25,
        ),
    ) {
        for_each_group(|driver, group| {
            let (_, sa, _) = setup(group);
            let base = at("2023-07-01T10:00:00+08:00");
            let lines: Vec<ImportTicket> = tickets
                .iter()
                .map(|&(u, k, rec_day, done_after, outcome)| {
                    let received = base + rec_day * 86_400;
                    ImportTicket {
                        channel: "disclosure".into(),
                        unit: ["a", "b"][u].into(),
                        subject: "申请".into(),
                        body: "内容".into(),
                        received_at: received,
                        replied_at: done_after.map(|d| received + d * 86_400),
                        reply: done_after.map(|_| "答复".into()),
                        applicant: Some(ApplicantKind::ALL[k].as_str().into()),
                        outcome: outcome.map(|o| DisclosureOutcome::ALL[o].as_str().into()),
                        ..Default::default()
                    }
                })
                .collect();
            import(group, &lines);
            let (start, end) = (at("2024-01-01T00:00:00+08:00"), at("2024-12-31T23:59:59+08:00"));
            let r = group.annual_report(&centre(), sa, 2024).unwrap();
            assert!(r.requests.balanced(), "{driver}: {:?}", r.requests);
            assert!(!r.warnings.iter().any(|w| w.kind == "unbalanced"));
            let mine = |l: &&ImportTicket| l.unit == "a";
            let received = lines.iter().filter(mine).filter(|l| (start..=end).contains(&l.received_at)).count();
            assert_eq!(rows(&r, "received")[6], received as u64, "{driver}");
            let open_at_end = lines
                .iter()
                .filter(mine)
                .filter(|l| l.received_at <= end && l.replied_at.is_none_or(|c| c > end))
                .count();
            assert_eq!(rows(&r, "carried_forward")[6], open_at_end as u64);
            let per_kind: u64 = rows(&r, "received")[..6].iter().sum();
            assert_eq!(per_kind, received as u64);
        });
    }
}
