//! Surveys (在线调查) through the facade (issue 5): authorize, validate, write with
//! audit and outbox in one transaction.
//!
//! **Who may do what.** A survey belongs to a site. Writing and changing a draft is
//! `EditDraft` on that site (its editors and site administrator); publishing and
//! closing it is `PublishContent` there (its reviewers), like a document; recording
//! paper responses is `EditDraft`; the back-office list, results with free text and the
//! CSV/.xlsx exports are `ViewDrafts` on the site (the group-wide list needs it on the
//! group); the settings are the centre's (`ScreenTicket` on the group). Visitors
//! (`ReadPublic`) see published and closed surveys, answer open ones, and see the
//! results of surveys whose results are public — counts and charts only, never the
//! free-text answers.
//!
//! **One response per person.** The respondent key is `user:{id}` for a logged-in
//! account, else `visitor:{id}` with the visitor's random cookie id. Rows keep only
//! salted hashes of the key and of the client address (salt: setting `survey.salt`,
//! drawn on first use); the audit entry of a response is written without the address.
//! Inside the insert transaction the survey's row is locked (its response counter is
//! incremented), the phase is checked again, an earlier response of the same key is
//! refused ([`SurveyError::AlreadyResponded`], backed by a unique index), and the
//! responses from the same address hash within the window are counted
//! ([`SurveyError::Throttled`] at the limit) — in the database, so the limit holds
//! across portal processes. A refused response writes nothing.
//!
//! Events and audit actions: `survey.create`, `survey.update`, `survey.publish`,
//! `survey.close`, `survey.respond`, `survey.record`, `settings.survey`; payloads carry
//! ids and states, never a respondent's hash or address.

use serde::Serialize;
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, authorize};
use sitegroup_interaction::survey::model::{self, Answers, NewSurvey, Survey, SurveyState};
use sitegroup_interaction::survey::repo::{self, NewResponseRow};
use sitegroup_interaction::survey::results::{self, SurveyResults};
use sitegroup_interaction::survey::{self, SurveyError, SurveySettings, export};
use sitegroup_store::{StoreError, core_repo};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

impl MaybeSite for Survey {}

fn serr(e: SurveyError) -> Error {
    Error::Survey(e)
}

/// What a stored response gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SurveyReceipt {
    /// The survey.
    pub survey: i64,
    /// The response id (答卷编号).
    pub response: i64,
    /// When it was stored.
    pub at: i64,
}

fn event(s: &Survey) -> serde_json::Value {
    serde_json::json!({ "id": s.id, "site": s.site.0, "state": s.state.as_str(), "title": s.title })
}

/// An origin without the client address (responses keep no address, not even in the
/// audit log).
fn without_address(origin: &Origin) -> Origin {
    Origin { channel: origin.channel.clone(), address: None }
}

impl SiteGroup {
    /// The survey settings (`survey.*`, with defaults).
    pub fn survey_settings(&self) -> Result<SurveySettings, Error> {
        let pairs = self.db.read(repo::settings)?;
        Ok(SurveySettings::from_pairs(&pairs)?)
    }

    /// Sets one `survey.*` setting (the centre: `ScreenTicket` on the group); refused
    /// when unknown or malformed (the salt cannot be set).
    pub fn set_survey_setting(&self, actor: &Actor, origin: &Origin, key: &str, value: &str) -> Result<(), Error> {
        authorize(actor, Action::ScreenTicket, &Resource::Group)?;
        if !key.starts_with("survey.") || key == survey::SALT_SETTING {
            return Err(sitegroup_core::ValidationError::Rule(format!("unknown setting {key}")).into());
        }
        let mut pairs = self.db.read(repo::settings)?;
        pairs.push((key.to_string(), value.to_string()));
        SurveySettings::from_pairs(&pairs)?;
        self.audited(actor, origin, "settings.survey", None, format!("settings:{key}"), |tx| {
            core_repo::set_setting(tx, key, value.trim())?;
            Ok(((), serde_json::json!({ "key": key, "value": value.trim() })))
        })
    }

    /// The salt of the respondent and address hashes, drawn on first use.
    fn survey_salt(&self) -> Result<String, Error> {
        if let Some(salt) = self.db.read(|tx| core_repo::get_setting(tx, survey::SALT_SETTING))? {
            return Ok(salt);
        }
        let fresh = survey::random_hex(16).map_err(serr)?;
        Ok(self.db.write(|tx| core_repo::setting_or_insert(tx, survey::SALT_SETTING, &fresh))?)
    }

    fn load_survey(&self, id: i64) -> Result<Survey, Error> {
        self.db.read(|tx| repo::survey(tx, id))?.ok_or(serr(SurveyError::NotFound(id)))
    }

    fn check_site(&self, site: SiteId) -> Result<(), Error> {
        match self.site_tree()?.get(site) {
            Some(_) => Ok(()),
            None => Err(Error::NotFound { what: "site", key: site.0.to_string() }),
        }
    }

    /// Creates a draft survey on `site` (`EditDraft` there).
    pub fn create_survey(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        new: &NewSurvey,
    ) -> Result<Survey, Error> {
        authorize(actor, Action::EditDraft, &Resource::Site(site))?;
        self.check_site(site)?;
        let valid = new.validate().map_err(serr)?;
        let now = self.now();
        self.audited_as(actor, origin, "survey.create", Some(site), |tx| {
            let id = repo::insert(tx, site, &valid, &actor.label(), now)?;
            let s = repo::survey(tx, id)?.ok_or(Error::Internal("inserted survey vanished".into()))?;
            Ok((s.clone(), format!("survey:{id}"), event(&s)))
        })
    }

    /// Replaces a draft's title, introduction, questions, period and results flag
    /// (`EditDraft` on its site; drafts only, so answers never refer to changed questions).
    pub fn update_survey(&self, actor: &Actor, origin: &Origin, id: i64, new: &NewSurvey) -> Result<Survey, Error> {
        let s = self.load_survey(id)?;
        authorize(actor, Action::EditDraft, &Resource::Site(s.site))?;
        model::check_editable(s.state).map_err(serr)?;
        let valid = new.validate().map_err(serr)?;
        let now = self.now();
        self.audited(actor, origin, "survey.update", Some(s.site), format!("survey:{id}"), |tx| {
            repo::update_draft(tx, id, &valid, now).map_err(|e| match e {
                StoreError::NotFound => {
                    serr(SurveyError::IllegalState { state: SurveyState::Published, action: "edit" })
                }
                e => e.into(),
            })?;
            let s = repo::survey(tx, id)?.ok_or(serr(SurveyError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    fn survey_step(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        action: &str,
        step: impl Fn(&Survey, i64) -> Result<(SurveyState, i64), SurveyError>,
    ) -> Result<Survey, Error> {
        let s = self.load_survey(id)?;
        authorize(actor, Action::PublishContent, &Resource::Site(s.site))?;
        let now = self.now();
        let (to, closes_at) = step(&s, now).map_err(serr)?;
        self.audited(actor, origin, action, Some(s.site), format!("survey:{id}"), |tx| {
            repo::set_state(tx, id, s.state, to, closes_at, now).map_err(|e| match e {
                StoreError::NotFound => serr(SurveyError::IllegalState { state: s.state, action: "change" }),
                e => e.into(),
            })?;
            let s = repo::survey(tx, id)?.ok_or(serr(SurveyError::NotFound(id)))?;
            let payload = event(&s);
            Ok((s, payload))
        })
    }

    /// Publishes a draft (`PublishContent` on its site): visible from now on, taking
    /// responses within its period.
    pub fn publish_survey(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Survey, Error> {
        self.survey_step(actor, origin, id, "survey.publish", |s, _| Ok((model::publish(s.state)?, s.closes_at)))
    }

    /// Closes a published survey now (`PublishContent` on its site); its period ends
    /// now unless it already ended.
    pub fn close_survey(&self, actor: &Actor, origin: &Origin, id: i64) -> Result<Survey, Error> {
        self.survey_step(actor, origin, id, "survey.close", |s, now| model::close(s.state, s.closes_at, now))
    }

    /// The surveys the actor may manage, newest first: every survey with `ViewDrafts`
    /// on the group, else those of the sites where the actor has it. Denied when there
    /// is none.
    pub fn surveys_admin(&self, actor: &Actor) -> Result<Vec<Survey>, Error> {
        let sites = self.sites_with(actor, Action::ViewDrafts)?;
        Ok(self.db.read(|tx| repo::list(tx, sites.as_deref(), &[]))?)
    }

    /// `None` when `action` is allowed on the group, else the sites where it is;
    /// Denied when nowhere.
    pub(crate) fn sites_with(&self, actor: &Actor, action: Action) -> Result<Option<Vec<SiteId>>, Error> {
        let group = match authorize(actor, action, &Resource::Group) {
            Ok(()) => return Ok(None),
            Err(d) => d,
        };
        let tree = self.site_tree()?;
        let candidates: Vec<SiteId> = match actor.site_scope() {
            Some(sites) => sites,
            None => tree.sites().iter().map(|s| s.id).collect(),
        };
        let sites: Vec<SiteId> =
            candidates.into_iter().filter(|s| authorize(actor, action, &Resource::Site(*s)).is_ok()).collect();
        if sites.is_empty() { Err(Error::Denied(group)) } else { Ok(Some(sites)) }
    }

    /// One survey for the back office (`ViewDrafts` on its site).
    pub fn survey_admin(&self, actor: &Actor, id: i64) -> Result<Survey, Error> {
        let s = self.load_survey(id)?;
        authorize(actor, Action::ViewDrafts, &Resource::Site(s.site))?;
        Ok(s)
    }

    fn survey_with_responses(&self, actor: &Actor, id: i64) -> Result<(Survey, Vec<results::StoredResponse>), Error> {
        let s = self.load_survey(id)?;
        authorize(actor, Action::ViewDrafts, &Resource::Site(s.site))?;
        let responses = self.db.read(|tx| repo::responses(tx, id))?;
        Ok((s, responses))
    }

    /// The full results, with the free-text answers (`ViewDrafts` on its site).
    pub fn survey_results(&self, actor: &Actor, id: i64) -> Result<SurveyResults, Error> {
        let (s, responses) = self.survey_with_responses(actor, id)?;
        Ok(results::aggregate(&s, &responses))
    }

    /// The responses as CSV, one row per response (`ViewDrafts` on its site).
    pub fn survey_csv(&self, actor: &Actor, id: i64) -> Result<Vec<u8>, Error> {
        let (s, responses) = self.survey_with_responses(actor, id)?;
        export::to_csv(&s, &responses).map_err(serr)
    }

    /// The results and responses as an .xlsx workbook (`ViewDrafts` on its site).
    pub fn survey_xlsx(&self, actor: &Actor, id: i64) -> Result<Vec<u8>, Error> {
        let (s, responses) = self.survey_with_responses(actor, id)?;
        export::to_xlsx(&s, &results::aggregate(&s, &responses), &responses).map_err(serr)
    }

    /// Published and closed surveys, newest first (public).
    pub fn public_surveys(&self) -> Result<Vec<Survey>, Error> {
        Ok(self.db.read(|tx| repo::list(tx, None, &[SurveyState::Published, SurveyState::Closed]))?)
    }

    /// A published or closed survey (public); a draft is not found.
    pub fn public_survey(&self, id: i64) -> Result<Survey, Error> {
        let s = self.load_survey(id)?;
        if !s.is_public() {
            return Err(serr(SurveyError::NotFound(id)));
        }
        Ok(s)
    }

    /// The public results of a survey whose results are public: counts, shares and
    /// rating figures, without the free-text answers.
    pub fn public_survey_results(&self, id: i64) -> Result<(Survey, SurveyResults), Error> {
        let s = self.public_survey(id)?;
        if !s.results_public {
            return Err(serr(SurveyError::ResultsNotPublic(id)));
        }
        let responses = self.db.read(|tx| repo::responses(tx, id))?;
        let res = results::aggregate(&s, &responses).without_texts();
        Ok((s, res))
    }

    /// Stores a response to an open survey (a visitor or a logged-in user; `ReadPublic`).
    /// The respondent is the actor's account, else `visitor` (the random id of the
    /// visitor's cookie, 32 hex digits); the client address is `origin.address`. See
    /// the module documentation for the one-response and per-address rules.
    pub fn submit_survey_response(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        visitor: Option<&str>,
        answers: &Answers,
    ) -> Result<SurveyReceipt, Error> {
        let s = self.public_survey(id)?;
        authorize(actor, Action::ReadPublic, &Resource::Site(s.site))?;
        let key = match (actor.user_id(), visitor) {
            (Some(user), _) => format!("user:{}", user.0),
            (None, Some(v)) if survey::valid_visitor_id(v) => format!("visitor:{}", v.to_ascii_lowercase()),
            _ => return Err(serr(SurveyError::NoRespondent)),
        };
        let now = self.now();
        s.check_open(now).map_err(serr)?;
        let valid = model::validate(&s.questions, answers).map_err(serr)?;
        let settings = self.survey_settings()?;
        let salt = self.survey_salt()?;
        let respondent = survey::respondent_hash(&salt, id, &key);
        let address = survey::address_hash(&salt, id, origin.address.as_deref());
        self.audited_as(actor, &without_address(origin), "survey.respond", Some(s.site), |tx| {
            if !repo::lock_for_response(tx, id)? {
                let current = repo::survey(tx, id)?.ok_or(serr(SurveyError::NotFound(id)))?;
                return Err(serr(SurveyError::NotOpen { phase: current.phase(now) }));
            }
            let current = repo::survey(tx, id)?.ok_or(serr(SurveyError::NotFound(id)))?;
            current.check_open(now).map_err(serr)?;
            if repo::has_responded(tx, id, &respondent)? {
                return Err(serr(SurveyError::AlreadyResponded));
            }
            let recent = repo::count_from_address(tx, id, &address, now - settings.window_seconds() + 1)?;
            if recent >= i64::from(settings.address_limit) {
                return Err(serr(SurveyError::Throttled {
                    max: settings.address_limit,
                    minutes: settings.address_window_minutes,
                }));
            }
            let row = NewResponseRow {
                survey: id,
                respondent_hash: &respondent,
                address_hash: &address,
                answers: &valid,
                source: "web",
                at: now,
            };
            let response = repo::insert_response(tx, &row).map_err(|e| match e {
                StoreError::UniqueViolation { .. } => serr(SurveyError::AlreadyResponded),
                e => e.into(),
            })?;
            let receipt = SurveyReceipt { survey: id, response, at: now };
            Ok((receipt, format!("survey:{id}"), serde_json::json!({ "survey": id, "response": response })))
        })
    }

    /// Records a paper questionnaire (纸质问卷录入) of a published or closed survey,
    /// dated `at` within its period and not in the future (`EditDraft` on its site).
    /// Each recorded response counts as a respondent of its own; no address limit.
    pub fn record_survey_response(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: i64,
        answers: &Answers,
        at: i64,
    ) -> Result<SurveyReceipt, Error> {
        let s = self.load_survey(id)?;
        authorize(actor, Action::EditDraft, &Resource::Site(s.site))?;
        if !s.is_public() {
            return Err(serr(SurveyError::NotOpen { phase: model::SurveyPhase::Draft }));
        }
        if at < s.opens_at || at >= s.closes_at || at > self.now() {
            return Err(serr(SurveyError::OutsidePeriod));
        }
        let valid = model::validate(&s.questions, answers).map_err(serr)?;
        let salt = self.survey_salt()?;
        let key = format!("paper:{}", survey::random_hex(16).map_err(serr)?);
        let respondent = survey::respondent_hash(&salt, id, &key);
        let address = survey::address_hash(&salt, id, Some("paper"));
        self.audited_as(actor, origin, "survey.record", Some(s.site), |tx| {
            repo::count_response(tx, id)?;
            let row = NewResponseRow {
                survey: id,
                respondent_hash: &respondent,
                address_hash: &address,
                answers: &valid,
                source: "paper",
                at,
            };
            let response = repo::insert_response(tx, &row)?;
            let receipt = SurveyReceipt { survey: id, response, at };
            Ok((receipt, format!("survey:{id}"), serde_json::json!({ "survey": id, "response": response })))
        })
    }
}

impl MaybeSite for SurveyReceipt {}
