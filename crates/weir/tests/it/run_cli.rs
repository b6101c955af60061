//! `weir run` end to end on files, and its user errors.

use crate::common::{generate, one_line_error, weir};

#[test]
fn replay_prints_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "s.pcap", "200", "9");
    let replay = || {
        weir(&[
            "run",
            "--pcap",
            &pcap,
            "--json",
            "--quiet",
            "--log-level",
            "warn",
        ])
    };
    let o = replay();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(run["interfaces"].as_array().unwrap().len(), 1);
    let s = &run["interfaces"][0];
    let decoded = weir(&["decode", "--json", &pcap]);
    let d: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(s["packets"], d["frames"], "every frame reaches the engine");
    assert!(s["flows"].as_u64().unwrap() >= 200);
    assert_eq!(s["queue_drops"], 0);
    // The generator's heavy hitter tops the talkers, though it goes idle long before the end.
    assert_eq!(s["top_talkers"][0][0], "192.168.1.42", "{s}");
    // Deterministic: the same capture gives the same summary and the same timeseries
    // points (what the store kept of them depends on what it held: the replays of
    // this binary share a data directory).
    let again: serde_json::Value = serde_json::from_slice(&replay().stdout).unwrap();
    let points = |v: &serde_json::Value| v["timeseries"]["stats"]["received"].as_u64();
    assert!(points(&run).unwrap() > 0);
    assert_eq!(points(&run), points(&again));
    // Wall times (the costliest scripts, which five they are) are the one part that
    // differs between two replays.
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("timeseries");
        for i in v["interfaces"].as_array_mut().unwrap() {
            assert!(i["costliest_scripts"].is_array());
            i.as_object_mut().unwrap().remove("costliest_scripts");
        }
        v
    };
    assert_eq!(strip(run), strip(again));
}

#[test]
fn files_replay_as_one_interface_or_as_separate_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for seed in ["1", "2"] {
        files.push(generate(dir.path(), &format!("s{seed}.pcap"), "50", seed));
    }
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "run",
            "--quiet",
            "--json",
            "--log-level",
            "warn",
            "--pcap",
            &files[0],
            "--pcap",
            &files[1],
        ];
        args.extend(extra);
        let o = weir(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let one = run(&[]);
    let two = run(&["--separate-interfaces"]);
    let ifaces = two["interfaces"].as_array().unwrap();
    assert_eq!(one["interfaces"].as_array().unwrap().len(), 1);
    assert_eq!(ifaces.len(), 2);
    assert!(
        ifaces[0]["interface"]
            .as_str()
            .unwrap()
            .ends_with("s1.pcap")
    );
    let total: u64 = ifaces.iter().map(|i| i["packets"].as_u64().unwrap()).sum();
    assert_eq!(
        total,
        one["interfaces"][0]["packets"].as_u64().unwrap(),
        "the same packets, split by file"
    );
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let junk = d.join("junk.pcap");
    std::fs::write(&junk, b"garbage, not a capture").unwrap();
    let bad_cfg = d.join("weir.toml");
    std::fs::write(&bad_cfg, "[flows]\nvisit_interval_secs = 0\n").unwrap();
    let unknown_key = d.join("unknown.toml");
    std::fs::write(&unknown_key, "[sources]\npcaps = []\n").unwrap();

    one_line_error(
        &weir(&["run", "--pcap", d.join("missing.pcap").to_str().unwrap()]),
        "missing.pcap",
    );
    one_line_error(&weir(&["run", "--pcap", d.to_str().unwrap()]), "directory");
    one_line_error(&weir(&["run", "--pcap", junk.to_str().unwrap()]), "magic");
    one_line_error(
        &weir(&["run", "--config", bad_cfg.to_str().unwrap()]),
        "line 2",
    );
    one_line_error(
        &weir(&["run", "--config", unknown_key.to_str().unwrap()]),
        "pcaps",
    );
    one_line_error(
        &weir(&["run", "--config", d.join("none.toml").to_str().unwrap()]),
        "cannot read",
    );
    one_line_error(
        &weir(&[
            "run",
            "--pcap",
            junk.to_str().unwrap(),
            "--local-net",
            "10.0.0.0/40",
        ]),
        "--local-net",
    );
    one_line_error(&weir(&["run"]), "nothing to monitor");
    one_line_error(
        &weir(&[
            "run",
            "--pcap",
            junk.to_str().unwrap(),
            "--plugins",
            d.join("no-plugins").to_str().unwrap(),
        ]),
        "no-plugins: not a directory",
    );
    one_line_error(
        &weir(&["run", "--interface", "no-such-if0"]),
        "no interface named",
    );
}

#[test]
fn config_default_round_trips_through_check() {
    let dir = tempfile::tempdir().unwrap();
    let o = weir(&["config", "default"]);
    assert!(o.status.success());
    let file = dir.path().join("weir.toml");
    std::fs::write(&file, &o.stdout).unwrap();
    let o = weir(&["config", "check", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn configuration_doc_covers_every_key() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/configuration.md"
    ))
    .unwrap();
    let default = String::from_utf8(weir(&["config", "default"]).stdout).unwrap();
    for line in default
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(" = "))
    {
        let key = line.split(" = ").next().unwrap().trim();
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/configuration.md does not document `{key}`"
        );
    }
}
