//! The REST API and the web server's security, end to end: the real binary replays a
//! generated capture with `--web 127.0.0.1:0` and is queried over HTTP.

#[path = "web_support.rs"]
mod support;

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
