//! Messaging, calls and media: byte-level probes for WhatsApp's chat stream, Xiaomi
//! push, Threema, Viber, Discord voice, Telegram call reflectors, Zoom (media servers and
//! peer-to-peer), RTSP, RTMP, H.323, MGCP, Megaco, IAX2, BFCP, Mumble, TeamSpeak 3,
//! MPEG-TS, SSDP answers, HTTP/2's preface and WebSocket frames.
//!
//! Every function here is a pure function of the bytes it is given: it never panics,
//! never allocates and looks at a bounded number of bytes. Checks that need several
//! packets (a request and its answer) return the value to compare; the flow engine
//! keeps it between packets.

/// Progress through the first bytes of a WhatsApp client stream (see
/// [`whatsapp_step`]); fits the flow engine's per-flow DPI state (`stage`, `data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WaProgress {
    /// Which part of the preamble comes next (0: the very start).
    pub stage: u8,
    /// Part-specific counter: bytes of a magic matched, a length read so far, or
    /// bytes of routing data still to skip.
    pub data: u32,
}

/// Outcome of feeding client bytes to [`whatsapp_step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaStep {
    /// Consistent so far, the preamble is not complete yet.
    More(WaProgress),
    /// The preamble is complete: the stream is WhatsApp's.
    Match,
    /// Not WhatsApp.
    NoMatch,
}

/// Longest routing header accepted after `ED\0\1` (it carries a few bytes of edge
/// routing information).
const WA_MAX_ROUTING: u32 = 256;

const WA_START: u8 = 0;
const WA_EDGE_MAGIC: u8 = 1;
const WA_ROUTING_LEN: u8 = 2;
const WA_ROUTING: u8 = 3;
const WA_HEADER: u8 = 4;

/// WhatsApp's chat connection (TCP, usually port 443 or 5222) opens with a fixed
/// preamble from the client: an optional edge-routing block, `ED` `00 01`, a 3-byte
/// big-endian length and that many bytes of routing data, then the connection header
/// `WA` followed by a protocol major and minor version byte (`WA 01 05`, `WA 02 01`,
/// `WA 05 02`, ...). Frames with 3-byte lengths follow.
///
/// The preamble is often split over several TCP segments, so this is a resumable
/// matcher: feed the client's in-order payloads one after the other, passing back the
/// [`WaProgress`] of the previous call (start with the default).
pub fn whatsapp_step(prev: WaProgress, p: &[u8]) -> WaStep {
    let mut st = prev;
    let mut i = 0usize;
    // Every iteration consumes at least one byte (the skip consumes up to the rest),
    // so the loop ends within `p.len()` rounds.
    while let Some(&b) = p.get(i) {
        match st.stage {
            WA_START => {
                st = match b {
                    b'E' => WaProgress {
                        stage: WA_EDGE_MAGIC,
                        data: 1,
                    },
                    b'W' => WaProgress {
                        stage: WA_HEADER,
                        data: 1,
                    },
                    _ => return WaStep::NoMatch,
                };
                i += 1;
            }
            WA_EDGE_MAGIC => {
                let want = match st.data {
                    1 => b'D',
                    2 => 0,
                    3 => 1,
                    _ => return WaStep::NoMatch,
                };
                if b != want {
                    return WaStep::NoMatch;
                }
                i += 1;
                st.data += 1;
                if st.data == 4 {
                    st = WaProgress {
                        stage: WA_ROUTING_LEN,
                        data: 0,
                    };
                }
            }
            WA_ROUTING_LEN => {
                // data: bits 24.. count the length bytes read, bits 0..24 the value.
                let n = (st.data >> 24) + 1;
                let v = ((st.data & 0x00ff_ffff) << 8) | u32::from(b);
                if v > WA_MAX_ROUTING {
                    return WaStep::NoMatch;
                }
                i += 1;
                st.data = (n << 24) | v;
                if n == 3 {
                    st = if v == 0 {
                        WaProgress {
                            stage: WA_HEADER,
                            data: 0,
                        }
                    } else {
                        WaProgress {
                            stage: WA_ROUTING,
                            data: v,
                        }
                    };
                }
            }
            WA_ROUTING => {
                let left = p.len().saturating_sub(i);
                let skip = left.min(st.data as usize);
                i += skip;
                st.data -= skip as u32;
                if st.data == 0 {
                    st = WaProgress {
                        stage: WA_HEADER,
                        data: 0,
                    };
                }
            }
            WA_HEADER => {
                let ok = match st.data {
                    0 => b == b'W',
                    1 => b == b'A',
                    2 => (1..=9).contains(&b),
                    3 => b <= 0x0f,
                    _ => false,
                };
                if !ok {
                    return WaStep::NoMatch;
                }
                i += 1;
                st.data += 1;
                if st.data == 4 {
                    return WaStep::Match;
                }
            }
            _ => return WaStep::NoMatch,
        }
    }
    WaStep::More(st)
}

/// Discord voice "IP discovery" (UDP): a 74-byte packet, type `0x0001` (request) or
/// `0x0002` (response), length `70`, the 4-byte SSRC, a NUL-padded 64-byte address
/// field and a 2-byte port. Returns the type.
pub fn discord_ip_discovery(p: &[u8]) -> Option<u16> {
    if p.len() != 74 {
        return None;
    }
    match p.get(..4)? {
        [0, t @ (1 | 2), 0, 70] => {
            // The address field is text (empty in a request), padded with NULs.
            let addr = p.get(8..72)?;
            let text_len = addr.iter().position(|&b| b == 0).unwrap_or(addr.len());
            let (text, pad) = addr.split_at(text_len);
            let ok = text
                .iter()
                .all(|&b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
                && pad.iter().all(|&b| b == 0);
            ok.then_some(u16::from(*t))
        }
        _ => None,
    }
}

/// Discord voice keep-alive (UDP): 8 bytes, the magic `13 37 CA FE` then a 32-bit
/// little-endian counter.
pub fn discord_keepalive(p: &[u8]) -> bool {
    p.len() == 8 && p.starts_with(&[0x13, 0x37, 0xca, 0xfe])
}

/// Telegram call reflector (UDP): a 16-byte peer tag, then twelve `0xFF` bytes and a
/// 32-bit little-endian message type, `0xFFFFFFFE` for the client's ping or
/// `0xC01572C7` for the reflector's answer (simple, not encrypted, reflector packets).
pub fn telegram_reflector(p: &[u8]) -> bool {
    p.len() >= 32
        && p.get(16..28).is_some_and(|f| f.iter().all(|&b| b == 0xff))
        && matches!(
            p.get(28..32),
            Some([0xfe, 0xff, 0xff, 0xff] | [0xc7, 0x72, 0x15, 0xc0])
        )
}

/// A Zoom media (SFU) server port: UDP 8801-8810.
pub fn zoom_sfu_port(port: u16) -> bool {
    (8801..=8810).contains(&port)
}

/// Zoom's media-server handshake (UDP to ports 8801-8810): the client sends type `1`,
/// the server answers type `2` (then `3`); bytes 3..19 of both carry the same 16-byte
/// session id. Returns the type and the first four id bytes (to compare the answer
/// with the request).
pub fn zoom_sfu_hello(p: &[u8]) -> Option<(u8, u32)> {
    let ty = *p.first()?;
    if !(1..=2).contains(&ty) || p.len() < 24 {
        return None;
    }
    let id = p.get(3..19)?;
    // Not an all-zero id (that would be padding, not a session).
    if id.iter().all(|&b| b == 0) {
        return None;
    }
    let [a, b, c, d, ..] = *id else { return None };
    Some((ty, u32::from_be_bytes([a, b, c, d])))
}

/// Xiaomi push channel (TCP, usually port 5222): every frame starts with the magic
/// `C2 FE`, version `00 05` and a 32-bit big-endian body length (12-byte header); the
/// first frame of a segment must fit the segment or run past it.
pub fn xiaomi_push(p: &[u8]) -> bool {
    match p.get(..8) {
        Some(&[0xc2, 0xfe, 0x00, 0x05, a, b, c, d]) => {
            let body = u32::from_be_bytes([a, b, c, d]) as usize;
            body > 0 && body.saturating_add(12) >= p.len() && body < 1 << 20
        }
        _ => false,
    }
}

/// Threema's chat server handshake sizes (TCP port 5222): client hello (16-byte cookie
/// and 32-byte ephemeral key) 48 bytes, server hello 80 bytes, client login 191 bytes.
pub const THREEMA_HANDSHAKE: [usize; 3] = [48, 80, 191];

/// A Threema frame after the handshake: a 16-bit little-endian length of the rest.
pub fn threema_frame(p: &[u8]) -> bool {
    match p.get(..2) {
        Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])) + 2 == p.len(),
        _ => false,
    }
}

/// Viber's message types seen on its UDP media/relay ports.
const VIBER_UDP_TYPES: [u8; 8] = [0x01, 0x03, 0x09, 0x0c, 0x11, 0x19, 0x1a, 0x1b];

/// Viber UDP (ports 7985-7987): a 2-byte session tag repeated in every packet of the
/// flow, a message type byte and a zero byte. Returns the tag, to be compared with the
/// next packet's.
pub fn viber_udp(p: &[u8]) -> Option<u16> {
    match p.get(..4) {
        Some(&[a, b, ty, 0]) if p.len() >= 12 && VIBER_UDP_TYPES.contains(&ty) => {
            Some(u16::from_be_bytes([a, b]))
        }
        _ => None,
    }
}

/// Viber's UDP ports (media relays and the control channel's UDP side).
pub fn viber_udp_port(port: u16) -> bool {
    (7985..=7987).contains(&port)
}

/// Viber's TCP ports (4244, 5242, 5243).
pub fn viber_tcp_port(port: u16) -> bool {
    matches!(port, 4244 | 5242 | 5243)
}

/// A Viber TCP frame: a 16-bit little-endian length equal to the whole segment
/// (header included).
pub fn viber_tcp_frame(p: &[u8]) -> bool {
    match p.get(..2) {
        Some(&[a, b]) => p.len() >= 8 && usize::from(u16::from_le_bytes([a, b])) == p.len(),
        _ => false,
    }
}

/// An SSDP (UPnP discovery) answer to an M-SEARCH: an `HTTP/1.1 200 OK` over UDP that
/// carries the `ST:` (search target) and `USN:` headers.
pub fn ssdp_response(p: &[u8]) -> bool {
    if !p.starts_with(b"HTTP/1.1 200 OK\r\n") {
        return false;
    }
    let head = p.get(..1024).unwrap_or(p);
    let has = |name: &[u8]| {
        head.windows(name.len())
            .any(|w| w.eq_ignore_ascii_case(name))
    };
    has(b"\r\nST:") && has(b"\r\nUSN:")
}

/// RTSP (RFC 2326 / 7826): a status line `RTSP/1.0 ` / `RTSP/2.0 `, or a request line
/// whose version is `RTSP/1.0` or `RTSP/2.0` (the method is any token; the first line is
/// looked at up to 512 bytes).
pub fn rtsp(p: &[u8]) -> bool {
    if p.starts_with(b"RTSP/1.0 ") || p.starts_with(b"RTSP/2.0 ") {
        return true;
    }
    let head = p.get(..512).unwrap_or(p);
    let Some(eol) = head.iter().position(|&b| b == b'\r' || b == b'\n') else {
        return false;
    };
    let line = head.get(..eol).unwrap_or(&[]);
    let method_len = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    method_len > 0
        && line
            .get(..method_len)
            .is_some_and(|m| m.iter().all(|&b| b.is_ascii_uppercase() || b == b'_'))
        && (line.ends_with(b" RTSP/1.0") || line.ends_with(b" RTSP/2.0"))
}

/// H.225.0's protocol identifier as PER-encoded in RAS and call-signalling messages: an
/// object identifier of length 6, `0.0.8.2250.0.<version>`.
const H225_OID: [u8; 5] = [0x06, 0x00, 0x08, 0x91, 0x4a];
/// H.245's protocol identifier `0.0.8.245.0.<version>` (PER: length 6 then the OID).
const H245_OID: [u8; 5] = [0x06, 0x00, 0x08, 0x81, 0x75];

/// Q.931 message types used by H.225.0 call signalling.
const Q931_TYPES: [u8; 12] = [
    0x01, 0x02, 0x03, 0x05, 0x07, 0x0f, 0x5a, 0x62, 0x6e, 0x75, 0x7b, 0x7d,
];

/// H.323 over TCP: a TPKT header (RFC 1006: `03 00` and a 16-bit length covering at
/// least this segment, or the bare 4-byte header), followed by either a Q.931 message
/// (protocol discriminator `08`, a call reference of 1-2 bytes and an H.225.0 message
/// type) or an H.245 message carrying H.245's protocol identifier.
pub fn h323_tcp(p: &[u8]) -> bool {
    let Some(&[3, 0, a, b]) = p.get(..4) else {
        return false;
    };
    let len = usize::from(u16::from_be_bytes([a, b]));
    if len < 8 || (p.len() > 4 && len < p.len()) {
        return false;
    }
    let Some(body) = p.get(4..).filter(|b| !b.is_empty()) else {
        // The bare TPKT header: not enough on its own.
        return false;
    };
    if let Some(&[0x08, cref_len, ..]) = body.get(..2) {
        let cref = usize::from(cref_len);
        if (1..=2).contains(&cref) {
            return body.get(2 + cref).is_some_and(|t| Q931_TYPES.contains(t));
        }
    }
    let head = body.get(..48).unwrap_or(body);
    head.windows(H245_OID.len()).any(|w| w == H245_OID)
}

/// H.323 RAS (H.225.0 registration, admission and status, UDP 1719): a PER-encoded
/// message whose 2-byte request sequence number is followed by H.225.0's protocol
/// identifier.
pub fn h323_ras(p: &[u8]) -> bool {
    p.len() >= 12 && p.get(4..9) == Some(&H225_OID[..])
}

/// MGCP (RFC 3435) command verbs.
const MGCP_VERBS: [&[u8; 4]; 9] = [
    b"EPCF", b"CRCX", b"MDCX", b"DLCX", b"RQNT", b"NTFY", b"AUEP", b"AUCX", b"RSIP",
];

/// MGCP command (RFC 3435 §3.2.1): `<verb> <transaction id> <endpoint> MGCP <version>`
/// on the first line.
pub fn mgcp_command(p: &[u8]) -> bool {
    let Some(verb) = p.get(..4) else { return false };
    if !MGCP_VERBS.iter().any(|v| v.as_slice() == verb) || p.get(4) != Some(&b' ') {
        return false;
    }
    let head = p.get(..256).unwrap_or(p);
    let line_end = head
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(head.len());
    let line = head.get(5..line_end).unwrap_or(&[]);
    let txid_len = line.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=9).contains(&txid_len)
        && line.get(txid_len) == Some(&b' ')
        && line.windows(6).any(|w| w == b" MGCP ")
}

/// Megaco / H.248 text encoding (RFC 3525): a message starts with `MEGACO/<version>` or
/// its short form `!/<version>`, a space, then the sender's `<name>` or `[address]`.
pub fn megaco(p: &[u8]) -> bool {
    let rest = if let Some(r) = p.strip_prefix(b"MEGACO/") {
        r
    } else if let Some(r) = p.strip_prefix(b"!/") {
        r
    } else {
        return false;
    };
    matches!(rest, [b'1'..=b'3', b' ', b'<' | b'[', ..])
}

/// MPEG transport stream over UDP: two to seven 188-byte packets (one alone is too
/// little to tell), each starting with the sync byte `0x47`, without the transport
/// error flag and with a valid adaptation field control (not the reserved `00`).
pub fn mpeg_ts(p: &[u8]) -> bool {
    p.len().is_multiple_of(188)
        && (2 * 188..=7 * 188).contains(&p.len())
        && p.chunks_exact(188)
            .all(|c| matches!(c, [0x47, b1, _, b3, ..] if b1 & 0x80 == 0 && b3 & 0x30 != 0))
}

/// IAX2 (RFC 5456) full frame of the IAX control type: the F bit, a source call number,
/// timestamp, sequence numbers, frame type `6` and a control subclass (NEW, PING,
/// ACK, ...). IAX's port is 4569.
pub fn iax2_control(p: &[u8]) -> bool {
    p.len() >= 12
        && p.first().is_some_and(|b| b & 0x80 != 0)
        && p.get(10) == Some(&0x06)
        && p.get(11).is_some_and(|s| (0x01..=0x22).contains(s))
}

/// Mumble's UDP server ping (the unauthenticated "query"): the client sends 12 bytes,
/// four zero bytes and an 8-byte identifier; the server answers 24 bytes: its version,
/// the same identifier, user count, user limit and bandwidth. Returns
/// `(is_answer, first 4 identifier bytes)`.
pub fn mumble_ping(p: &[u8]) -> Option<(bool, u32)> {
    let id = |o: usize| match p.get(o..o + 4) {
        Some(&[a, b, c, d]) => Some(u32::from_be_bytes([a, b, c, d])),
        _ => None,
    };
    match p.len() {
        12 if p.get(..4) == Some(&[0, 0, 0, 0][..]) => Some((false, id(4)?)),
        24 if p.first() == Some(&0) => Some((true, id(4)?)),
        _ => None,
    }
}

/// TeamSpeak 3 connection setup (UDP): the client's first packets carry `TS3INIT1`.
pub fn teamspeak3_init(p: &[u8]) -> bool {
    p.len() >= 16 && p.starts_with(b"TS3INIT1")
}

/// Zoom's peer-to-peer hello (UDP, between two clients): a message of type `0x1F`
/// whose body carries, at byte 24, the sender's IPv4 address as length-prefixed text
/// (32-bit big-endian length) and then its 36-character meeting-client UUID, also
/// length-prefixed.
pub fn zoom_p2p_hello(p: &[u8]) -> bool {
    if p.first() != Some(&0x1f) {
        return false;
    }
    let be32 = |o: usize| match p.get(o..o + 4) {
        Some(&[a, b, c, d]) => Some(u32::from_be_bytes([a, b, c, d]) as usize),
        _ => None,
    };
    let Some(ip_len) = be32(24).filter(|l| (7..=15).contains(l)) else {
        return false;
    };
    let ip_ok = p
        .get(28..28 + ip_len)
        .is_some_and(|t| t.iter().all(|&b| b.is_ascii_digit() || b == b'.'));
    let at = 28 + ip_len;
    let uuid_ok = be32(at) == Some(36)
        && p.get(at + 4..at + 40).is_some_and(|u| {
            u.iter().enumerate().all(|(i, &b)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            })
        });
    ip_ok && uuid_ok
}

/// BFCP (RFC 8855 / 4582) common header: version 1, a primitive 1-17, then the
/// conference id. Returns `(primitive, conference id)`; a flow is BFCP when two of its
/// messages name the same conference with different primitives (a request and its
/// answer — a retransmission repeats the primitive).
pub fn bfcp_header(p: &[u8]) -> Option<(u8, u32)> {
    match p.get(..12)? {
        &[b0, prim, _, _, c0, c1, c2, c3, ..] if b0 >> 5 == 1 && (1..=17).contains(&prim) => {
            Some((prim, u32::from_be_bytes([c0, c1, c2, c3])))
        }
        _ => None,
    }
}

/// RTMP handshake (TCP, usually port 1935): C0/S0 is the version byte `3`, then C1/S1
/// starts with a 4-byte time and 4 zero bytes (1536 bytes in all, so the segment
/// carries at least the first 9).
pub fn rtmp_handshake(p: &[u8]) -> bool {
    p.len() >= 9 && p.first() == Some(&3) && p.get(5..9) == Some(&[0, 0, 0, 0][..])
}

/// HTTP/2 over cleartext with prior knowledge (RFC 9113 §3.4): the client connection
/// preface.
pub fn http2_preface(p: &[u8]) -> bool {
    p.starts_with(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
}

/// A WebSocket frame (RFC 6455 §5.2) that fills the segment exactly: FIN set, a known
/// opcode (continuation, text, binary, close, ping, pong), a 7-bit or 16-bit length
/// and, if the mask bit is set, the 4-byte mask. Returns whether it is masked (a
/// client's frame).
pub fn websocket_frame(p: &[u8]) -> Option<bool> {
    let (&b0, rest) = p.split_first()?;
    let (&b1, rest) = rest.split_first()?;
    if b0 & 0x70 != 0 || b0 & 0x80 == 0 || !matches!(b0 & 0x0f, 0 | 1 | 2 | 8 | 9 | 10) {
        return None;
    }
    let masked = b1 & 0x80 != 0;
    let (len, rest) = match b1 & 0x7f {
        127 => return None,
        126 => match rest {
            [a, b, tail @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), tail),
            _ => return None,
        },
        n => (usize::from(n), rest),
    };
    let mask = if masked { 4 } else { 0 };
    (rest.len() == len + mask).then_some(masked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;
    use proptest::prelude::*;

    fn feed(segments: &[&[u8]]) -> WaStep {
        let mut st = WaProgress::default();
        for s in segments {
            match whatsapp_step(st, s) {
                WaStep::More(n) => st = n,
                done => return done,
            }
        }
        WaStep::More(st)
    }

    /// Client segments of real WhatsApp chat connections: the edge preamble alone,
    /// then the routing block and the `WA` header split differently.
    #[test]
    fn whatsapp_preamble_split_over_segments() {
        let ed = hex("45440001");
        // Routing block, then `WA 05 02` and the start of the first frame, one segment.
        let rest = hex("000004080908025741050200010e128b020a20");
        assert_eq!(feed(&[&ed, &rest]), WaStep::Match);
        // Split: `ED..`, routing + header, frame; and a 7 + 4 byte split.
        let a = hex("0000040809080257410502");
        assert_eq!(feed(&[&ed, &a]), WaStep::Match);
        let b1 = hex("00000408090805");
        let b2 = hex("57410502");
        assert!(matches!(feed(&[&ed, &b1]), WaStep::More(_)));
        assert_eq!(feed(&[&ed, &b1, &b2]), WaStep::Match);
        // Everything in one segment (`WA 02 01`).
        let one = hex("4544000100000408050802574102010000ee12eb010a20");
        assert_eq!(feed(&[&one]), WaStep::Match);
    }

    /// An old client without the edge block: `WA 01 05` then a frame.
    #[test]
    fn whatsapp_old_header() {
        let p = hex("57410105000018f80501a59189fc10416e64726f69642d32");
        assert_eq!(feed(&[&p]), WaStep::Match);
    }

    #[test]
    fn whatsapp_rejects_others() {
        assert_eq!(feed(&[b"GET / HTTP/1.1\r\n"]), WaStep::NoMatch);
        assert_eq!(feed(&[&hex("16030102000100")]), WaStep::NoMatch);
        // `ED` with a wrong version, `WA` with a version byte out of range.
        assert_eq!(feed(&[&hex("45440002")]), WaStep::NoMatch);
        assert_eq!(feed(&[&hex("5741ff05")]), WaStep::NoMatch);
        // A huge routing length.
        assert_eq!(feed(&[&hex("45440001ffffff")]), WaStep::NoMatch);
        // The header must follow the routing block exactly.
        assert_eq!(feed(&[&hex("454400010000020102ff")]), WaStep::NoMatch);
    }

    /// Discord's IP discovery request and answer, and its keep-alive, from a voice
    /// session.
    #[test]
    fn discord_voice_packets() {
        let mut req = hex("000100460000ace3");
        req.resize(72, 0);
        req.extend_from_slice(&hex("6f74"));
        assert_eq!(discord_ip_discovery(&req), Some(1));
        let mut resp = hex("000200460000ace3");
        resp.extend_from_slice(b"84.59.132.100");
        resp.resize(72, 0);
        resp.extend_from_slice(&hex("e263"));
        assert_eq!(discord_ip_discovery(&resp), Some(2));
        // Wrong length field, wrong size, binary garbage in the address.
        let mut bad = resp.clone();
        bad[3] = 0x45;
        assert_eq!(discord_ip_discovery(&bad), None);
        assert_eq!(discord_ip_discovery(&resp[..73]), None);
        let mut bin = resp.clone();
        bin[30] = 0x99;
        assert_eq!(discord_ip_discovery(&bin), None);
        assert!(discord_keepalive(&hex("1337cafe0e000000")));
        assert!(!discord_keepalive(&hex("1337cafe0e00000000")));
        assert!(!discord_keepalive(&hex("1337cafd0e000000")));
    }

    /// A Telegram reflector ping and its answer (peer tag, twelve 0xFF, type).
    #[test]
    fn telegram_reflector_ping() {
        let ping =
            hex("dc4c00291565b7acbc236da9eda0d597fffffffffffffffffffffffffeffffff28f946112601a2f0");
        assert!(telegram_reflector(&ping));
        let pong = hex(
            "dc4c00291565b7acbc236da9eda0d597ffffffffffffffffffffffffc77215c060dab25e28f946112601a2f000000000",
        );
        assert!(telegram_reflector(&pong));
        let mut other = ping.clone();
        other[28] = 0x01;
        assert!(!telegram_reflector(&other));
        assert!(!telegram_reflector(&ping[..31]));
    }

    /// Zoom's media-server hello and answer echo the session id.
    #[test]
    fn zoom_sfu_session() {
        let hello = hex(
            "0100027d464d35fffda234495d0d6d3b51e8960000000000000002007a002a007a002a000000400e173ddf96025efb95",
        );
        let answer = hex("0200017d464d35fffda234495d0d6d3b51e896005a0e3e007a002a0000000000000000");
        let (t1, id1) = zoom_sfu_hello(&hello).unwrap();
        let (t2, id2) = zoom_sfu_hello(&answer).unwrap();
        assert_eq!((t1, t2), (1, 2));
        assert_eq!(id1, id2);
        assert_eq!(zoom_sfu_hello(&hex("0300000001762a8d74005a0e3e")), None);
        assert!(zoom_sfu_port(8801) && !zoom_sfu_port(8800));
    }

    /// A Xiaomi push hello (client) and answer (server); a continuation segment.
    #[test]
    fn xiaomi_push_frames() {
        let hello = hex("c2fe0005000000ac000200160000008e08001a0a7869616f6d692e636f6d");
        assert!(xiaomi_push(&hello));
        let mut answer =
            hex("c2fe000500000036000200160000001808001a0a7869616f6d692e636f6d2a04434f4e4e");
        answer.resize(66, 0);
        assert!(xiaomi_push(&answer));
        answer.push(0);
        assert!(!xiaomi_push(&answer), "longer than its frame");
        assert!(!xiaomi_push(&hex("c2fe000600000036")));
    }

    #[test]
    fn threema_and_viber_frames() {
        assert!(threema_frame(&[3, 0, 1, 2, 3]));
        assert!(!threema_frame(&[3, 0, 1, 2]));
        // Viber relay packets of one flow share the 2-byte tag.
        let a = hex("edf61900ac19358c8f64e44725df4d4ee1cd371b5c9abc26d9d30b4b01bb39b30000");
        let b = hex("edf61a00ac19358c8f64e44732437c5e43b800c8");
        assert_eq!(viber_udp(&a), Some(0xedf6));
        assert_eq!(viber_udp(&b), Some(0xedf6));
        assert_eq!(viber_udp(&hex("edf6ff00ac19358c8f64e447")), None);
        assert!(viber_udp_port(7985) && !viber_udp_port(7984));
        let mut frame = hex("65000a0000002ed0a1f6d200d4f2f71503a1795e");
        frame.resize(101, 0x5a);
        assert!(viber_tcp_frame(&frame));
        assert!(!viber_tcp_frame(&frame[..100]));
        assert!(viber_tcp_port(4244) && !viber_tcp_port(443));
    }

    #[test]
    fn ssdp_answer() {
        let p = b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://10.0.0.149:49152/d.xml\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n";
        assert!(ssdp_response(p));
        assert!(!ssdp_response(
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        ));
    }

    #[test]
    fn rtsp_lines() {
        assert!(rtsp(
            b"OPTIONS rtsp://10.2.2.2:8554/ RTSP/1.0\r\nCSeq: 2\r\n"
        ));
        assert!(rtsp(
            b"SETUP rtsp://172.28.4.26:8554/trackID=88 RTSP/1.0\r\nCSeq: 4\r\n"
        ));
        assert!(rtsp(b"GET_PARAMETER rtsp://10.2.2.2:8554/ RTSP/1.0\r\n"));
        assert!(rtsp(b"RTSP/1.0 200 OK\r\nCSeq: 2\r\n"));
        assert!(!rtsp(b"GET / HTTP/1.1\r\n"));
        assert!(
            !rtsp(b"OPTIONS rtsp://10.2.2.2:8554/ RTSP/1.0"),
            "no line end"
        );
        assert!(!rtsp(b"get rtsp://x RTSP/1.0\r\n"));
    }

    /// H.225.0 SETUP and CALL PROCEEDING over TPKT, an H.245 TerminalCapabilitySet, a RAS
    /// request and confirm, from real calls.
    #[test]
    fn h323_signalling() {
        let setup =
            hex("030000a0080277f40504038090a528086d2e6a656d6563007e00850520a8060008914a0004014006");
        assert!(h323_tcp(&setup), "SETUP (segment shorter than its TPKT)");
        let proceeding =
            hex("030000400802f7f4027e0034052180060008914a000322c0000000000333313069005200f0c01100");
        assert!(h323_tcp(&proceeding));
        let h245 = hex("0300001c0230010600088175000500801bc520401d00800000001bc5");
        assert!(h323_tcp(&h245));
        assert!(!h323_tcp(&hex("0300002b")), "bare TPKT header");
        // RDP's X.224 Connection Request is TPKT too, but no H.323.
        assert!(!h323_tcp(&hex("030000130ee000000000000100080003000000")));
        let rrq =
            hex("02200000060008914a0004001102007c07f22200ae01003d0001030085c89a51208003014000");
        assert!(h323_ras(&rrq));
        let grq =
            hex("0e804692060008914a00060001000a2fd0cc06b801000a2fd0cc06b722c0820101000754616e6462");
        assert!(h323_ras(&grq));
        assert!(!h323_ras(&rrq[..11]));
    }

    /// MGCP commands from a gateway restart and a notification request; a response
    /// line is not a command.
    #[test]
    fn mgcp_commands() {
        assert!(mgcp_command(
            b"RQNT 1 *@gateway44.myplace.com MGCP 0.1\r\nX: 1\r\n"
        ));
        assert!(mgcp_command(
            b"RSIP 262662134 *@vg224 MGCP 0.1\nRM: graceful\n"
        ));
        assert!(!mgcp_command(b"200 262662134 \n"));
        assert!(!mgcp_command(b"RSIP x *@vg224 MGCP 0.1\n"));
        assert!(!mgcp_command(b"RSIP 1 *@vg224 HTTP/1.1\n"));
    }

    #[test]
    fn megaco_and_mpeg_ts() {
        assert!(megaco(b"!/1 <iMSS>\nT=555282713{C=-{AV=DS/1/5{AT{M}}}}"));
        assert!(megaco(b"!/1 [10.23.1.42]:2944 P = 555282713{"));
        assert!(megaco(b"MEGACO/1 [10.0.0.1]:2944\r\n"));
        assert!(!megaco(b"!/1 T=1"));
        // Seven packets as a set-top box multicasts them (PID 0x101, payload only).
        let mut ts = vec![0u8; 1316];
        for c in ts.chunks_mut(188) {
            c[..4].copy_from_slice(&[0x47, 0x01, 0x01, 0x17]);
        }
        assert!(mpeg_ts(&ts));
        assert!(!mpeg_ts(&ts[..188]), "one packet alone");
        let mut bad = ts.clone();
        bad[188 * 3] = 0x48;
        assert!(!mpeg_ts(&bad));
        let mut err = ts.clone();
        err[188 + 1] |= 0x80;
        assert!(!mpeg_ts(&err), "transport error flag");
        assert!(!mpeg_ts(&ts[..100]));
    }

    /// An IAX2 NEW from a call setup and its ACK; RTP is not IAX.
    #[test]
    fn iax2_frames() {
        assert!(iax2_control(&hex(
            "8004000000000001000006010b020002010c34343230"
        )));
        assert!(iax2_control(&hex("801700040000000100010604")));
        assert!(!iax2_control(&hex("80000001000000000000000000000000")));
    }

    /// Mumble's ping and the server's answer echo the identifier.
    #[test]
    fn mumble_and_teamspeak() {
        let q = hex("0000000003d72000fa76287e");
        let a = hex("0001030403d72000fa76287e000000000000006400011940");
        let (qa, qid) = mumble_ping(&q).unwrap();
        let (aa, aid) = mumble_ping(&a).unwrap();
        assert!(!qa && aa && qid == aid);
        assert_eq!(mumble_ping(&q[..11]), None);
        assert!(teamspeak3_init(&hex(
            "545333494e49543100650000880dd05766005f5916e0ade76b610000000000000000"
        )));
        assert!(!teamspeak3_init(b"TS3INIT1"));
    }

    /// A Zoom client's peer-to-peer hello (its LAN address and client UUID).
    #[test]
    fn zoom_p2p() {
        let p = hex(concat!(
            "1f0201000800010004005c9b637b0000006400000062a04c0000000d3139322e3136382e312e3232",
            "360000002441463036354438382d414139422d344138312d383041342d4238354344333431423932",
            "3100000000"
        ));
        assert!(zoom_p2p_hello(&p));
        let mut bad = p.clone();
        bad[31] = b'x';
        assert!(!zoom_p2p_hello(&bad));
        let mut other = p.clone();
        other[0] = 0x1e;
        assert!(!zoom_p2p_hello(&other));
        assert!(!zoom_p2p_hello(&p[..60]));
    }

    #[test]
    fn bfcp_request_and_status() {
        let req = bfcp_header(&hex("200300010000000100020504")).unwrap();
        let status = bfcp_header(&hex("200400010000000100020504")).unwrap();
        assert_eq!((req, status), ((3, 1), (4, 1)));
        assert_eq!(bfcp_header(&hex("201200010000000100020504")), None);
        // Version 2 is not taken: QUIC short headers (0x40-0x7f) would look like it.
        assert_eq!(bfcp_header(&hex("400300010000000100020504")), None);
        assert_eq!(bfcp_header(&hex("600300010000000100020504")), None);
        assert_eq!(bfcp_header(&hex("2003000100000001000205")), None);
    }

    #[test]
    fn rtmp_http2_websocket() {
        assert!(rtmp_handshake(&hex(
            "030007aa5700000000c4ff95ff1affe3ffc000c1"
        )));
        assert!(rtmp_handshake(&hex("033dd5b7000000000001007600ef003c")));
        assert!(!rtmp_handshake(&hex(
            "030000130ee000000000000100080003000000"
        )));
        assert!(http2_preface(&hex(concat!(
            "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a000012040000000000000200000000",
            "000400400000000600a00000000004080000000000"
        ))));
        assert!(!http2_preface(b"PRI * HTTP/1.1\r\n"));
        let server = hex("811757656c636f6d652c203139322e3136382e34332e312021");
        let client = hex("818ce17e8eb9951bfdcdc113ebca921fe9dc");
        assert_eq!(websocket_frame(&server), Some(false));
        assert_eq!(websocket_frame(&client), Some(true));
        assert_eq!(websocket_frame(&server[..24]), None);
        assert_eq!(websocket_frame(&hex("831757")), None, "reserved opcode");
    }

    proptest! {
        /// Arbitrary bytes never panic any probe, from any starting state.
        #[test]
        fn voip_probes_are_total(data in proptest::collection::vec(any::<u8>(), 0..600), stage in 0u8..6, d in any::<u32>()) {
            let _ = whatsapp_step(WaProgress { stage, data: d }, &data);
            let _ = whatsapp_step(WaProgress::default(), &data);
            let _ = discord_ip_discovery(&data);
            let _ = discord_keepalive(&data);
            let _ = telegram_reflector(&data);
            let _ = zoom_sfu_hello(&data);
            let _ = (rtmp_handshake(&data), http2_preface(&data), websocket_frame(&data));
            let _ = (rtsp(&data), h323_tcp(&data), h323_ras(&data), zoom_p2p_hello(&data), bfcp_header(&data));
            let _ = (mgcp_command(&data), megaco(&data), mpeg_ts(&data), iax2_control(&data), mumble_ping(&data), teamspeak3_init(&data));
            let _ = (xiaomi_push(&data), threema_frame(&data), viber_udp(&data), viber_tcp_frame(&data), ssdp_response(&data));
        }
    }
}
