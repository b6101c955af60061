//! DHCP (BOOTP) messages.

/// DHCP message types (option 53).
pub const DHCP_DISCOVER: u8 = 1;
/// DHCPOFFER.
pub const DHCP_OFFER: u8 = 2;
/// DHCPREQUEST.
pub const DHCP_REQUEST: u8 = 3;
/// DHCPACK.
pub const DHCP_ACK: u8 = 5;

/// What a DHCP message says.
#[derive(Clone, Debug)]
pub struct Dhcp<'a> {
    /// Option 53.
    pub msg_type: u8,
    /// Transaction id.
    pub xid: u32,
    /// Client hardware address.
    pub chaddr: [u8; 6],
    /// `yiaddr` (offered address; zero in client messages).
    pub yiaddr: [u8; 4],
    /// Server identifier (option 54) in server messages, requested server in a REQUEST.
    pub server: [u8; 4],
    /// Router and DNS server options given by a server.
    pub router: [u8; 4],
    /// Client host name (option 12) in client messages.
    pub hostname: Option<&'a str>,
}

/// A BOOTP/DHCP message (RFC 2131), broadcast flag set, padded to 300 bytes.
pub fn dhcp_message(m: &Dhcp<'_>) -> Vec<u8> {
    let from_server = matches!(m.msg_type, DHCP_OFFER | DHCP_ACK);
    let mut out = Vec::with_capacity(300);
    out.extend_from_slice(&[if from_server { 2 } else { 1 }, 1, 6, 0]);
    out.extend_from_slice(&m.xid.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0x80, 0]); // secs, flags: broadcast
    out.extend_from_slice(&[0; 4]); // ciaddr
    out.extend_from_slice(&m.yiaddr);
    out.extend_from_slice(if from_server { &m.server } else { &[0; 4] }); // siaddr
    out.extend_from_slice(&[0; 4]); // giaddr
    out.extend_from_slice(&m.chaddr);
    out.extend_from_slice(&[0; 10 + 64 + 128]);
    out.extend_from_slice(&[0x63, 0x82, 0x53, 0x63]);
    out.extend_from_slice(&[53, 1, m.msg_type]);
    if from_server {
        out.extend_from_slice(&[54, 4]);
        out.extend_from_slice(&m.server);
        out.extend_from_slice(&[51, 4, 0, 0, 0x0e, 0x10]); // 1 hour lease
        out.extend_from_slice(&[1, 4, 255, 255, 255, 0]);
        out.extend_from_slice(&[3, 4]);
        out.extend_from_slice(&m.router);
        out.extend_from_slice(&[6, 4]);
        out.extend_from_slice(&m.router);
    } else {
        out.extend_from_slice(&[61, 7, 1]);
        out.extend_from_slice(&m.chaddr);
        if m.msg_type == DHCP_REQUEST {
            out.extend_from_slice(&[50, 4]);
            out.extend_from_slice(&m.yiaddr);
            out.extend_from_slice(&[54, 4]);
            out.extend_from_slice(&m.server);
        }
        if let Some(h) = m.hostname {
            let h = &h.as_bytes()[..h.len().min(63)];
            out.extend_from_slice(&[12, h.len() as u8]);
            out.extend_from_slice(h);
        }
        out.extend_from_slice(&[55, 4, 1, 3, 6, 15]);
    }
    out.push(255);
    if out.len() < 300 {
        out.resize(300, 0);
    }
    out
}
