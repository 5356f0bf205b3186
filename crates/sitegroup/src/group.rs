//! The handle: opening, migrations, clock and calendar, audited writes, sessions.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::Serialize;
use sitegroup_core::audit::{AuditEntry, AuditQuery, NewAuditEntry, Origin};
use sitegroup_core::token::{TokenClaims, TokenSigner};
use sitegroup_core::unit::{NewUnit, OrgUnit};
use sitegroup_core::user::{LockoutPolicy, LoginOutcome, User};
use sitegroup_core::{Action, Actor, Clock, Resource, SiteId, SystemClock, WorkCalendar, authorize, password};
use sitegroup_store::{Db, NewEvent, StoreError, Tx, core_repo};

use crate::error::Error;
use crate::sites::SiteTree;

/// File name of the embedded database inside the data directory.
pub const DATABASE_FILE: &str = "sitegroup.sqlite";
/// Optional calendar file in the data directory with newly announced years.
pub const CALENDAR_FILE: &str = "calendar.txt";

/// A logged-in session.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// The signed token to hand to the client (cookie or bearer).
    pub token: String,
    /// Who logged in.
    pub user: User,
    /// Expiry, unix seconds.
    pub expires_at: i64,
}

/// The site group: store, clock, calendar and every module's API.
///
/// Cheap to share behind an `Arc`; every method is synchronous and may block on the
/// database, so async hosts call it from `spawn_blocking`.
pub struct SiteGroup {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    calendar: WorkCalendar,
    dir: PathBuf,
    signer: TokenSigner,
    pub(crate) tree: RwLock<Option<Arc<SiteTree>>>,
}

impl std::fmt::Debug for SiteGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteGroup").field("dir", &self.dir).field("dialect", &self.db.dialect()).finish()
    }
}

/// Every module's migrations, in dependency order.
fn all_migrations() -> Vec<sitegroup_store::Migration> {
    let mut all = core_repo::migrations().to_vec();
    all.extend(sitegroup_columns::migrations());
    all.extend(sitegroup_content::migrations());
    all.extend(sitegroup_search::migrations());
    all.extend(sitegroup_interaction::migrations());
    all.extend(sitegroup_services::migrations());
    all.extend(sitegroup_stats::migrations());
    all.extend(crate::selfcheck::migrations());
    all.extend(crate::annual_report::migrations());
    all
}

impl SiteGroup {
    /// Opens (or creates) an embedded group in `dir`: `dir/sitegroup.sqlite`, an
    /// `index/` folder and a `files/` folder; migrates every module.
    pub fn open(dir: impl AsRef<Path>) -> Result<SiteGroup, Error> {
        let dir = dir.as_ref().to_path_buf();
        prepare_dir(&dir)?;
        let db = Db::open_sqlite(&dir.join(DATABASE_FILE))?;
        SiteGroup::with_db(db, dir)
    }

    /// Connects to PostgreSQL at `url` (e.g. `postgres://postgres@127.0.0.1/test`); the
    /// index and files stay in `dir`.
    #[cfg(feature = "postgres")]
    pub fn connect(url: &str, dir: impl AsRef<Path>) -> Result<SiteGroup, Error> {
        let dir = dir.as_ref().to_path_buf();
        prepare_dir(&dir)?;
        let db = Db::connect_postgres(url)?;
        SiteGroup::with_db(db, dir)
    }

    /// Wraps an already opened store (used by tests to run on a PostgreSQL schema).
    pub fn with_db(db: Db, dir: PathBuf) -> Result<SiteGroup, Error> {
        db.migrate(&all_migrations())?;
        let mut calendar = WorkCalendar::builtin();
        let extra = dir.join(CALENDAR_FILE);
        if extra.exists() {
            calendar.extend_from_file(&extra)?;
        }
        let secret = db.write(|tx| {
            let mut fresh = [0u8; 32];
            password::random_bytes(&mut fresh).map_err(|e| Error::Internal(e.to_string()))?;
            let hex: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
            Ok::<_, Error>(core_repo::setting_or_insert(tx, "session.secret", &hex)?)
        })?;
        let key = decode_hex(&secret).ok_or_else(|| Error::Internal("session.secret is not hex".into()))?;
        let signer = TokenSigner::new(&key)?;
        Ok(SiteGroup { db, clock: Arc::new(SystemClock), calendar, dir, signer, tree: RwLock::new(None) })
    }

    /// Replaces the clock (tests use a [`sitegroup_core::TestClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> SiteGroup {
        self.clock = clock;
        self
    }

    /// The store, for modules and tests.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Now, unix seconds, from the group's clock.
    pub fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// The working-day calendar (built-in years plus `dir/calendar.txt`).
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Folder for the search index.
    pub fn index_dir(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// Folder for uploaded files.
    pub fn files_dir(&self) -> PathBuf {
        self.dir.join("files")
    }

    /// Runs a write for `actor`: the closure changes data and returns the result and
    /// the event's payload; the audit entry and the outbox event are written in the
    /// same transaction. `action` names both (`site.create`). `site` is the site the
    /// change belongs to; `None` lets a returned [`Site`](sitegroup_core::Site) (a
    /// creation) name itself.
    pub(crate) fn audited<T: MaybeSite>(
        &self,
        actor: &Actor,
        origin: &Origin,
        action: &str,
        site: Option<SiteId>,
        target: String,
        f: impl FnOnce(&mut Tx<'_>) -> Result<(T, serde_json::Value), Error>,
    ) -> Result<T, Error> {
        self.audited_as(actor, origin, action, site, |tx| {
            let (value, payload) = f(tx)?;
            Ok((value, target, payload))
        })
    }

    /// [`audited`](Self::audited) for writes whose target is only known once the
    /// change is made (a creation: `doc:{new id}`): the closure also returns the target.
    pub(crate) fn audited_as<T: MaybeSite>(
        &self,
        actor: &Actor,
        origin: &Origin,
        action: &str,
        site: Option<SiteId>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<(T, String, serde_json::Value), Error>,
    ) -> Result<T, Error> {
        self.db.write(|tx| {
            let (value, target, payload) = f(tx)?;
            let site = site.or_else(|| value.site_id());
            self.record(tx, actor, origin, action, site, target, payload)?;
            Ok(value)
        })
    }

    /// Writes the audit entry and the outbox event of one change into `tx` (for writes
    /// that make several changes in one transaction, such as a batch import).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record(
        &self,
        tx: &mut Tx<'_>,
        actor: &Actor,
        origin: &Origin,
        action: &str,
        site: Option<SiteId>,
        target: String,
        payload: serde_json::Value,
    ) -> Result<(), Error> {
        let at = self.now();
        let entry = NewAuditEntry::new(actor, origin, action, site, target.clone(), at).with_detail(payload.clone());
        core_repo::append_audit(tx, &entry)?;
        tx.outbox_append(&NewEvent { site: site.map(|s| s.0), kind: action.to_string(), entity: target, payload, at })?;
        Ok(())
    }

    /// Whether an administrator exists (i.e. `init` has run).
    pub fn is_initialised(&self) -> Result<bool, Error> {
        Ok(self.db.read(|tx| core_repo::get_setting(tx, "group.initialised"))?.is_some())
    }

    /// First start: creates the group administrator (the information centre) with a
    /// generated password, returned once and never stored in clear.
    pub fn init(&self, admin_username: &str, origin: &Origin) -> Result<(User, String), Error> {
        let system = Actor::system(&origin.channel);
        let new = sitegroup_core::NewUser {
            username: admin_username.to_string(),
            display_name: Some("信息中心管理员".into()),
            unit: None,
        }
        .validate()?;
        let password = password::generate_password().map_err(|e| Error::Internal(e.to_string()))?;
        let hash = password::hash_password(&password).map_err(|e| Error::Internal(e.to_string()))?;
        let at = self.now();
        let user = self.audited(&system, origin, "group.init", None, format!("user:{}", new.username), |tx| {
            if core_repo::get_setting(tx, "group.initialised")?.is_some() {
                return Err(Error::AlreadyInitialised);
            }
            let user = core_repo::insert_user(tx, &new, &hash, at).map_err(|e| duplicate(e, "user", &new.username))?;
            core_repo::insert_grant(
                tx,
                user.id,
                &sitegroup_core::Grant { role: sitegroup_core::Role::GroupAdmin, scope: sitegroup_core::Scope::Group },
            )?;
            core_repo::set_setting(tx, "group.initialised", &at.to_string())?;
            Ok((user.clone(), serde_json::json!({ "admin": user.username })))
        })?;
        Ok((user, password))
    }

    /// The lock-out policy in force (settings `login.max_failures`, `login.lock_minutes`).
    pub fn lockout_policy(&self) -> Result<LockoutPolicy, Error> {
        self.db.read(|tx| {
            let mut p = LockoutPolicy::default();
            if let Some(v) = core_repo::get_setting(tx, "login.max_failures")?.and_then(|v| v.parse().ok()) {
                p.max_failures = v;
            }
            if let Some(v) = core_repo::get_setting(tx, "login.lock_minutes")?.and_then(|v| v.parse().ok()) {
                p.lock_minutes = v;
            }
            Ok::<_, Error>(p)
        })
    }

    /// Sets the lock-out policy (group administrators only).
    pub fn set_lockout_policy(&self, actor: &Actor, origin: &Origin, policy: LockoutPolicy) -> Result<(), Error> {
        authorize(actor, Action::ManageUsers, &Resource::Group)?;
        if policy.max_failures == 0 || policy.lock_minutes <= 0 {
            return Err(
                sitegroup_core::ValidationError::Rule("lock-out needs at least 1 failure and 1 minute".into()).into()
            );
        }
        self.audited(actor, origin, "settings.lockout", None, "settings:login".into(), |tx| {
            core_repo::set_setting(tx, "login.max_failures", &policy.max_failures.to_string())?;
            core_repo::set_setting(tx, "login.lock_minutes", &policy.lock_minutes.to_string())?;
            Ok(((), serde_json::to_value(policy).unwrap_or_default()))
        })
    }

    /// Session lifetime in seconds (setting `session.hours`, default 8 hours).
    fn session_seconds(&self) -> Result<i64, Error> {
        let hours = self.db.read(|tx| core_repo::get_setting(tx, "session.hours"))?.and_then(|v| v.parse::<i64>().ok());
        Ok(hours.unwrap_or(8).clamp(1, 24 * 30) * 3600)
    }

    /// Logs in with a password; counts failures and locks the account after too many
    /// (the failure is recorded even though the call returns an error).
    pub fn login(&self, username: &str, password_typed: &str, origin: &Origin) -> Result<Session, Error> {
        let policy = self.lockout_policy()?;
        let name = username.trim().to_ascii_lowercase();
        let Some(stored) = self.db.read(|tx| core_repo::user_by_name(tx, &name))? else {
            // Hash anyway so timing does not reveal which names exist.
            let _ = password::verify_password(password_typed, dummy_hash());
            return Err(Error::BadCredentials);
        };
        let now = self.now();
        let outcome =
            policy.decide(stored.user.active, stored.user.failed_logins, stored.user.locked_until, now, || {
                password::verify_password(password_typed, &stored.password_hash)
            });
        let actor = Actor::user(stored.user.id, &stored.user.username, vec![]);
        let target = format!("user:{}", stored.user.username);
        match outcome {
            LoginOutcome::Disabled => Err(Error::Disabled),
            LoginOutcome::Locked { until } => Err(Error::Locked { until }),
            LoginOutcome::Failure { failed_logins, locked_until } => {
                self.audited(&actor, origin, "login.failed", None, target, |tx| {
                    core_repo::record_login_failure(tx, stored.user.id, failed_logins, locked_until)?;
                    Ok(((), serde_json::json!({ "failed_logins": failed_logins, "locked_until": locked_until })))
                })?;
                match locked_until {
                    Some(until) => Err(Error::Locked { until }),
                    None => Err(Error::BadCredentials),
                }
            }
            LoginOutcome::Success => {
                self.audited(&actor, origin, "login.ok", None, target, |tx| {
                    core_repo::record_login_success(tx, stored.user.id)?;
                    Ok(((), serde_json::Value::Null))
                })?;
                let expires_at = now + self.session_seconds()?;
                let mut nonce = [0u8; 12];
                password::random_bytes(&mut nonce).map_err(|e| Error::Internal(e.to_string()))?;
                let claims = TokenClaims { user: stored.user.id, epoch: stored.session_epoch, expires_at };
                let token = self.signer.sign(&claims, &nonce)?;
                Ok(Session { token, user: stored.user, expires_at })
            }
        }
    }

    /// The actor behind a session token: checks signature, expiry, the user's session
    /// epoch and that the account is active and unlocked, then loads current grants.
    pub fn actor_from_token(&self, token: &str) -> Result<Actor, Error> {
        let claims = self.signer.verify(token, self.now())?;
        let stored = self
            .db
            .read(|tx| core_repo::user_by_id(tx, claims.user))?
            .ok_or(Error::Session(sitegroup_core::token::TokenError::Invalid))?;
        if stored.session_epoch != claims.epoch {
            return Err(Error::Session(sitegroup_core::token::TokenError::Invalid));
        }
        if !stored.user.active {
            return Err(Error::Disabled);
        }
        self.actor_for(&stored.user)
    }

    /// The actor for a user, with their current grants.
    pub fn actor_for(&self, user: &User) -> Result<Actor, Error> {
        let grants = self.db.read(|tx| core_repo::grants_of(tx, user.id))?;
        Ok(Actor::user(user.id, &user.username, grants))
    }

    /// Adds an org unit (group administrators only).
    pub fn add_unit(&self, actor: &Actor, origin: &Origin, unit: &NewUnit) -> Result<OrgUnit, Error> {
        authorize(actor, Action::ManageUnits, &Resource::Group)?;
        let unit = unit.validate()?;
        let at = self.now();
        self.audited(actor, origin, "unit.create", None, format!("unit:{}", unit.code), |tx| {
            let created = core_repo::insert_unit(tx, &unit, at).map_err(|e| duplicate(e, "unit", &unit.code))?;
            let payload = serde_json::to_value(&created).unwrap_or_default();
            Ok((created, payload))
        })
    }

    /// Every org unit. Unit names are public (they answer citizens' messages).
    pub fn list_units(&self, _actor: &Actor) -> Result<Vec<OrgUnit>, Error> {
        Ok(self.db.read(core_repo::list_units)?)
    }

    /// The unit with this code.
    pub fn unit(&self, code: &str) -> Result<OrgUnit, Error> {
        let key = code.trim().to_ascii_lowercase();
        self.db.read(|tx| core_repo::unit_by_code(tx, &key))?.ok_or(Error::NotFound { what: "unit", key })
    }

    /// Reads the audit log of one site (`ViewAudit` on it) or, with `site: None`, of
    /// the whole group (group scope), newest first.
    pub fn audit(&self, actor: &Actor, query: &AuditQuery) -> Result<Vec<AuditEntry>, Error> {
        let resource = query.site.map_or(Resource::Group, Resource::Site);
        authorize(actor, Action::ViewAudit, &resource)?;
        Ok(self.db.read(|tx| core_repo::query_audit(tx, query))?)
    }
}

/// Lets an audited write that creates a site file its entry under that site.
pub(crate) trait MaybeSite {
    fn site_id(&self) -> Option<SiteId> {
        None
    }
}
impl MaybeSite for () {}
impl MaybeSite for User {}
impl MaybeSite for OrgUnit {}
impl MaybeSite for bool {}
impl MaybeSite for sitegroup_core::Site {
    fn site_id(&self) -> Option<SiteId> {
        Some(self.id)
    }
}

/// A real argon2id hash, verified against for unknown user names so that a login
/// takes as long whether or not the name exists.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash_password("sitegroup-dummy-password").unwrap_or_default())
}

fn prepare_dir(dir: &Path) -> Result<(), Error> {
    for d in [dir.to_path_buf(), dir.join("index"), dir.join("files")] {
        std::fs::create_dir_all(&d).map_err(|source| Error::Io { path: d.display().to_string(), source })?;
    }
    Ok(())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Turns a unique violation into a clear duplicate error.
pub(crate) fn duplicate(e: StoreError, what: &'static str, key: &str) -> Error {
    match e {
        StoreError::UniqueViolation { .. } => Error::Duplicate { what, key: key.to_string() },
        other => Error::Store(other),
    }
}
