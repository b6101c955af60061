//! `weir demo`: the quick start. Generates a sample capture into the data directory if
//! it is missing, then runs it through the monitor with the built-in plugins: flows,
//! alerts in the embedded store, a summary, and with `--web` the UI afterwards.

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
}

/// Name of the sample capture inside the data directory.
pub const SAMPLE: &str = "sample.pcap";

/// Runs `weir demo`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let sample = args.data_dir.join(SAMPLE);
    if args.regenerate || !sample.exists() {
        let cfg = weir_gen::GenConfig {
            flows: 2_000,
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
    crate::run::run(&crate::run::Args {
        pcap: vec![sample],
        data_dir: Some(args.data_dir.clone()),
        plugins: args.plugins.clone(),
        web: args.web.clone(),
        json: args.json,
        ..Default::default()
    })
}
