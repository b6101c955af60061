//! RDP (MS-RDPBCGR): TPKT + X.224 Connection Request/Confirm.

/// True if `p` is a TPKT (version 3) carrying an X.224 Connection Request (0xe0) or
/// Confirm (0xd0), the first message of every RDP connection.
pub fn probe(p: &[u8]) -> bool {
    let [3, 0, hi, lo, li, code, ..] = *p else {
        return false;
    };
    let len = u16::from_be_bytes([hi, lo]);
    len >= 11 && usize::from(li) + 5 <= usize::from(len) && matches!(code & 0xf0, 0xe0 | 0xd0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_request() {
        let p = b"\x03\x00\x00\x2b\x26\xe0\x00\x00\x00\x00\x00Cookie: mstshash=a\r\n";
        assert!(probe(p));
        assert!(!probe(b"\x03\x00\x00\x05"));
        assert!(!probe(b"GET /"));
    }
}
