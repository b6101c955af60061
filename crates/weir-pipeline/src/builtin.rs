//! The built-in plugins, embedded in the binary: an installed `weir` needs no source
//! tree to run them. They are shown as `builtin:<plugin>`; `weir plugins export DIR`
//! writes them out for users who want to start from one.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use weir_script::{PluginSource, Problem, ScriptConfig};

use crate::config::Config;

/// The `plugins/` folder of the source tree, compiled in.
#[derive(rust_embed::RustEmbed)]
#[folder = "../../plugins"]
struct Files;

/// An embedded file: its path below `plugins/` and its bytes, borrowed from the binary.
pub type EmbeddedFile = (String, Cow<'static, [u8]>);

/// Every embedded file: its path below `plugins/` (`<plugin>/<file>`, `/`-separated)
/// and its bytes (borrowed from the binary), sorted by path.
pub fn files() -> Vec<EmbeddedFile> {
    let mut v: Vec<EmbeddedFile> = Files::iter()
        .filter_map(|p| Files::get(&p).map(|f| (p.into_owned(), f.data)))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The names of the built-in plugins, sorted.
pub fn names() -> Vec<String> {
    let names: BTreeSet<String> = Files::iter()
        .filter_map(|p| p.split_once('/').map(|(k, _)| k.to_owned()))
        .collect();
    names.into_iter().collect()
}

/// Writes the built-in plugins (all of them, or those named) below `dir`, one directory
/// each; refuses to overwrite a file that exists. Returns the number of files written.
///
/// # Errors
/// A named plugin that is not built in, a file that exists, or a write that fails.
pub fn export(dir: &Path, only: &[String]) -> Result<usize> {
    let known = names();
    if let Some(bad) = only.iter().find(|n| !known.contains(n)) {
        anyhow::bail!(
            "no built-in plugin {bad:?} (built in: {})",
            known.join(", ")
        );
    }
    let mut written = 0;
    for (rel, bytes) in files() {
        let plugin = rel.split('/').next().unwrap_or_default();
        if !only.is_empty() && !only.iter().any(|n| n == plugin) {
            continue;
        }
        let path = dir.join(&rel);
        if path.exists() {
            anyhow::bail!(
                "{}: exists (export writes into an empty place)",
                path.display()
            );
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        written += 1;
    }
    Ok(written)
}

/// The environment variable that loads the built-in plugins from a directory instead of
/// the copy embedded in the binary (for working on them without rebuilding).
pub const PLUGINS_DIR_ENV: &str = "WEIR_PLUGINS_DIR";

/// The built-in plugins as loadable sources (`builtin:<plugin>`), with any problem in
/// their files (none in a release: a test loads them all). Read from the binary once
/// per process: a run loads the plugin set in several places (engines, endpoints,
/// timeseries schemas, web pages).
pub fn sources() -> (Vec<PluginSource>, Vec<Problem>) {
    static SOURCES: OnceLock<(Vec<PluginSource>, Vec<Problem>)> = OnceLock::new();
    SOURCES.get_or_init(read_sources).clone()
}

fn read_sources() -> (Vec<PluginSource>, Vec<Problem>) {
    let mut by_plugin: BTreeMap<String, Vec<EmbeddedFile>> = BTreeMap::new();
    for (rel, bytes) in files() {
        if let Some((key, inner)) = rel.split_once('/') {
            by_plugin
                .entry(key.to_owned())
                .or_default()
                .push((inner.to_owned(), bytes));
        }
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (key, files) in by_plugin {
        let (src, mut p) = PluginSource::embedded(&key, files);
        problems.append(&mut p);
        out.push(src);
    }
    (out, problems)
}

/// The plugins a run loads: the built-in ones (from memory, or from the directory
/// `WEIR_PLUGINS_DIR` names) and the user's plugin directories.
#[derive(Debug, Clone, Default)]
pub struct PluginSet {
    /// Plugins given as sources (the embedded built-ins).
    pub sources: Vec<PluginSource>,
    /// Plugin directories (each a plugin or a directory of plugins), searched after.
    pub roots: Vec<PathBuf>,
}

impl PluginSet {
    /// The built-in plugins (unless `builtin` is false) and `dirs`, each checked to be
    /// a readable directory.
    ///
    /// # Errors
    /// A plugin directory that does not exist, is not a directory, or cannot be read.
    pub fn new(builtin: bool, dirs: &[PathBuf]) -> Result<PluginSet> {
        let mut set = PluginSet::default();
        if builtin {
            match std::env::var_os(PLUGINS_DIR_ENV) {
                Some(d) => set.roots.push(PathBuf::from(d)),
                None => set.sources = sources().0,
            }
        }
        for d in dirs {
            if !d.is_dir() {
                bail!("plugin directory {}: not a directory", d.display());
            }
            std::fs::read_dir(d)
                .with_context(|| format!("plugin directory {}: cannot read", d.display()))?;
            set.roots.push(d.clone());
        }
        Ok(set)
    }

    /// The plugins a configuration names (`[plugins] builtin` and `dirs`).
    ///
    /// # Errors
    /// As [`PluginSet::new`].
    pub fn of(cfg: &Config) -> Result<PluginSet> {
        PluginSet::new(cfg.plugins.builtin, &cfg.plugins.dirs)
    }

    /// `script` loading these plugins.
    pub fn into_config(self, script: ScriptConfig) -> ScriptConfig {
        ScriptConfig {
            sources: self.sources,
            roots: self.roots,
            ..script
        }
    }

    /// Every plugin of the set, read (built-ins first; a key found twice keeps the
    /// first and reports the second).
    pub fn gather(&self) -> (Vec<PluginSource>, Vec<Problem>) {
        weir_script::gather(&self.sources, &self.roots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plugin_of_the_source_tree_is_embedded() {
        let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let mut on_disk: Vec<String> = std::fs::read_dir(&tree)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        assert_eq!(names(), on_disk);
    }

    #[test]
    fn every_builtin_plugin_loads_from_memory_without_a_problem() {
        let (sources, problems) = sources();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(sources.len(), names().len());
        let cfg = ScriptConfig {
            sources,
            output: weir_script::Output::Discard,
            ..ScriptConfig::default()
        };
        let (_rt, report) = weir_script::Runtime::load(cfg).unwrap();
        let errors: Vec<_> = report
            .problems
            .iter()
            .filter(|p| p.level == weir_script::Level::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(report.plugins.len(), names().len());
        assert!(
            report.plugins.iter().all(|p| p.dir.starts_with("builtin:")),
            "{:?}",
            report.plugins.iter().map(|p| &p.dir).collect::<Vec<_>>()
        );
    }

    #[test]
    fn export_writes_the_files_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let n = export(dir.path(), &["example".to_owned()]).unwrap();
        assert!(n > 3, "{n} files");
        assert!(dir.path().join("example/manifest.lua").is_file());
        assert!(export(dir.path(), &["example".to_owned()]).is_err());
        assert!(export(dir.path(), &["no_such_plugin".to_owned()]).is_err());
    }
}
