//! `scripts-stats.json` in the data directory: what each user script cost on each
//! interface of the running (or last) `weir run` — calls, time, slowest call,
//! memory, per hook — as `weir scripts stats` reads it.
//!
//! Every engine thread updates its interface's entry every [`WRITE_EVERY`] of wall
//! time and once at the end; the whole file is written to a temporary file and
//! renamed over the old one, so a reader never sees half a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::snapshot::{ScriptCounters, VmMemory};

/// File name in the data directory.
pub const FILE_NAME: &str = "scripts-stats.json";

/// How often a running interface rewrites its entry.
pub const WRITE_EVERY: Duration = Duration::from_secs(5);

/// The file: one entry per interface.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StatsFile {
    /// Format version (1).
    pub version: u32,
    /// Process that wrote it.
    pub pid: u32,
    /// When it was written, Unix seconds.
    pub written_at: u64,
    /// One entry per interface, by name.
    pub interfaces: Vec<InterfaceStats>,
}

/// The scripts of one interface (one Lua VM).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InterfaceStats {
    /// Interface id.
    pub ifid: i32,
    /// Interface name.
    pub interface: String,
    /// When this entry was written, Unix seconds.
    pub written_at: u64,
    /// The interface's run ended (the figures are final).
    pub finished: bool,
    /// The VM's memory and what its guard did.
    pub memory: VmMemory,
    /// Per script.
    pub scripts: Vec<ScriptCounters>,
}

/// The entries of this process's interfaces, by file, interface name and part (the
/// Lua VM of a single engine, or of each worker shard and the coordinator of a
/// sharded interface): every writer rewrites its file with all the entries of that
/// file, the parts of one interface merged into one entry.
type Entries = BTreeMap<(PathBuf, String, usize), InterfaceStats>;

/// The entries of `path`, one per interface: its parts' scripts counters added up
/// (by plugin and script, in the first part's order), their memory added up,
/// finished when every part is.
fn merged(m: &Entries, path: &Path) -> Vec<InterfaceStats> {
    let mut out: Vec<InterfaceStats> = Vec::new();
    for ((p, name, _), e) in m {
        if p != path {
            continue;
        }
        let Some(i) = out.iter_mut().find(|i| &i.interface == name) else {
            out.push(e.clone());
            continue;
        };
        i.written_at = i.written_at.max(e.written_at);
        i.finished &= e.finished;
        i.memory.absorb(&e.memory);
        for s in &e.scripts {
            match i
                .scripts
                .iter_mut()
                .find(|x| x.plugin == s.plugin && x.script == s.script)
            {
                Some(x) => x.absorb(s),
                None => i.scripts.push(s.clone()),
            }
        }
    }
    out
}

fn entries() -> &'static Mutex<Entries> {
    static M: std::sync::OnceLock<Mutex<Entries>> = std::sync::OnceLock::new();
    M.get_or_init(Default::default)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The writer of one interface's entry.
#[derive(Debug)]
pub struct StatsWriter {
    path: PathBuf,
    ifid: i32,
    ifname: String,
    part: usize,
    last: Option<Instant>,
    failed: bool,
}

impl StatsWriter {
    /// A writer of interface `ifname`'s entry in `data_dir`/[`FILE_NAME`].
    pub fn new(data_dir: &Path, ifid: i32, ifname: &str) -> StatsWriter {
        StatsWriter {
            path: data_dir.join(FILE_NAME),
            ifid,
            ifname: ifname.to_owned(),
            part: 0,
            last: None,
            failed: false,
        }
    }

    /// The writer of one part of a sharded interface (`crate::engine::Part::index`):
    /// the parts' entries are merged into the interface's one.
    pub fn part(mut self, part: usize) -> StatsWriter {
        self.part = part;
        self
    }

    /// Whether the entry is due (first time, or [`WRITE_EVERY`] since the last).
    pub fn due(&self) -> bool {
        self.last.is_none_or(|t| t.elapsed() >= WRITE_EVERY)
    }

    /// Updates the interface's entry and rewrites the file. A failure is logged
    /// once (the run goes on).
    pub fn write(&mut self, memory: VmMemory, scripts: Vec<ScriptCounters>, finished: bool) {
        self.last = Some(Instant::now());
        let now = unix_now();
        let file = {
            let mut m = entries().lock();
            m.insert(
                (self.path.clone(), self.ifname.clone(), self.part),
                InterfaceStats {
                    ifid: self.ifid,
                    interface: self.ifname.clone(),
                    written_at: now,
                    finished,
                    memory,
                    scripts,
                },
            );
            let file = StatsFile {
                version: 1,
                pid: std::process::id(),
                written_at: now,
                interfaces: merged(&m, &self.path),
            };
            // Written under the lock: two interfaces never rename over each other's
            // newer file.
            write_atomic(&self.path, &file)
        };
        match file {
            Ok(()) => self.failed = false,
            Err(e) if !self.failed => {
                self.failed = true;
                tracing::warn!("script stats not written: {e:#}");
            }
            Err(_) => {}
        }
    }
}

fn write_atomic(path: &Path, file: &StatsFile) -> Result<()> {
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let body = serde_json::to_vec_pretty(file)?;
    std::fs::write(&tmp, body).with_context(|| format!("{}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}", path.display()))?;
    Ok(())
}

/// Reads `data_dir`/[`FILE_NAME`]; `Ok(None)` when there is none.
///
/// # Errors
/// The file cannot be read or is not a stats file (the error names it).
pub fn read(data_dir: &Path) -> Result<Option<StatsFile>> {
    let path = data_dir.join(FILE_NAME);
    let body = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("{}", path.display())),
    };
    serde_json::from_slice(&body)
        .map(Some)
        .with_context(|| format!("{}: not a script stats file", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_none());
        let mut w = StatsWriter::new(dir.path(), 3, "unit-test-if");
        assert!(w.due());
        let s = ScriptCounters {
            plugin: "p".into(),
            script: "flow/k".into(),
            calls: 4,
            time_ns: 4000,
            ..Default::default()
        };
        w.write(VmMemory::default(), vec![s.clone()], true);
        assert!(!w.due());
        let f = read(dir.path()).unwrap().unwrap();
        let e = f
            .interfaces
            .iter()
            .find(|e| e.interface == "unit-test-if")
            .unwrap();
        assert_eq!((e.ifid, e.finished), (3, true));
        assert_eq!(e.scripts, vec![s.clone()]);
        // A second part of the same interface (a worker shard) adds up with it.
        let mut w2 = StatsWriter::new(dir.path(), 3, "unit-test-if").part(2);
        w2.write(VmMemory::default(), vec![s.clone()], false);
        let f = read(dir.path()).unwrap().unwrap();
        let e: Vec<_> = f
            .interfaces
            .iter()
            .filter(|e| e.interface == "unit-test-if")
            .collect();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].scripts[0].calls, e[0].finished), (8, false));
        std::fs::write(dir.path().join(FILE_NAME), "{").unwrap();
        let err = format!("{:#}", read(dir.path()).unwrap_err());
        assert!(
            err.contains("scripts-stats.json: not a script stats file"),
            "{err}"
        );
    }
}
