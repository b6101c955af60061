//! SMB over NetBIOS session service (TCP 139) or direct TCP (445), and SMB inside
//! NetBIOS datagrams (UDP 138).

/// SMB dialect family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmbVersion {
    /// SMB1 (`\xffSMB`).
    V1,
    /// SMB2/3 (`\xfeSMB`, or `\xfdSMB` transform header).
    V2,
}

fn magic(p: &[u8]) -> Option<SmbVersion> {
    match p.get(..4)? {
        [0xff, b'S', b'M', b'B'] => Some(SmbVersion::V1),
        [0xfe | 0xfd, b'S', b'M', b'B'] => Some(SmbVersion::V2),
        _ => None,
    }
}

/// SMB in a TCP segment: NetBIOS session message header (type 0, 3-byte length) then
/// the SMB magic.
pub fn probe_tcp(p: &[u8]) -> Option<SmbVersion> {
    if p.first() != Some(&0) {
        return None;
    }
    magic(p.get(4..)?)
}

/// NetBIOS session service request/response (RFC 1002 §4.3): types 0x81..0x85.
pub fn probe_netbios_session(p: &[u8]) -> bool {
    matches!(p.first(), Some(0x81..=0x85)) && p.get(1).is_some_and(|f| f & 0xfe == 0)
}

/// SMB inside a NetBIOS datagram (direct unique/group, RFC 1002 §4.4): the SMB header
/// follows the 14-byte datagram header and two encoded 34-byte names.
pub fn probe_datagram(p: &[u8]) -> Option<SmbVersion> {
    if !matches!(p.first(), Some(0x10..=0x12)) {
        return None;
    }
    magic(p.get(82..)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(
            probe_tcp(&[0, 0, 0, 0x40, 0xfe, b'S', b'M', b'B']),
            Some(SmbVersion::V2)
        );
        assert_eq!(
            probe_tcp(&[0, 0, 0, 0x40, 0xff, b'S', b'M', b'B']),
            Some(SmbVersion::V1)
        );
        assert_eq!(probe_tcp(&[0, 0, 0]), None);
        assert!(probe_netbios_session(&[0x81, 0, 0, 0x44]));
        let mut d = vec![0x11u8; 82];
        d.extend_from_slice(&[0xff, b'S', b'M', b'B']);
        assert_eq!(probe_datagram(&d), Some(SmbVersion::V1));
    }
}
