//! Many probes into one ClickHouse, end to end: real `weir run` processes and a real
//! `clickhouse-server` (Debian's, installed by `cargo xtask setup`; started by
//! weir-history's test support on free loopback ports in a temporary directory). Skips
//! loudly when the server is not installed.

use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../../../weir-history/tests/support/clickhouse.rs"]
mod server;

use crate::common::{Daemon, generate, stderr, stdout, weir, weir_cmd};
use server::ClickHouse;

/// Flows of a capture (`weir flows`).
fn flow_count(pcap: &str) -> u64 {
    let o = weir(&["flows", pcap, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).lines().count() as u64
}

/// Stored alerts (past and flow tables) of a data directory.
fn stored_alerts(data: &str) -> u64 {
    ["--past", "--flow"]
        .iter()
        .map(|t| {
            let o = weir(&[
                "alerts",
                "--data-dir",
                data,
                t,
                "--json",
                "--limit",
                "1000000",
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            stdout(&o).lines().count() as u64
        })
        .sum()
}

/// Distinct flows of a probe (by key and first packet) and rows.
fn rows_and_distinct(ch: &ClickHouse, db: &str, probe: &str) -> (u64, u64) {
    (
        ch.count(&format!("SELECT count() FROM {db}.flows WHERE probe = '{probe}'")),
        ch.count(&format!(
            "SELECT uniqExact(first_seen_us, cli_ip, cli_port, srv_ip, srv_port, l4, vlan, interface) \
             FROM {db}.flows WHERE probe = '{probe}'"
        )),
    )
}

fn summary(out: &str) -> Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn two_probes_write_every_flow_and_alert_once() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = generate(dir.path(), "a.pcap", "400", "11");
    let b = generate(dir.path(), "b.pcap", "250", "12");
    let url = format!("{}/probes", ch.url);
    let run = |pcap: &str, probe: &str| {
        let data = dir.path().join(probe);
        let mut c = weir_cmd();
        c.args([
            "run",
            "--pcap",
            pcap,
            "-q",
            "--json",
            "--clickhouse",
            &url,
            "--probe-name",
            probe,
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        c.spawn().unwrap()
    };
    // Concurrently.
    let pa = run(&a, "site-a");
    let pb = run(&b, "site-b");
    let oa = pa.wait_with_output().unwrap();
    let ob = pb.wait_with_output().unwrap();
    assert!(oa.status.success(), "{}", stderr(&oa));
    assert!(ob.status.success(), "{}", stderr(&ob));
    for (o, pcap, probe) in [(&oa, &a, "site-a"), (&ob, &b, "site-b")] {
        let s = summary(&stdout(o));
        let h = &s["history"];
        let flows = flow_count(pcap);
        assert_eq!(h["flows_written"], flows, "{probe}: {h}");
        assert_eq!(
            (h["flows_dropped"].as_u64(), h["errors"].as_u64()),
            (Some(0), Some(0)),
            "{h}"
        );
        assert_eq!(
            rows_and_distinct(&ch, "probes", probe),
            (flows, flows),
            "{probe}"
        );
        let data = dir.path().join(probe);
        let alerts = stored_alerts(data.to_str().unwrap());
        assert!(alerts > 0, "the generated traffic raises alerts");
        assert_eq!(h["alerts_written"], alerts, "{probe}: {h}");
        assert_eq!(
            ch.count(&format!(
                "SELECT count() FROM probes.alerts WHERE probe = '{probe}'"
            )),
            alerts,
            "{probe}"
        );
        assert_eq!(
            ch.count(&format!(
                "SELECT uniqExact(json) FROM probes.alerts WHERE probe = '{probe}'"
            )),
            alerts,
            "{probe}: no alert twice"
        );
        // With ClickHouse, the embedded store is not written.
        assert!(!data.join("history.sqlite").exists());
    }

    // Any process reads every probe's history: the CLI …
    let o = weir(&[
        "history",
        "flows",
        "--clickhouse",
        &url,
        "--probe",
        "site-b",
        "--json",
        "--limit",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = summary(&stdout(&o));
    assert_eq!(v["total"], flow_count(&b));
    let o = weir(&["history", "probes", "--clickhouse", &url]);
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), ["site-a", "site-b"]);

    // … and `weir serve`, which captures nothing.
    let mut cmd = weir_cmd();
    cmd.env("WEIR_ADMIN_PASSWORD", "many-probes-pass")
        .args([
            "serve",
            "--web",
            "127.0.0.1:0",
            "--clickhouse",
            &url,
            "--data-dir",
        ])
        .arg(dir.path().join("central"));
    let mut d = Daemon::spawn(cmd);
    let line = d.wait_for("web UI listening on http://");
    let base = line[line.find("http://").unwrap()..]
        .trim_end_matches('/')
        .to_string();
    let auth = crate::web_support::basic("admin", "many-probes-pass");
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    let get = |path: &str| -> Value {
        let mut r = agent
            .get(format!("{base}{path}"))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    };
    let v = get("/api/v1/flows/history?limit=5");
    assert_eq!(v["total"], flow_count(&a) + flow_count(&b));
    assert!(v["source"].as_str().unwrap().starts_with("clickhouse "));
    let v = get("/api/v1/flows/history/top?by=probe");
    let probes: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(probes.len(), 2);
    let v = get("/api/v1/flows/history?probe=site-a&limit=1");
    assert_eq!(v["total"], flow_count(&a));
}

#[test]
fn kill9_during_a_paced_replay_loses_and_duplicates_nothing() {
    let Some(mut ch) = ClickHouse::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The generated capture spans about ten minutes of packet time: at 60× about 10 s.
    let pcap = generate(dir.path(), "k.pcap", "300", "21");
    let url = format!("{}/k9", ch.url);
    let config = dir.path().join("weir.toml");
    // Small, frequent batches, so that some are in flight when the server dies.
    std::fs::write(&config, "[clickhouse]\nbatch_rows = 50\nflush_ms = 100\n").unwrap();
    let mut c = weir_cmd();
    c.args([
        "run",
        "--pcap",
        &pcap,
        "-q",
        "--json",
        "--replay-speed",
        "60",
        "--probe-name",
        "paced",
    ])
    .args(["--clickhouse", &url, "--config"])
    .arg(&config)
    .arg("--data-dir")
    .arg(dir.path().join("data"))
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = c.spawn().unwrap();
    let started = Instant::now();
    // Wait until rows arrive, then kill the server while the replay goes on.
    while ch
        .sql("SELECT count() FROM k9.flows")
        .map(|t| t.trim().parse::<u64>().unwrap_or(0))
        .unwrap_or(0)
        == 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no rows arrived"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    ch.kill9();
    std::thread::sleep(Duration::from_secs(3));
    ch.restart();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let s = summary(&stdout(&o));
    let h = &s["history"];
    let flows = flow_count(&pcap);
    assert!(
        h["batches_spooled"].as_u64().unwrap() > 0,
        "the server was down during the run: {h}"
    );
    assert_eq!(h["flows_written"], flows, "{h}");
    assert_eq!(h["flows_dropped"], 0, "{h}");
    assert_eq!(rows_and_distinct(&ch, "k9", "paced"), (flows, flows));
    assert_eq!(
        ch.count("SELECT uniqExact(json) FROM k9.alerts"),
        ch.count("SELECT count() FROM k9.alerts")
    );
    assert_eq!(
        ch.count("SELECT count() FROM k9.alerts"),
        h["alerts_written"].as_u64().unwrap()
    );
}

#[test]
fn refused_inserts_are_reported_and_the_run_goes_on() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "r.pcap", "50", "31");
    let config = dir.path().join("weir.toml");
    std::fs::write(
        &config,
        format!(
            "[clickhouse]\nurl = \"{}/refused\"\nuser = \"weir\"\npassword = \"wrong\"\n",
            ch.url
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let o = weir_cmd()
        .args(["run", "--pcap", &pcap, "-q", "--json", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let s = summary(&stdout(&o));
    let h = &s["history"];
    assert!(h["errors"].as_u64().unwrap() > 0, "{h}");
    assert!(
        h["last_error"].as_str().unwrap().contains("password"),
        "{h}"
    );
    assert_eq!(h["flows_written"], 0, "{h}");
    assert_eq!(h["flows_dropped"], 0, "spooled, not lost: {h}");
    assert!(
        std::fs::read_dir(data.join("clickhouse-spool"))
            .unwrap()
            .count()
            > 0
    );
    assert!(
        stderr(&o).contains("password"),
        "the error is logged: {}",
        stderr(&o)
    );
    // Fixed credentials: the next start sends what the spool kept, once.
    std::fs::write(
        &config,
        format!(
            "[clickhouse]\nurl = \"{}/refused\"\nuser = \"weir\"\npassword = \"secret\"\n",
            ch.url
        ),
    )
    .unwrap();
    let o = weir_cmd()
        .args([
            "run",
            "--pcap",
            &pcap,
            "-q",
            "--json",
            "--probe-name",
            "again",
            "--config",
        ])
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let flows = flow_count(&pcap);
    assert_eq!(ch.count("SELECT count() FROM refused.flows"), 2 * flows);
    assert_eq!(
        ch.count("SELECT count() FROM refused.flows WHERE probe = 'again'"),
        flows
    );
}
