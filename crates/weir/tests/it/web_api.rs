//! The REST API and the web server's security, end to end: the real binary replays a
//! generated capture with `--web 127.0.0.1:0` and is queried over HTTP.

use crate::web_support as support;

use serde_json::Value;
use support::*;

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

fn admin() -> String {
    basic("admin", ADMIN_PASSWORD)
}

#[test]
fn replay_end_keeps_serving_until_signalled() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 200);
    let w = Weir::start(&pcap, &dir.path().join("data"), &[]);
    w.wait_until(120, "the replay to end", |w| {
        request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
    });
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // Still serving after the capture ended.
    let (status, v) = w.get_json("/api/v1/interfaces");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 1);
    let i = &v["data"][0];
    assert_eq!(i["name"], "sample.pcap");
    assert_eq!(i["capture_finished"], true);
    assert!(i["packets"].as_u64().unwrap() > 1000, "{i}");
    assert!(i["hosts_active"].as_u64().unwrap() > 0, "{i}");
    let (status, h) = w.get_json("/api/v1/hosts?limit=5");
    assert_eq!(status, 200);
    assert!(h["total"].as_u64().unwrap() > 0 && h["data"].as_array().unwrap().len() <= 5);
    // The flows as they were before the final visit ended them stay browsable.
    let (status, f) = w.get_json("/api/v1/flows?limit=5");
    assert_eq!(status, 200);
    assert!(f["total"].as_u64().unwrap() > 0, "{f}");
    let (status, out) = w.stop();
    assert!(status.success(), "exit {status:?}");
    assert!(
        out.contains("packets"),
        "the summary is printed at the end:\n{out}"
    );
}

#[test]
fn rest_api_flows_hosts_interfaces_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 300);
    let data = dir.path().join("data");
    seed_alerts(&data);
    // Real-time x10: the 10-minute capture is still replaying while we look.
    let w = Weir::start(&pcap, &data, &["--replay-speed", "10"]);
    w.wait_until(60, "flows in a snapshot", |w| {
        w.get_json("/api/v1/flows?limit=1").1["total"]
            .as_u64()
            .unwrap_or(0)
            > 5
    });

    // Flows: flow.getInfo() keys, paging, sorting, filters.
    let (s, all) = w.get_json("/api/v1/flows?limit=1000");
    assert_eq!(s, 200);
    let total = all["total"].as_u64().unwrap();
    let items = all["data"].as_array().unwrap();
    assert_eq!(items.len() as u64, total.min(1000));
    assert_eq!(
        (all["offset"].clone(), all["limit"].clone()),
        (0.into(), 1000.into())
    );
    for k in [
        "cli.ip",
        "srv.ip",
        "cli.port",
        "srv.port",
        "proto.l4",
        "proto.ndpi",
        "bytes",
        "packets",
        "status_map",
        "score",
    ] {
        assert!(
            items[0].get(k).is_some(),
            "flow item lacks {k}: {}",
            items[0]
        );
    }
    let bytes: Vec<u64> = items.iter().map(|f| f["bytes"].as_u64().unwrap()).collect();
    assert!(
        bytes.windows(2).all(|w| w[0] >= w[1]),
        "default sort: bytes desc"
    );
    let (_, asc) = w.get_json("/api/v1/flows?sort=packets&order=asc&limit=1000");
    let pk: Vec<u64> = asc["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["packets"].as_u64().unwrap())
        .collect();
    assert!(pk.windows(2).all(|w| w[0] <= w[1]));
    let (_, p2) = w.get_json("/api/v1/flows?limit=2&offset=1");
    assert_eq!(
        p2["data"].as_array().unwrap().len(),
        2.min(total as usize - 1)
    );
    assert_eq!(p2["offset"], 1);

    let f0 = &items[0];
    let host = f0["cli.ip"].as_str().unwrap();
    let (_, by_host) = w.get_json(&format!("/api/v1/flows?host={host}&limit=1000"));
    let hd = by_host["data"].as_array().unwrap();
    assert!(!hd.is_empty());
    assert!(
        hd.iter()
            .all(|f| f["cli.ip"] == host || f["srv.ip"] == host)
    );
    let port = f0["srv.port"].as_u64().unwrap();
    let (_, by_port) = w.get_json(&format!("/api/v1/flows?port={port}&limit=1000"));
    assert!(
        by_port["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["cli.port"] == port || f["srv.port"] == port)
    );
    let (_, udp) = w.get_json("/api/v1/flows?l4=udp&limit=1000");
    assert!(
        udp["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["proto.l4"] == "UDP")
    );
    let l7 = f0["proto.ndpi"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_string();
    let (_, by_l7) = w.get_json(&format!("/api/v1/flows?l7={l7}&limit=1000"));
    assert!(by_l7["total"].as_u64().unwrap() >= 1);
    let (_, normal) = w.get_json("/api/v1/flows?status=normal&limit=1000");
    assert!(
        normal["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status_map"] == 0)
    );
    let (_, scored) = w.get_json("/api/v1/flows?min_score=1&limit=1000");
    assert!(
        scored["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["score"]["flow_score"].as_u64().unwrap() >= 1)
    );

    // Bad parameters are 400s with a JSON message.
    for bad in [
        "/api/v1/flows?port=70000",
        "/api/v1/flows?host=not-an-ip",
        "/api/v1/flows?sort=nope",
        "/api/v1/flows?order=sideways",
        "/api/v1/flows?limit=0",
        "/api/v1/flows?limit=100000",
        "/api/v1/flows?offset=-1",
        "/api/v1/flows?status=whatever",
        "/api/v1/flows?l7=%3Cscript%3E",
        "/api/v1/flows?bogus=1",
        "/api/v1/flows?port=1&port=2",
        "/api/v1/hosts?local=maybe",
        "/api/v1/hosts/999.1.1.1",
        "/api/v1/interfaces/abc",
        "/api/v1/alerts",
        "/api/v1/alerts?kind=current",
        "/api/v1/alerts?kind=past&severity=loud",
        "/api/v1/alerts?kind=past&since=yesterday",
        "/api/v1/alerts?kind=flow&ip=1.2.3",
        "/api/v1/alerts/counts?kind=past&by=colour",
    ] {
        let (s, v) = w.get_json(bad);
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["status"], 400, "{bad}: {v}");
        assert!(
            v["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{bad}: {v}"
        );
    }
    let (s, v) = w.get_json("/api/v1/nope");
    assert_eq!((s, v["status"].clone()), (404, 404.into()));
    let (s, _) = w.get_json("/api/v1/interfaces/3");
    assert_eq!(s, 404);

    // Hosts: list, details, L7 breakdown, peers.
    let (_, hosts) = w.get_json("/api/v1/hosts?limit=3");
    assert!(hosts["total"].as_u64().unwrap() >= 2);
    let h0 = &hosts["data"][0];
    let sum = |h: &Value| h["bytes.sent"].as_u64().unwrap() + h["bytes.rcvd"].as_u64().unwrap();
    assert!(sum(h0) >= sum(&hosts["data"][1]), "hosts sorted by bytes");
    let ip = h0["ip"].as_str().unwrap();
    let (s, d) = w.get_json(&format!("/api/v1/hosts/{ip}"));
    assert_eq!(s, 200);
    assert_eq!(d["ip"], ip);
    let (_, l7) = w.get_json(&format!("/api/v1/hosts/{ip}/l7"));
    assert!(!l7["data"].as_array().unwrap().is_empty(), "{l7}");
    assert!(l7["data"][0]["proto"].is_string() && l7["data"][0]["bytes"].is_u64());
    let (s, peers) = w.get_json(&format!("/api/v1/hosts/{ip}/peers"));
    assert_eq!(s, 200);
    assert!(peers["data"].is_array() && peers["total"].is_u64());
    let (s, _) = w.get_json("/api/v1/hosts/198.51.100.200");
    assert_eq!(s, 404);
    let (_, local) = w.get_json("/api/v1/hosts?local=true&limit=1000");
    assert!(
        local["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["localhost"] == true)
    );

    // Interfaces: stats and throughput samples.
    let (_, ifs) = w.get_json("/api/v1/interfaces/0");
    assert!(ifs["bytes"].as_u64().unwrap() > 0 && ifs["ndpi"].is_object() && ifs["l4"].is_object());
    assert!(ifs["flows_active"].as_u64().unwrap() > 0);
    w.wait_until(30, "two throughput samples", |w| {
        w.get_json("/api/v1/interfaces/0/throughput").1["total"]
            .as_u64()
            .unwrap_or(0)
            >= 2
    });
    let (_, tp) = w.get_json("/api/v1/interfaces/0/throughput");
    let s0 = &tp["data"][0];
    assert!(
        s0["time"].as_f64().unwrap() >= T0 as f64 && s0["bps"].is_number() && s0["pps"].is_number()
    );
    let (_, top) = w.get_json("/api/v1/interfaces/0/l7?limit=3");
    assert!(top["data"].as_array().unwrap().len() <= 3 && top["total"].as_u64().unwrap() >= 1);

    // Alerts: the three tables, filters, counts. The built-in plugins may raise alerts of
    // their own on this capture: look at the seeded ones through filters.
    let seeded = "type=alert_connection_issues";
    let (s, eng) = w.get_json(&format!(
        "/api/v1/alerts?kind=engaged&{seeded}&ip=192.168.1.25"
    ));
    assert_eq!(s, 200, "{eng}");
    assert_eq!(eng["total"], 1, "{eng}");
    assert_eq!(eng["data"][0]["alert_entity_val"], "192.168.1.25@0");
    assert_eq!(eng["data"][0]["alert_severity_name"], "warning");
    let (_, past) = w.get_json(&format!(
        "/api/v1/alerts?kind=past&{seeded}&entity_value=192.168.1.30@0"
    ));
    assert_eq!(past["total"], 1, "{past}");
    assert_eq!(past["data"][0]["alert_tstamp_end"], T0 + 180);
    let (_, flow) = w.get_json(&format!("/api/v1/alerts?kind=flow&ip={SEEDED_SERVER}"));
    assert_eq!(flow["total"], 1, "{flow}");
    assert_eq!(flow["data"][0]["srv_addr"], SEEDED_SERVER);
    assert_eq!(flow["data"][0]["alert_severity_name"], "critical");
    let (_, all_flow) = w.get_json("/api/v1/alerts?kind=flow&limit=1000");
    assert!(all_flow["total"].as_u64().unwrap() >= 1);
    let (_, none) =
        w.get_json("/api/v1/alerts?kind=past&severity=critical&entity_value=192.168.1.30@0");
    assert_eq!(none["total"], 0);
    let (_, by_l7) = w.get_json(&format!(
        "/api/v1/alerts?kind=flow&ip={SEEDED_SERVER}&l7=tls&text=seeded.example"
    ));
    assert_eq!(by_l7["total"], 1);
    let (_, counts) =
        w.get_json("/api/v1/alerts/counts?kind=engaged&by=severity&entity_value=192.168.1.25@0");
    assert_eq!(counts["data"][0]["name"], "warning", "{counts}");
    assert_eq!(counts["alerts"], 1);
    let (_, by_type) = w.get_json("/api/v1/alerts/counts?kind=flow&by=type");
    assert!(
        by_type["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "alert_connection_issues"),
        "{by_type}"
    );
    let (_, paged) = w.get_json(&format!(
        "/api/v1/alerts?kind=flow&ip={SEEDED_SERVER}&limit=1&offset=1"
    ));
    assert_eq!(
        (
            paged["total"].clone(),
            paged["data"].as_array().unwrap().len()
        ),
        (1.into(), 0)
    );

    // The OpenAPI document is served and names these endpoints.
    let (s, doc) = request(&w.url("/api/v1/openapi.json"), "GET", None, &[], None);
    assert_eq!(s, 200);
    for p in [
        "/api/v1/flows",
        "/api/v1/hosts/{ip}",
        "/api/v1/alerts",
        "/api/v1/interfaces",
        "/api/v1/health",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p}");
    }
    let (s, _) = w.stop();
    assert!(s.success());
}

/// The value of `name` in a `Set-Cookie` header of the response.
fn set_cookie(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| {
            v.strip_prefix(&format!("{name}="))
                .map(|r| r.split(';').next().unwrap().to_string())
        })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Logs in through the form; returns the session cookie value.
fn login(base: &str, user: &str, password: &str) -> Option<String> {
    let (s, h, html) = request_full(&format!("{base}/login"), "GET", None, &[], None);
    assert_eq!(s, 200);
    let token = set_cookie(&h, "weir_login").expect("login form cookie");
    assert!(
        html.contains(&format!("value=\"{token}\"")),
        "the form carries the token"
    );
    let form = format!("user={user}&password={password}&csrf={token}&next=%2Fflows");
    let cookie = format!("weir_login={token}");
    let (s, h, _) = request_full(
        &format!("{base}/login"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        Some((FORM, &form)),
    );
    if s != 303 {
        return None;
    }
    assert_eq!(header(&h, "location"), Some("/flows"));
    let all: Vec<&String> = h
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v)
        .collect();
    assert!(
        all.iter().any(|c| c.starts_with("weir_session=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Strict")),
        "{all:?}"
    );
    set_cookie(&h, "weir_session")
}

#[test]
fn security_auth_roles_csrf_traversal() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 50);
    let data = dir.path().join("data");
    let w = Weir::start(&pcap, &data, &[]);
    let b = &w.base;
    let url = |p: &str| format!("{b}{p}");

    // The users file: argon2 hashes, mode 0600, no clear password.
    let users = std::fs::read_to_string(data.join("users.toml")).unwrap();
    assert!(users.contains("$argon2id$") && !users.contains(ADMIN_PASSWORD));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("users.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Unauthenticated: 401 on the API, a redirect to the login page for the UI.
    for p in [
        "/api/v1/flows",
        "/api/v1/hosts",
        "/api/v1/interfaces",
        "/api/v1/alerts?kind=past",
        "/api/v1/me",
        "/api/v1/users",
    ] {
        let (s, v) = request(&url(p), "GET", None, &[], None);
        assert_eq!(s, 401, "{p}");
        assert_eq!(v["status"], 401, "{p}: {v}");
    }
    let (s, v) = request(&url("/api/v1/users"), "POST", None, &[], Some((JSON, "{}")));
    assert_eq!((s, v["status"].clone()), (401, 401.into()));
    let (s, h, _) = request_full(&url("/flows"), "GET", None, &[], None);
    assert_eq!(s, 303);
    assert_eq!(header(&h, "location"), Some("/login?next=/flows"));
    for auth in [
        basic("admin", "wrong-password"),
        basic("nobody", ADMIN_PASSWORD),
        "Bearer weir_nope".into(),
        "Basic !!!".into(),
    ] {
        let (s, _) = request(&url("/api/v1/flows"), "GET", Some(&auth), &[], None);
        assert_eq!(s, 401, "{auth}");
    }
    let (s, _) = request(&url("/api/v1/health"), "GET", None, &[], None);
    assert_eq!(s, 200, "health is public");

    // Admin (Basic) creates a read-only user and a token.
    let (s, v) = request(
        &url("/api/v1/users"),
        "POST",
        Some(&admin()),
        &[],
        Some((
            JSON,
            r#"{"name":"viewer","password":"viewer-password","role":"viewer"}"#,
        )),
    );
    assert_eq!(s, 201, "{v}");
    for (body, code) in [
        (
            r#"{"name":"viewer","password":"viewer-password","role":"viewer"}"#,
            409,
        ),
        (
            r#"{"name":"x y","password":"viewer-password","role":"viewer"}"#,
            400,
        ),
        (r#"{"name":"short","password":"123","role":"viewer"}"#, 400),
        (
            r#"{"name":"r","password":"viewer-password","role":"root"}"#,
            400,
        ),
        (
            r#"{"name":"r","password":"viewer-password","role":"viewer","extra":1}"#,
            400,
        ),
        (r#"{"name":"#, 400),
    ] {
        let (s, v) = request(
            &url("/api/v1/users"),
            "POST",
            Some(&admin()),
            &[],
            Some((JSON, body)),
        );
        assert_eq!(s, code, "{body}: {v}");
        assert_eq!(v["status"], code, "{body}: {v}");
    }
    let (s, _) = request(
        &url("/api/v1/users"),
        "POST",
        Some(&admin()),
        &[],
        Some(("text/plain", "{}")),
    );
    assert_eq!(s, 415);
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(100_000));
    let (s, v) = request(
        &url("/api/v1/tokens"),
        "POST",
        Some(&admin()),
        &[],
        Some((JSON, &big)),
    );
    assert_eq!((s, v["status"].clone()), (413, 413.into()), "{v}");
    let (s, v) = request(
        &url("/api/v1/flows"),
        "PUT",
        Some(&admin()),
        &[],
        Some((JSON, "{}")),
    );
    assert_eq!((s, v["status"].clone()), (405, 405.into()), "{v}");
    let (s, tok) = request(
        &url("/api/v1/tokens"),
        "POST",
        Some(&admin()),
        &[],
        Some((JSON, r#"{"name":"scrape","user":"viewer"}"#)),
    );
    assert_eq!(s, 201, "{tok}");
    let secret = tok["token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {secret}");
    let (s, me) = request(&url("/api/v1/me"), "GET", Some(&bearer), &[], None);
    assert_eq!(
        (s, me["user"].as_str(), me["role"].as_str()),
        (200, Some("viewer"), Some("viewer"))
    );
    assert!(
        !std::fs::read_to_string(data.join("users.toml"))
            .unwrap()
            .contains(&secret)
    );

    // The read-only user can read but change nothing.
    let viewer = basic("viewer", "viewer-password");
    let (s, _) = request(&url("/api/v1/flows"), "GET", Some(&viewer), &[], None);
    assert_eq!(s, 200);
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/users",
            Some(r#"{"name":"evil","password":"evil-password","role":"admin"}"#),
        ),
        ("DELETE", "/api/v1/users/admin", None),
        ("POST", "/api/v1/tokens", Some(r#"{"name":"mine"}"#)),
        (
            "DELETE",
            &format!("/api/v1/tokens/{}", tok["id"].as_str().unwrap()),
            None,
        ),
        ("GET", "/api/v1/users", None),
        ("GET", "/api/v1/tokens", None),
    ] {
        for auth in [&viewer, &bearer] {
            let (s, v) = request(&url(path), method, Some(auth), &[], body.map(|b| (JSON, b)));
            assert_eq!(s, 403, "{method} {path}: {v}");
        }
    }
    let (_, list) = request(&url("/api/v1/users"), "GET", Some(&admin()), &[], None);
    assert_eq!(list["total"], 2, "nothing changed: {list}");

    // Sessions: login form, CSRF on state-changing requests, logout.
    assert!(login(b, "admin", "nope-nope").is_none(), "wrong password");
    let (s, _, html) = request_full(
        &url("/login"),
        "POST",
        None,
        &[],
        Some((
            FORM,
            &format!("user=admin&password={ADMIN_PASSWORD}&csrf=x"),
        )),
    );
    assert_eq!(s, 403, "login without its form cookie: {html}");
    let sid = login(b, "admin", ADMIN_PASSWORD).expect("admin logs in");
    let cookie = format!("weir_session={sid}");
    let (s, me) = request(
        &url("/api/v1/me"),
        "GET",
        None,
        &[("Cookie", &cookie)],
        None,
    );
    assert_eq!(s, 200);
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let new_token = Some((JSON, r#"{"name":"via-ui"}"#));
    let (s, v) = request(
        &url("/api/v1/tokens"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        new_token,
    );
    assert_eq!(s, 403, "no CSRF token: {v}");
    let (s, _) = request(
        &url("/api/v1/tokens"),
        "POST",
        None,
        &[("Cookie", &cookie), ("X-CSRF-Token", "wrong")],
        new_token,
    );
    assert_eq!(s, 403, "wrong CSRF token");
    let (s, _) = request(
        &url("/api/v1/tokens"),
        "POST",
        None,
        &[
            ("Cookie", &cookie),
            ("X-CSRF-Token", &csrf),
            ("Origin", "http://evil.example"),
        ],
        new_token,
    );
    assert_eq!(s, 403, "cross-origin");
    let (s, _) = request(
        &url("/api/v1/tokens"),
        "POST",
        Some(&admin()),
        &[("Sec-Fetch-Site", "cross-site")],
        new_token,
    );
    assert_eq!(s, 403, "cross-site, even with credentials");
    let (s, v) = request(
        &url("/api/v1/tokens"),
        "POST",
        None,
        &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
        new_token,
    );
    assert_eq!(s, 201, "{v}");
    let (s, _) = request(
        &url("/logout"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        Some((FORM, "csrf=wrong")),
    );
    assert_eq!(s, 403);
    let (s, h, _) = request_full(
        &url("/logout"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        Some((FORM, &format!("csrf={csrf}"))),
    );
    assert_eq!((s, header(&h, "location")), (303, Some("/login")));
    let (s, _) = request(
        &url("/api/v1/me"),
        "GET",
        None,
        &[("Cookie", &cookie)],
        None,
    );
    assert_eq!(s, 401, "logged out");

    // Revoking a token, removing a user.
    let (s, _) = request(
        &url(&format!("/api/v1/tokens/{}", tok["id"].as_str().unwrap())),
        "DELETE",
        Some(&admin()),
        &[],
        None,
    );
    assert_eq!(s, 204);
    let (s, _) = request(&url("/api/v1/me"), "GET", Some(&bearer), &[], None);
    assert_eq!(s, 401);
    let (s, _) = request(
        &url("/api/v1/users/admin"),
        "DELETE",
        Some(&admin()),
        &[],
        None,
    );
    assert_eq!(s, 409, "the last admin stays");
    let (s, _) = request(
        &url("/api/v1/users/viewer"),
        "DELETE",
        Some(&admin()),
        &[],
        None,
    );
    assert_eq!(s, 204);
    let (s, _) = request(&url("/api/v1/flows"), "GET", Some(&viewer), &[], None);
    assert_eq!(s, 401);

    // Password guessing: five failures in a row lock the name for a while.
    let (s, _) = request(
        &url("/api/v1/users"),
        "POST",
        Some(&admin()),
        &[],
        Some((
            JSON,
            r#"{"name":"guessed","password":"guessed-password","role":"viewer"}"#,
        )),
    );
    assert_eq!(s, 201);
    for i in 0..5 {
        let (s, _) = request(
            &url("/api/v1/me"),
            "GET",
            Some(&basic("guessed", &format!("guess-{i}"))),
            &[],
            None,
        );
        assert_eq!(s, 401);
    }
    let (s, _) = request(
        &url("/api/v1/me"),
        "GET",
        Some(&basic("guessed", "guessed-password")),
        &[],
        None,
    );
    assert_eq!(s, 401, "locked out, even with the right password");
    let (s, _) = request(&url("/api/v1/me"), "GET", Some(&admin()), &[], None);
    assert_eq!(s, 200, "other users are not locked");

    // Path traversal on static routes: 404, however it is spelled.
    for p in [
        "/static/../Cargo.toml",
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fetc%2fpasswd",
        "/static/vendor/../../src/main.rs",
        "/static//etc/passwd",
        "/static/.%2e/Cargo.toml",
        "/static/%5c..%5cCargo.toml",
        "/static/app.js%00.css",
        "/static/",
    ] {
        assert_eq!(raw_get(b, p), 404, "{p}");
    }
    assert_eq!(raw_get(b, "/static/app.js"), 200);
    let (_, h, _) = request_full(&url("/static/app.css"), "GET", None, &[], None);
    assert!(header(&h, "content-security-policy").is_some_and(|c| c.contains("script-src 'self'")));
    assert_eq!(header(&h, "x-content-type-options"), Some("nosniff"));
    let (s, _) = w.stop();
    assert!(s.success());
}

/// A plugin with a syntax error on line 3 of its flow script.
fn broken_plugin(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("broken_plugin");
    std::fs::create_dir_all(p.join("user_scripts/flow")).unwrap();
    std::fs::write(
        p.join("user_scripts/flow/broken.lua"),
        "local script = {\n  hooks = {},\n  gui = { i18n_title = \"Broken\" \n",
    )
    .unwrap();
    p
}

/// Timeseries written straight into the data directory's store (interface 7 and two
/// hosts: not interfaces of the run, so nothing the run writes mixes in).
fn fill_timeseries(data: &std::path::Path) {
    use weir_ts::{EmbeddedStore, SchemaRegistry, TsWriter};
    let store = EmbeddedStore::open_dir(data).unwrap();
    let reg = SchemaRegistry::with_builtins();
    let iface = reg.require("iface:traffic_rxtx").unwrap();
    let host = reg.require("host:traffic").unwrap();
    let mut w = store.writer().unwrap();
    for i in 0..6u64 {
        let t = T0 + 60 * i;
        w.append(
            iface,
            vec!["7".into()],
            vec![(i * 6000) as f64, (i * 12_000) as f64],
            t,
        )
        .unwrap();
        w.end_step().unwrap();
    }
    for i in 0..4u64 {
        let t = T0 + 300 * i;
        for (h, rate) in [("192.168.1.10", 10.0), ("192.168.1.20", 30.0)] {
            let v = (i * 300) as f64 * rate;
            w.append(host, vec!["7".into(), h.into()], vec![v, v], t)
                .unwrap();
        }
        w.end_step().unwrap();
    }
}

fn send(w: &Weir, method: &str, path: &str, auth: &str, body: Option<&str>) -> (u16, Value) {
    request(
        &w.url(path),
        method,
        Some(auth),
        &[],
        body.map(|b| (JSON, b)),
    )
}

#[test]
fn scripts_plugins_timeseries_networks_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let pcap_a = gen_pcap(&a, 40);
    let pcap_b = gen_pcap(&b, 20);
    let data = dir.path().join("data");
    fill_timeseries(&data);
    let broken = broken_plugin(dir.path());
    let flooder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/plugins/flooder");
    let w = Weir::start(
        &pcap_a,
        &data,
        &[
            "--pcap",
            pcap_b.to_str().unwrap(),
            "--separate-interfaces",
            "--local-net",
            "192.168.1.0/24",
            "--plugins",
            flooder,
            "--plugins",
            broken.to_str().unwrap(),
        ],
    );
    let adm = admin();
    w.wait_until(120, "both replays to end", |w| {
        let (_, v) = w.get_json("/api/v1/interfaces");
        v["total"] == 2
            && v["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["capture_finished"] == true)
    });

    // Interfaces: both, each reachable by id and as the `ifid` of the lists.
    let (_, ifs) = w.get_json("/api/v1/interfaces");
    let names: Vec<&str> = ifs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sample.pcap", "sample.pcap"], "{ifs}");
    assert_eq!(ifs["data"][1]["ifid"], 1);
    let p0 = ifs["data"][0]["packets"].as_u64().unwrap();
    let p1 = ifs["data"][1]["packets"].as_u64().unwrap();
    assert!(p0 > p1 && p1 > 0, "40 and 20 flows: {p0} {p1}");
    let (s, i1) = w.get_json("/api/v1/interfaces/1");
    assert_eq!((s, i1["packets"].as_u64()), (200, Some(p1)));
    let (_, h0) = w.get_json("/api/v1/hosts?limit=1");
    let (_, h1) = w.get_json("/api/v1/hosts?limit=1&ifid=1");
    assert_eq!(
        (h0["ifid"].clone(), h1["ifid"].clone()),
        (0.into(), 1.into())
    );
    assert!(h1["total"].as_u64().unwrap() > 0);
    let (s, f1) = w.get_json("/api/v1/flows?ifid=1&limit=1");
    assert_eq!((s, f1["ifid"].clone()), (200, 1.into()), "{f1}");
    let ip = h1["data"][0]["ip"].as_str().unwrap().to_string();
    let (s, _) = w.get_json(&format!("/api/v1/hosts/{ip}?ifid=1"));
    assert_eq!(s, 200);

    // Networks of each interface.
    let (s, nets) = w.get_json("/api/v1/networks");
    assert_eq!(s, 200, "{nets}");
    let n = &nets["data"][0];
    assert_eq!(n["network_key"], "192.168.1.0/24", "{nets}");
    assert!(n["num_hosts"].as_u64().unwrap() > 0 && n["packets"].as_u64().unwrap() > 0);
    let (_, nets1) = w.get_json("/api/v1/networks?ifid=1");
    assert_eq!(nets1["ifid"], 1);
    assert!(nets1["data"][0]["packets"].as_u64().unwrap() < n["packets"].as_u64().unwrap());

    // Scripts: every one, with its gui model and configuration.
    let (s, all) = w.get_json("/api/v1/scripts?limit=1000");
    assert_eq!(s, 200, "{all}");
    let find = |v: &Value, id: &str| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
    };
    let exe = find(&all, "flow/exes_download").expect("the tutorial plugin's script");
    assert_eq!(
        (exe["plugin"].as_str(), exe["enabled"].as_bool()),
        (Some("exes_download"), Some(true))
    );
    assert_eq!(exe["title"], "EXEs Download");
    let syn = find(&all, "host/syn_flood_victim").expect("the flooder's host script");
    assert_eq!(syn["gui"]["input_builder"], "threshold_cross");
    assert_eq!(
        (
            syn["gui"]["field_min"].as_f64(),
            syn["gui"]["field_max"].as_f64()
        ),
        (Some(1.0), Some(65535.0))
    );
    assert_eq!(syn["conf"]["min"]["threshold"], 50, "{syn}");
    let (_, flow_only) = w.get_json("/api/v1/scripts?subdir=flow&limit=1000");
    assert!(
        flow_only["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["subdir"] == "flow")
    );
    let (s, one) = w.get_json("/api/v1/scripts/host/syn_flood_victim");
    assert_eq!(
        (s, one["id"].as_str()),
        (200, Some("host/syn_flood_victim"))
    );

    // Bad requests: 400 with the field named; unknown scripts 404.
    let put = |body: &str| {
        send(
            &w,
            "PUT",
            "/api/v1/scripts/host/syn_flood_victim/config",
            &adm,
            Some(body),
        )
    };
    for (body, field, says) in [
        (
            r#"{"conf":{"threshold":70000}}"#,
            "conf.threshold",
            "out of range 1..65535",
        ),
        (
            r#"{"conf":{"threshold":"lots"}}"#,
            "conf.threshold",
            "not a number",
        ),
        (
            r#"{"conf":{"operator":"lt"}}"#,
            "conf.operator",
            "only allows gt",
        ),
        (r#"{"conf":{"colour":"red"}}"#, "conf.colour", "not a field"),
        (
            r#"{"hook":"hour","conf":{"threshold":5}}"#,
            "hook",
            "not a hook",
        ),
        (
            r#"{"entity":"10.0.0.300","conf":{"threshold":5}}"#,
            "entity",
            "not an IP",
        ),
    ] {
        let (s, v) = put(body);
        assert_eq!((s, v["status"].clone()), (400, 400.into()), "{body}: {v}");
        assert_eq!(v["field"], field, "{body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(says), "{body}: {v}");
    }
    for (body, code) in [(r#"{"conf":{}}"#, 400), (r#"{"bogus":1}"#, 400), ("{", 400)] {
        let (s, v) = put(body);
        assert_eq!(s, code, "{body}: {v}");
    }
    for bad in [
        "/api/v1/scripts?subdir=nope",
        "/api/v1/scripts?enabled=perhaps",
        "/api/v1/networks?ifid=x",
        "/api/v1/flows?ifid=-1",
        "/api/v1/timeseries/query",
        "/api/v1/timeseries/query?schema=iface:traffic_rxtx&from=20&to=10",
        "/api/v1/timeseries/query?schema=iface:traffic_rxtx&tag.no-such=1",
        "/api/v1/timeseries/query?schema=iface:traffic_rxtx&tag.nosuchtag=1",
        "/api/v1/timeseries/query?schema=iface:traffic_rxtx&step=0",
        "/api/v1/timeseries/query?schema=iface:traffic_rxtx&agg=median",
        "/api/v1/timeseries/query?schema=%3Cscript%3E",
        "/api/v1/timeseries/top?schema=host:traffic",
        "/api/v1/timeseries/top?schema=host:traffic&metric=bytes_sent&k=0",
        "/api/v1/syslog/producers?limit=0",
    ] {
        let (s, v) = w.get_json(bad);
        assert_eq!((s, v["status"].clone()), (400, 400.into()), "{bad}: {v}");
    }
    for missing in [
        "/api/v1/scripts/host/nope",
        "/api/v1/scripts/nope/syn_flood_victim",
        "/api/v1/interfaces/2",
        "/api/v1/networks?ifid=5",
        "/api/v1/hosts?ifid=9",
        "/api/v1/timeseries/query?schema=nope:nope",
    ] {
        let (s, v) = w.get_json(missing);
        assert_eq!(
            (s, v["status"].clone()),
            (404, 404.into()),
            "{missing}: {v}"
        );
    }
    let (s, _) = send(&w, "POST", "/api/v1/scripts/flow/nope/disable", &adm, None);
    assert_eq!(s, 404);

    // Changes go to scripts.toml, through the same model as `weir scripts`.
    let (s, v) = put(r#"{"conf":{"threshold":1000}}"#);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["conf"]["min"]["threshold"], 1000);
    let (s, v) = put(r#"{"entity":"192.168.1.0/24","conf":{"threshold":100}}"#);
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["entity_overrides"]["192.168.1.0/24"]["min"]["conf"]["threshold"],
        100
    );
    let (s, v) = send(
        &w,
        "POST",
        "/api/v1/scripts/flow/exes_download/disable",
        &adm,
        None,
    );
    assert_eq!((s, v["enabled"].as_bool()), (200, Some(false)), "{v}");
    let toml = std::fs::read_to_string(data.join("scripts.toml")).unwrap();
    assert!(
        toml.contains("threshold = 1000") && toml.contains("enabled = false"),
        "{toml}"
    );
    let cli = std::process::Command::new(weir_bin())
        .args(["scripts", "list", "--json", "--data-dir"])
        .arg(&data)
        .args(["--plugins", flooder])
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let listed: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let by_cli = |id: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_cli("flow/exes_download")["enabled"], false);
    assert_eq!(
        by_cli("host/syn_flood_victim")["conf"]["min"]["threshold"],
        1000
    );
    let (_, v) = put(r#"{"conf":{"threshold":null}}"#);
    assert_eq!(
        v["conf"]["min"]["threshold"], 50,
        "null: back to the default: {v}"
    );
    let (_, disabled) = w.get_json("/api/v1/scripts?enabled=false&limit=1000");
    assert!(find(&disabled, "flow/exes_download").is_some());
    let (s, v) = send(
        &w,
        "POST",
        "/api/v1/scripts/flow/exes_download/enable",
        &adm,
        None,
    );
    assert_eq!((s, v["enabled"].as_bool()), (200, Some(true)), "{v}");

    // A read-only user (Basic or token) reads but cannot change scripts or plugins.
    let (s, _) = send(
        &w,
        "POST",
        "/api/v1/users",
        &adm,
        Some(r#"{"name":"ro","password":"ro-password-1","role":"viewer"}"#),
    );
    assert_eq!(s, 201);
    let (s, tok) = send(
        &w,
        "POST",
        "/api/v1/tokens",
        &adm,
        Some(r#"{"name":"prom","user":"ro"}"#),
    );
    assert_eq!(s, 201);
    let bearer = format!("Bearer {}", tok["token"].as_str().unwrap());
    let ro = basic("ro", "ro-password-1");
    for auth in [&ro, &bearer] {
        let (s, _) = request(&w.url("/api/v1/scripts"), "GET", Some(auth), &[], None);
        assert_eq!(s, 200);
        for (method, path, body) in [
            ("POST", "/api/v1/scripts/flow/exes_download/disable", None),
            ("POST", "/api/v1/scripts/flow/exes_download/enable", None),
            (
                "PUT",
                "/api/v1/scripts/host/syn_flood_victim/config",
                Some(r#"{"conf":{"threshold":7}}"#),
            ),
            (
                "POST",
                "/api/v1/scripts/host/syn_flood_victim/config",
                Some(r#"{"enabled":false}"#),
            ),
            ("POST", "/api/v1/plugins/reload", None),
        ] {
            let (s, v) = send(&w, method, path, auth, body);
            assert_eq!(
                (s, v["status"].clone()),
                (403, 403.into()),
                "{method} {path}: {v}"
            );
        }
    }
    let toml_after = std::fs::read_to_string(data.join("scripts.toml")).unwrap();
    assert!(
        !toml_after.contains("threshold = 7") && !toml_after.contains("enabled = false"),
        "{toml_after}"
    );
    // Without credentials 401; with a session but no CSRF token 403.
    for (method, path) in [
        ("GET", "/api/v1/scripts"),
        ("POST", "/api/v1/scripts/flow/exes_download/disable"),
        ("GET", "/api/v1/plugins"),
        ("POST", "/api/v1/plugins/reload"),
        ("GET", "/api/v1/timeseries/schemas"),
        ("GET", "/api/v1/networks"),
        ("GET", "/api/v1/syslog/producers"),
        ("GET", "/metrics"),
    ] {
        let (s, v) = request(&w.url(path), method, None, &[], None);
        assert_eq!(
            (s, v["status"].clone()),
            (401, 401.into()),
            "{method} {path}"
        );
    }
    let sid = login(&w.base, "admin", ADMIN_PASSWORD).unwrap();
    let cookie = format!("weir_session={sid}");
    for path in [
        "/api/v1/scripts/flow/exes_download/disable",
        "/api/v1/plugins/reload",
    ] {
        let (s, v) = request(&w.url(path), "POST", None, &[("Cookie", &cookie)], None);
        assert_eq!(s, 403, "{path}: {v}");
    }

    // Plugins: definitions, scripts, and the broken file with its line.
    let (s, pl) = w.get_json("/api/v1/plugins?limit=1000");
    assert_eq!(s, 200, "{pl}");
    let exes = pl["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "exes_download")
        .unwrap();
    assert!(
        exes["alert_definitions"]
            .to_string()
            .contains("alert_exe_download"),
        "{exes}"
    );
    assert_eq!(exes["scripts"][0]["key"], "exes_download");
    let problems = pl["problems"].as_array().unwrap();
    let bad = problems
        .iter()
        .find(|p| p["plugin"] == "broken_plugin")
        .unwrap_or_else(|| panic!("the broken plugin's problem: {pl}"));
    assert_eq!(bad["file"], "user_scripts/flow/broken.lua", "{bad}");
    assert!(bad["line"].as_u64().is_some(), "{bad}");
    assert!(
        bad["location"]
            .as_str()
            .unwrap()
            .contains("/broken_plugin/user_scripts/flow/broken.lua:"),
        "{bad}"
    );
    // Fixed on disk, then reloaded: the problem is gone.
    std::fs::write(
        broken.join("user_scripts/flow/broken.lua"),
        "local script = {\n  hooks = {},\n  gui = { i18n_title = \"Fixed\", i18n_description = \"Fixed now\" },\n}\n\
         function script.hooks.protocolDetected() end\nreturn script\n",
    )
    .unwrap();
    let (s, rl) = send(&w, "POST", "/api/v1/plugins/reload", &adm, None);
    assert_eq!((s, rl["reloaded"].as_bool()), (200, Some(true)), "{rl}");
    assert!(
        !rl["problems"].to_string().contains("broken_plugin"),
        "{rl}"
    );
    let (_, fixed) = w.get_json("/api/v1/scripts/flow/broken");
    assert_eq!(fixed["title"], "Fixed", "{fixed}");

    // Timeseries from the store.
    let (s, sch) = w.get_json("/api/v1/timeseries/schemas?limit=1000");
    assert_eq!((s, sch["store"].as_str()), (200, Some("embedded")), "{sch}");
    let names: Vec<&str> = sch["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"iface:traffic_rxtx") && names.contains(&"host:traffic"),
        "{names:?}"
    );
    let (s, q) = w.get_json(&format!(
        "/api/v1/timeseries/query?schema=iface:traffic_rxtx&tag.ifid=7&from={T0}&to={}",
        T0 + 3600
    ));
    assert_eq!(s, 200, "{q}");
    assert_eq!(
        q["metrics"],
        serde_json::json!(["bytes_sent", "bytes_rcvd"])
    );
    assert_eq!(
        (q["step_secs"].as_u64(), q["total"].as_u64()),
        (Some(60), Some(1))
    );
    assert_eq!(q["data"][0]["tags"], serde_json::json!({"ifid": "7"}));
    let pts = q["data"][0]["points"].as_array().unwrap();
    assert!(pts.len() >= 4, "{q}");
    // 6000 bytes a minute sent, 12000 received: 100 and 200 bytes per second.
    let last = &pts[pts.len() - 1]["values"];
    assert_eq!(
        (last[0].as_f64(), last[1].as_f64()),
        (Some(100.0), Some(200.0)),
        "{q}"
    );
    let (_, coarse) =
        w.get_json("/api/v1/timeseries/query?schema=iface:traffic_rxtx&tag.ifid=7&step=300");
    assert_eq!(coarse["step_secs"], 300, "{coarse}");
    let (_, none) = w.get_json("/api/v1/timeseries/query?schema=iface:traffic_rxtx&tag.ifid=99");
    assert_eq!(none["total"], 0);
    let (s, top) =
        w.get_json("/api/v1/timeseries/top?schema=host:traffic&metric=bytes_sent&k=1&tag.ifid=7");
    assert_eq!(s, 200, "{top}");
    assert_eq!(top["data"].as_array().unwrap().len(), 1);
    assert_eq!(top["data"][0]["tags"]["host"], "192.168.1.20", "{top}");

    // Prometheus, with the read-only user's token.
    let (s, h, text) = request_full(&w.url("/metrics"), "GET", Some(&bearer), &[], None);
    assert_eq!(s, 200, "{text}");
    assert!(header(&h, "content-type").is_some_and(|c| c.starts_with("text/plain; version=0.0.4")));
    for want in [
        &format!("weir_interface_packets_total{{ifid=\"0\",name=\"sample.pcap\"}} {p0}\n"),
        &format!("weir_interface_packets_total{{ifid=\"1\",name=\"sample.pcap\"}} {p1}\n"),
        "# TYPE weir_flows_active gauge\n",
        "weir_hosts_active{ifid=\"1\"",
        "weir_network_bytes_total{ifid=\"0\",name=\"sample.pcap\",network=\"192.168.1.0/24\",direction=\"ingress\"}",
        "weir_source_queue_drops_total{ifid=\"0\"",
        "weir_engine_queue_depth{ifid=\"1\"",
        "# TYPE weir_alerts gauge\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // The user scripts' calls and failures, per interface.
    let calls = text
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                "weir_script_calls_total{ifid=\"0\",name=\"sample.pcap\",plugin=\"exes_download\",script=\"flow/exes_download\"} ",
            )
        })
        .unwrap_or_else(|| panic!("no exes_download calls in:\n{text}"));
    assert!(calls.parse::<f64>().unwrap() > 0.0, "{calls}");
    assert!(text.contains("# TYPE weir_script_errors_total counter\n"));
    assert!(text.contains(
        "weir_script_errors_total{ifid=\"1\",name=\"sample.pcap\",plugin=\"exes_download\""
    ));
    let (s, _) = request(
        &w.url("/metrics"),
        "GET",
        Some(&basic("admin", "wrong")),
        &[],
        None,
    );
    assert_eq!(s, 401);
    let (s, _) = w.stop();
    assert!(s.success());
}

/// Syslog producers: counted live while weir listens, with and without a script.
#[test]
fn syslog_producers() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 5);
    // A syslog script for the producer `weirprobe` that does nothing.
    let probe = dir.path().join("syslog_probe");
    std::fs::create_dir_all(probe.join("user_scripts/syslog")).unwrap();
    std::fs::write(
        probe.join("user_scripts/syslog/weirprobe.lua"),
        "local script = { hooks = {}, gui = { i18n_title = \"Probe\", i18n_description = \"Counts\" } }\n\
         function script.hooks.handleEvent(message) end\nreturn script\n",
    )
    .unwrap();
    let syslog_port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let syslog = format!("udp://127.0.0.1:{syslog_port}");
    let w = Weir::start(
        &pcap,
        &dir.path().join("data"),
        &["--plugins", probe.to_str().unwrap(), "--syslog", &syslog],
    );
    let (s, v) = w.get_json("/api/v1/syslog/producers");
    assert_eq!((s, v["listening"].as_bool()), (200, Some(true)), "{v}");
    // Syslog producers: one with a script (weirprobe), one without (weirtestd).
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{syslog_port}");
    let count = |w: &Weir, name: &str| -> u64 {
        let (_, v) = w.get_json("/api/v1/syslog/producers");
        v["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["producer"] == name)
            .and_then(|r| r["messages"].as_u64())
            .unwrap_or(0)
    };
    // The listener binds after the web server: probe until it answers.
    w.wait_until(60, "the syslog listener", |w| {
        sock.send_to(b"<13>Nov 26 22:08:46 fw weirprobe[9]: ping", &target)
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        count(w, "weirprobe") > 0
    });
    for _ in 0..3 {
        sock.send_to(b"<13>Nov 26 22:08:46 fw weirtestd[7]: hello", &target)
            .unwrap();
    }
    w.wait_until(30, "the syslog messages", |w| count(w, "weirtestd") == 3);
    let (_, prod) = w.get_json("/api/v1/syslog/producers");
    assert_eq!(prod["listening"], true);
    let row = |name: &str| {
        prod["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["producer"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {prod}"))
    };
    assert_eq!(
        (
            row("weirtestd")["messages"].as_u64(),
            row("weirtestd")["script"].as_bool()
        ),
        (Some(3), Some(false))
    );
    assert!(row("weirprobe")["messages"].as_u64().unwrap() >= 1);
    assert_eq!(row("weirprobe")["handled"], row("weirprobe")["messages"]);
    assert_eq!(row("weirprobe")["script"], true);
    assert_eq!(
        prod["messages"].as_u64(),
        Some(3 + row("weirprobe")["messages"].as_u64().unwrap())
    );

    let (s, _) = request(&w.url("/api/v1/syslog/producers"), "GET", None, &[], None);
    assert_eq!(s, 401);
    let (s, _) = w.stop();
    assert!(s.success());
}

/// Every alert of a table (pages of 1000).
fn all_alerts(w: &Weir, kind: &str) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let (s, v) = w.get_json(&format!(
            "/api/v1/alerts?kind={kind}&limit=1000&offset={}",
            out.len()
        ));
        assert_eq!(s, 200, "{v}");
        let items = v["data"].as_array().unwrap().clone();
        let done =
            items.is_empty() || out.len() + items.len() >= v["total"].as_u64().unwrap() as usize;
        out.extend(items);
        if done {
            return out;
        }
    }
}

#[test]
fn rest_alert_messages_type_names_acknowledge_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 300);
    let data = dir.path().join("data");
    seed_alerts(&data);
    let w = Weir::start(&pcap, &data, &[]);
    w.wait_until(120, "the replay to end", |w| {
        request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
    });

    // Every stored alert, seeded or raised by the built-in plugins, has a message.
    let mut n = 0;
    for kind in ["engaged", "past", "flow"] {
        for a in all_alerts(&w, kind) {
            let msg = a["msg"].as_str().unwrap_or("");
            assert!(
                !msg.trim().is_empty() && !msg.contains('{'),
                "{kind} alert without a readable message: {a}"
            );
            n += 1;
        }
    }
    assert!(n > 4, "the plugins raised alerts too ({n})");

    // Type names, with or without the alert_ prefix; numeric keys still work.
    let (s, by_name) = w.get_json("/api/v1/alerts?kind=engaged&type=alert_connection_issues");
    assert_eq!(s, 200, "{by_name}");
    let (_, short) = w.get_json("/api/v1/alerts?kind=engaged&type=connection_issues");
    let (_, by_key) = w.get_json("/api/v1/alerts?kind=engaged&type=56");
    assert!(by_name["total"].as_u64().unwrap() >= 1);
    assert_eq!(by_name["total"], short["total"]);
    assert_eq!(by_name["total"], by_key["total"]);
    for t in ["alert_flows_flood", "alert_tls_certificate"] {
        let (s, v) = w.get_json(&format!("/api/v1/alerts?kind=flow&type={t}"));
        assert_eq!(s, 200, "{t}: a name filters, never an error: {v}");
        assert!(
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["alert_name"] == t),
            "{v}"
        );
    }
    let (s, _) = w.get_json("/api/v1/alerts?kind=flow&type=no%20such");
    assert_eq!(s, 400);

    // One alert, then acknowledge it: administrators only.
    let (_, past) = w.get_json(
        "/api/v1/alerts?kind=past&type=alert_connection_issues&entity_value=192.168.1.30@0",
    );
    let id = past["data"][0]["rowid"].as_i64().unwrap();
    let (s, one) = w.get_json(&format!("/api/v1/alerts/past/{id}"));
    assert_eq!(s, 200, "{one}");
    assert_eq!(one["rowid"], id);
    assert_eq!(one["acknowledged"], false);
    assert!(!one["msg"].as_str().unwrap().is_empty());
    let (s, _) = w.get_json("/api/v1/alerts/past/999999999");
    assert_eq!(s, 404);
    let (s, v) = send(
        &w,
        "POST",
        "/api/v1/users",
        &admin(),
        Some(r#"{"name":"viewer","password":"viewer-password","role":"viewer"}"#),
    );
    assert_eq!(s, 201, "{v}");
    let viewer = basic("viewer", "viewer-password");
    let ack = format!("/api/v1/alerts/past/{id}/ack");
    assert_eq!(send(&w, "POST", &ack, &viewer, None).0, 403);
    assert_eq!(send(&w, "POST", &ack, &admin(), None).0, 204);
    let (_, acked) = w.get_json("/api/v1/alerts?kind=past&acknowledged=true");
    assert_eq!(acked["total"], 1, "{acked}");
    assert_eq!(acked["data"][0]["rowid"], id);
    let unack = format!("/api/v1/alerts/past/{id}/unack");
    assert_eq!(send(&w, "POST", &unack, &admin(), None).0, 204);
    let (_, acked) = w.get_json("/api/v1/alerts?kind=past&acknowledged=true");
    assert_eq!(acked["total"], 0);

    // Delete: past and flow alerts; engaged ones end when released.
    let (_, eng) = w.get_json("/api/v1/alerts?kind=engaged&type=alert_connection_issues");
    let eid = eng["data"][0]["rowid"].as_i64().unwrap();
    assert_eq!(
        send(
            &w,
            "DELETE",
            &format!("/api/v1/alerts/engaged/{eid}"),
            &admin(),
            None
        )
        .0,
        409
    );
    let (_, flow) = w.get_json(&format!("/api/v1/alerts?kind=flow&ip={SEEDED_SERVER}"));
    let fid = flow["data"][0]["rowid"].as_i64().unwrap();
    let del = format!("/api/v1/alerts/flow/{fid}");
    assert_eq!(send(&w, "DELETE", &del, &viewer, None).0, 403);
    assert_eq!(send(&w, "DELETE", &del, &admin(), None).0, 204);
    assert_eq!(send(&w, "DELETE", &del, &admin(), None).0, 404);
    let (_, flow) = w.get_json(&format!("/api/v1/alerts?kind=flow&ip={SEEDED_SERVER}"));
    assert_eq!(flow["total"], 0);
    let (s, _) = w.stop();
    assert!(s.success());
}
