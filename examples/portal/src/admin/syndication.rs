//! Syndication (信息报送): submitting a published document to another site's column,
//! and the receiving site's inbox (accept, or reject with a reason).

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::{Value, context};
use serde::Deserialize;
use sitegroup::content::SyndicationState;
use sitegroup::{Action, Resource};

use super::{Frame, Reply, actor, call, may, origin, refuse, see_other, site, when};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InboxQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn inbox(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<InboxQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let site = site(&st, &q.site).await?;
    let sid = site.id;
    let (columns, items) = call(&st, &me, move |g, a| {
        // The inbox lists what the actor may see; the columns need the back office.
        let columns = g.columns(a, sid)?;
        let items = g.syndication_inbox(a, sid)?;
        // The source's public revision: its title, and whether it changed since.
        let mut out = Vec::with_capacity(items.len());
        for s in items {
            let source = g.published_document(s.from_site, s.source_doc)?;
            out.push((s, source));
        }
        Ok((columns, out))
    })
    .await?;
    let frame = Frame::new(
        &st,
        &headers,
        st.t("admin.synd.title"),
        vec![(site.display_name().to_string(), Some(format!("/admin/sites/{}", site.code)))],
    )
    .await?;
    let tree = &frame.snap.tree;
    let rows: Vec<Value> = items
        .iter()
        .map(|(s, source)| {
            let from = tree.get(s.from_site);
            context! {
                id => s.id,
                title => source.as_ref().map_or_else(|| format!("#{}", s.source_doc), |d| d.fields.title.clone()),
                source_href => source.as_ref().and(from).map(|f| sitegroup::content::model::doc_url(&tree.path_of(f.id), s.source_doc)),
                source_changed => source.as_ref().is_some_and(|d| d.revision != s.source_rev),
                from => from.map_or_else(|| s.from_site.to_string(), |f| f.display_name().to_string()),
                column => columns.iter().find(|c| c.id == s.to_column).map_or_else(|| format!("#{}", s.to_column), |c| c.name.clone()),
                state => s.state.as_str(),
                state_label => st.t(&format!("admin.synd.state_{}", s.state.as_str())),
                reason => s.reason.clone(),
                copy => s.copy_doc,
                by => s.submitted_by.clone(),
                at => when(s.submitted_at),
                pending => s.state == SyndicationState::Pending,
                may_decide => s.state == SyndicationState::Pending
                    && may(&me, Action::PublishContent, Resource::Column { site: s.to_site, column: s.to_column }),
            }
        })
        .collect();
    let ctx = context! {
        site => context! { code => site.code.clone(), name => site.name.clone() },
        rows => rows,
        done => super::columns::done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/syndication.html", StatusCode::OK, ctx)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to_site: String,
    #[serde(default)]
    to_column: String,
}

pub(crate) async fn submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<SubmitForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let back = format!("/admin/docs/{id}");
    let to = site(&st, &form.to_site).await?.id;
    let Ok(column) = form.to_column.trim().parse::<i64>() else {
        let e = sitegroup::ValidationError::Empty { field: "to_column" };
        return Err(refuse(&st, &headers, e.into(), &back).await);
    };
    match call(&st, &me, move |g, a| g.syndicate(a, &origin(), id, to, column)).await {
        Ok(_) => Ok(see_other(&format!("{back}?done=syndicated"))),
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    site: String,
}

pub(crate) async fn accept(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let back = format!("/admin/syndication?site={}", form.site);
    match call(&st, &me, move |g, a| g.accept_syndication(a, &origin(), id)).await {
        Ok(_) => Ok(see_other(&format!("{back}&done=synd_accepted"))),
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}

pub(crate) async fn reject(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    let back = format!("/admin/syndication?site={}", form.site);
    let reason = form.reason.clone();
    match call(&st, &me, move |g, a| g.reject_syndication(a, &origin(), id, &reason)).await {
        Ok(_) => Ok(see_other(&format!("{back}&done=synd_rejected"))),
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}
