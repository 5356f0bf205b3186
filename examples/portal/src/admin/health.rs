//! Column health (栏目更新情况): per column last update, duty, overdue days, blank,
//! lapsing soon and owners; per site the blank count, home freshness and the veto items
//! (否决项); for the group an overview across sites.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::{Value, context};
use sitegroup::columns::Veto;
use sitegroup::{Action, Error, Resource, SiteHealth, SiteStatus};

use super::columns::{Done, done_message, duty_label};
use super::{Frame, Reply, actor, call, may, when};
use crate::AppState;

const DAY: i64 = 86_400;

/// A veto item in Chinese.
fn veto_text(st: &AppState, v: &Veto) -> String {
    match v {
        Veto::HomeNotUpdated { days: Some(d) } => st.tf("admin.health.veto_home", &[("days", &d.to_string())]),
        Veto::HomeNotUpdated { days: None } => st.t("admin.health.veto_home_never"),
        Veto::StaleColumns { news, notice } => {
            st.tf("admin.health.veto_stale", &[("news", &news.to_string()), ("notice", &notice.to_string())])
        }
        Veto::ColumnsNotUpdated { count } => st.tf("admin.health.veto_not_updated", &[("count", &count.to_string())]),
        Veto::BlankColumns { count } => st.tf("admin.health.veto_blank", &[("count", &count.to_string())]),
    }
}

pub(crate) async fn site_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<Done>,
) -> Reply {
    let me = actor(&st, &headers).await?;
    let site = super::site(&st, &code).await?;
    let sid = site.id;
    let (health, mut owners) =
        call(&st, &me, move |g, a| Ok((g.column_health(a, sid)?, g.column_owners(a, sid)?))).await?;
    let rows: Vec<Value> = health
        .columns
        .iter()
        .map(|c| {
            let list = owners.remove(&c.column).unwrap_or_default();
            context! {
                id => c.column,
                name => c.name.clone(),
                path => c.path.clone(),
                depth => c.path.matches('/').count().saturating_sub(1),
                duty => duty_label(&st, c.duty),
                last => c.last_published_at.map(when),
                due => c.due_at.map(when),
                overdue_days => c.overdue_days,
                lapses_days => c.lapses_in_seconds.map(|s| (s + DAY - 1) / DAY),
                blank => c.blank,
                counted => c.counted,
                ended => c.ended,
                total => c.published_total,
                owners => list.iter().map(|o| match &o.phone {
                    Some(p) => format!("{}（{p}）", o.name),
                    None => o.name.clone(),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let vetoes: Vec<String> = health.vetoes.iter().map(|v| veto_text(&st, v)).collect();
    let frame = Frame::new(
        &st,
        &headers,
        st.t("admin.health.title"),
        vec![(site.display_name().to_string(), Some(format!("/admin/sites/{}", site.code)))],
    )
    .await?;
    let ctx = context! {
        site => context! { code => site.code.clone(), name => site.name.clone() },
        rows => rows,
        summary => summary(&health),
        vetoes => vetoes,
        now => when(health.now),
        rate => context! {
            min => health.rate.min_daily_rate,
            window => health.rate.window_days,
            required => health.rate.required,
            published => health.rate.published,
            met => health.rate.met,
        },
        may_rate => may(&me, Action::ManageColumns, Resource::Site(sid)),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/health.html", StatusCode::OK, ctx)
}

fn summary(h: &SiteHealth) -> Value {
    context! {
        blank => h.blank_count,
        stale_news => h.stale_news,
        stale_notice => h.stale_notice,
        not_updated => h.not_updated,
        latest => h.latest_published_at.map(when),
        home_days => h.home_age_seconds.map(|s| s / DAY),
        home_stale => h.vetoes.iter().any(|v| matches!(v, Veto::HomeNotUpdated { .. })),
        vetoes => h.vetoes.len(),
        columns => h.columns.len(),
    }
}

/// The group overview: every open site's figures, worst first.
pub(crate) async fn group_page(State(st): State<AppState>, headers: HeaderMap) -> Reply {
    let me = actor(&st, &headers).await?;
    // Group-wide figures are for those with the group's back office.
    sitegroup::authorize(&me, Action::ViewBackOffice, &Resource::Group).map_err(Error::from)?;
    let mut sites = call(&st, &me, move |g, a| {
        let mut out = Vec::new();
        for s in g.sites_for(a)?.into_iter().filter(|s| s.status == SiteStatus::Open) {
            match g.column_health(a, s.id) {
                Ok(h) => out.push((s, h)),
                Err(Error::Denied(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    })
    .await?;
    sites.sort_by_key(|(s, h)| (std::cmp::Reverse(h.vetoes.len()), std::cmp::Reverse(h.blank_count), s.code.clone()));
    let rows: Vec<Value> = sites
        .iter()
        .map(|(s, h)| {
            context! {
                code => s.code.clone(),
                name => s.display_name().to_string(),
                summary => summary(h),
                vetoes => h.vetoes.iter().map(|v| veto_text(&st, v)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let failing = sites.iter().filter(|(_, h)| !h.vetoes.is_empty()).count();
    let frame = Frame::new(&st, &headers, st.t("admin.health.group_title"), vec![]).await?;
    let ctx = context! { rows => rows, failing => failing, total => sites.len() };
    frame.render(&st, "admin/group_health.html", StatusCode::OK, ctx)
}
