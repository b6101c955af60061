//! `weir config default` and `weir config check FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use weir_pipeline::config::{Config, DEFAULT_CONFIG};

/// Arguments of `weir config`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Print the default configuration, every field commented.
    Default,
    /// Check a configuration file as `weir run` would: every problem, each naming the
    /// key and line.
    Check {
        /// The file.
        file: PathBuf,
    },
}

/// Runs `weir config`.
pub fn run(args: &Args) -> Result<ExitCode> {
    match &args.cmd {
        Cmd::Default => print!("{DEFAULT_CONFIG}"),
        Cmd::Check { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            let problems = Config::problems(&text, &file.display().to_string());
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("weir: error: {p}");
                }
                eprintln!("weir: {}: {} problem(s)", file.display(), problems.len());
                return Ok(ExitCode::FAILURE);
            }
            crate::out::outln!("{}: ok", file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
