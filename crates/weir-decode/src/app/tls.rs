//! TLS handshake (RFC 8446, RFC 5246): record walking, ClientHello (SNI, ALPN, supported
//! versions, JA3), ServerHello (negotiated version and cipher, JA3S) and the server
//! certificate (subject, issuer, validity, names; parsed with `x509-parser`).
//!
//! Records are walked with a bound ([`MAX_RECORDS`]), extensions with
//! [`MAX_EXTENSIONS`]; a message that spans records is joined in a caller-owned scratch
//! buffer capped by the caller.

use md5::{Digest, Md5};

use super::{Reader, dec};

/// Record content type: change_cipher_spec.
pub const CONTENT_CCS: u8 = 20;
/// Record content type: alert.
pub const CONTENT_ALERT: u8 = 21;
/// Record content type: handshake.
pub const CONTENT_HANDSHAKE: u8 = 22;
/// Record content type: application_data.
pub const CONTENT_APP_DATA: u8 = 23;

/// Handshake type: ClientHello.
pub const HS_CLIENT_HELLO: u8 = 1;
/// Handshake type: ServerHello.
pub const HS_SERVER_HELLO: u8 = 2;
/// Handshake type: Certificate.
pub const HS_CERTIFICATE: u8 = 11;

/// Most records walked in one buffer.
pub const MAX_RECORDS: usize = 64;
/// Most extensions looked at in one hello.
pub const MAX_EXTENSIONS: usize = 128;
/// Most handshake messages delivered from one buffer.
pub const MAX_MESSAGES: usize = 32;

/// True for a GREASE value (RFC 8701), which JA3 ignores.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

/// True if `p` starts with a TLS handshake record carrying a ClientHello or ServerHello.
pub fn probe(p: &[u8]) -> bool {
    matches!(p, [CONTENT_HANDSHAKE, 3, minor, _, _, hs, ..] if *minor <= 4 && (*hs == HS_CLIENT_HELLO || *hs == HS_SERVER_HELLO))
        && u16::from_be_bytes([
            p.get(3).copied().unwrap_or(0),
            p.get(4).copied().unwrap_or(0),
        ]) > 0
}

/// True if `p` starts with a plausible TLS record header of any content type.
pub fn probe_record(p: &[u8]) -> bool {
    matches!(p, [20..=23, 3, 0..=4, ..])
}

/// True if `p` is a chain of plausible TLS records: the first header is valid and its
/// length either ends the payload or is followed by another valid header (the last
/// record may be cut short). Recognises mid-stream TLS (application data) without a
/// handshake.
pub fn probe_records(p: &[u8]) -> bool {
    let mut r = Reader::new(p);
    for seen in 0..8 {
        if r.remaining() == 0 {
            return seen > 0;
        }
        let head = r.rest();
        if !probe_record(head) || head.len() < 5 {
            return false;
        }
        r.skip(3);
        let len = usize::from(r.u16().unwrap_or(0));
        if len == 0 || len > (1 << 14) + 2048 {
            return false;
        }
        if r.skip(len).is_none() {
            return true;
        }
    }
    true
}

/// What a walk over records found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordScan {
    /// Complete records seen.
    pub records: u16,
    /// The buffer ends inside a record (more bytes needed).
    pub incomplete: bool,
    /// A change_cipher_spec record was seen.
    pub saw_ccs: bool,
    /// An application_data record was seen.
    pub saw_app_data: bool,
    /// Something that is not a TLS record was found (the walk stopped there).
    pub garbage: bool,
    /// Handshake bytes were dropped because the scratch cap was reached.
    pub overflow: bool,
}

/// Walks the records at the start of `buf`, joins handshake record bodies in `scratch`
/// (at most `max_scratch` bytes) and calls `f(type, body)` for each complete handshake
/// message, at most [`MAX_MESSAGES`].
///
/// # Panics
/// Never.
pub fn handshake_messages(
    buf: &[u8],
    scratch: &mut Vec<u8>,
    max_scratch: usize,
    mut f: impl FnMut(u8, &[u8]),
) -> RecordScan {
    let mut scan = RecordScan::default();
    scratch.clear();
    let mut r = Reader::new(buf);
    for _ in 0..MAX_RECORDS {
        if r.remaining() == 0 {
            break;
        }
        let head = r.rest();
        if !probe_record(head) {
            scan.garbage = true;
            break;
        }
        if r.remaining() < 5 {
            scan.incomplete = true;
            break;
        }
        let ct = r.u8().unwrap_or(0);
        r.skip(2);
        let len = usize::from(r.u16().unwrap_or(0));
        let Some(body) = r.take(len) else {
            scan.incomplete = true;
            // A partial handshake record still helps: a ClientHello whose record is cut
            // short usually holds the SNI already. Deliver what is there.
            if ct == CONTENT_HANDSHAKE {
                let part = r.rest();
                let room = max_scratch.saturating_sub(scratch.len());
                scratch.extend_from_slice(part.get(..room).unwrap_or(part));
            }
            break;
        };
        scan.records = scan.records.saturating_add(1);
        match ct {
            CONTENT_HANDSHAKE => {
                let room = max_scratch.saturating_sub(scratch.len());
                if body.len() > room {
                    scan.overflow = true;
                }
                scratch.extend_from_slice(body.get(..room).unwrap_or(body));
            }
            CONTENT_CCS => scan.saw_ccs = true,
            CONTENT_APP_DATA => scan.saw_app_data = true,
            _ => {}
        }
    }
    let mut m = Reader::new(scratch);
    for _ in 0..MAX_MESSAGES {
        let Some(ty) = m.u8() else { break };
        let Some(len) = m.u24() else { break };
        match m.take(len as usize) {
            Some(body) => f(ty, body),
            None => {
                // Cut short: hellos are still worth a lenient look.
                if ty == HS_CLIENT_HELLO || ty == HS_SERVER_HELLO {
                    f(ty, m.rest());
                }
                break;
            }
        }
    }
    scan
}

/// Fields of a ClientHello. Slices borrow the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3).
    pub version: u16,
    /// Server Name Indication host name.
    pub sni: Option<&'a [u8]>,
    /// ALPN extension body: the protocol name list (u8-length-prefixed names).
    pub alpn: Option<&'a [u8]>,
    /// supported_versions extension body (u8-length-prefixed list of u16).
    pub supported_versions: Option<&'a [u8]>,
    /// An Encrypted Client Hello extension (0xfe0d) is present.
    pub ech: bool,
    /// Number of cipher suites offered.
    pub cipher_count: u16,
    /// MD5 of the JA3 string.
    pub ja3: [u8; 16],
}

/// Fields of a ServerHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// `legacy_version`.
    pub legacy_version: u16,
    /// Negotiated version: supported_versions when present, else `legacy_version`.
    pub version: u16,
    /// Selected cipher suite.
    pub cipher: u16,
    /// Selected ALPN protocol.
    pub alpn: Option<&'a [u8]>,
    /// MD5 of the JA3S string.
    pub ja3s: [u8; 16],
}

struct Ja3 {
    md5: Md5,
    first: bool,
}

impl Ja3 {
    fn new() -> Ja3 {
        Ja3 {
            md5: Md5::new(),
            first: true,
        }
    }
    fn field(&mut self) {
        self.md5.update(b",");
        self.first = true;
    }
    fn num(&mut self, n: u32) {
        if !self.first {
            self.md5.update(b"-");
        }
        self.first = false;
        let mut b = [0u8; 10];
        self.md5.update(dec(n, &mut b));
    }
    fn finish(self) -> [u8; 16] {
        let out = self.md5.finalize();
        let mut d = [0u8; 16];
        d.copy_from_slice(out.as_slice());
        d
    }
}

/// Parses a ClientHello body (after the 4-byte handshake header). Lenient: a body cut
/// short still yields the fields before the cut (JA3 then covers what was seen).
pub fn parse_client_hello(body: &[u8]) -> Option<ClientHello<'_>> {
    let mut r = Reader::new(body);
    let version = r.u16()?;
    r.skip(32)?;
    r.vec8()?;
    let ciphers = r.vec16()?;
    let mut ch = ClientHello {
        version,
        sni: None,
        alpn: None,
        supported_versions: None,
        ech: false,
        cipher_count: (ciphers.len() / 2) as u16,
        ja3: [0; 16],
    };
    let mut ja3 = Ja3::new();
    ja3.num(u32::from(version));
    ja3.field();
    let mut c = Reader::new(ciphers);
    while let Some(v) = c.u16() {
        if !is_grease(v) {
            ja3.num(u32::from(v));
        }
    }
    ja3.field();
    let _compression = r.vec8();
    let exts = r
        .vec16()
        .unwrap_or_else(|| r.rest().get(2..).unwrap_or(&[]));
    let mut e = Reader::new(exts);
    let mut groups: &[u8] = &[];
    let mut formats: &[u8] = &[];
    for _ in 0..MAX_EXTENSIONS {
        let Some(ty) = e.u16() else { break };
        let data = match e.vec16() {
            Some(d) => d,
            None => e.rest().get(2..).unwrap_or(&[]),
        };
        if !is_grease(ty) {
            ja3.num(u32::from(ty));
        }
        match ty {
            0 => {
                let mut s = Reader::new(data);
                let list = s.vec16().unwrap_or(&[]);
                let mut l = Reader::new(list);
                while let Some(kind) = l.u8() {
                    let Some(name) = l.vec16() else { break };
                    if kind == 0 {
                        ch.sni = Some(name);
                        break;
                    }
                }
            }
            10 => groups = Reader::new(data).vec16().unwrap_or(&[]),
            11 => formats = Reader::new(data).vec8().unwrap_or(&[]),
            16 => ch.alpn = Reader::new(data).vec16(),
            43 => ch.supported_versions = Reader::new(data).vec8(),
            0xfe0d => ch.ech = true,
            _ => {}
        }
    }
    ja3.field();
    let mut g = Reader::new(groups);
    while let Some(v) = g.u16() {
        if !is_grease(v) {
            ja3.num(u32::from(v));
        }
    }
    ja3.field();
    for f in formats {
        ja3.num(u32::from(*f));
    }
    ch.ja3 = ja3.finish();
    Some(ch)
}

/// Parses a ServerHello body.
pub fn parse_server_hello(body: &[u8]) -> Option<ServerHello<'_>> {
    let mut r = Reader::new(body);
    let legacy_version = r.u16()?;
    r.skip(32)?;
    r.vec8()?;
    let cipher = r.u16()?;
    let _compression = r.u8();
    let mut sh = ServerHello {
        legacy_version,
        version: legacy_version,
        cipher,
        alpn: None,
        ja3s: [0; 16],
    };
    let mut ja3 = Ja3::new();
    ja3.num(u32::from(legacy_version));
    ja3.field();
    ja3.num(u32::from(cipher));
    ja3.field();
    let exts = r.vec16().unwrap_or(&[]);
    let mut e = Reader::new(exts);
    for _ in 0..MAX_EXTENSIONS {
        let Some(ty) = e.u16() else { break };
        let Some(data) = e.vec16() else { break };
        ja3.num(u32::from(ty));
        match ty {
            43 => {
                if let Some(v) = Reader::new(data).u16() {
                    sh.version = v;
                }
            }
            16 => {
                let mut a = Reader::new(data);
                let list = a.vec16().unwrap_or(&[]);
                sh.alpn = Reader::new(list).vec8();
            }
            _ => {}
        }
    }
    sh.ja3s = ja3.finish();
    Some(sh)
}

/// The first (leaf) certificate's DER from a Certificate message body (TLS ≤ 1.2 layout;
/// TLS 1.3 certificates are encrypted and never reach this parser in clear).
pub fn first_certificate(body: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(body);
    let total = r.u24()?;
    let list = r.take(total as usize).unwrap_or_else(|| r.rest());
    let mut l = Reader::new(list);
    let len = l.u24()?;
    l.take(len as usize)
}

/// Fields of an X.509 certificate that flows record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertInfo {
    /// Subject DN (`C=US, O=..., CN=...`).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// DNS names from subjectAltName (comma separated, capped at [`MAX_SAN_LEN`] bytes),
    /// or the subject CN when there is no SAN.
    pub server_names: String,
    /// Subject equals issuer.
    pub self_signed: bool,
}

/// Cap on [`CertInfo::server_names`].
pub const MAX_SAN_LEN: usize = 2048;

/// Parses a DER certificate. `None` if it does not parse.
pub fn parse_certificate(der: &[u8]) -> Option<CertInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let mut names = String::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for gn in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(n) = gn {
                if names.len().saturating_add(n.len()).saturating_add(1) > MAX_SAN_LEN {
                    break;
                }
                if !names.is_empty() {
                    names.push(',');
                }
                names.push_str(n);
            }
        }
    }
    if names.is_empty()
        && let Some(cn) = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|c| c.as_str().ok())
    {
        names.push_str(cn);
    }
    Some(CertInfo {
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        subject,
        issuer,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        server_names: names,
    })
}

/// Name of a TLS version number as nDPI prints it (`TLSv1.2`).
pub fn version_name(v: u16) -> &'static str {
    match v {
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        0xfeff => "DTLSv1.0",
        0xfefd => "DTLSv1.2",
        _ => "TLS (unknown)",
    }
}

/// Cipher strength as ntopng reports it: `insecure` (NULL, EXPORT, RC4, anon), `weak`
/// (3DES, DES, CBC with SHA1 on TLS ≤ 1.0 era suites), else `safe`.
pub fn cipher_strength(cipher: u16) -> &'static str {
    match cipher {
        0x0000..=0x0003
        | 0x0004
        | 0x0005
        | 0x0017
        | 0x0018
        | 0x0019..=0x001b
        | 0x0006
        | 0x0008
        | 0x000b
        | 0x000e
        | 0x0011
        | 0x0014
        | 0xc002
        | 0xc007
        | 0xc00c
        | 0xc011
        | 0xc016 => "insecure",
        0x0009 | 0x000a | 0x000c | 0x000d | 0x000f | 0x0010 | 0x0012 | 0x0013 | 0x0015 | 0x0016
        | 0xc003 | 0xc008 | 0xc00d | 0xc012 | 0xc017 => "weak",
        _ => "safe",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_hello_record(sni: &str) -> Vec<u8> {
        let mut ext = Vec::new();
        // SNI
        let name = sni.as_bytes();
        let mut sn = vec![0u8];
        sn.extend_from_slice(&(name.len() as u16).to_be_bytes());
        sn.extend_from_slice(name);
        let mut sni_ext = (sn.len() as u16).to_be_bytes().to_vec();
        sni_ext.extend_from_slice(&sn);
        ext.extend_from_slice(&0u16.to_be_bytes());
        ext.extend_from_slice(&(sni_ext.len() as u16).to_be_bytes());
        ext.extend_from_slice(&sni_ext);
        // GREASE extension, ignored by JA3
        ext.extend_from_slice(&[0x0a, 0x0a, 0, 0]);
        // supported groups 29, 23
        ext.extend_from_slice(&[0, 10, 0, 6, 0, 4, 0, 29, 0, 23]);
        // point formats 0
        ext.extend_from_slice(&[0, 11, 0, 2, 1, 0]);
        // ALPN h2
        ext.extend_from_slice(&[0, 16, 0, 5, 0, 3, 2, b'h', b'2']);
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(0);
        body.extend_from_slice(&[0, 4, 0xc0, 0x2f, 0x0a, 0x0a]);
        body.extend_from_slice(&[1, 0]);
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        let mut hs = vec![1];
        hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1];
        rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn client_hello_sni_alpn_ja3() {
        let rec = client_hello_record("www.example.com");
        assert!(probe(&rec));
        let mut scratch = Vec::new();
        let mut got = None;
        let scan = handshake_messages(&rec, &mut scratch, 1 << 16, |ty, body| {
            if ty == HS_CLIENT_HELLO {
                got = parse_client_hello(body)
                    .map(|c| (c.sni.map(<[u8]>::to_vec), c.alpn.map(<[u8]>::to_vec), c.ja3));
            }
        });
        assert_eq!(scan.records, 1);
        let (sni, alpn, ja3) = got.unwrap();
        assert_eq!(sni.as_deref(), Some(&b"www.example.com"[..]));
        assert_eq!(alpn.as_deref(), Some(&[2, b'h', b'2'][..]));
        // JA3 string: 771,49199,0-10-11-16,29-23,0
        let want: [u8; 16] = Md5::digest(b"771,49199,0-10-11-16,29-23,0").into();
        assert_eq!(ja3, want);
    }

    #[test]
    fn cut_short_record_still_gives_sni() {
        let rec = client_hello_record("cut.example.org");
        let mut scratch = Vec::new();
        let mut sni = None;
        let scan = handshake_messages(&rec[..rec.len() - 12], &mut scratch, 1 << 16, |ty, body| {
            if ty == HS_CLIENT_HELLO {
                sni = parse_client_hello(body).and_then(|c| c.sni.map(<[u8]>::to_vec));
            }
        });
        assert!(scan.incomplete);
        assert_eq!(sni.as_deref(), Some(&b"cut.example.org"[..]));
    }

    #[test]
    fn grease_and_names() {
        assert!(is_grease(0x0a0a) && is_grease(0xfafa) && !is_grease(0x0a1a));
        assert_eq!(version_name(0x0303), "TLSv1.2");
        assert_eq!(cipher_strength(0x0005), "insecure");
        assert_eq!(cipher_strength(0x1301), "safe");
    }
}
