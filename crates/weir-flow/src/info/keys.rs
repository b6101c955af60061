//! The key table of the emitter: every top-level key [`super::emit`] can produce.
//! A test walks flows of every protocol and checks each emitted key against it.

use super::Level;

/// The type of a key's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// String.
    Str,
    /// Non-negative integer (counter, port, id, bitmap).
    Uint,
    /// Signed integer.
    Int,
    /// Floating point (rates, latencies).
    Float,
    /// Boolean.
    Bool,
    /// Nested table / JSON object.
    Table,
    /// List of strings.
    List,
}

impl Kind {
    /// A single value (not a table or list): one that rows can be sorted by.
    pub const fn is_scalar(self) -> bool {
        !matches!(self, Kind::Table | Kind::List)
    }
}

/// One key of the flow-info table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    /// The ntopng key (`"cli.ip"`).
    pub name: &'static str,
    /// Its value type.
    pub kind: Kind,
    /// The lowest level that emits it ([`Level::Minimal`] keys are in both levels).
    pub level: Level,
}

const fn k(name: &'static str, kind: Kind, level: Level) -> KeyDef {
    KeyDef { name, kind, level }
}

use Kind::{Bool, Float, Int, List, Str, Table, Uint};
use Level::{Full, Minimal};

/// Every top-level key, in emission order. Keys of the protocol tables and most
/// others are present only when they apply (spec flow-info.md marks them "opt").
pub const KEYS: &[KeyDef] = &[
    // §2.1 peers.
    k("cli.ip", Str, Minimal),
    k("srv.ip", Str, Minimal),
    k("cli.port", Uint, Minimal),
    k("srv.port", Uint, Minimal),
    k("cli.localhost", Bool, Minimal),
    k("srv.localhost", Bool, Minimal),
    k("vlan", Uint, Full),
    k("cli.broadmulticast", Bool, Full),
    k("srv.broadmulticast", Bool, Full),
    k("cli.private", Bool, Full),
    k("srv.private", Bool, Full),
    k("cli.allowed_host", Bool, Full),
    k("srv.allowed_host", Bool, Full),
    k("cli.devtype", Uint, Full),
    k("srv.devtype", Uint, Full),
    k("cli.source_id", Uint, Full),
    k("srv.source_id", Uint, Full),
    k("cli.country", Str, Full),
    k("cli.asn", Uint, Full),
    k("srv.country", Str, Full),
    k("srv.asn", Uint, Full),
    // §2.2 protocol.
    k("proto.l4", Str, Minimal),
    k("proto.ndpi", Str, Minimal),
    k("proto.ndpi_app", Str, Minimal),
    k("proto.ndpi_cat", Str, Minimal),
    k("proto.l4_id", Uint, Full),
    k("proto.ndpi_id", Uint, Full),
    k("proto.master_ndpi_id", Uint, Full),
    k("proto.ndpi_cat_id", Uint, Full),
    k("proto.ndpi_breed", Str, Full),
    k("proto.ndpi_guessed", Bool, Full),
    k("proto.confidence", Str, Full),
    k("proto.dpi_packets", Uint, Full),
    k("flow_risk", Table, Full),
    k("host_server_name", Str, Full),
    k("info", Str, Minimal),
    k("tos", Table, Full),
    k("icmp", Table, Full),
    k("moreinfo.json", Str, Full),
    // §2.3 counters and time.
    k("cli2srv.bytes", Uint, Minimal),
    k("srv2cli.bytes", Uint, Minimal),
    k("cli2srv.packets", Uint, Minimal),
    k("srv2cli.packets", Uint, Minimal),
    k("duration", Uint, Minimal),
    k("bytes", Uint, Full),
    k("packets", Uint, Full),
    k("goodput_bytes", Uint, Full),
    k("packets.sent", Uint, Full),
    k("packets.rcvd", Uint, Full),
    k("cli2srv.goodput_bytes", Uint, Full),
    k("srv2cli.goodput_bytes", Uint, Full),
    k("cli2srv.fragments", Uint, Full),
    k("srv2cli.fragments", Uint, Full),
    k("cli2srv.last", Uint, Full),
    k("srv2cli.last", Uint, Full),
    k("cli2srv.pkt_len.min", Uint, Full),
    k("cli2srv.pkt_len.max", Uint, Full),
    k("cli2srv.pkt_len.avg", Uint, Full),
    k("srv2cli.pkt_len.min", Uint, Full),
    k("srv2cli.pkt_len.max", Uint, Full),
    k("srv2cli.pkt_len.avg", Uint, Full),
    k("seen.first", Uint, Full),
    k("seen.last", Uint, Full),
    k("seen.first_us", Uint, Full),
    k("seen.last_us", Uint, Full),
    // §2.4 TCP.
    k("tcp.seq_problems", Bool, Full),
    k("tcp.nw_latency.client", Float, Full),
    k("tcp.nw_latency.server", Float, Full),
    k("tcp.appl_latency", Float, Full),
    k("cli2srv.retransmissions", Uint, Full),
    k("srv2cli.retransmissions", Uint, Full),
    k("cli2srv.out_of_order", Uint, Full),
    k("srv2cli.out_of_order", Uint, Full),
    k("cli2srv.lost", Uint, Full),
    k("srv2cli.lost", Uint, Full),
    k("cli2srv.keep_alive", Uint, Full),
    k("srv2cli.keep_alive", Uint, Full),
    k("cli2srv.zero_window", Uint, Full),
    k("srv2cli.zero_window", Uint, Full),
    k("cli2srv.tcp_flags", Uint, Full),
    k("srv2cli.tcp_flags", Uint, Full),
    k("tcp_established", Bool, Full),
    k("tcp_connecting", Bool, Full),
    k("tcp_closed", Bool, Full),
    k("tcp_reset", Bool, Full),
    // §2.5 status and score.
    k("status_map", Uint, Full),
    k("score", Table, Full),
    k("ntopng.key", Uint, Full),
    k("hash_entry_id", Uint, Full),
    // §4 protocol tables.
    k("protos.http.last_url", Str, Full),
    k("protos.http.last_method", Str, Full),
    k("protos.http.last_return_code", Uint, Full),
    k("protos.http.server_name", Str, Full),
    k("protos.http.user_agent", Str, Full),
    k("protos.http.content_type", Str, Full),
    k("protos.http.server", Str, Full),
    k("protos.tls_version", Uint, Full),
    k("protos.ssl_version", Uint, Full),
    k("protos.tls.client_requested_server_name", Str, Full),
    k("protos.tls.client_alpn", Str, Full),
    k("protos.tls.client_tls_supported_versions", Str, Full),
    k("protos.tls.ja3.client_hash", Str, Full),
    k("protos.tls.ja3.server_hash", Str, Full),
    k("protos.tls.ja3.server_cipher", Uint, Full),
    k("protos.tls.ja3.server_unsafe_cipher", Str, Full),
    k("protos.tls.server_names", Str, Full),
    k("protos.tls.issuerDN", Str, Full),
    k("protos.tls.subjectDN", Str, Full),
    k("protos.tls.notBefore", Int, Full),
    k("protos.tls.notAfter", Int, Full),
    k("protos.dns.last_query", Str, Full),
    k("protos.dns.last_query_type", Uint, Full),
    k("protos.dns.last_return_code", Uint, Full),
    k("protos.dns.num_answers", Uint, Full),
    k("protos.dns.answers", List, Full),
    k("protos.dns.invalid_chars_in_query", Bool, Full),
    k("protos.ssh.client_signature", Str, Full),
    k("protos.ssh.server_signature", Str, Full),
    k("protos.ssh.hassh.client_hash", Str, Full),
    k("protos.ssh.hassh.server_hash", Str, Full),
    k("protos.quic.version", Str, Full),
    k("protos.dhcp.msg_type", Uint, Full),
    k("protos.dhcp.hostname", Str, Full),
    k("protos.ntp.version", Uint, Full),
    k("protos.ntp.mode", Uint, Full),
    k("protos.mail.banner", Str, Full),
];

const fn same(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.split_first(), b.split_first()) {
            (None, None) => return true,
            (Some((x, ra)), Some((y, rb))) if *x == *y => {
                a = ra;
                b = rb;
            }
            _ => return false,
        }
    }
}

/// The definition of a top-level key, if the emitter has it. Usable in constants,
/// so a consumer naming a key can check it at compile time.
pub const fn find(name: &str) -> Option<&'static KeyDef> {
    let mut rest: &'static [KeyDef] = KEYS;
    while let Some((def, tail)) = rest.split_first() {
        if same(def.name, name) {
            return Some(def);
        }
        rest = tail;
    }
    None
}
