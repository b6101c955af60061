//! The built-in plugins, embedded in the binary: an installed `weir` needs no source
//! tree to run them. They are shown as `builtin:<plugin>`; `weir plugins export DIR`
//! writes them out for users who want to start from one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::Config;

/// The `plugins/` folder of the source tree, compiled in.
#[derive(rust_embed::RustEmbed)]
#[folder = "../../plugins"]
struct Files;

/// Every embedded file: its path below `plugins/` (`<plugin>/<file>`, `/`-separated)
/// and its bytes, sorted by path.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = Files::iter()
        .filter_map(|p| Files::get(&p).map(|f| (p.into_owned(), f.data.into_owned())))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The names of the built-in plugins, sorted.
pub fn names() -> Vec<String> {
    let mut v: Vec<String> = files()
        .iter()
        .filter_map(|(p, _)| p.split_once('/').map(|(k, _)| k.to_owned()))
        .collect();
    v.dedup();
    v
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

/// The plugins shipped with weir: `WEIR_PLUGINS_DIR`, else `share/weir/plugins` beside
/// the binary's directory, else the source tree's `plugins/` (a `cargo run` checkout).
pub fn builtin_plugins_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("WEIR_PLUGINS_DIR") {
        return Some(PathBuf::from(d));
    }
    let installed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(|p| p.join("share/weir/plugins")))
        .filter(|d| d.is_dir());
    installed.or_else(|| {
        let src = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../plugins"));
        src.is_dir().then_some(src)
    })
}

/// The plugin roots a configuration names, checked to exist.
///
/// # Errors
/// A configured plugin directory that does not exist or is not a directory.
pub fn plugin_roots(cfg: &Config) -> Result<Vec<PathBuf>> {
    let mut roots = Vec::new();
    if cfg.plugins.builtin {
        roots.extend(builtin_plugins_dir());
    }
    for d in &cfg.plugins.dirs {
        if !d.is_dir() {
            bail!("plugin directory {}: not a directory", d.display());
        }
        std::fs::read_dir(d)
            .with_context(|| format!("plugin directory {}: cannot read", d.display()))?;
        roots.push(d.clone());
    }
    Ok(roots)
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
    fn export_writes_the_files_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let n = export(dir.path(), &["example".to_owned()]).unwrap();
        assert!(n > 3, "{n} files");
        assert!(dir.path().join("example/manifest.lua").is_file());
        assert!(export(dir.path(), &["example".to_owned()]).is_err());
        assert!(export(dir.path(), &["no_such_plugin".to_owned()]).is_err());
    }
}
