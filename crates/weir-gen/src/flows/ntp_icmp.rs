//! NTP client/server exchanges and ICMP / ICMPv6 echo flows.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rand::Rng;

use crate::app;
use crate::frame::{self, L4Spec};
use crate::net::{self, Os};
use crate::rng::GenRng;

use super::{ListBuilder, NewFlow, endpoints, ephemeral, pick, pick_client};

pub(super) fn ntp_flow(rng: &mut GenRng, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let &(sip, stratum, ref_id, rtt, ttl) = pick(rng, net::NTP_SERVERS);
    let c_port = if matches!(client.os, Os::Linux | Os::Windows) && rng.random_bool(0.5) {
        123
    } else {
        ephemeral(rng, client.os)
    };
    let ep = endpoints(rng, client, IpAddr::V4(sip), 123, ttl, c_port);
    let mut lb = ListBuilder::new(rng, &ep, frame::MIN_FRAME_LEN);
    let polls = if rng.random_bool(0.2) { 4 } else { 1 };
    let mut t = start;
    for _ in 0..polls {
        let rtt = u64::from(rtt) * rng.random_range(90..130) / 100;
        lb.udp(t, true, &app::ntp_client(t + rng.random_range(0..50)));
        let rx = t + rtt / 2;
        let tx = rx + rng.random_range(5..40);
        lb.udp(
            t + rtt + 40,
            false,
            &app::ntp_server(t, rx, tx, stratum, ref_id),
        );
        t += 2_000_000 + rng.random_range(0..10_000);
    }
    NewFlow {
        kind: "ntp",
        source: lb.finish(),
        count: 1,
    }
}

pub(super) fn icmp_flow(rng: &mut GenRng, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let targets: [(IpAddr, u32, u8); 6] = [
        (IpAddr::V4(net::GW_IP4), 500, 64),
        (IpAddr::V4(Ipv4Addr::new(8, 8, 8, 8)), 11_000, 117),
        (IpAddr::V4(Ipv4Addr::new(1, 1, 1, 1)), 7_000, 58),
        (IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 48_000, 52),
        (
            IpAddr::V6(Ipv6Addr::new(0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888)),
            11_500,
            117,
        ),
        (IpAddr::V6(net::GW_IP6), 500, 64),
    ];
    let mut ti = rng.random_range(0..targets.len());
    if targets[ti].0.is_ipv6() && client.ip6.is_none() {
        ti -= 3;
    }
    let (tip, rtt, ttl) = targets[ti];
    let v6 = tip.is_ipv6();
    let ep = endpoints(rng, client, tip, 0, ttl, 0);
    let mut lb = ListBuilder::new(rng, &ep, frame::MIN_FRAME_LEN);
    let (req_t, rep_t) = if v6 { (128, 129) } else { (8, 0) };
    let windows = client.os == Os::Windows;
    let id: u16 = if windows { 1 } else { rng.random() };
    let big = !v6 && rng.random_bool(0.05);
    let count = rng.random_range(1..6u16);
    let mut seq: u16 = if windows { rng.random_range(1..400) } else { 1 };
    let mut t = start;
    for _ in 0..count {
        let payload: Vec<u8> = if big {
            (0..3000u32).map(|i| (i % 256) as u8).collect()
        } else if windows {
            b"abcdefghijklmnopqrstuvwabcdefghi".to_vec()
        } else {
            let mut p = Vec::with_capacity(56);
            p.extend_from_slice(&(t / 1_000_000).to_le_bytes());
            p.extend_from_slice(&(t % 1_000_000).to_le_bytes());
            p.extend((0x10u8..0x38).take(40));
            p
        };
        let rtt = u64::from(rtt) * rng.random_range(90..130) / 100;
        for (from_client, ty, ts) in [(true, req_t, t), (false, rep_t, t + rtt)] {
            let l4 = L4Spec::Icmp {
                icmp_type: ty,
                code: 0,
                id,
                seq,
            };
            if big {
                let spec = lb.spec(from_client, l4, &payload);
                for (k, f) in frame::ipv4_fragments(&spec, 1480).into_iter().enumerate() {
                    lb.pkts.push_back((ts + k as u64 * 3, f));
                }
            } else {
                lb.push(ts, from_client, l4, &payload, !windows);
            }
        }
        seq = seq.wrapping_add(1);
        t += 1_000_000 + rng.random_range(0..3000);
    }
    NewFlow {
        kind: "icmp",
        source: lb.finish(),
        count: 1,
    }
}
