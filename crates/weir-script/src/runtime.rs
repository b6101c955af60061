//! The runtime: loads plugins into one VM, dispatches flow events to the scripts'
//! hooks (filters applied in Rust first), raises flow alerts, isolates failures
//! (budgets, consecutive-failure disabling) and reloads without losing flow state.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use mlua::Table;
use serde::Serialize;
use serde_json::Value as Json;
use weir_alerts::{
    AlertEngine, AlertGeneration, FlowAlert, Registry, Severity, StatusKey, alert_json,
};
use weir_decode::Timestamp;
use weir_flow::{
    CLI2SRV, Consumer, EndReason, Flow, Host, Interface, IpNet, Network, Networks, SRV2CLI, Tick,
    tcp_state,
};

use crate::error::{Level, Problem, first_line};
use crate::flow_api::FlowView;
use crate::flow_info::full_info;
use crate::loader::{self, Kind, PluginInfo, ScriptInfo, Vm};
use crate::plugin::{PluginSource, discover};
use crate::state::{Output, Shared, SharedRef};

/// Runtime settings.
#[derive(Debug, Clone)]
pub struct ScriptConfig {
    /// Plugin roots (each a plugin directory or a directory of plugins).
    pub roots: Vec<PathBuf>,
    /// Lua instructions one hook call may run (counted in steps of 1000). 0 removes
    /// the count hook altogether: no instruction budget, no wall-clock backstop, only
    /// the hard memory limit (it makes Lua-heavy scripts about twice as fast; see the
    /// `script` bench).
    pub instruction_budget: u64,
    /// Memory limit of the VM, bytes.
    pub memory_limit: usize,
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
    /// `ntop.getDirs().installdir`.
    pub install_dir: PathBuf,
    /// `ntop.getDirs().workingdir`.
    pub working_dir: PathBuf,
    /// Keep a log of statuses, alerts and script errors ([`Runtime::take_events`]).
    pub record_events: bool,
    /// Where `ts_utils.append` writes and `ts_utils.query` reads; `None`: timeseries
    /// off (`params.ts_enabled` is false, `append` returns false).
    pub timeseries: Option<crate::ts_api::Timeseries>,
}

impl Default for ScriptConfig {
    fn default() -> Self {
        ScriptConfig {
            roots: vec![PathBuf::from("plugins")],
            instruction_budget: 1_000_000,
            memory_limit: 64 << 20,
            wall_limit: Duration::from_secs(1),
            max_failures: 5,
            periodic_update_secs: 300,
            output: Output::Stdout,
            local_networks: Vec::new(),
            ifid: 0,
            ifname: "weir".into(),
            install_dir: PathBuf::from("/usr/share/weir"),
            working_dir: PathBuf::from("/var/lib/weir"),
            record_events: false,
            timeseries: None,
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

/// The Lua plugin runtime of one engine thread.
pub struct Runtime {
    pub(crate) cfg: ScriptConfig,
    pub(crate) shared: SharedRef,
    pub(crate) vm: Vm,
    pub(crate) discovery_problems: Vec<Problem>,
    pub(crate) reload_flag: Arc<AtomicBool>,
    pub(crate) last_secs: u64,
    pub(crate) pending_teardown: Vec<usize>,
    pub(crate) faults: Vec<(usize, String)>,
    pub(crate) spare: Option<Box<FlowView>>,
    pub(crate) watch: crate::settings::Watch,
    /// Host counters at the previous `min` tick (flood and scan hits).
    pub(crate) host_prev: HashMap<(std::net::IpAddr, u16), crate::entity::HostPrev>,
    /// Victim hits (SYN flood, flow flood, SYN scan) of each local network in the
    /// current `min` round, by network id.
    pub(crate) net_hits: Vec<[u64; 3]>,
    /// Engaged alerts at the start of the current tick round.
    pub(crate) cur_index: Option<crate::entity::CurIndex>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("scripts", &self.vm.scripts.len())
            .finish()
    }
}

/// The first line of a Lua error, with the `plugins/…:line:` location when Lua gave
/// one (memory errors get the script's file).
pub(crate) fn error_text(e: &mlua::Error, plugin: &str, file: &str) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => error_text(cause, plugin, file),
        mlua::Error::WithContext { cause, .. } => error_text(cause, plugin, file),
        mlua::Error::MemoryError(_) => {
            format!("plugins/{plugin}/{file}: memory limit exceeded (not enough memory)")
        }
        mlua::Error::RuntimeError(s) => first_line(s).to_owned(),
        mlua::Error::SyntaxError { message, .. } => first_line(message).to_owned(),
        other => first_line(&other.to_string()).to_owned(),
    }
}

impl Runtime {
    /// Discovers the plugins under `cfg.roots` and loads them.
    ///
    /// # Errors
    /// Only when the VM itself cannot be created; plugin problems are in the report.
    pub fn load(cfg: ScriptConfig) -> crate::Result<(Runtime, LoadReport)> {
        let (sources, problems) = discover(&cfg.roots);
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
        let shared = new_shared(&cfg);
        let vm = loader::build(&cfg, &shared, &sources)?;
        {
            let mut s = shared.borrow_mut();
            s.registry = vm.registry.clone();
            let r = vm.registry.clone();
            s.alerts.set_registry(r);
        }
        let mut rt = Runtime {
            cfg,
            shared,
            vm,
            discovery_problems,
            reload_flag: Arc::new(AtomicBool::new(false)),
            last_secs: 0,
            pending_teardown: Vec::new(),
            faults: Vec::new(),
            spare: None,
            watch: crate::settings::Watch::default(),
            host_prev: HashMap::new(),
            cur_index: None,
            net_hits: Vec::new(),
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
            scripts: self.vm.scripts.iter().map(|s| s.info.clone()).collect(),
            problems,
        }
    }

    /// The registry (built-in and plugin alert/status types).
    pub fn registry(&self) -> Arc<Registry> {
        self.vm.registry.clone()
    }

    /// Runs `f` on the alert engine (to attach a store or endpoints, flush, …).
    pub fn with_alerts<R>(&self, f: impl FnOnce(&mut AlertEngine) -> R) -> R {
        f(&mut self.shared.borrow_mut().alerts)
    }

    /// Takes the recorded events (statuses, flow alerts, other alerts, script
    /// errors) when `record_events` is on.
    pub fn take_events(&mut self) -> Vec<Json> {
        self.shared
            .borrow_mut()
            .events
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Takes the script output kept with [`Output::Buffer`].
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.shared.borrow_mut().buffer)
    }

    /// A flag that makes the runtime reload at the next flow batch (for SIGHUP).
    pub fn reload_handle(&self) -> Arc<AtomicBool> {
        self.reload_flag.clone()
    }

    /// The script infos with their current counters.
    pub fn scripts(&self) -> Vec<ScriptInfo> {
        self.vm.scripts.iter().map(|s| s.info.clone()).collect()
    }

    /// The `alert_endpoints/` files of the loaded plugins: run each with
    /// [`crate::spawn_lua_endpoint`] (in its own thread and VM) and add its sender
    /// with [`Runtime::with_alerts`].
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
                let text = error_text(&e, &s.info.plugin, &s.info.file);
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
        self.shared.borrow_mut().alerts.tick(now);
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

    /// Index in the hook list of the first script that wants this flow.
    #[inline]
    fn first_passing(&self, h: usize, sel: &Sel) -> Option<usize> {
        let scripts = &self.vm.scripts;
        self.vm.hooks[h]
            .iter()
            .position(|e| passes(&scripts[e.script], sel))
    }

    fn select(
        &self,
        h: usize,
        now: u64,
        proto: u8,
        l7: &weir_flow::L7,
        tcp_state_bits: u8,
        first_seen: u64,
    ) -> Sel {
        Sel {
            l4: proto,
            master: l7.master.0,
            app: l7.app.0,
            twh_ok: proto != 6 || tcp_state_bits & tcp_state::ESTABLISHED != 0,
            periodic: (h == FlowHook::PeriodicUpdate as usize).then(|| {
                (
                    now.saturating_sub(first_seen),
                    self.cfg.periodic_update_secs.max(1),
                )
            }),
        }
    }

    /// Runs one hook on a flow: binds the `flow` global to it, calls every matching
    /// script, writes statuses and scores back, raises the flow alert if one was
    /// nominated. A flow no script wants is not copied and never enters Lua.
    pub fn dispatch(&mut self, hook: FlowHook, now: Timestamp, flow: &mut Flow) {
        let secs = now.as_secs();
        self.boundary(secs);
        let h = hook as usize;
        let sel = self.select(
            h,
            secs,
            flow.key.proto,
            &flow.l7,
            flow.tcp.state,
            flow.first_seen.as_secs(),
        );
        let Some(first) = self.first_passing(h, &sel) else {
            return;
        };
        let view = match self.spare.take() {
            Some(mut b) => {
                b.fill(flow);
                b
            }
            None => Box::new(FlowView::take(flow)),
        };
        let mut view = self.run_hooks(h, first, secs, &sel, view);
        view.restore(flow);
        self.spare = Some(view);
    }

    /// [`Runtime::dispatch`] on a detached [`FlowView`] (benches, tests).
    pub fn dispatch_view(
        &mut self,
        hook: FlowHook,
        now: Timestamp,
        view: Box<FlowView>,
    ) -> Box<FlowView> {
        let secs = now.as_secs();
        self.boundary(secs);
        let h = hook as usize;
        let sel = self.select(
            h,
            secs,
            view.key.proto,
            &view.l7,
            view.tcp.state,
            view.first_seen.as_secs(),
        );
        match self.first_passing(h, &sel) {
            None => view,
            Some(first) => self.run_hooks(h, first, secs, &sel, view),
        }
    }

    fn run_hooks(
        &mut self,
        h: usize,
        first: usize,
        secs: u64,
        sel: &Sel,
        view: Box<FlowView>,
    ) -> Box<FlowView> {
        {
            let mut s = self.shared.borrow_mut();
            s.flow = Some(view);
            s.now = secs;
            s.candidate = None;
        }
        let now_arg = i64::try_from(secs).unwrap_or(i64::MAX);
        let mut info: Option<Table> = None;
        let Vm {
            hooks,
            scripts,
            budget,
            lua,
            ..
        } = &mut self.vm;
        for e in &hooks[h][first..] {
            let sc = &mut scripts[e.script];
            if !passes(sc, sel) {
                continue;
            }
            {
                let mut s = self.shared.borrow_mut();
                s.script = Some(sc.ctx.clone());
                s.script_conf = Some((sc.ctx.key.clone(), sc.ctx.subdir, sc.conf.clone()));
            }
            budget.reset();
            let r = match e.kind {
                Kind::Hooks => e.func.call::<()>((now_arg, &sc.conf)),
                Kind::CheckModule => {
                    let t = match &info {
                        Some(t) => Ok(t.clone()),
                        None => {
                            let s = self.shared.borrow();
                            let v = s.flow.as_ref().expect("flow bound during dispatch");
                            full_info(lua, &s, v)
                        }
                    };
                    match t {
                        Ok(t) => {
                            info = Some(t.clone());
                            e.func.call::<()>(t)
                        }
                        Err(err) => Err(err),
                    }
                }
            };
            sc.info.calls += 1;
            let api_errors = {
                let mut s = self.shared.borrow_mut();
                if s.api_errors.is_empty() {
                    None
                } else {
                    Some(std::mem::take(&mut s.api_errors).join("; "))
                }
            };
            match (r, api_errors) {
                (Ok(()), None) => {
                    sc.info.consecutive_failures = 0;
                    if sc.teardown.is_some() && !self.pending_teardown.contains(&e.script) {
                        self.pending_teardown.push(e.script);
                    }
                }
                (Ok(()), Some(api)) => self.faults.push((e.script, api)),
                (Err(err), _) => {
                    let text = error_text(&err, &sc.info.plugin, &sc.info.file);
                    self.faults.push((e.script, text));
                }
            }
        }
        let (view, cand) = {
            let mut s = self.shared.borrow_mut();
            s.script = None;
            (
                s.flow.take().expect("flow bound during dispatch"),
                s.candidate.take(),
            )
        };
        if let Some(c) = cand {
            self.raise_flow_alert(&view, c, secs);
        }
        if !self.faults.is_empty() {
            self.handle_faults();
        }
        view
    }

    pub(crate) fn raise_flow_alert(&mut self, v: &FlowView, c: crate::state::Candidate, now: u64) {
        let mut s = self.shared.borrow_mut();
        let prev = s.alerted.get(&v.serial).copied();
        if c.score <= prev.map_or(0, |p| p.1) {
            return;
        }
        let Some(st) = s.registry.status(StatusKey(c.status)).cloned() else {
            return;
        };
        let Some(alert_type) = st.alert_type else {
            return;
        };
        let severity = c
            .severity
            .or(st.severity)
            .or_else(|| {
                s.registry
                    .alert(alert_type)
                    .and_then(|a| a.default_severity)
            })
            .unwrap_or(Severity::Error);
        let (cip, cport) = v.client();
        let (sip, sport) = v.server();
        let (cs, ss) = (cip.to_string(), sip.to_string());
        let mut a = FlowAlert::new(
            alert_type,
            StatusKey(c.status),
            severity,
            now,
            v.key.proto,
            (&cs, cport),
            (&ss, sport),
        );
        a.first_seen = v.first_seen.as_secs();
        a.score = u32::from(c.score);
        a.cli_score = u32::from(c.cli_score);
        a.srv_score = u32::from(c.srv_score);
        a.vlan_id = v.key.vlan;
        a.proto_name = v.ndpi_name();
        a.l7_proto = v.l7.proto().name().to_owned();
        a.l7_master_proto = v.l7.master.name().to_owned();
        a.cli_localhost = s.networks.lookup(cip).is_some();
        a.srv_localhost = s.networks.lookup(sip).is_some();
        a.cli2srv_bytes = v.dir[CLI2SRV].bytes;
        a.srv2cli_bytes = v.dir[SRV2CLI].bytes;
        a.cli2srv_packets = v.dir[CLI2SRV].packets;
        a.srv2cli_packets = v.dir[SRV2CLI].packets;
        a.info = v.info().to_owned();
        a.replace_alert = prev.is_some();
        a.script_key = Some(c.script.to_string());
        let mut params = match c.params {
            Json::Object(m) => m,
            Json::Null => serde_json::Map::new(),
            other => {
                let mut m = serde_json::Map::new();
                m.insert("status_info".into(), other);
                m
            }
        };
        params.insert("ntopng.key".into(), v.serial.into());
        params.insert("hash_entry_id".into(), v.serial.into());
        if let Some((t, code)) = v
            .key
            .is_icmp()
            .then(|| v.key.b_port.to_be_bytes())
            .map(|[x, y]| (x, y))
        {
            params.insert("icmp".into(), serde_json::json!({"type": t, "code": code}));
        }
        let generation = AlertGeneration {
            script_key: c.script.to_string(),
            subdir: "flow".into(),
            confset_id: 0,
        };
        a.alert_json = alert_json(&Json::Object(params), Some(&generation));
        s.alerted.insert(v.serial, (c.status, c.score));
        if s.events.is_some()
            && let Ok(mut j) = serde_json::to_value(&a)
        {
            j["event"] = "flow_alert".into();
            j["alert_name"] = s
                .registry
                .alert(alert_type)
                .map(|t| t.name.clone())
                .unwrap_or_default()
                .into();
            s.record(j);
        }
        s.alerts.store_flow(a);
    }
}

pub(crate) fn new_shared(cfg: &ScriptConfig) -> SharedRef {
    let registry = Arc::new(Registry::with_builtins());
    let alerts = AlertEngine::new(
        weir_alerts::EngineConfig {
            ifid: cfg.ifid,
            ..Default::default()
        },
        registry.clone(),
    );
    Rc::new(RefCell::new(Shared {
        flow: None,
        host: None,
        network: None,
        now: 0,
        candidate: None,
        script: None,
        api_errors: Vec::new(),
        output: cfg.output.clone(),
        buffer: Vec::new(),
        registry,
        alerts,
        events: cfg.record_events.then(Vec::new),
        networks: Networks::new(&cfg.local_networks),
        reload_requested: false,
        ifid: cfg.ifid,
        alerted: HashMap::new(),
        flow_sink: None,
        script_conf: None,
    }))
}

/// What the Rust-side filters look at.
struct Sel {
    l4: u8,
    master: u16,
    app: u16,
    twh_ok: bool,
    /// `periodicUpdate`: flow duration and the engine's period, seconds.
    periodic: Option<(u64, u64)>,
}

#[inline]
fn passes(s: &loader::Script, sel: &Sel) -> bool {
    !s.info.disabled
        && !s.off
        && s.l4.is_none_or(|p| p == sel.l4)
        && s.l7.is_none_or(|p| p == sel.master || p == sel.app)
        && (!s.twh || sel.twh_ok)
        && match (sel.periodic, s.period) {
            // A script period longer than the engine's: only at the engine event
            // where the flow duration crossed a multiple of it.
            (Some((d, engine)), Some(p)) if p > engine => d / p > d.saturating_sub(engine) / p,
            _ => true,
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
        let mut s = self.shared.borrow_mut();
        if !s.alerted.is_empty() {
            s.alerted.remove(&flow.serial);
        }
    }
}
