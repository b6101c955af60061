//! Live capture of a sharded interface with kernel fan-out: one `AF_PACKET` socket
//! per worker, all joined into one fan-out group (`PACKET_FANOUT_HASH` with
//! `PACKET_FANOUT_FLAG_DEFRAG`), so the kernel spreads the interface's frames over the
//! sockets by a symmetric hash of the flow and every worker reads its own socket: no
//! dispatcher thread sits on the path of live traffic.
//!
//! ```text
//! NIC ─kernel fan-out (flow hash)─▶ socket k ─capture thread k─batches─▶ worker k
//! ```
//!
//! Each socket's capture thread batches its frames for its worker as the single live
//! source does (a full worker queue drops the batch, counted), tells the worker when
//! its socket is idle (so every worker's clock reaches the ticks on wall-clock time),
//! and reads the socket's `PACKET_STATISTICS` every second: the frames the kernel
//! dropped on that socket (`tp_drops`), counted per worker ([`WorkerCapture`]) and in
//! the interface's total ([`SourceStats::kernel_drops`]), and reported to the worker's
//! engine like the single source's drops. The kernel's hash and what it means for
//! tunnels: docs/decisions.md §10.

use std::os::fd::IntoRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use crossbeam_channel::{Receiver, Sender, TrySendError};
use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use weir_decode::LinkType;

use crate::source::{Batch, LIVE_BATCH_FRAMES, Msg, SourceStats};

/// Batches queued to each worker.
const QUEUE_BATCHES: usize = 32;
/// A batch is sent after this long even if not full.
const FLUSH: Duration = Duration::from_millis(20);
/// How often each socket's drops are read.
const DROPS_POLL: Duration = Duration::from_secs(1);

/// The capture counters of one worker's socket.
#[derive(Debug, Default)]
pub struct WorkerCapture {
    /// Frames read from the socket.
    pub frames: AtomicU64,
    /// Frames the kernel dropped on the socket (its receive buffer was full).
    pub kernel_drops: AtomicU64,
    /// Frames dropped because the worker's queue was full.
    pub queue_drops: AtomicU64,
}

/// A copy of one worker's capture counters (run summary, snapshots).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WorkerDrops {
    /// Worker number.
    pub worker: usize,
    /// Frames its socket delivered.
    pub frames: u64,
    /// Frames the kernel dropped on its socket.
    pub kernel_drops: u64,
    /// Frames dropped because the worker was behind.
    pub queue_drops: u64,
}

impl WorkerCapture {
    /// The counters now.
    pub fn read(&self, worker: usize) -> WorkerDrops {
        WorkerDrops {
            worker,
            frames: self.frames.load(Ordering::Relaxed),
            kernel_drops: self.kernel_drops.load(Ordering::Relaxed),
            queue_drops: self.queue_drops.load(Ordering::Relaxed),
        }
    }
}

/// The counters of every worker of `stats` (empty unless the source is a fan-out).
pub fn worker_drops(stats: &SourceStats) -> Vec<WorkerDrops> {
    stats.workers.get().map_or_else(Vec::new, |w| {
        w.iter().enumerate().map(|(k, c)| c.read(k)).collect()
    })
}

/// The fan-out group id of a new capture: unique among the groups of this process
/// (and, by the process id, most likely of the machine; the kernel refuses to join a
/// group of another type, which then fails the start loudly).
fn group_id() -> u16 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    ((u64::from(std::process::id()) * 31 + n) & 0xffff) as u16
}

/// The per-worker inputs of a fan-out capture: what each worker's engine reads, and
/// where it sends emptied batches back.
pub struct Inputs {
    /// Worker `k` reads `rx[k]`.
    pub rx: Vec<Receiver<Msg>>,
    /// Worker `k` recycles its batches into `recycle[k]`.
    pub recycle: Vec<Sender<Batch>>,
    /// The capture threads, which end at `stop`.
    pub threads: Vec<JoinHandle<()>>,
}

/// Opens `workers` sockets on interface `name` in one fan-out group and starts one
/// capture thread per socket. Interface totals go to `stats` (frames, kernel and
/// queue drops; `stats.workers` per worker).
///
/// # Errors
/// The interface is unknown, a socket cannot be opened or join the group (no
/// `CAP_NET_RAW`, a kernel without fan-out), or a thread cannot start.
pub fn spawn(
    name: &str,
    workers: usize,
    stats: &Arc<SourceStats>,
    stop: &Arc<AtomicBool>,
) -> Result<Inputs> {
    let iface = crate::source::find_interface(name)?;
    let group = group_id();
    let per_worker: Vec<Arc<WorkerCapture>> = (0..workers)
        .map(|_| Arc::new(WorkerCapture::default()))
        .collect();
    let _ = stats.workers.set(per_worker.clone());
    let mut sockets = Vec::new();
    for k in 0..workers {
        sockets.push(open(&iface, group).with_context(|| {
            format!("opening capture socket {k} of {workers} on {name} (fan-out group {group})")
        })?);
    }
    tracing::info!(
        interface = name,
        "capturing on {name} with {workers} sockets in fan-out group {group} (flow hash)"
    );
    let mut inputs = Inputs {
        rx: Vec::new(),
        recycle: Vec::new(),
        threads: Vec::new(),
    };
    for (k, (rx_sock, stat_sock)) in sockets.into_iter().enumerate() {
        let (tx, rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
        let (recycle_tx, recycle_rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
        let capture = Capture {
            name: format!("{name} socket {k}"),
            rx: rx_sock,
            stat: stat_sock,
            tx,
            recycle: recycle_rx,
            total: stats.clone(),
            mine: per_worker.get(k).cloned().unwrap_or_default(),
            stop: stop.clone(),
        };
        let h = std::thread::Builder::new()
            .name(format!("capture-{k}"))
            .spawn(move || capture.run())?;
        inputs.rx.push(rx);
        inputs.recycle.push(recycle_tx);
        inputs.threads.push(h);
    }
    Ok(inputs)
}

/// One socket of the group: pnet's receiver (which binds it to the interface, turns on
/// promiscuous mode and joins the group) and a second handle on the same socket to read
/// its statistics.
fn open(
    iface: &pnet_datalink::NetworkInterface,
    group: u16,
) -> Result<(Box<dyn pnet_datalink::DataLinkReceiver>, Socket)> {
    let all = i32::from((libc::ETH_P_ALL as u16).to_be());
    let sock = Socket::new(Domain::PACKET, Type::RAW, Some(Protocol::from(all)))?;
    let stat = sock.try_clone()?;
    let cfg = pnet_datalink::Config {
        read_timeout: Some(Duration::from_millis(100)),
        promiscuous: true,
        socket_fd: Some(sock.into_raw_fd()),
        linux_fanout: Some(pnet_datalink::FanoutOption {
            group_id: group,
            fanout_type: pnet_datalink::FanoutType::HASH,
            defrag: true,
            rollover: false,
        }),
        ..Default::default()
    };
    match pnet_datalink::channel(iface, cfg)? {
        pnet_datalink::Channel::Ethernet(_, rx) => Ok((rx, stat)),
        _ => bail!("{}: not an Ethernet-framed interface", iface.name),
    }
}

/// The capture thread of one socket.
struct Capture {
    name: String,
    rx: Box<dyn pnet_datalink::DataLinkReceiver>,
    stat: Socket,
    tx: Sender<Msg>,
    recycle: Receiver<Batch>,
    total: Arc<SourceStats>,
    mine: Arc<WorkerCapture>,
    stop: Arc<AtomicBool>,
}

impl Capture {
    fn run(mut self) {
        if let Err(e) = self.read() {
            self.total.problems.fetch_add(1, Ordering::Relaxed);
            let _ = self.tx.send(Msg::Problem(format!("{}: {e:#}", self.name)));
        }
        let _ = self.tx.send(Msg::End);
    }

    fn fresh(&self) -> Batch {
        let mut b = self.recycle.try_recv().unwrap_or_default();
        b.clear();
        b
    }

    fn send(&self, batch: Batch) -> Result<()> {
        let n = batch.frames.len() as u64;
        match self.tx.try_send(Msg::Frames(batch)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.mine.queue_drops.fetch_add(n, Ordering::Relaxed);
                self.total.queue_drops.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            Err(TrySendError::Disconnected(_)) => bail!("worker stopped"),
        }
    }

    /// Reads the socket's drops since the last read (the kernel resets its counters
    /// on each read) and reports what is new to the worker with `send`; what could not
    /// be sent goes with the next report.
    fn poll_drops(&self, unreported: &mut u64, send: impl FnOnce(u64) -> bool) {
        match sys::packet_drops(&self.stat) {
            Ok(d) => {
                let d = u64::from(d);
                self.mine.kernel_drops.fetch_add(d, Ordering::Relaxed);
                self.total.kernel_drops.fetch_add(d, Ordering::Relaxed);
                *unreported += d;
            }
            Err(e) => tracing::debug!("{}: PACKET_STATISTICS: {e}", self.name),
        }
        if *unreported > 0 && send(*unreported) {
            *unreported = 0;
        }
    }

    fn read(&mut self) -> Result<()> {
        let mut batch = self.fresh();
        let mut started = Instant::now();
        let mut polled = Instant::now();
        let mut unreported = 0u64;
        let mut queue_reported = 0u64;
        while !self.stop.load(Ordering::Relaxed) {
            match self.rx.next() {
                Ok(data) => {
                    self.mine.frames.fetch_add(1, Ordering::Relaxed);
                    self.total.frames.fetch_add(1, Ordering::Relaxed);
                    self.total
                        .bytes
                        .fetch_add(data.len() as u64, Ordering::Relaxed);
                    if batch.frames.is_empty() {
                        started = Instant::now();
                    }
                    batch.push(
                        crate::source::wall_clock(),
                        LinkType::Ethernet,
                        data.len() as u32,
                        data,
                    );
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::TimedOut
                        || e.kind() == std::io::ErrorKind::WouldBlock =>
                {
                    if batch.frames.is_empty() {
                        let _ = self.tx.try_send(Msg::Idle(crate::source::wall_clock()));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e).with_context(|| format!("capturing on {}", self.name)),
            }
            let poll = polled.elapsed() >= DROPS_POLL;
            if batch.frames.len() >= LIVE_BATCH_FRAMES
                || (!batch.frames.is_empty() && (poll || started.elapsed() >= FLUSH))
            {
                let fresh = self.fresh();
                self.send(std::mem::replace(&mut batch, fresh))?;
            }
            if poll {
                polled = Instant::now();
                let queue = self.mine.queue_drops.load(Ordering::Relaxed);
                unreported += queue - queue_reported;
                queue_reported = queue;
                let tx = &self.tx;
                self.poll_drops(&mut unreported, |n| {
                    tx.try_send(Msg::Drops(crate::source::wall_clock(), n))
                        .is_ok()
                });
            }
        }
        if !batch.frames.is_empty() {
            self.send(batch)?;
        }
        let queue = self.mine.queue_drops.load(Ordering::Relaxed);
        unreported += queue - queue_reported;
        // The last report waits for room: the worker is still draining its queue.
        let tx = &self.tx;
        self.poll_drops(&mut unreported, |n| {
            tx.send(Msg::Drops(crate::source::wall_clock(), n)).is_ok()
        });
        Ok(())
    }
}

/// The one system call the safe crates do not wrap.
#[allow(unsafe_code)]
mod sys {
    use std::os::fd::AsRawFd;

    /// The frames the kernel dropped on packet socket `sock` since the previous call
    /// (`PACKET_STATISTICS` `tp_drops`; reading resets the socket's counters).
    pub(super) fn packet_drops(sock: &socket2::Socket) -> std::io::Result<u32> {
        let mut st = libc::tpacket_stats {
            tp_packets: 0,
            tp_drops: 0,
        };
        let mut len = std::mem::size_of::<libc::tpacket_stats>() as libc::socklen_t;
        // SAFETY: `sock` is an open AF_PACKET socket for the whole call; `st` is a
        // writable `tpacket_stats` of `len` bytes, the size the kernel writes for
        // PACKET_STATISTICS on a TPACKET_V1/V2 socket (pnet's), and `len` is a valid
        // pointer the kernel updates with the size written.
        let r = unsafe {
            libc::getsockopt(
                sock.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&raw mut st).cast::<libc::c_void>(),
                &raw mut len,
            )
        };
        if r == -1 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(st.tp_drops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_differ_between_captures_of_one_process() {
        assert_ne!(group_id(), group_id());
    }

    #[test]
    fn a_source_without_workers_lists_none() {
        let s = SourceStats::default();
        assert!(worker_drops(&s).is_empty());
        let w = vec![Arc::new(WorkerCapture::default()), Arc::default()];
        w[1].kernel_drops.store(3, Ordering::Relaxed);
        s.workers.set(w).unwrap();
        let d = worker_drops(&s);
        assert_eq!(d.len(), 2);
        assert_eq!((d[1].worker, d[1].kernel_drops), (1, 3));
    }
}
