//! Property tests: frames built by `weir-gen` from random fields decode back to the same
//! fields; every prefix of a valid frame, and any byte string, decodes without panic; a
//! frame wrapped in a PPI header decodes to the same layers as the bare frame.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use weir_decode::{
    DecodeErrorKind, L4Repr, LinkType, TunnelKind, decode, decoded_tuple, plain_tuple,
};
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
    fn plain_tuple_reads_what_decode_reads(
        spec in frame_spec(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let bytes = frame::build_unpadded(&spec);
        // A plain TCP or UDP frame is read without a full decode.
        if !matches!(spec.l4, L4Spec::Icmp { .. }) && spec.vlans.len() <= 2 {
            prop_assert!(plain_tuple(LinkType::Ethernet, &bytes).is_some());
        }
        // Whenever the shortcut answers, on the frame, on every prefix and on damaged
        // copies, it answers what decode reads.
        let mut damaged = bytes.clone();
        for (at, b) in &flips {
            let i = at.index(damaged.len());
            damaged[i] = *b;
        }
        let cases = (0..=bytes.len()).map(|n| &bytes[..n]).chain([&damaged[..]]);
        for f in cases {
            if let Some(t) = plain_tuple(LinkType::Ethernet, f) {
                prop_assert_eq!(Some(t), decoded_tuple(LinkType::Ethernet, f));
            }
        }
    }

    #[test]
    fn plain_tuple_leaves_tunnels_to_decode(outer in frame_spec(), inner in frame_spec(), vni in 0u32..(1 << 24)) {
        let mut outer = outer;
        outer.l4 = L4Spec::Udp { src_port: 40000, dst_port: weir_decode::VXLAN_PORT };
        let bytes = frame::vxlan(&outer, vni, &frame::build_unpadded(&inner));
        prop_assert_eq!(plain_tuple(LinkType::Ethernet, &bytes), None);
    }

    #[test]
    fn arbitrary_bytes_never_panic(lt in 0usize..LinkType::SUPPORTED.len(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Some(t) = plain_tuple(LinkType::SUPPORTED[lt], &bytes) {
            prop_assert_eq!(Some(t), decoded_tuple(LinkType::SUPPORTED[lt], &bytes));
        }
        if let Ok(p) = decode(LinkType::SUPPORTED[lt], &bytes) {
            prop_assert!(p.payload.len() <= bytes.len());
            if let Some(e) = p.error {
                prop_assert!(e.offset <= bytes.len());
            }
        }
    }

    #[test]
    fn ppi_header_with_arbitrary_fields_never_panics(
        version in prop_oneof![Just(0u8), any::<u8>()],
        flags in any::<u8>(),
        header_len in prop_oneof![8u16..80, any::<u16>()],
        dlt in prop_oneof![
            (0usize..LinkType::SUPPORTED.len()).prop_map(|i| LinkType::SUPPORTED[i].to_raw()),
            any::<u32>(),
        ],
        rest in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let bytes = ppi_wrap(version, flags, header_len, dlt, &rest);
        for n in 0..=bytes.len() {
            match decode(LinkType::Ppi, &bytes[..n]) {
                Ok(p) => {
                    prop_assert!(p.payload.len() <= n);
                    if let Some(e) = p.error {
                        prop_assert!(e.offset <= n);
                    }
                }
                Err(e) => prop_assert_eq!(e.kind, DecodeErrorKind::UnsupportedLinkType),
            }
        }
    }

    #[test]
    fn ppi_wrapped_generated_frame_decodes_like_the_bare_frame(
        spec in frame_spec(),
        fields in proptest::collection::vec(any::<u8>(), 0..40),
        flags in any::<u8>(),
    ) {
        let inner = frame::build(&spec);
        let header_len = u16::try_from(8 + fields.len()).unwrap();
        let mut wrapped = ppi_wrap(0, flags, header_len, 1, &fields);
        wrapped.extend(&inner);
        let bare = decode(LinkType::Ethernet, &inner).unwrap();
        let ppi = decode(LinkType::Ppi, &wrapped).unwrap();
        same_layers(&bare, &ppi, usize::from(header_len))?;
        prop_assert_eq!(ppi.linktype, LinkType::Ppi);
        check_round_trip(&spec, &inner)?;
    }

    #[test]
    fn ppi_wrapped_bytes_decode_like_the_bare_bytes(
        lt in 0usize..LinkType::SUPPORTED.len(),
        fields in proptest::collection::vec(any::<u8>(), 0..24),
        inner in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let inner_lt = LinkType::SUPPORTED[lt];
        prop_assume!(inner_lt != LinkType::Ppi);
        let header_len = u16::try_from(8 + fields.len()).unwrap();
        let mut wrapped = ppi_wrap(0, 0, header_len, inner_lt.to_raw(), &fields);
        wrapped.extend(&inner);
        match (decode(inner_lt, &inner), decode(LinkType::Ppi, &wrapped)) {
            (Ok(bare), Ok(ppi)) => same_layers(&bare, &ppi, usize::from(header_len))?,
            (Err(a), Err(b)) => prop_assert_eq!(a.kind, b.kind),
            (a, b) => prop_assert!(false, "bare {:?} but wrapped {:?}", a, b),
        }
    }
}

/// A PPI header (version, flags, header length, inner DLT) followed by `rest`.
fn ppi_wrap(version: u8, flags: u8, header_len: u16, dlt: u32, rest: &[u8]) -> Vec<u8> {
    let mut f = vec![version, flags];
    f.extend(header_len.to_le_bytes());
    f.extend(dlt.to_le_bytes());
    f.extend(rest);
    f
}

/// The same decoded layers, the PPI one `shift` bytes further into its frame.
fn same_layers(
    bare: &weir_decode::Packet<'_>,
    ppi: &weir_decode::Packet<'_>,
    shift: usize,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(bare.layers, ppi.layers);
    prop_assert_eq!(bare.eth, ppi.eth);
    prop_assert_eq!(bare.vlans, ppi.vlans);
    prop_assert_eq!(bare.mpls_labels, ppi.mpls_labels);
    prop_assert_eq!(bare.pppoe_session, ppi.pppoe_session);
    prop_assert_eq!(bare.arp, ppi.arp);
    prop_assert_eq!(bare.tunnel, ppi.tunnel);
    prop_assert_eq!(bare.ip, ppi.ip);
    prop_assert_eq!(bare.l4, ppi.l4);
    prop_assert_eq!(bare.icmp_quoted, ppi.icmp_quoted);
    prop_assert_eq!(bare.payload, ppi.payload);
    prop_assert_eq!(bare.truncated, ppi.truncated);
    prop_assert_eq!(
        bare.error.map(|e| (e.layer, e.kind, e.offset + shift)),
        ppi.error.map(|e| (e.layer, e.kind, e.offset))
    );
    Ok(())
}
