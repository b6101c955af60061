//! The random-source SYN flood: `sources` one-packet TCP SYN flows, each from its own
//! IPv4 address, to one victim address and port, spread evenly over a span of capture
//! time. The stress input of the monitor's bounded tables (issue 17).
//!
//! Sources are distinct: source `i` is a keyed permutation of the 32-bit space applied
//! to a counter, skipping the addresses that are not global unicast sources (0/8,
//! 127/8, 169.254/16, 224/3), the private networks weir's default configuration
//! treats as local (10/8, 172.16/12, 192.168/16) and `local_net`. Nothing is kept per
//! source, so memory stays constant whatever `sources` is.

use std::io::{self, BufWriter, Write};
use std::net::Ipv4Addr;

use rand::Rng;

use crate::config::{DEFAULT_START_SECS, SNAPLEN};
use crate::frame::{self, IpSpec, L4Spec, SYN, TcpSpec};
use crate::generate::GenSummary;
use crate::net;
use crate::pcap;
use crate::rng::{GenRng, splitmix64};

/// Settings of a random-source SYN flood.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SynFloodConfig {
    /// Number of SYNs, one per distinct source address (at most about 3.4 billion: the
    /// public unicast IPv4 space outside `local_net`).
    pub sources: u64,
    /// Seed: the same configuration always produces the same bytes.
    pub seed: u64,
    /// Unix time (seconds) of the first SYN.
    pub start_secs: u64,
    /// The SYNs are spread evenly (with jitter) over this many seconds.
    pub duration_secs: u64,
    /// The victim.
    pub victim: Ipv4Addr,
    /// The victim's port.
    pub victim_port: u16,
    /// A local network (address, prefix length) besides the private ones: no source
    /// is drawn from it.
    pub local_net: (Ipv4Addr, u8),
}

impl Default for SynFloodConfig {
    fn default() -> Self {
        SynFloodConfig {
            sources: 100_000,
            seed: 1,
            start_secs: DEFAULT_START_SECS,
            duration_secs: 30,
            victim: net::NAS_IP4,
            victim_port: 80,
            local_net: (Ipv4Addr::new(192, 168, 1, 0), 24),
        }
    }
}

/// True if `a` may be a flood source: public unicast, outside `local`.
fn usable_source(a: u32, local: (u32, u32)) -> bool {
    let top = a >> 24;
    let reserved = top == 0
        || top == 10
        || top == 127
        || top >= 224
        || (a >> 16) == (169 << 8 | 254)
        || (a >> 16) == (192 << 8 | 168)
        || (a >> 20) == (172 << 4 | 1)
        || (a & local.1) == local.0;
    !reserved
}

/// A bijection of the 32-bit integers keyed by `key` (xor-shifts and odd multipliers are
/// each invertible modulo 2³²), so distinct counters give distinct addresses.
fn permute(i: u32, key: u32) -> u32 {
    let mut x = i.wrapping_add(key);
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x ^ key.rotate_left(13)
}

/// Calls `sink` for every frame of the flood, in timestamp order, and returns the
/// summary (or the first error of `sink`). Constant memory.
///
/// # Errors
/// The first error `sink` returns.
pub fn for_each_syn_flood_frame<F>(cfg: &SynFloodConfig, mut sink: F) -> io::Result<GenSummary>
where
    F: FnMut(u64, &[u8]) -> io::Result<()>,
{
    let mut summary = GenSummary::default();
    let n = cfg.sources;
    let start = cfg.start_secs.saturating_mul(1_000_000);
    let dur = cfg.duration_secs.max(1).saturating_mul(1_000_000);
    let mut rng = GenRng::derive(cfg.seed ^ 0x666c_6f6f_6421, 0);
    let mut key_state = cfg.seed ^ 0x5379_6e46;
    let key = splitmix64(&mut key_state) as u32;
    let prefix = u32::from(cfg.local_net.1.min(32));
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let local = (u32::from(cfg.local_net.0) & mask, mask);
    let victim = u32::from(cfg.victim);
    let mut counter: u64 = 0;
    let mut frame = Vec::with_capacity(64);
    for i in 0..n {
        // Next usable address of the permutation (most draws are usable).
        let src = loop {
            if counter > u64::from(u32::MAX) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("a SYN flood has at most {i} distinct IPv4 sources, not {n}"),
                ));
            }
            let a = permute(counter as u32, key);
            counter += 1;
            if usable_source(a, local) && a != victim {
                break a;
            }
        };
        let lo = (u128::from(dur) * u128::from(i) / u128::from(n)) as u64;
        let hi = (u128::from(dur) * u128::from(i + 1) / u128::from(n)) as u64;
        let ts = start
            + if hi > lo {
                rng.random_range(lo..hi)
            } else {
                lo
            };
        let t = TcpSpec {
            src_port: rng.random_range(1024..=65_535),
            dst_port: cfg.victim_port,
            seq: rng.random(),
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
                src: Ipv4Addr::from(src),
                dst: cfg.victim,
                ttl: rng.random_range(40..=120),
                id: rng.random(),
                dont_fragment: false,
            },
            l4: L4Spec::Tcp(t),
        };
        frame::write_frame(&mut frame, &h, &[], frame::MIN_FRAME_LEN);
        if summary.frames == 0 {
            summary.first_ts_micros = ts;
        }
        summary.last_ts_micros = ts;
        summary.frames += 1;
        summary.bytes += frame.len() as u64;
        sink(ts, &frame)?;
    }
    summary.flows = n;
    summary.scenario_flows = n;
    summary.by_kind.insert("random_syn_flood", n);
    Ok(summary)
}

/// Writes the flood for `cfg` to `out` as a classic pcap (buffered internally) and
/// returns its summary. Constant memory.
///
/// # Errors
/// A write error, or more sources than the IPv4 space holds.
pub fn write_syn_flood<W: Write>(cfg: &SynFloodConfig, out: W) -> io::Result<GenSummary> {
    let mut w = pcap::PcapWriter::new(
        BufWriter::with_capacity(1 << 16, out),
        pcap::LINKTYPE_ETHERNET,
        SNAPLEN,
    )?;
    let summary = for_each_syn_flood_frame(cfg, |ts, f| w.write(ts, f))?;
    w.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection_on_a_sample() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..200_000u32 {
            assert!(seen.insert(permute(i, 0xdead_beef)));
        }
    }

    #[test]
    fn reserved_and_local_addresses_are_skipped() {
        let local = (u32::from(Ipv4Addr::new(192, 168, 1, 0)), 0xffff_ff00);
        for a in [
            "0.1.2.3",
            "127.0.0.1",
            "169.254.9.9",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            let a: Ipv4Addr = a.parse().unwrap();
            assert!(!usable_source(u32::from(a), local), "{a}");
        }
        assert!(!usable_source(
            u32::from(Ipv4Addr::new(192, 168, 1, 77)),
            local
        ));
        assert!(!usable_source(
            u32::from(Ipv4Addr::new(192, 168, 2, 77)),
            local
        ));
        assert!(usable_source(
            u32::from(Ipv4Addr::new(172, 32, 0, 1)),
            local
        ));
        assert!(usable_source(u32::from(Ipv4Addr::new(8, 8, 8, 8)), local));
    }
}
