//! The end-of-run summary: what `weir run` prints (a table, or one JSON object).

use serde::Serialize;
use weir_decode::DecodeSummary;
use weir_flow::{Engine, Interface, Proto};

use crate::talkers::TopTalkers;

/// How many rows the "top" lists keep.
const TOP: usize = 10;

/// Totals and top lists of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// The interface: capture file names or the live interface.
    pub interface: String,
    /// Frames processed.
    pub packets: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// Flows created.
    pub flows: u64,
    /// Flows dropped because the table was full.
    pub flows_evicted: u64,
    /// Distinct hosts (address and VLAN) that took part in a flow
    /// ([`TopTalkers::distinct_hosts`]); `weir hosts` lists as many.
    pub hosts: u64,
    /// Hosts evicted because the host table was full.
    pub hosts_evicted: u64,
    /// Packets per L4 protocol.
    pub l4: Vec<(String, u64)>,
    /// Top L7 protocols by bytes: (name, bytes, flows).
    pub top_protocols: Vec<(String, u64, u64)>,
    /// Top hosts over the whole run by bytes of the flows they took part in: (ip, bytes).
    pub top_talkers: Vec<(String, u64)>,
    /// Frames that could not be decoded at all, and frames damaged above the link layer.
    pub undecodable: u64,
    /// Frames damaged above the link layer.
    pub damaged: u64,
    /// Problems in the sources (damaged capture records with file and offset).
    pub source_problems: Vec<String>,
    /// Frames dropped because the engine was behind (live sources).
    pub queue_drops: u64,
    /// Frames the kernel dropped on the interface during the capture (live sources).
    pub kernel_drops: u64,
    /// Frames the capture lost as the engine counted them (`interface.getStats()`
    /// `stats.drops`): a live source's kernel and queue drops, the drops of a pcapng
    /// file's Interface Statistics Blocks.
    pub capture_drops: u64,
    /// Per worker socket of a live interface captured with kernel fan-out
    /// (`crate::fanout`): frames, kernel and queue drops (the totals above add them
    /// up); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub worker_capture: Vec<crate::fanout::WorkerDrops>,
    /// First and last packet time, seconds since the epoch.
    pub time_span: (f64, f64),
    /// Flows that matched each block list: (list name, flows); absent without lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub block_lists: Vec<(String, u64)>,
}

impl Summary {
    /// Adds what only the workers of a sharded interface counted (`crate::shards`):
    /// undecodable and damaged frames and block-list matches (the distinct hosts and
    /// top talkers come from the merged [`TopTalkers`]).
    pub fn absorb_shards<'a>(&mut self, workers: impl Iterator<Item = &'a Summary>) {
        let mut lists: Vec<(String, u64)> = Vec::new();
        for w in workers {
            self.undecodable += w.undecodable;
            self.damaged += w.damaged;
            for (name, n) in &w.block_lists {
                match lists.iter_mut().find(|(l, _)| l == name) {
                    Some((_, m)) => *m += n,
                    None => lists.push((name.clone(), *n)),
                }
            }
        }
        if !lists.is_empty() {
            self.block_lists = lists;
        }
    }

    /// Builds the summary from the engine's final state.
    pub fn new(
        interface: String,
        engine: &Engine,
        talkers: &TopTalkers,
        decoded: DecodeSummary,
        problems: Vec<String>,
    ) -> Summary {
        let iface: &Interface = engine.interface();
        let mut l7: Vec<(String, u64, u64)> = iface
            .l7
            .iter()
            .map(|(id, c)| (Proto(*id).name().to_string(), c.bytes, c.flows))
            .collect();
        l7.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        l7.truncate(TOP);
        let hosts = talkers.distinct_hosts().0;
        let talkers: Vec<(String, u64)> = talkers
            .top(TOP)
            .into_iter()
            .map(|(ip, bytes)| (ip.to_string(), bytes))
            .collect();
        let (mut first, mut last) = (u64::MAX, 0u64);
        for (_, h) in engine.hosts().iter() {
            first = first.min(h.first_seen.0);
            last = last.max(h.last_seen.0);
        }
        if first == u64::MAX {
            first = 0;
        }
        Summary {
            interface,
            packets: iface.packets,
            bytes: iface.bytes,
            flows: iface.flows_created,
            flows_evicted: iface.flows_evicted,
            hosts,
            hosts_evicted: iface.hosts_evicted,
            l4: Interface::L4_NAMES
                .iter()
                .zip(iface.l4.iter())
                .map(|(n, c)| (n.to_string(), c.packets))
                .collect(),
            top_protocols: l7,
            top_talkers: talkers,
            undecodable: decoded.undecodable,
            damaged: decoded.damaged(),
            source_problems: problems,
            queue_drops: 0,
            kernel_drops: 0,
            capture_drops: iface.drops,
            worker_capture: Vec::new(),
            time_span: (first as f64 / 1e6, last as f64 / 1e6),
            block_lists: engine
                .lookups()
                .blocklists
                .iter()
                .map(|l| (l.name.clone(), l.matches))
                .collect(),
        }
    }

    /// Prints the summary as a table.
    pub fn print(&self) {
        println!(
            "packets {}  bytes {}  flows {}  hosts {}",
            self.packets, self.bytes, self.flows, self.hosts
        );
        let l4: Vec<String> = self
            .l4
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        println!("L4: {}", l4.join(", "));
        if !self.top_protocols.is_empty() {
            println!("top protocols (bytes, flows):");
            for (name, bytes, flows) in &self.top_protocols {
                println!("  {name:<24} {bytes:>14} {flows:>8}");
            }
        }
        if !self.block_lists.is_empty() {
            let l: Vec<String> = self
                .block_lists
                .iter()
                .map(|(n, m)| format!("{n} {m}"))
                .collect();
            println!("block-list matches (flows): {}", l.join(", "));
        }
        if !self.top_talkers.is_empty() {
            println!("top talkers (bytes):");
            for (ip, bytes) in &self.top_talkers {
                println!("  {ip:<40} {bytes:>14}");
            }
        }
        let mut issues = Vec::new();
        for (label, n) in [
            ("undecodable frames", self.undecodable),
            ("damaged frames", self.damaged),
            ("flows dropped (table full)", self.flows_evicted),
            ("hosts evicted (table full)", self.hosts_evicted),
            ("frames dropped (engine behind)", self.queue_drops),
            ("frames dropped by the kernel", self.kernel_drops),
            ("frames lost by the capture", self.capture_drops),
            ("source problems", self.source_problems.len() as u64),
        ] {
            if n > 0 {
                issues.push(format!("{label} {n}"));
            }
        }
        if !issues.is_empty() {
            println!("issues: {}", issues.join(", "));
        }
        if !self.worker_capture.is_empty() {
            let w: Vec<String> = self
                .worker_capture
                .iter()
                .map(|w| {
                    format!(
                        "#{} {} frames, {} kernel drops, {} queue drops",
                        w.worker, w.frames, w.kernel_drops, w.queue_drops
                    )
                })
                .collect();
            println!("worker sockets: {}", w.join("; "));
        }
    }
}
