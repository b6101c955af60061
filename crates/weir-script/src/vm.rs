//! The sandboxed Lua VM: standard library allow-list, budgets, output, the internal
//! `W` table handed to the built-in modules, and the modules plugins `require`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::chunk::ChunkMode;
use mlua::{HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, VmState};
use weir_alerts::{
    Entity, EntityKind, Granularity, NTOPNG_ALERT_KEYS, NTOPNG_STATUS_KEYS, Severity, TypeInfo,
    USER_ALERT_KEYS, USER_STATUS_KEYS,
};
use weir_flow::Proto;

use crate::config::ScriptConfig;
use crate::diag::{api_error, caller_location};
use crate::entity::{HostBinding, HostRef};
use crate::error::{Misuse, misuse};
use crate::flow_status::SinkRef;
use crate::flow_view::{FlowRef, FlowState};
use crate::json;
use crate::state::{AlertRef, AlertState, CallRef, CallState, Cells, OutRef};

/// The cells the Rust functions of one VM share with the runtime, one per part:
/// script output, the current call, the alert engine, the flow binding, the entity
/// binding and the flow-status sink. Each function borrows only the cells it needs.
#[derive(Clone)]
pub(crate) struct Parts {
    pub out: OutRef,
    pub call: CallRef,
    pub alerts: AlertRef,
    pub flow: FlowRef,
    pub host: HostRef,
    pub sink: SinkRef,
}

impl Parts {
    /// Fresh cells for a runtime (or a page or endpoint VM) with these settings.
    pub fn new(cfg: &ScriptConfig) -> Parts {
        let Cells { out, call, alerts } = Cells::new(cfg);
        let networks = weir_flow::Networks::new(&cfg.local_networks);
        Parts {
            flow: Rc::new(std::cell::RefCell::new(FlowState::new(
                networks,
                call.clone(),
                alerts.clone(),
            ))),
            host: Rc::new(std::cell::RefCell::new(HostBinding::new(call.clone()))),
            sink: Rc::new(std::cell::RefCell::new(None)),
            out,
            call,
            alerts,
        }
    }
}

/// Instructions between two runs of the count hook.
pub(crate) const HOOK_EVERY: u32 = 1000;

/// Per-call budget state, reset before every Lua entry.
#[derive(Debug)]
pub(crate) struct Budget {
    ticks: Cell<u32>,
    max_ticks: u32,
    start: Cell<Option<Instant>>,
    wall: Duration,
    soft_memory: usize,
    exceeded: Cell<bool>,
    /// The count hook runs (instruction budget > 0): the wall clock is enforced.
    enforced: bool,
    /// GC steps between batches and per-script memory budgets (`memory.rs`).
    pub(crate) mem: crate::memory::guard::MemGuard,
}

impl Budget {
    pub(crate) fn new(instructions: u64, wall: Duration, memory_limit: usize) -> Budget {
        Budget {
            ticks: Cell::new(0),
            max_ticks: u32::try_from(instructions / u64::from(HOOK_EVERY))
                .unwrap_or(u32::MAX)
                .max(1),
            start: Cell::new(None),
            wall,
            soft_memory: memory_limit / 10 * 9,
            exceeded: Cell::new(false),
            enforced: instructions > 0,
            mem: crate::memory::guard::MemGuard::new(memory_limit),
        }
    }

    /// What is left of the call's wall-clock budget (`None`: not enforced). The
    /// clock starts at the first count-hook run or at the first call of this.
    pub(crate) fn wall_left(&self) -> Option<Duration> {
        if !self.enforced {
            return None;
        }
        let start = match self.start.get() {
            Some(s) => s,
            None => {
                let now = Instant::now();
                self.start.set(Some(now));
                now
            }
        };
        Some(self.wall.saturating_sub(start.elapsed()))
    }

    /// Sleeps `want` inside the wall-clock budget: a sleep past it sleeps what is
    /// left, marks the budget exceeded and returns the error the call ends with.
    pub(crate) fn sleep(&self, want: Duration) -> Result<(), String> {
        match self.wall_left() {
            Some(left) if want > left => {
                std::thread::sleep(left);
                self.exceeded.set(true);
                Err(format!(
                    "wall-clock limit of {:?} exceeded (ntop.msleep of {} ms)",
                    self.wall,
                    want.as_millis()
                ))
            }
            _ => {
                std::thread::sleep(want);
                Ok(())
            }
        }
    }

    #[inline]
    pub(crate) fn reset(&self) {
        self.ticks.set(0);
        self.start.set(None);
        self.exceeded.set(false);
    }

    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded.get()
    }
}

const MODULES: [(&str, &str); 18] = [
    ("lua_utils", include_str!("lua/lua_utils.lua")),
    ("user_scripts", include_str!("lua/user_scripts.lua")),
    ("alert_consts", include_str!("lua/alert_consts.lua")),
    ("flow_consts", include_str!("lua/flow_consts.lua")),
    ("alerts_api", include_str!("lua/alerts_api.lua")),
    ("ntop", include_str!("lua/ntop.lua")),
    ("format_utils", include_str!("lua/format_utils.lua")),
    ("alert_utils", include_str!("lua/alert_utils.lua")),
    ("plugins_utils", include_str!("lua/plugins_utils.lua")),
    ("flow_risk_utils", include_str!("lua/flow_risk_utils.lua")),
    ("storage_utils", include_str!("lua/storage_utils.lua")),
    ("system_utils", include_str!("lua/system_utils.lua")),
    ("callback_utils", include_str!("lua/callback_utils.lua")),
    (
        "companion_interface_utils",
        include_str!("lua/companion_interface_utils.lua"),
    ),
    ("snmp_utils", include_str!("lua/snmp_utils.lua")),
    ("ids_utils", include_str!("lua/ids_utils.lua")),
    ("os_utils", include_str!("lua/os_utils.lua")),
    ("lua_path_utils", include_str!("lua/lua_path_utils.lua")),
];

/// Names `require` resolves without looking at any file.
pub const BUILTIN_MODULES: [&str; 26] = [
    "flow_utils",
    "ts_utils",
    "ts_utils_core",
    "user_scripts",
    "alerts_api",
    "alert_consts",
    "alert_creators",
    "flow_consts",
    "alert_keys",
    "flow_keys",
    "lua_utils",
    "dkjson",
    "json",
    "ntop",
    "format_utils",
    "alert_utils",
    "plugins_utils",
    "flow_risk_utils",
    "storage_utils",
    "system_utils",
    "callback_utils",
    "companion_interface_utils",
    "snmp_utils",
    "ids_utils",
    "os_utils",
    "lua_path_utils",
];

/// Settings the VM needs.
pub(crate) struct VmSettings {
    pub memory_limit: usize,
    /// Install the count hook (instruction budget, soft memory limit, wall clock).
    pub count_hook: bool,
    pub budget: Rc<Budget>,
    pub installdir: String,
    pub workingdir: String,
    pub ifid: i32,
    pub ifname: String,
}

/// A fresh sandboxed VM with the built-in modules loaded. Returns the VM and the
/// internal `W` table.
pub(crate) fn new_vm(set: &VmSettings, parts: &Parts) -> mlua::Result<(Lua, Table)> {
    let lua = Lua::new_with(
        StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::UTF8 | StdLib::OS,
        LuaOptions::new(),
    )?;
    let g = lua.globals();

    // Base library: no file access, no bytecode, no raw code loading.
    for name in [
        "dofile",
        "loadfile",
        "load",
        "loadstring",
        "require",
        "module",
    ] {
        g.raw_set(name, Value::Nil)?;
    }
    let gc_count = lua.create_function(|lua, opt: Option<String>| {
        Ok(match opt.as_deref() {
            Some("count") | None => Value::Number(lua.used_memory() as f64 / 1024.0),
            _ => Value::Integer(0),
        })
    })?;
    g.raw_set("collectgarbage", gc_count)?;

    // os: only time/date/clock/difftime; io: only write (to weir's output).
    let os: Table = g.raw_get("os")?;
    let safe_os = lua.create_table()?;
    for f in ["time", "date", "clock", "difftime"] {
        safe_os.raw_set(f, os.raw_get::<Value>(f)?)?;
    }
    g.raw_set("os", safe_os)?;
    let io = lua.create_table()?;
    let (o2, c2) = (parts.out.clone(), parts.call.clone());
    let write = lua.create_function(move |lua, args: MultiValue| {
        let mut buf = Vec::new();
        for a in args.iter() {
            match a {
                Value::String(s) => buf.extend_from_slice(&s.as_bytes()),
                Value::Integer(i) => buf.extend_from_slice(i.to_string().as_bytes()),
                Value::Number(n) => buf.extend_from_slice(n.to_string().as_bytes()),
                other => {
                    if let Ok(mut s) = c2.try_borrow_mut() {
                        api_error(
                            lua,
                            &mut s,
                            "io.write",
                            &format!("string expected, got {}", other.type_name()),
                        );
                    }
                    return Ok(());
                }
            }
        }
        if let Ok(mut s) = o2.try_borrow_mut() {
            s.write(&buf);
        }
        Ok(())
    })?;
    io.raw_set("write", write.clone())?;
    g.raw_set("io", io)?;
    let s3 = parts.out.clone();
    let print = lua.create_function(move |_, args: MultiValue| {
        let mut line = String::new();
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            line.push_str(&a.to_string().unwrap_or_else(|_| a.type_name().to_owned()));
        }
        line.push('\n');
        if let Ok(mut s) = s3.try_borrow_mut() {
            s.write(line.as_bytes());
        }
        Ok(())
    })?;
    g.raw_set("print", print)?;

    // The string metatable is shared by every script: make it read-only.
    lua.load("getmetatable('').__metatable = false")
        .set_mode(ChunkMode::Text)
        .exec()?;

    // package: `path` may be assigned (seed 002), but `require` is weir's own.
    let package = lua.create_table()?;
    package.raw_set("path", "")?;
    package.raw_set("cpath", "")?;
    let loaded = lua.create_table()?;
    package.raw_set("loaded", loaded.clone())?;
    g.raw_set("package", package)?;

    // Budgets.
    lua.set_memory_limit(set.memory_limit)?;
    // Hooks create many short-lived tables (params, getter results): the generational
    // collector frees them for less work than the incremental one.
    lua.gc_set_mode(mlua::state::GcMode::Generational(Default::default()));
    let budget = set.budget.clone();
    if set.count_hook {
        lua.set_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            move |lua, debug| {
                let n = budget.ticks.get() + 1;
                budget.ticks.set(n);
                let over = if n == 1 {
                    // ntop.msleep may have started the clock already.
                    if budget.start.get().is_none() {
                        budget.start.set(Some(Instant::now()));
                    }
                    None
                } else if n > budget.max_ticks {
                    Some(format!(
                        "instruction budget exceeded (more than {} instructions)",
                        u64::from(budget.max_ticks) * u64::from(HOOK_EVERY)
                    ))
                } else if lua.used_memory() > budget.soft_memory {
                    crate::memory::guard::over_soft_limit(lua, budget.soft_memory, &budget.mem)
                } else if n.is_multiple_of(64)
                    && budget
                        .start
                        .get()
                        .is_some_and(|s| s.elapsed() > budget.wall)
                {
                    Some(format!("wall-clock limit of {:?} exceeded", budget.wall))
                } else {
                    None
                };
                match over {
                    None => Ok(VmState::Continue),
                    Some(msg) => {
                        budget.exceeded.set(true);
                        let file = crate::diag::chunk_file(&debug.source());
                        let line = debug.current_line().unwrap_or(0);
                        Err(mlua::Error::RuntimeError(format!("{file}:{line}: {msg}")))
                    }
                }
            },
        )?;
    }

    // The internal table handed to the built-in modules.
    let w = lua.create_table()?;
    w.raw_set("write", write)?;
    w.raw_set(
        "log",
        lua.create_function(move |lua, (level, msg): (i64, String)| {
            let loc = caller_location(lua);
            match level {
                0 => tracing::error!(target: "weir_script", "{loc}: {msg}"),
                1 => tracing::warn!(target: "weir_script", "{loc}: {msg}"),
                2 | 3 => tracing::info!(target: "weir_script", "{loc}: {msg}"),
                _ => tracing::debug!(target: "weir_script", "{loc}: {msg}"),
            }
            Ok(())
        })?,
    )?;
    let b2 = set.budget.clone();
    w.raw_set(
        "over_budget",
        lua.create_function(move |_, ()| Ok(b2.exceeded()))?,
    )?;
    w.raw_set(
        "clock",
        lua.create_function(move |_, ()| {
            let since_epoch = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            Ok(since_epoch)
        })?,
    )?;
    let s5 = parts.call.clone();
    w.raw_set(
        "request_reload",
        lua.create_function(move |_, ()| {
            if let Ok(mut s) = s5.try_borrow_mut() {
                s.reload_requested = true;
            }
            Ok(())
        })?,
    )?;
    let (a6, c6) = (parts.alerts.clone(), parts.call.clone());
    w.raw_set(
        "alert",
        lua.create_function(
            move |lua, (action, ent, ti, when): (String, Value, Value, Option<i64>)| {
                let msg = crate::alert_msg::for_call(lua, &a6, &c6, &action, &ent, &ti);
                let (Ok(mut a), Ok(mut c)) = (a6.try_borrow_mut(), c6.try_borrow_mut()) else {
                    return Ok(false);
                };
                match alert_call(&mut a, &c, &action, &ent, &ti, when, msg) {
                    Ok(b) => Ok(b),
                    Err(msg) => {
                        api_error(lua, &mut c, &format!("alerts_api.{action}"), &msg.0);
                        Ok(false)
                    }
                }
            },
        )?,
    )?;
    let locales = lua.create_table()?;
    locales.raw_set("en", lua.create_table()?)?;
    w.raw_set("locales", locales)?;
    w.raw_set("language", "en")?;
    w.raw_set("ifid", set.ifid)?;
    w.raw_set("ifname", set.ifname.as_str())?;
    w.raw_set("installdir", set.installdir.as_str())?;
    w.raw_set("workingdir", set.workingdir.as_str())?;
    w.raw_set("version", env!("CARGO_PKG_VERSION"))?;
    let modules = lua.create_table()?;
    w.raw_set("modules", modules.clone())?;

    lua.load(include_str!("lua/prelude.lua"))
        .set_name("=weir/prelude.lua")
        .set_mode(ChunkMode::Text)
        .call::<()>(w.clone())?;

    // Modules implemented in Rust.
    let ak = alert_keys(&lua)?;
    let fk = flow_keys(&lua)?;
    let dk = json::module(&lua)?;
    let ts = crate::timeseries::install(&lua, &parts.call)?;
    for (name, t) in [
        ("alert_keys", &ak),
        ("flow_keys", &fk),
        ("dkjson", &dk),
        ("json", &dk),
        ("ts_utils", &ts),
        ("ts_utils_core", &ts),
    ] {
        loaded.raw_set(name, t.clone())?;
        modules.raw_set(name, t.clone())?;
    }
    // Modules written in Lua.
    for (name, src) in MODULES {
        let m: Table = lua
            .load(src)
            .set_name(format!("=weir/{name}.lua"))
            .set_mode(ChunkMode::Text)
            .call(w.clone())?;
        loaded.raw_set(name, m.clone())?;
        modules.raw_set(name, m)?;
    }
    let ntop = loaded.raw_get::<Table>("ntop")?;
    crate::lists::install(&lua, &ntop, &parts.call, &set.workingdir)?;
    crate::addrlist::install(&lua, &ntop, set.memory_limit)?;
    crate::ntop_api::install(&lua, &ntop, &w, &parts.call, &parts.alerts, &set.budget)?;
    crate::plugin_dirs::install(&lua, &w, &set.workingdir, &set.installdir)?;
    crate::net_api::install(&lua, &ntop, &set.budget)?;
    g.raw_set("ntop", ntop)?;
    // 3.x check modules reach alerts_api as a global (seed 003).
    g.raw_set("alerts_api", loaded.raw_get::<Table>("alerts_api")?)?;
    let iface = interface(&lua, set)?;
    crate::entity::extend_interface(&lua, &iface, parts, set.ifid, &set.ifname)?;
    crate::entity::install_entity_fns(&lua)?;
    g.raw_set("interface", iface)?;
    g.raw_set("flow", crate::flow_api::install(&lua, &parts.flow)?)?;
    g.raw_set("host", crate::entity::install_host(&lua, &parts.host)?)?;
    g.raw_set(
        "network",
        crate::entity::install_network(&lua, &parts.host)?,
    )?;
    crate::flow_status::install(&lua, &loaded, &parts.sink, &parts.call, &parts.alerts)?;
    Ok((lua, w))
}

fn alert_keys(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let ntopng = lua.create_table()?;
    for (name, id) in NTOPNG_ALERT_KEYS {
        ntopng.raw_set(name, lua.create_sequence_from([0i64, i64::from(id)])?)?;
    }
    let user = lua.create_table()?;
    for (name, id) in USER_ALERT_KEYS {
        user.raw_set(name, lua.create_sequence_from([0i64, i64::from(id)])?)?;
    }
    t.raw_set("ntopng", ntopng)?;
    t.raw_set("user", user)?;
    t.raw_set(
        "parse_alert_key",
        lua.create_function(|_, key: Value| Ok(parse_alert_key(&key)))?,
    )?;
    Ok(t)
}

/// `alert_keys.parse_alert_key`: `{PEN, id}` → stored integer key, or nil + reason.
pub(crate) fn parse_alert_key(key: &Value) -> (Option<i64>, Option<String>) {
    let Value::Table(t) = key else {
        return (None, Some("alert_key must be a {PEN, id} table".into()));
    };
    if t.raw_len() != 2 {
        return (
            None,
            Some("alert_key must have exactly two elements".into()),
        );
    }
    let (Ok(pen), Ok(id)) = (t.raw_get::<i64>(1), t.raw_get::<i64>(2)) else {
        return (None, Some("alert_key elements must be integers".into()));
    };
    match weir_alerts::AlertKey::from_pen_id(pen, id, "") {
        Ok(k) => (Some(i64::from(k.0)), None),
        Err(e) => (None, Some(e.to_string())),
    }
}

fn flow_keys(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let ntopng = lua.create_table()?;
    for (name, k) in NTOPNG_STATUS_KEYS {
        ntopng.raw_set(name, k)?;
    }
    let user = lua.create_table()?;
    for (name, k) in USER_STATUS_KEYS {
        user.raw_set(name, k)?;
    }
    t.raw_set("ntopng", ntopng)?;
    t.raw_set("user", user)?;
    Ok(t)
}

fn interface(lua: &Lua, set: &VmSettings) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let ifid = set.ifid;
    t.raw_set("getId", lua.create_function(move |_, ()| Ok(ifid))?)?;
    let name = set.ifname.clone();
    t.raw_set(
        "getName",
        lua.create_function(move |_, ()| Ok(name.clone()))?,
    )?;
    t.raw_set("select", lua.create_function(|_, _: Value| Ok(()))?)?;
    t.raw_set("isPacketInterface", lua.create_function(|_, ()| Ok(true))?)?;
    for f in [
        "isPcapDumpInterface",
        "isView",
        "isViewed",
        "isSyslogInterface",
    ] {
        t.raw_set(f, lua.create_function(|_, ()| Ok(false))?)?;
    }
    t.raw_set(
        "getnDPIProtoId",
        lua.create_function(|_, name: String| {
            Ok(Proto::from_name(&name).map_or(-1, |p| i64::from(p.0)))
        })?,
    )?;
    t.raw_set(
        "getnDPIProtoName",
        lua.create_function(|_, id: i64| {
            Ok(u16::try_from(id).map_or("Unknown", |i| Proto(i).name()))
        })?,
    )?;
    Ok(t)
}

fn int_field(t: &Table, k: &str) -> Option<i64> {
    match t.get::<Value>(k).ok()? {
        Value::Integer(i) => Some(i),
        Value::Number(n) if n.fract() == 0.0 => Some(n as i64),
        _ => None,
    }
}

/// `alerts_api.trigger/release/store` → the alert engine.
fn alert_call(
    s: &mut AlertState,
    call: &CallState,
    action: &str,
    ent: &Value,
    ti: &Value,
    when: Option<i64>,
    msg: Option<String>,
) -> Result<bool, Misuse> {
    let Value::Table(ent) = ent else {
        return Err("argument #1 (entity_info): table expected".into());
    };
    let Value::Table(ti) = ti else {
        return Err("argument #2 (type_info): table expected".into());
    };
    let kind = ent
        .get::<Option<Table>>("alert_entity")
        .ok()
        .flatten()
        .and_then(|e| int_field(&e, "entity_id"))
        .and_then(|i| u8::try_from(i).ok())
        .and_then(EntityKind::from_id)
        .ok_or("entity_info.alert_entity: entity table expected")?;
    let value: String = ent
        .get::<Option<String>>("alert_entity_val")
        .ok()
        .flatten()
        .unwrap_or_default();
    let at = ti
        .get::<Option<Table>>("alert_type")
        .ok()
        .flatten()
        .and_then(|t| int_field(&t, "alert_key"))
        .and_then(|k| u32::try_from(k).ok())
        .ok_or("type_info.alert_type: alert definition expected")?;
    let sev = match ti.get::<Value>("alert_severity").unwrap_or(Value::Nil) {
        Value::Table(t) => int_field(&t, "severity_id")
            .and_then(|i| u8::try_from(i).ok())
            .and_then(Severity::from_id),
        Value::Nil => s
            .registry
            .alert(weir_alerts::AlertKey(at))
            .and_then(|a| a.default_severity),
        _ => None,
    }
    .ok_or("type_info.alert_severity: severity expected")?;
    let gran = match ti.get::<Value>("alert_granularity").unwrap_or(Value::Nil) {
        Value::Table(t) => int_field(&t, "granularity_id")
            .and_then(|i| u8::try_from(i).ok())
            .and_then(Granularity::from_id),
        Value::String(n) => Granularity::from_name(&n.to_string_lossy()),
        _ => None,
    };
    let mut info = TypeInfo::new(weir_alerts::AlertKey(at), sev).params(json::to_json(
        &ti.get::<Value>("alert_type_params").unwrap_or(Value::Nil),
    ));
    if let Ok(Some(st)) = ti.get::<Option<String>>("alert_subtype") {
        info = info.subtype(st);
    }
    if let Some(g) = gran {
        info = info.granularity(g);
    }
    if let Some(m) = msg {
        info = info.msg(m);
    }
    if let Some(c) = &call.script {
        info = info.generation(weir_alerts::AlertGeneration {
            script_key: c.key.to_string(),
            subdir: c.subdir.into(),
            confset_id: 0,
        });
    }
    let now = when.and_then(|w| u64::try_from(w).ok()).unwrap_or(call.now);
    let entity = Entity::new(kind, value);
    let ev = serde_json::json!({
        "event": "alert",
        "action": action,
        "alert_type": at,
        "alert_severity": sev.id(),
        "alert_entity": kind.id(),
        "alert_entity_val": entity.value,
        "alert_subtype": info.subtype,
        "ts": now,
        "params": info.params,
    });
    let r = match action {
        "trigger" => s
            .alerts
            .trigger(entity, info, now)
            .map(|_| true)
            .map_err(|e| misuse!("{e}"))?,
        "release" => s
            .alerts
            .release(entity, info, now)
            .map_err(|e| misuse!("{e}"))?,
        _ => {
            s.alerts.store(entity, info, now);
            true
        }
    };
    s.record(ev);
    Ok(r)
}

impl Budget {
    /// `d`, cut to what is left of the current call's wall-clock budget (starting
    /// the clock if the count hook has not yet): bounds blocking I/O of `ntop`
    /// functions.
    pub(crate) fn cap(&self, d: Duration) -> Duration {
        let start = match self.start.get() {
            Some(s) => s,
            None => {
                let now = Instant::now();
                self.start.set(Some(now));
                now
            }
        };
        d.min(self.wall.saturating_sub(start.elapsed()))
    }
}
