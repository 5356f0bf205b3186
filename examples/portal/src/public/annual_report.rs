//! 政府信息公开工作年度报告 on a site's public pages: the list of published years and
//! each published report laid out like the national form, with its .xlsx.
//!
//! URLs under the site's prefix: `/xxgk/ndbg` (the list) · `/xxgk/ndbg/{year}` (a
//! report) · `/xxgk/ndbg/{year}.xlsx`. Only **published** reports are shown — the
//! frozen snapshot the library keeps, read through `published_annual_report*`, which
//! take no actor; an unpublished year is a 404. These paths win over a column that
//! might have the same path (the demo's yearly-report column is `/xxgk/gknb`).
//!
//! [`ReportView`] is also what the back office renders (admin/annual_report.rs): the
//! report turned into plain rows with the national form's merged label cells computed
//! here, so the one template `annual_report_tables.html` serves both.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;
use sitegroup::{AnnualReport, Site};

use crate::{AppError, AppState, Crumb, Snapshot, render, run_blocking, ser, shanghai};

/// The path of the report list below a site's prefix.
pub(crate) const PATH: &str = "/xxgk/ndbg";

/// A label cell of part 三, with its merge.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellView {
    text: String,
    rowspan: usize,
    colspan: usize,
}

/// A row of part 三: its label cells (zero to three, the merges of the national form)
/// and the seven counts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequestRowView {
    key: String,
    cells: Vec<CellView>,
    counts: Vec<u64>,
    total: bool,
}

/// A row of 第二十条第（一）项.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocRowView {
    key: &'static str,
    label: String,
    issued: u64,
    repealed: u64,
    in_force: u64,
}

/// The report as the template renders it (`annual_report_tables.html`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReportView {
    pub title: String,
    pub year: i32,
    /// When the standing version was published (Beijing time), if it is.
    pub published: Option<String>,
    overview: Vec<String>,
    problems: Vec<String>,
    other: Vec<String>,
    docs: Vec<DocRowView>,
    licensing: u64,
    penalty: u64,
    enforcement: u64,
    fees_wan: String,
    /// Column headings of part 三 (the six applicant kinds; 总计 is the template's).
    kinds: Vec<String>,
    requests: Vec<RequestRowView>,
    /// Part 四: 行政复议, 未经复议直接起诉, 复议后起诉, five numbers each.
    review: Vec<u64>,
    fee_notices: u64,
    fee_notice_amount: String,
    fee_collected: String,
}

/// Paragraphs of a text entry (blank lines and surrounding space dropped).
fn paragraphs(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// The rows of part 三 with the label cells merged as in the national form: 一、二、四
/// and （七） span the label columns; 三、本年度办理结果 spans the outcome rows; a group
/// (（三）不予公开 …) spans its rows.
fn request_rows(r: &AnnualReport, results_label: &str) -> Vec<RequestRowView> {
    let rows = &r.requests.rows;
    let is_result = |key: &str| !matches!(key, "received" | "carried_over" | "carried_forward");
    let results = rows.iter().filter(|row| is_result(&row.key)).count();
    let mut out = Vec::with_capacity(rows.len());
    let mut first_result = true;
    for (i, row) in rows.iter().enumerate() {
        let mut cells = Vec::new();
        if !is_result(&row.key) {
            cells.push(CellView { text: row.label.clone(), rowspan: 1, colspan: 3 });
        } else {
            if first_result {
                cells.push(CellView { text: results_label.to_string(), rowspan: results, colspan: 1 });
                first_result = false;
            }
            match &row.group {
                None => cells.push(CellView { text: row.label.clone(), rowspan: 1, colspan: 2 }),
                Some(group) => {
                    let starts = i == 0 || rows[i - 1].group.as_ref() != Some(group);
                    if starts {
                        let n = rows[i..].iter().take_while(|x| x.group.as_ref() == Some(group)).count();
                        cells.push(CellView { text: group.clone(), rowspan: n, colspan: 1 });
                    }
                    cells.push(CellView { text: row.label.clone(), rowspan: 1, colspan: 1 });
                }
            }
        }
        out.push(RequestRowView {
            key: row.key.clone(),
            cells,
            counts: row.counts.to_vec(),
            total: row.key == "concluded_total",
        });
    }
    out
}

/// The view of a report for the templates.
pub(crate) fn report_view(st: &AppState, r: &AnnualReport) -> ReportView {
    let p = &r.proactive;
    let e = &r.entries;
    ReportView {
        title: st.tf("ndbg.report_title", &[("site", &r.site_name), ("year", &r.year.to_string())]),
        year: r.year,
        published: r.published_at.map(|t| shanghai(t, "%Y-%m-%d %H:%M")),
        overview: paragraphs(&e.overview),
        problems: paragraphs(&e.problems),
        other: paragraphs(&e.other),
        docs: p
            .documents
            .iter()
            .map(|d| DocRowView {
                key: d.form.as_str(),
                label: d.label.clone(),
                issued: d.made,
                repealed: d.repealed,
                in_force: d.in_force,
            })
            .collect(),
        licensing: p.licensing,
        penalty: p.penalty,
        enforcement: p.enforcement,
        fees_wan: p.fees_wan.to_string(),
        kinds: r.requests.columns.iter().take(6).cloned().collect(),
        requests: request_rows(r, &st.t("ndbg.t3.results")),
        review: r.review.rows.iter().flat_map(|x| [x.upheld, x.corrected, x.other, x.pending, x.total]).collect(),
        fee_notices: e.fee_notices,
        fee_notice_amount: e.fee_notice_amount.to_string(),
        fee_collected: e.fee_collected.to_string(),
    }
}

/// An .xlsx response named after the report (ASCII name plus the Chinese one).
pub(crate) fn xlsx_response(bytes: Vec<u8>, year: i32) -> Response {
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
        bytes,
    )
        .into_response();
    // 政府信息公开工作年度报告-{year}.xlsx
    let disposition = format!(
        "attachment; filename=\"ndbg-{year}.xlsx\"; filename*=UTF-8''%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A-{year}.xlsx"
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// What a path below `/xxgk/ndbg` asks for.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    List,
    Report(i32),
    Xlsx(i32),
}

fn parse_tail(tail: &str) -> Option<Wanted> {
    let tail = tail.strip_prefix('/').unwrap_or(tail);
    if tail.is_empty() {
        return Some(Wanted::List);
    }
    let year = |s: &str| s.parse::<i32>().ok().filter(|_| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()));
    if let Some(y) = tail.strip_suffix(".xlsx") {
        return year(y).map(Wanted::Xlsx);
    }
    year(tail.strip_suffix(".html").unwrap_or(tail)).map(Wanted::Report)
}

/// Serves `rest` (the path below the site's prefix) when it is a report page; `None`
/// when the path is not one.
pub(crate) async fn dispatch(
    st: &AppState,
    snap: &Snapshot,
    site: &Site,
    rest: &str,
) -> Result<Option<Response>, AppError> {
    let Some(tail) = rest.strip_prefix(PATH) else { return Ok(None) };
    if !(tail.is_empty() || tail.starts_with('/')) {
        return Ok(None);
    }
    let Some(wanted) = parse_tail(tail) else { return Ok(None) };
    let prefix = snap.tree.path_of(site.id).trim_end_matches('/').to_string();
    let list_href = format!("{prefix}{PATH}");
    let sid = site.id;
    match wanted {
        Wanted::List => {
            let years = run_blocking(st, move |g| g.published_annual_report_years(sid)).await?;
            let title = st.t("ndbg.pub.title");
            let mut page = snap.page(st, Some(site), title.clone(), true);
            page.breadcrumbs.push(Crumb { name: title.clone(), href: None });
            let years: Vec<minijinja::Value> = years
                .iter()
                .map(|y| {
                    context! {
                        year => y,
                        href => format!("{list_href}/{y}"),
                        title => st.tf("ndbg.pub.year", &[("year", &y.to_string())]),
                    }
                })
                .collect();
            let ctx = context! { page => ser(&page), title => title, years => years };
            render(st, "annual_report_list.html", StatusCode::OK, ctx).map(Some)
        }
        Wanted::Report(year) | Wanted::Xlsx(year) => {
            let report = run_blocking(st, move |g| g.published_annual_report(sid, year)).await?;
            let Some(report) = report else { return Err(AppError::Status(StatusCode::NOT_FOUND)) };
            if matches!(wanted, Wanted::Xlsx(_)) {
                let bytes = report.to_xlsx()?;
                return Ok(Some(xlsx_response(bytes, year)));
            }
            let view = report_view(st, &report);
            let mut page = snap.page(st, Some(site), view.title.clone(), true);
            page.breadcrumbs.push(Crumb { name: st.t("ndbg.pub.title"), href: Some(list_href.clone()) });
            page.breadcrumbs.push(Crumb { name: view.title.clone(), href: None });
            let ctx = context! {
                page => ser(&page),
                xlsx => format!("{list_href}/{year}.xlsx"),
                back => list_href,
                r => ser(&view),
            };
            render(st, "annual_report.html", StatusCode::OK, ctx).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails() {
        assert_eq!(parse_tail(""), Some(Wanted::List));
        assert_eq!(parse_tail("/"), Some(Wanted::List));
        assert_eq!(parse_tail("/2025"), Some(Wanted::Report(2025)));
        assert_eq!(parse_tail("/2025.html"), Some(Wanted::Report(2025)));
        assert_eq!(parse_tail("/2025.xlsx"), Some(Wanted::Xlsx(2025)));
        assert_eq!(parse_tail("/20x5"), None);
        assert_eq!(parse_tail("/99999"), None);
        assert_eq!(parse_tail("/+202"), None);
    }
}
