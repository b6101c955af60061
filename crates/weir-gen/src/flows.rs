//! Flow kinds: each builder turns a flow's RNG and start time into a lazy packet source.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rand::Rng;

use crate::app::{self, TlsVersion};
use crate::frame::{self, ACK, FrameSpec, IpSpec, L4Spec, RST, SYN, TcpSpec};
use crate::net::{self, Client, Os, Site};
use crate::rng::GenRng;
use crate::tcp::{Body, Close, Endpoints, Msg, TcpParams, TcpSession};

/// A source of packets in time order.
#[derive(Debug)]
pub(crate) enum FlowGen {
    Tcp(Box<TcpSession>),
    List(VecDeque<(u64, Vec<u8>)>),
    SynFlood(Box<SynFlood>),
    PortScan(Box<PortScan>),
}

impl FlowGen {
    pub fn peek_ts(&mut self) -> Option<u64> {
        match self {
            FlowGen::Tcp(t) => t.peek_ts(),
            FlowGen::List(l) => l.front().map(|p| p.0),
            FlowGen::SynFlood(s) => s.peek_ts(),
            FlowGen::PortScan(p) => p.peek_ts(),
        }
    }

    /// Writes the next frame into `out`; returns its timestamp.
    pub fn emit(&mut self, out: &mut Vec<u8>, scratch: &mut Vec<u8>) -> u64 {
        match self {
            FlowGen::Tcp(t) => t.emit(out, scratch),
            FlowGen::List(l) => {
                let (ts, f) = l.pop_front().expect("emit on an empty flow");
                out.clear();
                out.extend_from_slice(&f);
                ts
            }
            FlowGen::SynFlood(s) => s.emit(out),
            FlowGen::PortScan(p) => p.emit(out),
        }
    }
}

/// A new flow: its kind label, packet source and how many 5-tuple flows it holds.
pub(crate) struct NewFlow {
    pub kind: &'static str,
    pub source: FlowGen,
    pub count: u64,
}

// ------------------------------------------------------------------------ helpers

fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Log-uniform integer in [lo, hi].
pub(crate) fn log_uniform<R: Rng + ?Sized>(rng: &mut R, lo: u64, hi: u64) -> u64 {
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    (rng.random_range(a..=b).exp() as u64).clamp(lo, hi)
}

/// Heavy-tailed transfer size: mostly small, sometimes large, rarely huge.
fn transfer_size<R: Rng + ?Sized>(rng: &mut R) -> u64 {
    let u: f64 = rng.random();
    if u < 0.85 {
        log_uniform(rng, 300, 16_000)
    } else if u < 0.99 {
        log_uniform(rng, 16_000, 200_000)
    } else {
        log_uniform(rng, 200_000, 4_000_000)
    }
}

fn pick_client<R: Rng + ?Sized>(rng: &mut R) -> &'static Client {
    let cs = net::clients();
    // Some hosts are much busier than others.
    let u: f64 = rng.random();
    &cs[((u.powf(1.6)) * cs.len() as f64) as usize % cs.len()]
}

pub(crate) fn ephemeral<R: Rng + ?Sized>(rng: &mut R, os: Os) -> u16 {
    let (lo, hi) = os.ephemeral();
    rng.random_range(lo..=hi)
}

fn words<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    const W: &[&str] = &[
        "alpha", "cloud", "media", "photo", "music", "store", "travel", "market", "social",
        "search", "metro", "pixel", "stream", "green", "river", "north", "report", "update",
        "summer", "garden",
    ];
    W[rng.random_range(0..W.len())]
}

pub(crate) struct Ctx {
    pub small: bool,
}

/// Endpoints of a flow from `client` to `s_ip` (`s_port`), v4 or v6 according to `s_ip`.
pub(crate) fn endpoints<R: Rng + ?Sized>(
    rng: &mut R,
    client: &Client,
    s_ip: IpAddr,
    s_port: u16,
    s_ttl: u8,
    c_port: u16,
) -> Endpoints {
    let c_ip = match s_ip {
        IpAddr::V4(_) => IpAddr::V4(client.ip4),
        IpAddr::V6(_) => IpAddr::V6(client.ip6.expect("v6 flow from a v4-only client")),
    };
    Endpoints {
        c_mac: client.mac,
        s_mac: net::mac_of(s_ip),
        vlans: client.vlan.into_iter().collect(),
        c_ip,
        s_ip,
        c_port,
        s_port,
        c_ttl: client.os.ttl(),
        s_ttl,
        c_flow_label: rng.random::<u32>() & 0xfffff,
        s_flow_label: rng.random::<u32>() & 0xfffff,
    }
}

/// TCP parameters for `client` talking to a server announcing `s_mss`.
pub(crate) fn tcp_params<R: Rng + ?Sized>(
    rng: &mut R,
    ctx: &Ctx,
    os: Os,
    v6: bool,
    s_mss: u16,
    rtt_us: u64,
) -> TcpParams {
    let jitter = rng.random_range(0.85..1.3);
    let rtt_us = ((rtt_us as f64 * jitter) as u64).max(150);
    let u: f64 = rng.random();
    let close = if u < 0.62 {
        Close::Fin { by_client: true }
    } else if u < 0.94 {
        Close::Fin { by_client: false }
    } else if u < 0.98 {
        Close::Rst { by_client: true }
    } else {
        Close::Rst { by_client: false }
    };
    let v6_less = if v6 { 20 } else { 0 };
    if ctx.small {
        return TcpParams {
            mss_c: 1460,
            mss_s: 1460,
            wscale: None,
            sack: false,
            timestamps: false,
            c_syn_window: 65535,
            s_syn_window: 65535,
            c_window: 65535,
            s_window: 65535,
            rtt_us,
            bytes_per_ms: 12_500,
            loss_prob: 0.0,
            reorder_prob: 0.0,
            close: match close {
                Close::Rst { .. } => close,
                _ => Close::Fin { by_client: true },
            },
            close_after_us: rng.random_range(200..50_000),
            fixed_seg: Some(10),
            no_options: true,
            pad_to: 64,
            cwnd_max: 32,
        };
    }
    let (ws_c, ts, syn_win) = match os {
        Os::Windows => (8, false, 64240),
        Os::Linux | Os::Android => (7, true, 64240),
        Os::Mac | Os::Ios => (6, true, 65535),
    };
    let ws_s = *pick(rng, &[7u8, 8, 9, 10]);
    let rates = [6_250u64, 12_500, 37_500, 125_000];
    TcpParams {
        mss_c: 1460 - v6_less,
        mss_s: s_mss - v6_less,
        wscale: Some((ws_c, ws_s)),
        sack: true,
        timestamps: ts,
        c_syn_window: syn_win,
        s_syn_window: 65160,
        c_window: 262_144,
        s_window: 1 << 18,
        rtt_us,
        bytes_per_ms: *pick(rng, &rates),
        loss_prob: 0.01,
        reorder_prob: if rng.random_bool(0.05) { 0.05 } else { 0.0 },
        close,
        close_after_us: log_uniform(rng, 2_000, 3_000_000),
        fixed_seg: None,
        no_options: false,
        pad_to: frame::MIN_FRAME_LEN,
        cwnd_max: 32,
    }
}

pub(crate) fn random_bytes<R: Rng + ?Sized>(rng: &mut R, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

fn server_ip<R: Rng + ?Sized>(rng: &mut R, client: &Client, site: &Site, v6_share: f64) -> IpAddr {
    match (client.ip6, site.ip6()) {
        (Some(_), Some(a)) if rng.random_bool(v6_share) => IpAddr::V6(a),
        _ => IpAddr::V4(site.ip4()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn session(
    rng: &mut GenRng,
    ctx: &Ctx,
    client: &Client,
    s_ip: IpAddr,
    s_port: u16,
    s_ttl: u8,
    s_mss: u16,
    rtt_us: u64,
    msgs: Vec<Msg>,
    start: u64,
) -> FlowGen {
    let c_port = ephemeral(rng, client.os);
    let mut ep = endpoints(rng, client, s_ip, s_port, s_ttl, c_port);
    if ctx.small {
        ep.vlans.clear();
    }
    let p = tcp_params(rng, ctx, client.os, ep.is_v6(), s_mss, rtt_us);
    let sub = GenRng::new(rng.random());
    FlowGen::Tcp(Box::new(TcpSession::new(ep, p, msgs, start, sub)))
}

// ------------------------------------------------------------------------ HTTP

struct HttpObject {
    url: String,
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    extra: Vec<String>,
    /// Body bytes given explicitly (before the generated part).
    prefix: Vec<u8>,
    body: Body,
    /// Total body length (prefix included).
    body_len: u64,
}

fn json_body<R: Rng + ?Sized>(rng: &mut R, target: usize) -> Vec<u8> {
    let mut s = String::with_capacity(target + 64);
    let _ = write!(s, "{{\"page\":{},\"items\":[", rng.random_range(1..20));
    let mut i = 0;
    while s.len() < target {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"id\":{},\"name\":\"{}\",\"score\":{}.{}}}",
            rng.random_range(1000..99999),
            words(rng),
            rng.random_range(0..100),
            rng.random_range(0..10)
        );
        i += 1;
    }
    s.push_str("]}");
    s.into_bytes()
}

fn html_body(title: &str, text_len: u64, salt: u64) -> (Vec<u8>, Body, u64) {
    let prefix = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n"
    )
    .into_bytes();
    let len = prefix.len() as u64 + text_len;
    (prefix, Body::Text { salt }, len)
}

fn http_object<R: Rng + ?Sized>(rng: &mut R, site: &Site, exe: bool) -> HttpObject {
    let salt: u64 = rng.random();
    let mut obj = HttpObject {
        url: String::new(),
        status: 200,
        reason: "OK",
        content_type: "text/html; charset=utf-8",
        extra: Vec::new(),
        prefix: Vec::new(),
        body: Body::None,
        body_len: 0,
    };
    if exe {
        let name = *pick(
            rng,
            &[
                "setup",
                "installer",
                "update",
                "driver",
                "player",
                "tool",
                "client",
                "patch",
            ],
        );
        obj.url = format!(
            "/downloads/{}-{name}-{}.{}.{}.exe",
            words(rng),
            rng.random_range(1..9),
            rng.random_range(0..20),
            rng.random_range(0..100)
        );
        obj.content_type = if rng.random_bool(0.5) {
            "application/x-msdownload"
        } else {
            "application/octet-stream"
        };
        obj.prefix = app::pe_header();
        obj.body = Body::Binary { salt };
        obj.body_len = log_uniform(rng, 150_000, 2_500_000);
        obj.extra.push(format!(
            "Content-Disposition: attachment; filename=\"{}\"",
            obj.url.rsplit('/').next().unwrap_or("setup.exe")
        ));
        return obj;
    }
    match site.name {
        "connectivitycheck.gstatic.com" => {
            obj.url = "/generate_204".into();
            obj.status = 204;
            obj.reason = "No Content";
            obj.content_type = "";
            return obj;
        }
        "detectportal.firefox.com" => {
            obj.url = "/canonical.html".into();
            obj.prefix = b"<meta http-equiv=\"refresh\" content=\"0;url=https://support.mozilla.org/kb/captive-portal\"/>".to_vec();
            obj.body_len = obj.prefix.len() as u64;
            obj.content_type = "text/html";
            return obj;
        }
        "archive.ubuntu.com" => {
            if rng.random_bool(0.4) {
                obj.url = "/ubuntu/dists/noble-updates/InRelease".into();
                obj.content_type = "text/plain";
                obj.body = Body::Text { salt };
                obj.body_len = log_uniform(rng, 20_000, 130_000);
            } else {
                let w = words(rng);
                obj.url = format!(
                    "/ubuntu/pool/main/{}/{w}/lib{w}{}_1.{}-{}_amd64.deb",
                    &w[..1],
                    rng.random_range(0..9),
                    rng.random_range(0..40),
                    rng.random_range(1..9)
                );
                obj.content_type = "application/vnd.debian.binary-package";
                obj.body = Body::Binary { salt };
                obj.body_len = log_uniform(rng, 20_000, 1_500_000);
            }
            return obj;
        }
        _ => {}
    }
    let u: f64 = rng.random();
    if u < 0.04 {
        obj.url = format!("/{}/{}", words(rng), words(rng));
        obj.status = 404;
        obj.reason = "Not Found";
        obj.prefix = b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n".to_vec();
        obj.body_len = obj.prefix.len() as u64;
        obj.content_type = "text/html";
        return obj;
    }
    if u < 0.07 {
        obj.url = format!("/{}", words(rng));
        obj.status = 301;
        obj.reason = "Moved Permanently";
        obj.extra
            .push(format!("Location: https://{}{}/", site.name, obj.url));
        obj.prefix = b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 Moved Permanently</h1></center>\r\n</body>\r\n</html>\r\n".to_vec();
        obj.body_len = obj.prefix.len() as u64;
        obj.content_type = "text/html";
        return obj;
    }
    if u < 0.12 {
        obj.url = format!("/static/css/site.{:08x}.css", rng.random::<u32>());
        obj.status = 304;
        obj.reason = "Not Modified";
        obj.content_type = "";
        obj.extra
            .push(format!("ETag: \"{:x}\"", rng.random::<u64>()));
        return obj;
    }
    match rng.random_range(0..7) {
        0 => {
            obj.url = "/".into();
            let (p, b, l) = html_body(site.name, transfer_size(rng), salt);
            (obj.prefix, obj.body, obj.body_len) = (p, b, l);
        }
        1 => {
            obj.url = format!("/{}/{}.html", words(rng), rng.random_range(1..5000));
            obj.content_type = "text/html";
            let (p, b, l) = html_body(words(rng), transfer_size(rng), salt);
            (obj.prefix, obj.body, obj.body_len) = (p, b, l);
        }
        2 => {
            obj.url = format!("/static/js/app.{:08x}.js", rng.random::<u32>());
            obj.content_type = "application/javascript";
            obj.body = Body::Text { salt };
            obj.body_len = transfer_size(rng) + 2000;
        }
        3 => {
            obj.url = format!("/static/css/site.{:08x}.css", rng.random::<u32>());
            obj.content_type = "text/css";
            obj.body = Body::Text { salt };
            obj.body_len = transfer_size(rng) / 2 + 500;
        }
        4 | 5 => {
            obj.url = format!(
                "/img/{}/{}.webp",
                words(rng),
                rng.random_range(100..999_999)
            );
            obj.content_type = "image/webp";
            obj.body = Body::Binary { salt };
            obj.body_len = transfer_size(rng) + 1000;
            obj.extra.push("Cache-Control: max-age=86400".into());
        }
        _ => {
            obj.url = format!("/api/v1/{}?id={}", words(rng), rng.random_range(1..100_000));
            obj.content_type = "application/json";
            let target = log_uniform(rng, 60, 6000) as usize;
            obj.prefix = json_body(rng, target);
            obj.body_len = obj.prefix.len() as u64;
        }
    }
    obj
}

pub(crate) fn http_msgs(
    rng: &mut GenRng,
    client: &Client,
    site: &Site,
    host_hdr: &str,
    exe: bool,
    n_req: usize,
) -> Vec<Msg> {
    let ua = *pick(rng, client.os.user_agents());
    let mut msgs = Vec::with_capacity(2 * n_req);
    for i in 0..n_req {
        let obj = http_object(rng, site, exe && i + 1 == n_req);
        let think_c = if i == 0 {
            rng.random_range(20..300)
        } else {
            log_uniform(rng, 500, 800_000)
        };
        let req = if rng.random_bool(0.04) && !exe {
            let target = rng.random_range(40..400);
            let body = json_body(rng, target);
            let mut h = format!(
                "POST /api/v1/events HTTP/1.1\r\nHost: {host_hdr}\r\nUser-Agent: {ua}\r\n\
                 Accept: */*\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: keep-alive\r\n\r\n",
                body.len()
            )
            .into_bytes();
            h.extend_from_slice(&body);
            h
        } else {
            app::http_request("GET", host_hdr, &obj.url, ua)
        };
        msgs.push(Msg::new(true, req, think_c));
        let extra: Vec<&str> = obj.extra.iter().map(String::as_str).collect();
        let mut head = app::http_response_head(
            obj.status,
            obj.reason,
            site.server,
            obj.content_type,
            obj.body_len,
            &extra,
        );
        head.extend_from_slice(&obj.prefix);
        let gen_len = obj.body_len - obj.prefix.len() as u64;
        let think_s = log_uniform(rng, 200, 60_000);
        msgs.push(Msg::new(false, head, think_s).with_body(obj.body, gen_len));
    }
    msgs
}

fn http_flow(rng: &mut GenRng, ctx: &Ctx, start: u64, force_exe: bool) -> NewFlow {
    let mut client = pick_client(rng);
    let exe = force_exe || (client.os == Os::Windows && rng.random_bool(0.03));
    let site = if exe {
        if force_exe {
            // Downloads mostly land on Windows machines.
            let cs = net::clients();
            client = &cs[*pick(rng, &[0usize, 1, 4, 8, 9, 12, 16, 17, 20, 24])];
        }
        pick(rng, net::EXE_SITES)
    } else {
        pick(rng, net::HTTP_SITES)
    };
    let port = if site.name == "update.example.org" {
        8080
    } else {
        80
    };
    let host_hdr = if port == 80 {
        site.name.to_string()
    } else {
        format!("{}:{port}", site.name)
    };
    let n_req = if exe || rng.random_bool(0.75) {
        1
    } else {
        rng.random_range(2..5)
    };
    let msgs = http_msgs(rng, client, site, &host_hdr, exe, n_req);
    let s_ip = server_ip(rng, client, site, 0.3);
    let source = session(
        rng,
        ctx,
        client,
        s_ip,
        port,
        site.ttl,
        site.mss,
        u64::from(site.rtt_us),
        msgs,
        start,
    );
    NewFlow {
        kind: if force_exe { "exe_download" } else { "http" },
        source,
        count: 1,
    }
}

// ------------------------------------------------------------------------ TLS

/// The handshake and application-data messages of a TLS session; `upload` makes the client
/// send that many bytes in its first request.
pub(crate) fn tls_msgs(
    rng: &mut GenRng,
    client: &Client,
    sni: &str,
    upload: Option<u64>,
    small: bool,
) -> Vec<Msg> {
    let browser = !matches!(client.os, Os::Linux) || rng.random_bool(0.5);
    let version = if rng.random_bool(0.72) {
        TlsVersion::Tls13
    } else {
        TlsVersion::Tls12
    };
    let suites = if version == TlsVersion::Tls12 && rng.random_bool(0.5) {
        app::LEGACY_CIPHER_SUITES
    } else {
        app::BROWSER_CIPHER_SUITES
    };
    let alpn: &[&str] = if browser {
        &["h2", "http/1.1"]
    } else if rng.random_bool(0.5) {
        &["http/1.1"]
    } else {
        &[]
    };
    let ch = app::tls_client_hello(version, Some(sni), alpn, suites, rng);
    let sid_len = ch[43] as usize;
    let sid = if sid_len > 0 {
        ch[44..44 + sid_len].to_vec()
    } else {
        random_bytes(rng, 32)
    };
    let (cipher, rec) = match version {
        TlsVersion::Tls13 => (*pick(rng, &[0x1301u16, 0x1302, 0x1303]), 16_401u32),
        TlsVersion::Tls12 => (*pick(rng, &[0xc02fu16, 0xc02b, 0xc030]), 16_408u32),
    };
    let sh = app::tls_server_hello(version, cipher, &sid, rng);
    let mut msgs = Vec::new();
    msgs.push(Msg::new(true, ch, rng.random_range(20..200)));
    let mut s1 = sh;
    s1.extend_from_slice(&app::tls_change_cipher_spec());
    let mut c2 = app::tls_change_cipher_spec();
    let think_s = log_uniform(rng, 300, 20_000);
    match version {
        TlsVersion::Tls13 => {
            // EncryptedExtensions, Certificate, CertificateVerify, Finished.
            let n = if small {
                rng.random_range(200..400)
            } else {
                rng.random_range(2400..4800)
            };
            s1.extend_from_slice(&app::tls_record(23, &random_bytes(rng, n)));
            c2.extend_from_slice(&app::tls_record(23, &random_bytes(rng, 53)));
        }
        TlsVersion::Tls12 => {
            // Abbreviated handshake: the session is resumed.
            s1.extend_from_slice(&app::tls_record(22, &random_bytes(rng, 40)));
            c2.extend_from_slice(&app::tls_record(22, &random_bytes(rng, 40)));
        }
    }
    msgs.push(Msg::new(false, s1, think_s));
    let first_req = match upload {
        Some(n) => n,
        None if small => rng.random_range(40..200),
        None => rng.random_range(60..700),
    };
    let (b, l) = Body::tls(rng.random(), rec, first_req);
    msgs.push(Msg::new(true, c2, rng.random_range(50..500)).with_body(b, l));
    let exchanges = if upload.is_some() || rng.random_bool(0.6) {
        1
    } else {
        rng.random_range(2..7)
    };
    for i in 0..exchanges {
        if i > 0 {
            let n = if small {
                rng.random_range(40..200)
            } else {
                rng.random_range(40..1500)
            };
            let (b, l) = Body::tls(rng.random(), rec, n);
            msgs.push(
                Msg::new(true, Vec::new(), log_uniform(rng, 1_000, 2_000_000)).with_body(b, l),
            );
        }
        let mut head = Vec::new();
        if i == 0 && version == TlsVersion::Tls13 && !small {
            // Two NewSessionTicket messages.
            for _ in 0..2 {
                head.extend_from_slice(&app::tls_record(23, &random_bytes(rng, 281)));
            }
        }
        let n = if small {
            rng.random_range(40..600)
        } else if upload.is_some() {
            rng.random_range(60..400)
        } else {
            transfer_size(rng)
        };
        let (b, l) = Body::tls(rng.random(), rec, n);
        msgs.push(Msg::new(false, head, log_uniform(rng, 300, 80_000)).with_body(b, l));
    }
    msgs
}

fn tls_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let site = if ctx.small {
        &net::TLS_SITES[rng.random_range(0..4)]
    } else {
        pick(rng, net::TLS_SITES)
    };
    let msgs = tls_msgs(rng, client, site.name, None, ctx.small);
    let s_ip = if ctx.small {
        IpAddr::V4(site.ip4())
    } else {
        server_ip(rng, client, site, 0.35)
    };
    let source = session(
        rng,
        ctx,
        client,
        s_ip,
        443,
        site.ttl,
        site.mss,
        u64::from(site.rtt_us),
        msgs,
        start,
    );
    NewFlow {
        kind: "tls",
        source,
        count: 1,
    }
}

/// A large upload from the heavy-hitter host.
pub(crate) fn heavy_upload(rng: &mut GenRng, start: u64, bytes: u64) -> NewFlow {
    let ctx = Ctx { small: false };
    let client = &net::clients()[net::HEAVY_HITTER];
    let site = &net::BACKUP_SITE;
    let msgs = tls_msgs(rng, client, site.name, Some(bytes), false);
    let mut source = session(
        rng,
        &ctx,
        client,
        IpAddr::V4(site.ip4()),
        443,
        site.ttl,
        site.mss,
        u64::from(site.rtt_us),
        msgs,
        start,
    );
    if let FlowGen::Tcp(t) = &mut source {
        t.set_fast();
    }
    NewFlow {
        kind: "heavy_hitter",
        source,
        count: 1,
    }
}

// ------------------------------------------------------------------------ packet lists

struct ListBuilder<'a> {
    ep: &'a Endpoints,
    c_id: u16,
    s_id: u16,
    pkts: VecDeque<(u64, Vec<u8>)>,
    pad_to: usize,
}

impl<'a> ListBuilder<'a> {
    fn new<R: Rng + ?Sized>(rng: &mut R, ep: &'a Endpoints, pad_to: usize) -> Self {
        ListBuilder {
            ep,
            c_id: rng.random(),
            s_id: rng.random(),
            pkts: VecDeque::new(),
            pad_to,
        }
    }

    fn next_id(&mut self, from_client: bool) -> u16 {
        let id = if from_client {
            &mut self.c_id
        } else {
            &mut self.s_id
        };
        *id = id.wrapping_add(1);
        *id
    }

    fn push(&mut self, ts: u64, from_client: bool, l4: L4Spec, payload: &[u8], df: bool) {
        let id = self.next_id(from_client);
        let h = self.ep.headers(from_client, l4, id, df);
        let mut out = Vec::with_capacity(64 + payload.len());
        frame::write_frame(&mut out, &h, payload, self.pad_to);
        self.pkts.push_back((ts, out));
    }

    fn udp(&mut self, ts: u64, from_client: bool, payload: &[u8]) {
        let (src_port, dst_port) = self.ep.ports(from_client);
        self.push(
            ts,
            from_client,
            L4Spec::Udp { src_port, dst_port },
            payload,
            false,
        );
    }

    fn spec(&mut self, from_client: bool, l4: L4Spec, payload: &[u8]) -> FrameSpec {
        let id = self.next_id(from_client);
        let h = self.ep.headers(from_client, l4, id, false);
        FrameSpec {
            src_mac: h.src_mac,
            dst_mac: h.dst_mac,
            vlans: h.vlans.to_vec(),
            ip: h.ip,
            l4,
            payload: payload.to_vec(),
        }
    }

    fn finish(self) -> FlowGen {
        FlowGen::List(self.pkts)
    }
}

// ------------------------------------------------------------------------ DNS

fn dns_lookup<R: Rng + ?Sized>(
    rng: &mut R,
) -> (String, Option<&'static str>, Vec<IpAddr>, Vec<IpAddr>, bool) {
    let u: f64 = rng.random();
    if u < 0.07 {
        let name = if rng.random_bool(0.5) {
            pick(rng, net::NX_NAMES).to_string()
        } else {
            // A DGA-looking name.
            let len = rng.random_range(10..18);
            let mut s: String = (0..len)
                .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
                .collect();
            s.push_str([".com", ".net", ".info", ".xyz"][rng.random_range(0..4)]);
            s
        };
        return (name, None, Vec::new(), Vec::new(), true);
    }
    let site = if u < 0.75 {
        pick(rng, net::TLS_SITES)
    } else if u < 0.95 {
        pick(rng, net::HTTP_SITES)
    } else {
        pick(rng, net::EXE_SITES)
    };
    let v4 = vec![IpAddr::V4(site.ip4())];
    let v6 = site.ip6().map(IpAddr::V6).into_iter().collect();
    (site.name.to_string(), site.cname, v4, v6, false)
}

fn dns_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    if ctx.small {
        // A query and its NXDOMAIN answer, 22 bytes of DNS each: 64-byte frames.
        let &(rip, _, rtt, ttl) = &net::RESOLVERS[rng.random_range(0..net::RESOLVERS.len())];
        let c_port = ephemeral(rng, client.os);
        let mut ep = endpoints(rng, client, IpAddr::V4(rip), 53, ttl, c_port);
        ep.vlans.clear();
        let name = format!(
            "{}.{}",
            (b'a' + rng.random_range(0..26u8)) as char,
            pick(rng, &["io", "de", "it", "nl", "fr", "uk"])
        );
        let id: u16 = rng.random();
        let mut lb = ListBuilder::new(rng, &ep, 64);
        lb.udp(start, true, &app::dns_query(id, &name, app::DNS_TYPE_A));
        let resp = app::dns_response(id, &name, app::DNS_TYPE_A, &[], app::DNS_RCODE_NXDOMAIN);
        lb.udp(start + u64::from(rtt), false, &resp);
        return NewFlow {
            kind: "dns",
            source: lb.finish(),
            count: 1,
        };
    }
    let ri = if rng.random_bool(0.6) {
        0
    } else {
        rng.random_range(1..net::RESOLVERS.len())
    };
    let (r4, r6, rtt, ttl) = net::RESOLVERS[ri];
    let use_v6 = client.ip6.is_some() && r6.is_some() && rng.random_bool(0.25);
    let rip = if use_v6 {
        IpAddr::V6(r6.expect("checked"))
    } else {
        IpAddr::V4(r4)
    };
    let (name, cname, a4, a6, nx) = dns_lookup(rng);
    let rtt = u64::from(rtt) * rng.random_range(90..140) / 100 + if nx { 15_000 } else { 0 };

    if rng.random_bool(0.03) {
        // DNS over TCP (e.g. a truncated answer retried).
        let id: u16 = rng.random();
        let q = app::dns_tcp(&app::dns_query(id, &name, app::DNS_TYPE_A));
        let rcode = if nx {
            app::DNS_RCODE_NXDOMAIN
        } else {
            app::DNS_RCODE_NOERROR
        };
        let r = app::dns_tcp(&app::dns_response_cname(
            id,
            &name,
            app::DNS_TYPE_A,
            cname,
            &a4,
            rcode,
        ));
        let msgs = vec![
            Msg::new(true, q, rng.random_range(20..200)),
            Msg::new(false, r, rng.random_range(100..3000)),
        ];
        let source = session(rng, ctx, client, rip, 53, ttl, 1460, rtt, msgs, start);
        return NewFlow {
            kind: "dns",
            source,
            count: 1,
        };
    }

    let c_port = ephemeral(rng, client.os);
    let ep = endpoints(rng, client, rip, 53, ttl, c_port);
    let mut lb = ListBuilder::new(rng, &ep, frame::MIN_FRAME_LEN);
    // glibc asks for A and AAAA from the same socket.
    let both = matches!(client.os, Os::Linux | Os::Android) && rng.random_bool(0.5);
    let qtypes: &[u16] = if both {
        &[app::DNS_TYPE_A, app::DNS_TYPE_AAAA]
    } else if rng.random_bool(0.25) {
        &[app::DNS_TYPE_AAAA]
    } else {
        &[app::DNS_TYPE_A]
    };
    let mut t = start;
    let mut answers = Vec::new();
    for &qt in qtypes {
        let id: u16 = rng.random();
        lb.udp(t, true, &app::dns_query(id, &name, qt));
        let addrs = if qt == app::DNS_TYPE_A { &a4 } else { &a6 };
        let rcode = if nx {
            app::DNS_RCODE_NXDOMAIN
        } else {
            app::DNS_RCODE_NOERROR
        };
        let resp = app::dns_response_cname(id, &name, qt, cname, addrs, rcode);
        answers.push((t + rtt + rng.random_range(0..200), resp));
        t += rng.random_range(20..120);
    }
    for (ts, resp) in answers {
        lb.udp(ts.max(t), false, &resp);
        t = ts.max(t) + 1;
    }
    NewFlow {
        kind: "dns",
        source: lb.finish(),
        count: 1,
    }
}

// ------------------------------------------------------------------------ NTP, ICMP

fn ntp_flow(rng: &mut GenRng, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let &(sip, stratum, ref_id, rtt, ttl) = pick(rng, net::NTP_SERVERS);
    let c_port = if matches!(client.os, Os::Linux | Os::Windows) && rng.random_bool(0.5) {
        123
    } else {
        ephemeral(rng, client.os)
    };
    let ep = endpoints(rng, client, IpAddr::V4(sip), 123, ttl, c_port);
    let mut lb = ListBuilder::new(rng, &ep, frame::MIN_FRAME_LEN);
    let polls = if rng.random_bool(0.2) { 4 } else { 1 };
    let mut t = start;
    for _ in 0..polls {
        let rtt = u64::from(rtt) * rng.random_range(90..130) / 100;
        lb.udp(t, true, &app::ntp_client(t + rng.random_range(0..50)));
        let rx = t + rtt / 2;
        let tx = rx + rng.random_range(5..40);
        lb.udp(
            t + rtt + 40,
            false,
            &app::ntp_server(t, rx, tx, stratum, ref_id),
        );
        t += 2_000_000 + rng.random_range(0..10_000);
    }
    NewFlow {
        kind: "ntp",
        source: lb.finish(),
        count: 1,
    }
}

fn icmp_flow(rng: &mut GenRng, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let targets: [(IpAddr, u32, u8); 6] = [
        (IpAddr::V4(net::GW_IP4), 500, 64),
        (IpAddr::V4(Ipv4Addr::new(8, 8, 8, 8)), 11_000, 117),
        (IpAddr::V4(Ipv4Addr::new(1, 1, 1, 1)), 7_000, 58),
        (IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 48_000, 52),
        (
            IpAddr::V6(Ipv6Addr::new(0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888)),
            11_500,
            117,
        ),
        (IpAddr::V6(net::GW_IP6), 500, 64),
    ];
    let mut ti = rng.random_range(0..targets.len());
    if targets[ti].0.is_ipv6() && client.ip6.is_none() {
        ti -= 3;
    }
    let (tip, rtt, ttl) = targets[ti];
    let v6 = tip.is_ipv6();
    let ep = endpoints(rng, client, tip, 0, ttl, 0);
    let mut lb = ListBuilder::new(rng, &ep, frame::MIN_FRAME_LEN);
    let (req_t, rep_t) = if v6 { (128, 129) } else { (8, 0) };
    let windows = client.os == Os::Windows;
    let id: u16 = if windows { 1 } else { rng.random() };
    let big = !v6 && rng.random_bool(0.05);
    let count = rng.random_range(1..6u16);
    let mut seq: u16 = if windows { rng.random_range(1..400) } else { 1 };
    let mut t = start;
    for _ in 0..count {
        let payload: Vec<u8> = if big {
            (0..3000u32).map(|i| (i % 256) as u8).collect()
        } else if windows {
            b"abcdefghijklmnopqrstuvwabcdefghi".to_vec()
        } else {
            let mut p = Vec::with_capacity(56);
            p.extend_from_slice(&(t / 1_000_000).to_le_bytes());
            p.extend_from_slice(&(t % 1_000_000).to_le_bytes());
            p.extend((0x10u8..0x38).take(40));
            p
        };
        let rtt = u64::from(rtt) * rng.random_range(90..130) / 100;
        for (from_client, ty, ts) in [(true, req_t, t), (false, rep_t, t + rtt)] {
            let l4 = L4Spec::Icmp {
                icmp_type: ty,
                code: 0,
                id,
                seq,
            };
            if big {
                let spec = lb.spec(from_client, l4, &payload);
                for (k, f) in frame::ipv4_fragments(&spec, 1480).into_iter().enumerate() {
                    lb.pkts.push_back((ts + k as u64 * 3, f));
                }
            } else {
                lb.push(ts, from_client, l4, &payload, !windows);
            }
        }
        seq = seq.wrapping_add(1);
        t += 1_000_000 + rng.random_range(0..3000);
    }
    NewFlow {
        kind: "icmp",
        source: lb.finish(),
        count: 1,
    }
}

// ------------------------------------------------------------------------ SSH, SMTP

fn ssh_msgs(rng: &mut GenRng, client: &Client, software: &str) -> Vec<Msg> {
    let csoft = match client.os {
        Os::Windows => "OpenSSH_for_Windows_9.5",
        Os::Mac => "OpenSSH_9.8",
        _ => "OpenSSH_9.6p1 Ubuntu-3ubuntu13.5",
    };
    let mut msgs = vec![
        Msg::new(
            false,
            app::ssh_banner(software),
            rng.random_range(300..3000),
        ),
        Msg::new(true, app::ssh_banner(csoft), rng.random_range(50..400)),
        Msg::new(true, app::ssh_kexinit(true, rng), rng.random_range(20..200)),
        Msg::new(
            false,
            app::ssh_kexinit(false, rng),
            rng.random_range(50..500),
        ),
        Msg::new(
            true,
            app::ssh_kex_ecdh_init(rng),
            rng.random_range(100..800),
        ),
    ];
    let mut reply = app::ssh_kex_ecdh_reply(app::SshHostKey::Rsa, rng);
    reply.extend_from_slice(&app::ssh_newkeys(rng));
    msgs.push(Msg::new(false, reply, rng.random_range(500..4000)));
    let mut nk = app::ssh_newkeys(rng);
    nk.extend_from_slice(&random_bytes(rng, 44));
    msgs.push(Msg::new(true, nk, rng.random_range(100..900)));
    msgs.push(Msg::new(
        false,
        random_bytes(rng, 44),
        rng.random_range(200..2000),
    ));
    // User authentication.
    msgs.push(Msg::new(
        true,
        random_bytes(rng, 100),
        rng.random_range(200..2000),
    ));
    msgs.push(Msg::new(
        false,
        random_bytes(rng, 36),
        rng.random_range(2000..30_000),
    ));
    // Interactive session: keystrokes and their output. Each encrypted SSH packet fits in
    // one TCP segment (Wireshark cannot delimit encrypted packets split across segments).
    for _ in 0..rng.random_range(2..25) {
        let c = rng.random_range(36..120);
        msgs.push(Msg::new(
            true,
            random_bytes(rng, c),
            log_uniform(rng, 50_000, 2_000_000),
        ));
        let mut out: usize = if rng.random_bool(0.2) {
            log_uniform(rng, 200, 20_000) as usize
        } else {
            rng.random_range(36..200)
        };
        let mut think = rng.random_range(500..20_000);
        let chunks = out.div_ceil(1200);
        for i in 0..chunks {
            let n = if i + 1 == chunks {
                out
            } else {
                out / (chunks - i)
            };
            msgs.push(Msg::new(false, random_bytes(rng, n), think));
            out -= n;
            think = rng.random_range(30..300);
        }
    }
    msgs
}

fn ssh_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let &(sip, software, rtt, ttl) = pick(rng, net::SSH_SERVERS);
    let msgs = ssh_msgs(rng, client, software);
    let source = session(
        rng,
        ctx,
        client,
        IpAddr::V4(sip),
        22,
        ttl,
        1460,
        u64::from(rtt),
        msgs,
        start,
    );
    NewFlow {
        kind: "ssh",
        source,
        count: 1,
    }
}

fn smtp_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let host = "mail.example.net";
    let mut msgs = vec![
        Msg::new(false, app::smtp_banner(host), rng.random_range(500..5000)),
        Msg::new(
            true,
            app::smtp_ehlo(&client.name),
            rng.random_range(100..800),
        ),
        Msg::new(
            false,
            app::smtp_ehlo_reply(host),
            rng.random_range(100..800),
        ),
    ];
    let lines = log_uniform(rng, 3, 400) as usize;
    let subject = format!("Report {} {}", words(rng), rng.random_range(1..1000));
    for (c, s) in app::smtp_transaction(
        &format!("{}@home.example", client.name.to_lowercase()),
        "alerts@example.net",
        &subject,
        lines,
    ) {
        msgs.push(Msg::new(true, c, rng.random_range(50..500)));
        msgs.push(Msg::new(false, s, rng.random_range(200..5000)));
    }
    let source = session(
        rng,
        ctx,
        client,
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, 25)),
        25,
        53,
        1460,
        36_000,
        msgs,
        start,
    );
    NewFlow {
        kind: "smtp",
        source,
        count: 1,
    }
}

// ------------------------------------------------------------------------ dispatch

/// Picks and builds normal flow number `idx` of a mixed or 64-byte run.
pub(crate) fn normal_flow(rng: &mut GenRng, small: bool, start: u64) -> NewFlow {
    let ctx = Ctx { small };
    if small {
        return match rng.random_range(0..10) {
            0..4 => http_flow_small(rng, &ctx, start),
            4..7 => tls_flow(rng, &ctx, start),
            _ => dns_flow(rng, &ctx, start),
        };
    }
    let r = rng.random_range(0..1000);
    match r {
        0..320 => tls_flow(rng, &ctx, start),
        320..580 => dns_flow(rng, &ctx, start),
        580..730 => http_flow(rng, &ctx, start, false),
        730..800 => icmp_flow(rng, start),
        800..880 => ntp_flow(rng, start),
        880..930 => ssh_flow(rng, &ctx, start),
        930..960 => smtp_flow(rng, &ctx, start),
        _ => tls_flow(rng, &ctx, start),
    }
}

/// HTTP over 10-byte segments for the 64-byte mode (untagged IPv4, short bodies).
fn http_flow_small(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    let site = pick(rng, &net::HTTP_SITES[..7]);
    let ua = *pick(rng, client.os.user_agents());
    let url = format!("/{}/{}", words(rng), rng.random_range(1..1000));
    let body_len = rng.random_range(20..600);
    let mut msgs = vec![Msg::new(
        true,
        app::http_request("GET", site.name, &url, ua),
        rng.random_range(20..300),
    )];
    let head = app::http_response_head(200, "OK", site.server, "text/plain", body_len, &[]);
    msgs.push(
        Msg::new(false, head, rng.random_range(200..5000))
            .with_body(Body::Text { salt: rng.random() }, body_len),
    );
    let source = session(
        rng,
        ctx,
        client,
        IpAddr::V4(site.ip4()),
        80,
        site.ttl,
        site.mss,
        u64::from(site.rtt_us),
        msgs,
        start,
    );
    NewFlow {
        kind: "http",
        source,
        count: 1,
    }
}

/// A forced `.exe` download.
pub(crate) fn exe_download(rng: &mut GenRng, start: u64) -> NewFlow {
    http_flow(rng, &Ctx { small: false }, start, true)
}

// ------------------------------------------------------------------------ SYN flood

/// Many SYNs from one attacker to one victim port, random source ports, no replies.
#[derive(Debug)]
pub(crate) struct SynFlood {
    rng: GenRng,
    i: u64,
    count: u64,
    start: u64,
    step: u64,
    port_mul: u64,
    port_add: u64,
    next_ts: u64,
    victim: Ipv4Addr,
    victim_port: u16,
}

impl SynFlood {
    pub fn new(mut rng: GenRng, start: u64, count: u64, span_us: u64) -> Self {
        let step = (span_us / count.max(1)).max(2);
        let next_ts = start + rng.random_range(0..step / 2);
        SynFlood {
            port_mul: 40_503, // odd, coprime with 64512: a permutation of the port range
            port_add: rng.random_range(0..64_512),
            rng,
            i: 0,
            count,
            start,
            step,
            next_ts,
            victim: net::NAS_IP4,
            victim_port: 80,
        }
    }

    fn peek_ts(&self) -> Option<u64> {
        (self.i < self.count).then_some(self.next_ts)
    }

    fn emit(&mut self, out: &mut Vec<u8>) -> u64 {
        let ts = self.next_ts;
        let sport = 1024 + ((self.i * self.port_mul + self.port_add) % 64_512) as u16;
        let t = TcpSpec {
            src_port: sport,
            dst_port: self.victim_port,
            seq: self.rng.random(),
            ack: 0,
            flags: SYN,
            window: 512,
            ..TcpSpec::default()
        };
        let h = frame::Headers {
            src_mac: net::GW_MAC,
            dst_mac: net::NAS_MAC,
            vlans: &[],
            ip: IpSpec::V4 {
                src: net::ATTACKER_IP4,
                dst: self.victim,
                ttl: 49,
                id: self.rng.random(),
                dont_fragment: false,
            },
            l4: L4Spec::Tcp(t),
        };
        frame::write_frame(out, &h, &[], frame::MIN_FRAME_LEN);
        self.i += 1;
        self.next_ts = self.start + self.i * self.step + self.rng.random_range(0..self.step / 2);
        ts
    }
}

// ------------------------------------------------------------------------ port scan

/// Ports probed by the scanner on each target.
fn scan_ports() -> Vec<u16> {
    let mut v: Vec<u16> = (1..=1024).collect();
    v.extend_from_slice(&[
        1433, 1521, 1723, 1883, 2049, 2375, 3000, 3306, 3389, 5000, 5060, 5432, 5900, 6379, 8000,
        8008, 8080, 8443, 8888, 9000, 9100, 9200, 11211, 27017,
    ]);
    v
}

fn open_ports(target: Ipv4Addr) -> &'static [u16] {
    if target == net::GW_IP4 {
        &[22, 53, 80, 443]
    } else if target == net::NAS_IP4 {
        &[22, 80, 139, 443, 445, 5000]
    } else {
        &[80, 443, 515, 631, 9100]
    }
}

/// A SYN scan of a few local hosts: closed ports answer RST+ACK, open ones SYN+ACK (which
/// the scanner resets).
#[derive(Debug)]
pub(crate) struct PortScan {
    rng: GenRng,
    probes: Vec<(u8, u16)>,
    i: usize,
    t: u64,
    sport: u16,
    queue: VecDeque<(u64, Vec<u8>)>,
}

const SCAN_TARGETS: [Ipv4Addr; 3] = [net::GW_IP4, net::NAS_IP4, net::PRINTER_IP4];

impl PortScan {
    pub fn new(mut rng: GenRng, start: u64) -> Self {
        let ports = scan_ports();
        let mut probes: Vec<(u8, u16)> = Vec::with_capacity(ports.len() * SCAN_TARGETS.len());
        for t in 0..SCAN_TARGETS.len() as u8 {
            let mut ps = ports.clone();
            // Fisher-Yates with our RNG, as nmap randomises the port order.
            for i in (1..ps.len()).rev() {
                let j = rng.random_range(0..=i);
                ps.swap(i, j);
            }
            probes.extend(ps.into_iter().map(|p| (t, p)));
        }
        let sport = rng.random_range(40_000..65_000);
        PortScan {
            rng,
            probes,
            i: 0,
            t: start,
            sport,
            queue: VecDeque::new(),
        }
    }

    /// Number of probes (one 5-tuple each).
    pub fn probes(&self) -> u64 {
        self.probes.len() as u64
    }

    fn frame(&mut self, from_scanner: bool, target: Ipv4Addr, t: TcpSpec) -> Vec<u8> {
        let tmac = net::mac_of(IpAddr::V4(target));
        let (src_mac, dst_mac, src, dst, ttl) = if from_scanner {
            (net::SCANNER_MAC, tmac, net::SCANNER_IP4, target, 64)
        } else {
            (tmac, net::SCANNER_MAC, target, net::SCANNER_IP4, 64)
        };
        let h = frame::Headers {
            src_mac,
            dst_mac,
            vlans: &[],
            ip: IpSpec::V4 {
                src,
                dst,
                ttl,
                id: if from_scanner { self.rng.random() } else { 0 },
                dont_fragment: !from_scanner,
            },
            l4: L4Spec::Tcp(t),
        };
        let mut out = Vec::with_capacity(64);
        frame::write_frame(&mut out, &h, &[], frame::MIN_FRAME_LEN);
        out
    }

    fn refill(&mut self) {
        let Some(&(ti, port)) = self.probes.get(self.i) else {
            return;
        };
        self.i += 1;
        let target = SCAN_TARGETS[ti as usize];
        let seq: u32 = self.rng.random();
        let t0 = self.t;
        let syn = TcpSpec {
            src_port: self.sport,
            dst_port: port,
            seq,
            flags: SYN,
            window: 1024,
            mss: Some(1460),
            ..TcpSpec::default()
        };
        let f = self.frame(true, target, syn);
        self.queue.push_back((t0, f));
        let rtt = self.rng.random_range(150..450);
        let open = open_ports(target).contains(&port);
        if open {
            let sa = TcpSpec {
                src_port: port,
                dst_port: self.sport,
                seq: self.rng.random(),
                ack: seq.wrapping_add(1),
                flags: SYN | ACK,
                window: 64240,
                mss: Some(1460),
                ..TcpSpec::default()
            };
            let f = self.frame(false, target, sa);
            self.queue.push_back((t0 + rtt, f));
            let rst = TcpSpec {
                src_port: self.sport,
                dst_port: port,
                seq: seq.wrapping_add(1),
                flags: RST,
                ..TcpSpec::default()
            };
            let f = self.frame(true, target, rst);
            self.queue.push_back((t0 + rtt + 30, f));
        } else {
            let ra = TcpSpec {
                src_port: port,
                dst_port: self.sport,
                seq: 0,
                ack: seq.wrapping_add(1),
                flags: RST | ACK,
                ..TcpSpec::default()
            };
            let f = self.frame(false, target, ra);
            self.queue.push_back((t0 + rtt, f));
        }
        self.t = t0 + rtt + 100 + self.rng.random_range(200..1200);
    }

    fn peek_ts(&mut self) -> Option<u64> {
        if self.queue.is_empty() {
            self.refill();
        }
        self.queue.front().map(|p| p.0)
    }

    fn emit(&mut self, out: &mut Vec<u8>) -> u64 {
        let (ts, f) = self.queue.pop_front().expect("emit on a finished scan");
        out.clear();
        out.extend_from_slice(&f);
        ts
    }
}
