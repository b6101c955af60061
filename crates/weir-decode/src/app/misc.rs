//! Small probes for protocols recognised by a signature in the first bytes: SIP, RTP,
//! SSDP, FTP control, BGP, NATS, NetBIOS name service, Dropbox LAN sync, Spotify
//! discovery, STUN.

use super::starts_with_ci;

const SIP_METHODS: [&[u8]; 14] = [
    b"INVITE ",
    b"ACK ",
    b"BYE ",
    b"CANCEL ",
    b"OPTIONS ",
    b"REGISTER ",
    b"PRACK ",
    b"SUBSCRIBE ",
    b"NOTIFY ",
    b"PUBLISH ",
    b"INFO ",
    b"REFER ",
    b"MESSAGE ",
    b"UPDATE ",
];

/// SIP (RFC 3261): a request line with a `sip:` URI or a `SIP/2.0` status line.
pub fn probe_sip(p: &[u8]) -> bool {
    if starts_with_ci(p, b"SIP/2.0 ") {
        return true;
    }
    SIP_METHODS.iter().any(|m| {
        starts_with_ci(p, m)
            && p.get(m.len()..).is_some_and(|rest| {
                starts_with_ci(rest, b"sip:")
                    || starts_with_ci(rest, b"sips:")
                    || starts_with_ci(rest, b"tel:")
            })
    })
}

/// RTP (RFC 3550): version 2, a payload type outside the RTCP range, at least a
/// 12-byte header. Weak on its own: callers use it only on non-well-known ports.
pub fn probe_rtp(p: &[u8]) -> bool {
    let [b0, b1, ..] = *p else { return false };
    let pt = b1 & 0x7f;
    p.len() >= 12 && b0 >> 6 == 2 && !(72..=95).contains(&pt) && (pt <= 34 || pt >= 96)
}

/// Most RTCP packets walked in one compound datagram.
const MAX_RTCP_PARTS: usize = 16;

/// RTCP (RFC 3550 §6): a compound datagram of version-2 packets with types 200-207 (SR,
/// RR, SDES, BYE, APP, RTPFB, PSFB, XR) whose 32-bit-word lengths add up exactly to the
/// datagram. Unencrypted RTCP only (SRTCP's trailer breaks the sum).
pub fn probe_rtcp(p: &[u8]) -> bool {
    let mut rest = p;
    for _ in 0..MAX_RTCP_PARTS {
        let Some(&[b0, pt, l0, l1]) = rest.get(..4) else {
            return false;
        };
        if b0 >> 6 != 2 || !(200..=207).contains(&pt) {
            return false;
        }
        let len = (usize::from(u16::from_be_bytes([l0, l1])) + 1) * 4;
        let Some(tail) = rest.get(len..) else {
            return false;
        };
        if tail.is_empty() {
            return true;
        }
        rest = tail;
    }
    false
}

/// The fields of an RTP header that stay (SSRC, payload type) or advance (sequence
/// number) from one packet of a stream to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Payload type (7 bits).
    pub pt: u8,
    /// Sequence number.
    pub seq: u16,
    /// Synchronisation source.
    pub ssrc: u32,
}

/// Parses an RTP header that passes [`probe_rtp`].
pub fn rtp_header(p: &[u8]) -> Option<RtpHeader> {
    if !probe_rtp(p) {
        return None;
    }
    match p.get(..12)? {
        &[_, b1, s0, s1, _, _, _, _, c0, c1, c2, c3] => Some(RtpHeader {
            pt: b1 & 0x7f,
            seq: u16::from_be_bytes([s0, s1]),
            ssrc: u32::from_be_bytes([c0, c1, c2, c3]),
        }),
        _ => None,
    }
}

/// SSDP (UPnP): `M-SEARCH * HTTP/1.1`, `NOTIFY * HTTP/1.1`, or an `HTTP/1.1 200 OK` reply
/// on port 1900.
pub fn probe_ssdp(p: &[u8]) -> bool {
    p.starts_with(b"M-SEARCH * ") || p.starts_with(b"NOTIFY * ")
}

/// FTP control (RFC 959): a `220` greeting or a typical first command.
pub fn probe_ftp(p: &[u8]) -> bool {
    (p.starts_with(b"220") && matches!(p.get(3), Some(b' ' | b'-')))
        || [
            &b"USER "[..],
            b"PASS ",
            b"SYST",
            b"FEAT",
            b"AUTH TLS",
            b"PORT ",
            b"PASV",
            b"RETR ",
            b"STOR ",
            b"TYPE ",
        ]
        .iter()
        .any(|c| starts_with_ci(p, c))
}

/// BGP (RFC 4271): 16-byte all-ones marker, then a length ≥ 19 and type 1..=5.
pub fn probe_bgp(p: &[u8]) -> bool {
    p.get(..16).is_some_and(|m| m.iter().all(|&b| b == 0xff)) && matches!(p.get(18), Some(1..=5))
}

/// NATS: `INFO {` from the server, `CONNECT {` from the client.
pub fn probe_nats(p: &[u8]) -> bool {
    p.starts_with(b"INFO {") || p.starts_with(b"CONNECT {")
}

/// NetBIOS name service (RFC 1002 §4.2): a DNS-like header and a 32-byte encoded name
/// (length byte 0x20).
pub fn probe_netbios_ns(p: &[u8]) -> bool {
    p.len() >= 12 + 34 && p.get(12) == Some(&0x20)
}

/// Dropbox LAN sync discovery: JSON with `"host_int"`.
pub fn probe_dropbox(p: &[u8]) -> bool {
    p.starts_with(b"{") && p.windows(10).take(512).any(|w| w == b"\"host_int\"")
}

/// Spotify LAN discovery: `SpotUdp0`.
pub fn probe_spotify(p: &[u8]) -> bool {
    p.starts_with(b"SpotUdp0")
}

/// STUN (RFC 5389): type with the two top bits clear, magic cookie `0x2112A442`.
pub fn probe_stun(p: &[u8]) -> bool {
    p.len() >= 20
        && p.first().is_some_and(|b| b & 0xc0 == 0)
        && p.get(4..8) == Some(&[0x21, 0x12, 0xa4, 0x42][..])
}

/// Classic STUN (RFC 3489, no magic cookie; still sent by some clients and by Zoom):
/// a Binding request/response/error or Shared Secret message type, a length field equal
/// to the rest of the datagram, and attributes that fill it exactly.
pub fn probe_stun_classic(p: &[u8]) -> bool {
    let (Some(&[t0, t1]), Some(&[l0, l1])) = (p.get(0..2), p.get(2..4)) else {
        return false;
    };
    let ty = u16::from_be_bytes([t0, t1]);
    let len = usize::from(u16::from_be_bytes([l0, l1]));
    if !matches!(ty, 0x0001 | 0x0101 | 0x0111 | 0x0002 | 0x0102 | 0x0112)
        || p.len() != 20 + len
        || len == 0
        || !len.is_multiple_of(4)
    {
        return false;
    }
    stun_attributes_fill(p.get(20..).unwrap_or(&[]))
}

/// True if `a` is a sequence of STUN attributes (type, length, value padded to 4 bytes)
/// that ends exactly at the end of `a` (at most 64 attributes).
fn stun_attributes_fill(a: &[u8]) -> bool {
    let mut rest = a;
    for _ in 0..64 {
        if rest.is_empty() {
            return true;
        }
        let Some(&[_, _, l0, l1]) = rest.get(..4) else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let padded = (len + 3) & !3;
        let Some(tail) = rest.get(4 + padded..) else {
            // The last attribute may omit its padding.
            return rest.len() == 4 + len;
        };
        rest = tail;
    }
    false
}

/// STUN over TCP (RFC 5389 §7.2.2, RFC 6544): a STUN message with the magic cookie at
/// the start of the stream, either bare or behind the 2-byte length framing of RFC 4571
/// (ICE-TCP); the message length must fit the framing.
pub fn probe_stun_tcp(p: &[u8]) -> bool {
    let len_of = |m: &[u8]| match m.get(2..4) {
        Some(&[a, b]) => Some(usize::from(u16::from_be_bytes([a, b]))),
        _ => None,
    };
    let msg_ok = |m: &[u8]| probe_stun(m) && len_of(m).is_some_and(|l| l.is_multiple_of(4));
    if msg_ok(p) {
        return true;
    }
    match (p.get(..2), p.get(2..)) {
        (Some(&[a, b]), Some(m)) => {
            let framed = usize::from(u16::from_be_bytes([a, b]));
            msg_ok(m) && len_of(m).is_some_and(|l| framed == l + 20)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;

    #[test]
    fn signatures() {
        assert!(probe_sip(b"REGISTER sip:example.com SIP/2.0\r\n"));
        assert!(probe_sip(b"SIP/2.0 200 OK\r\n"));
        assert!(!probe_sip(b"OPTIONS / HTTP/1.1"));
        assert!(probe_rtp(&[0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert!(!probe_rtp(&[0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert!(probe_ssdp(b"M-SEARCH * HTTP/1.1\r\n"));
        assert!(probe_ftp(b"220 ProFTPD\r\n"));
        let mut bgp = vec![0xff; 16];
        bgp.extend_from_slice(&[0, 19, 4]);
        assert!(probe_bgp(&bgp));
        assert!(probe_nats(b"INFO {\"server_id\"}"));
        assert!(probe_spotify(b"SpotUdp0\x01"));
        assert!(!probe_stun(&[0; 4]));
    }

    /// Two consecutive packets of an Opus stream: same SSRC and type, next sequence.
    #[test]
    fn rtp_headers() {
        let a = rtp_header(&hex("8078000200064dc0f50386f4ca3214ed")).unwrap();
        let b = rtp_header(&hex("80780003000657c0f50386f4b25c697c")).unwrap();
        assert_eq!((a.pt, a.seq, a.ssrc), (120, 2, 0xf503_86f4));
        assert_eq!((b.seq, b.ssrc), (3, a.ssrc));
        assert_eq!(rtp_header(&hex("81c8000c5d931534dd3ac170")), None, "RTCP");
    }

    /// A sender report + SDES compound from a call (the whole datagram), then
    /// variations of it.
    #[test]
    fn rtcp_compounds() {
        let compound = hex(concat!(
            "81c8000c5d931534dd3ac1704d614df800007d00000000c800007d00000000000000000100000000",
            "00000000000000000000000081ca000e5d9315340108356439333135333407254672656553574954",
            "43482e6f7267202d2d20436f6d6520746f20436c7565436f6e2e636f6d000000"
        ));
        assert_eq!(compound.len(), 112);
        assert!(probe_rtcp(&compound));
        assert!(probe_rtcp(&compound[..52]), "the sender report alone");
        assert!(!probe_rtcp(&compound[..111]), "a part running past the end");
        let mut longer = compound.clone();
        longer.extend_from_slice(&[0x81, 0xcb]);
        assert!(!probe_rtcp(&longer), "trailing bytes");
        // RTP is not RTCP; a version-3 header is neither.
        assert!(!probe_rtcp(&hex("8078000200064dc0f50386f4")));
        assert!(!probe_rtcp(&hex("c1c9000100000000")));
    }

    /// RFC 3489 Binding request and response (no cookie) from a softphone, and a Zoom
    /// client's request with its 20-byte attribute.
    #[test]
    fn stun_classic() {
        let req = hex("000100089429ef88294dd52632c72931cb8dbb4c0003000400000000");
        assert!(probe_stun_classic(&req));
        let resp = hex("0101000c9429ef88294dd52632c72931cb8dbb4c000100080001d70aac103fe0");
        assert!(probe_stun_classic(&resp));
        let zoom = hex(
            "00010018c15dae63585d14392e582c260403bf30010100143132333435363738393031323334353637383900",
        );
        assert!(probe_stun_classic(&zoom));
        // Length field off by four, an attribute running past the end, RTP.
        assert!(!probe_stun_classic(&req[..24]));
        let mut bad = req.clone();
        bad[23] = 0x08;
        assert!(!probe_stun_classic(&bad));
        assert!(!probe_stun_classic(&hex(
            "8092ae1504e9f9983aa6d92292d8852000fad4afbd2c19c8c2835fb215692dd6"
        )));
    }

    /// STUN over TCP: bare (TURN Allocate) and with the RFC 4571 length framing (ICE-TCP).
    #[test]
    fn stun_over_tcp() {
        assert!(probe_stun_tcp(&hex(
            "000300082112a442704d5356786253396b724e440019000411000000"
        )));
        let framed = hex(concat!(
            "0068000100542112a442f3439453b698fb2950bb06ed000600092f7049303a546f4564000000002400",
            "046e6bfcff80290008000000000004c2d18054000132000000807000040000000300080014fe92876a",
            "d46d7b797d42eb8d79a805faf31d72d1802800040200fc47"
        ));
        assert!(probe_stun_tcp(&framed));
        let mut wrong = framed.clone();
        wrong[1] = 0x60;
        assert!(!probe_stun_tcp(&wrong));
        assert!(!probe_stun_tcp(b"GET / HTTP/1.1\r\n\r\n"));
    }
}
