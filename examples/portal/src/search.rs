//! Search (全站搜索, issue 4): the public results page of every site, the JSON
//! suggestions used as you type, and the back-office search over drafts.
//!
//! URLs: `{site prefix}/search?q=…` (served through the site dispatcher in
//! [`crate::app`]'s fallback; on the group's root site it searches the whole group and
//! takes `site=CODE`, on any other site it searches that site only) with `kind`,
//! `sort=date|relevance` and `page`; `/search/suggest?q=…[&site=CODE]` (JSON
//! `[{"text", "kind", "url"}]`); `/admin/search?q=…[&site=CODE]`.
//!
//! Everything is asked of the library: `search(None, …)` reads only the public index,
//! `search(Some(actor), …)` only what `authorize` lets the actor see. The only strings
//! rendered unescaped are a hit's `title_html` and `snippet`, which the search crate
//! builds by HTML-escaping the stored text and adding `<em>` marks
//! (`sitegroup_search::highlight`). The query itself is cleaned here (control
//! characters dropped, whitespace collapsed, cut at the library's limit) and always
//! printed escaped.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use sitegroup::search::query::MAX_QUERY_CHARS;
use sitegroup::{SearchHit, SearchQuery, SearchResults, Site, SiteId, SiteTree, Sort};

use crate::admin::{self, Frame, Reply};
use crate::public::pct;
use crate::{AppError, AppState, Crumb, Snapshot, render, run_blocking, ser, shanghai};

/// Path of the search page below every site's prefix.
pub(crate) const SEARCH_PATH: &str = "/search";
/// Results per page.
pub const PER_PAGE: usize = 10;
/// Last page served (deeper pages show nothing: nobody reads result 1,000).
pub const MAX_PAGE: usize = 100;
/// Window of the hot queries shown under the box: seven days.
pub const HOT_WINDOW_SECONDS: i64 = 7 * 24 * 3600;
/// Hot queries shown.
pub const HOT_SHOWN: usize = 10;
/// Suggestions returned.
pub const SUGGEST_LIMIT: usize = 8;
/// Longest prefix considered for suggestions, in characters.
pub const MAX_SUGGEST_CHARS: usize = 40;
/// Longest `kind` value accepted.
const MAX_KIND_LEN: usize = 32;

/// Search routes that are not below a site prefix (merged into [`crate::app`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/search/suggest", get(suggest)).route("/admin/search", get(admin_page))
}

// ---------------------------------------------------------------------------------
// Parameters.

/// The query string of a search page, cleaned.
#[derive(Debug, Clone, Default)]
struct Params {
    /// The text: no control characters, single spaces, trimmed, at most
    /// [`MAX_QUERY_CHARS`] characters.
    q: String,
    /// The text was cut.
    truncated: bool,
    kind: Option<String>,
    site: Option<String>,
    sort: Sort,
    page: usize,
}

/// The query text as searched: control characters become spaces, runs of whitespace one
/// space, trimmed, cut at `max` characters. Returns whether it was cut.
fn clean_text(raw: &str, max: usize) -> (String, bool) {
    let mut out = String::new();
    let mut count = 0;
    let mut truncated = false;
    for word in raw.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        let mut piece = String::new();
        if !out.is_empty() {
            piece.push(' ');
        }
        piece.push_str(word);
        let n = piece.chars().count();
        if count + n > max {
            out.extend(piece.chars().take(max - count));
            truncated = true;
            break;
        }
        out.push_str(&piece);
        count += n;
    }
    (out.trim_end().to_string(), truncated)
}

fn params(uri: &Uri) -> Params {
    let pairs = admin::form_pairs(uri.query().unwrap_or("").as_bytes());
    let first = |name: &str| admin::field(&pairs, name).trim().to_string();
    let (q, truncated) = clean_text(admin::field(&pairs, "q"), MAX_QUERY_CHARS);
    let kind = Some(first("kind"))
        .filter(|k| !k.is_empty() && k.len() <= MAX_KIND_LEN && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    let site = Some(first("site")).filter(|s| {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    let sort = if first("sort") == "date" { Sort::Date } else { Sort::Relevance };
    let page = first("page").parse::<usize>().ok().filter(|n| *n >= 1).unwrap_or(1).min(MAX_PAGE);
    Params { q, truncated, kind, site, sort, page }
}

/// A search URL under `base` keeping the given filters (defaults left out).
fn link(base: &str, q: &str, kind: Option<&str>, site: Option<&str>, sort: Sort, page: usize) -> String {
    let mut parts = vec![format!("q={}", pct(q))];
    if let Some(k) = kind {
        parts.push(format!("kind={}", pct(k)));
    }
    if let Some(s) = site {
        parts.push(format!("site={}", pct(s)));
    }
    if sort == Sort::Date {
        parts.push("sort=date".into());
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    format!("{base}?{}", parts.join("&"))
}

// ---------------------------------------------------------------------------------
// Values for templates.

#[derive(Debug, Serialize)]
struct HitView {
    id: Option<i64>,
    /// HTML built by the search crate: escaped text with `<em>` marks.
    title_html: String,
    /// HTML built by the search crate: escaped text with `<em>` marks.
    snippet: String,
    href: String,
    date: String,
    site: String,
    kind: String,
    kind_label: String,
    state: Option<String>,
    state_label: Option<String>,
}

#[derive(Debug, Serialize)]
struct Facet {
    label: String,
    count: u64,
    href: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    total: u64,
    prev: Option<String>,
    next: Option<String>,
    first: Option<String>,
    last: Option<String>,
    numbers: Vec<(usize, String, bool)>,
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// Everything a results list needs, for the public and the back-office page.
#[derive(Debug, Serialize)]
struct ResultsView {
    total: u64,
    hits: Vec<HitView>,
    kinds: Vec<Facet>,
    sites: Vec<Facet>,
    pager: Pager,
    did_you_mean: Option<Facet>,
}

fn kind_label(st: &AppState, kind: &str) -> String {
    let key = format!("search.kind.{kind}");
    if st.catalogue().has(&key) { st.t(&key) } else { kind.to_string() }
}

fn site_name(tree: &SiteTree, id: i64) -> Option<&Site> {
    tree.get(SiteId(id))
}

/// The kinds offered in the filter form: the content kinds, then the kinds other modules
/// register (service items and policy Q&A of the online services, published answered
/// letters).
fn kind_options(st: &AppState, current: Option<&str>) -> Vec<Choice> {
    ["article", "photo", "video", "file", "link", "disclosure", "service", "qa", "reply"]
        .iter()
        .map(|k| Choice { value: (*k).to_string(), label: kind_label(st, k), selected: current == Some(*k) })
        .collect()
}

/// Builds the view of `results`. `base` is the page's URL; `site_facets` whether the
/// by-site counts are links (the group-wide and back-office pages); `hit_href` the link
/// of a hit.
fn results_view(
    st: &AppState,
    tree: &SiteTree,
    p: &Params,
    results: &SearchResults,
    base: &str,
    site_facets: bool,
    hit_href: &dyn Fn(&SearchHit) -> String,
) -> ResultsView {
    let kind = p.kind.as_deref();
    let site = p.site.as_deref();
    let hits = results
        .hits
        .iter()
        .map(|h| HitView {
            id: h.id,
            title_html: h.title_html.clone(),
            snippet: h.snippet.clone(),
            href: hit_href(h),
            date: shanghai(h.published_at, "%Y-%m-%d"),
            site: site_name(tree, h.site).map(|s| s.display_name().to_string()).unwrap_or_default(),
            kind: h.kind.clone(),
            kind_label: kind_label(st, &h.kind),
            state: h.state.clone(),
            state_label: h.state.as_ref().map(|s| {
                let key = format!("admin.state.{s}");
                if st.catalogue().has(&key) { st.t(&key) } else { s.clone() }
            }),
        })
        .collect();
    let mut kinds = vec![Facet {
        label: st.t("search.kind_all"),
        count: results.by_kind.iter().map(|(_, n)| n).sum(),
        href: link(base, &p.q, None, site, p.sort, 1),
        current: kind.is_none(),
    }];
    kinds.extend(results.by_kind.iter().map(|(k, n)| Facet {
        label: kind_label(st, k),
        count: *n,
        href: link(base, &p.q, Some(k), site, p.sort, 1),
        current: kind == Some(k.as_str()),
    }));
    let mut sites = Vec::new();
    if site_facets && !results.by_site.is_empty() {
        sites.push(Facet {
            label: st.t("search.site_all"),
            count: results.by_site.iter().map(|(_, n)| n).sum(),
            href: link(base, &p.q, kind, None, p.sort, 1),
            current: site.is_none(),
        });
        sites.extend(results.by_site.iter().filter_map(|(id, n)| {
            let s = site_name(tree, *id)?;
            Some(Facet {
                label: s.display_name().to_string(),
                count: *n,
                href: link(base, &p.q, kind, Some(&s.code), p.sort, 1),
                current: site == Some(s.code.as_str()),
            })
        }));
    }
    let did_you_mean = results.did_you_mean.as_ref().map(|d| Facet {
        label: d.clone(),
        count: 0,
        href: link(base, d, kind, site, p.sort, 1),
        current: false,
    });
    ResultsView { total: results.total, hits, kinds, sites, pager: pager(base, p, results.total), did_you_mean }
}

fn pager(base: &str, p: &Params, total: u64) -> Pager {
    let per = PER_PAGE as u64;
    let pages = usize::try_from(total.div_ceil(per)).unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let page = p.page;
    let href = |n: usize| link(base, &p.q, p.kind.as_deref(), p.site.as_deref(), p.sort, n);
    let lo = page.saturating_sub(4).max(1).min(pages);
    let hi = (lo + 8).min(pages);
    Pager {
        page,
        pages,
        total,
        prev: (page > 1).then(|| href((page - 1).min(pages))),
        next: (page < pages).then(|| href(page + 1)),
        first: (page > 1).then(|| href(1)),
        last: (page < pages).then(|| href(pages)),
        numbers: (lo..=hi).map(|n| (n, href(n), n == page)).collect(),
    }
}

fn sort_options(st: &AppState, sort: Sort) -> Vec<Choice> {
    vec![
        Choice { value: "relevance".into(), label: st.t("search.sort_relevance"), selected: sort == Sort::Relevance },
        Choice { value: "date".into(), label: st.t("search.sort_date"), selected: sort == Sort::Date },
    ]
}

// ---------------------------------------------------------------------------------
// The public page.

/// `{site prefix}/search`: the group's root site searches the whole group (optionally
/// one site with `site=CODE`); any other site searches itself only.
pub(crate) async fn public_page(st: &AppState, snap: &Snapshot, site: &Site, uri: &Uri) -> Result<Response, AppError> {
    let p = params(uri);
    let group_wide = site.parent.is_none();
    let here = snap.website_of(site.id).map(|w| w.id);
    let base = format!("{}{SEARCH_PATH}", snap.href(site, here).trim_end_matches('/'));
    let filter_site = if group_wide { p.site.as_deref().and_then(|c| snap.tree.by_code(c)) } else { Some(site) };
    let p = Params { site: if group_wide { filter_site.map(|s| s.code.clone()) } else { None }, ..p };
    let query = SearchQuery {
        text: p.q.clone(),
        site: filter_site.map(|s| s.id.0),
        kinds: p.kind.iter().cloned().collect(),
        sort: p.sort,
        page: p.page,
        per_page: PER_PAGE,
        ..SearchQuery::default()
    };
    let hot_site = (!group_wide).then_some(site.id);
    let searching = !p.q.is_empty();
    let (results, hot) = run_blocking(st, move |g| {
        let results = if searching { Some(g.search(None, &query)?) } else { None };
        // Hot queries are a nicety: a failure must not fail the page.
        let hot = g.hot_queries(hot_site, HOT_WINDOW_SECONDS).unwrap_or_default();
        Ok((results, hot))
    })
    .await?;

    let view = results.as_ref().map(|r| results_view(st, &snap.tree, &p, r, &base, group_wide, &|h| h.url.clone()));
    let hot: Vec<Facet> = hot
        .into_iter()
        .take(HOT_SHOWN)
        .map(|(text, n)| Facet {
            href: link(&base, &text, None, p.site.as_deref(), Sort::Relevance, 1),
            label: text,
            count: u64::try_from(n).unwrap_or(0),
            current: false,
        })
        .collect();
    // From a channel: the same query across the whole group.
    let whole_group = (!group_wide).then(|| {
        let root = snap.lineage(site).into_iter().next();
        let root_href = root.map(|r| snap.href(&r, here)).unwrap_or_else(|| "/".into());
        link(&format!("{}{SEARCH_PATH}", root_href.trim_end_matches('/')), &p.q, p.kind.as_deref(), None, p.sort, 1)
    });
    let title = if p.q.is_empty() { st.t("search.title") } else { st.tf("search.title_q", &[("q", &p.q)]) };
    let mut page = snap.page(st, Some(site), title, true);
    page.breadcrumbs.push(Crumb { name: st.t("search.title"), href: None });
    // The site filter offers the sites that have matches (and the one chosen).
    let sites: Vec<Choice> = if group_wide {
        let mut v: Vec<&Site> = results
            .as_ref()
            .map(|r| r.by_site.iter().filter_map(|(id, _)| site_name(&snap.tree, *id)).collect())
            .unwrap_or_default();
        if let Some(s) = filter_site
            && !v.iter().any(|x| x.id == s.id)
        {
            v.push(s);
        }
        v.iter()
            .map(|s| Choice {
                value: s.code.clone(),
                label: s.display_name().to_string(),
                selected: Some(s.id) == filter_site.map(|f| f.id),
            })
            .collect()
    } else {
        vec![]
    };
    let ctx = context! {
        page => ser(&page),
        search_page => true,
        action => base,
        q => p.q,
        truncated => p.truncated,
        max_chars => MAX_QUERY_CHARS,
        group_wide => group_wide,
        site_name => site.display_name(),
        site_code => (!group_wide).then(|| site.code.clone()),
        whole_group => whole_group,
        kinds => ser(kind_options(st, p.kind.as_deref())),
        kind => p.kind,
        sorts => ser(sort_options(st, p.sort)),
        site_filter => p.site,
        site_options => ser(sites),
        results => view.map(ser),
        hot => ser(hot),
    };
    render(st, "search.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Suggestions.

#[derive(Debug, Serialize)]
struct SuggestItem {
    text: String,
    kind: String,
    url: String,
}

/// `/search/suggest?q=…[&site=CODE]`: names of sites and columns, then words and titles,
/// as JSON; the URL of a word or title is its search.
async fn suggest(State(st): State<AppState>, uri: Uri) -> Result<Response, AppError> {
    let pairs = admin::form_pairs(uri.query().unwrap_or("").as_bytes());
    let (prefix, _) = clean_text(admin::field(&pairs, "q"), MAX_SUGGEST_CHARS);
    let code = admin::field(&pairs, "site").trim().to_string();
    let items = if prefix.is_empty() {
        vec![]
    } else {
        run_blocking(&st, move |g| {
            let tree = g.site_tree()?;
            let site = Some(code.as_str()).filter(|c| !c.is_empty()).and_then(|c| tree.by_code(c));
            let base = match site {
                Some(s) => format!("{}{SEARCH_PATH}", tree.path_of(s.id).trim_end_matches('/')),
                None => SEARCH_PATH.to_string(),
            };
            let found = g.suggest(&prefix, site.map(|s| s.id), SUGGEST_LIMIT)?;
            Ok(found
                .into_iter()
                .map(|s| SuggestItem {
                    url: s.url.unwrap_or_else(|| link(&base, &s.text, None, None, Sort::Relevance, 1)),
                    text: s.text,
                    kind: s.kind,
                })
                .collect::<Vec<_>>())
        })
        .await?
    };
    let body = serde_json::to_string(&items).map_err(|e| AppError::Render(e.to_string()))?;
    let mut res = (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Ok(res)
}

// ---------------------------------------------------------------------------------
// The back office.

/// `/admin/search?q=…[&site=CODE]`: working revisions (drafts included) wherever the
/// library's `authorize` lets the user see drafts.
async fn admin_page(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Reply {
    let me = admin::actor(&st, &headers).await?;
    let p = params(&uri);
    let code = p.site.clone();
    let searching = !p.q.is_empty();
    let query = SearchQuery {
        text: p.q.clone(),
        kinds: p.kind.iter().cloned().collect(),
        sort: p.sort,
        page: p.page,
        per_page: PER_PAGE,
        ..SearchQuery::default()
    };
    let (sites, site, results) = admin::call(&st, &me, move |g, a| {
        let sites = g.sites_for(a)?;
        let site = match code {
            Some(c) => Some(g.site(&c)?),
            None => None,
        };
        let query = SearchQuery { site: site.as_ref().map(|s| s.id.0), ..query };
        let results = if searching { Some(g.search(Some(a), &query)?) } else { None };
        Ok((sites, site, results))
    })
    .await?;
    let frame = Frame::new(&st, &headers, st.t("search.admin_title"), vec![]).await?;
    let base = "/admin/search";
    let view = results.as_ref().map(|r| {
        // Documents open in the editor; what other modules make searchable (service
        // items, Q&A, published letters) opens on its public page.
        results_view(&st, &frame.snap.tree, &p, r, base, true, &|h| match h.id {
            Some(id) if h.key.starts_with("doc:") => format!("/admin/docs/{id}"),
            _ => h.url.clone(),
        })
    });
    let site_options: Vec<Choice> = sites
        .iter()
        .map(|s| Choice {
            value: s.code.clone(),
            label: s.display_name().to_string(),
            selected: site.as_ref().is_some_and(|x| x.id == s.id),
        })
        .collect();
    let ctx = context! {
        action => base,
        q => p.q,
        truncated => p.truncated,
        max_chars => MAX_QUERY_CHARS,
        kinds => ser(kind_options(&st, p.kind.as_deref())),
        sorts => ser(sort_options(&st, p.sort)),
        site_options => ser(site_options),
        results => view.map(ser),
    };
    frame.render(&st, "admin/search.html", StatusCode::OK, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_is_cleaned_and_cut() {
        assert_eq!(clean_text("  政务\u{0}\t公开\n ", 200), ("政务 公开".to_string(), false));
        assert_eq!(clean_text("\u{7}\u{1b}", 200), (String::new(), false));
        let long = "政".repeat(300);
        let (q, cut) = clean_text(&long, MAX_QUERY_CHARS);
        assert!(cut);
        assert_eq!(q.chars().count(), MAX_QUERY_CHARS);
        let (q, cut) = clean_text("ab cd", 4);
        assert!(cut);
        assert_eq!(q, "ab c");
    }

    #[test]
    fn links_keep_filters() {
        let l = link("/jyj/search", "政务 公开", Some("article"), Some("jyj"), Sort::Date, 3);
        assert_eq!(l, "/jyj/search?q=%E6%94%BF%E5%8A%A1%20%E5%85%AC%E5%BC%80&kind=article&site=jyj&sort=date&page=3");
    }
}
