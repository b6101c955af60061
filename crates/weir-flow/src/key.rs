//! The canonical flow key: one lookup finds both directions.

use std::net::IpAddr;

use weir_decode::{L4Repr, Packet};

/// Identifies a flow independently of direction: VLAN, L4 protocol and the two
/// endpoints, the lower `(ip, port)` first. For ICMP/ICMPv6 the "ports" hold the echo
/// identifier and a normalised type/code (request and reply map to the same flow), as
/// nDPI and ntopng key them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Lower endpoint address.
    pub a: IpAddr,
    /// Higher endpoint address.
    pub b: IpAddr,
    /// Port of `a` (ICMP: identifier).
    pub a_port: u16,
    /// Port of `b` (ICMP: normalised type << 8 | code).
    pub b_port: u16,
    /// VLAN id (0 = untagged).
    pub vlan: u16,
    /// IP protocol number.
    pub proto: u8,
}

/// The endpoints of one packet as seen on the wire, before canonicalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoints {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port (0 for port-less protocols).
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
}

/// Normalises an ICMP type so that a request and its reply share a key.
fn icmp_class(v6: bool, ty: u8) -> u8 {
    if v6 {
        match ty {
            129 => 128,
            _ => ty,
        }
    } else {
        match ty {
            0 => 8,
            14 => 13,
            16 => 15,
            18 => 17,
            _ => ty,
        }
    }
}

impl FlowKey {
    /// Builds the key of a packet and tells whether the packet's source is `a`.
    /// `None` if the packet has no IP layer.
    pub fn from_packet(pkt: &Packet<'_>) -> Option<(FlowKey, Endpoints, bool)> {
        let ip = pkt.ip?;
        let vlan = pkt.vlan().unwrap_or(0);
        let (proto, sport, dport, icmp) = match pkt.l4 {
            Some(L4Repr::Tcp(t)) => (6, t.src_port, t.dst_port, None),
            Some(L4Repr::Udp(u)) => (17, u.src_port, u.dst_port, None),
            Some(L4Repr::Icmp(i)) => (1, 0, 0, Some((false, i))),
            Some(L4Repr::Icmpv6(i)) => (58, 0, 0, Some((true, i))),
            None => (ip.protocol, 0, 0, None),
        };
        let ep = Endpoints {
            src: ip.src,
            dst: ip.dst,
            sport,
            dport,
        };
        Some(match icmp {
            Some((v6, i)) => {
                let aux = u16::from_be_bytes([icmp_class(v6, i.icmp_type), i.code]);
                let src_is_a = ip.src <= ip.dst;
                let (a, b) = if src_is_a {
                    (ip.src, ip.dst)
                } else {
                    (ip.dst, ip.src)
                };
                (
                    FlowKey {
                        a,
                        b,
                        a_port: i.id,
                        b_port: aux,
                        vlan,
                        proto,
                    },
                    ep,
                    src_is_a,
                )
            }
            None => {
                let key = FlowKey::new(vlan, proto, (ip.src, sport), (ip.dst, dport));
                (key.0, ep, key.1)
            }
        })
    }

    /// Canonical key of a port-based flow; the bool is true if `x` became `a`.
    pub fn new(vlan: u16, proto: u8, x: (IpAddr, u16), y: (IpAddr, u16)) -> (FlowKey, bool) {
        let x_first = x <= y;
        let (l, h) = if x_first { (x, y) } else { (y, x) };
        (
            FlowKey {
                a: l.0,
                b: h.0,
                a_port: l.1,
                b_port: h.1,
                vlan,
                proto,
            },
            x_first,
        )
    }

    /// True for ICMP and ICMPv6 keys (whose ports are not ports).
    pub fn is_icmp(&self) -> bool {
        self.proto == 1 || self.proto == 58
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric() {
        let x = ("10.0.0.1".parse().unwrap(), 1234);
        let y = ("10.0.0.2".parse().unwrap(), 80);
        let (k1, f1) = FlowKey::new(0, 6, x, y);
        let (k2, f2) = FlowKey::new(0, 6, y, x);
        assert_eq!(k1, k2);
        assert_ne!(f1, f2);
        // Same address, different ports.
        let z = ("10.0.0.1".parse().unwrap(), 80);
        assert_eq!(FlowKey::new(0, 17, x, z).0, FlowKey::new(0, 17, z, x).0);
    }
}
