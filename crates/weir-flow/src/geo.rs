//! GeoIP: country (ISO code) and autonomous system of an address, from MaxMind DB
//! files (GeoLite2/GeoIP2 Country, City and ASN databases), read with the `maxminddb`
//! crate.
//!
//! Looked up once per host when the host is created and kept on it ([`HostGeo`]:
//! six bytes); flows copy their hosts' facts. The AS organisation is a string and is
//! not kept: [`Geo::asn_org`] reads it from the database when asked.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use maxminddb::{PathElement, Reader};

use crate::ListError;

/// An ISO 3166-1 alpha-2 country code, or none (`[0, 0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Country(pub [u8; 2]);

impl Country {
    /// The code of `s` if it is two ASCII letters (upper-cased).
    pub fn from_code(s: &str) -> Option<Country> {
        match s.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The code (`"IT"`), `None` if unknown.
    pub fn as_str(&self) -> Option<&str> {
        if self.0 == [0, 0] {
            None
        } else {
            std::str::from_utf8(&self.0).ok()
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str().unwrap_or(""))
    }
}

/// What GeoIP says about a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostGeo {
    /// Country.
    pub country: Country,
    /// Autonomous system number (0 unknown).
    pub asn: u32,
}

/// One opened database.
struct Db {
    path: PathBuf,
    kind: String,
    reader: Reader<Vec<u8>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .finish()
    }
}

/// The GeoIP databases of a run: the country source (a Country or City database) and
/// the ASN source.
#[derive(Debug, Default)]
pub struct Geo {
    country: Option<Db>,
    asn: Option<Db>,
}

const COUNTRY: [PathElement<'static>; 2] =
    [PathElement::Key("country"), PathElement::Key("iso_code")];
const REGISTERED: [PathElement<'static>; 2] = [
    PathElement::Key("registered_country"),
    PathElement::Key("iso_code"),
];
const ASN: [PathElement<'static>; 1] = [PathElement::Key("autonomous_system_number")];
const ASN_ORG: [PathElement<'static>; 1] = [PathElement::Key("autonomous_system_organization")];

impl Geo {
    /// Opens `path` and adds it as the country or the ASN source, by the database type
    /// in its metadata (`…ASN…` → ASN; `…Country…`/`…City…`/other → country).
    /// Returns the database type.
    ///
    /// # Errors
    /// The file cannot be read or is not a MaxMind DB.
    pub fn add_file(&mut self, path: &Path) -> Result<String, ListError> {
        let err = |message: String| ListError {
            path: path.to_path_buf(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let reader =
            Reader::from_source(bytes).map_err(|e| err(format!("not a MaxMind DB: {e}")))?;
        let kind = reader.metadata().database_type.clone();
        let db = Db {
            path: path.to_path_buf(),
            kind: kind.clone(),
            reader,
        };
        if kind.to_ascii_lowercase().contains("asn") {
            self.asn = Some(db);
        } else {
            self.country = Some(db);
        }
        Ok(kind)
    }

    /// Opens every file of `paths`; the ones that fail are returned as errors, the
    /// others kept.
    pub fn open(paths: &[PathBuf]) -> (Geo, Vec<ListError>) {
        let mut g = Geo::default();
        let errors = paths.iter().filter_map(|p| g.add_file(p).err()).collect();
        (g, errors)
    }

    /// True if no database is open.
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.asn.is_none()
    }

    /// The databases open: (path, type).
    pub fn databases(&self) -> impl Iterator<Item = (&Path, &str)> {
        [&self.country, &self.asn]
            .into_iter()
            .flatten()
            .map(|d| (d.path.as_path(), d.kind.as_str()))
    }

    /// Country and ASN of `ip` (unknown parts zero). A damaged record reads as unknown.
    pub fn lookup(&self, ip: IpAddr) -> HostGeo {
        let mut g = HostGeo::default();
        if let Some(db) = &self.country
            && let Ok(r) = db.reader.lookup(ip)
        {
            let code = r
                .decode_path::<&str>(&COUNTRY)
                .ok()
                .flatten()
                .or_else(|| r.decode_path::<&str>(&REGISTERED).ok().flatten());
            if let Some(c) = code.and_then(Country::from_code) {
                g.country = c;
            }
        }
        if let Some(db) = &self.asn
            && let Ok(r) = db.reader.lookup(ip)
        {
            g.asn = r.decode_path::<u32>(&ASN).ok().flatten().unwrap_or(0);
        }
        g
    }

    /// The organisation of `ip`'s autonomous system.
    pub fn asn_org(&self, ip: IpAddr) -> Option<String> {
        let r = self.asn.as_ref()?.reader.lookup(ip).ok()?;
        r.decode_path::<String>(&ASN_ORG).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal MaxMind DB writer (IPv4 tree, 24-bit records), for tests: the format
    /// is a binary search tree over the address bits, 16 zero bytes, a data section of
    /// typed values, then `\xAB\xCD\xEFMaxMind.com` and a metadata map.
    mod mmdb {
        pub enum V<'a> {
            Str(&'a str),
            U16(u16),
            U32(u32),
            U64(u64),
            Map(Vec<(&'a str, V<'a>)>),
            Arr(Vec<V<'a>>),
        }

        fn ctrl(out: &mut Vec<u8>, t: u8, size: usize) {
            // Sizes 29..=284: 29 in the control byte, size - 29 in the next one.
            assert!(size < 285);
            let small = size.min(29) as u8;
            if t <= 7 {
                out.push((t << 5) | small);
            } else {
                out.push(small);
                out.push(t - 7);
            }
            if size >= 29 {
                out.push((size - 29) as u8);
            }
        }

        fn uint(out: &mut Vec<u8>, t: u8, v: u64) {
            let b = v.to_be_bytes();
            let skip = b.iter().take_while(|x| **x == 0).count();
            ctrl(out, t, 8 - skip);
            out.extend_from_slice(&b[skip..]);
        }

        pub fn enc(out: &mut Vec<u8>, v: &V<'_>) {
            match v {
                V::Str(s) => {
                    ctrl(out, 2, s.len());
                    out.extend_from_slice(s.as_bytes());
                }
                V::U16(x) => uint(out, 5, u64::from(*x)),
                V::U32(x) => uint(out, 6, u64::from(*x)),
                V::U64(x) => uint(out, 9, *x),
                V::Map(m) => {
                    ctrl(out, 7, m.len());
                    for (k, v) in m {
                        enc(out, &V::Str(k));
                        enc(out, v);
                    }
                }
                V::Arr(a) => {
                    ctrl(out, 11, a.len());
                    for v in a {
                        enc(out, v);
                    }
                }
            }
        }

        #[derive(Clone, Copy)]
        enum Rec {
            Empty,
            Node(u32),
            Data(u32),
        }

        /// A database of type `kind` mapping IPv4 networks to records.
        pub fn write(kind: &str, nets: &[(&str, V<'_>)]) -> Vec<u8> {
            let mut nodes: Vec<[Rec; 2]> = vec![[Rec::Empty; 2]];
            let mut data = Vec::new();
            for (net, v) in nets {
                let n: ipnet::Ipv4Net = net.parse().unwrap();
                let off = data.len() as u32;
                enc(&mut data, v);
                let bits = u32::from(n.network());
                let len = u32::from(n.prefix_len());
                let mut node = 0usize;
                for i in 0..len {
                    let bit = ((bits >> (31 - i)) & 1) as usize;
                    if i == len - 1 {
                        nodes[node][bit] = Rec::Data(off);
                    } else {
                        node = match nodes[node][bit] {
                            Rec::Node(x) => x as usize,
                            _ => {
                                nodes.push([Rec::Empty; 2]);
                                let x = nodes.len() - 1;
                                nodes[node][bit] = Rec::Node(x as u32);
                                x
                            }
                        };
                    }
                }
            }
            let count = nodes.len() as u32;
            let mut out = Vec::new();
            for n in &nodes {
                for r in n {
                    let v = match *r {
                        Rec::Empty => count,
                        Rec::Node(x) => x,
                        Rec::Data(off) => count + 16 + off,
                    };
                    out.extend_from_slice(&v.to_be_bytes()[1..]);
                }
            }
            out.extend_from_slice(&[0; 16]);
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
            enc(
                &mut out,
                &V::Map(vec![
                    ("binary_format_major_version", V::U16(2)),
                    ("binary_format_minor_version", V::U16(0)),
                    ("build_epoch", V::U64(1_767_225_600)),
                    ("database_type", V::Str(kind)),
                    ("description", V::Map(vec![("en", V::Str("weir test"))])),
                    ("ip_version", V::U16(4)),
                    ("languages", V::Arr(vec![V::Str("en")])),
                    ("node_count", V::U32(count)),
                    ("record_size", V::U16(24)),
                ]),
            );
            out
        }
    }

    #[test]
    fn country_and_asn_from_databases_written_here() {
        use mmdb::V;
        let dir = tempfile::tempdir().unwrap();
        let country = |code| V::Map(vec![("country", V::Map(vec![("iso_code", V::Str(code))]))]);
        let c = dir.path().join("country.mmdb");
        std::fs::write(
            &c,
            mmdb::write(
                "GeoLite2-Country",
                &[
                    ("10.0.0.0/8", country("IT")),
                    ("192.0.2.0/24", country("DE")),
                    // Only the registered country is known.
                    (
                        "198.51.100.0/24",
                        V::Map(vec![(
                            "registered_country",
                            V::Map(vec![("iso_code", V::Str("FR"))]),
                        )]),
                    ),
                ],
            ),
        )
        .unwrap();
        let a = dir.path().join("asn.mmdb");
        std::fs::write(
            &a,
            mmdb::write(
                "GeoLite2-ASN",
                &[(
                    "10.1.0.0/16",
                    V::Map(vec![
                        ("autonomous_system_number", V::U32(64500)),
                        ("autonomous_system_organization", V::Str("Example AS")),
                    ]),
                )],
            ),
        )
        .unwrap();
        let (g, errs) = Geo::open(&[c, a]);
        assert!(errs.is_empty(), "{errs:?}");
        let kinds: Vec<&str> = g.databases().map(|(_, k)| k).collect();
        assert_eq!(kinds, ["GeoLite2-Country", "GeoLite2-ASN"]);
        let at = |ip: &str| g.lookup(ip.parse().unwrap());
        assert_eq!(at("10.1.2.3").country.as_str(), Some("IT"));
        assert_eq!(at("10.1.2.3").asn, 64500);
        assert_eq!(
            at("10.2.2.3"),
            HostGeo {
                country: Country(*b"IT"),
                asn: 0
            }
        );
        assert_eq!(at("192.0.2.77").country.as_str(), Some("DE"));
        assert_eq!(at("198.51.100.1").country.as_str(), Some("FR"));
        assert_eq!(at("203.0.113.1"), HostGeo::default());
        assert_eq!(at("2001:db8::1"), HostGeo::default());
        assert_eq!(
            g.asn_org("10.1.0.1".parse().unwrap()).as_deref(),
            Some("Example AS")
        );
        assert_eq!(g.asn_org("10.2.0.1".parse().unwrap()), None);
    }

    #[test]
    fn country_codes() {
        assert_eq!(Country::from_code("it").unwrap().as_str(), Some("IT"));
        assert_eq!(Country::from_code("ITA"), None);
        assert_eq!(Country::from_code("1A"), None);
        assert_eq!(Country::default().as_str(), None);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("junk.mmdb");
        std::fs::write(&p, b"not a database").unwrap();
        let (g, errs) = Geo::open(&[p.clone(), dir.path().join("missing.mmdb")]);
        assert!(g.is_empty());
        assert_eq!(errs.len(), 2);
        assert!(errs[0].to_string().starts_with(&p.display().to_string()));
    }
}
