//! The flow tuple of a plain frame, read without a full [`decode`]: the dispatcher of
//! worker shards needs only a flow's addresses and ports to pick its worker, for every
//! frame of the interface.
//!
//! [`plain_tuple`] reads the common case (an Ethernet frame, up to two VLAN tags,
//! IPv4, or IPv6 without extension headers, then TCP or UDP) by the rules of the
//! decoder's header parsers, and answers `None` for everything else (other link types,
//! MPLS, PPPoE, tunnels, ICMP, damaged headers, non-first fragments, UDP on a tunnel
//! port): the caller decodes those frames fully. When it answers, [`decode`] gives the same addresses, ports, protocol
//! and outer VLAN; `crate::fuzzing` checks this on every fuzzed and corpus frame.

use std::net::IpAddr;

use crate::bytes::{array_at, be16, u8_at};
use crate::ip::proto;
use crate::l4;
use crate::link::ethertype;
use crate::packet::may_be_udp_tunnel;
use crate::{LinkType, decode};

/// Most VLAN tags [`plain_tuple`] reads (802.1Q, and QinQ's outer tag).
const MAX_TAGS: usize = 2;

/// Addresses, ports and outer VLAN of a TCP or UDP packet, as sent (not canonical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlainTuple {
    /// Outer VLAN id, 0 when untagged.
    pub vlan: u16,
    /// IP protocol: 6 (TCP) or 17 (UDP).
    pub proto: u8,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
}

/// The tuple of a plain TCP or UDP frame, or `None` when the frame needs a full
/// [`decode`] to tell (see the module documentation). Never panics.
///
/// It reads the headers itself, applying the checks of the decoder's parsers (version,
/// header lengths, total and payload lengths, fragment offset, TCP data offset, UDP
/// length) and leaving anything rarer (IPv6 extension headers) to [`decode`]: a lean
/// read the compiler keeps in registers, for every frame of a sharded interface.
#[inline]
pub fn plain_tuple(linktype: LinkType, frame: &[u8]) -> Option<PlainTuple> {
    if linktype != LinkType::Ethernet || frame.len() < 14 {
        return None;
    }
    let mut et = be16(frame, 12);
    let mut off = 14;
    let mut vlan = None;
    for _ in 0..MAX_TAGS {
        if !matches!(et, ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD) {
            break;
        }
        if frame.len() < off + 4 {
            return None;
        }
        vlan.get_or_insert(be16(frame, off) & 0x0fff);
        et = be16(frame, off + 2);
        off += 4;
    }
    let (proto, src, dst, start, end) = match et {
        ethertype::IPV4 => ipv4(frame, off)?,
        ethertype::IPV6 => ipv6(frame, off)?,
        _ => return None,
    };
    let seg = frame.get(start..end)?;
    let (sport, dport) = match proto {
        proto::TCP => {
            let data_off = usize::from(u8_at(seg, 12) >> 4) * 4;
            if seg.len() < 20 || data_off < 20 || seg.len() < data_off {
                return None;
            }
            (be16(seg, 0), be16(seg, 2))
        }
        proto::UDP => {
            let claimed = be16(seg, 4);
            if seg.len() < 8 || (claimed != 0 && claimed < 8) {
                return None;
            }
            let (sport, dport) = (be16(seg, 0), be16(seg, 2));
            if may_be_udp_tunnel(sport, dport) {
                return None;
            }
            (sport, dport)
        }
        _ => return None,
    };
    Some(PlainTuple {
        vlan: vlan.unwrap_or(0),
        proto,
        src,
        dst,
        sport,
        dport,
    })
}

/// Protocol, addresses and payload bounds of an IPv4 header that carries its
/// transport header (not a later fragment), by the rules of `ip::parse_ipv4`.
#[inline]
fn ipv4(frame: &[u8], off: usize) -> Option<(u8, IpAddr, IpAddr, usize, usize)> {
    let h: &[u8; 20] = frame.get(off..off + 20)?.try_into().ok()?;
    let avail = frame.len() - off;
    let ihl = usize::from(h[0] & 0x0f) * 4;
    if h[0] >> 4 != 4 || ihl < 20 || avail < ihl {
        return None;
    }
    let total = match usize::from(u16::from_be_bytes([h[2], h[3]])) {
        0 => avail,
        t => t,
    };
    let frag_offset = u16::from_be_bytes([h[6], h[7]]) & 0x1fff;
    if total < ihl || frag_offset != 0 {
        return None;
    }
    let src = IpAddr::from([h[12], h[13], h[14], h[15]]);
    let dst = IpAddr::from([h[16], h[17], h[18], h[19]]);
    Some((h[9], src, dst, off + ihl, off + total.min(avail)))
}

/// Protocol, addresses and payload bounds of an IPv6 header directly followed by its
/// transport header, by the rules of `ip::parse_ipv6`; `None` with extension headers.
#[inline]
fn ipv6(frame: &[u8], off: usize) -> Option<(u8, IpAddr, IpAddr, usize, usize)> {
    let h: &[u8; 40] = frame.get(off..off + 40)?.try_into().ok()?;
    let next = h[6];
    if h[0] >> 4 != 6 || !matches!(next, proto::TCP | proto::UDP) {
        return None;
    }
    let avail = frame.len() - off - 40;
    let payload = usize::from(u16::from_be_bytes([h[4], h[5]]));
    let src = IpAddr::from(array_at::<16>(h, 8));
    let dst = IpAddr::from(array_at::<16>(h, 24));
    Some((next, src, dst, off + 40, off + 40 + payload.min(avail)))
}

/// What [`decode`] makes of a frame [`plain_tuple`] answered for, as a tuple; `None`
/// when it is not a plain TCP or UDP packet. The reference the checks compare with.
pub fn decoded_tuple(linktype: LinkType, frame: &[u8]) -> Option<PlainTuple> {
    let p = decode(linktype, frame).ok()?;
    if p.tunnel.is_some() {
        return None;
    }
    let ip = p.ip?;
    let (proto, (sport, dport)) = match p.l4? {
        l4::L4Repr::Tcp(t) => (proto::TCP, (t.src_port, t.dst_port)),
        l4::L4Repr::Udp(u) => (proto::UDP, (u.src_port, u.dst_port)),
        _ => return None,
    };
    Some(PlainTuple {
        vlan: p.vlan().unwrap_or(0),
        proto,
        src: ip.src,
        dst: ip.dst,
        sport,
        dport,
    })
}
