//! The wording of ticket e-mail (reminders, urgings, escalations to units; answers to
//! writers), from the message catalogue, for [`sitegroup::SiteGroup::send_ticket_mail`].

use sitegroup::{MailKind, MailNotice};

use crate::i18n::Catalogue;

/// `(subject, body)` of a notice in the catalogue's language; `base_url` (the portal's
/// public address, e.g. `https://www.wuwei.gov.cn`) makes the back-office link absolute.
/// Catalogue values are one line: `\n` in a mail text stands for a line break.
pub(crate) fn compose(cat: &Catalogue, base_url: &str, notice: &MailNotice) -> (String, String) {
    let key = match notice.kind {
        MailKind::Reminder => "reminder",
        MailKind::Urging => "urging",
        MailKind::Escalation => "escalation",
        MailKind::Answered => "answered",
    };
    let due = notice.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d")).unwrap_or_default();
    let args = [
        ("subject", notice.subject.as_str()),
        ("code", notice.query_code.as_str()),
        ("unit", notice.unit_name.as_deref().unwrap_or("")),
        ("due", due.as_str()),
        ("n", &notice.n.to_string()),
        ("reply", notice.reply.as_deref().unwrap_or("")),
        ("link", &format!("{}/admin/tickets/{}", base_url.trim_end_matches('/'), notice.ticket)),
    ];
    let body = cat.format(&format!("ix.mail.{key}.body"), &args).replace("\\n", "\n");
    (cat.format(&format!("ix.mail.{key}.subject"), &args), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_worded_with_every_placeholder_filled() -> Result<(), String> {
        let cat = Catalogue::for_lang("zh-CN").map_err(|e| e.to_string())?;
        for kind in [MailKind::Reminder, MailKind::Urging, MailKind::Escalation, MailKind::Answered] {
            let notice = MailNotice {
                kind,
                to: vec!["a@example.gov.cn".into()],
                ticket: 7,
                query_code: "ABCD-2345".into(),
                subject: "路灯不亮".into(),
                unit_name: Some("无为县城市管理局".into()),
                due_at: Some(1_750_000_000),
                n: 2,
                reply: Some("已修复".into()),
            };
            let (subject, body) = compose(&cat, "https://www.example.gov.cn/", &notice);
            assert!(body.contains("\n\n") && !body.contains("\\n"), "{kind:?}: line breaks: {body}");
            if kind != MailKind::Answered {
                assert!(body.contains("https://www.example.gov.cn/admin/tickets/7"), "{kind:?}: {body}");
            }
            assert!(subject.contains("路灯不亮"), "{kind:?}: {subject}");
            assert!(!subject.contains('{') && !body.contains('{'), "{kind:?}: {subject} / {body}");
            assert!(!subject.starts_with("ix.mail"), "{kind:?}: the key exists");
        }
        Ok(())
    }
}
