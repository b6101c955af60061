//! The engine's lists and lookups from the configuration: block lists (`[lists]`,
//! `--blocklist`, `blocklist.txt` of the data directory), GeoIP (`[geoip]`,
//! `--geoip-db`) and the category catalogue (`[categories]`). Problems are logged
//! naming the file (and line); the run goes on without what failed.

use std::path::Path;
use std::sync::Arc;

use weir_flow::lists::{LoadReport, Reload};
use weir_flow::{BlockList, Geo, ListKind, Lookups};

use crate::config::Config;

/// The name of the data directory's default block list.
pub const DATA_DIR_BLOCKLIST: &str = "blocklist.txt";

fn log_report(what: &str, path: &Path, r: &LoadReport) {
    for b in &r.first_bad {
        tracing::warn!(
            "{}:{}: {what}: {} ({:?}); line skipped",
            path.display(),
            b.line,
            b.reason,
            b.text
        );
    }
    if r.bad as usize > r.first_bad.len() {
        tracing::warn!(
            "{}: {what}: {} bad lines in all (the first {} shown)",
            path.display(),
            r.bad,
            r.first_bad.len()
        );
    }
    tracing::info!(
        "{}: {what}: {} addresses/networks, {} domains{}",
        path.display(),
        r.ips,
        r.domains,
        if r.skipped > 0 {
            format!(", {} AdBlock rules skipped", r.skipped)
        } else {
            String::new()
        }
    );
}

/// Builds the lookups of `cfg`, loading every file once.
pub fn build(cfg: &Config) -> Lookups {
    let mut l = Lookups {
        reload_check_secs: cfg.lists.reload_check_secs,
        ..Lookups::default()
    };
    let mut files: Vec<(String, std::path::PathBuf, ListKind)> = cfg
        .lists
        .blocklists
        .iter()
        .map(|f| {
            let name = if f.name.is_empty() {
                f.path.file_name().map_or_else(
                    || f.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            } else {
                f.name.clone()
            };
            (
                name,
                f.path.clone(),
                ListKind::from_name(&f.kind).unwrap_or_default(),
            )
        })
        .collect();
    let default = cfg.data_dir.join(DATA_DIR_BLOCKLIST);
    if cfg.lists.data_dir_blocklist && default.is_file() && !files.iter().any(|f| f.1 == default) {
        files.push((DATA_DIR_BLOCKLIST.to_string(), default, ListKind::Auto));
    }
    for (name, path, kind) in files {
        let mut list = BlockList::new(&name, Some(path.clone()), kind);
        match list.load_file() {
            Ok(r) => log_report(&format!("block list {name}"), &path, r),
            Err(e) => tracing::error!(
                "block list {name}: {e}; it matches nothing until the file can be read"
            ),
        }
        if !l.blocklists.push(list) {
            tracing::error!(
                "block list {name}: more than {} lists; ignored",
                weir_flow::lists::MAX_LISTS
            );
        }
    }
    for path in &cfg.categories.files {
        match l.catalog.load_file(path) {
            Ok(r) => log_report("categories", path, &r),
            Err(e) => tracing::error!("categories: {e}; file ignored"),
        }
    }
    l.geo = geo(&cfg.geoip.files());
    l
}

/// The GeoIP databases of `files`, opened once per process and shared by the
/// interfaces' engines (a City database is tens of MiB).
fn geo(files: &[std::path::PathBuf]) -> Option<Arc<Geo>> {
    type Cache = Option<(Vec<std::path::PathBuf>, Option<Arc<Geo>>)>;
    static OPENED: std::sync::Mutex<Cache> = std::sync::Mutex::new(None);
    if files.is_empty() {
        return None;
    }
    let mut cache = OPENED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((paths, g)) = cache.as_ref()
        && paths.as_slice() == files
    {
        return g.clone();
    }
    let (geo, errors) = Geo::open(files);
    for e in errors {
        tracing::error!("GeoIP: {e}; the run continues without this database");
    }
    for (path, kind) in geo.databases() {
        tracing::info!("GeoIP: {} ({kind})", path.display());
    }
    let g = (!geo.is_empty()).then(|| Arc::new(geo));
    *cache = Some((files.to_vec(), g.clone()));
    g
}

/// Logs what a block-list refresh did.
pub fn log_reloads(reloads: &[Reload]) {
    for r in reloads {
        match r {
            Reload::Loaded { name, path, report } => {
                log_report(&format!("block list {name} reloaded"), path, report);
            }
            Reload::Failed { name, error } => {
                tracing::warn!("block list {name}: {error}; previous entries kept");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ListFile;

    #[test]
    fn build_loads_what_it_can_and_goes_on_without_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("drop.txt"), "192.0.2.0/24 ; SBL1\n%%\n").unwrap();
        std::fs::write(p("blocklist.txt"), "bad.example\n").unwrap();
        std::fs::write(p("cats.txt"), "pool.example Mining\n").unwrap();
        let mut cfg = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        cfg.lists.blocklists = vec![
            ListFile {
                name: String::new(),
                path: p("drop.txt"),
                kind: "ip".into(),
            },
            ListFile {
                name: "gone".into(),
                path: p("missing.txt"),
                kind: "auto".into(),
            },
        ];
        cfg.categories.files = vec![p("cats.txt"), p("missing-cats.txt")];
        cfg.geoip.databases = vec![p("missing.mmdb")];
        let l = build(&cfg);
        let names: Vec<&str> = l.blocklists.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["drop.txt", "gone", DATA_DIR_BLOCKLIST]);
        assert_eq!(l.blocklists.lookup_ip("192.0.2.9".parse().unwrap()), 1);
        assert_eq!(l.blocklists.lookup_name("x.bad.example"), 3);
        assert_eq!(
            l.catalog.by_name("a.pool.example"),
            Some(weir_flow::Category::MINING)
        );
        assert!(l.geo.is_none());
        assert_eq!(l.reload_check_secs, 10);
    }
}
