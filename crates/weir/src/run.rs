//! `weir run`: the monitor. Sources → engine thread → sinks, as docs/architecture.md
//! draws it; this module only wires them.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use weir_pipeline::config::Config;
use weir_pipeline::run::{ExecOptions, RunOutcome, alerts_by_plugin, monitor, report_json};
use weir_pipeline::{scripts, snapshot, timeseries};

/// Arguments of `weir run`. Flags override the configuration file.
#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Configuration file (TOML; `weir config default` prints a commented one).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Capture file to replay (repeatable: replayed in order as one interface).
    #[arg(long)]
    pub pcap: Vec<PathBuf>,
    /// Live interface to capture on (repeatable).
    #[arg(long)]
    pub interface: Vec<String>,
    /// Replay each capture file as its own interface (its own engine and plugins).
    #[arg(long)]
    pub separate_interfaces: bool,
    /// Syslog listener: `udp://ADDR:PORT`, `tcp://ADDR:PORT`, or `ADDR:PORT` for both
    /// (repeatable). weir then runs until signalled.
    #[arg(long)]
    pub syslog: Vec<String>,
    /// Local network, CIDR (repeatable; replaces the configured list).
    #[arg(long = "local-net")]
    pub local_net: Vec<String>,
    /// Plugin directory to load besides the built-in plugins (repeatable): one plugin
    /// (it has `manifest.lua` or `user_scripts/`) or a directory of plugins.
    #[arg(long)]
    pub plugins: Vec<PathBuf>,
    /// Do not load the built-in plugins.
    #[arg(long)]
    pub no_builtin_plugins: bool,
    /// Data directory (alert store, timeseries); also `WEIR_DATA_DIR`.
    #[arg(long, env = "WEIR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Replay speed for capture files: 0 as fast as possible, 1 real time.
    #[arg(long)]
    pub replay_speed: Option<f64>,
    /// Worker threads per interface (`[run] workers`): flows are spread over them by a
    /// hash of their 5-tuple, with the same flows, alerts and timeseries as one; 1 is a
    /// single engine thread. Default: the cores but one, at least 1 and at most 8 (1 with --web or
    /// --syslog).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// No progress display (set by the global `--quiet`).
    #[arg(skip)]
    pub quiet: bool,
    /// Print the end-of-run summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Serve the web UI and REST API on ADDR (e.g. `127.0.0.1:3000`; port 0 picks one);
    /// weir then keeps serving after a replay ends, until signalled.
    #[arg(long, value_name = "ADDR")]
    pub web: Option<String>,
    /// Timeseries: `embedded` (the default, in the data directory), `off`, or
    /// `influxdb=http://HOST:PORT/DBNAME` (credentials in the config file).
    #[arg(long, value_name = "SPEC")]
    pub timeseries: Option<String>,
    /// Write the flow history and alerts to ClickHouse: `http://HOST:PORT/DATABASE`
    /// (credentials in `[clickhouse]`); else ended flows go to the data directory's
    /// `history.sqlite`.
    #[arg(long, value_name = "URL")]
    pub clickhouse: Option<String>,
    /// Probe name written in every flow and alert of the history (default: the host
    /// name).
    #[arg(long, value_name = "NAME")]
    pub probe_name: Option<String>,
    /// Do not keep the flow history (no `history.sqlite`, no ClickHouse).
    #[arg(long)]
    pub no_history: bool,
    /// Block list file (repeatable): addresses, networks, domains, hosts-file lines,
    /// one per line; added to `[lists]`, named after the file.
    #[arg(long, value_name = "FILE")]
    pub blocklist: Vec<PathBuf>,
    /// MaxMind DB file (repeatable): a GeoLite2/GeoIP2 Country, City or ASN database.
    #[arg(long = "geoip-db", value_name = "FILE")]
    pub geoip_db: Vec<PathBuf>,
    /// Category file (repeatable): `<host-or-ip-or-cidr> <nDPI category>` per line.
    #[arg(long = "categories", value_name = "FILE")]
    pub categories: Vec<PathBuf>,
}

impl Args {
    /// The configuration: the file (or defaults) with the flags applied.
    ///
    /// # Errors
    /// An unreadable or invalid file, or an invalid flag value.
    pub fn config(&self) -> Result<Config> {
        let mut cfg = match &self.config {
            Some(path) => Config::load(path)?,
            None => Config::default(),
        };
        if !self.pcap.is_empty() {
            cfg.sources.pcap = self.pcap.clone();
        }
        if !self.interface.is_empty() {
            cfg.sources.interfaces = self.interface.clone();
        }
        if !self.syslog.is_empty() {
            cfg.sources.syslog = self.syslog.clone();
        }
        cfg.sources.separate_interfaces |= self.separate_interfaces;
        cfg.plugins.dirs.extend(self.plugins.iter().cloned());
        if self.no_builtin_plugins {
            cfg.plugins.builtin = false;
        }
        if !self.local_net.is_empty() {
            for n in &self.local_net {
                n.parse::<ipnet::IpNet>().with_context(|| {
                    format!("--local-net {n:?}: not a CIDR network (e.g. 192.168.1.0/24)")
                })?;
            }
            cfg.local_networks = self.local_net.clone();
        }
        if let Some(d) = &self.data_dir {
            cfg.data_dir = d.clone();
        }
        if let Some(w) = &self.web {
            cfg.web.listen = w.clone();
        }
        if let Some(t) = &self.timeseries {
            cfg.timeseries.apply_flag(t)?;
        }
        if let Some(u) = &self.clickhouse {
            weir_history::clickhouse::ClickHouseConfig::from_url(u)
                .map_err(|e| anyhow::anyhow!("--clickhouse: {e}"))?;
            cfg.clickhouse.url = u.clone();
        }
        if let Some(p) = &self.probe_name {
            cfg.history.probe_name = p.clone();
        }
        if self.no_history {
            cfg.history.enabled = false;
            cfg.clickhouse.url.clear();
        }
        cfg.lists.blocklists.extend(self.blocklist.iter().map(|p| {
            weir_pipeline::config::ListFile {
                name: String::new(),
                path: p.clone(),
                kind: "auto".into(),
            }
        }));
        cfg.geoip.databases.extend(self.geoip_db.iter().cloned());
        cfg.categories.files.extend(self.categories.iter().cloned());
        if let Some(w) = self.workers {
            if w == 0 {
                bail!("--workers must be at least 1");
            }
            cfg.run.workers = w;
        }
        if let Some(s) = self.replay_speed {
            if !(s >= 0.0 && s.is_finite()) {
                bail!("--replay-speed must be 0 or a positive number");
            }
            cfg.sources.replay_speed = s;
        }
        Ok(cfg)
    }
}

/// Prints the alerts and plugin lines of the text summary.
pub fn print_report(
    outcome: &RunOutcome<scripts::ScriptReport>,
    tally: &scripts::AlertTally,
    db: &std::path::Path,
) {
    outcome.print();
    let total: u64 = tally.by_type.values().sum();
    crate::out::outln!(
        "alerts raised: {total} (stored: {})",
        weir_pipeline::run::alerts_stored(outcome, tally)
    );
    for (name, n) in &tally.by_type {
        crate::out::outln!("  {name:<40} {n:>8}");
    }
    if !tally.by_severity.is_empty() {
        let sev: Vec<String> = tally
            .by_severity
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        crate::out::outln!("  by severity: {}", sev.join(", "));
    }
    let by_plugin = alerts_by_plugin(outcome, tally);
    if !by_plugin.is_empty() {
        crate::out::outln!("alerts by plugin ({} plugins):", by_plugin.len());
        for (plugin, n) in &by_plugin {
            crate::out::outln!("  {plugin:<40} {n:>8}");
        }
    }
    for i in &outcome.interfaces {
        let active = i.report.scripts.iter().filter(|s| s.active).count();
        crate::out::outln!(
            "scripts on {}: {active} active, {} hook errors, {} plugin load problems",
            i.summary.interface,
            i.report.errors(),
            i.report.load_problems.len()
        );
        for p in &i.report.load_problems {
            crate::out::outln!("  {p}");
        }
        for s in i.report.scripts.iter().filter(|s| s.errors > 0) {
            crate::out::outln!(
                "  {}/{}: {} errors{}{}",
                s.plugin,
                s.key,
                s.errors,
                if s.disabled { ", disabled" } else { "" },
                s.last_error
                    .as_deref()
                    .map(|e| format!(" (last: {e})"))
                    .unwrap_or_default()
            );
        }
        let costliest = i.report.costliest(5);
        if !costliest.is_empty() {
            crate::out::outln!("costliest scripts (time in their hooks):");
            for s in costliest {
                crate::out::outln!("  {}", scripts::cost_line(s));
            }
        }
    }
    crate::out::outln!(
        "alerts are stored in {} (read them with `weir alerts --data-dir {}`)",
        db.display(),
        db.parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
}

/// `weir.pid` in the data directory while a monitor runs, so that `weir plugins reload`
/// can find it; removed when the run ends.
struct PidFile(Option<PathBuf>);

impl PidFile {
    /// Name of the file in the data directory.
    const NAME: &str = "weir.pid";

    fn create(data_dir: &std::path::Path) -> PidFile {
        let path = data_dir.join(Self::NAME);
        let written = std::fs::create_dir_all(data_dir)
            .and_then(|()| std::fs::write(&path, format!("{}\n", std::process::id())));
        match written {
            Ok(()) => PidFile(Some(path)),
            Err(e) => {
                tracing::warn!(
                    "cannot write {}: {e} (weir plugins reload will not find this process)",
                    path.display()
                );
                PidFile(None)
            }
        }
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let Some(path) = &self.0 else { return };
        let ours =
            std::fs::read_to_string(path).is_ok_and(|s| s.trim() == std::process::id().to_string());
        if ours {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The process id of the monitor running on `data_dir`, from its pid file.
///
/// # Errors
/// No pid file, or one that does not hold a process id.
pub fn running_pid(data_dir: &std::path::Path) -> Result<u32> {
    let path = data_dir.join(PidFile::NAME);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: no running weir found (it writes this file while it runs)",
            path.display()
        )
    })?;
    text.trim()
        .parse()
        .with_context(|| format!("{}: not a process id", path.display()))
}

/// Runs `weir run`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let cfg = args.config()?;
    // Plugin directories and sources first: a missing one stops here, before the data
    // directory and its stores are created.
    weir_pipeline::builtin::PluginSet::new(cfg.plugins.builtin, &cfg.plugins.dirs)?;
    weir_pipeline::run::sources(&cfg)?;
    let _pid = PidFile::create(&cfg.data_dir);
    // Opened before the web server, which reads it (`TsService::query`).
    let timeseries = timeseries::TsService::open(&cfg)?;
    // The web server reads the engine's snapshots and keeps serving after a replay.
    let snapshots = Arc::new(snapshot::SnapshotCell::default());
    let web = if cfg.web.listen.trim().is_empty() {
        None
    } else {
        Some(
            weir_web::WebServer::start(&cfg, snapshots.clone())?
                .with_timeseries(timeseries.as_ref()),
        )
    };
    let opts = ExecOptions {
        quiet: args.quiet,
        snapshots: web.is_some().then_some(snapshots),
        until_signal: web.is_some(),
        syslog_handler: None,
        timeseries,
    };
    let result = monitor(&cfg, opts);
    if let Some(w) = web {
        w.stop();
    }
    let (outcome, tally) = result?;
    for i in &outcome.interfaces {
        for p in &i.summary.source_problems {
            eprintln!("weir: warning: {p}");
        }
    }
    if outcome.interrupted {
        eprintln!("weir: stopped by a signal; the final visit ran and the stores were flushed");
    }
    if args.json {
        crate::out::outln!("{}", report_json(&outcome, &tally));
    } else {
        print_report(&outcome, &tally, &cfg.data_dir.join("alerts.db"));
    }
    Ok(ExitCode::SUCCESS)
}
