//! The embedded store: caps, ordering, schema changes, archives, bounded size,
//! queue overflow.

use std::sync::Arc;

use weir_ts::*;

use crate::common::*;

fn host(h: &str) -> Vec<String> {
    vec!["0".into(), h.into()]
}

#[test]
fn cardinality_cap_and_out_of_order_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    let mut s = (*syn_schema()).clone();
    s.max_series = 3;
    let s = Arc::new(s);
    let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
    let mut w = sink.writer();
    for i in 0..5 {
        w.append(&s, host(&format!("10.0.0.{i}")), vec![1.0], T0)
            .unwrap();
    }
    w.end_step().unwrap();
    // Same step again, and an older one: refused.
    w.append(&s, host("10.0.0.0"), vec![2.0], T0 + 30).unwrap();
    w.append(&s, host("10.0.0.1"), vec![2.0], T0 - 60).unwrap();
    w.end_step().unwrap();
    w.flush(WAIT).unwrap();
    let st = sink.stats();
    assert_eq!(st.received, 7);
    assert_eq!(st.written, 3);
    assert_eq!(st.cardinality, 2);
    assert_eq!(st.out_of_order, 2);
    assert_eq!(
        store.list_series("host:syn_received", &[]).unwrap().len(),
        3
    );
    let schemas = store.schemas().unwrap();
    assert_eq!(schemas.len(), 1);
    assert_eq!(schemas[0].1, 3);
    assert_eq!(schemas[0].0.origin, "plugins/syn/ts_schemas/min.lua");
    sink.shutdown(WAIT).unwrap();
}

#[test]
fn a_changed_schema_is_refused_and_the_first_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    let s = syn_schema();
    let mut w = store.writer().unwrap();
    w.append(&s, host("a"), vec![1.0], T0).unwrap();
    w.end_step().unwrap();
    let mut changed = (*s).clone();
    changed.add_metric("fin", MetricKind::Counter).unwrap();
    let changed = Arc::new(changed);
    let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
    let mut w = sink.writer();
    w.append(&changed, host("a"), vec![2.0, 1.0], T0 + 60)
        .unwrap();
    w.append(&s, host("a"), vec![61.0], T0 + 60).unwrap();
    w.end_step().unwrap();
    w.flush(WAIT).unwrap();
    let st = sink.stats();
    assert_eq!((st.invalid, st.written), (1, 1));
    let r = store.query(&Query::new("host:syn_received")).unwrap();
    assert_eq!(r.metrics, ["syn"]);
    assert_eq!(r.series[0].points[0].values, [Some(1.0)]);
}

#[test]
fn step_picks_the_archive_and_size_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    let mut s = Schema::new("iface:test", 60, "t")
        .unwrap()
        .with_tags(&["ifid"])
        .unwrap()
        .with_metrics(MetricKind::Gauge, &["v"])
        .unwrap();
    s.archives = vec![
        Archive {
            resolution_secs: 60,
            rows: 10,
        },
        Archive {
            resolution_secs: 300,
            rows: 12,
        },
    ];
    let s = Arc::new(s);
    let mut w = store.writer().unwrap();
    // 60 minutes of v = minute index.
    for m in 0..60u64 {
        w.append(&s, vec!["0".into()], vec![m as f64], T0 + 60 * m)
            .unwrap();
        w.end_step().unwrap();
    }
    // Finest: only the last 10 minutes are kept.
    let r = store.query(&Query::new("iface:test")).unwrap();
    let pts = &r.series[0].points;
    assert_eq!(pts.len(), 10);
    assert_eq!(pts[0].ts, T0 + 60 * 50);
    assert_eq!(pts[9].values[0], Some(59.0));
    // Half an hour back: the 1-minute archive does not reach, the 5-minute one does.
    let r = store
        .query(&Query::new("iface:test").range(T0 + 60 * 30, T0 + 3600))
        .unwrap();
    assert_eq!(r.step_secs, 300);
    let first = &r.series[0].points[0];
    // T0 is 20 s past a 5-minute boundary... buckets are aligned to 300 s.
    assert_eq!(first.ts % 300, 0);
    // Max over 10 minutes from the 5-minute archive.
    let r = store
        .query(&Query::new("iface:test").step(600).agg(Agg::Max))
        .unwrap();
    assert_eq!(r.step_secs, 600);
    let last = r.series[0].points.last().unwrap();
    assert_eq!(last.values[0], Some(59.0));
    // Writing 1000 more minutes does not grow the file past its bound.
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = std::path::PathBuf::from(store.path());
    wal.set_extension("db-wal");
    for m in 60..1060u64 {
        w.append(&s, vec!["0".into()], vec![m as f64], T0 + 60 * m)
            .unwrap();
        w.end_step().unwrap();
    }
    let before = size(store.path());
    for m in 1060..2060u64 {
        w.append(&s, vec!["0".into()], vec![m as f64], T0 + 60 * m)
            .unwrap();
        w.end_step().unwrap();
    }
    assert_eq!(size(store.path()), before, "db grew");
    assert_eq!(w.totals().written, 2060);
    let _ = wal;
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// A backend that says when a write starts, then blocks until told to go on.
struct Stuck(
    crossbeam_channel::Receiver<()>,
    crossbeam_channel::Sender<()>,
);

impl Backend for Stuck {
    fn name(&self) -> &'static str {
        "stuck"
    }

    fn write_batch(&mut self, points: &[Point]) -> weir_ts::Result<BatchReport> {
        let _ = self.1.send(());
        let _ = self.0.recv_timeout(WAIT);
        Ok(BatchReport {
            written: points.len() as u64,
            ..BatchReport::default()
        })
    }
}

#[test]
fn a_full_queue_drops_steps_and_counts_them() {
    let (go, wait) = crossbeam_channel::unbounded();
    let cfg = SinkConfig {
        queue_batches: 2,
        ..SinkConfig::default()
    };
    let (entered_tx, entered) = crossbeam_channel::unbounded();
    let sink = TsSink::spawn(Box::new(Stuck(wait, entered_tx)), cfg).unwrap();
    let s = syn_schema();
    let mut w = sink.writer();
    for step in 0..10u64 {
        for h in 0..5 {
            w.append(
                &s,
                host(&format!("h{h}")),
                vec![step as f64],
                T0 + 60 * step,
            )
            .unwrap();
        }
        w.end_step().unwrap();
        if step == 0 {
            // The first step is in the (stuck) backend's write before the others come,
            // so the sink cannot merge queued steps into that write.
            entered.recv_timeout(WAIT).unwrap();
        }
    }
    // One batch in the backend, two queued: the other seven steps overflowed.
    for _ in 0..10 {
        go.send(()).unwrap();
    }
    w.flush(WAIT).unwrap();
    let st = sink.stats();
    assert_eq!(st.overflow + st.written, 50, "{st:?}");
    assert!(st.overflow >= 30, "{st:?}");
    sink.shutdown(WAIT).unwrap();
}

#[test]
fn queries_check_their_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    assert!(matches!(
        store.query(&Query::new("nope:x")),
        Err(Error::UnknownSchema(_))
    ));
    let s = syn_schema();
    let mut w = store.writer().unwrap();
    w.append(&s, host("a"), vec![1.0], T0).unwrap();
    w.end_step().unwrap();
    let e = store
        .query(&Query::new("host:syn_received").tag("nope", "1"))
        .unwrap_err();
    assert!(e.to_string().contains("not a tag"), "{e}");
    let e = store
        .top_k(&TopKQuery {
            schema: "host:syn_received".into(),
            metric: "nope".into(),
            k: 1,
            ..TopKQuery::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("not a metric"), "{e}");
    // A filter matching nothing is an empty answer, not an error.
    let r = store
        .query(&Query::new("host:syn_received").tag("host", "zzz"))
        .unwrap();
    assert!(r.series.is_empty());
}

#[test]
fn delete_removes_series_through_the_sink() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
    let reg = registry();
    let syn = reg.require("host:syn_received").unwrap();
    let traffic = reg.require("host:traffic").unwrap();
    let flows = reg.require("iface:flows").unwrap();
    let mut w = sink.writer();
    for m in 0..3u64 {
        for h in ["a", "b"] {
            w.append(syn, host(h), vec![(m * 60) as f64], T0 + 300 * m)
                .unwrap();
            w.append(traffic, host(h), vec![(m * 600) as f64, 0.0], T0 + 300 * m)
                .unwrap();
        }
        w.append(flows, vec!["0".into()], vec![1.0], T0 + 300 * m)
            .unwrap();
        w.end_step().unwrap();
    }
    let filter = [("host".to_string(), "a".to_string())];
    assert_eq!(w.delete("host:", &filter, WAIT).unwrap(), 2);
    assert_eq!(w.delete("host:", &filter, WAIT).unwrap(), 0);
    for schema in ["host:syn_received", "host:traffic"] {
        let left = store.list_series(schema, &[]).unwrap();
        assert_eq!(left.len(), 1, "{schema}");
        assert_eq!(left[0].tags[1].1, "b");
    }
    assert_eq!(store.list_series("iface:flows", &[]).unwrap().len(), 1);
    // The deleted host starts again from scratch: its first point has no rate.
    w.append(syn, host("a"), vec![1000.0], T0 + 900).unwrap();
    w.end_step().unwrap();
    w.flush(WAIT).unwrap();
    let r = store
        .query(&Query::new("host:syn_received").tag("host", "a"))
        .unwrap();
    assert_eq!(r.series.len(), 1);
    assert!(r.series[0].points.is_empty(), "{r:?}");
    sink.shutdown(WAIT).unwrap();
}
