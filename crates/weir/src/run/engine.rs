//! The engine thread: owns the flow engine and the event consumer of one interface,
//! decodes every frame the sources send, and runs the final visit at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use anyhow::Result;
use crossbeam_channel::{Receiver, Sender};
use weir_decode::Timestamp;
use weir_decode::{DecodeSummary, decode};
use weir_flow::{Consumer, EndReason, Engine, EngineConfig, Flow, Host, Interface, Network, Tick};

use super::source::{Batch, Msg};
use super::summary::Summary;
use super::talkers::TopTalkers;

/// Hosts tracked for the top-talkers list (Space-Saving counters).
const TALKER_COUNTERS: usize = 4096;

/// The consumer of flow events, built on the engine thread (a Lua VM is not `Send`).
pub trait Driver: Consumer {
    /// What the driver reports when the run ends.
    type Report: Send + 'static;
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
}

/// Passes every event to the driver, counting bytes per host at each flow's end for the
/// summary's top talkers.
struct Tap<'a, D> {
    driver: &'a mut D,
    talkers: &'a mut TopTalkers,
}

impl<D: Driver> Consumer for Tap<'_, D> {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.driver.protocol_detected(now, flow);
    }
    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        self.driver.status_changed(now, flow);
    }
    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        self.driver.periodic_update(now, flow);
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        let bytes = flow.bytes();
        self.talkers.add(flow.client().0, bytes);
        self.talkers.add(flow.server().0, bytes);
        self.driver.flow_end(now, flow, reason);
    }
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        self.driver.host_tick(tick, now, host);
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
        self.driver.network_tick(tick, now, network);
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        self.driver.interface_tick(tick, now, iface);
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        self.driver.system_tick(tick, now);
    }
    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        self.driver.host_purged(now, host);
    }
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
    pub snapshots: Option<Arc<super::snapshot::SnapshotCell>>,
}

/// The engine thread: it returns the run summary and the driver's report.
pub type EngineThread<R> = JoinHandle<Result<(Summary, R)>>;

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
    F: FnOnce() -> Result<D> + Send + 'static,
{
    let handle = std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || {
            let mut driver = make_driver()?;
            let mut talkers = TopTalkers::new(TALKER_COUNTERS);
            let mut engine = Engine::new(cfg);
            let mut publisher = progress
                .snapshots
                .clone()
                .map(super::snapshot::Publisher::new);
            let mut decoded = DecodeSummary::default();
            let mut problems = Vec::new();
            let mut open = 1usize;
            while open > 0 {
                let Ok(msg) = rx.recv() else { break };
                match msg {
                    Msg::Frames(batch) => {
                        for (f, data) in batch.iter() {
                            let result = decode(f.linktype, data);
                            decoded.add(f.linktype, data.len(), &result);
                            let mut tap = Tap {
                                driver: &mut driver,
                                talkers: &mut talkers,
                            };
                            match &result {
                                Ok(pkt) => engine.process(f.ts, f.wire_len, pkt, &mut tap),
                                Err(_) => engine.undecodable(f.ts, f.wire_len, &mut tap),
                            }
                        }
                        progress
                            .frames
                            .fetch_add(batch.frames.len() as u64, Ordering::Relaxed);
                        progress
                            .flows
                            .store(engine.flows().len() as u64, Ordering::Relaxed);
                        progress
                            .hosts
                            .store(engine.hosts().len() as u64, Ordering::Relaxed);
                        driver.after_batch(&engine);
                        driver.serve(&mut engine);
                        if let Some(p) = &mut publisher {
                            p.maybe_publish(&engine);
                        }
                        let _ = recycle.try_send(batch);
                    }
                    Msg::Idle(now) => {
                        engine.advance(
                            now,
                            &mut Tap {
                                driver: &mut driver,
                                talkers: &mut talkers,
                            },
                        );
                        driver.serve(&mut engine);
                    }
                    Msg::Drops(at, n) => {
                        engine.capture_drops(
                            at,
                            n,
                            &mut Tap {
                                driver: &mut driver,
                                talkers: &mut talkers,
                            },
                        );
                    }
                    Msg::Problem(p) => {
                        tracing::warn!("{p}");
                        problems.push(p);
                    }
                    Msg::End => open -= 1,
                }
                if progress.reload.swap(false, Ordering::Relaxed) {
                    match driver.reload() {
                        Ok(()) => tracing::info!("plugins reloaded"),
                        Err(e) => {
                            tracing::warn!("reload failed, previous plugins keep running: {e:#}")
                        }
                    }
                }
            }
            driver.hold(&mut engine);
            if let Some(p) = &mut publisher {
                p.before_final_visit(&engine);
            }
            engine.finish(&mut Tap {
                driver: &mut driver,
                talkers: &mut talkers,
            });
            if let Some(p) = &mut publisher {
                p.publish_final(&engine);
            }
            let summary = Summary::new(interface, &engine, &talkers, decoded, problems);
            let report = driver.finish(&engine);
            Ok((summary, report))
        })?;
    Ok(handle)
}
