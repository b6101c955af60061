//! DPI family `infra` (see the module docs of [`crate::dpi`]): discovery,
//! infrastructure and device protocols. Each check is a payload layout check from
//! `weir_decode::app::infra`; a port only narrows checks whose layout is short.

use weir_decode::app::infra as p;

use super::{found, release, sightings};
use crate::flow::{DpiState, Flow};
use crate::l7::{Follow, PacketCtx, identify_as};
use crate::proto::Proto;

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if c.l4 == 17 { udp(f, c) } else { tcp(f, c) }
}

fn udp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let d = c.payload;
    let on = |port: u16| c.cport == port || c.sport == port;
    // RADIUS only on its ports: nDPI leaves well-formed RADIUS elsewhere unknown.
    let radius_port = [1812, 1813, 1645, 1646, 3799].iter().any(|&q| on(q));
    if radius_port && p::probe_radius_header(d) {
        return found(f, Proto::RADIUS);
    }
    if p::probe_slp(d) && (on(427) || d.len() >= 16) {
        return found(f, Proto::SERVICE_LOCATION_PROTOCOL);
    }
    if p::probe_kerberos(d) {
        return found(f, Proto::KERBEROS);
    }
    if p::probe_sunrpc_nfs(d, false) {
        return found(f, Proto::NFS);
    }
    if p::probe_tuya(d) {
        return found(f, Proto::TUYALP);
    }
    if p::probe_bacnet(d) {
        return found(f, Proto::BACNET);
    }
    if p::probe_bjnp(d) {
        return found(f, Proto::BJNP);
    }
    if on(9999) && p::probe_tplink_shp(d, false) {
        return found(f, Proto::TPLINK_SHP);
    }
    if on(5351) && p::probe_natpmp(d) {
        return found(f, Proto::NAT_PMP);
    }
    if p::probe_can(d) {
        return found(f, Proto::CONTROLLER_AREA_NETWORK);
    }
    if (on(5683) || on(5684) || (61616..=61631).any(on)) && p::probe_coap(d) {
        return found(f, Proto::COAP);
    }
    if p::probe_collectd(d) {
        return found(f, Proto::COLLECTD);
    }
    if (on(1985) || on(2029)) && p::probe_hsrp(d) {
        return found(f, Proto::HSRP);
    }
    if on(10001) && p::probe_ubnt(d) {
        return found(f, Proto::UBNTAC2);
    }
    if p::probe_ssdp_response(d) {
        return found(f, Proto::SSDP);
    }
    if p::probe_ripe_atlas(d) {
        return found(f, Proto::RIPEATLAS);
    }
    if on(3702) && p::probe_wsd(d) {
        return found(f, Proto::WSD);
    }
    if on(623) && p::probe_rmcp(d) {
        return found(f, Proto::RMCP);
    }
    if p::probe_roughtime(d) {
        return found(f, Proto::ROUGHTIME);
    }
    // LISP: both ends on the data (4341) or control (4342) port, as nDPI wants.
    if (c.cport == 4342 && c.sport == 4342 && p::probe_lisp_control(d))
        || (c.cport == 4341 && c.sport == 4341 && d.len() >= 8)
    {
        return found(f, Proto::LISP);
    }
    if p::probe_syslog(d) {
        return found(f, Proto::SYSLOG);
    }
    if p::probe_snmp(d) {
        return found(f, Proto::SNMP);
    }
    if p::probe_netflow(d) {
        return found(f, Proto::NETFLOW);
    }
    if p::probe_sflow(d) {
        return found(f, Proto::SFLOW);
    }
    if (on(5246) || on(5247)) && p::probe_capwap(d) {
        return found(f, Proto::CAPWAP);
    }
    for port in [2152, 2123, 3386] {
        if on(port)
            && let Some(g) = p::probe_gtp(d, port)
        {
            identify_as(f, Proto::GTP, Follow::None);
            f.l7.app = match g {
                p::Gtp::User => Proto::GTP_U,
                p::Gtp::Control => Proto::GTP_C,
                p::Gtp::Prime => Proto::GTP_PRIME,
            };
            return true;
        }
    }
    if on(646) && p::probe_ldp(d, false) {
        return found(f, Proto::LDP);
    }
    if p::probe_mgcp(d) {
        return found(f, Proto::MGCP);
    }
    if (7000..=7009).any(on) && p::probe_rx(d) {
        return found(f, Proto::RX);
    }
    if p::probe_someip(d, false) {
        return found(f, Proto::SOMEIP);
    }
    if p::probe_dlep(d, false) {
        return found(f, Proto::DLEP);
    }
    if (on(319) || on(320)) && p::probe_ptpv2(d) {
        return found(f, Proto::PTPV2);
    }
    if ((on(3784) || on(4784)) && p::probe_bfd(d)) || (on(3785) && p::probe_bfd_echo(d)) {
        return found(f, Proto::BFD);
    }
    if p::probe_knxnet(d, false) {
        return found(f, Proto::KNXNET_IP);
    }
    if (on(4059) || on(4060)) && p::probe_iec62056(d) {
        return found(f, Proto::IEC62056);
    }
    if on(9600) && p::probe_fins(d, false) {
        return found(f, Proto::FINS);
    }
    if (on(5094) || on(5095)) && p::probe_hart_ip(d) {
        return found(f, Proto::HART_IP);
    }
    if (on(17224) || on(17225)) && p::probe_trdp(d) {
        return found(f, Proto::TRDP);
    }
    if (on(1044) || on(1045)) && p::probe_uftp(d) {
        return found(f, Proto::UFTP);
    }
    if on(1153) && p::probe_c1222(d) {
        return found(f, Proto::ANSI_C1222);
    }
    if (on(4712) || on(4713)) && p::probe_c37118(d, false) {
        return found(f, Proto::IEEE_C37118);
    }
    if on(8805) && p::probe_pfcp(d) {
        return found(f, Proto::PFCP);
    }
    if p::probe_tivoconnect(d) {
        return found(f, Proto::TIVOCONNECT);
    }
    if on(177) && p::probe_xdmcp(d) {
        return found(f, Proto::XDMCP);
    }
    if on(8116) && p::probe_cpha(d) {
        return found(f, Proto::CPHA);
    }
    if (on(1628) || on(1629)) && p::probe_cnp_ip(d) {
        return found(f, Proto::CNP_IP);
    }
    if p::probe_flute(d) {
        return found(f, Proto::FLUTE);
    }
    if sonos(f, c) {
        return found(f, Proto::SONOS);
    }
    if p::probe_ethersio(d) {
        return found(f, Proto::ETHERSIO);
    }
    if on(5050) && p::probe_ether_s_bus(d) {
        return found(f, Proto::ETHER_S_BUS);
    }
    if on(18246) && p::probe_egd(d) {
        return found(f, Proto::ETHERNETGLOBALDATA);
    }
    tftp(f, c)
}

/// Sonos speakers' LAN control, recognised as nDPI does: IPv4 datagrams to a
/// private, non-multicast address, 48 bytes long on port 12301, or sent to port 7080
/// with a length under 200 or between 1000 and 1100.
fn sonos(f: &Flow, c: &PacketCtx<'_>) -> bool {
    let (dst, dport) = if c.from_client {
        f.server()
    } else {
        f.client()
    };
    let std::net::IpAddr::V4(dst) = dst else {
        return false;
    };
    if !dst.is_private() || dst.is_multicast() {
        return false;
    }
    let n = c.payload.len();
    let sport = if c.from_client { c.cport } else { c.sport };
    if n == 48 {
        dport == 12301 || sport == 12301
    } else {
        dport == 7080 && (n < 200 || (1001..1100).contains(&n))
    }
}

/// TFTP: a request on port 69 or an option acknowledgement decides at once; a
/// transfer on negotiated ports needs two packets that fit together (DATA n answered
/// by ACK n, ACK n by DATA n+1, or an OACK/ERROR followed by a transfer packet).
fn tftp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let d = c.payload;
    if ((c.cport == 69 || c.sport == 69) && p::probe_tftp_request(d)) || p::probe_tftp_oack(d) {
        return found(f, Proto::TFTP);
    }
    let Some((op, block)) = p::tftp_transfer(d) else {
        release(f, Proto::TFTP);
        return false;
    };
    let st = f.l7.dpi;
    if st.candidate != Proto::TFTP && st.candidate != Proto::UNKNOWN {
        // Another dissector parked its own state: leave it alone.
        return false;
    }
    let dir = u32::from(c.from_client);
    if st.candidate == Proto::TFTP && st.data >> 31 != dir {
        let (pop, pblock) = ((st.data >> 16 & 0x7fff) as u16, st.data as u16);
        let fits = match (pop, op) {
            (3, 4) => block == pblock,
            (4, 3) => block == pblock.wrapping_add(1),
            (6 | 5, 3 | 4) | (3 | 4, 5) => true,
            _ => false,
        };
        if fits {
            return found(f, Proto::TFTP);
        }
    }
    f.l7.dpi = DpiState {
        candidate: Proto::TFTP,
        stage: 1,
        data: dir << 31 | u32::from(op) << 16 | u32::from(block),
    };
    false
}

fn tcp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let d = c.payload;
    let on = |port: u16| c.cport == port || c.sport == port;
    if p::probe_kerberos_tcp(d) {
        return found(f, Proto::KERBEROS);
    }
    if p::probe_sunrpc_nfs(d, true) {
        return found(f, Proto::NFS);
    }
    if on(9999) && p::probe_tplink_shp(d, true) {
        return found(f, Proto::TPLINK_SHP);
    }
    if p::probe_tuya(d) && (on(6668) || on(6667) || on(6666)) {
        return found(f, Proto::TUYALP);
    }
    if p::probe_syslog(d) {
        return found(f, Proto::SYSLOG);
    }
    if on(646) && p::probe_ldp(d, true) {
        return found(f, Proto::LDP);
    }
    if p::probe_someip(d, true) && (on(30490) || on(30491) || on(30501)) {
        return found(f, Proto::SOMEIP);
    }
    if on(854) && p::probe_dlep(d, true) {
        return found(f, Proto::DLEP);
    }
    if on(3671) && p::probe_knxnet(d, true) {
        return found(f, Proto::KNXNET_IP);
    }
    if (on(4059) || on(4060)) && p::probe_iec62056(d) {
        return found(f, Proto::IEC62056);
    }
    if p::probe_fins(d, true) {
        return found(f, Proto::FINS);
    }
    if on(5094) && p::probe_hart_ip(d) {
        return found(f, Proto::HART_IP);
    }
    if on(17225) && p::probe_trdp(d) {
        return found(f, Proto::TRDP);
    }
    if on(1153) && p::probe_c1222(d) {
        return found(f, Proto::ANSI_C1222);
    }
    if (on(4712) || on(4713)) && p::probe_c37118(d, true) {
        return found(f, Proto::IEEE_C37118);
    }
    if p::probe_kismet(d) {
        return found(f, Proto::KISMET);
    }
    if on(4342) && p::probe_lisp_tcp(d) {
        return found(f, Proto::LISP);
    }
    if on(427) && p::probe_slp(d) {
        return found(f, Proto::SERVICE_LOCATION_PROTOCOL);
    }
    if f.l7.dpi_packets <= 8 && p::probe_hp_virtgrp(d) {
        return found(f, Proto::HP_VIRTGRP);
    }
    if on(11095) && p::probe_nest_log_sink(d) {
        // nDPI wants three matching segments; weir sees fewer within its packet
        // budget (empty ACKs count), so two decide.
        if sightings(f, Proto::NESTLOGSINK).is_some_and(|n| n >= 2) {
            return found(f, Proto::NESTLOGSINK);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::dpi::testing::{feed, flow, hex};

    use crate::flow::Detection;

    use crate::proto::Proto;

    #[test]
    fn tftp_transfer_needs_two_packets_that_fit() {
        // An option acknowledgement decides on its own.
        let mut f = flow(17, 35840, 47649);
        let oack = hex("0006626c6b73697a650031343638007473697a650031303030303000");
        feed(&mut f, &oack, false, 17, 35840, 47649);
        assert_eq!(f.l7.master, Proto::TFTP);
        // ACK 0 from the server's transfer port, then the client's DATA 1.
        let mut f = flow(17, 44618, 62058);
        feed(&mut f, &hex("00040000"), false, 17, 44618, 62058);
        assert_eq!(f.l7.master, Proto::UNKNOWN);
        feed(
            &mut f,
            &hex("000300011f8b08009ca8f760"),
            true,
            17,
            44618,
            62058,
        );
        assert_eq!(f.l7.master, Proto::TFTP);
        // DATA 1 answered by ACK 2 does not fit.
        let mut f = flow(17, 3445, 50618);
        feed(&mut f, &hex("000300010a0a0a0a"), true, 17, 3445, 50618);
        feed(&mut f, &hex("00040002"), false, 17, 3445, 50618);
        assert_eq!(f.l7.master, Proto::UNKNOWN);
    }

    #[test]
    fn llmnr_on_5355_and_igmp_by_protocol_number() {
        let mut f = flow(17, 51458, 5355);
        feed(
            &mut f,
            &hex("605e0000000100000000000004777061640000010001"),
            true,
            17,
            51458,
            5355,
        );
        assert_eq!(f.l7.master, Proto::LLMNR);
        let mut f = flow(2, 0, 0);
        feed(&mut f, &hex("1600fa04e00000fb"), true, 2, 0, 0);
        assert_eq!(
            (f.l7.master, f.l7.detection),
            (Proto::IGMP, Detection::Done)
        );
    }

    #[test]
    fn nest_log_sink_counts_records() {
        let mut f = flow(6, 63342, 11095);
        let rec = hex("1102001308030000369e27000030b418");
        feed(&mut f, &rec, true, 6, 63342, 11095);
        assert_eq!(f.l7.master, Proto::UNKNOWN);
        feed(
            &mut f,
            &hex("a5020013e8a78665040000000230b418"),
            false,
            6,
            63342,
            11095,
        );
        assert_eq!(f.l7.master, Proto::NESTLOGSINK);
    }

    #[test]
    fn gtp_control_names_the_app() {
        let mut f = flow(17, 1024, 2123);
        let p = hex("4824001e355292064b546200490001000556000d0018987654123498765412345678");
        feed(&mut f, &p, true, 17, 1024, 2123);
        assert_eq!((f.l7.master, f.l7.app), (Proto::GTP, Proto::GTP_C));
    }
}
