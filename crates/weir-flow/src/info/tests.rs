use std::collections::{BTreeMap, BTreeSet};

use weir_decode::capture::CaptureReader;
use weir_decode::{Timestamp, decode};

use super::*;
use crate::engine::{Consumer, EndReason, Engine, EngineConfig};

/// Records the top-level keys and their kinds, checking nesting and duplicates.
#[derive(Default)]
struct Check {
    top: Vec<(String, Kind)>,
    depth: usize,
}

impl Check {
    fn put(&mut self, key: &str, kind: Kind) -> Result<(), std::convert::Infallible> {
        if self.depth == 0 {
            assert!(
                self.top.iter().all(|(k, _)| k != key),
                "{key} emitted twice"
            );
            self.top.push((key.to_owned(), kind));
        }
        Ok(())
    }
}

impl InfoSink for Check {
    type Error = std::convert::Infallible;
    fn str(&mut self, key: &str, _: &str) -> Result<(), Self::Error> {
        self.put(key, Kind::Str)
    }
    fn uint(&mut self, key: &str, _: u64) -> Result<(), Self::Error> {
        self.put(key, Kind::Uint)
    }
    fn int(&mut self, key: &str, _: i64) -> Result<(), Self::Error> {
        self.put(key, Kind::Int)
    }
    fn float(&mut self, key: &str, _: f64) -> Result<(), Self::Error> {
        self.put(key, Kind::Float)
    }
    fn bool(&mut self, key: &str, _: bool) -> Result<(), Self::Error> {
        self.put(key, Kind::Bool)
    }
    fn list(&mut self, key: &str, _: &[String]) -> Result<(), Self::Error> {
        self.put(key, Kind::List)
    }
    fn begin(&mut self, key: &str) -> Result<(), Self::Error> {
        self.put(key, Kind::Table)?;
        self.depth += 1;
        Ok(())
    }
    fn end(&mut self) -> Result<(), Self::Error> {
        assert!(self.depth > 0, "end without begin");
        self.depth -= 1;
        Ok(())
    }
}

/// Emits every ended flow of a generated capture at both levels.
#[derive(Default)]
struct Walk {
    seen: BTreeSet<&'static str>,
    flows: usize,
}

impl Consumer for Walk {
    fn flow_end(&mut self, _now: Timestamp, f: &mut Flow, _r: EndReason) {
        self.flows += 1;
        let nets = Networks::new(&[]);
        let src = InfoSource::of(f);
        let mut levels = BTreeMap::new();
        for level in [Level::Minimal, Level::Full] {
            let mut c = Check::default();
            let Ok(()) = emit(&src, &nets, level, &mut c);
            assert_eq!(c.depth, 0, "unbalanced tables");
            for (k, kind) in &c.top {
                let def = find(k).unwrap_or_else(|| panic!("{k} is not in KEYS"));
                assert_eq!(def.kind, *kind, "{k}");
                assert!(def.level <= level, "{k} emitted at {level:?}");
                self.seen.insert(def.name);
            }
            levels.insert(level, c.top);
        }
        // Every minimal key is in the full table, and the minimal keys always present.
        let full: BTreeSet<_> = levels[&Level::Full].iter().map(|(k, _)| k).collect();
        for (k, _) in &levels[&Level::Minimal] {
            assert!(full.contains(k), "{k} minimal but not full");
        }
        for def in KEYS.iter().filter(|d| d.level == Level::Minimal) {
            if def.name != "info" {
                assert!(full.contains(&def.name.to_string()), "{} missing", def.name);
            }
        }
        // Protocol tables are subsets of the full table.
        for s in [Section::Http, Section::Tls, Section::Dns, Section::Ssh] {
            let mut c = Check::default();
            let Ok(()) = emit_section(&src, s, &mut c);
            for (k, _) in &c.top {
                assert!(full.contains(k), "{k} of {s:?} not in the full table");
            }
        }
    }
}

#[test]
fn keys_are_unique_and_findable() {
    let mut names = BTreeSet::new();
    for d in KEYS {
        assert!(names.insert(d.name), "{} listed twice", d.name);
        assert_eq!(find(d.name), Some(d));
    }
    assert_eq!(find("no.such.key"), None);
    const CLI_IP: Option<&KeyDef> = find("cli.ip");
    assert_eq!(CLI_IP.map(|d| d.kind), Some(Kind::Str));
}

#[test]
fn emitted_keys_match_the_key_table() {
    let (pcap, _) = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 400,
        seed: 11,
        ..Default::default()
    });
    let mut r = CaptureReader::new(&pcap[..], "gen").expect("pcap");
    let mut e = Engine::new(EngineConfig::default());
    let mut w = Walk::default();
    while let Some(Ok(f)) = r.next_frame() {
        if let Ok(p) = decode(f.linktype, f.data) {
            e.process(f.ts, f.orig_len, &p, &mut w);
        }
    }
    e.finish(&mut w);
    assert!(w.flows > 100);
    for k in [
        "protos.http.last_url",
        "protos.tls_version",
        "protos.dns.last_query",
        "tcp_established",
        "cli2srv.pkt_len.avg",
    ] {
        assert!(w.seen.contains(k), "{k} never emitted: {:?}", w.seen);
    }
}

#[cfg(feature = "json")]
#[test]
fn json_sink_nests_tables() {
    let key = FlowKey::new(
        0,
        1,
        ("10.0.0.1".parse().unwrap_or(IpAddr::from([0; 4])), 7),
        ("10.0.0.2".parse().unwrap_or(IpAddr::from([0; 4])), 0x0800),
    );
    let mut f = Flow::new(key.0, key.1, 9, Timestamp(3_000_000));
    f.last_seen = Timestamp(5_500_000);
    f.score.cli = [1, 2];
    f.score.srv = [10, 20];
    let nets = Networks::new(&["10.0.0.0/8".parse().unwrap_or_default()]);
    let m = to_json(&InfoSource::of(&f), &nets, Level::Full);
    assert_eq!(m["icmp"], serde_json::json!({"type": 8, "code": 0}));
    assert_eq!(m["score"]["host_categories_total"]["1"], 22);
    assert_eq!(m["score"]["host_score_total"]["server_score"], 30);
    assert_eq!(m["tos"]["server"]["DSCP"], 0);
    assert_eq!(m["duration"], 3);
    assert_eq!(m["seen.first"], 3);
    assert_eq!(m["cli.localhost"], true);
    assert_eq!(m["info"], "");
    assert_eq!(m["ntopng.key"], 9);
    let min = to_json(&InfoSource::of(&f), &nets, Level::Minimal);
    assert!(!min.contains_key("info") && !min.contains_key("vlan"));
    assert!(to_json_section(&InfoSource::of(&f), Section::Dns).is_empty());
}
