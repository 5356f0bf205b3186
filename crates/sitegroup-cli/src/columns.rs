//! `sitegroup columns …`: list and add columns, and their health against the update
//! duties and the inspection's veto thresholds.

use std::io::Write;

use clap::Subcommand;
use sitegroup::{
    Actor, Column, ColumnKind, ColumnLookup, Duty, NewColumn, Origin, Site, SiteGroup, SiteHealth, SiteStatus,
};

use crate::{CliError, format_time};

#[derive(Subcommand)]
pub(crate) enum ColumnsCommand {
    /// The column tree of a site (TSV).
    List {
        /// Site code.
        #[arg(long)]
        site: String,
    },
    /// Add a column.
    Add {
        /// Site code.
        #[arg(long)]
        site: String,
        /// Display name, e.g. 政务动态.
        #[arg(long)]
        name: String,
        /// Path of the parent column, e.g. /xxgk; omit for a top-level column.
        #[arg(long)]
        parent: Option<String>,
        /// URL segment; default: the name in pinyin.
        #[arg(long)]
        slug: Option<String>,
        /// list | single_page | link | topic | disclosure.
        #[arg(long, default_value = "list")]
        kind: String,
        /// Update duty: news | notice | personnel | static | <N>d (default from the kind).
        #[arg(long)]
        duty: Option<String>,
        /// Link columns: the URL.
        #[arg(long)]
        url: Option<String>,
    },
    /// Column health: last update, overdue and blank columns, home-page freshness and
    /// the veto items, for one site or every open site.
    Health {
        /// Site code; default: every site.
        #[arg(long)]
        site: Option<String>,
        /// One JSON object per site.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(
    group: &SiteGroup,
    cmd: &ColumnsCommand,
    me: &Actor,
    origin: &Origin,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match cmd {
        ColumnsCommand::List { site } => {
            let site = group.site(site)?;
            writeln!(out, "id\tpath\tname\tkind\tduty\thidden")?;
            for c in group.columns(me, site.id)? {
                let status = if c.archived_at.is_some() {
                    "archived"
                } else if c.hidden {
                    "hidden"
                } else {
                    ""
                };
                writeln!(out, "{}\t{}\t{}\t{}\t{}\t{status}", c.id, c.path, c.name, c.kind, c.duty)?;
            }
        }
        ColumnsCommand::Add { site, name, parent, slug, kind, duty, url } => {
            let site = group.site(site)?;
            let parent = parent.as_deref().map(|p| column_at(group, &site, p)).transpose()?;
            let new = NewColumn {
                parent: parent.map(|p| p.id),
                kind: ColumnKind::parse(kind).map_err(sitegroup::Error::from)?,
                name: name.clone(),
                slug: slug.clone(),
                duty: duty.as_deref().map(Duty::parse).transpose().map_err(sitegroup::Error::from)?,
                link_url: url.clone(),
                ..Default::default()
            };
            let c = group.add_column(me, origin, site.id, &new)?;
            writeln!(out, "added column {} {} ({})", c.path, c.name, c.id)?;
        }
        ColumnsCommand::Health { site, json } => {
            let sites: Vec<Site> = match site {
                Some(code) => vec![group.site(code)?],
                None => {
                    group.site_tree()?.sites().iter().filter(|s| s.status != SiteStatus::Archived).cloned().collect()
                }
            };
            if !json {
                writeln!(out, "site\tpath\tname\tduty\tlast_update\toverdue_days\tblank\tlapses_in_days")?;
            }
            let mut summaries = vec![];
            for s in &sites {
                let health = group.column_health(me, s.id)?;
                if *json {
                    let line = serde_json::json!({ "site": s.code, "health": health });
                    writeln!(out, "{line}")?;
                    continue;
                }
                for c in health.columns.iter().filter(|c| c.counted) {
                    let last = c.last_published_at.map(format_time).unwrap_or_else(|| "-".into());
                    let lapses = c.lapses_in_seconds.map(|s| format!("{:.1}", s as f64 / 86_400.0)).unwrap_or_default();
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{last}\t{}\t{}\t{lapses}",
                        s.code,
                        c.path,
                        c.name,
                        c.duty,
                        c.overdue_days,
                        if c.blank { "blank" } else { "" },
                    )?;
                }
                summaries.push((s.code.clone(), health));
            }
            if !json {
                writeln!(out)?;
                writeln!(out, "site\tblank\tstale_news\tstale_notice\tnot_updated\thome_last_update\tvetoes")?;
                for (code, h) in &summaries {
                    writeln!(out, "{code}\t{}", summary_row(h))?;
                }
            }
        }
    }
    Ok(())
}

fn summary_row(h: &SiteHealth) -> String {
    let vetoes: Vec<String> =
        h.vetoes.iter().map(|v| serde_json::to_value(v).map(|j| j["veto"].to_string()).unwrap_or_default()).collect();
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        h.blank_count,
        h.stale_news,
        h.stale_notice,
        h.not_updated,
        h.latest_published_at.map(format_time).unwrap_or_else(|| "-".into()),
        if vetoes.is_empty() { "-".into() } else { vetoes.join(",").replace('"', "") },
    )
}

/// The live column at `path` in `site`, or a clear error.
pub(crate) fn column_at(group: &SiteGroup, site: &Site, path: &str) -> Result<Column, CliError> {
    match group.column_by_path(site.id, path)? {
        ColumnLookup::Found(c) => Ok(*c),
        ColumnLookup::Redirect(new) => {
            Err(CliError::Usage(format!("column {path} of site {} has moved to {new}", site.code)))
        }
        ColumnLookup::NotFound => Err(CliError::Usage(format!("site {} has no column {path}", site.code))),
    }
}
