//! The generator: merges the lazily generated normal and scenario flows in time order
//! and hands every frame to a sink (a pcap writer, a `Vec`, a callback).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::{self, BufWriter, Write};

use crate::config::{GenConfig, Mode, SNAPLEN};
use crate::flows::{self, FlowGen, NewFlow};
use crate::rng::GenRng;
use crate::{netscen, pcap, secscen};

/// What a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Frames (pcap records) written.
    pub frames: u64,
    /// Sum of the frame lengths (pcap headers not included).
    pub bytes: u64,
    /// Flows (distinct conversations / 5-tuples), normal and scenario.
    pub flows: u64,
    /// Flows per kind: `tls`, `dns`, `http`, `ntp`, `icmp`, `ssh`, `smtp`, and the scenario
    /// kinds `exe_download`, `syn_flood`, `port_scan`, `heavy_hitter`, the network kinds
    /// and the security kinds (`http_odd_port`, `rdp`, `blocklisted`, `web_mining`,
    /// `bad_tls_certs`, `dns_tunnel`, `dga_nxdomain`, `malformed_dns`, `rogue_dns`,
    /// `rogue_dhcp`, `rogue_ntp`, `rogue_smtp`).
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Flows added by scenarios (included in `flows`).
    pub scenario_flows: u64,
    /// Timestamp of the first frame, microseconds since the Unix epoch (0 if none).
    pub first_ts_micros: u64,
    /// Timestamp of the last frame, microseconds since the Unix epoch (0 if none).
    pub last_ts_micros: u64,
}

/// A scenario flow to start at a given time.
enum ScenarioStart {
    Exe,
    SynFlood { count: u64, span_us: u64 },
    PortScan,
    Heavy { bytes: u64 },
    Net(netscen::NetStart),
    Sec(secscen::SecStart),
}

/// Writes the capture for `cfg` to `out` (buffered internally) and returns its summary.
pub fn write_pcap<W: Write>(cfg: &GenConfig, out: W) -> io::Result<GenSummary> {
    let mut w = pcap::PcapWriter::new(
        BufWriter::with_capacity(1 << 16, out),
        pcap::LINKTYPE_ETHERNET,
        SNAPLEN,
    )?;
    let summary = run(cfg, |ts, frame| w.write(ts, frame))?;
    w.flush()?;
    Ok(summary)
}

/// Generates the capture for `cfg` in memory.
pub fn generate_to_vec(cfg: &GenConfig) -> (Vec<u8>, GenSummary) {
    let mut v = Vec::new();
    let summary = write_pcap(cfg, &mut v).expect("writing to a Vec cannot fail");
    (v, summary)
}

/// Calls `sink` for every frame of the capture for `cfg`, in timestamp order, without
/// writing a file. Returns the summary, or the first error of `sink`.
pub fn for_each_frame<F>(cfg: &GenConfig, mut sink: F) -> io::Result<GenSummary>
where
    F: FnMut(u64, &[u8]) -> io::Result<()>,
{
    run(cfg, &mut sink)
}

fn scenario_plan(cfg: &GenConfig) -> Vec<(u64, u64, ScenarioStart)> {
    let mut plan: Vec<(u64, ScenarioStart)> = Vec::new();
    if cfg.mode != Mode::Mixed {
        return Vec::new();
    }
    let s = cfg.scenarios;
    let start = cfg.start_secs * 1_000_000;
    let dur = cfg.duration_secs.max(1) * 1_000_000;
    let mut rng = GenRng::derive(cfg.seed, u64::MAX);
    if s.exe_downloads {
        let n = (5 + cfg.flows / 500).min(40);
        for _ in 0..n {
            let t = start + rand::Rng::random_range(&mut rng, 0..dur);
            plan.push((t, ScenarioStart::Exe));
        }
    }
    if s.syn_flood {
        let span_us = 30_000_000.min(dur);
        plan.push((
            start + dur * 3 / 10,
            ScenarioStart::SynFlood {
                count: 15_000,
                span_us,
            },
        ));
    }
    if s.port_scan {
        plan.push((start + dur * 6 / 10, ScenarioStart::PortScan));
    }
    if s.heavy_hitter {
        let total = (cfg.flows as u64 * 12_000).clamp(2_000_000, 2_000_000_000);
        let n = (cfg.flows as u64 / 2000).clamp(3, 48);
        for _ in 0..n {
            let t = start + rand::Rng::random_range(&mut rng, 0..dur);
            plan.push((t, ScenarioStart::Heavy { bytes: total / n }));
        }
    }
    // Network conditions: their own random stream, so they change nothing above.
    let flags = netscen::NetFlags {
        transit: s.transit,
        ghost_network: s.ghost_network,
        dead_dns: s.dead_dns,
        lossy_link: s.lossy_link,
        long_session: s.long_session,
    };
    let mut net_rng = GenRng::derive(cfg.seed ^ 0x6e65_7473, u64::MAX);
    let net = netscen::plan(&flags, start, dur, &mut net_rng);
    plan.extend(net.into_iter().map(|(t, k)| (t, ScenarioStart::Net(k))));
    // Security scenarios: fixed times, own random streams.
    let sec = secscen::SecFlags {
        http_odd_port: s.http_odd_port,
        rdp_high_latency: s.rdp_high_latency,
        blocklisted_hosts: s.blocklisted_hosts,
        web_mining: s.web_mining,
        bad_tls_certs: s.bad_tls_certs,
        dns_tunnel: s.dns_tunnel,
        dga_nxdomain: s.dga_nxdomain,
        malformed_dns: s.malformed_dns,
        rogue_dns: s.rogue_dns,
        rogue_dhcp: s.rogue_dhcp,
        rogue_ntp: s.rogue_ntp,
        rogue_smtp: s.rogue_smtp,
    };
    plan.extend(
        secscen::plan(&sec, start, dur)
            .into_iter()
            .map(|(t, k)| (t, ScenarioStart::Sec(k))),
    );
    // Stable order: by time, then by position in the plan.
    let mut plan: Vec<(u64, u64, ScenarioStart)> = plan
        .into_iter()
        .enumerate()
        .map(|(i, (t, s))| (t, i as u64, s))
        .collect();
    plan.sort_by_key(|p| (p.0, p.1));
    plan
}

fn run<F>(cfg: &GenConfig, mut sink: F) -> io::Result<GenSummary>
where
    F: FnMut(u64, &[u8]) -> io::Result<()>,
{
    let small = cfg.mode == Mode::Small64;
    let start = cfg.start_secs * 1_000_000;
    let dur = cfg.duration_secs.max(1) * 1_000_000;
    let n = cfg.flows as u64;
    let mut scen = scenario_plan(cfg).into_iter().peekable();
    let mut summary = GenSummary::default();

    // Start time of normal flow i: evenly spread with jitter inside its slot, so that
    // start times are non-decreasing without sorting.
    let normal_start = |i: u64| -> (u64, GenRng) {
        let mut rng = GenRng::derive(cfg.seed, i);
        let lo = (u128::from(dur) * u128::from(i) / u128::from(n)) as u64;
        let hi = (u128::from(dur) * u128::from(i + 1) / u128::from(n)) as u64;
        let off = if hi > lo {
            rand::Rng::random_range(&mut rng, lo..hi)
        } else {
            lo
        };
        (start + off, rng)
    };

    let mut next_normal = 0u64;
    let mut pending: Option<(u64, GenRng)> = (n > 0).then(|| normal_start(0));
    let mut heap: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    let mut slots: Vec<Option<FlowGen>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut order = 0u64;
    let mut frame = Vec::with_capacity(2048);
    let mut scratch = Vec::with_capacity(2048);
    let mut scen_idx = 0u64;

    loop {
        let next_new = match (&pending, scen.peek()) {
            (Some(p), Some(s)) => Some(p.0.min(s.0)),
            (Some(p), None) => Some(p.0),
            (None, Some(s)) => Some(s.0),
            (None, None) => None,
        };
        let next_pkt = heap.peek().map(|Reverse(e)| e.0);
        let start_flow = match (next_new, next_pkt) {
            (Some(a), Some(b)) => a <= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if start_flow {
            let t = next_new.expect("checked");
            let take_normal =
                pending.as_ref().is_some_and(|p| p.0 == t) && scen.peek().is_none_or(|s| s.0 >= t);
            let nf: NewFlow = if take_normal {
                let (ts, mut rng) = pending.take().expect("checked");
                next_normal += 1;
                if next_normal < n {
                    pending = Some(normal_start(next_normal));
                }
                flows::normal_flow(&mut rng, small, ts)
            } else {
                let (ts, _, s) = scen.next().expect("checked");
                scen_idx += 1;
                let mut rng = GenRng::derive(cfg.seed ^ 0x5ce7_a210, scen_idx);
                let nf = match s {
                    ScenarioStart::Exe => flows::exe_download(&mut rng, ts),
                    ScenarioStart::Heavy { bytes } => flows::heavy_upload(&mut rng, ts, bytes),
                    ScenarioStart::Net(k) => {
                        // Own stream: the other scenarios' flows stay as they were.
                        scen_idx -= 1;
                        netscen::start(k, &mut GenRng::derive(cfg.seed ^ 0x6e65_7473, ts), ts)
                    }
                    ScenarioStart::Sec(k) => {
                        scen_idx -= 1;
                        let mut r = GenRng::derive(cfg.seed ^ 0x7365_6373, ts ^ (k.tag() << 56));
                        secscen::start(k, &mut r, ts)
                    }
                    ScenarioStart::SynFlood { count, span_us } => NewFlow {
                        kind: "syn_flood",
                        source: FlowGen::SynFlood(Box::new(flows::SynFlood::new(
                            rng, ts, count, span_us,
                        ))),
                        count,
                    },
                    ScenarioStart::PortScan => {
                        let ps = flows::PortScan::new(rng, ts);
                        NewFlow {
                            kind: "port_scan",
                            count: ps.probes(),
                            source: FlowGen::PortScan(Box::new(ps)),
                        }
                    }
                };
                summary.scenario_flows += nf.count;
                nf
            };
            summary.flows += nf.count;
            *summary.by_kind.entry(nf.kind).or_insert(0) += nf.count;
            let mut source = nf.source;
            if let Some(ts) = source.peek_ts() {
                debug_assert!(ts >= t, "flow starts before its start time");
                let slot = match free.pop() {
                    Some(s) => {
                        slots[s] = Some(source);
                        s
                    }
                    None => {
                        slots.push(Some(source));
                        slots.len() - 1
                    }
                };
                heap.push(Reverse((ts, order, slot)));
                order += 1;
            }
        } else {
            let Reverse((ts, _, slot)) = heap.pop().expect("checked");
            let source = slots[slot].as_mut().expect("live slot");
            let emitted = source.emit(&mut frame, &mut scratch);
            debug_assert_eq!(emitted, ts);
            if summary.frames == 0 {
                summary.first_ts_micros = ts;
            }
            debug_assert!(ts >= summary.last_ts_micros, "time went backwards");
            summary.last_ts_micros = ts;
            summary.frames += 1;
            summary.bytes += frame.len() as u64;
            sink(ts, &frame)?;
            match source.peek_ts() {
                Some(next) => {
                    heap.push(Reverse((next, order, slot)));
                    order += 1;
                }
                None => {
                    slots[slot] = None;
                    free.push(slot);
                }
            }
        }
    }
    Ok(summary)
}
