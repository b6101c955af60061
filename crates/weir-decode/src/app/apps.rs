//! Probes for TCP application protocols recognised by their first message: databases,
//! message brokers, monitoring agents, remote access, file sharing, proxies.
//!
//! Every probe is a pure, total check of one payload (never panics, bounded loops, no
//! allocation). A probe answers "this payload is a well-formed first message of the
//! protocol": a magic value, a length field that matches the payload, a version or
//! opcode from the protocol's small set. Probes named `*_reply` check the answer of the
//! other side, for protocols whose first message alone is too weak.

use super::{be32, le32, starts_with_ci};

/// Big-endian u16 at `at`, as a length.
fn be16(p: &[u8], at: usize) -> Option<usize> {
    super::be16(p, at).map(usize::from)
}

/// Little-endian u16 at `at`, as a length.
fn le16(p: &[u8], at: usize) -> Option<usize> {
    super::le16(p, at).map(usize::from)
}

/// `n` as a length, when it fits in `usize`.
fn len(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn printable(s: &[u8]) -> bool {
    s.iter().all(|&b| (0x20..0x7f).contains(&b))
}

/// Zabbix agent/server protocol: `ZBXD` then a flags byte (0x01 protocol, 0x02
/// compressed, 0x04 large packet).
pub fn probe_zabbix(p: &[u8]) -> bool {
    p.starts_with(b"ZBXD") && p.get(4).is_some_and(|&f| f & 0x01 == 1 && f <= 0x07) && p.len() >= 13
}

/// MS SQL Server TDS: an 8-byte packet header with a known packet type, a status made
/// of known bits, a length equal to the payload length and a zero window byte.
/// Returns the packet type.
pub fn probe_tds(p: &[u8]) -> Option<u8> {
    let ty = *p.first()?;
    let status = *p.get(1)?;
    let ok_type = matches!(
        ty,
        0x01 | 0x02 | 0x03 | 0x04 | 0x06 | 0x07 | 0x0e | 0x10 | 0x11 | 0x12
    );
    let ok_status = status & !0x1f == 0;
    (ok_type && ok_status && be16(p, 2)? == p.len() && p.len() > 8 && *p.get(7)? == 0).then_some(ty)
}

/// A TDS SQL batch / RPC / transaction-manager request (TDS 7.2+) starts its data with
/// ALL_HEADERS: a little-endian total length, then headers each with a length and a
/// type 1..=3 (query notification, transaction descriptor, trace activity).
pub fn tds_all_headers(p: &[u8]) -> bool {
    let (Some(total), Some(first), Some(ty)) = (le32(p, 8), le32(p, 12), le16(p, 16)) else {
        return false;
    };
    let (total, first) = (len(total), len(first));
    matches!(p.first(), Some(0x01 | 0x03 | 0x0e))
        && (6..=total).contains(&first)
        && total + 8 <= p.len()
        && (1..=3).contains(&ty)
}

/// FIX (Financial Information eXchange): the mandatory header order `8=<BeginString>`,
/// SOH, `9=<BodyLength>`, SOH, `35=<MsgType>`.
pub fn probe_fix(p: &[u8]) -> bool {
    if !p.starts_with(b"8=") {
        return false;
    }
    let Some(soh) = p.iter().take(32).position(|&b| b == 0x01) else {
        return false;
    };
    let Some(rest) = p.get(soh + 1..) else {
        return false;
    };
    if !rest.starts_with(b"9=") {
        return false;
    }
    let digits = rest
        .get(2..)
        .unwrap_or(&[])
        .iter()
        .take(10)
        .take_while(|b| b.is_ascii_digit())
        .count();
    digits > 0
        && rest.get(2 + digits) == Some(&0x01)
        && rest
            .get(3 + digits..)
            .is_some_and(|r| r.starts_with(b"35="))
}

/// XMPP (Jabber): an XML stream opening or closing (after the XML declaration, in the
/// same segment or alone).
pub fn probe_xmpp(p: &[u8]) -> bool {
    let head = p.get(..p.len().min(256)).unwrap_or(p);
    let has = |n: &[u8]| head.windows(n.len()).any(|w| w == n);
    p.starts_with(b"<stream:stream")
        || p.starts_with(b"</stream:stream>")
        || (p.starts_with(b"<?xml") && (has(b"<stream:stream") || has(b"jabber:")))
}

/// An XMPP stanza (`<iq `, `<presence`, `<message `) addressed with XMPP attributes
/// (`to=`, `from=`, `id=`, `type=`), as exchanged inside an established stream.
pub fn probe_xmpp_stanza(p: &[u8]) -> bool {
    let rest = if let Some(r) = p.strip_prefix(b"<iq ") {
        r
    } else if let Some(r) = p.strip_prefix(b"<presence") {
        r
    } else if let Some(r) = p.strip_prefix(b"<message ") {
        r
    } else {
        return false;
    };
    let head = rest.get(..rest.len().min(64)).unwrap_or(rest);
    [
        &b"to='"[..],
        b"to=\"",
        b"from='",
        b"from=\"",
        b"id='",
        b"id=\"",
        b"type='",
        b"type=\"",
        b"xml:lang=",
    ]
    .iter()
    .any(|a| head.windows(a.len()).any(|w| w == *a))
}

/// True if an XMPP stream names TruPhone's service (`im.truphone.com`).
pub fn mentions_truphone(p: &[u8]) -> bool {
    let head = p.get(..p.len().min(512)).unwrap_or(p);
    head.windows(15).any(|w| w == b"im.truphone.com")
}

/// SOCKS5 client greeting (RFC 1928): version 5, a method count 1..=16 and exactly that
/// many method bytes.
pub fn probe_socks5_hello(p: &[u8]) -> bool {
    matches!(p, [5, n, ..] if (1..=16).contains(n) && p.len() == 2 + usize::from(*n))
}

/// SOCKS5 server method choice: version 5 and a method (0xff: none acceptable).
pub fn probe_socks5_choice(p: &[u8]) -> bool {
    matches!(p, [5, m] if *m <= 0x09 || *m >= 0x80)
}

/// SOCKS4/4a request: version 4, command CONNECT or BIND, port, address, a NUL-ended
/// user id (then a NUL-ended host name for 4a's `0.0.0.x` address).
pub fn probe_socks4_request(p: &[u8]) -> bool {
    matches!(p.first(), Some(4))
        && matches!(p.get(1), Some(1 | 2))
        && p.len() >= 9
        && p.last() == Some(&0)
        && p.len() <= 512
}

/// SOCKS4 reply: a zero version byte, a result code 90..=93, port and address.
pub fn probe_socks4_reply(p: &[u8]) -> bool {
    matches!(p, [0, 90..=93, _, _, _, _, _, _])
}

/// Reads a BER length at `at`: (length, bytes used).
fn ber_len(p: &[u8], at: usize) -> Option<(usize, usize)> {
    let b = *p.get(at)?;
    if b < 0x80 {
        return Some((usize::from(b), 1));
    }
    let n = usize::from(b & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut v = 0usize;
    for i in 0..n {
        v = (v << 8) | usize::from(*p.get(at + 1 + i)?);
    }
    Some((v, 1 + n))
}

/// LDAP (RFC 4511): an `LDAPMessage` SEQUENCE whose length covers at least the rest of
/// the payload's first message, an INTEGER message id, then an application-class
/// protocolOp tag (BindRequest 0x60 … ExtendedResponse 0x78, UnbindRequest 0x42,
/// AbandonRequest 0x50).
pub fn probe_ldap(p: &[u8]) -> bool {
    if p.first() != Some(&0x30) {
        return false;
    }
    let Some((total, n)) = ber_len(p, 1) else {
        return false;
    };
    let at = 1 + n;
    if total < 5 || at + total > p.len() + 64 * 1024 {
        return false;
    }
    if p.get(at) != Some(&0x02) {
        return false;
    }
    let Some(&idlen) = p.get(at + 1) else {
        return false;
    };
    if !(1..=4).contains(&idlen) {
        return false;
    }
    let op = at + 2 + usize::from(idlen);
    matches!(p.get(op), Some(0x60..=0x78 | 0x42 | 0x50)) && at + total >= op + 2
}

/// PostgreSQL frontend's first message: a StartupMessage (length, protocol 3.0) or
/// the SSLRequest / GSSENCRequest / CancelRequest codes.
pub fn probe_pgsql(p: &[u8]) -> bool {
    let Some(n) = be32(p, 0) else { return false };
    let Some(code) = be32(p, 4) else { return false };
    match code {
        0x0003_0000 => len(n) == p.len() && p.len() > 8 && p.last() == Some(&0),
        0x04d2_162f | 0x04d2_1630 => n == 8 && p.len() == 8,
        0x04d2_162e => n == 16 && p.len() == 16,
        _ => false,
    }
}

/// Elasticsearch transport protocol: `ES`, then a 4-byte message length covering
/// the rest of the message (at least the 13-byte request header).
pub fn probe_elasticsearch(p: &[u8]) -> bool {
    p.starts_with(b"ES")
        && be32(p, 2).is_some_and(|n| {
            let n = len(n);
            n >= 13 && n + 6 >= p.len() && n < 64 * 1024 * 1024
        })
}

/// Kafka request: size, a known API key and version, correlation id, then a
/// printable client id of the announced length (or a null one).
pub fn probe_kafka_request(p: &[u8]) -> bool {
    let Some(size) = be32(p, 0) else { return false };
    if len(size) != p.len().saturating_sub(4) || p.len() < 14 {
        return false;
    }
    let (Some(key), Some(ver)) = (be16(p, 4), be16(p, 6)) else {
        return false;
    };
    if key > 80 || ver > 20 {
        return false;
    }
    match p.get(12..14) {
        Some([0xff, 0xff]) => true,
        _ => be16(p, 12).is_some_and(|cl| cl > 0 && p.get(14..14 + cl).is_some_and(printable)),
    }
}

/// VNC / RFB: the 12-byte `RFB xxx.yyy\n` version both sides send first.
pub fn probe_rfb(p: &[u8]) -> bool {
    p.len() == 12
        && p.starts_with(b"RFB ")
        && p.get(4..7)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && p.get(7) == Some(&b'.')
        && p.get(8..11)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && p.get(11) == Some(&b'\n')
}

/// AJP13 (Apache JServ): a web-server-to-container packet `0x1234`, its length and a
/// known prefix code (forward request 2, shutdown 7, ping 8, CPing 10), or a
/// container reply `AB`, length and code 3..=6 or 9 (CPong).
pub fn probe_ajp(p: &[u8]) -> bool {
    let Some(n) = be16(p, 2) else { return false };
    let code = p.get(4).copied().unwrap_or(0);
    if n + 4 < p.len() || n == 0 {
        return false;
    }
    (p.starts_with(&[0x12, 0x34]) && matches!(code, 2 | 7 | 8 | 10))
        || (p.starts_with(b"AB") && matches!(code, 3..=6 | 9))
}

/// DCE/RPC connection-oriented PDU (TCP): version 5.0/5.1, a PDU type 0..=20, a
/// data representation of ASCII integers (either byte order) and a fragment length
/// equal to the payload.
pub fn probe_dcerpc_tcp(p: &[u8]) -> bool {
    let (Some(&5), Some(&minor), Some(&ty), Some(&drep)) =
        (p.first(), p.get(1), p.get(2), p.get(4))
    else {
        return false;
    };
    let frag = if drep & 0x10 != 0 {
        le16(p, 8)
    } else {
        be16(p, 8)
    };
    minor <= 1 && ty <= 20 && drep & 0xe0 == 0 && frag == Some(p.len()) && p.len() >= 16
}

/// DCE/RPC connectionless PDU (UDP): version 4, a PDU type 0..=10, the 80-byte header
/// and a body length that matches the payload. Returns the interface UUID's first
/// four bytes (in wire order) for the caller to name the interface.
pub fn probe_dcerpc_udp(p: &[u8]) -> Option<u32> {
    let (&4, &ty, &drep) = (p.first()?, p.get(1)?, p.get(4)?) else {
        return None;
    };
    let little = drep & 0x10 != 0;
    let body = if little { le16(p, 74)? } else { be16(p, 74)? };
    if ty > 10 || drep & 0xe0 != 0 || body + 80 != p.len() {
        return None;
    }
    if little { le32(p, 24) } else { be32(p, 24) }
}

/// First four bytes of the PROFINET IO interface UUIDs (`DEA00001-6C97-11D1-…`
/// device, `…0002` controller, `…0003` supervisor, `…0004` parameter server).
pub fn is_profinet_uuid(first: u32) -> bool {
    (0xdea0_0001..=0xdea0_0004).contains(&first)
}

/// MongoDB wire protocol: message length (little-endian) equal to the payload (or
/// longer, when the payload is a full-sized first segment), request id, response-to
/// and a known opcode.
pub fn probe_mongodb(p: &[u8]) -> bool {
    let (Some(n), Some(op)) = (le32(p, 0), le32(p, 12)) else {
        return false;
    };
    let n = len(n);
    // The whole message, or the first full-sized segment of a longer one.
    let size_ok = n == p.len() || (n > p.len() && p.len() >= 1200 && n < 48 * 1024 * 1024);
    n >= 16 && size_ok && matches!(op, 1 | 2001..=2007 | 2010..=2013)
}

/// Reads an MQTT remaining-length varint at `at`: (value, bytes used).
fn mqtt_varint(p: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut v = 0usize;
    for i in 0..4 {
        let b = *p.get(at + i)?;
        v |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// MQTT CONNECT: packet type 1, remaining length, protocol name `MQTT` (3.1.1/5) or
/// `MQIsdp` (3.1) and a protocol level 3..=5.
pub fn probe_mqtt_connect(p: &[u8]) -> bool {
    if p.first() != Some(&0x10) {
        return false;
    }
    let Some((rem, n)) = mqtt_varint(p, 1) else {
        return false;
    };
    let body = p.get(1 + n..).unwrap_or(&[]);
    rem >= body.len()
        && ((body.starts_with(b"\x00\x04MQTT") && matches!(body.get(6), Some(4 | 5)))
            || (body.starts_with(b"\x00\x06MQIsdp") && body.get(8) == Some(&3)))
}

/// MQTT PUBLISH with QoS 1 or 2: remaining length covering the payload exactly, a
/// printable topic of the announced length, then the packet identifier, returned.
pub fn mqtt_publish_id(p: &[u8]) -> Option<u16> {
    let b0 = *p.first()?;
    if b0 >> 4 != 3 || !matches!((b0 >> 1) & 3, 1 | 2) {
        return None;
    }
    let (rem, n) = mqtt_varint(p, 1)?;
    if 1 + n + rem != p.len() {
        return None;
    }
    let tl = be16(p, 1 + n)?;
    let topic = p.get(3 + n..3 + n + tl)?;
    if tl == 0 || !printable(topic) {
        return None;
    }
    be16(p, 3 + n + tl)
        .and_then(|id| u16::try_from(id).ok())
        .filter(|&id| id != 0)
}

/// MQTT PUBACK or PUBREC (the answers to a QoS 1/2 PUBLISH): the packet identifier.
pub fn mqtt_ack_id(p: &[u8]) -> Option<u16> {
    match p {
        [0x40 | 0x50, 2, hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
        _ => None,
    }
}

/// MQTT PINGREQ (client) — with [`probe_mqtt_pingresp`] from the server, a keep-alive
/// exchange of an established session.
pub fn probe_mqtt_pingreq(p: &[u8]) -> bool {
    p == [0xc0, 0x00]
}

/// MQTT PINGRESP (server).
pub fn probe_mqtt_pingresp(p: &[u8]) -> bool {
    p == [0xd0, 0x00]
}

/// WHOIS (RFC 3912) query: one printable line ended by CRLF.
pub fn probe_whois_query(p: &[u8]) -> bool {
    p.len() >= 3
        && p.len() <= 256
        && p.ends_with(b"\r\n")
        && p.get(..p.len() - 2)
            .is_some_and(|q| !q.is_empty() && printable(q))
}

/// Cassandra CQL native protocol frame: version 3..=6 (0x8x for responses), flags,
/// stream, a known opcode and a body length that matches the payload; or the
/// internode messaging magic `0xCA552DFA`.
pub fn probe_cassandra(p: &[u8]) -> bool {
    if p.starts_with(&[0xca, 0x55, 0x2d, 0xfa]) {
        return true;
    }
    let (Some(&v), Some(&flags), Some(&op)) = (p.first(), p.get(1), p.get(4)) else {
        return false;
    };
    matches!(v & 0x7f, 3..=6)
        && flags & 0xe0 == 0
        && op <= 0x10
        && be32(p, 5).is_some_and(|n| len(n) + 9 == p.len())
}

/// Ceph messenger banner: `ceph v027` (v1) or `ceph v2\n` (v2).
pub fn probe_ceph(p: &[u8]) -> bool {
    p.starts_with(b"ceph v027") || p.starts_with(b"ceph v2\n")
}

/// Cisco Skinny (SCCP): little-endian length of the rest after the first 8 bytes, a
/// header version, and a message id from the protocol's range. Walks every message
/// of the payload, which must end on a message boundary.
pub fn probe_skinny(p: &[u8]) -> bool {
    let mut at = 0usize;
    for _ in 0..16 {
        let (Some(n), Some(ver), Some(id)) = (le32(p, at), le32(p, at + 4), le32(p, at + 8)) else {
            return false;
        };
        if n < 4 || ver > 0x20 || id > 0x1ff {
            return false;
        }
        at = at.saturating_add(8).saturating_add(len(n));
        if at == p.len() {
            return true;
        }
        if at > p.len() {
            return false;
        }
    }
    false
}

/// Munin node banner: `# munin node at <host>`.
pub fn probe_munin(p: &[u8]) -> bool {
    p.starts_with(b"# munin node at ")
}

/// MySQL / MariaDB server greeting: 3-byte length matching the payload, sequence 0,
/// protocol version 10, a NUL-terminated printable server version.
pub fn probe_mysql_greeting(p: &[u8]) -> bool {
    let (Some(&a), Some(&b), Some(&c)) = (p.first(), p.get(1), p.get(2)) else {
        return false;
    };
    let n = usize::from(a) | usize::from(b) << 8 | usize::from(c) << 16;
    if n + 4 != p.len() || p.get(3) != Some(&0) || p.get(4) != Some(&10) {
        return false;
    }
    let ver = p.get(5..).unwrap_or(&[]);
    ver.iter()
        .take(64)
        .position(|&x| x == 0)
        .is_some_and(|end| {
            end >= 1
                && ver.get(..end).is_some_and(printable)
                && ver.first().is_some_and(u8::is_ascii_digit)
        })
}

/// EtherNet/IP encapsulation header (24 bytes, little-endian): a known command, the
/// data length of the rest and zero options.
pub fn probe_enip(p: &[u8]) -> bool {
    let (Some(cmd), Some(n), Some(opts)) = (le16(p, 0), le16(p, 2), le32(p, 20)) else {
        return false;
    };
    matches!(
        cmd,
        0x0001 | 0x0004 | 0x0063 | 0x0064 | 0x0065 | 0x0066 | 0x006f | 0x0070 | 0x0072 | 0x0073
    ) && n + 24 == p.len()
        && opts == 0
}

/// HiSLIP (IVI-6.1): `HS`, a message type 0..=26, control code, parameter and an
/// 8-byte payload length matching the payload.
pub fn probe_hislip(p: &[u8]) -> bool {
    p.starts_with(b"HS")
        && p.get(2).is_some_and(|&t| t <= 26)
        && be32(p, 8) == Some(0)
        && be32(p, 12).is_some_and(|n| len(n) + 16 == p.len())
}

/// AFP over TCP (DSI): flags (request 0 / reply 1), a command 1..=8, request id,
/// data offset or error code, a total length matching the payload, reserved zero.
pub fn probe_dsi(p: &[u8]) -> bool {
    matches!(p.first(), Some(0 | 1))
        && matches!(p.get(1), Some(1..=8))
        && be32(p, 8).is_some_and(|n| len(n) + 16 == p.len())
        && be32(p, 12) == Some(0)
}

/// AMQP: the `AMQP` protocol header, or 0-9-1 frames (type 1..=3 or 8, channel, size)
/// each ended by the 0xCE frame-end octet, covering the payload.
pub fn probe_amqp(p: &[u8]) -> bool {
    if p.starts_with(b"AMQP") && p.len() == 8 {
        return true;
    }
    let mut at = 0usize;
    for _ in 0..16 {
        let (Some(&ty), Some(n)) = (p.get(at), be32(p, at + 3)) else {
            return false;
        };
        if !matches!(ty, 1 | 2 | 3 | 8) {
            return false;
        }
        let end = at.saturating_add(7).saturating_add(len(n));
        if p.get(end) != Some(&0xce) {
            return false;
        }
        at = end + 1;
        if at == p.len() {
            return true;
        }
    }
    false
}

/// Citrix ICA: the `\x7f\x7fICA\0` handshake both sides send, or the Common Gateway
/// Protocol's `\x1aCGP/01` (session reliability, port 2598).
pub fn probe_ica(p: &[u8]) -> bool {
    p.starts_with(b"\x7f\x7fICA\x00") || p.starts_with(b"\x1aCGP/01")
}

/// Memcached over UDP: the 8-byte frame header (request id, sequence number, datagram
/// count, reserved zero) before a text command.
pub fn probe_memcached_udp(p: &[u8]) -> bool {
    let (Some(seq), Some(total), Some(reserved)) = (be16(p, 2), be16(p, 4), be16(p, 6)) else {
        return false;
    };
    total >= 1 && seq < total && reserved == 0 && p.get(8..).is_some_and(probe_memcached)
}

/// Git protocol (git://): a pkt-line whose 4 hex digits give its length, carrying a
/// `git-upload-pack`, `git-receive-pack` or `git-upload-archive` request.
pub fn probe_git(p: &[u8]) -> bool {
    let Some(hex) = p.get(..4) else { return false };
    let Some(n) = std::str::from_utf8(hex)
        .ok()
        .and_then(|s| usize::from_str_radix(s, 16).ok())
    else {
        return false;
    };
    let body = p.get(4..).unwrap_or(&[]);
    n <= p.len()
        && n > 4
        && (body.starts_with(b"git-upload-pack ")
            || body.starts_with(b"git-receive-pack ")
            || body.starts_with(b"git-upload-archive "))
}

/// Java RMI: `JRMI`, version 1 or 2, protocol Stream (0x4b), SingleOp (0x4c) or
/// Multiplex (0x4d).
pub fn probe_jrmi(p: &[u8]) -> bool {
    p.starts_with(b"JRMI\x00")
        && matches!(p.get(5), Some(1 | 2))
        && matches!(p.get(6), Some(0x4b..=0x4d))
}

/// NNTP server greeting: `200` or `201` then a space and a printable line.
pub fn probe_nntp_greeting(p: &[u8]) -> bool {
    (p.starts_with(b"200 ") || p.starts_with(b"201 ")) && p.ends_with(b"\r\n")
}

/// NNTP client command typical after the greeting.
pub fn probe_nntp_command(p: &[u8]) -> bool {
    [
        &b"MODE READER"[..],
        b"MODE STREAM",
        b"AUTHINFO ",
        b"CAPABILITIES",
        b"GROUP ",
        b"LIST",
        b"ARTICLE ",
        b"NEWGROUPS ",
        b"POST\r\n",
        b"IHAVE ",
        b"HELP\r\n",
        b"DATE\r\n",
        b"QUIT\r\n",
    ]
    .iter()
    .any(|c| starts_with_ci(p, c))
}

/// Oracle TNS connect packet: length matching the payload, zero checksum, type 1
/// (CONNECT), zero header checksum and a TNS version 300..=400.
pub fn probe_tns_connect(p: &[u8]) -> bool {
    be16(p, 0) == Some(p.len())
        && be16(p, 2) == Some(0)
        && p.get(4) == Some(&1)
        && be16(p, 6) == Some(0)
        && be16(p, 8).is_some_and(|v| (300..=400).contains(&v))
}

/// NoMachine NX: the version lines the client (`NXSH-<version>`) and the server
/// (`NXD-<version>`) exchange before TLS.
pub fn probe_nomachine(p: &[u8]) -> bool {
    let ver = p.strip_prefix(b"NXSH-").or_else(|| p.strip_prefix(b"NXD-"));
    ver.is_some_and(|v| {
        v.first().is_some_and(u8::is_ascii_digit) && v.len() <= 32 && v.ends_with(b"\n")
    })
}

/// rsync daemon greeting `@RSYNCD: <version>`.
pub fn probe_rsync(p: &[u8]) -> bool {
    p.starts_with(b"@RSYNCD: ")
}

/// TeamViewer over TCP: the `0x17 0x24` command magic.
pub fn probe_teamviewer_tcp(p: &[u8]) -> bool {
    p.starts_with(&[0x17, 0x24]) && p.len() >= 8
}

/// TeamViewer over UDP: the `0x17 0x24` command magic at offset 11, after the
/// datagram's header.
pub fn probe_teamviewer_udp(p: &[u8]) -> bool {
    p.len() > 13 && p.get(11..13) == Some(&[0x17, 0x24])
}

/// Lotus Notes / Domino NRPC: the 8-byte protocol header at offset 6 of the
/// client's first message.
pub fn probe_lotus_notes(p: &[u8]) -> bool {
    p.len() > 16 && p.get(6..14) == Some(&[0x00, 0x00, 0x02, 0x00, 0x00, 0x40, 0x02, 0x0f])
}

/// Redis RESP request: an array header `*<n>\r\n` then a bulk string `$<len>\r\n`.
pub fn probe_resp(p: &[u8]) -> bool {
    if p.first() != Some(&b'*') {
        return false;
    }
    let digits = p
        .get(1..)
        .unwrap_or(&[])
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    digits > 0 && p.get(1 + digits..).is_some_and(|r| r.starts_with(b"\r\n$"))
}

/// Memcached text protocol command, or a binary-protocol message (magic 0x80/0x81, a
/// known opcode, raw data type, key/extras lengths inside a body that ends the payload).
pub fn probe_memcached(p: &[u8]) -> bool {
    if matches!(p.first(), Some(0x80 | 0x81)) {
        let (Some(&op), Some(key), Some(&ext), Some(&dtype), Some(body)) =
            (p.get(1), be16(p, 2), p.get(4), p.get(5), be32(p, 8))
        else {
            return false;
        };
        return op <= 0x48
            && dtype == 0
            && key + usize::from(ext) <= len(body)
            && len(body) + 24 == p.len();
    }
    let line_end = p.ends_with(b"\r\n");
    line_end
        && [
            &b"get "[..],
            b"gets ",
            b"set ",
            b"add ",
            b"replace ",
            b"append ",
            b"prepend ",
            b"cas ",
            b"incr ",
            b"decr ",
            b"delete ",
            b"touch ",
            b"stats\r\n",
            b"stats ",
            b"version\r\n",
            b"flush_all",
        ]
        .iter()
        .any(|c| p.starts_with(c))
}

/// OpenFlow HELLO, the first message of each side: version 1..=6, type 0, a length
/// equal to the payload, no body or (1.3+) hello elements starting with a version
/// bitmap.
pub fn probe_openflow_hello(p: &[u8]) -> bool {
    let (Some(&v), Some(&0)) = (p.first(), p.get(1)) else {
        return false;
    };
    if be16(p, 2) != Some(p.len()) || !(1..=6).contains(&v) {
        return false;
    }
    // A bare HELLO, or (1.3+) one carrying a VERSIONBITMAP element (type 1).
    p.len() == 8
        || (v >= 4
            && be16(p, 8) == Some(1)
            && be16(p, 10).is_some_and(|n| n >= 8 && 8 + n <= p.len()))
}

/// ActiveMQ OpenWire: a size, the WireFormatInfo type (1) and the `ActiveMQ` magic.
pub fn probe_openwire(p: &[u8]) -> bool {
    p.get(4) == Some(&1)
        && p.get(5..13) == Some(b"ActiveMQ")
        && be32(p, 0).is_some_and(|n| len(n) + 4 >= p.len())
}

/// SMPP (v3.4/5.0) PDU: length equal to the payload, a known command id (its
/// response bit 0x80000000 allowed), a command status and a sequence number.
pub fn probe_smpp(p: &[u8]) -> bool {
    let (Some(n), Some(id)) = (be32(p, 0), be32(p, 4)) else {
        return false;
    };
    let base = id & 0x7fff_ffff;
    len(n) == p.len()
        && p.len() >= 16
        && (matches!(base, 0x01..=0x09 | 0x0b | 0x15 | 0x21 | 0x102 | 0x103 | 0x111..=0x113)
            || id == 0x8000_0000)
}

/// STOMP frame: a `CONNECT`, `STOMP` or `CONNECTED` command line.
pub fn probe_stomp(p: &[u8]) -> bool {
    [
        &b"CONNECT\n"[..],
        b"CONNECT\r\n",
        b"STOMP\n",
        b"STOMP\r\n",
        b"CONNECTED\n",
        b"CONNECTED\r\n",
    ]
    .iter()
    .any(|c| p.starts_with(c))
}

/// Check_MK agent output: `<<<check_mk>>>`.
pub fn probe_checkmk(p: &[u8]) -> bool {
    p.starts_with(b"<<<check_mk>>>")
}

/// Diameter (RFC 6733): version 1, a 3-byte length equal to the payload (or larger
/// when the payload is a full-sized segment), flags with no reserved bit, and a
/// command code of the base protocol or a common application.
pub fn probe_diameter(p: &[u8]) -> bool {
    let (Some(&1), Some(&flags)) = (p.first(), p.get(4)) else {
        return false;
    };
    let Some(n) = be32(p, 0).map(|v| len(v & 0x00ff_ffff)) else {
        return false;
    };
    let Some(code) = be32(p, 4).map(|v| v & 0x00ff_ffff) else {
        return false;
    };
    // Base protocol (RFC 6733) and the common applications' commands (credit control,
    // accounting, NASREQ, EAP, 3GPP S6a/Cx/Gx...).
    let known = matches!(
        code,
        257 | 258 | 265 | 268 | 271 | 272 | 274 | 275 | 280 | 282 | 300..=330
    );
    n >= 20
        && n % 4 == 0
        && (n == p.len() || (n > p.len() && p.len() >= 1200))
        && flags & 0x0f == 0
        && known
}

/// DRDA (IBM DB2): a DSS header (length, 0xD0 magic, format, correlation) carrying one
/// DDM command whose length fills the DSS, with a code point such as EXCSAT (0x1041).
pub fn probe_drda(p: &[u8]) -> bool {
    p.get(2) == Some(&0xd0)
        && be16(p, 0).is_some_and(|n| n >= 10 && n <= p.len())
        && be16(p, 6).is_some_and(|n| n >= 4 && be16(p, 0) == Some(n + 6))
        && be16(p, 8).is_some_and(|cp| (0x1000..=0x2fff).contains(&cp))
}

/// FastCGI: the first record of a request, FCGI_BEGIN_REQUEST (version 1, type 1, a
/// request id, content length 8, reserved zero) with a role 1..=3.
pub fn probe_fastcgi(p: &[u8]) -> bool {
    p.starts_with(&[1, 1])
        && be16(p, 4) == Some(8)
        && p.get(7) == Some(&0)
        && be16(p, 8).is_some_and(|r| (1..=3).contains(&r))
        && p.len() >= 16
}

/// Gearman binary protocol: `\0REQ` or `\0RES`, a packet type 1..=43 and a data
/// length covering the payload.
pub fn probe_gearman(p: &[u8]) -> bool {
    (p.starts_with(b"\x00REQ") || p.starts_with(b"\x00RES"))
        && be32(p, 4).is_some_and(|t| (1..=43).contains(&t))
        && be32(p, 8).is_some_and(|n| len(n) + 12 >= p.len())
}

/// PROXY protocol header (HAProxy): v1 `PROXY TCP4|TCP6|UNKNOWN` or the v2 binary
/// signature.
pub fn probe_proxy_protocol(p: &[u8]) -> bool {
    p.starts_with(b"PROXY TCP4 ")
        || p.starts_with(b"PROXY TCP6 ")
        || p.starts_with(b"PROXY UNKNOWN")
        || p.starts_with(b"\r\n\r\n\x00\r\nQUIT\n")
}

/// HL7 v2 over MLLP: the start block 0x0B then a `MSH|` segment.
pub fn probe_hl7(p: &[u8]) -> bool {
    p.starts_with(b"\x0bMSH|")
}

/// IRC client registration or server notice: `NICK`, `USER`, `PASS`, `CAP LS` lines, or
/// a `:server NOTICE` / `NOTICE AUTH` line.
pub fn probe_irc(p: &[u8]) -> bool {
    let line_ok = p.ends_with(b"\r\n") || p.ends_with(b"\n");
    let cmd = p.starts_with(b"NICK ")
        || (p.starts_with(b"USER ") && p.windows(2).any(|w| w == b" :"))
        || p.starts_with(b"CAP LS")
        || p.starts_with(b"NOTICE AUTH ")
        || (p.first() == Some(&b':')
            && p.iter()
                .take(128)
                .position(|&b| b == b' ')
                .is_some_and(|sp| {
                    p.get(sp + 1..).is_some_and(|r| {
                        r.starts_with(b"NOTICE ")
                            || r.get(..4).is_some_and(|c| {
                                c.iter().all(u8::is_ascii_digit) && c.get(3) == Some(&b' ')
                            })
                    })
                }));
    cmd && (line_ok || p.starts_with(b"USER ") || p.starts_with(b"NICK "))
}

/// Telnet (RFC 854) option negotiation: the payload opens with at least two IAC
/// commands — IAC (0xFF), then WILL/WONT/DO/DONT (0xFB..=0xFE) and an option code, or a
/// subnegotiation (0xFA) — as both sides send first.
pub fn probe_telnet(p: &[u8]) -> bool {
    let mut at = 0usize;
    let mut commands = 0;
    for _ in 0..16 {
        match (p.get(at), p.get(at + 1), p.get(at + 2)) {
            (Some(0xff), Some(0xfb..=0xfe), Some(&opt)) if opt <= 0x31 || opt == 0xff => {
                at += 3;
                commands += 1;
            }
            (Some(0xff), Some(0xfa), Some(_)) => {
                // Subnegotiation: up to IAC SE (0xFF 0xF0).
                let Some(end) = p
                    .get(at..)
                    .and_then(|r| r.windows(2).position(|w| w == [0xff, 0xf0]))
                else {
                    return false;
                };
                at += end + 2;
                commands += 1;
            }
            _ => break,
        }
    }
    commands >= 2 || (commands == 1 && at == p.len())
}

/// CORBA GIOP: `GIOP`, version 1.0..=1.3, a message type 0..=7 and a message size
/// covering the payload.
pub fn probe_giop(p: &[u8]) -> bool {
    let (Some(&major), Some(&minor), Some(&flags), Some(&ty)) =
        (p.get(4), p.get(5), p.get(6), p.get(7))
    else {
        return false;
    };
    let size = if flags & 1 != 0 {
        le32(p, 8)
    } else {
        be32(p, 8)
    };
    p.starts_with(b"GIOP")
        && major == 1
        && minor <= 3
        && ty <= 7
        && size.is_some_and(|n| len(n) + 12 >= p.len())
}

/// Apache Thrift binary protocol message (strict): version 0x8001, a message type
/// 1..=4, a printable method name of the announced length.
pub fn probe_thrift(p: &[u8]) -> bool {
    // Framed transport puts a 4-byte length before the message.
    let msg = if p.starts_with(&[0x80, 0x01]) {
        p
    } else if be32(p, 0).is_some_and(|n| len(n) + 4 == p.len()) {
        p.get(4..).unwrap_or(&[])
    } else {
        return false;
    };
    msg.starts_with(&[0x80, 0x01])
        && msg.get(2) == Some(&0)
        && matches!(msg.get(3), Some(1..=4))
        && be32(msg, 4).is_some_and(|n| {
            let n = len(n);
            (1..=128).contains(&n) && msg.get(8..8 + n).is_some_and(printable)
        })
}

/// Apache Thrift compact protocol message (as Jaeger agents send over UDP): protocol id
/// 0x82, version 1 with a message type 1..=4, a varint sequence id and a printable
/// method name of the announced (varint) length.
pub fn probe_thrift_compact(p: &[u8]) -> bool {
    if p.first() != Some(&0x82) || !matches!(p.get(1), Some(0x21 | 0x41 | 0x61 | 0x81)) {
        return false;
    }
    let mut at = 2usize;
    // Sequence id: a varint of at most 5 bytes.
    let mut ended = false;
    for _ in 0..5 {
        let Some(&b) = p.get(at) else { return false };
        at += 1;
        if b & 0x80 == 0 {
            ended = true;
            break;
        }
    }
    let Some(&n) = p.get(at) else { return false };
    let n = usize::from(n);
    ended && (1..0x80).contains(&n) && p.get(at + 1..at + 1 + n).is_some_and(printable)
}

/// CORBA MIOP (unreliable multicast inter-ORB protocol): `MIOP` and version 1.0.
pub fn probe_miop(p: &[u8]) -> bool {
    p.starts_with(b"MIOP\x10") && p.len() >= 16
}

/// BSD rsh (port 514): the client's first messages — the stderr port as decimal digits
/// and a NUL, or `locuser\0remuser\0command\0`.
pub fn probe_rsh_client(p: &[u8]) -> bool {
    if p.last() != Some(&0) || p.len() > 1024 {
        return false;
    }
    let body = p.get(..p.len() - 1).unwrap_or(&[]);
    let port = !body.is_empty() && body.len() <= 5 && body.iter().all(u8::is_ascii_digit);
    let fields = body.split(|&b| b == 0);
    let mut n = 0;
    let mut ok = true;
    for f in fields.take(4) {
        n += 1;
        ok &= printable(f);
    }
    port || (n == 3 && ok && body.first().is_some_and(|b| b.is_ascii_graphic()))
}

/// Lustre LNet over TCP: the acceptor's connection request (magic 0xACCE7100), the
/// socket LND hello (magic `"Eric"`), or a socket LND message (type 0xC1) whose
/// source and destination NIDs are TCP network addresses.
pub fn probe_lustre(p: &[u8]) -> bool {
    let magic = le32(p, 0);
    if magic == Some(0xacce_7100) && p.len() >= 16 {
        return true;
    }
    if p.starts_with(b"cirE") && p.len() >= 24 {
        return true;
    }
    // lnet_nid: 4-byte address, then the network number 0 and type SOCKLND (2).
    magic == Some(0xc1)
        && p.len() >= 40
        && p.get(28..32) == Some(&[0, 0, 2, 0])
        && p.get(36..40) == Some(&[0, 0, 2, 0])
}

/// Z39.50 (ISO 23950): a BER InitializeRequest (context tag 20, 0xB4) or
/// InitializeResponse (21, 0xB5) whose length covers the payload.
pub fn probe_z3950(p: &[u8]) -> bool {
    matches!(p.first(), Some(0xb4 | 0xb5))
        && ber_len(p, 1).is_some_and(|(n, used)| 1 + used + n == p.len())
        && matches!(p.get(2), Some(0x83 | 0x82 | 0x81 | 0x80 | 0x9f))
}

/// Veeder-Root ATG (tank gauge) serial command over TCP: SOH, `I` or `S` and a 5-digit
/// function code, ended by CR LF or nothing.
pub fn probe_atg(p: &[u8]) -> bool {
    p.first() == Some(&0x01)
        && matches!(p.get(1), Some(b'I' | b'S'))
        && p.get(2..7).is_some_and(|d| {
            d.iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        })
        && p.len() <= 64
}

/// Runs every probe of this module on `d` and counts those that accept it (the fuzz
/// target `app_apps` and the tests call it; a payload normally matches at most a few).
pub fn probe_all(d: &[u8]) -> usize {
    let hits = [
        probe_zabbix(d),
        probe_tds(d).is_some(),
        tds_all_headers(d),
        probe_fix(d),
        probe_xmpp(d),
        probe_xmpp_stanza(d),
        mentions_truphone(d),
        probe_socks5_hello(d),
        probe_socks5_choice(d),
        probe_socks4_request(d),
        probe_socks4_reply(d),
        probe_ldap(d),
        probe_pgsql(d),
        probe_elasticsearch(d),
        probe_kafka_request(d),
        probe_rfb(d),
        probe_ajp(d),
        probe_dcerpc_tcp(d),
        probe_dcerpc_udp(d).is_some(),
        probe_mongodb(d),
        probe_mqtt_connect(d),
        mqtt_publish_id(d).is_some(),
        mqtt_ack_id(d).is_some(),
        probe_mqtt_pingreq(d),
        probe_mqtt_pingresp(d),
        probe_whois_query(d),
        probe_cassandra(d),
        probe_ceph(d),
        probe_skinny(d),
        probe_munin(d),
        probe_mysql_greeting(d),
        probe_enip(d),
        probe_hislip(d),
        probe_dsi(d),
        probe_amqp(d),
        probe_ica(d),
        probe_memcached_udp(d),
        probe_git(d),
        probe_jrmi(d),
        probe_nntp_greeting(d),
        probe_nntp_command(d),
        probe_tns_connect(d),
        probe_rsync(d),
        probe_nomachine(d),
        probe_teamviewer_tcp(d),
        probe_teamviewer_udp(d),
        probe_lotus_notes(d),
        probe_resp(d),
        probe_memcached(d),
        probe_openflow_hello(d),
        probe_openwire(d),
        probe_smpp(d),
        probe_stomp(d),
        probe_checkmk(d),
        probe_diameter(d),
        probe_drda(d),
        probe_fastcgi(d),
        probe_gearman(d),
        probe_proxy_protocol(d),
        probe_hl7(d),
        probe_irc(d),
        probe_giop(d),
        probe_telnet(d),
        probe_thrift(d),
        probe_thrift_compact(d),
        probe_miop(d),
        probe_rsh_client(d),
        probe_lustre(d),
        probe_z3950(d),
        probe_atg(d),
    ];
    hits.iter().filter(|&&h| h).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as unhex;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic any probe of this module.
        #[test]
        fn probes_are_total(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = probe_all(&data);
        }
    }

    // Payloads below were extracted from public sample captures (nDPI's test set) with
    // a small script; each is the first application message of its flow.

    #[test]
    fn databases() {
        // MS SQL TDS tabular result (server reply).
        let tds = unhex("0401002200350100fd0100f9000000000000000000fd0000ba000000000000000000");
        assert_eq!(probe_tds(&tds), Some(0x04));
        assert_eq!(probe_tds(&tds[..20]), None);
        // PostgreSQL StartupMessage and SSLRequest.
        let pg =
            unhex("000000260003000075736572006f727978006461746162617365006d61696c73746f72650000");
        assert!(probe_pgsql(&pg));
        assert!(probe_pgsql(&unhex("0000000804d2162f")));
        assert!(!probe_pgsql(&pg[..20]));
        // MariaDB greeting.
        let my = unhex(
            "6a0000000a352e352e352d31302e362e31322d4d6172696144422d307562756e7475302e32322e30342e3100200000004767503d212b544800fef72d0200ff81150000000000001d0000004976374f652f59526d52313e006d7973716c5f6e61746976655f70617373776f726400",
        );
        assert!(probe_mysql_greeting(&my));
        assert!(!probe_mysql_greeting(&my[..50]));
        // MongoDB OP_QUERY.
        let mongo = unhex(
            "3b0000000000000000000000d4070000000000006162746573742e24636d640000000000ffffffff13000000106765746e6f6e6365000100000000",
        );
        assert!(probe_mongodb(&mongo));
        assert!(!probe_mongodb(&mongo[..40]));
        let mut bad_op = mongo.clone();
        bad_op[12] = 0xff;
        assert!(!probe_mongodb(&bad_op));
        // Oracle TNS CONNECT.
        let tns = unhex(
            "00d4000001000000013b012c0c412000ffff7f0800000100008e0046000008004141000000000000000000000000000000000000000000000000000020000020000000000000284445534352495054494f4e3d28434f4e4e4543545f444154413d285349443d69676f7229284349443d2850524f4752414d3d73716c706c7573406b616c692928484f53543d6b616c692928555345523d726f6f7429292928414444524553533d2850524f544f434f4c3d5443502928484f53543d31302e302e37322e3133392928504f52543d31353231292929",
        );
        assert!(probe_tns_connect(&tns));
        assert!(!probe_tns_connect(&tns[..100]));
        // Cassandra OPTIONS, and its SUPPORTED answer's header cut short.
        assert!(probe_cassandra(&unhex("040000000500000000")));
        assert!(!probe_cassandra(&unhex("0400000005000000")));
        // Redis RESP command.
        assert!(probe_resp(b"*1\r\n$7\r\nCOMMAND\r\n"));
        assert!(!probe_resp(b"*hello"));
        assert!(probe_memcached(b"stats\r\n"));
        assert!(probe_memcached_udp(
            b"\x00\x01\x00\x00\x00\x01\x00\x00stats\r\n"
        ));
        assert!(!probe_memcached_udp(
            b"\x00\x01\x00\x01\x00\x01\x00\x00stats\r\n"
        ));
        assert!(!probe_memcached(b"stats"));
    }

    #[test]
    fn brokers_and_monitoring() {
        assert!(probe_zabbix(&unhex(
            "5a425844010a0000000000000070726f632e6e756d5b5d"
        )));
        assert!(!probe_zabbix(b"ZBXD\x08\x00\x00\x00\x00\x00\x00\x00\x00"));
        assert!(probe_fix(&unhex(
            "383d464958542e312e3101393d36320133353d410134393d396f58775678766d7a71734c4661450133343d310135323d"
        )));
        assert!(!probe_fix(b"8=FIX.4.1\x0135=1\x01"));
        assert!(probe_kafka_request(&unhex(
            "000000150012000000000081000772646b61666b6100000000"
        )));
        assert!(!probe_kafka_request(&unhex(
            "000000150012000000000081000772646b61666b61000000"
        )));
        assert!(probe_elasticsearch(&unhex(
            "455300000034000000000000000108005cc66300000106782d7061636b16696e7465726e616c3a7463702f68616e6473"
        )));
        assert!(probe_amqp(&unhex(
            "01000100000021003c002800000863656c657279657610776f726b65722e68656172746265617400ce"
        )));
        assert!(!probe_amqp(&unhex(
            "01000100000021003c002800000863656c657279657610776f726b65722e68656172746265617400cf"
        )));
        assert!(probe_amqp(b"AMQP\x00\x00\x09\x01"));
        assert!(probe_smpp(&unhex(
            "00000028000000020000000000000001616268696b0070617373776f726400534d50500001000000"
        )));
        assert!(probe_stomp(&unhex(
            "53544f4d500a6163636570742d76657273696f6e3a312e310a0a00"
        )));
        assert!(probe_mqtt_connect(&unhex(
            "101100044d5154540402003c00054275733431"
        )));
        assert!(probe_mqtt_connect(b"\x10@\x00\x06MQIsdp\x03\xc2\x00\x14"));
        assert!(!probe_mqtt_connect(&unhex(
            "101100044d5154540902003c00054275733431"
        )));
        assert!(probe_munin(b"# munin node at kibana-node01\n"));
        assert!(probe_checkmk(b"<<<check_mk>>>\n"));
        // A Device-Watchdog-Request (command 280) with one Origin-Host AVP, built from
        // RFC 6733's layout.
        let dwr = unhex("0100002080000118000000000000000100000002000001084000000c61626364");
        assert!(probe_diameter(&dwr));
        assert!(!probe_diameter(&dwr[..24]));
        let mut other = dwr.clone();
        other[7] = 0x17;
        assert!(!probe_diameter(&other));
    }

    #[test]
    fn remote_access_and_proxies() {
        assert!(probe_rfb(b"RFB 004.001\n"));
        // NRPC header bytes from the protocol's published layout, after a 6-byte prefix.
        assert!(probe_lotus_notes(&unhex(
            "aa0000000000000002000040020f0000000000"
        )));
        assert!(!probe_lotus_notes(&unhex("aa0000000000000002000040020f")));
        assert!(probe_teamviewer_udp(&unhex(
            "0000000000000000000003172447500005000000"
        )));
        assert!(!probe_teamviewer_udp(&unhex("00000000000000000000031724")));
        assert!(!probe_rfb(b"RFB 004.001"));
        assert!(probe_ica(&unhex("7f7f49434100")));
        assert!(probe_socks5_hello(&[5, 2, 0, 1]));
        assert!(!probe_socks5_hello(&[5, 2, 0]));
        assert!(probe_socks5_choice(&[5, 0]));
        assert!(probe_socks4_request(&unhex("040100505db8d87700")));
        assert!(probe_socks4_reply(&unhex("005adfb20ab49cf9")));
        assert!(probe_proxy_protocol(
            b"PROXY TCP4 11.111.11.111 222.222.22.222 48502 443\r\n"
        ));
        assert!(probe_xmpp(
            b"<stream:stream to='cs-xmpp.lan' xmlns='jabber:client'"
        ));
        assert!(!probe_xmpp(b"<?xml version='1.0' ?>"));
        assert!(probe_irc(b"NICK molochtest\r\n"));
        assert!(!probe_irc(b"USER alice\r\n"));
        assert!(probe_jrmi(&unhex("4a524d4900024b")));
        assert!(probe_rsync(b"@RSYNCD: 30.0\n"));
        assert!(probe_nomachine(b"NXSH-8.10.1\n"));
        assert!(probe_nomachine(b"NXD-8.10.1\n"));
        assert!(!probe_nomachine(b"NXD-\n"));
        assert!(probe_git(&unhex(
            "303034356769742d75706c6f61642d7061636b202f636f6c6c61622d6d61696e742f776f747361702e67697400686f73743d616e6f6e73636d2e64656269616e2e6f726700"
        )));
        assert!(!probe_git(b"0045git-fetch"));
        assert!(probe_ajp(&unhex("123400010a")));
        assert!(probe_ajp(&unhex("4142000109")));
        assert!(!probe_ajp(&unhex("123400010b")));
        assert!(probe_ceph(b"ceph v027"));
        // A client's opening negotiation (terminal type, window size, speed...).
        assert!(probe_telnet(&unhex(
            "fffd03fffb18fffb1ffffb20fffb21fffb22fffb27fffd05"
        )));
        assert!(probe_telnet(&unhex("fffd18")));
        assert!(!probe_telnet(&unhex("fffd18ff")));
        assert!(!probe_telnet(b"login: "));
        assert!(probe_whois_query(b"example.com\r\n"));
        assert!(!probe_whois_query(b"\r\n"));
    }

    #[test]
    fn framed_binary() {
        let enip = unhex(
            "70003a0000010210000000001a392f000000000000000000000000000a000200a100040009133500b1002600e46a0a02200224010200060012004c022072240000ce040001004c02207224002c3d04000100",
        );
        assert!(probe_enip(&enip));
        assert!(!probe_enip(&enip[..60]));
        assert!(probe_hislip(&unhex(
            "485300000100525300000000000000076869736c697030"
        )));
        assert!(probe_dsi(&unhex(
            "000222c6000000000000000600000000110000020e1c"
        )));
        assert!(probe_skinny(&unhex(
            "100000001400000026000000010000000000000000000000"
        )));
        assert!(!probe_skinny(&unhex(
            "1000000014000000260000000100000000000000000000"
        )));
        assert!(probe_openwire(&unhex(
            "000000da014163746976654d510000000a01000000c8"
        )));
        assert!(probe_fastcgi(&unhex("01010001000800000001010000000000")));
        assert!(!probe_fastcgi(&unhex("01010001000900000001010000000000")));
        assert!(probe_drda(&unhex(
            "0089d0410001008310410039115e8482f29183836d81979793898381a38996954040d1c3c3f0f2f1f0f0f017c3f0c1f8f6c1f0f14b0111b1751ff900000000000000000016116dd4a8d7c360c896a2a3958194854040404040000c115ad1c3c3f0f2f1f0f0001814041403000724070007240f00071440000714740005000c1147d8c4c2f261d1e5d40026d00100020020106d000611a2000300162110d4e8c4c2f2c4c24040404040404040404040"
        )));
        assert!(!probe_drda(&unhex(
            "0089d0410001008210410039115e8482f29183836d81979793898381a38996954040d1c3c3f0f2f1f0f0f017c3f0c1f8f6c1f0f14b0111b1751ff900000000000000000016116dd4a8d7c360c896a2a3958194854040404040000c115ad1c3c3f0f2f1f0f0001814041403000724070007240f00071440000714740005000c1147d8c4c2f261d1e5d40026d00100020020106d000611a2000300162110d4e8c4c2f2c4c24040404040404040404040"
        )));
        assert!(probe_gearman(&unhex("0052455100000001000000027763")));
        assert!(probe_dcerpc_tcp(&[
            5, 0, 11, 3, 0x10, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0
        ]));
        assert!(!probe_dcerpc_tcp(&[
            5, 0, 11, 3, 0x10, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0
        ]));
    }
}
