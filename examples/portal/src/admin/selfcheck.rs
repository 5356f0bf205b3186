//! The self-check (自查) page of the back office: findings per site with evidence and
//! what to do, scores, the group's ranked table and its .xlsx download, and the
//! availability probe.
//!
//! `GET /admin/zicha` — the centre sees the whole group (ranked), a site admin their own
//! site only (`?site=CODE` picks one; the library refuses another site's).
//! `GET /admin/zicha.xlsx` — the same report as a workbook.
//! `POST /admin/zicha/probe` — the centre only: requests each open site's home page and
//! up to two top-level columns through the portal's own router, in-process, and records
//! status and time with the library (the self-check reads the last 7 days of them).
//! Probe requests carry the user agent [`PROBE_AGENT`].

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Router, body};
use minijinja::{Value, context};
use serde::Deserialize;
use sitegroup::{
    Action, Actor, CheckFinding, CheckIndicator, CheckProbe, Error, Resource, SelfCheckReport, SiteGroup, SiteId,
    SiteStatus,
};
use tower::ServiceExt;

use super::{Frame, Reply, actor, call, may, origin, see_other, when};
use crate::AppState;

/// User agent of the availability probe's requests.
pub(crate) const PROBE_AGENT: &str = "sitegroup-selfcheck-probe";
/// A probe request that takes longer than this is cut off (and counts as failed).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest probed body read (the time includes reading it).
const PROBE_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Routes of the self-check pages (merged into [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/zicha", get(page))
        .route("/admin/zicha.xlsx", get(xlsx))
        .route("/admin/zicha/probe", post(probe))
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

async fn report(st: &AppState, me: &Actor, code: &str) -> Result<SelfCheckReport, Error> {
    let code = code.to_string();
    call(st, me, move |g, a| {
        let site = scope(g, a, &code)?;
        g.self_check(a, site)
    })
    .await
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
    let report = report(&st, &me, &q.site).await?;
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
            context! {
                code => s.code.clone(), name => s.name.clone(), score => s.score, rank => s.rank,
                verdict => verdict(s.verdict), vetoes => s.vetoes, findings => findings, notices => notices,
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
        as_of => when(report.at),
        xlsx => xlsx,
        can_probe => may(&me, Action::RunSelfCheck, Resource::Group),
        done => (q.done == "probed").then(|| st.t("check.probe.done")),
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

/// `(site, host, path)` to probe: every open site's home and up to two visible
/// top-level columns; the host is the site's own or its nearest ancestor's.
fn probe_targets(g: &SiteGroup, a: &Actor) -> Result<Vec<(SiteId, String, String)>, Error> {
    let tree = g.site_tree()?;
    let mut out = Vec::new();
    for s in tree.sites().iter().filter(|s| !s.is_template && matches!(s.status, SiteStatus::Open)) {
        let mut host = None;
        let mut cur = Some(s);
        while let Some(x) = cur {
            if let Some(h) = x.hosts.first() {
                host = Some(h.clone());
                break;
            }
            cur = x.parent.and_then(|p| tree.get(p));
        }
        let host = host.unwrap_or_else(|| "localhost".to_string());
        let prefix = tree.path_of(s.id).trim_end_matches('/').to_string();
        out.push((s.id, host.clone(), format!("{prefix}/")));
        let columns = g.columns(a, s.id)?;
        for c in columns
            .iter()
            .filter(|c| c.parent.is_none() && !c.hidden && c.archived_at.is_none() && c.link_url.is_none())
            .take(2)
        {
            out.push((s.id, host.clone(), format!("{prefix}{}", c.path)));
        }
    }
    Ok(out)
}

async fn probe(State(st): State<AppState>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    sitegroup::authorize(&me, Action::RunSelfCheck, &Resource::Group).map_err(Error::from)?;
    let targets = call(&st, &me, probe_targets).await?;
    let router = crate::app(st.clone());
    let mut probes = Vec::with_capacity(targets.len());
    for (site, host, path) in targets {
        let Ok(req) = Request::builder()
            .uri(path.as_str())
            .header(header::HOST, host.as_str())
            .header(header::USER_AGENT, PROBE_AGENT)
            .body(Body::empty())
        else {
            probes.push(CheckProbe { site, path, status: 0, millis: 0 });
            continue;
        };
        let start = Instant::now();
        let status = match tokio::time::timeout(PROBE_TIMEOUT, router.clone().oneshot(req)).await {
            Ok(Ok(res)) => {
                let status = res.status().as_u16();
                match body::to_bytes(res.into_body(), PROBE_BODY_LIMIT).await {
                    Ok(_) => status,
                    Err(_) => 0,
                }
            }
            _ => 0,
        };
        let millis = i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX);
        probes.push(CheckProbe { site, path, status, millis });
    }
    call(&st, &me, move |g, a| g.record_check_probes(a, &origin(), &probes)).await?;
    Ok(see_other("/admin/zicha?done=probed"))
}
