//! 依申请公开 (disclosure requests): the public form through which a citizen or an
//! organisation asks a unit for government information under the Regulations on Open
//! Government Information, beside the letter forms of [`super`].
//!
//! `GET /hudong/ysqgk/new` shows the form (a fresh idempotency key per render, the
//! "do not publish" box ticked by default); `POST` submits it as a ticket of the
//! `disclosure` channel with the applicant kind (申请人类型) the annual report counts.
//! The handling is the letter forms': CSRF token, idempotency key, the per-address
//! limit (its own budget, `disclosure:{addr}`), the body read up to
//! [`super::LETTER_LIMIT`], errors shown next to their fields in Chinese.
//!
//! **Never** decides anything itself: the library validates the request (the applicant
//! kind is required for this channel, a name and a phone or e-mail too) and computes
//! the deadline (20 working days by default, the channel's setting). Text is stored as
//! typed and escaped by the templates.

use std::collections::HashMap;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use sitegroup::interaction::disclosure::ApplicantKind;
use sitegroup::interaction::model::{Channel, NewTicket, Writer};
use sitegroup::{Origin, ValidationError};

use super::{
    Frame, address_key, new_key, rate_alert, read_public_form, submission_errors, unit_options, validation_message,
    with_retry_after,
};
use crate::{AppError, AppState, ClientAddr, run_blocking};

/// Path of the request form (GET shows it, POST submits it).
pub(crate) const PATH: &str = "/hudong/ysqgk/new";

/// Routes of the request form (merged into [`super::routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(form).post(submit))
}

/// What the applicant typed, kept to show the form again.
#[derive(Debug, Clone, Default, Serialize)]
struct RequestInput {
    applicant: String,
    name: String,
    phone: String,
    email: String,
    unit: String,
    subject: String,
    body: String,
    private: bool,
    key: String,
}

impl RequestInput {
    fn from_pairs(pairs: &[(String, String)]) -> RequestInput {
        let f = |n: &str| crate::admin::field(pairs, n).to_string();
        RequestInput {
            applicant: f("applicant"),
            name: f("name"),
            phone: f("phone"),
            email: f("email"),
            unit: f("unit"),
            subject: f("subject"),
            body: f("body"),
            private: !f("private").is_empty(),
            key: f("key"),
        }
    }

    fn to_new(&self) -> NewTicket {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        NewTicket {
            channel: Channel::Disclosure.as_str().into(),
            category: String::new(),
            unit: Some(self.unit.trim().to_string()),
            leader: None,
            writer: Writer { name: opt(&self.name), phone: opt(&self.phone), email: opt(&self.email) },
            subject: self.subject.clone(),
            body: self.body.clone(),
            attachments: vec![],
            private: self.private,
            urgent: false,
            idempotency_key: opt(&self.key),
            // As typed: the library refuses a missing or unknown kind (field `applicant`).
            applicant: opt(&self.applicant),
        }
    }
}

/// An applicant kind offered in the form.
#[derive(Debug, Serialize)]
struct KindOption {
    code: &'static str,
    label: &'static str,
}

/// The form's field and the Chinese message of a validation error; the letter forms'
/// mapping except where a disclosure request words it differently.
fn field_message(st: &AppState, v: &ValidationError) -> (&'static str, String) {
    let field = match v {
        ValidationError::Empty { field } | ValidationError::TooLong { field, .. } => *field,
        ValidationError::Malformed { field, .. } => *field,
        _ => "",
    };
    match (field, v) {
        ("applicant", _) => ("applicant", st.t("ysq.err.applicant")),
        ("writer name", ValidationError::Empty { .. }) => ("name", st.t("ysq.err.name")),
        ("unit", ValidationError::Empty { .. }) => ("unit", st.t("ysq.err.unit")),
        ("body", ValidationError::Empty { .. }) => ("body", st.t("ysq.err.body")),
        _ => validation_message(st, v),
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    input: RequestInput,
    errors: HashMap<&'static str, String>,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let units = unit_options(st).await?;
    let (max_body, days) = run_blocking(st, |g| {
        let s = g.interaction_settings()?;
        let days = s.days.get(&Channel::Disclosure).copied().unwrap_or(Channel::Disclosure.default_days());
        Ok((s.max_body_chars, days))
    })
    .await?;
    let kinds: Vec<KindOption> =
        ApplicantKind::ALL.iter().map(|k| KindOption { code: k.as_str(), label: k.label_zh() }).collect();
    let title = st.t("ysq.title");
    let frame = Frame::new(st, headers, uri, title.clone(), vec![]).await?;
    let ctx = context! {
        title => title,
        intro => st.tf("ysq.intro", &[("days", &days.to_string())]),
        action => PATH,
        input => crate::ser(&input),
        errors => crate::ser(&errors),
        alert => alert,
        units => crate::ser(&units),
        person => crate::ser(&kinds[..1]),
        organisations => crate::ser(&kinds[1..]),
        max_body => max_body,
    };
    frame.render(st, "interaction/disclosure_form.html", status, ctx)
}

async fn form(State(st): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, AppError> {
    let q: HashMap<String, String> =
        uri.query().map(|q| crate::admin::form_pairs(q.as_bytes())).unwrap_or_default().into_iter().collect();
    let input = RequestInput {
        key: new_key()?,
        unit: q.get("unit").cloned().unwrap_or_default(),
        // Requests are not published unless the applicant agrees.
        private: true,
        ..RequestInput::default()
    };
    form_page(&st, &headers, &uri, input, HashMap::new(), None, StatusCode::OK).await
}

async fn submit(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Response, AppError> {
    let pairs = match read_public_form(&st, &headers, &uri, body).await {
        Ok(pairs) => pairs,
        Err(page) => return Ok(page),
    };
    let mut input = RequestInput::from_pairs(&pairs);
    if input.key.trim().is_empty() {
        input.key = new_key()?;
    }
    let limit_key = address_key("disclosure", addr.as_deref());
    if let Some(alert) = rate_alert(&st, &limit_key) {
        let status = StatusCode::TOO_MANY_REQUESTS;
        let res = form_page(&st, &headers, &uri, input, HashMap::new(), Some(alert), status).await?;
        return Ok(with_retry_after(res));
    }
    let new = input.to_new();
    let origin = Origin::web(addr.clone());
    let result = run_blocking(&st, move |g| {
        let s = g.submit_ticket(&origin, &new)?;
        let settings = g.interaction_settings()?;
        let days = settings.days.get(&Channel::Disclosure).copied().unwrap_or(Channel::Disclosure.default_days());
        Ok((s, days))
    })
    .await;
    match result {
        Ok((s, days)) => {
            if !s.replayed {
                st.0.limits.record(&limit_key, Instant::now());
            }
            let title = st.t(if s.replayed { "ix.confirm.replayed_title" } else { "ysq.confirm.title" });
            let frame = Frame::new(&st, &headers, &uri, title.clone(), vec![]).await?;
            let due = s.ticket.due_at.map(|d| crate::shanghai(d, "%Y-%m-%d"));
            let ctx = context! {
                title => title,
                code => s.ticket.query_code.clone(),
                secret => s.secret,
                replayed => s.replayed,
                subject => s.ticket.subject.clone(),
                received => crate::shanghai(s.ticket.received_at, "%Y-%m-%d %H:%M"),
                days => days,
                due => due,
            };
            frame.render(&st, "interaction/disclosure_confirm.html", StatusCode::OK, ctx)
        }
        Err(e) if e.is_user_error() => {
            let (errors, alert) = submission_errors(&st, &e, field_message, "ysq.err.unit");
            form_page(&st, &headers, &uri, input, errors, alert, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
