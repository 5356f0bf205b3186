//! Sites: creating (also from a template), closing, moving, resolving.

use std::collections::HashMap;
use std::sync::Arc;

use sitegroup_core::audit::Origin;
use sitegroup_core::site::{self, NewSite, Resolved, Site, SiteResolver, SiteStatus};
use sitegroup_core::{Action, Actor, Resource, SiteId, SiteIdentity, ValidationError, authorize};
use sitegroup_store::{Tx, core_repo};

use crate::error::Error;
use crate::group::{SiteGroup, duplicate};

/// A snapshot of every site with lookup maps and the request resolver. Rebuilt after
/// each site change made through this handle, and by [`SiteGroup::refresh_sites`].
#[derive(Debug)]
pub struct SiteTree {
    sites: Vec<Site>,
    by_id: HashMap<SiteId, usize>,
    by_code: HashMap<String, usize>,
    resolver: SiteResolver,
}

impl SiteTree {
    fn build(sites: Vec<Site>) -> SiteTree {
        let by_id = sites.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let by_code = sites.iter().enumerate().map(|(i, s)| (s.code.clone(), i)).collect();
        let resolver = SiteResolver::build(&sites);
        SiteTree { sites, by_id, by_code, resolver }
    }

    /// Every site, in id order.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// The site with this id.
    pub fn get(&self, id: SiteId) -> Option<&Site> {
        self.by_id.get(&id).map(|i| &self.sites[*i])
    }

    /// The site with this code (case-insensitive).
    pub fn by_code(&self, code: &str) -> Option<&Site> {
        self.by_code.get(&code.trim().to_ascii_lowercase()).map(|i| &self.sites[*i])
    }

    /// Children of a site, in id order.
    pub fn children(&self, id: SiteId) -> impl Iterator<Item = &Site> {
        self.sites.iter().filter(move |s| s.parent == Some(id))
    }

    /// Resolves `(host, path)` with map lookups.
    pub fn resolve(&self, host: &str, path: &str) -> Option<(&Site, String)> {
        let Resolved { site, rest } = self.resolver.resolve(host, path)?;
        self.get(site).map(|s| (s, rest))
    }

    /// The identity a site shows (a channel's is its website's).
    pub fn identity(&self, id: SiteId) -> SiteIdentity {
        site::effective_identity(&self.as_map(), id)
    }

    /// The public URL path of a site: its prefix, or `/` for a site reached by host.
    pub fn path_of(&self, id: SiteId) -> String {
        self.get(id).and_then(|s| s.path_prefix.clone()).unwrap_or_else(|| "/".into())
    }

    fn as_map(&self) -> HashMap<SiteId, Site> {
        self.sites.iter().map(|s| (s.id, s.clone())).collect()
    }
}

impl SiteGroup {
    /// The current site tree (cached; cheap to call per request).
    pub fn site_tree(&self) -> Result<Arc<SiteTree>, Error> {
        if let Ok(guard) = self.tree.read()
            && let Some(tree) = guard.as_ref()
        {
            return Ok(Arc::clone(tree));
        }
        self.refresh_sites()
    }

    /// Reloads the site tree from the store (other processes may have changed it).
    pub fn refresh_sites(&self) -> Result<Arc<SiteTree>, Error> {
        let sites = self.db.read(core_repo::all_sites)?;
        let tree = Arc::new(SiteTree::build(sites));
        if let Ok(mut guard) = self.tree.write() {
            *guard = Some(Arc::clone(&tree));
        }
        Ok(tree)
    }

    fn invalidate_sites(&self) {
        if let Ok(mut guard) = self.tree.write() {
            *guard = None;
        }
    }

    /// Resolves a request to the site serving it.
    pub fn resolve(&self, host: &str, path: &str) -> Result<Option<(Site, String)>, Error> {
        let tree = self.site_tree()?;
        Ok(tree.resolve(host, path).map(|(s, rest)| (s.clone(), rest)))
    }

    /// The site with this code; [`Error::NotFound`] if none.
    pub fn site(&self, code: &str) -> Result<Site, Error> {
        self.site_tree()?
            .by_code(code)
            .cloned()
            .ok_or_else(|| Error::NotFound { what: "site", key: code.trim().to_string() })
    }

    /// Sites the actor may enter the back office of (every site for group scope).
    pub fn sites_for(&self, actor: &Actor) -> Result<Vec<Site>, Error> {
        let tree = self.site_tree()?;
        Ok(tree
            .sites()
            .iter()
            .filter(|s| authorize(actor, Action::ViewBackOffice, &Resource::Site(s.id)).is_ok())
            .cloned()
            .collect())
    }

    /// Creates a site (group administrators only). Checks, in order: fields, the
    /// parent (kind rules, no cycle), the path prefix and hosts (not taken), the code
    /// (unique). Nothing is written on any error.
    pub fn add_site(&self, actor: &Actor, origin: &Origin, new: &NewSite) -> Result<Site, Error> {
        authorize(actor, Action::CreateSite, &Resource::Group)?;
        let valid = new.validate()?;
        let at = self.now();
        let site = self.audited(actor, origin, "site.create", None, format!("site:{}", valid.code), |tx| {
            let created = insert_checked(tx, &valid, at)?;
            let payload = serde_json::to_value(&created).unwrap_or_default();
            Ok((created, payload))
        })?;
        self.invalidate_sites();
        Ok(site)
    }

    /// Creates a site from a template site: the new site gets the template's kind and
    /// the fields given in `new`, then each module copies what it owns (the column
    /// skeleton) in the same transaction.
    pub fn add_site_from_template(
        &self,
        actor: &Actor,
        origin: &Origin,
        template_code: &str,
        new: &NewSite,
    ) -> Result<Site, Error> {
        authorize(actor, Action::CreateSite, &Resource::Group)?;
        let template = self.site(template_code)?;
        if !template.is_template {
            return Err(ValidationError::Rule(format!("site {} is not a template", template.code)).into());
        }
        let mut new = new.clone();
        if new.kind.trim().is_empty() {
            new.kind = template.kind.as_str().to_string();
        }
        if new.short_name.is_none() {
            new.short_name = template.short_name.clone();
        }
        let valid = new.validate()?;
        let at = self.now();
        let site = self.audited(actor, origin, "site.create", None, format!("site:{}", valid.code), |tx| {
            let created = insert_checked(tx, &valid, at)?;
            let columns = copy_from_template(tx, &template, &created, at)?;
            let payload = serde_json::json!({ "site": created, "template": template.code, "columns": columns });
            Ok((created, payload))
        })?;
        self.invalidate_sites();
        Ok(site)
    }

    /// Closes a site: visitors see `notice` and, if given, are redirected.
    pub fn close_site(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        notice: &str,
        redirect: Option<&str>,
    ) -> Result<Site, Error> {
        let target = self.site(code)?;
        authorize(actor, Action::CloseSite, &Resource::Site(target.id))?;
        let notice = sitegroup_core::error::required_text("notice", notice, 2000)?;
        let redirect = match redirect.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r)
                if r.starts_with("https://")
                    || r.starts_with("http://")
                    || (r.starts_with('/') && !r.starts_with("//")) =>
            {
                if r.chars().any(|c| c.is_whitespace() || c.is_control()) || r.len() > 500 {
                    return Err(bad_redirect());
                }
                Some(r.to_string())
            }
            Some(_) => return Err(bad_redirect()),
            None => None,
        };
        self.set_status(actor, origin, &target, SiteStatus::Closed { notice, redirect }, "site.close")
    }

    /// Reopens a closed site.
    pub fn reopen_site(&self, actor: &Actor, origin: &Origin, code: &str) -> Result<Site, Error> {
        let target = self.site(code)?;
        authorize(actor, Action::CloseSite, &Resource::Site(target.id))?;
        if target.status == SiteStatus::Archived {
            return Err(ValidationError::Rule(format!("site {} is archived", target.code)).into());
        }
        self.set_status(actor, origin, &target, SiteStatus::Open, "site.reopen")
    }

    /// Archives a site (group administrators only): kept for the record, no longer served.
    pub fn archive_site(&self, actor: &Actor, origin: &Origin, code: &str) -> Result<Site, Error> {
        let target = self.site(code)?;
        authorize(actor, Action::ArchiveSite, &Resource::Site(target.id))?;
        if self.site_tree()?.children(target.id).any(|c| c.status != SiteStatus::Archived) {
            return Err(ValidationError::Rule(format!("site {} still has sites under it", target.code)).into());
        }
        self.set_status(actor, origin, &target, SiteStatus::Archived, "site.archive")
    }

    fn set_status(
        &self,
        actor: &Actor,
        origin: &Origin,
        target: &Site,
        status: SiteStatus,
        action: &str,
    ) -> Result<Site, Error> {
        let payload = serde_json::to_value(&status).unwrap_or_default();
        self.audited(actor, origin, action, Some(target.id), format!("site:{}", target.code), |tx| {
            core_repo::update_site_status(tx, target.id, &status)?;
            Ok(((), payload))
        })?;
        self.invalidate_sites();
        self.site(&target.code)
    }

    /// Moves a site under another parent (group administrators only); refuses cycles,
    /// wrong parent kinds and a path prefix already taken under the new website.
    pub fn move_site(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        parent_code: Option<&str>,
    ) -> Result<Site, Error> {
        authorize(actor, Action::CreateSite, &Resource::Group)?;
        let target = self.site(code)?;
        let parent = parent_code.map(|p| self.site(p)).transpose()?;
        let parent_id = parent.as_ref().map(|p| p.id);
        self.audited(actor, origin, "site.move", Some(target.id), format!("site:{}", target.code), |tx| {
            let all: HashMap<SiteId, Site> = core_repo::all_sites(tx)?.into_iter().map(|s| (s.id, s)).collect();
            site::check_parent(&all, Some(target.id), target.kind, parent_id)?;
            let anchor = prefix_anchor(&all, target.kind, parent_id);
            if let (Some(prefix), Some(anchor)) = (&target.path_prefix, anchor)
                && let Some(owner) = core_repo::prefix_owner(tx, anchor, prefix)?.filter(|o| *o != target.code)
            {
                return Err(Error::PrefixTaken { prefix: prefix.clone(), owner });
            }
            core_repo::update_site_parent(tx, target.id, parent_id, anchor)?;
            Ok(((), serde_json::json!({ "parent": parent.as_ref().map(|p| p.code.clone()) })))
        })?;
        self.invalidate_sites();
        self.site(code)
    }
}

fn bad_redirect() -> Error {
    ValidationError::Malformed { field: "redirect", reason: "use an http(s) URL or a path starting with '/'".into() }
        .into()
}

/// The registered website under which a site's path prefix must be unique.
fn prefix_anchor(
    all: &HashMap<SiteId, Site>,
    kind: sitegroup_core::SiteKind,
    parent: Option<SiteId>,
) -> Option<SiteId> {
    let _ = kind;
    parent.and_then(|p| site::website_of(all, p))
}

/// Inserts a validated site after the checks that need the tree.
fn insert_checked(tx: &mut Tx<'_>, valid: &site::ValidSite, at: i64) -> Result<Site, Error> {
    let all: HashMap<SiteId, Site> = core_repo::all_sites(tx)?.into_iter().map(|s| (s.id, s)).collect();
    if valid.kind == sitegroup_core::SiteKind::Portal
        && all.values().any(|s| s.kind == sitegroup_core::SiteKind::Portal)
    {
        return Err(ValidationError::Rule("the group already has a portal".into()).into());
    }
    site::check_parent(&all, None, valid.kind, valid.parent)?;
    let anchor = prefix_anchor(&all, valid.kind, valid.parent);
    if let Some(prefix) = &valid.path_prefix {
        let Some(anchor) = anchor else {
            return Err(ValidationError::Rule("a path prefix needs a parent website to live under".into()).into());
        };
        if let Some(owner) = core_repo::prefix_owner(tx, anchor, prefix)? {
            return Err(Error::PrefixTaken { prefix: prefix.clone(), owner });
        }
    }
    for host in &valid.hosts {
        if let Some(owner) = core_repo::host_owner(tx, host)? {
            return Err(Error::HostTaken { host: host.clone(), owner });
        }
    }
    core_repo::insert_site(tx, valid, anchor, at).map_err(|e| duplicate(e, "site", &valid.code))
}

/// The copy step of "create from template". Each module that owns per-site data adds
/// its copy here; the core itself has nothing to copy beyond what
/// `add_site_from_template` already took (kind, short name). Columns: the live column
/// skeleton (tree, kinds, names, slugs, duties, order, visibility, kind fields; not
/// owners, redirects or content). Returns the number of columns copied.
fn copy_from_template(tx: &mut Tx<'_>, template: &Site, new: &Site, at: i64) -> Result<usize, Error> {
    Ok(sitegroup_columns::repo::copy_skeleton(tx, template.id, new.id, at)?)
}
