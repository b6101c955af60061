//! Applying the script settings (`scripts.toml` in the working directory, see
//! [`crate::settings`]) to a loaded VM: the effective `script_conf` tables and
//! enabled flags per hook, and the per-entity overrides. Checked whenever the packet
//! clock moves to a new second; a change applies at the next hook call.

use std::path::PathBuf;

use mlua::{Lua, Table, Value};
use serde_json::Value as Json;

use crate::loader::{Override, gran_index};
use crate::runtime::Runtime;
use crate::settings::{self, HookSettings, ScriptModel, SettingsFile};

fn table(lua: &Lua, j: &Json) -> mlua::Result<Table> {
    match crate::json::to_lua(lua, j)? {
        Value::Table(t) => Ok(t),
        _ => lua.create_table(),
    }
}

type PerGran = ([Option<Table>; 4], [bool; 4], Option<(Table, bool)>);

fn compile(lua: &Lua, hooks: &[(String, HookSettings)]) -> mlua::Result<PerGran> {
    let mut conf: [Option<Table>; 4] = Default::default();
    let mut enabled = [false; 4];
    let mut all = None;
    for (h, hs) in hooks {
        let t = table(lua, &hs.conf)?;
        match gran_index(h) {
            Some(g) => {
                conf[g] = Some(t);
                enabled[g] = hs.enabled;
            }
            None => all = Some((t, hs.enabled)),
        }
    }
    Ok((conf, enabled, all))
}

impl Runtime {
    /// The settings file this runtime follows: `scripts.toml` in the working
    /// directory (`weir run` sets it to the data directory).
    pub fn settings_path(&self) -> PathBuf {
        settings::file_in(&self.cfg.working_dir)
    }

    /// The configuration model of every loaded script.
    pub fn models(&self) -> Vec<ScriptModel> {
        self.vm.scripts.iter().map(|s| s.model.clone()).collect()
    }

    /// Re-reads the settings file when it changed since the last look.
    pub(crate) fn check_settings(&mut self) {
        if self.watch.changed() {
            self.apply_settings();
        }
    }

    /// Reads the settings file and applies it to every script. An unreadable file
    /// keeps the settings in force; invalid entries are logged and skipped.
    pub(crate) fn apply_settings(&mut self) {
        let path = self.settings_path();
        let file = match SettingsFile::load(&path) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(target: "weir_script", "script settings not applied: {e}");
                return;
            }
        };
        let models = self.models();
        for p in file.validate(&models) {
            tracing::warn!(target: "weir_script", "{}: {p}", path.display());
        }
        if let Err(e) = self.apply_file(&file) {
            tracing::warn!(target: "weir_script", "script settings not applied: {e}");
        }
    }

    fn apply_file(&mut self, file: &SettingsFile) -> mlua::Result<()> {
        let lua = &self.vm.lua;
        for sc in &mut self.vm.scripts {
            let entry = file.script.get(&sc.model.id());
            let eff = settings::resolve(&sc.model, entry);
            let (mut conf, enabled, mut all) = compile(lua, &eff.hooks)?;
            if entry.is_none() {
                // No settings: the script's own `default_value` table, as it gave it.
                let orig = crate::json::to_json(&Value::Table(sc.default_conf.clone()));
                for (h, hs) in &eff.hooks {
                    if hs.conf != orig
                        && !(orig.is_array() && hs.conf.as_object().is_some_and(|m| m.is_empty()))
                    {
                        continue;
                    }
                    match gran_index(h) {
                        Some(g) => conf[g] = Some(sc.default_conf.clone()),
                        None => all = Some((sc.default_conf.clone(), hs.enabled)),
                    }
                }
            }
            sc.gconf = conf;
            sc.genabled = enabled;
            if let Some((t, on)) = all {
                sc.set_conf(t);
                sc.off = !on;
                if sc.attached && !sc.info.disabled {
                    sc.info.active = on;
                    sc.info.inactive_reason = (!on).then(|| {
                        if entry.and_then(|e| e.enabled) == Some(false) {
                            format!("disabled in {}", settings::FILE_NAME)
                        } else {
                            "default_enabled = false".to_owned()
                        }
                    });
                }
            } else if let Some(t) = sc.gconf.iter().flatten().next().cloned() {
                sc.set_conf(t);
            }
            sc.overrides.clear();
            for (net, hooks) in &eff.overrides {
                let (conf, enabled, _) = compile(lua, hooks)?;
                sc.overrides.push(Override {
                    net: *net,
                    conf,
                    enabled,
                });
            }
        }
        Ok(())
    }
}
