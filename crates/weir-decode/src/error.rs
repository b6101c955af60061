//! Decode errors: small, `Copy`, and precise about where a frame went wrong.

use std::fmt;

/// The protocol layer a decode step was working on.
///
/// The discriminants index [`crate::LayerSet`]; keep them in `LayerSet::ALL` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum Layer {
    /// The link layer (Ethernet, SLL, loopback, PPP, HDLC, PPI).
    Link,
    /// An 802.1Q / 802.1ad VLAN tag.
    Vlan,
    /// An MPLS label stack entry.
    Mpls,
    /// A PPPoE session header.
    Pppoe,
    /// An ARP packet.
    Arp,
    /// An IPv4 header.
    Ipv4,
    /// An IPv6 header or one of its extension headers.
    Ipv6,
    /// A TCP header.
    Tcp,
    /// A UDP header.
    Udp,
    /// An ICMP message.
    Icmp,
    /// An ICMPv6 message.
    Icmpv6,
    /// A GRE header.
    Gre,
    /// A VXLAN header.
    Vxlan,
}

impl Layer {
    /// A short lower-case name (`ipv4`, `tcp`, …).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Link => "link",
            Layer::Vlan => "vlan",
            Layer::Mpls => "mpls",
            Layer::Pppoe => "pppoe",
            Layer::Arp => "arp",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Tcp => "tcp",
            Layer::Udp => "udp",
            Layer::Icmp => "icmp",
            Layer::Icmpv6 => "icmpv6",
            Layer::Gre => "gre",
            Layer::Vxlan => "vxlan",
        }
    }
}

/// What was wrong with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The frame ends before the header does (typically a snap length cut).
    Truncated,
    /// A header's length field is smaller than the header's minimum (e.g. IPv4 IHL < 5).
    BadHeaderLength,
    /// A length field claims more bytes than the enclosing layer holds.
    LengthMismatch,
    /// A version field holds an unexpected value (e.g. IPv4 header with version 6).
    BadVersion,
    /// The link type is not one weir decodes.
    UnsupportedLinkType,
    /// Too many nested layers (VLAN tags, MPLS labels, extension headers or tunnels), or
    /// a PPI header inside a PPI header.
    TooDeep,
    /// A field holds a value that the protocol forbids.
    Malformed,
}

impl DecodeErrorKind {
    /// A short lower-case name (`truncated`, `bad_header_length`, …).
    pub fn name(self) -> &'static str {
        match self {
            DecodeErrorKind::Truncated => "truncated",
            DecodeErrorKind::BadHeaderLength => "bad_header_length",
            DecodeErrorKind::LengthMismatch => "length_mismatch",
            DecodeErrorKind::BadVersion => "bad_version",
            DecodeErrorKind::UnsupportedLinkType => "unsupported_link_type",
            DecodeErrorKind::TooDeep => "too_deep",
            DecodeErrorKind::Malformed => "malformed",
        }
    }
}

/// Where and why decoding of a frame stopped: the layer, the kind of damage and the byte
/// offset in the frame at which the damaged header starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecodeError {
    /// The layer being decoded.
    pub layer: Layer,
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// Offset of the damaged header from the start of the frame.
    pub offset: usize,
}

impl DecodeError {
    /// A new error.
    pub const fn new(layer: Layer, kind: DecodeErrorKind, offset: usize) -> DecodeError {
        DecodeError {
            layer,
            kind,
            offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} at byte {}",
            self.layer.name(),
            self.kind.name(),
            self.offset
        )
    }
}

impl std::error::Error for DecodeError {}
