//! What a VM knows of the plugins it was built with, for ntopng 4.2's
//! `plugins_utils` outside pages: `loadModule(plugin, name)` (a module of any loaded
//! plugin's `modules/`), `getPluginDataDir(plugin, subdir)` (a real per-plugin data
//! directory) and `require` of the Lua files in those data directories.
//!
//! A data directory is `<working dir>/plugins_data/<plugin>/<subdir>`. As ntopng
//! copies a plugin's manifest `data_dirs` to its runtime directory, the first call
//! for a subdirectory that the plugin ships on disk (`active_monitoring/measurements`)
//! copies its files there (regular files only, at most [`MAX_COPY_FILES`] of at most
//! [`MAX_COPY_BYTES`] each, [`MAX_COPY_DEPTH`] levels); files already there and not
//! older are kept. Plugins built into the binary ship no data files.
//!
//! `require(name)` of a name that is neither built in nor in the plugin's `modules/`
//! looks in the `package.path` templates (`<dir>/?.lua`) that point inside
//! `<working dir>/plugins_data/`: that is how `active_monitoring` loads its
//! measurement files after prepending their directory to `package.path`. Any other
//! directory in `package.path` is ignored.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use mlua::chunk::ChunkMode;
use mlua::{Lua, Table, Value};

use crate::error::chunk_name;
use crate::plugin::PluginSource;

/// Most files copied into one data directory.
pub const MAX_COPY_FILES: usize = 1000;
/// Largest file copied into a data directory.
pub const MAX_COPY_BYTES: u64 = 16 << 20;
/// Deepest subdirectory copied.
pub const MAX_COPY_DEPTH: usize = 4;
/// Largest Lua file `require` reads from a data directory.
const MAX_MODULE_BYTES: u64 = 1 << 20;
/// The directory under the working directory holding the plugins' data.
pub const DATA_DIR: &str = "plugins_data";

struct Entry {
    /// The plugin's directory (its origin label for a built-in plugin).
    dir: PathBuf,
    embedded: bool,
    /// `modules/…` files.
    modules: BTreeMap<String, String>,
}

/// The plugins of a VM and weir's directories.
pub(crate) struct PluginDirs {
    pub working: PathBuf,
    pub install: PathBuf,
    plugins: HashMap<String, Entry>,
}

type DirsRef = Rc<RefCell<PluginDirs>>;

impl PluginDirs {
    /// The directories `ntop.readdir` may list: the working directory, the
    /// installation directory and the directory of every plugin read from disk.
    pub fn roots(&self) -> Vec<PathBuf> {
        let mut r = vec![self.working.clone(), self.install.clone()];
        r.extend(
            self.plugins
                .values()
                .filter(|e| !e.embedded)
                .map(|e| e.dir.clone()),
        );
        r
    }

    fn data_root(&self) -> PathBuf {
        self.working.join(DATA_DIR)
    }
}

/// The plugin directories of `lua` (empty before [`install`]).
pub(crate) fn roots(lua: &Lua) -> Vec<PathBuf> {
    lua.app_data_ref::<DirsRef>()
        .map(|d| d.borrow().roots())
        .unwrap_or_default()
}

/// A relative path of plain names (no `..`, no root, no empty part).
pub(crate) fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// Whether `p` (absolute) is inside `root`, once symbolic links and `..` are
/// resolved; a path that does not exist yet must be inside lexically, without `..`.
pub(crate) fn inside(p: &Path, root: &Path) -> bool {
    let cr = root.canonicalize();
    if let (Ok(cp), Ok(cr)) = (p.canonicalize(), &cr) {
        return cp.starts_with(cr);
    }
    !p.components().any(|c| matches!(c, Component::ParentDir))
        && (p.starts_with(root) || cr.is_ok_and(|cr| p.starts_with(cr)))
}

/// Sets up the registry of `lua` and the `W` functions of the `plugins_utils` module.
pub(crate) fn install(lua: &Lua, w: &Table, working: &str, install: &str) -> mlua::Result<()> {
    let dirs: DirsRef = Rc::new(RefCell::new(PluginDirs {
        working: PathBuf::from(working),
        install: PathBuf::from(install),
        plugins: HashMap::new(),
    }));
    lua.set_app_data(dirs.clone());
    let d1 = dirs.clone();
    w.raw_set(
        "plugin_env",
        lua.create_function(move |lua, key: Value| {
            let Value::String(key) = key else {
                return Ok(Value::Nil);
            };
            let key = key.to_string_lossy();
            let src = {
                let d = d1.borrow();
                let Some(e) = d.plugins.get(&key) else {
                    return Ok(Value::Nil);
                };
                PluginSource {
                    key: key.clone(),
                    dir: e.dir.clone(),
                    files: e.modules.clone(),
                    embedded: e.embedded,
                    replaces: Vec::new(),
                }
            };
            Ok(Value::Table(crate::loader::plugin_env(lua, &src)?))
        })?,
    )?;
    let d2 = dirs.clone();
    w.raw_set(
        "plugin_has_module",
        lua.create_function(move |_, (key, name): (Value, Value)| {
            let (Value::String(key), Value::String(name)) = (key, name) else {
                return Ok(false);
            };
            let rel = name.to_string_lossy().replace('.', "/");
            if !safe_rel(&rel) || rel.contains('/') {
                return Ok(false);
            }
            let d = d2.borrow();
            Ok(d.plugins
                .get(&key.to_string_lossy())
                .is_some_and(|e| e.modules.contains_key(&format!("modules/{rel}.lua"))))
        })?,
    )?;
    let d3 = dirs;
    w.raw_set(
        "plugin_data_dir",
        lua.create_function(move |_, (key, sub): (String, Option<String>)| {
            let d = d3.borrow();
            Ok(data_dir(&d, &key, sub.as_deref()))
        })?,
    )?;
    Ok(())
}

/// Registers the plugins a VM is built with (before any of their files runs).
pub(crate) fn register(lua: &Lua, sources: &[PluginSource]) {
    let Some(dirs) = lua.app_data_ref::<DirsRef>().map(|d| d.clone()) else {
        return;
    };
    let mut d = dirs.borrow_mut();
    for s in sources {
        // The files `require` finds (directly in `modules/`).
        let modules = s
            .files_in("modules")
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        d.plugins.insert(
            s.key.clone(),
            Entry {
                dir: s.dir.clone(),
                embedded: s.embedded,
                modules,
            },
        );
    }
}

/// `<working>/plugins_data/<key>[/<sub>]`, created, with the plugin's own `<sub>`
/// files copied in; `None` for a key or subdirectory that is not a plain relative
/// name, or when the directory cannot be created.
fn data_dir(d: &PluginDirs, key: &str, sub: Option<&str>) -> Option<String> {
    if !safe_rel(key) || key.contains('/') || sub.is_some_and(|s| !safe_rel(s)) {
        return None;
    }
    let mut dst = d.data_root().join(key);
    if let Some(s) = sub {
        dst = dst.join(s);
    }
    if let Err(e) = std::fs::create_dir_all(&dst) {
        tracing::warn!(target: "weir_script", "{}: {e}", dst.display());
        return None;
    }
    if let (Some(s), Some(e)) = (sub, d.plugins.get(key))
        && !e.embedded
    {
        let src = e.dir.join(s);
        // Not through a symbolic link leaving the plugin directory.
        if src.is_dir() && inside(&src, &e.dir) {
            let mut budget = MAX_COPY_FILES;
            copy_tree(&src, &dst, 0, &mut budget);
        }
    }
    Some(dst.display().to_string())
}

fn copy_tree(src: &Path, dst: &Path, depth: usize, budget: &mut usize) {
    let Ok(rd) = std::fs::read_dir(src) else {
        return;
    };
    for ent in rd.flatten() {
        if *budget == 0 {
            return;
        }
        let Ok(ft) = ent.file_type() else { continue };
        let (from, to) = (ent.path(), dst.join(ent.file_name()));
        if ft.is_dir() && depth + 1 < MAX_COPY_DEPTH {
            if std::fs::create_dir_all(&to).is_ok() {
                copy_tree(&from, &to, depth + 1, budget);
            }
        } else if ft.is_file() {
            let Ok(m) = ent.metadata() else { continue };
            if m.len() > MAX_COPY_BYTES {
                continue;
            }
            *budget -= 1;
            let fresh = std::fs::metadata(&to).is_ok_and(|t| {
                t.len() == m.len()
                    && matches!((t.modified(), m.modified()), (Ok(a), Ok(b)) if a >= b)
            });
            if !fresh && let Err(e) = std::fs::copy(&from, &to) {
                tracing::warn!(target: "weir_script", "{} -> {}: {e}", from.display(), to.display());
            }
        }
    }
}

/// `require(name)` from a `package.path` template inside the plugins' data
/// directory; `None` when no such file exists. The module runs in an environment
/// like a plugin module's, with `require` as its `require`; its chunk is named after
/// the plugin file it was copied from (`plugins/<key>/<subdir>/<file>`).
pub(crate) fn require_from_data_dirs(
    lua: &Lua,
    name: &str,
    require: Value,
) -> mlua::Result<Option<Value>> {
    let Some(dirs) = lua.app_data_ref::<DirsRef>().map(|d| d.clone()) else {
        return Ok(None);
    };
    let rel = name.replace('.', "/");
    if !safe_rel(&rel) {
        return Ok(None);
    }
    let root = dirs.borrow().data_root();
    let path: String = lua
        .globals()
        .raw_get::<Table>("package")
        .and_then(|p| p.raw_get::<String>("path"))
        .unwrap_or_default();
    for template in path.split(';').filter(|t| t.contains('?')) {
        let cand = PathBuf::from(template.replace('?', &rel));
        if !cand.is_absolute() || !inside(&cand, &root) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&cand) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_MODULE_BYTES {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&cand) else {
            continue;
        };
        // plugins_data/<key>/<rest> was copied from plugins/<key>/<rest>.
        let shown = cand
            .strip_prefix(&root)
            .map(|r| format!("plugins/{}", r.display()))
            .unwrap_or_else(|_| cand.display().to_string());
        let env = lua.create_table()?;
        let meta = lua.create_table()?;
        meta.raw_set("__index", lua.globals())?;
        env.set_metatable(Some(meta))?;
        env.raw_set("require", require)?;
        let v: Value = lua
            .load(text)
            .set_name(chunk_name(
                shown.rsplit_once('/').map_or("", |x| x.0),
                shown.rsplit('/').next().unwrap_or(""),
            ))
            .set_mode(ChunkMode::Text)
            .set_environment(env)
            .call(name)?;
        return Ok(Some(if v.is_nil() { Value::Boolean(true) } else { v }));
    }
    Ok(None)
}
