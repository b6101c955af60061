//! Plugin `alert_endpoints/` modules with ntopng 4.2's recipient model
//! (ntopng42-api.md §5, plugins.md §13).
//!
//! Each endpoint module runs in its own thread with its own sandboxed VM, created
//! inside the thread, so a slow or failing endpoint never touches the engine
//! thread. The dispatcher ([`weir_alerts::RecipientDispatch`]) fills the recipient
//! queues; the module's thread runs the loop of §5.2: every
//! [`LoopOptions::interval`] (3 s), for each recipient of this endpoint whose
//! `EXPORT_FREQUENCY` gate is open, the high then the low queue is drained
//! round-robin with `dequeueRecipientAlerts(recipient, 10, high_priority)` until it
//! reports `success=false` or `more_available=false`, the 3000-notification budget
//! per priority is spent, or the round's deadline passes. A flush or shutdown runs
//! a round without the gate (the end of a capture loses nothing).

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};
use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, Table, Value};
use serde::Serialize;
use weir_alerts::{
    EndpointConf, EndpointSender, Recipient, RecipientQueues, RecipientSet, StoreSender,
};

use crate::config::ScriptConfig;
use crate::diag::error_text;
use crate::error::chunk_name;
use crate::loader::{self, plugin_env};
use crate::plugin::PluginSource;
use crate::state::AlertRef;
use crate::vm::{Budget, Parts};

/// Wall-clock budget of one call into an endpoint module (it may wait on the
/// network: the 4.2 webhook retries 3 times with 1 s timeouts).
pub const ENDPOINT_CALL_WALL: Duration = Duration::from_secs(15);

/// A parameter an endpoint module declares (`conf_params`, `recipient_params`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    /// `param_name`.
    pub name: String,
    /// `optional`.
    pub optional: bool,
}

/// What an endpoint module declares (its type, as `notification_configs.get_types`
/// lists it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointType {
    /// Endpoint key: the module's file base name (`webhook`).
    pub key: String,
    /// The plugin holding it.
    pub plugin: String,
    /// The file, relative to the plugin.
    pub file: String,
    /// `name` (UI label).
    pub name: String,
    /// `builtin`: gets a configuration and recipient automatically.
    pub builtin: bool,
    /// `conf_max_num`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conf_max_num: Option<u32>,
    /// `conf_params`.
    pub conf_params: Vec<ParamSpec>,
    /// `recipient_params`.
    pub recipient_params: Vec<ParamSpec>,
    /// `EXPORT_FREQUENCY`, seconds (default 60).
    pub export_frequency: u64,
    /// `prio` (higher first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prio: Option<i64>,
}

impl EndpointType {
    /// Checks `values` against `specs`: unknown names are dropped (returned as
    /// warnings), a missing mandatory one is an error naming it.
    ///
    /// # Errors
    /// The name of the first missing mandatory parameter.
    pub fn check_params(
        specs: &[ParamSpec],
        values: &mut std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<String>, String> {
        let mut warnings = Vec::new();
        values.retain(|k, _| {
            let known = specs.iter().any(|s| &s.name == k);
            if !known {
                warnings.push(format!("unknown parameter {k:?} dropped"));
            }
            known
        });
        for s in specs.iter().filter(|s| !s.optional) {
            if values.get(&s.name).is_none_or(|v| v.is_empty()) {
                return Err(format!("missing mandatory parameter {:?}", s.name));
            }
        }
        Ok(warnings)
    }
}

/// Timing of the endpoint loop.
#[derive(Debug, Clone, Copy)]
pub struct LoopOptions {
    /// Time between rounds and deadline of a round (3 s).
    pub interval: Duration,
    /// Notifications per priority per round (3000).
    pub round_budget: usize,
    /// `budget` argument of `dequeueRecipientAlerts` (10).
    pub call_budget: usize,
}

impl Default for LoopOptions {
    fn default() -> LoopOptions {
        LoopOptions {
            interval: Duration::from_secs(3),
            round_budget: 3000,
            call_budget: 10,
        }
    }
}

/// Counters of one endpoint module's thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EndpointLoopStats {
    /// Calls of `dequeueRecipientAlerts`.
    pub calls: u64,
    /// Calls that failed (error or `success=false`).
    pub failures: u64,
    /// Notifications dequeued by successful calls.
    pub delivered: u64,
    /// Notifications dequeued by failed calls (lost).
    pub lost: u64,
}

struct Module {
    lua: Lua,
    module: Table,
    budget: std::rc::Rc<Budget>,
    alerts: AlertRef,
    base: String,
    file: String,
    key: String,
    export_frequency: Duration,
    queues: Arc<RecipientQueues>,
    set: Arc<RecipientSet>,
    last_export: HashMap<u8, Instant>,
    stats: EndpointLoopStats,
    opts: LoopOptions,
}

fn cfg_err(msg: String) -> weir_alerts::Error {
    weir_alerts::Error::Config(msg)
}

fn param_specs(t: &Table, field: &str) -> Vec<ParamSpec> {
    let Ok(Some(list)) = t.get::<Option<Table>>(field) else {
        return Vec::new();
    };
    list.sequence_values::<Table>()
        .filter_map(|p| {
            let p = p.ok()?;
            Some(ParamSpec {
                name: p.get::<Option<String>>("param_name").ok().flatten()?,
                optional: p.get::<Option<bool>>("optional").ok().flatten() == Some(true),
            })
        })
        .collect()
}

/// Where the alerts an endpoint module raises itself (`alerts_api.store` of the
/// sqlite endpoint's internal alerts) go.
#[derive(Clone, Default)]
pub struct EndpointAlertSinks {
    /// The alert store.
    pub store: Option<StoreSender>,
    /// Endpoints (the recipient dispatcher among them).
    pub endpoints: Vec<EndpointSender>,
}

impl std::fmt::Debug for EndpointAlertSinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointAlertSinks")
            .field("endpoints", &self.endpoints.len())
            .finish_non_exhaustive()
    }
}

impl Module {
    fn load(
        plugin: &PluginSource,
        file: &str,
        cfg: &ScriptConfig,
        set: Arc<RecipientSet>,
        queues: Arc<RecipientQueues>,
        sinks: EndpointAlertSinks,
        opts: LoopOptions,
    ) -> weir_alerts::Result<(Module, EndpointType)> {
        let mut defs_only = plugin.clone();
        defs_only
            .files
            .retain(|k, _| !k.starts_with("user_scripts/"));
        let mut cfg = cfg.clone();
        cfg.wall_limit = cfg.wall_limit.max(ENDPOINT_CALL_WALL);
        let parts = Parts::new(&cfg);
        let vm = loader::build(&cfg, &parts, std::slice::from_ref(&defs_only))
            .map_err(|e| cfg_err(e.to_string()))?;
        let lua = vm.lua;
        let budget = vm.budget;
        crate::net_api::use_queues(&lua, queues.clone());
        {
            let mut a = parts.alerts.borrow_mut();
            if let Some(s) = sinks.store {
                a.alerts.set_store(s);
            }
            for e in sinks.endpoints {
                a.alerts.add_endpoint(e);
            }
        }
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
        if let Ok(Some(f)) = module.get::<Option<Function>>("isAvailable") {
            budget.reset();
            if !f.call::<bool>(()).map_err(fail)? {
                return Err(cfg_err(format!(
                    "{}/{file}: isAvailable() returned false",
                    plugin.base()
                )));
            }
        }
        if let Ok(Some(f)) = module.get::<Option<Function>>("onLoad") {
            budget.reset();
            f.call::<()>(()).map_err(fail)?;
        }
        let key = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".lua")
            .to_owned();
        let freq = module
            .get::<Option<f64>>("EXPORT_FREQUENCY")
            .ok()
            .flatten()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .unwrap_or(60.0);
        let info = EndpointType {
            key: key.clone(),
            plugin: plugin.key.clone(),
            file: file.to_owned(),
            name: module
                .get::<Option<String>>("name")
                .ok()
                .flatten()
                .unwrap_or_else(|| key.clone()),
            builtin: module.get::<Option<bool>>("builtin").ok().flatten() == Some(true),
            conf_max_num: module.get::<Option<u32>>("conf_max_num").ok().flatten(),
            conf_params: param_specs(&module, "conf_params"),
            recipient_params: param_specs(&module, "recipient_params"),
            export_frequency: freq as u64,
            prio: module.get::<Option<i64>>("prio").ok().flatten(),
        };
        Ok((
            Module {
                lua,
                module,
                budget,
                alerts: parts.alerts.clone(),
                base: plugin.base(),
                file: file.to_owned(),
                key,
                export_frequency: Duration::from_secs_f64(freq.min(86_400.0)),
                queues,
                set,
                last_export: HashMap::new(),
                stats: EndpointLoopStats::default(),
                opts,
            },
            info,
        ))
    }

    fn err_text(&self, e: &mlua::Error) -> String {
        error_text(e, &self.base, &self.file)
    }

    /// The recipient table (§5.3) of `r`.
    fn recipient_table(&self, r: &Recipient, conf: &EndpointConf) -> mlua::Result<Table> {
        let v = crate::json::to_lua(&self.lua, &r.lua_table(conf))?;
        let Value::Table(t) = v else {
            return self.lua.create_table();
        };
        if let Ok(Some(f)) = self
            .module
            .get::<Option<Function>>("format_recipient_params")
        {
            self.budget.reset();
            if let Ok(s) = f.call::<String>(t.get::<Value>("recipient_params")?) {
                t.raw_set("recipient_params_fmt", s)?;
            }
        }
        if let Some(s) = self.queues.stats(usize::from(r.id)) {
            let st = self.lua.create_table()?;
            st.raw_set("last_use", s.last_use)?;
            st.raw_set("num_drops", s.num_drops)?;
            st.raw_set("num_uses", s.num_uses)?;
            t.raw_set("stats", st)?;
        }
        Ok(t)
    }

    /// One `dequeueRecipientAlerts` call: `Some(more_available)` on success.
    fn dequeue_once(&mut self, id: u8, t: &Table, high: bool) -> Option<bool> {
        let before = self.queues.len(usize::from(id));
        let f: Function = self.module.get("dequeueRecipientAlerts").ok()?;
        self.budget.reset();
        self.stats.calls += 1;
        let r = f.call::<Value>((t.clone(), self.opts.call_budget, high));
        let after = self.queues.len(usize::from(id));
        let taken = if high {
            before.0.saturating_sub(after.0)
        } else {
            before.1.saturating_sub(after.1)
        } as u64;
        let outcome = match r {
            Ok(Value::Table(t)) => {
                if t.get::<Option<bool>>("success").ok().flatten() == Some(false) {
                    Err(t
                        .get::<Option<String>>("error_message")
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| "delivery failed".into()))
                } else {
                    Ok(t.get::<Option<bool>>("more_available").ok().flatten() == Some(true))
                }
            }
            Ok(_) => Err("dequeueRecipientAlerts must return a table".into()),
            Err(e) => Err(self.err_text(&e)),
        };
        match outcome {
            Ok(more) => {
                self.stats.delivered += taken;
                Some(more)
            }
            Err(msg) => {
                self.stats.failures += 1;
                self.stats.lost += taken;
                self.queues.count_lost(taken);
                tracing::warn!(
                    endpoint = %self.key,
                    recipient = id,
                    lost = taken,
                    "{}/{}: {msg}",
                    self.base,
                    self.file
                );
                None
            }
        }
    }

    /// One round of §5.2. `gate`: honour `EXPORT_FREQUENCY`.
    fn round(&mut self, gate: bool) {
        let start = Instant::now();
        let deadline = start + self.opts.interval;
        let mut active: Vec<(u8, Table)> = Vec::new();
        for (r, conf) in self.set.of_endpoint(&self.key) {
            if gate
                && self
                    .last_export
                    .get(&r.id)
                    .is_some_and(|t| t.elapsed() < self.export_frequency)
            {
                continue;
            }
            self.last_export.insert(r.id, start);
            match self.recipient_table(&r, &conf) {
                Ok(t) => active.push((r.id, t)),
                Err(e) => tracing::warn!("{}/{}: recipient table: {e}", self.base, self.file),
            }
        }
        for high in [true, false] {
            let mut pending: Vec<(u8, Table, usize)> =
                active.iter().map(|(id, t)| (*id, t.clone(), 0)).collect();
            while !pending.is_empty() {
                let mut next = Vec::with_capacity(pending.len());
                for (id, t, used) in pending {
                    let more = self.dequeue_once(id, &t, high);
                    let used = used + self.opts.call_budget;
                    if more == Some(true)
                        && used < self.opts.round_budget
                        && (!gate || Instant::now() < deadline)
                    {
                        next.push((id, t, used));
                    }
                }
                pending = next;
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if let Ok(mut a) = self.alerts.try_borrow_mut() {
            a.alerts.tick(now);
        }
    }

    /// Rounds without the gate until this endpoint's queues are empty or a round
    /// takes nothing.
    fn drain(&mut self) {
        for _ in 0..64 {
            let queued = |m: &Module| -> usize {
                m.set
                    .of_endpoint(&m.key)
                    .iter()
                    .map(|(r, _)| {
                        let (h, l) = m.queues.len(usize::from(r.id));
                        h + l
                    })
                    .sum()
            };
            let before = queued(self);
            if before == 0 {
                break;
            }
            self.round(false);
            if queued(self) >= before {
                break;
            }
        }
        self.round(false);
    }

    fn run_test(&mut self, id: u8) -> Result<(bool, String), String> {
        let (r, conf) = self
            .set
            .of_endpoint(&self.key)
            .into_iter()
            .find(|(r, _)| r.id == id)
            .ok_or_else(|| format!("no recipient {id} on endpoint {}", self.key))?;
        let f = match self.module.get::<Option<Function>>("runTest") {
            Ok(Some(f)) => f,
            _ => return Err(format!("{}/{}: no runTest()", self.base, self.file)),
        };
        let t = self.recipient_table(&r, &conf).map_err(|e| e.to_string())?;
        self.budget.reset();
        let (ok, msg): (Option<bool>, Option<String>) = f.call(t).map_err(|e| self.err_text(&e))?;
        Ok((ok == Some(true), msg.unwrap_or_default()))
    }
}

enum Ctl {
    Flush(Sender<EndpointLoopStats>),
    Test(u8, Sender<Result<(bool, String), String>>),
    Shutdown(Sender<EndpointLoopStats>),
}

/// A running endpoint module thread.
#[derive(Debug)]
pub struct EndpointWorker {
    info: EndpointType,
    tx: Sender<Ctl>,
    join: Option<JoinHandle<()>>,
}

impl EndpointWorker {
    /// The module's declarations.
    pub fn info(&self) -> &EndpointType {
        &self.info
    }

    fn ask<T>(
        &self,
        make: impl FnOnce(Sender<T>) -> Ctl,
        timeout: Duration,
    ) -> weir_alerts::Result<T> {
        let (tx, rx) = bounded(1);
        self.tx
            .send_timeout(make(tx), timeout)
            .map_err(|_| weir_alerts::Error::Timeout("endpoint module"))?;
        rx.recv_timeout(timeout).map_err(|e| match e {
            RecvTimeoutError::Timeout => weir_alerts::Error::Timeout("endpoint module"),
            RecvTimeoutError::Disconnected => weir_alerts::Error::Disconnected("endpoint module"),
        })
    }

    /// Delivers everything queued for this endpoint's recipients now (ignoring
    /// `EXPORT_FREQUENCY`); returns the counters.
    ///
    /// # Errors
    /// Timeout, or the thread is gone.
    pub fn flush(&self, timeout: Duration) -> weir_alerts::Result<EndpointLoopStats> {
        self.ask(Ctl::Flush, timeout)
    }

    /// Calls the module's `runTest(recipient)` for recipient `id`:
    /// `(success, message_info)`, or why it could not be called.
    ///
    /// # Errors
    /// Timeout, or the thread is gone.
    pub fn test(
        &self,
        id: u8,
        timeout: Duration,
    ) -> weir_alerts::Result<Result<(bool, String), String>> {
        self.ask(|tx| Ctl::Test(id, tx), timeout)
    }

    /// Delivers what is queued, then stops the thread.
    ///
    /// # Errors
    /// Timeout (the thread keeps running detached), or the thread is gone.
    pub fn shutdown(mut self, timeout: Duration) -> weir_alerts::Result<EndpointLoopStats> {
        let s = self.ask(Ctl::Shutdown, timeout)?;
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
        Ok(s)
    }
}

fn run(mut m: Module, rx: &Receiver<Ctl>) {
    let mut next = Instant::now();
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {
                m.round(true);
                next = Instant::now() + m.opts.interval;
            }
            Err(RecvTimeoutError::Disconnected) => {
                m.drain();
                return;
            }
            Ok(Ctl::Flush(reply)) => {
                m.drain();
                let _ = reply.send(m.stats);
            }
            Ok(Ctl::Test(id, reply)) => {
                let _ = reply.send(m.run_test(id));
            }
            Ok(Ctl::Shutdown(reply)) => {
                m.drain();
                let _ = reply.send(m.stats);
                return;
            }
        }
    }
}

/// Starts endpoint module `file` of `plugin` in its own thread and VM (with the
/// plugin's definitions, not its user scripts): `isAvailable()` and `onLoad()` are
/// called, then the loop serves the recipients of `set` whose configuration names
/// this module's key, from `queues`. Alerts the module raises itself go to `sinks`.
///
/// # Errors
/// The module does not load, does not return a table, lacks
/// `dequeueRecipientAlerts`, `isAvailable()` returns false, or a spawn failure;
/// the message names the file (and line).
pub fn spawn_lua_endpoint(
    plugin: PluginSource,
    file: String,
    cfg: ScriptConfig,
    set: Arc<RecipientSet>,
    queues: Arc<RecipientQueues>,
    sinks: EndpointAlertSinks,
    opts: LoopOptions,
) -> weir_alerts::Result<EndpointWorker> {
    let (tx, rx) = bounded::<Ctl>(16);
    let (ready_tx, ready_rx) = bounded::<weir_alerts::Result<EndpointType>>(1);
    let name = format!(
        "weir-endpoint-{}",
        file.rsplit('/')
            .next()
            .unwrap_or(&file)
            .trim_end_matches(".lua")
    );
    let join = std::thread::Builder::new()
        .name(name)
        .spawn(
            move || match Module::load(&plugin, &file, &cfg, set, queues, sinks, opts) {
                Ok((m, info)) => {
                    let _ = ready_tx.send(Ok(info));
                    run(m, &rx);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            },
        )
        .map_err(|e| cfg_err(format!("spawning an endpoint thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(info)) => Ok(EndpointWorker {
            info,
            tx,
            join: Some(join),
        }),
        Ok(Err(e)) => {
            let _ = join.join();
            Err(e)
        }
        Err(_) => Err(weir_alerts::Error::Disconnected("endpoint module")),
    }
}
