//! Application-layer payload builders: HTTP/1.1, TLS handshakes, DNS, NTP, SSH and SMTP.
//!
//! Every function returns the bytes of one message as it appears in a TCP stream or UDP
//! datagram, with all length fields consistent.
//!
//! ```
//! use weir_gen::app;
//!
//! let q = app::dns_query(0x1234, "www.example.com", app::DNS_TYPE_A);
//! assert_eq!(&q[..2], &[0x12, 0x34]);
//! let req = app::http_request("GET", "example.com", "/", "curl/8.5.0");
//! assert!(req.starts_with(b"GET / HTTP/1.1\r\nHost: example.com\r\n"));
//! ```

use std::net::IpAddr;

use rand::Rng;

/// DNS record type A.
pub const DNS_TYPE_A: u16 = 1;
/// DNS record type CNAME.
pub const DNS_TYPE_CNAME: u16 = 5;
/// DNS record type AAAA.
pub const DNS_TYPE_AAAA: u16 = 28;
/// DNS response code NOERROR.
pub const DNS_RCODE_NOERROR: u8 = 0;
/// DNS response code NXDOMAIN.
pub const DNS_RCODE_NXDOMAIN: u8 = 3;

/// TLS cipher suite TLS_AES_128_GCM_SHA256 (TLS 1.3).
pub const TLS_AES_128_GCM_SHA256: u16 = 0x1301;
/// TLS cipher suite TLS_AES_256_GCM_SHA384 (TLS 1.3).
pub const TLS_AES_256_GCM_SHA384: u16 = 0x1302;
/// TLS cipher suite TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3).
pub const TLS_CHACHA20_POLY1305_SHA256: u16 = 0x1303;
/// TLS cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (TLS 1.2).
pub const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: u16 = 0xc02f;
/// TLS cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (TLS 1.2).
pub const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: u16 = 0xc02b;

/// Cipher suites offered by a current browser (TLS 1.3 and 1.2 suites).
pub const BROWSER_CIPHER_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
    0x009d, 0x002f, 0x0035,
];
/// Cipher suites offered by an older TLS 1.2-only client.
pub const LEGACY_CIPHER_SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x000a,
];

/// Highest TLS version a handshake message negotiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsVersion {
    /// TLS 1.2: no supported_versions extension, legacy version 0x0303.
    Tls12,
    /// TLS 1.3: negotiated through supported_versions (0x0304) with a key_share.
    Tls13,
}

// ------------------------------------------------------------------------------------- HTTP

/// An HTTP/1.1 request head (no body) with Host, User-Agent, Accept, Accept-Language and
/// Connection headers.
pub fn http_request(method: &str, host: &str, url: &str, user_agent: &str) -> Vec<u8> {
    format!(
        "{method} {url} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n\
         Accept: */*\r\nAccept-Language: en-US,en;q=0.9\r\nConnection: keep-alive\r\n\r\n"
    )
    .into_bytes()
}

/// The head of an HTTP/1.1 response: status line, Date, Server, Content-Type (omitted when
/// empty), Content-Length, any `extra` header lines (without CRLF), and the blank line.
pub fn http_response_head(
    status: u16,
    reason: &str,
    server: &str,
    content_type: &str,
    content_length: u64,
    extra: &[&str],
) -> Vec<u8> {
    let mut s = format!(
        "HTTP/1.1 {status} {reason}\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nServer: {server}\r\n"
    );
    if !content_type.is_empty() {
        s.push_str("Content-Type: ");
        s.push_str(content_type);
        s.push_str("\r\n");
    }
    s.push_str(&format!("Content-Length: {content_length}\r\n"));
    for h in extra {
        s.push_str(h);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// True for the content types this crate uses for Windows executables.
pub fn is_executable_type(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("application/x-msdownload")
        || ct.starts_with("application/x-dosexec")
        || ct.starts_with("application/vnd.microsoft.portable-executable")
        || ct.starts_with("application/octet-stream")
}

/// A complete HTTP/1.1 response (`Server: nginx`) with a body of exactly `body_len` bytes.
///
/// The body suits the content type: for executable types (see [`is_executable_type`], which
/// includes `application/octet-stream`) it starts with an "MZ" DOS header and a PE header
/// ([`pe_header`]); text types get ASCII text; anything else gets pseudo-random bytes.
pub fn http_response(status: u16, reason: &str, content_type: &str, body_len: usize) -> Vec<u8> {
    let mut out = http_response_head(status, reason, "nginx", content_type, body_len as u64, &[]);
    out.extend_from_slice(&body_bytes(content_type, body_len, 0));
    out
}

/// Body bytes for `content_type`, as [`http_response`] makes them; `salt` varies the bytes.
pub fn body_bytes(content_type: &str, len: usize, salt: u64) -> Vec<u8> {
    let mut body = Vec::with_capacity(len);
    if is_executable_type(content_type) {
        let pe = pe_header();
        body.extend_from_slice(&pe[..pe.len().min(len)]);
        let start = body.len();
        crate::bytes::fill_binary(&mut body, salt, start as u64, len - start);
    } else if content_type.starts_with("text/")
        || content_type.contains("javascript")
        || content_type.contains("json")
    {
        crate::bytes::fill_text(&mut body, salt, 0, len);
    } else {
        crate::bytes::fill_binary(&mut body, salt, 0, len);
    }
    body
}

/// The first 1024 bytes (the headers) of a PE (Windows executable) file: a DOS header starting with "MZ"
/// whose `e_lfanew` points at offset 0x80, the DOS stub message, the "PE\0\0" signature, a
/// COFF header for x86-64 and the start of a PE32+ optional header.
pub fn pe_header() -> Vec<u8> {
    let mut h = vec![0u8; 1024];
    h[0..2].copy_from_slice(b"MZ");
    h[2..4].copy_from_slice(&0x0090u16.to_le_bytes()); // bytes on last page
    h[4..6].copy_from_slice(&3u16.to_le_bytes()); // pages
    h[8..10].copy_from_slice(&4u16.to_le_bytes()); // header paragraphs
    h[0x0c..0x0e].copy_from_slice(&0xffffu16.to_le_bytes()); // max alloc
    h[0x10..0x12].copy_from_slice(&0x00b8u16.to_le_bytes()); // initial SP
    h[0x18..0x1a].copy_from_slice(&0x0040u16.to_le_bytes()); // relocation table
    h[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes()); // e_lfanew
    let stub_code = [
        0x0e, 0x1f, 0xba, 0x0e, 0x00, 0xb4, 0x09, 0xcd, 0x21, 0xb8, 0x01, 0x4c, 0xcd, 0x21,
    ];
    h[0x40..0x4e].copy_from_slice(&stub_code);
    let msg = b"This program cannot be run in DOS mode.\r\r\n$";
    h[0x4e..0x4e + msg.len()].copy_from_slice(msg);
    h[0x80..0x84].copy_from_slice(b"PE\0\0");
    let coff = 0x84;
    h[coff..coff + 2].copy_from_slice(&0x8664u16.to_le_bytes()); // machine: x86-64
    h[coff + 2..coff + 4].copy_from_slice(&4u16.to_le_bytes()); // sections
    h[coff + 4..coff + 8].copy_from_slice(&1_767_000_000u32.to_le_bytes()); // timestamp
    h[coff + 16..coff + 18].copy_from_slice(&0xf0u16.to_le_bytes()); // optional header size
    h[coff + 18..coff + 20].copy_from_slice(&0x0022u16.to_le_bytes()); // characteristics
    let opt = coff + 20;
    h[opt..opt + 2].copy_from_slice(&0x020bu16.to_le_bytes()); // PE32+
    h[opt + 2] = 14; // linker major
    h[opt + 16..opt + 20].copy_from_slice(&0x1000u32.to_le_bytes()); // entry point
    h[opt + 24..opt + 32].copy_from_slice(&0x1_4000_0000u64.to_le_bytes()); // image base
    h[opt + 32..opt + 36].copy_from_slice(&0x1000u32.to_le_bytes()); // section alignment
    h[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes()); // file alignment
    h[opt + 68..opt + 70].copy_from_slice(&2u16.to_le_bytes()); // subsystem: GUI
    let sections: [(&[u8], u32); 4] = [
        (b".text", 0x6000_0020),
        (b".rdata", 0x4000_0040),
        (b".data", 0xc000_0040),
        (b".rsrc", 0x4000_0040),
    ];
    let mut at = opt + 0xf0;
    for (i, (name, ch)) in sections.iter().enumerate() {
        h[at..at + name.len()].copy_from_slice(name);
        let rva = 0x1000 * (i as u32 + 1);
        h[at + 8..at + 12].copy_from_slice(&0x1000u32.to_le_bytes());
        h[at + 12..at + 16].copy_from_slice(&rva.to_le_bytes());
        h[at + 16..at + 20].copy_from_slice(&0x1000u32.to_le_bytes());
        h[at + 20..at + 24].copy_from_slice(&(0x400 + 0x1000 * i as u32).to_le_bytes());
        h[at + 36..at + 40].copy_from_slice(&ch.to_le_bytes());
        at += 40;
    }
    h
}

// -------------------------------------------------------------------------------------- TLS

const TLS_GREASE: [u16; 16] = [
    0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba,
    0xcaca, 0xdada, 0xeaea, 0xfafa,
];

/// True for the reserved GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ..., 0xfafa).
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}

fn ext(out: &mut Vec<u8>, ty: u16, body: &[u8]) {
    put_u16(out, ty);
    put_u16(out, body.len() as u16);
    out.extend_from_slice(body);
}

/// Wraps handshake `body` of `msg_type` in a handshake header and a TLS record with record
/// version `record_version`.
fn handshake_record(record_version: u16, msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + body.len());
    out.push(0x16);
    put_u16(&mut out, record_version);
    put_u16(&mut out, (body.len() + 4) as u16);
    out.push(msg_type);
    put_u24(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

/// A TLS record of `content_type` (e.g. 23 application data) and record version 0x0303.
pub fn tls_record(content_type: u8, fragment: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + fragment.len());
    out.push(content_type);
    put_u16(&mut out, 0x0303);
    put_u16(&mut out, fragment.len() as u16);
    out.extend_from_slice(fragment);
    out
}

/// The ChangeCipherSpec record (`14 03 03 00 01 01`).
pub fn tls_change_cipher_spec() -> Vec<u8> {
    vec![0x14, 0x03, 0x03, 0x00, 0x01, 0x01]
}

/// A TLS ClientHello record (record version 0x0301, handshake version 0x0303).
///
/// Extensions: server_name (when `sni` is given), extended_master_secret,
/// renegotiation_info, supported_groups, ec_point_formats, session_ticket, ALPN (when
/// `alpn` is not empty), status_request, signature_algorithms, and for TLS 1.3 also
/// key_share (x25519, sometimes preceded by a hybrid X25519MLKEM768 share, which makes the
/// hello span two TCP segments), psk_key_exchange_modes and supported_versions. About half
/// of the hellos carry GREASE values (cipher suite, extensions, groups, versions), chosen
/// with `rng`, which also supplies the random, the session id and the key shares.
pub fn tls_client_hello<R: Rng + ?Sized>(
    version: TlsVersion,
    sni: Option<&str>,
    alpn: &[&str],
    cipher_suites: &[u16],
    rng: &mut R,
) -> Vec<u8> {
    let grease = rng.random_bool(0.5);
    let g = |rng: &mut R| TLS_GREASE[rng.random_range(0..TLS_GREASE.len())];
    let pq = version == TlsVersion::Tls13 && rng.random_bool(0.3);
    let mut body = Vec::with_capacity(512);
    put_u16(&mut body, 0x0303);
    let mut random = [0u8; 32];
    rng.fill_bytes(&mut random);
    body.extend_from_slice(&random);
    // TLS 1.3 clients send a legacy session id for middlebox compatibility; TLS 1.2 ones
    // sometimes resume a session.
    if version == TlsVersion::Tls13 || rng.random_bool(0.5) {
        let mut sid = [0u8; 32];
        rng.fill_bytes(&mut sid);
        body.push(32);
        body.extend_from_slice(&sid);
    } else {
        body.push(0);
    }
    let mut suites: Vec<u16> = Vec::with_capacity(cipher_suites.len() + 1);
    if grease {
        suites.push(g(rng));
    }
    suites.extend_from_slice(cipher_suites);
    put_u16(&mut body, (suites.len() * 2) as u16);
    for s in &suites {
        put_u16(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]); // compression methods: null

    let mut exts = Vec::with_capacity(1024);
    if grease {
        ext(&mut exts, g(rng), &[]);
    }
    if let Some(name) = sni {
        let mut b = Vec::with_capacity(name.len() + 5);
        put_u16(&mut b, (name.len() + 3) as u16);
        b.push(0);
        put_u16(&mut b, name.len() as u16);
        b.extend_from_slice(name.as_bytes());
        ext(&mut exts, 0x0000, &b);
    }
    ext(&mut exts, 0x0017, &[]); // extended_master_secret
    ext(&mut exts, 0xff01, &[0]); // renegotiation_info
    let mut groups: Vec<u16> = Vec::new();
    if grease {
        groups.push(g(rng));
    }
    if pq {
        groups.push(0x11ec);
    }
    groups.extend_from_slice(&[0x001d, 0x0017, 0x0018]);
    let mut b = Vec::new();
    put_u16(&mut b, (groups.len() * 2) as u16);
    for x in &groups {
        put_u16(&mut b, *x);
    }
    ext(&mut exts, 0x000a, &b); // supported_groups
    ext(&mut exts, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
    ext(&mut exts, 0x0023, &[]); // session_ticket
    if !alpn.is_empty() {
        let mut list = Vec::new();
        for p in alpn {
            list.push(p.len() as u8);
            list.extend_from_slice(p.as_bytes());
        }
        let mut b = Vec::new();
        put_u16(&mut b, list.len() as u16);
        b.extend_from_slice(&list);
        ext(&mut exts, 0x0010, &b);
    }
    ext(&mut exts, 0x0005, &[1, 0, 0, 0, 0]); // status_request (OCSP)
    let sigalgs: [u16; 8] = [
        0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
    ];
    let mut b = Vec::new();
    put_u16(&mut b, 16);
    for s in sigalgs {
        put_u16(&mut b, s);
    }
    ext(&mut exts, 0x000d, &b); // signature_algorithms
    if version == TlsVersion::Tls13 {
        let mut shares = Vec::new();
        if grease {
            put_u16(&mut shares, g(rng));
            put_u16(&mut shares, 1);
            shares.push(0);
        }
        if pq {
            let mut key = vec![0u8; 1216];
            rng.fill_bytes(&mut key);
            put_u16(&mut shares, 0x11ec);
            put_u16(&mut shares, key.len() as u16);
            shares.extend_from_slice(&key);
        }
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        put_u16(&mut shares, 0x001d);
        put_u16(&mut shares, 32);
        shares.extend_from_slice(&key);
        let mut b = Vec::new();
        put_u16(&mut b, shares.len() as u16);
        b.extend_from_slice(&shares);
        ext(&mut exts, 0x0033, &b); // key_share
        ext(&mut exts, 0x002d, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
        let mut b = Vec::new();
        let mut versions: Vec<u16> = Vec::new();
        if grease {
            versions.push(g(rng));
        }
        versions.extend_from_slice(&[0x0304, 0x0303]);
        b.push((versions.len() * 2) as u8);
        for v in versions {
            put_u16(&mut b, v);
        }
        ext(&mut exts, 0x002b, &b); // supported_versions
    }
    if grease {
        ext(&mut exts, g(rng), &[0]);
    }
    put_u16(&mut body, exts.len() as u16);
    body.extend_from_slice(&exts);
    handshake_record(0x0301, 1, &body)
}

/// A TLS ServerHello record choosing `cipher`, echoing the client's `session_id`.
///
/// TLS 1.2: extensions renegotiation_info, extended_master_secret and ec_point_formats.
/// TLS 1.3: supported_versions (0x0304) and an x25519 key_share.
pub fn tls_server_hello<R: Rng + ?Sized>(
    version: TlsVersion,
    cipher: u16,
    session_id: &[u8],
    rng: &mut R,
) -> Vec<u8> {
    let mut body = Vec::with_capacity(128);
    put_u16(&mut body, 0x0303);
    let mut random = [0u8; 32];
    rng.fill_bytes(&mut random);
    body.extend_from_slice(&random);
    body.push(session_id.len() as u8);
    body.extend_from_slice(session_id);
    put_u16(&mut body, cipher);
    body.push(0);
    let mut exts = Vec::new();
    match version {
        TlsVersion::Tls12 => {
            ext(&mut exts, 0xff01, &[0]);
            ext(&mut exts, 0x0017, &[]);
            ext(&mut exts, 0x000b, &[1, 0]);
        }
        TlsVersion::Tls13 => {
            ext(&mut exts, 0x002b, &[0x03, 0x04]);
            let mut key = [0u8; 32];
            rng.fill_bytes(&mut key);
            let mut b = Vec::new();
            put_u16(&mut b, 0x001d);
            put_u16(&mut b, 32);
            b.extend_from_slice(&key);
            ext(&mut exts, 0x0033, &b);
        }
    }
    put_u16(&mut body, exts.len() as u16);
    body.extend_from_slice(&exts);
    handshake_record(0x0303, 2, &body)
}

/// The SNI of a ClientHello record built by [`tls_client_hello`] (or any well-formed one
/// starting at a record boundary), if present.
pub fn client_hello_sni(record: &[u8]) -> Option<String> {
    let hs = record.get(5..)?;
    if *hs.first()? != 1 {
        return None;
    }
    let mut p = 4 + 2 + 32;
    let sid_len = *hs.get(p)? as usize;
    p += 1 + sid_len;
    let cs_len = u16::from_be_bytes([*hs.get(p)?, *hs.get(p + 1)?]) as usize;
    p += 2 + cs_len;
    let comp_len = *hs.get(p)? as usize;
    p += 1 + comp_len;
    let ext_end = p + 2 + u16::from_be_bytes([*hs.get(p)?, *hs.get(p + 1)?]) as usize;
    p += 2;
    while p + 4 <= ext_end {
        let ty = u16::from_be_bytes([hs[p], hs[p + 1]]);
        let len = u16::from_be_bytes([hs[p + 2], hs[p + 3]]) as usize;
        if ty == 0 {
            let name_len = u16::from_be_bytes([*hs.get(p + 7)?, *hs.get(p + 8)?]) as usize;
            let name = hs.get(p + 9..p + 9 + name_len)?;
            return String::from_utf8(name.to_vec()).ok();
        }
        p += 4 + len;
    }
    None
}

// -------------------------------------------------------------------------------------- DNS

/// Appends `name` in DNS wire format (length-prefixed labels, root label at the end).
/// A trailing dot is ignored; labels longer than 63 bytes are truncated.
pub fn encode_dns_name(out: &mut Vec<u8>, name: &str) {
    for label in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        let l = &label.as_bytes()[..label.len().min(63)];
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    out.push(0);
}

fn dns_header(out: &mut Vec<u8>, id: u16, flags: u16, qd: u16, an: u16, ns: u16, ar: u16) {
    for v in [id, flags, qd, an, ns, ar] {
        put_u16(out, v);
    }
}

/// A standard recursive DNS query (RD set) for `name` / `qtype`, class IN.
pub fn dns_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(18 + name.len());
    dns_header(&mut out, id, 0x0100, 1, 0, 0, 0);
    encode_dns_name(&mut out, name);
    put_u16(&mut out, qtype);
    put_u16(&mut out, 1);
    out
}

/// A DNS response (QR, RD, RA set, `rcode` in the low bits) repeating the question and
/// giving one A or AAAA record (chosen by the address family, TTL 300) per address in
/// `answers`. Each answer's owner name is a compression pointer to the question name
/// (`0xc00c`).
pub fn dns_response(id: u16, name: &str, qtype: u16, answers: &[IpAddr], rcode: u8) -> Vec<u8> {
    dns_response_cname(id, name, qtype, None, answers, rcode)
}

/// Like [`dns_response`], with an optional CNAME first: the CNAME record is owned by the
/// question name (pointer `0xc00c`); its target is encoded with a pointer to the longest
/// suffix it shares with the question name; the address records are then owned by the
/// target (a pointer to the CNAME's rdata).
pub fn dns_response_cname(
    id: u16,
    name: &str,
    qtype: u16,
    cname: Option<&str>,
    answers: &[IpAddr],
    rcode: u8,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + answers.len() * 28);
    let an = answers.len() + usize::from(cname.is_some());
    dns_header(
        &mut out,
        id,
        0x8180 | u16::from(rcode & 0x0f),
        1,
        an as u16,
        0,
        0,
    );
    encode_dns_name(&mut out, name);
    put_u16(&mut out, qtype);
    put_u16(&mut out, 1);
    let mut owner: u16 = 0xc00c;
    if let Some(target) = cname {
        put_u16(&mut out, 0xc00c);
        put_u16(&mut out, DNS_TYPE_CNAME);
        put_u16(&mut out, 1);
        out.extend_from_slice(&300u32.to_be_bytes());
        let rdlen_at = out.len();
        put_u16(&mut out, 0);
        let rdata_start = out.len();
        encode_compressed(&mut out, target, name);
        let rdlen = (out.len() - rdata_start) as u16;
        out[rdlen_at..rdlen_at + 2].copy_from_slice(&rdlen.to_be_bytes());
        owner = 0xc000 | rdata_start as u16;
    }
    for a in answers {
        put_u16(&mut out, owner);
        match a {
            IpAddr::V4(v4) => {
                put_u16(&mut out, DNS_TYPE_A);
                put_u16(&mut out, 1);
                out.extend_from_slice(&300u32.to_be_bytes());
                put_u16(&mut out, 4);
                out.extend_from_slice(&v4.octets());
            }
            IpAddr::V6(v6) => {
                put_u16(&mut out, DNS_TYPE_AAAA);
                put_u16(&mut out, 1);
                out.extend_from_slice(&300u32.to_be_bytes());
                put_u16(&mut out, 16);
                out.extend_from_slice(&v6.octets());
            }
        }
    }
    out
}

/// Encodes `target`, replacing its longest label suffix shared with the question name
/// `qname` (at offset 12 of the message) by a compression pointer.
fn encode_compressed(out: &mut Vec<u8>, target: &str, qname: &str) {
    let t: Vec<&str> = target.trim_end_matches('.').split('.').collect();
    let q: Vec<&str> = qname.trim_end_matches('.').split('.').collect();
    let mut shared = 0;
    while shared < t.len()
        && shared < q.len()
        && t[t.len() - 1 - shared].eq_ignore_ascii_case(q[q.len() - 1 - shared])
    {
        shared += 1;
    }
    if shared == 0 {
        encode_dns_name(out, target);
        return;
    }
    for label in &t[..t.len() - shared] {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    let offset: usize = 12
        + q[..q.len() - shared]
            .iter()
            .map(|l| l.len() + 1)
            .sum::<usize>();
    put_u16(out, 0xc000 | offset as u16);
}

/// Prefixes a DNS message with the 2-byte length used over TCP.
pub fn dns_tcp(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 2);
    put_u16(&mut out, msg.len() as u16);
    out.extend_from_slice(msg);
    out
}

// -------------------------------------------------------------------------------------- NTP

/// Seconds from 1900-01-01 (NTP era 0) to the Unix epoch.
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp for `unix_micros`.
pub fn ntp_timestamp(unix_micros: u64) -> [u8; 8] {
    let secs = (unix_micros / 1_000_000 + NTP_UNIX_OFFSET) as u32;
    let frac = (((unix_micros % 1_000_000) << 32) / 1_000_000) as u32;
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&secs.to_be_bytes());
    b[4..].copy_from_slice(&frac.to_be_bytes());
    b
}

/// A 48-byte NTPv4 client request (mode 3) whose transmit timestamp is `tx_micros`.
pub fn ntp_client(tx_micros: u64) -> Vec<u8> {
    let mut out = vec![0u8; 48];
    out[0] = 0x23; // LI 0, version 4, mode 3
    out[2] = 6; // poll 2^6 s
    out[3] = 0xe9; // precision 2^-23 s
    out[40..48].copy_from_slice(&ntp_timestamp(tx_micros));
    out
}

/// A 48-byte NTPv4 server reply (mode 4) to a request sent at `client_tx_micros`, received
/// at `rx_micros` and answered at `tx_micros`, from a server of `stratum` with reference id
/// `ref_id` (an IPv4 address or, at stratum 1, an ASCII clock name such as `GPS\0`).
pub fn ntp_server(
    client_tx_micros: u64,
    rx_micros: u64,
    tx_micros: u64,
    stratum: u8,
    ref_id: [u8; 4],
) -> Vec<u8> {
    let mut out = vec![0u8; 48];
    out[0] = 0x24; // LI 0, version 4, mode 4
    out[1] = stratum;
    out[2] = 6;
    out[3] = 0xe7; // precision 2^-25 s
    out[4..8].copy_from_slice(&0x0000_0a3du32.to_be_bytes()); // root delay ~40 ms
    out[8..12].copy_from_slice(&0x0000_0189u32.to_be_bytes()); // root dispersion ~6 ms
    out[12..16].copy_from_slice(&ref_id);
    out[16..24].copy_from_slice(&ntp_timestamp(tx_micros.saturating_sub(37_000_000)));
    out[24..32].copy_from_slice(&ntp_timestamp(client_tx_micros));
    out[32..40].copy_from_slice(&ntp_timestamp(rx_micros));
    out[40..48].copy_from_slice(&ntp_timestamp(tx_micros));
    out
}

// -------------------------------------------------------------------------------------- SSH

/// An SSH identification line: `SSH-2.0-{software}\r\n`.
pub fn ssh_banner(software: &str) -> Vec<u8> {
    format!("SSH-2.0-{software}\r\n").into_bytes()
}

/// Wraps `payload` in an unencrypted SSH binary packet (length, padding length, payload,
/// 4..=19 random padding bytes to a multiple of 8).
pub fn ssh_packet<R: Rng + ?Sized>(payload: &[u8], rng: &mut R) -> Vec<u8> {
    let mut pad = 8 - (5 + payload.len()) % 8;
    if pad < 4 {
        pad += 8;
    }
    let mut out = Vec::with_capacity(5 + payload.len() + pad);
    out.extend_from_slice(&((1 + payload.len() + pad) as u32).to_be_bytes());
    out.push(pad as u8);
    out.extend_from_slice(payload);
    let start = out.len();
    out.resize(start + pad, 0);
    rng.fill_bytes(&mut out[start..]);
    out
}

fn ssh_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// An SSH_MSG_KEXINIT packet with OpenSSH-like algorithm lists (client or server flavour).
pub fn ssh_kexinit<R: Rng + ?Sized>(client: bool, rng: &mut R) -> Vec<u8> {
    let mut p = vec![20u8];
    let mut cookie = [0u8; 16];
    rng.fill_bytes(&mut cookie);
    p.extend_from_slice(&cookie);
    let kex: &str = if client {
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,\
         diffie-hellman-group16-sha512,ext-info-c,kex-strict-c-v00@openssh.com"
    } else {
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,\
         diffie-hellman-group16-sha512,kex-strict-s-v00@openssh.com"
    };
    let hostkey = if client {
        "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,ssh-rsa"
    } else {
        "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
    };
    let enc = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,\
               aes128-gcm@openssh.com,aes256-gcm@openssh.com";
    let mac = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,\
               hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com";
    let comp = "none,zlib@openssh.com";
    for list in [kex, hostkey, enc, enc, mac, mac, comp, comp, "", ""] {
        ssh_string(&mut p, list.as_bytes());
    }
    p.push(0); // first_kex_packet_follows
    p.extend_from_slice(&[0, 0, 0, 0]);
    ssh_packet(&p, rng)
}

/// An SSH_MSG_KEX_ECDH_INIT packet with a random 32-byte curve25519 public key.
pub fn ssh_kex_ecdh_init<R: Rng + ?Sized>(rng: &mut R) -> Vec<u8> {
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    let mut p = vec![30u8];
    ssh_string(&mut p, &key);
    ssh_packet(&p, rng)
}

/// Type of the server host key in [`ssh_kex_ecdh_reply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SshHostKey {
    /// `ssh-ed25519` key and signature. (Wireshark does not decode Ed25519 signatures and
    /// flags them with a protocol warning.)
    Ed25519,
    /// 2048-bit `ssh-rsa` key (e = 65537) and `ssh-rsa` signature.
    Rsa,
}

/// An SSH_MSG_KEX_ECDH_REPLY packet: a host key of type `key`, a curve25519 public key and
/// a signature (random bytes of the right sizes).
pub fn ssh_kex_ecdh_reply<R: Rng + ?Sized>(key: SshHostKey, rng: &mut R) -> Vec<u8> {
    let mut hostkey = Vec::new();
    let mut sig = Vec::new();
    match key {
        SshHostKey::Ed25519 => {
            ssh_string(&mut hostkey, b"ssh-ed25519");
            let mut k = [0u8; 32];
            rng.fill_bytes(&mut k);
            ssh_string(&mut hostkey, &k);
            ssh_string(&mut sig, b"ssh-ed25519");
            let mut s = [0u8; 64];
            rng.fill_bytes(&mut s);
            ssh_string(&mut sig, &s);
        }
        SshHostKey::Rsa => {
            ssh_string(&mut hostkey, b"ssh-rsa");
            ssh_string(&mut hostkey, &[0x01, 0x00, 0x01]);
            let mut n = vec![0u8; 257];
            rng.fill_bytes(&mut n[1..]);
            n[1] |= 0x80; // positive mpint with the top bit set: leading zero byte
            ssh_string(&mut hostkey, &n);
            ssh_string(&mut sig, b"ssh-rsa");
            let mut s = vec![0u8; 256];
            rng.fill_bytes(&mut s);
            s[0] &= 0x7f;
            s[0] |= 0x40;
            ssh_string(&mut sig, &s);
        }
    }
    let mut q = [0u8; 32];
    rng.fill_bytes(&mut q);
    let mut p = vec![31u8];
    ssh_string(&mut p, &hostkey);
    ssh_string(&mut p, &q);
    ssh_string(&mut p, &sig);
    ssh_packet(&p, rng)
}

/// An SSH_MSG_NEWKEYS packet.
pub fn ssh_newkeys<R: Rng + ?Sized>(rng: &mut R) -> Vec<u8> {
    ssh_packet(&[21], rng)
}

// ------------------------------------------------------------------------------------- SMTP

/// The SMTP greeting of `host`: `220 {host} ESMTP Postfix\r\n`.
pub fn smtp_banner(host: &str) -> Vec<u8> {
    format!("220 {host} ESMTP Postfix\r\n").into_bytes()
}

/// The client's `EHLO {client}\r\n` line.
pub fn smtp_ehlo(client: &str) -> Vec<u8> {
    format!("EHLO {client}\r\n").into_bytes()
}

/// The server's multi-line reply to EHLO.
pub fn smtp_ehlo_reply(host: &str) -> Vec<u8> {
    format!(
        "250-{host}\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n\
         250-8BITMIME\r\n250 SMTPUTF8\r\n"
    )
    .into_bytes()
}

/// One SMTP exchange after EHLO as (client line(s), server reply) pairs: MAIL FROM, RCPT TO,
/// DATA, the message (headers, `body_lines` short text lines, final dot) and QUIT.
pub fn smtp_transaction(
    from: &str,
    to: &str,
    subject: &str,
    body_lines: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut msg = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
         Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <{}.{}@weir.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        subject.len(),
        body_lines
    );
    for i in 0..body_lines {
        msg.push_str(&format!(
            "Line {i}: the quick brown fox jumps over the lazy dog.\r\n"
        ));
    }
    msg.push_str(".\r\n");
    vec![
        (
            format!("MAIL FROM:<{from}>\r\n").into_bytes(),
            b"250 2.1.0 Ok\r\n".to_vec(),
        ),
        (
            format!("RCPT TO:<{to}>\r\n").into_bytes(),
            b"250 2.1.5 Ok\r\n".to_vec(),
        ),
        (
            b"DATA\r\n".to_vec(),
            b"354 End data with <CR><LF>.<CR><LF>\r\n".to_vec(),
        ),
        (
            msg.into_bytes(),
            b"250 2.0.0 Ok: queued as 4F2A1C0D3B\r\n".to_vec(),
        ),
        (b"QUIT\r\n".to_vec(), b"221 2.0.0 Bye\r\n".to_vec()),
    ]
}

// ------------------------------------------------------------------- TLS full handshake

/// A TLS Certificate handshake record carrying `chain` (DER certificates, leaf first).
pub fn tls_certificate(chain: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for c in chain {
        put_u24(&mut list, c.len());
        list.extend_from_slice(c);
    }
    let mut body = Vec::with_capacity(list.len() + 3);
    put_u24(&mut body, list.len());
    body.extend_from_slice(&list);
    handshake_record(0x0303, 11, &body)
}

/// A TLS 1.2 ECDHE ServerKeyExchange record (x25519 share, rsa_pkcs1_sha256 signature
/// of random bytes).
pub fn tls_server_key_exchange<R: Rng + ?Sized>(rng: &mut R) -> Vec<u8> {
    let mut body = vec![3]; // named_curve
    put_u16(&mut body, 0x001d);
    body.push(32);
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    body.extend_from_slice(&key);
    put_u16(&mut body, 0x0401);
    put_u16(&mut body, 256);
    let mut sig = [0u8; 256];
    rng.fill_bytes(&mut sig);
    body.extend_from_slice(&sig);
    handshake_record(0x0303, 12, &body)
}

/// The ServerHelloDone record.
pub fn tls_server_hello_done() -> Vec<u8> {
    handshake_record(0x0303, 14, &[])
}

/// A TLS 1.2 ECDHE ClientKeyExchange record (x25519 share).
pub fn tls_client_key_exchange<R: Rng + ?Sized>(rng: &mut R) -> Vec<u8> {
    let mut body = vec![32];
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    body.extend_from_slice(&key);
    handshake_record(0x0303, 16, &body)
}

// -------------------------------------------------------------------------------------- RDP

/// An RDP X.224 Connection Request in a TPKT, with the `mstshash` cookie and an
/// RDP_NEG_REQ asking for TLS or CredSSP.
pub fn rdp_connection_request(user: &str) -> Vec<u8> {
    let cookie = format!("Cookie: mstshash={user}\r\n");
    let mut x224 = vec![0xe0, 0, 0, 0, 0, 0];
    x224.extend_from_slice(cookie.as_bytes());
    x224.extend_from_slice(&[0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]);
    let mut out = vec![3, 0];
    put_u16(&mut out, (x224.len() + 5) as u16);
    out.push(x224.len() as u8);
    out.extend_from_slice(&x224);
    out
}

/// The X.224 Connection Confirm selecting TLS (RDP_NEG_RSP, PROTOCOL_SSL).
pub fn rdp_connection_confirm() -> Vec<u8> {
    vec![
        0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x1f, 0x08, 0x00,
        0x01, 0x00, 0x00, 0x00,
    ]
}

// ------------------------------------------------------------------------------------- DHCP

/// DHCP message types (option 53).
pub const DHCP_DISCOVER: u8 = 1;
/// DHCPOFFER.
pub const DHCP_OFFER: u8 = 2;
/// DHCPREQUEST.
pub const DHCP_REQUEST: u8 = 3;
/// DHCPACK.
pub const DHCP_ACK: u8 = 5;

/// What a DHCP message says.
#[derive(Clone, Debug)]
pub struct Dhcp<'a> {
    /// Option 53.
    pub msg_type: u8,
    /// Transaction id.
    pub xid: u32,
    /// Client hardware address.
    pub chaddr: [u8; 6],
    /// `yiaddr` (offered address; zero in client messages).
    pub yiaddr: [u8; 4],
    /// Server identifier (option 54) in server messages, requested server in a REQUEST.
    pub server: [u8; 4],
    /// Router and DNS server options given by a server.
    pub router: [u8; 4],
    /// Client host name (option 12) in client messages.
    pub hostname: Option<&'a str>,
}

/// A BOOTP/DHCP message (RFC 2131), broadcast flag set, padded to 300 bytes.
pub fn dhcp_message(m: &Dhcp<'_>) -> Vec<u8> {
    let from_server = matches!(m.msg_type, DHCP_OFFER | DHCP_ACK);
    let mut out = Vec::with_capacity(300);
    out.extend_from_slice(&[if from_server { 2 } else { 1 }, 1, 6, 0]);
    out.extend_from_slice(&m.xid.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0x80, 0]); // secs, flags: broadcast
    out.extend_from_slice(&[0; 4]); // ciaddr
    out.extend_from_slice(&m.yiaddr);
    out.extend_from_slice(if from_server { &m.server } else { &[0; 4] }); // siaddr
    out.extend_from_slice(&[0; 4]); // giaddr
    out.extend_from_slice(&m.chaddr);
    out.extend_from_slice(&[0; 10 + 64 + 128]);
    out.extend_from_slice(&[0x63, 0x82, 0x53, 0x63]);
    out.extend_from_slice(&[53, 1, m.msg_type]);
    if from_server {
        out.extend_from_slice(&[54, 4]);
        out.extend_from_slice(&m.server);
        out.extend_from_slice(&[51, 4, 0, 0, 0x0e, 0x10]); // 1 hour lease
        out.extend_from_slice(&[1, 4, 255, 255, 255, 0]);
        out.extend_from_slice(&[3, 4]);
        out.extend_from_slice(&m.router);
        out.extend_from_slice(&[6, 4]);
        out.extend_from_slice(&m.router);
    } else {
        out.extend_from_slice(&[61, 7, 1]);
        out.extend_from_slice(&m.chaddr);
        if m.msg_type == DHCP_REQUEST {
            out.extend_from_slice(&[50, 4]);
            out.extend_from_slice(&m.yiaddr);
            out.extend_from_slice(&[54, 4]);
            out.extend_from_slice(&m.server);
        }
        if let Some(h) = m.hostname {
            let h = &h.as_bytes()[..h.len().min(63)];
            out.extend_from_slice(&[12, h.len() as u8]);
            out.extend_from_slice(h);
        }
        out.extend_from_slice(&[55, 4, 1, 3, 6, 15]);
    }
    out.push(255);
    if out.len() < 300 {
        out.resize(300, 0);
    }
    out
}

// ------------------------------------------------------------------------------- DNS extras

/// A DNS response with one TXT record (owner: the question name) holding `text`.
pub fn dns_txt_response(id: u16, name: &str, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + name.len() + text.len());
    dns_header(&mut out, id, 0x8180, 1, 1, 0, 0);
    encode_dns_name(&mut out, name);
    put_u16(&mut out, DNS_TYPE_TXT);
    put_u16(&mut out, 1);
    put_u16(&mut out, 0xc00c);
    put_u16(&mut out, DNS_TYPE_TXT);
    put_u16(&mut out, 1);
    out.extend_from_slice(&0u32.to_be_bytes());
    let t = &text.as_bytes()[..text.len().min(255)];
    put_u16(&mut out, (t.len() + 1) as u16);
    out.push(t.len() as u8);
    out.extend_from_slice(t);
    out
}

/// DNS record type TXT.
pub const DNS_TYPE_TXT: u16 = 16;

// ---------------------------------------------------------------------------------- Stratum

/// A Stratum (JSON-RPC over TCP, one object per line) login as sent by XMRig-style
/// miners.
pub fn stratum_login(wallet: &str, agent: &str) -> Vec<u8> {
    format!(
        "{{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{{\"login\":\"{wallet}\",\"pass\":\"x\",\"agent\":\"{agent}\",\"algo\":[\"rx/0\"]}}}}\n"
    )
    .into_bytes()
}

/// The pool's answer to a login: a session id and the first job.
pub fn stratum_job<R: Rng + ?Sized>(id: u64, rng: &mut R) -> Vec<u8> {
    let blob: String = (0..76)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect();
    format!(
        "{{\"id\":{id},\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{{\"id\":\"{:08x}\",\"job\":{{\"blob\":\"{blob}\",\"job_id\":\"{:x}\",\"target\":\"f3220000\",\"algo\":\"rx/0\"}},\"status\":\"OK\"}}}}\n",
        rng.random::<u32>(),
        rng.random::<u32>()
    )
    .into_bytes()
}

/// A share submitted by the miner.
pub fn stratum_submit<R: Rng + ?Sized>(id: u64, rng: &mut R) -> Vec<u8> {
    format!(
        "{{\"id\":{id},\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{{\"id\":\"{:08x}\",\"job_id\":\"{:x}\",\"nonce\":\"{:08x}\",\"result\":\"{:016x}{:016x}{:016x}{:016x}\"}}}}\n",
        rng.random::<u32>(),
        rng.random::<u32>(),
        rng.random::<u32>(),
        rng.random::<u64>(),
        rng.random::<u64>(),
        rng.random::<u64>(),
        rng.random::<u64>()
    )
    .into_bytes()
}

/// The pool accepting a share.
pub fn stratum_ok(id: u64) -> Vec<u8> {
    format!("{{\"id\":{id},\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{{\"status\":\"OK\"}}}}\n")
        .into_bytes()
}
