//! The `weir` command: a network traffic monitor extended by Lua plugins.
//!
//! This crate is thin glue (see `docs/architecture.md`): command-line parsing, wiring
//! and output. Packet decoding lives in `weir-decode`, traffic generation in `weir-gen`.

mod cmd;
mod out;
mod run;

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
    /// Log level: error, warn, info, debug, trace, or a filter such as `weir_flow=debug`
    /// (default: `info` for `weir run`, else `warn`; `weir run` also reads `[log]`).
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_parser = ["text", "json"])]
    log_format: Option<String>,
}

/// Sends tracing events to stderr.
pub fn init_logging(level: &str, format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

#[derive(Subcommand)]
enum Command {
    /// Generate a sample capture (if missing) and show what weir finds in it.
    Demo(cmd::demo::Args),
    /// Monitor: replay capture files or capture live, run the plugins, store alerts.
    Run(run::Args),
    /// Print the commented default configuration, or check a configuration file.
    Config(cmd::config::Args),
    /// Decode capture files and print packet counts per protocol layer.
    Decode(cmd::decode::Args),
    /// Read the alert store (engaged, past and flow alerts with their messages, filters,
    /// paging), acknowledge or delete alerts.
    Alerts(cmd::alerts::Args),
    /// Write a deterministic synthetic capture (the project's sample traffic).
    GenPcap(cmd::gen_pcap::Args),
    /// Track flows in capture files and print them with their L7 protocol.
    Flows(cmd::flows::Args),
    /// Track hosts in capture files and print their counters.
    Hosts(cmd::hosts::Args),
    /// Lua plugins: list them, check them, test them on a capture.
    Plugins(cmd::plugins::Args),
    /// User script configuration: list, show, enable, disable, set thresholds.
    Scripts(cmd::scripts::Args),
    /// Timeseries: list the series of the embedded store, print their points.
    Ts(cmd::ts::Args),
    /// Flow history: ended flows of the embedded store or ClickHouse, top-N, probes.
    History(cmd::history::Args),
    /// Serve the web UI and REST API without capturing (e.g. every probe's history
    /// from ClickHouse).
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.cmd {
        Command::Run(a) => {
            // `weir run` logs as its configuration says, unless flags override it.
            let log = a.config().map(|c| c.log).unwrap_or_default();
            init_logging(
                cli.log_level.as_deref().unwrap_or(&log.level),
                cli.log_format.as_deref().unwrap_or(&log.format),
            );
        }
        _ => init_logging(
            cli.log_level.as_deref().unwrap_or("warn"),
            cli.log_format.as_deref().unwrap_or("text"),
        ),
    }
    let result = match cli.cmd {
        Command::Demo(a) => cmd::demo::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Config(a) => cmd::config::run(&a),
        Command::Decode(a) => cmd::decode::run(&a),
        Command::Alerts(a) => cmd::alerts::run(&a),
        Command::GenPcap(a) => cmd::gen_pcap::run(&a),
        Command::Flows(a) => cmd::flows::run(&a),
        Command::Hosts(a) => cmd::hosts::run(&a),
        Command::Plugins(a) => cmd::plugins::run(&a),
        Command::Scripts(a) => cmd::scripts::run(&a),
        Command::Ts(a) => cmd::ts::run(&a),
        Command::History(a) => cmd::history::run(&a),
        Command::Serve(a) => cmd::serve::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A reader that went away early (`weir flows | head`) is no error.
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                out::exit_if_gone(io);
            }
            eprintln!("weir: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
