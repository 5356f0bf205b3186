//! Ticket e-mail (issue 5, urging): reminders, urgings and escalations reach the
//! addresses configured per unit, an approved answer reaches a writer who left an
//! address; delivered through lettre to a real (fake) SMTP server on a local socket;
//! at least once, a permanent refusal skipped, a transient failure retried.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use sitegroup::interaction::flow::Command;
use sitegroup::interaction::model::{NewTicket, Writer};
use sitegroup::{Actor, Grant, MailNotice, MemoryMailer, NewSite, Role, Scope, SiteGroup, SiteId, SmtpMailer, UserId};
use sitegroup_tests::{at, centre, test_origin as o};
use sitegroup_tests::{for_each_group_with_clock, system, unit};

fn setup(group: &SiteGroup) -> SiteId {
    let ua = unit(group, "a", "甲局");
    unit(group, "b", "乙局");
    let portal = sitegroup_tests::site(group, "portal", "portal", None, None).id;
    group
        .add_site(
            &system(),
            &o(),
            &NewSite {
                code: "site-a".into(),
                name: "甲局网站".into(),
                kind: "department".into(),
                unit: Some(ua.id),
                parent: Some(portal),
                path_prefix: Some("/a".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .id
}

fn compose(n: &MailNotice) -> (String, String) {
    (
        format!("{:?} {}", n.kind, n.subject),
        format!("{} {:?} {}", n.query_code, n.unit_name, n.reply.as_deref().unwrap_or("")),
    )
}

fn complaint(unit: &str, subject: &str, email: Option<&str>) -> NewTicket {
    NewTicket {
        channel: "complaint".into(),
        unit: Some(unit.into()),
        subject: subject.into(),
        body: "路灯不亮".into(),
        writer: Writer {
            name: Some("张三".into()), phone: Some("13800138000".into()), email: email.map(String::from)
        },
        ..Default::default()
    }
}

#[test]
fn reminders_urgings_escalations_and_answers_reach_their_addresses() {
    for_each_group_with_clock(|_, group, clock| {
        let site = setup(group);
        let (ua, ub) = (group.unit("a").unwrap().id, group.unit("b").unwrap().id);
        let mailer = MemoryMailer::default();
        assert!(
            group.set_interaction_setting(&centre(), &o(), "interaction.mail.unit.a", "not-an-address").is_err(),
            "a malformed address is refused"
        );
        group
            .set_interaction_setting(&centre(), &o(), "interaction.mail.unit.a", "a@example.gov.cn, a2@example.gov.cn")
            .unwrap();
        group.set_interaction_setting(&centre(), &o(), "interaction.mail.leader.a", "boss@example.gov.cn").unwrap();

        // An old urging before the mailer ever ran is history: never mailed.
        clock.set(chrono::DateTime::parse_from_rfc3339("2025-06-03T09:00:00+08:00").unwrap().into());
        let old = group.submit_ticket(&o(), &complaint("a", "旧信", None)).unwrap().ticket;
        group.ticket_step(&centre(), &o(), old.id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
        group.urge_due(&o(), at("2025-06-09T09:00:00+08:00")).unwrap();
        let first = group.send_ticket_mail(&mailer, &compose).unwrap();
        assert_eq!((first.sent, mailer.sent().len()), (0, 0), "the first run starts at the head");

        // A new complaint to a (with addresses) and one to b (none).
        clock.set(chrono::DateTime::parse_from_rfc3339("2025-06-16T09:00:00+08:00").unwrap().into()); // due Mon 06-23
        let t = group.submit_ticket(&o(), &complaint("a", "噪音扰民", Some("writer@example.com"))).unwrap().ticket;
        group.ticket_step(&centre(), &o(), t.id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
        let tb = group.submit_ticket(&o(), &complaint("b", "乙局来信", None)).unwrap().ticket;
        group.ticket_step(&centre(), &o(), tb.id, Command::Accept { unit: Some(ub), urgent: false }).unwrap();
        // Close the old one so it stops being urged.
        group.ticket_step(&handler(site), &o(), old.id, Command::Reply { text: "已处理".into() }).unwrap();
        group.ticket_step(&centre(), &o(), old.id, Command::Approve).unwrap();

        group.urge_due(&o(), at("2025-06-20T09:00:00+08:00")).unwrap(); // reminders
        for day in ["2025-06-24", "2025-06-25", "2025-06-26"] {
            group.urge_due(&o(), at(&format!("{day}T09:00:00+08:00"))).unwrap();
        }
        let report = group.send_ticket_mail(&mailer, &compose).unwrap();
        let sent = mailer.sent();
        let to_unit: Vec<_> = sent.iter().filter(|m| m.to == ["a@example.gov.cn", "a2@example.gov.cn"]).collect();
        assert_eq!(to_unit.len(), 4, "a reminder and three urgings: {sent:?}");
        assert!(to_unit[0].subject.starts_with("Reminder 噪音扰民"));
        assert!(to_unit[1..].iter().all(|m| m.subject.starts_with("Urging 噪音扰民")));
        let to_leader: Vec<_> = sent.iter().filter(|m| m.to == ["boss@example.gov.cn"]).collect();
        assert_eq!(to_leader.len(), 1, "one escalation");
        assert!(to_leader[0].subject.starts_with("Escalation"));
        assert_eq!(
            report.no_address, 6,
            "b's reminder, urgings and escalation, and the old letter's writer left no address"
        );
        assert_eq!(report.sent, 5);
        assert!(sent.iter().all(|m| !m.body.contains("13800138000")), "no writer contact in unit mail");

        // The answer reaches the writer; running again sends nothing twice.
        group.ticket_step(&handler(site), &o(), t.id, Command::Reply { text: "已责令整改".into() }).unwrap();
        group.ticket_step(&centre(), &o(), t.id, Command::Approve).unwrap();
        let again = group.send_ticket_mail(&mailer, &compose).unwrap();
        assert_eq!(again.sent, 1);
        let last = mailer.sent().pop().unwrap();
        assert_eq!(last.to, ["writer@example.com"]);
        assert!(last.subject.starts_with("Answered") && last.body.contains("已责令整改"));
        assert_eq!(group.send_ticket_mail(&mailer, &compose).unwrap().sent, 0, "at most once per event on success");
    });
}

fn handler(site: SiteId) -> Actor {
    Actor::user(UserId(950), "handler", vec![Grant { role: Role::Handler, scope: Scope::Site(site) }])
}

/// A minimal SMTP server: accepts connections one after the other, refuses `RCPT` to
/// addresses starting with `bad` with 550, records every message's DATA.
fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = serve(stream, &store);
        }
    });
    (port, received)
}

fn serve(stream: TcpStream, store: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 fake ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            out.write_all(b"250-fake\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("RCPT TO:<BAD") {
            out.write_all(b"550 no such mailbox\r\n")?;
        } else if upper.starts_with("DATA") {
            out.write_all(b"354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            store.lock().unwrap().push(data);
            out.write_all(b"250 queued\r\n")?;
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"250 ok\r\n")?;
        }
    }
}

#[test]
fn smtp_delivery_skips_permanent_refusals_and_retries_transient_failures() {
    for_each_group_with_clock(|_, group, clock| {
        setup(group);
        let ua = group.unit("a").unwrap().id;
        group.set_interaction_setting(&centre(), &o(), "interaction.mail.unit.a", "bad@example.gov.cn").unwrap();
        group.set_interaction_setting(&centre(), &o(), "interaction.mail.leader.a", "boss@example.gov.cn").unwrap();
        let memory = MemoryMailer::default();
        group.send_ticket_mail(&memory, &compose).unwrap(); // start at the head

        // Nobody listens on this port: transient, the cursor stays.
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let dead_port = closed.local_addr().unwrap().port();
        drop(closed);
        clock.set(chrono::DateTime::parse_from_rfc3339("2025-06-16T09:00:00+08:00").unwrap().into());
        let t = group.submit_ticket(&o(), &complaint("a", "路灯", None)).unwrap().ticket;
        group.ticket_step(&centre(), &o(), t.id, Command::Accept { unit: Some(ua), urgent: false }).unwrap();
        for day in ["2025-06-24", "2025-06-25", "2025-06-26"] {
            group.urge_due(&o(), at(&format!("{day}T09:00:00+08:00"))).unwrap();
        }
        let dead =
            SmtpMailer::from_url(&format!("smtp://127.0.0.1:{dead_port}"), "信息中心 <xxzx@example.gov.cn>").unwrap();
        let r = group.send_ticket_mail(&dead, &compose).unwrap();
        assert!(r.deferred.is_some() && r.sent == 0, "{r:?}");

        // A real SMTP conversation: the unit's address is refused (550) and skipped, the
        // leader's escalation is delivered.
        let (port, received) = fake_smtp();
        let live = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}"), "信息中心 <xxzx@example.gov.cn>").unwrap();
        let r = group.send_ticket_mail(&live, &compose).unwrap();
        assert_eq!((r.sent, r.refused.len(), r.deferred.clone()), (1, 3, None), "{r:?}");
        let got = received.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("boss@example.gov.cn"), "{}", got[0]);
        assert!(got[0].contains("Subject:"), "{}", got[0]);
        assert_eq!(group.send_ticket_mail(&live, &compose).unwrap().sent, 0);
    });
}
