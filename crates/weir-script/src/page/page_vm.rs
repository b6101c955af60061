//! One page VM: the engine's sandbox plus the page API, run per request.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, MultiValue, Table, Value};

use crate::config::Output;
use crate::diag::error_text;
use crate::error::{Problem, chunk_name};
use crate::loader::{self, plugin_env};
use crate::plugin::PluginSource;
use crate::state::OutRef;
use crate::vm::Budget;
use crate::vm::Parts;

use super::request::{
    dofile_fn, int_of, line_of, located, lua_err, page_error, params, problem, servable_name,
    short_printable, str_of,
};
use super::types::{
    Catalogue, MenuEntry, PageConfig, PageData, PageError, PageFailure, PageOutcome, PageOutput,
    PageRequest, PageUser,
};

/// Per-request state the page API reads and writes.
#[derive(Default)]
pub(super) struct ReqState {
    pub(super) data: Option<Arc<dyn PageData>>,
    pub(super) user: PageUser,
    pub(super) media_type: Option<String>,
    pub(super) disposition: Option<String>,
    /// The answer code the page asked for, uninterpreted.
    pub(super) code: Option<u16>,
    pub(super) title: Option<String>,
    pub(super) active_menu: Option<String>,
    pub(super) overflow: bool,
}

pub(super) type ReqRef = Rc<RefCell<ReqState>>;

/// One page VM (lives on one worker thread).
pub(super) struct PageVm {
    pub(super) generation: u64,
    pub(super) lua: Lua,
    pub(super) budget: Rc<Budget>,
    pub(super) out: OutRef,
    pub(super) req: ReqRef,
    pub(super) plugins: Vec<String>,
    /// `is_shown` of each catalogue menu entry.
    pub(super) is_shown: Vec<Option<Function>>,
}

impl PageVm {
    pub(super) fn new(
        cfg: &PageConfig,
        cat: &Catalogue,
        with_menus: bool,
    ) -> crate::Result<PageVm> {
        let mut scfg = cfg.script.clone();
        scfg.output = Output::Buffer;
        scfg.record_events = false;
        let parts = Parts::new(&scfg);
        let vm = loader::build(&scfg, &parts, &cat.sources)?;
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
            out: parts.out.clone(),
            req,
            plugins,
            is_shown: Vec::new(),
        };
        pv.install(cfg, cat, &titles)?;
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
    pub(super) fn install(
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
        let (sh, rq) = (self.out.clone(), self.req.clone());
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
                  (media_type, disposition, _charset, _extra, code): (
                Value,
                Value,
                Value,
                Value,
                Value,
            )| {
                let mut r = rq.borrow_mut();
                if let Value::String(t) = media_type {
                    let t = t.to_string_lossy();
                    if short_printable(&t) {
                        r.media_type = Some(t);
                    }
                }
                if let Value::String(d) = disposition {
                    let d = d.to_string_lossy();
                    if short_printable(&d) {
                        r.disposition = Some(d);
                    }
                }
                if let Some(c) = int_of(&code).and_then(|c| u16::try_from(c).ok()) {
                    r.code = Some(c);
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
        let mods: Table = lua
            .load(include_str!("../lua/page_utils.lua"))
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
}

impl PageVm {
    /// Runs `web_gui/menu.lua` of `src` and returns its table.
    pub(super) fn run_menu(&self, src: &PluginSource, text: &str) -> Result<Table, Problem> {
        let file = "web_gui/menu.lua";
        let env =
            plugin_env(&self.lua, src).map_err(|e| problem(&src.key, file, None, e.to_string()))?;
        self.budget.reset();
        match self
            .lua
            .load(text)
            .set_name(chunk_name(&src.base(), file))
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
                    error_text(&e, &src.base(), file)
                ),
            )),
        }
    }

    /// Validates `menu.lua` (spec plugins.md §15).
    pub(super) fn menu_def(&self, src: &PluginSource, text: &str) -> Result<MenuEntry, Problem> {
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

    pub(super) fn http_prefix(&self) -> String {
        self.lua
            .globals()
            .raw_get::<Table>("ntop")
            .and_then(|n| n.raw_get::<Function>("getHttpPrefix"))
            .and_then(|f| f.call::<String>(()))
            .unwrap_or_default()
    }

    /// `i18n(s)` or `s`.
    pub(super) fn localize(&self, s: &str) -> String {
        self.budget.reset();
        self.lua
            .globals()
            .raw_get::<Function>("i18n")
            .and_then(|f| f.call::<Option<String>>(s))
            .ok()
            .flatten()
            .unwrap_or_else(|| s.to_owned())
    }

    pub(super) fn begin(&self, user: PageUser, data: Option<Arc<dyn PageData>>) {
        *self.req.borrow_mut() = ReqState {
            user,
            data,
            ..ReqState::default()
        };
        self.out.borrow_mut().buffer.clear();
    }

    pub(super) fn menu(&mut self, cat: &Catalogue, user: PageUser) -> (Vec<bool>, u64) {
        self.begin(user, None);
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
                    let base = cat.sources[m.source].base();
                    let text = error_text(&e, &base, "web_gui/menu.lua");
                    tracing::warn!(target: "weir_script", "is_shown of menu entry {:?} failed, entry hidden: {text}", m.entry.key);
                    shown.push(false);
                }
            }
        }
        self.begin(PageUser::default(), None);
        (shown, failed)
    }

    pub(super) fn render(
        &mut self,
        cat: &Catalogue,
        req: PageRequest,
        cfg: &PageConfig,
    ) -> PageOutcome {
        let Some(p) = cat.pages.get(&req.page) else {
            return PageOutcome::NotFound;
        };
        let src = &cat.sources[p.source];
        self.begin(req.user.clone(), Some(req.data.clone()));
        let result = self.run_page(src, &p.file, &req);
        let out = std::mem::take(&mut self.out.borrow_mut().buffer);
        let st = std::mem::take(&mut *self.req.borrow_mut());
        let file = format!("{}/{}", src.base(), p.file);
        let outcome = match result {
            Ok(()) if out.len() > cfg.max_output || st.overflow => {
                PageOutcome::OverBudget(PageFailure {
                    plugin: src.key.clone(),
                    error: PageError {
                        file,
                        line: None,
                        message: format!("page output larger than {} KiB", cfg.max_output / 1024),
                    },
                    title: None,
                    active_menu: None,
                })
            }
            Ok(()) => PageOutcome::Rendered(PageOutput {
                plugin: src.key.clone(),
                body: out,
                media_type: st.media_type,
                disposition: st.disposition,
                code: st.code,
                title: st.title,
                active_menu: st.active_menu,
            }),
            Err(e) => {
                let text = error_text(&e, &src.base(), &p.file);
                let f = PageFailure {
                    plugin: src.key.clone(),
                    error: page_error(&text, &file),
                    title: st.title,
                    active_menu: st.active_menu,
                };
                if st.overflow {
                    PageOutcome::OverBudget(f)
                } else {
                    PageOutcome::Failed(f)
                }
            }
        };
        self.begin(PageUser::default(), None);
        outcome
    }

    pub(super) fn run_page(
        &self,
        src: &PluginSource,
        file: &str,
        req: &PageRequest,
    ) -> mlua::Result<()> {
        let lua = &self.lua;
        let text = src
            .files
            .get(file)
            .ok_or_else(|| lua_err(format!("{}/{file}: no such file", src.base())))?;
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
            .set_name(chunk_name(&src.base(), file))
            .set_mode(ChunkMode::Text)
            .set_environment(env)
            .exec()
    }
}
