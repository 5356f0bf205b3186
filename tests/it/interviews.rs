//! Online interviews (issue 5, item 8) through the facade on both drivers: the
//! announcement at the lead time (exactly once, never when cancelled), questions and
//! moderation (nothing unapproved or any contact in public), the live transcript and
//! its archive, who may do what, history import, and the yearly planning view on a
//! hand-computed fixture.

use sitegroup::interaction::interview::{
    Guest, HistoryInterview, HistoryQuestion, HistoryRemark, InterviewError, InterviewState, NewInterview, NewQuestion,
    QuestionState, Speaker,
};
use sitegroup::{
    Actor, AuditQuery, Error, Grant, ImportTicket, NewSite, Role, Scope, SiteGroup, SiteId, UserId, ValidationError,
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
fn with_role(site: SiteId, role: Role, name: &str) -> Actor {
    Actor::user(UserId(950 + site.0), name, vec![Grant { role, scope: Scope::Site(site) }])
}

fn plan(unit: &str, starts: &str) -> NewInterview {
    let starts_at = at(starts);
    NewInterview {
        unit: unit.into(),
        topic: "义务教育招生政策解读".into(),
        guests: vec![
            Guest { name: "王明".into(), post: "局长".into() },
            Guest { name: "赵芳".into(), post: "副局长".into() },
        ],
        host: "李华".into(),
        outline: "一、招生范围\n二、报名时间".into(),
        background: "今年秋季学期起……".into(),
        starts_at,
        ends_at: starts_at + 2 * 3600,
    }
}

fn ask(group: &SiteGroup, id: i64, text: &str, contact: Option<&str>, key: Option<&str>) -> Result<i64, Error> {
    let q = NewQuestion {
        nickname: "老张".into(),
        text: text.into(),
        contact: contact.map(String::from),
        idempotency_key: key.map(String::from),
    };
    group.ask_interview_question(&o(), id, &q).map(|a| a.question)
}

fn audit_count(group: &SiteGroup, action: &str) -> usize {
    group
        .audit(&system(), &AuditQuery { limit: Some(10_000), ..Default::default() })
        .unwrap()
        .iter()
        .filter(|e| e.entry.action == action)
        .count()
}

#[test]
fn announcement_happens_once_at_the_lead_time_and_never_when_cancelled() {
    for_each_group_with_clock(|driver, group, clock| {
        setup(group);
        set_time(clock, "2025-06-02T09:00:00+08:00");
        assert_eq!(group.interview_lead_days().unwrap(), 7, "{driver}: default lead time");
        let start = "2025-06-20T10:00:00+08:00";
        let a = group.plan_interview(&centre(), &o(), &plan("a", start)).unwrap();
        let b = group.plan_interview(&centre(), &o(), &plan("b", start)).unwrap();
        group.cancel_interview(&centre(), &o(), b.id, "嘉宾临时有公务").unwrap();
        assert_eq!(a.state, InterviewState::Planned);
        let lead_begins = at(start) - 7 * 86_400;
        // The scheduler runs with the group's clock, as `spawn_interaction_tasks` does.
        let tick = |t: i64| {
            clock.set(chrono::DateTime::from_timestamp(t, 0).unwrap());
            group.announce_due_interviews(&o(), group.now()).unwrap()
        };
        assert!(tick(lead_begins - 1).is_empty(), "{driver}: too early");
        assert_eq!(tick(lead_begins), vec![a.id], "{driver}: at the lead time");
        assert!(tick(lead_begins).is_empty(), "{driver}: once");
        assert!(tick(lead_begins + 60).is_empty(), "{driver}: once");
        assert!(tick(lead_begins + 3 * 86_400).is_empty(), "{driver}: once");
        let a = group.interview_detail(&centre(), a.id).unwrap().interview;
        assert_eq!((a.state, a.announced_at), (InterviewState::Announced, Some(lead_begins)));
        let b = group.interview_detail(&centre(), b.id).unwrap().interview;
        assert_eq!((b.state, b.announced_at), (InterviewState::Cancelled, None), "{driver}: never the cancelled one");
        assert_eq!(audit_count(group, "interview.announce"), 1, "{driver}");
        // A cancelled interview that was never announced has no public page.
        assert!(matches!(group.public_interview(b.id), Err(Error::Interview(InterviewError::NotFound(_)))));

        // Two weeks ahead once the setting says so; out-of-range settings are refused.
        for bad in [6, 15] {
            let e = group.set_interview_lead_days(&centre(), &o(), bad).unwrap_err();
            assert!(matches!(e, Error::Interview(InterviewError::BadLeadTime { .. })), "{driver}: {e:?}");
        }
        assert!(matches!(group.set_interview_lead_days(&leader(), &o(), 14), Err(Error::Denied(_))));
        group.set_interview_lead_days(&centre(), &o(), 14).unwrap();
        let start = "2025-07-10T10:00:00+08:00";
        let c = group.plan_interview(&centre(), &o(), &plan("a", start)).unwrap();
        let from = at(start) - 14 * 86_400;
        assert!(tick(from - 1).is_empty());
        assert_eq!(tick(from), vec![c.id], "{driver}");
        // A plan whose time has passed is not announced after the fact.
        let late = group.plan_interview(&centre(), &o(), &plan("a", "2025-05-01T10:00:00+08:00")).unwrap();
        assert!(tick(from + 60).is_empty());
        assert_eq!(group.interview_detail(&centre(), late.id).unwrap().interview.state, InterviewState::Planned);
    });
}

#[test]
fn only_approved_questions_are_public_and_never_a_contact() {
    for_each_group(|driver, group| {
        setup(group);
        let i = group.plan_interview(&centre(), &o(), &plan("a", "2025-06-20T10:00:00+08:00")).unwrap();
        // Planned: not there for the public, nor for questions.
        assert!(matches!(group.public_interview(i.id), Err(Error::Interview(InterviewError::NotFound(_)))));
        assert!(matches!(ask(group, i.id, "问", None, None), Err(Error::Interview(InterviewError::NotFound(_)))));
        assert!(group.public_interviews().unwrap().is_empty(), "{driver}");
        group.announce_interview(&centre(), &o(), i.id).unwrap();

        let html = "<script>alert('x')</script>学区怎么划分？";
        let q1 = ask(group, i.id, html, Some("13912345678"), Some("key-1")).unwrap();
        let q2 = ask(group, i.id, "校车什么时候开通？", Some("li@example.cn"), None).unwrap();
        let q3 = ask(group, i.id, "待审核的问题", Some("13800138000"), None).unwrap();
        // A double submit gives the same question.
        let again = group
            .ask_interview_question(
                &o(),
                i.id,
                &NewQuestion { text: html.into(), idempotency_key: Some("key-1".into()), ..Default::default() },
            )
            .unwrap();
        assert!(again.replayed && again.question == q1, "{driver}");
        // Oversized and malformed questions are refused and write nothing.
        let before = group.interview_detail(&centre(), i.id).unwrap().questions.len();
        let long = "问".repeat(1_001);
        assert!(matches!(
            ask(group, i.id, &long, None, None),
            Err(Error::Interview(InterviewError::Invalid(ValidationError::TooLong { field: "question", .. })))
        ));
        assert!(matches!(
            ask(group, i.id, "问", Some("not-a-phone"), None),
            Err(Error::Interview(InterviewError::Invalid(ValidationError::Malformed { field: "contact", .. })))
        ));
        assert_eq!(group.interview_detail(&centre(), i.id).unwrap().questions.len(), before, "{driver}");

        // A citizen cannot moderate.
        assert!(matches!(group.approve_interview_question(&Actor::anonymous(), &o(), q1), Err(Error::Denied(_))));
        group.approve_interview_question(&centre(), &o(), q1).unwrap();
        group.reject_interview_question(&centre(), &o(), q2, "与访谈主题无关").unwrap();
        assert!(matches!(
            group.approve_interview_question(&centre(), &o(), q1),
            Err(Error::Interview(InterviewError::QuestionState { from: QuestionState::Approved, .. }))
        ));

        let public = group.public_interview(i.id).unwrap();
        assert_eq!(public.waiting.iter().map(|q| q.id).collect::<Vec<_>>(), vec![q1], "{driver}");
        assert_eq!(public.waiting[0].text, html, "stored as typed");
        assert!(public.transcript.is_empty(), "{driver}: no transcript before the session");
        let json = serde_json::to_string(&public).unwrap();
        for secret in
            ["13912345678", "li@example.cn", "13800138000", "校车什么时候开通", "待审核的问题", "与访谈主题无关"]
        {
            assert!(!json.contains(secret), "{driver}: {secret} leaked into {json}");
        }
        let listed = group.public_interviews().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].pending, listed[0].rejected, listed[0].approved), (0, 0, 1), "{driver}");
        // The moderators see the contacts and the pending question.
        let detail = group.interview_detail(&centre(), i.id).unwrap();
        assert!(detail.questions.iter().any(|q| q.id == q3 && q.contact.as_deref() == Some("13800138000")));
    });
}

#[test]
fn live_answers_form_an_ordered_transcript_that_the_archive_keeps() {
    for_each_group_with_clock(|driver, group, clock| {
        let (sa, _) = setup(group);
        let handler = with_role(sa, Role::Handler, "handler-a");
        let i = group.plan_interview(&centre(), &o(), &plan("a", "2025-06-20T10:00:00+08:00")).unwrap();
        assert!(matches!(
            group.start_interview(&centre(), &o(), i.id),
            Err(Error::Interview(InterviewError::IllegalTransition { from: InterviewState::Planned, .. }))
        ));
        group.announce_interview(&centre(), &o(), i.id).unwrap();
        let q1 = ask(group, i.id, "第一个问题", None, None).unwrap();
        let q2 = ask(group, i.id, "第二个问题", Some("13912345678"), None).unwrap();
        let q3 = ask(group, i.id, "没审核的问题", None, None).unwrap();
        group.approve_interview_question(&handler, &o(), q1).unwrap();
        group.approve_interview_question(&handler, &o(), q2).unwrap();
        assert!(matches!(
            group.answer_interview_question(&handler, &o(), q1, "王明", "还没开始"),
            Err(Error::Interview(InterviewError::NotLive { .. }))
        ));

        set_time(clock, "2025-06-20T10:00:00+08:00");
        group.start_interview(&handler, &o(), i.id).unwrap();
        let e1 =
            group.add_interview_remark(&handler, &o(), i.id, Speaker::Host, "", "各位网友，大家好。").unwrap().entry;
        clock.advance(chrono::Duration::minutes(5));
        let e2 = group.answer_interview_question(&handler, &o(), q2, "赵芳", "七月起开通。").unwrap();
        assert_eq!(e2.interview, i.id);
        let e2 = e2.entry;
        clock.advance(chrono::Duration::minutes(5));
        let e3 = group.add_interview_remark(&centre(), &o(), i.id, Speaker::Guest, "王明", "补充一点。").unwrap().entry;
        let e4 = group.answer_interview_question(&centre(), &o(), q1, "王明", "按片区划分。").unwrap().entry;
        assert_eq!([e1.seq, e2.seq, e3.seq, e4.seq], [1, 2, 3, 4], "{driver}");
        assert_eq!(e1.name, "李华", "{driver}: the host speaks under the host's name");
        // Refusals: twice, unapproved, someone who is not a guest.
        assert!(matches!(
            group.answer_interview_question(&handler, &o(), q1, "王明", "再答一次"),
            Err(Error::Interview(InterviewError::QuestionState { from: QuestionState::Answered, .. }))
        ));
        assert!(matches!(
            group.answer_interview_question(&handler, &o(), q3, "王明", "未审核"),
            Err(Error::Interview(InterviewError::QuestionState { from: QuestionState::Pending, .. }))
        ));
        let q4 = ask(group, i.id, "直播中提问", None, None).unwrap();
        group.approve_interview_question(&handler, &o(), q4).unwrap();
        assert!(matches!(
            group.answer_interview_question(&handler, &o(), q4, "路人", "冒充"),
            Err(Error::Interview(InterviewError::UnknownGuest(_)))
        ));
        // The live stream's view: after position 2.
        let live = group.public_interview_live(i.id, 2).unwrap();
        assert_eq!(live.state, InterviewState::Live);
        assert_eq!(live.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4], "{driver}");

        group.end_interview(&handler, &o(), i.id).unwrap();
        assert!(matches!(
            ask(group, i.id, "结束后提问", None, None),
            Err(Error::Interview(InterviewError::QuestionsClosed { state: InterviewState::Ended }))
        ));
        assert!(matches!(group.archive_interview(&handler, &o(), i.id), Err(Error::Denied(_))), "the centre archives");
        group.archive_interview(&centre(), &o(), i.id).unwrap();

        let archived = group.public_interview(i.id).unwrap();
        assert_eq!(archived.state, InterviewState::Archived);
        let said: Vec<(i64, &str, Option<&str>)> = archived
            .transcript
            .iter()
            .map(|e| (e.seq, e.text.as_str(), e.question.as_ref().map(|q| q.text.as_str())))
            .collect();
        assert_eq!(
            said,
            vec![
                (1, "各位网友，大家好。", None),
                (2, "七月起开通。", Some("第二个问题")),
                (3, "补充一点。", None),
                (4, "按片区划分。", Some("第一个问题")),
            ],
            "{driver}"
        );
        assert!(archived.transcript.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(!serde_json::to_string(&archived).unwrap().contains("13912345678"), "{driver}: no contact");
        assert!(!archived.visibility.ask && archived.visibility.transcript);
    });
}

#[test]
fn who_may_plan_moderate_and_answer() {
    for_each_group(|driver, group| {
        let (sa, sb) = setup(group);
        let handler_a = with_role(sa, Role::Handler, "handler-a");
        let handler_b = with_role(sb, Role::Handler, "handler-b");
        let editor_a = with_role(sa, Role::Editor, "editor-a");
        let new = plan("a", "2025-06-20T10:00:00+08:00");
        for who in [&handler_a, &editor_a, &leader(), &Actor::anonymous()] {
            assert!(matches!(group.plan_interview(who, &o(), &new), Err(Error::Denied(_))), "{driver}: {who:?}");
        }
        let i = group.plan_interview(&centre(), &o(), &new).unwrap();
        group.announce_interview(&centre(), &o(), i.id).unwrap();
        let q = ask(group, i.id, "问题", None, None).unwrap();
        let audits = group.audit(&system(), &AuditQuery { limit: Some(10_000), ..Default::default() }).unwrap().len();
        for who in [&handler_b, &editor_a, &leader(), &Actor::anonymous()] {
            assert!(
                matches!(group.approve_interview_question(who, &o(), q), Err(Error::Denied(_))),
                "{driver}: {who:?}"
            );
            assert!(matches!(group.start_interview(who, &o(), i.id), Err(Error::Denied(_))), "{driver}: {who:?}");
            assert!(matches!(group.interview_detail(who, i.id), Err(Error::Denied(_))), "{driver}: {who:?}");
        }
        assert!(matches!(group.interviews(&handler_b, None), Ok(list) if list.is_empty()));
        assert!(matches!(group.interviews(&editor_a, None), Err(Error::Denied(_))));
        let after = group.audit(&system(), &AuditQuery { limit: Some(10_000), ..Default::default() }).unwrap().len();
        assert_eq!(audits, after, "{driver}: a refusal writes nothing");
        // The unit's handler runs its own interview.
        group.approve_interview_question(&handler_a, &o(), q).unwrap();
        assert_eq!(group.interviews(&handler_a, Some(2025)).unwrap().len(), 1);
        assert!(group.interviews(&handler_a, Some(2024)).unwrap().is_empty());
        // The planning view is statistics: the centre and the leaders.
        assert!(group.interview_planning(&leader(), 2025).is_ok());
        assert!(matches!(group.interview_planning(&handler_a, 2025), Err(Error::Denied(_))));
    });
}

#[test]
fn a_history_session_is_imported_archived_with_its_transcript() {
    for_each_group(|driver, group| {
        setup(group);
        let starts = at("2024-11-12T09:30:00+08:00");
        let mut p = plan("b", "2024-11-12T09:30:00+08:00");
        p.ends_at = starts + 3 * 3600;
        let h = HistoryInterview {
            plan: p,
            announced_at: starts - 8 * 86_400,
            started_at: starts,
            ended_at: starts + 3 * 3600,
            questions: vec![
                HistoryQuestion {
                    nickname: "网友甲".into(),
                    text: "问一".into(),
                    asked_at: starts - 86_400,
                    answer: Some(("王明".into(), "答一".into(), starts + 600)),
                },
                HistoryQuestion {
                    nickname: "网友乙".into(), text: "不采纳".into(), asked_at: starts, answer: None
                },
            ],
            remarks: vec![HistoryRemark {
                at: starts,
                speaker: Speaker::Host,
                name: String::new(),
                text: "开场".into(),
            }],
        };
        assert!(matches!(group.import_interview_history(&leader(), &o(), &h), Err(Error::Denied(_))));
        let i = group.import_interview_history(&centre(), &o(), &h).unwrap();
        assert_eq!(i.state, InterviewState::Archived, "{driver}");
        let public = group.public_interview(i.id).unwrap();
        assert_eq!(public.transcript.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(), vec!["开场", "答一"]);
        assert_eq!(public.answered, 1);
        assert!(!serde_json::to_string(&public).unwrap().contains("不采纳"), "{driver}");
        let mut bad = h.clone();
        bad.questions[0].answer = Some(("王明".into(), "答".into(), starts + 4 * 3600));
        assert!(matches!(
            group.import_interview_history(&centre(), &o(), &bad),
            Err(Error::Interview(InterviewError::BadHistory(_)))
        ));
    });
}

fn ticket(unit: &str, received: &str, replied: Option<&str>) -> ImportTicket {
    ImportTicket {
        channel: "complaint".into(),
        unit: unit.into(),
        subject: "路灯不亮".into(),
        body: "小区路灯坏了很久。".into(),
        received_at: at(received),
        replied_at: replied.map(at),
        reply: replied.map(|_| "已修复。".to_string()),
        ..Default::default()
    }
}

/// A planning row: unit, received, overdue, overdue rate, interviews, rank.
type Line<'a> = (&'a str, u64, u64, Option<f64>, u64, usize);

/// Complaints: 5 working days. Received Mon 2025-03-03 → due Mon 2025-03-10 (end of
/// day); as of Mon 2025-06-02 09:00 (the fixture's clock).
#[test]
fn the_planning_view_ranks_units_as_computed_by_hand() {
    for_each_group(|driver, group| {
        setup(group);
        unit(group, "c", "丙局");
        unit(group, "d", "丁局");
        let lines = vec![
            // a: 4 received; late reply (03-20) and open past its deadline → 2 overdue.
            ticket("a", "2025-03-03T10:00:00+08:00", Some("2025-03-05T10:00:00+08:00")),
            ticket("a", "2025-03-04T10:00:00+08:00", Some("2025-03-06T10:00:00+08:00")),
            ticket("a", "2025-03-03T10:00:00+08:00", Some("2025-03-20T10:00:00+08:00")),
            ticket("a", "2025-03-03T10:00:00+08:00", None),
            // b: 4 received, none overdue (the open one is due after 2025-06-02).
            ticket("b", "2025-03-03T10:00:00+08:00", Some("2025-03-05T10:00:00+08:00")),
            ticket("b", "2025-04-01T10:00:00+08:00", Some("2025-04-02T10:00:00+08:00")),
            ticket("b", "2025-04-07T10:00:00+08:00", Some("2025-04-08T10:00:00+08:00")),
            ticket("b", "2025-05-30T10:00:00+08:00", None),
            // c: 2 received, both overdue; plus one of 2024, not counted in 2025.
            ticket("c", "2025-03-03T10:00:00+08:00", Some("2025-03-25T10:00:00+08:00")),
            ticket("c", "2025-03-03T10:00:00+08:00", None),
            ticket("c", "2024-11-04T10:00:00+08:00", None),
        ];
        let results = group.import_tickets_batch(&system(), &o(), &lines).unwrap();
        assert!(results.iter().all(Result::is_ok), "{driver}: {results:?}");
        group.plan_interview(&centre(), &o(), &plan("c", "2025-09-01T10:00:00+08:00")).unwrap();
        let cancelled = group.plan_interview(&centre(), &o(), &plan("a", "2025-09-02T10:00:00+08:00")).unwrap();
        group.cancel_interview(&centre(), &o(), cancelled.id, "改期").unwrap();

        let view = group.interview_planning(&centre(), 2025).unwrap();
        assert_eq!(view.as_of, at("2025-06-02T09:00:00+08:00"), "{driver}: within the year, as of now");
        let got: Vec<Line<'_>> = view
            .rows
            .iter()
            .map(|r| (r.unit.as_str(), r.received, r.overdue, r.overdue_rate, r.interviews, r.rank))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", 4, 2, Some(0.5), 0, 1),
                ("b", 4, 0, Some(0.0), 0, 2),
                ("c", 2, 2, Some(1.0), 1, 3),
                ("d", 0, 0, None, 0, 4),
            ],
            "{driver}"
        );
        let last_year = group.interview_planning(&centre(), 2024).unwrap();
        let c = last_year.rows.iter().find(|r| r.unit == "c").unwrap();
        assert_eq!((c.received, c.overdue, c.rank), (1, 1, 1), "{driver}: 2024 judged at its end");
        assert!(matches!(
            group.interview_planning(&centre(), 1999),
            Err(Error::Interview(InterviewError::Invalid(ValidationError::Malformed { field: "year", .. })))
        ));
    });
}
