//! `weir run`: the monitor. Sources → engine thread → sinks, as docs/architecture.md
//! draws it; this module only wires them.

pub mod engine;
pub mod snapshot;
pub mod source;
pub mod summary;
pub mod syslog;
pub mod talkers;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use weir_flow::{EngineConfig, EventMode};

use crate::config::Config;
use engine::{CountingDriver, Driver, EngineProgress};
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
    /// Syslog listener: `udp://ADDR:PORT`, `tcp://ADDR:PORT`, or `ADDR:PORT` for both
    /// (repeatable). weir then runs until signalled.
    #[arg(long)]
    pub syslog: Vec<String>,
    /// Local network, CIDR (repeatable; replaces the configured list).
    #[arg(long = "local-net")]
    pub local_net: Vec<String>,
    /// Data directory (alert store, timeseries).
    #[arg(long)]
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
fn sources(cfg: &Config) -> Result<Vec<SourceSpec>> {
    let mut v = Vec::new();
    if !cfg.sources.pcap.is_empty() {
        if cfg.sources.separate_interfaces {
            bail!(
                "separate_interfaces: replaying files as separate interfaces is not supported yet"
            );
        }
        v.push(SourceSpec::Files {
            paths: cfg.sources.pcap.clone(),
            speed: cfg.sources.replay_speed,
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
    if v.len() > 1 {
        bail!("one source per run for now: capture files or a single interface");
    }
    for s in &v {
        s.check()?;
    }
    Ok(v)
}

/// What a finished run produced.
pub struct RunOutcome<R> {
    /// Totals.
    pub summary: Summary,
    /// The driver's report.
    pub report: R,
    /// Set if the run was stopped by a signal.
    pub interrupted: bool,
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
}

/// Runs the pipeline with the given driver until the sources end or a signal arrives.
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
    F: FnOnce() -> Result<D> + Send + 'static,
{
    let specs = sources(cfg)?;
    let kind = match specs.first() {
        Some(SourceSpec::Live(_)) => weir_flow::SourceKind::Live,
        _ => weir_flow::SourceKind::File,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(EngineProgress {
        snapshots: opts.snapshots.clone(),
        ..EngineProgress::default()
    });
    let quiet = opts.quiet;
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while shutting down exits at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let reload = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGHUP, reload.clone())?;

    let (tx, rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
    let (recycle_tx, recycle_rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
    let engine = engine::spawn(
        engine_config(cfg, kind),
        specs.len(),
        rx,
        recycle_tx,
        progress.clone(),
        make_driver,
    )?;
    let mut stats = Vec::new();
    let mut threads = Vec::new();
    let file_bytes: u64 = cfg
        .sources
        .pcap
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    for spec in specs {
        let s = Arc::new(SourceStats::default());
        threads.push(source::spawn(
            spec,
            tx.clone(),
            recycle_rx.clone(),
            s.clone(),
            stop.clone(),
        )?);
        stats.push(s);
    }
    drop(tx);
    let syslog = if cfg.sources.syslog.is_empty() {
        None
    } else {
        Some(syslog::SyslogService::start(
            &cfg.sources.syslog,
            stop.clone(),
            || Ok(syslog::NoScripts),
        )?)
    };
    // Live and syslog sources have no end: they run until a signal.
    let until_signal = opts.until_signal || syslog.is_some() || kind == weir_flow::SourceKind::Live;

    let show = !quiet && std::io::stderr().is_terminal();
    let bar = (show && kind == weir_flow::SourceKind::File).then(|| {
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
    while !engine.is_finished() || (until_signal && !stop.load(Ordering::Relaxed)) {
        std::thread::sleep(Duration::from_millis(100));
        if reload.swap(false, Ordering::Relaxed) {
            progress.reload.store(true, Ordering::Relaxed);
        }
        let frames = progress.frames.load(Ordering::Relaxed);
        let pps = frames as f64 / started.elapsed().as_secs_f64().max(1e-3);
        let msg = format!(
            "{frames} packets, {pps:.0} pkt/s, {} flows, {} hosts",
            progress.flows.load(Ordering::Relaxed),
            progress.hosts.load(Ordering::Relaxed)
        );
        if let Some(bar) = &bar {
            bar.set_position(
                stats
                    .iter()
                    .map(|s| s.file_pos.load(Ordering::Relaxed))
                    .sum(),
            );
            bar.set_message(msg);
        } else if show && last_status.elapsed() >= Duration::from_secs(10) {
            let drops: u64 = stats
                .iter()
                .map(|s| s.queue_drops.load(Ordering::Relaxed))
                .sum();
            eprintln!("weir: {msg}, {drops} dropped");
            last_status = Instant::now();
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let interrupted = stop.swap(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let (mut summary, report) = engine
        .join()
        .map_err(|_| anyhow::anyhow!("the engine thread panicked"))??;
    summary.queue_drops = stats
        .iter()
        .map(|s| s.queue_drops.load(Ordering::Relaxed))
        .sum();
    summary.syslog = syslog.map(syslog::SyslogService::join);
    Ok(RunOutcome {
        summary,
        report,
        interrupted,
    })
}

/// Runs `weir run`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let cfg = args.config()?;
    let RunOutcome {
        summary,
        report: (),
        interrupted,
    } = execute(
        &cfg,
        ExecOptions {
            quiet: args.quiet,
            ..ExecOptions::default()
        },
        || Ok(CountingDriver),
    )?;
    for p in &summary.source_problems {
        eprintln!("weir: warning: {p}");
    }
    if interrupted {
        eprintln!("weir: stopped by a signal; the final visit ran and the stores were flushed");
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        summary.print();
    }
    Ok(ExitCode::SUCCESS)
}
