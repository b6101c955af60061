//! Probes for industrial control protocols over TCP: DNP3, IEC 60870-5-104, Modbus/TCP,
//! the ISO-on-TCP (RFC 1006) family on port 102 (S7comm, S7comm-plus, MMS), Beckhoff ADS
//! and OPC UA binary.
//!
//! Pure, total checks of one payload (no panics, bounded loops, no allocation).

/// Little-endian u16 at `at`, as a length.
fn le16(p: &[u8], at: usize) -> Option<usize> {
    super::le16(p, at).map(usize::from)
}

/// Big-endian u16 at `at`, as a length.
fn be16(p: &[u8], at: usize) -> Option<usize> {
    super::be16(p, at).map(usize::from)
}

/// Little-endian u32 at `at`, as a length.
fn le32(p: &[u8], at: usize) -> Option<usize> {
    usize::try_from(super::le32(p, at)?).ok()
}

/// DNP3's CRC-16 (polynomial 0x3D65, reflected 0xA6BC, complemented).
fn dnp3_crc(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xa6bc
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// DNP3 over TCP: a data-link frame with the `0x05 0x64` start bytes, a length of at
/// least 5 and a valid header CRC.
pub fn probe_dnp3(p: &[u8]) -> bool {
    let (Some(head), Some(crc)) = (p.get(..8), le16(p, 8)) else {
        return false;
    };
    head.starts_with(&[0x05, 0x64])
        && head.get(2).is_some_and(|&l| l >= 5)
        && usize::from(dnp3_crc(head)) == crc
}

/// IEC 60870-5-104: one or more APDUs, each a start byte 0x68, a length 4..=253 and a
/// control field of a valid I, S or U format, ending exactly at the payload's end.
pub fn probe_iec104(p: &[u8]) -> bool {
    let mut at = 0usize;
    for _ in 0..32 {
        let (Some(&0x68), Some(&n), Some(&c1), Some(&c2), Some(&c3)) = (
            p.get(at),
            p.get(at + 1),
            p.get(at + 2),
            p.get(at + 3),
            p.get(at + 4),
        ) else {
            return false;
        };
        let n = usize::from(n);
        if !(4..=253).contains(&n) {
            return false;
        }
        let ok = match c1 & 0x03 {
            // S format: only the receive sequence number, and no ASDU.
            0x01 => c1 == 0x01 && c2 == 0 && n == 4,
            // U format: exactly one function bit, no ASDU.
            0x03 => {
                matches!(c1, 0x07 | 0x0b | 0x13 | 0x23 | 0x43 | 0x83)
                    && c2 == 0
                    && c3 == 0
                    && n == 4
            }
            // I format: an ASDU follows.
            _ => n > 4,
        };
        if !ok {
            return false;
        }
        at += 2 + n;
        if at == p.len() {
            return true;
        }
        if at > p.len() {
            return false;
        }
    }
    false
}

/// Modbus/TCP ADU: transaction id, protocol id 0, a length covering the rest (unit id
/// and PDU), and a function code from the public set (or its exception form, or
/// Schneider's UMAS 0x5A). Returns (transaction id, function code).
pub fn probe_modbus(p: &[u8]) -> Option<(u16, u8)> {
    let tid = u16::try_from(be16(p, 0)?).ok()?;
    let n = be16(p, 4)?;
    let func = *p.get(7)?;
    let known = matches!(func & 0x7f, 1..=8 | 11 | 12 | 15..=17 | 20..=24 | 43 | 0x5a);
    (be16(p, 2)? == 0 && n >= 2 && n + 6 == p.len() && known).then_some((tid, func))
}

/// What an ISO-on-TCP (RFC 1006 TPKT + ISO 8073 COTP) payload carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsoTsap {
    /// A COTP connection request/confirm with TSAP parameters (calling 0xC1, called
    /// 0xC2): the ISO transport of an industrial protocol, not RDP.
    Connect,
    /// COTP data carrying S7comm (protocol id 0x32).
    S7,
    /// COTP data carrying S7comm-plus (protocol id 0x72).
    S7Plus,
    /// COTP data carrying an ISO 8327 session CONNECT/ACCEPT SPDU (MMS and other OSI
    /// applications).
    Session,
}

/// Classifies a TPKT/COTP payload (see [`IsoTsap`]).
pub fn probe_iso_tsap(p: &[u8]) -> Option<IsoTsap> {
    let [3, 0, ..] = p else { return None };
    let n = be16(p, 2)?;
    if n < 7 || n > p.len() {
        return None;
    }
    let li = usize::from(*p.get(4)?);
    let code = *p.get(5)?;
    match code & 0xf0 {
        0xe0 | 0xd0 => {
            // Parameters after the 7-byte fixed part of the CR/CC TPDU.
            let mut at = 4 + 7;
            let end = 5 + li;
            let (mut calling, mut called) = (false, false);
            for _ in 0..8 {
                if at + 2 > end {
                    break;
                }
                let (Some(&code), Some(&plen)) = (p.get(at), p.get(at + 1)) else {
                    break;
                };
                calling |= code == 0xc1;
                called |= code == 0xc2;
                at += 2 + usize::from(plen);
            }
            (calling && called).then_some(IsoTsap::Connect)
        }
        0xf0 if li == 2 => match p.get(7)? {
            0x32 => Some(IsoTsap::S7),
            0x72 => Some(IsoTsap::S7Plus),
            0x0d | 0x0e => Some(IsoTsap::Session),
            _ => None,
        },
        _ => None,
    }
}

/// Beckhoff ADS over TCP (AMS/TCP): two reserved zero bytes, a length covering the
/// rest, then the 32-byte AMS header with a command id 0..=9 and a data length that
/// fills the packet.
pub fn probe_ads(p: &[u8]) -> bool {
    let (Some(n), Some(cmd), Some(data)) = (le32(p, 2), le16(p, 22), le32(p, 26)) else {
        return false;
    };
    p.starts_with(&[0, 0]) && n + 6 == p.len() && cmd <= 9 && data.checked_add(32) == Some(n)
}

/// OPC UA binary (UA TCP): a message type (`HEL`, `ACK`, `OPN`, `MSG`, `CLO`, `ERR`,
/// `RHE`), a chunk type (`F`, `C`, `A`) and a little-endian size covering the payload.
pub fn probe_opcua(p: &[u8]) -> bool {
    let ty = p.get(..3).unwrap_or(&[]);
    matches!(
        ty,
        b"HEL" | b"ACK" | b"OPN" | b"MSG" | b"CLO" | b"ERR" | b"RHE"
    ) && matches!(p.get(3), Some(b'F' | b'C' | b'A'))
        && le32(p, 4).is_some_and(|n| n >= 8 && n >= p.len() && n < 16 * 1024 * 1024)
}

/// CIP I/O over UDP (EtherNet/IP class 0/1 connection): a common packet format with two
/// items, a sequenced address item (0x8002, 8 bytes) and a connected data item (0x00B1)
/// whose length ends the payload.
pub fn probe_cip_io(p: &[u8]) -> bool {
    le16(p, 0) == Some(2)
        && le16(p, 2) == Some(0x8002)
        && le16(p, 4) == Some(8)
        && le16(p, 14) == Some(0x00b1)
        && le16(p, 16).is_some_and(|n| n + 18 == p.len())
}

/// HART-IP (TCP/UDP 5094): version 1, a message type (request, response, publish,
/// NAK), a message id 0..=4 (session initiate/close, keep-alive, token-passing PDU,
/// discovery), status, sequence number and a byte count equal to the payload.
pub fn probe_hart_ip(p: &[u8]) -> bool {
    p.first() == Some(&1)
        && matches!(p.get(1), Some(0..=3))
        && matches!(p.get(2), Some(0..=4))
        && be16(p, 6) == Some(p.len())
        && p.len() >= 8
}

/// Runs every probe of this module on `d` and counts those that accept it (the fuzz
/// target `app_ics` and the tests call it).
pub fn probe_all(d: &[u8]) -> usize {
    let hits = [
        probe_dnp3(d),
        probe_iec104(d),
        probe_modbus(d).is_some(),
        probe_iso_tsap(d).is_some(),
        probe_ads(d),
        probe_opcua(d),
        probe_cip_io(d),
        probe_hart_ip(d),
    ];
    hits.iter().filter(|&&h| h).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::hex_bytes as unhex;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic any probe of this module.
        #[test]
        fn probes_are_total(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = probe_all(&data);
        }
    }

    // Payloads extracted from public sample captures (nDPI's test set) with a script.

    #[test]
    fn dnp3_header_crc() {
        let p = unhex("05640a44030004007caee6f78210004fbd");
        assert!(probe_dnp3(&p));
        let mut bad = p.clone();
        bad[4] ^= 1;
        assert!(!probe_dnp3(&bad));
    }

    #[test]
    fn iec104_frames() {
        assert!(probe_iec104(&unhex("680407000000")));
        assert!(probe_iec104(&unhex("6804010042b9")));
        assert!(!probe_iec104(&unhex("680405000000")));
        assert!(!probe_iec104(&unhex("68040700000068")));
    }

    #[test]
    fn modbus_adu() {
        assert_eq!(
            probe_modbus(&unhex("00d100000006010300010001")),
            Some((0xd1, 3))
        );
        assert_eq!(
            probe_modbus(&unhex("00d1000000050103020000")),
            Some((0xd1, 3))
        );
        assert_eq!(probe_modbus(&unhex("00d100010006010300010001")), None);
    }

    #[test]
    fn iso_on_tcp() {
        assert_eq!(
            probe_iso_tsap(&unhex("0300001611e00000000700c1020100c2020102c0010a")),
            Some(IsoTsap::Connect)
        );
        assert_eq!(
            probe_iso_tsap(&unhex("0300001902f08032010000020000080000f0000001000101e0")),
            Some(IsoTsap::S7)
        );
        assert_eq!(
            probe_iso_tsap(&unhex(
                "030000a702f0800d9e0506130100160102140200023302000134020001c188318185a003800101a27e810400000001820400000001a423300f0201010604520100013004060251013010020103060528ca2202013004060251018802060061473045020101a040603e80020780a107060528ca220203be2f282d020103a028a826800300fa0081010a82010a830105a416800101810305e100820c03a00000000000000000e110"
            )),
            Some(IsoTsap::Session)
        );
        // An RDP connection request has no TSAP parameters.
        assert_eq!(
            probe_iso_tsap(b"\x03\x00\x00\x2b\x26\xe0\x00\x00\x00\x00\x00Cookie: mstshash=a\r\n"),
            None
        );
    }

    #[test]
    fn hart_ip_header() {
        assert!(probe_hart_ip(&unhex("010000000002000d0100007530")));
        assert!(probe_hart_ip(&unhex("010100000002000d010000ea60")));
        assert!(!probe_hart_ip(&unhex("010000000002000e0100007530")));
        assert!(!probe_hart_ip(&unhex("020000000002000d0100007530")));
    }

    #[test]
    fn ads_and_opcua() {
        assert!(probe_ads(&unhex(
            "000020000000050d756001011027c0a801630101038004000400000000000000000005000000"
        )));
        assert!(!probe_ads(&unhex(
            "000020000000050d756001011027c0a80163010103800400040000000000000000000500"
        )));
        assert!(probe_opcua(&unhex(
            "48454c46380000000000000000000200000002000000004000800000180000006f70632e7463703a2f2f6c6f63616c68"
        )));
        assert!(!probe_opcua(b"HELX8\x00\x00\x00"));
    }
}
