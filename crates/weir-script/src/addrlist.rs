//! Address lists: `ntop.newAddressList(entries)` turns a Lua array of IPv4/IPv6
//! addresses and CIDR networks into a Rust-backed `address_list` userdata that
//! answers "is this address listed, and by which entry?" in a few binary searches,
//! however long the list. The `blacklisted` and `unexpected_*` plugins use it for
//! their block and allow lists.
//!
//! | call | returns |
//! | --- | --- |
//! | `ntop.newAddressList(entries)` | the list, and an array of the entries left out: `{index, text, reason}` |
//! | `list:match(ip)` | the text of the entry equal to `ip` or whose network holds it, the longest prefix winning; nil when none, or when `ip` is not an address |
//! | `list:contains(ip)` | whether `list:match(ip)` is not nil |
//! | `list:size()`, `#list` | how many distinct addresses and networks the list holds |
//!
//! Entries are strings: `192.0.2.7`, `198.51.100.0/24`, `2001:db8::1`, `2001:db8::/32`
//! (blanks around them are ignored; host bits after the prefix are ignored, so
//! `192.0.2.7/24` is the network `192.0.2.0/24`). Anything else (not a string, not an
//! address, a prefix longer than the family's) is left out and reported, never raised.
//! IPv4 entries match IPv4 addresses only and IPv6 entries IPv6 addresses only. Of two
//! entries naming the same network the first one is kept.
//!
//! Bounds: at most [`MAX_ENTRIES`] entries per list, and the Rust memory of every live
//! list of a VM counts against that VM's memory limit together with the Lua heap;
//! either limit raises an error from `ntop.newAddressList`.
//!
//! Structure: per family, one level per prefix length present (longest first), each a
//! sorted array of network numbers with the entry they came from; a lookup masks the
//! address once per level and binary-searches it.

use std::cell::Cell;
use std::net::IpAddr;
use std::rc::Rc;

use mlua::{Lua, MetaMethod, Table, UserData, UserDataMethods, Value};

/// Most entries one list may be built from (more raise an error).
pub const MAX_ENTRIES: usize = 1 << 20;

/// Bytes held by the live address lists of one VM.
#[derive(Debug, Default)]
struct Held(Cell<usize>);

/// An address as the number its bits make, per family.
trait Word: Copy + Ord {
    /// The address with everything after the first `plen` bits cleared.
    fn masked(self, plen: u8) -> Self;
}

impl Word for u32 {
    fn masked(self, plen: u8) -> u32 {
        self & u32::MAX
            .checked_shl(32 - u32::from(plen.min(32)))
            .unwrap_or(0)
    }
}

impl Word for u128 {
    fn masked(self, plen: u8) -> u128 {
        self & u128::MAX
            .checked_shl(128 - u32::from(plen.min(128)))
            .unwrap_or(0)
    }
}

/// The networks of one prefix length: sorted network numbers and, at the same
/// positions, the index of the entry each came from.
#[derive(Debug)]
struct Level<T> {
    plen: u8,
    nets: Vec<T>,
    entries: Vec<u32>,
}

/// The networks of one address family, longest prefix first.
#[derive(Debug)]
struct Prefixes<T> {
    levels: Vec<Level<T>>,
}

impl<T: Word> Prefixes<T> {
    /// From `(prefix length, network, entry index)` triples; of duplicates the lowest
    /// entry index is kept.
    fn build(mut items: Vec<(u8, T, u32)>) -> Prefixes<T> {
        items.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        items.dedup_by(|later, first| later.0 == first.0 && later.1 == first.1);
        let mut levels: Vec<Level<T>> = Vec::new();
        for (plen, net, entry) in items {
            match levels.last_mut() {
                Some(l) if l.plen == plen => {
                    l.nets.push(net);
                    l.entries.push(entry);
                }
                _ => levels.push(Level {
                    plen,
                    nets: vec![net],
                    entries: vec![entry],
                }),
            }
        }
        for l in &mut levels {
            l.nets.shrink_to_fit();
            l.entries.shrink_to_fit();
        }
        levels.shrink_to_fit();
        Prefixes { levels }
    }

    /// The entry index of the longest network holding `ip`.
    fn find(&self, ip: T) -> Option<u32> {
        self.levels.iter().find_map(|l| {
            let i = l.nets.binary_search(&ip.masked(l.plen)).ok()?;
            l.entries.get(i).copied()
        })
    }

    fn len(&self) -> usize {
        self.levels.iter().map(|l| l.nets.len()).sum()
    }

    fn heap_bytes(&self) -> usize {
        self.levels.capacity() * size_of::<Level<T>>()
            + self
                .levels
                .iter()
                .map(|l| l.nets.capacity() * size_of::<T>() + l.entries.capacity() * 4)
                .sum::<usize>()
    }
}

/// Why an entry of an address list is not an address or network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EntryError {
    /// Nothing but blanks.
    #[error("empty")]
    Empty,
    /// The part after `/` is not a prefix length.
    #[error("bad prefix length {0:?}")]
    BadPrefixLength(String),
    /// The part before `/` is not an address.
    #[error("not an IPv4 or IPv6 address or network")]
    NotAnAddress,
    /// A prefix longer than the address.
    #[error("prefix length {len} is more than {max}")]
    PrefixTooLong {
        /// The prefix length given.
        len: u16,
        /// The address length.
        max: u8,
    },
}

/// The address and prefix length of an entry, or why it is none.
pub(crate) fn parse_entry(text: &str) -> Result<(IpAddr, u8), EntryError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(EntryError::Empty);
    }
    let (addr, plen) = match text.split_once('/') {
        None => (text, None),
        Some((a, p)) => {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(EntryError::BadPrefixLength(p.to_owned()));
            }
            let n: u16 = p
                .parse()
                .map_err(|_| EntryError::BadPrefixLength(p.to_owned()))?;
            (a, Some(n))
        }
    };
    let ip: IpAddr = addr.parse().map_err(|_| EntryError::NotAnAddress)?;
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    match plen {
        None => Ok((ip, max)),
        Some(n) if n <= u16::from(max) => Ok((ip, u8::try_from(n).unwrap_or(max))),
        Some(len) => Err(EntryError::PrefixTooLong { len, max }),
    }
}

/// A built list (the `address_list` userdata).
#[derive(Debug)]
pub(crate) struct AddressList {
    v4: Prefixes<u32>,
    v6: Prefixes<u128>,
    /// The texts of the kept entries, one after the other.
    text: String,
    /// End of each entry's text in `text`.
    ends: Vec<u32>,
    /// Bytes this list holds outside the Lua heap, counted in `held`.
    bytes: usize,
    held: Option<Rc<Held>>,
}

/// An entry left out of a list: its position (1-based), its value and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub index: usize,
    pub text: Option<String>,
    pub reason: String,
}

impl AddressList {
    /// A list of the entries that parse; the others are returned with the reason.
    pub(crate) fn build<'a>(
        entries: impl IntoIterator<Item = Option<&'a str>>,
    ) -> (AddressList, Vec<Rejected>) {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let mut text = String::new();
        let mut ends = Vec::new();
        let mut bad = Vec::new();
        for (i, e) in entries.into_iter().enumerate() {
            let Some(e) = e else {
                bad.push(Rejected {
                    index: i + 1,
                    text: None,
                    reason: "not a string".into(),
                });
                continue;
            };
            let (ip, plen) = match parse_entry(e) {
                Ok(x) => x,
                Err(reason) => {
                    bad.push(Rejected {
                        index: i + 1,
                        text: Some(e.to_owned()),
                        reason: reason.to_string(),
                    });
                    continue;
                }
            };
            let Ok(idx) = u32::try_from(ends.len()) else {
                break;
            };
            text.push_str(e.trim_matches(|c: char| c.is_ascii_whitespace()));
            let Ok(end) = u32::try_from(text.len()) else {
                break;
            };
            ends.push(end);
            match ip {
                IpAddr::V4(a) => v4.push((plen, u32::from(a).masked(plen), idx)),
                IpAddr::V6(a) => v6.push((plen, u128::from(a).masked(plen), idx)),
            }
        }
        text.shrink_to_fit();
        ends.shrink_to_fit();
        let mut list = AddressList {
            v4: Prefixes::build(v4),
            v6: Prefixes::build(v6),
            text,
            ends,
            bytes: 0,
            held: None,
        };
        list.bytes = list.v4.heap_bytes()
            + list.v6.heap_bytes()
            + list.text.capacity()
            + list.ends.capacity() * 4;
        (list, bad)
    }

    fn entry(&self, i: u32) -> Option<&str> {
        let i = usize::try_from(i).ok()?;
        let end = usize::try_from(*self.ends.get(i)?).ok()?;
        let start = match i.checked_sub(1) {
            Some(p) => usize::try_from(*self.ends.get(p)?).ok()?,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// The entry `ip` matches (longest prefix), or None; None for a non-address.
    pub(crate) fn lookup(&self, ip: &str) -> Option<&str> {
        let i = match ip.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => self.v4.find(u32::from(a)),
            IpAddr::V6(a) => self.v6.find(u128::from(a)),
        }?;
        self.entry(i)
    }

    /// True if `ip` is in the list (an address or a network holding it).
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.find(u32::from(a)).is_some(),
            IpAddr::V6(a) => self.v6.find(u128::from(a)).is_some(),
        }
    }

    /// Distinct addresses and networks held.
    pub(crate) fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }
}

impl Drop for AddressList {
    fn drop(&mut self) {
        if let Some(h) = &self.held {
            h.0.set(h.0.get().saturating_sub(self.bytes));
        }
    }
}

fn lookup_arg<'a>(list: &'a AddressList, ip: &Value) -> Option<&'a str> {
    match ip {
        Value::String(s) => list.lookup(s.to_str().ok()?.as_ref()),
        _ => None,
    }
}

impl UserData for AddressList {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("match", |_, this, ip: Value| {
            Ok(lookup_arg(this, &ip).map(str::to_owned))
        });
        methods.add_method("contains", |_, this, ip: Value| {
            Ok(lookup_arg(this, &ip).is_some())
        });
        methods.add_method("size", |_, this, ()| Ok(this.len()));
        methods.add_meta_method(MetaMethod::Len, |_, this, ()| Ok(this.len()));
        methods.add_meta_method(MetaMethod::ToString, |_, this, ()| {
            Ok(format!("address_list ({} entries)", this.len()))
        });
    }
}

fn error(lua: &Lua, msg: String) -> mlua::Error {
    let loc = crate::diag::caller_location(lua);
    if loc == "?" {
        mlua::Error::RuntimeError(format!("ntop.newAddressList: {msg}"))
    } else {
        mlua::Error::RuntimeError(format!("{loc}: ntop.newAddressList: {msg}"))
    }
}

/// Whether `more` bytes outside the Lua heap fit in the VM's memory limit.
fn fits(lua: &Lua, held: &Held, more: usize, limit: usize) -> bool {
    limit == 0 || lua.used_memory() + held.0.get() + more <= limit
}

/// Adds `newAddressList` to the `ntop` table. `memory_limit` is the VM's (0: none).
pub(crate) fn install(lua: &Lua, ntop: &Table, memory_limit: usize) -> mlua::Result<()> {
    let held = Rc::new(Held::default());
    ntop.raw_set(
        "newAddressList",
        lua.create_function(move |lua, v: Value| {
            let Value::Table(t) = v else {
                return Err(error(
                    lua,
                    format!("bad argument #1 (table expected, got {})", v.type_name()),
                ));
            };
            let n = t.raw_len();
            if n > MAX_ENTRIES {
                return Err(error(
                    lua,
                    format!("{n} entries, more than the limit of {MAX_ENTRIES}"),
                ));
            }
            let mut values = Vec::with_capacity(n);
            for i in 1..=n {
                values.push(t.raw_get::<Value>(i)?);
            }
            let texts: Vec<Option<mlua::BorrowedStr>> = values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.to_str().ok(),
                    _ => None,
                })
                .collect();
            let (mut list, bad) = AddressList::build(texts.iter().map(|s| s.as_deref()));
            drop(texts);
            if !fits(lua, &held, list.bytes, memory_limit) {
                // Lists nobody references any more may still await collection.
                lua.gc_collect()?;
                if !fits(lua, &held, list.bytes, memory_limit) {
                    return Err(error(
                        lua,
                        format!(
                            "a list of {} entries ({} KiB) does not fit in the memory limit ({} KiB)",
                            list.len(),
                            list.bytes / 1024,
                            memory_limit / 1024
                        ),
                    ));
                }
            }
            held.0.set(held.0.get() + list.bytes);
            list.held = Some(held.clone());
            let out = lua.create_table_with_capacity(bad.len(), 0)?;
            for (k, r) in bad.iter().enumerate() {
                let e = lua.create_table_with_capacity(0, 3)?;
                e.raw_set("index", r.index)?;
                // The value as given (a non-UTF-8 string too); numbers as text.
                match values.get(r.index - 1) {
                    Some(Value::String(s)) => e.raw_set("text", s.clone())?,
                    Some(Value::Integer(i)) => e.raw_set("text", i.to_string())?,
                    Some(Value::Number(x)) => e.raw_set("text", x.to_string())?,
                    _ => {}
                }
                e.raw_set("reason", r.reason.as_str())?;
                out.raw_set(k + 1, e)?;
            }
            Ok((lua.create_userdata(list)?, out))
        })?,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> (AddressList, Vec<Rejected>) {
        AddressList::build(entries.iter().map(|e| Some(*e)))
    }

    #[test]
    fn entries_parse_or_say_why() {
        assert_eq!(
            parse_entry(" 192.0.2.7 ").unwrap(),
            ("192.0.2.7".parse().unwrap(), 32)
        );
        assert_eq!(
            parse_entry("2001:db8::/32").unwrap(),
            ("2001:db8::".parse().unwrap(), 32)
        );
        assert_eq!(parse_entry("0.0.0.0/0").unwrap().1, 0);
        assert_eq!(parse_entry("::/0").unwrap().1, 0);
        assert_eq!(
            parse_entry("10.0.0.0/33").unwrap_err().to_string(),
            "prefix length 33 is more than 32"
        );
        assert_eq!(
            parse_entry("::1/129").unwrap_err().to_string(),
            "prefix length 129 is more than 128"
        );
        for bad in [
            "",
            "  ",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "10.0.0.0/0008",
            "10.0.0.0/ 8",
            "10.0.0",
            "256.0.0.1",
            "not-an-address",
            "fe80::1%eth0",
            "2001:db8:::1",
            "::/99999999999999999999",
            "é",
        ] {
            assert!(parse_entry(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn longest_prefix_wins_and_first_duplicate_is_kept() {
        let (l, bad) = list(&[
            "10.0.0.0/8",
            "10.1.0.0/16",
            "10.1.2.3",
            "10.1.2.3/32",
            "10.1.99.1/16",
            "2001:db8::/32",
            "2001:db8:bad::/48",
            "2001:DB8:BAD::1",
        ]);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(l.len(), 6, "duplicates of a network count once");
        assert_eq!(l.lookup("10.1.2.3"), Some("10.1.2.3"));
        assert_eq!(l.lookup("10.1.2.4"), Some("10.1.0.0/16"));
        assert_eq!(l.lookup("10.2.0.1"), Some("10.0.0.0/8"));
        assert_eq!(l.lookup("11.0.0.1"), None);
        assert_eq!(l.lookup("2001:db8:bad::1"), Some("2001:DB8:BAD::1"));
        assert_eq!(l.lookup("2001:db8:bad:17::5"), Some("2001:db8:bad::/48"));
        assert_eq!(l.lookup("2001:db8:bae::5"), Some("2001:db8::/32"));
        assert_eq!(l.lookup("2001:db9::"), None);
        // Families stay apart; non-addresses match nothing.
        assert_eq!(l.lookup("::ffff:10.1.2.3"), None);
        assert_eq!(l.lookup("10.1.2.3/32"), None);
        assert_eq!(l.lookup(" 10.1.2.3"), None);
        assert_eq!(l.lookup(""), None);
    }

    #[test]
    fn default_routes_and_empty_lists() {
        let (l, _) = list(&["0.0.0.0/0"]);
        assert_eq!(l.lookup("203.0.113.9"), Some("0.0.0.0/0"));
        assert_eq!(l.lookup("::1"), None);
        let (l, _) = list(&["::/0", "::1/128"]);
        assert_eq!(l.lookup("::1"), Some("::1/128"));
        assert_eq!(l.lookup("2001:db8::1"), Some("::/0"));
        let (l, bad) = list(&[]);
        assert_eq!((l.len(), bad.len()), (0, 0));
        assert_eq!(l.lookup("10.0.0.1"), None);
    }

    #[test]
    fn bad_entries_are_reported_with_their_position() {
        let (l, bad) = AddressList::build([
            Some("192.0.2.1"),
            None,
            Some("192.0.2.0/40"),
            Some("junk"),
            Some(" 198.51.100.0/24\t"),
        ]);
        assert_eq!(l.len(), 2);
        assert_eq!(l.lookup("198.51.100.200"), Some("198.51.100.0/24"));
        let got: Vec<(usize, Option<&str>)> =
            bad.iter().map(|r| (r.index, r.text.as_deref())).collect();
        assert_eq!(
            got,
            [(2, None), (3, Some("192.0.2.0/40")), (4, Some("junk"))]
        );
    }

    /// A brute-force list against the prefix structure on pseudo-random data.
    #[test]
    fn agrees_with_a_linear_scan() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut entries = Vec::new();
        for _ in 0..500 {
            let r = next();
            // Few distinct top bits so that networks nest.
            let a = u32::from_be_bytes([10, (r % 4) as u8, (r >> 8) as u8 % 8, (r >> 16) as u8]);
            let plen = (r >> 32) as u8 % 33;
            entries.push(format!("{}/{plen}", std::net::Ipv4Addr::from(a)));
        }
        let (l, bad) = AddressList::build(entries.iter().map(|e| Some(e.as_str())));
        assert!(bad.is_empty());
        for _ in 0..5000 {
            let r = next();
            let ip = u32::from_be_bytes([10, (r % 4) as u8, (r >> 8) as u8 % 8, (r >> 16) as u8]);
            let mut best: Option<(u8, usize)> = None;
            for (i, e) in entries.iter().enumerate() {
                let (IpAddr::V4(n), plen) = parse_entry(e).unwrap() else {
                    unreachable!()
                };
                if u32::from(n).masked(plen) == ip.masked(plen)
                    && best.is_none_or(|(p, _)| plen > p)
                {
                    best = Some((plen, i));
                }
            }
            let want = best.map(|(_, i)| entries[i].as_str());
            let ip = std::net::Ipv4Addr::from(ip).to_string();
            assert_eq!(l.lookup(&ip), want, "{ip}");
        }
    }

    fn vm(limit: usize) -> Lua {
        let lua = Lua::new();
        if limit > 0 {
            lua.set_memory_limit(limit).unwrap();
        }
        let ntop = lua.create_table().unwrap();
        install(&lua, &ntop, limit).unwrap();
        lua.globals().raw_set("ntop", ntop).unwrap();
        lua
    }

    #[test]
    fn the_lua_interface() {
        let lua = vm(0);
        lua.load(
            r#"
            local l, bad = ntop.newAddressList({ "192.0.2.0/24", "2001:db8::/32", 42, "nope",
              "192.0.2.7", "10.0.0.0/99", {} })
            assert(type(l) == "userdata" and l:size() == 3 and #l == 3, tostring(l))
            assert(tostring(l) == "address_list (3 entries)")
            assert(l:match("192.0.2.7") == "192.0.2.7")
            assert(l:match("192.0.2.8") == "192.0.2.0/24")
            assert(l:match("2001:db8::5") == "2001:db8::/32")
            assert(l:match("198.51.100.1") == nil)
            assert(l:contains("192.0.2.200") == true and l:contains("::1") == false)
            -- Not addresses: nil, never an error.
            for _, v in ipairs({ "", "x", "192.0.2.1/32", 12, true, {} }) do
              assert(l:match(v) == nil and l:contains(v) == false)
            end
            assert(l:match() == nil)
            assert(#bad == 4, #bad)
            assert(bad[1].index == 3 and bad[1].text == "42" and bad[1].reason)
            assert(bad[2].index == 4 and bad[2].text == "nope")
            assert(bad[3].index == 6 and bad[3].reason == "prefix length 99 is more than 32")
            assert(bad[4].index == 7 and bad[4].text == nil and bad[4].reason == "not a string")
            local e, b2 = ntop.newAddressList({})
            assert(e:size() == 0 and #b2 == 0 and e:match("10.0.0.1") == nil)
            "#,
        )
        .exec()
        .unwrap();
        let err = lua
            .load("ntop.newAddressList('10.0.0.1')")
            .exec()
            .unwrap_err()
            .to_string();
        assert!(err.contains("table expected, got string"), "{err}");
    }

    #[test]
    fn too_many_entries_or_too_much_memory_raise_errors() {
        let lua = vm(0);
        let err = lua
            .load(format!(
                "local t = {{}}; for i = 1, {} do t[i] = '10.0.0.1' end; ntop.newAddressList(t)",
                MAX_ENTRIES + 1
            ))
            .exec()
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than the limit"), "{err}");

        // A 16 MiB VM: lists kept alive use up its limit (each ~1.3 MiB outside the
        // Lua heap), then the next one is refused; once they are garbage, it fits.
        let lua = vm(16 << 20);
        let (made, err): (i64, String) = lua
            .load(
                r#"local function make()
                     local t = {}
                     for i = 1, 30000 do t[i] = string.format("2001:db8:%x::/48", i) end
                     return ntop.newAddressList(t)
                   end
                   kept = {}
                   for i = 1, 100 do
                     local ok, l = pcall(make)
                     if not ok then return #kept, tostring(l) end
                     kept[i] = l
                   end
                   return #kept, "" "#,
            )
            .eval()
            .unwrap();
        assert!(made > 2 && made < 100, "{made}");
        assert!(err.contains("does not fit in the memory limit"), "{err}");
        let n: i64 = lua
            .load(
                r#"kept = nil
                   local t = {}
                   for i = 1, 30000 do t[i] = string.format("10.%d.%d.0/24", i // 256, i % 256) end
                   return ntop.newAddressList(t):size()"#,
            )
            .eval()
            .unwrap();
        assert_eq!(n, 30000);
    }
}
