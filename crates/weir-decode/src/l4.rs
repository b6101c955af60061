//! Transport layers: TCP (RFC 9293, options of RFC 7323 and 2018), UDP (RFC 768),
//! ICMP (RFC 792) and ICMPv6 (RFC 4443).

use crate::bytes::{be16, be32, u8_at};
use crate::{DecodeError, DecodeErrorKind, Layer};

/// TCP flag bits as they appear in byte 13 of the header.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
    /// ECE.
    pub const ECE: u8 = 0x40;
    /// CWR.
    pub const CWR: u8 = 0x80;
}

/// The TCP options weir reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpOptions {
    /// Maximum segment size.
    pub mss: Option<u16>,
    /// Window scale shift count.
    pub wscale: Option<u8>,
    /// SACK permitted.
    pub sack_permitted: bool,
    /// Number of SACK blocks in a SACK option.
    pub sack_blocks: u8,
    /// Timestamps option (value, echo reply).
    pub timestamps: Option<(u32, u32)>,
    /// An option had an impossible length; options after it were not read.
    pub malformed: bool,
}

/// A decoded TCP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags (see [`tcp_flags`]).
    pub flags: u8,
    /// Receive window (unscaled).
    pub window: u16,
    /// Header length in bytes, options included.
    pub header_len: u8,
    /// Options.
    pub options: TcpOptions,
}

impl TcpRepr {
    /// True if every bit of `mask` is set.
    pub fn has(&self, mask: u8) -> bool {
        self.flags & mask == mask
    }
}

/// A decoded UDP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// The length field (header + data).
    pub length: u16,
}

/// A decoded ICMP or ICMPv6 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IcmpRepr {
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Identifier for echo request/reply, else 0.
    pub id: u16,
    /// Sequence number for echo request/reply, else 0.
    pub seq: u16,
}

impl IcmpRepr {
    /// True for error messages, which quote the packet that caused them.
    pub fn is_error(&self, v6: bool) -> bool {
        if v6 {
            matches!(self.icmp_type, 1..=4)
        } else {
            matches!(self.icmp_type, 3 | 4 | 5 | 11 | 12)
        }
    }

    fn is_echo(&self, v6: bool) -> bool {
        if v6 {
            matches!(self.icmp_type, 128 | 129)
        } else {
            matches!(self.icmp_type, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18)
        }
    }
}

/// The transport layer of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum L4Repr {
    /// TCP.
    Tcp(TcpRepr),
    /// UDP.
    Udp(UdpRepr),
    /// ICMP (IPv4).
    Icmp(IcmpRepr),
    /// ICMPv6.
    Icmpv6(IcmpRepr),
}

impl L4Repr {
    /// Source and destination ports for TCP and UDP.
    pub fn ports(&self) -> Option<(u16, u16)> {
        match self {
            L4Repr::Tcp(t) => Some((t.src_port, t.dst_port)),
            L4Repr::Udp(u) => Some((u.src_port, u.dst_port)),
            L4Repr::Icmp(_) | L4Repr::Icmpv6(_) => None,
        }
    }

    /// The IP protocol number of this layer.
    pub fn protocol(&self) -> u8 {
        match self {
            L4Repr::Tcp(_) => crate::ip::proto::TCP,
            L4Repr::Udp(_) => crate::ip::proto::UDP,
            L4Repr::Icmp(_) => crate::ip::proto::ICMP,
            L4Repr::Icmpv6(_) => crate::ip::proto::ICMPV6,
        }
    }
}

/// Decodes a TCP header at the start of `seg`; returns it and its length.
/// `base` is the offset of `seg` in the frame, for error reporting.
pub(crate) fn parse_tcp(seg: &[u8], base: usize) -> Result<TcpRepr, DecodeError> {
    let e = |k| DecodeError::new(Layer::Tcp, k, base);
    if seg.len() < 20 {
        return Err(e(DecodeErrorKind::Truncated));
    }
    let data_off = usize::from(u8_at(seg, 12) >> 4) * 4;
    if data_off < 20 {
        return Err(e(DecodeErrorKind::BadHeaderLength));
    }
    if seg.len() < data_off {
        return Err(e(DecodeErrorKind::Truncated));
    }
    Ok(TcpRepr {
        src_port: be16(seg, 0),
        dst_port: be16(seg, 2),
        seq: be32(seg, 4),
        ack: be32(seg, 8),
        flags: u8_at(seg, 13),
        window: be16(seg, 14),
        header_len: data_off as u8,
        options: parse_tcp_options(seg.get(20..data_off).unwrap_or(&[])),
    })
}

/// Reads TCP options; at most 40 bytes, so the loop is bounded.
fn parse_tcp_options(mut opts: &[u8]) -> TcpOptions {
    let mut o = TcpOptions::default();
    while let Some((&kind, rest)) = opts.split_first() {
        match kind {
            0 => break,
            1 => {
                opts = rest;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u8_at(opts, 1));
        let Some(body) = (len >= 2).then(|| opts.get(2..len)).flatten() else {
            o.malformed = true;
            break;
        };
        match (kind, body.len()) {
            (2, 2) => o.mss = Some(be16(body, 0)),
            (3, 1) => o.wscale = Some(u8_at(body, 0)),
            (4, 0) => o.sack_permitted = true,
            (5, n) if n % 8 == 0 && n > 0 => o.sack_blocks = (n / 8) as u8,
            (8, 8) => o.timestamps = Some((be32(body, 0), be32(body, 4))),
            (2..=5 | 8, _) => o.malformed = true,
            _ => {}
        }
        opts = opts.get(len..).unwrap_or(&[]);
    }
    o
}

/// Decodes a UDP header at the start of `dgram`; returns it and the payload length
/// claimed by its length field (clamped to the datagram) and whether it claimed more.
pub(crate) fn parse_udp(dgram: &[u8], base: usize) -> Result<(UdpRepr, usize, bool), DecodeError> {
    let e = |k| DecodeError::new(Layer::Udp, k, base);
    if dgram.len() < 8 {
        return Err(e(DecodeErrorKind::Truncated));
    }
    let length = be16(dgram, 4);
    let claimed = usize::from(length);
    // A zero length is legal for IPv6 jumbograms; trust the IP layer then.
    let (payload, truncated) = if claimed == 0 {
        (dgram.len() - 8, false)
    } else if claimed < 8 {
        return Err(e(DecodeErrorKind::BadHeaderLength));
    } else {
        ((claimed - 8).min(dgram.len() - 8), claimed > dgram.len())
    };
    let repr = UdpRepr {
        src_port: be16(dgram, 0),
        dst_port: be16(dgram, 2),
        length,
    };
    Ok((repr, payload, truncated))
}

/// Decodes an ICMP (`v6 == false`) or ICMPv6 header; returns it and its length.
pub(crate) fn parse_icmp(
    msg: &[u8],
    base: usize,
    v6: bool,
) -> Result<(IcmpRepr, usize), DecodeError> {
    let layer = if v6 { Layer::Icmpv6 } else { Layer::Icmp };
    if msg.len() < 4 {
        return Err(DecodeError::new(layer, DecodeErrorKind::Truncated, base));
    }
    let mut repr = IcmpRepr {
        icmp_type: u8_at(msg, 0),
        code: u8_at(msg, 1),
        id: 0,
        seq: 0,
    };
    // Echo-style messages carry an identifier and a sequence number; others carry
    // 4 bytes of type-specific data, which stay part of the payload.
    if repr.is_echo(v6) {
        if msg.len() < 8 {
            return Err(DecodeError::new(layer, DecodeErrorKind::Truncated, base));
        }
        repr.id = be16(msg, 4);
        repr.seq = be16(msg, 6);
        Ok((repr, 8))
    } else {
        Ok((repr, 4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_options_all_kinds() {
        let opts = [
            2, 4, 0x05, 0xb4, // MSS 1460
            1, 3, 3, 7, // NOP, wscale 7
            4, 2, // SACK permitted
            8, 10, 0, 0, 0, 1, 0, 0, 0, 2, // timestamps
            5, 10, 0, 0, 0, 1, 0, 0, 0, 9, // one SACK block
            0,
        ];
        let o = parse_tcp_options(&opts);
        assert_eq!(o.mss, Some(1460));
        assert_eq!(o.wscale, Some(7));
        assert!(o.sack_permitted);
        assert_eq!(o.timestamps, Some((1, 2)));
        assert_eq!(o.sack_blocks, 1);
        assert!(!o.malformed);
    }

    #[test]
    fn tcp_options_bad_lengths_are_flagged() {
        assert!(parse_tcp_options(&[2, 0]).malformed);
        assert!(parse_tcp_options(&[2, 1, 0]).malformed);
        assert!(parse_tcp_options(&[2, 40, 0]).malformed);
        assert!(parse_tcp_options(&[2, 3, 0]).malformed);
        assert!(parse_tcp_options(&[3]).malformed);
        assert!(!parse_tcp_options(&[1, 1, 1, 0, 99]).malformed);
    }

    #[test]
    fn tcp_rejects_short_data_offset() {
        let mut h = [0u8; 20];
        h[12] = 4 << 4;
        assert_eq!(
            parse_tcp(&h, 34).unwrap_err(),
            DecodeError::new(Layer::Tcp, DecodeErrorKind::BadHeaderLength, 34)
        );
        h[12] = 6 << 4;
        assert_eq!(
            parse_tcp(&h, 0).unwrap_err().kind,
            DecodeErrorKind::Truncated
        );
    }

    #[test]
    fn udp_lengths() {
        let d = [0, 53, 0, 53, 0, 10, 0, 0, 1, 2, 3, 4];
        let (u, n, t) = parse_udp(&d, 0).unwrap();
        assert_eq!((u.src_port, n, t), (53, 2, false));
        let d = [0, 53, 0, 53, 0, 20, 0, 0, 1, 2];
        assert_eq!(parse_udp(&d, 0).unwrap().1, 2);
        assert!(parse_udp(&d, 0).unwrap().2);
        let d = [0, 53, 0, 53, 0, 7, 0, 0];
        assert_eq!(
            parse_udp(&d, 0).unwrap_err().kind,
            DecodeErrorKind::BadHeaderLength
        );
    }

    #[test]
    fn icmp_echo_and_other() {
        let (r, n) = parse_icmp(&[8, 0, 0, 0, 0, 7, 0, 1, 9], 0, false).unwrap();
        assert_eq!((r.icmp_type, r.id, r.seq, n), (8, 7, 1, 8));
        let (r, n) = parse_icmp(&[3, 3, 0, 0, 0, 0, 0, 0], 0, false).unwrap();
        assert_eq!((r.icmp_type, r.code, r.id, n), (3, 3, 0, 4));
        let (r, _) = parse_icmp(&[128, 0, 0, 0, 0, 5, 0, 6], 0, true).unwrap();
        assert_eq!((r.id, r.seq), (5, 6));
        assert!(parse_icmp(&[8, 0, 0, 0, 0], 0, false).is_err());
    }
}
