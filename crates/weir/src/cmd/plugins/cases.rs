//! Plugin test cases: `weir plugins test DIR...` without `--pcap` runs every
//! `<plugin>/tests/<case>.toml` of the plugins under the directories, each with only
//! its own plugin loaded, and compares what the plugin did with the golden
//! `<plugin>/tests/<case>.ndjson` (`--update` rewrites it). Format:
//! `docs/plugins/testing.md`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::Value;
use weir_flow::EngineConfig;
use weir_gen::{GenConfig, Scenarios};
use weir_script::{Output, PluginSource, SettingsFile};

use super::{
    Input, Outcome, Plan, Scratch, SyslogLine, TestArgs, difference, execute, read_golden,
    write_golden,
};

/// One `tests/<case>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// What the case is about (printed with the result).
    #[serde(default)]
    description: String,
    /// The golden file must hold at least one event from the plugin (default true).
    #[serde(default = "yes")]
    expect_events: bool,
    /// Generated traffic; absent for a syslog-only case.
    capture: Option<CaptureCase>,
    /// Flow engine settings.
    #[serde(default)]
    engine: EngineCase,
    /// Syslog messages fed to the syslog scripts after the capture.
    syslog: Option<SyslogCase>,
    /// Script settings (the shape of `scripts.toml`).
    scripts: Option<SettingsFile>,
}

fn yes() -> bool {
    true
}

/// `[capture]`: a `weir_gen::GenConfig`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptureCase {
    #[serde(default = "default_flows")]
    flows: usize,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_duration")]
    duration_secs: u64,
    #[serde(default)]
    scenarios: Vec<String>,
}

fn default_flows() -> usize {
    200
}

fn default_seed() -> u64 {
    1
}

fn default_duration() -> u64 {
    600
}

/// `[engine]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EngineCase {
    #[serde(default)]
    local_networks: Vec<String>,
    max_flows: Option<usize>,
    /// Block list files (relative to the plugin's directory), as `[lists]`.
    #[serde(default)]
    blocklists: Vec<PathBuf>,
    /// Category files (relative to the plugin's directory), as `[categories]`.
    #[serde(default)]
    categories: Vec<PathBuf>,
    /// GeoIP databases; `$WEIR_GEOLITE2_CITY` stands for the GeoLite2 City database
    /// `cargo xtask setup` downloads (a case that names it is skipped when unset).
    #[serde(default)]
    geoip_db: Vec<PathBuf>,
    max_hosts: Option<usize>,
}

/// `[syslog]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyslogCase {
    file: PathBuf,
}

/// A case found on disk.
struct Case {
    plugin: PluginSource,
    name: String,
    toml: PathBuf,
    golden: PathBuf,
}

/// How a case ended.
enum Verdict {
    Pass(usize),
    Updated(usize),
    Fail(String),
}

/// Whether an event is the plugin's own doing: everything except script errors and
/// the user-script-error alerts that report them.
fn from_plugin(e: &Value) -> bool {
    match e["event"].as_str() {
        Some("script_error") => false,
        Some("alert") => e["alert_subtype"] != weir_alerts::builtin::SUBTYPE_USER_SCRIPT_ERROR,
        _ => true,
    }
}

/// The cases of the plugins under `dirs`, sorted by plugin and name; plugins without
/// any case are returned apart.
fn find(dirs: &[PathBuf], only: &[String]) -> Result<(Vec<Case>, Vec<PluginSource>)> {
    let mut cases = Vec::new();
    let mut without = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for d in dirs {
        let (sources, _) = weir_script::discover(std::slice::from_ref(d));
        if sources.is_empty() {
            bail!("{}: no plugin found", d.display());
        }
        for src in sources {
            if !seen.insert(src.dir.clone()) {
                continue;
            }
            let tests = src.dir.join("tests");
            let mut mine: Vec<PathBuf> = match std::fs::read_dir(&tests) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                    .collect(),
                Err(_) => Vec::new(),
            };
            mine.sort();
            let before = cases.len();
            for toml in mine {
                let name = toml
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !only.is_empty() && !only.contains(&name) {
                    continue;
                }
                cases.push(Case {
                    plugin: src.clone(),
                    golden: toml.with_extension("ndjson"),
                    name,
                    toml,
                });
            }
            if cases.len() == before && only.is_empty() {
                without.push(src);
            }
        }
    }
    Ok((cases, without))
}

/// Generated captures, by configuration (several cases often share one).
#[derive(Default)]
struct Captures(HashMap<GenConfig, Vec<u8>>);

impl Captures {
    fn get(&mut self, cfg: GenConfig) -> &[u8] {
        self.0
            .entry(cfg)
            .or_insert_with_key(|c| weir_gen::generate_to_vec(c).0)
    }
}

/// Runs every case and prints a PASS/FAIL line for each; exit status 1 on any failure.
pub(super) fn run_all(a: &TestArgs) -> Result<ExitCode> {
    let (cases, without) = find(&a.dirs, &a.cases)?;
    let base_settings = match &a.data_dir {
        Some(d) if !d.is_dir() => bail!("--data-dir {}: not a directory", d.display()),
        Some(d) => {
            SettingsFile::load(&weir_script::settings::file_in(d)).map_err(|e| anyhow!(e))?
        }
        None => SettingsFile::default(),
    };
    let mut out = std::io::stdout().lock();
    let mut captures = Captures::default();
    let (mut passed, mut failed) = (0usize, 0usize);
    for p in &without {
        failed += 1;
        writeln!(
            out,
            "FAIL {}: no test case in {} (add <case>.toml and run with --update; see docs/plugins/testing.md)",
            p.key,
            p.dir.join("tests").display()
        )?;
    }
    if cases.is_empty() && without.is_empty() {
        bail!("no test case named {} found", a.cases.join(", "));
    }
    for case in &cases {
        let label = format!("{}/{}", case.plugin.key, case.name);
        let (verdict, description, outcome) = match run_case(a, case, &base_settings, &mut captures)
        {
            Ok((v, d, o)) => (v, d, Some(o)),
            Err(e) => (Verdict::Fail(format!("{e:#}")), String::new(), None),
        };
        let about = if description.is_empty() {
            String::new()
        } else {
            format!("  ({description})")
        };
        match verdict {
            Verdict::Pass(n) => {
                passed += 1;
                writeln!(out, "PASS {label}: {n} event(s){about}")?;
            }
            Verdict::Updated(n) => {
                passed += 1;
                writeln!(
                    out,
                    "UPDATED {label}: wrote {n} event(s) to {}{about}",
                    case.golden.display()
                )?;
            }
            Verdict::Fail(why) => {
                failed += 1;
                writeln!(out, "FAIL {label}: {why}")?;
                if let Some(o) = outcome.filter(|o| !o.output.is_empty()) {
                    let text = String::from_utf8_lossy(&o.output);
                    let lines: Vec<&str> = text.lines().collect();
                    let from = lines.len().saturating_sub(40);
                    writeln!(
                        out,
                        "  script output (last {} of {} line(s)):",
                        lines.len() - from,
                        lines.len()
                    )?;
                    for l in lines.get(from..).unwrap_or_default() {
                        writeln!(out, "  | {l}")?;
                    }
                }
            }
        }
    }
    writeln!(
        out,
        "{} case(s): {passed} passed, {failed} failed",
        passed + failed
    )?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The syslog messages of a case file: one per non-empty line, `#` starts a comment.
fn syslog_lines(path: &Path) -> Result<Vec<SyslogLine>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("[syslog] file {}: cannot read", path.display()))?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| SyslogLine {
            origin: format!("{}:{}", path.display(), i + 1),
            text: l.to_owned(),
        })
        .collect())
}

fn run_case(
    a: &TestArgs,
    case: &Case,
    base: &SettingsFile,
    captures: &mut Captures,
) -> Result<(Verdict, String, Outcome)> {
    let text = std::fs::read_to_string(&case.toml)
        .with_context(|| format!("{}: cannot read", case.toml.display()))?;
    let cf: CaseFile = toml::from_str(&text).map_err(|e| {
        let msg: Vec<String> = e
            .to_string()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        anyhow!("{}: {}", case.toml.display(), msg.join(" "))
    })?;
    if cf.capture.is_none() && cf.syslog.is_none() {
        bail!(
            "{}: nothing to run: give a [capture] table, a [syslog] file, or both",
            case.toml.display()
        );
    }
    let mut engine = EngineConfig::default();
    for n in &cf.engine.local_networks {
        engine.local_networks.push(n.parse().map_err(|_| {
            anyhow!(
                "{}: engine.local_networks: `{n}` is not a CIDR network",
                case.toml.display()
            )
        })?);
    }
    if let Some(m) = cf.engine.max_flows {
        engine.max_flows = m;
    }
    if let Some(m) = cf.engine.max_hosts {
        engine.max_hosts = m;
    }
    let scratch = Scratch::new("plugin-case")?;
    {
        let dir = &case.plugin.dir;
        let mut lc = weir_pipeline::config::Config {
            data_dir: scratch.path().to_path_buf(),
            ..Default::default()
        };
        lc.lists.blocklists = cf
            .engine
            .blocklists
            .iter()
            .map(|p| weir_pipeline::config::ListFile {
                name: p.display().to_string(),
                path: dir.join(p),
                kind: "auto".into(),
            })
            .collect();
        lc.categories.files = cf.engine.categories.iter().map(|p| dir.join(p)).collect();
        for p in &cf.engine.geoip_db {
            if p.as_os_str() == "$WEIR_GEOLITE2_CITY" {
                match std::env::var_os("WEIR_GEOLITE2_CITY") {
                    Some(v) => lc.geoip.databases.push(PathBuf::from(v)),
                    None => bail!(
                        "{}: needs the GeoLite2 database: WEIR_GEOLITE2_CITY is not set (cargo xtask setup downloads it)",
                        case.toml.display()
                    ),
                }
            } else {
                lc.geoip.databases.push(dir.join(p));
            }
        }
        engine.lookups = weir_pipeline::lookups::build(&lc);
    }
    let mut settings = base.clone();
    if let Some(s) = &cf.scripts {
        for (id, entry) in &s.script {
            settings.script.insert(id.clone(), entry.clone());
        }
    }
    if !settings.script.is_empty() {
        settings
            .save(&weir_script::settings::file_in(scratch.path()))
            .map_err(|e| anyhow!(e))?;
    }
    let syslog = match &cf.syslog {
        Some(s) => {
            let dir = case.toml.parent().unwrap_or(Path::new("."));
            syslog_lines(&dir.join(&s.file))?
        }
        None => Vec::new(),
    };
    let plan = Plan {
        roots: vec![case.plugin.dir.clone()],
        engine,
        working_dir: scratch.path().to_path_buf(),
        output: if a.script_output_stderr {
            Output::Stderr
        } else {
            Output::Buffer
        },
        reload_at: a.reload_at,
    };
    let name = case.toml.display().to_string();
    let outcome = match &cf.capture {
        Some(c) => {
            let scenarios = Scenarios::from_names(&c.scenarios)
                .map_err(|e| anyhow!("{}: capture.scenarios: {e}", case.toml.display()))?;
            let bytes = captures.get(GenConfig {
                flows: c.flows,
                seed: c.seed,
                duration_secs: c.duration_secs,
                scenarios,
                ..GenConfig::default()
            });
            execute(&plan, Input::Capture(&name, bytes), &syslog)?
        }
        None => execute(&plan, Input::Nothing, &syslog)?,
    };
    let d = cf.description.clone();
    let verdict = judge(a, case, &cf, &outcome)?;
    Ok((verdict, d, outcome))
}

fn judge(a: &TestArgs, case: &Case, cf: &CaseFile, o: &Outcome) -> Result<Verdict> {
    let errors: Vec<String> = o.report.errors().map(ToString::to_string).collect();
    if !errors.is_empty() {
        return Ok(Verdict::Fail(format!(
            "the plugin does not load cleanly:\n  {}",
            errors.join("\n  ")
        )));
    }
    if o.report.plugins.iter().all(|p| p.key != case.plugin.key) {
        return Ok(Verdict::Fail(format!(
            "plugin {} was not loaded (disabled by its manifest?)",
            case.plugin.key
        )));
    }
    if !o.unhandled.is_empty() {
        return Ok(Verdict::Fail(o.unhandled.join("; ")));
    }
    let mine = |evs: &[Value]| evs.iter().filter(|e| from_plugin(e)).count();
    if a.update {
        if cf.expect_events && mine(&o.events) == 0 {
            return Ok(Verdict::Fail(format!(
                "the plugin did nothing on this case ({} event(s), none of its own), so {} \
                 was not written; fix the case, or set expect_events = false if that is the point",
                o.events.len(),
                case.golden.display()
            )));
        }
        write_golden(&case.golden, &o.events)?;
        return Ok(Verdict::Updated(o.events.len()));
    }
    if !case.golden.exists() {
        return Ok(Verdict::Fail(format!(
            "no golden file {}: run `weir plugins test {} --update` once and review it",
            case.golden.display(),
            case.plugin.dir.display()
        )));
    }
    let want = read_golden(&case.golden)?;
    if cf.expect_events && mine(&want) == 0 {
        return Ok(Verdict::Fail(format!(
            "{} holds no event of the plugin: an empty golden file tests nothing (set \
             expect_events = false in the case if that is the point)",
            case.golden.display()
        )));
    }
    Ok(match difference(&want, &o.events) {
        None => Verdict::Pass(o.events.len()),
        Some(d) => Verdict::Fail(format!("events differ from {}: {d}", case.golden.display())),
    })
}
