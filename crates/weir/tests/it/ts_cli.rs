//! `weir ts`: a store written through the `weir-ts` API, read with the binary.

use std::process::Command;
use std::sync::Arc;

use weir_ts::{EmbeddedStore, MetricKind, Schema, SchemaRegistry, TsWriter};

const T0: u64 = 1_700_000_040;

fn weir(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(args)
        .env_remove("WEIR_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write_store(dir: &std::path::Path) {
    let store = EmbeddedStore::open_dir(dir).unwrap();
    let mut s = Schema::new("host:syn_received", 60, "plugins/syn/ts_schemas/min.lua").unwrap();
    s.add_tag("ifid").unwrap();
    s.add_tag("host").unwrap();
    s.add_metric("syn", MetricKind::Counter).unwrap();
    let mut reg = SchemaRegistry::with_builtins();
    let (s, _) = reg.define(s).unwrap();
    let flows: Arc<Schema> = reg.require("iface:flows").unwrap().clone();
    let mut w = store.writer().unwrap();
    for m in 0..=10u64 {
        for (h, per_min) in [("10.0.0.1", 60u64), ("10.0.0.2", 120)] {
            w.append(
                &s,
                vec!["0".into(), h.into()],
                vec![(m * per_min) as f64],
                T0 + 60 * m,
            )
            .unwrap();
        }
        w.append(&flows, vec!["0".into()], vec![m as f64], T0 + 60 * m)
            .unwrap();
        w.end_step().unwrap();
    }
}

#[test]
fn list_and_query_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    write_store(dir.path());
    let d = dir.path().to_str().unwrap();

    let (ok, out, err) = weir(&["ts", "list", "--data-dir", d]);
    assert!(ok, "{err}");
    assert!(
        out.contains("host:syn_received  step 60 s, 2 series"),
        "{out}"
    );
    assert!(out.contains("ifid=0,host=10.0.0.2"), "{out}");
    assert!(out.contains("iface:flows"), "{out}");

    let (ok, out, err) = weir(&[
        "ts",
        "query",
        "host:syn_received",
        "--tag",
        "host=10.0.0.2",
        "--json",
        "--data-dir",
        d,
    ]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["time"], T0 + 60 * (i as u64 + 1));
        assert_eq!(l["tags"]["host"], "10.0.0.2");
        assert_eq!(l["tags"]["ifid"], "0");
        assert_eq!(l["metrics"]["syn"], 2.0); // 120 SYNs per minute
    }

    // A range and a coarser step: 5-minute maxima of a gauge (5-minute buckets start
    // at T0 + 60; the one holding T0 starts before --from).
    let (ok, out, err) = weir(&[
        "ts",
        "query",
        "iface:flows",
        "--from",
        &(T0 - 40).to_string(),
        "--step",
        "5m",
        "--agg",
        "max",
        "--json",
        "--data-dir",
        d,
    ]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let times: Vec<u64> = lines.iter().map(|l| l["time"].as_u64().unwrap()).collect();
    assert_eq!(times, [T0 + 60, T0 + 360]);
    let maxes: Vec<f64> = lines
        .iter()
        .map(|l| l["metrics"]["num_flows"].as_f64().unwrap())
        .collect();
    assert_eq!(maxes, [5.0, 10.0]);

    // Text output.
    let (ok, out, _) = weir(&["ts", "query", "host:syn_received", "--data-dir", d]);
    assert!(ok);
    assert!(out.contains("2023-11-14T22:15:00Z"), "{out}");

    // The data directory of a configuration file (embedded backend).
    let conf = dir.path().join("weir.toml");
    std::fs::write(&conf, format!("data_dir = {d:?}\n")).unwrap();
    let (ok, out, err) = weir(&["ts", "list", "--config", conf.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("iface:flows  step 60 s, 1 series"), "{out}");
}

#[test]
fn user_errors_are_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = weir(&["ts", "list", "--data-dir", d]);
    assert!(!ok);
    assert!(err.contains("no timeseries store here"), "{err}");
    write_store(dir.path());
    for (args, msg) in [
        (vec!["ts", "query", "nope:x"], "unknown timeseries schema"),
        (
            vec!["ts", "query", "host:syn_received", "--tag", "x"],
            "KEY=VALUE",
        ),
        (
            vec!["ts", "query", "host:syn_received", "--tag", "nope=1"],
            "not a tag",
        ),
        (
            vec!["ts", "query", "host:syn_received", "--step", "0"],
            "--step",
        ),
        (
            vec!["ts", "query", "host:syn_received", "--agg", "median"],
            "--agg",
        ),
    ] {
        let mut a = args.clone();
        a.extend(["--data-dir", d]);
        let out = Command::new(env!("CARGO_BIN_EXE_weir"))
            .args(&a)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{a:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(msg), "{a:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{a:?}: {err}");
    }
}

use crate::influxd;
use influxd::Influxd;

#[test]
fn query_from_influxdb() {
    let server = Influxd::start();
    let db = format!("{}/weir_cli", server.url);
    let client = weir_ts::InfluxClient::new(weir_ts::InfluxConfig::parse(&db).unwrap());
    client.create_database().unwrap();
    let reg = SchemaRegistry::with_builtins();
    let s = reg.require("host:traffic").unwrap();
    let points: Vec<weir_ts::Point> = (0..=4u64)
        .map(|i| {
            weir_ts::Point::new(
                s,
                vec!["0".into(), "10.0.0.9".into()],
                vec![(i * 3000) as f64, (i * 600) as f64],
                T0 + 260 + 300 * i,
            )
            .unwrap()
        })
        .collect();
    client.write_points(&points).unwrap();
    let from = (T0 + 260).to_string();
    let to = (T0 + 260 + 1500).to_string();
    let (ok, out, err) = weir(&[
        "ts",
        "query",
        "host:traffic",
        "--influxdb",
        &db,
        "--from",
        &from,
        "--to",
        &to,
        "--json",
        "--data-dir",
        "/nonexistent",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    for l in &lines {
        assert_eq!(l["metrics"]["bytes_sent"], 10.0);
        assert_eq!(l["metrics"]["bytes_rcvd"], 2.0);
        assert_eq!(l["tags"]["host"], "10.0.0.9");
    }
}
