//! Plugin `alert_endpoints/` modules as weir-alerts endpoints (spec plugins.md §13).
//!
//! Each endpoint runs in its own thread with its own sandboxed VM (created inside
//! the thread by [`weir_alerts::spawn_endpoint`]'s factory), so a slow or failing
//! endpoint never touches the engine thread. A batch of notifications is queued as
//! JSON strings on the recipient's queue (`recipient.export_queue`, popped with
//! `ntop.recipient_dequeue(recipient.recipient_id, high_priority)` or read with
//! `ntop.lrangeCache`), then `dequeueRecipientAlerts(recipient, budget,
//! high_priority)` is called until it reports no more work, under the same budgets
//! as hooks.

use std::sync::Arc;

use mlua::chunk::ChunkMode;
use mlua::{Function, Table, Value};
use weir_alerts::{Endpoint, EndpointConfig, EndpointHandle, Notification};

use crate::config::ScriptConfig;
use crate::diag::error_text;
use crate::error::chunk_name;
use crate::loader::{self, plugin_env};
use crate::plugin::PluginSource;
use crate::vm::Budget;
use crate::vm::Parts;

/// A Lua endpoint module, living in its endpoint thread.
pub struct LuaEndpoint {
    _lua: mlua::Lua,
    ntop: Table,
    module: Table,
    recipient: Table,
    queue: String,
    budget: std::rc::Rc<Budget>,
    /// `plugins/<key>` or `builtin:<key>`.
    base: String,
    file: String,
}

impl std::fmt::Debug for LuaEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LuaEndpoint")
            .field("file", &self.file)
            .finish()
    }
}

fn cfg_err(msg: String) -> weir_alerts::Error {
    weir_alerts::Error::Config(msg)
}

impl LuaEndpoint {
    /// Loads `file` (under `alert_endpoints/`) of `plugin` in a new VM (with the
    /// plugin's definitions, not its user scripts) and calls its `onLoad()`.
    /// `recipient` is the recipient table handed to the module
    /// (`endpoint_conf`, `recipient_params`, …); `recipient_id` and `export_queue`
    /// are added.
    ///
    /// # Errors
    /// The module does not load, does not return a table, lacks
    /// `dequeueRecipientAlerts`, or `isAvailable()` returns false.
    pub fn new(
        plugin: &PluginSource,
        file: &str,
        recipient: &serde_json::Value,
        cfg: &ScriptConfig,
    ) -> weir_alerts::Result<LuaEndpoint> {
        let mut defs_only = plugin.clone();
        defs_only
            .files
            .retain(|k, _| !k.starts_with("user_scripts/"));
        let parts = Parts::new(cfg);
        let vm = loader::build(cfg, &parts, std::slice::from_ref(&defs_only))
            .map_err(|e| cfg_err(e.to_string()))?;
        let lua = vm.lua;
        let budget = vm.budget;
        let src = plugin
            .files
            .get(file)
            .ok_or_else(|| cfg_err(format!("{}/{file}: no such file", plugin.base())))?;
        let fail = |e: mlua::Error| cfg_err(error_text(&e, &plugin.base(), file));
        let env = plugin_env(&lua, plugin).map_err(fail)?;
        budget.reset();
        let module: Table = match lua
            .load(src.as_str())
            .set_name(chunk_name(&plugin.base(), file))
            .set_mode(ChunkMode::Text)
            .set_environment(env)
            .eval::<Value>()
            .map_err(fail)?
        {
            Value::Table(t) => t,
            _ => {
                return Err(cfg_err(format!(
                    "{}/{file}: endpoint module must return a table",
                    plugin.base()
                )));
            }
        };
        if module
            .get::<Option<Function>>("dequeueRecipientAlerts")
            .ok()
            .flatten()
            .is_none()
        {
            return Err(cfg_err(format!(
                "{}/{file}: endpoint module without dequeueRecipientAlerts()",
                plugin.base()
            )));
        }
        if let Ok(Some(f)) = module.get::<Option<Function>>("onLoad") {
            budget.reset();
            f.call::<()>(()).map_err(fail)?;
        }
        if let Ok(Some(f)) = module.get::<Option<Function>>("isAvailable") {
            budget.reset();
            if !f.call::<bool>(()).map_err(fail)? {
                return Err(cfg_err(format!(
                    "{}/{file}: isAvailable() returned false",
                    plugin.base()
                )));
            }
        }
        let key = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".lua")
            .to_owned();
        let r = crate::json::to_lua(&lua, recipient).map_err(fail)?;
        let recipient = match r {
            Value::Table(t) => t,
            _ => lua.create_table().map_err(fail)?,
        };
        let queue = format!("weir.recipient.{key}");
        recipient
            .raw_set("recipient_id", key.as_str())
            .map_err(fail)?;
        recipient
            .raw_set("export_queue", queue.as_str())
            .map_err(fail)?;
        let ntop: Table = lua.globals().raw_get("ntop").map_err(fail)?;
        Ok(LuaEndpoint {
            _lua: lua,
            ntop,
            module,
            recipient,
            queue,
            budget,
            base: plugin.base(),
            file: file.to_owned(),
        })
    }

    fn call_dequeue(&self, budget: usize) -> weir_alerts::Result<bool> {
        let f: Function = self
            .module
            .get("dequeueRecipientAlerts")
            .map_err(|e| cfg_err(e.to_string()))?;
        self.budget.reset();
        let r: Value = f
            .call((self.recipient.clone(), budget, false))
            .map_err(|e| cfg_err(error_text(&e, &self.base, &self.file)))?;
        let Value::Table(t) = r else {
            return Err(cfg_err(format!(
                "{}/{}: dequeueRecipientAlerts must return a table",
                self.base, self.file
            )));
        };
        if t.get::<Option<bool>>("success").ok().flatten() == Some(false) {
            let msg: String = t
                .get::<Option<String>>("error_message")
                .ok()
                .flatten()
                .unwrap_or_else(|| "delivery failed".into());
            return Err(cfg_err(format!("{}: {msg}", self.file)));
        }
        Ok(t.get::<Option<bool>>("more_available").ok().flatten() == Some(true))
    }
}

impl Endpoint for LuaEndpoint {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> weir_alerts::Result<()> {
        let push: Function = self
            .ntop
            .get("rpushCache")
            .map_err(|e| cfg_err(e.to_string()))?;
        for n in batch {
            let json = serde_json::to_string(&**n).map_err(|e| cfg_err(e.to_string()))?;
            push.call::<()>((self.queue.as_str(), json))
                .map_err(|e| cfg_err(e.to_string()))?;
        }
        // Rounds of at most 10 notifications until the module says it is done.
        for _ in 0..batch.len().div_ceil(10).max(1) + 1 {
            if !self.call_dequeue(10)? {
                break;
            }
        }
        Ok(())
    }
}

/// Starts a Lua endpoint in its own thread.
///
/// # Errors
/// As [`LuaEndpoint::new`], or a spawn failure.
pub fn spawn_lua_endpoint(
    config: EndpointConfig,
    plugin: PluginSource,
    file: String,
    recipient: serde_json::Value,
    cfg: ScriptConfig,
) -> weir_alerts::Result<EndpointHandle> {
    weir_alerts::spawn_endpoint(config, move || {
        LuaEndpoint::new(&plugin, &file, &recipient, &cfg)
    })
}
