//! The state the Rust functions registered in Lua share with the runtime, in small
//! cells each part borrows on its own: script output, the current call, and the
//! alert engine. (The flow binding lives in `flow_api`, the host and network
//! binding in `entity`, the flow-status sink in `flow_status`.)

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::Value as Json;
use weir_alerts::{AlertEngine, Registry};

use crate::config::{Output, ScriptConfig};

/// Where the script output goes, and what [`Output::Buffer`] kept.
#[derive(Debug, Default)]
pub(crate) struct OutBuf {
    pub output: Output,
    pub buffer: Vec<u8>,
}

impl OutBuf {
    pub fn write(&mut self, bytes: &[u8]) {
        match &self.output {
            Output::Stdout => {
                let _ = std::io::stdout().lock().write_all(bytes);
            }
            Output::Stderr => {
                let _ = std::io::stderr().lock().write_all(bytes);
            }
            Output::Buffer => {
                // Bounded: a script printing in a loop cannot exhaust memory.
                if self.buffer.len() < (64 << 20) {
                    self.buffer.extend_from_slice(bytes);
                }
            }
            Output::Discard => {}
            Output::Shared(buf) => {
                if let Ok(mut b) = buf.lock()
                    && b.len() < (64 << 20)
                {
                    b.extend_from_slice(bytes);
                }
            }
        }
    }
}

/// The script output cell.
pub(crate) type OutRef = Rc<RefCell<OutBuf>>;

/// The script a hook call belongs to.
#[derive(Debug, Clone)]
pub(crate) struct ScriptCtx {
    pub key: Rc<str>,
    /// `flow`, `host`, … (`alert_generation.subdir`).
    pub subdir: &'static str,
    pub security: bool,
    /// The directory of the script's plugin (relative list paths, `crate::lists`).
    pub plugin_dir: Rc<std::path::Path>,
    /// Where the plugin's file names start in locations (`plugins/<key>` or
    /// `builtin:<key>`).
    pub base: Rc<str>,
}

/// The hook call running now: its script, its clock, and the API misuses it made.
#[derive(Debug, Default)]
pub(crate) struct CallState {
    pub now: u64,
    pub script: Option<ScriptCtx>,
    pub api_errors: Vec<String>,
    pub ifid: i32,
    pub reload_requested: bool,
    /// The `script_conf` of the last flow or entity hook call: script key, subdir and
    /// table (`crate::lists` reads only files it names).
    pub script_conf: Option<(Rc<str>, &'static str, mlua::Table)>,
    /// `interface.getIfNames()`: every packet interface, `(ifid, name)`.
    pub ifnames: Rc<[(i32, String)]>,
    /// The interface `interface.select` chose (the sqlite endpoint selects the
    /// interface of each alert before storing it); `None`: this VM's.
    pub selected: Option<i32>,
    /// The flow engine's idle timeout, seconds (`flow.isNotPurged()`).
    pub max_idle_secs: u64,
}

impl CallState {
    /// Enters a hook call of `script` with its configuration.
    pub fn enter(&mut self, script: &ScriptCtx, conf: &mlua::Table) {
        // Every hook call starts on the VM's own interface (`interface.select`).
        self.selected = None;
        self.script = Some(script.clone());
        self.script_conf = Some((script.key.clone(), script.subdir, conf.clone()));
    }

    /// The interface stored alerts belong to: the one `interface.select` chose, else
    /// this VM's.
    pub fn selected_ifid(&self) -> i32 {
        self.selected.unwrap_or(self.ifid)
    }

    /// The API misuses of the call that just ended, joined; none: `None`.
    pub fn take_api_errors(&mut self) -> Option<String> {
        (!self.api_errors.is_empty()).then(|| std::mem::take(&mut self.api_errors).join("; "))
    }
}

/// The current call cell.
pub(crate) type CallRef = Rc<RefCell<CallState>>;

/// The alert engine with its registry, and the event log (`record_events`).
pub(crate) struct AlertState {
    pub registry: Arc<Registry>,
    pub alerts: AlertEngine,
    pub events: Option<Vec<Json>>,
}

impl AlertState {
    /// Logs an event when events are recorded.
    pub fn record(&mut self, ev: Json) {
        if let Some(evs) = &mut self.events {
            evs.push(ev);
        }
    }

    /// Events are recorded.
    pub fn recording(&self) -> bool {
        self.events.is_some()
    }

    /// A new registry (after a load or reload).
    pub fn set_registry(&mut self, registry: Arc<Registry>) {
        self.registry = registry.clone();
        self.alerts.set_registry(registry);
    }
}

/// The alert cell.
pub(crate) type AlertRef = Rc<RefCell<AlertState>>;

/// The cells every part of a VM may borrow.
#[derive(Clone)]
pub(crate) struct Cells {
    pub out: OutRef,
    pub call: CallRef,
    pub alerts: AlertRef,
}

impl Cells {
    /// Fresh cells for a runtime (or a page or endpoint VM) with these settings.
    pub fn new(cfg: &ScriptConfig) -> Cells {
        let registry = Arc::new(Registry::with_builtins());
        let mut alerts = AlertEngine::new(
            weir_alerts::EngineConfig {
                ifid: cfg.ifid,
                ..Default::default()
            },
            registry.clone(),
        );
        if let Some(store) = &cfg.alert_store {
            alerts.set_store(store.0.clone());
        }
        Cells {
            out: Rc::new(RefCell::new(OutBuf {
                output: cfg.output.clone(),
                buffer: Vec::new(),
            })),
            call: Rc::new(RefCell::new(CallState {
                ifid: cfg.ifid,
                max_idle_secs: cfg.max_idle_secs,
                ifnames: if cfg.interfaces.is_empty() {
                    Rc::from(vec![(cfg.ifid, cfg.ifname.clone())])
                } else {
                    Rc::from(cfg.interfaces.clone())
                },
                ..CallState::default()
            })),
            alerts: Rc::new(RefCell::new(AlertState {
                registry,
                alerts,
                events: cfg.record_events.then(Vec::new),
            })),
        }
    }
}
