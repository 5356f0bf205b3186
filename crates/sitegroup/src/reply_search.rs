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

use sitegroup_core::OrgUnit;
use sitegroup_search::{Audience as SearchAudience, SearchDoc, SearchError, SearchSource};
use sitegroup_store::Event;

use crate::error::Error;
use crate::group::SiteGroup;
use crate::interaction_service::PublishedTicket;

/// Letters read per page when the whole index is rebuilt.
const REBUILD_PAGE: i64 = 1_000;

/// The published-letters search source of a group.
pub struct ReplySource<'a> {
    group: &'a SiteGroup,
}

impl<'a> ReplySource<'a> {
    /// The published-letters source of `group`.
    pub fn new(group: &'a SiteGroup) -> ReplySource<'a> {
        ReplySource { group }
    }

    fn map(&self, letter: &PublishedTicket, units: &[OrgUnit], public: bool) -> Result<Option<SearchDoc>, Error> {
        let tree = self.group.site_tree()?;
        let unit = letter.unit.as_deref().and_then(|code| units.iter().find(|u| u.code == code)).map(|u| u.id);
        let site = tree
            .sites()
            .iter()
            .find(|s| unit.is_some() && s.unit == unit && !s.is_template)
            .or_else(|| tree.sites().iter().find(|s| s.parent.is_none() && !s.is_template));
        let Some(site) = site else { return Ok(None) };
        Ok(Some(SearchDoc {
            key: format!("ticket:{}", letter.id),
            site: site.id.0,
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
        let letter = match self.group.published_ticket(id) {
            Ok(letter) => letter,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let units = self.group.db.read(sitegroup_store::core_repo::list_units)?;
        self.map(&letter, &units, audience == SearchAudience::Public)
    }

    fn all_letters(
        &self,
        audience: SearchAudience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), Error> {
        let units = self.group.db.read(sitegroup_store::core_repo::list_units)?;
        let public = audience == SearchAudience::Public;
        let mut offset = 0;
        loop {
            let (letters, _) = self.group.published_tickets_page(None, offset, REBUILD_PAGE)?;
            for letter in &letters {
                if let Some(d) = self.map(letter, &units, public)? {
                    sink(d)?;
                }
            }
            if i64::try_from(letters.len()).unwrap_or(0) < REBUILD_PAGE {
                return Ok(());
            }
            offset += REBUILD_PAGE;
        }
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
        if self.handles(&event.kind) && event.entity.starts_with("ticket:") {
            vec![event.entity.clone()]
        } else {
            Vec::new()
        }
    }

    fn load(&self, key: &str, audience: SearchAudience) -> Result<Option<SearchDoc>, SearchError> {
        let Some(id) = key.strip_prefix("ticket:").and_then(|id| id.parse::<i64>().ok()) else { return Ok(None) };
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
