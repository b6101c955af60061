//! Test helpers: an independent pcap reader, checksum and minimal frame decoder.

#![allow(dead_code)]

use std::net::IpAddr;

/// One pcap record.
pub struct Record<'a> {
    pub ts_micros: u64,
    pub orig_len: u32,
    pub data: &'a [u8],
}

/// Parses a little-endian microsecond pcap file; panics on malformed input.
pub fn records(file: &[u8]) -> Vec<Record<'_>> {
    assert!(file.len() >= 24, "short pcap");
    assert_eq!(
        u32::from_le_bytes(file[0..4].try_into().unwrap()),
        0xa1b2_c3d4
    );
    assert_eq!(u16::from_le_bytes([file[4], file[5]]), 2);
    assert_eq!(u16::from_le_bytes([file[6], file[7]]), 4);
    assert_eq!(u32::from_le_bytes(file[20..24].try_into().unwrap()), 1);
    let mut out = Vec::new();
    let mut p = 24;
    while p < file.len() {
        let h = &file[p..p + 16];
        let secs = u64::from(u32::from_le_bytes(h[0..4].try_into().unwrap()));
        let usec = u64::from(u32::from_le_bytes(h[4..8].try_into().unwrap()));
        assert!(usec < 1_000_000);
        let incl = u32::from_le_bytes(h[8..12].try_into().unwrap()) as usize;
        let orig = u32::from_le_bytes(h[12..16].try_into().unwrap());
        out.push(Record {
            ts_micros: secs * 1_000_000 + usec,
            orig_len: orig,
            data: &file[p + 16..p + 16 + incl],
        });
        p += 16 + incl;
    }
    assert_eq!(p, file.len());
    out
}

/// RFC 1071 checksum computed the plain way, 16 bits at a time.
pub fn ones_complement_sum(parts: &[&[u8]]) -> u16 {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(p);
    }
    if all.len() % 2 == 1 {
        all.push(0);
    }
    let mut sum: u32 = 0;
    for w in all.chunks(2) {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// What the test decoder found in a frame.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub vlans: Vec<u16>,
    pub tpids: Vec<u16>,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub ttl: u8,
    pub ip_id: u16,
    pub frag: u16,
    /// Offset of the IP header in the frame.
    pub ip_off: usize,
    /// Range of the IP payload (L4 header + data) in the frame.
    pub l4_off: usize,
    pub l4_end: usize,
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
    /// Range of the L4 payload (after the TCP/UDP/ICMP header).
    pub payload_off: usize,
}

impl Decoded {
    pub fn payload<'a>(&self, frame: &'a [u8]) -> &'a [u8] {
        &frame[self.payload_off..self.l4_end]
    }
}

/// Decodes Ethernet / VLANs / IPv4|IPv6 / TCP|UDP|ICMP and checks every length and
/// checksum on the way (panicking with a message on any inconsistency).
pub fn decode(frame: &[u8]) -> Decoded {
    let mut p = 12;
    let mut vlans = Vec::new();
    let mut tpids = Vec::new();
    let mut et = u16::from_be_bytes([frame[p], frame[p + 1]]);
    while et == 0x8100 || et == 0x88a8 {
        tpids.push(et);
        vlans.push(u16::from_be_bytes([frame[p + 2], frame[p + 3]]));
        p += 4;
        et = u16::from_be_bytes([frame[p], frame[p + 1]]);
    }
    p += 2;
    let ip_off = p;
    let (src, dst, proto, ttl, ip_id, frag, l4_off, l4_end, pseudo): (
        IpAddr,
        IpAddr,
        u8,
        u8,
        u16,
        u16,
        usize,
        usize,
        Vec<u8>,
    ) = match et {
        0x0800 => {
            let h = &frame[p..p + 20];
            assert_eq!(h[0], 0x45);
            let total = u16::from_be_bytes([h[2], h[3]]) as usize;
            assert!(p + total <= frame.len(), "IPv4 total length past frame end");
            assert_eq!(ones_complement_sum(&[h]), 0, "bad IPv4 header checksum");
            let src: [u8; 4] = h[12..16].try_into().unwrap();
            let dst: [u8; 4] = h[16..20].try_into().unwrap();
            let l4_len = total - 20;
            let mut pseudo = Vec::new();
            pseudo.extend_from_slice(&src);
            pseudo.extend_from_slice(&dst);
            pseudo.extend_from_slice(&[0, h[9]]);
            pseudo.extend_from_slice(&(l4_len as u16).to_be_bytes());
            (
                IpAddr::from(src),
                IpAddr::from(dst),
                h[9],
                h[8],
                u16::from_be_bytes([h[4], h[5]]),
                u16::from_be_bytes([h[6], h[7]]),
                p + 20,
                p + total,
                pseudo,
            )
        }
        0x86dd => {
            let h = &frame[p..p + 40];
            assert_eq!(h[0] >> 4, 6);
            let plen = u16::from_be_bytes([h[4], h[5]]) as usize;
            assert!(
                p + 40 + plen <= frame.len(),
                "IPv6 payload length past frame end"
            );
            let src: [u8; 16] = h[8..24].try_into().unwrap();
            let dst: [u8; 16] = h[24..40].try_into().unwrap();
            let mut pseudo = Vec::new();
            pseudo.extend_from_slice(&src);
            pseudo.extend_from_slice(&dst);
            pseudo.extend_from_slice(&(plen as u32).to_be_bytes());
            pseudo.extend_from_slice(&[0, 0, 0, h[6]]);
            (
                IpAddr::from(src),
                IpAddr::from(dst),
                h[6],
                h[7],
                0,
                0,
                p + 40,
                p + 40 + plen,
                pseudo,
            )
        }
        other => panic!("unexpected ethertype {other:#06x}"),
    };
    let mut d = Decoded {
        vlans,
        tpids,
        src,
        dst,
        proto,
        ttl,
        ip_id,
        frag,
        ip_off,
        l4_off,
        l4_end,
        src_port: 0,
        dst_port: 0,
        seq: 0,
        ack: 0,
        flags: 0,
        window: 0,
        payload_off: l4_end,
    };
    if frag & 0x3fff != 0 {
        return d; // a fragment: the L4 header is not (all) here
    }
    let l4 = &frame[l4_off..l4_end];
    match proto {
        6 => {
            assert_eq!(ones_complement_sum(&[&pseudo, l4]), 0, "bad TCP checksum");
            d.src_port = u16::from_be_bytes([l4[0], l4[1]]);
            d.dst_port = u16::from_be_bytes([l4[2], l4[3]]);
            d.seq = u32::from_be_bytes(l4[4..8].try_into().unwrap());
            d.ack = u32::from_be_bytes(l4[8..12].try_into().unwrap());
            let hl = usize::from(l4[12] >> 4) * 4;
            assert!((20..=60).contains(&hl) && hl <= l4.len());
            d.flags = l4[13];
            d.window = u16::from_be_bytes([l4[14], l4[15]]);
            d.payload_off = l4_off + hl;
        }
        17 => {
            assert_eq!(
                u16::from_be_bytes([l4[4], l4[5]]) as usize,
                l4.len(),
                "UDP length"
            );
            assert_ne!(
                u16::from_be_bytes([l4[6], l4[7]]),
                0,
                "UDP checksum missing"
            );
            assert_eq!(ones_complement_sum(&[&pseudo, l4]), 0, "bad UDP checksum");
            d.src_port = u16::from_be_bytes([l4[0], l4[1]]);
            d.dst_port = u16::from_be_bytes([l4[2], l4[3]]);
            d.payload_off = l4_off + 8;
        }
        1 => {
            assert_eq!(ones_complement_sum(&[l4]), 0, "bad ICMP checksum");
            d.payload_off = l4_off + 8;
        }
        58 => {
            assert_eq!(
                ones_complement_sum(&[&pseudo, l4]),
                0,
                "bad ICMPv6 checksum"
            );
            d.payload_off = l4_off + 8;
        }
        47 => {
            d.payload_off = l4_off;
        }
        other => panic!("unexpected protocol {other}"),
    }
    d
}
