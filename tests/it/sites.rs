//! Sites through the facade on both drivers: creation, resolution, closing, templates,
//! and bad input that must give a clear error and write nothing.

use sitegroup::{Error, NewSite, Origin, SiteGroup, SiteIdentity, SiteStatus, ValidationError};
use sitegroup_tests::{for_each_group, site, system, two_channels, unit};

/// Asserts `f` fails as `expected` says and that nothing was written (no audit entry,
/// no outbox event, same sites).
fn refused(group: &SiteGroup, label: &str, f: impl FnOnce() -> Result<(), Error>, expected: impl Fn(&Error) -> bool) {
    let head = group.db().outbox_head().unwrap();
    let sites = group.refresh_sites().unwrap().sites().len();
    let audit = group.audit(&system(), &Default::default()).unwrap().len();
    match f() {
        Ok(()) => panic!("{label}: accepted"),
        Err(e) => assert!(expected(&e), "{label}: unexpected error {e:?}"),
    }
    assert_eq!(group.db().outbox_head().unwrap(), head, "{label}: outbox written");
    assert_eq!(group.refresh_sites().unwrap().sites().len(), sites, "{label}: site written");
    assert_eq!(group.audit(&system(), &Default::default()).unwrap().len(), audit, "{label}: audit written");
}

fn new_site(code: &str, kind: &str, parent: Option<&sitegroup::Site>, prefix: Option<&str>) -> NewSite {
    NewSite {
        code: code.into(),
        name: format!("站点{code}"),
        kind: kind.into(),
        parent: parent.map(|p| p.id),
        path_prefix: prefix.map(String::from),
        ..Default::default()
    }
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_writes_nothing() {
    for_each_group(|driver, group| {
        let (portal, a, _b) = two_channels(group);
        let me = system();
        let o = Origin::cli();
        let t = |label: &str| format!("{driver}: {label}");
        refused(
            group,
            &t("unknown site"),
            || group.close_site(&me, &o, "nosuch", "关闭", None).map(|_| ()),
            |e| matches!(e, Error::NotFound { what: "site", .. }),
        );
        refused(
            group,
            &t("duplicate code"),
            || group.add_site(&me, &o, &new_site("A", "department", Some(&portal), Some("/a2"))).map(|_| ()),
            |e| matches!(e, Error::Duplicate { what: "site", .. }),
        );
        refused(
            group,
            &t("prefix taken"),
            || group.add_site(&me, &o, &new_site("a3", "department", Some(&portal), Some("/A/"))).map(|_| ()),
            |e| matches!(e, Error::PrefixTaken { owner, .. } if owner == "a"),
        );
        refused(
            group,
            &t("second portal"),
            || group.add_site(&me, &o, &new_site("p2", "portal", None, None)).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Rule(_))),
        );
        refused(
            group,
            &t("channel without parent"),
            || group.add_site(&me, &o, &new_site("x", "township", None, Some("/x"))).map(|_| ()),
            |e| matches!(e, Error::Invalid(_)),
        );
        refused(
            group,
            &t("department inside a department"),
            || group.add_site(&me, &o, &new_site("x", "department", Some(&a), Some("/x"))).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Rule(_))),
        );
        refused(
            group,
            &t("empty name"),
            || {
                group
                    .add_site(&me, &o, &NewSite { name: "   ".into(), ..new_site("x", "topic", Some(&a), Some("/x")) })
                    .map(|_| ())
            },
            |e| matches!(e, Error::Invalid(ValidationError::Empty { field: "name" })),
        );
        refused(
            group,
            &t("unknown kind"),
            || group.add_site(&me, &o, &new_site("x", "ministry", Some(&portal), Some("/x"))).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Malformed { field: "kind", .. })),
        );
        refused(
            group,
            &t("identity on a channel"),
            || {
                let mut n = new_site("x", "department", Some(&portal), Some("/x"));
                n.identity = SiteIdentity { site_code: Some("3402250001".into()), ..Default::default() };
                group.add_site(&me, &o, &n).map(|_| ())
            },
            |e| matches!(e, Error::Invalid(ValidationError::Rule(_))),
        );
        refused(
            group,
            &t("10 MB name"),
            || {
                group
                    .add_site(
                        &me,
                        &o,
                        &NewSite { name: "政".repeat(10 << 20), ..new_site("x", "topic", Some(&a), Some("/x")) },
                    )
                    .map(|_| ())
            },
            |e| matches!(e, Error::Invalid(ValidationError::TooLong { field: "name", .. })),
        );
        refused(
            group,
            &t("script in the path"),
            || group.add_site(&me, &o, &new_site("x", "topic", Some(&a), Some("/<script>"))).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Malformed { field: "path_prefix", .. })),
        );
        refused(
            group,
            &t("bad redirect"),
            || group.close_site(&me, &o, "a", "关闭", Some("javascript:alert(1)")).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Malformed { field: "redirect", .. })),
        );
        // A topic under a: moving a under its own topic would make a cycle.
        let topic = site(group, "zt", "topic", Some("a"), Some("/a/zt"));
        assert_eq!(topic.parent, Some(a.id));
        refused(
            group,
            &t("cycle"),
            || group.move_site(&me, &o, "a", Some("zt")).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Rule(m)) if m.contains("cycle")),
        );
        refused(
            group,
            &t("self parent"),
            || group.move_site(&me, &o, "zt", Some("zt")).map(|_| ()),
            |e| matches!(e, Error::Invalid(ValidationError::Rule(_))),
        );
        let website = group
            .add_site(
                &me,
                &o,
                &NewSite { hosts: vec!["Www.Example.GOV.cn".into()], ..new_site("w", "website", Some(&portal), None) },
            )
            .unwrap();
        assert_eq!(website.hosts, vec!["www.example.gov.cn".to_string()]);
        refused(
            group,
            &t("host taken"),
            || {
                group
                    .add_site(
                        &me,
                        &o,
                        &NewSite { hosts: vec!["www.example.gov.cn".into()], ..new_site("w2", "website", None, None) },
                    )
                    .map(|_| ())
            },
            |e| matches!(e, Error::HostTaken { owner, .. } if owner == "w"),
        );
        refused(
            group,
            &t("unknown unit"),
            || {
                group
                    .add_unit(
                        &me,
                        &o,
                        &sitegroup::NewUnit { code: "".into(), name: "x".into(), kind: sitegroup::UnitKind::Other },
                    )
                    .map(|_| ())
            },
            |e| matches!(e, Error::Invalid(ValidationError::Empty { field: "code" })),
        );
        unit(group, "jyj", "无为县教育局");
        refused(
            group,
            &t("duplicate unit"),
            || {
                group
                    .add_unit(
                        &me,
                        &o,
                        &sitegroup::NewUnit { code: "JYJ".into(), name: "x".into(), kind: sitegroup::UnitKind::Other },
                    )
                    .map(|_| ())
            },
            |e| matches!(e, Error::Duplicate { what: "unit", .. }),
        );
    });
}

#[test]
fn sites_resolve_close_reopen_and_inherit_identity() {
    for_each_group(|driver, group| {
        let me = system();
        let o = Origin::cli();
        let portal = group
            .add_site(
                &me,
                &o,
                &NewSite {
                    hosts: vec!["www.wuwei.gov.cn".into()],
                    identity: SiteIdentity {
                        site_code: Some("3402250001".into()),
                        icp: Some("皖ICP备05001234号".into()),
                        police_filing: None,
                    },
                    ..new_site("portal", "portal", None, None)
                },
            )
            .unwrap();
        let jyj = site(group, "jyj", "department", Some("portal"), Some("/jyj"));
        let zt = site(group, "jyj-zt", "topic", Some("jyj"), Some("/jyj/zt"));
        let tree = group.site_tree().unwrap();
        let resolve = |host: &str, path: &str| tree.resolve(host, path).map(|(s, rest)| (s.code.clone(), rest));
        assert_eq!(resolve("www.wuwei.gov.cn", "/"), Some(("portal".into(), "/".into())), "{driver}");
        assert_eq!(resolve("WWW.WUWEI.GOV.CN:8080", "/jyj/news/1.html"), Some(("jyj".into(), "/news/1.html".into())));
        assert_eq!(resolve("127.0.0.1:8080", "/jyj/zt/"), Some(("jyj-zt".into(), "/".into())));
        assert_eq!(
            tree.identity(zt.id).site_code.as_deref(),
            Some("3402250001"),
            "a channel inherits its website's code"
        );
        assert_eq!(tree.identity(jyj.id).icp, portal.identity.icp);

        let closed = group.close_site(&me, &o, "jyj", "本网站已整合至县政府门户网站", Some("/")).unwrap();
        assert_eq!(
            closed.status,
            SiteStatus::Closed {
                notice: "本网站已整合至县政府门户网站".into(), redirect: Some("/".into())
            }
        );
        let (s, _) = group.resolve("localhost", "/jyj").unwrap().unwrap();
        assert!(matches!(s.status, SiteStatus::Closed { .. }), "closed sites still resolve, to show their notice");
        assert_eq!(group.reopen_site(&me, &o, "jyj").unwrap().status, SiteStatus::Open);
        // Archiving needs the children archived first.
        assert!(matches!(group.archive_site(&me, &o, "jyj"), Err(Error::Invalid(_))));
        group.archive_site(&me, &o, "jyj-zt").unwrap();
        group.archive_site(&me, &o, "jyj").unwrap();
        assert_eq!(
            group.resolve("localhost", "/jyj/x").unwrap().unwrap().0.code,
            "portal",
            "archived sites no longer resolve"
        );
        assert!(matches!(group.reopen_site(&me, &o, "jyj"), Err(Error::Invalid(_))));
    });
}

#[test]
fn sites_from_a_template_take_its_kind() {
    for_each_group(|_driver, group| {
        let me = system();
        let o = Origin::cli();
        two_channels(group);
        let tpl = group
            .add_site(
                &me,
                &o,
                &NewSite {
                    is_template: true,
                    short_name: Some("乡镇".into()),
                    ..new_site("tpl-town", "township", Some(&group.site("portal").unwrap()), Some("/tpl"))
                },
            )
            .unwrap();
        let mut n = new_site("gdz", "", Some(&group.site("portal").unwrap()), Some("/gdz"));
        n.name = "高沟镇".into();
        let s = group.add_site_from_template(&me, &o, "tpl-town", &n).unwrap();
        assert_eq!(s.kind, tpl.kind);
        assert!(!s.is_template);
        assert!(
            matches!(
                group.add_site_from_template(&me, &o, "a", &new_site("q", "", None, Some("/q"))),
                Err(Error::Invalid(_))
            ),
            "a is no template"
        );
    });
}
