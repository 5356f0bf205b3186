//! Opinion solicitations (民意征集) through the facade (issue 5): authorize, validate,
//! write with audit and outbox in one transaction.
//!
//! **Who may do what.** A solicitation belongs to a site. Writing and changing a draft
//! is `EditDraft` on that site; publishing it and closing it early is `PublishContent`
//! there (like a document). Moderating comments, recording comments received offline
//! and writing and publishing the feedback summary are for the site's editors
//! (`EditDraft` on the site) or the information centre (`ScreenTicket` on the group).
//! The back-office list is `ViewDrafts` on the site or `ScreenTicket` on the group. The
//! centre's list of overdue summaries is `ViewStats` on the group. Visitors see
//! published solicitations, their approved comments and published summaries, and
//! comment on open ones.
//!
//! **The summary is due** `solicitation.summary_days` working days (default 20) after
//! the solicitation closes, counted with the group's working-day calendar like a
//! ticket's deadline ([`sitegroup_interaction::solicitation::summary_due`]); past that
//! without a published summary it is overdue. [`SiteGroup::solicitations_without_summary`]
//! is the public query of closed solicitations lacking a published summary, for the
//! inspection self-check.
//!
//! **Comments** are stored as typed and pending until approved; only approved ones are
//! ever returned to the public. Inside the insert transaction the solicitation's row is
//! locked, the phase checked again, the idempotency key looked up (a double submit
//! returns the first comment) and the comments from the same address hash within the
//! window counted ([`SolicitationError::Throttled`] at the limit). Comment rows keep a
//! salted hash of the address (setting `solicitation.salt`), and a comment's audit
//! entry is written without the address.
//!
//! Events and audit actions: `solicitation.create`, `.update`, `.publish`, `.close`,
//! `.comment`, `.record`, `.moderate`, `.feedback`, `.feedback_publish`,
//! `settings.solicitation`.

use serde::Serialize;
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, authorize};
use sitegroup_interaction::solicitation::model::{
    self, Comment, CommentState, Feedback, Moderation, NewComment, NewSolicitation, Solicitation, SummaryStatus,
};
use sitegroup_interaction::solicitation::repo::{self, NewCommentRow};
use sitegroup_interaction::solicitation::{self, SolicitationError, SolicitationSettings};
use sitegroup_store::{StoreError, core_repo};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

impl MaybeSite for Solicitation {}
impl MaybeSite for Comment {}

fn lerr(e: SolicitationError) -> Error {
    Error::Solicitation(e)
}

/// A solicitation with every comment and its summary status (back office).
#[derive(Debug, Clone, Serialize)]
pub struct SolicitationAdminView {
    /// The solicitation, with the summary as saved.
    pub solicitation: Solicitation,
    /// Every comment, oldest first.
    pub comments: Vec<Comment>,
    /// Approved comments.
    pub approved: u32,
    /// Where the feedback summary stands now.
    pub summary: SummaryStatus,
}

/// A solicitation as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SolicitationPublicView {
    /// The solicitation; its summary only once published.
    pub solicitation: Solicitation,
    /// Approved comments only, oldest first.
    pub comments: Vec<Comment>,
}

/// What a submitted comment gives back.
#[derive(Debug, Clone, Serialize)]
pub struct SolicitationCommentReceipt {
    /// The comment (pending moderation).
    pub comment: Comment,
    /// True when the idempotency key was already used: this is the earlier comment.
    pub replayed: bool,
}

/// A closed solicitation without a published summary, with its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SolicitationSummaryDue {
    /// Solicitation id.
    pub id: i64,
    /// Its site.
    pub site: SiteId,
    /// Title.
    pub title: String,
    /// When it closed.
    pub closes_at: i64,
    /// When the summary is due (`None` while a year's holiday notice is missing).
    pub due_at: Option<i64>,
    /// Past the due date at the time asked.
    pub overdue: bool,
    /// Comments received.
    pub comments: i64,
    /// Whether a summary has been written (saved, not published).
    pub drafted: bool,
}

fn event(s: &Solicitation) -> serde_json::Value {
    serde_json::json!({
        "id": s.id, "site": s.site.0, "state": s.state.as_str(), "title": s.title,
        "closes_at": s.closes_at, "feedback_published_at": s.feedback_published_at,
    })
}

fn without_address(origin: &Origin) -> Origin {
    Origin { channel: origin.channel.clone(), address: None }
}

/// The public form of a solicitation: an unpublished summary is not shown.
fn public_form(mut s: Solicitation) -> Solicitation {
    if s.feedback_published_at.is_none() {
        s.feedback = None;
        s.feedback_at = None;
    }
    s.feedback_by = None;
    s
}

impl SiteGroup {
    /// The solicitation settings (`solicitation.*`, with defaults).
    pub fn solicitation_settings(&self) -> Result<SolicitationSettings, Error> {
        let pairs = self.db.read(repo::settings)?;
        Ok(SolicitationSettings::from_pairs(&pairs)?)
    }

    /// Sets one `solicitation.*` setting, e.g. `solicitation.summary_days` (the centre:
    /// `ScreenTicket` on the group); refused when unknown or malformed.
    pub fn set_solicitation_setting(
        &self,
        actor: &Actor,
        origin: &Origin,
        key: &str,
        value: &str,
    ) -> Result<(), Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        if !key.starts_with("solicitation.") || key == solicitation::SALT_SETTING {
            return Err(sitegroup_core::ValidationError::Rule(format!("unknown setting {key}")).into());
        }
        let mut pairs = self.db.read(repo::settings)?;
        pairs.push((key.to_string(), value.to_string()));
        SolicitationSettings::from_pairs(&pairs)?;
        self.audited(actor, origin, "settings.solicitation", None, format!("settings:{key}"), |tx| {
            core_repo::set_setting(tx, key, value.trim())?;
            Ok(((), serde_json::json!({ "key": key, "value": value.trim() })))
        })
    }

    fn solicitation_salt(&self) -> Result<String, Error> {
        if let Some(salt) = self.db.read(|tx| core_repo::get_setting(tx, solicitation::SALT_SETTING))? {
            return Ok(salt);
        }
        let fresh = sitegroup_interaction::survey::random_hex(16).map_err(Error::Survey)?;
        Ok(self.db.write(|tx| core_repo::setting_or_insert(tx, solicitation::SALT_SETTING, &fresh))?)
    }

    fn load_solicitation(&self, id: i64) -> Result<Solicitation, Error> {
        self.db.read(|tx| repo::solicitation(tx, id))?.ok_or(lerr(SolicitationError::NotFound(id)))
    }

    /// The site's editors (`EditDraft` on it) or the centre (`ScreenTicket` on the group).
    fn authorize_moderation(&self, actor: &Actor, site: SiteId) -> Result<(), Error> {
        match authorize(actor, Action::EditDraft, &Resource::Site(site)) {
            Ok(()) => Ok(()),
            Err(_) => Ok(authorize(actor, Action::ScreenTicket, &Resource::Group)?),
        }
    }

    /// Creates a draft solicitation on `site` (`EditDraft` there).
    pub fn create_solicitation(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        new: &NewSolicitation,
    ) -> Result<Solicitation, Error> {
        authorize(actor, Action::EditDraft, &Resource::Site(site))?;
        if self.site_tree()?.get(site).is_none() {
            return Err(Error::NotFound { what: "site", key: site.0.to_string() });
        }
        let valid = new.validate().map_err(lerr)?;
        let now = self.now();
        self.audited_as(actor, origin, "solicitation.create", Some(site), |tx| {
            let id = repo::insert(tx, site, &valid, &actor.label(), now)?;
            let s = repo::solicitation(tx, id)?.ok_or(Error::Internal("inserted solicitation vanished".into()))?;
            Ok((s.clone(), format!("solicitation:{id}"), event(&s)))
        })
    }

    /// Replaces a draft's document and period (`EditDraft` on its site; drafts only).
    pub fn update_solicitation(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        new: &NewSolicitation,
    ) -> Result<Solicitation, Error> {
        let s = self.load_solicitation(id)?;
        authorize(actor, Action::EditDraft, &Resource::Site(s.site))?;
        let now = self.now();
        s.check_editable(now).map_err(lerr)?;
        let valid = new.validate().map_err(lerr)?;
        self.audited(actor, origin, "solicitation.update", Some(s.site), format!("solicitation:{id}"), |tx| {
            repo::update_draft(tx, id, &valid, now).map_err(|e| stale(e, &s, now, "edit"))?;
            let s = repo::solicitation(tx, id)?.ok_or(lerr(SolicitationError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    /// Publishes a draft (`PublishContent` on its site).
    pub fn publish_solicitation(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Solicitation, Error> {
        let s = self.load_solicitation(id)?;
        authorize(actor, Action::PublishContent, &Resource::Site(s.site))?;
        let now = self.now();
        s.check_publishable(now).map_err(lerr)?;
        self.audited(actor, origin, "solicitation.publish", Some(s.site), format!("solicitation:{id}"), |tx| {
            repo::publish(tx, id, now).map_err(|e| stale(e, &s, now, "publish"))?;
            let s = repo::solicitation(tx, id)?.ok_or(lerr(SolicitationError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    /// Closes a published solicitation early, now (`PublishContent` on its site); the
    /// summary's due date counts from now.
    pub fn close_solicitation(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Solicitation, Error> {
        let s = self.load_solicitation(id)?;
        authorize(actor, Action::PublishContent, &Resource::Site(s.site))?;
        let now = self.now();
        let closes_at = s.close_at(now).map_err(lerr)?;
        self.audited(actor, origin, "solicitation.close", Some(s.site), format!("solicitation:{id}"), |tx| {
            repo::close(tx, id, closes_at, now).map_err(|e| stale(e, &s, now, "close"))?;
            let s = repo::solicitation(tx, id)?.ok_or(lerr(SolicitationError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    /// The solicitations the actor may manage, newest first: all for the centre
    /// (`ScreenTicket` on the group) or with `ViewDrafts` on the group, else those of
    /// the sites where the actor has `ViewDrafts`. Denied when there is none.
    pub fn solicitations_admin(&self, actor: &Actor) -> Result<Vec<Solicitation>, Error> {
        let sites = match authorize(actor, Action::ScreenTicket, &Resource::Group) {
            Ok(()) => None,
            Err(_) => self.sites_with(actor, Action::ViewDrafts)?,
        };
        Ok(self.db.read(|tx| repo::list(tx, sites.as_deref(), false))?)
    }

    /// One solicitation with every comment and its summary status (`ViewDrafts` on its
    /// site, or the centre).
    pub fn solicitation_admin(&self, actor: &Actor, id: i64) -> Result<SolicitationAdminView, Error> {
        let s = self.load_solicitation(id)?;
        if authorize(actor, Action::ScreenTicket, &Resource::Group).is_err() {
            authorize(actor, Action::ViewDrafts, &Resource::Site(s.site))?;
        }
        let comments = self.db.read(|tx| repo::comments(tx, id, &[]))?;
        let approved = comments.iter().filter(|c| c.state == CommentState::Approved).count();
        let days = self.solicitation_settings()?.summary_days;
        let summary = model::summary_status(&s, self.now(), days, self.calendar())?;
        Ok(SolicitationAdminView {
            solicitation: s,
            comments,
            approved: u32::try_from(approved).unwrap_or(u32::MAX),
            summary,
        })
    }

    /// Published solicitations, newest first (public; unpublished summaries left out).
    pub fn public_solicitations(&self) -> Result<Vec<Solicitation>, Error> {
        Ok(self.db.read(|tx| repo::list(tx, None, true))?.into_iter().map(public_form).collect())
    }

    /// A published solicitation with its approved comments (public).
    pub fn public_solicitation(&self, id: i64) -> Result<SolicitationPublicView, Error> {
        let s = self.load_solicitation(id)?;
        if !s.is_public() {
            return Err(lerr(SolicitationError::NotFound(id)));
        }
        let comments = self.db.read(|tx| repo::comments(tx, id, &[CommentState::Approved]))?;
        Ok(SolicitationPublicView { solicitation: public_form(s), comments })
    }

    /// Submits a comment on an open solicitation (a visitor; `ReadPublic`). It waits for
    /// moderation; a used idempotency key returns the earlier comment. The client
    /// address is `origin.address` (hashed for the limit, never stored).
    pub fn submit_solicitation_comment(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        new: &NewComment,
    ) -> Result<SolicitationCommentReceipt, Error> {
        let s = self.load_solicitation(id)?;
        if !s.is_public() {
            return Err(lerr(SolicitationError::NotFound(id)));
        }
        authorize(actor, Action::ReadPublic, &Resource::Site(s.site))?;
        let valid = new.validate().map_err(lerr)?;
        if let Some(key) = &valid.idempotency_key
            && let Some(c) = self.db.read(|tx| repo::comment_by_key(tx, key))?
        {
            return Ok(SolicitationCommentReceipt { comment: c, replayed: true });
        }
        let now = self.now();
        s.check_open(now).map_err(lerr)?;
        let settings = self.solicitation_settings()?;
        let salt = self.solicitation_salt()?;
        let address = solicitation::address_hash(&salt, id, origin.address.as_deref());
        let result = self.audited_as(actor, &without_address(origin), "solicitation.comment", Some(s.site), |tx| {
            if !repo::lock(tx, id)? {
                return Err(lerr(SolicitationError::NotFound(id)));
            }
            let current = repo::solicitation(tx, id)?.ok_or(lerr(SolicitationError::NotFound(id)))?;
            current.check_open(now).map_err(lerr)?;
            if let Some(key) = &valid.idempotency_key
                && repo::comment_by_key(tx, key)?.is_some()
            {
                return Err(Error::Duplicate { what: "comment key", key: key.clone() });
            }
            let recent = repo::count_from_address(tx, id, &address, now - settings.window_seconds() + 1)?;
            if recent >= i64::from(settings.address_limit) {
                return Err(lerr(SolicitationError::Throttled {
                    max: settings.address_limit,
                    minutes: settings.address_window_minutes,
                }));
            }
            let row = NewCommentRow {
                solicitation: id,
                comment: &valid,
                state: CommentState::Pending,
                source: "web",
                address_hash: &address,
                at: now,
                moderated_by: None,
            };
            let Some(cid) = repo::insert_comment(tx, &row)? else {
                let key = valid.idempotency_key.clone().unwrap_or_default();
                return Err(Error::Duplicate { what: "comment key", key });
            };
            let c = repo::comment(tx, cid)?.ok_or(Error::Internal("inserted comment vanished".into()))?;
            let payload = serde_json::json!({ "solicitation": id, "comment": cid, "state": c.state.as_str() });
            Ok((c, format!("comment:{cid}"), payload))
        });
        match result {
            Ok(comment) => Ok(SolicitationCommentReceipt { comment, replayed: false }),
            Err(Error::Duplicate { what: "comment key", key }) => {
                let c = self
                    .db
                    .read(|tx| repo::comment_by_key(tx, &key))?
                    .ok_or(Error::NotFound { what: "comment", key })?;
                Ok(SolicitationCommentReceipt { comment: c, replayed: true })
            }
            Err(e) => Err(e),
        }
    }

    /// Records a comment received on paper, by fax or by e-mail, dated `received_at`
    /// within the period and not in the future; it is public at once (the site's
    /// editors or the centre).
    pub fn record_solicitation_comment(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        new: &NewComment,
        received_at: i64,
    ) -> Result<Comment, Error> {
        let s = self.load_solicitation(id)?;
        self.authorize_moderation(actor, s.site)?;
        if !s.is_public() {
            return Err(lerr(SolicitationError::NotOpen { phase: model::SolicitationPhase::Draft }));
        }
        if received_at < s.opens_at || received_at >= s.closes_at || received_at > self.now() {
            return Err(lerr(SolicitationError::OutsidePeriod));
        }
        let mut valid = new.validate().map_err(lerr)?;
        valid.idempotency_key = None;
        let by = actor.label();
        self.audited_as(actor, origin, "solicitation.record", Some(s.site), |tx| {
            let row = NewCommentRow {
                solicitation: id,
                comment: &valid,
                state: CommentState::Approved,
                source: "offline",
                address_hash: "offline",
                at: received_at,
                moderated_by: Some(&by),
            };
            let cid = repo::insert_comment(tx, &row)?.ok_or(Error::Internal("recorded comment not inserted".into()))?;
            let c = repo::comment(tx, cid)?.ok_or(Error::Internal("inserted comment vanished".into()))?;
            let payload = serde_json::json!({ "solicitation": id, "comment": cid, "state": c.state.as_str() });
            Ok((c, format!("comment:{cid}"), payload))
        })
    }

    /// Approves or rejects a comment (the site's editors or the centre). Deciding what
    /// is already decided changes nothing and writes nothing.
    pub fn moderate_solicitation_comment(
        &self,
        actor: &Actor,
        origin: &Origin,
        comment: i64,
        decision: &Moderation,
    ) -> Result<Comment, Error> {
        let c =
            self.db.read(|tx| repo::comment(tx, comment))?.ok_or(lerr(SolicitationError::CommentNotFound(comment)))?;
        let s = self.load_solicitation(c.solicitation)?;
        self.authorize_moderation(actor, s.site)?;
        let reason = decision.reason().map_err(lerr)?;
        let to = decision.target();
        if c.state == to {
            return Ok(c);
        }
        let now = self.now();
        let by = actor.label();
        self.audited(actor, origin, "solicitation.moderate", Some(s.site), format!("comment:{comment}"), |tx| {
            repo::moderate(tx, comment, c.state, to, &by, reason.as_deref(), now).map_err(|e| match e {
                StoreError::NotFound => lerr(SolicitationError::CommentNotFound(comment)),
                e => e.into(),
            })?;
            let c = repo::comment(tx, comment)?.ok_or(lerr(SolicitationError::CommentNotFound(comment)))?;
            let payload = serde_json::json!({
                "solicitation": c.solicitation, "comment": comment, "state": c.state.as_str(),
            });
            Ok((c, payload))
        })
    }

    /// Saves the feedback summary of a closed solicitation whose summary is not yet
    /// published (the site's editors or the centre); at most the approved comments can
    /// be adopted.
    pub fn save_solicitation_feedback(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        feedback: &Feedback,
    ) -> Result<Solicitation, Error> {
        let s = self.load_solicitation(id)?;
        self.authorize_moderation(actor, s.site)?;
        let now = self.now();
        s.check_summary(now).map_err(lerr)?;
        let by = actor.label();
        self.audited(actor, origin, "solicitation.feedback", Some(s.site), format!("solicitation:{id}"), |tx| {
            let approved = repo::count_by_state(tx, id, CommentState::Approved)?;
            let valid = feedback.validate(u32::try_from(approved).unwrap_or(u32::MAX)).map_err(lerr)?;
            repo::save_feedback(tx, id, &valid, &by, now).map_err(|e| match e {
                StoreError::NotFound => lerr(SolicitationError::SummaryPublished),
                e => e.into(),
            })?;
            let s = repo::solicitation(tx, id)?.ok_or(lerr(SolicitationError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    /// Publishes the saved feedback summary (the site's editors or the centre); it
    /// cannot change afterwards.
    pub fn publish_solicitation_feedback(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
    ) -> Result<Solicitation, Error> {
        let s = self.load_solicitation(id)?;
        self.authorize_moderation(actor, s.site)?;
        let now = self.now();
        s.check_summary(now).map_err(lerr)?;
        if s.feedback.is_none() {
            return Err(lerr(SolicitationError::NoSummary));
        }
        self.audited(actor, origin, "solicitation.feedback_publish", Some(s.site), format!("solicitation:{id}"), |tx| {
            repo::publish_feedback(tx, id, now).map_err(|e| match e {
                StoreError::NotFound => lerr(SolicitationError::SummaryPublished),
                e => e.into(),
            })?;
            let s = repo::solicitation(tx, id)?.ok_or(lerr(SolicitationError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    /// Closed solicitations (closed by `as_of`) without a published feedback summary,
    /// each with its due date and whether it is overdue at `as_of`, oldest closing
    /// first. Public information (a published solicitation's summary is public), for
    /// the inspection self-check; no permission needed.
    pub fn solicitations_without_summary(&self, as_of: i64) -> Result<Vec<SolicitationSummaryDue>, Error> {
        let days = self.solicitation_settings()?.summary_days;
        let rows = self.db.read(|tx| repo::closed_without_summary(tx, as_of))?;
        let mut out = Vec::with_capacity(rows.len());
        for s in rows {
            let due_at = model::summary_due(s.closes_at, days, self.calendar())?;
            out.push(SolicitationSummaryDue {
                id: s.id,
                site: s.site,
                title: s.title,
                closes_at: s.closes_at,
                due_at,
                overdue: due_at.is_some_and(|d| as_of > d),
                comments: s.comments,
                drafted: s.feedback.is_some(),
            });
        }
        Ok(out)
    }

    /// The centre's list (`ViewStats` on the group): closed solicitations whose
    /// feedback summary is overdue at `now`.
    pub fn solicitations_overdue_summary(&self, actor: &Actor, now: i64) -> Result<Vec<SolicitationSummaryDue>, Error> {
        authorize(actor, Action::ViewStats, &Resource::Group)?;
        Ok(self.solicitations_without_summary(now)?.into_iter().filter(|d| d.overdue).collect())
    }
}

/// An optimistic update that found the row changed: the current phase as the error.
fn stale(e: StoreError, s: &Solicitation, now: i64, action: &'static str) -> Error {
    match e {
        StoreError::NotFound => lerr(SolicitationError::IllegalState { phase: s.phase(now), action }),
        e => e.into(),
    }
}
