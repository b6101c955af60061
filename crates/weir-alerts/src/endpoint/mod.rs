//! Alert endpoints: delivery of notifications downstream, each in its own thread.
//!
//! An [`Endpoint`] delivers batches of [`Notification`]s. [`spawn_endpoint`] runs
//! one in a thread fed by a bounded queue; the engine enqueues with a non-blocking
//! call after applying the endpoint's [`EndpointFilter`] (minimum severity,
//! entities), and counts what a full queue refuses. A dead receiver therefore
//! never slows alerting: its queue fills, the overflow is counted and reported with
//! a built-in `alert_dropped_alerts`.
//!
//! Built-in endpoints: [`NdjsonFile`], [`Syslog`], [`Webhook`]. The script runtime
//! plugs Lua `alert_endpoints/` in through the same trait.

mod file;
mod recipients;
mod syslog;
mod webhook;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};
use serde::{Deserialize, Serialize};

pub use file::{NdjsonConfig, NdjsonFile};
pub use recipients::{
    CategoryOf, EndpointConf, MAX_RECIPIENTS, RECIPIENT_QUEUE_SLOTS, Recipient, RecipientDispatch,
    RecipientQueues, RecipientSet, RecipientStats, SCRIPT_CATEGORIES, category_id, lowest_free_id,
    notification_json, pop_internal_alert, push_internal_alert, spawn_dispatch,
};
pub use syslog::{Syslog, SyslogConfig, SyslogFraming, SyslogTransport};
pub use webhook::{Webhook, WebhookConfig};

use crate::alert::Notification;
use crate::error::{Error, Result};
use crate::types::{EntityKind, Severity};

/// Something that delivers alert notifications.
///
/// It is created *inside* its thread by the factory given to [`spawn_endpoint`], so it
/// need not be `Send` (a Lua VM is not).
pub trait Endpoint {
    /// Delivers a batch (in order). An `Err` counts the whole batch as failed; an
    /// endpoint that retries does so inside this call.
    ///
    /// # Errors
    /// When the batch could not be delivered.
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> Result<()>;

    /// Called when the queue is drained, on flush and before shutdown (e.g. flush
    /// file buffers).
    ///
    /// # Errors
    /// When buffered data could not be written.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Which notifications an endpoint wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointFilter {
    /// Minimum severity (default `notice`, as ntopng recipients).
    pub min_severity: Severity,
    /// Only these entity kinds (`None` = all).
    pub entities: Option<Vec<EntityKind>>,
}

impl Default for EndpointFilter {
    fn default() -> EndpointFilter {
        EndpointFilter {
            min_severity: Severity::Notice,
            entities: None,
        }
    }
}

impl EndpointFilter {
    /// True when `n` passes the filter.
    pub fn matches(&self, n: &Notification) -> bool {
        n.record.severity() >= self.min_severity
            && self
                .entities
                .as_ref()
                .is_none_or(|e| e.contains(&n.record.entity().kind))
    }
}

/// Settings common to every endpoint thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointConfig {
    /// Name, for logs, counters and the dropped-alerts alert.
    pub name: String,
    /// What to deliver.
    pub filter: EndpointFilter,
    /// Capacity of the queue, in notifications.
    pub queue_capacity: usize,
    /// At most this many notifications per [`Endpoint::deliver`] call.
    pub max_batch: usize,
}

impl EndpointConfig {
    /// Defaults: notice and above, all entities, queue 8192, batches of 256.
    pub fn new(name: impl Into<String>) -> EndpointConfig {
        EndpointConfig {
            name: name.into(),
            filter: EndpointFilter::default(),
            queue_capacity: 8192,
            max_batch: 256,
        }
    }
}

/// Counters of one endpoint (notifications).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EndpointStats {
    /// Accepted into the queue.
    pub queued: u64,
    /// Refused because the queue was full or the thread was gone.
    pub dropped: u64,
    /// Delivered.
    pub delivered: u64,
    /// Given up on by the endpoint (after its retries).
    pub failed: u64,
}

#[derive(Debug, Default)]
struct Counters {
    queued: AtomicU64,
    dropped: AtomicU64,
    delivered: AtomicU64,
    failed: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> EndpointStats {
        EndpointStats {
            queued: self.queued.load(Ordering::Acquire),
            dropped: self.dropped.load(Ordering::Acquire),
            delivered: self.delivered.load(Ordering::Acquire),
            failed: self.failed.load(Ordering::Acquire),
        }
    }
}

enum Msg {
    Notify(Arc<Notification>),
    Flush(Sender<()>),
    Shutdown(Sender<()>),
}

/// The engine's side of an endpoint: filter + non-blocking enqueue. Cheap to clone.
#[derive(Clone)]
pub struct EndpointSender {
    name: Arc<str>,
    filter: Arc<EndpointFilter>,
    tx: Sender<Msg>,
    counters: Arc<Counters>,
    /// Notifications lost downstream of this endpoint (recipient queues), counted as
    /// dropped.
    downstream_lost: Option<Arc<AtomicU64>>,
}

impl std::fmt::Debug for EndpointSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointSender")
            .field("name", &self.name)
            .field("queued", &self.tx.len())
            .finish()
    }
}

impl EndpointSender {
    /// The endpoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Enqueues `n` if it passes the filter, without blocking. Returns false when it
    /// was dropped (queue full / endpoint gone), which is counted.
    pub fn offer(&self, n: &Arc<Notification>) -> bool {
        if !self.filter.matches(n) {
            return true;
        }
        match self.tx.try_send(Msg::Notify(Arc::clone(n))) {
            Ok(()) => {
                self.counters.queued.fetch_add(1, Ordering::AcqRel);
                true
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.counters.dropped.fetch_add(1, Ordering::AcqRel);
                false
            }
        }
    }

    /// Waits until everything queued before this call was delivered (or failed).
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Disconnected`].
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = bounded(1);
        self.tx
            .send_deadline(Msg::Flush(tx), deadline)
            .map_err(|_| Error::Timeout("endpoint flush"))?;
        rx.recv_deadline(deadline).map_err(|e| match e {
            RecvTimeoutError::Timeout => Error::Timeout("endpoint flush"),
            RecvTimeoutError::Disconnected => Error::Disconnected("endpoint"),
        })
    }

    /// Current counters.
    pub fn stats(&self) -> EndpointStats {
        let mut s = self.counters.snapshot();
        if let Some(l) = &self.downstream_lost {
            s.dropped += l.load(Ordering::Acquire);
        }
        s
    }
}

/// A running endpoint thread.
pub struct EndpointHandle {
    sender: EndpointSender,
    join: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EndpointHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointHandle")
            .field("name", &self.sender.name)
            .field("stats", &self.stats())
            .finish()
    }
}

impl EndpointHandle {
    /// A sender for the engine ([`AlertEngine::add_endpoint`](crate::AlertEngine::add_endpoint)).
    pub fn sender(&self) -> EndpointSender {
        self.sender.clone()
    }

    /// Current counters.
    pub fn stats(&self) -> EndpointStats {
        self.sender.stats()
    }

    /// Waits until everything queued so far was delivered (or failed).
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Disconnected`].
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        self.sender.flush(timeout)
    }

    /// Delivers what is queued, flushes the endpoint, stops the thread.
    ///
    /// # Errors
    /// [`Error::Timeout`] (the thread keeps running detached) or
    /// [`Error::Disconnected`].
    pub fn shutdown(mut self, timeout: Duration) -> Result<EndpointStats> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = bounded(1);
        self.sender
            .tx
            .send_deadline(Msg::Shutdown(tx), deadline)
            .map_err(|_| Error::Timeout("endpoint shutdown"))?;
        rx.recv_deadline(deadline).map_err(|e| match e {
            RecvTimeoutError::Timeout => Error::Timeout("endpoint shutdown"),
            RecvTimeoutError::Disconnected => Error::Disconnected("endpoint"),
        })?;
        if let Some(j) = self.join.take() {
            j.join().map_err(|_| Error::Disconnected("endpoint"))?;
        }
        Ok(self.stats())
    }
}

/// Starts an endpoint thread. `make` builds the endpoint inside the thread; its error
/// is returned here.
///
/// # Errors
/// [`Error::Config`] for a zero capacity or batch, the error of `make`, or a spawn
/// failure.
pub fn spawn_endpoint<E, F>(config: EndpointConfig, make: F) -> Result<EndpointHandle>
where
    E: Endpoint,
    F: FnOnce() -> Result<E> + Send + 'static,
{
    if config.queue_capacity == 0 || config.max_batch == 0 {
        return Err(Error::Config(format!(
            "endpoint `{}`: queue_capacity and max_batch must be > 0",
            config.name
        )));
    }
    let (tx, rx) = bounded(config.queue_capacity);
    let counters = Arc::new(Counters::default());
    let (ready_tx, ready_rx) = bounded::<Result<()>>(1);
    let c = Arc::clone(&counters);
    let name: Arc<str> = Arc::from(config.name.as_str());
    let thread_name = format!("weir-endpoint-{}", config.name);
    let n2 = Arc::clone(&name);
    let max_batch = config.max_batch;
    let join = std::thread::Builder::new()
        .name(thread_name)
        .spawn(move || match make() {
            Ok(ep) => {
                let _ = ready_tx.send(Ok(()));
                run(ep, &rx, &c, &n2, max_batch);
            }
            Err(e) => {
                let _ = ready_tx.send(Err(e));
            }
        })
        .map_err(Error::io("spawning an endpoint thread"))?;
    match ready_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let _ = join.join();
            return Err(e);
        }
        Err(_) => return Err(Error::Disconnected("endpoint")),
    }
    Ok(EndpointHandle {
        sender: EndpointSender {
            name,
            filter: Arc::new(config.filter),
            tx,
            counters,
            downstream_lost: None,
        },
        join: Some(join),
    })
}

fn run<E: Endpoint>(mut ep: E, rx: &Receiver<Msg>, c: &Counters, name: &str, max_batch: usize) {
    let mut batch: Vec<Arc<Notification>> = Vec::with_capacity(max_batch);
    let mut control: Option<Msg> = None;
    loop {
        match rx.recv() {
            Ok(Msg::Notify(n)) => batch.push(n),
            Ok(ctrl) => control = Some(ctrl),
            Err(_) => {
                let _ = ep.flush();
                return;
            }
        }
        while control.is_none() && batch.len() < max_batch {
            match rx.try_recv() {
                Ok(Msg::Notify(n)) => batch.push(n),
                Ok(ctrl) => control = Some(ctrl),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let n = batch.len() as u64;
            match ep.deliver(&batch) {
                Ok(()) => {
                    c.delivered.fetch_add(n, Ordering::AcqRel);
                }
                Err(e) => {
                    tracing::warn!(endpoint = name, error = %e, alerts = n, "alert delivery failed");
                    c.failed.fetch_add(n, Ordering::AcqRel);
                }
            }
            batch.clear();
        }
        if (control.is_some() || rx.is_empty())
            && let Err(e) = ep.flush()
        {
            tracing::warn!(endpoint = name, error = %e, "endpoint flush failed");
        }
        match control.take() {
            Some(Msg::Flush(reply)) => {
                let _ = reply.send(());
            }
            Some(Msg::Shutdown(reply)) => {
                let _ = reply.send(());
                return;
            }
            _ => {}
        }
    }
}
