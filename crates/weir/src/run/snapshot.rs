//! Read-only views of the engine's state for the web server and REST API.
//!
//! The engine thread owns its tables; it publishes a [`Snapshot`] at most every
//! [`PUBLISH_EVERY`] of wall time (and once at the end), and readers clone the `Arc` of
//! the latest one. Nothing outside the engine thread ever touches the live tables.

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::RwLock;
use serde_json::{Map, Value, json};
use weir_flow::{Engine, Interface, Proto};

use crate::cmd::flows::flow_json;
use crate::cmd::hosts::host_json;

/// Least wall time between two snapshots.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// Most flows (and hosts) copied into one snapshot; totals are always exact.
pub const MAX_ROWS: usize = 100_000;

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
    /// Active hosts (at most [`MAX_ROWS`]).
    pub hosts: Vec<Map<String, Value>>,
    /// Number of active hosts.
    pub hosts_total: usize,
    /// True once the engine has finished (the capture ended).
    pub finished: bool,
}

/// Where the engine publishes and readers read.
#[derive(Debug, Default)]
pub struct SnapshotCell {
    latest: RwLock<Arc<Snapshot>>,
}

impl SnapshotCell {
    /// The latest snapshot.
    pub fn get(&self) -> Arc<Snapshot> {
        self.latest.read().clone()
    }

    fn set(&self, s: Snapshot) {
        *self.latest.write() = Arc::new(s);
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

    /// The last snapshot of a run: flows as they were before the final visit ended them
    /// all (call [`Publisher::before_final_visit`] first), counters and hosts as after.
    pub fn publish_final(&mut self, engine: &Engine) {
        let before = self.cell.get();
        let mut last = build(engine, true);
        last.flows = before.flows.clone();
        last.flows_total = before.flows_total;
        self.cell.set(last);
    }

    /// Captures the flow table just before the final visit ends every flow.
    pub fn before_final_visit(&mut self, engine: &Engine) {
        self.cell.set(build(engine, false));
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
    })
}

fn build(engine: &Engine, finished: bool) -> Snapshot {
    let nets = engine.networks();
    Snapshot {
        clock_us: engine.clock().0,
        interface: interface_json(engine.interface()),
        flows: engine
            .flows()
            .iter()
            .take(MAX_ROWS)
            .map(|(_, f)| flow_json(f, nets))
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
