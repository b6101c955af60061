//! `weir demo`: the quick start. Generates a sample capture into the data directory if
//! it is missing (every scenario of `weir_gen::Scenarios`: attacks, anomalies and
//! network conditions on top of ordinary traffic), writes a blocklist for the
//! `blacklisted` plugin if there is none, then runs the capture through the monitor
//! with the built-in plugins: flows, alerts in the embedded store, a summary with the
//! alerts per type, severity and plugin, and with `--web` the UI afterwards.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

/// Arguments of `weir demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Where the sample capture and the alert store live.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Regenerate the sample capture even if it exists.
    #[arg(long)]
    pub regenerate: bool,
    /// Serve the web UI and REST API on ADDR after the replay (e.g. `127.0.0.1:3000`),
    /// until Ctrl-C.
    #[arg(long)]
    pub web: Option<String>,
    /// More plugin directories to run besides the built-in ones.
    #[arg(long)]
    pub plugins: Vec<PathBuf>,
    /// The summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Ordinary flows in a newly generated sample (the scenarios come on top).
    #[arg(long, default_value_t = 2_000)]
    pub flows: usize,
}

/// Name of the sample capture inside the data directory.
pub const SAMPLE: &str = "sample.pcap";

/// The blocklist the `blacklisted` plugin reads by default (`blocklist.txt` in the data
/// directory).
pub const BLOCKLIST: &str = "blocklist.txt";

/// What the demo puts in the data directory's blocklist when there is none: the
/// addresses the sample's `blocklisted_hosts` scenario talks to.
const DEMO_BLOCKLIST: &str = "\
# Blocklist read by the built-in `blacklisted` plugin: one IPv4/IPv6 address or CIDR
# network per line; text after # or ; is a comment. Written by `weir demo` for its
# sample capture (documentation addresses); replace it with your own lists, or
# configure other files: `weir scripts set blacklisted items FILE1,FILE2`.
203.0.113.66        # command and control server of the sample
192.0.2.192/26      # a hosting range the sample's malware uses
";

/// Writes the demo blocklist into `dir` unless a blocklist is already there.
fn write_demo_blocklist(dir: &std::path::Path) -> Result<()> {
    let path = dir.join(BLOCKLIST);
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(&path, DEMO_BLOCKLIST)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))
}

/// Runs `weir demo`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let sample = args.data_dir.join(SAMPLE);
    if args.regenerate || !sample.exists() {
        let cfg = weir_gen::GenConfig {
            flows: args.flows,
            seed: 1,
            ..Default::default()
        };
        let s = super::gen_pcap::generate(&sample, &cfg)?;
        eprintln!(
            "generated {} ({} frames, {} flows)",
            sample.display(),
            s.frames,
            s.flows
        );
    } else {
        eprintln!(
            "replaying {} (pass --regenerate to rebuild it)",
            sample.display()
        );
    }
    write_demo_blocklist(&args.data_dir)?;
    crate::run::run(&crate::run::Args {
        pcap: vec![sample],
        data_dir: Some(args.data_dir.clone()),
        plugins: args.plugins.clone(),
        web: args.web.clone(),
        json: args.json,
        ..Default::default()
    })
}
