//! Address sets and prefix maps.
//!
//! [`IpSet`] holds the networks of a block list as sorted, merged, disjoint address
//! ranges (one vector per family): a lookup is one binary search, O(log n), whatever
//! the mix of single addresses and prefixes. [`PrefixMap`] maps networks to a value
//! with longest-prefix match: one hash map per prefix length present, walked from the
//! longest length down (at most 33 or 129 probes, usually a handful).

use std::net::IpAddr;

use hashbrown::HashMap;
use ipnet::IpNet;

/// A set of IPv4 and IPv6 networks, merged into disjoint ranges.
#[derive(Debug, Clone, Default)]
pub struct IpSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

fn merge<T: Ord + Copy>(mut r: Vec<(T, T)>, next: impl Fn(T) -> Option<T>) -> Vec<(T, T)> {
    r.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(r.len());
    for (lo, hi) in r {
        if let Some(last) = out.last_mut() {
            // Overlapping or adjacent: extend the previous range.
            if lo <= last.1 || next(last.1) == Some(lo) {
                last.1 = last.1.max(hi);
                continue;
            }
        }
        out.push((lo, hi));
    }
    out.shrink_to_fit();
    out
}

fn find<T: Ord + Copy>(r: &[(T, T)], x: T) -> bool {
    let i = r.partition_point(|&(lo, _)| lo <= x);
    i > 0 && r.get(i - 1).is_some_and(|&(_, hi)| x <= hi)
}

impl IpSet {
    /// The set of `nets`.
    pub fn new(nets: impl IntoIterator<Item = IpNet>) -> IpSet {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for n in nets {
            match n {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        IpSet {
            v4: merge(v4, |x| x.checked_add(1)),
            v6: merge(v6, |x| x.checked_add(1)),
        }
    }

    /// Whether `ip` is in one of the networks. IPv4-mapped IPv6 addresses are looked
    /// up as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => find(&self.v4, u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(a) => find(&self.v4, u32::from(a)),
                None => find(&self.v6, u128::from(a)),
            },
        }
    }

    /// Disjoint ranges kept (after merging).
    pub fn ranges(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// True if nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.ranges() == 0
    }
}

/// Networks mapped to values, longest prefix first.
#[derive(Debug, Clone)]
pub struct PrefixMap<V> {
    /// `(prefix length, map of masked network → value)`, longest first; IPv4 networks
    /// are stored as IPv4-mapped IPv6 (`len + 96`).
    by_len: Vec<(u8, HashMap<u128, V, foldhash::fast::FixedState>)>,
}

impl<V> Default for PrefixMap<V> {
    fn default() -> Self {
        PrefixMap { by_len: Vec::new() }
    }
}

fn as_v6(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn mask(x: u128, len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        x & (u128::MAX << (128 - u32::from(len.min(128))))
    }
}

impl<V> PrefixMap<V> {
    /// Maps `net` to `v` (replacing the value of the same network).
    pub fn insert(&mut self, net: IpNet, v: V) {
        let (addr, len) = match net {
            IpNet::V4(n) => (IpAddr::V4(n.network()), n.prefix_len().saturating_add(96)),
            IpNet::V6(n) => (IpAddr::V6(n.network()), n.prefix_len()),
        };
        let key = mask(as_v6(addr), len);
        let i = match self.by_len.iter().position(|(l, _)| *l <= len) {
            Some(i) if self.by_len.get(i).is_some_and(|(l, _)| *l == len) => i,
            Some(i) => {
                self.by_len.insert(i, (len, HashMap::default()));
                i
            }
            None => {
                self.by_len.push((len, HashMap::default()));
                self.by_len.len() - 1
            }
        };
        if let Some((_, m)) = self.by_len.get_mut(i) {
            m.insert(key, v);
        }
    }

    /// The value of the longest network containing `ip`.
    pub fn get(&self, ip: IpAddr) -> Option<&V> {
        if self.by_len.is_empty() {
            return None;
        }
        let x = as_v6(ip);
        self.by_len.iter().find_map(|(len, m)| {
            let k = mask(x, *len);
            m.get(&k)
        })
    }

    /// Networks mapped.
    pub fn len(&self) -> usize {
        self.by_len.iter().map(|(_, m)| m.len()).sum()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.by_len.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn merged_ranges_answer_lookups() {
        let s = IpSet::new(
            [
                "10.0.0.0/8",
                "10.1.0.0/16",
                "192.0.2.7/32",
                "192.0.2.8/32",
                "2001:db8::/32",
            ]
            .map(net),
        );
        assert_eq!(s.ranges(), 3);
        for ip in [
            "10.2.3.4",
            "192.0.2.7",
            "192.0.2.8",
            "2001:db8::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(s.contains(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "11.0.0.0",
            "192.0.2.6",
            "192.0.2.9",
            "2001:db9::1",
            "9.255.255.255",
        ] {
            assert!(!s.contains(ip.parse().unwrap()), "{ip}");
        }
        assert!(
            IpSet::new(["0.0.0.0/0".parse::<IpNet>().unwrap()])
                .contains("1.2.3.4".parse().unwrap())
        );
        assert!(
            IpSet::new(["255.255.255.255/32".parse::<IpNet>().unwrap()])
                .contains("255.255.255.255".parse().unwrap())
        );
    }

    #[test]
    fn longest_prefix_wins() {
        let mut m = PrefixMap::default();
        m.insert(net("10.0.0.0/8"), 1);
        m.insert(net("10.1.0.0/16"), 2);
        m.insert(net("2001:db8::/32"), 3);
        assert_eq!(m.get("10.1.2.3".parse().unwrap()), Some(&2));
        assert_eq!(m.get("10.2.2.3".parse().unwrap()), Some(&1));
        assert_eq!(m.get("2001:db8::5".parse().unwrap()), Some(&3));
        assert_eq!(m.get("11.0.0.1".parse().unwrap()), None);
        assert_eq!(m.len(), 3);
    }
}
