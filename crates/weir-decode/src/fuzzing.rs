//! The bodies of the cargo-fuzz targets in `fuzz/`, kept here so that the fuzz targets
//! and the ordinary test that replays their corpora run the same checks.
//!
//! Each function panics when a promise of this crate is broken (that is what a fuzzer
//! looks for); on valid and invalid input alike it must return normally.
#![allow(clippy::panic)]

use crate::capture::{CaptureReader, MAX_RECORD_LEN};
use crate::{LinkType, decode};

/// `decode` target: the first byte picks the link type, the rest is the frame.
pub fn decode_input(data: &[u8]) {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let lt = LinkType::SUPPORTED
        .get(usize::from(sel) % LinkType::SUPPORTED.len())
        .copied()
        .unwrap_or(LinkType::Ethernet);
    check_frame(lt, frame);
}

/// Decodes one frame and checks what every consumer relies on, and that the worker
/// dispatcher's shortcut ([`crate::plain_tuple`]) reads the flow [`decode`] reads.
fn check_frame(lt: LinkType, frame: &[u8]) {
    if let Some(t) = crate::plain_tuple(lt, frame) {
        assert_eq!(
            Some(t),
            crate::decoded_tuple(lt, frame),
            "plain_tuple disagrees with decode"
        );
    }
    if let Ok(p) = decode(lt, frame) {
        assert!(
            p.payload.len() <= frame.len(),
            "payload longer than the frame"
        );
        if let Some(e) = p.error {
            assert!(e.offset <= frame.len(), "error offset past the frame");
        }
        let _ = p.layers.iter().count();
        let _ = p.l4.and_then(|l| l.ports());
    }
}

/// `pcap` and `pcapng` targets: read every frame until `None`, checking the reader's
/// promises, and decode each frame.
pub fn capture_input(data: &[u8]) {
    let Ok(mut reader) = CaptureReader::new(data, "fuzz") else {
        return;
    };
    let size = data.len() as u64;
    while let Some(next) = reader.next_frame() {
        match next {
            Ok(frame) => {
                assert!(
                    frame.data.len() <= MAX_RECORD_LEN as usize,
                    "oversized frame"
                );
                assert!(frame.offset < size, "frame offset past the input");
                check_frame(frame.linktype, frame.data);
            }
            Err(e) => {
                assert!(e.offset < size.max(1), "error offset past the input");
                let _ = e.to_string();
                if e.is_fatal() {
                    assert!(reader.next_frame().is_none(), "a frame after a fatal error");
                    break;
                }
            }
        }
    }
    let stats = reader.stats();
    assert!(stats.bytes_read <= size);
    assert!(stats.skipped_bytes <= stats.bytes_read);
}

/// `syslog` target: the message parser, and the TCP framer fed the input in two chunks
/// split where the first byte says.
pub fn syslog_input(data: &[u8]) {
    if let Ok(m) = crate::parse_syslog(data) {
        assert!(m.priority <= 191, "priority out of range");
        assert!(
            m.content.len() <= data.len(),
            "content longer than the message"
        );
        let _ = m.default_producer();
    }
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let at = usize::from(cut) % (stream.len() + 1);
    let (a, b) = stream.split_at(at);
    let mut framer = crate::SyslogFramer::new(1024);
    let mut total = 0usize;
    for chunk in [a, b] {
        framer.push(chunk);
        while let Some(frame) = framer.next_frame() {
            assert!(frame.len() <= 1024, "frame over the limit");
            total += frame.len();
            let _ = crate::parse_syslog(&frame);
        }
    }
    assert!(
        total <= stream.len(),
        "framer produced more bytes than it was given"
    );
    let _ = framer.finish();
}

/// `app_dhcp` target: fuzz the DHCP parser.
pub fn app_dhcp_input(data: &[u8]) {
    use crate::app::dhcp;

    let _ = dhcp::parse(data);
}

/// `app_dns` target: fuzz the lenient DNS parser (UDP and TCP framing).
pub fn app_dns_input(data: &[u8]) {
    use crate::app::dns;

    let _ = dns::probe(data);
    if let Some(m) = dns::parse(data) {
        assert!(m.qname.as_bytes().len() <= dns::MAX_NAME);
    }
    if let Some(inner) = dns::strip_tcp_length(data) {
        let _ = dns::parse(inner);
    }
}

/// `app_http` target: fuzz the HTTP dissector: request and response heads.
pub fn app_http_input(data: &[u8]) {
    use crate::app::http;

    if let Some(r) = http::parse_request(data) {
        assert!(r.target.len() <= data.len());
        let _ = http::is_proxy_request(&r);
    }
    if let Some(r) = http::parse_response(data) {
        assert!((100..=999).contains(&r.code));
    }
}

/// `app_mail` target: fuzz the SMTP/IMAP/POP3 banner and command probes.
pub fn app_mail_input(data: &[u8]) {
    use crate::app::mail;

    let _ = mail::probe_banner(data);
    let _ = mail::probe_command(data);
}

/// `app_apps` target: fuzz the TCP application probes (databases, brokers, remote access...).
pub fn app_apps_input(data: &[u8]) {
    let _ = crate::app::apps::probe_all(data);
}

/// `app_ics` target: fuzz the industrial control probes (DNP3, IEC 104, Modbus, S7...).
pub fn app_ics_input(data: &[u8]) {
    let _ = crate::app::ics::probe_all(data);
}

/// `app_misc` target: fuzz the small signature probes (SIP, RTP, SSDP, FTP, BGP, NATS, NetBIOS, Dropbox,
pub fn app_misc_input(data: &[u8]) {
    use crate::app::misc;

    let _ = misc::probe_sip(data);
    let _ = misc::probe_rtp(data);
    let _ = misc::probe_ssdp(data);
    let _ = misc::probe_ftp(data);
    let _ = misc::probe_bgp(data);
    let _ = misc::probe_nats(data);
    let _ = misc::probe_netbios_ns(data);
    let _ = misc::probe_dropbox(data);
    let _ = misc::probe_spotify(data);
    let _ = misc::probe_stun(data);
    let _ = misc::probe_stun_classic(data);
    let _ = misc::probe_stun_tcp(data);
    let _ = misc::probe_rtcp(data);
    let _ = misc::rtp_header(data);
}

/// `app_voip` target: fuzz the messaging/call probes (WhatsApp stream matcher from every
/// state the first bytes select, Discord, Telegram, Zoom, Xiaomi, Threema, Viber, SSDP).
pub fn app_voip_input(data: &[u8]) {
    use crate::app::voip::{self, WaProgress, WaStep};

    let (head, rest) = data.split_first().map_or((0, data), |(&h, r)| (h, r));
    let start = WaProgress {
        stage: head % 6,
        data: rest
            .get(..4)
            .map_or(0, |b| b.iter().fold(0u32, |a, &x| (a << 8) | u32::from(x))),
    };
    let _ = voip::whatsapp_step(start, rest);
    // Feed the input as two segments, resuming from the first one's state.
    let cut = usize::from(head).min(data.len());
    let (a, b) = data.split_at(cut);
    if let WaStep::More(st) = voip::whatsapp_step(WaProgress::default(), a) {
        let _ = voip::whatsapp_step(st, b);
    }
    let _ = voip::discord_ip_discovery(data);
    let _ = voip::discord_keepalive(data);
    let _ = voip::telegram_reflector(data);
    let _ = voip::zoom_sfu_hello(data);
    let _ = voip::xiaomi_push(data);
    let _ = voip::threema_frame(data);
    let _ = voip::viber_udp(data);
    let _ = voip::viber_tcp_frame(data);
    let _ = voip::ssdp_response(data);
    let _ = voip::rtsp(data);
    let _ = voip::h323_tcp(data);
    let _ = voip::h323_ras(data);
    let _ = voip::mgcp_command(data);
    let _ = voip::megaco(data);
    let _ = voip::mpeg_ts(data);
    let _ = voip::iax2_control(data);
    let _ = voip::mumble_ping(data);
    let _ = voip::teamspeak3_init(data);
    let _ = voip::zoom_p2p_hello(data);
    let _ = voip::bfcp_header(data);
    let _ = voip::rtmp_handshake(data);
    let _ = voip::http2_preface(data);
    let _ = voip::websocket_frame(data);
}

/// `app_ntp` target: fuzz the NTP header parser.
pub fn app_ntp_input(data: &[u8]) {
    use crate::app::ntp;

    let _ = ntp::parse(data);
}

/// `app_quic` target: fuzz the QUIC header parser, Initial decryption and CRYPTO frame walk.
pub fn app_quic_input(data: &[u8]) {
    use crate::app::quic;

    let _ = quic::parse_header(data);
    if let Some(plain) = quic::decrypt_client_initial(data) {
        quic::crypto_frames(&plain, |_, _| {});
    }
    // The frame walker on arbitrary plaintext.
    quic::crypto_frames(data, |off, d| {
        let _ = off.checked_add(d.len() as u64);
    });
}

/// `app_rdp` target: fuzz the RDP (TPKT/X.224) probe.
pub fn app_rdp_input(data: &[u8]) {
    use crate::app::rdp;

    let _ = rdp::probe(data);
}

/// `app_smb` target: fuzz the SMB / NetBIOS probes.
pub fn app_smb_input(data: &[u8]) {
    use crate::app::smb;

    let _ = smb::probe_tcp(data);
    let _ = smb::probe_netbios_session(data);
    let _ = smb::probe_datagram(data);
}

/// `app_ssh` target: fuzz the SSH banner and KEXINIT (HASSH) parser.
pub fn app_ssh_input(data: &[u8]) {
    use crate::app::ssh;

    let _ = ssh::banner(data);
    if let Some(k) = ssh::parse_kexinit(data) {
        let _ = ssh::hassh(&k, true);
        let _ = ssh::hassh(&k, false);
    }
}

/// `app_tls` target: fuzz the TLS dissector: record walk, hellos, certificate extraction and X.509 parsing.
pub fn app_tls_input(data: &[u8]) {
    use crate::app::tls;

    let _ = tls::probe(data);
    let _ = tls::probe_records(data);
    let mut scratch = Vec::new();
    tls::handshake_messages(data, &mut scratch, 1 << 15, |ty, body| match ty {
        tls::HS_CLIENT_HELLO => {
            let _ = tls::parse_client_hello(body);
        }
        tls::HS_SERVER_HELLO => {
            let _ = tls::parse_server_hello(body);
        }
        tls::HS_CERTIFICATE => {
            if let Some(der) = tls::first_certificate(body) {
                let _ = tls::parse_certificate(der);
            }
        }
        _ => {}
    });
    assert!(scratch.len() <= 1 << 15);
    // Hello bodies directly, without records.
    let _ = tls::parse_client_hello(data);
    let _ = tls::parse_server_hello(data);
}

/// `app_infra` target: fuzz the `infra` family's probes (discovery, infrastructure,
/// ICS over UDP) on any bytes and every port variant they take.
pub fn app_infra_input(data: &[u8]) {
    use crate::app::infra;

    let d = data;
    let _ = (
        infra::probe_slp(d),
        infra::probe_radius(d),
        infra::probe_radius_header(d),
    );
    let _ = (
        infra::probe_kerberos(d),
        infra::probe_kerberos_tcp(d),
        infra::probe_tuya(d),
    );
    let _ = (
        infra::probe_bacnet(d),
        infra::probe_bjnp(d),
        infra::probe_natpmp(d),
        infra::probe_can(d),
    );
    let _ = (
        infra::probe_tftp_request(d),
        infra::tftp_transfer(d),
        infra::probe_tftp_oack(d),
        infra::probe_coap(d),
    );
    let _ = (
        infra::probe_collectd(d),
        infra::probe_hsrp(d),
        infra::probe_ubnt(d),
        infra::probe_ssdp_response(d),
    );
    let _ = (
        infra::probe_ripe_atlas(d),
        infra::probe_wsd(d),
        infra::probe_rmcp(d),
        infra::probe_roughtime(d),
    );
    let _ = (
        infra::probe_syslog(d),
        infra::probe_netflow(d),
        infra::probe_sflow(d),
        infra::probe_capwap(d),
    );
    let _ = (
        infra::probe_mgcp(d),
        infra::probe_rx(d),
        infra::probe_ptpv2(d),
        infra::probe_bfd(d),
    );
    let _ = (
        infra::probe_iec62056(d),
        infra::probe_hart_ip(d),
        infra::probe_trdp(d),
        infra::probe_uftp(d),
    );
    let _ = (
        infra::probe_c1222(d),
        infra::probe_kismet(d),
        infra::probe_pfcp(d),
        infra::probe_tivoconnect(d),
    );
    let _ = (
        infra::probe_xdmcp(d),
        infra::probe_cpha(d),
        infra::probe_cnp_ip(d),
        infra::probe_ethersio(d),
    );
    let _ = (
        infra::probe_ether_s_bus(d),
        infra::probe_egd(d),
        infra::probe_nest_log_sink(d),
        infra::probe_hp_virtgrp(d),
    );
    let _ = (
        infra::probe_snmp(d),
        infra::probe_lisp_control(d),
        infra::probe_lisp_tcp(d),
        infra::probe_bfd_echo(d),
        infra::probe_flute(d),
    );
    for port in [2152, 2123, 3386] {
        let _ = infra::probe_gtp(d, port);
    }
    for tcp in [false, true] {
        let _ = (
            infra::probe_sunrpc_nfs(d, tcp),
            infra::probe_tplink_shp(d, tcp),
            infra::probe_ldp(d, tcp),
        );
        let _ = (
            infra::probe_someip(d, tcp),
            infra::probe_dlep(d, tcp),
            infra::probe_knxnet(d, tcp),
        );
        let _ = (infra::probe_fins(d, tcp), infra::probe_c37118(d, tcp));
    }
}

/// `app_p2p` target: fuzz the peer-to-peer and crypto-currency probes (Gnutella,
/// BitTorrent, Ethereum, Bitcoin, Monero, Syncthing, eDonkey).
pub fn app_p2p_input(data: &[u8]) {
    use crate::app::p2p;

    let _ = (
        p2p::probe_gnutella_tcp(data),
        p2p::probe_gnutella_http(data),
    );
    let _ = (
        p2p::probe_gnutella_udp(data),
        p2p::probe_gnutella2_udp(data),
    );
    let _ = (
        p2p::probe_bittorrent_handshake(data),
        p2p::probe_bittorrent_dht(data),
    );
    let _ = (
        p2p::probe_utp(data),
        p2p::probe_bittorrent_tracker_udp(data),
    );
    let _ = (
        p2p::probe_bittorrent_lsd(data),
        p2p::probe_ethereum_discv4(data),
    );
    let _ = (p2p::probe_ethereum_rlpx(data), p2p::probe_bitcoin(data));
    let _ = (
        p2p::probe_monero(data),
        p2p::probe_syncthing(data),
        p2p::probe_edonkey(data),
    );
}

/// `app_vpn` target: fuzz the VPN and encrypted-DNS probes (IKE, ESP, OpenVPN,
/// WireGuard, DTLS, DNSCrypt, Avast SecureDNS, tinc, SoftEther).
pub fn app_vpn_input(data: &[u8]) {
    use crate::app::vpn;

    let _ = (
        vpn::probe_ike(data),
        vpn::strip_non_esp_marker(data).map(vpn::probe_ike),
    );
    let _ = vpn::probe_esp(data);
    for tcp in [false, true] {
        let _ = vpn::probe_openvpn_client_reset(data, tcp);
        if let Some(p) = vpn::probe_openvpn_server_reset(data, tcp) {
            let _ = vpn::openvpn_acks_session(p.rest, [0, 0, 0, 0]);
        }
    }
    let _ = vpn::openvpn_acks_session(data, [1, 2, 3, 4]);
    let _ = (
        vpn::probe_wireguard(data),
        vpn::probe_dtls(data),
        vpn::probe_dnscrypt(data),
    );
    let _ = (
        vpn::probe_avast_securedns(data),
        vpn::probe_tinc(data),
        vpn::probe_tailscale_disco(data),
    );
    let _ = (
        vpn::probe_softether_ip_port(data),
        vpn::probe_softether_pack(data),
    );
    let _ = vpn::probe_pptp(data);
}

/// `app_games` target: fuzz the game-protocol probes (Source engine, Photon, RakNet,
/// CryNetwork, KCP, Nintendo, Riot, Genshin Impact, i3D, Activision, Epic Games, OICQ,
/// EAQ).
pub fn app_games_input(data: &[u8]) {
    use crate::app::games as g;

    let _ = (
        g::probe_source_query(data),
        g::probe_source_reply(data),
        g::probe_photon(data),
    );
    let _ = (
        g::probe_toca_boca_keepalive(data),
        g::probe_raknet_offline(data),
        g::probe_raknet_frame_set(data),
    );
    let _ = g::probe_raknet_ack(data);
    let _ = (
        g::probe_crynet(data),
        g::probe_kcp(data),
        g::probe_nintendo(data),
    );
    let _ = (
        g::probe_riot(data),
        g::probe_genshin(data),
        g::probe_i3d(data),
    );
    let _ = (
        g::probe_activision(data),
        g::probe_oicq(data),
        g::eaq_echo_key(data),
        g::probe_eaq(data),
    );
    let _ = (
        g::probe_sd_rtn(data),
        g::probe_wow(data),
        g::probe_gaijin(data),
    );
    let _ = (g::probe_tencent_games(data), g::probe_hots(data));
    let _ = (
        g::probe_steam_discovery(data),
        g::probe_steam_datagram_relay(data),
        g::probe_yojimbo(data),
    );
    let _ = g::probe_among_us_hello(data);
    let _ = (
        g::probe_lol_wild_rift(data),
        g::lol_wild_rift_handshake(data),
        g::probe_teso(data),
    );
    for flag in [false, true] {
        let _ = (
            g::probe_netease(data, flag),
            g::probe_cod_mobile(data, flag),
        );
    }
    let _ = g::probe_steam_tcp(data);
    if let Some(w) = g::probe_epicgames_first(data) {
        let _ = g::epicgames_reply(data, w);
    }
}
