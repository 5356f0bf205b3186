//! Run with: cargo run --release -p portal
//!
//! The example portal of a county site group. It opens (or creates) the data directory
//! (`--data`, default `./data`; with the `postgres` feature, `--database-url` puts the
//! database in PostgreSQL), seeds a demo group on first start — the county portal of
//! 无为县人民政府 with 45 department and 23 township channels and one site administrator
//! each — prints the group administrator's password once, writes every demo account to
//! `DATA/demo-accounts.txt`, and serves the portal on `--listen` (default
//! `127.0.0.1:8080`): open `/` for the portal, `/jyj` for a channel, `/login` for the
//! back office.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use portal::{
    AppState, MailSetup, Options, app, demo, flush_stats, spawn_interaction_tasks, spawn_search_poll,
    spawn_site_refresh, spawn_stats_flush,
};
use sitegroup::SmtpMailer;
use sitegroup::{Actor, SiteGroup};

/// How often each node reloads the site tree (other nodes may have changed it).
const REFRESH_EVERY: Duration = Duration::from_secs(5);
/// How often the search index follows the outbox (a publish is searchable within this).
const SEARCH_POLL_EVERY: Duration = Duration::from_secs(2);
/// How often leader mail is forwarded in its batches and due letters are urged.
const INTERACTION_EVERY: Duration = Duration::from_secs(300);
/// How often buffered page views are written (aggregated every 12th time, i.e. each minute).
const STATS_FLUSH_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Parser)]
#[command(name = "portal", version, about = "Example portal of a county government site group.")]
struct Args {
    /// Data directory (embedded database, search index, files); created if missing.
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// PostgreSQL URL; when set the database lives there and --data keeps the files.
    #[cfg(feature = "postgres")]
    #[arg(long, env = "SITEGROUP_DATABASE_URL")]
    database_url: Option<String>,
    /// Mark cookies `Secure` (set this when the portal is served over HTTPS).
    #[arg(long)]
    secure_cookies: bool,
    /// SMTP server for reminder, urging and answer e-mail, e.g.
    /// `smtps://user:password@mail.example.gov.cn` or `smtp://host:587?tls=required`;
    /// without it no mail is sent. Recipients are set per unit in the interaction
    /// settings (`interaction.mail.unit.CODE`, `interaction.mail.leader.CODE`).
    #[arg(long, env = "SITEGROUP_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of that mail, e.g. `信息中心 <xxzx@example.gov.cn>`.
    #[arg(long, env = "SITEGROUP_MAIL_FROM", default_value = "sitegroup@localhost")]
    mail_from: String,
    /// The portal's public address, for links in mail (default: http://LISTEN).
    #[arg(long, env = "SITEGROUP_PUBLIC_URL")]
    public_url: Option<String>,
    /// Text corpus for the demo documents (one paragraph a line); default: the
    /// workspace's ../shared/corpus/peoples-daily-199801.txt, else built-in templates.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// How often the self-check's availability probe runs in the background: a number
    /// with `h`, `m` or `s` (a bare number is hours); `0` disables it.
    #[arg(long, default_value = "6h", value_parser = parse_every)]
    probe_every: Duration,
    /// Size of the demo group seeded on first start: `full` (the seed's volumes, tens of
    /// thousands of documents) or `small` (the same sites and columns with a few
    /// documents each: quick starts for browser checks).
    #[arg(long, default_value = "full", value_parser = parse_scale)]
    demo_scale: demo::Scale,
}

/// `full` or `small`.
fn parse_scale(s: &str) -> Result<demo::Scale, String> {
    match s.trim() {
        "full" => Ok(demo::Scale::Full),
        "small" => Ok(demo::Scale::Small),
        other => Err(format!("expected full or small, got {other:?}")),
    }
}

/// `6h`, `30m`, `90s` or `6` (hours) as a duration; `0` is zero (disabled).
fn parse_every(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.char_indices().last() {
        Some((i, 'h' | 'H')) => (&s[..i], 3_600),
        Some((i, 'm' | 'M')) => (&s[..i], 60),
        Some((i, 's' | 'S')) => (&s[..i], 1),
        _ => (s, 3_600),
    };
    let n: u64 = number.trim().parse().map_err(|_| format!("expected e.g. 6h, 30m, 90s or 0, got {s:?}"))?;
    n.checked_mul(unit).map(Duration::from_secs).ok_or_else(|| format!("{s:?} is too long"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portal: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open(args: &Args) -> Result<SiteGroup, sitegroup::Error> {
    #[cfg(feature = "postgres")]
    if let Some(url) = &args.database_url {
        return SiteGroup::connect(url, &args.data);
    }
    SiteGroup::open(&args.data)
}

fn run(args: Args) -> Result<(), String> {
    let group = open(&args).map_err(|e| format!("cannot open the site group in {}: {e}", args.data.display()))?;
    if !group.is_initialised().map_err(|e| e.to_string())? {
        seed(&group, &args)?;
    }
    let state =
        AppState::with_options(Arc::new(group), &Options { secure_cookies: args.secure_cookies, ..Options::default() })
            .map_err(|e| e.to_string())?;
    // Checked before serving: a wrong SMTP URL stops the start with a clear message.
    let mail = match &args.smtp_url {
        Some(url) => Some(MailSetup {
            mailer: Arc::new(
                SmtpMailer::from_url(url, &args.mail_from).map_err(|e| format!("--smtp-url / --mail-from: {e}"))?,
            ),
            base_url: args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen)),
        }),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    // The self-check's periodic availability probe (`--probe-every`; stops with the runtime).
    let _probe = {
        let _entered = runtime.enter();
        portal::spawn_selfcheck_probe(state.clone(), args.probe_every, portal::ProbeLimits::default())
    };
    runtime.block_on(serve(state, args.listen, mail))
}

/// First start: the demo group, with a progress bar.
fn seed(group: &SiteGroup, args: &Args) -> Result<(), String> {
    let units = group.list_units(&Actor::system("seed")).map_err(|e| e.to_string())?;
    if !units.is_empty() {
        return Err(format!(
            "{} holds a group that is not initialised but has {} units (an interrupted first start?); \
             remove the data directory (or database) and start again",
            args.data.display(),
            units.len()
        ));
    }
    let started = Instant::now();
    let bar = ProgressBar::new(demo::steps_with(args.demo_scale));
    bar.set_style(
        ProgressStyle::with_template("{spinner} 正在创建演示站群 [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let seeded = demo::seed_report(group, args.demo_scale, args.corpus.as_deref(), &mut |done| {
        bar.set_message(done.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    let (seeded, report) = seeded.map_err(|e| format!("seeding the demo group failed: {e}"))?;
    let accounts = args.data.join("demo-accounts.txt");
    demo::write_accounts(&accounts, &seeded).map_err(|e| format!("cannot write {}: {e}", accounts.display()))?;
    println!(
        "演示站群已创建：{} 个站点、{} 个账户，用时 {:.1} 秒。",
        group.site_tree().map(|t| t.sites().len()).unwrap_or_default(),
        seeded.accounts.len(),
        started.elapsed().as_secs_f64()
    );
    // The seeded documents are searchable before the first visitor arrives.
    let indexing = Instant::now();
    group.search_poll().map_err(|e| format!("building the search index failed: {e}"))?;
    println!("搜索索引已建立，用时 {:.1} 秒。", indexing.elapsed().as_secs_f64());
    let kinds: Vec<String> = report.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "栏目 {} 个，已发布信息 {} 条（{}），正文取自{}。",
        report.columns,
        report.total(),
        kinds.join("，"),
        if report.from_corpus { "语料库" } else { "内置模板" }
    );
    if report.refused > 0 {
        eprintln!(
            "portal: {} demo documents were refused by the import: {}",
            report.refused,
            report.first_refusal.as_deref().unwrap_or("")
        );
    }
    if let Some(admin) = seeded.admin() {
        println!("站群管理员 / group admin: {}  密码 / password: {}", admin.username, admin.password);
    }
    println!("全部演示账户 / all demo accounts: {}", accounts.display());
    Ok(())
}

async fn serve(state: AppState, listen: SocketAddr, mail: Option<MailSetup>) -> Result<(), String> {
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let refresh = spawn_site_refresh(state.clone(), REFRESH_EVERY);
    let search = spawn_search_poll(state.clone(), SEARCH_POLL_EVERY);
    let interaction = spawn_interaction_tasks(state.clone(), INTERACTION_EVERY, mail);
    let visits = spawn_stats_flush(state.clone(), STATS_FLUSH_EVERY);
    println!("门户已启动 / portal listening on http://{listen}/");
    let result = axum::serve(listener, app(state.clone()).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server error: {e}"));
    refresh.abort();
    search.abort();
    interaction.abort();
    visits.abort();
    // The page views still in memory.
    if let Err(e) = flush_stats(&state, true).await {
        eprintln!("portal: storing page views failed: {e}");
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_scale_is_full_or_small() {
        assert_eq!(parse_scale("full"), Ok(demo::Scale::Full));
        assert_eq!(parse_scale(" small"), Ok(demo::Scale::Small));
        assert!(parse_scale("huge").is_err());
    }

    #[test]
    fn probe_every_takes_hours_minutes_seconds_and_zero() {
        assert_eq!(parse_every("6h"), Ok(Duration::from_secs(6 * 3_600)));
        assert_eq!(parse_every("6"), Ok(Duration::from_secs(6 * 3_600)));
        assert_eq!(parse_every("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_every(" 90s "), Ok(Duration::from_secs(90)));
        assert_eq!(parse_every("0"), Ok(Duration::ZERO));
        assert!(parse_every("").is_err() && parse_every("6 hours").is_err() && parse_every("-1h").is_err());
        let args = Args::try_parse_from(["portal"]).map(|a| a.probe_every);
        assert_eq!(args.ok(), Some(Duration::from_secs(6 * 3_600)), "the default is six hours");
        let args = Args::try_parse_from(["portal", "--probe-every", "0"]).map(|a| a.probe_every);
        assert_eq!(args.ok(), Some(Duration::ZERO));
    }
}
