//! Building a VM from plugin sources: manifests, alert definitions (all plugins),
//! status definitions (all plugins), then per plugin locales and user scripts
//! (spec plugins.md §4). Every problem names plugin, file and line; the rest loads.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, Table, Value};
use weir_alerts::Registry;

use crate::config::{FlowHook, ScriptConfig};
use crate::error::{LuaFailure, Problem, chunk_name};
use crate::info::{PluginInfo, ScriptInfo};
use crate::plugin::PluginSource;
use crate::state::ScriptCtx;
use crate::vm::{self, Budget, Parts, VmSettings};

mod definitions;
mod scripts;

use definitions::{MAKE_CREATE, builtin_definitions};
pub use scripts::SUBDIRS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Hooks,
    CheckModule,
}

pub(crate) struct Script {
    pub info: ScriptInfo,
    pub ctx: ScriptCtx,
    pub conf: Table,
    /// Bumped whenever [`Script::set_conf`] installs a different configuration table:
    /// what the prefilter compares to know its bounds and lists are still current
    /// (cheaper than asking Lua for the table's address on every flow).
    pub conf_gen: u64,
    pub env: Table,
    pub l4: Option<u8>,
    pub l7: Option<u16>,
    pub twh: bool,
    /// Conditions checked in Rust before a flow hook enters Lua.
    pub prefilter: Option<crate::prefilter::Prefilter>,
    /// Host and network scripts: the threshold checked in Rust before a tick enters Lua.
    pub entity_prefilter: Option<crate::prefilter::entity::EntityPrefilter>,
    pub prio: i64,
    pub teardown: Option<Function>,
    pub last_alert: Option<u64>,
    pub table: Table,
    pub local_only: bool,
    /// `periodic_update_seconds`.
    pub period: Option<u64>,
    /// The `default_value` table as the script gave it.
    pub default_conf: Table,
    /// The configuration model.
    pub model: crate::settings::ScriptModel,
    /// Disabled by its settings (flow and syslog scripts: the `all` key).
    pub off: bool,
    /// In the hook lists (passed the load-time filters and `setup()`).
    pub attached: bool,
    /// Effective `script_conf` per granularity index (entity scripts).
    pub gconf: [Option<Table>; 4],
    /// Enabled per granularity index (entity scripts).
    pub genabled: [bool; 4],
    /// Entity overrides, most specific first.
    pub overrides: Vec<Override>,
    /// Cost counters per hook slot: flow hooks by [`FlowHook`] index, entity hooks by
    /// granularity index, syslog in slot 0.
    pub meters: [crate::info::Meter; 4],
}

impl Script {
    /// Installs `t` as the script's configuration (`conf_gen` moves if it is another
    /// table than the current one).
    pub(crate) fn set_conf(&mut self, t: Table) {
        if t.to_pointer() != self.conf.to_pointer() {
            self.conf_gen += 1;
        }
        self.conf = t;
    }

    /// The script's info with its cost per hook filled in.
    pub(crate) fn report(&self) -> ScriptInfo {
        let mut info = self.info.clone();
        info.cost = self
            .meters
            .iter()
            .enumerate()
            .filter(|(_, m)| m.calls > 0)
            .map(|(i, m)| m.report(slot_name(&self.info.subdir, i)))
            .collect();
        info
    }
}

/// The name of hook slot `i` of a script in `subdir` (see [`Script::meters`]).
fn slot_name(subdir: &str, i: usize) -> &'static str {
    if subdir == "flow" {
        FlowHook::ALL.get(i).map_or("?", |h| h.name())
    } else if entity_index(subdir).is_some() {
        ["min", "5mins", "hour", "day"]
            .get(i)
            .copied()
            .unwrap_or("?")
    } else {
        "handleEvent"
    }
}

/// Settings of a script for the entities in `net`.
pub(crate) struct Override {
    pub net: weir_flow::IpNet,
    pub conf: [Option<Table>; 4],
    pub enabled: [bool; 4],
}

/// Entity script types run on ticks: index in [`Vm::entity_hooks`].
pub(crate) fn entity_index(subdir: &str) -> Option<usize> {
    match subdir {
        "host" => Some(0),
        "interface" => Some(1),
        "network" => Some(2),
        "system" => Some(3),
        _ => None,
    }
}

/// Granularity index (`min` 0, `5mins` 1, `hour` 2, `day` 3).
pub(crate) fn gran_index(name: &str) -> Option<usize> {
    ["min", "5mins", "hour", "day"]
        .iter()
        .position(|g| *g == name)
}

pub(crate) struct EntityEntry {
    pub script: usize,
    pub func: Function,
}

/// A hook of a script before it joins the per-hook lists.
type HookFn = (FlowHook, Function, Kind);

pub(crate) struct HookEntry {
    pub script: usize,
    pub func: Function,
    pub kind: Kind,
}

pub(crate) struct Vm {
    pub lua: Lua,
    pub scripts: Vec<Script>,
    pub hooks: [Vec<HookEntry>; 4],
    /// Entity hooks by [`entity_index`] and [`gran_index`].
    pub entity_hooks: [[Vec<EntityEntry>; 4]; 4],
    /// Syslog `handleEvent` by script key (= producer): script, function, and
    /// whether it takes only the message (doc/4.0 form).
    pub syslog: std::collections::HashMap<String, (usize, Function, bool)>,
    pub budget: Rc<Budget>,
    pub plugins: Vec<PluginInfo>,
    pub problems: Vec<Problem>,
    pub sources: Vec<PluginSource>,
    pub registry: Arc<Registry>,
    /// `alert_consts.alert_entities`.
    pub alert_entities: Table,
    /// Interned keys of the entity hook `params`.
    pub keys: ParamKeys,
}

/// Strings of the entity hook `params` table, created once per VM (pushing a Rust
/// `&str` interns the string at every call).
pub(crate) struct ParamKeys {
    /// The granularity names (`params.granularity`) by granularity index.
    pub gran: [mlua::LuaString; 4],
}

impl ParamKeys {
    fn new(lua: &Lua) -> mlua::Result<ParamKeys> {
        let s = |x: &str| lua.create_string(x);
        Ok(ParamKeys {
            gran: [s("min")?, s("5mins")?, s("hour")?, s("day")?],
        })
    }
}

struct Loader {
    lua: Lua,
    w: Table,
    budget: Rc<Budget>,
    registry: Registry,
    problems: Vec<Problem>,
    scripts: Vec<Script>,
    keys: HashSet<(String, String)>,
    make_create: Function,
    pending: Vec<(usize, Vec<HookFn>)>,
    pending_entity: Vec<(usize, usize, usize, Function)>,
    syslog: std::collections::HashMap<String, (usize, Function, bool)>,
    settings: crate::settings::SettingsFile,
}

impl Loader {
    fn env(&self, plugin: &PluginSource) -> mlua::Result<Table> {
        plugin_env(&self.lua, plugin)
    }

    /// Runs a plugin file in `env` under the budget; the error text carries file:line.
    fn run(
        &self,
        p: &PluginSource,
        file: &str,
        src: &str,
        env: Table,
    ) -> Result<Value, LuaFailure> {
        self.budget.reset();
        self.lua
            .load(src)
            .set_name(chunk_name(&p.base(), file))
            .set_mode(ChunkMode::Text)
            .set_environment(env)
            .eval::<Value>()
            .map_err(|e| LuaFailure(crate::diag::error_text(&e, &p.base(), file)))
    }

    fn err(&mut self, plugin: &str, file: &str, msg: impl Into<String>) {
        self.problems.push(Problem::error(plugin, file, msg));
    }

    fn warn(&mut self, plugin: &str, file: &str, msg: impl Into<String>) {
        self.problems.push(Problem::warning(plugin, file, msg));
    }

    fn manifest(&mut self, p: &PluginSource) -> Option<PluginInfo> {
        let mut info = PluginInfo {
            key: p.key.clone(),
            title: p.key.clone(),
            description: String::new(),
            author: String::new(),
            dir: p.base(),
            replaces: p.replaces.clone(),
            alert_definitions: Vec::new(),
            status_definitions: Vec::new(),
            kept_previous_version: None,
        };
        let Some(src) = p.files.get("manifest.lua") else {
            return Some(info);
        };
        let env = self.env(p).ok()?;
        let t = match self.run(p, "manifest.lua", src, env) {
            Ok(Value::Table(t)) => t,
            Ok(_) => {
                self.err(
                    &p.key,
                    "manifest.lua",
                    "manifest must return a table; plugin skipped",
                );
                return None;
            }
            Err(e) => {
                self.err(&p.key, "manifest.lua", format!("{e}; plugin skipped"));
                return None;
            }
        };
        if t.get::<Option<bool>>("disabled").ok().flatten() == Some(true) {
            self.warn(&p.key, "manifest.lua", "plugin disabled by its manifest");
            return None;
        }
        for field in ["title", "description", "author"] {
            match t.get::<Option<String>>(field) {
                Ok(Some(v)) => match field {
                    "title" => info.title = v,
                    "description" => info.description = v,
                    _ => info.author = v,
                },
                _ => {
                    self.err(
                        &p.key,
                        "manifest.lua",
                        format!("missing mandatory field `{field}`; plugin skipped"),
                    );
                    return None;
                }
            }
        }
        Some(info)
    }

    fn dependencies(&self, p: &PluginSource) -> Vec<String> {
        let Some(src) = p.files.get("manifest.lua") else {
            return Vec::new();
        };
        let Ok(env) = self.env(p) else {
            return Vec::new();
        };
        match self.run(p, "manifest.lua", src, env) {
            Ok(Value::Table(t)) => t
                .get::<Option<Vec<String>>>("dependencies")
                .ok()
                .flatten()
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn locales(&mut self, p: &PluginSource) -> mlua::Result<()> {
        let locales: Table = self.w.raw_get("locales")?;
        for (file, src) in p.files_in("locales") {
            let lang = stem(file);
            let env = self.env(p)?;
            match self.run(p, file, src, env) {
                Ok(Value::Table(t)) => {
                    let tbl = match locales.raw_get::<Value>(lang)? {
                        Value::Table(x) => x,
                        _ => {
                            let x = self.lua.create_table()?;
                            locales.raw_set(lang, x.clone())?;
                            x
                        }
                    };
                    tbl.raw_set(p.key.as_str(), t)?;
                }
                Ok(_) => self.err(&p.key, file, "locale file must return a table"),
                Err(e) => self.err(&p.key, file, e),
            }
        }
        Ok(())
    }

    /// `ts_schemas/<gran>.lua`: each file in its own environment; the schemas it
    /// declares are registered once it has run (plugins.md §14).
    fn ts_schemas(&mut self, p: &PluginSource) -> mlua::Result<()> {
        for (file, src) in p.files_in("ts_schemas") {
            let env = self.env(p)?;
            let ran = self.run(p, file, src, env);
            let found = crate::timeseries::after_schema_file(&self.lua, &p.key, file, ran.is_err());
            if let Err(e) = ran {
                self.err(&p.key, file, e);
            }
            self.problems.extend(found);
        }
        Ok(())
    }

    /// Endpoint modules are run in their own thread and VM
    /// ([`crate::spawn_lua_endpoint`]); here they are only validated.
    fn endpoints(&mut self, p: &PluginSource) -> mlua::Result<()> {
        for (file, src) in p.files_in("alert_endpoints") {
            let env = self.env(p)?;
            match self.run(p, file, src, env) {
                Ok(Value::Table(t)) => {
                    if t.get::<Option<Function>>("dequeueRecipientAlerts")
                        .ok()
                        .flatten()
                        .is_none()
                    {
                        self.err(
                            &p.key,
                            file,
                            "endpoint module without dequeueRecipientAlerts()",
                        );
                    }
                }
                Ok(_) => self.err(&p.key, file, "endpoint module must return a table"),
                Err(e) => self.err(&p.key, file, e),
            }
        }
        Ok(())
    }
}

/// A fresh environment for a file of `plugin`: globals through `__index`, its own
/// `_G`, and a `require` that sees the built-in modules and the plugin's `modules/`.
pub(crate) fn plugin_env(lua: &Lua, plugin: &PluginSource) -> mlua::Result<Table> {
    let env = lua.create_table()?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", lua.globals())?;
    env.set_metatable(Some(meta))?;
    env.raw_set("_G", env.clone())?;
    env.raw_set("require", require_fn(lua, plugin)?)?;
    Ok(env)
}

fn require_fn(lua: &Lua, plugin: &PluginSource) -> mlua::Result<Function> {
    let modules: BTreeMap<String, String> = plugin
        .files_in("modules")
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let base = plugin.base();
    let cache = lua.create_table()?;
    // Module files get this same `require` (kept in a table the closure can reach).
    let this = lua.create_table()?;
    let this_in = this.clone();
    let f = lua.create_function(move |lua, name: Value| {
        let Value::String(name) = name else {
            return Err(mlua::Error::RuntimeError(format!(
                "{}: bad argument #1 to 'require' (string expected, got {})",
                crate::diag::caller_location(lua),
                name.type_name()
            )));
        };
        let name = name.to_string_lossy();
        let loaded: Table = lua
            .globals()
            .raw_get::<Table>("package")?
            .raw_get::<Table>("loaded")?;
        if let Value::Table(t) = loaded.raw_get::<Value>(name.as_str())? {
            return Ok(Value::Table(t));
        }
        if let v @ (Value::Table(_) | Value::Function(_)) = cache.raw_get::<Value>(name.as_str())? {
            return Ok(v);
        }
        let file = format!("modules/{}.lua", name.replace('.', "/"));
        if let Some(src) = modules.get(&file) {
            let env = lua.create_table()?;
            let meta = lua.create_table()?;
            meta.raw_set("__index", lua.globals())?;
            env.set_metatable(Some(meta))?;
            env.raw_set("require", this_in.raw_get::<Value>(1)?)?;
            let v: Value = lua
                .load(src.as_str())
                .set_name(chunk_name(&base, &file))
                .set_mode(ChunkMode::Text)
                .set_environment(env)
                .call(name.as_str())?;
            let v = if v.is_nil() { Value::Boolean(true) } else { v };
            cache.raw_set(name.as_str(), v.clone())?;
            return Ok(v);
        }
        if let Some(v) =
            crate::plugin_dirs::require_from_data_dirs(lua, &name, this_in.raw_get(1)?)?
        {
            cache.raw_set(name.as_str(), v.clone())?;
            return Ok(v);
        }
        Err(mlua::Error::RuntimeError(format!(
            "{}: module '{name}' not found (weir provides {}, the plugin's modules/ directory and package.path entries inside the plugins' data directories)",
            crate::diag::caller_location(lua),
            vm::BUILTIN_MODULES.join(", ")
        )))
    })?;
    this.raw_set(1, f.clone())?;
    Ok(f)
}

fn stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".lua").unwrap_or(name)
}

/// Builds a VM with these plugins.
pub(crate) fn build(
    cfg: &ScriptConfig,
    parts: &Parts,
    sources: &[PluginSource],
) -> crate::Result<Vm> {
    let budget = Rc::new(Budget::new(
        cfg.instruction_budget,
        cfg.wall_limit,
        cfg.memory_limit,
    ));
    let settings = VmSettings {
        memory_limit: cfg.memory_limit,
        count_hook: cfg.instruction_budget > 0,
        budget: budget.clone(),
        installdir: cfg.install_dir.display().to_string(),
        workingdir: cfg.working_dir.display().to_string(),
        ifid: cfg.ifid,
        ifname: cfg.ifname.clone(),
    };
    let (lua, w) = vm::new_vm(&settings, parts)?;
    crate::plugin_dirs::register(&lua, sources);
    crate::timeseries::configure(&lua, cfg.timeseries.as_ref());
    let make_create: Function = lua
        .load(MAKE_CREATE)
        .set_name("=weir/definitions.lua")
        .set_mode(ChunkMode::Text)
        .into_function()?;
    let make_create = lua.create_function(move |_, (kind, def): (String, Table)| {
        make_create.call::<Function>((kind, def))
    })?;
    let mut l = Loader {
        lua,
        w,
        budget: budget.clone(),
        registry: Registry::with_builtins(),
        problems: Vec::new(),
        scripts: Vec::new(),
        keys: HashSet::new(),
        make_create,
        pending: Vec::new(),
        pending_entity: Vec::new(),
        syslog: std::collections::HashMap::new(),
        settings: crate::settings::SettingsFile::load(&crate::settings::file_in(&cfg.working_dir))
            .unwrap_or_default(),
    };
    builtin_definitions(&l)?;

    // 1. Manifests and dependencies (no transitive resolution, plugins.md §4).
    let mut infos: Vec<(usize, PluginInfo)> = Vec::new();
    let mut deps_of: Vec<Vec<String>> = Vec::new();
    for (i, p) in sources.iter().enumerate() {
        deps_of.push(l.dependencies(p));
        if let Some(info) = l.manifest(p) {
            infos.push((i, info));
        }
    }
    let no_deps: HashSet<String> = infos
        .iter()
        .filter(|(i, _)| deps_of[*i].is_empty())
        .map(|(_, info)| info.key.clone())
        .collect();
    let mut accepted: Vec<(usize, PluginInfo)> = Vec::new();
    for (i, info) in infos {
        let missing: Vec<&String> = deps_of[i]
            .iter()
            .filter(|d| !no_deps.contains(*d))
            .collect();
        if missing.is_empty() {
            accepted.push((i, info));
        } else {
            let m: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            l.err(
                &info.key,
                "manifest.lua",
                format!(
                    "unknown or unresolvable dependencies: {}; plugin skipped",
                    m.join(", ")
                ),
            );
        }
    }
    // Plugins without dependencies first.
    accepted.sort_by_key(|(i, _)| !deps_of[*i].is_empty());
    // 2. Alert definitions of all plugins, 3. status definitions of all plugins.
    for (i, info) in &mut accepted {
        l.alert_definitions(&sources[*i], info)?;
    }
    for (i, info) in &mut accepted {
        l.status_definitions(&sources[*i], info)?;
    }
    // 4. Per plugin: locales, user scripts, endpoints.
    for (i, _) in &accepted {
        let p = &sources[*i];
        l.locales(p)?;
        l.ts_schemas(p)?;
        l.user_scripts(p)?;
        l.endpoints(p)?;
    }
    let mut hooks: [Vec<HookEntry>; 4] = Default::default();
    for (idx, funcs) in std::mem::take(&mut l.pending) {
        for (h, f, kind) in funcs {
            hooks[h as usize].push(HookEntry {
                script: idx,
                func: f,
                kind,
            });
        }
    }
    let mut entity_hooks: [[Vec<EntityEntry>; 4]; 4] = Default::default();
    for (idx, e, g, f) in std::mem::take(&mut l.pending_entity) {
        entity_hooks[e][g].push(EntityEntry {
            script: idx,
            func: f,
        });
    }
    for lists in &mut entity_hooks {
        for list in lists.iter_mut() {
            list.sort_by(|a, b| {
                l.scripts[a.script]
                    .info
                    .key
                    .cmp(&l.scripts[b.script].info.key)
            });
        }
    }
    for list in &mut hooks {
        list.sort_by(|a, b| {
            let (sa, sb) = (&l.scripts[a.script], &l.scripts[b.script]);
            sb.prio
                .cmp(&sa.prio)
                .then_with(|| sa.info.key.cmp(&sb.info.key))
        });
    }
    let mut problems = std::mem::take(&mut l.problems);
    crate::plugin::locate(&mut problems, sources);
    let alert_entities: Table = l
        .lua
        .globals()
        .raw_get::<Table>("package")?
        .raw_get::<Table>("loaded")?
        .raw_get::<Table>("alert_consts")?
        .raw_get("alert_entities")?;
    let keys = ParamKeys::new(&l.lua)?;
    Ok(Vm {
        keys,
        alert_entities,
        lua: l.lua,
        scripts: l.scripts,
        hooks,
        entity_hooks,
        syslog: std::mem::take(&mut l.syslog),
        budget,
        plugins: accepted.into_iter().map(|(_, i)| i).collect(),
        problems,
        sources: sources.to_vec(),
        registry: Arc::new(l.registry),
    })
}
