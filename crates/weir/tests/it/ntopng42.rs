//! ntopng 4.2's own plugins, unchanged, beside weir's built-in ones: every plugin of
//! `../shared/ntopng42-plugins` (test material, never copied into this repository)
//! is loaded by `weir run --plugins` with every script enabled, on a generated
//! capture with every traffic scenario. No load or hook error may name any of them,
//! and those fed by data weir has raise their alerts. Skipped, loudly, without
//! `../shared`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::common::{scratch_dir, stderr, stdout, weir};

fn shared_plugins() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ntopng42-plugins");
    if dir.is_dir() {
        dir.canonicalize().ok()
    } else {
        eprintln!(
            "SKIPPED: {} is absent: ntopng 4.2's plugins cannot be run (CI has ../shared)",
            dir.display()
        );
        None
    }
}

/// Text without terminal colour codes.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn scripts(data: &str, plugins: &str) -> Vec<Value> {
    let o = weir(&[
        "scripts",
        "list",
        "--json",
        "--plugins",
        plugins,
        "--data-dir",
        data,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn script_cmd(data: &str, plugins: &str, args: &[&str]) {
    let mut all = vec!["scripts"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--plugins", plugins, "--data-dir", data]);
    let o = weir(&all);
    assert!(o.status.success(), "weir {all:?}: {}", stderr(&o));
}

/// Alert type ids (ntopng 4.2's keys) the plugins that need only data weir has must
/// raise on the generated capture, by plugin key (checked when the plugin is there).
const EXPECTED: [(&str, u64); 4] = [
    ("syn_flood", 46),
    ("unexpected_dns", 63),
    ("unexpected_smtp", 64),
    ("udp_unidirectional", 51),
];

#[test]
fn ntopng42_plugins_run_unchanged_beside_the_builtins() {
    let Some(dir) = shared_plugins() else { return };
    let plugins = dir.to_string_lossy().into_owned();
    let tmp = tempfile::tempdir_in(scratch_dir()).unwrap();
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();

    // Every script of theirs enabled (the ones 4.2 ships disabled too).
    let theirs: Vec<Value> = scripts(data, &plugins)
        .into_iter()
        .filter(|s| dir.join(s["plugin"].as_str().unwrap()).is_dir())
        .collect();
    assert!(theirs.len() >= 15, "{theirs:#?}");
    for s in &theirs {
        if s["enabled"] != true {
            script_cmd(data, &plugins, &["enable", s["id"].as_str().unwrap()]);
        }
    }
    // Allow-lists for the unexpected-server checks: the generated capture's own
    // servers (its rogue ones are outside them).
    for (key, items) in [
        ("flow/unexpected_dns", "192.168.1.1,8.8.8.8,1.1.1.1,9.9.9.9"),
        ("flow/unexpected_smtp", "198.51.100.25"),
        ("flow/unexpected_dhcp", "192.168.1.1"),
        ("flow/unexpected_ntp", "192.168.1.1"),
    ] {
        if theirs.iter().any(|s| s["id"] == key) {
            script_cmd(data, &plugins, &["set", key, "items", items]);
        }
    }
    // Thresholds of the threshold-cross checks 4.2 ships without a default.
    for s in &theirs {
        let id = s["id"].as_str().unwrap();
        if s["input_builder"] == "threshold_cross" && s["conf"].to_string().contains("null") {
            script_cmd(data, &plugins, &["set", id, "threshold", "10"]);
        }
    }

    let cap = tmp.path().join("all.pcap");
    let o = weir(&[
        "gen-pcap",
        "--flows",
        "400",
        "--seed",
        "11",
        "--out",
        cap.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Besides it, ntopng's own end-to-end captures, each its own interface.
    let e2e = dir.join("../pcaps/ntopng-e2e");
    let mut args: Vec<String> = vec!["run".into(), "--pcap".into(), cap.to_string_lossy().into()];
    for name in [
        "bcast_domains.pcap",
        "dhcp_rogue.pcap",
        "dns_contacts.pcap",
        "tls_cipher_suites.pcap",
    ] {
        let p = e2e.join(name);
        if p.is_file() {
            args.extend(["--pcap".into(), p.to_string_lossy().into()]);
        }
    }
    args.push("--separate-interfaces".into());
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args.extend_from_slice(&[
        "--plugins",
        &plugins,
        "--data-dir",
        data,
        "--local-net",
        "192.168.0.0/16",
        "-q",
        "--log-level",
        "warn",
    ]);
    let o = weir(&args);
    let log = plain(&stderr(&o));
    assert!(o.status.success(), "{log}");

    // Every warning or error naming one of their files, by plugin.
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in log.lines() {
        let Some(at) = line.find(&plugins) else {
            continue;
        };
        if !(line.contains(" WARN ") || line.contains(" ERROR ")) {
            continue;
        }
        let rest = &line[at + plugins.len()..];
        let plugin = rest
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("?");
        // The example plugin is disabled by its own manifest (as in 4.2).
        if line.contains("plugin disabled by its manifest") {
            continue;
        }
        let lines = errors.entry(plugin.to_owned()).or_default();
        if lines.len() < 3 {
            lines.push(line.chars().take(400).collect());
        }
    }
    let loaded = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .count();
    assert!(
        errors.is_empty(),
        "{} of {loaded} plugins with errors:\n{}",
        errors.len(),
        errors
            .iter()
            .map(|(p, l)| format!("{p}:\n  {}", l.join("\n  ")))
            .collect::<Vec<_>>()
            .join("\n")
    );

    let o = weir(&["alerts", "--json", "--limit", "100000", "--data-dir", data]);
    assert!(o.status.success(), "{}", stderr(&o));
    let alerts: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (plugin, id) in EXPECTED {
        if !dir.join(plugin).is_dir() {
            continue;
        }
        assert!(
            alerts.iter().any(|a| a["alert_type"] == id),
            "{plugin}: no alert of type {id} among {} alerts",
            alerts.len()
        );
    }
}

/// Every function, module, global and definition the spec lists for ntopng 4.2's 47
/// plugins (`ntopng42-api.md` §1–§4), called from each kind of script by the probe
/// plugin in `tests/ntopng42_probe/` (no `../shared` needed): none missing, none of
/// the wrong type, no error.
#[test]
fn every_api_name_ntopng42_plugins_use_is_there() {
    let probe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ntopng42_probe");
    let probe = probe.to_string_lossy().into_owned();
    let tmp = tempfile::tempdir_in(scratch_dir()).unwrap();
    let cap = tmp.path().join("probe.pcap");
    let o = weir(&[
        "gen-pcap",
        "--flows",
        "100",
        "--seed",
        "5",
        "--duration",
        "180",
        "--out",
        cap.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let data = tmp.path().join("data");
    let o = weir(&[
        "run",
        "--pcap",
        cap.to_str().unwrap(),
        "--plugins",
        &probe,
        "--data-dir",
        data.to_str().unwrap(),
        "--local-net",
        "192.168.0.0/16",
        "-q",
        "--log-level",
        "warn",
    ]);
    let (out, log) = (stdout(&o), plain(&stderr(&o)));
    assert!(o.status.success(), "{log}");
    let gaps: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("MISSING") || l.starts_with("BADTYPE"))
        .collect();
    assert!(gaps.is_empty(), "{} gaps:\n{}", gaps.len(), gaps.join("\n"));
    for kind in ["flow", "host", "interface", "system"] {
        assert!(
            out.contains(&format!("PROBED {kind}\n")),
            "{kind}: {out}\n{log}"
        );
    }
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("api_probe")).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
