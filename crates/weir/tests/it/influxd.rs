//! A real `influxd` (Debian's `influxdb` package, installed by `cargo xtask setup`) on
//! free 127.0.0.1 ports, its data under a temporary directory, killed on drop. Shared
//! by the timeseries tests.

use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A running `influxd`.
pub struct Influxd {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _dir: tempfile::TempDir,
    /// Held while the server runs (released after it is killed).
    one: Option<MutexGuard<'static, ()>>,
}

/// One server at a time in this test binary: two starting together on a loaded 2-core
/// machine, beside tests that bind ports of their own, made startups miss the deadline.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

impl Influxd {
    /// Starts a server and waits (60 s at most) until it answers `/ping`; a server that
    /// exits at once (a port it was given was taken meanwhile) is started again on
    /// other ports.
    pub fn start() -> Influxd {
        assert!(
            Command::new("influxd")
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success()),
            "`influxd` is not installed: run `cargo xtask setup` (installs Debian's `influxdb`; CI does this)"
        );
        let mut guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..3 {
            match Influxd::try_start(guard) {
                Ok(s) => return s,
                Err(g) => guard = g,
            }
        }
        panic!("influxd did not start (3 attempts)");
    }

    /// One start; gives the lock back when the server exited at once.
    fn try_start(guard: MutexGuard<'static, ()>) -> Result<Influxd, MutexGuard<'static, ()>> {
        let port = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let dir = tempfile::tempdir().unwrap();
        let (http, rpc, d) = (port(), port(), dir.path().display().to_string());
        let conf = dir.path().join("influxdb.conf");
        std::fs::write(
            &conf,
            format!(
                "reporting-disabled = true\nbind-address = \"127.0.0.1:{rpc}\"\n\
                 [meta]\n dir = \"{d}/meta\"\n[data]\n dir = \"{d}/data\"\n wal-dir = \"{d}/wal\"\n\
                 [http]\n bind-address = \"127.0.0.1:{http}\"\n log-enabled = false\n\
                 [monitor]\n store-enabled = false\n[logging]\n level = \"warn\"\n"
            ),
        )
        .unwrap();
        let child = Command::new("influxd")
            .args(["run", "-config"])
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut s = Influxd {
            child,
            url: format!("http://127.0.0.1:{http}"),
            _dir: dir,
            one: Some(guard),
        };
        let client = weir_ts::InfluxClient::new(weir_ts::InfluxConfig::v1(&s.url, "x"));
        let deadline = Instant::now() + Duration::from_secs(60);
        // Ready when it answers `/ping` and creates a database (its meta store may
        // still be opening after the first `/ping`).
        while client.ping().is_err() || client.create_database().is_err() {
            if s.child.try_wait().ok().flatten().is_some() {
                return Err(s.one.take().expect("held since the start"));
            }
            assert!(Instant::now() < deadline, "influxd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(s)
    }
}

impl Drop for Influxd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.one.take();
    }
}
