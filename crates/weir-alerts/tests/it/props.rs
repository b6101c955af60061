//! Properties: alert dedup is idempotent (trigger/release against a model).

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;
use weir_alerts::*;

#[derive(Debug, Clone)]
enum Op {
    Trigger {
        host: u8,
        subtype: u8,
        gran: u8,
        t: u64,
    },
    Release {
        host: u8,
        subtype: u8,
        gran: u8,
        t: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    (any::<bool>(), 0u8..3, 0u8..2, 0u8..2, 0u64..1000).prop_map(
        |(trig, host, subtype, gran, t)| {
            if trig {
                Op::Trigger {
                    host,
                    subtype,
                    gran,
                    t,
                }
            } else {
                Op::Release {
                    host,
                    subtype,
                    gran,
                    t,
                }
            }
        },
    )
}

fn info(subtype: u8, gran: u8) -> TypeInfo {
    TypeInfo::new(builtin::CONNECTION_ISSUES, Severity::Warning)
        .subtype(subtype.to_string())
        .granularity(Granularity::ALL[usize::from(gran)])
}

proptest! {
    /// Any sequence of triggers/releases: engaged set = model; one `engage` per
    /// off→on transition, one `release` per on→off; repeats change nothing else.
    #[test]
    fn alert_dedup_is_idempotent(ops in proptest::collection::vec(op(), 0..200)) {
        let mut e = AlertEngine::new(EngineConfig::default(), Arc::new(Registry::with_builtins()));
        // model: identity -> (first trigger time, trigger count)
        let mut model: HashMap<(u8, u8, u8), (u64, u64)> = HashMap::new();
        let (mut engages, mut releases) = (0u64, 0u64);
        for op in &ops {
            match *op {
                Op::Trigger { host, subtype, gran, t } => {
                    let r = e.trigger(Entity::host(format!("10.0.0.{host}"), 0), info(subtype, gran), t).unwrap();
                    let entry = model.entry((host, subtype, gran));
                    let new = matches!(entry, std::collections::hash_map::Entry::Vacant(_));
                    let m = entry.or_insert((t, 0));
                    m.1 += 1;
                    prop_assert_eq!(r == Engagement::Engaged, new);
                    engages += u64::from(new);
                }
                Op::Release { host, subtype, gran, t } => {
                    let r = e.release(Entity::host(format!("10.0.0.{host}"), 0), info(subtype, gran), t).unwrap();
                    let was = model.remove(&(host, subtype, gran)).is_some();
                    prop_assert_eq!(r, was);
                    releases += u64::from(was);
                }
            }
        }
        let s = e.stats();
        prop_assert_eq!(s.engaged, engages);
        prop_assert_eq!(s.released, releases);
        prop_assert_eq!(s.engaged_now, model.len() as u64);
        for a in e.engaged() {
            let host: u8 = a.entity.host_ip().unwrap().rsplit('.').next().unwrap().parse().unwrap();
            let subtype: u8 = a.alert_subtype.parse().unwrap();
            let gran = a.granularity().unwrap().id() - 1;
            let (first, count) = model[&(host, subtype, gran)];
            prop_assert_eq!(a.alert_tstamp, first);
            prop_assert_eq!(a.count, count);
        }
    }
}
