//! Alert endpoints with recipients end to end: `weir run` with ntopng 4.2's webhook
//! endpoint (from ../shared, unchanged) and recipients in `weir.toml`, posting the
//! alerts of a generated attack capture to an HTTP server on 127.0.0.1, filtered by
//! script category.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::Value;

/// Requests an HTTP server got: (path, body).
type Requests = Arc<Mutex<Vec<(String, String)>>>;

fn http_server() -> (String, Requests) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let got: Requests = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            if r.read_line(&mut first).is_err() {
                continue;
            }
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            let path = first.split(' ').nth(1).unwrap_or("").to_owned();
            g.lock()
                .unwrap()
                .push((path, String::from_utf8_lossy(&body).into_owned()));
            let mut w = s;
            let _ =
                w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (format!("http://{addr}"), got)
}

fn attack_capture(dir: &Path) -> std::path::PathBuf {
    let cfg = weir_gen::GenConfig {
        flows: 100,
        seed: 11,
        duration_secs: 300,
        scenarios: weir_gen::Scenarios::from_names(&["syn_flood", "port_scan"]).unwrap(),
        ..Default::default()
    };
    let path = dir.join("attacks.pcap");
    weir_gen::write_pcap(&cfg, std::fs::File::create(&path).unwrap()).unwrap();
    path
}

#[test]
fn ntopng42_webhook_gets_the_alerts_of_its_recipients_categories() {
    let webhook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/ntopng42-plugins/webhook_alert_endpoint");
    if !webhook.is_dir() {
        eprintln!("SKIPPED: {} not found", webhook.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pcap = attack_capture(dir.path());
    let flooder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plugins/flooder");
    let (url, got) = http_server();
    let cfg = dir.path().join("weir.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"data_dir = {data:?}
local_networks = ["192.168.1.0/24"]
[plugins]
builtin = false
dirs = [{flooder:?}, {webhook:?}]
[alerts]
[[alerts.endpoint_configs]]
name = "sec-hook"
endpoint = "webhook"
conf_params = {{ webhook_url = "{url}/security", webhook_sharedsecret = "s" }}
[[alerts.endpoint_configs]]
name = "net-hook"
endpoint = "webhook"
conf_params = {{ webhook_url = "{url}/network" }}
[[alerts.recipients]]
name = "security-team"
endpoint_config = "sec-hook"
user_script_categories = ["security"]
[[alerts.recipients]]
name = "network-team"
endpoint_config = "net-hook"
user_script_categories = ["network"]
minimum_severity = "emergency"
"#,
            data = dir.path().join("data").display().to_string(),
            flooder = flooder.display().to_string(),
            webhook = webhook.display().to_string(),
        ),
    )
    .unwrap();
    let o = weir(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--pcap",
        pcap.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reqs = got.lock().unwrap().clone();
    assert!(!reqs.is_empty(), "no webhook request\n{}", stderr(&o));
    let mut scripts = std::collections::BTreeSet::new();
    for (path, body) in &reqs {
        // The network team wants emergencies only: nothing reaches it.
        assert_eq!(path, "/security", "{body}");
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["version"], "0.2");
        let alerts = v["alerts"].as_array().unwrap();
        assert!(!alerts.is_empty() && alerts.len() <= 10);
        for a in alerts {
            let j: Value = serde_json::from_str(a["alert_json"].as_str().unwrap()).unwrap();
            scripts.insert(
                j["alert_generation"]["script_key"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            );
            assert!(a["alert_severity"].as_u64().unwrap() >= 3, "{a}");
            assert!(["engage", "release", "store"].contains(&a["action"].as_str().unwrap()));
        }
    }
    // Only the security scripts' alerts (not network_flooder's).
    assert!(scripts.contains("syn_flood_victim"), "{scripts:?}");
    assert!(!scripts.contains("network_flooder"), "{scripts:?}");
}

const CHAT: &str = r#"
local json = require("dkjson")
local ep = { name = "Chat", EXPORT_FREQUENCY = 5,
  conf_params = { { param_name = "api_url" } }, recipient_params = { { param_name = "channel" } } }
function ep.dequeueRecipientAlerts(r, budget, high)
  local s = ntop.recipient_dequeue(r.recipient_id, high)
  if not s then return { success = true, more_available = false } end
  ntop.httpPost(r.endpoint_conf.api_url, json.encode({ chat_id = r.recipient_params.channel, text = s }))
  return { success = true, more_available = true }
end
function ep.runTest(r)
  local rc = ntop.httpPost(r.endpoint_conf.api_url, json.encode({ chat_id = r.recipient_params.channel, text = "test" }))
  return rc.RESPONSE_CODE == 200, "HTTP " .. rc.RESPONSE_CODE
end
return ep
"#;

#[test]
fn recipients_over_rest_are_kept_tested_and_admin_only() {
    use crate::web_support::*;
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 20);
    let plugin = dir.path().join("chat");
    std::fs::create_dir_all(plugin.join("alert_endpoints")).unwrap();
    std::fs::write(plugin.join("alert_endpoints/chat.lua"), CHAT).unwrap();
    let (url, got) = http_server();
    let data = dir.path().join("data");
    let admin = basic("admin", ADMIN_PASSWORD);
    const JSON: &str = "application/json";
    let start = || {
        let w = Weir::start(&pcap, &data, &["--plugins", plugin.to_str().unwrap()]);
        // 503 until the run has started its endpoints.
        w.wait_until(30, "alert endpoints", |w| {
            w.get_json("/api/v1/alert_endpoints").0 == 200
        });
        w
    };
    let w = start();
    let (s, v) = w.get_json("/api/v1/alert_endpoints");
    assert_eq!(s, 200, "{v}");
    let chat = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "chat")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(chat["recipient_params"][0]["name"], "channel");
    let (s, v) = request(
        &w.url("/api/v1/alert_endpoints/configs"),
        "POST",
        Some(&admin),
        &[],
        Some((
            JSON,
            &format!(
                r#"{{"name":"c1","endpoint":"chat","conf_params":{{"api_url":"{url}/send"}}}}"#
            ),
        )),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = request(
        &w.url("/api/v1/alert_endpoints/recipients"),
        "POST",
        Some(&admin),
        &[],
        Some((JSON, r#"{"name":"ops","endpoint_config":"c1"}"#)),
    );
    assert_eq!(s, 400, "{v}");
    assert!(v.to_string().contains("missing mandatory parameter"), "{v}");
    let (s, v) = request(
        &w.url("/api/v1/alert_endpoints/recipients"),
        "POST",
        Some(&admin),
        &[],
        Some((
            JSON,
            r#"{"name":"ops","endpoint_config":"c1","recipient_params":{"channel":"@ops"},"minimum_severity":"warning"}"#,
        )),
    );
    assert_eq!(s, 201, "{v}");
    let id = v["recipient_id"].as_u64().unwrap();
    let (s, v) = request(
        &w.url(&format!("/api/v1/alert_endpoints/recipients/{id}/test")),
        "POST",
        Some(&admin),
        &[],
        None,
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["message"], "HTTP 200");
    let reqs = got.lock().unwrap().clone();
    assert!(
        reqs.iter()
            .any(|(p, b)| p == "/send" && b.contains("\"test\"")),
        "{reqs:?}"
    );
    // A read-only user lists but changes nothing.
    let (s, v) = request(
        &w.url("/api/v1/users"),
        "POST",
        Some(&admin),
        &[],
        Some((
            JSON,
            r#"{"name":"viewer","password":"viewer-password","role":"viewer"}"#,
        )),
    );
    assert_eq!(s, 201, "{v}");
    let viewer = basic("viewer", "viewer-password");
    let (s, _) = request(
        &w.url("/api/v1/alert_endpoints/recipients"),
        "GET",
        Some(&viewer),
        &[],
        None,
    );
    assert_eq!(s, 200);
    for (method, path) in [
        (
            "POST",
            format!("/api/v1/alert_endpoints/recipients/{id}/test"),
        ),
        ("DELETE", format!("/api/v1/alert_endpoints/recipients/{id}")),
        ("DELETE", "/api/v1/alert_endpoints/configs/c1".to_owned()),
    ] {
        let (s, v) = request(&w.url(&path), method, Some(&viewer), &[], None);
        assert_eq!(s, 403, "{method} {path}: {v}");
    }
    w.stop();

    // Kept in the data directory; deleted over REST.
    let w = start();
    let (s, v) = w.get_json("/api/v1/alert_endpoints/recipients");
    assert_eq!(s, 200, "{v}");
    let rec = &v["data"][0];
    assert_eq!(
        (rec["recipient_name"].as_str(), rec["origin"].as_str()),
        (Some("ops"), Some("api")),
        "{v}"
    );
    assert_eq!(rec["minimum_severity"], "warning");
    let (s, _) = request(
        &w.url(&format!("/api/v1/alert_endpoints/recipients/{id}")),
        "DELETE",
        Some(&admin),
        &[],
        None,
    );
    assert_eq!(s, 204);
    let (s, v) = w.get_json("/api/v1/alert_endpoints/recipients");
    assert_eq!((s, v["total"].as_u64()), (200, Some(0)), "{v}");
    w.stop();
}
