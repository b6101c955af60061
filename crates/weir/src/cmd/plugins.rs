//! `weir plugins list|check|test|new|reload`: what plugins weir finds, whether they
//! load, what they do on a capture or on their own test cases (plugin authors' unit
//! tests with golden NDJSON files), and a template to start a new one.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::{
    Consumer, EndReason, Engine, EngineConfig, Flow, Host, Interface, IpNet, Network, Tick,
};
use weir_pipeline::engine::Driver;
use weir_pipeline::source::SourceSpec;
use weir_pipeline::summary::Summary;
use weir_script::{FlowStatusRequest, LoadReport, Output, Runtime, ScriptConfig};

mod cases;
mod new;

/// Arguments of `weir plugins`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// `weir plugins` subcommands.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// List the plugins and their scripts found under the directories (without any, the
    /// built-in plugins), with where each comes from (`builtin:<plugin>` or its directory).
    List {
        /// Plugin directories or directories of plugins.
        dirs: Vec<PathBuf>,
        /// Also list the built-in plugins when directories are given.
        #[arg(long)]
        builtin: bool,
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
    /// Create a new plugin from a template (manifest, flow script, alert and status
    /// definitions, locale, test cases) and write the golden files of its test cases.
    New(new::NewArgs),
    /// Write the built-in plugins (all, or those named) into a directory, to start a
    /// plugin of one's own from one of them (`weir run --plugins DIR` then loads it).
    Export {
        /// Where to write them: one directory per plugin is created below it.
        dir: PathBuf,
        /// Only these plugins (repeatable; default: all).
        #[arg(long = "plugin", value_name = "NAME")]
        plugins: Vec<String>,
    },
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
    /// Capture file(s) to replay. Without `--pcap`, every plugin's own test cases
    /// (`DIR/tests/<case>.toml` with golden `DIR/tests/<case>.ndjson`) are run.
    #[arg(long)]
    pub pcap: Vec<PathBuf>,
    /// Golden NDJSON file: compare the events with it (exit 1 on a difference).
    /// Only with `--pcap`.
    #[arg(long)]
    pub expect: Option<PathBuf>,
    /// Write the events to the `--expect` file (or, without `--pcap`, every case's
    /// golden file) instead of comparing.
    #[arg(long)]
    pub update: bool,
    /// A local network (repeatable). Only with `--pcap`: a case names its own.
    #[arg(long = "local-net", value_name = "CIDR")]
    pub local_net: Vec<IpNet>,
    /// Reload the plugins from disk once the capture clock passes this many seconds
    /// after its first packet (the path SIGHUP takes).
    #[arg(long, value_name = "SECS")]
    pub reload_at: Option<u64>,
    /// Script output (`io.write`, `print`) to standard error instead of standard output
    /// (with cases: instead of showing it only when a case fails).
    #[arg(long)]
    pub script_output_stderr: bool,
    /// Data directory whose `scripts.toml` configures the scripts (default: none, every
    /// script runs with its own defaults). A case's `[scripts]` table is laid over it.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run only the cases with this name (repeatable; without `--pcap`).
    #[arg(long = "case", value_name = "NAME")]
    pub cases: Vec<String>,
}

/// Runs `weir plugins`.
///
/// # Errors
/// Unreadable captures or golden files, a VM that cannot start.
pub fn run(args: &Args) -> Result<ExitCode> {
    match &args.cmd {
        Cmd::List {
            dirs,
            builtin,
            json,
        } => list(dirs, *builtin || dirs.is_empty(), *json),
        Cmd::Check { dirs } => check(dirs),
        Cmd::Test(t) => test(t),
        Cmd::Reload { data_dir } => reload(data_dir),
        Cmd::New(a) => new::new_plugin(a),
        Cmd::Export { dir, plugins } => {
            let n = weir_pipeline::builtin::export(dir, plugins)?;
            eprintln!(
                "wrote {n} file(s) of the built-in plugins below {}",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
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
    crate::out::outln!("asked weir (pid {pid}) to reload its plugins; it logs the outcome");
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

fn list(dirs: &[PathBuf], builtin: bool, json: bool) -> Result<ExitCode> {
    let mut cfg = config(dirs)?;
    cfg.output = Output::Discard;
    if builtin {
        cfg.sources = weir_pipeline::builtin::sources().0;
    }
    let (_rt, report) = load(cfg)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &report.plugins {
        writeln!(out, "{}  {}  ({})", p.key, p.title, p.dir)?;
        if !p.replaces.is_empty() {
            writeln!(out, "  replaces: {}", p.replaces.join(", "))?;
        }
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
    // Custom pages (`web_gui/`) are loaded by the web server's page runtime: check them
    // the same way.
    let defaults = weir_script::PageConfig::default();
    let pages = weir_script::Pages::start(weir_script::PageConfig {
        script: ScriptConfig {
            roots: dirs.to_vec(),
            ..defaults.script.clone()
        },
        workers: 1,
        ..defaults
    });
    let mut problems = report.problems.clone();
    problems.extend(pages.problems());
    let mut out = std::io::stdout().lock();
    for p in &problems {
        writeln!(out, "{p}")?;
    }
    let errors = problems
        .iter()
        .filter(|p| p.level == weir_script::Level::Error)
        .count();
    let warnings = problems.len() - errors;
    let active = report.scripts.iter().filter(|s| s.active).count();
    writeln!(
        out,
        "{} plugin(s), {} script(s) ({active} active), {} page(s), {errors} error(s), {warnings} warning(s)",
        report.plugins.len(),
        report.scripts.len(),
        pages.page_names().len()
    )?;
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Passes events to the runtime and raises the reload flag at a capture time; before
/// the final visit, feeds the case's syslog lines to the syslog scripts while the
/// replayed flows are still tracked (as `weir run --syslog` keeps a replay's flows).
struct Replay<'a> {
    rt: &'a mut Runtime,
    reload_at: Option<u64>,
    first: Option<u64>,
    flag: Arc<AtomicBool>,
    syslog: &'a [SyslogLine],
    requests: Rc<RefCell<Vec<FlowStatusRequest>>>,
    unhandled: Vec<String>,
    error: Option<anyhow::Error>,
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

    /// Runs the syslog lines, one second apart from `base` (seconds), applying the flow
    /// statuses they ask for to `engine`'s flows.
    fn syslog_lines(&mut self, base: u64, mut engine: Option<&mut Engine>) -> Result<()> {
        for (i, line) in self.syslog.iter().enumerate() {
            let (producer, content, host, priority) =
                syslog_message(&line.text).map_err(|e| anyhow::anyhow!("{}: {e}", line.origin))?;
            let now = Timestamp((base + i as u64) * 1_000_000);
            if !self
                .rt
                .syslog_event(now, &producer, &content, &host, priority)
            {
                self.unhandled
                    .push(format!("{}: no syslog script `{producer}`", line.origin));
            }
            let pending: Vec<FlowStatusRequest> = self.requests.borrow_mut().drain(..).collect();
            if let Some(engine) = engine.as_deref_mut() {
                for req in pending {
                    // Not tracked or outside the flow's time: the request event is all there is.
                    engine.update_flow(&req.key(), |f| self.rt.apply_flow_status(now, f, &req));
                }
            }
        }
        Ok(())
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
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        self.tick(now);
        self.rt.host_tick(tick, now, host);
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
        self.tick(now);
        self.rt.network_tick(tick, now, network);
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        self.tick(now);
        self.rt.interface_tick(tick, now, iface);
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        self.tick(now);
        self.rt.system_tick(tick, now);
    }
    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        self.rt.host_purged(now, host);
    }
    fn host_pinned(&mut self, host: &Host) -> bool {
        self.rt.host_pinned(host)
    }
}

impl Driver for Replay<'_> {
    /// Syslog lines no script handled, and the first syslog line that did not parse.
    type Report = (Vec<String>, Option<anyhow::Error>);

    fn hold(&mut self, engine: &mut Engine) {
        if self.syslog.is_empty() {
            return;
        }
        let base = if engine.interface().packets > 0 {
            engine.clock().as_secs()
        } else {
            weir_gen::DEFAULT_START_SECS
        };
        if let Err(e) = self.syslog_lines(base, Some(engine)) {
            self.error = Some(e);
        }
    }

    fn finish(self, _engine: &Engine) -> Self::Report {
        (self.unhandled, self.error)
    }
}

/// A directory under the system's temporary directory, removed when dropped.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    /// Creates an empty one.
    ///
    /// # Errors
    /// The temporary directory cannot be written.
    pub(crate) fn new(what: &str) -> Result<Scratch> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("weir-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        Ok(Scratch(dir))
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How to run plugins on some input.
pub(crate) struct Plan {
    /// Plugin roots loaded (and nothing else).
    pub roots: Vec<PathBuf>,
    /// The flow engine's settings (local networks, table size).
    pub engine: EngineConfig,
    /// Working directory of the runtime: its `scripts.toml` configures the scripts.
    pub working_dir: PathBuf,
    /// Where script output goes.
    pub output: Output,
    /// Reload the plugins this many seconds after the first packet.
    pub reload_at: Option<u64>,
}

/// What is replayed.
pub(crate) enum Input<'a> {
    /// Capture files, in order.
    Files(&'a [PathBuf]),
    /// A capture in memory (generated), with a name for error messages.
    Capture(&'a str, &'a [u8]),
    /// No packets (syslog-only cases).
    Nothing,
}

/// A syslog message of a test case: where it came from and its text.
pub(crate) struct SyslogLine {
    /// `file:line` for messages.
    pub origin: String,
    /// The message.
    pub text: String,
}

/// What a run produced.
pub(crate) struct Outcome {
    /// Statuses, alerts, script errors, in order.
    pub events: Vec<Value>,
    /// Frames read.
    pub frames: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// Flows created.
    pub flows: u64,
    /// Load problems.
    pub report: LoadReport,
    /// Damage in the capture.
    pub capture_errors: Vec<String>,
    /// Script output kept with [`Output::Buffer`].
    pub output: Vec<u8>,
    /// Syslog messages no script handled (origin and producer).
    pub unhandled: Vec<String>,
}

/// Why a test case's syslog line cannot be delivered.
#[derive(Debug)]
enum SyslogLineError {
    /// The line does not parse as a syslog message.
    Parse(weir_decode::SyslogError),
    /// It parses, but names no application to choose the syslog script by.
    NoTag,
}

impl std::fmt::Display for SyslogLineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyslogLineError::Parse(e) => e.fmt(f),
            SyslogLineError::NoTag => {
                f.write_str("no application name (TAG) to choose the syslog script")
            }
        }
    }
}

impl std::error::Error for SyslogLineError {}

/// A syslog line as `weir run`'s collector would see it: a message without `<PRI>`
/// (`TAG: content`) gets `<13>` (user.notice). Returns producer, content, host and
/// priority.
fn syslog_message(text: &str) -> Result<(String, String, String, u8), SyslogLineError> {
    let parse = |b: &[u8]| -> Result<(String, String, String, u8), weir_decode::SyslogError> {
        let m = weir_decode::parse_syslog(b)?;
        let producer = m.default_producer().unwrap_or_default();
        let host = m
            .hostname
            .or(m.relay_host)
            .unwrap_or("127.0.0.1")
            .to_owned();
        Ok((
            producer,
            String::from_utf8_lossy(m.content).into_owned(),
            host,
            m.priority,
        ))
    };
    let r = match parse(text.as_bytes()) {
        Err(weir_decode::SyslogError::NoPriority) => parse(format!("<13>{text}").as_bytes()),
        other => other,
    };
    match r {
        Ok(m) if m.0.is_empty() => Err(SyslogLineError::NoTag),
        Ok(m) => Ok(m),
        Err(e) => Err(SyslogLineError::Parse(e)),
    }
}

/// Loads the plugins of `plan`, replays `input`, then feeds `syslog` to the syslog
/// scripts, and returns everything the plugins did.
///
/// # Errors
/// The VM cannot start, a capture file cannot be read, a syslog line does not parse.
pub(crate) fn execute(plan: &Plan, input: Input<'_>, syslog: &[SyslogLine]) -> Result<Outcome> {
    let cfg = ScriptConfig {
        roots: plan.roots.clone(),
        record_events: true,
        local_networks: plan.engine.local_networks.clone(),
        output: plan.output.clone(),
        working_dir: plan.working_dir.clone(),
        periodic_update_secs: plan.engine.periodic_update_secs,
        ..ScriptConfig::default()
    };
    let (mut rt, report) = load(cfg)?;
    // Flow statuses syslog scripts ask for (`flow_utils.triggerStatusByTuple`) are
    // applied to the generated capture's flows, which are kept until the syslog lines
    // have run (as `weir run --syslog` keeps a replay's flows).
    let requests: Rc<RefCell<Vec<FlowStatusRequest>>> = Rc::default();
    let sink = requests.clone();
    rt.set_flow_status_sink(Box::new(move |req| {
        sink.borrow_mut().push(req);
        Ok(())
    }));
    let flag = rt.reload_handle();
    let mut replay = Replay {
        rt: &mut rt,
        reload_at: plan.reload_at,
        first: None,
        flag,
        syslog,
        requests,
        unhandled: Vec::new(),
        error: None,
    };
    let spec = match input {
        Input::Files(files) => SourceSpec::Files {
            paths: files.to_vec(),
            speed: 0.0,
        },
        Input::Capture(name, bytes) => SourceSpec::Memory {
            name: name.to_owned(),
            bytes: bytes.into(),
        },
        Input::Nothing => {
            // No packets: the syslog lines alone, at the generator's start time.
            replay.syslog_lines(weir_gen::DEFAULT_START_SECS, None)?;
            let unhandled = replay.unhandled;
            return Ok(finish(rt, report, Summary::default(), unhandled));
        }
    };
    let (summary, (unhandled, error)) = weir_pipeline::replay(spec, plan.engine.clone(), replay)?;
    if let Some(e) = error {
        return Err(e);
    }
    Ok(finish(rt, report, summary, unhandled))
}

/// What a run produced, once its runtime has finished.
fn finish(
    mut rt: Runtime,
    report: LoadReport,
    summary: Summary,
    unhandled: Vec<String>,
) -> Outcome {
    rt.finish();
    Outcome {
        events: rt.take_events(),
        frames: summary.packets,
        bytes: summary.bytes,
        flows: summary.flows,
        report,
        capture_errors: summary.source_problems,
        output: rt.take_output(),
        unhandled,
    }
}

/// The events of a golden file.
///
/// # Errors
/// Unreadable, or a line that is not JSON.
pub(crate) fn read_golden(path: &Path) -> Result<Vec<Value>> {
    let golden = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the golden file", path.display()))?;
    golden
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))
        })
        .collect()
}

/// Writes events as a golden file (one JSON object per line).
///
/// # Errors
/// The file cannot be written.
pub(crate) fn write_golden(path: &Path, events: &[Value]) -> Result<()> {
    let mut text = String::new();
    for e in events {
        text.push_str(&e.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))
}

/// What differs between the golden events and the ones produced, or `None`.
pub(crate) fn difference(want: &[Value], got: &[Value]) -> Option<String> {
    if want == got {
        return None;
    }
    let first = want
        .iter()
        .zip(got)
        .position(|(w, g)| w != g)
        .unwrap_or(want.len().min(got.len()));
    let mut s = format!(
        "expected {} event(s), got {}; first difference at event {}",
        want.len(),
        got.len(),
        first + 1
    );
    if let Some(w) = want.get(first) {
        s.push_str(&format!("\n  expected: {w}"));
    }
    if let Some(g) = got.get(first) {
        s.push_str(&format!("\n  got:      {g}"));
    }
    Some(s)
}

fn settings_dir(data_dir: Option<&Path>, scratch: &Scratch) -> Result<PathBuf> {
    match data_dir {
        Some(d) if d.is_dir() => Ok(d.to_path_buf()),
        Some(d) => bail!("--data-dir {}: not a directory", d.display()),
        None => Ok(scratch.path().to_path_buf()),
    }
}

fn test(a: &TestArgs) -> Result<ExitCode> {
    for d in &a.dirs {
        if !d.is_dir() {
            bail!("{}: not a directory", d.display());
        }
    }
    if a.pcap.is_empty() {
        if a.expect.is_some() || !a.local_net.is_empty() {
            bail!(
                "--expect and --local-net go with --pcap; without --pcap the plugins' test cases \
                 (DIR/tests/<case>.toml) are run, each naming its own golden file and local networks"
            );
        }
        return cases::run_all(a);
    }
    if a.update && a.expect.is_none() {
        bail!(
            "--update needs --expect FILE with --pcap (without --pcap it rewrites the cases' golden files)"
        );
    }
    if !a.cases.is_empty() {
        bail!("--case selects test cases: it does not go with --pcap");
    }
    let scratch = Scratch::new("plugins-test")?;
    let plan = Plan {
        roots: a.dirs.clone(),
        // The engine `weir run` and `weir flows` use, so the totals agree.
        engine: super::flows::engine_config(&a.local_net),
        working_dir: settings_dir(a.data_dir.as_deref(), &scratch)?,
        output: if a.script_output_stderr {
            Output::Stderr
        } else {
            Output::Stdout
        },
        reload_at: a.reload_at,
    };
    let out = execute(&plan, Input::Files(&a.pcap), &[])?;
    for p in &out.report.problems {
        eprintln!("{p}");
    }
    if out.report.plugins.is_empty() {
        bail!("no plugin found under the given directories");
    }
    for e in &out.capture_errors {
        eprintln!("weir: warning: {e}");
    }
    let events = out.events;
    let count = |k: &str| events.iter().filter(|e| e["event"] == k).count();
    eprintln!(
        "{} frame(s), {} byte(s), {} flow(s): {} status(es), {} flow alert(s), {} other alert(s), {} script error(s)",
        out.frames,
        out.bytes,
        out.flows,
        count("status"),
        count("flow_alert"),
        count("alert"),
        count("script_error"),
    );
    match (&a.expect, a.update) {
        (Some(path), true) => {
            write_golden(path, &events)?;
            eprintln!("wrote {} event(s) to {}", events.len(), path.display());
            Ok(ExitCode::SUCCESS)
        }
        (Some(path), false) => {
            let want = read_golden(path)?;
            match difference(&want, &events) {
                None => {
                    eprintln!("ok: {} event(s) match {}", events.len(), path.display());
                    Ok(ExitCode::SUCCESS)
                }
                Some(d) => {
                    eprintln!("MISMATCH with {}: {d}", path.display());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        (None, _) => {
            let mut out = std::io::stdout().lock();
            for e in &events {
                writeln!(out, "{e}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
