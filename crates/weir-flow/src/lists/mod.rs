//! Block lists kept in the engine: IP/CIDR and domain lists loaded from files,
//! reloaded when a file changes, with matches counted per list.
//!
//! The engine asks once per host (at creation: is its address listed?) and once per
//! flow (when detection ends: is its server name listed?); scripts read the answers
//! as bits ([`FlowMarks`], `Host::listed`). Addresses are looked up in merged range
//! sets ([`IpSet`], a binary search), names in hashed domain sets ([`DomainMap`], one
//! probe per label).

mod domains;
mod ipset;
mod parse;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use domains::{DomainMap, MAX_NAME, is_domain, normalize};
pub use ipset::{IpSet, PrefixMap};
pub use parse::{
    BadLine, Entry, ListKind, LoadReport, MAX_FILE_BYTES, MAX_REPORTED, parse_list, parse_net,
};

/// A list file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ListError {}

/// Reads a list or catalogue file (at most [`MAX_FILE_BYTES`]; invalid UTF-8 is
/// replaced). Returns the text with the file's (modification time, length).
///
/// # Errors
/// The file cannot be read or is too big.
pub fn read_list_file(path: &Path) -> Result<(String, Stamp), ListError> {
    let err = |message: String| ListError {
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    if !meta.is_file() {
        return Err(err("not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(format!(
            "{} bytes, more than the {MAX_FILE_BYTES} a list may have",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let stamp = Stamp {
        mtime: meta.modified().ok(),
        len: bytes.len() as u64,
    };
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok((text, stamp))
}

/// What identifies a version of a file: its modification time and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    mtime: Option<SystemTime>,
    len: u64,
}

impl Stamp {
    /// The stamp of `path` now (`None`: unreadable).
    pub fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            mtime: m.modified().ok(),
            len: m.len(),
        })
    }
}

/// One block list.
#[derive(Debug, Clone)]
pub struct BlockList {
    /// Its name (alerts, counters).
    pub name: String,
    /// The file it is read from (`None`: built in code).
    pub path: Option<PathBuf>,
    /// What it may hold.
    pub kind: ListKind,
    ips: IpSet,
    domains: DomainMap<()>,
    stamp: Option<Stamp>,
    /// Flows that matched (an endpoint or the server name), since start.
    pub matches: u64,
    /// Times the file was (re)loaded.
    pub loads: u32,
    /// What the last load found.
    pub report: LoadReport,
}

impl BlockList {
    /// An empty list named `name`.
    pub fn new(name: &str, path: Option<PathBuf>, kind: ListKind) -> BlockList {
        BlockList {
            name: name.to_string(),
            path,
            kind,
            ips: IpSet::default(),
            domains: DomainMap::default(),
            stamp: None,
            matches: 0,
            loads: 0,
            report: LoadReport::default(),
        }
    }

    /// Replaces the entries with those of `text`.
    pub fn load_text(&mut self, text: &str) -> &LoadReport {
        let mut nets = Vec::new();
        let mut domains = DomainMap::default();
        self.report = parse_list(text, self.kind, |e| match e {
            Entry::Net(n) => nets.push(n),
            Entry::Domain(d) => {
                domains.insert(d, ());
            }
        });
        self.ips = IpSet::new(nets);
        self.domains = domains;
        self.loads = self.loads.saturating_add(1);
        &self.report
    }

    /// (Re)reads the file. On error the previous entries stay.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn load_file(&mut self) -> Result<&LoadReport, ListError> {
        let Some(path) = self.path.clone() else {
            return Ok(&self.report);
        };
        let (text, stamp) = read_list_file(&path)?;
        self.stamp = Some(stamp);
        Ok(self.load_text(&text))
    }

    /// Whether `ip` is listed.
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        self.ips.contains(ip)
    }

    /// The listed domain `name` equals or is below.
    pub fn find_name(&self, name: &str) -> Option<&str> {
        self.domains.lookup(name).map(|(d, _)| d)
    }

    /// Entries: (address ranges after merging, domains).
    pub fn sizes(&self) -> (usize, usize) {
        (self.ips.ranges(), self.domains.len())
    }
}

/// What [`BlockLists::refresh`] did to one list.
#[derive(Debug, Clone)]
pub enum Reload {
    /// The file changed and was read again.
    Loaded {
        /// The list.
        name: String,
        /// The file.
        path: PathBuf,
        /// What it found.
        report: LoadReport,
    },
    /// The file changed but could not be read: the previous entries stay.
    Failed {
        /// The list.
        name: String,
        /// Why.
        error: ListError,
    },
}

/// The block lists of an engine.
#[derive(Debug, Clone, Default)]
pub struct BlockLists {
    lists: Vec<BlockList>,
}

/// Most block lists (a flow or host records the first matching one in a byte).
pub const MAX_LISTS: usize = 255;

impl BlockLists {
    /// Adds a list (its entries already loaded or to be loaded by
    /// [`BlockLists::refresh`]); false if [`MAX_LISTS`] are configured already.
    pub fn push(&mut self, list: BlockList) -> bool {
        if self.lists.len() >= MAX_LISTS {
            return false;
        }
        self.lists.push(list);
        true
    }

    /// The lists.
    pub fn iter(&self) -> impl Iterator<Item = &BlockList> {
        self.lists.iter()
    }

    /// True if there is no list.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Looks at each file's modification time and length, and reads a changed file
    /// again (an unreadable file keeps its previous entries; a missing file that was
    /// never read is retried each call without a report).
    pub fn refresh(&mut self) -> Vec<Reload> {
        let mut out = Vec::new();
        for l in &mut self.lists {
            let Some(path) = l.path.clone() else {
                continue;
            };
            let now = Stamp::of(&path);
            if now.is_none() || now == l.stamp {
                if now.is_none() && l.stamp.is_some() {
                    // Gone: keep the entries, report once.
                    l.stamp = None;
                    out.push(Reload::Failed {
                        name: l.name.clone(),
                        error: ListError {
                            path,
                            message: "file disappeared; previous entries kept".into(),
                        },
                    });
                }
                continue;
            }
            let name = l.name.clone();
            match l.load_file() {
                Ok(r) => out.push(Reload::Loaded {
                    name,
                    path,
                    report: r.clone(),
                }),
                Err(error) => {
                    l.stamp = now;
                    out.push(Reload::Failed {
                        name: l.name.clone(),
                        error,
                    });
                }
            }
        }
        out
    }

    /// The first list `ip` is on (index + 1; 0 none).
    pub fn lookup_ip(&self, ip: IpAddr) -> u8 {
        self.lists
            .iter()
            .position(|l| l.contains_ip(ip))
            .map_or(0, |i| u8::try_from(i + 1).unwrap_or(u8::MAX))
    }

    /// The first list `name` is on (index + 1; 0 none).
    pub fn lookup_name(&self, name: &str) -> u8 {
        if name.is_empty() {
            return 0;
        }
        self.lists
            .iter()
            .position(|l| l.find_name(name).is_some())
            .map_or(0, |i| u8::try_from(i + 1).unwrap_or(u8::MAX))
    }

    /// The list of a lookup answer (index + 1).
    pub fn get(&self, idx: u8) -> Option<&BlockList> {
        usize::from(idx)
            .checked_sub(1)
            .and_then(|i| self.lists.get(i))
    }

    fn count(&mut self, idx: u8) {
        if let Some(l) = usize::from(idx)
            .checked_sub(1)
            .and_then(|i| self.lists.get_mut(i))
        {
            l.matches = l.matches.saturating_add(1);
        }
    }
}

/// What the engine's lists and lookups say about a flow (read by `flow.isBlacklisted()`,
/// `flow.getBlacklistedInfo()`, `flow.getClientCountry()` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowMarks {
    /// `FlowMarks::CLI` / `SRV` / `NAME` bits.
    pub listed: u8,
    /// The first list that matched (index + 1 into the engine's lists; 0 none).
    pub list: u8,
    /// Country codes of the client and the server (GeoIP).
    pub country: [crate::geo::Country; 2],
    /// Autonomous system numbers of the client and the server (0 unknown).
    pub asn: [u32; 2],
    /// The server name was looked up (detection ended).
    pub name_checked: bool,
}

impl FlowMarks {
    /// The client's address is listed.
    pub const CLI: u8 = 1;
    /// The server's address is listed.
    pub const SRV: u8 = 2;
    /// The server name (SNI, HTTP Host, DNS query) is listed, or the category is
    /// `Malware` (ntopng's `blacklisted.cat`).
    pub const NAME: u8 = 4;

    /// Any of the bits.
    pub fn is_blacklisted(&self) -> bool {
        self.listed != 0
    }
}

/// The lists and lookups of an engine: block lists, the category catalogue, GeoIP.
#[derive(Debug, Clone)]
pub struct Lookups {
    /// Block lists.
    pub blocklists: BlockLists,
    /// Host-name and address categories.
    pub catalog: crate::catalog::Catalog,
    /// GeoIP databases, if configured.
    pub geo: Option<std::sync::Arc<crate::geo::Geo>>,
    /// Wall-clock seconds between two looks at the block-list files (0: never); the
    /// engine's owner calls [`BlockLists::refresh`] (the engine has no wall clock).
    pub reload_check_secs: u64,
}

impl Default for Lookups {
    /// No block list, the built-in catalogue, no GeoIP.
    fn default() -> Self {
        Lookups {
            blocklists: BlockLists::default(),
            catalog: crate::catalog::Catalog::builtin(),
            geo: None,
            reload_check_secs: 10,
        }
    }
}

impl Lookups {
    /// Classifies a new host: its block list and its GeoIP facts.
    pub(crate) fn mark_host(&self, h: &mut crate::Host) {
        h.listed = self.blocklists.lookup_ip(h.ip);
        if let Some(g) = &self.geo {
            h.geo = g.lookup(h.ip);
        }
    }

    /// Marks a new flow from its hosts (counted once per listed flow).
    pub(crate) fn mark_flow(&mut self, f: &mut crate::Flow, cli: &crate::Host, srv: &crate::Host) {
        let m = &mut f.marks;
        m.country = [cli.geo.country, srv.geo.country];
        m.asn = [cli.geo.asn, srv.geo.asn];
        if cli.listed != 0 {
            m.listed |= FlowMarks::CLI;
        }
        if srv.listed != 0 {
            m.listed |= FlowMarks::SRV;
        }
        let first = if cli.listed != 0 {
            cli.listed
        } else {
            srv.listed
        };
        if first != 0 {
            m.list = first;
            self.blocklists.count(first);
        }
    }

    /// At the end of detection: the server name against the block lists and the
    /// catalogue (which may set the category), the server address against the
    /// catalogue's networks. Runs once per flow.
    pub(crate) fn mark_detected(&mut self, f: &mut crate::Flow) {
        if f.marks.name_checked {
            return;
        }
        f.marks.name_checked = true;
        let name = f.meta.as_deref().and_then(|m| m.server_name.as_deref());
        let by_name = name.and_then(|n| self.catalog.by_name(n));
        let cat = by_name.or_else(|| self.catalog.by_ip(f.server().0));
        if let Some(c) = cat {
            f.l7.category = c;
        }
        let mut idx = 0;
        if let Some(n) = name {
            idx = self.blocklists.lookup_name(n);
        }
        if idx != 0 || f.l7.category == crate::Category::MALWARE {
            f.marks.listed |= FlowMarks::NAME;
        }
        if idx != 0 && f.marks.list == 0 {
            f.marks.list = idx;
            self.blocklists.count(idx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UDP DNS query for www.google.com from 10.0.0.1:40000 to 10.0.0.2:53.
    fn dns_frame() -> Vec<u8> {
        let mut dns = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3];
        dns.extend_from_slice(b"www\x06google\x03com\x00\x00\x01\x00\x01");
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[
            0x08,
            0x00,
            0x45,
            0,
            0,
            (28 + dns.len()) as u8,
            0,
            1,
            0,
            0,
            64,
            17,
            0,
            0,
        ]);
        f.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        f.extend_from_slice(&40000u16.to_be_bytes());
        f.extend_from_slice(&53u16.to_be_bytes());
        f.extend_from_slice(&((8 + dns.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&dns);
        f
    }

    #[derive(Default)]
    struct Seen(Vec<(FlowMarks, crate::Category)>);
    impl crate::Consumer for Seen {
        fn protocol_detected(&mut self, _now: weir_decode::Timestamp, f: &mut crate::Flow) {
            self.0.push((f.marks, f.l7.category));
        }
    }

    #[test]
    fn the_engine_marks_hosts_at_creation_and_flows_at_detection() {
        let mut l = Lookups::default();
        let mut list = BlockList::new("t", None, ListKind::Auto);
        list.load_text("10.0.0.2\ngoogle.com\n");
        l.blocklists.push(list);
        l.catalog
            .add("www.google.com", crate::Category::ADVERTISEMENT);
        let mut e = crate::Engine::new(crate::EngineConfig {
            lookups: l,
            ..crate::EngineConfig::default()
        });
        let frame = dns_frame();
        let pkt = weir_decode::decode(weir_decode::LinkType::Ethernet, &frame).unwrap();
        let mut seen = Seen::default();
        e.process(
            weir_decode::Timestamp(1_700_000_000_000_000),
            frame.len() as u32,
            &pkt,
            &mut seen,
        );
        e.finish(&mut seen);
        let [(marks, cat)] = seen.0[..] else {
            panic!("{:?}", seen.0)
        };
        assert_eq!(marks.listed, FlowMarks::SRV | FlowMarks::NAME);
        assert_eq!(marks.list, 1);
        assert_eq!(cat, crate::Category::ADVERTISEMENT);
        assert_eq!(
            e.lookups().blocklists.iter().next().unwrap().matches,
            1,
            "one flow, counted once"
        );
        let listed: Vec<u8> = e.hosts().iter().map(|(_, h)| h.listed).collect();
        assert_eq!(listed.iter().filter(|x| **x == 1).count(), 1, "{listed:?}");
    }

    #[test]
    fn lists_reload_on_change_and_keep_entries_when_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("drop.txt");
        std::fs::write(&p, "192.0.2.0/24 ; SBL1\nbad.example\n").unwrap();
        let mut ls = BlockLists::default();
        ls.push(BlockList::new("drop", Some(p.clone()), ListKind::Auto));
        let r = ls.refresh();
        assert!(
            matches!(&r[..], [Reload::Loaded { report, .. }] if report.ips == 1 && report.domains == 1)
        );
        assert_eq!(ls.lookup_ip("192.0.2.9".parse().unwrap()), 1);
        assert_eq!(ls.lookup_name("www.bad.example"), 1);
        assert!(ls.refresh().is_empty(), "unchanged file is not read again");
        std::fs::write(&p, "198.51.100.1\n# longer now\n").unwrap();
        assert_eq!(ls.refresh().len(), 1);
        assert_eq!(ls.lookup_ip("192.0.2.9".parse().unwrap()), 0);
        assert_eq!(ls.lookup_ip("198.51.100.1".parse().unwrap()), 1);
        std::fs::remove_file(&p).unwrap();
        assert!(matches!(&ls.refresh()[..], [Reload::Failed { .. }]));
        assert_eq!(
            ls.lookup_ip("198.51.100.1".parse().unwrap()),
            1,
            "previous entries kept"
        );
        assert!(ls.refresh().is_empty(), "reported once");
    }
}
