//! Issue 3: content (cross-crate tests) on both drivers: the workflow under random
//! action sequences, refusals that write nothing, scheduled publishing with the test
//! clock, index numbers under concurrent publishing, revisions, syndication, the
//! disclosure catalogue, date flags, broken links and uploads.

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sitegroup::content::{CatalogueFilter, DisclosureMeta, DocInput, DocKind, DocState, Document, Validity};
use sitegroup::{
    Actor, AuditQuery, Error, Grant, NewSite, Origin, PublishAt, Role, Scope, Site, SiteGroup, SiteId, UserId,
};
use sitegroup_tests::{column, for_each_group_with_clock, publish_new, system, two_channels, unit};

const DAY: i64 = 86_400;

fn o() -> Origin {
    Origin::other("test")
}

fn user(id: i64, name: &str, role: Role, scope: Scope) -> Actor {
    Actor::user(UserId(id), name, vec![Grant { role, scope }])
}

fn article(title: &str, body: &str) -> DocInput {
    DocInput::article(title, body)
}

fn disclosure(title: &str, category: &str) -> DocInput {
    let mut d = DocInput::article(title, "<p>根据有关规定，现将事项公开如下。</p>");
    d.kind = DocKind::Disclosure(DisclosureMeta {
        organ: "无为县教育局".into(),
        doc_number: Some("无教〔2025〕1号".into()),
        category: category.into(),
        validity: Validity::InForce,
        ..Default::default()
    });
    d
}

fn audit_len(group: &SiteGroup) -> usize {
    group.audit(&system(), &AuditQuery { limit: Some(100_000), ..Default::default() }).unwrap().len()
}

/// Asserts that `f` fails as expected and that nothing was written (outbox, audit,
/// documents of the sites).
fn refused<T: std::fmt::Debug>(
    group: &SiteGroup,
    sites: &[SiteId],
    label: &str,
    f: impl FnOnce() -> Result<T, Error>,
    expected: impl Fn(&Error) -> bool,
) {
    let head = group.db().outbox_head().unwrap();
    let audit = audit_len(group);
    let docs = |g: &SiteGroup| -> Vec<Vec<Document>> {
        sites.iter().map(|s| g.documents(&system(), *s, None, &[]).unwrap()).collect()
    };
    let before = docs(group);
    match f() {
        Ok(v) => panic!("{label}: accepted: {v:?}"),
        Err(e) => assert!(expected(&e), "{label}: unexpected error {e:?}"),
    }
    assert_eq!(group.db().outbox_head().unwrap(), head, "{label}: outbox written");
    assert_eq!(audit_len(group), audit, "{label}: audit written");
    assert_eq!(docs(group), before, "{label}: documents changed");
}

#[test]
fn workflow_end_to_end_with_audit_and_events() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "工作动态");
        let editor = user(10, "li", Role::Editor, Scope::Site(a.id));
        let reviewer = user(11, "wang", Role::Reviewer, Scope::Site(a.id));
        let d = group
            .create_draft(&editor, &o(), a.id, col, &article("县教育局召开会议", "<p>会议<script>x</script>内容</p>"))
            .unwrap();
        assert_eq!(d.state, DocState::Draft, "{driver}");
        assert!(!d.fields.body_html.contains("script"), "{driver}: body sanitised");
        assert!(group.published_document(a.id, d.id).unwrap().is_none());
        // An editor cannot review or publish.
        refused(
            group,
            &[a.id],
            "editor approves",
            || group.review_approve(&editor, &o(), d.id, ""),
            |e| matches!(e, Error::Denied(_)),
        );
        group.submit(&editor, &o(), d.id).unwrap();
        // Publishing before review is an illegal transition and writes nothing.
        refused(
            group,
            &[a.id],
            "publish unreviewed",
            || group.publish(&reviewer, &o(), d.id, PublishAt::Now),
            |e| matches!(e, Error::Content(sitegroup::content::ContentError::IllegalTransition { .. })),
        );
        let queue = group.review_queue(&reviewer, a.id, None).unwrap();
        assert_eq!(queue.len(), 1, "{driver}");
        group.review_approve(&reviewer, &o(), d.id, "经审查无涉密内容").unwrap();
        let p = group.publish(&reviewer, &o(), d.id, PublishAt::Now).unwrap();
        assert_eq!((p.state, p.published_rev), (DocState::Published, Some(p.current_rev)));
        assert_eq!(p.published_at, Some(group.now()));
        let public = group.published_document(a.id, d.id).unwrap().unwrap();
        assert_eq!(public.display_time, group.now());
        let reviews = group.reviews(&reviewer, d.id).unwrap();
        assert_eq!((reviews.len(), reviews[0].approved, reviews[0].reviewer.as_str()), (1, true, "wang"));
        assert_eq!(reviews[0].note, "经审查无涉密内容");
        // Audit and outbox: one entry per step.
        let actions: Vec<String> = group
            .audit(&system(), &AuditQuery { site: Some(a.id), limit: Some(100), ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|e| e.entry.action)
            .filter(|a| a.starts_with("content."))
            .collect();
        assert_eq!(actions, vec!["content.publish", "content.review", "content.submit", "content.create"], "{driver}");
        let events = group.db().outbox_read("content-test", 1000).unwrap();
        let publish = events.iter().find(|e| e.kind == "content.publish").unwrap();
        assert_eq!(publish.payload["id"], d.id);
        assert_eq!(publish.payload["state"], "published");
        assert_eq!(publish.payload["title"], "县教育局召开会议");
        assert_eq!(publish.payload["public"], true);
        // Withdraw: gone from every public read.
        group.withdraw(&reviewer, &o(), d.id, "内容过时").unwrap();
        assert!(group.published_document(a.id, d.id).unwrap().is_none());
        assert_eq!(group.published_in_column(a.id, col, 1, 20).unwrap().total, 0);
        assert!(group.latest_published(a.id, 10).unwrap().is_empty());
        let withdraw = group.db().outbox_read("content-test", 1000).unwrap();
        assert_eq!(withdraw.last().unwrap().kind, "content.withdraw");
        // Rejection returns to draft with the reason recorded.
        group.submit(&editor, &o(), d.id).unwrap();
        group.review_reject(&reviewer, &o(), d.id, "标题不规范").unwrap();
        assert_eq!(group.document(&editor, d.id).unwrap().state, DocState::Draft);
        assert_eq!(group.reviews(&editor, d.id).unwrap().last().unwrap().note, "标题不规范");
        refused(
            group,
            &[a.id],
            "reject without reason",
            || group.review_reject(&reviewer, &o(), d.id, " "),
            |e| matches!(e, Error::Invalid(_)),
        );
    });
}

#[test]
fn editing_a_published_document_keeps_the_reviewed_text_public() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "通知公告");
        let d = publish_new(group, a.id, col, &article("停水通知", "<p>周三停水。</p>"));
        let s = system();
        let edited = group.update_draft(&s, &o(), d.id, &article("停水通知（更正）", "<p>周四停水。</p>")).unwrap();
        assert_eq!(edited.state, DocState::Draft, "{driver}");
        assert_eq!(edited.published_rev, d.published_rev);
        let public = group.published_document(a.id, d.id).unwrap().unwrap();
        assert_eq!(public.fields.title, "停水通知", "{driver}: unreviewed edit is not public");
        group.submit(&s, &o(), d.id).unwrap();
        let public = group.published_document(a.id, d.id).unwrap().unwrap();
        assert_eq!(public.fields.title, "停水通知");
        group.review_approve(&s, &o(), d.id, "").unwrap();
        // Republished ten days later: the displayed date stays the first publication's,
        // and it is not flagged as faked.
        clock.advance(chrono::Duration::days(10));
        let republished = group.publish(&s, &o(), d.id, PublishAt::Now).unwrap();
        assert_eq!(republished.date_flag_days, None, "{driver}");
        assert_eq!(republished.published_at, Some(group.now()));
        let public = group.published_document(a.id, d.id).unwrap().unwrap();
        assert_eq!(public.fields.title, "停水通知（更正）");
        assert_eq!(public.display_time, d.published_at.unwrap());
        // First publication time is kept for column freshness.
        let again = group.document(&s, d.id).unwrap();
        assert_eq!(again.first_published_at, d.first_published_at);
    });
}

#[test]
fn revisions_are_kept_and_compared() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "工作动态");
        let s = system();
        let d = group.create_draft(&s, &o(), a.id, col, &article("标题一", "<p>第一段</p><p>第二段</p>")).unwrap();
        group.update_draft(&s, &o(), d.id, &article("标题二", "<p>第一段</p><p>第二段</p>")).unwrap();
        group.update_draft(&s, &o(), d.id, &article("标题二", "<p>第一段</p><p>第三段</p>")).unwrap();
        let revs = group.revisions(&s, d.id).unwrap();
        assert_eq!(revs.iter().map(|r| r.number).collect::<Vec<_>>(), vec![1, 2, 3], "{driver}");
        assert_eq!(revs[0].fields.title, "标题一");
        let c = group.compare(&s, revs[0].id, revs[2].id).unwrap();
        let changed: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
        assert!(changed.contains(&"title") && changed.contains(&"body_text"), "{driver}: {changed:?}");
        let removed: Vec<&str> = c
            .body
            .iter()
            .filter(|l| l.tag == sitegroup::content::compare::LineTag::Removed)
            .map(|l| l.text.as_str())
            .collect();
        assert!(removed.iter().any(|l| l.contains("第二段")), "{driver}: {:?}", c.body);
        let other = group.create_draft(&s, &o(), a.id, col, &article("别的", "x")).unwrap();
        assert!(group.compare(&s, revs[0].id, other.current_rev).is_err());
        // Another site's editor sees nothing of it.
        let outsider = user(20, "zhao", Role::Editor, Scope::Site(SiteId(a.id.0 + 1)));
        assert!(matches!(group.revisions(&outsider, d.id), Err(Error::Denied(_))));
        assert!(matches!(group.compare(&outsider, revs[0].id, revs[1].id), Err(Error::Denied(_))));
    });
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, b) = two_channels(group);
        let col_a = column(group, a.id, "工作动态");
        let col_b = column(group, b.id, "工作动态");
        let s = system();
        let sites = [a.id, b.id];
        refused(
            group,
            &sites,
            "empty title",
            || group.create_draft(&s, &o(), a.id, col_a, &article("  ", "x")),
            |e| matches!(e, Error::Invalid(_) | Error::Blocked(_)),
        );
        refused(
            group,
            &sites,
            "unknown column",
            || group.create_draft(&s, &o(), a.id, 999_999, &article("t", "x")),
            |e| matches!(e, Error::NotFound { what: "column", .. }),
        );
        refused(
            group,
            &sites,
            "column of another site",
            || group.create_draft(&s, &o(), a.id, col_b, &article("t", "x")),
            |e| matches!(e, Error::Content(sitegroup::content::ContentError::WrongSite { .. })),
        );
        let old = column(group, a.id, "旧栏目");
        group.archive_column(&s, &o(), a.id, old).unwrap();
        refused(
            group,
            &sites,
            "archived column",
            || group.create_draft(&s, &o(), a.id, old, &article("t", "x")),
            |e| matches!(e, Error::Content(sitegroup::content::ContentError::ColumnClosed { .. })),
        );
        let huge = format!("<p>{}</p>", "政".repeat(10 * 1024 * 1024 / 3));
        refused(
            group,
            &sites,
            "10 MB body",
            || group.create_draft(&s, &o(), a.id, col_a, &article("t", &huge)),
            |e| matches!(e, Error::Content(sitegroup::content::ContentError::TooLarge { .. })),
        );
        let editor_b = user(30, "b-editor", Role::Editor, Scope::Site(b.id));
        refused(
            group,
            &sites,
            "other site's editor",
            || group.create_draft(&editor_b, &o(), a.id, col_a, &article("t", "x")),
            |e| matches!(e, Error::Denied(_)),
        );
        refused(
            group,
            &sites,
            "anonymous",
            || group.create_draft(&Actor::anonymous(), &o(), a.id, col_a, &article("t", "x")),
            |e| matches!(e, Error::Denied(_)),
        );
        let d = group.create_draft(&s, &o(), a.id, col_a, &article("t", "<p>正文</p>")).unwrap();
        refused(
            group,
            &sites,
            "kind change",
            || {
                let mut i = article("t", "x");
                i.kind = DocKind::Link { url: "https://www.gov.cn/".into() };
                group.update_draft(&s, &o(), d.id, &i)
            },
            |e| matches!(e, Error::Content(_)),
        );
        refused(
            group,
            &sites,
            "unknown document",
            || group.submit(&s, &o(), 424_242),
            |e| matches!(e, Error::NotFound { what: "document", .. }),
        );
        // Blocking findings: a valid ID number in the body.
        let pii =
            group.create_draft(&s, &o(), a.id, col_a, &article("名单公示", "<p>张三 11010519491231002X</p>")).unwrap();
        refused(
            group,
            &sites,
            "ID number",
            || group.submit(&s, &o(), pii.id),
            |e| match e {
                Error::Blocked(f) => f.iter().any(|f| f.rule == "id_number"),
                _ => false,
            },
        );
        assert_eq!(group.document(&s, pii.id).unwrap().state, DocState::Draft, "{driver}");
    });
}

#[test]
fn word_lists_from_the_data_dir_block_and_warn() {
    sitegroup_tests::for_each_group(|driver, group| {
        let checks = group.dir().join("checks");
        std::fs::create_dir_all(&checks).unwrap();
        std::fs::write(checks.join("prohibited.txt"), "# 测试\n违禁词甲\n").unwrap();
        std::fs::write(checks.join("sensitive.txt"), "敏感词乙\n").unwrap();
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "工作动态");
        let s = system();
        let bad = group.create_draft(&s, &o(), a.id, col, &article("通知", "<p>这里有违 禁 词甲。</p>")).unwrap();
        match group.submit(&s, &o(), bad.id) {
            Err(Error::Blocked(f)) => assert!(f.iter().any(|f| f.rule == "prohibited_word"), "{driver}: {f:?}"),
            other => panic!("{driver}: {other:?}"),
        }
        let warn = group.create_draft(&s, &o(), a.id, col, &article("通知", "<p>这里有敏感词乙。</p>")).unwrap();
        group.submit(&s, &o(), warn.id).unwrap();
        let queue = group.review_queue(&s, a.id, Some(col)).unwrap();
        assert_eq!(queue.len(), 1);
        assert!(queue[0].findings.iter().any(|f| f.rule == "sensitive_word"), "{driver}: {:?}", queue[0].findings);
        // Stored with the revision.
        let rev = group.revisions(&s, warn.id).unwrap().pop().unwrap();
        assert!(!rev.findings.is_empty());
    });
}

#[test]
fn links_to_missing_or_unpublished_documents_warn() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "工作动态");
        let s = system();
        let live = publish_new(group, a.id, col, &article("已发布", "<p>正文</p>"));
        let draft = group.create_draft(&s, &o(), a.id, col, &article("草稿", "<p>正文</p>")).unwrap();
        let body = format!(
            "<p><a href=\"/a/docs/{}.html\">好</a> <a href=\"/a/docs/{}.html\">草稿</a> \
             <a href=\"/a/docs/987654.html\">无</a> <a href=\"https://www.gov.cn/docs/1.html\">外</a></p>",
            live.id, draft.id
        );
        let d = group.create_draft(&s, &o(), a.id, col, &article("引用", &body)).unwrap();
        group.submit(&s, &o(), d.id).unwrap();
        let item = group.review_queue(&s, a.id, None).unwrap().into_iter().find(|i| i.document.id == d.id).unwrap();
        let broken: Vec<&str> =
            item.findings.iter().filter(|f| f.rule == "broken_link").map(|f| f.excerpt.as_str()).collect();
        assert_eq!(broken, vec![format!("/a/docs/{}.html", draft.id).as_str(), "/a/docs/987654.html"], "{driver}");
    });
}

#[test]
fn scheduled_publishing_follows_the_group_clock() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "通知公告");
        let s = system();
        let d = group.create_draft(&s, &o(), a.id, col, &article("定时发布", "<p>正文</p>")).unwrap();
        group.submit(&s, &o(), d.id).unwrap();
        group.review_approve(&s, &o(), d.id, "").unwrap();
        let at = group.now() + 3600;
        let sched = group.publish(&s, &o(), d.id, PublishAt::At(at)).unwrap();
        assert_eq!((sched.state, sched.scheduled_at), (DocState::Scheduled, Some(at)), "{driver}");
        assert!(group.publish_due(&Actor::system("scheduler"), &o()).unwrap().is_empty());
        assert!(group.published_document(a.id, d.id).unwrap().is_none());
        clock.advance(chrono::Duration::minutes(59));
        assert!(group.publish_due(&Actor::system("scheduler"), &o()).unwrap().is_empty());
        clock.advance(chrono::Duration::minutes(1));
        let done = group.publish_due(&Actor::system("scheduler"), &o()).unwrap();
        assert_eq!(done.iter().map(|d| d.id).collect::<Vec<_>>(), vec![d.id], "{driver}");
        let public = group.published_document(a.id, d.id).unwrap().unwrap();
        assert_eq!(public.published_at, at);
        // Running again publishes nothing more.
        assert!(group.publish_due(&Actor::system("scheduler"), &o()).unwrap().is_empty());
        // A scheduler without rights on the site leaves its documents alone.
        let d2 = group.create_draft(&s, &o(), a.id, col, &article("定时二", "<p>正文</p>")).unwrap();
        group.submit(&s, &o(), d2.id).unwrap();
        group.review_approve(&s, &o(), d2.id, "").unwrap();
        group.publish(&s, &o(), d2.id, PublishAt::At(group.now() + 10)).unwrap();
        clock.advance(chrono::Duration::seconds(10));
        let outsider = user(40, "x", Role::Reviewer, Scope::Site(SiteId(a.id.0 + 1)));
        assert!(group.publish_due(&outsider, &o()).unwrap().is_empty());
        assert_eq!(group.publish_due(&s, &o()).unwrap().len(), 1);
    });
}

fn site_with_unit(group: &SiteGroup, code: &str, unit_code: &str, prefix: &str) -> Site {
    let u = unit(group, unit_code, "无为县教育局");
    let portal = group.site("portal").unwrap();
    group
        .add_site(
            &system(),
            &o(),
            &NewSite {
                code: code.into(),
                name: format!("站点{code}"),
                kind: "department".into(),
                parent: Some(portal.id),
                unit: Some(u.id),
                path_prefix: Some(prefix.into()),
                ..Default::default()
            },
        )
        .unwrap()
}

#[test]
fn index_numbers_are_unique_under_concurrent_publishing() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, _b) = two_channels(group);
        let edu = site_with_unit(group, "edu", "jyj", "/edu");
        let col_edu = column(group, edu.id, "信息公开");
        let col_a = column(group, a.id, "信息公开");
        let s = system();
        // Prepare reviewed documents sequentially; publish them from several threads.
        let mut ids = Vec::new();
        for i in 0..24 {
            let (site, col) = if i % 3 == 0 { (a.id, col_a) } else { (edu.id, col_edu) };
            let d = group.create_draft(&s, &o(), site, col, &disclosure(&format!("公开事项{i}"), "教育")).unwrap();
            group.submit(&s, &o(), d.id).unwrap();
            group.review_approve(&s, &o(), d.id, "").unwrap();
            ids.push(d.id);
        }
        let chunks: Vec<Vec<i64>> = ids.chunks(4).map(<[i64]>::to_vec).collect();
        std::thread::scope(|scope| {
            for chunk in &chunks {
                scope.spawn(move || {
                    for id in chunk {
                        group.publish(&system(), &o(), *id, PublishAt::Now).unwrap();
                    }
                });
            }
        });
        let docs: Vec<Document> = ids.iter().map(|id| group.document(&s, *id).unwrap()).collect();
        let numbers: Vec<String> = docs.iter().map(|d| d.index_number.clone().unwrap()).collect();
        let unique: HashSet<&String> = numbers.iter().collect();
        assert_eq!(unique.len(), numbers.len(), "{driver}: {numbers:?}");
        let mut edu_numbers: Vec<&String> = numbers.iter().filter(|n| n.starts_with("jyj/")).collect();
        edu_numbers.sort();
        let expected: Vec<String> = (1..=16).map(|n| format!("jyj/2025-{n:05}")).collect();
        assert_eq!(edu_numbers, expected.iter().collect::<Vec<_>>(), "{driver}");
        // A site without a unit uses its site code.
        assert!(numbers.iter().filter(|n| n.starts_with("a/2025-")).count() == 8, "{driver}: {numbers:?}");
        // Several threads publishing the same document: exactly one wins.
        let d = group.create_draft(&s, &o(), edu.id, col_edu, &disclosure("同一事项", "教育")).unwrap();
        group.submit(&s, &o(), d.id).unwrap();
        group.review_approve(&s, &o(), d.id, "").unwrap();
        let wins = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    if group.publish(&system(), &o(), d.id, PublishAt::Now).is_ok() {
                        wins.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(wins.into_inner(), 1, "{driver}");
        let events = group.db().outbox_read("content-race", 100_000).unwrap();
        let publishes = events.iter().filter(|e| e.kind == "content.publish" && e.payload["id"] == d.id).count();
        assert_eq!(publishes, 1, "{driver}");
        // Republishing after an edit keeps the number.
        let first = &docs[1];
        group.update_draft(&s, &o(), first.id, &disclosure("公开事项（修订）", "教育")).unwrap();
        group.submit(&s, &o(), first.id).unwrap();
        group.review_approve(&s, &o(), first.id, "").unwrap();
        let again = group.publish(&s, &o(), first.id, PublishAt::Now).unwrap();
        assert_eq!(again.index_number, first.index_number);
    });
}

#[test]
fn disclosure_catalogue_and_date_flags() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "信息公开");
        let now = group.now();
        publish_new(group, a.id, col, &disclosure("教育一", "教育"));
        publish_new(group, a.id, col, &disclosure("教育二", "教育"));
        let mut old = disclosure("卫生一", "卫生");
        old.display_time = Some(now - 400 * DAY);
        let faked = publish_new(group, a.id, col, &old);
        assert_eq!(faked.date_flag_days, Some(400), "{driver}");
        let mut near = disclosure("卫生二", "卫生");
        near.display_time = Some(now - 2 * DAY);
        let ok = publish_new(group, a.id, col, &near);
        assert_eq!(ok.date_flag_days, None);
        let flags = group.date_flags(&system(), Some(a.id)).unwrap();
        assert_eq!(flags.iter().map(|f| (f.doc, f.days)).collect::<Vec<_>>(), vec![(faked.id, 400)]);
        let edu = group
            .disclosure_catalogue(a.id, &CatalogueFilter { category: Some("教育".into()), ..Default::default() }, 1, 10)
            .unwrap();
        assert_eq!(edu.total, 2, "{driver}");
        let y2024 = group
            .disclosure_catalogue(a.id, &CatalogueFilter { year: Some(2024), ..Default::default() }, 1, 10)
            .unwrap();
        assert_eq!(y2024.items.iter().map(|d| d.id).collect::<Vec<_>>(), vec![faked.id]);
        let facets = group.disclosure_facets(a.id).unwrap();
        assert_eq!(facets.categories, vec![("卫生".to_string(), 2), ("教育".to_string(), 2)]);
        assert_eq!(facets.years, vec![(2025, 3), (2024, 1)]);
        assert_eq!(facets.organs, vec![("无为县教育局".to_string(), 4)]);
        // Displayed order: newest displayed date first.
        let page = group.published_in_column(a.id, col, 1, 3).unwrap();
        assert_eq!((page.total, page.items.len()), (4, 3));
        assert_eq!(group.published_in_column(a.id, col, 2, 3).unwrap().items[0].id, faked.id);
    });
}

#[test]
fn column_activity_counts_public_documents() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_p, a, b) = two_channels(group);
        let news = column(group, a.id, "新闻");
        let notices = column(group, a.id, "公告");
        let news_b = column(group, b.id, "新闻");
        let t0 = group.now();
        publish_new(group, a.id, news, &article("一", "<p>x</p>"));
        let gone = publish_new(group, a.id, news, &article("二", "<p>x</p>"));
        clock.advance(chrono::Duration::days(10));
        let t1 = group.now();
        publish_new(group, a.id, news, &article("三", "<p>x</p>"));
        publish_new(group, a.id, notices, &article("四", "<p>x</p>"));
        publish_new(group, b.id, news_b, &article("五", "<p>x</p>"));
        group.withdraw(&system(), &o(), gone.id, "错误").unwrap();
        let s = system();
        group.create_draft(&s, &o(), a.id, notices, &article("草稿", "<p>x</p>")).unwrap();
        let act = group.column_activity(Some(a.id), t1).unwrap();
        let got: Vec<(i64, Option<i64>, i64, i64)> =
            act.iter().map(|c| (c.column, c.last_published, c.total_published, c.published_since)).collect();
        assert_eq!(got, vec![(news, Some(t1), 2, 1), (notices, Some(t1), 1, 1)], "{driver}");
        let all = group.column_activity(None, t0).unwrap();
        assert_eq!(all.len(), 3);
    });
}

#[test]
fn syndication_between_sites() {
    for_each_group_with_clock(|driver, group, clock| {
        let (portal, a, _b) = two_channels(group);
        let col_a = column(group, a.id, "工作动态");
        let township_news = column(group, portal.id, "乡镇动态");
        let editor_a = user(50, "a-editor", Role::Editor, Scope::Site(a.id));
        let portal_reviewer = user(51, "p-reviewer", Role::Reviewer, Scope::Site(portal.id));
        let src = publish_new(group, a.id, col_a, &article("某镇开展培训", "<p>培训内容</p>"));
        let draft = group.create_draft(&system(), &o(), a.id, col_a, &article("草稿", "<p>x</p>")).unwrap();
        assert!(group.syndicate(&editor_a, &o(), draft.id, portal.id, township_news).is_err(), "{driver}: unpublished");
        let sub = group.syndicate(&editor_a, &o(), src.id, portal.id, township_news).unwrap();
        assert!(matches!(
            group.syndicate(&editor_a, &o(), src.id, portal.id, township_news),
            Err(Error::Duplicate { .. })
        ));
        let inbox = group.syndication_inbox(&portal_reviewer, portal.id).unwrap();
        assert_eq!(inbox.len(), 1);
        // The submitting unit cannot accept on the portal.
        assert!(matches!(group.accept_syndication(&editor_a, &o(), sub.id), Err(Error::Denied(_))));
        let copy = group.accept_syndication(&portal_reviewer, &o(), sub.id).unwrap();
        assert_eq!((copy.site, copy.column, copy.state), (portal.id, township_news, DocState::Published));
        let link = copy.source.clone().unwrap();
        assert_eq!((link.doc, link.changed), (src.id, false));
        assert!(group.published_document(portal.id, copy.id).unwrap().is_some());
        assert!(group.accept_syndication(&portal_reviewer, &o(), sub.id).is_err(), "{driver}: decided twice");
        // The source changes: the copy shows it.
        let s = system();
        group.update_draft(&s, &o(), src.id, &article("某镇开展培训（更新）", "<p>新内容</p>")).unwrap();
        assert!(!group.document(&s, copy.id).unwrap().source.unwrap().changed, "{driver}: unreviewed edit");
        group.submit(&s, &o(), src.id).unwrap();
        group.review_approve(&s, &o(), src.id, "").unwrap();
        group.publish(&s, &o(), src.id, PublishAt::Now).unwrap();
        assert!(group.document(&s, copy.id).unwrap().source.unwrap().changed);
        assert!(group.published_document(portal.id, copy.id).unwrap().unwrap().source.unwrap().changed);
        // A second submission, rejected with a reason.
        clock.advance(chrono::Duration::hours(1));
        let other = publish_new(group, a.id, col_a, &article("另一条", "<p>x</p>"));
        let sub2 = group.syndicate(&editor_a, &o(), other.id, portal.id, township_news).unwrap();
        let rejected = group.reject_syndication(&portal_reviewer, &o(), sub2.id, "不属于本栏目").unwrap();
        assert_eq!(rejected.reason.as_deref(), Some("不属于本栏目"));
        let counts = group.syndication_counts(&s, 2025, 6).unwrap();
        assert_eq!(counts.len(), 1);
        assert_eq!((counts[0].site, counts[0].submitted, counts[0].accepted, counts[0].rejected), (a.id, 2, 1, 1));
        assert!(group.syndication_counts(&s, 2025, 5).unwrap().is_empty());
    });
}

#[test]
fn uploads_are_checked_deduplicated_and_thumbnailed() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, b) = two_channels(group);
        let col = column(group, a.id, "图片新闻");
        let s = system();
        // A valid 1×1 PNG.
        let png: &[u8] = &[
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
            0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
            0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x64, 0x60, 0xF8, 0x5F, 0x0F, 0x00, 0x02, 0x87, 0x01, 0x80,
            0xEB, 0x47, 0xBA, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
        ];
        let up = group.upload(&s, a.id, col, "现场.png", png).unwrap();
        assert!(up.thumb.is_some(), "{driver}");
        let again = group.upload(&s, a.id, col, "副本.PNG", png).unwrap();
        assert_eq!(again.file.key, up.file.key);
        use sitegroup::content::files::FileStore;
        assert_eq!(group.file_store().get(&up.file.key).unwrap(), png);
        assert!(group.upload(&s, a.id, col, "现场.pdf", png).is_err());
        assert!(group.upload(&s, a.id, col, "run.exe", b"MZ").is_err());
        let editor_b = user(60, "b", Role::Editor, Scope::Site(b.id));
        assert!(matches!(group.upload(&editor_b, a.id, col, "x.txt", b"hi"), Err(Error::Denied(_))));
    });
}

#[test]
fn import_publishes_with_the_file_date() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, _b) = two_channels(group);
        let col = column(group, a.id, "工作动态");
        let at = group.now() - 800 * DAY;
        let doc = sitegroup::ImportDocument { input: article("旧闻", "<p>旧内容</p>"), published_at: at };
        let d = group.import_published(&system(), &o(), a.id, col, &doc).unwrap();
        assert_eq!((d.state, d.published_at, d.date_flag_days), (DocState::Published, Some(at), None), "{driver}");
        let reviews = group.reviews(&system(), d.id).unwrap();
        assert_eq!((reviews[0].approved, reviews[0].note.as_str()), (true, "import"));
        let public = group.published_document(a.id, d.id).unwrap().unwrap();
        assert_eq!(public.display_time, at);
        let bad = sitegroup::ImportDocument { input: article("名单", "<p>11010519491231002X</p>"), published_at: at };
        assert!(matches!(group.import_published(&system(), &o(), a.id, col, &bad), Err(Error::Blocked(_))));
        let editor = user(70, "e", Role::Editor, Scope::Site(a.id));
        assert!(matches!(group.import_published(&editor, &o(), a.id, col, &doc), Err(Error::Denied(_))));
    });
}

// ---- the property: random action sequences by random actors ----

#[derive(Debug, Clone, Copy)]
enum Who {
    EditorA,
    ReviewerA,
    EditorB,
    ReviewerB,
    Admin,
    Anonymous,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Create(Who, bool),
    Edit(Who, usize),
    Submit(Who, usize),
    Approve(Who, usize),
    Reject(Who, usize),
    Publish(Who, usize, Option<i64>),
    Tick(i64),
    PublishDue,
    Withdraw(Who, usize),
    Archive(Who, usize),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        3 => Just(Who::EditorA),
        3 => Just(Who::ReviewerA),
        1 => Just(Who::EditorB),
        1 => Just(Who::ReviewerB),
        2 => Just(Who::Admin),
        1 => Just(Who::Anonymous)
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let i = 0usize..4;
    prop_oneof![
        2 => (who(), any::<bool>()).prop_map(|(w, a)| Step::Create(w, a)),
        1 => (who(), i.clone()).prop_map(|(w, i)| Step::Edit(w, i)),
        2 => (who(), i.clone()).prop_map(|(w, i)| Step::Submit(w, i)),
        2 => (who(), i.clone()).prop_map(|(w, i)| Step::Approve(w, i)),
        1 => (who(), i.clone()).prop_map(|(w, i)| Step::Reject(w, i)),
        2 => (who(), i.clone(), proptest::option::of(1i64..7200)).prop_map(|(w, i, at)| Step::Publish(w, i, at)),
        1 => (1i64..7200).prop_map(Step::Tick),
        1 => Just(Step::PublishDue),
        1 => (who(), i.clone()).prop_map(|(w, i)| Step::Withdraw(w, i)),
        1 => (who(), i).prop_map(|(w, i)| Step::Archive(w, i)),
    ]
}

#[test]
fn random_action_sequences_keep_the_public_safe() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_p, a, b) = two_channels(group);
        let col_a = column(group, a.id, "工作动态");
        let col_b = column(group, b.id, "工作动态");
        let actor = |w: Who| match w {
            Who::EditorA => user(1, "ea", Role::Editor, Scope::Site(a.id)),
            Who::ReviewerA => user(2, "ra", Role::Reviewer, Scope::Site(a.id)),
            Who::EditorB => user(3, "eb", Role::Editor, Scope::Site(b.id)),
            Who::ReviewerB => user(4, "rb", Role::Reviewer, Scope::Site(b.id)),
            Who::Admin => user(5, "admin", Role::GroupAdmin, Scope::Group),
            Who::Anonymous => Actor::anonymous(),
        };
        let home = |w: Who| match w {
            Who::EditorA | Who::ReviewerA => Some(a.id),
            Who::EditorB | Who::ReviewerB => Some(b.id),
            Who::Admin => None,
            Who::Anonymous => Some(SiteId(-1)),
        };
        let cases = if driver == "sqlite" { 64 } else { 16 };
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        runner
            .run(&proptest::collection::vec(step(), 1..40), |steps| {
                // Two documents per site to act on from the first step.
                let mut docs: Vec<i64> = Vec::new();
                for (site, col) in [(a.id, col_a), (b.id, col_b), (a.id, col_a), (b.id, col_b)] {
                    docs.push(
                        group.create_draft(&system(), &o(), site, col, &article("起始", "<p>正文</p>")).unwrap().id,
                    );
                }
                for st in steps {
                    let head = group.db().outbox_head().unwrap();
                    let pick = |i: usize| docs.get(i % docs.len().max(1)).copied();
                    let (who, doc, result): (Option<Who>, Option<i64>, Result<(), Error>) = match st {
                        Step::Create(w, on_a) => {
                            let (site, col) = if on_a { (a.id, col_a) } else { (b.id, col_b) };
                            let r = group.create_draft(&actor(w), &o(), site, col, &article("随机", "<p>正文</p>"));
                            let denied = matches!(r, Err(Error::Denied(_)));
                            let expect_denied = home(w).is_some_and(|h| h != site)
                                || matches!(w, Who::ReviewerA | Who::ReviewerB | Who::Anonymous);
                            prop_assert_eq!(denied, expect_denied, "create by {:?}", w);
                            if let Ok(d) = &r {
                                docs.push(d.id);
                            }
                            (Some(w), None, r.map(|_| ()))
                        }
                        Step::Tick(s) => {
                            clock.advance(chrono::Duration::seconds(s));
                            continue;
                        }
                        Step::PublishDue => {
                            group.publish_due(&Actor::system("scheduler"), &o()).unwrap();
                            (None, None, Ok(()))
                        }
                        Step::Edit(w, i)
                        | Step::Submit(w, i)
                        | Step::Approve(w, i)
                        | Step::Reject(w, i)
                        | Step::Publish(w, i, _)
                        | Step::Withdraw(w, i)
                        | Step::Archive(w, i) => {
                            let Some(id) = pick(i) else { continue };
                            let ac = actor(w);
                            let r = match st {
                                Step::Edit(..) => {
                                    group.update_draft(&ac, &o(), id, &article("改", "<p>新</p>")).map(|_| ())
                                }
                                Step::Submit(..) => group.submit(&ac, &o(), id).map(|_| ()),
                                Step::Approve(..) => group.review_approve(&ac, &o(), id, "ok").map(|_| ()),
                                Step::Reject(..) => group.review_reject(&ac, &o(), id, "no").map(|_| ()),
                                Step::Publish(_, _, at) => {
                                    let when = at.map_or(PublishAt::Now, |s| PublishAt::At(group.now() + s));
                                    group.publish(&ac, &o(), id, when).map(|_| ())
                                }
                                Step::Withdraw(..) => group.withdraw(&ac, &o(), id, "撤回").map(|_| ()),
                                _ => group.archive(&ac, &o(), id).map(|_| ()),
                            };
                            (Some(w), Some(id), r)
                        }
                    };
                    // Nobody outside a site moves its documents; refusals write nothing.
                    if let (Some(w), Some(id)) = (who, doc) {
                        let site = group.document(&system(), id).unwrap().site;
                        if home(w).is_some_and(|h| h != site) {
                            prop_assert!(
                                matches!(result, Err(Error::Denied(_))),
                                "{:?} on other site: {:?}",
                                w,
                                result
                            );
                        }
                    }
                    if result.is_err() {
                        prop_assert_eq!(group.db().outbox_head().unwrap(), head, "a refused step wrote");
                    }
                    check_public_invariants(group, &[(a.id, col_a), (b.id, col_b)])?;
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{driver}: {e}"));
    });
}

/// Nothing public without a sign-off of exactly that revision; withdrawn and archived
/// documents appear in no public read; every public read agrees.
fn check_public_invariants(group: &SiteGroup, cols: &[(SiteId, i64)]) -> Result<(), TestCaseError> {
    let s = system();
    for (site, col) in cols {
        let docs = group.documents(&s, *site, None, &[]).unwrap();
        let listed: HashSet<i64> =
            group.published_in_column(*site, *col, 1, 100).unwrap().items.iter().map(|d| d.id).collect();
        let latest: HashSet<i64> = group.latest_published(*site, 100).unwrap().iter().map(|d| d.id).collect();
        for d in &docs {
            let public = group.published_document(*site, d.id).unwrap();
            prop_assert_eq!(public.is_some(), d.published_rev.is_some());
            prop_assert_eq!(listed.contains(&d.id), public.is_some());
            prop_assert_eq!(latest.contains(&d.id), public.is_some());
            if matches!(d.state, DocState::Withdrawn | DocState::Archived) {
                prop_assert!(public.is_none(), "withdrawn/archived document {} is public", d.id);
            }
            if let Some(p) = public {
                let reviews = group.reviews(&s, d.id).unwrap();
                prop_assert!(
                    reviews.iter().any(|r| r.approved && r.revision == p.revision),
                    "document {} public at revision {} without sign-off",
                    d.id,
                    p.revision
                );
            }
        }
    }
    Ok(())
}

#[test]
fn state_counts_match_the_documents_each_user_may_see() {
    sitegroup_tests::for_each_group(|driver, group| {
        let (_p, a, b) = two_channels(group);
        let news = column(group, a.id, "工作动态");
        let notices = column(group, a.id, "通知公告");
        let other = column(group, b.id, "工作动态");
        let s = system();
        publish_new(group, a.id, news, &article("已发布一", "<p>正文</p>"));
        publish_new(group, a.id, notices, &article("已发布二", "<p>正文</p>"));
        publish_new(group, b.id, other, &article("别站已发布", "<p>正文</p>"));
        group.create_draft(&s, &o(), a.id, news, &article("草稿一", "<p>正文</p>")).unwrap();
        let submitted = group.create_draft(&s, &o(), a.id, notices, &article("待审一", "<p>正文</p>")).unwrap();
        group.submit(&s, &o(), submitted.id).unwrap();
        group.create_draft(&s, &o(), b.id, other, &article("别站草稿", "<p>正文</p>")).unwrap();

        let site_editor = user(80, "site", Role::Editor, Scope::Site(a.id));
        let column_editor = user(81, "col", Role::Editor, Scope::Column { site: a.id, column: news });
        let outsider = user(82, "other", Role::Editor, Scope::Site(b.id));
        for actor in [&s, &site_editor, &column_editor, &outsider] {
            let counts = group.document_state_counts(actor, a.id).unwrap();
            let docs = group.documents(actor, a.id, None, &[]).unwrap();
            assert_eq!(counts.len(), DocState::ALL.len(), "{driver}");
            for (state, n) in &counts {
                let expected = docs.iter().filter(|d| d.state == *state).count() as u64;
                assert_eq!(*n, expected, "{driver}: {} {state:?}", actor.label());
            }
        }
        let total =
            |actor: &Actor| group.document_state_counts(actor, a.id).unwrap().iter().map(|(_, n)| n).sum::<u64>();
        assert_eq!((total(&s), total(&site_editor), total(&column_editor), total(&outsider)), (4, 4, 2, 0), "{driver}");
    });
}
