//! SSH (RFC 4253): identification banners and the KEXINIT message, for HASSH.

use md5::{Digest, Md5};

use super::Reader;

/// Most name-lists bytes considered per KEXINIT.
pub const MAX_KEXINIT: usize = 1 << 16;

/// The banner (`SSH-2.0-OpenSSH_8.9`) without its line end, if `p` starts with one.
pub fn banner(p: &[u8]) -> Option<&[u8]> {
    if !p.starts_with(b"SSH-") {
        return None;
    }
    let end = p
        .iter()
        .take(255)
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(p.len().min(255));
    p.get(..end)
}

/// Algorithm lists of a KEXINIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KexInit<'a> {
    /// kex_algorithms.
    pub kex: &'a [u8],
    /// server_host_key_algorithms.
    pub host_key: &'a [u8],
    /// encryption client→server, server→client.
    pub enc: [&'a [u8]; 2],
    /// mac client→server, server→client.
    pub mac: [&'a [u8]; 2],
    /// compression client→server, server→client.
    pub comp: [&'a [u8]; 2],
}

/// Parses an SSH binary packet carrying KEXINIT (message 20), in clear before NEWKEYS.
pub fn parse_kexinit(p: &[u8]) -> Option<KexInit<'_>> {
    let mut r = Reader::new(p);
    let _len = r.u32()?;
    let _pad = r.u8()?;
    if r.u8()? != 20 {
        return None;
    }
    r.skip(16)?;
    let mut list = || -> Option<&[u8]> {
        let n = r.u32()? as usize;
        if n > MAX_KEXINIT {
            return None;
        }
        r.take(n)
    };
    let kex = list()?;
    let host_key = list()?;
    let enc_cs = list()?;
    let enc_sc = list()?;
    let mac_cs = list()?;
    let mac_sc = list()?;
    let comp_cs = list()?;
    let comp_sc = list()?;
    Some(KexInit {
        kex,
        host_key,
        enc: [enc_cs, enc_sc],
        mac: [mac_cs, mac_sc],
        comp: [comp_cs, comp_sc],
    })
}

/// HASSH (client) or HASSHServer: MD5 of `kex;enc;mac;comp` for the sender's direction.
pub fn hassh(k: &KexInit<'_>, client: bool) -> [u8; 16] {
    let i = usize::from(!client);
    let mut h = Md5::new();
    h.update(k.kex);
    h.update(b";");
    h.update(k.enc.get(i).copied().unwrap_or_default());
    h.update(b";");
    h.update(k.mac.get(i).copied().unwrap_or_default());
    h.update(b";");
    h.update(k.comp.get(i).copied().unwrap_or_default());
    let mut d = [0u8; 16];
    d.copy_from_slice(h.finalize().as_slice());
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_and_kexinit() {
        assert_eq!(
            banner(b"SSH-2.0-OpenSSH_8.9\r\n"),
            Some(&b"SSH-2.0-OpenSSH_8.9"[..])
        );
        assert_eq!(banner(b"HTTP/1.1"), None);
        let mut body = vec![20u8];
        body.extend_from_slice(&[0; 16]);
        for l in [
            "curve25519-sha256",
            "ssh-ed25519",
            "aes128-ctr",
            "aes128-ctr",
            "hmac-sha2-256",
            "hmac-sha2-256",
            "none",
            "none",
            "",
            "",
        ] {
            body.extend_from_slice(&(l.len() as u32).to_be_bytes());
            body.extend_from_slice(l.as_bytes());
        }
        body.extend_from_slice(&[0, 0, 0, 0, 0]);
        let mut p = ((body.len() + 1 + 4) as u32).to_be_bytes().to_vec();
        p.push(4);
        p.extend_from_slice(&body);
        p.extend_from_slice(&[0; 4]);
        let k = parse_kexinit(&p).unwrap();
        assert_eq!(k.kex, b"curve25519-sha256");
        let want: [u8; 16] = Md5::digest(b"curve25519-sha256;aes128-ctr;hmac-sha2-256;none").into();
        assert_eq!(hassh(&k, true), want);
        assert!(parse_kexinit(&p[..20]).is_none());
    }
}
