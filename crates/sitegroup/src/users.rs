//! Users and their grants.

use sitegroup_core::audit::Origin;
use sitegroup_core::auth::valid_grant;
use sitegroup_core::user::{NewUser, User, check_password_strength};
use sitegroup_core::{Action, Actor, Grant, Resource, Scope, ValidationError, authorize, password};
use sitegroup_store::core_repo;

use crate::error::Error;
use crate::group::{SiteGroup, duplicate};

fn resource_of(scope: Scope) -> Resource {
    match scope {
        Scope::Group => Resource::Group,
        Scope::Site(s) => Resource::Site(s),
        Scope::Column { site, column } => Resource::Column { site, column },
    }
}

impl SiteGroup {
    /// Creates a user (group administrators only). With `password: None` a password is
    /// generated and returned once; a chosen one must pass the strength rule.
    pub fn add_user(
        &self,
        actor: &Actor,
        origin: &Origin,
        new: &NewUser,
        password_typed: Option<&str>,
    ) -> Result<(User, Option<String>), Error> {
        authorize(actor, Action::ManageUsers, &Resource::Group)?;
        let new = new.validate()?;
        if let Some(unit) = new.unit
            && self.db.read(|tx| core_repo::unit_by_id(tx, unit))?.is_none()
        {
            return Err(Error::NotFound { what: "unit", key: unit.to_string() });
        }
        let (clear, generated) = match password_typed {
            Some(p) => {
                check_password_strength(&new.username, p)?;
                (p.to_string(), None)
            }
            None => {
                let p = password::generate_password().map_err(|e| Error::Internal(e.to_string()))?;
                (p.clone(), Some(p))
            }
        };
        let hash = password::hash_password(&clear).map_err(|e| Error::Internal(e.to_string()))?;
        let at = self.now();
        let user = self.audited(actor, origin, "user.create", None, format!("user:{}", new.username), |tx| {
            let user = core_repo::insert_user(tx, &new, &hash, at).map_err(|e| duplicate(e, "user", &new.username))?;
            let payload = serde_json::json!({ "username": user.username, "display_name": user.display_name });
            Ok((user, payload))
        })?;
        Ok((user, generated))
    }

    /// The user with this login name (group administrators, or the user themself).
    pub fn user(&self, actor: &Actor, username: &str) -> Result<User, Error> {
        let key = username.trim().to_ascii_lowercase();
        let stored = self
            .db
            .read(|tx| core_repo::user_by_name(tx, &key))?
            .ok_or(Error::NotFound { what: "user", key: key.clone() })?;
        if actor.user_id() != Some(stored.user.id) {
            authorize(actor, Action::ManageUsers, &Resource::Group)?;
        }
        Ok(stored.user)
    }

    /// Users the actor may see: everyone for group scope, else the users holding a
    /// grant on a site where the actor may `ViewUsers`.
    pub fn list_users(&self, actor: &Actor) -> Result<Vec<User>, Error> {
        if authorize(actor, Action::ManageUsers, &Resource::Group).is_ok() {
            return Ok(self.db.read(core_repo::list_users)?);
        }
        let sites: Vec<_> = self
            .site_tree()?
            .sites()
            .iter()
            .map(|s| s.id)
            .filter(|id| authorize(actor, Action::ViewUsers, &Resource::Site(*id)).is_ok())
            .collect();
        if sites.is_empty() {
            return Err(sitegroup_core::Denied {
                actor: actor.label(),
                action: Action::ViewUsers,
                resource: Resource::Group,
            }
            .into());
        }
        Ok(self.db.read(|tx| core_repo::users_with_site_grants(tx, &sites))?)
    }

    /// A user's grants (group administrators, or the user themself).
    pub fn grants(&self, actor: &Actor, username: &str) -> Result<Vec<Grant>, Error> {
        let user = self.user(actor, username)?;
        Ok(self.db.read(|tx| core_repo::grants_of(tx, user.id))?)
    }

    /// Grants `grant` to a user. Who may grant what is `authorize`'s call
    /// (`Action::GrantRole(role)` on the grant's scope); ill-formed grants (a group
    /// admin scoped to a site) are refused. Granting twice is a no-op.
    pub fn grant(&self, actor: &Actor, origin: &Origin, username: &str, grant: Grant) -> Result<bool, Error> {
        authorize(actor, Action::GrantRole(grant.role), &resource_of(grant.scope))?;
        if !valid_grant(&grant) {
            return Err(ValidationError::Rule(format!(
                "role {} cannot be held in that scope (group admin: group only; site admin: a whole site)",
                grant.role.as_str()
            ))
            .into());
        }
        if let Some(site) = resource_of(grant.scope).site()
            && self.site_tree()?.get(site).is_none()
        {
            return Err(Error::NotFound { what: "site", key: site.to_string() });
        }
        if let Scope::Column { site, column } = grant.scope {
            // A column grant names a live column of that very site.
            let found = self.db.read(|tx| sitegroup_columns::repo::get_column(tx, column))?;
            match found {
                None => return Err(sitegroup_columns::ColumnError::NotFound(column).into()),
                Some(c) if c.site != site => {
                    return Err(sitegroup_columns::ColumnError::WrongSite { column, site }.into());
                }
                Some(c) if c.archived_at.is_some() => {
                    return Err(sitegroup_columns::ColumnError::Archived(column).into());
                }
                Some(_) => {}
            }
        }
        let key = username.trim().to_ascii_lowercase();
        let target = self
            .db
            .read(|tx| core_repo::user_by_name(tx, &key))?
            .ok_or(Error::NotFound { what: "user", key: key.clone() })?;
        let site = resource_of(grant.scope).site();
        self.audited(actor, origin, "user.grant", site, format!("user:{key}"), |tx| {
            let added = core_repo::insert_grant(tx, target.user.id, &grant)?;
            Ok((added, serde_json::to_value(grant).unwrap_or_default()))
        })
    }

    /// Revokes a grant; returns whether it existed.
    pub fn revoke(&self, actor: &Actor, origin: &Origin, username: &str, grant: Grant) -> Result<bool, Error> {
        authorize(actor, Action::GrantRole(grant.role), &resource_of(grant.scope))?;
        let key = username.trim().to_ascii_lowercase();
        let target = self
            .db
            .read(|tx| core_repo::user_by_name(tx, &key))?
            .ok_or(Error::NotFound { what: "user", key: key.clone() })?;
        let site = resource_of(grant.scope).site();
        self.audited(actor, origin, "user.revoke", site, format!("user:{key}"), |tx| {
            let removed = core_repo::revoke_grant(tx, target.user.id, &grant)?;
            Ok((removed, serde_json::to_value(grant).unwrap_or_default()))
        })
    }
}
