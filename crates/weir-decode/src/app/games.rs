//! Probes for online-game protocols: Valve's Source engine queries, Photon (Toca Boca),
//! RakNet, CryEngine networking, KCP, Nintendo, Riot Games, Genshin Impact, i3D,
//! Activision, Epic Games, OICQ (Tencent QQ) and the EAQ speed test.

use super::{be16, be32, le32};

/// A Source engine (Valve A2S server query) request: the connectionless header
/// `FF FF FF FF` and `T` (A2S_INFO, with its `Source Engine Query` string), `U`
/// (A2S_PLAYER) or `V` (A2S_RULES) followed by a 4-byte challenge.
pub fn probe_source_query(p: &[u8]) -> bool {
    if be32(p, 0) != Some(0xffff_ffff) {
        return false;
    }
    match p.get(4) {
        Some(b'T') => p.get(5..25) == Some(&b"Source Engine Query\0"[..]),
        Some(b'U' | b'V') => p.len() == 9,
        _ => false,
    }
}

/// A Source engine query reply: `FF FF FF FF` and `A` (a 4-byte challenge), `I`
/// (A2S_INFO reply with a protocol version byte and a NUL-terminated server name),
/// `D` (players) or `E` (rules).
pub fn probe_source_reply(p: &[u8]) -> bool {
    if be32(p, 0) != Some(0xffff_ffff) {
        return false;
    }
    match p.get(4) {
        Some(b'A') => p.len() == 9,
        Some(b'I') => p.len() > 10 && p.get(6..).is_some_and(|n| n.contains(&0)),
        Some(b'D' | b'E') => p.len() >= 7,
        _ => false,
    }
}

/// A Photon (Exit Games) UDP datagram, the engine of Toca Boca's games: a 12-byte
/// header (peer id, CRC flag, command count, sent time, challenge) and that many
/// commands, each with a 12-byte header whose length field covers it, filling the
/// datagram exactly.
pub fn probe_photon(p: &[u8]) -> bool {
    let Some(&crc_flag) = p.get(2) else {
        return false;
    };
    let Some(&count) = p.get(3) else {
        return false;
    };
    if crc_flag > 1 || count == 0 || count > 32 {
        return false;
    }
    let mut at = 12usize;
    for _ in 0..count {
        // Command type: ack, connect, verify connect, disconnect, ping, reliable,
        // unreliable, fragment, EG service (1..=12).
        let ty = p.get(at).copied().unwrap_or(0);
        let Some(len) = be32(p, at + 4).and_then(|l| usize::try_from(l).ok()) else {
            return false;
        };
        if !(1..=12).contains(&ty) || len < 12 {
            return false;
        }
        at = match at.checked_add(len) {
            Some(n) if n <= p.len() => n,
            _ => return false,
        };
    }
    at == p.len()
}

/// Toca Boca's own keep-alive: eight `0x7D` bytes.
pub fn probe_toca_boca_keepalive(p: &[u8]) -> bool {
    p.len() >= 13 && p.get(..8) == Some(&[0x7d; 8][..])
}

/// RakNet's offline-message magic.
const RAKNET_MAGIC: [u8; 16] = [
    0x00, 0xff, 0xff, 0x00, 0xfe, 0xfe, 0xfe, 0xfe, 0xfd, 0xfd, 0xfd, 0xfd, 0x12, 0x34, 0x56, 0x78,
];

/// A RakNet offline message: the message id and the 16-byte offline magic where that
/// message carries it (unconnected ping/pong, open connection request/reply 1 and 2,
/// incompatible protocol), or an MTU-sized custom variant carrying the magic at one
/// of the offsets seen in the field.
pub fn probe_raknet_offline(p: &[u8]) -> bool {
    let magic_at = |at: usize| p.get(at..at + 16) == Some(&RAKNET_MAGIC[..]);
    let ok = match p.first() {
        // Unconnected ping (time, magic, client GUID).
        Some(0x01 | 0x02) => p.len() == 33 && magic_at(9),
        // Open connection request 1 (magic, protocol version, MTU padding).
        Some(0x05) => p.len() >= 18 && magic_at(1) && p.get(17).is_some_and(|&v| v <= 20),
        // Open connection reply 1 (magic, server GUID, security flag, MTU).
        Some(0x06) => p.len() >= 28 && magic_at(1) && p.get(25).is_some_and(|&s| s <= 1),
        // Open connection request/reply 2, incompatible protocol version.
        Some(0x07 | 0x08 | 0x19) => p.len() >= 25 && magic_at(1),
        // Unconnected pong (time, server GUID, magic, id string).
        Some(0x1c) => {
            let motd = be16(p, 33).map_or(0, usize::from);
            p.len() >= 35 && (magic_at(17) || (motd > 0 && motd + 35 == p.len()))
        }
        _ => false,
    };
    ok || (p.len() >= 1200 && [1usize, 9, 17, 32].iter().any(|&at| magic_at(at)))
}

/// A RakNet frame set (datagram ids `0x80..=0x8D`): a 24-bit sequence number, then
/// frames (flags with reliability in the top three bits and a split flag, a length in
/// bits, the reliability's indexes, the split header when split, the body) that end
/// exactly at the end of the datagram.
pub fn probe_raknet_frame_set(p: &[u8]) -> bool {
    if !matches!(p.first(), Some(0x80..=0x8d)) {
        return false;
    }
    let mut at = 4usize;
    for _ in 0..64 {
        let Some(&flags) = p.get(at) else {
            return false;
        };
        let Some(bits) = be16(p, at + 1) else {
            return false;
        };
        let len = usize::from(bits).div_ceil(8);
        if flags & 0x0f != 0 || len == 0 {
            return false;
        }
        let reliability = flags >> 5;
        at += 3;
        if matches!(reliability, 2 | 3 | 4 | 6 | 7) {
            at += 3; // message index
        }
        if matches!(reliability, 1 | 4) {
            at += 3; // sequence index
        }
        if matches!(reliability, 1 | 3 | 4 | 7) {
            at += 4; // order index and channel
        }
        if flags & 0x10 != 0 {
            at += 10; // split count, id, index
        }
        at += len;
        if at >= p.len() {
            return at == p.len();
        }
    }
    false
}

/// A RakNet ACK (`0xC0`) or NACK (`0xA0`): a record count, then that many records
/// (a range of two 24-bit numbers, or a single one), ending at the end of the datagram.
/// Returns the first byte.
pub fn probe_raknet_ack(p: &[u8]) -> Option<u8> {
    let kind = *p.first()?;
    if !matches!(kind, 0xa0 | 0xc0) {
        return None;
    }
    let count = be16(p, 1)?;
    if count == 0 || count > 256 {
        return None;
    }
    let mut at = 3usize;
    for _ in 0..count {
        at += match p.get(at)? {
            0 => 7,
            1 => 4,
            _ => return None,
        };
    }
    (at == p.len()).then_some(kind)
}

/// CryEngine's network layer (CryNetwork) connection packet: the first byte is the
/// payload size minus ten, a 16-bit game/version word at 3, and the fixed layout
/// `01 00 00 00 07 00 00 00 03 07` from offset 16 with zeros in between.
pub fn probe_crynet(p: &[u8]) -> bool {
    let zeros = |r: core::ops::Range<usize>| p.get(r).is_some_and(|s| s.iter().all(|&b| b == 0));
    p.len() >= 26
        && p.first().is_some_and(|&n| usize::from(n) + 10 == p.len())
        && zeros(1..3)
        && zeros(5..16)
        && p.get(16..26) == Some(&[1, 0, 0, 0, 7, 0, 0, 0, 3, 7][..])
}

/// World of Warcraft's connection greeting (TCP): a little-endian size, then
/// `WORLD OF WARCRAFT CONNECTION - SERVER TO CLIENT` (or `CLIENT TO SERVER`).
pub fn probe_wow(p: &[u8]) -> bool {
    p.get(2..)
        .is_some_and(|t| t.starts_with(b"WORLD OF WARCRAFT CONNECTION"))
        && p.first().is_some_and(|&n| usize::from(n) + 2 == p.len())
        && p.get(1) == Some(&0)
}

/// Tencent games (TCP): one of the framings Tencent's game servers use, in a segment of
/// more than 50 bytes: `33 66 00 0B` + `00 0B`; `43 66 AA 00` or `AA 00 00 00` with the
/// service word `10 E6 86 01` (at 12, resp. 10); a 32-bit length of the rest followed
/// by a zlib header (`78 01`); or `42 15 F7 87` with a zero word at 6.
pub fn probe_tencent_games(p: &[u8]) -> bool {
    if p.len() <= 50 {
        return false;
    }
    let w0 = be32(p, 0);
    (w0 == Some(0x3366_000b) && be16(p, 4) == Some(0x000b))
        || (w0 == Some(0x4366_aa00) && be32(p, 12) == Some(0x10e6_8601))
        || (w0 == Some(0xaa00_0000) && be32(p, 10) == Some(0x10e6_8601))
        || (w0.and_then(|l| usize::try_from(l).ok()) == p.len().checked_sub(4)
            && be16(p, 4) == Some(0x7801))
        || (w0 == Some(0x4215_f787) && be16(p, 6) == Some(0))
}

/// Heroes of the Storm (Blizzard) UDP, checked on Blizzard's game ports by the caller:
/// 20 to 122 bytes, `40 00` at 14, and `03 00` or `34 00` at 2 or fourteen zero bytes
/// in front.
pub fn probe_hots(p: &[u8]) -> bool {
    (20..=122).contains(&p.len())
        && be16(p, 14) == Some(0x4000)
        && (matches!(be16(p, 2), Some(0x0300 | 0x3400))
            || p.get(..14).is_some_and(|h| h.iter().all(|&b| b == 0)))
}

/// True if `needle` occurs in the first 2 KiB of `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let hay = hay.get(..hay.len().min(2048)).unwrap_or(hay);
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// League of Legends: Wild Rift: the 22-byte `01 02 C8 41 .. 41 30 42 31` packet.
pub fn probe_lol_wild_rift(p: &[u8]) -> bool {
    p.len() == 22 && be32(p, 0) == Some(0x0102_c841) && be32(p, 18) == Some(0x4130_4231)
}

/// League of Legends: Wild Rift's connect exchange: a 69-byte `04 00 00 00` request
/// (`false`) answered by a 359-byte `10 00 00 00` reply (`true`).
pub fn lol_wild_rift_handshake(p: &[u8]) -> Option<bool> {
    match (p.len(), be32(p, 0)?) {
        (69, 0x0400_0000) => Some(false),
        (359, 0x1000_0000) => Some(true),
        _ => None,
    }
}

/// NetEase games (Lost Light, Badlanders, Naraka): the client's 12-byte `01 .. D0 01
/// .. 00 01 01 01` probe (`from_client`), or the `B3 AF 8D E8` / `07 08 08 0C` headers.
pub fn probe_netease(p: &[u8], from_client: bool) -> bool {
    let le16 = |at: usize| match p.get(at..at + 2) {
        Some(&[a, b]) => Some(u16::from_le_bytes([a, b])),
        _ => None,
    };
    (from_client
        && p.len() == 12
        && p.first() == Some(&1)
        && le16(2) == Some(0x01d0)
        && le32(p, 8) == Some(0x0101_0100))
        || (p.len() >= 30 && be32(p, 0) == Some(0xb3af_8de8))
        || (p.len() > 30 && le32(p, 0) == Some(0x0c08_0807))
}

/// The Elder Scrolls Online login (TCP): a 32-bit length of the rest of a segment of
/// at least 600 bytes that names an `eso.live` server or carries the `8B 78 9C 01`
/// marker.
pub fn probe_teso(p: &[u8]) -> bool {
    p.len() >= 600
        && be32(p, 0).and_then(|l| usize::try_from(l).ok()) == p.len().checked_sub(4)
        && (contains(p, b"eso.live") || contains(p, &[0x8b, 0x78, 0x9c, 0x01]))
}

/// Call of Duty: Mobile: the 12-byte keep-alive ending in `ping` (port 7500, checked by
/// the caller), or a large `CE` message naming `LOC_PREFAB_LOADOUTNAME_1`.
pub fn probe_cod_mobile(p: &[u8], on_7500: bool) -> bool {
    (on_7500 && p.len() == 12 && p.get(8..12) == Some(&b"ping"[..]))
        || (p.len() > 350 && p.first() == Some(&0xce) && contains(p, b"LOC_PREFAB_LOADOUTNAME_1"))
}

/// Among Us (Hazel networking) client hello: message type 8 (hello), a 2-byte nonce,
/// Hazel version 0, a 4-byte game version, then the length-prefixed player name that
/// ends the datagram.
pub fn probe_among_us_hello(p: &[u8]) -> bool {
    p.first() == Some(&8)
        && p.get(3) == Some(&0)
        && p.get(8)
            .is_some_and(|&n| n > 0 && usize::from(n) + 9 == p.len())
}

/// Valve's TCP framing (Steam client and game coordinator connections): a
/// little-endian length of the message after the 8-byte header, then the magic `VT01`.
pub fn probe_steam_tcp(p: &[u8]) -> bool {
    p.get(4..8) == Some(&b"VT01"[..])
        && le32(p, 0).and_then(|l| usize::try_from(l).ok()) == p.len().checked_sub(8)
}

/// Steam's LAN discovery (in-home streaming, port 27036): `FF FF FF FF 21 4C 5F A0`.
pub fn probe_steam_discovery(p: &[u8]) -> bool {
    p.len() >= 16 && p.starts_with(&[0xff, 0xff, 0xff, 0xff, 0x21, 0x4c, 0x5f, 0xa0])
}

/// Steam Datagram Relay: a relay ping, `01` and a flags byte, then `sdping`.
pub fn probe_steam_datagram_relay(p: &[u8]) -> bool {
    p.first() == Some(&1) && p.get(2..8) == Some(&b"sdping"[..]) && p.len() >= 24
}

/// Yojimbo / netcode.io: the connection request packet, a zero prefix byte then the
/// version string `NETCODE 1.0x` and its NUL.
pub fn probe_yojimbo(p: &[u8]) -> bool {
    p.first() == Some(&0)
        && p.get(1..12) == Some(&b"NETCODE 1.0"[..])
        && p.get(13) == Some(&0)
        && p.len() > 64
}

/// Gaijin Entertainment (War Thunder, ...): the 52-byte `8F FF 00 .. 82 FF 00 01`
/// connection request, or the launcher's UDP telemetry lines (`app.start,env=...`,
/// `app.stage,...`, `embeddedupdater....`).
pub fn probe_gaijin(p: &[u8]) -> bool {
    if p.len() == 52 && p.get(..3) == Some(&[0x8f, 0xff, 0][..]) && be32(p, 4) == Some(0x82ff_0001)
    {
        return true;
    }
    p.len() > 100
        && (p.starts_with(b"embeddedupdater.")
            || p.starts_with(b"app.start,")
            || p.starts_with(b"app.stage,"))
        && p.get(..80)
            .is_some_and(|h| h.windows(5).any(|w| w == b",env="))
}

/// A KCP segment (the ARQ protocol many games run over UDP): conversation id, command
/// (push, ack, window probe, window size), fragment, window, timestamp, sequence
/// numbers, and a little-endian data length that accounts for the rest of the packet.
pub fn probe_kcp(p: &[u8]) -> bool {
    let cmd_ok = matches!(p.get(4), Some(81..=84));
    cmd_ok
        && le32(p, 20)
            .and_then(|l| usize::try_from(l).ok())
            .and_then(|l| l.checked_add(24))
            == Some(p.len())
}

/// Nintendo Switch online play (NEX/PIA): the `32 AB 98 64` header and version 2.
pub fn probe_nintendo(p: &[u8]) -> bool {
    p.len() > 48 && p.starts_with(&[0x32, 0xab, 0x98, 0x64, 0x02])
}

/// Riot Games (League of Legends, Valorant) UDP: the trailer `AA AA AA AA BB BB BB BB`,
/// or the 53-byte handshake with its fixed trailer.
pub fn probe_riot(p: &[u8]) -> bool {
    let n = p.len();
    if n > 8 && be32(p, n - 8) == Some(0xaaaa_aaaa) && be32(p, n - 4) == Some(0xbbbb_bbbb) {
        return true;
    }
    n == 53 && be32(p, n - 8) == Some(0x3cb1_1f2d) && be32(p, n - 4) == Some(0xea23_460c)
}

/// Genshin Impact (KCP variant) handshake: `00 00 00 FF`, four zero bytes, a
/// conversation id, the constant `49 96 02 D2` and `FF FF FF FF`.
pub fn probe_genshin(p: &[u8]) -> bool {
    p.len() >= 20
        && be32(p, 0) == Some(0xff)
        && be32(p, 4) == Some(0)
        && be32(p, 12) == Some(0x4996_02d2)
        && be32(p, 16) == Some(0xffff_ffff)
}

/// i3D.net game-server pings: `00 01 00 46` / `00 02 00 46` and `00 03 CF A8`, or the
/// `90 78`/`90 67` variant with `00 03 CF A9 BE DE 00 03` at offset 8.
pub fn probe_i3d(p: &[u8]) -> bool {
    if p.len() < 74 {
        return false;
    }
    let a =
        matches!(be32(p, 0), Some(0x0001_0046 | 0x0002_0046)) && be32(p, 4) == Some(0x0003_cfa8);
    let b = matches!(be16(p, 0), Some(0x9078 | 0x9067))
        && be32(p, 8) == Some(0x0003_cfa9)
        && be32(p, 12) == Some(0xbede_0003);
    a || b
}

/// Activision (Call of Duty) peer handshake: `0C 02` or `0D 02`, at least 18 bytes.
/// Returns the marker's first byte; the peer answers with the other one.
pub fn probe_activision(p: &[u8]) -> Option<u8> {
    match p.get(..2)? {
        [m @ (0x0c | 0x0d), 0x02] if p.len() >= 18 => Some(*m),
        _ => None,
    }
}

/// Epic Games (Unreal/EOS) UDP first packet: a 32-bit word with bit 3 clear, then 24
/// zero bytes from offset 10. Returns the word, which the server echoes with bit 3
/// set ([`epicgames_reply`]).
pub fn probe_epicgames_first(p: &[u8]) -> Option<u32> {
    let w = be32(p, 0)?;
    let zeros = p.get(10..34)?.iter().all(|&b| b == 0);
    (w & 0x08 == 0 && zeros).then_some(w)
}

/// True if `p` answers an Epic Games first packet whose word was `word`.
pub fn epicgames_reply(p: &[u8], word: u32) -> bool {
    p.len() > 4 && be32(p, 0) == Some(word | 0x08)
}

/// OICQ (the Tencent QQ UDP protocol): start byte `02`, a client version, and a
/// command in the defined range (1..=0xB5, or 0x3F7).
pub fn probe_oicq(p: &[u8]) -> bool {
    if p.len() < 7 || p.first() != Some(&0x02) {
        return false;
    }
    let Some(cmd) = be16(p, 3) else { return false };
    let version_ok = be16(p, 1).is_some_and(|v| v != 0 && v != 0xffff);
    version_ok && ((1..=0xb5).contains(&cmd) || cmd == 0x3f7) && p.last() == Some(&0x03)
}

/// Agora's Software Defined Real-time Network (SD-RTN, the voice/video network of many
/// games and apps): a message with `0x21` at offset 6 and an `\x04SNI` block at 12
/// naming the edge server (16-bit length, a zero byte, then the name). Returns the
/// name.
pub fn probe_sd_rtn(p: &[u8]) -> Option<&[u8]> {
    if p.len() < 20 || p.get(6) != Some(&0x21) || p.get(12..16) != Some(&b"\x04SNI"[..]) {
        return None;
    }
    let len = usize::from(be16(p, 16)?);
    if p.get(18) != Some(&0) {
        return None;
    }
    let name = p.get(19..19 + len)?;
    name.iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        .then_some(name)
}

/// An EAQ (Brazilian broadband quality meter) probe or its echo on its own: 16 bytes, a
/// small sequence number, a small second word, and the direction marker `00 00 90 00`
/// (client) or `00 00 60 00` (server) at the end.
pub fn probe_eaq(p: &[u8]) -> bool {
    p.len() == 16
        && be16(p, 0) == Some(0)
        && be16(p, 4) == Some(0)
        && matches!(be32(p, 12), Some(0x9000 | 0x6000))
}

/// An EAQ (Brazilian broadband quality meter) probe is a 16-byte datagram (sequence
/// number, sequence-derived word, timestamp, direction marker) whose first twelve
/// bytes the server echoes. Returns a key of those twelve bytes (the XOR of their three
/// words) to compare the probe with its echo.
pub fn eaq_echo_key(p: &[u8]) -> Option<u32> {
    if p.len() != 16 {
        return None;
    }
    Some(be32(p, 0)? ^ be32(p, 4)? ^ be32(p, 8)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic any probe of this module.
        #[test]
        fn probes_are_total(d in proptest::collection::vec(any::<u8>(), 0..1500), w in any::<u32>()) {
            let d = &d[..];
            let _ = (probe_source_query(d), probe_source_reply(d), probe_photon(d), probe_toca_boca_keepalive(d));
            let _ = (probe_raknet_offline(d), probe_raknet_frame_set(d), probe_raknet_ack(d), probe_crynet(d), probe_kcp(d), probe_nintendo(d));
            let _ = (probe_riot(d), probe_genshin(d), probe_i3d(d), probe_activision(d), probe_wow(d), probe_gaijin(d), probe_tencent_games(d), probe_hots(d));
            let _ = (probe_steam_discovery(d), probe_steam_datagram_relay(d), probe_yojimbo(d), probe_among_us_hello(d), probe_steam_tcp(d));
            let _ = (probe_lol_wild_rift(d), lol_wild_rift_handshake(d), probe_netease(d, true), probe_teso(d), probe_cod_mobile(d, true));
            let _ = (probe_epicgames_first(d), epicgames_reply(d, w), probe_oicq(d), eaq_echo_key(d), probe_eaq(d), probe_sd_rtn(d));
        }
    }

    #[test]
    fn source_engine() {
        let q = hex("ffffffff54536f7572636520456e67696e6520517565727900");
        assert!(probe_source_query(&q));
        assert!(!probe_source_query(&q[..20]));
        assert!(probe_source_reply(&hex("ffffffff410a0b0c0d")));
    }

    #[test]
    fn photon() {
        // toca-boca.pcap: connect (one 44-byte command) and the server's ack + verify.
        let mut c = hex("ffff00010000000422b6e6ba02ff01040000002c");
        c.resize(56, 0);
        assert!(probe_photon(&c));
        c.push(0);
        assert!(!probe_photon(&c));
        let mut s = hex("000000027dfbd18522b6e6ba01ff00000000001400000000000000010000000f");
        s.extend_from_slice(&hex("03ff01000000002c"));
        s.resize(76, 0);
        assert!(probe_photon(&s));
    }

    #[test]
    fn raknet() {
        let mut req = hex("0500ffff00fefefefefdfdfdfd1234567806");
        req.resize(1464, 0);
        assert!(probe_raknet_offline(&req));
        let rep = hex("0600ffff00fefefefefdfdfdfd12345678000591a5360522200005d4");
        assert!(probe_raknet_offline(&rep));
        let mut bad = rep.clone();
        bad[5] = 0;
        assert!(!probe_raknet_offline(&bad));
        // raknet.pcap: a frame set with one unreliable 136-bit frame.
        let fs = hex("8402000000008803000000000015e95e000000130c201546");
        assert!(probe_raknet_frame_set(&fs));
        assert!(!probe_raknet_frame_set(&fs[..23]));
        assert_eq!(probe_raknet_ack(&hex("c0000100010000020000")), Some(0xc0));
        assert_eq!(probe_raknet_ack(&hex("a000020100000001000000")), Some(0xa0));
        assert_eq!(probe_raknet_ack(&hex("c0000200010000020000")), None);
        let mut fs2 = fs.clone();
        fs2.push(0);
        assert!(!probe_raknet_frame_set(&fs2));
    }

    #[test]
    fn small_games() {
        // crynet.pcap: another game word (0x0BF6) at offset 3.
        let mut cry2 = hex("3c00000bf6000000000000000000000001000000070000000307");
        cry2.resize(70, 0);
        assert!(probe_crynet(&cry2));
        let mut wow = vec![0x30, 0];
        wow.extend_from_slice(b"WORLD OF WARCRAFT CONNECTION - SERVER TO CLIENT\0");
        assert!(probe_wow(&wow));
        wow.push(0);
        assert!(!probe_wow(&wow));
        let mut wr = hex("0102c841");
        wr.resize(18, 0);
        wr.extend_from_slice(b"A0B1");
        assert!(probe_lol_wild_rift(&wr));
        let mut req = hex("04000000a1f57415");
        req.resize(69, 0);
        assert_eq!(lol_wild_rift_handshake(&req), Some(false));
        // netease_games.pcapng: the 12-byte probe and the Lost Light header.
        let ne = hex("01b5d001112a3d0300010101");
        assert!(probe_netease(&ne, true));
        assert!(!probe_netease(&ne, false));
        let mut ll = hex("b3af8de8ff007257355c5c6e");
        ll.resize(30, 0);
        assert!(probe_netease(&ll, false));
        let mut teso = vec![0, 0, 0x03, 0x4e];
        teso.extend_from_slice(b"\x01\x10\x00\x14gachimuchileather eso.live");
        teso.resize(0x352, b'.');
        assert!(probe_teso(&teso));
        teso.push(0);
        assert!(!probe_teso(&teso));
        assert!(probe_cod_mobile(&hex("bbb653ea96fdbb0370696e67"), true));
        assert!(!probe_cod_mobile(&hex("bbb653ea96fdbb0370696e67"), false));
        // among_us.pcap: hello with the name "AAAAAA".
        let hello = hex("0800010080d9020306414141414141");
        assert!(probe_among_us_hello(&hello));
        assert!(!probe_among_us_hello(&hello[..14]));
        let mut vt = vec![4, 0, 0, 0];
        vt.extend_from_slice(b"VT01abcd");
        assert!(probe_steam_tcp(&vt));
        assert!(!probe_steam_tcp(&vt[..11]));
        let mut steam = hex("ffffffff214c5fa01600000008fcd3f1");
        steam.resize(40, 0);
        assert!(probe_steam_discovery(&steam));
        let mut sdr = hex("0181736470696e677ebe627ec7288817");
        sdr.resize(100, 0);
        assert!(probe_steam_datagram_relay(&sdr));
        let mut yo = hex("004e4554434f444520312e303200");
        yo.resize(1078, 0);
        assert!(probe_yojimbo(&yo));
        yo[12] = b'X';
        assert!(probe_yojimbo(&yo));
        yo[13] = 1;
        assert!(!probe_yojimbo(&yo));
        // tencent_games.pcap: the `33 66` framing, and a zlib-compressed message.
        let mut tg = hex("3366000b000b100100000000010000004c000000000203000027100000006500");
        tg.resize(76, 0);
        assert!(probe_tencent_games(&tg));
        let mut z = hex("0000014e78013551cb6ac33010fc973dbb46ef476e39949c02a5d09bc1c8d63a");
        z.resize(338, 0);
        assert!(probe_tencent_games(&z));
        z.push(0);
        assert!(!probe_tencent_games(&z));
        // hots.pcapng: a client packet to port 3724.
        assert!(probe_hots(&hex("e65d34002f9dbb1381e6d076796440001ac063bf")));
        assert!(!probe_hots(&hex(
            "e65d34002f9dbb1381e6d076796441001ac063bf"
        )));
        let mut gj = hex("8fff000182ff00010000ffff000004b0");
        gj.resize(52, 0);
        assert!(probe_gaijin(&gj));
        let mut tele = b"app.stage,env=production,circuit=wtm-production".to_vec();
        tele.resize(147, b'x');
        assert!(probe_gaijin(&tele));
        let mut cry = hex("3c000008ed000000000000000000000001000000070000000307");
        cry.resize(70, 0);
        assert!(probe_crynet(&cry));
        cry.push(0);
        assert!(!probe_crynet(&cry));
        // kcp.pcap: an ACK segment without data.
        let ack = hex("0a00000052007f0014000000000000000100000000000000");
        assert!(probe_kcp(&ack));
        assert!(!probe_kcp(&ack[..23]));
        let mut nin = hex("32ab9864025603cb960133e0c648f834");
        nin.resize(60, 1);
        assert!(probe_nintendo(&nin));
        let mut riot = hex("7374f60c72324204ab597f811fcc0087");
        riot.extend_from_slice(&hex("aaaaaaaabbbbbbbb"));
        assert!(probe_riot(&riot));
        assert!(probe_genshin(&hex(
            "000000ff0000000000000000499602d2ffffffff"
        )));
        let mut i3d = hex("000100460003cfa8");
        i3d.resize(74, 0);
        assert!(probe_i3d(&i3d));
        assert_eq!(
            probe_activision(&hex("0d0200d3dded03961669981a27af4f381bc0")),
            Some(0x0d)
        );
        let mut epic = hex("471a20000898226574040000");
        epic.resize(50, 0);
        let w = probe_epicgames_first(&epic).unwrap();
        assert!(epicgames_reply(&hex("471a2008089822"), w));
        assert!(!epicgames_reply(&hex("471a2000089822"), w));
        let mut oicq = hex("023b0b00010017561f0c7b");
        oicq.resize(43, 0);
        oicq.push(3);
        assert!(probe_oicq(&oicq));
        oicq.pop();
        assert!(!probe_oicq(&oicq));
        // EAQ.pcap: a probe and its echo share the key; the next probe does not.
        let probe = eaq_echo_key(&hex("0000000000000dda0007161c00009000"));
        assert!(probe.is_some());
        assert_eq!(
            probe,
            eaq_echo_key(&hex("0000000000000dda0007161c00006000"))
        );
        assert_ne!(
            probe,
            eaq_echo_key(&hex("0000000100000ddc0007073600009000"))
        );
        assert_eq!(eaq_echo_key(&hex("0000000000000dda0007161c0000")), None);
        assert!(probe_eaq(&hex("0000000300000de00005a6f200009000")));
        // agora-sd-rtn.pcap: the edge server's name in the SNI block.
        let mut agora = hex("0099781d000021000000000004534e4900190031");
        agora.truncate(19);
        agora.extend_from_slice(b"128-1-77-66.edge.agora.ioPDMD");
        assert_eq!(
            probe_sd_rtn(&agora),
            Some(&b"128-1-77-66.edge.agora.io"[..])
        );
        agora[18] = 1;
        assert_eq!(probe_sd_rtn(&agora), None);
        assert!(!probe_eaq(&hex("0000000300000de00005a6f200009001")));
    }
}
