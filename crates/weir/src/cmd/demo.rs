//! `weir demo`: the quick start. Generates a sample capture into the data directory if
//! it is missing, then shows what weir finds in it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

/// Arguments of `weir demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Where the sample capture (and later the alert and timeseries stores) live.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Regenerate the sample capture even if it exists.
    #[arg(long)]
    pub regenerate: bool,
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
        println!(
            "generated {} ({} frames, {} flows)",
            sample.display(),
            s.frames,
            s.flows
        );
        for (kind, n) in &s.by_kind {
            println!("  {kind:<14} {n}");
        }
    } else {
        println!(
            "using {} (pass --regenerate to rebuild it)",
            sample.display()
        );
    }
    let report = super::decode::decode_file(&sample)?;
    report.warn();
    super::decode::print_table(&sample, &report);
    Ok(ExitCode::SUCCESS)
}
