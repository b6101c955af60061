//! What loading found, as the runtime reports it: plugins, scripts with their
//! counters, and problems.

use serde::Serialize;

use crate::error::{Level, Problem};

/// What a loaded user script looks like from outside.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptInfo {
    /// Plugin key.
    pub plugin: String,
    /// Script key (file name without `.lua`).
    pub key: String,
    /// Subdirectory (`flow`, `host`, …).
    pub subdir: String,
    /// File relative to the plugin.
    pub file: String,
    /// `plugin` (hooks table) or `check_module` (seed 003 format).
    pub format: &'static str,
    /// Hook names it runs on.
    pub hooks: Vec<String>,
    /// Attached to the event dispatch (flow scripts that passed setup and config).
    pub active: bool,
    /// Why not active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inactive_reason: Option<String>,
    /// Hook calls so far.
    pub calls: u64,
    /// Failed calls so far.
    pub errors: u64,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// Disabled after too many failures in a row (until reload).
    pub disabled: bool,
    /// The last error, with file:line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// `category.id` (`user_scripts.script_categories`; 0 other when none): which
    /// alert recipients get its alerts.
    pub category: u8,
    /// What the script cost so far, per hook (flow hooks by name, entity hooks by
    /// granularity, syslog `handleEvent`); hooks never called are left out.
    pub cost: Vec<HookCost>,
}

impl ScriptInfo {
    /// Wall time spent in the script's hooks so far, nanoseconds.
    pub fn time_ns(&self) -> u64 {
        self.cost.iter().map(|c| c.time_ns).sum()
    }
}

/// The cost of one hook of a script: calls, time in Lua, memory allocated.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct HookCost {
    /// Hook (`protocolDetected`, …) or granularity (`min`, `5mins`, …).
    pub hook: String,
    /// Calls.
    pub calls: u64,
    /// Wall time in the calls, nanoseconds.
    pub time_ns: u64,
    /// The slowest call, nanoseconds.
    pub max_ns: u64,
    /// Memory the calls left allocated in the VM (growth of the VM's use across the
    /// call, summed; garbage collected later still counts), bytes.
    pub alloc_bytes: u64,
}

impl HookCost {
    /// Mean time per call, nanoseconds (0 without calls).
    pub fn mean_ns(&self) -> u64 {
        self.time_ns.checked_div(self.calls).unwrap_or(0)
    }
}

/// Counters of one hook slot, kept beside the script on the hot path.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Meter {
    pub calls: u64,
    pub time_ns: u64,
    pub max_ns: u64,
    pub alloc_bytes: u64,
}

impl Meter {
    /// Adds one call that took `ns` and grew the VM by `grew` bytes.
    #[inline]
    pub(crate) fn add(&mut self, ns: u64, grew: u64) {
        self.calls += 1;
        self.time_ns += ns;
        self.max_ns = self.max_ns.max(ns);
        self.alloc_bytes += grew;
    }

    pub(crate) fn report(&self, hook: &str) -> HookCost {
        HookCost {
            hook: hook.to_owned(),
            calls: self.calls,
            time_ns: self.time_ns,
            max_ns: self.max_ns,
            alloc_bytes: self.alloc_bytes,
        }
    }
}

/// A plugin as loaded.
#[derive(Debug, Clone, Serialize)]
pub struct PluginInfo {
    /// Key (directory name).
    pub key: String,
    /// Title (manifest, or the key).
    pub title: String,
    /// Description.
    pub description: String,
    /// Author.
    pub author: String,
    /// Where it comes from: its directory as given, or `builtin:<key>` for a
    /// plugin built into the binary.
    pub dir: String,
    /// The plugins it replaces (`builtin:<key>`): a plugin of one's own with the
    /// key, or a script key, of a built-in plugin takes the built-in's place.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    /// Alert definitions (type names) it registered.
    pub alert_definitions: Vec<String>,
    /// Status definitions it registered.
    pub status_definitions: Vec<String>,
    /// The previous version was kept on reload because the new one failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_previous_version: Option<String>,
}

/// What loading (or reloading) found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    /// Plugins loaded.
    pub plugins: Vec<PluginInfo>,
    /// Scripts found (active or not).
    pub scripts: Vec<ScriptInfo>,
    /// Problems, each naming plugin, file and line.
    pub problems: Vec<Problem>,
}

impl LoadReport {
    /// Problems of level error.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.level == Level::Error)
    }
}

/// Nanoseconds from `t0` to `t1` (`quanta`: the CPU's time-stamp counter, calibrated
/// against the monotonic clock, where available — a few nanoseconds a read where the
/// system clock costs tens).
#[inline]
pub(crate) fn elapsed_ns(t0: quanta::Instant, t1: quanta::Instant) -> u64 {
    u64::try_from(t1.saturating_duration_since(t0).as_nanos()).unwrap_or(u64::MAX)
}

/// Bytes the VM grew by since it used `before`.
#[inline]
pub(crate) fn grew(lua: &mlua::Lua, before: usize) -> u64 {
    lua.used_memory().saturating_sub(before) as u64
}
