//! Live capture end to end: a network namespace with a veth pair, `weir run
//! --interface` on one end, generated traffic replayed into the other with tcpreplay,
//! then SIGTERM: weir must finish its final visit, print its summary and exit 0.
//!
//! Needs root (CI runs as root), `ip` (iproute2) and `tcpreplay` (`cargo xtask setup`
//! installs them). Without them the test fails with a message saying so: a live-capture
//! test that cannot run must not pass silently.

use crate::common;
use std::process::Command;
use std::time::Duration;

use crate::common::Daemon;

struct Netns(String);

impl Netns {
    /// A namespace of this test process named after `tag` (tests run in parallel).
    fn create(tag: &str) -> Netns {
        let name = format!("weir-{tag}-{}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(std::process::Stdio::null())
            .status();
        let ok = |args: &[&str]| {
            let out = Command::new("ip").args(args).output().unwrap_or_else(|e| {
                panic!("cannot run `ip` ({e}): install iproute2 (cargo xtask setup)")
            });
            assert!(
                out.status.success(),
                "`ip {}` failed: {} (live-capture tests need root and network namespaces)",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        };
        ok(&["netns", "add", &name]);
        let ns = Netns(name);
        ok(&[
            "-n", &ns.0, "link", "add", "wa", "type", "veth", "peer", "name", "wb",
        ]);
        ok(&["-n", &ns.0, "link", "set", "wa", "up"]);
        ok(&["-n", &ns.0, "link", "set", "wb", "up"]);
        ns
    }

    fn exec(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.0, program]);
        c
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

#[test]
fn live_capture_in_a_namespace_then_sigterm() {
    assert!(
        Command::new("tcpreplay").arg("--version").output().is_ok(),
        "tcpreplay is not installed: run `cargo xtask setup` (CI does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let pcap = common::generate(dir.path(), "live.pcap", "150", "5");
    let decoded = common::weir(&["decode", "--json", &pcap]);
    let frames = serde_json::from_slice::<serde_json::Value>(&decoded.stdout).unwrap()["frames"]
        .as_u64()
        .unwrap();

    let ns = Netns::create("live");
    let mut cmd = ns.exec(env!("CARGO_BIN_EXE_weir"));
    let data = dir.path().join("data");
    cmd.args(["run", "--interface", "wa", "--json", "--log-level", "info"])
        .arg("--data-dir")
        .arg(&data);
    let mut weir = Daemon::spawn(cmd);
    // Wait until weir has its capture socket open.
    weir.wait_for("capturing on wa");

    let replay = ns
        .exec("tcpreplay")
        .args(["-i", "wb", "--pps", "4000", "-q", &pcap])
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "tcpreplay: {}",
        String::from_utf8_lossy(&replay.stderr)
    );
    std::thread::sleep(Duration::from_millis(500));

    let run = weir.sigterm_json();
    let summary = &run["interfaces"][0];
    assert_eq!(summary["interface"], "interface wa");
    let packets = summary["packets"].as_u64().unwrap();
    // The kernel may add a few frames of its own (IPv6 router solicitations): at least
    // 95% of what was replayed must have been seen, and drops are reported, not hidden.
    assert!(
        packets * 100 >= frames * 95,
        "saw {packets} of {frames} frames: {summary}"
    );
    assert!(summary["flows"].as_u64().unwrap() >= 150, "{summary}");
    // Drops are reported, never hidden: the engine queue's and the kernel's.
    assert!(
        summary["queue_drops"].is_u64() && summary["kernel_drops"].is_u64(),
        "{summary}"
    );
    assert!(
        summary["top_protocols"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0] == "TLS"),
        "{summary}"
    );
}

/// `weir run --interface wa --workers N` on the traffic of `pcap` replayed into the
/// veth's other end; the run's summary.
fn live_run(ns: &Netns, pcap: &str, workers: &str, data: &std::path::Path) -> serde_json::Value {
    let mut cmd = ns.exec(env!("CARGO_BIN_EXE_weir"));
    cmd.args(["run", "--interface", "wa", "--json", "--log-level", "info"])
        .args(["--workers", workers])
        .arg("--data-dir")
        .arg(data);
    let mut weir = Daemon::spawn(cmd);
    let line = weir.wait_for("capturing on wa");
    if workers != "1" {
        assert!(
            line.contains(&format!("with {workers} sockets in fan-out group")),
            "{line}"
        );
    }
    let replay = ns
        .exec("tcpreplay")
        .args(["-i", "wb", "--pps", "2000", "-q", pcap])
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "tcpreplay: {}",
        String::from_utf8_lossy(&replay.stderr)
    );
    std::thread::sleep(Duration::from_millis(500));
    weir.sigterm_json()["interfaces"][0].clone()
}

#[test]
fn live_capture_with_two_workers_fans_out_by_flow_and_sees_what_one_sees() {
    assert!(
        Command::new("tcpreplay").arg("--version").output().is_ok(),
        "tcpreplay is not installed: run `cargo xtask setup` (CI does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let pcap = common::generate(dir.path(), "fanout.pcap", "300", "11");
    // What the capture holds, replayed from the file by one engine.
    let fdata = dir.path().join("file").to_string_lossy().into_owned();
    let o = common::weir(&[
        "run",
        "--pcap",
        &pcap,
        "--workers",
        "1",
        "--json",
        "-q",
        "--data-dir",
        &fdata,
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let file: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let file = &file["interfaces"][0];

    let ns = Netns::create("fanout");
    // No IPv6 in the namespace: the kernel's own router solicitations would add flows.
    let sysctl = ns
        .exec("sysctl")
        .args(["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        .status()
        .unwrap();
    assert!(sysctl.success());
    let one = live_run(&ns, &pcap, "1", &dir.path().join("one"));
    let two = live_run(&ns, &pcap, "2", &dir.path().join("two"));
    let drops = |s: &serde_json::Value| {
        s["kernel_drops"].as_u64().unwrap() + s["queue_drops"].as_u64().unwrap()
    };
    let (d1, d2) = (drops(&one), drops(&two));
    // Per worker socket: frames and drops, adding up to the interface's.
    let workers = two["worker_capture"]
        .as_array()
        .expect("per-worker counters");
    assert_eq!(workers.len(), 2, "{two}");
    let sum = |k: &str| workers.iter().map(|w| w[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(
        sum("frames"),
        two["packets"].as_u64().unwrap() + sum("queue_drops"),
        "{two}"
    );
    assert_eq!(
        sum("kernel_drops"),
        two["kernel_drops"].as_u64().unwrap(),
        "{two}"
    );
    assert!(
        workers.iter().all(|w| w["frames"].as_u64().unwrap() > 0),
        "300 flows hashed over 2 sockets: both get some: {two}"
    );
    assert!(one.get("worker_capture").is_none(), "{one}");
    if d1 + d2 > 0 {
        // Drops depend on the machine's load, not on weir's results: the exact
        // comparison is skipped, loudly, rather than failed or loosened.
        eprintln!(
            "SKIPPED the 1-vs-2-workers comparison: frames were dropped ({d1} with 1 \
             worker, {d2} with 2) on a loaded machine"
        );
        return;
    }
    // Every frame seen once, every flow once: a flow whose packets went to two
    // sockets would count twice. (Flows and bytes are compared between the live runs
    // only: the replay compresses the file's idle gaps, which end flows in the file,
    // and sends a truncated record's captured bytes only.)
    assert_eq!(one["packets"], file["packets"], "1 worker live vs the file");
    for k in ["packets", "bytes", "flows", "hosts"] {
        assert_eq!(two[k], one[k], "{k}: 2 workers vs 1");
    }
    assert_eq!(two["l4"], one["l4"]);
    // Flows per protocol; their bytes may differ by a packet's between two live runs
    // (the wall clock decides at which packet a detection ends).
    let protos = |s: &serde_json::Value| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = s["top_protocols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_owned(), p[2].as_u64().unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(protos(&two), protos(&one));
}
