//! SSH sessions (banners, key exchange, encrypted packets) and SMTP deliveries.

use std::net::{IpAddr, Ipv4Addr};

use rand::Rng;

use crate::app;
use crate::net::{self, Client, Os};
use crate::rng::GenRng;
use crate::tcp::Msg;

use super::{Ctx, NewFlow, log_uniform, pick, pick_client, random_bytes, session, words};

fn ssh_msgs(rng: &mut GenRng, client: &Client, software: &str) -> Vec<Msg> {
    let csoft = match client.os {
        Os::Windows => "OpenSSH_for_Windows_9.5",
        Os::Mac => "OpenSSH_9.8",
        _ => "OpenSSH_9.6p1 Ubuntu-3ubuntu13.5",
    };
    let mut msgs = vec![
        Msg::new(
            false,
            app::ssh_banner(software),
            rng.random_range(300..3000),
        ),
        Msg::new(true, app::ssh_banner(csoft), rng.random_range(50..400)),
        Msg::new(true, app::ssh_kexinit(true, rng), rng.random_range(20..200)),
        Msg::new(
            false,
            app::ssh_kexinit(false, rng),
            rng.random_range(50..500),
        ),
        Msg::new(
            true,
            app::ssh_kex_ecdh_init(rng),
            rng.random_range(100..800),
        ),
    ];
    let mut reply = app::ssh_kex_ecdh_reply(app::SshHostKey::Rsa, rng);
    reply.extend_from_slice(&app::ssh_newkeys(rng));
    msgs.push(Msg::new(false, reply, rng.random_range(500..4000)));
    let mut nk = app::ssh_newkeys(rng);
    nk.extend_from_slice(&random_bytes(rng, 44));
    msgs.push(Msg::new(true, nk, rng.random_range(100..900)));
    msgs.push(Msg::new(
        false,
        random_bytes(rng, 44),
        rng.random_range(200..2000),
    ));
    // User authentication.
    msgs.push(Msg::new(
        true,
        random_bytes(rng, 100),
        rng.random_range(200..2000),
    ));
    msgs.push(Msg::new(
        false,
        random_bytes(rng, 36),
        rng.random_range(2000..30_000),
    ));
    // Interactive session: keystrokes and their output. Each encrypted SSH packet fits in
    // one TCP segment (Wireshark cannot delimit encrypted packets split across segments).
    for _ in 0..rng.random_range(2..25) {
        let c = rng.random_range(36..120);
        msgs.push(Msg::new(
            true,
            random_bytes(rng, c),
            log_uniform(rng, 50_000, 2_000_000),
        ));
        let mut out: usize = if rng.random_bool(0.2) {
            log_uniform(rng, 200, 20_000) as usize
        } else {
            rng.random_range(36..200)
        };
        let mut think = rng.random_range(500..20_000);
        let chunks = out.div_ceil(1200);
        for i in 0..chunks {
            let n = if i + 1 == chunks {
                out
            } else {
                out / (chunks - i)
            };
            msgs.push(Msg::new(false, random_bytes(rng, n), think));
            out -= n;
            think = rng.random_range(30..300);
        }
    }
    msgs
}

pub(super) fn ssh_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let &(sip, software, rtt, ttl) = pick(rng, net::SSH_SERVERS);
    let msgs = ssh_msgs(rng, client, software);
    let source = session(
        rng,
        ctx,
        client,
        IpAddr::V4(sip),
        22,
        ttl,
        1460,
        u64::from(rtt),
        msgs,
        start,
    );
    NewFlow {
        kind: "ssh",
        source,
        count: 1,
    }
}

pub(super) fn smtp_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let host = "mail.example.net";
    let mut msgs = vec![
        Msg::new(false, app::smtp_banner(host), rng.random_range(500..5000)),
        Msg::new(
            true,
            app::smtp_ehlo(&client.name),
            rng.random_range(100..800),
        ),
        Msg::new(
            false,
            app::smtp_ehlo_reply(host),
            rng.random_range(100..800),
        ),
    ];
    let lines = log_uniform(rng, 3, 400) as usize;
    let subject = format!("Report {} {}", words(rng), rng.random_range(1..1000));
    for (c, s) in app::smtp_transaction(
        &format!("{}@home.example", client.name.to_lowercase()),
        "alerts@example.net",
        &subject,
        lines,
    ) {
        msgs.push(Msg::new(true, c, rng.random_range(50..500)));
        msgs.push(Msg::new(false, s, rng.random_range(200..5000)));
    }
    let source = session(
        rng,
        ctx,
        client,
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, 25)),
        25,
        53,
        1460,
        36_000,
        msgs,
        start,
    );
    NewFlow {
        kind: "smtp",
        source,
        count: 1,
    }
}
