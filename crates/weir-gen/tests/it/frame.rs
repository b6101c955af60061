//! Frame builders: lengths, checksums (verified by an independent computation), options,
//! tunnels and fragments.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use weir_gen::frame::{self, FrameSpec, IpSpec, L4Spec, TcpSpec};

use crate::common::{decode, ones_complement_sum};

fn v4() -> IpSpec {
    IpSpec::V4 {
        src: Ipv4Addr::new(192, 168, 1, 20),
        dst: Ipv4Addr::new(203, 0, 113, 10),
        ttl: 64,
        id: 0x1234,
        dont_fragment: true,
    }
}

fn v6() -> IpSpec {
    IpSpec::V6 {
        src: "fd00:1::20".parse().unwrap(),
        dst: "2001:db8::10".parse().unwrap(),
        hop_limit: 57,
        flow_label: 0xabcde,
    }
}

fn spec(ip: IpSpec, l4: L4Spec, payload: &[u8], vlans: &[u16]) -> FrameSpec {
    FrameSpec {
        src_mac: [0x02, 0, 0, 0, 0, 1],
        dst_mac: [0x02, 0, 0, 0, 0, 2],
        vlans: vlans.to_vec(),
        ip,
        l4,
        payload: payload.to_vec(),
    }
}

fn full_tcp() -> TcpSpec {
    TcpSpec {
        src_port: 51000,
        dst_port: 443,
        seq: 0xdead_beef,
        ack: 0,
        flags: frame::SYN,
        window: 64240,
        mss: Some(1460),
        wscale: Some(7),
        sack_permitted: true,
        timestamps: Some((1_000_000, 0)),
    }
}

#[test]
fn tcp_v4_lengths_checksums_and_options() {
    let payload = b"GET / HTTP/1.1\r\n\r\n";
    let s = spec(v4(), L4Spec::Tcp(full_tcp()), payload, &[]);
    let f = frame::build(&s);
    // 14 + 20 + 40 (20 + MSS 4 + SACK/TS 12 + NOP/WS 4) + payload
    assert_eq!(f.len(), 14 + 20 + 40 + payload.len());
    let d = decode(&f);
    assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20)));
    assert_eq!(d.ttl, 64);
    assert_eq!(d.ip_id, 0x1234);
    assert_eq!(d.frag, 0x4000);
    assert_eq!((d.src_port, d.dst_port), (51000, 443));
    assert_eq!(d.seq, 0xdead_beef);
    assert_eq!(d.flags, frame::SYN);
    assert_eq!(d.window, 64240);
    assert_eq!(d.payload(&f), payload);
    // Linux-style option layout.
    let opts = &f[14 + 20 + 20..14 + 20 + 40];
    assert_eq!(
        opts,
        &[
            2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0x0f, 0x42, 0x40, 0, 0, 0, 0, 1, 3, 3, 7
        ]
    );
    assert_eq!(full_tcp().header_len(), 40);
}

#[test]
fn tcp_option_combinations_are_padded() {
    for mss in [None, Some(1400)] {
        for wscale in [None, Some(9)] {
            for sack in [false, true] {
                for ts in [None, Some((7, 9))] {
                    let t = TcpSpec {
                        mss,
                        wscale,
                        sack_permitted: sack,
                        timestamps: ts,
                        ..full_tcp()
                    };
                    let f = frame::build_unpadded(&spec(v4(), L4Spec::Tcp(t), b"x", &[]));
                    let hl = usize::from(f[14 + 20 + 12] >> 4) * 4;
                    assert_eq!(hl, t.header_len());
                    assert_eq!(hl % 4, 0);
                    assert_eq!(f.len(), 14 + 20 + hl + 1);
                    // Walk the options: every one must be well formed.
                    let opts = &f[14 + 40..14 + 20 + hl];
                    let mut i = 0;
                    let mut seen = (None, None, false, None);
                    while i < opts.len() {
                        match opts[i] {
                            0 => break,
                            1 => i += 1,
                            kind => {
                                let len = usize::from(opts[i + 1]);
                                assert!(len >= 2 && i + len <= opts.len());
                                let body = &opts[i + 2..i + len];
                                match kind {
                                    2 => seen.0 = Some(u16::from_be_bytes([body[0], body[1]])),
                                    3 => seen.1 = Some(body[0]),
                                    4 => seen.2 = true,
                                    8 => {
                                        seen.3 = Some((
                                            u32::from_be_bytes(body[0..4].try_into().unwrap()),
                                            u32::from_be_bytes(body[4..8].try_into().unwrap()),
                                        ))
                                    }
                                    k => panic!("unexpected option {k}"),
                                }
                                i += len;
                            }
                        }
                    }
                    assert_eq!(seen, (mss, wscale, sack, ts));
                    decode(&f);
                }
            }
        }
    }
}

#[test]
fn short_frames_are_padded_to_60() {
    let t = TcpSpec {
        flags: frame::ACK,
        ..TcpSpec::default()
    };
    let s = spec(v4(), L4Spec::Tcp(t), &[], &[]);
    let f = frame::build(&s);
    assert_eq!(f.len(), frame::MIN_FRAME_LEN);
    assert!(f[54..].iter().all(|&b| b == 0));
    assert_eq!(frame::build_unpadded(&s).len(), 54);
    let d = decode(&f);
    assert_eq!(d.l4_end, 54); // IP total length excludes the padding
}

#[test]
fn udp_v4_and_v6() {
    let payload: Vec<u8> = (0..=200u8).collect();
    for ip in [v4(), v6()] {
        let s = spec(
            ip,
            L4Spec::Udp {
                src_port: 5353,
                dst_port: 53,
            },
            &payload,
            &[],
        );
        let f = frame::build(&s);
        let d = decode(&f);
        assert_eq!(d.proto, 17);
        assert_eq!((d.src_port, d.dst_port), (5353, 53));
        assert_eq!(d.payload(&f), &payload[..]);
    }
}

#[test]
fn udp_zero_checksum_becomes_ffff() {
    // Search payloads until the computed checksum would be 0 and check it is sent as 0xffff.
    for x in 0..=u16::MAX {
        let s = spec(
            v4(),
            L4Spec::Udp {
                src_port: 1,
                dst_port: 2,
            },
            &x.to_be_bytes(),
            &[],
        );
        let f = frame::build_unpadded(&s);
        let c = u16::from_be_bytes([f[40], f[41]]);
        if c == 0xffff {
            decode(&f);
            return;
        }
        assert_ne!(c, 0);
    }
    panic!("no payload gave a zero UDP checksum");
}

#[test]
fn ipv6_header_fields() {
    let t = TcpSpec {
        flags: frame::ACK | frame::PSH,
        ..full_tcp()
    };
    let f = frame::build(&spec(v6(), L4Spec::Tcp(t), b"hello", &[]));
    assert_eq!(&f[12..14], &[0x86, 0xdd]);
    let first = u32::from_be_bytes(f[14..18].try_into().unwrap());
    assert_eq!(first >> 28, 6);
    assert_eq!(first & 0xfffff, 0xabcde);
    let d = decode(&f);
    assert_eq!(d.ttl, 57);
    assert_eq!(
        d.dst,
        IpAddr::V6("2001:db8::10".parse::<Ipv6Addr>().unwrap())
    );
    assert_eq!(d.payload(&f), b"hello");
}

#[test]
fn icmp_v4_and_icmpv6_checksums() {
    let payload = b"abcdefghijklmnopqrstuvwabcdefghi";
    let f = frame::build(&spec(
        v4(),
        L4Spec::Icmp {
            icmp_type: 8,
            code: 0,
            id: 1,
            seq: 77,
        },
        payload,
        &[],
    ));
    let d = decode(&f);
    assert_eq!(d.proto, 1);
    assert_eq!(f[d.l4_off], 8);
    assert_eq!(&f[d.l4_off + 4..d.l4_off + 8], &[0, 1, 0, 77]);
    // ICMPv4 has no pseudo-header: the checksum covers the message only.
    assert_eq!(ones_complement_sum(&[&f[d.l4_off..d.l4_end]]), 0);

    let f = frame::build(&spec(
        v6(),
        L4Spec::Icmp {
            icmp_type: 128,
            code: 0,
            id: 0x4242,
            seq: 1,
        },
        payload,
        &[],
    ));
    let d = decode(&f);
    assert_eq!(d.proto, 58);
    // ICMPv6 includes the pseudo-header, so the message alone does not sum to zero
    // (except by accident).
    assert_ne!(ones_complement_sum(&[&f[d.l4_off..d.l4_end]]), 0);
}

#[test]
fn vlan_tags_and_qinq() {
    let l4 = L4Spec::Udp {
        src_port: 1000,
        dst_port: 2000,
    };
    let f = frame::build(&spec(v4(), l4, b"x", &[10]));
    let d = decode(&f);
    assert_eq!(d.vlans, vec![10]);
    assert_eq!(d.tpids, vec![0x8100]);

    let f = frame::build(&spec(v6(), l4, b"x", &[100, 20, 0x2005]));
    let d = decode(&f);
    assert_eq!(d.vlans, vec![100, 20, 0x2005]);
    assert_eq!(d.tpids, vec![0x88a8, 0x88a8, 0x8100]);
}

#[test]
fn vxlan_wraps_an_inner_frame() {
    let inner = frame::build(&spec(
        v4(),
        L4Spec::Icmp {
            icmp_type: 8,
            code: 0,
            id: 3,
            seq: 4,
        },
        b"ping",
        &[],
    ));
    let outer = spec(
        IpSpec::V4 {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            ttl: 64,
            id: 0,
            dont_fragment: false,
        },
        L4Spec::Udp {
            src_port: 49152,
            dst_port: frame::VXLAN_PORT,
        },
        b"ignored",
        &[],
    );
    let f = frame::vxlan(&outer, 0x00ab_cdef, &inner);
    let d = decode(&f);
    assert_eq!(d.dst_port, 4789);
    let p = d.payload(&f);
    assert_eq!(&p[..8], &[0x08, 0, 0, 0, 0xab, 0xcd, 0xef, 0]);
    assert_eq!(&p[8..], &inner[..]);
    decode(&p[8..]);
}

#[test]
#[should_panic(expected = "UDP")]
fn vxlan_needs_udp() {
    let outer = spec(v4(), L4Spec::Tcp(full_tcp()), b"", &[]);
    frame::vxlan(&outer, 1, &[]);
}

#[test]
fn gre_with_and_without_key() {
    let inner = frame::build_unpadded(&spec(
        v4(),
        L4Spec::Udp {
            src_port: 1,
            dst_port: 2,
        },
        b"inner",
        &[],
    ));
    let inner_ip = &inner[14..];
    for key in [None, Some(0xfeed_f00d)] {
        let f = frame::gre(
            Ipv4Addr::new(198, 51, 100, 1),
            Ipv4Addr::new(198, 51, 100, 2),
            frame::ETHERTYPE_IPV4,
            inner_ip,
            key,
        );
        let d = decode(&f);
        assert_eq!(d.proto, 47);
        let g = &f[d.l4_off..d.l4_end];
        let flags = u16::from_be_bytes([g[0], g[1]]);
        assert_eq!(u16::from_be_bytes([g[2], g[3]]), 0x0800);
        let hl = if let Some(k) = key {
            assert_eq!(flags, 0x2000);
            assert_eq!(u32::from_be_bytes(g[4..8].try_into().unwrap()), k);
            8
        } else {
            assert_eq!(flags, 0);
            4
        };
        assert_eq!(&g[hl..], inner_ip);
    }
}

#[test]
fn ipv4_fragments_reassemble() {
    let payload: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    let s = spec(
        IpSpec::V4 {
            src: Ipv4Addr::new(192, 168, 1, 20),
            dst: Ipv4Addr::new(8, 8, 8, 8),
            ttl: 64,
            id: 0x4444,
            dont_fragment: true,
        },
        L4Spec::Icmp {
            icmp_type: 8,
            code: 0,
            id: 9,
            seq: 1,
        },
        &payload,
        &[20],
    );
    let whole = frame::build_unpadded(&s);
    let whole_l4 = &whole[18 + 20..];
    let frags = frame::ipv4_fragments(&s, 1480);
    assert_eq!(frags.len(), 3);
    let mut data = Vec::new();
    for (i, f) in frags.iter().enumerate() {
        let d = decode(f);
        assert_eq!(d.ip_id, 0x4444);
        assert_eq!(d.vlans, vec![20]);
        let more = d.frag & 0x2000 != 0;
        assert_eq!(more, i + 1 < frags.len());
        assert_eq!(d.frag & 0x4000, 0, "DF must be cleared");
        assert_eq!(usize::from(d.frag & 0x1fff) * 8, data.len());
        if more {
            assert_eq!((d.l4_end - d.l4_off) % 8, 0);
        }
        data.extend_from_slice(&f[d.l4_off..d.l4_end]);
    }
    assert_eq!(data, whole_l4);
    // The ICMP checksum covers the reassembled message.
    assert_eq!(ones_complement_sum(&[&data]), 0);
    // Odd fragment sizes are rounded down to multiples of 8.
    let frags = frame::ipv4_fragments(&s, 1001);
    let d = decode(&frags[0]);
    assert_eq!(d.l4_end - d.l4_off, 1000);
    // Small datagrams are not fragmented.
    let small = spec(v4(), L4Spec::Tcp(full_tcp()), b"abc", &[]);
    assert_eq!(
        frame::ipv4_fragments(&small, 1480),
        vec![frame::build(&small)]
    );
}

#[test]
fn internet_checksum_matches_reference() {
    for len in [0usize, 1, 2, 3, 5, 8, 9, 1500, 1501] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
        assert_eq!(
            frame::internet_checksum(&data),
            ones_complement_sum(&[&data])
        );
    }
}
