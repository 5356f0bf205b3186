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
