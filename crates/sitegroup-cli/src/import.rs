//! `sitegroup import` and `sitegroup export`: documents as JSON lines.
//!
//! One document per line: `title`, `body_html`, `published_at` (RFC 3339), optional
//! `kind` (article | disclosure | file | link | photo | video; default article),
//! `subtitle`, `source`, `author`, `summary`, `tags`, `attachments` (file paths), `url`
//! (link and video kinds), `column` (a column path overriding `--column`), and for
//! disclosure items `doc_number`, `organ`, `category`, `validity` (in_force | amended |
//! repealed), `form` (rule | normative | other; default other) and `repealed_on`
//! (YYYY-MM-DD, for repealed items). Export writes the same format, so an export imports back.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use sitegroup::content::model::{Attachment, DisclosureMeta, DocumentForm, PhotoImage, Validity};
use sitegroup::{
    Actor, Column, ColumnKind, ColumnLookup, DocInput, DocKind, Duty, Error, ImportDocument, NewColumn, Origin, Site,
    SiteGroup,
};

use crate::{CliError, format_time};

/// Documents written per transaction.
const BATCH: usize = 500;
/// Longest line read (a document with a 2 MB body, JSON-escaped, fits).
const MAX_LINE: usize = 8 * 1024 * 1024;

/// One line of an import or export file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocLine {
    title: String,
    body_html: String,
    published_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subtitle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    doc_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    organ: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    validity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    repealed_on: Option<String>,
}

/// A line that parsed, waiting for its batch.
struct Pending {
    line_no: usize,
    column: i64,
    doc: ImportDocument,
}

/// Options of `sitegroup import`.
pub(crate) struct ImportArgs<'a> {
    pub site: &'a str,
    pub column: Option<&'a str>,
    pub duty: &'a str,
    pub file: &'a Path,
    pub quiet: bool,
}

/// Imports a JSON-lines file; returns (imported, skipped). Bad lines are reported on
/// stderr with their line number and skipped; the rest go in.
pub(crate) fn import(
    group: &SiteGroup,
    me: &Actor,
    origin: &Origin,
    args: &ImportArgs<'_>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let site = group.site(args.site)?;
    let duty = Duty::parse(args.duty).map_err(Error::from)?;
    let file = std::fs::File::open(args.file)
        .map_err(|e| CliError::Usage(format!("cannot open {}: {e}", args.file.display())))?;
    let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(total_bytes) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let base = args.file.parent().unwrap_or(Path::new("."));
    let mut reader = BufReader::new(file);
    let mut columns: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let (mut imported, mut skipped) = (0usize, 0usize);
    let mut pending: Vec<Pending> = Vec::new();
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    let report = |line_no: usize, why: String, skipped: &mut usize| {
        bar.suspend(|| eprintln!("line {line_no}: {why}"));
        *skipped += 1;
    };
    loop {
        buf.clear();
        let n = Read::by_ref(&mut reader).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        bar.inc(n as u64);
        if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
            // Skip the rest of an overlong line.
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
            bar.inc(rest.len() as u64);
            report(line_no, format!("longer than {} MB", MAX_LINE / 1024 / 1024), &mut skipped);
            continue;
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            report(line_no, "not UTF-8".into(), &mut skipped);
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let parsed =
            serde_json::from_str::<DocLine>(text.trim()).map_err(|e| format!("not a document: {e}")).and_then(|line| {
                let path = line
                    .column
                    .clone()
                    .or_else(|| args.column.map(String::from))
                    .ok_or_else(|| "no column: give --column or a \"column\" field".to_string())?;
                let column = match columns.get(&path) {
                    Some(id) => *id,
                    None => {
                        let c = ensure_column(group, me, origin, &site, &path, duty).map_err(|e| e.to_string())?;
                        columns.insert(path, c.id);
                        c.id
                    }
                };
                let doc = to_import(group, me, &site, column, base, line)?;
                Ok((column, doc))
            });
        match parsed {
            Ok((column, doc)) => pending.push(Pending { line_no, column, doc }),
            Err(why) => report(line_no, why, &mut skipped),
        }
        if pending.len() >= BATCH {
            flush(group, me, origin, &site, &mut pending, &mut imported, &mut |l, w| report(l, w, &mut skipped))?;
        }
    }
    flush(group, me, origin, &site, &mut pending, &mut imported, &mut |l, w| report(l, w, &mut skipped))?;
    bar.finish_and_clear();
    writeln!(out, "imported {imported} document(s) into site {}; skipped {skipped}", site.code)?;
    if skipped > 0 {
        return Err(CliError::Usage(format!("{skipped} line(s) skipped; see the messages above")));
    }
    Ok(())
}

/// Writes the pending documents, one transaction per column run.
fn flush(
    group: &SiteGroup,
    me: &Actor,
    origin: &Origin,
    site: &Site,
    pending: &mut Vec<Pending>,
    imported: &mut usize,
    report: &mut dyn FnMut(usize, String),
) -> Result<(), CliError> {
    let batch = std::mem::take(pending);
    let mut start = 0;
    while start < batch.len() {
        let column = batch[start].column;
        let end = batch[start..].iter().position(|p| p.column != column).map_or(batch.len(), |i| start + i);
        let docs: Vec<ImportDocument> = batch[start..end].iter().map(|p| p.doc.clone()).collect();
        let results = group.import_published_batch(me, origin, site.id, column, &docs)?;
        for (p, r) in batch[start..end].iter().zip(results) {
            match r {
                Ok(_) => *imported += 1,
                Err(Error::Blocked(findings)) => {
                    let first: Vec<String> = findings
                        .iter()
                        .filter(|f| f.severity == sitegroup::text::checks::Severity::Block)
                        .take(3)
                        .map(|f| format!("{} \"{}\"", f.rule, f.excerpt))
                        .collect();
                    report(p.line_no, format!("blocked by content checks: {}", first.join(", ")));
                }
                Err(e) => report(p.line_no, e.to_string()),
            }
        }
        start = end;
    }
    Ok(())
}

/// The column at `path`, creating missing ones (list kind, `duty`) segment by segment.
fn ensure_column(
    group: &SiteGroup,
    me: &Actor,
    origin: &Origin,
    site: &Site,
    path: &str,
    duty: Duty,
) -> Result<Column, CliError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err(CliError::Usage(format!("{path:?} is not a column path")));
    }
    let mut parent: Option<Column> = None;
    let mut so_far = String::new();
    for seg in segments {
        so_far.push('/');
        so_far.push_str(seg);
        let found = match group.column_by_path(site.id, &so_far)? {
            ColumnLookup::Found(c) => *c,
            ColumnLookup::Redirect(new) => match group.column_by_path(site.id, &new)? {
                ColumnLookup::Found(c) => *c,
                _ => return Err(CliError::Usage(format!("column {so_far} redirects to {new}, which is gone"))),
            },
            ColumnLookup::NotFound => {
                let new = NewColumn {
                    parent: parent.as_ref().map(|p| p.id),
                    kind: ColumnKind::List,
                    name: seg.to_string(),
                    slug: Some(seg.to_string()),
                    duty: Some(duty),
                    ..Default::default()
                };
                group.add_column(me, origin, site.id, &new)?
            }
        };
        so_far = found.path.clone();
        parent = Some(found);
    }
    parent.ok_or_else(|| CliError::Usage(format!("{path:?} is not a column path")))
}

/// Turns a parsed line into an import (uploading its attachments).
fn to_import(
    group: &SiteGroup,
    me: &Actor,
    site: &Site,
    column: i64,
    base: &Path,
    line: DocLine,
) -> Result<ImportDocument, String> {
    let published_at = chrono::DateTime::parse_from_rfc3339(line.published_at.trim())
        .map_err(|_| format!("published_at {:?} is not an RFC 3339 time", line.published_at))?
        .timestamp();
    let mut attachments = Vec::new();
    for path in &line.attachments {
        let path = if path.is_absolute() { path.clone() } else { base.join(path) };
        let bytes = std::fs::read(&path).map_err(|e| format!("attachment {}: {e}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let up = group.upload(me, site.id, column, &name, &bytes).map_err(|e| format!("attachment {name}: {e}"))?;
        attachments.push((Attachment { key: up.file.key, name, size: up.file.size }, up.thumb));
    }
    let kind = match line.kind.as_deref().unwrap_or("article") {
        "article" => DocKind::Article,
        "file" => DocKind::File,
        "link" => DocKind::Link { url: line.url.clone().ok_or("a link needs \"url\"")? },
        "video" => DocKind::Video { file: None, url: line.url.clone(), poster: None },
        "photo" => DocKind::Photo {
            images: attachments
                .iter()
                .map(|(a, thumb)| PhotoImage { key: a.key.clone(), caption: a.name.clone(), thumb: thumb.clone() })
                .collect(),
        },
        "disclosure" => DocKind::Disclosure(DisclosureMeta {
            organ: line.organ.clone().ok_or("a disclosure item needs \"organ\"")?,
            doc_number: line.doc_number.clone(),
            category: line.category.clone().ok_or("a disclosure item needs \"category\"")?,
            validity: match line.validity.as_deref().unwrap_or("in_force") {
                "in_force" => Validity::InForce,
                "amended" => Validity::Amended,
                "repealed" => Validity::Repealed,
                other => return Err(format!("validity {other:?} is not in_force, amended or repealed")),
            },
            form: match line.form.as_deref() {
                None => DocumentForm::Other,
                Some(f) => DocumentForm::parse(f).ok_or(format!("form {f:?} is not rule, normative or other"))?,
            },
            repealed_on: line.repealed_on.clone(),
        }),
        other => return Err(format!("kind {other:?} is not article, disclosure, file, link, photo or video")),
    };
    let input = DocInput {
        kind,
        title: line.title,
        subtitle: line.subtitle,
        source: line.source,
        author: line.author,
        display_time: Some(published_at),
        summary: line.summary,
        body_html: line.body_html,
        cover: None,
        attachments: attachments.into_iter().map(|(a, _)| a).collect(),
        tags: line.tags,
    };
    Ok(ImportDocument { input, published_at })
}

/// Writes every published document of `site` as JSON lines to `out`; attachments are
/// copied to `files_dir/<document id>/<name>` and named by that path.
pub(crate) fn export(
    group: &SiteGroup,
    me: &Actor,
    site: &str,
    files_dir: &Path,
    out: &mut impl Write,
) -> Result<usize, CliError> {
    use sitegroup::content::files::FileStore;
    let site = group.site(site)?;
    let store = group.file_store();
    let mut written = 0;
    for column in group.columns(me, site.id)? {
        let mut page = 1;
        loop {
            let docs = group.published_in_column(site.id, column.id, page, 100)?;
            for d in &docs.items {
                let f = &d.fields;
                let mut attachments = Vec::new();
                for a in &f.attachments {
                    let dir = files_dir.join(d.id.to_string());
                    std::fs::create_dir_all(&dir)?;
                    let bytes = store.get(&a.key).map_err(|e| CliError::Usage(e.to_string()))?;
                    let path = dir.join(safe_name(&a.name));
                    std::fs::write(&path, bytes)?;
                    attachments.push(path);
                }
                let mut line = DocLine {
                    title: f.title.clone(),
                    body_html: f.body_html.clone(),
                    published_at: format_time(d.display_time),
                    column: Some(column.path.clone()),
                    subtitle: f.subtitle.clone(),
                    source: f.source.clone(),
                    author: f.author.clone(),
                    summary: Some(f.summary.clone()).filter(|s| !s.is_empty()),
                    tags: f.tags.clone(),
                    attachments,
                    ..Default::default()
                };
                match &f.kind {
                    DocKind::Article => {}
                    DocKind::File => line.kind = Some("file".into()),
                    DocKind::Photo { .. } => line.kind = Some("photo".into()),
                    DocKind::Link { url } => {
                        line.kind = Some("link".into());
                        line.url = Some(url.clone());
                    }
                    DocKind::Video { url, .. } => {
                        line.kind = Some("video".into());
                        line.url = url.clone();
                    }
                    DocKind::Disclosure(m) => {
                        line.kind = Some("disclosure".into());
                        line.organ = Some(m.organ.clone());
                        line.doc_number = m.doc_number.clone();
                        line.category = Some(m.category.clone());
                        line.validity = Some(m.validity.as_str().into());
                        line.form = (m.form != DocumentForm::Other).then(|| m.form.as_str().into());
                        line.repealed_on = m.repealed_on.clone();
                    }
                }
                let json = serde_json::to_string(&line).map_err(|e| CliError::Usage(e.to_string()))?;
                writeln!(out, "{json}")?;
                written += 1;
            }
            if page * docs.per_page >= docs.total {
                break;
            }
            page += 1;
        }
    }
    Ok(written)
}

/// A file name safe to create: no path separators, no leading dots.
fn safe_name(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if matches!(c, '/' | '\\' | '\0') { '_' } else { c }).collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() { "file".into() } else { trimmed.to_string() }
}
