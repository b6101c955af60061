//! A real `influxd` (Debian's `influxdb` package, installed by `cargo xtask setup`) on
//! free 127.0.0.1 ports, its data under a temporary directory, killed on drop. Shared
//! by the timeseries test binaries with `#[path]`.

use std::process::Command;
use std::time::{Duration, Instant};

/// A running `influxd`.
pub struct Influxd {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Influxd {
    /// Starts a server and waits (60 s at most) until it answers `/ping`.
    pub fn start() -> Influxd {
        let port = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        assert!(
            Command::new("influxd")
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success()),
            "`influxd` is not installed: run `cargo xtask setup` (installs Debian's `influxdb`; CI does this)"
        );
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
        let s = Influxd {
            child,
            url: format!("http://127.0.0.1:{http}"),
            _dir: dir,
        };
        let client = weir_ts::InfluxClient::new(weir_ts::InfluxConfig::v1(&s.url, "x"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while client.ping().is_err() {
            assert!(Instant::now() < deadline, "influxd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }
}

impl Drop for Influxd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
