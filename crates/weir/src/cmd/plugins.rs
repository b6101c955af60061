//! `weir plugins list|check|test`: what plugins weir finds, whether they load, and
//! what they do on a capture (plugin authors' unit tests with golden NDJSON files).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Engine, EngineConfig, Flow, IpNet};
use weir_script::{LoadReport, Output, Runtime, ScriptConfig};

/// Arguments of `weir plugins`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// `weir plugins` subcommands.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// List the plugins and their scripts found under the directories.
    List {
        /// Plugin directories or directories of plugins.
        #[arg(default_value = "plugins")]
        dirs: Vec<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Load the plugins and report every problem (plugin, file, line); exit 1 on errors.
    Check {
        /// Plugin directories or directories of plugins.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Replay a capture with only these plugins and print (or compare against a golden
    /// NDJSON file) the statuses, alerts and script errors they produce.
    Test(TestArgs),
    /// Make the running `weir run` reload its plugins (SIGHUP to the process recorded in
    /// the data directory); flow state is kept, a plugin that fails to reload keeps its
    /// previous version.
    Reload {
        /// Data directory of the running monitor.
        #[arg(long, env = "WEIR_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
}

/// Arguments of `weir plugins test`.
#[derive(clap::Args)]
pub struct TestArgs {
    /// Plugin directories or directories of plugins.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Capture file(s) to replay.
    #[arg(long, required = true)]
    pub pcap: Vec<PathBuf>,
    /// Golden NDJSON file: compare the events with it (exit 1 on a difference).
    #[arg(long)]
    pub expect: Option<PathBuf>,
    /// Write the events to the `--expect` file instead of comparing.
    #[arg(long, requires = "expect")]
    pub update: bool,
    /// A local network (repeatable).
    #[arg(long = "local-net", value_name = "CIDR")]
    pub local_net: Vec<IpNet>,
    /// Reload the plugins from disk once the capture clock passes this many seconds
    /// after its first packet (the path SIGHUP takes).
    #[arg(long, value_name = "SECS")]
    pub reload_at: Option<u64>,
    /// Script output (`io.write`, `print`) to standard error instead of standard output.
    #[arg(long)]
    pub script_output_stderr: bool,
}

/// Runs `weir plugins`.
///
/// # Errors
/// Unreadable captures or golden files, a VM that cannot start.
pub fn run(args: &Args) -> Result<ExitCode> {
    match &args.cmd {
        Cmd::List { dirs, json } => list(dirs, *json),
        Cmd::Check { dirs } => check(dirs),
        Cmd::Test(t) => test(t),
        Cmd::Reload { data_dir } => reload(data_dir),
    }
}

fn reload(data_dir: &std::path::Path) -> Result<ExitCode> {
    let pid = crate::run::running_pid(data_dir)?;
    let status = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        anyhow::bail!(
            "weir (pid {pid}) is not running any more; remove {}",
            data_dir.join("weir.pid").display()
        );
    }
    println!("asked weir (pid {pid}) to reload its plugins; it logs the outcome");
    Ok(ExitCode::SUCCESS)
}

fn config(dirs: &[PathBuf]) -> Result<ScriptConfig> {
    for d in dirs {
        if !d.is_dir() {
            bail!("{}: not a directory", d.display());
        }
    }
    Ok(ScriptConfig {
        roots: dirs.to_vec(),
        ..ScriptConfig::default()
    })
}

fn load(cfg: ScriptConfig) -> Result<(Runtime, LoadReport)> {
    Runtime::load(cfg).context("cannot start the Lua runtime")
}

fn list(dirs: &[PathBuf], json: bool) -> Result<ExitCode> {
    let mut cfg = config(dirs)?;
    cfg.output = Output::Discard;
    let (_rt, report) = load(cfg)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &report.plugins {
        writeln!(out, "{}  {}  ({})", p.key, p.title, p.dir)?;
        if !p.alert_definitions.is_empty() {
            writeln!(
                out,
                "  alert definitions: {}",
                p.alert_definitions.join(", ")
            )?;
        }
        if !p.status_definitions.is_empty() {
            writeln!(
                out,
                "  status definitions: {}",
                p.status_definitions.join(", ")
            )?;
        }
        for s in report.scripts.iter().filter(|s| s.plugin == p.key) {
            let state = match &s.inactive_reason {
                None => "active".to_owned(),
                Some(r) => format!("inactive: {r}"),
            };
            writeln!(
                out,
                "  {}/{} [{}] hooks: {} ({state})",
                s.subdir,
                s.key,
                s.format,
                s.hooks.join(", ")
            )?;
        }
    }
    let errors = report.errors().count();
    if errors > 0 {
        writeln!(
            out,
            "{errors} load error(s): run `weir plugins check` for details"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(dirs: &[PathBuf]) -> Result<ExitCode> {
    let mut cfg = config(dirs)?;
    cfg.output = Output::Discard;
    let (_rt, report) = load(cfg)?;
    let mut out = std::io::stdout().lock();
    for p in &report.problems {
        writeln!(out, "{p}")?;
    }
    let errors = report.errors().count();
    let warnings = report.problems.len() - errors;
    let active = report.scripts.iter().filter(|s| s.active).count();
    writeln!(
        out,
        "{} plugin(s), {} script(s) ({active} active), {errors} error(s), {warnings} warning(s)",
        report.plugins.len(),
        report.scripts.len()
    )?;
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Passes events to the runtime and raises the reload flag at a capture time.
struct Replay<'a> {
    rt: &'a mut Runtime,
    reload_at: Option<u64>,
    first: Option<u64>,
    flag: Arc<AtomicBool>,
}

impl Replay<'_> {
    fn tick(&mut self, now: Timestamp) {
        let s = now.as_secs();
        let first = *self.first.get_or_insert(s);
        if let Some(at) = self.reload_at
            && s >= first + at
        {
            self.flag.store(true, Ordering::Relaxed);
            self.reload_at = None;
        }
    }
}

impl Consumer for Replay<'_> {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.tick(now);
        self.rt.protocol_detected(now, flow);
    }
    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        self.tick(now);
        self.rt.status_changed(now, flow);
    }
    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        self.tick(now);
        self.rt.periodic_update(now, flow);
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        self.tick(now);
        self.rt.flow_end(now, flow, reason);
    }
}

fn test(a: &TestArgs) -> Result<ExitCode> {
    let mut cfg = config(&a.dirs)?;
    cfg.record_events = true;
    cfg.local_networks = a.local_net.clone();
    cfg.output = if a.script_output_stderr {
        Output::Stderr
    } else {
        Output::Stdout
    };
    let (mut rt, report) = load(cfg)?;
    for p in &report.problems {
        eprintln!("{p}");
    }
    if report.plugins.is_empty() {
        bail!("no plugin found under the given directories");
    }
    let mut engine = Engine::new(EngineConfig {
        local_networks: a.local_net.clone(),
        ..EngineConfig::default()
    });
    let flag = rt.reload_handle();
    let mut replay = Replay {
        rt: &mut rt,
        reload_at: a.reload_at,
        first: None,
        flag,
    };
    let rep = super::flows::replay(&a.pcap, &mut engine, &mut replay)?;
    for e in &rep.capture_errors {
        eprintln!("weir: warning: {e}");
    }
    rt.finish();
    let events = rt.take_events();
    let lines: Vec<String> = events.iter().map(Value::to_string).collect();
    let count = |k: &str| events.iter().filter(|e| e["event"] == k).count();
    eprintln!(
        "{} frame(s), {} flow(s): {} status(es), {} flow alert(s), {} other alert(s), {} script error(s)",
        rep.frames,
        engine.interface().flows_created,
        count("status"),
        count("flow_alert"),
        count("alert"),
        count("script_error"),
    );
    match (&a.expect, a.update) {
        (Some(path), true) => {
            let mut text = lines.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            std::fs::write(path, text)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            eprintln!("wrote {} event(s) to {}", lines.len(), path.display());
            Ok(ExitCode::SUCCESS)
        }
        (Some(path), false) => {
            let golden = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the golden file", path.display()))?;
            let want: Vec<Value> = golden
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| {
                    serde_json::from_str(l)
                        .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))
                })
                .collect::<Result<_>>()?;
            if want == events {
                eprintln!("ok: {} event(s) match {}", events.len(), path.display());
                return Ok(ExitCode::SUCCESS);
            }
            let first = want
                .iter()
                .zip(&events)
                .position(|(w, g)| w != g)
                .unwrap_or(want.len().min(events.len()));
            eprintln!(
                "MISMATCH with {}: expected {} event(s), got {}; first difference at event {}",
                path.display(),
                want.len(),
                events.len(),
                first + 1
            );
            if let Some(w) = want.get(first) {
                eprintln!("  expected: {w}");
            }
            if let Some(g) = events.get(first) {
                eprintln!("  got:      {g}");
            }
            Ok(ExitCode::FAILURE)
        }
        (None, _) => {
            let mut out = std::io::stdout().lock();
            for l in &lines {
                writeln!(out, "{l}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
