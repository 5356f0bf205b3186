//! Outgoing e-mail for tickets (issue 5, urging): reminders before a deadline and
//! urgings after it go to the responsible unit's handlers, escalations to its leader,
//! and an approved answer to a writer who left an e-mail address.
//!
//! **How it flows.** The ticket steps already write outbox events (`ticket.remind`,
//! `ticket.urge`, `ticket.escalate`, `ticket.approve`); [`SiteGroup::send_ticket_mail`]
//! follows the outbox with its own cursor (consumer [`MAIL_CONSUMER`]), turns each event
//! into a [`MailNotice`] with its recipients, lets the caller word it (the portal uses
//! its message catalogue, so the text is Chinese and in one place), and hands it to a
//! [`Mailer`]. Recipients come from the interaction settings
//! (`interaction.mail.unit.{code}`, `interaction.mail.leader.{code}`); an event with no
//! configured address is skipped and counted.
//!
//! **Delivery.** At least once: the cursor moves past an event only after it was sent,
//! skipped, or refused permanently by the server (a 5xx reply: retrying cannot help, and
//! one bad address must not hold back every later mail). A transient failure (connection
//! refused, 4xx) stops the run with the cursor before that event, so the next run retries
//! it. The first run of a group starts at the outbox head: history is never mailed.
//!
//! **Never.** Mail is never sent inside a database transaction, and no writer contact
//! leaves the database except in the mail to that writer.

use std::sync::Mutex;

use serde::Serialize;
use sitegroup_core::UnitId;
use sitegroup_interaction::flow::TicketState;
use sitegroup_interaction::repo;
use sitegroup_store::core_repo;

use crate::error::Error;
use crate::group::SiteGroup;

/// The outbox consumer name of the mailer.
pub const MAIL_CONSUMER: &str = "mail";

/// Events read per batch.
const MAIL_BATCH: usize = 200;

/// One e-mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutgoingMail {
    /// Recipient addresses.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later (connection failed, the server said 4xx).
    #[error("mail delivery failed for now: {0}")]
    Transient(String),
    /// Retrying cannot help (the server refused with 5xx, an address is malformed).
    #[error("mail refused: {0}")]
    Permanent(String),
}

/// Something that delivers mail: SMTP ([`SmtpMailer`]) or, in tests and dry runs,
/// memory ([`MemoryMailer`]).
pub trait Mailer: Send + Sync {
    /// Sends one mail.
    fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}

/// Delivery over SMTP with lettre (synchronous; TLS by rustls).
pub struct SmtpMailer {
    transport: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for an SMTP URL and a sender address. URLs as lettre reads them:
    /// `smtps://user:password@mail.example.gov.cn` (TLS, port 465),
    /// `smtp://user:password@mail.example.gov.cn:587?tls=required` (STARTTLS),
    /// `smtp://127.0.0.1:25` (plain, a local relay only).
    ///
    /// ```
    /// use sitegroup::SmtpMailer;
    /// assert!(SmtpMailer::from_url("smtp://127.0.0.1:2525", "信息中心 <xxzx@example.gov.cn>").is_ok());
    /// assert!(SmtpMailer::from_url("smtp://127.0.0.1:2525", "not an address").is_err());
    /// assert!(SmtpMailer::from_url("http://x", "xxzx@example.gov.cn").is_err());
    /// ```
    pub fn from_url(url: &str, from: &str) -> Result<SmtpMailer, Error> {
        let bad = |field: &'static str, reason: String| sitegroup_core::ValidationError::Malformed { field, reason };
        let from: lettre::message::Mailbox = from.trim().parse().map_err(|e| bad("mail_from", format!("{e}")))?;
        let transport = lettre::SmtpTransport::from_url(url.trim())
            .map_err(|e| bad("smtp_url", format!("{e}")))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(SmtpMailer { transport, from })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        use lettre::Transport;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .subject(mail.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN);
        for to in &mail.to {
            let mailbox = to.parse().map_err(|e| MailError::Permanent(format!("{to}: {e}")))?;
            builder = builder.to(mailbox);
        }
        let message = builder.body(mail.body.clone()).map_err(|e| MailError::Permanent(e.to_string()))?;
        self.transport.send(&message).map(|_| ()).map_err(|e| {
            if e.is_permanent() { MailError::Permanent(e.to_string()) } else { MailError::Transient(e.to_string()) }
        })
    }
}

/// Keeps mail in memory (tests; a dry run that shows what would be sent).
#[derive(Debug, Default)]
pub struct MemoryMailer(Mutex<Vec<OutgoingMail>>);

impl MemoryMailer {
    /// Everything "sent" so far.
    pub fn sent(&self) -> Vec<OutgoingMail> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Mailer for MemoryMailer {
    fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        self.0.lock().map_err(|_| MailError::Transient("mailer lock poisoned".into()))?.push(mail.clone());
        Ok(())
    }
}

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// The deadline is near (to the unit).
    Reminder,
    /// The deadline has passed (to the unit); `n` counts the urgings.
    Urging,
    /// Urged too often: the unit's leader is told.
    Escalation,
    /// The answer was approved (to the writer).
    Answered,
}

/// One event turned into a notice, for the caller to word.
#[derive(Debug, Clone, Serialize)]
pub struct MailNotice {
    /// What it is about.
    pub kind: MailKind,
    /// Recipients.
    pub to: Vec<String>,
    /// Ticket id (for a back-office link).
    pub ticket: i64,
    /// The ticket's query code.
    pub query_code: String,
    /// The ticket's subject as typed.
    pub subject: String,
    /// The responsible unit's name.
    pub unit_name: Option<String>,
    /// The deadline, unix seconds.
    pub due_at: Option<i64>,
    /// Working days left (reminder) or the urging's number (urging, escalation).
    pub n: i64,
    /// The approved reply (answered only).
    pub reply: Option<String>,
}

/// What one run of [`SiteGroup::send_ticket_mail`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MailReport {
    /// Mails handed to the mailer successfully.
    pub sent: usize,
    /// Events with no configured address (or a writer without e-mail).
    pub no_address: usize,
    /// Mails refused permanently (skipped).
    pub refused: Vec<String>,
    /// A transient failure that stopped the run (retried next time).
    pub deferred: Option<String>,
}

impl SiteGroup {
    /// Sends the mail due for ticket events since the last run (see the module
    /// documentation for recipients and delivery); `compose` words each notice as
    /// `(subject, body)`. Returns what was done; a transient failure is reported in
    /// [`MailReport::deferred`], not as an error.
    pub fn send_ticket_mail(
        &self,
        mailer: &dyn Mailer,
        compose: &dyn Fn(&MailNotice) -> (String, String),
    ) -> Result<MailReport, Error> {
        let mut report = MailReport::default();
        if !self.db.outbox_consumers()?.iter().any(|(name, _)| name == MAIL_CONSUMER) {
            // First run: start from now; history is never mailed.
            self.db.outbox_ack(MAIL_CONSUMER, self.db.outbox_head()?)?;
            return Ok(report);
        }
        let settings = self.interaction_settings()?;
        loop {
            let events = self.db.outbox_read(MAIL_CONSUMER, MAIL_BATCH)?;
            let Some(last) = events.last().map(|e| e.seq) else { break };
            for event in &events {
                if let Some(notice) = self.notice_of(&event.kind, &event.payload, &settings)? {
                    if notice.to.is_empty() {
                        report.no_address += 1;
                    } else {
                        let (subject, body) = compose(&notice);
                        match mailer.send(&OutgoingMail { to: notice.to.clone(), subject, body }) {
                            Ok(()) => report.sent += 1,
                            Err(MailError::Permanent(why)) => report.refused.push(why),
                            Err(MailError::Transient(why)) => {
                                report.deferred = Some(why);
                                return Ok(report);
                            }
                        }
                    }
                }
                self.db.outbox_ack(MAIL_CONSUMER, event.seq)?;
            }
            if events.len() < MAIL_BATCH || last >= self.db.outbox_head()? {
                break;
            }
        }
        Ok(report)
    }

    /// The notice for one outbox event, `None` for events that send no mail.
    fn notice_of(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        settings: &sitegroup_interaction::Settings,
    ) -> Result<Option<MailNotice>, Error> {
        let mail_kind = match kind {
            "ticket.remind" => MailKind::Reminder,
            "ticket.urge" => MailKind::Urging,
            "ticket.escalate" => MailKind::Escalation,
            "ticket.approve" => MailKind::Answered,
            _ => return Ok(None),
        };
        // Urgings carry `ticket`; ticket events carry `id`.
        let id = payload.get("ticket").or_else(|| payload.get("id")).and_then(serde_json::Value::as_i64);
        let Some(id) = id else { return Ok(None) };
        let n = payload.get("n").and_then(serde_json::Value::as_i64).unwrap_or(0);
        let (ticket, units) = self.db.read(|tx| Ok::<_, Error>((repo::ticket(tx, id)?, core_repo::list_units(tx)?)))?;
        let Some(ticket) = ticket else { return Ok(None) };
        let unit = ticket.flow.unit.and_then(|u: UnitId| units.iter().find(|x| x.id == u));
        let to = match mail_kind {
            MailKind::Answered => {
                if ticket.flow.state != TicketState::Closed {
                    return Ok(None);
                }
                ticket.writer.email.iter().cloned().collect()
            }
            MailKind::Escalation => recipients(settings, "leader", unit.map(|u| u.code.as_str())),
            MailKind::Reminder | MailKind::Urging => recipients(settings, "unit", unit.map(|u| u.code.as_str())),
        };
        Ok(Some(MailNotice {
            kind: mail_kind,
            to,
            ticket: ticket.id,
            query_code: ticket.query_code.clone(),
            subject: ticket.subject.clone(),
            unit_name: unit.map(|u| u.name.clone()),
            due_at: ticket.due_at,
            n,
            reply: (mail_kind == MailKind::Answered).then(|| ticket.flow.reply.clone()).flatten(),
        }))
    }
}

fn recipients(settings: &sitegroup_interaction::Settings, role: &str, unit: Option<&str>) -> Vec<String> {
    unit.and_then(|code| settings.mail.get(&format!("{role}.{code}"))).cloned().unwrap_or_default()
}
