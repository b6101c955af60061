//! The page runtime's data: settings, requests, what a page gives back, menu
//! entries, and the catalogue of one load of the plugins.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::config::ScriptConfig;
use crate::error::Problem;
use crate::plugin::PluginSource;

/// Directories of a plugin a page VM loads (definitions, locales, modules, pages).
pub(super) const PAGE_DIRS: [&str; 5] = [
    "locales/",
    "alert_definitions/",
    "status_definitions/",
    "modules/",
    "web_gui/",
];
/// `ntopng` includes a page may `dofile`; weir draws the frame, so they do nothing.
pub(super) const FRAME_INCLUDES: [&str; 3] = [
    "/scripts/lua/inc/menu.lua",
    "/scripts/lua/inc/header.lua",
    "/scripts/lua/inc/footer.lua",
];
/// Most `_GET`/`_POST` parameters kept, their longest name and value.
pub(super) const MAX_PARAMS: usize = 64;
pub(super) const MAX_PARAM_NAME: usize = 64;
pub(super) const MAX_PARAM_VALUE: usize = 1024;
/// Most flows or hosts one call hands to Lua (`maxHits` may ask for fewer).
pub(super) const MAX_HITS: usize = 10_000;
/// Worker threads given up on (stuck in C code) before no more are started.
pub(super) const MAX_ABANDONED: usize = 4;
/// How long a menu draw waits for the `is_shown` answers.
pub(super) const MENU_WAIT: Duration = Duration::from_secs(1);

/// Read-only data the pages may show: the web server's snapshot of the engine and its
/// alert store.
pub trait PageData: Send + Sync {
    /// `interface.getStats()`: the interface counters.
    fn interface(&self) -> Json;
    /// Active flows, `flow.getInfo()` keys.
    fn flows(&self) -> &[Map<String, Json>];
    /// Number of active flows (may exceed `flows().len()`).
    fn flows_total(&self) -> usize {
        self.flows().len()
    }
    /// Active hosts.
    fn hosts(&self) -> &[Map<String, Json>];
    /// Number of active hosts.
    fn hosts_total(&self) -> usize {
        self.hosts().len()
    }
    /// Recent alerts of `kind` (`engaged`, `past` or `flow`), newest first, at most
    /// `limit`, only of type `alert_type` when given.
    fn alerts(&self, kind: &str, alert_type: Option<u32>, limit: usize) -> Vec<Json>;
}

/// No data: empty interface, no flows, hosts or alerts.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPageData;

impl PageData for NoPageData {
    fn interface(&self) -> Json {
        Json::Object(Map::new())
    }
    fn flows(&self) -> &[Map<String, Json>] {
        &[]
    }
    fn hosts(&self) -> &[Map<String, Json>] {
        &[]
    }
    fn alerts(&self, _: &str, _: Option<u32>, _: usize) -> Vec<Json> {
        Vec::new()
    }
}

/// Settings of the page runtime.
#[derive(Debug, Clone)]
pub struct PageConfig {
    /// Plugin roots, budgets (instructions, memory, wall clock, all per request) and
    /// directories; `output` and `record_events` are ignored.
    pub script: ScriptConfig,
    /// `ntop.getHttpPrefix()`: the URL prefix of the web UI (`""`).
    pub http_prefix: String,
    /// Worker threads, each with one VM.
    pub workers: usize,
    /// Largest page body, bytes.
    pub max_output: usize,
}

impl Default for PageConfig {
    fn default() -> Self {
        PageConfig {
            script: ScriptConfig {
                instruction_budget: 20_000_000,
                memory_limit: 64 << 20,
                wall_limit: Duration::from_secs(2),
                ..ScriptConfig::default()
            },
            http_prefix: String::new(),
            workers: 2,
            max_output: 8 << 20,
        }
    }
}

/// The user a page runs for (`_SESSION`, `isAdministrator()`).
#[derive(Debug, Clone, Default)]
pub struct PageUser {
    /// User name.
    pub name: String,
    /// Administrator (may change things) or read-only.
    pub admin: bool,
    /// The session's CSRF token (`_SESSION.csrf`, `ntop.getRandomCSRFValue()`), for
    /// forms that post back; empty without a session.
    pub csrf: String,
}

/// One request for a page.
#[derive(Clone)]
pub struct PageRequest {
    /// Page file name (`exes_download.lua`).
    pub page: String,
    /// `GET` or `POST`.
    pub method: String,
    /// Query parameters (`_GET`), sanitised here.
    pub query: Vec<(String, String)>,
    /// Form fields of a POST (`_POST`), sanitised here.
    pub form: Vec<(String, String)>,
    /// Who asks.
    pub user: PageUser,
    /// What the page may read.
    pub data: Arc<dyn PageData>,
}

impl std::fmt::Debug for PageRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageRequest")
            .field("page", &self.page)
            .field("method", &self.method)
            .field("user", &self.user.name)
            .finish()
    }
}

/// Where and why a page failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageError {
    /// File, `plugins/<plugin>/<path>` (the page, or a file it ran).
    pub file: String,
    /// Line, when Lua knows it.
    pub line: Option<u32>,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// What a page printed, when it ran to the end.
#[derive(Debug, Clone, Default)]
pub struct PageOutput {
    /// The plugin of the page.
    pub plugin: String,
    /// The page body (what it printed).
    pub body: Vec<u8>,
    /// The media type of the body as the page declared it
    /// (`sendHTTPContentTypeHeader`'s first argument); `None` or HTML means "put the
    /// body in the page frame".
    pub media_type: Option<String>,
    /// How the page asked its content to be presented
    /// (`sendHTTPContentTypeHeader`'s second argument, e.g. `attachment;
    /// filename=x.csv`): printable ASCII, at most 256 characters.
    pub disposition: Option<String>,
    /// The answer code the page asked for (`sendHTTPContentTypeHeader`'s fifth
    /// argument), uninterpreted: the web server decides what it means.
    pub code: Option<u16>,
    /// Title from `page_utils.set_active_menu_entry` / `print_header`.
    pub title: Option<String>,
    /// Menu entry key to highlight.
    pub active_menu: Option<String>,
}

impl PageOutput {
    /// True when the body goes inside the page frame (HTML or no media type).
    pub fn is_html(&self) -> bool {
        self.media_type
            .as_deref()
            .is_none_or(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"))
    }
}

/// A page that did not give its output: where and why.
#[derive(Debug, Clone)]
pub struct PageFailure {
    /// The plugin of the page.
    pub plugin: String,
    /// Where and why it failed.
    pub error: PageError,
    /// Title the page set before it failed.
    pub title: Option<String>,
    /// Menu entry key the page made active before it failed.
    pub active_menu: Option<String>,
}

/// What running a page gave. Nothing here is HTTP: the web server maps it.
#[derive(Debug, Clone)]
pub enum PageOutcome {
    /// The page ran to the end.
    Rendered(PageOutput),
    /// No page of that name is served.
    NotFound,
    /// The page failed: a Lua error (the instruction budget and the memory limit
    /// end a page with one), or the page runtime could not run it.
    Failed(PageFailure),
    /// The page printed more than [`PageConfig::max_output`], or gave no answer
    /// within the wall-clock limit.
    OverBudget(PageFailure),
}

impl PageOutcome {
    /// Why the page gave no output (failed or over budget).
    pub fn failure(&self) -> Option<&PageFailure> {
        match self {
            PageOutcome::Failed(f) | PageOutcome::OverBudget(f) => Some(f),
            PageOutcome::Rendered(_) | PageOutcome::NotFound => None,
        }
    }

    /// Where and why the page failed.
    pub fn error(&self) -> Option<&PageError> {
        self.failure().map(|f| &f.error)
    }

    /// The output of a page that ran to the end.
    pub fn output(&self) -> Option<&PageOutput> {
        match self {
            PageOutcome::Rendered(o) => Some(o),
            _ => None,
        }
    }
}

/// A plugin's menu entry (`web_gui/menu.lua`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuEntry {
    /// Plugin key.
    pub plugin: String,
    /// Label, localized (`i18n(label)` or the literal).
    pub label: String,
    /// Page file name in `web_gui/`.
    pub script: String,
    /// `<prefix>/plugins/<script>`.
    pub url: String,
    /// Higher is shown first.
    pub sort_order: i64,
    /// `menu_entry.key` (the plugin key when absent): unique across plugins.
    pub key: String,
    /// `menu_entry.i18n_title`, localized (the label when absent).
    pub title: String,
    /// `menu_entry.section` (`system_stats`, `system_health`, `pollers`, …), empty
    /// when absent.
    pub section: String,
    /// The entry has an `is_shown` function (evaluated at every menu draw).
    pub has_is_shown: bool,
}

/// Counters of the page runtime.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageStats {
    /// Pages served.
    pub pages: usize,
    /// Menu entries.
    pub menu_entries: usize,
    /// Page requests run.
    pub requests: u64,
    /// Requests whose page failed or went over budget (error box).
    pub failures: u64,
    /// `is_shown` functions that failed (entry hidden).
    pub menu_failures: u64,
    /// Catalogue loads (start and reloads).
    pub generation: u64,
}

/// A served page.
#[derive(Debug, Clone)]
pub(super) struct PageFile {
    pub(super) source: usize,
    pub(super) file: String,
}

#[derive(Debug, Clone)]
pub(super) struct MenuDef {
    pub(super) entry: MenuEntry,
    pub(super) source: usize,
}

/// Pages and menu entries of one load of the plugins.
#[derive(Debug, Default)]
pub(super) struct Catalogue {
    pub(super) generation: u64,
    pub(super) sources: Vec<PluginSource>,
    pub(super) pages: BTreeMap<String, PageFile>,
    pub(super) menus: Vec<MenuDef>,
    pub(super) problems: Vec<Problem>,
}

#[derive(Default)]
pub(super) struct Counters {
    pub(super) requests: AtomicU64,
    pub(super) failures: AtomicU64,
    pub(super) menu_failures: AtomicU64,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A page given up on outside its VM (no worker, no answer in time): counted and
/// logged.
pub(super) fn fail(
    counters: &Counters,
    plugin: &str,
    file: &str,
    msg: &str,
    over_budget: bool,
) -> PageOutcome {
    counters.requests.fetch_add(1, Ordering::Relaxed);
    counters.failures.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(target: "weir_script", "{file}: {msg}");
    let f = PageFailure {
        plugin: plugin.to_owned(),
        error: PageError {
            file: file.to_owned(),
            line: None,
            message: msg.to_owned(),
        },
        title: None,
        active_menu: None,
    };
    if over_budget {
        PageOutcome::OverBudget(f)
    } else {
        PageOutcome::Failed(f)
    }
}

pub(super) fn log_problems(problems: &[Problem]) {
    for p in problems {
        tracing::warn!(target: "weir_script", "plugin pages: {p}");
    }
}
