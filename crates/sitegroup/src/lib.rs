//! The facade of sitegroup: [`SiteGroup`], the one handle through which an embedding
//! program reaches the store, the clock, the working-day calendar and every module.
//!
//! **What it owns.** Opening or connecting the store and migrating every module,
//! loading the calendar, and the service layer of the core entities (units, sites,
//! users, sessions, audit): each write runs `authorize`, validates, then writes the
//! change, its audit entry and its outbox event in one transaction.
//!
//! **What it must never do.** Speak HTTP, start an async runtime, or check a role
//! itself: permissions are `sitegroup_core::authorize`'s alone.
//!
//! **Invariants.** Nothing is written when an operation returns an error; every
//! successful write leaves exactly one audit entry and one outbox event.
//!
//! ```
//! # fn main() -> Result<(), sitegroup::Error> {
//! use sitegroup::{SiteGroup, NewUnit, UnitKind, Actor, Origin};
//! let dir = tempfile::tempdir().expect("temp dir");
//! let group = SiteGroup::open(dir.path())?;
//! let cli = Actor::system("cli");
//! let unit = group.add_unit(&cli, &Origin::cli(), &NewUnit { code: "jyj".into(), name: "无为县教育局".into(), kind: UnitKind::Department })?;
//! assert_eq!(group.list_units(&cli)?[0].id, unit.id);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod annual_report;
mod column_service;
mod content_service;
mod error;
mod forum_service;
mod group;
mod health;
mod interaction_service;
mod interview_service;
mod mail;
mod reply_search;
mod search_service;
mod selfcheck;
mod services_service;
mod sites;
mod solicitation_service;
mod stats_service;
mod survey_service;
mod users;

#[allow(unused_imports)]
pub use annual_report::table::{
    Amount, AnnualReportEntries, CaseCounts, EntryKind, ProactiveRow, ProactiveTable, ReportWarning, RequestRow,
    RequestTable, ReviewRow, ReviewTable,
};
pub use annual_report::{
    AnnualReport, FIRST_YEAR as ANNUAL_REPORT_FIRST_YEAR, SheetCell, table as annual_report_table,
};
pub use content_service::{DateFlag, ImportDocument, PublishAt, ReviewItem, Upload};
pub use error::Error;
#[allow(unused_imports)]
pub use forum_service::*;
pub use group::{CALENDAR_FILE, DATABASE_FILE, Session, SiteGroup};
pub use health::RATE_WINDOW_DAYS;
pub use interaction_service::{
    ImportTicket, PublishedTicket, RedactionPreview, Submitted, TicketQuery, TicketView, UrgeReport, WriterView,
};
#[allow(unused_imports)]
pub use interview_service::*;
pub use mail::{
    MAIL_CONSUMER, MailError, MailKind, MailNotice, MailReport, Mailer, MemoryMailer, OutgoingMail, SmtpMailer,
};
#[allow(unused_imports)]
pub use selfcheck::*;
#[allow(unused_imports)]
pub use services_service::*;
pub use sitegroup_content::{DocInput, DocKind, DocState, Document, PublicDocument, Revision};
pub use sites::SiteTree;
#[allow(unused_imports)]
pub use solicitation_service::*;
#[allow(unused_imports)]
pub use stats_service::*;
#[allow(unused_imports)]
pub use survey_service::*;

pub use column_service::ColumnReminder;
pub use search_service::{ContentSource, SYNONYMS_FILE};
pub use sitegroup_columns as columns;
pub use sitegroup_columns::{
    Column, ColumnActivity, ColumnChange, ColumnHealth, ColumnKind, ColumnLookup, Duty, HealthThresholds, NewColumn,
    Owner, SiteHealth,
};
pub use sitegroup_content as content;
pub use sitegroup_core as core;
pub use sitegroup_core::{
    Action, Actor, AuditEntry, AuditQuery, CalendarError, Clock, DayInfo, DayKind, Deadline, Denied, Grant, NewSite,
    NewUnit, NewUser, OrgUnit, Origin, Resource, Role, Scope, Site, SiteId, SiteIdentity, SiteKind, SiteStatus,
    SystemClock, TestClock, UnitId, UnitKind, User, UserId, ValidationError, WorkCalendar, authorize,
};
pub use sitegroup_interaction as interaction;
pub use sitegroup_search as search;
pub use sitegroup_search::{
    PollReport, ReindexProgress, ReindexReport, SearchHit, SearchQuery, SearchResults, Sort, Suggestion,
};
pub use sitegroup_services as services;
pub use sitegroup_stats as stats;
pub use sitegroup_store as store;
pub use sitegroup_text as text;
