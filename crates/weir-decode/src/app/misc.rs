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

#[cfg(test)]
mod tests {
    use super::*;

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
}
