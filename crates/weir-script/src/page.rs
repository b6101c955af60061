//! Plugin custom pages (spec plugins.md §15): every plugin's `web_gui/menu.lua` menu
//! entry and `web_gui/*.lua` pages, run for the web server in sandboxed Lua VMs of
//! their own.
//!
//! [`Pages::start`] discovers the plugins, validates each `menu.lua` (`label` and
//! `script` required, the script must exist, `sort_order`, `menu_entry`, optional
//! `is_shown`) and collects the pages (one global namespace of file names; a
//! duplicate is reported with its file and line and not served). Pages run on a small
//! pool of worker threads, each owning one VM built by the same loader as the engine's
//! (sandbox, built-in modules, every plugin's definitions and locales) plus the page
//! API: `print`, `sendHTTPContentTypeHeader`, `_GET`, `_POST`, `_SESSION`,
//! `isAdministrator`, `page_utils`, `plugins_utils`, read-only `interface` data
//! ([`PageData`]) and a `dofile` confined to the plugin. Each request runs under the
//! instruction budget, the memory limit and a wall-clock backstop; a failing page
//! gives a [`PageResponse`] with status 500 and a [`PageError`] naming file:line, and
//! the VM is rebuilt for the next request. User documentation:
//! `docs/plugins/pages.md`.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, mpsc};
use std::time::{Duration, Instant};

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, MultiValue, Table, Value};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::error::{Problem, chunk_name, find_location};
use crate::loader::{self, plugin_env};
use crate::plugin::{PluginSource, discover};
use crate::runtime::{ScriptConfig, error_text, new_shared};
use crate::state::{Output, SharedRef};
use crate::vm::Budget;

/// Directories of a plugin a page VM loads (definitions, locales, modules, pages).
const PAGE_DIRS: [&str; 5] = [
    "locales/",
    "alert_definitions/",
    "status_definitions/",
    "modules/",
    "web_gui/",
];
/// `ntopng` includes a page may `dofile`; weir draws the frame, so they do nothing.
const FRAME_INCLUDES: [&str; 3] = [
    "/scripts/lua/inc/menu.lua",
    "/scripts/lua/inc/header.lua",
    "/scripts/lua/inc/footer.lua",
];
/// Most `_GET`/`_POST` parameters kept, their longest name and value.
const MAX_PARAMS: usize = 64;
const MAX_PARAM_NAME: usize = 64;
const MAX_PARAM_VALUE: usize = 1024;
/// Most flows or hosts one call hands to Lua (`maxHits` may ask for fewer).
const MAX_HITS: usize = 10_000;
/// Worker threads given up on (stuck in C code) before no more are started.
const MAX_ABANDONED: usize = 4;
/// How long a menu draw waits for the `is_shown` answers.
const MENU_WAIT: Duration = Duration::from_secs(1);

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

/// What a page produced.
#[derive(Debug, Clone)]
pub struct PageResponse {
    /// HTTP status: 200, the page's own (`sendHTTPContentTypeHeader`'s fifth
    /// argument), 404 (no such page) or 500 (the page failed).
    pub status: u16,
    /// The content type the page sent; `None` or HTML means "put the body in the
    /// page frame".
    pub content_type: Option<String>,
    /// `Content-Disposition` the page asked for.
    pub disposition: Option<String>,
    /// The page body (what it printed).
    pub body: Vec<u8>,
    /// Title from `page_utils.set_active_menu_entry` / `print_header`.
    pub title: Option<String>,
    /// Menu entry key to highlight.
    pub active_menu: Option<String>,
    /// The plugin of the page.
    pub plugin: String,
    /// Why the page failed (status 500).
    pub error: Option<PageError>,
}

impl PageResponse {
    fn status(status: u16, plugin: &str, error: Option<PageError>) -> PageResponse {
        PageResponse {
            status,
            content_type: None,
            disposition: None,
            body: Vec::new(),
            title: None,
            active_menu: None,
            plugin: plugin.to_owned(),
            error,
        }
    }

    /// True when the body goes inside the page frame (HTML or no content type).
    pub fn is_html(&self) -> bool {
        self.content_type
            .as_deref()
            .is_none_or(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"))
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
    /// Requests whose page failed (error box, status 500).
    pub failures: u64,
    /// `is_shown` functions that failed (entry hidden).
    pub menu_failures: u64,
    /// Catalogue loads (start and reloads).
    pub generation: u64,
}

/// A served page.
#[derive(Debug, Clone)]
struct PageFile {
    source: usize,
    file: String,
}

#[derive(Debug, Clone)]
struct MenuDef {
    entry: MenuEntry,
    source: usize,
}

/// Pages and menu entries of one load of the plugins.
#[derive(Debug, Default)]
struct Catalogue {
    generation: u64,
    sources: Vec<PluginSource>,
    pages: BTreeMap<String, PageFile>,
    menus: Vec<MenuDef>,
    problems: Vec<Problem>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    failures: AtomicU64,
    menu_failures: AtomicU64,
}

enum Job {
    Render(Box<PageRequest>, Arc<Catalogue>, mpsc::Sender<PageResponse>),
    Menu(PageUser, Arc<Catalogue>, mpsc::Sender<Vec<bool>>),
}

#[derive(Default)]
struct WorkerState {
    busy_since: Mutex<Option<Instant>>,
    abandoned: AtomicBool,
    /// Runs the menu queue (else the page queue).
    menu: bool,
}

struct Inner {
    cfg: PageConfig,
    catalogue: RwLock<Arc<Catalogue>>,
    tx: Mutex<mpsc::Sender<(Instant, Job)>>,
    rx: Arc<Mutex<mpsc::Receiver<(Instant, Job)>>>,
    /// Menu draws have a worker of their own: a slow page never delays the menu.
    menu_tx: Mutex<mpsc::Sender<(Instant, Job)>>,
    menu_rx: Arc<Mutex<mpsc::Receiver<(Instant, Job)>>>,
    /// The last `is_shown` answers per catalogue generation and user, used when the
    /// menu worker does not answer in time.
    last_menu: Mutex<HashMap<(u64, String, bool), Vec<bool>>>,
    workers: Mutex<Vec<Arc<WorkerState>>>,
    abandoned: AtomicUsize,
    generation: AtomicU64,
    counters: Arc<Counters>,
}

/// The page runtime: catalogue of pages and menu entries, and the worker threads
/// that run them. Cheap to clone; the workers stop when the last clone is dropped.
#[derive(Clone)]
pub struct Pages {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("stats", &self.stats())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pages {
    /// Loads the pages and menu entries of the plugins under `cfg.script.roots` and
    /// starts the workers. Problems are in [`Pages::problems`] (and logged).
    pub fn start(cfg: PageConfig) -> Pages {
        let cat = load_catalogue(&cfg, 1);
        log_problems(&cat.problems);
        let (tx, rx) = mpsc::channel();
        let (menu_tx, menu_rx) = mpsc::channel();
        let inner = Arc::new(Inner {
            cfg,
            catalogue: RwLock::new(Arc::new(cat)),
            tx: Mutex::new(tx),
            rx: Arc::new(Mutex::new(rx)),
            menu_tx: Mutex::new(menu_tx),
            menu_rx: Arc::new(Mutex::new(menu_rx)),
            last_menu: Mutex::new(HashMap::new()),
            workers: Mutex::new(Vec::new()),
            abandoned: AtomicUsize::new(0),
            generation: AtomicU64::new(1),
            counters: Arc::new(Counters::default()),
        });
        for _ in 0..inner.cfg.workers.max(1) {
            spawn_worker(&inner, false);
        }
        spawn_worker(&inner, true);
        Pages { inner }
    }

    /// Re-reads the plugins (new, changed and removed pages and menu entries); the
    /// workers rebuild their VMs at their next request. Returns the problems found.
    pub fn reload(&self) -> Vec<Problem> {
        let generation = self.inner.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let cat = load_catalogue(&self.inner.cfg, generation);
        log_problems(&cat.problems);
        let problems = cat.problems.clone();
        if let Ok(mut c) = self.inner.catalogue.write() {
            *c = Arc::new(cat);
        }
        tracing::info!(target: "weir_script", "plugin pages reloaded");
        problems
    }

    fn catalogue(&self) -> Arc<Catalogue> {
        match self.inner.catalogue.read() {
            Ok(c) => c.clone(),
            Err(e) => e.into_inner().clone(),
        }
    }

    /// Problems found by the last load: each names plugin, file and line.
    pub fn problems(&self) -> Vec<Problem> {
        self.catalogue().problems.clone()
    }

    /// The page file names served.
    pub fn page_names(&self) -> Vec<String> {
        self.catalogue().pages.keys().cloned().collect()
    }

    /// True when `name` is a page served (exact file name, e.g. `x.lua`).
    pub fn has_page(&self, name: &str) -> bool {
        self.catalogue().pages.contains_key(name)
    }

    /// Every valid menu entry, sorted by `sort_order` (higher first), without
    /// evaluating `is_shown`.
    pub fn menu_entries(&self) -> Vec<MenuEntry> {
        self.catalogue()
            .menus
            .iter()
            .map(|m| m.entry.clone())
            .collect()
    }

    /// The menu entries `user` sees now: `is_shown` is run for the entries that have
    /// one (an error, or no answer within the wall-clock limit, hides the entry and
    /// is logged).
    pub fn menu(&self, user: &PageUser) -> Vec<MenuEntry> {
        let cat = self.catalogue();
        if !cat.menus.iter().any(|m| m.entry.has_is_shown) {
            return cat.menus.iter().map(|m| m.entry.clone()).collect();
        }
        let (tx, rx) = mpsc::channel();
        let key = (cat.generation, user.name.clone(), user.admin);
        let answer = if self.send(Job::Menu(user.clone(), cat.clone(), tx)) {
            match rx.recv_timeout(MENU_WAIT.min(self.timeout())) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.reap();
                    None
                }
            }
        } else {
            None
        };
        let shown = {
            let mut last = lock(&self.inner.last_menu);
            match answer {
                Some(v) => {
                    if last.len() >= 1024 {
                        last.clear();
                    }
                    last.insert(key, v.clone());
                    Some(v)
                }
                None => {
                    tracing::warn!(target: "weir_script", "menu entries: is_shown did not answer in time; last answers used");
                    last.get(&key).cloned()
                }
            }
        };
        cat.menus
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                !m.entry.has_is_shown
                    || shown
                        .as_ref()
                        .is_some_and(|s| s.get(*i).copied().unwrap_or(false))
            })
            .map(|(_, m)| m.entry.clone())
            .collect()
    }

    /// Runs a page. Never fails: an unknown page gives 404, a failing page 500 with
    /// the error.
    pub fn render(&self, req: PageRequest) -> PageResponse {
        let cat = self.catalogue();
        let Some(p) = cat.pages.get(&req.page) else {
            return PageResponse::status(404, "", None);
        };
        let plugin = cat.sources[p.source].key.clone();
        let file = format!("plugins/{plugin}/{}", p.file);
        let (tx, rx) = mpsc::channel();
        if !self.send(Job::Render(Box::new(req), cat.clone(), tx)) {
            return fail(&self.inner.counters, &plugin, &file, "page workers stopped");
        }
        match rx.recv_timeout(self.timeout()) {
            Ok(r) => r,
            Err(_) => {
                self.reap();
                let msg = format!(
                    "the page did not finish within {:?}",
                    self.timeout().saturating_sub(Duration::from_secs(1))
                );
                fail(&self.inner.counters, &plugin, &file, &msg)
            }
        }
    }

    /// Counters.
    pub fn stats(&self) -> PageStats {
        let cat = self.catalogue();
        let c = &self.inner.counters;
        PageStats {
            pages: cat.pages.len(),
            menu_entries: cat.menus.len(),
            requests: c.requests.load(Ordering::Relaxed),
            failures: c.failures.load(Ordering::Relaxed),
            menu_failures: c.menu_failures.load(Ordering::Relaxed),
            generation: cat.generation,
        }
    }

    fn timeout(&self) -> Duration {
        self.inner.cfg.script.wall_limit + Duration::from_secs(1)
    }

    /// Queues a job; a worker drops it unrun once the caller stopped waiting.
    fn send(&self, job: Job) -> bool {
        let deadline = Instant::now() + self.timeout();
        let queue = match job {
            Job::Menu(..) => &self.inner.menu_tx,
            Job::Render(..) => &self.inner.tx,
        };
        lock(queue).send((deadline, job)).is_ok()
    }

    /// Gives up on workers busy for far longer than the wall-clock limit (stuck in C
    /// code the budget hook never sees) and starts replacements, a few at most.
    fn reap(&self) {
        let limit = self.timeout() * 2;
        let mut workers = lock(&self.inner.workers);
        let mut lost = Vec::new();
        workers.retain(|w| {
            let stuck = lock(&w.busy_since).is_some_and(|t| t.elapsed() > limit);
            if stuck {
                w.abandoned.store(true, Ordering::Relaxed);
                lost.push(w.menu);
            }
            !stuck
        });
        drop(workers);
        for menu in lost {
            if self.inner.abandoned.fetch_add(1, Ordering::Relaxed) < MAX_ABANDONED {
                tracing::warn!(target: "weir_script", "a page worker is stuck; starting another");
                spawn_worker(&self.inner, menu);
            }
        }
    }
}

fn fail(counters: &Counters, plugin: &str, file: &str, msg: &str) -> PageResponse {
    counters.requests.fetch_add(1, Ordering::Relaxed);
    counters.failures.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(target: "weir_script", "{file}: {msg}");
    PageResponse::status(
        500,
        plugin,
        Some(PageError {
            file: file.to_owned(),
            line: None,
            message: msg.to_owned(),
        }),
    )
}

fn log_problems(problems: &[Problem]) {
    for p in problems {
        tracing::warn!(target: "weir_script", "plugin pages: {p}");
    }
}

fn spawn_worker(inner: &Arc<Inner>, menu: bool) {
    let state = Arc::new(WorkerState {
        menu,
        ..WorkerState::default()
    });
    let rx = if menu {
        inner.menu_rx.clone()
    } else {
        inner.rx.clone()
    };
    let cfg = inner.cfg.clone();
    let counters = inner.counters.clone();
    let st = state.clone();
    let spawned = std::thread::Builder::new()
        .name("web-pages".into())
        .spawn(move || worker(&rx, &cfg, &st, &counters));
    match spawned {
        Ok(_) => lock(&inner.workers).push(state),
        Err(e) => tracing::error!(target: "weir_script", "cannot start a page worker: {e}"),
    }
}

fn worker(
    rx: &Mutex<mpsc::Receiver<(Instant, Job)>>,
    cfg: &PageConfig,
    state: &WorkerState,
    counters: &Counters,
) {
    let mut vm: Option<PageVm> = None;
    loop {
        let job = lock(rx).recv();
        let Ok((deadline, job)) = job else { return };
        if Instant::now() > deadline {
            continue;
        }
        *lock(&state.busy_since) = Some(Instant::now());
        let ok = std::panic::catch_unwind(AssertUnwindSafe(|| {
            handle(&mut vm, cfg, counters, job);
        }));
        if ok.is_err() {
            vm = None;
        }
        *lock(&state.busy_since) = None;
        if state.abandoned.load(Ordering::Relaxed) {
            return;
        }
    }
}

fn handle(vm: &mut Option<PageVm>, cfg: &PageConfig, counters: &Counters, job: Job) {
    let cat = match &job {
        Job::Render(_, c, _) | Job::Menu(_, c, _) => c.clone(),
    };
    if vm.as_ref().is_none_or(|v| v.generation != cat.generation) {
        *vm = None;
        match PageVm::new(cfg, &cat, true) {
            Ok(v) => *vm = Some(v),
            Err(e) => {
                tracing::error!(target: "weir_script", "page VM: {e}");
                match job {
                    Job::Render(req, _, tx) => {
                        let plugin = cat
                            .pages
                            .get(&req.page)
                            .map(|p| cat.sources[p.source].key.clone())
                            .unwrap_or_default();
                        let _ = tx.send(fail(
                            counters,
                            &plugin,
                            &req.page,
                            &format!("page runtime: {e}"),
                        ));
                    }
                    Job::Menu(_, _, tx) => {
                        let _ = tx.send(Vec::new());
                    }
                }
                return;
            }
        }
    }
    let Some(v) = vm.as_mut() else { return };
    match job {
        Job::Render(req, cat, tx) => {
            let r = v.render(&cat, *req, cfg);
            counters.requests.fetch_add(1, Ordering::Relaxed);
            if r.error.is_some() {
                counters.failures.fetch_add(1, Ordering::Relaxed);
                if let Some(e) = &r.error {
                    tracing::warn!(target: "weir_script", "plugin page failed: {e}");
                }
                // A fresh VM for the next request: nothing of a failed page stays.
                *vm = None;
            }
            let _ = tx.send(r);
        }
        Job::Menu(user, cat, tx) => {
            let (shown, failed) = v.menu(&cat, user);
            counters.menu_failures.fetch_add(failed, Ordering::Relaxed);
            let _ = tx.send(shown);
        }
    }
}

/// `rel` (a `/`-separated path relative to `dir`) names a file inside `dir`: not
/// absolute, no `..`, and, with symlinks resolved, still under `dir`.
pub(crate) fn confined(dir: &Path, rel: &str) -> bool {
    if !safe_rel(rel) {
        return false;
    }
    let (Ok(base), Ok(full)) = (dir.canonicalize(), dir.join(rel).canonicalize()) else {
        return false;
    };
    full.starts_with(&base) && full.is_file()
}

/// A relative path without `..`, `.`, empty segments, backslashes or NULs.
fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// A page file name served at `/plugins/<name>`.
fn servable_name(name: &str) -> bool {
    name.len() <= 128
        && name.ends_with(".lua")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The 1-based line where `field = ` is first assigned in `text` (any occurrence of
/// `field` when it is never assigned).
fn line_of(text: &str, field: &str) -> Option<u32> {
    let assigned = text.lines().position(|l| {
        l.match_indices(field).any(|(i, _)| {
            let before = l[..i].chars().next_back();
            let after = l[i + field.len()..].trim_start();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && after.starts_with('=')
                && !after.starts_with("==")
        })
    });
    let line = match assigned {
        Some(n) => n,
        None => text.lines().position(|l| l.contains(field))?,
    };
    u32::try_from(line + 1).ok()
}

fn problem(plugin: &str, file: &str, line: Option<u32>, msg: impl Into<String>) -> Problem {
    let mut p = Problem::error(plugin, file, msg);
    if p.line.is_none() {
        p.line = line;
    }
    p
}

fn load_catalogue(cfg: &PageConfig, generation: u64) -> Catalogue {
    let (found, _) = discover(&cfg.script.roots);
    let mut problems = Vec::new();
    let mut sources = Vec::new();
    for mut s in found {
        s.files
            .retain(|k, _| k == "manifest.lua" || PAGE_DIRS.iter().any(|d| k.starts_with(d)));
        let escaping: Vec<String> = s
            .files
            .keys()
            .filter(|k| !confined(&s.dir, k))
            .cloned()
            .collect();
        for k in escaping {
            problems.push(problem(
                &s.key,
                &k,
                None,
                "file is outside the plugin directory (symbolic link?); not used by the pages",
            ));
            s.files.remove(&k);
        }
        sources.push(s);
    }
    let mut cat = Catalogue {
        generation,
        sources,
        ..Catalogue::default()
    };
    // A VM to run the menu files in (labels are localized with the plugins' locales).
    let vm = match PageVm::new(cfg, &cat, false) {
        Ok(v) => v,
        Err(e) => {
            problems.push(problem("*", "", None, format!("page VM: {e}")));
            cat.problems = problems;
            return cat;
        }
    };
    let loaded: Vec<String> = vm.plugins.clone();
    let mut pages: BTreeMap<String, PageFile> = BTreeMap::new();
    let mut menus: Vec<MenuDef> = Vec::new();
    for (idx, src) in cat.sources.iter().enumerate() {
        if !loaded.contains(&src.key) {
            continue;
        }
        let files: Vec<(&str, &str)> = src.files_in("web_gui").collect();
        if files.is_empty() {
            continue;
        }
        let menu = match src.files.get("web_gui/menu.lua") {
            Some(text) => match vm.menu_def(src, text) {
                Ok(e) => Some((e, text.as_str())),
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            },
            None => None,
        };
        for (file, _) in &files {
            let name = file.trim_start_matches("web_gui/");
            if name == "menu.lua" {
                continue;
            }
            if !servable_name(name) {
                problems.push(problem(
                    &src.key,
                    file,
                    None,
                    "page file names may only use A-Z a-z 0-9 _ - . ; not served",
                ));
                continue;
            }
            if let Some(prev) = pages.get(name) {
                let other = &cat.sources[prev.source];
                problems.push(problem(
                    &src.key,
                    file,
                    Some(1),
                    format!(
                        "duplicate page name {name}: plugins/{}/{} already serves /plugins/{name}; this one is not served",
                        other.key, prev.file
                    ),
                ));
                continue;
            }
            pages.insert(
                name.to_owned(),
                PageFile {
                    source: idx,
                    file: (*file).to_owned(),
                },
            );
        }
        if let Some((entry, text)) = menu {
            if let Some(prev) = menus.iter().find(|m| m.entry.key == entry.key) {
                problems.push(problem(
                    &src.key,
                    "web_gui/menu.lua",
                    line_of(text, &entry.key).or(Some(1)),
                    format!(
                        "duplicate menu entry key {:?}: already used by plugin {}; entry not shown",
                        entry.key, prev.entry.plugin
                    ),
                ));
            } else if pages.get(&entry.script).is_some_and(|p| p.source == idx) {
                menus.push(MenuDef { entry, source: idx });
            } else {
                problems.push(problem(
                    &src.key,
                    "web_gui/menu.lua",
                    line_of(text, "script").or(Some(1)),
                    format!(
                        "script {:?} is served by another plugin; entry not shown",
                        entry.script
                    ),
                ));
            }
        }
    }
    menus.sort_by(|a, b| {
        b.entry
            .sort_order
            .cmp(&a.entry.sort_order)
            .then_with(|| a.entry.label.cmp(&b.entry.label))
    });
    cat.pages = pages;
    cat.menus = menus;
    cat.problems = problems;
    cat
}

/// Per-request state the page API reads and writes.
#[derive(Default)]
struct ReqState {
    data: Option<Arc<dyn PageData>>,
    user: PageUser,
    content_type: Option<String>,
    disposition: Option<String>,
    status: Option<u16>,
    title: Option<String>,
    active_menu: Option<String>,
    overflow: bool,
    /// The plugin of the running page (for `loadModule`).
    plugin: Option<PluginSource>,
}

type ReqRef = Rc<RefCell<ReqState>>;

/// One page VM (lives on one worker thread).
struct PageVm {
    generation: u64,
    lua: Lua,
    budget: Rc<Budget>,
    shared: SharedRef,
    req: ReqRef,
    plugins: Vec<String>,
    /// `is_shown` of each catalogue menu entry.
    is_shown: Vec<Option<Function>>,
}

fn lua_err(msg: impl Into<String>) -> mlua::Error {
    mlua::Error::RuntimeError(msg.into())
}

/// An error naming the Lua file and line that called the Rust function.
fn located(lua: &Lua, msg: impl std::fmt::Display) -> mlua::Error {
    lua_err(format!("{}: {msg}", crate::state::caller_location(lua)))
}

impl PageVm {
    fn new(cfg: &PageConfig, cat: &Catalogue, with_menus: bool) -> Result<PageVm, String> {
        let mut scfg = cfg.script.clone();
        scfg.output = Output::Buffer;
        scfg.record_events = false;
        let shared = new_shared(&scfg);
        let vm = loader::build(&scfg, &shared, &cat.sources).map_err(|e| e.to_string())?;
        let plugins: Vec<String> = vm.plugins.iter().map(|p| p.key.clone()).collect();
        let titles: Vec<(String, String)> = vm
            .plugins
            .iter()
            .map(|p| (p.key.clone(), p.title.clone()))
            .collect();
        let loader::Vm { lua, budget, .. } = vm;
        let req: ReqRef = Rc::new(RefCell::new(ReqState::default()));
        let mut pv = PageVm {
            generation: cat.generation,
            lua,
            budget,
            shared,
            req,
            plugins,
            is_shown: Vec::new(),
        };
        pv.install(cfg, cat, &titles).map_err(|e| e.to_string())?;
        if with_menus {
            for m in &cat.menus {
                let src = &cat.sources[m.source];
                let f = src
                    .files
                    .get("web_gui/menu.lua")
                    .and_then(|text| pv.run_menu(src, text).ok())
                    .and_then(|t| t.get::<Option<Function>>("is_shown").ok().flatten());
                pv.is_shown.push(f);
            }
        }
        Ok(pv)
    }

    /// The page API on top of the engine's sandbox.
    fn install(
        &self,
        cfg: &PageConfig,
        cat: &Catalogue,
        titles: &[(String, String)],
    ) -> mlua::Result<()> {
        let lua = &self.lua;
        let g = lua.globals();
        let max = cfg.max_output;

        // Output: ntopng's web `print` writes its arguments as they are (no tabs, no
        // newline).
        let (sh, rq) = (self.shared.clone(), self.req.clone());
        let write = lua.create_function(move |lua, args: MultiValue| {
            let mut s = sh.borrow_mut();
            for a in args.iter() {
                let text = match a {
                    Value::String(x) => x.as_bytes().to_vec(),
                    other => other
                        .to_string()
                        .unwrap_or_else(|_| other.type_name().to_owned())
                        .into_bytes(),
                };
                if s.buffer.len() + text.len() > max {
                    rq.borrow_mut().overflow = true;
                    return Err(located(
                        lua,
                        format!("page output larger than {} KiB", max / 1024),
                    ));
                }
                s.buffer.extend_from_slice(&text);
            }
            Ok(())
        })?;
        g.raw_set("print", write.clone())?;
        let io: Table = g.raw_get("io")?;
        io.raw_set("write", write.clone())?;

        let rq = self.req.clone();
        let header = lua.create_function(
            move |_,
                  (ctype, disposition, _charset, _extra, status): (
                Value,
                Value,
                Value,
                Value,
                Value,
            )| {
                let mut r = rq.borrow_mut();
                if let Value::String(t) = ctype {
                    let t = t.to_string_lossy();
                    if header_ok(&t) {
                        r.content_type = Some(t);
                    }
                }
                if let Value::String(d) = disposition {
                    let d = d.to_string_lossy();
                    if header_ok(&d) {
                        r.disposition = Some(d);
                    }
                }
                if let Some(s) = int_of(&status).and_then(|s| u16::try_from(s).ok())
                    && (200..600).contains(&s)
                {
                    r.status = Some(s);
                }
                Ok(())
            },
        )?;
        g.raw_set("sendHTTPContentTypeHeader", header.clone())?;
        g.raw_set("sendHTTPHeader", header)?;

        let rq = self.req.clone();
        let is_admin = lua.create_function(move |_, ()| Ok(rq.borrow().user.admin))?;
        g.raw_set("isAdministrator", is_admin.clone())?;
        let ntop: Table = g.raw_get("ntop")?;
        ntop.raw_set("isAdministrator", is_admin)?;
        let prefix = cfg.http_prefix.clone();
        ntop.raw_set(
            "getHttpPrefix",
            lua.create_function(move |_, ()| Ok(prefix.clone()))?,
        )?;
        let rq = self.req.clone();
        ntop.raw_set(
            "getRandomCSRFValue",
            lua.create_function(move |_, ()| Ok(rq.borrow().user.csrf.clone()))?,
        )?;

        self.install_interface()?;

        // page_utils and plugins_utils.
        let p = lua.create_table()?;
        let entries = lua.create_table()?;
        for m in &cat.menus {
            let e = &m.entry;
            let t = lua.create_table()?;
            t.raw_set("key", e.key.as_str())?;
            t.raw_set("i18n_title", e.title.as_str())?;
            t.raw_set("section", e.section.as_str())?;
            t.raw_set("label", e.label.as_str())?;
            t.raw_set("url", e.url.as_str())?;
            entries.raw_set(e.key.as_str(), t)?;
        }
        p.raw_set("menu_entries", entries)?;
        let plugins = lua.create_table()?;
        for (key, title) in titles {
            let t = lua.create_table()?;
            t.raw_set("key", key.as_str())?;
            t.raw_set("title", title.as_str())?;
            plugins.raw_set(key.as_str(), t)?;
        }
        p.raw_set("plugins", plugins)?;
        p.raw_set("prefix", cfg.http_prefix.as_str())?;
        p.raw_set("write", write)?;
        let rq = self.req.clone();
        p.raw_set(
            "set_active",
            lua.create_function(move |_, (key, title): (Value, Value)| {
                let (key, title) = (str_of(&key), str_of(&title));
                let mut r = rq.borrow_mut();
                if key.is_some() {
                    r.active_menu = key;
                }
                if title.is_some() {
                    r.title = title;
                }
                Ok(())
            })?,
        )?;
        let rq = self.req.clone();
        p.raw_set(
            "set_title",
            lua.create_function(move |_, title: Value| {
                if let Some(t) = str_of(&title) {
                    rq.borrow_mut().title = Some(t);
                }
                Ok(())
            })?,
        )?;
        let rq = self.req.clone();
        p.raw_set(
            "load_module",
            lua.create_function(move |lua, (key, module): (Value, Value)| {
                let (Some(key), Some(module)) = (str_of(&key), str_of(&module)) else {
                    return Ok(Value::Nil);
                };
                let Some(src) = rq.borrow().plugin.clone() else {
                    return Ok(Value::Nil);
                };
                if src.key != key || !safe_rel(&module.replace('.', "/")) {
                    return Ok(Value::Nil);
                }
                let file = format!("modules/{}.lua", module.replace('.', "/"));
                let Some(text) = src.files.get(&file) else {
                    return Ok(Value::Nil);
                };
                let env = plugin_env(lua, &src)?;
                lua.load(text.as_str())
                    .set_name(chunk_name(&src.key, &file))
                    .set_mode(ChunkMode::Text)
                    .set_environment(env)
                    .call::<Value>(module)
            })?,
        )?;
        let mods: Table = lua
            .load(include_str!("lua/page_utils.lua"))
            .set_name("=weir/page_utils.lua")
            .set_mode(ChunkMode::Text)
            .call(p)?;
        let loaded: Table = g.raw_get::<Table>("package")?.raw_get("loaded")?;
        loaded.raw_set("page_utils", mods.raw_get::<Table>("page_utils")?)?;
        // Another part of weir may already provide plugins_utils: extend it.
        let pu: Table = mods.raw_get("plugins_utils")?;
        match loaded.raw_get::<Value>("plugins_utils")? {
            Value::Table(existing) => {
                for pair in pu.pairs::<Value, Value>() {
                    let (k, v) = pair?;
                    existing.raw_set(k, v)?;
                }
            }
            _ => loaded.raw_set("plugins_utils", pu)?,
        }
        Ok(())
    }

    /// `interface.getStats()`, `getFlowsInfo()`, `getHostsInfo()`, `getHostInfo()`,
    /// `getAlerts()`: the request's [`PageData`].
    fn install_interface(&self) -> mlua::Result<()> {
        let lua = &self.lua;
        let iface: Table = lua.globals().raw_get("interface")?;
        let data = |rq: &ReqRef| rq.borrow().data.clone();

        let rq = self.req.clone();
        iface.raw_set(
            "getStats",
            lua.create_function(move |lua, ()| match data(&rq) {
                Some(d) => crate::json::to_lua(lua, &d.interface()),
                None => Ok(Value::Nil),
            })?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getFlowsInfo",
            lua.create_function(move |lua, (host, opts): (Value, Value)| {
                let opts = table_of(opts);
                let Some(d) = data(&rq) else {
                    return Ok(Value::Nil);
                };
                let host = match host {
                    Value::String(s) => Some(strip_vlan(&s.to_string_lossy())),
                    _ => None,
                };
                let (skip, hits) = paging(opts.as_ref(), "toSkip", "maxHits");
                let matches = |f: &&Map<String, Json>| {
                    host.as_deref().is_none_or(|h| {
                        f.get("cli.ip").and_then(Json::as_str) == Some(h)
                            || f.get("srv.ip").and_then(Json::as_str) == Some(h)
                    })
                };
                let flows = lua.create_table()?;
                let mut n = 0usize;
                for f in d.flows().iter().filter(matches).skip(skip).take(hits) {
                    n += 1;
                    flows.raw_set(n, map_to_lua(lua, f)?)?;
                }
                let total = if host.is_some() {
                    d.flows().iter().filter(matches).count()
                } else {
                    d.flows_total()
                };
                let t = lua.create_table()?;
                t.raw_set("flows", flows)?;
                t.raw_set("numFlows", total)?;
                Ok(Value::Table(t))
            })?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getHostsInfo",
            lua.create_function(
                move |lua, (_details, _sort, max_hits, to_skip): (Value, Value, Value, Value)| {
                    let Some(d) = data(&rq) else {
                        return Ok(Value::Nil);
                    };
                    let skip = int_of(&to_skip)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0);
                    let hits = int_of(&max_hits)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(MAX_HITS)
                        .min(MAX_HITS);
                    let hosts = lua.create_table()?;
                    for h in d.hosts().iter().skip(skip).take(hits) {
                        hosts.raw_set(host_key(h), map_to_lua(lua, h)?)?;
                    }
                    let t = lua.create_table()?;
                    t.raw_set("hosts", hosts)?;
                    t.raw_set("numHosts", d.hosts_total())?;
                    Ok(Value::Table(t))
                },
            )?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getHostInfo",
            lua.create_function(move |lua, (ip, vlan): (Value, Value)| {
                let vlan = int_of(&vlan);
                let (Some(d), Value::String(ip)) = (data(&rq), ip) else {
                    return Ok(Value::Nil);
                };
                let ip = ip.to_string_lossy();
                let want = match vlan {
                    Some(v) => format!("{}@{v}", strip_vlan(&ip)),
                    None if ip.contains('@') => ip.clone(),
                    None => format!("{ip}@0"),
                };
                match d.hosts().iter().find(|h| host_key(h) == want) {
                    Some(h) => map_to_lua(lua, h).map(Value::Table),
                    None => Ok(Value::Nil),
                }
            })?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getAlerts",
            lua.create_function(move |lua, (kind, opts): (Value, Value)| {
                let opts = table_of(opts);
                let Some(d) = data(&rq) else {
                    return Ok(Value::Nil);
                };
                let kind = match &kind {
                    Value::String(s) => s.to_string_lossy(),
                    _ => "engaged".to_owned(),
                };
                if !matches!(kind.as_str(), "engaged" | "past" | "flow") {
                    return Ok(Value::Nil);
                }
                let (_, limit) = paging(opts.as_ref(), "", "limit");
                let alert_type = opts
                    .as_ref()
                    .and_then(|o| o.get::<Value>("alert_type").ok())
                    .and_then(|v| int_of(&v))
                    .and_then(|k| u32::try_from(k).ok());
                let out = lua.create_table()?;
                for (i, a) in d
                    .alerts(&kind, alert_type, limit.min(1000))
                    .iter()
                    .enumerate()
                {
                    out.raw_set(i + 1, crate::json::to_lua(lua, a)?)?;
                }
                Ok(Value::Table(out))
            })?,
        )?;
        Ok(())
    }

    /// Runs `web_gui/menu.lua` of `src` and returns its table.
    fn run_menu(&self, src: &PluginSource, text: &str) -> Result<Table, Problem> {
        let file = "web_gui/menu.lua";
        let env =
            plugin_env(&self.lua, src).map_err(|e| problem(&src.key, file, None, e.to_string()))?;
        self.budget.reset();
        match self
            .lua
            .load(text)
            .set_name(chunk_name(&src.key, file))
            .set_mode(ChunkMode::Text)
            .set_environment(env)
            .eval::<Value>()
        {
            Ok(Value::Table(t)) => Ok(t),
            Ok(_) => Err(problem(
                &src.key,
                file,
                Some(1),
                "menu.lua must return a table; the plugin's pages are not served",
            )),
            Err(e) => Err(problem(
                &src.key,
                file,
                None,
                format!(
                    "{}; the plugin's pages are not served",
                    error_text(&e, &src.key, file)
                ),
            )),
        }
    }

    /// Validates `menu.lua` (spec plugins.md §15).
    fn menu_def(&self, src: &PluginSource, text: &str) -> Result<MenuEntry, Problem> {
        let file = "web_gui/menu.lua";
        let t = self.run_menu(src, text)?;
        let bad = |field: &str, msg: &str| {
            problem(
                &src.key,
                file,
                line_of(text, field).or(Some(1)),
                format!("{msg}; the plugin's pages are not served"),
            )
        };
        let string = |v: Value| match v {
            Value::String(s) => Some(s.to_string_lossy()),
            _ => None,
        };
        let label = string(t.raw_get("label").unwrap_or(Value::Nil))
            .ok_or_else(|| bad("label", "menu.lua: `label` (string) is required"))?;
        let script = string(t.raw_get("script").unwrap_or(Value::Nil))
            .ok_or_else(|| bad("script", "menu.lua: `script` (string) is required"))?;
        if !servable_name(&script) || !src.files.contains_key(&format!("web_gui/{script}")) {
            return Err(bad(
                "script",
                &format!("menu.lua: script {script:?} is not a file in web_gui/"),
            ));
        }
        let sort_order = match t.raw_get::<Value>("sort_order").unwrap_or(Value::Nil) {
            Value::Nil => 0,
            Value::Integer(i) => i,
            Value::Number(n) if n.is_finite() => n as i64,
            _ => return Err(bad("sort_order", "menu.lua: `sort_order` must be a number")),
        };
        let (mut key, mut title, mut section) = (src.key.clone(), None, String::new());
        match t.raw_get::<Value>("menu_entry").unwrap_or(Value::Nil) {
            Value::Nil => {}
            Value::Table(me) => {
                if let Some(k) = string(me.raw_get("key").unwrap_or(Value::Nil)) {
                    key = k;
                }
                title = string(me.raw_get("i18n_title").unwrap_or(Value::Nil));
                section = string(me.raw_get("section").unwrap_or(Value::Nil)).unwrap_or_default();
            }
            _ => return Err(bad("menu_entry", "menu.lua: `menu_entry` must be a table")),
        }
        match t.raw_get::<Value>("is_shown").unwrap_or(Value::Nil) {
            Value::Nil | Value::Function(_) => {}
            _ => return Err(bad("is_shown", "menu.lua: `is_shown` must be a function")),
        }
        let has_is_shown = matches!(t.raw_get::<Value>("is_shown"), Ok(Value::Function(_)));
        let label = self.localize(&label);
        let title = title.map_or_else(|| label.clone(), |t| self.localize(&t));
        Ok(MenuEntry {
            plugin: src.key.clone(),
            url: format!("{}/plugins/{script}", self.http_prefix()),
            label,
            script,
            sort_order,
            key,
            title,
            section,
            has_is_shown,
        })
    }

    fn http_prefix(&self) -> String {
        self.lua
            .globals()
            .raw_get::<Table>("ntop")
            .and_then(|n| n.raw_get::<Function>("getHttpPrefix"))
            .and_then(|f| f.call::<String>(()))
            .unwrap_or_default()
    }

    /// `i18n(s)` or `s`.
    fn localize(&self, s: &str) -> String {
        self.budget.reset();
        self.lua
            .globals()
            .raw_get::<Function>("i18n")
            .and_then(|f| f.call::<Option<String>>(s))
            .ok()
            .flatten()
            .unwrap_or_else(|| s.to_owned())
    }

    fn begin(&self, user: PageUser, data: Option<Arc<dyn PageData>>, plugin: Option<PluginSource>) {
        *self.req.borrow_mut() = ReqState {
            user,
            data,
            plugin,
            ..ReqState::default()
        };
        self.shared.borrow_mut().buffer.clear();
    }

    fn menu(&mut self, cat: &Catalogue, user: PageUser) -> (Vec<bool>, u64) {
        self.begin(user, None, None);
        let mut failed = 0;
        let mut shown = Vec::with_capacity(cat.menus.len());
        for (i, m) in cat.menus.iter().enumerate() {
            let Some(f) = self.is_shown.get(i).cloned().flatten() else {
                shown.push(!m.entry.has_is_shown);
                continue;
            };
            self.budget.reset();
            match f.call::<Value>(()) {
                Ok(v) => shown.push(!matches!(v, Value::Nil | Value::Boolean(false))),
                Err(e) => {
                    failed += 1;
                    let text = error_text(&e, &m.entry.plugin, "web_gui/menu.lua");
                    tracing::warn!(target: "weir_script", "is_shown of menu entry {:?} failed, entry hidden: {text}", m.entry.key);
                    shown.push(false);
                }
            }
        }
        self.begin(PageUser::default(), None, None);
        (shown, failed)
    }

    fn render(&mut self, cat: &Catalogue, req: PageRequest, cfg: &PageConfig) -> PageResponse {
        let Some(p) = cat.pages.get(&req.page) else {
            return PageResponse::status(404, "", None);
        };
        let src = &cat.sources[p.source];
        let mut resp = PageResponse::status(200, &src.key, None);
        self.begin(req.user.clone(), Some(req.data.clone()), Some(src.clone()));
        let result = self.run_page(src, &p.file, &req);
        let out = std::mem::take(&mut self.shared.borrow_mut().buffer);
        let st = std::mem::take(&mut *self.req.borrow_mut());
        let file = format!("plugins/{}/{}", src.key, p.file);
        match result {
            Ok(()) if out.len() > cfg.max_output || st.overflow => {
                resp.status = 500;
                resp.error = Some(PageError {
                    file,
                    line: None,
                    message: format!("page output larger than {} KiB", cfg.max_output / 1024),
                });
            }
            Ok(()) => {
                resp.status = st.status.unwrap_or(200);
                resp.content_type = st.content_type;
                resp.disposition = st.disposition;
                resp.body = out;
                resp.title = st.title;
                resp.active_menu = st.active_menu;
            }
            Err(e) => {
                let text = error_text(&e, &src.key, &p.file);
                resp.status = 500;
                resp.error = Some(page_error(&text, &file));
                resp.title = st.title;
                resp.active_menu = st.active_menu;
            }
        }
        self.begin(PageUser::default(), None, None);
        resp
    }

    fn run_page(&self, src: &PluginSource, file: &str, req: &PageRequest) -> mlua::Result<()> {
        let lua = &self.lua;
        let text = src
            .files
            .get(file)
            .ok_or_else(|| lua_err(format!("plugins/{}/{file}: no such file", src.key)))?;
        let env = plugin_env(lua, src)?;
        env.raw_set("_GET", params(lua, &req.query)?)?;
        env.raw_set("_POST", params(lua, &req.form)?)?;
        let session = lua.create_table()?;
        session.raw_set("user", req.user.name.as_str())?;
        session.raw_set("role", if req.user.admin { "admin" } else { "viewer" })?;
        session.raw_set("csrf", req.user.csrf.as_str())?;
        env.raw_set("_SESSION", session)?;
        env.raw_set("dofile", dofile_fn(lua, src, env.clone())?)?;
        self.budget.reset();
        lua.load(text.as_str())
            .set_name(chunk_name(&src.key, file))
            .set_mode(ChunkMode::Text)
            .set_environment(env)
            .exec()
    }
}

/// A [`PageError`] from an error text: the first `plugins/…:line` it names, else the
/// page file.
fn page_error(text: &str, page_file: &str) -> PageError {
    match find_location(text) {
        Some((file, line)) => {
            let prefix = format!("{file}:{line}:");
            let message = text
                .find(&prefix)
                .map(|i| text[i + prefix.len()..].trim().to_owned())
                .unwrap_or_else(|| text.to_owned());
            PageError {
                file,
                line: Some(line),
                message,
            }
        }
        None => {
            let prefix = format!("{page_file}:");
            PageError {
                file: page_file.to_owned(),
                line: None,
                message: text.strip_prefix(&prefix).unwrap_or(text).trim().to_owned(),
            }
        }
    }
}

/// `dofile(path)` for a page: the ntopng frame includes do nothing; a file of the
/// page's plugin (relative to the plugin directory, or absolute under it) runs in the
/// page's environment; anything else is refused.
fn dofile_fn(lua: &Lua, src: &PluginSource, env: Table) -> mlua::Result<Function> {
    let files = src.files.clone();
    let key = src.key.clone();
    let dir = src.dir.display().to_string();
    lua.create_function(move |lua, path: Value| {
        let Value::String(path) = path else {
            return Err(located(lua, "dofile: path (string) expected"));
        };
        let path = path.to_string_lossy();
        if path.starts_with('/') && FRAME_INCLUDES.iter().any(|i| path.ends_with(i)) {
            return Ok(MultiValue::new());
        }
        let rel = match path.strip_prefix(&format!("{dir}/")) {
            Some(r) => r.to_owned(),
            None => path.clone(),
        };
        if !safe_rel(&rel) {
            return Err(located(lua, format!(
                "dofile: {path:?}: only files of plugin {key} may be run (no absolute paths, no `..`)"
            )));
        }
        let Some(text) = files.get(&rel) else {
            return Err(located(lua, format!(
                "dofile: {path:?}: no such Lua file in plugin {key}"
            )));
        };
        lua.load(text.as_str())
            .set_name(chunk_name(&key, &rel))
            .set_mode(ChunkMode::Text)
            .set_environment(env.clone())
            .call::<MultiValue>(())
    })
}

/// A header value a page may set: printable ASCII, no line breaks, short.
fn header_ok(v: &str) -> bool {
    !v.is_empty() && v.len() <= 256 && v.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Sanitised request parameters: names `A-Z a-z 0-9 _ - . [ ]` (at most 64
/// characters), values without control characters or `< > " ' \``, at most 1024
/// characters, at most 64 parameters; a name given twice keeps its first value.
pub fn sanitize_params(raw: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in raw {
        if out.len() >= MAX_PARAMS {
            break;
        }
        let name_ok = !k.is_empty()
            && k.len() <= MAX_PARAM_NAME
            && k.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
            });
        if !name_ok || out.iter().any(|(n, _)| n == k) {
            continue;
        }
        let value: String = v
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | '"' | '\'' | '`'))
            .take(MAX_PARAM_VALUE)
            .collect();
        out.push((k.clone(), value));
    }
    out
}

fn params(lua: &Lua, raw: &[(String, String)]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (k, v) in sanitize_params(raw) {
        t.raw_set(k, v)?;
    }
    Ok(t)
}

fn paging(opts: Option<&Table>, skip_key: &str, hits_key: &str) -> (usize, usize) {
    let get = |k: &str| {
        opts.filter(|_| !k.is_empty())
            .and_then(|o| o.get::<Value>(k).ok())
            .and_then(|v| int_of(&v))
            .and_then(|n| usize::try_from(n).ok())
    };
    (
        get(skip_key).unwrap_or(0),
        get(hits_key).unwrap_or(MAX_HITS).min(MAX_HITS),
    )
}

/// A Lua number or numeric string as an integer.
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.is_finite() => Some(*n as i64),
        Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        _ => None,
    }
}

fn table_of(v: Value) -> Option<Table> {
    match v {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn strip_vlan(s: &str) -> String {
    s.split('@').next().unwrap_or(s).to_owned()
}

fn host_key(h: &Map<String, Json>) -> String {
    let ip = h.get("ip").and_then(Json::as_str).unwrap_or("");
    let vlan = h.get("vlan").and_then(Json::as_u64).unwrap_or(0);
    format!("{ip}@{vlan}")
}

fn map_to_lua(lua: &Lua, m: &Map<String, Json>) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, m.len())?;
    for (k, v) in m {
        t.raw_set(k.as_str(), crate::json::to_lua(lua, v)?)?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn cfg(root: &Path) -> PageConfig {
        let mut c = PageConfig::default();
        c.script.roots = vec![root.to_path_buf()];
        c.script.instruction_budget = 2_000_000;
        c.script.memory_limit = 16 << 20;
        c.workers = 1;
        c
    }

    struct Data {
        flows: Vec<Map<String, Json>>,
        hosts: Vec<Map<String, Json>>,
    }

    impl PageData for Data {
        fn interface(&self) -> Json {
            serde_json::json!({"packets": 1234, "bytes": 99999})
        }
        fn flows(&self) -> &[Map<String, Json>] {
            &self.flows
        }
        fn hosts(&self) -> &[Map<String, Json>] {
            &self.hosts
        }
        fn alerts(&self, kind: &str, alert_type: Option<u32>, limit: usize) -> Vec<Json> {
            vec![serde_json::json!({"kind": kind, "alert_type": alert_type, "limit": limit})]
        }
    }

    fn data() -> Arc<dyn PageData> {
        let flow = |cli: &str, srv: &str, url: &str| {
            serde_json::json!({"cli.ip": cli, "srv.ip": srv, "protos.http.last_url": url})
                .as_object()
                .cloned()
                .unwrap()
        };
        let host = serde_json::json!({"ip": "10.0.0.1", "vlan": 0, "bytes.sent": 10})
            .as_object()
            .cloned()
            .unwrap();
        Arc::new(Data {
            flows: vec![
                flow("10.0.0.1", "10.0.0.9", "/setup.exe"),
                flow("10.0.0.2", "10.0.0.9", "/index.html"),
            ],
            hosts: vec![host],
        })
    }

    fn req(page: &str, query: &[(&str, &str)], admin: bool) -> PageRequest {
        PageRequest {
            page: page.into(),
            method: "GET".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            form: Vec::new(),
            user: PageUser {
                name: if admin { "admin" } else { "ops" }.into(),
                admin,
                csrf: "tok".into(),
            },
            data: data(),
        }
    }

    fn body(r: &PageResponse) -> String {
        String::from_utf8_lossy(&r.body).into_owned()
    }

    /// A plugin `demo` with locales, a menu entry and pages.
    fn demo(root: &Path) {
        write(
            root,
            "demo/locales/en.lua",
            r#"return { menu_label = "Demo page", title = "Demo title", hello = "Hello %{name}!" }"#,
        );
        write(
            root,
            "demo/web_gui/menu.lua",
            r#"return {
  label = "demo.menu_label",
  script = "demo_page.lua",
  sort_order = 5,
  menu_entry = { key = "demo", i18n_title = "demo.title", section = "system_stats" },
}"#,
        );
        write(
            root,
            "demo/web_gui/demo_page.lua",
            r#"local page_utils = require("page_utils")
local plugins_utils = require("plugins_utils")
sendHTTPContentTypeHeader("text/html")
page_utils.set_active_menu_entry(page_utils.menu_entries.demo)
print("<p id='greet'>", i18n("demo.hello", { name = _GET.name }), "</p>")
print("<p id='url'>", plugins_utils.getUrl("demo_page.lua"), "</p>")
print("<p id='user'>", _SESSION.user, " ", tostring(isAdministrator()), "</p>")
local st = interface.getStats()
print("<p id='packets'>", st.packets, "</p>")
local fi = interface.getFlowsInfo()
print("<p id='flows'>", fi.numFlows, " ", fi.flows[1]["protos.http.last_url"], "</p>")
print("<p id='hostflows'>", interface.getFlowsInfo("10.0.0.2@0").numFlows, "</p>")
local hi = interface.getHostsInfo()
print("<p id='host'>", hi.hosts["10.0.0.1@0"]["bytes.sent"], "</p>")
print("<p id='alerts'>", interface.getAlerts("flow", { limit = 7 })[1].limit, "</p>")
page_utils.print_navbar("Nav", plugins_utils.getUrl("demo_page.lua"), {
  { active = true, page_name = "overview", label = "Overview" },
  { page_name = "hidden", label = "Hidden", hidden = true },
})
"#,
        );
        write(
            root,
            "demo/web_gui/bad_runtime.lua",
            "print('before')\nlocal t = nil\nlocal x = t.field\n",
        );
        write(
            root,
            "demo/web_gui/bad_syntax.lua",
            "print('a')\n\nlocal = 3\n",
        );
        write(
            root,
            "demo/web_gui/loop.lua",
            "local n = 0\nwhile true do\n  n = n + 1\nend\n",
        );
        write(
            root,
            "demo/web_gui/bomb.lua",
            "local t = {}\nfor i = 1, 1e9 do\n  t[i] = string.rep('x', 4096) .. i\nend\n",
        );
        write(
            root,
            "demo/web_gui/json.lua",
            "sendHTTPContentTypeHeader('application/json')\nio.write('{\"ok\":true}')\n",
        );
        write(root, "demo/web_gui/helper.lua", "return 41 + 1\n");
        write(
            root,
            "demo/web_gui/include.lua",
            "dofile(ntop.getDirs().installdir .. '/scripts/lua/inc/menu.lua')\nprint(dofile('web_gui/helper.lua'))\nprint(plugins_utils and 'global' or 'local')\n",
        );
        write(
            root,
            "demo/web_gui/escape1.lua",
            "dofile('../other/secret.lua')\n",
        );
        write(
            root,
            "demo/web_gui/escape2.lua",
            "\n\ndofile('/etc/passwd')\n",
        );
        write(root, "demo/modules/mymod.lua", "return { answer = 42 }\n");
        write(
            root,
            "demo/web_gui/modules.lua",
            "local m = require('mymod')\nlocal pu = require('plugins_utils')\nprint(m.answer, ' ', pu.loadModule('demo', 'mymod').answer, ' ', tostring(pu.loadModule('other', 'x')))\n",
        );
    }

    #[test]
    fn menu_entries_are_validated_and_localized() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        demo(root);
        // No label.
        write(
            root,
            "nolabel/web_gui/menu.lua",
            "return {\n  script = 'x.lua',\n}\n",
        );
        write(root, "nolabel/web_gui/x.lua", "print('x')\n");
        // The script does not exist.
        write(
            root,
            "noscript/web_gui/menu.lua",
            "return {\n  label = 'No script',\n  script = 'missing.lua',\n}\n",
        );
        write(root, "noscript/web_gui/other.lua", "print('o')\n");
        // Not a table, and a syntax error.
        write(root, "notable/web_gui/menu.lua", "return 42\n");
        write(root, "notable/web_gui/n.lua", "print('n')\n");
        write(root, "broken/web_gui/menu.lua", "return {\n label = \n");
        write(root, "broken/web_gui/b.lua", "print('b')\n");
        // A page name another plugin already serves.
        write(root, "zdup/web_gui/demo_page.lua", "print('dup')\n");
        // A second valid entry with a lower sort order and is_shown.
        write(
            root,
            "admin_only/web_gui/menu.lua",
            "return { label = 'Admin only', script = 'a.lua', sort_order = 1,\n  is_shown = function() return isAdministrator() end }\n",
        );
        write(root, "admin_only/web_gui/a.lua", "print('a')\n");
        write(
            root,
            "failing_shown/web_gui/menu.lua",
            "return { label = 'Failing', script = 'f.lua', sort_order = 10,\n  is_shown = function() error('nope') end }\n",
        );
        write(root, "failing_shown/web_gui/f.lua", "print('f')\n");

        let pages = Pages::start(cfg(root));
        let entries = pages.menu_entries();
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["failing_shown", "demo", "admin_only"], "{entries:?}");
        let demo = &entries[1];
        assert_eq!(demo.label, "Demo page");
        assert_eq!(demo.title, "Demo title");
        assert_eq!(demo.section, "system_stats");
        assert_eq!(demo.url, "/plugins/demo_page.lua");
        assert_eq!(demo.sort_order, 5);

        let problems: Vec<String> = pages.problems().iter().map(ToString::to_string).collect();
        let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
        assert!(
            has("plugins/nolabel/web_gui/menu.lua:1: menu.lua: `label`"),
            "{problems:#?}"
        );
        assert!(
            has("plugins/noscript/web_gui/menu.lua:3: menu.lua: script \"missing.lua\""),
            "{problems:#?}"
        );
        assert!(
            has("plugins/notable/web_gui/menu.lua:1: menu.lua must return a table"),
            "{problems:#?}"
        );
        assert!(has("plugins/broken/web_gui/menu.lua:3:"), "{problems:#?}");
        assert!(
            has(
                "plugins/zdup/web_gui/demo_page.lua:1: duplicate page name demo_page.lua: plugins/demo/web_gui/demo_page.lua"
            ),
            "{problems:#?}"
        );
        // Invalid menus: none of that plugin's pages are served.
        for p in ["x.lua", "other.lua", "n.lua", "b.lua"] {
            assert!(!pages.has_page(p), "{p}");
        }
        assert!(pages.has_page("demo_page.lua") && pages.has_page("a.lua"));
        let r = pages.render(req("demo_page.lua", &[], true));
        assert!(
            body(&r).contains("greet"),
            "the first plugin keeps the page"
        );

        // is_shown per user; an is_shown that raises hides its entry.
        let admin = PageUser {
            name: "admin".into(),
            admin: true,
            csrf: String::new(),
        };
        let viewer = PageUser {
            name: "ops".into(),
            admin: false,
            csrf: String::new(),
        };
        let shown =
            |u: &PageUser| -> Vec<String> { pages.menu(u).into_iter().map(|e| e.key).collect() };
        assert_eq!(shown(&admin), ["demo", "admin_only"]);
        assert_eq!(shown(&viewer), ["demo"]);
        assert_eq!(pages.stats().menu_failures, 2);
    }

    #[test]
    fn page_output_params_i18n_and_data() {
        let dir = tempfile::tempdir().unwrap();
        demo(dir.path());
        let pages = Pages::start(cfg(dir.path()));
        assert!(pages.problems().is_empty(), "{:?}", pages.problems());
        let r = pages.render(req(
            "demo_page.lua",
            &[("name", "<b>Ann</b>"), ("bad name", "x")],
            false,
        ));
        let b = body(&r);
        assert_eq!(r.status, 200, "{:?}", r.error);
        assert!(r.is_html());
        assert!(b.contains("<p id='greet'>Hello bAnn/b!</p>"), "{b}");
        assert!(b.contains("<p id='url'>/plugins/demo_page.lua</p>"), "{b}");
        assert!(b.contains("<p id='user'>ops false</p>"), "{b}");
        assert!(b.contains("<p id='packets'>1234</p>"), "{b}");
        assert!(b.contains("<p id='flows'>2 /setup.exe</p>"), "{b}");
        assert!(b.contains("<p id='hostflows'>1</p>"), "{b}");
        assert!(b.contains("<p id='host'>10</p>"), "{b}");
        assert!(b.contains("<p id='alerts'>7</p>"), "{b}");
        assert!(
            b.contains("<a href=\"/plugins/demo_page.lua?page=overview\" class=\"active\""),
            "{b}"
        );
        assert!(!b.contains("Hidden"), "{b}");
        assert_eq!(r.title.as_deref(), Some("Demo title"));
        assert_eq!(r.active_menu.as_deref(), Some("demo"));

        let r = pages.render(req("json.lua", &[], true));
        assert_eq!((r.status, body(&r).as_str()), (200, "{\"ok\":true}"));
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert!(!r.is_html());

        let r = pages.render(req("include.lua", &[], true));
        assert_eq!(body(&r), "42local");
        let r = pages.render(req("modules.lua", &[], true));
        assert_eq!(body(&r), "42 42 nil");

        assert_eq!(pages.render(req("nope.lua", &[], true)).status, 404);
        assert_eq!(
            sanitize_params(&[("a".into(), "1\n2<3>".into()), ("a".into(), "x".into())]),
            [("a".to_string(), "123".to_string())]
        );
    }

    #[test]
    fn failing_pages_give_file_and_line_and_the_next_request_works() {
        let dir = tempfile::tempdir().unwrap();
        demo(dir.path());
        let pages = Pages::start(cfg(dir.path()));
        let cases = [
            ("bad_runtime.lua", 3, "attempt to index"),
            ("bad_syntax.lua", 3, "expected near"),
            ("loop.lua", 3, "instruction budget exceeded"),
            ("escape1.lua", 1, "only files of plugin demo"),
            ("escape2.lua", 3, "only files of plugin demo"),
        ];
        for (page, line, msg) in cases {
            let r = pages.render(req(page, &[], true));
            assert_eq!(r.status, 500, "{page}");
            assert!(r.body.is_empty(), "{page}");
            let e = r.error.unwrap();
            assert_eq!(
                e.file,
                format!("plugins/demo/web_gui/{page}"),
                "{page}: {e}"
            );
            assert_eq!(e.line, Some(line), "{page}: {e}");
            assert!(e.message.contains(msg), "{page}: {e}");
            // The runtime keeps serving.
            assert_eq!(pages.render(req("json.lua", &[], true)).status, 200);
        }
        let r = pages.render(req("bomb.lua", &[], true));
        assert_eq!(r.status, 500);
        let e = r.error.unwrap();
        assert_eq!(e.file, "plugins/demo/web_gui/bomb.lua");
        assert!(e.message.contains("memory limit"), "{e}");
        assert_eq!(pages.render(req("json.lua", &[], true)).status, 200);
        let s = pages.stats();
        assert_eq!(s.failures, 6);
        assert_eq!(s.requests, 12);
    }

    #[test]
    fn traversal_and_escaping_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("plugins");
        demo(&root);
        write(dir.path(), "outside/secret.lua", "print('secret')\n");
        std::os::unix::fs::symlink(
            dir.path().join("outside/secret.lua"),
            root.join("demo/web_gui/evil.lua"),
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("demo/modules/linked"))
            .unwrap();
        let pages = Pages::start(cfg(&root));
        assert!(!pages.has_page("evil.lua"));
        let problems: Vec<String> = pages.problems().iter().map(ToString::to_string).collect();
        assert!(
            problems.iter().any(|p| p
                .contains("plugins/demo/web_gui/evil.lua: file is outside the plugin directory")),
            "{problems:?}"
        );
        for page in [
            "../outside/secret.lua",
            "..",
            "/etc/passwd",
            "web_gui/json.lua",
            "evil.lua",
            "menu.lua",
        ] {
            assert_eq!(pages.render(req(page, &[], true)).status, 404, "{page}");
        }
        assert!(confined(&root.join("demo"), "web_gui/json.lua"));
        assert!(!confined(&root.join("demo"), "../demo/web_gui/json.lua"));
        assert!(!confined(&root.join("demo"), "/etc/passwd"));
        assert!(!confined(&root.join("demo"), "modules/linked/secret.lua"));
    }

    /// Alerts of one type only, as the store would filter them.
    struct ExeData(Vec<Map<String, Json>>);

    impl PageData for ExeData {
        fn interface(&self) -> Json {
            serde_json::json!({"packets": 45877, "bytes": 22345678, "name": "sample.pcap"})
        }
        fn flows(&self) -> &[Map<String, Json>] {
            &self.0
        }
        fn hosts(&self) -> &[Map<String, Json>] {
            &[]
        }
        fn alerts(&self, kind: &str, alert_type: Option<u32>, _: usize) -> Vec<Json> {
            if kind != "flow" || alert_type != Some(32768) {
                return Vec::new();
            }
            vec![serde_json::json!({
                "alert_type": 32768, "alert_tstamp": 1767225950, "alert_severity_name": "error",
                "cli_addr": "192.168.1.36", "cli_port": 58450, "srv_addr": "198.51.100.23",
                "srv_port": 80, "score": 100,
                "alert_json": "{\"protos.http.last_url\":\"dl.example/garden-driver.exe\"}",
            })]
        }
    }

    #[test]
    fn tutorial_page_shows_exe_flows_and_alerts() {
        let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/exes_download");
        let mut c = cfg(&plugin);
        c.script.roots = vec![plugin];
        let pages = Pages::start(c);
        assert!(pages.problems().is_empty(), "{:?}", pages.problems());
        let entries = pages.menu_entries();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].label.as_str(), entries[0].key.as_str()),
            ("EXE downloads", "exes_download")
        );
        let flow = |url: &str, bytes: u64| {
            serde_json::json!({"cli.ip": "192.168.1.21", "cli.port": 50000, "srv.ip": "192.0.2.150",
                "srv.port": 80, "protos.http.last_url": url, "protos.http.server_name": "dl.freeware.example",
                "bytes": bytes, "score": {"flow_score": 100}})
            .as_object()
            .cloned()
            .unwrap()
        };
        let data: Arc<dyn PageData> = Arc::new(ExeData(vec![
            flow("dl.freeware.example/media-player.exe", 2_000_000),
            flow("dl.freeware.example/index.html", 5_000),
        ]));
        let mut r = req("exes_download.lua", &[], false);
        r.data = data.clone();
        let resp = pages.render(r);
        let b = body(&resp);
        assert_eq!(resp.status, 200, "{:?}", resp.error);
        assert_eq!(resp.title.as_deref(), Some("EXE downloads"));
        assert_eq!(resp.active_menu.as_deref(), Some("exes_download"));
        for needle in [
            "<code>dl.freeware.example/media-player.exe</code>",
            "1.91 MB",
            "<code>dl.example/garden-driver.exe</code>",
            "<span class=\"sev sev-error\">error</span>",
            "01/01/2026 00:05:50",
            "1 of 1",
            "Interface sample.pcap: 45,877 packets",
        ] {
            assert!(b.contains(needle), "{needle}:\n{b}");
        }
        assert!(!b.contains("index.html"), "{b}");
        // The alerts view only.
        let mut r = req("exes_download.lua", &[("page", "alerts")], false);
        r.data = data;
        let b = body(&pages.render(r));
        assert!(
            b.contains("id=\"exe-alerts\"") && !b.contains("id=\"exe-flows\""),
            "{b}"
        );
    }

    #[test]
    fn reload_picks_up_new_and_changed_pages() {
        let dir = tempfile::tempdir().unwrap();
        demo(dir.path());
        let pages = Pages::start(cfg(dir.path()));
        assert!(!pages.has_page("new.lua"));
        write(dir.path(), "demo/web_gui/new.lua", "print('new')\n");
        write(dir.path(), "demo/web_gui/json.lua", "print('changed')\n");
        assert!(pages.reload().is_empty());
        assert_eq!(body(&pages.render(req("new.lua", &[], true))), "new");
        assert_eq!(body(&pages.render(req("json.lua", &[], true))), "changed");
    }
}
