//! L7 detection: within the first [`MAX_DPI_PACKETS`] packets of a flow, decide the
//! application protocol by content, then let the protocol's dissector collect its
//! fields (HTTP response, TLS certificate, DNS reply, SSH KEXINIT). Undecided flows
//! fall back to a guess by port, then by address, and say so (`Confidence`).

use weir_decode::Timestamp;
use weir_decode::app::{
    apps, dhcp, dns, http, ics, mail, misc, ntp, quic, rdp, smb, ssh, tls, vpn,
};

use crate::flow::{Confidence, Detection, Flow, pick_mut, status};
use crate::meta::{DnsInfo, HttpInfo, L7Meta, ProtoInfo, SshInfo, TlsInfo, text};
use crate::proto::{Proto, guess_by_port};
use crate::services::{service_for_host, service_for_ip};

/// Packets of a flow given to the dissectors before detection gives up (seed 003).
pub const MAX_DPI_PACKETS: u8 = 12;
/// Packets after which a flow whose protocol is already identified stops waiting for
/// the dissector's extra fields (a TLS certificate chain, an HTTP response): the seed's
/// "plus any extra dissection it needs" (nDPI takes up to ~15 for TLS 1.0/1.2).
pub const MAX_EXTRA_PACKETS: u8 = 24;
/// Cap on each direction's reassembly buffer (TLS handshakes with certificate chains).
pub const MAX_STREAM_BYTES: usize = 32 * 1024;
/// Longest URL kept (spec §4.1).
pub const MAX_URL: usize = 512;

/// What the engine knows about the packet being dissected.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PacketCtx<'p> {
    pub(crate) payload: &'p [u8],
    pub(crate) from_client: bool,
    pub(crate) l4: u8,
    /// Client and server ports.
    pub(crate) cport: u16,
    pub(crate) sport: u16,
    /// TCP: new in-order data (always true for UDP).
    pub(crate) in_order: bool,
    pub(crate) ts: Timestamp,
}

/// Which dissector follows an identified flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Follow {
    #[default]
    None,
    Http,
    Tls,
    Dns,
    Ssh,
    Mail,
    Rdp,
    Quic,
    /// STUN that may turn into DTLS (WebRTC's ICE, then the DTLS-SRTP handshake).
    Stun,
    /// FTP control: watches for `AUTH TLS` (the channel becomes FTPS).
    Ftp,
}

fn meta(f: &mut Flow) -> &mut L7Meta {
    f.meta.get_or_insert_with(Box::default)
}

fn set_host(f: &mut Flow, host: &[u8]) {
    if host.is_empty() {
        return;
    }
    let m = meta(f);
    if m.server_name.is_none() {
        m.server_name = Some(text(host, 255));
    }
    if f.l7.app == Proto::UNKNOWN
        && let Some(app) = service_for_host(host)
    {
        f.l7.app = app;
    }
}

/// Marks the flow identified as `master` (followed by `follow`'s dissector). The
/// long-tail dissectors' scratch state belongs to detection and ends with it.
pub(crate) fn identify_as(f: &mut Flow, master: Proto, follow: Follow) {
    f.l7.dpi = crate::flow::DpiState::default();
    f.l7.master = master;
    f.l7.confidence = Confidence::Dpi;
    f.l7.follow = follow;
    f.l7.detection = if follow == Follow::None {
        Detection::Done
    } else {
        Detection::Identified
    };
}

/// Feeds one packet to detection. Cheap once detection is done.
pub(crate) fn dissect(f: &mut Flow, c: &PacketCtx<'_>) {
    if f.l7.detection == Detection::Done {
        return;
    }
    f.l7.dpi_packets = f.l7.dpi_packets.saturating_add(1);
    if f.key.is_icmp() {
        identify_as(
            f,
            if f.key.proto == 58 {
                Proto::ICMPV6
            } else {
                Proto::ICMP
            },
            Follow::None,
        );
    } else if let Some(p) = by_ip_protocol(f.key.proto) {
        // Neither TCP nor UDP: the IP protocol number names the protocol (as nDPI does).
        identify_as(f, p, Follow::None);
    } else if !c.payload.is_empty() {
        if f.l7.detection == Detection::Pending {
            identify(f, c);
        }
        if f.l7.detection == Detection::Identified {
            follow(f, c);
        }
    }
    let limit = if f.l7.detection == Detection::Identified {
        MAX_EXTRA_PACKETS
    } else {
        MAX_DPI_PACKETS
    };
    if f.l7.detection != Detection::Done && f.l7.dpi_packets >= limit {
        finish(f, c.ts);
    } else if f.l7.detection == Detection::Done {
        done(f, c.ts);
    }
}

/// The protocol of a flow that is neither TCP, UDP nor ICMP, from its IP protocol
/// number (IANA assignments).
fn by_ip_protocol(proto: u8) -> Option<Proto> {
    Some(match proto {
        2 => Proto::IGMP,
        4 => Proto::IP_IN_IP,
        8 => Proto::EGP,
        47 => Proto::GRE,
        50 | 51 => Proto::IPSEC,
        89 => Proto::OSPF,
        103 => Proto::IP_PIM,
        112 => Proto::VRRP,
        113 => Proto::PGM,
        132 => Proto::SCTP,
        _ => return None,
    })
}

/// Ends detection (packet limit, idleness, flow end): guesses by port if nothing was
/// recognised.
pub(crate) fn finish(f: &mut Flow, ts: Timestamp) {
    if f.l7.detection == Detection::Done && f.l7.detected_us != 0 {
        return;
    }
    if f.l7.master == Proto::UNKNOWN && f.l7.app == Proto::UNKNOWN {
        if f.key.is_icmp() {
            f.l7.master = if f.key.proto == 58 {
                Proto::ICMPV6
            } else {
                Proto::ICMP
            };
        } else {
            let g = guess_by_port(f.key.proto, f.key.a_port, f.key.b_port);
            if g != Proto::UNKNOWN {
                f.l7.master = g;
                f.l7.confidence = Confidence::MatchByPort;
            } else if let Some(app) = service_for_ip(f.key.a).or_else(|| service_for_ip(f.key.b)) {
                f.l7.app = app;
                f.l7.confidence = Confidence::MatchByIp;
            }
        }
    }
    f.l7.detection = Detection::Done;
    done(f, ts);
}

fn done(f: &mut Flow, ts: Timestamp) {
    if f.l7.detected_us == 0 {
        f.l7.detected_us = ts.0.max(1);
    }
    f.l7.category = f.l7.proto().category();
    if let Some(m) = f.meta.as_deref_mut() {
        m.stream = None;
    }
}

fn tls_master_for_port(port: u16) -> Proto {
    match port {
        993 => Proto::IMAPS,
        995 => Proto::POP3S,
        465 => Proto::SMTPS,
        _ => Proto::TLS,
    }
}

fn identify(f: &mut Flow, c: &PacketCtx<'_>) {
    let p = c.payload;
    let ports = [c.cport, c.sport];
    let on = |port: u16| ports.contains(&port);
    if c.l4 == 6 {
        if let Some(_m) = http::probe_request(p) {
            let proxy = http::parse_request(p).is_some_and(|r| http::is_proxy_request(&r));
            identify_as(
                f,
                if proxy {
                    Proto::HTTP_PROXY
                } else {
                    Proto::HTTP
                },
                Follow::Http,
            );
            return;
        }
        if http::probe_response(p) {
            identify_as(f, Proto::HTTP, Follow::Http);
            return;
        }
        if tls::probe(p) || tls::probe_records(p) {
            identify_as(f, tls_master_for_port(c.sport), Follow::Tls);
            if c.sport == 3389 {
                f.l7.app = Proto::RDP;
            }
            return;
        }
        if ssh::banner(p).is_some() {
            identify_as(f, Proto::SSH, Follow::Ssh);
            return;
        }
        if crate::catalog::is_stratum(p) {
            identify_as(f, Proto::MINING, Follow::None);
            return;
        }
        // A COTP connection request with calling/called TSAPs is ISO-on-TCP (S7comm,
        // MMS, ...: `dpi::apps`), not RDP.
        if rdp::probe(p) && ics::probe_iso_tsap(p).is_none() {
            // RDP usually upgrades to TLS right after the X.224 exchange (nDPI:
            // `TLS.RDP`); follow it.
            identify_as(f, Proto::RDP, Follow::Rdp);
            return;
        }
        if let Some(v) = smb::probe_tcp(p) {
            // nDPI names SMBv1 by its NetBIOS session framing (`NetBIOS.SMBv1`),
            // SMB 2/3 on its own (`SMBv23`).
            match v {
                smb::SmbVersion::V1 => {
                    identify_as(f, Proto::NETBIOS, Follow::None);
                    f.l7.app = Proto::SMBV1;
                }
                smb::SmbVersion::V2 => identify_as(f, Proto::SMBV23, Follow::None),
            }
            return;
        }
        if on(139) && smb::probe_netbios_session(p) {
            identify_as(f, Proto::NETBIOS, Follow::None);
            return;
        }
        if misc::probe_bgp(p) {
            identify_as(f, Proto::BGP, Follow::None);
            return;
        }
        if misc::probe_nats(p) {
            identify_as(f, Proto::NATS, Follow::None);
            return;
        }
        if on(53) && dns::strip_tcp_length(p).is_some_and(dns::probe) {
            identify_as(f, Proto::DNS, Follow::Dns);
            return;
        }
        if (on(21) || on(2121)) && misc::probe_ftp(p) {
            identify_as(f, Proto::FTP_CONTROL, Follow::Ftp);
            return;
        }
        // IRC registration also starts with `USER ` (`dpi::apps`), not only POP3.
        if let Some(m) = mail::probe_banner(p).or_else(|| mail::probe_command(p))
            && !apps::probe_irc(p)
        {
            let proto = match m {
                mail::MailProto::Smtp => Proto::SMTP,
                mail::MailProto::Imap => Proto::IMAP,
                mail::MailProto::Pop3 => Proto::POP3,
            };
            identify_as(f, proto, Follow::Mail);
            return;
        }
        if misc::probe_sip(p) {
            identify_as(f, Proto::SIP, Follow::None);
            return;
        }
        // STUN/TURN over TCP (TURN relays, ICE-TCP candidates with RFC 4571 framing).
        if misc::probe_stun_tcp(p) {
            identify_as(f, Proto::STUN, Follow::None);
            return;
        }
        crate::dpi::identify(f, c);
        return;
    }
    // IPsec without UDP encapsulation: ESP (50) and AH (51) are IPSec by protocol number.
    if c.l4 == 50 || c.l4 == 51 {
        identify_as(f, Proto::IPSEC, Follow::None);
        return;
    }
    if c.l4 != 17 {
        return;
    }
    if on(53) || on(5355) {
        if dns::probe(p) {
            // DNS-format messages on 5355 are Link-Local Multicast Name Resolution
            // (RFC 4795); nDPI names them LLMNR.
            let proto = if on(53) { Proto::DNS } else { Proto::LLMNR };
            identify_as(f, proto, Follow::Dns);
        }
        return;
    }
    if on(5353) && dns::probe(p) {
        identify_as(f, Proto::MDNS, Follow::Dns);
        return;
    }
    if (on(67) || on(68)) && dhcp::probe(p) {
        let d = dhcp::parse(p);
        identify_as(f, Proto::DHCP, Follow::None);
        if let Some(d) = d {
            meta(f).info = ProtoInfo::Dhcp {
                msg_type: d.msg_type,
                hostname: d.hostname.map(|h| text(h, 64)),
            };
        }
        return;
    }
    if (on(546) || on(547)) && matches!(p.first(), Some(1..=13)) {
        identify_as(f, Proto::DHCPV6, Follow::None);
        return;
    }
    if on(123)
        && let Some(n) = ntp::parse(p)
    {
        identify_as(f, Proto::NTP, Follow::None);
        meta(f).info = ProtoInfo::Ntp {
            version: n.version,
            mode: n.mode,
        };
        return;
    }
    if on(137) || on(138) {
        if let Some(_v) = smb::probe_datagram(p) {
            identify_as(f, Proto::NETBIOS, Follow::None);
            f.l7.app = Proto::SMBV1;
            return;
        }
        if misc::probe_netbios_ns(p) || on(138) || on(137) {
            identify_as(f, Proto::NETBIOS, Follow::None);
            return;
        }
    }
    if misc::probe_ssdp(p) {
        identify_as(f, Proto::SSDP, Follow::None);
        return;
    }
    if let Some(h) = quic::parse_header(p) {
        identify_as(
            f,
            Proto::QUIC,
            if h.gquic { Follow::None } else { Follow::Quic },
        );
        if h.gquic {
            f.l7.app = Proto::GOOGLE;
        }
        meta(f).info = ProtoInfo::Quic { version: h.version };
        return;
    }
    if misc::probe_sip(p) {
        identify_as(f, Proto::SIP, Follow::None);
        return;
    }
    // STUN with the RFC 5389 magic cookie, or classic RFC 3489 STUN whose length and
    // attributes fill the datagram exactly.
    if misc::probe_stun(p) || misc::probe_stun_classic(p) {
        identify_as(f, Proto::STUN, Follow::Stun);
        return;
    }
    if on(17500) && misc::probe_dropbox(p) {
        identify_as(f, Proto::DROPBOX, Follow::None);
        return;
    }
    if misc::probe_spotify(p) {
        identify_as(f, Proto::SPOTIFY, Follow::None);
        return;
    }
    if crate::dpi::identify(f, c) {
        return;
    }
    if c.cport >= 1024 && c.sport >= 1024 {
        rtp_stream(f, c);
    }
}

/// RTP needs two packets of one stream: the RTP header alone (version 2 and a payload
/// type) fits a quarter of random first bytes, so a game's or a P2P app's datagram
/// passes it by chance, but not twice with the same SSRC and a sequence number a
/// few steps on. Packets of the other direction (another SSRC) are
/// skipped; anything else starts over. The DPI state keeps the SSRC (`data`) and, in
/// `stage`, the direction (bit 7) and the sequence number's low 7 bits.
fn rtp_stream(f: &mut Flow, c: &PacketCtx<'_>) {
    let d = f.l7.dpi;
    let ours = d.candidate == Proto::RTP;
    if !ours && d.candidate != Proto::UNKNOWN {
        return;
    }
    let Some(h) = misc::rtp_header(c.payload) else {
        crate::dpi::release(f, Proto::RTP);
        return;
    };
    let dir = if c.from_client { 0x80 } else { 0 };
    let seq7 = (h.seq & 0x7f) as u8;
    if ours && d.stage & 0x80 != dir {
        // The other direction's stream: neither confirms nor breaks this one.
        return;
    }
    if ours && d.data == h.ssrc && (1..=16).contains(&(seq7.wrapping_sub(d.stage) & 0x7f)) {
        identify_as(f, Proto::RTP, Follow::None);
        return;
    }
    f.l7.dpi = crate::flow::DpiState {
        candidate: Proto::RTP,
        stage: dir | seq7,
        data: h.ssrc,
    };
}

fn follow(f: &mut Flow, c: &PacketCtx<'_>) {
    match f.l7.follow {
        Follow::Http => follow_http(f, c),
        Follow::Tls => follow_tls(f, c),
        Follow::Dns => follow_dns(f, c),
        Follow::Ssh => follow_ssh(f, c),
        Follow::Mail => follow_mail(f, c),
        Follow::Quic => follow_quic(f, c),
        Follow::Rdp => {
            // RDP that upgrades to TLS after its X.224 exchange is `TLS.RDP` (as nDPI
            // names it); without the upgrade (standard RDP security) it stays `RDP`.
            if tls::probe(c.payload) {
                f.l7.master = Proto::TLS;
                f.l7.app = Proto::RDP;
                f.l7.follow = Follow::Tls;
                follow_tls(f, c);
            }
        }
        Follow::Stun => {
            // A DTLS record after the STUN exchange makes the flow DTLS (nDPI:
            // `DTLS.GoogleCall`); the app found from STUN stays.
            if vpn::probe_dtls(c.payload).is_some() {
                f.l7.master = Proto::DTLS;
                f.l7.detection = Detection::Done;
            }
        }
        Follow::Ftp => follow_ftp(f, c),
        Follow::None => f.l7.detection = Detection::Done,
    }
}

/// FTP control after identification: `AUTH TLS`/`AUTH SSL` from the client turns the
/// channel into FTPS (RFC 4217), whose TLS handshake follows; a clear-text login
/// (`USER`/`PASS`) ends detection. (Data-connection announces are watched for the
/// channel's whole life by the engine, see [`ftp_announce`].)
fn follow_ftp(f: &mut Flow, c: &PacketCtx<'_>) {
    let p = c.payload;
    if !c.from_client {
        return;
    }
    if ci_prefix(p, b"AUTH TLS") || ci_prefix(p, b"AUTH SSL") {
        f.l7.master = Proto::FTPS;
        f.l7.follow = Follow::Tls;
    } else if ci_prefix(p, b"USER ") || ci_prefix(p, b"PASS ") {
        f.l7.detection = Detection::Done;
    }
}

fn ci_prefix(p: &[u8], needle: &[u8]) -> bool {
    p.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

/// Reads up to `N` comma-separated decimal numbers (each ≤ 255) from `p`.
fn comma_numbers<const N: usize>(p: &[u8]) -> Option<[u16; N]> {
    let mut out = [0u16; N];
    let mut parts = p.split(|&b| b == b',');
    for slot in &mut out {
        let part = parts.next()?;
        let digits: &[u8] = part.get(..part.iter().take_while(|b| b.is_ascii_digit()).count())?;
        if digits.is_empty() || digits.len() > 3 {
            return None;
        }
        *slot = digits
            .iter()
            .fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        if *slot > 255 {
            return None;
        }
    }
    Some(out)
}

/// A decimal TCP port at the start of `p`.
fn port_number(p: &[u8]) -> Option<u16> {
    let n = p.iter().take(6).take_while(|b| b.is_ascii_digit()).count();
    let digits = p.get(..n).filter(|d| !d.is_empty())?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The data-connection endpoint an FTP control message announces: `(true, port)` for
/// a port on the server (`227` passive / `229` extended passive replies), `(false,
/// port)` for one on the client (`PORT` / `EPRT` commands). The address is the control
/// connection's own (robust to NAT rewriting the one in the text).
pub(crate) fn ftp_announce(p: &[u8], from_client: bool) -> Option<(bool, u16)> {
    let line = p.get(..p.len().min(128))?;
    if !from_client && line.starts_with(b"227") {
        // `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`; some servers omit the
        // parentheses: the six numbers start at the first digit after the code.
        let start = line.get(4..)?.iter().position(u8::is_ascii_digit)? + 4;
        let [_, _, _, _, hi, lo] = comma_numbers::<6>(line.get(start..)?)?;
        return Some((true, hi << 8 | lo));
    }
    if !from_client && line.starts_with(b"229") {
        // `229 Entering Extended Passive Mode (|||port|)`.
        let at = line.windows(3).position(|w| w == b"|||")? + 3;
        return port_number(line.get(at..)?).map(|port| (true, port));
    }
    if from_client && ci_prefix(line, b"PORT ") {
        let [_, _, _, _, hi, lo] = comma_numbers::<6>(line.get(5..)?)?;
        return Some((false, hi << 8 | lo));
    }
    if from_client && ci_prefix(line, b"EPRT ") {
        // `EPRT |proto|address|port|`: the port is the third field.
        let rest = line.get(5..)?;
        let delim = *rest.first()?;
        let port_field = rest.split(|&b| b == delim).nth(3)?;
        return port_number(port_field).map(|port| (false, port));
    }
    None
}

/// Marks a new flow that an expectation (`crate::expect`) already identified.
pub(crate) fn expected(f: &mut Flow, proto: Proto, ts: Timestamp) {
    identify_as(f, proto, Follow::None);
    done(f, ts);
}

fn http_info(f: &mut Flow) -> Option<&mut HttpInfo> {
    let m = meta(f);
    if !matches!(m.info, ProtoInfo::Http(_)) {
        m.info = ProtoInfo::Http(HttpInfo::default());
    }
    match &mut m.info {
        ProtoInfo::Http(h) => Some(h),
        _ => None,
    }
}

fn is_executable(url: &str, content_type: Option<&[u8]>) -> bool {
    let path = url.split('?').next().unwrap_or(url).to_ascii_lowercase();
    [".exe", ".dll", ".msi", ".scr", ".bat", ".ps1"]
        .iter()
        .any(|e| path.ends_with(e))
        || content_type.is_some_and(|ct| {
            let ct = String::from_utf8_lossy(ct).to_ascii_lowercase();
            ct.contains("x-msdownload")
                || ct.contains("x-dosexec")
                || ct.contains("x-executable")
                || ct.contains("x-msdos-program")
        })
}

fn follow_http(f: &mut Flow, c: &PacketCtx<'_>) {
    let p = c.payload;
    if c.from_client {
        if let Some(r) = http::parse_request(p) {
            let first = f
                .meta
                .as_deref()
                .and_then(L7Meta::http)
                .is_none_or(|h| h.requests == 0);
            if let Some(host) = r.host {
                set_host(f, host);
            }
            let Some(h) = http_info(f) else { return };
            h.requests = h.requests.saturating_add(1);
            if first {
                h.method = r.method;
                let mut url = Vec::with_capacity(r.host.map_or(0, <[u8]>::len) + r.target.len());
                url.extend_from_slice(r.host.unwrap_or_default());
                url.extend_from_slice(r.target);
                h.url = text(&url, MAX_URL);
                h.user_agent = r.user_agent.map(|u| text(u, 256));
            }
        }
    } else if let Some(r) = http::parse_response(p) {
        let Some(h) = http_info(f) else { return };
        if h.return_code == 0 {
            h.return_code = r.code;
            h.content_type = r.content_type.map(|v| text(v, 128));
            h.server = r.server.map(|v| text(v, 128));
            let body_mz = p.windows(6).position(|w| w == b"\r\n\r\nMZ").is_some();
            let exe = body_mz || is_executable(&h.url, r.content_type);
            if exe {
                f.set_status(status::SUSPICIOUS_FILE_TRANSFER, 100, 50, 50, true);
            }
            f.l7.detection = Detection::Done;
        }
    }
}

fn tls_info(f: &mut Flow) -> Option<&mut TlsInfo> {
    let m = meta(f);
    if !matches!(m.info, ProtoInfo::Tls(_)) {
        m.info = ProtoInfo::Tls(TlsInfo::default());
    }
    match &mut m.info {
        ProtoInfo::Tls(t) => Some(t),
        _ => None,
    }
}

fn alpn_text(list: &[u8]) -> Box<str> {
    let mut out = Vec::new();
    let mut rest = list;
    for _ in 0..32 {
        let Some((&n, tail)) = rest.split_first() else {
            break;
        };
        let Some((name, tail)) = tail.split_at_checked(usize::from(n)) else {
            break;
        };
        if !out.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(name);
        rest = tail;
    }
    text(&out, 256)
}

fn versions_text(list: &[u8]) -> Box<str> {
    let mut s = String::new();
    for pair in list.chunks_exact(2).take(16) {
        let v = u16::from_be_bytes([
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ]);
        if !s.is_empty() {
            s.push(',');
        }
        s.push_str(if tls::is_grease(v) {
            "GREASE"
        } else {
            tls::version_name(v)
        });
    }
    s.into()
}

fn follow_tls(f: &mut Flow, c: &PacketCtx<'_>) {
    if !c.in_order {
        return;
    }
    // Server-to-client bytes go to the second buffer.
    let second = !c.from_client;
    let mut stream = {
        let m = meta(f);
        let s = m.stream.get_or_insert_with(Box::default);
        let buf = pick_mut(s, second);
        // Clear text before the handshake (the `220 Ready to start TLS` answer to
        // STARTTLS, the RDP X.224 exchange) is skipped, not buffered.
        if buf.is_empty() && !tls::probe_record(c.payload) {
            return;
        }
        let room = MAX_STREAM_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(c.payload.get(..room).unwrap_or(c.payload));
        std::mem::take(buf)
    };
    let mut scratch = Vec::new();
    let mut sni: Option<Vec<u8>> = None;
    let mut ch_fields = None;
    let mut sh_fields = None;
    let mut cert = None;
    let scan = tls::handshake_messages(
        &stream,
        &mut scratch,
        MAX_STREAM_BYTES,
        |ty, body| match ty {
            tls::HS_CLIENT_HELLO => {
                if let Some(ch) = tls::parse_client_hello(body) {
                    sni = ch.sni.map(<[u8]>::to_vec);
                    ch_fields = Some((
                        ch.version,
                        ch.ja3,
                        ch.alpn.map(alpn_text),
                        ch.supported_versions.map(versions_text),
                        ch.ech,
                    ));
                }
            }
            tls::HS_SERVER_HELLO => {
                if let Some(sh) = tls::parse_server_hello(body) {
                    sh_fields =
                        Some((sh.version, sh.cipher, sh.ja3s, sh.alpn.map(|a| text(a, 64))));
                }
            }
            tls::HS_CERTIFICATE if cert.is_none() => {
                cert = tls::first_certificate(body).and_then(tls::parse_certificate);
            }
            _ => {}
        },
    );
    if let Some(host) = sni.as_deref() {
        // The SNI is authoritative over a name taken earlier (e.g. an SMTP banner).
        if let Some(m) = f.meta.as_deref_mut() {
            m.server_name = None;
        }
        if let Some(app) = service_for_host(host) {
            f.l7.app = app;
        }
        set_host(f, host);
    }
    let now_secs = i64::try_from(c.ts.as_secs()).unwrap_or(i64::MAX);
    let mut new_status = Vec::new();
    if let Some(t) = tls_info(f) {
        if let Some((v, ja3, alpn, sv, ech)) = ch_fields {
            t.client_version = v;
            t.ja3c = Some(ja3);
            t.client_alpn = alpn;
            t.supported_versions = sv;
            t.ech = ech;
        }
        if let Some((v, cipher, ja3s, alpn)) = sh_fields {
            t.version = v;
            t.cipher = cipher;
            t.ja3s = Some(ja3s);
            t.server_alpn = alpn;
            if v < 0x0302 {
                new_status.push(status::TLS_OLD_PROTOCOL_VERSION);
            }
            if tls::cipher_strength(cipher) != "safe" {
                new_status.push(status::TLS_UNSAFE_CIPHERS);
            }
        }
        if let Some(ci) = cert {
            if ci.self_signed {
                new_status.push(status::TLS_CERTIFICATE_SELFSIGNED);
            }
            if now_secs > ci.not_after || now_secs < ci.not_before {
                new_status.push(status::TLS_CERTIFICATE_EXPIRED);
            }
            t.cert = Some(Box::new(ci));
        }
    }
    for s in new_status {
        f.set_status(s, 50, 25, 25, true);
    }
    // Without SNI, name the app from the certificate.
    if f.l7.app == Proto::UNKNOWN {
        let first_name = f
            .meta
            .as_deref()
            .and_then(L7Meta::tls)
            .and_then(|t| t.cert.as_deref())
            .and_then(|c| {
                c.server_names
                    .split(',')
                    .next()
                    .map(|s| s.trim_start_matches("*.").as_bytes().to_vec())
            });
        if let Some(n) = first_name
            && let Some(app) = service_for_host(&n)
        {
            f.l7.app = app;
        }
    }
    let have_server = f
        .meta
        .as_deref()
        .and_then(L7Meta::tls)
        .is_some_and(|t| t.version != 0);
    let have_cert = f
        .meta
        .as_deref()
        .and_then(L7Meta::tls)
        .is_some_and(|t| t.cert.is_some() || t.version >= 0x0304);
    if (have_server && have_cert) || scan.saw_app_data || scan.garbage || scan.overflow {
        f.l7.detection = Detection::Done;
        return;
    }
    if let Some(m) = f.meta.as_deref_mut()
        && let Some(s) = m.stream.as_deref_mut()
    {
        std::mem::swap(pick_mut(s, second), &mut stream);
    }
}

/// Largest QUIC CRYPTO stream offset kept.
const MAX_CRYPTO: u64 = 16 * 1024;

fn follow_quic(f: &mut Flow, c: &PacketCtx<'_>) {
    if !c.from_client {
        return;
    }
    let Some(plain) = quic::decrypt_client_initial(c.payload) else {
        return;
    };
    let m = meta(f);
    let s = m.stream.get_or_insert_with(Box::default);
    let [buf, _] = &mut **s;
    let ranges = &mut m.ranges;
    quic::crypto_frames(&plain, |off, data| {
        let Some(end) = off
            .checked_add(data.len() as u64)
            .filter(|&e| e <= MAX_CRYPTO)
        else {
            return;
        };
        let (off, end) = (off as usize, end as usize);
        if buf.len() < end {
            buf.resize(end, 0);
        }
        if let Some(dst) = buf.get_mut(off..end) {
            dst.copy_from_slice(data);
        }
        if ranges.len() < 64 {
            ranges.push((off as u32, end as u32));
        }
    });
    ranges.sort_unstable();
    let mut covered = 0u32;
    for &(a, b) in ranges.iter() {
        if a > covered {
            break;
        }
        covered = covered.max(b);
    }
    let covered = covered as usize;
    let Some(hello) = buf.get(..covered) else {
        return;
    };
    let len = match hello.get(..4) {
        Some(&[tls::HS_CLIENT_HELLO, a, b, c]) => {
            usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)
        }
        _ => return,
    };
    let Some(body) = hello.get(4..4 + len) else {
        return;
    };
    let sni = tls::parse_client_hello(body).and_then(|ch| ch.sni.map(<[u8]>::to_vec));
    if let Some(sni) = sni {
        set_host(f, &sni);
    }
    f.l7.detection = Detection::Done;
}

fn follow_dns(f: &mut Flow, c: &PacketCtx<'_>) {
    let p = if c.l4 == 6 {
        dns::strip_tcp_length(c.payload)
    } else {
        Some(c.payload)
    };
    let Some(msg) = p.and_then(dns::parse) else {
        return;
    };
    let name = msg.qname.as_bytes();
    if !name.is_empty() {
        set_host(f, name);
    }
    let invalid = msg.anomalies & dns::ANOMALY_INVALID_CHARS != 0;
    let m = meta(f);
    if !matches!(m.info, ProtoInfo::Dns(_)) {
        m.info = ProtoInfo::Dns(DnsInfo::default());
    }
    let mut done = false;
    if let ProtoInfo::Dns(d) = &mut m.info {
        if msg.qtype != 0 {
            d.qtype = msg.qtype;
        }
        d.invalid_chars |= invalid;
        if msg.response {
            d.replied = true;
            d.rcode = msg.rcode;
            d.answers = msg.ancount;
            d.addrs = msg.addrs;
            done = true;
        }
    }
    if invalid {
        f.set_status(status::DNS_INVALID_QUERY, 10, 10, 0, true);
    }
    if done {
        f.l7.detection = Detection::Done;
    }
}

fn follow_ssh(f: &mut Flow, c: &PacketCtx<'_>) {
    if !c.in_order {
        return;
    }
    let m = meta(f);
    if !matches!(m.info, ProtoInfo::Ssh(_)) {
        m.info = ProtoInfo::Ssh(SshInfo::default());
    }
    let ProtoInfo::Ssh(s) = &mut m.info else {
        return;
    };
    let mut p = c.payload;
    if let Some(b) = ssh::banner(p) {
        let sig = Some(text(b, 255));
        if c.from_client {
            s.client_signature = sig
        } else {
            s.server_signature = sig
        }
        // The KEXINIT may follow the banner line in the same segment.
        let nl = p
            .iter()
            .position(|&x| x == b'\n')
            .map_or(p.len(), |i| i + 1);
        p = p.get(nl..).unwrap_or(&[]);
    }
    if let Some(k) = ssh::parse_kexinit(p) {
        let h = Some(ssh::hassh(&k, c.from_client));
        if c.from_client {
            s.hassh_client = h
        } else {
            s.hassh_server = h
        }
    }
    if s.hassh_client.is_some() && s.hassh_server.is_some() {
        f.l7.detection = Detection::Done;
    }
}

fn follow_mail(f: &mut Flow, c: &PacketCtx<'_>) {
    let p = c.payload;
    if !c.from_client && (p.starts_with(b"220") || p.starts_with(b"* OK") || p.starts_with(b"+OK"))
    {
        let line = p.split(|&b| b == b'\r' || b == b'\n').next().unwrap_or(p);
        let m = meta(f);
        if !matches!(m.info, ProtoInfo::Mail { .. }) {
            m.info = ProtoInfo::Mail {
                banner: Some(text(line, 255)),
            };
            // `220 mx.example.com ESMTP ...`: the server names itself (nDPI reports it
            // as the flow's host name).
            if line.starts_with(b"220") {
                let host = line
                    .get(4..)
                    .unwrap_or(&[])
                    .split(|&b| b == b' ')
                    .next()
                    .unwrap_or(&[]);
                if host.contains(&b'.')
                    && host
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
                {
                    set_host(f, host);
                }
            }
        }
    }
    if c.from_client {
        let upper = p.get(..12).unwrap_or(p).to_ascii_uppercase();
        let starttls = upper.starts_with(b"STARTTLS")
            || upper.starts_with(b"STLS")
            || upper.windows(8).any(|w| w == b"STARTTLS");
        if starttls {
            f.l7.master = match f.l7.master {
                Proto::IMAP => Proto::IMAPS,
                Proto::POP3 => Proto::POP3S,
                _ => Proto::SMTPS,
            };
            f.l7.follow = Follow::Tls;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dpi::testing::{ctx, flow};

    #[test]
    fn http_host_to_app_and_response() {
        let mut f = flow(6, 40000, 80);
        dissect(
            &mut f,
            &ctx(
                b"GET /watch HTTP/1.1\r\nHost: www.youtube.com\r\n\r\n",
                true,
                6,
                40000,
                80,
            ),
        );
        assert_eq!(
            (f.l7.master, f.l7.app, f.l7.detection),
            (Proto::HTTP, Proto::YOUTUBE, Detection::Identified)
        );
        dissect(
            &mut f,
            &ctx(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/x-msdownload\r\n\r\nMZ",
                false,
                6,
                40000,
                80,
            ),
        );
        assert_eq!(f.l7.detection, Detection::Done);
        let h = f.meta.as_deref().unwrap().http().unwrap();
        assert_eq!((&*h.url, h.return_code), ("www.youtube.com/watch", 200));
        assert!(f.has_status(status::SUSPICIOUS_FILE_TRANSFER));
    }

    #[test]
    fn port_guess_after_limit() {
        let mut f = flow(6, 40000, 443);
        for _ in 0..MAX_DPI_PACKETS {
            dissect(&mut f, &ctx(b"\x01\x02garbage", true, 6, 40000, 443));
        }
        assert_eq!(f.l7.detection, Detection::Done);
        assert_eq!(f.l7.master, Proto::TLS);
        assert_eq!(f.l7.confidence, Confidence::MatchByPort);
    }

    /// One RTP-looking datagram is not RTP; the next packet of the same stream is.
    #[test]
    fn rtp_needs_two_packets_of_a_stream() {
        let a = [
            0x80, 0x78, 0, 2, 0, 6, 0x4d, 0xc0, 0xf5, 3, 0x86, 0xf4, 1, 2, 3,
        ];
        let b = [
            0x80, 0x78, 0, 3, 0, 6, 0x57, 0xc0, 0xf5, 3, 0x86, 0xf4, 4, 5, 6,
        ];
        let other_dir = [
            0x80, 0x78, 0, 9, 0, 6, 0x57, 0xc0, 0x11, 0x22, 0x33, 0x44, 7,
        ];
        let mut f = flow(17, 56328, 32704);
        dissect(&mut f, &ctx(&a, true, 17, 56328, 32704));
        assert_eq!(f.l7.master, Proto::UNKNOWN);
        dissect(&mut f, &ctx(&other_dir, false, 17, 56328, 32704));
        assert_eq!(f.l7.master, Proto::UNKNOWN);
        dissect(&mut f, &ctx(&b, true, 17, 56328, 32704));
        assert_eq!(f.l7.master, Proto::RTP);
        // Another SSRC in the same direction does not confirm.
        let mut g = flow(17, 56328, 32704);
        dissect(&mut g, &ctx(&a, true, 17, 56328, 32704));
        let mut c = b;
        c[11] ^= 1;
        dissect(&mut g, &ctx(&c, true, 17, 56328, 32704));
        assert_eq!(g.l7.master, Proto::UNKNOWN);
    }

    #[test]
    fn dns_query_reply() {
        let mut f = flow(17, 40000, 53);
        let mut q = vec![
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, b'w', b'w', b'w', 6,
        ];
        q.extend_from_slice(b"google\x03com\x00\x00\x01\x00\x01");
        dissect(&mut f, &ctx(&q, true, 17, 40000, 53));
        assert_eq!((f.l7.master, f.l7.app), (Proto::DNS, Proto::GOOGLE));
        q[2] = 0x81;
        dissect(&mut f, &ctx(&q, false, 17, 40000, 53));
        assert_eq!(f.l7.detection, Detection::Done);
        assert_eq!(f.meta.as_deref().unwrap().summary(), Some("www.google.com"));
    }

    #[test]
    fn ftp_announces() {
        assert_eq!(
            ftp_announce(
                b"227 Entering Passive Mode (192,168,1,2,19,137).\r\n",
                false
            ),
            Some((true, 19 * 256 + 137))
        );
        // No parentheses (some servers).
        assert_eq!(
            ftp_announce(b"227 Entering Passive Mode 10,1,2,3,4,5\r\n", false),
            Some((true, 4 * 256 + 5))
        );
        assert_eq!(
            ftp_announce(b"229 Entering Extended Passive Mode (|||6446|)\r\n", false),
            Some((true, 6446))
        );
        assert_eq!(
            ftp_announce(b"PORT 10,0,0,1,4,1\r\n", true),
            Some((false, 1025))
        );
        assert_eq!(
            ftp_announce(b"EPRT |2|::1|5282|\r\n", true),
            Some((false, 5282))
        );
        // Wrong direction, out-of-range numbers, truncated lists.
        assert_eq!(ftp_announce(b"PORT 10,0,0,1,4,1\r\n", false), None);
        assert_eq!(
            ftp_announce(b"227 Entering Passive Mode (1,2,3,4,300,1)", false),
            None
        );
        assert_eq!(
            ftp_announce(b"227 Entering Passive Mode (1,2,3,4,5)", false),
            None
        );
        assert_eq!(
            ftp_announce(b"229 Entering Extended Passive Mode (|||99999|)", false),
            None
        );
    }

    #[test]
    fn iso_on_tcp_is_not_rdp() {
        // S7comm: COTP connection request with TSAPs, then an S7 setup in a data TPDU.
        let mut f = flow(6, 4185, 102);
        let cr = [
            3, 0, 0, 0x16, 0x11, 0xe0, 0, 0, 0, 7, 0, 0xc1, 2, 1, 0, 0xc2, 2, 1, 2, 0xc0, 1, 0x0a,
        ];
        dissect(&mut f, &ctx(&cr, true, 6, 4185, 102));
        assert_eq!(f.l7.master, Proto::UNKNOWN);
        let dt = [
            3, 0, 0, 0x19, 2, 0xf0, 0x80, 0x32, 1, 0, 0, 2, 0, 0, 8, 0, 0, 0xf0, 0, 0, 1, 0, 1, 1,
            0xe0,
        ];
        dissect(&mut f, &ctx(&dt, true, 6, 4185, 102));
        assert_eq!(f.l7.master, Proto::S7COMM);
        // An RDP connection request is still RDP.
        let mut r = flow(6, 40000, 3389);
        dissect(
            &mut r,
            &ctx(
                b"\x03\x00\x00\x2b\x26\xe0\x00\x00\x00\x00\x00Cookie: mstshash=a\r\n",
                true,
                6,
                40000,
                3389,
            ),
        );
        assert_eq!(r.l7.master, Proto::RDP);
    }

    #[test]
    fn irc_user_line_is_not_pop3() {
        let mut f = flow(6, 45921, 8000);
        dissect(
            &mut f,
            &ctx(
                b"USER xxxxx +iw xxxxx :Xxxxxx Xxxxxx\r\n",
                true,
                6,
                45921,
                8000,
            ),
        );
        assert_eq!(f.l7.master, Proto::IRC);
        let mut p = flow(6, 45922, 110);
        dissect(&mut p, &ctx(b"USER alice\r\n", true, 6, 45922, 110));
        assert_eq!(p.l7.master, Proto::POP3);
    }
}
