//! The category catalogue: host names and address ranges mapped to nDPI categories,
//! applied when a flow's detection ends (overriding the protocol's default category).
//!
//! Sources, in order of precedence for the same key (later wins): the built-in facts
//! ([`MINING_DOMAINS`]), user category files (`<host-or-ip-or-cidr> <category>` per
//! line, as nDPI's `-c` file; the category as an nDPI name or number), and what
//! scripts register with `ntop.loadCustomCategoryHost/Ip`. Names are looked up in one
//! hashed domain map (one probe per label), addresses in a longest-prefix map.

use std::net::IpAddr;
use std::path::Path;

use crate::lists::{DomainMap, LoadReport, PrefixMap, parse_net, read_list_file};
use crate::{Category, ListError};

/// Cryptocurrency mining pools and browser-mining services (category `Mining`):
/// pools of Monero, Ethereum (Classic), Bitcoin and multi-coin pools, and the
/// script services of in-browser miners (most now defunct, still seen in old pages
/// and malware).
pub const MINING_DOMAINS: &[&str] = &[
    // Pools
    "supportxmr.com",
    "moneroocean.stream",
    "minexmr.com",
    "hashvault.pro",
    "c3pool.com",
    "xmrpool.eu",
    "herominers.com",
    "2miners.com",
    "nanopool.org",
    "f2pool.com",
    "ethermine.org",
    "nicehash.com",
    "miningpoolhub.com",
    "slushpool.com",
    "braiins.com",
    "antpool.com",
    "viabtc.com",
    "poolin.com",
    "unmineable.com",
    "zpool.ca",
    "prohashing.com",
    "mining-dutch.nl",
    "flexpool.io",
    "hiveon.net",
    "sparkpool.com",
    "ethpool.org",
    "dwarfpool.com",
    "minergate.com",
    "monerohash.com",
    // Browser mining services
    "coinhive.com",
    "coin-hive.com",
    "authedmine.com",
    "crypto-loot.com",
    "cryptoloot.pro",
    "coinimp.com",
    "webminepool.com",
    "minero.cc",
    "jsecoin.com",
    "webmine.cz",
    "ppoi.org",
    "projectpoi.com",
    "coin-have.com",
];

/// Stratum methods a miner opens its session with (JSON-RPC over TCP): Bitcoin-style
/// `mining.subscribe`/`mining.authorize`, XMRig-style `login`, Ethereum's
/// `eth_submitLogin`.
const STRATUM_METHODS: [&[u8]; 4] = [
    b"\"mining.subscribe\"",
    b"\"mining.authorize\"",
    b"\"login\"",
    b"\"eth_submitLogin\"",
];

/// Bytes of a first payload looked at by [`is_stratum`].
const STRATUM_PROBE_BYTES: usize = 512;

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether a client's first TCP payload opens a Stratum mining session: a JSON object
/// whose `"method"` is one of [`STRATUM_METHODS`] (nDPI protocol `Mining`).
pub fn is_stratum(p: &[u8]) -> bool {
    let p = p.get(..p.len().min(STRATUM_PROBE_BYTES)).unwrap_or(p);
    let start = p.iter().position(|b| !b.is_ascii_whitespace());
    if start.and_then(|i| p.get(i)) != Some(&b'{') {
        return false;
    }
    let Some(m) = find(p, b"\"method\"") else {
        return false;
    };
    let rest = p.get(m + 8..).unwrap_or(&[]);
    let rest = match rest.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) if rest.get(i) == Some(&b':') => rest.get(i + 1..).unwrap_or(&[]),
        _ => return false,
    };
    let rest = rest
        .get(
            rest.iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0)..,
        )
        .unwrap_or(&[]);
    STRATUM_METHODS.iter().any(|m| rest.starts_with(m))
}

/// Host names and networks mapped to categories.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    names: DomainMap<Category>,
    nets: PrefixMap<Category>,
}

/// Reads a category as an nDPI name (`Mining`) or number (`99`).
pub fn parse_category(s: &str) -> Option<Category> {
    if let Ok(n) = s.parse::<u8>() {
        return Some(Category(n));
    }
    Category::from_name(s)
}

impl Catalog {
    /// The built-in facts only.
    pub fn builtin() -> Catalog {
        let mut c = Catalog::default();
        for d in MINING_DOMAINS {
            c.names.insert(d, Category::MINING);
        }
        c
    }

    /// Maps a host name, an address or a CIDR network to `cat`; false if `key` is
    /// none of them.
    pub fn add(&mut self, key: &str, cat: Category) -> bool {
        match parse_net(key) {
            Some(n) => {
                self.nets.insert(n, cat);
                true
            }
            None => self.names.insert(key, cat),
        }
    }

    /// Maps an address or a CIDR network to `cat`; false if `key` is neither.
    pub fn add_net(&mut self, key: &str, cat: Category) -> bool {
        parse_net(key).is_some_and(|n| {
            self.nets.insert(n, cat);
            true
        })
    }

    /// Adds the entries of a category file: `<host-or-ip-or-cidr> <category>` per line
    /// (blank-separated, `#` comments). Bad lines are counted in the report.
    pub fn load_text(&mut self, text: &str) -> LoadReport {
        let mut r = LoadReport::default();
        for (i, raw) in text.lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut w = line.split_ascii_whitespace();
            let (Some(key), Some(cat)) = (w.next(), w.next()) else {
                bad(&mut r, n, "expected <host-or-ip-or-cidr> <category>", raw);
                continue;
            };
            let Some(cat) = parse_category(cat) else {
                bad(&mut r, n, "unknown nDPI category", raw);
                continue;
            };
            if let Some(net) = parse_net(key) {
                self.nets.insert(net, cat);
                r.ips += 1;
            } else if self.names.insert(key, cat) {
                r.domains += 1;
            } else {
                bad(&mut r, n, "not a host name, address or network", raw);
            }
        }
        r
    }

    /// [`Catalog::load_text`] of a file.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn load_file(&mut self, path: &Path) -> Result<LoadReport, ListError> {
        let (text, _) = read_list_file(path)?;
        Ok(self.load_text(&text))
    }

    /// The category of a host name (the longest listed suffix).
    pub fn by_name(&self, name: &str) -> Option<Category> {
        self.names.lookup(name).map(|(_, c)| *c)
    }

    /// The category of an address (the longest listed network).
    pub fn by_ip(&self, ip: IpAddr) -> Option<Category> {
        self.nets.get(ip).copied()
    }

    /// Entries: (names, networks).
    pub fn sizes(&self) -> (usize, usize) {
        (self.names.len(), self.nets.len())
    }
}

fn bad(r: &mut LoadReport, line: u32, reason: &'static str, text: &str) {
    r.bad = r.bad.saturating_add(1);
    if r.first_bad.len() < crate::lists::MAX_REPORTED {
        r.first_bad.push(crate::lists::BadLine {
            line,
            reason,
            text: text.chars().take(80).collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratum_sessions() {
        assert!(is_stratum(
            br#"{"id":1,"jsonrpc":"2.0","method":"login","params":{}}"#
        ));
        assert!(is_stratum(
            b" {\"id\": 1, \"method\" : \"mining.subscribe\", \"params\": []}\n"
        ));
        assert!(is_stratum(
            br#"{"id":2,"method":"mining.authorize","params":["w","x"]}"#
        ));
        assert!(!is_stratum(br#"{"id":1,"method":"getblock"}"#));
        assert!(!is_stratum(br#"GET / HTTP/1.1"#));
        assert!(!is_stratum(br#"{"method"#));
        assert!(!is_stratum(b""));
    }

    #[test]
    fn builtin_and_user_entries() {
        let mut c = Catalog::builtin();
        assert_eq!(c.by_name("pool.supportxmr.com"), Some(Category::MINING));
        assert_eq!(c.by_name("SupportXMR.com."), Some(Category::MINING));
        assert_eq!(c.by_name("notsupportxmr.com"), None);
        let r = c.load_text(
            "ads.example Advertisement\n10.1.0.0/16 100 # Malware\nx.example NoSuchCategory\nlonely\n",
        );
        assert_eq!((r.domains, r.ips, r.bad), (1, 1, 2));
        assert_eq!(r.first_bad[0].line, 3);
        assert_eq!(c.by_name("a.ads.example"), Some(Category::ADVERTISEMENT));
        assert_eq!(
            c.by_ip("10.1.2.3".parse().unwrap()),
            Some(Category::MALWARE)
        );
        assert!(c.add("pool.example", Category::MINING));
        assert!(c.add_net("192.0.2.0/24", Category::MINING));
        assert!(!c.add_net("pool.example", Category::MINING));
        assert_eq!(
            c.by_ip("192.0.2.1".parse().unwrap()),
            Some(Category::MINING)
        );
    }
}
