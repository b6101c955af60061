//! Application-layer dissectors (HTTP, TLS, DNS, QUIC, SSH, ...): parsers of L4 payloads
//! that the flow engine's L7 detection calls.
//!
//! Every dissector is a pure function of the bytes it is handed: it never panics, never
//! loops without a bound, and borrows from its input wherever it can. Parsers are lenient
//! (a monitor wants the query name of a damaged DNS message) and report damage as flags.
//! Probes (`probe*`) are cheap checks that decide whether a payload looks like the
//! protocol at all; parsers (`parse*`) extract the fields the flow engine records.

pub mod apps;
pub mod dhcp;
pub mod dns;
pub mod games;
pub mod http;
pub mod ics;
pub mod infra;
pub mod mail;
pub mod misc;
pub mod ntp;
pub mod p2p;
pub mod quic;
pub mod rdp;
pub mod smb;
pub mod ssh;
pub mod tls;
pub mod voip;
pub mod vpn;

mod reader;

pub(crate) use reader::Reader;

/// Writes `n` in decimal into `out`, returning the digits written (no allocation).
pub(crate) fn dec(n: u32, out: &mut [u8; 10]) -> &[u8] {
    let mut i = out.len();
    let mut v = n;
    loop {
        i = i.saturating_sub(1);
        if let Some(slot) = out.get_mut(i) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    out.get(i..).unwrap_or(&[])
}

/// Lower-case hex of a 16-byte digest, for JA3/HASSH display.
pub fn hex16(d: &[u8; 16]) -> [u8; 32] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (i, b) in d.iter().enumerate() {
        if let Some(pair) = out.get_mut(i * 2..i * 2 + 2) {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
            pair.copy_from_slice(&[hi, lo]);
        }
    }
    out
}

/// Big-endian u16 at `at`, if the bytes are there.
pub(crate) fn be16(p: &[u8], at: usize) -> Option<u16> {
    match p.get(at..at.checked_add(2)?)? {
        &[a, b] => Some(u16::from_be_bytes([a, b])),
        _ => None,
    }
}

/// Big-endian 24-bit value at `at`.
pub(crate) fn be24(p: &[u8], at: usize) -> Option<u32> {
    match p.get(at..at.checked_add(3)?)? {
        &[a, b, c] => Some(u32::from_be_bytes([0, a, b, c])),
        _ => None,
    }
}

/// Big-endian u32 at `at`.
pub(crate) fn be32(p: &[u8], at: usize) -> Option<u32> {
    match p.get(at..at.checked_add(4)?)? {
        &[a, b, c, d] => Some(u32::from_be_bytes([a, b, c, d])),
        _ => None,
    }
}

/// Little-endian u16 at `at`.
pub(crate) fn le16(p: &[u8], at: usize) -> Option<u16> {
    be16(p, at).map(u16::swap_bytes)
}

/// Little-endian u32 at `at`.
pub(crate) fn le32(p: &[u8], at: usize) -> Option<u32> {
    be32(p, at).map(u32::swap_bytes)
}

/// The bytes of a hex string (test data written out from real packets).
#[cfg(test)]
pub(crate) fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// True if `hay` starts with `needle`, ignoring ASCII case.
pub(crate) fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every dissector is total: arbitrary bytes never panic.
        #[test]
        fn dissectors_are_total(data in proptest::collection::vec(any::<u8>(), 0..1500)) {
            let d = &data[..];
            let _ = http::parse_request(d);
            let _ = http::parse_response(d);
            let mut scratch = Vec::new();
            tls::handshake_messages(d, &mut scratch, 4096, |ty, body| {
                let _ = (ty, tls::parse_client_hello(body), tls::parse_server_hello(body));
                if let Some(der) = tls::first_certificate(body) {
                    let _ = tls::parse_certificate(der);
                }
            });
            let _ = tls::probe_records(d);
            let _ = (dns::probe(d), dns::parse(d), dns::strip_tcp_length(d).map(dns::parse));
            let _ = quic::parse_header(d);
            if let Some(p) = quic::decrypt_client_initial(d) {
                quic::crypto_frames(&p, |_, _| {});
            }
            quic::crypto_frames(d, |_, _| {});
            let _ = (ssh::banner(d), ssh::parse_kexinit(d).map(|k| ssh::hassh(&k, true)));
            let _ = (dhcp::parse(d), ntp::parse(d), mail::probe_banner(d), mail::probe_command(d));
            let _ = (smb::probe_tcp(d), smb::probe_datagram(d), smb::probe_netbios_session(d), rdp::probe(d));
            let _ = (misc::probe_sip(d), misc::probe_rtp(d), misc::probe_ssdp(d), misc::probe_ftp(d), misc::probe_bgp(d));
            let _ = (misc::probe_nats(d), misc::probe_netbios_ns(d), misc::probe_dropbox(d), misc::probe_spotify(d), misc::probe_stun(d));
            let _ = (misc::probe_stun_classic(d), misc::probe_stun_tcp(d), misc::probe_rtcp(d), misc::rtp_header(d));
        }

        /// A QUIC long header with a valid version still never panics the decryptor,
        /// whatever follows.
        #[test]
        fn quic_initial_garbage(dcid in proptest::collection::vec(any::<u8>(), 0..21), rest in proptest::collection::vec(any::<u8>(), 0..1300)) {
            let mut p = vec![0xc3, 0, 0, 0, 1, dcid.len() as u8];
            p.extend_from_slice(&dcid);
            p.extend_from_slice(&rest);
            let _ = quic::decrypt_client_initial(&p);
        }
    }

    #[test]
    fn decimal_and_hex() {
        let mut b = [0u8; 10];
        assert_eq!(dec(0, &mut b), b"0");
        assert_eq!(dec(771, &mut b), b"771");
        assert_eq!(dec(u32::MAX, &mut b), b"4294967295");
        let h = hex16(&[0xab; 16]);
        assert_eq!(&h[..4], b"abab");
        assert!(starts_with_ci(b"GeT /", b"get"));
        assert!(!starts_with_ci(b"GE", b"get"));
    }
}
