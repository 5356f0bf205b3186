//! `sitegroup search` and `sitegroup reindex`: the group's full-text search from a
//! terminal. The index is brought up to date with the outbox before every search.

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sitegroup::search::{Audience, SearchQuery, Sort};
use sitegroup::{SiteGroup, SiteId};

use crate::{CliError, format_time};

/// Options of `sitegroup search`.
pub(crate) struct SearchArgs<'a> {
    pub query: Option<&'a str>,
    pub suggest: Option<&'a str>,
    pub site: Option<&'a str>,
    pub kinds: &'a [String],
    pub limit: usize,
    pub page: usize,
    pub by_date: bool,
    pub json: bool,
}

/// One hit as printed with `--json`: the documented fields, in order.
#[derive(Serialize)]
struct HitLine<'a> {
    id: Option<i64>,
    site: &'a str,
    kind: &'a str,
    title: &'a str,
    url: &'a str,
    score: f32,
    snippet: &'a str,
    published_at: String,
}

pub(crate) fn search(group: &SiteGroup, args: &SearchArgs<'_>, out: &mut impl Write) -> Result<(), CliError> {
    let tree = group.site_tree()?;
    let site = args.site.map(|c| group.site(c)).transpose()?;
    let poll = group.search_poll()?;
    if poll.busy {
        eprintln!("note: another process is updating the index; results may lag behind the last changes");
    }
    if let Some(prefix) = args.suggest {
        for s in group.suggest(prefix, site.as_ref().map(|s| s.id), args.limit)? {
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&s).map_err(|e| CliError::Usage(e.to_string()))?)?;
            } else {
                writeln!(out, "{}\t{}\t{}", s.text, s.kind, s.url.unwrap_or_default())?;
            }
        }
        return Ok(());
    }
    let text = args.query.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(CliError::Usage("give a query, or --suggest PREFIX".into()));
    }
    let query = SearchQuery {
        text: text.to_string(),
        site: site.as_ref().map(|s| s.id.0),
        kinds: args.kinds.to_vec(),
        sort: if args.by_date { Sort::Date } else { Sort::Relevance },
        page: args.page.max(1),
        per_page: args.limit.clamp(1, 100),
        ..Default::default()
    };
    let results = group.search(None, &query)?;
    let code_of = |id: i64| tree.get(SiteId(id)).map_or_else(|| id.to_string(), |s| s.code.clone());
    if args.json {
        for h in &results.hits {
            let code = code_of(h.site);
            let line = HitLine {
                id: h.id,
                site: &code,
                kind: &h.kind,
                title: &h.title,
                url: &h.url,
                score: h.score,
                snippet: &h.snippet,
                published_at: format_time(h.published_at),
            };
            writeln!(out, "{}", serde_json::to_string(&line).map_err(|e| CliError::Usage(e.to_string()))?)?;
        }
        return Ok(());
    }
    writeln!(out, "{} result(s) for {:?}", results.total, text)?;
    if let Some(better) = &results.did_you_mean {
        writeln!(out, "did you mean: {better}")?;
    }
    for h in &results.hits {
        let date = format_time(h.published_at);
        let day = date.get(..10).unwrap_or(&date);
        writeln!(out, "{:.2}\t{day}\t{}\t{}\t{}\t{}", h.score, code_of(h.site), h.kind, h.title, h.url)?;
    }
    if results.total > 0 {
        let kinds: Vec<String> = results.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let sites: Vec<String> = results.by_site.iter().take(10).map(|(s, n)| format!("{} {n}", code_of(*s))).collect();
        writeln!(out, "by kind: {}", kinds.join(", "))?;
        writeln!(out, "by site: {}", sites.join(", "))?;
    }
    Ok(())
}

/// Rebuilds both indexes from the store, with a progress line.
pub(crate) fn reindex(group: &SiteGroup, quiet: bool, out: &mut impl Write) -> Result<(), CliError> {
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    let report = group.reindex(&mut |p| {
        let which = match p.audience {
            Audience::Public => "public",
            _ => "back office",
        };
        bar.set_message(format!("{which} index: {} documents", p.done));
        bar.tick();
    })?;
    bar.finish_and_clear();
    writeln!(
        out,
        "reindexed: {} public and {} back-office documents (outbox seq {}, generation {})",
        report.public, report.drafts, report.seq, report.generation
    )?;
    Ok(())
}
