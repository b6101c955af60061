//! Probes for infrastructure, discovery and device protocols recognised by the layout
//! of their first datagram or segment: service discovery (SLP, WSD, BJNP, UBNT
//! discovery, TP-Link), network services (RADIUS, Kerberos, SunRPC/NFS, TFTP,
//! NAT-PMP, HSRP, RMCP, Roughtime, collectd) and building/vehicle buses carried over
//! UDP (BACnet/IP, CAN over UDP).
//!
//! Every probe is a pure function of the payload: it reads with `get`, loops a bounded
//! number of times and never allocates. A port, when one narrows the check, is the
//! caller's business.

use super::{be16, be24, be32, le32};

use super::Reader;

fn byte(p: &[u8], at: usize) -> u8 {
    p.get(at).copied().unwrap_or(0)
}

/// Service Location Protocol (RFC 2165 v1, RFC 2608 v2): version 1 or 2, a function
/// id 1..=11 and a header length field equal to the datagram's length.
pub fn probe_slp(p: &[u8]) -> bool {
    let func = byte(p, 1);
    if !(1..=11).contains(&func) {
        return false;
    }
    match p.first() {
        // v1: 12-byte header, u16 length.
        Some(1) => {
            p.len() >= 12
                && be16(p, 2).is_some_and(|l| usize::from(l) == p.len())
                && byte(p, 5) == 0
                && p.get(6..8)
                    .is_some_and(|l| l.iter().all(u8::is_ascii_alphabetic))
        }
        // v2: u24 length, then a language tag whose length is at offset 12.
        Some(2) => {
            be24(p, 2).is_some_and(|l| l as usize == p.len())
                && be16(p, 12).is_some_and(|n| 14 + usize::from(n) <= p.len())
        }
        _ => false,
    }
}

/// RADIUS (RFC 2865/2866/5176): a known code, a length field equal to the datagram's
/// length (20..=4096), and attributes that chain exactly to that length.
pub fn probe_radius(p: &[u8]) -> bool {
    probe_radius_header(p) && {
        let mut at = 20;
        let mut ok = false;
        for _ in 0..256 {
            if at == p.len() {
                ok = true;
                break;
            }
            let (t, l) = (byte(p, at), usize::from(byte(p, at + 1)));
            if t == 0 || l < 2 || at + l > p.len() {
                break;
            }
            at += l;
        }
        ok
    }
}

/// The RADIUS header alone: a known code and a length field equal to the datagram's
/// length (20..=4096). Enough on the RADIUS ports.
pub fn probe_radius_header(p: &[u8]) -> bool {
    let code = byte(p, 0);
    if !matches!(code, 1..=5 | 11..=13 | 40..=45) {
        return false;
    }
    let Some(len) = be16(p, 2).map(usize::from) else {
        return false;
    };
    len == p.len() && (20..=4096).contains(&len)
}

/// Reads a DER length at `at`; returns (length, header bytes).
fn der_len(p: &[u8], at: usize) -> Option<(usize, usize)> {
    let b = *p.get(at)?;
    if b < 0x80 {
        return Some((usize::from(b), 1));
    }
    let n = usize::from(b & 0x7f);
    if n == 0 || n > 3 {
        return None;
    }
    let mut v = 0usize;
    for i in 0..n {
        v = v << 8 | usize::from(*p.get(at + 1 + i)?);
    }
    Some((v, 1 + n))
}

/// Kerberos v5 (RFC 4120) message as sent over UDP: an APPLICATION tag of a KDC or
/// AP message whose DER length covers the datagram (or, on TCP, at least this
/// segment), a SEQUENCE, and `pvno [0|1] INTEGER 5`.
pub fn probe_kerberos(p: &[u8]) -> bool {
    // AS-REQ 10, AS-REP 11, TGS-REQ 12, TGS-REP 13, AP-REQ 14, AP-REP 15,
    // KRB-SAFE 20, KRB-PRIV 21, KRB-CRED 22, KRB-ERROR 30.
    if !matches!(byte(p, 0), 0x6a..=0x6f | 0x74..=0x76 | 0x7e) {
        return false;
    }
    let Some((len, h)) = der_len(p, 1) else {
        return false;
    };
    let body = 1 + h;
    if body + len < p.len() || byte(p, body) != 0x30 {
        return false;
    }
    let Some((_, h2)) = der_len(p, body + 1) else {
        return false;
    };
    let f = body + 1 + h2;
    matches!(p.get(f..f + 5), Some([0xa0 | 0xa1, 3, 2, 1, 5]))
}

/// Kerberos over TCP: a 4-byte record length (the whole message, possibly spread over
/// several segments) followed by a Kerberos message.
pub fn probe_kerberos_tcp(p: &[u8]) -> bool {
    let Some(rec) = be32(p, 0) else {
        return false;
    };
    let rest = p.get(4..).unwrap_or(&[]);
    rec as usize >= rest.len() && rec < 0x0010_0000 && probe_kerberos(rest)
}

/// ONC RPC program numbers nDPI reports as NFS: portmapper, NFS, mountd, NLM, statd.
const NFS_PROGRAMS: [u32; 5] = [100_000, 100_003, 100_005, 100_021, 100_024];

/// SunRPC (RFC 5531) call to an NFS-family program: message type CALL, RPC version
/// 2, a known program and a small version number. On TCP the payload starts with the
/// record mark (`tcp` true).
pub fn probe_sunrpc_nfs(p: &[u8], tcp: bool) -> bool {
    let o = if tcp {
        match be32(p, 0) {
            Some(m) if m & 0x8000_0000 != 0 && (m & 0x7fff_ffff) as usize >= 40 => 4,
            _ => return false,
        }
    } else {
        0
    };
    be32(p, o + 4) == Some(0)
        && be32(p, o + 8) == Some(2)
        && be32(p, o + 12).is_some_and(|prog| NFS_PROGRAMS.contains(&prog))
        && be32(p, o + 16).is_some_and(|v| (1..=4).contains(&v))
        && p.len() >= o + 40
}

/// Tuya local protocol (LAN discovery and control): the `00 00 55 aa` prefix and the
/// `00 00 aa 55` suffix of a Tuya frame, or the `00 00 66 99` prefix of v3.5 frames.
pub fn probe_tuya(p: &[u8]) -> bool {
    if p.len() < 20 {
        return false;
    }
    (p.starts_with(&[0, 0, 0x55, 0xaa]) && p.ends_with(&[0, 0, 0xaa, 0x55]))
        || (p.starts_with(&[0, 0, 0x66, 0x99]) && p.ends_with(&[0, 0, 0x99, 0x66]))
}

/// BACnet/IP (ASHRAE 135 Annex J): a BVLC header of type 0x81, a known function and a
/// length field equal to the datagram's length.
pub fn probe_bacnet(p: &[u8]) -> bool {
    byte(p, 0) == 0x81
        && byte(p, 1) <= 0x0c
        && p.len() >= 4
        && be16(p, 2).is_some_and(|l| usize::from(l) == p.len())
}

/// Canon BJNP printer/scanner discovery: the `BJNP` (or `MFNP`) magic, a direction
/// byte (1 = command, 0x81 = answer) and a 16-byte header.
pub fn probe_bjnp(p: &[u8]) -> bool {
    p.len() >= 16
        && (p.starts_with(b"BJNP") || p.starts_with(b"MFNP"))
        && matches!(byte(p, 4), 1 | 2 | 0x81 | 0x82)
}

/// TP-Link Smart Home Protocol: JSON encrypted with the autokey XOR cipher (initial
/// key 171), i.e. the plaintext starts with `{"`. On TCP a 4-byte length prefixes it.
pub fn probe_tplink_shp(p: &[u8], tcp: bool) -> bool {
    let body = if tcp {
        match be32(p, 0) {
            Some(l) if l as usize + 4 >= p.len() && l > 2 => p.get(4..).unwrap_or(&[]),
            _ => return false,
        }
    } else {
        p
    };
    match body {
        [a, b, ..] => a ^ 171 == b'{' && b ^ a == b'"',
        _ => false,
    }
}

/// NAT-PMP (RFC 6886) request or answer: version 0 and an opcode whose message has
/// exactly this length (port 5351 narrows it, the caller's job).
pub fn probe_natpmp(p: &[u8]) -> bool {
    if byte(p, 0) != 0 {
        return false;
    }
    matches!(
        (byte(p, 1), p.len()),
        (0, 2) | (1 | 2, 12) | (128, 12) | (129 | 130, 16)
    )
}

/// TFTP (RFC 1350/2347) read or write request: opcode 1/2, a file name and a known
/// transfer mode, both NUL-terminated.
pub fn probe_tftp_request(p: &[u8]) -> bool {
    if !matches!(be16(p, 0), Some(1 | 2)) {
        return false;
    }
    let rest = p.get(2..).unwrap_or(&[]);
    let Some(n) = rest.iter().position(|&b| b == 0) else {
        return false;
    };
    if n == 0
        || !rest
            .get(..n)
            .unwrap_or(&[])
            .iter()
            .all(|b| b.is_ascii_graphic())
    {
        return false;
    }
    let mode = rest.get(n + 1..).unwrap_or(&[]);
    let m = mode.iter().position(|&b| b == 0).unwrap_or(mode.len());
    let mode = mode.get(..m).unwrap_or(&[]);
    ["netascii", "octet", "mail"]
        .iter()
        .any(|k| mode.eq_ignore_ascii_case(k.as_bytes()))
}

/// A TFTP transfer packet (on the ports the request negotiated): returns
/// `(opcode, block)` for DATA (3, at most 512 bytes of data unless a block size was
/// negotiated — bounded here at 65464), ACK (4, exactly 4 bytes), ERROR (5,
/// NUL-terminated text) and OACK (6, NUL-terminated option pairs); block is 0 for the
/// last two.
pub fn tftp_transfer(p: &[u8]) -> Option<(u16, u16)> {
    let op = be16(p, 0)?;
    match op {
        3 if p.len() >= 4 && p.len() <= 65468 => Some((3, be16(p, 2)?)),
        4 if p.len() == 4 => Some((4, be16(p, 2)?)),
        5 if p.len() >= 5 && be16(p, 2)? <= 8 && p.last() == Some(&0) => Some((5, 0)),
        6 if p.len() >= 4 && p.last() == Some(&0) => {
            let opts = p.get(2..p.len() - 1)?;
            let ok = opts
                .split(|&b| b == 0)
                .take(32)
                .all(|s| !s.is_empty() && s.iter().all(u8::is_ascii_graphic));
            ok.then_some((6, 0))
        }
        _ => None,
    }
}

/// A TFTP option acknowledgement (RFC 2347) naming a registered option (`blksize`,
/// `tsize`, `timeout`, `windowsize`, `multicast`) first: enough on its own.
pub fn probe_tftp_oack(p: &[u8]) -> bool {
    if tftp_transfer(p).is_none_or(|(op, _)| op != 6) {
        return false;
    }
    let name = p
        .get(2..)
        .unwrap_or(&[])
        .split(|&b| b == 0)
        .next()
        .unwrap_or(&[]);
    ["blksize", "tsize", "timeout", "windowsize", "multicast"]
        .iter()
        .any(|o| name.eq_ignore_ascii_case(o.as_bytes()))
}

/// CAN frames over UDP (the `ISO11898` header of CAN-over-Ethernet gateways) with
/// version 1.
pub fn probe_can(p: &[u8]) -> bool {
    p.starts_with(b"ISO11898") && byte(p, 8) == 1 && p.len() >= 12
}

/// CoAP (RFC 7252): version 1, a token of at most 8 bytes and a code of class 0
/// (requests, empty), 2, 4 or 5 (responses) with a valid detail. Ports narrow it.
pub fn probe_coap(p: &[u8]) -> bool {
    let Some(&b0) = p.first() else {
        return false;
    };
    if b0 >> 6 != 1 || b0 & 0x0f > 8 || p.len() < 4 + usize::from(b0 & 0x0f) {
        return false;
    }
    let code = byte(p, 1);
    let (class, detail) = (code >> 5, code & 0x1f);
    match class {
        0 => detail <= 8 && (detail != 0 || p.len() == 4),
        2 => (1..=5).contains(&detail) || detail == 31,
        4 => detail <= 15,
        5 => detail <= 5,
        _ => false,
    }
}

/// collectd binary network protocol: a chain of parts (u16 type, u16 length
/// including the 4-byte header) of known types filling the datagram: strings end in
/// NUL, numbers are 8 bytes, values carry `6 + 9 n` bytes; signed (0x0200) and
/// encrypted (0x0210) datagrams start with their security part.
pub fn probe_collectd(p: &[u8]) -> bool {
    // A datagram of at most 64 KiB holds at most 16384 four-byte parts.
    let mut at = 0usize;
    for i in 0..16384 {
        if at == p.len() {
            return i >= 2;
        }
        let (Some(t), Some(l)) = (be16(p, at), be16(p, at + 2)) else {
            return false;
        };
        let l = usize::from(l);
        let ok = match t {
            // host, plugin, plugin instance, type, type instance, message
            0x0000 | 0x0002..=0x0005 | 0x0100 => {
                l >= 5 && p.get(at + l - 1).is_none_or(|&b| b == 0)
            }
            // time, interval, high-resolution time/interval, severity
            0x0001 | 0x0007..=0x0009 | 0x0101 => l == 12,
            0x0006 => l >= 6 + 9 && be16(p, at + 4).is_some_and(|n| usize::from(n) * 9 + 6 == l),
            0x0200 if i == 0 => l > 36,
            0x0210 if i == 0 => {
                return l == p.len() && be16(p, 4).is_some_and(|n| 6 + usize::from(n) < l);
            }
            _ => false,
        };
        if !ok {
            return false;
        }
        at += l;
        if at > p.len() {
            // The last part may be cut by the capture's snap length.
            return i >= 2;
        }
    }
    false
}

/// HSRP (RFC 2281) version 1 hello/coup/resign, or an HSRPv2 group-state TLV.
pub fn probe_hsrp(p: &[u8]) -> bool {
    match byte(p, 0) {
        0 => p.len() >= 20 && byte(p, 1) <= 3 && matches!(byte(p, 2), 0 | 1 | 2 | 4 | 8 | 16),
        // HSRPv2: TLVs (u8 type, u8 length): group state (1, 40, version 2),
        // interface state (2, 4), text (3, 8) or MD5 (4) authentication, filling the
        // datagram.
        1 | 2 => {
            let mut at = 0;
            for _ in 0..16 {
                if at == p.len() {
                    return true;
                }
                let (t, l) = (byte(p, at), usize::from(byte(p, at + 1)));
                let ok = match t {
                    1 => l == 40 && byte(p, at + 2) == 2 && byte(p, at + 3) <= 3,
                    2 => l == 4,
                    3 => l == 8,
                    4 => l >= 4,
                    _ => false,
                };
                if !ok || at + 2 + l > p.len() {
                    return false;
                }
                at += 2 + l;
            }
            false
        }
        _ => false,
    }
}

/// An SSDP search answer (UDP, HTTP-like): `HTTP/1.1 200 OK` with an `ST:` or `USN:`
/// header.
pub fn probe_ssdp_response(p: &[u8]) -> bool {
    if !p.starts_with(b"HTTP/1.1 200 OK\r\n") {
        return false;
    }
    let head = p.get(..p.len().min(1024)).unwrap_or(p);
    head.windows(6).any(|w| {
        w.first() == Some(&b'\n')
            && (w.get(1..4).is_some_and(|h| h.eq_ignore_ascii_case(b"st:"))
                || w.get(1..5).is_some_and(|h| h.eq_ignore_ascii_case(b"usn:")))
    })
}

/// Ubiquiti discovery (UDP 10001): version 1 or 2, a command byte, a u16 length of
/// the rest and TLVs (u8 type, u16 length) that fill it.
pub fn probe_ubnt(p: &[u8]) -> bool {
    if !matches!(byte(p, 0), 1 | 2) || p.len() < 4 {
        return false;
    }
    if be16(p, 2).is_none_or(|l| usize::from(l) + 4 != p.len()) {
        return false;
    }
    if p.len() == 4 {
        // The bare discovery request `01 00 00 00`.
        return byte(p, 1) == 0;
    }
    let mut r = Reader::new(p.get(4..).unwrap_or(&[]));
    for _ in 0..128 {
        if r.remaining() == 0 {
            return true;
        }
        if r.u8().is_none() || r.vec16().is_none() {
            return false;
        }
    }
    false
}

/// RIPE Atlas probe measurement datagrams: the `MGLNDD_` prefix.
pub fn probe_ripe_atlas(p: &[u8]) -> bool {
    p.starts_with(b"MGLNDD_")
}

/// WS-Discovery (UDP 3702, the caller checks the port): a SOAP envelope.
pub fn probe_wsd(p: &[u8]) -> bool {
    let head = p.get(..p.len().min(512)).unwrap_or(p);
    (head.starts_with(b"<?xml") || head.starts_with(b"<soap:") || head.starts_with(b"<s:"))
        && head.windows(8).any(|w| w == b"Envelope")
}

/// RMCP (DMTF ASF / IPMI over LAN, UDP 623): version 6, reserved 0, and a class of
/// ASF (6), IPMI (7) or OEM (8); ASF messages carry the ASF IANA number 4542.
pub fn probe_rmcp(p: &[u8]) -> bool {
    if p.len() < 5 || byte(p, 0) != 6 || byte(p, 1) != 0 {
        return false;
    }
    match byte(p, 3) & 0x1f {
        6 => be32(p, 4) == Some(4542),
        7 | 8 => true,
        _ => false,
    }
}

/// Roughtime tags that start a request or a response.
const ROUGHTIME_TAGS: [&[u8; 4]; 9] = [
    b"NONC", b"PAD\xff", b"SIG\0", b"SREP", b"CERT", b"INDX", b"PATH", b"VER\0", b"ZZZZ",
];

/// Roughtime: the `ROUGHTIM` framing of recent drafts, or a bare tagged message
/// (u32 LE tag count, count-1 offsets, then known tags).
pub fn probe_roughtime(p: &[u8]) -> bool {
    if p.starts_with(b"ROUGHTIM") {
        return le32(p, 8).is_some_and(|l| l as usize + 12 <= p.len() && l >= 4);
    }
    let Some(n) = le32(p, 0) else {
        return false;
    };
    if !(1..=16).contains(&n) {
        return false;
    }
    let n = n as usize;
    let tags = 4 + 4 * (n - 1);
    if p.len() < tags + 4 * n {
        return false;
    }
    (0..n).all(|i| {
        p.get(tags + 4 * i..tags + 4 * i + 4)
            .is_some_and(|t| ROUGHTIME_TAGS.iter().any(|k| &k[..] == t))
    })
}

/// Syslog (RFC 3164 / RFC 5424): `<PRI>` with PRI at most 191, an optional blank,
/// then a version-1 header (`1 ` and a digit or `-`), a BSD timestamp (`Mmm `), an
/// ISO date, or the timestamp-less `last message repeated` / `snort: ` lines.
pub fn probe_syslog(p: &[u8]) -> bool {
    if p.first() != Some(&b'<') {
        return false;
    }
    let Some(close) = p.iter().take(5).position(|&b| b == b'>') else {
        return false;
    };
    let digits = p.get(1..close).unwrap_or(&[]);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let pri = digits
        .iter()
        .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
    if pri > 191 {
        return false;
    }
    let rest = p.get(close + 1..).unwrap_or(&[]);
    // A blank may follow the PRI; `last message repeated` and snort alerts carry no
    // timestamp.
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    if rest.starts_with(b"last message") || rest.starts_with(b"snort: ") {
        return true;
    }
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    match rest {
        [b'1', b' ', c, ..] => c.is_ascii_digit() || *c == b'-',
        [a, b, c, b' ', ..] => MONTHS.iter().any(|m| m[..] == [*a, *b, *c]),
        [y0, y1, y2, y3, b'-', ..] => [y0, y1, y2, y3].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// NetFlow v1/v5/v7 (fixed-size records whose count gives the datagram's length), v9
/// (RFC 3954: a template, options or data flowset after the 20-byte header) or IPFIX
/// (RFC 7011: a message length equal to the datagram's, then a set), each with a
/// plausible export time.
pub fn probe_netflow(p: &[u8]) -> bool {
    let (Some(v), Some(n)) = (be16(p, 0), be16(p, 2)) else {
        return false;
    };
    let n = usize::from(n);
    let set_ok = |at: usize, id_ok: &dyn Fn(u16) -> bool| {
        be16(p, at).is_some_and(id_ok)
            && be16(p, at + 2).is_some_and(|l| l >= 4 && usize::from(l) <= p.len() - at)
    };
    // Export time (UNIX seconds) between 2000 and 2100.
    let when = |at: usize| be32(p, at).is_some_and(|t| (946_684_800..4_102_444_800).contains(&t));
    match v {
        1 => (1..=24).contains(&n) && p.len() == 16 + 48 * n && when(8),
        5 => (1..=30).contains(&n) && p.len() == 24 + 48 * n && when(8),
        7 => (1..=28).contains(&n) && p.len() == 24 + 52 * n && when(8),
        9 => {
            p.len() >= 24
                && (1..=512).contains(&n)
                && when(8)
                && set_ok(20, &|id| id <= 1 || id >= 256)
        }
        10 => {
            n == p.len() && n >= 20 && when(4) && set_ok(16, &|id| id == 2 || id == 3 || id >= 256)
        }
        _ => false,
    }
}

/// sFlow v2/v4/v5 datagram: version, agent address type (1 = IPv4, 2 = IPv6), a
/// plausible sample count and, for v5, a known first sample format.
pub fn probe_sflow(p: &[u8]) -> bool {
    let Some(v) = be32(p, 0) else {
        return false;
    };
    let addr = match be32(p, 4) {
        Some(1) => 4,
        Some(2) => 16,
        _ => return false,
    };
    if !matches!(v, 2 | 4 | 5) {
        return false;
    }
    // Header: version, address type, address, [v5: sub-agent id], sequence, uptime,
    // sample count.
    let count_at = 8 + addr + if v == 5 { 12 } else { 8 };
    let Some(count) = be32(p, count_at) else {
        return false;
    };
    if count == 0 || count > 128 {
        return false;
    }
    if v == 5 {
        // Enterprise 0 formats 1..=4 (flow, counters, expanded flow/counters).
        return be32(p, count_at + 4).is_some_and(|f| (1..=4).contains(&f));
    }
    p.len() > count_at + 8
}

/// CAPWAP (RFC 5415) control or data: a plain header (preamble 0, header length of at
/// least 2 words within the datagram, wireless binding 0, 1 or 3), or a DTLS
/// preamble (type 1) followed by a DTLS record.
pub fn probe_capwap(p: &[u8]) -> bool {
    match byte(p, 0) {
        0 => {
            let hlen = usize::from(byte(p, 1) >> 3) * 4;
            let wbid = (byte(p, 2) >> 1) & 0x1f;
            p.len() >= 8 && hlen >= 8 && hlen <= p.len() && matches!(wbid, 0 | 1 | 3)
        }
        1 => {
            matches!(byte(p, 4), 20..=23) && byte(p, 5) == 0xfe && matches!(byte(p, 6), 0xfd | 0xff)
        }
        _ => false,
    }
}

/// GTP flavour recognised by [`probe_gtp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gtp {
    /// GTPv1-U user plane (3GPP TS 29.281).
    User,
    /// GTPv1-C or GTPv2-C control plane (TS 29.060 / 29.274).
    Control,
    /// GTP' charging (TS 32.295).
    Prime,
}

/// GTP header: version 1 with PT=1 and a length equal to the bytes after the 8-byte
/// mandatory part, version 2 (control) with a length equal to the bytes after the
/// first 4, or GTP' (version 0-2 with PT=0, 6-byte header). `port` is the server
/// port the caller saw (2152 user plane, 2123 control, 3386 GTP').
pub fn probe_gtp(p: &[u8], port: u16) -> Option<Gtp> {
    let flags = *p.first()?;
    let len = usize::from(be16(p, 2)?);
    let version = flags >> 5;
    if port == 3386 {
        return (flags & 0x10 == 0
            && flags & 0x0e == 0x0e
            && len + 6 == p.len()
            && byte(p, 1) != 0)
            .then_some(Gtp::Prime);
    }
    match version {
        1 if flags & 0x18 == 0x10 && len + 8 == p.len() && byte(p, 1) != 0 => {
            Some(if port == 2152 {
                Gtp::User
            } else {
                Gtp::Control
            })
        }
        2 if flags & 0x07 == 0 && len + 4 == p.len() && byte(p, 1) != 0 && port == 2123 => {
            Some(Gtp::Control)
        }
        _ => None,
    }
}

/// LDP (RFC 5036) PDU: version 1, a PDU length within the payload (exact on UDP),
/// and a known first message type.
pub fn probe_ldp(p: &[u8], tcp: bool) -> bool {
    let Some(len) = be16(p, 2).map(usize::from) else {
        return false;
    };
    if be16(p, 0) != Some(1) || len < 10 || (tcp && len + 4 < p.len().min(len + 4)) {
        return false;
    }
    if (!tcp && len + 4 != p.len()) || (tcp && len + 4 > p.len() && p.len() < 18) {
        return false;
    }
    be16(p, 10).is_some_and(|t| {
        matches!(
            t & 0x7fff,
            0x0001 | 0x0100 | 0x0200 | 0x0201 | 0x0300 | 0x0301 | 0x0400..=0x0406 | 0x0500
        )
    })
}

/// MGCP (RFC 3435) command (`VERB transaction-id endpoint MGCP 1.0`) or response
/// (three-digit code and a transaction id).
pub fn probe_mgcp(p: &[u8]) -> bool {
    const VERBS: [&[u8; 5]; 9] = [
        b"AUEP ", b"AUCX ", b"CRCX ", b"DLCX ", b"EPCF ", b"MDCX ", b"NTFY ", b"RQNT ", b"RSIP ",
    ];
    let line = p.split(|&b| b == b'\n' || b == b'\r').next().unwrap_or(&[]);
    if VERBS.iter().any(|v| line.starts_with(&v[..])) {
        let tid = line.get(5..).unwrap_or(&[]);
        return tid.first().is_some_and(u8::is_ascii_digit)
            && line.windows(6).any(|w| w == b" MGCP ");
    }
    false
}

/// AFS RX (UDP 7000-7009, the caller's check): a 28-byte header with a packet type of
/// 1..=13 and a security index of at most 3.
pub fn probe_rx(p: &[u8]) -> bool {
    p.len() >= 28 && (1..=13).contains(&byte(p, 20)) && byte(p, 23) <= 3 && be32(p, 0) != Some(0)
}

/// SOME/IP (AUTOSAR) header: a length equal to the bytes after the first 8 (at least
/// 8; on TCP the message may continue in later segments), protocol version 1, a
/// known message type and return code.
pub fn probe_someip(p: &[u8], tcp: bool) -> bool {
    let Some(len) = be32(p, 4).map(|l| l as usize) else {
        return false;
    };
    if len < 8 || (tcp && len + 8 < p.len().min(16)) || (!tcp && len + 8 != p.len()) {
        return false;
    }
    byte(p, 12) == 1
        && matches!(
            byte(p, 14),
            0x00 | 0x01
                | 0x02
                | 0x20
                | 0x21
                | 0x22
                | 0x23
                | 0x40
                | 0x41
                | 0x42
                | 0x80
                | 0x81
                | 0xa0
                | 0xa1
        )
        && byte(p, 15) <= 0x5e
        && p.len() >= 16
}

/// DLEP (RFC 8175): a UDP peer-discovery signal (`DLEP`, signal type 1 or 2, length
/// of the rest), or on TCP a session message (type 1..=18, a length within the
/// segment, then data items).
pub fn probe_dlep(p: &[u8], tcp: bool) -> bool {
    if !tcp {
        return p.starts_with(b"DLEP")
            && matches!(be16(p, 4), Some(1 | 2))
            && be16(p, 6).is_some_and(|l| usize::from(l) + 8 == p.len());
    }
    let body = p.strip_prefix(b"DLEP").unwrap_or(p);
    matches!(be16(body, 0), Some(1..=18))
        && be16(body, 2).is_some_and(|l| usize::from(l) + 4 <= body.len() && l >= 4)
        && be16(body, 4).is_some_and(|t| (1..=32).contains(&t))
}

/// PTPv2 (IEEE 1588-2008) message: version 2, a known message type and a message
/// length within the datagram (at least the 34-byte header).
pub fn probe_ptpv2(p: &[u8]) -> bool {
    byte(p, 1) & 0x0f == 2
        && matches!(byte(p, 0) & 0x0f, 0..=3 | 8..=0x0d)
        && be16(p, 2).is_some_and(|l| l >= 34 && usize::from(l) <= p.len())
}

/// BFD control packet (RFC 5880): version 0 or 1, a length of 24 (or 24 +
/// authentication, at most 100) equal to the datagram's, a non-zero detect
/// multiplier and my-discriminator.
pub fn probe_bfd(p: &[u8]) -> bool {
    byte(p, 0) >> 5 <= 1
        && usize::from(byte(p, 3)) == p.len()
        && (24..=100).contains(&p.len())
        && byte(p, 2) != 0
        && be32(p, 4).is_some_and(|d| d != 0)
}

/// BFD echo (UDP 3785, the caller's check) in the 12-byte layout of common
/// implementations: a 64-bit 1 and a trailing zero u16.
pub fn probe_bfd_echo(p: &[u8]) -> bool {
    p.len() == 12 && be32(p, 0) == Some(0) && be32(p, 4) == Some(1) && be16(p, 10) == Some(0)
}

/// KNXnet/IP frame: header length 6, version 0x10 (or 0x20), a service type family
/// 0x02..=0x09 and a total length equal to (UDP) or within (TCP) the payload.
pub fn probe_knxnet(p: &[u8], tcp: bool) -> bool {
    let Some(total) = be16(p, 4).map(usize::from) else {
        return false;
    };
    byte(p, 0) == 6
        && matches!(byte(p, 1), 0x10 | 0x20)
        && (0x02..=0x09).contains(&byte(p, 2))
        && total >= 6
        && (if tcp {
            total <= p.len()
        } else {
            total == p.len()
        })
}

/// IEC 62056 (DLMS/COSEM) over HDLC: a frame-format-type-3 frame (`7e a?`) whose
/// length field ends on the closing flag.
pub fn probe_iec62056(p: &[u8]) -> bool {
    if byte(p, 0) != 0x7e || byte(p, 1) & 0xf0 != 0xa0 {
        return false;
    }
    let flen = (usize::from(byte(p, 1) & 0x07) << 8) | usize::from(byte(p, 2));
    flen >= 5 && p.get(flen + 1) == Some(&0x7e)
}

/// OMRON FINS: the TCP `FINS` framing (magic and a length of the rest), or a UDP
/// FINS header (ICF 0x80/0x81/0xc0/0xc1, reserved 0, gateway count 2..=7).
pub fn probe_fins(p: &[u8], tcp: bool) -> bool {
    if tcp {
        return p.starts_with(b"FINS")
            && be32(p, 4).is_some_and(|l| l >= 8 && l as usize + 8 >= p.len());
    }
    p.len() >= 12
        && matches!(byte(p, 0), 0x80 | 0x81 | 0xc0 | 0xc1)
        && byte(p, 1) == 0
        && (2..=7).contains(&byte(p, 2))
}

/// HART-IP header: version 1 or 2, message type 0..=4, message id 0..=3 or 0x80..,
/// and a byte count that covers the header and lies within the payload.
pub fn probe_hart_ip(p: &[u8]) -> bool {
    matches!(byte(p, 0), 1 | 2)
        && byte(p, 1) <= 4
        && matches!(byte(p, 2), 0..=3 | 0x80..=0x83)
        && be16(p, 6).is_some_and(|n| n >= 8 && usize::from(n) <= p.len())
}

/// TRDP (IEC 61375-2-3) process or message data: protocol version 1.x and one of the
/// two-letter message types (`Pd`, `Pr`, `Pp`, `Pe`, `Mn`, `Mr`, `Mp`, `Mq`, `Mc`,
/// `Me`).
pub fn probe_trdp(p: &[u8]) -> bool {
    if p.len() < 40 || byte(p, 4) != 1 {
        return false;
    }
    matches!(
        p.get(6..8),
        Some(b"Pd" | b"Pr" | b"Pp" | b"Pe" | b"Mn" | b"Mr" | b"Mp" | b"Mq" | b"Mc" | b"Me")
    )
}

/// UFTP (UDP 1044/1045, the caller's check): protocol version 4 or 5 (`0x40`, `0x50`)
/// and a message function 1..=20.
pub fn probe_uftp(p: &[u8]) -> bool {
    p.len() >= 16 && matches!(byte(p, 0), 0x40 | 0x50) && (1..=20).contains(&byte(p, 1))
}

/// ANSI C12.22 (port 1153, the caller's check): an ACSE APDU (`60`, a DER length
/// covering the rest) whose first element is a context-specific ACSE field.
pub fn probe_c1222(p: &[u8]) -> bool {
    if byte(p, 0) != 0x60 {
        return false;
    }
    let Some((len, h)) = der_len(p, 1) else {
        return false;
    };
    1 + h + len == p.len() && (0xa1..=0xbe).contains(&byte(p, 1 + h))
}

/// IEEE C37.118 synchrophasor frame: sync byte 0xaa, frame type 0..=5 with version
/// 1..=3, a frame size equal to (UDP) or within (TCP) the payload.
pub fn probe_c37118(p: &[u8], tcp: bool) -> bool {
    let t = byte(p, 1);
    let Some(size) = be16(p, 2).map(usize::from) else {
        return false;
    };
    byte(p, 0) == 0xaa
        && (t >> 4) <= 5
        && (1..=3).contains(&(t & 0x0f))
        && size >= 16
        && (if tcp {
            size <= p.len()
        } else {
            size == p.len()
        })
}

/// Kismet client/server protocol: a `*KISMET: ` banner, `*TIME: ` or a `!<n> `
/// client command.
pub fn probe_kismet(p: &[u8]) -> bool {
    p.starts_with(b"*KISMET: ")
        || p.starts_with(b"*TIME: ")
        || (p.first() == Some(&b'!')
            && p.get(1).is_some_and(u8::is_ascii_digit)
            && p.windows(8)
                .take(16)
                .any(|w| w == b" ENABLE " || w == b" REMOVE "))
}

/// PFCP (3GPP TS 29.244) header: version 1, a known message type and a length equal
/// to the bytes after the first 4.
pub fn probe_pfcp(p: &[u8]) -> bool {
    byte(p, 0) >> 5 == 1
        && matches!(byte(p, 1), 1..=15 | 50..=57)
        && be16(p, 2).is_some_and(|l| usize::from(l) + 4 == p.len())
}

/// TiVo Connect discovery beacon (`tivoconnect=1`).
pub fn probe_tivoconnect(p: &[u8]) -> bool {
    super::starts_with_ci(p, b"tivoconnect=")
}

/// XDMCP (port 177, the caller's check): version 1, opcode 1..=15 and a length of the
/// rest of the datagram.
pub fn probe_xdmcp(p: &[u8]) -> bool {
    be16(p, 0) == Some(1)
        && be16(p, 2).is_some_and(|o| (1..=15).contains(&o))
        && be16(p, 4).is_some_and(|l| usize::from(l) + 6 == p.len())
}

/// Check Point ClusterXL HA protocol (CPHA, UDP 8116): the 0x1a90 magic and a
/// protocol version.
pub fn probe_cpha(p: &[u8]) -> bool {
    p.len() > 20 && be16(p, 0) == Some(0x1a90)
}

/// CNP/IP (LonWorks over IP, ports 1628/1629, the caller's check): a packet length
/// equal to the datagram's, version 1 and a known packet type.
pub fn probe_cnp_ip(p: &[u8]) -> bool {
    be16(p, 0).is_some_and(|l| usize::from(l) == p.len())
        && p.len() >= 16
        && byte(p, 2) == 1
        && matches!(byte(p, 3), 0x01..=0x08 | 0x60..=0x7f)
}

/// EtherSIO: the `ESIO` magic and version 1.
pub fn probe_ethersio(p: &[u8]) -> bool {
    p.starts_with(b"ESIO") && be16(p, 4) == Some(1) && p.len() >= 20
}

/// SAIA Ether-S-Bus (port 5050, the caller's check): a length equal to the datagram's,
/// version 0 or 1, protocol type 0 or 1 and a telegram attribute 0..=2.
pub fn probe_ether_s_bus(p: &[u8]) -> bool {
    be32(p, 0).is_some_and(|l| l as usize == p.len())
        && p.len() >= 11
        && byte(p, 4) <= 1
        && byte(p, 5) <= 1
        && byte(p, 8) <= 2
}

/// GE Ethernet Global Data (port 18246, the caller's check): PDU type 13, version 1.
pub fn probe_egd(p: &[u8]) -> bool {
    p.len() >= 32 && byte(p, 0) == 0x0d && byte(p, 1) == 1
}

/// One Nest log-sink record header (TCP 11095, the caller's check; nDPI wants three
/// such segments): at least 8 bytes, byte 1 at most 2, byte 2 0x00 or 0x10, byte 3
/// 0x13.
pub fn probe_nest_log_sink(p: &[u8]) -> bool {
    p.len() >= 8 && byte(p, 1) <= 2 && matches!(byte(p, 2), 0x00 | 0x10) && byte(p, 3) == 0x13
}

/// HP Virtual Machine Group management (TCP): 0x16, a u16 length equal to the
/// segment's, then 0.
pub fn probe_hp_virtgrp(p: &[u8]) -> bool {
    p.len() >= 4
        && byte(p, 0) == 0x16
        && be16(p, 1).is_some_and(|l| usize::from(l) == p.len())
        && byte(p, 3) == 0
}

/// SNMP (RFC 1157 / 3416 / 3412) message over UDP: a SEQUENCE covering the datagram,
/// `INTEGER version` 0, 1 or 3, then for v1/v2c an OCTET STRING community and a PDU
/// tag (0xa0..=0xa8), for v3 the header-data SEQUENCE.
pub fn probe_snmp(p: &[u8]) -> bool {
    if byte(p, 0) != 0x30 {
        return false;
    }
    let Some((len, h)) = der_len(p, 1) else {
        return false;
    };
    let v = 1 + h;
    if v + len != p.len() || p.get(v..v + 2) != Some(&[0x02, 0x01]) {
        return false;
    }
    match byte(p, v + 2) {
        0 | 1 => {
            let c = v + 3;
            if byte(p, c) != 0x04 {
                return false;
            }
            let Some((n, ch)) = der_len(p, c + 1) else {
                return false;
            };
            let pdu = c + 1 + ch + n;
            (0xa0..=0xa8).contains(&byte(p, pdu)) && pdu < p.len()
        }
        3 => byte(p, v + 3) == 0x30,
        _ => false,
    }
}

/// LISP control plane over UDP (RFC 9301, port 4342 on both sides, the caller's
/// check): a known message type 1..=8 in the top nibble.
pub fn probe_lisp_control(p: &[u8]) -> bool {
    p.len() >= 8 && (1..=8).contains(&(byte(p, 0) >> 4))
}

/// LISP control messages over TCP (port 4342, the caller's check): u16 message type
/// 16..=31 and a u16 length of at least the 8-byte header, within the segment.
pub fn probe_lisp_tcp(p: &[u8]) -> bool {
    be16(p, 0).is_some_and(|t| (16..=31).contains(&t))
        && be16(p, 2).is_some_and(|l| l >= 8 && usize::from(l) <= p.len())
}

/// FLUTE (RFC 6726) File Delivery Table: an LCT header of version 1 (`0x10`), its
/// length in words at byte 2, a 4-byte FEC payload id, then an XML FDT instance.
pub fn probe_flute(p: &[u8]) -> bool {
    if byte(p, 0) != 0x10 {
        return false;
    }
    let body = usize::from(byte(p, 2)) * 4 + 4;
    let Some(xml) = p.get(body..) else {
        return false;
    };
    xml.starts_with(b"<?xml")
        && xml
            .get(..xml.len().min(160))
            .is_some_and(|h| h.windows(4).any(|w| w == b"<FDT"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic any probe.
        #[test]
        fn probes_are_total(d in proptest::collection::vec(any::<u8>(), 0..1600)) {
            let d = &d[..];
            let _ = (probe_slp(d), probe_radius(d), probe_radius_header(d), probe_kerberos(d), probe_kerberos_tcp(d));
            let _ = (probe_sunrpc_nfs(d, false), probe_sunrpc_nfs(d, true), probe_tuya(d));
            let _ = (probe_bacnet(d), probe_bjnp(d), probe_tplink_shp(d, true), probe_tplink_shp(d, false));
            let _ = (probe_natpmp(d), probe_tftp_request(d), tftp_transfer(d), probe_can(d));
            let _ = (probe_coap(d), probe_collectd(d), probe_hsrp(d), probe_ubnt(d), probe_ssdp_response(d));
            let _ = (probe_ripe_atlas(d), probe_wsd(d), probe_rmcp(d), probe_roughtime(d));
            let _ = (probe_syslog(d), probe_netflow(d), probe_sflow(d), probe_capwap(d));
            let _ = (probe_gtp(d, 2152), probe_gtp(d, 2123), probe_gtp(d, 3386));
            for tcp in [false, true] {
                let _ = (probe_ldp(d, tcp), probe_someip(d, tcp), probe_dlep(d, tcp), probe_knxnet(d, tcp));
                let _ = (probe_fins(d, tcp), probe_c37118(d, tcp));
            }
            let _ = (probe_mgcp(d), probe_rx(d), probe_ptpv2(d), probe_bfd(d), probe_iec62056(d));
            let _ = (probe_hart_ip(d), probe_trdp(d), probe_uftp(d), probe_c1222(d), probe_kismet(d));
            let _ = (probe_pfcp(d), probe_tivoconnect(d), probe_xdmcp(d), probe_cpha(d), probe_cnp_ip(d));
            let _ = (probe_ethersio(d), probe_ether_s_bus(d), probe_egd(d), probe_nest_log_sink(d), probe_hp_virtgrp(d));
            let _ = (probe_snmp(d), probe_lisp_control(d), probe_lisp_tcp(d), probe_bfd_echo(d), probe_flute(d));
        }
    }

    // Payloads below are the first bytes of flows in the shared nDPI captures (cut
    // where a probe needs no more).

    #[test]
    fn radius_accounting_response() {
        let p = hex(
            "050f00693b981b59f879ed40ab4fb301c0cd765c01353033313134383032353038363436323840776c616e2e6d6e633438302e6d63633331312e336770706e6574776f726baa6f72672c2035623232613066652f30303a35363a63643a36643a34323a35392f323037",
        );
        assert!(probe_radius(&p));
        let mut bad = p.clone();
        bad[21] = 60; // the first attribute overruns the second
        assert!(!probe_radius(&bad));
        assert!(probe_radius_header(&bad));
        assert!(!probe_radius_header(&p[..100]));
    }

    #[test]
    fn kerberos_udp_and_tcp() {
        // AS-REQ over UDP (cut), KRB-ERROR, TGS-REQ over TCP with its record mark.
        let as_req = hex(
            "6a82011b30820117a103020105a20302010aa35830563048a103020102a241043f303da003020117a2360434b60e0b505f98104206f62503b8e0e7c82d842e6f",
        );
        assert!(probe_kerberos(&as_req));
        let err = hex(
            "7e643062a003020105a10302011ea411180f32303232303232323037343630345aa50502030ec26da603020134a9111b0f4c494e55582e5348454c4c2e434f4d",
        );
        assert!(probe_kerberos(&err));
        let tcp = hex(
            "0000060f6c82060b30820607a103020105a20302010ca38205a4308205a0308204dea103020101a28204d5048204d16e8204cd308204c9a003020105a1030201",
        );
        assert!(probe_kerberos_tcp(&tcp));
        assert!(!probe_kerberos(&tcp));
        let mut v4 = as_req.clone();
        v4[12] = 4; // pvno 4
        assert!(!probe_kerberos(&v4));
    }

    #[test]
    fn sunrpc_nfs_and_mount_calls() {
        let nfs = hex(
            "5e1d0b940000000000000002000186a300000002000000010000000100000034384775d000000009776572726d73636865000000000000000000000100000005",
        );
        assert!(probe_sunrpc_nfs(&nfs, false));
        let mount = hex(
            "3841169f0000000000000002000186a500000001000000010000000100000034384775d000000009776572726d73636865000000000000000000000100000005",
        );
        assert!(probe_sunrpc_nfs(&mount, false));
        // The reply (message type 1) is not a call.
        let reply = hex(
            "5e1d0b9400000001000000000000000000000000000000000000000000000002000041ed00000002000000000000000100000060000040000000000000000000",
        );
        assert!(!probe_sunrpc_nfs(&reply, false));
        assert!(!probe_sunrpc_nfs(&nfs, true));
    }

    #[test]
    fn tuya_frame() {
        let p = hex(
            "000055aa0000000000000013000000ac0000000097b93fee4b69c95feeb3d33bda352952575ce1923665dde45dab61ac9ede04ff65157a7e0aa8cfa824c81516522777a63e1ef07d9b779ffaf5f9a747c3f90f64d24e9fdca7a53a8a2ab344b6af3744fe3aca3f69959a0a4302e43bef3ca711a2b189c2c76abcb78aa7d53131c099586d8ca65040d5f3f92cf2597fefa648d16c2b222b21c0f3073900ab80376782661001378ecd7f81a8553c8a5f24f1cbb1c5dc7244110000aa55",
        );
        assert!(probe_tuya(&p));
        assert!(!probe_tuya(&p[..100]));
    }

    #[test]
    fn small_discovery_and_device_probes() {
        assert!(probe_bacnet(&hex("810b000c0120ffff00ff1008")));
        assert!(probe_bacnet(&hex("810a001101040005a90c0c023fffff194b")));
        assert!(!probe_bacnet(&hex("810a001201040005a90c0c023fffff194b")));
        assert!(probe_bjnp(&hex("424a4e500201000017a4000000000000")));
        assert!(probe_tplink_shp(
            &hex("d0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6"),
            false
        ));
        assert!(!probe_tplink_shp(&hex("7b2273797374656d223a7b7d7d"), false));
        assert!(probe_natpmp(&hex("0000")));
        assert!(!probe_natpmp(&hex("0001")));
        assert!(probe_can(&hex(
            "49534f313138393801026a12f109083b20d6700000ff7ffd10006a13f109083b20206effffffffff10000160ff"
        )));
        assert!(probe_coap(&hex("4201e91b0790b8736570617261746510d12311")));
        assert!(probe_coap(&hex("6000e91b")));
        assert!(!probe_coap(&hex("4261e91b0790")));
        assert!(probe_hsrp(&hex("000008030a500a00636973636f0000000a1ca8fe")));
        assert!(probe_hsrp(&hex("020400000001")));
        assert!(!probe_hsrp(&hex("0204000000")));
        assert!(probe_ripe_atlas(&hex(
            "4d474c4e44445f31312e3131312e31312e3131315f31313133"
        )));
        assert!(probe_rmcp(&hex(
            "0600ff07000000000000000000092018c88100388e04b5"
        )));
        assert!(probe_rmcp(&hex("0600ff06000011be80000000000000000000")));
        assert!(!probe_rmcp(&hex("0600ff06000011bf80000000000000000000")));
        assert!(probe_roughtime(&hex(
            "02000000400000004e4f4e43504144ff459cab6f4834cda9b7b3c983e3b5048e16256e65ec963e60bf8ca369ad3cb493d5909e68d8f8bd499e9907c4d0da2edc"
        )));
        assert!(probe_hart_ip(&hex("010000000002000d0100007530")));
        assert!(probe_nest_log_sink(&hex(
            "1102001308030000369e27000030b418"
        )));
        assert!(!probe_nest_log_sink(&hex("000000000000")));
    }

    #[test]
    fn tftp_request_and_transfer() {
        assert!(probe_tftp_request(&hex(
            "0001726663313335302e747874006f6374657400"
        )));
        assert!(probe_tftp_request(&hex(
            "00027a7a2e62696e006e6574617363696900"
        )));
        assert!(!probe_tftp_request(&hex(
            "00027a7a2e62696e0062696e61727900"
        )));
        assert_eq!(tftp_transfer(&hex("00040000")), Some((4, 0)));
        assert_eq!(
            tftp_transfer(&hex(
                "0006626c6b73697a650031343638007473697a650031303030303000"
            )),
            Some((6, 0))
        );
        assert!(probe_tftp_oack(&hex(
            "0006626c6b73697a650031343638007473697a650031303030303000"
        )));
        assert!(!probe_tftp_oack(&hex(
            "0006666f6f0031343638007473697a650031303030303000"
        )));
        assert_eq!(tftp_transfer(&hex("000300010a0a0a0a")), Some((3, 1)));
        assert_eq!(tftp_transfer(&hex("0004000000")), None);
    }

    #[test]
    fn collectd_parts() {
        let p = hex(
            "000000156465766c61702e667269747a2e626f78000008000c18aa86d9ffbbcaa30009000c00000002800000000002000b6d656d6f7279000004000b6d656d6f",
        );
        assert!(probe_collectd(&p));
        // Ether-S-Bus telegram: one "host" part without its NUL is not collectd.
        assert!(!probe_collectd(&hex("0000000d01000001000a205318")));
    }

    #[test]
    fn ubnt_discovery_answer() {
        let p = hex(
            "020600ab02000a802aa88d692bc0a8021502000a802aa88d692cc0a80101010006802aa88d692b0a00040000de600b000475626e740c00045547573303003855",
        );
        // Cut: the TLV chain does not reach the announced length.
        assert!(!probe_ubnt(&p));
        assert!(probe_ubnt(&hex("01000000")));
    }

    #[test]
    fn monitoring_exports() {
        assert!(probe_syslog(
            b"<167>2016-05-24T09:50:52.926451+02:00 ldap01 slapd[34534]: conn="
        ));
        assert!(probe_syslog(
            b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed"
        ));
        assert!(!probe_syslog(b"<999>Oct 11"));
        assert!(probe_syslog(b"<13> Oct 11 22:14:15 host app: hello"));
        assert!(probe_syslog(b"<13>last message repeated 3 times"));
        assert!(!probe_syslog(b"<html><body>"));
        let sflow = hex(
            "0000000500000001ac152311000000010000019f673dd71000000001000000020000006c000021250000040c0000000100000001000000580000040c00000006",
        );
        assert!(probe_sflow(&sflow));
        let ipfix = hex(
            "000a00b4594ac59d025965c4000401000002007001cd00160001000480cf0004000068f280ccffff000068f280cdffff000068f200070002000b00020006000200b1000100b0000100b4000200b500020002000400cd000200b9000400b8000400080004000c000400360004005800020004000100c000018001ffff000068f20003003401d200070001008f000400290008002a00080028000801300002013100040132000401d300020001008e00040052ffff",
        );
        assert!(probe_netflow(&ipfix));
        assert!(!probe_netflow(&ipfix[..100]));
    }

    #[test]
    fn tunnels_and_telecom() {
        let gtpc = hex("4824001e355292064b546200490001000556000d0018987654123498765412345678");
        assert_eq!(probe_gtp(&gtpc, 2123), Some(Gtp::Control));
        assert_eq!(probe_gtp(&gtpc, 2152), None);
        assert!(probe_capwap(&hex(
            "0100000015feff0001000000000001003091525de0381a81cffbbc5c495068756e8580383b27a1c2ff2011743e05500e5352fa6f19e56428296f7985b4b0bf66"
        )));
        assert!(probe_capwap(&hex(
            "0020032000000000010400000000000000400000580a20690e20000000000000580a20690e200000"
        )));
        assert!(probe_pfcp(&hex(
            "2137001400000000ffffffff000000000068000400000012"
        )));
        assert!(!probe_pfcp(&hex(
            "2137001500000000ffffffff000000000068000400000012"
        )));
    }

    #[test]
    fn routing_and_signalling() {
        assert!(probe_ldp(
            &hex("0001001e0a0000060000010000140000000004000004000f0000040100040a000006"),
            false
        ));
        assert!(probe_ldp(
            &hex("000100200a000101000002000016000000020500000e000100b4000000000a0000060000"),
            true
        ));
        assert!(probe_mgcp(&hex(
            "5253495020323632363632313334202a407667323234204d47435020302e310a524d3a20677261636566756c0a52443a20300a"
        )));
        assert!(!probe_mgcp(b"RSIP nothing here\n"));
        assert!(probe_rx(&hex(
            "d70fb3305c224fb0000000010000000100000001010500000000000100010004"
        )));
        assert!(probe_bfd(&hex(
            "204003180000000100000000000f4240000f42400007a120"
        )));
        assert!(!probe_bfd(&hex(
            "204003190000000100000000000f4240000f42400007a120"
        )));
        assert!(probe_dlep(
            &hex("444c45500002001e0004000f00656d756c617465642d6d6f64656d00020007000a0000020356"),
            false
        ));
        assert!(probe_dlep(
            &hex(
                "00010024000500040000ea600004001000656d756c617465642d726f7574657200060004fff1fff4"
            ),
            true
        ));
        assert!(probe_ptpv2(&hex(
            "0c02003600000400000000000000000000000000002094fffe00000d0001000105ffffffffffffffffffffff00040006b0000000012c0000"
        )));
        assert!(probe_someip(
            &hex("1234000800000011000000010101000000000005ababababab"),
            false
        ));
        assert!(probe_xdmcp(&hex("00010002000100")));
        assert!(!probe_xdmcp(&hex("0001000200010000")));
        assert!(probe_kismet(&hex(
            "2a4b49534d45543a20302e302e30203131343430303433383120014b69736d6574"
        )));
        assert!(probe_tivoconnect(&hex(
            "5469566f436f6e6e6563743d310a737776657273696f6e3d312e300a"
        )));
    }

    #[test]
    fn industrial_protocols() {
        assert!(probe_knxnet(
            &hex("0610020b00140801c0a858e7a17f060401020607"),
            false
        ));
        assert!(probe_knxnet(
            &hex("06100423000e040102000600108706100425000e0401030006001087"),
            true
        ));
        assert!(probe_iec62056(&hex("7ea0070321930f017e")));
        assert!(probe_iec62056(&hex("7ea0070303938c117e")));
        assert!(!probe_iec62056(&hex("7ea0080321930f017e")));
        assert!(probe_fins(
            &hex("8000020000000000007a010100cccccc0001"),
            false
        ));
        assert!(probe_fins(
            &hex("46494e530000000c000000000000000000000000"),
            true
        ));
        assert!(probe_trdp(&hex(
            "0000000001004d72000003e900000000000000000000000d0000000069322ac45bc911ef98daf02f74ad43f5"
        )));
        assert!(probe_uftp(&hex(
            "400100000a00000196f4c304009d0000010600140000051457a65c1d00057a51e6040401e6050538"
        )));
        assert!(probe_c1222(&hex(
            "6030a20f060d607c86f754011600010140ce11a60e060c607c86f75401160001014021a80402020f89be0728058103800120"
        )));
        assert!(probe_c37118(
            &hex("aa41001200f100000000000000000005d7d0"),
            true
        ));
        assert!(probe_c37118(
            &hex("aa410012003c4899909a00342ed50001560b"),
            false
        ));
        assert!(probe_cpha(&hex(
            "1a900c31278500010016793e0001fffee04a0100000200010000080a00020003000400000204090000000900000000000200"
        )));
        assert!(probe_cnp_ip(&hex(
            "00200101000000006b8b45670000000000000000010901aa01a90103810d00ca"
        )));
        assert!(probe_ethersio(&hex(
            "4553494f0001000000317616000000180000000d01000000005c00000001001100000b30000000000000000000000000ff"
        )));
        assert!(probe_ether_s_bus(&hex("0000000d01000001000a205318")));
        assert!(probe_egd(&hex(
            "0d01d4f0c0a8084d7b000000be8a7e3800811b2c0000000000000000000000000000"
        )));
    }

    #[test]
    fn snmp_get_request() {
        // No SNMP in the shared captures: a v2c GetRequest for sysDescr.0 with the
        // community `public`, laid out as RFC 3416 specifies.
        let p =
            hex("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500");
        assert!(probe_snmp(&p));
        assert!(!probe_snmp(&p[..p.len() - 1]));
        let mut v2 = p.clone();
        v2[4] = 2; // version 2 does not exist on the wire
        assert!(!probe_snmp(&v2));
    }

    #[test]
    fn lisp_udp_and_tcp() {
        assert!(probe_lisp_control(&hex(
            "3200010167ab931f9e8b974a00010014b746d6876088e5be"
        )));
        assert!(probe_lisp_tcp(&hex("0014000f000000000000009facade9")));
        assert!(!probe_lisp_tcp(&hex("0014001f000000000000009facade9")));
    }

    #[test]
    fn flute_fdt() {
        let mut p = hex("101008000000000000000000c010000240040000000002360000059c0000004000000000");
        p.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FDT-Instance ");
        assert!(probe_flute(&p));
        // A data packet of the same session carries no FDT.
        assert!(!probe_flute(&hex(
            "1010030000000000000000010000000048656c6c6f20576f726c64210a"
        )));
    }

    #[test]
    fn slp_v1_and_v2() {
        // SLPv2 SrvRqst (function 1), length 47.
        let v2 = hex(
            "020100002f000000000044000002656e0000000e736572766963653a63656e737973000744454641554c5400000000",
        );
        assert!(probe_slp(&v2));
        // SLPv1 SrvRqst, length 44.
        let v1 = hex(
            "0106002c0000656e00031ef700000018736572766963653a782d68706e702d646973636f7665723a00000000",
        );
        assert!(probe_slp(&v1));
        assert!(!probe_slp(&v2[..40]));
        assert!(!probe_slp(&v1[..30]));
    }
}
