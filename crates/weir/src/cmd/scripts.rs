//! `weir scripts list|show|enable|disable|set`: the configuration of user scripts
//! (`scripts.toml` in the data directory), validated against each script's `gui`
//! model. A running `weir run` applies a change at its next hook call.
//! `weir scripts stats`: what each script cost in the running or last `weir run`
//! (`scripts-stats.json` in the data directory).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use serde_json::{Value as Json, json};
use weir_script::settings::{self, ScriptModel, SettingsFile};
use weir_script::{Output, Runtime, ScriptConfig};

/// Arguments of `weir scripts`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
    #[command(flatten)]
    pub common: Common,
}

/// Options of every `weir scripts` subcommand.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Data directory holding `scripts.toml`.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// A plugin directory or a directory of plugins (repeatable), besides the
    /// built-in plugins.
    #[arg(long, global = true)]
    pub plugins: Vec<PathBuf>,
    /// Leave out the built-in plugins.
    #[arg(long, global = true)]
    pub no_builtin_plugins: bool,
}

/// `weir scripts` subcommands.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// List the user scripts with their state and configuration.
    List {
        /// Only this subdirectory (host, network, interface, system, flow, syslog,
        /// snmp_device).
        #[arg(long)]
        subdir: Option<String>,
        /// JSON output (one array).
        #[arg(long)]
        json: bool,
    },
    /// Show a script's model (gui, defaults), settings and effective configuration.
    Show {
        /// Script key, or `subdir/key`.
        key: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Enable a script (or, with --entity, for that host or network only).
    Enable {
        /// Script key, or `subdir/key`.
        key: String,
        /// Only for this host IP or CIDR network.
        #[arg(long, value_name = "CIDR|IP")]
        entity: Option<String>,
    },
    /// Disable a script (or, with --entity, for that host or network only).
    Disable {
        /// Script key, or `subdir/key`.
        key: String,
        /// Only for this host IP or CIDR network.
        #[arg(long, value_name = "CIDR|IP")]
        entity: Option<String>,
    },
    /// Set a field of a script's configuration: `threshold`, `operator`, `items`, …
    /// for every hook, or `min.threshold` for one granularity; `enabled`.
    Set {
        /// Script key, or `subdir/key`.
        key: String,
        /// Field, optionally prefixed by a granularity (`min.threshold`).
        field: String,
        /// Value (number, true/false, a comma-separated or JSON list, text).
        value: String,
        /// Only for this host IP or CIDR network.
        #[arg(long, value_name = "CIDR|IP")]
        entity: Option<String>,
    },
    /// What each script cost in the running or last `weir run` on this data
    /// directory: calls, total and mean time, slowest call and memory per script and
    /// hook, costliest first (`scripts-stats.json`, rewritten every 5 s and at the end).
    Stats {
        /// Only this interface.
        #[arg(long)]
        interface: Option<String>,
        /// JSON output (the stats file, scripts sorted costliest first).
        #[arg(long)]
        json: bool,
    },
    /// Remove a setting: the field (or, without FIELD, every setting of the script or
    /// of the entity override).
    Unset {
        /// Script key, or `subdir/key`.
        key: String,
        /// Field, optionally prefixed by a granularity.
        field: Option<String>,
        /// Only for this host IP or CIDR network.
        #[arg(long, value_name = "CIDR|IP")]
        entity: Option<String>,
    },
}

/// Runs `weir scripts`.
///
/// # Errors
/// User errors (unknown script, invalid value, unreadable settings) as one line.
pub fn run(args: &Args) -> Result<ExitCode> {
    if let Cmd::Stats { interface, json } = &args.cmd {
        return stats(&args.common.data_dir, interface.as_deref(), *json);
    }
    let models = models(&args.common)?;
    let path = settings::file_in(&args.common.data_dir);
    let mut file = SettingsFile::load(&path).map_err(|e| anyhow!(e))?;
    match &args.cmd {
        Cmd::List { subdir, json } => list(&models, &file, subdir.as_deref(), *json),
        Cmd::Show { key, json } => show(find(&models, key)?, &file, *json),
        Cmd::Enable { key, entity } | Cmd::Disable { key, entity } => {
            let on = matches!(args.cmd, Cmd::Enable { .. });
            let m = find(&models, key)?;
            set_field(m, &mut file, "enabled", &Json::Bool(on), entity.as_deref())?;
            file.save(&path).map_err(|e| anyhow!(e))?;
            crate::out::outln!(
                "{}: {}{}",
                m.id(),
                if on { "enabled" } else { "disabled" },
                entity_note(entity.as_deref())
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Set {
            key,
            field,
            value,
            entity,
        } => {
            let m = find(&models, key)?;
            let v = settings::parse_cli_value(value);
            let stored = set_field(m, &mut file, field, &v, entity.as_deref())?;
            file.save(&path).map_err(|e| anyhow!(e))?;
            crate::out::outln!(
                "{}: {field} = {stored}{}",
                m.id(),
                entity_note(entity.as_deref())
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Stats { interface, json } => stats(&args.common.data_dir, interface.as_deref(), *json),
        Cmd::Unset { key, field, entity } => {
            let m = find(&models, key)?;
            unset(m, &mut file, field.as_deref(), entity.as_deref())?;
            file.save(&path).map_err(|e| anyhow!(e))?;
            crate::out::outln!(
                "{}: {} unset{}",
                m.id(),
                field.as_deref().unwrap_or("all settings"),
                entity_note(entity.as_deref())
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `weir scripts stats`.
fn stats(data_dir: &std::path::Path, interface: Option<&str>, json: bool) -> Result<ExitCode> {
    use weir_pipeline::script_stats;
    let Some(mut file) = script_stats::read(data_dir)? else {
        bail!(
            "no script stats in {}: `weir run` writes {} there while it runs and when it ends \
             (is the data directory the run's? see --data-dir)",
            data_dir.display(),
            script_stats::FILE_NAME
        );
    };
    if let Some(name) = interface {
        file.interfaces.retain(|i| i.interface == name);
        if file.interfaces.is_empty() {
            bail!(
                "no script stats of interface `{name}` in {}",
                data_dir.display()
            );
        }
    }
    for i in &mut file.interfaces {
        i.scripts
            .sort_by_key(|s| (std::cmp::Reverse(s.time_ns), s.script.clone()));
        for s in &mut i.scripts {
            s.hooks.sort_by_key(|h| std::cmp::Reverse(h.time_ns));
        }
    }
    if json {
        crate::out::outln!("{}", serde_json::to_string_pretty(&file)?);
        return Ok(ExitCode::SUCCESS);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let ago = |t: u64| match now.checked_sub(t) {
        Some(d) => format!("{d} s ago"),
        None => "in the future".into(),
    };
    crate::out::outln!(
        "{}: written {} ({}) by weir (pid {})",
        data_dir.join(script_stats::FILE_NAME).display(),
        crate::cmd::ts::utc(file.written_at),
        ago(file.written_at),
        file.pid
    );
    for i in &file.interfaces {
        let m = &i.memory;
        crate::out::outln!(
            "\ninterface {} (ifid {}): {} at {} ({}); Lua VM {:.1} of {:.0} MiB, {} GC steps and {} full collections between batches, {} budget checks, {} scripts stopped for memory",
            i.interface,
            i.ifid,
            if i.finished { "finished" } else { "running" },
            crate::cmd::ts::utc(i.written_at),
            ago(i.written_at),
            m.used_bytes as f64 / 1048576.0,
            m.limit_bytes as f64 / 1048576.0,
            m.gc_steps,
            m.gc_full,
            m.budget_checks,
            m.scripts_stopped
        );
        crate::out::outln!(
            "  {:<44} {:<16} {:>10} {:>11} {:>10} {:>10} {:>10} {:>6}",
            "SCRIPT",
            "HOOK",
            "CALLS",
            "TOTAL ms",
            "MEAN µs",
            "MAX µs",
            "MEM KiB",
            "ERRORS"
        );
        for s in &i.scripts {
            let state = if s.disabled {
                format!("  [{}]", s.reason.as_deref().unwrap_or("disabled"))
            } else {
                String::new()
            };
            crate::out::outln!(
                "  {:<44} {:<16} {:>10} {:>11.1} {:>10.2} {:>10.1} {:>10} {:>6}{state}",
                format!("{}/{}", s.plugin, s.script),
                match s.hooks.as_slice() {
                    [one] => one.hook.as_str(),
                    _ => "(all)",
                },
                s.calls,
                s.time_ns as f64 / 1e6,
                s.mean_ns() as f64 / 1e3,
                s.max_ns as f64 / 1e3,
                s.alloc_bytes / 1024,
                s.errors
            );
            if s.hooks.len() > 1 {
                for h in &s.hooks {
                    crate::out::outln!(
                        "  {:<44} {:<16} {:>10} {:>11.1} {:>10.2} {:>10.1} {:>10}",
                        "",
                        h.hook,
                        h.calls,
                        h.time_ns as f64 / 1e6,
                        h.mean_ns() as f64 / 1e3,
                        h.max_ns as f64 / 1e3,
                        h.alloc_bytes / 1024
                    );
                }
            }
        }
        if i.scripts.is_empty() {
            crate::out::outln!("  (no user scripts)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn entity_note(e: Option<&str>) -> String {
    e.map(|e| format!(" (entity {e})")).unwrap_or_default()
}

/// Loads the plugins (output discarded) and returns every script's model.
fn models(c: &Common) -> Result<Vec<ScriptModel>> {
    let plugins = weir_pipeline::builtin::PluginSet::new(!c.no_builtin_plugins, &c.plugins)?;
    let (rt, _) = Runtime::load(plugins.into_config(ScriptConfig {
        output: Output::Discard,
        working_dir: c.data_dir.clone(),
        ..ScriptConfig::default()
    }))
    .map_err(|e| anyhow!("cannot start the Lua runtime: {e}"))?;
    Ok(rt.models())
}

fn find<'a>(models: &'a [ScriptModel], key: &str) -> Result<&'a ScriptModel> {
    let hits: Vec<&ScriptModel> = models
        .iter()
        .filter(|m| m.id() == key || m.key == key)
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => bail!("unknown script `{key}` (see `weir scripts list`)"),
        many => bail!(
            "`{key}` is ambiguous: {}",
            many.iter().map(|m| m.id()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// `[gran.]field` → the configuration keys it applies to and the field name.
fn hooks_of<'a>(m: &ScriptModel, field: &'a str) -> Result<(Vec<String>, &'a str)> {
    if let Some((g, f)) = field.split_once('.')
        && ["min", "5mins", "hour", "day", "all"].contains(&g)
    {
        if !m.hooks.iter().any(|h| h == g) {
            bail!(
                "{}: `{g}` is not a hook of this script (hooks: {})",
                m.id(),
                m.hooks.join(", ")
            );
        }
        return Ok((vec![g.to_owned()], f));
    }
    Ok((m.hooks.clone(), field))
}

fn set_field(
    m: &ScriptModel,
    file: &mut SettingsFile,
    field: &str,
    value: &Json,
    entity: Option<&str>,
) -> Result<Json> {
    let (hooks, name) = hooks_of(m, field)?;
    let stored = m
        .validate_field(name, value)
        .map_err(|e| anyhow!("{}: {e}", m.id()))?;
    if let Some(e) = entity {
        settings::parse_entity(e).map_err(|e| anyhow!(e))?;
    }
    let entry = file.script.entry(m.id()).or_default();
    let (enabled, conf) = match entity {
        Some(e) => {
            let o = entry.entity.entry(e.to_owned()).or_default();
            (&mut o.enabled, &mut o.conf)
        }
        None => (&mut entry.enabled, &mut entry.conf),
    };
    if name == "enabled" {
        *enabled = stored.as_bool();
    } else {
        for h in hooks {
            conf.entry(h)
                .or_default()
                .insert(name.to_owned(), stored.clone());
        }
    }
    Ok(stored)
}

fn unset(
    m: &ScriptModel,
    file: &mut SettingsFile,
    field: Option<&str>,
    entity: Option<&str>,
) -> Result<()> {
    let id = m.id();
    let Some(entry) = file.script.get_mut(&id) else {
        return Ok(());
    };
    match (field, entity) {
        (None, None) => {
            file.script.remove(&id);
            return Ok(());
        }
        (None, Some(e)) => {
            entry.entity.remove(e);
        }
        (Some(f), e) => {
            let (hooks, name) = hooks_of(m, f)?;
            let (enabled, conf) = match e {
                Some(e) => match entry.entity.get_mut(e) {
                    Some(o) => (&mut o.enabled, &mut o.conf),
                    None => return Ok(()),
                },
                None => (&mut entry.enabled, &mut entry.conf),
            };
            if name == "enabled" {
                *enabled = None;
            }
            for h in hooks {
                if let Some(c) = conf.get_mut(&h) {
                    c.remove(name);
                    if c.is_empty() {
                        conf.remove(&h);
                    }
                }
            }
        }
    }
    entry
        .entity
        .retain(|_, o| o.enabled.is_some() || !o.conf.is_empty());
    if entry.enabled.is_none() && entry.conf.is_empty() && entry.entity.is_empty() {
        file.script.remove(&id);
    }
    Ok(())
}

/// One hook's configuration as text: `gt 50`, or the JSON.
fn conf_text(conf: &Json) -> String {
    match (
        conf.get("operator").and_then(Json::as_str),
        conf.get("threshold"),
    ) {
        (op, Some(th)) if conf.as_object().is_some_and(|m| m.len() <= 2) => {
            format!("{} {th}", op.unwrap_or("gt"))
        }
        _ if conf.as_object().is_some_and(|m| m.is_empty()) => "-".into(),
        _ => conf.to_string(),
    }
}

fn note(m: &ScriptModel) -> &'static str {
    if m.subdir == "snmp_device" {
        " (no SNMP source configured: not run)"
    } else {
        ""
    }
}

fn summary(m: &ScriptModel, file: &SettingsFile) -> Json {
    let s = file.script.get(&m.id());
    let eff = settings::resolve(m, s);
    let enabled = eff.hooks.first().is_none_or(|(_, h)| h.enabled);
    let conf: serde_json::Map<String, Json> = eff
        .hooks
        .iter()
        .map(|(h, hs)| (h.clone(), hs.conf.clone()))
        .collect();
    json!({
        "id": m.id(),
        "plugin": m.plugin,
        "key": m.key,
        "subdir": m.subdir,
        "title": m.gui.title,
        "enabled": enabled,
        "configured": s.is_some(),
        "input_builder": m.gui.input_builder.name(),
        "conf": conf,
        "entity_overrides": s.map(|s| s.entity.keys().cloned().collect::<Vec<_>>()).unwrap_or_default(),
        "note": note(m).trim().trim_matches(['(', ')']),
    })
}

fn list(
    models: &[ScriptModel],
    file: &SettingsFile,
    subdir: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    use weir_script::SUBDIRS;
    if let Some(s) = subdir
        && !SUBDIRS.contains(&s)
    {
        bail!("--subdir {s:?}: one of {}", SUBDIRS.join(", "));
    }
    let mut ms: Vec<&ScriptModel> = models
        .iter()
        .filter(|m| subdir.is_none_or(|s| m.subdir == s))
        .collect();
    ms.sort_by_key(|m| m.id());
    if json {
        let v: Vec<Json> = ms.iter().map(|m| summary(m, file)).collect();
        crate::out::outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if ms.is_empty() {
        crate::out::outln!("no user scripts");
    }
    for m in ms {
        let s = summary(m, file);
        let conf: Vec<String> = s["conf"]
            .as_object()
            .map(|c| {
                c.iter()
                    .map(|(h, v)| format!("{h}: {}", conf_text(v)))
                    .collect()
            })
            .unwrap_or_default();
        let overrides = s["entity_overrides"].as_array().map_or(0, Vec::len);
        crate::out::outln!(
            "{:<36} {:<8} {}{}{}  [{}] {}{}",
            m.id(),
            if s["enabled"] == true {
                "enabled"
            } else {
                "disabled"
            },
            conf.join(", "),
            if overrides > 0 {
                format!(" (+{overrides} entity overrides)")
            } else {
                String::new()
            },
            if s["configured"] == true { " *" } else { "" },
            m.plugin,
            m.gui.title,
            note(m)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(m: &ScriptModel, file: &SettingsFile, json: bool) -> Result<ExitCode> {
    let s = file.script.get(&m.id());
    let eff = settings::resolve(m, s);
    let effective = |hooks: &[(String, settings::HookSettings)]| -> Json {
        hooks
            .iter()
            .map(|(h, hs)| (h.clone(), json!({"enabled": hs.enabled, "conf": hs.conf})))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let overrides: serde_json::Map<String, Json> = eff
        .overrides
        .iter()
        .map(|(n, h)| (n.to_string(), effective(h)))
        .collect();
    let v = json!({
        "model": m,
        "settings": s,
        "effective": effective(&eff.hooks),
        "entity_overrides": overrides,
    });
    if json {
        crate::out::outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let g = &m.gui;
    crate::out::outln!("{} ({}){}", m.id(), m.plugin, note(m));
    crate::out::outln!("  title:          {}", g.title);
    if !g.description.is_empty() {
        crate::out::outln!("  description:    {}", g.description);
    }
    crate::out::outln!("  input builder:  {}", g.input_builder.name());
    let range = match (g.field_min, g.field_max) {
        (None, None) => None,
        (a, b) => Some(format!(
            "{}..{}",
            a.map(|x| x.to_string()).unwrap_or_default(),
            b.map(|x| x.to_string()).unwrap_or_default()
        )),
    };
    if let Some(r) = range {
        crate::out::outln!("  threshold:      {r}");
    }
    if let Some(u) = &g.unit {
        crate::out::outln!("  unit:           {u}");
    }
    if let Some(o) = g.field_operator {
        crate::out::outln!("  operator:       {} (fixed)", o.name());
    }
    if let Some(t) = &g.item_list_type {
        crate::out::outln!("  items:          {t}");
    }
    crate::out::outln!(
        "  default:        {}",
        if m.default_enabled {
            "enabled"
        } else {
            "disabled"
        }
    );
    for (h, d) in &m.defaults {
        crate::out::outln!("  default {h:<6}  {}", conf_text(d));
    }
    for (h, hs) in &eff.hooks {
        crate::out::outln!(
            "  {h:<14}  {} {}",
            if hs.enabled { "enabled " } else { "disabled" },
            conf_text(&hs.conf)
        );
    }
    for (n, hooks) in &eff.overrides {
        for (h, hs) in hooks {
            crate::out::outln!(
                "  {n} {h}: {} {}",
                if hs.enabled { "enabled" } else { "disabled" },
                conf_text(&hs.conf)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
