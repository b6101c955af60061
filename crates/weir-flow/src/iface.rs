//! Interface counters: totals, throughput, drops, L4 and L7 breakdowns.

use crate::proto::Proto;

/// Counters of one L4 protocol.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct L4Counter {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Traffic of one L7 protocol on the interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IfaceL7 {
    /// Bytes.
    pub bytes: u64,
    /// Packets.
    pub packets: u64,
    /// Flows (counted when detection completes).
    pub flows: u64,
}

/// Interface counters.
#[derive(Debug, Clone, Default)]
pub struct Interface {
    /// Frames seen.
    pub packets: u64,
    /// Bytes seen (wire length).
    pub bytes: u64,
    /// Frames without an IP layer (ARP, undecodable).
    pub non_ip: u64,
    /// Frames whose decoding stopped early.
    pub decode_errors: u64,
    /// IP fragments.
    pub fragments: u64,
    /// Flows created.
    pub flows_created: u64,
    /// Flows ended (idle, closed, end of capture).
    pub flows_ended: u64,
    /// Flows evicted because the table was full (counted as drops).
    pub flows_evicted: u64,
    /// Hosts created.
    pub hosts_created: u64,
    /// TCP, UDP, ICMP (v4+v6), other.
    pub l4: [L4Counter; 4],
    /// L7 breakdown, indexed by protocol id (sparse).
    pub l7: std::collections::BTreeMap<u16, IfaceL7>,
    /// Throughput over the last visit interval, bits/s.
    pub throughput_bps: f64,
    /// Throughput over the last visit interval, packets/s.
    pub throughput_pps: f64,
    pub(crate) last_tp_packets: u64,
    pub(crate) last_tp_bytes: u64,
}

impl Interface {
    /// L4 counter index of an IP protocol.
    pub fn l4_index(proto: u8) -> usize {
        match proto {
            6 => 0,
            17 => 1,
            1 | 58 => 2,
            _ => 3,
        }
    }

    /// Names of the L4 counters, in index order.
    pub const L4_NAMES: [&'static str; 4] = ["TCP", "UDP", "ICMP", "Other"];

    pub(crate) fn add_l7(&mut self, p: Proto, bytes: u64, packets: u64, flows: u64) {
        let e = self.l7.entry(p.0).or_default();
        e.bytes += bytes;
        e.packets += packets;
        e.flows += flows;
    }
}
