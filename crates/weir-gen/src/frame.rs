//! Ethernet / VLAN / IPv4 / IPv6 / TCP / UDP / ICMP frame builders.
//!
//! [`build`] turns a [`FrameSpec`] into the bytes of one Ethernet frame (without FCS) with
//! correct length fields and checksums: the IPv4 header checksum, and the TCP, UDP, ICMP and
//! ICMPv6 checksums (TCP, UDP and ICMPv6 over their IPv4 or IPv6 pseudo-header).
//!
//! Frames shorter than the Ethernet minimum of 60 bytes (64 on the wire with the FCS) are
//! padded with zero bytes after the IP packet, as a network card would; the IP total length
//! (or IPv6 payload length) still describes the packet without the padding. Use
//! [`build_unpadded`] to get the frame without padding.
//!
//! ```
//! use std::net::Ipv4Addr;
//! use weir_gen::frame::{self, FrameSpec, IpSpec, L4Spec};
//!
//! let spec = FrameSpec {
//!     src_mac: [2, 0, 0, 0, 0, 1],
//!     dst_mac: [2, 0, 0, 0, 0, 2],
//!     vlans: vec![10],
//!     ip: IpSpec::V4 {
//!         src: Ipv4Addr::new(192, 168, 1, 10),
//!         dst: Ipv4Addr::new(192, 168, 1, 1),
//!         ttl: 64,
//!         id: 7,
//!         dont_fragment: false,
//!     },
//!     l4: L4Spec::Udp { src_port: 40000, dst_port: 53 },
//!     payload: b"hello".to_vec(),
//! };
//! let bytes = frame::build(&spec);
//! assert_eq!(bytes.len(), 60); // 14 + 4 + 20 + 8 + 5 = 51, padded to 60
//! assert_eq!(&bytes[12..14], &[0x81, 0x00]); // 802.1Q tag
//! assert_eq!(&bytes[14..16], &[0x00, 0x0a]); // VLAN 10
//! assert_eq!(&bytes[16..18], &[0x08, 0x00]); // IPv4
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};

/// TCP flag FIN.
pub const FIN: u8 = 0x01;
/// TCP flag SYN.
pub const SYN: u8 = 0x02;
/// TCP flag RST.
pub const RST: u8 = 0x04;
/// TCP flag PSH.
pub const PSH: u8 = 0x08;
/// TCP flag ACK.
pub const ACK: u8 = 0x10;
/// TCP flag URG.
pub const URG: u8 = 0x20;
/// TCP flag ECE.
pub const ECE: u8 = 0x40;
/// TCP flag CWR.
pub const CWR: u8 = 0x80;

/// EtherType of IPv4.
pub const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType of IPv6.
pub const ETHERTYPE_IPV6: u16 = 0x86dd;
/// EtherType (TPID) of an 802.1Q VLAN tag.
pub const ETHERTYPE_VLAN: u16 = 0x8100;
/// EtherType (TPID) of an 802.1ad service tag (outer tag of QinQ).
pub const ETHERTYPE_QINQ: u16 = 0x88a8;
/// EtherType used by GRE for transparent Ethernet bridging (inner Ethernet frames).
pub const ETHERTYPE_TEB: u16 = 0x6558;

/// IP protocol number of ICMP.
pub const IPPROTO_ICMP: u8 = 1;
/// IP protocol number of TCP.
pub const IPPROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const IPPROTO_UDP: u8 = 17;
/// IP protocol number of GRE.
pub const IPPROTO_GRE: u8 = 47;
/// IP protocol number of ICMPv6.
pub const IPPROTO_ICMPV6: u8 = 58;

/// UDP port of VXLAN.
pub const VXLAN_PORT: u16 = 4789;

/// Smallest Ethernet frame without FCS; [`build`] pads shorter frames to this length.
pub const MIN_FRAME_LEN: usize = 60;

/// MAC address used as the source of frames built by [`gre`].
pub const GRE_SRC_MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x00, 0x47, 0x01];
/// MAC address used as the destination of frames built by [`gre`].
pub const GRE_DST_MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x00, 0x47, 0x02];

/// Everything needed to build one Ethernet frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSpec {
    /// Source MAC address.
    pub src_mac: [u8; 6],
    /// Destination MAC address.
    pub dst_mac: [u8; 6],
    /// VLAN tags, outermost first. Each value is written verbatim as the 16-bit TCI, so a
    /// plain VLAN id (0..=4095) gives priority 0 and DEI 0. The innermost tag uses TPID
    /// 0x8100 (802.1Q); when there is more than one, the outer ones use 0x88a8 (802.1ad).
    pub vlans: Vec<u16>,
    /// Network layer.
    pub ip: IpSpec,
    /// Transport layer.
    pub l4: L4Spec,
    /// Bytes after the transport header (for ICMP: after the 8-byte echo-style header).
    pub payload: Vec<u8>,
}

/// Network layer of a [`FrameSpec`]. Neither variant carries options or extension headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpSpec {
    /// IPv4 with a 20-byte header.
    V4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
        /// Time to live.
        ttl: u8,
        /// Identification field.
        id: u16,
        /// The DF flag.
        dont_fragment: bool,
    },
    /// IPv6 with the 40-byte fixed header only.
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
        /// Hop limit.
        hop_limit: u8,
        /// Flow label (only the low 20 bits are used).
        flow_label: u32,
    },
}

/// Transport layer of a [`FrameSpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L4Spec {
    /// TCP segment.
    Tcp(TcpSpec),
    /// UDP datagram.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// ICMP message with an echo-style header (type, code, checksum, identifier, sequence):
    /// ICMPv4 under [`IpSpec::V4`], ICMPv6 under [`IpSpec::V6`].
    Icmp {
        /// ICMP type (8/0 echo request/reply for v4, 128/129 for v6).
        icmp_type: u8,
        /// ICMP code.
        code: u8,
        /// Identifier (bytes 4..6 of the ICMP header).
        id: u16,
        /// Sequence number (bytes 6..8 of the ICMP header).
        seq: u16,
    },
}

/// TCP header fields and the options this crate can emit.
///
/// Options are written in the order Linux uses on a SYN: MSS, SACK-permitted, timestamps,
/// window scale, padded with NOPs so that the header length is a multiple of four.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpSpec {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Flags: [`FIN`], [`SYN`], [`RST`], [`PSH`], [`ACK`], [`URG`], [`ECE`], [`CWR`].
    pub flags: u8,
    /// Window field (unscaled, as on the wire).
    pub window: u16,
    /// Maximum segment size option.
    pub mss: Option<u16>,
    /// Window scale option (shift count).
    pub wscale: Option<u8>,
    /// SACK-permitted option.
    pub sack_permitted: bool,
    /// Timestamps option: (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
}

impl TcpSpec {
    /// Length of the TCP header with the options of this spec, in bytes.
    pub fn header_len(&self) -> usize {
        20 + self.options_len()
    }

    fn options_len(&self) -> usize {
        let mut n = 0;
        if self.mss.is_some() {
            n += 4;
        }
        if self.timestamps.is_some() {
            n += 12; // SACK-permitted takes the place of the two NOPs
        } else if self.sack_permitted {
            n += 4;
        }
        if self.wscale.is_some() {
            n += 4;
        }
        n
    }

    fn write_options(&self, out: &mut Vec<u8>) {
        if let Some(mss) = self.mss {
            out.extend_from_slice(&[2, 4]);
            out.extend_from_slice(&mss.to_be_bytes());
        }
        match (self.sack_permitted, self.timestamps) {
            (sack, Some((val, ecr))) => {
                if sack {
                    out.extend_from_slice(&[4, 2]);
                } else {
                    out.extend_from_slice(&[1, 1]);
                }
                out.extend_from_slice(&[8, 10]);
                out.extend_from_slice(&val.to_be_bytes());
                out.extend_from_slice(&ecr.to_be_bytes());
            }
            (true, None) => out.extend_from_slice(&[1, 1, 4, 2]),
            (false, None) => {}
        }
        if let Some(ws) = self.wscale {
            out.extend_from_slice(&[1, 3, 3, ws]);
        }
    }
}

impl L4Spec {
    /// Length of the transport header in bytes.
    pub fn header_len(&self) -> usize {
        match self {
            L4Spec::Tcp(t) => t.header_len(),
            L4Spec::Udp { .. } | L4Spec::Icmp { .. } => 8,
        }
    }
}

/// Builds the frame described by `spec`, padded to [`MIN_FRAME_LEN`] bytes if shorter.
pub fn build(spec: &FrameSpec) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + spec.payload.len());
    write_frame(
        &mut out,
        &Headers {
            src_mac: spec.src_mac,
            dst_mac: spec.dst_mac,
            vlans: &spec.vlans,
            ip: spec.ip,
            l4: spec.l4,
        },
        &spec.payload,
        MIN_FRAME_LEN,
    );
    out
}

/// Builds the frame described by `spec` without Ethernet padding.
pub fn build_unpadded(spec: &FrameSpec) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + spec.payload.len());
    write_frame(
        &mut out,
        &Headers {
            src_mac: spec.src_mac,
            dst_mac: spec.dst_mac,
            vlans: &spec.vlans,
            ip: spec.ip,
            l4: spec.l4,
        },
        &spec.payload,
        0,
    );
    out
}

/// Builds a VXLAN frame: `outer` (whose `l4` must be [`L4Spec::Udp`], normally with
/// destination port [`VXLAN_PORT`]) carrying the 8-byte VXLAN header with the I flag and
/// `vni` (low 24 bits), followed by the inner Ethernet frame `inner`. `outer.payload` is
/// ignored. The outer UDP checksum is computed.
///
/// # Panics
///
/// If `outer.l4` is not UDP.
pub fn vxlan(outer: &FrameSpec, vni: u32, inner: &[u8]) -> Vec<u8> {
    assert!(
        matches!(outer.l4, L4Spec::Udp { .. }),
        "vxlan: the outer transport must be UDP"
    );
    let mut payload = Vec::with_capacity(8 + inner.len());
    payload.extend_from_slice(&[0x08, 0, 0, 0]);
    payload.extend_from_slice(&((vni & 0x00ff_ffff) << 8).to_be_bytes());
    payload.extend_from_slice(inner);
    let mut out = Vec::with_capacity(64 + payload.len());
    write_frame(
        &mut out,
        &Headers {
            src_mac: outer.src_mac,
            dst_mac: outer.dst_mac,
            vlans: &outer.vlans,
            ip: outer.ip,
            l4: outer.l4,
        },
        &payload,
        MIN_FRAME_LEN,
    );
    out
}

/// Builds an Ethernet / IPv4 (protocol 47) / GRE frame from [`GRE_SRC_MAC`] to
/// [`GRE_DST_MAC`] carrying `inner` (an IP packet for `inner_ethertype` 0x0800 / 0x86dd, an
/// Ethernet frame for [`ETHERTYPE_TEB`]). With `key`, the K flag is set and the 4-byte key
/// follows the base header. The outer IPv4 header has TTL 64, identification 0 and DF set.
pub fn gre(
    outer_src: Ipv4Addr,
    outer_dst: Ipv4Addr,
    inner_ethertype: u16,
    inner: &[u8],
    key: Option<u32>,
) -> Vec<u8> {
    let gre_len = if key.is_some() { 8 } else { 4 };
    let total = 20 + gre_len + inner.len();
    let mut out = Vec::with_capacity(14 + total);
    out.extend_from_slice(&GRE_DST_MAC);
    out.extend_from_slice(&GRE_SRC_MAC);
    out.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
    write_ipv4_header(
        &mut out,
        outer_src,
        outer_dst,
        64,
        0,
        0x4000,
        IPPROTO_GRE,
        total,
    );
    let flags: u16 = if key.is_some() { 0x2000 } else { 0 };
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&inner_ethertype.to_be_bytes());
    if let Some(k) = key {
        out.extend_from_slice(&k.to_be_bytes());
    }
    out.extend_from_slice(inner);
    pad(&mut out, MIN_FRAME_LEN);
    out
}

/// Splits the IPv4 packet of `spec` into fragments whose IP payload is at most
/// `mtu_payload` bytes (rounded down to a multiple of 8, at least 8), and returns one
/// Ethernet frame per fragment, in offset order. The transport checksum is computed over
/// the whole datagram as usual; all fragments share `spec`'s identification, DF is cleared
/// and MF is set on all but the last. If the datagram fits, the single frame is returned
/// unfragmented (with DF as in `spec`).
///
/// # Panics
///
/// If `spec.ip` is not IPv4.
pub fn ipv4_fragments(spec: &FrameSpec, mtu_payload: usize) -> Vec<Vec<u8>> {
    let IpSpec::V4 {
        src, dst, ttl, id, ..
    } = spec.ip
    else {
        panic!("ipv4_fragments: spec must be IPv4");
    };
    let unfragmented = build_unpadded(spec);
    let ip_start = 14 + 4 * spec.vlans.len();
    let datagram = &unfragmented[ip_start + 20..];
    let chunk = (mtu_payload / 8).max(1) * 8;
    if datagram.len() <= chunk {
        return vec![build(spec)];
    }
    let proto = unfragmented[ip_start + 9];
    let link = &unfragmented[..ip_start];
    datagram
        .chunks(chunk)
        .enumerate()
        .map(|(i, part)| {
            let offset = i * chunk;
            let more = offset + part.len() < datagram.len();
            let frag = ((offset / 8) as u16) | if more { 0x2000 } else { 0 };
            let mut out = Vec::with_capacity(ip_start + 20 + part.len());
            out.extend_from_slice(link);
            write_ipv4_header(&mut out, src, dst, ttl, id, frag, proto, 20 + part.len());
            out.extend_from_slice(part);
            pad(&mut out, MIN_FRAME_LEN);
            out
        })
        .collect()
}

/// Borrowed form of a [`FrameSpec`]'s headers, used by the generator to avoid allocating.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Headers<'a> {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub vlans: &'a [u16],
    pub ip: IpSpec,
    pub l4: L4Spec,
}

/// Appends the frame to `out` (which is cleared first), padded to `pad_to` bytes.
pub(crate) fn write_frame(out: &mut Vec<u8>, h: &Headers<'_>, payload: &[u8], pad_to: usize) {
    out.clear();
    out.extend_from_slice(&h.dst_mac);
    out.extend_from_slice(&h.src_mac);
    let n = h.vlans.len();
    for (i, tci) in h.vlans.iter().enumerate() {
        let tpid = if i + 1 < n {
            ETHERTYPE_QINQ
        } else {
            ETHERTYPE_VLAN
        };
        out.extend_from_slice(&tpid.to_be_bytes());
        out.extend_from_slice(&tci.to_be_bytes());
    }
    let l4_len = h.l4.header_len() + payload.len();
    let proto = match (h.l4, h.ip) {
        (L4Spec::Tcp(_), _) => IPPROTO_TCP,
        (L4Spec::Udp { .. }, _) => IPPROTO_UDP,
        (L4Spec::Icmp { .. }, IpSpec::V4 { .. }) => IPPROTO_ICMP,
        (L4Spec::Icmp { .. }, IpSpec::V6 { .. }) => IPPROTO_ICMPV6,
    };
    // Partial checksum of the pseudo-header (0 for ICMPv4, which has none).
    let pseudo = match h.ip {
        IpSpec::V4 {
            src,
            dst,
            ttl,
            id,
            dont_fragment,
        } => {
            out.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
            let frag = if dont_fragment { 0x4000 } else { 0 };
            write_ipv4_header(out, src, dst, ttl, id, frag, proto, 20 + l4_len);
            if proto == IPPROTO_ICMP {
                0
            } else {
                let mut s = sum_words(&src.octets(), 0);
                s = sum_words(&dst.octets(), s);
                s + u64::from(proto) + l4_len as u64
            }
        }
        IpSpec::V6 {
            src,
            dst,
            hop_limit,
            flow_label,
        } => {
            out.extend_from_slice(&ETHERTYPE_IPV6.to_be_bytes());
            let first = (6u32 << 28) | (flow_label & 0x000f_ffff);
            out.extend_from_slice(&first.to_be_bytes());
            out.extend_from_slice(&(l4_len as u16).to_be_bytes());
            out.push(proto);
            out.push(hop_limit);
            out.extend_from_slice(&src.octets());
            out.extend_from_slice(&dst.octets());
            let mut s = sum_words(&src.octets(), 0);
            s = sum_words(&dst.octets(), s);
            s + u64::from(proto) + l4_len as u64
        }
    };
    let l4_start = out.len();
    let csum_at = match h.l4 {
        L4Spec::Tcp(t) => {
            out.extend_from_slice(&t.src_port.to_be_bytes());
            out.extend_from_slice(&t.dst_port.to_be_bytes());
            out.extend_from_slice(&t.seq.to_be_bytes());
            out.extend_from_slice(&t.ack.to_be_bytes());
            let hlen = t.header_len();
            out.push(((hlen / 4) as u8) << 4);
            out.push(t.flags);
            out.extend_from_slice(&t.window.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
            t.write_options(out);
            l4_start + 16
        }
        L4Spec::Udp { src_port, dst_port } => {
            out.extend_from_slice(&src_port.to_be_bytes());
            out.extend_from_slice(&dst_port.to_be_bytes());
            out.extend_from_slice(&(l4_len as u16).to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            l4_start + 6
        }
        L4Spec::Icmp {
            icmp_type,
            code,
            id,
            seq,
        } => {
            out.push(icmp_type);
            out.push(code);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&id.to_be_bytes());
            out.extend_from_slice(&seq.to_be_bytes());
            l4_start + 2
        }
    };
    out.extend_from_slice(payload);
    let mut csum = fold(sum_words(&out[l4_start..], pseudo));
    if csum == 0 && proto == IPPROTO_UDP {
        csum = 0xffff;
    }
    out[csum_at..csum_at + 2].copy_from_slice(&csum.to_be_bytes());
    pad(out, pad_to);
}

#[allow(clippy::too_many_arguments)]
fn write_ipv4_header(
    out: &mut Vec<u8>,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    ttl: u8,
    id: u16,
    flags_frag: u16,
    proto: u8,
    total_len: usize,
) {
    let start = out.len();
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&(total_len as u16).to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&flags_frag.to_be_bytes());
    out.extend_from_slice(&[ttl, proto, 0, 0]);
    out.extend_from_slice(&src.octets());
    out.extend_from_slice(&dst.octets());
    let csum = fold(sum_words(&out[start..start + 20], 0));
    out[start + 10..start + 12].copy_from_slice(&csum.to_be_bytes());
}

fn pad(out: &mut Vec<u8>, len: usize) {
    if out.len() < len {
        out.resize(len, 0);
    }
}

/// Adds `data` as big-endian 16-bit words (odd trailing byte padded with zero) to `acc`.
/// Summing 32-bit words is equivalent modulo 0xffff because 2^16 ≡ 1 (mod 0xffff).
fn sum_words(data: &[u8], mut acc: u64) -> u64 {
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        acc += u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
    }
    let rest = chunks.remainder();
    let mut tail = [0u8; 4];
    tail[..rest.len()].copy_from_slice(rest);
    acc + u64::from(u32::from_be_bytes(tail))
}

/// Folds a sum from [`sum_words`] into the final one's-complement checksum.
fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// Internet checksum (RFC 1071) of `data`: the one's complement of the one's-complement sum
/// of its big-endian 16-bit words. A buffer that contains a correct checksum sums to 0.
pub fn internet_checksum(data: &[u8]) -> u16 {
    fold(sum_words(data, 0))
}
