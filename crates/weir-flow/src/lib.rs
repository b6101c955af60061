//! `weir-flow`: turns decoded packets into flows, hosts and timed events.
//!
//! The [`Engine`] owns a [`FlowTable`] (canonical keys, keyed foldhash, a hard cap with
//! oldest-idle eviction), a [`HostTable`], the local [`Networks`] and the
//! [`Interface`] counters. L7 detection runs on the first [`MAX_DPI_PACKETS`] packets
//! of each flow using the dissectors of `weir_decode::app`, naming protocols as nDPI
//! does. Time is the packet clock: every call takes the packet timestamp, and the
//! visitor emits `protocolDetected`, `statusChanged`, `periodicUpdate` and `flowEnd`
//! to a [`Consumer`] each `flow_visit_interval`, plus `min`/`5mins`/`hour`/`day`
//! entity ticks. Nothing here knows about Lua or alert storage.
//!
//! ```
//! use weir_decode::{decode, LinkType, Timestamp};
//! use weir_flow::{Consumer, Engine, EngineConfig, Flow, Proto};
//!
//! // A UDP DNS query for www.google.com from 10.0.0.1:40000 to 10.0.0.2:53.
//! let mut dns = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3];
//! dns.extend_from_slice(b"www\x06google\x03com\x00\x00\x01\x00\x01");
//! let mut frame = vec![0u8; 12];
//! frame.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, (28 + dns.len()) as u8, 0, 1, 0, 0, 64, 17, 0, 0]);
//! frame.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
//! frame.extend_from_slice(&40000u16.to_be_bytes());
//! frame.extend_from_slice(&53u16.to_be_bytes());
//! frame.extend_from_slice(&((8 + dns.len()) as u16).to_be_bytes());
//! frame.extend_from_slice(&[0, 0]);
//! frame.extend_from_slice(&dns);
//!
//! #[derive(Default)]
//! struct Detected(Vec<String>);
//! impl Consumer for Detected {
//!     fn protocol_detected(&mut self, _now: Timestamp, flow: &mut Flow) {
//!         let mut buf = [0u8; 64];
//!         self.0.push(flow.l7.label(&mut buf).to_string());
//!     }
//! }
//!
//! let mut engine = Engine::new(EngineConfig::default());
//! let mut events = Detected::default();
//! let pkt = decode(LinkType::Ethernet, &frame).unwrap();
//! engine.process(Timestamp(1_700_000_000_000_000), frame.len() as u32, &pkt, &mut events);
//! engine.finish(&mut events);
//! assert_eq!(events.0, ["DNS.Google"]);
//! assert_eq!(engine.interface().flows_created, 1);
//! ```

// Packet input is untrusted: nothing outside tests may panic on it (as in weir-decode).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod catalog;
mod consumer;
mod dpi;
mod engine;
mod expect;
mod flow;
pub mod geo;
pub mod ghost;
mod host;
mod iface;
pub mod info;
mod key;
mod l7;
pub mod lists;
mod meta;
mod network;
mod proto;
pub mod risk;
mod services;
mod shard;
mod table;

pub use catalog::Catalog;
pub use consumer::{Chain, ConsumerExt};
pub use engine::{
    Consumer, DEFAULT_MAX_FLOWS, DEFAULT_MAX_HOSTS, EndReason, Engine, EngineConfig, EventMode,
    NoopConsumer, SourceKind, Tick,
};
pub use expect::{EXPECT_CAPACITY, EXPECT_TIMEOUT_US, ExpectCounters};
pub use flow::{
    CLI2SRV, Confidence, Detection, DirStats, Flow, FlowScore, L7, MAX_SCORE, SRV2CLI, TcpInfo,
    l4_name, status, tcp_state,
};
pub use geo::{Country, Geo, HostGeo};
pub use host::{
    DistinctCounter, DnsCounters, HOST_L7_INLINE, HOST_L7_MAX, Host, HostAppStats, HostId,
    HostTable, HttpCounters, L7Breakdown, L7Counter, NO_HOST, PeakRate,
};
pub use iface::{BcastDomain, IfaceL7, Interface, L4Counter, MAX_BCAST_DOMAINS};
pub use key::{Endpoints, FlowKey};
pub use l7::{MAX_DPI_PACKETS, MAX_EXTRA_PACKETS, MAX_STREAM_BYTES, MAX_URL};
pub use lists::{BlockList, BlockLists, FlowMarks, ListError, ListKind, LoadReport, Lookups};
pub use meta::{DnsInfo, HttpInfo, L7Meta, ProtoInfo, SshInfo, TlsInfo};
pub use network::{Network, Networks};
pub use proto::{Category, Proto, default_ports, guess_by_port};
pub use risk::{Risk, RiskFacts, Risks, risks_of};
pub use services::{HOST_SERVICES, IP_SERVICES, service_for_host, service_for_ip};
pub use shard::{GhostEvent, ShardMerger, ShardTick, absorb_host, tuple_shard};
pub use table::{FlowId, FlowTable};

pub use ipnet::IpNet;

/// The crate's name, for logs and `--version` output.
pub const CRATE: &str = "weir-flow";
