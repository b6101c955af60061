//! DHCP (RFC 2131/2132) and BOOTP.

use super::Reader;

/// Most options looked at.
pub const MAX_OPTIONS: usize = 128;

/// Fields of a DHCP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dhcp<'a> {
    /// 1 request, 2 reply.
    pub op: u8,
    /// Option 53 message type (0 if absent, i.e. BOOTP or damaged).
    pub msg_type: u8,
    /// Client hardware address (first 6 bytes of chaddr).
    pub client_mac: [u8; 6],
    /// Option 12 host name.
    pub hostname: Option<&'a [u8]>,
    /// Option 60 vendor class id.
    pub vendor_class: Option<&'a [u8]>,
    /// The option walk hit damage.
    pub malformed: bool,
}

/// True if the payload has a BOOTP op and the DHCP magic cookie.
pub fn probe(p: &[u8]) -> bool {
    matches!(p.first(), Some(1 | 2)) && p.get(236..240) == Some(&[0x63, 0x82, 0x53, 0x63][..])
}

/// Parses a DHCP message. `None` unless [`probe`] holds.
pub fn parse(p: &[u8]) -> Option<Dhcp<'_>> {
    if !probe(p) {
        return None;
    }
    let mut d = Dhcp {
        op: p.first().copied().unwrap_or(0),
        msg_type: 0,
        client_mac: [0; 6],
        hostname: None,
        vendor_class: None,
        malformed: false,
    };
    if let Some(mac) = p.get(28..34) {
        d.client_mac.copy_from_slice(mac);
    }
    let mut r = Reader::new(p.get(240..).unwrap_or(&[]));
    for _ in 0..MAX_OPTIONS {
        let Some(code) = r.u8() else { break };
        match code {
            0 => continue,
            255 => break,
            _ => {}
        }
        let Some(val) = r.vec8() else {
            d.malformed = true;
            break;
        };
        match code {
            53 => d.msg_type = val.first().copied().unwrap_or(0),
            12 => d.hostname = Some(val),
            60 => d.vendor_class = Some(val),
            _ => {}
        }
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover() {
        let mut p = vec![0u8; 240];
        p[0] = 1;
        p[236..240].copy_from_slice(&[0x63, 0x82, 0x53, 0x63]);
        p.extend_from_slice(&[53, 1, 1, 12, 3, b'a', b'b', b'c', 255]);
        let d = parse(&p).unwrap();
        assert_eq!((d.op, d.msg_type, d.hostname), (1, 1, Some(&b"abc"[..])));
        p.truncate(245);
        assert!(parse(&p).unwrap().malformed);
        assert!(parse(&[1, 2, 3]).is_none());
    }
}
