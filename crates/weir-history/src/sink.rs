//! The history's background writer: engine threads hand it batches of ended flows
//! (and the alert sink, stored alerts) over a bounded channel; one thread writes them
//! to the embedded store or to ClickHouse, so a slow disk or server never stalls the
//! packet path. A full queue drops the batch and counts it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};
use parking_lot::Mutex;
use serde::Serialize;

use crate::record::{AlertRecord, FlowRecord};
use crate::sqlite::SqliteHistory;

/// Batches the queue holds.
pub const QUEUE_BATCHES: usize = 1024;

/// What the writer thread is sent.
pub enum SinkMsg {
    /// Ended flows.
    Flows(Vec<FlowRecord>),
    /// Stored alerts.
    Alerts(Vec<AlertRecord>),
    /// Write everything pending now, then acknowledge.
    Flush(Sender<()>),
}

/// Where the writer thread writes.
pub trait Backend: Send + 'static {
    /// Takes flows (may buffer them).
    fn flows(&mut self, flows: Vec<FlowRecord>, stats: &SinkStats);
    /// Takes alerts (may buffer them).
    fn alerts(&mut self, alerts: Vec<AlertRecord>, stats: &SinkStats);
    /// Called at least every 200 ms: send what is due, retry what failed.
    fn tick(&mut self, _stats: &SinkStats) {}
    /// Writes what is buffered, trying until `deadline` for what fails.
    fn flush(&mut self, deadline: Instant, stats: &SinkStats);
}

/// The writer's counters (shared with the pipeline and the web server).
#[derive(Debug, Default)]
pub struct SinkStats {
    /// Flows written (inserted, or confirmed present on a resend).
    pub flows_written: AtomicU64,
    /// Alerts written.
    pub alerts_written: AtomicU64,
    /// Batches inserted.
    pub batches_sent: AtomicU64,
    /// Batches that failed and went to the spool.
    pub batches_spooled: AtomicU64,
    /// Spooled batches sent later.
    pub batches_resent: AtomicU64,
    /// Spooled batches found already stored on resend (not inserted twice).
    pub batches_deduplicated: AtomicU64,
    /// Failed writes (each counted once per attempt).
    pub errors: AtomicU64,
    /// Flows lost: queue full, spool full, or the store refused them for good.
    pub flows_dropped: AtomicU64,
    /// Alerts lost.
    pub alerts_dropped: AtomicU64,
    /// Flows deleted by the embedded store's retention.
    pub flows_expired: AtomicU64,
    /// Bytes waiting in the spool.
    pub spool_bytes: AtomicU64,
    /// The last error, for the summary and the UI.
    pub last_error: Mutex<String>,
}

impl SinkStats {
    /// Records a failure.
    pub fn error(&self, e: &dyn std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock() = e.to_string();
    }

    /// A copy of the counters.
    pub fn report(&self) -> SinkReport {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SinkReport {
            flows_written: l(&self.flows_written),
            alerts_written: l(&self.alerts_written),
            batches_sent: l(&self.batches_sent),
            batches_spooled: l(&self.batches_spooled),
            batches_resent: l(&self.batches_resent),
            batches_deduplicated: l(&self.batches_deduplicated),
            errors: l(&self.errors),
            flows_dropped: l(&self.flows_dropped),
            alerts_dropped: l(&self.alerts_dropped),
            flows_expired: l(&self.flows_expired),
            spool_bytes: l(&self.spool_bytes),
            last_error: self.last_error.lock().clone(),
        }
    }
}

/// The writer's counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SinkReport {
    /// See [`SinkStats::flows_written`].
    pub flows_written: u64,
    /// See [`SinkStats::alerts_written`].
    pub alerts_written: u64,
    /// See [`SinkStats::batches_sent`].
    pub batches_sent: u64,
    /// See [`SinkStats::batches_spooled`].
    pub batches_spooled: u64,
    /// See [`SinkStats::batches_resent`].
    pub batches_resent: u64,
    /// See [`SinkStats::batches_deduplicated`].
    pub batches_deduplicated: u64,
    /// See [`SinkStats::errors`].
    pub errors: u64,
    /// See [`SinkStats::flows_dropped`].
    pub flows_dropped: u64,
    /// See [`SinkStats::alerts_dropped`].
    pub alerts_dropped: u64,
    /// See [`SinkStats::flows_expired`].
    pub flows_expired: u64,
    /// See [`SinkStats::spool_bytes`].
    pub spool_bytes: u64,
    /// See [`SinkStats::last_error`].
    pub last_error: String,
}

/// The sending side: cheap to clone, one per engine thread.
#[derive(Clone)]
pub struct HistorySender {
    tx: Sender<SinkMsg>,
    stats: Arc<SinkStats>,
}

impl HistorySender {
    /// Queues flows; a full queue drops them (counted).
    pub fn flows(&self, flows: Vec<FlowRecord>) {
        if flows.is_empty() {
            return;
        }
        let n = flows.len() as u64;
        if self.tx.try_send(SinkMsg::Flows(flows)).is_err() {
            self.stats.flows_dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Queues alerts; a full queue drops them (counted).
    pub fn alerts(&self, alerts: Vec<AlertRecord>) {
        if alerts.is_empty() {
            return;
        }
        let n = alerts.len() as u64;
        if self.tx.try_send(SinkMsg::Alerts(alerts)).is_err() {
            self.stats.alerts_dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Waits (at most `timeout`) until everything queued so far was written or spooled.
    pub fn flush(&self, timeout: Duration) -> bool {
        let (tx, rx) = bounded(1);
        if self.tx.send_timeout(SinkMsg::Flush(tx), timeout).is_err() {
            return false;
        }
        rx.recv_timeout(timeout).is_ok()
    }

    /// The counters.
    pub fn stats(&self) -> &Arc<SinkStats> {
        &self.stats
    }
}

/// The writer thread and its queue.
pub struct HistorySink {
    sender: HistorySender,
    thread: Option<JoinHandle<()>>,
    close_timeout: Duration,
}

impl HistorySink {
    /// Starts the writer thread over `backend`. `close_timeout` bounds how long
    /// [`HistorySink::close`] keeps retrying failed writes.
    ///
    /// # Errors
    /// The thread cannot start.
    pub fn start<B: Backend>(backend: B, close_timeout: Duration) -> std::io::Result<HistorySink> {
        let (tx, rx) = bounded(QUEUE_BATCHES);
        let stats = Arc::new(SinkStats::default());
        let s = stats.clone();
        let thread = std::thread::Builder::new()
            .name("history".into())
            .spawn(move || run(backend, rx, &s, close_timeout))?;
        Ok(HistorySink {
            sender: HistorySender { tx, stats },
            thread: Some(thread),
            close_timeout,
        })
    }

    /// Starts a writer into the embedded store.
    ///
    /// # Errors
    /// The thread cannot start.
    pub fn sqlite(store: SqliteHistory) -> std::io::Result<HistorySink> {
        HistorySink::start(SqliteBackend { store }, Duration::from_secs(30))
    }

    /// A sender for an engine thread.
    pub fn sender(&self) -> HistorySender {
        self.sender.clone()
    }

    /// The counters.
    pub fn stats(&self) -> Arc<SinkStats> {
        self.sender.stats.clone()
    }

    /// Writes what is queued (retrying failures for up to the close timeout; what is
    /// still unsent stays in the spool for the next start) and stops the thread.
    pub fn close(mut self) -> SinkReport {
        let stats = self.sender.stats.clone();
        let tx = self.sender.tx.clone();
        drop(self.sender);
        drop(tx);
        if let Some(t) = self.thread.take() {
            // The thread ends when every sender is gone; a sender kept elsewhere
            // (a web server) is bounded by the close timeout.
            let deadline = Instant::now() + self.close_timeout + Duration::from_secs(5);
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
        stats.report()
    }
}

fn run<B: Backend>(mut backend: B, rx: Receiver<SinkMsg>, stats: &SinkStats, close: Duration) {
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(SinkMsg::Flows(f)) => backend.flows(f, stats),
            Ok(SinkMsg::Alerts(a)) => backend.alerts(a, stats),
            Ok(SinkMsg::Flush(ack)) => {
                backend.flush(Instant::now(), stats);
                let _ = ack.send(());
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
        backend.tick(stats);
    }
    backend.flush(Instant::now() + close, stats);
}

/// Writes flows into the embedded store, in batches of at most 10 000.
struct SqliteBackend {
    store: SqliteHistory,
}

impl Backend for SqliteBackend {
    fn flows(&mut self, flows: Vec<FlowRecord>, stats: &SinkStats) {
        for chunk in flows.chunks(10_000) {
            match self.store.insert(chunk) {
                Ok(expired) => {
                    stats
                        .flows_written
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    stats.batches_sent.fetch_add(1, Ordering::Relaxed);
                    stats.flows_expired.fetch_add(expired, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::error!("{e}");
                    stats.error(&e);
                    stats
                        .flows_dropped
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
            }
        }
    }

    // The embedded store's alerts are the alert store's (weir-alerts).
    fn alerts(&mut self, _alerts: Vec<AlertRecord>, _stats: &SinkStats) {}

    fn flush(&mut self, _deadline: Instant, _stats: &SinkStats) {}
}
