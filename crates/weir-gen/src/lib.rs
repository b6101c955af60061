//! `weir-source`: deterministic, realistic synthetic traffic for weir's samples, tests,
//! benches, fuzz seeds and demo.
//!
//! [`write_pcap`] streams a classic libpcap file (microsecond timestamps, little-endian,
//! `LINKTYPE_ETHERNET`) of a small office network: clients in 192.168.1.0/24 (some with
//! fd00:1::/64 addresses, some on VLANs 10 and 20) talking to local and remote servers.
//! The same [`GenConfig`] always gives byte-identical output; memory use does not grow with
//! the number of packets, because flows are generated lazily and merged in time order.
//!
//! Traffic in [`Mode::Mixed`] (weights are per normal flow):
//!
//! | kind | share | what |
//! | --- | --- | --- |
//! | `tls` | 36% | TCP 443: TLS 1.3 (72%) or resumed TLS 1.2 ClientHello with SNI/ALPN, ServerHello, application data records |
//! | `dns` | 26% | UDP 53 query/response (A, AAAA, CNAME chains, NXDOMAIN), 3% over TCP |
//! | `http` | 15% | TCP 80/8080: HTTP/1.1 GET/POST, keep-alive, 200/204/301/304/404, some `.exe` downloads |
//! | `ntp` | 8% | NTPv4 client/server on 123 |
//! | `icmp` | 7% | echo request/reply (ICMPv6 for IPv6 targets), sometimes fragmented |
//! | `ssh` | 5% | banners, KEXINIT, ECDH, NEWKEYS, encrypted interactive packets |
//! | `smtp` | 3% | banner, EHLO, MAIL/RCPT/DATA, QUIT |
//!
//! TCP conversations have a 3-way handshake with MSS/window-scale/SACK/timestamps options
//! (per client OS), ack-clocked data with delayed ACKs, about 1% lost client segments (dup
//! ACKs, fast retransmission), rare reordering, and a FIN or RST close. Scenarios
//! ([`Scenarios`]) add a SYN flood, a port scan, a heavy hitter and `.exe` downloads on top
//! of the normal flows, network conditions for the network plugins, and security cases for
//! the security plugins (HTTP on port 8888, RDP over a slow link, blocklisted peers, a
//! Stratum miner, TLS certificates that are self-signed, expired, not yet valid, too long
//! or for another name ([`x509`]), DNS tunnelling, a DGA burst answered NXDOMAIN,
//! malformed DNS, and rogue DNS, DHCP, NTP and SMTP servers). Each scenario has a name
//! ([`Scenarios::names`]) and its own random stream, so enabling one never changes the
//! ordinary flows.
//!
//! ```
//! use weir_gen::{GenConfig, Mode, generate_to_vec};
//!
//! let cfg = GenConfig { flows: 20, seed: 7, ..GenConfig::default() }.without_scenarios();
//! let (pcap, summary) = generate_to_vec(&cfg);
//! assert_eq!(&pcap[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
//! assert_eq!(summary.flows, 20);
//! assert!(summary.frames > 20);
//! assert_eq!(generate_to_vec(&cfg).0, pcap); // deterministic
//!
//! let small = GenConfig { flows: 10, mode: Mode::Small64, ..GenConfig::default() };
//! let (_, s) = generate_to_vec(&small);
//! assert_eq!(s.bytes, s.frames * 64); // every frame is 64 bytes
//! ```

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::{self, BufWriter, Write};

pub mod app;
mod bytes;
mod flows;
pub mod frame;
mod net;
mod netscen;
pub mod pcap;
pub mod rng;
mod secscen;
mod tcp;
pub mod x509;

use flows::{FlowGen, NewFlow};
use rng::GenRng;

/// 2026-01-01T00:00:00Z, the default start of generated captures.
pub const DEFAULT_START_SECS: u64 = 1_767_225_600;

/// Snap length written in the file header.
pub const SNAPLEN: u32 = 65_535;

/// What kind of traffic to generate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Realistic mix of protocols, IPv4 and IPv6, VLANs, plus the enabled scenarios.
    #[default]
    Mixed,
    /// Every frame exactly 64 bytes captured (Ethernet minimum frame size including the
    /// 4-byte FCS slot, which is filled with zero padding, not a real FCS): untagged IPv4
    /// TCP flows (HTTP and TLS byte streams cut into 10-byte segments, options-less
    /// handshakes, shorter packets zero-padded) and UDP DNS query/NXDOMAIN pairs.
    /// Scenarios are ignored. For throughput tests.
    Small64,
}

/// Extra attack / anomaly traffic added on top of the normal flows in [`Mode::Mixed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scenarios {
    /// At least five (5 + flows/500, at most 40) HTTP downloads of `.exe` files
    /// (kind `exe_download`).
    pub exe_downloads: bool,
    /// 203.0.113.250 sends 15,000 SYNs with distinct random source ports to 192.168.1.5:80
    /// over 30 s, unanswered (kind `syn_flood`, one flow per SYN). Starts at 30% of the
    /// duration.
    pub syn_flood: bool,
    /// 192.168.1.66 SYN-scans 1,048 ports of 192.168.1.1, .5 and .7; closed ports answer
    /// RST+ACK, open ones SYN+ACK followed by the scanner's RST (kind `port_scan`, one flow
    /// per probe). Starts at 60% of the duration.
    pub port_scan: bool,
    /// 192.168.1.42 uploads about flows × 12 kB (2 MB .. 2 GB) over TLS to
    /// sync.example-cloud.net in 3..=48 flows (kind `heavy_hitter`).
    pub heavy_hitter: bool,
    /// Network conditions (`netscen`): TCP between two remote hosts (kind `transit`).
    pub transit: bool,
    /// A link-local host no configured network covers, unanswered (kind `ghost_network`).
    pub ghost_network: bool,
    /// A host asking a resolver that is down (kind `dead_dns`).
    pub dead_dns: bool,
    /// Downloads over a lossy, reordering link (kind `lossy_link`).
    pub lossy_link: bool,
    /// An SSH session open for 95% of the capture (kind `long_session`).
    pub long_session: bool,
    /// Security scenarios (`secscen`): HTTP on port 8888 (kind `http_odd_port`).
    pub http_odd_port: bool,
    /// RDP over a ~330 ms link, and one local RDP session (kind `rdp`).
    pub rdp_high_latency: bool,
    /// Traffic to and from addresses of the test blocklist (kind `blocklisted`).
    pub blocklisted_hosts: bool,
    /// A Stratum miner: pool DNS lookup, Stratum session, TLS to a pool (kind `web_mining`).
    pub web_mining: bool,
    /// TLS 1.2 handshakes with bad certificates (kind `bad_tls_certs`).
    pub bad_tls_certs: bool,
    /// DNS tunnelling: long base32 TXT queries (kind `dns_tunnel`).
    pub dns_tunnel: bool,
    /// A burst of random-looking names answered NXDOMAIN (kind `dga_nxdomain`).
    pub dga_nxdomain: bool,
    /// A query with invalid characters and a non-DNS datagram to port 53 (kind `malformed_dns`).
    pub malformed_dns: bool,
    /// A client resolving through an outside DNS server (kind `rogue_dns`).
    pub rogue_dns: bool,
    /// A second DHCP server on the LAN (kind `rogue_dhcp`).
    pub rogue_dhcp: bool,
    /// A client taking time from an unlisted NTP server (kind `rogue_ntp`).
    pub rogue_ntp: bool,
    /// A spam bot talking SMTP to outside MX hosts (kind `rogue_smtp`).
    pub rogue_smtp: bool,
}

impl Default for Scenarios {
    fn default() -> Self {
        Self::all()
    }
}

impl Scenarios {
    /// All scenarios enabled.
    pub fn all() -> Self {
        Scenarios {
            exe_downloads: true,
            syn_flood: true,
            port_scan: true,
            heavy_hitter: true,
            transit: true,
            ghost_network: true,
            dead_dns: true,
            lossy_link: true,
            long_session: true,
            http_odd_port: true,
            rdp_high_latency: true,
            blocklisted_hosts: true,
            web_mining: true,
            bad_tls_certs: true,
            dns_tunnel: true,
            dga_nxdomain: true,
            malformed_dns: true,
            rogue_dns: true,
            rogue_dhcp: true,
            rogue_ntp: true,
            rogue_smtp: true,
        }
    }

    /// No scenario: only normal flows.
    pub fn none() -> Self {
        Scenarios {
            exe_downloads: false,
            syn_flood: false,
            port_scan: false,
            heavy_hitter: false,
            transit: false,
            ghost_network: false,
            dead_dns: false,
            lossy_link: false,
            long_session: false,
            http_odd_port: false,
            rdp_high_latency: false,
            blocklisted_hosts: false,
            web_mining: false,
            bad_tls_certs: false,
            dns_tunnel: false,
            dga_nxdomain: false,
            malformed_dns: false,
            rogue_dns: false,
            rogue_dhcp: false,
            rogue_ntp: false,
            rogue_smtp: false,
        }
    }

    /// The name of every scenario (`weir gen-pcap --scenario NAME`, plugin test cases),
    /// with its flag.
    pub fn names(&mut self) -> [(&'static str, &mut bool); 21] {
        [
            ("exe_downloads", &mut self.exe_downloads),
            ("syn_flood", &mut self.syn_flood),
            ("port_scan", &mut self.port_scan),
            ("heavy_hitter", &mut self.heavy_hitter),
            ("transit", &mut self.transit),
            ("ghost_network", &mut self.ghost_network),
            ("dead_dns", &mut self.dead_dns),
            ("lossy_link", &mut self.lossy_link),
            ("long_session", &mut self.long_session),
            ("http_odd_port", &mut self.http_odd_port),
            ("rdp_high_latency", &mut self.rdp_high_latency),
            ("blocklisted_hosts", &mut self.blocklisted_hosts),
            ("web_mining", &mut self.web_mining),
            ("bad_tls_certs", &mut self.bad_tls_certs),
            ("dns_tunnel", &mut self.dns_tunnel),
            ("dga_nxdomain", &mut self.dga_nxdomain),
            ("malformed_dns", &mut self.malformed_dns),
            ("rogue_dns", &mut self.rogue_dns),
            ("rogue_dhcp", &mut self.rogue_dhcp),
            ("rogue_ntp", &mut self.rogue_ntp),
            ("rogue_smtp", &mut self.rogue_smtp),
        ]
    }

    /// Only the named scenarios.
    ///
    /// # Errors
    /// An unknown name, with the list of known ones.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut s = Scenarios::none();
        for name in names {
            let name = name.as_ref();
            let mut flags = s.names();
            let known: Vec<&str> = flags.iter().map(|(n, _)| *n).collect();
            let known = known.join(", ");
            match flags.iter_mut().find(|(n, _)| *n == name) {
                Some((_, flag)) => **flag = true,
                None => return Err(format!("unknown scenario {name:?} (known: {known})")),
            }
        }
        Ok(s)
    }
}

/// Generator settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GenConfig {
    /// Number of normal flows (scenario traffic comes on top).
    pub flows: usize,
    /// Seed: the same configuration always produces the same bytes.
    pub seed: u64,
    /// Kind of traffic.
    pub mode: Mode,
    /// Unix time (seconds) of the start of the capture.
    pub start_secs: u64,
    /// Flows start spread evenly (with jitter) over this many seconds; they may run on a
    /// little after it.
    pub duration_secs: u64,
    /// Scenario traffic (Mixed mode only).
    pub scenarios: Scenarios,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            flows: 1000,
            seed: 1,
            mode: Mode::Mixed,
            start_secs: DEFAULT_START_SECS,
            duration_secs: 600,
            scenarios: Scenarios::default(),
        }
    }
}

impl GenConfig {
    /// This configuration with all scenarios disabled.
    pub fn without_scenarios(mut self) -> Self {
        self.scenarios = Scenarios::none();
        self
    }
}

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
