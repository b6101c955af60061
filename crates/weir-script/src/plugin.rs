//! Plugin discovery: which directories are plugins, and a snapshot of their files.
//!
//! A plugin is a directory holding `manifest.lua` or any of the known subdirectories
//! (`user_scripts/`, `alert_definitions/`, `status_definitions/`, …): the manifest is
//! optional (the seed tutorial has none) and the directory name is then the key and
//! title. A root is searched recursively, plugins sitting up to 4 levels below it
//! (spec plugins.md §4). Files are read once into memory, so a reload that fails can
//! fall back on the exact previous text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Problem;

/// Subdirectories that make a directory a plugin.
pub const PLUGIN_SUBDIRS: [&str; 8] = [
    "user_scripts",
    "alert_definitions",
    "status_definitions",
    "alert_endpoints",
    "ts_schemas",
    "web_gui",
    "locales",
    "modules",
];

/// Largest Lua file read (bigger files are a load error).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

const MAX_DEPTH: usize = 4;

/// The files of one plugin, as read from disk or built into the binary
/// ([`PluginSource::embedded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSource {
    /// Plugin key: the directory name.
    pub key: String,
    /// The directory; for a plugin built into the binary, its origin label
    /// (`builtin:<key>`), which is no path on disk.
    pub dir: PathBuf,
    /// `*.lua` files by path relative to `dir`, `/`-separated.
    pub files: BTreeMap<String, String>,
    /// Built into the binary: nothing of it is on disk, and its files never change.
    pub embedded: bool,
    /// The plugins this one replaces ([`gather`]): the origin labels
    /// (`builtin:<key>`) of given plugins with its key or one of its script keys.
    pub replaces: Vec<String>,
}

impl PluginSource {
    /// Files directly inside `subdir` (e.g. `user_scripts/flow`), sorted.
    pub fn files_in<'a>(&'a self, subdir: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.files.iter().filter_map(move |(k, v)| {
            let rest = k.strip_prefix(subdir)?.strip_prefix('/')?;
            (!rest.contains('/')).then_some((k.as_str(), v.as_str()))
        })
    }

    /// A plugin built into the binary (with rust-embed, `include_str!`, …) from its
    /// files: paths relative to the plugin directory (`manifest.lua`,
    /// `user_scripts/flow/x.lua`, …) and their bytes. The same files are kept as
    /// [`PluginSource::read`] keeps from a directory (`.lua` files, at most 3
    /// directories deep under a known subdirectory, at most 1 MiB, UTF-8);
    /// the others are left out or reported. Its origin label `builtin:<key>` stands
    /// wherever a plugin directory is shown: messages, chunk names
    /// (`builtin:<key>/<file>:<line>` in Lua errors), [`crate::PluginInfo::dir`].
    pub fn embedded<I, P, B>(key: &str, files: I) -> (PluginSource, Vec<Problem>)
    where
        I: IntoIterator<Item = (P, B)>,
        P: AsRef<str>,
        B: AsRef<[u8]>,
    {
        let mut problems = Vec::new();
        let mut kept = BTreeMap::new();
        for (path, bytes) in files {
            let rel = path.as_ref().replace('\\', "/");
            let rel = rel.trim_start_matches("./");
            let parts: Vec<&str> = rel.split('/').collect();
            let wanted = rel.ends_with(".lua")
                && !parts
                    .iter()
                    .any(|p| p.is_empty() || *p == "." || *p == "..")
                && match parts.as_slice() {
                    [one] => *one == "manifest.lua",
                    [sub, ..] => PLUGIN_SUBDIRS.contains(sub) && parts.len() <= 4,
                    [] => false,
                };
            if !wanted {
                continue;
            }
            let bytes = bytes.as_ref();
            if bytes.len() as u64 > MAX_FILE_BYTES {
                problems.push(Problem::error(key, rel, "file larger than 1 MiB"));
                continue;
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    kept.insert(rel.to_owned(), text.to_owned());
                }
                Err(_) => problems.push(Problem::error(key, rel, "not UTF-8 text")),
            }
        }
        let src = PluginSource {
            key: key.to_owned(),
            dir: PathBuf::from(format!("builtin:{key}")),
            files: kept,
            embedded: true,
            replaces: Vec::new(),
        };
        for p in &mut problems {
            p.origin = Some(src.base());
        }
        (src, problems)
    }

    /// Where the plugin's file names start in locations, messages and Lua chunk
    /// names: the directory as the user gave it (`my_plugins/exes_download`), or
    /// `builtin:<key>` for a plugin built into the binary.
    pub fn base(&self) -> String {
        self.dir.display().to_string()
    }

    /// Script keys by subdirectory: `(subdir, key)` for every
    /// `user_scripts/<subdir>/<key>.lua`.
    pub fn script_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.keys().filter_map(|k| {
            let rest = k.strip_prefix("user_scripts/")?;
            let (subdir, file) = rest.split_once('/')?;
            let key = file.strip_suffix(".lua")?;
            (!key.contains('/')).then_some((subdir, key))
        })
    }

    /// True when `self` and `other` have a script key in the same subdirectory.
    fn shares_script_key(&self, other: &PluginSource) -> bool {
        let mine: std::collections::HashSet<(&str, &str)> = self.script_keys().collect();
        other.script_keys().any(|k| mine.contains(&k))
    }

    /// Reads one plugin directory.
    pub fn read(dir: &Path) -> (Option<PluginSource>, Vec<Problem>) {
        // `.` or `..` have no name: the key is the name of the directory they are.
        let dir = match dir.file_name() {
            Some(_) => dir.to_path_buf(),
            None => dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        };
        let dir = dir.as_path();
        let key = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plugin".to_owned());
        let mut problems = Vec::new();
        let mut files = BTreeMap::new();
        read_tree(dir, dir, 0, &key, &mut files, &mut problems);
        for p in &mut problems {
            p.origin = Some(dir.display().to_string());
        }
        (
            Some(PluginSource {
                key,
                dir: dir.to_path_buf(),
                files,
                embedded: false,
                replaces: Vec::new(),
            }),
            problems,
        )
    }
}

fn read_tree(
    base: &Path,
    dir: &Path,
    depth: usize,
    key: &str,
    files: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let rel = p
            .strip_prefix(base)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if p.is_dir() {
            if depth < 3 && (depth > 0 || PLUGIN_SUBDIRS.contains(&rel.as_str())) {
                read_tree(base, &p, depth + 1, key, files, problems);
            }
            continue;
        }
        if p.extension().and_then(|e| e.to_str()) != Some("lua") {
            continue;
        }
        if depth == 0 && rel != "manifest.lua" {
            continue;
        }
        let too_big = std::fs::metadata(&p).map(|m| m.len() > MAX_FILE_BYTES);
        if too_big.unwrap_or(false) {
            problems.push(Problem::error(key, &rel, "file larger than 1 MiB"));
            continue;
        }
        match std::fs::read(&p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => {
                    files.insert(rel, s);
                }
                Err(_) => problems.push(Problem::error(key, &rel, "not UTF-8 text")),
            },
            Err(e) => problems.push(Problem::error(key, &rel, format!("cannot read: {e}"))),
        }
    }
}

/// True if `dir` is a plugin directory.
pub fn is_plugin_dir(dir: &Path) -> bool {
    dir.join("manifest.lua").is_file() || PLUGIN_SUBDIRS.iter().any(|s| dir.join(s).is_dir())
}

/// Finds the plugins under each root (a root may itself be a plugin). Plugins are
/// returned sorted by key; a key found twice keeps the first and reports the second,
/// naming both directories.
pub fn discover(roots: &[PathBuf]) -> (Vec<PluginSource>, Vec<Problem>) {
    gather(&[], roots)
}

/// The plugins given (built into the binary) and those found under `roots`, sorted
/// by key.
///
/// A plugin found under the roots whose key, or any of whose script keys (same
/// subdirectory), equals a given plugin's **replaces** that given plugin as a whole
/// (its scripts, definitions, pages, locales): the given one is left out and
/// [`PluginSource::replaces`] names it. Two plugins found under the roots with the
/// same key are an error naming both directories; the second is skipped.
pub fn gather(given: &[PluginSource], roots: &[PathBuf]) -> (Vec<PluginSource>, Vec<Problem>) {
    let mut dirs = Vec::new();
    for r in roots {
        find(r, 0, &mut dirs);
    }
    let mut problems = Vec::new();
    let mut found: Vec<PluginSource> = Vec::new();
    for d in &dirs {
        let (src, mut p) = PluginSource::read(d);
        problems.append(&mut p);
        let Some(src) = src else { continue };
        if let Some(prev) = found.iter().find(|o| o.key == src.key) {
            let mut p = Problem::error(
                &src.key,
                "",
                format!(
                    "duplicate plugin key `{}`: {} and {}; the second is skipped",
                    src.key,
                    prev.base(),
                    src.base()
                ),
            );
            p.origin = Some(src.base());
            problems.push(p);
            continue;
        }
        found.push(src);
    }
    let mut out: Vec<PluginSource> = Vec::new();
    for g in given {
        if let Some(user) = found
            .iter_mut()
            .find(|u| u.key == g.key || u.shares_script_key(g))
        {
            user.replaces.push(g.base());
            continue;
        }
        if out.iter().any(|o| o.key == g.key) {
            let mut p = Problem::error(
                &g.key,
                "",
                format!("duplicate plugin key `{}`; the second is skipped", g.key),
            );
            p.origin = Some(g.base());
            problems.push(p);
            continue;
        }
        out.push(g.clone());
    }
    out.append(&mut found);
    out.sort_by(|a, b| a.key.cmp(&b.key));
    (out, problems)
}

/// Gives every problem without an origin the directory of its plugin among
/// `sources` (as the user gave it, or `builtin:<key>`), so messages name it.
pub(crate) fn locate(problems: &mut [Problem], sources: &[PluginSource]) {
    for p in problems.iter_mut().filter(|p| p.origin.is_none()) {
        if let Some(src) = sources.iter().find(|s| s.key == p.plugin) {
            p.origin = Some(src.base());
        }
    }
}

fn find(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if is_plugin_dir(dir) {
        out.push(dir.to_path_buf());
        return;
    }
    if depth >= MAX_DEPTH {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut subs: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subs.sort();
    for s in subs {
        find(&s, depth + 1, out);
    }
}
