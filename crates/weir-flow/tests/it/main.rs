//! Integration tests of the flow engine: visitor semantics, table bounds, detection on
//! generated traffic, and properties (key symmetry, counter conservation).

use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use weir_decode::capture::CaptureReader;
use weir_decode::l4::tcp_flags::{ACK, FIN, PSH, SYN};
use weir_decode::{LinkType, Timestamp, decode};
use weir_flow::{
    Consumer, EndReason, Engine, EngineConfig, EventMode, Flow, FlowKey, Host, NoopConsumer, Proto,
    Tick,
};
use weir_gen::frame::{FrameSpec, IpSpec, L4Spec, TcpSpec, build};

const T0: u64 = 1_700_000_000_000_000;
const SEC: u64 = 1_000_000;

fn v4(src: [u8; 4], dst: [u8; 4]) -> IpSpec {
    IpSpec::V4 {
        src: Ipv4Addr::from(src),
        dst: Ipv4Addr::from(dst),
        ttl: 64,
        id: 1,
        dont_fragment: false,
    }
}

fn udp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8]) -> Vec<u8> {
    build(&FrameSpec {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        vlans: vec![],
        ip: v4(src, dst),
        l4: L4Spec::Udp {
            src_port: sport,
            dst_port: dport,
        },
        payload: payload.to_vec(),
    })
}

fn tcp(
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    seq: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    build(&FrameSpec {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        vlans: vec![],
        ip: v4(src, dst),
        l4: L4Spec::Tcp(TcpSpec {
            src_port: sport,
            dst_port: dport,
            seq,
            flags,
            window: 1000,
            ..TcpSpec::default()
        }),
        payload: payload.to_vec(),
    })
}

#[derive(Default)]
struct Log(Vec<String>);

impl Consumer for Log {
    fn protocol_detected(&mut self, now: Timestamp, f: &mut Flow) {
        let mut b = [0u8; 64];
        self.0.push(format!(
            "{} detected {}",
            (now.0 - T0) / SEC,
            f.l7.label(&mut b)
        ));
        // A script marks the flow.
        f.set_status(60, 10, 5, 0, true);
    }
    fn status_changed(&mut self, now: Timestamp, f: &mut Flow) {
        self.0
            .push(format!("{} status {:#x}", (now.0 - T0) / SEC, f.status_map));
    }
    fn periodic_update(&mut self, now: Timestamp, _f: &mut Flow) {
        self.0.push(format!("{} periodic", (now.0 - T0) / SEC));
    }
    fn flow_end(&mut self, now: Timestamp, f: &mut Flow, reason: EndReason) {
        self.0.push(format!(
            "{} end {:?} {}",
            (now.0 - T0) / SEC,
            reason,
            f.packets()
        ));
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, _i: &weir_flow::Interface) {
        if tick != Tick::Min || !now.0.is_multiple_of(60 * SEC) {
            return;
        }
        self.0
            .push(format!("{} tick {}", (now.0 - T0) / SEC, tick.name()));
    }
}

fn feed<C: Consumer>(e: &mut Engine, ts: u64, frame: &[u8], c: &mut C) {
    let pkt = decode(LinkType::Ethernet, frame).expect("frame decodes");
    e.process(Timestamp(ts), frame.len() as u32, &pkt, c);
}

fn dns_query(name: &str) -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for l in name.split('.') {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

#[test]
fn visitor_order_and_timing() {
    let mut e = Engine::new(EngineConfig::default());
    let mut log = Log::default();
    let (c, s) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    // A long-lived UDP DNS-port flow: a packet every 10 s for 400 s.
    let q = dns_query("www.example.com");
    let mut t = T0 + SEC / 2;
    while t < T0 + 400 * SEC {
        feed(&mut e, t, &udp(c, 40000, s, 53, &q), &mut log);
        t += 10 * SEC;
    }
    e.finish(&mut log);
    let l = &log.0;
    // Queries only: detection waits for a reply and completes after 5 s without
    // packets, seen at the 10 s visit; bit 60 set by protocolDetected fires
    // statusChanged at the same visit; periodic at 300 s of duration; end at the final visit.
    assert_eq!(l[0], "10 detected DNS");
    assert_eq!(l[1], format!("10 status {:#x}", 1u64 << 60));
    assert!(l.iter().any(|x| x == "305 periodic"), "{l:?}");
    assert_eq!(l.iter().filter(|x| x.contains("periodic")).count(), 1);
    assert!(l.iter().any(|x| x == "40 tick min"));
    let end = l.iter().find(|x| x.contains(" end ")).expect("flow end");
    assert_eq!(end, "390 end Shutdown 40");
}

#[test]
fn idle_flow_ends_once_and_closed_tcp_sooner() {
    let mut e = Engine::new(EngineConfig::default());
    let mut log = Log::default();
    let (c, s) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    feed(&mut e, T0, &tcp(c, 40000, s, 80, 100, SYN, b""), &mut log);
    feed(
        &mut e,
        T0 + 1000,
        &tcp(s, 80, c, 40000, 500, SYN | ACK, b""),
        &mut log,
    );
    feed(
        &mut e,
        T0 + 2000,
        &tcp(c, 40000, s, 80, 101, ACK, b""),
        &mut log,
    );
    feed(
        &mut e,
        T0 + 3000,
        &tcp(
            c,
            40000,
            s,
            80,
            101,
            ACK | PSH,
            b"GET / HTTP/1.1\r\nHost: a.b\r\n\r\n",
        ),
        &mut log,
    );
    feed(
        &mut e,
        T0 + 4000,
        &tcp(c, 40000, s, 80, 130, FIN | ACK, b""),
        &mut log,
    );
    feed(
        &mut e,
        T0 + 5000,
        &tcp(s, 80, c, 40000, 501, FIN | ACK, b""),
        &mut log,
    );
    // Another flow keeps the clock going.
    for i in 1..30u64 {
        feed(
            &mut e,
            T0 + i * SEC,
            &udp(c, 41000, s, 9999, b"x"),
            &mut log,
        );
    }
    let ends: Vec<_> = log.0.iter().filter(|x| x.contains(" end ")).collect();
    assert_eq!(
        ends,
        ["15 end Idle 6"],
        "closed TCP ends after the closed timeout (10 s)"
    );
    let f = e.flows().iter().count();
    assert_eq!(f, 1);
}

#[test]
fn pcap_dump_mode_only_protocol_detected() {
    let cfg = EngineConfig {
        events: EventMode::ProtocolDetectedOnly,
        ..EngineConfig::default()
    };
    let mut e = Engine::new(cfg);
    let mut log = Log::default();
    let q = dns_query("www.google.com");
    for i in 0..100u64 {
        feed(
            &mut e,
            T0 + i * 5 * SEC,
            &udp([10, 0, 0, 1], 40000, [10, 0, 0, 2], 53, &q),
            &mut log,
        );
    }
    e.finish(&mut log);
    assert_eq!(log.0, ["5 detected DNS.Google"]);
}

#[test]
fn table_cap_bounds_memory_under_a_flood() {
    let cfg = EngineConfig {
        max_flows: 1000,
        max_hosts: 2500,
        ..EngineConfig::default()
    };
    let mut e = Engine::new(cfg);
    let mut n = NoopConsumer;
    for i in 0..50_000u32 {
        let src = (0x0a00_0000u32 + i).to_be_bytes();
        feed(
            &mut e,
            T0 + u64::from(i) * 10,
            &tcp(
                src,
                1024 + (i % 60000) as u16,
                [10, 255, 0, 1],
                80,
                i,
                SYN,
                b"",
            ),
            &mut n,
        );
    }
    assert!(e.flows().len() <= 1000);
    assert_eq!(e.interface().flows_evicted, 49_000);
    assert!(
        e.hosts().len() <= 2501,
        "hosts stay bounded: {}",
        e.hosts().len()
    );
    // The victim's host is the flood target: SYN counters accumulate.
    let target = e
        .hosts()
        .find(IpAddr::V4(Ipv4Addr::new(10, 255, 0, 1)), 0)
        .and_then(|id| e.hosts().get(id))
        .map(|h: &Host| h.syn_rcvd);
    assert_eq!(target, Some(50_000));
}

#[test]
fn generated_traffic_is_detected() {
    let (pcap, _summary) = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 300,
        seed: 7,
        ..Default::default()
    });
    let mut r = CaptureReader::new(&pcap[..], "gen").expect("pcap");
    let mut e = Engine::new(EngineConfig::default());
    #[derive(Default)]
    struct Count(std::collections::BTreeMap<String, u64>, u64);
    impl Consumer for Count {
        fn flow_end(&mut self, _n: Timestamp, f: &mut Flow, _r: EndReason) {
            *self.0.entry(f.l7.master.name().to_string()).or_default() += 1;
            self.1 += f.packets();
        }
    }
    let mut c = Count::default();
    let mut frames = 0u64;
    let mut ip_frames = 0u64;
    while let Some(Ok(f)) = r.next_frame() {
        frames += 1;
        if let Ok(p) = decode(f.linktype, f.data) {
            ip_frames += u64::from(p.ip.is_some());
            e.process(f.ts, f.orig_len, &p, &mut c);
        }
    }
    e.finish(&mut c);
    assert_eq!(
        c.1, ip_frames,
        "every IP packet is counted in exactly one flow"
    );
    assert_eq!(e.interface().packets, frames);
    for p in ["HTTP", "TLS", "DNS"] {
        assert!(
            c.0.get(p).copied().unwrap_or(0) > 0,
            "{p} detected: {:?}",
            c.0
        );
    }
    assert!(e.flows().is_empty());
    let _ = Proto::TLS;
}

proptest! {
    #[test]
    fn key_is_symmetric(a in any::<[u8; 4]>(), b in any::<[u8; 4]>(), pa in any::<u16>(), pb in any::<u16>(), vlan in 0u16..4096, udp in any::<bool>()) {
        let proto = if udp { 17 } else { 6 };
        let x = (IpAddr::V4(Ipv4Addr::from(a)), pa);
        let y = (IpAddr::V4(Ipv4Addr::from(b)), pb);
        let (k1, f1) = FlowKey::new(vlan, proto, x, y);
        let (k2, f2) = FlowKey::new(vlan, proto, y, x);
        prop_assert_eq!(k1, k2);
        prop_assert!(x == y || f1 != f2);
    }

    #[test]
    fn counters_sum_to_packets_seen(pkts in proptest::collection::vec((0u8..4, 0u8..4, any::<bool>(), 0usize..40, 0u64..3_000_000), 1..200)) {
        let mut e = Engine::new(EngineConfig { max_flows: 5, ..EngineConfig::default() });
        #[derive(Default)]
        struct Sum(u64, u64);
        impl Consumer for Sum {
            fn flow_end(&mut self, _n: Timestamp, f: &mut Flow, _r: EndReason) {
                self.0 += f.packets();
                self.1 += f.bytes();
            }
        }
        let mut s = Sum::default();
        let mut t = T0;
        let mut bytes = 0u64;
        for (a, b, is_tcp, len, dt) in &pkts {
            t += dt;
            let payload = vec![0x41u8; *len];
            let f = if *is_tcp {
                tcp([10, 0, 0, *a], 1000 + u16::from(*a), [10, 0, 0, *b], 80, 1, ACK, &payload)
            } else {
                udp([10, 0, 0, *a], 1000 + u16::from(*a), [10, 0, 0, *b], 53, &payload)
            };
            bytes += f.len() as u64;
            feed(&mut e, t, &f, &mut s);
        }
        e.finish(&mut s);
        prop_assert_eq!(s.0, pkts.len() as u64);
        prop_assert_eq!(s.1, bytes);
        prop_assert_eq!(e.interface().packets, pkts.len() as u64);
    }
}

#[test]
fn scores_reach_hosts_and_leave_with_the_flow() {
    struct Mark;
    impl Consumer for Mark {
        fn protocol_detected(&mut self, _now: Timestamp, f: &mut Flow) {
            f.set_status(61, 100, 40, 7, true);
        }
    }
    let mut e = Engine::new(EngineConfig::default());
    let (c, s) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    let q = dns_query("www.example.com");
    feed(&mut e, T0, &udp(c, 40000, s, 53, &q), &mut Mark);
    let mut r = q.clone();
    r[2] = 0x81;
    feed(&mut e, T0 + 1000, &udp(s, 53, c, 40000, &r), &mut Mark);
    // Another flow moves the clock past the first visit.
    feed(
        &mut e,
        T0 + 6 * SEC,
        &udp(c, 40001, s, 9999, b"x"),
        &mut Mark,
    );
    let host = |e: &Engine, ip: [u8; 4]| {
        e.hosts()
            .find(IpAddr::V4(Ipv4Addr::from(ip)), 0)
            .and_then(|id| e.hosts().get(id))
            .map(Engine::host_score)
    };
    assert_eq!(host(&e, c), Some(40));
    assert_eq!(host(&e, s), Some(7));
    let h = e
        .hosts()
        .find(IpAddr::V4(Ipv4Addr::from(c)), 0)
        .and_then(|id| e.hosts().get(id))
        .map(|h| h.score);
    assert_eq!(h, Some([0, 40]), "security category");
    e.finish(&mut Mark);
    assert_eq!(
        host(&e, c),
        Some(0),
        "contributions are removed when the flow ends"
    );
}

proptest! {
    /// Arbitrary payloads on the ports the dissectors watch, with arbitrary TCP flags
    /// and sequence numbers, never panic the engine, and every flow ends once.
    #[test]
    fn engine_is_total_on_arbitrary_payloads(
        pkts in proptest::collection::vec(
            (any::<bool>(), 0usize..12, any::<u8>(), any::<u32>(), proptest::collection::vec(any::<u8>(), 0..600), any::<bool>()),
            1..60,
        )
    ) {
        const PORTS: [u16; 12] = [80, 443, 53, 22, 25, 3389, 445, 123, 67, 5353, 137, 4222];
        let mut e = Engine::new(EngineConfig { max_flows: 8, ..EngineConfig::default() });
        #[derive(Default)]
        struct Ends(u64);
        impl Consumer for Ends {
            fn flow_end(&mut self, _n: Timestamp, _f: &mut Flow, _r: EndReason) {
                self.0 += 1;
            }
        }
        let mut ends = Ends::default();
        let mut t = T0;
        for (is_tcp, port, flags, seq, payload, reply) in &pkts {
            t += 100_000;
            let port = PORTS[*port];
            let (a, b, pa, pb) = if *reply { ([10, 0, 0, 2], [10, 0, 0, 1], port, 40000) } else { ([10, 0, 0, 1], [10, 0, 0, 2], 40000, port) };
            let f = if *is_tcp { tcp(a, pa, b, pb, *seq, *flags, payload) } else { udp(a, pa, b, pb, payload) };
            feed(&mut e, t, &f, &mut ends);
        }
        e.finish(&mut ends);
        prop_assert_eq!(ends.0, e.interface().flows_created);
        prop_assert!(e.flows().is_empty());
    }
}

mod ftp;
mod hosts;
