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

/// The files of one plugin, as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSource {
    /// Plugin key: the directory name.
    pub key: String,
    /// The directory.
    pub dir: PathBuf,
    /// `*.lua` files by path relative to `dir`, `/`-separated.
    pub files: BTreeMap<String, String>,
}

impl PluginSource {
    /// Files directly inside `subdir` (e.g. `user_scripts/flow`), sorted.
    pub fn files_in<'a>(&'a self, subdir: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.files.iter().filter_map(move |(k, v)| {
            let rest = k.strip_prefix(subdir)?.strip_prefix('/')?;
            (!rest.contains('/')).then_some((k.as_str(), v.as_str()))
        })
    }

    /// Reads one plugin directory.
    pub fn read(dir: &Path) -> (Option<PluginSource>, Vec<Problem>) {
        let key = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plugin".to_owned());
        let mut problems = Vec::new();
        let mut files = BTreeMap::new();
        read_tree(dir, dir, 0, &key, &mut files, &mut problems);
        (
            Some(PluginSource {
                key,
                dir: dir.to_path_buf(),
                files,
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
/// returned sorted by key; a key found twice keeps the first and reports the second.
pub fn discover(roots: &[PathBuf]) -> (Vec<PluginSource>, Vec<Problem>) {
    let mut dirs = Vec::new();
    for r in roots {
        find(r, 0, &mut dirs);
    }
    let mut out: Vec<PluginSource> = Vec::new();
    let mut problems = Vec::new();
    for d in dirs {
        let (src, mut p) = PluginSource::read(&d);
        problems.append(&mut p);
        if let Some(src) = src {
            if let Some(prev) = out.iter().find(|o| o.key == src.key) {
                problems.push(Problem::error(
                    &src.key,
                    "",
                    format!(
                        "duplicate plugin key: {} and {}; the second is skipped",
                        prev.dir.display(),
                        src.dir.display()
                    ),
                ));
                continue;
            }
            out.push(src);
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    (out, problems)
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
