//! Application payload builders: HTTP, TLS, DNS (with compression), NTP, SSH, SMTP.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use weir_gen::app::{self, TlsVersion};
use weir_gen::rng::GenRng;

fn be16(b: &[u8], at: usize) -> usize {
    u16::from_be_bytes([b[at], b[at + 1]]) as usize
}

#[test]
fn http_request_and_response() {
    let r = app::http_request("GET", "example.com", "/a/b.exe?x=1", "curl/8.5.0");
    let s = String::from_utf8(r).unwrap();
    assert!(s.starts_with("GET /a/b.exe?x=1 HTTP/1.1\r\nHost: example.com\r\n"));
    assert!(s.contains("\r\nUser-Agent: curl/8.5.0\r\n"));
    assert!(s.ends_with("\r\n\r\n"));

    for (ct, len) in [
        ("application/x-msdownload", 5000usize),
        ("application/octet-stream", 100),
        ("text/html", 777),
        ("image/webp", 3),
        ("application/json", 0),
    ] {
        let r = app::http_response(200, "OK", ct, len);
        let end = r.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = std::str::from_utf8(&r[..end]).unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(head.contains(&format!("\r\nContent-Type: {ct}\r\n")));
        assert!(head.contains(&format!("\r\nContent-Length: {len}\r\n")));
        assert!(head.contains("\r\nServer: "));
        let body = &r[end..];
        assert_eq!(body.len(), len);
        if app::is_executable_type(ct) {
            assert_eq!(&body[..2], b"MZ");
            if len >= 0x84 {
                let lfanew = u32::from_le_bytes(body[0x3c..0x40].try_into().unwrap()) as usize;
                assert_eq!(&body[lfanew..lfanew + 4], b"PE\0\0");
            }
        }
        if ct.starts_with("text/") {
            assert!(body.iter().all(|b| b.is_ascii()));
        }
    }
}

#[test]
fn pe_header_is_plausible() {
    let h = app::pe_header();
    assert_eq!(&h[..2], b"MZ");
    assert_eq!(&h[0x80..0x84], b"PE\0\0");
    assert_eq!(u16::from_le_bytes([h[0x84], h[0x85]]), 0x8664);
    assert_eq!(u16::from_le_bytes([h[0x98], h[0x99]]), 0x020b);
}

/// Parses a ClientHello record and returns (extension types, extensions by type).
fn parse_client_hello(r: &[u8]) -> Vec<(u16, Vec<u8>)> {
    assert_eq!(r[0], 0x16);
    assert_eq!(&r[1..3], &[3, 1]);
    assert_eq!(be16(r, 3), r.len() - 5, "record length");
    assert_eq!(r[5], 1, "handshake type");
    let hs_len = (usize::from(r[6]) << 16) | be16(r, 7);
    assert_eq!(hs_len, r.len() - 9, "handshake length");
    let b = &r[9..];
    assert_eq!(&b[..2], &[3, 3]);
    let mut p = 2 + 32;
    let sid = usize::from(b[p]);
    assert!(sid == 0 || sid == 32);
    p += 1 + sid;
    let cs = be16(b, p);
    assert_eq!(cs % 2, 0);
    p += 2 + cs;
    assert_eq!(&b[p..p + 2], &[1, 0]);
    p += 2;
    let ext_len = be16(b, p);
    p += 2;
    assert_eq!(p + ext_len, b.len(), "extensions length");
    let mut exts = Vec::new();
    while p < b.len() {
        let ty = be16(b, p) as u16;
        let len = be16(b, p + 2);
        exts.push((ty, b[p + 4..p + 4 + len].to_vec()));
        p += 4 + len;
    }
    assert_eq!(p, b.len());
    exts
}

#[test]
fn tls_client_hello_structure() {
    let mut rng = GenRng::new(5);
    let mut saw_grease = false;
    let mut saw_plain = false;
    let mut saw_big = false;
    for i in 0..64 {
        let version = if i % 2 == 0 {
            TlsVersion::Tls13
        } else {
            TlsVersion::Tls12
        };
        let r = app::tls_client_hello(
            version,
            Some("www.example.com"),
            &["h2", "http/1.1"],
            app::BROWSER_CIPHER_SUITES,
            &mut rng,
        );
        let exts = parse_client_hello(&r);
        let get = |t: u16| exts.iter().find(|e| e.0 == t).map(|e| e.1.clone());
        let sni = get(0).unwrap();
        assert_eq!(be16(&sni, 0), sni.len() - 2);
        assert_eq!(sni[2], 0);
        assert_eq!(&sni[5..], b"www.example.com");
        assert_eq!(
            app::client_hello_sni(&r).as_deref(),
            Some("www.example.com")
        );
        let alpn = get(16).unwrap();
        assert_eq!(&alpn[2..], b"\x02h2\x08http/1.1");
        let groups = get(10).unwrap();
        assert_eq!(be16(&groups, 0), groups.len() - 2);
        assert!(groups[2..].chunks(2).any(|g| g == [0x00, 0x1d]));
        assert_eq!(get(11).unwrap(), vec![1, 0]);
        let sig = get(13).unwrap();
        assert_eq!(be16(&sig, 0), sig.len() - 2);
        let grease = exts.iter().any(|e| app::is_grease(e.0));
        saw_grease |= grease;
        saw_plain |= !grease;
        match version {
            TlsVersion::Tls13 => {
                let sv = get(43).unwrap();
                assert_eq!(usize::from(sv[0]), sv.len() - 1);
                assert!(sv[1..].chunks(2).any(|v| v == [3, 4]));
                let ks = get(51).unwrap();
                assert_eq!(be16(&ks, 0), ks.len() - 2);
                let mut p = 2;
                let mut x25519 = false;
                while p < ks.len() {
                    let g = be16(&ks, p);
                    let l = be16(&ks, p + 2);
                    if g == 0x001d {
                        assert_eq!(l, 32);
                        x25519 = true;
                    }
                    if g == 0x11ec {
                        assert_eq!(l, 1216);
                        saw_big = true;
                    }
                    p += 4 + l;
                }
                assert_eq!(p, ks.len());
                assert!(x25519);
                assert_eq!(get(45).unwrap(), vec![1, 1]);
            }
            TlsVersion::Tls12 => {
                assert!(get(43).is_none());
                assert!(get(51).is_none());
            }
        }
    }
    assert!(saw_grease && saw_plain && saw_big);
    // No SNI, no ALPN.
    let r = app::tls_client_hello(
        TlsVersion::Tls12,
        None,
        &[],
        app::LEGACY_CIPHER_SUITES,
        &mut rng,
    );
    let exts = parse_client_hello(&r);
    assert!(!exts.iter().any(|e| e.0 == 0 || e.0 == 16));
    assert_eq!(app::client_hello_sni(&r), None);
}

#[test]
fn tls_server_hello_structure() {
    let mut rng = GenRng::new(9);
    let sid = [7u8; 32];
    for (v, cipher) in [(TlsVersion::Tls13, 0x1301u16), (TlsVersion::Tls12, 0xc02f)] {
        let r = app::tls_server_hello(v, cipher, &sid, &mut rng);
        assert_eq!(&r[..3], &[0x16, 3, 3]);
        assert_eq!(be16(&r, 3), r.len() - 5);
        assert_eq!(r[5], 2);
        assert_eq!((usize::from(r[6]) << 16) | be16(&r, 7), r.len() - 9);
        let b = &r[9..];
        assert_eq!(usize::from(b[34]), 32);
        assert_eq!(&b[35..67], &sid);
        assert_eq!(be16(b, 67), usize::from(cipher));
        assert_eq!(b[69], 0);
        let ext_len = be16(b, 70);
        assert_eq!(72 + ext_len, b.len());
        let has_sv = b[72..].windows(6).any(|w| w == [0, 0x2b, 0, 2, 3, 4]);
        assert_eq!(has_sv, v == TlsVersion::Tls13);
    }
    assert_eq!(app::tls_change_cipher_spec(), vec![0x14, 3, 3, 0, 1, 1]);
    let rec = app::tls_record(23, &[1, 2, 3]);
    assert_eq!(rec, vec![23, 3, 3, 0, 3, 1, 2, 3]);
}

/// Reads a (possibly compressed) DNS name at `p`; returns it and the offset after it in
/// the original position. Panics on pointer loops or forward pointers.
fn read_name(msg: &[u8], mut p: usize) -> (String, usize) {
    let mut labels = Vec::new();
    let mut end = None;
    let mut jumps = 0;
    loop {
        let l = msg[p];
        if l & 0xc0 == 0xc0 {
            let target = ((usize::from(l) & 0x3f) << 8) | usize::from(msg[p + 1]);
            assert!(target < p, "compression pointer must point backwards");
            assert!(target >= 12, "pointer into the header");
            end.get_or_insert(p + 2);
            p = target;
            jumps += 1;
            assert!(jumps < 16, "pointer loop");
            continue;
        }
        assert_eq!(l & 0xc0, 0, "reserved label type");
        if l == 0 {
            end.get_or_insert(p + 1);
            break;
        }
        let l = usize::from(l);
        labels.push(
            std::str::from_utf8(&msg[p + 1..p + 1 + l])
                .unwrap()
                .to_string(),
        );
        p += 1 + l;
    }
    (labels.join("."), end.unwrap())
}

struct Rr {
    name: String,
    ty: u16,
    data: Vec<u8>,
    rdata_name: Option<String>,
}

fn parse_dns(msg: &[u8]) -> (u16, u16, String, u16, Vec<Rr>) {
    let id = be16(msg, 0) as u16;
    let flags = be16(msg, 2) as u16;
    assert_eq!(be16(msg, 4), 1);
    let an = be16(msg, 6);
    assert_eq!(be16(msg, 8), 0);
    assert_eq!(be16(msg, 10), 0);
    let (qname, mut p) = read_name(msg, 12);
    let qtype = be16(msg, p) as u16;
    assert_eq!(be16(msg, p + 2), 1);
    p += 4;
    let mut rrs = Vec::new();
    for _ in 0..an {
        let (name, q) = read_name(msg, p);
        let ty = be16(msg, q) as u16;
        assert_eq!(be16(msg, q + 2), 1);
        let rdlen = be16(msg, q + 8);
        let data = msg[q + 10..q + 10 + rdlen].to_vec();
        let rdata_name = (ty == app::DNS_TYPE_CNAME).then(|| {
            let (n, e) = read_name(msg, q + 10);
            assert_eq!(e, q + 10 + rdlen, "CNAME rdata length");
            n
        });
        rrs.push(Rr {
            name,
            ty,
            data,
            rdata_name,
        });
        p = q + 10 + rdlen;
    }
    assert_eq!(p, msg.len(), "trailing bytes");
    (id, flags, qname, qtype, rrs)
}

#[test]
fn dns_query_and_responses_with_compression() {
    let q = app::dns_query(0xbeef, "www.example.com.", app::DNS_TYPE_AAAA);
    let (id, flags, name, qt, rrs) = parse_dns(&q);
    assert_eq!(
        (id, flags, name.as_str(), qt),
        (0xbeef, 0x0100, "www.example.com", 28)
    );
    assert!(rrs.is_empty());
    assert_eq!(q.len(), 12 + 17 + 4);

    let answers = [
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    ];
    let r = app::dns_response(0xbeef, "www.example.com", 1, &answers, 0);
    let (id, flags, name, _, rrs) = parse_dns(&r);
    assert_eq!((id, flags), (0xbeef, 0x8180));
    assert_eq!(rrs.len(), 2);
    for rr in &rrs {
        assert_eq!(rr.name, name);
    }
    assert_eq!(rrs[0].ty, 1);
    assert_eq!(rrs[0].data, vec![192, 0, 2, 1]);
    assert_eq!(rrs[1].ty, 28);
    assert_eq!(rrs[1].data.len(), 16);
    // The answers' owner names are pointers to the question (offset 12).
    assert_eq!(&r[12 + 17 + 4..12 + 17 + 6], &[0xc0, 0x0c]);

    let nx = app::dns_response(7, "nope.example", 1, &[], app::DNS_RCODE_NXDOMAIN);
    let (_, flags, _, _, rrs) = parse_dns(&nx);
    assert_eq!(flags & 0x0f, 3);
    assert!(rrs.is_empty());

    // CNAME chains: the target shares a suffix with the question and points into it;
    // the address records are owned by the target.
    let r = app::dns_response_cname(
        1,
        "www.youtube.com",
        1,
        Some("youtube-ui.l.google.com"),
        &answers[..1],
        0,
    );
    let (_, _, _, _, rrs) = parse_dns(&r);
    assert_eq!(rrs[0].ty, app::DNS_TYPE_CNAME);
    assert_eq!(rrs[0].name, "www.youtube.com");
    assert_eq!(
        rrs[0].rdata_name.as_deref(),
        Some("youtube-ui.l.google.com")
    );
    assert_eq!(rrs[1].name, "youtube-ui.l.google.com");
    let r = app::dns_response_cname(
        1,
        "cdn.example.net",
        28,
        Some("edge-7.cdn.example.net"),
        &answers[1..],
        0,
    );
    let (_, _, _, _, rrs) = parse_dns(&r);
    assert_eq!(rrs[0].rdata_name.as_deref(), Some("edge-7.cdn.example.net"));
    assert_eq!(rrs[0].data.len(), 1 + 6 + 2, "label + pointer");
    assert_eq!(rrs[1].name, "edge-7.cdn.example.net");

    let tcp = app::dns_tcp(&q);
    assert_eq!(be16(&tcp, 0), q.len());
    assert_eq!(&tcp[2..], &q[..]);
}

#[test]
fn ntp_packets() {
    let t = 1_767_225_600_250_000u64; // 2026-01-01T00:00:00.25Z
    let c = app::ntp_client(t);
    assert_eq!(c.len(), 48);
    assert_eq!(c[0], 0x23);
    let secs = u32::from_be_bytes(c[40..44].try_into().unwrap());
    assert_eq!(u64::from(secs), 1_767_225_600 + app::NTP_UNIX_OFFSET);
    let frac = u32::from_be_bytes(c[44..48].try_into().unwrap());
    assert_eq!(frac, 1 << 30);
    let s = app::ntp_server(t, t + 5000, t + 5100, 2, [192, 0, 2, 1]);
    assert_eq!(s.len(), 48);
    assert_eq!(s[0] & 7, 4);
    assert_eq!((s[0] >> 3) & 7, 4);
    assert_eq!(s[1], 2);
    assert_eq!(&s[12..16], &[192, 0, 2, 1]);
    assert_eq!(&s[24..32], &c[40..48], "origin = client transmit");
}

#[test]
fn ssh_packets() {
    let mut rng = GenRng::new(3);
    assert_eq!(app::ssh_banner("OpenSSH_9.6"), b"SSH-2.0-OpenSSH_9.6\r\n");
    let check = |p: &[u8], code: u8| {
        let len = u32::from_be_bytes(p[..4].try_into().unwrap()) as usize;
        assert_eq!(len + 4, p.len());
        assert_eq!(p.len() % 8, 0);
        let pad = usize::from(p[4]);
        assert!((4..=19).contains(&pad));
        assert_eq!(p[5], code);
    };
    let k = app::ssh_kexinit(true, &mut rng);
    check(&k, 20);
    // Ten name-lists after the cookie, then first_kex_packet_follows and reserved.
    let mut p = 6 + 16;
    for _ in 0..10 {
        let l = u32::from_be_bytes(k[p..p + 4].try_into().unwrap()) as usize;
        p += 4 + l;
    }
    assert_eq!(p + 5 + usize::from(k[4]), k.len());
    check(&app::ssh_kexinit(false, &mut rng), 20);
    check(&app::ssh_kex_ecdh_init(&mut rng), 30);
    check(&app::ssh_kex_ecdh_reply(app::SshHostKey::Rsa, &mut rng), 31);
    check(
        &app::ssh_kex_ecdh_reply(app::SshHostKey::Ed25519, &mut rng),
        31,
    );
    check(&app::ssh_newkeys(&mut rng), 21);
}

#[test]
fn smtp_lines() {
    assert_eq!(
        app::smtp_banner("mail.example.net"),
        b"220 mail.example.net ESMTP Postfix\r\n"
    );
    assert_eq!(app::smtp_ehlo("pc1"), b"EHLO pc1\r\n");
    let r = String::from_utf8(app::smtp_ehlo_reply("mx")).unwrap();
    let lines: Vec<&str> = r.split_terminator("\r\n").collect();
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with("250-"))
    );
    assert!(lines.last().unwrap().starts_with("250 "));
    let t = app::smtp_transaction("a@x.example", "b@y.example", "hi", 3);
    assert_eq!(t.len(), 5);
    assert!(t[3].0.ends_with(b"\r\n.\r\n"));
    assert_eq!(&t[4].0, b"QUIT\r\n");
}
