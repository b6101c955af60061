//! NDJSON file endpoint: one notification per line, rotated by size.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Endpoint;
use crate::alert::Notification;
use crate::error::{Error, Result};

/// Settings of an [`NdjsonFile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NdjsonConfig {
    /// The file written (`alerts.ndjson`); rotated files are `<path>.1` (newest) to
    /// `<path>.<keep>`.
    pub path: PathBuf,
    /// Rotate before a write would make the file larger than this (bytes).
    pub max_bytes: u64,
    /// Rotated files kept.
    pub keep: u32,
}

impl NdjsonConfig {
    /// Defaults: rotate at 100 MiB, keep 5 files.
    pub fn new(path: impl Into<PathBuf>) -> NdjsonConfig {
        NdjsonConfig {
            path: path.into(),
            max_bytes: 100 << 20,
            keep: 5,
        }
    }
}

/// Appends notifications as JSON lines to a file, easy to ship to a SIEM.
///
/// Each batch is written with one `write` call; a line is never split across files.
#[derive(Debug)]
pub struct NdjsonFile {
    config: NdjsonConfig,
    file: File,
    size: u64,
    buf: Vec<u8>,
}

impl NdjsonFile {
    /// Opens (appending to) the file, creating its directory.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn open(config: NdjsonConfig) -> Result<NdjsonFile> {
        if let Some(dir) = config.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(Error::io(format!("creating {}", dir.display())))?;
        }
        let file = open_append(&config.path)?;
        let size = file
            .metadata()
            .map_err(Error::io(format!("stat {}", config.path.display())))?
            .len();
        Ok(NdjsonFile {
            config,
            file,
            size,
            buf: Vec::with_capacity(64 << 10),
        })
    }

    fn write_buf(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(&self.buf)
            .map_err(Error::io(format!("writing {}", self.config.path.display())))?;
        self.size += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn rotate(&mut self) -> Result<()> {
        let p = &self.config.path;
        let name = |i: u32| {
            let mut s = p.as_os_str().to_owned();
            s.push(format!(".{i}"));
            PathBuf::from(s)
        };
        if self.config.keep == 0 {
            let _ = std::fs::remove_file(p);
        } else {
            let _ = std::fs::remove_file(name(self.config.keep));
            for i in (1..self.config.keep).rev() {
                let from = name(i);
                if from.exists() {
                    std::fs::rename(&from, name(i + 1))
                        .map_err(Error::io(format!("rotating {}", from.display())))?;
                }
            }
            std::fs::rename(p, name(1)).map_err(Error::io(format!("rotating {}", p.display())))?;
        }
        self.file = open_append(p)?;
        self.size = 0;
        Ok(())
    }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(Error::io(format!("opening {}", path.display())))
}

impl Endpoint for NdjsonFile {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        for n in batch {
            let start = self.buf.len();
            serde_json::to_writer(&mut self.buf, &**n).map_err(|source| Error::Json {
                context: "notification",
                source,
            })?;
            self.buf.push(b'\n');
            let pending = self.buf.len() as u64;
            if self.size + pending > self.config.max_bytes && self.size + start as u64 > 0 {
                // Write what fits, rotate, keep this line for the new file.
                let line = self.buf.split_off(start);
                self.write_buf()?;
                self.rotate()?;
                self.buf = line;
            }
        }
        self.write_buf()
    }
}
