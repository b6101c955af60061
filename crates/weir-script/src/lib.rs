//! `weir-script`: the Lua plugin runtime of weir.
//!
//! Plugins are directories in the ntopng 4.x format (spec `plugins.md`): user
//! scripts under `user_scripts/<subdir>/`, alert and flow status definitions,
//! locales. [`Runtime::load`] discovers and validates them (every problem names
//! plugin, file and line, and the rest still loads) into **one sandboxed Lua 5.4 VM**
//! owned by the engine thread. The runtime is a [`weir_flow::Consumer`]: flow
//! events become hook calls (`protocolDetected`, `statusChanged`, `periodicUpdate`,
//! `flowEnd`/`idle`), with the global `flow` bound to the flow being visited; entity
//! ticks run the host/interface/network/system scripts (`min`, `5mins`, `hour`,
//! `day`). Plugin `alert_endpoints/` modules run as weir-alerts endpoints in their
//! own thread and VM with ntopng 4.2's recipient model ([`spawn_lua_endpoint`]). [`Runtime::reload`] swaps in a new VM
//! without touching flow state; a plugin that fails to reload keeps its previous
//! version. User documentation: `docs/plugins/`.
//!
//! Design (STYLE.md, "Lua binding layer"):
//! - hook functions are kept per hook in Rust lists; filters (`l4_proto`,
//!   `l7_proto`, `three_way_handshake_ok`, disabled state) are applied in Rust, so
//!   a flow no script wants never enters Lua;
//! - `flow` is one long-lived table of Rust functions per VM reading the bound flow;
//!   getters are lazy (nothing is converted unless asked for);
//! - every script runs in its own environment table; chunk names are
//!   `@plugins/<plugin>/<file>` (`@builtin:<plugin>/<file>` for plugins built into
//!   the binary, [`PluginSource::embedded`]) so errors carry file:line;
//! - sandbox: base (no `load`/`dofile`/`loadfile`), `table`, `string`, `math`,
//!   `utf8`, `io.write` only, `os.time`/`date`/`clock`/`difftime` only; `require`
//!   resolves built-in modules and the plugin's `modules/`;
//! - budgets: an instruction budget per call (count hook), a VM memory limit and a
//!   wall-clock backstop; errors are logged with file:line, counted, raise the
//!   built-in user-script-error alert, and N failures in a row disable the script
//!   until reload.
//!
//! ```
//! use weir_script::{FlowHook, Output, Runtime, ScriptConfig};
//!
//! let dir = tempfile::tempdir()?;
//! let flow = dir.path().join("hello/user_scripts/flow");
//! std::fs::create_dir_all(&flow)?;
//! std::fs::write(flow.join("hello.lua"), r#"
//!     local script = { hooks = {}, gui = { i18n_title = "Hello", i18n_description = "Says hello" } }
//!     function script.hooks.protocolDetected(now)
//!       io.write("hello ", flow.getInfo()["proto.l4"], "\n")
//!     end
//!     return script
//! "#)?;
//! let cfg = ScriptConfig {
//!     roots: vec![dir.path().to_path_buf()],
//!     output: Output::Buffer,
//!     ..ScriptConfig::default()
//! };
//! let (mut rt, report) = Runtime::load(cfg)?;
//! assert!(report.problems.is_empty(), "{:?}", report.problems);
//! let (key, cli_is_a) = weir_flow::FlowKey::new(
//!     0, 6, ("10.0.0.1".parse()?, 40000), ("10.0.0.2".parse()?, 80));
//! let view = Box::new(weir_script::FlowView::synthetic(key, cli_is_a, 1, weir_decode::Timestamp(1_000_000)));
//! let _view = rt.dispatch_view(FlowHook::ProtocolDetected, weir_decode::Timestamp(1_000_000), view);
//! assert_eq!(rt.take_output(), b"hello TCP\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Layers, each importing only from those above it: `error`, `config`, `plugin`,
// `json`, `info` → `state` → `diag` → `flow_view` → the Lua APIs (`flow_api`, `flow_info`,
// `entity`, `flow_status`, `timeseries`, `lists`, `addrlist`) → `vm` → `loader` →
// `runtime` (the facade) → its parts (`dispatch`, `ticks`, `syslog`, `ts_api`,
// `faults`, `apply`, `reload`) and the other VMs (`page`, `endpoint`).
mod addrlist;
mod alert_msg;
mod apply;
mod config;
mod diag;
mod dispatch;
mod endpoint;
mod entity;
mod error;
mod faults;
mod flow_api;
mod flow_info;
mod flow_status;
mod flow_view;
mod info;
mod json;
mod lists;
mod loader;
mod memory;
mod net_api;
mod ntop_api;
mod page;
mod plugin;
mod plugin_dirs;
mod prefilter;
mod rawtable;
pub mod reference;
mod reload;
mod runtime;
pub mod settings;
mod state;
mod syslog;
mod ticks;
mod timeseries;
mod ts_api;
mod vm;

pub use config::{AlertStore, FlowHook, Output, ScriptConfig, Timeseries};
pub use endpoint::{
    ENDPOINT_CALL_WALL, EndpointAlertSinks, EndpointLoopStats, EndpointType, EndpointWorker,
    LoopOptions, ParamSpec, spawn_lua_endpoint,
};
pub use error::{Error, Level, Problem, Result};
pub use flow_status::{
    FLOW_MATCH_SLACK_SECS, FlowStatusRefused, FlowStatusRequest, FlowStatusSink,
};
pub use flow_view::FlowView;
pub use info::{LoadReport, PluginInfo, ScriptInfo};
pub use loader::SUBDIRS;
pub use memory::{HIGH_WATER_PERCENT, MemoryStats};
pub use net_api::{SyslogTarget, parse_syslog_target, set_syslog_target, use_queues};
pub use ntop_api::CustomCategory;
pub use page::{
    MenuEntry, NoPageData, PageConfig, PageData, PageError, PageFailure, PageOutcome, PageOutput,
    PageRequest, PageStats, PageUser, Pages, sanitize_params,
};
pub use plugin::{PluginSource, discover, gather, is_plugin_dir};
pub use runtime::Runtime;
pub use settings::{ScriptModel, SettingsFile};
pub use vm::BUILTIN_MODULES;

/// The crate's name, for logs.
pub const CRATE: &str = "weir-script";
