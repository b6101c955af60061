//! The InfluxDB spool: requests that overflow the memory buffer during an outage go
//! to files in a directory (bounded), are sent first when the server is back, and
//! survive a restart.
//!
//! One file per request: `<seq>-<points>.lp` (or `.lp.gz` when gzipped), written to a
//! `.tmp` name and renamed, so a crash never leaves a half-written request behind.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

struct Entry {
    path: PathBuf,
    points: u64,
    bytes: u64,
    gzipped: bool,
}

/// A spooled request: body, gzipped, points.
pub(crate) type Request = (Vec<u8>, bool, u64);

/// Spooled requests, oldest first.
pub(crate) struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    files: VecDeque<Entry>,
    bytes: u64,
    next_seq: u64,
}

fn parse_name(name: &str) -> Option<(u64, u64, bool)> {
    let (stem, gzipped) = match name.strip_suffix(".lp.gz") {
        Some(s) => (s, true),
        None => (name.strip_suffix(".lp")?, false),
    };
    let (seq, points) = stem.split_once('-')?;
    Some((seq.parse().ok()?, points.parse().ok()?, gzipped))
}

impl Spool {
    /// Opens (creating) the directory and picks up requests left by an earlier run.
    pub(crate) fn open(dir: &Path, max_bytes: u64) -> Result<Spool> {
        std::fs::create_dir_all(dir).map_err(Error::io(format!(
            "creating the InfluxDB spool {}",
            dir.display()
        )))?;
        let mut found = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(Error::io(format!(
            "reading the InfluxDB spool {}",
            dir.display()
        )))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if name.ends_with(".tmp") {
                let _ = std::fs::remove_file(&path);
                continue;
            }
            if let Some((seq, points, gzipped)) = parse_name(&name) {
                let bytes = e.metadata().map_or(0, |m| m.len());
                found.push((
                    seq,
                    Entry {
                        path,
                        points,
                        bytes,
                        gzipped,
                    },
                ));
            }
        }
        found.sort_by_key(|(seq, _)| *seq);
        let next_seq = found.last().map_or(0, |(s, _)| s + 1);
        let files: VecDeque<Entry> = found.into_iter().map(|(_, e)| e).collect();
        let bytes = files.iter().map(|e| e.bytes).sum();
        if !files.is_empty() {
            tracing::info!(
                requests = files.len(),
                bytes,
                "InfluxDB spool: requests from an earlier run will be sent"
            );
        }
        Ok(Spool {
            dir: dir.into(),
            max_bytes,
            files,
            bytes,
            next_seq,
        })
    }

    /// Spools one request; returns the points of the oldest requests dropped to stay
    /// under the size cap.
    pub(crate) fn push(&mut self, body: &[u8], gzipped: bool, points: u64) -> Result<u64> {
        let name = format!(
            "{:020}-{points}.{}",
            self.next_seq,
            if gzipped { "lp.gz" } else { "lp" }
        );
        self.next_seq += 1;
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!("{name}.tmp"));
        std::fs::write(&tmp, body)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(Error::io(format!("writing {}", path.display())))?;
        self.files.push_back(Entry {
            path,
            points,
            bytes: body.len() as u64,
            gzipped,
        });
        self.bytes += body.len() as u64;
        let mut dropped = 0;
        while self.bytes > self.max_bytes && self.files.len() > 1 {
            dropped += self.pop_front();
        }
        Ok(dropped)
    }

    /// The oldest request: body, gzipped, points. A file that cannot be read is
    /// removed and its points returned as `Err(points)`.
    pub(crate) fn front(&mut self) -> Option<std::result::Result<Request, u64>> {
        let e = self.files.front()?;
        match std::fs::read(&e.path) {
            Ok(body) => Some(Ok((body, e.gzipped, e.points))),
            Err(err) => {
                tracing::error!(file = %e.path.display(), error = %err, "InfluxDB spool file unreadable; dropped");
                Some(Err(self.pop_front()))
            }
        }
    }

    /// Removes the oldest request; returns its points.
    pub(crate) fn pop_front(&mut self) -> u64 {
        let Some(e) = self.files.pop_front() else {
            return 0;
        };
        let _ = std::fs::remove_file(&e.path);
        self.bytes -= e.bytes.min(self.bytes);
        e.points
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub(crate) fn points(&self) -> u64 {
        self.files.iter().map(|e| e.points).sum()
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_restart_keeps_order() {
        assert_eq!(
            parse_name("00000000000000000007-12.lp.gz"),
            Some((7, 12, true))
        );
        assert_eq!(
            parse_name("00000000000000000007-12.lp"),
            Some((7, 12, false))
        );
        assert_eq!(parse_name("junk"), None);
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::open(dir.path(), 25).unwrap();
        assert_eq!(s.push(b"a 1\n0123456789", false, 1).unwrap(), 0);
        assert_eq!(s.push(b"b 1\n0123456789", false, 2).unwrap(), 1); // over 25 bytes
        std::fs::write(dir.path().join("x.tmp"), b"half").unwrap();
        drop(s);
        let mut s = Spool::open(dir.path(), 25).unwrap();
        assert_eq!(s.points(), 2);
        assert_eq!(s.front().unwrap().unwrap().0, b"b 1\n0123456789");
        assert_eq!(s.pop_front(), 2);
        assert!(s.is_empty());
        assert!(!dir.path().join("x.tmp").exists());
        assert_eq!(s.push(b"c", false, 3).unwrap(), 0);
        assert!(
            s.files[0]
                .path
                .to_string_lossy()
                .contains("00000000000000000002-3.lp")
        );
    }
}
