//! Scenario packet sources that are not conversations: the SYN flood and the port scan.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};

use rand::Rng;

use crate::frame::{self, ACK, IpSpec, L4Spec, RST, SYN, TcpSpec};
use crate::net::{self};
use crate::rng::GenRng;

/// Many SYNs from one attacker to one victim port, random source ports, no replies.
#[derive(Debug)]
pub(crate) struct SynFlood {
    rng: GenRng,
    i: u64,
    count: u64,
    start: u64,
    step: u64,
    port_mul: u64,
    port_add: u64,
    next_ts: u64,
    victim: Ipv4Addr,
    victim_port: u16,
}

impl SynFlood {
    pub fn new(mut rng: GenRng, start: u64, count: u64, span_us: u64) -> Self {
        let step = (span_us / count.max(1)).max(2);
        let next_ts = start + rng.random_range(0..step / 2);
        SynFlood {
            port_mul: 40_503, // odd, coprime with 64512: a permutation of the port range
            port_add: rng.random_range(0..64_512),
            rng,
            i: 0,
            count,
            start,
            step,
            next_ts,
            victim: net::NAS_IP4,
            victim_port: 80,
        }
    }

    pub(super) fn peek_ts(&self) -> Option<u64> {
        (self.i < self.count).then_some(self.next_ts)
    }

    pub(super) fn emit(&mut self, out: &mut Vec<u8>) -> u64 {
        let ts = self.next_ts;
        let sport = 1024 + ((self.i * self.port_mul + self.port_add) % 64_512) as u16;
        let t = TcpSpec {
            src_port: sport,
            dst_port: self.victim_port,
            seq: self.rng.random(),
            ack: 0,
            flags: SYN,
            window: 512,
            ..TcpSpec::default()
        };
        let h = frame::Headers {
            src_mac: net::GW_MAC,
            dst_mac: net::NAS_MAC,
            vlans: &[],
            ip: IpSpec::V4 {
                src: net::ATTACKER_IP4,
                dst: self.victim,
                ttl: 49,
                id: self.rng.random(),
                dont_fragment: false,
            },
            l4: L4Spec::Tcp(t),
        };
        frame::write_frame(out, &h, &[], frame::MIN_FRAME_LEN);
        self.i += 1;
        self.next_ts = self.start + self.i * self.step + self.rng.random_range(0..self.step / 2);
        ts
    }
}

/// Ports probed by the scanner on each target.
fn scan_ports() -> Vec<u16> {
    let mut v: Vec<u16> = (1..=1024).collect();
    v.extend_from_slice(&[
        1433, 1521, 1723, 1883, 2049, 2375, 3000, 3306, 3389, 5000, 5060, 5432, 5900, 6379, 8000,
        8008, 8080, 8443, 8888, 9000, 9100, 9200, 11211, 27017,
    ]);
    v
}

fn open_ports(target: Ipv4Addr) -> &'static [u16] {
    if target == net::GW_IP4 {
        &[22, 53, 80, 443]
    } else if target == net::NAS_IP4 {
        &[22, 80, 139, 443, 445, 5000]
    } else {
        &[80, 443, 515, 631, 9100]
    }
}

/// A SYN scan of a few local hosts: closed ports answer RST+ACK, open ones SYN+ACK (which
/// the scanner resets).
#[derive(Debug)]
pub(crate) struct PortScan {
    rng: GenRng,
    probes: Vec<(u8, u16)>,
    i: usize,
    t: u64,
    sport: u16,
    queue: VecDeque<(u64, Vec<u8>)>,
}

const SCAN_TARGETS: [Ipv4Addr; 3] = [net::GW_IP4, net::NAS_IP4, net::PRINTER_IP4];

impl PortScan {
    pub fn new(mut rng: GenRng, start: u64) -> Self {
        let ports = scan_ports();
        let mut probes: Vec<(u8, u16)> = Vec::with_capacity(ports.len() * SCAN_TARGETS.len());
        for t in 0..SCAN_TARGETS.len() as u8 {
            let mut ps = ports.clone();
            // Fisher-Yates with our RNG, as nmap randomises the port order.
            for i in (1..ps.len()).rev() {
                let j = rng.random_range(0..=i);
                ps.swap(i, j);
            }
            probes.extend(ps.into_iter().map(|p| (t, p)));
        }
        let sport = rng.random_range(40_000..65_000);
        PortScan {
            rng,
            probes,
            i: 0,
            t: start,
            sport,
            queue: VecDeque::new(),
        }
    }

    /// Number of probes (one 5-tuple each).
    pub fn probes(&self) -> u64 {
        self.probes.len() as u64
    }

    fn frame(&mut self, from_scanner: bool, target: Ipv4Addr, t: TcpSpec) -> Vec<u8> {
        let tmac = net::mac_of(IpAddr::V4(target));
        let (src_mac, dst_mac, src, dst, ttl) = if from_scanner {
            (net::SCANNER_MAC, tmac, net::SCANNER_IP4, target, 64)
        } else {
            (tmac, net::SCANNER_MAC, target, net::SCANNER_IP4, 64)
        };
        let h = frame::Headers {
            src_mac,
            dst_mac,
            vlans: &[],
            ip: IpSpec::V4 {
                src,
                dst,
                ttl,
                id: if from_scanner { self.rng.random() } else { 0 },
                dont_fragment: !from_scanner,
            },
            l4: L4Spec::Tcp(t),
        };
        let mut out = Vec::with_capacity(64);
        frame::write_frame(&mut out, &h, &[], frame::MIN_FRAME_LEN);
        out
    }

    fn refill(&mut self) {
        let Some(&(ti, port)) = self.probes.get(self.i) else {
            return;
        };
        self.i += 1;
        let target = SCAN_TARGETS[ti as usize];
        let seq: u32 = self.rng.random();
        let t0 = self.t;
        let syn = TcpSpec {
            src_port: self.sport,
            dst_port: port,
            seq,
            flags: SYN,
            window: 1024,
            mss: Some(1460),
            ..TcpSpec::default()
        };
        let f = self.frame(true, target, syn);
        self.queue.push_back((t0, f));
        let rtt = self.rng.random_range(150..450);
        let open = open_ports(target).contains(&port);
        if open {
            let sa = TcpSpec {
                src_port: port,
                dst_port: self.sport,
                seq: self.rng.random(),
                ack: seq.wrapping_add(1),
                flags: SYN | ACK,
                window: 64240,
                mss: Some(1460),
                ..TcpSpec::default()
            };
            let f = self.frame(false, target, sa);
            self.queue.push_back((t0 + rtt, f));
            let rst = TcpSpec {
                src_port: self.sport,
                dst_port: port,
                seq: seq.wrapping_add(1),
                flags: RST,
                ..TcpSpec::default()
            };
            let f = self.frame(true, target, rst);
            self.queue.push_back((t0 + rtt + 30, f));
        } else {
            let ra = TcpSpec {
                src_port: port,
                dst_port: self.sport,
                seq: 0,
                ack: seq.wrapping_add(1),
                flags: RST | ACK,
                ..TcpSpec::default()
            };
            let f = self.frame(false, target, ra);
            self.queue.push_back((t0 + rtt, f));
        }
        self.t = t0 + rtt + 100 + self.rng.random_range(200..1200);
    }

    pub(super) fn peek_ts(&mut self) -> Option<u64> {
        if self.queue.is_empty() {
            self.refill();
        }
        self.queue.front().map(|p| p.0)
    }

    pub(super) fn emit(&mut self, out: &mut Vec<u8>) -> u64 {
        let (ts, f) = self.queue.pop_front().expect("emit on a finished scan");
        out.clear();
        out.extend_from_slice(&f);
        ts
    }
}
