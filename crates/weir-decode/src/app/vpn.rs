//! Probes for VPNs, tunnels and encrypted-DNS transports: IPsec IKE/ESP, OpenVPN,
//! WireGuard, DTLS, DNSCrypt, Avast SecureDNS, tinc, SoftEther, Cisco VPN.
//!
//! Each probe looks at one datagram or TCP segment and answers whether it has the
//! protocol's fixed layout; the flow engine combines them with direction and packet
//! order where one packet alone is not enough.

use super::{be16, be32};

/// An IKE (ISAKMP, RFC 2408 / RFC 7296) message: 8-byte initiator SPI (non-zero),
/// responder SPI, next payload, version 1.0 or 2.0, a known exchange type, and a
/// length field equal to the message's size. `p` starts at the ISAKMP header (strip
/// the 4-byte non-ESP marker on port 4500 with [`strip_non_esp_marker`]).
pub fn probe_ike(p: &[u8]) -> bool {
    let Some(len) = be32(p, 24) else { return false };
    let init_spi_zero = p.get(..8).is_none_or(|s| s.iter().all(|&b| b == 0));
    let next = p.get(16).copied().unwrap_or(0xff);
    let version = p.get(17).copied().unwrap_or(0);
    let exchange = p.get(18).copied().unwrap_or(0);
    let exchange_ok = match version {
        // IKEv1: Base, Identity protection, Auth only, Aggressive, Informational,
        // Transaction (mode config), Quick mode, New group mode.
        0x10 => matches!(exchange, 0..=6 | 32 | 33),
        // IKEv2: IKE_SA_INIT .. INFORMATIONAL, IKE_SESSION_RESUME, intermediate.
        0x20 => matches!(exchange, 34..=38 | 43 | 44),
        _ => false,
    };
    !init_spi_zero
        && exchange_ok
        && (next <= 53 || next >= 128)
        && usize::try_from(len).is_ok_and(|l| l == p.len() && l >= 28)
}

/// The IKE message after the 4-byte all-zero non-ESP marker of NAT traversal
/// (RFC 3948 §2.2), if `p` starts with one.
pub fn strip_non_esp_marker(p: &[u8]) -> Option<&[u8]> {
    match p.get(..4)? {
        [0, 0, 0, 0] => p.get(4..),
        _ => None,
    }
}

/// An ESP packet (RFC 4303) carried in UDP: a non-zero SPI outside the reserved range
/// 1..=255, a sequence number, and room for an IV and ICV.
pub fn probe_esp(p: &[u8]) -> bool {
    be32(p, 0).is_some_and(|spi| spi > 255) && be32(p, 4).is_some_and(|s| s > 0) && p.len() >= 24
}

/// OpenVPN opcodes (`first byte >> 3`).
pub mod openvpn_op {
    /// `P_CONTROL_HARD_RESET_CLIENT_V1`.
    pub const HARD_RESET_CLIENT_V1: u8 = 1;
    /// `P_CONTROL_HARD_RESET_SERVER_V1`.
    pub const HARD_RESET_SERVER_V1: u8 = 2;
    /// `P_CONTROL_HARD_RESET_CLIENT_V2`.
    pub const HARD_RESET_CLIENT_V2: u8 = 7;
    /// `P_CONTROL_HARD_RESET_SERVER_V2`.
    pub const HARD_RESET_SERVER_V2: u8 = 8;
    /// `P_CONTROL_HARD_RESET_CLIENT_V3` (tls-crypt-v2).
    pub const HARD_RESET_CLIENT_V3: u8 = 10;
}

/// An OpenVPN control packet as seen on the wire: the opcode, the sender's 8-byte
/// session id, and the bytes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenVpnPacket<'a> {
    /// Opcode (`first byte >> 3`, see [`openvpn_op`]).
    pub opcode: u8,
    /// Key id (low 3 bits of the first byte).
    pub key_id: u8,
    /// The sender's session id.
    pub session_id: &'a [u8],
    /// Everything after the session id (HMAC, packet id, ACK array, ...).
    pub rest: &'a [u8],
}

/// Splits an OpenVPN packet. Over TCP (`tcp`), the 2-byte length prefix must equal
/// the rest of the segment's first packet.
pub fn openvpn_packet(p: &[u8], tcp: bool) -> Option<OpenVpnPacket<'_>> {
    let p = if tcp {
        let len = usize::from(be16(p, 0)?);
        p.get(2..2usize.checked_add(len)?)?
    } else {
        p
    };
    let first = *p.first()?;
    Some(OpenVpnPacket {
        opcode: first >> 3,
        key_id: first & 7,
        session_id: p.get(1..9)?,
        rest: p.get(9..)?,
    })
}

/// An OpenVPN client's first packet: a hard reset (V1, V2 or V3) with key id 0.
pub fn probe_openvpn_client_reset(p: &[u8], tcp: bool) -> Option<OpenVpnPacket<'_>> {
    use openvpn_op::*;
    let pkt = openvpn_packet(p, tcp)?;
    let ok = matches!(
        pkt.opcode,
        HARD_RESET_CLIENT_V1 | HARD_RESET_CLIENT_V2 | HARD_RESET_CLIENT_V3
    ) && pkt.key_id == 0
        && pkt.rest.len() >= 5;
    ok.then_some(pkt)
}

/// An OpenVPN server's answer to a hard reset: a server hard reset with key id 0.
pub fn probe_openvpn_server_reset(p: &[u8], tcp: bool) -> Option<OpenVpnPacket<'_>> {
    use openvpn_op::*;
    let pkt = openvpn_packet(p, tcp)?;
    let ok = matches!(pkt.opcode, HARD_RESET_SERVER_V1 | HARD_RESET_SERVER_V2)
        && pkt.key_id == 0
        && pkt.rest.len() >= 5;
    ok.then_some(pkt)
}

/// True if `reply` (after the server's session id) acknowledges the client whose
/// session id starts with `client_sid4`: the remote session id follows the ACK array,
/// after an optional HMAC and replay block (none, SHA-1, SHA-256 or SHA-512).
pub fn openvpn_acks_session(reply: &[u8], client_sid4: [u8; 4]) -> bool {
    // Positions of the remote session id: [hmac + 8-byte replay] + ack count (1) +
    // one acked packet id (4).
    [0usize, 16 + 8, 20 + 8, 32 + 8, 64 + 8]
        .iter()
        .any(|&skip| {
            let at = skip + 1;
            let n = usize::from(reply.get(skip).copied().unwrap_or(0));
            (1..=8).contains(&n)
                && reply
                    .get(at + 4 * n..at + 4 * n + 4)
                    .is_some_and(|s| s == client_sid4)
        })
}

/// WireGuard message (the type byte followed by three reserved zero bytes, with the
/// size each type has): 1 handshake initiation (148), 2 response (92), 3 cookie reply
/// (64), 4 transport data (16-byte header + a multiple of 16 bytes, counter below
/// 2^32). Returns the message type.
pub fn probe_wireguard(p: &[u8]) -> Option<u8> {
    let ty = *p.first()?;
    if p.get(1..4)? != [0, 0, 0] {
        return None;
    }
    let ok = match ty {
        1 => p.len() == 148,
        2 => p.len() == 92,
        3 => p.len() == 64,
        4 => p.len() >= 32 && p.len().is_multiple_of(16) && p.get(12..16)? == [0, 0, 0, 0],
        _ => false,
    };
    ok.then_some(ty)
}

/// A PPTP control message (RFC 2637, TCP): a 16-bit length equal to the segment's, the
/// control message type 1 and the magic cookie `1A 2B 3C 4D`.
pub fn probe_pptp(p: &[u8]) -> bool {
    be16(p, 0).is_some_and(|l| usize::from(l) == p.len())
        && be16(p, 2) == Some(1)
        && be32(p, 4) == Some(0x1a2b_3c4d)
}

/// A Tailscale "disco" message (NAT traversal pings and pongs next to WireGuard): the
/// magic `TS` and the speech-balloon emoji, the sender's 32-byte key and a 24-byte
/// nonce, then the sealed message.
pub fn probe_tailscale_disco(p: &[u8]) -> bool {
    p.len() >= 62 && p.starts_with(b"TS\xf0\x9f\x92\xac")
}

/// DTLS record versions: DTLS 1.0 (`FE FF`), 1.2 (`FE FD`), 1.3 (`FE FC`) and the
/// pre-standard OpenSSL/Cisco `01 00`.
fn dtls_version(v: u16) -> bool {
    matches!(v, 0xfeff | 0xfefd | 0xfefc | 0x0100)
}

/// A DTLS record (RFC 6347 §4.1): content type 20..=25, a DTLS version, 2-byte epoch,
/// 6-byte sequence number, and a length that fits in the datagram. Handshake records
/// of epoch 0 must also carry a known handshake type. Returns the content type.
pub fn probe_dtls(p: &[u8]) -> Option<u8> {
    let ty = *p.first()?;
    if !(20..=25).contains(&ty) || !dtls_version(be16(p, 1)?) {
        return None;
    }
    let epoch = be16(p, 3)?;
    let len = usize::from(be16(p, 11)?);
    if len == 0 || 13 + len > p.len() {
        return None;
    }
    if ty == 22 && epoch == 0 {
        // ClientHello, ServerHello, HelloVerifyRequest, Certificate, ServerKeyExchange,
        // CertificateRequest, ServerHelloDone, CertificateVerify, ClientKeyExchange,
        // Finished.
        let hs = *p.get(13)?;
        if !matches!(hs, 1 | 2 | 3 | 11..=16 | 20) {
            return None;
        }
    }
    Some(ty)
}

/// DNSCrypt (v1 and v2): a server reply starting with the `r6fnvWj8` magic, or a
/// certificate query for `2.dnscrypt-cert.<provider>` (a DNS question whose name
/// starts with the labels `2` and `dnscrypt…`).
pub fn probe_dnscrypt(p: &[u8]) -> bool {
    if p.len() >= 64 && p.starts_with(b"r6fnvWj8") {
        return true;
    }
    p.get(13..23)
        .is_some_and(|s| s.eq_ignore_ascii_case(b"2\rdnscrypt"))
        && p.len() > 23
}

/// Avast SecureDNS: a DNS query (one question) whose name starts with the labels
/// `2` and `securedns` (letter case randomised by the client).
pub fn probe_avast_securedns(p: &[u8]) -> bool {
    p.len() >= 34
        && p.get(4..6) == Some(&[0, 1][..])
        && p.get(11..15) == Some(&[0, 1, 0x32, 9][..])
        && p.get(15..24)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"securedns"))
}

/// tinc (1.0/1.1 meta protocol): the first line is `0 <name> 17[.x]` (ID request,
/// protocol version 17) terminated by a newline.
pub fn probe_tinc(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"0 ") else {
        return false;
    };
    let line_end = rest.iter().take(128).position(|&b| b == b'\n');
    let Some(line) = line_end.and_then(|e| rest.get(..e)) else {
        return false;
    };
    let mut parts = line.split(|&b| b == b' ');
    let name = parts.next().unwrap_or(&[]);
    let ver = parts.next().unwrap_or(&[]);
    !name.is_empty()
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && (ver == b"17" || ver.starts_with(b"17."))
        && parts.next().is_none()
}

/// SoftEther VPN over UDP: the server's `IP=<address>,PORT=<port>` answer to the
/// client's one-byte `A` probe.
pub fn probe_softether_ip_port(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"IP=") else {
        return false;
    };
    let Some(sep) = rest.windows(6).take(64).position(|w| w == b",PORT=") else {
        return false;
    };
    let ip = rest.get(..sep).unwrap_or(&[]);
    let port = rest.get(sep + 6..).unwrap_or(&[]);
    !ip.is_empty()
        && ip
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':'))
        && (1..=5).contains(&port.len())
        && port.iter().all(u8::is_ascii_digit)
}

/// SoftEther's binary "PACK" serialisation, which must fill the datagram exactly: an
/// element count, then per element a length-prefixed name (length counts a trailing
/// byte), a value type (int, data, string, unicode string, int64), a value count and
/// the values.
pub fn probe_softether_pack(p: &[u8]) -> bool {
    let mut r = super::Reader::new(p);
    let Some(count) = r.u32() else { return false };
    if count == 0 || count > 64 {
        return false;
    }
    for _ in 0..count {
        let Some(name_len) = r.u32().and_then(|n| usize::try_from(n).ok()) else {
            return false;
        };
        if !(2..=64).contains(&name_len) {
            return false;
        }
        let name_ok = r
            .take(name_len - 1)
            .is_some_and(|n| n.iter().all(|b| b.is_ascii_graphic()));
        let (Some(ty), Some(nvals)) = (r.u32(), r.u32()) else {
            return false;
        };
        if !name_ok || nvals == 0 || nvals > 64 {
            return false;
        }
        for _ in 0..nvals {
            let ok = match ty {
                0 => r.skip(4).is_some(),
                4 => r.skip(8).is_some(),
                1..=3 => r
                    .u32()
                    .and_then(|n| usize::try_from(n).ok())
                    .is_some_and(|n| r.skip(n).is_some()),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    r.remaining() == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic any probe of this module.
        #[test]
        fn probes_are_total(d in proptest::collection::vec(any::<u8>(), 0..600), sid in any::<[u8; 4]>()) {
            let d = &d[..];
            let _ = (probe_ike(d), strip_non_esp_marker(d).map(probe_ike), probe_esp(d));
            let _ = (openvpn_packet(d, true), openvpn_packet(d, false));
            let _ = (probe_openvpn_client_reset(d, false), probe_openvpn_server_reset(d, true));
            let _ = openvpn_acks_session(d, sid);
            let _ = (probe_wireguard(d), probe_dtls(d), probe_dnscrypt(d), probe_tailscale_disco(d), probe_pptp(d));
            let _ = (probe_avast_securedns(d), probe_tinc(d), probe_softether_ip_port(d), probe_softether_pack(d));
        }
    }

    #[test]
    fn ike_v2_sa_init() {
        // IKE_SA_INIT request header from an strongSwan capture (esp.pcapng), with
        // the length set to this excerpt's size.
        let mut p = hex("05ac0f4d122013f40000000000000000212022080000000000000166");
        assert!(!probe_ike(&p));
        p.extend_from_slice(&[0; 0x166 - 28]);
        assert!(probe_ike(&p));
        let mut natt = vec![0, 0, 0, 0];
        natt.extend_from_slice(&p);
        assert!(strip_non_esp_marker(&natt).is_some_and(probe_ike));
        // Zero initiator SPI is not IKE.
        p[..8].fill(0);
        assert!(!probe_ike(&p));
    }

    #[test]
    fn openvpn_reset_exchange() {
        // openvpn.pcap: client hard reset v2 and the server's answer (no HMAC).
        let c = hex("38334857703d96db390000000000");
        let s = hex("40d31c3a6964602fa00100000000334857703d96db3900000000");
        let cp = probe_openvpn_client_reset(&c, false).unwrap();
        assert_eq!(cp.opcode, openvpn_op::HARD_RESET_CLIENT_V2);
        let sp = probe_openvpn_server_reset(&s, false).unwrap();
        let sid = [
            cp.session_id[0],
            cp.session_id[1],
            cp.session_id[2],
            cp.session_id[3],
        ];
        assert!(openvpn_acks_session(sp.rest, sid));
        assert!(!openvpn_acks_session(sp.rest, [1, 2, 3, 4]));
        // Over TCP with the length prefix.
        let t = hex("000e38507a28a78275788d0000000000");
        assert!(probe_openvpn_client_reset(&t, true).is_some());
        assert!(probe_openvpn_client_reset(&t[1..], true).is_none());
    }

    #[test]
    fn wireguard_messages() {
        let mut init = hex("01000000d837d0305fcec7c8");
        init.resize(148, 0x5a);
        assert_eq!(probe_wireguard(&init), Some(1));
        init.push(0);
        assert_eq!(probe_wireguard(&init), None);
        let mut data = hex("040000001576497913000000000000003bc85395");
        data.resize(96, 0x11);
        assert_eq!(probe_wireguard(&data), Some(4));
        data.truncate(95);
        assert_eq!(probe_wireguard(&data), None);
        // pptp.pcap: Start-Control-Connection-Request header, padded to its length.
        let mut pptp = hex("009c00011a2b3c4d0001000001000000");
        pptp.resize(156, 0);
        assert!(probe_pptp(&pptp));
        assert!(!probe_pptp(&pptp[..155]));
        // tailscale.pcap: a disco ping, first bytes.
        let mut disco = hex("5453f09f92acb6847dd212ae777bfae214b36d0d");
        disco.resize(92, 7);
        assert!(probe_tailscale_disco(&disco));
        assert!(!probe_tailscale_disco(&disco[..40]));
    }

    #[test]
    fn dtls_records() {
        // dtls2.pcap: ClientHello (DTLS 1.0), first bytes, with the body padded.
        let mut ch = hex("16feff00000000000000000044010000380000000000000038feff");
        ch.resize(13 + 0x44, 0);
        assert_eq!(probe_dtls(&ch), Some(22));
        // anyconnect-vpn.pcap: pre-standard version 0x0100.
        let mut old = hex("160100000000000000000000560100004a");
        old.resize(13 + 0x56, 0);
        assert_eq!(probe_dtls(&old), Some(22));
        // Length beyond the datagram.
        assert_eq!(probe_dtls(&ch[..40]), None);
        // TLS (not DTLS) version.
        let mut tls = ch.clone();
        tls[1..3].copy_from_slice(&[3, 3]);
        assert_eq!(probe_dtls(&tls), None);
    }

    #[test]
    fn encrypted_dns() {
        let q = hex("7f470100000100000000000101320d646e7363727970742d6365727408646e736372797074");
        assert!(probe_dnscrypt(&q));
        let mut r = b"r6fnvWj8".to_vec();
        r.resize(64, 1);
        assert!(probe_dnscrypt(&r));
        assert!(!probe_dnscrypt(&r[..40]));
        let a =
            hex("48c401000001000000000000013209536543555265646e5305615661735403436f4d0000100001");
        assert!(probe_avast_securedns(&a));
        assert!(!probe_dnscrypt(&a));
        assert!(!probe_avast_securedns(&q));
    }

    #[test]
    fn tinc_and_softether() {
        assert!(probe_tinc(b"0 node_a 17.7\n"));
        assert!(probe_tinc(b"0 home 17\n1 0 abc\n"));
        assert!(!probe_tinc(b"0 home 18\n"));
        assert!(!probe_tinc(b"0 home 17"));
        // softether.pcap: the server's answer to the one-byte probe.
        assert!(probe_softether_ip_port(b"IP=90.186.132.133,PORT=51381"));
        assert!(!probe_softether_ip_port(b"IP=90.186.132.133,PORT="));
        // A PACK with one element `opcode` = string "get_token".
        let mut pack =
            hex("00000001000000076f70636f64650000000200000001000000096765745f746f6b656e");
        assert!(probe_softether_pack(&pack));
        pack.push(0);
        assert!(!probe_softether_pack(&pack));
    }
}
