//! Shared by the web tests (`web_api.rs`, `web_browser.rs`, which include it with
//! `#[path]`): runs `weir run --pcap <generated> --web 127.0.0.1:0` and talks HTTP to it.
//! Built alone it is an empty test target.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use weir_alerts::{
    AlertEngine, Entity, FlowAlert, Granularity, Registry, Severity, SqliteConfig, SqliteStore,
    StatusKey, StoreSink, TypeInfo, WriterConfig, builtin,
};

/// The admin password given through `WEIR_ADMIN_PASSWORD`.
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";
/// The server address of the seeded flow alert (not in generated traffic).
pub const SEEDED_SERVER: &str = "100.64.77.77";
/// Packet time of the generated capture's start (weir-gen's default).
pub const T0: u64 = 1_767_225_600;

/// The binary under test.
pub fn weir_bin() -> &'static str {
    env!("CARGO_BIN_EXE_weir")
}

/// Writes a generated capture into `dir`.
pub fn gen_pcap(dir: &Path, flows: usize) -> PathBuf {
    let out = dir.join("sample.pcap");
    let o = Command::new(weir_bin())
        .args([
            "gen-pcap",
            "--out",
            out.to_str().unwrap(),
            "--flows",
            &flows.to_string(),
        ])
        .output()
        .expect("run weir gen-pcap");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// Stores alerts of all three tables through the weir-alerts API (plugins are not
/// wired into `weir run` yet): an engaged and a past host alert, and a flow alert.
pub fn seed_alerts(data_dir: &Path) {
    let store = SqliteStore::open_dir(data_dir, SqliteConfig::default()).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let mut engine = AlertEngine::new(
        weir_alerts::EngineConfig::default(),
        Arc::new(Registry::with_builtins()),
    );
    engine.set_store(sink.sender());
    let a = Entity::host("192.168.1.25", 0);
    let b = Entity::host("192.168.1.30", 0);
    let info = |sev| TypeInfo::new(builtin::CONNECTION_ISSUES, sev).granularity(Granularity::Min);
    engine.trigger(a, info(Severity::Warning), T0 + 60).unwrap();
    engine
        .trigger(b.clone(), info(Severity::Error), T0 + 120)
        .unwrap();
    engine.release(b, info(Severity::Error), T0 + 180).unwrap();
    let mut f = FlowAlert::new(
        builtin::CONNECTION_ISSUES,
        StatusKey(0),
        Severity::Critical,
        T0 + 30,
        6,
        ("192.168.1.25", 53728),
        (SEEDED_SERVER, 443),
    );
    f.l7_proto = "TLS".into();
    f.info = "seeded.example.com".into();
    f.score = 100;
    engine.store_flow(f);
    engine.flush(Duration::from_secs(10)).unwrap();
    sink.shutdown(Duration::from_secs(10)).unwrap();
}

/// A running `weir run --web`.
pub struct Weir {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// What it printed on stderr so far.
    pub stderr: Arc<Mutex<String>>,
}

impl Weir {
    /// Starts weir on `pcap` with `extra` flags and waits for its web address.
    pub fn start(pcap: &Path, data_dir: &Path, extra: &[&str]) -> Weir {
        let mut cmd = Command::new(weir_bin());
        cmd.args(["run", "--quiet", "--web", "127.0.0.1:0", "--pcap"])
            .arg(pcap)
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .env("WEIR_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start weir run");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(i) = line.find("web UI listening on http://") {
                    let url = line[i + "web UI listening on ".len()..]
                        .trim_end_matches('/')
                        .to_string();
                    let _ = tx.send(url);
                }
                log.lock().unwrap().push_str(&line);
                log.lock().unwrap().push('\n');
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "weir did not print its web address:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        Weir {
            child,
            base,
            data_dir: data_dir.to_path_buf(),
            stderr,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET with HTTP Basic as admin; returns (status, JSON body).
    pub fn get_json(&self, path: &str) -> (u16, Value) {
        request(
            &self.url(path),
            "GET",
            Some(&basic("admin", ADMIN_PASSWORD)),
            &[],
            None,
        )
    }

    /// Polls `/api/v1/health` until `done` holds (at most `secs`).
    pub fn wait_until(&self, secs: u64, what: &str, done: impl Fn(&Weir) -> bool) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            if done(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "timed out waiting for {what}; weir said:\n{}",
            self.stderr.lock().unwrap()
        );
    }

    /// SIGTERM, then waits for the exit; returns stdout.
    pub fn stop(mut self) -> (std::process::ExitStatus, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut out = String::new();
                if let Some(mut o) = self.child.stdout.take() {
                    use std::io::Read;
                    let _ = o.read_to_string(&mut out);
                }
                return (status, out);
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!(
                    "weir did not stop on SIGTERM:\n{}",
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Weir {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `Authorization: Basic ...`.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// One request; returns the status and the body as JSON (`Null` if not JSON).
pub fn request(
    url: &str,
    method: &str,
    auth: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> (u16, Value) {
    let (status, _, text) = request_full(url, method, auth, headers, body);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// One request; returns the status, the response headers and the body text.
pub fn request_full(
    url: &str,
    method: &str,
    auth: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> (u16, Vec<(String, String)>, String) {
    let req = ureq::http::Request::builder().method(method).uri(url);
    let mut req = match auth {
        Some(a) => req.header("Authorization", a),
        None => req,
    };
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = match body {
        Some((ctype, b)) => agent().run(
            req.header("Content-Type", ctype)
                .body(b.to_string())
                .unwrap(),
        ),
        None => agent().run(req.body(()).unwrap()),
    }
    .expect("HTTP request");
    let status = resp.status().as_u16();
    let hdrs = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = resp.into_body().read_to_string().unwrap_or_default();
    (status, hdrs, text)
}

/// GET without credentials; `None` while nothing listens.
pub fn try_get(url: &str) -> Option<(u16, Value)> {
    let resp = agent().get(url).call().ok()?;
    let status = resp.status().as_u16();
    let text = resp.into_body().read_to_string().unwrap_or_default();
    Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// The raw response to a request line sent as is (no client-side path normalisation).
pub fn raw_get(base: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}
