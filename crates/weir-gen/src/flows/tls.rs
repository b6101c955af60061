//! TLS flows: handshake and application data, and the heavy-hitter upload.

use std::net::IpAddr;

use rand::Rng;

use crate::app::{self, TlsVersion};
use crate::net::{self, Client, Os};
use crate::rng::GenRng;
use crate::tcp::{Body, Msg};

use super::{
    Ctx, FlowGen, NewFlow, log_uniform, pick, pick_client, random_bytes, server_ip, session,
    transfer_size,
};

/// The handshake and application-data messages of a TLS session; `upload` makes the client
/// send that many bytes in its first request.
pub(crate) fn tls_msgs(
    rng: &mut GenRng,
    client: &Client,
    sni: &str,
    upload: Option<u64>,
    small: bool,
) -> Vec<Msg> {
    let browser = !matches!(client.os, Os::Linux) || rng.random_bool(0.5);
    let version = if rng.random_bool(0.72) {
        TlsVersion::Tls13
    } else {
        TlsVersion::Tls12
    };
    let suites = if version == TlsVersion::Tls12 && rng.random_bool(0.5) {
        app::LEGACY_CIPHER_SUITES
    } else {
        app::BROWSER_CIPHER_SUITES
    };
    let alpn: &[&str] = if browser {
        &["h2", "http/1.1"]
    } else if rng.random_bool(0.5) {
        &["http/1.1"]
    } else {
        &[]
    };
    let ch = app::tls_client_hello(version, Some(sni), alpn, suites, rng);
    let sid_len = ch[43] as usize;
    let sid = if sid_len > 0 {
        ch[44..44 + sid_len].to_vec()
    } else {
        random_bytes(rng, 32)
    };
    let (cipher, rec) = match version {
        TlsVersion::Tls13 => (*pick(rng, &[0x1301u16, 0x1302, 0x1303]), 16_401u32),
        TlsVersion::Tls12 => (*pick(rng, &[0xc02fu16, 0xc02b, 0xc030]), 16_408u32),
    };
    let sh = app::tls_server_hello(version, cipher, &sid, rng);
    let mut msgs = Vec::new();
    msgs.push(Msg::new(true, ch, rng.random_range(20..200)));
    let mut s1 = sh;
    s1.extend_from_slice(&app::tls_change_cipher_spec());
    let mut c2 = app::tls_change_cipher_spec();
    let think_s = log_uniform(rng, 300, 20_000);
    match version {
        TlsVersion::Tls13 => {
            // EncryptedExtensions, Certificate, CertificateVerify, Finished.
            let n = if small {
                rng.random_range(200..400)
            } else {
                rng.random_range(2400..4800)
            };
            s1.extend_from_slice(&app::tls_record(23, &random_bytes(rng, n)));
            c2.extend_from_slice(&app::tls_record(23, &random_bytes(rng, 53)));
        }
        TlsVersion::Tls12 => {
            // Abbreviated handshake: the session is resumed.
            s1.extend_from_slice(&app::tls_record(22, &random_bytes(rng, 40)));
            c2.extend_from_slice(&app::tls_record(22, &random_bytes(rng, 40)));
        }
    }
    msgs.push(Msg::new(false, s1, think_s));
    let first_req = match upload {
        Some(n) => n,
        None if small => rng.random_range(40..200),
        None => rng.random_range(60..700),
    };
    let (b, l) = Body::tls(rng.random(), rec, first_req);
    msgs.push(Msg::new(true, c2, rng.random_range(50..500)).with_body(b, l));
    let exchanges = if upload.is_some() || rng.random_bool(0.6) {
        1
    } else {
        rng.random_range(2..7)
    };
    for i in 0..exchanges {
        if i > 0 {
            let n = if small {
                rng.random_range(40..200)
            } else {
                rng.random_range(40..1500)
            };
            let (b, l) = Body::tls(rng.random(), rec, n);
            msgs.push(
                Msg::new(true, Vec::new(), log_uniform(rng, 1_000, 2_000_000)).with_body(b, l),
            );
        }
        let mut head = Vec::new();
        if i == 0 && version == TlsVersion::Tls13 && !small {
            // Two NewSessionTicket messages.
            for _ in 0..2 {
                head.extend_from_slice(&app::tls_record(23, &random_bytes(rng, 281)));
            }
        }
        let n = if small {
            rng.random_range(40..600)
        } else if upload.is_some() {
            rng.random_range(60..400)
        } else {
            transfer_size(rng)
        };
        let (b, l) = Body::tls(rng.random(), rec, n);
        msgs.push(Msg::new(false, head, log_uniform(rng, 300, 80_000)).with_body(b, l));
    }
    msgs
}

pub(super) fn tls_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let site = if ctx.small {
        &net::TLS_SITES[rng.random_range(0..4)]
    } else {
        pick(rng, net::TLS_SITES)
    };
    let msgs = tls_msgs(rng, client, site.name, None, ctx.small);
    let s_ip = if ctx.small {
        IpAddr::V4(site.ip4())
    } else {
        server_ip(rng, client, site, 0.35)
    };
    let source = session(
        rng,
        ctx,
        client,
        s_ip,
        443,
        site.ttl,
        site.mss,
        u64::from(site.rtt_us),
        msgs,
        start,
    );
    NewFlow {
        kind: "tls",
        source,
        count: 1,
    }
}

/// A large upload from the heavy-hitter host.
pub(crate) fn heavy_upload(rng: &mut GenRng, start: u64, bytes: u64) -> NewFlow {
    let ctx = Ctx { small: false };
    let client = &net::clients()[net::HEAVY_HITTER];
    let site = &net::BACKUP_SITE;
    let msgs = tls_msgs(rng, client, site.name, Some(bytes), false);
    let mut source = session(
        rng,
        &ctx,
        client,
        IpAddr::V4(site.ip4()),
        443,
        site.ttl,
        site.mss,
        u64::from(site.rtt_us),
        msgs,
        start,
    );
    if let FlowGen::Tcp(t) = &mut source {
        t.set_fast();
    }
    NewFlow {
        kind: "heavy_hitter",
        source,
        count: 1,
    }
}
