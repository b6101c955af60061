//! The bounded host table: the cap holds under a random-source flood, pinned hosts
//! survive eviction, evictions are counted and every evicted host is reported.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use weir_decode::Timestamp;
use weir_decode::l4::tcp_flags::SYN;
use weir_flow::{Consumer, Engine, EngineConfig, Host};

use super::{SEC, T0, feed, tcp};

/// Pins some hosts and records purges; checks the table bound after every event.
#[derive(Default)]
struct Pins {
    pinned: HashSet<IpAddr>,
    purged: Vec<IpAddr>,
    asked: u64,
}

impl Consumer for Pins {
    fn host_pinned(&mut self, h: &Host) -> bool {
        self.asked += 1;
        self.pinned.contains(&h.ip)
    }
    fn host_purged(&mut self, _now: Timestamp, h: &Host) {
        self.purged.push(h.ip);
    }
}

fn victim() -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 168, 1, 5))
}

/// One SYN from source `i` to the victim at `ts`.
fn syn_from(e: &mut Engine, i: u32, ts: u64, c: &mut Pins) {
    let src = (0x0b00_0000u32 + i).to_be_bytes();
    feed(
        e,
        ts,
        &tcp(
            src,
            1024 + (i % 60_000) as u16,
            [192, 168, 1, 5],
            80,
            i,
            SYN,
            b"",
        ),
        c,
    );
}

#[test]
fn a_flood_of_sources_keeps_the_table_at_its_cap_and_pinned_hosts_stay() {
    let (max_hosts, max_flows) = (500usize, 200usize);
    let mut e = Engine::new(EngineConfig {
        max_hosts,
        max_flows,
        ..EngineConfig::default()
    });
    let mut c = Pins::default();
    // Two early sources whose flows end; one of them is pinned (an engaged alert).
    let keep = IpAddr::V4(Ipv4Addr::from(0x0b00_0000u32.to_be_bytes()));
    c.pinned.insert(keep);
    let n = 20_000u32;
    for i in 0..n {
        syn_from(&mut e, i, T0 + u64::from(i) * 1000, &mut c);
        assert!(e.hosts().len() <= max_hosts, "{} hosts", e.hosts().len());
    }
    let iface = e.interface();
    // Every source and the victim were created; all but the table's content left.
    assert_eq!(iface.hosts_created, u64::from(n) + 1);
    assert_eq!(e.hosts().len(), max_hosts);
    assert_eq!(iface.hosts_evicted, u64::from(n) + 1 - max_hosts as u64);
    assert_eq!(c.purged.len() as u64, iface.hosts_evicted);
    assert_eq!(iface.hosts_untracked, 0);
    assert!(e.hosts().find(keep, 0).is_some(), "the pinned host stays");
    assert!(!c.purged.contains(&keep));
    // The victim always has flows: it is never evicted, and sees every SYN.
    let v = e.hosts().find(victim(), 0).and_then(|id| e.hosts().get(id));
    assert_eq!(v.map(|h| h.syn_rcvd), Some(u64::from(n)));
    // Eviction looks at each candidate about once: no scan of the table per new host.
    assert!(c.asked < 3 * u64::from(n), "asked {}", c.asked);
}

#[test]
fn a_full_table_of_busy_hosts_ends_flows_to_make_room() {
    // Fewer host slots than the flows' hosts: hosts can only go once their flows end.
    let mut e = Engine::new(EngineConfig {
        max_hosts: 50,
        max_flows: 1000,
        ..EngineConfig::default()
    });
    let mut c = Pins::default();
    for i in 0..2_000u32 {
        syn_from(&mut e, i, T0 + u64::from(i) * SEC / 100, &mut c);
        assert!(e.hosts().len() <= 50);
    }
    let iface = e.interface();
    assert!(iface.flows_evicted > 0, "flows ended early to free hosts");
    assert!(iface.hosts_evicted >= 1900);
    assert_eq!(iface.hosts_untracked, 0);
    // Every flow still in the table has both of its hosts.
    for (_, f) in e.flows().iter() {
        for (ip, _) in [f.client(), f.server()] {
            assert!(e.hosts().find(ip, 0).is_some(), "{ip} of a live flow");
        }
    }
}

#[test]
fn when_every_host_is_pinned_new_endpoints_go_untracked() {
    let mut e = Engine::new(EngineConfig {
        max_hosts: 10,
        max_flows: 100,
        ..EngineConfig::default()
    });
    let mut c = Pins::default();
    for i in 0..9u32 {
        c.pinned.insert(IpAddr::V4(Ipv4Addr::from(
            (0x0b00_0000u32 + i).to_be_bytes(),
        )));
    }
    for i in 0..100u32 {
        syn_from(&mut e, i, T0 + u64::from(i) * SEC, &mut c);
        assert!(e.hosts().len() <= 10);
    }
    assert!(e.interface().hosts_untracked > 0);
    for i in 0..9u32 {
        let ip = IpAddr::V4(Ipv4Addr::from((0x0b00_0000u32 + i).to_be_bytes()));
        assert!(e.hosts().find(ip, 0).is_some(), "pinned {ip} stays");
    }
    e.finish(&mut c);
    assert!(e.hosts().len() <= 10);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Whatever the mix of repeated and new sources, pins and caps: the table never
    /// holds more than its cap, created = in table + evicted + purged-idle, and pinned
    /// hosts are never evicted.
    #[test]
    fn host_table_never_exceeds_its_bound(
        max_hosts in 3usize..60,
        max_flows in 1usize..80,
        srcs in proptest::collection::vec(0u32..400, 1..600),
        pins in proptest::collection::vec(0u32..400, 0..5),
    ) {
        let mut e = Engine::new(EngineConfig { max_hosts, max_flows, ..EngineConfig::default() });
        let mut c = Pins::default();
        for p in &pins {
            c.pinned.insert(IpAddr::V4(Ipv4Addr::from((0x0b00_0000u32 + p).to_be_bytes())));
        }
        for (k, s) in srcs.iter().enumerate() {
            syn_from(&mut e, *s, T0 + k as u64 * SEC / 10, &mut c);
            prop_assert!(e.hosts().len() <= max_hosts);
        }
        let i = e.interface();
        prop_assert_eq!(i.hosts_created, e.hosts().len() as u64 + c.purged.len() as u64);
        prop_assert!(i.hosts_evicted <= c.purged.len() as u64);
        for p in &pins {
            let ip = IpAddr::V4(Ipv4Addr::from((0x0b00_0000u32 + p).to_be_bytes()));
            // A pinned host that was created is still there (the capture is shorter
            // than the idle purge, so only evictions could remove it).
            if srcs.contains(p) {
                prop_assert!(e.hosts().find(ip, 0).is_some(), "pinned {} evicted", ip);
            }
        }
    }
}
