//! `weir alerts` reads back what the alert engine stored.

use crate::common::weir;
use std::sync::Arc;
use std::time::Duration;

use weir_alerts::*;

#[test]
fn alerts_json_filters_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SqliteStore::open_dir(dir.path(), SqliteConfig::default()).unwrap();
        let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
        let mut engine =
            AlertEngine::new(EngineConfig::default(), Arc::new(Registry::with_builtins()));
        engine.set_store(sink.sender());
        let a = Entity::host("192.168.1.10", 0);
        let b = Entity::host("192.168.1.11", 0);
        let info =
            |sev| TypeInfo::new(builtin::CONNECTION_ISSUES, sev).granularity(Granularity::Min);
        engine
            .trigger(a.clone(), info(Severity::Warning), 1_767_225_600)
            .unwrap();
        engine
            .trigger(b.clone(), info(Severity::Error), 1_767_225_660)
            .unwrap();
        engine
            .release(b, info(Severity::Error), 1_767_225_720)
            .unwrap();
        engine.flush(Duration::from_secs(10)).unwrap();
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }
    let d = dir.path().to_str().unwrap();

    let o = weir(&["alerts", "--data-dir", d, "--engaged", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["alert_entity_val"], "192.168.1.10@0");

    let o = weir(&[
        "alerts",
        "--data-dir",
        d,
        "--past",
        "--json",
        "--severity",
        "error",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["alert_tstamp_end"], 1_767_225_720);

    let o = weir(&["alerts", "--data-dir", d, "--ip", "192.168.1.99", "--json"]);
    assert!(
        o.status.success() && o.stdout.is_empty(),
        "no alert involves that IP"
    );

    let o = weir(&["alerts", "--data-dir", d, "--counts"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("engaged alerts by Severity") && out.contains("warning"),
        "{out}"
    );
}

#[test]
fn alerts_without_store_or_with_bad_filter_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = weir(&["alerts", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no alert store"));
    SqliteStore::open_dir(dir.path(), SqliteConfig::default()).unwrap();
    let o = weir(&["alerts", "--data-dir", d, "--severity", "loud"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown severity"));
}

/// 150 past alerts of two types (one plugin-defined), one flow alert.
fn store_with_150(dir: &std::path::Path) {
    let store = SqliteStore::open_dir(dir, SqliteConfig::default()).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let mut reg = Registry::with_builtins();
    reg.register_alert(
        AlertTypeDef {
            name: "alert_exe_download".into(),
            pen: 0,
            id: 32768,
            title: "EXE download".into(),
            description: None,
            icon: "fas fa-exclamation".into(),
            default_severity: None,
        },
        Origin::plugin(
            "exes_download",
            "plugins/exes_download/alert_definitions/alert_exe_download.lua",
        ),
    )
    .unwrap();
    let mut engine = AlertEngine::new(EngineConfig::default(), Arc::new(reg));
    engine.set_store(sink.sender());
    for i in 0..150u64 {
        let (key, params) = if i % 3 == 0 {
            (
                AlertKey(32768),
                serde_json::json!({"protos.http.last_url": format!("/f{i}.exe")}),
            )
        } else {
            (
                AlertKey(11),
                serde_json::json!({"metric": "flows", "value": 100 + i, "operator": "gt", "threshold": 50}),
            )
        };
        let info = TypeInfo::new(key, Severity::Warning).params(params);
        engine.store(
            Entity::host(format!("10.0.0.{}", i % 7), 0),
            info,
            1_767_225_600 + i,
        );
    }
    let mut f = FlowAlert::new(
        builtin::UDP_UNIDIRECTIONAL,
        StatusKey(26),
        Severity::Notice,
        1_767_225_700,
        17,
        ("10.0.0.1", 5000),
        ("10.0.0.9", 53),
    );
    f.msg = "Unidirectional UDP flow: no reply from the server".into();
    engine.store_flow(f);
    engine.flush(Duration::from_secs(10)).unwrap();
    sink.shutdown(Duration::from_secs(10)).unwrap();
}

fn text(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn alerts_table_pages_names_times_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    store_with_150(dir.path());
    let d = dir.path().to_str().unwrap();

    // The header gives the total; the default page is 100 and says how to go on.
    let out = text(&weir(&["alerts", "--data-dir", d, "--past", "--utc"]));
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("past alerts: 1-100 of 150 (times UTC; --offset 100 for more)"),
        "{out}"
    );
    let head = lines.next().unwrap();
    for col in ["ID", "TIME", "SEVERITY", "TYPE", "ENTITY", "MESSAGE"] {
        assert!(head.contains(col), "{head}");
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 100);
    // Newest first, in UTC, with the message and no JSON.
    assert!(rows[0].contains("2026-01-01 00:02:29"), "{}", rows[0]);
    assert!(
        rows[0].contains("Flows flood: metric flows, operator gt, threshold 50, value 249"),
        "{}",
        rows[0]
    );
    assert!(!out.contains('{'), "{out}");
    let out = text(&weir(&[
        "alerts",
        "--data-dir",
        d,
        "--past",
        "--utc",
        "--offset",
        "100",
    ]));
    assert!(
        out.starts_with("past alerts: 101-150 of 150 (times UTC)\n"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 52);

    // Local time: TZ (here two hours east of UTC) is honoured.
    let o = crate::common::weir_cmd()
        .args(["alerts", "--data-dir", d, "--past", "--limit", "1"])
        .env("TZ", "XYZ-2")
        .output()
        .unwrap();
    let out = text(&o);
    assert!(
        out.contains("(times UTC+02:00;") && out.contains("2026-01-01 02:02:29"),
        "{out}"
    );

    // Type names: core and plugin-defined, with or without the prefix; keys too.
    for t in ["alert_exe_download", "exe_download", "32768"] {
        let out = text(&weir(&[
            "alerts",
            "--data-dir",
            d,
            "--past",
            "--type",
            t,
            "--limit",
            "5",
        ]));
        assert!(out.starts_with("past alerts: 1-5 of 50 "), "{t}: {out}");
        assert!(
            out.contains("EXE download: protos.http.last url /f"),
            "{out}"
        );
    }
    let out = text(&weir(&[
        "alerts",
        "--data-dir",
        d,
        "--past",
        "--type",
        "alert_flows_flood",
        "--json",
    ]));
    assert_eq!(out.lines().count(), 100);
    let o = weir(&[
        "alerts",
        "--data-dir",
        d,
        "--past",
        "--type",
        "alert_tls_certificate",
    ]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("past alerts: none of 0"));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("types stored: alert_flows_flood, alert_exe_download"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // --json keeps every field, with msg.
    let out = text(&weir(&["alerts", "--data-dir", d, "--flow", "--json"]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v["msg"],
        "Unidirectional UDP flow: no reply from the server"
    );
    assert_eq!(v["acknowledged"], false);
    let id = v["rowid"].as_i64().unwrap().to_string();

    // Acknowledge, list the acknowledged, delete.
    let o = weir(&["alerts", "--data-dir", d, "--ack", &id]);
    assert_eq!(o.status.code(), Some(1), "the table is needed");
    let out = text(&weir(&["alerts", "--data-dir", d, "--flow", "--ack", &id]));
    assert_eq!(out, "1 flow alerts acknowledged\n");
    let out = text(&weir(&[
        "alerts",
        "--data-dir",
        d,
        "--flow",
        "--acknowledged",
        "yes",
    ]));
    assert!(out.contains("notice (ack)"), "{out}");
    let o = weir(&[
        "alerts",
        "--data-dir",
        d,
        "--flow",
        "--delete",
        &format!("{id},999999"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "1 flow alerts deleted\n"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("no flow alert with id 999999"));
    let out = text(&weir(&["alerts", "--data-dir", d, "--flow"]));
    assert!(out.starts_with("flow alerts: none of 0"), "{out}");
}
