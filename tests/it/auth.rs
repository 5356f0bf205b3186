//! Logins, lock-out and session tokens on both drivers.

use std::sync::Arc;

use sitegroup::{Error, Grant, NewUser, Origin, Role, Scope, SiteGroup, TestClock};
use sitegroup_tests::{for_each_group, system, test_clock, two_channels};

const PASSWORD: &str = "correct horse battery";

fn clocked(group: &SiteGroup) -> Arc<TestClock> {
    // The fixture's group already has a TestClock; we need our own handle to move it.
    let _ = group;
    test_clock()
}

#[test]
fn lockout_after_repeated_failures_then_unlock_after_the_wait() {
    for_each_group(|driver, group| {
        let clock = clocked(group);
        let dir = tempfile::tempdir().unwrap();
        // A group of our own so we hold the clock handle.
        let group = SiteGroup::with_db(group.db().clone(), dir.path().to_path_buf()).unwrap().with_clock(clock.clone());
        let o = Origin::web(Some("10.0.0.9".into()));
        group
            .add_user(
                &system(),
                &Origin::cli(),
                &NewUser { username: "li".into(), display_name: Some("李".into()), unit: None },
                Some(PASSWORD),
            )
            .unwrap();
        for i in 1..5 {
            assert!(matches!(group.login("li", "wrong", &o), Err(Error::BadCredentials)), "{driver}: failure {i}");
        }
        assert!(matches!(group.login("li", "wrong", &o), Err(Error::Locked { .. })), "5th failure locks");
        assert!(matches!(group.login("li", PASSWORD, &o), Err(Error::Locked { .. })), "right password while locked");
        clock.advance(chrono::Duration::minutes(16));
        let session = group.login("LI", PASSWORD, &o).unwrap();
        assert_eq!(session.user.username, "li");
        assert!(matches!(group.login("nobody", PASSWORD, &o), Err(Error::BadCredentials)));
        let log = group.audit(&system(), &Default::default()).unwrap();
        assert_eq!(log.iter().filter(|e| e.entry.action == "login.failed").count(), 5);
        assert!(log.iter().any(|e| e.entry.action == "login.ok" && e.entry.origin == "web 10.0.0.9"));
    });
}

#[test]
fn session_tokens_carry_current_grants_and_expire() {
    for_each_group(|_driver, group| {
        let clock = test_clock();
        let dir = tempfile::tempdir().unwrap();
        let group = SiteGroup::with_db(group.db().clone(), dir.path().to_path_buf()).unwrap().with_clock(clock.clone());
        let (_, a, _) = two_channels(&group);
        group
            .add_user(
                &system(),
                &Origin::cli(),
                &NewUser { username: "wang".into(), display_name: None, unit: None },
                Some(PASSWORD),
            )
            .unwrap();
        let session = group.login("wang", PASSWORD, &Origin::cli()).unwrap();
        assert!(group.actor_from_token(&session.token).unwrap().grants.is_empty());
        group.grant(&system(), &Origin::cli(), "wang", Grant { role: Role::Editor, scope: Scope::Site(a.id) }).unwrap();
        let actor = group.actor_from_token(&session.token).unwrap();
        assert_eq!(actor.grants, vec![Grant { role: Role::Editor, scope: Scope::Site(a.id) }]);
        assert!(matches!(group.actor_from_token(&format!("{}x", session.token)), Err(Error::Session(_))));
        assert!(matches!(group.actor_from_token("garbage"), Err(Error::Session(_))));
        clock.advance(chrono::Duration::hours(9));
        assert!(matches!(group.actor_from_token(&session.token), Err(Error::Session(_))), "expired after 8 h");
    });
}

#[test]
fn grants_follow_the_rules_of_who_may_grant_what() {
    for_each_group(|_driver, group| {
        let (_, a, b) = two_channels(group);
        let o = Origin::cli();
        for name in ["boss", "ed"] {
            group
                .add_user(
                    &system(),
                    &o,
                    &NewUser { username: name.into(), display_name: None, unit: None },
                    Some(PASSWORD),
                )
                .unwrap();
        }
        group.grant(&system(), &o, "boss", Grant { role: Role::SiteAdmin, scope: Scope::Site(a.id) }).unwrap();
        let boss = group.actor_for(&group.user(&system(), "boss").unwrap()).unwrap();
        assert!(group.grant(&boss, &o, "ed", Grant { role: Role::Editor, scope: Scope::Site(a.id) }).unwrap());
        assert!(
            !group.grant(&boss, &o, "ed", Grant { role: Role::Editor, scope: Scope::Site(a.id) }).unwrap(),
            "twice is a no-op"
        );
        assert!(matches!(
            group.grant(&boss, &o, "ed", Grant { role: Role::SiteAdmin, scope: Scope::Site(a.id) }),
            Err(Error::Denied(_))
        ));
        assert!(matches!(
            group.grant(&boss, &o, "ed", Grant { role: Role::Editor, scope: Scope::Site(b.id) }),
            Err(Error::Denied(_))
        ));
        assert!(matches!(
            group.grant(&system(), &o, "ed", Grant { role: Role::GroupAdmin, scope: Scope::Site(a.id) }),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            group.grant(&system(), &o, "ghost", Grant { role: Role::Editor, scope: Scope::Site(a.id) }),
            Err(Error::NotFound { .. })
        ));
        let users: Vec<String> = group.list_users(&boss).unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(users, vec!["boss".to_string(), "ed".to_string()]);
        assert!(group.revoke(&boss, &o, "ed", Grant { role: Role::Editor, scope: Scope::Site(a.id) }).unwrap());
        assert!(matches!(
            group.add_user(
                &system(),
                &o,
                &NewUser { username: "weak".into(), display_name: None, unit: None },
                Some("12345678901")
            ),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            group.add_user(&system(), &o, &NewUser { username: "ED".into(), display_name: None, unit: None }, None),
            Err(Error::Duplicate { what: "user", .. })
        ));
    });
}
