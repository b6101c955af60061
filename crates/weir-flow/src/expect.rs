//! Expected connections: a control channel announces the endpoint a companion data
//! connection will use (FTP's `227 Entering Passive Mode`, `229`, `PORT`, `EPRT`); a
//! new flow with that endpoint gets the announced protocol (FTP_DATA) without
//! dissection.
//!
//! The table is small and fixed (no allocation after construction): entries expire
//! after [`EXPECT_TIMEOUT_US`], a full table replaces its oldest entry, and every
//! outcome is counted ([`ExpectCounters`]).

use std::net::IpAddr;

use weir_decode::Timestamp;

use crate::key::FlowKey;
use crate::proto::Proto;

/// Entries kept at most.
pub const EXPECT_CAPACITY: usize = 64;
/// Lifetime of an expectation: the data connection follows the announce within it.
pub const EXPECT_TIMEOUT_US: u64 = 120 * 1_000_000;

/// What happened to expectations since the engine started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpectCounters {
    /// Announces noted (a repeated announce of the same endpoint counts again).
    pub added: u64,
    /// New flows that matched an expectation.
    pub matched: u64,
    /// Entries that timed out unmatched.
    pub expired: u64,
    /// Live entries replaced because the table was full.
    pub evicted: u64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ip: IpAddr,
    port: u16,
    vlan: u16,
    proto: Proto,
    expires_us: u64,
}

/// The bounded table of expected endpoints.
#[derive(Debug)]
pub(crate) struct Expectations {
    slots: [Option<Entry>; EXPECT_CAPACITY],
    counters: ExpectCounters,
}

impl Default for Expectations {
    fn default() -> Self {
        Expectations {
            slots: [None; EXPECT_CAPACITY],
            counters: ExpectCounters::default(),
        }
    }
}

impl Expectations {
    /// The counters.
    pub(crate) fn counters(&self) -> ExpectCounters {
        self.counters
    }

    /// Notes that a connection to or from `ip:port` (on `vlan`) is expected to carry
    /// `proto`.
    pub(crate) fn add(&mut self, ip: IpAddr, port: u16, vlan: u16, proto: Proto, now: Timestamp) {
        if port == 0 {
            return;
        }
        self.expire(now);
        let entry = Entry {
            ip,
            port,
            vlan,
            proto,
            expires_us: now.0.saturating_add(EXPECT_TIMEOUT_US),
        };
        self.counters.added += 1;
        let same = |e: &Entry| e.ip == ip && e.port == port && e.vlan == vlan;
        let slot = match self.slots.iter().position(|s| s.as_ref().is_some_and(same)) {
            Some(i) => i,
            None => match self.slots.iter().position(Option::is_none) {
                Some(i) => i,
                None => {
                    self.counters.evicted += 1;
                    self.slots
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, s)| s.map_or(0, |e| e.expires_us))
                        .map_or(0, |(i, _)| i)
                }
            },
        };
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Some(entry);
        }
    }

    /// The protocol expected for a new flow with `key`, if one of its endpoints was
    /// announced (the entry is used up).
    pub(crate) fn take(&mut self, key: &FlowKey, now: Timestamp) -> Option<Proto> {
        if self.slots.iter().all(Option::is_none) {
            return None;
        }
        self.expire(now);
        let hit = |e: &Entry| {
            e.vlan == key.vlan
                && ((e.ip == key.a && e.port == key.a_port)
                    || (e.ip == key.b && e.port == key.b_port))
        };
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(hit))?;
        let proto = slot.take().map(|e| e.proto);
        self.counters.matched += 1;
        proto
    }

    fn expire(&mut self, now: Timestamp) {
        for s in &mut self.slots {
            if s.is_some_and(|e| e.expires_us <= now.0) {
                *s = None;
                self.counters.expired += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(a: &str, ap: u16, b: &str, bp: u16) -> FlowKey {
        FlowKey::new(0, 6, (a.parse().unwrap(), ap), (b.parse().unwrap(), bp)).0
    }

    #[test]
    fn match_once_then_gone() {
        let mut x = Expectations::default();
        x.add(
            "10.0.0.2".parse().unwrap(),
            50000,
            0,
            Proto::FTP_DATA,
            Timestamp(1),
        );
        let k = key("10.0.0.1", 40000, "10.0.0.2", 50000);
        assert_eq!(x.take(&k, Timestamp(2)), Some(Proto::FTP_DATA));
        assert_eq!(x.take(&k, Timestamp(3)), None);
        assert_eq!(x.counters().matched, 1);
    }

    #[test]
    fn entries_expire() {
        let mut x = Expectations::default();
        x.add(
            "10.0.0.2".parse().unwrap(),
            50000,
            0,
            Proto::FTP_DATA,
            Timestamp(1),
        );
        let k = key("10.0.0.1", 40000, "10.0.0.2", 50000);
        assert_eq!(x.take(&k, Timestamp(2 + EXPECT_TIMEOUT_US)), None);
        assert_eq!(x.counters().expired, 1);
    }

    #[test]
    fn full_table_replaces_the_oldest() {
        let mut x = Expectations::default();
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..=EXPECT_CAPACITY as u16 {
            x.add(
                ip,
                1000 + i,
                0,
                Proto::FTP_DATA,
                Timestamp(u64::from(i) + 1),
            );
        }
        assert_eq!(x.counters().evicted, 1);
        // The first (oldest) is gone, the last is there.
        assert_eq!(
            x.take(&key("10.0.0.1", 9, "10.0.0.2", 1000), Timestamp(100)),
            None
        );
        let last = 1000 + EXPECT_CAPACITY as u16;
        assert_eq!(
            x.take(&key("10.0.0.1", 9, "10.0.0.2", last), Timestamp(100)),
            Some(Proto::FTP_DATA)
        );
    }
}
