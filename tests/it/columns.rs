//! Issue 3: columns (cross-crate tests) on both drivers: the tree through the facade,
//! stable paths with redirects, template skeletons, refusals that write nothing,
//! health through the facade, and tenancy of column management.

use sitegroup::columns::ColumnError;
use sitegroup::{
    AuditQuery, Column, ColumnActivity, ColumnChange, ColumnKind, ColumnLookup, Duty, Error, Grant, NewColumn, NewSite,
    NewUser, Origin, Owner, Role, Scope, SiteGroup, SiteId,
};
use sitegroup_tests::{for_each_group, site, system, two_channels};

fn o() -> Origin {
    Origin::other("test")
}

fn add(group: &SiteGroup, site: SiteId, parent: Option<i64>, name: &str) -> Column {
    let new = NewColumn { parent, name: name.into(), ..Default::default() };
    group.add_column(&system(), &o(), site, &new).unwrap()
}

fn audit_len(group: &SiteGroup) -> usize {
    group.audit(&system(), &AuditQuery { limit: Some(1000), ..Default::default() }).unwrap().len()
}

fn column_count(group: &SiteGroup, sites: &[SiteId]) -> usize {
    sites.iter().map(|s| group.columns(&system(), *s).unwrap().len()).sum()
}

/// Asserts `f` is refused as `expected` says and that nothing was written.
fn refused(
    group: &SiteGroup,
    sites: &[SiteId],
    label: &str,
    f: impl FnOnce() -> Result<(), Error>,
    expected: impl Fn(&Error) -> bool,
) {
    let head = group.db().outbox_head().unwrap();
    let audit = audit_len(group);
    let before: Vec<Vec<Column>> = sites.iter().map(|s| group.columns(&system(), *s).unwrap()).collect();
    match f() {
        Ok(()) => panic!("{label}: accepted"),
        Err(e) => assert!(expected(&e), "{label}: unexpected error {e:?}"),
    }
    assert_eq!(group.db().outbox_head().unwrap(), head, "{label}: outbox written");
    assert_eq!(audit_len(group), audit, "{label}: audit written");
    let after: Vec<Vec<Column>> = sites.iter().map(|s| group.columns(&system(), *s).unwrap()).collect();
    assert_eq!(after, before, "{label}: columns changed");
}

#[test]
fn crud_tree_and_audit() {
    for_each_group(|driver, group| {
        let (_portal, a, _b) = two_channels(group);
        let news = add(group, a.id, None, "新闻动态");
        assert_eq!((news.slug.as_str(), news.path.as_str()), ("xinwendongtai", "/xinwendongtai"), "{driver}");
        assert_eq!((news.kind(), news.duty), (ColumnKind::List, Duty::News));
        let photos = add(group, a.id, Some(news.id), "图片新闻");
        assert_eq!(photos.path, "/xinwendongtai/tupianxinwen");
        let again = add(group, a.id, Some(news.id), "图片·新闻");
        assert_eq!(again.slug, "tupian-xinwen");
        let dup = add(group, a.id, Some(news.id), "图片新闻");
        assert_eq!(dup.slug, "tupianxinwen-2", "{driver}: generated slugs are made unique");
        let notices = group
            .add_column(
                &system(),
                &o(),
                a.id,
                &NewColumn {
                    name: "通知公告".into(),
                    slug: Some("TZGG".into()),
                    duty: Some(Duty::Notice),
                    position: Some(-1),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(notices.path, "/tzgg");
        let link = group
            .add_column(
                &system(),
                &o(),
                a.id,
                &NewColumn {
                    name: "中国政府网".into(),
                    kind: ColumnKind::Link,
                    link_url: Some("https://www.gov.cn/".into()),
                    hidden: true,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(link.duty, Duty::Static);

        // Tree order: tzgg (position -1) first, then news and its children, then the link.
        let paths: Vec<String> = group.columns(&system(), a.id).unwrap().into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            [
                "/tzgg",
                "/xinwendongtai",
                "/xinwendongtai/tupianxinwen",
                "/xinwendongtai/tupian-xinwen",
                "/xinwendongtai/tupianxinwen-2",
                "/zhongguozhengfuwang"
            ]
        );
        // Navigation leaves out the hidden link.
        let public: Vec<i64> = group.public_columns(a.id).unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(public.len(), 5);
        assert!(!public.contains(&link.id));

        // Rename keeps the slug; reorder, duty and visibility change.
        let renamed = group
            .update_column(
                &system(),
                &o(),
                a.id,
                news.id,
                &ColumnChange {
                    name: Some("工作动态".into()),
                    position: Some(-5),
                    duty: Some(Duty::Custom(7)),
                    hidden: Some(true),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!((renamed.name.as_str(), renamed.slug.as_str()), ("工作动态", "xinwendongtai"));
        assert_eq!((renamed.position, renamed.duty, renamed.hidden), (-5, Duty::Custom(7), true));
        assert_eq!(group.column(&system(), a.id, news.id).unwrap(), renamed);
        // Hiding a parent hides its subtree from navigation.
        assert_eq!(group.public_columns(a.id).unwrap().len(), 1);

        // Owners: a user (name filled from the account) and a free-text name.
        let (user, _) = group
            .add_user(
                &system(),
                &o(),
                &NewUser { username: "wangfang".into(), display_name: Some("王芳".into()), unit: None },
                Some("correct horse battery"),
            )
            .unwrap();
        let owners = vec![
            Owner { user: Some(user.id), name: String::new(), phone: None },
            Owner { user: None, name: "李明（乡镇联络员）".into(), phone: Some("0553-6612345".into()) },
        ];
        let stored = group.set_column_owners(&system(), &o(), a.id, news.id, &owners).unwrap();
        assert_eq!(stored[0].name, "王芳");
        assert_eq!(group.column_owners(&system(), a.id).unwrap()[&news.id], stored);

        // A column grant must name a live column of that site.
        let g = Grant { role: Role::Editor, scope: Scope::Column { site: a.id, column: photos.id } };
        assert!(group.grant(&system(), &o(), "wangfang", g).unwrap());

        // Archive: refused with children, then leaf first.
        assert!(matches!(
            group.archive_column(&system(), &o(), a.id, news.id),
            Err(Error::Column(ColumnError::HasChildren(_)))
        ));
        let archived = group.archive_column(&system(), &o(), a.id, dup.id).unwrap();
        assert!(archived.archived_at.is_some());
        assert_eq!(group.column_by_path(a.id, &dup.path).unwrap(), ColumnLookup::NotFound);
        // The slug stays taken: a new 图片新闻 gets -3.
        assert_eq!(add(group, a.id, Some(news.id), "图片新闻").slug, "tupianxinwen-3");
        let restored = group.restore_column(&system(), &o(), a.id, dup.id).unwrap();
        assert!(restored.archived_at.is_none());

        // Every write left one audit entry and one outbox event named column.*.
        let entries = group.audit(&system(), &AuditQuery { site: Some(a.id), ..Default::default() }).unwrap();
        let create = entries.iter().filter(|e| e.entry.action == "column.create").count();
        assert_eq!(create, 7, "{driver}");
        assert!(
            entries
                .iter()
                .any(|e| e.entry.action == "column.update" && e.entry.target == format!("column:{}", news.id))
        );
        assert!(entries.iter().any(|e| e.entry.action == "column.owners"));
        assert!(
            entries
                .iter()
                .any(|e| e.entry.action == "column.archive" && e.entry.target == format!("column:{}", dup.id))
        );
        let events = group.db().outbox_read("columns-test", 1000).unwrap();
        assert_eq!(events.iter().filter(|e| e.kind == "column.create").count(), 7);
        assert!(events.iter().filter(|e| e.kind.starts_with("column.")).all(|e| e.site == Some(a.id.0)));
    });
}

#[test]
fn renames_and_moves_keep_old_paths_redirecting() {
    for_each_group(|driver, group| {
        let (_portal, a, b) = two_channels(group);
        let gk = add(group, a.id, None, "政务公开");
        let dt = add(group, a.id, Some(gk.id), "政务动态");
        let tp = add(group, a.id, Some(dt.id), "图片");
        let fw = add(group, a.id, None, "办事服务");
        let found = |path: &str| match group.column_by_path(a.id, path).unwrap() {
            ColumnLookup::Found(c) => c.id,
            other => panic!("{driver}: {path}: {other:?}"),
        };
        let redirect = |path: &str| group.column_by_path(a.id, path).unwrap();
        assert_eq!(found("/zhengwugongkai/zhengwudongtai/tupian"), tp.id);
        assert_eq!(found("/ZhengWuGongKai/zhengwudongtai/"), dt.id, "case and trailing slash");

        // A new slug for the top column: its subtree moves with it, old paths redirect.
        let renamed = group
            .update_column(
                &system(),
                &o(),
                a.id,
                gk.id,
                &ColumnChange { slug: Some("zwgk".into()), ..Default::default() },
            )
            .unwrap();
        assert_eq!(renamed.path, "/zwgk");
        assert_eq!(found("/zwgk/zhengwudongtai/tupian"), tp.id);
        assert_eq!(redirect("/zhengwugongkai"), ColumnLookup::Redirect("/zwgk".into()));
        assert_eq!(
            redirect("/zhengwugongkai/zhengwudongtai/tupian"),
            ColumnLookup::Redirect("/zwgk/zhengwudongtai/tupian".into())
        );

        // A move: old and older paths all lead to the current one (no chains).
        group
            .update_column(
                &system(),
                &o(),
                a.id,
                dt.id,
                &ColumnChange { parent: Some(Some(fw.id)), ..Default::default() },
            )
            .unwrap();
        assert_eq!(found("/banshifuwu/zhengwudongtai/tupian"), tp.id);
        for old in ["/zhengwugongkai/zhengwudongtai/tupian", "/zwgk/zhengwudongtai/tupian"] {
            assert_eq!(redirect(old), ColumnLookup::Redirect("/banshifuwu/zhengwudongtai/tupian".into()), "{old}");
        }
        // Renaming is not moving: the path stays.
        let r = group
            .update_column(
                &system(),
                &o(),
                a.id,
                dt.id,
                &ColumnChange { name: Some("要闻".into()), ..Default::default() },
            )
            .unwrap();
        assert_eq!(r.path, "/banshifuwu/zhengwudongtai");

        // A new column may take an old path: the live one wins.
        let newcomer = group
            .add_column(
                &system(),
                &o(),
                a.id,
                &NewColumn { name: "政务公开".into(), slug: Some("zhengwugongkai".into()), ..Default::default() },
            )
            .unwrap();
        assert_eq!(found("/zhengwugongkai"), newcomer.id);
        // Paths are per site: b knows none of these.
        assert_eq!(group.column_by_path(b.id, "/zwgk").unwrap(), ColumnLookup::NotFound);
        assert_eq!(group.column_by_path(a.id, "/nothing/here").unwrap(), ColumnLookup::NotFound);
        assert_eq!(group.column_by_path(a.id, "/<script>").unwrap(), ColumnLookup::NotFound);
        // Archiving the moved leaf: its old paths stop redirecting.
        group.archive_column(&system(), &o(), a.id, tp.id).unwrap();
        assert_eq!(redirect("/zwgk/zhengwudongtai/tupian"), ColumnLookup::NotFound);
    });
}

#[test]
fn template_copies_the_column_skeleton() {
    for_each_group(|driver, group| {
        let portal = site(group, "portal", "portal", None, None);
        let template = group
            .add_site(
                &system(),
                &o(),
                &NewSite {
                    code: "tpl".into(),
                    name: "乡镇模板".into(),
                    kind: "township".into(),
                    parent: Some(portal.id),
                    path_prefix: Some("/tpl".into()),
                    is_template: true,
                    ..Default::default()
                },
            )
            .unwrap();
        let t = template.id;
        let gk = add(group, t, None, "政务公开");
        let mk = |new: NewColumn| group.add_column(&system(), &o(), t, &new).unwrap();
        mk(NewColumn {
            parent: Some(gk.id),
            name: "人事信息".into(),
            duty: Some(Duty::Personnel),
            position: Some(3),
            ..Default::default()
        });
        mk(NewColumn {
            parent: Some(gk.id),
            name: "规划计划".into(),
            duty: Some(Duty::Custom(90)),
            hidden: true,
            ..Default::default()
        });
        mk(NewColumn {
            name: "乡镇概况".into(),
            kind: ColumnKind::SinglePage,
            slug: Some("gk".into()),
            ..Default::default()
        });
        let topic = mk(NewColumn {
            name: "乡村振兴".into(),
            kind: ColumnKind::Topic,
            banner: Some("banners/xczx.jpg".into()),
            ..Default::default()
        });
        mk(NewColumn { parent: Some(topic.id), name: "工作动态".into(), ..Default::default() });
        let gone = add(group, t, None, "旧栏目");
        add(group, t, Some(gone.id), "旧子栏目");
        let leaf = group.columns(&system(), t).unwrap().into_iter().find(|c| c.name == "旧子栏目").unwrap();
        group.archive_column(&system(), &o(), t, leaf.id).unwrap();
        group.archive_column(&system(), &o(), t, gone.id).unwrap();
        group
            .set_column_owners(&system(), &o(), t, gk.id, &[Owner { user: None, name: "张三".into(), phone: None }])
            .unwrap();

        let head = group.db().outbox_head().unwrap();
        let new = group
            .add_site_from_template(
                &system(),
                &o(),
                "tpl",
                &NewSite {
                    code: "xz1".into(),
                    name: "某某镇".into(),
                    parent: Some(portal.id),
                    path_prefix: Some("/xz1".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(group.db().outbox_head().unwrap(), head + 1, "{driver}: one event for the whole creation");
        let skeleton = |s: SiteId| -> Vec<_> {
            let cols = group.columns(&system(), s).unwrap();
            let path_of = |id: Option<i64>| id.map(|p| cols.iter().find(|c| c.id == p).unwrap().path.clone());
            cols.iter()
                .filter(|c| c.archived_at.is_none())
                .map(|c| {
                    (
                        path_of(c.parent),
                        c.kind.clone(),
                        c.name.clone(),
                        c.slug.clone(),
                        c.path.clone(),
                        c.duty,
                        c.position,
                        c.hidden,
                        c.banner.clone(),
                    )
                })
                .collect()
        };
        let copied = group.columns(&system(), new.id).unwrap();
        assert_eq!(copied.len(), 6, "{driver}: archived columns are not copied");
        assert_eq!(skeleton(new.id), skeleton(t));
        assert!(copied.iter().all(|c| c.site == new.id && c.archived_at.is_none()));
        let template_ids: Vec<i64> = group.columns(&system(), t).unwrap().iter().map(|c| c.id).collect();
        assert!(copied.iter().all(|c| !template_ids.contains(&c.id)));
        assert!(group.column_owners(&system(), new.id).unwrap().is_empty(), "owners are not copied");
        assert!(matches!(group.column_by_path(new.id, "/zhengwugongkai/renshixinxi").unwrap(), ColumnLookup::Found(_)));
        // Editing the copy leaves the template alone.
        let copy_gk = copied.iter().find(|c| c.path == "/zhengwugongkai").unwrap();
        group
            .update_column(
                &system(),
                &o(),
                new.id,
                copy_gk.id,
                &ColumnChange { slug: Some("zwgk".into()), ..Default::default() },
            )
            .unwrap();
        assert!(matches!(group.column_by_path(t, "/zhengwugongkai").unwrap(), ColumnLookup::Found(_)));
    });
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    for_each_group(|driver, group| {
        let (_portal, a, b) = two_channels(group);
        let sites = [a.id, b.id];
        let me = system();
        let gk = add(group, a.id, None, "政务公开");
        let dt = add(group, a.id, Some(gk.id), "政务动态");
        let link = group
            .add_column(
                &me,
                &o(),
                a.id,
                &NewColumn {
                    name: "外链".into(),
                    kind: ColumnKind::Link,
                    link_url: Some("https://x.cn".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let other = add(group, b.id, None, "别站栏目");
        group
            .add_user(
                &me,
                &o(),
                &NewUser { username: "ed".into(), display_name: None, unit: None },
                Some("correct horse battery"),
            )
            .unwrap();
        let t = |l: &str| format!("{driver}: {l}");
        let new = |name: &str| NewColumn { name: name.into(), ..Default::default() };
        let is_col = |f: fn(&ColumnError) -> bool| move |e: &Error| matches!(e, Error::Column(c) if f(c));
        let invalid = |e: &Error| matches!(e, Error::Column(ColumnError::Invalid(_)) | Error::Invalid(_));

        refused(group, &sites, &t("empty name"), || group.add_column(&me, &o(), a.id, &new("  ")).map(|_| ()), invalid);
        refused(
            group,
            &sites,
            &t("long name"),
            || group.add_column(&me, &o(), a.id, &new(&"名".repeat(61))).map(|_| ()),
            invalid,
        );
        refused(
            group,
            &sites,
            &t("bad slug"),
            || group.add_column(&me, &o(), a.id, &NewColumn { slug: Some("新闻".into()), ..new("新闻") }).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::BadSlug { .. })),
        );
        refused(
            group,
            &sites,
            &t("reserved slug"),
            || group.add_column(&me, &o(), a.id, &NewColumn { slug: Some("admin".into()), ..new("管理") }).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::ReservedSlug(_))),
        );
        refused(
            group,
            &sites,
            &t("duplicate slug"),
            || {
                let n = NewColumn { parent: Some(gk.id), slug: Some("zhengwudongtai".into()), ..new("又一个") };
                group.add_column(&me, &o(), a.id, &n).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::DuplicateSlug { .. })),
        );
        refused(
            group,
            &sites,
            &t("unknown parent"),
            || group.add_column(&me, &o(), a.id, &NewColumn { parent: Some(999_999), ..new("孤儿") }).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::UnknownParent(999_999))),
        );
        refused(
            group,
            &sites,
            &t("parent in another site"),
            || group.add_column(&me, &o(), a.id, &NewColumn { parent: Some(other.id), ..new("越界") }).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::WrongSite { .. })),
        );
        refused(
            group,
            &sites,
            &t("child of a link"),
            || group.add_column(&me, &o(), a.id, &NewColumn { parent: Some(link.id), ..new("子") }).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::NoChildren { .. })),
        );
        refused(
            group,
            &sites,
            &t("link without URL"),
            || group.add_column(&me, &o(), a.id, &NewColumn { kind: ColumnKind::Link, ..new("链") }).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::KindField { .. })),
        );
        refused(
            group,
            &sites,
            &t("cycle"),
            || {
                let c = ColumnChange { parent: Some(Some(dt.id)), ..Default::default() };
                group.update_column(&me, &o(), a.id, gk.id, &c).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::Cycle { .. })),
        );
        refused(
            group,
            &sites,
            &t("move to another site's column"),
            || {
                let c = ColumnChange { parent: Some(Some(other.id)), ..Default::default() };
                group.update_column(&me, &o(), a.id, dt.id, &c).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::WrongSite { .. })),
        );
        refused(
            group,
            &sites,
            &t("another site's column through this site"),
            || {
                let c = ColumnChange { name: Some("改名".into()), ..Default::default() };
                group.update_column(&me, &o(), a.id, other.id, &c).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::NotFound(_))),
        );
        refused(
            group,
            &sites,
            &t("slug taken by a sibling"),
            || {
                let c = ColumnChange { slug: Some("zhengwugongkai".into()), parent: Some(None), ..Default::default() };
                group.update_column(&me, &o(), a.id, dt.id, &c).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::DuplicateSlug { .. })),
        );
        refused(
            group,
            &sites,
            &t("a parent turned into a link"),
            || {
                let c = ColumnChange {
                    kind: Some(ColumnKind::Link),
                    link_url: Some(Some("https://x.cn".into())),
                    ..Default::default()
                };
                group.update_column(&me, &o(), a.id, gk.id, &c).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::NoChildren { .. })),
        );
        refused(
            group,
            &sites,
            &t("bad duty"),
            || {
                let duty = Duty::parse("fortnight")?;
                group
                    .update_column(&me, &o(), a.id, dt.id, &ColumnChange { duty: Some(duty), ..Default::default() })
                    .map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::BadDuty(_))),
        );
        refused(
            group,
            &sites,
            &t("archive with children"),
            || group.archive_column(&me, &o(), a.id, gk.id).map(|_| ()),
            is_col(|c| matches!(c, ColumnError::HasChildren(_))),
        );
        refused(
            group,
            &sites,
            &t("owner without a name"),
            || {
                group
                    .set_column_owners(&me, &o(), a.id, dt.id, &[Owner { user: None, name: " ".into(), phone: None }])
                    .map(|_| ())
            },
            invalid,
        );
        refused(
            group,
            &sites,
            &t("owner who is no user"),
            || {
                let ghost = Owner { user: Some(sitegroup::UserId(999_999)), name: "鬼".into(), phone: None };
                group.set_column_owners(&me, &o(), a.id, dt.id, &[ghost]).map(|_| ())
            },
            |e| matches!(e, Error::NotFound { what: "user", .. }),
        );
        refused(
            group,
            &sites,
            &t("grant on another site's column"),
            || {
                let g = Grant { role: Role::Editor, scope: Scope::Column { site: a.id, column: other.id } };
                group.grant(&me, &o(), "ed", g).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::WrongSite { .. })),
        );
        refused(
            group,
            &sites,
            &t("grant on a missing column"),
            || {
                let g = Grant { role: Role::Editor, scope: Scope::Column { site: a.id, column: 999_999 } };
                group.grant(&me, &o(), "ed", g).map(|_| ())
            },
            is_col(|c| matches!(c, ColumnError::NotFound(_))),
        );
        refused(
            group,
            &sites,
            &t("unknown site"),
            || group.add_column(&me, &o(), SiteId(999_999), &new("无站")).map(|_| ()),
            |e| matches!(e, Error::NotFound { what: "site", .. }),
        );
        assert_eq!(column_count(group, &sites), 4);
    });
}

#[test]
fn health_through_the_facade() {
    for_each_group(|driver, group| {
        let (_portal, a, _b) = two_channels(group);
        let now = group.now();
        let day = 86_400;
        let news = add(group, a.id, None, "新闻动态"); // created now: due in 14 days
        let notice = group
            .add_column(
                &system(),
                &o(),
                a.id,
                &NewColumn { name: "通知公告".into(), duty: Some(Duty::Notice), ..Default::default() },
            )
            .unwrap();
        let page = group
            .add_column(
                &system(),
                &o(),
                a.id,
                &NewColumn { name: "概况".into(), kind: ColumnKind::SinglePage, ..Default::default() },
            )
            .unwrap();
        group.set_column_min_rate(&system(), &o(), a.id, 8).unwrap();
        group
            .set_column_owners(
                &system(),
                &o(),
                a.id,
                news.id,
                &[Owner { user: None, name: "王芳".into(), phone: None }],
            )
            .unwrap();
        let activity = [
            ColumnActivity {
                column: news.id,
                last_published_at: Some(now - 10 * day),
                published_total: 30,
                published_in_window: 20,
            },
            ColumnActivity {
                column: notice.id,
                last_published_at: Some(now - 200 * day),
                published_total: 4,
                published_in_window: 0,
            },
        ];
        let h = group.column_health_of(&system(), a.id, &activity, 3).unwrap();
        let get = |id: i64| h.columns.iter().find(|c| c.column == id).unwrap();
        // news: 10 days ago, due in 4 days: lapses soon. notice: 200 - 183 = 17 days overdue.
        assert_eq!(get(news.id).lapses_in_seconds, Some(4 * day), "{driver}");
        assert_eq!(get(notice.id).overdue_days, 17);
        assert!(get(page.id).blank);
        assert_eq!((h.blank_count, h.stale_news, h.stale_notice, h.not_updated), (1, 0, 1, 1));
        // Rate: 20 in 3 days against 8 a day = 24.
        assert_eq!((h.rate.required, h.rate.published, h.rate.met), (24, 20, false));
        assert!(h.vetoes.is_empty());
        let reminders = group.column_reminders(&system(), a.id, &activity, 3).unwrap();
        let names: Vec<(&str, usize)> = reminders.iter().map(|r| (r.health.name.as_str(), r.owners.len())).collect();
        assert_eq!(names, vec![("新闻动态", 1), ("通知公告", 0)]);
    });
}

mod tenancy {
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use sitegroup::{Actor, ColumnChange, Error, Grant, NewColumn, NewUser, Origin, Owner, Role, Scope, SiteGroup};
    use sitegroup_tests::{site, system};

    struct World {
        _dir: tempfile::TempDir,
        group: SiteGroup,
        /// (user name, site code) of each user; every role, plus a column-scoped editor.
        people: Vec<(String, String)>,
        /// A column of each site, by site code.
        columns: Vec<(String, i64)>,
    }

    const SITES: [&str; 3] = ["a", "b", "c"];
    const ROLES: [Role; 5] = [Role::SiteAdmin, Role::Editor, Role::Reviewer, Role::Handler, Role::Leader];

    fn world() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let group = SiteGroup::open(dir.path()).unwrap();
            let cli = Origin::cli();
            site(&group, "portal", "portal", None, None);
            let mut people = vec![];
            let mut columns = vec![];
            for code in SITES {
                let s = site(&group, code, "township", Some("portal"), Some(&format!("/{code}")));
                let col = group
                    .add_column(&system(), &cli, s.id, &NewColumn { name: "新闻动态".into(), ..Default::default() })
                    .unwrap();
                columns.push((code.to_string(), col.id));
                let mut grants: Vec<(String, Grant)> = ROLES
                    .iter()
                    .map(|r| {
                        (
                            format!("{}-{code}", r.as_str().replace('_', "")),
                            Grant { role: *r, scope: Scope::Site(s.id) },
                        )
                    })
                    .collect();
                grants.push((
                    format!("coled-{code}"),
                    Grant { role: Role::Editor, scope: Scope::Column { site: s.id, column: col.id } },
                ));
                for (name, grant) in grants {
                    let new = NewUser { username: name.clone(), display_name: None, unit: None };
                    group.add_user(&system(), &cli, &new, Some("correct horse battery")).unwrap();
                    group.grant(&system(), &cli, &name, grant).unwrap();
                    people.push((name, code.to_string()));
                }
            }
            World { _dir: dir, group, people, columns }
        })
    }

    fn actor(w: &World, name: &str) -> Actor {
        let user = w.group.user(&system(), name).unwrap();
        w.group.actor_for(&user).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// An actor whose grants cover only its own site never creates, changes, lists
        /// or reads the back-office columns of another site, and a refusal writes nothing.
        #[test]
        fn grants_on_one_site_never_reach_another(who in 0usize..18, other in 0usize..3, op in 0u8..10, name in "[\\p{Han}a-z]{1,8}") {
            let w = world();
            let (user, own) = &w.people[who];
            prop_assume!(SITES[other] != own.as_str());
            let target = w.group.site(SITES[other]).unwrap();
            let col = w.columns.iter().find(|(c, _)| c == SITES[other]).unwrap().1;
            let me = actor(w, user);
            let origin = Origin::web(None);
            let head = w.group.db().outbox_head().unwrap();
            let denied = |r: Result<(), Error>| matches!(r, Err(Error::Denied(_)));
            let new = NewColumn { name: name.clone(), ..Default::default() };
            let change = ColumnChange { name: Some(name.clone()), ..Default::default() };
            let result = match op {
                0 => w.group.add_column(&me, &origin, target.id, &new).map(|_| ()),
                1 => w.group.update_column(&me, &origin, target.id, col, &change).map(|_| ()),
                2 => w.group.set_column_owners(&me, &origin, target.id, col, &[Owner { user: None, name, phone: None }]).map(|_| ()),
                3 => w.group.archive_column(&me, &origin, target.id, col).map(|_| ()),
                4 => w.group.columns(&me, target.id).map(|_| ()),
                5 => w.group.column(&me, target.id, col).map(|_| ()),
                6 => w.group.column_owners(&me, target.id).map(|_| ()),
                7 => w.group.set_column_min_rate(&me, &origin, target.id, 3).map(|_| ()),
                8 => w.group.column_health_of(&me, target.id, &[], 1).map(|_| ()),
                _ => {
                    // Moving a column of its own site under the other site's column: refused
                    // (denied, or for the own site's admin a cross-site move).
                    let own_site = w.group.site(own).unwrap();
                    let own_col = w.columns.iter().find(|(c, _)| c == own).unwrap().1;
                    let mv = ColumnChange { parent: Some(Some(col)), ..Default::default() };
                    let r = w.group.update_column(&me, &origin, own_site.id, own_col, &mv).map(|_| ());
                    let wrong_site = matches!(&r, Err(Error::Column(sitegroup::columns::ColumnError::WrongSite { .. })));
                    prop_assert!(denied(r) || (wrong_site && user.starts_with("siteadmin")), "{user} moved across sites");
                    prop_assert_eq!(w.group.db().outbox_head().unwrap(), head, "a refused move wrote something");
                    return Ok(());
                }
            };
            prop_assert!(denied(result), "{user} reached site {} with op {op}", SITES[other]);
            prop_assert_eq!(w.group.db().outbox_head().unwrap(), head, "a refused operation wrote something");
        }
    }
}
