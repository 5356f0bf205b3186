//! The domain core of sitegroup: sites (tenants) and their tree, org units, users,
//! roles and the one permission check, passwords and session tokens, audit entries,
//! the clock and the official working-day calendar.
//!
//! **What it owns.** Plain values and pure rules: validating a new site, detecting a
//! parent cycle, resolving `(host, path)` to a site through hash maps, deciding every
//! permission in [`authorize`], hashing passwords, signing tokens, counting working days.
//!
//! **What it must never do.** Know SQL, HTTP or an async runtime; read the system clock
//! anywhere but [`SystemClock`]; guess a working day for a year it has no data for.
//!
//! **Invariants.** [`authorize`] is the only place in the workspace that looks at roles.
//! A channel (department, township, topic) always has a parent and inherits its
//! website's identity; the tree never has a cycle (checked by [`site::check_parent`]).
//!
//! ```
//! use sitegroup_core::{authorize, Action, Actor, Grant, Resource, Role, Scope, SiteId, UserId};
//! let editor = Actor::user(UserId(7), "li", vec![Grant { role: Role::Editor, scope: Scope::Site(SiteId(3)) }]);
//! assert!(authorize(&editor, Action::EditDraft, &Resource::Site(SiteId(3))).is_ok());
//! assert!(authorize(&editor, Action::EditDraft, &Resource::Site(SiteId(4))).is_err());
//! ```

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clock;
pub mod error;
pub mod ids;
pub mod password;
pub mod site;
pub mod token;
pub mod unit;
pub mod user;

pub use audit::{AuditEntry, AuditQuery, NewAuditEntry, Origin};
pub use auth::{Action, Actor, Denied, Grant, Resource, Role, Scope, authorize};
pub use calendar::{CalendarError, DayInfo, DayKind, Deadline, WorkCalendar};
pub use clock::{Clock, SystemClock, TestClock};
pub use error::ValidationError;
pub use ids::{SiteId, UnitId, UserId};
pub use site::{NewSite, Site, SiteIdentity, SiteKind, SiteResolver, SiteStatus};
pub use unit::{NewUnit, OrgUnit, UnitKind};
pub use user::{LockoutPolicy, NewUser, User};
