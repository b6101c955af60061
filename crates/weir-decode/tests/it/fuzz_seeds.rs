//! Writes the committed fuzz seeds (`fuzz/corpus/<target>/seed-*`) from `weir-gen`'s
//! frame and protocol builders and a few hand-written protocol messages:
//!
//! ```text
//! cargo test -p weir-decode --test it write_fuzz_seeds -- --ignored
//! ```
//!
//! The output is deterministic, so rerunning it rewrites the same files. `fuzz_corpus`
//! replays whatever is committed and fails when a target has fewer than
//! [`super::fuzz_corpus::MIN_SEEDS`] seeds.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use weir_decode::LinkType;
use weir_gen::app::{self, Dhcp, TlsVersion};
use weir_gen::frame::{self, FrameSpec, IpSpec, L4Spec, TcpSpec};
use weir_gen::rng::GenRng;

/// Seeds of one fuzz target: (file name without the `seed-` prefix, bytes).
type Seeds = Vec<(String, Vec<u8>)>;

const MAC_A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0a];
const MAC_B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0b];

fn v4(src: [u8; 4], dst: [u8; 4]) -> IpSpec {
    IpSpec::V4 {
        src: Ipv4Addr::from(src),
        dst: Ipv4Addr::from(dst),
        ttl: 64,
        id: 0x1234,
        dont_fragment: true,
    }
}

fn v6(src: u16, dst: u16) -> IpSpec {
    IpSpec::V6 {
        src: Ipv6Addr::new(0xfd00, 1, 0, 0, 0, 0, 0, src),
        dst: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, dst),
        hop_limit: 64,
        flow_label: 0x12345,
    }
}

fn tcp(src_port: u16, dst_port: u16, flags: u8, syn_options: bool) -> TcpSpec {
    TcpSpec {
        src_port,
        dst_port,
        seq: 1000,
        ack: if flags & 0x10 != 0 { 2000 } else { 0 },
        flags,
        window: 64240,
        mss: syn_options.then_some(1460),
        wscale: syn_options.then_some(7),
        sack_permitted: syn_options,
        timestamps: syn_options.then_some((1, 0)),
    }
}

fn spec(vlans: Vec<u16>, ip: IpSpec, l4: L4Spec, payload: &[u8]) -> FrameSpec {
    FrameSpec {
        src_mac: MAC_A,
        dst_mac: MAC_B,
        vlans,
        ip,
        l4,
        payload: payload.to_vec(),
    }
}

/// Ethernet frames of the kinds the decoder walks: (name, frame).
fn ethernet_frames() -> Vec<(&'static str, Vec<u8>)> {
    let mut rng = GenRng::new(7);
    let hello = app::tls_client_hello(
        TlsVersion::Tls13,
        Some("example.com"),
        &["h2"],
        &[0x1301, 0x1302],
        &mut rng,
    );
    let get = app::http_request("GET", "example.com", "/", "weir-seed/1");
    let dns = app::dns_query(0x4242, "www.example.com", 1);
    let tcp_syn = spec(
        vec![],
        v4([192, 168, 1, 10], [93, 184, 216, 34]),
        L4Spec::Tcp(tcp(51000, 443, 0x02, true)),
        &[],
    );
    let tls = spec(
        vec![],
        v4([192, 168, 1, 10], [93, 184, 216, 34]),
        L4Spec::Tcp(tcp(51000, 443, 0x18, false)),
        &hello,
    );
    let dns_vlan = spec(
        vec![10],
        v4([192, 168, 1, 11], [192, 168, 1, 1]),
        L4Spec::Udp {
            src_port: 53000,
            dst_port: 53,
        },
        &dns,
    );
    let http6_qinq = spec(
        vec![20, 30],
        v6(5, 80),
        L4Spec::Tcp(tcp(40000, 80, 0x18, false)),
        &get,
    );
    let ping6 = spec(
        vec![],
        v6(5, 1),
        L4Spec::Icmp {
            icmp_type: 128,
            code: 0,
            id: 7,
            seq: 1,
        },
        b"ping",
    );
    let vxlan_outer = spec(
        vec![],
        v4([10, 0, 0, 1], [10, 0, 0, 2]),
        L4Spec::Udp {
            src_port: 40000,
            dst_port: weir_decode::VXLAN_PORT,
        },
        &[],
    );
    let inner = frame::build_unpadded(&dns_vlan);
    let inner_ip = inner.get(18..).unwrap_or_default().to_vec();
    let mut frames = vec![
        ("tcp-syn", frame::build(&tcp_syn)),
        ("tls-hello", frame::build(&tls)),
        ("dns-vlan", frame::build(&dns_vlan)),
        ("http-ipv6-qinq", frame::build(&http6_qinq)),
        ("icmpv6-echo", frame::build(&ping6)),
        ("vxlan", frame::vxlan(&vxlan_outer, 4242, &inner)),
        (
            "gre-key",
            frame::gre(
                Ipv4Addr::new(10, 1, 0, 1),
                Ipv4Addr::new(10, 1, 0, 2),
                0x0800,
                &inner_ip,
                Some(99),
            ),
        ),
    ];
    // The first and the last fragment of the ClientHello.
    let mut frags = frame::ipv4_fragments(&tls, 256);
    if let (Some(last), true) = (frags.pop(), !frags.is_empty()) {
        frames.push(("frag-first", frags.swap_remove(0)));
        frames.push(("frag-last", last));
    }
    frames
}

/// The IP packet of an untagged Ethernet frame, with its EtherType.
fn network_layer(eth: &[u8]) -> Option<(u16, &[u8])> {
    let et = u16::from_be_bytes([*eth.get(12)?, *eth.get(13)?]);
    matches!(et, 0x0800 | 0x86dd).then_some((et, eth.get(14..)?))
}

/// The frame re-wrapped in the link header of `lt`, for an untagged IP frame.
fn rewrap(lt: LinkType, eth: &[u8]) -> Option<Vec<u8>> {
    let (et, net) = network_layer(eth)?;
    let v6 = et == 0x86dd;
    let af = if v6 { 30u32 } else { 2 };
    let mut out = match lt {
        LinkType::Raw => vec![],
        LinkType::Ipv4 if !v6 => vec![],
        LinkType::Ipv6 if v6 => vec![],
        LinkType::Null => af.to_le_bytes().to_vec(),
        LinkType::Loop => af.to_be_bytes().to_vec(),
        LinkType::Ppp => vec![0xff, 0x03, 0x00, if v6 { 0x57 } else { 0x21 }],
        LinkType::CiscoHdlc => [&[0x0f, 0x00][..], &et.to_be_bytes()].concat(),
        LinkType::LinuxSll => {
            [&[0, 0, 0, 1, 0, 6][..], &MAC_A, &[0, 0], &et.to_be_bytes()].concat()
        }
        LinkType::LinuxSll2 => [
            &et.to_be_bytes()[..],
            &[0, 0, 0, 0, 0, 2, 0, 1, 0, 6],
            &MAC_A,
            &[0, 0],
        ]
        .concat(),
        _ => return None,
    };
    out.extend_from_slice(net);
    Some(out)
}

/// A PPI header (version 0) with `fields`, announcing `dlt`, before `inner`.
fn ppi(dlt: u32, fields: &[u8], inner: &[u8]) -> Vec<u8> {
    let len = u16::try_from(8 + fields.len()).expect("small PPI header");
    let mut out = vec![0, 0];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&dlt.to_le_bytes());
    out.extend_from_slice(fields);
    out.extend_from_slice(inner);
    out
}

/// A PPI 802.11-common field (type 2, 20 bytes), as Wireshark writes it.
fn ppi_field() -> Vec<u8> {
    let mut f = vec![2, 0, 20, 0];
    f.extend_from_slice(&[0x11; 20]);
    f
}

fn decode_seed(lt: LinkType, frame: &[u8]) -> Vec<u8> {
    let sel = LinkType::SUPPORTED
        .iter()
        .position(|l| *l == lt)
        .expect("a supported link type");
    let mut seed = vec![u8::try_from(sel).expect("few link types")];
    seed.extend_from_slice(frame);
    seed
}

fn decode_seeds() -> Seeds {
    let frames = ethernet_frames();
    let mut seeds = Seeds::new();
    for (name, f) in &frames {
        seeds.push((
            format!("ethernet-{name}"),
            decode_seed(LinkType::Ethernet, f),
        ));
    }
    // Every other link type around two of the frames (IPv4 and IPv6).
    for (name, f) in frames
        .iter()
        .filter(|(n, _)| ["tls-hello", "icmpv6-echo"].contains(n))
    {
        for lt in LinkType::SUPPORTED {
            if let Some(wrapped) = rewrap(lt, f) {
                seeds.push((format!("{}-{name}", lt.name()), decode_seed(lt, &wrapped)));
            }
        }
        let raw = rewrap(LinkType::Raw, f).unwrap_or_default();
        seeds.push((
            format!("ppi-ethernet-{name}"),
            decode_seed(LinkType::Ppi, &ppi(1, &ppi_field(), f)),
        ));
        seeds.push((
            format!("ppi-raw-{name}"),
            decode_seed(LinkType::Ppi, &ppi(101, &[], &raw)),
        ));
    }
    // Tunnels the decoder enters by UDP port (frames from the shared nDPI captures):
    // GTP-U carrying IPv6, CAPWAP data carrying an 802.11 data frame.
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    for (name, h) in [
        (
            "gtp-u-ipv6",
            "00000000000234b35407ca5681000ca18100600508004568008068490000ff11ee790aee501a0aeefe4b08680868006c000030ff005c12808fb86008b852003411402607fc204052039e490aea4d17fee09cfd00976abc67193e0000000000000007bfe0643a00343748806e1597c35ac22f32b5ab35f3f8171e4e61ee025025e03ece7388f973f214ffdbb74b976c6da896cf2e4ac4",
        ),
        (
            "capwap-80211-data",
            "000000000008a4c64f3bb3ab8100805e8100800308004500008854394000fe1106f6ac32649bac106457a130147f00740000002003200000000004bf23000000000011082c0084802d2b459054f201e1b29910f311eaeec17630aaaa0300000008004500003c2122400040063f1c0a0103444a7d82bcb7b101bb0b21616e00000000a002ffff07180000020405b40402080a0021404c0000000001030308",
        ),
    ] {
        seeds.push((
            format!("ethernet-{name}"),
            decode_seed(LinkType::Ethernet, &hex(h)),
        ));
    }
    let tcp = frames.first().map(|(_, f)| f.clone()).unwrap_or_default();
    let damaged = [
        ("ppi-nested", ppi(192, &[], &ppi(1, &[], &tcp))),
        ("ppi-bad-version", {
            let mut p = ppi(1, &[], &tcp);
            p[0] = 1;
            p
        }),
        ("ppi-header-past-end", {
            let mut p = ppi(1, &[], &tcp[..10]);
            p[2] = 0xff;
            p
        }),
        ("ppi-unknown-inner", ppi(147, &[], &tcp)),
        ("ppi-cut-inner", ppi(1, &ppi_field(), &tcp[..6])),
    ];
    for (name, f) in damaged {
        seeds.push((name.to_string(), decode_seed(LinkType::Ppi, &f)));
    }
    seeds.push((
        "ethernet-cut-header".to_string(),
        decode_seed(LinkType::Ethernet, &[0; 4]),
    ));
    seeds
}

/// A classic little-endian microsecond pcap of `frames` with link type `linktype`.
fn pcap(linktype: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&linktype.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        let len = u32::try_from(f.len()).expect("small frame");
        out.extend_from_slice(&(1_767_225_600 + i as u32).to_le_bytes());
        out.extend_from_slice(&(i as u32 * 1000).to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// A little-endian pcapng block of type `ty` around `body` (padded to 4 bytes).
fn block(ty: u32, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let len = u32::try_from(body.len() + 12).expect("small block");
    let mut out = ty.to_le_bytes().to_vec();
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&len.to_le_bytes());
    out
}

fn section_header() -> Vec<u8> {
    let mut body = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    block(0x0a0d_0d0a, &body)
}

fn interface(linktype: u16, tsresol: Option<u8>) -> Vec<u8> {
    let mut body = linktype.to_le_bytes().to_vec();
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&65535u32.to_le_bytes());
    if let Some(r) = tsresol {
        body.extend_from_slice(&[9, 0, 1, 0, r, 0, 0, 0]);
        body.extend_from_slice(&[0; 4]);
    }
    block(1, &body)
}

fn enhanced_packet(interface: u32, ts: u64, data: &[u8]) -> Vec<u8> {
    let len = u32::try_from(data.len()).expect("small frame");
    let mut body = interface.to_le_bytes().to_vec();
    body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ts as u32).to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(data);
    block(6, &body)
}

fn simple_packet(data: &[u8]) -> Vec<u8> {
    let mut body = u32::try_from(data.len())
        .expect("small frame")
        .to_le_bytes()
        .to_vec();
    body.extend_from_slice(data);
    block(3, &body)
}

fn capture_frames() -> Vec<Vec<u8>> {
    ethernet_frames().into_iter().map(|(_, f)| f).collect()
}

fn pcap_seeds() -> Seeds {
    let frames = capture_frames();
    let ppi_frames: Vec<Vec<u8>> = frames.iter().map(|f| ppi(1, &ppi_field(), f)).collect();
    let raw: Vec<Vec<u8>> = frames
        .iter()
        .filter_map(|f| rewrap(LinkType::Raw, f))
        .collect();
    vec![
        ("le-usec-gen-frames".to_string(), pcap(1, &frames)),
        ("le-usec-ppi".to_string(), pcap(192, &ppi_frames)),
        ("le-usec-raw-gen".to_string(), pcap(101, &raw)),
        ("le-usec-ethernet-cut-header".to_string(), {
            // A record shorter than an Ethernet header (a snap-length cut).
            pcap(
                1,
                &[vec![0; 4], frames.first().cloned().unwrap_or_default()],
            )
        }),
    ]
}

fn pcapng_seeds() -> Seeds {
    let frames = capture_frames();
    let ts = 1_767_225_600_000_000u64;
    let mut gen_frames = section_header();
    gen_frames.extend(interface(1, None));
    for (i, f) in frames.iter().enumerate() {
        gen_frames.extend(enhanced_packet(0, ts + i as u64 * 1000, f));
    }
    let mut ppi_ns = section_header();
    ppi_ns.extend(interface(192, Some(9)));
    for (i, f) in frames.iter().take(4).enumerate() {
        let wrapped = ppi(1, &ppi_field(), f);
        ppi_ns.extend(enhanced_packet(0, (ts + i as u64) * 1000, &wrapped));
    }
    let mut simple = section_header();
    simple.extend(interface(1, None));
    for f in frames.iter().take(3) {
        simple.extend(simple_packet(f));
    }
    let mut damaged = section_header();
    damaged.extend(block(1, &[1, 0, 0])); // interface description too short
    damaged.extend(interface(1, None));
    damaged.extend(block(6, &[0; 12])); // packet block too short
    damaged.extend(enhanced_packet(
        1,
        ts,
        frames.first().map_or(&[][..], Vec::as_slice),
    ));
    vec![
        ("le-gen-frames".to_string(), gen_frames),
        ("le-ppi-nsec".to_string(), ppi_ns),
        ("le-simple-packets".to_string(), simple),
        ("le-damaged-blocks".to_string(), damaged),
    ]
}

fn syslog_seeds() -> Seeds {
    // The first byte is where the framer splits the rest into two chunks.
    let msgs: [(&str, &[u8]); 4] = [
        (
            "5424-structured-data",
            b"\x10<165>1 2026-01-01T00:00:00.003Z host.example.com weir 1234 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] BOMAn application event",
        ),
        (
            "octet-counted",
            b"\x0734 <13>Jan  1 00:00:00 host app: one\n35 <14>Jan  1 00:00:01 host app: two\n",
        ),
        (
            "3164-no-tag",
            b"\x05<30>Oct 11 22:14:15 mymachine just a message\n<31>second line\n",
        ),
        ("bad-priority", b"\x02<999>1 - - - - - - out of range\n<>\n<13\n"),
    ];
    msgs.iter()
        .map(|(n, m)| (n.to_string(), m.to_vec()))
        .collect()
}

fn app_ntp_seeds() -> Seeds {
    let t = 1_767_225_600_000_000u64;
    let mut short = app::ntp_client(t);
    short.truncate(30);
    let mut v3_broadcast = app::ntp_client(t);
    v3_broadcast[0] = 0x1d; // LI 0, version 3, mode 5 (broadcast)
    vec![
        ("client".to_string(), app::ntp_client(t)),
        ("short".to_string(), short),
        ("v3-broadcast".to_string(), v3_broadcast),
    ]
}

fn app_dhcp_seeds() -> Seeds {
    let m = |msg_type, hostname| Dhcp {
        msg_type,
        xid: 0x1234_5678,
        chaddr: MAC_A,
        yiaddr: if msg_type == app::DHCP_OFFER || msg_type == app::DHCP_ACK {
            [192, 168, 1, 50]
        } else {
            [0; 4]
        },
        server: [192, 168, 1, 1],
        router: [192, 168, 1, 1],
        hostname,
    };
    let discover = app::dhcp_message(&m(app::DHCP_DISCOVER, Some("laptop")));
    let mut vendor = app::dhcp_message(&m(app::DHCP_REQUEST, Some("printer")));
    // Replace the end option with a vendor class (60) and an option running past the end.
    if let Some(end) = vendor.iter().rposition(|&b| b == 255) {
        vendor.truncate(end);
        vendor.extend_from_slice(&[60, 8]);
        vendor.extend_from_slice(b"MSFT 5.0");
        vendor.extend_from_slice(&[12, 200, b'x']);
    }
    let mut cut = discover.clone();
    cut.truncate(245);
    vec![
        ("discover".to_string(), discover),
        (
            "offer".to_string(),
            app::dhcp_message(&m(app::DHCP_OFFER, None)),
        ),
        (
            "request".to_string(),
            app::dhcp_message(&m(app::DHCP_REQUEST, Some("laptop"))),
        ),
        (
            "ack".to_string(),
            app::dhcp_message(&m(app::DHCP_ACK, None)),
        ),
        ("vendor-class-overrun".to_string(), vendor),
        ("cut-options".to_string(), cut),
    ]
}

fn app_misc_seeds() -> Seeds {
    let mut bgp = vec![0xff; 16];
    bgp.extend_from_slice(&[0, 29, 1, 4, 0xfd, 0xe8, 0, 180, 10, 0, 0, 1, 0]);
    let mut netbios = vec![0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0x20];
    netbios.extend_from_slice(b"EBEFEEEFFDEFFCEFCACACACACACACAAA");
    netbios.extend_from_slice(&[0, 0, 0x20, 0, 1]);
    let mut stun = vec![0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42];
    stun.extend_from_slice(&[7; 12]);
    stun.extend_from_slice(&[0x80, 0x22, 0x00, 0x04, b'w', b'e', b'i', b'r']);
    let mut rtp = vec![
        0x80, 0x00, 0x12, 0x34, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef,
    ];
    rtp.extend_from_slice(&[0xd5; 160]);
    let msgs: Vec<(&str, Vec<u8>)> = vec![
        (
            "sip-invite",
            b"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.10:5060\r\nCall-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n".to_vec(),
        ),
        ("sip-response", b"SIP/2.0 180 Ringing\r\nCSeq: 314159 INVITE\r\n\r\n".to_vec()),
        ("rtp-pcmu", rtp),
        (
            "ssdp-msearch",
            b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n".to_vec(),
        ),
        ("ftp-banner", b"220-FileZilla Server\r\n220 Welcome\r\n".to_vec()),
        ("ftp-user", b"USER anonymous\r\n".to_vec()),
        ("bgp-open", bgp),
        (
            "nats-info",
            b"INFO {\"server_id\":\"NATS1\",\"version\":\"2.10.0\",\"max_payload\":1048576}\r\n".to_vec(),
        ),
        ("netbios-ns-query", netbios),
        (
            "dropbox-lansync",
            b"{\"host_int\": 123456789, \"version\": [2, 0], \"displayname\": \"\", \"port\": 17500, \"namespaces\": [1, 2]}".to_vec(),
        ),
        ("spotify", b"SpotUdp0\x01\x02\x03\x04\x05\x06\x07\x08".to_vec()),
        ("stun-binding", stun),
    ];
    msgs.into_iter().map(|(n, m)| (n.to_string(), m)).collect()
}

/// RFC 9001 Appendix A.2: the protected client Initial.
const RFC9001_CLIENT_INITIAL: &str = "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f3991c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df621230c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c2084dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663ac69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009ddc324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450efc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e72404790a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f440591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f0940054da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd46840647e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934";

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn app_quic_seeds() -> Seeds {
    let mut rng = GenRng::new(11);
    // A TLS handshake message (the ClientHello without its record header) in CRYPTO
    // frames, as the decrypted payload of an Initial carries it.
    let record = app::tls_client_hello(
        TlsVersion::Tls13,
        Some("quic.example.net"),
        &["h3"],
        &[0x1301],
        &mut rng,
    );
    let hs = record.get(5..).unwrap_or_default();
    let (first, second) = hs.split_at(hs.len() / 2);
    let mut plain = vec![0x01, 0x00]; // PING, PADDING
    for (off, part) in [
        (0u16, first),
        (u16::try_from(first.len()).unwrap_or(0), second),
    ] {
        plain.push(0x06);
        plain.extend_from_slice(&(0x4000 | off).to_be_bytes());
        plain.extend_from_slice(&(0x4000 | u16::try_from(part.len()).unwrap_or(0)).to_be_bytes());
        plain.extend_from_slice(part);
    }
    plain.extend_from_slice(&[0; 40]);
    let mut initial_header = vec![
        0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x44, 0xd0,
    ];
    initial_header.resize(1200, 0);
    let mut gquic = vec![0x0d, 1, 2, 3, 4, 5, 6, 7, 8, b'Q', b'0', b'4', b'3', 1];
    gquic.resize(1350, 0);
    let mut v2 = initial_header.clone();
    v2[0] = 0xd3; // the v2 Initial type bits
    v2[1..5].copy_from_slice(&0x6b33_43cfu32.to_be_bytes());
    let version_negotiation = vec![
        0x80, 0, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 1, 0xff, 0, 0, 0x1d,
    ];
    let short_header = [&[0x40][..], &[9; 8], &[0x55; 40]].concat();
    let rfc = unhex(RFC9001_CLIENT_INITIAL);
    let mut rfc_cut = rfc.clone();
    rfc_cut.truncate(600);
    vec![
        ("rfc9001-client-initial".to_string(), rfc),
        ("rfc9001-client-initial-cut".to_string(), rfc_cut),
        ("v1-initial-unprotected".to_string(), initial_header),
        ("v2-initial-unprotected".to_string(), v2),
        ("gquic-q043".to_string(), gquic),
        ("version-negotiation".to_string(), version_negotiation),
        ("short-header".to_string(), short_header),
        ("crypto-frames-plaintext".to_string(), plain),
    ]
}

/// First messages of TCP applications, one per probe family.
/// Payloads extracted from public sample captures (nDPI's test set).
fn app_apps_seeds() -> Seeds {
    vec![
        (
            "zabbix".to_string(),
            unhex("5a425844010a0000000000000070726f632e6e756d5b5d"),
        ),
        (
            "tds-reply".to_string(),
            unhex("0401002200350100fd0100f9000000000000000000fd0000ba000000000000000000"),
        ),
        (
            "fixt-logon".to_string(),
            unhex(
                "383d464958542e312e3101393d36320133353d410134393d396f58775678766d7a71734c4661450133343d310135323d",
            ),
        ),
        (
            "pgsql-startup".to_string(),
            unhex("000000260003000075736572006f727978006461746162617365006d61696c73746f72650000"),
        ),
        (
            "ldap-bind".to_string(),
            unhex("300c020101600702010304008000"),
        ),
        (
            "kafka-apiversions".to_string(),
            unhex("000000150012000000000081000772646b61666b6100000000"),
        ),
        (
            "amqp-frame".to_string(),
            unhex(
                "01000100000021003c002800000863656c657279657610776f726b65722e68656172746265617400ce",
            ),
        ),
        (
            "mqtt-connect".to_string(),
            unhex("101100044d5154540402003c00054275733431"),
        ),
        ("socks4-request".to_string(), unhex("040100505db8d87700")),
        ("rfb-version".to_string(), unhex("524642203030342e3030310a")),
        ("cassandra-options".to_string(), unhex("040000000500000000")),
        (
            "smpp-bind".to_string(),
            unhex(
                "00000028000000020000000000000001616268696b0070617373776f726400534d50500001000000",
            ),
        ),
    ]
}

/// Industrial control messages.
/// Payloads extracted from public sample captures (nDPI's test set).
fn app_ics_seeds() -> Seeds {
    vec![
        (
            "dnp3".to_string(),
            unhex("05640a44030004007caee6f78210004fbd"),
        ),
        ("iec104-startdt".to_string(), unhex("680407000000")),
        ("modbus-read".to_string(), unhex("00d100000006010300010001")),
        (
            "cotp-cr-tsap".to_string(),
            unhex("0300001611e00000000700c1020100c2020102c0010a"),
        ),
        (
            "s7-setup".to_string(),
            unhex("0300001902f08032010000020000080000f0000001000101e0"),
        ),
        (
            "ads".to_string(),
            unhex("000020000000050d756001011027c0a801630101038004000400000000000000000005000000"),
        ),
        (
            "cip-io".to_string(),
            unhex("020002800800787b3a00e8cb5e04b1000c000300fdffffffffffffff0000"),
        ),
    ]
}

fn app_rdp_seeds() -> Seeds {
    let mut wrong_len = app::rdp_connection_request("alice");
    wrong_len[3] = 5;
    vec![
        (
            "connection-request".to_string(),
            app::rdp_connection_request("alice"),
        ),
        (
            "connection-request-long-user".to_string(),
            app::rdp_connection_request("a-rather-long-domain-user-name"),
        ),
        (
            "connection-confirm".to_string(),
            app::rdp_connection_confirm(),
        ),
        (
            "tpkt-data".to_string(),
            b"\x03\x00\x00\x0c\x02\xf0\x80\x7f\x65\x82\x01\x00".to_vec(),
        ),
        ("tpkt-bad-length".to_string(), wrong_len),
    ]
}

fn app_smb_seeds() -> Seeds {
    let mut smb2 = vec![0x00, 0x00, 0x00, 0x6a, 0xfe, b'S', b'M', b'B', 64, 0];
    smb2.extend_from_slice(&[0; 54]);
    smb2.extend_from_slice(&[0x24, 0, 2, 0, 1, 0, 0, 0, 0x7f, 0, 0, 0]);
    smb2.extend_from_slice(&[0x11; 16]);
    smb2.extend_from_slice(&[0; 8]);
    smb2.extend_from_slice(&[0x02, 0x02, 0x10, 0x02]);
    let mut smb1 = vec![
        0x00, 0x00, 0x00, 0x2f, 0xff, b'S', b'M', b'B', 0x72, 0, 0, 0, 0, 0x18,
    ];
    smb1.extend_from_slice(&[0x53, 0xc8]);
    smb1.extend_from_slice(&[0; 20]);
    smb1.extend_from_slice(&[0, 0x0c, 0, 0x02]);
    smb1.extend_from_slice(b"NT LM 0.12\0");
    let mut session_request = vec![0x81, 0x00, 0x00, 0x44, 0x20];
    session_request.extend_from_slice(b"CKFDENECFDEFFCFGEFFCCACACACACACA\0 ");
    session_request.extend_from_slice(b"EOGFHEECEFFECNFAEMEPFBEFFEEDEFGF\0");
    let mut datagram = vec![
        0x11, 0x02, 0x12, 0x34, 192, 168, 1, 10, 0, 138, 0, 0xbb, 0, 0,
    ];
    datagram.resize(82, 0x20);
    datagram.extend_from_slice(&[0xff, b'S', b'M', b'B', 0x25]);
    datagram.extend_from_slice(&[0; 40]);
    vec![
        ("smb2-negotiate".to_string(), smb2),
        ("smb1-negotiate".to_string(), smb1),
        ("netbios-session-request".to_string(), session_request),
        ("netbios-keepalive".to_string(), vec![0x85, 0, 0, 0]),
        ("browser-datagram".to_string(), datagram),
        (
            "smb2-cut".to_string(),
            vec![0x00, 0x00, 0x01, 0x00, 0xfe, b'S'],
        ),
    ]
}

/// Messages of the `voip` family's protocols, from real captures (the first bytes of
/// each; the fuzzer grows them).
fn app_voip_seeds() -> Seeds {
    let msgs: Vec<(&str, &str)> = vec![
        (
            "whatsapp-edge-preamble",
            "4544000100000408050802574102010000ee12eb010a20",
        ),
        (
            "whatsapp-old-header",
            "57410105000018f80501a59189fc10416e64726f69642d32",
        ),
        ("discord-keepalive", "1337cafe0e000000"),
        (
            "telegram-reflector-ping",
            "dc4c00291565b7acbc236da9eda0d597fffffffffffffffffffffffffeffffff28f946112601a2f0",
        ),
        (
            "zoom-sfu-hello",
            "0100027d464d35fffda234495d0d6d3b51e8960000000000000002007a002a007a002a000000400e173ddf96025efb95",
        ),
        (
            "xiaomi-push",
            "c2fe000500000036000200160000001808001a0a7869616f6d692e636f6d2a04434f4e4e48000a0a",
        ),
        (
            "h225-setup",
            "030000a0080277f40504038090a528086d2e6a656d6563007e00850520a8060008914a0004014006",
        ),
        (
            "h225-ras",
            "02200000060008914a0004001102007c07f22200ae01003d0001030085c89a51208003014000",
        ),
        (
            "iax2-new",
            "8004000000000001000006010b020002010c343432303838323035313535020c3434373738323236",
        ),
        ("mumble-ping", "0000000003d72000fa76287e"),
        ("bfcp-floor-release", "200300010000000100020504"),
        (
            "rtmp-c0c1",
            "030007aa5700000000c4ff95ff1affe3ffc000c1003600af00fc002d0092",
        ),
        (
            "websocket-text",
            "811757656c636f6d652c203139322e3136382e34332e312021",
        ),
    ];
    let mut seeds: Seeds = msgs
        .into_iter()
        .map(|(n, h)| (n.to_string(), unhex(h)))
        .collect();
    seeds.push((
        "rtsp-options".to_string(),
        b"OPTIONS rtsp://10.2.2.2:8554/ RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: LibVLC/3.0.12\r\n\r\n"
            .to_vec(),
    ));
    seeds.push((
        "mgcp-rqnt".to_string(),
        b"RQNT 1 *@gateway44.myplace.com MGCP 0.1\r\nX: 1\r\n".to_vec(),
    ));
    seeds.push((
        "megaco-short".to_string(),
        b"!/1 <iMSS>\nT=555282713{C=-{AV=DS/1/5{AT{M}}}}".to_vec(),
    ));
    seeds.push((
        "http2-preface".to_string(),
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00".to_vec(),
    ));
    seeds
}

/// Every seed, by fuzz target.
/// `app_infra`: first payloads of discovery/infrastructure flows in the shared nDPI
/// captures (SLP, RADIUS, Kerberos, NFS, BACnet, TFTP, collectd, GTP-C, KNXnet/IP, HSRP,
/// Roughtime).
fn app_infra_seeds() -> Seeds {
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    [
        ("slp-v2-srvrqst", "020100002f000000000044000002656e0000000e736572766963653a63656e737973000744454641554c5400000000"),
        ("radius-acct-response", "050f00693b981b59f879ed40ab4fb301c0cd765c01353033313134383032353038363436323840776c616e2e6d6e633438302e6d63633331312e336770706e6574776f726baa6f72672c2035623232613066652f30303a35363a63643a36643a34323a35392f323037"),
        ("kerberos-as-req", "6a82011b30820117a103020105a20302010aa35830563048a103020102a241043f303da003020117a2360434b60e0b505f98104206f62503b8e0e7c82d842e6f"),
        ("nfs-call", "5e1d0b940000000000000002000186a300000002000000010000000100000034384775d000000009776572726d73636865000000000000000000000100000005"),
        ("bacnet-who-is", "810b000c0120ffff00ff1008"),
        ("tftp-oack", "0006626c6b73697a650031343638007473697a650031303030303000"),
        ("collectd-parts", "000000156465766c61702e667269747a2e626f78000008000c18aa86d9ffbbcaa30009000c00000002800000000002000b6d656d6f7279000004000b6d656d6f"),
        ("gtp-c-v2", "4824001e355292064b546200490001000556000d0018987654123498765412345678"),
        ("knxnet-search", "0610020b00140801c0a858e7a17f060401020607"),
        ("hsrp-v1-hello", "000008030a500a00636973636f0000000a1ca8fe"),
        ("roughtime-request", "02000000400000004e4f4e43504144ff459cab6f4834cda9b7b3c983e3b5048e16256e65ec963e60bf8ca369ad3cb493d5909e68d8f8bd499e9907c4d0da2edc"),
    ]
    .iter()
    .map(|(n, h)| (n.to_string(), hex(h)))
    .collect()
}

fn all_seeds() -> Vec<(&'static str, Seeds)> {
    vec![
        ("decode", decode_seeds()),
        ("pcap", pcap_seeds()),
        ("pcapng", pcapng_seeds()),
        ("syslog", syslog_seeds()),
        ("app_ntp", app_ntp_seeds()),
        ("app_dhcp", app_dhcp_seeds()),
        ("app_misc", app_misc_seeds()),
        ("app_quic", app_quic_seeds()),
        ("app_rdp", app_rdp_seeds()),
        ("app_voip", app_voip_seeds()),
        ("app_smb", app_smb_seeds()),
        ("app_infra", app_infra_seeds()),
        ("app_apps", app_apps_seeds()),
        ("app_ics", app_ics_seeds()),
    ]
}

#[test]
#[ignore = "writes fuzz/corpus/*/seed-*: run it on purpose, then commit the files"]
fn write_fuzz_seeds() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (target, seeds) in all_seeds() {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
        }
    }
}

#[test]
fn seeds_are_deterministic_and_named_uniquely() {
    let (a, b) = (all_seeds(), all_seeds());
    assert_eq!(a, b);
    for (target, seeds) in &a {
        let mut names: Vec<&String> = seeds.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), seeds.len(), "{target}: duplicate seed names");
    }
}

#[test]
fn seeds_reach_the_code_they_are_for() {
    use weir_decode::app::{dhcp, misc, ntp, quic, rdp, smb};
    use weir_decode::capture::CaptureReader;
    use weir_decode::{Layer, decode};

    let seeds: std::collections::BTreeMap<&str, Seeds> = all_seeds().into_iter().collect();
    let get = |t: &str, n: &str| -> Vec<u8> {
        seeds[t]
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("no seed {t}/{n}"))
    };
    // Every well-formed decode seed reaches a transport layer, PPI ones included.
    for (name, seed) in &seeds["decode"] {
        let lt = LinkType::SUPPORTED[usize::from(seed[0])];
        let p = decode(lt, &seed[1..]);
        if name.contains("cut")
            || name.starts_with("ppi-") && !name.contains("-ethernet-") && !name.contains("-raw-")
        {
            assert!(
                p.map_or(true, |p| p.error.is_some()),
                "{name} decodes cleanly"
            );
        } else {
            let p = p.unwrap_or_else(|e| panic!("{name}: {e}"));
            // A later fragment carries no transport header.
            let l4 = [Layer::Tcp, Layer::Udp, Layer::Icmpv6];
            assert!(
                l4.iter().any(|l| p.layers.contains(*l))
                    || name.ends_with("frag-last") && p.ip.is_some_and(|ip| ip.fragment.is_some()),
                "{name}: {:?}",
                p.layers
            );
        }
    }
    for (name, seed) in seeds["pcap"].iter().chain(&seeds["pcapng"]) {
        let mut r = CaptureReader::new(&seed[..], name).unwrap();
        let (mut frames, mut errors) = (0, 0);
        while let Some(f) = r.next_frame() {
            frames += usize::from(f.is_ok());
            errors += usize::from(f.is_err());
        }
        if name.contains("damaged") {
            assert!(
                frames >= 1 && errors >= 2,
                "{name}: {frames} frames, {errors} errors"
            );
        } else {
            assert!(frames >= 2, "{name}: {frames} frames");
        }
    }
    for name in [
        "discover",
        "offer",
        "request",
        "ack",
        "vendor-class-overrun",
    ] {
        assert!(dhcp::parse(&get("app_dhcp", name)).is_some(), "dhcp {name}");
    }
    assert!(ntp::parse(&get("app_ntp", "client")).is_some());
    for (name, seed) in &seeds["app_misc"] {
        let hits = [
            misc::probe_sip(seed),
            misc::probe_rtp(seed),
            misc::probe_ssdp(seed),
            misc::probe_ftp(seed),
            misc::probe_bgp(seed),
            misc::probe_nats(seed),
            misc::probe_netbios_ns(seed),
            misc::probe_dropbox(seed),
            misc::probe_spotify(seed),
            misc::probe_stun(seed),
        ];
        assert!(hits.contains(&true), "misc {name} matches no probe");
    }
    for (name, seed) in &seeds["app_apps"] {
        assert!(
            weir_decode::app::apps::probe_all(seed) >= 1,
            "apps {name} matches no probe"
        );
    }
    for (name, seed) in &seeds["app_ics"] {
        assert!(
            weir_decode::app::ics::probe_all(seed) >= 1,
            "ics {name} matches no probe"
        );
    }
    let plain = quic::decrypt_client_initial(&get("app_quic", "rfc9001-client-initial"));
    assert!(plain.is_some());
    let mut crypto = 0;
    quic::crypto_frames(&get("app_quic", "crypto-frames-plaintext"), |_, d| {
        crypto += d.len()
    });
    assert!(crypto > 100);
    for name in ["v1-initial-unprotected", "gquic-q043"] {
        assert!(
            quic::parse_header(&get("app_quic", name)).is_some(),
            "quic {name}"
        );
    }
    for (name, seed) in &seeds["app_voip"] {
        use weir_decode::app::voip;
        let wa = voip::whatsapp_step(voip::WaProgress::default(), seed) == voip::WaStep::Match;
        let hits = [
            wa,
            voip::discord_keepalive(seed),
            voip::telegram_reflector(seed),
            voip::zoom_sfu_hello(seed).is_some(),
            voip::xiaomi_push(seed),
            voip::h323_tcp(seed),
            voip::h323_ras(seed),
            voip::iax2_control(seed),
            voip::mumble_ping(seed).is_some(),
            voip::bfcp_header(seed).is_some(),
            voip::rtmp_handshake(seed),
            voip::websocket_frame(seed).is_some(),
            voip::rtsp(seed),
            voip::mgcp_command(seed),
            voip::megaco(seed),
            voip::http2_preface(seed),
        ];
        assert!(hits.contains(&true), "voip {name} matches no probe");
    }
    assert!(rdp::probe(&get("app_rdp", "connection-request")));
    assert!(rdp::probe(&get("app_rdp", "connection-confirm")));
    assert!(smb::probe_tcp(&get("app_smb", "smb2-negotiate")).is_some());
    assert!(smb::probe_tcp(&get("app_smb", "smb1-negotiate")).is_some());
    assert!(smb::probe_netbios_session(&get(
        "app_smb",
        "netbios-session-request"
    )));
    assert!(smb::probe_datagram(&get("app_smb", "browser-datagram")).is_some());
    for (name, seed) in &seeds["syslog"] {
        let line = seed[1..].split(|&b| b == b'\n').next().unwrap_or_default();
        if name != "bad-priority" && name != "octet-counted" {
            assert!(weir_decode::parse_syslog(line).is_ok(), "syslog {name}");
        }
    }
}
