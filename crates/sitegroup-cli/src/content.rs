//! `sitegroup content …`: the sanitiser and the content checks as filters on stdin.

use std::io::{Read, Write};
use std::path::Path;

use clap::Subcommand;
use sitegroup::text::checks::{CheckConfig, Checker, Severity};
use sitegroup::text::sanitize::{Policy, sanitize_html};

use crate::CliError;

/// Largest input read from stdin (a 10 MB paste from Word is the realistic worst case).
const MAX_INPUT: u64 = 16 * 1024 * 1024;

#[derive(Subcommand)]
pub(crate) enum ContentCommand {
    /// Read HTML on stdin and write the sanitised HTML (government-content policy,
    /// Word/WPS paste cleanup) to stdout.
    Sanitize {
        /// Allow iframes from this https host (a video platform); repeatable.
        #[arg(long = "iframe-host")]
        iframe_hosts: Vec<String>,
    },
    /// Read text or HTML on stdin and print the check findings as JSON lines
    /// `{"rule","severity","start","end","excerpt"}` (offsets in characters of the input).
    /// Word lists come from DATA/checks/{prohibited,sensitive,serious}.txt when present.
    Check {
        /// Treat the input as HTML (default: guess from the first tag).
        #[arg(long, conflicts_with = "text")]
        html: bool,
        /// Treat the input as plain text.
        #[arg(long)]
        text: bool,
    },
}

/// Monthly syndication (信息报送) counts per submitting unit, as TSV.
pub(crate) fn syndication_report(
    group: &sitegroup::SiteGroup,
    me: &sitegroup::Actor,
    month: &str,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let bad = || CliError::Usage(format!("month {month:?} is not YYYY-MM"));
    let (y, m) = month.trim().split_once('-').ok_or_else(bad)?;
    let (year, month_no): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let counts = group.syndication_counts(me, year, month_no)?;
    let tree = group.site_tree()?;
    let units = group.list_units(me)?;
    // Aggregate per unit; sites without a unit are listed by their own code.
    let mut rows: std::collections::BTreeMap<String, (String, i64, i64, i64)> = std::collections::BTreeMap::new();
    for c in counts {
        let (code, name) = match c.unit.and_then(|u| units.iter().find(|x| x.id == u)) {
            Some(u) => (u.code.clone(), u.name.clone()),
            None => tree.get(c.site).map(|s| (s.code.clone(), s.name.clone())).unwrap_or_default(),
        };
        let row = rows.entry(code).or_insert((name, 0, 0, 0));
        row.1 += c.submitted;
        row.2 += c.accepted;
        row.3 += c.rejected;
    }
    writeln!(out, "unit\tname\tsubmitted\taccepted\trejected")?;
    for (code, (name, submitted, accepted, rejected)) in rows {
        writeln!(out, "{code}\t{name}\t{submitted}\t{accepted}\t{rejected}")?;
    }
    Ok(())
}

pub(crate) fn run(cmd: &ContentCommand, data: &Path, out: &mut impl Write) -> Result<(), CliError> {
    let input = read_stdin()?;
    match cmd {
        ContentCommand::Sanitize { iframe_hosts } => {
            let policy = Policy { iframe_hosts: iframe_hosts.clone() };
            let clean = sanitize_html(&input, &policy);
            out.write_all(clean.html.as_bytes())?;
            if !clean.html.ends_with('\n') {
                writeln!(out)?;
            }
        }
        ContentCommand::Check { html, text } => {
            let checker = Checker::try_new(&check_config(data)?).map_err(|e| CliError::Usage(e.to_string()))?;
            let as_html = *html || (!*text && looks_like_html(&input));
            let findings = if as_html { checker.check_html(&input) } else { checker.check_text(&input) };
            for f in &findings {
                let line = FindingLine {
                    rule: &f.rule,
                    severity: f.severity,
                    start: f.start,
                    end: f.end,
                    excerpt: &f.excerpt,
                };
                writeln!(out, "{}", serde_json::to_string(&line).map_err(|e| CliError::Usage(e.to_string()))?)?;
            }
        }
    }
    Ok(())
}

/// One finding as printed: the documented field order.
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    rule: &'a str,
    severity: Severity,
    start: usize,
    end: usize,
    excerpt: &'a str,
}

/// The group's word lists, read from `data/checks/` (each file optional).
pub(crate) fn check_config(data: &Path) -> Result<CheckConfig, CliError> {
    let read = |name: &str| -> Result<String, CliError> {
        let path = data.join("checks").join(name);
        match std::fs::read_to_string(&path) {
            Ok(s) => Ok(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(CliError::Usage(format!("cannot read {}: {e}", path.display()))),
        }
    };
    CheckConfig::from_lists(&read("prohibited.txt")?, &read("sensitive.txt")?, &read("serious.txt")?)
        .map_err(|e| CliError::Usage(e.to_string()))
}

fn read_stdin() -> Result<String, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(CliError::Usage(format!("input is larger than {} MB", MAX_INPUT / 1024 / 1024)));
    }
    String::from_utf8(bytes).map_err(|_| CliError::Usage("input is not UTF-8 (convert GBK files first)".into()))
}

/// True when the input has something that looks like a tag.
fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}
