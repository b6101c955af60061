//! Worker shards: one interface over several cores (`[run] workers`, `--workers N`).
//!
//! ```text
//! source ─batches─▶ dispatcher ─frames of worker k─▶ worker k: EngineLoop (flow shard,
//!                   (decode, shard   + clock marks      DPI, flow scripts' Lua VM)
//!                    hash, clock)                          │ ShardTick at each tick
//!                                                          ▼
//!                                    coordinator: merged hosts/networks/interface,
//!                                    entity scripts' Lua VM, the run's summary
//! ```
//!
//! The dispatcher decodes each frame to find its flow key and sends the frame to the
//! worker [`weir_flow::FlowKey::shard`] names (frames without an IP flow go to worker
//! 0). It keeps the interface's packet clock: a frame's time is raised to the clock
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
use crossbeam_channel::{Receiver, Sender};
use weir_decode::{Timestamp, decode};
use weir_flow::{Chain, Engine, EngineConfig, FlowKey, ShardMerger, ShardTick};

use crate::engine::{Driver, EngineLoop, EngineProgress, EngineThread, Part};
use crate::source::{Batch, FrameMeta, Msg};
use crate::summary::Summary;
use crate::talkers::TopTalkers;

/// Batches queued to each worker.
const WORKER_QUEUE: usize = 16;
/// Tick instants queued from each worker to the coordinator.
const TICK_QUEUE: usize = 4;

/// Most workers the default picks (`[run] workers` may ask for more).
pub const DEFAULT_MAX_WORKERS: usize = 8;

/// The default number of workers: the cores left once one is kept for the capture
/// (reader and dispatcher threads) and the coordinator, at least 1 and at most
/// [`DEFAULT_MAX_WORKERS`]. On 2 cores that is 1, the single engine: two workers there
/// share the cores with the reader and the dispatcher and took 1.4× the wall time of
/// one on the bench capture (docs/scaling.md).
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

/// The packet clock of the interface as the single engine keeps it: the dispatcher
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

/// Per-worker batches being filled by the dispatcher.
struct Outbox {
    batches: Vec<Batch>,
    txs: Vec<Sender<Msg>>,
    pool: Receiver<Batch>,
}

impl Outbox {
    fn fresh(&self) -> Batch {
        let mut b = self.pool.try_recv().unwrap_or_default();
        b.clear();
        b
    }

    fn push(&mut self, w: usize, meta: FrameMeta, data: &[u8]) {
        if let Some(b) = self.batches.get_mut(w) {
            b.frames.push(meta);
            b.bytes.extend_from_slice(data);
        }
    }

    /// Sends every non-empty batch.
    fn flush(&mut self) {
        for w in 0..self.txs.len() {
            let full = self.batches.get(w).is_some_and(|b| !b.frames.is_empty());
            if full {
                let fresh = self.fresh();
                if let (Some(b), Some(tx)) = (self.batches.get_mut(w), self.txs.get(w)) {
                    let b = std::mem::replace(b, fresh);
                    let _ = tx.send(Msg::Frames(b));
                }
            }
        }
    }

    /// Sends `msg` (made per worker) to every worker, after the frames before it.
    fn broadcast(&mut self, msg: impl Fn() -> Msg) {
        self.flush();
        for tx in &self.txs {
            let _ = tx.send(msg());
        }
    }
}

/// The worker of a flow: its shard hash, except DHCP (UDP 67/68, DHCPv6 546/547),
/// whose flows all go to worker 0: the built-in `unexpected_dhcp` script trusts the
/// first DHCP server it sees on the interface, state that must see every DHCP flow
/// in one VM (docs/decisions.md, "Worker shards").
fn worker_of(k: &FlowKey, n: usize) -> usize {
    let dhcp = |p: u16| matches!(p, 67 | 68 | 546 | 547);
    if k.proto == 17 && (dhcp(k.a_port) || dhcp(k.b_port)) {
        return 0;
    }
    k.shard(n)
}

/// The dispatcher's work on the frames: the interface's packet clock and the
/// per-worker batches. Public for the criterion bench `shard`, which measures exactly
/// this per-packet cost (decode for the flow key, shard hash, copy, hand-off).
pub struct Router {
    out: Outbox,
    clock: Clock,
}

impl Router {
    /// A router to the workers' queues `txs`, taking empty batches from `pool` (where
    /// the workers send theirs back); visit boundaries every `visit_interval_secs`.
    pub fn new(txs: Vec<Sender<Msg>>, pool: Receiver<Batch>, visit_interval_secs: u64) -> Router {
        Router {
            out: Outbox {
                batches: (0..txs.len()).map(|_| Batch::default()).collect(),
                txs,
                pool,
            },
            clock: Clock::new(visit_interval_secs),
        }
    }

    /// Hands every frame of `batch` to its worker (after a clock mark to every worker
    /// when it crosses a visit boundary), then sends the workers' batches.
    pub fn route(&mut self, batch: &Batch) {
        let n = self.out.txs.len();
        for (f, data) in batch.iter() {
            let w = match decode(f.linktype, data) {
                Ok(pkt) => FlowKey::from_packet(&pkt).map_or(0, |(k, _, _)| worker_of(&k, n)),
                Err(_) => 0,
            };
            if self.clock.advance(f.ts) {
                let at = Timestamp(self.clock.now);
                self.out.broadcast(|| Msg::Idle(at));
            }
            let meta = FrameMeta {
                ts: Timestamp(f.ts.0.max(self.clock.now)),
                ..*f
            };
            self.out.push(w, meta, data);
        }
        self.out.flush();
    }
}

/// The dispatcher: decodes each frame for its flow key and hands it to its worker.
fn dispatch(rx: Receiver<Msg>, mut r: Router, problems: Sender<String>, recycle: Sender<Batch>) {
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Frames(batch) => {
                r.route(&batch);
                let _ = recycle.try_send(batch);
            }
            Msg::Idle(at) => {
                r.clock.advance(at);
                let at = Timestamp(at.0.max(r.clock.now));
                r.out.broadcast(|| Msg::Idle(at));
            }
            Msg::Drops(at, drops) => {
                if r.clock.advance(at) {
                    let now = Timestamp(r.clock.now);
                    r.out.broadcast(|| Msg::Idle(now));
                }
                r.out.flush();
                let at = Timestamp(at.0.max(r.clock.now));
                if let Some(tx) = r.out.txs.first() {
                    let _ = tx.send(Msg::Drops(at, drops));
                }
            }
            Msg::Problem(p) => {
                let _ = problems.send(p);
            }
            Msg::End => break,
        }
    }
    // The final visit happens at the interface's clock, which the last frames of
    // one worker set: every worker's clock reaches it first.
    if r.clock.started {
        let now = Timestamp(r.clock.now);
        r.out.broadcast(|| Msg::Idle(now));
    }
    r.out.broadcast(|| Msg::End);
}

/// Starts one interface as `workers` shards: a dispatcher thread, the worker threads
/// (each with a driver from `make_driver(Part::Worker(k))`, running flow scripts
/// only) and the coordinator (`make_driver(Part::Coordinator)`), whose thread is
/// returned (its driver runs the entity scripts; its report is every driver's report
/// added up).
///
/// # Errors
/// A thread cannot start.
pub fn spawn<D, F>(
    cfg: EngineConfig,
    workers: usize,
    interface: String,
    rx: Receiver<Msg>,
    recycle: Sender<Batch>,
    progress: Arc<EngineProgress>,
    make_driver: F,
) -> Result<EngineThread<D::Report>>
where
    D: Driver,
    D::Report: Send + ShardReport + 'static,
    F: Fn(Part) -> Result<D> + Send + Sync + 'static,
{
    let n = workers.max(1);
    let (pool_tx, pool_rx) = crossbeam_channel::bounded(n * WORKER_QUEUE * 2);
    let (problem_tx, problem_rx) = crossbeam_channel::unbounded();
    let mut txs = Vec::new();
    let mut inputs = Vec::new();
    for _ in 0..n {
        let (tx, wrx) = crossbeam_channel::bounded::<Msg>(WORKER_QUEUE);
        txs.push(tx);
        inputs.push((wrx, pool_tx.clone()));
    }
    let router = Router::new(txs, pool_rx, cfg.visit_interval_secs);
    let dispatcher = std::thread::Builder::new()
        .name("dispatch".into())
        .spawn(move || dispatch(rx, router, problem_tx, recycle))?;
    start(
        cfg,
        interface,
        inputs,
        progress,
        make_driver,
        Some((dispatcher, problem_rx)),
    )
}

/// Starts one live interface as shards fed by the kernel's fan-out
/// (`crate::fanout`): worker `k` reads `inputs[k]` (its own socket's frames, idle
/// marks and drops) and recycles its batches into `recycle[k]`; no dispatcher. The
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
    start(cfg, interface, inputs, progress, make_driver, None)
}

/// The worker threads (worker `k` reading `inputs[k].0`) and the coordinator, which
/// joins the dispatcher (when there is one) and every worker at the end.
fn start<D, F>(
    cfg: EngineConfig,
    interface: String,
    inputs: Vec<(Receiver<Msg>, Sender<Batch>)>,
    progress: Arc<EngineProgress>,
    make_driver: F,
    dispatcher: Option<(std::thread::JoinHandle<()>, Receiver<String>)>,
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
        let (tick_tx, tick_rx) = crossbeam_channel::bounded::<ShardTick>(TICK_QUEUE);
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
            if let Some((d, problem_rx)) = dispatcher {
                let _ = d.join();
                problems.extend(problem_rx.try_iter());
            }
            let mut summaries = Vec::new();
            let mut reports = Vec::new();
            for h in handles {
                let (s, r, t) = h
                    .join()
                    .map_err(|_| anyhow::anyhow!("a worker thread panicked"))??;
                talkers.merge(t);
                // A fan-out's workers got their sources' problems themselves.
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
    ticks: Vec<Receiver<ShardTick>>,
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
        for rx in &ticks {
            match rx.recv() {
                Ok(t) => parts.push(t),
                Err(_) => break 'run,
            }
        }
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
}
