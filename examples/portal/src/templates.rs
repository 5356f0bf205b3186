//! Templates and static assets, embedded in the binary so the portal runs from anywhere.

use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};

use crate::i18n::Catalogue;

/// Every template: (name, source). Names end in `.html`, so minijinja escapes output.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("site.html", include_str!("../templates/site.html")),
    ("closed.html", include_str!("../templates/closed.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("search_list.html", include_str!("../templates/search_list.html")),
    ("admin/search.html", include_str!("../templates/admin/search.html")),
    ("admin.html", include_str!("../templates/admin.html")),
    ("admin/layout.html", include_str!("../templates/admin/layout.html")),
    ("admin/notice.html", include_str!("../templates/admin/notice.html")),
    ("admin/findings.html", include_str!("../templates/admin/findings.html")),
    ("admin/publish_form.html", include_str!("../templates/admin/publish_form.html")),
    ("admin/site.html", include_str!("../templates/admin/site.html")),
    ("admin/columns.html", include_str!("../templates/admin/columns.html")),
    ("admin/docs.html", include_str!("../templates/admin/docs.html")),
    ("admin/editor.html", include_str!("../templates/admin/editor.html")),
    ("admin/doc.html", include_str!("../templates/admin/doc.html")),
    ("admin/review.html", include_str!("../templates/admin/review.html")),
    ("admin/revisions.html", include_str!("../templates/admin/revisions.html")),
    ("admin/compare.html", include_str!("../templates/admin/compare.html")),
    ("admin/syndication.html", include_str!("../templates/admin/syndication.html")),
    ("admin/health.html", include_str!("../templates/admin/health.html")),
    ("admin/group_health.html", include_str!("../templates/admin/group_health.html")),
    ("interaction/index.html", include_str!("../templates/interaction/index.html")),
    ("interaction/message.html", include_str!("../templates/interaction/message.html")),
    ("interaction/form.html", include_str!("../templates/interaction/form.html")),
    ("interaction/confirm.html", include_str!("../templates/interaction/confirm.html")),
    ("interaction/lookup.html", include_str!("../templates/interaction/lookup.html")),
    ("interaction/list.html", include_str!("../templates/interaction/list.html")),
    ("interaction/letter.html", include_str!("../templates/interaction/letter.html")),
    ("admin/tickets.html", include_str!("../templates/admin/tickets.html")),
    ("admin/tickets_forms.html", include_str!("../templates/admin/tickets_forms.html")),
    ("admin/tickets_ticket.html", include_str!("../templates/admin/tickets_ticket.html")),
    ("admin/tickets_urgings.html", include_str!("../templates/admin/tickets_urgings.html")),
    ("admin/tickets_settings.html", include_str!("../templates/admin/tickets_settings.html")),
    ("admin/tickets_report.html", include_str!("../templates/admin/tickets_report.html")),
    ("admin/stats_dashboard.html", include_str!("../templates/admin/stats_dashboard.html")),
    ("admin/selfcheck.html", include_str!("../templates/admin/selfcheck.html")),
    // Surveys (在线调查).
    ("interaction/survey_chart.html", include_str!("../templates/interaction/survey_chart.html")),
    ("interaction/survey_list.html", include_str!("../templates/interaction/survey_list.html")),
    ("interaction/survey_show.html", include_str!("../templates/interaction/survey_show.html")),
    ("interaction/survey_thanks.html", include_str!("../templates/interaction/survey_thanks.html")),
    ("interaction/survey_results.html", include_str!("../templates/interaction/survey_results.html")),
    ("admin/survey_list.html", include_str!("../templates/admin/survey_list.html")),
    ("admin/survey_form.html", include_str!("../templates/admin/survey_form.html")),
    ("admin/survey_edit.html", include_str!("../templates/admin/survey_edit.html")),
    ("admin/survey_show.html", include_str!("../templates/admin/survey_show.html")),
    ("admin/survey_results.html", include_str!("../templates/admin/survey_results.html")),
    // Solicitations (民意征集).
    ("interaction/solicitation_list.html", include_str!("../templates/interaction/solicitation_list.html")),
    ("interaction/solicitation_show.html", include_str!("../templates/interaction/solicitation_show.html")),
    ("interaction/solicitation_thanks.html", include_str!("../templates/interaction/solicitation_thanks.html")),
    ("admin/solicitation_list.html", include_str!("../templates/admin/solicitation_list.html")),
    ("admin/solicitation_form.html", include_str!("../templates/admin/solicitation_form.html")),
    ("admin/solicitation_edit.html", include_str!("../templates/admin/solicitation_edit.html")),
    ("admin/solicitation_show.html", include_str!("../templates/admin/solicitation_show.html")),
    ("admin/solicitation_overdue.html", include_str!("../templates/admin/solicitation_overdue.html")),
    // The forum (论坛).
    ("interaction/forum_index.html", include_str!("../templates/interaction/forum_index.html")),
    ("interaction/forum_board.html", include_str!("../templates/interaction/forum_board.html")),
    ("interaction/forum_thread.html", include_str!("../templates/interaction/forum_thread.html")),
    ("interaction/forum_new.html", include_str!("../templates/interaction/forum_new.html")),
    ("interaction/forum_posted.html", include_str!("../templates/interaction/forum_posted.html")),
    ("admin/forum_macros.html", include_str!("../templates/admin/forum_macros.html")),
    ("admin/forum_queue.html", include_str!("../templates/admin/forum_queue.html")),
    ("admin/forum_threads.html", include_str!("../templates/admin/forum_threads.html")),
    ("admin/forum_thread.html", include_str!("../templates/admin/forum_thread.html")),
    ("admin/forum_boards.html", include_str!("../templates/admin/forum_boards.html")),
    // Online interviews (在线访谈).
    ("interaction/interview_macros.html", include_str!("../templates/interaction/interview_macros.html")),
    ("interaction/interview_index.html", include_str!("../templates/interaction/interview_index.html")),
    ("interaction/interview_show.html", include_str!("../templates/interaction/interview_show.html")),
    ("admin/interview_list.html", include_str!("../templates/admin/interview_list.html")),
    ("admin/interview_form.html", include_str!("../templates/admin/interview_form.html")),
    ("admin/interview_show.html", include_str!("../templates/admin/interview_show.html")),
    ("admin/interview_planning.html", include_str!("../templates/admin/interview_planning.html")),
    // The annual disclosure report (政府信息公开工作年度报告) and disclosure requests (依申请公开).
    ("interaction/disclosure_form.html", include_str!("../templates/interaction/disclosure_form.html")),
    ("interaction/disclosure_confirm.html", include_str!("../templates/interaction/disclosure_confirm.html")),
    ("annual_report_tables.html", include_str!("../templates/annual_report_tables.html")),
    ("annual_report.html", include_str!("../templates/annual_report.html")),
    ("annual_report_list.html", include_str!("../templates/annual_report_list.html")),
    ("admin/annual_report.html", include_str!("../templates/admin/annual_report.html")),
    // Online services (网上办事).
    ("services/home.html", include_str!("../templates/services/home.html")),
    ("services/units.html", include_str!("../templates/services/units.html")),
    ("services/guide.html", include_str!("../templates/services/guide.html")),
    ("services/item.html", include_str!("../templates/services/item.html")),
    ("services/forms.html", include_str!("../templates/services/forms.html")),
    ("services/pager.html", include_str!("../templates/services/pager.html")),
    ("services/qa.html", include_str!("../templates/services/qa.html")),
    ("services/queries.html", include_str!("../templates/services/queries.html")),
    ("services/query.html", include_str!("../templates/services/query.html")),
    ("services/admin_list.html", include_str!("../templates/services/admin_list.html")),
    ("services/admin_item_fields.html", include_str!("../templates/services/admin_item_fields.html")),
    ("services/admin_new.html", include_str!("../templates/services/admin_new.html")),
    ("services/admin_item.html", include_str!("../templates/services/admin_item.html")),
    ("services/admin_qa.html", include_str!("../templates/services/admin_qa.html")),
    ("services/admin_forms.html", include_str!("../templates/services/admin_forms.html")),
    ("services/admin_queries.html", include_str!("../templates/services/admin_queries.html")),
    ("services/admin_query.html", include_str!("../templates/services/admin_query.html")),
    ("services/qa_one.html", include_str!("../templates/services/qa_one.html")),
];

/// A static file served under `/static/`.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// File name under `/static/`.
    pub name: &'static str,
    /// Content-Type header.
    pub content_type: &'static str,
    /// The bytes.
    pub body: &'static [u8],
}

impl Asset {
    /// A short fingerprint of the content (FNV-1a), for cache busting and ETags.
    pub fn fingerprint(&self) -> String {
        let hash =
            self.body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
        format!("{hash:016x}")
    }

    /// The ETag header value.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.fingerprint())
    }
}

/// Every static asset.
pub const ASSETS: &[Asset] = &[
    Asset { name: "style.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../static/style.css") },
    Asset { name: "favicon.svg", content_type: "image/svg+xml", body: include_bytes!("../static/favicon.svg") },
    Asset { name: "admin.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../static/admin.css") },
    Asset {
        name: "admin.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/admin.js"),
    },
    Asset {
        name: "search.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/search.js"),
    },
    Asset {
        name: "interview.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/interview.js"),
    },
];

/// Version string appended to asset URLs: changes whenever an asset changes.
fn asset_version() -> String {
    let joined: String = ASSETS.iter().map(Asset::fingerprint).collect();
    let hash = joined.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{:08x}", hash >> 32)
}

/// The template environment with the `t("key", name=value)` function bound to `catalogue`.
pub fn environment(catalogue: Arc<Catalogue>) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_global("asset_version", asset_version());
    env.add_global("lang", catalogue.lang().to_string());
    env.add_function("t", move |key: &str, kwargs: Kwargs| -> Result<String, Error> {
        let names: Vec<&str> = kwargs.args().collect();
        let mut values = Vec::with_capacity(names.len());
        for name in &names {
            let value: Value = kwargs.get(name)?;
            values.push((*name, value.to_string()));
        }
        let args: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(catalogue.format(key, &args))
    });
    Ok(env)
}
