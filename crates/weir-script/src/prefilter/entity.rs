//! A host or network script's `prefilter` (weir extension): the hook compares one value
//! of the entity with the threshold of its configuration, and weir makes that
//! comparison in Rust first, so an entity far from the threshold costs no Lua call.
//!
//! ```lua
//! prefilter = { threshold = "hits.syn_flood_attacker" },
//! prefilter = { changed = { "dns", "http" } },   -- hosts
//! ```
//!
//! `changed`: the hook only looks at how the host's DNS (or HTTP) counters moved since
//! the previous round of its granularity, so it is called only when they moved (or an
//! alert is engaged on the host). Both conditions given: both must hold.
//!
//! The hook is called when the value crosses the configured threshold (`operator`
//! `"lt"`: below it; any other operator: above it; the threshold is the
//! configuration's `edge` or `threshold`, both are tried when both are set), or when
//! the entity has an engaged alert (whatever raised it: the hook may have to release
//! it). Otherwise the hook would neither trigger nor release anything: that is the
//! contract a script states by declaring the prefilter. Values: `hits.<kind>_<side>`
//! (kinds `syn_flood`, `flow_flood`, `syn_scan`; sides `attacker`, `victim`; networks:
//! victims only), `score` (`host.getScore().score`, a network's score) and, for hosts,
//! `active_flows` (as client plus as server) and `delta.bytes`, `delta.packets`
//! (`host.getDeltas()`: the increase since the previous round of the granularity).

use mlua::{Table, Value};
use std::cell::Cell;

/// The value a prefilter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fact {
    /// `[syn_flood, flow_flood, syn_scan]` index, side (0 attacker, 1 victim).
    Hits(usize, usize),
    Score,
    ActiveFlows,
    /// Bytes (0) or packets (1) since the previous round of the granularity.
    Delta(usize),
}

impl Fact {
    fn parse(name: &str, entity: &str) -> Result<Fact, String> {
        let fact = match name {
            "score" => Fact::Score,
            "active_flows" if entity == "host" => Fact::ActiveFlows,
            "delta.bytes" if entity == "host" => Fact::Delta(0),
            "delta.packets" if entity == "host" => Fact::Delta(1),
            _ => {
                let hit = name.strip_prefix("hits.").and_then(|rest| {
                    let (kind, side) = rest.rsplit_once('_')?;
                    let k = ["syn_flood", "flow_flood", "syn_scan"]
                        .iter()
                        .position(|x| *x == kind)?;
                    let s = ["attacker", "victim"].iter().position(|x| *x == side)?;
                    Some(Fact::Hits(k, s))
                });
                match hit {
                    Some(Fact::Hits(_, 0)) if entity == "network" => None,
                    other => other,
                }
                .ok_or_else(|| {
                    format!(
                        "prefilter.threshold: unknown {entity} value {name:?} (score, \
                         {}hits.syn_flood_victim, hits.flow_flood_victim, hits.syn_scan_victim{})",
                        if entity == "host" {
                            "active_flows, delta.bytes, delta.packets, "
                        } else {
                            ""
                        },
                        if entity == "host" {
                            " or the _attacker ones"
                        } else {
                            ""
                        }
                    )
                })?
            }
        };
        Ok(fact)
    }
}

/// What the prefilters of one entity visit look at.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EntityFacts {
    /// `[kind][side]` as [`Fact::Hits`] indexes them.
    pub hits: [[u64; 2]; 3],
    pub score: u64,
    pub active_flows: u64,
    /// Hosts: `entity::round_totals` since the previous round of the granularity
    /// (bytes, packets, the sums of the DNS and of the HTTP counters, …).
    pub delta: [u64; crate::entity::ROUND_COUNTERS],
    /// The entity has an engaged alert.
    pub engaged: bool,
}

impl EntityFacts {
    fn value(&self, f: Fact) -> u64 {
        match f {
            Fact::Hits(k, s) => self.hits[k][s],
            Fact::Score => self.score,
            Fact::ActiveFlows => self.active_flows,
            Fact::Delta(i) => self.delta[i],
        }
    }
}

/// A comparison read from a configuration: below (`lt`) or above the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cmp {
    below: bool,
    threshold: f64,
}

impl Cmp {
    fn crossed(self, v: f64) -> bool {
        if self.below {
            v < self.threshold
        } else {
            v > self.threshold
        }
    }
}

/// The comparisons of the configuration table last seen (by address).
#[derive(Debug, Clone, Copy, Default)]
struct Resolved {
    conf: Option<usize>,
    cmps: [Option<Cmp>; 2],
}

/// Counters a `changed` condition can name, as indexes of [`EntityFacts::delta`].
const CHANGED: [(&str, usize); 2] = [("dns", 2), ("http", 3)];

/// A parsed entity `prefilter`.
#[derive(Debug, Clone)]
pub(crate) struct EntityPrefilter {
    threshold: Option<Fact>,
    /// [`EntityFacts::delta`] indexes of which one must have moved (none: no condition).
    changed: Vec<usize>,
    resolved: Cell<Resolved>,
}

impl EntityPrefilter {
    /// Reads the `prefilter` of a script of `entity` (`"host"`, `"network"`; `nil`:
    /// none). Errors name the field.
    pub(crate) fn parse(v: &Value, entity: &str) -> Result<Option<EntityPrefilter>, String> {
        let Some(t) = super::table(v)? else {
            return Ok(None);
        };
        if entity != "host" && entity != "network" {
            return Err(format!(
                "prefilter: host and network scripts only (this is a {entity} script)"
            ));
        }
        let mut threshold = None;
        let mut changed = Vec::new();
        for pair in t.clone().pairs::<String, Value>() {
            let (k, v) = pair.map_err(|e| format!("prefilter: {e}"))?;
            match (k.as_str(), v) {
                ("threshold", Value::String(s)) => {
                    threshold = Some(Fact::parse(&s.to_string_lossy(), entity)?);
                }
                ("threshold", other) => {
                    return Err(format!(
                        "prefilter.threshold: a value name expected, got {}",
                        other.type_name()
                    ));
                }
                ("changed", v) if entity == "host" => {
                    let names = match v {
                        Value::Table(t) => t
                            .sequence_values::<Value>()
                            .collect::<mlua::Result<Vec<_>>>()
                            .map_err(|e| format!("prefilter.changed: {e}"))?,
                        other => vec![other],
                    };
                    for n in names {
                        let name = n.as_string().map(|s| s.to_string_lossy());
                        let i = CHANGED
                            .iter()
                            .find(|(c, _)| Some(*c) == name.as_deref())
                            .map(|(_, i)| *i)
                            .ok_or_else(|| {
                                format!(
                                    "prefilter.changed: \"dns\" or \"http\" expected, got {}",
                                    name.map_or_else(
                                        || n.type_name().to_owned(),
                                        |s| format!("{s:?}")
                                    )
                                )
                            })?;
                        changed.push(i);
                    }
                }
                (other, _) => {
                    return Err(format!(
                        "prefilter: unknown condition `{other}` for a {entity} script ({})",
                        if entity == "host" {
                            "threshold, changed"
                        } else {
                            "threshold"
                        }
                    ));
                }
            }
        }
        if threshold.is_none() && changed.is_empty() {
            return Err("prefilter: `threshold` or `changed` expected".to_owned());
        }
        Ok(Some(EntityPrefilter {
            threshold,
            changed,
            resolved: Cell::new(Resolved::default()),
        }))
    }

    /// Whether the hook with configuration `conf` may have something to do for the
    /// entity.
    pub(crate) fn admits(&self, facts: &EntityFacts, conf: &Table) -> bool {
        if facts.engaged {
            return true;
        }
        if !self.changed.is_empty() && self.changed.iter().all(|i| facts.delta[*i] == 0) {
            return false;
        }
        let Some(fact) = self.threshold else {
            return true;
        };
        let v = facts.value(fact) as f64;
        self.resolve(conf).iter().flatten().any(|c| c.crossed(v))
    }

    /// The comparisons for `conf`, read again when the configuration table changed.
    fn resolve(&self, conf: &Table) -> [Option<Cmp>; 2] {
        let id = conf.to_pointer() as usize;
        let r = self.resolved.get();
        if r.conf == Some(id) {
            return r.cmps;
        }
        let below = matches!(
            conf.raw_get::<Value>("operator"),
            Ok(Value::String(s)) if s.as_bytes().as_ref() == b"lt"
        );
        let cmp = |field: &str| {
            number(conf.raw_get::<Value>(field).ok()?).map(|threshold| Cmp { below, threshold })
        };
        let cmps = [cmp("edge"), cmp("threshold")];
        self.resolved.set(Resolved {
            conf: Some(id),
            cmps,
        });
        cmps
    }
}

/// A number as Lua's `tonumber` reads one (numbers and numeric strings).
fn number(v: Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(i as f64),
        Value::Number(n) => Some(n),
        Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlua::Lua;

    fn pf(lua: &Lua, src: &str, entity: &str) -> Result<Option<EntityPrefilter>, String> {
        let v: Value = lua.load(src).eval().map_err(|e| e.to_string())?;
        EntityPrefilter::parse(&v, entity)
    }

    fn conf(lua: &Lua, src: &str) -> Table {
        lua.load(src).eval().expect("conf table")
    }

    #[test]
    fn parses_values_and_names_bad_ones() {
        let lua = Lua::new();
        assert!(pf(&lua, "nil", "host").expect("nil").is_none());
        for ok in [
            "hits.syn_flood_attacker",
            "hits.syn_scan_victim",
            "hits.flow_flood_victim",
            "score",
            "active_flows",
            "delta.bytes",
            "delta.packets",
        ] {
            let src = format!("{{ threshold = {ok:?} }}");
            assert!(pf(&lua, &src, "host").expect(ok).is_some(), "{ok}");
        }
        let e = pf(&lua, "{ threshold = 'hits.syn_flood_attacker' }", "network")
            .expect_err("networks have no attackers");
        assert!(e.contains("unknown network value"), "{e}");
        let e = pf(&lua, "{ threshold = 'bytes' }", "host").expect_err("bytes");
        assert!(e.contains("\"bytes\""), "{e}");
        let e = pf(&lua, "{ thresold = 'score' }", "host").expect_err("typo");
        assert!(e.contains("unknown condition `thresold`"), "{e}");
        let e = pf(&lua, "{ threshold = 'score' }", "interface").expect_err("iface");
        assert!(e.contains("host and network scripts only"), "{e}");
        let e = pf(&lua, "{}", "host").expect_err("empty");
        assert!(e.contains("`threshold` or `changed` expected"), "{e}");
        assert!(
            pf(&lua, "{ changed = 'dns' }", "host")
                .expect("dns")
                .is_some()
        );
        assert!(
            pf(&lua, "{ changed = { 'dns', 'http' } }", "host")
                .expect("both")
                .is_some()
        );
        let e = pf(&lua, "{ changed = 'smtp' }", "host").expect_err("smtp");
        assert!(
            e.contains("\"dns\" or \"http\" expected, got \"smtp\""),
            "{e}"
        );
        let e = pf(&lua, "{ changed = 'dns' }", "network").expect_err("network");
        assert!(
            e.contains("unknown condition `changed` for a network script"),
            "{e}"
        );
        let e = pf(&lua, "'score'", "host").expect_err("string");
        assert!(e.contains("table expected"), "{e}");
    }

    #[test]
    fn admits_what_crosses_or_is_engaged() {
        let lua = Lua::new();
        let p = pf(&lua, "{ threshold = 'hits.syn_flood_victim' }", "host")
            .expect("parse")
            .expect("some");
        let gt = conf(&lua, "{ operator = 'gt', threshold = '50' }");
        let mut f = EntityFacts::default();
        assert!(!p.admits(&f, &gt), "0 is not above 50");
        f.hits[0][1] = 50;
        assert!(!p.admits(&f, &gt), "50 is not above 50");
        f.hits[0][1] = 51;
        assert!(p.admits(&f, &gt));
        f.hits[0][1] = 0;
        f.engaged = true;
        assert!(p.admits(&f, &gt), "an engaged alert may need releasing");
        f.engaged = false;
        let lt = conf(&lua, "{ operator = 'lt', threshold = 10 }");
        assert!(p.admits(&f, &lt), "0 is below 10");
        f.hits[0][1] = 10;
        assert!(!p.admits(&f, &lt));
        // No threshold at all: the hook would compare with nothing.
        assert!(!p.admits(&f, &conf(&lua, "{ operator = 'gt' }")));
        // `edge` and `threshold` both set: either crossing calls the hook.
        let both = conf(&lua, "{ edge = 100, threshold = 5 }");
        assert!(p.admits(&f, &both));
    }

    #[test]
    fn a_new_configuration_table_is_read_again() {
        let lua = Lua::new();
        let p = pf(&lua, "{ threshold = 'score' }", "host")
            .expect("parse")
            .expect("some");
        let f = EntityFacts {
            score: 30,
            ..EntityFacts::default()
        };
        let low = conf(&lua, "{ threshold = 20 }");
        let high = conf(&lua, "{ threshold = 40 }");
        assert!(p.admits(&f, &low));
        assert!(!p.admits(&f, &high));
        assert!(p.admits(&f, &low));
    }

    #[test]
    fn changed_admits_hosts_whose_counters_moved_or_that_are_engaged() {
        let lua = Lua::new();
        let p = pf(&lua, "{ changed = { 'dns', 'http' } }", "host")
            .expect("parse")
            .expect("some");
        let empty = conf(&lua, "{}");
        let mut f = EntityFacts::default();
        assert!(!p.admits(&f, &empty), "nothing moved");
        f.delta[0] = 1000;
        assert!(!p.admits(&f, &empty), "bytes are not DNS or HTTP");
        f.delta[3] = 1;
        assert!(p.admits(&f, &empty), "an HTTP counter moved");
        f.delta[3] = 0;
        f.engaged = true;
        assert!(p.admits(&f, &empty), "engaged");
        // With a threshold too, both must hold.
        let p = pf(&lua, "{ changed = 'dns', threshold = 'score' }", "host")
            .expect("parse")
            .expect("some");
        let five = conf(&lua, "{ threshold = 5 }");
        let mut f = EntityFacts {
            score: 10,
            ..EntityFacts::default()
        };
        assert!(!p.admits(&f, &five), "score crosses, DNS did not move");
        f.delta[2] = 2;
        assert!(p.admits(&f, &five));
        f.score = 1;
        assert!(!p.admits(&f, &five), "DNS moved, score does not cross");
    }
}
