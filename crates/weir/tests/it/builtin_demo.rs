//! End-to-end: `weir demo` replays its sample (every generator scenario on top of
//! ordinary traffic) through the built-in plugins of `plugins/`, and at least ten of
//! them raise alerts, which the summary lists per plugin.

use std::collections::BTreeMap;

use crate::common::{stderr, stdout, weir};

/// Built-in plugins expected to alert on the demo sample, with the scenario or
/// condition that makes them.
const EXPECTED: [&str; 12] = [
    "exes_download",   // .exe downloads
    "suspicious_port", // HTTP on 8888
    "high_latency",    // RDP over a ~330 ms link
    "blacklisted",     // the demo's blocklist.txt
    "syn_flood",       // 15,000 SYNs in 30 s
    "flow_flood",      // one flow per SYN
    "syn_scan",        // 1,048 ports of three hosts
    "unexpected_dns",  // 203.0.113.53
    "unexpected_dhcp", // 192.168.1.250
    "web_mining",      // Stratum
    "tls_certificate", // bad certificates
    "dns_issues",      // tunnelling, DGA, malformed
];

#[test]
fn the_demo_raises_alerts_from_at_least_ten_builtin_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = weir(&["demo", "--data-dir", d, "--flows", "300", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let by_plugin: BTreeMap<String, u64> =
        serde_json::from_value(v["alerts"]["by_plugin"].clone()).unwrap();
    let plugins_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let builtin: Vec<&String> = by_plugin
        .iter()
        .filter(|(p, n)| **n > 0 && plugins_dir.join(p).join("user_scripts").is_dir())
        .map(|(p, _)| p)
        .collect();
    assert!(
        builtin.len() >= 10,
        "only {} built-in plugins alerted: {by_plugin:?}",
        builtin.len()
    );
    for p in EXPECTED {
        assert!(
            by_plugin.get(p).copied().unwrap_or(0) > 0,
            "{p} raised no alert: {by_plugin:?}"
        );
    }
    // The blocklist the demo wrote for the `blacklisted` plugin.
    let list = std::fs::read_to_string(dir.path().join("blocklist.txt")).unwrap();
    assert!(list.contains("203.0.113.66"), "{list}");
    // Per plugin and per type agree on the total.
    let total: u64 = by_plugin.values().sum();
    let by_type: u64 = v["alerts"]["by_type"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, by_type);

    // The text summary shows the same table.
    let o = weir(&["demo", "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let section = out
        .split("alerts by plugin")
        .nth(1)
        .unwrap_or_else(|| panic!("no per-plugin section in:\n{out}"));
    for p in EXPECTED {
        assert!(
            section.lines().any(|l| l.trim_start().starts_with(p)),
            "{p} not in the per-plugin summary:\n{out}"
        );
    }
}

/// The plugin directories of the source tree, which the binary embeds.
fn source_tree_plugins() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_binary_alone_in_an_empty_directory_runs_the_demo_with_every_builtin_plugin() {
    // No source tree, no WEIR_PLUGINS_DIR: the built-in plugins come from the binary.
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("weir");
    std::fs::copy(env!("CARGO_BIN_EXE_weir"), &exe).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&exe)
            .args(args)
            .current_dir(dir.path())
            .env_remove("WEIR_PLUGINS_DIR")
            .env_remove("WEIR_DATA_DIR")
            .output()
            .unwrap()
    };
    let builtin = source_tree_plugins();

    let o = run(&["plugins", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let origins: Vec<(String, String)> = listed["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_owned();
            (s("key"), s("dir"))
        })
        .collect();
    let keys: Vec<&String> = origins.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, builtin.iter().collect::<Vec<_>>());
    for (key, origin) in &origins {
        assert_eq!(origin, &format!("builtin:{key}"));
    }

    let o = run(&["demo", "--flows", "300", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let embedded: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(dir.path().join("data/alerts.db").is_file());
    let iface = &embedded["interfaces"][0];
    assert_eq!(iface["script_errors"], 0, "{iface}");
    let by_plugin: BTreeMap<String, u64> =
        serde_json::from_value(embedded["alerts"]["by_plugin"].clone()).unwrap();
    for p in EXPECTED {
        assert!(
            by_plugin.get(p).copied().unwrap_or(0) > 0,
            "{p} raised no alert: {by_plugin:?}"
        );
    }

    // The same demo with the plugins read from the source tree instead: the same
    // plugins run the same scripts and raise the same alerts.
    let other = tempfile::tempdir().unwrap();
    let tree = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let o = std::process::Command::new(&exe)
        .args(["demo", "--flows", "300", "--json"])
        .current_dir(other.path())
        .env("WEIR_PLUGINS_DIR", &tree)
        .env_remove("WEIR_DATA_DIR")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let from_tree: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in ["plugins", "active_scripts", "script_errors"] {
        assert_eq!(
            embedded["interfaces"][0][k], from_tree["interfaces"][0][k],
            "{k}: embedded vs source tree"
        );
    }
    assert_eq!(embedded["alerts"], from_tree["alerts"]);
    let running = embedded["interfaces"][0]["plugins"]
        .as_array()
        .unwrap()
        .len();
    assert!(running >= 20, "only {running} plugins have active scripts");
}
