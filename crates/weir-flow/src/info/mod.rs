//! The one flow-info emitter: maps a flow to ntopng's `flow.getInfo()` /
//! `getFullInfo()` keys (spec flow-info.md §2–§4).
//!
//! [`emit`] walks a flow once and calls an [`InfoSink`] per key, in a fixed order;
//! the Lua binding builds a table from the calls, [`to_json`] (feature `json`) a
//! `serde_json` object for `weir flows --json`, the REST API and snapshots. [`KEYS`]
//! lists every top-level key with its type and level, for consumers that need the key
//! set without a flow (the web API's sort keys).
//!
//! The emitter reads an [`InfoSource`]: references to the fields it needs, built from
//! a [`Flow`] ([`InfoSource::of`]) or from any copy of one (the script runtime's view,
//! whose statuses and scores scripts change).
//!
//! # Panics
//! Never.

#[cfg(feature = "json")]
mod json;
mod keys;

use std::net::IpAddr;

use weir_decode::Timestamp;
use weir_decode::app::hex16;
use weir_decode::app::tls::cipher_strength;

use crate::flow::{CLI2SRV, DirStats, Flow, FlowScore, L7, SRV2CLI, TcpInfo, l4_name, tcp_state};
use crate::key::FlowKey;
use crate::meta::{DnsInfo, HttpInfo, L7Meta, ProtoInfo, SshInfo, TlsInfo};
use crate::network::Networks;

#[cfg(feature = "json")]
pub use json::{JsonSink, to_json, to_json_section};
pub use keys::{KEYS, KeyDef, Kind, find};

/// Receives the keys of a flow, one call per key, in the emitter's order.
///
/// Nested tables (`tos`, `icmp`, `score`) are opened by [`InfoSink::begin`] and closed
/// by [`InfoSink::end`]; the keys in between belong to the nested table.
pub trait InfoSink {
    /// What a sink may fail with ([`std::convert::Infallible`] if it cannot fail).
    type Error;
    /// A string value.
    ///
    /// # Errors
    /// The sink's own (e.g. Lua out of memory).
    fn str(&mut self, key: &str, v: &str) -> Result<(), Self::Error>;
    /// A counter, port or id. Status bitmaps use all 64 bits.
    ///
    /// # Errors
    /// The sink's own.
    fn uint(&mut self, key: &str, v: u64) -> Result<(), Self::Error>;
    /// A signed integer (certificate validity times).
    ///
    /// # Errors
    /// The sink's own.
    fn int(&mut self, key: &str, v: i64) -> Result<(), Self::Error>;
    /// A rate or latency.
    ///
    /// # Errors
    /// The sink's own.
    fn float(&mut self, key: &str, v: f64) -> Result<(), Self::Error>;
    /// A boolean.
    ///
    /// # Errors
    /// The sink's own.
    fn bool(&mut self, key: &str, v: bool) -> Result<(), Self::Error>;
    /// A list of strings (a Lua sequence, a JSON array).
    ///
    /// # Errors
    /// The sink's own.
    fn list(&mut self, key: &str, items: &[String]) -> Result<(), Self::Error>;
    /// Opens the nested table `key`.
    ///
    /// # Errors
    /// The sink's own.
    fn begin(&mut self, key: &str) -> Result<(), Self::Error>;
    /// Closes the innermost open table.
    ///
    /// # Errors
    /// The sink's own.
    fn end(&mut self) -> Result<(), Self::Error>;
}

/// How much of the flow to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `flow.getInfo()` in 4.x (flow-info.md §3): what `shortFlowLabel()` needs.
    Minimal,
    /// `flow.getFullInfo()`, the 3.x check-module `info`, `weir flows --json`, REST
    /// and snapshots (flow-info.md §2).
    Full,
}

/// One protocol table (`flow.getHTTPInfo()`, …; flow-info.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `getHTTPInfo()`.
    Http,
    /// `getTLSInfo()`.
    Tls,
    /// `getDNSInfo()`.
    Dns,
    /// `getSSHInfo()`.
    Ssh,
}

/// What the emitter reads of a flow.
#[derive(Debug, Clone, Copy)]
pub struct InfoSource<'a> {
    /// Canonical key.
    pub key: &'a FlowKey,
    /// The client is the key's `a` endpoint.
    pub cli_is_a: bool,
    /// Serial number (`ntopng.key`, `hash_entry_id`).
    pub serial: u64,
    /// First packet.
    pub first_seen: Timestamp,
    /// Last packet.
    pub last_seen: Timestamp,
    /// Counters, indexed by [`CLI2SRV`] / [`SRV2CLI`].
    pub dir: &'a [DirStats; 2],
    /// TCP state.
    pub tcp: &'a TcpInfo,
    /// L7 result.
    pub l7: &'a L7,
    /// L7 metadata.
    pub meta: Option<&'a L7Meta>,
    /// Status bitmap.
    pub status_map: u64,
    /// Scores.
    pub score: &'a FlowScore,
    /// Client/server DSCP+ECN.
    pub tos: [u8; 2],
    /// `info` set by `flow.setCustomInfo` (replaces the summary).
    pub custom_info: Option<&'a str>,
    /// Block-list and GeoIP facts (`cli.country`, `cli.asn`, …).
    pub marks: crate::FlowMarks,
    /// The flow has ended (the risks then include "Unidirectional Traffic":
    /// [`crate::RiskFacts::ended`]).
    pub ended: bool,
}

impl<'a> InfoSource<'a> {
    /// The source of a flow of the table.
    pub fn of(f: &'a Flow) -> InfoSource<'a> {
        InfoSource {
            key: &f.key,
            cli_is_a: f.cli_is_a,
            serial: f.serial,
            first_seen: f.first_seen,
            last_seen: f.last_seen,
            dir: &f.dir,
            tcp: &f.tcp,
            l7: &f.l7,
            meta: f.meta.as_deref(),
            status_map: f.status_map,
            score: &f.score,
            tos: f.tos,
            custom_info: None,
            marks: f.marks,
            ended: false,
        }
    }

    /// The flow's nDPI risks ([`crate::risk`]).
    pub fn risks(&self) -> crate::Risks {
        crate::risks_of(&crate::RiskFacts {
            l4: self.key.proto,
            ports: (self.client().1, self.server().1),
            l7: self.l7,
            meta: self.meta,
            first_seen: self.first_seen,
            packets: (self.dir[CLI2SRV].packets, self.dir[SRV2CLI].packets),
            unicast: crate::info::is_unicast(self.server().0),
            ended: self.ended,
        })
    }

    /// Client address and port (port 0 for ICMP).
    pub fn client(&self) -> (IpAddr, u16) {
        let k = self.key;
        let (ip, port) = if self.cli_is_a {
            (k.a, k.a_port)
        } else {
            (k.b, k.b_port)
        };
        (ip, if k.is_icmp() { 0 } else { port })
    }

    /// Server address and port (port 0 for ICMP).
    pub fn server(&self) -> (IpAddr, u16) {
        let k = self.key;
        let (ip, port) = if self.cli_is_a {
            (k.b, k.b_port)
        } else {
            (k.a, k.a_port)
        };
        (ip, if k.is_icmp() { 0 } else { port })
    }

    /// The `info` summary: the custom info, else the L7 summary, else `""`.
    pub fn info(&self) -> &'a str {
        self.custom_info
            .or_else(|| self.meta.and_then(L7Meta::summary))
            .unwrap_or("")
    }

    /// `duration`: `1 + last_seen − first_seen` in seconds.
    pub fn duration_secs(&self) -> u64 {
        1 + self
            .last_seen
            .as_secs()
            .saturating_sub(self.first_seen.as_secs())
    }
}

/// True for an address that is neither multicast nor broadcast (`x.x.x.255` counts as
/// a broadcast, as ntopng does).
pub fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => !(a.is_multicast() || a.is_broadcast() || a.octets()[3] == 255),
        IpAddr::V6(a) => !a.is_multicast(),
    }
}

/// RFC 1918 (IPv4) or unique-local (IPv6, `fc00::/7`) address.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_private(),
        IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// Per-direction key names: `[cli2srv, srv2cli]`.
type Pair = [&'static str; 2];

fn per_dir<S: InfoSink>(
    sink: &mut S,
    src: &InfoSource<'_>,
    names: Pair,
    f: impl Fn(&DirStats) -> u64,
) -> Result<(), S::Error> {
    sink.uint(names[0], f(&src.dir[CLI2SRV]))?;
    sink.uint(names[1], f(&src.dir[SRV2CLI]))
}

fn hex<'b>(d: &[u8; 16], out: &'b mut [u8; 32]) -> &'b str {
    *out = hex16(d);
    std::str::from_utf8(out).unwrap_or("")
}

/// Emits the keys of `src` at `level` into `sink` (flow-info.md §2 or §3);
/// `nets` decides `cli.localhost` / `srv.localhost`.
///
/// # Errors
/// The first error of the sink; the walk stops there.
pub fn emit<S: InfoSink>(
    src: &InfoSource<'_>,
    nets: &Networks,
    level: Level,
    sink: &mut S,
) -> Result<(), S::Error> {
    let full = level == Level::Full;
    let (cip, cport) = src.client();
    let (sip, sport) = src.server();
    let l7 = src.l7;
    let mut label = [0u8; 64];

    // §2.1 peers.
    sink.str("cli.ip", &cip.to_string())?;
    sink.str("srv.ip", &sip.to_string())?;
    sink.uint("cli.port", cport.into())?;
    sink.uint("srv.port", sport.into())?;
    sink.bool("cli.localhost", nets.lookup(cip).is_some())?;
    sink.bool("srv.localhost", nets.lookup(sip).is_some())?;
    if full {
        sink.uint("vlan", src.key.vlan.into())?;
        sink.bool("cli.broadmulticast", !is_unicast(cip))?;
        sink.bool("srv.broadmulticast", !is_unicast(sip))?;
        sink.bool("cli.private", is_private(cip))?;
        sink.bool("srv.private", is_private(sip))?;
        sink.bool("cli.allowed_host", true)?;
        sink.bool("srv.allowed_host", true)?;
        sink.uint("cli.devtype", 0)?;
        sink.uint("srv.devtype", 0)?;
        sink.uint("cli.source_id", 0)?;
        sink.uint("srv.source_id", 0)?;
        // GeoIP, when the engine knows it (spec: optional keys).
        for (i, (country, asn)) in [("cli.country", "cli.asn"), ("srv.country", "srv.asn")]
            .into_iter()
            .enumerate()
        {
            if let Some(c) = src.marks.country.get(i).and_then(|c| c.as_str()) {
                sink.str(country, c)?;
            }
            if let Some(&a) = src.marks.asn.get(i).filter(|a| **a != 0) {
                sink.uint(asn, a.into())?;
            }
        }
    }

    // §2.2 protocol.
    sink.str("proto.l4", l4_name(src.key.proto))?;
    sink.str("proto.ndpi", l7.label(&mut label))?;
    sink.str("proto.ndpi_app", l7.proto().name())?;
    sink.str("proto.ndpi_cat", l7.category.name())?;
    if full {
        sink.uint("proto.l4_id", src.key.proto.into())?;
        sink.uint("proto.ndpi_id", l7.proto().0.into())?;
        sink.uint("proto.master_ndpi_id", l7.master.0.into())?;
        sink.uint("proto.ndpi_cat_id", l7.category.0.into())?;
        sink.str("proto.ndpi_breed", "Unrated")?;
        sink.bool("proto.ndpi_guessed", l7.confidence.is_guess())?;
        sink.str("proto.confidence", l7.confidence.name())?;
        sink.uint("proto.dpi_packets", l7.dpi_packets.into())?;
        let risks = src.risks();
        if !risks.is_empty() {
            sink.begin("flow_risk")?;
            for (r, name) in risks.iter() {
                sink.uint(name, r.0.into())?;
            }
            sink.end()?;
        }
        if let Some(n) = src.meta.and_then(|m| m.server_name.as_deref()) {
            sink.str("host_server_name", n)?;
        }
    }
    let info = src.info();
    if full || !info.is_empty() {
        sink.str("info", info)?;
    }
    if full {
        sink.begin("tos")?;
        for (side, tos) in [("client", src.tos[0]), ("server", src.tos[1])] {
            sink.begin(side)?;
            sink.uint("DSCP", (tos >> 2).into())?;
            sink.uint("ECN", (tos & 3).into())?;
            sink.end()?;
        }
        sink.end()?;
        if src.key.is_icmp() {
            let [ty, code] = src.key.b_port.to_be_bytes();
            sink.begin("icmp")?;
            sink.uint("type", ty.into())?;
            sink.uint("code", code.into())?;
            sink.end()?;
        }
        sink.str("moreinfo.json", "{}")?;
    }

    // §2.3 counters and time.
    per_dir(sink, src, ["cli2srv.bytes", "srv2cli.bytes"], |d| d.bytes)?;
    per_dir(sink, src, ["cli2srv.packets", "srv2cli.packets"], |d| {
        d.packets
    })?;
    sink.uint("duration", src.duration_secs())?;
    if full {
        counters(src, sink)?;
        if src.key.proto == 6 {
            tcp(src, sink)?;
        }
        status(src, sink)?;
        protos(src, sink, true)?;
    }
    Ok(())
}

fn counters<S: InfoSink>(src: &InfoSource<'_>, sink: &mut S) -> Result<(), S::Error> {
    let [c2s, s2c] = src.dir;
    sink.uint("bytes", c2s.bytes + s2c.bytes)?;
    sink.uint("packets", c2s.packets + s2c.packets)?;
    sink.uint("goodput_bytes", c2s.goodput_bytes + s2c.goodput_bytes)?;
    sink.uint("packets.sent", c2s.packets)?;
    sink.uint("packets.rcvd", s2c.packets)?;
    per_dir(
        sink,
        src,
        ["cli2srv.goodput_bytes", "srv2cli.goodput_bytes"],
        |d| d.goodput_bytes,
    )?;
    per_dir(sink, src, ["cli2srv.fragments", "srv2cli.fragments"], |d| {
        d.fragments.into()
    })?;
    per_dir(sink, src, ["cli2srv.last", "srv2cli.last"], |d| {
        d.bytes.saturating_sub(d.bytes_at_visit)
    })?;
    for (names, d) in [
        (
            [
                "cli2srv.pkt_len.min",
                "cli2srv.pkt_len.max",
                "cli2srv.pkt_len.avg",
            ],
            c2s,
        ),
        (
            [
                "srv2cli.pkt_len.min",
                "srv2cli.pkt_len.max",
                "srv2cli.pkt_len.avg",
            ],
            s2c,
        ),
    ] {
        if let Some(avg) = d.bytes.checked_div(d.packets) {
            sink.uint(names[0], d.pkt_len_min.into())?;
            sink.uint(names[1], d.pkt_len_max.into())?;
            sink.uint(names[2], avg)?;
        }
    }
    sink.uint("seen.first", src.first_seen.as_secs())?;
    sink.uint("seen.last", src.last_seen.as_secs())?;
    sink.uint("seen.first_us", src.first_seen.as_micros())?;
    sink.uint("seen.last_us", src.last_seen.as_micros())
}

fn tcp<S: InfoSink>(src: &InfoSource<'_>, sink: &mut S) -> Result<(), S::Error> {
    let t = src.tcp;
    let seq_problems = src
        .dir
        .iter()
        .any(|d| (d.retransmissions | d.out_of_order | d.lost | d.keep_alive) != 0);
    sink.bool("tcp.seq_problems", seq_problems)?;
    sink.float(
        "tcp.nw_latency.client",
        f64::from(t.nw_latency_cli_us) / 1000.0,
    )?;
    sink.float(
        "tcp.nw_latency.server",
        f64::from(t.nw_latency_srv_us) / 1000.0,
    )?;
    sink.float("tcp.appl_latency", f64::from(t.appl_latency_us) / 1000.0)?;
    per_dir(
        sink,
        src,
        ["cli2srv.retransmissions", "srv2cli.retransmissions"],
        |d| d.retransmissions.into(),
    )?;
    per_dir(
        sink,
        src,
        ["cli2srv.out_of_order", "srv2cli.out_of_order"],
        |d| d.out_of_order.into(),
    )?;
    per_dir(sink, src, ["cli2srv.lost", "srv2cli.lost"], |d| {
        d.lost.into()
    })?;
    per_dir(
        sink,
        src,
        ["cli2srv.keep_alive", "srv2cli.keep_alive"],
        |d| d.keep_alive.into(),
    )?;
    per_dir(
        sink,
        src,
        ["cli2srv.zero_window", "srv2cli.zero_window"],
        |d| d.zero_window.into(),
    )?;
    per_dir(sink, src, ["cli2srv.tcp_flags", "srv2cli.tcp_flags"], |d| {
        d.tcp_flags.into()
    })?;
    let st = t.state;
    let closed = st & tcp_state::CLOSED != 0;
    let established = st & tcp_state::ESTABLISHED != 0;
    sink.bool("tcp_established", established && !closed)?;
    sink.bool("tcp_connecting", tcp_connecting(st))?;
    sink.bool("tcp_closed", closed)?;
    sink.bool("tcp_reset", st & tcp_state::RST != 0)
}

/// `tcp_connecting` (ntopng's `isTCPConnecting()`): the client's SYN seen, no
/// handshake and no close yet; `state` is the flow's `tcp_state` bits.
pub fn tcp_connecting(state: u8) -> bool {
    state & tcp_state::SYN != 0 && state & (tcp_state::ESTABLISHED | tcp_state::CLOSED) == 0
}

/// `protos.tls_version`: the negotiated version, else the ClientHello's (nDPI's
/// `ssl_version`).
pub fn tls_version(t: &TlsInfo) -> u16 {
    if t.version != 0 {
        t.version
    } else {
        t.client_version
    }
}

fn status<S: InfoSink>(src: &InfoSource<'_>, sink: &mut S) -> Result<(), S::Error> {
    let s = src.score;
    sink.uint("status_map", src.status_map)?;
    sink.begin("score")?;
    sink.uint("flow_score", s.flow.into())?;
    sink.begin("host_categories_total")?;
    sink.uint("0", u64::from(s.cli[0]) + u64::from(s.srv[0]))?;
    sink.uint("1", u64::from(s.cli[1]) + u64::from(s.srv[1]))?;
    sink.end()?;
    sink.begin("host_score_total")?;
    sink.uint("client_score", u64::from(s.cli[0]) + u64::from(s.cli[1]))?;
    sink.uint("server_score", u64::from(s.srv[0]) + u64::from(s.srv[1]))?;
    sink.end()?;
    sink.end()?;
    sink.uint("ntopng.key", src.serial)?;
    sink.uint("hash_entry_id", src.serial)
}

/// Emits one protocol table (`getHTTPInfo()`, …): nothing unless the flow is of that
/// protocol (flow-info.md §4).
///
/// # Errors
/// The first error of the sink.
pub fn emit_section<S: InfoSink>(
    src: &InfoSource<'_>,
    section: Section,
    sink: &mut S,
) -> Result<(), S::Error> {
    let Some(m) = src.meta else { return Ok(()) };
    match (&m.info, section) {
        (ProtoInfo::Http(h), Section::Http) => http(m, h, sink, false),
        (ProtoInfo::Tls(t), Section::Tls) => tls(m, t, sink, false),
        (ProtoInfo::Dns(d), Section::Dns) => dns(m, d, sink, false),
        (ProtoInfo::Ssh(s), Section::Ssh) => ssh(s, sink),
        _ => Ok(()),
    }
}

/// All `protos.*` keys of the flow's protocol; `aliases` adds the 3.x names.
fn protos<S: InfoSink>(src: &InfoSource<'_>, sink: &mut S, aliases: bool) -> Result<(), S::Error> {
    let Some(m) = src.meta else { return Ok(()) };
    match &m.info {
        ProtoInfo::Http(h) => http(m, h, sink, true),
        ProtoInfo::Tls(t) => tls(m, t, sink, aliases),
        ProtoInfo::Dns(d) => dns(m, d, sink, true),
        ProtoInfo::Ssh(s) => ssh(s, sink),
        ProtoInfo::Quic { version } => sink.str("protos.quic.version", &format!("{version:#010x}")),
        ProtoInfo::Dhcp { msg_type, hostname } => {
            sink.uint("protos.dhcp.msg_type", (*msg_type).into())?;
            if let Some(h) = hostname.as_deref() {
                sink.str("protos.dhcp.hostname", h)?;
            }
            Ok(())
        }
        ProtoInfo::Ntp { version, mode } => {
            sink.uint("protos.ntp.version", (*version).into())?;
            sink.uint("protos.ntp.mode", (*mode).into())
        }
        ProtoInfo::Mail { banner } => match banner.as_deref() {
            Some(b) => sink.str("protos.mail.banner", b),
            None => Ok(()),
        },
        ProtoInfo::None => Ok(()),
    }
}

/// The HTTP keys: `getHTTPInfo()`'s four (spec §4.1), and with `full` the headers weir
/// also records (full table and JSON only: the per-hook getter stays as ntopng's).
fn http<S: InfoSink>(m: &L7Meta, h: &HttpInfo, sink: &mut S, full: bool) -> Result<(), S::Error> {
    if h.requests > 0 {
        sink.str("protos.http.last_url", &h.url)?;
        sink.str("protos.http.last_method", h.method)?;
        sink.uint("protos.http.last_return_code", h.return_code.into())?;
    }
    if let Some(n) = m.server_name.as_deref() {
        sink.str("protos.http.server_name", n)?;
    }
    if !full {
        return Ok(());
    }
    if let Some(ua) = h.user_agent.as_deref() {
        sink.str("protos.http.user_agent", ua)?;
    }
    if let Some(ct) = h.content_type.as_deref() {
        sink.str("protos.http.content_type", ct)?;
    }
    if let Some(s) = h.server.as_deref() {
        sink.str("protos.http.server", s)?;
    }
    Ok(())
}

fn tls<S: InfoSink>(m: &L7Meta, t: &TlsInfo, sink: &mut S, aliases: bool) -> Result<(), S::Error> {
    let mut buf = [0u8; 32];
    let version = tls_version(t);
    sink.uint("protos.tls_version", version.into())?;
    if aliases {
        sink.uint("protos.ssl_version", version.into())?;
    }
    if let Some(n) = m.server_name.as_deref() {
        sink.str("protos.tls.client_requested_server_name", n)?;
    }
    if let Some(a) = t.client_alpn.as_deref() {
        sink.str("protos.tls.client_alpn", a)?;
    }
    if let Some(v) = t.supported_versions.as_deref() {
        sink.str("protos.tls.client_tls_supported_versions", v)?;
    }
    if let Some(j) = &t.ja3c {
        sink.str("protos.tls.ja3.client_hash", hex(j, &mut buf))?;
    }
    if let Some(j) = &t.ja3s {
        sink.str("protos.tls.ja3.server_hash", hex(j, &mut buf))?;
        sink.uint("protos.tls.ja3.server_cipher", t.cipher.into())?;
        sink.str(
            "protos.tls.ja3.server_unsafe_cipher",
            cipher_strength(t.cipher),
        )?;
    }
    if let Some(c) = t.cert.as_deref() {
        sink.str("protos.tls.server_names", &c.server_names)?;
        sink.str("protos.tls.issuerDN", &c.issuer)?;
        sink.str("protos.tls.subjectDN", &c.subject)?;
        sink.int("protos.tls.notBefore", c.not_before)?;
        sink.int("protos.tls.notAfter", c.not_after)?;
    }
    Ok(())
}

/// The DNS keys: `getDNSInfo()`'s (spec §4.3), and with `full` the answers weir also
/// records (full table and JSON only).
fn dns<S: InfoSink>(m: &L7Meta, d: &DnsInfo, sink: &mut S, full: bool) -> Result<(), S::Error> {
    if let Some(n) = m.server_name.as_deref() {
        sink.str("protos.dns.last_query", n)?;
    }
    sink.uint("protos.dns.last_query_type", d.qtype.into())?;
    sink.uint("protos.dns.last_return_code", d.rcode.into())?;
    if d.invalid_chars {
        sink.bool("protos.dns.invalid_chars_in_query", true)?;
    }
    if full {
        sink.uint("protos.dns.num_answers", d.answers.into())?;
        let addrs: Vec<String> = d.addrs.iter().flatten().map(ToString::to_string).collect();
        if !addrs.is_empty() {
            sink.list("protos.dns.answers", &addrs)?;
        }
    }
    Ok(())
}

fn ssh<S: InfoSink>(s: &SshInfo, sink: &mut S) -> Result<(), S::Error> {
    let mut buf = [0u8; 32];
    if let Some(v) = s.client_signature.as_deref() {
        sink.str("protos.ssh.client_signature", v)?;
    }
    if let Some(v) = s.server_signature.as_deref() {
        sink.str("protos.ssh.server_signature", v)?;
    }
    if let Some(h) = &s.hassh_client {
        sink.str("protos.ssh.hassh.client_hash", hex(h, &mut buf))?;
    }
    if let Some(h) = &s.hassh_server {
        sink.str("protos.ssh.hassh.server_hash", hex(h, &mut buf))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
