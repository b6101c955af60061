//! DPI family `games` (see the module docs of [`crate::dpi`]): Source engine, Photon
//! (Toca Boca), RakNet, CryNetwork, KCP, Nintendo, Riot Games, Genshin Impact, i3D,
//! Activision, Epic Games, OICQ, EAQ.

use weir_decode::app::games;

use super::found;
use crate::flow::{DpiState, Flow};
use crate::l7::PacketCtx;
use crate::proto::Proto;

/// Parks `candidate` with `data` if no other dissector owns the flow's state.
fn park(f: &mut Flow, candidate: Proto, stage: u8, data: u32) {
    if f.l7.dpi.candidate == Proto::UNKNOWN {
        f.l7.dpi = DpiState {
            candidate,
            stage,
            data,
        };
    }
}

/// A RakNet datagram of an established connection (frame set, ACK, NACK): its layout
/// is checked to the last byte, but its first byte overlaps RTP's, so two are needed.
fn raknet_connected(p: &[u8]) -> bool {
    games::probe_raknet_frame_set(p) || games::probe_raknet_ack(p).is_some()
}

/// Protocols that need more than one packet: RakNet (two connected datagrams), Activision (the peer answers `0C 02` with
/// `0D 02` and the same token), Epic Games (the server echoes the first word with bit 3
/// set), EAQ (the server echoes a 16-byte probe on port 6000).
fn stateful(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    let st = f.l7.dpi;
    let dir = if c.from_client { 1 } else { 2 };
    let token = |p: &[u8]| match p.get(2..6) {
        Some(&[a, b, d, e]) => u32::from_be_bytes([a, b, d, e]),
        _ => 0,
    };
    match st.candidate {
        Proto::ACTIVISION => {
            let first = st.stage >> 4;
            return st.stage & 3 != dir
                && games::probe_activision(p).is_some_and(|m| m != first)
                && token(p) == st.data
                && found(f, Proto::ACTIVISION);
        }
        Proto::EPICGAMES => {
            return st.stage != dir
                && games::epicgames_reply(p, st.data)
                && found(f, Proto::EPICGAMES);
        }
        Proto::EAQ => {
            // The server echoes the probe's first twelve bytes.
            return st.stage != dir
                && games::eaq_echo_key(p) == Some(st.data)
                && found(f, Proto::EAQ);
        }
        Proto::LOLWILDRIFT => {
            return st.stage != dir
                && games::lol_wild_rift_handshake(p) == Some(true)
                && found(f, Proto::LOLWILDRIFT);
        }
        Proto::RAKNET => {
            return raknet_connected(p) && found(f, Proto::RAKNET);
        }
        Proto::UNKNOWN => {}
        _ => return false,
    }
    if f.l7.dpi_packets > 2 {
        return false;
    }
    if raknet_connected(p) {
        park(f, Proto::RAKNET, dir, 0);
    } else if games::lol_wild_rift_handshake(p) == Some(false) {
        park(f, Proto::LOLWILDRIFT, dir, 0);
    } else if let Some(m) = games::probe_activision(p) {
        park(f, Proto::ACTIVISION, dir | (m << 4), token(p));
    } else if let Some(w) = games::probe_epicgames_first(p) {
        park(f, Proto::EPICGAMES, dir, w);
    } else if (c.cport == 6000 || c.sport == 6000)
        && let Some(key) = games::eaq_echo_key(p)
    {
        park(f, Proto::EAQ, dir, key);
    }
    false
}

/// A single-packet probe.
type Probe = fn(&[u8]) -> bool;

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    if c.l4 != 17 {
        if games::probe_wow(p) {
            return found(f, Proto::WORLDOFWARCRAFT);
        }
        if games::probe_tencent_games(p) {
            return found(f, Proto::TENCENTGAMES);
        }
        if games::probe_teso(p) {
            return found(f, Proto::TES_ONLINE);
        }
        if games::probe_steam_tcp(p) {
            return found(f, Proto::STEAM);
        }
        return games::probe_kcp(p) && found(f, Proto::KCP);
    }
    let blizzard = [1119, 1120, 3724, 6113]
        .iter()
        .any(|&port| c.cport == port || c.sport == port);
    if blizzard && games::probe_hots(p) {
        return found(f, Proto::HEROES_OF_THE_STORM);
    }
    // Among Us servers listen on 22023 and the following ports.
    let among_us = (22023..=22923).contains(&c.sport) || (22023..=22923).contains(&c.cport);
    if among_us && games::probe_among_us_hello(p) {
        return found(f, Proto::AMONGUS);
    }
    if games::probe_netease(p, c.from_client) {
        return found(f, Proto::NETEASEGAMES);
    }
    if games::probe_cod_mobile(p, c.cport == 7500 || c.sport == 7500) {
        return found(f, Proto::COD_MOBILE);
    }
    if games::probe_lol_wild_rift(p) {
        return found(f, Proto::LOLWILDRIFT);
    }
    if games::probe_sd_rtn(p).is_some() {
        return found(f, Proto::SD_RTN);
    }
    if (c.cport == 6000 || c.sport == 6000) && games::probe_eaq(p) {
        return found(f, Proto::EAQ);
    }
    let checks: [(Probe, Proto); 17] = [
        (games::probe_source_query, Proto::SOURCE_ENGINE),
        (games::probe_source_reply, Proto::SOURCE_ENGINE),
        (games::probe_toca_boca_keepalive, Proto::TOCABOCA),
        (games::probe_photon, Proto::TOCABOCA),
        (games::probe_raknet_offline, Proto::RAKNET),
        // An ACK's first byte (0xC0) is not RTP's: one is enough.
        (|p| games::probe_raknet_ack(p) == Some(0xc0), Proto::RAKNET),
        (games::probe_crynet, Proto::CRYNETWORK),
        (games::probe_genshin, Proto::GENSHINIMPACT),
        (games::probe_kcp, Proto::KCP),
        (games::probe_nintendo, Proto::NINTENDO),
        (games::probe_riot, Proto::RIOTGAMES),
        (games::probe_i3d, Proto::I3D),
        (games::probe_oicq, Proto::OICQ),
        (games::probe_gaijin, Proto::GAIJINENTERTAINMENT),
        (games::probe_steam_discovery, Proto::STEAM),
        (games::probe_steam_datagram_relay, Proto::STEAMDATAGRAMRELAY),
        (games::probe_yojimbo, Proto::YOJIMBO),
    ];
    for (probe, proto) in checks {
        if probe(p) {
            return found(f, proto);
        }
    }
    stateful(f, c)
}

#[cfg(test)]
mod tests {
    use crate::dpi::testing::{detect, hex};

    use crate::proto::Proto;

    #[test]
    fn eaq_echo_and_one_way() {
        let probe = hex("0000000000000dda0007161c00009000");
        let echo = hex("0000000000000dda0007161c00006000");
        assert_eq!(
            detect(17, 39185, 6000, &[(&probe, true), (&echo, false)]),
            Proto::EAQ
        );
        assert_eq!(detect(17, 39185, 6000, &[(&probe, true)]), Proto::EAQ);
        assert_ne!(detect(17, 39185, 6001, &[(&probe, true)]), Proto::EAQ);
    }

    #[test]
    fn raknet_frame_sets_win_over_rtp() {
        // raknet.pcap: a frame set (first byte 0x84, also a valid RTP start) repeated.
        let fs = hex("8402000000008803000000000015e95e000000130c201546");
        assert_eq!(
            detect(17, 60022, 32951, &[(&fs, false), (&fs, false)]),
            Proto::RAKNET
        );
    }

    #[test]
    fn activision_and_epic_pairs() {
        let a = hex("0d0200d3dded03961669981a27af4f381bc0a80015020c6c3deb1fa182");
        let mut b = a.clone();
        b[0] = 0x0c;
        assert_eq!(
            detect(17, 3074, 33441, &[(&a, true), (&b, false)]),
            Proto::ACTIVISION
        );
        assert_ne!(
            detect(17, 3074, 33441, &[(&a, true), (&a, false)]),
            Proto::ACTIVISION
        );
        let mut e = hex("471a20000898226574040000");
        e.resize(54, 0);
        let mut r = hex("471a20080898226574040000406229fc");
        r.resize(56, 1);
        assert_eq!(
            detect(17, 39322, 9011, &[(&e, true), (&r, false)]),
            Proto::EPICGAMES
        );
    }
}
