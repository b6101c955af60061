//! Property tests: frames built by `weir-gen` from random fields decode back to the same
//! fields; every prefix of a valid frame, and any byte string, decodes without panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use weir_decode::{L4Repr, LinkType, TunnelKind, decode};
use weir_gen::frame::{self, FrameSpec, IpSpec, L4Spec, TcpSpec};

fn ip_spec() -> impl Strategy<Value = IpSpec> {
    prop_oneof![
        (
            any::<u32>(),
            any::<u32>(),
            any::<u8>(),
            any::<u16>(),
            any::<bool>()
        )
            .prop_map(|(s, d, ttl, id, df)| IpSpec::V4 {
                src: Ipv4Addr::from(s),
                dst: Ipv4Addr::from(d),
                ttl,
                id,
                dont_fragment: df
            }),
        (any::<u128>(), any::<u128>(), any::<u8>(), any::<u32>()).prop_map(|(s, d, hl, fl)| {
            IpSpec::V6 {
                src: Ipv6Addr::from(s),
                dst: Ipv6Addr::from(d),
                hop_limit: hl,
                flow_label: fl & 0xfffff,
            }
        }),
    ]
}

fn tcp_spec() -> impl Strategy<Value = TcpSpec> {
    (
        (
            any::<u16>(),
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
            any::<u8>(),
            any::<u16>(),
        ),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(0u8..15),
            any::<bool>(),
            proptest::option::of((any::<u32>(), any::<u32>())),
        ),
    )
        .prop_map(
            |((sp, dp, seq, ack, flags, window), (mss, wscale, sack, ts))| TcpSpec {
                src_port: sp,
                dst_port: dp,
                seq,
                ack,
                flags,
                window,
                mss,
                wscale,
                sack_permitted: sack,
                timestamps: ts,
            },
        )
}

fn frame_spec() -> impl Strategy<Value = FrameSpec> {
    (
        any::<[u8; 6]>(),
        any::<[u8; 6]>(),
        proptest::collection::vec(0u16..4096, 0..4),
        ip_spec(),
        any::<u8>(),
        tcp_spec(),
        (any::<u16>(), any::<u16>(), any::<u16>(), any::<u16>()),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(
            |(src_mac, dst_mac, vlans, ip, pick, tcp, (a, b, c, d), payload)| {
                let v6 = matches!(ip, IpSpec::V6 { .. });
                let l4 = match pick % 3 {
                    0 => L4Spec::Tcp(tcp),
                    // Keep UDP off the tunnel ports, which decode as tunnels when plausible.
                    1 => L4Spec::Udp {
                        src_port: a | 0x8000,
                        dst_port: b | 0x8000,
                    },
                    _ => L4Spec::Icmp {
                        icmp_type: match (v6, a % 2) {
                            (false, 0) => 8,
                            (false, _) => 0,
                            (true, 0) => 128,
                            (true, _) => 129,
                        },
                        code: 0,
                        id: c,
                        seq: d,
                    },
                };
                FrameSpec {
                    src_mac,
                    dst_mac,
                    vlans,
                    ip,
                    l4,
                    payload,
                }
            },
        )
}

fn check_round_trip(spec: &FrameSpec, bytes: &[u8]) -> Result<(), TestCaseError> {
    let p = decode(LinkType::Ethernet, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(p.error, None);
    prop_assert!(!p.truncated);
    let eth = p.eth.unwrap();
    prop_assert_eq!(eth.src, spec.src_mac);
    prop_assert_eq!(eth.dst, spec.dst_mac);
    prop_assert_eq!(p.vlans.ids(), &spec.vlans[..]);
    let ip = p.ip.unwrap();
    match spec.ip {
        IpSpec::V4 {
            src,
            dst,
            ttl,
            dont_fragment,
            ..
        } => {
            prop_assert_eq!(ip.src, IpAddr::V4(src));
            prop_assert_eq!(ip.dst, IpAddr::V4(dst));
            prop_assert_eq!(ip.ttl, ttl);
            prop_assert_eq!(ip.dont_fragment, dont_fragment);
        }
        IpSpec::V6 {
            src,
            dst,
            hop_limit,
            ..
        } => {
            prop_assert_eq!(ip.src, IpAddr::V6(src));
            prop_assert_eq!(ip.dst, IpAddr::V6(dst));
            prop_assert_eq!(ip.ttl, hop_limit);
        }
    }
    match (spec.l4, p.l4) {
        (L4Spec::Tcp(t), Some(L4Repr::Tcp(d))) => {
            prop_assert_eq!(
                (d.src_port, d.dst_port, d.seq, d.ack),
                (t.src_port, t.dst_port, t.seq, t.ack)
            );
            prop_assert_eq!((d.flags, d.window), (t.flags, t.window));
            prop_assert_eq!(d.options.mss, t.mss);
            prop_assert_eq!(d.options.wscale, t.wscale);
            prop_assert_eq!(d.options.sack_permitted, t.sack_permitted);
            prop_assert_eq!(d.options.timestamps, t.timestamps);
            prop_assert!(!d.options.malformed);
        }
        (L4Spec::Udp { src_port, dst_port }, Some(L4Repr::Udp(d))) => {
            prop_assert_eq!((d.src_port, d.dst_port), (src_port, dst_port));
        }
        (
            L4Spec::Icmp {
                icmp_type,
                code,
                id,
                seq,
            },
            Some(L4Repr::Icmp(d) | L4Repr::Icmpv6(d)),
        ) => {
            prop_assert_eq!(
                (d.icmp_type, d.code, d.id, d.seq),
                (icmp_type, code, id, seq)
            );
        }
        (want, got) => prop_assert!(false, "l4 mismatch: built {:?}, decoded {:?}", want, got),
    }
    prop_assert_eq!(p.payload, &spec.payload[..]);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_frames_decode_to_their_fields(spec in frame_spec()) {
        // `build` pads short frames to 60 bytes: the padding must not reach the payload.
        check_round_trip(&spec, &frame::build(&spec))?;
        check_round_trip(&spec, &frame::build_unpadded(&spec))?;
    }

    #[test]
    fn every_prefix_decodes_without_panic(spec in frame_spec()) {
        let bytes = frame::build_unpadded(&spec);
        let full = decode(LinkType::Ethernet, &bytes).unwrap();
        for n in 0..bytes.len() {
            let prefix = &bytes[..n];
            if let Ok(p) = decode(LinkType::Ethernet, prefix) {
                // A cut frame is either flagged or stops with an error, never silent.
                prop_assert!(p.truncated || p.error.is_some(),
                    "prefix {} of {} decoded as complete", n, bytes.len());
                prop_assert!(full.payload.starts_with(p.payload) || p.l4.is_none());
            }
        }
    }

    #[test]
    fn vxlan_inner_frame_round_trips(outer in frame_spec(), inner in frame_spec(), vni in 0u32..(1 << 24)) {
        let mut outer = outer;
        outer.l4 = L4Spec::Udp { src_port: 40000, dst_port: weir_decode::VXLAN_PORT };
        let inner_bytes = frame::build_unpadded(&inner);
        let bytes = frame::vxlan(&outer, vni, &inner_bytes);
        let p = decode(LinkType::Ethernet, &bytes).unwrap();
        prop_assert_eq!(p.tunnel.map(|t| t.kind), Some(TunnelKind::Vxlan { vni }));
        prop_assert_eq!(p.payload, &inner.payload[..]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(lt in 0usize..LinkType::SUPPORTED.len(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(p) = decode(LinkType::SUPPORTED[lt], &bytes) {
            prop_assert!(p.payload.len() <= bytes.len());
            if let Some(e) = p.error {
                prop_assert!(e.offset <= bytes.len());
            }
        }
    }
}
