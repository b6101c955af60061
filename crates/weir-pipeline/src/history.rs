//! The flow history wired to the pipeline: every engine thread's driver is wrapped in
//! [`Recorded`], which turns each ended flow (idle, evicted, or still active at the
//! final visit) into a [`weir_history::FlowRecord`] after the plugins saw it (so the
//! statuses and score are final) and hands batches of them to the history writer
//! thread: the embedded store (`DATA_DIR/history.sqlite`) or ClickHouse. With
//! ClickHouse, stored alerts go there too, through an alert endpoint
//! ([`ClickHouseAlerts`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result};
use weir_alerts::{Action, AlertRecord as Stored, Endpoint, Notification};
use weir_decode::Timestamp;
use weir_flow::info::InfoSource;
use weir_flow::{
    CLI2SRV, Consumer, EndReason, Engine, Flow, Host, Interface, Network, SRV2CLI, Tick,
};
use weir_history::clickhouse::writer::{self, WriterConfig};
use weir_history::{
    AlertRecord, FlowRecord, HistoryReader, HistorySender, HistorySink, SinkReport, SinkStats,
};

use crate::config::Config;
use crate::engine::Driver;

/// Records are handed to the writer in batches of at most this many.
const BATCH: usize = 1024;

/// The running history writer of a monitor.
pub struct HistoryService {
    sink: HistorySink,
    probe: String,
    backend: String,
}

impl HistoryService {
    /// Starts the writer the configuration asks for: ClickHouse when `[clickhouse] url`
    /// is set, else the embedded store when `[history] enabled`, else none.
    ///
    /// # Errors
    /// A bad ClickHouse URL, or the store or spool directory cannot be created.
    pub fn open(cfg: &Config) -> Result<Option<HistoryService>> {
        let probe = cfg.history.probe();
        if cfg.clickhouse.enabled() {
            let ch = &cfg.clickhouse;
            let server = ch.server()?;
            let spool = if ch.spool_dir.as_os_str().is_empty() {
                cfg.data_dir.join("clickhouse-spool")
            } else {
                ch.spool_dir.clone()
            };
            let mut w = WriterConfig::new(server.clone(), &probe, &spool);
            w.batch_rows = usize::try_from(ch.batch_rows)
                .unwrap_or(50_000)
                .min(500_000);
            w.flush_interval = Duration::from_millis(ch.flush_ms);
            w.spool_max_bytes = ch.spool_max_mib.saturating_mul(1 << 20);
            let sink = writer::start(w).context("ClickHouse history writer")?;
            return Ok(Some(HistoryService {
                sink,
                probe,
                backend: format!("clickhouse {}/{}", server.url, server.database),
            }));
        }
        if !cfg.history.enabled {
            return Ok(None);
        }
        let h = &cfg.history;
        let retention = weir_history::Retention {
            max_age_secs: (h.max_age_days > 0).then(|| h.max_age_days.saturating_mul(86_400)),
            max_bytes: (h.max_size_mib > 0).then(|| h.max_size_mib.saturating_mul(1 << 20)),
        };
        let store = weir_history::SqliteHistory::open_dir(&cfg.data_dir, retention)
            .with_context(|| format!("flow history in {}", cfg.data_dir.display()))?;
        let backend = format!("sqlite {}", store.path().display());
        let sink = HistorySink::sqlite(store).context("history writer")?;
        Ok(Some(HistoryService {
            sink,
            probe,
            backend,
        }))
    }

    /// A recorder for the engine thread of `interface`.
    pub fn recorder(&self, interface: &str) -> Recorder {
        Recorder {
            tx: self.sink.sender(),
            probe: self.probe.clone(),
            interface: interface.to_string(),
            buf: Vec::new(),
        }
    }

    /// The alert endpoint that copies stored alerts to ClickHouse (`None` with the
    /// embedded store: alerts have their own store there).
    pub fn alert_endpoint(&self) -> Option<ClickHouseAlerts> {
        self.backend
            .starts_with("clickhouse")
            .then(|| ClickHouseAlerts {
                tx: self.sink.sender(),
                probe: self.probe.clone(),
            })
    }

    /// The writer's live counters.
    pub fn stats(&self) -> Arc<SinkStats> {
        self.sink.stats()
    }

    /// Where flows go (`sqlite PATH`, `clickhouse URL/DB`).
    pub fn backend(&self) -> &str {
        &self.backend
    }

    /// Writes what is left (what ClickHouse does not take in time stays in the spool)
    /// and stops the writer.
    pub fn close(self) -> HistoryReport {
        let stats = self.sink.close();
        HistoryReport {
            backend: self.backend,
            probe: self.probe,
            stats,
        }
    }
}

/// What the history writer did during a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryReport {
    /// Where flows went.
    pub backend: String,
    /// The probe name.
    pub probe: String,
    /// The writer's counters.
    #[serde(flatten)]
    pub stats: SinkReport,
}

/// The history reader the configuration points at: ClickHouse when configured, else
/// the embedded store of the data directory.
///
/// # Errors
/// A bad ClickHouse URL, or no embedded store in the data directory.
pub fn reader(cfg: &Config) -> Result<Box<dyn HistoryReader>> {
    if cfg.clickhouse.enabled() {
        return Ok(Box::new(weir_history::clickhouse::ClickHouseReader::new(
            cfg.clickhouse.server()?,
        )));
    }
    let r = weir_history::SqliteReader::open_dir(&cfg.data_dir).with_context(|| {
        format!(
            "no flow history in {} (run `weir run` or `weir demo` first)",
            cfg.data_dir.display()
        )
    })?;
    Ok(Box::new(r))
}

/// Turns ended flows into records and sends them in batches.
#[derive(Clone)]
pub struct Recorder {
    tx: HistorySender,
    probe: String,
    interface: String,
    buf: Vec<FlowRecord>,
}

impl Recorder {
    /// The same recorder for another interface.
    pub fn for_interface(&self, interface: &str) -> Recorder {
        Recorder {
            tx: self.tx.clone(),
            probe: self.probe.clone(),
            interface: interface.to_string(),
            buf: Vec::new(),
        }
    }

    /// Records one ended flow.
    pub fn record(&mut self, f: &Flow, reason: EndReason) {
        self.buf
            .push(record_of(f, &self.probe, &self.interface, reason));
        if self.buf.len() >= BATCH {
            self.flush();
        }
    }

    /// Sends what is buffered.
    pub fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.tx.flows(std::mem::take(&mut self.buf));
        }
    }
}

/// The history record of a flow.
pub fn record_of(f: &Flow, probe: &str, interface: &str, reason: EndReason) -> FlowRecord {
    let mut src = InfoSource::of(f);
    src.ended = true;
    let (cli_ip, cli_port) = src.client();
    let (srv_ip, srv_port) = src.server();
    let mut label = [0u8; 64];
    FlowRecord {
        probe: probe.to_string(),
        interface: interface.to_string(),
        vlan: f.key.vlan,
        l4: f.key.proto,
        cli_ip,
        cli_port,
        srv_ip,
        srv_port,
        first_seen_us: f.first_seen.0,
        last_seen_us: f.last_seen.0,
        cli2srv_bytes: f.dir[CLI2SRV].bytes,
        srv2cli_bytes: f.dir[SRV2CLI].bytes,
        cli2srv_packets: f.dir[CLI2SRV].packets,
        srv2cli_packets: f.dir[SRV2CLI].packets,
        l7_proto: f.l7.label(&mut label).to_string(),
        category: f.l7.category.name().to_string(),
        risks: src.risks().0,
        statuses: f.status_map,
        score: f.score.flow,
        info: f
            .meta
            .as_deref()
            .and_then(|m| m.server_name.as_deref())
            .unwrap_or("")
            .to_string(),
        end_reason: match reason {
            EndReason::Idle => weir_history::EndReason::Idle,
            EndReason::Evicted => weir_history::EndReason::Evicted,
            EndReason::Shutdown => weir_history::EndReason::Shutdown,
        },
    }
}

/// What a driver does when the history lost records: `(driver, newly dropped, total)`.
pub type OnDrops<D> = fn(&mut D, u64, u64);

/// A driver whose ended flows are recorded once it has seen them.
pub struct Recorded<D> {
    inner: D,
    rec: Option<Recorder>,
    on_drops: Option<OnDrops<D>>,
    drops_seen: u64,
}

impl<D> Recorded<D> {
    /// Wraps `inner`; `rec: None` records nothing.
    pub fn new(inner: D, rec: Option<Recorder>) -> Recorded<D> {
        Recorded {
            inner,
            rec,
            on_drops: None,
            drops_seen: 0,
        }
    }

    /// Calls `f` on the driver (between batches) when the history lost records, so it
    /// can raise an alert.
    pub fn on_drops(mut self, f: OnDrops<D>) -> Recorded<D> {
        self.on_drops = Some(f);
        self
    }
}

impl<D: Driver> Consumer for Recorded<D> {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.inner.protocol_detected(now, flow);
    }
    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        self.inner.status_changed(now, flow);
    }
    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        self.inner.periodic_update(now, flow);
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        self.inner.flow_end(now, flow, reason);
        if let Some(r) = &mut self.rec {
            r.record(flow, reason);
        }
    }
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        self.inner.host_tick(tick, now, host);
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
        self.inner.network_tick(tick, now, network);
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        self.inner.interface_tick(tick, now, iface);
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        self.inner.system_tick(tick, now);
    }
    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        self.inner.host_purged(now, host);
    }
    fn host_pinned(&mut self, host: &Host) -> bool {
        self.inner.host_pinned(host)
    }
}

impl<D: Driver> Driver for Recorded<D> {
    type Report = D::Report;
    fn after_batch(&mut self, engine: &Engine) {
        self.inner.after_batch(engine);
    }
    fn serve(&mut self, engine: &mut Engine) {
        self.inner.serve(engine);
        if let Some(r) = &mut self.rec {
            r.flush();
            if let Some(f) = self.on_drops {
                let d = newly_dropped(r.tx.stats(), &mut self.drops_seen);
                if d > 0 {
                    f(&mut self.inner, d, self.drops_seen);
                }
            }
        }
    }
    fn hold(&mut self, engine: &mut Engine) {
        self.inner.hold(engine);
    }
    fn reload(&mut self) -> Result<()> {
        self.inner.reload()
    }
    fn alerts_triggered(&self) -> u64 {
        self.inner.alerts_triggered()
    }
    fn workers_triggered(&mut self, alerts: u64) {
        self.inner.workers_triggered(alerts);
    }
    fn finish(mut self, engine: &Engine) -> Self::Report {
        if let Some(r) = &mut self.rec {
            r.flush();
        }
        self.inner.finish(engine)
    }
}

/// Copies stored alerts (flow alerts, one-shot alerts, and engaged alerts once
/// released) to the history writer, for the ClickHouse `alerts` table.
pub struct ClickHouseAlerts {
    tx: HistorySender,
    probe: String,
}

impl ClickHouseAlerts {
    fn row(&self, n: &Notification) -> Option<AlertRecord> {
        if n.action == Action::Engage {
            return None;
        }
        let json = serde_json::to_string(n).unwrap_or_default();
        Some(match &n.record {
            Stored::Flow(f) => AlertRecord {
                probe: self.probe.clone(),
                ifid: f.ifid,
                kind: "flow".into(),
                action: n.action.name().into(),
                alert_type: f.alert_type.0,
                alert_name: f.alert_name.clone(),
                severity: f.alert_severity.id(),
                entity: f.entity.kind.id(),
                entity_val: f.entity.value.clone(),
                tstamp: f.alert_tstamp,
                tstamp_end: 0,
                score: f.score,
                cli_ip: f.cli_addr.clone(),
                srv_ip: f.srv_addr.clone(),
                json,
            },
            Stored::Alert(a) => AlertRecord {
                probe: self.probe.clone(),
                ifid: a.ifid,
                kind: a.entity.kind.name().into(),
                action: n.action.name().into(),
                alert_type: a.alert_type.0,
                alert_name: a.alert_name.clone(),
                severity: a.alert_severity.id(),
                entity: a.entity.kind.id(),
                entity_val: a.entity.value.clone(),
                tstamp: a.alert_tstamp,
                tstamp_end: a.alert_tstamp_end.unwrap_or(0),
                score: a.score,
                cli_ip: String::new(),
                srv_ip: String::new(),
                json,
            },
        })
    }
}

impl Endpoint for ClickHouseAlerts {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> weir_alerts::Result<()> {
        let rows: Vec<AlertRecord> = batch.iter().filter_map(|n| self.row(n)).collect();
        self.tx.alerts(rows);
        Ok(())
    }
}

/// Flows or alerts the history lost (queue or spool full, refused for good) since
/// `seen`; updates `seen`.
pub fn newly_dropped(stats: &SinkStats, seen: &mut u64) -> u64 {
    let now =
        stats.flows_dropped.load(Ordering::Relaxed) + stats.alerts_dropped.load(Ordering::Relaxed);
    let d = now.saturating_sub(*seen);
    *seen = now;
    d
}
