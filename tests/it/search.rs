//! Search across the group (issue 4) through the facade, on both drivers: publish →
//! poll → found, update replaces, withdraw → gone, drafts never public, back-office
//! scopes, crash between index commit and cursor save, reindex = incremental,
//! suggestions, synonyms, did-you-mean and hot queries.

use sitegroup::content::{DisclosureMeta, DocInput, DocKind, Validity};
use sitegroup::{Actor, Grant, Origin, PublishAt, Role, Scope, SearchQuery, SiteGroup, UserId};
use sitegroup_tests::{column, for_each_group, publish_new, system, two_channels};

fn o() -> Origin {
    Origin::other("test")
}

fn article(title: &str, body: &str) -> DocInput {
    DocInput::article(title, &format!("<p>{body}</p>"))
}

/// Keys of every public hit for `text` (up to 100).
fn public_ids(group: &SiteGroup, text: &str) -> Vec<i64> {
    let q = SearchQuery { text: text.into(), per_page: 100, ..Default::default() };
    let mut ids: Vec<i64> = group.search(None, &q).unwrap().hits.iter().filter_map(|h| h.id).collect();
    ids.sort();
    ids
}

fn backoffice_ids(group: &SiteGroup, actor: &Actor, text: &str) -> Vec<i64> {
    let q = SearchQuery { text: text.into(), per_page: 100, ..Default::default() };
    let mut ids: Vec<i64> = group.search(Some(actor), &q).unwrap().hits.iter().filter_map(|h| h.id).collect();
    ids.sort();
    ids
}

#[test]
fn publish_update_withdraw_through_the_outbox() {
    for_each_group(|driver, group| {
        let (_, a, b) = two_channels(group);
        let ca = column(group, a.id, "政务动态");
        let cb = column(group, b.id, "通知公告");
        group.search_poll().unwrap();
        let d1 = publish_new(
            group,
            a.id,
            ca,
            &article("關於加強政府網站管理的通知", "各鄉鎮：現將優(yōu)秀政府網站評選事項通知如下。"),
        );
        let draft =
            group.create_draft(&system(), &o(), b.id, cb, &article("政府网站草稿", "尚未发布的政府网站内容")).unwrap();
        let report = group.search_poll().unwrap();
        assert!(report.events > 0 || report.rebuilt, "{driver}: {report:?}");
        // Simplified query finds the Traditional, glossed document, highlighted as written.
        let r = group.search(None, &SearchQuery::text("优秀政府网站")).unwrap();
        assert_eq!(r.total, 1, "{driver}");
        let hit = &r.hits[0];
        assert_eq!(hit.id, Some(d1.id));
        assert_eq!(hit.url, format!("/a/docs/{}.html", d1.id));
        assert!(hit.snippet.contains("<em>優(yōu)秀政府網站</em>"), "{driver}: {}", hit.snippet);
        assert!(hit.title_html.contains("<em>政府網站</em>"), "{driver}: {}", hit.title_html);
        // The draft is not public.
        assert_eq!(public_ids(group, "政府网站"), vec![d1.id], "{driver}");
        // An update replaces once published again, never duplicates.
        let s = system();
        group.update_draft(&s, &o(), d1.id, &article("關於加強政府網站管理的通知", "改为县长信箱办理规定。")).unwrap();
        group.search_poll().unwrap();
        assert_eq!(public_ids(group, "优秀政府网站"), vec![d1.id], "{driver}: the reviewed text stays public");
        group.submit(&s, &o(), d1.id).unwrap();
        group.review_approve(&s, &o(), d1.id, "ok").unwrap();
        group.publish(&s, &o(), d1.id, PublishAt::Now).unwrap();
        group.search_poll().unwrap();
        assert!(public_ids(group, "优秀政府网站").is_empty(), "{driver}");
        assert_eq!(public_ids(group, "县长信箱"), vec![d1.id], "{driver}");
        assert_eq!(public_ids(group, "政府网站管理"), vec![d1.id], "{driver}");
        // Withdraw: gone after one poll.
        group.withdraw(&s, &o(), d1.id, "内容过时").unwrap();
        group.search_poll().unwrap();
        assert!(public_ids(group, "政府网站").is_empty(), "{driver}");
        // Back office: system sees both (working revisions); site-scoped editors their own.
        assert_eq!(backoffice_ids(group, &s, "政府网站"), vec![d1.id, draft.id], "{driver}");
        let editor_a = Actor::user(UserId(90), "ea", vec![Grant { role: Role::Editor, scope: Scope::Site(a.id) }]);
        let editor_b = Actor::user(UserId(91), "eb", vec![Grant { role: Role::Editor, scope: Scope::Site(b.id) }]);
        let col_b = Actor::user(
            UserId(92),
            "cb",
            vec![Grant { role: Role::Editor, scope: Scope::Column { site: b.id, column: cb } }],
        );
        assert_eq!(backoffice_ids(group, &editor_a, "政府网站"), vec![d1.id], "{driver}");
        assert_eq!(backoffice_ids(group, &editor_b, "政府网站"), vec![draft.id], "{driver}");
        assert_eq!(backoffice_ids(group, &col_b, "政府网站"), vec![draft.id], "{driver}");
        assert!(backoffice_ids(group, &Actor::anonymous(), "政府网站").is_empty(), "{driver}");
        group.search_close();
    });
}

#[test]
fn crash_between_commit_and_ack_then_reindex_equals_incremental() {
    for_each_group(|driver, group| {
        let (_, a, b) = two_channels(group);
        let ca = column(group, a.id, "政务动态");
        let cb = column(group, b.id, "信息公开");
        group.search_poll().unwrap();
        let mut ids = Vec::new();
        for i in 0..4 {
            ids.push(publish_new(group, a.id, ca, &article(&format!("乡村振兴工作简报第{i}期"), "推进乡村振兴。")).id);
        }
        group.search_poll().unwrap();
        let mut disclosure = article("无为县人民政府关于印发防汛抗旱应急预案的通知", "现将预案印发给你们。");
        disclosure.kind = DocKind::Disclosure(DisclosureMeta {
            organ: "无为县人民政府".into(),
            doc_number: Some("无政〔2024〕12号".into()),
            category: "综合政务".into(),
            validity: Validity::InForce,
            ..Default::default()
        });
        let disc = publish_new(group, b.id, cb, &disclosure);
        group.withdraw(&system(), &o(), ids[0], "重复").unwrap();
        group.search_poll_without_ack().unwrap();
        // The process dies: the index holds the events, the cursor does not.
        group.search_close();
        let head = group.db().outbox_head().unwrap();
        assert!(group.db().outbox_cursor(sitegroup::search::CONSUMER).unwrap() < head, "{driver}");
        let r = group.search_poll().unwrap();
        assert_eq!(r.events, 0, "{driver}: nothing is applied twice");
        assert_eq!(group.db().outbox_cursor(sitegroup::search::CONSUMER).unwrap(), head, "{driver}");
        let expected: Vec<i64> = ids[1..].to_vec();
        assert_eq!(public_ids(group, "乡村振兴"), expected, "{driver}");
        assert_eq!(public_ids(group, "无政〔2024〕12号"), vec![disc.id], "{driver}");
        assert_eq!(public_ids(group, "2024 12号 无政"), vec![disc.id], "{driver}");
        // Grouped counts and site filter.
        let q = SearchQuery { text: "无为县".into(), ..Default::default() };
        let res = group.search(None, &q).unwrap();
        assert_eq!(res.by_kind, vec![("disclosure".to_string(), 1)], "{driver}");
        let incremental: Vec<Vec<i64>> =
            ["乡村振兴", "防汛", "无为县", "简报"].iter().map(|t| public_ids(group, t)).collect();
        let system = system();
        let backoffice = backoffice_ids(group, &system, "乡村振兴");
        let mut steps = 0;
        let report = group.reindex(&mut |_| steps += 1).unwrap();
        assert_eq!(report.public, 4, "{driver}: {report:?}");
        assert_eq!(report.drafts, 5, "{driver}: {report:?}");
        assert!(steps >= 2);
        let rebuilt: Vec<Vec<i64>> =
            ["乡村振兴", "防汛", "无为县", "简报"].iter().map(|t| public_ids(group, t)).collect();
        assert_eq!(incremental, rebuilt, "{driver}");
        assert_eq!(backoffice, backoffice_ids(group, &system, "乡村振兴"), "{driver}");
        // A publish after the rebuild shows up in one poll.
        let late = publish_new(group, a.id, ca, &article("乡村振兴新闻", "新发布。"));
        group.search_poll().unwrap();
        assert!(public_ids(group, "乡村振兴").contains(&late.id), "{driver}");
        group.search_close();
    });
}

#[test]
fn suggestions_synonyms_did_you_mean_and_hot_queries() {
    for_each_group(|driver, group| {
        let (_, a, b) = two_channels(group);
        let ca = column(group, a.id, "县长信箱");
        let d = publish_new(
            group,
            a.id,
            ca,
            &article("无为县营商环境优化措施", "推行一网通办，县长信箱及时回复企业诉求。"),
        );
        group.search_poll().unwrap();
        // Pinyin and initials of titles, words and names.
        let texts = |p: &str| group.suggest(p, None, 10).unwrap().into_iter().map(|s| s.text).collect::<Vec<_>>();
        assert!(texts("wuweixian").iter().any(|t| t.contains("无为县")), "{driver}: {:?}", texts("wuweixian"));
        assert!(texts("wwx").iter().any(|t| t.contains("无为县")), "{driver}");
        assert!(texts("xzxx").iter().any(|t| t == "县长信箱"), "{driver}: {:?}", texts("xzxx"));
        assert!(texts("营商").iter().any(|t| t.contains("营商环境")), "{driver}");
        // Site names (站点a) by pinyin prefix.
        assert!(texts("zhandian").contains(&a.name), "{driver}: {:?}", texts("zhandian"));
        // Synonyms: built-in list, then the configurable file.
        assert_eq!(public_ids(group, "县长邮箱"), vec![d.id], "{driver}");
        assert!(public_ids(group, "企业留言").is_empty());
        std::fs::create_dir_all(group.synonyms_path().parent().unwrap()).unwrap();
        std::fs::write(group.synonyms_path(), "企业诉求 ~ 企业留言\n").unwrap();
        assert_eq!(public_ids(group, "企业留言"), vec![d.id], "{driver}");
        // Did you mean.
        let r = group.search(None, &SearchQuery::text("yingshanghuanjing")).unwrap();
        assert_eq!(r.total, 0);
        assert_eq!(r.did_you_mean.as_deref(), Some("营商环境"), "{driver}");
        let r = group.search(None, &SearchQuery::text("营商环竟")).unwrap();
        assert_eq!(r.did_you_mean.as_deref(), Some("营商环境"), "{driver}");
        // Hot queries, per site and group-wide.
        for _ in 0..3 {
            group
                .search(None, &SearchQuery { text: "一网通办".into(), site: Some(a.id.0), ..Default::default() })
                .unwrap();
        }
        group.search(None, &SearchQuery { text: "营商环境".into(), site: Some(b.id.0), ..Default::default() }).unwrap();
        let hot_a = group.hot_queries(Some(a.id), 86_400).unwrap();
        assert_eq!(hot_a, vec![("一网通办".to_string(), 3)], "{driver}");
        let hot = group.hot_queries(None, 86_400).unwrap();
        assert_eq!(hot[0], ("一网通办".to_string(), 3), "{driver}");
        assert!(hot.iter().any(|(q, _)| q == "营商环境"), "{driver}");
        group.search_close();
    });
}
