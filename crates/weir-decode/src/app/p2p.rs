//! Probes for peer-to-peer and crypto-currency protocols: Gnutella, BitTorrent (peer
//! wire, DHT, uTP, tracker, local discovery), Ethereum, Bitcoin, Monero, Syncthing,
//! eDonkey.

use super::{be32, le32};

/// True if `needle` occurs in the first `limit` bytes of `hay`.
fn contains_within(hay: &[u8], needle: &[u8], limit: usize) -> bool {
    let hay = hay.get(..limit.min(hay.len())).unwrap_or(hay);
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Gnutella 0.6 handshake lines (TCP): `GNUTELLA CONNECT/0.6` from the client,
/// `GNUTELLA/0.6 200 OK` from the server.
pub fn probe_gnutella_tcp(p: &[u8]) -> bool {
    p.starts_with(b"GNUTELLA CONNECT/") || (p.starts_with(b"GNUTELLA/") && p.len() > 10)
}

/// An HTTP request of a Gnutella servent: a `/uri-res/` or `/get/` download, or a
/// `/gnutella/` (push proxy, tiger tree) request, with a Gnutella header
/// (`X-Gnutella-…`, `X-Queue`, `X-Features`, `X-Alt`, a Gnutella content type, or a
/// known servent's user agent) within the first kilobyte.
pub fn probe_gnutella_http(p: &[u8]) -> bool {
    let path_ok = [
        &b"GET /uri-res/"[..],
        b"GET /get/",
        b"GET /gnutella/",
        b"HEAD /gnutella/",
        b"HEAD /uri-res/",
    ]
    .iter()
    .any(|m| p.starts_with(m));
    path_ok
        && [
            &b"\r\nX-Gnutella-"[..],
            b"\r\nX-Queue:",
            b"\r\nX-Features:",
            b"\r\nX-Alt:",
            b"application/x-gnutella",
            b"\r\nUser-Agent: gtk-gnutella",
            b"\r\nUser-Agent: LimeWire",
            b"\r\nUser-Agent: Shareaza",
            b"\r\nUser-Agent: Foxy",
            b"\r\nUser-Agent: BearShare",
        ]
        .iter()
        .any(|h| contains_within(p, h, 1024))
}

/// A Gnutella UDP message (GUESS, Mojito DHT, pings): the 23-byte descriptor header
/// (16-byte GUID, payload type, TTL, hops, little-endian payload length) whose length
/// accounts for exactly the rest of the datagram, with a known payload type.
pub fn probe_gnutella_udp(p: &[u8]) -> bool {
    let Some(len) = le32(p, 19) else { return false };
    let (ty, ttl, hops) = match p.get(16..19) {
        Some(&[t, a, b]) => (t, a, b),
        _ => return false,
    };
    // Ping, Pong, Bye, QRP, vendor messages, Push, DHT (Mojito), Query, Query Hit.
    let known = matches!(
        ty,
        0x00 | 0x01 | 0x02 | 0x30 | 0x31 | 0x32 | 0x40 | 0x44 | 0x80 | 0x81
    );
    known
        && u16::from(ttl) + u16::from(hops) <= 16
        && usize::try_from(len).is_ok_and(|l| l.checked_add(23) == Some(p.len()))
}

/// Gnutella 2 (G2) UDP: a `GND` header (flags, sequence, part, count) with a
/// fragment number within the fragment count; a first fragment must start with a G2
/// packet whose control byte and name (upper-case letters and digits, e.g. `QKR`,
/// `PI`, `KHL`) fit in the datagram.
pub fn probe_gnutella2_udp(p: &[u8]) -> bool {
    let (part, count) = match p.get(..8) {
        Some(&[b'G', b'N', b'D', _flags, _, _, part, count]) => (part, count),
        _ => return false,
    };
    if count == 0 || part == 0 || part > count {
        return false;
    }
    if part > 1 {
        return true;
    }
    if p.len() == 8 {
        // An acknowledgement: header only.
        return true;
    }
    let Some(&cb) = p.get(8) else { return false };
    let len_len = usize::from(cb >> 6);
    let name_len = usize::from((cb >> 3) & 7) + 1;
    let name_at = 9 + len_len;
    p.get(name_at..name_at + name_len).is_some_and(|n| {
        n.first().is_some_and(u8::is_ascii_uppercase)
            && n.iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

/// BitTorrent peer wire handshake: `\x13BitTorrent protocol`. Also accepts the
/// handshake preceded by an HTTP-style prefix some clients send in one segment.
pub fn probe_bittorrent_handshake(p: &[u8]) -> bool {
    p.starts_with(b"\x13BitTorrent protocol")
}

/// A BitTorrent DHT (KRPC, BEP 5) message: a bencoded dictionary whose first keys are
/// the ones KRPC messages carry (`a`, `r`, `e`, `ip`, `t`, `y`, `q`, `v`) and which
/// holds a `1:y1:` type entry (query, response or error) or an `id20:` node id.
pub fn probe_bittorrent_dht(p: &[u8]) -> bool {
    let first_key_ok = [
        &b"d1:ad2:id20:"[..],
        b"d1:rd2:id20:",
        b"d1:el",
        b"d2:ip",
        b"d1:t",
        b"d1:y1:",
        b"d1:q",
        b"d1:v",
    ]
    .iter()
    .any(|k| p.starts_with(k));
    first_key_ok
        && p.last() == Some(&b'e')
        && (contains_within(p, b"1:y1:", 2048) || contains_within(p, b"2:id20:", 64))
}

/// A uTP (BEP 29) packet: type 0..=4 with version 1, an extension chain that ends
/// within the datagram, and for `ST_SYN` (type 4) a zero ack number, a zero
/// timestamp difference and no data. Returns the packet type.
pub fn probe_utp(p: &[u8]) -> Option<u8> {
    let b0 = *p.first()?;
    let ty = b0 >> 4;
    if b0 & 0x0f != 1 || ty > 4 || p.len() < 20 {
        return None;
    }
    // Walk the extension chain.
    let mut ext = *p.get(1)?;
    let mut at = 20usize;
    for _ in 0..4 {
        if ext == 0 {
            break;
        }
        if ext > 4 {
            return None;
        }
        ext = *p.get(at)?;
        let len = usize::from(*p.get(at + 1)?);
        at = at.checked_add(2 + len)?;
        if at > p.len() {
            return None;
        }
    }
    if ext != 0 {
        return None;
    }
    if ty == 4 && (p.get(8..12)? != [0, 0, 0, 0] || at != p.len()) {
        return None;
    }
    Some(ty)
}

/// The UDP tracker protocol's connect request (BEP 15): the fixed protocol id
/// `0x41727101980`, action 0 (connect), a transaction id.
pub fn probe_bittorrent_tracker_udp(p: &[u8]) -> bool {
    p.len() == 16 && p.starts_with(&[0, 0, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, 0])
}

/// BitTorrent local service discovery (BEP 14): `BT-SEARCH * HTTP/1.1`.
pub fn probe_bittorrent_lsd(p: &[u8]) -> bool {
    p.starts_with(b"BT-SEARCH * HTTP/1.1")
}

/// An Ethereum node discovery v4 packet (UDP): 32-byte hash, 65-byte signature,
/// packet type 1..=6 (ping, pong, findnode, neighbors, ENR request/response), then an
/// RLP list. `p` must fit the 1280-byte limit of the spec.
pub fn probe_ethereum_discv4(p: &[u8]) -> bool {
    (99..=1280).contains(&p.len())
        && matches!(p.get(97), Some(1..=6))
        && p.get(98).is_some_and(|&b| b >= 0xc0)
}

/// Ethereum RLPx first handshake message (TCP, EIP-8): a 2-byte size that matches
/// the segment, and an ECIES-encrypted body starting with an uncompressed public
/// key (`0x04`).
pub fn probe_ethereum_rlpx(p: &[u8]) -> bool {
    let size = match p.get(..2) {
        Some(&[a, b]) => usize::from(u16::from_be_bytes([a, b])),
        _ => return false,
    };
    (300..600).contains(&p.len()) && size + 2 == p.len() && p.get(2) == Some(&0x04)
}

/// Bitcoin network magics: main, testnet3, testnet4, signet, regtest.
const BITCOIN_MAGICS: [[u8; 4]; 5] = [
    [0xf9, 0xbe, 0xb4, 0xd9],
    [0x0b, 0x11, 0x09, 0x07],
    [0x1c, 0x16, 0x3f, 0x28],
    [0x0a, 0x03, 0xcf, 0x40],
    [0xfa, 0xbf, 0xb5, 0xda],
];

/// A Bitcoin P2P message header: network magic, then a 12-byte command of lower-case
/// ASCII letters padded with NULs.
pub fn probe_bitcoin(p: &[u8]) -> bool {
    let Some(magic) = p.get(..4) else {
        return false;
    };
    if !BITCOIN_MAGICS.iter().any(|m| m == magic) {
        return false;
    }
    let Some(cmd) = p.get(4..16) else {
        return false;
    };
    let name_len = cmd.iter().position(|&b| b == 0).unwrap_or(cmd.len());
    let (name, pad) = cmd.split_at(name_len);
    !name.is_empty()
        && name.iter().all(u8::is_ascii_lowercase)
        && pad.iter().all(|&b| b == 0)
        && p.len() >= 24
}

/// A Monero (CryptoNote "levin") message: the 8-byte signature `0x0101010101012101`
/// (little-endian) followed by a body size that fits in a u32.
pub fn probe_monero(p: &[u8]) -> bool {
    p.starts_with(&[0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01])
        && p.get(12..16) == Some(&[0, 0, 0, 0][..])
        && p.len() >= 33
}

/// Syncthing: the local discovery packet or the block exchange "hello", both of
/// which start with the magic `0x2EA7D90B`.
pub fn probe_syncthing(p: &[u8]) -> bool {
    be32(p, 0) == Some(0x2ea7_d90b) && p.len() >= 8
}

/// An eDonkey/eMule TCP message: protocol byte (`E3` eDonkey, `C5` eMule, `D4`
/// compressed), a little-endian length that covers the rest of the segment, and an
/// opcode (the first message's is `Hello` (`01`) or a server login (`01`), answered by
/// `Hello answer` (`4C`) or a server message).
pub fn probe_edonkey(p: &[u8]) -> bool {
    let proto_ok = matches!(p.first(), Some(0xe3 | 0xc5 | 0xd4));
    let Some(len) = le32(p, 1) else { return false };
    proto_ok && len >= 1 && usize::try_from(len).is_ok_and(|l| l.checked_add(5) == Some(p.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic any probe of this module.
        #[test]
        fn probes_are_total(d in proptest::collection::vec(any::<u8>(), 0..1500)) {
            let d = &d[..];
            let _ = (probe_gnutella_tcp(d), probe_gnutella_http(d), probe_gnutella_udp(d), probe_gnutella2_udp(d));
            let _ = (probe_bittorrent_handshake(d), probe_bittorrent_dht(d), probe_utp(d));
            let _ = (probe_bittorrent_tracker_udp(d), probe_bittorrent_lsd(d));
            let _ = (probe_ethereum_discv4(d), probe_ethereum_rlpx(d), probe_bitcoin(d));
            let _ = (probe_monero(d), probe_syncthing(d), probe_edonkey(d));
        }
    }

    #[test]
    fn gnutella_udp() {
        // gnutella.pcap: a 28-byte ping (type 0, TTL 1, 5-byte payload).
        let ping = hex("9328310232360e66fffa380169d76d0300010005000000c382514b40");
        assert!(probe_gnutella_udp(&ping));
        assert!(!probe_gnutella_udp(&ping[..27]));
        // A Mojito DHT message header (type 0x44) with a 58-byte payload.
        let mut dht = hex("a745310289213ee47e649bbac302eb3a4400003a000000");
        dht.resize(23 + 58, 0);
        assert!(probe_gnutella_udp(&dht));
        dht[16] = 0x55;
        assert!(!probe_gnutella_udp(&dht));
        // gnutella.pcap: a G2 query key request (`QKR`).
        let qkr = hex("474e44103eae0101540b514b525006524e415d2fe2350970");
        assert!(probe_gnutella2_udp(&qkr));
        let mut bad = qkr.clone();
        bad[11] = b'q';
        assert!(!probe_gnutella2_udp(&bad));
        assert!(probe_gnutella_tcp(b"GNUTELLA CONNECT/0.6\r\n"));
        assert!(probe_gnutella_http(
            b"GET /uri-res/N2R?urn:sha1:ABC HTTP/1.1\r\nX-Queue: 0.1\r\n\r\n"
        ));
        assert!(!probe_gnutella_http(
            b"GET /uri-res/x HTTP/1.1\r\nHost: a\r\n\r\n"
        ));
    }

    #[test]
    fn bittorrent() {
        let hs = hex("13426974546f7272656e742070726f746f636f6c0000000000100005");
        assert!(probe_bittorrent_handshake(&hs));
        assert!(probe_bittorrent_dht(
            b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
        ));
        assert!(!probe_bittorrent_dht(b"d1:ad2:id20:abcdefghij0123456789"));
        // bittorrent_utp.pcap: ST_SYN and its ST_STATE answer.
        let syn = hex("41004567ed639296000000000010000023c60000");
        assert_eq!(probe_utp(&syn), Some(4));
        let state = hex("21004567ed6393410000000000100000456723c6");
        assert_eq!(probe_utp(&state), Some(2));
        assert_eq!(probe_utp(&syn[..19]), None);
        let mut bad = syn.clone();
        bad[1] = 9;
        assert_eq!(probe_utp(&bad), None);
        assert!(probe_bittorrent_lsd(
            b"BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\n"
        ));
        assert!(probe_bittorrent_tracker_udp(&hex(
            "0000041727101980000000002a3b4c5d"
        )));
    }

    #[test]
    fn crypto_currencies() {
        // bitcoin.pcap: a `version` message header.
        let v = hex("f9beb4d976657273696f6e000000000055000000017d0000");
        assert!(probe_bitcoin(&v));
        let mut bad = v.clone();
        bad[10] = b'X';
        assert!(!probe_bitcoin(&bad));
        // monero.pcap: levin handshake request.
        let mut m = hex("0121010101010101060100000000000001e903000000000000010000000100000001");
        assert!(probe_monero(&m));
        m[0] = 2;
        assert!(!probe_monero(&m));
        // ethereum.pcap: discv4 ping (type 1 at offset 97, RLP list after it).
        let mut e = vec![0x33; 97];
        e.extend_from_slice(&hex("01dd05cb84"));
        e.resize(128, 0x80);
        assert!(probe_ethereum_discv4(&e));
        e[97] = 9;
        assert!(!probe_ethereum_discv4(&e));
        assert!(probe_syncthing(&hex("2ea7d90b0a2092b7")));
        let mut ed = hex("e37700000001101b42cd");
        ed.resize(124, 0);
        assert!(probe_edonkey(&ed));
        ed.push(0);
        assert!(!probe_edonkey(&ed));
    }
}
