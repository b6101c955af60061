//! DPI family `vpn` (see the module docs of [`crate::dpi`]): IPsec (IKE, ESP in UDP),
//! OpenVPN, WireGuard, DTLS, DNSCrypt, Avast SecureDNS, tinc, SoftEther.

use weir_decode::app::vpn;

use super::found;
use crate::flow::{DpiState, Flow};
use crate::l7::PacketCtx;
use crate::proto::Proto;

/// Direction marker kept in [`DpiState::stage`]: the candidate's first packet came
/// from the client (1) or the server (2).
fn side(from_client: bool) -> u8 {
    if from_client { 1 } else { 2 }
}

/// The first four bytes of an OpenVPN session id.
fn sid4(sid: &[u8]) -> u32 {
    match *sid {
        [a, b, c, d, ..] => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// OpenVPN: a hard-reset packet opens the flow (its session id is remembered); the
/// flow is OpenVPN once the peer answers with a hard reset that acknowledges that
/// session (or, with tls-crypt, any server hard reset), or the same side sends a
/// further control/ACK packet of the same session.
fn openvpn(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let tcp = c.l4 == 6;
    let st = f.l7.dpi;
    if st.candidate == Proto::OPENVPN {
        let Some(pkt) = vpn::openvpn_packet(c.payload, tcp) else {
            return false;
        };
        let same_side = st.stage & 3 == side(c.from_client);
        if same_side {
            // A control (4) or ACK (5) packet of the same session.
            return matches!(pkt.opcode, 4 | 5)
                && sid4(pkt.session_id) == st.data
                && found(f, Proto::OPENVPN);
        }
        let reply = vpn::probe_openvpn_server_reset(c.payload, tcp)
            .or_else(|| vpn::probe_openvpn_client_reset(c.payload, tcp));
        if let Some(r) = reply {
            let sid = st.data.to_be_bytes();
            // tls-crypt wraps the ACK array: only the opcode is visible (stage bit 4
            // marks a V3 client reset).
            if vpn::openvpn_acks_session(r.rest, sid) || st.stage & 4 != 0 {
                return found(f, Proto::OPENVPN);
            }
        }
        return false;
    }
    if st.candidate != Proto::UNKNOWN || f.l7.dpi_packets > 4 {
        return false;
    }
    let first = vpn::probe_openvpn_client_reset(c.payload, tcp)
        .or_else(|| vpn::probe_openvpn_server_reset(c.payload, tcp));
    // Session ids are random: one with five or more zero bytes is another protocol.
    let random_sid = |sid: &[u8]| sid.iter().filter(|&&b| b == 0).count() < 5;
    if let Some(pkt) = first.filter(|p| random_sid(p.session_id)) {
        let v3 = pkt.opcode == vpn::openvpn_op::HARD_RESET_CLIENT_V3;
        f.l7.dpi = DpiState {
            candidate: Proto::OPENVPN,
            stage: side(c.from_client) | if v3 { 4 } else { 0 },
            data: sid4(pkt.session_id),
        };
    }
    false
}

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    if c.l4 == 6 {
        if vpn::probe_tinc(p) {
            return found(f, Proto::TINC);
        }
        if vpn::probe_pptp(p) {
            return found(f, Proto::PPTP);
        }
        return openvpn(f, c);
    }
    let on = |port: u16| c.cport == port || c.sport == port;
    if vpn::probe_dnscrypt(p) {
        return found(f, Proto::DNSCRYPT);
    }
    if f.l7.dpi_packets <= 2 && vpn::probe_avast_securedns(p) {
        return found(f, Proto::AVASTSECUREDNS);
    }
    if vpn::probe_ike(p) || vpn::strip_non_esp_marker(p).is_some_and(vpn::probe_ike) {
        return found(f, Proto::IPSEC);
    }
    // ESP in UDP and NAT keepalives exist only on the NAT-traversal port.
    if on(4500) && (p == [0xff] || vpn::probe_esp(p)) {
        return found(f, Proto::IPSEC);
    }
    if vpn::probe_tailscale_disco(p) {
        return found(f, Proto::TAILSCALE);
    }
    if vpn::probe_wireguard(p).is_some() {
        return found(f, Proto::WIREGUARD);
    }
    if vpn::probe_dtls(p).is_some() {
        return found(f, Proto::DTLS);
    }
    if vpn::probe_softether_ip_port(p) || vpn::probe_softether_pack(p) {
        return found(f, Proto::SOFTETHER);
    }
    openvpn(f, c)
}

#[cfg(test)]
mod tests {
    use crate::dpi::testing::{detect, hex};

    use crate::proto::Proto;

    #[test]
    fn openvpn_needs_the_acknowledging_reply() {
        // openvpn.pcap: client hard reset v2, the server's reset that acks it.
        let c = hex("38334857703d96db390000000000");
        let s = hex("40d31c3a6964602fa00100000000334857703d96db3900000000");
        assert_eq!(
            detect(17, 60201, 1194, &[(&c, true), (&s, false)]),
            Proto::OPENVPN
        );
        // A reply acknowledging another session is not enough.
        let mut other = s.clone();
        other[14] ^= 0xff;
        assert_ne!(
            detect(17, 60201, 1194, &[(&c, true), (&other, false)]),
            Proto::OPENVPN
        );
        // flute.pcapng: LCT headers look like V1 resets with a mostly-zero session id.
        let lct = hex("101008000000000000000000c0100002400400000000");
        assert_ne!(
            detect(17, 40717, 40085, &[(&lct, true), (&lct, true)]),
            Proto::OPENVPN
        );
    }

    #[test]
    fn stun_then_dtls_is_dtls() {
        let mut stun = hex("000100002112a442");
        stun.resize(20, 7);
        let mut hello = hex("16fefd000000000000000001fd010001f100000000000001f1fefd");
        hello.resize(13 + 0x1fd, 0);
        assert_eq!(detect(17, 50000, 3478, &[(&stun, true)]), Proto::STUN);
        assert_eq!(
            detect(17, 50000, 3478, &[(&stun, true), (&hello, true)]),
            Proto::DTLS
        );
    }

    #[test]
    fn single_packet_vpns() {
        let mut init = hex("01000000d837d030");
        init.resize(148, 0x42);
        assert_eq!(detect(17, 43462, 51820, &[(&init, true)]), Proto::WIREGUARD);
        // ESP in UDP only on the NAT-traversal port.
        let esp = hex("c4a1b2c3000000015a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
        assert_eq!(detect(17, 4500, 4500, &[(&esp, true)]), Proto::IPSEC);
        assert_ne!(detect(17, 40000, 40001, &[(&esp, true)]), Proto::IPSEC);
        assert_eq!(
            detect(6, 59244, 655, &[(b"0 thinks 17\n", true)]),
            Proto::TINC
        );
    }
}
