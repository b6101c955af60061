//! `weir history`: reads the flow history — the embedded store of a data directory,
//! or ClickHouse (every probe's flows) when `--clickhouse` or `[clickhouse] url` says so.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use weir_history::query::{format_time, parse_time};
use weir_history::record::bit_ids;
use weir_history::{FlowFilter, FlowQuery, GroupBy, HistoryReader};
use weir_pipeline::config::Config;

/// Arguments of `weir history`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Ended flows, newest first, with filters and paging.
    Flows(Query),
    /// Top-N aggregation over the filtered flows (talkers, protocols, ports, probes).
    Top(Top),
    /// The probes that wrote flows.
    Probes(Source),
}

/// Where the history is read from.
#[derive(clap::Args)]
struct Source {
    /// Configuration file (its data directory and `[clickhouse]` section).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Data directory holding `history.sqlite`; also `WEIR_DATA_DIR`.
    #[arg(long, env = "WEIR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Read ClickHouse instead: `http://HOST:PORT/DATABASE` (credentials in the
    /// configuration file).
    #[arg(long, value_name = "URL")]
    clickhouse: Option<String>,
}

impl Source {
    fn reader(&self) -> Result<Box<dyn HistoryReader>> {
        let mut cfg = match &self.config {
            Some(p) => Config::load(p)?,
            None => Config::default(),
        };
        if let Some(d) = &self.data_dir {
            cfg.data_dir = d.clone();
        }
        if let Some(u) = &self.clickhouse {
            cfg.clickhouse.url = u.clone();
        }
        weir_pipeline::history::reader(&cfg)
    }
}

/// The filters.
#[derive(clap::Args)]
struct Filters {
    /// Flows active at or after this time: epoch seconds, `-2h`/`-30m`/`-7d`, or
    /// `YYYY-MM-DD[THH:MM[:SS]]` (UTC).
    #[arg(long, allow_hyphen_values = true)]
    since: Option<String>,
    /// Flows active at or before this time (same forms).
    #[arg(long, allow_hyphen_values = true)]
    until: Option<String>,
    /// Client or server address.
    #[arg(long)]
    host: Option<String>,
    /// L7 protocol: the label (`TLS.YouTube`) or either part (`TLS`, `YouTube`).
    #[arg(long)]
    l7: Option<String>,
    /// Probe name.
    #[arg(long)]
    probe: Option<String>,
}

impl Filters {
    fn filter(&self) -> Result<FlowFilter> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let t = |s: &Option<String>, flag: &str| -> Result<Option<u64>> {
            s.as_deref()
                .map(|v| parse_time(v, now).map_err(|e| anyhow!("--{flag}: {e}")))
                .transpose()
        };
        Ok(FlowFilter {
            since: t(&self.since, "since")?,
            until: t(&self.until, "until")?,
            host: self.host.clone(),
            l7: self.l7.clone(),
            probe: self.probe.clone(),
        })
    }
}

#[derive(clap::Args)]
struct Query {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    filters: Filters,
    /// At most this many flows.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Skip this many first.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// One JSON object: `{"total": N, "flows": [...]}`.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct Top {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    filters: Filters,
    /// Group by: host, l7, port or probe.
    #[arg(long, default_value = "host")]
    by: String,
    /// How many groups.
    #[arg(long, short = 'n', default_value_t = 10)]
    n: usize,
    /// JSON array.
    #[arg(long)]
    json: bool,
}

/// Runs `weir history`.
pub fn run(args: &Args) -> Result<ExitCode> {
    match &args.cmd {
        Sub::Flows(q) => flows(q),
        Sub::Top(t) => top(t),
        Sub::Probes(s) => {
            for p in s.reader()?.probes()? {
                crate::out::outln!("{p}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn flows(q: &Query) -> Result<ExitCode> {
    if q.limit > 100_000 {
        bail!("--limit {}: at most 100000", q.limit);
    }
    let r = q.source.reader()?;
    let page = r.flows(&FlowQuery {
        filter: q.filters.filter()?,
        limit: q.limit,
        offset: q.offset,
    })?;
    if q.json {
        crate::out::outln!("{}", serde_json::to_string(&page)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::out::outln!(
        "{:<19} {:>8} {:<10} {:<5} {:>41} {:>41} {:<18} {:>10} {:>8} {:>5} {}",
        "last seen (UTC)",
        "duration",
        "probe",
        "l4",
        "client",
        "server",
        "l7",
        "bytes",
        "packets",
        "score",
        "info"
    );
    for f in &page.flows {
        let ep = |ip: std::net::IpAddr, port: u16| match ip {
            std::net::IpAddr::V6(_) => format!("[{ip}]:{port}"),
            std::net::IpAddr::V4(_) => format!("{ip}:{port}"),
        };
        let mut info = f.info.clone();
        let statuses: Vec<String> = bit_ids(f.statuses).map(|b| b.to_string()).collect();
        if !statuses.is_empty() {
            info.push_str(&format!(" statuses={}", statuses.join(",")));
        }
        crate::out::outln!(
            "{:<19} {:>7}s {:<10} {:<5} {:>41} {:>41} {:<18} {:>10} {:>8} {:>5} {}",
            format_time(f.last_seen_us / 1_000_000),
            f.last_seen_us.saturating_sub(f.first_seen_us) / 1_000_000,
            f.probe,
            weir_flow::l4_name(f.l4),
            ep(f.cli_ip, f.cli_port),
            ep(f.srv_ip, f.srv_port),
            f.l7_proto,
            f.bytes(),
            f.packets(),
            f.score,
            info.trim()
        );
    }
    crate::out::outln!(
        "{} of {} flows (offset {}) from {}",
        page.flows.len(),
        page.total,
        q.offset,
        r.describe()
    );
    Ok(ExitCode::SUCCESS)
}

fn top(t: &Top) -> Result<ExitCode> {
    let by = GroupBy::from_name(&t.by)
        .ok_or_else(|| anyhow!("--by {:?}: expected host, l7, port or probe", t.by))?;
    let r = t.source.reader()?;
    let rows = r.top(&t.filters.filter()?, by, t.n)?;
    if t.json {
        crate::out::outln!("{}", serde_json::to_string(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::out::outln!(
        "{:<40} {:>8} {:>14} {:>10}",
        t.by,
        "flows",
        "bytes",
        "packets"
    );
    for e in &rows {
        crate::out::outln!(
            "{:<40} {:>8} {:>14} {:>10}",
            e.key,
            e.flows,
            e.bytes,
            e.packets
        );
    }
    Ok(ExitCode::SUCCESS)
}
