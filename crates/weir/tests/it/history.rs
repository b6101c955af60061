//! The flow history end to end: `weir run` records every ended flow in the embedded
//! store, `weir history` and `weir serve` (REST) read it with filters, paging and top-N.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{Daemon, generate, one_line_error, stderr, stdout, weir, weir_cmd};

/// `weir flows --json` of a capture: one object per flow, keyed by its endpoints.
fn reference_flows(pcap: &str) -> Vec<Value> {
    let o = weir(&["flows", pcap, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn key_of_reference(f: &Value) -> String {
    format!(
        "{}:{} {}:{} {}",
        f["cli.ip"].as_str().unwrap(),
        f["cli.port"],
        f["srv.ip"].as_str().unwrap(),
        f["srv.port"],
        f["bytes"]
    )
}

fn key_of_history(f: &Value) -> String {
    format!(
        "{}:{} {}:{} {}",
        f["cli_ip"].as_str().unwrap(),
        f["cli_port"],
        f["srv_ip"].as_str().unwrap(),
        f["srv_port"],
        f["cli2srv_bytes"].as_u64().unwrap() + f["srv2cli_bytes"].as_u64().unwrap()
    )
}

fn count(keys: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_default() += 1;
    }
    m
}

fn history_json(args: &[&str]) -> Value {
    let o = weir(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

#[test]
fn run_records_every_flow_and_history_reads_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "h.pcap", "300", "7");
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let o = weir(&[
        "run",
        "--pcap",
        &pcap,
        "--data-dir",
        data,
        "-q",
        "--json",
        "--probe-name",
        "lab",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let reference = reference_flows(&pcap);
    assert!(reference.len() > 300);
    assert_eq!(summary["history"]["flows_written"], reference.len());
    assert_eq!(summary["history"]["flows_dropped"], 0);
    assert_eq!(summary["history"]["probe"], "lab");

    // Every flow, once, with its final counters.
    let all = history_json(&[
        "history",
        "flows",
        "--data-dir",
        data,
        "--json",
        "--limit",
        "100000",
    ]);
    assert_eq!(all["total"], reference.len());
    let flows = all["flows"].as_array().unwrap();
    assert_eq!(
        count(flows.iter().map(key_of_history)),
        count(reference.iter().map(key_of_reference))
    );
    assert!(
        flows
            .iter()
            .all(|f| f["probe"] == "lab" && f["interface"] == pcap.as_str())
    );
    assert!(
        flows
            .iter()
            .all(|f| f["end_reason"] == "idle" || f["end_reason"] == "shutdown")
    );

    // Filters agree with the reference.
    let dns = reference
        .iter()
        .filter(|f| {
            let p = f["proto.ndpi"].as_str().unwrap();
            p == "DNS" || p.starts_with("DNS.") || p.ends_with(".DNS")
        })
        .count();
    assert!(dns > 0);
    let got = history_json(&[
        "history",
        "flows",
        "--data-dir",
        data,
        "--json",
        "--l7",
        "dns",
        "--limit",
        "1",
    ]);
    assert_eq!(got["total"], dns);
    assert_eq!(got["flows"].as_array().unwrap().len(), 1);
    let host = reference[0]["cli.ip"].as_str().unwrap();
    let with_host = reference
        .iter()
        .filter(|f| f["cli.ip"] == host || f["srv.ip"] == host)
        .count();
    let got = history_json(&[
        "history",
        "flows",
        "--data-dir",
        data,
        "--json",
        "--host",
        host,
    ]);
    assert_eq!(got["total"], with_host);
    let got = history_json(&[
        "history",
        "flows",
        "--data-dir",
        data,
        "--json",
        "--probe",
        "other",
    ]);
    assert_eq!(got["total"], 0);
    // The generated capture starts 2026-01-01 00:00 UTC and lasts minutes.
    let got = history_json(&[
        "history",
        "flows",
        "--data-dir",
        data,
        "--json",
        "--until",
        "2025-12-31",
    ]);
    assert_eq!(got["total"], 0);
    let got = history_json(&[
        "history",
        "flows",
        "--data-dir",
        data,
        "--json",
        "--since",
        "2026-01-01T00:00",
    ]);
    assert_eq!(got["total"], reference.len());

    // Top-N: the protocols' flows add up; talkers are sorted by bytes.
    let top = history_json(&[
        "history",
        "top",
        "--data-dir",
        data,
        "--json",
        "--by",
        "l7",
        "-n",
        "100",
    ]);
    let n: u64 = top
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["flows"].as_u64().unwrap())
        .sum();
    assert_eq!(n as usize, reference.len());
    let top = history_json(&[
        "history",
        "top",
        "--data-dir",
        data,
        "--json",
        "--by",
        "host",
    ]);
    let bytes: Vec<u64> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["bytes"].as_u64().unwrap())
        .collect();
    assert!(bytes.windows(2).all(|w| w[0] >= w[1]) && bytes.len() == 10);

    // The human table.
    let o = weir(&["history", "flows", "--data-dir", data, "--limit", "3"]);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(
        text.contains(&format!("3 of {} flows", reference.len())),
        "{text}"
    );
    let o = weir(&["history", "probes", "--data-dir", data]);
    assert_eq!(stdout(&o).trim(), "lab");

    // Bad input: one clear line.
    one_line_error(
        &weir(&[
            "history",
            "flows",
            "--data-dir",
            data,
            "--since",
            "yesterday",
        ]),
        "--since",
    );
    one_line_error(
        &weir(&["history", "top", "--data-dir", data, "--by", "color"]),
        "--by",
    );
    let empty = dir.path().join("empty");
    one_line_error(
        &weir(&["history", "flows", "--data-dir", empty.to_str().unwrap()]),
        "no flow history",
    );
    one_line_error(
        &weir(&["run", "--pcap", &pcap, "--clickhouse", "ftp://x"]),
        "--clickhouse",
    );
}

#[test]
fn no_history_writes_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "n.pcap", "20", "3");
    let data = dir.path().join("data");
    let o = weir(&[
        "run",
        "--pcap",
        &pcap,
        "--data-dir",
        data.to_str().unwrap(),
        "-q",
        "--no-history",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!data.join("history.sqlite").exists());
    let summary: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(summary.get("history").is_none());
}

/// `weir serve` of the data directory: the REST API and the page.
#[test]
fn serve_answers_history_queries() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "s.pcap", "100", "5");
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let o = weir(&[
        "run",
        "--pcap",
        &pcap,
        "--data-dir",
        data,
        "-q",
        "--probe-name",
        "p1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let total = reference_flows(&pcap).len();
    let mut cmd = weir_cmd();
    cmd.env("WEIR_ADMIN_PASSWORD", "history-test-pass").args([
        "serve",
        "--data-dir",
        data,
        "--web",
        "127.0.0.1:0",
    ]);
    let mut d = Daemon::spawn(cmd);
    let line = d.wait_for("web UI listening on http://");
    let base = line[line.find("http://").unwrap()..]
        .trim_end_matches('/')
        .to_string();
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    let auth = crate::web_support::basic("admin", "history-test-pass");
    let get = |path: &str| -> (u16, Value) {
        let mut r = agent
            .get(format!("{base}{path}"))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    };
    let (s, v) = get("/api/v1/flows/history?limit=7&offset=3");
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total"], total);
    assert_eq!(v["data"].as_array().unwrap().len(), 7);
    assert_eq!(
        (v["offset"].as_u64(), v["limit"].as_u64()),
        (Some(3), Some(7))
    );
    assert!(v["source"].as_str().unwrap().starts_with("sqlite "));
    let (s, v) = get("/api/v1/flows/history/top?by=l7&n=100&since=-100000d");
    assert_eq!(s, 200, "{v}");
    let n: u64 = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["flows"].as_u64().unwrap())
        .sum();
    assert_eq!(n as usize, total);
    let (s, v) = get("/api/v1/flows/history/probes");
    assert_eq!((s, v["data"].clone()), (200, serde_json::json!(["p1"])));
    for bad in [
        "/api/v1/flows/history?host=not-an-ip",
        "/api/v1/flows/history?since=soon",
        "/api/v1/flows/history?limit=0",
        "/api/v1/flows/history?color=red",
        "/api/v1/flows/history/top?by=color",
        "/api/v1/flows/history/top?n=1000",
        "/api/v1/flows/history?l7=%3Cscript%3E",
    ] {
        let (s, v) = get(bad);
        assert_eq!(s, 400, "{bad}: {v}");
        assert!(v["error"].is_string(), "{bad}: {v}");
    }
    let mut r = agent
        .get(format!("{base}/flows/history"))
        .header("Authorization", &auth)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.body_mut().read_to_string().unwrap();
    assert!(html.contains("Historical flows") && html.contains("/static/history.js"));
    let mut r = agent
        .get(format!("{base}/static/history.js"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.body_mut()
            .read_to_string()
            .unwrap()
            .contains("/api/v1/flows/history")
    );
    drop(d);
}
