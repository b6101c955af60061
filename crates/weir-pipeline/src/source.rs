//! Packet sources: capture files and live interfaces, each read by its own thread that
//! sends batches of frames to the engine over a bounded channel.
//!
//! A file source blocks when the channel is full (a replay loses nothing); a live source
//! never blocks: when the engine falls behind, the batch is dropped and counted.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use crossbeam_channel::{Receiver, SendError, Sender, TrySendError};
use weir_decode::capture::{CaptureReader, Record};
use weir_decode::{LinkType, Timestamp};

/// Frames per batch of a capture file: big enough that handing a batch over (a
/// channel send, a thread wake-up, the router's per-batch work) costs little per frame.
pub const BATCH_FRAMES: usize = 1024;
/// Frames per batch of a live interface: smaller, since a batch is what the source
/// drops when its engine falls behind (a batch is also sent after `LIVE_FLUSH`).
pub const LIVE_BATCH_FRAMES: usize = 256;
/// A live batch is sent after this long even if not full.
const LIVE_FLUSH: Duration = Duration::from_millis(20);
/// How often a live source reports the frames it lost (kernel and queue drops).
const DROPS_POLL: Duration = Duration::from_secs(1);

/// One frame of a batch; its bytes follow the previous frame's in [`Batch::bytes`].
#[derive(Debug, Clone, Copy)]
pub struct FrameMeta {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type.
    pub linktype: LinkType,
    /// Length on the wire.
    pub wire_len: u32,
    /// Captured length (bytes in the batch).
    pub len: u32,
}

/// Frames read by one source, sent together.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// The frames, in capture order.
    pub frames: Vec<FrameMeta>,
    /// Their bytes, back to back.
    pub bytes: Vec<u8>,
}

impl Batch {
    /// Adds a frame.
    pub fn push(&mut self, ts: Timestamp, linktype: LinkType, wire_len: u32, data: &[u8]) {
        self.frames.push(FrameMeta {
            ts,
            linktype,
            wire_len,
            len: data.len() as u32,
        });
        self.bytes.extend_from_slice(data);
    }

    /// Empties the batch for reuse (its buffers keep their capacity).
    pub fn clear(&mut self) {
        self.frames.clear();
        self.bytes.clear();
    }

    /// The frames with their bytes.
    pub fn iter(&self) -> impl Iterator<Item = (&FrameMeta, &[u8])> {
        let mut at = 0usize;
        self.frames.iter().map(move |f| {
            let end = at + f.len as usize;
            let data = self.bytes.get(at..end).unwrap_or(&[]);
            at = end;
            (f, data)
        })
    }
}

/// A worker shard's frames of a batch the dispatcher routed (`crate::shards`): the
/// batch is shared by every worker that has frames in it, not copied; the last to be
/// done with it sends it back to its source for reuse.
#[derive(Debug)]
pub struct Share {
    /// The batch as its source read it.
    pub batch: Arc<Batch>,
    /// This worker's frames of it, in capture order.
    pub picks: Vec<Pick>,
}

/// One frame of a [`Share`].
#[derive(Debug, Clone, Copy)]
pub struct Pick {
    /// The frame, its time raised to the interface's packet clock.
    pub meta: FrameMeta,
    /// Where its bytes start in the batch's [`Batch::bytes`].
    pub at: u32,
}

impl Share {
    /// The frames with their bytes.
    pub fn iter(&self) -> impl Iterator<Item = (&FrameMeta, &[u8])> {
        self.picks.iter().map(|p| {
            let at = p.at as usize;
            let data = self.batch.bytes.get(at..at + p.meta.len as usize);
            (&p.meta, data.unwrap_or(&[]))
        })
    }
}

/// What sources send to the engine.
#[derive(Debug)]
pub enum Msg {
    /// Frames.
    Frames(Batch),
    /// A worker shard's frames of a batch shared with other workers.
    Share(Share),
    /// No traffic on a live source: the engine may advance its clock to this time.
    Idle(Timestamp),
    /// Frames the capture lost, reported at this time (after the frames sent before):
    /// a live source's kernel and queue drops since its previous report, or the new
    /// drops of a pcapng Interface Statistics Block at the block's timestamp.
    Drops(Timestamp, u64),
    /// Damage in a capture file (file and byte offset) or a capture failure.
    Problem(String),
    /// The source is done.
    End,
}

/// Where a source's messages go: an engine's queue (a [`Sender`]), or the router of
/// worker shards, run in the source's own thread (`crate::shards::Routing`).
pub trait Outlet: Send {
    /// Hands `m` over, waiting for room (a replay loses nothing); an error when the
    /// receiving side is gone.
    fn put(&mut self, m: Msg) -> Result<(), SendError<Msg>>;
    /// Hands `m` over only if there is room now (a live source never waits).
    fn offer(&mut self, m: Msg) -> Result<(), TrySendError<Msg>>;
}

impl Outlet for Sender<Msg> {
    fn put(&mut self, m: Msg) -> Result<(), SendError<Msg>> {
        self.send(m)
    }

    fn offer(&mut self, m: Msg) -> Result<(), TrySendError<Msg>> {
        self.try_send(m)
    }
}

/// Counters of one source, shared with the progress display.
#[derive(Debug, Default)]
pub struct SourceStats {
    /// Frames read.
    pub frames: AtomicU64,
    /// Captured bytes read.
    pub bytes: AtomicU64,
    /// Frames dropped because the engine queue was full (live sources only).
    pub queue_drops: AtomicU64,
    /// Frames the kernel dropped on the interface while weir captured (its
    /// `rx_dropped` counter; live sources only).
    pub kernel_drops: AtomicU64,
    /// Problems reported (damaged records, capture errors).
    pub problems: AtomicU64,
    /// File bytes consumed (capture files), for progress.
    pub file_pos: AtomicU64,
    /// Per worker socket, when a sharded live interface captures with kernel fan-out
    /// (`crate::fanout`); the fields above are then the totals.
    pub workers: std::sync::OnceLock<Vec<Arc<crate::fanout::WorkerCapture>>>,
}

/// A source to start.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    /// Capture files replayed in order; `speed` 0 = as fast as possible.
    Files {
        /// The files.
        paths: Vec<PathBuf>,
        /// Replay speed.
        speed: f64,
    },
    /// A capture held in memory (a generated one), under a name for messages.
    Memory {
        /// The name messages give.
        name: String,
        /// The pcap or pcapng bytes.
        bytes: Arc<[u8]>,
    },
    /// A live interface.
    Live(String),
}

impl SourceSpec {
    /// A short name for messages.
    pub fn name(&self) -> String {
        match self {
            SourceSpec::Files { paths, .. } => paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            SourceSpec::Memory { name, .. } => name.clone(),
            SourceSpec::Live(i) => format!("interface {i}"),
        }
    }

    /// The kind of source, for the engine's event mode.
    pub fn kind(&self) -> weir_flow::SourceKind {
        match self {
            SourceSpec::Live(_) => weir_flow::SourceKind::Live,
            SourceSpec::Files { .. } | SourceSpec::Memory { .. } => weir_flow::SourceKind::File,
        }
    }

    /// Checks the source can be opened, so that user errors surface before threads start.
    ///
    /// # Errors
    /// A missing or unreadable file, a directory, a file that is not a capture, or an
    /// unknown interface.
    pub fn check(&self) -> Result<()> {
        match self {
            SourceSpec::Files { paths, .. } => {
                for p in paths {
                    CaptureReader::open(p)?;
                }
                Ok(())
            }
            SourceSpec::Memory { name, bytes } => {
                CaptureReader::new(&bytes[..], name.as_str())?;
                Ok(())
            }
            SourceSpec::Live(name) => find_interface(name).map(|_| ()),
        }
    }
}

pub(crate) fn find_interface(name: &str) -> Result<pnet_datalink::NetworkInterface> {
    let all = pnet_datalink::interfaces();
    all.iter()
        .find(|i| i.name == name)
        .cloned()
        .with_context(|| {
            let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
            format!(
                "no interface named {name:?} (available: {})",
                names.join(", ")
            )
        })
}

/// Starts the thread of one source.
pub fn spawn<O: Outlet + 'static>(
    spec: SourceSpec,
    mut out: O,
    recycle: Receiver<Batch>,
    stats: Arc<SourceStats>,
    stop: Arc<AtomicBool>,
) -> Result<JoinHandle<()>> {
    let name = format!("source {}", spec.name());
    let handle = std::thread::Builder::new().name(name).spawn(move || {
        let ended = match &spec {
            SourceSpec::Files { paths, speed } => {
                let mut pacer = Pacer::new(*speed);
                let mut done = 0u64;
                paths.iter().try_for_each(|path| {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    let reader = CaptureReader::open(path)?;
                    replay(reader, &mut pacer, &mut out, &recycle, &stats, &stop, done)?;
                    done = stats.file_pos.load(Ordering::Relaxed);
                    Ok(())
                })
            }
            SourceSpec::Memory { name, bytes } => CaptureReader::new(&bytes[..], name.as_str())
                .map_err(anyhow::Error::from)
                .and_then(|reader| {
                    replay(
                        reader,
                        &mut Pacer::new(0.0),
                        &mut out,
                        &recycle,
                        &stats,
                        &stop,
                        0,
                    )
                }),
            SourceSpec::Live(iface) => live(iface, &mut out, &recycle, &stats, &stop),
        };
        if let Err(e) = ended {
            stats.problems.fetch_add(1, Ordering::Relaxed);
            let _ = out.put(Msg::Problem(format!("{}: {e:#}", spec.name())));
        }
        let _ = out.put(Msg::End);
    })?;
    Ok(handle)
}

fn fresh(recycle: &Receiver<Batch>) -> Batch {
    let mut b = recycle.try_recv().unwrap_or_default();
    b.clear();
    b
}

/// Paces a replay: frames are sent no earlier than their capture time, scaled by the
/// speed, after the first frame (0: as fast as possible).
#[derive(Debug)]
struct Pacer {
    speed: f64,
    started: Instant,
    first_ts: Option<Timestamp>,
}

impl Pacer {
    fn new(speed: f64) -> Pacer {
        Pacer {
            speed,
            started: Instant::now(),
            first_ts: None,
        }
    }

    /// How long to wait before sending a frame of time `ts`.
    fn wait(&mut self, ts: Timestamp) -> Option<Duration> {
        if self.speed <= 0.0 {
            return None;
        }
        let t0 = *self.first_ts.get_or_insert(ts);
        let due = Duration::from_secs_f64(ts.0.saturating_sub(t0.0) as f64 / 1e6 / self.speed);
        let now = self.started.elapsed();
        (due > now + Duration::from_millis(1)).then(|| due - now)
    }
}

/// Length on the wire of a captured frame: the recorded original length, never less than
/// what was captured (a damaged record may claim less). Every replay path counts bytes
/// with this rule.
pub fn wire_len(orig_len: u32, captured: usize) -> u32 {
    orig_len.max(u32::try_from(captured).unwrap_or(u32::MAX))
}

/// Sends the frames of one capture; `done_bytes` is what earlier files of the same
/// source consumed (for progress).
fn replay<R: std::io::Read>(
    mut reader: CaptureReader<R>,
    pacer: &mut Pacer,
    out: &mut impl Outlet,
    recycle: &Receiver<Batch>,
    stats: &SourceStats,
    stop: &AtomicBool,
    done_bytes: u64,
) -> Result<()> {
    let mut batch = fresh(recycle);
    while let Some(next) = reader.next_record() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let frame = match next {
            Ok(Record::Frame(f)) => f,
            Ok(Record::Stats(s)) => {
                if s.new_drops > 0 {
                    // After the frames read before the block.
                    if !batch.frames.is_empty() {
                        hand(out, stats, std::mem::replace(&mut batch, fresh(recycle)))?;
                    }
                    out.put(Msg::Drops(s.ts, s.new_drops))?;
                }
                continue;
            }
            Err(e) => {
                stats.problems.fetch_add(1, Ordering::Relaxed);
                out.put(Msg::Problem(e.to_string()))?;
                continue;
            }
        };
        if let Some(wait) = pacer.wait(frame.ts) {
            if !batch.frames.is_empty() {
                hand(out, stats, std::mem::replace(&mut batch, fresh(recycle)))?;
            }
            std::thread::sleep(wait);
        }
        let wire = wire_len(frame.orig_len, frame.data.len());
        batch.push(frame.ts, frame.linktype, wire, frame.data);
        if batch.frames.len() >= BATCH_FRAMES {
            stats
                .file_pos
                .store(done_bytes + reader.stats().bytes_read, Ordering::Relaxed);
            hand(out, stats, std::mem::replace(&mut batch, fresh(recycle)))?;
        }
    }
    if !batch.frames.is_empty() {
        hand(out, stats, batch)?;
    }
    stats
        .file_pos
        .store(done_bytes + reader.stats().bytes_read, Ordering::Relaxed);
    Ok(())
}

/// Sends a batch of a replay, counting its frames and bytes (once per batch, not per
/// frame: the counters are shared with the threads that report progress).
fn hand(out: &mut impl Outlet, stats: &SourceStats, batch: Batch) -> Result<()> {
    stats
        .frames
        .fetch_add(batch.frames.len() as u64, Ordering::Relaxed);
    stats
        .bytes
        .fetch_add(batch.bytes.len() as u64, Ordering::Relaxed);
    out.put(Msg::Frames(batch))?;
    Ok(())
}

pub(crate) fn wall_clock() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(d.as_secs(), d.subsec_nanos())
}

fn live(
    name: &str,
    out: &mut impl Outlet,
    recycle: &Receiver<Batch>,
    stats: &SourceStats,
    stop: &AtomicBool,
) -> Result<()> {
    let iface = find_interface(name)?;
    let cfg = pnet_datalink::Config {
        read_timeout: Some(Duration::from_millis(100)),
        promiscuous: true,
        ..Default::default()
    };
    let mut rx = match pnet_datalink::channel(&iface, cfg)
        .with_context(|| format!("opening {name} for capture"))?
    {
        pnet_datalink::Channel::Ethernet(_, rx) => rx,
        _ => bail!("{name}: not an Ethernet-framed interface"),
    };
    tracing::info!(interface = name, "capturing on {name}");
    let dropped_at_start = rx_dropped(name);
    let mut drops = DropReporter {
        kernel_start: dropped_at_start,
        reported: 0,
        polled: Instant::now(),
    };
    let mut batch = fresh(recycle);
    let mut batch_started = Instant::now();
    let send = |out: &mut dyn Outlet, batch: Batch, stats: &SourceStats| -> Result<()> {
        let n = batch.frames.len() as u64;
        match out.offer(Msg::Frames(batch)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                stats.queue_drops.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            Err(TrySendError::Disconnected(_)) => bail!("engine stopped"),
        }
    };
    while !stop.load(Ordering::Relaxed) {
        match rx.next() {
            Ok(data) => {
                stats.frames.fetch_add(1, Ordering::Relaxed);
                stats.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                if batch.frames.is_empty() {
                    batch_started = Instant::now();
                }
                batch.push(wall_clock(), LinkType::Ethernet, data.len() as u32, data);
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::WouldBlock =>
            {
                if batch.frames.is_empty() {
                    let _ = out.offer(Msg::Idle(wall_clock()));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).with_context(|| format!("capturing on {name}")),
        }
        let poll = drops.polled.elapsed() >= DROPS_POLL;
        if batch.frames.len() >= LIVE_BATCH_FRAMES
            || (!batch.frames.is_empty() && (poll || batch_started.elapsed() >= LIVE_FLUSH))
        {
            send(out, std::mem::replace(&mut batch, fresh(recycle)), stats)?;
        }
        if poll {
            drops.poll(name, stats, |n| {
                out.offer(Msg::Drops(wall_clock(), n)).is_ok()
            });
        }
    }
    if !batch.frames.is_empty() {
        send(out, batch, stats)?;
    }
    // The last report waits for room: the engine is still draining the queue.
    drops.poll(name, stats, |n| {
        out.put(Msg::Drops(wall_clock(), n)).is_ok()
    });
    Ok(())
}

/// Reports a live source's lost frames to the engine: the growth of the interface's
/// `rx_dropped` since the capture started plus the frames dropped because the engine
/// queue was full.
struct DropReporter {
    /// `rx_dropped` when the capture started (`None`: not readable).
    kernel_start: Option<u64>,
    /// Drops the engine was told about.
    reported: u64,
    /// Last poll.
    polled: Instant,
}

impl DropReporter {
    /// Updates the source's kernel-drop counter and sends what is new with `send`
    /// (which returns false when the message could not be queued: it is sent again,
    /// with what comes next, at the next poll).
    fn poll(&mut self, iface: &str, stats: &SourceStats, send: impl FnOnce(u64) -> bool) {
        self.polled = Instant::now();
        if let (Some(start), Some(now)) = (self.kernel_start, rx_dropped(iface)) {
            stats
                .kernel_drops
                .store(now.saturating_sub(start), Ordering::Relaxed);
        }
        let total =
            stats.kernel_drops.load(Ordering::Relaxed) + stats.queue_drops.load(Ordering::Relaxed);
        let new = total.saturating_sub(self.reported);
        if new > 0 && send(new) {
            self.reported = total;
        }
    }
}

/// The interface's `rx_dropped` counter (Linux sysfs), if readable.
fn rx_dropped(iface: &str) -> Option<u64> {
    let path = format!("/sys/class/net/{iface}/statistics/rx_dropped");
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_reports_carry_what_is_new_and_retry_what_was_refused() {
        let stats = SourceStats::default();
        // No readable rx_dropped for this name: only queue drops count.
        let mut r = DropReporter {
            kernel_start: None,
            reported: 0,
            polled: Instant::now(),
        };
        let mut sent = Vec::new();
        r.poll("weir-no-such-interface", &stats, |n| {
            sent.push(n);
            true
        });
        assert!(sent.is_empty(), "nothing lost, nothing sent");
        stats.queue_drops.fetch_add(256, Ordering::Relaxed);
        r.poll("weir-no-such-interface", &stats, |_| false); // queue full
        stats.queue_drops.fetch_add(10, Ordering::Relaxed);
        stats.kernel_drops.fetch_add(4, Ordering::Relaxed);
        r.poll("weir-no-such-interface", &stats, |n| {
            sent.push(n);
            true
        });
        r.poll("weir-no-such-interface", &stats, |n| {
            sent.push(n);
            true
        });
        assert_eq!(
            sent,
            [270],
            "the refused report comes with the next one, once"
        );
    }

    #[test]
    fn replayed_pcapng_statistics_become_drop_messages_after_their_frames() {
        fn block(f: &mut Vec<u8>, ty: u32, body: &[u8]) {
            let len = (body.len() + 12) as u32;
            f.extend(ty.to_le_bytes());
            f.extend(len.to_le_bytes());
            f.extend(body);
            f.extend(len.to_le_bytes());
        }
        let mut f = Vec::new();
        let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
        shb.extend([1, 0, 0, 0]);
        shb.extend(u64::MAX.to_le_bytes());
        block(&mut f, 0x0a0d_0d0a, &shb);
        block(&mut f, 1, &[1, 0, 0, 0, 0, 0, 0, 0]);
        let time = |s: u64| {
            let us = s * 1_000_000;
            let mut v = ((us >> 32) as u32).to_le_bytes().to_vec();
            v.extend((us as u32).to_le_bytes());
            v
        };
        for (s, drops) in [(10u64, None), (11, Some(0u64)), (12, None), (13, Some(9))] {
            let mut body = 0u32.to_le_bytes().to_vec();
            body.extend(time(s));
            match drops {
                None => {
                    body.extend(4u32.to_le_bytes());
                    body.extend(4u32.to_le_bytes());
                    body.extend(b"abcd");
                    block(&mut f, 6, &body);
                }
                Some(d) => {
                    body.extend(5u16.to_le_bytes());
                    body.extend(8u16.to_le_bytes());
                    body.extend(d.to_le_bytes());
                    body.extend([0, 0, 0, 0]);
                    block(&mut f, 5, &body);
                }
            }
        }
        let (mut tx, rx) = crossbeam_channel::unbounded();
        let (_recycle_tx, recycle_rx) = crossbeam_channel::unbounded();
        let stats = SourceStats::default();
        replay(
            CaptureReader::new(&f[..], "d.pcapng").unwrap(),
            &mut Pacer::new(0.0),
            &mut tx,
            &recycle_rx,
            &stats,
            &AtomicBool::new(false),
            0,
        )
        .unwrap();
        drop(tx);
        let got: Vec<String> = rx
            .iter()
            .map(|m| match m {
                Msg::Frames(b) => format!("frames {}", b.frames.len()),
                Msg::Drops(at, n) => format!("drops {n} at {}", at.as_secs()),
                other => format!("{other:?}"),
            })
            .collect();
        // The block without new drops sends nothing.
        assert_eq!(got, ["frames 2", "drops 9 at 13"]);
    }
}
