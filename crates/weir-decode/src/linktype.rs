//! Link-layer header types (the `LINKTYPE_*` / `DLT_*` numbers of pcap and pcapng).

/// The link-layer type of a captured frame, as pcap and pcapng files record it.
///
/// Converts losslessly from and to the raw number: types weir does not decode are kept
/// as [`LinkType::Unknown`] so they can be counted and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// `DLT_NULL` (0): BSD loopback, a 4-byte address family in host byte order.
    Null,
    /// `LINKTYPE_ETHERNET` (1).
    Ethernet,
    /// `LINKTYPE_PPP` (9): PPP with address/control bytes (RFC 1662) or without.
    Ppp,
    /// `LINKTYPE_RAW` (101, also 12 and 14 on some systems): raw IPv4 or IPv6.
    Raw,
    /// `LINKTYPE_C_HDLC` (104): Cisco HDLC.
    CiscoHdlc,
    /// `LINKTYPE_LOOP` (108): OpenBSD loopback, address family in network byte order.
    Loop,
    /// `LINKTYPE_LINUX_SLL` (113): Linux cooked capture v1.
    LinuxSll,
    /// `LINKTYPE_PPI` (192): a Per-Packet Information header (version, flags, header
    /// length, inner link type, then fields) before a frame of the inner link type.
    Ppi,
    /// `LINKTYPE_IPV4` (228): raw IPv4.
    Ipv4,
    /// `LINKTYPE_IPV6` (229): raw IPv6.
    Ipv6,
    /// `LINKTYPE_LINUX_SLL2` (276): Linux cooked capture v2.
    LinuxSll2,
    /// Any other link type, with its raw number.
    Unknown(u32),
}

impl LinkType {
    /// Every link type `decode` understands, for fuzzing and documentation.
    pub const SUPPORTED: [LinkType; 11] = [
        LinkType::Null,
        LinkType::Ethernet,
        LinkType::Ppp,
        LinkType::Raw,
        LinkType::CiscoHdlc,
        LinkType::Loop,
        LinkType::LinuxSll,
        LinkType::Ipv4,
        LinkType::Ipv6,
        LinkType::LinuxSll2,
        LinkType::Ppi,
    ];

    /// The link type for a raw `LINKTYPE_*` number.
    pub fn from_raw(raw: u32) -> LinkType {
        match raw {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            9 => LinkType::Ppp,
            12 | 14 | 101 => LinkType::Raw,
            104 => LinkType::CiscoHdlc,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            192 => LinkType::Ppi,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            other => LinkType::Unknown(other),
        }
    }

    /// The raw `LINKTYPE_*` number (the canonical one where several map to one type).
    pub fn to_raw(self) -> u32 {
        match self {
            LinkType::Null => 0,
            LinkType::Ethernet => 1,
            LinkType::Ppp => 9,
            LinkType::Raw => 101,
            LinkType::CiscoHdlc => 104,
            LinkType::Loop => 108,
            LinkType::LinuxSll => 113,
            LinkType::Ppi => 192,
            LinkType::Ipv4 => 228,
            LinkType::Ipv6 => 229,
            LinkType::LinuxSll2 => 276,
            LinkType::Unknown(n) => n,
        }
    }

    /// A short lower-case name for summaries (`ethernet`, `linux_sll`, …).
    pub fn name(self) -> &'static str {
        match self {
            LinkType::Null => "null",
            LinkType::Ethernet => "ethernet",
            LinkType::Ppp => "ppp",
            LinkType::Raw => "raw",
            LinkType::CiscoHdlc => "cisco_hdlc",
            LinkType::Loop => "loop",
            LinkType::LinuxSll => "linux_sll",
            LinkType::Ppi => "ppi",
            LinkType::Ipv4 => "ipv4",
            LinkType::Ipv6 => "ipv6",
            LinkType::LinuxSll2 => "linux_sll2",
            LinkType::Unknown(_) => "unknown",
        }
    }
}

impl From<u32> for LinkType {
    fn from(raw: u32) -> Self {
        LinkType::from_raw(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trip() {
        for lt in LinkType::SUPPORTED {
            assert_eq!(LinkType::from_raw(lt.to_raw()), lt);
        }
        assert_eq!(LinkType::from_raw(12), LinkType::Raw);
        assert_eq!(LinkType::from_raw(192), LinkType::Ppi);
        assert_eq!(LinkType::from_raw(999), LinkType::Unknown(999));
        assert_eq!(LinkType::Unknown(999).to_raw(), 999);
    }
}
