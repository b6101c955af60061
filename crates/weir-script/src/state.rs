//! State shared between the runtime and the Rust functions it registers in Lua.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;

use mlua::Lua;
use serde_json::Value as Json;
use weir_alerts::{AlertEngine, Registry, Severity};
use weir_flow::Networks;

use crate::flow_api::FlowView;

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

/// The script a hook call belongs to.
#[derive(Debug, Clone)]
pub(crate) struct ScriptCtx {
    pub key: Rc<str>,
    /// `flow`, `host`, … (`alert_generation.subdir`).
    pub subdir: &'static str,
    pub security: bool,
    /// The directory of the script's plugin (relative list paths, `crate::lists`).
    pub plugin_dir: Rc<std::path::Path>,
}

/// The status nominated for the flow alert in the current hook batch
/// (flow-info.md §6).
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub status: u8,
    pub score: u16,
    pub cli_score: u16,
    pub srv_score: u16,
    pub severity: Option<Severity>,
    pub params: Json,
    pub script: Rc<str>,
}

pub(crate) struct Shared {
    pub flow: Option<Box<FlowView>>,
    pub host: Option<crate::entity::HostView>,
    /// `params.entity_info` of the network being visited (the `network` global).
    pub network: Option<mlua::Table>,
    pub now: u64,
    pub candidate: Option<Candidate>,
    pub script: Option<ScriptCtx>,
    pub api_errors: Vec<String>,
    pub output: Output,
    pub buffer: Vec<u8>,
    pub registry: Arc<Registry>,
    pub alerts: AlertEngine,
    pub events: Option<Vec<Json>>,
    pub networks: Networks,
    pub reload_requested: bool,
    pub ifid: i32,
    /// Alerted status and its score per live flow serial (flow-info.md §6).
    pub alerted: std::collections::HashMap<u64, (u8, u16)>,
    /// Where `flow_utils.triggerStatusByTuple` sends its requests (syslog VMs).
    pub flow_sink: Option<crate::syslog::FlowStatusSink>,
    /// The `script_conf` of the last flow or entity hook call: script key, subdir and
    /// table (`crate::lists` reads only files it names).
    pub script_conf: Option<(Rc<str>, &'static str, mlua::Table)>,
}

pub(crate) type SharedRef = Rc<RefCell<Shared>>;

impl Shared {
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

    pub fn record(&mut self, ev: Json) {
        if let Some(evs) = &mut self.events {
            evs.push(ev);
        }
    }
}

/// Where the Lua code calling a Rust function is: `plugins/p/file.lua:12`.
pub(crate) fn caller_location(lua: &Lua) -> String {
    for level in 1..4 {
        let loc = lua.inspect_stack(level, |d| {
            let src = d.source();
            let file = src.short_src.map(|s| s.into_owned()).unwrap_or_default();
            (file, d.current_line())
        });
        match loc {
            Some((file, Some(line))) if file.starts_with("plugins/") => {
                return format!("{file}:{line}");
            }
            Some(_) => continue,
            None => break,
        }
    }
    "?".to_owned()
}

/// Records an API misuse (wrong argument, call outside a hook): logged with the
/// caller's file:line and counted against the running script, which gets nil back
/// (ntopng's behaviour: such calls never raise).
pub(crate) fn api_error(lua: &Lua, s: &mut Shared, func: &str, msg: &str) {
    let loc = caller_location(lua);
    let text = format!("{loc}: {func}: {msg}");
    tracing::debug!(target: "weir_script", error = %text, "bad Lua API call");
    if s.api_errors.len() < 16 {
        s.api_errors.push(text);
    }
}
