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
