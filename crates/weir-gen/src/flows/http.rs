//! HTTP/1.1 flows: objects (pages, JSON, images, `.exe` downloads), keep-alive
//! exchanges, and the 10-byte-segment variant of the 64-byte mode.

use std::fmt::Write as _;
use std::net::IpAddr;

use rand::Rng;

use crate::app;
use crate::net::{self, Client, Os, Site};
use crate::rng::GenRng;
use crate::tcp::{Body, Msg};

use super::{
    Ctx, NewFlow, log_uniform, pick, pick_client, server_ip, session, transfer_size, words,
};

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

pub(super) fn http_flow(rng: &mut GenRng, ctx: &Ctx, start: u64, force_exe: bool) -> NewFlow {
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

/// HTTP over 10-byte segments for the 64-byte mode (untagged IPv4, short bodies).
pub(super) fn http_flow_small(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
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
