//! Network-condition scenarios: traffic that is not an attack but that a monitor
//! should point out. They feed the built-in network plugins (`plugins/`): their
//! test cases and the demo.
//!
//! | name | what |
//! | --- | --- |
//! | `transit` | 198.51.100.180 and 203.0.113.90, two remote hosts, talk TLS-sized TCP through the monitored link: four sessions spread over the capture |
//! | `ghost_network` | 169.254.77.12, a host that fell back to a link-local address, asks the router (192.168.1.1) for DNS every 20 s and is never answered |
//! | `dead_dns` | 192.168.1.120 asks 192.168.1.253, a resolver that is down, every 10 s (each query retried twice, one second apart) |
//! | `lossy_link` | three uploads and downloads by 192.168.1.25 to 198.51.100.40:443 over a bad link: about one client segment in eight retransmitted, one server segment in seven out of order |
//! | `long_session` | 192.168.1.23 keeps an SSH session to the NAS (192.168.1.5) open for 95% of the capture, a keystroke burst every 15–25 s |

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};

use rand::Rng;

use crate::app;
use crate::flows::{FlowGen, NewFlow};
use crate::frame::{self, L4Spec};
use crate::net;
use crate::rng::GenRng;
use crate::tcp::{Body, Close, Endpoints, Msg, TcpParams, TcpSession};

/// A network-condition scenario flow (or group of flows) to start.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NetStart {
    Transit,
    Ghost { span_us: u64 },
    DeadDns { span_us: u64 },
    Lossy,
    LongSession { span_us: u64 },
}

/// Which scenarios are on: `transit`, `ghost_network`, `dead_dns`, `lossy_link`,
/// `long_session`.
pub(crate) struct NetFlags {
    pub transit: bool,
    pub ghost_network: bool,
    pub dead_dns: bool,
    pub lossy_link: bool,
    pub long_session: bool,
}

/// Start times of the enabled scenarios over a capture starting at `start` (µs) and
/// lasting `dur` µs.
pub(crate) fn plan(f: &NetFlags, start: u64, dur: u64, rng: &mut GenRng) -> Vec<(u64, NetStart)> {
    let mut p = Vec::new();
    if f.transit {
        for i in 0..4u64 {
            let slot = dur / 4;
            p.push((
                start + i * slot + rng.random_range(0..slot.max(1)),
                NetStart::Transit,
            ));
        }
    }
    if f.ghost_network {
        p.push((
            start + dur / 20,
            NetStart::Ghost {
                span_us: dur * 9 / 10,
            },
        ));
    }
    if f.dead_dns {
        p.push((
            start + dur / 10,
            NetStart::DeadDns {
                span_us: dur * 8 / 10,
            },
        ));
    }
    if f.lossy_link {
        for i in 0..3u64 {
            p.push((start + dur * (2 + 3 * i) / 10, NetStart::Lossy));
        }
    }
    if f.long_session {
        p.push((
            start + dur / 50,
            NetStart::LongSession {
                span_us: dur * 95 / 100,
            },
        ));
    }
    p
}

/// The flows of one planned start.
pub(crate) fn start(s: NetStart, rng: &mut GenRng, ts: u64) -> NewFlow {
    match s {
        NetStart::Transit => transit(rng, ts),
        NetStart::Ghost { span_us } => unanswered_dns(
            rng,
            ts,
            span_us,
            (
                Ipv4Addr::new(169, 254, 77, 12),
                [0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e],
            ),
            (net::GW_IP4, net::GW_MAC),
            20_000_000,
            1,
            "ghost_network",
        ),
        NetStart::DeadDns { span_us } => unanswered_dns(
            rng,
            ts,
            span_us,
            (
                Ipv4Addr::new(192, 168, 1, 120),
                [0x70, 0xb3, 0xd5, 0x01, 0x01, 0x20],
            ),
            (
                Ipv4Addr::new(192, 168, 1, 253),
                [0x00, 0x1b, 0x21, 0x0a, 0x0b, 0xfd],
            ),
            10_000_000,
            3,
            "dead_dns",
        ),
        NetStart::Lossy => lossy(rng, ts),
        NetStart::LongSession { span_us } => long_session(rng, ts, span_us),
    }
}

fn endpoints(
    c: (IpAddr, [u8; 6], u8),
    s: (IpAddr, [u8; 6], u8),
    c_port: u16,
    s_port: u16,
) -> Endpoints {
    Endpoints {
        c_mac: c.1,
        s_mac: s.1,
        vlans: Vec::new(),
        c_ip: c.0,
        s_ip: s.0,
        c_port,
        s_port,
        c_ttl: c.2,
        s_ttl: s.2,
        c_flow_label: 0,
        s_flow_label: 0,
    }
}

fn params(rng: &mut GenRng, rtt_us: u64, loss: f64, reorder: f64, bytes_per_ms: u64) -> TcpParams {
    TcpParams {
        mss_c: 1460,
        mss_s: 1460,
        wscale: Some((8, 7)),
        sack: true,
        timestamps: true,
        c_syn_window: 64240,
        s_syn_window: 65160,
        c_window: 262_144,
        s_window: 1 << 18,
        rtt_us,
        bytes_per_ms,
        loss_prob: loss,
        reorder_prob: reorder,
        close: Close::Fin { by_client: true },
        close_after_us: rng.random_range(50_000..500_000),
        fixed_seg: None,
        no_options: false,
        pad_to: frame::MIN_FRAME_LEN,
        cwnd_max: 32,
    }
}

fn tcp(ep: Endpoints, p: TcpParams, msgs: Vec<Msg>, start: u64, rng: &mut GenRng) -> FlowGen {
    let sub = GenRng::new(rng.random());
    FlowGen::Tcp(Box::new(TcpSession::new(ep, p, msgs, start, sub)))
}

/// A request/response exchange of opaque (encrypted-looking) records.
fn records(rng: &mut GenRng, rounds: usize, up: (u64, u64), down: (u64, u64)) -> Vec<Msg> {
    let mut v = Vec::new();
    for _ in 0..rounds {
        let n = rng.random_range(up.0..=up.1);
        let salt = rng.random();
        v.push(
            Msg::new(true, Vec::new(), rng.random_range(1_000..200_000))
                .with_body(Body::Binary { salt }, n),
        );
        let n = rng.random_range(down.0..=down.1);
        let salt = rng.random();
        v.push(
            Msg::new(false, Vec::new(), rng.random_range(500..20_000))
                .with_body(Body::Binary { salt }, n),
        );
    }
    v
}

fn transit(rng: &mut GenRng, ts: u64) -> NewFlow {
    let ep = endpoints(
        (
            IpAddr::V4(Ipv4Addr::new(198, 51, 100, 180)),
            [0x00, 0x1c, 0x73, 0x10, 0x20, 0x30],
            61,
        ),
        (IpAddr::V4(Ipv4Addr::new(203, 0, 113, 90)), net::GW_MAC, 57),
        rng.random_range(32_768..60_999),
        443,
    );
    let p = params(rng, 42_000, 0.0, 0.0, 37_500);
    let rounds = rng.random_range(3..8);
    let msgs = records(rng, rounds, (200, 1_500), (2_000, 40_000));
    NewFlow {
        kind: "transit",
        source: tcp(ep, p, msgs, ts, rng),
        count: 1,
    }
}

fn lossy(rng: &mut GenRng, ts: u64) -> NewFlow {
    let client = &net::clients()[5];
    let ep = endpoints(
        (IpAddr::V4(client.ip4), client.mac, client.os.ttl()),
        (IpAddr::V4(Ipv4Addr::new(198, 51, 100, 40)), net::GW_MAC, 50),
        rng.random_range(49_152..65_000),
        443,
    );
    // Small rounds, each likely to lose one client segment (retransmitted) or to
    // deliver two server segments swapped (out of order).
    let mut p = params(rng, 90_000, 0.5, 0.6, 6_250);
    p.cwnd_max = 4;
    let msgs = records(rng, 2, (60_000, 120_000), (40_000, 90_000));
    NewFlow {
        kind: "lossy_link",
        source: tcp(ep, p, msgs, ts, rng),
        count: 1,
    }
}

fn long_session(rng: &mut GenRng, ts: u64, span_us: u64) -> NewFlow {
    let client = &net::clients()[3];
    let ep = endpoints(
        (IpAddr::V4(client.ip4), client.mac, client.os.ttl()),
        (IpAddr::V4(net::NAS_IP4), net::NAS_MAC, 64),
        rng.random_range(49_152..65_000),
        22,
    );
    let p = params(rng, 400, 0.0, 0.0, 125_000);
    let mut msgs = vec![
        Msg::new(true, b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(), 2_000),
        Msg::new(
            false,
            b"SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11\r\n".to_vec(),
            1_000,
        ),
    ];
    let mut t = 0u64;
    while t < span_us {
        let think = rng.random_range(15_000_000..25_000_000u64);
        t += think;
        let salt = rng.random();
        msgs.push(
            Msg::new(true, Vec::new(), think)
                .with_body(Body::Binary { salt }, 36 * rng.random_range(1..6)),
        );
        let salt = rng.random();
        msgs.push(
            Msg::new(false, Vec::new(), 2_000)
                .with_body(Body::Binary { salt }, rng.random_range(36..1_400)),
        );
    }
    NewFlow {
        kind: "long_session",
        source: tcp(ep, p, msgs, ts, rng),
        count: 1,
    }
}

/// DNS queries from `c` to `s` every `every_us` during `span_us`, each sent `tries`
/// times one second apart from one source port, none answered.
#[allow(clippy::too_many_arguments)]
fn unanswered_dns(
    rng: &mut GenRng,
    ts: u64,
    span_us: u64,
    c: (Ipv4Addr, [u8; 6]),
    s: (Ipv4Addr, [u8; 6]),
    every_us: u64,
    tries: u64,
    kind: &'static str,
) -> NewFlow {
    const NAMES: [&str; 4] = [
        "time.windows.com",
        "connectivity-check.example.net",
        "update.example-vendor.com",
        "wpad.home.arpa",
    ];
    let mut pkts = VecDeque::new();
    let mut count = 0;
    let mut t = ts;
    let mut out = Vec::new();
    while t < ts + span_us {
        let ep = endpoints(
            (IpAddr::V4(c.0), c.1, 64),
            (IpAddr::V4(s.0), s.1, 64),
            rng.random_range(49_152..65_000),
            53,
        );
        let id: u16 = rng.random();
        let name = NAMES[rng.random_range(0..NAMES.len())];
        let q = app::dns_query(id, name, app::DNS_TYPE_A);
        for k in 0..tries {
            let h = ep.headers(
                true,
                L4Spec::Udp {
                    src_port: ep.c_port,
                    dst_port: 53,
                },
                id.wrapping_add(k as u16),
                false,
            );
            frame::write_frame(&mut out, &h, &q, frame::MIN_FRAME_LEN);
            pkts.push_back((t + k * 1_000_000, out.clone()));
        }
        count += 1;
        t += every_us + rng.random_range(0..every_us / 10);
    }
    NewFlow {
        kind,
        source: FlowGen::List(pkts),
        count,
    }
}
