//! Shared helpers: schemas, and a real `influxd` started for one test.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use weir_ts::*;

/// Generous wait for flushes.
pub const WAIT: Duration = Duration::from_secs(30);

/// A minute boundary.
pub const T0: u64 = 1_700_000_040;

/// `host:syn_received` as the acceptance plugin defines it in `ts_schemas/min.lua`.
pub fn syn_schema() -> Arc<Schema> {
    let mut s = Schema::new("host:syn_received", 60, "plugins/syn/ts_schemas/min.lua").unwrap();
    s.add_tag("ifid").unwrap();
    s.add_tag("host").unwrap();
    s.add_metric("syn", MetricKind::Counter).unwrap();
    let mut r = SchemaRegistry::new();
    r.define(s).unwrap().0
}

/// A registry with the built-ins and [`syn_schema`].
pub fn registry() -> SchemaRegistry {
    let mut r = SchemaRegistry::with_builtins();
    r.define((*syn_schema()).clone()).unwrap();
    r
}

/// A TCP port nothing listens on (right now), never handed out twice in this test
/// process (parallel tests must not pick each other's ports).
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// An `influxd` (Debian's `influxdb` package, 1.6.x) on 127.0.0.1 with its data under
/// a temporary directory; killed on drop.
pub struct InfluxServer {
    child: Child,
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    dir: tempfile::TempDir,
}

impl InfluxServer {
    /// Starts `influxd` and waits for `/ping`.
    ///
    /// Panics (failing the test, never skipping it) when `influxd` is not installed.
    pub fn start() -> InfluxServer {
        InfluxServer::start_on(free_port())
    }

    /// Starts `influxd` with its HTTP API on `http` and waits for `/ping`.
    pub fn start_on(http: u16) -> InfluxServer {
        InfluxServer::start_attempt(http, 1)
    }

    /// One attempt; another process taking the RPC port between `free_port` and
    /// influxd's bind makes it exit with "address already in use": then try again with
    /// another RPC port (3 attempts).
    fn start_attempt(http: u16, attempt: u32) -> InfluxServer {
        let found = Command::new("influxd")
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "`influxd` is not installed: run `cargo xtask setup` (installs Debian's \
             `influxdb` package; CI does this before the tests)"
        );
        let dir = tempfile::tempdir().unwrap();
        let rpc = free_port();
        let d = dir.path().display();
        let config = format!(
            "reporting-disabled = true\n\
             bind-address = \"127.0.0.1:{rpc}\"\n\
             [meta]\n  dir = \"{d}/meta\"\n\
             [data]\n  dir = \"{d}/data\"\n  wal-dir = \"{d}/wal\"\n  query-log-enabled = false\n\
             [http]\n  enabled = true\n  bind-address = \"127.0.0.1:{http}\"\n  log-enabled = false\n\
             [monitor]\n  store-enabled = false\n\
             [continuous_queries]\n  enabled = false\n\
             [logging]\n  level = \"warn\"\n"
        );
        let conf = dir.path().join("influxdb.conf");
        std::fs::write(&conf, config).unwrap();
        let log = std::fs::File::create(dir.path().join("influxd.log")).unwrap();
        let child = Command::new("influxd")
            .arg("run")
            .arg("-config")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting influxd");
        let mut server = InfluxServer {
            child,
            url: format!("http://127.0.0.1:{http}"),
            dir,
        };
        let client = InfluxClient::new(InfluxConfig::v1(&server.url, "ping"));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if client.ping().is_ok() {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = server.log();
                if attempt < 3
                    && log.contains(&format!("127.0.0.1:{rpc}: bind: address already in use"))
                {
                    return InfluxServer::start_attempt(http, attempt + 1);
                }
                panic!("influxd exited ({status}): {log}");
            }
            assert!(
                Instant::now() < deadline,
                "influxd did not answer /ping within 60 s: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(self.dir.path().join("influxd.log")) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// The data directory.
    #[allow(dead_code)]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Settings for database `db` on this server, with fast retries for tests.
    pub fn config(&self, db: &str) -> InfluxConfig {
        let mut c = InfluxConfig::v1(&self.url, db);
        c.retry_initial = Duration::from_millis(50);
        c.retry_max = Duration::from_millis(500);
        c
    }
}

impl Drop for InfluxServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
