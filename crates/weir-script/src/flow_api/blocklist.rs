//! The blocklist behind `flow.isBlacklisted()` / `flow.getBlacklistedInfo()`
//! (spec ntopng42-api.md §4.3): the file the built-in `blacklisted` plugin reads by
//! default, `blocklist.txt` in the working (data) directory, one IPv4/IPv6 address
//! or CIDR network per line (the rest of a line after `#` or `;`, or after the first
//! blank, is a comment). ntopng's own plugins ask the engine whether a flow's peers
//! are listed; weir answers from this file, re-read when its modification time
//! changes (looked at every [`CHECK_EVERY_SECS`] of packet time).

use std::net::IpAddr;
use std::path::PathBuf;

use crate::addrlist::AddressList;
use crate::lists::MAX_LIST_BYTES;

/// File name of the blocklist in the working directory.
pub(crate) const BLOCKLIST_FILE: &str = "blocklist.txt";

/// Packet-time seconds between two looks at the file's modification time.
pub(crate) const CHECK_EVERY_SECS: u64 = 10;

/// The loaded blocklist of a VM.
#[derive(Debug)]
pub(crate) struct Blocklist {
    path: PathBuf,
    /// Modification time of the loaded file (`None`: no file).
    mtime: Option<std::time::SystemTime>,
    checked_at: Option<u64>,
    list: Option<AddressList>,
}

impl Blocklist {
    /// The blocklist of `working_dir` (not read until asked).
    pub(crate) fn new(working_dir: &std::path::Path) -> Blocklist {
        Blocklist {
            path: working_dir.join(BLOCKLIST_FILE),
            mtime: None,
            checked_at: None,
            list: None,
        }
    }

    /// Reloads the file if it changed and [`CHECK_EVERY_SECS`] passed since the last
    /// look (`now`: packet time).
    fn refresh(&mut self, now: u64) {
        if self
            .checked_at
            .is_some_and(|t| now >= t && now - t < CHECK_EVERY_SECS)
        {
            return;
        }
        self.checked_at = Some(now);
        let meta = std::fs::metadata(&self.path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_LIST_BYTES);
        let mtime = meta.as_ref().and_then(|m| m.modified().ok());
        if mtime == self.mtime && (mtime.is_some() == self.list.is_some()) {
            return;
        }
        self.mtime = mtime;
        self.list = None;
        if meta.is_none() {
            return;
        }
        let Ok(bytes) = std::fs::read(&self.path) else {
            return;
        };
        let text = String::from_utf8_lossy(&bytes);
        let entries = text.lines().filter_map(|l| {
            let l = l.split(['#', ';']).next().unwrap_or("");
            l.split_ascii_whitespace().next()
        });
        let (list, bad) = AddressList::build(entries.map(Some));
        if !bad.is_empty() {
            tracing::warn!(
                target: "weir_script",
                file = %self.path.display(),
                bad = bad.len(),
                "blocklist lines that are not addresses or networks were skipped"
            );
        }
        self.list = Some(list);
    }

    /// Whether the client and the server are listed.
    pub(crate) fn check(&mut self, now: u64, cli: IpAddr, srv: IpAddr) -> [bool; 2] {
        self.refresh(now);
        let Some(l) = &self.list else {
            return [false; 2];
        };
        [
            l.lookup(&cli.to_string()).is_some(),
            l.lookup(&srv.to_string()).is_some(),
        ]
    }
}
