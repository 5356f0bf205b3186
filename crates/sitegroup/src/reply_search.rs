//! Published answered letters (信件公开: a citizen's letter and the government's reply,
//! published with the writer's consent) as a search source, kind `reply`.
//!
//! Only what the public letters page shows is ever indexed: the **redacted** subject,
//! letter and reply of a published letter (`published_ticket`), in both indexes. Private,
//! unanswered and unpublished letters are never mapped, for the back office either: they
//! are case files, not editors' documents, and their search is the ticket queue. A letter
//! is filed under its responsible unit's site (the main site when the unit has none) and
//! links to its page `/hudong/xzxx/{id}`. Every `ticket.*` event re-reads its letter, so
//! a letter that is unpublished, or reopened by a dissatisfied writer, leaves both indexes
//! in the next poll.

use sitegroup_core::UnitId;
use sitegroup_search::{Audience as SearchAudience, SearchDoc, SearchError, SearchSource};
use sitegroup_store::Event;

use crate::error::Error;
use crate::group::SiteGroup;
use crate::interaction_service::PublishedTicket;
use crate::search_service::{each_page, entity_keys, filing_site, key_id};

/// The published-letters search source of a group.
pub struct ReplySource<'a> {
    group: &'a SiteGroup,
}

impl<'a> ReplySource<'a> {
    /// The published-letters source of `group`.
    pub fn new(group: &'a SiteGroup) -> ReplySource<'a> {
        ReplySource { group }
    }

    fn map(&self, letter: &PublishedTicket, unit: Option<UnitId>, public: bool) -> Result<Option<SearchDoc>, Error> {
        let Some(site) = filing_site(&*self.group.site_tree()?, unit) else { return Ok(None) };
        Ok(Some(SearchDoc {
            key: format!("ticket:{}", letter.id),
            site: site.0,
            column: None,
            kind: "reply".into(),
            title: letter.subject.clone(),
            body: format!("{}\n{}", letter.body, letter.reply),
            summary: letter.reply.chars().take(120).collect(),
            attachments: Vec::new(),
            keywords: Vec::new(),
            url: format!("/hudong/xzxx/{}", letter.id),
            published_at: letter.replied_at.unwrap_or(letter.received_at),
            disclosure: None,
            index_number: None,
            state: (!public).then(|| "published".into()),
        }))
    }

    fn load_letter(&self, id: i64, audience: SearchAudience) -> Result<Option<SearchDoc>, Error> {
        match self.group.published_letter(id)? {
            Some((letter, unit)) => self.map(&letter, unit, audience == SearchAudience::Public),
            None => Ok(None),
        }
    }

    fn all_letters(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), Error> {
        let public = audience == SearchAudience::Public;
        each_page(
            |offset, limit| Ok(self.group.published_letters_page(None, offset, limit)?.0),
            |(letter, unit)| match self.map(&letter, unit, public)? {
                Some(d) => sink(d).map_err(Error::from),
                None => Ok(()),
            },
        )
    }
}

impl SearchSource for ReplySource<'_> {
    fn kinds(&self) -> &[&str] {
        &["reply"]
    }

    fn handles(&self, event_kind: &str) -> bool {
        event_kind.starts_with("ticket.")
    }

    fn keys_for(&self, event: &Event) -> Vec<String> {
        entity_keys(event, self.handles(&event.kind), "ticket:")
    }

    fn load(&self, key: &str, audience: SearchAudience) -> Result<Option<SearchDoc>, SearchError> {
        let Some(id) = key_id(key, "ticket:") else { return Ok(None) };
        self.load_letter(id, audience).map_err(SearchError::source)
    }

    fn all(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        self.all_letters(audience, sink).map_err(SearchError::source)
    }
}
