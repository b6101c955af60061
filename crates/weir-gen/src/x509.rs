//! A minimal DER writer for X.509 v3 certificates: enough structure for TLS dissectors
//! (subject, issuer, validity, subjectAltName), with random key and signature bytes.
//!
//! The certificates are structurally valid (every length consistent, real OIDs) but the
//! signature is random: nothing verifies it.
//!
//! ```
//! use weir_gen::x509::{CertSpec, certificate};
//!
//! let mut rng = weir_gen::rng::GenRng::new(1);
//! let spec = CertSpec {
//!     subject_cn: "www.example.com",
//!     subject_o: "Example Ltd",
//!     issuer_cn: "Example CA",
//!     issuer_o: "Example Trust",
//!     not_before: 1_767_225_600,
//!     not_after: 1_767_225_600 + 90 * 86_400,
//!     dns_names: &["www.example.com", "example.com"],
//!     serial: 42,
//! };
//! let der = certificate(&spec, &mut rng);
//! assert_eq!(der[0], 0x30); // SEQUENCE
//! assert_eq!(usize::from(u16::from_be_bytes([der[2], der[3]])) + 4, der.len());
//! ```

use rand::Rng;

/// What a generated certificate says.
#[derive(Clone, Debug)]
pub struct CertSpec<'a> {
    /// Subject common name.
    pub subject_cn: &'a str,
    /// Subject organisation.
    pub subject_o: &'a str,
    /// Issuer common name (equal to the subject's with the same organisation: self-signed).
    pub issuer_cn: &'a str,
    /// Issuer organisation.
    pub issuer_o: &'a str,
    /// notBefore, Unix seconds.
    pub not_before: u64,
    /// notAfter, Unix seconds.
    pub not_after: u64,
    /// subjectAltName DNS names (none: no extension).
    pub dns_names: &'a [&'a str],
    /// Serial number.
    pub serial: u64,
}

const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_O: &[u8] = &[0x55, 0x04, 0x0a];
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];

/// A DER TLV.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 4);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn alg_id(oid: &[u8]) -> Vec<u8> {
    seq(&[&tlv(0x06, oid), &[0x05, 0x00]])
}

fn name(cn: &str, o: &str) -> Vec<u8> {
    let rdn = |oid: &[u8], v: &str| tlv(0x31, &seq(&[&tlv(0x06, oid), &tlv(0x0c, v.as_bytes())]));
    seq(&[&rdn(OID_O, o), &rdn(OID_CN, cn)])
}

/// Civil date (year, month, day) of a day count since 1970-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// UTCTime (years 1950..2049) or GeneralizedTime of a Unix time.
fn time(t: u64) -> Vec<u8> {
    let secs = t as i64;
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let (h, mi, se) = (s / 3600, s / 60 % 60, s % 60);
    if (1950..2050).contains(&y) {
        let txt = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{se:02}Z", y % 100);
        tlv(0x17, txt.as_bytes())
    } else {
        let txt = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{se:02}Z");
        tlv(0x18, txt.as_bytes())
    }
}

/// A DER certificate for `spec` with a random 2048-bit RSA modulus and signature.
pub fn certificate<R: Rng + ?Sized>(spec: &CertSpec<'_>, rng: &mut R) -> Vec<u8> {
    let mut modulus = [0u8; 256];
    rng.fill_bytes(&mut modulus);
    modulus[0] |= 0x80;
    modulus[255] |= 1;
    let rsa_key = seq(&[&uint(&modulus), &uint(&[0x01, 0x00, 0x01])]);
    let mut key_bits = vec![0u8];
    key_bits.extend_from_slice(&rsa_key);
    let spki = seq(&[&alg_id(OID_RSA), &tlv(0x03, &key_bits)]);

    let self_signed = spec.subject_cn == spec.issuer_cn && spec.subject_o == spec.issuer_o;
    let mut exts: Vec<Vec<u8>> = Vec::new();
    if !spec.dns_names.is_empty() {
        let names: Vec<u8> = spec
            .dns_names
            .iter()
            .flat_map(|n| tlv(0x82, n.as_bytes()))
            .collect();
        exts.push(seq(&[&tlv(0x06, OID_SAN), &tlv(0x04, &tlv(0x30, &names))]));
    }
    // basicConstraints: CA for self-signed roots, end entity otherwise.
    let bc = if self_signed {
        seq(&[&[0x01, 0x01, 0xff]])
    } else {
        seq(&[])
    };
    exts.push(seq(&[&tlv(0x06, OID_BASIC_CONSTRAINTS), &tlv(0x04, &bc)]));
    let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
    let extensions = tlv(0xa3, &seq(&ext_refs));

    let tbs = seq(&[
        &[0xa0, 0x03, 0x02, 0x01, 0x02],
        &uint(&spec.serial.to_be_bytes()),
        &alg_id(OID_SHA256_RSA),
        &name(spec.issuer_cn, spec.issuer_o),
        &seq(&[&time(spec.not_before), &time(spec.not_after)]),
        &name(spec.subject_cn, spec.subject_o),
        &spki,
        &extensions,
    ]);
    let mut sig = vec![0u8; 257];
    rng.fill_bytes(&mut sig[1..]);
    seq(&[&tbs, &alg_id(OID_SHA256_RSA), &tlv(0x03, &sig)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_454), (2026, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(time(1_767_225_600), tlv(0x17, b"260101000000Z"));
        assert_eq!(time(2_556_144_000), tlv(0x18, b"20510101000000Z"));
    }

    #[test]
    fn integers_are_positive_and_minimal() {
        assert_eq!(uint(&[0, 0, 5]), vec![2, 1, 5]);
        assert_eq!(uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(uint(&[0, 0]), vec![2, 1, 0]);
    }
}
