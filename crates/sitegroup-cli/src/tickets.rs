//! `sitegroup tickets import` (history of letters and requests as JSON lines),
//! `sitegroup tickets settings|set` (deadlines, batch days, mail recipients) and
//! `sitegroup report monthly` (the monthly notice 通报 of every unit's replies).
//!
//! History lines of disclosure requests may carry `applicant` (an applicant kind code;
//! natural_person when absent, since older records rarely say) and `outcome` (an
//! outcome code of the annual report).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::Deserialize;
use sitegroup::{Actor, Error, ImportTicket, Origin, SiteGroup};

use crate::CliError;

/// Tickets written per transaction.
const BATCH: usize = 1_000;
/// Longest line read.
const MAX_LINE: usize = 4 * 1024 * 1024;

/// One line of a ticket history file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketLine {
    channel: String,
    unit: String,
    subject: String,
    body: String,
    received_at: String,
    #[serde(default)]
    replied_at: Option<String>,
    #[serde(default)]
    reply: Option<String>,
    #[serde(default)]
    public: bool,
    #[serde(default)]
    writer: Option<String>,
    #[serde(default)]
    category: Option<String>,
    /// Disclosure requests: the applicant kind (`natural_person` …; default
    /// natural_person for history that does not record it).
    #[serde(default)]
    applicant: Option<String>,
    /// Disclosure requests: the outcome code (`granted`, `refused.process` …).
    #[serde(default)]
    outcome: Option<String>,
}

fn parse_time(field: &str, s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp())
        .map_err(|_| format!("{field} {s:?} is not an RFC 3339 time"))
}

fn to_import(line: TicketLine) -> Result<ImportTicket, String> {
    Ok(ImportTicket {
        received_at: parse_time("received_at", &line.received_at)?,
        replied_at: line.replied_at.as_deref().map(|s| parse_time("replied_at", s)).transpose()?,
        channel: line.channel,
        unit: line.unit,
        subject: line.subject,
        body: line.body,
        reply: line.reply,
        public: line.public,
        writer: line.writer,
        category: line.category,
        applicant: line.applicant,
        outcome: line.outcome,
    })
}

/// Imports a ticket history; bad lines are reported with their number and skipped.
pub(crate) fn import(
    group: &SiteGroup,
    me: &Actor,
    origin: &Origin,
    file: &Path,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let f = std::fs::File::open(file).map_err(|e| CliError::Usage(format!("cannot open {}: {e}", file.display())))?;
    let mut reader = BufReader::new(f);
    let (mut imported, mut skipped) = (0usize, 0usize);
    let mut pending: Vec<(usize, ImportTicket)> = Vec::new();
    let mut report = |n: usize, why: String| {
        eprintln!("line {n}: {why}");
        skipped += 1;
    };
    let mut flush = |pending: &mut Vec<(usize, ImportTicket)>, report: &mut dyn FnMut(usize, String)| {
        let batch = std::mem::take(pending);
        let lines: Vec<ImportTicket> = batch.iter().map(|(_, t)| t.clone()).collect();
        let results = group.import_tickets_batch(me, origin, &lines)?;
        for ((n, _), r) in batch.iter().zip(results) {
            match r {
                Ok(_) => imported += 1,
                Err(e) => report(*n, e.to_string()),
            }
        }
        Ok::<(), Error>(())
    };
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = Read::by_ref(&mut reader).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        n += 1;
        if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
            report(n, format!("longer than {} MB", MAX_LINE / 1024 / 1024));
            continue;
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            report(n, "not UTF-8".into());
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<TicketLine>(text.trim())
            .map_err(|e| format!("not a ticket: {e}"))
            .and_then(to_import)
        {
            Ok(t) => pending.push((n, t)),
            Err(why) => report(n, why),
        }
        if pending.len() >= BATCH {
            flush(&mut pending, &mut report)?;
        }
    }
    flush(&mut pending, &mut report)?;
    writeln!(out, "imported {imported} ticket(s); skipped {skipped}")?;
    if skipped > 0 {
        return Err(CliError::Usage(format!("{skipped} line(s) skipped; see the messages above")));
    }
    Ok(())
}

/// Options of `sitegroup report annual`.
pub(crate) struct AnnualArgs<'a> {
    pub site: &'a str,
    pub year: i32,
    pub json: bool,
    pub xlsx: Option<&'a Path>,
}

/// The annual disclosure report of a site: the three tables as tab-separated text (or
/// the whole report as JSON), warnings on stderr-like lines prefixed `warning:`.
pub(crate) fn annual(
    group: &SiteGroup,
    me: &Actor,
    args: &AnnualArgs<'_>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let site = group.site(args.site)?;
    let report = group.annual_report(me, site.id, args.year)?;
    if let Some(path) = args.xlsx {
        let bytes = report.to_xlsx()?;
        std::fs::write(path, bytes).map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        let json = serde_json::to_string(&report).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{json}")?;
        return Ok(());
    }
    writeln!(out, "{}", report.title())?;
    match report.published_at {
        Some(at) => writeln!(out, "published_at\t{at}")?,
        None => writeln!(out, "published_at\t-")?,
    }
    writeln!(out, "\n二、主动公开政府信息情况\nform\tmade\trepealed\tin_force")?;
    for r in &report.proactive.documents {
        writeln!(out, "{}\t{}\t{}\t{}", r.label, r.made, r.repealed, r.in_force)?;
    }
    let p = &report.proactive;
    writeln!(
        out,
        "行政许可\t{}\n行政处罚\t{}\n行政强制\t{}\n行政事业性收费（万元）\t{}",
        p.licensing, p.penalty, p.enforcement, p.fees_wan
    )?;
    writeln!(out, "\n三、收到和处理政府信息公开申请情况\nrow\t{}", report.requests.columns.join("\t"))?;
    for r in &report.requests.rows {
        let counts: Vec<String> = r.counts.iter().map(u64::to_string).collect();
        writeln!(out, "{}\t{}", r.key, counts.join("\t"))?;
    }
    writeln!(out, "\n四、政府信息公开行政复议、行政诉讼情况\nrow\tupheld\tcorrected\tother\tpending\ttotal")?;
    for r in &report.review.rows {
        writeln!(out, "{}\t{}\t{}\t{}\t{}\t{}", r.label, r.upheld, r.corrected, r.other, r.pending, r.total)?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {}", w.text)?;
    }
    Ok(())
}

/// Options of `sitegroup report monthly`.
pub(crate) struct MonthlyArgs<'a> {
    pub month: &'a str,
    pub as_of: Option<&'a str>,
    pub json: bool,
    pub xlsx: Option<&'a Path>,
}

/// The monthly notice: one row (or JSON object) per unit, ranked.
pub(crate) fn monthly(
    group: &SiteGroup,
    me: &Actor,
    args: &MonthlyArgs<'_>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let bad = || CliError::Usage(format!("month {:?} is not YYYY-MM", args.month));
    let (y, m) = args.month.trim().split_once('-').ok_or_else(bad)?;
    let (year, month): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let as_of = match args.as_of {
        Some(s) => parse_time("--as-of", s).map_err(CliError::Usage)?,
        None => group.now(),
    };
    let rows = group.monthly_report(me, year, month, as_of)?;
    if let Some(path) = args.xlsx {
        let bytes = group.monthly_report_xlsx(me, year, month, as_of)?;
        std::fs::write(path, bytes).map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        for r in &rows {
            let line = serde_json::json!({
                "unit": r.unit,
                "received": r.received,
                "answered": r.answered,
                "answered_on_time": r.answered_on_time,
                "overdue_open": r.overdue_open,
                "reply_rate": r.reply_rate,
                "on_time_rate": r.on_time_rate,
                "mean_working_days": r.mean_working_days,
                "satisfaction": r.satisfaction,
                "rank": r.rank,
            });
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    let pct = |v: Option<f64>| v.map_or_else(|| "-".into(), |x| format!("{:.1}%", x * 100.0));
    writeln!(
        out,
        "rank\tunit\tname\treceived\tanswered\ton_time\toverdue_open\treply_rate\ton_time_rate\tmean_working_days\tsatisfaction"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.rank,
            r.unit,
            r.unit_name,
            r.received,
            r.answered,
            r.answered_on_time,
            r.overdue_open,
            pct(r.reply_rate),
            pct(r.on_time_rate),
            r.mean_working_days.map_or_else(|| "-".into(), |d| format!("{d:.1}")),
            pct(r.satisfaction),
        )?;
    }
    Ok(())
}

/// `sitegroup tickets settings`: the stored settings, `key = value` per line.
pub fn settings(group: &SiteGroup, me: &Actor, out: &mut dyn Write) -> Result<(), CliError> {
    for (key, value) in group.interaction_setting_pairs(me)? {
        writeln!(out, "{key} = {value}")?;
    }
    Ok(())
}

/// `sitegroup tickets set KEY VALUE`.
pub fn set(
    group: &SiteGroup,
    me: &Actor,
    origin: &Origin,
    key: &str,
    value: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    group.set_interaction_setting(me, origin, key.trim(), value.trim())?;
    writeln!(out, "{} = {}", key.trim(), value.trim())?;
    Ok(())
}
