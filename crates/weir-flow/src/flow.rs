//! The flow record: per-direction counters, TCP state and quality, L7 result, status
//! bitmap and scores. Kept compact (see `size_of::<Flow>()` in the tests): L7 metadata
//! lives in a box allocated only for flows that have some.

use std::net::IpAddr;

use weir_decode::Timestamp;
use weir_decode::l4::tcp_flags;

use crate::key::FlowKey;
use crate::meta::L7Meta;
use crate::proto::{Category, Proto};

/// Direction index: client to server.
pub const CLI2SRV: usize = 0;
/// Direction index: server to client.
pub const SRV2CLI: usize = 1;

/// Built-in status keys the engine sets itself (`flow_keys.ntopng`, spec plugins.md §10.2).
pub mod status {
    /// DNS query with invalid characters.
    pub const DNS_INVALID_QUERY: u8 = 7;
    /// TCP probing (SYN without any answer).
    pub const SUSPICIOUS_TCP_SYN_PROBING: u8 = 18;
    /// Retransmissions / out-of-order / lost segments.
    pub const TCP_CONNECTION_ISSUES: u8 = 19;
    /// Connection refused (RST answering a SYN).
    pub const TCP_CONNECTION_REFUSED: u8 = 20;
    /// TLS certificate expired at the time of the handshake.
    pub const TLS_CERTIFICATE_EXPIRED: u8 = 22;
    /// TLS version older than 1.1.
    pub const TLS_OLD_PROTOCOL_VERSION: u8 = 24;
    /// Insecure or weak TLS cipher.
    pub const TLS_UNSAFE_CIPHERS: u8 = 25;
    /// UDP traffic in one direction only.
    pub const UDP_UNIDIRECTIONAL: u8 = 26;
    /// Self-signed certificate.
    pub const TLS_CERTIFICATE_SELFSIGNED: u8 = 28;
    /// Executable download over HTTP.
    pub const SUSPICIOUS_FILE_TRANSFER: u8 = 29;
    /// Known protocol on a non-standard port.
    pub const KNOWN_PROTO_ON_NON_STD_PORT: u8 = 30;
}

/// Largest score a single status may add (`flow_consts.max_score`).
pub const MAX_SCORE: u16 = 1024;

/// Per-direction counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirStats {
    /// Packets.
    pub packets: u64,
    /// Bytes on the wire (frame length).
    pub bytes: u64,
    /// L4 payload bytes.
    pub goodput_bytes: u64,
    /// Packets at the previous visit (for `*.last`).
    pub packets_at_visit: u64,
    /// Bytes at the previous visit.
    pub bytes_at_visit: u64,
    /// Smallest frame.
    pub pkt_len_min: u16,
    /// Largest frame.
    pub pkt_len_max: u16,
    /// IP fragments.
    pub fragments: u32,
    /// TCP retransmissions.
    pub retransmissions: u32,
    /// TCP segments arriving after a later one.
    pub out_of_order: u32,
    /// TCP gaps (segments never seen).
    pub lost: u32,
    /// TCP keep-alives.
    pub keep_alive: u32,
    /// TCP segments advertising a zero receive window (the receiver of the other
    /// direction cannot take more data): window field 0 on segments other than SYN
    /// and RST, i.e. once the handshake is over.
    pub zero_window: u32,
    /// OR of TCP flags.
    pub tcp_flags: u8,
    seq_init: bool,
    next_seq: u32,
    gap_start: u32,
    gap_end: u32,
    /// First and last packet time of this direction (µs; 0 = none).
    pub first_us: u64,
    /// Last packet time of this direction (µs).
    pub last_us: u64,
}

/// TCP connection state bits.
pub mod tcp_state {
    /// SYN seen from the client.
    pub const SYN: u8 = 1;
    /// SYN-ACK seen from the server.
    pub const SYN_ACK: u8 = 2;
    /// Three-way handshake completed (the client's ACK seen).
    pub const ESTABLISHED: u8 = 4;
    /// FIN seen from the client.
    pub const FIN_CLI: u8 = 8;
    /// FIN seen from the server.
    pub const FIN_SRV: u8 = 16;
    /// RST seen.
    pub const RST: u8 = 32;
    /// Closed: FIN both ways or RST.
    pub const CLOSED: u8 = 64;
}

/// TCP connection tracking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpInfo {
    /// `tcp_state::*` bits.
    pub state: u8,
    syn_us: u64,
    synack_us: u64,
    /// Client network latency (half of SYN-ACK→ACK), µs.
    pub nw_latency_cli_us: u32,
    /// Server network latency (SYN→SYN-ACK), µs.
    pub nw_latency_srv_us: u32,
    /// Application latency (first request payload → first response payload), µs.
    pub appl_latency_us: u32,
    req_us: u64,
}

/// Where L7 detection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detection {
    /// Still looking.
    #[default]
    Pending,
    /// Protocol known; the dissector still wants a few packets (certificate, response).
    Identified,
    /// Finished (identified, given up or guessed).
    Done,
}

/// How a flow's protocol was found, as nDPI reports it (`[Confidence: …]`): DPI
/// results and guesses are told apart everywhere a protocol is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Confidence {
    /// Nothing found (yet).
    #[default]
    Unknown,
    /// Guessed from a well-known port: the payload named nothing.
    MatchByPort,
    /// Guessed from the address of a known service: the payload named nothing.
    MatchByIp,
    /// The payload was recognised.
    Dpi,
}

impl Confidence {
    /// nDPI's wording (`"DPI"`, `"Match by port"`, `"Match by IP"`, `"Unknown"`).
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Unknown => "Unknown",
            Confidence::MatchByPort => "Match by port",
            Confidence::MatchByIp => "Match by IP",
            Confidence::Dpi => "DPI",
        }
    }

    /// True for a guess (by port or address) rather than a DPI result.
    pub fn is_guess(self) -> bool {
        matches!(self, Confidence::MatchByPort | Confidence::MatchByIp)
    }
}

/// L7 state of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct L7 {
    /// Master protocol (`TLS` in `TLS.YouTube`), or the only protocol.
    pub master: Proto,
    /// Application protocol (`YouTube`), `UNKNOWN` if none.
    pub app: Proto,
    /// Category (app's if any, else master's).
    pub category: Category,
    /// Detection progress.
    pub detection: Detection,
    /// How the protocol was found (nDPI's confidence).
    pub confidence: Confidence,
    /// Packets given to the dissectors.
    pub dpi_packets: u8,
    /// Detection completed at this time (µs; 0 = not yet).
    pub detected_us: u64,
    pub(crate) follow: crate::l7::Follow,
    /// Scratch state of the long-tail dissectors ([`crate::dpi`]).
    pub(crate) dpi: DpiState,
}

/// What a long-tail dissector remembers about a flow between packets: the protocol it
/// suspects and how far its handshake got (meaning of `stage`/`data` is the
/// candidate's dissector's own). Only the dissector that set `candidate` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct DpiState {
    /// The protocol whose dissector owns `stage` and `data` (`UNKNOWN`: none).
    pub(crate) candidate: Proto,
    /// Handshake progress, the candidate's own numbering.
    pub(crate) stage: u8,
    /// A value the candidate wants to see again (a transaction id, a length).
    pub(crate) data: u32,
}

impl L7 {
    /// The protocol as the app id if any, else the master.
    pub fn proto(&self) -> Proto {
        if self.app == Proto::UNKNOWN {
            self.master
        } else {
            self.app
        }
    }

    /// The `Master.App` label (`"TLS.YouTube"`), or the single name. Written into `out`
    /// without allocation.
    pub fn label<'b>(&self, out: &'b mut [u8; 64]) -> &'b str {
        let m = self.master.name().as_bytes();
        let a = self.app.name().as_bytes();
        let mut n = 0;
        let mut put = |s: &[u8]| {
            for &b in s {
                if let Some(slot) = out.get_mut(n) {
                    *slot = b;
                    n += 1;
                }
            }
        };
        if self.master == Proto::UNKNOWN && self.app != Proto::UNKNOWN {
            put(a);
        } else {
            put(m);
            if self.app != Proto::UNKNOWN && self.app != self.master {
                put(b".");
                put(a);
            }
        }
        std::str::from_utf8(out.get(..n).unwrap_or(&[])).unwrap_or("")
    }
}

/// Score bookkeeping (spec plugins.md §12): flow score and the client/server
/// contributions per host score category (0 network, 1 security).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowScore {
    /// Flow score.
    pub flow: u32,
    /// Client contribution [network, security].
    pub cli: [u32; 2],
    /// Server contribution [network, security].
    pub srv: [u32; 2],
}

/// Visitor bookkeeping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct VisitState {
    pub(crate) status_at_visit: u64,
    pub(crate) detected_emitted: bool,
    pub(crate) periodic_calls: u32,
    pub(crate) score_applied: FlowScore,
}

/// One flow.
#[derive(Debug)]
pub struct Flow {
    /// Canonical key.
    pub key: FlowKey,
    /// True if the client is the key's `a` endpoint.
    pub cli_is_a: bool,
    /// Serial number (unique per engine; `ntopng.key` / `hash_entry_id`).
    pub serial: u64,
    /// First packet.
    pub first_seen: Timestamp,
    /// Last packet.
    pub last_seen: Timestamp,
    /// Counters, indexed by [`CLI2SRV`] / [`SRV2CLI`].
    pub dir: [DirStats; 2],
    /// TCP state (TCP flows).
    pub tcp: TcpInfo,
    /// L7 result.
    pub l7: L7,
    /// L7 metadata (HTTP/TLS/DNS/SSH fields), only for flows that have some.
    pub meta: Option<Box<L7Meta>>,
    /// Status bitmap.
    pub status_map: u64,
    /// Scores.
    pub score: FlowScore,
    /// Client/server DSCP+ECN (first packet each way).
    pub tos: [u8; 2],
    /// Block-list and GeoIP facts ([`crate::Lookups`]).
    pub marks: crate::FlowMarks,
    pub(crate) visit: VisitState,
    pub(crate) lru_prev: u32,
    pub(crate) lru_next: u32,
    /// Host slots of the client and the server.
    pub(crate) hosts: [u32; 2],
}

impl Flow {
    pub(crate) fn new(key: FlowKey, cli_is_a: bool, serial: u64, ts: Timestamp) -> Flow {
        Flow {
            key,
            cli_is_a,
            serial,
            first_seen: ts,
            last_seen: ts,
            dir: [DirStats::default(); 2],
            tcp: TcpInfo::default(),
            l7: L7::default(),
            meta: None,
            status_map: 0,
            score: FlowScore::default(),
            tos: [0; 2],
            marks: crate::FlowMarks::default(),
            visit: VisitState::default(),
            lru_prev: u32::MAX,
            lru_next: u32::MAX,
            hosts: [u32::MAX; 2],
        }
    }

    /// Client address and port.
    pub fn client(&self) -> (IpAddr, u16) {
        let port = if self.key.is_icmp() {
            0
        } else if self.cli_is_a {
            self.key.a_port
        } else {
            self.key.b_port
        };
        (
            if self.cli_is_a {
                self.key.a
            } else {
                self.key.b
            },
            port,
        )
    }

    /// Server address and port.
    pub fn server(&self) -> (IpAddr, u16) {
        let port = if self.key.is_icmp() {
            0
        } else if self.cli_is_a {
            self.key.b_port
        } else {
            self.key.a_port
        };
        (
            if self.cli_is_a {
                self.key.b
            } else {
                self.key.a
            },
            port,
        )
    }

    /// ICMP type and code of the flow (of its first packet's class), if ICMP.
    pub fn icmp_type_code(&self) -> Option<(u8, u8)> {
        self.key.is_icmp().then(|| {
            let [t, c] = self.key.b_port.to_be_bytes();
            (t, c)
        })
    }

    /// Total packets.
    pub fn packets(&self) -> u64 {
        self.dir[CLI2SRV].packets + self.dir[SRV2CLI].packets
    }

    /// Total bytes.
    pub fn bytes(&self) -> u64 {
        self.dir[CLI2SRV].bytes + self.dir[SRV2CLI].bytes
    }

    /// `1 + last_seen − first_seen` in seconds (≥ 1), as ntopng reports `duration`.
    pub fn duration_secs(&self) -> u64 {
        1 + self
            .last_seen
            .as_secs()
            .saturating_sub(self.first_seen.as_secs())
    }

    /// L4 protocol name as `proto.l4` shows it.
    pub fn l4_name(&self) -> &'static str {
        l4_name(self.key.proto)
    }

    /// Zero-window segments of both directions.
    pub fn tcp_zero_windows(&self) -> u64 {
        self.dir.iter().map(|d| u64::from(d.zero_window)).sum()
    }

    /// Any retransmission, out-of-order, lost or keep-alive segment.
    pub fn tcp_seq_problems(&self) -> bool {
        self.dir
            .iter()
            .any(|d| d.retransmissions + d.out_of_order + d.lost + d.keep_alive > 0)
    }

    /// Sets a status bit with its scores (clamped to [`MAX_SCORE`]); scores are added on
    /// the 0→1 transition only. Returns true if the bit was newly set. Bit 0 and bits
    /// above 63 are ignored.
    pub fn set_status(
        &mut self,
        bit: u8,
        flow_score: u16,
        cli_score: u16,
        srv_score: u16,
        security: bool,
    ) -> bool {
        if bit == 0 || bit > 63 {
            return false;
        }
        let mask = 1u64 << bit;
        if self.status_map & mask != 0 {
            return false;
        }
        self.status_map |= mask;
        self.score.flow = self
            .score
            .flow
            .saturating_add(u32::from(flow_score.min(MAX_SCORE)));
        let cli = pick_mut(&mut self.score.cli, security);
        *cli = cli.saturating_add(u32::from(cli_score.min(MAX_SCORE)));
        let srv = pick_mut(&mut self.score.srv, security);
        *srv = srv.saturating_add(u32::from(srv_score.min(MAX_SCORE)));
        true
    }

    /// Clears a status bit (scores stay: they are history).
    pub fn clear_status(&mut self, bit: u8) {
        if bit < 64 {
            self.status_map &= !(1u64 << bit);
        }
    }

    /// True if the status bit is set.
    pub fn has_status(&self, bit: u8) -> bool {
        bit < 64 && self.status_map & (1u64 << bit) != 0
    }

    /// Counts one packet. `from_client` is the direction; `wire_len` the frame length.
    pub(crate) fn account(
        &mut self,
        ts: Timestamp,
        from_client: bool,
        wire_len: u32,
        payload_len: usize,
        fragment: bool,
        tos: u8,
    ) {
        let d = pick_mut(&mut self.dir, !from_client);
        if d.packets == 0 {
            d.pkt_len_min = u16::MAX;
            d.first_us = ts.0;
            *pick_mut(&mut self.tos, !from_client) = tos;
        }
        d.packets += 1;
        d.bytes += u64::from(wire_len);
        d.goodput_bytes += payload_len as u64;
        let len16 = u16::try_from(wire_len).unwrap_or(u16::MAX);
        d.pkt_len_min = d.pkt_len_min.min(len16);
        d.pkt_len_max = d.pkt_len_max.max(len16);
        d.fragments += u32::from(fragment);
        d.last_us = ts.0;
        if ts > self.last_seen {
            self.last_seen = ts;
        }
    }

    /// TCP state and sequence tracking. `window` is the segment's (unscaled) window
    /// field. Returns the offset in the payload where new, in-order data starts (0 for
    /// a plain in-order segment, more for a retransmission that also carries new
    /// bytes), or `None` if the segment adds nothing to the stream (only new in-order
    /// bytes are fed to stream dissectors).
    pub(crate) fn tcp_update(
        &mut self,
        ts: Timestamp,
        from_client: bool,
        flags: u8,
        seq: u32,
        window: u16,
        payload_len: usize,
    ) -> Option<usize> {
        let d = pick_mut(&mut self.dir, !from_client);
        d.tcp_flags |= flags;
        // A zero window on a SYN or a RST says nothing about the receiver's buffer.
        if window == 0 && flags & (tcp_flags::SYN | tcp_flags::RST) == 0 {
            d.zero_window = d.zero_window.saturating_add(1);
        }
        let syn = flags & tcp_flags::SYN != 0;
        let ack = flags & tcp_flags::ACK != 0;
        let t = &mut self.tcp;
        if syn && !ack && from_client {
            t.state |= tcp_state::SYN;
            if t.syn_us == 0 {
                t.syn_us = ts.0;
            }
        } else if syn && ack && !from_client {
            if t.state & tcp_state::SYN_ACK == 0 {
                t.synack_us = ts.0;
                if t.syn_us != 0 {
                    t.nw_latency_srv_us =
                        u32::try_from(ts.0.saturating_sub(t.syn_us)).unwrap_or(u32::MAX);
                }
            }
            t.state |= tcp_state::SYN_ACK;
        } else if ack
            && from_client
            && t.state & (tcp_state::SYN_ACK | tcp_state::ESTABLISHED) == tcp_state::SYN_ACK
        {
            t.state |= tcp_state::ESTABLISHED;
            t.nw_latency_cli_us =
                u32::try_from(ts.0.saturating_sub(t.synack_us)).unwrap_or(u32::MAX);
        }
        if flags & tcp_flags::FIN != 0 {
            t.state |= if from_client {
                tcp_state::FIN_CLI
            } else {
                tcp_state::FIN_SRV
            };
        }
        if flags & tcp_flags::RST != 0 {
            t.state |= tcp_state::RST | tcp_state::CLOSED;
        }
        if t.state & (tcp_state::FIN_CLI | tcp_state::FIN_SRV)
            == tcp_state::FIN_CLI | tcp_state::FIN_SRV
        {
            t.state |= tcp_state::CLOSED;
        }
        // Application latency: first client payload to first server payload after it.
        if payload_len > 0 {
            if from_client && t.req_us == 0 {
                t.req_us = ts.0;
            } else if !from_client && t.req_us != 0 && t.appl_latency_us == 0 {
                t.appl_latency_us = u32::try_from(ts.0.saturating_sub(t.req_us))
                    .unwrap_or(u32::MAX)
                    .max(1);
            }
        }
        // Sequence analysis.
        let d = pick_mut(&mut self.dir, !from_client);
        let len = payload_len as u32;
        let fin = u32::from(flags & tcp_flags::FIN != 0);
        if syn {
            d.seq_init = true;
            d.next_seq = seq.wrapping_add(1);
            return None;
        }
        if !d.seq_init {
            d.seq_init = true;
            d.next_seq = seq.wrapping_add(len).wrapping_add(fin);
            return (payload_len > 0).then_some(0);
        }
        if len == 0 {
            if flags & (tcp_flags::FIN | tcp_flags::RST) == 0 && seq == d.next_seq.wrapping_sub(1) {
                d.keep_alive += 1;
            }
            if fin == 1 && seq == d.next_seq {
                d.next_seq = d.next_seq.wrapping_add(1);
            }
            return None;
        }
        let diff = seq.wrapping_sub(d.next_seq) as i32;
        if diff == 0 {
            d.next_seq = seq.wrapping_add(len).wrapping_add(fin);
            Some(0)
        } else if diff > 0 {
            d.lost += 1;
            d.gap_start = d.next_seq;
            d.gap_end = seq;
            d.next_seq = seq.wrapping_add(len).wrapping_add(fin);
            None
        } else {
            if len == 1 && seq == d.next_seq.wrapping_sub(1) {
                d.keep_alive += 1;
            } else if d.gap_end != d.gap_start
                && seq.wrapping_sub(d.gap_start) < d.gap_end.wrapping_sub(d.gap_start)
            {
                d.out_of_order += 1;
            } else {
                d.retransmissions += 1;
            }
            // Partly new data extends the stream.
            let end = seq.wrapping_add(len);
            if (end.wrapping_sub(d.next_seq) as i32) > 0 {
                let skip = d.next_seq.wrapping_sub(seq) as usize;
                d.next_seq = end.wrapping_add(fin);
                return Some(skip);
            }
            None
        }
    }

    /// The flow is a closed TCP connection.
    pub fn tcp_closed(&self) -> bool {
        self.tcp.state & tcp_state::CLOSED != 0
    }

    /// Packets since the previous visit, per direction.
    pub fn packets_since_visit(&self, dir: usize) -> u64 {
        self.dir
            .get(dir)
            .map_or(0, |d| d.packets - d.packets_at_visit)
    }

    /// Bytes since the previous visit, per direction.
    pub fn bytes_since_visit(&self, dir: usize) -> u64 {
        self.dir.get(dir).map_or(0, |d| d.bytes - d.bytes_at_visit)
    }
}

/// One element of a pair, chosen by a boolean (`second` picks index 1): per-direction
/// and per-score-category arrays are indexed this way, with no index that could be out
/// of range.
#[inline]
pub(crate) fn pick_mut<T>(pair: &mut [T; 2], second: bool) -> &mut T {
    let [first, other] = pair;
    if second { other } else { first }
}

/// `proto.l4` name of an IP protocol number.
pub fn l4_name(proto: u8) -> &'static str {
    match proto {
        1 => "ICMP",
        2 => "IGMP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "IPv6-ICMP",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> Flow {
        let (k, a) = FlowKey::new(
            0,
            6,
            ("10.0.0.1".parse().unwrap(), 40000),
            ("10.0.0.2".parse().unwrap(), 80),
        );
        Flow::new(k, a, 1, Timestamp(1_000_000))
    }

    #[test]
    fn compact() {
        eprintln!("size_of::<Flow>() = {}", std::mem::size_of::<Flow>());
        assert!(
            std::mem::size_of::<Flow>() <= 512,
            "Flow is {} bytes",
            std::mem::size_of::<Flow>()
        );
    }

    #[test]
    fn handshake_latency_and_close() {
        let mut f = flow();
        use tcp_flags::*;
        f.tcp_update(Timestamp(1_000_000), true, SYN, 100, 1024, 0);
        f.tcp_update(Timestamp(1_010_000), false, SYN | ACK, 500, 1024, 0);
        f.tcp_update(Timestamp(1_012_000), true, ACK, 101, 1024, 0);
        assert_eq!(f.tcp.nw_latency_srv_us, 10_000);
        assert_eq!(f.tcp.nw_latency_cli_us, 2_000);
        assert!(f.tcp.state & tcp_state::ESTABLISHED != 0);
        assert_eq!(
            f.tcp_update(Timestamp(1_013_000), true, ACK | PSH, 101, 1024, 10),
            Some(0)
        );
        // Retransmission of the same segment.
        assert_eq!(
            f.tcp_update(Timestamp(1_014_000), true, ACK | PSH, 101, 1024, 10),
            None
        );
        assert_eq!(f.dir[CLI2SRV].retransmissions, 1);
        // A gap then its fill.
        assert_eq!(
            f.tcp_update(Timestamp(1_015_000), true, ACK, 131, 1024, 10),
            None
        );
        assert_eq!(f.dir[CLI2SRV].lost, 1);
        f.tcp_update(Timestamp(1_016_000), true, ACK, 111, 1024, 20);
        assert_eq!(f.dir[CLI2SRV].out_of_order, 1);
        f.tcp_update(Timestamp(1_017_000), false, ACK, 501, 1024, 5);
        // A retransmission carrying 3 new bytes after 5 old ones.
        assert_eq!(
            f.tcp_update(Timestamp(1_017_500), false, ACK, 501, 1024, 8),
            Some(5)
        );
        assert_eq!(f.dir[SRV2CLI].retransmissions, 1);
        assert_eq!(f.tcp.appl_latency_us, 4_000);
        f.tcp_update(Timestamp(1_018_000), true, FIN | ACK, 141, 1024, 0);
        assert!(!f.tcp_closed());
        f.tcp_update(Timestamp(1_019_000), false, FIN | ACK, 509, 1024, 0);
        assert!(f.tcp_closed());
    }

    #[test]
    fn zero_windows_per_direction() {
        let mut f = flow();
        use tcp_flags::*;
        // A zero window on the SYN, SYN-ACK or a RST is not counted.
        f.tcp_update(Timestamp(1_000_000), true, SYN, 100, 0, 0);
        f.tcp_update(Timestamp(1_010_000), false, SYN | ACK, 500, 0, 0);
        f.tcp_update(Timestamp(1_012_000), true, ACK, 101, 512, 0);
        assert_eq!(f.tcp_zero_windows(), 0);
        // The server stops reading: its ACKs advertise a zero window.
        f.tcp_update(Timestamp(1_013_000), true, ACK | PSH, 101, 512, 100);
        f.tcp_update(Timestamp(1_014_000), false, ACK, 501, 0, 0);
        f.tcp_update(Timestamp(1_015_000), false, ACK, 501, 0, 0);
        f.tcp_update(Timestamp(1_016_000), true, ACK, 201, 0, 0);
        f.tcp_update(Timestamp(1_017_000), false, RST, 501, 0, 0);
        assert_eq!(f.dir[SRV2CLI].zero_window, 2);
        assert_eq!(f.dir[CLI2SRV].zero_window, 1);
        assert_eq!(f.tcp_zero_windows(), 3);
    }

    #[test]
    fn status_scores_once() {
        let mut f = flow();
        assert!(f.set_status(19, 50, 10, 5, false));
        assert!(!f.set_status(19, 50, 10, 5, false));
        assert!(f.set_status(28, 5000, 0, 0, true));
        assert_eq!(f.score.flow, 50 + 1024);
        assert_eq!(f.score.cli, [10, 0]);
        assert!(!f.set_status(0, 1, 1, 1, false));
        assert!(f.has_status(28));
    }

    #[test]
    fn labels() {
        let mut l = L7 {
            master: Proto::TLS,
            app: Proto::YOUTUBE,
            ..L7::default()
        };
        let mut b = [0u8; 64];
        assert_eq!(l.label(&mut b), "TLS.YouTube");
        l.app = Proto::UNKNOWN;
        assert_eq!(l.label(&mut b), "TLS");
        l.master = Proto::UNKNOWN;
        l.app = Proto::GOOGLE;
        assert_eq!(l.label(&mut b), "Google");
    }
}
