//! ntopng's REST API v2 compatibility layer, end to end: ntop's own Python client
//! (PyPI `ntopng`, installed unchanged) runs its `self_test()`s against
//! `weir run --web` on a generated capture whose traffic is of the last minutes (the
//! client's historical tests ask for "the last hour"); and every endpoint's answer is
//! checked against weir's own API over the same run.
//!
//! The client is installed once into `target/test-data/ntopng-py` (`cargo xtask
//! setup` does it too; `WEIR_NTOPNG_PY` may name another directory holding it). Without
//! python3 or pip access the client test says so loudly and skips; the Rust checks
//! always run.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::web_support::*;

/// The client version the tests run.
const CLIENT: &str = "ntopng==6.1.240321";
const JSON: &str = "application/json";

fn admin() -> String {
    basic("admin", ADMIN_PASSWORD)
}

/// The client's install directory, installing it on first use; `None` (and a loud
/// message) when it cannot be installed here.
fn client_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("WEIR_NTOPNG_PY") {
        return Some(PathBuf::from(d));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("test-data/ntopng-py");
    if dir.join("ntopng/ntopng.py").is_file() && dir.join("pandas").is_dir() {
        return Some(dir);
    }
    let tmp = target.join(format!("test-data/ntopng-py.tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let pip = |args: &[&str]| {
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&tmp)
            .args(args)
            .output()
    };
    // The client unchanged, and the two packages its modules import (its other
    // requirements serve only its PDF reports).
    for args in [&["--no-deps", CLIENT][..], &["requests", "pandas"][..]] {
        match pip(args) {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                eprintln!(
                    "SKIPPED: ntopng client tests: pip install {args:?} failed:\n{}",
                    String::from_utf8_lossy(&o.stderr)
                );
                return None;
            }
            Err(e) => {
                eprintln!("SKIPPED: ntopng client tests: cannot run python3 -m pip: {e}");
                return None;
            }
        }
    }
    // Another test process may have won the race: either copy is complete.
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Some(dir)
}

/// A finished replay of a capture whose traffic started 20 minutes ago.
fn recent_run(dir: &Path) -> Weir {
    let pcap = dir.join("recent.pcap");
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 1200;
    let o = Command::new(weir_bin())
        .args(["gen-pcap", "--flows", "300", "--out"])
        .arg(&pcap)
        .args(["--start", &start.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let w = Weir::start(&pcap, &dir.join("data"), &[]);
    w.wait_until(180, "the replay to end", |w| {
        request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
    });
    w
}

/// GET an ntopng endpoint as admin: (status, envelope).
fn v2(w: &Weir, path: &str) -> (u16, Value) {
    request(&w.url(path), "GET", Some(&admin()), &[], None)
}

/// The `rsp` of a successful ntopng answer.
fn rsp(w: &Weir, path: &str) -> Value {
    let (s, v) = v2(w, path);
    assert_eq!(s, 200, "{path}: {v}");
    assert_eq!(
        (v["rc"].clone(), v["rc_str"].clone()),
        (0.into(), "OK".into()),
        "{path}: {v}"
    );
    v["rsp"].clone()
}

/// A host with active flows (the client of the largest flow).
fn busy_host(w: &Weir) -> String {
    let f = rsp(
        w,
        "/lua/rest/v2/get/flow/active.lua?ifid=0&currentPage=1&perPage=1",
    );
    f["data"][0]["client"]["ip"].as_str().unwrap().to_string()
}

#[test]
fn ntop_python_client_self_tests_pass() {
    let Some(client) = client_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let w = recent_run(dir.path());
    let host = busy_host(&w);
    // A token for the client's token authentication.
    let (s, t) = request(
        &w.url("/api/v1/tokens"),
        "POST",
        Some(&admin()),
        &[],
        Some((JSON, r#"{"name": "ntopng-client"}"#)),
    );
    assert_eq!(s, 201, "{t}");
    let token = t["token"].as_str().unwrap();
    let script = dir.path().join("selftest.py");
    std::fs::write(
        &script,
        r#"
import sys
from ntopng.ntopng import Ntopng
from ntopng.interface import Interface
from ntopng.host import Host
from ntopng.historical import Historical

url, user, password, token, host = sys.argv[1:6]
basic = Ntopng(user, password, None, url)
basic.self_test()
Interface(basic, 0).self_test()
Host(basic, 0, host).self_test()
# get_host_top_protocols concatenates the interface id as text.
Historical(basic, "0").self_test(host)
by_token = Ntopng(None, None, token, url)
by_token.self_test()
Interface(by_token, 0).self_test()
print("interfaces:", by_token.get_interfaces_list())
print("host interfaces:", by_token.get_host_interfaces_list(host))
print("ALL SELF TESTS PASSED")
"#,
    )
    .unwrap();
    let o = Command::new("python3")
        .arg(&script)
        .args([&w.base, "admin", ADMIN_PASSWORD, token, &host])
        .env("PYTHONPATH", &client)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && out.contains("ALL SELF TESTS PASSED"),
        "the ntopng client's self tests failed\nstdout:\n{out}\nstderr:\n{err}\nweir:\n{}",
        w.stderr.lock().unwrap()
    );
    // What they printed is weir's data: the host's flows and this run's interface.
    assert!(out.contains(&host), "{out}");
    assert!(out.contains("recent.pcap"), "{out}");
    // Wrong credentials: the client refuses to connect (no JSON answer to accept).
    let o = Command::new("python3")
        .args([
            "-c",
            "import sys\nfrom ntopng.ntopng import Ntopng\ntry:\n  Ntopng('admin','wrong',None,sys.argv[1])\nexcept ValueError:\n  print('REFUSED')",
        ])
        .arg(&w.base)
        .env("PYTHONPATH", &client)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("REFUSED"));
}

#[test]
fn ntopng_endpoints_answer_weirs_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let w = recent_run(dir.path());
    let v1 = |p: &str| {
        let (s, v) = w.get_json(p);
        assert_eq!(s, 200, "{p}: {v}");
        v
    };

    // Interfaces and interface data.
    let ifs = rsp(&w, "/lua/rest/v2/get/ntopng/interfaces.lua");
    assert_eq!(ifs[0]["ifid"], 0);
    assert_eq!(ifs[0]["ifname"], "recent.pcap");
    let i = rsp(&w, "/lua/rest/v2/get/interface/data.lua?ifid=0");
    let api_if = v1("/api/v1/interfaces/0");
    assert_eq!(i["bytes"], api_if["bytes"]);
    assert_eq!(i["packets"], api_if["packets"]);
    assert_eq!(i["num_flows"], api_if["flows_active"]);
    assert_eq!(i["num_hosts"], api_if["hosts_active"]);
    let (s, bad) = v2(&w, "/lua/rest/v2/get/interface/data.lua?ifid=7");
    assert_eq!(
        (s, bad["rc_str"].as_str()),
        (400, Some("INVALID_INTERFACE")),
        "{bad}"
    );
    let (s, bad) = v2(&w, "/lua/rest/v2/get/interface/data.lua?ifid=x");
    assert_eq!((s, bad["rc"].as_i64()), (400, Some(-2)), "{bad}");

    // L7 stats: the interface's bytes per protocol, largest first, limited.
    let l7 = rsp(
        &w,
        "/lua/rest/v2/get/interface/l7/stats.lua?ifid=0&max_values=3&ndpi_category=true",
    );
    let l7 = l7.as_array().unwrap();
    assert_eq!(l7.len(), 3);
    let api_l7 = v1("/api/v1/interfaces/0/l7?limit=3");
    for (a, b) in l7.iter().zip(api_l7["data"].as_array().unwrap()) {
        assert_eq!(
            (a["label"].clone(), a["bytes"].clone()),
            (b["proto"].clone(), b["bytes"].clone())
        );
        assert!(a["category"].is_string());
    }

    // Hosts: all, paged, sorted; the same totals as /api/v1/hosts.
    let api_hosts = v1("/api/v1/hosts?limit=1000");
    let total = api_hosts["total"].as_u64().unwrap();
    let all = rsp(&w, "/lua/rest/v2/get/host/active.lua?ifid=0&all=true");
    assert_eq!(all["totalRows"], total);
    assert_eq!(all["data"].as_array().unwrap().len() as u64, total);
    let p2 = rsp(
        &w,
        "/lua/rest/v2/get/host/active.lua?ifid=0&currentPage=2&perPage=5",
    );
    assert_eq!(
        p2["data"].as_array().unwrap().len() as u64,
        5.min(total.saturating_sub(5))
    );
    assert_eq!(
        p2["data"][0]["ip"], all["data"][5]["ip"],
        "page 2 starts at row 6"
    );
    let traffic: Vec<u64> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["bytes"]["total"].as_u64().unwrap())
        .collect();
    assert!(
        traffic.windows(2).all(|x| x[0] >= x[1]),
        "by traffic, descending"
    );
    let local = rsp(
        &w,
        "/lua/rest/v2/get/host/active.lua?ifid=0&all=true&mode=local",
    );
    let api_local = v1("/api/v1/hosts?local=true&limit=1000");
    assert_eq!(local["totalRows"], api_local["total"]);

    // Top talkers: local ones are local hosts, by traffic.
    let top = rsp(
        &w,
        "/lua/pro/rest/v2/get/interface/top/local/talkers.lua?ifid=0",
    );
    let top = top["hosts"].as_array().unwrap();
    assert!(!top.is_empty() && top.len() <= 10);
    assert_eq!(top[0]["ip"], local["data"][0]["ip"]);
    let remote = rsp(
        &w,
        "/lua/pro/rest/v2/get/interface/top/remote/talkers.lua?ifid=0",
    );
    for h in remote["hosts"].as_array().unwrap() {
        assert!(
            !local["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["ip"] == h["ip"])
        );
    }

    // Flows: paged, per host; L4/L7 counters sum to the active flows.
    let api_flows = v1("/api/v1/flows?limit=1000");
    let nflows = api_flows["total"].as_u64().unwrap();
    let flows = rsp(
        &w,
        "/lua/rest/v2/get/flow/active.lua?ifid=0&currentPage=1&perPage=100",
    );
    assert_eq!(flows["totalRows"], nflows);
    let host = busy_host(&w);
    let hf = rsp(
        &w,
        &format!("/lua/rest/v2/get/flow/active.lua?ifid=0&host={host}&perPage=1000"),
    );
    let api_hf = v1(&format!("/api/v1/flows?host={host}&limit=1000"));
    assert_eq!(hf["totalRows"], api_hf["total"]);
    assert!(
        hf["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["client"]["ip"] == host.as_str() || f["server"]["ip"] == host.as_str())
    );
    let sum = |v: &Value| -> u64 {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        sum(&rsp(&w, "/lua/rest/v2/get/flow/l4/counters.lua?ifid=0")),
        nflows
    );
    assert_eq!(
        sum(&rsp(&w, "/lua/rest/v2/get/flow/l7/counters.lua?ifid=0")),
        nflows
    );

    // Host data, L7, DSCP, interfaces.
    let h = rsp(
        &w,
        &format!("/lua/rest/v2/get/host/data.lua?ifid=0&host={host}"),
    );
    let api_h = v1(&format!("/api/v1/hosts/{host}"));
    assert_eq!(h["bytes.sent"], api_h["bytes.sent"]);
    assert_eq!(
        h["bytes"]["total"].as_u64().unwrap(),
        api_h["bytes.sent"].as_u64().unwrap() + api_h["bytes.rcvd"].as_u64().unwrap()
    );
    let hl7 = rsp(
        &w,
        &format!("/lua/rest/v2/get/host/l7/stats.lua?ifid=0&host={host}"),
    );
    let l7_bytes: u64 = hl7
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    let api_l7_bytes: u64 = v1(&format!("/api/v1/hosts/{host}/l7"))["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(l7_bytes, api_l7_bytes);
    for dir in ["sent", "recvd"] {
        let d = rsp(
            &w,
            &format!("/lua/rest/v2/get/host/dscp/stats.lua?ifid=0&host={host}&direction={dir}"),
        );
        assert!(d.as_array().is_some(), "{d}");
    }
    let hi = rsp(
        &w,
        &format!("/lua/rest/v2/get/host/interfaces.lua?host={host}"),
    );
    assert_eq!(hi[&host], serde_json::json!([{"ifid": 0}]));
    let (s, nf) = v2(
        &w,
        "/lua/rest/v2/get/host/data.lua?ifid=0&host=203.0.113.254",
    );
    assert_eq!((s, nf["rc_str"].as_str()), (404, Some("NOT_FOUND")));
    let (s, nf) = v2(&w, "/lua/rest/v2/get/host/data.lua?ifid=0&host=nope");
    assert_eq!((s, nf["rc_str"].as_str()), (400, Some("INVALID_HOST")));
    let dscp = rsp(&w, "/lua/rest/v2/get/interface/dscp/stats.lua?ifid=0");
    assert!(!dscp.as_array().unwrap().is_empty());
    rsp(&w, "/lua/rest/v2/get/interface/bcast_domains.lua?ifid=0");
    rsp(&w, "/lua/rest/v2/get/interface/address.lua?ifid=0");

    // Alerts: constants, counters, lists and top-N agree with /api/v1/alerts.
    let types = rsp(&w, "/lua/rest/v2/get/alert/type/consts.lua");
    assert!(types.as_array().unwrap().len() >= 60, "{types}");
    assert!(
        types
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "alert_flows_flood")
    );
    let sev = rsp(&w, "/lua/rest/v2/get/alert/severity/consts.lua");
    assert_eq!(sev.as_array().unwrap().len(), 8);
    let past = v1("/api/v1/alerts?kind=past&limit=1")["total"]
        .as_u64()
        .unwrap();
    let flow = v1("/api/v1/alerts?kind=flow&limit=1")["total"]
        .as_u64()
        .unwrap();
    assert!(past + flow > 0, "the generated attacks raise alerts");
    let by_type = rsp(
        &w,
        "/lua/rest/v2/get/alert/type/counters.lua?ifid=0&status=historical",
    );
    assert_eq!(sum(&by_type), past + flow);
    let by_sev = rsp(
        &w,
        "/lua/rest/v2/get/alert/severity/counters.lua?ifid=0&status=historical",
    );
    assert_eq!(sum(&by_sev), past + flow);
    let fl = rsp(
        &w,
        "/lua/rest/v2/get/flow/alert/list.lua?ifid=0&start=0&length=5&format=json",
    );
    assert_eq!(fl["recordsTotal"], flow);
    assert_eq!(fl["records"].as_array().unwrap().len() as u64, flow.min(5));
    let fl1 = rsp(&w, "/lua/rest/v1/get/flow/alert/list.lua?ifid=0&length=5");
    assert_eq!(fl1["recordsTotal"], flow);
    if flow > 0 {
        let cli = fl["records"][0]["cli_ip"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let by_cli = rsp(
            &w,
            &format!("/lua/rest/v2/get/flow/alert/list.lua?ifid=0&cli_ip={cli};eq&length=1000"),
        );
        let n = by_cli["recordsTotal"].as_u64().unwrap();
        assert!(
            n >= 1
                && by_cli["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r["cli_ip"]["value"] == cli.as_str())
        );
        let not_cli = rsp(
            &w,
            &format!("/lua/rest/v2/get/flow/alert/list.lua?ifid=0&cli_ip={cli};neq&length=1"),
        );
        assert_eq!(not_cli["recordsTotal"].as_u64().unwrap() + n, flow);
    }
    let hl = rsp(
        &w,
        "/lua/rest/v2/get/host/alert/list.lua?ifid=0&length=1000",
    );
    let api_host_past = v1("/api/v1/alerts?kind=past&entity=host&limit=1")["total"].clone();
    assert_eq!(hl["recordsTotal"], api_host_past);
    let top = rsp(&w, "/lua/rest/v2/get/alert/top.lua?ifid=0");
    assert_eq!(top["total"], past + flow);
    rsp(&w, "/lua/pro/rest/v2/get/flow/alert/top.lua?ifid=0");

    // The alert database with ntopng's clauses: parsed, evaluated, limited.
    let q = "/lua/rest/v2/get/alert/list/alerts.lua?ifid=0&alert_family=flow&select_clause=alert_id,COUNT(*)&group_by=alert_id&order_by=COUNT(*)%20DESC&maxhits_clause=100";
    let groups = rsp(&w, q);
    let grouped: u64 = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["COUNT(*)"].as_u64().unwrap())
        .sum();
    assert_eq!(grouped, flow);
    let rows = rsp(
        &w,
        "/lua/rest/v2/get/alert/list/alerts.lua?ifid=0&alert_family=flow&select_clause=*&where_clause=severity%3E%3D0%20AND%20proto%20IN%20(6,17,1)&maxhits_clause=3&order_by_clause=epoch_begin",
    );
    assert!(rows.as_array().unwrap().len() as u64 <= 3);
    for bad in [
        "where_clause=1%3D1%3B%20DROP%20TABLE%20flow_alerts",
        "where_clause=password%3D'x'",
        "select_clause=*%20FROM%20users",
        "maxhits_clause=10%20UNION%20SELECT%201",
        "order_by=sleep(1)",
    ] {
        let (s, v) = v2(
            &w,
            &format!("/lua/rest/v2/get/alert/list/alerts.lua?ifid=0&alert_family=flow&{bad}"),
        );
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["rc_str"], "BAD_FORMAT", "{bad}: {v}");
    }
    let (s, _) = v2(
        &w,
        "/lua/rest/v2/get/alert/list/alerts.lua?ifid=0&alert_family=users",
    );
    assert_eq!(s, 400);

    // Timeseries: consts and the interface traffic of the replay.
    let ts = rsp(&w, "/lua/rest/v2/get/timeseries/type/consts.lua");
    assert!(
        ts.as_array()
            .unwrap()
            .iter()
            .any(|s| s["schema"] == "iface:traffic_rxtx")
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = format!(
        r#"{{"ts_schema": "iface:traffic_rxtx", "ts_query": "ifid:0", "epoch_begin": {}, "epoch_end": {now}}}"#,
        now - 3600
    );
    let (s, t) = request(
        &w.url("/lua/rest/v2/get/timeseries/ts.lua"),
        "POST",
        Some(&admin()),
        &[],
        Some((JSON, &body)),
    );
    assert_eq!(s, 200, "{t}");
    let t = &t["rsp"];
    let count = t["count"].as_u64().unwrap();
    assert_eq!(t["step"], 60);
    for series in t["series"].as_array().unwrap() {
        assert_eq!(series["data"].as_array().unwrap().len() as u64, count);
    }
    assert!(
        t["statistics"]["total"].as_f64().unwrap() > 0.0,
        "the replay's traffic is in the last hour: {t}"
    );
    let (s, t) = v2(
        &w,
        "/lua/rest/v2/get/timeseries/ts.lua?ts_schema=nope:x&ts_query=ifid:0",
    );
    assert_eq!((s, t["rc_str"].as_str()), (404, Some("NOT_FOUND")));

    // Historical flows: the same store as /api/v1/flows/history on this run.
    let api = v1("/api/v1/flows/history?limit=1000");
    let total = api["total"].as_u64().unwrap();
    assert!(total > 300, "total {total}");
    let key = |c: &Value, cp: &Value, sv: &Value, sp: &Value, b: &Value| {
        format!("{c}:{cp}>{sv}:{sp}={b}")
    };
    let want: Vec<String> = api["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let b = f["cli2srv_bytes"].as_u64().unwrap() + f["srv2cli_bytes"].as_u64().unwrap();
            key(
                &f["cli_ip"],
                &f["cli_port"],
                &f["srv_ip"],
                &f["srv_port"],
                &b.into(),
            )
        })
        .collect();
    let db = |body: &str| {
        let (s, f) = request(
            &w.url("/lua/pro/rest/v2/get/db/flows.lua"),
            "POST",
            Some(&admin()),
            &[],
            Some((JSON, body)),
        );
        assert_eq!((s, f["rc"].as_i64()), (200, Some(0)), "{body}: {f}");
        f["rsp"].as_array().unwrap().clone()
    };
    let rows = db(
        r#"{"ifid": 0, "select_clause": "IPV4_SRC_ADDR,IPV6_SRC_ADDR,IP_SRC_PORT,IPV4_DST_ADDR,IPV6_DST_ADDR,IP_DST_PORT,TOTAL_BYTES,L7_PROTO", "maxhits_clause": 1000}"#,
    );
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            // One address family per row: the other is null.
            let ip = |v4: &str, v6: &str| {
                if r[v4].is_null() {
                    r[v6].clone()
                } else {
                    r[v4].clone()
                }
            };
            key(
                &ip("IPV4_SRC_ADDR", "IPV6_SRC_ADDR"),
                &r["IP_SRC_PORT"],
                &ip("IPV4_DST_ADDR", "IPV6_DST_ADDR"),
                &r["IP_DST_PORT"],
                &r["TOTAL_BYTES"],
            )
        })
        .collect();
    // The newest 1000, in the store's order, as /api/v1/flows/history has them.
    assert_eq!(got.len(), 1000);
    assert_eq!(
        got, want,
        "the replay's flows, as /api/v1/flows/history has them"
    );
    let all = db(r#"{"ifid": 0, "select_clause": "COUNT(*)"}"#);
    assert_eq!(all[0]["COUNT(*)"].as_u64(), Some(total), "{all:?}");
    assert!(rows.iter().any(|r| r["L7_PROTO"].as_i64() > Some(0)));
    // The where clause keeps what it says, and agrees with the aggregate.
    let udp = db(
        r#"{"ifid": 0, "select_clause": "PROTOCOL", "where_clause": "PROTOCOL=17", "maxhits_clause": 10000}"#,
    );
    assert!(!udp.is_empty() && udp.iter().all(|r| r["PROTOCOL"] == 17));
    let count = db(r#"{"ifid": 0, "select_clause": "COUNT(*)", "where_clause": "PROTOCOL=17"}"#);
    let n = count[0]["COUNT(*)"].as_u64().unwrap();
    assert_eq!(udp.len() as u64, n.min(10_000), "{count:?}");
    // maxhits and an order: the largest flows first.
    let top = db(
        r#"{"ifid": 0, "select_clause": "TOTAL_BYTES", "order_by_clause": "TOTAL_BYTES DESC", "maxhits_clause": 5}"#,
    );
    let top: Vec<i64> = top
        .iter()
        .filter_map(|r| r["TOTAL_BYTES"].as_i64())
        .collect();
    let max = db(r#"{"ifid": 0, "select_clause": "MAX(TOTAL_BYTES)"}"#);
    assert_eq!(top.len(), 5);
    assert_eq!(Some(top[0]), max[0]["MAX(TOTAL_BYTES)"].as_i64(), "{max:?}");
    assert!(top.windows(2).all(|w| w[0] >= w[1]), "{top:?}");
    // Top conversations over the same store.
    let topk = rsp(
        &w,
        "/lua/pro/rest/v2/get/db/topk_flows.lua?ifid=0&maxhits_clause=3",
    );
    assert_eq!(topk.as_array().unwrap().len(), 3, "{topk}");
    let (s, f) = request(
        &w.url("/lua/pro/rest/v2/get/db/flows.lua"),
        "POST",
        Some(&admin()),
        &[],
        Some((JSON, r#"{"ifid": 0, "where_clause": "PROTOCOL=6 OR 1=1"}"#)),
    );
    assert_eq!((s, f["rc_str"].as_str()), (400, Some("BAD_FORMAT")), "{f}");

    // Authentication: Basic, Token, none; checks toggled by admins only.
    let (s, v) = request(
        &w.url("/lua/rest/v2/get/ntopng/interfaces.lua"),
        "GET",
        None,
        &[],
        None,
    );
    assert_eq!((s, v["rc_str"].as_str()), (401, Some("NOT_GRANTED")));
    // The clients' credentials test refuses without JSON (they take any JSON as a
    // working login).
    let (s, _, text) = request_full(
        &w.url("/lua/rest/v2/connect/test.lua"),
        "GET",
        Some(&basic("admin", "wrong")),
        &[],
        None,
    );
    assert_eq!((s, text.trim()), (401, "authentication required"));
    let (_, t) = request(
        &w.url("/api/v1/tokens"),
        "POST",
        Some(&admin()),
        &[],
        Some((JSON, r#"{"name": "t"}"#)),
    );
    let token = format!("Token {}", t["token"].as_str().unwrap());
    let (s, v) = request(
        &w.url("/lua/rest/v2/connect/test.lua"),
        "GET",
        Some(&token),
        &[],
        None,
    );
    assert_eq!((s, v["rsp"]["user"].as_str()), (200, Some("admin")), "{v}");
    let (s, _) = request(
        &w.url("/lua/rest/v2/connect/test.lua"),
        "GET",
        Some("Token weir_nope"),
        &[],
        None,
    );
    assert_eq!(s, 401);
    let (s, v) = v2(&w, "/lua/rest/v2/get/nothing/here.lua");
    assert_eq!((s, v["rc_str"].as_str()), (404, Some("NOT_FOUND")));

    let check = |path: &str, auth: &str| {
        request(
            &w.url(path),
            "POST",
            Some(auth),
            &[],
            Some((
                JSON,
                r#"{"check_subdir": "host", "script_key": "syn_flood_victim"}"#,
            )),
        )
    };
    let (s, v) = check("/lua/rest/v1/disable/check.lua", &admin());
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["rsp"]["success"], true);
    assert_eq!(
        v1("/api/v1/scripts/host/syn_flood_victim")["enabled"],
        false
    );
    let (s, _) = check("/lua/rest/v1/enable/check.lua", &admin());
    assert_eq!(s, 200);
    assert_eq!(v1("/api/v1/scripts/host/syn_flood_victim")["enabled"], true);
    let (s, u) = request(
        &w.url("/api/v1/users"),
        "POST",
        Some(&admin()),
        &[],
        Some((
            JSON,
            r#"{"name": "ro", "password": "viewer-password", "role": "viewer"}"#,
        )),
    );
    assert_eq!(s, 201, "{u}");
    let (s, v) = check(
        "/lua/rest/v1/disable/check.lua",
        &basic("ro", "viewer-password"),
    );
    assert_eq!((s, v["rc_str"].as_str()), (403, Some("NOT_GRANTED")), "{v}");
    let (s, v) = request(
        &w.url("/lua/rest/v1/enable/check.lua"),
        "POST",
        Some(&admin()),
        &[],
        Some((
            JSON,
            r#"{"check_subdir": "host", "script_key": "no_such_check"}"#,
        )),
    );
    assert_eq!((s, v["rc_str"].as_str()), (404, Some("NOT_FOUND")), "{v}");
}

#[test]
fn broadcast_domains_of_a_real_capture() {
    let pcap = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/pcaps/ntopng-e2e/bcast_domains.pcap");
    if !pcap.is_file() {
        eprintln!(
            "SKIPPED: {} is absent: no real ARP capture to check broadcast domains on (CI has ../shared)",
            pcap.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let w = Weir::start(&pcap, &dir.path().join("data"), &[]);
    w.wait_until(120, "the replay to end", |w| {
        request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
    });
    let b = rsp(&w, "/lua/rest/v2/get/interface/bcast_domains.lua?ifid=0");
    let list = b["bcast_domains"].as_array().unwrap();
    assert!(!list.is_empty(), "ARP senders make broadcast domains: {b}");
    for d in list {
        assert!(d["network"].as_str().unwrap().ends_with("/24"), "{d}");
        assert!(d["hits"].as_u64().unwrap() > 0, "{d}");
    }
}
