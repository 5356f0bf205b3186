//! `sitegroup check [--site CODE] [--json] [--xlsx FILE]`: the self-check against the
//! national inspection indicators. Prints, per site in rank order, the score and the
//! findings (tab-separated), then the lapsing-soon notices; `--json` prints one object
//! per finding instead. Reads only (the .xlsx file is the one thing written).

use std::io::Write;

use sitegroup::{Actor, SiteGroup, check_date};

use crate::CliError;

/// Arguments of `sitegroup check`.
pub struct CheckArgs<'a> {
    /// One site, or the whole group.
    pub site: Option<&'a str>,
    /// One JSON object per finding.
    pub json: bool,
    /// Also write the ranked table to this .xlsx file.
    pub xlsx: Option<&'a std::path::Path>,
}

/// Runs the self-check and prints the findings.
pub fn run(group: &SiteGroup, me: &Actor, args: &CheckArgs<'_>, out: &mut dyn Write) -> Result<(), CliError> {
    let site = args.site.map(|code| group.site(code)).transpose()?.map(|s| s.id);
    let report = group.self_check(me, site)?;
    if let Some(path) = args.xlsx {
        let bytes = report.to_xlsx()?;
        std::fs::write(path, bytes).map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        for f in report.findings() {
            writeln!(out, "{}", f.to_json())?;
        }
        return Ok(());
    }
    let date = |t: Option<i64>| t.map_or_else(|| "-".to_string(), check_date);
    writeln!(out, "rank\tsite\tname\tscore\tdeducted\tvetoes\tverdict\tfindings\tlapsing")?;
    for s in &report.sites {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.rank,
            s.code,
            s.name,
            s.score,
            s.deducted,
            s.vetoes,
            s.verdict.as_str(),
            s.findings.len(),
            s.notices.len()
        )?;
    }
    if report.findings().next().is_some() {
        writeln!(out)?;
        writeln!(out, "site\tindicator\tveto\tsince\tevidence\ttodo")?;
        for f in report.findings() {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                f.site_code,
                f.indicator.as_str(),
                if f.veto { "veto" } else { "-" },
                date(f.since),
                f.evidence.describe(),
                f.indicator.todo()
            )?;
        }
    }
    let notices: Vec<_> = report.sites.iter().flat_map(|s| s.notices.iter().map(move |n| (&s.code, n))).collect();
    if !notices.is_empty() {
        writeln!(out)?;
        writeln!(out, "site\tlapsing_column\tdue\towners")?;
        for (code, n) in notices {
            writeln!(
                out,
                "{code}\t{} {}\t{}\t{}",
                n.column_path,
                n.column_name,
                check_date(n.due_at),
                n.owners.join("、")
            )?;
        }
    }
    Ok(())
}
