//! The self-check (自查) page of the back office: findings per site with evidence and
//! what to do, scores, the group's ranked table and its .xlsx download, the availability
//! probe and each site's error-report (纠错) entry.
//!
//! `GET /admin/zicha` — the centre sees the whole group (ranked), a site admin their own
//! site only (`?site=CODE` picks one; the library refuses another site's). The check runs
//! while the page loads when few documents need the content checker (the library caches
//! its verdicts per published revision); when many do (first run, changed word lists, a
//! bulk import), the page shows the last stored report with its time and runs the check
//! in the background instead of making the user wait, once per scope at a time.
//! `GET /admin/zicha.xlsx` — the same report as a workbook (always computed).
//! `POST /admin/zicha/probe` — the centre only: runs the availability probe now
//! ([`crate::probe`], also run periodically with `--probe-every`).
//! `POST /admin/zicha/jiucuo` — sets or clears a site's error-report entry (`EditSite`
//! on the site); the footer of every public page of the site shows it at once.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use minijinja::{Value, context};
use serde::Deserialize;
use sitegroup::{
    Action, Actor, CheckFinding, CheckIndicator, Error, Resource, SelfCheckReport, SiteGroup, SiteId, ValidationError,
};

use super::{Frame, Reply, actor, call, may, notice, origin, refuse, see_other, when};
use crate::AppState;

/// Above this many documents for the content checker, the page shows the last stored
/// report and checks in the background (about 0.3 s of checking in a release build,
/// under a second in a debug one).
pub(crate) const INLINE_CHECK_LIMIT: i64 = 2_000;

/// Routes of the self-check pages (merged into [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/zicha", get(page))
        .route("/admin/zicha.xlsx", get(xlsx))
        .route("/admin/zicha/probe", post(probe))
        .route("/admin/zicha/jiucuo", post(set_entry))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(crate::BODY_LIMIT))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CheckQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    done: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct EntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    entry: String,
}

/// Which report the actor asked for: the group (centre, no `site`), a named site, or,
/// for a site admin without `site`, the first site they may check.
fn scope(g: &SiteGroup, a: &Actor, code: &str) -> Result<Option<SiteId>, Error> {
    let code = code.trim();
    if !code.is_empty() {
        return Ok(Some(g.site(code)?.id));
    }
    if may(a, Action::RunSelfCheck, Resource::Group) {
        return Ok(None);
    }
    let first = g.sites_for(a)?.into_iter().find(|s| may(a, Action::RunSelfCheck, Resource::Site(s.id)));
    match first {
        Some(s) => Ok(Some(s.id)),
        // Nothing to check: the library's refusal for the group.
        None => {
            sitegroup::authorize(a, Action::RunSelfCheck, &Resource::Group)?;
            Ok(None)
        }
    }
}

/// A report for the page: computed now, or (when many documents need checking) the last
/// stored one while the check runs in the background.
struct PageReport {
    report: Option<SelfCheckReport>,
    /// Documents waiting for the checker when the report is the stored one.
    pending: Option<i64>,
}

async fn report(st: &AppState, me: &Actor, code: &str) -> Result<PageReport, Error> {
    report_with_limit(st, me, code, INLINE_CHECK_LIMIT).await
}

async fn report_with_limit(st: &AppState, me: &Actor, code: &str, limit: i64) -> Result<PageReport, Error> {
    let code = code.to_string();
    let (site, pending) = call(st, me, move |g, a| {
        let site = scope(g, a, &code)?;
        Ok((site, g.self_check_pending(a, site)?))
    })
    .await?;
    if pending <= limit {
        let report = call(st, me, move |g, a| g.self_check(a, site)).await?;
        return Ok(PageReport { report: Some(report), pending: None });
    }
    // Read the stored report before starting the new run, so the page shows the last
    // finished report rather than racing the background run for it.
    let last = call(st, me, move |g, a| g.last_self_check(a, site)).await?;
    background_check(st, me, site);
    Ok(PageReport { report: last, pending: Some(pending) })
}

/// A check scope: `(data directory, site or the group)`.
type Scope = (PathBuf, Option<SiteId>);

/// Scopes with a background check running in this process.
fn checking() -> &'static Mutex<HashSet<Scope>> {
    static CHECKING: OnceLock<Mutex<HashSet<Scope>>> = OnceLock::new();
    CHECKING.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Starts the self-check of `site` in the background unless one of that scope runs; it
/// fills the verdict cache and stores the report the next page load shows.
fn background_check(st: &AppState, me: &Actor, site: Option<SiteId>) {
    let key = (st.group().dir().to_path_buf(), site);
    let started = checking().lock().map(|mut set| set.insert(key.clone())).unwrap_or(false);
    if !started {
        return;
    }
    let group = std::sync::Arc::clone(st.group());
    let actor = me.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = group.self_check(&actor, site) {
            eprintln!("portal: the background self-check failed: {e}");
        }
        if let Ok(mut set) = checking().lock() {
            set.remove(&key);
        }
    });
}

fn evidence_lines(st: &AppState, f: &CheckFinding) -> Vec<String> {
    let e = &f.evidence;
    let mut out = Vec::new();
    if let Some(name) = &e.column_name {
        out.push(st.tf("check.ev.column", &[("name", name), ("path", e.column_path.as_deref().unwrap_or(""))]));
    }
    if let Some(id) = e.document {
        out.push(st.tf("check.ev.document", &[("id", &id.to_string()), ("title", e.title.as_deref().unwrap_or(""))]));
    }
    if let Some(id) = e.ticket {
        out.push(st.tf("check.ev.ticket", &[("id", &id.to_string())]));
    }
    if let Some(id) = e.solicitation {
        out.push(
            st.tf("check.ev.solicitation", &[("id", &id.to_string()), ("title", e.title.as_deref().unwrap_or(""))]),
        );
    }
    if let Some(id) = e.item {
        out.push(st.tf("check.ev.item", &[("id", &id.to_string()), ("title", e.title.as_deref().unwrap_or(""))]));
    }
    if let Some(n) = e.figure {
        let key = format!("check.fig.{}", f.indicator.as_str());
        if st.catalogue().has(&key) {
            out.push(st.tf(&key, &[("n", &n.to_string())]));
        }
    }
    if !e.detail.is_empty() {
        let items: Vec<String> = e
            .detail
            .iter()
            .map(|d| {
                let key = format!("check.detail.{d}");
                if st.catalogue().has(&key) { st.t(&key) } else { d.clone() }
            })
            .collect();
        out.push(st.tf(&format!("check.detail_label.{}", detail_kind(f.indicator)), &[("items", &items.join("、"))]));
    }
    out
}

fn detail_kind(i: CheckIndicator) -> &'static str {
    match i {
        CheckIndicator::GuideIncomplete | CheckIndicator::IdentityFooter => "missing",
        CheckIndicator::ProhibitedContent | CheckIndicator::SeriousError | CheckIndicator::LeakedSecret => "matched",
        CheckIndicator::PersonalData => "personal",
        CheckIndicator::ChannelIdle => "channel",
        CheckIndicator::Unreachable | CheckIndicator::PageFailed => "pages",
        _ => "other",
    }
}

async fn page(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<CheckQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let PageReport { report, pending } = report(&st, &me, &q.site).await?;
    let stale = pending.map(|n| {
        let key = if report.is_some() { "check.stale.running" } else { "check.stale.none" };
        st.tf(key, &[("n", &n.to_string())])
    });
    let report = report.unwrap_or(SelfCheckReport { at: 0, sites: vec![] });
    // Each site's error-report entry: its own, and the one it falls back on.
    let ids: Vec<SiteId> = report.sites.iter().map(|s| s.site).collect();
    let entries = call(&st, &me, move |g, _| {
        let own = g.error_report_entries()?;
        let tree = g.site_tree()?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let mine = own.get(&id).cloned();
                let inherited = if mine.is_some() {
                    None
                } else {
                    let mut cur = tree.get(id).and_then(|s| s.parent);
                    let mut found = None;
                    let mut steps = 0;
                    while let Some(p) = cur {
                        if let Some(e) = own.get(&p) {
                            found = Some(e.clone());
                            break;
                        }
                        steps += 1;
                        if steps > tree.sites().len() {
                            break;
                        }
                        cur = tree.get(p).and_then(|s| s.parent);
                    }
                    found
                };
                (id, (mine, inherited))
            })
            .collect::<std::collections::HashMap<SiteId, (Option<String>, Option<String>)>>())
    })
    .await?;
    let group_view = q.site.trim().is_empty() && may(&me, Action::RunSelfCheck, Resource::Group);
    let verdict = |v: sitegroup::CheckVerdict| st.t(&format!("check.verdict.{}", v.as_str()));
    let ranking: Vec<Value> = report
        .sites
        .iter()
        .map(|s| {
            context! {
                rank => s.rank, code => s.code.clone(), name => s.name.clone(), score => s.score,
                deducted => s.deducted, vetoes => s.vetoes, verdict => verdict(s.verdict),
                bad => s.vetoes > 0 || s.score < 60, findings => s.findings.len(), notices => s.notices.len(),
            }
        })
        .collect();
    let sites: Vec<Value> = report
        .sites
        .iter()
        .map(|s| {
            let findings: Vec<Value> = s
                .findings
                .iter()
                .map(|f| {
                    let ind = f.indicator.as_str();
                    context! {
                        indicator => st.t(&format!("check.ind.{ind}")),
                        key => ind,
                        veto => f.veto,
                        points => if f.veto { 0 } else { f.indicator.points() },
                        since => f.since.map(when),
                        evidence => evidence_lines(&st, f),
                        todo => st.t(&format!("check.todo.{ind}")),
                        document => f.evidence.document,
                        ticket => f.evidence.ticket,
                    }
                })
                .collect();
            let notices: Vec<Value> = s
                .notices
                .iter()
                .map(|n| {
                    context! {
                        name => n.column_name.clone(), path => n.column_path.clone(), due => when(n.due_at),
                        owners => n.owners.join("、"),
                    }
                })
                .collect();
            let (entry, inherited) = entries.get(&s.site).cloned().unwrap_or_default();
            context! {
                code => s.code.clone(), name => s.name.clone(), score => s.score, rank => s.rank,
                verdict => verdict(s.verdict), vetoes => s.vetoes, findings => findings, notices => notices,
                entry => entry, inherited_entry => inherited,
                can_edit => may(&me, Action::EditSite, Resource::Site(s.site)),
            }
        })
        .collect();
    let xlsx = if q.site.trim().is_empty() {
        "/admin/zicha.xlsx".to_string()
    } else {
        format!("/admin/zicha.xlsx?site={}", q.site.trim())
    };
    let frame = Frame::new(&st, &headers, st.t("check.title"), vec![]).await?;
    let ctx = context! {
        ranking => ranking,
        sites => sites,
        group_view => group_view,
        as_of => (report.at > 0).then(|| when(report.at)),
        stale => stale,
        refresh => refresh_href(&q.site),
        xlsx => xlsx,
        can_probe => may(&me, Action::RunSelfCheck, Resource::Group),
        done => match q.done.as_str() {
            "probed" => Some(st.t("check.probe.done")),
            "probe_busy" => Some(st.t("check.probe.busy")),
            "entry_saved" => Some(st.t("check.entry.saved")),
            "entry_cleared" => Some(st.t("check.entry.cleared")),
            _ => None,
        },
    };
    frame.render(&st, "admin/selfcheck.html", StatusCode::OK, ctx)
}

async fn xlsx(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<CheckQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let code = q.site.clone();
    let bytes = call(&st, &me, move |g, a| {
        let site = scope(g, a, &code)?;
        g.self_check(a, site)?.to_xlsx()
    })
    .await?;
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
        bytes,
    )
        .into_response();
    // 网站自查.xlsx
    let disposition = "attachment; filename=\"zicha.xlsx\"; filename*=UTF-8''%E7%BD%91%E7%AB%99%E8%87%AA%E6%9F%A5.xlsx";
    res.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(disposition));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

fn refresh_href(code: &str) -> String {
    let code = code.trim();
    if code.is_empty() { "/admin/zicha".to_string() } else { format!("/admin/zicha?site={code}") }
}

async fn probe(State(st): State<AppState>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let limits = crate::probe::ProbeLimits::default();
    match crate::probe::selfcheck_probe_once(&st, &me, &limits).await? {
        Some(_) => Ok(see_other("/admin/zicha?done=probed")),
        None => Ok(see_other("/admin/zicha?done=probe_busy")),
    }
}

/// Sets or clears a site's error-report entry; bad input gets the reason in Chinese.
async fn set_entry(State(st): State<AppState>, headers: HeaderMap, Form(form): Form<EntryForm>) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let code = form.site.trim().to_string();
    let back = format!("{}#site-{code}", refresh_href(&code));
    let entry = form.entry.clone();
    let lookup = code.clone();
    let result = call(&st, &me, move |g, a| {
        let site = g.site(&lookup)?;
        g.set_error_report_entry(a, &origin(), site.id, &entry)
    })
    .await;
    match result {
        Ok(()) => {
            let done = if form.entry.trim().is_empty() { "entry_cleared" } else { "entry_saved" };
            let sep = if code.is_empty() { '?' } else { '&' };
            Ok(see_other(&format!("{}{sep}done={done}#site-{code}", refresh_href(&code))))
        }
        Err(Error::Invalid(ValidationError::TooLong { field: "error_report", len, max })) => {
            let text = st.tf("check.entry.too_long", &[("len", &len.to_string()), ("max", &max.to_string())]);
            notice(&st, &headers, StatusCode::BAD_REQUEST, &st.t("admin.notice.failed"), &text, vec![], &back).await
        }
        Err(Error::Invalid(ValidationError::Malformed { field: "error_report", .. })) => {
            let text = st.t("check.entry.bad");
            notice(&st, &headers, StatusCode::BAD_REQUEST, &st.t("admin.notice.failed"), &text, vec![], &back).await
        }
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use sitegroup::content::DocInput;
    use sitegroup::{NewColumn, NewSite, Origin, PublishAt};

    use super::*;

    /// Waits until no background check of the scope runs (bounded; no time is asserted).
    async fn settled(st: &AppState, site: Option<SiteId>) {
        let key = (st.group().dir().to_path_buf(), site);
        for _ in 0..6_000 {
            if !checking().lock().unwrap().contains(&key) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the background check did not finish");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_documents_to_check_show_the_last_report_and_check_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let group = SiteGroup::open(dir.path()).unwrap();
        let (me, o) = (Actor::system("test"), Origin::other("test"));
        let new =
            NewSite { code: "portal".into(), name: "县政府".into(), kind: "portal".into(), ..Default::default() };
        let site = group.add_site(&me, &o, &new).unwrap().id;
        let col = NewColumn { name: "工作动态".into(), ..Default::default() };
        let col = group.add_column(&me, &o, site, &col).unwrap().id;
        for i in 0..3 {
            let d = group.create_draft(&me, &o, site, col, &DocInput::article(&format!("动态{i}"), "<p>正文</p>"));
            let id = d.unwrap().id;
            group.submit(&me, &o, id).unwrap();
            group.review_approve(&me, &o, id, "无涉密内容").unwrap();
            group.publish(&me, &o, id, PublishAt::Now).unwrap();
        }
        let st = AppState::with_options(Arc::new(group), &crate::Options::default()).unwrap();

        // Three documents await the checker; with a limit of 2 nothing is stored yet.
        let first = report_with_limit(&st, &me, "", 2).await.unwrap();
        assert_eq!(first.pending, Some(3));
        assert!(first.report.is_none());
        settled(&st, None).await;
        // The background run stored its report and filled the cache.
        assert_eq!(st.group().self_check_pending(&me, None).unwrap(), 0);
        let second = report_with_limit(&st, &me, "", 2).await.unwrap();
        assert_eq!(second.pending, None, "checked inline now");
        let stored = st.group().last_self_check(&me, None).unwrap().unwrap();
        assert_eq!(second.report.as_ref().map(|r| &r.sites), Some(&stored.sites));

        // Changed lists: the stored report is shown while the check runs again.
        std::fs::create_dir_all(st.group().dir().join("checks")).unwrap();
        std::fs::write(st.group().dir().join("checks/prohibited.txt"), "正文\n").unwrap();
        let third = report_with_limit(&st, &me, "", 2).await.unwrap();
        assert_eq!(third.pending, Some(3));
        assert_eq!(third.report.map(|r| r.sites), Some(stored.sites));
        settled(&st, None).await;
        let fresh = st.group().last_self_check(&me, None).unwrap().unwrap();
        assert_eq!(fresh.findings().filter(|f| f.indicator == CheckIndicator::ProhibitedContent).count(), 3);
    }
}
