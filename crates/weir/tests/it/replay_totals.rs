//! `weir run`, `weir flows` and `weir plugins test` replay captures through the one
//! pipeline, so they report the same packet, byte and flow totals for the same file.

use std::path::{Path, PathBuf};

use crate::common::{generate, scratch_dir, stderr, weir};

/// Totals (packets, bytes, flows) `weir run --json` reports for one capture.
fn run_totals(file: &str) -> (u64, u64, u64) {
    let o = weir(&[
        "run",
        "--pcap",
        file,
        "--no-builtin-plugins",
        "--timeseries",
        "off",
        "--quiet",
        "--json",
    ]);
    assert!(o.status.success(), "weir run {file}: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("summary JSON");
    let i = &v["interfaces"][0];
    let n = |k: &str| i[k].as_u64().unwrap_or_else(|| panic!("{k} in {i}"));
    (n("packets"), n("bytes"), n("flows"))
}

/// The number right before `what` in a line: `"12 frames, 34 bytes"` gives 12 for
/// `" frames"` (occurrences not preceded by a number are skipped).
fn number_before(text: &str, what: &str) -> u64 {
    text.match_indices(what)
        .find_map(|(at, _)| {
            let head = &text[..at];
            let start = head
                .rfind(|c: char| !c.is_ascii_digit())
                .map_or(0, |i| i + 1);
            head[start..].parse().ok()
        })
        .unwrap_or_else(|| panic!("no number before {what:?} in {text}"))
}

fn flows_totals(file: &str) -> (u64, u64, u64) {
    let o = weir(&["flows", file]);
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with("weir flows: "))
        .unwrap_or_else(|| panic!("weir flows {file}: {err}"));
    (
        number_before(line, " frames"),
        number_before(line, " bytes"),
        number_before(line, " flows"),
    )
}

fn plugins_test_totals(file: &str) -> (u64, u64, u64) {
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plugins/flooder");
    let o = weir(&["plugins", "test", plugins.to_str().unwrap(), "--pcap", file]);
    let err = stderr(&o);
    assert!(o.status.success(), "weir plugins test {file}: {err}");
    let line = err
        .lines()
        .find(|l| l.contains(" frame(s), "))
        .unwrap_or_else(|| panic!("weir plugins test {file}: {err}"));
    (
        number_before(line, " frame(s)"),
        number_before(line, " byte(s)"),
        number_before(line, " flow(s)"),
    )
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/pcaps")
        .join(rel);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent", p.display());
        None
    }
}

#[test]
fn run_flows_and_plugins_test_agree_on_totals() {
    let dir = scratch_dir().join("replay-totals");
    std::fs::create_dir_all(&dir).unwrap();
    let generated = generate(&dir, "totals.pcap", "300", "11");
    assert!(run_totals(&generated).0 > 0, "no packets in {generated}");
    let mut files = vec![generated];
    // Real captures: pcapng with VLAN and PPPoE, a cut one (no whole record), a fuzzed
    // pcapng, PPI link headers.
    for rel in [
        "ndpi/dns.pcap",
        "ndpi/fuzz-2021-10-13.pcap",
        "ndpi/dhcp-fuzz.pcapng",
        "ndpi/someip_sd_sample.pcap",
    ] {
        files.extend(shared(rel).map(|p| p.to_string_lossy().into_owned()));
    }
    for f in &files {
        let run = run_totals(f);
        assert_eq!(flows_totals(f), run, "{f}: weir flows vs weir run");
        assert_eq!(
            plugins_test_totals(f),
            run,
            "{f}: weir plugins test vs weir run"
        );
    }
}
