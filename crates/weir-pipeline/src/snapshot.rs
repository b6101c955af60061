//! Read-only views of the engine's state for the web server and REST API.
//!
//! The engine thread owns its tables; it publishes a [`Snapshot`] at most every
//! [`PUBLISH_EVERY`] of wall time (and once at the end), and readers clone the `Arc` of
//! the latest one. Nothing outside the engine thread ever touches the live tables.
//!
//! A run has one [`SnapshotCell`] holding one cell per interface (its snapshots,
//! throughput samples, source counters and user script counters), and the syslog
//! producers' counters.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use weir_flow::{Engine, Interface, Proto};

use crate::json::{flow_json, host_json};
use crate::source::{Msg, SourceStats};
use crate::syslog::{HandlerFactory, SyslogHandler, SyslogStats};
use crate::talkers::TopTalkers;

/// Least wall time between two snapshots.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// Most flows (and hosts) copied into one snapshot; totals are always exact.
pub const MAX_ROWS: usize = 100_000;
/// Distinct syslog producers counted (more are left out of the per-producer counts).
const MAX_PRODUCERS: usize = 10_000;
/// Throughput samples kept per interface (one per snapshot, about 1/s: an hour).
pub const SAMPLES: usize = 3600;

/// One throughput sample of an interface, taken when a snapshot is published.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sample {
    /// Packet time, seconds since the epoch.
    pub time: f64,
    /// Bytes seen so far.
    pub bytes: u64,
    /// Packets seen so far.
    pub packets: u64,
    /// Throughput since the previous sample, bits per second.
    pub bps: f64,
    /// Throughput since the previous sample, packets per second.
    pub pps: f64,
}

/// The engine's state at one moment of packet time.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Packet time of the snapshot, microseconds since the epoch.
    pub clock_us: u64,
    /// Interface counters (`interface.getStats()`-like keys).
    pub interface: Value,
    /// Active flows with `flow.getInfo()` keys (at most [`MAX_ROWS`]).
    pub flows: Vec<Map<String, Value>>,
    /// Number of active flows.
    pub flows_total: usize,
    /// Active hosts (at most [`MAX_ROWS`]); at the end of a run, every host of the
    /// run (those that left the host table too), with its counters over the run.
    pub hosts: Vec<Map<String, Value>>,
    /// Number of hosts in `hosts` (before the cap).
    pub hosts_total: usize,
    /// The local networks with their counters (`network.getNetworkStats()`-like keys).
    pub networks: Vec<Map<String, Value>>,
    /// True once the engine has finished (the capture ended).
    pub finished: bool,
}

/// Where the engine publishes and readers read.
///
/// The cell a run creates is also the directory of its interfaces: each engine thread
/// publishes into the cell [`SnapshotCell::interface`] registers for it, and readers
/// find every interface's cell by id. [`SnapshotCell::get`] on the run's cell is the
/// first interface's latest snapshot.
#[derive(Debug, Default)]
pub struct SnapshotCell {
    latest: RwLock<Arc<Snapshot>>,
    name: RwLock<String>,
    samples: Mutex<VecDeque<Sample>>,
    interfaces: RwLock<Vec<(usize, Arc<SnapshotCell>)>>,
    source: RwLock<Option<Arc<SourceStats>>>,
    queue: RwLock<Option<crossbeam_channel::Receiver<Msg>>>,
    syslog: Mutex<Option<SyslogStats>>,
    scripts: Mutex<Vec<ScriptCounters>>,
    script_memory: Mutex<Option<VmMemory>>,
}

/// Calls, failures and cost of one user script on an interface, for `/metrics`,
/// `GET /api/v1/scripts/stats` and `scripts-stats.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptCounters {
    /// Plugin key.
    pub plugin: String,
    /// `subdir/key`.
    pub script: String,
    /// Hook calls so far.
    pub calls: u64,
    /// Failed calls so far.
    pub errors: u64,
    /// Disabled after too many failures in a row, or stopped over its memory budget.
    pub disabled: bool,
    /// Why it is not running (disabled, stopped, off in its settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Wall time in its hooks, nanoseconds.
    #[serde(default)]
    pub time_ns: u64,
    /// Its slowest call, nanoseconds.
    #[serde(default)]
    pub max_ns: u64,
    /// Memory its calls left allocated in the VM (growth across each call, summed;
    /// what is collected later still counts), bytes.
    #[serde(default)]
    pub alloc_bytes: u64,
    /// The same per hook (flow hooks by name, entity hooks by granularity); hooks
    /// never called are left out.
    #[serde(default)]
    pub hooks: Vec<HookStats>,
}

impl ScriptCounters {
    /// Adds the counters of the same script in another VM of the interface (a worker
    /// shard's, `crate::shards`): calls, errors, times and memory add up, the slowest
    /// call is the slowest of both, hooks are matched by name.
    pub fn absorb(&mut self, o: &ScriptCounters) {
        self.calls += o.calls;
        self.errors += o.errors;
        self.disabled |= o.disabled;
        if self.reason.is_none() {
            self.reason.clone_from(&o.reason);
        }
        self.time_ns += o.time_ns;
        self.max_ns = self.max_ns.max(o.max_ns);
        self.alloc_bytes += o.alloc_bytes;
        for h in &o.hooks {
            match self.hooks.iter_mut().find(|x| x.hook == h.hook) {
                Some(x) => {
                    x.calls += h.calls;
                    x.time_ns += h.time_ns;
                    x.max_ns = x.max_ns.max(h.max_ns);
                    x.alloc_bytes += h.alloc_bytes;
                }
                None => self.hooks.push(h.clone()),
            }
        }
    }

    /// Mean time per call, nanoseconds (0 without calls).
    pub fn mean_ns(&self) -> u64 {
        self.time_ns.checked_div(self.calls).unwrap_or(0)
    }

    /// The counters of a script as the runtime reports it.
    pub fn of(s: &weir_script::ScriptInfo) -> ScriptCounters {
        let hooks: Vec<HookStats> = s
            .cost
            .iter()
            .map(|c| HookStats {
                hook: c.hook.clone(),
                calls: c.calls,
                time_ns: c.time_ns,
                max_ns: c.max_ns,
                alloc_bytes: c.alloc_bytes,
            })
            .collect();
        ScriptCounters {
            script: format!("{}/{}", s.subdir, s.key),
            plugin: s.plugin.clone(),
            calls: s.calls,
            errors: s.errors,
            disabled: s.disabled,
            reason: s.inactive_reason.clone(),
            time_ns: hooks.iter().map(|h| h.time_ns).sum(),
            max_ns: hooks.iter().map(|h| h.max_ns).max().unwrap_or(0),
            alloc_bytes: hooks.iter().map(|h| h.alloc_bytes).sum(),
            hooks,
        }
    }
}

/// The memory of an interface's Lua VM and what its guard did
/// ([`weir_script::MemoryStats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmMemory {
    /// Bytes the VM uses.
    pub used_bytes: u64,
    /// The VM's memory limit, bytes.
    pub limit_bytes: u64,
    /// Collector steps run between frame batches.
    pub gc_steps: u64,
    /// Full collections run between frame batches.
    #[serde(default)]
    pub gc_full: u64,
    /// Budget checks (full collection and measure of each script's state past the
    /// high-water mark).
    pub budget_checks: u64,
    /// Scripts stopped for keeping more memory than their budget.
    pub scripts_stopped: u64,
    /// Full collections the count hook ran before stopping a call for memory.
    pub hook_collections: u64,
}

impl VmMemory {
    /// Adds another VM of the same interface (a worker shard's): the interface's
    /// scripts then use the memory of all its VMs, within the sum of their limits.
    /// `scripts_stopped` counts scripts, not VMs: every VM runs the same scripts, and
    /// a script that leaks is stopped in each VM it leaks in, so the most any VM
    /// stopped is the interface's count.
    pub fn absorb(&mut self, o: &VmMemory) {
        self.used_bytes += o.used_bytes;
        self.limit_bytes += o.limit_bytes;
        self.gc_steps += o.gc_steps;
        self.gc_full += o.gc_full;
        self.budget_checks += o.budget_checks;
        self.scripts_stopped = self.scripts_stopped.max(o.scripts_stopped);
        self.hook_collections += o.hook_collections;
    }
}

impl From<weir_script::MemoryStats> for VmMemory {
    fn from(m: weir_script::MemoryStats) -> VmMemory {
        VmMemory {
            used_bytes: m.used_bytes,
            limit_bytes: m.limit_bytes,
            gc_steps: m.gc_steps,
            gc_full: m.gc_full,
            budget_checks: m.budget_checks,
            scripts_stopped: m.scripts_stopped,
            hook_collections: m.hook_collections,
        }
    }
}

/// The cost of one hook of a script.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookStats {
    /// Hook (`protocolDetected`, …) or granularity (`min`, `5mins`, …).
    pub hook: String,
    /// Calls.
    pub calls: u64,
    /// Wall time in the calls, nanoseconds.
    pub time_ns: u64,
    /// The slowest call, nanoseconds.
    pub max_ns: u64,
    /// Memory the calls left allocated in the VM, bytes.
    pub alloc_bytes: u64,
}

impl HookStats {
    /// Mean time per call, nanoseconds (0 without calls).
    pub fn mean_ns(&self) -> u64 {
        self.time_ns.checked_div(self.calls).unwrap_or(0)
    }
}

/// Counters of an interface's source and queue, for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceCounters {
    /// Frames read by the source.
    pub frames: u64,
    /// Frames dropped because the engine queue was full.
    pub queue_drops: u64,
    /// Frames the kernel dropped (live sources).
    pub kernel_drops: u64,
    /// Problems reported by the source.
    pub problems: u64,
    /// Batches waiting in the source → engine queue.
    pub queue_depth: usize,
    /// Capacity of that queue, in batches.
    pub queue_capacity: usize,
}

impl SnapshotCell {
    /// The latest snapshot (of the first interface, when interfaces are registered).
    pub fn get(&self) -> Arc<Snapshot> {
        if let Some(first) = self.interfaces.read().first() {
            return first.1.get();
        }
        self.latest.read().clone()
    }

    /// The cell of interface `ifid`, registered under `name` on first use.
    pub fn interface(&self, ifid: usize, name: &str) -> Arc<SnapshotCell> {
        let mut list = self.interfaces.write();
        if let Some((_, c)) = list.iter().find(|(i, _)| *i == ifid) {
            return c.clone();
        }
        let cell = Arc::new(SnapshotCell::default());
        *cell.name.write() = name.to_string();
        list.push((ifid, cell.clone()));
        list.sort_by_key(|(i, _)| *i);
        cell
    }

    /// The cell of the interface whose source is `name` (of several with that name,
    /// the one with id `ifid`, else the first).
    pub fn interface_named(&self, name: &str, ifid: usize) -> Option<Arc<SnapshotCell>> {
        let list = self.interfaces.read();
        let mut same = list.iter().filter(|(_, c)| *c.name.read() == name);
        let first = same.next()?;
        Some(
            std::iter::once(first)
                .chain(same)
                .find(|(i, _)| *i == ifid)
                .unwrap_or(first)
                .1
                .clone(),
        )
    }

    /// Publishes the interface's user script counters.
    pub fn publish_scripts(&self, counters: Vec<ScriptCounters>) {
        *self.scripts.lock() = counters;
    }

    /// The interface's user script counters, as last published.
    pub fn scripts(&self) -> Vec<ScriptCounters> {
        self.scripts.lock().clone()
    }

    /// Publishes the memory of the interface's Lua VM.
    pub fn publish_script_memory(&self, m: VmMemory) {
        *self.script_memory.lock() = Some(m);
    }

    /// The memory of the interface's Lua VM, once published.
    pub fn script_memory(&self) -> Option<VmMemory> {
        *self.script_memory.lock()
    }

    /// The registered interfaces, by id.
    pub fn interfaces(&self) -> Vec<(usize, Arc<SnapshotCell>)> {
        self.interfaces.read().clone()
    }

    /// Lets readers see the counters of the interface's source.
    pub fn watch_source(&self, stats: Arc<SourceStats>) {
        *self.source.write() = Some(stats);
    }

    /// Lets readers see how full the source → engine queue is (a receiver kept only
    /// for its length).
    pub fn watch_queue(&self, queue: crossbeam_channel::Receiver<Msg>) {
        *self.queue.write() = Some(queue);
    }

    /// The source's counters and the queue depth, once known.
    pub fn source_counters(&self) -> Option<SourceCounters> {
        let stats = self.source.read().clone()?;
        let (depth, cap) = self
            .queue
            .read()
            .as_ref()
            .map_or((0, 0), |q| (q.len(), q.capacity().unwrap_or(0)));
        let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
        Some(SourceCounters {
            frames: load(&stats.frames),
            queue_drops: load(&stats.queue_drops),
            kernel_drops: load(&stats.kernel_drops),
            problems: load(&stats.problems),
            queue_depth: depth,
            queue_capacity: cap,
        })
    }

    /// The capture counters of each worker socket of a live interface sharded with
    /// kernel fan-out (`crate::fanout`); empty otherwise.
    pub fn worker_capture(&self) -> Vec<crate::fanout::WorkerDrops> {
        self.source
            .read()
            .as_ref()
            .map_or_else(Vec::new, |s| crate::fanout::worker_drops(s))
    }

    /// Counts one syslog message of `producer` (handled by a script or not, failed).
    fn count_syslog(&self, producer: &str, handled: Option<bool>) {
        let mut g = self.syslog.lock();
        let s = g.get_or_insert_with(SyslogStats::default);
        s.received += 1;
        if s.producers.len() < MAX_PRODUCERS || s.producers.contains_key(producer) {
            *s.producers.entry(producer.to_string()).or_default() += 1;
            if handled == Some(false) {
                *s.unhandled.entry(producer.to_string()).or_default() += 1;
            }
        }
        if handled.is_none() {
            s.handler_errors += 1;
        }
    }

    /// The syslog counters so far (messages that reached the scripts, per producer),
    /// when syslog listeners run.
    pub fn syslog(&self) -> Option<SyslogStats> {
        self.syslog.lock().clone()
    }

    /// Wraps a syslog handler factory so that every message it handles is counted in
    /// this cell (live, for the web server's syslog producers).
    pub fn counting_syslog(self: &Arc<Self>, make: HandlerFactory) -> HandlerFactory {
        let cell = self.clone();
        *cell.syslog.lock() = Some(SyslogStats::default());
        Box::new(move || {
            let inner = make()?;
            Ok(Box::new(CountingSyslog { inner, cell }) as Box<dyn SyslogHandler>)
        })
    }

    /// The name the interface was registered under (its source).
    pub fn name(&self) -> String {
        self.name.read().clone()
    }

    /// The throughput samples newer than `since` (all without), oldest first.
    pub fn samples(&self, since: Option<f64>) -> Vec<Sample> {
        self.samples
            .lock()
            .iter()
            .filter(|s| since.is_none_or(|t| s.time > t))
            .copied()
            .collect()
    }

    fn set(&self, s: Snapshot) {
        self.sample(&s);
        *self.latest.write() = Arc::new(s);
    }

    /// Adds the throughput sample of a new snapshot.
    fn sample(&self, snap: &Snapshot) {
        if snap.clock_us == 0 {
            return;
        }
        let field = |k: &str| snap.interface.get(k).and_then(Value::as_u64).unwrap_or(0);
        let rate = |k: &str| snap.interface.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let (bytes, packets) = (field("bytes"), field("packets"));
        let time = snap.clock_us as f64 / 1e6;
        let mut ring = self.samples.lock();
        let (bps, pps) = match ring.back() {
            Some(last) if time <= last.time => return,
            Some(last) => {
                let dt = time - last.time;
                (
                    bytes.saturating_sub(last.bytes) as f64 * 8.0 / dt,
                    packets.saturating_sub(last.packets) as f64 / dt,
                )
            }
            None => (rate("throughput_bps"), rate("throughput_pps")),
        };
        if ring.len() >= SAMPLES {
            ring.pop_front();
        }
        ring.push_back(Sample {
            time,
            bytes,
            packets,
            bps,
            pps,
        });
    }
}

/// Publishes snapshots from the engine thread.
pub struct Publisher {
    cell: Arc<SnapshotCell>,
    last: Option<Instant>,
}

impl Publisher {
    /// A publisher into `cell`.
    pub fn new(cell: Arc<SnapshotCell>) -> Publisher {
        Publisher { cell, last: None }
    }

    /// The last snapshot of a run: flows and hosts as they were before the final visit
    /// ended every flow (call [`Publisher::before_final_visit`] first), so that a host's
    /// active flows and score agree with the flows listed beside it; interface counters
    /// as after.
    pub fn publish_final(&mut self, engine: &Engine) {
        let before = self.cell.get();
        let mut last = build(engine, true);
        last.flows = before.flows.clone();
        last.flows_total = before.flows_total;
        last.hosts = before.hosts.clone();
        last.hosts_total = before.hosts_total;
        self.cell.set(last);
    }

    /// Captures the flow table just before the final visit ends every flow, and every
    /// host of the run: those of the table and those that left it (`talkers`), with
    /// their counters over the whole run.
    pub fn before_final_visit(&mut self, engine: &Engine, talkers: &TopTalkers) {
        let mut snap = build(engine, false);
        let hosts = talkers
            .retired
            .whole_run(engine.hosts().iter().map(|(_, h)| h));
        snap.hosts_total = hosts.len();
        snap.hosts = hosts.iter().take(MAX_ROWS).map(host_json).collect();
        self.cell.set(snap);
    }

    /// Publishes if the last snapshot is older than [`PUBLISH_EVERY`].
    pub fn maybe_publish(&mut self, engine: &Engine) {
        if self.last.is_some_and(|t| t.elapsed() < PUBLISH_EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        self.cell.set(build(engine, false));
    }
}

fn interface_json(i: &Interface) -> Value {
    let l7: Map<String, Value> =
        i.l7.iter()
            .map(|(id, c)| {
                (
                    Proto(*id).name().to_string(),
                    json!({"bytes": c.bytes, "packets": c.packets, "flows": c.flows}),
                )
            })
            .collect();
    let l4: Map<String, Value> = Interface::L4_NAMES
        .iter()
        .zip(i.l4.iter())
        .map(|(n, c)| {
            (
                n.to_string(),
                json!({"bytes": c.bytes, "packets": c.packets}),
            )
        })
        .collect();
    json!({
        "first_packet_us": i.first_packet_us,
        "packets": i.packets,
        "bytes": i.bytes,
        "throughput_bps": i.throughput_bps,
        "throughput_pps": i.throughput_pps,
        "flows_created": i.flows_created,
        "flows_ended": i.flows_ended,
        "flows_evicted": i.flows_evicted,
        "hosts_created": i.hosts_created,
        "non_ip": i.non_ip,
        "decode_errors": i.decode_errors,
        "fragments": i.fragments,
        "l4": l4,
        "ndpi": l7,
        "drops": i.drops,
        "local_hosts": i.local_hosts,
        "bcast_domains": i
            .bcast_domains
            .iter()
            .map(|(net, d)| json!({"network": net.to_string(), "hits": d.hits, "ghost_network": d.ghost_network}))
            .collect::<Vec<Value>>(),
    })
}

fn network_json(n: &weir_flow::Network) -> Map<String, Value> {
    let v = json!({
        "network_id": n.id,
        "network_key": n.cidr.to_string(),
        "num_hosts": n.hosts,
        "ingress": n.bytes_ingress,
        "egress": n.bytes_egress,
        "inner": n.bytes_inner,
        "bytes": n.bytes_ingress + n.bytes_egress + n.bytes_inner,
        "packets": n.packets,
        "flows": n.flows,
        "score": n.score,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn build(engine: &Engine, finished: bool) -> Snapshot {
    let nets = engine.networks();
    Snapshot {
        networks: nets.iter().map(network_json).collect(),
        clock_us: engine.clock().0,
        interface: interface_json(engine.interface()),
        flows: engine
            .flows()
            .iter()
            .take(MAX_ROWS)
            .map(|(_, f)| flow_json(f, nets, false))
            .collect(),
        flows_total: engine.flows().len(),
        hosts: engine
            .hosts()
            .iter()
            .take(MAX_ROWS)
            .map(|(_, h)| host_json(h))
            .collect(),
        hosts_total: engine.hosts().len(),
        finished,
    }
}

/// A syslog handler that counts what it handles into a [`SnapshotCell`].
struct CountingSyslog {
    inner: Box<dyn SyslogHandler>,
    cell: Arc<SnapshotCell>,
}

impl SyslogHandler for CountingSyslog {
    fn handle(
        &mut self,
        producer: &str,
        msg: &weir_decode::SyslogMessage<'_>,
        host: &str,
    ) -> anyhow::Result<bool> {
        let r = self.inner.handle(producer, msg, host);
        self.cell.count_syslog(producer, r.as_ref().ok().copied());
        r
    }

    fn reload(&mut self) {
        self.inner.reload();
    }

    fn queue_overflow(&mut self, dropped: u64, queue_size: usize, engaged: bool) {
        self.inner.queue_overflow(dropped, queue_size, engaged);
    }

    fn finish(&mut self) {
        self.inner.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(clock_s: u64, bytes: u64, packets: u64) -> Snapshot {
        Snapshot {
            clock_us: clock_s * 1_000_000,
            interface: json!({"bytes": bytes, "packets": packets,
                "throughput_bps": 8.0, "throughput_pps": 1.0}),
            ..Snapshot::default()
        }
    }

    #[test]
    fn interfaces_and_samples() {
        let run = SnapshotCell::default();
        assert_eq!(run.get().clock_us, 0);
        let second = run.interface(1, "b.pcap");
        let first = run.interface(0, "a.pcap");
        assert!(Arc::ptr_eq(&first, &run.interface(0, "ignored")));
        let ids: Vec<(usize, String)> = run
            .interfaces()
            .iter()
            .map(|(i, c)| (*i, c.name()))
            .collect();
        assert_eq!(ids, [(0, "a.pcap".into()), (1, "b.pcap".into())]);
        first.set(snap(100, 1000, 10));
        second.set(snap(50, 7, 1));
        // The run's cell reads as its first interface.
        assert_eq!(run.get().clock_us, 100_000_000);
        first.set(snap(102, 3000, 14));
        first.set(snap(102, 3000, 14));
        first.set(snap(101, 9999, 99));
        let s = first.samples(None);
        assert_eq!(s.len(), 2, "same or older packet time: no sample");
        assert_eq!((s[0].bps, s[0].pps), (8.0, 1.0));
        assert_eq!((s[1].bps, s[1].pps), (8000.0, 2.0));
        assert_eq!(first.samples(Some(100.0)).len(), 1);
        assert_eq!(second.samples(None).len(), 1);
    }

    /// Answers handled, unhandled, then fails, in turn.
    struct Turns(usize);

    impl SyslogHandler for Turns {
        fn handle(
            &mut self,
            _: &str,
            _: &weir_decode::SyslogMessage<'_>,
            _: &str,
        ) -> anyhow::Result<bool> {
            self.0 += 1;
            match self.0 % 3 {
                1 => Ok(true),
                2 => Ok(false),
                _ => Err(anyhow::anyhow!("failed")),
            }
        }
    }

    #[test]
    fn syslog_counts() {
        let run = Arc::new(SnapshotCell::default());
        assert!(run.syslog().is_none());
        let make = run.counting_syslog(Box::new(|| Ok(Box::new(Turns(0)))));
        let mut h = make().unwrap();
        let msg = weir_decode::parse_syslog(b"<13>Nov 26 22:08:46 fw app[1]: x").unwrap();
        for producer in ["a", "b", "b", "a", "b", "c"] {
            let _ = h.handle(producer, &msg, "fw");
        }
        let s = run.syslog().unwrap();
        assert_eq!((s.received, s.handler_errors), (6, 2));
        let p: Vec<_> = s.producers.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(p, [("a", 2), ("b", 3), ("c", 1)]);
        // a: handled, handled; b: unhandled, failed, unhandled; c: failed.
        let u: Vec<_> = s.unhandled.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(u, [("b", 2)]);
    }
}
