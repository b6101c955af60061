//! Security scenarios for the built-in security plugins (`plugins/`): their test cases
//! and the demo. Each is a handful of flows on top of the ordinary traffic.
//!
//! | name | what |
//! | --- | --- |
//! | `http_odd_port` | 192.168.1.23 browses cams.example.net (198.51.100.88) over plain HTTP on port 8888, three times |
//! | `rdp_high_latency` | 192.168.1.20 opens two RDP sessions to 203.0.113.89 over a ~330 ms link; 192.168.1.24 one to the local 192.168.1.10 (sub-millisecond) |
//! | `blocklisted_hosts` | 192.168.1.28 talks TLS to 203.0.113.66, 192.168.1.32 HTTP to 192.0.2.200 (`/gate.php`), and 192.0.2.201 tries SSH on the NAS (192.168.1.5) |
//! | `web_mining` | 192.168.1.33 resolves pool.supportxmr.com, mines over Stratum on 203.0.113.133:3333 for two minutes, and opens TLS to gulf.moneroocean.stream (203.0.113.134) |
//! | `bad_tls_certs` | six TLS 1.2 full handshakes to 203.0.113.44..49: self-signed, expired, not yet valid, valid for five years, a certificate for another name (SNI mismatch), and a good one |
//! | `dns_tunnel` | 192.168.1.37 sends 40 TXT queries with 60+40-character base32 labels under t.exfil-example.net through the router, one every 3 s |
//! | `dga_nxdomain` | 192.168.1.45 asks 8.8.8.8 for 30 random-looking .com/.net/.biz names in 20 s, all NXDOMAIN |
//! | `malformed_dns` | 192.168.1.46 sends the router a query whose name holds a space and a `!`, and a datagram to port 53 that is not DNS (deliberately malformed for Wireshark) |
//! | `rogue_dns` | 192.168.1.50 (VLAN 10) resolves login.example-bank.com three times through 203.0.113.53, which answers 203.0.113.54 |
//! | `rogue_dhcp` | a DHCP exchange with the router (192.168.1.1), then 192.168.1.250 answers another client's DISCOVER before the router and hands out its own lease |
//! | `rogue_ntp` | 192.168.1.34 polls 203.0.113.123 for time four times |
//! | `rogue_smtp` | 192.168.1.36 (a spam bot) delivers mail straight to two outside MX hosts, 203.0.113.25 and 192.0.2.165 |

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};

use rand::Rng;

use crate::app::{self, TlsVersion};
use crate::flows::{self, Ctx, FlowGen, NewFlow};
use crate::frame::{self, L4Spec};
use crate::net::{self, Client, Os, Site};
use crate::rng::GenRng;
use crate::tcp::{Body, Endpoints, Msg, TcpSession};
use crate::x509::{CertSpec, certificate};

/// A security scenario flow (or group of flows) to start.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SecStart {
    OddPort,
    RdpSlow,
    RdpFast,
    Blocked(u8),
    MiningDns,
    Stratum,
    MiningTls,
    BadCert(u8),
    Tunnel { span_us: u64 },
    Dga { span_us: u64 },
    MalformedDns,
    RogueDns,
    Dhcp,
    RogueNtp,
    RogueSmtp(u8),
}

impl SecStart {
    /// A small number per variant, to separate the random streams of starts that fall
    /// on the same microsecond.
    pub(crate) fn tag(self) -> u64 {
        match self {
            SecStart::OddPort => 1,
            SecStart::RdpSlow => 2,
            SecStart::RdpFast => 3,
            SecStart::Blocked(i) => 4 + u64::from(i) * 16,
            SecStart::MiningDns => 5,
            SecStart::Stratum => 6,
            SecStart::MiningTls => 7,
            SecStart::BadCert(i) => 8 + u64::from(i) * 16,
            SecStart::Tunnel { .. } => 9,
            SecStart::Dga { .. } => 10,
            SecStart::MalformedDns => 11,
            SecStart::RogueDns => 12,
            SecStart::Dhcp => 13,
            SecStart::RogueNtp => 14,
            SecStart::RogueSmtp(i) => 15 + u64::from(i) * 16,
        }
    }
}

/// Which scenarios are on.
pub(crate) struct SecFlags {
    pub http_odd_port: bool,
    pub rdp_high_latency: bool,
    pub blocklisted_hosts: bool,
    pub web_mining: bool,
    pub bad_tls_certs: bool,
    pub dns_tunnel: bool,
    pub dga_nxdomain: bool,
    pub malformed_dns: bool,
    pub rogue_dns: bool,
    pub rogue_dhcp: bool,
    pub rogue_ntp: bool,
    pub rogue_smtp: bool,
}

/// Start times of the enabled scenarios over a capture starting at `start` (µs) and
/// lasting `dur` µs (fixed fractions of the duration, so a test can predict them).
pub(crate) fn plan(f: &SecFlags, start: u64, dur: u64) -> Vec<(u64, SecStart)> {
    let at = |permille: u64| start + dur / 1000 * permille;
    let mut p = Vec::new();
    if f.http_odd_port {
        for pm in [150, 450, 750] {
            p.push((at(pm), SecStart::OddPort));
        }
    }
    if f.rdp_high_latency {
        p.push((at(200), SecStart::RdpSlow));
        p.push((at(350), SecStart::RdpFast));
        p.push((at(500), SecStart::RdpSlow));
    }
    if f.blocklisted_hosts {
        for (i, pm) in [250u64, 550, 800].into_iter().enumerate() {
            p.push((at(pm), SecStart::Blocked(i as u8)));
        }
    }
    if f.web_mining {
        p.push((at(400), SecStart::MiningDns));
        p.push((at(400) + 40_000, SecStart::Stratum));
        p.push((at(650), SecStart::MiningTls));
    }
    if f.bad_tls_certs {
        for i in 0..6u8 {
            p.push((at(100 + 120 * u64::from(i)), SecStart::BadCert(i)));
        }
    }
    if f.dns_tunnel {
        p.push((
            at(330),
            SecStart::Tunnel {
                span_us: 120_000_000.min(dur / 3),
            },
        ));
    }
    if f.dga_nxdomain {
        p.push((
            at(700),
            SecStart::Dga {
                span_us: 20_000_000.min(dur / 10),
            },
        ));
    }
    if f.malformed_dns {
        p.push((at(520), SecStart::MalformedDns));
    }
    if f.rogue_dns {
        for pm in [120, 420, 720] {
            p.push((at(pm), SecStart::RogueDns));
        }
    }
    if f.rogue_dhcp {
        p.push((at(50), SecStart::Dhcp));
    }
    if f.rogue_ntp {
        p.push((at(300), SecStart::RogueNtp));
    }
    if f.rogue_smtp {
        p.push((at(460), SecStart::RogueSmtp(0)));
        p.push((at(620), SecStart::RogueSmtp(1)));
    }
    p
}

/// Builds the flow(s) of one planned start.
pub(crate) fn start(s: SecStart, rng: &mut GenRng, ts: u64) -> NewFlow {
    match s {
        SecStart::OddPort => odd_port(rng, ts),
        SecStart::RdpSlow => rdp(rng, ts, true),
        SecStart::RdpFast => rdp(rng, ts, false),
        SecStart::Blocked(i) => blocked(rng, ts, i),
        SecStart::MiningDns => {
            let c = client(13);
            let name = "pool.supportxmr.com";
            let addr = IpAddr::V4(MINING_POOL);
            dns_exchange(rng, c, net::GW_IP4, ts, name, &[addr], "web_mining")
        }
        SecStart::Stratum => stratum(rng, ts),
        SecStart::MiningTls => {
            let c = client(13);
            let msgs = flows::tls_msgs(rng, c, "gulf.moneroocean.stream", None, false);
            tcp_flow(
                rng,
                c,
                Ipv4Addr::new(203, 0, 113, 134),
                443,
                90_000,
                msgs,
                ts,
                "web_mining",
            )
        }
        SecStart::BadCert(i) => bad_cert(rng, ts, i),
        SecStart::Tunnel { span_us } => tunnel(rng, ts, span_us),
        SecStart::Dga { span_us } => dga(rng, ts, span_us),
        SecStart::MalformedDns => malformed_dns(rng, ts),
        SecStart::RogueDns => {
            let c = client(30);
            let answer = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 54));
            let server = Ipv4Addr::new(203, 0, 113, 53);
            dns_exchange(
                rng,
                c,
                server,
                ts,
                "login.example-bank.com",
                &[answer],
                "rogue_dns",
            )
        }
        SecStart::Dhcp => dhcp(rng, ts),
        SecStart::RogueNtp => rogue_ntp(rng, ts),
        SecStart::RogueSmtp(i) => rogue_smtp(rng, ts, i),
    }
}

/// The mining pool's address (Stratum).
const MINING_POOL: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 133);

fn client(i: usize) -> &'static Client {
    &net::clients()[i]
}

#[allow(clippy::too_many_arguments)]
fn tcp_flow(
    rng: &mut GenRng,
    c: &Client,
    s_ip: Ipv4Addr,
    s_port: u16,
    rtt_us: u64,
    msgs: Vec<Msg>,
    ts: u64,
    kind: &'static str,
) -> NewFlow {
    let source = flows::session(
        rng,
        &Ctx { small: false },
        c,
        IpAddr::V4(s_ip),
        s_port,
        52,
        1460,
        rtt_us,
        msgs,
        ts,
    );
    NewFlow {
        kind,
        source,
        count: 1,
    }
}

/// UDP datagrams of one or more 5-tuples, kept in time order.
struct Datagrams {
    pkts: Vec<(u64, Vec<u8>)>,
    id: u16,
}

impl Datagrams {
    fn new(rng: &mut GenRng) -> Self {
        Datagrams {
            pkts: Vec::new(),
            id: rng.random(),
        }
    }

    fn send(&mut self, ep: &Endpoints, from_client: bool, ts: u64, payload: &[u8]) {
        self.id = self.id.wrapping_add(1);
        let (src_port, dst_port) = ep.ports(from_client);
        let h = ep.headers(
            from_client,
            L4Spec::Udp { src_port, dst_port },
            self.id,
            false,
        );
        let mut out = Vec::with_capacity(64 + payload.len());
        frame::write_frame(&mut out, &h, payload, frame::MIN_FRAME_LEN);
        self.pkts.push((ts, out));
    }

    fn finish(mut self, kind: &'static str, count: u64) -> NewFlow {
        self.pkts.sort_by_key(|p| p.0);
        NewFlow {
            kind,
            source: FlowGen::List(VecDeque::from(self.pkts)),
            count,
        }
    }
}

/// Endpoints of a UDP conversation between local client `c` and `server`.
fn udp_ep(rng: &mut GenRng, c: &Client, server: Ipv4Addr, s_port: u16, s_ttl: u8) -> Endpoints {
    let c_port = flows::ephemeral(rng, c.os);
    flows::endpoints(rng, c, IpAddr::V4(server), s_port, s_ttl, c_port)
}

fn dns_exchange(
    rng: &mut GenRng,
    c: &Client,
    server: Ipv4Addr,
    ts: u64,
    name: &str,
    answers: &[IpAddr],
    kind: &'static str,
) -> NewFlow {
    let ep = udp_ep(rng, c, server, 53, 60);
    let mut d = Datagrams::new(rng);
    let id: u16 = rng.random();
    d.send(&ep, true, ts, &app::dns_query(id, name, app::DNS_TYPE_A));
    let resp = app::dns_response(id, name, app::DNS_TYPE_A, answers, app::DNS_RCODE_NOERROR);
    d.send(&ep, false, ts + rng.random_range(8_000..40_000), &resp);
    d.finish(kind, 1)
}

// ------------------------------------------------------------------------ HTTP on 8888

const CAMS_SITE: Site = net::site(
    "cams.example.net",
    [198, 51, 100, 88],
    None,
    38_000,
    52,
    1460,
    "Boa/0.94.14rc21",
    None,
);

fn odd_port(rng: &mut GenRng, ts: u64) -> NewFlow {
    let c = client(3);
    let host = format!("{}:8888", CAMS_SITE.name);
    let msgs = flows::http_msgs(rng, c, &CAMS_SITE, &host, false, 2);
    let rtt = u64::from(CAMS_SITE.rtt_us);
    tcp_flow(
        rng,
        c,
        CAMS_SITE.ip4(),
        8888,
        rtt,
        msgs,
        ts,
        "http_odd_port",
    )
}

// ------------------------------------------------------------------------ RDP

fn rdp(rng: &mut GenRng, ts: u64, slow: bool) -> NewFlow {
    let (c, server, rtt) = if slow {
        (client(0), Ipv4Addr::new(203, 0, 113, 89), 330_000)
    } else {
        (client(4), Ipv4Addr::new(192, 168, 1, 10), 400)
    };
    let mut msgs = vec![
        Msg::new(
            true,
            app::rdp_connection_request("jdoe"),
            rng.random_range(20..200),
        ),
        Msg::new(
            false,
            app::rdp_connection_confirm(),
            rng.random_range(200..2000),
        ),
    ];
    let ch = app::tls_client_hello(
        TlsVersion::Tls13,
        None,
        &[],
        app::BROWSER_CIPHER_SUITES,
        rng,
    );
    let sid = ch[44..44 + usize::from(ch[43])].to_vec();
    msgs.push(Msg::new(true, ch, rng.random_range(50..500)));
    let mut s1 = app::tls_server_hello(TlsVersion::Tls13, 0x1302, &sid, rng);
    s1.extend_from_slice(&app::tls_change_cipher_spec());
    s1.extend_from_slice(&app::tls_record(23, &flows::random_bytes(rng, 1800)));
    msgs.push(Msg::new(false, s1, rng.random_range(1000..5000)));
    let mut c2 = app::tls_change_cipher_spec();
    c2.extend_from_slice(&app::tls_record(23, &flows::random_bytes(rng, 53)));
    msgs.push(Msg::new(true, c2, rng.random_range(50..500)));
    // The session: input events up, screen updates down.
    for _ in 0..rng.random_range(8..16) {
        let (b, l) = Body::tls(rng.random(), 16_401, rng.random_range(60..400));
        msgs.push(Msg::new(true, Vec::new(), rng.random_range(300_000..2_500_000)).with_body(b, l));
        let (b, l) = Body::tls(rng.random(), 16_401, rng.random_range(2_000..60_000));
        msgs.push(Msg::new(false, Vec::new(), rng.random_range(2_000..20_000)).with_body(b, l));
    }
    tcp_flow(rng, c, server, 3389, rtt, msgs, ts, "rdp")
}

// ------------------------------------------------------------------------ blocklisted hosts

fn blocked(rng: &mut GenRng, ts: u64, i: u8) -> NewFlow {
    match i {
        0 => {
            let c = client(8);
            let msgs = flows::tls_msgs(rng, c, "cdn-update.example", None, false);
            tcp_flow(
                rng,
                c,
                Ipv4Addr::new(203, 0, 113, 66),
                443,
                70_000,
                msgs,
                ts,
                "blocklisted",
            )
        }
        1 => {
            let c = client(12);
            let url = format!("/gate.php?id={:08x}", rng.random::<u32>());
            let msgs = vec![
                Msg::new(
                    true,
                    app::http_request("GET", "192.0.2.200", &url, "Mozilla/4.0 (compatible)"),
                    rng.random_range(20..200),
                ),
                Msg::new(
                    false,
                    app::http_response(200, "OK", "text/plain", 48),
                    rng.random_range(500..3000),
                ),
            ];
            tcp_flow(
                rng,
                c,
                Ipv4Addr::new(192, 0, 2, 200),
                80,
                60_000,
                msgs,
                ts,
                "blocklisted",
            )
        }
        _ => {
            // Inbound: a listed address knocking on the NAS's SSH.
            let ep = Endpoints {
                c_mac: net::GW_MAC,
                s_mac: net::mac_of(IpAddr::V4(net::NAS_IP4)),
                vlans: Vec::new(),
                c_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 201)),
                s_ip: IpAddr::V4(net::NAS_IP4),
                c_port: rng.random_range(32768..60999),
                s_port: 22,
                c_ttl: 47,
                s_ttl: 64,
                c_flow_label: 0,
                s_flow_label: 0,
            };
            let msgs = vec![
                Msg::new(
                    false,
                    app::ssh_banner("OpenSSH_8.2p1 Ubuntu-4ubuntu0.11"),
                    rng.random_range(300..3000),
                ),
                Msg::new(
                    true,
                    app::ssh_banner("libssh2_1.9.0"),
                    rng.random_range(50..400),
                ),
                Msg::new(true, app::ssh_kexinit(true, rng), rng.random_range(20..200)),
                Msg::new(
                    false,
                    app::ssh_kexinit(false, rng),
                    rng.random_range(50..500),
                ),
            ];
            let p = flows::tcp_params(rng, &Ctx { small: false }, Os::Linux, false, 1460, 80_000);
            let sub = GenRng::new(rng.random());
            NewFlow {
                kind: "blocklisted",
                source: FlowGen::Tcp(Box::new(TcpSession::new(ep, p, msgs, ts, sub))),
                count: 1,
            }
        }
    }
}

// ------------------------------------------------------------------------ mining

fn stratum(rng: &mut GenRng, ts: u64) -> NewFlow {
    let c = client(13);
    let wallet: String = (0..95)
        .map(|i| {
            if i == 0 {
                '4'
            } else {
                b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
                    [rng.random_range(0..58)] as char
            }
        })
        .collect();
    let mut msgs = vec![
        Msg::new(
            true,
            app::stratum_login(&wallet, "XMRig/6.21.0 (Linux x86_64)"),
            rng.random_range(20..200),
        ),
        Msg::new(
            false,
            app::stratum_job(1, rng),
            rng.random_range(1000..8000),
        ),
    ];
    for id in 2..10 {
        msgs.push(Msg::new(
            true,
            app::stratum_submit(id, rng),
            rng.random_range(8_000_000..20_000_000),
        ));
        msgs.push(Msg::new(
            false,
            app::stratum_ok(id),
            rng.random_range(500..3000),
        ));
    }
    tcp_flow(rng, c, MINING_POOL, 3333, 95_000, msgs, ts, "web_mining")
}

// ------------------------------------------------------------------------ TLS certificates

const DAY: u64 = 86_400;

fn bad_cert(rng: &mut GenRng, ts: u64, i: u8) -> NewFlow {
    let now = ts / 1_000_000;
    // (SNI, certificate subject CN, SAN names, self-signed, notBefore, notAfter)
    let (sni, cn, sans, own, nb, na): (&str, &str, &[&str], bool, u64, u64) = match i {
        0 => (
            "admin.example-router.net",
            "admin.example-router.net",
            &["admin.example-router.net"],
            true,
            now - 200 * DAY,
            now + 165 * DAY,
        ),
        1 => (
            "legacy.example.org",
            "legacy.example.org",
            &["legacy.example.org", "www.legacy.example.org"],
            false,
            now - 480 * DAY,
            now - 90 * DAY,
        ),
        2 => (
            "new.example.org",
            "new.example.org",
            &["new.example.org"],
            false,
            now + 60 * DAY,
            now + 300 * DAY,
        ),
        3 => (
            "old-cdn.example.net",
            "old-cdn.example.net",
            &["old-cdn.example.net", "*.old-cdn.example.net"],
            false,
            now - 3 * 365 * DAY,
            now + 2 * 365 * DAY,
        ),
        4 => (
            "bank.example.com",
            "*.hosting.example.net",
            &["*.hosting.example.net", "hosting.example.net"],
            false,
            now - 60 * DAY,
            now + 120 * DAY,
        ),
        _ => (
            "shop.example.com",
            "shop.example.com",
            &["shop.example.com", "*.shop.example.com"],
            false,
            now - 30 * DAY,
            now + 60 * DAY,
        ),
    };
    let (issuer_cn, issuer_o) = if own {
        (cn, "Example Router")
    } else {
        ("Example Issuing CA R3", "Example Trust Services")
    };
    let spec = CertSpec {
        subject_cn: cn,
        subject_o: if own {
            "Example Router"
        } else {
            "Example Hosting"
        },
        issuer_cn,
        issuer_o,
        not_before: nb,
        not_after: na,
        dns_names: sans,
        serial: rng.random(),
    };
    let leaf = certificate(&spec, rng);
    let mut chain = vec![leaf];
    if !own {
        let ca = CertSpec {
            subject_cn: issuer_cn,
            subject_o: issuer_o,
            issuer_cn: "Example Root CA",
            issuer_o: "Example Trust Services",
            not_before: now - 1000 * DAY,
            not_after: now + 1000 * DAY,
            dns_names: &[],
            serial: rng.random(),
        };
        chain.push(certificate(&ca, rng));
    }
    let c = client([1, 2, 5, 6, 7, 11][usize::from(i % 6)]);
    let msgs = tls12_full(rng, sni, &chain);
    let server = Ipv4Addr::new(203, 0, 113, 44 + i);
    tcp_flow(rng, c, server, 443, 45_000, msgs, ts, "bad_tls_certs")
}

/// A full TLS 1.2 ECDHE handshake with a certificate chain, then one request/response.
fn tls12_full(rng: &mut GenRng, sni: &str, chain: &[Vec<u8>]) -> Vec<Msg> {
    let ch = app::tls_client_hello(
        TlsVersion::Tls12,
        Some(sni),
        &["http/1.1"],
        app::LEGACY_CIPHER_SUITES,
        rng,
    );
    let sid = flows::random_bytes(rng, 32);
    let mut s1 = app::tls_server_hello(TlsVersion::Tls12, 0xc02f, &sid, rng);
    s1.extend_from_slice(&app::tls_certificate(chain));
    s1.extend_from_slice(&app::tls_server_key_exchange(rng));
    s1.extend_from_slice(&app::tls_server_hello_done());
    let mut c2 = app::tls_client_key_exchange(rng);
    c2.extend_from_slice(&app::tls_change_cipher_spec());
    c2.extend_from_slice(&app::tls_record(22, &flows::random_bytes(rng, 40)));
    let mut s2 = app::tls_change_cipher_spec();
    s2.extend_from_slice(&app::tls_record(22, &flows::random_bytes(rng, 40)));
    let mut msgs = vec![
        Msg::new(true, ch, rng.random_range(20..200)),
        Msg::new(false, s1, rng.random_range(500..5000)),
        Msg::new(true, c2, rng.random_range(100..800)),
        Msg::new(false, s2, rng.random_range(200..2000)),
    ];
    let (b, l) = Body::tls(rng.random(), 16_408, rng.random_range(200..700));
    msgs.push(Msg::new(true, Vec::new(), rng.random_range(50..500)).with_body(b, l));
    let (b, l) = Body::tls(rng.random(), 16_408, rng.random_range(1_000..30_000));
    msgs.push(Msg::new(false, Vec::new(), rng.random_range(2_000..40_000)).with_body(b, l));
    msgs
}

// ------------------------------------------------------------------------ DNS

const BASE32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";

fn tunnel(rng: &mut GenRng, ts: u64, span_us: u64) -> NewFlow {
    let c = client(17);
    let n = 40u64;
    let step = (span_us / n).max(1);
    let mut d = Datagrams::new(rng);
    for i in 0..n {
        let ep = udp_ep(rng, c, net::GW_IP4, 53, 64);
        let label = |rng: &mut GenRng, len: usize| -> String {
            (0..len)
                .map(|_| BASE32[rng.random_range(0..32)] as char)
                .collect()
        };
        let name = format!("{}.{}.t.exfil-example.net", label(rng, 60), label(rng, 40));
        let t = ts + i * step + rng.random_range(0..step / 4 + 1);
        let id: u16 = rng.random();
        d.send(&ep, true, t, &app::dns_query(id, &name, app::DNS_TYPE_TXT));
        let answer = label(rng, 120);
        let rtt = rng.random_range(20_000..90_000);
        d.send(
            &ep,
            false,
            t + rtt,
            &app::dns_txt_response(id, &name, &answer),
        );
    }
    d.finish("dns_tunnel", n)
}

fn dga(rng: &mut GenRng, ts: u64, span_us: u64) -> NewFlow {
    let c = client(25);
    let n = 30u64;
    let step = (span_us / n).max(1);
    let mut d = Datagrams::new(rng);
    for i in 0..n {
        let ep = udp_ep(rng, c, Ipv4Addr::new(8, 8, 8, 8), 53, 117);
        let len = rng.random_range(12..17);
        let mut name: String = (0..len)
            .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
            .collect();
        name.push_str([".com", ".net", ".biz"][rng.random_range(0..3)]);
        let t = ts + i * step + rng.random_range(0..step / 4 + 1);
        let id: u16 = rng.random();
        d.send(&ep, true, t, &app::dns_query(id, &name, app::DNS_TYPE_A));
        let resp = app::dns_response(id, &name, app::DNS_TYPE_A, &[], app::DNS_RCODE_NXDOMAIN);
        d.send(&ep, false, t + rng.random_range(12_000..30_000), &resp);
    }
    d.finish("dga_nxdomain", n)
}

fn malformed_dns(rng: &mut GenRng, ts: u64) -> NewFlow {
    let c = client(26);
    let mut d = Datagrams::new(rng);
    let ep = udp_ep(rng, c, net::GW_IP4, 53, 64);
    let id: u16 = rng.random();
    let name = "bad name!.example.com";
    d.send(&ep, true, ts, &app::dns_query(id, name, app::DNS_TYPE_A));
    let resp = app::dns_response(id, name, app::DNS_TYPE_A, &[], app::DNS_RCODE_NXDOMAIN);
    d.send(&ep, false, ts + 700, &resp);
    // Not DNS at all: a bad header (opcode 15) followed by binary data.
    let ep2 = udp_ep(rng, c, net::GW_IP4, 53, 64);
    let mut junk = vec![0x13, 0x37, 0x78, 0x00];
    junk.extend_from_slice(&flows::random_bytes(rng, 60));
    d.send(&ep2, true, ts + 2_000_000, &junk);
    d.finish("malformed_dns", 2)
}

// ------------------------------------------------------------------------ DHCP

fn dhcp(rng: &mut GenRng, ts: u64) -> NewFlow {
    const BCAST_MAC: [u8; 6] = [0xff; 6];
    const ROGUE_MAC: [u8; 6] = [0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0xfa];
    let rogue = Ipv4Addr::new(192, 168, 1, 250);
    let zero = Ipv4Addr::UNSPECIFIED;
    let bcast = Ipv4Addr::BROADCAST;
    let ep = |c_mac: [u8; 6], c_ip: Ipv4Addr, c_port: u16, s_port: u16| Endpoints {
        c_mac,
        s_mac: BCAST_MAC,
        vlans: Vec::new(),
        c_ip: IpAddr::V4(c_ip),
        s_ip: IpAddr::V4(bcast),
        c_port,
        s_port,
        c_ttl: if c_ip == zero { 128 } else { 64 },
        s_ttl: 64,
        c_flow_label: 0,
        s_flow_label: 0,
    };
    let mut d = Datagrams::new(rng);
    // (client, server answering first, offered address, delay of the exchange)
    let exchanges = [
        (client(5), net::GW_IP4, net::GW_MAC, [192, 168, 1, 25], 0u64),
        (client(9), rogue, ROGUE_MAC, [192, 168, 1, 201], 60_000_000),
    ];
    for (c, server, s_mac, yiaddr, delay) in exchanges {
        let t = ts + delay;
        let xid: u32 = rng.random();
        let base = app::Dhcp {
            msg_type: app::DHCP_DISCOVER,
            xid,
            chaddr: c.mac,
            yiaddr: [0; 4],
            server: server.octets(),
            router: server.octets(),
            hostname: Some(&c.name),
        };
        let cli = ep(c.mac, zero, 68, 67);
        let srv = ep(s_mac, server, 67, 68);
        d.send(&cli, true, t, &app::dhcp_message(&base));
        let offer = app::Dhcp {
            msg_type: app::DHCP_OFFER,
            yiaddr,
            ..base.clone()
        };
        d.send(&srv, true, t + 1_200, &app::dhcp_message(&offer));
        if server == rogue {
            // The router's offer comes later and is ignored by the client.
            let late = app::Dhcp {
                msg_type: app::DHCP_OFFER,
                yiaddr: [192, 168, 1, 29],
                server: net::GW_IP4.octets(),
                router: net::GW_IP4.octets(),
                ..base.clone()
            };
            let gw = ep(net::GW_MAC, net::GW_IP4, 67, 68);
            d.send(&gw, true, t + 2_500, &app::dhcp_message(&late));
        }
        let req = app::Dhcp {
            msg_type: app::DHCP_REQUEST,
            yiaddr,
            ..base.clone()
        };
        d.send(&cli, true, t + 5_000, &app::dhcp_message(&req));
        let ack = app::Dhcp {
            msg_type: app::DHCP_ACK,
            yiaddr,
            ..base.clone()
        };
        d.send(&srv, true, t + 6_300, &app::dhcp_message(&ack));
    }
    d.finish("rogue_dhcp", 3)
}

// ------------------------------------------------------------------------ NTP, SMTP

fn rogue_ntp(rng: &mut GenRng, ts: u64) -> NewFlow {
    let c = client(14);
    let ep = udp_ep(rng, c, Ipv4Addr::new(203, 0, 113, 123), 123, 51);
    let mut d = Datagrams::new(rng);
    let mut t = ts;
    for _ in 0..4 {
        let rtt = rng.random_range(60_000..80_000);
        d.send(&ep, true, t, &app::ntp_client(t));
        let rx = t + rtt / 2;
        let resp = app::ntp_server(t, rx, rx + 20, 2, [203, 0, 113, 1]);
        d.send(&ep, false, t + rtt + 40, &resp);
        t += 16_000_000 + rng.random_range(0..50_000);
    }
    d.finish("rogue_ntp", 1)
}

fn rogue_smtp(rng: &mut GenRng, ts: u64, i: u8) -> NewFlow {
    let c = client(16);
    let (server, host) = if i == 0 {
        (Ipv4Addr::new(203, 0, 113, 25), "mx1.example-mail.org")
    } else {
        (Ipv4Addr::new(192, 0, 2, 165), "mx.example-shop.net")
    };
    let mut msgs = vec![
        Msg::new(false, app::smtp_banner(host), rng.random_range(500..5000)),
        Msg::new(
            true,
            app::smtp_ehlo("localhost"),
            rng.random_range(100..800),
        ),
        Msg::new(
            false,
            app::smtp_ehlo_reply(host),
            rng.random_range(100..800),
        ),
    ];
    let to = format!(
        "customer{}@{}",
        rng.random_range(100..999),
        &host[host.find('.').map_or(0, |p| p + 1)..]
    );
    for (cm, sm) in app::smtp_transaction("billing@example-invoices.biz", &to, "Your invoice", 40) {
        msgs.push(Msg::new(true, cm, rng.random_range(50..500)));
        msgs.push(Msg::new(false, sm, rng.random_range(200..5000)));
    }
    tcp_flow(rng, c, server, 25, 80_000, msgs, ts, "rogue_smtp")
}
