//! The runtime: loads plugins into one VM, dispatches flow events to the scripts'
//! hooks (filters applied in Rust first), raises flow alerts, isolates failures
//! (budgets, consecutive-failure disabling) and reloads without losing flow state.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::Value as Json;
use weir_alerts::{AlertEngine, Registry};
use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Flow, Host, Interface, Network, Tick};

use crate::config::{FlowHook, ScriptConfig};
use crate::diag::error_text;
use crate::entity::{CurIndex, HostPrev};
use crate::error::Problem;
use crate::flow_view::FlowView;
use crate::info::{LoadReport, ScriptInfo};
use crate::loader::{self, Vm};
use crate::plugin::{PluginSource, gather};
use crate::vm::Parts;

/// The Lua plugin runtime of one engine thread.
pub struct Runtime {
    pub(crate) cfg: ScriptConfig,
    /// The cells the VM's Rust functions share with the runtime.
    pub(crate) parts: Parts,
    pub(crate) vm: Vm,
    pub(crate) discovery_problems: Vec<Problem>,
    pub(crate) reload_flag: Arc<AtomicBool>,
    pub(crate) last_secs: u64,
    pub(crate) pending_teardown: Vec<usize>,
    pub(crate) faults: Vec<(usize, String)>,
    pub(crate) spare: Option<Box<FlowView>>,
    pub(crate) watch: crate::settings::Watch,
    /// Host counters at the previous `min` tick (flood and scan hits).
    pub(crate) host_prev: HashMap<(std::net::IpAddr, u16), HostPrev>,
    /// The hook entries a dispatch admitted (kept to reuse its allocation).
    pub(crate) admitted: Vec<usize>,
    /// Victim hits (SYN flood, flow flood, SYN scan) of each local network in the
    /// current `min` round, by network id.
    pub(crate) net_hits: Vec<[u64; 3]>,
    /// Engaged alerts at the start of the current tick round.
    pub(crate) cur_index: Option<CurIndex>,
    /// Hosts with engaged alerts and the previous tick rounds (host tick skipping).
    pub(crate) host_ticks: crate::ticks::HostTicks,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("scripts", &self.vm.scripts.len())
            .finish()
    }
}

impl Runtime {
    /// Loads the plugins of `cfg.sources` (built into the binary) and those found
    /// under `cfg.roots`.
    ///
    /// # Errors
    /// Only when the VM itself cannot be created; plugin problems are in the report.
    pub fn load(cfg: ScriptConfig) -> crate::Result<(Runtime, LoadReport)> {
        let (sources, problems) = gather(&cfg.sources, &cfg.roots);
        log_replacements(&sources);
        Runtime::from_sources(cfg, sources, problems)
    }

    /// Loads these plugin sources.
    ///
    /// # Errors
    /// Only when the VM itself cannot be created.
    pub fn from_sources(
        cfg: ScriptConfig,
        sources: Vec<PluginSource>,
        discovery_problems: Vec<Problem>,
    ) -> crate::Result<(Runtime, LoadReport)> {
        let parts = Parts::new(&cfg);
        let vm = loader::build(&cfg, &parts, &sources)?;
        parts.alerts.borrow_mut().set_registry(vm.registry.clone());
        let mut rt = Runtime {
            cfg,
            parts,
            vm,
            discovery_problems,
            reload_flag: Arc::new(AtomicBool::new(false)),
            last_secs: 0,
            pending_teardown: Vec::new(),
            faults: Vec::new(),
            spare: None,
            watch: crate::settings::Watch::default(),
            host_prev: HashMap::new(),
            admitted: Vec::new(),
            cur_index: None,
            net_hits: Vec::new(),
            host_ticks: crate::ticks::HostTicks::default(),
        };
        rt.watch = crate::settings::Watch::new(Some(rt.settings_path()));
        rt.apply_settings();
        rt.report_load_errors(0);
        let report = rt.report();
        Ok((rt, report))
    }

    /// The current plugins, scripts and load problems.
    pub fn report(&self) -> LoadReport {
        let mut problems = self.discovery_problems.clone();
        problems.extend(self.vm.problems.iter().cloned());
        LoadReport {
            plugins: self.vm.plugins.clone(),
            scripts: self.vm.scripts.iter().map(|s| s.report()).collect(),
            problems,
        }
    }

    /// The registry (built-in and plugin alert/status types).
    pub fn registry(&self) -> Arc<Registry> {
        self.vm.registry.clone()
    }

    /// Runs `f` on the alert engine (to attach a store or endpoints, flush, …).
    pub fn with_alerts<R>(&self, f: impl FnOnce(&mut AlertEngine) -> R) -> R {
        f(&mut self.parts.alerts.borrow_mut().alerts)
    }

    /// Takes the recorded events (statuses, flow alerts, other alerts, script
    /// errors) when `record_events` is on.
    pub fn take_events(&mut self) -> Vec<Json> {
        self.parts
            .alerts
            .borrow_mut()
            .events
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Sends the scripts' output (`print`, `io.write`) to `output` from now on.
    pub fn set_output(&mut self, output: crate::Output) {
        self.parts.out.borrow_mut().output = output;
    }

    /// Takes the script output kept with [`Output::Buffer`](crate::Output::Buffer).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.parts.out.borrow_mut().buffer)
    }

    /// Takes the category catalogue entries scripts queued with
    /// `ntop.loadCustomCategoryHost/Ip` since the last call (for the engine).
    pub fn take_custom_categories(&mut self) -> Vec<crate::CustomCategory> {
        self.vm
            .lua
            .try_app_data_mut::<crate::ntop_api::PendingCategories>()
            .ok()
            .flatten()
            .map(|mut p| std::mem::take(&mut p.0))
            .unwrap_or_default()
    }

    /// A flag that makes the runtime reload at the next flow batch (for SIGHUP).
    pub fn reload_handle(&self) -> Arc<AtomicBool> {
        self.reload_flag.clone()
    }

    /// The script infos with their current counters.
    pub fn scripts(&self) -> Vec<ScriptInfo> {
        self.vm.scripts.iter().map(|s| s.report()).collect()
    }

    /// The `alert_endpoints/` files of the loaded plugins: run each with
    /// [`crate::spawn_lua_endpoint`] (in its own thread and VM, for its recipients)
    /// and add the recipient dispatcher's sender with [`Runtime::with_alerts`].
    pub fn endpoint_files(&self) -> Vec<(PluginSource, String)> {
        let loaded: Vec<&str> = self.vm.plugins.iter().map(|p| p.key.as_str()).collect();
        let mut out = Vec::new();
        for src in self
            .vm
            .sources
            .iter()
            .filter(|s| loaded.contains(&s.key.as_str()))
        {
            for (file, _) in src.files_in("alert_endpoints") {
                out.push((src.clone(), file.to_owned()));
            }
        }
        out
    }

    /// Memory used by the VM, bytes.
    pub fn used_memory(&self) -> usize {
        self.vm.lua.used_memory()
    }

    /// Calls `teardown()` of the scripts that ran since the previous call (the end of
    /// a visit). Called automatically when the packet clock moves to a new visit and
    /// by [`Runtime::finish`].
    pub fn run_teardowns(&mut self) {
        let pending = std::mem::take(&mut self.pending_teardown);
        for idx in pending {
            let Some(f) = self.vm.scripts.get(idx).and_then(|s| s.teardown.clone()) else {
                continue;
            };
            if self.vm.scripts[idx].info.disabled {
                continue;
            }
            self.vm.budget.reset();
            if let Err(e) = f.call::<()>(()) {
                let s = &self.vm.scripts[idx];
                let text = error_text(&e, &s.ctx.base, &s.info.file);
                self.faults.push((idx, text));
            }
        }
        self.handle_faults();
    }

    /// End of input: pending teardowns, then the alert engine gets the clock.
    pub fn finish(&mut self) {
        self.run_teardowns();
        self.end_timeseries_step();
        let now = self.last_secs;
        self.parts.alerts.borrow_mut().alerts.tick(now);
    }

    #[inline]
    pub(crate) fn boundary(&mut self, secs: u64) {
        if secs != self.last_secs {
            if !self.pending_teardown.is_empty() {
                self.run_teardowns();
            }
            self.last_secs = secs;
            self.check_reload();
            self.check_settings();
        }
    }
}

impl Consumer for Runtime {
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        self.tick_host(tick, now, host);
    }

    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        self.tick_interface(tick, now, iface);
    }

    fn network_tick(&mut self, tick: Tick, now: Timestamp, net: &Network) {
        self.tick_network(tick, now, net);
    }

    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        self.tick_system(tick, now);
    }

    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        self.purge_host(now, host);
    }

    fn host_pinned(&mut self, host: &Host) -> bool {
        self.host_ticks.pinned(host)
    }

    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.dispatch(FlowHook::ProtocolDetected, now, flow);
    }

    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        self.dispatch(FlowHook::StatusChanged, now, flow);
    }

    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        self.dispatch(FlowHook::PeriodicUpdate, now, flow);
    }

    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, _reason: EndReason) {
        self.dispatch(FlowHook::FlowEnd, now, flow);
        let mut f = self.parts.flow.borrow_mut();
        if !f.alerted.is_empty() {
            f.alerted.remove(&flow.serial);
        }
        if !f.external.is_empty() {
            f.external.remove(&flow.serial);
        }
    }
}

/// One INFO line per plugin that takes the place of a built-in one.
pub(crate) fn log_replacements(sources: &[PluginSource]) {
    for s in sources {
        for r in &s.replaces {
            tracing::info!(target: "weir_script", "plugin {} replaces the built-in plugin {r}", s.base());
        }
    }
}
