//! End-to-end tests of the `weir` binary: `demo`, `decode`, `gen-pcap`, and bad inputs.

use std::path::Path;

use crate::common::{generate, stderr, stdout, weir};

#[test]
fn demo_generates_the_sample_once_runs_the_plugins_and_stores_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = weir(&["demo", "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("generated"), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "top protocols",
        "top talkers",
        "alerts raised",
        "alert_exe_download",
        "alerts are stored in",
    ] {
        assert!(out.contains(needle), "no {needle:?} in:\n{out}");
    }
    let flow_alerts = stdout(&weir(&["alerts", "--data-dir", d, "--flow", "--json"]));
    assert!(flow_alerts.lines().count() >= 5, "{flow_alerts}");
    let o = weir(&["demo", "--data-dir", d, "--json"]);
    assert!(
        stderr(&o).contains("replaying"),
        "the second run reuses the sample"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["alerts"]["by_type"]["alert_exe_download"]
            .as_u64()
            .unwrap()
            >= 5,
        "{v}"
    );
}

#[test]
fn decode_json_counts_are_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let file = generate(dir.path(), "g.pcap", "300", "3");
    let o = weir(&["decode", "--json", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let frames = v["frames"].as_u64().unwrap();
    let l = &v["layers"];
    assert_eq!(l["link"].as_u64(), Some(frames));
    let ip = l["ipv4"].as_u64().unwrap_or(0) + l["ipv6"].as_u64().unwrap_or(0);
    assert_eq!(ip, frames, "every generated frame is IP");
    let l4 = ["tcp", "udp", "icmp", "icmpv6"]
        .iter()
        .map(|k| l[k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert!(
        l4 >= frames - v["fragments"].as_u64().unwrap(),
        "non-first fragments are the only frames without L4"
    );
    assert_eq!(v["undecodable"], 0);
    assert_eq!(v["decode_errors"], serde_json::json!({}));
}

#[test]
fn truncated_capture_reports_offset_keeps_frames_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = generate(dir.path(), "g.pcap", "50", "3");
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let o = weir(&["decode", "--json", cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(
        v["frames"].as_u64().unwrap() > 0,
        "frames before the damage are kept"
    );
    let err = v["capture_errors"][0].as_str().unwrap();
    assert!(err.contains("cut.pcap") && err.contains("byte "), "{err}");
    assert!(
        stderr(&o).contains("byte "),
        "the damage is also reported on stderr"
    );
}

#[test]
fn bad_inputs_give_one_line_errors_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture file").unwrap();
    let empty = dir.path().join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.pcap");
    for (path, needle) in [
        (junk.to_str().unwrap(), "magic"),
        (empty.to_str().unwrap(), "empty"),
        (missing.to_str().unwrap(), "cannot open"),
        (dir.path().to_str().unwrap(), "directory"),
    ] {
        let o = weir(&["decode", path]);
        assert_eq!(o.status.code(), Some(1), "{path}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("weir: error: "), "{err}");
        assert!(err.to_lowercase().contains(needle), "{path}: {err}");
    }
}

#[test]
fn decodes_shared_captures_of_every_link_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pcaps/ndpi");
    if !dir.is_dir() {
        eprintln!("SKIPPED: {} not found", dir.display());
        return;
    }
    // Ethernet, PPP, Linux SLL, raw IP, raw IPv4, BSD loopback, Cisco HDLC.
    for (file, linktype) in [
        ("http.pcapng", "ethernet"),
        ("dlt_ppp.pcap", "ppp"),
        ("KakaoTalk_chat.pcap", "linux_sll"),
        ("psiphon3.pcap", "raw"),
        ("ossfuzz_seed_fake_traces_1.pcapng", "ipv4"),
        ("nats.pcap", "null"),
        ("BGP_redist.pcap", "cisco_hdlc"),
    ] {
        let o = weir(&["decode", "--json", dir.join(file).to_str().unwrap()]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert!(
            v["linktypes"][linktype].as_u64().unwrap() > 0,
            "{file}: {v}"
        );
        assert_eq!(v["undecodable"], 0, "{file}");
    }
}
