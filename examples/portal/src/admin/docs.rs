//! Documents: the list per site and column, the editor (rich text over a plain
//! `<textarea>`), attachments, a document's page with its workflow actions, submitting,
//! revisions and their comparison.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use sitegroup::content::Attachment;
use sitegroup::content::compare::LineTag;
use sitegroup::content::model::{DisclosureMeta, DocumentForm, PhotoImage, Validity};
use sitegroup::{Action, Column, DocInput, DocKind, DocState, Document, Error, Resource};

use super::columns::{Done, done_message};
use super::{
    EDITOR_LIMIT, Fail, FindingRow, Frame, Reply, UPLOAD_LIMIT, actor, call, field, finding_rows, may, message,
    multipart, origin, read_body, refuse, see_other, site, when,
};
use crate::AppState;

/// Kinds an editor may create from the form.
const KINDS: [&str; 6] = ["article", "photo", "video", "file", "link", "disclosure"];

/// A state's Chinese label.
pub(crate) fn state_label(st: &AppState, s: DocState) -> String {
    st.t(&format!("admin.state.{}", s.as_str()))
}

#[derive(Debug, Serialize)]
pub(crate) struct DocRow {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub state: &'static str,
    pub state_label: String,
    pub column: String,
    pub updated: String,
    pub scheduled: Option<String>,
}

pub(crate) fn doc_row(st: &AppState, d: &Document, columns: &[Column]) -> DocRow {
    DocRow {
        id: d.id,
        title: d.fields.title.clone(),
        kind: st.t(&format!("admin.dkind.{}", d.fields.kind.name())),
        state: d.state.as_str(),
        state_label: state_label(st, d.state),
        column: columns.iter().find(|c| c.id == d.column).map_or_else(|| format!("#{}", d.column), |c| c.name.clone()),
        updated: when(d.updated_at),
        scheduled: d.scheduled_at.map(when),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

pub(crate) async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Reply {
    let me = actor(&st, &headers).await?;
    let site = site(&st, &code).await?;
    let sid = site.id;
    let column = q.column.as_deref().and_then(|c| c.trim().parse::<i64>().ok());
    let state = q.state.as_deref().and_then(DocState::parse);
    let states: Vec<DocState> = state.into_iter().collect();
    let (columns, docs) =
        call(&st, &me, move |g, a| Ok((g.columns(a, sid)?, g.documents(a, sid, column, &states)?))).await?;
    let rows: Vec<DocRow> = docs.iter().take(500).map(|d| doc_row(&st, d, &columns)).collect();
    let column_opts: Vec<(i64, String, bool)> = columns
        .iter()
        .filter(|c| c.is_live() && c.kind().holds_documents())
        .map(|c| (c.id, format!("{}{}", "　".repeat(c.depth().saturating_sub(1)), c.name), Some(c.id) == column))
        .collect();
    let states: Vec<(&str, String, bool)> =
        DocState::ALL.iter().map(|s| (s.as_str(), state_label(&st, *s), Some(*s) == state)).collect();
    let may_new = column.is_some_and(|c| may(&me, Action::EditDraft, Resource::Column { site: sid, column: c }));
    let frame = Frame::new(
        &st,
        &headers,
        st.t("admin.docs.title"),
        vec![(site.display_name().to_string(), Some(format!("/admin/sites/{}", site.code)))],
    )
    .await?;
    let ctx = context! {
        site => context! { code => site.code.clone(), name => site.name.clone() },
        rows => crate::ser(&rows),
        total => docs.len(),
        columns => column_opts,
        states => states,
        column => column,
        may_new => may_new,
        kinds => KINDS.iter().map(|k| (*k, st.t(&format!("admin.dkind.{k}")))).collect::<Vec<_>>(),
    };
    frame.render(&st, "admin/docs.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// The editor.

/// What the editor form shows (typed values on a re-render after an error).
#[derive(Debug, Default, Serialize)]
struct EditorValues {
    kind: String,
    title: String,
    subtitle: String,
    source: String,
    author: String,
    display_time: String,
    summary: String,
    body: String,
    tags: String,
    organ: String,
    doc_number: String,
    category: String,
    validity: String,
    /// 文件类型 (`rule`, `normative`, `other`) and 废止日期 (`YYYY-MM-DD`) of a disclosure item.
    form: String,
    repealed_on: String,
    link_url: String,
    video_url: String,
    attachments: Vec<AttachmentRow>,
    images: Vec<ImageRow>,
}

#[derive(Debug, Serialize)]
struct AttachmentRow {
    key: String,
    name: String,
    size: String,
}

#[derive(Debug, Serialize)]
struct ImageRow {
    key: String,
    caption: String,
}

fn size_label(n: u64) -> String {
    if n >= 1024 * 1024 { format!("{:.1} MB", n as f64 / 1_048_576.0) } else { format!("{} KB", n.div_ceil(1024)) }
}

fn values_of(doc: &Document) -> EditorValues {
    let f = &doc.fields;
    let mut v = EditorValues {
        kind: f.kind.name().to_string(),
        title: f.title.clone(),
        subtitle: f.subtitle.clone().unwrap_or_default(),
        source: f.source.clone().unwrap_or_default(),
        author: f.author.clone().unwrap_or_default(),
        display_time: f.display_time.map(super::local_input).unwrap_or_default(),
        summary: f.summary.clone(),
        body: f.body_html.clone(),
        tags: f.tags.join("，"),
        attachments: f
            .attachments
            .iter()
            .map(|a| AttachmentRow { key: a.key.clone(), name: a.name.clone(), size: size_label(a.size) })
            .collect(),
        ..EditorValues::default()
    };
    match &f.kind {
        DocKind::Disclosure(m) => {
            v.organ = m.organ.clone();
            v.doc_number = m.doc_number.clone().unwrap_or_default();
            v.category = m.category.clone();
            v.validity = m.validity.as_str().to_string();
            v.form = m.form.as_str().to_string();
            v.repealed_on = m.repealed_on.clone().unwrap_or_default();
        }
        DocKind::Link { url } => v.link_url = url.clone(),
        DocKind::Video { url, .. } => v.video_url = url.clone().unwrap_or_default(),
        DocKind::Photo { images } => {
            v.images = images.iter().map(|i| ImageRow { key: i.key.clone(), caption: i.caption.clone() }).collect();
        }
        _ => {}
    }
    v
}

fn values_of_form(pairs: &[(String, String)], kind: &str, doc: Option<&Document>) -> EditorValues {
    let mut v = doc.map(values_of).unwrap_or_default();
    v.kind = kind.to_string();
    for (name, slot) in [
        ("title", &mut v.title),
        ("subtitle", &mut v.subtitle),
        ("source", &mut v.source),
        ("author", &mut v.author),
        ("display_time", &mut v.display_time),
        ("summary", &mut v.summary),
        ("body", &mut v.body),
        ("tags", &mut v.tags),
        ("organ", &mut v.organ),
        ("doc_number", &mut v.doc_number),
        ("category", &mut v.category),
        ("validity", &mut v.validity),
        ("form", &mut v.form),
        ("repealed_on", &mut v.repealed_on),
        ("link_url", &mut v.link_url),
        ("video_url", &mut v.video_url),
    ] {
        *slot = field(pairs, name).to_string();
    }
    v
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Tags typed with any of the usual separators (，、；, ; and spaces).
fn tags(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The document the editor form describes. `doc` is the stored document when editing:
/// its kind stays, its files (attachments, images, video file, cover) are kept unless
/// ticked for removal.
fn input_of(pairs: &[(String, String)], kind: &str, doc: Option<&Document>) -> Result<DocInput, Error> {
    let malformed =
        |field: &'static str, reason: &str| sitegroup::ValidationError::Malformed { field, reason: reason.to_string() };
    let removed: Vec<&str> = pairs.iter().filter(|(k, _)| k == "remove").map(|(_, v)| v.as_str()).collect();
    let kind = match kind {
        "article" => DocKind::Article,
        "file" => DocKind::File,
        "link" => DocKind::Link { url: field(pairs, "link_url").trim().to_string() },
        "video" => {
            let (file, poster) = match doc.map(|d| &d.fields.kind) {
                Some(DocKind::Video { file, poster, .. }) => (file.clone(), poster.clone()),
                _ => (None, None),
            };
            DocKind::Video { file, url: opt(field(pairs, "video_url")), poster }
        }
        "photo" => {
            let old = match doc.map(|d| &d.fields.kind) {
                Some(DocKind::Photo { images }) => images.clone(),
                _ => vec![],
            };
            let images = old
                .into_iter()
                .enumerate()
                .filter(|(_, img)| !removed.contains(&img.key.as_str()))
                .map(|(i, img)| {
                    let caption = pairs
                        .iter()
                        .find(|(k, _)| *k == format!("caption_{i}"))
                        .map_or(img.caption.clone(), |(_, v)| v.trim().to_string());
                    PhotoImage { caption, ..img }
                })
                .collect();
            DocKind::Photo { images }
        }
        "disclosure" => DocKind::Disclosure(DisclosureMeta {
            organ: field(pairs, "organ").to_string(),
            doc_number: opt(field(pairs, "doc_number")),
            category: field(pairs, "category").to_string(),
            validity: match field(pairs, "validity") {
                "amended" => Validity::Amended,
                "repealed" => Validity::Repealed,
                _ => Validity::InForce,
            },
            // Not chosen is `other`; anything else must be a known form.
            form: match field(pairs, "form").trim() {
                "" => DocumentForm::Other,
                f => DocumentForm::parse(f).ok_or_else(|| malformed("form", f))?,
            },
            // The library checks the date and drops it unless the item is repealed.
            repealed_on: opt(field(pairs, "repealed_on")),
        }),
        _ => return Err(malformed("kind", kind).into()),
    };
    let display_time = match opt(field(pairs, "display_time")) {
        None => None,
        Some(s) => Some(super::parse_local(&s).ok_or_else(|| malformed("display_time", &s))?),
    };
    let attachments: Vec<Attachment> = doc
        .map(|d| d.fields.attachments.iter().filter(|a| !removed.contains(&a.key.as_str())).cloned().collect())
        .unwrap_or_default();
    Ok(DocInput {
        kind,
        title: field(pairs, "title").to_string(),
        subtitle: opt(field(pairs, "subtitle")),
        source: opt(field(pairs, "source")),
        author: opt(field(pairs, "author")),
        display_time,
        summary: opt(field(pairs, "summary")),
        body_html: field(pairs, "body").to_string(),
        cover: doc.and_then(|d| d.fields.cover.clone()).filter(|c| !removed.contains(&c.as_str())),
        attachments,
        tags: tags(field(pairs, "tags")),
    })
}

/// The Chinese message of a refused editor form: the disclosure fields' own wording,
/// the back office's for everything else.
fn editor_message(st: &AppState, e: &Error) -> String {
    use sitegroup::ValidationError as V;
    let v = match e {
        Error::Invalid(v) | Error::Content(sitegroup::content::ContentError::Invalid(v)) => Some(v),
        _ => None,
    };
    match v {
        Some(V::Malformed { field: "repealed_on", .. } | V::TooLong { field: "repealed_on", .. }) => {
            st.t("ndbg.err.repealed_on")
        }
        Some(V::Malformed { field: "form", .. }) => st.t("ndbg.err.form"),
        _ => message(st, e),
    }
}

/// Where a document lives, for the editor's heading and links.
#[derive(Debug, Serialize)]
struct Place {
    site_code: String,
    site_name: String,
    column_id: i64,
    column_name: String,
}

struct EditorPage {
    doc: Option<Document>,
    place: Place,
    values: EditorValues,
    error: Option<String>,
    findings: Vec<FindingRow>,
    done: Option<String>,
    status: StatusCode,
}

async fn render_editor(st: &AppState, headers: &HeaderMap, me: &sitegroup::Actor, e: EditorPage) -> Reply {
    let title = match &e.doc {
        Some(d) => st.tf("admin.editor.edit_title", &[("title", &d.fields.title)]),
        None => st.t("admin.editor.new_title"),
    };
    let frame = Frame::new(
        st,
        headers,
        title,
        vec![
            (e.place.site_name.clone(), Some(format!("/admin/sites/{}", e.place.site_code))),
            (
                e.place.column_name.clone(),
                Some(format!("/admin/sites/{}/docs?column={}", e.place.site_code, e.place.column_id)),
            ),
        ],
    )
    .await?;
    let action = match &e.doc {
        Some(d) => format!("/admin/docs/{}/edit", d.id),
        None => format!("/admin/docs/new?site={}&column={}", e.place.site_code, e.place.column_id),
    };
    let doc = e.doc.as_ref().map(|d| {
        context! {
            id => d.id,
            state => d.state.as_str(),
            state_label => state_label(st, d.state),
            body_html => d.fields.body_html.clone(),
            may_submit => d.state == DocState::Draft
                && may(me, Action::SubmitForReview, Resource::Column { site: d.site, column: d.column }),
        }
    });
    let ctx = context! {
        doc => doc,
        place => crate::ser(&e.place),
        v => crate::ser(&e.values),
        action => action,
        error => e.error,
        findings => crate::ser(e.findings),
        done => e.done,
        kinds => KINDS.iter().map(|k| (*k, st.t(&format!("admin.dkind.{k}")))).collect::<Vec<_>>(),
        validities => ["in_force", "amended", "repealed"].iter().map(|k| (*k, st.t(&format!("admin.validity.{k}")))).collect::<Vec<_>>(),
        forms => DocumentForm::ALL.iter().map(|f| (f.as_str(), f.label_zh())).collect::<Vec<_>>(),
        editor_limit_mb => EDITOR_LIMIT / (1024 * 1024),
        upload_limit_mb => UPLOAD_LIMIT / (1024 * 1024),
    };
    frame.render(st, "admin/editor.html", e.status, ctx)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    column: String,
    #[serde(default)]
    kind: Option<String>,
}

async fn place_of(st: &AppState, me: &sitegroup::Actor, code: &str, column: &str) -> Result<(Place, i64), Fail> {
    let site = site(st, code).await?;
    let sid = site.id;
    let Ok(column) = column.trim().parse::<i64>() else {
        return Err(Fail::from(crate::AppError::Status(StatusCode::NOT_FOUND)));
    };
    let col = call(st, me, move |g, a| g.column(a, sid, column)).await?;
    Ok((
        Place {
            site_code: site.code.clone(),
            site_name: site.display_name().to_string(),
            column_id: col.id,
            column_name: col.name.clone(),
        },
        sid.0,
    ))
}

pub(crate) async fn new_form(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<NewQuery>) -> Reply {
    let me = actor(&st, &headers).await?;
    let (place, sid) = place_of(&st, &me, &q.site, &q.column).await?;
    // Writing needs EditDraft on the column: ask the library's one permission function.
    sitegroup::authorize(
        &me,
        Action::EditDraft,
        &Resource::Column { site: sitegroup::SiteId(sid), column: place.column_id },
    )
    .map_err(Error::from)?;
    let kind = q.kind.filter(|k| KINDS.contains(&k.as_str())).unwrap_or_else(|| "article".into());
    let values = EditorValues { kind, validity: "in_force".into(), form: "other".into(), ..EditorValues::default() };
    render_editor(
        &st,
        &headers,
        &me,
        EditorPage { doc: None, place, values, error: None, findings: vec![], done: None, status: StatusCode::OK },
    )
    .await
}

pub(crate) async fn save_new(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
    body: Body,
) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, EDITOR_LIMIT, "admin.err.editor_large").await?;
    let me = actor(&st, &headers).await?;
    let (place, sid) = place_of(&st, &me, &q.site, &q.column).await?;
    let kind = field(&pairs, "kind").to_string();
    let column = place.column_id;
    let then_submit = field(&pairs, "then") == "submit";
    let p2 = pairs.clone();
    let k2 = kind.clone();
    let result = call(&st, &me, move |g, a| {
        let input = input_of(&p2, &k2, None)?;
        g.create_draft(a, &super::origin(), sitegroup::SiteId(sid), column, &input)
    })
    .await;
    match result {
        Ok(doc) if then_submit => submit_now(&st, &headers, &me, doc.id).await,
        Ok(doc) => Ok(see_other(&format!("/admin/docs/{}/edit?done=saved", doc.id))),
        Err(e @ (Error::Session(_) | Error::Disabled | Error::Denied(_) | Error::NotFound { .. })) => Err(e.into()),
        Err(e) if !e.is_user_error() => Err(e.into()),
        Err(e) => {
            let values = values_of_form(&pairs, &kind, None);
            let error = Some(editor_message(&st, &e));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_editor(
                &st,
                &headers,
                &me,
                EditorPage { doc: None, place, values, error, findings: vec![], done: None, status },
            )
            .await
        }
    }
}

async fn load_doc(st: &AppState, me: &sitegroup::Actor, id: i64) -> Result<(Document, Place), Fail> {
    let (doc, site, col) = call(st, me, move |g, a| {
        let doc = g.document(a, id)?;
        let tree = g.site_tree()?;
        let site = tree.get(doc.site).cloned().ok_or(Error::NotFound { what: "site", key: doc.site.to_string() })?;
        let col = g.column(a, doc.site, doc.column).map(|c| c.name).unwrap_or_else(|_| format!("#{}", doc.column));
        Ok((doc, site, col))
    })
    .await?;
    let place = Place {
        site_code: site.code.clone(),
        site_name: site.display_name().to_string(),
        column_id: doc.column,
        column_name: col,
    };
    Ok((doc, place))
}

pub(crate) async fn edit_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Reply {
    let me = actor(&st, &headers).await?;
    let (doc, place) = load_doc(&st, &me, id).await?;
    let values = values_of(&doc);
    let done = done_message(&st, q.done.as_deref());
    render_editor(
        &st,
        &headers,
        &me,
        EditorPage { doc: Some(doc), place, values, error: None, findings: vec![], done, status: StatusCode::OK },
    )
    .await
}

pub(crate) async fn save_edit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Body,
) -> Reply {
    let pairs = crate::admin::read_form(&st, &headers, body, EDITOR_LIMIT, "admin.err.editor_large").await?;
    let me = actor(&st, &headers).await?;
    let (doc, place) = load_doc(&st, &me, id).await?;
    let kind = doc.fields.kind.name().to_string();
    let then_submit = field(&pairs, "then") == "submit";
    let (p2, k2, d2) = (pairs.clone(), kind.clone(), doc.clone());
    let result = call(&st, &me, move |g, a| {
        let input = input_of(&p2, &k2, Some(&d2))?;
        g.update_draft(a, &super::origin(), id, &input)
    })
    .await;
    match result {
        Ok(doc) if then_submit => submit_now(&st, &headers, &me, doc.id).await,
        Ok(_) => Ok(see_other(&format!("/admin/docs/{id}/edit?done=saved"))),
        Err(e @ (Error::Session(_) | Error::Disabled | Error::Denied(_) | Error::NotFound { .. })) => Err(e.into()),
        Err(e) if !e.is_user_error() => Err(e.into()),
        Err(e) => {
            let values = values_of_form(&pairs, &kind, Some(&doc));
            let error = Some(editor_message(&st, &e));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_editor(
                &st,
                &headers,
                &me,
                EditorPage { doc: Some(doc), place, values, error, findings: vec![], done: None, status },
            )
            .await
        }
    }
}

/// Submits for review; blocking findings are shown in Chinese on the editor.
async fn submit_now(st: &AppState, headers: &HeaderMap, me: &sitegroup::Actor, id: i64) -> Reply {
    match call(st, me, move |g, a| g.submit(a, &origin(), id)).await {
        Ok(_) => Ok(see_other(&format!("/admin/docs/{id}?done=submitted"))),
        Err(Error::Blocked(findings)) => {
            let (doc, place) = load_doc(st, me, id).await?;
            let values = values_of(&doc);
            render_editor(
                st,
                headers,
                me,
                EditorPage {
                    doc: Some(doc),
                    place,
                    values,
                    error: Some(st.t("admin.err.blocked")),
                    findings: finding_rows(st, &findings),
                    done: None,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
            )
            .await
        }
        Err(e) => Err(refuse(st, headers, e, &format!("/admin/docs/{id}")).await),
    }
}

pub(crate) async fn submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::extract::Form(form): axum::extract::Form<super::columns::PlainForm>,
) -> Reply {
    crate::check_csrf(&headers, &form.csrf)?;
    let me = actor(&st, &headers).await?;
    submit_now(&st, &headers, &me, id).await
}

// ---------------------------------------------------------------------------------
// Attachments.

pub(crate) async fn upload(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, body: Body) -> Reply {
    let bytes = read_body(&st, &headers, body, UPLOAD_LIMIT, "admin.err.upload_large").await?;
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let parts = multipart::boundary(ctype).and_then(|b| multipart::parse(&b, &bytes));
    let Some(parts) = parts else {
        return Err(Fail::from(crate::AppError::Status(StatusCode::BAD_REQUEST)));
    };
    let csrf = parts.iter().find(|p| p.name == "csrf").map(multipart::Part::text).unwrap_or_default();
    crate::check_csrf(&headers, &csrf)?;
    let me = actor(&st, &headers).await?;
    let files: Vec<(String, axum::body::Bytes)> = parts
        .into_iter()
        .filter(|p| p.name == "file")
        .filter_map(|p| p.filename.filter(|n| !n.trim().is_empty()).map(|n| (n, p.data)))
        .collect();
    let back = format!("/admin/docs/{id}/edit");
    if files.is_empty() {
        let e = sitegroup::ValidationError::Empty { field: "file" };
        return Err(refuse(&st, &headers, e.into(), &back).await);
    }
    let result = call(&st, &me, move |g, a| {
        let doc = g.document(a, id)?;
        let mut input = input_from_fields(&doc);
        for (name, data) in &files {
            // Browsers may send a path (`C:\fakepath\…`): keep the last segment.
            let name = name.rsplit(['/', '\\']).next().unwrap_or(name).trim().to_string();
            let up = g.upload(a, doc.site, doc.column, &name, data)?;
            match (&mut input.kind, &up.thumb) {
                (DocKind::Photo { images }, Some(thumb)) => images.push(PhotoImage {
                    key: up.file.key.clone(),
                    caption: name.rsplit_once('.').map_or(name.clone(), |(stem, _)| stem.to_string()),
                    thumb: Some(thumb.clone()),
                }),
                _ => input.attachments.push(Attachment { key: up.file.key.clone(), name, size: up.file.size }),
            }
        }
        g.update_draft(a, &origin(), id, &input)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/admin/docs/{id}/edit?done=uploaded"))),
        Err(e) => Err(refuse(&st, &headers, e, &back).await),
    }
}

/// The input that saves a document's working revision unchanged (plus what is added).
fn input_from_fields(doc: &Document) -> DocInput {
    let f = &doc.fields;
    DocInput {
        kind: f.kind.clone(),
        title: f.title.clone(),
        subtitle: f.subtitle.clone(),
        source: f.source.clone(),
        author: f.author.clone(),
        display_time: f.display_time,
        summary: Some(f.summary.clone()),
        body_html: f.body_html.clone(),
        cover: f.cover.clone(),
        attachments: f.attachments.clone(),
        tags: f.tags.clone(),
    }
}

// ---------------------------------------------------------------------------------
// A document's page.

#[derive(Debug, Serialize)]
struct ReviewRow {
    approved: bool,
    reviewer: String,
    note: String,
    at: String,
    revision: i64,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    to_site: Option<String>,
}

pub(crate) async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Reply {
    let me = actor(&st, &headers).await?;
    let (doc, place) = load_doc(&st, &me, id).await?;
    let to_site = q.to_site.filter(|s| !s.trim().is_empty());
    let (reviews, revisions, targets) = call(&st, &me, move |g, a| {
        let reviews = g.reviews(a, id)?;
        let revisions = g.revisions(a, id)?;
        // Columns of the site chosen for a syndication (its public navigation).
        let targets = match to_site {
            Some(code) => {
                let s = g.site(&code)?;
                let cols = g.public_columns(s.id)?;
                Some((s, cols.into_iter().filter(|c| c.kind().holds_documents()).collect::<Vec<_>>()))
            }
            None => None,
        };
        Ok((reviews, revisions, targets))
    })
    .await?;
    let findings = revisions.iter().find(|r| r.id == doc.current_rev).map(|r| finding_rows(&st, &r.findings));
    let frame = Frame::new(
        &st,
        &headers,
        doc.fields.title.clone(),
        vec![
            (place.site_name.clone(), Some(format!("/admin/sites/{}", place.site_code))),
            (
                place.column_name.clone(),
                Some(format!("/admin/sites/{}/docs?column={}", place.site_code, place.column_id)),
            ),
        ],
    )
    .await?;
    let public = doc.published_rev.is_some() && !matches!(doc.state, DocState::Withdrawn | DocState::Archived);
    let public_href = frame
        .snap
        .tree
        .get(doc.site)
        .map(|s| sitegroup::content::model::doc_url(&frame.snap.tree.path_of(s.id), doc.id));
    let sites: Vec<(String, String)> = frame
        .snap
        .tree
        .sites()
        .iter()
        .filter(|s| s.id != doc.site && s.status == sitegroup::SiteStatus::Open)
        .map(|s| (s.code.clone(), s.display_name().to_string()))
        .collect();
    let col = Resource::Column { site: doc.site, column: doc.column };
    let f = &doc.fields;
    let ctx = context! {
        doc => context! {
            id => doc.id,
            title => f.title.clone(),
            subtitle => f.subtitle.clone(),
            source => f.source.clone(),
            author => f.author.clone(),
            summary => f.summary.clone(),
            kind => st.t(&format!("admin.dkind.{}", f.kind.name())),
            disclosure => f.kind.disclosure().map(|m| context! {
                organ => m.organ.clone(),
                doc_number => m.doc_number.clone(),
                category => m.category.clone(),
                validity => st.t(&format!("admin.validity.{}", m.validity.as_str())),
            }),
            tags => f.tags.clone(),
            attachments => f.attachments.iter().map(|a| (a.name.clone(), size_label(a.size))).collect::<Vec<_>>(),
            body_html => f.body_html.clone(),
            state => doc.state.as_str(),
            state_label => state_label(&st, doc.state),
            index_number => doc.index_number.clone(),
            display_time => f.display_time.map(when),
            published_at => doc.published_at.map(when),
            scheduled_at => doc.scheduled_at.map(when),
            date_flag_days => doc.date_flag_days,
            source_link => doc.source.as_ref().map(|s| context! { doc => s.doc, changed => s.changed }),
            updated => when(doc.updated_at),
        },
        place => crate::ser(&place),
        public => public,
        public_href => public_href,
        findings => findings.map(crate::ser),
        reviews => crate::ser(reviews.iter().map(|r| ReviewRow {
            approved: r.approved,
            reviewer: r.reviewer.clone(),
            note: r.note.clone(),
            at: when(r.at),
            revision: r.revision,
        }).collect::<Vec<_>>()),
        revisions => revisions.len(),
        may_edit => doc.state != DocState::Archived && may(&me, Action::EditDraft, col),
        may_submit => doc.state == DocState::Draft && may(&me, Action::SubmitForReview, col),
        may_review => doc.state == DocState::Submitted && may(&me, Action::ReviewContent, col),
        may_publish => matches!(doc.state, DocState::Reviewed | DocState::Scheduled) && may(&me, Action::PublishContent, col),
        may_withdraw => doc.state == DocState::Published && may(&me, Action::PublishContent, col),
        may_archive => matches!(doc.state, DocState::Published | DocState::Withdrawn) && may(&me, Action::PublishContent, col),
        may_syndicate => public && may(&me, Action::SubmitForReview, col),
        sites => sites,
        target => targets.map(|(s, cols)| context! {
            code => s.code.clone(),
            name => s.display_name().to_string(),
            columns => cols.iter().map(|c| (c.id, c.path.clone(), c.name.clone())).collect::<Vec<_>>(),
        }),
        now_input => super::local_input(st.group().now() + 3600),
        done => done_message(&st, q.done.as_deref()),
    };
    frame.render(&st, "admin/doc.html", StatusCode::OK, ctx)
}

// ---------------------------------------------------------------------------------
// Revisions.

pub(crate) async fn revisions(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Reply {
    let me = actor(&st, &headers).await?;
    let (doc, place) = load_doc(&st, &me, id).await?;
    let revs = call(&st, &me, move |g, a| g.revisions(a, id)).await?;
    let rows: Vec<Value> = revs
        .iter()
        .rev()
        .map(|r| {
            context! {
                id => r.id,
                number => r.number,
                title => r.fields.title.clone(),
                author => r.author.clone(),
                at => when(r.created_at),
                current => r.id == doc.current_rev,
                public => Some(r.id) == doc.published_rev,
                reviewed => Some(r.id) == doc.reviewed_rev,
            }
        })
        .collect();
    let newest = revs.last().map(|r| r.id);
    let previous = revs.len().checked_sub(2).and_then(|i| revs.get(i)).map(|r| r.id);
    let frame = Frame::new(
        &st,
        &headers,
        st.t("admin.rev.title"),
        vec![
            (place.site_name.clone(), Some(format!("/admin/sites/{}", place.site_code))),
            (doc.fields.title.clone(), Some(format!("/admin/docs/{id}"))),
        ],
    )
    .await?;
    let ctx = context! { doc_id => id, rows => rows, newest => newest, previous => previous };
    frame.render(&st, "admin/revisions.html", StatusCode::OK, ctx)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompareQuery {
    #[serde(default)]
    a: Option<i64>,
    #[serde(default)]
    b: Option<i64>,
}

pub(crate) async fn compare(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<CompareQuery>,
) -> Reply {
    let me = actor(&st, &headers).await?;
    let (doc, place) = load_doc(&st, &me, id).await?;
    let (Some(a), Some(b)) = (q.a, q.b) else {
        return Ok(see_other(&format!("/admin/docs/{id}/revisions")));
    };
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let (cmp, revs) = call(&st, &me, move |g, actor| Ok((g.compare(actor, a, b)?, g.revisions(actor, id)?))).await?;
    // The revisions must be this document's (compare checks they share one).
    if !revs.iter().any(|r| r.id == a) {
        return Err(Fail::from(crate::AppError::Status(StatusCode::NOT_FOUND)));
    }
    let number = |rid: i64| revs.iter().find(|r| r.id == rid).map_or(0, |r| r.number);
    let fields: Vec<Value> = cmp
        .fields
        .iter()
        .filter(|f| f.field != "body_text")
        .map(|f| {
            let key = format!("admin.field.{}", f.field);
            let label = if st.catalogue().has(&key) { st.t(&key) } else { f.field.clone() };
            let show = |v: &str| {
                if f.field == "display_time" {
                    v.parse::<i64>().map(when).unwrap_or_else(|_| v.to_string())
                } else {
                    v.to_string()
                }
            };
            context! { label => label, before => show(&f.before), after => show(&f.after) }
        })
        .collect();
    let lines: Vec<Value> = cmp
        .body
        .iter()
        .map(|l| {
            let tag = match l.tag {
                LineTag::Same => "same",
                LineTag::Removed => "removed",
                LineTag::Added => "added",
            };
            context! { tag => tag, text => l.text.clone() }
        })
        .collect();
    let body_changed = cmp.fields.iter().any(|f| f.field == "body_text");
    let frame = Frame::new(
        &st,
        &headers,
        st.tf("admin.rev.compare_title", &[("a", &number(a).to_string()), ("b", &number(b).to_string())]),
        vec![
            (place.site_name.clone(), Some(format!("/admin/sites/{}", place.site_code))),
            (doc.fields.title.clone(), Some(format!("/admin/docs/{id}"))),
            (st.t("admin.rev.title"), Some(format!("/admin/docs/{id}/revisions"))),
        ],
    )
    .await?;
    let ctx = context! { doc_id => id, fields => fields, lines => lines, body_changed => body_changed };
    frame.render(&st, "admin/compare.html", StatusCode::OK, ctx)
}
