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

/// Decodes one frame and checks what every consumer relies on.
fn check_frame(lt: LinkType, frame: &[u8]) {
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
