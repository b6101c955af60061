//! User scripts: loading, validation, filters, `setup()` (spec plugins.md §5–6).

use std::rc::Rc;

use mlua::{Function, Value};
use weir_flow::Proto;

use super::{HookFn, Kind, Loader, Script, entity_index, gran_index, stem};
use crate::config::FlowHook;
use crate::info::ScriptInfo;
use crate::plugin::PluginSource;
use crate::settings::ScriptModel;
use crate::state::ScriptCtx;

const FLOW_HOOKS: [&str; 6] = [
    "protocolDetected",
    "statusChanged",
    "flowEnd",
    "periodicUpdate",
    "idle",
    "all",
];

const PERIODIC_HOOKS: [&str; 5] = ["min", "5mins", "hour", "day", "all"];

/// The user script subdirectories of a plugin, in the order weir lists them.
pub const SUBDIRS: [&str; 7] = [
    "flow",
    "host",
    "interface",
    "network",
    "system",
    "syslog",
    "snmp_device",
];

fn valid_hooks(subdir: &str) -> &'static [&'static str] {
    match subdir {
        "flow" => &FLOW_HOOKS,
        "syslog" => &["handleEvent", "all"],
        "snmp_device" => &["snmpDevice", "snmpDeviceInterface", "all"],
        _ => &PERIODIC_HOOKS,
    }
}

fn l4_by_name(name: &str) -> Option<u8> {
    Some(match name.to_ascii_lowercase().as_str() {
        "ip" => 0,
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "ipv6" => 41,
        "rsvp" => 46,
        "gre" => 47,
        "esp" => 50,
        "ipv6icmp" | "icmpv6" | "ipv6-icmp" => 58,
        "ospf" => 89,
        "pim" => 103,
        "vrrp" => 112,
        "hip" => 139,
        "sctp" => 132,
        _ => return None,
    })
}

impl Loader {
    pub(super) fn user_scripts(&mut self, p: &PluginSource) -> mlua::Result<()> {
        for subdir in SUBDIRS {
            let dir = format!("user_scripts/{subdir}");
            let files: Vec<(String, String)> = p
                .files_in(&dir)
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            for (file, src) in files {
                self.user_script(p, subdir, &file, &src)?;
            }
        }
        Ok(())
    }

    fn user_script(
        &mut self,
        p: &PluginSource,
        subdir: &str,
        file: &str,
        src: &str,
    ) -> mlua::Result<()> {
        let key = stem(file).to_owned();
        let env = self.env(p)?;
        let t = match self.run(p, file, src, env.clone()) {
            Ok(Value::Table(t)) => t,
            Ok(_) => {
                self.err(&p.key, file, "bad user script: it must return a table");
                return Ok(());
            }
            Err(e) => {
                self.err(&p.key, file, format!("bad user script: {e}"));
                return Ok(());
            }
        };
        if !self.keys.insert((subdir.to_owned(), key.clone())) {
            self.err(
                &p.key,
                file,
                format!("duplicate {subdir} script key `{key}` (another plugin has it); skipped"),
            );
            return Ok(());
        }
        t.raw_set("key", key.as_str())?;
        let mut info = ScriptInfo {
            plugin: p.key.clone(),
            key: key.clone(),
            subdir: subdir.to_owned(),
            file: file.to_owned(),
            format: "plugin",
            hooks: Vec::new(),
            active: false,
            inactive_reason: None,
            calls: 0,
            errors: 0,
            consecutive_failures: 0,
            disabled: false,
            last_error: None,
            category: match t.get::<Value>("category") {
                Ok(Value::Table(c)) => c.get::<Option<u8>>("id").ok().flatten().unwrap_or(0),
                _ => 0,
            },
            cost: Vec::new(),
        };
        let hooks_v = t.get::<Value>("hooks")?;
        let setup = t.get::<Option<Function>>("setup").ok().flatten();
        let mut funcs: Vec<HookFn> = Vec::new();
        let mut entity_funcs: Vec<(usize, Function)> = Vec::new();
        let mut syslog_fn: Option<Function> = None;
        match hooks_v {
            Value::Table(h) => {
                let mut all: Option<Function> = None;
                let mut named: Vec<(String, Function)> = Vec::new();
                for pair in h.pairs::<Value, Value>() {
                    let (k, v) = pair?;
                    let Value::String(k) = k else {
                        self.warn(&p.key, file, "hooks: non-string key ignored");
                        continue;
                    };
                    let k = k.to_string_lossy();
                    if !valid_hooks(subdir).contains(&k.as_str()) {
                        self.warn(
                            &p.key,
                            file,
                            format!(
                                "unknown {subdir} hook `{k}` ignored (valid: {})",
                                valid_hooks(subdir).join(", ")
                            ),
                        );
                        continue;
                    }
                    let Value::Function(f) = v else {
                        self.err(
                            &p.key,
                            file,
                            format!("hooks.{k}: function expected, got {}", v.type_name()),
                        );
                        continue;
                    };
                    if k == "all" {
                        all = Some(f);
                    } else {
                        named.push((k, f));
                    }
                }
                if named.is_empty() && all.is_none() {
                    self.err(
                        &p.key,
                        file,
                        "`hooks` is empty: the script must register at least one hook; skipped",
                    );
                    return Ok(());
                }
                named.sort_by(|a, b| a.0.cmp(&b.0));
                for (k, f) in &named {
                    info.hooks.push(k.clone());
                    if subdir == "flow"
                        && let Some(h) = FlowHook::from_name(k)
                    {
                        funcs.push((h, f.clone(), Kind::Hooks));
                    }
                    if entity_index(subdir).is_some()
                        && let Some(g) = gran_index(k)
                    {
                        entity_funcs.push((g, f.clone()));
                    }
                    if subdir == "syslog" && k == "handleEvent" {
                        syslog_fn = Some(f.clone());
                    }
                }
                if let Some(f) = all {
                    info.hooks.push("all".into());
                    if subdir == "flow" {
                        for h in FlowHook::ALL {
                            if !funcs.iter().any(|(x, _, _)| *x == h) {
                                funcs.push((h, f.clone(), Kind::Hooks));
                            }
                        }
                    }
                    if subdir == "syslog" && syslog_fn.is_none() {
                        syslog_fn = Some(f.clone());
                    }
                    if entity_index(subdir).is_some() {
                        for g in 0..4 {
                            if !entity_funcs.iter().any(|(x, _)| *x == g) {
                                entity_funcs.push((g, f.clone()));
                            }
                        }
                    }
                }
            }
            Value::Nil if subdir == "flow" && setup.is_some() => {
                info.format = "check_module";
                for (name, h) in [
                    ("protocolDetected", FlowHook::ProtocolDetected),
                    ("statusChanged", FlowHook::StatusChanged),
                    ("periodicUpdate", FlowHook::PeriodicUpdate),
                    ("idle", FlowHook::FlowEnd),
                ] {
                    if let Ok(Some(f)) = t.get::<Option<Function>>(name) {
                        info.hooks.push(name.to_owned());
                        funcs.push((h, f, Kind::CheckModule));
                    }
                }
            }
            Value::Nil => {
                self.err(
                    &p.key,
                    file,
                    "missing `hooks` table (and not a check module: no setup()); skipped",
                );
                return Ok(());
            }
            other => {
                self.err(
                    &p.key,
                    file,
                    format!("hooks: table expected, got {}", other.type_name()),
                );
                return Ok(());
            }
        }
        // GUI (warnings only).
        match t.get::<Value>("gui")? {
            Value::Table(g) => {
                for f in ["i18n_title", "i18n_description"] {
                    if g.get::<Value>(f)?.is_nil() {
                        self.warn(&p.key, file, format!("gui.{f} missing"));
                    }
                }
            }
            // Syslog scripts have nothing to configure in a UI (the seeds' example has
            // no `gui`).
            _ if subdir == "syslog" => {}
            _ => self.warn(&p.key, file, "gui table missing"),
        }
        // Configuration.
        let conf = match t.get::<Value>("default_value")? {
            Value::Table(c) => c,
            Value::Nil => self.lua.create_table()?,
            Value::String(s) => {
                let s = s.to_string_lossy();
                match crate::settings::parse_default_value(&s) {
                    Ok((op, th)) => {
                        let c = self.lua.create_table()?;
                        c.raw_set("operator", op.name())?;
                        match th {
                            // tonumber("50") is an integer in Lua 5.4.
                            Some(th) if th.fract() == 0.0 && th.abs() < 9e15 => {
                                c.raw_set("threshold", th as i64)?;
                            }
                            Some(th) => c.raw_set("threshold", th)?,
                            None => {}
                        }
                        c
                    }
                    Err(e) => {
                        self.err(&p.key, file, format!("{e}; skipped"));
                        return Ok(());
                    }
                }
            }
            other => {
                self.err(
                    &p.key,
                    file,
                    format!(
                        "default_value: table or string expected, got {}",
                        other.type_name()
                    ),
                );
                return Ok(());
            }
        };
        let model = self.model(p, subdir, &key, &t, &conf, &entity_funcs)?;
        let l4 = match t.get::<Value>("l4_proto")? {
            Value::Nil => None,
            Value::String(s) => match l4_by_name(&s.to_string_lossy()) {
                Some(n) => Some(n),
                None => {
                    self.err(
                        &p.key,
                        file,
                        format!(
                            "unknown l4_proto \"{}\"; script not attached",
                            s.to_string_lossy()
                        ),
                    );
                    return Ok(());
                }
            },
            Value::Integer(i) => u8::try_from(i).ok(),
            other => {
                self.err(
                    &p.key,
                    file,
                    format!("l4_proto: string expected, got {}", other.type_name()),
                );
                return Ok(());
            }
        };
        let mut l7 = match t.get::<Value>("l7_proto")? {
            Value::Nil => None,
            Value::String(s) => match Proto::from_name(&s.to_string_lossy()) {
                Some(pr) => Some(pr.0),
                None => {
                    self.err(
                        &p.key,
                        file,
                        format!(
                            "unknown l7_proto \"{}\"; script skipped",
                            s.to_string_lossy()
                        ),
                    );
                    return Ok(());
                }
            },
            other => {
                self.err(
                    &p.key,
                    file,
                    format!(
                        "l7_proto: nDPI protocol name expected, got {}",
                        other.type_name()
                    ),
                );
                return Ok(());
            }
        };
        if let Ok(Some(id)) = t.get::<Option<i64>>("l7_proto_id") {
            l7 = u16::try_from(id).ok();
        }
        let prefilter = if subdir == "flow" {
            match crate::prefilter::Prefilter::parse(&t.get::<Value>("prefilter")?) {
                Ok(p) => p,
                Err(e) => {
                    self.err(&p.key, file, format!("{e}; script skipped"));
                    return Ok(());
                }
            }
        } else {
            None
        };
        let entity_prefilter = if subdir == "flow" {
            None
        } else {
            match crate::prefilter::entity::EntityPrefilter::parse(
                &t.get::<Value>("prefilter")?,
                subdir,
            ) {
                Ok(p) => p,
                Err(e) => {
                    self.err(&p.key, file, format!("{e}; script skipped"));
                    return Ok(());
                }
            }
        };
        if let Some(id) = l7 {
            t.raw_set("l7_proto_id", id)?;
        }
        let mut period = None;
        if let Ok(Some(secs)) = t.get::<Option<i64>>("periodic_update_seconds") {
            if secs <= 0 || secs % 30 != 0 {
                self.warn(
                    &p.key,
                    file,
                    format!(
                        "periodic_update_seconds = {secs} is not a multiple of 30; default used"
                    ),
                );
            } else {
                period = u64::try_from(secs).ok();
                t.raw_set("periodic_update_divisor", secs / 30)?;
            }
        }
        let twh = t
            .get::<Option<bool>>("three_way_handshake_ok")
            .ok()
            .flatten()
            == Some(true);
        let prio = t.get::<Option<i64>>("prio").ok().flatten().unwrap_or(0);
        let security = match t.get::<Value>("category")? {
            Value::Table(c) => c.get::<Option<i64>>("id").ok().flatten() == Some(1),
            _ => false,
        };
        let teardown = t.get::<Option<Function>>("teardown").ok().flatten();
        let index = self.scripts.len();
        let ctx = ScriptCtx {
            key: Rc::from(key.as_str()),
            subdir: SUBDIRS
                .iter()
                .find(|d| **d == subdir)
                .copied()
                .unwrap_or("flow"),
            security,
            plugin_dir: Rc::from(p.dir.as_path()),
            base: Rc::from(p.base()),
        };
        // Load-time filters, then setup(). Flow and syslog scripts disabled by their
        // settings are attached all the same (and skipped in Rust while disabled), so
        // enabling them in the settings file takes effect at the next hook call.
        let mut reason = None;
        let config_off = if entity_index(subdir).is_none() {
            self.disabled_at_load(subdir, &key, &t)
        } else {
            None
        };
        if subdir == "snmp_device" {
            reason = Some(format!("{subdir} scripts are validated but not run yet"));
        } else if t.get::<Option<bool>>("nedge_only").ok().flatten() == Some(true) {
            reason = Some("nedge_only: weir is not nEdge".into());
        } else if let Some(f) = &setup {
            self.budget.reset();
            match f.call::<Value>(()) {
                Ok(Value::Boolean(true)) => {}
                Ok(v) if !matches!(v, Value::Boolean(false) | Value::Nil) => {}
                Ok(_) => reason = Some("setup() returned false".into()),
                Err(e) => {
                    let msg = crate::diag::error_text(&e, &p.base(), file);
                    self.err(&p.key, file, format!("setup() failed: {msg}"));
                    reason = Some(format!("setup() failed: {msg}"));
                }
            }
        }
        let active = reason.is_none();
        info.active = active && config_off.is_none();
        info.inactive_reason = reason.or(config_off.clone());
        let local_only = t.get::<Option<bool>>("local_only").ok().flatten() == Some(true);
        self.scripts.push(Script {
            default_conf: conf.clone(),
            model,
            off: config_off.is_some(),
            attached: active,
            gconf: Default::default(),
            genabled: [true; 4],
            overrides: Vec::new(),
            table: t.clone(),
            local_only,
            period,
            info,
            ctx,
            conf,
            conf_gen: 0,
            env,
            l4,
            l7,
            twh,
            prefilter,
            entity_prefilter,
            prio,
            teardown: if active { teardown } else { None },
            last_alert: None,
            meters: Default::default(),
        });
        if active {
            let s = self.scripts.last_mut().expect("just pushed");
            s.info.hooks.dedup();
            self.pending.push((index, funcs));
            if let Some(e) = entity_index(subdir) {
                for (g, f) in entity_funcs {
                    self.pending_entity.push((index, e, g, f));
                }
            }
            if let Some(f) = syslog_fn {
                let one_arg = f.info().num_params == 1;
                self.syslog.insert(key.clone(), (index, f, one_arg));
            }
        }
        Ok(())
    }
}

fn gui_string(lua: &mlua::Lua, g: &mlua::Table, field: &str) -> Option<String> {
    let v: Value = g.get(field).ok()?;
    let s = match v {
        Value::String(s) => s.to_string_lossy(),
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    // Localized when a locale has the key (i18n keys), else the literal.
    let i18n: Option<Function> = lua.globals().get("i18n").ok();
    if let Some(f) = i18n
        && let Ok(Some(t)) = f.call::<Option<String>>(s.as_str())
    {
        return Some(t);
    }
    Some(s)
}

fn gui_number(g: &mlua::Table, field: &str) -> Option<f64> {
    match g.get::<Value>(field).ok()? {
        Value::Integer(i) => Some(i as f64),
        Value::Number(n) => Some(n),
        Value::String(s) => s.to_string_lossy().trim().parse().ok(),
        _ => None,
    }
}

impl Loader {
    /// The configuration model of a script (plugins.md §7).
    fn model(
        &mut self,
        p: &PluginSource,
        subdir: &str,
        key: &str,
        t: &mlua::Table,
        conf: &mlua::Table,
        entity_funcs: &[(usize, Function)],
    ) -> mlua::Result<ScriptModel> {
        use crate::settings::{Gui, InputBuilder, Operator};
        let hooks: Vec<String> = if ScriptModel::per_hook(subdir) {
            let mut g: Vec<usize> = entity_funcs.iter().map(|(g, _)| *g).collect();
            g.sort_unstable();
            g.dedup();
            g.into_iter()
                .map(|i| ["min", "5mins", "hour", "day"][i].to_owned())
                .collect()
        } else {
            vec!["all".to_owned()]
        };
        let base = crate::json::to_json(&Value::Table(conf.clone()));
        let base = match base {
            serde_json::Value::Object(_) => base,
            _ => serde_json::Value::Object(serde_json::Map::new()),
        };
        let mut defaults: std::collections::BTreeMap<String, serde_json::Value> =
            hooks.iter().map(|h| (h.clone(), base.clone())).collect();
        if let Ok(Value::Table(per)) = t.get::<Value>("default_values") {
            for h in &hooks {
                match per.get::<Value>(h.as_str())? {
                    Value::Table(c) => {
                        defaults.insert(h.clone(), crate::json::to_json(&Value::Table(c)));
                    }
                    Value::String(s) => {
                        if let Ok((op, th)) =
                            crate::settings::parse_default_value(&s.to_string_lossy())
                        {
                            let mut m = serde_json::Map::new();
                            m.insert("operator".into(), op.name().into());
                            if let Some(th) = th {
                                m.insert(
                                    "threshold".into(),
                                    if th.fract() == 0.0 && th.abs() < 9e15 {
                                        (th as i64).into()
                                    } else {
                                        th.into()
                                    },
                                );
                            }
                            defaults.insert(h.clone(), serde_json::Value::Object(m));
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut gui = Gui::default();
        if let Ok(Value::Table(g)) = t.get::<Value>("gui") {
            gui.title = gui_string(&self.lua, &g, "i18n_title").unwrap_or_default();
            gui.description = gui_string(&self.lua, &g, "i18n_description").unwrap_or_default();
            gui.input_builder = g
                .get::<Option<String>>("input_builder")
                .ok()
                .flatten()
                .map_or(InputBuilder::None, |b| InputBuilder::from_name(&b));
            gui.unit = g.get::<Option<String>>("i18n_field_unit").ok().flatten();
            gui.field_min = gui_number(&g, "field_min");
            gui.field_max = gui_number(&g, "field_max");
            gui.field_step = gui_number(&g, "field_step");
            gui.field_operator = g
                .get::<Option<String>>("field_operator")
                .ok()
                .flatten()
                .and_then(|o| Operator::from_name(&o));
            gui.item_list_type = g.get::<Option<String>>("item_list_type").ok().flatten();
            gui.input_title = gui_string(&self.lua, &g, "input_title");
            gui.input_description = gui_string(&self.lua, &g, "input_description");
            if let InputBuilder::Other(b) = &gui.input_builder {
                let b = b.clone();
                self.warn(
                    &p.key,
                    &format!("user_scripts/{subdir}/{key}.lua"),
                    format!(
                        "gui.input_builder `{b}` is not known to weir: its fields are not validated"
                    ),
                );
            }
        }
        if gui.title.is_empty() {
            gui.title = key.to_owned();
        }
        Ok(ScriptModel {
            plugin: p.key.clone(),
            key: key.to_owned(),
            subdir: subdir.to_owned(),
            hooks,
            default_enabled: t.get::<Option<bool>>("default_enabled").ok().flatten() != Some(false),
            defaults,
            gui,
            local_only: t.get::<Option<bool>>("local_only").ok().flatten() == Some(true),
        })
    }
}

impl Loader {
    /// Why a flow or syslog script is disabled at load (`default_enabled = false` or
    /// the settings file), if it is. Such a script is attached anyway and skipped
    /// while disabled, as entity scripts are.
    fn disabled_at_load(&self, subdir: &str, key: &str, t: &mlua::Table) -> Option<String> {
        let id = format!("{subdir}/{key}");
        match self.settings.script.get(&id).and_then(|s| s.enabled) {
            Some(false) => Some(format!("disabled in {}", crate::settings::FILE_NAME)),
            Some(true) => None,
            None => (t.get::<Option<bool>>("default_enabled").ok().flatten() == Some(false))
                .then(|| "default_enabled = false".to_owned()),
        }
    }
}
