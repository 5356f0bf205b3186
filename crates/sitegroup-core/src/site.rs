//! Sites (tenants) and their tree: the group's portal, channels hosted inside it and
//! registered websites of their own; validation of new sites, parent cycles, and the
//! `(host, path)` → site resolver.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{ValidationError, code, optional_text, required_text};
use crate::ids::{SiteId, UnitId};

/// What a site is. The first two are registered websites (they carry their own
/// identity); the other three are channels (频道) hosted inside a registered website.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// 门户网站 (portal): the county government's main site; one per group.
    Portal,
    /// 部门 (department) channel: a county department's sub-site inside the portal.
    Department,
    /// 乡镇 (township) channel: a township government's sub-site inside the portal.
    Township,
    /// 专题 (topic): a themed section for a campaign or central work; never a new website.
    Topic,
    /// A registered website of its own (with its own identifier code and filings).
    Website,
}

impl SiteKind {
    /// Every kind, in display order.
    pub const ALL: [SiteKind; 5] =
        [SiteKind::Portal, SiteKind::Department, SiteKind::Township, SiteKind::Topic, SiteKind::Website];

    /// The stable lowercase name used in the database, the CLI and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Portal => "portal",
            SiteKind::Department => "department",
            SiteKind::Township => "township",
            SiteKind::Topic => "topic",
            SiteKind::Website => "website",
        }
    }

    /// Parses [`SiteKind::as_str`]'s output.
    pub fn parse(s: &str) -> Result<SiteKind, ValidationError> {
        SiteKind::ALL.into_iter().find(|k| k.as_str() == s.trim().to_ascii_lowercase()).ok_or_else(|| {
            ValidationError::Malformed {
                field: "kind",
                reason: format!("unknown site kind {s:?}; use portal, department, township, topic or website"),
            }
        })
    }

    /// True for kinds that are registered websites with an identity of their own.
    pub fn is_registered_website(self) -> bool {
        matches!(self, SiteKind::Portal | SiteKind::Website)
    }
}

/// Whether a site is serving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SiteStatus {
    /// Serving normally.
    Open,
    /// Closed: visitors see the notice page and, if set, are sent on to `redirect`.
    Closed {
        /// The notice shown instead of the site (关停公告).
        notice: String,
        /// Where visitors are sent (an absolute http(s) URL or a path on this platform).
        redirect: Option<String>,
    },
    /// Archived: kept for the record, not served, not editable.
    Archived,
}

impl SiteStatus {
    /// The stable name stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            SiteStatus::Open => "open",
            SiteStatus::Closed { .. } => "closed",
            SiteStatus::Archived => "archived",
        }
    }
}

/// Identity data of a registered website, shown in its footer and checked by inspectors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteIdentity {
    /// 网站标识码 (site identifier code): 10 ASCII letters or digits, e.g. `4300000077`
    /// or `bm55000001`. Channels inherit their website's.
    pub site_code: Option<String>,
    /// ICP 备案号 (ICP filing number), e.g. `皖ICP备05000001号`.
    pub icp: Option<String>,
    /// 公安备案号 (public-security filing number), e.g. `皖公网安备 34022502000001号`.
    pub police_filing: Option<String>,
}

/// A site (tenant) of the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// Database id.
    pub id: SiteId,
    /// Unique short code (lowercase ASCII), used by the CLI and in URLs of the back office.
    pub code: String,
    /// Full name, e.g. `无为县教育局`.
    pub name: String,
    /// Short name for menus, e.g. `教育局`.
    pub short_name: Option<String>,
    /// What the site is.
    pub kind: SiteKind,
    /// The site it is hosted in or grouped under.
    pub parent: Option<SiteId>,
    /// The org unit that owns the site and answers its messages.
    pub unit: Option<UnitId>,
    /// Serving state.
    pub status: SiteStatus,
    /// Path prefix under its website, e.g. `/jyj`; `None` for a site reached by host only.
    pub path_prefix: Option<String>,
    /// Host names that lead straight to this site (lowercase, no port).
    pub hosts: Vec<String>,
    /// Own identity data (registered websites only; see [`effective_identity`]).
    pub identity: SiteIdentity,
    /// Whether this site serves as a template for new sites.
    pub is_template: bool,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

impl Site {
    /// The short name if set, else the name.
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// Input for a new site, as typed; [`NewSite::validate`] normalises and checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSite {
    /// Unique short code.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind, as typed (`portal`, `department` …).
    pub kind: String,
    /// Parent site id, already resolved from its code.
    pub parent: Option<SiteId>,
    /// Owning unit, already resolved from its code.
    pub unit: Option<UnitId>,
    /// Path prefix, e.g. `/jyj`.
    pub path_prefix: Option<String>,
    /// Host names.
    pub hosts: Vec<String>,
    /// Identity data (registered websites only).
    pub identity: SiteIdentity,
    /// Whether the new site is a template.
    pub is_template: bool,
}

/// A [`NewSite`] that passed validation: normalised values, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSite {
    /// Normalised code.
    pub code: String,
    /// Trimmed name.
    pub name: String,
    /// Trimmed short name.
    pub short_name: Option<String>,
    /// Parsed kind.
    pub kind: SiteKind,
    /// Parent id.
    pub parent: Option<SiteId>,
    /// Owning unit.
    pub unit: Option<UnitId>,
    /// Normalised path prefix.
    pub path_prefix: Option<String>,
    /// Normalised, de-duplicated hosts.
    pub hosts: Vec<String>,
    /// Normalised identity.
    pub identity: SiteIdentity,
    /// Template flag.
    pub is_template: bool,
}

/// Paths the platform keeps for itself; no site may take them as a prefix.
pub const RESERVED_PREFIXES: &[&str] =
    &["/admin", "/static", "/assets", "/login", "/logout", "/api", "/search", "/health"];

impl NewSite {
    /// Checks everything that can be checked without other sites: field shapes, kind,
    /// identity only on registered websites, a channel needs a parent and a prefix.
    /// Parent kind and cycles need the tree: see [`check_parent`].
    pub fn validate(&self) -> Result<ValidSite, ValidationError> {
        let code = code("code", &self.code)?;
        let name = required_text("name", &self.name, 100)?;
        let short_name = optional_text("short_name", self.short_name.as_deref(), 30)?;
        let kind = SiteKind::parse(&self.kind)?;
        let path_prefix = self.path_prefix.as_deref().map(normalize_path_prefix).transpose()?;
        let mut hosts = self.hosts.iter().map(|h| normalize_host(h)).collect::<Result<Vec<_>, _>>()?;
        hosts.sort();
        hosts.dedup();
        let identity = normalize_identity(&self.identity)?;
        if !kind.is_registered_website() {
            if identity.site_code.is_some() || identity.icp.is_some() || identity.police_filing.is_some() {
                return Err(ValidationError::Rule(
                    "a channel inherits its website's identifier code and filings; set them on the website".into(),
                ));
            }
            if self.parent.is_none() {
                return Err(ValidationError::Rule(format!(
                    "a {} channel is hosted inside a website: give it a parent",
                    kind.as_str()
                )));
            }
            if path_prefix.is_none() && hosts.is_empty() {
                return Err(ValidationError::Rule("a channel needs a path prefix or a host name".into()));
            }
        }
        if kind == SiteKind::Portal && self.parent.is_some() {
            return Err(ValidationError::Rule("the portal is the root of the group: it has no parent".into()));
        }
        Ok(ValidSite {
            code,
            name,
            short_name,
            kind,
            parent: self.parent,
            unit: self.unit,
            path_prefix,
            hosts,
            identity,
            is_template: self.is_template,
        })
    }
}

/// Folds full-width ASCII forms (`１２３`, `ＡＢＣ`, ideographic space) to ASCII, so
/// codes typed with a Chinese input method are accepted.
///
/// ```
/// assert_eq!(sitegroup_core::site::fold_width("／ｊｙｊ"), "/jyj");
/// ```
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Normalises a path prefix: `/` followed by 1–4 segments of lowercase ASCII letters,
/// digits and `-`; no trailing slash; not one of [`RESERVED_PREFIXES`].
///
/// ```
/// use sitegroup_core::site::normalize_path_prefix;
/// assert_eq!(normalize_path_prefix(" /JYJ/ ").unwrap(), "/jyj");
/// assert!(normalize_path_prefix("/admin").is_err());
/// assert!(normalize_path_prefix("/教育").is_err());
/// ```
pub fn normalize_path_prefix(raw: &str) -> Result<String, ValidationError> {
    let folded = fold_width(raw.trim()).to_ascii_lowercase();
    let bad = |reason: &str| ValidationError::Malformed { field: "path_prefix", reason: reason.to_string() };
    if !folded.starts_with('/') {
        return Err(bad("must start with '/'"));
    }
    let segments: Vec<&str> = folded.trim_matches('/').split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(bad("must be like /name or /name/sub, without empty segments"));
    }
    if segments.len() > MAX_PREFIX_SEGMENTS {
        return Err(bad("at most 4 segments"));
    }
    if segments
        .iter()
        .any(|s| s.len() > 40 || !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(bad("segments use ASCII letters, digits and '-', at most 40 each"));
    }
    let prefix = format!("/{}", segments.join("/"));
    let first = format!("/{}", segments[0]);
    if RESERVED_PREFIXES.contains(&first.as_str()) {
        return Err(bad("reserved for the platform"));
    }
    Ok(prefix)
}

const MAX_PREFIX_SEGMENTS: usize = 4;

/// Normalises a host name: lowercase, no port, no trailing dot, valid DNS labels.
///
/// ```
/// use sitegroup_core::site::normalize_host;
/// assert_eq!(normalize_host("WWW.WuWei.gov.cn:8080").unwrap(), "www.wuwei.gov.cn");
/// assert!(normalize_host("bad host").is_err());
/// ```
pub fn normalize_host(raw: &str) -> Result<String, ValidationError> {
    let folded = fold_width(raw.trim()).to_ascii_lowercase();
    let without_port = match folded.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => folded,
    };
    let host = without_port.trim_end_matches('.').to_string();
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(valid_label) {
        return Err(ValidationError::Malformed { field: "host", reason: format!("{raw:?} is not a host name") });
    }
    Ok(host)
}

fn normalize_identity(identity: &SiteIdentity) -> Result<SiteIdentity, ValidationError> {
    let site_code = match identity.site_code.as_deref().map(|s| fold_width(s.trim())) {
        Some(s) if !s.is_empty() => {
            if s.chars().count() != 10 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(ValidationError::Malformed {
                    field: "site_code",
                    reason: "the site identifier code has 10 ASCII letters or digits, e.g. 4300000077".into(),
                });
            }
            Some(s.to_ascii_lowercase())
        }
        _ => None,
    };
    Ok(SiteIdentity {
        site_code,
        icp: optional_text("icp", identity.icp.as_deref(), 64)?,
        police_filing: optional_text("police_filing", identity.police_filing.as_deref(), 64)?,
    })
}

/// Checks that `parent` may hold a site of `kind`, and that making `parent` the parent
/// of `child` (an existing site, or `None` for a new one) creates no cycle.
///
/// Rules: the portal has no parent; a registered website may sit under the portal or
/// another website; a department or township channel sits inside a registered website;
/// a topic sits inside a website or another channel; archived sites take no children.
pub fn check_parent(
    sites: &HashMap<SiteId, Site>,
    child: Option<SiteId>,
    kind: SiteKind,
    parent: Option<SiteId>,
) -> Result<(), ValidationError> {
    let Some(parent_id) = parent else {
        return if kind.is_registered_website() {
            Ok(())
        } else {
            Err(ValidationError::Rule(format!("a {} channel needs a parent", kind.as_str())))
        };
    };
    let parent_site = sites
        .get(&parent_id)
        .ok_or_else(|| ValidationError::Rule(format!("parent site {parent_id} does not exist")))?;
    // A cycle is the more fundamental mistake, so it is reported before kind rules.
    if let Some(child_id) = child {
        let mut cursor = Some(parent_id);
        let mut steps = 0usize;
        while let Some(id) = cursor {
            if id == child_id {
                return Err(ValidationError::Rule(format!(
                    "placing the site under {} would make a cycle",
                    parent_site.code
                )));
            }
            steps += 1;
            if steps > sites.len() {
                return Err(ValidationError::Rule("the site tree already has a cycle".into()));
            }
            cursor = sites.get(&id).and_then(|s| s.parent);
        }
    }
    let allowed = match kind {
        SiteKind::Portal => false,
        SiteKind::Website | SiteKind::Department | SiteKind::Township => parent_site.kind.is_registered_website(),
        SiteKind::Topic => true,
    };
    if !allowed {
        return Err(ValidationError::Rule(format!(
            "a {} cannot be placed under a {}",
            kind.as_str(),
            parent_site.kind.as_str()
        )));
    }
    if parent_site.status == SiteStatus::Archived {
        return Err(ValidationError::Rule(format!("site {} is archived", parent_site.code)));
    }
    Ok(())
}

/// The registered website a site belongs to: itself if it is one, else the nearest
/// registered ancestor.
pub fn website_of(sites: &HashMap<SiteId, Site>, site: SiteId) -> Option<SiteId> {
    let mut cursor = Some(site);
    let mut steps = 0usize;
    while let Some(id) = cursor {
        let s = sites.get(&id)?;
        if s.kind.is_registered_website() {
            return Some(id);
        }
        steps += 1;
        if steps > sites.len() {
            return None;
        }
        cursor = s.parent;
    }
    None
}

/// The identity a site shows: a channel inherits its website's.
pub fn effective_identity(sites: &HashMap<SiteId, Site>, site: SiteId) -> SiteIdentity {
    website_of(sites, site).and_then(|w| sites.get(&w)).map(|w| w.identity.clone()).unwrap_or_default()
}

/// Where a request landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The site that serves it.
    pub site: SiteId,
    /// The path below the site's prefix, starting with `/`.
    pub rest: String,
}

/// Resolves `(host, path)` to a site with hash-map lookups: one for the host, then one
/// per path segment (at most four), never a scan over sites.
#[derive(Debug, Clone, Default)]
pub struct SiteResolver {
    by_host: HashMap<String, SiteId>,
    /// (registered website, path prefix) → site.
    by_prefix: HashMap<(SiteId, String), SiteId>,
    registered: HashMap<SiteId, bool>,
    default_site: Option<SiteId>,
}

impl SiteResolver {
    /// Builds the maps from every site. The portal answers hosts nobody claimed.
    /// Archived sites are left out.
    pub fn build<'a>(sites: impl IntoIterator<Item = &'a Site>) -> SiteResolver {
        let all: HashMap<SiteId, Site> = sites.into_iter().map(|s| (s.id, s.clone())).collect();
        let mut r = SiteResolver::default();
        for site in all.values() {
            if site.status == SiteStatus::Archived {
                continue;
            }
            r.registered.insert(site.id, site.kind.is_registered_website());
            if site.kind == SiteKind::Portal && r.default_site.is_none_or(|d| site.id < d) {
                r.default_site = Some(site.id);
            }
            for host in &site.hosts {
                r.by_host.insert(host.clone(), site.id);
            }
            if let (Some(prefix), Some(website)) = (&site.path_prefix, website_of(&all, site.id)) {
                let anchor =
                    if website == site.id { site.parent.and_then(|p| website_of(&all, p)) } else { Some(website) };
                if let Some(anchor) = anchor {
                    r.by_prefix.insert((anchor, prefix.clone()), site.id);
                }
            }
        }
        r
    }

    /// Number of path prefixes known.
    pub fn prefix_count(&self) -> usize {
        self.by_prefix.len()
    }

    /// Resolves a request. `host` may carry a port and any case; unknown hosts fall back
    /// to the portal. Returns `None` when no site answers (no portal and unknown host).
    ///
    /// ```
    /// # use sitegroup_core::site::*;
    /// # use sitegroup_core::ids::SiteId;
    /// let portal = Site { id: SiteId(1), code: "portal".into(), name: "无为县人民政府".into(), short_name: None,
    ///     kind: SiteKind::Portal, parent: None, unit: None, status: SiteStatus::Open, path_prefix: None,
    ///     hosts: vec!["www.wuwei.gov.cn".into()], identity: SiteIdentity::default(), is_template: false, created_at: 0 };
    /// let jyj = Site { id: SiteId(2), code: "jyj".into(), name: "无为县教育局".into(), kind: SiteKind::Department,
    ///     parent: Some(SiteId(1)), path_prefix: Some("/jyj".into()), hosts: vec![], ..portal.clone() };
    /// let r = SiteResolver::build([&portal, &jyj]);
    /// assert_eq!(r.resolve("WWW.wuwei.gov.cn:443", "/jyj/news/1.html").unwrap().site, SiteId(2));
    /// assert_eq!(r.resolve("localhost", "/").unwrap().site, SiteId(1));
    /// ```
    pub fn resolve(&self, host: &str, path: &str) -> Option<Resolved> {
        let host = host.trim().to_ascii_lowercase();
        let host = host
            .rsplit_once(':')
            .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
            .map_or(host.as_str(), |(h, _)| h);
        let anchor = self.by_host.get(host.trim_end_matches('.')).copied().or(self.default_site)?;
        if !self.registered.get(&anchor).copied().unwrap_or(false) {
            // A channel reached by its own host name: the whole path is its own.
            return Some(Resolved { site: anchor, rest: normalize_rest(path) });
        }
        let path = path.split(['?', '#']).next().unwrap_or("");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).take(MAX_PREFIX_SEGMENTS).collect();
        let mut key = String::with_capacity(path.len());
        let mut candidates: Vec<(usize, String)> = Vec::with_capacity(segments.len());
        for (i, seg) in segments.iter().enumerate() {
            key.push('/');
            key.push_str(&seg.to_ascii_lowercase());
            candidates.push((i + 1, key.clone()));
        }
        for (depth, prefix) in candidates.into_iter().rev() {
            if let Some(site) = self.by_prefix.get(&(anchor, prefix)) {
                let rest: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).skip(depth).collect();
                return Some(Resolved { site: *site, rest: format!("/{}", rest.join("/")) });
            }
        }
        Some(Resolved { site: anchor, rest: normalize_rest(path) })
    }
}

fn normalize_rest(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or("");
    if p.starts_with('/') { p.to_string() } else { format!("/{p}") }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn site(id: i64, kind: SiteKind, parent: Option<i64>, prefix: Option<&str>) -> Site {
        Site {
            id: SiteId(id),
            code: format!("s{id}"),
            name: format!("站点{id}"),
            short_name: None,
            kind,
            parent: parent.map(SiteId),
            unit: None,
            status: SiteStatus::Open,
            path_prefix: prefix.map(String::from),
            hosts: vec![],
            identity: SiteIdentity::default(),
            is_template: false,
            created_at: 0,
        }
    }

    fn tree() -> HashMap<SiteId, Site> {
        [
            site(1, SiteKind::Portal, None, None),
            site(2, SiteKind::Department, Some(1), Some("/jyj")),
            site(3, SiteKind::Topic, Some(2), Some("/jyj/zt")),
            site(4, SiteKind::Website, Some(1), None),
            site(5, SiteKind::Township, Some(4), Some("/gdz")),
        ]
        .into_iter()
        .map(|s| (s.id, s))
        .collect()
    }

    #[test]
    fn parent_rules_and_cycles() {
        let t = tree();
        let check = |child: Option<i64>, kind, parent: Option<i64>| {
            check_parent(&t, child.map(SiteId), kind, parent.map(SiteId))
        };
        assert!(check(None, SiteKind::Department, Some(1)).is_ok());
        assert!(check(None, SiteKind::Department, None).is_err());
        assert!(check(None, SiteKind::Department, Some(2)).is_err(), "department inside a department");
        assert!(check(None, SiteKind::Topic, Some(2)).is_ok());
        assert!(check(None, SiteKind::Portal, Some(1)).is_err());
        assert!(check(None, SiteKind::Topic, Some(99)).is_err(), "missing parent");
        // Moving topic 2's parent under its own descendant 3 would make a cycle.
        assert!(check(Some(2), SiteKind::Topic, Some(3)).is_err());
        assert!(check(Some(2), SiteKind::Topic, Some(2)).is_err());
        assert!(check(Some(3), SiteKind::Topic, Some(5)).is_ok());
    }

    #[test]
    fn resolver_uses_longest_prefix_and_hosts() {
        let mut t = tree();
        t.get_mut(&SiteId(4)).unwrap().hosts = vec!["gdz.example.cn".into()];
        t.get_mut(&SiteId(2)).unwrap().hosts = vec!["jyj.example.cn".into()];
        let r = SiteResolver::build(t.values());
        let check = |host: &str, path: &str, site: i64, rest: &str| {
            let got = r.resolve(host, path).unwrap();
            assert_eq!((got.site, got.rest.as_str()), (SiteId(site), rest), "{host}{path}");
        };
        check("localhost:8080", "/", 1, "/");
        check("localhost", "/jyj", 2, "/");
        check("localhost", "/JYJ/news/?page=2", 2, "/news");
        check("localhost", "/jyj/zt/a.html", 3, "/a.html");
        check("localhost", "/jyjx", 1, "/jyjx");
        check("gdz.example.cn", "/gdz/x", 5, "/x");
        check("gdz.example.cn", "/jyj", 4, "/jyj");
        check("jyj.example.cn", "/news", 2, "/news");
    }

    #[test]
    fn validation_of_new_sites() {
        let base = NewSite {
            code: "JYJ".into(),
            name: " 无为县教育局 ".into(),
            kind: "department".into(),
            parent: Some(SiteId(1)),
            path_prefix: Some("／ＪＹＪ/".into()),
            ..Default::default()
        };
        let v = base.validate().unwrap();
        assert_eq!((v.code.as_str(), v.name.as_str(), v.path_prefix.as_deref()), ("jyj", "无为县教育局", Some("/jyj")));
        let bad = |f: &dyn Fn(&mut NewSite)| {
            let mut n = base.clone();
            f(&mut n);
            n.validate().unwrap_err()
        };
        bad(&|n| n.name = "  ".into());
        bad(&|n| n.kind = "ministry".into());
        bad(&|n| n.parent = None);
        bad(&|n| n.path_prefix = Some("/admin".into()));
        bad(&|n| n.identity.site_code = Some("4300000077".into()));
        bad(&|n| n.code = "教育局".into());
        let mut w = base.clone();
        w.kind = "website".into();
        w.identity.site_code = Some("４３０００００077".into());
        assert_eq!(w.validate().unwrap().identity.site_code.as_deref(), Some("4300000077"));
        w.identity.site_code = Some("43000".into());
        assert!(w.validate().is_err());
    }
}
