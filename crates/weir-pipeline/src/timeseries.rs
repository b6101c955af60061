//! Timeseries in `weir run`: the sink thread (embedded store or InfluxDB, from
//! `[timeseries]` / `--timeseries`), the writers handed to each interface's scripts
//! (`ts_utils.append`), and the built-in series written from engine state on the
//! packet-time ticks (docs/timeseries.md, "Built-in schemas").
//!
//! [`TsService`] is shared (`Arc`) by the run: the web server reads
//! [`TsService::query`] (the same `TsQuery` the scripts read), [`TsService::stats`]
//! and [`TsService::influx_health`] for `/metrics`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use parking_lot::Mutex;
use serde::Serialize;
use weir_decode::Timestamp;
use weir_flow::{Host, Interface, Network, Proto, Tick};
use weir_ts::{
    EmbeddedStore, InfluxBackend, InfluxClient, InfluxHealth, InfluxHealthHandle, Schema,
    SchemaRegistry, SinkConfig, SinkStats, TsQuery, TsSender, TsSink, TsWriter,
};

use crate::config::Config;

/// How long the end of a run waits for the timeseries writer.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(60);

/// The timeseries of a run: one sink thread, shared by every interface.
pub struct TsService {
    sink: Mutex<Option<TsSink>>,
    sender: TsSender,
    query: Arc<dyn TsQuery + Send + Sync>,
    backend: &'static str,
    health: Option<InfluxHealthHandle>,
    builtin: bool,
    final_stats: Mutex<Option<SinkStats>>,
}

impl std::fmt::Debug for TsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsService")
            .field("backend", &self.backend)
            .field("stats", &self.stats())
            .finish()
    }
}

/// What the run's summary says about timeseries (`timeseries` in `weir run --json`).
#[derive(Debug, Clone, Serialize)]
pub struct TsReport {
    /// `embedded` or `influxdb`.
    pub backend: &'static str,
    /// Points received, written, dropped (`overflow`), refused, failed.
    pub stats: PointCounts,
    /// InfluxDB's link state, with that backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub influxdb: Option<InfluxHealth>,
}

/// The sink's point counters ([`SinkStats`] without the number of transactions, which
/// depends on timing: a replay's summary stays deterministic).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PointCounts {
    /// Points handed to the sink thread.
    pub received: u64,
    /// Points stored (embedded) or accepted for sending (InfluxDB).
    pub written: u64,
    /// Points dropped because the queue was full.
    pub overflow: u64,
    /// Points refused by a schema's cardinality cap.
    pub cardinality: u64,
    /// Points not newer than their series' last point.
    pub out_of_order: u64,
    /// Points conflicting with the stored schema.
    pub invalid: u64,
    /// Points whose write failed.
    pub failed: u64,
}

/// The timeseries schemas of the configured plugins (built-ins first), from their
/// `ts_schemas/*.lua` files: what InfluxDB queries need to resolve plugin schemas.
///
/// # Errors
/// An unusable plugin directory, or a Lua VM that cannot start.
pub fn plugin_schemas(cfg: &Config) -> Result<SchemaRegistry> {
    let sc = crate::builtin::PluginSet::of(cfg)?.into_config(weir_script::ScriptConfig {
        output: weir_script::Output::Discard,
        working_dir: cfg.data_dir.clone(),
        ..weir_script::ScriptConfig::default()
    });
    let (rt, _) = weir_script::Runtime::load(sc).context("loading the plugins' ts_schemas")?;
    Ok(rt.ts_schemas())
}

impl TsService {
    /// Starts the configured backend's sink thread; `None` when timeseries are off.
    ///
    /// # Errors
    /// The store cannot be opened, or the InfluxDB settings are invalid.
    pub fn open(cfg: &Config) -> Result<Option<Arc<TsService>>> {
        let t = &cfg.timeseries;
        let sink_cfg = SinkConfig {
            queue_batches: usize::try_from(t.queue_steps).unwrap_or(usize::MAX),
            ..SinkConfig::default()
        };
        let (sink, query, backend, health): (TsSink, Arc<dyn TsQuery + Send + Sync>, _, _) =
            match t.backend.as_str() {
                "off" => return Ok(None),
                "influxdb" => {
                    let ic = t.influx()?;
                    let be = InfluxBackend::new(ic.clone()).context("InfluxDB backend")?;
                    let health = be.health_handle();
                    let sink = TsSink::spawn(Box::new(be), sink_cfg)?;
                    let client = InfluxClient::new(ic).with_schemas(plugin_schemas(cfg)?);
                    (sink, Arc::new(client), "influxdb", Some(health))
                }
                _ => {
                    std::fs::create_dir_all(&cfg.data_dir).with_context(|| {
                        format!("creating the data directory {}", cfg.data_dir.display())
                    })?;
                    let store = EmbeddedStore::open_dir(&cfg.data_dir).with_context(|| {
                        format!("timeseries store in {}", cfg.data_dir.display())
                    })?;
                    let sink = TsSink::spawn(Box::new(store.writer()?), sink_cfg)?;
                    (sink, Arc::new(store), "embedded", None)
                }
            };
        Ok(Some(Arc::new(TsService {
            sender: sink.writer(),
            sink: Mutex::new(Some(sink)),
            query,
            backend,
            health,
            builtin: t.builtin_series,
            final_stats: Mutex::new(None),
        })))
    }

    /// The query side (embedded store or InfluxDB), for the web server and scripts.
    pub fn query(&self) -> Arc<dyn TsQuery + Send + Sync> {
        self.query.clone()
    }

    /// `embedded` or `influxdb`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The sink's counters so far.
    pub fn stats(&self) -> SinkStats {
        self.final_stats
            .lock()
            .unwrap_or_else(|| self.sender.stats())
    }

    /// InfluxDB's link state (InfluxDB backend only).
    pub fn influx_health(&self) -> Option<InfluxHealth> {
        self.health.as_ref().map(InfluxHealthHandle::get)
    }

    /// The summary's view.
    pub fn report(&self) -> TsReport {
        let s = self.stats();
        TsReport {
            backend: self.backend(),
            stats: PointCounts {
                received: s.received,
                written: s.written,
                overflow: s.overflow,
                cardinality: s.cardinality,
                out_of_order: s.out_of_order,
                invalid: s.invalid,
                failed: s.failed,
            },
            influxdb: self.influx_health(),
        }
    }

    /// What an interface's Lua runtime writes to and reads from.
    pub fn for_scripts(&self) -> weir_script::Timeseries {
        weir_script::Timeseries {
            writer: self.sender.clone(),
            query: Some(self.query()),
            driver: if self.backend == "influxdb" {
                "influxdb"
            } else {
                "rrd"
            },
        }
    }

    /// The built-in series writer of one interface (`None` with `builtin_series = false`).
    pub fn builtin(&self, ifid: i32) -> Option<Builtin> {
        self.builtin.then(|| Builtin::new(self, ifid))
    }

    /// Flushes everything written and stops the sink thread (end of a replay,
    /// SIGTERM); later calls do nothing.
    pub fn close(&self) {
        let Some(sink) = self.sink.lock().take() else {
            return;
        };
        match sink.shutdown(FLUSH_TIMEOUT) {
            Ok(stats) => *self.final_stats.lock() = Some(stats),
            Err(e) => tracing::error!("timeseries not flushed: {e}"),
        }
    }
}

/// The built-in schemas, by index ([`Builtin::schemas`]).
const NAMES: [&str; 13] = [
    "iface:traffic",
    "iface:traffic_rxtx",
    "iface:packets_vs_drops",
    "iface:flows",
    "iface:hosts",
    "iface:ndpi",
    "iface:alerts",
    "iface:score",
    "host:traffic",
    "host:ndpi",
    "host:alerts",
    "host:score",
    "subnet:traffic",
];

const IFACE_TRAFFIC: usize = 0;
const IFACE_RXTX: usize = 1;
const IFACE_PACKETS: usize = 2;
const IFACE_FLOWS: usize = 3;
const IFACE_HOSTS: usize = 4;
const IFACE_NDPI: usize = 5;
const IFACE_ALERTS: usize = 6;
const IFACE_SCORE: usize = 7;
const HOST_TRAFFIC: usize = 8;
const HOST_NDPI: usize = 9;
const HOST_ALERTS: usize = 10;
const HOST_SCORE: usize = 11;
const SUBNET_TRAFFIC: usize = 12;

/// Counters gathered over one tick round (hosts come first, then networks, the
/// interface and the system tick).
#[derive(Debug, Default)]
struct Round {
    hosts: u64,
    local_hosts: u64,
    cli_score: u64,
    srv_score: u64,
    /// Bytes leaving and entering the local networks (`iface:traffic_rxtx`).
    egress: u64,
    ingress: u64,
}

/// Writes the built-in series of one interface on the engine's ticks: `iface:*`
/// every minute, `host:*` (local hosts) and `subnet:*` every 5 minutes, all at the
/// tick's aligned time. The final (unaligned) ticks at the end of a capture are not
/// written: their step already has a point.
pub struct Builtin {
    w: TsSender,
    ifid: String,
    schemas: Vec<Option<Arc<Schema>>>,
    round: Round,
    alerts: AlertCounts,
    /// A sharded interface's coordinator: the alerts its workers' scripts triggered up
    /// to the tick round being written (`Driver::workers_triggered`).
    pub(crate) workers_triggered: u64,
}

/// Alert counts read from the interface's alert engine once per tick round.
#[derive(Debug, Default)]
struct AlertCounts {
    /// The round they were read for.
    at: Option<u64>,
    /// Alerts engaged now.
    engaged: u64,
    /// Alerts that became engaged, were stored or raised on flows (a counter).
    triggered: u64,
    /// By host entity value (`ip@vlan`): engaged now, and engaged alerts seen
    /// starting so far (a counter).
    by_host: HashMap<String, (u64, u64)>,
    /// The engaged host alerts of the previous read (to count new ones).
    seen: std::collections::HashSet<(String, u32, String, u64)>,
}

/// Most hosts whose alert counters are kept.
const MAX_ALERT_HOSTS: usize = 1 << 20;

impl Builtin {
    fn new(service: &TsService, ifid: i32) -> Builtin {
        let reg = SchemaRegistry::with_builtins();
        Builtin {
            w: service.sender.clone(),
            ifid: ifid.to_string(),
            schemas: NAMES.iter().map(|n| reg.get(n).cloned()).collect(),
            round: Round::default(),
            alerts: AlertCounts::default(),
            workers_triggered: 0,
        }
    }

    /// Reads the alert counts of the tick round at `now` (once per round; call it
    /// before the round's entity ticks).
    pub fn refresh_alerts(&mut self, now: Timestamp, engine: &weir_alerts::AlertEngine) {
        let a = &mut self.alerts;
        if a.at == Some(now.0) {
            return;
        }
        a.at = Some(now.0);
        let st = engine.stats();
        a.engaged = st.engaged_now;
        a.triggered = st.triggered() + self.workers_triggered;
        if a.by_host.len() > MAX_ALERT_HOSTS {
            a.by_host.clear();
        }
        a.by_host.values_mut().for_each(|v| v.0 = 0);
        let mut seen = std::collections::HashSet::new();
        for al in engine.engaged() {
            if al.entity.kind != weir_alerts::EntityKind::Host {
                continue;
            }
            let id = (
                al.entity.value.clone(),
                al.alert_type.0,
                al.alert_subtype.clone(),
                al.alert_tstamp,
            );
            let e = a.by_host.entry(al.entity.value.clone()).or_default();
            e.0 += 1;
            if !a.seen.contains(&id) {
                e.1 += 1;
            }
            seen.insert(id);
        }
        a.seen = seen;
    }

    fn put(&mut self, idx: usize, tags: Vec<String>, values: Vec<f64>, at: u64) {
        let Some(Some(schema)) = self.schemas.get(idx) else {
            return;
        };
        let mut t = Vec::with_capacity(tags.len() + 1);
        t.push(self.ifid.clone());
        t.extend(tags);
        if let Err(e) = self.w.append(schema, t, values, at) {
            tracing::debug!("built-in timeseries point refused: {e}");
        }
    }

    /// A host of the tick round.
    pub fn host_tick(&mut self, tick: Tick, now: Timestamp, h: &Host) {
        let Some(at) = aligned(tick, now) else {
            return;
        };
        match tick {
            Tick::Min => {
                self.round.hosts += 1;
                self.round.local_hosts += u64::from(h.local);
                self.round.cli_score += u64::from(h.score[0]);
                self.round.srv_score += u64::from(h.score[1]);
            }
            Tick::FiveMins if h.local => {
                let host = if h.vlan == 0 {
                    h.ip.to_string()
                } else {
                    format!("{}@{}", h.ip, h.vlan)
                };
                let (bs, br) = (h.bytes_sent as f64, h.bytes_rcvd as f64);
                // A host created since the previous tick had every counter at zero
                // then: saying so gives its first interval a rate (a counter's first
                // point only sets the baseline), so a host that appeared in the last
                // five minutes of a replay (its top talker, say) has a point to chart.
                let prev = at.saturating_sub(tick.secs());
                let fresh = h.first_seen.as_secs() >= prev;
                if fresh {
                    self.put(HOST_TRAFFIC, vec![host.clone()], vec![0.0, 0.0], prev);
                }
                self.put(HOST_TRAFFIC, vec![host.clone()], vec![bs, br], at);
                for c in h.l7.iter() {
                    let name = if c.proto == Proto(u16::MAX) {
                        "Other".to_string()
                    } else {
                        c.proto.name().to_string()
                    };
                    if fresh {
                        self.put(HOST_NDPI, vec![host.clone(), name.clone()], vec![0.0], prev);
                    }
                    self.put(
                        HOST_NDPI,
                        vec![host.clone(), name],
                        vec![c.bytes as f64],
                        at,
                    );
                }
                let key = format!("{}@{}", h.ip, h.vlan);

                let (engaged, triggered) = self.alerts.by_host.get(&key).copied().unwrap_or((0, 0));
                self.put(
                    HOST_ALERTS,
                    vec![host.clone()],
                    vec![engaged as f64, triggered as f64],
                    at,
                );
                self.put(
                    HOST_SCORE,
                    vec![host],
                    vec![f64::from(h.score[0]), f64::from(h.score[1])],
                    at,
                );
            }
            _ => {}
        }
    }

    /// A local network of the tick round.
    pub fn network_tick(&mut self, tick: Tick, now: Timestamp, n: &Network) {
        let Some(at) = aligned(tick, now) else {
            return;
        };
        if tick == Tick::Min {
            self.round.egress += n.bytes_egress;
            self.round.ingress += n.bytes_ingress;
            return;
        }
        if tick != Tick::FiveMins {
            return;
        }
        self.put(
            SUBNET_TRAFFIC,
            vec![n.cidr.to_string()],
            vec![
                n.bytes_ingress as f64,
                n.bytes_egress as f64,
                n.bytes_inner as f64,
            ],
            at,
        );
    }

    /// The interface, after its hosts and networks.
    pub fn interface_tick(&mut self, tick: Tick, now: Timestamp, i: &Interface) {
        if tick != Tick::Min {
            return;
        }
        let Some(at) = aligned(tick, now) else {
            return;
        };
        // The capture's drops as the engine counted them, in packet time (kernel and
        // queue drops of a live source, pcapng statistics blocks of a file).
        let drops = i.drops;
        self.put(IFACE_TRAFFIC, vec![], vec![i.bytes as f64], at);
        self.put(
            IFACE_PACKETS,
            vec![],
            vec![i.packets as f64, drops as f64],
            at,
        );
        let active = i.flows_created.saturating_sub(i.flows_ended);
        self.put(IFACE_FLOWS, vec![], vec![active as f64], at);
        let r = std::mem::take(&mut self.round);
        self.put(
            IFACE_RXTX,
            vec![],
            vec![r.egress as f64, r.ingress as f64],
            at,
        );
        self.put(
            IFACE_HOSTS,
            vec![],
            vec![r.hosts as f64, r.local_hosts as f64],
            at,
        );
        for (id, c) in &i.l7 {
            self.put(
                IFACE_NDPI,
                vec![Proto(*id).name().to_string()],
                vec![c.bytes as f64],
                at,
            );
        }
        let (engaged, triggered) = (self.alerts.engaged, self.alerts.triggered);
        self.put(
            IFACE_ALERTS,
            vec![],
            vec![engaged as f64, triggered as f64],
            at,
        );
        self.put(
            IFACE_SCORE,
            vec![],
            vec![r.cli_score as f64, r.srv_score as f64],
            at,
        );
    }

    /// The end of a tick round: the round's points go to the sink as one batch.
    pub fn end_round(&mut self) {
        if let Err(e) = self.w.end_step() {
            tracing::warn!("timeseries: {e}");
        }
        self.round = Round::default();
    }

    /// The forced ticks at the end of a capture write nothing (see [`aligned`]); the
    /// buffer is handed over here.
    pub fn finish(&mut self) {
        self.end_round();
    }
}

/// The tick's time when it is aligned to its period (a regular tick), else `None` (the
/// forced ticks at the end of a capture).
fn aligned(tick: Tick, now: Timestamp) -> Option<u64> {
    let secs = now.as_secs();
    (now.0.is_multiple_of(1_000_000) && secs.is_multiple_of(tick.secs())).then_some(secs)
}
