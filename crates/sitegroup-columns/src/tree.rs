//! The column tree as pure rules: validating fields, placing a new column, planning a
//! move or a slug change (with the paths it rewrites), ordering and filtering.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sitegroup_core::error::required_text;

use crate::slug::{slugify, unique_slug, validate_slug};
use crate::{Column, ColumnError, ColumnKind, Duty};

/// Deepest level of the tree (a top-level column is at depth 1).
pub const MAX_DEPTH: usize = 6;
/// Longest column name, in characters.
pub const MAX_NAME: usize = 60;
/// Longest link URL or banner reference, in characters.
pub const MAX_URL: usize = 500;

/// The editable fields of a column, apart from its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnFields {
    /// Kind.
    pub kind: ColumnKind,
    /// Display name.
    pub name: String,
    /// Update duty.
    pub duty: Duty,
    /// Hidden from navigation (still reachable by its path).
    pub hidden: bool,
    /// Link columns: the external URL (http or https).
    pub link_url: Option<String>,
    /// Topic columns: the banner image, a URL or a stored file key.
    pub banner: Option<String>,
    /// Topic columns: first day of the topic.
    pub starts_on: Option<NaiveDate>,
    /// Topic columns: last day of the topic; after it the topic and its sub-columns
    /// carry no update duty.
    pub ends_on: Option<NaiveDate>,
}

/// The duty a new column gets when none is given: list → news, disclosure → notice,
/// everything else → static.
pub fn default_duty(kind: &ColumnKind) -> Duty {
    match kind {
        ColumnKind::List => Duty::News,
        ColumnKind::Disclosure => Duty::Notice,
        _ => Duty::Static,
    }
}

/// Checks the fields: the name (1–60 characters), the kind-specific fields (a link
/// needs an http(s) URL and has the static duty; banner and dates belong to topics
/// only, start not after end). Returns them trimmed.
pub fn validate_fields(f: &ColumnFields) -> Result<ColumnFields, ColumnError> {
    let name = required_text("name", &f.name, MAX_NAME)?;
    let link_url = f.link_url.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let banner = f.banner.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let kind_field = |field: &'static str| ColumnError::KindField { kind: f.kind.as_str().to_string(), field };
    match f.kind {
        ColumnKind::Link => {
            let url = link_url.as_deref().ok_or(kind_field("link_url"))?;
            check_url("link_url", url, false)?;
            if f.duty != Duty::Static {
                return Err(kind_field("duty"));
            }
        }
        _ if link_url.is_some() => return Err(kind_field("link_url")),
        _ => {}
    }
    if f.kind == ColumnKind::Topic {
        if let Some(b) = &banner {
            check_url("banner", b, true)?;
        }
        if let (Some(s), Some(e)) = (f.starts_on, f.ends_on)
            && s > e
        {
            return Err(sitegroup_core::ValidationError::Rule("a topic cannot end before it starts".into()).into());
        }
    } else {
        if banner.is_some() {
            return Err(kind_field("banner"));
        }
        if f.starts_on.is_some() {
            return Err(kind_field("starts_on"));
        }
        if f.ends_on.is_some() {
            return Err(kind_field("ends_on"));
        }
    }
    Ok(ColumnFields {
        kind: f.kind.clone(),
        name,
        duty: f.duty,
        hidden: f.hidden,
        link_url,
        banner,
        starts_on: f.starts_on,
        ends_on: f.ends_on,
    })
}

/// An http(s) URL, or (when `file_key` is allowed) a site path `/…` or a stored file
/// key of `[A-Za-z0-9._/-]` without `..`.
fn check_url(field: &'static str, v: &str, file_key: bool) -> Result<(), ColumnError> {
    let bad = |reason: &str| sitegroup_core::ValidationError::Malformed { field, reason: reason.into() };
    if v.chars().count() > MAX_URL {
        return Err(sitegroup_core::ValidationError::TooLong { field, len: v.chars().count(), max: MAX_URL }.into());
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
        return Err(bad("contains spaces, quotes or control characters").into());
    }
    let lower = v.to_ascii_lowercase();
    for scheme in ["https://", "http://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            return if rest.is_empty() || rest.starts_with('/') { Err(bad("no host").into()) } else { Ok(()) };
        }
    }
    if file_key
        && !v.starts_with("//")
        && !v.contains("..")
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
    {
        return Ok(());
    }
    Err(bad(if file_key { "use an http(s) URL, a path or a file key" } else { "use an http(s) URL" }).into())
}

/// 新栏目 (a new column) as typed in the back office or the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewColumn {
    /// Parent column, `None` at the top of the site.
    pub parent: Option<i64>,
    /// Kind (default: list).
    pub kind: ColumnKind,
    /// Display name, e.g. 新闻动态.
    pub name: String,
    /// Slug; `None` derives one from the name in pinyin, made unique under the parent.
    pub slug: Option<String>,
    /// Update duty; `None` takes [`default_duty`] of the kind.
    pub duty: Option<Duty>,
    /// Hidden from navigation.
    pub hidden: bool,
    /// Sort key among its siblings; `None` puts it after the last one.
    pub position: Option<i64>,
    /// Link columns: the URL.
    pub link_url: Option<String>,
    /// Topic columns: the banner.
    pub banner: Option<String>,
    /// Topic columns: first day.
    pub starts_on: Option<NaiveDate>,
    /// Topic columns: last day.
    pub ends_on: Option<NaiveDate>,
}

impl NewColumn {
    /// The fields, with the default duty filled in (not yet validated).
    pub fn fields(&self) -> ColumnFields {
        ColumnFields {
            kind: self.kind.clone(),
            name: self.name.clone(),
            duty: self.duty.unwrap_or_else(|| default_duty(&self.kind)),
            hidden: self.hidden,
            link_url: self.link_url.clone(),
            banner: self.banner.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

/// A change to a column: every `None` leaves that field as it is; for the nullable
/// fields `Some(None)` clears it. Renaming changes the name only, never the slug.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChange {
    /// New display name.
    pub name: Option<String>,
    /// New slug (the old path then redirects).
    pub slug: Option<String>,
    /// New parent within the same site (`Some(None)`: move to the top).
    pub parent: Option<Option<i64>>,
    /// New sort key among siblings.
    pub position: Option<i64>,
    /// Show or hide in navigation.
    pub hidden: Option<bool>,
    /// New update duty.
    pub duty: Option<Duty>,
    /// New kind; fields of the old kind that the new one does not have are cleared
    /// unless given.
    pub kind: Option<ColumnKind>,
    /// Link URL.
    pub link_url: Option<Option<String>>,
    /// Topic banner.
    pub banner: Option<Option<String>>,
    /// Topic start.
    pub starts_on: Option<Option<NaiveDate>>,
    /// Topic end.
    pub ends_on: Option<Option<NaiveDate>>,
}

impl ColumnChange {
    /// Whether the change moves the column or changes its slug (so paths change).
    pub fn touches_path(&self) -> bool {
        self.slug.is_some() || self.parent.is_some()
    }

    /// The column's fields after the change (not yet validated). When the kind changes
    /// away from link or topic, that kind's fields are cleared unless the change sets
    /// them; a change to link without a duty sets the static duty.
    pub fn apply(&self, current: &Column) -> ColumnFields {
        let old_kind = current.kind();
        let kind = self.kind.clone().unwrap_or_else(|| old_kind.clone());
        let kind_changed = kind != old_kind;
        let keep = |old: &Option<String>, keep_for: ColumnKind| {
            if kind_changed && kind != keep_for { None } else { old.clone() }
        };
        let keep_date = |old: Option<NaiveDate>| if kind_changed && kind != ColumnKind::Topic { None } else { old };
        let duty = match self.duty {
            Some(d) => d,
            None if kind_changed && kind == ColumnKind::Link => Duty::Static,
            None => current.duty,
        };
        ColumnFields {
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            duty,
            hidden: self.hidden.unwrap_or(current.hidden),
            link_url: self.link_url.clone().unwrap_or_else(|| keep(&current.link_url, ColumnKind::Link)),
            banner: self.banner.clone().unwrap_or_else(|| keep(&current.banner, ColumnKind::Topic)),
            starts_on: self.starts_on.unwrap_or_else(|| keep_date(current.starts_on)),
            ends_on: self.ends_on.unwrap_or_else(|| keep_date(current.ends_on)),
            kind,
        }
    }
}

/// How the slug of a new column is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugChoice {
    /// Typed by the user: validated, and refused if a sibling has it.
    Explicit(String),
    /// Derived from the name in pinyin, suffixed `-2`, `-3` … to be unique.
    FromName(String),
}

/// Where a new column goes: its parent, slug and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Parent.
    pub parent: Option<i64>,
    /// Slug, unique among the parent's children.
    pub slug: String,
    /// Full path.
    pub path: String,
}

/// The depth of a path (`/a` → 1, `/a/b` → 2).
pub fn depth_of(path: &str) -> usize {
    path.split('/').filter(|s| !s.is_empty()).count()
}

fn join(parent_path: Option<&str>, slug: &str) -> String {
    match parent_path {
        Some(p) => format!("{p}/{slug}"),
        None => format!("/{slug}"),
    }
}

/// Checks that `parent` (from `site_columns`, every column of the site including
/// archived ones) can take a child; returns its path.
fn parent_path(site_columns: &[Column], parent: Option<i64>) -> Result<Option<String>, ColumnError> {
    let Some(pid) = parent else { return Ok(None) };
    let p = site_columns.iter().find(|c| c.id == pid).ok_or(ColumnError::UnknownParent(pid))?;
    if p.archived_at.is_some() {
        return Err(ColumnError::Archived(pid));
    }
    if !p.kind().may_have_children() {
        return Err(ColumnError::NoChildren { kind: p.kind.clone() });
    }
    Ok(Some(p.path.clone()))
}

/// Places a new column under `parent` among `site_columns` (every column of the
/// site, archived ones included: their slugs stay taken).
///
/// ```
/// use sitegroup_columns::tree::{place_new, SlugChoice};
/// let p = place_new(&[], None, &SlugChoice::FromName("新闻动态".into())).unwrap();
/// assert_eq!((p.slug.as_str(), p.path.as_str()), ("xinwendongtai", "/xinwendongtai"));
/// ```
pub fn place_new(site_columns: &[Column], parent: Option<i64>, slug: &SlugChoice) -> Result<Placement, ColumnError> {
    let ppath = parent_path(site_columns, parent)?;
    if depth_of(ppath.as_deref().unwrap_or("")) + 1 > MAX_DEPTH {
        return Err(ColumnError::TooDeep { max: MAX_DEPTH });
    }
    let siblings: HashSet<&str> = site_columns.iter().filter(|c| c.parent == parent).map(|c| c.slug.as_str()).collect();
    let slug = match slug {
        SlugChoice::Explicit(s) => {
            let s = validate_slug(s)?;
            if siblings.contains(s.as_str()) {
                return Err(ColumnError::DuplicateSlug { slug: s });
            }
            s
        }
        SlugChoice::FromName(name) => unique_slug(&slugify(name), |s| siblings.contains(s)),
    };
    let path = join(ppath.as_deref(), &slug);
    Ok(Placement { parent, slug, path })
}

/// The sort key after the last of `parent`'s children (0 for the first child).
pub fn next_position(site_columns: &[Column], parent: Option<i64>) -> i64 {
    site_columns.iter().filter(|c| c.parent == parent).map(|c| c.position.saturating_add(1)).max().unwrap_or(0)
}

/// One path change of a move or a slug change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathRewrite {
    /// The column.
    pub column: i64,
    /// Its path before (recorded as a redirect).
    pub old_path: String,
    /// Its path after.
    pub new_path: String,
}

/// What a move or slug change does: the column's new parent and slug, and every path
/// it rewrites (the column first, then its descendants in path order). Empty
/// `rewrites` when the path stays the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovePlan {
    /// The column moved.
    pub column: i64,
    /// Its new parent.
    pub parent: Option<i64>,
    /// Its new slug.
    pub slug: String,
    /// The path changes.
    pub rewrites: Vec<PathRewrite>,
}

/// Plans moving column `id` under `new_parent` with slug `new_slug` (already
/// validated): refuses an unknown column or parent, an archived or link parent, a
/// parent that is the column itself or one of its descendants (a cycle), a tree
/// deeper than [`MAX_DEPTH`], and a slug a new sibling already has. `site_columns`
/// holds every column of the site (a parent in another site is simply unknown here:
/// the caller tells the two apart).
pub fn plan_move(
    site_columns: &[Column],
    id: i64,
    new_parent: Option<i64>,
    new_slug: &str,
) -> Result<MovePlan, ColumnError> {
    let me = site_columns.iter().find(|c| c.id == id).ok_or(ColumnError::NotFound(id))?;
    if let Some(pid) = new_parent {
        let by_id: HashMap<i64, &Column> = site_columns.iter().map(|c| (c.id, c)).collect();
        // Walk up from the new parent: meeting the column itself means a cycle.
        let mut cur = Some(pid);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == id {
                return Err(ColumnError::Cycle { column: id, parent: pid });
            }
            cur = by_id.get(&c).and_then(|x| x.parent);
            steps += 1;
            if steps > site_columns.len() {
                break;
            }
        }
    }
    let ppath = parent_path(site_columns, new_parent)?;
    if site_columns.iter().any(|c| c.parent == new_parent && c.id != id && c.slug == new_slug) {
        return Err(ColumnError::DuplicateSlug { slug: new_slug.to_string() });
    }
    let old_prefix = me.path.clone();
    let new_prefix = join(ppath.as_deref(), new_slug);
    let mut rewrites = vec![];
    if new_prefix != old_prefix {
        let mut affected: Vec<&Column> = site_columns
            .iter()
            .filter(|c| c.id == id || c.path.strip_prefix(&old_prefix).is_some_and(|r| r.starts_with('/')))
            .collect();
        affected.sort_by(|a, b| a.path.cmp(&b.path));
        let old_depth = depth_of(&old_prefix);
        let new_depth = depth_of(&new_prefix);
        for c in affected {
            let deepest = depth_of(&c.path).saturating_sub(old_depth) + new_depth;
            if deepest > MAX_DEPTH {
                return Err(ColumnError::TooDeep { max: MAX_DEPTH });
            }
            let suffix = c.path.strip_prefix(&old_prefix).unwrap_or_default();
            rewrites.push(PathRewrite {
                column: c.id,
                old_path: c.path.clone(),
                new_path: format!("{new_prefix}{suffix}"),
            });
        }
    } else if depth_of(&new_prefix) > MAX_DEPTH {
        return Err(ColumnError::TooDeep { max: MAX_DEPTH });
    }
    Ok(MovePlan { column: id, parent: new_parent, slug: new_slug.to_string(), rewrites })
}

/// Normalises a requested column path: ASCII lowercased, one leading `/`, no trailing
/// or doubled `/`. `None` for the site root or anything that cannot be a column path
/// (characters outside `[a-z0-9-/]`, over 400 characters).
///
/// ```
/// use sitegroup_columns::tree::normalize_path;
/// assert_eq!(normalize_path("XXGK//zwdt/").as_deref(), Some("/xxgk/zwdt"));
/// assert_eq!(normalize_path("/"), None);
/// assert_eq!(normalize_path("/a?b"), None);
/// ```
pub fn normalize_path(path: &str) -> Option<String> {
    let p = path.trim();
    if p.len() > 400 {
        return None;
    }
    let segs: Vec<String> = p.split('/').filter(|s| !s.is_empty()).map(str::to_ascii_lowercase).collect();
    if segs.is_empty()
        || !segs.iter().all(|s| s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return None;
    }
    Some(format!("/{}", segs.join("/")))
}

/// The columns in tree order: each parent before its children, siblings by
/// (position, id). Columns whose parent is missing from the list come as roots.
pub fn sort_tree(columns: Vec<Column>) -> Vec<Column> {
    let ids: HashSet<i64> = columns.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Column>> = HashMap::new();
    for c in columns {
        let key = c.parent.filter(|p| ids.contains(p));
        children.entry(key).or_default().push(c);
    }
    for v in children.values_mut() {
        v.sort_by_key(|c| (c.position, c.id));
    }
    let mut out = Vec::with_capacity(ids.len());
    let mut stack: Vec<Column> = children.remove(&None).unwrap_or_default().into_iter().rev().collect();
    while let Some(c) = stack.pop() {
        if let Some(kids) = children.remove(&Some(c.id)) {
            stack.extend(kids.into_iter().rev());
        }
        out.push(c);
    }
    out
}

/// The navigation tree: tree order without archived or hidden columns and without
/// anything under them.
pub fn navigation(columns: Vec<Column>) -> Vec<Column> {
    let sorted = sort_tree(columns);
    let mut dropped: HashSet<i64> = HashSet::new();
    let mut out = vec![];
    for c in sorted {
        if c.hidden || c.archived_at.is_some() || c.parent.is_some_and(|p| dropped.contains(&p)) {
            dropped.insert(c.id);
        } else {
            out.push(c);
        }
    }
    out
}

/// What a path resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ColumnLookup {
    /// A live column has this path.
    Found(Box<Column>),
    /// The path is an old path of a column now at this path: redirect (301).
    Redirect(String),
    /// Nothing (also: an archived column).
    NotFound,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use sitegroup_core::SiteId;

    use super::*;

    pub(crate) fn col(id: i64, parent: Option<i64>, slug: &str, path: &str) -> Column {
        Column {
            id,
            site: SiteId(1),
            parent,
            kind: "list".into(),
            name: slug.into(),
            slug: slug.into(),
            path: path.into(),
            position: id,
            hidden: false,
            duty: Duty::News,
            link_url: None,
            banner: None,
            starts_on: None,
            ends_on: None,
            archived_at: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    /// /xxgk(1) /xxgk/zwdt(2) /xxgk/zwdt/tp(3) /xxgk/tzgg(4) /bsfw(5)
    fn site() -> Vec<Column> {
        vec![
            col(1, None, "xxgk", "/xxgk"),
            col(2, Some(1), "zwdt", "/xxgk/zwdt"),
            col(3, Some(2), "tp", "/xxgk/zwdt/tp"),
            col(4, Some(1), "tzgg", "/xxgk/tzgg"),
            col(5, None, "bsfw", "/bsfw"),
        ]
    }

    #[test]
    fn move_rewrites_descendants() {
        let plan = plan_move(&site(), 2, Some(5), "zwdt").unwrap();
        assert_eq!(
            plan.rewrites,
            vec![
                PathRewrite { column: 2, old_path: "/xxgk/zwdt".into(), new_path: "/bsfw/zwdt".into() },
                PathRewrite { column: 3, old_path: "/xxgk/zwdt/tp".into(), new_path: "/bsfw/zwdt/tp".into() },
            ]
        );
        // Slug change in place: the sibling /xxgk/tzgg is untouched.
        let plan = plan_move(&site(), 1, None, "gk").unwrap();
        let got: Vec<_> = plan.rewrites.iter().map(|r| (r.column, r.new_path.as_str())).collect();
        assert_eq!(got, vec![(1, "/gk"), (4, "/gk/tzgg"), (2, "/gk/zwdt"), (3, "/gk/zwdt/tp")]);
        // Up to the top.
        let plan = plan_move(&site(), 3, None, "tp").unwrap();
        assert_eq!(plan.rewrites[0].new_path, "/tp");
        // No path change: nothing to rewrite.
        assert!(plan_move(&site(), 2, Some(1), "zwdt").unwrap().rewrites.is_empty());
    }

    #[test]
    fn move_refusals() {
        assert!(matches!(plan_move(&site(), 1, Some(3), "xxgk"), Err(ColumnError::Cycle { .. })));
        assert!(matches!(plan_move(&site(), 1, Some(1), "xxgk"), Err(ColumnError::Cycle { .. })));
        assert!(matches!(plan_move(&site(), 2, Some(99), "zwdt"), Err(ColumnError::UnknownParent(99))));
        assert!(matches!(plan_move(&site(), 99, None, "x"), Err(ColumnError::NotFound(99))));
        assert!(matches!(plan_move(&site(), 4, Some(1), "zwdt"), Err(ColumnError::DuplicateSlug { .. })));
        assert!(matches!(plan_move(&site(), 4, None, "bsfw"), Err(ColumnError::DuplicateSlug { .. })));
        let mut link = site();
        link[4].kind = "link".into();
        assert!(matches!(plan_move(&link, 4, Some(5), "tzgg"), Err(ColumnError::NoChildren { .. })));
        let mut archived = site();
        archived[4].archived_at = Some(1);
        assert!(matches!(plan_move(&archived, 4, Some(5), "tzgg"), Err(ColumnError::Archived(5))));
    }

    #[test]
    fn depth_limit() {
        let mut chain = vec![col(1, None, "a1", "/a1")];
        for i in 2..=6 {
            let parent = &chain[chain.len() - 1];
            let path = format!("{}/a{i}", parent.path);
            chain.push(col(i, Some(i - 1), &format!("a{i}"), &path));
        }
        assert!(matches!(
            place_new(&chain, Some(6), &SlugChoice::FromName("x".into())),
            Err(ColumnError::TooDeep { .. })
        ));
        assert!(place_new(&chain, Some(5), &SlugChoice::FromName("x".into())).is_ok());
        chain.push(col(10, None, "b", "/b"));
        chain.push(col(11, Some(10), "c", "/b/c"));
        // Moving /b (2 levels) under /a1/…/a5 (depth 5) would reach depth 7.
        assert!(matches!(plan_move(&chain, 10, Some(5), "b"), Err(ColumnError::TooDeep { .. })));
        assert!(plan_move(&chain, 10, Some(4), "b").is_ok());
    }

    #[test]
    fn placing() {
        let s = site();
        let p = place_new(&s, Some(1), &SlugChoice::FromName("政务动态".into())).unwrap();
        assert_eq!(p.path, "/xxgk/zhengwudongtai");
        let p = place_new(&s, Some(1), &SlugChoice::Explicit("zwdt-2".into())).unwrap();
        assert_eq!(p.path, "/xxgk/zwdt-2");
        assert!(matches!(
            place_new(&s, Some(1), &SlugChoice::Explicit("ZWDT".into())),
            Err(ColumnError::DuplicateSlug { .. })
        ));
        let mut s2 = s.clone();
        s2.push(col(6, Some(1), "tongzhi", "/xxgk/tongzhi"));
        let p = place_new(&s2, Some(1), &SlugChoice::FromName("通知".into())).unwrap();
        assert_eq!(p.slug, "tongzhi-2");
        assert!(matches!(
            place_new(&s, Some(42), &SlugChoice::FromName("x".into())),
            Err(ColumnError::UnknownParent(42))
        ));
        assert!(matches!(
            place_new(&s, None, &SlugChoice::Explicit("admin".into())),
            Err(ColumnError::ReservedSlug(_))
        ));
    }

    #[test]
    fn ordering_and_navigation() {
        let mut s = site();
        s[0].position = 9; // xxgk after bsfw
        s[3].position = 0; // tzgg before zwdt
        let ids: Vec<i64> = sort_tree(s.clone()).iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![5, 1, 4, 2, 3]);
        s[1].hidden = true;
        let ids: Vec<i64> = navigation(s).iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![5, 1, 4]);
    }

    #[test]
    fn fields_rules() {
        let base = NewColumn { name: "外链".into(), kind: ColumnKind::Link, ..Default::default() };
        assert!(matches!(validate_fields(&base.fields()), Err(ColumnError::KindField { field: "link_url", .. })));
        let link = NewColumn { link_url: Some("https://www.gov.cn".into()), ..base.clone() };
        assert_eq!(validate_fields(&link.fields()).unwrap().duty, Duty::Static);
        let bad = NewColumn { link_url: Some("javascript:alert(1)".into()), ..base.clone() };
        assert!(validate_fields(&bad.fields()).is_err());
        let newsy = NewColumn { duty: Some(Duty::News), ..link.clone() };
        assert!(validate_fields(&newsy.fields()).is_err());
        let list = NewColumn { name: "新闻".into(), link_url: Some("https://x.cn".into()), ..Default::default() };
        assert!(validate_fields(&list.fields()).is_err());
        let list = NewColumn { name: "新闻".into(), banner: Some("a.png".into()), ..Default::default() };
        assert!(validate_fields(&list.fields()).is_err());
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let topic = NewColumn {
            name: "乡村振兴".into(),
            kind: ColumnKind::Topic,
            banner: Some("banners/2025/xczx.jpg".into()),
            starts_on: d("2025-01-01"),
            ends_on: d("2025-12-31"),
            ..Default::default()
        };
        assert!(validate_fields(&topic.fields()).is_ok());
        let backwards = NewColumn { starts_on: d("2026-01-01"), ..topic.clone() };
        assert!(validate_fields(&backwards.fields()).is_err());
        let sneaky = NewColumn { banner: Some("../etc/passwd".into()), ..topic };
        assert!(validate_fields(&sneaky.fields()).is_err());
        for bad_name in ["", "   ", &"名".repeat(61)] {
            let n = NewColumn { name: bad_name.into(), ..Default::default() };
            assert!(validate_fields(&n.fields()).is_err());
        }
    }

    #[test]
    fn change_of_kind_clears_fields() {
        let mut c = col(1, None, "zt", "/zt");
        c.kind = "topic".into();
        c.banner = Some("b.jpg".into());
        c.duty = Duty::Static;
        let f = ColumnChange { kind: Some(ColumnKind::List), ..Default::default() }.apply(&c);
        assert_eq!((f.kind, f.banner), (ColumnKind::List, None));
        let f = ColumnChange { name: Some("新名".into()), ..Default::default() }.apply(&c);
        assert_eq!((f.name.as_str(), f.banner.as_deref()), ("新名", Some("b.jpg")));
        c.kind = "list".into();
        c.duty = Duty::News;
        let f = ColumnChange {
            kind: Some(ColumnKind::Link),
            link_url: Some(Some("https://a.cn".into())),
            ..Default::default()
        }
        .apply(&c);
        assert!(validate_fields(&f).is_ok());
    }

    #[test]
    fn paths() {
        assert_eq!(normalize_path("/Xxgk/ZWDT").as_deref(), Some("/xxgk/zwdt"));
        assert_eq!(normalize_path("xxgk").as_deref(), Some("/xxgk"));
        for bad in ["", "/", "//", "/新闻", "/a.html", "/a b"] {
            assert_eq!(normalize_path(bad), None, "{bad:?}");
        }
    }
}
