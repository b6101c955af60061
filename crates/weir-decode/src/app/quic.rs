//! QUIC (RFC 9000, RFC 9369 v2, IETF drafts, Google QUIC): long-header recognition,
//! version extraction, and decryption of the client's Initial packet (RFC 9001 §5,
//! keys derived from the destination connection id) to reach the TLS ClientHello in
//! its CRYPTO frames.

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, Payload};
use hkdf::Hkdf;
use sha2::Sha256;

use super::Reader;

/// Most frames walked in one decrypted Initial.
pub const MAX_FRAMES: usize = 256;

/// A QUIC long header (or a gQUIC public header with a version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuicHeader<'a> {
    /// Version number (`0x00000001` v1, `0x6b3343cf` v2, `0xff0000xx` drafts,
    /// `Q0xx` gQUIC as ASCII).
    pub version: u32,
    /// Destination connection id.
    pub dcid: &'a [u8],
    /// Long-header packet type bits (0 = Initial for v1/drafts).
    pub packet_type: u8,
    /// Google QUIC (public header or Q046+ long header).
    pub gquic: bool,
}

/// True for a version number weir recognises as QUIC.
pub fn known_version(v: u32) -> bool {
    v == 1
        || v == 0x6b33_43cf
        || v & 0xffff_ff00 == 0xff00_0000
        || v & 0xffff_0000 == 0x5130_0000 // "Q0.."
        || v & 0xffff_0000 == 0x5430_0000 // "T0.."
        || v & 0xffff_fff0 == 0xface_b000 // mvfst
        || is_reserved_version(v)
        || v == 0
}

/// Versions of the form `0x?a?a?a?a`, reserved (RFC 9000 §15) so that clients can force
/// version negotiation; a client may open a connection with one.
pub fn is_reserved_version(v: u32) -> bool {
    v & 0x0f0f_0f0f == 0x0a0a_0a0a
}

/// Most versions looked at in a Version Negotiation packet.
const MAX_VN_VERSIONS: usize = 64;

/// A Version Negotiation packet's body (after the connection ids): a non-empty list of
/// 32-bit versions, at least one of them a version weir knows (not a reserved one).
fn version_list_ok(list: &[u8]) -> bool {
    if list.is_empty() || !list.len().is_multiple_of(4) {
        return false;
    }
    list.chunks_exact(4)
        .take(MAX_VN_VERSIONS)
        .any(|c| match *c {
            [a, b, c, d] => {
                let v = u32::from_be_bytes([a, b, c, d]);
                v != 0 && known_version(v) && !is_reserved_version(v)
            }
            _ => false,
        })
}

/// Parses the start of a UDP payload as a QUIC long header or a gQUIC public header
/// carrying a version. Short-header packets are not recognisable on their own.
pub fn parse_header(p: &[u8]) -> Option<QuicHeader<'_>> {
    let mut r = Reader::new(p);
    let first = r.u8()?;
    if first & 0x80 != 0 {
        let version = r.u32()?;
        if !known_version(version) {
            return None;
        }
        let dcid = r.vec8()?;
        if dcid.len() > 20 {
            return None;
        }
        let scid = r.vec8()?;
        if version == 0 {
            // Version Negotiation (RFC 9000 §17.2.1): the server's answer to an Initial
            // of a version it does not speak, often the first packet seen of a flow
            // whose client uses a reserved version.
            return (scid.len() <= 20 && version_list_ok(r.rest())).then_some(QuicHeader {
                version,
                dcid,
                packet_type: 0,
                gquic: false,
            });
        }
        let gquic = version & 0xff00_0000 == 0x5100_0000;
        if !gquic && first & 0x40 == 0 && version == 1 {
            // Fixed bit must be set for v1 (RFC 9000 §17.2).
            return None;
        }
        let packet_type = (first >> 4) & 0x3;
        if p.len() < 64 {
            return None;
        }
        return Some(QuicHeader {
            version,
            dcid,
            packet_type,
            gquic,
        });
    }
    // gQUIC (≤ Q043) public header: flags, 8-byte connection id, version "Q0xx".
    if first & 0x01 != 0 && first & 0x08 != 0 {
        let cid = r.take(8)?;
        let version = r.u32()?;
        if version & 0xffff_0000 == 0x5130_0000 {
            return Some(QuicHeader {
                version,
                dcid: cid,
                packet_type: 0,
                gquic: true,
            });
        }
    }
    None
}

/// A QUIC variable-length integer (RFC 9000 §16).
fn varint(r: &mut Reader<'_>) -> Option<u64> {
    let first = r.u8()?;
    let len = 1usize << (first >> 6);
    let mut v = u64::from(first & 0x3f);
    for _ in 1..len {
        v = (v << 8) | u64::from(r.u8()?);
    }
    Some(v)
}

fn initial_salt(version: u32) -> Option<&'static [u8; 20]> {
    match version {
        1 => Some(&[
            0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
            0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
        ]),
        0x6b33_43cf => Some(&[
            0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
            0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
        ]),
        0xff00_001d..=0xff00_0020 => Some(&[
            0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
            0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
        ]),
        _ => None,
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
fn expand_label(secret: &[u8], label: &str, out: &mut [u8]) -> Option<()> {
    let hk = Hkdf::<Sha256>::from_prk(secret).ok()?;
    let full = 6usize.checked_add(label.len())?;
    let mut info = Vec::with_capacity(4 + full);
    info.extend_from_slice(&u16::try_from(out.len()).ok()?.to_be_bytes());
    info.push(u8::try_from(full).ok()?);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label.as_bytes());
    info.push(0);
    hk.expand(&info, out).ok()
}

/// Decrypts the first (client) Initial packet of a datagram and returns its plaintext
/// frames. `None` if the datagram is not a QUIC Initial of a version weir knows the
/// salt of, or if authentication fails (e.g. it is a server Initial).
///
/// # Panics
/// Never.
pub fn decrypt_client_initial(p: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader::new(p);
    let first = r.u8()?;
    if first & 0x80 == 0 {
        return None;
    }
    let version = r.u32()?;
    let salt = initial_salt(version)?;
    let v2 = version == 0x6b33_43cf;
    let ptype = (first >> 4) & 3;
    if ptype != if v2 { 1 } else { 0 } {
        return None;
    }
    let dcid = r.vec8()?;
    let _scid = r.vec8()?;
    let token_len = usize::try_from(varint(&mut r)?).ok()?;
    r.skip(token_len)?;
    let length = usize::try_from(varint(&mut r)?).ok()?;
    let pn_offset = r.pos();
    let packet_end = pn_offset.checked_add(length)?;
    let packet = p.get(..packet_end)?;
    let (label_key, label_iv, label_hp) = if v2 {
        ("quicv2 key", "quicv2 iv", "quicv2 hp")
    } else {
        ("quic key", "quic iv", "quic hp")
    };
    let (initial, _) = Hkdf::<Sha256>::extract(Some(salt), dcid);
    let mut client = [0u8; 32];
    expand_label(&initial, "client in", &mut client)?;
    let mut key = [0u8; 16];
    let mut iv = [0u8; 12];
    let mut hp = [0u8; 16];
    expand_label(&client, label_key, &mut key)?;
    expand_label(&client, label_iv, &mut iv)?;
    expand_label(&client, label_hp, &mut hp)?;
    // Header protection (RFC 9001 §5.4): the sample starts 4 bytes after the packet number.
    let sample: [u8; 16] = packet
        .get(pn_offset.checked_add(4)?..pn_offset.checked_add(20)?)?
        .try_into()
        .ok()?;
    let aes = Aes128::new_from_slice(&hp).ok()?;
    let mut block = aes::Block::from(sample);
    aes.encrypt_block(&mut block);
    let mask = block.as_slice();
    let first_plain = first ^ (mask.first()? & 0x0f);
    let pn_len = usize::from(first_plain & 3) + 1;
    let mut header = packet.get(..pn_offset.checked_add(pn_len)?)?.to_vec();
    if let Some(b) = header.first_mut() {
        *b = first_plain;
    }
    let mut pn: u64 = 0;
    for i in 0..pn_len {
        let at = pn_offset + i;
        let m = mask.get(1 + i).copied()?;
        let b = header.get_mut(at)?;
        *b ^= m;
        pn = (pn << 8) | u64::from(*b);
    }
    let mut nonce = iv;
    for (i, b) in pn.to_be_bytes().iter().enumerate() {
        if let Some(n) = nonce.get_mut(4 + i) {
            *n ^= b;
        }
    }
    let ciphertext = packet.get(pn_offset + pn_len..)?;
    let gcm = Aes128Gcm::new_from_slice(&key).ok()?;
    gcm.decrypt(
        &nonce.into(),
        Payload {
            msg: ciphertext,
            aad: &header,
        },
    )
    .ok()
}

/// Walks the frames of a decrypted Initial and calls `f(offset, data)` for each CRYPTO
/// frame (at most [`MAX_FRAMES`] frames looked at).
pub fn crypto_frames(plain: &[u8], mut f: impl FnMut(u64, &[u8])) {
    let mut r = Reader::new(plain);
    for _ in 0..MAX_FRAMES {
        let Some(ty) = varint(&mut r) else { return };
        match ty {
            0x00 | 0x01 => {}
            0x02 | 0x03 => {
                // ACK: largest, delay, range count, first range, ranges (+ ECN counts).
                let (Some(_), Some(_), Some(n), Some(_)) = (
                    varint(&mut r),
                    varint(&mut r),
                    varint(&mut r),
                    varint(&mut r),
                ) else {
                    return;
                };
                for _ in 0..n.min(64) {
                    if varint(&mut r).is_none() || varint(&mut r).is_none() {
                        return;
                    }
                }
                if ty == 0x03 {
                    for _ in 0..3 {
                        if varint(&mut r).is_none() {
                            return;
                        }
                    }
                }
            }
            0x06 => {
                let (Some(off), Some(len)) = (varint(&mut r), varint(&mut r)) else {
                    return;
                };
                let Some(data) = usize::try_from(len).ok().and_then(|l| r.take(l)) else {
                    return;
                };
                f(off, data);
            }
            0x1c | 0x1d => return,
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as hex;

    #[test]
    fn v1_initial_and_gquic() {
        let mut p = vec![0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0];
        p.resize(1200, 0);
        let h = parse_header(&p).unwrap();
        assert_eq!(
            (h.version, h.packet_type, h.dcid.len(), h.gquic),
            (1, 0, 8, false)
        );
        let mut g = vec![0x0d, 1, 2, 3, 4, 5, 6, 7, 8, b'Q', b'0', b'4', b'3'];
        g.resize(100, 0);
        assert!(parse_header(&g).unwrap().gquic);
        assert!(parse_header(&[0xc3, 0x12, 0x34, 0x56, 0x78]).is_none());
        assert!(parse_header(&[]).is_none());
    }

    /// A client Initial with the reserved version 0x0a0a0a0a (forcing version
    /// negotiation, as interop test clients do), and the server's Version Negotiation
    /// answer listing draft-29/28/27.
    #[test]
    fn reserved_version_and_negotiation() {
        let mut init =
            hex("cb0a0a0a0a08521d58ba10ea7320000044d285c67b53ad66debde928349930095190490c5fc2016a");
        init.resize(1252, 0);
        let h = parse_header(&init).unwrap();
        assert_eq!((h.version, h.dcid.len(), h.gquic), (0x0a0a_0a0a, 8, false));
        let vn = hex("e00000000000086b0c0037f0e83092ff00001dff00001cff00001b");
        let h = parse_header(&vn).unwrap();
        assert_eq!((h.version, h.dcid.len()), (0, 0));
        // The list must hold a real version and whole 32-bit entries.
        assert!(parse_header(&hex("e00000000000086b0c0037f0e830920a0a0a0a")).is_none());
        assert!(parse_header(&hex("e00000000000086b0c0037f0e83092ff00001dff")).is_none());
        assert!(parse_header(&hex("e00000000000086b0c0037f0e83092")).is_none());
    }

    /// RFC 9001 Appendix A.2: the client Initial, decrypted, starts with a CRYPTO
    /// frame holding the ClientHello.
    #[test]
    fn rfc9001_client_initial() {
        let hex = "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f3991c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df621230c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c2084dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663ac69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009ddc324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450efc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e72404790a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f440591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f0940054da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd46840647e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let plain = decrypt_client_initial(&bytes).expect("decrypts");
        let mut crypto = Vec::new();
        crypto_frames(&plain, |off, data| {
            assert_eq!(off, 0);
            crypto.extend_from_slice(data);
        });
        assert_eq!(crypto.first(), Some(&1), "a ClientHello");
        assert!(decrypt_client_initial(&bytes[..100]).is_none());
    }
}
