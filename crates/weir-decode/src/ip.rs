//! IPv4 (RFC 791) and IPv6 (RFC 8200) headers, with IPv4 options and the IPv6
//! extension-header chain (hop-by-hop, routing, fragment, destination options, AH).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::bytes::{array_at, be16, be32, u8_at};
use crate::{DecodeError, DecodeErrorKind, Layer};

/// Longest IPv6 extension-header chain decoded before giving up (`TooDeep`).
pub const MAX_IPV6_EXT_HEADERS: u8 = 8;

/// IP protocol numbers weir treats specially.
pub mod proto {
    /// IPv6 hop-by-hop options.
    pub const HOPOPT: u8 = 0;
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// IPv4 encapsulated in IP.
    pub const IPIP: u8 = 4;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// IPv6 encapsulated in IP (6in4).
    pub const IPV6: u8 = 41;
    /// IPv6 routing header.
    pub const IPV6_ROUTE: u8 = 43;
    /// IPv6 fragment header.
    pub const IPV6_FRAG: u8 = 44;
    /// GRE.
    pub const GRE: u8 = 47;
    /// ESP.
    pub const ESP: u8 = 50;
    /// Authentication header.
    pub const AH: u8 = 51;
    /// ICMPv6.
    pub const ICMPV6: u8 = 58;
    /// IPv6 "no next header".
    pub const IPV6_NONXT: u8 = 59;
    /// IPv6 destination options.
    pub const IPV6_OPTS: u8 = 60;
    /// SCTP.
    pub const SCTP: u8 = 132;
}

/// IP version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpVersion {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

/// Fragmentation information of an IPv4 packet or an IPv6 Fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fragment {
    /// Offset of this fragment's data in the original payload, in bytes.
    pub offset_bytes: u32,
    /// More fragments follow.
    pub more: bool,
    /// Identification (16 bits for IPv4, 32 bits for IPv6).
    pub id: u32,
}

impl Fragment {
    /// True for the fragment at offset 0 (which carries the upper-layer header).
    pub fn is_first(&self) -> bool {
        self.offset_bytes == 0
    }
}

/// The decoded fields of an IPv4 or IPv6 header (with its extension headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpRepr {
    /// Version.
    pub version: IpVersion,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Upper-layer protocol, after any IPv6 extension headers.
    pub protocol: u8,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 type of service or IPv6 traffic class.
    pub tos: u8,
    /// Header length in bytes, including IPv4 options or IPv6 extension headers.
    pub header_len: u16,
    /// Upper-layer bytes according to the length fields (may exceed what was captured).
    pub payload_len: u32,
    /// Fragmentation, if this packet is a fragment (IPv4 MF/offset, IPv6 Fragment header).
    pub fragment: Option<Fragment>,
    /// IPv4 "don't fragment" flag (false for IPv6).
    pub dont_fragment: bool,
    /// Number of IPv6 extension headers, or 1 if an IPv4 header has options.
    pub options: u8,
}

impl IpRepr {
    /// True if the upper-layer header is present (not a non-first fragment).
    pub fn carries_l4_header(&self) -> bool {
        self.fragment.is_none_or(|f| f.is_first())
    }
}

/// A decoded IP header and where its payload lies in the frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IpParsed {
    pub repr: IpRepr,
    /// Payload start offset in the frame.
    pub start: usize,
    /// Payload end offset (exclusive), clamped to the captured bytes.
    pub end: usize,
    /// The length fields claim more bytes than were captured.
    pub truncated: bool,
}

fn err(layer: Layer, kind: DecodeErrorKind, off: usize) -> DecodeError {
    DecodeError::new(layer, kind, off)
}

/// Decodes the IPv4 header at `off` of `frame`.
pub(crate) fn parse_ipv4(frame: &[u8], off: usize) -> Result<IpParsed, DecodeError> {
    let e = |k| err(Layer::Ipv4, k, off);
    let avail = frame.len().saturating_sub(off);
    // The fixed header as one array: every field below is read without a bounds check.
    let Some(h) = frame
        .get(off..off.saturating_add(20))
        .and_then(|s| <&[u8; 20]>::try_from(s).ok())
    else {
        return Err(e(DecodeErrorKind::Truncated));
    };
    let [
        vihl,
        tos,
        tl0,
        tl1,
        id0,
        id1,
        ff0,
        ff1,
        ttl,
        protocol,
        _,
        _,
        s0,
        s1,
        s2,
        s3,
        d0,
        d1,
        d2,
        d3,
    ] = *h;
    if vihl >> 4 != 4 {
        return Err(e(DecodeErrorKind::BadVersion));
    }
    let ihl = usize::from(vihl & 0x0f) * 4;
    if ihl < 20 {
        return Err(e(DecodeErrorKind::BadHeaderLength));
    }
    if avail < ihl {
        return Err(e(DecodeErrorKind::Truncated));
    }
    let mut total = usize::from(u16::from_be_bytes([tl0, tl1]));
    if total == 0 {
        // Segmentation offload captures leave the length 0: trust the capture.
        total = avail;
    }
    if total < ihl {
        return Err(e(DecodeErrorKind::LengthMismatch));
    }
    let flags_frag = u16::from_be_bytes([ff0, ff1]);
    let more = flags_frag & 0x2000 != 0;
    let offset_bytes = u32::from(flags_frag & 0x1fff) * 8;
    let fragment = (more || offset_bytes != 0).then_some(Fragment {
        offset_bytes,
        more,
        id: u32::from(u16::from_be_bytes([id0, id1])),
    });
    let repr = IpRepr {
        version: IpVersion::V4,
        src: IpAddr::V4(Ipv4Addr::new(s0, s1, s2, s3)),
        dst: IpAddr::V4(Ipv4Addr::new(d0, d1, d2, d3)),
        protocol,
        ttl,
        tos,
        header_len: ihl as u16,
        payload_len: (total - ihl) as u32,
        fragment,
        dont_fragment: flags_frag & 0x4000 != 0,
        options: u8::from(ihl > 20),
    };
    Ok(IpParsed {
        repr,
        start: off + ihl,
        end: off + total.min(avail),
        truncated: total > avail,
    })
}

/// Decodes the IPv6 header at `off` of `frame` and walks its extension headers.
pub(crate) fn parse_ipv6(frame: &[u8], off: usize) -> Result<IpParsed, DecodeError> {
    let e = |k, at| err(Layer::Ipv6, k, at);
    let avail = frame.len().saturating_sub(off);
    if avail < 40 {
        return Err(e(DecodeErrorKind::Truncated, off));
    }
    let word0 = be32(frame, off);
    if word0 >> 28 != 6 {
        return Err(e(DecodeErrorKind::BadVersion, off));
    }
    let mut payload_len = usize::from(be16(frame, off + 4));
    let mut next = u8_at(frame, off + 6);
    if payload_len == 0 && next == proto::HOPOPT {
        // Jumbogram (RFC 2675) or offload capture: trust the capture.
        payload_len = avail - 40;
    }
    let truncated = payload_len > avail - 40;
    let end = off + 40 + payload_len.min(avail - 40);
    let mut repr = IpRepr {
        version: IpVersion::V6,
        src: IpAddr::V6(Ipv6Addr::from(array_at::<16>(frame, off + 8))),
        dst: IpAddr::V6(Ipv6Addr::from(array_at::<16>(frame, off + 24))),
        protocol: next,
        ttl: u8_at(frame, off + 7),
        tos: ((word0 >> 20) & 0xff) as u8,
        header_len: 40,
        payload_len: payload_len as u32,
        fragment: None,
        dont_fragment: false,
        options: 0,
    };
    let mut cur = off + 40;
    loop {
        let ext_len = match next {
            proto::HOPOPT | proto::IPV6_ROUTE | proto::IPV6_OPTS => {
                (usize::from(u8_at(frame, cur + 1)) + 1) * 8
            }
            proto::AH => (usize::from(u8_at(frame, cur + 1)) + 2) * 4,
            proto::IPV6_FRAG => 8,
            _ => break,
        };
        if repr.options >= MAX_IPV6_EXT_HEADERS {
            return Err(e(DecodeErrorKind::TooDeep, cur));
        }
        if cur + 2 > end || cur + ext_len > end {
            return Err(e(
                if truncated || cur + ext_len > frame.len() {
                    DecodeErrorKind::Truncated
                } else {
                    DecodeErrorKind::LengthMismatch
                },
                cur,
            ));
        }
        if next == proto::IPV6_FRAG {
            let fo = be16(frame, cur + 2);
            repr.fragment = Some(Fragment {
                offset_bytes: u32::from(fo >> 3) * 8,
                more: fo & 1 != 0,
                id: be32(frame, cur + 4),
            });
        }
        next = u8_at(frame, cur);
        cur += ext_len;
        repr.options += 1;
    }
    repr.protocol = next;
    repr.header_len = (cur - off) as u16;
    repr.payload_len = (payload_len + 40).saturating_sub(cur - off) as u32;
    Ok(IpParsed {
        repr,
        start: cur,
        end,
        truncated,
    })
}
