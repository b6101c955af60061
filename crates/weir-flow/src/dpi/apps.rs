//! DPI family `apps` (see the module docs of [`crate::dpi`]): TCP applications —
//! databases, message brokers, monitoring agents, remote access, proxies, file sharing —
//! and industrial control protocols.
//!
//! Most are decided by one message checked against the protocol's format
//! ([`weir_decode::app::apps`], [`weir_decode::app::ics`]). Protocols whose first
//! message is too short or too generic to be decisive (SOCKS, TDS, Modbus, MQTT
//! keep-alives, NNTP, TeamViewer, OpenFlow, ISO-on-TCP) park a candidate in
//! [`crate::flow::DpiState`] and decide on the other side's answer: `stage` is 1 after
//! the first message, `data` bit 31 records which side sent it (1: the client) and the
//! low bits a value the answer must echo (a Modbus transaction id).

use weir_decode::app::apps as a;
use weir_decode::app::ics;

use super::{found, sightings};
use crate::flow::{DpiState, Flow};
use crate::l7::{Follow, PacketCtx, identify_as};
use crate::proto::Proto;

const CLIENT_BIT: u32 = 1 << 31;

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    if p.is_empty() {
        return false;
    }
    if c.l4 == 17 {
        return identify_udp(f, c);
    }
    if c.l4 != 6 {
        return false;
    }
    if is_mine(f.l7.dpi.candidate) && answer(f, c) {
        return true;
    }
    if let Some(proto) = single(c) {
        return found(f, proto);
    }
    if f.l7.dpi.candidate == Proto::UNKNOWN
        && let Some((proto, data)) = opening(c)
    {
        f.l7.dpi = DpiState {
            candidate: proto,
            stage: 1,
            data: data | if c.from_client { CLIENT_BIT } else { 0 },
        };
    }
    false
}

/// Protocols decided by one message.
fn single(c: &PacketCtx<'_>) -> Option<Proto> {
    let p = c.payload;
    let on = |port: u16| c.cport == port || c.sport == port;
    let first = *p.first()?;
    // Text signatures first (cheap prefix checks).
    let text = match first {
        b'Z' if a::probe_zabbix(p) => Some(Proto::ZABBIX),
        b'8' if a::probe_fix(p) => Some(Proto::FIX),
        b'<' if a::probe_xmpp(p) => Some(if a::mentions_truphone(p) {
            Proto::TRUPHONE
        } else {
            Proto::JABBER
        }),
        b'<' if a::probe_checkmk(p) => Some(Proto::CHECKMK),
        b'R' if a::probe_rfb(p) => Some(Proto::VNC),
        b'c' if a::probe_ceph(p) => Some(Proto::CEPH),
        b'#' if a::probe_munin(p) => Some(Proto::MUNIN),
        b'J' if a::probe_jrmi(p) => Some(Proto::JRMI),
        b'@' if a::probe_rsync(p) => Some(Proto::RSYNC),
        b'N' if a::probe_nomachine(p) => Some(Proto::NOMACHINE),
        b'*' if a::probe_resp(p) => Some(Proto::RESP),
        b'S' | b'C' if a::probe_stomp(p) => Some(Proto::STOMP),
        b'P' | b'\r' if a::probe_proxy_protocol(p) => Some(Proto::HAPROXY),
        0x0b if a::probe_hl7(p) => Some(Proto::HL7),
        0x7f if a::probe_ica(p) => Some(Proto::CITRIX),
        b'G' if a::probe_giop(p) => Some(Proto::CORBA),
        b'E' if a::probe_elasticsearch(p) => Some(Proto::ELASTICSEARCH),
        b'H' if a::probe_hislip(p) => Some(Proto::HISLIP),
        _ => None,
    };
    if text.is_some() {
        return text;
    }
    if let Some(ty) = a::probe_tds(p)
        && ((ty != 0x04 && a::tds_all_headers(p)) || on(1433))
    {
        return Some(Proto::MSSQL_TDS);
    }
    if a::probe_git(p) {
        return Some(Proto::GIT);
    }
    if a::probe_telnet(p) {
        return Some(Proto::TELNET);
    }
    // From the server only its prefixed lines (`:server NOTICE ...`, numerics).
    if (c.from_client || p.first() == Some(&b':') || p.starts_with(b"NOTICE AUTH"))
        && a::probe_irc(p)
    {
        return Some(Proto::IRC);
    }
    if a::probe_memcached(p) {
        return Some(Proto::MEMCACHED);
    }
    if a::probe_pgsql(p) {
        return Some(Proto::POSTGRESQL);
    }
    if a::probe_mysql_greeting(p) {
        return Some(Proto::MYSQL);
    }
    if a::probe_ldap(p) {
        return Some(Proto::LDAP);
    }
    if a::probe_mongodb(p) {
        return Some(Proto::MONGODB);
    }
    if a::probe_mqtt_connect(p) {
        return Some(Proto::MQTT);
    }
    if a::probe_kafka_request(p) {
        return Some(Proto::KAFKA);
    }
    if a::probe_cassandra(p) {
        return Some(Proto::CASSANDRA);
    }
    if a::probe_ajp(p) {
        return Some(Proto::AJP);
    }
    if a::probe_dcerpc_tcp(p) {
        return Some(Proto::DCERPC);
    }
    if a::probe_amqp(p) {
        return Some(Proto::AMQP);
    }
    if a::probe_enip(p) {
        return Some(Proto::ETHERNETIP);
    }
    if a::probe_dsi(p) {
        return Some(Proto::AFP);
    }
    if a::probe_tns_connect(p) {
        return Some(Proto::ORACLE);
    }
    if a::probe_openwire(p) {
        return Some(Proto::OPENWIRE);
    }
    if a::probe_smpp(p) {
        return Some(Proto::SMPP);
    }
    if a::probe_diameter(p) {
        return Some(Proto::DIAMETER);
    }
    if a::probe_drda(p) {
        return Some(Proto::DRDA);
    }
    if a::probe_fastcgi(p) {
        return Some(Proto::FASTCGI);
    }
    if a::probe_gearman(p) {
        return Some(Proto::GEARMAN);
    }
    if a::probe_thrift(p) {
        return Some(Proto::THRIFT);
    }
    if a::probe_z3950(p) {
        return Some(Proto::Z3950);
    }
    if ics::probe_dnp3(p) {
        return Some(Proto::DNP3);
    }
    if ics::probe_iec104(p) {
        return Some(Proto::IEC60870);
    }
    if ics::probe_ads(p) {
        return Some(Proto::BECKHOFFADS);
    }
    if ics::probe_opcua(p) {
        return Some(Proto::OPC_UA);
    }
    match ics::probe_iso_tsap(p) {
        Some(ics::IsoTsap::S7) => return Some(Proto::S7COMM),
        Some(ics::IsoTsap::S7Plus) => return Some(Proto::S7COMMPLUS),
        Some(ics::IsoTsap::Session) => return Some(Proto::ISO9506_1_MMS),
        _ => {}
    }
    // Port-narrowed checks: the payload format alone is too plain.
    if (on(43) || on(4343)) && c.from_client && a::probe_whois_query(p) {
        return Some(Proto::WHOIS_DAS);
    }
    if (on(2000) || on(2443)) && a::probe_skinny(p) {
        return Some(Proto::CISCOSKINNY);
    }
    if on(10001) && a::probe_atg(p) {
        return Some(Proto::ATG);
    }
    if (on(5094) || on(5095)) && ics::probe_hart_ip(p) {
        return Some(Proto::HART_IP);
    }
    if on(514) && c.from_client && a::probe_rsh_client(p) {
        return Some(Proto::RSH);
    }
    if a::probe_lotus_notes(p) {
        return Some(Proto::LOTUSNOTES);
    }
    if a::probe_lustre(p) {
        return Some(Proto::LUSTRE);
    }
    None
}

/// First messages that make a candidate: (protocol, value the answer must echo).
fn opening(c: &PacketCtx<'_>) -> Option<(Proto, u32)> {
    let p = c.payload;
    if a::probe_socks5_hello(p) || a::probe_socks4_request(p) {
        return Some((Proto::SOCKS, u32::from(p.first().copied().unwrap_or(0))));
    }
    if let Some(ty) = a::probe_tds(p)
        && ty != 0x04
    {
        return Some((Proto::MSSQL_TDS, 0));
    }
    if let Some((tid, func)) = ics::probe_modbus(p) {
        return Some((Proto::MODBUS, u32::from(tid) << 8 | u32::from(func & 0x7f)));
    }
    if a::probe_mqtt_pingreq(p) {
        return Some((Proto::MQTT, 0));
    }
    if let Some(id) = a::mqtt_publish_id(p) {
        // The answer must acknowledge this packet id (0x1_0000 marks a PUBLISH).
        return Some((Proto::MQTT, 0x1_0000 | u32::from(id)));
    }
    if a::probe_xmpp_stanza(p) {
        return Some((Proto::JABBER, 0));
    }
    if a::probe_nntp_greeting(p) {
        return Some((Proto::USENET, 0));
    }
    if a::probe_teamviewer_tcp(p) {
        return Some((Proto::TEAMVIEWER, 0));
    }
    if a::probe_openflow_hello(p) {
        return Some((Proto::OPENFLOW, 0));
    }
    if ics::probe_iso_tsap(p) == Some(ics::IsoTsap::Connect) {
        // Decided by the first data TPDU (see `single`); the candidate only keeps
        // other families from claiming the connection request.
        return Some((Proto::S7COMM, 0));
    }
    None
}

fn is_mine(p: Proto) -> bool {
    matches!(
        p,
        Proto::SOCKS
            | Proto::MSSQL_TDS
            | Proto::MODBUS
            | Proto::MQTT
            | Proto::JABBER
            | Proto::USENET
            | Proto::TEAMVIEWER
            | Proto::OPENFLOW
            | Proto::S7COMM
    )
}

/// The second message of a parked candidate: `true` once the flow is identified.
fn answer(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let st = f.l7.dpi;
    let p = c.payload;
    let opener_was_client = st.data & CLIENT_BIT != 0;
    let other_side = opener_was_client != c.from_client;
    let value = st.data & !CLIENT_BIT;
    let ok = match st.candidate {
        Proto::SOCKS => {
            other_side
                && if value == 5 {
                    a::probe_socks5_choice(p)
                } else {
                    a::probe_socks4_reply(p)
                }
        }
        Proto::MSSQL_TDS => other_side && a::probe_tds(p) == Some(0x04),
        Proto::MODBUS => {
            other_side
                && ics::probe_modbus(p).is_some_and(|(tid, func)| {
                    u32::from(tid) << 8 | u32::from(func & 0x7f) == value
                })
        }
        Proto::MQTT if value == 0 => other_side && a::probe_mqtt_pingresp(p),
        Proto::MQTT => {
            other_side && a::mqtt_ack_id(p).is_some_and(|id| u32::from(id) == value & 0xffff)
        }
        Proto::JABBER => other_side && a::probe_xmpp_stanza(p),
        Proto::USENET => other_side && a::probe_nntp_command(p),
        // Two messages of the TeamViewer framing, from either side.
        Proto::TEAMVIEWER => a::probe_teamviewer_tcp(p),
        Proto::OPENFLOW => other_side && a::probe_openflow_hello(p),
        _ => false,
    };
    if ok {
        return found(f, st.candidate);
    }
    // A reply that does not fit drops the candidate (the ISO-on-TCP one waits for its
    // data TPDU, which `single` decides).
    if other_side && st.candidate != Proto::S7COMM {
        f.l7.dpi = DpiState::default();
    }
    false
}

fn identify_udp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    if a::probe_teamviewer_udp(p) {
        // A short magic: decided on the service port or on the third such datagram.
        let on_port = c.cport == 5938 || c.sport == 5938;
        if let Some(n) = sightings(f, Proto::TEAMVIEWER) {
            return (on_port || n >= 3) && found(f, Proto::TEAMVIEWER);
        }
    }
    if let Some(uuid) = a::probe_dcerpc_udp(p) {
        identify_as(f, Proto::DCERPC, Follow::None);
        if a::is_profinet_uuid(uuid) {
            f.l7.app = Proto::PROFINET_IO;
        }
        return true;
    }
    let on = |port: u16| c.cport == port || c.sport == port;
    let proto = if a::probe_thrift_compact(p) {
        Proto::THRIFT
    } else if a::probe_miop(p) || a::probe_giop(p) {
        Proto::CORBA
    } else if ics::probe_cip_io(p) {
        Proto::CIP
    } else if a::probe_enip(p) {
        Proto::ETHERNETIP
    } else if ics::probe_dnp3(p) {
        Proto::DNP3
    } else if a::probe_memcached_udp(p) {
        Proto::MEMCACHED
    } else if (on(5094) || on(5095)) && ics::probe_hart_ip(p) {
        Proto::HART_IP
    } else if on(389) && a::probe_ldap(p) {
        // Connectionless LDAP (RFC 1798; Active Directory's DC discovery).
        Proto::LDAP
    } else {
        return false;
    };
    found(f, proto)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::FlowKey;
    use weir_decode::Timestamp;

    fn flow(cport: u16, sport: u16) -> Flow {
        let (k, a) = FlowKey::new(
            0,
            6,
            ("10.0.0.1".parse().unwrap(), cport),
            ("10.0.0.2".parse().unwrap(), sport),
        );
        Flow::new(k, a, 1, Timestamp(1))
    }

    fn feed(f: &mut Flow, p: &[u8], from_client: bool) -> bool {
        let (cport, sport) = (f.key.a_port, f.key.b_port);
        let c = PacketCtx {
            payload: p,
            from_client,
            l4: 6,
            cport,
            sport,
            in_order: true,
            ts: Timestamp(2),
        };
        identify(f, &c)
    }

    #[test]
    fn socks5_needs_the_method_choice() {
        let mut f = flow(37904, 1080);
        assert!(!feed(&mut f, &[0x05, 0x02, 0x00, 0x01], true));
        assert_eq!(f.l7.dpi.candidate, Proto::SOCKS);
        assert!(feed(&mut f, &[0x05, 0x00], false));
        assert_eq!(f.l7.master, Proto::SOCKS);
    }

    #[test]
    fn modbus_reply_must_echo_the_transaction() {
        let mut f = flow(2074, 502);
        let req = [0x00, 0xd1, 0, 0, 0, 6, 1, 3, 0, 1, 0, 1];
        assert!(!feed(&mut f, &req, true));
        // Another transaction id: not an answer.
        assert!(!feed(
            &mut f,
            &[0x00, 0xd2, 0, 0, 0, 5, 1, 3, 2, 0, 0],
            false
        ));
        assert!(!feed(&mut f, &req, true));
        assert!(feed(
            &mut f,
            &[0x00, 0xd1, 0, 0, 0, 5, 1, 3, 2, 0, 0],
            false
        ));
        assert_eq!(f.l7.master, Proto::MODBUS);
    }

    #[test]
    fn zabbix_header() {
        let mut f = flow(57162, 10050);
        assert!(feed(
            &mut f,
            b"ZBXD\x01\n\x00\x00\x00\x00\x00\x00\x00proc.num[]",
            true
        ));
        assert_eq!(f.l7.master, Proto::ZABBIX);
    }

    #[test]
    fn cldap_needs_port_389() {
        let search = [
            0x30, 0x0b, 0x02, 0x01, 0x01, 0x63, 0x06, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x01,
        ];
        for (sport, want) in [(389, Proto::LDAP), (4000, Proto::UNKNOWN)] {
            let (k, a) = FlowKey::new(
                0,
                17,
                ("10.0.0.1".parse().unwrap(), 50000),
                ("10.0.0.2".parse().unwrap(), sport),
            );
            let mut f = Flow::new(k, a, 1, Timestamp(1));
            let c = PacketCtx {
                payload: &search,
                from_client: true,
                l4: 17,
                cport: 50000,
                sport,
                in_order: true,
                ts: Timestamp(2),
            };
            identify(&mut f, &c);
            assert_eq!(f.l7.master, want);
        }
    }
}
