//! `weir run`: the monitor. Sources → engine thread → sinks, as docs/architecture.md
//! draws it; this module only wires them.

pub mod engine;
pub mod scripts;
pub mod snapshot;
pub mod source;
pub mod summary;
pub mod syslog;
pub mod talkers;
pub mod timeseries;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use weir_flow::{EngineConfig, EventMode};

use crate::config::Config;
use engine::{Driver, EngineProgress};
use source::{SourceSpec, SourceStats};
use summary::Summary;

/// Capacity of the source → engine channel, in batches.
const QUEUE_BATCHES: usize = 64;

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
    /// No progress display.
    #[arg(long, short)]
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
        if let Some(s) = self.replay_speed {
            if !(s >= 0.0 && s.is_finite()) {
                bail!("--replay-speed must be 0 or a positive number");
            }
            cfg.sources.replay_speed = s;
        }
        Ok(cfg)
    }
}

/// The flow engine's configuration from weir's.
pub fn engine_config(cfg: &Config, kind: weir_flow::SourceKind) -> EngineConfig {
    let f = &cfg.flows;
    EngineConfig {
        visit_interval_secs: f.visit_interval_secs,
        max_idle_secs: f.idle_timeout_secs,
        closed_idle_secs: f.closed_timeout_secs,
        periodic_update_secs: f.periodic_update_secs,
        max_flows: usize::try_from(f.max_flows).unwrap_or(usize::MAX),
        max_hosts: usize::try_from(f.max_hosts).unwrap_or(usize::MAX),
        local_networks: cfg
            .local_networks
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect(),
        events: if cfg.sources.pcap_dump_mode {
            EventMode::ProtocolDetectedOnly
        } else {
            kind.event_mode()
        },
        ..EngineConfig::default()
    }
}

/// The sources a configuration names.
/// The interfaces a configuration names, one source each: the capture files as one
/// interface (or one per file with `separate_interfaces`), and each live interface.
fn sources(cfg: &Config) -> Result<Vec<SourceSpec>> {
    let mut v = Vec::new();
    let speed = cfg.sources.replay_speed;
    if cfg.sources.separate_interfaces {
        v.extend(cfg.sources.pcap.iter().map(|p| SourceSpec::Files {
            paths: vec![p.clone()],
            speed,
        }));
    } else if !cfg.sources.pcap.is_empty() {
        v.push(SourceSpec::Files {
            paths: cfg.sources.pcap.clone(),
            speed,
        });
    }
    v.extend(cfg.sources.interfaces.iter().cloned().map(SourceSpec::Live));
    if v.is_empty() && cfg.sources.syslog.is_empty() {
        bail!(
            "nothing to monitor: give --pcap FILE, --interface IF or --syslog ADDR \
             (or sources in the config file)"
        );
    }
    for spec in &cfg.sources.syslog {
        syslog::parse_spec(spec)?;
    }
    for s in &v {
        s.check()?;
    }
    Ok(v)
}

/// What one interface produced.
pub struct InterfaceOutcome<R> {
    /// Totals and top lists.
    pub summary: Summary,
    /// The driver's report.
    pub report: R,
}

/// What a finished run produced.
pub struct RunOutcome<R> {
    /// One entry per interface, in the order the sources were given.
    pub interfaces: Vec<InterfaceOutcome<R>>,
    /// Syslog counters, when listeners ran.
    pub syslog: Option<syslog::SyslogStats>,
    /// Set if the run was stopped by a signal.
    pub interrupted: bool,
    /// The timeseries sink's counters, when timeseries were on.
    pub timeseries: Option<timeseries::TsReport>,
}

impl<R> RunOutcome<R> {
    /// The summary as JSON: `{"interfaces": [...], "syslog": {...}}`.
    pub fn summary_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "interfaces": self.interfaces.iter().map(|i| &i.summary).collect::<Vec<_>>(),
        });
        if let Some(s) = &self.syslog {
            v["syslog"] = serde_json::json!(s);
        }
        if let Some(t) = &self.timeseries {
            v["timeseries"] = serde_json::json!(t);
        }
        v
    }

    /// Prints the summary as text.
    pub fn print(&self) {
        for i in &self.interfaces {
            println!("interface {}", i.summary.interface);
            i.summary.print();
        }
        if let Some(s) = &self.syslog {
            s.print();
        }
        if let Some(t) = &self.timeseries {
            let s = &t.stats;
            println!(
                "timeseries ({}): {} points written, {} dropped (queue full), {} refused (cardinality {}, out of order {}, invalid {}), {} failed",
                t.backend,
                s.written,
                s.overflow,
                s.cardinality + s.out_of_order + s.invalid,
                s.cardinality,
                s.out_of_order,
                s.invalid,
                s.failed
            );
            if let Some(h) = &t.influxdb {
                println!(
                    "  influxdb: {} points sent, {} buffered, {} dropped, {} rejected, last error: {}",
                    h.sent_points,
                    h.buffered_points + h.spooled_points,
                    h.dropped_points,
                    h.rejected_points,
                    h.last_error.as_deref().unwrap_or("none")
                );
            }
        }
    }
}

/// How [`execute`] runs, besides the configuration.
#[derive(Default)]
pub struct ExecOptions {
    /// No progress display.
    pub quiet: bool,
    /// Publish engine snapshots here (for the web server).
    pub snapshots: Option<Arc<snapshot::SnapshotCell>>,
    /// Keep running after the capture files end, until a signal (a web UI is serving).
    pub until_signal: bool,
    /// What handles syslog messages (default: nothing, messages are only counted).
    pub syslog_handler: Option<syslog::HandlerFactory>,
    /// The run's timeseries (default: [`monitor`] opens the configured backend).
    pub timeseries: Option<Arc<timeseries::TsService>>,
}

/// One running interface: its source thread and its engine thread.
struct Running<R> {
    kind: weir_flow::SourceKind,
    source: std::thread::JoinHandle<()>,
    stats: Arc<SourceStats>,
    progress: Arc<EngineProgress>,
    engine: engine::EngineThread<R>,
}

/// Runs the pipeline until the sources end or a signal arrives: per interface one
/// source thread and one engine thread with its own driver, which `make_driver` builds
/// on that thread from the interface's name.
///
/// # Errors
/// A source cannot be opened, a thread cannot start, or the driver fails to start.
pub fn execute<D, F>(
    cfg: &Config,
    opts: ExecOptions,
    make_driver: F,
) -> Result<RunOutcome<D::Report>>
where
    D: Driver,
    F: Fn(&str) -> Result<D> + Send + Sync + 'static,
{
    let specs = sources(cfg)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while shutting down exits at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let reload = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGHUP, reload.clone())?;

    let make_driver = Arc::new(make_driver);
    let mut running = Vec::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let kind = match spec {
            SourceSpec::Live(_) => weir_flow::SourceKind::Live,
            SourceSpec::Files { .. } => weir_flow::SourceKind::File,
        };
        let name = spec.name();
        let progress = Arc::new(EngineProgress {
            // Every interface publishes into its own cell of the run's snapshots.
            snapshots: opts.snapshots.as_ref().map(|s| s.interface(i, &name)),
            ..EngineProgress::default()
        });
        let (tx, rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
        if let Some(cell) = &progress.snapshots {
            cell.watch_queue(rx.clone());
        }
        let (recycle_tx, recycle_rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
        let make = make_driver.clone();
        let iface = name.clone();
        let engine = engine::spawn(
            engine_config(cfg, kind),
            name,
            rx,
            recycle_tx,
            progress.clone(),
            move || make(&iface),
        )?;
        let stats = Arc::new(SourceStats::default());
        if let Some(cell) = &progress.snapshots {
            cell.watch_source(stats.clone());
        }
        let source = source::spawn(spec, tx, recycle_rx, stats.clone(), stop.clone())?;
        running.push(Running {
            kind,
            source,
            stats,
            progress,
            engine,
        });
    }
    let syslog = if cfg.sources.syslog.is_empty() {
        None
    } else {
        let make = opts
            .syslog_handler
            .unwrap_or_else(|| Box::new(|| Ok(Box::new(syslog::NoScripts))));
        // The web server's syslog producers: counted live in the run's snapshots.
        let make = match &opts.snapshots {
            Some(cell) => cell.counting_syslog(make),
            None => make,
        };
        Some(syslog::SyslogService::start(
            &cfg.sources.syslog,
            cfg.sources.syslog_queue,
            stop.clone(),
            make,
        )?)
    };
    // Live and syslog sources have no end: they run until a signal.
    let until_signal = opts.until_signal
        || syslog.is_some()
        || running
            .iter()
            .any(|r| r.kind == weir_flow::SourceKind::Live);
    let replaying = running
        .iter()
        .any(|r| r.kind == weir_flow::SourceKind::File);
    let file_bytes: u64 = cfg
        .sources
        .pcap
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();

    let show = !opts.quiet && std::io::stderr().is_terminal();
    let bar = (show && replaying).then(|| {
        let bar = indicatif::ProgressBar::new(file_bytes);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {percent:>3}% {msg} [{elapsed_precise}, eta {eta}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let started = Instant::now();
    let mut last_status = Instant::now();
    let sum = |f: &dyn Fn(&Running<D::Report>) -> u64| running.iter().map(f).sum::<u64>();
    while running.iter().any(|r| !r.engine.is_finished())
        || (until_signal && !stop.load(Ordering::Relaxed))
    {
        std::thread::sleep(Duration::from_millis(100));
        if reload.swap(false, Ordering::Relaxed) {
            tracing::info!("SIGHUP: reloading plugins");
            for r in &running {
                r.progress.reload.store(true, Ordering::Relaxed);
            }
            if let Some(s) = &syslog {
                s.request_reload();
            }
        }
        let frames = sum(&|r| r.progress.frames.load(Ordering::Relaxed));
        let pps = frames as f64 / started.elapsed().as_secs_f64().max(1e-3);
        let msg = format!(
            "{frames} packets, {pps:.0} pkt/s, {} flows, {} hosts",
            sum(&|r| r.progress.flows.load(Ordering::Relaxed)),
            sum(&|r| r.progress.hosts.load(Ordering::Relaxed))
        );
        if let Some(bar) = &bar {
            bar.set_position(sum(&|r| r.stats.file_pos.load(Ordering::Relaxed)));
            bar.set_message(msg);
        } else if show && last_status.elapsed() >= Duration::from_secs(10) {
            eprintln!(
                "weir: {msg}, {} dropped",
                sum(&|r| r.stats.queue_drops.load(Ordering::Relaxed))
            );
            last_status = Instant::now();
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let interrupted = stop.swap(true, Ordering::Relaxed);
    let mut interfaces = Vec::new();
    for r in running {
        let _ = r.source.join();
        let (mut summary, report) = r
            .engine
            .join()
            .map_err(|_| anyhow::anyhow!("an engine thread panicked"))??;
        summary.queue_drops = r.stats.queue_drops.load(Ordering::Relaxed);
        summary.kernel_drops = r.stats.kernel_drops.load(Ordering::Relaxed);
        interfaces.push(InterfaceOutcome { summary, report });
    }
    let syslog = syslog.map(syslog::SyslogService::join);
    Ok(RunOutcome {
        interfaces,
        syslog,
        interrupted,
        timeseries: None,
    })
}

/// Runs the pipeline with the plugins and the alert store: what `weir run` and
/// `weir demo` do.
///
/// # Errors
/// Bad sources, an unusable plugin directory or data directory.
pub fn monitor(
    cfg: &Config,
    opts: ExecOptions,
) -> Result<(RunOutcome<scripts::ScriptReport>, scripts::AlertTally)> {
    scripts::plugin_roots(cfg)?;
    sources(cfg)?;
    let sinks = scripts::AlertSinks::open(cfg)?;
    let (store, endpoints) = sinks.senders();
    let mut opts = opts;
    let ts = match &opts.timeseries {
        Some(t) => Some(t.clone()),
        None => timeseries::TsService::open(cfg)?,
    };
    opts.timeseries = ts.clone();
    let opts_ts = ts.clone();
    // Flow statuses from the syslog scripts go to the engine threads through the hub.
    let hub = (!cfg.sources.syslog.is_empty()).then(syslog::FlowStatusHub::new);
    if let Some(hub) = &hub {
        let (c, st, ep) = (cfg.clone(), store.clone(), endpoints.clone());
        let closer = syslog::HubCloser(hub.clone());
        opts.syslog_handler = Some(Box::new(move || {
            Ok(Box::new(scripts::ScriptSyslog::start(&c, st, ep, closer)?)
                as Box<dyn syslog::SyslogHandler>)
        }));
    }
    let driver_hub = hub.clone();
    let next_ifid = std::sync::atomic::AtomicI32::new(0);
    let driver_cfg = cfg.clone();
    // The scripts' counters go to the interface's snapshots (the web server's /metrics).
    let snapshots = opts.snapshots.clone();
    let outcome = execute(cfg, opts, move |name| {
        let ifid = next_ifid.fetch_add(1, Ordering::Relaxed);
        let cell = snapshots
            .as_ref()
            .and_then(|s| s.interface_named(name, usize::try_from(ifid).unwrap_or(0)));
        scripts::ScriptDriver::start(
            &driver_cfg,
            ifid,
            name,
            store.clone(),
            endpoints.clone(),
            driver_hub.clone(),
        )
        .map(|d| d.with_timeseries(ts.as_ref(), ifid).with_counters(cell))
    });
    let tally = sinks.close();
    let ts_report = opts_ts.map(|t| {
        t.close();
        t.report()
    });
    let mut outcome = outcome?;
    outcome.timeseries = ts_report;
    if let (Some(s), Some(h)) = (&mut outcome.syslog, &hub) {
        s.flow_statuses = h.stats();
    }
    Ok((outcome, tally))
}

/// The run's summary with the alerts raised and the plugins' counters.
pub fn report_json(
    outcome: &RunOutcome<scripts::ScriptReport>,
    tally: &scripts::AlertTally,
) -> serde_json::Value {
    let mut v = outcome.summary_json();
    for (i, iface) in outcome.interfaces.iter().enumerate() {
        v["interfaces"][i]["alerts"] = serde_json::json!(iface.report.alerts);
        v["interfaces"][i]["script_errors"] = serde_json::json!(iface.report.errors());
        let failing: Vec<_> = iface
            .report
            .scripts
            .iter()
            .filter(|s| s.errors > 0)
            .collect();
        v["interfaces"][i]["failing_scripts"] = serde_json::json!(failing);
    }
    v["alerts"] = serde_json::json!(tally);
    v["alerts"]["by_plugin"] = serde_json::json!(alerts_by_plugin(outcome, tally));
    v
}

/// Alerts raised per plugin: each script key of the tally mapped to the plugin of that
/// script (`weir` for alerts the engine raises itself).
pub fn alerts_by_plugin(
    outcome: &RunOutcome<scripts::ScriptReport>,
    tally: &scripts::AlertTally,
) -> std::collections::BTreeMap<String, u64> {
    let mut plugin_of = std::collections::HashMap::new();
    for s in outcome
        .interfaces
        .iter()
        .flat_map(|i| i.report.scripts.iter())
    {
        plugin_of.entry(s.key.as_str()).or_insert(s.plugin.as_str());
    }
    let mut by_plugin = std::collections::BTreeMap::new();
    for (script, n) in &tally.by_script {
        let plugin = plugin_of.get(script.as_str()).copied().unwrap_or("weir");
        *by_plugin.entry(plugin.to_owned()).or_insert(0) += n;
    }
    by_plugin
}

/// Prints the alerts and plugin lines of the text summary.
pub fn print_report(
    outcome: &RunOutcome<scripts::ScriptReport>,
    tally: &scripts::AlertTally,
    db: &std::path::Path,
) {
    outcome.print();
    let total: u64 = tally.by_type.values().sum();
    println!("alerts raised: {total}");
    for (name, n) in &tally.by_type {
        println!("  {name:<40} {n:>8}");
    }
    if !tally.by_severity.is_empty() {
        let sev: Vec<String> = tally
            .by_severity
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        println!("  by severity: {}", sev.join(", "));
    }
    let by_plugin = alerts_by_plugin(outcome, tally);
    if !by_plugin.is_empty() {
        println!("alerts by plugin ({} plugins):", by_plugin.len());
        for (plugin, n) in &by_plugin {
            println!("  {plugin:<40} {n:>8}");
        }
    }
    for i in &outcome.interfaces {
        let active = i.report.scripts.iter().filter(|s| s.active).count();
        println!(
            "scripts on {}: {active} active, {} hook errors",
            i.summary.interface,
            i.report.errors()
        );
        for s in i.report.scripts.iter().filter(|s| s.errors > 0) {
            println!(
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
    }
    println!(
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
    let _pid = PidFile::create(&cfg.data_dir);
    // Opened before the web server, which reads it (`TsService::query`).
    let timeseries = timeseries::TsService::open(&cfg)?;
    // The web server reads the engine's snapshots and keeps serving after a replay.
    let snapshots = Arc::new(snapshot::SnapshotCell::default());
    let web = if cfg.web.listen.trim().is_empty() {
        None
    } else {
        Some(
            crate::web::WebServer::start(&cfg, snapshots.clone())?
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
        println!("{}", report_json(&outcome, &tally));
    } else {
        print_report(&outcome, &tally, &cfg.data_dir.join("alerts.db"));
    }
    Ok(ExitCode::SUCCESS)
}
