//! The document model: kinds, fields, validation of an editor's input.

use serde::{Deserialize, Serialize};
use sitegroup_core::error::{optional_text, required_text};
use sitegroup_core::{SiteId, ValidationError};

use crate::ContentError;
use crate::workflow::DocState;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest body HTML accepted, in bytes (before sanitising). Larger bodies are refused
/// with [`ContentError::TooLarge`]; images belong in attachments, not inline.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Length of a generated summary, in characters.
pub const SUMMARY_CHARS: usize = 120;

/// 有效性 (validity) of a disclosure item, shown on the document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// 有效: in force.
    #[default]
    InForce,
    /// 已修改: amended by a later document.
    Amended,
    /// 已废止: repealed.
    Repealed,
}

impl Validity {
    /// Stable name (`in_force`, `amended`, `repealed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::InForce => "in_force",
            Validity::Amended => "amended",
            Validity::Repealed => "repealed",
        }
    }
}

/// 文件类型 (form) of a disclosure item, as the annual report's proactive-disclosure
/// table counts it (第二十条第（一）项).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentForm {
    /// 规章: a rule of a people's government.
    Rule,
    /// 行政规范性文件: an administrative normative document.
    Normative,
    /// 其他: anything else (the default).
    #[default]
    Other,
}

impl DocumentForm {
    /// Every form.
    pub const ALL: [DocumentForm; 3] = [DocumentForm::Rule, DocumentForm::Normative, DocumentForm::Other];

    /// Stable name (`rule`, `normative`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentForm::Rule => "rule",
            DocumentForm::Normative => "normative",
            DocumentForm::Other => "other",
        }
    }

    /// Parses [`DocumentForm::as_str`]'s output (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Option<DocumentForm> {
        let s = s.trim().to_ascii_lowercase();
        DocumentForm::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Chinese label (规章, 行政规范性文件, 其他).
    pub fn label_zh(self) -> &'static str {
        match self {
            DocumentForm::Rule => "规章",
            DocumentForm::Normative => "行政规范性文件",
            DocumentForm::Other => "其他",
        }
    }
}

/// Whether `s` is a calendar date written `YYYY-MM-DD`.
pub fn valid_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// 信息公开 metadata of a disclosure item. The index number (索引号) is not here: it is
/// generated at first publication (see [`crate::index`]) and kept on the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureMeta {
    /// 发布机构 (issuing organ), e.g. 无为县教育局.
    pub organ: String,
    /// 发文字号 (document number), e.g. 无教〔2025〕12号; empty when the item has none.
    pub doc_number: Option<String>,
    /// 主题分类 (subject category), e.g. 教育.
    pub category: String,
    /// 有效性 (validity).
    pub validity: Validity,
    /// 文件类型 (form): rule, normative document or other (default `other`).
    #[serde(default)]
    pub form: DocumentForm,
    /// 废止日期 (day of repeal), `YYYY-MM-DD`; only meaningful when `validity` is
    /// `repealed` (validation drops it otherwise and refuses a malformed date). When a
    /// repealed document has none, the annual report takes the day its repealed
    /// revision was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repealed_on: Option<String>,
}

/// One picture of a photo report (图片新闻).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoImage {
    /// File-store key of the image.
    pub key: String,
    /// Caption (图片说明).
    pub caption: String,
    /// File-store key of the thumbnail, if made.
    pub thumb: Option<String>,
}

/// What a document is, with the kind-specific data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocKind {
    /// 文章: a news item or notice.
    Article,
    /// 图片新闻 (photo report): images with captions.
    Photo {
        /// The pictures, in order.
        images: Vec<PhotoImage>,
    },
    /// 视频新闻 (video news): an uploaded file or an external URL, and a poster image.
    Video {
        /// File-store key of the video.
        file: Option<String>,
        /// URL of the video on a configured video host.
        url: Option<String>,
        /// File-store key of the poster image.
        poster: Option<String>,
    },
    /// 文件下载 (download): the files are the attachments.
    File,
    /// 外部链接 (external link): the document is a link to elsewhere.
    Link {
        /// Absolute http(s) URL.
        url: String,
    },
    /// 信息公开 (disclosure item).
    Disclosure(DisclosureMeta),
}

impl DocKind {
    /// Stable name stored in the `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            DocKind::Article => "article",
            DocKind::Photo { .. } => "photo",
            DocKind::Video { .. } => "video",
            DocKind::File => "file",
            DocKind::Link { .. } => "link",
            DocKind::Disclosure(_) => "disclosure",
        }
    }

    /// The disclosure metadata, for disclosure items.
    pub fn disclosure(&self) -> Option<&DisclosureMeta> {
        match self {
            DocKind::Disclosure(m) => Some(m),
            _ => None,
        }
    }
}

/// An attachment (附件) stored in the file store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File-store key (sha256 hex plus extension).
    pub key: String,
    /// The name shown for download, e.g. `2025年预算公开表.xlsx`.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
}

/// A document as typed by an editor (or read from an import file); [`DocInput::prepare`]
/// validates and sanitises it into [`DocFields`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocInput {
    /// Kind and kind-specific data.
    pub kind: DocKind,
    /// 标题 (title).
    pub title: String,
    /// 副标题 (subtitle).
    pub subtitle: Option<String>,
    /// 来源 (source), e.g. 无为县融媒体中心.
    pub source: Option<String>,
    /// 作者 (author).
    pub author: Option<String>,
    /// Displayed publish time (unix seconds); `None` shows the real publication time.
    pub display_time: Option<i64>,
    /// 摘要 (summary); `None` derives one from the body.
    pub summary: Option<String>,
    /// Body HTML as typed or pasted (sanitised on save).
    pub body_html: String,
    /// File-store key of the cover image.
    pub cover: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Tags (关键词).
    pub tags: Vec<String>,
}

impl DocInput {
    /// An article with a title and body, everything else empty.
    pub fn article(title: &str, body_html: &str) -> DocInput {
        DocInput {
            kind: DocKind::Article,
            title: title.into(),
            subtitle: None,
            source: None,
            author: None,
            display_time: None,
            summary: None,
            body_html: body_html.into(),
            cover: None,
            attachments: vec![],
            tags: vec![],
        }
    }

    /// Validates the fields, sanitises the body and derives its text and summary.
    /// Pure: no database, no checks of word lists (those run at submit).
    pub fn prepare(&self, policy: &sitegroup_text::sanitize::Policy) -> Result<DocFields, ContentError> {
        if self.body_html.len() > MAX_BODY_BYTES {
            return Err(ContentError::TooLarge { field: "body_html", size: self.body_html.len(), max: MAX_BODY_BYTES });
        }
        let title = required_text("title", &self.title, MAX_TITLE)?;
        let subtitle = optional_text("subtitle", self.subtitle.as_deref(), MAX_TITLE)?;
        let source = optional_text("source", self.source.as_deref(), 100)?;
        let author = optional_text("author", self.author.as_deref(), 100)?;
        let cover = optional_text("cover", self.cover.as_deref(), 200)?;
        let mut tags = Vec::new();
        for t in &self.tags {
            if let Some(t) = optional_text("tags", Some(t), 30)?
                && !tags.contains(&t)
            {
                tags.push(t);
            }
        }
        if tags.len() > 20 {
            return Err(ValidationError::TooLong { field: "tags", len: tags.len(), max: 20 }.into());
        }
        if let Some(t) = self.display_time
            && !(0..=253_402_300_799).contains(&t)
        {
            return Err(ValidationError::Malformed { field: "display_time", reason: "out of range".into() }.into());
        }
        for a in &self.attachments {
            required_text("attachments.name", &a.name, 200)?;
            required_text("attachments.key", &a.key, 200)?;
        }
        let kind = validate_kind(&self.kind)?;
        let clean = sitegroup_text::sanitize::sanitize_html(&self.body_html, policy);
        let summary = match optional_text("summary", self.summary.as_deref(), 500)? {
            Some(s) => s,
            None => sitegroup_text::sanitize::summary(&clean.text, SUMMARY_CHARS),
        };
        Ok(DocFields {
            kind,
            title,
            subtitle,
            source,
            author,
            display_time: self.display_time,
            summary,
            body_html: clean.html,
            body_text: clean.text,
            cover,
            attachments: self.attachments.clone(),
            tags,
        })
    }
}

fn validate_kind(kind: &DocKind) -> Result<DocKind, ContentError> {
    Ok(match kind {
        DocKind::Link { url } => {
            let url = required_text("url", url, 2000)?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ValidationError::Malformed { field: "url", reason: "use an http(s) URL".into() }.into());
            }
            DocKind::Link { url }
        }
        DocKind::Video { file, url, poster } => {
            if file.is_none() && url.is_none() {
                return Err(ValidationError::Rule("a video needs a file or a URL".into()).into());
            }
            if let Some(u) = url
                && !(u.starts_with("http://") || u.starts_with("https://"))
            {
                return Err(ValidationError::Malformed { field: "url", reason: "use an http(s) URL".into() }.into());
            }
            DocKind::Video { file: file.clone(), url: url.clone(), poster: poster.clone() }
        }
        DocKind::Photo { images } => {
            let mut out = Vec::new();
            for img in images {
                required_text("images.key", &img.key, 200)?;
                let caption = optional_text("images.caption", Some(&img.caption), 500)?.unwrap_or_default();
                out.push(PhotoImage { key: img.key.clone(), caption, thumb: img.thumb.clone() });
            }
            DocKind::Photo { images: out }
        }
        DocKind::Disclosure(m) => DocKind::Disclosure(DisclosureMeta {
            organ: required_text("organ", &m.organ, 100)?,
            doc_number: optional_text("doc_number", m.doc_number.as_deref(), 100)?,
            category: required_text("category", &m.category, 50)?,
            validity: m.validity,
            form: m.form,
            repealed_on: match optional_text("repealed_on", m.repealed_on.as_deref(), 10)? {
                // A date left in the form while the document is not repealed is dropped.
                Some(_) if m.validity != Validity::Repealed => None,
                Some(d) if !valid_date(&d) => {
                    return Err(
                        ValidationError::Malformed { field: "repealed_on", reason: "use YYYY-MM-DD".into() }.into()
                    );
                }
                other => other,
            },
        }),
        DocKind::Article => DocKind::Article,
        DocKind::File => DocKind::File,
    })
}

/// The validated, sanitised fields of one revision (stored as JSON with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocFields {
    /// Kind and kind-specific data.
    pub kind: DocKind,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Displayed publish time as set by the editor (unix seconds).
    pub display_time: Option<i64>,
    /// Summary.
    pub summary: String,
    /// Sanitised body HTML.
    pub body_html: String,
    /// Plain text of the body.
    pub body_text: String,
    /// Cover image key.
    pub cover: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Tags.
    pub tags: Vec<String>,
}

/// Where a syndicated copy came from (信息报送).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLink {
    /// The source document.
    pub doc: i64,
    /// The source's published revision that was copied.
    pub revision: i64,
    /// True when the source has published a newer revision since ("source changed").
    pub changed: bool,
}

/// A document as the back office sees it: workflow state and the working revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Database id.
    pub id: i64,
    /// Site.
    pub site: SiteId,
    /// Column.
    pub column: i64,
    /// Workflow state of the working revision.
    pub state: DocState,
    /// The working (latest saved) revision.
    pub current_rev: i64,
    /// The revision signed off by the confidentiality review, if any.
    pub reviewed_rev: Option<i64>,
    /// The revision the public sees; `None` when nothing is public.
    pub published_rev: Option<i64>,
    /// When a reviewed document is scheduled to go public (unix seconds).
    pub scheduled_at: Option<i64>,
    /// Real time of the first publication.
    pub first_published_at: Option<i64>,
    /// Real time the public revision was published.
    pub published_at: Option<i64>,
    /// 索引号 (index number) of a disclosure item, given at first publication.
    pub index_number: Option<String>,
    /// Set when the displayed publish date is further than the tolerance from the real
    /// one: the distance in whole days (faked dates are an inspection veto).
    pub date_flag_days: Option<i64>,
    /// Syndication source, for accepted copies.
    pub source: Option<SourceLink>,
    /// The working revision's fields.
    pub fields: DocFields,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// A published document as the public sees it: only reviewed, published content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDocument {
    /// Document id.
    pub id: i64,
    /// Site.
    pub site: SiteId,
    /// Column.
    pub column: i64,
    /// The public revision.
    pub revision: i64,
    /// Real publication time of this revision.
    pub published_at: i64,
    /// The time shown (the displayed date, or the real one).
    pub display_time: i64,
    /// Index number, for disclosure items.
    pub index_number: Option<String>,
    /// Syndication source, for accepted copies.
    pub source: Option<SourceLink>,
    /// The public revision's fields.
    pub fields: DocFields,
}

/// A stored revision (every save is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Revision id.
    pub id: i64,
    /// Document.
    pub doc: i64,
    /// 1, 2, 3 … per document.
    pub number: i64,
    /// Fields as saved.
    pub fields: DocFields,
    /// Check findings (stored at submit; warnings for the reviewer).
    pub findings: Vec<sitegroup_text::checks::Finding>,
    /// Who saved it (actor label).
    pub author: String,
    /// When.
    pub created_at: i64,
}

/// A review decision (保密审查 sign-off or rejection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Id.
    pub id: i64,
    /// Document.
    pub doc: i64,
    /// The revision reviewed.
    pub revision: i64,
    /// True for a sign-off, false for a rejection.
    pub approved: bool,
    /// Reviewer (actor label).
    pub reviewer: String,
    /// Note (the reason, for a rejection).
    pub note: String,
    /// When.
    pub at: i64,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Total matching items.
    pub total: i64,
    /// Page number, from 1.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// Per-column publishing activity, for column health (栏目更新).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnActivity {
    /// Site.
    pub site: SiteId,
    /// Column.
    pub column: i64,
    /// Real time of the latest publication of a document that is public now.
    pub last_published: Option<i64>,
    /// Documents public now.
    pub total_published: i64,
    /// Public documents first published at or after the window start.
    pub published_since: i64,
}

/// A filter on the disclosure catalogue (信息公开目录).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueFilter {
    /// 主题分类 (subject category).
    pub category: Option<String>,
    /// 发布机构 (issuing organ).
    pub organ: Option<String>,
    /// Year of the displayed date (Beijing time).
    pub year: Option<i32>,
}

/// Counts for browsing the catalogue: (value, number of public items).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueFacets {
    /// By category.
    pub categories: Vec<(String, i64)>,
    /// By organ.
    pub organs: Vec<(String, i64)>,
    /// By year.
    pub years: Vec<(i32, i64)>,
}

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The date check: how many whole days the displayed time is from the real publication
/// time, if more than `tolerance_days` (the flag recorded on the document).
///
/// ```
/// use sitegroup_content::model::date_flag;
/// assert_eq!(date_flag(Some(1_700_000_000), 1_700_000_000 + 86_400, 3), None);
/// assert_eq!(date_flag(Some(1_700_000_000 - 10 * 86_400), 1_700_000_000, 3), Some(10));
/// assert_eq!(date_flag(None, 1_700_000_000, 3), None);
/// ```
pub fn date_flag(display_time: Option<i64>, real: i64, tolerance_days: i64) -> Option<i64> {
    let shown = display_time?;
    let days = shown.abs_diff(real) / DAY as u64;
    let days = i64::try_from(days).unwrap_or(i64::MAX);
    (shown.abs_diff(real) > (tolerance_days.max(0) as u64).saturating_mul(DAY as u64)).then_some(days)
}

/// Year (Beijing time, UTC+8, no daylight saving) of a unix time.
pub fn beijing_year(t: i64) -> i32 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp(t + 8 * 3600, 0).map_or(1970, |d| d.year())
}

/// The public URL path of a document: `{site prefix}/docs/{id}.html` (the portal serves it).
///
/// ```
/// assert_eq!(sitegroup_content::model::doc_url("/jyj", 42), "/jyj/docs/42.html");
/// assert_eq!(sitegroup_content::model::doc_url("/", 7), "/docs/7.html");
/// ```
pub fn doc_url(site_prefix: &str, id: i64) -> String {
    format!("{}/docs/{id}.html", site_prefix.trim_end_matches('/'))
}

/// If `url` has the shape of a document URL (`[scheme://host]{prefix}/docs/{id}.html`,
/// with query or fragment ignored), the host (if any), the prefix (`""` for none) and the id.
///
/// ```
/// use sitegroup_content::model::parse_doc_url;
/// assert_eq!(parse_doc_url("/jyj/docs/42.html"), Some((None, "/jyj".to_string(), 42)));
/// assert_eq!(parse_doc_url("https://www.wuwei.gov.cn/docs/7.html#top"), Some((Some("www.wuwei.gov.cn".to_string()), String::new(), 7)));
/// assert_eq!(parse_doc_url("/jyj/news/42.html"), None);
/// ```
pub fn parse_doc_url(url: &str) -> Option<(Option<String>, String, i64)> {
    let url = url.trim();
    let url = url.split(['?', '#']).next()?;
    let (host, path) = if let Some(rest) = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) {
        let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        (Some(host), format!("/{path}"))
    } else if url.starts_with('/') {
        (None, url.to_string())
    } else {
        return None;
    };
    let idx = path.rfind("/docs/")?;
    let file = path.get(idx + 6..)?;
    let id = file.strip_suffix(".html")?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: i64 = id.parse().ok()?;
    Some((host, path.get(..idx)?.to_string(), id))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn prepare_rejects_bad_input() {
        let p = sitegroup_text::sanitize::Policy::default();
        assert!(matches!(DocInput::article("  ", "x").prepare(&p), Err(ContentError::Invalid(_))));
        let big = "a".repeat(MAX_BODY_BYTES + 1);
        assert!(matches!(DocInput::article("t", &big).prepare(&p), Err(ContentError::TooLarge { .. })));
        let mut link = DocInput::article("t", "");
        link.kind = DocKind::Link { url: "javascript:alert(1)".into() };
        assert!(link.prepare(&p).is_err());
        let mut video = DocInput::article("t", "");
        video.kind = DocKind::Video { file: None, url: None, poster: None };
        assert!(video.prepare(&p).is_err());
        let mut d = DocInput::article("t", "");
        d.kind = DocKind::Disclosure(DisclosureMeta { organ: "".into(), ..Default::default() });
        assert!(d.prepare(&p).is_err());
    }

    #[test]
    fn document_form_and_repeal_date() {
        let p = sitegroup_text::sanitize::Policy::default();
        let meta = |validity, repealed_on: Option<&str>| {
            let mut d = DocInput::article("t", "");
            d.kind = DocKind::Disclosure(DisclosureMeta {
                organ: "县政府".into(),
                category: "综合政务".into(),
                validity,
                form: DocumentForm::Rule,
                repealed_on: repealed_on.map(String::from),
                ..Default::default()
            });
            d.prepare(&p).map(|f| f.kind.disclosure().cloned().unwrap())
        };
        let m = meta(Validity::Repealed, Some(" 2025-03-01 ")).unwrap();
        assert_eq!((m.form, m.repealed_on.as_deref()), (DocumentForm::Rule, Some("2025-03-01")));
        assert_eq!(meta(Validity::InForce, Some("2025-03-01")).unwrap().repealed_on, None, "dropped");
        for bad in ["2025-02-30", "2025/03/01", "25-3-1"] {
            assert!(matches!(
                meta(Validity::Repealed, Some(bad)),
                Err(ContentError::Invalid(ValidationError::Malformed { field: "repealed_on", .. }))
            ));
        }
        let old: DisclosureMeta =
            serde_json::from_str(r#"{"organ":"a","doc_number":null,"category":"c","validity":"in_force"}"#).unwrap();
        assert_eq!((old.form, old.repealed_on), (DocumentForm::Other, None));
        for f in DocumentForm::ALL {
            assert_eq!(DocumentForm::parse(f.as_str()), Some(f));
        }
    }

    #[test]
    fn prepare_trims_and_dedups() {
        let p = sitegroup_text::sanitize::Policy::default();
        let mut i = DocInput::article(" 通知 ", "<p>正文</p>");
        i.tags = vec!["教育".into(), " 教育 ".into(), "".into()];
        let f = i.prepare(&p).unwrap();
        assert_eq!(f.title, "通知");
        assert_eq!(f.tags, vec!["教育".to_string()]);
    }

    #[test]
    fn date_flags() {
        let t = 1_750_000_000;
        assert_eq!(date_flag(Some(t + 3 * DAY), t, 3), None);
        assert_eq!(date_flag(Some(t + 3 * DAY + 1), t, 3), Some(3));
        assert_eq!(date_flag(Some(t - 400 * DAY), t, 3), Some(400));
        assert!(date_flag(Some(i64::MIN), t, 3).is_some());
    }

    #[test]
    fn doc_urls_round_trip() {
        for (prefix, id) in [("/a", 1), ("/a/b", 99), ("/", 5)] {
            let url = doc_url(prefix, id);
            let (_, p, i) = parse_doc_url(&url).unwrap();
            assert_eq!(i, id);
            assert_eq!(p, prefix.trim_end_matches('/'));
        }
        assert_eq!(parse_doc_url("/a/docs/.html"), None);
        assert_eq!(parse_doc_url("/a/docs/1x.html"), None);
        assert_eq!(parse_doc_url("mailto:x@y"), None);
        assert_eq!(parse_doc_url("/docs/99999999999999999999.html"), None);
    }

    #[test]
    fn beijing_year_boundary() {
        // 2024-12-31T16:00:00Z is 2025-01-01 00:00 in Beijing.
        assert_eq!(beijing_year(1_735_660_800), 2025);
        assert_eq!(beijing_year(1_735_660_799), 2024);
    }
}
