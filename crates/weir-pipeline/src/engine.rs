//! The engine thread: owns the flow engine and the event consumer of one interface,
//! decodes every frame the sources send, and runs the final visit at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use anyhow::Result;
use crossbeam_channel::{Receiver, Sender};
use weir_decode::{DecodeSummary, decode};
use weir_flow::{Chain, Consumer, Engine, EngineConfig};

use crate::source::{Batch, FrameMeta, Msg};
use crate::summary::Summary;
use crate::talkers::TopTalkers;

/// Hosts tracked for the top-talkers list (Space-Saving counters).
const TALKER_COUNTERS: usize = 4096;

/// Which part of an interface a driver serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The single engine thread of an interface: every hook.
    Whole,
    /// Worker shard `k` of a sharded interface (`crate::shards`): flow hooks only.
    Worker(usize),
    /// The coordinator of a sharded interface: the host, network, interface and
    /// system hooks.
    Coordinator,
}

impl Part {
    /// Whether this part speaks for the interface while starting: logs what it
    /// loads and lets scripts' top-level output through. A worker shard loads the
    /// same plugins as the coordinator, silently, so that a user sees one message per
    /// load whatever the number of workers.
    pub fn speaks(self) -> bool {
        !matches!(self, Part::Worker(_))
    }

    /// A number for the part, unique within the interface (0: the whole engine or
    /// the coordinator, `k + 1`: worker `k`).
    pub fn index(self) -> usize {
        match self {
            Part::Whole | Part::Coordinator => 0,
            Part::Worker(k) => k + 1,
        }
    }
}

/// The consumer of flow events, built on the engine thread (a Lua VM is not `Send`).
pub trait Driver: Consumer {
    /// What the driver reports when the run ends.
    type Report;
    /// Called after each batch of frames (flush pending work, publish snapshots).
    fn after_batch(&mut self, _engine: &Engine) {}
    /// Applies what other threads asked of this interface's flows (flow statuses from
    /// syslog scripts); called after each batch and each idle tick.
    fn serve(&mut self, _engine: &mut Engine) {}
    /// Called once every source has ended, before the final visit: a driver that
    /// serves other threads keeps the flows (and serves) until they are done.
    fn hold(&mut self, _engine: &mut Engine) {}
    /// Reload plugins and configuration (SIGHUP); `Err` leaves the old state running.
    fn reload(&mut self) -> Result<()> {
        Ok(())
    }
    /// Called once after the final visit.
    fn finish(self, engine: &Engine) -> Self::Report;
    /// A worker shard's driver: how many alerts its scripts triggered so far (engaged,
    /// stored or raised on flows), sent to the coordinator with each tick instant.
    fn alerts_triggered(&self) -> u64 {
        0
    }
    /// The coordinator's driver: how many alerts the workers' scripts triggered up to
    /// the tick instant about to run, added to its own in the interface's counters.
    fn workers_triggered(&mut self, _alerts: u64) {}
}

/// Counters the engine thread shares with the progress display.
#[derive(Debug, Default)]
pub struct EngineProgress {
    /// Frames processed.
    pub frames: AtomicU64,
    /// Flows in the table.
    pub flows: AtomicU64,
    /// Hosts in the table.
    pub hosts: AtomicU64,
    /// Set by SIGHUP: the engine thread reloads its driver at the next batch.
    pub reload: AtomicBool,
    /// Where snapshots for the web server go, when one runs.
    pub snapshots: Option<Arc<crate::snapshot::SnapshotCell>>,
    /// The workers' own counters, when the interface runs as worker shards
    /// (`crate::shards`): frames and flows are theirs, added up.
    pub workers: std::sync::OnceLock<Vec<Arc<EngineProgress>>>,
}

impl EngineProgress {
    /// Frames processed by the interface (by all its workers).
    pub fn frames_total(&self) -> u64 {
        self.sum(&self.frames, |w| &w.frames)
    }

    /// Flows in the interface's table (all its workers').
    pub fn flows_total(&self) -> u64 {
        self.sum(&self.flows, |w| &w.flows)
    }

    /// Hosts in the interface's table: a sharded interface's merged table at its
    /// last tick, or the most any worker holds before the first tick.
    pub fn hosts_total(&self) -> u64 {
        let merged = self.hosts.load(Ordering::Relaxed);
        let most = self.workers.get().map_or(0, |w| {
            w.iter()
                .map(|p| p.hosts.load(Ordering::Relaxed))
                .max()
                .unwrap_or(0)
        });
        merged.max(most)
    }

    /// Asks the interface's engine (each worker and the coordinator of a sharded one)
    /// to reload its driver.
    pub fn request_reload(&self) {
        self.reload.store(true, Ordering::Relaxed);
        for w in self.workers.get().into_iter().flatten() {
            w.reload.store(true, Ordering::Relaxed);
        }
    }

    fn sum(&self, own: &AtomicU64, of: impl Fn(&EngineProgress) -> &AtomicU64) -> u64 {
        match self.workers.get() {
            Some(w) => w.iter().map(|p| of(p).load(Ordering::Relaxed)).sum(),
            None => own.load(Ordering::Relaxed),
        }
    }
}

/// The engine thread: it returns the run summary and the driver's report.
pub type EngineThread<R> = JoinHandle<Result<(Summary, R)>>;

/// One interface's engine with its driver: decodes the frames sources send, feeds the
/// flow engine and passes its events down the consumer chain. Every replay path of weir
/// (the monitor's engine threads, `weir flows`, `weir hosts`, `weir plugins test`) runs
/// its frames through this one loop.
pub struct EngineLoop<D: Driver> {
    engine: Engine,
    driver: D,
    talkers: TopTalkers,
    decoded: DecodeSummary,
    problems: Vec<String>,
    progress: Arc<EngineProgress>,
    publisher: Option<crate::snapshot::Publisher>,
    recycle: Option<Sender<Batch>>,
    /// Log source problems as they arrive (a monitor); off when the caller reports
    /// them from the summary at the end (a replay command).
    log_problems: bool,
    /// When the block-list files were last looked at (wall clock).
    lists_checked: std::time::Instant,
    /// A worker shard: where its tick instants go (`crate::shards`).
    shard_out: Option<Sender<(weir_flow::ShardTick, u64)>>,
}

impl<D: Driver> EngineLoop<D> {
    /// A fresh engine with its driver.
    pub fn new(cfg: EngineConfig, driver: D, progress: Arc<EngineProgress>) -> EngineLoop<D> {
        let publisher = progress
            .snapshots
            .clone()
            .map(crate::snapshot::Publisher::new);
        let mut engine = Engine::new(cfg);
        let mut driver = driver;
        // What the driver queued while starting (catalogue entries of plugin setup
        // functions) reaches the engine before the first packet.
        driver.serve(&mut engine);
        EngineLoop {
            engine,
            driver,
            talkers: TopTalkers::new(TALKER_COUNTERS),
            decoded: DecodeSummary::default(),
            problems: Vec::new(),
            progress,
            publisher,
            recycle: None,
            log_problems: true,
            lists_checked: std::time::Instant::now(),
            shard_out: None,
        }
    }

    /// A worker shard: the tick instants its engine queues go to `out` (the
    /// coordinator of `crate::shards`), each with the alerts its driver triggered
    /// up to the instant ([`Driver::alerts_triggered`]).
    pub fn shard_ticks_into(mut self, out: Sender<(weir_flow::ShardTick, u64)>) -> EngineLoop<D> {
        self.shard_out = Some(out);
        self
    }

    /// Sends the queued tick instants of a worker shard to its coordinator.
    fn send_shard_ticks(&mut self) {
        if let Some(out) = &self.shard_out {
            let ticks = self.engine.take_shard_ticks();
            if ticks.is_empty() {
                return;
            }
            // Behind a router a tick instant is reached on its clock mark, before any
            // later frame: the driver's count is the count at the instant (a live
            // fan-out worker's may include the rest of the batch).
            let triggered = self.driver.alerts_triggered();
            for t in ticks {
                // The coordinator gone means the run is ending: nothing to report to.
                let _ = out.send((t, triggered));
            }
        }
    }

    /// Keeps source problems for the summary only, without logging each as it arrives.
    pub fn problems_in_summary_only(mut self) -> EngineLoop<D> {
        self.log_problems = false;
        self
    }

    /// Sends emptied batches back to the source for reuse.
    pub fn recycle_into(mut self, recycle: Sender<Batch>) -> EngineLoop<D> {
        self.recycle = Some(recycle);
        self
    }

    /// The flow engine (read-only between messages).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The driver.
    pub fn driver_mut(&mut self) -> &mut D {
        &mut self.driver
    }

    /// The engine and the consumer chain its events go down: the summary's top talkers,
    /// then the driver.
    fn tap(&mut self) -> (&mut Engine, Chain<&mut TopTalkers, &mut D>) {
        (
            &mut self.engine,
            Chain::new(&mut self.talkers, &mut self.driver),
        )
    }

    /// Handles one message of a source; returns false at [`Msg::End`].
    pub fn handle(&mut self, msg: Msg) -> bool {
        let open = match msg {
            Msg::Frames(batch) => {
                self.frames(batch.iter());
                if let Some(r) = &self.recycle {
                    let _ = r.try_send(batch);
                }
                true
            }
            Msg::Share(share) => {
                self.frames(share.iter());
                // The last worker done with a shared batch gives it back to the source.
                if let (Some(r), Some(batch)) = (&self.recycle, Arc::into_inner(share.batch)) {
                    let _ = r.try_send(batch);
                }
                true
            }
            Msg::Idle(now) => {
                let (engine, mut tap) = self.tap();
                engine.advance(now, &mut tap);
                self.driver.serve(&mut self.engine);
                self.refresh_lists();
                true
            }
            Msg::Drops(at, n) => {
                let (engine, mut tap) = self.tap();
                engine.capture_drops(at, n, &mut tap);
                true
            }
            Msg::Problem(p) => {
                if self.log_problems {
                    tracing::warn!("{p}");
                }
                self.problems.push(p);
                true
            }
            Msg::End => false,
        };
        self.send_shard_ticks();
        if self.progress.reload.swap(false, Ordering::Relaxed) {
            match self.driver.reload() {
                Ok(()) => tracing::info!("plugins reloaded"),
                Err(e) => tracing::warn!("reload failed, previous plugins keep running: {e:#}"),
            }
        }
        open
    }

    fn frames<'b>(&mut self, frames: impl Iterator<Item = (&'b FrameMeta, &'b [u8])>) {
        let mut n = 0u64;
        for (f, data) in frames {
            n += 1;
            let result = decode(f.linktype, data);
            self.decoded.add(f.linktype, data.len(), &result);
            let (engine, mut tap) = self.tap();
            match &result {
                Ok(pkt) => engine.process(f.ts, f.wire_len, pkt, &mut tap),
                Err(_) => engine.undecodable(f.ts, f.wire_len, &mut tap),
            }
        }
        let p = &self.progress;
        p.frames.fetch_add(n, Ordering::Relaxed);
        p.flows
            .store(self.engine.flows().len() as u64, Ordering::Relaxed);
        p.hosts
            .store(self.engine.hosts().len() as u64, Ordering::Relaxed);
        self.driver.after_batch(&self.engine);
        self.driver.serve(&mut self.engine);
        self.refresh_lists();
        if let Some(p) = &mut self.publisher {
            p.maybe_publish(&self.engine);
        }
    }

    /// Every `reload_check_secs` of wall time, reads the block-list files that changed
    /// and classifies the hosts again.
    fn refresh_lists(&mut self) {
        let every = self.engine.lookups().reload_check_secs;
        if every == 0
            || self.engine.lookups().blocklists.is_empty()
            || self.lists_checked.elapsed().as_secs() < every
        {
            return;
        }
        self.lists_checked = std::time::Instant::now();
        let reloads = self.engine.lookups_mut().blocklists.refresh();
        if !reloads.is_empty() {
            crate::lookups::log_reloads(&reloads);
            self.engine.remark_hosts();
        }
    }

    /// Runs until every one of `sources` senders has sent [`Msg::End`] (or hung up).
    pub fn drain(&mut self, rx: &Receiver<Msg>, sources: usize) {
        let mut open = sources;
        while open > 0 {
            let Ok(msg) = rx.recv() else { break };
            if !self.handle(msg) {
                open -= 1;
            }
        }
    }

    /// The end of the run: the driver's hold, the final visit, the summary and the
    /// driver's report.
    pub fn finish(self, interface: String) -> (Summary, D::Report) {
        let (summary, report, _) = self.finish_with_talkers(interface);
        (summary, report)
    }

    /// [`EngineLoop::finish`], also giving the run's top-talkers counters (distinct
    /// hosts, bytes per host, hosts that left the table): a worker shard's, which the
    /// coordinator of `crate::shards` merges into the interface's.
    pub fn finish_with_talkers(mut self, interface: String) -> (Summary, D::Report, TopTalkers) {
        self.driver.hold(&mut self.engine);
        if let Some(p) = &mut self.publisher {
            p.before_final_visit(&self.engine, &self.talkers);
        }
        let (engine, mut tap) = self.tap();
        engine.finish(&mut tap);
        self.send_shard_ticks();
        if let Some(p) = &mut self.publisher {
            p.publish_final(&self.engine);
        }
        let summary = Summary::new(
            interface,
            &self.engine,
            &self.talkers,
            self.decoded,
            self.problems,
        );
        let report = self.driver.finish(&self.engine);
        (summary, report, self.talkers)
    }
}

/// Starts the engine thread of one interface. It ends when its source sends [`Msg::End`].
pub fn spawn<D, F>(
    cfg: EngineConfig,
    interface: String,
    rx: Receiver<Msg>,
    recycle: Sender<Batch>,
    progress: Arc<EngineProgress>,
    make_driver: F,
) -> Result<EngineThread<D::Report>>
where
    D: Driver,
    D::Report: Send + 'static,
    F: FnOnce() -> Result<D> + Send + 'static,
{
    let handle = std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || {
            let mut lp = EngineLoop::new(cfg, make_driver()?, progress).recycle_into(recycle);
            lp.drain(&rx, 1);
            Ok(lp.finish(interface))
        })?;
    Ok(handle)
}
