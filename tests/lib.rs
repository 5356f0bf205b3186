//! Fixtures for the cross-crate tests: a fresh [`SiteGroup`] on every driver.
//!
//! `for_each_group` runs a test body on an embedded group (SQLite in a temp dir) and,
//! when `SITEGROUP_TEST_PG` holds a URL, on PostgreSQL in a schema of its own that is
//! dropped afterwards, so tests run in parallel and leave nothing behind.

use std::sync::Arc;

use sitegroup::content::{DocInput, Document};
use sitegroup::{
    Actor, Clock, Grant, NewColumn, NewSite, NewUnit, Origin, PublishAt, Role, Scope, Site, SiteGroup, SiteId,
    TestClock, UnitKind, UserId,
};

/// An instant (unix seconds) from RFC 3339 text; fixtures write Beijing times
/// (`2025-06-03T09:00:00+08:00`).
pub fn at(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).expect("an RFC 3339 fixture time").timestamp()
}

/// Sets the test clock to an RFC 3339 instant.
pub fn set_time(clock: &TestClock, rfc3339: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).expect("an RFC 3339 fixture time");
    clock.set(t.with_timezone(&chrono::Utc));
}

/// The origin of fixture actions.
pub fn test_origin() -> Origin {
    Origin::other("test")
}

/// The information centre (信息中心): a group administrator.
pub fn centre() -> Actor {
    Actor::user(UserId(900), "centre", vec![Grant { role: Role::GroupAdmin, scope: Scope::Group }])
}

/// Runs `test` once per available driver, with a label naming it.
pub fn for_each_group(test: impl Fn(&str, &SiteGroup)) {
    for_each_group_with_clock(|driver, group, _clock| test(driver, group));
}

/// [`for_each_group`] that also hands out the group's test clock, for tests that move time.
pub fn for_each_group_with_clock(test: impl Fn(&str, &SiteGroup, &TestClock)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = test_clock();
    let group =
        SiteGroup::open(dir.path()).expect("open embedded group").with_clock(Arc::clone(&clock) as Arc<dyn Clock>);
    test("sqlite", &group, &clock);
    drop(group);
    if let Some(pg) = PgSchema::create() {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = test_clock();
        let db = sitegroup::store::Db::connect_postgres_in_schema(&pg.url, &pg.schema).expect("connect to PostgreSQL");
        let group = SiteGroup::with_db(db, dir.path().to_path_buf())
            .expect("open PostgreSQL group")
            .with_clock(Arc::clone(&clock) as Arc<dyn Clock>);
        test("postgres", &group, &clock);
    }
}

/// A clock fixed at 2025-06-02 09:00 Asia/Shanghai, shared by the fixture.
pub fn test_clock() -> Arc<TestClock> {
    let at = chrono::DateTime::parse_from_rfc3339("2025-06-02T09:00:00+08:00").expect("valid time");
    Arc::new(TestClock::new(at.with_timezone(&chrono::Utc)))
}

/// A PostgreSQL schema that lives as long as the value.
pub struct PgSchema {
    /// Server URL.
    pub url: String,
    /// Schema name.
    pub schema: String,
}

impl PgSchema {
    /// A fresh schema name, if `SITEGROUP_TEST_PG` is set.
    pub fn create() -> Option<PgSchema> {
        let url = std::env::var("SITEGROUP_TEST_PG").ok().filter(|u| !u.is_empty())?;
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let schema = format!("sgt_{}_{}_{}", std::process::id(), n, nanos);
        Some(PgSchema { url, schema })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// The system actor of the tests.
pub fn system() -> Actor {
    Actor::system("test")
}

/// Adds a unit.
pub fn unit(group: &SiteGroup, code: &str, name: &str) -> sitegroup::OrgUnit {
    group
        .add_unit(
            &system(),
            &Origin::other("test"),
            &NewUnit { code: code.into(), name: name.into(), kind: UnitKind::Department },
        )
        .expect("add unit")
}

/// Adds a site with the given kind, parent code and prefix.
pub fn site(group: &SiteGroup, code: &str, kind: &str, parent: Option<&str>, prefix: Option<&str>) -> Site {
    let parent = parent.map(|p| group.site(p).expect("parent exists").id);
    group
        .add_site(
            &system(),
            &Origin::other("test"),
            &NewSite {
                code: code.into(),
                name: format!("站点{code}"),
                kind: kind.into(),
                parent,
                path_prefix: prefix.map(String::from),
                ..Default::default()
            },
        )
        .expect("add site")
}

/// A portal `portal` with department channels `a` (/a) and `b` (/b).
pub fn two_channels(group: &SiteGroup) -> (Site, Site, Site) {
    let portal = site(group, "portal", "portal", None, None);
    let a = site(group, "a", "department", Some("portal"), Some("/a"));
    let b = site(group, "b", "department", Some("portal"), Some("/b"));
    (portal, a, b)
}

/// Adds a top-level list column to `site`; returns its id.
pub fn column(group: &SiteGroup, site: SiteId, name: &str) -> i64 {
    let new = NewColumn { parent: None, name: name.into(), ..Default::default() };
    group.add_column(&system(), &Origin::other("test"), site, &new).expect("add column").id
}

/// Create → submit → approve → publish as the system actor.
pub fn publish_new(group: &SiteGroup, site: SiteId, col: i64, input: &DocInput) -> Document {
    let (s, o) = (system(), Origin::other("test"));
    let d = group.create_draft(&s, &o, site, col, input).expect("create draft");
    group.submit(&s, &o, d.id).expect("submit");
    group.review_approve(&s, &o, d.id, "无涉密内容").expect("approve");
    group.publish(&s, &o, d.id, PublishAt::Now).expect("publish")
}
