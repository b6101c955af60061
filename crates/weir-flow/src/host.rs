//! Hosts (per IP and VLAN): traffic counters, flow counts, SYN counters, L7 breakdown,
//! score and bounded unique-peer / unique-port estimates.

use std::hash::{BuildHasher, Hash};
use std::net::IpAddr;

use hashbrown::HashTable;
use weir_decode::Timestamp;

use crate::proto::Proto;

/// A HyperLogLog distinct counter with 64 six-bit registers (≈13% standard error):
/// 64 bytes whatever the number of values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DistinctCounter([u8; 64]);

impl Default for DistinctCounter {
    fn default() -> Self {
        DistinctCounter([0; 64])
    }
}

impl std::fmt::Debug for DistinctCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "~{}", self.estimate())
    }
}

const HLL_SEED: u64 = 0x5745_4952_464c_4f57;

impl DistinctCounter {
    /// The counter of the union of both sets (register maximum: exact for HyperLogLog).
    pub fn absorb(&mut self, o: &DistinctCounter) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a = (*a).max(b);
        }
    }

    /// Adds a value.
    pub fn add<T: Hash>(&mut self, v: &T) {
        let h = foldhash::fast::FixedState::with_seed(HLL_SEED).hash_one(v);
        let idx = (h & 63) as usize;
        let rank = ((h >> 6).trailing_zeros() + 1).min(58) as u8;
        if let Some(r) = self.0.get_mut(idx)
            && *r < rank
        {
            *r = rank;
        }
    }

    /// Estimated number of distinct values added.
    pub fn estimate(&self) -> u64 {
        let m = 64.0f64;
        let mut sum = 0.0f64;
        let mut zeros = 0u32;
        for &r in &self.0 {
            sum += 2f64.powi(-i32::from(r));
            zeros += u32::from(r == 0);
        }
        let alpha = 0.709;
        let raw = alpha * m * m / sum;
        let est = if raw <= 2.5 * m && zeros > 0 {
            m * (m / f64::from(zeros)).ln()
        } else {
            raw
        };
        est.round() as u64
    }
}

/// Traffic of one L7 protocol at a host or interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct L7Counter {
    /// Protocol (`Proto(u16::MAX)` = all others, past [`HOST_L7_MAX`]).
    pub proto: Proto,
    /// Bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u32,
}

/// L7 protocols a host keeps inline; a host that sees more keeps them all on the heap.
pub const HOST_L7_INLINE: usize = 7;
/// Most L7 protocols kept per host (more than the DPI knows); past it the rest are
/// summed in an "other" entry (`Proto(u16::MAX)`).
pub const HOST_L7_MAX: usize = 1024;

/// A host's traffic per L7 protocol, every protocol it saw: up to
/// [`HOST_L7_INLINE`] in place, more (rare: a gateway, a busy server) in one heap
/// vector. Keeping them all makes the breakdown a plain sum, the same whichever
/// worker shards saw which flows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct L7Breakdown {
    inline: [L7Counter; HOST_L7_INLINE],
    used: u8,
    /// Every protocol, in arrival order, once there were more than fit inline. Boxed:
    /// 8 bytes in every host instead of a vector's 24, for the few that spill.
    #[allow(clippy::box_collection)]
    spilled: Option<Box<Vec<L7Counter>>>,
}

impl L7Breakdown {
    fn slot(&mut self, p: Proto) -> Option<&mut L7Counter> {
        if self.spilled.is_some() {
            return self
                .spilled
                .as_deref_mut()
                .and_then(|all| spilled_slot(all, p));
        }
        let used = usize::from(self.used);
        if let Some(i) = self.inline.iter().take(used).position(|e| e.proto == p) {
            return self.inline.get_mut(i);
        }
        if used < HOST_L7_INLINE {
            self.used += 1;
            let e = self.inline.get_mut(used)?;
            e.proto = p;
            return Some(e);
        }
        let mut all = Vec::with_capacity(HOST_L7_INLINE * 2);
        all.extend_from_slice(&self.inline);
        all.push(L7Counter::of(p));
        self.inline = Default::default();
        self.used = 0;
        self.spilled.insert(Box::new(all)).last_mut()
    }

    /// Adds bytes (and optionally one flow) to a protocol.
    pub fn add(&mut self, p: Proto, bytes: u64, flows: u32) {
        if let Some(e) = self.slot(p) {
            e.bytes += bytes;
            e.flows += flows;
        }
    }

    /// The entries.
    pub fn iter(&self) -> impl Iterator<Item = &L7Counter> {
        let inline = self.inline.get(..usize::from(self.used)).unwrap_or(&[]);
        match &self.spilled {
            Some(all) => all.iter(),
            None => inline.iter(),
        }
    }
}

/// The counter of `p` among a host's spilled protocols, added if new (past
/// [`HOST_L7_MAX`], the "other" entry).
fn spilled_slot(all: &mut Vec<L7Counter>, p: Proto) -> Option<&mut L7Counter> {
    let p = if all.len() < HOST_L7_MAX - 1 || all.iter().any(|e| e.proto == p) {
        p
    } else {
        Proto(u16::MAX)
    };
    let i = match all.iter().position(|e| e.proto == p) {
        Some(i) => i,
        None => {
            all.push(L7Counter::of(p));
            all.len() - 1
        }
    };
    all.get_mut(i)
}

impl L7Counter {
    fn of(proto: Proto) -> L7Counter {
        L7Counter {
            proto,
            ..L7Counter::default()
        }
    }
}

/// Flood hits as ntopng counts them: events per second of packet time, and per
/// minute the highest rate sustained for 3 consecutive seconds (the smallest count of
/// the best 3-second run). Constant size; fed in packet order, read at the minute
/// ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeakRate {
    /// The second (epoch) of the latest event.
    sec: u32,
    /// Events in the seconds `sec - 2`, `sec - 1` and `sec`.
    counts: [u16; 3],
    /// Highest sustained rate in the minute of `sec`.
    peak: u16,
    /// The same for the minute before (0 when it had none).
    prev_peak: u16,
}

impl PeakRate {
    /// Counts one event at `secs` (epoch seconds of packet time).
    #[inline]
    pub fn hit(&mut self, secs: u64) {
        self.hit_n(secs, 1);
    }

    /// Counts `n` events at `secs` (events of one second, added up).
    #[inline]
    pub fn hit_n(&mut self, secs: u64, n: u16) {
        let sec = u32::try_from(secs).unwrap_or(u32::MAX);
        if sec != self.sec {
            let (was, now) = (self.sec / 60, sec / 60);
            if now != was {
                self.prev_peak = if now == was.wrapping_add(1) {
                    self.peak
                } else {
                    0
                };
                self.peak = 0;
            }
            let [_, b, c] = self.counts;
            self.counts = match sec.wrapping_sub(self.sec) {
                1 => [b, c, 0],
                2 => [c, 0, 0],
                _ => [0; 3],
            };
            self.sec = sec;
        }
        self.counts[2] = self.counts[2].saturating_add(n);
        let [a, b, c] = self.counts;
        self.peak = self.peak.max(a.min(b).min(c));
    }

    /// The highest sustained rate in the minute that ends at `at` (epoch seconds: a
    /// minute tick, or a later time for the last, partial minute).
    pub fn peak_in_minute_to(&self, at: u64) -> u16 {
        let end = u32::try_from(at.div_ceil(60)).unwrap_or(u32::MAX);
        let cur = self.sec / 60;
        if cur.wrapping_add(1) == end {
            self.peak
        } else if cur == end {
            self.prev_peak
        } else {
            0
        }
    }
}

/// One host.
#[derive(Debug, Clone)]
pub struct Host {
    /// Address.
    pub ip: IpAddr,
    /// VLAN.
    pub vlan: u16,
    /// First packet.
    pub first_seen: Timestamp,
    /// Last packet.
    pub last_seen: Timestamp,
    /// Packets sent.
    pub packets_sent: u64,
    /// Packets received.
    pub packets_rcvd: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_rcvd: u64,
    /// Active flows as client.
    pub active_flows_as_client: u32,
    /// Active flows as server.
    pub active_flows_as_server: u32,
    /// Flows as client since first seen.
    pub total_flows_as_client: u64,
    /// Flows as server since first seen.
    pub total_flows_as_server: u64,
    /// TCP SYN (without ACK) sent.
    pub syn_sent: u64,
    /// TCP SYN received.
    pub syn_rcvd: u64,
    /// SYN-ACK sent.
    pub synack_sent: u64,
    /// SYN-ACK received.
    pub synack_rcvd: u64,
    /// RST sent.
    pub rst_sent: u64,
    /// Peak SYNs (without ACK) per second, `[sent, received]` (ntopng's SYN flood hits).
    pub syn_peak: [PeakRate; 2],
    /// Peak new flows per second, `[as client, as server]` (ntopng's flow flood hits).
    pub flow_peak: [PeakRate; 2],
    /// Score [network, security]: sum of the live flows' contributions.
    pub score: [u32; 2],
    /// The highest total score (network + security) the host had, and when: what its
    /// `host_score` checks saw, still shown after its flows ended and the score went
    /// back to 0.
    pub score_peak: (u32, Timestamp),
    /// In a configured local network.
    pub local: bool,
    /// Index of the local network (−1 none).
    pub network_id: i16,
    /// Unique peers contacted (as client), estimated.
    pub contacted_peers: DistinctCounter,
    /// Unique clients that contacted it (as server), estimated.
    pub contacted_by: DistinctCounter,
    /// Unique server ports contacted (as client), estimated.
    pub contacted_ports: DistinctCounter,
    /// L7 breakdown.
    pub l7: L7Breakdown,
    /// DNS and HTTP counters of a local host (allocated at its first DNS or HTTP
    /// flow end; remote hosts have none).
    pub app: Option<Box<HostAppStats>>,
    /// The first block list the address is on (index + 1 into the engine's lists; 0
    /// none), set at creation.
    pub listed: u8,
    /// GeoIP country and ASN, looked up at creation.
    pub geo: crate::HostGeo,
    /// Packet time of the latest change that came without a packet of the host (a
    /// score change, a flow of the host ending); see [`Host::last_change`].
    pub changed: Timestamp,
    /// Position in the idle queue (0: not queued).
    idle_mark: u32,
    /// In its table's list of changed hosts (see [`HostTable::take_changed`]).
    change_listed: bool,
}

/// DNS counters of a host in one direction (`sent` or `rcvd`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DnsCounters {
    /// Queries.
    pub queries: u32,
    /// Replies with RCODE 0.
    pub replies_ok: u32,
    /// Replies with another RCODE.
    pub replies_error: u32,
    /// Queries by type: A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, ANY, other.
    pub by_type: [u32; 10],
}

impl DnsCounters {
    /// Index in [`DnsCounters::by_type`] of a QTYPE.
    pub fn type_index(qtype: u16) -> usize {
        match qtype {
            1 => 0,
            2 => 1,
            5 => 2,
            6 => 3,
            12 => 4,
            15 => 5,
            16 => 6,
            28 => 7,
            255 => 8,
            _ => 9,
        }
    }
}

/// HTTP counters of a host in one role (client or server).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpCounters {
    /// Requests by method: GET, POST, HEAD, PUT, other.
    pub queries: [u32; 5],
    /// Responses by class: 1xx, 2xx, 3xx, 4xx, 5xx.
    pub responses: [u32; 5],
}

/// Per-host DNS and HTTP counters, fed when a flow ends from its DNS or HTTP
/// metadata (one query and its reply per DNS flow, the first request and response
/// of an HTTP flow).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostAppStats {
    /// DNS `[sent, rcvd]`: queries the host sent / replies it sent, and queries it
    /// received / replies it received.
    pub dns: [DnsCounters; 2],
    /// HTTP `[as_client, as_server]`: requests the host sent and responses it
    /// received as a client; requests it received and responses it sent as a server.
    pub http: [HttpCounters; 2],
}

impl HostAppStats {
    /// Counts a DNS flow's query (and reply) for its client (`client = true`) or
    /// server.
    pub fn add_dns(&mut self, client: bool, qtype: u16, replied: bool, rcode: u8) {
        let [sent, rcvd] = &mut self.dns;
        // The client sends the query and receives the reply; the server the reverse.
        let (qd, rd) = if client { (sent, rcvd) } else { (rcvd, sent) };
        qd.queries = qd.queries.saturating_add(1);
        if let Some(t) = qd.by_type.get_mut(DnsCounters::type_index(qtype)) {
            *t = t.saturating_add(1);
        }
        if replied {
            if rcode == 0 {
                rd.replies_ok = rd.replies_ok.saturating_add(1);
            } else {
                rd.replies_error = rd.replies_error.saturating_add(1);
            }
        }
    }

    /// Counts an HTTP flow's request (and response) for its client or server.
    pub fn add_http(&mut self, client: bool, method: &str, return_code: u16) {
        // As a client the host sent the request and received the response; as a
        // server the reverse: both go to the counters of its role.
        let [as_client, as_server] = &mut self.http;
        let role = if client { as_client } else { as_server };
        let m = match method {
            "GET" => 0,
            "POST" => 1,
            "HEAD" => 2,
            "PUT" => 3,
            _ => 4,
        };
        if !method.is_empty()
            && let Some(c) = role.queries.get_mut(m)
        {
            *c = c.saturating_add(1);
        }
        if (100..600).contains(&return_code)
            && let Some(c) = role.responses.get_mut(usize::from(return_code / 100 - 1))
        {
            *c = c.saturating_add(1);
        }
    }
}

impl Host {
    fn new(ip: IpAddr, vlan: u16, ts: Timestamp, network_id: Option<usize>) -> Host {
        Host {
            ip,
            vlan,
            first_seen: ts,
            last_seen: ts,
            packets_sent: 0,
            packets_rcvd: 0,
            bytes_sent: 0,
            bytes_rcvd: 0,
            active_flows_as_client: 0,
            active_flows_as_server: 0,
            total_flows_as_client: 0,
            total_flows_as_server: 0,
            syn_sent: 0,
            syn_rcvd: 0,
            synack_sent: 0,
            synack_rcvd: 0,
            rst_sent: 0,
            syn_peak: [PeakRate::default(); 2],
            flow_peak: [PeakRate::default(); 2],
            score: [0; 2],
            score_peak: (0, ts),
            local: network_id.is_some(),
            network_id: network_id.and_then(|n| i16::try_from(n).ok()).unwrap_or(-1),
            contacted_peers: DistinctCounter::default(),
            contacted_by: DistinctCounter::default(),
            contacted_ports: DistinctCounter::default(),
            l7: L7Breakdown::default(),
            app: None,
            listed: 0,
            geo: crate::HostGeo::default(),
            changed: ts,
            idle_mark: 0,
            change_listed: false,
        }
    }

    /// Packet time of the latest change of any counter (a packet, a score change, a
    /// flow ending): a host unchanged since a tick has nothing new to show its tick
    /// scripts.
    pub fn last_change(&self) -> Timestamp {
        self.last_seen.max(self.changed)
    }

    /// Active flows (client + server).
    pub fn active_flows(&self) -> u32 {
        self.active_flows_as_client + self.active_flows_as_server
    }
}

/// Lists `h` (slot `id`) as changed, once, when `changes` tracks changes.
#[inline]
fn list_change(changes: &mut Option<Vec<HostId>>, h: &mut Host, id: HostId) {
    if let Some(list) = changes
        && !h.change_listed
    {
        h.change_listed = true;
        list.push(id);
    }
}

/// Slot id of a host.
pub type HostId = u32;

/// The host id of a flow endpoint the full host table could not take (no host is
/// counted for it; [`HostTable::get`] finds nothing).
pub const NO_HOST: HostId = u32::MAX;

/// Hosts by (IP, VLAN), with an idle queue: the hosts whose last flow ended, oldest
/// first, from which the engine evicts when the table is full.
///
/// # Performance
/// Find, insert and remove are O(1); queueing a host is O(1) and each queue entry is
/// popped at most once (stale entries, hosts that got flows again, are skipped and
/// compacted away when they outnumber the hosts), so eviction is amortised O(1).
pub struct HostTable {
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    slots: Vec<Option<Box<Host>>>,
    free: Vec<u32>,
    len: usize,
    /// `(host, mark)`: the host became flowless when its `idle_mark` was `mark`.
    idle: std::collections::VecDeque<(HostId, u32)>,
    idle_seq: u32,
    /// When changes are tracked (a worker shard's table): the hosts created or handed
    /// out mutably since the last [`HostTable::take_changed`], each once.
    changes: Option<Vec<HostId>>,
}

impl std::fmt::Debug for HostTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostTable").field("len", &self.len).finish()
    }
}

impl Default for HostTable {
    fn default() -> Self {
        HostTable {
            index: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            idle: std::collections::VecDeque::new(),
            idle_seq: 0,
            changes: None,
        }
    }
}

impl HostTable {
    /// Hosts in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Finds a host.
    pub fn find(&self, ip: IpAddr, vlan: u16) -> Option<HostId> {
        let h = self.hasher.hash_one((ip, vlan));
        let slots = &self.slots;
        self.index
            .find(h, |&id| matches!(slots.get(id as usize), Some(Some(x)) if x.ip == ip && x.vlan == vlan))
            .copied()
    }

    /// Finds or creates a host; `network_id` classifies a new host.
    pub(crate) fn get_or_insert(
        &mut self,
        ip: IpAddr,
        vlan: u16,
        ts: Timestamp,
        network_id: impl FnOnce() -> Option<usize>,
    ) -> HostId {
        if let Some(id) = self.find(ip, vlan) {
            return id;
        }
        let host = Box::new(Host::new(ip, vlan, ts, network_id()));
        let id = match self.free.pop() {
            Some(id) => {
                if let Some(s) = self.slots.get_mut(id as usize) {
                    *s = Some(host);
                }
                id
            }
            None => {
                self.slots.push(Some(host));
                (self.slots.len() - 1) as u32
            }
        };
        let h = self.hasher.hash_one((ip, vlan));
        let slots = &self.slots;
        let hasher = &self.hasher;
        self.index
            .insert_unique(h, id, |&i| match slots.get(i as usize) {
                Some(Some(x)) => hasher.hash_one((x.ip, x.vlan)),
                _ => 0,
            });
        self.len += 1;
        if let Some(Some(h)) = self.slots.get_mut(id as usize) {
            list_change(&mut self.changes, h, id);
        }
        id
    }

    /// A host by id.
    pub fn get(&self, id: HostId) -> Option<&Host> {
        self.slots.get(id as usize).and_then(|s| s.as_deref())
    }

    /// A host by id, mutably (listed as changed when the table tracks changes).
    pub fn get_mut(&mut self, id: HostId) -> Option<&mut Host> {
        let h = self.slots.get_mut(id as usize)?.as_deref_mut()?;
        list_change(&mut self.changes, h, id);
        Some(h)
    }

    /// A host by id, mutably, for the table's own bookkeeping (not a change of the
    /// host's counters).
    fn slot_mut(&mut self, id: HostId) -> Option<&mut Host> {
        self.slots
            .get_mut(id as usize)
            .and_then(|s| s.as_deref_mut())
    }

    /// From now on, lists the hosts created or handed out by [`HostTable::get_mut`]
    /// (every way a host's counters change) for [`HostTable::take_changed`].
    pub(crate) fn track_changes(&mut self) {
        self.changes.get_or_insert_with(Vec::new);
    }

    /// Copies of the hosts changed since the previous call (or since tracking began),
    /// in the order they first changed; hosts removed meanwhile are not listed.
    pub(crate) fn take_changed(&mut self) -> Vec<Host> {
        let Some(list) = self.changes.as_mut() else {
            return Vec::new();
        };
        let ids = std::mem::take(list);
        let mut out = Vec::with_capacity(ids.len());
        for &id in &ids {
            // A slot reused by a newer host lists it again: the flag sends it once.
            if let Some(Some(h)) = self.slots.get_mut(id as usize)
                && h.change_listed
            {
                h.change_listed = false;
                out.push((**h).clone());
            }
        }
        if let Some(list) = self.changes.as_mut() {
            *list = ids;
            list.clear();
        }
        out
    }

    /// Removes a host.
    pub(crate) fn remove(&mut self, id: HostId) -> Option<Box<Host>> {
        let (ip, vlan) = self.get(id).map(|h| (h.ip, h.vlan))?;
        let h = self.hasher.hash_one((ip, vlan));
        if let Ok(e) = self.index.find_entry(h, |&i| i == id) {
            e.remove();
        }
        let old = self.slots.get_mut(id as usize)?.take();
        self.free.push(id);
        self.len -= 1;
        old
    }

    /// Queues a host whose last flow ended as an eviction candidate (newest last).
    pub(crate) fn mark_idle(&mut self, id: HostId) {
        // Marks wrap after 4 billion queueings; 0 stays "not queued". A stale entry
        // matching a wrapped mark at worst offers a host with no flows early.
        let seq = self.idle_seq.wrapping_add(1).max(1);
        let Some(h) = self.slot_mut(id).filter(|h| h.active_flows() == 0) else {
            return;
        };
        h.idle_mark = seq;
        self.idle_seq = seq;
        self.idle.push_back((id, seq));
        if self.idle.len() > 2 * self.len + 64 {
            let slots = &self.slots;
            self.idle.retain(
                |&(id, m)| matches!(slots.get(id as usize), Some(Some(h)) if h.idle_mark == m),
            );
        }
    }

    /// The least recently idle host still without flows, taken off the queue (the
    /// caller evicts it or queues it again).
    pub(crate) fn pop_idle(&mut self) -> Option<HostId> {
        while let Some((id, m)) = self.idle.pop_front() {
            if let Some(h) = self.slot_mut(id)
                && h.idle_mark == m
            {
                h.idle_mark = 0;
                if h.active_flows() == 0 {
                    return Some(id);
                }
            }
        }
        None
    }

    /// Entries in the idle queue (live and stale).
    pub fn idle_queue_len(&self) -> usize {
        self.idle.len()
    }

    /// Live hosts in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (HostId, &Host)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_deref().map(|h| (i as u32, h)))
    }

    pub(crate) fn ids(&self) -> Vec<HostId> {
        self.iter().map(|(i, _)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracking_table_lists_each_changed_host_once_and_not_removed_ones() {
        let ip = |x: u8| IpAddr::from([10, 0, 0, x]);
        let mut t = HostTable::default();
        let untracked = t.get_or_insert(ip(9), 0, Timestamp(1), || None);
        t.track_changes();
        let a = t.get_or_insert(ip(1), 0, Timestamp(1), || None);
        let b = t.get_or_insert(ip(2), 0, Timestamp(1), || None);
        for _ in 0..3 {
            if let Some(h) = t.get_mut(a) {
                h.packets_sent += 1;
            }
        }
        let sent: Vec<_> = t
            .take_changed()
            .iter()
            .map(|h| (h.ip, h.packets_sent))
            .collect();
        assert_eq!(sent, [(ip(1), 3), (ip(2), 0)]);
        assert!(t.take_changed().is_empty(), "nothing changed since");
        // Reading is no change; the idle queue's bookkeeping is none either.
        assert!(t.get(untracked).is_some());
        t.mark_idle(untracked);
        assert!(t.take_changed().is_empty());
        // A removed host is not listed; a newer host in its slot is, once.
        if let Some(h) = t.get_mut(b) {
            h.packets_rcvd += 1;
        }
        assert!(t.remove(b).is_some());
        let c = t.get_or_insert(ip(3), 0, Timestamp(2), || None);
        assert_eq!(c, b, "the slot is reused");
        if let Some(h) = t.get_mut(c) {
            h.packets_rcvd += 1;
        }
        let sent: Vec<_> = t.take_changed().iter().map(|h| h.ip).collect();
        assert_eq!(sent, [ip(3)]);
    }

    #[test]
    fn distinct_counter_is_bounded_and_close() {
        let mut c = DistinctCounter::default();
        assert_eq!(c.estimate(), 0);
        for i in 0..1000u32 {
            c.add(&i);
            c.add(&i);
        }
        let e = c.estimate() as f64;
        assert!((600.0..1400.0).contains(&e), "estimate {e}");
        let mut small = DistinctCounter::default();
        for i in 0..5u32 {
            small.add(&i);
        }
        assert!((4..=6).contains(&small.estimate()));
    }

    #[test]
    fn table_and_breakdown() {
        let mut t = HostTable::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = t.get_or_insert(ip, 0, Timestamp(0), || Some(0));
        assert_eq!(t.get_or_insert(ip, 0, Timestamp(0), || None), a);
        let b = t.get_or_insert(ip, 7, Timestamp(0), || None);
        assert_ne!(a, b);
        assert!(t.get(a).unwrap().local);
        assert!(!t.get(b).unwrap().local);
        t.remove(a);
        assert_eq!(t.find(ip, 0), None);
        assert_eq!(t.len(), 1);
        let mut l = L7Breakdown::default();
        for p in 0..20 {
            l.add(Proto(p), 10, 1);
            l.add(Proto(p), 5, 0);
        }
        let all: Vec<_> = l.iter().map(|c| (c.proto.0, c.bytes, c.flows)).collect();
        assert_eq!(all, (0..20).map(|p| (p, 15, 1)).collect::<Vec<_>>());
        assert!(std::mem::size_of::<Host>() <= 1024);
    }

    #[test]
    fn dns_and_http_counters_follow_the_host_role() {
        let mut cli = HostAppStats::default();
        let mut srv = HostAppStats::default();
        // A query for an AAAA record answered with NXDOMAIN, and an A query answered.
        for (qtype, rcode) in [(28u16, 3u8), (1, 0)] {
            cli.add_dns(true, qtype, true, rcode);
            srv.add_dns(false, qtype, true, rcode);
        }
        // An unanswered PTR query.
        cli.add_dns(true, 12, false, 0);
        assert_eq!(cli.dns[0].queries, 3);
        assert_eq!(cli.dns[0].by_type[7], 1);
        assert_eq!(cli.dns[0].by_type[0], 1);
        assert_eq!(cli.dns[0].by_type[4], 1);
        assert_eq!((cli.dns[1].replies_ok, cli.dns[1].replies_error), (1, 1));
        assert_eq!(srv.dns[1].queries, 2);
        assert_eq!((srv.dns[0].replies_ok, srv.dns[0].replies_error), (1, 1));

        cli.add_http(true, "POST", 404);
        cli.add_http(true, "", 0);
        srv.add_http(false, "GET", 200);
        srv.add_http(false, "BREW", 999);
        assert_eq!(cli.http[0].queries, [0, 1, 0, 0, 0]);
        assert_eq!(cli.http[0].responses, [0, 0, 0, 1, 0]);
        assert_eq!(cli.http[1], Default::default());
        assert_eq!(srv.http[1].queries, [1, 0, 0, 0, 1]);
        assert_eq!(srv.http[1].responses, [0, 1, 0, 0, 0]);
    }
}

#[cfg(test)]
mod peak_tests {
    use super::PeakRate;

    #[test]
    fn peak_is_the_rate_sustained_for_three_seconds() {
        let mut p = PeakRate::default();
        let base = 1_700_000_040; // a minute boundary
        // 10, 20, 30, 5 events in four seconds: 3-second runs give 10 and 5.
        for (s, n) in [(0, 10), (1, 20), (2, 30), (3, 5)] {
            for _ in 0..n {
                p.hit(base + s);
            }
        }
        assert_eq!(p.peak_in_minute_to(base + 60), 10);
        // A burst in one second alone is no sustained rate.
        let mut burst = PeakRate::default();
        for _ in 0..900 {
            burst.hit(base + 10);
        }
        assert_eq!(burst.peak_in_minute_to(base + 60), 0);
        // A gap breaks the run.
        let mut gap = PeakRate::default();
        for s in [0, 1, 3, 4] {
            for _ in 0..50 {
                gap.hit(base + s);
            }
        }
        assert_eq!(gap.peak_in_minute_to(base + 60), 0);
        // Read after the next minute began, at the next tick, or after a silence.
        p.hit(base + 61);
        assert_eq!(p.peak_in_minute_to(base + 60), 10);
        assert_eq!(p.peak_in_minute_to(base + 120), 0);
        assert_eq!(p.peak_in_minute_to(base + 600), 0);
        // A steady 500 per second.
        let mut steady = PeakRate::default();
        for s in 120..150 {
            for _ in 0..500 {
                steady.hit(base + s);
            }
        }
        assert_eq!(steady.peak_in_minute_to(base + 180), 500);
        // A partial last minute (a forced tick at the end of a replay).
        assert_eq!(steady.peak_in_minute_to(base + 150), 500);
    }
}
