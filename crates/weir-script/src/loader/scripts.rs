//! User scripts: loading, validation, filters, `setup()` (spec plugins.md §5–6).

use std::rc::Rc;

use mlua::{Function, Value};
use weir_flow::Proto;

use super::{HookFn, Kind, Loader, Script, ScriptInfo, entity_index, gran_index, stem};
use crate::plugin::PluginSource;
use crate::runtime::FlowHook;
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

const SUBDIRS: [&str; 7] = [
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

/// `"<key>;<op>;<value>"` → (operator, threshold).
fn parse_default_value(s: &str) -> Option<(String, Option<f64>)> {
    let mut parts = s.split(';');
    let _key = parts.next()?;
    let op = parts.next()?.trim();
    if op != "gt" && op != "lt" {
        return None;
    }
    let th = match parts.next() {
        None => None,
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().parse::<f64>().ok()?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((op.to_owned(), th))
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
        let t = match self.run(&p.key, file, src, env.clone()) {
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
            _ => self.warn(&p.key, file, "gui table missing"),
        }
        // Configuration.
        let conf = match t.get::<Value>("default_value")? {
            Value::Table(c) => c,
            Value::Nil => self.lua.create_table()?,
            Value::String(s) => {
                let s = s.to_string_lossy();
                match parse_default_value(&s) {
                    Some((op, th)) => {
                        let c = self.lua.create_table()?;
                        c.raw_set("operator", op)?;
                        if let Some(th) = th {
                            c.raw_set("threshold", th)?;
                        }
                        c
                    }
                    None => {
                        self.err(&p.key, file, format!("bad default_value \"{s}\": expected \"<key>;<gt|lt>;<number>\"; skipped"));
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
            security,
        };
        // Load-time filters, then setup().
        let mut reason = None;
        if subdir == "snmp_device" {
            reason = Some(format!("{subdir} scripts are validated but not run yet"));
        } else if t.get::<Option<bool>>("nedge_only").ok().flatten() == Some(true) {
            reason = Some("nedge_only: weir is not nEdge".into());
        } else if t.get::<Option<bool>>("default_enabled").ok().flatten() == Some(false) {
            reason = Some("default_enabled = false".into());
        } else if let Some(f) = &setup {
            self.budget.reset();
            match f.call::<Value>(()) {
                Ok(Value::Boolean(true)) => {}
                Ok(v) if !matches!(v, Value::Boolean(false) | Value::Nil) => {}
                Ok(_) => reason = Some("setup() returned false".into()),
                Err(e) => {
                    let msg = crate::runtime::error_text(&e, &p.key, file);
                    self.err(&p.key, file, format!("setup() failed: {msg}"));
                    reason = Some(format!("setup() failed: {msg}"));
                }
            }
        }
        info.active = reason.is_none();
        info.inactive_reason = reason;
        let active = info.active;
        let local_only = t.get::<Option<bool>>("local_only").ok().flatten() == Some(true);
        self.scripts.push(Script {
            table: t.clone(),
            local_only,
            period,
            info,
            ctx,
            conf,
            env,
            l4,
            l7,
            twh,
            prio,
            teardown: if active { teardown } else { None },
            last_alert: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_value_strings() {
        assert_eq!(
            parse_default_value("syn_flood_victim;gt;50"),
            Some(("gt".into(), Some(50.0)))
        );
        assert_eq!(parse_default_value("x;lt"), Some(("lt".into(), None)));
        assert_eq!(parse_default_value("x;ge;5"), None);
        assert_eq!(parse_default_value("x;gt;abc"), None);
        assert_eq!(parse_default_value("x"), None);
    }
}
