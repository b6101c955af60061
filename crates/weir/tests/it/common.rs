//! Helpers shared by the end-to-end tests that run the real `weir` binary.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A data directory for this test binary, so that no test writes `./data`.
pub fn scratch_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

/// `weir` with `WEIR_DATA_DIR` pointing at [`scratch_dir`].
pub fn weir_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_weir"));
    c.env("WEIR_DATA_DIR", scratch_dir());
    c
}

/// Runs `weir ARGS` to completion.
pub fn weir(args: &[&str]) -> Output {
    weir_cmd().args(args).output().expect("run weir")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes a generated capture of `flows` flows into `dir` and returns its path.
pub fn generate(dir: &std::path::Path, name: &str, flows: &str, seed: &str) -> String {
    let out = dir.join(name);
    let o = weir(&[
        "gen-pcap",
        "--flows",
        flows,
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out.to_str().unwrap().to_string()
}

/// Asserts exit code 1 and exactly one `weir: error: ` line containing `needle`.
pub fn one_line_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("weir: error: "))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(needle), "{err}");
}

/// A child process killed when dropped (a failing test leaves nothing running), whose
/// stderr lines arrive on a channel.
pub struct Daemon {
    child: Child,
    /// Lines the child wrote to stderr.
    pub log: mpsc::Receiver<String>,
    /// Lines seen so far by [`Daemon::wait_for`].
    pub seen: Vec<String>,
}

impl Daemon {
    /// Starts `cmd` with piped stdout and stderr.
    pub fn spawn(mut cmd: Command) -> Daemon {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start weir");
        let (tx, log) = mpsc::channel();
        let err = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Daemon {
            child,
            log,
            seen: Vec::new(),
        }
    }

    /// Starts `weir ARGS`.
    pub fn weir(args: &[&str]) -> Daemon {
        let mut cmd = weir_cmd();
        cmd.args(args);
        Daemon::spawn(cmd)
    }

    /// Waits (20 s at most) for a stderr line containing `needle` and returns it.
    pub fn wait_for(&mut self, needle: &str) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no log line with {needle:?}; saw {:?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Sends SIGTERM, expects a clean exit, and returns what it wrote to stdout.
    pub fn sigterm_stdout(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(
            status.success(),
            "weir exited with {status}; log: {:?}",
            self.seen
        );
        out
    }

    /// Sends SIGTERM, expects a clean exit, and parses stdout as one JSON object.
    pub fn sigterm_json(self) -> serde_json::Value {
        let out = self.sigterm_stdout();
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out:?}"))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `weir run` with UDP and TCP syslog listeners on free ports (plus `extra`
/// arguments, at info log level); returns it with the two ports.
pub fn syslog_daemon(extra: &[&str]) -> (Daemon, u16, u16) {
    let mut args = vec![
        "run",
        "--syslog",
        "udp://127.0.0.1:0",
        "--syslog",
        "tcp://127.0.0.1:0",
        "--json",
        "--log-level",
        "info",
    ];
    args.extend(extra);
    let mut weir = Daemon::weir(&args);
    let port = |line: String| {
        line.rsplit(':')
            .next()
            .and_then(|p| p.trim().parse::<u16>().ok())
            .unwrap()
    };
    let udp = port(weir.wait_for("listening on udp"));
    let tcp = port(weir.wait_for("listening on tcp"));
    (weir, udp, tcp)
}

/// Runs the real `logger` (util-linux) with `args`; fails the test when it fails.
pub fn logger(args: &[&str]) {
    let o = Command::new("logger")
        .args(args)
        .output()
        .expect("logger (util-linux) is needed: cargo xtask setup");
    assert!(
        o.status.success(),
        "logger {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
