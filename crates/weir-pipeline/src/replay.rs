//! One capture replayed through one engine on the calling thread: what the commands that
//! print or test (`weir flows`, `weir hosts`, `weir plugins test`) run. The frames take
//! the same path as in the monitor: a source thread reads them into batches, and
//! [`EngineLoop`] decodes them and feeds the engine and the driver.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use weir_flow::EngineConfig;

use crate::engine::{Driver, EngineLoop, EngineProgress};
use crate::source::{self, SourceSpec, SourceStats};
use crate::summary::Summary;

/// Batches in flight between the source thread and the engine (4096 frames).
const QUEUE_BATCHES: usize = 4096 / source::BATCH_FRAMES;

/// Replays `spec` through a new engine with `driver`, runs the final visit, and returns
/// the run's summary with the driver's report. Damaged records are reported in
/// [`Summary::source_problems`] (not logged) and the replay goes on.
///
/// # Errors
/// The source cannot be opened (missing file, not a capture), or its thread cannot start.
pub fn replay<D: Driver>(
    spec: SourceSpec,
    cfg: EngineConfig,
    driver: D,
) -> Result<(Summary, D::Report)> {
    spec.check()?;
    let name = spec.name();
    let (tx, rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
    let (recycle_tx, recycle_rx) = crossbeam_channel::bounded(QUEUE_BATCHES);
    let stats = Arc::new(SourceStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let source = source::spawn(spec, tx, recycle_rx, stats, stop)?;
    // The commands that replay print the problems from the summary.
    let mut lp = EngineLoop::new(cfg, driver, Arc::new(EngineProgress::default()))
        .recycle_into(recycle_tx)
        .problems_in_summary_only();
    lp.drain(&rx, 1);
    let _ = source.join();
    Ok(lp.finish(name))
}
