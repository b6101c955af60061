//! Syslog listeners (UDP and TCP) and the worker that parses and demultiplexes
//! messages by producer (seed 002 "Syslog User Scripts", spec §17).
//!
//! Listener threads never block on the worker: the queue between them is bounded and
//! a full queue drops the message and counts it. The worker parses each message, finds
//! its producer (the application name, lower-cased; `fortinet` for `date=` lines) and
//! hands it to a [`SyslogHandler`] (the Lua syslog scripts), counting per producer.
//! When the queue overflows the handler is told (it raises `alert_too_many_drops`,
//! subtype `syslog_queue`), and told again once the queue has drained.
//!
//! Syslog scripts may set statuses on flows the engine threads track
//! (`flow_utils.triggerStatusByTuple`): a [`FlowStatusHub`] carries those requests to
//! every engine thread over bounded queues and counts what became of them.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use crossbeam_channel::{Receiver, Sender, TrySendError};
use parking_lot::Mutex;
use serde::Serialize;
use weir_decode::{MAX_SYSLOG_MESSAGE, SyslogFramer, SyslogMessage, parse_syslog};
use weir_script::FlowStatusRequest;

/// Default capacity of the listener → worker queue, in messages.
pub const DEFAULT_QUEUE: usize = 16 * 1024;
/// Capacity of each engine thread's queue of flow-status requests.
const FLOW_REQUEST_QUEUE: usize = 4096;
/// Most TCP connections served at once.
const MAX_CONNECTIONS: usize = 256;
/// How often blocked listeners look at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// At the stop, most datagrams a UDP listener still reads from its socket buffer.
const DRAIN_DATAGRAMS: usize = 100_000;
/// At the stop, most bytes a TCP connection still reads (a sender that keeps sending
/// cannot hold the shutdown).
const DRAIN_BYTES: usize = 16 << 20;

/// One transport of a `--syslog` address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP, one message per datagram.
    Udp,
    /// TCP, octet counting or newline framing.
    Tcp,
}

/// Parses `udp://ADDR:PORT`, `tcp://ADDR:PORT` or `ADDR:PORT` (both transports).
///
/// # Errors
/// Anything else, with the reason.
pub fn parse_spec(spec: &str) -> Result<Vec<(Transport, SocketAddr)>> {
    let (transports, addr) = if let Some(a) = spec.strip_prefix("udp://") {
        (vec![Transport::Udp], a)
    } else if let Some(a) = spec.strip_prefix("tcp://") {
        (vec![Transport::Tcp], a)
    } else if spec.contains("://") {
        bail!("syslog listener {spec:?}: the scheme must be udp:// or tcp://");
    } else {
        (vec![Transport::Udp, Transport::Tcp], spec)
    };
    let addr: SocketAddr = addr.parse().with_context(|| {
        format!("syslog listener {spec:?}: expected ADDRESS:PORT, e.g. 127.0.0.1:5514")
    })?;
    Ok(transports.into_iter().map(|t| (t, addr)).collect())
}

/// A message as received.
#[derive(Debug)]
pub struct Received {
    /// Who sent it.
    pub peer: SocketAddr,
    /// The raw message.
    pub bytes: Vec<u8>,
}

/// Counters of the syslog side, shown in the summary (the UI's "syslog producers").
#[derive(Debug, Default, Serialize, Clone)]
pub struct SyslogStats {
    /// Messages received.
    pub received: u64,
    /// Messages that did not parse (no `<PRI>`, bad priority, too long).
    pub malformed: u64,
    /// Messages dropped because the worker queue was full.
    pub queue_drops: u64,
    /// TCP frames refused for their size.
    pub oversized: u64,
    /// TCP connections refused because too many were open.
    pub refused_connections: u64,
    /// Messages per producer.
    pub producers: BTreeMap<String, u64>,
    /// Messages whose producer no script handles, per producer.
    pub unhandled: BTreeMap<String, u64>,
    /// Handler failures.
    pub handler_errors: u64,
    /// Times the queue overflowed (the drop alert was engaged).
    pub overflow_alerts: u64,
    /// Flow statuses syslog scripts asked for.
    pub flow_statuses: FlowStatusStats,
}

/// What became of the flow statuses syslog scripts asked for.
#[derive(Debug, Default, Serialize, Clone, PartialEq, Eq)]
pub struct FlowStatusStats {
    /// Requests queued to the engine threads.
    pub requested: u64,
    /// Requests applied to a tracked flow (on at least one interface).
    pub applied: u64,
    /// Requests whose flow no interface tracked at that time.
    pub not_tracked: u64,
    /// Requests not queued: no packet interface, or every engine queue was full.
    pub dropped: u64,
}

/// A flow-status request on its way to the engine threads.
#[derive(Debug)]
pub struct PendingStatus {
    /// The request.
    pub req: FlowStatusRequest,
    remaining: AtomicUsize,
    found: AtomicBool,
}

/// Routes flow-status requests from the syslog scripts to every engine thread and
/// counts the outcome. Engine threads [`register`](FlowStatusHub::register) when they
/// start; [`close`](FlowStatusHub::close) (done by [`HubCloser`] when the syslog
/// worker ends) disconnects them, which ends their [`hold`](crate::engine::Driver::hold).
#[derive(Debug, Default)]
pub struct FlowStatusHub {
    engines: Mutex<Vec<Sender<Arc<PendingStatus>>>>,
    closed: AtomicBool,
    requested: AtomicU64,
    applied: AtomicU64,
    not_tracked: AtomicU64,
    dropped: AtomicU64,
}

/// Why [`FlowStatusHub::send`] could not queue a flow-status request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubRefused {
    /// No engine thread serves requests (no packet interface).
    NoInterface,
    /// Every engine's request queue was full.
    QueueFull,
}

impl std::fmt::Display for HubRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HubRefused::NoInterface => "no packet interface",
            HubRefused::QueueFull => "flow request queue full",
        })
    }
}

impl std::error::Error for HubRefused {}

impl FlowStatusHub {
    /// A hub with no engine yet.
    pub fn new() -> Arc<FlowStatusHub> {
        Arc::new(FlowStatusHub::default())
    }

    /// The queue an engine thread serves; `None` once the hub is closed.
    pub fn register(&self) -> Option<Receiver<Arc<PendingStatus>>> {
        let mut engines = self.engines.lock();
        if self.closed.load(Ordering::SeqCst) {
            return None;
        }
        let (tx, rx) = crossbeam_channel::bounded(FLOW_REQUEST_QUEUE);
        engines.push(tx);
        Some(rx)
    }

    /// Queues a request to every engine thread.
    ///
    /// # Errors
    /// No engine thread serves requests, or every engine queue was full (counted as
    /// `dropped`).
    pub fn send(&self, req: FlowStatusRequest) -> std::result::Result<(), HubRefused> {
        let engines = self.engines.lock();
        let n = engines.len();
        if n == 0 {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return Err(HubRefused::NoInterface);
        }
        let p = Arc::new(PendingStatus {
            req,
            remaining: AtomicUsize::new(n),
            found: AtomicBool::new(false),
        });
        let mut queued = 0;
        for tx in engines.iter() {
            if tx.try_send(p.clone()).is_ok() {
                queued += 1;
            } else {
                p.remaining.fetch_sub(1, Ordering::SeqCst);
            }
        }
        if queued == 0 {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return Err(HubRefused::QueueFull);
        }
        self.requested.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// An engine thread is done with `p`: `applied` if it tracked the flow and set the
    /// status. The last engine to finish counts a request nobody applied.
    pub fn done(&self, p: &PendingStatus, applied: bool) {
        if applied && !p.found.swap(true, Ordering::SeqCst) {
            self.applied.fetch_add(1, Ordering::Relaxed);
        }
        if p.remaining.fetch_sub(1, Ordering::SeqCst) == 1 && !p.found.load(Ordering::SeqCst) {
            self.not_tracked.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// No more requests: the engine queues disconnect once drained.
    pub fn close(&self) {
        let mut engines = self.engines.lock();
        self.closed.store(true, Ordering::SeqCst);
        engines.clear();
    }

    /// The counters so far.
    pub fn stats(&self) -> FlowStatusStats {
        FlowStatusStats {
            requested: self.requested.load(Ordering::Relaxed),
            applied: self.applied.load(Ordering::Relaxed),
            not_tracked: self.not_tracked.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

/// Closes its hub when dropped: owned by the syslog handler (or the closure building
/// it), so the hub closes however the syslog worker ends.
#[derive(Debug)]
pub struct HubCloser(pub Arc<FlowStatusHub>);

impl Drop for HubCloser {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl SyslogStats {
    /// Prints the counters as text.
    pub fn print(&self) {
        println!(
            "syslog: {} messages, {} malformed, {} dropped (queue full), {} oversized",
            self.received, self.malformed, self.queue_drops, self.oversized
        );
        if self.overflow_alerts > 0 {
            println!(
                "  queue overflowed {} time(s) (alert_too_many_drops raised)",
                self.overflow_alerts
            );
        }
        let f = &self.flow_statuses;
        if f.requested + f.dropped > 0 {
            println!(
                "  flow statuses from syslog scripts: {} requested, {} applied, {} on flows not tracked, {} not queued",
                f.requested, f.applied, f.not_tracked, f.dropped
            );
        }
        for (producer, n) in &self.producers {
            let unhandled = self.unhandled.get(producer).copied().unwrap_or(0);
            println!("  {producer:<24} {n:>10}  ({unhandled} with no script)");
        }
    }
}

/// Receives parsed messages on the worker thread (the Lua syslog scripts).
pub trait SyslogHandler {
    /// Handles one message of `producer`; `host` is the HOST field or the sender IP.
    /// `Ok(false)`: no script handles this producer.
    ///
    /// # Errors
    /// A handler failure; counted, never fatal.
    fn handle(&mut self, producer: &str, msg: &SyslogMessage<'_>, host: &str) -> Result<bool>;

    /// Reload the scripts (SIGHUP); failures are logged and the old scripts keep running.
    fn reload(&mut self) {}

    /// The listener queue overflowed (`engaged`: `dropped` messages so far) or, after an
    /// overflow, has drained (`!engaged`).
    fn queue_overflow(&mut self, _dropped: u64, _queue_size: usize, _engaged: bool) {}

    /// Called once when the listeners stop.
    fn finish(&mut self) {}
}

/// A handler without scripts: every producer is counted as unhandled.
#[derive(Debug, Default)]
pub struct NoScripts;

impl SyslogHandler for NoScripts {
    fn handle(&mut self, _: &str, _: &SyslogMessage<'_>, _: &str) -> Result<bool> {
        Ok(false)
    }
}

/// Builds the syslog handler on the worker thread (a Lua VM is not `Send`).
pub type HandlerFactory = Box<dyn FnOnce() -> Result<Box<dyn SyslogHandler>> + Send>;

/// Counters the listeners update.
#[derive(Debug, Default)]
struct ListenerCounters {
    queue_drops: AtomicU64,
    oversized: AtomicU64,
    refused: AtomicU64,
    connections: AtomicUsize,
}

/// Running listeners and their worker.
pub struct SyslogService {
    reload: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    worker: JoinHandle<SyslogStats>,
    counters: Arc<ListenerCounters>,
}

impl SyslogService {
    /// Binds every listener and starts the worker with the handler `make` builds on it.
    ///
    /// # Errors
    /// A bad address or a port that cannot be bound.
    pub fn start(
        specs: &[String],
        queue: usize,
        stop: Arc<AtomicBool>,
        make: HandlerFactory,
    ) -> Result<SyslogService> {
        let queue = if queue == 0 { DEFAULT_QUEUE } else { queue };
        let (tx, rx) = crossbeam_channel::bounded::<Received>(queue);
        let counters = Arc::new(ListenerCounters::default());
        let mut threads = Vec::new();
        for spec in specs {
            for (transport, addr) in parse_spec(spec)? {
                let (t, local) = match transport {
                    Transport::Udp => {
                        let sock = UdpSocket::bind(addr)
                            .with_context(|| format!("syslog: cannot bind udp {addr}"))?;
                        sock.set_read_timeout(Some(POLL))?;
                        let local = sock.local_addr()?;
                        let (tx, stop, c) = (tx.clone(), stop.clone(), counters.clone());
                        let t = std::thread::Builder::new()
                            .name(format!("syslog udp {local}"))
                            .spawn(move || udp_loop(&sock, &tx, &stop, &c))?;
                        (t, local)
                    }
                    Transport::Tcp => {
                        let l = TcpListener::bind(addr)
                            .with_context(|| format!("syslog: cannot bind tcp {addr}"))?;
                        l.set_nonblocking(true)?;
                        let local = l.local_addr()?;
                        let (tx, stop, c) = (tx.clone(), stop.clone(), counters.clone());
                        let t = std::thread::Builder::new()
                            .name(format!("syslog tcp {local}"))
                            .spawn(move || tcp_accept_loop(&l, &tx, &stop, &c))?;
                        (t, local)
                    }
                };
                tracing::info!(
                    "syslog: listening on {} {local}",
                    if transport == Transport::Udp {
                        "udp"
                    } else {
                        "tcp"
                    }
                );
                threads.push(t);
            }
        }
        drop(tx);
        let reload = Arc::new(AtomicBool::new(false));
        let reload_flag = reload.clone();
        let wc = counters.clone();
        let worker = std::thread::Builder::new()
            .name("syslog worker".into())
            .spawn(move || {
                let mut stats = SyslogStats::default();
                let mut h = make().unwrap_or_else(|e| {
                    tracing::error!("syslog scripts failed to start: {e:#}");
                    Box::new(NoScripts)
                });
                let mut overflow = Overflow {
                    counters: &wc,
                    queue,
                    seen: 0,
                    engaged: false,
                };
                work(&rx, h.as_mut(), &mut stats, &reload_flag, &mut overflow);
                h.finish();
                stats
            })?;
        Ok(SyslogService {
            reload,
            threads,
            worker,
            counters,
        })
    }

    /// Asks the worker to reload its scripts before the next message.
    pub fn request_reload(&self) {
        self.reload.store(true, Ordering::Relaxed);
    }

    /// Waits for the listeners (which end when the stop flag is set) and the worker.
    pub fn join(self) -> SyslogStats {
        for t in self.threads {
            let _ = t.join();
        }
        let mut stats = self.worker.join().unwrap_or_default();
        stats.queue_drops = self.counters.queue_drops.load(Ordering::Relaxed);
        stats.oversized = self.counters.oversized.load(Ordering::Relaxed);
        stats.refused_connections = self.counters.refused.load(Ordering::Relaxed);
        stats
    }
}

fn enqueue(tx: &Sender<Received>, r: Received, c: &ListenerCounters) {
    if let Err(TrySendError::Full(_)) = tx.try_send(r) {
        c.queue_drops.fetch_add(1, Ordering::Relaxed);
    }
}

fn udp_loop(sock: &UdpSocket, tx: &Sender<Received>, stop: &AtomicBool, c: &ListenerCounters) {
    let mut buf = vec![0u8; MAX_SYSLOG_MESSAGE + 1];
    while !stop.load(Ordering::Relaxed) {
        match sock.recv_from(&mut buf) {
            Ok((n, peer)) => {
                let data = buf.get(..n).unwrap_or(&[]).to_vec();
                enqueue(tx, Received { peer, bytes: data }, c);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => {
                tracing::warn!("syslog udp: {e}");
                std::thread::sleep(POLL);
            }
        }
    }
    // What arrived before the stop is still handled: drain the socket buffer.
    if sock.set_nonblocking(true).is_ok() {
        for _ in 0..DRAIN_DATAGRAMS {
            let Ok((n, peer)) = sock.recv_from(&mut buf) else {
                break;
            };
            let data = buf.get(..n).unwrap_or(&[]).to_vec();
            enqueue(tx, Received { peer, bytes: data }, c);
        }
    }
}

/// Serves one accepted connection on its own thread (refused beyond
/// [`MAX_CONNECTIONS`]).
fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    tx: &Sender<Received>,
    stop: &Arc<AtomicBool>,
    c: &Arc<ListenerCounters>,
) -> Option<JoinHandle<()>> {
    if c.connections.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
        c.refused.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    c.connections.fetch_add(1, Ordering::Relaxed);
    let (tx, stop, c2) = (tx.clone(), stop.clone(), c.clone());
    match std::thread::Builder::new()
        .name(format!("syslog tcp {peer}"))
        .spawn(move || {
            tcp_conn(stream, peer, &tx, &stop, &c2);
            c2.connections.fetch_sub(1, Ordering::Relaxed);
        }) {
        Ok(t) => Some(t),
        Err(e) => {
            c.connections.fetch_sub(1, Ordering::Relaxed);
            tracing::warn!("syslog tcp: cannot serve {peer}: {e}");
            None
        }
    }
}

fn tcp_accept_loop(
    l: &TcpListener,
    tx: &Sender<Received>,
    stop: &Arc<AtomicBool>,
    c: &Arc<ListenerCounters>,
) {
    let mut conns = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        match l.accept() {
            Ok((stream, peer)) => {
                conns.extend(serve(stream, peer, tx, stop, c));
                conns.retain(|t: &JoinHandle<()>| !t.is_finished());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => {
                tracing::warn!("syslog tcp accept: {e}");
                std::thread::sleep(POLL);
            }
        }
    }
    // Connections completed before the stop but not accepted yet are still read.
    while let Ok((stream, peer)) = l.accept() {
        conns.extend(serve(stream, peer, tx, stop, c));
    }
    for t in conns {
        let _ = t.join();
    }
}

fn tcp_conn(
    mut s: TcpStream,
    peer: SocketAddr,
    tx: &Sender<Received>,
    stop: &AtomicBool,
    c: &ListenerCounters,
) {
    if s.set_nonblocking(false).is_err() || s.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let mut framer = SyslogFramer::new(MAX_SYSLOG_MESSAGE);
    let mut buf = vec![0u8; 64 * 1024];
    let mut oversized = 0;
    let mut after_stop = 0usize;
    loop {
        // After the stop: what is already buffered, up to DRAIN_BYTES.
        if after_stop > DRAIN_BYTES {
            break;
        }
        let n = match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                continue;
            }
            Err(_) => break,
        };
        if stop.load(Ordering::Relaxed) {
            after_stop += n;
        }
        framer.push(buf.get(..n).unwrap_or(&[]));
        while let Some(frame) = framer.next_frame() {
            enqueue(tx, Received { peer, bytes: frame }, c);
        }
        c.oversized
            .fetch_add(framer.oversized - oversized, Ordering::Relaxed);
        oversized = framer.oversized;
    }
    if let Some(frame) = framer.finish() {
        enqueue(tx, Received { peer, bytes: frame }, c);
    }
}

/// Rate limit of the "malformed message" warning.
const WARN_EVERY: u64 = 1000;

/// The queue-overflow alert's state on the worker.
struct Overflow<'a> {
    counters: &'a ListenerCounters,
    queue: usize,
    /// Drops already reported.
    seen: u64,
    engaged: bool,
}

impl Overflow<'_> {
    /// Engages the alert when messages were dropped since the last look; releases it
    /// when none were and the queue is empty.
    fn check(
        &mut self,
        rx: &Receiver<Received>,
        h: &mut dyn SyslogHandler,
        stats: &mut SyslogStats,
    ) {
        let drops = self.counters.queue_drops.load(Ordering::Relaxed);
        if drops > self.seen {
            self.seen = drops;
            if !self.engaged {
                self.engaged = true;
                stats.overflow_alerts += 1;
                tracing::warn!(
                    "syslog: queue of {} messages full, {drops} messages dropped so far",
                    self.queue
                );
                h.queue_overflow(drops, self.queue, true);
            }
        } else if self.engaged && rx.is_empty() {
            self.engaged = false;
            tracing::info!("syslog: queue drained ({drops} messages dropped in all)");
            h.queue_overflow(drops, self.queue, false);
        }
    }
}

fn work(
    rx: &Receiver<Received>,
    h: &mut dyn SyslogHandler,
    stats: &mut SyslogStats,
    reload: &AtomicBool,
    overflow: &mut Overflow<'_>,
) {
    loop {
        if reload.swap(false, Ordering::Relaxed) {
            h.reload();
        }
        overflow.check(rx, h, stats);
        let r = match rx.recv_timeout(POLL) {
            Ok(r) => r,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => continue,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        };
        stats.received += 1;
        let msg = match parse_syslog(&r.bytes) {
            Ok(m) => m,
            Err(e) => {
                stats.malformed += 1;
                if stats.malformed % WARN_EVERY == 1 {
                    tracing::warn!(
                        "syslog: malformed message from {} ({e}); {} so far, one warning per {WARN_EVERY}",
                        r.peer,
                        stats.malformed
                    );
                }
                continue;
            }
        };
        let producer = msg.default_producer().unwrap_or_else(|| "unknown".into());
        *stats.producers.entry(producer.clone()).or_default() += 1;
        let peer_ip = r.peer.ip().to_string();
        let host = msg.hostname.unwrap_or(&peer_ip);
        match h.handle(&producer, &msg, host) {
            Ok(true) => {}
            Ok(false) => *stats.unhandled.entry(producer).or_default() += 1,
            Err(e) => {
                stats.handler_errors += 1;
                tracing::warn!("syslog script {producer}: {e:#}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            parse_spec("udp://127.0.0.1:5514").unwrap(),
            vec![(Transport::Udp, "127.0.0.1:5514".parse().unwrap())]
        );
        assert_eq!(parse_spec("127.0.0.1:5514").unwrap().len(), 2);
        assert!(parse_spec("http://127.0.0.1:1").is_err());
        assert!(parse_spec("localhost").is_err());
    }

    fn request(port: u16) -> FlowStatusRequest {
        FlowStatusRequest {
            vlan: 0,
            proto: 6,
            src: ("10.0.0.1".parse().unwrap(), port),
            dst: ("10.0.0.2".parse().unwrap(), 80),
            when: None,
            status: 10,
            params: serde_json::json!({}),
            scores: [100, 100, 10],
            severity: None,
            script: "suricata".into(),
            security: true,
        }
    }

    #[test]
    fn hub_counts_each_request_once_across_engines() {
        let hub = FlowStatusHub::new();
        assert_eq!(
            hub.send(request(1)),
            Err(HubRefused::NoInterface),
            "no engine registered yet"
        );
        let a = hub.register().unwrap();
        let b = hub.register().unwrap();
        for port in 2..5 {
            hub.send(request(port)).unwrap();
        }
        // Port 2: both engines track it; port 3: only b; port 4: neither.
        for (rx, tracks) in [(&a, [true, false, false]), (&b, [true, true, false])] {
            for t in tracks {
                let p = rx.try_recv().unwrap();
                hub.done(&p, t);
            }
        }
        assert_eq!(
            hub.stats(),
            FlowStatusStats {
                requested: 3,
                applied: 2,
                not_tracked: 1,
                dropped: 1,
            }
        );
        // Closing disconnects the engines once their queues are empty.
        hub.send(request(5)).unwrap();
        drop(HubCloser(hub.clone()));
        assert!(a.recv().is_ok(), "queued before the close");
        assert!(a.recv().is_err(), "then disconnected");
        assert!(hub.register().is_none());
        assert!(hub.send(request(6)).is_err());
    }

    #[test]
    fn a_full_engine_queue_drops_the_request() {
        let hub = FlowStatusHub::new();
        let _rx = hub.register().unwrap();
        for port in 0..FLOW_REQUEST_QUEUE as u16 {
            hub.send(request(port)).unwrap();
        }
        assert_eq!(hub.send(request(9)), Err(HubRefused::QueueFull));
        assert_eq!(HubRefused::QueueFull.to_string(), "flow request queue full");
        assert_eq!(hub.stats().dropped, 1);
    }
}
