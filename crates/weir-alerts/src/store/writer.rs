//! The store writer thread: one per store, fed by a bounded channel of batches.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};
use serde::Serialize;

use super::{AlertStore, StoreWriter};
use crate::alert::Notification;
use crate::error::{Error, Result};

/// Writer thread settings.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Capacity of the channel, in batches (the engine sends batches of up to its
    /// `store_batch` alerts).
    pub queue_batches: usize,
    /// At most this many alerts per transaction.
    pub max_tx_alerts: usize,
    /// A transaction takes what arrives within this long of its first alert (a flush
    /// or shutdown commits at once): one transaction per burst instead of one per
    /// engine batch, which rewrites the same table and index pages each time.
    pub max_tx_delay: Duration,
    /// Wall-clock period of [`StoreWriter::housekeeping`] (retention).
    pub housekeeping_interval: Duration,
}

impl Default for WriterConfig {
    fn default() -> WriterConfig {
        WriterConfig {
            queue_batches: 256,
            max_tx_alerts: 16384,
            max_tx_delay: Duration::from_millis(50),
            housekeeping_interval: Duration::from_secs(60),
        }
    }
}

/// Counters of a writer thread (all alerts, not batches, unless said).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    /// Alerts received by the writer thread.
    pub received: u64,
    /// Alerts committed (durable).
    pub committed: u64,
    /// Alerts whose transaction failed (counted and reported, never silent).
    pub failed: u64,
    /// Transactions committed.
    pub transactions: u64,
    /// Alerts removed by retention.
    pub expired: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    received: AtomicU64,
    committed: AtomicU64,
    failed: AtomicU64,
    transactions: AtomicU64,
    expired: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> StoreStats {
        StoreStats {
            received: self.received.load(Ordering::Acquire),
            committed: self.committed.load(Ordering::Acquire),
            failed: self.failed.load(Ordering::Acquire),
            transactions: self.transactions.load(Ordering::Acquire),
            expired: self.expired.load(Ordering::Acquire),
        }
    }
}

pub(crate) enum WriterMsg {
    Batch(Vec<Arc<Notification>>),
    Flush(Sender<()>),
    Housekeep(Sender<Result<u64>>),
    Shutdown(Sender<()>),
}

/// The sending side of a writer thread, held by the engine. Cheap to clone.
#[derive(Clone)]
pub struct StoreSender {
    tx: Sender<WriterMsg>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for StoreSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSender")
            .field("queued_batches", &self.tx.len())
            .finish()
    }
}

impl StoreSender {
    /// Submits a batch without blocking; gives it back when the queue is full or the
    /// writer is gone (`Err((batch, disconnected))`).
    pub(crate) fn try_submit(
        &self,
        batch: Vec<Arc<Notification>>,
    ) -> std::result::Result<(), (Vec<Arc<Notification>>, bool)> {
        match self.tx.try_send(WriterMsg::Batch(batch)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(WriterMsg::Batch(b))) => Err((b, false)),
            Err(TrySendError::Disconnected(WriterMsg::Batch(b))) => Err((b, true)),
            Err(_) => Err((Vec::new(), true)),
        }
    }

    /// Submits a batch, waiting up to `timeout` for room.
    pub(crate) fn submit_timeout(
        &self,
        batch: Vec<Arc<Notification>>,
        timeout: Duration,
    ) -> std::result::Result<(), Vec<Arc<Notification>>> {
        match self.tx.send_timeout(WriterMsg::Batch(batch), timeout) {
            Ok(()) => Ok(()),
            Err(e) => match e.into_inner() {
                WriterMsg::Batch(b) => Err(b),
                _ => Err(Vec::new()),
            },
        }
    }

    /// True when no batch is waiting for the writer.
    pub fn is_idle(&self) -> bool {
        self.tx.is_empty()
    }

    /// Waits until everything submitted before this call is committed (or failed).
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Disconnected`].
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = bounded(1);
        self.tx
            .send_deadline(WriterMsg::Flush(tx), deadline)
            .map_err(|e| match e {
                crossbeam_channel::SendTimeoutError::Timeout(_) => Error::Timeout("store flush"),
                crossbeam_channel::SendTimeoutError::Disconnected(_) => {
                    Error::Disconnected("store writer")
                }
            })?;
        rx.recv_deadline(deadline).map_err(|e| match e {
            RecvTimeoutError::Timeout => Error::Timeout("store flush"),
            RecvTimeoutError::Disconnected => Error::Disconnected("store writer"),
        })
    }

    /// Current counters.
    pub fn stats(&self) -> StoreStats {
        self.counters.snapshot()
    }
}

/// A running writer thread. Dropping it without [`StoreSink::shutdown`] lets the
/// thread finish the queue and exit once every sender is gone.
pub struct StoreSink {
    sender: StoreSender,
    join: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for StoreSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSink")
            .field("stats", &self.stats())
            .finish()
    }
}

impl StoreSink {
    /// Opens the store's writer and starts the writer thread.
    ///
    /// # Errors
    /// When the writer cannot be opened, or the thread cannot be spawned.
    pub fn spawn(store: &dyn AlertStore, config: WriterConfig) -> Result<StoreSink> {
        if config.queue_batches == 0 || config.max_tx_alerts == 0 {
            return Err(Error::Config(
                "queue_batches and max_tx_alerts must be > 0".into(),
            ));
        }
        let writer = store.writer()?;
        let (tx, rx) = bounded(config.queue_batches);
        let counters = Arc::new(Counters::default());
        let c = Arc::clone(&counters);
        let join = std::thread::Builder::new()
            .name("weir-alert-writer".into())
            .spawn(move || run(writer, rx, c, config))
            .map_err(Error::io("spawning the alert writer thread"))?;
        Ok(StoreSink {
            sender: StoreSender { tx, counters },
            join: Some(join),
        })
    }

    /// A sender for the engine.
    pub fn sender(&self) -> StoreSender {
        self.sender.clone()
    }

    /// Current counters.
    pub fn stats(&self) -> StoreStats {
        self.sender.stats()
    }

    /// Waits until everything submitted so far is committed.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Disconnected`].
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        self.sender.flush(timeout)
    }

    /// Runs housekeeping (retention) now, after what is queued; returns the number
    /// of alerts removed.
    ///
    /// # Errors
    /// Backend errors, [`Error::Timeout`] or [`Error::Disconnected`].
    pub fn housekeeping(&self, timeout: Duration) -> Result<u64> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = bounded(1);
        self.sender
            .tx
            .send_deadline(WriterMsg::Housekeep(tx), deadline)
            .map_err(|_| Error::Timeout("store housekeeping"))?;
        rx.recv_deadline(deadline)
            .map_err(|_| Error::Timeout("store housekeeping"))?
    }

    /// Commits everything queued, stops the thread and returns the final counters.
    ///
    /// # Errors
    /// [`Error::Timeout`] when the thread does not finish in time (it keeps running
    /// detached), [`Error::Disconnected`] when it died.
    pub fn shutdown(mut self, timeout: Duration) -> Result<StoreStats> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = bounded(1);
        self.sender
            .tx
            .send_deadline(WriterMsg::Shutdown(tx), deadline)
            .map_err(|_| Error::Timeout("store shutdown"))?;
        match rx.recv_deadline(deadline) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => return Err(Error::Timeout("store shutdown")),
            Err(RecvTimeoutError::Disconnected) => return Err(Error::Disconnected("store writer")),
        }
        if let Some(j) = self.join.take() {
            j.join().map_err(|_| Error::Disconnected("store writer"))?;
        }
        Ok(self.stats())
    }
}

fn run(
    mut writer: Box<dyn StoreWriter>,
    rx: Receiver<WriterMsg>,
    counters: Arc<Counters>,
    config: WriterConfig,
) {
    let mut pending: Vec<Arc<Notification>> = Vec::with_capacity(config.max_tx_alerts);
    let mut controls: Vec<WriterMsg> = Vec::new();
    let mut last_housekeeping = Instant::now();
    loop {
        let wait = config
            .housekeeping_interval
            .saturating_sub(last_housekeeping.elapsed());
        match rx.recv_timeout(wait) {
            Ok(WriterMsg::Batch(b)) => pending.extend(b),
            Ok(ctrl) => controls.push(ctrl),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let gather_until = Instant::now() + config.max_tx_delay;
        while controls.is_empty() && !pending.is_empty() && pending.len() < config.max_tx_alerts {
            match rx.recv_deadline(gather_until) {
                Ok(WriterMsg::Batch(b)) => pending.extend(b),
                Ok(ctrl) => controls.push(ctrl),
                Err(_) => break,
            }
        }
        if !pending.is_empty() {
            commit(&mut *writer, &pending, &counters);
            pending.clear();
        }
        for ctrl in controls.drain(..) {
            match ctrl {
                WriterMsg::Batch(_) => {}
                WriterMsg::Flush(reply) => {
                    let _ = reply.send(());
                }
                WriterMsg::Housekeep(reply) => {
                    let r = housekeeping(&mut *writer, &counters);
                    last_housekeeping = Instant::now();
                    let _ = reply.send(r);
                }
                WriterMsg::Shutdown(reply) => {
                    let _ = reply.send(());
                    return;
                }
            }
        }
        if last_housekeeping.elapsed() >= config.housekeeping_interval {
            if let Err(e) = housekeeping(&mut *writer, &counters) {
                tracing::warn!(error = %e, "alert store housekeeping failed");
            }
            last_housekeeping = Instant::now();
        }
    }
}

fn housekeeping(writer: &mut dyn StoreWriter, counters: &Counters) -> Result<u64> {
    let n = writer.housekeeping()?;
    counters.expired.fetch_add(n, Ordering::AcqRel);
    if n > 0 {
        tracing::debug!(removed = n, "alert retention");
    }
    Ok(n)
}

fn commit(writer: &mut dyn StoreWriter, batch: &[Arc<Notification>], counters: &Counters) {
    let n = batch.len() as u64;
    counters.received.fetch_add(n, Ordering::AcqRel);
    let mut result = writer.write_batch(batch);
    if let Err(e) = &result {
        tracing::warn!(error = %e, alerts = n, "alert batch failed, retrying once");
        result = writer.write_batch(batch);
    }
    match result {
        Ok(()) => {
            counters.transactions.fetch_add(1, Ordering::AcqRel);
            counters.committed.fetch_add(n, Ordering::AcqRel);
        }
        Err(e) => {
            tracing::error!(error = %e, alerts = n, "alert batch lost: not stored");
            counters.failed.fetch_add(n, Ordering::AcqRel);
        }
    }
}
