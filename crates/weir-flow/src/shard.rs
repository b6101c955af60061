//! Worker shards: which worker a flow belongs to, and how the per-worker host,
//! network and interface counters combine into the one view the entity scripts see.
//!
//! A sharded interface runs one [`crate::Engine`] per worker, each built with
//! [`crate::EngineConfig::shard`] set: such an engine keeps its flows, DPI state and
//! the hosts of its own flows, and instead of calling the entity hooks at a tick it
//! queues a [`ShardTick`] (what its tables hold at that instant). A coordinator takes
//! one `ShardTick` of every worker for the same instant, merges them
//! ([`ShardMerger`]) and runs the entity hooks once per entity on the merged tables
//! ([`crate::Engine::run_shard_ticks`]).

use std::collections::HashMap;
use std::net::IpAddr;

use weir_decode::{PlainTuple, Timestamp};

use crate::engine::Tick;
use crate::host::{DistinctCounter, Host, HostAppStats, L7Breakdown, PeakRate};
use crate::iface::Interface;
use crate::key::FlowKey;
use crate::network::Network;

impl FlowKey {
    /// The worker (`0..workers`) that owns this flow: a hash of its two endpoints that
    /// does not depend on their order, so both directions of a flow (and, for a
    /// tunnel, every packet of its inner flow, which is what the key is built from)
    /// land on the same worker. Fixed: the same flow goes to the same worker on every
    /// run. [`tuple_shard`] gives the same worker from a frame's tuple.
    #[inline]
    pub fn shard(&self, workers: usize) -> usize {
        shard_index(
            self.vlan,
            self.proto,
            endpoint_hash(self.a, self.a_port),
            endpoint_hash(self.b, self.b_port),
            workers,
        )
    }
}

/// The worker of a plain frame's flow read by [`weir_decode::plain_tuple`]: the
/// worker [`FlowKey::shard`] gives the flow's key, without building the key.
#[inline]
pub fn tuple_shard(t: &PlainTuple, workers: usize) -> usize {
    shard_index(
        t.vlan,
        t.proto,
        endpoint_hash(t.src, t.sport),
        endpoint_hash(t.dst, t.dport),
        workers,
    )
}

/// One endpoint's share of the shard hash: its address (an IPv6 address folded to 64
/// bits; IPv4 tagged apart) and port, multiplied by an odd constant.
#[inline]
fn endpoint_hash(ip: IpAddr, port: u16) -> u64 {
    let addr = match ip {
        IpAddr::V4(a) => u64::from(a.to_bits()) | 1 << 63,
        IpAddr::V6(a) => {
            let b = a.to_bits();
            ((b >> 64) as u64) ^ (b as u64).rotate_left(29)
        }
    };
    (addr ^ u64::from(port) << 40).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The worker of two endpoint hashes: added, so their order does not matter, mixed
/// with the VLAN and protocol, and mapped onto `0..workers` by the high bits of a
/// multiply (multiply-shift).
#[inline]
fn shard_index(vlan: u16, proto: u8, x: u64, y: u64, workers: usize) -> usize {
    if workers <= 1 {
        return 0;
    }
    let mut h = x.wrapping_add(y) ^ (u64::from(vlan) << 8 | u64::from(proto));
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 32;
    ((u128::from(h) * workers as u128) >> 64) as usize
}

/// What a shard engine's tables hold at one tick instant (queued instead of calling
/// the entity hooks; [`crate::Engine::take_shard_ticks`]).
#[derive(Debug, Clone)]
pub struct ShardTick {
    /// The ticks due at this instant with the time each is reported at.
    pub ticks: Vec<(Tick, Timestamp)>,
    /// The packet clock when the ticks ran.
    pub now: Timestamp,
    /// The forced round at the end of the input.
    pub force: bool,
    /// Hosts removed since the previous tick (evicted to make room), with their last
    /// counters: they still count in the merged host until it is purged everywhere.
    pub removed: Vec<Host>,
    /// The hosts of the table created or changed since the previous tick, as they
    /// are at this one (the others are as the previous ticks sent them).
    pub hosts: Vec<Host>,
    /// The local networks at the tick.
    pub networks: Vec<Network>,
    /// The interface counters at the tick.
    pub iface: Interface,
    /// Hosts this shard purged right after the tick (idle here, with no flow here).
    pub purged: Vec<Host>,
    /// Peak-rate events since the previous tick: host, kind (SYN sent, SYN received,
    /// flow as client, flow as server), second, count.
    pub hits: Vec<(HostKey, u8, u32, u32)>,
    /// Ghost-peer events since the previous tick, in this shard's packet order.
    pub ghosts: Vec<GhostEvent>,
}

/// A flow of a ghost peer (a local-looking address outside the local networks) started
/// (`answered` false) or got its first answer (`answered` true) on a shard: the
/// coordinator notes the peer's subnet (`crate::ghost`) from its second flow on the
/// interface, or when its flow is answered while it has only that one, as one engine
/// does from its own host counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GhostEvent {
    /// Packet time.
    pub at: Timestamp,
    /// The peer.
    pub host: HostKey,
    /// The first answer of the flow rather than its start.
    pub answered: bool,
}

type HostKey = (IpAddr, u16);

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Merges the [`ShardTick`]s of all workers for one instant into one host table, one
/// network list and one interface, keeping across ticks what shards forgot of hosts
/// that live on elsewhere.
///
/// Workers send only the hosts that changed since their previous tick; the merger
/// keeps each worker's latest copy of its hosts and merges again only the hosts whose
/// copies, retired counters or peak rates changed, so a tick costs what changed, not
/// the whole table.
#[derive(Debug, Default)]
pub struct ShardMerger {
    /// Each worker's latest copy of every host it holds.
    views: Vec<Map<HostKey, Host>>,
    /// Counters of hosts a shard no longer holds (purged or evicted there), kept until
    /// the host is purged from the merged table.
    retired: Map<HostKey, Host>,
    /// Hosts of the merged table (to count hosts created once, not once per shard).
    known: std::collections::HashSet<HostKey, foldhash::fast::RandomState>,
    /// Hosts created (first seen since their last purge) over the run.
    hosts_created: u64,
    /// The hosts' peak rates (SYN sent/received, flows as client/server), fed with
    /// every worker's events in time order: the rates one engine would measure.
    peaks: Map<HostKey, [PeakRate; 4]>,
    /// Flows of each ghost peer since its host was created (the count one engine's
    /// host holds), and the ghost subnets noted from every worker's events.
    ghost_flows: Map<HostKey, u64>,
    ghosts: crate::ghost::GhostNets,
    /// Hosts to merge again at the next instant although no worker sent them: moved
    /// to the retired counters, or purged here while a worker still holds them (they
    /// come back as new hosts, as they would in one engine's table).
    recheck: Vec<HostKey>,
}

impl ShardMerger {
    /// A merger with nothing retired.
    pub fn new() -> ShardMerger {
        ShardMerger::default()
    }

    /// Merges one tick instant (one [`ShardTick`] per worker, same `ticks`): the merged
    /// hosts that changed since the previous instant (all of them at the first), in a
    /// deterministic order (first seen, then address), every network and the
    /// interface. [`crate::Engine::run_shard_ticks`] applies them to the table it
    /// keeps.
    pub fn merge(&mut self, parts: &mut [ShardTick]) -> (Vec<Host>, Vec<Network>, Interface) {
        if self.views.len() < parts.len() {
            self.views.resize_with(parts.len(), Map::default);
        }
        let mut changed = std::mem::take(&mut self.recheck);
        for (p, view) in parts.iter_mut().zip(&mut self.views) {
            for h in p.removed.drain(..) {
                let k = (h.ip, h.vlan);
                view.remove(&k);
                absorb_into(&mut self.retired, h);
                changed.push(k);
            }
            for h in p.hosts.drain(..) {
                let k = (h.ip, h.vlan);
                changed.push(k);
                view.insert(k, h);
            }
        }
        let mut hits: Vec<(HostKey, u8, u32, u32)> = Vec::new();
        for p in parts.iter_mut() {
            hits.append(&mut p.hits);
        }
        // Per host and kind the seconds in order (events of one second add up).
        hits.sort_unstable_by_key(|&(_, _, sec, _)| sec);
        for (host, kind, sec, n) in hits {
            let rates = self.peaks.entry(host).or_default();
            if let Some(r) = rates.get_mut(usize::from(kind)) {
                r.hit_n(u64::from(sec), u16::try_from(n).unwrap_or(u16::MAX));
            }
            // The host of an event changed on its worker: it is among that worker's
            // `hosts` (or `removed`), so it is merged again below.
        }
        let mut ghosts: Vec<GhostEvent> = Vec::new();
        for p in parts.iter_mut() {
            ghosts.append(&mut p.ghosts);
        }
        // In time order; a flow's start before an answer of the same instant.
        ghosts.sort_by_key(|g| (g.at, g.answered));
        for g in ghosts {
            let n = self.ghost_flows.entry(g.host).or_insert(0);
            if !g.answered {
                *n += 1;
            }
            if (g.answered && *n == 1) || (!g.answered && *n >= 2) {
                self.ghosts.note(g.host.0, g.at.as_secs());
            }
        }
        // Merged in their order (first seen, then address), each once, without moving
        // merged hosts around.
        let mut order: Vec<(Timestamp, HostKey)> = changed
            .into_iter()
            .filter_map(|k| Some((self.first_seen(&k)?, k)))
            .collect();
        order.sort_unstable();
        order.dedup();
        let mut hosts: Vec<Host> = Vec::with_capacity(order.len());
        for (_, k) in order {
            let Some(mut h) = self.merged(&k) else {
                continue;
            };
            if self.known.insert(k) {
                self.hosts_created += 1;
            }
            let [a, b, c, d] = self.peaks.get(&k).copied().unwrap_or_default();
            h.syn_peak = [a, b];
            h.flow_peak = [c, d];
            hosts.push(h);
        }
        let mut networks: Vec<Network> = Vec::new();
        let mut iface = Interface::default();
        for (i, p) in parts.iter().enumerate() {
            if i == 0 {
                networks.clone_from(&p.networks);
                iface = p.iface.clone();
            } else {
                for (n, o) in networks.iter_mut().zip(&p.networks) {
                    absorb_network(n, o);
                }
                absorb_iface(&mut iface, &p.iface);
            }
        }
        iface.ghost_nets = self.ghosts.clone();
        iface.hosts_created = self.hosts_created;
        (hosts, networks, iface)
    }

    /// When a host was first seen on any worker (None when no worker holds it and
    /// nothing is retired).
    fn first_seen(&self, k: &HostKey) -> Option<Timestamp> {
        let retired = self.retired.get(k).map(|h| h.first_seen);
        let held = self
            .views
            .iter()
            .filter_map(|v| v.get(k).map(|h| h.first_seen));
        retired.into_iter().chain(held).min()
    }

    /// One host over every worker: its retired counters, then each worker's copy in
    /// worker order. None when no worker holds it and nothing is retired.
    fn merged(&self, k: &HostKey) -> Option<Host> {
        let mut m = self.retired.get(k).cloned();
        for view in &self.views {
            if let Some(h) = view.get(k) {
                match &mut m {
                    Some(m) => absorb_host(m, h),
                    None => m = Some(h.clone()),
                }
            }
        }
        m
    }

    /// After the coordinator ran the ticks: the hosts it purged from the merged table
    /// are forgotten; what the shards purged of hosts that live on is retired.
    pub fn after_purge(&mut self, parts: &mut [ShardTick], purged: &[HostKey]) {
        let gone: std::collections::HashSet<&HostKey> = purged.iter().collect();
        for (p, view) in parts.iter_mut().zip(&mut self.views) {
            for h in p.purged.drain(..) {
                let k = (h.ip, h.vlan);
                view.remove(&k);
                if !gone.contains(&k) {
                    absorb_into(&mut self.retired, h);
                    self.recheck.push(k);
                }
            }
        }
        for k in purged {
            self.retired.remove(k);
            self.peaks.remove(k);
            self.known.remove(k);
            self.ghost_flows.remove(k);
            if self.views.iter().any(|v| v.contains_key(k)) {
                self.recheck.push(*k);
            }
        }
        // Ghost subnets quiet for an hour are forgotten after the minute tick, as one
        // engine forgets them when it purges its hosts.
        if let Some(p) = parts.first()
            && !p.force
            && p.ticks.iter().any(|(t, _)| *t == Tick::Min)
        {
            self.ghosts.expire(p.now.as_secs().saturating_sub(3600));
        }
    }
}

fn absorb_into(map: &mut Map<HostKey, Host>, h: Host) {
    match map.entry((h.ip, h.vlan)) {
        std::collections::hash_map::Entry::Occupied(mut e) => absorb_host(e.get_mut(), &h),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(h);
        }
    }
}

/// Adds another shard's view of the same host. Counters and scores add up exactly, the
/// distinct counters merge exactly (register maximum), times take the earliest first
/// and latest last packet. The peak rates are left as they are: [`ShardMerger`] measures
/// them from every shard's events. The 8-slot L7 breakdown is exact while a host has
/// at most 7 protocols; beyond, which ones keep a slot may differ.
pub fn absorb_host(h: &mut Host, o: &Host) {
    h.first_seen = h.first_seen.min(o.first_seen);
    h.last_seen = h.last_seen.max(o.last_seen);
    h.changed = h.changed.max(o.changed);
    h.packets_sent += o.packets_sent;
    h.packets_rcvd += o.packets_rcvd;
    h.bytes_sent += o.bytes_sent;
    h.bytes_rcvd += o.bytes_rcvd;
    h.active_flows_as_client += o.active_flows_as_client;
    h.active_flows_as_server += o.active_flows_as_server;
    h.total_flows_as_client += o.total_flows_as_client;
    h.total_flows_as_server += o.total_flows_as_server;
    h.syn_sent += o.syn_sent;
    h.syn_rcvd += o.syn_rcvd;
    h.synack_sent += o.synack_sent;
    h.synack_rcvd += o.synack_rcvd;
    h.rst_sent += o.rst_sent;
    for (a, b) in h.score.iter_mut().zip(o.score) {
        *a = a.saturating_add(b);
    }
    // Each shard knows its own peak; the merged one is at least the highest of them and
    // the merged current total (peaks of different shards at different instants do
    // not add up).
    if o.score_peak.0 > h.score_peak.0 {
        h.score_peak = o.score_peak;
    }
    let total = h.score[0].saturating_add(h.score[1]);
    if total > h.score_peak.0 {
        h.score_peak = (total, h.score_peak.1.max(o.score_peak.1));
    }
    absorb_distinct(&mut h.contacted_peers, &o.contacted_peers);
    absorb_distinct(&mut h.contacted_ports, &o.contacted_ports);
    absorb_l7(&mut h.l7, &o.l7);
    if let Some(oa) = &o.app {
        let a = h.app.get_or_insert_with(Box::default);
        absorb_app(a, oa);
    }
}

fn absorb_distinct(a: &mut DistinctCounter, b: &DistinctCounter) {
    a.absorb(b);
}

fn absorb_l7(a: &mut L7Breakdown, b: &L7Breakdown) {
    for e in b.iter() {
        a.add(e.proto, e.bytes, e.flows);
    }
}

fn absorb_app(a: &mut HostAppStats, b: &HostAppStats) {
    for (x, y) in a.dns.iter_mut().zip(&b.dns) {
        x.queries += y.queries;
        x.replies_ok += y.replies_ok;
        x.replies_error += y.replies_error;
        for (p, q) in x.by_type.iter_mut().zip(y.by_type) {
            *p += q;
        }
    }
    for (x, y) in a.http.iter_mut().zip(&b.http) {
        for (p, q) in x.queries.iter_mut().zip(y.queries) {
            *p += q;
        }
        for (p, q) in x.responses.iter_mut().zip(y.responses) {
            *p += q;
        }
    }
}

fn absorb_network(n: &mut Network, o: &Network) {
    n.bytes_egress += o.bytes_egress;
    n.bytes_ingress += o.bytes_ingress;
    n.bytes_inner += o.bytes_inner;
    n.bytes_broadcast += o.bytes_broadcast;
    n.packets += o.packets;
    n.flows += o.flows;
    n.score += o.score;
}

fn absorb_iface(i: &mut Interface, o: &Interface) {
    i.packets += o.packets;
    i.bytes += o.bytes;
    i.non_ip += o.non_ip;
    i.decode_errors += o.decode_errors;
    i.fragments += o.fragments;
    i.flows_created += o.flows_created;
    i.flows_ended += o.flows_ended;
    i.flows_evicted += o.flows_evicted;
    i.hosts_evicted += o.hosts_evicted;
    i.hosts_untracked += o.hosts_untracked;
    i.max_flows += o.max_flows;
    i.flows_idle += o.flows_idle;
    i.drops += o.drops;
    for (a, b) in i.l4.iter_mut().zip(&o.l4) {
        a.packets += b.packets;
        a.bytes += b.bytes;
    }
    for (p, c) in &o.l7 {
        let e = i.l7.entry(*p).or_default();
        e.bytes += c.bytes;
        e.packets += c.packets;
        e.flows += c.flows;
    }
    for (n, d) in &o.bcast_domains {
        let e = i.bcast_domains.entry(*n).or_insert(crate::BcastDomain {
            hits: 0,
            ghost_network: d.ghost_network,
        });
        e.hits += d.hits;
    }
    i.ghost_nets.absorb(&o.ghost_nets);
    i.throughput_bps += o.throughput_bps;
    i.throughput_pps += o.throughput_pps;
    i.last_tp_bytes += o.last_tp_bytes;
    i.last_tp_packets += o.last_tp_packets;
    i.tp_delta.0 += o.tp_delta.0;
    i.tp_delta.1 += o.tp_delta.1;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker's tick at minute `min` sending `hosts` (changed since its last tick).
    fn part(min: u64, hosts: Vec<Host>) -> ShardTick {
        let now = Timestamp(min * 60_000_000);
        ShardTick {
            ticks: vec![(Tick::Min, now)],
            now,
            force: false,
            removed: Vec::new(),
            hosts,
            networks: Vec::new(),
            iface: Interface::default(),
            purged: Vec::new(),
            hits: Vec::new(),
            ghosts: Vec::new(),
        }
    }

    fn host(last: u8, packets: u64) -> Host {
        let mut t = crate::host::HostTable::default();
        let id = t.get_or_insert(IpAddr::from([10, 0, 0, last]), 0, Timestamp(1), || None);
        let mut h = t.get(id).cloned().expect("inserted");
        h.packets_sent = packets;
        h
    }

    #[test]
    fn hosts_no_worker_sent_again_keep_their_last_copies() {
        let mut m = ShardMerger::new();
        let (hosts, _, iface) = m.merge(&mut [
            part(1, vec![host(1, 5), host(2, 1)]),
            part(1, vec![host(1, 7)]),
        ]);
        let counts: Vec<_> = hosts.iter().map(|h| (h.ip, h.packets_sent)).collect();
        assert_eq!(counts.len(), 2);
        assert_eq!(counts[0].1 + counts[1].1, 13);
        assert_eq!(iface.hosts_created, 2);
        // Minute 2: only worker 1's copy of host 1 changed. Host 1 is merged again
        // from worker 0's copy of minute 1 and worker 1's new one; host 2 is not sent.
        let (hosts, _, iface) = m.merge(&mut [part(2, vec![]), part(2, vec![host(1, 9)])]);
        let counts: Vec<_> = hosts.iter().map(|h| (h.ip, h.packets_sent)).collect();
        assert_eq!(counts, [(IpAddr::from([10, 0, 0, 1]), 14)]);
        assert_eq!(iface.hosts_created, 2);
        // Worker 0 purges host 1 (idle there): its counters are retired, so the merged
        // host keeps them.
        let mut parts = [part(3, vec![]), part(3, vec![])];
        let _ = m.merge(&mut parts);
        parts[0].purged.push(host(1, 5));
        m.after_purge(&mut parts, &[]);
        let (hosts, _, _) = m.merge(&mut [part(4, vec![]), part(4, vec![])]);
        let counts: Vec<_> = hosts.iter().map(|h| h.packets_sent).collect();
        assert_eq!(counts, [14]);
        // Purged by the coordinator while worker 1 still holds it: it comes back, as
        // a new host, with worker 1's counters only.
        let mut parts = [part(5, vec![]), part(5, vec![])];
        let _ = m.merge(&mut parts);
        m.after_purge(&mut parts, &[(IpAddr::from([10, 0, 0, 1]), 0)]);
        let (hosts, _, iface) = m.merge(&mut [part(6, vec![]), part(6, vec![])]);
        let counts: Vec<_> = hosts.iter().map(|h| h.packets_sent).collect();
        assert_eq!(counts, [9]);
        assert_eq!(iface.hosts_created, 3);
    }

    #[test]
    fn both_directions_land_on_one_worker_and_all_workers_are_used() {
        let mut seen = [0u32; 4];
        for i in 0..4000u32 {
            let a: IpAddr = std::net::Ipv4Addr::from(0x0a00_0000 + i).into();
            let b: IpAddr = "192.0.2.1".parse().unwrap();
            let k = FlowKey {
                a: a.min(b),
                b: a.max(b),
                a_port: 40000 + (i % 1000) as u16,
                b_port: 443,
                vlan: 0,
                proto: 6,
            };
            let w = k.shard(4);
            assert!(w < 4);
            seen[w] += 1;
            assert_eq!(k.shard(1), 0);
        }
        for n in seen {
            assert!((800..1200).contains(&n), "unbalanced {seen:?}");
        }
    }

    #[test]
    fn a_tuple_goes_where_its_flow_key_goes() {
        let v4 = |x: u32| IpAddr::from(std::net::Ipv4Addr::from(x));
        let v6 = |x: u128| IpAddr::from(std::net::Ipv6Addr::from(x));
        for i in 0..2000u32 {
            let (src, dst) = if i % 3 == 0 {
                (
                    v6(u128::from(i) << 64 | 7),
                    v6(0x2001_0db8 << 96 | u128::from(i)),
                )
            } else {
                (v4(0x0a00_0000 + i), v4(0xc000_0201 ^ i.rotate_left(7)))
            };
            let t = PlainTuple {
                vlan: (i % 5) as u16,
                proto: if i % 2 == 0 { 6 } else { 17 },
                src,
                dst,
                sport: (i * 7) as u16,
                dport: 443,
            };
            let (k, _) = FlowKey::new(t.vlan, t.proto, (t.src, t.sport), (t.dst, t.dport));
            for n in [1, 2, 3, 4, 8] {
                assert_eq!(tuple_shard(&t, n), k.shard(n));
            }
        }
    }

    #[test]
    fn distinct_counters_merge_as_the_union() {
        let (mut a, mut b, mut u) = (
            DistinctCounter::default(),
            DistinctCounter::default(),
            DistinctCounter::default(),
        );
        for i in 0..300u32 {
            if i % 2 == 0 {
                a.add(&i);
            } else {
                b.add(&i);
            }
            u.add(&i);
        }
        a.absorb(&b);
        assert_eq!(a, u);
    }
}
