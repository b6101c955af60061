//! What the history keeps: one [`FlowRecord`] per ended flow and one [`AlertRecord`]
//! per stored alert.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize, Serializer};

/// Why a flow left the flow table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EndReason {
    /// No packets for the idle timeout (or closed and quiet).
    #[default]
    Idle,
    /// Evicted to make room in a full flow table.
    Evicted,
    /// Still active when the replay ended or the daemon stopped.
    Shutdown,
}

impl EndReason {
    /// `"idle"`, `"evicted"`, `"shutdown"`.
    pub fn name(self) -> &'static str {
        match self {
            EndReason::Idle => "idle",
            EndReason::Evicted => "evicted",
            EndReason::Shutdown => "shutdown",
        }
    }

    /// The reason named by [`EndReason::name`] (`idle` for anything else).
    pub fn from_name(s: &str) -> EndReason {
        match s {
            "evicted" => EndReason::Evicted,
            "shutdown" => EndReason::Shutdown,
            _ => EndReason::Idle,
        }
    }
}

/// One ended flow with its final counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRecord {
    /// The probe (weir instance) that saw it.
    pub probe: String,
    /// The interface (capture file or device name).
    pub interface: String,
    /// VLAN id (0 = none).
    pub vlan: u16,
    /// L4 protocol number.
    pub l4: u8,
    /// Client address.
    pub cli_ip: IpAddr,
    /// Client port (0 for ICMP and port-less protocols).
    pub cli_port: u16,
    /// Server address.
    pub srv_ip: IpAddr,
    /// Server port.
    pub srv_port: u16,
    /// First packet, µs since the epoch (packet time).
    pub first_seen_us: u64,
    /// Last packet, µs since the epoch.
    pub last_seen_us: u64,
    /// Bytes client → server.
    pub cli2srv_bytes: u64,
    /// Bytes server → client.
    pub srv2cli_bytes: u64,
    /// Packets client → server.
    pub cli2srv_packets: u64,
    /// Packets server → client.
    pub srv2cli_packets: u64,
    /// L7 protocol, nDPI's `Master.App` label (`TLS.YouTube`).
    pub l7_proto: String,
    /// nDPI category name.
    pub category: String,
    /// nDPI risks (bit = risk id).
    #[serde(serialize_with = "bits")]
    pub risks: u64,
    /// Flow statuses (bit = status id).
    #[serde(serialize_with = "bits")]
    pub statuses: u64,
    /// Flow score.
    pub score: u32,
    /// Server name seen (SNI, HTTP Host, DNS query), empty when none.
    pub info: String,
    /// Why the flow ended.
    pub end_reason: EndReason,
}

/// A bitmap as the list of its set bit numbers (the ids of risks or statuses).
fn bits<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(bit_ids(*v))
}

/// The numbers of the set bits of `v`, lowest first.
pub fn bit_ids(v: u64) -> impl Iterator<Item = u8> {
    (0..64u8).filter(move |b| v & (1u64 << b) != 0)
}

impl FlowRecord {
    /// Bytes both ways.
    pub fn bytes(&self) -> u64 {
        self.cli2srv_bytes.saturating_add(self.srv2cli_bytes)
    }

    /// Packets both ways.
    pub fn packets(&self) -> u64 {
        self.cli2srv_packets.saturating_add(self.srv2cli_packets)
    }

    /// An empty record (addresses 0.0.0.0), for tests and builders.
    pub fn empty() -> FlowRecord {
        FlowRecord {
            probe: String::new(),
            interface: String::new(),
            vlan: 0,
            l4: 0,
            cli_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            cli_port: 0,
            srv_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            srv_port: 0,
            first_seen_us: 0,
            last_seen_us: 0,
            cli2srv_bytes: 0,
            srv2cli_bytes: 0,
            cli2srv_packets: 0,
            srv2cli_packets: 0,
            l7_proto: String::new(),
            category: String::new(),
            risks: 0,
            statuses: 0,
            score: 0,
            info: String::new(),
            end_reason: EndReason::Idle,
        }
    }
}

/// One stored alert as the history keeps it: the columns queries filter on, plus the
/// whole alert as ntopng's notification JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRecord {
    /// The probe that raised it.
    pub probe: String,
    /// Interface id.
    pub ifid: i32,
    /// `"flow"` for flow alerts, else the entity name (`host`, `interface`, …).
    pub kind: String,
    /// `store` (one-shot and flow alerts) or `release` (an engaged alert that ended).
    pub action: String,
    /// Alert type id.
    pub alert_type: u32,
    /// Alert type name.
    pub alert_name: String,
    /// Severity id.
    pub severity: u8,
    /// Entity id (`alert_entity`).
    pub entity: u8,
    /// Entity value (`alert_entity_val`: a host, an interface id, `flow`).
    pub entity_val: String,
    /// When it was raised (engaged), seconds since the epoch (packet time).
    pub tstamp: u64,
    /// When it was released (0: one-shot).
    pub tstamp_end: u64,
    /// Score.
    pub score: u32,
    /// Client address of a flow alert (empty otherwise).
    pub cli_ip: String,
    /// Server address of a flow alert (empty otherwise).
    pub srv_ip: String,
    /// The notification JSON (every field of the alert).
    pub json: String,
}
