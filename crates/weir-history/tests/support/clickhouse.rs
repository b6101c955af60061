//! A real `clickhouse-server` (Debian's `clickhouse-server` package, installed by
//! `cargo xtask setup`) on free 127.0.0.1 ports, with its own config and data
//! directory in a temporary folder; killed on drop. Users: `default` (no password) and
//! `weir` (password `secret`), and `reader` (read-only profile). Shared by the
//! weir-history tests and weir's end-to-end tests (`#[path]`-included there).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server.
pub struct ClickHouse {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The HTTP port.
    pub http_port: u16,
    tcp_port: u16,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// The server binary, or `None` (with the reason printed) when it is not installed.
pub fn binary() -> Option<PathBuf> {
    for p in [
        "/usr/bin/clickhouse-server",
        "/usr/sbin/clickhouse-server",
        "/usr/bin/clickhouse",
    ] {
        if Path::new(p).exists() {
            return Some(PathBuf::from(p));
        }
    }
    eprintln!(
        "SKIPPED: `clickhouse-server` is not installed: run `cargo xtask setup` \
         (installs Debian's clickhouse-server; CI does this)"
    );
    None
}

impl ClickHouse {
    /// Starts a server and waits (90 s at most) until it answers; `None` when the
    /// server is not installed (the caller skips, loudly).
    pub fn start() -> Option<ClickHouse> {
        let bin = binary()?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut s = ClickHouse {
            child: None,
            url: String::new(),
            http_port: 0,
            tcp_port: 0,
            dir,
        };
        for _ in 0..3 {
            s.http_port = free_port();
            s.tcp_port = free_port();
            s.url = format!("http://127.0.0.1:{}", s.http_port);
            s.write_config();
            if s.spawn(&bin) {
                return Some(s);
            }
        }
        panic!(
            "clickhouse-server did not start (3 attempts); see {}",
            s.log().display()
        );
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn write_config(&self) {
        let d = self.dir.path().display().to_string();
        std::fs::write(
            self.dir.path().join("config.xml"),
            format!(
                r#"<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <format_schema_path>{d}/format_schemas/</format_schema_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <uncompressed_cache_size>8388608</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
"#,
                http = self.http_port,
                tcp = self.tcp_port
            ),
        )
        .expect("config.xml");
        let user = |name: &str, password: &str, profile: &str| {
            format!(
                "<{name}><password>{password}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>\
                 <profile>{profile}</profile><quota>default</quota></{name}>"
            )
        };
        std::fs::write(
            self.dir.path().join("users.xml"),
            format!(
                "<?xml version=\"1.0\"?>\n<yandex><profiles><default></default>\
                 <readonly><readonly>1</readonly></readonly></profiles><users>{}{}{}</users>\
                 <quotas><default></default></quotas></yandex>\n",
                user("default", "", "default"),
                user("weir", "secret", "default"),
                user("reader", "", "readonly")
            ),
        )
        .expect("users.xml");
    }

    /// Starts the process on the configured ports; false if it exited at once.
    fn spawn(&mut self, bin: &Path) -> bool {
        let mut cmd = Command::new(bin);
        if bin.ends_with("clickhouse") {
            cmd.arg("server");
        }
        let child = cmd
            .arg(format!(
                "--config-file={}",
                self.dir.path().join("config.xml").display()
            ))
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawning clickhouse-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if self.sql("SELECT 1").is_ok_and(|t| t.trim() == "1") {
                return true;
            }
            if let Some(c) = &mut self.child
                && c.try_wait().ok().flatten().is_some()
            {
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "clickhouse-server did not answer in 90 s; see {}",
            self.log().display()
        );
    }

    /// Runs SQL as `default`; the answer text, or the error body.
    pub fn sql(&self, q: &str) -> Result<String, String> {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build(),
        );
        let mut r = agent
            .post(format!("{}/", self.url))
            .send(q.as_bytes())
            .map_err(|e| e.to_string())?;
        let ok = r.status().is_success();
        let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
        if ok { Ok(text) } else { Err(text) }
    }

    /// A number from a query (`SELECT count() …`).
    pub fn count(&self, q: &str) -> u64 {
        let t = self.sql(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        t.trim().parse().unwrap_or_else(|_| panic!("{q}: {t:?}"))
    }

    /// `kill -9`: no shutdown, no flush.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same ports and data (after [`ClickHouse::kill9`]).
    pub fn restart(&mut self) {
        let bin = binary().expect("installed");
        for _ in 0..20 {
            if self.spawn(&bin) {
                return;
            }
            // The old process's port may linger for a moment.
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!(
            "clickhouse-server did not restart; see {}",
            self.log().display()
        );
    }
}

impl Drop for ClickHouse {
    fn drop(&mut self) {
        self.kill9();
    }
}
