//! Decode throughput: `weir_decode::decode` alone and file reading + decode, on generated
//! mixed traffic and on 64-byte frames; pnet_packet and etherparse parsing the same
//! frames to a 5-tuple serve as baselines measured in the same run.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::tcp::TcpPacket;
use pnet_packet::udp::UdpPacket;
use weir_decode::capture::CaptureReader;
use weir_decode::{LinkType, Timestamp, decode};

/// Ports via pnet views (pnet checks only minimum sizes; no copies).
fn pnet_ports(frame: &[u8]) -> Option<(u16, u16)> {
    let eth = EthernetPacket::new(frame)?;
    let net = frame.get(14..)?;
    let (proto, l4) = match eth.get_ethertype() {
        EtherTypes::Ipv4 => {
            let ip = Ipv4Packet::new(net)?;
            let ihl = usize::from(ip.get_header_length()) * 4;
            (ip.get_next_level_protocol().0, net.get(ihl..)?)
        }
        EtherTypes::Ipv6 => {
            let ip = Ipv6Packet::new(net)?;
            (ip.get_next_header().0, net.get(40..)?)
        }
        _ => return None,
    };
    match proto {
        6 => TcpPacket::new(l4).map(|t| (t.get_source(), t.get_destination())),
        17 => UdpPacket::new(l4).map(|u| (u.get_source(), u.get_destination())),
        _ => None,
    }
}

fn etherparse_ports(frame: &[u8]) -> Option<(u16, u16)> {
    let p = etherparse::SlicedPacket::from_ethernet(frame).ok()?;
    match p.transport? {
        etherparse::TransportSlice::Tcp(t) => Some((t.source_port(), t.destination_port())),
        etherparse::TransportSlice::Udp(u) => Some((u.source_port(), u.destination_port())),
        _ => None,
    }
}

fn weir_ports(frame: &[u8]) -> Option<(u16, u16)> {
    decode(LinkType::Ethernet, frame).ok()?.l4?.ports()
}

fn bench_set(c: &mut Criterion, name: &str, pcap: &[u8], frames: &[(Timestamp, Vec<u8>)]) {
    let mut g = c.benchmark_group(format!("decode/{name}"));
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("weir_decode", |b| {
        b.iter(|| {
            for (_, f) in frames {
                black_box(decode(LinkType::Ethernet, black_box(f)).ok());
            }
        })
    });
    g.bench_function("weir_5tuple", |b| {
        b.iter(|| {
            frames
                .iter()
                .filter_map(|(_, f)| weir_ports(black_box(f)))
                .count()
        })
    });
    g.bench_function("pnet_5tuple", |b| {
        b.iter(|| {
            frames
                .iter()
                .filter_map(|(_, f)| pnet_ports(black_box(f)))
                .count()
        })
    });
    g.bench_function("etherparse_5tuple", |b| {
        b.iter(|| {
            frames
                .iter()
                .filter_map(|(_, f)| etherparse_ports(black_box(f)))
                .count()
        })
    });
    g.bench_function("read_file_and_decode", |b| {
        b.iter(|| {
            let mut r = CaptureReader::new(black_box(pcap), "bench").ok()?;
            let mut n = 0u64;
            while let Some(Ok(f)) = r.next_frame() {
                let lt = f.linktype;
                if decode(lt, f.data).is_ok() {
                    n += 1;
                }
            }
            Some(n)
        })
    });
    g.bench_function("read_file_only", |b| {
        b.iter(|| {
            let mut r = CaptureReader::new(black_box(pcap), "bench").ok()?;
            let mut n = 0usize;
            while let Some(Ok(f)) = r.next_frame() {
                n += f.data.len();
            }
            Some(n)
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let (pcap, frames) = weir_benches::generated(2_000, false);
    bench_set(c, "mixed", &pcap, &frames);
    let (pcap, frames) = weir_benches::generated(2_000, true);
    bench_set(c, "small64", &pcap, &frames);
}

criterion_group!(decode_benches, benches);
criterion_main!(decode_benches);
