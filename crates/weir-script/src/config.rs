//! Settings of the runtime and the flow hooks it dispatches: plain data every other
//! part reads.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use weir_flow::IpNet;

use weir_ts::{TsQuery, TsSender};

use crate::plugin::PluginSource;

/// Runtime settings.
#[derive(Debug, Clone)]
pub struct ScriptConfig {
    /// Plugins built into the binary ([`PluginSource::embedded`]), loaded before
    /// those found under `roots` (a key found twice keeps the first).
    pub sources: Vec<PluginSource>,
    /// Plugin roots (each a plugin directory or a directory of plugins).
    pub roots: Vec<PathBuf>,
    /// Lua instructions one hook call may run (counted in steps of 1000). 0 removes
    /// the count hook altogether: no instruction budget, no wall-clock backstop, only
    /// the hard memory limit (it makes Lua-heavy scripts about twice as fast; see the
    /// `script` bench).
    pub instruction_budget: u64,
    /// Memory limit of the VM, bytes.
    pub memory_limit: usize,
    /// Memory one script may keep (its environment, script table and the upvalues
    /// of its functions reach it), bytes, checked when the VM passes
    /// [`HIGH_WATER_PERCENT`](crate::HIGH_WATER_PERCENT) of its limit; a script over
    /// it is stopped alone. 0: a quarter of `memory_limit`.
    pub memory_budget: usize,
    /// Budgets of particular scripts, bytes, by script key (`syn_scan`) or
    /// `subdir/key` (`flow/syn_scan`); the others get `memory_budget`.
    pub memory_budgets: std::collections::HashMap<String, usize>,
    /// Wall-clock backstop per call.
    pub wall_limit: Duration,
    /// Failures in a row after which a script is disabled until reload.
    pub max_failures: u32,
    /// The flow engine's `periodicUpdate` period (`EngineConfig::periodic_update_secs`):
    /// scripts with a longer `periodic_update_seconds` are called only when the flow
    /// duration crosses a multiple of theirs.
    pub periodic_update_secs: u64,
    /// Where `io.write`/`print` output goes.
    pub output: Output,
    /// Local networks (`cli.localhost`, `flow.isLocal()`, …).
    pub local_networks: Vec<IpNet>,
    /// Interface id and name.
    pub ifid: i32,
    /// Interface name.
    pub ifname: String,
    /// Every packet interface of the process, `(ifid, name)`
    /// (`interface.getIfNames()`); empty: only this one.
    pub interfaces: Vec<(i32, String)>,
    /// The flow engine's idle timeout (`EngineConfig::max_idle_secs`): a flow quiet
    /// for longer is idle (`flow.isNotPurged()`).
    pub max_idle_secs: u64,
    /// `ntop.getDirs().installdir`.
    pub install_dir: PathBuf,
    /// `ntop.getDirs().workingdir`.
    pub working_dir: PathBuf,
    /// Keep a log of statuses, alerts and script errors ([`Runtime::take_events`](crate::Runtime::take_events)).
    pub record_events: bool,
    /// Where `ts_utils.append` writes and `ts_utils.query` reads; `None`: timeseries
    /// off (`params.ts_enabled` is false, `append` returns false).
    pub timeseries: Option<Timeseries>,
    /// The alert store writer the VM's alert engine sends to from the start (alert
    /// endpoint VMs: `interface.storeAlert` from the sqlite endpoint); `None`: the
    /// embedder sets one later (`Runtime::with_alerts`), or alerts are not stored.
    pub alert_store: Option<AlertStore>,
}

impl ScriptConfig {
    /// The budget of scripts without one of their own, bytes
    /// ([`ScriptConfig::memory_budget`], or a quarter of the VM's limit).
    pub fn default_memory_budget(&self) -> usize {
        if self.memory_budget > 0 {
            self.memory_budget
        } else {
            self.memory_limit / 4
        }
    }
}

/// An alert store writer for [`ScriptConfig::alert_store`].
#[derive(Clone)]
pub struct AlertStore(pub weir_alerts::StoreSender);

impl std::fmt::Debug for AlertStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AlertStore")
    }
}

impl Default for ScriptConfig {
    fn default() -> Self {
        ScriptConfig {
            sources: Vec::new(),
            roots: vec![PathBuf::from("plugins")],
            instruction_budget: 1_000_000,
            memory_limit: 64 << 20,
            memory_budget: 0,
            memory_budgets: std::collections::HashMap::new(),
            wall_limit: Duration::from_secs(1),
            max_failures: 5,
            periodic_update_secs: 300,
            output: Output::Stdout,
            local_networks: Vec::new(),
            ifid: 0,
            ifname: "weir".into(),
            interfaces: Vec::new(),
            max_idle_secs: 60,
            install_dir: PathBuf::from("/usr/share/weir"),
            working_dir: PathBuf::from("/var/lib/weir"),
            record_events: false,
            timeseries: None,
            alert_store: None,
        }
    }
}

/// Flow hooks (spec flow-info.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowHook {
    /// `protocolDetected`.
    ProtocolDetected = 0,
    /// `statusChanged`.
    StatusChanged = 1,
    /// `periodicUpdate`.
    PeriodicUpdate = 2,
    /// `flowEnd` (alias `idle`).
    FlowEnd = 3,
}

impl FlowHook {
    /// All hooks.
    pub const ALL: [FlowHook; 4] = [
        FlowHook::ProtocolDetected,
        FlowHook::StatusChanged,
        FlowHook::PeriodicUpdate,
        FlowHook::FlowEnd,
    ];

    /// The hook name.
    pub fn name(self) -> &'static str {
        match self {
            FlowHook::ProtocolDetected => "protocolDetected",
            FlowHook::StatusChanged => "statusChanged",
            FlowHook::PeriodicUpdate => "periodicUpdate",
            FlowHook::FlowEnd => "flowEnd",
        }
    }

    /// From a hook name (`idle` = `flowEnd`).
    pub fn from_name(n: &str) -> Option<FlowHook> {
        Some(match n {
            "protocolDetected" => FlowHook::ProtocolDetected,
            "statusChanged" => FlowHook::StatusChanged,
            "periodicUpdate" => FlowHook::PeriodicUpdate,
            "flowEnd" | "idle" => FlowHook::FlowEnd,
            _ => return None,
        })
    }
}

/// Where `io.write`, `print` and `tprint` output goes.
#[derive(Debug, Clone, Default)]
pub enum Output {
    /// Standard output (the default).
    #[default]
    Stdout,
    /// Standard error.
    Stderr,
    /// Kept in memory; read it with [`Runtime::take_output`](crate::Runtime::take_output).
    Buffer,
    /// Dropped.
    Discard,
    /// Appended to a buffer shared across threads (endpoint threads, tests).
    Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>),
}

/// The timeseries a runtime writes to and reads from ([`crate::ScriptConfig::timeseries`]).
#[derive(Clone)]
pub struct Timeseries {
    /// Where `ts_utils.append` points go (one clone per VM, each with its own buffer).
    pub writer: TsSender,
    /// What `ts_utils.query` and friends read; `None`: reads return nil.
    pub query: Option<Arc<dyn TsQuery + Send + Sync>>,
    /// `ts_utils.getDriverName()`: `rrd` for the embedded round-robin store,
    /// `influxdb` for InfluxDB.
    pub driver: &'static str,
}

impl std::fmt::Debug for Timeseries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeseries")
            .field("writer", &self.writer)
            .field("query", &self.query.is_some())
            .field("driver", &self.driver)
            .finish()
    }
}
