//! The `sitegroup` command: set up and run a site group from a terminal.
//!
//! Every command acts as the platform itself (`system:cli` in the audit log): whoever
//! can run it has the data directory or the database URL. Errors print one line on
//! stderr and exit non-zero.
//!
//! Run with: `cargo run -p sitegroup-cli -- --data ./data site list`

mod check;
mod columns;
mod content;
mod import;
mod search;
mod stats;
mod tickets;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use clap::{Args, Parser, Subcommand};
use sitegroup::core::site::fold_width;
use sitegroup::{
    Actor, AuditQuery, Error, Grant, NewSite, NewUnit, NewUser, Origin, Role, Scope, SiteGroup, SiteIdentity,
    SiteStatus, UnitKind, WorkCalendar,
};

#[derive(Parser)]
#[command(name = "sitegroup", version, about = "Run a government site group: units, sites, users, calendar, audit.")]
struct Cli {
    /// Data directory (embedded database, index, files).
    #[arg(long, global = true, default_value = "./data")]
    data: PathBuf,
    /// PostgreSQL URL; when set, the database lives there instead of in --data.
    #[cfg(feature = "postgres")]
    #[arg(long, global = true, env = "SITEGROUP_DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create and migrate the group, and its administrator (prints the password once).
    Init {
        /// Login name of the group administrator (the information centre).
        #[arg(long)]
        admin: String,
    },
    /// Org units (departments and townships).
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Sites: the portal, channels, topics and registered websites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Back-office users and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// The official working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Columns (栏目) of a site and their health.
    #[command(subcommand)]
    Columns(columns::ColumnsCommand),
    /// Import documents from a JSON-lines file into a site, published (sanitised and
    /// checked; a bad line is reported with its number and skipped).
    Import {
        /// Site code.
        #[arg(long)]
        site: String,
        /// Column path, e.g. /xxgk/zwdt (created if missing); lines may name their own.
        #[arg(long)]
        column: Option<String>,
        /// Duty of created columns: news | notice | personnel | static | <N>d.
        #[arg(long, default_value = "news")]
        duty: String,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// The file: one JSON document per line.
        file: PathBuf,
    },
    /// Export a site's published documents as JSON lines (the import format).
    Export {
        /// Site code.
        #[arg(long)]
        site: String,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Where attachments are copied (default: OUT.files, or ./export-files).
        #[arg(long)]
        files: Option<PathBuf>,
    },
    /// Search the group's published documents (the public index).
    Search {
        /// What to look for (Chinese, Traditional, pinyin, document numbers …).
        #[arg(required_unless_present = "suggest")]
        query: Option<String>,
        /// As-you-type suggestions for a prefix (names and titles, pinyin too).
        #[arg(long, conflicts_with = "query")]
        suggest: Option<String>,
        /// Only this site.
        #[arg(long)]
        site: Option<String>,
        /// Only this kind (article, photo, video, file, link, disclosure); repeatable.
        #[arg(long = "kind")]
        kinds: Vec<String>,
        /// Results per page (1–100).
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// Newest first instead of best match first.
        #[arg(long)]
        by_date: bool,
        /// One JSON object per line: id, site, kind, title, url, score, snippet, published_at.
        #[arg(long)]
        json: bool,
    },
    /// The self-check against the national inspection indicators: every finding with its
    /// evidence, a score per site and the group's ranking.
    Check {
        /// One site (code); default the whole group.
        #[arg(long)]
        site: Option<String>,
        /// One JSON object per finding: site, indicator, veto, evidence, since.
        #[arg(long)]
        json: bool,
        /// Also write the ranked table (and findings) to this .xlsx file.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// Rebuild the search indexes from the store.
    Reindex {
        /// No progress line.
        #[arg(long)]
        quiet: bool,
    },
    /// Citizens' letters and requests (tickets).
    #[command(subcommand)]
    Tickets(TicketsCommand),
    /// Visit analytics maintenance: aggregate, purge raw page views, their retention.
    #[command(subcommand)]
    Stats(stats::StatsCommand),
    /// Reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Content tools: sanitise HTML, run the content checks.
    #[command(subcommand)]
    Content(content::ContentCommand),
    /// Read the audit log.
    Audit {
        /// Site code; omit with --group for the whole group's log.
        #[arg(long, required_unless_present = "group")]
        site: Option<String>,
        /// The whole group's log.
        #[arg(long, conflicts_with = "site")]
        group: bool,
        /// From this date (YYYY-MM-DD, Asia/Shanghai).
        #[arg(long)]
        since: Option<String>,
        /// At most this many entries, newest first.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum TicketsCommand {
    /// Import a history of letters, complaints and requests (JSON lines: channel, unit,
    /// subject, body, received_at, optional replied_at, reply, public, writer, category).
    /// Deadlines are computed from each channel's setting; bad lines are reported with
    /// their number and skipped.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// List the stored interaction settings (keys not listed run on their defaults).
    Settings,
    /// Set one interaction setting, e.g. `interaction.deadline.complaint 5`,
    /// `interaction.batch_days mon,thu`, `interaction.mail.unit.jyj a@x.gov.cn,b@x.gov.cn`
    /// (an empty value clears a mail list). Malformed values are refused.
    Set {
        /// The key (`interaction.…`).
        key: String,
        /// The value.
        value: String,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The monthly notice (通报): every unit's letters received, answered, on time and
    /// overdue, with rates, mean working days and a ranking.
    Monthly {
        /// The month, YYYY-MM (tickets received in it, Beijing time).
        #[arg(long)]
        month: String,
        /// Judge open tickets as of this time (RFC 3339; default now).
        #[arg(long)]
        as_of: Option<String>,
        /// One JSON object per unit.
        #[arg(long)]
        json: bool,
        /// Also write the notice as an .xlsx workbook.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// The annual report of government information disclosure (政府信息公开工作年度报告)
    /// of a site, in the national table format: the published one if published, else
    /// computed now.
    Annual {
        /// The site's code.
        #[arg(long)]
        site: String,
        /// The year reported on (YYYY).
        #[arg(long)]
        year: i32,
        /// The whole report as one JSON object.
        #[arg(long)]
        json: bool,
        /// Also write the report as an .xlsx workbook.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// Documents submitted to other sites (信息报送) in a month, per submitting unit.
    Syndication {
        /// The month, YYYY-MM (Beijing time).
        #[arg(long)]
        month: String,
    },
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Add a unit.
    Add {
        /// Unique short code (ASCII).
        #[arg(long)]
        code: String,
        /// Full name, e.g. 无为县教育局.
        #[arg(long)]
        name: String,
        /// department, township or other.
        #[arg(long, default_value = "department")]
        kind: String,
    },
    /// List units.
    List,
}

#[derive(Args)]
struct SiteAdd {
    /// Unique short code (ASCII).
    #[arg(long)]
    code: String,
    /// Full name.
    #[arg(long)]
    name: String,
    /// portal, department, township, topic or website (default: the template's).
    #[arg(long)]
    kind: Option<String>,
    /// Short name for menus.
    #[arg(long)]
    short_name: Option<String>,
    /// Parent site code.
    #[arg(long)]
    parent: Option<String>,
    /// Code of the org unit that owns the site and answers its messages.
    #[arg(long)]
    unit: Option<String>,
    /// Path prefix under its website, e.g. /jyj.
    #[arg(long)]
    path: Option<String>,
    /// Host name (repeatable).
    #[arg(long)]
    host: Vec<String>,
    /// Site identifier code (网站标识码, 10 characters; registered websites only).
    #[arg(long)]
    site_id: Option<String>,
    /// ICP filing number.
    #[arg(long)]
    icp: Option<String>,
    /// Public-security filing number.
    #[arg(long)]
    police_filing: Option<String>,
    /// Mark the new site as a template.
    #[arg(long)]
    template: bool,
    /// Create from this template site.
    #[arg(long)]
    from_template: Option<String>,
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Add a site.
    Add(Box<SiteAdd>),
    /// List sites.
    List,
    /// Show one site.
    Show {
        /// Site code.
        code: String,
    },
    /// Close a site with a notice (and optionally redirect visitors).
    Close {
        /// Site code.
        code: String,
        /// Notice shown to visitors.
        #[arg(long)]
        notice: String,
        /// Where to send visitors (http(s) URL or /path).
        #[arg(long)]
        redirect: Option<String>,
    },
    /// Reopen a closed site.
    Reopen {
        /// Site code.
        code: String,
    },
    /// Archive a site.
    Archive {
        /// Site code.
        code: String,
    },
    /// Move a site under another parent.
    Move {
        /// Site code.
        code: String,
        /// New parent code.
        #[arg(long, required_unless_present = "root")]
        parent: Option<String>,
        /// Make it a root (registered websites only).
        #[arg(long, conflicts_with = "parent")]
        root: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; prints a generated password once unless --password-stdin.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Unit code.
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users with their grants.
    List,
    /// Grant a role: on a site (--site) or the whole group (--group).
    Grant {
        /// Login name.
        username: String,
        /// group_admin, site_admin, editor, reviewer, handler or leader.
        #[arg(long)]
        role: String,
        /// Site code.
        #[arg(long, required_unless_present = "group")]
        site: Option<String>,
        /// Group-wide.
        #[arg(long, conflicts_with = "site")]
        group: bool,
    },
    /// Revoke a role.
    Revoke {
        /// Login name.
        username: String,
        /// Role.
        #[arg(long)]
        role: String,
        /// Site code.
        #[arg(long, required_unless_present = "group")]
        site: Option<String>,
        /// Group-wide.
        #[arg(long, conflicts_with = "site")]
        group: bool,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// CSV of dates with `date,is_workday` (1 or 0).
    Workdays {
        /// First date, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last date, YYYY-MM-DD (inclusive).
        #[arg(long)]
        to: String,
    },
    /// The deadline N working days after a receipt (Asia/Shanghai).
    Deadline {
        /// Receipt time, YYYY-MM-DDTHH:MM (Asia/Shanghai) or RFC 3339.
        #[arg(long)]
        start: String,
        /// Working days.
        #[arg(long)]
        days: u32,
        /// Also list the days counted and skipped.
        #[arg(long)]
        explain: bool,
    },
}

/// A CLI failure: a library error or a bad argument, printed as one line.
#[derive(Debug)]
pub(crate) enum CliError {
    Lib(Error),
    Usage(String),
    Io(std::io::Error),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Lib(e)
    }
}
impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}
impl From<sitegroup::CalendarError> for CliError {
    fn from(e: sitegroup::CalendarError) -> Self {
        CliError::Lib(Error::Calendar(e))
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Lib(e) => write!(f, "{e}"),
            CliError::Usage(m) => f.write_str(m),
            CliError::Io(e) => write!(f, "{e}"),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let line = e.to_string().replace('\n', " ");
            eprintln!("error: {line}");
            ExitCode::FAILURE
        }
    }
}

fn open(cli: &Cli) -> Result<SiteGroup, CliError> {
    #[cfg(feature = "postgres")]
    if let Some(url) = &cli.database_url {
        return Ok(SiteGroup::connect(url, &cli.data)?);
    }
    Ok(SiteGroup::open(&cli.data)?)
}

fn calendar(data: &Path) -> Result<WorkCalendar, CliError> {
    let mut cal = WorkCalendar::builtin();
    let extra = data.join(sitegroup::CALENDAR_FILE);
    if extra.exists() {
        cal.extend_from_file(&extra)?;
    }
    Ok(cal)
}

fn run(cli: Cli) -> Result<(), CliError> {
    let out = std::io::stdout();
    let mut out = out.lock();
    let me = Actor::system("cli");
    let origin = Origin::cli();
    match &cli.command {
        Command::Calendar(cmd) => return run_calendar(cmd, &calendar(&cli.data)?, &mut out),
        Command::Content(cmd) => return content::run(cmd, &cli.data, &mut out),
        Command::Init { admin } => {
            let group = open(&cli)?;
            let (user, password) = group.init(admin, &origin)?;
            writeln!(out, "initialised {}", cli.data.display())?;
            writeln!(out, "group administrator: {}", user.username)?;
            writeln!(out, "password (shown once): {password}")?;
        }
        Command::Unit(UnitCommand::Add { code, name, kind }) => {
            let group = open(&cli)?;
            let kind = UnitKind::parse(kind).map_err(Error::from)?;
            let unit = group.add_unit(&me, &origin, &NewUnit { code: code.clone(), name: name.clone(), kind })?;
            writeln!(out, "added unit {} {}", unit.code, unit.name)?;
        }
        Command::Unit(UnitCommand::List) => {
            let group = open(&cli)?;
            writeln!(out, "code\tkind\tname")?;
            for u in group.list_units(&me)? {
                writeln!(out, "{}\t{}\t{}", u.code, u.kind.as_str(), u.name)?;
            }
        }
        Command::Site(cmd) => run_site(&open(&cli)?, cmd, &me, &origin, &mut out)?,
        Command::User(cmd) => run_user(&open(&cli)?, cmd, &me, &origin, &mut out)?,
        Command::Columns(cmd) => columns::run(&open(&cli)?, cmd, &me, &origin, &mut out)?,
        Command::Stats(cmd) => stats::run(&open(&cli)?, cmd, &me, &origin, &mut out)?,
        Command::Search { query, suggest, site, kinds, limit, page, by_date, json } => {
            let args = search::SearchArgs {
                query: query.as_deref(),
                suggest: suggest.as_deref(),
                site: site.as_deref(),
                kinds,
                limit: *limit,
                page: *page,
                by_date: *by_date,
                json: *json,
            };
            search::search(&open(&cli)?, &args, &mut out)?;
        }
        Command::Reindex { quiet } => search::reindex(&open(&cli)?, *quiet, &mut out)?,
        Command::Check { site, json, xlsx } => {
            let args = check::CheckArgs { site: site.as_deref(), json: *json, xlsx: xlsx.as_deref() };
            check::run(&open(&cli)?, &me, &args, &mut out)?;
        }
        Command::Tickets(TicketsCommand::Import { file }) => {
            tickets::import(&open(&cli)?, &me, &origin, file, &mut out)?
        }
        Command::Tickets(TicketsCommand::Settings) => tickets::settings(&open(&cli)?, &me, &mut out)?,
        Command::Tickets(TicketsCommand::Set { key, value }) => {
            tickets::set(&open(&cli)?, &me, &origin, key, value, &mut out)?
        }
        Command::Report(ReportCommand::Monthly { month, as_of, json, xlsx }) => {
            let args = tickets::MonthlyArgs { month, as_of: as_of.as_deref(), json: *json, xlsx: xlsx.as_deref() };
            tickets::monthly(&open(&cli)?, &me, &args, &mut out)?;
        }
        Command::Report(ReportCommand::Annual { site, year, json, xlsx }) => {
            let args = tickets::AnnualArgs { site, year: *year, json: *json, xlsx: xlsx.as_deref() };
            tickets::annual(&open(&cli)?, &me, &args, &mut out)?;
        }
        Command::Report(ReportCommand::Syndication { month }) => {
            content::syndication_report(&open(&cli)?, &me, month, &mut out)?;
        }
        Command::Import { site, column, duty, quiet, file } => {
            let args = import::ImportArgs { site, column: column.as_deref(), duty, file, quiet: *quiet };
            import::import(&open(&cli)?, &me, &origin, &args, &mut out)?;
        }
        Command::Export { site, out: file, files } => {
            let group = open(&cli)?;
            let files = files.clone().unwrap_or_else(|| match file {
                Some(f) => PathBuf::from(format!("{}.files", f.display())),
                None => PathBuf::from("export-files"),
            });
            match file {
                Some(path) => {
                    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
                    let n = import::export(&group, &me, site, &files, &mut w)?;
                    w.flush()?;
                    writeln!(out, "exported {n} document(s) to {}", path.display())?;
                }
                None => {
                    import::export(&group, &me, site, &files, &mut out)?;
                }
            }
        }
        Command::Audit { site, group: _, since, limit } => {
            let group = open(&cli)?;
            let site = site.as_deref().map(|c| group.site(c)).transpose()?;
            let since = since.as_deref().map(parse_date).transpose()?.map(start_of_day_shanghai);
            let query = AuditQuery { site: site.map(|s| s.id), since, until: None, limit: Some(*limit) };
            writeln!(out, "time\tactor\taction\ttarget\torigin")?;
            for e in group.audit(&me, &query)? {
                let at = format_time(e.entry.at);
                writeln!(out, "{at}\t{}\t{}\t{}\t{}", e.entry.actor, e.entry.action, e.entry.target, e.entry.origin)?;
            }
        }
    }
    Ok(())
}

fn run_site(
    group: &SiteGroup,
    cmd: &SiteCommand,
    me: &Actor,
    origin: &Origin,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match cmd {
        SiteCommand::Add(a) => {
            let parent = a.parent.as_deref().map(|c| group.site(c)).transpose()?;
            let unit = a.unit.as_deref().map(|c| group.unit(c)).transpose()?;
            let new = NewSite {
                code: a.code.clone(),
                name: a.name.clone(),
                short_name: a.short_name.clone(),
                kind: a.kind.clone().unwrap_or_default(),
                parent: parent.map(|p| p.id),
                unit: unit.map(|u| u.id),
                path_prefix: a.path.clone(),
                hosts: a.host.clone(),
                identity: SiteIdentity {
                    site_code: a.site_id.clone(),
                    icp: a.icp.clone(),
                    police_filing: a.police_filing.clone(),
                },
                is_template: a.template,
            };
            let site = match &a.from_template {
                Some(t) => group.add_site_from_template(me, origin, t, &new)?,
                None if a.kind.is_none() => {
                    return Err(CliError::Usage("--kind is required (or use --from-template)".into()));
                }
                None => group.add_site(me, origin, &new)?,
            };
            writeln!(
                out,
                "added site {} ({}) at {}",
                site.code,
                site.kind.as_str(),
                site.path_prefix.as_deref().unwrap_or("/")
            )?;
        }
        SiteCommand::List => {
            let tree = group.site_tree()?;
            writeln!(out, "code\tkind\tstatus\tpath\tparent\tname")?;
            for s in tree.sites() {
                let parent = s.parent.and_then(|p| tree.get(p)).map_or("-", |p| p.code.as_str());
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    s.code,
                    s.kind.as_str(),
                    s.status.as_str(),
                    s.path_prefix.as_deref().unwrap_or("-"),
                    parent,
                    s.name
                )?;
            }
        }
        SiteCommand::Show { code } => {
            let tree = group.site_tree()?;
            let s = group.site(code)?;
            let identity = tree.identity(s.id);
            let unit = match s.unit {
                Some(u) => {
                    group.list_units(me)?.into_iter().find(|x| x.id == u).map(|x| format!("{} {}", x.code, x.name))
                }
                None => None,
            };
            let dash = |v: Option<&str>| v.unwrap_or("-").to_string();
            writeln!(out, "code: {}", s.code)?;
            writeln!(out, "name: {}", s.name)?;
            writeln!(out, "short_name: {}", dash(s.short_name.as_deref()))?;
            writeln!(out, "kind: {}", s.kind.as_str())?;
            writeln!(out, "parent: {}", dash(s.parent.and_then(|p| tree.get(p)).map(|p| p.code.as_str())))?;
            writeln!(out, "unit: {}", dash(unit.as_deref()))?;
            writeln!(out, "path: {}", dash(s.path_prefix.as_deref()))?;
            writeln!(out, "hosts: {}", if s.hosts.is_empty() { "-".into() } else { s.hosts.join(", ") })?;
            writeln!(out, "site_id: {}", dash(identity.site_code.as_deref()))?;
            writeln!(out, "icp: {}", dash(identity.icp.as_deref()))?;
            writeln!(out, "police_filing: {}", dash(identity.police_filing.as_deref()))?;
            writeln!(out, "template: {}", s.is_template)?;
            match &s.status {
                SiteStatus::Open => writeln!(out, "status: open")?,
                SiteStatus::Archived => writeln!(out, "status: archived")?,
                SiteStatus::Closed { notice, redirect } => {
                    writeln!(out, "status: closed")?;
                    writeln!(out, "notice: {notice}")?;
                    writeln!(out, "redirect: {}", dash(redirect.as_deref()))?;
                }
            }
        }
        SiteCommand::Close { code, notice, redirect } => {
            let s = group.close_site(me, origin, code, notice, redirect.as_deref())?;
            writeln!(out, "closed site {}", s.code)?;
        }
        SiteCommand::Reopen { code } => {
            let s = group.reopen_site(me, origin, code)?;
            writeln!(out, "reopened site {}", s.code)?;
        }
        SiteCommand::Archive { code } => {
            let s = group.archive_site(me, origin, code)?;
            writeln!(out, "archived site {}", s.code)?;
        }
        SiteCommand::Move { code, parent, root: _ } => {
            let s = group.move_site(me, origin, code, parent.as_deref())?;
            writeln!(out, "moved site {}", s.code)?;
        }
    }
    Ok(())
}

fn scope_of(group: &SiteGroup, site: Option<&str>) -> Result<Scope, CliError> {
    Ok(match site {
        Some(code) => Scope::Site(group.site(code)?.id),
        None => Scope::Group,
    })
}

fn parse_role(role: &str) -> Result<Role, CliError> {
    Role::parse(role).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown role {role:?}; use group_admin, site_admin, editor, reviewer, handler or leader"
        ))
    })
}

fn run_user(
    group: &SiteGroup,
    cmd: &UserCommand,
    me: &Actor,
    origin: &Origin,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match cmd {
        UserCommand::Add { username, name, unit, password_stdin } => {
            let unit = unit.as_deref().map(|c| group.unit(c)).transpose()?;
            let typed = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let new = NewUser { username: username.clone(), display_name: name.clone(), unit: unit.map(|u| u.id) };
            let (user, generated) = group.add_user(me, origin, &new, typed.as_deref())?;
            writeln!(out, "added user {}", user.username)?;
            if let Some(p) = generated {
                writeln!(out, "password (shown once): {p}")?;
            }
        }
        UserCommand::List => {
            let tree = group.site_tree()?;
            writeln!(out, "username\tname\tactive\tgrants")?;
            for u in group.list_users(me)? {
                let grants: Vec<String> = group
                    .grants(me, &u.username)?
                    .iter()
                    .map(|g| match g.scope {
                        Scope::Group => format!("{}@group", g.role.as_str()),
                        Scope::Site(s) => {
                            format!("{}@{}", g.role.as_str(), tree.get(s).map_or("?", |x| x.code.as_str()))
                        }
                        Scope::Column { site, column } => {
                            format!("{}@{}#{column}", g.role.as_str(), tree.get(site).map_or("?", |x| x.code.as_str()))
                        }
                    })
                    .collect();
                writeln!(out, "{}\t{}\t{}\t{}", u.username, u.display_name, u.active, grants.join(","))?;
            }
        }
        UserCommand::Grant { username, role, site, group: _ } => {
            let grant = Grant { role: parse_role(role)?, scope: scope_of(group, site.as_deref())? };
            let added = group.grant(me, origin, username, grant)?;
            writeln!(out, "{} {} to {}", if added { "granted" } else { "already held:" }, role, username)?;
        }
        UserCommand::Revoke { username, role, site, group: _ } => {
            let grant = Grant { role: parse_role(role)?, scope: scope_of(group, site.as_deref())? };
            let removed = group.revoke(me, origin, username, grant)?;
            writeln!(out, "{} {} from {}", if removed { "revoked" } else { "not held:" }, role, username)?;
        }
    }
    Ok(())
}

/// Unix seconds as RFC 3339 on the Beijing wall clock.
pub(crate) fn format_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).map(|t| t.with_timezone(&shanghai()).to_rfc3339()).unwrap_or_default()
}

fn shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"))
}

fn parse_date(s: &str) -> Result<NaiveDate, CliError> {
    let folded = fold_width(s.trim());
    NaiveDate::parse_from_str(&folded, "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("malformed date {s:?}: use YYYY-MM-DD, e.g. 2025-10-01")))
}

fn start_of_day_shanghai(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).and_then(|t| shanghai().from_local_datetime(&t).single()).map_or(0, |t| t.timestamp())
}

fn parse_start(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, CliError> {
    let folded = fold_width(s.trim());
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&folded) {
        return Ok(t);
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&folded, fmt)
            && let Some(t) = shanghai().from_local_datetime(&t).single()
        {
            return Ok(t);
        }
    }
    Err(CliError::Usage(format!("malformed start {s:?}: use YYYY-MM-DDTHH:MM (Asia/Shanghai), e.g. 2025-01-27T10:00")))
}

fn run_calendar(cmd: &CalendarCommand, cal: &WorkCalendar, out: &mut impl Write) -> Result<(), CliError> {
    match cmd {
        CalendarCommand::Workdays { from, to } => {
            let (from, to) = (parse_date(from)?, parse_date(to)?);
            if to < from {
                return Err(CliError::Usage("--to is before --from".into()));
            }
            if (to - from).num_days() > 366 * 20 {
                return Err(CliError::Usage("at most 20 years at a time".into()));
            }
            // Check the whole range first so a missing year fails before any output.
            let days: Vec<(NaiveDate, bool)> = from
                .iter_days()
                .take_while(|d| *d <= to)
                .map(|d| cal.is_workday(d).map(|w| (d, w)))
                .collect::<Result<_, _>>()?;
            writeln!(out, "date,is_workday")?;
            for (d, w) in days {
                writeln!(out, "{d},{}", u8::from(w))?;
            }
        }
        CalendarCommand::Deadline { start, days, explain } => {
            let start = parse_start(start)?;
            let deadline = cal.add_working_days(&start, *days)?;
            writeln!(out, "{}", deadline.due.to_rfc3339())?;
            if *explain {
                writeln!(out, "{}", deadline.explain())?;
            }
        }
    }
    Ok(())
}
