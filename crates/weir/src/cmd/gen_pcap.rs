//! `weir gen-pcap`: the deterministic synthetic traffic generator.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

/// Arguments of `weir gen-pcap`.
#[derive(clap::Args)]
pub struct Args {
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Number of ordinary flows (attack scenarios come on top).
    #[arg(long, default_value_t = 1000)]
    pub flows: usize,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only 64-byte frames (throughput tests).
    #[arg(long)]
    pub small64: bool,
    /// Seconds of traffic (flows start spread over this span); default 600, or 30 with
    /// `--syn-flood`.
    #[arg(long)]
    pub duration: Option<u64>,
    /// Packet time of the first frame, seconds since the epoch (default 1767225600,
    /// 2026-01-01 00:00 UTC); e.g. `$(( $(date +%s) - 900 ))` for traffic of the last
    /// minutes, which clients asking for "the last hour" then see.
    #[arg(long, value_name = "EPOCH")]
    pub start: Option<u64>,
    /// Instead of the office traffic: a SYN flood of N one-packet flows, each from its
    /// own random IPv4 source (outside 192.168.1.0/24), to 192.168.1.5:80, spread over
    /// `--duration` seconds (default 30). Deterministic from `--seed`; constant memory.
    #[arg(long, value_name = "N", conflicts_with_all = ["flows", "small64", "scenarios"])]
    pub syn_flood: Option<u64>,
    /// Only these attack/anomaly scenarios (repeatable; default: all of them). `none`
    /// for none. Names: see `weir_gen::Scenarios::names`.
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
}

/// Writes a sample capture to `out` and returns the generator's summary.
pub fn generate(out: &std::path::Path, cfg: &weir_gen::GenConfig) -> Result<weir_gen::GenSummary> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    }
    let file = File::create(out).with_context(|| format!("{}: cannot create", out.display()))?;
    weir_gen::write_pcap(cfg, BufWriter::new(file))
        .with_context(|| format!("{}: cannot write", out.display()))
}

/// Runs `weir gen-pcap`.
pub fn run(args: &Args) -> Result<ExitCode> {
    if let Some(n) = args.syn_flood {
        return syn_flood(args, n);
    }
    let mut cfg = weir_gen::GenConfig {
        flows: args.flows,
        seed: args.seed,
        duration_secs: args.duration.unwrap_or(600),
        start_secs: args.start.unwrap_or(weir_gen::DEFAULT_START_SECS),
        ..Default::default()
    };
    if !args.scenarios.is_empty() {
        let names: Vec<&String> = args.scenarios.iter().filter(|n| *n != "none").collect();
        cfg.scenarios = weir_gen::Scenarios::from_names(&names).map_err(anyhow::Error::msg)?;
    }
    if args.small64 {
        cfg.mode = weir_gen::Mode::Small64;
    }
    let s = generate(&args.out, &cfg)?;
    crate::out::outln!(
        "{}: {} frames, {} bytes, {} flows",
        args.out.display(),
        s.frames,
        s.bytes,
        s.flows
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the random-source SYN flood of `n` sources.
fn syn_flood(args: &Args, n: u64) -> Result<ExitCode> {
    let cfg = weir_gen::SynFloodConfig {
        sources: n,
        seed: args.seed,
        duration_secs: args.duration.unwrap_or(30),
        start_secs: args.start.unwrap_or(weir_gen::DEFAULT_START_SECS),
        ..Default::default()
    };
    let out = &args.out;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    }
    let file = File::create(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let s = weir_gen::write_syn_flood(&cfg, BufWriter::new(file))
        .with_context(|| format!("{}: cannot write", out.display()))?;
    crate::out::outln!(
        "{}: {} frames, {} bytes, {} flows (SYN flood: {} sources to {}:{})",
        out.display(),
        s.frames,
        s.bytes,
        s.flows,
        n,
        cfg.victim,
        cfg.victim_port
    );
    Ok(ExitCode::SUCCESS)
}
