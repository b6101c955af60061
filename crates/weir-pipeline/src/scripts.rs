//! Plugins and alerts in `weir run`: the Lua runtime as the engine thread's driver, the
//! SQLite alert store and the configured endpoints as sinks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use parking_lot::Mutex;
use serde::Serialize;
use weir_alerts::{
    Action, AlertRecord, Endpoint, EndpointConfig, EndpointFilter, EndpointHandle, EndpointSender,
    EngineStats, NdjsonConfig, NdjsonFile, Notification, Retention, Severity, SqliteConfig,
    SqliteStore, StoreSender, StoreSink, Syslog, SyslogConfig, SyslogTransport, Webhook,
    WebhookConfig, WriterConfig,
};
use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Engine, Flow, Host, Interface, Network, Tick};
use weir_script::{Output, Runtime, ScriptConfig, ScriptInfo};

use crate::config::{self, Config};
use crate::engine::Driver;

/// How long the end of a run waits for the store and endpoints to take the last alerts.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// Alerts raised during this run, per type and severity (for the summary).
#[derive(Debug, Default, Clone, Serialize)]
pub struct AlertTally {
    /// Alerts engaged, stored or raised on flows, by alert type name.
    pub by_type: BTreeMap<String, u64>,
    /// The same by severity name.
    pub by_severity: BTreeMap<String, u64>,
    /// The same by the key of the script that raised them (`""`: raised by weir itself).
    pub by_script: BTreeMap<String, u64>,
    /// Alert records the store committed during the run: an engaged alert is two
    /// (engaged, then moved to the past alerts when released); see
    /// [`crate::run::alerts_stored`] for the alerts stored.
    pub records_committed: u64,
}

/// An in-process endpoint that counts what the alert engines raise.
struct Tally(Arc<Mutex<AlertTally>>);

impl Endpoint for Tally {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> weir_alerts::Result<()> {
        let mut t = self.0.lock();
        for n in batch.iter().filter(|n| n.action != Action::Release) {
            *t.by_type
                .entry(n.record.alert_name().to_string())
                .or_default() += 1;
            *t.by_severity
                .entry(n.record.severity().name().to_string())
                .or_default() += 1;
            let script = match &n.record {
                AlertRecord::Flow(f) => f.script_key.clone(),
                AlertRecord::Alert(a) => a.script_key.clone(),
            };
            *t.by_script.entry(script.unwrap_or_default()).or_default() += 1;
        }
        Ok(())
    }
}

/// The alert store and endpoints of a run, shared by every interface.
pub struct AlertSinks {
    store_sink: StoreSink,
    endpoints: Vec<EndpointHandle>,
    tally: Arc<Mutex<AlertTally>>,
    recipients: Arc<crate::recipients::Recipients>,
}

/// The category id of every loaded user script, by (key, subdirectory), filled as
/// the interfaces load their plugins: what recipients filter on.
fn script_categories()
-> &'static parking_lot::RwLock<std::collections::HashMap<(String, String), u8>> {
    static MAP: std::sync::OnceLock<
        parking_lot::RwLock<std::collections::HashMap<(String, String), u8>>,
    > = std::sync::OnceLock::new();
    MAP.get_or_init(Default::default)
}

/// The category of script `key` in `subdir` (any subdirectory when `subdir` is
/// empty), if loaded.
fn category_of(key: &str, subdir: &str) -> Option<u8> {
    let m = script_categories().read();
    if subdir.is_empty() {
        return m.iter().find(|((k, _), _)| k == key).map(|(_, c)| *c);
    }
    m.get(&(key.to_owned(), subdir.to_owned())).copied()
}

fn severity(name: &str) -> Severity {
    Severity::from_name(name).unwrap_or(Severity::Notice)
}

impl AlertSinks {
    /// Opens the store in the data directory and starts the configured endpoints.
    ///
    /// # Errors
    /// The store cannot be opened, or an endpoint's address is invalid.
    pub fn open(cfg: &Config) -> Result<AlertSinks> {
        AlertSinks::open_with(cfg, None)
    }

    /// As [`AlertSinks::open`], with the flow history's alert endpoint (stored alerts
    /// copied to ClickHouse) beside the configured ones.
    ///
    /// # Errors
    /// As [`AlertSinks::open`].
    pub fn open_with(
        cfg: &Config,
        history: Option<crate::history::ClickHouseAlerts>,
    ) -> Result<AlertSinks> {
        let retention = Retention {
            max_age_secs: (cfg.alerts.retention_days > 0)
                .then(|| cfg.alerts.retention_days * 86_400),
            max_rows: (cfg.alerts.max_rows > 0).then_some(cfg.alerts.max_rows),
        };
        let sqlite = SqliteConfig {
            retention,
            synchronous_full: cfg.alerts.sync_full,
        };
        let store = SqliteStore::open_dir(&cfg.data_dir, sqlite)
            .with_context(|| format!("alert store in {}", cfg.data_dir.display()))?;
        let store_sink = StoreSink::spawn(&store, WriterConfig::default())?;
        let tally = Arc::new(Mutex::new(AlertTally::default()));
        let mut endpoints = Vec::new();
        let t = tally.clone();
        let mut summary = EndpointConfig::new("summary");
        summary.filter = EndpointFilter {
            min_severity: Severity::Debug,
            entities: None,
        };
        endpoints.push(weir_alerts::spawn_endpoint(summary, move || Ok(Tally(t)))?);
        for e in &cfg.alerts.endpoints {
            endpoints.push(spawn_configured(e)?);
        }
        if let Some(h) = history {
            let mut ec = EndpointConfig::new("clickhouse alerts");
            ec.filter = EndpointFilter {
                min_severity: Severity::Debug,
                entities: None,
            };
            endpoints.push(weir_alerts::spawn_endpoint(ec, move || Ok(h))?);
        }
        let sinks = weir_script::EndpointAlertSinks {
            store: Some(store_sink.sender()),
            endpoints: endpoints.iter().map(EndpointHandle::sender).collect(),
        };
        let recipients = crate::recipients::Recipients::start(cfg, sinks, Arc::new(category_of))?;
        crate::recipients::set_current(Some(recipients.clone()));
        Ok(AlertSinks {
            store_sink,
            endpoints,
            tally,
            recipients,
        })
    }

    /// The endpoint modules and recipients of the run (for the web server).
    pub fn recipients(&self) -> Arc<crate::recipients::Recipients> {
        self.recipients.clone()
    }

    /// What each engine thread needs to send alerts here.
    pub fn senders(&self) -> (StoreSender, Vec<EndpointSender>) {
        let mut eps: Vec<EndpointSender> =
            self.endpoints.iter().map(EndpointHandle::sender).collect();
        eps.extend(self.recipients.dispatcher());
        (self.store_sink.sender(), eps)
    }

    /// Waits for the endpoints, the recipients and the store to take everything,
    /// then stops them.
    pub fn close(self) -> AlertTally {
        // Recipients first: a Lua endpoint (sqlite) may still store what it drains.
        crate::recipients::set_current(None);
        self.recipients.shutdown();
        for e in self.endpoints {
            if let Err(err) = e.shutdown(FLUSH_TIMEOUT) {
                tracing::warn!("alert endpoint: {err}");
            }
        }
        let committed = match self.store_sink.shutdown(FLUSH_TIMEOUT) {
            Ok(s) => s.committed,
            Err(e) => {
                tracing::error!("alert store: {e}");
                0
            }
        };
        let mut tally = self.tally.lock().clone();
        tally.records_committed = committed;
        tally
    }
}

fn spawn_configured(e: &config::Endpoint) -> Result<EndpointHandle> {
    let handle = match e {
        config::Endpoint::Ndjson {
            path,
            rotate_mib,
            min_severity,
        } => {
            let mut ec = EndpointConfig::new(format!("ndjson {}", path.display()));
            ec.filter.min_severity = severity(min_severity);
            let mut nc = NdjsonConfig::new(path);
            nc.max_bytes = rotate_mib.saturating_mul(1 << 20);
            weir_alerts::spawn_endpoint(ec, move || NdjsonFile::open(nc))?
        }
        config::Endpoint::Syslog {
            address,
            min_severity,
        } => {
            let (transport, addr) = if let Some(a) = address.strip_prefix("tcp://") {
                (SyslogTransport::Tcp, a)
            } else {
                (
                    SyslogTransport::Udp,
                    address.strip_prefix("udp://").unwrap_or(address),
                )
            };
            let addr = addr.parse().with_context(|| {
                format!("syslog endpoint {address:?}: expected udp://HOST:PORT")
            })?;
            let mut ec = EndpointConfig::new(format!("syslog {address}"));
            ec.filter.min_severity = severity(min_severity);
            let sc = SyslogConfig::new(addr, transport);
            weir_alerts::spawn_endpoint(ec, move || Syslog::connect(sc))?
        }
        config::Endpoint::Webhook {
            url,
            timeout_secs,
            retries,
            min_severity,
        } => {
            let mut ec = EndpointConfig::new(format!("webhook {url}"));
            ec.filter.min_severity = severity(min_severity);
            let mut wc = WebhookConfig::new(url.clone());
            wc.timeout = Duration::from_secs(*timeout_secs);
            wc.max_retries = *retries;
            weir_alerts::spawn_endpoint(ec, move || Webhook::new(wc))?
        }
    };
    Ok(handle)
}

/// What the plugins did on one interface.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptReport {
    /// Every script with its call and error counters.
    pub scripts: Vec<ScriptInfo>,
    /// The interface's alert engine counters.
    pub alerts: EngineStats,
    /// Plugin files that failed to load at the start (`file:line: reason`); the rest
    /// of their plugins, and the other plugins, still run.
    pub load_problems: Vec<String>,
}

impl ScriptReport {
    /// Failed hook calls, all scripts together.
    pub fn errors(&self) -> u64 {
        self.scripts.iter().map(|s| s.errors).sum()
    }

    /// The `n` scripts that took the most time in their hooks, costliest first
    /// (scripts never called are left out).
    pub fn costliest(&self, n: usize) -> Vec<&ScriptInfo> {
        let mut v: Vec<&ScriptInfo> = self.scripts.iter().filter(|s| s.calls > 0).collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.time_ns()));
        v.truncate(n);
        v
    }
}

impl crate::shards::ShardReport for ScriptReport {
    /// Adds a worker's counters: scripts by plugin, subdir and key (calls, errors,
    /// cost per hook), and the alert engine's counters.
    fn absorb(&mut self, other: ScriptReport) {
        for o in other.scripts {
            let same = |s: &&mut ScriptInfo| {
                s.plugin == o.plugin && s.subdir == o.subdir && s.key == o.key
            };
            let Some(s) = self.scripts.iter_mut().find(same) else {
                self.scripts.push(o);
                continue;
            };
            s.calls += o.calls;
            s.errors += o.errors;
            s.disabled |= o.disabled;
            s.consecutive_failures = s.consecutive_failures.max(o.consecutive_failures);
            if o.last_error.is_some() {
                s.last_error = o.last_error;
            }
            for c in o.cost {
                match s.cost.iter_mut().find(|x| x.hook == c.hook) {
                    Some(x) => {
                        x.calls += c.calls;
                        x.time_ns += c.time_ns;
                        x.max_ns = x.max_ns.max(c.max_ns);
                        x.alloc_bytes += c.alloc_bytes;
                    }
                    None => s.cost.push(c),
                }
            }
        }
        let (a, b) = (&mut self.alerts, other.alerts);
        a.engaged_now += b.engaged_now;
        a.triggers += b.triggers;
        a.engaged += b.engaged;
        a.released += b.released;
        a.stored += b.stored;
        a.flow_alerts += b.flow_alerts;
        a.unknown_types += b.unknown_types;
        a.store_submitted += b.store_submitted;
        a.store_dropped += b.store_dropped;
        a.store_pending += b.store_pending;
        a.drop_alerts += b.drop_alerts;
    }
}

/// One line of a script's cost: `plugin/subdir/key  calls  total  mean`, as the run
/// summary and `weir scripts stats` print it.
pub fn cost_line(s: &ScriptInfo) -> String {
    let ns = s.time_ns();
    format!(
        "{:<52} {:>10} calls {:>9.1} ms {:>8.2} µs/call",
        format!("{}/{}/{}", s.plugin, s.subdir, s.key),
        s.calls,
        ns as f64 / 1e6,
        ns as f64 / 1e3 / s.calls.max(1) as f64
    )
}

/// The Lua runtime driving one interface's events.
pub struct ScriptDriver {
    rt: Runtime,
    /// What failed to load at the start, for the report.
    load_problems: Vec<String>,
    /// Flow statuses from the syslog scripts, when syslog listeners run.
    requests: Option<(
        Arc<crate::syslog::FlowStatusHub>,
        crossbeam_channel::Receiver<Arc<crate::syslog::PendingStatus>>,
    )>,
    /// The interface's built-in timeseries, when timeseries are on.
    ts: Option<crate::timeseries::Builtin>,
    /// Where the scripts' call and error counters go for the web server's `/metrics`
    /// (at most once a second), with the time of the last publication.
    counters: Option<(
        Arc<crate::snapshot::SnapshotCell>,
        Option<std::time::Instant>,
    )>,
    /// The interface's entry in `scripts-stats.json` (`weir scripts stats`).
    stats: crate::script_stats::StatsWriter,
    /// False for a worker shard's VM, which loads and reloads silently
    /// (`crate::engine::Part::speaks`).
    speaks: bool,
}

/// Loads the plugins into a new VM named `ifname`, its alert engine writing to `store`
/// and `endpoints`. Problems in plugins are logged (file:line); the rest still load.
///
/// # Errors
/// The Lua VM cannot be created.
fn load_runtime(
    cfg: &Config,
    ifid: i32,
    ifname: &str,
    store: StoreSender,
    endpoints: Vec<EndpointSender>,
    output: Output,
) -> Result<(Runtime, Vec<String>)> {
    let mut sc = script_config(cfg, ifid, ifname)?;
    sc.output = output;
    let (rt, report) = Runtime::load(sc).context("cannot start the Lua runtime")?;
    log_warnings(&report);
    let load_problems = report
        .problems
        .iter()
        .filter(|p| p.level == weir_script::Level::Error)
        .map(ToString::to_string)
        .collect();
    {
        let mut m = script_categories().write();
        for s in &report.scripts {
            m.insert((s.key.clone(), s.subdir.clone()), s.category);
        }
    }
    let active = report.scripts.iter().filter(|s| s.active).count();
    tracing::info!(
        interface = ifname,
        "{} plugins, {active} active scripts",
        report.plugins.len()
    );
    rt.with_alerts(|a| {
        a.set_store(store);
        for e in endpoints {
            a.add_endpoint(e);
        }
    });
    Ok((rt, load_problems))
}

/// Logs a load's warnings (the runtime logs its errors itself, with the alert it
/// raises): at info level, as they are for plugin authors (`weir plugins check`).
fn log_warnings(report: &weir_script::LoadReport) {
    for p in report
        .problems
        .iter()
        .filter(|p| p.level == weir_script::Level::Warning)
    {
        tracing::info!("plugin problem: {p}");
    }
}

/// The packet interfaces of a run, `(ifid, name)`: ids by source order
/// (`interface.getIfNames()`; [`crate::run::monitor`] numbers the interfaces so).
pub(crate) fn interface_ids(cfg: &Config) -> Vec<(i32, String)> {
    crate::run::sources(cfg)
        .map(|specs| {
            specs
                .iter()
                .zip(0i32..)
                .map(|(s, i)| (i, s.name()))
                .collect()
        })
        .unwrap_or_default()
}

/// The id of interface `name` among `ids` when the name is unique there.
pub(crate) fn ifid_of(ids: &[(i32, String)], name: &str) -> Option<i32> {
    let mut found = ids.iter().filter(|(_, n)| n == name);
    match (found.next(), found.next()) {
        (Some((id, _)), None) => Some(*id),
        _ => None,
    }
}

/// The script settings of a VM named `ifname` (interface `ifid`) of this run.
///
/// # Errors
/// The plugin directories cannot be read.
pub(crate) fn script_config(cfg: &Config, ifid: i32, ifname: &str) -> Result<ScriptConfig> {
    Ok(
        crate::builtin::PluginSet::of(cfg)?.into_config(ScriptConfig {
            instruction_budget: cfg.plugins.instruction_budget,
            memory_limit: usize::try_from(cfg.plugins.memory_limit_mib.saturating_mul(1 << 20))
                .unwrap_or(usize::MAX),
            max_failures: u32::try_from(cfg.plugins.max_consecutive_failures).unwrap_or(u32::MAX),
            memory_budget: mib_bytes(cfg.plugins.memory_budget_mib),
            memory_budgets: cfg
                .plugins
                .memory_budgets
                .iter()
                .map(|(k, v)| (k.clone(), mib_bytes(*v)))
                .collect(),
            output: Output::Stdout,
            local_networks: cfg
                .local_networks
                .iter()
                .filter_map(|n| n.parse().ok())
                .collect(),
            ifid,
            ifname: ifname.to_string(),
            interfaces: interface_ids(cfg),
            max_idle_secs: cfg.flows.idle_timeout_secs,
            working_dir: cfg.data_dir.clone(),
            ..ScriptConfig::default()
        }),
    )
}

/// `mib` MiB in bytes (saturating).
fn mib_bytes(mib: u64) -> usize {
    usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
}

impl ScriptDriver {
    /// A driver for interface `ifname` (see [`load_runtime`]).
    ///
    /// # Errors
    /// The Lua VM cannot be created.
    pub fn start(
        cfg: &Config,
        ifid: i32,
        ifname: &str,
        store: StoreSender,
        endpoints: Vec<EndpointSender>,
        hub: Option<Arc<crate::syslog::FlowStatusHub>>,
        part: crate::engine::Part,
    ) -> Result<ScriptDriver> {
        let (rt, load_problems) = if part.speaks() {
            load_runtime(cfg, ifid, ifname, store, endpoints, Output::Stdout)?
        } else {
            // A worker shard's VM loads the plugins the coordinator's VM loads: its
            // messages and the scripts' top-level output would repeat the
            // coordinator's, once per worker.
            let (mut rt, problems) = tracing::subscriber::with_default(
                tracing::subscriber::NoSubscriber::default(),
                || load_runtime(cfg, ifid, ifname, store, endpoints, Output::Discard),
            )?;
            rt.set_output(Output::Stdout);
            (rt, problems)
        };
        let requests = hub.and_then(|h| h.register().map(|rx| (h, rx)));
        Ok(ScriptDriver {
            rt,
            load_problems,
            requests,
            ts: None,
            counters: None,
            stats: crate::script_stats::StatsWriter::new(&cfg.data_dir, ifid, ifname)
                .part(part.index()),
            speaks: part.speaks(),
        })
    }

    /// Gives the scripts (`ts_utils`) a writer and the query side, and writes the
    /// built-in series of interface `ifid`.
    pub fn with_timeseries(
        mut self,
        ts: Option<&Arc<crate::timeseries::TsService>>,
        ifid: i32,
    ) -> ScriptDriver {
        if let Some(ts) = ts {
            self.rt.set_timeseries(Some(ts.for_scripts()));
            self.ts = ts.builtin(ifid);
        }
        self
    }

    /// Publishes the scripts' call and error counters into `cell` (the interface's
    /// snapshots, read by `/metrics`).
    pub fn with_counters(
        mut self,
        cell: Option<Arc<crate::snapshot::SnapshotCell>>,
    ) -> ScriptDriver {
        self.counters = cell.map(|c| (c, None));
        self
    }

    /// Stores a `alert_too_many_drops` system alert (subtype `flow_history`): the flow
    /// history lost `dropped` flows or alerts (queue or spool full), `total` so far.
    pub fn history_drops(&mut self, dropped: u64, total: u64) {
        use weir_alerts::{Entity, EntityKind, TypeInfo, builtin};
        let now = wall_clock().as_secs();
        let info = TypeInfo::new(builtin::TOO_MANY_DROPS, Severity::Error)
            .subtype("flow_history")
            .params(serde_json::json!({
                "drops": dropped,
                "total_drops": total,
                "what": "flow history records",
            }));
        self.rt.with_alerts(|a| {
            a.store(Entity::new(EntityKind::System, "system"), info, now);
        });
    }

    fn publish_counters(&mut self) {
        let stats_due = self.stats.due();
        let cell_due = self.counters.as_ref().is_some_and(|(_, last)| {
            last.is_none_or(|t| t.elapsed() >= crate::snapshot::PUBLISH_EVERY)
        });
        if !stats_due && !cell_due {
            return;
        }
        let counters: Vec<crate::snapshot::ScriptCounters> = self
            .rt
            .scripts()
            .iter()
            .map(crate::snapshot::ScriptCounters::of)
            .collect();
        let memory = crate::snapshot::VmMemory::from(self.rt.memory_stats());
        if stats_due {
            self.stats.write(memory, counters.clone(), false);
        }
        if let Some((cell, last)) = &mut self.counters
            && cell_due
        {
            *last = Some(std::time::Instant::now());
            cell.publish_script_memory(memory);
            cell.publish_scripts(counters);
        }
    }

    /// Applies one flow-status request from the syslog scripts to the flow it names.
    fn apply(
        rt: &mut Runtime,
        engine: &mut Engine,
        hub: &crate::syslog::FlowStatusHub,
        p: &crate::syslog::PendingStatus,
    ) {
        let now = engine.clock();
        let applied = engine
            .update_flow(&p.req.key(), |f| rt.apply_flow_status(now, f, &p.req))
            .unwrap_or(false);
        hub.done(p, applied);
    }
}

/// The syslog scripts (`user_scripts/syslog/<producer>.lua`) in their own VM on the
/// syslog worker thread, as ntopng runs them on its syslog interface.
pub struct ScriptSyslog {
    rt: Runtime,
    /// Closes the flow-status hub when the syslog worker ends.
    _hub: crate::syslog::HubCloser,
}

/// Interface id of the syslog VM (packet interfaces count from 0).
const SYSLOG_IFID: i32 = 1000;

impl ScriptSyslog {
    /// Loads the plugins for the syslog worker.
    ///
    /// # Errors
    /// The Lua VM cannot be created.
    pub fn start(
        cfg: &Config,
        store: StoreSender,
        endpoints: Vec<EndpointSender>,
        hub: crate::syslog::HubCloser,
    ) -> Result<ScriptSyslog> {
        let (mut rt, _) =
            load_runtime(cfg, SYSLOG_IFID, "syslog", store, endpoints, Output::Stdout)?;
        let h = hub.0.clone();
        rt.set_flow_status_sink(Box::new(move |req| {
            h.send(req).map_err(|e| e.to_string().into())
        }));
        Ok(ScriptSyslog { rt, _hub: hub })
    }
}

fn wall_clock() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(d.as_secs(), d.subsec_nanos())
}

impl crate::syslog::SyslogHandler for ScriptSyslog {
    fn handle(
        &mut self,
        producer: &str,
        msg: &weir_decode::SyslogMessage<'_>,
        host: &str,
    ) -> Result<bool> {
        let now = wall_clock();
        let content = String::from_utf8_lossy(msg.content);
        let handled = self
            .rt
            .syslog_event(now, producer, &content, host, msg.priority);
        self.rt.with_alerts(|a| a.tick(now.as_secs()));
        Ok(handled)
    }

    fn reload(&mut self) {
        log_warnings(&self.rt.reload());
        tracing::info!("syslog plugins reloaded");
    }

    fn queue_overflow(&mut self, dropped: u64, queue_size: usize, engaged: bool) {
        use weir_alerts::{Entity, EntityKind, Granularity, TypeInfo, builtin};
        let now = wall_clock().as_secs();
        let info = TypeInfo::new(builtin::TOO_MANY_DROPS, Severity::Error)
            .subtype(builtin::SUBTYPE_SYSLOG_QUEUE)
            .granularity(Granularity::Min)
            .params(serde_json::json!({
                "drops": dropped,
                "what": "syslog messages",
                "queue_size": queue_size,
            }));
        let entity = Entity::new(EntityKind::Interface, SYSLOG_IFID.to_string());
        self.rt.with_alerts(|a| {
            let r = if engaged {
                a.trigger(entity, info, now).map(|_| ())
            } else {
                a.release(entity, info, now).map(|_| ())
            };
            if let Err(e) = r {
                tracing::warn!("syslog queue alert: {e}");
            }
            a.tick(now);
        });
    }

    fn finish(&mut self) {
        self.rt.finish();
        let now = wall_clock().as_secs();
        self.rt.with_alerts(|a| {
            if let Err(e) = a.release_all_and_flush(now, FLUSH_TIMEOUT) {
                tracing::error!("syslog alerts not flushed: {e}");
            }
        });
    }
}

impl Consumer for ScriptDriver {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.rt.protocol_detected(now, flow);
    }
    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        self.rt.status_changed(now, flow);
    }
    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        self.rt.periodic_update(now, flow);
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        self.rt.flow_end(now, flow, reason);
    }
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        if let Some(b) = &mut self.ts {
            self.rt.with_alerts(|a| b.refresh_alerts(now, a));
            b.host_tick(tick, now, host);
        }
        self.rt.host_tick(tick, now, host);
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
        if let Some(b) = &mut self.ts {
            b.network_tick(tick, now, network);
        }
        self.rt.network_tick(tick, now, network);
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        if let Some(b) = &mut self.ts {
            self.rt.with_alerts(|a| b.refresh_alerts(now, a));
            b.interface_tick(tick, now, iface);
        }
        self.rt.interface_tick(tick, now, iface);
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        self.rt.system_tick(tick, now);
        // The end of a tick round: its points leave as one batch per writer.
        if let Some(b) = &mut self.ts {
            b.end_round();
        }
        self.rt.end_timeseries_step();
    }
    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        self.rt.host_purged(now, host);
    }
    fn host_pinned(&mut self, host: &Host) -> bool {
        self.rt.host_pinned(host)
    }
}

impl Driver for ScriptDriver {
    type Report = ScriptReport;

    fn alerts_triggered(&self) -> u64 {
        self.rt.with_alerts(|a| a.stats().triggered())
    }

    fn workers_triggered(&mut self, alerts: u64) {
        if let Some(b) = &mut self.ts {
            b.workers_triggered = alerts;
        }
    }

    fn after_batch(&mut self, engine: &Engine) {
        let now = engine.clock().as_secs();
        self.rt.with_alerts(|a| a.tick(now));
        // GC step and per-script memory budgets, outside any hook call.
        self.rt.after_batch();
        self.publish_counters();
    }

    fn serve(&mut self, engine: &mut Engine) {
        for c in self.rt.take_custom_categories() {
            let cat = weir_flow::Category(c.category);
            let catalog = &mut engine.lookups_mut().catalog;
            if c.ip {
                catalog.add_net(&c.key, cat);
            } else {
                catalog.add(&c.key, cat);
            }
        }
        let Some((hub, rx)) = &self.requests else {
            return;
        };
        let mut any = false;
        while let Ok(p) = rx.try_recv() {
            ScriptDriver::apply(&mut self.rt, engine, hub, &p);
            any = true;
        }
        if any {
            let now = engine.clock().as_secs();
            self.rt.with_alerts(|a| a.tick(now));
        }
    }

    fn hold(&mut self, engine: &mut Engine) {
        let Some((hub, rx)) = &self.requests else {
            return;
        };
        tracing::info!(
            "capture ended: {} flows kept for syslog flow statuses until weir stops",
            engine.flows().len()
        );
        while let Ok(p) = rx.recv() {
            ScriptDriver::apply(&mut self.rt, engine, hub, &p);
            let now = engine.clock().as_secs();
            self.rt.with_alerts(|a| a.tick(now));
        }
    }

    fn reload(&mut self) -> Result<()> {
        if self.speaks {
            log_warnings(&self.rt.reload());
        } else {
            let none = tracing::subscriber::NoSubscriber::default();
            tracing::subscriber::with_default(none, || self.rt.reload());
        }
        Ok(())
    }

    fn finish(mut self, engine: &Engine) -> ScriptReport {
        self.rt.finish();
        // The final counters, whatever the time since the last publication.
        if let Some((_, last)) = &mut self.counters {
            *last = None;
        }
        self.publish_counters();
        let counters = self
            .rt
            .scripts()
            .iter()
            .map(crate::snapshot::ScriptCounters::of)
            .collect();
        self.stats
            .write(self.rt.memory_stats().into(), counters, true);
        if let Some(b) = &mut self.ts {
            b.finish();
        }
        let now = engine.clock().as_secs();
        let alerts = self.rt.with_alerts(|a| {
            a.release_all_and_flush(now, FLUSH_TIMEOUT)
                .unwrap_or_else(|e| {
                    tracing::error!("alerts not flushed: {e}");
                    a.stats()
                })
        });
        ScriptReport {
            scripts: self.rt.scripts(),
            alerts,
            load_problems: std::mem::take(&mut self.load_problems),
        }
    }
}
