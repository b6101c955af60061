//! The `weir` command: a network traffic monitor extended by Lua plugins.
//!
//! This crate is thin glue (see `docs/architecture.md`): command-line parsing, wiring
//! and output. Packet decoding lives in `weir-decode`, traffic generation in `weir-gen`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "weir",
    version,
    about = "Network traffic monitor extended by Lua plugins"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a sample capture (if missing) and show what weir finds in it.
    Demo(cmd::demo::Args),
    /// Decode capture files and print packet counts per protocol layer.
    Decode(cmd::decode::Args),
    /// Read the alert store: engaged, past and flow alerts, with filters.
    Alerts(cmd::alerts::Args),
    /// Write a deterministic synthetic capture (the project's sample traffic).
    GenPcap(cmd::gen_pcap::Args),
    /// Track flows in capture files and print them with their L7 protocol.
    Flows(cmd::flows::Args),
    /// Track hosts in capture files and print their counters.
    Hosts(cmd::hosts::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Command::Demo(a) => cmd::demo::run(&a),
        Command::Decode(a) => cmd::decode::run(&a),
        Command::Alerts(a) => cmd::alerts::run(&a),
        Command::GenPcap(a) => cmd::gen_pcap::run(&a),
        Command::Flows(a) => cmd::flows::run(&a),
        Command::Hosts(a) => cmd::hosts::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("weir: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
