//! DNS messages: queries, responses with CNAME chains and compression, TXT answers.

use std::net::IpAddr;

use super::put_u16;

/// DNS record type A.
pub const DNS_TYPE_A: u16 = 1;
/// DNS record type CNAME.
pub const DNS_TYPE_CNAME: u16 = 5;
/// DNS record type AAAA.
pub const DNS_TYPE_AAAA: u16 = 28;
/// DNS response code NOERROR.
pub const DNS_RCODE_NOERROR: u8 = 0;
/// DNS response code NXDOMAIN.
pub const DNS_RCODE_NXDOMAIN: u8 = 3;

/// Appends `name` in DNS wire format (length-prefixed labels, root label at the end).
/// A trailing dot is ignored; labels longer than 63 bytes are truncated.
pub fn encode_dns_name(out: &mut Vec<u8>, name: &str) {
    for label in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        let l = &label.as_bytes()[..label.len().min(63)];
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    out.push(0);
}

fn dns_header(out: &mut Vec<u8>, id: u16, flags: u16, qd: u16, an: u16, ns: u16, ar: u16) {
    for v in [id, flags, qd, an, ns, ar] {
        put_u16(out, v);
    }
}

/// A standard recursive DNS query (RD set) for `name` / `qtype`, class IN.
pub fn dns_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(18 + name.len());
    dns_header(&mut out, id, 0x0100, 1, 0, 0, 0);
    encode_dns_name(&mut out, name);
    put_u16(&mut out, qtype);
    put_u16(&mut out, 1);
    out
}

/// A DNS response (QR, RD, RA set, `rcode` in the low bits) repeating the question and
/// giving one A or AAAA record (chosen by the address family, TTL 300) per address in
/// `answers`. Each answer's owner name is a compression pointer to the question name
/// (`0xc00c`).
pub fn dns_response(id: u16, name: &str, qtype: u16, answers: &[IpAddr], rcode: u8) -> Vec<u8> {
    dns_response_cname(id, name, qtype, None, answers, rcode)
}

/// Like [`dns_response`], with an optional CNAME first: the CNAME record is owned by the
/// question name (pointer `0xc00c`); its target is encoded with a pointer to the longest
/// suffix it shares with the question name; the address records are then owned by the
/// target (a pointer to the CNAME's rdata).
pub fn dns_response_cname(
    id: u16,
    name: &str,
    qtype: u16,
    cname: Option<&str>,
    answers: &[IpAddr],
    rcode: u8,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + answers.len() * 28);
    let an = answers.len() + usize::from(cname.is_some());
    dns_header(
        &mut out,
        id,
        0x8180 | u16::from(rcode & 0x0f),
        1,
        an as u16,
        0,
        0,
    );
    encode_dns_name(&mut out, name);
    put_u16(&mut out, qtype);
    put_u16(&mut out, 1);
    let mut owner: u16 = 0xc00c;
    if let Some(target) = cname {
        put_u16(&mut out, 0xc00c);
        put_u16(&mut out, DNS_TYPE_CNAME);
        put_u16(&mut out, 1);
        out.extend_from_slice(&300u32.to_be_bytes());
        let rdlen_at = out.len();
        put_u16(&mut out, 0);
        let rdata_start = out.len();
        encode_compressed(&mut out, target, name);
        let rdlen = (out.len() - rdata_start) as u16;
        out[rdlen_at..rdlen_at + 2].copy_from_slice(&rdlen.to_be_bytes());
        owner = 0xc000 | rdata_start as u16;
    }
    for a in answers {
        put_u16(&mut out, owner);
        match a {
            IpAddr::V4(v4) => {
                put_u16(&mut out, DNS_TYPE_A);
                put_u16(&mut out, 1);
                out.extend_from_slice(&300u32.to_be_bytes());
                put_u16(&mut out, 4);
                out.extend_from_slice(&v4.octets());
            }
            IpAddr::V6(v6) => {
                put_u16(&mut out, DNS_TYPE_AAAA);
                put_u16(&mut out, 1);
                out.extend_from_slice(&300u32.to_be_bytes());
                put_u16(&mut out, 16);
                out.extend_from_slice(&v6.octets());
            }
        }
    }
    out
}

/// Encodes `target`, replacing its longest label suffix shared with the question name
/// `qname` (at offset 12 of the message) by a compression pointer.
fn encode_compressed(out: &mut Vec<u8>, target: &str, qname: &str) {
    let t: Vec<&str> = target.trim_end_matches('.').split('.').collect();
    let q: Vec<&str> = qname.trim_end_matches('.').split('.').collect();
    let mut shared = 0;
    while shared < t.len()
        && shared < q.len()
        && t[t.len() - 1 - shared].eq_ignore_ascii_case(q[q.len() - 1 - shared])
    {
        shared += 1;
    }
    if shared == 0 {
        encode_dns_name(out, target);
        return;
    }
    for label in &t[..t.len() - shared] {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    let offset: usize = 12
        + q[..q.len() - shared]
            .iter()
            .map(|l| l.len() + 1)
            .sum::<usize>();
    put_u16(out, 0xc000 | offset as u16);
}

/// Prefixes a DNS message with the 2-byte length used over TCP.
pub fn dns_tcp(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 2);
    put_u16(&mut out, msg.len() as u16);
    out.extend_from_slice(msg);
    out
}

/// A DNS response with one TXT record (owner: the question name) holding `text`.
pub fn dns_txt_response(id: u16, name: &str, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + name.len() + text.len());
    dns_header(&mut out, id, 0x8180, 1, 1, 0, 0);
    encode_dns_name(&mut out, name);
    put_u16(&mut out, DNS_TYPE_TXT);
    put_u16(&mut out, 1);
    put_u16(&mut out, 0xc00c);
    put_u16(&mut out, DNS_TYPE_TXT);
    put_u16(&mut out, 1);
    out.extend_from_slice(&0u32.to_be_bytes());
    let t = &text.as_bytes()[..text.len().min(255)];
    put_u16(&mut out, (t.len() + 1) as u16);
    out.push(t.len() as u8);
    out.extend_from_slice(t);
    out
}

/// DNS record type TXT.
pub const DNS_TYPE_TXT: u16 = 16;
