//! What to generate: [`GenConfig`], its [`Mode`] and the [`Scenarios`] added on top of
//! the normal flows.

use crate::error::{GenError, Result};

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
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self> {
        let mut s = Scenarios::none();
        for name in names {
            let name = name.as_ref();
            let mut flags = s.names();
            let known: Vec<&str> = flags.iter().map(|(n, _)| *n).collect();
            let known = known.join(", ");
            match flags.iter_mut().find(|(n, _)| *n == name) {
                Some((_, flag)) => **flag = true,
                None => {
                    return Err(GenError::UnknownScenario {
                        name: name.to_owned(),
                        known,
                    });
                }
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
