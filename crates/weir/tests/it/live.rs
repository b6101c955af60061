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
    fn create() -> Netns {
        let name = format!("weir-test-{}", std::process::id());
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

    let ns = Netns::create();
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
