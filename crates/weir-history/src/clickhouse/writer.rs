//! The ClickHouse writer: rows are batched (by count and age) into `TabSeparated`
//! bodies, each batch stamped with a batch id in every row. A batch that fails goes to
//! a bounded spool directory and is sent again, oldest first, once the server answers.
//!
//! ## Exactly once
//!
//! A plain `MergeTree` (what ClickHouse 18.16 has without ZooKeeper) does not
//! deduplicate inserts, so the writer makes resends idempotent itself:
//!
//! 1. every batch has a unique id (`probe.session.sequence`, the session being the
//!    writer's start time and process id) carried by each of its rows (`batch_id`);
//! 2. a batch is one `INSERT` of fewer rows than `max_insert_block_size` into one
//!    partition (partitions are by insertion day, `now()` is constant within a
//!    query), so ClickHouse writes it as one part: all of it or none of it;
//! 3. an insert that fails is spooled with the time of its first attempt; before
//!    resending, the writer asks which spooled ids already have rows (looking only at
//!    partitions since that first attempt) and drops those from the spool instead of
//!    inserting them again: an insert that succeeded but whose answer was lost (the
//!    server killed mid-request) is not duplicated, and one that never landed is sent.
//!
//! A refused insert (wrong credentials, read-only table) is spooled the same way, so
//! fixing the server loses nothing; past the spool's bound, new batches are dropped
//! and counted ([`SinkStats::flows_dropped`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::tsv::{ALERT_COLUMNS, FLOW_COLUMNS, alert_row, flow_row};
use super::{ClickHouseConfig, Client};
use crate::record::{AlertRecord, FlowRecord};
use crate::sink::{Backend, HistorySink, SinkStats};
use crate::{Error, Result};

/// How the writer batches and spools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterConfig {
    /// The server.
    pub server: ClickHouseConfig,
    /// The probe name written in every row.
    pub probe: String,
    /// Rows per insert (at most; kept well under `max_insert_block_size`).
    pub batch_rows: usize,
    /// A batch is sent when its oldest row waited this long.
    pub flush_interval: Duration,
    /// Where failed batches wait.
    pub spool_dir: PathBuf,
    /// Bytes the spool may hold.
    pub spool_max_bytes: u64,
    /// How long closing keeps retrying a server that does not answer.
    pub close_timeout: Duration,
}

impl WriterConfig {
    /// Defaults: 50 000 rows or 1 s per batch, 256 MiB of spool, 10 s to close.
    pub fn new(server: ClickHouseConfig, probe: &str, spool_dir: &Path) -> WriterConfig {
        WriterConfig {
            server,
            probe: probe.to_string(),
            batch_rows: 50_000,
            flush_interval: Duration::from_secs(1),
            spool_dir: spool_dir.to_path_buf(),
            spool_max_bytes: 256 << 20,
            close_timeout: Duration::from_secs(10),
        }
    }
}

/// Starts the ClickHouse writer thread. The schema is created on the first contact
/// (now, or when the server first answers).
///
/// # Errors
/// The spool directory cannot be created or the thread cannot start.
pub fn start(cfg: WriterConfig) -> Result<HistorySink> {
    let spool = Spool::open(&cfg.spool_dir, cfg.spool_max_bytes)?;
    let close = cfg.close_timeout;
    let session = format!(
        "{}.{:x}{:x}",
        sanitize(&cfg.probe),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or(0),
        std::process::id()
    );
    let backend = ClickHouseBackend {
        client: Client::new(cfg.server.clone()),
        cfg,
        session,
        seq: 0,
        pending: [Pending::default(), Pending::default()],
        spool,
        schema: None,
        retry_at: Instant::now(),
        backoff: Duration::from_millis(250),
        retention_checked: None,
        inflight: None,
    };
    HistorySink::start(backend, close).map_err(|source| Error::Io {
        path: "history thread".into(),
        source,
    })
}

/// Batch ids and spool file names use `[A-Za-z0-9_-]` only.
fn sanitize(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if s.is_empty() { "probe".into() } else { s }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Table {
    Flows,
    Alerts,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Flows => "flows",
            Table::Alerts => "alerts",
        }
    }
    fn columns(self) -> &'static str {
        match self {
            Table::Flows => FLOW_COLUMNS,
            Table::Alerts => ALERT_COLUMNS,
        }
    }
    fn index(self) -> usize {
        match self {
            Table::Flows => 0,
            Table::Alerts => 1,
        }
    }
}

/// Rows being gathered into the next batch of one table.
#[derive(Default)]
struct Pending {
    id: String,
    body: Vec<u8>,
    rows: usize,
    since: Option<Instant>,
}

/// One batch ready to send.
struct Batch {
    table: Table,
    id: String,
    body: Vec<u8>,
    rows: usize,
    first_try: u64,
}

struct ClickHouseBackend {
    client: Client,
    cfg: WriterConfig,
    session: String,
    seq: u64,
    pending: [Pending; 2],
    spool: Spool,
    /// Server version, once the schema exists.
    schema: Option<(u32, u32)>,
    retry_at: Instant,
    backoff: Duration,
    retention_checked: Option<Instant>,
    /// The insert in flight (on a helper thread, so the next batch is encoded
    /// meanwhile): at most one, settled before any other request.
    inflight: Option<std::thread::JoinHandle<(Batch, Result<()>)>>,
}

impl ClickHouseBackend {
    fn next_id(&mut self) -> String {
        self.seq += 1;
        format!("{}.{}", self.session, self.seq)
    }

    fn add(&mut self, table: Table, rows: usize, write: impl Fn(&mut Vec<u8>, &str)) {
        let i = table.index();
        if self.pending[i].rows == 0 {
            let id = self.next_id();
            let p = &mut self.pending[i];
            p.id = id;
            p.since = Some(Instant::now());
        }
        let p = &mut self.pending[i];
        let id = std::mem::take(&mut p.id);
        write(&mut p.body, &id);
        p.id = id;
        p.rows += rows;
    }

    fn take(&mut self, table: Table) -> Option<Batch> {
        let p = std::mem::take(&mut self.pending[table.index()]);
        (p.rows > 0).then(|| Batch {
            table,
            id: p.id,
            body: p.body,
            rows: p.rows,
            first_try: unix_now(),
        })
    }

    fn ensure_schema(&mut self, stats: &SinkStats) -> bool {
        if self.schema.is_some() {
            return true;
        }
        match self.client.ensure_schema() {
            Ok(v) => {
                tracing::info!(
                    "ClickHouse {} {}.{}: tables {}.flows and {}.alerts ready",
                    self.client.cfg.url,
                    v.0,
                    v.1,
                    self.client.cfg.database,
                    self.client.cfg.database
                );
                self.schema = Some(v);
                true
            }
            Err(e) => {
                self.failed(&e, stats);
                false
            }
        }
    }

    fn failed(&mut self, e: &Error, stats: &SinkStats) {
        if self.backoff <= Duration::from_millis(250) {
            tracing::warn!("{e} (batches are spooled until it answers)");
        }
        stats.error(e);
        self.retry_at = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(Duration::from_secs(5));
    }

    fn healthy(&mut self) {
        self.backoff = Duration::from_millis(250);
    }

    fn count_written(table: Table, rows: usize, stats: &SinkStats) {
        let c = match table {
            Table::Flows => &stats.flows_written,
            Table::Alerts => &stats.alerts_written,
        };
        c.fetch_add(rows as u64, Ordering::Relaxed);
    }

    fn count_dropped(table: Table, rows: usize, stats: &SinkStats) {
        let c = match table {
            Table::Flows => &stats.flows_dropped,
            Table::Alerts => &stats.alerts_dropped,
        };
        c.fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// Waits for the insert in flight and books its outcome (a failed batch is
    /// spooled: it is older than anything sent after it).
    fn settle(&mut self, stats: &SinkStats) {
        let Some(h) = self.inflight.take() else {
            return;
        };
        match h.join() {
            Ok((b, Ok(()))) => {
                self.healthy();
                stats.batches_sent.fetch_add(1, Ordering::Relaxed);
                ClickHouseBackend::count_written(b.table, b.rows, stats);
            }
            Ok((b, Err(e))) => {
                self.failed(&e, stats);
                self.spool_batch(b, stats);
            }
            Err(_) => {
                let e = Error::Config("the ClickHouse insert thread panicked".into());
                stats.error(&e);
            }
        }
    }

    /// Sends a fresh batch (on a helper thread, once the previous insert settled, so
    /// the next batch is encoded meanwhile), or spools it when the spool is not empty
    /// (order) or the server is down.
    fn send(&mut self, b: Batch, stats: &SinkStats) {
        self.settle(stats);
        if self.spool.is_empty() && Instant::now() >= self.retry_at && self.ensure_schema(stats) {
            let client = self.client.clone();
            let (table, rows) = (b.table, b.rows);
            let spawned = std::thread::Builder::new()
                .name("history-insert".into())
                .spawn(move || {
                    let r = client.insert(b.table.name(), b.table.columns(), &b.body);
                    (b, r)
                });
            match spawned {
                Ok(h) => self.inflight = Some(h),
                Err(e) => {
                    let e = Error::Io {
                        path: "history insert thread".into(),
                        source: e,
                    };
                    tracing::error!("{e}: {rows} {} dropped", table.name());
                    stats.error(&e);
                    ClickHouseBackend::count_dropped(table, rows, stats);
                }
            }
            return;
        }
        self.spool_batch(b, stats);
    }

    fn spool_batch(&mut self, b: Batch, stats: &SinkStats) {
        match self.spool.put(&b) {
            Ok(true) => {
                stats.batches_spooled.fetch_add(1, Ordering::Relaxed);
            }
            Ok(false) => {
                tracing::error!(
                    "history spool {} full ({} bytes): {} {} dropped",
                    self.spool.dir.display(),
                    self.spool.max,
                    b.rows,
                    b.table.name()
                );
                ClickHouseBackend::count_dropped(b.table, b.rows, stats);
            }
            Err(e) => {
                tracing::error!("{e}");
                stats.error(&e);
                ClickHouseBackend::count_dropped(b.table, b.rows, stats);
            }
        }
        stats.spool_bytes.store(self.spool.bytes, Ordering::Relaxed);
    }

    /// Sends spooled batches, oldest first, skipping those already stored. Stops at
    /// the first failure. Returns true when the spool is empty.
    fn drain_spool(&mut self, stats: &SinkStats) -> bool {
        self.settle(stats);
        while !self.spool.is_empty() {
            if Instant::now() < self.retry_at || !self.ensure_schema(stats) {
                return false;
            }
            let entries = match self.spool.list() {
                Ok(e) => e,
                Err(e) => {
                    stats.error(&e);
                    return false;
                }
            };
            // One existence check per table for up to 100 spooled batches.
            let chunk: Vec<SpoolEntry> = entries.into_iter().take(100).collect();
            let mut present = std::collections::HashSet::new();
            for table in [Table::Flows, Table::Alerts] {
                let of: Vec<&SpoolEntry> = chunk.iter().filter(|e| e.table == table).collect();
                let Some(since) = of.iter().map(|e| e.first_try).min() else {
                    continue;
                };
                let ids: Vec<String> = of.iter().map(|e| e.id.clone()).collect();
                match self
                    .client
                    .present_batches(table.name(), &ids, since.saturating_sub(86_400))
                {
                    Ok(p) => present.extend(p),
                    Err(e) => {
                        self.failed(&e, stats);
                        return false;
                    }
                }
            }
            for e in chunk {
                if present.contains(&e.id) {
                    stats.batches_deduplicated.fetch_add(1, Ordering::Relaxed);
                    ClickHouseBackend::count_written(e.table, e.rows, stats);
                    self.spool.remove(&e);
                    continue;
                }
                let body = match std::fs::read(&e.path) {
                    Ok(b) => b,
                    Err(err) => {
                        let err = Error::Io {
                            path: e.path.display().to_string(),
                            source: err,
                        };
                        tracing::error!("{err}");
                        stats.error(&err);
                        ClickHouseBackend::count_dropped(e.table, e.rows, stats);
                        self.spool.remove(&e);
                        continue;
                    }
                };
                match self.client.insert(e.table.name(), e.table.columns(), &body) {
                    Ok(()) => {
                        self.healthy();
                        stats.batches_resent.fetch_add(1, Ordering::Relaxed);
                        ClickHouseBackend::count_written(e.table, e.rows, stats);
                        self.spool.remove(&e);
                    }
                    Err(err) => {
                        self.failed(&err, stats);
                        stats.spool_bytes.store(self.spool.bytes, Ordering::Relaxed);
                        return false;
                    }
                }
            }
            stats.spool_bytes.store(self.spool.bytes, Ordering::Relaxed);
        }
        true
    }

    /// Retention on servers without `TTL`: drop partitions older than the retention,
    /// once an hour.
    fn retention(&mut self, stats: &SinkStats) {
        if self.inflight.is_some() {
            return;
        }
        let days = self.client.cfg.retention_days;
        let Some(v) = self.schema else { return };
        if days == 0 || super::supports_ttl(v) {
            return;
        }
        if self
            .retention_checked
            .is_some_and(|t| t.elapsed() < Duration::from_secs(3600))
        {
            return;
        }
        self.retention_checked = Some(Instant::now());
        let cutoff = unix_now().saturating_sub(u64::from(days) * 86_400);
        for t in ["flows", "alerts"] {
            match self.client.drop_partitions_before(t, cutoff) {
                Ok(n) if n > 0 => {
                    tracing::info!("ClickHouse retention: {n} partitions of {t} dropped")
                }
                Ok(_) => {}
                Err(e) => stats.error(&e),
            }
        }
    }

    fn flush_due(&mut self, force: bool, stats: &SinkStats) {
        for table in [Table::Flows, Table::Alerts] {
            let p = &self.pending[table.index()];
            let due = p.rows > 0
                && (force
                    || p.rows >= self.cfg.batch_rows
                    || p.since
                        .is_some_and(|s| s.elapsed() >= self.cfg.flush_interval));
            if due && let Some(b) = self.take(table) {
                self.send(b, stats);
            }
        }
    }
}

impl Backend for ClickHouseBackend {
    fn flows(&mut self, flows: Vec<FlowRecord>, stats: &SinkStats) {
        for f in &flows {
            let mut f2;
            let rec = if f.probe.is_empty() {
                f2 = f.clone();
                f2.probe = self.cfg.probe.clone();
                &f2
            } else {
                f
            };
            self.add(Table::Flows, 1, |out, id| flow_row(out, rec, id));
            if self.pending[0].rows >= self.cfg.batch_rows {
                self.flush_due(false, stats);
            }
        }
    }

    fn alerts(&mut self, alerts: Vec<AlertRecord>, stats: &SinkStats) {
        for a in &alerts {
            self.add(Table::Alerts, 1, |out, id| alert_row(out, a, id));
        }
        if self.pending[1].rows >= self.cfg.batch_rows {
            self.flush_due(false, stats);
        }
    }

    fn tick(&mut self, stats: &SinkStats) {
        if self.inflight.as_ref().is_some_and(|h| h.is_finished()) {
            self.settle(stats);
        }
        self.flush_due(false, stats);
        if !self.spool.is_empty() {
            self.drain_spool(stats);
        }
        self.retention(stats);
    }

    fn flush(&mut self, deadline: Instant, stats: &SinkStats) {
        self.flush_due(true, stats);
        self.settle(stats);
        loop {
            if self.drain_spool(stats) {
                break;
            }
            if Instant::now() >= deadline {
                if !self.spool.is_empty() {
                    tracing::warn!(
                        "ClickHouse {}: {} bytes stay in the spool {} (sent at the next start)",
                        self.client.cfg.url,
                        self.spool.bytes,
                        self.spool.dir.display()
                    );
                }
                break;
            }
            let wait = self
                .retry_at
                .saturating_duration_since(Instant::now())
                .min(deadline.saturating_duration_since(Instant::now()))
                .max(Duration::from_millis(50));
            std::thread::sleep(wait);
        }
    }
}

/// A spooled batch, as named on disk: `FIRSTTRY_TABLE_ROWS_ID.tsv`.
struct SpoolEntry {
    path: PathBuf,
    table: Table,
    id: String,
    rows: usize,
    first_try: u64,
    size: u64,
}

/// The spool: one file per failed batch, oldest first by name.
struct Spool {
    dir: PathBuf,
    max: u64,
    bytes: u64,
    files: usize,
    /// Orders files written within the same second.
    counter: u64,
}

impl Spool {
    fn open(dir: &Path, max: u64) -> Result<Spool> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut s = Spool {
            dir: dir.to_path_buf(),
            max,
            bytes: 0,
            files: 0,
            counter: 0,
        };
        let entries = s.list()?;
        s.files = entries.len();
        s.bytes = entries.iter().map(|e| e.size).sum();
        if s.files > 0 {
            tracing::info!(
                "history spool {}: {} batches from an earlier run to send",
                dir.display(),
                s.files
            );
        }
        Ok(s)
    }

    fn is_empty(&self) -> bool {
        self.files == 0
    }

    /// Writes the batch (atomically: temporary file, then rename); false when it would
    /// pass the bound.
    fn put(&mut self, b: &Batch) -> Result<bool> {
        let len = b.body.len() as u64;
        if self.bytes.saturating_add(len) > self.max {
            return Ok(false);
        }
        self.counter += 1;
        let name = format!(
            "{:012}-{:08}_{}_{}_{}.tsv",
            b.first_try,
            self.counter % 100_000_000,
            b.table.name(),
            b.rows,
            b.id
        );
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(&name);
        let io = |source| Error::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::write(&tmp, &b.body).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        self.bytes += len;
        self.files += 1;
        Ok(true)
    }

    /// The spooled batches, oldest first. Files whose name does not parse are skipped.
    fn list(&self) -> Result<Vec<SpoolEntry>> {
        let rd = std::fs::read_dir(&self.dir).map_err(|source| Error::Io {
            path: self.dir.display().to_string(),
            source,
        })?;
        let mut out = Vec::new();
        for e in rd.flatten() {
            let path = e.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(String::from) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".tsv") else {
                continue;
            };
            if stem.starts_with('.') {
                continue;
            }
            let mut parts = stem.splitn(4, '_');
            let (Some(head), Some(table), Some(rows), Some(id)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let table = match table {
                "flows" => Table::Flows,
                "alerts" => Table::Alerts,
                _ => continue,
            };
            let (Some(first_try), Ok(rows)) = (
                head.split('-').next().and_then(|t| t.parse().ok()),
                rows.parse(),
            ) else {
                continue;
            };
            out.push(SpoolEntry {
                size: e.metadata().map(|m| m.len()).unwrap_or(0),
                path,
                table,
                id: id.to_string(),
                rows,
                first_try,
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn remove(&mut self, e: &SpoolEntry) {
        if std::fs::remove_file(&e.path).is_ok() {
            self.bytes = self.bytes.saturating_sub(e.size);
            self.files = self.files.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spool_is_bounded_ordered_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::open(dir.path(), 100).unwrap();
        let batch = |id: &str, n: usize| Batch {
            table: Table::Flows,
            id: id.into(),
            body: vec![b'x'; n],
            rows: 1,
            first_try: 5,
        };
        assert!(s.put(&batch("p.1.1", 40)).unwrap());
        assert!(s.put(&batch("p.1.2", 40)).unwrap());
        assert!(!s.put(&batch("p.1.3", 40)).unwrap(), "past the bound");
        let s2 = Spool::open(dir.path(), 100).unwrap();
        assert_eq!((s2.files, s2.bytes), (2, 80));
        let ids: Vec<String> = s2.list().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["p.1.1", "p.1.2"]);
        std::fs::write(dir.path().join("junk.tsv"), "x").unwrap();
        assert_eq!(s2.list().unwrap().len(), 2, "foreign files are ignored");
    }

    #[test]
    fn names_are_sanitized() {
        assert_eq!(sanitize("site a/b"), "site_a_b");
        assert_eq!(sanitize(""), "probe");
    }
}
