//! DNS messages (RFC 1035), parsed leniently: the question survives damaged answers.
//!
//! Every loop is bounded: labels per name ([`MAX_LABELS`]), compression jumps
//! ([`MAX_POINTERS`], and pointers must point backwards), records looked at
//! ([`MAX_RECORDS`]). Damage becomes [`DnsMessage::anomalies`] bits, never an error
//! once the 12-byte header is there.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::Reader;

/// Most labels followed in one name.
pub const MAX_LABELS: usize = 128;
/// Most compression pointers followed in one name.
pub const MAX_POINTERS: usize = 16;
/// Most resource records looked at per message.
pub const MAX_RECORDS: usize = 64;
/// Most answer addresses kept.
pub const MAX_ADDRS: usize = 4;
/// Longest name kept (RFC 1035: 255 octets on the wire, 253 in text).
pub const MAX_NAME: usize = 253;

/// Anomaly: a name ran past the end of the message.
pub const ANOMALY_TRUNCATED: u16 = 1;
/// Anomaly: a compression pointer pointed forward or looped.
pub const ANOMALY_BAD_POINTER: u16 = 2;
/// Anomaly: a name longer than 253 characters or with too many labels.
pub const ANOMALY_NAME_TOO_LONG: u16 = 4;
/// Anomaly: a name holds characters outside letters, digits, `-`, `_`, `.`, `*`.
pub const ANOMALY_INVALID_CHARS: u16 = 8;
/// Anomaly: counts in the header exceed what the message holds.
pub const ANOMALY_COUNTS: u16 = 16;
/// Anomaly: a label type other than a plain label or a pointer.
pub const ANOMALY_BAD_LABEL: u16 = 32;

/// A domain name in dotted text form, stored inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DnsName {
    buf: [u8; MAX_NAME],
    len: u8,
}

impl Default for DnsName {
    fn default() -> Self {
        DnsName {
            buf: [0; MAX_NAME],
            len: 0,
        }
    }
}

impl std::fmt::Debug for DnsName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl DnsName {
    /// The name's bytes, without a trailing dot (empty for the root).
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn push(&mut self, b: u8) -> bool {
        match self.buf.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = b;
                self.len = self.len.saturating_add(1);
                true
            }
            None => false,
        }
    }
}

/// A parsed DNS message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsMessage {
    /// Transaction id.
    pub id: u16,
    /// QR bit: this is a response.
    pub response: bool,
    /// OPCODE.
    pub opcode: u8,
    /// RCODE.
    pub rcode: u8,
    /// Header counts.
    pub qdcount: u16,
    /// Answer count from the header.
    pub ancount: u16,
    /// Authority count.
    pub nscount: u16,
    /// Additional count.
    pub arcount: u16,
    /// The first question's name (empty if none could be read).
    pub qname: DnsName,
    /// The first question's QTYPE (0 if none).
    pub qtype: u16,
    /// The first question's QCLASS.
    pub qclass: u16,
    /// A and AAAA addresses from the answer section.
    pub addrs: [Option<IpAddr>; MAX_ADDRS],
    /// Answer records actually parsed.
    pub answers_parsed: u16,
    /// `ANOMALY_*` bits.
    pub anomalies: u16,
}

/// Header sanity check used to tell DNS from other traffic on the same ports: at most
/// a few questions, a known opcode, and counts that are not absurd.
pub fn probe(msg: &[u8]) -> bool {
    if msg.len() < 12 {
        return false;
    }
    let mut r = Reader::new(msg);
    let _id = r.u16();
    let flags = r.u16().unwrap_or(0);
    let qd = r.u16().unwrap_or(0);
    let an = r.u16().unwrap_or(0);
    let ns = r.u16().unwrap_or(0);
    let ar = r.u16().unwrap_or(0);
    let opcode = (flags >> 11) & 0xf;
    let response = flags & 0x8000 != 0;
    let z = flags & 0x0040;
    opcode <= 6
        && z == 0
        && qd <= 4
        && (qd > 0 || response)
        && an <= 256
        && ns <= 256
        && ar <= 256
        && (response || an == 0 || opcode != 0)
}

/// Reads a (possibly compressed) name starting at `start`; returns the offset after it
/// in the original position (pointers do not advance it).
fn read_name(msg: &[u8], start: usize, out: &mut DnsName, anomalies: &mut u16) -> Option<usize> {
    let mut pos = start;
    let mut end_after: Option<usize> = None;
    let mut jumps = 0usize;
    let mut lowest_target = start;
    for _ in 0..MAX_LABELS {
        let Some(&len) = msg.get(pos) else {
            *anomalies |= ANOMALY_TRUNCATED;
            return end_after.or(Some(msg.len()));
        };
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    return Some(end_after.unwrap_or(pos.saturating_add(1)));
                }
                let label_start = pos.saturating_add(1);
                let label_end = label_start.saturating_add(usize::from(len));
                let label = match msg.get(label_start..label_end) {
                    Some(l) => l,
                    None => {
                        *anomalies |= ANOMALY_TRUNCATED;
                        msg.get(label_start..).unwrap_or(&[])
                    }
                };
                if out.len > 0 && !out.push(b'.') {
                    *anomalies |= ANOMALY_NAME_TOO_LONG;
                }
                for &b in label {
                    if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*' | b'/')) {
                        *anomalies |= ANOMALY_INVALID_CHARS;
                    }
                    if !out.push(b) {
                        *anomalies |= ANOMALY_NAME_TOO_LONG;
                        break;
                    }
                }
                if label.len() < usize::from(len) {
                    return Some(msg.len());
                }
                pos = label_end;
            }
            0xc0 => {
                let lo = msg.get(pos.saturating_add(1)).copied();
                let Some(lo) = lo else {
                    *anomalies |= ANOMALY_TRUNCATED;
                    return Some(msg.len());
                };
                let target = usize::from(u16::from_be_bytes([len & 0x3f, lo]));
                if end_after.is_none() {
                    end_after = Some(pos.saturating_add(2));
                }
                jumps = jumps.saturating_add(1);
                // Pointers must go strictly backwards from every earlier position.
                if target >= lowest_target || jumps > MAX_POINTERS {
                    *anomalies |= ANOMALY_BAD_POINTER;
                    return end_after;
                }
                lowest_target = target;
                pos = target;
            }
            _ => {
                *anomalies |= ANOMALY_BAD_LABEL;
                return None;
            }
        }
    }
    *anomalies |= ANOMALY_NAME_TOO_LONG;
    end_after
}

/// Parses a DNS message (UDP payload; for TCP strip the 2-byte length first, see
/// [`strip_tcp_length`]). `None` only if the 12-byte header is missing.
///
/// # Panics
/// Never.
pub fn parse(msg: &[u8]) -> Option<DnsMessage> {
    let mut r = Reader::new(msg);
    let id = r.u16()?;
    let flags = r.u16()?;
    let qdcount = r.u16()?;
    let ancount = r.u16()?;
    let nscount = r.u16()?;
    let arcount = r.u16()?;
    let mut m = DnsMessage {
        id,
        response: flags & 0x8000 != 0,
        opcode: ((flags >> 11) & 0xf) as u8,
        rcode: (flags & 0xf) as u8,
        qdcount,
        ancount,
        nscount,
        arcount,
        qname: DnsName::default(),
        qtype: 0,
        qclass: 0,
        addrs: [None; MAX_ADDRS],
        answers_parsed: 0,
        anomalies: 0,
    };
    let mut pos = 12usize;
    // Questions: keep the first, skip the rest.
    for i in 0..usize::from(qdcount).min(MAX_RECORDS) {
        let mut scratch = DnsName::default();
        let mut dummy = 0u16;
        let (name, an) = if i == 0 {
            (&mut m.qname, &mut m.anomalies)
        } else {
            (&mut scratch, &mut dummy)
        };
        let Some(next) = read_name(msg, pos, name, an) else {
            return Some(m);
        };
        let mut q = Reader::new(msg.get(next..).unwrap_or(&[]));
        let (Some(qt), Some(qc)) = (q.u16(), q.u16()) else {
            m.anomalies |= ANOMALY_TRUNCATED;
            return Some(m);
        };
        if i == 0 {
            m.qtype = qt;
            m.qclass = qc;
        }
        pos = next.saturating_add(4);
    }
    // Answers: collect A/AAAA.
    let mut kept = 0usize;
    for _ in 0..usize::from(ancount).min(MAX_RECORDS) {
        let mut name = DnsName::default();
        let mut an = 0u16;
        let Some(next) = read_name(msg, pos, &mut name, &mut an) else {
            m.anomalies |= ANOMALY_COUNTS;
            break;
        };
        let mut rr = Reader::new(msg.get(next..).unwrap_or(&[]));
        let (Some(ty), Some(_class), Some(_ttl)) = (rr.u16(), rr.u16(), rr.u32()) else {
            m.anomalies |= ANOMALY_COUNTS;
            break;
        };
        let Some(rdata) = rr.vec16() else {
            m.anomalies |= ANOMALY_TRUNCATED;
            break;
        };
        m.answers_parsed = m.answers_parsed.saturating_add(1);
        let addr = match (ty, rdata) {
            (1, &[a, b, c, d]) => Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d))),
            (28, r) if r.len() == 16 => <[u8; 16]>::try_from(r)
                .ok()
                .map(|o| IpAddr::V6(Ipv6Addr::from(o))),
            _ => None,
        };
        if let (Some(a), Some(slot)) = (addr, m.addrs.get_mut(kept)) {
            *slot = Some(a);
            kept = kept.saturating_add(1);
        }
        pos = next.saturating_add(10).saturating_add(rdata.len());
    }
    if usize::from(m.answers_parsed) < usize::from(ancount).min(MAX_RECORDS) {
        m.anomalies |= ANOMALY_COUNTS;
    }
    Some(m)
}

/// For DNS over TCP: the message after the 2-byte length prefix (clamped to what was
/// captured), or `None` if the prefix is missing or implausible.
pub fn strip_tcp_length(p: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(p);
    let len = usize::from(r.u16()?);
    if len < 12 {
        return None;
    }
    let rest = r.rest();
    Some(rest.get(..len).unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: u16) -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.push(0);
        m.extend_from_slice(&qtype.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        m
    }

    #[test]
    fn query_and_response() {
        let q = query("www.example.com", 1);
        assert!(probe(&q));
        let m = parse(&q).unwrap();
        assert_eq!(m.qname.as_bytes(), b"www.example.com");
        assert_eq!((m.qtype, m.response, m.anomalies), (1, false, 0));
        let mut resp = q.clone();
        resp[2] = 0x81;
        resp[3] = 0x80;
        resp[7] = 1;
        resp.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34]);
        let m = parse(&resp).unwrap();
        assert!(m.response);
        assert_eq!(m.addrs[0], Some("93.184.216.34".parse().unwrap()));
        assert_eq!(m.anomalies, 0);
    }

    #[test]
    fn pointer_loops_and_truncation_are_flags() {
        // Question name is a pointer to itself.
        let mut m = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1];
        let p = parse(&m).unwrap();
        assert_ne!(p.anomalies & ANOMALY_BAD_POINTER, 0);
        m.truncate(14);
        assert!(parse(&m).is_some());
        assert!(parse(&[0; 11]).is_none());
        let q = query("bad\u{1}name.com", 1);
        assert_ne!(parse(&q).unwrap().anomalies & ANOMALY_INVALID_CHARS, 0);
    }

    #[test]
    fn tcp_prefix() {
        let q = query("a.b", 28);
        let mut t = (q.len() as u16).to_be_bytes().to_vec();
        t.extend_from_slice(&q);
        assert_eq!(strip_tcp_length(&t), Some(&q[..]));
        assert_eq!(strip_tcp_length(&[0, 3, 1]), None);
    }
}
