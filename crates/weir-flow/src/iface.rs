//! Interface counters: totals, throughput, drops, L4 and L7 breakdowns.

use crate::proto::Proto;

/// Counters of one L4 protocol.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct L4Counter {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Traffic of one L7 protocol on the interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IfaceL7 {
    /// Bytes.
    pub bytes: u64,
    /// Packets.
    pub packets: u64,
    /// Flows (counted when detection completes).
    pub flows: u64,
}

/// Most broadcast domains an interface keeps (ARP from more /24 networks is not
/// tracked).
pub const MAX_BCAST_DOMAINS: usize = 256;

/// A broadcast domain: a /24 network ARP senders were seen in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BcastDomain {
    /// ARP packets whose sender is in the network.
    pub hits: u64,
    /// The network is outside every configured local network (ntopng's ghost
    /// network: hosts on a segment nobody declared); false without local networks.
    pub ghost_network: bool,
}

/// Interface counters.
#[derive(Debug, Clone, Default)]
pub struct Interface {
    /// Packet time of the first decoded frame, in microseconds (0 before any): with
    /// the engine's clock, the time range of a replay.
    pub first_packet_us: u64,
    /// Frames seen.
    pub packets: u64,
    /// Bytes seen (wire length).
    pub bytes: u64,
    /// Frames without an IP layer (ARP, undecodable).
    pub non_ip: u64,
    /// Frames whose decoding stopped early.
    pub decode_errors: u64,
    /// IP fragments.
    pub fragments: u64,
    /// Flows created.
    pub flows_created: u64,
    /// Flows ended (idle, closed, end of capture).
    pub flows_ended: u64,
    /// Flows evicted because the table was full (counted as drops).
    pub flows_evicted: u64,
    /// Hosts created.
    pub hosts_created: u64,
    /// Hosts evicted because the host table was full: the least recently idle host
    /// without flows and without engaged alerts makes room for a new one.
    pub hosts_evicted: u64,
    /// Flow endpoints left without a host because the host table was full and no
    /// host could be evicted (every host busy with flows or pinned by an alert).
    pub hosts_untracked: u64,
    /// Capacity of the flow table (`max_flows`): when `flows_created - flows_ended`
    /// reaches it, every new flow evicts the least recently seen one.
    pub max_flows: u64,
    /// Capacity of the host table (`max_hosts`): when it is reached, every new host
    /// evicts the least recently idle one.
    pub max_hosts: u64,
    /// Local hosts in the table.
    pub local_hosts: u64,
    /// Hosts in the table, at the last tick.
    pub hosts_in_table: u64,
    /// Hosts that were idle in the table (no flows, quiet for the idle timeout)
    /// and were purged at the last minute's purge.
    pub hosts_idle: u64,
    /// Flows that were idle in the table (quiet for their idle timeout) and were
    /// ended at the last visit (at most one visit interval after their timeout).
    pub flows_idle: u64,
    /// Frames the capture lost before the engine saw them (kernel and interface drops
    /// of a live capture, frames dropped because the engine fell behind, pcapng
    /// Interface Statistics Blocks), counted at the packet time they were reported.
    pub drops: u64,
    /// TCP, UDP, ICMP (v4+v6), other.
    pub l4: [L4Counter; 4],
    /// L7 breakdown, indexed by protocol id (sparse).
    pub l7: std::collections::BTreeMap<u16, IfaceL7>,
    /// IPv4 broadcast domains seen in ARP traffic, by /24 network of the ARP sender
    /// (at most [`MAX_BCAST_DOMAINS`]).
    pub bcast_domains: std::collections::BTreeMap<crate::IpNet, BcastDomain>,
    /// Ghost subnets seen in IP traffic (bounded; see [`crate::ghost`]).
    pub ghost_nets: crate::ghost::GhostNets,
    /// Throughput over the last visit interval, bits/s.
    pub throughput_bps: f64,
    /// Throughput over the last visit interval, packets/s.
    pub throughput_pps: f64,
    pub(crate) last_tp_packets: u64,
    /// Packets and bytes between the last two visits (throughput of a merged view).
    pub(crate) tp_delta: (u64, u64),
    pub(crate) last_tp_bytes: u64,
}

impl Interface {
    /// L4 counter index of an IP protocol.
    pub fn l4_index(proto: u8) -> usize {
        match proto {
            6 => 0,
            17 => 1,
            1 | 58 => 2,
            _ => 3,
        }
    }

    /// Flows in the table.
    pub fn active_flows(&self) -> u64 {
        self.flows_created.saturating_sub(self.flows_ended)
    }

    /// True when the flow table is at its capacity (a new flow evicts one).
    pub fn flow_table_full(&self) -> bool {
        self.max_flows > 0 && self.active_flows() >= self.max_flows
    }

    /// True when the host table was at its capacity at the last tick (a new host
    /// evicts one).
    pub fn host_table_full(&self) -> bool {
        self.max_hosts > 0 && self.hosts_in_table >= self.max_hosts
    }

    /// Names of the L4 counters, in index order.
    pub const L4_NAMES: [&'static str; 4] = ["TCP", "UDP", "ICMP", "Other"];

    /// Counts an ARP packet in the broadcast domain of its sender.
    pub(crate) fn add_arp(&mut self, sender: std::net::Ipv4Addr, ghost: impl FnOnce() -> bool) {
        if sender.is_unspecified() {
            return;
        }
        let Ok(net) = crate::IpNet::new(std::net::IpAddr::V4(sender), 24) else {
            return;
        };
        let net = net.trunc();
        let n = self.bcast_domains.len();
        match self.bcast_domains.get_mut(&net) {
            Some(d) => d.hits += 1,
            None if n < MAX_BCAST_DOMAINS => {
                self.bcast_domains.insert(
                    net,
                    BcastDomain {
                        hits: 1,
                        ghost_network: ghost(),
                    },
                );
            }
            None => {}
        }
    }

    pub(crate) fn add_l7(&mut self, p: Proto, bytes: u64, packets: u64, flows: u64) {
        let e = self.l7.entry(p.0).or_default();
        e.bytes += bytes;
        e.packets += packets;
        e.flows += flows;
    }
}

#[cfg(test)]
mod tests {
    use weir_decode::{LinkType, Timestamp, decode};

    use crate::engine::{Consumer, Engine, EngineConfig, Tick};
    use crate::host::Host;

    use super::Interface;

    fn udp(src: u8) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, src, 0x08, 0x00];
        f.extend([
            0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, src, 10, 0, 0, 1,
        ]);
        f.extend(40000u16.to_be_bytes());
        f.extend(7000u16.to_be_bytes());
        f.extend([0, 12, 0, 0, b'd', b'a', b't', b'a']);
        f
    }

    #[derive(Default)]
    struct Log(Vec<String>);

    impl Consumer for Log {
        fn interface_tick(&mut self, t: Tick, now: Timestamp, i: &Interface) {
            if t == Tick::Min {
                self.0
                    .push(format!("tick {} drops {}", now.as_secs(), i.drops));
            }
        }
        fn host_purged(&mut self, now: Timestamp, h: &Host) {
            self.0.push(format!("purged {} at {}", h.ip, now.as_secs()));
        }
    }

    const T0: u64 = 1_699_999_980; // a minute boundary

    fn at(s: u64) -> Timestamp {
        Timestamp(s * 1_000_000)
    }

    #[test]
    fn capture_drops_in_packet_time_and_table_capacity() {
        let mut e = Engine::new(EngineConfig {
            max_flows: 500,
            ..EngineConfig::default()
        });
        assert_eq!(e.interface().max_flows, 500);
        let mut log = Log::default();
        let f = udp(5);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        e.process(at(T0 + 1), f.len() as u32, &p, &mut log);
        e.capture_drops(at(T0 + 30), 7, &mut log);
        // Drops reported after the minute boundary count in the next minute: the
        // tick at T0+60 runs before they are added.
        e.capture_drops(at(T0 + 61), 5, &mut log);
        e.process(at(T0 + 119), f.len() as u32, &p, &mut log);
        e.process(at(T0 + 121), f.len() as u32, &p, &mut log);
        let ticks: Vec<&String> = log.0.iter().filter(|l| l.starts_with("tick")).collect();
        assert_eq!(
            ticks,
            [
                &format!("tick {} drops 7", T0 + 60),
                &format!("tick {} drops 12", T0 + 120)
            ]
        );
        assert_eq!(e.interface().drops, 12);
        assert_eq!(e.interface().active_flows(), 1);
        assert!(!e.interface().flow_table_full());
    }

    #[test]
    fn idle_hosts_are_purged_with_an_event() {
        let mut e = Engine::new(EngineConfig::default());
        let mut log = Log::default();
        let (a, b) = (udp(5), udp(9));
        let (pa, pb) = (
            decode(LinkType::Ethernet, &a).unwrap(),
            decode(LinkType::Ethernet, &b).unwrap(),
        );
        e.process(at(T0 + 1), a.len() as u32, &pa, &mut log);
        for s in (1..200).step_by(10) {
            e.process(at(T0 + s), b.len() as u32, &pb, &mut log);
        }
        let purged: Vec<&String> = log.0.iter().filter(|l| l.starts_with("purged")).collect();
        // 10.0.0.5's flow ends idle at the visit of T0+65; the host goes at the first
        // minute tick after it (T0+120, reached by the packet at T0+121).
        assert_eq!(purged, [&format!("purged 10.0.0.5 at {}", T0 + 121)]);
        assert_eq!(e.hosts().len(), 2);
    }
}
