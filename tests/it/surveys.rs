//! Surveys (在线调查, issue 5 item 9) through the facade on both drivers: the life cycle
//! and who may do what, response validation, one response per person, the per-address
//! limit, the open period, results on a hand-computed fixture, the exports, and no raw
//! address anywhere in the database.

use sitegroup::interaction::survey::{
    Answer, Answers, NewQuestion, NewSurvey, QuestionKind, SurveyError, SurveyPhase, SurveyState,
};
use sitegroup::{Actor, Error, Grant, Origin, Role, Scope, SiteGroup, SiteId, UserId};
use sitegroup_tests::{for_each_group, for_each_group_with_clock, system, two_channels};

fn o() -> Origin {
    Origin::other("test")
}

fn web(addr: &str) -> Origin {
    Origin::web(Some(addr.to_string()))
}

fn editor(site: SiteId) -> Actor {
    Actor::user(UserId(100 + site.0), "editor", vec![Grant { role: Role::Editor, scope: Scope::Site(site) }])
}

fn reviewer(site: SiteId) -> Actor {
    Actor::user(UserId(200 + site.0), "reviewer", vec![Grant { role: Role::Reviewer, scope: Scope::Site(site) }])
}

fn citizen(id: i64) -> Actor {
    // A logged-in account without back-office grants.
    Actor::user(UserId(5000 + id), &format!("citizen{id}"), vec![])
}

fn visitor(n: u32) -> String {
    format!("{n:032x}")
}

/// The survey of the fixture: single (required), multiple (at most 2), rating 1–5
/// (required), text (optional, at most 20 characters).
fn new_survey(now: i64) -> NewSurvey {
    let mut multiple =
        NewQuestion::new(QuestionKind::Multiple, "您通过哪些渠道办事？", false, &["窗口", "网站", "手机"]);
    multiple.max_choices = Some(2);
    let mut text = NewQuestion::new(QuestionKind::Text, "其他建议", false, &[]);
    text.max_chars = Some(20);
    NewSurvey {
        title: "政务服务满意度调查".into(),
        intro: "请如实填写。".into(),
        questions: vec![
            NewQuestion::new(QuestionKind::Single, "您对办事大厅满意吗？", true, &["满意", "基本满意", "不满意"]),
            multiple,
            NewQuestion::new(QuestionKind::Rating, "整体评分", true, &[]),
            text,
        ],
        opens_at: now - 3600,
        closes_at: now + 7 * 86_400,
        results_public: true,
    }
}

fn answers(q1: u32, q2: &[u32], q3: u8, q4: Option<&str>) -> Answers {
    let mut a = Answers::default();
    a.0.insert(1, Answer::Choices(vec![q1]));
    if !q2.is_empty() {
        a.0.insert(2, Answer::Choices(q2.to_vec()));
    }
    a.0.insert(3, Answer::Rating(q3));
    if let Some(t) = q4 {
        a.0.insert(4, Answer::Text(t.into()));
    }
    a
}

/// Sites `a`, `b`; a published survey on `a`.
fn published(group: &SiteGroup) -> (SiteId, SiteId, i64) {
    let (_, a, b) = two_channels(group);
    let s = group.create_survey(&editor(a.id), &o(), a.id, &new_survey(group.now())).unwrap();
    group.publish_survey(&reviewer(a.id), &o(), s.id).unwrap();
    (a.id, b.id, s.id)
}

fn count(group: &SiteGroup, sql: &str) -> i64 {
    group.db().read(|tx| tx.query_one(sql, &[])?.get(0)).unwrap()
}

#[test]
fn life_cycle_and_who_may_do_what() {
    for_each_group(|driver, group| {
        let (_, a, b) = two_channels(group);
        let new = new_survey(group.now());
        assert!(
            matches!(group.create_survey(&Actor::anonymous(), &o(), a.id, &new), Err(Error::Denied(_))),
            "{driver}"
        );
        assert!(matches!(group.create_survey(&editor(b.id), &o(), a.id, &new), Err(Error::Denied(_))), "{driver}");
        let s = group.create_survey(&editor(a.id), &o(), a.id, &new).unwrap();
        assert_eq!(s.state, SurveyState::Draft);
        assert_eq!(s.questions.len(), 4);
        // A draft is not public and takes no response.
        assert!(matches!(group.public_survey(s.id), Err(Error::Survey(SurveyError::NotFound(_)))), "{driver}");
        assert!(group.public_surveys().unwrap().is_empty());
        // Editors edit drafts; only reviewers publish.
        let mut changed = new.clone();
        changed.title = "政务服务满意度调查（修订）".into();
        let s = group.update_survey(&editor(a.id), &o(), s.id, &changed).unwrap();
        assert_eq!(s.title, "政务服务满意度调查（修订）");
        assert!(matches!(group.publish_survey(&editor(a.id), &o(), s.id), Err(Error::Denied(_))), "{driver}");
        let s = group.publish_survey(&reviewer(a.id), &o(), s.id).unwrap();
        assert_eq!(s.state, SurveyState::Published);
        assert_eq!(s.phase(group.now()), SurveyPhase::Open);
        // Questions no longer change.
        assert!(matches!(
            group.update_survey(&editor(a.id), &o(), s.id, &new),
            Err(Error::Survey(SurveyError::IllegalState { .. }))
        ));
        // Back office: the site's editor sees it, the other site's does not; exports too.
        assert_eq!(group.surveys_admin(&editor(a.id)).unwrap().len(), 1);
        assert!(group.surveys_admin(&editor(b.id)).unwrap().is_empty());
        assert!(matches!(group.survey_results(&editor(b.id), s.id), Err(Error::Denied(_))));
        assert!(matches!(group.survey_csv(&citizen(1), s.id), Err(Error::Denied(_))));
        assert!(matches!(group.surveys_admin(&Actor::anonymous()), Err(Error::Denied(_))));
        // Every write left one audit entry and one event.
        let events = count(group, "SELECT COUNT(*) FROM outbox WHERE kind LIKE 'survey.%'");
        assert_eq!(events, 3, "{driver}: create, update, publish");
        // Closing ends the period now.
        let closed = group.close_survey(&reviewer(a.id), &o(), s.id).unwrap();
        assert_eq!(closed.state, SurveyState::Closed);
        assert!(closed.closes_at <= group.now());
        assert!(group.close_survey(&reviewer(a.id), &o(), s.id).is_err());
    });
}

#[test]
fn bad_responses_are_refused_and_nothing_is_written() {
    for_each_group(|driver, group| {
        let (_, _, id) = published(group);
        let before = count(group, "SELECT COUNT(*) FROM audit_log");
        let submit =
            |a: &Answers| group.submit_survey_response(&Actor::anonymous(), &web("10.0.0.1"), id, Some(&visitor(1)), a);
        // Missing required (question 3).
        let mut a = answers(1, &[], 3, None);
        a.0.remove(&3);
        assert!(matches!(submit(&a), Err(Error::Survey(SurveyError::MissingAnswer { question: 3 }))), "{driver}");
        // Unknown option.
        assert!(matches!(
            submit(&answers(9, &[], 3, None)),
            Err(Error::Survey(SurveyError::UnknownOption { question: 1, .. }))
        ));
        // Too many choices (at most 2).
        assert!(matches!(
            submit(&answers(1, &[1, 2, 3], 3, None)),
            Err(Error::Survey(SurveyError::TooManyChoices { question: 2, count: 3, max: 2 }))
        ));
        // Rating out of range.
        assert!(matches!(
            submit(&answers(1, &[], 6, None)),
            Err(Error::Survey(SurveyError::RatingOutOfRange { question: 3, .. }))
        ));
        // Oversized free text.
        assert!(matches!(
            submit(&answers(1, &[], 3, Some(&"长".repeat(21)))),
            Err(Error::Survey(SurveyError::TextTooLong { question: 4, len: 21, max: 20 }))
        ));
        // No respondent (no account, no visitor id; or a forged one).
        assert!(matches!(
            group.submit_survey_response(&Actor::anonymous(), &o(), id, None, &answers(1, &[], 3, None)),
            Err(Error::Survey(SurveyError::NoRespondent))
        ));
        assert!(matches!(
            group.submit_survey_response(&Actor::anonymous(), &o(), id, Some("../x"), &answers(1, &[], 3, None)),
            Err(Error::Survey(SurveyError::NoRespondent))
        ));
        assert_eq!(count(group, "SELECT COUNT(*) FROM survey_responses"), 0, "{driver}");
        assert_eq!(count(group, "SELECT responses FROM surveys"), 0);
        assert_eq!(count(group, "SELECT COUNT(*) FROM audit_log"), before, "{driver}: no audit entry either");
        // HTML in free text is kept as typed (the portal escapes it).
        submit(&answers(1, &[], 3, Some("<b>多设窗口</b>"))).unwrap();
        let r = group.survey_results(&system(), id).unwrap();
        assert_eq!(r.questions[3].texts[0].text, "<b>多设窗口</b>");
    });
}

#[test]
fn one_response_per_person() {
    for_each_group(|driver, group| {
        let (_, _, id) = published(group);
        let a = answers(1, &[2], 4, None);
        // A visitor, twice (a double submit, or the same cookie a day later): refused.
        group.submit_survey_response(&Actor::anonymous(), &web("10.0.0.1"), id, Some(&visitor(7)), &a).unwrap();
        let again = group.submit_survey_response(&Actor::anonymous(), &web("10.0.0.2"), id, Some(&visitor(7)), &a);
        assert!(matches!(again, Err(Error::Survey(SurveyError::AlreadyResponded))), "{driver}: {again:?}");
        // Upper-case hex is the same visitor.
        let upper = visitor(7).to_ascii_uppercase();
        assert!(group.submit_survey_response(&Actor::anonymous(), &web("10.0.0.3"), id, Some(&upper), &a).is_err());
        // An account, even with a fresh cookie: refused the second time.
        group.submit_survey_response(&citizen(1), &web("10.0.0.1"), id, Some(&visitor(8)), &a).unwrap();
        let again = group.submit_survey_response(&citizen(1), &web("10.0.0.9"), id, Some(&visitor(9)), &a);
        assert!(matches!(again, Err(Error::Survey(SurveyError::AlreadyResponded))), "{driver}");
        assert_eq!(count(group, "SELECT COUNT(*) FROM survey_responses"), 2, "{driver}");
        assert_eq!(count(group, "SELECT responses FROM surveys"), 2, "{driver}: the counter rolled back too");
        assert_eq!(count(group, "SELECT COUNT(*) FROM outbox WHERE kind = 'survey.respond'"), 2);
    });
}

#[test]
fn concurrent_double_submits_store_one_response() {
    for_each_group(|driver, group| {
        let (_, _, id) = published(group);
        let a = answers(2, &[1], 5, None);
        let ok = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for t in 0..6 {
                let (a, ok) = (&a, &ok);
                scope.spawn(move || {
                    let addr = format!("10.1.0.{t}");
                    match group.submit_survey_response(&Actor::anonymous(), &web(&addr), id, Some(&visitor(42)), a) {
                        Ok(_) => {
                            ok.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        Err(Error::Survey(SurveyError::AlreadyResponded)) => {}
                        Err(e) => panic!("{driver}: {e}"),
                    }
                });
            }
        });
        assert_eq!(ok.into_inner(), 1, "{driver}");
        assert_eq!(count(group, "SELECT COUNT(*) FROM survey_responses"), 1, "{driver}");
    });
}

#[test]
fn responses_per_address_are_limited() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, _, id) = published(group);
        group.set_survey_setting(&system(), &o(), "survey.address_limit", "3").unwrap();
        let a = answers(1, &[], 3, None);
        let submit = |n: u32, addr: &str| {
            group.submit_survey_response(&Actor::anonymous(), &web(addr), id, Some(&visitor(n)), &a)
        };
        for n in 0..3 {
            submit(n, "192.0.2.10").unwrap();
        }
        let fourth = submit(3, "192.0.2.10");
        assert!(
            matches!(fourth, Err(Error::Survey(SurveyError::Throttled { max: 3, minutes: 60 }))),
            "{driver}: {fourth:?}"
        );
        // Another address is not limited; after the window the first one is free again.
        submit(4, "192.0.2.11").unwrap();
        clock.advance(chrono::Duration::minutes(61));
        submit(5, "192.0.2.10").unwrap();
        assert_eq!(count(group, "SELECT COUNT(*) FROM survey_responses"), 5, "{driver}");
        assert!(group.set_survey_setting(&system(), &o(), "survey.address_limit", "0").is_err());
        assert!(group.set_survey_setting(&system(), &o(), "survey.salt", "x").is_err());
        assert!(matches!(
            group.set_survey_setting(&citizen(1), &o(), "survey.address_limit", "9"),
            Err(Error::Denied(_))
        ));
    });
}

#[test]
fn a_concurrent_burst_from_one_address_stores_at_most_the_limit() {
    for_each_group(|driver, group| {
        let (_, _, id) = published(group);
        group.set_survey_setting(&system(), &o(), "survey.address_limit", "3").unwrap();
        let a = answers(1, &[], 3, None);
        std::thread::scope(|scope| {
            for t in 0..8u32 {
                let a = &a;
                scope.spawn(move || {
                    let r = group.submit_survey_response(
                        &Actor::anonymous(),
                        &web("192.0.2.99"),
                        id,
                        Some(&visitor(300 + t)),
                        a,
                    );
                    assert!(matches!(r, Ok(_) | Err(Error::Survey(SurveyError::Throttled { .. }))), "{driver}: {r:?}");
                });
            }
        });
        assert_eq!(count(group, "SELECT COUNT(*) FROM survey_responses"), 3, "{driver}");
        assert_eq!(count(group, "SELECT responses FROM surveys"), 3, "{driver}");
    });
}

#[test]
fn responses_outside_the_open_period_are_refused() {
    for_each_group_with_clock(|driver, group, clock| {
        let (_, a, _) = two_channels(group);
        let now = group.now();
        let mut new = new_survey(now);
        new.opens_at = now + 86_400;
        new.closes_at = now + 2 * 86_400;
        let s = group.create_survey(&system(), &o(), a.id, &new).unwrap();
        let good = answers(1, &[], 3, None);
        let submit = |n: u32| {
            group.submit_survey_response(&Actor::anonymous(), &web("10.0.0.1"), s.id, Some(&visitor(n)), &good)
        };
        // Draft: not found by the public.
        assert!(matches!(submit(1), Err(Error::Survey(SurveyError::NotFound(_)))), "{driver}");
        group.publish_survey(&system(), &o(), s.id).unwrap();
        assert!(matches!(submit(1), Err(Error::Survey(SurveyError::NotOpen { phase: SurveyPhase::Upcoming }))));
        clock.advance(chrono::Duration::days(1));
        submit(1).unwrap();
        clock.advance(chrono::Duration::days(1));
        assert!(matches!(submit(2), Err(Error::Survey(SurveyError::NotOpen { phase: SurveyPhase::Closed }))));
        // Closed early by a reviewer.
        let s2 = group.create_survey(&system(), &o(), a.id, &new_survey(group.now())).unwrap();
        group.publish_survey(&system(), &o(), s2.id).unwrap();
        group.close_survey(&system(), &o(), s2.id).unwrap();
        let late = group.submit_survey_response(&Actor::anonymous(), &o(), s2.id, Some(&visitor(3)), &good);
        assert!(matches!(late, Err(Error::Survey(SurveyError::NotOpen { phase: SurveyPhase::Closed }))), "{driver}");
        assert_eq!(count(group, "SELECT COUNT(*) FROM survey_responses"), 1, "{driver}");
        // A paper questionnaire is dated within the period.
        let outside = group.record_survey_response(&editor(a.id), &o(), s.id, &good, group.now());
        assert!(matches!(outside, Err(Error::Survey(SurveyError::OutsidePeriod))));
        group.record_survey_response(&editor(a.id), &o(), s.id, &good, s.opens_at + 60).unwrap();
        assert_eq!(group.survey_admin(&editor(a.id), s.id).unwrap().responses, 2);
    });
}

#[test]
fn results_on_a_hand_computed_fixture_and_the_exports() {
    for_each_group(|driver, group| {
        let (a, _, id) = published(group);
        let fixture = [
            answers(1, &[1, 2], 5, Some("多设窗口")),
            answers(1, &[2], 4, None),
            answers(2, &[], 3, Some("=1+1")),
            answers(3, &[2, 3], 1, None),
            answers(1, &[1], 5, Some("延长时间")),
        ];
        for (n, a) in fixture.iter().enumerate() {
            let addr = format!("10.2.0.{n}");
            group
                .submit_survey_response(&Actor::anonymous(), &web(&addr), id, Some(&visitor(100 + n as u32)), a)
                .unwrap();
        }
        let r = group.survey_results(&editor(a), id).unwrap();
        assert_eq!(r.responses, 5, "{driver}");
        // By hand: Q1 满意 3 / 基本满意 1 / 不满意 1 of 5.
        assert_eq!(r.questions[0].options.iter().map(|o| o.count).collect::<Vec<_>>(), vec![3, 1, 1]);
        // Q2 answered by 4: 窗口 2, 网站 3, 手机 1 (75 % chose 网站).
        assert_eq!(r.questions[1].answered, 4);
        assert_eq!(r.questions[1].options.iter().map(|o| o.count).collect::<Vec<_>>(), vec![2, 3, 1]);
        assert!((r.questions[1].options[1].share - 0.75).abs() < 1e-9);
        // Q3: (5 + 4 + 3 + 1 + 5) / 5 = 3.6; one 1, one 3, one 4, two 5s.
        let rating = r.questions[2].rating.as_ref().unwrap();
        assert!((rating.mean.unwrap() - 3.6).abs() < 1e-9);
        assert_eq!(rating.distribution, vec![1, 0, 1, 1, 2]);
        // Q4: three texts, for the back office only.
        assert_eq!(r.questions[3].texts.len(), 3);
        let (_, public) = group.public_survey_results(id).unwrap();
        assert_eq!(public.questions[3].answered, 3);
        assert!(public.questions[3].texts.is_empty(), "{driver}: free text is never public");

        // CSV: parse it back.
        let csv = group.survey_csv(&editor(a), id).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let lines = parse_csv(&text);
        assert_eq!(lines.len(), 6, "{driver}: header + 5 rows");
        assert_eq!(lines[0][0], "答卷编号");
        assert_eq!(lines[0][2], "1. 您对办事大厅满意吗？");
        assert_eq!(lines[1][2], "满意");
        assert_eq!(lines[1][3], "窗口；网站");
        assert_eq!(lines[1][4], "5");
        assert_eq!(lines[3][5], "'=1+1", "a formula is neutralised");
        // xlsx: a zip holding the workbook and both sheets.
        let xlsx = group.survey_xlsx(&editor(a), id).unwrap();
        assert_eq!(&xlsx[..4], b"PK\x03\x04");
        let names = String::from_utf8_lossy(&xlsx);
        assert!(names.contains("xl/workbook.xml") && names.contains("xl/worksheets/sheet2.xml"), "{driver}");
        // Hidden results are refused to the public.
        let mut hidden = new_survey(group.now());
        hidden.results_public = false;
        let h = group.create_survey(&system(), &o(), a, &hidden).unwrap();
        group.publish_survey(&system(), &o(), h.id).unwrap();
        assert!(matches!(group.public_survey_results(h.id), Err(Error::Survey(SurveyError::ResultsNotPublic(_)))));
    });
}

/// A small RFC 4180 reader for the test (quoted fields, doubled quotes, CRLF or LF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn no_raw_address_in_stored_rows() {
    for_each_group(|driver, group| {
        let (_, _, id) = published(group);
        let ip = "203.0.113.77";
        group
            .submit_survey_response(
                &Actor::anonymous(),
                &web(ip),
                id,
                Some(&visitor(5)),
                &answers(1, &[], 2, Some("好")),
            )
            .unwrap();
        group.submit_survey_response(&citizen(3), &web("2001:db8::1"), id, None, &answers(2, &[], 2, None)).unwrap();
        let tables = ["survey_responses", "surveys", "audit_log", "outbox", "settings"];
        for table in tables {
            let rows = group.db().read(|tx| tx.query(&format!("SELECT * FROM {table}"), &[])).unwrap();
            for row in rows {
                for v in row.values() {
                    if let sitegroup::store::Value::Text(t) = v {
                        assert!(!t.contains(ip) && !t.contains("2001:db8::1"), "{driver}: raw address in {table}: {t}");
                        assert!(!t.contains(&visitor(5)), "{driver}: raw visitor id in {table}");
                        assert!(!t.contains("user:5003"), "{driver}: raw account key in {table}");
                    }
                }
            }
        }
        let hashes: Vec<String> = group
            .db()
            .read(|tx| {
                tx.query("SELECT respondent_hash, address_hash FROM survey_responses", &[])?
                    .iter()
                    .map(|r| Ok(format!("{}{}", r.get::<String>(0)?, r.get::<String>(1)?)))
                    .collect::<Result<Vec<_>, sitegroup::store::StoreError>>()
            })
            .unwrap();
        assert!(hashes.iter().all(|h| h.len() == 128 && h.bytes().all(|b| b.is_ascii_hexdigit())), "{driver}");
    });
}
