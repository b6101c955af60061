//! The write path: the [`TsWriter`] trait, the [`Backend`] trait stores implement,
//! and the sink thread fed by a bounded channel ([`TsSink`], [`TsSender`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::point::Point;
use crate::schema::Schema;

/// Where the engine (or a plugin through `ts_utils.append`) writes points.
///
/// Points are buffered until [`TsWriter::end_step`], which hands all the points of
/// one step to the store as one batch (one transaction in the embedded store, one
/// HTTP request per chunk for InfluxDB).
pub trait TsWriter {
    /// Buffers one point.
    ///
    /// # Errors
    /// Only for a point that can never be stored (see [`Point::new`]); a full queue
    /// is counted, not an error.
    fn push(&mut self, point: Point) -> Result<()>;

    /// Builds a point from positional tags and metrics and buffers it.
    ///
    /// # Errors
    /// As [`Point::new`].
    fn append(
        &mut self,
        schema: &Arc<Schema>,
        tags: Vec<String>,
        metrics: Vec<f64>,
        ts: u64,
    ) -> Result<()> {
        self.push(Point::new(schema, tags, metrics, ts)?)
    }

    /// Hands the buffered points to the store as one batch.
    ///
    /// # Errors
    /// [`Error::Disconnected`] when the sink thread is gone.
    fn end_step(&mut self) -> Result<()>;
}

/// What a backend did with a batch: every point lands in exactly one counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchReport {
    /// Points stored (embedded) or accepted into the send buffer (InfluxDB).
    pub written: u64,
    /// Points refused because their schema reached its `max_series`.
    pub cardinality: u64,
    /// Points not newer than the last point of their series (same step or older).
    pub out_of_order: u64,
    /// Points whose schema conflicts with the stored definition.
    pub invalid: u64,
}

/// A store the sink thread writes to.
pub trait Backend: Send {
    /// Short name for logs (`embedded`, `influxdb`).
    fn name(&self) -> &'static str;

    /// Writes one batch (all the points of one or more steps).
    ///
    /// # Errors
    /// When the whole batch failed (its points are counted as failed).
    fn write_batch(&mut self, points: &[Point]) -> Result<BatchReport>;

    /// Background work (retries); returns how long until it wants to be polled again.
    fn poll(&mut self) -> Option<Duration> {
        None
    }

    /// Deletes the series of every schema whose name starts with `schema_prefix`
    /// and whose tags have the given values (`ts_utils.delete`); a schema without
    /// one of the filter's tags is left alone. Returns the number of series deleted
    /// (0 when the backend cannot tell).
    ///
    /// # Errors
    /// [`Error::Unsupported`] by default; storage errors.
    fn delete(&mut self, _schema_prefix: &str, _tags: &[(String, String)]) -> Result<u64> {
        Err(Error::Unsupported {
            backend: self.name(),
            what: "delete",
        })
    }

    /// Tries to deliver everything buffered before `deadline`.
    ///
    /// # Errors
    /// When buffered points could not be delivered in time.
    fn flush(&mut self, _deadline: Instant) -> Result<()> {
        Ok(())
    }
}

/// Sink thread settings.
#[derive(Debug, Clone)]
pub struct SinkConfig {
    /// Channel capacity, in batches.
    pub queue_batches: usize,
    /// A [`TsSender`] sends its buffer early when it holds this many points.
    pub max_batch_points: usize,
    /// The sink merges queued batches into one write up to this many points.
    pub max_write_points: usize,
}

impl Default for SinkConfig {
    fn default() -> SinkConfig {
        SinkConfig {
            queue_batches: 64,
            max_batch_points: 100_000,
            max_write_points: 200_000,
        }
    }
}

/// Counters of a sink (points, not batches, unless said).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SinkStats {
    /// Points handed to the sink thread.
    pub received: u64,
    /// Points dropped because the channel was full (the sink is too slow).
    pub overflow: u64,
    /// Points stored.
    pub written: u64,
    /// Points refused by a schema's cardinality cap.
    pub cardinality: u64,
    /// Points not newer than their series' last point.
    pub out_of_order: u64,
    /// Points conflicting with the stored schema.
    pub invalid: u64,
    /// Points of batches whose write failed.
    pub failed: u64,
    /// Writes (transactions) done.
    pub writes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    received: AtomicU64,
    overflow: AtomicU64,
    written: AtomicU64,
    cardinality: AtomicU64,
    out_of_order: AtomicU64,
    invalid: AtomicU64,
    failed: AtomicU64,
    writes: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> SinkStats {
        let l = |a: &AtomicU64| a.load(Ordering::Acquire);
        SinkStats {
            received: l(&self.received),
            overflow: l(&self.overflow),
            written: l(&self.written),
            cardinality: l(&self.cardinality),
            out_of_order: l(&self.out_of_order),
            invalid: l(&self.invalid),
            failed: l(&self.failed),
            writes: l(&self.writes),
        }
    }
}

/// A delete request: schema prefix, tag filter, where to answer.
type DeleteMsg = (String, Vec<(String, String)>, Sender<Result<u64>>);

enum Msg {
    Batch(Vec<Point>),
    Flush(Instant, Sender<Result<()>>),
    Delete(Box<DeleteMsg>),
    Shutdown,
}

/// The engine's side of a sink: a buffering [`TsWriter`]. Cloning gives a writer with
/// its own (empty) buffer on the same sink.
pub struct TsSender {
    tx: Sender<Msg>,
    counters: Arc<Counters>,
    buf: Vec<Point>,
    max_batch_points: usize,
}

impl Clone for TsSender {
    fn clone(&self) -> TsSender {
        TsSender {
            tx: self.tx.clone(),
            counters: Arc::clone(&self.counters),
            buf: Vec::new(),
            max_batch_points: self.max_batch_points,
        }
    }
}

impl std::fmt::Debug for TsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsSender")
            .field("buffered", &self.buf.len())
            .field("queued_batches", &self.tx.len())
            .finish()
    }
}

impl TsSender {
    /// Current counters of the sink.
    pub fn stats(&self) -> SinkStats {
        self.counters.snapshot()
    }

    /// Batches waiting in the channel.
    pub fn queued_batches(&self) -> usize {
        self.tx.len()
    }

    /// Deletes series through the sink thread, after everything sent before (see
    /// [`Backend::delete`]); waits for the answer.
    ///
    /// # Errors
    /// The backend's error, [`Error::Timeout`] or [`Error::Disconnected`].
    pub fn delete(
        &mut self,
        schema_prefix: &str,
        tags: &[(String, String)],
        timeout: Duration,
    ) -> Result<u64> {
        self.end_step()?;
        let deadline = Instant::now() + timeout;
        let (tx, rx) = bounded(1);
        let msg = Msg::Delete(Box::new((schema_prefix.into(), tags.to_vec(), tx)));
        self.tx.send_deadline(msg, deadline).map_err(|e| match e {
            crossbeam_channel::SendTimeoutError::Timeout(_) => Error::Timeout("timeseries delete"),
            crossbeam_channel::SendTimeoutError::Disconnected(_) => {
                Error::Disconnected("timeseries sink")
            }
        })?;
        rx.recv_deadline(deadline).map_err(|e| match e {
            RecvTimeoutError::Timeout => Error::Timeout("timeseries delete"),
            RecvTimeoutError::Disconnected => Error::Disconnected("timeseries sink"),
        })?
    }

    /// Sends the buffer (if any), then waits until the sink has written everything
    /// sent before, and asked its backend to deliver what it buffers.
    ///
    /// # Errors
    /// [`Error::Timeout`], [`Error::Disconnected`], or the backend's flush error.
    pub fn flush(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        if !self.buf.is_empty() {
            let batch = std::mem::take(&mut self.buf);
            let n = batch.len() as u64;
            if self.tx.send_deadline(Msg::Batch(batch), deadline).is_err() {
                self.counters.overflow.fetch_add(n, Ordering::AcqRel);
                return Err(Error::Timeout("timeseries flush"));
            }
        }
        let (tx, rx) = bounded(1);
        self.tx
            .send_deadline(Msg::Flush(deadline, tx), deadline)
            .map_err(|e| match e {
                crossbeam_channel::SendTimeoutError::Timeout(_) => {
                    Error::Timeout("timeseries flush")
                }
                crossbeam_channel::SendTimeoutError::Disconnected(_) => {
                    Error::Disconnected("timeseries sink")
                }
            })?;
        rx.recv_deadline(deadline).map_err(|e| match e {
            RecvTimeoutError::Timeout => Error::Timeout("timeseries flush"),
            RecvTimeoutError::Disconnected => Error::Disconnected("timeseries sink"),
        })?
    }
}

impl TsWriter for TsSender {
    fn push(&mut self, point: Point) -> Result<()> {
        self.buf.push(point);
        if self.buf.len() >= self.max_batch_points {
            self.end_step()?;
        }
        Ok(())
    }

    fn end_step(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.buf);
        let n = batch.len() as u64;
        match self.tx.try_send(Msg::Batch(batch)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                let total = self.counters.overflow.fetch_add(n, Ordering::AcqRel) + n;
                tracing::warn!(points = n, total, "timeseries queue full: step dropped");
                Ok(())
            }
            Err(TrySendError::Disconnected(_)) => {
                self.counters.failed.fetch_add(n, Ordering::AcqRel);
                Err(Error::Disconnected("timeseries sink"))
            }
        }
    }
}

/// A running sink thread owning a [`Backend`]. Dropping it without
/// [`TsSink::shutdown`] lets the thread drain the queue and exit once every
/// [`TsSender`] is gone.
pub struct TsSink {
    sender: TsSender,
    join: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TsSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsSink")
            .field("stats", &self.stats())
            .finish()
    }
}

impl TsSink {
    /// Starts the sink thread.
    ///
    /// # Errors
    /// [`Error::Config`] for zero sizes, [`Error::Io`] if the thread cannot start.
    pub fn spawn(backend: Box<dyn Backend>, config: SinkConfig) -> Result<TsSink> {
        if config.queue_batches == 0 || config.max_batch_points == 0 || config.max_write_points == 0
        {
            return Err(Error::Config("sink sizes must be > 0".into()));
        }
        let (tx, rx) = bounded(config.queue_batches);
        let counters = Arc::new(Counters::default());
        let c = Arc::clone(&counters);
        let name = format!("weir-ts-{}", backend.name());
        let max_write = config.max_write_points;
        let join = std::thread::Builder::new()
            .name(name)
            .spawn(move || run(backend, rx, c, max_write))
            .map_err(Error::io("spawning the timeseries sink thread"))?;
        Ok(TsSink {
            sender: TsSender {
                tx,
                counters,
                buf: Vec::new(),
                max_batch_points: config.max_batch_points,
            },
            join: Some(join),
        })
    }

    /// A writer for the engine (or one per engine thread).
    pub fn writer(&self) -> TsSender {
        self.sender.clone()
    }

    /// Current counters.
    pub fn stats(&self) -> SinkStats {
        self.sender.stats()
    }

    /// Waits until everything sent before is written.
    ///
    /// # Errors
    /// As [`TsSender::flush`].
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        self.sender.clone().flush(timeout)
    }

    /// Flushes, then stops the thread; later sends from remaining [`TsSender`]s
    /// fail with [`Error::Disconnected`].
    ///
    /// # Errors
    /// As [`TsSender::flush`]; [`Error::Disconnected`] if the thread panicked.
    pub fn shutdown(mut self, timeout: Duration) -> Result<SinkStats> {
        let flushed = self.flush(timeout);
        let _ = self
            .sender
            .tx
            .send_timeout(Msg::Shutdown, timeout.max(Duration::from_millis(100)));
        if let Some(j) = self.join.take() {
            j.join()
                .map_err(|_| Error::Disconnected("timeseries sink"))?;
        }
        flushed.map(|()| self.stats())
    }
}

fn run(mut backend: Box<dyn Backend>, rx: Receiver<Msg>, c: Arc<Counters>, max_write: usize) {
    let mut wait = Duration::from_secs(1);
    loop {
        let msg = match rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                wait = backend.poll().unwrap_or(Duration::from_secs(1));
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = backend.flush(Instant::now() + Duration::from_secs(5));
                return;
            }
        };
        match msg {
            Msg::Batch(b) => {
                c.received.fetch_add(b.len() as u64, Ordering::AcqRel);
                let mut pending = b;
                // Merge batches already queued: fewer, larger transactions when behind.
                let mut flush_after = None;
                let mut delete_after = None;
                while pending.len() < max_write {
                    match rx.try_recv() {
                        Ok(Msg::Batch(more)) => {
                            c.received.fetch_add(more.len() as u64, Ordering::AcqRel);
                            pending.extend(more);
                        }
                        Ok(Msg::Flush(d, reply)) => {
                            flush_after = Some(Some((d, reply)));
                            break;
                        }
                        Ok(Msg::Shutdown) => {
                            flush_after = Some(None);
                            break;
                        }
                        Ok(Msg::Delete(d)) => {
                            delete_after = Some(d);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                write(&mut *backend, &mut pending, &c);
                if let Some(d) = delete_after {
                    let (prefix, tags, reply) = *d;
                    let _ = reply.send(backend.delete(&prefix, &tags));
                }
                match flush_after {
                    Some(Some((deadline, reply))) => {
                        let _ = reply.send(backend.flush(deadline));
                    }
                    Some(None) => {
                        let _ = backend.flush(Instant::now() + Duration::from_secs(5));
                        return;
                    }
                    None => {}
                }
            }
            Msg::Flush(deadline, reply) => {
                let _ = reply.send(backend.flush(deadline));
            }
            Msg::Delete(d) => {
                let (prefix, tags, reply) = *d;
                let _ = reply.send(backend.delete(&prefix, &tags));
            }
            Msg::Shutdown => {
                let _ = backend.flush(Instant::now() + Duration::from_secs(5));
                return;
            }
        }
        wait = backend.poll().unwrap_or(Duration::from_secs(1));
    }
}

fn write(backend: &mut dyn Backend, pending: &mut Vec<Point>, c: &Counters) {
    let n = pending.len() as u64;
    match backend.write_batch(pending) {
        Ok(r) => {
            c.written.fetch_add(r.written, Ordering::AcqRel);
            c.cardinality.fetch_add(r.cardinality, Ordering::AcqRel);
            c.out_of_order.fetch_add(r.out_of_order, Ordering::AcqRel);
            c.invalid.fetch_add(r.invalid, Ordering::AcqRel);
        }
        Err(e) => {
            c.failed.fetch_add(n, Ordering::AcqRel);
            tracing::error!(backend = backend.name(), points = n, error = %e, "timeseries write failed");
        }
    }
    c.writes.fetch_add(1, Ordering::AcqRel);
    pending.clear();
}
