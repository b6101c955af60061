//! Worker shards: one interface over several cores (`[run] workers`, `--workers N`).
//!
//! ```text
//! source thread: reader ─batch─▶ Router ─worker k's picks of ─▶ worker k: EngineLoop
//!        ▲                        (flow, shard   the shared batch    (flow shard, DPI,
//!        │                         hash, clock)  + clock marks       flow scripts' VM)
//!        └──────── the batch back from the last worker done with it ──────┤ ShardTick
//!                                                                         ▼ at each tick
//!                                    coordinator: merged hosts/networks/interface,
//!                                    entity scripts' Lua VM, the run's summary
//! ```
//!
//! The source's thread routes its own batches ([`Router`] is its
//! [`crate::source::Outlet`]), while their bytes are still in its cache. The router
//! reads each frame's flow (a plain TCP or UDP frame with
//! [`weir_decode::plain_tuple`], without a full decode) and gives the frame to the worker
//! [`weir_flow::FlowKey::shard`] names (frames without an IP flow go to worker 0): the
//! source's batch is shared by the workers, each getting the positions of its frames
//! ([`crate::source::Share`]), and the last one done with it sends it back to the
//! source. It keeps the interface's packet clock: a frame's time is raised to the clock
//! (as the single engine does with an out-of-order frame), and when the clock crosses a
//! visit boundary it sends every worker the same clock mark before any later frame, so
//! every worker visits its flows and reaches its ticks at exactly the instants the
//! single engine would. A worker's engine is a shard engine
//! ([`weir_flow::EngineConfig::shard`]): at a tick it hands what its tables hold to the
//! coordinator, which waits for every worker's part of the instant (lock-step), merges
//! them ([`weir_flow::ShardMerger`]) and runs the host, network, interface and system
//! scripts once per entity on its own driver.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Result;
use crossbeam_channel::{Receiver, SendError, Sender, TrySendError};
use weir_decode::{LinkType, Timestamp};
use weir_flow::{Chain, Engine, EngineConfig, FlowKey, ShardMerger, ShardTick};

use crate::engine::{Driver, EngineLoop, EngineProgress, EngineThread, Part};
use crate::source::{BATCH_FRAMES, Batch, FrameMeta, Msg, Outlet, Pick, Share};
use crate::summary::Summary;
use crate::talkers::TopTalkers;

/// Batches queued to each worker.
const WORKER_QUEUE: usize = 16;
/// Tick instants queued from each worker to the coordinator.
const TICK_QUEUE: usize = 4;

/// Most workers the default picks (`[run] workers` may ask for more).
pub const DEFAULT_MAX_WORKERS: usize = 8;

/// The default number of workers: the cores left once one is kept for the capture
/// (the source's thread, which also routes) and the coordinator, at least 1 and at
/// most [`DEFAULT_MAX_WORKERS`]. On 2 cores that is 1, the single engine: two workers
/// there share the cores with the source and the coordinator and gain little or
/// nothing on the bench capture (docs/scaling.md).
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .clamp(1, DEFAULT_MAX_WORKERS)
}

/// Reports of drivers that ran as shards of one interface add up into one.
pub trait ShardReport: Sized {
    /// Adds the report of another shard of the same interface.
    fn absorb(&mut self, other: Self);
}

impl ShardReport for () {
    fn absorb(&mut self, _other: Self) {}
}

/// The packet clock of the interface as the single engine keeps it: the router
/// raises late frames to it and tells when a visit boundary is crossed.
#[derive(Debug)]
struct Clock {
    interval: u64,
    started: bool,
    now: u64,
    next_visit: u64,
}

impl Clock {
    fn new(visit_interval_secs: u64) -> Clock {
        Clock {
            interval: visit_interval_secs.max(1) * 1_000_000,
            started: false,
            now: 0,
            next_visit: 0,
        }
    }

    /// Moves the clock to `ts`; true when the engines must advance to `ts` now (the
    /// first frame, or a visit boundary crossed).
    fn advance(&mut self, ts: Timestamp) -> bool {
        if !self.started {
            self.started = true;
            self.now = ts.0;
            self.next_visit = (ts.0 / self.interval + 1) * self.interval;
            return true;
        }
        if ts.0 <= self.now {
            return false;
        }
        self.now = ts.0;
        if ts.0 < self.next_visit {
            return false;
        }
        self.next_visit = (ts.0 / self.interval + 1) * self.interval;
        true
    }
}

/// The frames of the batch being routed, picked per worker.
struct Outbox {
    /// The batch being routed (shared by the workers it has frames for).
    batch: Option<Arc<Batch>>,
    /// Each worker's frames of it so far.
    picks: Vec<Vec<Pick>>,
    txs: Vec<Sender<Msg>>,
    /// Where a batch goes back to its source when the router is the last to hold it.
    recycle: Sender<Batch>,
    /// A worker's queue is closed (the worker ended early).
    gone: bool,
    /// Room for a worker's picks of one batch: an even share of a full batch, and some.
    room: usize,
}

impl Outbox {
    /// Sends each worker its frames picked so far, sharing the batch.
    fn flush(&mut self) {
        let Some(batch) = &self.batch else { return };
        for (picks, tx) in self.picks.iter_mut().zip(&self.txs) {
            if !picks.is_empty() {
                let picks = std::mem::replace(picks, Vec::with_capacity(self.room));
                let share = Share {
                    batch: batch.clone(),
                    picks,
                };
                self.gone |= tx.send(Msg::Share(share)).is_err();
            }
        }
    }

    /// Sends `msg` to worker 0, after the frames before it.
    fn send_first(&mut self, msg: Msg) {
        self.flush();
        if let Some(tx) = self.txs.first() {
            self.gone |= tx.send(msg).is_err();
        }
    }

    /// Sends `msg` (made per worker) to every worker, after the frames before it.
    fn broadcast(&mut self, msg: impl Fn() -> Msg) {
        self.flush();
        for tx in &self.txs {
            self.gone |= tx.send(msg()).is_err();
        }
    }

    /// Done with the routed batch: back to the source if no worker holds it.
    fn release(&mut self) {
        if let Some(b) = self.batch.take().and_then(Arc::into_inner) {
            let _ = self.recycle.try_send(b);
        }
    }
}

/// How many frames ahead [`Router::route`] asks for frame headers.
const PREFETCH_FRAMES: usize = 8;

/// Asks the CPU to bring the cache line at `bytes[at]` in (a hint: nothing happens
/// when `at` is out of range or on other architectures).
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(b) = bytes.get(at) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 CPU has (it is in the
        // target's baseline); a prefetch only hints the cache, never reads into the
        // program nor faults, and the pointer comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(b).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, at);
}

/// The worker of a frame's flow: its shard hash ([`weir_flow::FlowKey::shard`], read
/// from the frame's tuple when it is a plain TCP or UDP frame, else from a full
/// decode), except DHCP (UDP 67/68, DHCPv6 546/547), whose flows all go to worker 0:
/// the built-in `unexpected_dhcp` script trusts the first DHCP server it sees on the
/// interface, state that must see every DHCP flow in one VM (docs/decisions.md,
/// "Worker shards"). Frames without an IP flow go to worker 0 too.
fn worker_of(linktype: LinkType, frame: &[u8], n: usize) -> usize {
    let dhcp = |proto: u8, x: u16, y: u16| {
        let port = |p: u16| matches!(p, 67 | 68 | 546 | 547);
        proto == 17 && (port(x) || port(y))
    };
    if let Some(t) = weir_decode::plain_tuple(linktype, frame) {
        return if dhcp(t.proto, t.sport, t.dport) {
            0
        } else {
            weir_flow::tuple_shard(&t, n)
        };
    }
    let Ok(p) = weir_decode::decode(linktype, frame) else {
        return 0;
    };
    match FlowKey::from_packet(&p) {
        Some((k, _, _)) if !dhcp(k.proto, k.a_port, k.b_port) => k.shard(n),
        _ => 0,
    }
}

/// The routing of a sharded interface's frames, in its source's thread: the
/// interface's packet clock and each worker's picks of a batch. Public for the
/// criterion bench `shard`, which measures its per-packet cost (the flow, the shard
/// hash, the clock, the hand-off of the shared batch).
pub struct Router {
    out: Outbox,
    clock: Clock,
}

impl Router {
    /// A router to the workers' queues `txs`, giving batches nobody holds any more
    /// back to their source through `recycle`; visit boundaries every
    /// `visit_interval_secs`.
    pub fn new(txs: Vec<Sender<Msg>>, recycle: Sender<Batch>, visit_interval_secs: u64) -> Router {
        let room = BATCH_FRAMES / txs.len().max(1) + BATCH_FRAMES / 8;
        Router {
            out: Outbox {
                batch: None,
                picks: (0..txs.len()).map(|_| Vec::with_capacity(room)).collect(),
                txs,
                recycle,
                gone: false,
                room,
            },
            clock: Clock::new(visit_interval_secs),
        }
    }

    /// Hands every frame of `batch` to its worker (after a clock mark to every worker
    /// when it crosses a visit boundary), sharing the batch: a worker gets the
    /// positions of its frames, not copies.
    pub fn route(&mut self, batch: Batch) {
        let n = self.out.txs.len();
        let batch = Arc::new(batch);
        self.out.batch = Some(batch.clone());
        let mut at = 0u32;
        // The headers of frames read early in a full batch have left the cache by the
        // time it is routed: ask for them a few frames ahead.
        let mut ahead = 0usize;
        let mut ahead_at = 0usize;
        for (i, f) in batch.frames.iter().enumerate() {
            while ahead <= i + PREFETCH_FRAMES {
                let Some(g) = batch.frames.get(ahead) else {
                    break;
                };
                prefetch(&batch.bytes, ahead_at);
                ahead_at += g.len as usize;
                ahead += 1;
            }
            let start = at;
            at = at.saturating_add(f.len);
            let data = batch.bytes.get(start as usize..at as usize).unwrap_or(&[]);
            let w = worker_of(f.linktype, data, n);
            if self.clock.advance(f.ts) {
                let now = Timestamp(self.clock.now);
                self.out.broadcast(|| Msg::Idle(now));
            }
            let meta = FrameMeta {
                ts: Timestamp(f.ts.0.max(self.clock.now)),
                ..*f
            };
            if let Some(p) = self.out.picks.get_mut(w) {
                p.push(Pick { meta, at: start });
            }
        }
        self.out.flush();
        drop(batch);
        self.out.release();
    }

    /// Handles one message of the source, in the source's thread: frames are routed,
    /// clock marks and drops passed on in packet-time order, problems given to worker
    /// 0 (whose summary carries them to the coordinator), and at the end the final
    /// clock mark and the end go to every worker. False once a worker is gone.
    fn handle(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Frames(batch) => self.route(batch),
            // Sources send whole batches; a share already belongs to one worker.
            Msg::Share(share) => self.out.send_first(Msg::Share(share)),
            Msg::Idle(at) => {
                self.clock.advance(at);
                let at = Timestamp(at.0.max(self.clock.now));
                self.out.broadcast(|| Msg::Idle(at));
            }
            Msg::Drops(at, drops) => {
                if self.clock.advance(at) {
                    let now = Timestamp(self.clock.now);
                    self.out.broadcast(|| Msg::Idle(now));
                }
                let at = Timestamp(at.0.max(self.clock.now));
                self.out.send_first(Msg::Drops(at, drops));
            }
            Msg::Problem(p) => self.out.send_first(Msg::Problem(p)),
            Msg::End => {
                // The final visit happens at the interface's clock, which the last
                // frames of one worker set: every worker's clock reaches it first.
                if self.clock.started {
                    let now = Timestamp(self.clock.now);
                    self.out.broadcast(|| Msg::Idle(now));
                }
                self.out.broadcast(|| Msg::End);
            }
        }
        !self.out.gone
    }
}

/// The router is the outlet of the source of a sharded interface: the source's
/// thread routes its own batches, while their bytes are still in its cache (no
/// dispatcher thread, no second hand-off).
impl Outlet for Router {
    fn put(&mut self, m: Msg) -> Result<(), SendError<Msg>> {
        if self.handle(m) {
            Ok(())
        } else {
            Err(SendError(Msg::End))
        }
    }

    fn offer(&mut self, m: Msg) -> Result<(), TrySendError<Msg>> {
        if self.handle(m) {
            Ok(())
        } else {
            Err(TrySendError::Disconnected(Msg::End))
        }
    }
}

/// Starts one interface as `workers` shards fed by its source's thread: the worker
/// threads (each with a driver from `make_driver(Part::Worker(k))`, running flow
/// scripts only) and the coordinator (`make_driver(Part::Coordinator)`, running the
/// entity scripts; its report is every driver's report added up). Returns the
/// coordinator's thread, the [`Router`] the source sends its messages to (its
/// [`Outlet`]; batches come back through `recycle`), and worker 0's queue (for the
/// snapshot's queue gauge).
///
/// # Errors
/// A thread cannot start.
pub fn spawn<D, F>(
    cfg: EngineConfig,
    workers: usize,
    interface: String,
    recycle: Sender<Batch>,
    progress: Arc<EngineProgress>,
    make_driver: F,
) -> Result<(EngineThread<D::Report>, Router, Receiver<Msg>)>
where
    D: Driver,
    D::Report: Send + ShardReport + 'static,
    F: Fn(Part) -> Result<D> + Send + Sync + 'static,
{
    let n = workers.max(1);
    let mut txs = Vec::new();
    let mut inputs = Vec::new();
    for _ in 0..n {
        let (tx, wrx) = crossbeam_channel::bounded::<Msg>(WORKER_QUEUE);
        txs.push(tx);
        // Shared batches go back to the source from whichever worker is done last.
        inputs.push((wrx, recycle.clone()));
    }
    let queue = inputs.first().map(|(rx, _)| rx.clone());
    let router = Router::new(txs, recycle, cfg.visit_interval_secs);
    let coordinator = start(cfg, interface, inputs, progress, make_driver)?;
    let queue = queue.unwrap_or_else(crossbeam_channel::never);
    Ok((coordinator, router, queue))
}

/// Starts one live interface as shards fed by the kernel's fan-out
/// (`crate::fanout`): worker `k` reads `inputs[k]` (its own socket's frames, idle
/// marks and drops) and recycles its batches into `recycle[k]`; no router. The
/// coordinator, whose thread is returned, is as in [`spawn`].
///
/// # Errors
/// A thread cannot start.
pub fn spawn_fanout<D, F>(
    cfg: EngineConfig,
    interface: String,
    inputs: Vec<Receiver<Msg>>,
    recycle: Vec<Sender<Batch>>,
    progress: Arc<EngineProgress>,
    make_driver: F,
) -> Result<EngineThread<D::Report>>
where
    D: Driver,
    D::Report: Send + ShardReport + 'static,
    F: Fn(Part) -> Result<D> + Send + Sync + 'static,
{
    let inputs = inputs.into_iter().zip(recycle).collect();
    start(cfg, interface, inputs, progress, make_driver)
}

/// The worker threads (worker `k` reading `inputs[k].0`) and the coordinator, which
/// joins every worker at the end.
fn start<D, F>(
    cfg: EngineConfig,
    interface: String,
    inputs: Vec<(Receiver<Msg>, Sender<Batch>)>,
    progress: Arc<EngineProgress>,
    make_driver: F,
) -> Result<EngineThread<D::Report>>
where
    D: Driver,
    D::Report: Send + ShardReport + 'static,
    F: Fn(Part) -> Result<D> + Send + Sync + 'static,
{
    let n = inputs.len().max(1);
    let make_driver = Arc::new(make_driver);
    let mut tick_rxs = Vec::new();
    let mut handles = Vec::new();
    let mut wprogress = Vec::new();
    for (w, (wrx, pool)) in inputs.into_iter().enumerate() {
        let (tick_tx, tick_rx) = crossbeam_channel::bounded::<(ShardTick, u64)>(TICK_QUEUE);
        let wp = Arc::new(EngineProgress::default());
        let wcfg = EngineConfig {
            shard: true,
            flow_ids: (w as u64 + 1, n as u64),
            // Each shard holds its share of the flow and host tables.
            max_flows: (cfg.max_flows / n).max(1),
            max_hosts: (cfg.max_hosts / n).max(1),
            lookups: cfg.lookups.clone(),
            local_networks: cfg.local_networks.clone(),
            ..cfg.clone()
        };
        let make = make_driver.clone();
        let (name, wp2) = (interface.clone(), wp.clone());
        let h = std::thread::Builder::new()
            .name(format!("worker-{w}"))
            .spawn(move || -> Result<(Summary, D::Report, TopTalkers)> {
                let mut lp = EngineLoop::new(wcfg, make(Part::Worker(w))?, wp2)
                    .recycle_into(pool)
                    .shard_ticks_into(tick_tx)
                    .problems_in_summary_only();
                lp.drain(&wrx, 1);
                Ok(lp.finish_with_talkers(name))
            })?;
        tick_rxs.push(tick_rx);
        handles.push(h);
        wprogress.push(wp);
    }
    let _ = progress.workers.set(wprogress);
    let coordinator = std::thread::Builder::new()
        .name("coordinator".into())
        .spawn(move || -> Result<(Summary, D::Report)> {
            let driver = make_driver(Part::Coordinator)?;
            let coord_cfg = EngineConfig {
                shard: false,
                ..cfg
            };
            let (engine, driver, mut talkers) = coordinate(coord_cfg, driver, tick_rxs, &progress);
            let mut problems = Vec::new();
            let mut summaries = Vec::new();
            let mut reports = Vec::new();
            for h in handles {
                let (s, r, t) = h
                    .join()
                    .map_err(|_| anyhow::anyhow!("a worker thread panicked"))??;
                talkers.merge(t);
                // The source's problems reach the workers (worker 0 behind a router).
                problems.extend(s.source_problems.iter().cloned());
                summaries.push(s);
                reports.push(r);
            }
            for p in &problems {
                tracing::warn!("{p}");
            }
            let mut summary = Summary::new(
                interface,
                &engine,
                &talkers,
                weir_decode::DecodeSummary::default(),
                problems,
            );
            summary.absorb_shards(summaries.iter());
            let mut report = driver.finish(&engine);
            for r in reports {
                report.absorb(r);
            }
            Ok((summary, report))
        })?;
    Ok(coordinator)
}

/// The coordinator's loop: one tick instant from every worker, merged, the entity
/// hooks run once; until the workers are done. The merged hosts leaving the table
/// are noted in the returned [`TopTalkers`] (its `retired`), to which the caller adds
/// the workers' counters.
fn coordinate<D: Driver>(
    cfg: EngineConfig,
    mut driver: D,
    ticks: Vec<Receiver<(ShardTick, u64)>>,
    progress: &EngineProgress,
) -> (Engine, D, TopTalkers) {
    let mut engine = Engine::new(cfg);
    let mut talkers = TopTalkers::new(1);
    let mut merger = ShardMerger::new();
    let mut publisher = progress
        .snapshots
        .clone()
        .map(crate::snapshot::Publisher::new);
    'run: loop {
        let mut parts = Vec::with_capacity(ticks.len());
        let mut triggered = 0;
        for rx in &ticks {
            match rx.recv() {
                Ok((t, n)) => {
                    parts.push(t);
                    triggered += n;
                }
                Err(_) => break 'run,
            }
        }
        driver.workers_triggered(triggered);
        let Some(first) = parts.first() else {
            break;
        };
        let (now, due, force) = (first.now, first.ticks.clone(), first.force);
        let merged = merger.merge(&mut parts);
        let purged = engine.run_shard_ticks(
            now,
            &due,
            force,
            merged,
            &mut Chain::new(&mut talkers, &mut driver),
        );
        merger.after_purge(&mut parts, &purged);
        progress
            .hosts
            .store(engine.hosts().len() as u64, Ordering::Relaxed);
        if progress.reload.swap(false, Ordering::Relaxed) {
            // `EngineProgress::request_reload` flags the workers too; the coordinator
            // reloads its own driver here.
            if let Err(e) = driver.reload() {
                tracing::warn!("reload failed, previous plugins keep running: {e:#}");
            }
        }
        driver.after_batch(&engine);
        // Requests other threads sent every engine (syslog flow statuses): the
        // coordinator holds no flow, its answer is "not here".
        driver.serve(&mut engine);
        if let Some(p) = &mut publisher {
            if force {
                // Every host of the run, as a single engine's last snapshot lists
                // them: the merged table's and those that left it.
                p.before_final_visit(&engine, &talkers);
                p.publish_final(&engine);
            } else {
                p.maybe_publish(&engine);
            }
        }
    }
    (engine, driver, talkers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_marks_the_first_frame_and_each_visit_boundary() {
        let s = |x: u64| Timestamp(x * 1_000_000);
        let mut c = Clock::new(5);
        assert!(c.advance(s(101)));
        assert!(!c.advance(s(104)));
        assert!(!c.advance(s(103)), "late frames never move the clock");
        assert_eq!(c.now, 104_000_000);
        assert!(c.advance(s(105)));
        assert!(!c.advance(s(109)));
        assert!(c.advance(s(200)));
        assert!(default_workers() >= 1);
    }

    /// Full batches of UDP frames of many flows, one frame per 10 ms from second 100.
    fn batches(count: usize) -> Vec<Batch> {
        use weir_gen::frame::{self, FrameSpec, IpSpec, L4Spec};
        (0..count)
            .map(|b| {
                let mut batch = Batch::default();
                for i in 0..BATCH_FRAMES {
                    let n = (b * BATCH_FRAMES + i) as u32;
                    let spec = FrameSpec {
                        src_mac: [2, 0, 0, 0, 0, 1],
                        dst_mac: [2, 0, 0, 0, 0, 2],
                        vlans: vec![],
                        ip: IpSpec::V4 {
                            src: std::net::Ipv4Addr::from(0x0a00_0000 + n % 97),
                            dst: std::net::Ipv4Addr::new(192, 0, 2, 1),
                            ttl: 64,
                            id: 1,
                            dont_fragment: true,
                        },
                        l4: L4Spec::Udp {
                            src_port: 40000,
                            dst_port: 53,
                        },
                        payload: n.to_be_bytes().to_vec(),
                    };
                    let f = frame::build(&spec);
                    let ts = Timestamp(100_000_000 + u64::from(n) * 10_000);
                    batch.push(ts, LinkType::Ethernet, f.len() as u32, &f);
                }
                batch
            })
            .collect()
    }

    #[test]
    fn workers_get_every_frame_once_in_order_around_the_clock_marks_and_batches_come_back() {
        let input = batches(6);
        let frames: Vec<Vec<u8>> = input
            .iter()
            .flat_map(|b| b.iter().map(|(_, d)| d.to_vec()).collect::<Vec<_>>())
            .collect();
        let (recycle_tx, recycle_rx) = crossbeam_channel::unbounded();
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..2).map(|_| crossbeam_channel::unbounded()).unzip();
        let mut r = Router::new(txs, recycle_tx, 5);
        for b in input {
            assert!(r.handle(Msg::Frames(b)));
        }
        assert!(r.handle(Msg::End));
        drop(r);
        let mut seen = Vec::new();
        let (mut marks, mut returned) = (0, 0);
        for rx in &rxs {
            let (mut last_ts, mut clock, mut mine) = (0, 0, 0);
            for m in rx.try_iter() {
                match m {
                    Msg::Share(share) => {
                        for (f, data) in share.iter() {
                            assert!(f.ts.0 >= last_ts, "frames in capture order");
                            assert!(f.ts.0 >= clock, "no frame before a mark it follows");
                            last_ts = f.ts.0;
                            seen.push(data.to_vec());
                            mine += 1;
                        }
                        returned += usize::from(Arc::into_inner(share.batch).is_some());
                    }
                    Msg::Idle(at) => {
                        assert!(at.0 >= last_ts, "a mark after the frames before it");
                        clock = at.0;
                        marks += 1;
                    }
                    Msg::End => {}
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert!(mine > 0, "both workers get flows");
        }
        // 6144 frames over 61 s: the first frame, 12 visit boundaries and the end, to
        // each of the 2 workers.
        assert_eq!(marks, 2 * 14);
        seen.sort();
        let mut want = frames;
        want.sort();
        assert_eq!(seen, want, "every frame once");
        // Each batch back once: from the router or from the last worker done with it.
        assert_eq!(returned + recycle_rx.try_iter().count(), 6);
    }
}
