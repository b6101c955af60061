//! Property tests: the store's consolidation against a naive model; line-protocol
//! escaping against the `influxdb-line-protocol` parser.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use weir_ts::*;

const ARCHIVES: [(u32, u32); 3] = [(60, 5), (180, 4), (600, 3)];

fn schema() -> Arc<Schema> {
    let mut s = Schema::new("test:model", 60, "props")
        .unwrap()
        .with_tags(&["ifid"])
        .unwrap();
    s.add_metric("g", MetricKind::Gauge).unwrap();
    s.add_metric("c", MetricKind::Counter).unwrap();
    s.archives = ARCHIVES
        .iter()
        .map(|&(resolution_secs, rows)| Archive {
            resolution_secs,
            rows,
        })
        .collect();
    s.validate().unwrap();
    Arc::new(s)
}

#[derive(Debug, Clone)]
struct Step {
    /// Steps since the previous point (1 = next minute).
    gap: u64,
    gauge: Option<i32>,
    /// Counter increment; `None`: a reset to a small value.
    inc: Option<u32>,
    /// Reopen the writer before this point (a restart).
    restart: bool,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            prop_oneof![6 => Just(1u64), 2 => 2u64..=3, 1 => 4u64..=20],
            prop::option::weighted(0.85, -1000i32..1000),
            prop::option::weighted(0.9, 0u32..100_000),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(gap, gauge, inc, restart)| Step {
                gap,
                gauge,
                inc,
                restart,
            }),
        1..60,
    )
}

/// Naive: primary values per step, then for an archive every bucket in the window
/// ending at the last point, with the known values of each metric.
fn naive(
    points: &[(u64, f64, f64)],
    res: u64,
    rows: u64,
    out: u64,
    heartbeat: u64,
) -> BTreeMap<u64, Vec<Vec<f64>>> {
    let mut pdp: Vec<(u64, Option<f64>, Option<f64>)> = Vec::new();
    let mut prev: Option<(u64, f64)> = None;
    for &(t, g, c) in points {
        let rate = prev.and_then(|(pt, pc)| {
            let dt = t - pt;
            (dt <= heartbeat && c >= pc).then(|| (c - pc) / dt as f64)
        });
        prev = Some((t, c));
        pdp.push((t, (!g.is_nan()).then_some(g), rate));
    }
    let Some(&(last, _, _)) = points.last() else {
        return BTreeMap::new();
    };
    let newest = last - last % res;
    let oldest = newest.saturating_sub((rows - 1) * res);
    let mut buckets: BTreeMap<u64, Vec<Vec<f64>>> = BTreeMap::new();
    for (t, g, c) in pdp {
        let b = t - t % res;
        if b < oldest || (g.is_none() && c.is_none()) {
            continue;
        }
        let e = buckets
            .entry(b - b % out)
            .or_insert_with(|| vec![Vec::new(), Vec::new()]);
        e[0].extend(g);
        e[1].extend(c);
    }
    buckets
}

fn agg(v: &[f64], a: Agg) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    Some(match a {
        Agg::Avg => v.iter().sum::<f64>() / v.len() as f64,
        Agg::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        Agg::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Agg::Last => *v.last().unwrap(),
    })
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn consolidation_matches_a_naive_model(steps in steps(), start in 0u64..10_000) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open_dir(dir.path()).unwrap();
        let s = schema();
        let mut w = store.writer().unwrap();
        let mut t = 1_600_000_000 + start * 60;
        let mut counter = 1_000.0;
        let mut written = Vec::new();
        for st in &steps {
            t += st.gap * 60;
            counter = match st.inc {
                Some(i) => counter + f64::from(i),
                None => 5.0,
            };
            let g = st.gauge.map_or(f64::NAN, f64::from);
            if st.restart {
                w = store.writer().unwrap();
            }
            // Seconds inside the step do not matter.
            w.append(&s, vec!["0".into()], vec![g, counter], t + (st.gap % 7)).unwrap();
            w.end_step().unwrap();
            written.push((t, g, counter));
        }
        for (level, &(res, rows)) in ARCHIVES.iter().enumerate() {
            for mult in [1u64, 2] {
                let out = u64::from(res) * mult;
                let exp = naive(&written, u64::from(res), u64::from(rows), out, 120);
                for a in [Agg::Avg, Agg::Min, Agg::Max, Agg::Last] {
                    let r = store
                        .query(&Query::new("test:model").step(out as u32).agg(a))
                        .unwrap();
                    prop_assert_eq!(u64::from(r.step_secs), out, "level {}", level);
                    let got = r.series.first().map(|s| s.points.clone()).unwrap_or_default();
                    let got_ts: Vec<u64> = got.iter().map(|p| p.ts).collect();
                    let exp_ts: Vec<u64> = exp.keys().copied().collect();
                    prop_assert_eq!(&got_ts, &exp_ts, "level {} out {} {:?}", level, out, a);
                    for (p, (_, vals)) in got.iter().zip(&exp) {
                        for (m, (got, want)) in p.values.iter().zip(vals).enumerate() {
                            prop_assert!(
                                close(*got, agg(want, a)),
                                "level {} out {} {:?} at {} metric {}: {:?} vs {:?}",
                                level, out, a, p.ts, m, got, agg(want, a)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn line_protocol_round_trip(
        tags in prop::collection::vec("[a-zA-Z0-9 ,=\"'.:/_é中-]{1,20}", 2),
        values in prop::collection::vec(prop_oneof![
            any::<f64>().prop_filter("finite", |v| v.is_finite()),
            (-1_000_000i64..1_000_000).prop_map(|v| v as f64),
        ], 2),
        ts in 0u64..4_000_000_000,
    ) {
        let mut s = Schema::new("host:some.thing-x", 1, "props").unwrap();
        s.add_tag("ifid").unwrap();
        s.add_tag("host_name").unwrap();
        s.add_metric("bytes_sent", MetricKind::Counter).unwrap();
        s.add_metric("v2", MetricKind::Gauge).unwrap();
        let s = Arc::new(s);
        let p = Point::new(&s, tags.clone(), values.clone(), ts).unwrap();
        let mut line = String::new();
        prop_assert!(write_line(&mut line, &p));
        let parsed: Vec<_> = influxdb_line_protocol::parse_lines(line.trim_end()).collect();
        prop_assert_eq!(parsed.len(), 1);
        let l = parsed.into_iter().next().unwrap().unwrap();
        prop_assert_eq!(l.series.measurement.as_str(), "host:some.thing-x");
        prop_assert_eq!(l.tag_value("ifid").map(|v| v.as_str().to_string()), Some(tags[0].clone()));
        prop_assert_eq!(l.tag_value("host_name").map(|v| v.as_str().to_string()), Some(tags[1].clone()));
        for (name, v) in [("bytes_sent", values[0]), ("v2", values[1])] {
            match l.field_value(name) {
                Some(influxdb_line_protocol::FieldValue::F64(x)) => prop_assert_eq!(*x, v),
                other => prop_assert!(false, "{} parsed as {:?}", name, other),
            }
        }
        prop_assert_eq!(l.timestamp, Some(ts as i64));
    }
}
