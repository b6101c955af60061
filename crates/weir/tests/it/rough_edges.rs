//! What a new user meets first (issue 21): one host count in the run summary and
//! `weir hosts`, the alert rows the store committed, servers' peers, a quiet stderr
//! when it is not a terminal, closed pipes, and the README's commands run as written.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;

/// The sample capture (`weir gen-pcap` defaults: every scenario) in `dir`.
fn sample(dir: &Path, name: &str) -> String {
    let out = dir.join(name);
    let o = weir(&["gen-pcap", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    out.to_str().unwrap().to_string()
}

#[test]
fn run_summary_and_weir_hosts_count_the_same_hosts_and_stored_rows() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = sample(dir.path(), "s.pcap");
    let data = dir.path().join("data");
    let o = weir(&[
        "run",
        "--pcap",
        &pcap,
        "--data-dir",
        data.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let hosts = v["interfaces"][0]["hosts"].as_u64().unwrap();

    // `weir hosts` lists every host of the run, also those that went idle and left
    // the host table (the sample's hosts come and go over its ten minutes).
    let o = weir(&["hosts", &pcap, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len() as u64, hosts, "run summary vs weir hosts");
    // `weir flows` says the same on stderr.
    let o = weir(&["flows", &pcap]);
    assert!(
        stderr(&o).contains(&format!(" {hosts} hosts ")),
        "{}",
        stderr(&o)
    );

    // Servers have peers too: the clients that reached them.
    let dns = listed
        .iter()
        .find(|h| h["ip"] == "8.8.8.8" && h["vlan"] == 0)
        .expect("8.8.8.8 in the sample");
    assert_eq!(dns["flows.as_client"], 0, "{dns}");
    assert!(dns["contacted_by_peers"].as_u64().unwrap() > 0, "{dns}");

    // `stored` is what the store holds from the run: the rows of its tables, as many
    // as the alerts raised.
    let stored = v["alerts"]["stored"].as_u64().unwrap();
    let raised: u64 = v["alerts"]["by_type"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert!(stored > 0 && stored == raised, "{}", v["alerts"]);
    let rows = alert_rows(&data);
    assert_eq!(stored, rows, "alerts.stored vs the rows of alerts.db");
    assert!(
        v["interfaces"][0]["alerts"].get("stored").is_none(),
        "the engine's one-shot counter is named one_shot: {}",
        v["interfaces"][0]["alerts"]
    );
    // The text summary says it too (a second run on the same store).
    let o = weir(&["run", "--pcap", &pcap, "--data-dir", data.to_str().unwrap()]);
    assert!(
        stdout(&o).contains(&format!("hosts {hosts}\n")),
        "{}",
        stdout(&o)
    );
    assert_eq!(alert_rows(&data), 2 * stored);
    assert!(
        stdout(&o).contains(&format!("alerts raised: {raised} (stored: {stored})")),
        "{}",
        stdout(&o)
    );
}

/// Rows in the three tables of the alert store.
fn alert_rows(data: &Path) -> u64 {
    use weir_alerts::{AlertQuery, AlertStore, AlertTable, CountBy, SqliteConfig, SqliteStore};
    let store = SqliteStore::open_dir(data, SqliteConfig::default()).unwrap();
    [AlertTable::Engaged, AlertTable::Past, AlertTable::Flow]
        .into_iter()
        .map(|t| {
            store
                .counts(&AlertQuery::new(t), CountBy::Type)
                .unwrap()
                .iter()
                .map(|r| r.count)
                .sum::<u64>()
        })
        .sum()
}

#[test]
fn stderr_not_a_terminal_or_quiet_has_no_colors_and_no_info_lines() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "q.pcap", "200", "5");
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    for extra in [&[][..], &["--quiet"][..], &["-q"][..]] {
        let mut args = vec!["run", "--pcap", &pcap, "--data-dir", d];
        args.extend_from_slice(extra);
        let o = weir(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            !err.contains('\u{1b}'),
            "ANSI escape with {extra:?}: {err:?}"
        );
        assert!(!err.contains(" INFO "), "INFO line with {extra:?}: {err}");
        assert!(stdout(&o).contains("packets"), "the summary still prints");
    }
    // An explicit level still shows INFO lines, without colors (NO_COLOR or not).
    let o = weir_cmd()
        .args([
            "run",
            "--pcap",
            &pcap,
            "--data-dir",
            d,
            "--log-level",
            "info",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(err.contains(" INFO ") && !err.contains('\u{1b}'), "{err}");
    // --quiet wins over the configuration's level... unless --log-level is given.
    let o = weir(&[
        "run",
        "--pcap",
        &pcap,
        "--data-dir",
        d,
        "--quiet",
        "--log-level",
        "info",
    ]);
    assert!(stderr(&o).contains(" INFO "), "{}", stderr(&o));

    // A level that is no level is an error, not a filter that hides every line.
    let o = weir(&[
        "run",
        "--pcap",
        &pcap,
        "--data-dir",
        d,
        "--log-level",
        "verbose",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("\"verbose\" is not a log level"),
        "{}",
        stderr(&o)
    );
    let cfg = dir.path().join("weir.toml");
    std::fs::write(&cfg, "[log]\nlevel = \"verbose\"\n").unwrap();
    let o = weir(&["config", "check", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a log level"), "{}", stderr(&o));
    std::fs::write(&cfg, "[log]\nlevel = \"warn,weir_flow=debug\"\n").unwrap();
    let o = weir(&["config", "check", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Runs `weir ARGS` with its standard output (and, with `close_stderr`, its standard
/// error) closed before it writes anything: exit 0, no panic.
fn closed_pipe(args: &[&str], close_stderr: bool) {
    let mut child = weir_cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    if close_stderr {
        drop(child.stderr.take());
    }
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "weir {args:?}: {err}");
    assert!(!err.contains("panicked"), "weir {args:?}: {err}");
}

#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "p.pcap", "300", "9");
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let o = weir(&["run", "--pcap", &pcap, "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cmds: Vec<Vec<&str>> = vec![
        vec!["alerts", "--json", "--flow", "--data-dir", d],
        vec!["alerts", "--data-dir", d],
        vec!["flows", &pcap],
        vec!["flows", &pcap, "--json"],
        vec!["hosts", &pcap],
        vec!["decode", &pcap],
        vec!["run", "--pcap", &pcap, "--data-dir", d],
        vec!["run", "--pcap", &pcap, "--data-dir", d, "--json"],
        vec!["ts", "list", "--data-dir", d],
        vec!["scripts", "list", "--data-dir", d],
        vec!["plugins", "list"],
        vec!["config", "default"],
        vec!["--help"],
    ];
    for c in &cmds {
        closed_pipe(c, false);
        // `weir ... 2>&1 | head -1`: stderr goes away too.
        closed_pipe(c, true);
    }
}

/// Where a README command cannot run in a test, and why.
fn skipped(cmd: &str) -> Option<&'static str> {
    [
        ("cargo ", "builds and tests the workspace itself"),
        (
            "--interface",
            "live capture needs root and a network interface",
        ),
        ("--syslog", "runs until signalled"),
        ("--web", "runs until signalled (the web tests cover it)"),
        (
            "influxdb=",
            "needs an InfluxDB server (the influxd tests cover it)",
        ),
        ("logger ", "talks to a running weir --syslog"),
        (
            "--clickhouse",
            "needs a ClickHouse server (the clickhouse tests cover it)",
        ),
    ]
    .into_iter()
    .find(|(pat, _)| cmd.contains(pat))
    .map(|(_, why)| why)
}

/// The shell commands of the README's `sh` blocks, comments removed.
fn readme_commands() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md at the workspace root");
    let mut cmds = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if !in_sh || t.is_empty() || t.starts_with('#') {
            continue;
        }
        let cmd = match t.find(" #") {
            Some(i) => t[..i].trim_end(),
            None => t,
        };
        cmds.push(cmd.to_string());
    }
    cmds
}

/// Every command of the README runs as written, in order, in an empty directory with
/// the sample capture as `capture.pcap` and a home of its own.
#[test]
fn readme_commands_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    sample(dir.path(), "capture.pcap");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_weir")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cmds = readme_commands();
    assert!(cmds.len() > 20, "{cmds:?}");
    let mut ran = 0;
    for cmd in &cmds {
        // The quick start's `cargo run --release -p weir -- demo` is `weir demo` once
        // built (the test does not build a release binary).
        let cmd = &cmd.replace("cargo run --release -p weir -- ", "weir ");
        if let Some(why) = skipped(cmd) {
            eprintln!("README command not run here: `{cmd}` ({why})");
            continue;
        }
        let o = Command::new("bash")
            .args(["-o", "pipefail", "-c", cmd])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("HOME", &home)
            .env_remove("WEIR_DATA_DIR")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "README command `{cmd}` failed ({:?}):\n{}\n{}",
            o.status,
            stdout(&o),
            stderr(&o)
        );
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} README commands ran");
}

#[test]
fn a_missing_capture_is_one_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let missing = dir.path().join("missing.pcap");
    let o = weir(&[
        "run",
        "--pcap",
        missing.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    one_line_error(&o, "missing.pcap: cannot open");
    let err = stderr(&o);
    assert_eq!(
        err.matches("No such file").count(),
        1,
        "the reason once: {err}"
    );
    assert!(
        !data.exists(),
        "no data directory for a run that never started"
    );
}

#[test]
fn config_check_reports_every_problem_as_run_would() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("weir.toml");
    std::fs::write(
        &cfg,
        "[web]\nlisten = \"localhost:99999\"\n[flows]\nmax_flows = \"x\"\nvisit_interval_secs = 0\n",
    )
    .unwrap();
    let o = weir(&["config", "check", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("weir: error: "))
        .collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].contains("line 4") && lines[0].contains("\"x\""),
        "{err}"
    );
    assert!(lines[1].contains("line 5"), "{err}");
    assert!(lines[2].contains("localhost:99999"), "{err}");
    assert!(err.contains("3 problem(s)"), "{err}");
    // `weir run` refuses the same listen address.
    std::fs::write(&cfg, "[web]\nlisten = \"localhost:99999\"\n").unwrap();
    let pcap = generate(dir.path(), "c.pcap", "20", "1");
    let o = weir(&["run", "--config", cfg.to_str().unwrap(), "--pcap", &pcap]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("localhost:99999"), "{}", stderr(&o));
}

#[test]
fn a_plugin_that_fails_to_load_is_counted_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken_plugin");
    std::fs::create_dir_all(broken.join("user_scripts/flow")).unwrap();
    std::fs::write(
        broken.join("user_scripts/flow/broken.lua"),
        "local script = {\n  hooks = {},\n  gui = { i18n_title = \"Broken\" \n",
    )
    .unwrap();
    let pcap = generate(dir.path(), "b.pcap", "50", "2");
    let data = dir.path().join("data");
    let run = |json: bool| {
        let mut args = vec![
            "run",
            "--pcap",
            &pcap,
            "--data-dir",
            data.to_str().unwrap(),
            "--plugins",
            broken.to_str().unwrap(),
        ];
        if json {
            args.push("--json");
        }
        let o = weir(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let text = run(false);
    assert!(
        text.contains("0 hook errors, 1 plugin load problems"),
        "{text}"
    );
    assert!(text.contains("broken.lua"), "{text}");
    let v: Value = serde_json::from_str(&run(true)).unwrap();
    let problems = v["interfaces"][0]["plugin_load_problems"]
        .as_array()
        .unwrap();
    assert_eq!(problems.len(), 1, "{v}");
    assert!(problems[0].as_str().unwrap().contains("broken.lua:"), "{v}");
}
