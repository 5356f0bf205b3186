//! The self-check indicators on fixtures built to violate them, on both drivers.
//!
//! One group holds a clean site and one site per indicator, each built to break exactly
//! that indicator (and what it implies, e.g. a stale home page implies a stale column).
//! Timeline: everything is created at T0 (the fixture clock); "old" content is published
//! at T0; the clock moves 15 days to T1 where the fresh content is published and the
//! check runs.

use std::collections::BTreeSet;

use chrono::Duration;
use sitegroup::content::DocInput;
use sitegroup::interaction::solicitation::NewSolicitation;
use sitegroup::services::{Guide, Material, NewItem};
use sitegroup::{
    Actor, CheckIndicator, CheckProbe, CheckVerdict, Duty, Error, Grant, ImportTicket, NewColumn, NewSite, Origin,
    Role, Scope, SiteGroup, SiteId, SiteIdentity, UserId,
};
use sitegroup_tests::{for_each_group_with_clock, publish_new, system, unit};

const DAY: i64 = 86_400;

fn o() -> Origin {
    Origin::other("test")
}

fn identity() -> SiteIdentity {
    SiteIdentity {
        site_code: Some("3402250001".into()),
        icp: Some("皖ICP备05000001号".into()),
        police_filing: Some("皖公网安备 34022502000001号".into()),
    }
}

fn add_site(group: &SiteGroup, code: &str, kind: &str, parent: Option<SiteId>, with_identity: bool) -> SiteId {
    let u = unit(group, &format!("u{code}"), &format!("单位{code}"));
    let channel = parent.is_some();
    group
        .add_site(
            &system(),
            &o(),
            &NewSite {
                code: code.into(),
                name: format!("站点{code}"),
                kind: kind.into(),
                parent,
                unit: Some(u.id),
                path_prefix: channel.then(|| format!("/{code}")),
                hosts: if channel { vec![] } else { vec![format!("{code}.example.cn")] },
                identity: if with_identity { identity() } else { SiteIdentity::default() },
                ..Default::default()
            },
        )
        .unwrap()
        .id
}

fn col(group: &SiteGroup, site: SiteId, name: &str, duty: Duty) -> i64 {
    let new = NewColumn { parent: None, name: name.into(), duty: Some(duty), ..Default::default() };
    group.add_column(&system(), &o(), site, &new).unwrap().id
}

fn doc(title: &str) -> DocInput {
    DocInput::article(title, "<p>县政府召开常务会议，研究部署近期重点工作。PLACEHOLDER</p>")
}

fn complaint(unit: &str, channel: &str, received: i64, replied: Option<i64>) -> ImportTicket {
    ImportTicket {
        channel: channel.into(),
        unit: unit.into(),
        subject: "反映问题".into(),
        body: "内容".into(),
        received_at: received,
        replied_at: replied,
        reply: replied.map(|_| "已处理".to_string()),
        ..Default::default()
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
        place: "县政务服务中心一楼".into(),
        hours: "工作日 8:30-12:00".into(),
        phone: "0553-6612345".into(),
        online_entry: "https://www.ahzwfw.gov.cn/".into(),
    }
}

fn item(code: &str, unit: &str) -> NewItem {
    NewItem {
        code: code.into(),
        name: format!("事项{code}"),
        audience: "personal".into(),
        life_events: vec!["birth".into()],
        theme: "户籍".into(),
        unit: unit.into(),
        sort: 0,
    }
}

fn admin_of(site: SiteId) -> Actor {
    Actor::user(UserId(900), "admin", vec![Grant { role: Role::SiteAdmin, scope: Scope::Site(site) }])
}

/// Builds the fixture; returns the site ids by code (in creation order).
fn fixture(group: &SiteGroup, clock: &sitegroup::TestClock) -> Vec<(&'static str, SiteId)> {
    let s = system();
    let www = add_site(group, "www", "portal", None, true);
    group.set_error_report_entry(&s, &o(), www, "/jiucuo/").unwrap();
    let dept = |code: &str| add_site(group, code, "department", Some(www), false);
    let codes = [
        "clean",
        "lapse",
        "home",
        "colstale",
        "stale5",
        "notupd",
        "blank1",
        "blank5",
        "date",
        "prohibited",
        "serious",
        "secret",
        "personal",
        "unanswered",
        "idle",
        "solicit",
        "guide",
        "unreach",
        "pagefailed",
    ];
    let mut sites: Vec<(&'static str, SiteId)> = vec![("www", www)];
    for c in codes {
        sites.push((c, dept(c)));
    }
    let noid = add_site(group, "noid", "website", None, false);
    group.set_error_report_entry(&s, &o(), noid, "mailto:jiucuo@example.cn").unwrap();
    sites.push(("noid", noid));
    sites.push(("noerr", add_site(group, "noerr", "website", None, true)));
    let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;

    // T0: every site's main news column; old content.
    let main: Vec<(SiteId, i64)> =
        sites.iter().map(|(_, site)| (*site, col(group, *site, "工作动态", Duty::News))).collect();
    let main_of = |site: SiteId| main.iter().find(|(s, _)| *s == site).unwrap().1;
    publish_new(group, id("home"), main_of(id("home")), &doc("旧动态"));
    let c = col(group, id("colstale"), "通知", Duty::News);
    publish_new(group, id("colstale"), c, &doc("旧通知"));
    for i in 0..5 {
        let c = col(group, id("stale5"), &format!("动态{i}"), Duty::News);
        publish_new(group, id("stale5"), c, &doc("旧"));
    }
    for i in 0..10 {
        let c = col(group, id("notupd"), &format!("周报{i}"), Duty::Custom(7));
        publish_new(group, id("notupd"), c, &doc("旧"));
    }
    let c = col(group, id("lapse"), "月报", Duty::Custom(20));
    publish_new(group, id("lapse"), c, &doc("月报"));
    col(group, id("blank1"), "概况", Duty::Static);
    for i in 0..5 {
        col(group, id("blank5"), &format!("空栏目{i}"), Duty::Static);
    }

    // T1.
    clock.advance(Duration::days(15));
    let now = group.now();
    for (code, site) in &sites {
        if *code != "home" {
            publish_new(group, *site, main_of(*site), &doc("新动态"));
        }
    }
    let mut faked = doc("旧日期");
    faked.display_time = Some(now - 400 * DAY);
    publish_new(group, id("date"), main_of(id("date")), &faked);
    for (code, text) in [
        ("prohibited", "违禁词甲"),
        ("serious", "中华人名共和国"),
        ("secret", "密级：秘密"),
        ("personal", "身份证号11010519491231002X"),
    ] {
        let d = publish_new(group, id(code), main_of(id(code)), &doc("待改"));
        let rev = d.published_rev.unwrap();
        group
            .db()
            .write(|tx| {
                tx.execute(
                    "UPDATE content_revisions SET fields = REPLACE(fields, 'PLACEHOLDER', ?) WHERE id = ?",
                    &[text.into(), rev.into()],
                )
            })
            .unwrap();
    }

    // Tickets: the clean pattern (answered 5 days after receipt, 60 days ago).
    let ok = |u: &str| complaint(u, "complaint", now - 60 * DAY, Some(now - 55 * DAY));
    let lines = vec![
        ok("uclean"),
        ok("uunanswered"),
        complaint("uunanswered", "complaint", now - 200 * DAY, None),
        ok("uidle"),
        complaint("uidle", "forum", now - 500 * DAY, Some(now - 495 * DAY)),
    ];
    assert!(group.import_tickets_batch(&s, &o(), &lines).unwrap().iter().all(Result::is_ok));

    // A solicitation closed 60 days ago without a summary.
    let sol = group
        .create_solicitation(
            &s,
            &o(),
            id("solicit"),
            &NewSolicitation {
                title: "养犬管理办法征求意见".into(),
                intro: "欢迎提出意见。".into(),
                body: "第一条 为了加强养犬管理，制定本办法。".into(),
                opens_at: now - 90 * DAY,
                closes_at: now - 60 * DAY,
            },
        )
        .unwrap();
    group.publish_solicitation(&s, &o(), sol.id).unwrap();

    // Guides: complete for the clean site, the phone missing for `guide`.
    let full = group.add_service_item(&s, &o(), &item("a1", "uclean"), &full_guide()).unwrap();
    group.publish_service_item(&s, &o(), full.id, true).unwrap();
    let partial = Guide { phone: String::new(), ..full_guide() };
    let bad = group.add_service_item(&s, &o(), &item("b1", "uguide"), &partial).unwrap();
    group.publish_service_item(&s, &o(), bad.id, true).unwrap();

    // Probes.
    let probe = |site: SiteId, status: u16, millis: i64| CheckProbe { site, path: "/x/".into(), status, millis };
    let mut probes = vec![probe(id("clean"), 200, 30), probe(id("unreach"), 500, 20)];
    probes.extend((0..20).map(|_| probe(id("pagefailed"), 200, 40)));
    probes.push(CheckProbe { path: "/pagefailed/slow/".into(), ..probe(id("pagefailed"), 200, 16_000) });
    group.record_check_probes(&s, &o(), &probes).unwrap();

    // Word lists arrive after publication (the checker runs again at self-check time).
    let checks = group.dir().join("checks");
    std::fs::create_dir_all(&checks).unwrap();
    std::fs::write(checks.join("prohibited.txt"), "违禁词甲\n").unwrap();
    std::fs::write(checks.join("serious.txt"), "中华人名共和国 => 中华人民共和国\n").unwrap();
    sites
}

fn indicators(group: &SiteGroup, site: SiteId) -> BTreeSet<CheckIndicator> {
    let report = group.self_check(&admin_of(site), Some(site)).unwrap();
    assert_eq!(report.sites.len(), 1);
    report.sites[0].findings.iter().map(|f| f.indicator).collect()
}

#[test]
fn each_indicator_triggers_on_its_fixture_and_the_clean_site_is_silent() {
    use CheckIndicator::*;
    for_each_group_with_clock(|driver, group, clock| {
        let sites = fixture(group, clock);
        let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;
        let expect: Vec<(&str, Vec<CheckIndicator>)> = vec![
            ("www", vec![]),
            ("clean", vec![]),
            ("lapse", vec![]),
            ("home", vec![HomeStale, ColumnStale]),
            ("colstale", vec![ColumnStale]),
            ("stale5", vec![ColumnsStale, ColumnStale]),
            ("notupd", vec![ColumnsNotUpdated, ColumnStale]),
            ("blank1", vec![BlankColumn]),
            ("blank5", vec![BlankColumns, BlankColumn]),
            ("date", vec![FakedDate]),
            ("prohibited", vec![ProhibitedContent]),
            ("serious", vec![SeriousError]),
            ("secret", vec![LeakedSecret]),
            ("personal", vec![PersonalData]),
            ("unanswered", vec![UnansweredThreeMonths]),
            ("idle", vec![ChannelIdle]),
            ("solicit", vec![SolicitationNoSummary]),
            ("guide", vec![GuideIncomplete]),
            ("noid", vec![IdentityFooter]),
            ("noerr", vec![ErrorReportEntry]),
            ("unreach", vec![Unreachable]),
            ("pagefailed", vec![PageFailed]),
        ];
        for (code, want) in &expect {
            let want: BTreeSet<CheckIndicator> = want.iter().copied().collect();
            assert_eq!(indicators(group, id(code)), want, "{driver}: site {code}");
        }
        // Every indicator has a fixture.
        let covered: BTreeSet<CheckIndicator> = expect.iter().flat_map(|(_, w)| w.iter().copied()).collect();
        assert_eq!(covered.len(), CheckIndicator::ALL.len(), "{driver}");

        // Evidence and vetoes.
        let report = group.self_check(&system(), Some(id("unanswered"))).unwrap();
        let f = &report.sites[0].findings[0];
        assert!(f.veto && f.evidence.ticket.is_some(), "{driver}: {f:?}");
        assert_eq!(f.since, Some(group.now() - 200 * DAY));
        let report = group.self_check(&system(), Some(id("date"))).unwrap();
        let f = &report.sites[0].findings[0];
        assert_eq!((f.veto, f.evidence.figure, f.evidence.column_name.as_deref()), (true, Some(400), Some("工作动态")));
        let report = group.self_check(&system(), Some(id("idle"))).unwrap();
        assert!(!report.sites[0].findings[0].veto, "{driver}: the complaint channel still works");
        let report = group.self_check(&system(), Some(id("guide"))).unwrap();
        assert_eq!(report.sites[0].findings[0].evidence.detail, vec!["phone".to_string()]);
        assert!(!report.sites[0].findings[0].veto);
        let json = report.sites[0].findings[0].to_json();
        for key in ["site", "indicator", "veto", "evidence", "since"] {
            assert!(json.get(key).is_some(), "{driver}: {key}");
        }
        // Lapsing soon is a notice, not a finding.
        let report = group.self_check(&system(), Some(id("lapse"))).unwrap();
        assert_eq!(report.sites[0].notices.len(), 1, "{driver}");
        assert_eq!(report.sites[0].notices[0].column_name, "月报");
        assert_eq!(report.sites[0].score, 100);
    });
}

#[test]
fn scores_and_ranking_by_hand() {
    for_each_group_with_clock(|driver, group, clock| {
        fixture(group, clock);
        let report = group.self_check(&system(), None).unwrap();
        // Deductions: column_stale 2, blank_column 2, guide 2, page 2, solicitation 3,
        // channel 5, identity 5, error-report 5, personal data 5; vetoes take none.
        let order: Vec<(&str, u32, CheckVerdict)> =
            report.sites.iter().map(|s| (s.code.as_str(), s.score, s.verdict)).collect();
        use CheckVerdict::*;
        let expected = vec![
            ("clean", 100, Good),
            ("lapse", 100, Good),
            ("www", 100, Good),
            ("blank1", 98, Good),
            ("colstale", 98, Good),
            ("guide", 98, Good),
            ("pagefailed", 98, Good),
            ("solicit", 97, Good),
            ("idle", 95, Good),
            ("noerr", 95, Good),
            ("noid", 95, Good),
            ("personal", 95, Good),
            ("date", 100, Vetoed),
            ("prohibited", 100, Vetoed),
            ("secret", 100, Vetoed),
            ("serious", 100, Vetoed),
            ("unanswered", 100, Vetoed),
            ("unreach", 100, Vetoed),
            ("home", 98, Vetoed),
            ("blank5", 90, Vetoed),
            ("stale5", 90, Vetoed),
            // Ten stale columns: 20 points, the column cap.
            ("notupd", 80, Vetoed),
        ];
        assert_eq!(order, expected, "{driver}");
        let ranks: Vec<u32> = report.sites.iter().map(|s| s.rank).collect();
        assert_eq!(ranks, (1..=22).collect::<Vec<u32>>());
        let xlsx = report.to_xlsx().unwrap();
        assert_eq!(&xlsx[..2], b"PK", "{driver}");
    });
}

#[test]
fn a_site_admin_checks_only_their_own_site() {
    for_each_group_with_clock(|driver, group, clock| {
        let sites = fixture(group, clock);
        let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;
        let me = admin_of(id("clean"));
        assert!(group.self_check(&me, Some(id("clean"))).is_ok(), "{driver}");
        assert!(matches!(group.self_check(&me, Some(id("home"))), Err(Error::Denied(_))), "{driver}");
        assert!(matches!(group.self_check(&me, None), Err(Error::Denied(_))), "{driver}");
        let editor =
            Actor::user(UserId(901), "ed", vec![Grant { role: Role::Editor, scope: Scope::Site(id("clean")) }]);
        assert!(matches!(group.self_check(&editor, Some(id("clean"))), Err(Error::Denied(_))));
        // The site admin's report holds their site's findings only.
        let report = group.self_check(&admin_of(id("home")), Some(id("home"))).unwrap();
        assert!(report.findings().all(|f| f.site == id("home")));
        // Probes are the centre's; a bad entry is refused and nothing is written.
        let probe = CheckProbe { site: id("clean"), path: "/".into(), status: 200, millis: 1 };
        assert!(matches!(group.record_check_probes(&me, &o(), std::slice::from_ref(&probe)), Err(Error::Denied(_))));
        let bad = CheckProbe { path: "no-slash".into(), ..probe };
        assert!(matches!(group.record_check_probes(&system(), &o(), &[bad]), Err(Error::Invalid(_))));
        assert!(matches!(
            group.set_error_report_entry(&me, &o(), id("clean"), "javascript:alert(1)"),
            Err(Error::Invalid(_))
        ));
        group.set_error_report_entry(&me, &o(), id("clean"), "/clean/jiucuo/").unwrap();
        assert_eq!(group.error_report_entry(id("clean")).unwrap().as_deref(), Some("/clean/jiucuo/"));
    });
}

// ---- The checker's verdict cache (derived; keyed by document, public revision and the
// checker's fingerprint).

/// `(document, site, revision, fingerprint, findings, checked_at)` of every cached verdict.
type CacheRow = (i64, i64, i64, String, String, i64);

fn cache_rows(group: &SiteGroup) -> Vec<CacheRow> {
    group
        .db()
        .read(|tx| {
            tx.query(
                "SELECT document_id, site_id, rev_id, fingerprint, findings, checked_at \
                 FROM selfcheck_doc_checks ORDER BY document_id",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .collect::<Result<Vec<_>, sitegroup::store::StoreError>>()
        })
        .unwrap()
}

fn published_count(group: &SiteGroup) -> usize {
    group
        .db()
        .read(|tx| tx.query_one("SELECT COUNT(*) FROM content_documents WHERE published_rev IS NOT NULL", &[])?.get(0))
        .map(|n: i64| n as usize)
        .unwrap()
}

#[test]
fn a_warm_run_finds_exactly_what_a_cold_run_found_and_reads_the_cache() {
    for_each_group_with_clock(|driver, group, clock| {
        let sites = fixture(group, clock);
        let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;
        assert!(cache_rows(group).is_empty(), "{driver}");
        assert_eq!(group.self_check_pending(&system(), None).unwrap() as usize, published_count(group));
        let cold = group.self_check(&system(), None).unwrap();
        let rows = cache_rows(group);
        assert_eq!(rows.len(), published_count(group), "{driver}: one verdict per published document");
        assert_eq!(group.self_check_pending(&system(), None).unwrap(), 0, "{driver}");
        let warm = group.self_check(&system(), None).unwrap();
        assert_eq!(warm.sites, cold.sites, "{driver}");
        assert_eq!(cache_rows(group), rows, "{driver}: a warm run rewrites nothing");

        // The warm run really reads the cache: a planted verdict shows up as a finding.
        let clean_doc = rows.iter().find(|r| r.1 == id("clean").0).unwrap().0;
        group
            .db()
            .write(|tx| {
                tx.execute(
                    "UPDATE selfcheck_doc_checks SET findings = ? WHERE document_id = ?",
                    &[r#"[["prohibited_content",["种植"]]]"#.into(), clean_doc.into()],
                )
            })
            .unwrap();
        let planted = group.self_check(&system(), Some(id("clean"))).unwrap();
        assert!(
            planted
                .findings()
                .any(|f| f.indicator == CheckIndicator::ProhibitedContent && f.evidence.document == Some(clean_doc)),
            "{driver}"
        );
        // An unreadable verdict is checked again and replaced.
        group
            .db()
            .write(|tx| {
                tx.execute(
                    "UPDATE selfcheck_doc_checks SET findings = 'garbage' WHERE document_id = ?",
                    &[clean_doc.into()],
                )
            })
            .unwrap();
        assert!(indicators(group, id("clean")).is_empty(), "{driver}");
        // The cache may be dropped at any time: the next run rebuilds it and agrees.
        group.db().write(|tx| tx.execute("DELETE FROM selfcheck_doc_checks", &[])).unwrap();
        let again = group.self_check(&system(), None).unwrap();
        assert_eq!(again.sites, cold.sites, "{driver}");
        assert_eq!(cache_rows(group).len(), rows.len(), "{driver}");

        // The last report of each scope is stored; a site admin gets only their site's.
        let last = group.last_self_check(&system(), None).unwrap().unwrap();
        assert_eq!(last.sites, again.sites, "{driver}");
        let own = group.last_self_check(&admin_of(id("home")), Some(id("home"))).unwrap().unwrap();
        assert!(own.sites.iter().all(|s| s.site == id("home")) && own.sites.len() == 1, "{driver}");
        assert!(matches!(group.last_self_check(&admin_of(id("home")), None), Err(Error::Denied(_))));
        assert!(matches!(group.last_self_check(&admin_of(id("home")), Some(id("clean"))), Err(Error::Denied(_))));
        assert!(matches!(group.self_check_pending(&admin_of(id("home")), Some(id("clean"))), Err(Error::Denied(_))));
    });
}

#[test]
fn a_republished_document_is_checked_again_and_a_withdrawn_one_leaves_the_cache() {
    for_each_group_with_clock(|driver, group, clock| {
        let sites = fixture(group, clock);
        let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;
        let report = group.self_check(&system(), None).unwrap();
        let bad = report
            .findings()
            .find(|f| f.indicator == CheckIndicator::ProhibitedContent)
            .and_then(|f| f.evidence.document)
            .unwrap();
        // The corrected text is reviewed and published: a new public revision.
        let (s, o) = (system(), o());
        group.update_draft(&s, &o, bad, &DocInput::article("已更正", "<p>县政府召开常务会议。</p>")).unwrap();
        assert_eq!(group.self_check_pending(&s, None).unwrap(), 0, "{driver}: a draft is not public");
        assert!(indicators(group, id("prohibited")).contains(&CheckIndicator::ProhibitedContent));
        group.submit(&s, &o, bad).unwrap();
        group.review_approve(&s, &o, bad, "无涉密内容").unwrap();
        group.publish(&s, &o, bad, sitegroup::PublishAt::Now).unwrap();
        assert_eq!(group.self_check_pending(&s, None).unwrap(), 1, "{driver}");
        assert!(indicators(group, id("prohibited")).is_empty(), "{driver}: the new revision was checked");
        let row = cache_rows(group).into_iter().find(|r| r.0 == bad).unwrap();
        assert_eq!(Some(row.2), group.document(&s, bad).unwrap().published_rev, "{driver}");

        // Withdrawn: not reported, and its row is pruned by the next run of its site.
        let secret = report
            .findings()
            .find(|f| f.indicator == CheckIndicator::LeakedSecret)
            .and_then(|f| f.evidence.document)
            .unwrap();
        group.withdraw(&s, &o, secret, "涉密").unwrap();
        assert!(indicators(group, id("secret")).is_empty(), "{driver}");
        assert!(cache_rows(group).iter().all(|r| r.0 != secret), "{driver}");
    });
}

#[test]
fn changing_the_word_lists_invalidates_every_verdict() {
    for_each_group_with_clock(|driver, group, clock| {
        let sites = fixture(group, clock);
        let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;
        group.self_check(&system(), None).unwrap();
        let before = cache_rows(group);
        let old_fp = sitegroup::checker_fingerprint(group.dir()).unwrap();
        assert!(before.iter().all(|r| r.3 == old_fp), "{driver}");
        assert!(indicators(group, id("clean")).is_empty(), "{driver}");
        // Every fixture text says 县政府召开常务会议: now a prohibited phrase.
        let list = group.dir().join("checks/prohibited.txt");
        std::fs::write(&list, "违禁词甲\n常务会议\n").unwrap();
        let new_fp = sitegroup::checker_fingerprint(group.dir()).unwrap();
        assert_ne!(new_fp, old_fp, "{driver}");
        assert_eq!(group.self_check_pending(&system(), None).unwrap() as usize, before.len(), "{driver}");
        assert!(indicators(group, id("clean")).contains(&CheckIndicator::ProhibitedContent), "{driver}");
        group.self_check(&system(), None).unwrap();
        assert!(cache_rows(group).iter().all(|r| r.3 == new_fp), "{driver}");
        // And back: the old lists give the old verdicts again.
        std::fs::write(&list, "违禁词甲\n").unwrap();
        assert_eq!(sitegroup::checker_fingerprint(group.dir()).unwrap(), old_fp, "{driver}");
        assert!(indicators(group, id("clean")).is_empty(), "{driver}");
    });
}

#[test]
fn a_site_admins_run_touches_only_their_own_sites_cached_verdicts() {
    for_each_group_with_clock(|driver, group, clock| {
        let sites = fixture(group, clock);
        let id = |code: &str| sites.iter().find(|(c, _)| *c == code).unwrap().1;
        let (a, b) = (id("clean"), id("home"));
        group.self_check(&system(), None).unwrap();
        let of = |rows: &[CacheRow], site: SiteId| -> Vec<CacheRow> {
            rows.iter().filter(|r| r.1 == site.0).cloned().collect()
        };
        let before = cache_rows(group);
        assert!(!of(&before, a).is_empty() && !of(&before, b).is_empty(), "{driver}");
        // Lists change, a document of site A is withdrawn, time passes; B's admin runs.
        std::fs::write(group.dir().join("checks/prohibited.txt"), "违禁词甲\n违禁词乙\n").unwrap();
        let a_doc = of(&before, a)[0].0;
        group.withdraw(&system(), &o(), a_doc, "过期").unwrap();
        clock.advance(Duration::days(1));
        group.self_check(&admin_of(b), Some(b)).unwrap();
        let after = cache_rows(group);
        assert_eq!(of(&after, a), of(&before, a), "{driver}: A's rows untouched, the withdrawn one not pruned");
        let new_fp = sitegroup::checker_fingerprint(group.dir()).unwrap();
        assert!(of(&after, b).iter().all(|r| r.3 == new_fp && r.5 == group.now()), "{driver}: B's rows rechecked");
        // Rows of every other site are untouched too.
        let others = |rows: &[CacheRow]| -> Vec<CacheRow> { rows.iter().filter(|r| r.1 != b.0).cloned().collect() };
        assert_eq!(others(&after), others(&before), "{driver}");
        // A's own run then prunes and refreshes A's rows.
        group.self_check(&admin_of(a), Some(a)).unwrap();
        let rows = cache_rows(group);
        assert!(rows.iter().all(|r| r.0 != a_doc), "{driver}");
        assert!(of(&rows, a).iter().all(|r| r.3 == new_fp), "{driver}");
    });
}
