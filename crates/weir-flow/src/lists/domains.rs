//! Domain sets: exact and suffix match on label boundaries.
//!
//! A [`DomainMap`] is one hash map from a lower-case domain to a value. A name is
//! looked up by hashing it, then each of its parent domains (`a.b.example.com`,
//! `b.example.com`, `example.com`, `com`): at most one probe per label, no scan of the
//! entries, no allocation (the name is lower-cased into a stack buffer). The first hit
//! is the longest listed suffix.

use hashbrown::HashMap;

/// Longest domain name (RFC 1035 §2.3.4: 255 octets on the wire, 253 as text).
pub const MAX_NAME: usize = 253;

/// Domains mapped to values; a name matches a listed domain it equals or is below.
#[derive(Debug, Clone)]
pub struct DomainMap<V> {
    map: HashMap<Box<str>, V, foldhash::fast::FixedState>,
}

impl<V> Default for DomainMap<V> {
    fn default() -> Self {
        DomainMap {
            map: HashMap::default(),
        }
    }
}

/// The text of a name as looked up: trimmed, without a trailing dot or a `:port`,
/// lower-cased into `buf`. `None` if empty, too long or not plain ASCII.
pub fn normalize<'b>(name: &str, buf: &'b mut [u8; MAX_NAME]) -> Option<&'b str> {
    let mut n = name.trim();
    if let Some((host, port)) = n.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && !host.contains(':')
    {
        n = host;
    }
    let n = n.strip_suffix('.').unwrap_or(n);
    if n.is_empty() || n.len() > MAX_NAME || !n.is_ascii() {
        return None;
    }
    let out = buf.get_mut(..n.len())?;
    for (o, b) in out.iter_mut().zip(n.bytes()) {
        *o = b.to_ascii_lowercase();
    }
    std::str::from_utf8(out).ok()
}

/// Whether `s` is a plausible domain name to list: labels of letters, digits, `-` and
/// `_` (1–63 characters each), separated by single dots.
pub fn is_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

impl<V> DomainMap<V> {
    /// Lists `domain` (normalized as for lookups) with `v`; false if it is not a
    /// domain name.
    pub fn insert(&mut self, domain: &str, v: V) -> bool {
        let mut buf = [0u8; MAX_NAME];
        let Some(d) = normalize(domain, &mut buf) else {
            return false;
        };
        let d = d.strip_prefix("*.").unwrap_or(d);
        if !is_domain(d) {
            return false;
        }
        self.map.insert(d.into(), v);
        true
    }

    /// The value of the longest listed domain `name` equals or is below, with that
    /// domain.
    pub fn lookup(&self, name: &str) -> Option<(&str, &V)> {
        if self.map.is_empty() {
            return None;
        }
        let mut buf = [0u8; MAX_NAME];
        let mut n = normalize(name, &mut buf)?;
        loop {
            if let Some((k, v)) = self.map.get_key_value(n) {
                return Some((k, v));
            }
            n = n.split_once('.')?.1;
        }
    }

    /// Domains listed.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_match_on_label_boundaries() {
        let mut m = DomainMap::default();
        assert!(m.insert("Example.COM", 1));
        assert!(m.insert("deep.example.com.", 2));
        assert!(m.insert("*.wild.org", 3));
        assert!(!m.insert("not a domain", 0));
        assert!(!m.insert("a..b", 0));
        assert_eq!(m.lookup("example.com"), Some(("example.com", &1)));
        assert_eq!(m.lookup("WWW.example.com."), Some(("example.com", &1)));
        assert_eq!(
            m.lookup("x.deep.example.com:443"),
            Some(("deep.example.com", &2))
        );
        assert_eq!(m.lookup("a.wild.org"), Some(("wild.org", &3)));
        assert_eq!(m.lookup("notexample.com"), None);
        assert_eq!(m.lookup("com"), None);
        assert_eq!(m.lookup(""), None);
        assert_eq!(m.lookup(&"a.".repeat(200)), None);
        assert_eq!(m.lookup("ünïcode.example.com"), None);
    }
}
