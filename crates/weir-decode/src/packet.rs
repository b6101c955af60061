//! The decode entry point and the decoded packet.

use std::net::IpAddr;

use crate::bytes::{be16, clamp_slice, tail, u8_at};
use crate::ip::{self, IpRepr, IpVersion, proto};
use crate::l4::{self, L4Repr};
use crate::link::{self, ArpRepr, EthernetRepr, Next, VlanStack, ethertype};
use crate::{DecodeError, DecodeErrorKind, Layer, LinkType};

/// Most encapsulation steps (VLAN tags, MPLS labels, PPPoE, tunnels) followed in one
/// frame before decoding stops with [`DecodeErrorKind::TooDeep`].
pub const MAX_ENCAPSULATION_STEPS: u8 = 32;

/// Most tunnels (GRE, VXLAN, IP-in-IP, Teredo) followed in one frame.
pub const MAX_TUNNEL_DEPTH: u8 = 4;

/// UDP port of VXLAN (RFC 7348).
pub const VXLAN_PORT: u16 = 4789;
/// UDP port of Teredo (RFC 4380).
pub const TEREDO_PORT: u16 = 3544;
/// UDP port of the GTP user plane (3GPP TS 29.281).
const GTP_U_PORT: u16 = 2152;
/// UDP port of the CAPWAP data channel (RFC 5415).
const CAPWAP_DATA_PORT: u16 = 5247;

/// The set of layers found in a packet (outer and inner ones alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LayerSet(u16);

impl LayerSet {
    /// Every layer, in a fixed order, for counting and printing.
    pub const ALL: [Layer; 13] = [
        Layer::Link,
        Layer::Vlan,
        Layer::Mpls,
        Layer::Pppoe,
        Layer::Arp,
        Layer::Ipv4,
        Layer::Ipv6,
        Layer::Tcp,
        Layer::Udp,
        Layer::Icmp,
        Layer::Icmpv6,
        Layer::Gre,
        Layer::Vxlan,
    ];

    #[inline]
    fn bit(layer: Layer) -> u16 {
        1 << (layer as u8)
    }

    /// Adds a layer.
    pub fn insert(&mut self, layer: Layer) {
        self.0 |= LayerSet::bit(layer);
    }

    /// True if the layer was found.
    pub fn contains(&self, layer: Layer) -> bool {
        self.0 & LayerSet::bit(layer) != 0
    }

    /// The layers found, in [`LayerSet::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = Layer> + '_ {
        LayerSet::ALL.into_iter().filter(|l| self.contains(*l))
    }
}

/// The kind of tunnel a packet was carried in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TunnelKind {
    /// GRE (RFC 2784/2890), with its key if present.
    Gre {
        /// The GRE key.
        key: Option<u32>,
    },
    /// VXLAN (RFC 7348).
    Vxlan {
        /// VXLAN network identifier.
        vni: u32,
    },
    /// IPv4 or IPv6 directly inside IPv4/IPv6 (IP protocol 4 or 41, e.g. 6in4).
    IpInIp,
    /// Teredo (IPv6 in UDP, RFC 4380).
    Teredo,
    /// GTP-U (IP in UDP 2152, 3GPP TS 29.281), with the tunnel endpoint id.
    Gtp {
        /// Tunnel endpoint identifier.
        teid: u32,
    },
    /// CAPWAP data channel (UDP 5247, RFC 5415) carrying an 802.3 frame or an 802.11
    /// data frame.
    Capwap,
}

/// The outermost tunnel of a packet: its kind and the outer IP endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TunnelRepr {
    /// Tunnel kind.
    pub kind: TunnelKind,
    /// Outer source address.
    pub outer_src: IpAddr,
    /// Outer destination address.
    pub outer_dst: IpAddr,
    /// Number of tunnels crossed (1 unless tunnels are nested).
    pub depth: u8,
}

/// The start of the packet an ICMP or ICMPv6 error message quotes (RFC 792, RFC 4443
/// §2.4): enough to tie the error to the flow that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuotedRepr {
    /// Source address of the quoted packet.
    pub src: IpAddr,
    /// Destination address of the quoted packet.
    pub dst: IpAddr,
    /// Its IP protocol.
    pub protocol: u8,
    /// Its source and destination ports, for TCP and UDP when quoted.
    pub ports: Option<(u16, u16)>,
}

/// A decoded frame. Borrowed from the frame; `Copy`-cheap to pass around.
///
/// `ip` and `l4` describe the innermost IP packet; the outermost tunnel, if any, is in
/// `tunnel`. `payload` is the L4 payload (or, when decoding stopped above L4, the bytes
/// after the last decoded header), trimmed to the lengths the headers declare, so link
/// padding never appears in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The link type the frame was decoded as.
    pub linktype: LinkType,
    /// The outermost Ethernet header.
    pub eth: Option<EthernetRepr>,
    /// VLAN tags seen, outermost first.
    pub vlans: VlanStack,
    /// Number of MPLS labels.
    pub mpls_labels: u8,
    /// PPPoE session id.
    pub pppoe_session: Option<u16>,
    /// ARP content.
    pub arp: Option<ArpRepr>,
    /// Outermost tunnel.
    pub tunnel: Option<TunnelRepr>,
    /// Innermost IP header.
    pub ip: Option<IpRepr>,
    /// Transport header of the innermost IP packet.
    pub l4: Option<L4Repr>,
    /// The packet quoted by an ICMP/ICMPv6 error message.
    pub icmp_quoted: Option<QuotedRepr>,
    /// L4 payload (see the type docs).
    pub payload: &'a [u8],
    /// A length field claims more bytes than were captured (snap length): the payload is
    /// cut short.
    pub truncated: bool,
    /// Where decoding stopped early, if it did: the layers before it are valid.
    pub error: Option<DecodeError>,
    /// Every layer found, including the damaged one named by `error` (as tshark
    /// counts a malformed header as present).
    pub layers: LayerSet,
}

impl<'a> Packet<'a> {
    fn new(linktype: LinkType) -> Packet<'a> {
        Packet {
            linktype,
            eth: None,
            vlans: VlanStack::default(),
            mpls_labels: 0,
            pppoe_session: None,
            arp: None,
            tunnel: None,
            ip: None,
            l4: None,
            icmp_quoted: None,
            payload: &[],
            truncated: false,
            error: None,
            layers: LayerSet::default(),
        }
    }

    /// The outermost VLAN id, if tagged.
    pub fn vlan(&self) -> Option<u16> {
        self.vlans.outer()
    }
}

/// Decodes a frame of the given link type.
///
/// # Errors
/// Fails only when the link type (or the inner link type of a PPI header) is not one
/// weir decodes ([`DecodeErrorKind::UnsupportedLinkType`]): nothing of the frame can be
/// used then. Any damage, a link header cut short by the snap length included, gives
/// `Ok` with the layers decoded so far and [`Packet::error`] set.
///
/// # Panics
/// Never, for any input.
///
/// # Performance
/// No allocation; one pass over the headers.
pub fn decode(linktype: LinkType, frame: &[u8]) -> Result<Packet<'_>, DecodeError> {
    let mut p = Packet::new(linktype);
    let next = link::parse_link(linktype, frame, &mut p.eth);
    p.layers.insert(Layer::Link);
    let next = match next {
        Ok(next) => next,
        Err(e) if e.kind == DecodeErrorKind::UnsupportedLinkType => return Err(e),
        Err(e) => {
            // A link header cut short or damaged: the frame is still counted and shown.
            p.error = Some(e);
            return Ok(p);
        }
    };
    let mut d = Decoder {
        frame,
        end: frame.len(),
        steps: 0,
        tunnels: 0,
    };
    if let Err(e) = d.run(&mut p, next) {
        p.error = Some(e);
    }
    Ok(p)
}

struct Decoder<'a> {
    frame: &'a [u8],
    /// End of the region being decoded: shrinks as length fields are applied.
    end: usize,
    steps: u8,
    tunnels: u8,
}

impl<'a> Decoder<'a> {
    fn region(&self) -> &'a [u8] {
        self.frame.get(..self.end).unwrap_or(self.frame)
    }

    fn step(&mut self, layer: Layer, off: usize) -> Result<(), DecodeError> {
        self.steps = self.steps.saturating_add(1);
        if self.steps > MAX_ENCAPSULATION_STEPS {
            return Err(DecodeError::new(layer, DecodeErrorKind::TooDeep, off));
        }
        Ok(())
    }

    fn run(&mut self, p: &mut Packet<'a>, mut next: Next) -> Result<(), DecodeError> {
        loop {
            next = match next {
                Next::Stop(off) => {
                    p.payload = tail(self.region(), off);
                    return Ok(());
                }
                Next::Ethernet(off) => {
                    self.step(Layer::Link, off)?;
                    let (_, n) = link::parse_ethernet(self.region(), off)?;
                    n
                }
                Next::Ppp(off) => link::parse_ppp_protocol(self.region(), off)?,
                Next::IpAny(off) => match u8_at(self.region(), off) >> 4 {
                    4 => Next::EtherType(ethertype::IPV4, off),
                    6 => Next::EtherType(ethertype::IPV6, off),
                    _ if self.region().len() <= off => {
                        return Err(DecodeError::new(
                            Layer::Ipv4,
                            DecodeErrorKind::Truncated,
                            off,
                        ));
                    }
                    _ => {
                        return Err(DecodeError::new(
                            Layer::Ipv4,
                            DecodeErrorKind::BadVersion,
                            off,
                        ));
                    }
                },
                Next::EtherType(et, off) => self.ethertype(p, et, off)?,
            }
        }
    }

    fn ethertype(&mut self, p: &mut Packet<'a>, et: u16, off: usize) -> Result<Next, DecodeError> {
        let region = self.region();
        Ok(match et {
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
                self.step(Layer::Vlan, off)?;
                let (id, inner) = link::parse_vlan(region, off)?;
                p.vlans.push(id);
                p.layers.insert(Layer::Vlan);
                Next::EtherType(inner, off + 4)
            }
            ethertype::MPLS | ethertype::MPLS_MC => {
                let mut at = off;
                loop {
                    self.step(Layer::Mpls, at)?;
                    let (_, bottom) = link::parse_mpls(region, at)?;
                    p.mpls_labels = p.mpls_labels.saturating_add(1);
                    p.layers.insert(Layer::Mpls);
                    at += 4;
                    if bottom {
                        break link::after_mpls(region, at);
                    }
                }
            }
            ethertype::PPPOE_SESS => {
                self.step(Layer::Pppoe, off)?;
                let (session, ppp, end) = link::parse_pppoe(region, off)?;
                p.pppoe_session = Some(session);
                p.layers.insert(Layer::Pppoe);
                self.end = end;
                Next::Ppp(ppp)
            }
            ethertype::ARP => {
                p.arp = Some(link::parse_arp(region, off)?);
                p.layers.insert(Layer::Arp);
                Next::Stop(off + 28)
            }
            ethertype::TEB => Next::Ethernet(off),
            ethertype::IPV4 | ethertype::IPV6 => return self.ip(p, et == ethertype::IPV6, off),
            _ => Next::Stop(off),
        })
    }

    fn ip(&mut self, p: &mut Packet<'a>, v6: bool, off: usize) -> Result<Next, DecodeError> {
        let parsed = if v6 {
            p.layers.insert(Layer::Ipv6);
            ip::parse_ipv6(self.region(), off)?
        } else {
            p.layers.insert(Layer::Ipv4);
            ip::parse_ipv4(self.region(), off)?
        };
        if p.ip.is_some() {
            // A nested IP header: the packet so far was a tunnel.
            p.l4 = None;
        }
        p.ip = Some(parsed.repr);
        p.truncated |= parsed.truncated;
        self.end = parsed.end;
        let start = parsed.start;
        if !parsed.repr.carries_l4_header() {
            return Ok(Next::Stop(start));
        }
        let region = self.region();
        let seg = tail(region, start);
        match parsed.repr.protocol {
            proto::TCP => {
                p.layers.insert(Layer::Tcp);
                let t = l4::parse_tcp(seg, start)?;
                p.l4 = Some(L4Repr::Tcp(t));
                Ok(Next::Stop(start + usize::from(t.header_len)))
            }
            proto::UDP => {
                p.layers.insert(Layer::Udp);
                let (u, len, truncated) = l4::parse_udp(seg, start)?;
                p.l4 = Some(L4Repr::Udp(u));
                p.truncated |= truncated;
                let data = start + 8;
                self.end = data + len;
                Ok(self.udp_tunnel(p, &u, data).unwrap_or(Next::Stop(data)))
            }
            proto::ICMP | proto::ICMPV6 => {
                let v6 = parsed.repr.protocol == proto::ICMPV6;
                p.layers
                    .insert(if v6 { Layer::Icmpv6 } else { Layer::Icmp });
                let (i, hlen) = l4::parse_icmp(seg, start, v6)?;
                p.l4 = Some(if v6 {
                    L4Repr::Icmpv6(i)
                } else {
                    L4Repr::Icmp(i)
                });
                if i.is_error(v6) {
                    p.icmp_quoted = quoted(region, start + 8, &mut p.layers);
                }
                Ok(Next::Stop(start + hlen))
            }
            proto::GRE => self.gre(p, start),
            proto::IPIP | proto::IPV6 => {
                self.enter_tunnel(p, TunnelKind::IpInIp, start)?;
                let et = if parsed.repr.protocol == proto::IPV6 {
                    ethertype::IPV6
                } else {
                    ethertype::IPV4
                };
                Ok(Next::EtherType(et, start))
            }
            _ => Ok(Next::Stop(start)),
        }
    }

    /// Records entering a tunnel whose outer IP header is the current `p.ip`.
    fn enter_tunnel(
        &mut self,
        p: &mut Packet<'a>,
        kind: TunnelKind,
        off: usize,
    ) -> Result<(), DecodeError> {
        self.tunnels = self.tunnels.saturating_add(1);
        if self.tunnels > MAX_TUNNEL_DEPTH {
            return Err(DecodeError::new(Layer::Link, DecodeErrorKind::TooDeep, off));
        }
        self.step(Layer::Link, off)?;
        match (&mut p.tunnel, p.ip) {
            (Some(t), _) => t.depth = self.tunnels,
            (None, Some(outer)) => {
                p.tunnel = Some(TunnelRepr {
                    kind,
                    outer_src: outer.src,
                    outer_dst: outer.dst,
                    depth: 1,
                })
            }
            (None, None) => {}
        }
        Ok(())
    }

    /// VXLAN and Teredo: probe the UDP payload and enter the tunnel only if it fits.
    fn udp_tunnel(&mut self, p: &mut Packet<'a>, u: &l4::UdpRepr, data: usize) -> Option<Next> {
        if !may_be_udp_tunnel(u.src_port, u.dst_port) {
            return None;
        }
        let payload = clamp_slice(self.frame, data, self.end.saturating_sub(data));
        if u.dst_port == VXLAN_PORT && payload.len() >= 8 + 14 && u8_at(payload, 0) & 0x08 != 0 {
            let vni = crate::bytes::be32(payload, 4) >> 8;
            self.enter_tunnel(p, TunnelKind::Vxlan { vni }, data).ok()?;
            p.layers.insert(Layer::Vxlan);
            return Some(Next::Ethernet(data + 8));
        }
        if (u.src_port == GTP_U_PORT || u.dst_port == GTP_U_PORT)
            && let Some((skip, teid)) = gtp_u_headers_len(payload)
        {
            self.enter_tunnel(p, TunnelKind::Gtp { teid }, data).ok()?;
            return Some(Next::IpAny(data + skip));
        }
        if u.src_port == CAPWAP_DATA_PORT || u.dst_port == CAPWAP_DATA_PORT {
            match capwap_data_payload(payload) {
                Some(CapwapInner::Ethernet(skip)) => {
                    self.enter_tunnel(p, TunnelKind::Capwap, data).ok()?;
                    return Some(Next::Ethernet(data + skip));
                }
                Some(CapwapInner::EtherType(et, skip)) => {
                    self.enter_tunnel(p, TunnelKind::Capwap, data).ok()?;
                    return Some(Next::EtherType(et, data + skip));
                }
                None => {}
            }
        }
        if u.src_port == TEREDO_PORT || u.dst_port == TEREDO_PORT {
            let skip = teredo_headers_len(payload)?;
            let inner = tail(payload, skip);
            // Only a plausible IPv6 header whose length fits counts as Teredo.
            if inner.len() >= 40
                && u8_at(inner, 0) >> 4 == 6
                && usize::from(be16(inner, 4)) + 40 <= inner.len()
            {
                self.enter_tunnel(p, TunnelKind::Teredo, data).ok()?;
                return Some(Next::EtherType(ethertype::IPV6, data + skip));
            }
        }
        None
    }

    fn gre(&mut self, p: &mut Packet<'a>, off: usize) -> Result<Next, DecodeError> {
        p.layers.insert(Layer::Gre);
        let region = self.region();
        if region.len() < off + 4 {
            return Err(DecodeError::new(
                Layer::Gre,
                DecodeErrorKind::Truncated,
                off,
            ));
        }
        let flags = be16(region, off);
        if flags & 0x0007 != 0 {
            // Version 1 (PPTP enhanced GRE) carries PPP; not followed.
            return Ok(Next::Stop(off));
        }
        let proto = be16(region, off + 2);
        let mut hlen = 4;
        if flags & 0x8000 != 0 || flags & 0x4000 != 0 {
            hlen += 4; // checksum (+ reserved), also present with the routing bit
        }
        let key = if flags & 0x2000 != 0 {
            let k = crate::bytes::be32(region, off + hlen);
            hlen += 4;
            Some(k)
        } else {
            None
        };
        if flags & 0x1000 != 0 {
            hlen += 4;
        }
        if flags & 0x4000 != 0 {
            // Source routing (RFC 1701) is obsolete: stop at the header.
            return Ok(Next::Stop(off + hlen));
        }
        if region.len() < off + hlen {
            return Err(DecodeError::new(
                Layer::Gre,
                DecodeErrorKind::Truncated,
                off,
            ));
        }
        self.enter_tunnel(p, TunnelKind::Gre { key }, off)?;
        Ok(Next::EtherType(proto, off + hlen))
    }
}

/// True when [`Decoder::udp_tunnel`] would probe a datagram with these ports for a
/// tunnel: `crate::quick` leaves such frames to [`decode`].
#[inline]
pub(crate) fn may_be_udp_tunnel(sport: u16, dport: u16) -> bool {
    dport == VXLAN_PORT
        || [GTP_U_PORT, CAPWAP_DATA_PORT, TEREDO_PORT]
            .iter()
            .any(|&p| sport == p || dport == p)
}

/// Decodes, leniently, the packet an ICMP error quotes at `off` (usually cut short).
fn quoted(region: &[u8], off: usize, layers: &mut LayerSet) -> Option<QuotedRepr> {
    let parsed = match u8_at(region, off) >> 4 {
        4 => ip::parse_ipv4(region, off).ok()?,
        6 => ip::parse_ipv6(region, off).ok()?,
        _ => return None,
    };
    let r = parsed.repr;
    layers.insert(if r.is_v6() { Layer::Ipv6 } else { Layer::Ipv4 });
    let l4 = tail(region, parsed.start);
    let ports = match r.protocol {
        proto::TCP | proto::UDP if l4.len() >= 4 && r.carries_l4_header() => {
            layers.insert(if r.protocol == proto::TCP {
                Layer::Tcp
            } else {
                Layer::Udp
            });
            Some((be16(l4, 0), be16(l4, 2)))
        }
        _ => None,
    };
    Some(QuotedRepr {
        src: r.src,
        dst: r.dst,
        protocol: r.protocol,
        ports,
    })
}

/// A GTPv1-U T-PDU (version 1, protocol type GTP, message type 255, a length that
/// fits): the length of its headers (with the optional sequence/N-PDU/extension
/// fields and the extension header chain) and the TEID, if an IP packet follows.
fn gtp_u_headers_len(b: &[u8]) -> Option<(usize, u32)> {
    let flags = u8_at(b, 0);
    if b.len() < 8 || flags >> 5 != 1 || flags & 0x10 == 0 || u8_at(b, 1) != 0xff {
        return None;
    }
    if usize::from(be16(b, 2)) + 8 > b.len() {
        return None;
    }
    let teid = crate::bytes::be32(b, 4);
    let mut off = 8;
    if flags & 0x07 != 0 {
        off = 12;
        if b.len() < off {
            return None;
        }
        let mut next = u8_at(b, 11);
        // Extension headers: a length in 4-byte units, content, next type.
        for _ in 0..8 {
            if flags & 0x04 == 0 || next == 0 {
                break;
            }
            let n = usize::from(u8_at(b, off)) * 4;
            if n == 0 || b.len() < off + n {
                return None;
            }
            next = u8_at(b, off + n - 1);
            off += n;
        }
        if next != 0 && flags & 0x04 != 0 {
            return None;
        }
    }
    let inner = tail(b, off);
    let plausible = match u8_at(inner, 0) >> 4 {
        4 => inner.len() >= 20 && u8_at(inner, 0) & 0x0f >= 5,
        6 => inner.len() >= 40 && usize::from(be16(inner, 4)) + 40 <= inner.len(),
        _ => false,
    };
    plausible.then_some((off, teid))
}

/// What a CAPWAP data packet carries, as offsets into its UDP payload.
enum CapwapInner {
    /// An 802.3 frame at this offset.
    Ethernet(usize),
    /// The payload of an 802.11 data frame (after LLC/SNAP): ether type and offset.
    EtherType(u16, usize),
}

/// A CAPWAP data packet (preamble version 0 type 0, header length, T bit, wireless
/// binding) carrying a frame: 802.3 when T is clear, an 802.11 data frame with an
/// LLC/SNAP header when T is set and the binding is IEEE 802.11. Management and
/// control frames, keep-alives and protected frames are not entered.
fn capwap_data_payload(b: &[u8]) -> Option<CapwapInner> {
    if u8_at(b, 0) != 0 || b.len() < 8 {
        return None;
    }
    let hlen = usize::from(u8_at(b, 1) >> 3) * 4;
    let wbid = ((u8_at(b, 2) & 0x3f) >> 1) & 0x1f;
    let t = u8_at(b, 2) & 0x01 != 0;
    // K (keep-alive) carries no frame; F (fragment) only a piece of one.
    let keepalive = u8_at(b, 3) & 0x08 != 0;
    let fragment = u8_at(b, 3) & 0x80 != 0;
    if hlen < 8 || b.len() <= hlen || keepalive || fragment {
        return None;
    }
    if !t {
        return (b.len() >= hlen + 14).then_some(CapwapInner::Ethernet(hlen));
    }
    if wbid != 1 {
        return None;
    }
    let w = tail(b, hlen);
    // Frame control, possibly byte-swapped (some access points send it so): data
    // frames have type 2; a protected frame cannot be followed.
    let (fc0, fc1) = if u8_at(w, 0) & 0x0c == 0x08 && u8_at(w, 0) & 0x03 == 0 {
        (u8_at(w, 0), u8_at(w, 1))
    } else if u8_at(w, 1) & 0x0c == 0x08 && u8_at(w, 1) & 0x03 == 0 {
        (u8_at(w, 1), u8_at(w, 0))
    } else {
        return None;
    };
    if fc1 & 0x40 != 0 || fc0 & 0x40 != 0 {
        // Protected, or a null-function (no data) subtype.
        return None;
    }
    let mut off = 24;
    if fc1 & 0x03 == 0x03 {
        off += 6;
    }
    if fc0 & 0x80 != 0 {
        off += 2; // QoS control
    }
    let llc = tail(w, off);
    if llc.len() < 8 + 20 || llc.get(..6) != Some(&[0xaa, 0xaa, 0x03, 0, 0, 0][..]) {
        return None;
    }
    Some(CapwapInner::EtherType(be16(llc, 6), hlen + off + 8))
}

/// Length of the Teredo authentication / origin indication headers before the IPv6
/// packet (RFC 4380 §5.1.1), or `None` if they are damaged.
fn teredo_headers_len(b: &[u8]) -> Option<usize> {
    let mut off = 0usize;
    if be16(b, 0) == 0x0001 {
        let id_len = usize::from(u8_at(b, 2));
        let au_len = usize::from(u8_at(b, 3));
        off = 4 + id_len + au_len + 8 + 1;
    }
    if be16(b, off) == 0x0000
        && b.len() >= off + 8
        && u8_at(b, off) == 0
        && u8_at(b, off + 8) >> 4 == 6
    {
        off += 8;
    }
    (b.len() >= off).then_some(off)
}

impl IpRepr {
    /// True for IPv6.
    pub fn is_v6(&self) -> bool {
        self.version == IpVersion::V6
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l4::tcp_flags;

    #[test]
    fn layer_discriminants_follow_all_order() {
        for (i, l) in LayerSet::ALL.iter().enumerate() {
            assert_eq!(*l as usize, i);
        }
    }

    fn eth(et: u16) -> Vec<u8> {
        let mut f = vec![0xaa; 6];
        f.extend([0xbb; 6]);
        f.extend(et.to_be_bytes());
        f
    }

    fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut h = vec![
            0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h.extend(payload);
        h
    }

    fn ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
        let mut h = vec![0x60, 0, 0, 0];
        h.extend((payload.len() as u16).to_be_bytes());
        h.extend([next, 64]);
        h.extend(
            [0x20, 0x01, 0x0d, 0xb8]
                .iter()
                .chain([0; 11].iter())
                .chain([1].iter()),
        );
        h.extend(
            [0x20, 0x01, 0x0d, 0xb8]
                .iter()
                .chain([0; 11].iter())
                .chain([2].iter()),
        );
        h.extend(payload);
        h
    }

    fn udp(sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
        let mut h = sport.to_be_bytes().to_vec();
        h.extend(dport.to_be_bytes());
        h.extend(((8 + data.len()) as u16).to_be_bytes());
        h.extend([0, 0]);
        h.extend(data);
        h
    }

    fn tcp(sport: u16, dport: u16, flags: u8, data: &[u8]) -> Vec<u8> {
        let mut h = sport.to_be_bytes().to_vec();
        h.extend(dport.to_be_bytes());
        h.extend([
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
            6 << 4,
            flags,
            0xff,
            0xff,
            0,
            0,
            0,
            0,
        ]);
        h.extend([2, 4, 0x05, 0xb4]); // MSS option
        h.extend(data);
        h
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn ethernet_ipv4_tcp_with_padding_trimmed() {
        let mut f = cat(&[
            &eth(0x0800),
            &ipv4(6, &tcp(1234, 80, tcp_flags::SYN, b"hi")),
        ]);
        f.extend([0u8; 6]); // link padding
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.error, None);
        let Some(L4Repr::Tcp(t)) = p.l4 else {
            panic!("tcp")
        };
        assert_eq!((t.src_port, t.dst_port, t.header_len), (1234, 80, 24));
        assert!(t.has(tcp_flags::SYN));
        assert_eq!(t.options.mss, Some(1460));
        assert_eq!(p.payload, b"hi");
        assert!(!p.truncated);
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["link", "ipv4", "tcp"]);
    }

    #[test]
    fn snaplen_cut_decodes_as_far_as_possible() {
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(5000, 53, &[7; 100]))]);
        let cut = &f[..14 + 20 + 8 + 10];
        let p = decode(LinkType::Ethernet, cut).unwrap();
        assert!(p.truncated);
        assert_eq!(p.error, None);
        assert_eq!(p.payload, &[7; 10]);
        // Cut inside the UDP header: the IP layer stays, the error names UDP and its offset.
        let p = decode(LinkType::Ethernet, &f[..14 + 20 + 4]).unwrap();
        assert!(p.ip.is_some());
        assert_eq!(
            p.error,
            Some(DecodeError::new(Layer::Udp, DecodeErrorKind::Truncated, 34))
        );
        // Every prefix decodes without panic.
        for n in 0..f.len() {
            let _ = decode(LinkType::Ethernet, &f[..n]);
        }
    }

    #[test]
    fn ipv4_bad_ihl_and_lengths() {
        let mut ip = ipv4(17, &udp(1, 2, b""));
        ip[0] = 0x42; // IHL = 2
        let f = cat(&[&eth(0x0800), &ip]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(
            p.error,
            Some(DecodeError::new(
                Layer::Ipv4,
                DecodeErrorKind::BadHeaderLength,
                14
            ))
        );
        assert!(p.ip.is_none());
        let mut ip = ipv4(17, &udp(1, 2, b""));
        ip[2..4].copy_from_slice(&10u16.to_be_bytes()); // total length < header
        let f = cat(&[&eth(0x0800), &ip]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(
            p.error.map(|e| e.kind),
            Some(DecodeErrorKind::LengthMismatch)
        );
        let mut ip = ipv4(17, &udp(1, 2, b""));
        ip[0] = 0x65;
        let f = cat(&[&eth(0x0800), &ip]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.error.map(|e| e.kind), Some(DecodeErrorKind::BadVersion));
    }

    #[test]
    fn qinq_vlan_stack_and_vlan_id() {
        let mut f = eth(0x88a8);
        f.extend([0x00, 100, 0x81, 0x00, 0x20, 200, 0x08, 0x00]);
        f.extend(ipv4(17, &udp(1, 2, b"x")));
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.vlans.ids(), &[100, 200]);
        assert_eq!(p.vlan(), Some(100));
        assert_eq!(p.payload, b"x");
    }

    #[test]
    fn endless_vlan_tags_are_too_deep() {
        let mut f = eth(0x8100);
        for _ in 0..40 {
            f.extend([0, 1, 0x81, 0x00]);
        }
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.error.map(|e| e.kind), Some(DecodeErrorKind::TooDeep));
        assert_eq!(p.vlans.depth(), MAX_ENCAPSULATION_STEPS);
    }

    #[test]
    fn mpls_then_ipv4() {
        let mut f = eth(0x8847);
        f.extend([0, 0, 0x10, 64, 0, 0, 0x21, 64]); // two labels, bottom of stack on the 2nd
        f.extend(ipv4(1, &[8, 0, 0, 0, 0, 9, 0, 1]));
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.mpls_labels, 2);
        assert_eq!(
            p.l4,
            Some(L4Repr::Icmp(crate::IcmpRepr {
                icmp_type: 8,
                code: 0,
                id: 9,
                seq: 1
            }))
        );
    }

    #[test]
    fn pppoe_session_ipv6() {
        let inner = ipv6(17, &udp(1, 2, b"ab"));
        let mut f = eth(0x8864);
        f.extend([0x11, 0, 0x12, 0x34]);
        f.extend(((inner.len() + 2) as u16).to_be_bytes());
        f.extend([0x00, 0x57]);
        f.extend(&inner);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.pppoe_session, Some(0x1234));
        assert!(p.ip.unwrap().is_v6());
        assert_eq!(p.payload, b"ab");
    }

    #[test]
    fn ipv6_extension_headers_and_fragment() {
        // hop-by-hop (8 bytes) -> fragment (offset 0, M=1) -> UDP
        let mut ext = vec![44, 0, 1, 4, 0, 0, 0, 0];
        ext.extend([17, 0, 0, 1, 0, 0, 0, 42]);
        ext.extend(udp(1000, 53, b"q"));
        let f = cat(&[&eth(0x86dd), &ipv6(0, &ext)]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        let ip = p.ip.unwrap();
        assert_eq!((ip.protocol, ip.options, ip.header_len), (17, 2, 56));
        let frag = ip.fragment.unwrap();
        assert!(frag.more && frag.is_first() && frag.id == 42);
        assert_eq!(p.l4.and_then(|l| l.ports()), Some((1000, 53)));
        // A non-first fragment carries no L4 header.
        let mut ext = vec![17, 0, 0, 8, 0, 0, 0, 42];
        ext.extend([9; 16]);
        let f = cat(&[&eth(0x86dd), &ipv6(44, &ext)]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert!(p.l4.is_none());
        assert_eq!(p.payload, &[9; 16]);
    }

    #[test]
    fn ipv4_non_first_fragment_has_no_l4() {
        let mut ip = ipv4(17, &[1; 16]);
        ip[6..8].copy_from_slice(&0x0003u16.to_be_bytes()); // offset 24 bytes, no MF
        let f = cat(&[&eth(0x0800), &ip]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.ip.unwrap().fragment.unwrap().offset_bytes, 24);
        assert!(p.l4.is_none() && !p.layers.contains(Layer::Udp));
    }

    #[test]
    fn six_in_four_tunnel() {
        let inner = ipv6(58, &[128, 0, 0, 0, 0, 1, 0, 2]);
        let f = cat(&[&eth(0x0800), &ipv4(41, &inner)]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        let t = p.tunnel.unwrap();
        assert_eq!(t.kind, TunnelKind::IpInIp);
        assert_eq!(t.outer_src.to_string(), "10.0.0.1");
        assert!(p.ip.unwrap().is_v6());
        assert!(p.layers.contains(Layer::Ipv4) && p.layers.contains(Layer::Icmpv6));
    }

    #[test]
    fn gre_with_key_and_vxlan() {
        let inner = ipv4(17, &udp(7, 8, b"in"));
        let mut gre = vec![0x20, 0, 0x08, 0x00, 0, 0, 0, 5];
        gre.extend(&inner);
        let f = cat(&[&eth(0x0800), &ipv4(47, &gre)]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.tunnel.unwrap().kind, TunnelKind::Gre { key: Some(5) });
        assert_eq!(p.payload, b"in");
        assert!(p.layers.contains(Layer::Gre));

        let mut vx = vec![0x08, 0, 0, 0, 0, 0, 42, 0];
        vx.extend(eth(0x0800));
        vx.extend(ipv4(6, &tcp(1, 2, tcp_flags::ACK, b"z")));
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(999, VXLAN_PORT, &vx))]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.tunnel.unwrap().kind, TunnelKind::Vxlan { vni: 42 });
        assert_eq!(p.l4.and_then(|l| l.ports()), Some((1, 2)));
        assert!(p.layers.contains(Layer::Udp) && p.layers.contains(Layer::Tcp));
        assert_eq!(p.payload, b"z");
    }

    fn hexv(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn gtp_u_t_pdu_is_entered() {
        let inner = ipv4(17, &udp(4000, 53, b"query"));
        // GTPv1-U T-PDU header (flags 0x30, type 255) as seen on UDP 2152, with the
        // length of this inner packet.
        let mut gtp = hexv("30ff000012808fb8");
        gtp[2..4].copy_from_slice(&(inner.len() as u16).to_be_bytes());
        gtp.extend(&inner);
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(GTP_U_PORT, GTP_U_PORT, &gtp))]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(
            p.tunnel.map(|t| t.kind),
            Some(TunnelKind::Gtp { teid: 0x1280_8fb8 })
        );
        assert_eq!(p.payload, b"query");
        // An echo request (type 1) is not a T-PDU: the outer UDP payload stays.
        let echo = hexv("320100040000000000010000");
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(GTP_U_PORT, GTP_U_PORT, &echo))]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert!(p.tunnel.is_none());
        assert_eq!(p.payload, &echo[..]);
    }

    #[test]
    fn capwap_data_frames() {
        let inner = ipv4(17, &udp(68, 67, b"dhcp"));
        // CAPWAP data header with wireless info (T=1, binding 802.11), an 802.11 data
        // frame whose frame control is byte-swapped, LLC/SNAP, IPv4.
        let mut d = hexv(concat!(
            "002003200000000004bf230000000000",
            "11082c0084802d2b459054f201e1b29910f311eaeec17630",
            "aaaa030000000800"
        ));
        d.extend(&inner);
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(41264, CAPWAP_DATA_PORT, &d))]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.tunnel.map(|t| t.kind), Some(TunnelKind::Capwap));
        assert_eq!(p.payload, b"dhcp");
        // An 802.11 probe request (management) stays on the CAPWAP flow.
        let mgmt = hexv(concat!(
            "00200320000000000104000000000000",
            "00400000580a20690e20000000000000580a20690e200000dd09004096250105283314"
        ));
        let f = cat(&[
            &eth(0x0800),
            &ipv4(17, &udp(12380, CAPWAP_DATA_PORT, &mgmt)),
        ]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert!(p.tunnel.is_none());
    }

    #[test]
    fn teredo_only_when_plausible() {
        let inner = ipv6(59, &[]);
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(TEREDO_PORT, 5555, &inner))]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.tunnel.map(|t| t.kind), Some(TunnelKind::Teredo));
        let f = cat(&[&eth(0x0800), &ipv4(17, &udp(TEREDO_PORT, 5555, b"bubble"))]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert!(p.tunnel.is_none());
        assert_eq!(p.payload, b"bubble");
    }

    #[test]
    fn other_link_types() {
        let ip = ipv4(17, &udp(1, 2, b"k"));
        let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
        sll.extend(&ip);
        assert_eq!(decode(LinkType::LinuxSll, &sll).unwrap().payload, b"k");
        let mut sll2 = vec![
            0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
        ];
        sll2.extend(&ip);
        assert_eq!(decode(LinkType::LinuxSll2, &sll2).unwrap().payload, b"k");
        assert_eq!(decode(LinkType::Raw, &ip).unwrap().payload, b"k");
        assert_eq!(decode(LinkType::Ipv4, &ip).unwrap().payload, b"k");
        let mut ppp = vec![0xff, 0x03, 0x00, 0x21];
        ppp.extend(&ip);
        assert_eq!(decode(LinkType::Ppp, &ppp).unwrap().payload, b"k");
        let mut hdlc = vec![0x0f, 0x00, 0x08, 0x00];
        hdlc.extend(&ip);
        assert_eq!(decode(LinkType::CiscoHdlc, &hdlc).unwrap().payload, b"k");
        assert_eq!(
            decode(LinkType::Unknown(147), &ip).unwrap_err().kind,
            DecodeErrorKind::UnsupportedLinkType
        );
        // A link header cut short is reported, not refused.
        let cut = decode(LinkType::Ethernet, &[0; 10]).unwrap();
        assert_eq!(
            cut.error,
            Some(DecodeError::new(Layer::Link, DecodeErrorKind::Truncated, 0))
        );
        assert!(cut.layers.contains(Layer::Link) && cut.ip.is_none());
        let mut ppi = vec![0, 0, 8, 0, 101, 0, 0, 0];
        ppi.extend(&ip);
        assert_eq!(decode(LinkType::Ppi, &ppi).unwrap().payload, b"k");
        ppi[4] = 147;
        assert_eq!(
            decode(LinkType::Ppi, &ppi).unwrap_err().kind,
            DecodeErrorKind::UnsupportedLinkType
        );
        let p = decode(LinkType::Raw, &[0x50, 1, 2]).unwrap();
        assert_eq!(p.error.map(|e| e.kind), Some(DecodeErrorKind::BadVersion));
    }

    #[test]
    fn icmp_error_quotes_the_offending_packet() {
        let offending = ipv4(17, &udp(5353, 53, b"query"));
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
        icmp.extend(&offending[..28]);
        let f = cat(&[&eth(0x0800), &ipv4(1, &icmp)]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        let q = p.icmp_quoted.unwrap();
        assert_eq!((q.protocol, q.ports), (17, Some((5353, 53))));
        assert!(
            p.layers.contains(Layer::Udp),
            "tshark counts the quoted UDP header too"
        );
        // An echo request quotes nothing.
        let f = cat(&[&eth(0x0800), &ipv4(1, &[8, 0, 0, 0, 0, 1, 0, 1, 1, 2])]);
        assert_eq!(decode(LinkType::Ethernet, &f).unwrap().icmp_quoted, None);
    }

    #[test]
    fn arp_and_unknown_ethertype() {
        let mut f = eth(0x0806);
        f.extend([
            0, 1, 8, 0, 6, 4, 0, 2, 1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 6, 5, 4, 3, 2, 1, 10, 0, 0, 2,
        ]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!(p.arp.unwrap().operation, 2);
        let f = cat(&[&eth(0x88cc), b"lldp"]);
        let p = decode(LinkType::Ethernet, &f).unwrap();
        assert_eq!((p.payload, p.error), (&b"lldp"[..], None));
    }
}

#[cfg(test)]
mod size_report {
    #[test]
    fn sizes() {
        eprintln!(
            "Packet {} IpRepr {} L4Repr {} TunnelRepr {} QuotedRepr {} ArpRepr {}",
            size_of::<super::Packet<'_>>(),
            size_of::<crate::IpRepr>(),
            size_of::<crate::L4Repr>(),
            size_of::<super::TunnelRepr>(),
            size_of::<super::QuotedRepr>(),
            size_of::<crate::ArpRepr>()
        );
    }
}
