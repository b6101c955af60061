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
    /// (default: `info` for `weir run` on a terminal, else `warn`; `weir run` also reads
    /// `[log]`; `--quiet` means `warn`).
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_parser = ["text", "json"])]
    log_format: Option<String>,
    /// Warnings and errors only (no INFO lines, no progress display).
    #[arg(long, short, global = true)]
    quiet: bool,
}

/// Sends tracing events to stderr, colored only when stderr is a terminal and
/// `NO_COLOR` is unset or empty.
///
/// # Errors
/// A level that is not a level name nor a `target=level` filter.
pub fn init_logging(level: &str, format: &str) -> anyhow::Result<()> {
    let filter = weir_pipeline::config::log_filter(level).map_err(anyhow::Error::msg)?;
    let filter = tracing_subscriber::EnvFilter::try_new(filter)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(color_stderr())
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    Ok(())
}

/// Whether stderr gets ANSI colors: a terminal, and `NO_COLOR` unset or empty.
fn color_stderr() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The log level: `--log-level`, else warnings only with `--quiet` or when stderr is
/// not a terminal (unless the configuration file sets `[log] level` itself), else
/// `configured` (`weir run`'s `[log] level`, `info` by default) or `warn`.
fn log_level(cli: &Cli, configured: Option<(&str, bool)>) -> String {
    use std::io::IsTerminal;
    if let Some(l) = &cli.log_level {
        return l.clone();
    }
    if cli.quiet {
        return "warn".into();
    }
    match configured {
        Some((level, true)) => level.to_string(),
        Some((level, false)) if std::io::stderr().is_terminal() => level.to_string(),
        _ => "warn".into(),
    }
}

/// Ends the process quietly (status 0) when a `print!` or `eprint!` anywhere finds its
/// reader gone (`weir alerts | head -1`, `2>&1 | head`); other panics report as usual.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// An error and its causes on one line, each cause once: a cause whose text the line
/// already holds (a wrapper that repeats its source) is left out.
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if out.contains(&s) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s);
    }
    out
}

/// Whether the configuration file at `path` sets `[log] level` itself.
fn config_sets_level(path: Option<&std::path::Path>) -> bool {
    path.and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| t.parse::<toml::Table>().ok())
        .is_some_and(|t| t.get("log").and_then(|l| l.get("level")).is_some())
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
    quiet_broken_pipe();
    let mut cli = Cli::parse();
    let logging = match &cli.cmd {
        Command::Run(a) => {
            // `weir run` logs as its configuration says, unless flags override it.
            let log = a.config().map(|c| c.log).unwrap_or_default();
            let explicit = config_sets_level(a.config.as_deref());
            init_logging(
                &log_level(&cli, Some((&log.level, explicit))),
                cli.log_format.as_deref().unwrap_or(&log.format),
            )
        }
        _ => init_logging(
            &log_level(&cli, None),
            cli.log_format.as_deref().unwrap_or("text"),
        ),
    };
    if let Err(e) = logging {
        eprintln!("weir: error: --log-level: {e:#}");
        return ExitCode::from(2);
    }
    let quiet = cli.quiet;
    if let Command::Run(a) = &mut cli.cmd {
        a.quiet |= quiet;
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
            eprintln!("weir: error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}
