//! `sitegroup stats aggregate|purge|retention`: the visit analytics' maintenance from a
//! terminal — what the portal's periodic task does (aggregate closed days and today,
//! backfill old days' referrer and term aggregates, purge raw page views past the
//! retention), a full purge in batches, and the retention setting
//! (`stats.raw_retention_days`). Never prints an address or a visitor key.

use std::io::Write;

use clap::Subcommand;
use sitegroup::stats::stats::day_label;
use sitegroup::{Actor, Origin, SiteGroup};

use crate::CliError;

#[derive(Subcommand)]
pub(crate) enum StatsCommand {
    /// Aggregate closed days and today, backfill, then purge (as the portal does every
    /// minute, at most 100 purge batches).
    Aggregate,
    /// Delete raw page views older than the retention, of aggregated days only, in
    /// batches of 10,000 rows (one transaction each).
    Purge,
    /// Show the retention of raw page views (days), or set it (1–3650).
    Retention {
        /// New value in days; omit to show the current one.
        days: Option<String>,
    },
}

fn days(list: &[i64]) -> String {
    match (list.first(), list.last()) {
        (Some(a), Some(b)) if a == b => day_label(*a),
        (Some(a), Some(b)) => format!("{} .. {} ({} days)", day_label(*a), day_label(*b), list.len()),
        _ => "-".into(),
    }
}

/// Runs one `sitegroup stats` command.
pub(crate) fn run(
    group: &SiteGroup,
    cmd: &StatsCommand,
    me: &Actor,
    origin: &Origin,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match cmd {
        StatsCommand::Aggregate => {
            let r = group.stats_aggregate()?;
            writeln!(out, "closed\t{}", days(&r.closed_days))?;
            writeln!(out, "aggregate_rows\t{}", r.rows)?;
            writeln!(out, "backfilled\t{}", days(&r.backfilled_days))?;
            writeln!(out, "purged\t{} raw views of {}", r.purged.rows, days(&r.purged.days))?;
        }
        StatsCommand::Purge => {
            let r = group.stats_purge()?;
            writeln!(out, "retention_days\t{}", r.retention_days)?;
            writeln!(out, "purged\t{} raw views of {} in {} batches", r.rows, days(&r.days), r.batches)?;
        }
        StatsCommand::Retention { days: None } => {
            writeln!(out, "{}", group.stats_retention_days()?)?;
        }
        StatsCommand::Retention { days: Some(v) } => {
            let d = group.set_stats_retention_days(me, origin, v)?;
            writeln!(out, "stats.raw_retention_days = {d}")?;
        }
    }
    Ok(())
}
