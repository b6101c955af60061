//! RDP connection request and confirm (TPKT / X.224).

use super::put_u16;

/// An RDP X.224 Connection Request in a TPKT, with the `mstshash` cookie and an
/// RDP_NEG_REQ asking for TLS or CredSSP.
pub fn rdp_connection_request(user: &str) -> Vec<u8> {
    let cookie = format!("Cookie: mstshash={user}\r\n");
    let mut x224 = vec![0xe0, 0, 0, 0, 0, 0];
    x224.extend_from_slice(cookie.as_bytes());
    x224.extend_from_slice(&[0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]);
    let mut out = vec![3, 0];
    put_u16(&mut out, (x224.len() + 5) as u16);
    out.push(x224.len() as u8);
    out.extend_from_slice(&x224);
    out
}

/// The X.224 Connection Confirm selecting TLS (RDP_NEG_RSP, PROTOCOL_SSL).
pub fn rdp_connection_confirm() -> Vec<u8> {
    vec![
        0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x1f, 0x08, 0x00,
        0x01, 0x00, 0x00, 0x00,
    ]
}
