//! Link layers and the layer-2.5 encapsulations found between them and IP: Ethernet II
//! (IEEE 802.3), 802.1Q/802.1ad VLAN tags, MPLS (RFC 3032), PPPoE sessions (RFC 2516),
//! PPP (RFC 1661/1662), Cisco HDLC, Linux cooked capture v1/v2, BSD loopback, PPI
//! (Per-Packet Information, around any of the others) and ARP (RFC 826).

use std::net::Ipv4Addr;

use crate::bytes::{array_at, be16, le32, u8_at};
use crate::{DecodeError, DecodeErrorKind, Layer, LinkType};

/// EtherType values weir decodes.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// Transparent Ethernet bridging (Ethernet inside GRE).
    pub const TEB: u16 = 0x6558;
    /// 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
    /// MPLS unicast.
    pub const MPLS: u16 = 0x8847;
    /// MPLS multicast.
    pub const MPLS_MC: u16 = 0x8848;
    /// PPPoE discovery.
    pub const PPPOE_DISC: u16 = 0x8863;
    /// PPPoE session.
    pub const PPPOE_SESS: u16 = 0x8864;
    /// 802.1ad provider bridging (QinQ outer tag).
    pub const QINQ: u16 = 0x88a8;
    /// Pre-standard QinQ outer tag.
    pub const QINQ_OLD: u16 = 0x9100;
}

/// The decoded Ethernet II header (the outermost one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EthernetRepr {
    /// Destination MAC.
    pub dst: [u8; 6],
    /// Source MAC.
    pub src: [u8; 6],
    /// The EtherType (or 802.3 length) field.
    pub ethertype: u16,
}

/// Up to [`VlanStack::KEPT`] VLAN ids, outermost first, and the full depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VlanStack {
    ids: [u16; VlanStack::KEPT],
    depth: u8,
}

impl VlanStack {
    /// How many VLAN ids are kept (the depth counts them all).
    pub const KEPT: usize = 4;

    pub(crate) fn push(&mut self, id: u16) {
        if let Some(slot) = self.ids.get_mut(usize::from(self.depth)) {
            *slot = id;
        }
        self.depth = self.depth.saturating_add(1);
    }

    /// Number of tags in the frame.
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// The outermost VLAN id, which weir uses as the flow's VLAN.
    pub fn outer(&self) -> Option<u16> {
        (self.depth > 0).then_some(self.ids[0])
    }

    /// The kept ids, outermost first.
    pub fn ids(&self) -> &[u16] {
        self.ids.get(..usize::from(self.depth)).unwrap_or(&self.ids)
    }
}

/// A decoded ARP packet. Addresses are filled for Ethernet/IPv4 ARP only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpRepr {
    /// Operation (1 request, 2 reply).
    pub operation: u16,
    /// Hardware type (1 = Ethernet).
    pub hw_type: u16,
    /// Protocol type (0x0800 = IPv4).
    pub proto_type: u16,
    /// Sender MAC.
    pub sender_mac: [u8; 6],
    /// Sender IPv4 address.
    pub sender_ip: Ipv4Addr,
    /// Target MAC.
    pub target_mac: [u8; 6],
    /// Target IPv4 address.
    pub target_ip: Ipv4Addr,
}

/// What follows a link or 2.5 layer header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// A header identified by an EtherType, at an offset.
    EtherType(u16, usize),
    /// An Ethernet header.
    Ethernet(usize),
    /// IPv4 or IPv6, decided by the version nibble.
    IpAny(usize),
    /// PPP protocol field.
    Ppp(usize),
    /// Nothing weir decodes further; the payload starts at the offset.
    Stop(usize),
}

fn trunc(layer: Layer, off: usize) -> DecodeError {
    DecodeError::new(layer, DecodeErrorKind::Truncated, off)
}

/// Length of the fixed part of a PPI header: version, flags, header length, link type.
pub const PPI_HEADER_MIN: usize = 8;

/// Decodes the link header selected by the capture's link type.
pub(crate) fn parse_link(
    lt: LinkType,
    frame: &[u8],
    eth: &mut Option<EthernetRepr>,
) -> Result<Next, DecodeError> {
    parse_link_at(lt, frame, 0, eth)
}

/// Decodes a link header of type `lt` that starts at `off`.
fn parse_link_at(
    lt: LinkType,
    frame: &[u8],
    off: usize,
    eth: &mut Option<EthernetRepr>,
) -> Result<Next, DecodeError> {
    let need = |n: usize| {
        if frame.len().saturating_sub(off) < n {
            Err(trunc(Layer::Link, off))
        } else {
            Ok(())
        }
    };
    match lt {
        LinkType::Ethernet => {
            let (repr, next) = parse_ethernet(frame, off)?;
            *eth = Some(repr);
            Ok(next)
        }
        LinkType::Null | LinkType::Loop => {
            need(4)?;
            let raw = le32(frame, off);
            // DLT_NULL is in the capturing host's byte order; DLT_LOOP in network order.
            let af = if lt == LinkType::Loop || raw > 0xffff {
                raw.swap_bytes()
            } else {
                raw
            };
            match af {
                2 => Ok(Next::EtherType(ethertype::IPV4, off + 4)),
                10 | 24 | 28 | 30 => Ok(Next::EtherType(ethertype::IPV6, off + 4)),
                _ => Ok(Next::Stop(off + 4)),
            }
        }
        LinkType::Raw => Ok(Next::IpAny(off)),
        LinkType::Ipv4 => Ok(Next::EtherType(ethertype::IPV4, off)),
        LinkType::Ipv6 => Ok(Next::EtherType(ethertype::IPV6, off)),
        LinkType::Ppp => {
            need(1)?;
            // Address/control bytes (RFC 1662) are optional.
            let at = if be16(frame, off) == 0xff03 {
                off + 2
            } else {
                off
            };
            Ok(Next::Ppp(at))
        }
        LinkType::CiscoHdlc => {
            need(4)?;
            Ok(Next::EtherType(be16(frame, off + 2), off + 4))
        }
        LinkType::LinuxSll => {
            need(16)?;
            Ok(sll_protocol(be16(frame, off + 14), off + 16))
        }
        LinkType::LinuxSll2 => {
            need(20)?;
            Ok(sll_protocol(be16(frame, off), off + 20))
        }
        LinkType::Ppi => {
            let (inner, at) = parse_ppi(frame, off)?;
            // `parse_ppi` refuses a PPI inner link type, so this recursion is one level.
            parse_link_at(inner, frame, at, eth)
        }
        LinkType::Unknown(_) => Err(DecodeError::new(
            Layer::Link,
            DecodeErrorKind::UnsupportedLinkType,
            off,
        )),
    }
}

/// Decodes a PPI header (Per-Packet Information, `LINKTYPE_PPI`) at `off`: version (u8,
/// must be 0), flags (u8), header length (u16 LE, fields included), inner link type (u32
/// LE), then fields weir skips. Returns the inner link type and where its frame starts.
///
/// A PPI header inside PPI is refused ([`DecodeErrorKind::TooDeep`]), as is an inner link
/// type weir does not decode.
pub(crate) fn parse_ppi(frame: &[u8], off: usize) -> Result<(LinkType, usize), DecodeError> {
    let hdr = frame
        .get(off..)
        .and_then(|t| t.get(..PPI_HEADER_MIN))
        .ok_or(trunc(Layer::Link, off))?;
    let err = |kind| DecodeError::new(Layer::Link, kind, off);
    if u8_at(hdr, 0) != 0 {
        return Err(err(DecodeErrorKind::BadVersion));
    }
    let header_len = usize::from(u16::from_le_bytes([u8_at(hdr, 2), u8_at(hdr, 3)]));
    if header_len < PPI_HEADER_MIN {
        return Err(err(DecodeErrorKind::BadHeaderLength));
    }
    let at = off.saturating_add(header_len);
    if at > frame.len() {
        return Err(err(DecodeErrorKind::Truncated));
    }
    match LinkType::from_raw(le32(hdr, 4)) {
        LinkType::Ppi => Err(err(DecodeErrorKind::TooDeep)),
        LinkType::Unknown(_) => Err(err(DecodeErrorKind::UnsupportedLinkType)),
        inner => Ok((inner, at)),
    }
}

fn sll_protocol(proto: u16, off: usize) -> Next {
    // Values below 0x0600 are not EtherTypes (e.g. 0x0001 802.3, 0x0004 802.2 LLC).
    if proto < 0x0600 {
        Next::Stop(off)
    } else {
        Next::EtherType(proto, off)
    }
}

/// Decodes an Ethernet II header at `off`.
pub(crate) fn parse_ethernet(
    frame: &[u8],
    off: usize,
) -> Result<(EthernetRepr, Next), DecodeError> {
    if frame.len() < off + 14 {
        return Err(trunc(Layer::Link, off));
    }
    let repr = EthernetRepr {
        dst: array_at(frame, off),
        src: array_at(frame, off + 6),
        ethertype: be16(frame, off + 12),
    };
    // Values up to 1500 are IEEE 802.3 lengths (LLC/SNAP frames: STP, CDP, ...).
    let next = if repr.ethertype <= 1500 {
        Next::Stop(off + 14)
    } else {
        Next::EtherType(repr.ethertype, off + 14)
    };
    Ok((repr, next))
}

/// Decodes a VLAN tag at `off`: returns the VLAN id and the inner EtherType.
pub(crate) fn parse_vlan(frame: &[u8], off: usize) -> Result<(u16, u16), DecodeError> {
    if frame.len() < off + 4 {
        return Err(trunc(Layer::Vlan, off));
    }
    Ok((be16(frame, off) & 0x0fff, be16(frame, off + 2)))
}

/// Decodes one MPLS label stack entry: (label, bottom of stack).
pub(crate) fn parse_mpls(frame: &[u8], off: usize) -> Result<(u32, bool), DecodeError> {
    if frame.len() < off + 4 {
        return Err(trunc(Layer::Mpls, off));
    }
    let w = crate::bytes::be32(frame, off);
    Ok((w >> 12, w & 0x100 != 0))
}

/// What follows the bottom MPLS label, guessed from the first nibble as routers do.
pub(crate) fn after_mpls(frame: &[u8], off: usize) -> Next {
    match u8_at(frame, off) >> 4 {
        4 | 6 if frame.len() > off => Next::IpAny(off),
        // A pseudowire control word followed by an Ethernet frame (RFC 4448).
        0 if frame.len() >= off + 4 + 14 => Next::Ethernet(off + 4),
        _ => Next::Stop(off),
    }
}

/// Decodes a PPPoE session header at `off`: returns the session id, where the PPP
/// protocol field starts, and the end of the PPPoE payload.
pub(crate) fn parse_pppoe(frame: &[u8], off: usize) -> Result<(u16, usize, usize), DecodeError> {
    if frame.len() < off + 6 {
        return Err(trunc(Layer::Pppoe, off));
    }
    if u8_at(frame, off) != 0x11 {
        return Err(DecodeError::new(
            Layer::Pppoe,
            DecodeErrorKind::BadVersion,
            off,
        ));
    }
    let len = usize::from(be16(frame, off + 4));
    let end = (off + 6 + len).min(frame.len());
    Ok((be16(frame, off + 2), off + 6, end))
}

/// Reads a PPP protocol field (1 or 2 bytes, RFC 1661 §6.5) at `off`.
pub(crate) fn parse_ppp_protocol(frame: &[u8], off: usize) -> Result<Next, DecodeError> {
    let first = frame.get(off).copied().ok_or(trunc(Layer::Link, off))?;
    let (proto, len) = if first & 1 == 1 {
        (u16::from(first), 1)
    } else {
        if frame.len() < off + 2 {
            return Err(trunc(Layer::Link, off));
        }
        (be16(frame, off), 2)
    };
    let at = off + len;
    Ok(match proto {
        0x0021 => Next::EtherType(ethertype::IPV4, at),
        0x0057 => Next::EtherType(ethertype::IPV6, at),
        0x0281 => Next::EtherType(ethertype::MPLS, at),
        _ => Next::Stop(at),
    })
}

/// Decodes an ARP packet at `off`.
pub(crate) fn parse_arp(frame: &[u8], off: usize) -> Result<ArpRepr, DecodeError> {
    if frame.len() < off + 8 {
        return Err(trunc(Layer::Arp, off));
    }
    let mut repr = ArpRepr {
        hw_type: be16(frame, off),
        proto_type: be16(frame, off + 2),
        operation: be16(frame, off + 6),
        sender_mac: [0; 6],
        sender_ip: Ipv4Addr::UNSPECIFIED,
        target_mac: [0; 6],
        target_ip: Ipv4Addr::UNSPECIFIED,
    };
    let (hlen, plen) = (u8_at(frame, off + 4), u8_at(frame, off + 5));
    if repr.hw_type == 1 && repr.proto_type == ethertype::IPV4 && hlen == 6 && plen == 4 {
        if frame.len() < off + 28 {
            return Err(trunc(Layer::Arp, off));
        }
        repr.sender_mac = array_at(frame, off + 8);
        repr.sender_ip = Ipv4Addr::from(array_at::<4>(frame, off + 14));
        repr.target_mac = array_at(frame, off + 18);
        repr.target_ip = Ipv4Addr::from(array_at::<4>(frame, off + 24));
    }
    Ok(repr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_link_both_byte_orders() {
        let mut eth = None;
        assert_eq!(
            parse_link(LinkType::Null, &[2, 0, 0, 0], &mut eth).unwrap(),
            Next::EtherType(ethertype::IPV4, 4)
        );
        assert_eq!(
            parse_link(LinkType::Null, &[0, 0, 0, 30], &mut eth).unwrap(),
            Next::EtherType(ethertype::IPV6, 4)
        );
        assert_eq!(
            parse_link(LinkType::Loop, &[0, 0, 0, 2], &mut eth).unwrap(),
            Next::EtherType(ethertype::IPV4, 4)
        );
        assert!(parse_link(LinkType::Null, &[2, 0], &mut eth).is_err());
    }

    fn ppi(version: u8, header_len: u16, dlt: u32, fields: &[u8], inner: &[u8]) -> Vec<u8> {
        let mut f = vec![version, 0];
        f.extend(header_len.to_le_bytes());
        f.extend(dlt.to_le_bytes());
        f.extend(fields);
        f.extend(inner);
        f
    }

    #[test]
    fn ppi_decodes_its_inner_link_type() {
        let mut eth = None;
        let mut inner = vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00];
        inner.extend([0x45, 0, 0, 20]);
        let f = ppi(0, 16, 1, &[8, 0, 4, 0, 0, 0, 0, 0], &inner);
        assert_eq!(
            parse_link(LinkType::Ppi, &f, &mut eth).unwrap(),
            Next::EtherType(ethertype::IPV4, 30)
        );
        assert_eq!(eth.map(|e| e.src), Some([7, 8, 9, 10, 11, 12]));
        let raw = ppi(0, 8, 101, &[], &[0x45]);
        assert_eq!(
            parse_link(LinkType::Ppi, &raw, &mut eth).unwrap(),
            Next::IpAny(8)
        );
        // The inner header is checked against the frame like an outer one.
        let short = ppi(0, 8, 113, &[], &[0; 15]);
        let e = parse_link(LinkType::Ppi, &short, &mut eth).unwrap_err();
        assert_eq!((e.kind, e.offset), (DecodeErrorKind::Truncated, 8));
    }

    #[test]
    fn ppi_refuses_damaged_and_nested_headers() {
        let kind = |f: &[u8]| parse_link(LinkType::Ppi, f, &mut None).unwrap_err().kind;
        assert_eq!(kind(&[0, 0, 8, 0, 1, 0, 0]), DecodeErrorKind::Truncated);
        assert_eq!(
            kind(&ppi(1, 8, 1, &[], &[0; 14])),
            DecodeErrorKind::BadVersion
        );
        assert_eq!(
            kind(&ppi(0, 4, 1, &[], &[0; 14])),
            DecodeErrorKind::BadHeaderLength
        );
        assert_eq!(
            kind(&ppi(0, 400, 1, &[], &[0; 14])),
            DecodeErrorKind::Truncated
        );
        assert_eq!(
            kind(&ppi(0, 8, 147, &[], &[0; 14])),
            DecodeErrorKind::UnsupportedLinkType
        );
        let nested = ppi(0, 8, 192, &[], &ppi(0, 8, 1, &[], &[0; 14]));
        assert_eq!(kind(&nested), DecodeErrorKind::TooDeep);
    }

    #[test]
    fn ppp_protocol_compression() {
        assert_eq!(
            parse_ppp_protocol(&[0x21], 0).unwrap(),
            Next::EtherType(ethertype::IPV4, 1)
        );
        assert_eq!(
            parse_ppp_protocol(&[0x00, 0x57], 0).unwrap(),
            Next::EtherType(ethertype::IPV6, 2)
        );
        assert_eq!(parse_ppp_protocol(&[0xc0, 0x21], 0).unwrap(), Next::Stop(2));
        assert!(parse_ppp_protocol(&[0x00], 0).is_err());
    }

    #[test]
    fn vlan_stack_keeps_outer_ids_and_counts_all() {
        let mut s = VlanStack::default();
        assert_eq!(s.outer(), None);
        for id in 1..=6 {
            s.push(id);
        }
        assert_eq!(s.depth(), 6);
        assert_eq!(s.outer(), Some(1));
        assert_eq!(s.ids(), &[1, 2, 3, 4]);
    }

    #[test]
    fn arp_request() {
        let mut f = vec![0, 1, 8, 0, 6, 4, 0, 1];
        f.extend([1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        let a = parse_arp(&f, 0).unwrap();
        assert_eq!(a.operation, 1);
        assert_eq!(a.sender_ip, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(a.target_ip, Ipv4Addr::new(10, 0, 0, 2));
        assert!(parse_arp(&f[..20], 0).is_err());
    }
}
