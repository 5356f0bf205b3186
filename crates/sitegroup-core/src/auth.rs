//! Roles, grants and [`authorize`]: the one function that decides every permission.
//!
//! Nothing else in the workspace looks at roles. Module code asks
//! `authorize(actor, action, resource)?` before it reads or writes tenant data.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{SiteId, UserId};

/// A role a user holds within a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 信息中心 (the information centre): runs the whole group. Group scope only.
    GroupAdmin,
    /// Runs one site: its settings, users' roles there, columns, audit log.
    SiteAdmin,
    /// 编辑: writes drafts and submits them for review.
    Editor,
    /// 审核员: the confidentiality review (保密审查) and publishing.
    Reviewer,
    /// 办理人: answers the messages addressed to the site's unit.
    Handler,
    /// 领导: reads messages and gives instructions (批示); sees statistics.
    Leader,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 6] =
        [Role::GroupAdmin, Role::SiteAdmin, Role::Editor, Role::Reviewer, Role::Handler, Role::Leader];

    /// Stable lowercase name (`group_admin`, `site_admin`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GroupAdmin => "group_admin",
            Role::SiteAdmin => "site_admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Handler => "handler",
            Role::Leader => "leader",
        }
    }

    /// Parses [`Role::as_str`]'s output (also accepts `-` for `_`).
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum Scope {
    /// The whole group.
    Group,
    /// One site.
    Site(SiteId),
    /// One column (栏目) of one site.
    Column {
        /// The column's site.
        site: SiteId,
        /// The column's id.
        column: i64,
    },
}

/// A role in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it applies.
    pub scope: Scope,
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActorKind {
    /// A citizen or any visitor without a login.
    Anonymous,
    /// A logged-in back-office user.
    User {
        /// The user's id.
        id: UserId,
        /// The login name, kept for the audit log.
        username: String,
    },
    /// The platform itself, acting for an operator with direct access (the command
    /// line, first-start seeding, scheduled jobs). Has every permission.
    System {
        /// What acts: `cli`, `seed`, `scheduler` …
        name: String,
    },
}

/// Who is acting and with which grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Who.
    pub kind: ActorKind,
    /// The grants held (empty for anonymous and system actors).
    pub grants: Vec<Grant>,
}

impl Actor {
    /// A visitor without a login.
    pub fn anonymous() -> Actor {
        Actor { kind: ActorKind::Anonymous, grants: vec![] }
    }

    /// The platform itself, e.g. `Actor::system("cli")`.
    pub fn system(name: &str) -> Actor {
        Actor { kind: ActorKind::System { name: name.to_string() }, grants: vec![] }
    }

    /// A logged-in user with their grants.
    pub fn user(id: UserId, username: &str, grants: Vec<Grant>) -> Actor {
        Actor { kind: ActorKind::User { id, username: username.to_string() }, grants }
    }

    /// The user id, if a user acts.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.kind {
            ActorKind::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// A label for the audit log: the user name, `system:cli`, or `anonymous`.
    pub fn label(&self) -> String {
        match &self.kind {
            ActorKind::Anonymous => "anonymous".into(),
            ActorKind::User { username, .. } => username.clone(),
            ActorKind::System { name } => format!("system:{name}"),
        }
    }

    /// Sites the actor holds any grant on; `None` means every site (group scope or system).
    pub fn site_scope(&self) -> Option<Vec<SiteId>> {
        if matches!(self.kind, ActorKind::System { .. }) || self.grants.iter().any(|g| g.scope == Scope::Group) {
            return None;
        }
        let mut sites: Vec<SiteId> = self
            .grants
            .iter()
            .filter_map(|g| match g.scope {
                Scope::Site(s) | Scope::Column { site: s, .. } => Some(s),
                Scope::Group => None,
            })
            .collect();
        sites.sort();
        sites.dedup();
        Some(sites)
    }
}

/// Something an actor wants to do. Modules add variants as they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Action {
    /// Read published, public pages.
    ReadPublic,
    /// Enter a site's back office.
    ViewBackOffice,
    /// Create a site (group-wide).
    CreateSite,
    /// Change a site's settings, parent, prefix or hosts.
    EditSite,
    /// Close or reopen a site.
    CloseSite,
    /// Archive a site (group-wide).
    ArchiveSite,
    /// Create and edit org units (group-wide).
    ManageUnits,
    /// Create, disable and reset users (group-wide).
    ManageUsers,
    /// See the users and roles of a site.
    ViewUsers,
    /// Grant or revoke this role in the resource's scope.
    GrantRole(Role),
    /// Read the audit log of a site.
    ViewAudit,
    /// Create and arrange columns, name their owners.
    ManageColumns,
    /// Write or change drafts.
    EditDraft,
    /// See unpublished drafts.
    ViewDrafts,
    /// Send a draft to review.
    SubmitForReview,
    /// Carry out the confidentiality review (保密审查) and sign it off.
    ReviewContent,
    /// Publish, withdraw or archive reviewed content.
    PublishContent,
    /// See messages (tickets) addressed to the site's unit.
    ViewTickets,
    /// Reply to tickets, explain delays.
    HandleTicket,
    /// Give a leader's instruction on a ticket.
    InstructTicket,
    /// Screen incoming tickets and urge units (the information centre's work).
    ScreenTicket,
    /// See statistics.
    ViewStats,
    /// Run the inspection self-check.
    RunSelfCheck,
}

/// What an action is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Resource {
    /// Group-wide things: units, users, creating sites.
    Group,
    /// One site and everything in it.
    Site(SiteId),
    /// One column of one site.
    Column {
        /// The column's site.
        site: SiteId,
        /// The column's id.
        column: i64,
    },
}

impl Resource {
    /// The site the resource belongs to, if any.
    pub fn site(&self) -> Option<SiteId> {
        match self {
            Resource::Group => None,
            Resource::Site(s) | Resource::Column { site: s, .. } => Some(*s),
        }
    }
}

/// A refusal, with enough to log and to explain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{actor} may not {action:?} on {resource:?}")]
pub struct Denied {
    /// Who asked.
    pub actor: String,
    /// What for.
    pub action: Action,
    /// On what.
    pub resource: Resource,
}

/// Whether `role`, held in a scope that covers the resource, permits `action`.
fn role_permits(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::GroupAdmin => true,
        Role::SiteAdmin => matches!(
            action,
            ReadPublic
                | ViewBackOffice
                | EditSite
                | CloseSite
                | ViewUsers
                | GrantRole(Role::Editor | Role::Reviewer | Role::Handler | Role::Leader)
                | ViewAudit
                | ManageColumns
                | EditDraft
                | ViewDrafts
                | SubmitForReview
                | ViewTickets
                | ViewStats
                | RunSelfCheck
        ),
        Role::Editor => matches!(action, ReadPublic | ViewBackOffice | EditDraft | ViewDrafts | SubmitForReview),
        Role::Reviewer => matches!(action, ReadPublic | ViewBackOffice | ViewDrafts | ReviewContent | PublishContent),
        Role::Handler => matches!(action, ReadPublic | ViewBackOffice | ViewTickets | HandleTicket),
        Role::Leader => matches!(action, ReadPublic | ViewBackOffice | ViewTickets | InstructTicket | ViewStats),
    }
}

/// Whether a grant's scope reaches the resource for this action.
fn scope_covers(scope: Scope, action: Action, resource: Resource) -> bool {
    match (scope, resource) {
        (Scope::Group, _) => true,
        (Scope::Site(s), Resource::Site(r)) | (Scope::Site(s), Resource::Column { site: r, .. }) => s == r,
        (Scope::Column { site, column }, Resource::Column { site: rs, column: rc }) => site == rs && column == rc,
        // A column-scoped editor may enter the site's back office, nothing more site-wide.
        (Scope::Column { site, .. }, Resource::Site(r)) => site == r && action == Action::ViewBackOffice,
        (_, Resource::Group) => false,
    }
}

/// Decides whether `actor` may do `action` on `resource`. The only permission check in
/// the workspace.
///
/// - Anyone may [`Action::ReadPublic`].
/// - The system actor may do anything.
/// - A user may act when one of their grants has a role that permits the action and a
///   scope that covers the resource. Group-wide resources need a group-scoped grant.
///
/// ```
/// use sitegroup_core::{authorize, Action, Actor, Grant, Resource, Role, Scope, SiteId, UserId};
/// let admin = Actor::user(UserId(1), "wang", vec![Grant { role: Role::SiteAdmin, scope: Scope::Site(SiteId(2)) }]);
/// assert!(authorize(&admin, Action::GrantRole(Role::Editor), &Resource::Site(SiteId(2))).is_ok());
/// assert!(authorize(&admin, Action::GrantRole(Role::SiteAdmin), &Resource::Site(SiteId(2))).is_err());
/// assert!(authorize(&admin, Action::CreateSite, &Resource::Group).is_err());
/// ```
pub fn authorize(actor: &Actor, action: Action, resource: &Resource) -> Result<(), Denied> {
    let allowed = match &actor.kind {
        ActorKind::System { .. } => true,
        _ if action == Action::ReadPublic => true,
        ActorKind::Anonymous => false,
        ActorKind::User { .. } => actor
            .grants
            .iter()
            .any(|g| valid_grant(g) && role_permits(g.role, action) && scope_covers(g.scope, action, *resource)),
    };
    if allowed { Ok(()) } else { Err(Denied { actor: actor.label(), action, resource: *resource }) }
}

/// Whether a grant is well-formed: a group admin needs group scope, and a site admin
/// a site (not a column). Ill-formed grants grant nothing.
pub fn valid_grant(grant: &Grant) -> bool {
    match grant.role {
        Role::GroupAdmin => grant.scope == Scope::Group,
        Role::SiteAdmin => !matches!(grant.scope, Scope::Column { .. }),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ill_formed_grants_grant_nothing() {
        let a = Actor::user(UserId(1), "x", vec![Grant { role: Role::GroupAdmin, scope: Scope::Site(SiteId(1)) }]);
        assert!(authorize(&a, Action::CreateSite, &Resource::Group).is_err());
        assert!(authorize(&a, Action::EditSite, &Resource::Site(SiteId(1))).is_err());
    }

    #[test]
    fn column_scope() {
        let a = Actor::user(
            UserId(1),
            "x",
            vec![Grant { role: Role::Editor, scope: Scope::Column { site: SiteId(1), column: 9 } }],
        );
        assert!(authorize(&a, Action::EditDraft, &Resource::Column { site: SiteId(1), column: 9 }).is_ok());
        assert!(authorize(&a, Action::EditDraft, &Resource::Column { site: SiteId(1), column: 8 }).is_err());
        assert!(authorize(&a, Action::EditDraft, &Resource::Site(SiteId(1))).is_err());
        assert!(authorize(&a, Action::ViewBackOffice, &Resource::Site(SiteId(1))).is_ok());
        assert!(authorize(&Actor::anonymous(), Action::ReadPublic, &Resource::Site(SiteId(1))).is_ok());
        assert!(authorize(&Actor::anonymous(), Action::ViewDrafts, &Resource::Site(SiteId(1))).is_err());
    }
}
