//! The review queue (保密审查) with check findings, sign-off and rejection, and
//! publishing now or at a scheduled time (Beijing time), withdrawal and archiving.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sitegroup::{Action, DocState, PublishAt, Resource};

use super::docs::{DocRow, doc_row};
use super::{FindingRow, Frame, Reply, actor, call, finding_rows, may, origin, refuse, see_other, site};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    done: Option<String>,
}

#[derive(Debug, Serialize)]
struct QueueItem {
    doc: DocRow,
    summary: String,
    findings: Vec<FindingRow>,
    blocks: usize,
    may_review: bool,
}

#[derive(Debug, Serialize)]
struct ReadyItem {
    doc: DocRow,
    may_publish: bool,
}

pub(crate) async fn queue(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<QueueQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let site = site(&st, &q.site).await?;
    let sid = site.id;
    let (columns, items, ready) = call(&st, &me, move |g, a| {
        Ok((
            g.columns(a, sid)?,
            g.review_queue(a, sid, None)?,
            g.documents(a, sid, None, &[DocState::Reviewed, DocState::Scheduled])?,
        ))
    })
    .await?;
    let items: Vec<QueueItem> = items
        .iter()
        .map(|i| {
            let findings = finding_rows(&st, &i.findings);
            QueueItem {
                doc: doc_row(&st, &i.document, &columns),
                summary: i.document.fields.summary.clone(),
                blocks: findings.iter().filter(|f| f.block).count(),
                findings,
                may_review: may(
                    &me,
                    Action::ReviewContent,
                    Resource::Column { site: i.document.site, column: i.document.column },
                ),
            }
        })
        .collect();
    let ready: Vec<ReadyItem> = ready
        .iter()
        .map(|d| ReadyItem {
            doc: doc_row(&st, d, &columns),
            may_publish: may(&me, Action::PublishContent, Resource::Column { site: d.site, column: d.column }),
        })
        .collect();
    let frame = Frame::new(
        &st,
        &headers,
        st.t("admin.review.title"),
        vec![(site.display_name().to_string(), Some(format!("/admin/sites/{}", site.code)))],
    )
    .await?;
    let ctx = context! {
        site => context! { code => site.code.clone(), name => site.name.clone() },
        items => crate::ser(&items),
        ready => crate::ser(&ready),
        now_input => super::local_input(st.group().now() + 3600),
        done => super::columns::done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/review.html", StatusCode::OK, ctx)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    /// Where to go afterwards: `queue` (the site's queue) or the document.
    #[serde(default)]
    back: String,
    #[serde(default)]
    when: String,
    #[serde(default)]
    at: String,
}

/// After a decision: back to the site's queue when the form came from there.
async fn after(st: &AppState, me: &sitegroup::Actor, id: i64, back: &str, done: &str) -> String {
    if back == "queue"
        && let Ok(doc) = call(st, me, move |g, a| g.document(a, id)).await
        && let Some(site) = st.group().site_tree().ok().and_then(|t| t.get(doc.site).map(|s| s.code.clone()))
    {
        return format!("/admin/review?site={site}&done={done}");
    }
    format!("/admin/docs/{id}?done={done}")
}

pub(crate) async fn approve(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Reply {
    let note = form.note.clone();
    step(&st, &headers, id, &form, &form.back, "approved", move |g, a| g.review_approve(a, &origin(), id, &note)).await
}

pub(crate) async fn reject(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Reply {
    let reason = form.reason.clone();
    step(&st, &headers, id, &form, &form.back, "rejected", move |g, a| g.review_reject(a, &origin(), id, &reason)).await
}

/// One workflow step on document `id` from a decision form: CSRF, session, the library
/// call, then the next page — or the refusal page leading back to the document.
async fn step<T, F>(
    st: &AppState,
    headers: &HeaderMap,
    id: i64,
    form: &DecisionForm,
    back: &str,
    done: &str,
    f: F,
) -> Reply
where
    T: Send + 'static,
    F: FnOnce(&sitegroup::SiteGroup, &sitegroup::Actor) -> Result<T, sitegroup::Error> + Send + 'static,
{
    crate::check_csrf(headers, &form.csrf)?;
    let me = actor(st, headers).await?;
    match call(st, &me, f).await {
        Ok(_) => Ok(see_other(&after(st, &me, id, back, done).await)),
        Err(e) => Err(refuse(st, headers, e, &format!("/admin/docs/{id}")).await),
    }
}

pub(crate) async fn publish(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let back = format!("/admin/docs/{id}");
    let when = if form.when == "at" {
        match super::parse_local(&form.at) {
            Some(t) => PublishAt::At(t),
            None => {
                let e = sitegroup::ValidationError::Malformed { field: "publish_at", reason: form.at.clone() };
                return Err(refuse(&st, &headers, e.into(), &back).await);
            }
        }
    } else {
        PublishAt::Now
    };
    match call(&st, &me, move |g, a| g.publish(a, &origin(), id, when)).await {
        Ok(doc) => {
            let done = if doc.state == DocState::Scheduled { "scheduled" } else { "published" };
            Ok(see_other(&after(&st, &me, id, &form.back, done).await))
        }
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}

pub(crate) async fn withdraw(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Reply {
    let reason = form.reason.clone();
    step(&st, &headers, id, &form, "", "withdrawn", move |g, a| g.withdraw(a, &origin(), id, &reason)).await
}

pub(crate) async fn archive(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Reply {
    step(&st, &headers, id, &form, "", "archived", move |g, a| g.archive(a, &origin(), id)).await
}
