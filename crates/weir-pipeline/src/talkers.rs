//! Top talkers over a whole run, in bounded memory.
//!
//! Hosts leave the host table when they go idle, so the table at the end of a run only
//! knows the survivors. [`TopTalkers`] instead counts every flow's bytes at its end
//! towards both peers with the Space-Saving algorithm (Metwally et al., 2005): at most
//! `capacity` counters, and any host whose true total exceeds `total / capacity` is
//! guaranteed to be among them, with an over-estimate bounded by that same amount.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

use weir_flow::Host;

/// Most distinct hosts counted exactly (about 40 MB); past it the count is a lower
/// bound and [`TopTalkers::distinct_hosts`] says so.
const MAX_DISTINCT: usize = 1 << 20;

/// Most hosts [`RetiredHosts`] keeps (the snapshots' row cap).
const MAX_RETIRED: usize = crate::snapshot::MAX_ROWS;

/// A host's counters summed over its earlier stays in the host table (it went idle,
/// left the table and came back, counting from zero again).
#[derive(Debug, Clone, Copy, Default)]
struct Earlier {
    packets_sent: u64,
    packets_rcvd: u64,
    bytes_sent: u64,
    bytes_rcvd: u64,
    flows_as_client: u64,
    flows_as_server: u64,
    first_seen: Option<weir_decode::Timestamp>,
    score_peak: (u32, weir_decode::Timestamp),
}

impl Earlier {
    fn add(&mut self, h: &Host) {
        self.packets_sent += h.packets_sent;
        self.packets_rcvd += h.packets_rcvd;
        self.bytes_sent += h.bytes_sent;
        self.bytes_rcvd += h.bytes_rcvd;
        self.flows_as_client += h.total_flows_as_client;
        self.flows_as_server += h.total_flows_as_server;
        self.first_seen = Some(
            self.first_seen
                .map_or(h.first_seen, |f| f.min(h.first_seen)),
        );
        if h.score_peak.0 > self.score_peak.0 {
            self.score_peak = h.score_peak;
        }
    }

    fn apply(&self, h: &mut Host) {
        h.packets_sent += self.packets_sent;
        h.packets_rcvd += self.packets_rcvd;
        h.bytes_sent += self.bytes_sent;
        h.bytes_rcvd += self.bytes_rcvd;
        h.total_flows_as_client += self.flows_as_client;
        h.total_flows_as_server += self.flows_as_server;
        if self.score_peak.0 > h.score_peak.0 {
            h.score_peak = self.score_peak;
        }
        if let Some(f) = self.first_seen {
            h.first_seen = h.first_seen.min(f);
        }
    }
}

/// The hosts that left the host table during a run (`host_purged`), each with its last
/// state and the counters of its earlier stays, so that the end of a run can show every
/// host of the run with its totals: the run summary's `hosts`, `weir hosts` and the
/// web UI's hosts after a replay are then one list. At most [`MAX_RETIRED`] hosts.
#[derive(Debug, Default)]
pub struct RetiredHosts {
    map: HashMap<(IpAddr, u16), (Host, Earlier)>,
}

impl RetiredHosts {
    /// Notes a host leaving the table.
    pub fn purged(&mut self, host: &Host) {
        let key = (host.ip, host.vlan);
        if let Some((last, earlier)) = self.map.get_mut(&key) {
            earlier.add(last);
            *last = host.clone();
        } else if self.map.len() < MAX_RETIRED {
            self.map.insert(key, (host.clone(), Earlier::default()));
        }
    }

    /// Every host of the run: those of `table` (still in the host table) with the
    /// counters of their earlier stays added, then those that left it, with theirs.
    pub fn whole_run<'a>(&self, table: impl Iterator<Item = &'a Host>) -> Vec<Host> {
        let mut out = Vec::new();
        let mut live = HashSet::new();
        for h in table {
            let mut h = h.clone();
            if let Some((last, earlier)) = self.map.get(&(h.ip, h.vlan)) {
                earlier.apply(&mut h);
                let mut all = Earlier::default();
                all.add(last);
                all.apply(&mut h);
            }
            live.insert((h.ip, h.vlan));
            out.push(h);
        }
        for (key, (last, earlier)) in &self.map {
            if !live.contains(key) {
                let mut h = last.clone();
                earlier.apply(&mut h);
                out.push(h);
            }
        }
        out
    }
}

/// Space-Saving heavy-hitter counter of bytes per host, the count of distinct hosts
/// (address and VLAN) of the run, and the hosts that left the host table.
#[derive(Debug)]
pub struct TopTalkers {
    capacity: usize,
    counts: HashMap<IpAddr, (u64, u64)>,
    /// The counters by count (then address), kept once `counts` is full: the smallest
    /// is the one a newcomer replaces, found without scanning every counter and the
    /// same on every run.
    order: BTreeSet<(u64, IpAddr)>,
    seen: HashSet<(IpAddr, u16)>,
    seen_overflow: bool,
    /// The hosts that left the host table.
    pub retired: RetiredHosts,
}

impl TopTalkers {
    /// A counter keeping at most `capacity` hosts.
    pub fn new(capacity: usize) -> TopTalkers {
        TopTalkers {
            capacity: capacity.max(1),
            counts: HashMap::new(),
            order: BTreeSet::new(),
            seen: HashSet::new(),
            seen_overflow: false,
            retired: RetiredHosts::default(),
        }
    }

    /// Notes a host (address, VLAN) of the run.
    pub fn see(&mut self, host: IpAddr, vlan: u16) {
        if self.seen.len() < MAX_DISTINCT {
            self.seen.insert((host, vlan));
        } else if !self.seen.contains(&(host, vlan)) {
            self.seen_overflow = true;
        }
    }

    /// Distinct hosts (address and VLAN) that took part in a flow during the run: the
    /// one host count of the summary and `weir hosts` (a host that went idle, left
    /// the host table and came back is one host). `exact` is false past
    /// [`MAX_DISTINCT`] hosts, where the count is a lower bound.
    pub fn distinct_hosts(&self) -> (u64, bool) {
        (self.seen.len() as u64, !self.seen_overflow)
    }

    /// Adds `bytes` to `host`.
    pub fn add(&mut self, host: IpAddr, bytes: u64) {
        let full = !self.order.is_empty();
        if let Some((count, _)) = self.counts.get_mut(&host) {
            if full {
                self.order.remove(&(*count, host));
                self.order.insert((*count + bytes, host));
            }
            *count += bytes;
            return;
        }
        if self.counts.len() < self.capacity {
            self.counts.insert(host, (bytes, 0));
            return;
        }
        if !full {
            self.order = self.counts.iter().map(|(ip, (c, _))| (*c, *ip)).collect();
        }
        // Replace the smallest counter (the lowest address among equals); the
        // newcomer inherits its count as the error.
        let Some((min, victim)) = self.order.pop_first() else {
            return;
        };
        self.counts.remove(&victim);
        self.counts.insert(host, (min + bytes, min));
        self.order.insert((min + bytes, host));
    }

    /// Adds the counters of another part of the same interface (a worker shard's,
    /// `crate::shards`): the distinct hosts are the union of both sets, a host's bytes
    /// the sum of both counts (Space-Saving summaries merge by adding counters; the
    /// merged summary keeps every counter of both, so its error bound is the sum of
    /// theirs). The hosts that left the table are not merged: the coordinator notes
    /// its own merged hosts leaving.
    pub fn merge(&mut self, other: TopTalkers) {
        self.seen_overflow |= other.seen_overflow;
        for key in other.seen {
            self.see(key.0, key.1);
        }
        self.capacity = self.capacity.max(self.counts.len() + other.counts.len());
        // Room for every counter of both: no replacement until it fills again.
        self.order.clear();
        for (ip, (c, err)) in other.counts {
            let e = self.counts.entry(ip).or_insert((0, 0));
            e.0 += c;
            e.1 += err;
        }
    }

    /// The `n` hosts with the largest counts, largest first (ties by address).
    pub fn top(&self, n: usize) -> Vec<(IpAddr, u64)> {
        let mut v: Vec<(IpAddr, u64)> = self.counts.iter().map(|(ip, (c, _))| (*ip, *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

/// Counts the bytes of every flow to both its hosts when the flow ends.
impl weir_flow::Consumer for TopTalkers {
    fn flow_end(
        &mut self,
        _now: weir_decode::Timestamp,
        flow: &mut weir_flow::Flow,
        _reason: weir_flow::EndReason,
    ) {
        let bytes = flow.bytes();
        self.add(flow.client().0, bytes);
        self.add(flow.server().0, bytes);
        self.see(flow.client().0, flow.key.vlan);
        self.see(flow.server().0, flow.key.vlan);
    }

    fn host_purged(&mut self, _now: weir_decode::Timestamp, host: &Host) {
        self.retired.purged(host);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::from(std::net::Ipv4Addr::from(n))
    }

    #[test]
    fn distinct_hosts_count_each_address_and_vlan_once() {
        let mut t = TopTalkers::new(2);
        for (h, v) in [(1, 0), (1, 0), (1, 10), (2, 0), (3, 0), (1, 0)] {
            t.see(ip(h), v);
        }
        assert_eq!(t.distinct_hosts(), (4, true));
    }

    #[test]
    fn merged_parts_count_shared_hosts_once_and_add_their_bytes() {
        let (mut a, mut b) = (TopTalkers::new(8), TopTalkers::new(8));
        for (h, v) in [(1, 0), (2, 0), (3, 7)] {
            a.see(ip(h), v);
        }
        for (h, v) in [(2, 0), (3, 0), (4, 0)] {
            b.see(ip(h), v);
        }
        a.add(ip(1), 10);
        a.add(ip(2), 5);
        b.add(ip(2), 20);
        b.add(ip(4), 1);
        a.merge(b);
        assert_eq!(a.distinct_hosts(), (5, true), "3@7 and 3@0 are two hosts");
        assert_eq!(a.top(3), vec![(ip(2), 25), (ip(1), 10), (ip(4), 1)]);
    }

    #[test]
    fn exact_while_under_capacity() {
        let mut t = TopTalkers::new(10);
        for (h, b) in [(1, 10), (2, 30), (1, 25), (3, 5)] {
            t.add(ip(h), b);
        }
        assert_eq!(t.top(2), vec![(ip(1), 35), (ip(2), 30)]);
    }

    #[test]
    fn heavy_hitters_survive_a_flood_of_small_hosts() {
        let mut t = TopTalkers::new(64);
        for round in 0..1000u32 {
            t.add(ip(1), 1_000);
            t.add(ip(2), 500);
            for k in 0..20 {
                t.add(ip(1_000_000 + round * 20 + k), 1);
            }
        }
        let top = t.top(2);
        assert_eq!(top[0].0, ip(1));
        assert_eq!(top[1].0, ip(2));
        assert!(top[0].1 >= 1_000_000, "counts never under-estimate");
        assert!(t.counts.len() <= 64);
        assert_eq!(t.order.len(), t.counts.len());
        for (ip, (c, _)) in &t.counts {
            assert!(t.order.contains(&(*c, *ip)), "{ip} {c}");
        }
    }

    #[test]
    fn a_newcomer_replaces_the_smallest_counter_with_the_lowest_address() {
        let mut t = TopTalkers::new(3);
        for (h, b) in [(9, 5), (4, 5), (7, 8)] {
            t.add(ip(h), b);
        }
        // 4 and 9 tie at 5: 4 goes, whatever the hash map's order.
        t.add(ip(1), 1);
        assert_eq!(t.top(3), vec![(ip(7), 8), (ip(1), 6), (ip(9), 5)]);
        // Then 9 (5) is the smallest.
        t.add(ip(2), 10);
        assert_eq!(t.top(3), vec![(ip(2), 15), (ip(7), 8), (ip(1), 6)]);
    }
}
