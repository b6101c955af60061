//! `weir-decode`: zero-copy packet decoding and capture-file reading.
//!
//! This crate owns everything between raw bytes and a decoded packet: link layers
//! (Ethernet, VLAN stacks, MPLS, PPPoE, Linux cooked capture, raw IP, BSD loopback, PPP,
//! Cisco HDLC, PPI), IPv4 and IPv6 with extension headers and fragments, TCP, UDP, ICMP and
//! ICMPv6, GRE and VXLAN tunnels, and the reading of pcap and pcapng files. It knows
//! nothing of flows or Lua.
//!
//! Decoding never panics and never allocates: [`decode`] takes a link type and a frame
//! and returns a [`Packet`] that borrows the frame. Damage is reported, not hidden: a
//! frame cut short by the snap length decodes as far as its bytes allow and says where
//! it stopped ([`Packet::error`]).
//!
//! ```
//! use weir_decode::{decode, LinkType};
//!
//! // An Ethernet frame carrying IPv4/UDP from 10.0.0.1:1234 to 10.0.0.2:53, 4 payload bytes.
//! let frame: &[u8] = &[
//!     0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, // Ethernet
//!     0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4
//!     0x04, 0xd2, 0, 53, 0, 12, 0, 0, // UDP
//!     b'a', b'b', b'c', b'd',
//! ];
//! let pkt = decode(LinkType::Ethernet, frame).expect("the link layer is intact");
//! assert!(pkt.error.is_none());
//! let ip = pkt.ip.expect("an IP layer");
//! assert_eq!(ip.src.to_string(), "10.0.0.1");
//! assert_eq!(pkt.l4.and_then(|l4| l4.ports()), Some((1234, 53)));
//! assert_eq!(pkt.payload, b"abcd");
//! ```
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod app;
pub mod capture;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod linktype;
mod time;

pub use error::{DecodeError, DecodeErrorKind, Layer};
pub use linktype::LinkType;
pub use time::Timestamp;

mod bytes;
pub mod ip;
pub mod l4;
pub mod link;
mod packet;
mod quick;
mod summary;
pub mod syslog;

pub use ip::{Fragment, IpRepr, IpVersion};
pub use l4::{IcmpRepr, L4Repr, TcpOptions, TcpRepr, UdpRepr};
pub use link::{ArpRepr, EthernetRepr, VlanStack};
pub use packet::{
    LayerSet, MAX_ENCAPSULATION_STEPS, MAX_TUNNEL_DEPTH, Packet, QuotedRepr, TEREDO_PORT,
    TunnelKind, TunnelRepr, VXLAN_PORT, decode,
};
pub use quick::{PlainTuple, decoded_tuple, plain_tuple};
pub use summary::DecodeSummary;
pub use syslog::{
    MAX_SYSLOG_MESSAGE, SyslogError, SyslogFormat, SyslogFramer, SyslogMessage, parse_syslog,
};
