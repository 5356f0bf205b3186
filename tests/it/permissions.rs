//! The permission matrix (every role × every action × own/other site) and tenancy
//! properties, for `authorize` alone and through the facade.

use proptest::prelude::*;
use sitegroup::{Action, Actor, Grant, Resource, Role, Scope, SiteId, UserId, authorize};

/// Every action the core knows, with every role for GrantRole.
fn all_actions() -> Vec<Action> {
    use Action::*;
    let mut v = vec![
        ReadPublic,
        ViewBackOffice,
        CreateSite,
        EditSite,
        CloseSite,
        ArchiveSite,
        ManageUnits,
        ManageUsers,
        ViewUsers,
        ViewAudit,
        ManageColumns,
        EditDraft,
        ViewDrafts,
        SubmitForReview,
        ReviewContent,
        PublishContent,
        ViewTickets,
        HandleTicket,
        InstructTicket,
        ScreenTicket,
        ViewStats,
        RunSelfCheck,
    ];
    v.extend(Role::ALL.map(GrantRole));
    v
}

/// The specification, written independently of the implementation: what each
/// site-scoped role may do on its own site.
fn spec(role: Role) -> Vec<Action> {
    use Action::*;
    match role {
        Role::GroupAdmin => all_actions(),
        Role::SiteAdmin => vec![
            ReadPublic,
            ViewBackOffice,
            EditSite,
            CloseSite,
            ViewUsers,
            GrantRole(Role::Editor),
            GrantRole(Role::Reviewer),
            GrantRole(Role::Handler),
            GrantRole(Role::Leader),
            ViewAudit,
            ManageColumns,
            EditDraft,
            ViewDrafts,
            SubmitForReview,
            ViewTickets,
            ViewStats,
            RunSelfCheck,
        ],
        Role::Editor => vec![ReadPublic, ViewBackOffice, EditDraft, ViewDrafts, SubmitForReview],
        Role::Reviewer => vec![ReadPublic, ViewBackOffice, ViewDrafts, ReviewContent, PublishContent],
        Role::Handler => vec![ReadPublic, ViewBackOffice, ViewTickets, HandleTicket],
        Role::Leader => vec![ReadPublic, ViewBackOffice, ViewTickets, InstructTicket, ViewStats],
    }
}

const OWN: SiteId = SiteId(10);
const OTHER: SiteId = SiteId(20);

#[test]
fn matrix_of_roles_actions_and_sites() {
    let mut checked = 0;
    for role in Role::ALL {
        let scope = if role == Role::GroupAdmin { Scope::Group } else { Scope::Site(OWN) };
        let actor = Actor::user(UserId(1), "u", vec![Grant { role, scope }]);
        let allowed = spec(role);
        for action in all_actions() {
            for (label, resource) in [
                ("own site", Resource::Site(OWN)),
                ("own column", Resource::Column { site: OWN, column: 5 }),
                ("other site", Resource::Site(OTHER)),
                ("other column", Resource::Column { site: OTHER, column: 5 }),
                ("group", Resource::Group),
            ] {
                let expected = if role == Role::GroupAdmin || action == Action::ReadPublic {
                    true
                } else {
                    label.starts_with("own") && allowed.contains(&action)
                };
                let got = authorize(&actor, action, &resource).is_ok();
                assert_eq!(got, expected, "{role:?} {action:?} on {label}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6 * all_actions().len() * 5);
}

#[test]
fn anonymous_reads_public_only_and_system_does_anything() {
    for action in all_actions() {
        for resource in [Resource::Group, Resource::Site(OWN)] {
            assert_eq!(authorize(&Actor::anonymous(), action, &resource).is_ok(), action == Action::ReadPublic);
            assert!(authorize(&Actor::system("cli"), action, &resource).is_ok());
        }
    }
}

fn arb_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

fn arb_site_grant() -> impl Strategy<Value = Grant> {
    (arb_role(), 1i64..=6, proptest::option::of(1i64..=4)).prop_map(|(role, site, column)| Grant {
        role,
        scope: match column {
            Some(c) => Scope::Column { site: SiteId(site), column: c },
            None => Scope::Site(SiteId(site)),
        },
    })
}

proptest! {
    /// No actor scoped to some sites reads or writes anything of a site it holds no grant on.
    #[test]
    fn no_actor_reaches_a_site_it_has_no_grant_on(
        grants in proptest::collection::vec(arb_site_grant(), 0..6),
        target in 1i64..=8,
        column in 1i64..=4,
    ) {
        let actor = Actor::user(UserId(1), "u", grants.clone());
        let held: Vec<SiteId> = actor.site_scope().unwrap();
        prop_assume!(!held.contains(&SiteId(target)));
        for action in all_actions() {
            if action == Action::ReadPublic { continue; }
            prop_assert!(authorize(&actor, action, &Resource::Site(SiteId(target))).is_err());
            let on_column = Resource::Column { site: SiteId(target), column };
            prop_assert!(authorize(&actor, action, &on_column).is_err());
            prop_assert!(authorize(&actor, action, &Resource::Group).is_err());
        }
    }
}

mod through_the_facade {
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use sitegroup::{Actor, AuditQuery, Error, Grant, NewUser, Origin, Role, Scope, SiteGroup};
    use sitegroup_tests::{site, system};

    struct World {
        _dir: tempfile::TempDir,
        group: SiteGroup,
        /// (user name, role, site code) of each site-scoped user.
        people: Vec<(String, Role, String)>,
    }

    const SITES: [&str; 4] = ["a", "b", "c", "d"];
    const ROLES: [Role; 5] = [Role::SiteAdmin, Role::Editor, Role::Reviewer, Role::Handler, Role::Leader];

    fn world() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let group = SiteGroup::open(dir.path()).unwrap();
            site(&group, "portal", "portal", None, None);
            let mut people = vec![];
            for code in SITES {
                site(&group, code, "township", Some("portal"), Some(&format!("/{code}")));
                for role in ROLES {
                    let name = format!("{}-{code}", role.as_str().replace('_', ""));
                    let new = NewUser { username: name.clone(), display_name: None, unit: None };
                    group.add_user(&system(), &Origin::cli(), &new, Some("correct horse battery")).unwrap();
                    let site_id = group.site(code).unwrap().id;
                    group.grant(&system(), &Origin::cli(), &name, Grant { role, scope: Scope::Site(site_id) }).unwrap();
                    people.push((name, role, code.to_string()));
                }
            }
            World { _dir: dir, group, people }
        })
    }

    fn actor(w: &World, name: &str) -> Actor {
        let user = w.group.user(&system(), name).unwrap();
        w.group.actor_for(&user).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// A user scoped to one site never reads or changes another site through the
        /// facade, and a refused write leaves no trace.
        #[test]
        fn site_scoped_users_never_touch_other_sites(who in 0usize..20, other in 0usize..4, op in 0u8..6) {
            let w = world();
            let (name, _role, own) = &w.people[who];
            prop_assume!(SITES[other] != own.as_str());
            let target = w.group.site(SITES[other]).unwrap();
            let me = actor(w, name);
            let head = w.group.db().outbox_head().unwrap();
            let origin = Origin::web(Some("127.0.0.1".into()));
            let denied = |r: Result<(), Error>| matches!(r, Err(Error::Denied(_)));
            match op {
                0 => {
                    let query = AuditQuery { site: Some(target.id), ..Default::default() };
                    prop_assert!(denied(w.group.audit(&me, &query).map(|_| ())));
                }
                1 => prop_assert!(denied(w.group.close_site(&me, &origin, &target.code, "关闭", None).map(|_| ()))),
                2 => {
                    let grant = Grant { role: Role::Editor, scope: Scope::Site(target.id) };
                    prop_assert!(denied(w.group.grant(&me, &origin, name, grant).map(|_| ())));
                }
                3 => prop_assert!(!w.group.sites_for(&me).unwrap().iter().any(|s| s.id == target.id)),
                4 => {
                    // Users listed are only those of the actor's own site (if it may see users at all).
                    if let Ok(users) = w.group.list_users(&me) {
                        for u in users {
                            let (_, _, their_site) = w.people.iter().find(|p| p.0 == u.username).unwrap();
                            prop_assert_eq!(their_site, own);
                        }
                    }
                }
                _ => prop_assert!(denied(w.group.reopen_site(&me, &origin, &target.code).map(|_| ()))),
            }
            prop_assert_eq!(w.group.db().outbox_head().unwrap(), head, "a refused operation wrote something");
        }
    }
}
