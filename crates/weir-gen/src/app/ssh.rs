//! SSH banners and binary packets: KEXINIT, ECDH key exchange, NEWKEYS.

use rand::Rng;

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
