//! Tickets across the group (issue 5): the flow through the facade, query codes,
//! idempotency, deadlines by hand, urging, the monthly notice by hand, concurrency,
//! import, and a proptest over random action sequences.

use chrono::NaiveDate;
use proptest::prelude::*;
use sitegroup::interaction::flow::{Command, RejectReason, TicketState};
use sitegroup::interaction::model::{Channel, NewTicket, Rating, Writer, beijing_date};
use sitegroup::{
    Actor, Error, Grant, ImportTicket, NewSite, Role, Scope, SearchQuery, SiteGroup, SiteId, TicketQuery, UserId,
};
use sitegroup_tests::{at, centre, set_time, test_origin as o};
use sitegroup_tests::{for_each_group, for_each_group_with_clock, system, unit};

/// Units `a` and `b`, each owning a department site; returns the two site ids.
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

fn leader() -> Actor {
    Actor::user(UserId(901), "leader", vec![Grant { role: Role::Leader, scope: Scope::Group }])
}
fn handler(site: SiteId, name: &str) -> Actor {
    Actor::user(UserId(902 + site.0), name, vec![Grant { role: Role::Handler, scope: Scope::Site(site) }])
}

fn complaint(unit: &str, subject: &str) -> NewTicket {
    NewTicket {
        channel: "complaint".into(),
        unit: Some(unit.into()),
        subject: subject.into(),
        body: "<b>路灯</b>不亮，我叫张三，电话13800138000".into(),
        ..Default::default()
    }
}

#[test]
fn mailbox_letter_goes_through_batch_instruction_reply_review_and_rating() {
    for_each_group_with_clock(|driver, group, clock| {
        let (sa, _) = setup(group);
        // Tue 2025-06-03.
        set_time(clock, "2025-06-03T09:00:00+08:00");
        let letter = NewTicket {
            channel: "mailbox".into(),
            leader: Some("县长".into()),
            writer: Writer { name: Some("王小明".into()), phone: Some("13800138000".into()), email: None },
            subject: "关于幸福路积水".into(),
            body: "家住城关镇幸福路12号3栋402室，本人王小明反映积水。".into(),
            idempotency_key: Some("form-1".into()),
            ..Default::default()
        };
        let sub = group.submit_ticket(&o(), &letter).unwrap();
        let secret = sub.secret.clone().unwrap();
        let again = group.submit_ticket(&o(), &letter).unwrap();
        assert!(again.replayed && again.secret.is_none(), "{driver}");
        assert_eq!(again.ticket.id, sub.ticket.id);
        let id = sub.ticket.id;
        // Day 1 = Wed 06-04 … day 5 = Tue 06-10.
        assert_eq!(sub.ticket.due_at, Some(at("2025-06-10T23:59:59+08:00")));
        // Writers: wrong secret and unknown code give the same error.
        let wrong = group.ticket_for_writer(&sub.ticket.query_code, "AAAAAAAA").unwrap_err();
        let unknown = group.ticket_for_writer("ZZZZZZZZZZZZ", &secret).unwrap_err();
        assert_eq!(wrong.to_string(), unknown.to_string());
        assert!(group.ticket_for_writer(&sub.ticket.query_code.to_lowercase(), &secret).is_ok());
        // Handlers see nothing before screening.
        assert!(group.ticket(&handler(sa, "ha"), id).is_err());
        group.ticket_step(&centre(), &o(), id, Command::Accept { unit: None, urgent: false }).unwrap();
        // Not a batch day (Tuesday): stays; Thursday: forwarded.
        assert!(group.forward_due_batches(&o(), at("2025-06-03T18:00:00+08:00")).unwrap().is_empty());
        assert_eq!(group.forward_due_batches(&o(), at("2025-06-05T08:00:00+08:00")).unwrap(), vec![id]);
        let ua = group.unit("a").unwrap().id;
        assert!(
            group
                .ticket_step(&handler(sa, "ha"), &o(), id, Command::Instruct { unit: ua, note: "请办".into() })
                .is_err()
        );
        group.ticket_step(&leader(), &o(), id, Command::Instruct { unit: ua, note: "请甲局办理".into() }).unwrap();
        let h = handler(sa, "ha");
        assert!(group.ticket(&h, id).is_ok());
        assert!(group.ticket_step(&h, &o(), id, Command::Approve).is_err(), "handlers do not review");
        group.ticket_step(&h, &o(), id, Command::Reply { text: "已疏通排水管".into() }).unwrap();
        let t = group.ticket_step(&centre(), &o(), id, Command::Approve).unwrap();
        assert_eq!(t.flow.state, TicketState::Closed);
        let view = group.ticket_for_writer(&t.query_code, &secret).unwrap();
        assert_eq!(view.reply.as_deref(), Some("已疏通排水管"));
        let preview = group.redaction_preview(&centre(), id).unwrap();
        assert!(!preview.body.text.contains("王小明") && !preview.body.text.contains("402"), "{}", preview.body.text);
        group.ticket_step(&centre(), &o(), id, Command::Publish).unwrap();
        let public = group.published_tickets(10).unwrap();
        assert_eq!(public.len(), 1);
        assert!(public[0].body.contains("城关镇") && !public[0].body.contains("王小明"));
        // Dissatisfied: reopened with a new deadline.
        let t =
            group.writer_step(&o(), &t.query_code, &secret, Command::Rate { rating: Rating::Dissatisfied }).unwrap();
        assert_eq!(t.flow.state, TicketState::Assigned);
        assert!(group.writer_step(&o(), &t.query_code, &secret, Command::Approve).is_err());
        let audit = group.audit(&system(), &Default::default()).unwrap();
        assert!(audit.iter().any(|e| e.entry.action == "ticket.instruct"));
        assert!(audit.iter().any(|e| e.entry.action == "ticket.rate"));
    });
}

#[test]
fn validation_and_rejection() {
    for_each_group(|_, group| {
        setup(group);
        let mut bad = complaint("a", "");
        assert!(matches!(group.submit_ticket(&o(), &bad), Err(Error::Invalid(_))));
        bad = complaint("nope", "x");
        assert!(matches!(group.submit_ticket(&o(), &bad), Err(Error::Interaction(_))));
        bad = complaint("a", "x");
        bad.writer.email = Some("not-mail".into());
        assert!(group.submit_ticket(&o(), &bad).is_err());
        bad = complaint("a", "x");
        bad.body = "字".repeat(10_001);
        assert!(group.submit_ticket(&o(), &bad).is_err());
        assert!(group.tickets(&centre(), &TicketQuery::default()).unwrap().is_empty(), "nothing half-written");
        let t = group.submit_ticket(&o(), &complaint("a", "广告")).unwrap().ticket;
        let r = Command::Reject { reason: RejectReason::Spam, note: "广告信息".into() };
        let t = group.ticket_step(&centre(), &o(), t.id, r).unwrap();
        assert_eq!(t.flow.state, TicketState::Rejected);
        assert!(group.ticket_step(&centre(), &o(), t.id, Command::Approve).is_err());
    });
}

#[test]
fn deadlines_across_national_day_2025() {
    for_each_group_with_clock(|_, group, clock| {
        setup(group);
        // Received Tue 2025-09-30 16:00. Holidays 10-01..10-08 (国庆节、中秋节); Sat 10-11 is an
        // adjusted workday. Day 1 Thu 10-09, 2 Fri 10-10, 3 Sat 10-11, (Sun 10-12 skipped),
        // 4 Mon 10-13, 5 Tue 10-14.
        set_time(clock, "2025-09-30T16:00:00+08:00");
        let t = group.submit_ticket(&o(), &complaint("a", "国庆前来信")).unwrap().ticket;
        assert_eq!(t.due_at, Some(at("2025-10-14T23:59:59+08:00")));
        let view = group.ticket(&centre(), t.id).unwrap();
        let explain = view.deadline.unwrap().explain;
        assert!(explain.contains("2025-10-11 day 3: adjusted workday"), "{explain}");
        assert!(explain.contains("2025-10-01 skipped: public holiday"), "{explain}");
    });
}

#[test]
fn disclosure_with_correction_third_party_and_extension_by_hand() {
    for_each_group_with_clock(|driver, group, clock| {
        let (sa, _) = setup(group);
        let ua = group.unit("a").unwrap().id;
        let h = handler(sa, "ha");
        // Received Mon 2025-06-02 09:00; 20 working days: June 3–6 (4), 9–13 (9), 16–20 (14),
        // 23–27 (19), 30 (20) → due Mon 2025-06-30.
        let req = NewTicket {
            channel: "disclosure".into(),
            unit: Some("a".into()),
            writer: Writer { name: Some("李四".into()), phone: None, email: Some("li@example.cn".into()) },
            subject: "申请公开征地补偿标准".into(),
            body: "请公开2024年征地补偿标准。".into(),
            applicant: Some("natural_person".into()),
            ..Default::default()
        };
        set_time(clock, "2025-06-02T09:00:00+08:00");
        let sub = group.submit_ticket(&o(), &req).unwrap();
        let (id, code, secret) = (sub.ticket.id, sub.ticket.query_code.clone(), sub.secret.unwrap());
        assert_eq!(sub.ticket.due_at, Some(at("2025-06-30T23:59:59+08:00")), "{driver}");
        group.ticket_step(&centre(), &o(), id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
        // Correction asked Wed 06-04, supplied Tue 06-10 10:00: the clock restarts from 06-10.
        // 20 days from Tue 06-10: June 11–13 (3), 16–20 (8), 23–27 (13), 30 (14), July 1–4 (18),
        // 7 (19), 8 (20) → due Tue 2025-07-08.
        set_time(clock, "2025-06-04T10:00:00+08:00");
        group.ticket_step(&h, &o(), id, Command::RequestCorrection { note: "请说明具体地块".into() }).unwrap();
        set_time(clock, "2025-06-10T10:00:00+08:00");
        let t =
            group.writer_step(&o(), &code, &secret, Command::SupplyCorrection { text: "红庙镇地块".into() }).unwrap();
        assert_eq!(t.due_at, Some(at("2025-07-08T23:59:59+08:00")));
        // Third party consulted Mon 06-16 to Mon 06-23: working days 06-17..06-23 = 17,18,19,20,23
        // = 5 not counted → due 5 working days later: July 9, 10, 11, 14, 15 → Tue 2025-07-15.
        set_time(clock, "2025-06-16T10:00:00+08:00");
        group.ticket_step(&h, &o(), id, Command::ConsultThirdParty { note: "征求某公司意见".into() }).unwrap();
        set_time(clock, "2025-06-23T10:00:00+08:00");
        let t = group.ticket_step(&h, &o(), id, Command::EndConsultation).unwrap();
        assert_eq!(t.flow.clock.paused_days, 5);
        assert_eq!(t.due_at, Some(at("2025-07-15T23:59:59+08:00")));
        // Extension of 20 approved: July 16–18 (3), 21–25 (8), 28–31 (12), Aug 1 (13), 4–8 (18),
        // 11 (19), 12 (20) → due Tue 2025-08-12. A second one is refused.
        let ext = Command::Extend { days: 20, approved_by: "局长".into() };
        let t = group.ticket_step(&h, &o(), id, ext.clone()).unwrap();
        assert_eq!(t.due_at, Some(at("2025-08-12T23:59:59+08:00")));
        assert!(group.ticket_step(&h, &o(), id, ext).is_err());
        let explain = group.ticket(&centre(), id).unwrap().deadline.unwrap().explain;
        assert!(explain.contains("extended by 20") && explain.contains("5 working days of third-party"), "{explain}");
    });
}

#[test]
fn urging_and_escalation() {
    for_each_group_with_clock(|_, group, clock| {
        setup(group);
        let ua = group.unit("a").unwrap().id;
        set_time(clock, "2025-06-03T09:00:00+08:00"); // due Tue 06-10
        let t = group.submit_ticket(&o(), &complaint("a", "噪音")).unwrap().ticket;
        group.ticket_step(&centre(), &o(), t.id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
        let r = group.urge_due(&o(), at("2025-06-09T09:00:00+08:00")).unwrap();
        assert_eq!(r.reminders.len(), 1, "one working day left");
        assert!(group.urge_due(&o(), at("2025-06-09T15:00:00+08:00")).unwrap().reminders.is_empty(), "once a day");
        assert!(group.urge_due(&o(), at("2025-06-14T10:00:00+08:00")).unwrap().urgings.is_empty(), "Saturday");
        let mut escalations = 0;
        for day in ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-16"] {
            let r = group.urge_due(&o(), at(&format!("{day}T09:00:00+08:00"))).unwrap();
            assert_eq!(r.urgings.len(), 1, "{day}");
            escalations += r.escalations.len();
        }
        assert_eq!(escalations, 1, "the leader is told once, after 3 urgings");
        let list = group.urgings(&centre(), Some("a"), 100).unwrap();
        assert_eq!(list.iter().filter(|u| u.kind == "urging").count(), 4);
        assert_eq!(list.iter().filter(|u| u.target == "leader").count(), 1);
        assert!(group.urgings(&handler(SiteId(9999), "x"), Some("a"), 10).is_err());
    });
}

#[test]
fn monthly_report_fixture_by_hand() {
    for_each_group(|_, group| {
        setup(group);
        unit(group, "c", "丙镇");
        // June 2025 tickets, all complaints (5 working days), imported.
        // a1 received Mon 06-02 10:00 → due Mon 06-09 (06-03,04,05,06,09); replied 06-05 → on time, 3 wd.
        // a2 received Tue 06-03 10:00 → due Tue 06-10; replied 06-12 → late, 7 wd (04,05,06,09,10,11,12).
        // a3 received Mon 06-16 → due Mon 06-23; open at as_of 07-01 → overdue.
        // a4 received Mon 06-30 → due Mon 07-07; open at as_of 07-01 → not overdue.
        // b1 received Mon 06-02 → due 06-09; replied 06-09 20:00 → on time (by 23:59:59), 5 wd.
        // b2 received Fri 05-30 → May, not counted.
        // a: received 4, answered 2, on time 1, overdue 1; reply 2/4 = 0.5; on time 1/4 = 0.25;
        //    mean (3 + 7) / 2 = 5.0.
        // b: received 1, answered 1, on time 1, overdue 0; rates 1.0, 1.0; mean 5.0.
        // c: nothing received; ranked last. Ranking: b (on time 1.0), a (0.25), c.
        let line = |unit: &str, rec: &str, rep: Option<&str>| ImportTicket {
            channel: "complaint".into(),
            unit: unit.into(),
            subject: "投诉".into(),
            body: "内容".into(),
            received_at: at(rec),
            replied_at: rep.map(at),
            reply: rep.map(|_| "已处理".to_string()),
            ..Default::default()
        };
        let lines = vec![
            line("a", "2025-06-02T10:00:00+08:00", Some("2025-06-05T10:00:00+08:00")),
            line("a", "2025-06-03T10:00:00+08:00", Some("2025-06-12T10:00:00+08:00")),
            line("a", "2025-06-16T10:00:00+08:00", None),
            line("a", "2025-06-30T10:00:00+08:00", None),
            line("b", "2025-06-02T10:00:00+08:00", Some("2025-06-09T20:00:00+08:00")),
            line("b", "2025-05-30T10:00:00+08:00", Some("2025-06-03T10:00:00+08:00")),
            line("zz", "2025-06-02T10:00:00+08:00", None),
            ImportTicket { subject: String::new(), ..line("a", "2025-06-02T10:00:00+08:00", None) },
        ];
        let results = group.import_tickets_batch(&system(), &o(), &lines).unwrap();
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 6);
        assert!(results[6].is_err() && results[7].is_err(), "unknown unit, empty subject");
        let report = group.monthly_report(&centre(), 2025, 6, at("2025-07-01T09:00:00+08:00")).unwrap();
        let codes: Vec<&str> = report.iter().map(|r| r.unit.as_str()).collect();
        assert_eq!(codes, vec!["b", "a", "c"]);
        let a = &report[1];
        assert_eq!((a.received, a.answered, a.answered_on_time, a.overdue_open), (4, 2, 1, 1));
        assert_eq!((a.reply_rate, a.on_time_rate, a.mean_working_days), (Some(0.5), Some(0.25), Some(5.0)));
        let b = &report[0];
        assert_eq!((b.received, b.answered, b.answered_on_time, b.overdue_open, b.rank), (1, 1, 1, 0, 1));
        assert_eq!(b.mean_working_days, Some(5.0));
        assert_eq!((report[2].received, report[2].reply_rate), (0, None));
        assert!(group.monthly_report(&handler(SiteId(1), "h"), 2025, 6, 0).is_err());
        let xlsx = group.monthly_report_xlsx(&centre(), 2025, 6, at("2025-07-01T09:00:00+08:00")).unwrap();
        assert_eq!(&xlsx[..2], b"PK");
        // Veto scan on 2025-10-01: a3 (06-16) and a4 (06-30) open for more than 3 months? a3 yes
        // (limit 09-16), a4 yes (limit 09-30 10:00).
        let veto = group.three_month_unanswered(&centre(), at("2025-10-01T09:00:00+08:00")).unwrap();
        assert_eq!(veto.len(), 2);
    });
}

#[test]
fn published_letters_page_by_channel_and_hide_private_ones() {
    for_each_group(|_, group| {
        setup(group);
        let line = |channel: &str, day: u32, public: bool| ImportTicket {
            channel: channel.into(),
            unit: "a".into(),
            subject: format!("{channel} {day}"),
            body: "我叫张三，电话13800138000".into(),
            received_at: at(&format!("2025-06-{day:02}T10:00:00+08:00")),
            replied_at: Some(at(&format!("2025-06-{day:02}T16:00:00+08:00"))),
            reply: Some("已处理".into()),
            public,
            writer: Some("张三".into()),
            ..Default::default()
        };
        let mut lines: Vec<ImportTicket> = (1..=7).map(|d| line("mailbox", d, true)).collect();
        lines.extend((10..=12).map(|d| line("complaint", d, true)));
        lines.push(line("mailbox", 20, false));
        lines.push(ImportTicket { replied_at: None, reply: None, ..line("mailbox", 21, true) });
        let ids: Vec<i64> =
            group.import_tickets_batch(&system(), &o(), &lines).unwrap().into_iter().map(|r| r.unwrap().id).collect();

        let (all, total) = group.published_tickets_page(None, 0, 4).unwrap();
        assert_eq!(total, 10, "private and unanswered letters are not published");
        let subjects: Vec<&str> = all.iter().map(|t| t.subject.as_str()).collect();
        assert_eq!(subjects, vec!["complaint 12", "complaint 11", "complaint 10", "mailbox 7"], "newest first");
        let (page3, _) = group.published_tickets_page(None, 8, 4).unwrap();
        assert_eq!(page3.len(), 2);
        let (mail, mail_total) = group.published_tickets_page(Some(Channel::Mailbox), 0, 100).unwrap();
        assert_eq!((mail.len(), mail_total), (7, 7));
        assert!(mail.iter().all(|t| t.channel == Channel::Mailbox));
        assert!(!mail[0].body.contains("13800138000") && !mail[0].body.contains("张三"), "redacted: {}", mail[0].body);

        assert_eq!(group.published_ticket(ids[0]).unwrap().subject, "mailbox 1");
        for hidden in [ids[10], ids[11], 999_999] {
            assert!(
                matches!(group.published_ticket(hidden), Err(Error::NotFound { .. })),
                "private, open and unknown letters look alike"
            );
        }
    });
}

/// Public search hits of kind `reply` for `text`.
fn reply_hits(group: &SiteGroup, text: &str) -> Vec<sitegroup::SearchHit> {
    let q = SearchQuery { text: text.into(), kinds: vec!["reply".into()], per_page: 100, ..Default::default() };
    group.search(None, &q).unwrap().hits
}

#[test]
fn published_letters_are_searchable_redacted_and_leave_the_index_when_unpublished() {
    for_each_group(|driver, group| {
        let (sa, _) = setup(group);
        let line = |subject: &str, public: bool, reply: Option<&str>| ImportTicket {
            channel: "mailbox".into(),
            unit: "a".into(),
            subject: subject.into(),
            body: "幸福路路灯不亮，我叫张三，电话13800138000".into(),
            received_at: at("2025-06-02T10:00:00+08:00"),
            replied_at: reply.map(|_| at("2025-06-03T16:00:00+08:00")),
            reply: reply.map(String::from),
            public,
            writer: Some("张三".into()),
            ..Default::default()
        };
        let lines = [
            line("路灯维修", true, Some("已安排更换灯泡")),
            line("噪音扰民", false, Some("已联系执法大队")),
            line("积水排涝", true, None),
        ];
        let ids: Vec<i64> =
            group.import_tickets_batch(&system(), &o(), &lines).unwrap().into_iter().map(|r| r.unwrap().id).collect();
        group.search_poll().unwrap();

        // Found by its subject, its letter and its reply, under its unit's site, linking to
        // its page; private and unanswered letters are not.
        for text in ["路灯维修", "幸福路", "灯泡"] {
            let hits = reply_hits(group, text);
            assert_eq!(
                hits.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(),
                [format!("ticket:{}", ids[0])],
                "{driver}: {text}"
            );
            assert_eq!(hits[0].url, format!("/hudong/xzxx/{}", ids[0]));
            assert_eq!(hits[0].site, sa.0);
            assert!(hits[0].state.is_none());
        }
        assert!(reply_hits(group, "噪音扰民").is_empty(), "{driver}: a private letter");
        assert!(reply_hits(group, "积水排涝").is_empty(), "{driver}: an unanswered letter");
        assert!(reply_hits(group, "执法大队").is_empty(), "{driver}: a private reply");
        // Only the redacted text is indexed: the writer's name and phone find nothing.
        for secret in ["张三", "13800138000"] {
            let any = SearchQuery { text: secret.into(), per_page: 100, ..Default::default() };
            assert!(group.search(None, &any).unwrap().hits.is_empty(), "{driver}: {secret} leaked");
        }

        // Unpublished: gone from the public index in one poll; published again: back.
        group.ticket_step(&centre(), &o(), ids[0], Command::Unpublish).unwrap();
        group.search_poll().unwrap();
        assert!(reply_hits(group, "路灯维修").is_empty(), "{driver}: unpublished");
        group.ticket_step(&centre(), &o(), ids[0], Command::Publish).unwrap();
        group.search_poll().unwrap();
        assert_eq!(reply_hits(group, "路灯维修").len(), 1, "{driver}: published again, once");
        // A rebuild finds the same.
        group.reindex(&mut |_| {}).unwrap();
        assert_eq!(reply_hits(group, "路灯维修").len(), 1, "{driver}: after reindex");
        assert!(reply_hits(group, "噪音扰民").is_empty());
    });
}

#[test]
fn a_thousand_concurrent_submissions() {
    for_each_group(|driver, group| {
        setup(group);
        let group: &SiteGroup = group;
        let codes = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for th in 0..8 {
                let codes = &codes;
                s.spawn(move || {
                    for i in 0..125 {
                        let mut t = complaint(if i % 2 == 0 { "a" } else { "b" }, &format!("来信{th}-{i}"));
                        t.idempotency_key = Some(format!("k{th}-{i}"));
                        let sub = group.submit_ticket(&o(), &t).unwrap();
                        codes.lock().unwrap().push(sub.ticket.query_code);
                    }
                });
            }
        });
        let mut codes = codes.into_inner().unwrap();
        assert_eq!(codes.len(), 1000, "{driver}");
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 1000, "codes unique");
        let all = group.tickets(&centre(), &TicketQuery { limit: 5000, ..Default::default() }).unwrap();
        assert_eq!(all.len(), 1000, "none lost");
    });
}

#[derive(Debug, Clone)]
enum Who {
    Centre,
    HandlerA,
    HandlerB,
    Leader,
    Anonymous,
    Writer(bool),
}

#[derive(Debug, Clone)]
enum Act {
    Accept(bool),
    Reject,
    Forward,
    Instruct(bool),
    Transfer(bool),
    Reply,
    Delay(u32),
    Approve,
    SendBack,
    Rate(bool),
    Publish,
    Read,
    Advance(u32),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Centre),
        Just(Who::HandlerA),
        Just(Who::HandlerB),
        Just(Who::Leader),
        Just(Who::Anonymous),
        any::<bool>().prop_map(Who::Writer)
    ]
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        any::<bool>().prop_map(Act::Accept),
        Just(Act::Reject),
        Just(Act::Forward),
        any::<bool>().prop_map(Act::Instruct),
        any::<bool>().prop_map(Act::Transfer),
        Just(Act::Reply),
        (1u32..12).prop_map(Act::Delay),
        Just(Act::Approve),
        Just(Act::SendBack),
        any::<bool>().prop_map(Act::Rate),
        Just(Act::Publish),
        Just(Act::Read),
        (1u32..4).prop_map(Act::Advance),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_action_sequences_keep_the_invariants(
        mailbox in any::<bool>(),
        steps in proptest::collection::vec((who(), act()), 1..25),
    ) {
        for_each_group_with_clock(|driver, group, clock| {
            let (sa, sb) = setup(group);
            let (ua, ub) = (group.unit("a").unwrap().id, group.unit("b").unwrap().id);
            set_time(clock, "2025-09-24T10:00:00+08:00");
            let mut new = complaint("a", "随机");
            new.private = true;
            if mailbox {
                new.channel = "mailbox".into();
                new.leader = Some("县长".into());
                new.writer = Writer { name: Some("赵六".into()), phone: Some("13800138000".into()), email: None };
            }
            let sub = group.submit_ticket(&o(), &new).unwrap();
            let (id, code, secret) = (sub.ticket.id, sub.ticket.query_code.clone(), sub.secret.unwrap());
            let mut last_due = sub.ticket.due_at;
            for (who, act) in &steps {
                let actor = match who {
                    Who::Centre => centre(),
                    Who::HandlerA => handler(sa, "ha"),
                    Who::HandlerB => handler(sb, "hb"),
                    Who::Leader => leader(),
                    Who::Anonymous | Who::Writer(_) => Actor::anonymous(),
                };
                let before = group.ticket(&system(), id).unwrap().ticket;
                let pick = |b: bool| if b { ua } else { ub };
                let cmd = match act {
                    Act::Accept(b) => Command::Accept { unit: Some(pick(*b)), urgent: *b },
                    Act::Reject => Command::Reject { reason: RejectReason::OutOfScope, note: "不属受理范围".into() },
                    Act::Forward => Command::Forward,
                    Act::Instruct(b) => Command::Instruct { unit: pick(*b), note: "阅处".into() },
                    Act::Transfer(b) => Command::Transfer { unit: pick(*b), note: "转办".into() },
                    Act::Reply => Command::Reply { text: "答复".into() },
                    Act::Delay(n) => {
                        let base = before.due_at.and_then(beijing_date).unwrap_or(NaiveDate::MIN);
                        Command::ExplainDelay { to: base + chrono::Days::new(u64::from(*n)), reason: "调查".into() }
                    }
                    Act::Approve => Command::Approve,
                    Act::SendBack => Command::SendBack { note: "重办".into() },
                    Act::Rate(s) => Command::Rate { rating: if *s { Rating::Satisfied } else { Rating::Dissatisfied } },
                    Act::Publish => Command::Publish,
                    Act::Read => {
                        let read = group.ticket(&actor, id);
                        let responsible = before.flow.unit;
                        let may = match who {
                            Who::Centre | Who::Leader => true,
                            Who::HandlerA => responsible == Some(ua),
                            Who::HandlerB => responsible == Some(ub),
                            _ => false,
                        };
                        assert_eq!(read.is_ok(), may, "{driver}: {who:?} read a private ticket of {responsible:?}");
                        continue;
                    }
                    Act::Advance(d) => {
                        clock.advance(chrono::Duration::days(i64::from(*d)));
                        continue;
                    }
                };
                let result = match who {
                    Who::Writer(right) => {
                        let s = if *right { secret.clone() } else { "WRONGXYZ".to_string() };
                        group.writer_step(&o(), &code, &s, cmd.clone())
                    }
                    _ => group.ticket_step(&actor, &o(), id, cmd.clone()),
                };
                let after = group.ticket(&system(), id).unwrap().ticket;
                if result.is_err() {
                    assert_eq!(after, before, "{driver}: a refused step changed nothing");
                }
                if matches!(who, Who::Writer(false) | Who::Anonymous | Who::HandlerB) && result.is_ok() {
                    // HandlerB may act only when the ticket is unit b's.
                    assert!(matches!(who, Who::HandlerB) && before.flow.unit == Some(ub), "{driver}: {who:?} acted");
                }
                if after.flow.state == TicketState::Closed {
                    assert!(after.flow.reply.is_some(), "closed without a reply");
                }
                if let Some(due) = after.due_at {
                    let day = beijing_date(due).unwrap();
                    assert!(group.calendar().is_workday(day).unwrap(), "{day} is not a working day");
                }
                if let (Command::ExplainDelay { .. }, Some(a), Some(b)) = (&cmd, before.due_at, after.due_at) {
                    assert!(b >= a, "a delay moved the deadline earlier");
                }
                last_due = after.due_at.or(last_due);
            }
            let _ = last_due;
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    /// Whatever happens to an answered letter (published, unpublished, rated by its
    /// writer, reopened, answered and approved again), the public search finds it exactly
    /// when the public letters page shows it, and never twice.
    #[test]
    fn the_public_search_shows_a_letter_exactly_while_it_is_published(
        steps in proptest::collection::vec(0u8..6, 1..12),
    ) {
        for_each_group(|driver, group| {
            let (sa, _) = setup(group);
            let sub = group.submit_ticket(&o(), &complaint("a", "桥面坑洼")).unwrap();
            let (id, code, secret) = (sub.ticket.id, sub.ticket.query_code.clone(), sub.secret.unwrap());
            let ua = group.unit("a").unwrap().id;
            let h = handler(sa, "ha");
            group.ticket_step(&centre(), &o(), id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
            group.ticket_step(&h, &o(), id, Command::Reply { text: "已修补".into() }).unwrap();
            group.ticket_step(&centre(), &o(), id, Command::Approve).unwrap();
            for step in &steps {
                let rate = |rating| group.writer_step(&o(), &code, &secret, Command::Rate { rating });
                // Refused steps (not allowed in the state reached) change nothing.
                let _ = match step {
                    0 => group.ticket_step(&centre(), &o(), id, Command::Publish),
                    1 => group.ticket_step(&centre(), &o(), id, Command::Unpublish),
                    2 => rate(Rating::Dissatisfied),
                    3 => rate(Rating::Satisfied),
                    4 => group.ticket_step(&h, &o(), id, Command::Reply { text: "已重新修补".into() }),
                    _ => group.ticket_step(&centre(), &o(), id, Command::Approve),
                };
                group.search_poll().unwrap();
                let shown = group.published_ticket(id).is_ok();
                assert_eq!(reply_hits(group, "桥面坑洼").len(), usize::from(shown), "{driver}: after {steps:?}");
                assert!(reply_hits(group, "13800138000").is_empty(), "{driver}: the writer's phone");
            }
        });
    }
}
