//! DPI family `p2p` (see the module docs of [`crate::dpi`]): Gnutella, BitTorrent,
//! Ethereum, Bitcoin, Monero, Syncthing, eDonkey.

use weir_decode::app::p2p;

use super::found;
use crate::flow::{DpiState, Flow};
use crate::l7::PacketCtx;
use crate::proto::Proto;

/// Big-endian u16 at `at` of `p` (0 past the end).
fn be16(p: &[u8], at: usize) -> u32 {
    match p.get(at..at + 2) {
        Some(&[a, b]) => u32::from(u16::from_be_bytes([a, b])),
        _ => 0,
    }
}

/// uTP needs two packets of one connection (same connection id): a SYN answered by a
/// STATE that acknowledges the SYN's sequence number, or two packets of one side that
/// advance it by one (DATA: the sequence number, STATE: the acknowledged one).
fn utp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    const ST_DATA: u8 = 0;
    const ST_STATE: u8 = 2;
    const ST_SYN: u8 = 4;
    let Some(ty) = p2p::probe_utp(c.payload) else {
        return false;
    };
    let p = c.payload;
    let (conn, seq, ack) = (be16(p, 2), be16(p, 16), be16(p, 18));
    let dir = if c.from_client { 1 } else { 2 };
    let counter = if ty == ST_STATE { ack } else { seq };
    let st = f.l7.dpi;
    if st.candidate == Proto::BITTORRENT {
        let (side, first_ty) = (st.stage & 3, st.stage >> 4);
        let (first_conn, first_counter) = (st.data >> 16, st.data & 0xffff);
        let ok = conn == first_conn
            && if side != dir {
                first_ty == ST_SYN && ty == ST_STATE && ack == first_counter
            } else {
                ty == first_ty
                    && matches!(ty, ST_DATA | ST_STATE)
                    && counter == (first_counter + 1) & 0xffff
            };
        return ok && found(f, Proto::BITTORRENT);
    }
    if st.candidate == Proto::UNKNOWN && f.l7.dpi_packets <= 4 {
        f.l7.dpi = DpiState {
            candidate: Proto::BITTORRENT,
            stage: dir | (ty << 4),
            data: conn << 16 | counter,
        };
    }
    false
}

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    let on = |lo: u16, hi: u16| (lo..=hi).contains(&c.cport) || (lo..=hi).contains(&c.sport);
    if c.l4 == 6 {
        if p2p::probe_gnutella_tcp(p) || p2p::probe_gnutella_http(p) {
            return found(f, Proto::GNUTELLA);
        }
        if p2p::probe_bittorrent_handshake(p) {
            return found(f, Proto::BITTORRENT);
        }
        if p2p::probe_bitcoin(p) {
            return found(f, Proto::BITCOIN);
        }
        if p2p::probe_monero(p) {
            return found(f, Proto::MONERO);
        }
        if p2p::probe_edonkey(p) {
            return found(f, Proto::EDONKEY);
        }
        // RLPx is encrypted from its first byte: only its size and key prefix are
        // visible, so it is taken only on Ethereum's ports.
        if on(30300, 30305) && p2p::probe_ethereum_rlpx(p) {
            return found(f, Proto::ETHEREUM);
        }
        return false;
    }
    if p2p::probe_gnutella_udp(p) || p2p::probe_gnutella2_udp(p) {
        return found(f, Proto::GNUTELLA);
    }
    if p2p::probe_bittorrent_dht(p)
        || p2p::probe_bittorrent_lsd(p)
        || p2p::probe_bittorrent_tracker_udp(p)
    {
        return found(f, Proto::BITTORRENT);
    }
    if p2p::probe_syncthing(p) {
        return found(f, Proto::SYNCTHING);
    }
    // Discovery v4 packets are signed, not self-describing: the packet type and RLP
    // list are checked on the discovery port only.
    if on(30303, 30303) && p2p::probe_ethereum_discv4(p) {
        return found(f, Proto::ETHEREUM);
    }
    utp(f, c)
}

#[cfg(test)]
mod tests {
    use crate::dpi::testing::{detect, hex};

    use crate::proto::Proto;

    #[test]
    fn utp_syn_and_state() {
        // bittorrent_utp.pcap: SYN and the STATE acknowledging its sequence number.
        let syn = hex("41004567ed639296000000000010000023c60000");
        let state = hex("21004567ed6393410000000000100000456723c6");
        assert_eq!(
            detect(17, 49861, 33333, &[(&syn, true), (&state, false)]),
            Proto::BITTORRENT
        );
        // zoom2.pcap: repeated headers that parse as uTP DATA without advancing.
        let z = hex("010003c84ac4528718cda2b8477a1b899f338300");
        assert_ne!(
            detect(17, 60653, 8801, &[(&z, true), (&z, true), (&z, true)]),
            Proto::BITTORRENT
        );
    }

    #[test]
    fn gnutella_and_dht() {
        let ping = hex("9328310232360e66fffa380169d76d0300010005000000c382514b40");
        assert_eq!(detect(17, 28681, 45880, &[(&ping, true)]), Proto::GNUTELLA);
        let dht = b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        assert_eq!(detect(17, 6881, 6881, &[(dht, true)]), Proto::BITTORRENT);
        let mut v = hex("f9beb4d976657273696f6e000000000055000000017d0000");
        v.resize(105, 0);
        assert_eq!(detect(6, 55317, 8333, &[(&v, true)]), Proto::BITCOIN);
    }
}
