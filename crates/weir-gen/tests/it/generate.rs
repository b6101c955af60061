//! Whole-capture properties: determinism, time order, streaming, mix of traffic, TCP
//! sequence consistency, 64-byte mode and scenarios.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use weir_gen::{GenConfig, Mode, Scenarios, for_each_frame, generate_to_vec, write_pcap};

use crate::common::{decode, records};

fn cfg(flows: usize, seed: u64) -> GenConfig {
    GenConfig {
        flows,
        seed,
        ..GenConfig::default()
    }
}

#[test]
fn defaults() {
    let c = GenConfig::default();
    assert_eq!(c.flows, 1000);
    assert_eq!(c.seed, 1);
    assert_eq!(c.mode, Mode::Mixed);
    assert_eq!(c.start_secs, 1_767_225_600);
    assert_eq!(c.duration_secs, 600);
    assert_eq!(c.scenarios, Scenarios::all());
    assert!(c.scenarios.exe_downloads && c.scenarios.syn_flood);
    assert!(c.scenarios.port_scan && c.scenarios.heavy_hitter);
}

#[test]
fn deterministic_and_seed_dependent() {
    let a = generate_to_vec(&cfg(300, 42));
    let b = generate_to_vec(&cfg(300, 42));
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    let c = generate_to_vec(&cfg(300, 43));
    assert_ne!(a.0, c.0);
    // write_pcap and generate_to_vec agree.
    let mut v = Vec::new();
    let s = write_pcap(&cfg(300, 42), &mut v).unwrap();
    assert_eq!(v, a.0);
    assert_eq!(s, a.1);
    // for_each_frame sees the same frames.
    let recs = records(&a.0);
    let mut i = 0;
    let s = for_each_frame(&cfg(300, 42), |ts, f| {
        assert_eq!(ts, recs[i].ts_micros);
        assert_eq!(f, recs[i].data);
        i += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(s, a.1);
    assert_eq!(i, recs.len());
}

#[test]
fn summary_matches_file_and_time_is_ordered() {
    let c = cfg(800, 7);
    let (file, s) = generate_to_vec(&c);
    let recs = records(&file);
    assert_eq!(recs.len() as u64, s.frames);
    assert_eq!(
        recs.iter().map(|r| r.data.len() as u64).sum::<u64>(),
        s.bytes
    );
    assert_eq!(s.by_kind.values().sum::<u64>(), s.flows);
    assert_eq!(recs.first().unwrap().ts_micros, s.first_ts_micros);
    assert_eq!(recs.last().unwrap().ts_micros, s.last_ts_micros);
    let start = c.start_secs * 1_000_000;
    assert!(s.first_ts_micros >= start);
    assert!(
        s.first_ts_micros < start + 2_000_000,
        "starts near start_secs"
    );
    assert!(recs.windows(2).all(|w| w[0].ts_micros <= w[1].ts_micros));
    for r in &recs {
        assert_eq!(r.orig_len as usize, r.data.len());
        assert!(r.data.len() >= 60 && r.data.len() <= 1518);
        decode(r.data); // lengths and checksums
    }
}

#[test]
fn normal_flow_count_and_mix() {
    let c = cfg(3000, 11).without_scenarios();
    let (file, s) = generate_to_vec(&c);
    assert_eq!(s.flows, 3000);
    assert_eq!(s.scenario_flows, 0);
    for k in ["tls", "dns", "http", "ntp", "icmp", "ssh", "smtp"] {
        assert!(
            s.by_kind.get(k).copied().unwrap_or(0) > 20,
            "{k}: {:?}",
            s.by_kind
        );
    }
    let mut v6 = 0;
    let mut vlan = 0;
    let mut by_proto: BTreeMap<u8, u64> = BTreeMap::new();
    let mut ports: HashSet<u16> = HashSet::new();
    let mut text = Vec::new();
    for r in records(&file) {
        let d = decode(r.data);
        v6 += u64::from(d.src.is_ipv6());
        vlan += u64::from(!d.vlans.is_empty());
        for v in &d.vlans {
            assert!([10, 20].contains(v));
        }
        *by_proto.entry(d.proto).or_default() += 1;
        ports.insert(d.dst_port.min(d.src_port));
        if [d.src_port, d.dst_port]
            .iter()
            .any(|p| [80, 8080].contains(p))
        {
            text.extend_from_slice(d.payload(r.data));
        }
        // Clients live in 192.168.1.0/24 and fd00:1::/64.
        let local = |a: IpAddr| match a {
            IpAddr::V4(a) => a.octets()[..3] == [192, 168, 1],
            IpAddr::V6(a) => a.segments()[..4] == [0xfd00, 1, 0, 0],
        };
        assert!(local(d.src) || local(d.dst), "{d:?}");
    }
    assert!(v6 > 100, "ipv6 frames: {v6}");
    assert!(vlan > 100, "vlan frames: {vlan}");
    for p in [1, 6, 17, 58] {
        assert!(by_proto.get(&p).copied().unwrap_or(0) > 10, "proto {p}");
    }
    for p in [22, 25, 53, 80, 123, 443, 8080] {
        assert!(ports.contains(&p), "port {p}");
    }
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("Host: "));
    assert!(text.contains("HTTP/1.1 200 OK"));
}

/// Every TCP data byte is sent in order (apart from flagged retransmissions and swaps),
/// and nobody acknowledges bytes its peer has not sent.
#[test]
fn tcp_sequence_numbers_are_consistent() {
    let (file, _) = generate_to_vec(&cfg(1500, 5).without_scenarios());
    #[derive(Default)]
    struct Dir {
        isn: Option<u32>,
        /// Highest sequence number sent + length (relative).
        high: u32,
        sent: HashSet<(u32, u32)>,
        fin: bool,
    }
    let mut dirs: HashMap<(IpAddr, u16, IpAddr, u16), Dir> = HashMap::new();
    let mut retrans = 0;
    let mut gaps = 0;
    for r in records(&file) {
        let d = decode(r.data);
        if d.proto != 6 {
            continue;
        }
        let key = (d.src, d.src_port, d.dst, d.dst_port);
        let rev = (d.dst, d.dst_port, d.src, d.src_port);
        let len = (d.l4_end - d.payload_off) as u32;
        let syn = d.flags & 0x02 != 0;
        let fin = d.flags & 0x01 != 0;
        let rst = d.flags & 0x04 != 0;
        let dir = dirs.entry(key).or_default();
        if syn {
            dir.isn = Some(d.seq);
            dir.high = 1;
            continue;
        }
        let isn = dir.isn.expect("segment before SYN");
        let rel = d.seq.wrapping_sub(isn);
        if len > 0 {
            if !dir.sent.insert((rel, len)) {
                retrans += 1;
            } else if rel != dir.high {
                // Out of order: the segment ahead of a missing one, or the missing one.
                gaps += 1;
            }
            dir.high = dir.high.max(rel + len);
        }
        if fin {
            assert_eq!(rel, dir.high, "FIN must follow all data");
            dir.fin = true;
        }
        let ack_ok = d.flags & 0x10 == 0 || {
            let peer = dirs.get(&rev).expect("ack without peer");
            let peer_isn = peer.isn.unwrap();
            let acked = d.ack.wrapping_sub(peer_isn);
            acked <= peer.high + u32::from(peer.fin)
        };
        assert!(ack_ok || rst, "acknowledges unsent data: {d:?}");
    }
    // A few retransmissions and reorderings exist but they are rare.
    assert!(retrans < 50, "retransmissions: {retrans}");
    assert!(gaps < 100, "out-of-order segments: {gaps}");
}

#[test]
fn small64_frames_are_all_64_bytes() {
    let c = GenConfig {
        flows: 400,
        mode: Mode::Small64,
        ..GenConfig::default()
    };
    let (file, s) = generate_to_vec(&c);
    assert_eq!(s.flows, 400, "scenarios are ignored");
    assert_eq!(s.scenario_flows, 0);
    let recs = records(&file);
    assert_eq!(recs.len() as u64, s.frames);
    let mut data_segments = 0;
    for r in &recs {
        assert_eq!(r.data.len(), 64);
        let d = decode(r.data);
        assert!(d.vlans.is_empty() && d.src.is_ipv4());
        if d.proto == 6 && d.l4_end > d.payload_off {
            // Full segments carry 10 bytes; the last one of a message may be shorter.
            assert!(d.l4_end - d.payload_off <= 10);
            data_segments += usize::from(d.l4_end - d.payload_off == 10);
        }
    }
    assert!(data_segments > 1000);
    assert_eq!(s.bytes, 64 * s.frames);
}

#[test]
fn scenarios_are_present() {
    let c = cfg(1000, 3);
    let (file, s) = generate_to_vec(&c);
    let k = |n: &str| s.by_kind.get(n).copied().unwrap_or(0);
    assert_eq!(k("syn_flood"), 15_000);
    assert_eq!(k("port_scan"), 3 * 1048);
    assert_eq!(k("exe_download"), 7);
    assert_eq!(k("heavy_hitter"), 3);
    // Every kind that is not ordinary traffic comes from a scenario.
    let ordinary = ["tls", "dns", "http", "ntp", "icmp", "ssh", "smtp"];
    let from_scenarios: u64 = s
        .by_kind
        .iter()
        .filter(|(kind, _)| !ordinary.contains(kind))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(s.scenario_flows, from_scenarios);
    assert_eq!(s.flows, 1000 + s.scenario_flows);

    let attacker = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 250));
    let scanner = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 66));
    let mut flood_ports = HashSet::new();
    let mut flood_ts = Vec::new();
    let mut scan_probes = HashSet::new();
    let mut scan_rst = 0;
    let mut sent: HashMap<IpAddr, u64> = HashMap::new();
    let mut exe_requests = 0;
    let mut mz_bodies = 0;
    for r in records(&file) {
        let d = decode(r.data);
        *sent.entry(d.src).or_default() += r.data.len() as u64;
        if d.src == attacker {
            assert_eq!(d.flags, 0x02);
            assert_eq!(d.dst_port, 80);
            flood_ports.insert(d.src_port);
            flood_ts.push(r.ts_micros);
        }
        assert_ne!(d.dst, attacker, "the flood is never answered");
        if d.src == scanner && d.flags == 0x02 {
            scan_probes.insert((d.dst, d.dst_port));
        }
        if d.dst == scanner && d.flags == 0x14 {
            scan_rst += 1;
        }
        let p = d.payload(r.data);
        if p.starts_with(b"GET /") && p.windows(6).any(|w| w == b".exe H") {
            exe_requests += 1;
        }
        if p.starts_with(b"HTTP/1.1 200")
            && let Some(i) = p.windows(4).position(|w| w == b"\r\n\r\n")
        {
            mz_bodies += usize::from(p[i + 4..].starts_with(b"MZ"));
        }
    }
    assert_eq!(flood_ports.len(), 15_000, "distinct source ports");
    let span = flood_ts.last().unwrap() - flood_ts.first().unwrap();
    assert!(
        (29_000_000..=30_000_000).contains(&span),
        "flood lasts ~30 s: {span}"
    );
    assert_eq!(scan_probes.len(), 3 * 1048);
    assert!(
        scan_rst > 3 * 1000,
        "most probes answered by RST: {scan_rst}"
    );
    assert!(exe_requests >= 7, "exe requests: {exe_requests}");
    assert!(mz_bodies >= 7);
    // The heavy hitter sends far more than any other local host.
    let hh = sent[&IpAddr::V4(Ipv4Addr::new(192, 168, 1, 42))];
    let next = sent
        .iter()
        .filter(|(a, _)| {
            matches!(a, IpAddr::V4(v) if v.octets()[..3] == [192, 168, 1] && v.octets()[3] != 42)
        })
        .map(|(_, b)| *b)
        .max()
        .unwrap();
    assert!(hh > 5 * next, "heavy hitter {hh} vs next {next}");
}

#[test]
fn scenarios_can_be_disabled_individually() {
    let c = GenConfig {
        flows: 200,
        scenarios: Scenarios {
            syn_flood: false,
            port_scan: true,
            ..Scenarios::none()
        },
        ..GenConfig::default()
    };
    let (_, s) = generate_to_vec(&c);
    assert!(!s.by_kind.contains_key("syn_flood"));
    assert!(!s.by_kind.contains_key("heavy_hitter"));
    assert!(!s.by_kind.contains_key("exe_download"));
    assert_eq!(s.by_kind["port_scan"], 3 * 1048);
}

#[test]
fn streaming_many_flows() {
    // A moderate size: the generator keeps only active flows in memory. The sink parses the
    // stream on the fly (keeping at most one record) to check counts and time order.
    let c = cfg(20_000, 99).without_scenarios();
    let mut sink = StreamCheck::default();
    let s = write_pcap(&c, &mut sink).unwrap();
    assert!(sink.buf.is_empty(), "file ends on a record boundary");
    assert_eq!(s.flows, 20_000);
    assert_eq!(sink.records, s.frames);
    assert_eq!(sink.frame_bytes, s.bytes);
    assert_eq!(sink.total, 24 + 16 * s.frames + s.bytes);
    assert_eq!(sink.last_ts, s.last_ts_micros);
    assert!(s.frames > 20_000 * 10, "frames: {}", s.frames);
    assert!(sink.max_buf < 70_000, "the writer streams in small chunks");
}

/// Counts pcap records as they are written, checking their timestamps never go back.
#[derive(Default)]
struct StreamCheck {
    buf: Vec<u8>,
    header_seen: bool,
    total: u64,
    records: u64,
    frame_bytes: u64,
    last_ts: u64,
    max_buf: usize,
}

impl std::io::Write for StreamCheck {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.total += data.len() as u64;
        self.buf.extend_from_slice(data);
        self.max_buf = self.max_buf.max(self.buf.len());
        let mut p = 0;
        if !self.header_seen && self.buf.len() >= 24 {
            p = 24;
            self.header_seen = true;
        }
        while self.header_seen && self.buf.len() - p >= 16 {
            let h = &self.buf[p..p + 16];
            let incl = u32::from_le_bytes(h[8..12].try_into().unwrap()) as usize;
            if self.buf.len() - p < 16 + incl {
                break;
            }
            let ts = u64::from(u32::from_le_bytes(h[0..4].try_into().unwrap())) * 1_000_000
                + u64::from(u32::from_le_bytes(h[4..8].try_into().unwrap()));
            assert!(ts >= self.last_ts, "time went backwards");
            self.last_ts = ts;
            self.records += 1;
            self.frame_bytes += incl as u64;
            p += 16 + incl;
        }
        self.buf.drain(..p);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn zero_flows_and_custom_start() {
    let c = GenConfig {
        flows: 0,
        ..GenConfig::default()
    }
    .without_scenarios();
    let (file, s) = generate_to_vec(&c);
    assert_eq!(file.len(), 24);
    assert_eq!(s.frames, 0);
    let c = GenConfig {
        flows: 10,
        start_secs: 1_000_000_000,
        duration_secs: 5,
        ..GenConfig::default()
    }
    .without_scenarios();
    let (_, s) = generate_to_vec(&c);
    assert!(s.first_ts_micros >= 1_000_000_000_000_000);
    assert!(s.first_ts_micros < 1_000_000_005_000_000);
}

#[test]
fn scenarios_by_name() {
    let s = Scenarios::from_names(&["syn_flood", "port_scan"]).unwrap();
    assert!(s.syn_flood && s.port_scan && !s.exe_downloads && !s.heavy_hitter);
    let mut all = Scenarios::all();
    let names: Vec<&str> = all.names().iter().map(|(n, _)| *n).collect();
    assert_eq!(Scenarios::from_names(&names).unwrap(), Scenarios::all());
    let err = Scenarios::from_names(&["nope"]).unwrap_err();
    assert!(
        matches!(&err, weir_gen::GenError::UnknownScenario { name, .. } if name == "nope"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("\"nope\"") && msg.contains("syn_flood"),
        "{msg}"
    );
}
