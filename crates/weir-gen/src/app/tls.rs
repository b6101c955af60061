//! TLS records and handshake messages: hellos, certificates, key exchange.

use rand::Rng;

use super::{put_u16, put_u24};

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

const TLS_GREASE: [u16; 16] = [
    0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba,
    0xcaca, 0xdada, 0xeaea, 0xfafa,
];

/// True for the reserved GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ..., 0xfafa).
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
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
