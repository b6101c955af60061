//! `weir-gen`: deterministic, realistic synthetic traffic for weir's samples, tests,
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
//! [`write_syn_flood`] writes the random-source SYN flood instead: one SYN from each of
//! N distinct IPv4 sources to one victim ([`SynFloodConfig`]), also in constant memory.
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

pub mod app;
mod bytes;
mod config;
mod error;
mod flood;
mod flows;
pub mod frame;
mod generate;
mod net;
mod netscen;
pub mod pcap;
pub mod rng;
mod secscen;
mod tcp;
pub mod x509;

pub use config::{DEFAULT_START_SECS, GenConfig, Mode, SNAPLEN, Scenarios};
pub use error::{GenError, Result};
pub use flood::{SynFloodConfig, for_each_syn_flood_frame, write_syn_flood};
pub use generate::{GenSummary, for_each_frame, generate_to_vec, write_pcap};
