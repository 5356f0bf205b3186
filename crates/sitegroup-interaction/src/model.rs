//! The ticket model: channels, writers, new tickets and their validation, settings.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use sitegroup_core::{UnitId, ValidationError};

use crate::disclosure::ApplicantKind;
use crate::flow::{Flow, TicketState};

/// Largest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Default largest body, in characters (setting `interaction.max_body_chars`).
pub const MAX_BODY_CHARS: usize = 10_000;
/// Largest reply, note or reason, in characters.
pub const MAX_NOTE_CHARS: usize = 20_000;
/// Most attachments per ticket.
pub const MAX_ATTACHMENTS: usize = 10;

/// 渠道 (channel): where a ticket came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 县长信箱 (the county head's mailbox): addressed to a leader, forwarded in batches.
    Mailbox,
    /// 部门信箱 (a unit's mailbox).
    UnitMailbox,
    /// 服务投诉 (service complaint).
    Complaint,
    /// 论坛 (a forum thread addressed to a unit).
    Forum,
    /// 依申请公开 (a disclosure request under the Regulations on Open Government Information).
    Disclosure,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] =
        [Channel::Mailbox, Channel::UnitMailbox, Channel::Complaint, Channel::Forum, Channel::Disclosure];

    /// Stable name (`mailbox`, `unit_mailbox`, `complaint`, `forum`, `disclosure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mailbox => "mailbox",
            Channel::UnitMailbox => "unit_mailbox",
            Channel::Complaint => "complaint",
            Channel::Forum => "forum",
            Channel::Disclosure => "disclosure",
        }
    }

    /// Parses [`Channel::as_str`]'s output (also `-` for `_`).
    pub fn parse(s: &str) -> Option<Channel> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether a writer may stay anonymous: forum threads and complaints; letters to a
    /// leader or a unit and disclosure requests need a name and a contact.
    pub fn allows_anonymous(self) -> bool {
        matches!(self, Channel::Forum | Channel::Complaint)
    }

    /// Default working days to answer (the seed's 5; disclosure 20 by the regulation).
    pub fn default_days(self) -> u32 {
        match self {
            Channel::Disclosure => 20,
            _ => 5,
        }
    }
}

/// The writer (来信人) of a ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writer {
    /// Name, if given.
    pub name: Option<String>,
    /// Mobile or landline number, if given.
    pub phone: Option<String>,
    /// E-mail address, if given.
    pub email: Option<String>,
}

impl Writer {
    /// True when neither a name nor a contact is given.
    pub fn is_anonymous(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

/// A ticket as a writer submits it (the portal's form or an integrator's call).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// The channel (`mailbox` …), as typed.
    pub channel: String,
    /// 类别 (category): free, short (`咨询`, `投诉`, `建议` …); deadlines may be set per category.
    pub category: String,
    /// Code of the unit addressed (all channels but the county head's mailbox).
    pub unit: Option<String>,
    /// The leader addressed (county head's mailbox), e.g. `县长`.
    pub leader: Option<String>,
    /// Who writes.
    pub writer: Writer,
    /// 标题.
    pub subject: String,
    /// 内容: plain text, stored as typed (escaped on output).
    pub body: String,
    /// Keys of attachments already stored in the file store.
    pub attachments: Vec<String>,
    /// The writer asks that the letter not be published.
    pub private: bool,
    /// Urgent: a mailbox letter is forwarded at once instead of in the next batch.
    pub urgent: bool,
    /// A key from the form so a double submit gives one ticket.
    pub idempotency_key: Option<String>,
    /// 申请人类型 of a disclosure request, as typed (an [`ApplicantKind`] code such as
    /// `natural_person`). Required on the `disclosure` channel; ignored on the others.
    #[serde(default)]
    pub applicant: Option<String>,
}

/// A [`NewTicket`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTicket {
    /// The channel.
    pub channel: Channel,
    /// The category (trimmed; may be empty).
    pub category: String,
    /// The unit's code (lowercase), if addressed to a unit.
    pub unit_code: Option<String>,
    /// The leader addressed.
    pub leader: Option<String>,
    /// The writer, trimmed.
    pub writer: Writer,
    /// Subject, trimmed.
    pub subject: String,
    /// Body, as typed (only checked for emptiness and size).
    pub body: String,
    /// Attachment keys.
    pub attachments: Vec<String>,
    /// Keep private.
    pub private: bool,
    /// Urgent.
    pub urgent: bool,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
    /// The applicant kind: `Some` exactly for disclosure requests.
    pub applicant: Option<ApplicantKind>,
}

fn malformed(field: &'static str, reason: &str) -> ValidationError {
    ValidationError::Malformed { field, reason: reason.into() }
}

/// Whether `s` is a plausible phone number: a mainland mobile (11 digits from `1[3-9]`),
/// or a landline `0AAA-NNNNNNN` (area code 3–4 digits with the 0, number 7–8 digits,
/// optional extension `-NNNN`); spaces and hyphens between groups are allowed.
pub fn valid_phone(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') {
        return false;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let b = digits.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return true;
    }
    // Landline: starts with 0; area code + number = 10–12 digits, plus an extension.
    let groups: Vec<&str> = s.split(['-', ' ']).filter(|g| !g.is_empty()).collect();
    match groups.as_slice() {
        [area, number] | [area, number, _] if area.starts_with('0') => {
            (3..=4).contains(&area.len()) && (7..=8).contains(&number.len())
        }
        [one] if one.starts_with('0') => (10..=12).contains(&one.len()),
        [number] => (7..=8).contains(&number.len()),
        _ => false,
    }
}

/// Whether `s` is a plausible e-mail address: `local@domain.tld`, ASCII, no spaces.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    if s.len() > 254 || !s.is_ascii() || s.contains(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn opt(field: &'static str, v: Option<&str>, max: usize) -> Result<Option<String>, ValidationError> {
    sitegroup_core::error::optional_text(field, v, max)
}

impl NewTicket {
    /// Checks and normalises: known channel; subject 1–200 characters; body non-empty
    /// and at most `max_body` characters (kept as typed); a valid phone and e-mail when
    /// given; a name and a contact unless the channel allows anonymity; a unit code
    /// except for the county head's mailbox (which needs a leader); at most 10
    /// attachments.
    pub fn validate(&self, max_body: usize) -> Result<ValidTicket, ValidationError> {
        let channel = Channel::parse(&self.channel).ok_or_else(|| malformed("channel", "unknown channel"))?;
        let category = self.category.trim().to_string();
        if category.chars().count() > 40 {
            return Err(ValidationError::TooLong { field: "category", len: category.chars().count(), max: 40 });
        }
        let subject = sitegroup_core::error::required_text("subject", &self.subject, MAX_SUBJECT_CHARS)?;
        if self.body.trim().is_empty() {
            return Err(ValidationError::Empty { field: "body" });
        }
        let len = self.body.chars().count();
        if len > max_body {
            return Err(ValidationError::TooLong { field: "body", len, max: max_body });
        }
        if self.body.contains('\0') {
            return Err(malformed("body", "contains a NUL character"));
        }
        let writer = Writer {
            name: opt("writer name", self.writer.name.as_deref(), 50)?,
            phone: opt("phone", self.writer.phone.as_deref(), 30)?,
            email: opt("e-mail", self.writer.email.as_deref(), 254)?,
        };
        if let Some(p) = &writer.phone
            && !valid_phone(p)
        {
            return Err(malformed("phone", "not a mobile or landline number"));
        }
        if let Some(e) = &writer.email
            && !valid_email(e)
        {
            return Err(malformed("e-mail", "not an e-mail address"));
        }
        if !channel.allows_anonymous() {
            if writer.name.is_none() {
                return Err(ValidationError::Empty { field: "writer name" });
            }
            if writer.phone.is_none() && writer.email.is_none() {
                return Err(ValidationError::Empty { field: "phone or e-mail" });
            }
        }
        let unit_code = opt("unit", self.unit.as_deref(), 64)?.map(|u| u.to_ascii_lowercase());
        let leader = opt("leader", self.leader.as_deref(), 50)?;
        match channel {
            Channel::Mailbox if leader.is_none() => return Err(ValidationError::Empty { field: "leader" }),
            Channel::Mailbox => {}
            _ if unit_code.is_none() => return Err(ValidationError::Empty { field: "unit" }),
            _ => {}
        }
        if self.attachments.len() > MAX_ATTACHMENTS {
            return Err(ValidationError::TooLong {
                field: "attachments",
                len: self.attachments.len(),
                max: MAX_ATTACHMENTS,
            });
        }
        let mut attachments = Vec::with_capacity(self.attachments.len());
        for a in &self.attachments {
            attachments.push(sitegroup_core::error::required_text("attachment", a, 200)?);
        }
        let idempotency_key = opt("idempotency key", self.idempotency_key.as_deref(), 100)?;
        let applicant = if channel == Channel::Disclosure {
            let typed = self.applicant.as_deref().map(str::trim).unwrap_or("");
            if typed.is_empty() {
                return Err(ValidationError::Empty { field: "applicant" });
            }
            Some(ApplicantKind::parse(typed).ok_or_else(|| malformed("applicant", "unknown applicant kind"))?)
        } else {
            None
        };
        Ok(ValidTicket {
            channel,
            category,
            unit_code,
            leader,
            writer,
            subject,
            body: self.body.clone(),
            attachments,
            private: self.private,
            urgent: self.urgent,
            idempotency_key,
            applicant,
        })
    }
}

/// 满意度 (the writer's rating of the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意.
    Satisfied,
    /// 基本满意.
    Basically,
    /// 不满意.
    Dissatisfied,
}

impl Rating {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::Basically => "basically",
            Rating::Dissatisfied => "dissatisfied",
        }
    }

    /// Parses [`Rating::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Rating> {
        [Rating::Satisfied, Rating::Basically, Rating::Dissatisfied].into_iter().find(|r| r.as_str() == s)
    }
}

/// A stored ticket, as the back office sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Database id.
    pub id: i64,
    /// Channel.
    pub channel: Channel,
    /// Category.
    pub category: String,
    /// The unit the writer addressed.
    pub target_unit: Option<UnitId>,
    /// The leader the writer addressed (mailbox).
    pub leader: Option<String>,
    /// The writer.
    pub writer: Writer,
    /// Subject as typed.
    pub subject: String,
    /// Body as typed.
    pub body: String,
    /// Attachment keys.
    pub attachments: Vec<String>,
    /// The writer asked not to publish.
    pub private: bool,
    /// Urgent.
    pub urgent: bool,
    /// 查询码: the public code the writer follows the ticket with.
    pub query_code: String,
    /// Received, unix seconds.
    pub received_at: i64,
    /// The workflow (state, responsible unit, deadline basis, reply …).
    pub flow: Flow,
    /// The current deadline (end of a working day, unix seconds); `None` while the
    /// calendar does not cover the days to count (recomputed when a year is loaded).
    pub due_at: Option<i64>,
    /// `web`, `import` …
    pub source: String,
}

impl Ticket {
    /// The state.
    pub fn state(&self) -> TicketState {
        self.flow.state
    }
}

/// Interaction settings (table `settings`, keys `interaction.*`), with the seed's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Working days per channel (`interaction.deadline.{channel}`).
    pub days: HashMap<Channel, u32>,
    /// Working days per channel and category (`interaction.deadline.{channel}.{category}`).
    pub category_days: HashMap<(Channel, String), u32>,
    /// Weekdays on which mailbox letters are forwarded (`interaction.batch_days`,
    /// e.g. `mon,thu`).
    pub batch_days: Vec<Weekday>,
    /// "Due soon" when at most this many working days are left (`interaction.due_soon_days`, 1).
    pub due_soon_days: u32,
    /// Reminders start this many working days before the deadline (`interaction.remind_before_days`, 1).
    pub remind_before_days: u32,
    /// After this many urgings the unit's leader is told (`interaction.escalate_after`, 3).
    pub escalate_after: u32,
    /// Channels on which a dissatisfied writer reopens the ticket (`interaction.reopen.{channel}`,
    /// `true`/`false`; default: all but disclosure).
    pub reopen: HashMap<Channel, bool>,
    /// Largest body in characters (`interaction.max_body_chars`, 10,000).
    pub max_body_chars: usize,
    /// Longest disclosure extension (`interaction.disclosure.max_extension_days`, 20).
    pub max_extension_days: u32,
    /// Longest third-party consultation counted out (`interaction.disclosure.max_pause_days`, 15).
    pub max_pause_days: u32,
    /// E-mail recipients of reminders and urgings, comma-separated addresses per key:
    /// `interaction.mail.unit.{unit code}` (the unit's handlers: reminders and urgings)
    /// and `interaction.mail.leader.{unit code}` (its leader: escalations). Stored
    /// under the key without the prefix (`unit.jyj`, `leader.jyj`).
    pub mail: HashMap<String, Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            days: Channel::ALL.into_iter().map(|c| (c, c.default_days())).collect(),
            category_days: HashMap::new(),
            batch_days: vec![Weekday::Mon, Weekday::Thu],
            due_soon_days: 1,
            remind_before_days: 1,
            escalate_after: 3,
            reopen: Channel::ALL.into_iter().map(|c| (c, c != Channel::Disclosure)).collect(),
            max_body_chars: MAX_BODY_CHARS,
            max_extension_days: 20,
            max_pause_days: 15,
            mail: HashMap::new(),
        }
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    match s.trim().to_ascii_lowercase().get(..3)? {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

impl Settings {
    /// Settings from `(key, value)` pairs of the settings table; unknown keys and
    /// malformed values are refused with the key named (a typo must not silently fall
    /// back to a default).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Settings, ValidationError> {
        let mut s = Settings::default();
        let bad = |key: &str| ValidationError::Rule(format!("setting {key}: bad value"));
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("interaction.") else { continue };
            let num = || value.trim().parse::<u32>().map_err(|_| bad(key));
            if let Some(spec) = rest.strip_prefix("deadline.") {
                let (ch, cat) = match spec.split_once('.') {
                    Some((c, cat)) => (c, Some(cat)),
                    None => (spec, None),
                };
                let ch = Channel::parse(ch).ok_or_else(|| bad(key))?;
                let n = num()?;
                if n == 0 || n > 366 {
                    return Err(bad(key));
                }
                match cat {
                    Some(cat) => s.category_days.insert((ch, cat.to_string()), n),
                    None => s.days.insert(ch, n),
                };
            } else if let Some(who) = rest.strip_prefix("mail.") {
                let valid_who = who.split_once('.').is_some_and(|(role, code)| {
                    matches!(role, "unit" | "leader")
                        && !code.is_empty()
                        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                });
                let addresses: Vec<String> =
                    value.split([',', '，', ';']).map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect();
                if !valid_who || !addresses.iter().all(|a| valid_email(a)) {
                    return Err(bad(key));
                }
                if addresses.is_empty() {
                    s.mail.remove(who);
                } else {
                    s.mail.insert(who.to_string(), addresses);
                }
            } else if let Some(ch) = rest.strip_prefix("reopen.") {
                let ch = Channel::parse(ch).ok_or_else(|| bad(key))?;
                let on = match value.trim() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    _ => return Err(bad(key)),
                };
                s.reopen.insert(ch, on);
            } else {
                match rest {
                    "batch_days" => {
                        let days: Option<Vec<Weekday>> =
                            value.split(',').filter(|d| !d.trim().is_empty()).map(parse_weekday).collect();
                        s.batch_days = days.filter(|d| !d.is_empty()).ok_or_else(|| bad(key))?;
                    }
                    "due_soon_days" => s.due_soon_days = num()?,
                    "remind_before_days" => s.remind_before_days = num()?,
                    "escalate_after" => s.escalate_after = num()?.max(1),
                    "max_body_chars" => s.max_body_chars = num()?.max(1) as usize,
                    "disclosure.max_extension_days" => s.max_extension_days = num()?,
                    "disclosure.max_pause_days" => s.max_pause_days = num()?,
                    _ => return Err(ValidationError::Rule(format!("unknown setting {key}"))),
                }
            }
        }
        Ok(s)
    }

    /// Working days to answer a ticket of this channel and category.
    pub fn days_for(&self, channel: Channel, category: &str) -> u32 {
        self.category_days
            .get(&(channel, category.to_string()))
            .or_else(|| self.days.get(&channel))
            .copied()
            .unwrap_or(channel.default_days())
    }

    /// Whether a dissatisfied rating reopens tickets of this channel.
    pub fn reopens(&self, channel: Channel) -> bool {
        self.reopen.get(&channel).copied().unwrap_or(false)
    }
}

/// The Beijing offset (+08:00; China keeps no daylight saving time).
pub const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("+08:00 is a valid offset"),
};

/// The Beijing offset.
pub fn beijing() -> FixedOffset {
    BEIJING
}

/// Unix seconds as a Beijing time (`None` outside chrono's range).
pub fn beijing_time(at: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp(at, 0).map(|t| t.with_timezone(&beijing()))
}

/// The Beijing calendar date of an instant.
pub fn beijing_date(at: i64) -> Option<NaiveDate> {
    beijing_time(at).map(|t| t.date_naive())
}

/// End of a Beijing calendar day (23:59:59 +08:00), unix seconds.
pub fn end_of_day(date: NaiveDate) -> i64 {
    date.and_hms_opt(23, 59, 59).map_or(0, |t| t.and_utc().timestamp() - 8 * 3600)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn letter() -> NewTicket {
        NewTicket {
            channel: "complaint".into(),
            unit: Some("JYJ".into()),
            subject: "路灯不亮".into(),
            body: "<script>alert(1)</script> 东门路灯坏了".into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation() {
        let v = letter().validate(100).unwrap();
        assert_eq!(v.unit_code.as_deref(), Some("jyj"));
        assert!(v.body.starts_with("<script>"), "kept as typed");
        let mut t = letter();
        t.subject = "  ".into();
        assert!(matches!(t.validate(100), Err(ValidationError::Empty { field: "subject" })));
        let mut t = letter();
        t.body = "字".repeat(101);
        assert!(matches!(t.validate(100), Err(ValidationError::TooLong { field: "body", .. })));
        let mut t = letter();
        t.writer.phone = Some("12345".into());
        assert!(t.validate(100).is_err());
        let mut t = letter();
        t.writer.email = Some("a@b".into());
        assert!(t.validate(100).is_err());
        let mut t = letter();
        t.channel = "mailbox".into();
        t.leader = Some("县长".into());
        assert!(matches!(t.validate(100), Err(ValidationError::Empty { field: "writer name" })));
        t.writer = Writer { name: Some("张三".into()), phone: Some("138-0013-8000".into()), email: None };
        assert!(t.validate(100).is_ok());
        t.channel = "nope".into();
        assert!(t.validate(100).is_err());
    }

    #[test]
    fn phones_and_mails() {
        for ok in ["13800138000", "138 0013 8000", "0553-6612345", "0553 6612345-801", "05536612345"] {
            assert!(valid_phone(ok), "{ok}");
        }
        for bad in ["12800138000", "1380013800", "abc", "", "0553-12"] {
            assert!(!valid_phone(bad), "{bad}");
        }
        assert!(valid_email("zhang.san@wuwei.gov.cn"));
        for bad in ["a@b", "@b.cn", "a b@c.cn", "a@@b.cn", "张@b.cn", "a@b..cn"] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn settings() {
        let s = Settings::from_pairs(&[
            ("interaction.deadline.mailbox".into(), "3".into()),
            ("interaction.deadline.complaint.复杂".into(), "10".into()),
            ("interaction.batch_days".into(), "tue,fri".into()),
            ("other.key".into(), "x".into()),
        ])
        .unwrap();
        assert_eq!(s.days_for(Channel::Mailbox, ""), 3);
        assert_eq!(s.days_for(Channel::Complaint, "复杂"), 10);
        assert_eq!(s.days_for(Channel::Complaint, "咨询"), 5);
        assert_eq!(s.days_for(Channel::Disclosure, ""), 20);
        assert_eq!(s.batch_days, vec![Weekday::Tue, Weekday::Fri]);
        assert!(Settings::from_pairs(&[("interaction.deadline.x".into(), "3".into())]).is_err());
        assert!(Settings::from_pairs(&[("interaction.due_soon".into(), "3".into())]).is_err());
    }
}
