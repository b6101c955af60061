//! `weir config default` and `weir config check FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

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
    /// Check a configuration file: every problem names the key and line.
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
            Config::load(file)?;
            crate::out::outln!("{}: ok", file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
