//! End-to-end tests of `weir plugins list|check|test` on the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn weir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run weir")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tutorial() -> String {
    root().join("plugins/exes_download").display().to_string()
}

fn test_plugin(name: &str) -> String {
    root()
        .join("crates/weir-script/tests/plugins")
        .join(name)
        .display()
        .to_string()
}

fn generate(dir: &Path) -> String {
    let out = dir.join("g.pcap");
    let o = weir(&[
        "gen-pcap",
        "--flows",
        "300",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out.to_str().unwrap().to_owned()
}

#[test]
fn list_and_check_the_tutorial_plugin() {
    let o = weir(&["plugins", "list", &tutorial()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("exes_download"), "{out}");
    assert!(
        out.contains("flow/exes_download [plugin] hooks: protocolDetected (active)"),
        "{out}"
    );
    assert!(
        out.contains("alert definitions: alert_exe_download"),
        "{out}"
    );

    let o = weir(&["plugins", "check", &tutorial()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("1 plugin(s), 1 script(s) (1 active), 0 error(s)"));
}

#[test]
fn check_reports_file_and_line_and_fails() {
    let o = weir(&["plugins", "check", &test_plugin("faults")]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("error: plugins/faults/user_scripts/flow/syntax_error.lua:5:"),
        "{out}"
    );
    assert!(out.contains("alert_bad_key.lua"), "{out}");
    assert!(out.contains("warning: plugins/faults/user_scripts/flow/bad_hooks.lua: unknown flow hook `onMoonRise`"), "{out}");

    let o = weir(&["plugins", "check", "/no/such/dir"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a directory"));
}

#[test]
fn test_prints_statuses_and_alerts_and_compares_with_a_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path());
    let o = weir(&["plugins", "test", &tutorial(), "--pcap", &pcap]);
    assert!(o.status.success(), "{}", stderr(&o));
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let alerts: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "flow_alert")
        .collect();
    let statuses = events.iter().filter(|e| e["event"] == "status").count();
    assert!(!alerts.is_empty());
    assert_eq!(alerts.len(), statuses);
    for a in &alerts {
        assert_eq!(a["alert_name"], "alert_exe_download");
        let j: serde_json::Value = serde_json::from_str(a["alert_json"].as_str().unwrap()).unwrap();
        assert!(j["protos.http.last_url"].as_str().unwrap().contains(".exe"));
    }

    // Golden file: write, compare (same), then a doctored one fails.
    let golden = dir.path().join("exes.ndjson");
    let g = golden.to_str().unwrap();
    let o = weir(&[
        "plugins",
        "test",
        &tutorial(),
        "--pcap",
        &pcap,
        "--expect",
        g,
        "--update",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = weir(&[
        "plugins",
        "test",
        &tutorial(),
        "--pcap",
        &pcap,
        "--expect",
        g,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("ok: "), "{}", stderr(&o));
    let text = std::fs::read_to_string(&golden).unwrap();
    std::fs::write(
        &golden,
        text.replacen("\"flow_score\":100", "\"flow_score\":99", 1),
    )
    .unwrap();
    let o = weir(&[
        "plugins",
        "test",
        &tutorial(),
        "--pcap",
        &pcap,
        "--expect",
        g,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("MISMATCH"), "{}", stderr(&o));
}

#[test]
fn the_plain_print_tutorial_prints_the_seed_line() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path());
    let o = weir(&[
        "plugins",
        "test",
        &test_plugin("exes_print"),
        "--pcap",
        &pcap,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("last_url: "))
        .collect();
    assert!(!lines.is_empty(), "{out}");
    for l in lines {
        assert!(l.contains(".exe [[HTTP] TCP "), "{l}");
    }
}

#[test]
fn script_errors_are_reported_and_the_reload_flag_works() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path());
    let o = weir(&[
        "plugins",
        "test",
        &test_plugin("faults"),
        "--pcap",
        &pcap,
        "--reload-at",
        "30",
        "--script-output-stderr",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("\"event\":\"script_error\""), "{out}");
    assert!(out.contains("\"disabled\":true"), "{out}");
    assert!(stderr(&o).contains("healthy hello from the locale"));
}

#[test]
fn the_tutorial_matches_urls_not_payloads_on_a_real_capture() {
    // nDPI's exe_download.pcap: `GET /solar.php` answered with a PE executable. The
    // tutorial looks for `.exe` in the URL, so it raises nothing here.
    let pcap = root().join("../shared/pcaps/ndpi/exe_download.pcap");
    if !pcap.exists() {
        eprintln!("skipped: {} not found", pcap.display());
        return;
    }
    let o = weir(&[
        "plugins",
        "test",
        &tutorial(),
        "--pcap",
        pcap.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "no status, no alert");
    assert!(
        stderr(&o).contains("0 status(es), 0 flow alert(s)"),
        "{}",
        stderr(&o)
    );
    // The check_module of seed 003 sees the flow and its HTTP URL.
    let o = weir(&[
        "plugins",
        "test",
        &test_plugin("check_module"),
        "--pcap",
        pcap.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("check_module: HTTP"), "{}", stdout(&o));
}
