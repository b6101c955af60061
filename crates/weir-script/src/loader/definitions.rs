//! Alert and flow status definitions (spec plugins.md §8–9, ntopng42-api.md §1–2):
//! the core ones (ntopng 4.2's 64 alert types and 36 flow statuses, registered by
//! [`weir_alerts::Registry::with_builtins`]) and those of plugins, registered in the
//! alert registry and exposed as `alert_consts.alert_types` /
//! `flow_consts.status_types` keyed by definition file name.

use mlua::{Function, Table, Value};
use weir_alerts::{AlertKey, AlertTypeDef, Origin, Severity, StatusDef};

use super::{Loader, PluginInfo, stem};
use crate::plugin::PluginSource;

/// Builds `def.create` (spec ntopng42-api.md §1.1, §2.1). Alerts: `creator(...)` (or
/// `{}`) plus `alert_type = def`. Statuses: the alert type's `create(...)` when that
/// type has a creator (else `{}`), plus `status_type = def`; the status definition's
/// severity replaces the creator's (§2.3: the status severity is the one raised).
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
    if type(at) == "table" and type(at.creator) == "function" then
      r = at.creator(...)
      if type(r) ~= "table" then r = {} end
      r.alert_type = at
    end
    if type(r) ~= "table" then r = {} end
    r.status_type = def
    if def.alert_severity ~= nil then r.alert_severity = def.alert_severity end
    return r
  end
end
"#;

/// The Lua half of the core definitions: creators, formatters, `alert_creators`.
const CORE_LUA: &str = include_str!("../lua/definitions/core.lua");

/// Sets `locales.en.<a>.<b>… = text` for every core i18n key that no one set yet.
fn core_locale(l: &Loader) -> mlua::Result<()> {
    let en: Table = l.w.raw_get::<Table>("locales")?.raw_get("en")?;
    for (key, text) in weir_alerts::builtin::en_strings() {
        let mut node = en.clone();
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                if node.raw_get::<Value>(part)?.is_nil() {
                    node.raw_set(part, text)?;
                }
                break;
            }
            node = match node.raw_get::<Value>(part)? {
                Value::Table(t) => t,
                Value::Nil => {
                    let t = l.lua.create_table()?;
                    node.raw_set(part, t.clone())?;
                    t
                }
                // A string where a table is needed: keep it, skip this key.
                _ => break,
            };
        }
    }
    Ok(())
}

/// Fills `alert_consts.alert_types` and `flow_consts.status_types` with the core
/// definitions of the registry (ntopng 4.2's, [`weir_alerts::builtin`]) and installs
/// the `alert_creators` module and the English strings of their i18n keys.
pub(super) fn builtin_definitions(l: &Loader) -> mlua::Result<()> {
    let core: Table = l
        .lua
        .load(CORE_LUA)
        .set_name("=weir/definitions/core.lua")
        .set_mode(mlua::chunk::ChunkMode::Text)
        .call(l.w.clone())?;
    let creators: Table = core.raw_get("alert_creators")?;
    let loaded: Table = l
        .lua
        .globals()
        .raw_get::<Table>("package")?
        .raw_get("loaded")?;
    let modules: Table = l.w.raw_get("modules")?;
    loaded.raw_set("alert_creators", creators.clone())?;
    modules.raw_set("alert_creators", creators)?;
    core_locale(l)?;

    let lua_alerts: Table = core.raw_get("alerts")?;
    let lua_statuses: Table = core.raw_get("statuses")?;
    let consts: Table = modules.raw_get("alert_consts")?;
    let at: Table = consts.raw_get("alert_types")?;
    let sevs: Table = consts.raw_get("alert_severities")?;
    for a in l.registry.alerts() {
        let t = l.lua.create_table()?;
        t.raw_set("alert_key", i64::from(a.key.0))?;
        let core_def = weir_alerts::builtin::core_alert(&a.name);
        t.raw_set("i18n_title", core_def.map_or(a.title.as_str(), |d| d.title))?;
        t.raw_set("icon", a.icon.as_str())?;
        if let Value::Table(extra) = lua_alerts.raw_get::<Value>(a.name.as_str())? {
            t.raw_set("creator", extra.raw_get::<Value>("creator")?)?;
            t.raw_set(
                "i18n_description",
                extra.raw_get::<Value>("i18n_description")?,
            )?;
        }
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
        let core_def = weir_alerts::builtin::core_status(&s.name);
        t.raw_set("i18n_title", core_def.map_or(s.title.as_str(), |d| d.title))?;
        match lua_statuses.raw_get::<Value>(s.name.as_str())? {
            f @ Value::Function(_) => t.raw_set("i18n_description", f)?,
            _ => {
                if let Some(d) = core_def.and_then(|d| d.description) {
                    t.raw_set("i18n_description", d)?;
                }
            }
        }
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
    crate::alert_msg::install(&l.lua, &l.w)
}

/// The message of a refused definition; a clash with a core definition says what to
/// use instead.
fn refused(e: &weir_alerts::Error, instead: &str) -> String {
    match e {
        weir_alerts::Error::Duplicate(c) if c.existing_origin == Origin::Builtin.to_string() => {
            format!(
                "{e}: core definitions cannot be redefined; a plugin's own type takes {instead} \
                 and a name of its own"
            )
        }
        _ => e.to_string(),
    }
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
                Err(e) => self.err(
                    &p.key,
                    file,
                    refused(&e, "alert_keys.user.alert_user_01..05 or {PEN, id}"),
                ),
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
                Err(e) => self.err(
                    &p.key,
                    file,
                    refused(&e, "flow_keys.user.status_user_01..05"),
                ),
            }
        }
        Ok(())
    }
}
