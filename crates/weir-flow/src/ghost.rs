//! Ghost networks seen in IP traffic: hosts whose address only exists on a local
//! segment (private, shared, link-local or unique-local ranges) but lies outside every
//! configured local network — a subnet nobody declared: a rogue DHCP server or router,
//! a device that fell back to a link-local address, a forgotten lab network.
//!
//! The engine notes ghost peers here, by subnet (/24 for IPv4, /64 for IPv6), so the
//! `ghost_networks` plugin reads one small table a minute instead of looking at every
//! flow in Lua. A peer counts from its second flow, or when its only flow is answered:
//! the spoofed sources of a flood (one unanswered packet each) make no ghost network. Memory is bounded: at most [`MAX_NETS`] subnets (the
//! one seen longest ago makes room) and [`MAX_HOSTS_LISTED`] addresses listed per
//! subnet (the rest only counted).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

/// Subnets kept at most.
pub const MAX_NETS: usize = 1024;

/// Addresses listed per subnet at most (more are counted in [`GhostNet::hosts_seen`]).
pub const MAX_HOSTS_LISTED: usize = 32;

/// One ghost subnet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GhostNet {
    /// Flows with a peer in the subnet (a flow between two of its hosts counts twice).
    pub flows: u64,
    /// Last flow start, epoch seconds.
    pub last_seen: u64,
    /// The first [`MAX_HOSTS_LISTED`] addresses seen in it.
    pub hosts: BTreeSet<IpAddr>,
    /// Distinct addresses noted, listed or not (an address met again after the list
    /// filled up is counted again).
    pub hosts_seen: u64,
}

/// The ghost subnets of an interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GhostNets {
    nets: BTreeMap<IpNet, GhostNet>,
}

/// Whether `ip` is in a range that only exists on local segments: RFC 1918, the
/// shared address space (RFC 6598), IPv4 link-local, IPv6 unique-local. (IPv6
/// link-local is left out: every IPv6 interface has one.)
pub fn local_looking(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            a == 10
                || (a == 172 && (16..32).contains(&b))
                || (a == 192 && b == 168)
                || (a == 100 && (64..128).contains(&b))
                || (a == 169 && b == 254)
        }
        IpAddr::V6(v6) => v6.segments()[0] & 0xfe00 == 0xfc00,
    }
}

/// The subnet a ghost address is reported in: its /24 (IPv4) or /64 (IPv6).
pub fn subnet_of(ip: IpAddr) -> IpNet {
    let len = if ip.is_ipv4() { 24 } else { 64 };
    IpNet::new(ip, len).map_or_else(|_| IpNet::from(ip), |n| n.trunc())
}

impl GhostNets {
    /// Adds another shard's ghost subnets (flows add up, listed hosts join up to the
    /// cap; `hosts_seen` takes the larger count: an address seen on two shards is
    /// one address).
    pub fn absorb(&mut self, o: &GhostNets) {
        for (net, g) in &o.nets {
            let e = self.nets.entry(*net).or_default();
            e.flows += g.flows;
            e.last_seen = e.last_seen.max(g.last_seen);
            for ip in &g.hosts {
                if e.hosts.len() < MAX_HOSTS_LISTED {
                    e.hosts.insert(*ip);
                }
            }
            e.hosts_seen = e.hosts_seen.max(g.hosts_seen).max(e.hosts.len() as u64);
        }
    }

    /// Notes a flow starting at `secs` with the ghost peer `ip`.
    pub fn note(&mut self, ip: IpAddr, secs: u64) {
        let net = subnet_of(ip);
        if !self.nets.contains_key(&net) && self.nets.len() >= MAX_NETS {
            let oldest = self
                .nets
                .iter()
                .min_by_key(|(_, g)| g.last_seen)
                .map(|(n, _)| *n);
            if let Some(n) = oldest {
                self.nets.remove(&n);
            }
        }
        let g = self.nets.entry(net).or_default();
        g.flows += 1;
        g.last_seen = g.last_seen.max(secs);
        if g.hosts.contains(&ip) {
            return;
        }
        g.hosts_seen += 1;
        if g.hosts.len() < MAX_HOSTS_LISTED {
            g.hosts.insert(ip);
        }
    }

    /// Forgets the subnets not seen since `secs`.
    pub fn expire(&mut self, secs: u64) {
        self.nets.retain(|_, g| g.last_seen >= secs);
    }

    /// The subnets, in address order.
    pub fn iter(&self) -> impl Iterator<Item = (&IpNet, &GhostNet)> {
        self.nets.iter()
    }

    /// Number of subnets.
    pub fn len(&self) -> usize {
        self.nets.len()
    }

    /// No subnet.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges() {
        for a in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.1",
            "192.168.9.9",
            "100.64.0.1",
            "169.254.77.12",
            "fd00:1::1",
        ] {
            assert!(local_looking(ip(a)), "{a}");
        }
        for a in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "fe80::1",
            "2001:db8::1",
        ] {
            assert!(!local_looking(ip(a)), "{a}");
        }
    }

    #[test]
    fn subnets_and_bounds() {
        let mut g = GhostNets::default();
        g.note(ip("169.254.77.12"), 10);
        g.note(ip("169.254.77.12"), 20);
        g.note(ip("169.254.77.13"), 15);
        g.note(ip("fd00:1::5"), 30);
        let v: Vec<_> = g.iter().collect();
        assert_eq!(v.len(), 2);
        let (net, first) = v[0];
        assert_eq!(net.to_string(), "169.254.77.0/24");
        assert_eq!((first.flows, first.last_seen, first.hosts_seen), (3, 20, 2));
        assert_eq!(v[1].0.to_string(), "fd00:1::/64");
        for i in 0..(MAX_NETS as u32 + 10) {
            let a = std::net::Ipv4Addr::from(0x0a00_0000 + (i << 8));
            g.note(IpAddr::V4(a), 100 + u64::from(i));
        }
        assert_eq!(g.len(), MAX_NETS);
        for i in 0..100u32 {
            g.note(IpAddr::V4(std::net::Ipv4Addr::from(0x0a63_0000 + i)), 5000);
        }
        let big = g
            .iter()
            .find(|(n, _)| n.to_string() == "10.99.0.0/24")
            .unwrap()
            .1;
        assert_eq!((big.hosts.len(), big.hosts_seen), (MAX_HOSTS_LISTED, 100));
        g.expire(5000);
        assert_eq!(g.len(), 1);
    }
}
