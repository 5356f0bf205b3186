//! Opinion solicitations (民意征集, issue 5 item 10) through the facade on both drivers:
//! the life cycle, moderation (an unapproved comment is never public; a citizen cannot
//! moderate), double submits, the per-address limit, the open period, the feedback
//! summary and the centre's overdue list on a test clock, and no raw address stored.

use sitegroup::interaction::solicitation::{
    CommentState, Feedback, Moderation, NewComment, NewSolicitation, SolicitationError, SolicitationPhase,
    SummaryStatus,
};
use sitegroup::{Actor, Error, Grant, Origin, Role, Scope, SiteGroup, SiteId, UserId};
use sitegroup_tests::{at, centre, test_origin as o};
use sitegroup_tests::{for_each_group, for_each_group_with_clock, system, two_channels};

fn web(addr: &str) -> Origin {
    Origin::web(Some(addr.to_string()))
}

fn editor(site: SiteId) -> Actor {
    Actor::user(UserId(100 + site.0), "editor", vec![Grant { role: Role::Editor, scope: Scope::Site(site) }])
}

fn reviewer(site: SiteId) -> Actor {
    Actor::user(UserId(200 + site.0), "reviewer", vec![Grant { role: Role::Reviewer, scope: Scope::Site(site) }])
}

fn handler(site: SiteId) -> Actor {
    Actor::user(UserId(300 + site.0), "handler", vec![Grant { role: Role::Handler, scope: Scope::Site(site) }])
}

fn citizen() -> Actor {
    Actor::user(UserId(5000), "citizen", vec![])
}

fn draft(title: &str, opens_at: i64, closes_at: i64) -> NewSolicitation {
    NewSolicitation {
        title: title.into(),
        intro: "欢迎社会各界提出意见建议。".into(),
        body: "第一条 为了加强城区养犬管理，制定本办法。\n第二条 本办法适用于本县城区。".into(),
        opens_at,
        closes_at,
    }
}

fn comment(body: &str, key: Option<&str>) -> NewComment {
    NewComment { author: Some("王先生".into()), body: body.into(), idempotency_key: key.map(String::from) }
}

/// Sites `a`, `b`; an open, published solicitation on `a`.
fn open(group: &SiteGroup) -> (SiteId, SiteId, i64) {
    let (_, a, b) = two_channels(group);
    let now = group.now();
    let s = group
        .create_solicitation(&editor(a.id), &o(), a.id, &draft("养犬管理办法征求意见", now - 3600, now + 86_400))
        .unwrap();
    group.publish_solicitation(&reviewer(a.id), &o(), s.id).unwrap();
    (a.id, b.id, s.id)
}

fn count(group: &SiteGroup, sql: &str) -> i64 {
    group.db().read(|tx| tx.query_one(sql, &[])?.get(0)).unwrap()
}

#[test]
fn life_cycle_and_moderation() {
    for_each_group(|driver, group| {
        let (_, a, b) = two_channels(group);
        let now = group.now();
        let new = draft("征求意见", now - 60, now + 86_400);
        assert!(matches!(group.create_solicitation(&editor(b.id), &o(), a.id, &new), Err(Error::Denied(_))));
        let s = group.create_solicitation(&editor(a.id), &o(), a.id, &new).unwrap();
        assert!(matches!(group.public_solicitation(s.id), Err(Error::Solicitation(SolicitationError::NotFound(_)))));
        let mut changed = new.clone();
        changed.body = "第一条 修改后的条文。".into();
        group.update_solicitation(&editor(a.id), &o(), s.id, &changed).unwrap();
        assert!(matches!(group.publish_solicitation(&editor(a.id), &o(), s.id), Err(Error::Denied(_))), "{driver}");
        group.publish_solicitation(&reviewer(a.id), &o(), s.id).unwrap();
        assert!(group.update_solicitation(&editor(a.id), &o(), s.id, &new).is_err(), "published: no more edits");

        // Comments wait for moderation: never public before approval.
        let c1 = group
            .submit_solicitation_comment(
                &Actor::anonymous(),
                &web("10.0.0.1"),
                s.id,
                &comment("<script>alert(1)</script>建议延长遛狗时间", None),
            )
            .unwrap()
            .comment;
        let c2 = group
            .submit_solicitation_comment(
                &Actor::anonymous(),
                &web("10.0.0.2"),
                s.id,
                &comment("广告：办证请联系", None),
            )
            .unwrap()
            .comment;
        assert_eq!(c1.state, CommentState::Pending);
        assert_eq!(c1.body, "<script>alert(1)</script>建议延长遛狗时间", "kept as typed");
        assert!(group.public_solicitation(s.id).unwrap().comments.is_empty(), "{driver}: pending is not public");

        // Who may moderate: the site's editors and the centre; not a citizen, a visitor,
        // another site's editor or a handler.
        for who in [Actor::anonymous(), citizen(), editor(b.id), handler(a.id)] {
            let r = group.moderate_solicitation_comment(&who, &o(), c1.id, &Moderation::Approve);
            assert!(matches!(r, Err(Error::Denied(_))), "{driver}: {} moderated", who.label());
        }
        assert_eq!(count(group, "SELECT COUNT(*) FROM solicitation_comments WHERE state = 'pending'"), 2);
        group.moderate_solicitation_comment(&editor(a.id), &o(), c1.id, &Moderation::Approve).unwrap();
        let rejected = group
            .moderate_solicitation_comment(&centre(), &o(), c2.id, &Moderation::Reject { reason: "广告".into() })
            .unwrap();
        assert_eq!(rejected.reason.as_deref(), Some("广告"));
        let public = group.public_solicitation(s.id).unwrap();
        assert_eq!(public.comments.iter().map(|c| c.id).collect::<Vec<_>>(), vec![c1.id], "{driver}");
        // Approving twice changes nothing and writes nothing.
        let events = count(group, "SELECT COUNT(*) FROM outbox");
        group.moderate_solicitation_comment(&editor(a.id), &o(), c1.id, &Moderation::Approve).unwrap();
        assert_eq!(count(group, "SELECT COUNT(*) FROM outbox"), events);
        // A withdrawn approval takes it off the page again.
        group
            .moderate_solicitation_comment(&editor(a.id), &o(), c1.id, &Moderation::Reject { reason: String::new() })
            .unwrap();
        assert!(group.public_solicitation(s.id).unwrap().comments.is_empty());
        let view = group.solicitation_admin(&editor(a.id), s.id).unwrap();
        assert_eq!(view.comments.len(), 2);
        assert_eq!(view.summary, SummaryStatus::NotDue);
        assert!(matches!(group.solicitation_admin(&editor(b.id), s.id), Err(Error::Denied(_))));
        assert_eq!(group.solicitations_admin(&centre()).unwrap().len(), 1);
        assert!(group.solicitations_admin(&editor(b.id)).unwrap().is_empty());
    });
}

#[test]
fn double_submits_give_one_comment_and_bursts_are_limited() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, _, id) = open(group);
        let first = group
            .submit_solicitation_comment(&Actor::anonymous(), &web("10.0.0.1"), id, &comment("同意", Some("key-1")))
            .unwrap();
        let again = group
            .submit_solicitation_comment(&Actor::anonymous(), &web("10.0.0.1"), id, &comment("同意", Some("key-1")))
            .unwrap();
        assert!(!first.replayed && again.replayed, "{driver}");
        assert_eq!(first.comment.id, again.comment.id);
        assert_eq!(count(group, "SELECT COUNT(*) FROM solicitation_comments"), 1);
        assert_eq!(count(group, "SELECT comments FROM solicitations"), 1);
        // Default limit: 5 per address in 10 minutes (the first counts).
        for n in 0..4 {
            group
                .submit_solicitation_comment(
                    &Actor::anonymous(),
                    &web("10.0.0.1"),
                    id,
                    &comment(&format!("意见{n}"), None),
                )
                .unwrap();
        }
        let burst =
            group.submit_solicitation_comment(&Actor::anonymous(), &web("10.0.0.1"), id, &comment("再一条", None));
        assert!(
            matches!(burst, Err(Error::Solicitation(SolicitationError::Throttled { max: 5, minutes: 10 }))),
            "{driver}: {burst:?}"
        );
        group
            .submit_solicitation_comment(&Actor::anonymous(), &web("10.0.0.2"), id, &comment("另一个地址", None))
            .unwrap();
        clock.advance(chrono::Duration::minutes(11));
        group
            .submit_solicitation_comment(&Actor::anonymous(), &web("10.0.0.1"), id, &comment("十分钟后", None))
            .unwrap();
        assert_eq!(count(group, "SELECT COUNT(*) FROM solicitation_comments"), 7, "{driver}");
        // Bad input: empty, oversized.
        let empty = group.submit_solicitation_comment(&Actor::anonymous(), &web("10.0.0.3"), id, &comment("  ", None));
        assert!(matches!(empty, Err(Error::Solicitation(SolicitationError::Invalid(_)))));
        let huge = group.submit_solicitation_comment(
            &Actor::anonymous(),
            &web("10.0.0.3"),
            id,
            &comment(&"长".repeat(5001), None),
        );
        assert!(matches!(huge, Err(Error::Solicitation(SolicitationError::Invalid(_)))));
        assert_eq!(count(group, "SELECT COUNT(*) FROM solicitation_comments"), 7, "{driver}: nothing half-written");
    });
}

#[test]
fn comments_outside_the_period_are_refused() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, a, _) = two_channels(group);
        let now = group.now();
        let s = group.create_solicitation(&system(), &o(), a.id, &draft("征求意见", now + 3600, now + 7200)).unwrap();
        let submit = || group.submit_solicitation_comment(&Actor::anonymous(), &o(), s.id, &comment("意见", None));
        assert!(matches!(submit(), Err(Error::Solicitation(SolicitationError::NotFound(_)))), "draft");
        group.publish_solicitation(&system(), &o(), s.id).unwrap();
        assert!(matches!(
            submit(),
            Err(Error::Solicitation(SolicitationError::NotOpen { phase: SolicitationPhase::Upcoming }))
        ));
        clock.advance(chrono::Duration::minutes(90));
        submit().unwrap();
        // Closed early: nothing more.
        group.close_solicitation(&reviewer(a.id), &o(), s.id).unwrap();
        assert!(
            matches!(
                submit(),
                Err(Error::Solicitation(SolicitationError::NotOpen { phase: SolicitationPhase::AwaitingSummary }))
            ),
            "{driver}"
        );
        // Offline comments are recorded, dated within the period.
        let view = group.solicitation_admin(&centre(), s.id).unwrap();
        let closes = view.solicitation.closes_at;
        assert!(matches!(
            group.record_solicitation_comment(&editor(a.id), &o(), s.id, &comment("信函意见", None), closes),
            Err(Error::Solicitation(SolicitationError::OutsidePeriod))
        ));
        let recorded = group
            .record_solicitation_comment(&editor(a.id), &o(), s.id, &comment("信函意见", None), closes - 60)
            .unwrap();
        assert_eq!(recorded.state, CommentState::Approved);
        assert_eq!(recorded.source, "offline");
        assert_eq!(count(group, "SELECT COUNT(*) FROM solicitation_comments"), 2, "{driver}");
    });
}

#[test]
fn the_feedback_summary_is_written_after_closing_and_published_once() {
    for_each_group_with_clock(|driver, group, clock| {
        let (a, _, id) = open(group);
        let c =
            group.submit_solicitation_comment(&Actor::anonymous(), &o(), id, &comment("建议", None)).unwrap().comment;
        group.moderate_solicitation_comment(&editor(a), &o(), c.id, &Moderation::Approve).unwrap();
        let fb = Feedback { text: "采纳了延长遛狗时间的建议，因为符合实际。".into(), adopted: 1 };
        assert!(matches!(
            group.save_solicitation_feedback(&editor(a), &o(), id, &fb),
            Err(Error::Solicitation(SolicitationError::NotClosed))
        ));
        clock.advance(chrono::Duration::days(2));
        assert!(matches!(
            group.publish_solicitation_feedback(&editor(a), &o(), id),
            Err(Error::Solicitation(SolicitationError::NoSummary))
        ));
        assert!(matches!(
            group.save_solicitation_feedback(&editor(a), &o(), id, &Feedback { adopted: 2, ..fb.clone() }),
            Err(Error::Solicitation(SolicitationError::AdoptedTooMany { adopted: 2, approved: 1 }))
        ));
        assert!(matches!(group.save_solicitation_feedback(&citizen(), &o(), id, &fb), Err(Error::Denied(_))));
        group.save_solicitation_feedback(&editor(a), &o(), id, &fb).unwrap();
        // Saved, not published: not public.
        assert!(group.public_solicitation(id).unwrap().solicitation.feedback.is_none(), "{driver}");
        assert!(group.public_solicitations().unwrap()[0].feedback.is_none());
        let s = group.publish_solicitation_feedback(&centre(), &o(), id).unwrap();
        assert_eq!(s.phase(group.now()), SolicitationPhase::Concluded);
        assert_eq!(group.public_solicitation(id).unwrap().solicitation.feedback, Some(fb.clone()));
        assert!(matches!(
            group.save_solicitation_feedback(&editor(a), &o(), id, &fb),
            Err(Error::Solicitation(SolicitationError::SummaryPublished))
        ));
        assert!(group.solicitations_without_summary(group.now()).unwrap().is_empty(), "{driver}");
    });
}

#[test]
fn overdue_summaries_on_a_test_clock() {
    for_each_group_with_clock(|driver, group, clock| {
        // The fixture clock stands at Mon 2025-06-02 09:00 (a Dragon Boat holiday).
        let (_, a, _) = two_channels(group);
        let mk = |title: &str, opens: &str, closes: &str| {
            let s = group.create_solicitation(&system(), &o(), a.id, &draft(title, at(opens), at(closes))).unwrap();
            group.publish_solicitation(&system(), &o(), s.id).unwrap();
            s.id
        };
        // A: last day Tue 04-29. Twenty working days: 04-30, then 05-06 .. 05-30 (the
        // Labour Day holiday 05-01..05-05 skipped) → due Fri 05-30 23:59:59: overdue.
        let overdue = mk("甲", "2025-04-01T00:00:00+08:00", "2025-04-30T00:00:00+08:00");
        // B: last day Mon 05-19. 05-20 .. 05-30 are 9 days, 06-02 is a holiday, 06-03 ..
        // 06-17 the other 11 → due Tue 06-17: pending.
        let pending = mk("乙", "2025-05-01T00:00:00+08:00", "2025-05-20T00:00:00+08:00");
        // C: closed long ago but its summary published: not listed.
        let done = mk("丙", "2025-02-01T00:00:00+08:00", "2025-03-01T00:00:00+08:00");
        group
            .record_solicitation_comment(&system(), &o(), done, &comment("信函", None), at("2025-02-10T10:00:00+08:00"))
            .unwrap();
        group
            .save_solicitation_feedback(&system(), &o(), done, &Feedback { text: "已采纳".into(), adopted: 1 })
            .unwrap();
        group.publish_solicitation_feedback(&system(), &o(), done).unwrap();
        // D: still open; E: a draft with a past period. Neither is listed.
        mk("丁", "2025-05-01T00:00:00+08:00", "2025-07-01T00:00:00+08:00");
        group
            .create_solicitation(
                &system(),
                &o(),
                a.id,
                &draft("戊", at("2025-01-01T00:00:00+08:00"), at("2025-01-31T00:00:00+08:00")),
            )
            .unwrap();

        let now = group.now();
        let list = group.solicitations_overdue_summary(&centre(), now).unwrap();
        assert_eq!(list.iter().map(|d| d.id).collect::<Vec<_>>(), vec![overdue], "{driver}");
        assert_eq!(list[0].due_at, Some(at("2025-05-30T23:59:59+08:00")));
        let all = group.solicitations_without_summary(now).unwrap();
        assert_eq!(all.iter().map(|d| (d.id, d.overdue)).collect::<Vec<_>>(), vec![(overdue, true), (pending, false)]);
        assert_eq!(all[1].due_at, Some(at("2025-06-17T23:59:59+08:00")), "{driver}");
        let view = group.solicitation_admin(&centre(), pending).unwrap();
        assert_eq!(view.summary, SummaryStatus::Pending { due_at: at("2025-06-17T23:59:59+08:00") });

        // The list is the centre's: a site editor is refused.
        assert!(matches!(group.solicitations_overdue_summary(&editor(a.id), now), Err(Error::Denied(_))));
        // One second after B's due day ends, it is overdue too.
        clock.set(chrono::DateTime::from_timestamp(at("2025-06-18T00:00:00+08:00"), 0).unwrap());
        let list = group.solicitations_overdue_summary(&centre(), group.now()).unwrap();
        assert_eq!(list.len(), 2, "{driver}");
        // A shorter setting makes B overdue earlier.
        clock.set(chrono::DateTime::from_timestamp(at("2025-06-03T09:00:00+08:00"), 0).unwrap());
        assert_eq!(group.solicitations_overdue_summary(&centre(), group.now()).unwrap().len(), 1);
        group.set_solicitation_setting(&centre(), &o(), "solicitation.summary_days", "5").unwrap();
        assert_eq!(group.solicitations_overdue_summary(&centre(), group.now()).unwrap().len(), 2, "{driver}");
        assert!(group.set_solicitation_setting(&centre(), &o(), "solicitation.summary_days", "x").is_err());
        assert!(matches!(
            group.set_solicitation_setting(&editor(a.id), &o(), "solicitation.summary_days", "9"),
            Err(Error::Denied(_))
        ));
    });
}

#[test]
fn no_raw_address_in_stored_rows() {
    for_each_group(|driver, group| {
        let (_, _, id) = open(group);
        let ip = "198.51.100.23";
        group.submit_solicitation_comment(&Actor::anonymous(), &web(ip), id, &comment("意见", Some("k"))).unwrap();
        for table in ["solicitation_comments", "solicitations", "audit_log", "outbox", "settings"] {
            let rows = group.db().read(|tx| tx.query(&format!("SELECT * FROM {table}"), &[])).unwrap();
            for row in rows {
                for v in row.values() {
                    if let sitegroup::store::Value::Text(t) = v {
                        assert!(!t.contains(ip), "{driver}: raw address in {table}: {t}");
                    }
                }
            }
        }
    });
}
