//! What entity hooks see of an entity: host counters, flood and scan hits, and the
//! alerts engaged at the start of a tick round.

use std::net::IpAddr;

use weir_alerts::Granularity;
use weir_flow::{Host, HostAppStats, L7Breakdown, Tick};

/// What `host.*` functions read: a copy of the visited host's counters.
#[derive(Debug, Clone)]
pub(crate) struct HostView {
    pub ip: IpAddr,
    pub vlan: u16,
    pub local: bool,
    pub first_seen: u64,
    pub last_seen: u64,
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub total_flows: [u64; 2],
    pub active_flows: [u32; 2],
    pub score: [u32; 2],
    pub syn: [u64; 2],
    pub synack: [u64; 2],
    /// Per-minute rates since the previous `min` tick (flood and scan hits).
    pub hits: Hits,
    /// Local hosts: the [`round_totals`] increase since the previous round of the
    /// running granularity.
    pub delta: Option<[u64; ROUND_COUNTERS]>,
    /// Bytes per L7 protocol (the host's fixed-size breakdown).
    pub l7: L7Breakdown,
    /// DNS and HTTP counters (local hosts that had DNS or HTTP flows).
    pub app: Option<HostAppStats>,
    /// On one of the engine's block lists.
    pub listed: bool,
    /// GeoIP country and ASN.
    pub geo: weir_flow::HostGeo,
}

/// Flood and scan hits of a host over the last minute (lua-api.md §2): SYNs and
/// flows in the busiest second of the minute (ntopng's per-second hits), SYNs not
/// answered by a SYN-ACK.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hits {
    /// `[attacker, victim]`.
    pub syn_flood: [u64; 2],
    pub flow_flood: [u64; 2],
    pub syn_scan: [u64; 2],
}

/// A host's counters at the previous `min` tick.
#[derive(Debug, Clone)]
pub(crate) struct HostPrev {
    pub at: u64,
    pub syn: [u64; 2],
    pub synack: [u64; 2],
    /// Busiest second of the minute ending at `at`: SYNs `[sent, received]`, new flows
    /// `[as client, as server]`.
    pub syn_peak: [u64; 2],
    pub flow_peak: [u64; 2],
    /// The hits computed at that tick.
    pub hits: Hits,
    /// Local hosts: the [`round_totals`] at the previous round of each granularity
    /// (`host.getDeltas()`, prefilters). Boxed and absent for remote hosts, which a
    /// flood brings by the hundred thousand.
    pub round: Option<Box<[[u64; ROUND_COUNTERS]; 4]>>,
}

impl HostPrev {
    /// The state before a host's first `min` tick: nothing counted yet.
    pub fn zero(at: u64) -> HostPrev {
        HostPrev {
            at,
            syn: [0; 2],
            synack: [0; 2],
            syn_peak: [0; 2],
            flow_peak: [0; 2],
            hits: Hits::default(),
            round: None,
        }
    }

    pub fn of(h: &Host, at: u64) -> HostPrev {
        HostPrev {
            at,
            syn: [h.syn_sent, h.syn_rcvd],
            synack: [h.synack_sent, h.synack_rcvd],
            syn_peak: h.syn_peak.map(|p| u64::from(p.peak_in_minute_to(at))),
            flow_peak: h.flow_peak.map(|p| u64::from(p.peak_in_minute_to(at))),
            hits: Hits::default(),
            round: None,
        }
    }

    /// The increase of the host's [`round_totals`] since the previous round of
    /// granularity `g` (everything, the first time or after the counters went back),
    /// and `totals` kept for the next one.
    pub fn round_delta(
        &mut self,
        g: usize,
        totals: [u64; ROUND_COUNTERS],
    ) -> [u64; ROUND_COUNTERS] {
        let rounds = self
            .round
            .get_or_insert_with(|| Box::new([[0; ROUND_COUNTERS]; 4]));
        let Some(prev) = rounds.get_mut(g) else {
            return totals;
        };
        let mut delta = [0; ROUND_COUNTERS];
        for ((d, now), before) in delta.iter_mut().zip(totals).zip(*prev) {
            *d = now.checked_sub(before).unwrap_or(now);
        }
        *prev = totals;
        delta
    }

    /// Hits from `self` (the previous tick, or zeros) to `now`.
    pub fn hits(&self, now: &HostPrev) -> Hits {
        let d = |a: u64, b: u64| a.saturating_sub(b);
        let syn = [d(now.syn[0], self.syn[0]), d(now.syn[1], self.syn[1])];
        let synack = [
            d(now.synack[0], self.synack[0]),
            d(now.synack[1], self.synack[1]),
        ];
        Hits {
            syn_flood: now.syn_peak,
            flow_flood: now.flow_peak,
            // attacker: SYNs sent − SYN-ACKs received; victim: SYNs received − SYN-ACKs sent.
            syn_scan: [
                syn[0].saturating_sub(synack[1]),
                syn[1].saturating_sub(synack[0]),
            ],
        }
    }
}

/// Counters of a host kept per granularity round ([`round_totals`]).
pub(crate) const ROUND_COUNTERS: usize = 8;

/// A host's counters kept per round: bytes and packets (sent plus received); the sums
/// of its DNS and of its HTTP counters (they only grow, so a sum moves exactly when a
/// counter does); DNS queries sent and replies received; HTTP requests sent and
/// responses received (as a client).
pub(crate) fn round_totals(h: &Host) -> [u64; ROUND_COUNTERS] {
    let (mut dns, mut http) = (0u64, 0u64);
    let mut own = [0u64; 4];
    if let Some(a) = h.app.as_deref() {
        for d in &a.dns {
            dns += u64::from(d.queries) + u64::from(d.replies_ok) + u64::from(d.replies_error);
        }
        for x in &a.http {
            http += x
                .queries
                .iter()
                .chain(&x.responses)
                .map(|v| u64::from(*v))
                .sum::<u64>();
        }
        own = [
            u64::from(a.dns[0].queries),
            u64::from(a.dns[1].replies_ok) + u64::from(a.dns[1].replies_error),
            a.http[0].queries.iter().map(|v| u64::from(*v)).sum(),
            a.http[0].responses.iter().map(|v| u64::from(*v)).sum(),
        ];
    }
    [
        h.bytes_sent.saturating_add(h.bytes_rcvd),
        h.packets_sent.saturating_add(h.packets_rcvd),
        dns,
        http,
        own[0],
        own[1],
        own[2],
        own[3],
    ]
}

impl HostView {
    pub fn of(h: &Host) -> HostView {
        HostView {
            ip: h.ip,
            vlan: h.vlan,
            local: h.local,
            first_seen: h.first_seen.as_secs(),
            last_seen: h.last_seen.as_secs(),
            packets: [h.packets_sent, h.packets_rcvd],
            bytes: [h.bytes_sent, h.bytes_rcvd],
            total_flows: [h.total_flows_as_client, h.total_flows_as_server],
            active_flows: [h.active_flows_as_client, h.active_flows_as_server],
            score: h.score,
            syn: [h.syn_sent, h.syn_rcvd],
            synack: [h.synack_sent, h.synack_rcvd],
            hits: Hits::default(),
            delta: None,
            l7: h.l7.clone(),
            app: h.app.as_deref().copied(),
            listed: h.listed != 0,
            geo: h.geo,
        }
    }
}

/// An engaged alert as `params.cur_alerts` shows it.
pub(crate) struct CurAlert {
    pub(crate) kind: u8,
    pub(crate) alert_type: u32,
    pub(crate) subtype: String,
    pub(crate) granularity: u32,
    pub(crate) severity: u8,
}

/// The alerts engaged at the start of a tick round, by entity value: each entity is
/// visited once per round, so its own triggers and releases during the round are
/// not needed here (looking them up in the engine per entity costs O(engaged)).
pub(crate) struct CurIndex {
    pub(crate) secs: u64,
    pub(crate) gran: usize,
    pub(crate) map: std::collections::HashMap<String, Vec<CurAlert>>,
}

impl CurIndex {
    pub(crate) fn build(
        alerts: &weir_alerts::AlertEngine,
        secs: u64,
        gran: usize,
        tick: Tick,
    ) -> CurIndex {
        let g = granularity(tick);
        let mut map: std::collections::HashMap<String, Vec<CurAlert>> =
            std::collections::HashMap::new();
        for a in alerts.engaged() {
            if a.granularity() != Some(g) {
                continue;
            }
            map.entry(a.entity.value.clone())
                .or_default()
                .push(CurAlert {
                    kind: a.entity.kind.id(),
                    alert_type: a.alert_type.0,
                    subtype: a.alert_subtype.clone(),
                    granularity: a.alert_granularity,
                    severity: a.alert_severity.id(),
                });
        }
        CurIndex { secs, gran, map }
    }
}

pub(crate) fn granularity(tick: Tick) -> Granularity {
    match tick {
        Tick::Min => Granularity::Min,
        Tick::FiveMins => Granularity::FiveMins,
        Tick::Hour => Granularity::Hour,
        Tick::Day => Granularity::Day,
    }
}
