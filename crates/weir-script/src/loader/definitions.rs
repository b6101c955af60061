//! Alert and flow status definitions (spec plugins.md §8–9): registered in the alert
//! registry and exposed as `alert_consts.alert_types` / `flow_consts.status_types`.

use mlua::{Function, Table, Value};
use weir_alerts::{AlertKey, AlertTypeDef, Origin, Registry, Severity, StatusDef};

use super::{Loader, PluginInfo, stem};
use crate::plugin::PluginSource;

pub(super) const MAKE_CREATE: &str = r#"
local kind, def = ...
if kind == "alert" then
  return function(...)
    local r = nil
    if type(def.creator) == "function" then r = def.creator(...) end
    if type(r) ~= "table" then r = {} end
    r.alert_type = def
    return r
  end
else
  return function(...)
    local at = def.alert_type
    local r = nil
    if type(at) == "table" and type(at.creator) == "function" then r = at.creator(...) end
    if type(r) ~= "table" then r = {} end
    r.alert_type = at
    r.status_type = def
    if r.alert_severity == nil then r.alert_severity = def.alert_severity end
    return r
  end
end
"#;

/// weir's built-ins plus the ntopng alert types `alerts_api`'s builders name
/// (`thresholdCrossType`, `synFloodType`, `synScanType`, `flowFloodType`).
pub(super) fn registry_with_api_types() -> Registry {
    let mut r = Registry::with_builtins();
    for (name, id, title, icon) in [
        (
            "alert_threshold_cross",
            49,
            "Threshold Cross",
            "fas fa-arrow-circle-up",
        ),
        (
            "alert_tcp_syn_flood",
            46,
            "TCP SYN Flood",
            "fas fa-life-ring",
        ),
        ("alert_tcp_syn_scan", 47, "TCP SYN Scan", "fas fa-life-ring"),
        ("alert_flows_flood", 11, "Flows Flood", "fas fa-life-ring"),
    ] {
        let def = AlertTypeDef {
            name: name.to_owned(),
            pen: 0,
            id,
            title: title.to_owned(),
            description: Some("%{metric} %{operator} %{threshold} (value %{value})".into()),
            icon: icon.to_owned(),
            default_severity: Some(Severity::Error),
        };
        if let Err(e) = r.register_alert(def, Origin::Builtin) {
            tracing::debug!(target: "weir_script", "{e}");
        }
    }
    r
}

pub(super) fn builtin_definitions(l: &Loader) -> mlua::Result<()> {
    let modules: Table = l.w.raw_get("modules")?;
    let at: Table = modules
        .raw_get::<Table>("alert_consts")?
        .raw_get("alert_types")?;
    let sevs: Table = modules
        .raw_get::<Table>("alert_consts")?
        .raw_get("alert_severities")?;
    for a in l.registry.alerts() {
        let t = l.lua.create_table()?;
        t.raw_set("alert_key", i64::from(a.key.0))?;
        t.raw_set("i18n_title", a.title.as_str())?;
        if let Some(d) = &a.description {
            t.raw_set("i18n_description", d.as_str())?;
        }
        t.raw_set("icon", a.icon.as_str())?;
        let create: Function = l.make_create.call(("alert", t.clone()))?;
        t.raw_set("create", create)?;
        at.raw_set(a.name.as_str(), t)?;
    }
    let st: Table = modules
        .raw_get::<Table>("flow_consts")?
        .raw_get("status_types")?;
    for s in l.registry.statuses() {
        let t = l.lua.create_table()?;
        t.raw_set("status_key", s.key.0)?;
        t.raw_set("i18n_title", s.title.as_str())?;
        if let Some(a) = s.alert_type.and_then(|k| l.registry.alert(k)) {
            t.raw_set("alert_type", at.raw_get::<Value>(a.name.as_str())?)?;
        }
        if let Some(sv) = s.severity {
            t.raw_set("alert_severity", sevs.raw_get::<Value>(sv.name())?)?;
        }
        let create: Function = l.make_create.call(("status", t.clone()))?;
        t.raw_set("create", create)?;
        st.raw_set(s.name.as_str(), t)?;
    }
    Ok(())
}

impl Loader {
    pub(super) fn alert_definitions(
        &mut self,
        p: &PluginSource,
        info: &mut PluginInfo,
    ) -> mlua::Result<()> {
        let types: Table = self
            .w
            .raw_get::<Table>("modules")?
            .raw_get::<Table>("alert_consts")?
            .raw_get("alert_types")?;
        for (file, src) in p.files_in("alert_definitions") {
            let name = stem(file);
            let env = self.env(p)?;
            let t = match self.run(p, file, src, env) {
                Ok(Value::Table(t)) => t,
                Ok(_) => {
                    self.err(&p.key, file, "alert definition must return a table");
                    continue;
                }
                Err(e) => {
                    self.err(&p.key, file, e);
                    continue;
                }
            };
            let key_v = t.get::<Value>("alert_key")?;
            let (pen, id) = match &key_v {
                Value::Table(k) if k.raw_len() == 2 => {
                    match (k.raw_get::<i64>(1), k.raw_get::<i64>(2)) {
                        (Ok(a), Ok(b)) => (a, b),
                        _ => {
                            self.err(&p.key, file, "alert_key: {PEN, id} of integers expected");
                            continue;
                        }
                    }
                }
                Value::Nil => {
                    self.err(&p.key, file, "missing mandatory field `alert_key`");
                    continue;
                }
                _ => {
                    self.err(&p.key, file, "alert_key: a {PEN, id} pair is expected (e.g. alert_keys.user.alert_user_01)");
                    continue;
                }
            };
            let def = AlertTypeDef {
                name: name.to_owned(),
                pen,
                id,
                title: t
                    .get::<Option<String>>("i18n_title")
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
                description: t.get::<Option<String>>("i18n_description").ok().flatten(),
                icon: t
                    .get::<Option<String>>("icon")
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
                default_severity: None,
            };
            let origin = Origin::plugin(&p.key, format!("{}/{file}", p.base()));
            match self.registry.register_alert(def, origin) {
                Ok(k) => {
                    t.raw_set("alert_key", i64::from(k.0))?;
                    let create: Function = self.make_create.call(("alert", t.clone()))?;
                    t.raw_set("create", create)?;
                    types.raw_set(name, t)?;
                    info.alert_definitions.push(name.to_owned());
                }
                Err(e) => self.err(&p.key, file, e.to_string()),
            }
        }
        Ok(())
    }

    pub(super) fn status_definitions(
        &mut self,
        p: &PluginSource,
        info: &mut PluginInfo,
    ) -> mlua::Result<()> {
        let types: Table = self
            .w
            .raw_get::<Table>("modules")?
            .raw_get::<Table>("flow_consts")?
            .raw_get("status_types")?;
        for (file, src) in p.files_in("status_definitions") {
            let name = stem(file);
            let env = self.env(p)?;
            let t = match self.run(p, file, src, env) {
                Ok(Value::Table(t)) => t,
                Ok(_) => {
                    self.err(&p.key, file, "status definition must return a table");
                    continue;
                }
                Err(e) => {
                    self.err(&p.key, file, e);
                    continue;
                }
            };
            let Some(key) = t.get::<Option<i64>>("status_key").ok().flatten() else {
                self.err(&p.key, file, "missing or non-integer `status_key`");
                continue;
            };
            let alert_type = match t.get::<Value>("alert_type")? {
                Value::Table(a) => a
                    .get::<Option<i64>>("alert_key")
                    .ok()
                    .flatten()
                    .and_then(|k| u32::try_from(k).ok())
                    .map(AlertKey),
                Value::Nil => {
                    self.warn(&p.key, file, "no `alert_type`: the status can be set but never raises an alert (is its alert definition loaded?)");
                    None
                }
                _ => {
                    self.err(
                        &p.key,
                        file,
                        "alert_type: an alert_consts.alert_types entry expected",
                    );
                    continue;
                }
            };
            let severity = match t.get::<Value>("alert_severity")? {
                Value::Table(s) => s
                    .get::<Option<i64>>("severity_id")
                    .ok()
                    .flatten()
                    .and_then(|i| u8::try_from(i).ok())
                    .and_then(Severity::from_id),
                _ => None,
            };
            let def = StatusDef {
                name: name.to_owned(),
                key,
                alert_type,
                severity,
                title: t
                    .get::<Option<String>>("i18n_title")
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
                description: t.get::<Option<String>>("i18n_description").ok().flatten(),
            };
            let origin = Origin::plugin(&p.key, format!("{}/{file}", p.base()));
            match self.registry.register_status(def, origin) {
                Ok(_) => {
                    let create: Function = self.make_create.call(("status", t.clone()))?;
                    t.raw_set("create", create)?;
                    types.raw_set(name, t)?;
                    info.status_definitions.push(name.to_owned());
                }
                Err(e) => self.err(&p.key, file, e.to_string()),
            }
        }
        Ok(())
    }
}
