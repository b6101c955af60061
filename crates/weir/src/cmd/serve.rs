//! `weir serve`: the web UI and REST API of a data directory without capturing
//! anything — the central web of many probes: with ClickHouse configured, the
//! Historical flows page and `/api/v1/flows/history` show every probe's flows.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use weir_pipeline::config::Config;
use weir_pipeline::snapshot::SnapshotCell;

/// Arguments of `weir serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (its data directory, `[web]` and `[clickhouse]` sections).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Data directory (users, alert store, embedded history); also `WEIR_DATA_DIR`.
    #[arg(long, env = "WEIR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Listen address, e.g. `127.0.0.1:3000` (port 0 picks one); else `[web] listen`.
    #[arg(long, value_name = "ADDR")]
    web: Option<String>,
    /// Read the flow history from ClickHouse: `http://HOST:PORT/DATABASE`.
    #[arg(long, value_name = "URL")]
    clickhouse: Option<String>,
}

/// Runs `weir serve` until SIGINT or SIGTERM.
pub fn run(args: &Args) -> Result<ExitCode> {
    let mut cfg = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    if let Some(d) = &args.data_dir {
        cfg.data_dir = d.clone();
    }
    if let Some(w) = &args.web {
        cfg.web.listen = w.clone();
    }
    if let Some(u) = &args.clickhouse {
        weir_history::clickhouse::ClickHouseConfig::from_url(u)
            .map_err(|e| anyhow::anyhow!("--clickhouse: {e}"))?;
        cfg.clickhouse.url = u.clone();
    }
    if cfg.web.listen.trim().is_empty() {
        bail!("weir serve needs a listen address: --web ADDR or [web] listen");
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let web = weir_web::WebServer::start(&cfg, Arc::new(SnapshotCell::default()))?;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
    }
    web.stop();
    Ok(ExitCode::SUCCESS)
}
