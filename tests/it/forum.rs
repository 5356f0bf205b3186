//! The forum through the facade on both drivers (issue 5, item 7): moderation modes and
//! what public reads show, the shared content checks, rate limits per poster and per
//! address, idempotent submits, threads that are tickets, permissions, and that no raw
//! client address is ever stored.

use chrono::Duration;
use sitegroup::interaction::flow::{Command, RejectReason, TicketState};
use sitegroup::interaction::forum::{BoardChange, ForumError, Moderation, NewBoard, NewPost, NewThread, PostStatus};
use sitegroup::store::{Dialect, Value};
use sitegroup::{
    Actor, Error, ForumModeration, ForumOfficial, ForumPoster, Grant, NewSite, Origin, Role, Scope, SiteGroup, SiteId,
    ThreadImport, UserId,
};
use sitegroup_tests::centre;
use sitegroup_tests::{for_each_group, for_each_group_with_clock, system, unit};

const IP: &str = "203.0.113.77";

fn o() -> Origin {
    Origin::web(Some(IP.into()))
}

fn handler(site: SiteId, name: &str) -> Actor {
    Actor::user(UserId(902 + site.0), name, vec![Grant { role: Role::Handler, scope: Scope::Site(site) }])
}

fn poster(n: u32, address: &str) -> ForumPoster {
    ForumPoster { key: format!("poster-key-{n:08}"), address: Some(address.into()) }
}

/// Units `a` and `b` with a department site each, word lists for the checks, and three
/// boards: `wenzheng` (post-moderated, threads may address a unit), `shenhe`
/// (pre-moderated, addressable) and `a-board` (unit a's own, post-moderated).
fn setup(group: &SiteGroup) -> (SiteId, SiteId) {
    let ua = unit(group, "a", "甲局");
    let ub = unit(group, "b", "乙局");
    let portal = sitegroup_tests::site(group, "portal", "portal", None, None).id;
    let mk = |code: &str, u| {
        group
            .add_site(
                &system(),
                &Origin::other("test"),
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
    let sites = (mk("site-a", ua.id), mk("site-b", ub.id));
    let checks = group.dir().join("checks");
    std::fs::create_dir_all(&checks).unwrap();
    std::fs::write(checks.join("prohibited.txt"), "违禁词甲\n").unwrap();
    std::fs::write(checks.join("sensitive.txt"), "敏感词乙\n").unwrap();
    for (slug, name, unit, addressable, moderation) in [
        ("wenzheng", "问政", None, true, Moderation::Post),
        ("shenhe", "先审版", None, true, Moderation::Pre),
        ("a-board", "甲局版", Some("a"), false, Moderation::Post),
    ] {
        let b = NewBoard {
            slug: slug.into(),
            name: name.into(),
            description: String::new(),
            unit: unit.map(String::from),
            addressable,
            moderation,
            position: 0,
        };
        group.forum_create_board(&centre(), &Origin::other("test"), &b).unwrap();
    }
    sites
}

fn thread(board: &str, unit: Option<&str>, subject: &str, body: &str, key: Option<&str>) -> NewThread {
    NewThread {
        board: board.into(),
        unit: unit.map(String::from),
        nickname: "热心市民".into(),
        subject: subject.into(),
        body: body.into(),
        idempotency_key: key.map(String::from),
    }
}

fn reply(body: &str, key: Option<&str>) -> NewPost {
    NewPost { nickname: "路人".into(), body: body.into(), idempotency_key: key.map(String::from) }
}

/// Row counts of every table a post can touch.
fn counts(group: &SiteGroup) -> Vec<i64> {
    group
        .db()
        .read(|tx| {
            let mut out = Vec::new();
            for t in ["forum_threads", "forum_posts", "forum_rate_keys", "interaction_tickets", "audit_log", "outbox"] {
                out.push(tx.query_one(&format!("SELECT COUNT(*) FROM {t}"), &[])?.get::<i64>(0)?);
            }
            Ok::<_, sitegroup::store::StoreError>(out)
        })
        .unwrap()
}

fn step(clock: &sitegroup::TestClock) {
    clock.advance(Duration::seconds(60));
}

#[test]
fn pre_and_post_moderation_decide_what_public_reads_show() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        // Post-moderated: public at once.
        let open = group
            .forum_post_thread(&o(), &poster(1, IP), &thread("wenzheng", None, "公开帖", "先发后审", None))
            .unwrap();
        assert_eq!(open.post.status, PostStatus::Visible, "{driver}");
        step(clock);
        // Pre-moderated: hidden until approved, from every public read.
        let held =
            group.forum_post_thread(&o(), &poster(1, IP), &thread("shenhe", None, "待审帖", "先审后发", None)).unwrap();
        assert_eq!(held.post.status, PostStatus::Pending);
        let page = group.forum_threads("shenhe", 1, 30).unwrap();
        assert_eq!(page.total, 0, "{driver}");
        assert!(page.threads.is_empty());
        assert!(matches!(group.forum_thread(held.thread.id), Err(Error::Forum(ForumError::ThreadNotFound(_)))));
        let boards = group.forum_boards().unwrap();
        assert_eq!(boards.iter().find(|b| b.board.slug == "shenhe").unwrap().threads, 0);
        assert_eq!(group.forum_stats().unwrap().threads, 1);
        // Nobody can reply to it yet.
        step(clock);
        assert!(group.forum_reply(&o(), &poster(2, IP), held.thread.id, &reply("抢沙发", None)).is_err());
        // A reply on the pre-moderated board waits too, even once the thread is public.
        let queue = group.forum_queue(&centre(), 50).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].post.id, held.post.id);
        group.forum_moderate(&centre(), &Origin::other("test"), held.post.id, &ForumModeration::Approve).unwrap();
        let shown = group.forum_thread(held.thread.id).unwrap();
        assert_eq!(shown.posts.len(), 1);
        step(clock);
        let r = group.forum_reply(&o(), &poster(2, IP), held.thread.id, &reply("支持", None)).unwrap();
        assert_eq!(r.post.status, PostStatus::Pending);
        let view = group.forum_thread(held.thread.id).unwrap();
        assert!(view.posts.iter().all(|p| p.id != r.post.id), "{driver}: an unapproved reply is never public");
        assert_eq!(view.thread.replies, 0);
        // Refused: stays out for good; the decision is recorded.
        let refused = group
            .forum_moderate(
                &centre(),
                &Origin::other("test"),
                r.post.id,
                &ForumModeration::Reject { reason: RejectReason::Spam, note: "广告".into() },
            )
            .unwrap();
        assert_eq!(refused.status, PostStatus::Rejected);
        assert_eq!(refused.moderation.as_ref().unwrap().note, "广告");
        assert!(group.forum_thread(held.thread.id).unwrap().posts.iter().all(|p| p.id != r.post.id));
        // Approving twice is refused.
        assert!(matches!(
            group.forum_moderate(&centre(), &Origin::other("test"), r.post.id, &ForumModeration::Approve),
            Err(Error::Forum(ForumError::IllegalModeration { .. }))
        ));
        // Post-moderation: hide with a reason (audited), then restore.
        let hidden = group
            .forum_moderate(
                &centre(),
                &Origin::other("test"),
                open.post.id,
                &ForumModeration::Hide { note: "人身攻击".into() },
            )
            .unwrap();
        assert_eq!(hidden.status, PostStatus::Hidden);
        assert!(group.forum_thread(open.thread.id).is_err(), "a hidden opening post hides its thread");
        assert_eq!(group.forum_threads("wenzheng", 1, 30).unwrap().total, 0);
        let audit = group.audit(&centre(), &sitegroup::AuditQuery::default()).unwrap();
        assert!(audit.iter().any(|e| e.entry.action == "forum.hide"), "{driver}");
        assert!(
            group
                .forum_moderate(
                    &centre(),
                    &Origin::other("test"),
                    open.post.id,
                    &ForumModeration::Hide { note: " ".into() }
                )
                .is_err()
        );
        group.forum_moderate(&centre(), &Origin::other("test"), open.post.id, &ForumModeration::Restore).unwrap();
        assert_eq!(group.forum_thread(open.thread.id).unwrap().posts.len(), 1);
    });
}

#[test]
fn blocking_findings_refuse_and_warnings_queue() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        let before = counts(group);
        for t in [
            thread("wenzheng", None, "标题", "这里有违禁词甲", None),
            thread("wenzheng", None, "违禁词甲", "标题里也查", None),
            // A valid ID number blocks (personal data).
            thread("wenzheng", None, "身份", "我的身份证号 11010519491231002X", None),
        ] {
            match group.forum_post_thread(&o(), &poster(1, IP), &t) {
                Err(Error::Forum(ForumError::Blocked(f))) => assert!(!f.is_empty(), "{driver}"),
                other => panic!("{driver}: {other:?}"),
            }
        }
        assert_eq!(counts(group), before, "{driver}: a refusal writes nothing");
        // A sensitive word (or a mobile number) queues the post even on a post-moderated board.
        let w = group
            .forum_post_thread(&o(), &poster(1, IP), &thread("wenzheng", None, "反映", "有个敏感词乙", None))
            .unwrap();
        assert_eq!(w.post.status, PostStatus::Pending, "{driver}");
        assert!(w.post.findings.iter().any(|f| f.rule == "sensitive_word"));
        step(clock);
        let m = group
            .forum_post_thread(&o(), &poster(1, IP), &thread("wenzheng", None, "电话", "请回电 13800138000", None))
            .unwrap();
        assert_eq!(m.post.status, PostStatus::Pending);
        let queue = group.forum_queue(&centre(), 50).unwrap();
        assert_eq!(queue.len(), 2);
        assert!(group.forum_threads("wenzheng", 1, 30).unwrap().threads.is_empty());
        // Replies are checked too.
        step(clock);
        let ok =
            group.forum_post_thread(&o(), &poster(2, IP), &thread("wenzheng", None, "正常", "正常内容", None)).unwrap();
        step(clock);
        assert!(matches!(
            group.forum_reply(&o(), &poster(2, IP), ok.thread.id, &reply("违禁词甲", None)),
            Err(Error::Forum(ForumError::Blocked(_)))
        ));
        // HTML is kept as typed (the page escapes it).
        step(clock);
        let html = group
            .forum_reply(&o(), &poster(2, IP), ok.thread.id, &reply("<script>alert(1)</script>\n第二行", None))
            .unwrap();
        assert_eq!(html.post.body, "<script>alert(1)</script>\n第二行");
    });
}

#[test]
fn rate_limits_per_poster_and_per_address_write_nothing_when_refused() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        group.set_forum_setting(&centre(), &Origin::other("test"), "forum.rate.per_poster", "3").unwrap();
        group.set_forum_setting(&centre(), &Origin::other("test"), "forum.rate.per_address", "5").unwrap();
        let first =
            group.forum_post_thread(&o(), &poster(1, IP), &thread("wenzheng", None, "第1帖", "内容", None)).unwrap();
        // Too soon after the last post (minimum interval).
        let before = counts(group);
        match group.forum_reply(&o(), &poster(1, IP), first.thread.id, &reply("再说一句", None)) {
            Err(Error::Forum(ForumError::RateLimited { retry_after, .. })) => assert!(retry_after >= 1, "{driver}"),
            other => panic!("{driver}: {other:?}"),
        }
        assert_eq!(counts(group), before);
        for i in 2..=3 {
            step(clock);
            group.forum_reply(&o(), &poster(1, IP), first.thread.id, &reply(&format!("第{i}句"), None)).unwrap();
        }
        // The poster's fourth post in ten minutes is refused, wherever it goes.
        step(clock);
        let before = counts(group);
        match group.forum_post_thread(
            &o(),
            &poster(1, "198.51.100.1"),
            &thread("wenzheng", None, "第4帖", "内容", None),
        ) {
            Err(Error::Forum(ForumError::RateLimited { scope, limit: 3, retry_after, .. })) => {
                assert_eq!(scope.as_str(), "poster");
                assert!(retry_after > 0 && retry_after <= 600, "{driver}: {retry_after}");
            }
            other => panic!("{driver}: {other:?}"),
        }
        assert_eq!(counts(group), before, "{driver}: a refusal writes nothing");
        // The address: two more posters from the same address fill its 5, the next is refused.
        for n in [2, 3] {
            step(clock);
            group.forum_reply(&o(), &poster(n, IP), first.thread.id, &reply("同一地址", None)).unwrap();
        }
        step(clock);
        let before = counts(group);
        match group.forum_reply(&o(), &poster(4, IP), first.thread.id, &reply("换个身份", None)) {
            Err(Error::Forum(ForumError::RateLimited { scope, limit: 5, .. })) => assert_eq!(scope.as_str(), "address"),
            other => panic!("{driver}: {other:?}"),
        }
        assert_eq!(counts(group), before);
        // An IPv6 neighbour in the same /64 counts as the same address; another does not.
        group.set_forum_setting(&centre(), &Origin::other("test"), "forum.rate.per_address", "1").unwrap();
        step(clock);
        group.forum_reply(&o(), &poster(5, "2001:db8:1:2::1"), first.thread.id, &reply("v6", None)).unwrap();
        step(clock);
        assert!(group.forum_reply(&o(), &poster(6, "2001:db8:1:2::99"), first.thread.id, &reply("v6", None)).is_err());
        group.forum_reply(&o(), &poster(6, "2001:db8:1:3::99"), first.thread.id, &reply("v6", None)).unwrap();
        // After the window the poster may post again.
        clock.advance(Duration::seconds(601));
        group.forum_reply(&o(), &poster(1, "192.0.2.1"), first.thread.id, &reply("十分钟后", None)).unwrap();
    });
}

#[test]
fn a_double_submit_gives_one_post() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        let t = thread("a-board", None, "路灯不亮", "东门路灯坏了", Some("form-key-1"));
        let first = group.forum_post_thread(&o(), &poster(1, IP), &t).unwrap();
        assert!(!first.replayed);
        let secret = first.ticket.as_ref().unwrap().secret.clone();
        assert!(secret.is_some());
        // At once (the rate limit would refuse a new post): the same thread, no new secret.
        let again = group.forum_post_thread(&o(), &poster(1, IP), &t).unwrap();
        assert!(again.replayed, "{driver}");
        assert_eq!((again.thread.id, again.post.id), (first.thread.id, first.post.id));
        assert_eq!(again.ticket.as_ref().unwrap().id, first.ticket.as_ref().unwrap().id);
        assert!(again.ticket.as_ref().unwrap().secret.is_none());
        step(clock);
        let r1 = group.forum_reply(&o(), &poster(2, IP), first.thread.id, &reply("同问", Some("form-key-2"))).unwrap();
        let r2 = group.forum_reply(&o(), &poster(2, IP), first.thread.id, &reply("同问", Some("form-key-2"))).unwrap();
        assert!(r2.replayed);
        assert_eq!(r1.post.id, r2.post.id);
        let view = group.forum_thread(first.thread.id).unwrap();
        assert_eq!(view.posts.len(), 2, "{driver}");
        let tickets: i64 =
            group.db().read(|tx| tx.query_one("SELECT COUNT(*) FROM interaction_tickets", &[])?.get(0)).unwrap();
        assert_eq!(tickets, 1);
    });
}

#[test]
fn concurrent_double_submits_and_bursts_hold_across_connections() {
    for_each_group(|driver, group| {
        setup(group);
        group.set_forum_setting(&centre(), &Origin::other("test"), "forum.rate.min_interval_secs", "0").unwrap();
        // Eight identical submits at once: one thread.
        let t = thread("wenzheng", None, "并发", "同一个表单提交八次", Some("same-key"));
        let ids: Vec<i64> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| group.forum_post_thread(&o(), &poster(1, IP), &t).map(|p| p.thread.id)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect()
        });
        assert!(ids.iter().all(|id| *id == ids[0]), "{driver}: {ids:?}");
        // A burst of twelve different posts from one poster: exactly the limit (5) goes in.
        let results: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..12)
                .map(|i| {
                    let t = thread("wenzheng", None, &format!("刷屏{i}"), "刷屏内容", Some(&format!("burst-{i}")));
                    s.spawn(move || group.forum_post_thread(&o(), &poster(7, "192.0.2.7"), &t).is_ok())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 5, "{driver}");
    });
}

#[test]
fn a_thread_to_a_unit_is_one_ticket_and_shows_its_approved_reply() {
    for_each_group_with_clock(|driver, group, clock| {
        let (sa, sb) = setup(group);
        let posted = group
            .forum_post_thread(&o(), &poster(1, IP), &thread("wenzheng", Some("a"), "小区停水", "三天没水了", None))
            .unwrap();
        let receipt = posted.ticket.clone().unwrap();
        assert_eq!(posted.thread.ticket, Some(receipt.id));
        // Exactly one ticket, of channel forum, with the unit already (public at once), due
        // in 5 working days: Mon 2025-06-02 → Mon 06-09.
        let tickets = group.tickets(&centre(), &sitegroup::TicketQuery::default()).unwrap();
        assert_eq!(tickets.len(), 1, "{driver}");
        let t = &tickets[0];
        assert_eq!(t.channel.as_str(), "forum");
        assert_eq!(t.flow.state, TicketState::Assigned);
        assert_eq!(t.flow.unit, Some(group.unit("a").unwrap().id));
        let due = chrono::DateTime::parse_from_rfc3339("2025-06-09T23:59:59+08:00").unwrap().timestamp();
        assert_eq!(t.due_at, Some(due));
        assert_eq!(receipt.due_at, Some(due));
        let view = group.forum_thread(posted.thread.id).unwrap();
        let tk = view.ticket.clone().unwrap();
        assert_eq!((tk.state, tk.due_at, tk.reply.as_deref()), (TicketState::Assigned, Some(due), None));
        assert!(!view.answered());
        // Handlers of another unit cannot answer it; unit a's handler answers through the ticket.
        step(clock);
        assert!(matches!(
            group.forum_official_reply(&handler(sb, "hb"), &Origin::other("test"), posted.thread.id, None, "乙局答复"),
            Err(Error::Denied(_))
        ));
        let out = group
            .forum_official_reply(
                &handler(sa, "ha"),
                &Origin::other("test"),
                posted.thread.id,
                None,
                "已安排抢修，今晚恢复供水。",
            )
            .unwrap();
        assert!(matches!(out, ForumOfficial::TicketReply(_)));
        // Not shown before the centre approves it.
        let view = group.forum_thread(posted.thread.id).unwrap();
        assert_eq!(view.ticket.as_ref().unwrap().state, TicketState::Replied);
        assert!(view.ticket.as_ref().unwrap().reply.is_none());
        assert!(!view.answered(), "{driver}");
        group.ticket_step(&centre(), &Origin::other("test"), receipt.id, Command::Approve).unwrap();
        let view = group.forum_thread(posted.thread.id).unwrap();
        assert_eq!(view.ticket.as_ref().unwrap().reply.as_deref(), Some("已安排抢修，今晚恢复供水。"));
        assert!(view.answered());
        assert_eq!(group.forum_stats().unwrap().answered, 1);
        // The writer follows it with the query code and secret.
        let w = group.ticket_for_writer(&receipt.query_code, receipt.secret.as_deref().unwrap()).unwrap();
        assert_eq!(w.state, TicketState::Closed);
        // A unit board addresses its unit; another unit is refused.
        step(clock);
        assert!(matches!(
            group.forum_post_thread(&o(), &poster(2, IP), &thread("a-board", Some("b"), "错单位", "内容", None)),
            Err(Error::Forum(ForumError::UnitNotAllowed))
        ));
        let own =
            group.forum_post_thread(&o(), &poster(2, IP), &thread("a-board", None, "甲局版", "内容", None)).unwrap();
        assert_eq!(own.thread.unit, Some(group.unit("a").unwrap().id));
        assert_eq!(group.tickets(&centre(), &sitegroup::TicketQuery::default()).unwrap().len(), 2);
    });
}

#[test]
fn moderation_screens_the_ticket_of_a_held_thread() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        let held = group
            .forum_post_thread(&o(), &poster(1, IP), &thread("shenhe", Some("b"), "待审问政", "内容", None))
            .unwrap();
        let tid = held.thread.ticket.unwrap();
        let ticket = group.ticket(&centre(), tid).unwrap();
        assert_eq!(ticket.ticket.flow.state, TicketState::Submitted, "{driver}");
        group.forum_moderate(&centre(), &Origin::other("test"), held.post.id, &ForumModeration::Approve).unwrap();
        let ticket = group.ticket(&centre(), tid).unwrap();
        assert_eq!(ticket.ticket.flow.state, TicketState::Assigned);
        assert_eq!(ticket.ticket.flow.unit, Some(group.unit("b").unwrap().id));
        step(clock);
        let spam = group
            .forum_post_thread(&o(), &poster(1, IP), &thread("shenhe", Some("b"), "广告", "加微信", None))
            .unwrap();
        group
            .forum_moderate(
                &centre(),
                &Origin::other("test"),
                spam.post.id,
                &ForumModeration::Reject { reason: RejectReason::Spam, note: "广告信息".into() },
            )
            .unwrap();
        let t = group.ticket(&centre(), spam.thread.ticket.unwrap()).unwrap();
        assert_eq!(t.ticket.flow.state, TicketState::Rejected, "{driver}");
        assert_eq!(t.ticket.flow.rejection.as_ref().unwrap().1, "广告信息");
    });
}

#[test]
fn only_the_centre_moderates_and_manages_boards() {
    for_each_group_with_clock(|driver, group, _clock| {
        let (sa, _) = setup(group);
        let held =
            group.forum_post_thread(&o(), &poster(1, IP), &thread("shenhe", None, "待审", "内容", None)).unwrap();
        let outsiders = [handler(sa, "ha"), Actor::anonymous()];
        for who in &outsiders {
            assert!(matches!(group.forum_queue(who, 10), Err(Error::Denied(_))), "{driver}");
            let before = counts(group);
            assert!(matches!(
                group.forum_moderate(who, &Origin::other("test"), held.post.id, &ForumModeration::Approve),
                Err(Error::Denied(_))
            ));
            assert_eq!(counts(group), before);
            let b = NewBoard {
                slug: "x".into(),
                name: "x".into(),
                description: String::new(),
                unit: None,
                addressable: false,
                moderation: Moderation::Post,
                position: 0,
            };
            assert!(matches!(group.forum_create_board(who, &Origin::other("test"), &b), Err(Error::Denied(_))));
            let board = group.forum_board("wenzheng").unwrap();
            assert!(matches!(
                group.forum_update_board(who, &Origin::other("test"), board.id, &BoardChange::default()),
                Err(Error::Denied(_))
            ));
            assert!(group.set_forum_setting(who, &Origin::other("test"), "forum.rate.per_poster", "1").is_err());
        }
        assert!(matches!(group.forum_thread(held.thread.id), Err(Error::Forum(ForumError::ThreadNotFound(_)))));
        // Anonymous and a handler without a general-thread grant cannot post officially.
        let general =
            group.forum_post_thread(&o(), &poster(2, IP), &thread("wenzheng", None, "建议", "内容", None)).unwrap();
        assert!(matches!(
            group.forum_official_reply(&handler(sa, "ha"), &Origin::other("test"), general.thread.id, None, "答复"),
            Err(Error::Denied(_))
        ));
        // …but may speak for its own unit, marked official.
        let out = group
            .forum_official_reply(&handler(sa, "ha"), &Origin::other("test"), general.thread.id, Some("a"), "甲局答复")
            .unwrap();
        let ForumOfficial::Posted(p) = out else { panic!("{driver}: not a post") };
        assert!(p.official && p.status == PostStatus::Visible);
        assert_eq!(p.nickname, "甲局");
        assert!(group.forum_thread(general.thread.id).unwrap().answered());
        // Closing a board stops new threads.
        let board = group.forum_board("wenzheng").unwrap();
        let change = BoardChange { open: Some(false), ..BoardChange::default() };
        group.forum_update_board(&centre(), &Origin::other("test"), board.id, &change).unwrap();
        assert!(matches!(
            group.forum_post_thread(&o(), &poster(3, IP), &thread("wenzheng", None, "关闭后", "内容", None)),
            Err(Error::Forum(ForumError::BoardClosed))
        ));
        // Duplicate board codes are refused.
        let dup = NewBoard {
            slug: "WenZheng".into(),
            name: "重复".into(),
            description: String::new(),
            unit: None,
            addressable: false,
            moderation: Moderation::Post,
            position: 0,
        };
        assert!(matches!(
            group.forum_create_board(&centre(), &Origin::other("test"), &dup),
            Err(Error::Forum(ForumError::DuplicateBoard(_)))
        ));
        // Handlers read their unit's threads in the back office, not others'.
        assert!(
            group.forum_admin_threads(&handler(sa, "ha"), false, 50).unwrap().iter().all(|t| t.thread.unit.is_some())
        );
        assert!(group.forum_admin_thread(&handler(sa, "ha"), general.thread.id).is_err());
        assert!(matches!(group.forum_admin_threads(&Actor::anonymous(), false, 50), Err(Error::Denied(_))));
    });
}

#[test]
fn no_raw_address_or_poster_key_is_stored() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        let p = poster(42, IP);
        let t = group.forum_post_thread(&o(), &p, &thread("wenzheng", Some("a"), "地址", "内容", None)).unwrap();
        step(clock);
        group.forum_reply(&o(), &p, t.thread.id, &reply("回复", None)).unwrap();
        step(clock);
        let v6 = ForumPoster { key: p.key.clone(), address: Some("2001:db8:abcd:12::5".into()) };
        group
            .forum_reply(&Origin::web(Some("2001:db8:abcd:12::5".into())), &v6, t.thread.id, &reply("v6", None))
            .unwrap();
        let needles = [IP, "2001:db8:abcd:12", p.key.as_str()];
        let found: Vec<String> = group
            .db()
            .read(|tx| {
                let tables_sql = match tx.dialect() {
                    Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
                    _ => "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
                };
                let tables: Vec<String> =
                    tx.query(tables_sql, &[])?.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?;
                assert!(tables.iter().any(|t| t == "forum_posts"), "{tables:?}");
                let mut found = Vec::new();
                for table in tables {
                    for row in tx.query(&format!("SELECT * FROM {table}"), &[])? {
                        for v in row.values() {
                            if let Value::Text(s) = v
                                && needles.iter().any(|n| s.contains(n))
                            {
                                found.push(format!("{table}: {s}"));
                            }
                        }
                    }
                }
                Ok::<_, sitegroup::store::StoreError>(found)
            })
            .unwrap();
        assert!(found.is_empty(), "{driver}: {found:?}");
    });
}

#[test]
fn history_import_paging_and_totals() {
    for_each_group(|driver, group| {
        setup(group);
        let base = group.now() - 90 * 86_400;
        let lines: Vec<ThreadImport> = (0..65)
            .map(|i| ThreadImport {
                board: "wenzheng".into(),
                unit: (i % 2 == 0).then(|| "a".to_string()),
                nickname: format!("网友{i}"),
                subject: format!("历史帖{i}"),
                body: "历史内容".into(),
                created_at: base + i * 3600,
                replies: vec![("路人".into(), "顶".into(), base + i * 3600 + 60)],
                answer: (i != 7).then(|| ("已答复".to_string(), base + i * 3600 + 86_400)),
            })
            .chain(std::iter::once(ThreadImport { board: "nope".into(), ..Default::default() }))
            .collect();
        let out = group.forum_import(&centre(), &Origin::other("test"), &lines).unwrap();
        assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 65, "{driver}");
        assert!(out[65].is_err());
        let stats = group.forum_stats().unwrap();
        assert_eq!((stats.threads, stats.answered), (65, 64));
        let page1 = group.forum_threads("wenzheng", 1, 30).unwrap();
        assert_eq!((page1.total, page1.pages, page1.threads.len()), (65, 3, 30));
        let page3 = group.forum_threads("wenzheng", 3, 30).unwrap();
        assert_eq!(page3.threads.len(), 5);
        // Beyond the last page: the last page.
        assert_eq!(group.forum_threads("wenzheng", 99, 30).unwrap().page, 3);
        // Latest activity first.
        assert!(page1.threads.windows(2).all(|w| w[0].thread.last_post_at >= w[1].thread.last_post_at));
        // The back office's unanswered list: the one thread without an answer.
        let open = group.forum_admin_threads(&centre(), true, 500).unwrap();
        assert_eq!(open.len(), 1, "{driver}");
        assert_eq!(open[0].thread.subject, "历史帖7");
        assert_eq!(group.forum_admin_threads(&centre(), false, 500).unwrap().len(), 65);
        let closed = group
            .tickets(
                &centre(),
                &sitegroup::TicketQuery { states: vec![TicketState::Closed], limit: 500, ..Default::default() },
            )
            .unwrap();
        assert_eq!(closed.len(), 33);
        assert!(matches!(
            group.forum_import(&Actor::anonymous(), &Origin::other("test"), &lines),
            Err(Error::Denied(_))
        ));
    });
}
