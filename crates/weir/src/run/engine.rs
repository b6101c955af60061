//! The engine thread: owns the flow engine and the event consumer of one interface,
//! decodes every frame the sources send, and runs the final visit at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use anyhow::Result;
use crossbeam_channel::{Receiver, Sender};
use weir_decode::{DecodeSummary, decode};
use weir_flow::{Consumer, Engine, EngineConfig};

use super::source::{Batch, Msg};
use super::summary::Summary;

/// The consumer of flow events, built on the engine thread (a Lua VM is not `Send`).
pub trait Driver: Consumer {
    /// What the driver reports when the run ends.
    type Report: Send + 'static;
    /// Called after each batch of frames (flush pending work, publish snapshots).
    fn after_batch(&mut self, _engine: &Engine) {}
    /// Reload plugins and configuration (SIGHUP); `Err` leaves the old state running.
    fn reload(&mut self) -> Result<()> {
        Ok(())
    }
    /// Called once after the final visit.
    fn finish(self, engine: &Engine) -> Self::Report;
}

/// A driver that only counts: `weir run` without plugins, and the baseline of benches.
#[derive(Debug, Default)]
pub struct CountingDriver;

impl Consumer for CountingDriver {}

impl Driver for CountingDriver {
    type Report = ();
    fn finish(self, _engine: &Engine) {}
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
}

/// The engine thread: it returns the run summary and the driver's report.
pub type EngineThread<R> = JoinHandle<Result<(Summary, R)>>;

/// Starts the engine thread. It ends when every source has sent [`Msg::End`].
pub fn spawn<D, F>(
    cfg: EngineConfig,
    sources: usize,
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
            let mut engine = Engine::new(cfg);
            let mut decoded = DecodeSummary::default();
            let mut problems = Vec::new();
            let mut open = sources;
            while open > 0 {
                let Ok(msg) = rx.recv() else { break };
                match msg {
                    Msg::Frames(batch) => {
                        for (f, data) in batch.iter() {
                            let result = decode(f.linktype, data);
                            decoded.add(f.linktype, data.len(), &result);
                            match &result {
                                Ok(pkt) => engine.process(f.ts, f.wire_len, pkt, &mut driver),
                                Err(_) => engine.undecodable(f.ts, f.wire_len, &mut driver),
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
                        let _ = recycle.try_send(batch);
                    }
                    Msg::Idle(now) => engine.advance(now, &mut driver),
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
            engine.finish(&mut driver);
            let summary = Summary::new(&engine, decoded, problems);
            let report = driver.finish(&engine);
            Ok((summary, report))
        })?;
    Ok(handle)
}
