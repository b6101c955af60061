//! The engine: packets in, flows/hosts/networks/interface counters updated, and the
//! visitor that turns packet time into flow events and entity ticks.
//!
//! Time is an argument: every call carries the packet timestamp, and visits happen
//! when that clock crosses a `flow_visit_interval` boundary (spec flow-info.md §5).

use std::net::IpAddr;

use ipnet::IpNet;
use weir_decode::l4::tcp_flags;
use weir_decode::{L4Repr, Packet, Timestamp};

use crate::flow::{Detection, Flow, FlowScore, status};
use crate::host::{Host, HostId, HostTable, NO_HOST};
use crate::iface::Interface;
use crate::key::FlowKey;
use crate::l7::{self, PacketCtx};
use crate::network::{Network, Networks};
use crate::proto::{Proto, guess_by_port};
use crate::table::{FlowId, FlowTable};

const SEC: u64 = 1_000_000;

/// Which flow events the visitor emits (a property of the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventMode {
    /// All four flow events and entity ticks (weir rules, spec §5.3): live and file
    /// inputs alike.
    #[default]
    All,
    /// Only `protocolDetected` (the seed's "pcap dump" interface behaviour, §5.1 item 4).
    ProtocolDetectedOnly,
}

/// Kind of packet source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A live interface.
    Live,
    /// A capture file replayed with weir's rules (all events).
    File,
    /// A capture file replayed as a seed "pcap dump" interface (only
    /// `protocolDetected`).
    PcapDump,
}

impl SourceKind {
    /// The events this kind of source gets.
    pub fn event_mode(self) -> EventMode {
        match self {
            SourceKind::Live | SourceKind::File => EventMode::All,
            SourceKind::PcapDump => EventMode::ProtocolDetectedOnly,
        }
    }
}

/// Engine configuration.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Period of the flow visit (`flow_visit_interval`), seconds.
    pub visit_interval_secs: u64,
    /// Max flow idleness, seconds.
    pub max_idle_secs: u64,
    /// Idleness after which a closed (FIN both ways or RST) TCP flow ends, seconds.
    pub closed_idle_secs: u64,
    /// Undetected flows give up detection after this idleness, seconds.
    pub detection_idle_secs: u64,
    /// `periodicUpdate` period, seconds (default 5 × max idleness).
    pub periodic_update_secs: u64,
    /// Flow table cap.
    pub max_flows: usize,
    /// Host table cap: a new host beyond it evicts the least recently idle host
    /// (no active flows, no engaged alert; [`Consumer::host_pinned`]).
    pub max_hosts: usize,
    /// Local networks.
    pub local_networks: Vec<IpNet>,
    /// Events emitted.
    pub events: EventMode,
    /// Block lists, category catalogue and GeoIP (moved into the engine by
    /// [`Engine::new`]; the engine's copy is [`Engine::lookups`]).
    pub lookups: crate::Lookups,
    /// One worker shard of a sharded interface: at a tick the engine queues a
    /// [`crate::ShardTick`] ([`Engine::take_shard_ticks`]) instead of calling the
    /// entity hooks, which a coordinator runs once on the merged tables.
    pub shard: bool,
    /// Flow ids of this engine: `(first, step)`; the `n`-th flow created gets
    /// `first + n × step`. `(1, 1)` on a single engine; worker `k` of `N` uses
    /// `(k + 1, N)`, so the ids of an interface's flows stay unique across workers.
    pub flow_ids: (u64, u64),
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            visit_interval_secs: 5,
            max_idle_secs: 60,
            closed_idle_secs: 10,
            detection_idle_secs: 5,
            periodic_update_secs: 300,
            max_flows: DEFAULT_MAX_FLOWS,
            max_hosts: DEFAULT_MAX_HOSTS,
            local_networks: Vec::new(),
            events: EventMode::All,
            lookups: crate::Lookups::default(),
            shard: false,
            flow_ids: (1, 1),
        }
    }
}

/// Default flow table cap (`[flows] max_flows`): 524,288 flows, about 270 MB (a
/// flow is 440 bytes plus its table entry).
pub const DEFAULT_MAX_FLOWS: usize = 1 << 19;

/// Default host table cap (`[flows] max_hosts`): 524,288 hosts, about 290 MB in the
/// engine (a host is 496 bytes plus its table entries) and as much again for what
/// the scripts keep per host; with the default flow cap a flood of random sources
/// stays under 1 GiB.
pub const DEFAULT_MAX_HOSTS: usize = 1 << 19;

/// Most flows ended early to free a host when the host table is full and no idle
/// host is left (each ended flow may leave its hosts idle).
const MAX_FLOW_EVICTIONS_PER_HOST: usize = 16;

/// Entity tick periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// Every minute.
    Min,
    /// Every 5 minutes.
    FiveMins,
    /// Every hour.
    Hour,
    /// Every day.
    Day,
}

impl Tick {
    /// All ticks, shortest first.
    pub const ALL: [Tick; 4] = [Tick::Min, Tick::FiveMins, Tick::Hour, Tick::Day];

    /// Period in seconds.
    pub fn secs(self) -> u64 {
        match self {
            Tick::Min => 60,
            Tick::FiveMins => 300,
            Tick::Hour => 3600,
            Tick::Day => 86400,
        }
    }

    /// ntopng's name (`min`, `5mins`, `hour`, `day`).
    pub fn name(self) -> &'static str {
        match self {
            Tick::Min => "min",
            Tick::FiveMins => "5mins",
            Tick::Hour => "hour",
            Tick::Day => "day",
        }
    }
}

/// Why a flow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// No packets for the idle timeout.
    Idle,
    /// Evicted to make room (table cap).
    Evicted,
    /// End of input (final visit).
    Shutdown,
}

/// Receives the visitor's events. Every method has a no-op default (ripgrep `Sink`
/// style), so a consumer implements only what it needs. Flows are lent, not copied:
/// scripts may set statuses through `&mut Flow` ([`Flow::set_status`]); score changes
/// reach the hosts after the call.
pub trait Consumer {
    /// First visit after L7 detection completed.
    fn protocol_detected(&mut self, _now: Timestamp, _flow: &mut Flow) {}
    /// The status bitmap differs from the previous visit.
    fn status_changed(&mut self, _now: Timestamp, _flow: &mut Flow) {}
    /// Long-lived flow, every `periodic_update_secs` of duration.
    fn periodic_update(&mut self, _now: Timestamp, _flow: &mut Flow) {}
    /// Last visit of the flow (`idle` / `flowEnd`).
    fn flow_end(&mut self, _now: Timestamp, _flow: &mut Flow, _reason: EndReason) {}
    /// Entity tick for one host.
    fn host_tick(&mut self, _tick: Tick, _now: Timestamp, _host: &Host) {}
    /// Entity tick for one local network.
    fn network_tick(&mut self, _tick: Tick, _now: Timestamp, _network: &Network) {}
    /// Entity tick for the interface.
    fn interface_tick(&mut self, _tick: Tick, _now: Timestamp, _iface: &Interface) {}
    /// System tick.
    fn system_tick(&mut self, _tick: Tick, _now: Timestamp) {}
    /// A host left the host table at `now` (idle with no flows at a minute tick, or
    /// evicted to make room for a new host when the table is full): anything kept
    /// about it (engaged alerts, per-host script state) ends now.
    fn host_purged(&mut self, _now: Timestamp, _host: &Host) {}
    /// True if the host must stay in the table when it is full (it has engaged
    /// alerts): asked before evicting an idle host. Default: no.
    fn host_pinned(&mut self, _host: &Host) -> bool {
        false
    }
}

/// A consumer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopConsumer;

impl Consumer for NoopConsumer {}

/// The flow engine of one interface. Owns its tables; not shared between threads.
#[derive(Debug)]
pub struct Engine {
    cfg: EngineConfig,
    flows: FlowTable,
    hosts: HostTable,
    networks: Networks,
    iface: Interface,
    clock: Timestamp,
    next_visit_us: u64,
    next_tick_us: [u64; 4],
    serial: u64,
    started: bool,
    lookups: crate::Lookups,
    /// Data connections announced by control channels (FTP).
    expect: crate::expect::Expectations,
    /// Shard mode: the tick instants not yet taken by the coordinator.
    shard_ticks: Vec<crate::ShardTick>,
    /// Shard mode: hosts removed since the last tick.
    shard_removed: Vec<Host>,
    /// Shard mode: the peak-rate events since the last tick, per host, kind
    /// (`crate::shard::PEAK_KINDS`) and second.
    shard_hits: ShardHits,
    /// Shard mode: the ghost-peer events since the last tick (see
    /// [`crate::ShardTick::ghosts`]), noted by the coordinator instead of here.
    shard_ghosts: Vec<crate::shard::GhostEvent>,
}

/// Shard mode: peak-rate event counts by host, kind and second.
type ShardHits =
    std::collections::HashMap<((IpAddr, u16), u8, u32), u32, foldhash::fast::RandomState>;

fn is_service_port(l4: u8, p: u16) -> bool {
    p < 1024 || guess_by_port(l4, p, p) != Proto::UNKNOWN
}

/// Decides whether the sender of a flow's first packet is the client.
fn first_sender_is_client(pkt: &Packet<'_>, ep_sport: u16, ep_dport: u16, proto: u8) -> bool {
    match pkt.l4 {
        Some(L4Repr::Tcp(t)) => {
            let syn = t.flags & tcp_flags::SYN != 0;
            let ack = t.flags & tcp_flags::ACK != 0;
            if syn {
                return !ack;
            }
        }
        Some(L4Repr::Icmp(i)) => return !matches!(i.icmp_type, 0 | 14 | 16 | 18),
        Some(L4Repr::Icmpv6(i)) => return i.icmp_type != 129,
        _ => {}
    }
    !is_service_port(proto, ep_sport) || is_service_port(proto, ep_dport)
}

impl Engine {
    /// A new engine.
    pub fn new(mut cfg: EngineConfig) -> Engine {
        let lookups = std::mem::take(&mut cfg.lookups);
        let networks = Networks::new(&cfg.local_networks);
        let flows = FlowTable::new(cfg.max_flows);
        let iface = Interface {
            max_flows: flows.capacity() as u64,
            max_hosts: cfg.max_hosts as u64,
            ..Interface::default()
        };
        let mut hosts = HostTable::default();
        if cfg.shard {
            // Each tick sends the coordinator the hosts changed since the previous one.
            hosts.track_changes();
        }
        Engine {
            flows,
            hosts,
            networks,
            iface,
            clock: Timestamp(0),
            next_visit_us: 0,
            next_tick_us: [0; 4],
            serial: 0,
            started: false,
            lookups,
            expect: crate::expect::Expectations::default(),
            shard_ticks: Vec::new(),
            shard_removed: Vec::new(),
            shard_hits: ShardHits::default(),
            shard_ghosts: Vec::new(),
            cfg,
        }
    }

    /// Block lists, category catalogue and GeoIP ([`crate::Lookups`]).
    pub fn lookups(&self) -> &crate::Lookups {
        &self.lookups
    }

    /// The lookups, to add catalogue entries or refresh the lists. After a block-list
    /// change call [`Engine::remark_hosts`].
    pub fn lookups_mut(&mut self) -> &mut crate::Lookups {
        &mut self.lookups
    }

    /// Replaces the lookups and classifies the hosts already in the table again.
    pub fn set_lookups(&mut self, l: crate::Lookups) {
        self.lookups = l;
        self.remark_hosts();
    }

    /// Looks every host up again in the block lists and GeoIP (after a reload; new
    /// flows of a host see the new answer, live flows keep theirs).
    pub fn remark_hosts(&mut self) {
        for id in self.hosts.ids() {
            if let Some(h) = self.hosts.get_mut(id) {
                self.lookups.mark_host(h);
            }
        }
    }

    /// Counters of the expected-connection table (FTP data connections).
    pub fn expectations(&self) -> crate::ExpectCounters {
        self.expect.counters()
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// The flow table.
    pub fn flows(&self) -> &FlowTable {
        &self.flows
    }

    /// The host table.
    pub fn hosts(&self) -> &HostTable {
        &self.hosts
    }

    /// The local networks.
    pub fn networks(&self) -> &Networks {
        &self.networks
    }

    /// Interface counters.
    pub fn interface(&self) -> &Interface {
        &self.iface
    }

    /// The packet clock (latest timestamp seen).
    pub fn clock(&self) -> Timestamp {
        self.clock
    }

    /// Counts `n` frames the capture lost (kernel or interface drops, frames the engine
    /// queue could not take, a pcapng Interface Statistics Block's drop counters),
    /// reported at `ts`: the clock advances to `ts` first (running the visits and ticks
    /// due), so drops reach the interface counters in packet-time order.
    pub fn capture_drops<C: Consumer>(&mut self, ts: Timestamp, n: u64, c: &mut C) {
        self.advance(ts, c);
        self.iface.drops = self.iface.drops.saturating_add(n);
    }

    /// Counts a frame that could not be decoded at all.
    pub fn undecodable<C: Consumer>(&mut self, ts: Timestamp, wire_len: u32, c: &mut C) {
        self.advance(ts, c);
        self.iface.packets += 1;
        self.iface.bytes += u64::from(wire_len);
        self.iface.non_ip += 1;
        self.iface.decode_errors += 1;
    }

    /// Processes one decoded packet: advances the clock (running any visits and ticks
    /// that are due), then updates the flow, its hosts and the counters.
    ///
    /// # Panics
    /// Never.
    pub fn process<C: Consumer>(
        &mut self,
        ts: Timestamp,
        wire_len: u32,
        pkt: &Packet<'_>,
        c: &mut C,
    ) {
        self.advance(ts, c);
        let ts = ts.max(self.clock);
        if self.iface.first_packet_us == 0 {
            self.iface.first_packet_us = ts.0;
        }
        self.iface.packets += 1;
        self.iface.bytes += u64::from(wire_len);
        if pkt.error.is_some() {
            self.iface.decode_errors += 1;
        }
        let Some((key, ep, src_is_a)) = FlowKey::from_packet(pkt) else {
            self.iface.non_ip += 1;
            if let Some(a) = &pkt.arp
                && a.proto_type == 0x0800
            {
                let nets = &self.networks;
                let any_local = nets.iter().next().is_some();
                self.iface.add_arp(a.sender_ip, || {
                    any_local && nets.lookup(IpAddr::V4(a.sender_ip)).is_none()
                });
            }
            return;
        };
        let fragment = pkt.ip.and_then(|i| i.fragment).is_some();
        if fragment {
            self.iface.fragments += 1;
        }
        if let Some(l4c) = self.iface.l4.get_mut(Interface::l4_index(key.proto)) {
            l4c.packets += 1;
            l4c.bytes += u64::from(wire_len);
        }

        let id = match self.flows.find(&key) {
            Some(id) => id,
            None => self.create_flow(key, ep, src_is_a, ts, pkt, c),
        };
        self.flows.touch(id);
        let Some(flow) = self.flows.get_mut(id) else {
            return;
        };
        let from_client = src_is_a == flow.cli_is_a;
        let tos = pkt.ip.map_or(0, |i| i.tos);
        flow.account(ts, from_client, wire_len, pkt.payload.len(), fragment, tos);
        if !from_client && flow.dir[crate::SRV2CLI].packets == 1 {
            // The first answer: a ghost peer on its first flow counts now.
            let (hosts, ips) = (flow.hosts, [flow.client().0, flow.server().0]);
            for (hid, ip) in hosts.into_iter().zip(ips) {
                if self.cfg.shard {
                    shard_ghost(&self.hosts, &mut self.shard_ghosts, (hid, ip), true, ts);
                } else {
                    note_ghost(
                        &self.hosts,
                        &mut self.iface.ghost_nets,
                        (hid, ip),
                        1..=1,
                        ts,
                    );
                }
            }
        }
        let (mut in_order, mut flags, mut payload) = (true, 0u8, pkt.payload);
        if let Some(L4Repr::Tcp(t)) = pkt.l4 {
            flags = t.flags;
            match flow.tcp_update(ts, from_client, t.flags, t.seq, t.window, pkt.payload.len()) {
                Some(skip) => payload = payload.get(skip..).unwrap_or(&[]),
                None => in_order = false,
            }
        }
        if flow.l7.detection != Detection::Done {
            let (cport, sport) = (flow.client().1, flow.server().1);
            let ctx = PacketCtx {
                payload,
                from_client,
                l4: key.proto,
                cport,
                sport,
                in_order,
                ts,
            };
            l7::dissect(flow, &ctx);
            // Statuses detection sets (TLS certificate checks, ...) score the hosts now.
            Engine::apply_scores(&mut self.hosts, flow, ts);
        }
        // An FTP control channel announces its data connections for its whole life.
        if flow.l7.master == Proto::FTP_CONTROL
            && let Some((on_server, port)) = l7::ftp_announce(payload, from_client)
        {
            let ip = if on_server {
                flow.server().0
            } else {
                flow.client().0
            };
            self.expect.add(ip, port, key.vlan, Proto::FTP_DATA, ts);
        }
        let [cli, srv] = flow.hosts;
        let (src, dst) = if from_client { (cli, srv) } else { (srv, cli) };
        let to = if from_client {
            flow.server().0
        } else {
            flow.client().0
        };
        let bytes = u64::from(wire_len);
        let mut nets = [-1i16; 2];
        if let Some(h) = self.hosts.get_mut(src) {
            h.packets_sent += 1;
            h.bytes_sent += bytes;
            h.last_seen = h.last_seen.max(ts);
            nets[0] = h.network_id;
            if flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN {
                h.syn_sent += 1;
                h.syn_peak[0].hit(ts.as_secs());
                if self.cfg.shard {
                    shard_hit(&mut self.shard_hits, h, 0, ts);
                }
            } else if flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN | tcp_flags::ACK {
                h.synack_sent += 1;
            }
            if flags & tcp_flags::RST != 0 {
                h.rst_sent += 1;
            }
        }
        if let Some(h) = self.hosts.get_mut(dst) {
            h.packets_rcvd += 1;
            h.bytes_rcvd += bytes;
            h.last_seen = h.last_seen.max(ts);
            nets[1] = h.network_id;
            if flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN {
                h.syn_rcvd += 1;
                h.syn_peak[1].hit(ts.as_secs());
                if self.cfg.shard {
                    shard_hit(&mut self.shard_hits, h, 1, ts);
                }
            } else if flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN | tcp_flags::ACK {
                h.synack_rcvd += 1;
            }
        }
        if !self.networks.is_empty() {
            self.account_networks(nets, bytes);
            if let Ok(n) = usize::try_from(nets[0])
                && let Some(net) = self.networks.get_mut(n)
            {
                let bcast = match (to, net.cidr) {
                    (IpAddr::V4(a), IpNet::V4(c)) => a.is_broadcast() || a == c.broadcast(),
                    _ => false,
                };
                if bcast {
                    net.bytes_broadcast += bytes;
                }
            }
        }
    }

    fn account_networks(&mut self, [s, d]: [i16; 2], bytes: u64) {
        let get = |n: i16| usize::try_from(n).ok();
        match (get(s), get(d)) {
            (Some(a), Some(b)) if a == b => {
                if let Some(n) = self.networks.get_mut(a) {
                    n.bytes_inner += bytes;
                    n.packets += 1;
                }
            }
            (a, b) => {
                if let Some(n) = a.and_then(|a| self.networks.get_mut(a)) {
                    n.bytes_egress += bytes;
                    n.packets += 1;
                }
                if let Some(n) = b.and_then(|b| self.networks.get_mut(b)) {
                    n.bytes_ingress += bytes;
                    n.packets += 1;
                }
            }
        }
    }

    fn create_flow<C: Consumer>(
        &mut self,
        key: FlowKey,
        ep: crate::key::Endpoints,
        src_is_a: bool,
        ts: Timestamp,
        pkt: &Packet<'_>,
        c: &mut C,
    ) -> FlowId {
        if self.flows.is_full()
            && let Some(old) = self.flows.oldest()
        {
            self.end_flow(old, ts, EndReason::Evicted, c);
            self.iface.flows_evicted += 1;
        }
        let src_client = first_sender_is_client(pkt, ep.sport, ep.dport, key.proto);
        let cli_is_a = src_is_a == src_client;
        let (first, step) = self.cfg.flow_ids;
        let id = first.saturating_add(self.serial.saturating_mul(step.max(1)));
        self.serial += 1;
        let mut flow = Flow::new(key, cli_is_a, id, ts);
        if let Some(proto) = self.expect.take(&key, ts) {
            l7::expected(&mut flow, proto, ts);
        }
        let (cli_ip, srv_ip) = if src_client {
            (ep.src, ep.dst)
        } else {
            (ep.dst, ep.src)
        };
        let srv_port = if src_client { ep.dport } else { ep.sport };
        // The client counts its flow before the server is looked up: making room for
        // the server must not evict the client.
        let cli = self.host(cli_ip, key.vlan, ts, c);
        if let Some(h) = self.hosts.get_mut(cli) {
            h.active_flows_as_client += 1;
            h.total_flows_as_client += 1;
            h.flow_peak[0].hit(ts.as_secs());
            if self.cfg.shard {
                shard_hit(&mut self.shard_hits, h, 2, ts);
            }
            h.contacted_peers.add(&srv_ip);
            h.contacted_ports.add(&(key.proto, srv_port));
            if let Some(n) = usize::try_from(h.network_id)
                .ok()
                .and_then(|n| self.networks.get_mut(n))
            {
                n.flows += 1;
            }
        }
        let srv = self.host(srv_ip, key.vlan, ts, c);
        flow.hosts = [cli, srv];
        if let Some(h) = self.hosts.get_mut(srv) {
            h.active_flows_as_server += 1;
            h.total_flows_as_server += 1;
            h.contacted_by.add(&cli_ip);
            h.flow_peak[1].hit(ts.as_secs());
            if self.cfg.shard {
                shard_hit(&mut self.shard_hits, h, 3, ts);
            }
        }
        if let (Some(c), Some(s)) = (self.hosts.get(cli), self.hosts.get(srv)) {
            self.lookups.mark_flow(&mut flow, c, s);
        }
        self.iface.flows_created += 1;
        // Ghost peers (local-looking addresses outside the local networks) count from
        // their second flow, or when their first flow is answered (see `process`): the
        // spoofed sources of a flood, one unanswered packet each, make no ghost network.
        for (hid, ip) in [(cli, cli_ip), (srv, srv_ip)] {
            if self.cfg.shard {
                shard_ghost(&self.hosts, &mut self.shard_ghosts, (hid, ip), false, ts);
            } else {
                note_ghost(&self.hosts, &mut self.iface.ghost_nets, (hid, ip), 2.., ts);
            }
        }
        self.flows.insert(flow)
    }

    /// The host of a new flow's endpoint, created if needed; when the table is full,
    /// an idle host is evicted first ([`NO_HOST`] if none can be).
    fn host<C: Consumer>(&mut self, ip: IpAddr, vlan: u16, ts: Timestamp, c: &mut C) -> HostId {
        if let Some(id) = self.hosts.find(ip, vlan) {
            return id;
        }
        if self.hosts.len() >= self.cfg.max_hosts.max(1) && !self.make_room(ts, c) {
            self.iface.hosts_untracked += 1;
            return NO_HOST;
        }
        let before = self.hosts.len();
        let nets = &self.networks;
        let id = self.hosts.get_or_insert(ip, vlan, ts, || nets.lookup(ip));
        if self.hosts.len() > before {
            if let Some(h) = self.hosts.get_mut(id) {
                self.lookups.mark_host(h);
            }
            self.iface.hosts_created += 1;
            if self.hosts.get(id).is_some_and(|h| h.local) {
                self.iface.local_hosts += 1;
            }
            if let Some(n) = self
                .hosts
                .get(id)
                .and_then(|h| usize::try_from(h.network_id).ok())
                && let Some(net) = self.networks.get_mut(n)
            {
                net.hosts += 1;
            }
        }
        id
    }

    /// Evicts one host to make room for a new one: the least recently idle host that
    /// is not pinned; when no idle host is left, the oldest flows end first (at most
    /// [`MAX_FLOW_EVICTIONS_PER_HOST`]). False if nothing could be evicted.
    fn make_room<C: Consumer>(&mut self, now: Timestamp, c: &mut C) -> bool {
        let mut flows_ended = 0;
        loop {
            // Pinned hosts go back to the end of the queue; each is looked at once.
            let mut budget = self.hosts.idle_queue_len();
            while budget > 0
                && let Some(id) = self.hosts.pop_idle()
            {
                budget -= 1;
                let pinned = self.hosts.get(id).is_some_and(|h| c.host_pinned(h));
                if pinned {
                    self.hosts.mark_idle(id);
                    continue;
                }
                self.remove_host(id, now, c);
                self.iface.hosts_evicted += 1;
                return true;
            }
            if flows_ended >= MAX_FLOW_EVICTIONS_PER_HOST {
                return false;
            }
            let Some(old) = self.flows.oldest() else {
                return false;
            };
            self.end_flow(old, now, EndReason::Evicted, c);
            self.iface.flows_evicted += 1;
            flows_ended += 1;
        }
    }

    /// Counts an ending DNS or HTTP flow in its local hosts' DNS/HTTP counters.
    fn count_app(hosts: &mut HostTable, flow: &Flow) {
        let Some(m) = flow.meta.as_deref() else {
            return;
        };
        let (dns, http) = (m.dns(), m.http());
        if dns.is_none() && http.is_none() {
            return;
        }
        for (i, hid) in flow.hosts.into_iter().enumerate() {
            let Some(h) = hosts.get_mut(hid).filter(|h| h.local) else {
                continue;
            };
            let app = h.app.get_or_insert_with(Box::default);
            if let Some(d) = dns {
                app.add_dns(i == 0, d.qtype, d.replied, d.rcode);
            }
            if let Some(x) = http {
                app.add_http(i == 0, x.method, x.return_code);
            }
        }
    }

    /// Applies a flow's score changes since the last application to its hosts.
    fn apply_scores(hosts: &mut HostTable, flow: &mut Flow, at: Timestamp) {
        let now = flow.score;
        let was = flow.visit.score_applied;
        if now == was {
            return;
        }
        for (hid, now_c, was_c) in [
            (flow.hosts[0], now.cli, was.cli),
            (flow.hosts[1], now.srv, was.srv),
        ] {
            if let Some(h) = hosts.get_mut(hid) {
                for ((score, now), was) in h.score.iter_mut().zip(now_c).zip(was_c) {
                    *score = score.saturating_add(now.saturating_sub(was));
                }
                let total = Engine::host_score(h);
                if total > h.score_peak.0 {
                    h.score_peak = (total, at);
                }
                h.changed = h.changed.max(at);
            }
        }
        flow.visit.score_applied = now;
    }

    fn release_hosts(&mut self, flow: &Flow, now: Timestamp) {
        let applied = flow.visit.score_applied;
        for (i, hid) in flow.hosts.into_iter().enumerate() {
            let Some(h) = self.hosts.get_mut(hid) else {
                continue;
            };
            h.changed = h.changed.max(now);
            let contrib = if i == 0 { applied.cli } else { applied.srv };
            for (s, c) in h.score.iter_mut().zip(contrib) {
                *s = s.saturating_sub(c);
            }
            if i == 0 {
                h.active_flows_as_client = h.active_flows_as_client.saturating_sub(1);
            } else {
                h.active_flows_as_server = h.active_flows_as_server.saturating_sub(1);
            }
            if h.active_flows() == 0 {
                self.hosts.mark_idle(hid);
            }
        }
    }

    fn remove_host<C: Consumer>(&mut self, hid: HostId, now: Timestamp, c: &mut C) {
        let Some(h) = self.hosts.remove(hid) else {
            return;
        };
        if h.local {
            self.iface.local_hosts = self.iface.local_hosts.saturating_sub(1);
        }
        if let Some(n) = usize::try_from(h.network_id)
            .ok()
            .and_then(|n| self.networks.get_mut(n))
        {
            n.hosts = n.hosts.saturating_sub(1);
        }
        if self.cfg.shard {
            // The coordinator reports the host purged once it is gone from every shard.
            self.shard_removed.push(*h);
        } else {
            c.host_purged(now, &h);
        }
    }

    /// Moves the traffic since the previous visit into the interface and host L7
    /// breakdowns.
    fn account_visit(
        iface: &mut Interface,
        hosts: &mut HostTable,
        flow: &mut Flow,
        new_flow: bool,
    ) {
        let proto = flow.l7.proto();
        let bytes = flow.bytes_since_visit(0) + flow.bytes_since_visit(1);
        let packets = flow.packets_since_visit(0) + flow.packets_since_visit(1);
        if bytes == 0 && !new_flow {
            return;
        }
        iface.add_l7(proto, bytes, packets, u64::from(new_flow));
        for hid in flow.hosts {
            if let Some(h) = hosts.get_mut(hid) {
                h.l7.add(proto, bytes, u32::from(new_flow));
            }
        }
        for d in &mut flow.dir {
            d.packets_at_visit = d.packets;
            d.bytes_at_visit = d.bytes;
        }
    }

    fn end_flow<C: Consumer>(&mut self, id: FlowId, now: Timestamp, reason: EndReason, c: &mut C) {
        let mode = self.cfg.events;
        let Some(flow) = self.flows.get_mut(id) else {
            return;
        };
        if flow.l7.detection != Detection::Done {
            l7::finish(flow, now);
        }
        let first_detect = !flow.visit.detected_emitted;
        self.lookups.mark_detected(flow);
        Engine::account_visit(&mut self.iface, &mut self.hosts, flow, first_detect);
        if first_detect {
            flow.visit.detected_emitted = true;
            c.protocol_detected(now, flow);
        }
        if mode == EventMode::All {
            if flow.status_map != flow.visit.status_at_visit {
                flow.visit.status_at_visit = flow.status_map;
                c.status_changed(now, flow);
            }
            c.flow_end(now, flow, reason);
        }
        Engine::apply_scores(&mut self.hosts, flow, now);
        Engine::count_app(&mut self.hosts, flow);
        if let Some(flow) = self.flows.remove(id) {
            self.iface.flows_ended += 1;
            self.release_hosts(&flow, now);
        }
    }

    /// Advances the clock to `ts`, running the visits and entity ticks that are due.
    /// A live source calls this on a wall-clock tick when no packets arrive.
    pub fn advance<C: Consumer>(&mut self, ts: Timestamp, c: &mut C) {
        let interval = self.cfg.visit_interval_secs.max(1) * SEC;
        if !self.started {
            self.started = true;
            self.clock = ts;
            self.next_visit_us = (ts.0 / interval + 1) * interval;
            for (next, t) in self.next_tick_us.iter_mut().zip(Tick::ALL) {
                let p = t.secs() * SEC;
                *next = (ts.0 / p + 1) * p;
            }
            return;
        }
        if ts <= self.clock {
            return;
        }
        self.clock = ts;
        if ts.0 < self.next_visit_us {
            return;
        }
        // Visits on every boundary crossed; a jump of more than two intervals (a gap
        // in the capture) collapses into one visit at the new time.
        if ts.0 - self.next_visit_us > 2 * interval {
            self.visit(Timestamp(ts.0), false, c);
        } else {
            while self.next_visit_us <= ts.0 {
                let at = Timestamp(self.next_visit_us);
                self.visit(at, false, c);
                self.next_visit_us += interval;
            }
        }
        self.next_visit_us = (ts.0 / interval + 1) * interval;
        self.ticks(ts, false, c);
    }

    fn ticks<C: Consumer>(&mut self, now: Timestamp, force: bool, c: &mut C) {
        if self.cfg.events != EventMode::All {
            return;
        }
        if self.cfg.shard {
            self.shard_tick(now, force, c);
            return;
        }
        for (t, at) in self.due_ticks(now, force) {
            for (_, h) in self.hosts.iter() {
                c.host_tick(t, at, h);
            }
            for n in self.networks.iter() {
                c.network_tick(t, at, n);
            }
            self.iface.hosts_in_table = self.hosts.len() as u64;
            c.interface_tick(t, at, &self.iface);
            c.system_tick(t, at);
            if t == Tick::Min && !force {
                self.purge_hosts(now, c);
            }
        }
    }

    /// The ticks due at `now` (all of them when `force`d), each with its time (the
    /// start of its period, or `now` when forced), finest first; their next due times
    /// move past `now`. Nothing is allocated when none is due.
    fn due_ticks(&mut self, now: Timestamp, force: bool) -> Vec<(Tick, Timestamp)> {
        let mut due = Vec::new();
        for (t, next) in Tick::ALL.iter().zip(self.next_tick_us.iter_mut()) {
            if !force && now.0 < *next {
                continue;
            }
            let p = t.secs() * SEC;
            let at = if force { now } else { Timestamp(now.0 / p * p) };
            *next = (now.0 / p + 1) * p;
            due.push((*t, at));
        }
        due
    }

    /// Shard mode: queues what the tables hold at the ticks due at `now` (the same
    /// ticks [`Engine::ticks`] would run), then purges this shard's idle hosts.
    fn shard_tick<C: Consumer>(&mut self, now: Timestamp, force: bool, c: &mut C) {
        let due = self.due_ticks(now, force);
        if due.is_empty() {
            return;
        }
        self.iface.hosts_in_table = self.hosts.len() as u64;
        let removed = std::mem::take(&mut self.shard_removed);
        let mut tick = crate::ShardTick {
            ghosts: std::mem::take(&mut self.shard_ghosts),
            ticks: due,
            now,
            force,
            removed,
            hosts: self.hosts.take_changed(),
            networks: self.networks.iter().cloned().collect(),
            iface: self.iface.clone(),
            purged: Vec::new(),
            hits: self
                .shard_hits
                .drain()
                .map(|((host, kind, sec), n)| (host, kind, sec, n))
                .collect(),
        };
        if !force && tick.ticks.iter().any(|(t, _)| *t == Tick::Min) {
            self.purge_hosts(now, c);
            tick.purged = std::mem::take(&mut self.shard_removed);
        }
        self.shard_ticks.push(tick);
    }

    /// Shard mode: the tick instants queued since the last call, oldest first.
    pub fn take_shard_ticks(&mut self) -> Vec<crate::ShardTick> {
        std::mem::take(&mut self.shard_ticks)
    }

    /// The coordinator of a sharded interface: brings the host table, networks and
    /// interface counters to the merged view of one tick instant ([`ShardMerger`]:
    /// the merged hosts that changed since the previous instant, every network, the
    /// interface), sets the clock to `now`, then runs the entity hooks of `ticks` as
    /// [`Engine::ticks`] does (a minute tick purges idle hosts after its hooks).
    /// Returns the hosts purged.
    ///
    /// [`ShardMerger`]: crate::ShardMerger
    pub fn run_shard_ticks<C: Consumer>(
        &mut self,
        now: Timestamp,
        ticks: &[(Tick, Timestamp)],
        force: bool,
        (hosts, networks, iface): (Vec<Host>, Vec<Network>, Interface),
        c: &mut C,
    ) -> Vec<(IpAddr, u16)> {
        self.started = true;
        self.clock = self.clock.max(now);
        for h in hosts {
            let id = self
                .hosts
                .get_or_insert(h.ip, h.vlan, h.first_seen, || None);
            if let Some(slot) = self.hosts.get_mut(id) {
                *slot = h;
            }
        }
        self.networks.replace_counters(networks);
        let (hosts_idle, max_hosts) = (self.iface.hosts_idle, self.iface.max_hosts);
        self.iface = iface;
        self.iface.hosts_idle = hosts_idle;
        self.iface.max_hosts = max_hosts;
        // What the merged table holds: its hosts per network, local hosts, size.
        let mut per_net = vec![0u32; self.networks.iter().count()];
        let mut local = 0u64;
        for (_, h) in self.hosts.iter() {
            local += u64::from(h.local);
            if let Some(n) = usize::try_from(h.network_id)
                .ok()
                .and_then(|i| per_net.get_mut(i))
            {
                *n += 1;
            }
        }
        for (i, count) in per_net.into_iter().enumerate() {
            if let Some(n) = self.networks.get_mut(i) {
                n.hosts = count;
            }
        }
        self.iface.local_hosts = local;
        self.iface.hosts_in_table = self.hosts.len() as u64;
        // Throughput as one engine computes it, from the summed packets and bytes.
        let dt = (self.cfg.visit_interval_secs.max(1)) as f64;
        self.iface.throughput_pps = self.iface.tp_delta.0 as f64 / dt;
        self.iface.throughput_bps = self.iface.tp_delta.1 as f64 * 8.0 / dt;
        let mut purged = Vec::new();
        for (t, at) in ticks {
            for (_, h) in self.hosts.iter() {
                c.host_tick(*t, *at, h);
            }
            for n in self.networks.iter() {
                c.network_tick(*t, *at, n);
            }
            self.iface.hosts_in_table = self.hosts.len() as u64;
            c.interface_tick(*t, *at, &self.iface);
            c.system_tick(*t, *at);
            if *t == Tick::Min && !force {
                let before: Vec<(IpAddr, u16)> =
                    self.hosts.iter().map(|(_, h)| (h.ip, h.vlan)).collect();
                self.purge_hosts(now, c);
                purged.extend(
                    before
                        .into_iter()
                        .filter(|(ip, vlan)| self.hosts.find(*ip, *vlan).is_none()),
                );
            }
        }
        purged
    }

    fn purge_hosts<C: Consumer>(&mut self, now: Timestamp, c: &mut C) {
        let idle = self.cfg.max_idle_secs * SEC;
        let mut purged = 0u64;
        for id in self.hosts.ids() {
            let purge = self.hosts.get(id).is_some_and(|h| {
                h.active_flows() == 0 && now.0.saturating_sub(h.last_seen.0) >= idle
            });
            if purge {
                self.remove_host(id, now, c);
                purged += 1;
            }
        }
        self.iface.hosts_in_table = self.hosts.len() as u64;
        self.iface.hosts_idle = purged;
        // Ghost subnets quiet for an hour are forgotten.
        self.iface
            .ghost_nets
            .expire(now.as_secs().saturating_sub(3600));
    }

    /// One visit of every flow at `now` (`last` = final visit: every flow ends).
    fn visit<C: Consumer>(&mut self, now: Timestamp, last: bool, c: &mut C) {
        let mode = self.cfg.events;
        let idle_us = self.cfg.max_idle_secs * SEC;
        let closed_us = self.cfg.closed_idle_secs * SEC;
        let detect_us = self.cfg.detection_idle_secs * SEC;
        let period_us = self.cfg.periodic_update_secs.max(1) * SEC;
        // Interface throughput over the interval.
        let dt = (self.cfg.visit_interval_secs.max(1)) as f64;
        self.iface.tp_delta = (
            self.iface.packets - self.iface.last_tp_packets,
            self.iface.bytes - self.iface.last_tp_bytes,
        );
        self.iface.throughput_pps = (self.iface.packets - self.iface.last_tp_packets) as f64 / dt;
        self.iface.throughput_bps = (self.iface.bytes - self.iface.last_tp_bytes) as f64 * 8.0 / dt;
        self.iface.last_tp_packets = self.iface.packets;
        self.iface.last_tp_bytes = self.iface.bytes;
        let mut flows_idle = 0u64;
        for id in 0..self.flows.slot_count() {
            let Some(flow) = self.flows.get_mut(id) else {
                continue;
            };
            let quiet = now.0.saturating_sub(flow.last_seen.0);
            let timeout = if flow.tcp_closed() {
                closed_us
            } else {
                idle_us
            };
            let idle = last || quiet >= timeout;
            if idle {
                flows_idle += u64::from(!last);
                self.end_flow(
                    id,
                    now,
                    if last {
                        EndReason::Shutdown
                    } else {
                        EndReason::Idle
                    },
                    c,
                );
                continue;
            }
            if flow.l7.detection != Detection::Done && quiet >= detect_us {
                l7::finish(flow, now);
            }
            if flow.tcp_seq_problems() && !flow.has_status(status::TCP_CONNECTION_ISSUES) {
                flow.set_status(status::TCP_CONNECTION_ISSUES, 10, 5, 5, false);
            }
            let detected_now = flow.l7.detection == Detection::Done && !flow.visit.detected_emitted;
            if detected_now {
                self.lookups.mark_detected(flow);
            }
            Engine::account_visit(&mut self.iface, &mut self.hosts, flow, detected_now);
            if detected_now {
                flow.visit.detected_emitted = true;
                c.protocol_detected(now, flow);
            }
            if mode == EventMode::All {
                if flow.status_map != flow.visit.status_at_visit {
                    flow.visit.status_at_visit = flow.status_map;
                    c.status_changed(now, flow);
                }
                let duration = now.0.saturating_sub(flow.first_seen.0);
                if duration >= u64::from(flow.visit.periodic_calls + 1) * period_us {
                    flow.visit.periodic_calls += 1;
                    c.periodic_update(now, flow);
                }
            }
            Engine::apply_scores(&mut self.hosts, flow, now);
        }
        self.iface.flows_idle = flows_idle;
    }

    /// End of input: the final visit (every flow ends with `flow_end`), then the entity
    /// ticks fire once.
    pub fn finish<C: Consumer>(&mut self, c: &mut C) {
        let now = self.clock;
        self.visit(now, true, c);
        self.ticks(now, true, c);
    }

    /// Finds a flow by key.
    pub fn find_flow(&self, key: &FlowKey) -> Option<&Flow> {
        self.flows.find(key).and_then(|id| self.flows.get(id))
    }

    /// Runs `f` on the tracked flow with this key (either direction: keys are
    /// canonical), then applies any change of the flow's scores to its hosts as a visit
    /// does; a status `f` sets reaches `statusChanged` at the next visit. `None` when
    /// no such flow is tracked. Used for statuses that come from outside the packet
    /// path (syslog scripts).
    pub fn update_flow<R>(&mut self, key: &FlowKey, f: impl FnOnce(&mut Flow) -> R) -> Option<R> {
        let id = self.flows.find(key)?;
        let flow = self.flows.get_mut(id)?;
        let r = f(flow);
        Engine::apply_scores(&mut self.hosts, flow, self.clock);
        Some(r)
    }

    /// Score of a host (sum of both categories).
    pub fn host_score(h: &Host) -> u32 {
        h.score[0].saturating_add(h.score[1])
    }

    /// The scores a flow currently contributes to its hosts.
    pub fn flow_score(f: &Flow) -> FlowScore {
        f.score
    }
}

/// Shard mode: counts one peak-rate event of `h` (kind: SYN sent, SYN received, flow
/// as client, flow as server) for the coordinator, which replays them in time order.
fn shard_hit(hits: &mut ShardHits, h: &Host, kind: u8, ts: Timestamp) {
    let sec = u32::try_from(ts.as_secs()).unwrap_or(u32::MAX);
    *hits.entry(((h.ip, h.vlan), kind, sec)).or_insert(0) += 1;
}

/// Shard mode: queues a ghost-peer event for the coordinator (a flow of `ip`'s host
/// started, or its first answer came), when `ip` is a local-looking address outside the
/// local networks. The coordinator applies [`note_ghost`]'s rule on the host's flows
/// over every worker.
fn shard_ghost(
    hosts: &HostTable,
    out: &mut Vec<crate::shard::GhostEvent>,
    (hid, ip): (HostId, IpAddr),
    answered: bool,
    ts: Timestamp,
) {
    if !crate::ghost::local_looking(ip) {
        return;
    }
    if let Some(h) = hosts.get(hid).filter(|h| !h.local) {
        out.push(crate::shard::GhostEvent {
            at: ts,
            host: (ip, h.vlan),
            answered,
        });
    }
}

/// Notes a flow's ghost peer `ip` (a local-looking address outside the local networks)
/// when its host has had a number of flows in `flows`.
fn note_ghost(
    hosts: &HostTable,
    ghosts: &mut crate::ghost::GhostNets,
    (hid, ip): (HostId, IpAddr),
    flows: impl std::ops::RangeBounds<u64>,
    ts: Timestamp,
) {
    if !crate::ghost::local_looking(ip) {
        return;
    }
    let n = hosts
        .get(hid)
        .filter(|h| !h.local)
        .map_or(0, |h| h.total_flows_as_client + h.total_flows_as_server);
    if n > 0 && flows.contains(&n) {
        ghosts.note(ip, ts.as_secs());
    }
}
