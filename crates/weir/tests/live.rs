//! Live capture end to end: a network namespace with a veth pair, `weir run
//! --interface` on one end, generated traffic replayed into the other with tcpreplay,
//! then SIGTERM: weir must finish its final visit, print its summary and exit 0.
//!
//! Needs root (CI runs as root), `ip` (iproute2) and `tcpreplay` (`cargo xtask setup`
//! installs them). Without them the test fails with a message saying so: a live-capture
//! test that cannot run must not pass silently.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Netns(String);

impl Netns {
    fn create() -> Netns {
        let name = format!("weir-test-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).status();
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

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn live_capture_in_a_namespace_then_sigterm() {
    assert!(
        Command::new("tcpreplay").arg("--version").output().is_ok(),
        "tcpreplay is not installed: run `cargo xtask setup` (CI does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("live.pcap");
    let made = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args([
            "gen-pcap",
            "--flows",
            "150",
            "--seed",
            "5",
            "--out",
            pcap.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(made.status.success());
    let generated = String::from_utf8_lossy(&made.stdout).into_owned();
    let frames: u64 = generated
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect(&generated);

    let ns = Netns::create();
    let mut weir = KillOnDrop(
        ns.exec(env!("CARGO_BIN_EXE_weir"))
            .args(["run", "--interface", "wa", "--json", "--log-level", "info"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Wait until weir has its capture socket open.
    let stderr = weir.0.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("weir never started capturing: {log:?}"));
        let ready = line.contains("capturing on wa");
        log.push(line);
        if ready {
            break;
        }
    }

    let replay = ns
        .exec("tcpreplay")
        .args(["-i", "wb", "--pps", "4000", "-q", pcap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "tcpreplay: {}",
        String::from_utf8_lossy(&replay.stderr)
    );
    std::thread::sleep(Duration::from_millis(500));

    let pid = weir.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = weir.0.wait().unwrap();
    let mut out = String::new();
    weir.0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(status.success(), "weir exited with {status}; log: {log:?}");
    let run: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out:?}"));
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
    assert!(
        summary["top_protocols"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0] == "TLS"),
        "{summary}"
    );
}
