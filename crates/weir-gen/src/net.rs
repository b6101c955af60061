//! The simulated network: local clients, local servers, remote sites and their addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use crate::rng::splitmix64;

/// Operating system of a local client: drives TTL, ports, TCP options and User-Agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Os {
    Windows,
    Linux,
    Mac,
    Ios,
    Android,
}

impl Os {
    pub fn ttl(self) -> u8 {
        match self {
            Os::Windows => 128,
            _ => 64,
        }
    }

    pub fn ephemeral(self) -> (u16, u16) {
        match self {
            Os::Linux | Os::Android => (32768, 60999),
            _ => (49152, 65535),
        }
    }

    pub fn user_agents(self) -> &'static [&'static str] {
        match self {
            Os::Windows => &[
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Microsoft-CryptoAPI/10.0",
                "Microsoft BITS/7.8",
            ],
            Os::Linux => &[
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "curl/8.5.0",
                "Wget/1.21.4",
                "Debian APT-HTTP/1.3 (2.7.14)",
                "python-requests/2.32.3",
            ],
            Os::Mac => &[
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            ],
            Os::Ios => &[
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            ],
            Os::Android => &[
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "okhttp/4.12.0",
            ],
        }
    }
}

/// A local client host.
#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub ip4: Ipv4Addr,
    pub ip6: Option<Ipv6Addr>,
    pub mac: [u8; 6],
    pub os: Os,
    pub vlan: Option<u16>,
    pub name: String,
}

/// Number of local clients.
pub(crate) const N_CLIENTS: usize = 40;
/// Index of the heavy-hitter client (192.168.1.42).
pub(crate) const HEAVY_HITTER: usize = 22;

/// The local clients: 192.168.1.20 ..= 192.168.1.59, some with fd00:1::/64 addresses, the
/// last ten on VLANs 10 and 20.
pub(crate) fn clients() -> &'static [Client] {
    static CLIENTS: OnceLock<Vec<Client>> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        const PATTERN: [Os; 8] = [
            Os::Windows,
            Os::Windows,
            Os::Linux,
            Os::Mac,
            Os::Windows,
            Os::Ios,
            Os::Android,
            Os::Mac,
        ];
        (0..N_CLIENTS)
            .map(|i| {
                let os = if i == HEAVY_HITTER {
                    Os::Linux
                } else {
                    PATTERN[i % PATTERN.len()]
                };
                let oui: [u8; 3] = match os {
                    Os::Windows => [0x3c, 0x52, 0x82],
                    Os::Linux => [0xdc, 0xa6, 0x32],
                    Os::Mac => [0xa4, 0x83, 0xe7],
                    Os::Ios => [0xf0, 0x18, 0x98],
                    Os::Android => [0x8c, 0xf5, 0xa3],
                };
                let mut st = 0x636c_6965_6e74 + i as u64;
                let r = splitmix64(&mut st);
                let mac = [
                    oui[0],
                    oui[1],
                    oui[2],
                    (r >> 8) as u8,
                    (r >> 16) as u8,
                    0x10 + i as u8,
                ];
                let ip6 = (os != Os::Windows || i % 3 == 0).then(|| {
                    let iid = splitmix64(&mut st);
                    Ipv6Addr::new(
                        0xfd00,
                        1,
                        0,
                        0,
                        (iid >> 48) as u16,
                        (iid >> 32) as u16,
                        (iid >> 16) as u16,
                        iid as u16,
                    )
                });
                let vlan = match i {
                    30..35 => Some(10),
                    35..40 => Some(20),
                    _ => None,
                };
                let name = match os {
                    Os::Windows => format!("DESKTOP-{:04X}", r as u16),
                    Os::Linux => format!("linux-{i}"),
                    Os::Mac => format!("MacBook-{i}"),
                    Os::Ios => format!("iPhone-{i}"),
                    Os::Android => format!("android-{:x}", r as u16),
                };
                Client {
                    ip4: Ipv4Addr::new(192, 168, 1, 20 + i as u8),
                    ip6,
                    mac,
                    os,
                    vlan,
                    name,
                }
            })
            .collect()
    })
}

/// Router, local DNS resolver and NTP server: 192.168.1.1 / fd00:1::1.
pub(crate) const GW_IP4: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);
pub(crate) const GW_IP6: Ipv6Addr = Ipv6Addr::new(0xfd00, 1, 0, 0, 0, 0, 0, 1);
pub(crate) const GW_MAC: [u8; 6] = [0x00, 0x0d, 0xb9, 0x4a, 0x11, 0x01];
/// Local NAS (web UI, SSH, SMB): 192.168.1.5.
pub(crate) const NAS_IP4: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 5);
pub(crate) const NAS_MAC: [u8; 6] = [0x00, 0x11, 0x32, 0x5a, 0x0b, 0x05];
/// Local printer: 192.168.1.7.
pub(crate) const PRINTER_IP4: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 7);
pub(crate) const PRINTER_MAC: [u8; 6] = [0x00, 0x80, 0x77, 0x12, 0x34, 0x07];
/// The port-scanning local host: 192.168.1.66.
pub(crate) const SCANNER_IP4: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 66);
pub(crate) const SCANNER_MAC: [u8; 6] = [0xb8, 0x27, 0xeb, 0x66, 0x06, 0x66];
/// The SYN flood's source: 203.0.113.250.
pub(crate) const ATTACKER_IP4: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 250);

/// MAC address of a local IPv4 address, or the router's for remote ones.
pub(crate) fn mac_of(ip: IpAddr) -> [u8; 6] {
    match ip {
        IpAddr::V4(a) if a == NAS_IP4 => NAS_MAC,
        IpAddr::V4(a) if a == PRINTER_IP4 => PRINTER_MAC,
        IpAddr::V4(a) if a == SCANNER_IP4 => SCANNER_MAC,
        IpAddr::V4(a) if a.octets()[..3] == [192, 168, 1] && a.octets()[3] != 1 => clients()
            .iter()
            .find(|c| c.ip4 == a)
            .map_or(GW_MAC, |c| c.mac),
        _ => GW_MAC,
    }
}

/// A remote (or local) server reachable by name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Site {
    pub name: &'static str,
    pub v4: [u8; 4],
    pub v6: Option<[u16; 8]>,
    /// Round-trip time in milliseconds (fractional ms allowed via `rtt_us`).
    pub rtt_us: u32,
    /// TTL of its packets as seen locally.
    pub ttl: u8,
    /// MSS it announces.
    pub mss: u16,
    /// HTTP `Server` header.
    pub server: &'static str,
    /// DNS CNAME target, if its name is an alias.
    pub cname: Option<&'static str>,
}

impl Site {
    pub fn ip4(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.v4)
    }

    pub fn ip6(&self) -> Option<Ipv6Addr> {
        self.v6
            .map(|s| Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]))
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) const fn site(
    name: &'static str,
    v4: [u8; 4],
    v6: Option<[u16; 8]>,
    rtt_us: u32,
    ttl: u8,
    mss: u16,
    server: &'static str,
    cname: Option<&'static str>,
) -> Site {
    Site {
        name,
        v4,
        v6,
        rtt_us,
        ttl,
        mss,
        server,
        cname,
    }
}

/// Sites reached over TLS on port 443.
pub(crate) const TLS_SITES: &[Site] = &[
    site(
        "www.google.com",
        [142, 250, 185, 68],
        Some([0x2a00, 0x1450, 0x4001, 0x82f, 0, 0, 0, 0x2004]),
        9_000,
        117,
        1412,
        "gws",
        None,
    ),
    site(
        "www.youtube.com",
        [142, 250, 186, 78],
        Some([0x2a00, 0x1450, 0x4001, 0x830, 0, 0, 0, 0x200e]),
        9_500,
        117,
        1412,
        "ESF",
        Some("youtube-ui.l.google.com"),
    ),
    site(
        "i.ytimg.com",
        [142, 250, 186, 118],
        Some([0x2a00, 0x1450, 0x4001, 0x82b, 0, 0, 0, 0x2016]),
        9_200,
        117,
        1412,
        "sffe",
        None,
    ),
    site(
        "fonts.googleapis.com",
        [142, 250, 185, 74],
        Some([0x2a00, 0x1450, 0x4001, 0x828, 0, 0, 0, 0x200a]),
        8_800,
        117,
        1412,
        "ESF",
        None,
    ),
    site(
        "www.facebook.com",
        [157, 240, 20, 35],
        Some([0x2a03, 0x2880, 0xf12f, 0x83, 0xface, 0xb00c, 0, 0x25de]),
        14_000,
        56,
        1400,
        "proxygen-bolt",
        Some("star-mini.c10r.facebook.com"),
    ),
    site(
        "github.com",
        [140, 82, 121, 4],
        None,
        31_000,
        51,
        1436,
        "GitHub.com",
        None,
    ),
    site(
        "api.github.com",
        [140, 82, 121, 6],
        None,
        31_500,
        51,
        1436,
        "GitHub.com",
        None,
    ),
    site(
        "www.wikipedia.org",
        [185, 15, 58, 224],
        Some([0x2a02, 0xec80, 0x600, 0xed1a, 0, 0, 0, 1]),
        22_000,
        54,
        1460,
        "ATS/9.2.6",
        Some("dyna.wikimedia.org"),
    ),
    site(
        "www.cloudflare.com",
        [104, 16, 124, 96],
        Some([0x2606, 0x4700, 0, 0, 0, 0, 0x6810, 0x7c60]),
        6_500,
        58,
        1460,
        "cloudflare",
        None,
    ),
    site(
        "login.microsoftonline.com",
        [20, 190, 160, 14],
        None,
        27_000,
        110,
        1440,
        "Microsoft-IIS/10.0",
        None,
    ),
    site(
        "www.netflix.com",
        [52, 19, 118, 208],
        None,
        35_000,
        232,
        1460,
        "envoy",
        None,
    ),
    site(
        "weir.example.org",
        [192, 0, 2, 10],
        Some([0x2001, 0xdb8, 0x10, 0, 0, 0, 0, 0x10]),
        48_000,
        52,
        1460,
        "nginx/1.26.2",
        None,
    ),
    site(
        "api.example.com",
        [203, 0, 113, 10],
        Some([0x2001, 0xdb8, 0x20, 0, 0, 0, 0, 0x10]),
        62_000,
        50,
        1460,
        "nginx",
        None,
    ),
    site(
        "cdn.example.net",
        [198, 51, 100, 30],
        Some([0x2001, 0xdb8, 0x30, 0, 0, 0, 0, 0x30]),
        12_000,
        57,
        1460,
        "cdn-edge",
        Some("edge-7.cdn.example.net"),
    ),
    site(
        "portal.corp.example",
        [198, 51, 100, 80],
        None,
        75_000,
        118,
        1380,
        "Microsoft-IIS/10.0",
        None,
    ),
    site(
        "telemetry.example.io",
        [192, 0, 2, 77],
        None,
        95_000,
        47,
        1460,
        "Caddy",
        None,
    ),
];

/// The heavy hitter's upload target (TLS).
pub(crate) const BACKUP_SITE: Site = site(
    "sync.example-cloud.net",
    [203, 0, 113, 50],
    None,
    41_000,
    49,
    1460,
    "nginx",
    None,
);

/// Sites reached over plain HTTP (port 80 unless the name says otherwise).
pub(crate) const HTTP_SITES: &[Site] = &[
    site(
        "example.com",
        [192, 0, 2, 80],
        Some([0x2001, 0xdb8, 0x80, 0, 0, 0, 0, 0x80]),
        55_000,
        53,
        1460,
        "ECAcc (dcd/7D5A)",
        None,
    ),
    site(
        "neverssl.com",
        [34, 223, 124, 45],
        None,
        88_000,
        233,
        1460,
        "Apache/2.4.62",
        None,
    ),
    site(
        "connectivitycheck.gstatic.com",
        [142, 250, 185, 99],
        Some([0x2a00, 0x1450, 0x4001, 0x80b, 0, 0, 0, 0x2003]),
        9_000,
        117,
        1412,
        "gws",
        None,
    ),
    site(
        "detectportal.firefox.com",
        [34, 107, 221, 82],
        None,
        18_000,
        121,
        1460,
        "nginx",
        None,
    ),
    site(
        "archive.ubuntu.com",
        [185, 125, 190, 36],
        Some([0x2620, 0x2d, 0x4000, 1, 0, 0, 0, 0x101]),
        24_000,
        55,
        1460,
        "Apache/2.4.58 (Ubuntu)",
        None,
    ),
    site(
        "news.example.net",
        [198, 51, 100, 44],
        None,
        33_000,
        54,
        1460,
        "nginx/1.24.0",
        None,
    ),
    site(
        "update.example.org",
        [192, 0, 2, 88],
        None,
        70_000,
        50,
        1460,
        "Jetty(9.4.53)",
        None,
    ),
    site(
        "nas.home.arpa",
        [192, 168, 1, 5],
        None,
        400,
        64,
        1460,
        "nginx",
        None,
    ),
];

/// Sites serving `.exe` downloads over plain HTTP.
pub(crate) const EXE_SITES: &[Site] = &[
    site(
        "download.example-soft.com",
        [198, 51, 100, 23],
        None,
        66_000,
        52,
        1460,
        "Apache/2.4.41 (Ubuntu)",
        None,
    ),
    site(
        "files.example.net",
        [203, 0, 113, 23],
        None,
        120_000,
        45,
        1460,
        "nginx/1.18.0",
        None,
    ),
    site(
        "dl.freeware.example",
        [192, 0, 2, 150],
        None,
        95_000,
        48,
        1460,
        "LiteSpeed",
        None,
    ),
];

/// DNS resolvers: (IPv4, IPv6, RTT in µs, TTL seen locally).
pub(crate) const RESOLVERS: &[(Ipv4Addr, Option<Ipv6Addr>, u32, u8)] = &[
    (GW_IP4, Some(GW_IP6), 600, 64),
    (
        Ipv4Addr::new(8, 8, 8, 8),
        Some(Ipv6Addr::new(0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888)),
        11_000,
        117,
    ),
    (
        Ipv4Addr::new(1, 1, 1, 1),
        Some(Ipv6Addr::new(0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111)),
        7_000,
        58,
    ),
    (Ipv4Addr::new(9, 9, 9, 9), None, 13_000, 56),
];

/// NTP servers: (IPv4, stratum, reference id, RTT µs, TTL).
pub(crate) const NTP_SERVERS: &[(Ipv4Addr, u8, [u8; 4], u32, u8)] = &[
    (GW_IP4, 3, [162, 159, 200, 123], 500, 64),
    (
        Ipv4Addr::new(162, 159, 200, 123),
        3,
        [10, 21, 8, 4],
        8_000,
        58,
    ),
    (Ipv4Addr::new(216, 239, 35, 0), 1, *b"GOOG", 10_000, 117),
    (Ipv4Addr::new(192, 0, 2, 123), 2, [192, 0, 2, 1], 40_000, 52),
    (Ipv4Addr::new(198, 51, 100, 123), 1, *b"GPS\0", 52_000, 50),
];

/// SSH servers: (IPv4, software banner, RTT µs, TTL).
pub(crate) const SSH_SERVERS: &[(Ipv4Addr, &str, u32, u8)] = &[
    (NAS_IP4, "OpenSSH_8.2p1 Ubuntu-4ubuntu0.11", 400, 64),
    (
        Ipv4Addr::new(198, 51, 100, 22),
        "OpenSSH_9.6p1 Ubuntu-3ubuntu13.5",
        38_000,
        53,
    ),
    (
        Ipv4Addr::new(203, 0, 113, 22),
        "OpenSSH_9.2p1 Debian-2+deb12u3",
        57_000,
        49,
    ),
];

/// Names that do not exist (NXDOMAIN answers).
pub(crate) const NX_NAMES: &[&str] = &[
    "wpad.home.arpa",
    "printer.local.example",
    "_ldap._tcp.dc._msdcs.corp.example",
    "gooogle-analytics.example",
    "isatap.home.arpa",
    "cdn.old-vendor.example",
];
