//! Running the pipeline: one source and one engine thread per interface, the syslog
//! listeners, and [`monitor`], which adds the plugins and the stores.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use weir_flow::{EngineConfig, EventMode};

use crate::config::Config;
use crate::engine::{self, Driver, EngineProgress, Part};
use crate::source::{self, SourceSpec, SourceStats};
use crate::summary::Summary;
use crate::{scripts, snapshot, syslog, timeseries};

/// Capacity of the source → engine channel, in batches: 16k frames ahead of the
/// engine (capture files have bigger batches than live interfaces).
fn queue_batches(kind: weir_flow::SourceKind) -> usize {
    match kind {
        weir_flow::SourceKind::Live => 16384 / source::LIVE_BATCH_FRAMES,
        weir_flow::SourceKind::File | weir_flow::SourceKind::PcapDump => {
            16384 / source::BATCH_FRAMES
        }
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
        lookups: crate::lookups::build(cfg),
        ..EngineConfig::default()
    }
}

/// The sources a configuration names.
/// The interfaces a configuration names, one source each: the capture files as one
/// interface (or one per file with `separate_interfaces`), and each live interface.
pub fn sources(cfg: &Config) -> Result<Vec<SourceSpec>> {
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
    /// The flow history writer's counters, when the history was on.
    pub history: Option<crate::history::HistoryReport>,
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
        if let Some(h) = &self.history {
            v["history"] = serde_json::json!(h);
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
        if let Some(h) = &self.history {
            let s = &h.stats;
            println!(
                "history ({}, probe {}): {} flows and {} alerts written, {} dropped, {} batches spooled, {} resent, {} already stored, {} errors{}",
                h.backend,
                h.probe,
                s.flows_written,
                s.alerts_written,
                s.flows_dropped + s.alerts_dropped,
                s.batches_spooled,
                s.batches_resent,
                s.batches_deduplicated,
                s.errors,
                if s.last_error.is_empty() {
                    String::new()
                } else {
                    format!(", last error: {}", s.last_error)
                }
            );
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

/// The worker shards each interface runs: `[run] workers` (0: the cores but one, at
/// most 8). With the web UI or syslog listeners and `workers = 0`, one: the web's flow
/// pages read the engine's flow table, which a sharded interface does not publish, and
/// syslog flow statuses are served by engines that hold on to their flows after a
/// replay (docs/scaling.md).
pub fn workers_for(cfg: &Config, opts: &ExecOptions) -> usize {
    if cfg.run.workers == 0 && (opts.snapshots.is_some() || !cfg.sources.syslog.is_empty()) {
        return 1;
    }
    cfg.run.effective_workers()
}

/// One running interface: its source thread and its engine thread.
struct Running<R> {
    kind: weir_flow::SourceKind,
    /// The source thread, or a fan-out's capture threads.
    sources: Vec<std::thread::JoinHandle<()>>,
    stats: Arc<SourceStats>,
    progress: Arc<EngineProgress>,
    engine: engine::EngineThread<R>,
}

/// Runs the pipeline until the sources end or a signal arrives: per interface one
/// source thread and one engine thread with its own driver, which `make_driver` builds
/// on that thread from the interface's name and the part it serves (a sharded
/// interface has a driver per worker and one for its coordinator).
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
    D::Report: Send + crate::shards::ShardReport + 'static,
    F: Fn(&str, Part) -> Result<D> + Send + Sync + 'static,
{
    let specs = sources(cfg)?;
    let workers = workers_for(cfg, &opts);
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
        let kind = spec.kind();
        let name = spec.name();
        let progress = Arc::new(EngineProgress {
            // Every interface publishes into its own cell of the run's snapshots.
            snapshots: opts.snapshots.as_ref().map(|s| s.interface(i, &name)),
            ..EngineProgress::default()
        });
        let stats = Arc::new(SourceStats::default());
        if let Some(cell) = &progress.snapshots {
            cell.watch_source(stats.clone());
        }
        let make = make_driver.clone();
        let iface = name.clone();
        let (engine, sources) = match spec {
            // A sharded live interface: one socket per worker in a kernel fan-out
            // group, each worker reading its own (crate::fanout).
            SourceSpec::Live(dev) if workers > 1 => {
                let inputs = crate::fanout::spawn(&dev, workers, &stats, &stop)?;
                if let (Some(cell), Some(rx)) = (&progress.snapshots, inputs.rx.first()) {
                    cell.watch_queue(rx.clone());
                }
                let engine = crate::shards::spawn_fanout(
                    engine_config(cfg, kind),
                    name,
                    inputs.rx,
                    inputs.recycle,
                    progress.clone(),
                    move |part| make(&iface, part),
                )?;
                (engine, inputs.threads)
            }
            // A sharded capture file: its source's thread routes the frames to the
            // workers (crate::shards::Router).
            spec if workers > 1 => {
                let (recycle_tx, recycle_rx) = crossbeam_channel::bounded(queue_batches(kind));
                let (engine, router, queue) = crate::shards::spawn(
                    engine_config(cfg, kind),
                    workers,
                    name,
                    recycle_tx,
                    progress.clone(),
                    move |part| make(&iface, part),
                )?;
                if let Some(cell) = &progress.snapshots {
                    cell.watch_queue(queue);
                }
                let source = source::spawn(spec, router, recycle_rx, stats.clone(), stop.clone())?;
                (engine, vec![source])
            }
            spec => {
                let (tx, rx) = crossbeam_channel::bounded(queue_batches(kind));
                if let Some(cell) = &progress.snapshots {
                    cell.watch_queue(rx.clone());
                }
                let (recycle_tx, recycle_rx) = crossbeam_channel::bounded(queue_batches(kind));
                let engine = engine::spawn(
                    engine_config(cfg, kind),
                    name,
                    rx,
                    recycle_tx,
                    progress.clone(),
                    move || make(&iface, Part::Whole),
                )?;
                let source = source::spawn(spec, tx, recycle_rx, stats.clone(), stop.clone())?;
                (engine, vec![source])
            }
        };
        running.push(Running {
            kind,
            sources,
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
    let mut last_progress = Instant::now();
    let sum = |f: &dyn Fn(&Running<D::Report>) -> u64| running.iter().map(f).sum::<u64>();
    while running.iter().any(|r| !r.engine.is_finished())
        || (until_signal && !stop.load(Ordering::Relaxed))
    {
        // A short poll so the run ends within 10 ms of its engines (a replay's wall
        // time is not rounded up to the progress display's 100 ms).
        std::thread::sleep(Duration::from_millis(10));
        if reload.swap(false, Ordering::Relaxed) {
            tracing::info!("SIGHUP: reloading plugins");
            for r in &running {
                r.progress.request_reload();
            }
            if let Some(s) = &syslog {
                s.request_reload();
            }
        }
        if last_progress.elapsed() < Duration::from_millis(100) {
            continue;
        }
        last_progress = Instant::now();
        let frames = sum(&|r| r.progress.frames_total());
        let pps = frames as f64 / started.elapsed().as_secs_f64().max(1e-3);
        let msg = format!(
            "{frames} packets, {pps:.0} pkt/s, {} flows, {} hosts",
            sum(&|r| r.progress.flows_total()),
            sum(&|r| r.progress.hosts_total())
        );
        if let Some(bar) = &bar {
            bar.set_position(sum(&|r| r.stats.file_pos.load(Ordering::Relaxed)));
            bar.set_message(msg);
        } else if show && last_status.elapsed() >= Duration::from_secs(10) {
            eprintln!(
                "weir: {msg}, {} dropped{}",
                sum(&|r| r.stats.queue_drops.load(Ordering::Relaxed)),
                worker_status(&running)
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
        for s in r.sources {
            let _ = s.join();
        }
        let (mut summary, report) = r
            .engine
            .join()
            .map_err(|_| anyhow::anyhow!("an engine thread panicked"))??;
        summary.queue_drops = r.stats.queue_drops.load(Ordering::Relaxed);
        summary.kernel_drops = r.stats.kernel_drops.load(Ordering::Relaxed);
        summary.worker_capture = crate::fanout::worker_drops(&r.stats);
        interfaces.push(InterfaceOutcome { summary, report });
    }
    let syslog = syslog.map(syslog::SyslogService::join);
    Ok(RunOutcome {
        interfaces,
        syslog,
        interrupted,
        timeseries: None,
        history: None,
    })
}

/// The kernel and queue drops of each worker socket of the fan-out interfaces, for the
/// live status line (empty without fan-out).
fn worker_status<R>(running: &[Running<R>]) -> String {
    let mut out = String::new();
    for r in running {
        let w = crate::fanout::worker_drops(&r.stats);
        if w.is_empty() {
            continue;
        }
        let parts: Vec<String> = w
            .iter()
            .map(|w| format!("#{} {}+{}", w.worker, w.kernel_drops, w.queue_drops))
            .collect();
        out.push_str(&format!(
            " (kernel {} + queue: per worker {})",
            r.stats.kernel_drops.load(Ordering::Relaxed),
            parts.join(", ")
        ));
    }
    out
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
    crate::builtin::PluginSet::of(cfg)?;
    sources(cfg)?;
    let history = crate::history::HistoryService::open(cfg)?;
    let sinks =
        scripts::AlertSinks::open_with(cfg, history.as_ref().and_then(|h| h.alert_endpoint()))?;
    let recorder = history.as_ref().map(|h| h.recorder(""));
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
    // Interfaces are numbered by source order (what `interface.getIfNames()` lists);
    // a name given twice gets an id after those.
    let ids = scripts::interface_ids(cfg);
    let next_ifid = std::sync::atomic::AtomicI32::new(i32::try_from(ids.len()).unwrap_or(0));
    let driver_cfg = cfg.clone();
    // The scripts' counters go to the interface's snapshots (the web server's /metrics).
    let snapshots = opts.snapshots.clone();
    let outcome = execute(cfg, opts, move |name, part| {
        let ifid = scripts::ifid_of(&ids, name)
            .unwrap_or_else(|| next_ifid.fetch_add(1, Ordering::Relaxed));
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
            part,
        )
        .map(|d| {
            let d = d.with_timeseries(ts.as_ref(), ifid).with_counters(cell);
            crate::history::Recorded::new(d, recorder.as_ref().map(|r| r.for_interface(name)))
                .on_drops(scripts::ScriptDriver::history_drops)
        })
    });
    // Alerts first: the ClickHouse alert endpoint feeds the history writer.
    let tally = sinks.close();
    let history = history.map(crate::history::HistoryService::close);
    let ts_report = opts_ts.map(|t| {
        t.close();
        t.report()
    });
    let mut outcome = outcome?;
    outcome.timeseries = ts_report;
    outcome.history = history;
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
        // The engine's `stored` counts one-shot `alerts_api.store` calls; the run's
        // `stored` (`alerts.stored`) is what the store committed.
        let mut alerts = serde_json::json!(iface.report.alerts);
        if let Some(m) = alerts.as_object_mut()
            && let Some(n) = m.remove("stored")
        {
            m.insert("one_shot".into(), n);
        }
        v["interfaces"][i]["alerts"] = alerts;
        v["interfaces"][i]["script_errors"] = serde_json::json!(iface.report.errors());
        v["interfaces"][i]["plugin_load_problems"] = serde_json::json!(iface.report.load_problems);
        let failing: Vec<_> = iface
            .report
            .scripts
            .iter()
            .filter(|s| s.errors > 0)
            .collect();
        v["interfaces"][i]["failing_scripts"] = serde_json::json!(failing);
        let active: Vec<_> = iface.report.scripts.iter().filter(|s| s.active).collect();
        let plugins: std::collections::BTreeSet<&str> =
            active.iter().map(|s| s.plugin.as_str()).collect();
        v["interfaces"][i]["active_scripts"] = serde_json::json!(active.len());
        v["interfaces"][i]["plugins"] = serde_json::json!(plugins);
        // Wall times: the one part of the summary that differs between two replays.
        let costliest: Vec<serde_json::Value> = iface
            .report
            .costliest(5)
            .into_iter()
            .map(|s| {
                serde_json::json!({
                    "plugin": s.plugin, "subdir": s.subdir, "key": s.key,
                    "calls": s.calls, "time_ns": s.time_ns(), "cost": s.cost,
                })
            })
            .collect();
        v["interfaces"][i]["costliest_scripts"] = serde_json::json!(costliest);
    }
    v["alerts"] = serde_json::json!(tally);
    v["alerts"]["stored"] = serde_json::json!(alerts_stored(outcome, tally));
    v["alerts"]["by_plugin"] = serde_json::json!(alerts_by_plugin(outcome, tally));
    v
}

/// Alerts the store holds from this run (the `stored` of the summary): the records it
/// committed less the releases, which move an engaged alert's row to the past alerts
/// rather than add one. With nothing dropped it equals the alerts raised.
pub fn alerts_stored(
    outcome: &RunOutcome<scripts::ScriptReport>,
    tally: &scripts::AlertTally,
) -> u64 {
    let released: u64 = outcome
        .interfaces
        .iter()
        .map(|i| i.report.alerts.released)
        .sum();
    tally.records_committed.saturating_sub(released)
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
