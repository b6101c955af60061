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
