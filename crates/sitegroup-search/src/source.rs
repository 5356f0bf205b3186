//! What is searchable: [`SearchDoc`], and the [`SearchSource`] trait through which
//! modules register their kinds (content documents, services, published replies).

use serde::{Deserialize, Serialize};
use sitegroup_store::Event;

use crate::SearchError;

/// Which index a document is loaded for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    /// The public index: only what citizens may see (published, public revisions).
    Public,
    /// The back-office index: working revisions, drafts included; searched only with a
    /// scope computed by `authorize`.
    BackOffice,
}

/// 信息公开 fields of a disclosure item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureFields {
    /// 主题分类 (subject category).
    pub category: String,
    /// 发布机构 (issuing organ).
    pub organ: String,
    /// Year (Beijing time) of the displayed date.
    pub year: i32,
    /// 发文字号 (document number), e.g. `无政〔2024〕12号`.
    pub doc_number: Option<String>,
}

/// One searchable thing, as a source maps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// Unique key, `type:id` (`doc:123`, `service:7`): replaced or deleted by it.
    pub key: String,
    /// The site it belongs to.
    pub site: i64,
    /// The column (栏目), if any.
    pub column: Option<i64>,
    /// Kind: `article`, `photo`, `video`, `file`, `link`, `disclosure`, or a registered one.
    pub kind: String,
    /// Title (original text).
    pub title: String,
    /// Body as plain text (original).
    pub body: String,
    /// Summary (摘要).
    pub summary: String,
    /// Names of attachments.
    pub attachments: Vec<String>,
    /// Other searchable words (tags, source, author).
    pub keywords: Vec<String>,
    /// Public URL (path) of the thing.
    pub url: String,
    /// Displayed publication time, unix seconds.
    pub published_at: i64,
    /// Disclosure fields, for disclosure items.
    pub disclosure: Option<DisclosureFields>,
    /// 索引号 (index number).
    pub index_number: Option<String>,
    /// Workflow state (back-office index), e.g. `draft`.
    pub state: Option<String>,
}

/// A module that makes things searchable: a mapping from its records and outbox events
/// to [`SearchDoc`]s. Adding a kind is implementing this; the search crate does not change.
pub trait SearchSource {
    /// The kinds this source produces (`article`, … or `service`).
    fn kinds(&self) -> &[&str];

    /// Whether an outbox event kind (`content.publish`) concerns this source.
    fn handles(&self, event_kind: &str) -> bool;

    /// The index keys an event touches (default: the event's entity when
    /// [`handles`](Self::handles) says so). Override when the entity is not the key
    /// (an accepted syndication creates `doc:{payload.id}`).
    fn keys_for(&self, event: &Event) -> Vec<String> {
        if self.handles(&event.kind) { vec![event.entity.clone()] } else { Vec::new() }
    }

    /// The current state of `key` for `audience`: `None` deletes it from that index
    /// (unpublished, withdrawn, archived, gone).
    fn load(&self, key: &str, audience: Audience) -> Result<Option<SearchDoc>, SearchError>;

    /// Every document this source has for `audience` (for a rebuild).
    fn all(
        &self,
        audience: Audience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError>;
}
