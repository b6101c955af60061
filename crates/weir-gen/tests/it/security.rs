//! The security scenarios (`secscen`): each one by name, what its packets say, that the
//! certificates parse as X.509, and that adding them leaves the ordinary traffic as it
//! was.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

use weir_gen::x509::{CertSpec, certificate};
use weir_gen::{GenConfig, Scenarios, generate_to_vec};

use crate::common::{decode, records};

const SECURITY: [(&str, &str, u64); 12] = [
    ("http_odd_port", "http_odd_port", 3),
    ("rdp_high_latency", "rdp", 3),
    ("blocklisted_hosts", "blocklisted", 3),
    ("web_mining", "web_mining", 3),
    ("bad_tls_certs", "bad_tls_certs", 6),
    ("dns_tunnel", "dns_tunnel", 40),
    ("dga_nxdomain", "dga_nxdomain", 30),
    ("malformed_dns", "malformed_dns", 2),
    ("rogue_dns", "rogue_dns", 3),
    ("rogue_dhcp", "rogue_dhcp", 3),
    ("rogue_ntp", "rogue_ntp", 1),
    ("rogue_smtp", "rogue_smtp", 2),
];

fn cfg(flows: usize, scenarios: &[&str]) -> GenConfig {
    GenConfig {
        flows,
        seed: 5,
        scenarios: Scenarios::from_names(scenarios).unwrap(),
        ..GenConfig::default()
    }
}

#[test]
fn each_scenario_by_name_adds_its_flows() {
    for (name, kind, n) in SECURITY {
        let (file, s) = generate_to_vec(&cfg(0, &[name]));
        assert_eq!(s.by_kind.get(kind), Some(&n), "{name}: {:?}", s.by_kind);
        assert_eq!(s.scenario_flows, n, "{name}");
        assert_eq!(s.by_kind.len(), 1, "{name}: only its own kind");
        // Every frame decodes (lengths and checksums are checked by the decoder).
        let recs = records(&file);
        assert!(!recs.is_empty(), "{name}");
        for r in &recs {
            decode(r.data);
        }
        assert_eq!(
            generate_to_vec(&cfg(0, &[name])).0,
            file,
            "{name}: deterministic"
        );
    }
}

#[test]
fn all_includes_the_security_scenarios() {
    let mut all = Scenarios::all();
    let names: Vec<&str> = all.names().iter().map(|(n, _)| *n).collect();
    for (name, _, _) in SECURITY {
        assert!(
            names.contains(&name),
            "{name} missing from Scenarios::names()"
        );
    }
    let none = Scenarios::none();
    assert_eq!(Scenarios::from_names::<&str>(&[]).unwrap(), none);
}

#[test]
fn ordinary_traffic_is_unchanged_by_the_security_scenarios() {
    let names: Vec<&str> = SECURITY.iter().map(|(n, _, _)| *n).collect();
    let (plain, ps) = generate_to_vec(&cfg(300, &[]));
    let (with, ws) = generate_to_vec(&cfg(300, &names));
    let frames: HashSet<(u64, &[u8])> = records(&with)
        .into_iter()
        .map(|r| (r.ts_micros, r.data))
        .collect();
    for r in records(&plain) {
        assert!(
            frames.contains(&(r.ts_micros, r.data)),
            "ordinary frame at {} changed",
            r.ts_micros
        );
    }
    assert_eq!(ws.flows, ps.flows + ws.scenario_flows);
}

#[test]
fn rdp_over_a_slow_link_and_a_fast_one() {
    let (file, _) = generate_to_vec(&cfg(0, &["rdp_high_latency"]));
    let remote = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 89));
    let mut syn = None;
    let mut rtts = Vec::new();
    let mut cookies = 0;
    for r in records(&file) {
        let d = decode(r.data);
        if d.dst_port == 3389 && d.flags == 0x02 {
            syn = Some((d.dst, r.ts_micros));
        }
        if d.src_port == 3389 && d.flags == 0x12 {
            let (dst, t) = syn.take().unwrap();
            assert_eq!(dst, d.src);
            rtts.push((d.src, r.ts_micros - t));
        }
        if d.payload(r.data)
            .windows(17)
            .any(|w| w == b"Cookie: mstshash=")
        {
            cookies += 1;
        }
    }
    assert_eq!(cookies, 3, "one X.224 connection request per session");
    assert_eq!(rtts.len(), 3);
    for (ip, rtt) in rtts {
        if ip == remote {
            assert!(rtt > 250_000, "slow link: {rtt} µs");
        } else {
            assert!(rtt < 2_000, "local server: {rtt} µs");
        }
    }
}

#[test]
fn dhcp_has_two_servers_and_the_rogue_one_wins() {
    let (file, _) = generate_to_vec(&cfg(0, &["rogue_dhcp"]));
    let mut offers = Vec::new();
    for r in records(&file) {
        let d = decode(r.data);
        let p = d.payload(r.data);
        if d.src_port == 67 {
            // op 2 (reply), magic cookie, option 53 first.
            assert_eq!(p[0], 2);
            assert_eq!(&p[236..240], &[0x63, 0x82, 0x53, 0x63]);
            assert_eq!(p[240], 53);
            offers.push((d.src, p[242]));
        }
    }
    let gw = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1));
    let rogue = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 250));
    assert_eq!(
        offers,
        vec![(gw, 2), (gw, 5), (rogue, 2), (gw, 2), (rogue, 5)]
    );
}

#[test]
fn generated_certificates_are_x509() {
    let mut rng = weir_gen::rng::GenRng::new(9);
    let spec = CertSpec {
        subject_cn: "*.hosting.example.net",
        subject_o: "Example Hosting",
        issuer_cn: "Example Issuing CA R3",
        issuer_o: "Example Trust Services",
        not_before: 1_767_225_600,
        not_after: 1_767_225_600 + 120 * 86_400,
        dns_names: &["*.hosting.example.net", "hosting.example.net"],
        serial: 77,
    };
    let der = certificate(&spec, &mut rng);
    let (rest, cert) = x509_parser::parse_x509_certificate(&der).expect("parses");
    assert!(rest.is_empty());
    assert_eq!(cert.version(), x509_parser::x509::X509Version::V3);
    assert_eq!(
        cert.subject().to_string(),
        "O=Example Hosting, CN=*.hosting.example.net"
    );
    assert_eq!(
        cert.issuer().to_string(),
        "O=Example Trust Services, CN=Example Issuing CA R3"
    );
    assert_eq!(cert.validity().not_before.timestamp(), 1_767_225_600);
    assert_eq!(
        cert.validity().not_after.timestamp(),
        1_767_225_600 + 120 * 86_400
    );
    let san = cert.subject_alternative_name().unwrap().unwrap();
    assert_eq!(san.value.general_names.len(), 2);
    assert_eq!(cert.raw_serial(), &[77]);

    // A self-signed one: issuer equals subject, byte for byte.
    let own = CertSpec {
        issuer_cn: spec.subject_cn,
        issuer_o: spec.subject_o,
        dns_names: &[],
        not_after: 2_600_000_000, // 2052: GeneralizedTime
        ..spec
    };
    let der = certificate(&own, &mut rng);
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    assert_eq!(cert.subject().as_raw(), cert.issuer().as_raw());
    assert_eq!(cert.validity().not_after.timestamp(), 2_600_000_000);
    assert!(cert.subject_alternative_name().unwrap().is_none());
}

#[test]
fn tls_handshakes_carry_their_certificates() {
    let (file, _) = generate_to_vec(&cfg(0, &["bad_tls_certs"]));
    // Certificate handshake messages (type 11) in server-to-client TLS records.
    let mut with_cert = HashSet::new();
    for r in records(&file) {
        let d = decode(r.data);
        let p = d.payload(r.data);
        if d.src_port == 443 && p.windows(6).any(|w| w[0] == 0x16 && w[5] == 11) {
            with_cert.insert(d.src);
        }
    }
    assert_eq!(with_cert.len(), 6, "{with_cert:?}");
}
