//! Local networks (CIDR list, IPv4 and IPv6) and their counters. A sorted prefix list
//! (longest prefix first) is used: deployments configure a handful of networks, for
//! which a linear scan beats a trie.

use std::net::IpAddr;

use ipnet::IpNet;

/// Counters of one local network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The CIDR.
    pub cidr: IpNet,
    /// Index in configuration order (`network_id`).
    pub id: usize,
    /// Bytes from inside to outside.
    pub bytes_egress: u64,
    /// Bytes from outside to inside.
    pub bytes_ingress: u64,
    /// Bytes between two hosts of the network.
    pub bytes_inner: u64,
    /// Bytes from a host of the network to its broadcast address or to
    /// 255.255.255.255 (also counted in `bytes_inner` / `bytes_egress`).
    pub bytes_broadcast: u64,
    /// Packets (any direction).
    pub packets: u64,
    /// Hosts currently in the host table.
    pub hosts: u32,
    /// Flows started by hosts of the network.
    pub flows: u64,
    /// Sum of host scores (updated at ticks).
    pub score: u64,
}

/// The local networks.
#[derive(Debug, Clone, Default)]
pub struct Networks {
    nets: Vec<Network>,
    /// Indices into `nets`, longest prefix first.
    order: Vec<usize>,
}

impl Networks {
    /// Builds the list (configuration order gives the ids).
    pub fn new(cidrs: &[IpNet]) -> Networks {
        let nets: Vec<Network> = cidrs
            .iter()
            .enumerate()
            .map(|(id, c)| Network {
                cidr: c.trunc(),
                id,
                bytes_egress: 0,
                bytes_ingress: 0,
                bytes_inner: 0,
                bytes_broadcast: 0,
                packets: 0,
                hosts: 0,
                flows: 0,
                score: 0,
            })
            .collect();
        let mut order: Vec<usize> = (0..nets.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(nets.get(i).map_or(0, |n| n.cidr.prefix_len())));
        Networks { nets, order }
    }

    /// Replaces the networks' counters with `merged` (same networks, same order: the
    /// merged view of a sharded interface's workers).
    pub fn replace_counters(&mut self, merged: Vec<Network>) {
        for (n, m) in self.nets.iter_mut().zip(merged) {
            if n.id == m.id {
                *n = m;
            }
        }
    }

    /// The network id holding `ip` (longest prefix), if any.
    pub fn lookup(&self, ip: IpAddr) -> Option<usize> {
        self.order
            .iter()
            .copied()
            .find(|&i| self.nets.get(i).is_some_and(|n| n.cidr.contains(&ip)))
    }

    /// A network by id.
    pub fn get(&self, id: usize) -> Option<&Network> {
        self.nets.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: usize) -> Option<&mut Network> {
        self.nets.get_mut(id)
    }

    /// All networks in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Network> {
        self.nets.iter()
    }

    /// Number of networks.
    pub fn len(&self) -> usize {
        self.nets.len()
    }

    /// True if none configured.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix() {
        let n = Networks::new(&[
            "10.0.0.0/8".parse().unwrap(),
            "10.1.0.0/16".parse().unwrap(),
            "fd00::/8".parse().unwrap(),
        ]);
        assert_eq!(n.lookup("10.1.2.3".parse().unwrap()), Some(1));
        assert_eq!(n.lookup("10.2.2.3".parse().unwrap()), Some(0));
        assert_eq!(n.lookup("fd12::1".parse().unwrap()), Some(2));
        assert_eq!(n.lookup("8.8.8.8".parse().unwrap()), None);
    }
}
