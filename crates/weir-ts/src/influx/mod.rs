//! The InfluxDB backend: line protocol over HTTP from the sink thread, with a bounded
//! buffer, gzip, retries with backoff and a health record; queries via InfluxQL.

pub mod line;
mod ql;
mod spool;

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::point::Point;
use crate::schema::SchemaRegistry;
use crate::writer::{Backend, BatchReport};

/// Which write API and credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfluxApi {
    /// InfluxDB 1.x: `POST /write?db=DB&precision=s`, optional basic auth.
    V1 {
        /// Database name.
        db: String,
        /// User for basic auth, if any.
        user: Option<String>,
        /// Password for basic auth, if any.
        password: Option<String>,
    },
    /// InfluxDB 2.x: `POST /api/v2/write?org=ORG&bucket=BUCKET&precision=s` with
    /// `Authorization: Token ...`; queries go to the 1.x-compatible `/query`
    /// with the bucket as database (needs a DBRP mapping on the server).
    V2 {
        /// Organisation.
        org: String,
        /// Bucket.
        bucket: String,
        /// API token.
        token: String,
    },
}

/// InfluxDB backend settings.
#[derive(Debug, Clone)]
pub struct InfluxConfig {
    /// Base URL, e.g. `http://127.0.0.1:8086` (no trailing path).
    pub url: String,
    /// API version and credentials.
    pub api: InfluxApi,
    /// Compress request bodies (`Content-Encoding: gzip`).
    pub gzip: bool,
    /// Lines per HTTP request.
    pub batch_max_lines: usize,
    /// Bytes of line protocol kept while the server is unreachable; beyond it the
    /// oldest requests are dropped and counted.
    pub buffer_max_bytes: usize,
    /// First retry delay after a failure; doubles up to `retry_max`.
    pub retry_initial: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// Send `CREATE DATABASE` (1.x) before the first write.
    pub create_database: bool,
    /// Where requests that overflow `buffer_max_bytes` go during an outage (sent
    /// first when the server is back, kept across restarts); `None`: they are
    /// dropped and counted.
    pub spool_dir: Option<PathBuf>,
    /// Size cap of the spool; beyond it the oldest requests are dropped and counted.
    pub spool_max_bytes: u64,
}

impl InfluxConfig {
    /// 1.x settings for `url` and database `db`, with defaults (gzip, 5000 lines per
    /// request, 64 MiB buffer, retries from 1 s to 60 s, 10 s timeout).
    pub fn v1(url: &str, db: &str) -> InfluxConfig {
        InfluxConfig {
            url: url.trim_end_matches('/').into(),
            api: InfluxApi::V1 {
                db: db.into(),
                user: None,
                password: None,
            },
            gzip: true,
            batch_max_lines: 5000,
            buffer_max_bytes: 64 << 20,
            retry_initial: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            create_database: true,
            spool_dir: None,
            spool_max_bytes: 1 << 30,
        }
    }

    /// Parses the command-line form `http://HOST:PORT/DBNAME` (1.x).
    ///
    /// # Errors
    /// [`Error::Config`] when the scheme is not http(s) or the database is missing.
    pub fn parse(spec: &str) -> Result<InfluxConfig> {
        let rest = spec
            .strip_prefix("http://")
            .or_else(|| spec.strip_prefix("https://"))
            .ok_or_else(|| Error::Config(format!("{spec:?}: expected http://HOST:PORT/DBNAME")))?;
        let (host, db) = rest
            .split_once('/')
            .ok_or_else(|| Error::Config(format!("{spec:?}: the database name is missing")))?;
        let db = db.trim_end_matches('/');
        if host.is_empty() || db.is_empty() || db.contains('/') {
            return Err(Error::Config(format!(
                "{spec:?}: expected http://HOST:PORT/DBNAME"
            )));
        }
        let scheme_len = spec.len() - rest.len();
        Ok(InfluxConfig::v1(
            &format!("{}{host}", &spec[..scheme_len]),
            db,
        ))
    }

    /// The database (1.x) or bucket (2.x) name.
    pub fn database(&self) -> &str {
        match &self.api {
            InfluxApi::V1 { db, .. } => db,
            InfluxApi::V2 { bucket, .. } => bucket,
        }
    }
}

/// State of the InfluxDB link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum InfluxStatus {
    /// Nothing sent yet.
    #[default]
    Unknown,
    /// The last request succeeded.
    Healthy,
    /// The last request failed; buffered points wait for the next retry.
    Retrying,
}

/// Health of the InfluxDB backend, for the UI, REST and `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InfluxHealth {
    /// Link state.
    pub status: InfluxStatus,
    /// Failed requests since the last success.
    pub consecutive_failures: u64,
    /// Last error, if the last request failed.
    pub last_error: Option<String>,
    /// Wall-clock time of the last successful write (seconds since the epoch).
    pub last_success_unix: Option<u64>,
    /// Points waiting in the buffer.
    pub buffered_points: u64,
    /// Bytes waiting in the buffer.
    pub buffered_bytes: u64,
    /// Points the server accepted.
    pub sent_points: u64,
    /// Points spooled to disk, waiting.
    pub spooled_points: u64,
    /// Bytes spooled to disk.
    pub spooled_bytes: u64,
    /// Points dropped because the buffer (and the spool, if any) was full: an outage
    /// longer than they hold.
    pub dropped_points: u64,
    /// Points the server refused (4xx other than 429: bad data, type conflicts).
    pub rejected_points: u64,
    /// HTTP write requests made (including failures).
    pub requests: u64,
}

/// A read handle on an [`InfluxBackend`]'s health, usable from any thread.
#[derive(Debug, Clone, Default)]
pub struct InfluxHealthHandle(Arc<Mutex<InfluxHealth>>);

impl InfluxHealthHandle {
    /// A snapshot.
    pub fn get(&self) -> InfluxHealth {
        self.0.lock().clone()
    }
}

/// HTTP access to one InfluxDB database: writes, `/ping`, InfluxQL queries. Also the
/// [`TsQuery`](crate::TsQuery) implementation for charts (it needs the schemas to
/// know metric kinds and steps).
#[derive(Debug, Clone)]
pub struct InfluxClient {
    cfg: InfluxConfig,
    agent: ureq::Agent,
    schemas: SchemaRegistry,
}

enum WriteFailure {
    /// Worth retrying (transport error, 5xx, 429).
    Retry(Error),
    /// Will never succeed (bad data).
    Permanent(Error),
}

impl InfluxClient {
    /// A client; queries know the built-in schemas until [`InfluxClient::with_schemas`].
    pub fn new(cfg: InfluxConfig) -> InfluxClient {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(cfg.timeout))
                .build(),
        );
        InfluxClient {
            cfg,
            agent,
            schemas: SchemaRegistry::with_builtins(),
        }
    }

    /// Sets the schemas queries resolve names against.
    pub fn with_schemas(mut self, schemas: SchemaRegistry) -> InfluxClient {
        self.schemas = schemas;
        self
    }

    /// The settings.
    pub fn config(&self) -> &InfluxConfig {
        &self.cfg
    }

    fn auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.cfg.api {
            InfluxApi::V1 {
                user: Some(u),
                password,
                ..
            } => req
                .query("u", u)
                .query("p", password.as_deref().unwrap_or("")),
            InfluxApi::V1 { .. } => req,
            InfluxApi::V2 { token, .. } => req.header("Authorization", format!("Token {token}")),
        }
    }

    /// `GET /ping`.
    ///
    /// # Errors
    /// [`Error::Influx`] unless the server answers 2xx.
    pub fn ping(&self) -> Result<()> {
        let resp = self
            .agent
            .get(format!("{}/ping", self.cfg.url))
            .call()
            .map_err(|e| Error::Influx {
                what: "ping",
                reason: e.to_string(),
            })?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(Error::Influx {
                what: "ping",
                reason: format!("HTTP {}", resp.status()),
            })
        }
    }

    /// `CREATE DATABASE` (1.x; a no-op for 2.x).
    ///
    /// # Errors
    /// [`Error::Influx`].
    pub fn create_database(&self) -> Result<()> {
        let InfluxApi::V1 { db, .. } = &self.cfg.api else {
            return Ok(());
        };
        self.post_query(&format!("CREATE DATABASE {}", ql::ident(db)), None)
    }

    /// Runs a writing InfluxQL statement (`POST /query`) on the database.
    ///
    /// # Errors
    /// [`Error::Influx`] for transport errors, error statuses and statement errors.
    pub fn execute(&self, q: &str) -> Result<()> {
        self.post_query(q, Some(self.cfg.database()))
    }

    /// `POST /query` of a statement (on database `db` when given): an error status
    /// or an error in the results (InfluxDB answers 200 with `results[0].error`) is
    /// an [`Error::Influx`].
    fn post_query(&self, q: &str, db: Option<&str>) -> Result<()> {
        let mut req = self.agent.post(format!("{}/query", self.cfg.url));
        if let Some(db) = db {
            req = req.query("db", db);
        }
        let mut resp = self
            .auth(req.query("q", q))
            .send_empty()
            .map_err(|e| Error::Influx {
                what: "query",
                reason: e.to_string(),
            })?;
        let status = resp.status();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let err = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.pointer("/results/0/error")
                    .or_else(|| v.get("error"))
                    .and_then(|e| e.as_str())
                    .map(String::from)
            });
        match (status.is_success(), err) {
            (true, None) => Ok(()),
            (_, Some(e)) => Err(Error::Influx {
                what: "query",
                reason: e,
            }),
            (false, None) => Err(Error::Influx {
                what: "query",
                reason: format!("HTTP {status}: {}", text.trim()),
            }),
        }
    }

    /// `DROP SERIES` for every measurement (schema) starting with `schema_prefix`
    /// and the given tag values.
    ///
    /// # Errors
    /// As [`InfluxClient::execute`].
    pub fn drop_series(&self, schema_prefix: &str, tags: &[(String, String)]) -> Result<()> {
        let mut re = String::from("^");
        for c in schema_prefix.chars() {
            if !c.is_ascii_alphanumeric() && c != '_' && c != ':' && c != '-' {
                re.push('\\');
            }
            re.push(c);
        }
        let mut q = format!("DROP SERIES FROM /{re}/");
        for (i, (k, v)) in tags.iter().enumerate() {
            q.push_str(if i == 0 { " WHERE " } else { " AND " });
            q.push_str(&format!("{} = {}", ql::ident(k), ql::literal(v)));
        }
        self.execute(&q)
    }

    /// Posts line protocol (already gzipped when `gzipped`).
    fn post_lines(&self, body: &[u8], gzipped: bool) -> std::result::Result<(), WriteFailure> {
        let req = match &self.cfg.api {
            InfluxApi::V1 { db, .. } => self
                .agent
                .post(format!("{}/write", self.cfg.url))
                .query("db", db)
                .query("precision", "s"),
            InfluxApi::V2 { org, bucket, .. } => self
                .agent
                .post(format!("{}/api/v2/write", self.cfg.url))
                .query("org", org)
                .query("bucket", bucket)
                .query("precision", "s"),
        };
        let mut req = self
            .auth(req)
            .header("Content-Type", "text/plain; charset=utf-8");
        if gzipped {
            req = req.header("Content-Encoding", "gzip");
        }
        let mut resp = req.send(body).map_err(|e| {
            WriteFailure::Retry(Error::Influx {
                what: "write",
                reason: e.to_string(),
            })
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let err = Error::Influx {
            what: "write",
            reason: format!("HTTP {status}: {}", text.trim()),
        };
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 404 {
            // 404: database not found (yet); worth retrying after CREATE DATABASE.
            Err(WriteFailure::Retry(err))
        } else {
            Err(WriteFailure::Permanent(err))
        }
    }

    /// Writes points synchronously (one request per `batch_max_lines`), without
    /// buffering or retries: for tools and tests.
    ///
    /// # Errors
    /// [`Error::Influx`] for the first failed request.
    pub fn write_points(&self, points: &[Point]) -> Result<()> {
        for chunk in points.chunks(self.cfg.batch_max_lines.max(1)) {
            let mut body = String::new();
            for p in chunk {
                line::write_line(&mut body, p);
            }
            let (bytes, gz) = self.encode_body(body.as_bytes())?;
            self.post_lines(&bytes, gz).map_err(|f| match f {
                WriteFailure::Retry(e) | WriteFailure::Permanent(e) => e,
            })?;
        }
        Ok(())
    }

    fn encode_body(&self, body: &[u8]) -> Result<(Vec<u8>, bool)> {
        if !self.cfg.gzip {
            return Ok((body.to_vec(), false));
        }
        let mut enc = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::fast(),
        );
        enc.write_all(body)
            .map_err(Error::io("compressing line protocol"))?;
        Ok((
            enc.finish()
                .map_err(Error::io("compressing line protocol"))?,
            true,
        ))
    }

    /// Runs InfluxQL on `/query` (times in seconds) and returns the JSON answer.
    ///
    /// # Errors
    /// [`Error::Influx`] for transport errors, error statuses and statement errors.
    pub fn influxql(&self, q: &str) -> Result<serde_json::Value> {
        let req = self
            .agent
            .get(format!("{}/query", self.cfg.url))
            .query("db", self.cfg.database())
            .query("epoch", "s")
            .query("q", q);
        let mut resp = self.auth(req).call().map_err(|e| Error::Influx {
            what: "query",
            reason: e.to_string(),
        })?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .map_err(|e| Error::Influx {
                what: "query",
                reason: e.to_string(),
            })?;
        if !status.is_success() {
            return Err(Error::Influx {
                what: "query",
                reason: format!("HTTP {status}: {}", text.trim()),
            });
        }
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Influx {
            what: "query",
            reason: format!("invalid JSON answer: {e}"),
        })?;
        if let Some(err) = v
            .pointer("/results/0/error")
            .or_else(|| v.get("error"))
            .and_then(|e| e.as_str())
        {
            return Err(Error::Influx {
                what: "query",
                reason: err.into(),
            });
        }
        Ok(v)
    }
}

struct Chunk {
    body: Vec<u8>,
    gzipped: bool,
    points: u64,
    bytes: usize,
}

/// The InfluxDB [`Backend`] for a [`TsSink`](crate::TsSink): batches lines into
/// requests, keeps them in a bounded buffer while the server is unreachable, retries
/// with exponential backoff, counts every point in [`InfluxHealth`].
pub struct InfluxBackend {
    client: InfluxClient,
    spool: Option<spool::Spool>,
    buffer: VecDeque<Chunk>,
    buffered_bytes: usize,
    backoff: Duration,
    next_try: Option<Instant>,
    database_ready: bool,
    health: InfluxHealthHandle,
    /// The step of the last point sent per series (by a 64-bit hash of schema and
    /// tags): a point not newer is refused as `out_of_order`, as the embedded store
    /// does (InfluxDB would overwrite the step's point). Forgotten on restart and on
    /// delete.
    last: HashMap<u64, u64>,
}

/// Most series whose last step [`InfluxBackend`] remembers (beyond it the memory is
/// cleared and the check starts over).
const MAX_TRACKED_SERIES: usize = 1 << 21;

impl std::fmt::Debug for InfluxBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InfluxBackend")
            .field("url", &self.client.cfg.url)
            .field("health", &self.health.get())
            .finish()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl InfluxBackend {
    /// A backend for these settings (nothing is sent before the first batch; requests
    /// left in the spool by an earlier run are sent first).
    ///
    /// # Errors
    /// [`Error::Config`] for zero sizes, [`Error::Io`] if the spool directory cannot
    /// be created or read.
    pub fn new(cfg: InfluxConfig) -> Result<InfluxBackend> {
        if cfg.batch_max_lines == 0 || cfg.buffer_max_bytes == 0 {
            return Err(Error::Config(
                "influxdb batch_max_lines and buffer_max_bytes must be > 0".into(),
            ));
        }
        let backoff = cfg.retry_initial;
        let database_ready = !cfg.create_database;
        let spool = match &cfg.spool_dir {
            Some(d) => Some(spool::Spool::open(d, cfg.spool_max_bytes)?),
            None => None,
        };
        let backend = InfluxBackend {
            client: InfluxClient::new(cfg),
            spool,
            buffer: VecDeque::new(),
            buffered_bytes: 0,
            backoff,
            next_try: None,
            database_ready,
            health: InfluxHealthHandle::default(),
            last: HashMap::new(),
        };
        backend.update_buffer_health();
        Ok(backend)
    }

    /// A handle to read the health from other threads.
    pub fn health_handle(&self) -> InfluxHealthHandle {
        self.health.clone()
    }

    fn enqueue(&mut self, body: &str, points: u64) -> Result<()> {
        let (bytes, gzipped) = self.client.encode_body(body.as_bytes())?;
        let size = bytes.len();
        self.buffer.push_back(Chunk {
            body: bytes,
            gzipped,
            points,
            bytes: size,
        });
        self.buffered_bytes += size;
        let mut dropped = 0;
        while self.buffered_bytes > self.client.cfg.buffer_max_bytes && self.buffer.len() > 1 {
            if let Some(old) = self.buffer.pop_front() {
                self.buffered_bytes -= old.bytes;
                match self
                    .spool
                    .as_mut()
                    .map(|s| s.push(&old.body, old.gzipped, old.points))
                {
                    Some(Ok(n)) => dropped += n,
                    Some(Err(e)) => {
                        tracing::error!(error = %e, "InfluxDB spool write failed");
                        dropped += old.points;
                    }
                    None => dropped += old.points,
                }
            }
        }
        if dropped > 0 {
            let total = {
                let mut h = self.health.0.lock();
                h.dropped_points += dropped;
                h.dropped_points
            };
            tracing::warn!(
                dropped,
                total,
                "InfluxDB buffer full: oldest points dropped"
            );
        }
        self.update_buffer_health();
        Ok(())
    }

    fn update_buffer_health(&self) {
        let mut h = self.health.0.lock();
        h.buffered_points = self.buffer.iter().map(|c| c.points).sum();
        h.buffered_bytes = self.buffered_bytes as u64;
        h.spooled_points = self.spool.as_ref().map_or(0, spool::Spool::points);
        h.spooled_bytes = self.spool.as_ref().map_or(0, spool::Spool::bytes);
    }

    fn has_pending(&self) -> bool {
        !self.buffer.is_empty() || self.spool.as_ref().is_some_and(|s| !s.is_empty())
    }

    /// The oldest pending request (spool first): body, gzipped, points, spooled.
    fn next_request(&mut self) -> Option<(Vec<u8>, bool, u64, bool)> {
        while let Some(spool) = self.spool.as_mut() {
            match spool.front() {
                Some(Ok((body, gz, points))) => return Some((body, gz, points, true)),
                Some(Err(lost)) => {
                    self.health.0.lock().dropped_points += lost;
                }
                None => break,
            }
        }
        self.buffer
            .front()
            .map(|c| (c.body.clone(), c.gzipped, c.points, false))
    }

    fn pop_request(&mut self, spooled: bool) {
        if spooled {
            if let Some(s) = self.spool.as_mut() {
                s.pop_front();
            }
        } else {
            self.pop_front();
        }
    }

    /// Sends buffered chunks until one fails or the buffer is empty.
    fn send_buffered(&mut self) {
        if let Some(t) = self.next_try
            && Instant::now() < t
        {
            return;
        }
        self.next_try = None;
        if !self.database_ready {
            match self.client.create_database() {
                Ok(()) => self.database_ready = true,
                Err(e) => {
                    self.fail(e);
                    return;
                }
            }
        }
        while let Some((body, gzipped, points, spooled)) = self.next_request() {
            let result = self.client.post_lines(&body, gzipped);
            self.health.0.lock().requests += 1;
            match result {
                Ok(()) => {
                    self.pop_request(spooled);
                    self.backoff = self.client.cfg.retry_initial;
                    let mut h = self.health.0.lock();
                    h.status = InfluxStatus::Healthy;
                    h.consecutive_failures = 0;
                    h.last_error = None;
                    h.sent_points += points;
                    h.last_success_unix = Some(unix_now());
                }
                Err(WriteFailure::Permanent(e)) => {
                    self.pop_request(spooled);
                    tracing::error!(points, error = %e, "InfluxDB refused a batch; dropped");
                    let mut h = self.health.0.lock();
                    h.rejected_points += points;
                    h.last_error = Some(e.to_string());
                }
                Err(WriteFailure::Retry(e)) => {
                    if self.client.cfg.create_database
                        && e.to_string().contains("database not found")
                    {
                        // Dropped behind our back: create it again before the retry.
                        self.database_ready = false;
                    }
                    self.fail(e);
                    break;
                }
            }
        }
        self.update_buffer_health();
    }

    fn pop_front(&mut self) {
        if let Some(c) = self.buffer.pop_front() {
            self.buffered_bytes -= c.bytes;
        }
    }

    fn fail(&mut self, e: Error) {
        let failures = {
            let mut h = self.health.0.lock();
            h.status = InfluxStatus::Retrying;
            h.consecutive_failures += 1;
            h.last_error = Some(e.to_string());
            h.consecutive_failures
        };
        if failures == 1 || failures.is_power_of_two() {
            tracing::warn!(error = %e, failures, retry_in = ?self.backoff, "InfluxDB write failed; will retry");
        }
        self.next_try = Some(Instant::now() + self.backoff);
        self.backoff = (self.backoff * 2).min(self.client.cfg.retry_max);
    }
}

impl Backend for InfluxBackend {
    fn name(&self) -> &'static str {
        "influxdb"
    }

    fn write_batch(&mut self, points: &[Point]) -> Result<BatchReport> {
        let mut body = String::new();
        let mut lines = 0u64;
        let mut written = 0u64;
        // Requests small enough that the buffer cap drops whole requests finely.
        let max_bytes = (self.client.cfg.buffer_max_bytes / 8).clamp(256, 4 << 20);
        let mut out_of_order = 0u64;
        if self.last.len() > MAX_TRACKED_SERIES {
            self.last.clear();
        }
        for p in points {
            let t = p.aligned_ts();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (&p.schema.name, &p.tags).hash(&mut h);
            match self.last.entry(h.finish()) {
                std::collections::hash_map::Entry::Occupied(o) if *o.get() >= t => {
                    out_of_order += 1;
                    continue;
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    o.insert(t);
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(t);
                }
            }
            if line::write_line(&mut body, p) {
                lines += 1;
            }
            written += 1;
            if lines as usize >= self.client.cfg.batch_max_lines || body.len() >= max_bytes {
                self.enqueue(&body, lines)?;
                body.clear();
                lines = 0;
            }
        }
        if lines > 0 {
            self.enqueue(&body, lines)?;
        }
        self.send_buffered();
        Ok(BatchReport {
            written,
            out_of_order,
            ..BatchReport::default()
        })
    }

    fn delete(&mut self, schema_prefix: &str, tags: &[(String, String)]) -> Result<u64> {
        // Points sent before the delete go first.
        self.flush(Instant::now() + self.client.cfg.timeout)?;
        self.client.drop_series(schema_prefix, tags)?;
        self.last.clear();
        Ok(0)
    }

    fn poll(&mut self) -> Option<Duration> {
        if !self.has_pending() {
            return None;
        }
        self.send_buffered();
        self.next_try.map(|t| {
            t.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(10))
        })
    }

    fn flush(&mut self, deadline: Instant) -> Result<()> {
        loop {
            self.send_buffered();
            if !self.has_pending() {
                return Ok(());
            }
            let now = Instant::now();
            let wake = self.next_try.unwrap_or(now).min(deadline);
            if now >= deadline {
                return Err(Error::Timeout("InfluxDB flush"));
            }
            std::thread::sleep(
                wake.saturating_duration_since(now)
                    .max(Duration::from_millis(5)),
            );
        }
    }
}
