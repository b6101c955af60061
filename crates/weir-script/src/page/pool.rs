//! The worker threads that run pages and menu `is_shown` functions, and [`Pages`],
//! the handle the web server uses.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::time::{Duration, Instant};

use crate::error::Problem;

use super::catalogue::load_catalogue;
use super::page_vm::PageVm;
use super::types::{
    Catalogue, Counters, MAX_ABANDONED, MENU_WAIT, MenuEntry, PageConfig, PageOutcome, PageRequest,
    PageStats, PageUser, fail, lock, log_problems,
};

pub(super) enum Job {
    Render(Box<PageRequest>, Arc<Catalogue>, mpsc::Sender<PageOutcome>),
    Menu(PageUser, Arc<Catalogue>, mpsc::Sender<Vec<bool>>),
}

#[derive(Default)]
pub(super) struct WorkerState {
    pub(super) busy_since: Mutex<Option<Instant>>,
    pub(super) abandoned: AtomicBool,
    /// Runs the menu queue (else the page queue).
    pub(super) menu: bool,
}

pub(super) struct Inner {
    pub(super) cfg: PageConfig,
    pub(super) catalogue: RwLock<Arc<Catalogue>>,
    pub(super) tx: Mutex<mpsc::Sender<(Instant, Job)>>,
    pub(super) rx: Arc<Mutex<mpsc::Receiver<(Instant, Job)>>>,
    /// Menu draws have a worker of their own: a slow page never delays the menu.
    pub(super) menu_tx: Mutex<mpsc::Sender<(Instant, Job)>>,
    pub(super) menu_rx: Arc<Mutex<mpsc::Receiver<(Instant, Job)>>>,
    /// The last `is_shown` answers per catalogue generation and user, used when the
    /// menu worker does not answer in time.
    pub(super) last_menu: Mutex<HashMap<(u64, String, bool), Vec<bool>>>,
    pub(super) workers: Mutex<Vec<Arc<WorkerState>>>,
    pub(super) abandoned: AtomicUsize,
    pub(super) generation: AtomicU64,
    pub(super) counters: Arc<Counters>,
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

impl Pages {
    /// Loads the pages and menu entries of the plugins of `cfg.script.sources` (built
    /// into the binary) and under `cfg.script.roots`, and starts the workers. Problems are in [`Pages::problems`] (and logged).
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

    /// Runs a page. Never fails: an unknown page gives [`PageOutcome::NotFound`], a
    /// failing page [`PageOutcome::Failed`] with the error.
    pub fn render(&self, req: PageRequest) -> PageOutcome {
        let cat = self.catalogue();
        let Some(p) = cat.pages.get(&req.page) else {
            return PageOutcome::NotFound;
        };
        let plugin = cat.sources[p.source].key.clone();
        let file = format!("{}/{}", cat.sources[p.source].base(), p.file);
        let (tx, rx) = mpsc::channel();
        if !self.send(Job::Render(Box::new(req), cat.clone(), tx)) {
            return fail(
                &self.inner.counters,
                &plugin,
                &file,
                "page workers stopped",
                false,
            );
        }
        match rx.recv_timeout(self.timeout()) {
            Ok(r) => r,
            Err(_) => {
                self.reap();
                let msg = format!(
                    "the page did not finish within {:?}",
                    self.timeout().saturating_sub(Duration::from_secs(1))
                );
                fail(&self.inner.counters, &plugin, &file, &msg, true)
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

pub(super) fn spawn_worker(inner: &Arc<Inner>, menu: bool) {
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

pub(super) fn worker(
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

pub(super) fn handle(vm: &mut Option<PageVm>, cfg: &PageConfig, counters: &Counters, job: Job) {
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
                            false,
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
            if let Some(f) = r.failure() {
                counters.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(target: "weir_script", "plugin page failed: {}", f.error);
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
