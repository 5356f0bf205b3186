//! Public content pages of every site: the home page with the latest documents per
//! column and the topics, column pages with paging, topic pages, the disclosure
//! catalogue (信息公开目录), document pages (disclosure metadata, attachments, photo
//! galleries, video), attachment and media downloads, RSS per column and `sitemap.xml`.
//!
//! Everything here reads **published** content only, through the library's public
//! reads (`public_columns`, `column_by_path`, `published_document`,
//! `published_in_column`, `latest_published`, `disclosure_catalogue`,
//! `disclosure_facets`): a draft, a withdrawn or an archived document has no public
//! revision, so it is a 404 on its page and absent from lists, feeds and the sitemap.
//! Files are served only when a published document refers to them.
//!
//! URLs under a site's prefix (`""` for the portal, `/jyj` for a channel):
//! `/` home · `{column path}` column (`?page=N`; disclosure columns also take
//! `category`, `organ`, `year`) · `{column path}/rss.xml` · `{column path}/banner.img`
//! (a topic's banner) · `/docs/{id}.html` · `/docs/{id}/files/{n}` (attachment n, from 1)
//! · `/docs/{id}/media/{key}` (an image, poster or video of the document) ·
//! `/sitemap.xml` · `/xxgk/ndbg`, `/xxgk/ndbg/{year}[.xlsx]` (published annual disclosure
//! reports, [`annual_report`]).

pub(crate) mod annual_report;
pub(crate) mod feeds;

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::content::files::FileStore;
use sitegroup::content::model::doc_url;
use sitegroup::content::{CatalogueFacets, CatalogueFilter, DocKind, Page as DocPage, Validity};
use sitegroup::{Column, ColumnKind, ColumnLookup, Error, PublicDocument, Site, SiteId, SiteKind, SiteStatus};

use crate::{AppError, AppState, Crumb, Snapshot, host_of, render, run_blocking, ser, shanghai};

/// Templates of the public content pages (registered next to the layout's).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("pub_macros.html", include_str!("../../templates/pub_macros.html")),
    ("column.html", include_str!("../../templates/column.html")),
    ("topic.html", include_str!("../../templates/topic.html")),
    ("catalogue.html", include_str!("../../templates/catalogue.html")),
    ("doc.html", include_str!("../../templates/doc.html")),
];

/// Documents per column page.
pub const PER_PAGE: i64 = 20;
/// Documents per block on a home page.
pub const HOME_BLOCK: i64 = 8;
/// Items in an RSS feed.
pub const FEED_ITEMS: i64 = 20;
/// Largest page number accepted in `?page=` (anything larger is a 404, not a query).
pub const MAX_PAGE: i64 = 100_000;

// ---------------------------------------------------------------------------------
// Values for templates.

/// A column in navigation or a list of sub-columns.
#[derive(Debug, Clone, Serialize)]
struct NavItem {
    name: String,
    href: String,
    kind: String,
    current: bool,
}

/// A document in a list.
#[derive(Debug, Clone, Serialize)]
struct DocItem {
    id: i64,
    title: String,
    href: String,
    date: String,
    kind: &'static str,
    summary: String,
    thumb: Option<String>,
    index_number: Option<String>,
    doc_number: Option<String>,
    organ: Option<String>,
    validity: Option<&'static str>,
}

/// A block of the home page: a column and its newest documents.
#[derive(Debug, Clone, Serialize)]
struct Block {
    name: String,
    href: String,
    rss: String,
    pictures: bool,
    items: Vec<DocItem>,
}

/// A topic card.
#[derive(Debug, Clone, Serialize)]
struct TopicCard {
    name: String,
    href: String,
    banner: Option<String>,
    span: Option<String>,
}

/// Paging links (rendered by the `pager` macro of `pub_macros.html`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pager {
    page: i64,
    pages: i64,
    total: i64,
    prev: Option<String>,
    next: Option<String>,
    first: Option<String>,
    last: Option<String>,
    numbers: Vec<(i64, String, bool)>,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    page: Option<String>,
    category: Option<String>,
    organ: Option<String>,
    year: Option<String>,
}

// ---------------------------------------------------------------------------------
// Small helpers.

/// The path prefix of a site for building URLs (`""` for a site at `/`).
fn prefix_of(snap: &Snapshot, site: &Site) -> String {
    snap.tree.path_of(site.id).trim_end_matches('/').to_string()
}

fn column_href(prefix: &str, c: &Column) -> String {
    format!("{prefix}{}", c.path)
}

fn media_href(prefix: &str, id: i64, key: &str) -> String {
    format!("{prefix}/docs/{id}/media/{key}")
}

/// `?page=` as given: missing or empty is page 1; anything but a positive integer is a
/// bad request (never a panic, never a huge offset).
fn parse_page(raw: Option<&str>) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            Ok(n) if n > MAX_PAGE => Err(AppError::Status(StatusCode::NOT_FOUND)),
            _ => Err(AppError::Status(StatusCode::BAD_REQUEST)),
        },
    }
}

fn list_query(uri: &Uri) -> Result<ListQuery, AppError> {
    match uri.query() {
        None => Ok(ListQuery::default()),
        Some(_) => {
            Query::<ListQuery>::try_from_uri(uri).map(|q| q.0).map_err(|_| AppError::Status(StatusCode::BAD_REQUEST))
        }
    }
}

/// Percent-encodes a query value (UTF-8 bytes; unreserved characters kept).
pub(crate) fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// The MIME type of a file-store key, from its extension (the store's keys end in the
/// checked extension).
pub(crate) fn mime_of(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip" => "application/zip",
        "ofd" => "application/ofd",
        _ => "application/octet-stream",
    }
}

/// `Content-Disposition` for a download: an ASCII fallback name and the UTF-8 name
/// (RFC 6266 / 5987).
pub(crate) fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') || c == ' ' { c } else { '_' })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}", pct(name))
}

fn validity_name(v: Validity) -> &'static str {
    v.as_str()
}

fn kind_name(k: &DocKind) -> &'static str {
    k.name()
}

/// The picture to show for a document in a list: a photo report's first image, a
/// video's poster, or the cover.
fn thumb_of(prefix: &str, d: &PublicDocument) -> Option<String> {
    let key = match &d.fields.kind {
        DocKind::Photo { images } => images.first().map(|i| i.thumb.clone().unwrap_or_else(|| i.key.clone())),
        DocKind::Video { poster, .. } => poster.clone(),
        _ => None,
    }
    .or_else(|| d.fields.cover.clone())?;
    Some(media_href(prefix, d.id, &key))
}

fn doc_item(prefix: &str, d: &PublicDocument) -> DocItem {
    let meta = d.fields.kind.disclosure();
    DocItem {
        id: d.id,
        title: d.fields.title.clone(),
        href: doc_url(if prefix.is_empty() { "/" } else { prefix }, d.id),
        date: shanghai(d.display_time, "%Y-%m-%d"),
        kind: kind_name(&d.fields.kind),
        summary: d.fields.summary.clone(),
        thumb: thumb_of(prefix, d),
        index_number: d.index_number.clone(),
        doc_number: meta.and_then(|m| m.doc_number.clone()),
        organ: meta.map(|m| m.organ.clone()),
        validity: meta.map(|m| validity_name(m.validity)),
    }
}

fn nav_items(prefix: &str, columns: &[Column], current: Option<&Column>) -> Vec<NavItem> {
    let current_path = current.map(|c| c.path.clone()).unwrap_or_default();
    columns
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| NavItem {
            name: c.name.clone(),
            href: column_href(prefix, c),
            kind: c.kind().as_str().to_string(),
            current: !current_path.is_empty()
                && (current_path == c.path || current_path.starts_with(&format!("{}/", c.path))),
        })
        .collect()
}

fn children_of(columns: &[Column], id: i64) -> impl Iterator<Item = &Column> {
    columns.iter().filter(move |c| c.parent == Some(id))
}

/// The column and its ancestors, root first (from the navigation list).
fn column_chain(columns: &[Column], column: &Column) -> Vec<Column> {
    let by_id: HashMap<i64, &Column> = columns.iter().map(|c| (c.id, c)).collect();
    let mut chain = vec![column.clone()];
    let mut cursor = column.parent;
    while let Some(p) = cursor.and_then(|p| by_id.get(&p)) {
        if chain.len() > columns.len() {
            break;
        }
        chain.push((*p).clone());
        cursor = p.parent;
    }
    chain.reverse();
    chain
}

fn topic_span(c: &Column) -> Option<String> {
    match (c.starts_on, c.ends_on) {
        (Some(a), Some(b)) => Some(format!("{} — {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d"))),
        (Some(a), None) => Some(format!("{} —", a.format("%Y-%m-%d"))),
        (None, Some(b)) => Some(format!("— {}", b.format("%Y-%m-%d"))),
        (None, None) => None,
    }
}

fn banner_src(prefix: &str, c: &Column) -> Option<String> {
    let b = c.banner.as_deref()?.trim();
    if b.is_empty() {
        None
    } else if b.starts_with("https://") || b.starts_with("http://") || (b.starts_with('/') && !b.starts_with("//")) {
        Some(b.to_string())
    } else {
        Some(format!("{}/banner.img", column_href(prefix, c)))
    }
}

fn topic_card(prefix: &str, c: &Column) -> TopicCard {
    TopicCard { name: c.name.clone(), href: column_href(prefix, c), banner: banner_src(prefix, c), span: topic_span(c) }
}

/// Paging links for page `page` of `total` rows at `per_page`; `extra` is a query
/// string prefix ending in `&` (or empty) kept on every link.
pub(crate) fn pager(base: &str, extra: &str, page: i64, per_page: i64, total: i64) -> Pager {
    let pages = if total <= 0 { 1 } else { (total + per_page - 1) / per_page };
    let href = |n: i64| {
        if n == 1 && extra.is_empty() { base.to_string() } else { format!("{base}?{extra}page={n}") }
    };
    let lo = (page - 4).max(1);
    let hi = (lo + 8).min(pages);
    Pager {
        page,
        pages,
        total,
        prev: (page > 1).then(|| href(page - 1)),
        next: (page < pages).then(|| href(page + 1)),
        first: (page > 1).then(|| href(1)),
        last: (page < pages).then(|| href(pages)),
        numbers: (lo..=hi).map(|n| (n, href(n), n == page)).collect(),
    }
}

fn xml_response(content_type: &'static str, body: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `scheme://host` of the request, for the absolute URLs of feeds and sitemaps.
fn base_url(st: &AppState, headers: &HeaderMap, uri: &Uri) -> String {
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let scheme = if forwarded_https || st.0.secure_cookies { "https" } else { "http" };
    let host: String = host_of(headers, uri)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    format!("{scheme}://{host}")
}

async fn nav_columns(st: &AppState, site: SiteId) -> Result<Vec<Column>, AppError> {
    Ok(run_blocking(st, move |g| g.public_columns(site)).await?)
}

// ---------------------------------------------------------------------------------
// Dispatch.

/// Serves a path below a site (`rest`, already without the site's prefix) if it is a
/// public content URL; `None` when nothing here matches (the caller answers 404/410).
pub(crate) async fn dispatch(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    rest: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<Response>, AppError> {
    if rest.eq_ignore_ascii_case("/sitemap.xml") {
        return sitemap(st, snap, site, uri, headers).await.map(Some);
    }
    if let Some(tail) = rest.strip_prefix("/docs/") {
        return document_route(st, snap, site, tail).await;
    }
    if let Some(path) = rest.strip_suffix("/rss.xml") {
        return rss(st, snap, site, path, uri, headers).await;
    }
    if let Some(path) = rest.strip_suffix("/banner.img") {
        return banner(st, site, path).await;
    }
    if let Some(res) = annual_report::dispatch(st, snap, site, rest).await? {
        return Ok(Some(res));
    }
    column_route(st, snap, site, rest, uri).await
}

/// What a `{column path}` suffix resolves to.
async fn lookup(st: &AppState, site: SiteId, path: &str) -> Result<ColumnLookup, AppError> {
    let path = path.to_string();
    Ok(run_blocking(st, move |g| g.column_by_path(site, &path)).await?)
}

fn moved(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => {
            let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
            res.headers_mut().insert(header::LOCATION, v);
            res
        }
        Err(_) => AppError::Status(StatusCode::NOT_FOUND).into_response(),
    }
}

// ---------------------------------------------------------------------------------
// Home pages.

/// Latest documents of a column; a column with no documents of its own shows its
/// sub-columns' newest.
async fn column_latest(
    st: &AppState,
    site: SiteId,
    column: &Column,
    columns: &[Column],
    limit: i64,
) -> Result<Vec<PublicDocument>, AppError> {
    let id = column.id;
    let kids: Vec<i64> = children_of(columns, id)
        .filter(|c| c.kind().holds_documents() && c.kind() != ColumnKind::Topic)
        .map(|c| c.id)
        .collect();
    let docs = run_blocking(st, move |g| {
        let mut docs = g.published_in_column(site, id, 1, limit)?.items;
        if docs.is_empty() {
            for k in kids {
                docs.extend(g.published_in_column(site, k, 1, limit)?.items);
            }
            docs.sort_by(|a, b| b.display_time.cmp(&a.display_time).then(b.id.cmp(&a.id)));
            docs.truncate(usize::try_from(limit).unwrap_or(0));
        }
        Ok(docs)
    })
    .await?;
    Ok(docs)
}

/// The home page of a site: the portal's (`home.html`, with its channels) or a
/// channel's (`site.html`).
pub(crate) async fn home(st: &AppState, snap: &Snapshot, site: &Site) -> Result<Response, AppError> {
    let prefix = prefix_of(snap, site);
    let columns = nav_columns(st, site.id).await?;
    let mut blocks = Vec::new();
    for c in columns.iter().filter(|c| c.parent.is_none()) {
        let kind = c.kind();
        if !kind.holds_documents() || kind == ColumnKind::Topic || kind == ColumnKind::SinglePage {
            continue;
        }
        // A container of topics shows as topic cards, not as a list.
        if children_of(&columns, c.id).any(|k| k.kind() == ColumnKind::Topic) {
            continue;
        }
        let docs = column_latest(st, site.id, c, &columns, HOME_BLOCK).await?;
        let items: Vec<DocItem> = docs.iter().map(|d| doc_item(&prefix, d)).collect();
        let pictures = !items.is_empty() && items.iter().all(|i| i.thumb.is_some());
        blocks.push(Block {
            name: c.name.clone(),
            href: column_href(&prefix, c),
            rss: format!("{}/rss.xml", column_href(&prefix, c)),
            pictures,
            items,
        });
    }
    let topics: Vec<TopicCard> =
        columns.iter().filter(|c| c.kind() == ColumnKind::Topic).map(|c| topic_card(&prefix, c)).collect();
    let id = site.id;
    let latest = run_blocking(st, move |g| g.latest_published(id, 10)).await?;
    let latest: Vec<DocItem> = latest.iter().map(|d| doc_item(&prefix, d)).collect();
    let nav = nav_items(&prefix, &columns, None);

    if site.kind.is_registered_website() {
        let here = Some(site.id);
        let children: Vec<&Site> = snap.tree.children(site.id).filter(|s| s.status != SiteStatus::Archived).collect();
        let of_kind = |kind: SiteKind| -> Vec<crate::SiteRow> {
            children.iter().filter(|s| s.kind == kind).map(|s| snap.row(s, here)).collect()
        };
        let page = snap.page(st, Some(site), st.t("home.title"), false);
        let ctx = context! {
            page => ser(&page),
            nav => ser(&nav),
            site => context! { name => site.name.clone() },
            latest => ser(&latest),
            blocks => ser(&blocks),
            topic_columns => ser(&topics),
            departments => ser(of_kind(SiteKind::Department)),
            townships => ser(of_kind(SiteKind::Township)),
            topics => ser(of_kind(SiteKind::Topic)),
            websites => ser(of_kind(SiteKind::Website)),
        };
        render(st, "home.html", StatusCode::OK, ctx)
    } else {
        let here = snap.website_of(site.id).map(|w| w.id);
        let children: Vec<crate::SiteRow> = snap
            .tree
            .children(site.id)
            .filter(|s| s.status != SiteStatus::Archived)
            .map(|s| snap.row(s, here))
            .collect();
        let page = snap.page(st, Some(site), site.name.clone(), true);
        let ctx = context! {
            page => ser(&page),
            nav => ser(&nav),
            site => context! { name => site.name.clone(), kind => site.kind.as_str(), href => snap.href(site, here) },
            unit => snap.unit_name(site.unit),
            children => ser(children),
            latest => ser(&latest),
            blocks => ser(&blocks),
            topic_columns => ser(&topics),
        };
        render(st, "site.html", StatusCode::OK, ctx)
    }
}

// ---------------------------------------------------------------------------------
// Column pages.

async fn column_route(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    rest: &str,
    uri: &Uri,
) -> Result<Option<Response>, AppError> {
    let prefix = prefix_of(snap, site);
    let column = match lookup(st, site.id, rest).await? {
        ColumnLookup::Found(c) => *c,
        ColumnLookup::Redirect(to) => {
            let mut location = format!("{prefix}{to}");
            if let Some(q) = uri.query() {
                location.push('?');
                location.push_str(q);
            }
            return Ok(Some(moved(&location)));
        }
        ColumnLookup::NotFound => return Ok(None),
    };
    let query = list_query(uri)?;
    let page_no = parse_page(query.page.as_deref())?;
    let columns = nav_columns(st, site.id).await?;
    match column.kind() {
        ColumnKind::Link => {
            let url = column.link_url.clone().unwrap_or_default();
            let ok = url.starts_with("https://")
                || url.starts_with("http://")
                || (url.starts_with('/') && !url.starts_with("//"));
            if !ok {
                return Ok(None);
            }
            let v = HeaderValue::from_str(&url).map_err(|_| AppError::Status(StatusCode::NOT_FOUND))?;
            let mut res = StatusCode::FOUND.into_response();
            res.headers_mut().insert(header::LOCATION, v);
            Ok(Some(res))
        }
        ColumnKind::SinglePage => single_page(st, snap, site, &column, &columns).await.map(Some),
        ColumnKind::Disclosure => catalogue(st, snap, site, &column, &columns, &query, page_no).await.map(Some),
        ColumnKind::Topic => topic_page(st, snap, site, &column, &columns, page_no).await.map(Some),
        _ => list_page(st, snap, site, &column, &columns, page_no).await.map(Some),
    }
}

/// The layout context for a column page: breadcrumbs through the column's ancestors.
fn column_page_ctx(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    column: &Column,
    columns: &[Column],
    title: String,
) -> crate::Page {
    let prefix = prefix_of(snap, site);
    let mut page = snap.page(st, Some(site), title, true);
    let chain = column_chain(columns, column);
    let n = chain.len();
    for (i, c) in chain.into_iter().enumerate() {
        page.breadcrumbs.push(Crumb { name: c.name.clone(), href: (i + 1 < n).then(|| column_href(&prefix, &c)) });
    }
    if n == 0 {
        page.breadcrumbs.push(Crumb { name: column.name.clone(), href: None });
    }
    page
}

fn sub_items(prefix: &str, columns: &[Column], column: &Column) -> Vec<NavItem> {
    children_of(columns, column.id)
        .map(|c| NavItem { name: c.name.clone(), href: column_href(prefix, c), kind: c.kind.clone(), current: false })
        .collect()
}

/// A page beyond the last is a 404 (an empty first page is not).
fn check_page_range(p: &DocPage<PublicDocument>) -> Result<(), AppError> {
    let pages = if p.total <= 0 { 1 } else { (p.total + p.per_page - 1) / p.per_page };
    if p.page > pages { Err(AppError::Status(StatusCode::NOT_FOUND)) } else { Ok(()) }
}

async fn list_page(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    column: &Column,
    columns: &[Column],
    page_no: i64,
) -> Result<Response, AppError> {
    let prefix = prefix_of(snap, site);
    let (sid, cid) = (site.id, column.id);
    let result = run_blocking(st, move |g| g.published_in_column(sid, cid, page_no, PER_PAGE)).await?;
    check_page_range(&result)?;
    let items: Vec<DocItem> = result.items.iter().map(|d| doc_item(&prefix, d)).collect();
    let href = column_href(&prefix, column);
    let page = column_page_ctx(st, snap, site, column, columns, column.name.clone());
    let ctx = context! {
        page => ser(&page),
        nav => ser(nav_items(&prefix, columns, Some(column))),
        column => context! { name => column.name.clone(), href => href.clone(), rss => format!("{href}/rss.xml") },
        subs => ser(sub_items(&prefix, columns, column)),
        items => ser(&items),
        pager => ser(pager(&href, "", result.page, result.per_page, result.total)),
    };
    render(st, "column.html", StatusCode::OK, ctx)
}

async fn single_page(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    column: &Column,
    columns: &[Column],
) -> Result<Response, AppError> {
    let (sid, cid) = (site.id, column.id);
    let first = run_blocking(st, move |g| g.published_in_column(sid, cid, 1, 1)).await?;
    match first.items.into_iter().next() {
        Some(doc) => render_document(st, snap, site, &doc, columns, true).await,
        None => list_page(st, snap, site, column, columns, 1).await,
    }
}

async fn topic_page(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    column: &Column,
    columns: &[Column],
    page_no: i64,
) -> Result<Response, AppError> {
    let prefix = prefix_of(snap, site);
    let mut sections = Vec::new();
    for c in children_of(columns, column.id) {
        if !c.kind().holds_documents() {
            continue;
        }
        let docs = column_latest(st, site.id, c, columns, HOME_BLOCK).await?;
        sections.push(Block {
            name: c.name.clone(),
            href: column_href(&prefix, c),
            rss: format!("{}/rss.xml", column_href(&prefix, c)),
            pictures: false,
            items: docs.iter().map(|d| doc_item(&prefix, d)).collect(),
        });
    }
    let (sid, cid) = (site.id, column.id);
    let own = run_blocking(st, move |g| g.published_in_column(sid, cid, page_no, PER_PAGE)).await?;
    check_page_range(&own)?;
    let href = column_href(&prefix, column);
    let page = column_page_ctx(st, snap, site, column, columns, column.name.clone());
    let ctx = context! {
        page => ser(&page),
        nav => ser(nav_items(&prefix, columns, Some(column))),
        topic => ser(topic_card(&prefix, column)),
        rss => format!("{href}/rss.xml"),
        sections => ser(&sections),
        items => ser(own.items.iter().map(|d| doc_item(&prefix, d)).collect::<Vec<_>>()),
        pager => ser(pager(&href, "", own.page, own.per_page, own.total)),
    };
    render(st, "topic.html", StatusCode::OK, ctx)
}

#[derive(Debug, Serialize)]
struct Facet {
    label: String,
    count: i64,
    href: String,
    current: bool,
}

#[allow(clippy::too_many_arguments)]
async fn catalogue(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    column: &Column,
    columns: &[Column],
    q: &ListQuery,
    page_no: i64,
) -> Result<Response, AppError> {
    let prefix = prefix_of(snap, site);
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(y) => Some(y.parse::<i32>().map_err(|_| AppError::Status(StatusCode::BAD_REQUEST))?),
    };
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let filter = CatalogueFilter { category: clean(&q.category), organ: clean(&q.organ), year };
    let sid = site.id;
    let f = filter.clone();
    let (facets, result): (CatalogueFacets, DocPage<PublicDocument>) =
        run_blocking(st, move |g| Ok((g.disclosure_facets(sid)?, g.disclosure_catalogue(sid, &f, page_no, PER_PAGE)?)))
            .await?;
    check_page_range(&result)?;
    let href = column_href(&prefix, column);
    // The query string of the current filter, without the page.
    let mut extra = String::new();
    if let Some(c) = &filter.category {
        extra.push_str(&format!("category={}&", pct(c)));
    }
    if let Some(o) = &filter.organ {
        extra.push_str(&format!("organ={}&", pct(o)));
    }
    if let Some(y) = filter.year {
        extra.push_str(&format!("year={y}&"));
    }
    let facet = |key: &str, label: String, value: String, count: i64, current: bool| Facet {
        href: if current { href.clone() } else { format!("{href}?{key}={}", pct(&value)) },
        label,
        count,
        current,
    };
    let categories: Vec<Facet> = facets
        .categories
        .iter()
        .map(|(c, n)| facet("category", c.clone(), c.clone(), *n, filter.category.as_deref() == Some(c)))
        .collect();
    let organs: Vec<Facet> = facets
        .organs
        .iter()
        .map(|(o, n)| facet("organ", o.clone(), o.clone(), *n, filter.organ.as_deref() == Some(o)))
        .collect();
    let years: Vec<Facet> = facets
        .years
        .iter()
        .map(|(y, n)| {
            facet("year", st.tf("pub.catalogue.year_label", &[("year", &y.to_string())]), y.to_string(), *n, {
                filter.year == Some(*y)
            })
        })
        .collect();
    let total_all: i64 = facets.categories.iter().map(|(_, n)| n).sum();
    let page = column_page_ctx(st, snap, site, column, columns, column.name.clone());
    let ctx = context! {
        page => ser(&page),
        nav => ser(nav_items(&prefix, columns, Some(column))),
        column => context! { name => column.name.clone(), href => href.clone(), rss => format!("{href}/rss.xml") },
        subs => ser(sub_items(&prefix, columns, column)),
        categories => ser(&categories),
        organs => ser(&organs),
        years => ser(&years),
        filtered => filter.category.is_some() || filter.organ.is_some() || filter.year.is_some(),
        filter => ser(&filter),
        total_all => total_all,
        items => ser(result.items.iter().map(|d| doc_item(&prefix, d)).collect::<Vec<_>>()),
        pager => ser(pager(&href, &extra, result.page, result.per_page, result.total)),
        annual_href => format!("{prefix}{}", annual_report::PATH),
    };
    render(st, "catalogue.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Documents, attachments, media.

/// Parses `{id}.html`, `{id}/files/{n}` and `{id}/media/{key}`.
enum DocRoute {
    Page(i64),
    File(i64, usize),
    Media(i64, String),
}

fn parse_doc_route(tail: &str) -> Option<DocRoute> {
    let id_of = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    if let Some(id) = tail.strip_suffix(".html") {
        return id_of(id).map(DocRoute::Page);
    }
    let mut parts = tail.splitn(3, '/');
    let id = id_of(parts.next()?)?;
    match (parts.next()?, parts.next()?) {
        ("files", n) => {
            let n: usize = (n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit())).then(|| n.parse().ok()).flatten()?;
            (n >= 1).then_some(DocRoute::File(id, n))
        }
        ("media", key) => Some(DocRoute::Media(id, key.to_string())),
        _ => None,
    }
}

async fn published(st: &AppState, site: SiteId, id: i64) -> Result<Option<PublicDocument>, AppError> {
    Ok(run_blocking(st, move |g| g.published_document(site, id)).await?)
}

async fn document_route(st: &AppState, snap: &Snapshot, site: &Site, tail: &str) -> Result<Option<Response>, AppError> {
    let Some(route) = parse_doc_route(tail) else { return Ok(None) };
    match route {
        DocRoute::Page(id) => {
            let Some(doc) = published(st, site.id, id).await? else { return Ok(None) };
            let columns = nav_columns(st, site.id).await?;
            render_document(st, snap, site, &doc, &columns, false).await.map(Some)
        }
        DocRoute::File(id, n) => {
            let Some(doc) = published(st, site.id, id).await? else { return Ok(None) };
            let Some(a) = doc.fields.attachments.get(n - 1).cloned() else { return Ok(None) };
            serve_file(st, &a.key, Some(&a.name)).await.map(Some)
        }
        DocRoute::Media(id, key) => {
            let Some(doc) = published(st, site.id, id).await? else { return Ok(None) };
            if !media_keys(&doc).contains(&key) {
                return Ok(None);
            }
            serve_file(st, &key, None).await.map(Some)
        }
    }
}

/// File-store keys a published document shows inline: its images and thumbnails, a
/// video and its poster, the cover.
fn media_keys(d: &PublicDocument) -> Vec<String> {
    let mut keys: Vec<String> = d.fields.cover.iter().cloned().collect();
    match &d.fields.kind {
        DocKind::Photo { images } => {
            for i in images {
                keys.push(i.key.clone());
                keys.extend(i.thumb.iter().cloned());
            }
        }
        DocKind::Video { file, poster, .. } => {
            keys.extend(file.iter().cloned());
            keys.extend(poster.iter().cloned());
        }
        _ => {}
    }
    keys
}

/// Serves a stored file: inline (media) or as a download with its name.
async fn serve_file(st: &AppState, key: &str, download_name: Option<&str>) -> Result<Response, AppError> {
    let k = key.to_string();
    let bytes = run_blocking(st, move |g| {
        let store = g.file_store();
        match store.exists(&k) {
            Ok(true) => store.get(&k).map(Some).map_err(Error::from),
            Ok(false) | Err(_) => Ok(None),
        }
    })
    .await?;
    let Some(bytes) = bytes else { return Err(AppError::Status(StatusCode::NOT_FOUND)) };
    let mime = mime_of(key);
    let disp = match download_name {
        Some(name) => disposition("attachment", name),
        None => "inline".to_string(),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disp) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(res)
}

async fn banner(st: &AppState, site: &Site, path: &str) -> Result<Option<Response>, AppError> {
    let ColumnLookup::Found(c) = lookup(st, site.id, path).await? else { return Ok(None) };
    let Some(key) = c.banner.as_deref().map(str::trim).filter(|b| !b.is_empty() && !b.contains('/')) else {
        return Ok(None);
    };
    serve_file(st, key, None).await.map(Some)
}

#[derive(Debug, Serialize)]
struct ImageView {
    src: String,
    thumb: String,
    caption: String,
}

#[derive(Debug, Serialize)]
struct FileView {
    href: String,
    name: String,
    size: String,
    ext: String,
}

async fn render_document(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    d: &PublicDocument,
    columns: &[Column],
    single: bool,
) -> Result<Response, AppError> {
    let prefix = prefix_of(snap, site);
    let column = columns.iter().find(|c| c.id == d.column).cloned();
    let mut page = match &column {
        Some(c) => {
            let mut p = column_page_ctx(st, snap, site, c, columns, d.fields.title.clone());
            if let Some(last) = p.breadcrumbs.last_mut()
                && !single
            {
                last.href = Some(column_href(&prefix, c));
            }
            p
        }
        None => snap.page(st, Some(site), d.fields.title.clone(), true),
    };
    if !single {
        page.breadcrumbs.push(Crumb { name: st.t("pub.doc.crumb"), href: None });
    }
    let f = &d.fields;
    let images: Vec<ImageView> = match &f.kind {
        DocKind::Photo { images } => images
            .iter()
            .map(|i| ImageView {
                src: media_href(&prefix, d.id, &i.key),
                thumb: media_href(&prefix, d.id, i.thumb.as_deref().unwrap_or(&i.key)),
                caption: i.caption.clone(),
            })
            .collect(),
        _ => vec![],
    };
    let video = match &f.kind {
        DocKind::Video { file, url, poster } => Some(context! {
            src => file.as_deref().map(|k| media_href(&prefix, d.id, k)),
            url => url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            poster => poster.as_deref().map(|k| media_href(&prefix, d.id, k)),
        }),
        _ => None,
    };
    let link = match &f.kind {
        DocKind::Link { url } => Some(url.clone()),
        _ => None,
    };
    let files: Vec<FileView> = f
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| FileView {
            href: format!("{prefix}/docs/{}/files/{}", d.id, i + 1),
            name: a.name.clone(),
            size: human_size(a.size),
            ext: a.name.rsplit_once('.').map(|(_, e)| e.to_ascii_uppercase()).unwrap_or_default(),
        })
        .collect();
    let disclosure = f.kind.disclosure().map(|m| {
        context! {
            index_number => d.index_number.clone(),
            organ => m.organ.clone(),
            doc_number => m.doc_number.clone(),
            category => m.category.clone(),
            validity => validity_name(m.validity),
            date => shanghai(d.display_time, "%Y-%m-%d"),
        }
    });
    let ctx = context! {
        page => ser(&page),
        nav => ser(nav_items(&prefix, columns, column.as_ref())),
        single => single,
        column => column.as_ref().map(|c| context! { name => c.name.clone(), href => column_href(&prefix, c) }),
        doc => context! {
            id => d.id,
            title => f.title.clone(),
            subtitle => f.subtitle.clone(),
            source => f.source.clone(),
            author => f.author.clone(),
            date => shanghai(d.display_time, "%Y-%m-%d %H:%M"),
            kind => kind_name(&f.kind),
            body => f.body_html.clone(),
            tags => f.tags.clone(),
            link => link,
        },
        disclosure => disclosure,
        images => ser(&images),
        video => video,
        files => ser(&files),
    };
    render(st, "doc.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Feeds.

async fn rss(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    path: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<Response>, AppError> {
    let prefix = prefix_of(snap, site);
    let column = match lookup(st, site.id, path).await? {
        ColumnLookup::Found(c) => *c,
        ColumnLookup::Redirect(to) => return Ok(Some(moved(&format!("{prefix}{to}/rss.xml")))),
        ColumnLookup::NotFound => return Ok(None),
    };
    if !column.kind().holds_documents() {
        return Ok(None);
    }
    let base = base_url(st, headers, uri);
    let (sid, cid) = (site.id, column.id);
    let docs = run_blocking(st, move |g| g.published_in_column(sid, cid, 1, FEED_ITEMS)).await?;
    let items: Vec<feeds::FeedItem> = docs
        .items
        .iter()
        .map(|d| feeds::FeedItem {
            title: d.fields.title.clone(),
            link: format!("{base}{}", doc_url(if prefix.is_empty() { "/" } else { &prefix }, d.id)),
            description: d.fields.summary.clone(),
            published: d.display_time,
        })
        .collect();
    let title = format!("{} - {}", site.display_name(), column.name);
    let link = format!("{base}{}", column_href(&prefix, &column));
    let body = feeds::rss(&title, &link, &title, &items);
    Ok(Some(xml_response("application/rss+xml; charset=utf-8", body)))
}

async fn sitemap(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let prefix = prefix_of(snap, site);
    let base = base_url(st, headers, uri);
    let sid = site.id;
    let (columns, docs) = run_blocking(st, move |g| {
        let columns = g.public_columns(sid)?;
        let shown: std::collections::HashSet<i64> =
            columns.iter().filter(|c| c.kind().holds_documents()).map(|c| c.id).collect();
        let docs: Vec<(i64, i64)> = g
            .published_refs(sid)?
            .into_iter()
            .filter(|d| shown.contains(&d.column))
            .map(|d| (d.id, d.published_at))
            .collect();
        Ok((columns, docs))
    })
    .await?;
    let home = if prefix.is_empty() { "/".to_string() } else { format!("{prefix}/") };
    let mut urls: Vec<(String, Option<i64>)> = vec![(format!("{base}{home}"), None)];
    urls.extend(
        columns
            .iter()
            .filter(|c| c.kind() != ColumnKind::Link)
            .map(|c| (format!("{base}{}", column_href(&prefix, c)), None)),
    );
    let doc_prefix = if prefix.is_empty() { "/" } else { prefix.as_str() };
    urls.extend(docs.into_iter().map(|(id, at)| (format!("{base}{}", doc_url(doc_prefix, id)), Some(at))));
    Ok(xml_response("application/xml; charset=utf-8", feeds::sitemap(&urls)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(parse_page(None).ok(), Some(1));
        assert_eq!(parse_page(Some("")).ok(), Some(1));
        assert_eq!(parse_page(Some("3")).ok(), Some(3));
        for bad in ["0", "-1", "abc", "1.5", "99999999999999999999999"] {
            assert!(parse_page(Some(bad)).is_err(), "{bad}");
        }
        assert!(parse_page(Some("100001")).is_err());
    }

    #[test]
    fn doc_routes() {
        assert!(matches!(parse_doc_route("12.html"), Some(DocRoute::Page(12))));
        assert!(matches!(parse_doc_route("12/files/1"), Some(DocRoute::File(12, 1))));
        assert!(parse_doc_route("12/files/0").is_none());
        assert!(parse_doc_route("x.html").is_none());
        assert!(parse_doc_route("99999999999999999999.html").is_none());
        assert!(matches!(parse_doc_route("3/media/ab.png"), Some(DocRoute::Media(3, _))));
    }

    #[test]
    fn content_disposition_is_ascii_with_utf8_name() {
        let d = disposition("attachment", "2025年预算\"表\".csv");
        assert!(d.is_ascii());
        assert!(d.contains("filename*=UTF-8''2025%E5%B9%B4"));
        assert!(HeaderValue::from_str(&d).is_ok());
    }
}
