//! Columns through the facade: authorize, validate, write with audit and outbox.
//!
//! Every write is `authorize(actor, ManageColumns, …)` → validation of the input →
//! one transaction holding the change, its audit entry (`column.create`,
//! `column.update`, `column.owners`, `column.archive`, `column.restore`,
//! `column.min_rate`; target `column:{id}`) and its outbox event. Checks that need the
//! tree (parent, cycle, duplicate slug) run inside the transaction; any error rolls
//! everything back.

use std::collections::BTreeMap;

use sitegroup_columns::tree::{self, SlugChoice};
use sitegroup_columns::{
    Column, ColumnActivity, ColumnChange, ColumnError, ColumnHealth, ColumnLookup, HealthThresholds, NewColumn, Owner,
    SiteHealth, owner, repo, slug,
};
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, Site, SiteId, authorize};
use sitegroup_store::{StoreError, Tx, core_repo};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

/// The largest minimum daily rate a site may set.
const MAX_DAILY_RATE: u32 = 10_000;

/// A column that lapses soon or is overdue, with the people to remind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ColumnReminder {
    /// The column's health.
    pub health: ColumnHealth,
    /// Its owners (栏目责任人).
    pub owners: Vec<Owner>,
}

/// Turns a unique violation on a column path into a duplicate-slug error.
fn path_taken(e: StoreError, slug: &str) -> Error {
    match e {
        StoreError::UniqueViolation { .. } => ColumnError::DuplicateSlug { slug: slug.to_string() }.into(),
        other => Error::Store(other),
    }
}

/// The column `id` of `site`, live; another site's column is "not found" here.
fn live_column(tx: &mut Tx<'_>, site: SiteId, id: i64) -> Result<Column, Error> {
    let c = repo::get_column(tx, id)?.filter(|c| c.site == site).ok_or(ColumnError::NotFound(id))?;
    if c.archived_at.is_some() {
        return Err(ColumnError::Archived(id).into());
    }
    Ok(c)
}

/// Checks a parent named for `site`: it exists, and in that site.
fn check_parent(tx: &mut Tx<'_>, site: SiteId, parent: Option<i64>) -> Result<(), Error> {
    if let Some(p) = parent {
        let c = repo::get_column(tx, p)?.ok_or(ColumnError::UnknownParent(p))?;
        if c.site != site {
            return Err(ColumnError::WrongSite { column: p, site }.into());
        }
    }
    Ok(())
}

impl MaybeSite for Column {
    fn site_id(&self) -> Option<SiteId> {
        Some(self.site)
    }
}
impl MaybeSite for Vec<Owner> {}

impl SiteGroup {
    /// The site with this id, or [`Error::NotFound`].
    fn column_site(&self, site: SiteId) -> Result<Site, Error> {
        self.site_tree()?.get(site).cloned().ok_or(Error::NotFound { what: "site", key: site.to_string() })
    }

    /// One column write: the closure returns the value, the column id (for the target
    /// `column:{id}`) and the payload; audit entry and outbox event go in the same
    /// transaction.
    fn column_write<T: MaybeSite>(
        &self,
        actor: &Actor,
        origin: &Origin,
        action: &str,
        site: SiteId,
        f: impl FnOnce(&mut Tx<'_>) -> Result<(T, i64, serde_json::Value), Error>,
    ) -> Result<T, Error> {
        self.audited_as(actor, origin, action, Some(site), |tx| {
            let (value, column, payload) = f(tx)?;
            Ok((value, format!("column:{column}"), payload))
        })
    }

    /// Adds a column to a site (`ManageColumns` on the site). The slug is the one given
    /// (validated, refused if a sibling has it) or the pinyin of the name made unique
    /// under the parent (`-2`, `-3` …). Refuses an unknown parent, a parent in another
    /// site, an archived or link parent, a tree deeper than six levels, bad fields.
    pub fn add_column(&self, actor: &Actor, origin: &Origin, site: SiteId, new: &NewColumn) -> Result<Column, Error> {
        authorize(actor, Action::ManageColumns, &Resource::Site(site))?;
        self.column_site(site)?;
        let fields = tree::validate_fields(&new.fields())?;
        let choice = match new.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => SlugChoice::Explicit(slug::validate_slug(s)?),
            None => SlugChoice::FromName(fields.name.clone()),
        };
        let at = self.now();
        self.column_write(actor, origin, "column.create", site, |tx| {
            check_parent(tx, site, new.parent)?;
            let all = repo::columns_of_site(tx, site)?;
            let place = tree::place_new(&all, new.parent, &choice)?;
            let position = new.position.unwrap_or_else(|| tree::next_position(&all, new.parent));
            let created =
                repo::insert_column(tx, site, &place, &fields, position, at).map_err(|e| path_taken(e, &place.slug))?;
            let payload = serde_json::to_value(&created).unwrap_or_default();
            Ok((created.clone(), created.id, payload))
        })
    }

    /// Changes a column (`ManageColumns` on it): rename (the slug stays), a new slug or
    /// a move within the site (old paths of it and its descendants then redirect),
    /// order, visibility, duty, kind and kind fields. Refuses cycles, moves to another
    /// site's column, duplicate slugs, a link kind on a column with sub-columns, and
    /// changes to an archived column.
    pub fn update_column(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        id: i64,
        change: &ColumnChange,
    ) -> Result<Column, Error> {
        authorize(actor, Action::ManageColumns, &Resource::Column { site, column: id })?;
        self.column_site(site)?;
        let new_slug = change.slug.as_deref().map(slug::validate_slug).transpose()?;
        if let Some(name) = &change.name {
            sitegroup_core::error::required_text("name", name, tree::MAX_NAME)?;
        }
        let at = self.now();
        self.column_write(actor, origin, "column.update", site, |tx| {
            let current = live_column(tx, site, id)?;
            let fields = tree::validate_fields(&change.apply(&current))?;
            let all = repo::columns_of_site(tx, site)?;
            if !fields.kind.may_have_children() && all.iter().any(|c| c.parent == Some(id) && c.archived_at.is_none()) {
                return Err(ColumnError::NoChildren { kind: fields.kind.as_str().to_string() }.into());
            }
            let new_parent = change.parent.unwrap_or(current.parent);
            let mut position = change.position.unwrap_or(current.position);
            let mut rewrites = vec![];
            if change.touches_path() {
                check_parent(tx, site, new_parent)?;
                let slug = new_slug.clone().unwrap_or_else(|| current.slug.clone());
                let plan = tree::plan_move(&all, id, new_parent, &slug)?;
                if new_parent != current.parent && change.position.is_none() {
                    position = tree::next_position(&all, new_parent);
                }
                repo::apply_move(tx, site, &plan, at).map_err(|e| path_taken(e, &slug))?;
                rewrites = plan.rewrites;
            }
            repo::update_fields(tx, id, &fields, position, at)?;
            let updated = repo::get_column(tx, id)?.ok_or(ColumnError::NotFound(id))?;
            let payload = serde_json::json!({ "before": current, "after": updated, "rewrites": rewrites });
            Ok((updated, id, payload))
        })
    }

    /// Names the owners (栏目责任人) of a column, replacing the previous list
    /// (`ManageColumns` on the column). An owner with a user and a blank name gets the
    /// user's display name; an unknown user is [`Error::NotFound`].
    pub fn set_column_owners(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        id: i64,
        owners: &[Owner],
    ) -> Result<Vec<Owner>, Error> {
        authorize(actor, Action::ManageColumns, &Resource::Column { site, column: id })?;
        self.column_site(site)?;
        let filled = self.db.read(|tx| {
            let mut out = Vec::with_capacity(owners.len());
            for o in owners.iter().take(owner::MAX_OWNERS + 1) {
                let mut o = o.clone();
                if let Some(user) = o.user {
                    let stored = core_repo::user_by_id(tx, user)?
                        .ok_or(Error::NotFound { what: "user", key: user.to_string() })?;
                    if o.name.trim().is_empty() {
                        o.name = stored.user.display_name.clone();
                    }
                }
                out.push(o);
            }
            Ok::<_, Error>(out)
        })?;
        let valid = owner::validate_owners(&filled)?;
        self.column_write(actor, origin, "column.owners", site, |tx| {
            live_column(tx, site, id)?;
            repo::replace_owners(tx, id, &valid)?;
            Ok((valid.clone(), id, serde_json::json!({ "owners": valid })))
        })
    }

    /// Archives a column (`ManageColumns` on it): out of navigation, paths and health,
    /// its documents keep their reference and its slug stays taken. Columns are never
    /// deleted. Refused while it has live sub-columns.
    pub fn archive_column(&self, actor: &Actor, origin: &Origin, site: SiteId, id: i64) -> Result<Column, Error> {
        authorize(actor, Action::ManageColumns, &Resource::Column { site, column: id })?;
        self.column_site(site)?;
        let at = self.now();
        self.column_write(actor, origin, "column.archive", site, |tx| {
            live_column(tx, site, id)?;
            let all = repo::columns_of_site(tx, site)?;
            if all.iter().any(|c| c.parent == Some(id) && c.archived_at.is_none()) {
                return Err(ColumnError::HasChildren(id).into());
            }
            repo::set_archived(tx, id, Some(at), at)?;
            let c = repo::get_column(tx, id)?.ok_or(ColumnError::NotFound(id))?;
            Ok((c, id, serde_json::json!({ "archived_at": at })))
        })
    }

    /// Restores an archived column (its parent must be live).
    pub fn restore_column(&self, actor: &Actor, origin: &Origin, site: SiteId, id: i64) -> Result<Column, Error> {
        authorize(actor, Action::ManageColumns, &Resource::Column { site, column: id })?;
        self.column_site(site)?;
        let at = self.now();
        self.column_write(actor, origin, "column.restore", site, |tx| {
            let c = repo::get_column(tx, id)?.filter(|c| c.site == site).ok_or(ColumnError::NotFound(id))?;
            if c.archived_at.is_none() {
                return Ok((c, id, serde_json::json!({ "restored": false })));
            }
            if let Some(p) = c.parent {
                live_column(tx, site, p)?;
            }
            repo::set_archived(tx, id, None, at)?;
            let c = repo::get_column(tx, id)?.ok_or(ColumnError::NotFound(id))?;
            Ok((c, id, serde_json::json!({ "restored": true })))
        })
    }

    /// Every column of a site for the back office, archived and hidden ones included,
    /// in tree order (`ViewBackOffice` on the site).
    pub fn columns(&self, actor: &Actor, site: SiteId) -> Result<Vec<Column>, Error> {
        authorize(actor, Action::ViewBackOffice, &Resource::Site(site))?;
        self.column_site(site)?;
        Ok(self.db.read(|tx| repo::columns_of_site(tx, site))?)
    }

    /// The navigation of a site: live, visible columns (and nothing under a hidden
    /// one), in tree order. Public.
    pub fn public_columns(&self, site: SiteId) -> Result<Vec<Column>, Error> {
        self.column_site(site)?;
        Ok(tree::navigation(self.db.read(|tx| repo::columns_of_site(tx, site))?))
    }

    /// One column of a site for the back office (`ViewBackOffice` on the column, so a
    /// column-scoped editor sees theirs). Another site's id is [`ColumnError::NotFound`].
    pub fn column(&self, actor: &Actor, site: SiteId, id: i64) -> Result<Column, Error> {
        authorize(actor, Action::ViewBackOffice, &Resource::Column { site, column: id })?;
        self.column_site(site)?;
        let c = self.db.read(|tx| repo::get_column(tx, id))?;
        Ok(c.filter(|c| c.site == site).ok_or(ColumnError::NotFound(id))?)
    }

    /// The owners of every column of a site, by column id (`ViewBackOffice`).
    pub fn column_owners(&self, actor: &Actor, site: SiteId) -> Result<BTreeMap<i64, Vec<Owner>>, Error> {
        authorize(actor, Action::ViewBackOffice, &Resource::Site(site))?;
        self.column_site(site)?;
        Ok(self.db.read(|tx| repo::owners_of_site(tx, site))?)
    }

    /// Resolves a path within a site (public): a live column, a redirect from an old
    /// path to its current one, or nothing. Paths are matched case-insensitively,
    /// without trailing `/`.
    pub fn column_by_path(&self, site: SiteId, path: &str) -> Result<ColumnLookup, Error> {
        let Some(path) = tree::normalize_path(path) else { return Ok(ColumnLookup::NotFound) };
        Ok(self.db.read(|tx| repo::lookup_path(tx, site, &path))?)
    }

    /// Sets a site's minimum documents per day across its news columns (0: none;
    /// `ManageColumns` on the site).
    pub fn set_column_min_rate(&self, actor: &Actor, origin: &Origin, site: SiteId, per_day: u32) -> Result<(), Error> {
        authorize(actor, Action::ManageColumns, &Resource::Site(site))?;
        let s = self.column_site(site)?;
        if per_day > MAX_DAILY_RATE {
            return Err(sitegroup_core::ValidationError::Malformed {
                field: "min_daily_rate",
                reason: format!("at most {MAX_DAILY_RATE} a day"),
            }
            .into());
        }
        self.audited(actor, origin, "column.min_rate", Some(site), format!("site:{}", s.code), |tx| {
            repo::set_min_daily_rate(tx, site, per_day)?;
            Ok(((), serde_json::json!({ "min_daily_rate": per_day })))
        })
    }

    /// The health thresholds of a site: the national defaults plus its minimum rate.
    pub fn column_thresholds(&self, site: SiteId) -> Result<HealthThresholds, Error> {
        let min_daily_rate = self.db.read(|tx| repo::min_daily_rate(tx, site))?;
        Ok(HealthThresholds { min_daily_rate, ..HealthThresholds::default() })
    }

    /// The health of a site's columns now, from publishing activity the content module
    /// computed (`ViewBackOffice` on the site). `window_days` is the window
    /// `published_in_window` was counted over.
    pub fn column_health_of(
        &self,
        actor: &Actor,
        site: SiteId,
        activity: &[ColumnActivity],
        window_days: u32,
    ) -> Result<SiteHealth, Error> {
        authorize(actor, Action::ViewBackOffice, &Resource::Site(site))?;
        self.column_site(site)?;
        let thresholds = HealthThresholds { window_days: window_days.max(1), ..self.column_thresholds(site)? };
        let columns = self.db.read(|tx| repo::columns_of_site(tx, site))?;
        Ok(sitegroup_columns::site_health(&columns, activity, self.now(), &thresholds))
    }

    /// Columns to remind owners about: overdue or lapsing within the reminder window,
    /// counted columns only, each with its owners.
    pub fn column_reminders(
        &self,
        actor: &Actor,
        site: SiteId,
        activity: &[ColumnActivity],
        window_days: u32,
    ) -> Result<Vec<ColumnReminder>, Error> {
        let health = self.column_health_of(actor, site, activity, window_days)?;
        let mut owners = self.db.read(|tx| repo::owners_of_site(tx, site))?;
        Ok(health
            .columns
            .into_iter()
            .filter(|h| h.counted && (h.is_overdue() || h.lapses_soon()))
            .map(|h| ColumnReminder { owners: owners.remove(&h.column).unwrap_or_default(), health: h })
            .collect())
    }
}
