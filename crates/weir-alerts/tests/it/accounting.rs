//! "No alert lost": every alert not stored or not delivered is counted and reported
//! with a built-in `alert_dropped_alerts` alert.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender, bounded};
use parking_lot::Mutex;
use weir_alerts::*;

use crate::common::*;

/// A store whose writer waits for a gate, can be made to fail, and keeps what it
/// "commits" in memory: the store trait is all the engine needs.
#[derive(Clone)]
struct TestStore {
    gate: Receiver<()>,
    fail: Arc<AtomicBool>,
    rows: Arc<Mutex<Vec<Arc<Notification>>>>,
}

struct TestWriter {
    store: TestStore,
    opened: bool,
}

impl AlertStore for TestStore {
    fn writer(&self) -> Result<Box<dyn StoreWriter>> {
        Ok(Box::new(TestWriter {
            store: self.clone(),
            opened: false,
        }))
    }
    fn query(&self, _: &AlertQuery) -> Result<Vec<AlertRecord>> {
        Ok(self.rows.lock().iter().map(|n| n.record.clone()).collect())
    }
    fn counts(&self, _: &AlertQuery, _: CountBy) -> Result<Vec<CountRow>> {
        Ok(Vec::new())
    }
}

impl StoreWriter for TestWriter {
    fn write_batch(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        if !self.opened {
            self.store
                .gate
                .recv_timeout(WAIT)
                .expect("gate opened in time");
            self.opened = true;
        }
        if self.store.fail.load(Ordering::Acquire) {
            return Err(Error::Config("injected write failure".into()));
        }
        self.store.rows.lock().extend(batch.iter().cloned());
        Ok(())
    }
}

fn test_store() -> (TestStore, Sender<()>) {
    let (tx, rx) = bounded(1);
    let s = TestStore {
        gate: rx,
        fail: Arc::new(AtomicBool::new(false)),
        rows: Arc::new(Mutex::new(Vec::new())),
    };
    (s, tx)
}

fn drop_reports(rows: &[Arc<Notification>]) -> Vec<(String, u64)> {
    rows.iter()
        .filter_map(|n| match &n.record {
            AlertRecord::Alert(a) if a.alert_type == builtin::DROPPED_ALERTS => {
                let v: serde_json::Value = serde_json::from_str(&a.alert_json).unwrap();
                Some((a.alert_subtype.clone(), v["dropped"].as_u64().unwrap()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn alerts_beyond_the_store_queue_are_counted_and_reported() {
    const N: u64 = 1000;
    let (store, gate) = test_store();
    let sink = StoreSink::spawn(
        &store,
        WriterConfig {
            queue_batches: 1,
            max_tx_alerts: 4,
            ..WriterConfig::default()
        },
    )
    .unwrap();
    let mut e = AlertEngine::new(
        EngineConfig {
            store_batch: 4,
            max_pending: 8,
            ..EngineConfig::default()
        },
        registry(),
    );
    e.set_store(sink.sender());
    for i in 0..N {
        let mut f = flow_alert(i);
        f.alert_tstamp = T0;
        e.store_flow(f);
    }
    let s = e.stats();
    assert!(s.store_dropped > 0, "a blocked writer must overflow: {s:?}");
    e.tick(T0 + 1);
    gate.send(()).unwrap();
    e.flush(WAIT).unwrap();

    let rows = store.rows.lock().clone();
    let s = e.stats();
    // Everything emitted towards the store (the flows plus the engine's own reports)
    // was either stored or counted as dropped; a report can itself be dropped, and is
    // then counted like any other alert.
    assert_eq!(
        rows.len() as u64 + s.store_dropped,
        N + s.drop_alerts,
        "{s:?}"
    );
    assert_eq!(s.store_submitted, rows.len() as u64);
    let reports = drop_reports(&rows);
    assert!(!reports.is_empty());
    assert!(reports.iter().map(|r| r.1).sum::<u64>() <= s.store_dropped);
    assert!(reports.iter().all(|r| r.0 == "store"));
    sink.shutdown(WAIT).unwrap();
}

#[test]
fn failed_transactions_are_counted_and_reported() {
    let (store, gate) = test_store();
    store.fail.store(true, Ordering::Release);
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let mut e = AlertEngine::new(EngineConfig::default(), registry());
    e.set_store(sink.sender());
    for i in 0..10 {
        e.store_flow(flow_alert(i));
    }
    // The writer starts once all ten are emitted: a failure it met earlier would be
    // reported by the next emit, and that report would fail too (an 11th, by timing).
    gate.send(()).unwrap();
    e.flush(WAIT).unwrap();
    assert_eq!(sink.stats().failed, 10);
    store.fail.store(false, Ordering::Release);
    e.tick(T0 + 10);
    e.flush(WAIT).unwrap();
    let rows = store.rows.lock().clone();
    assert_eq!(drop_reports(&rows), [("store".to_owned(), 10)]);
    sink.shutdown(WAIT).unwrap();
}

/// An endpoint that records, after waiting for a gate on its first batch.
struct Gated {
    gate: Receiver<()>,
    opened: bool,
    seen: Arc<Mutex<Vec<Arc<Notification>>>>,
}

impl Endpoint for Gated {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        if !self.opened {
            self.gate.recv_timeout(WAIT).expect("gate opened in time");
            self.opened = true;
        }
        self.seen.lock().extend(batch.iter().cloned());
        Ok(())
    }
}

#[test]
fn a_full_endpoint_queue_never_blocks_and_is_counted_and_reported() {
    const N: u64 = 1000;
    let d = db();
    let (gate_tx, gate_rx) = bounded(1);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = Arc::clone(&seen);
    let mut cfg = EndpointConfig::new("slow");
    cfg.queue_capacity = 4;
    cfg.max_batch = 2;
    let ep = spawn_endpoint(cfg, move || {
        Ok(Gated {
            gate: gate_rx,
            opened: false,
            seen: s2,
        })
    })
    .unwrap();
    let mut e = engine_for(&d);
    e.add_endpoint(ep.sender());
    for i in 0..N {
        e.store_flow(flow_alert(i));
    }
    e.tick(T0 + 3600);
    e.flush(WAIT).unwrap();
    gate_tx.send(()).unwrap();
    let st = ep.shutdown(WAIT).unwrap();
    // The drop alert itself may also find the queue full: count it in.
    let offered = N + e.stats().drop_alerts;
    assert_eq!(st.queued + st.dropped, offered, "{st:?}");
    assert_eq!(st.delivered, st.queued);
    assert_eq!(seen.lock().len() as u64, st.delivered);
    // Everything reached the store, including the report about the endpoint.
    assert_eq!(d.store.count(AlertTable::Flow).unwrap(), N);
    let mut q = AlertQuery::past();
    q.alert_type = Some(builtin::DROPPED_ALERTS);
    let reports = d.store.query(&q).unwrap();
    assert!(!reports.is_empty());
    let mut reported = 0;
    for r in &reports {
        let AlertRecord::Alert(a) = r else { panic!() };
        assert_eq!(a.alert_subtype, "endpoint:slow");
        let v: serde_json::Value = serde_json::from_str(&a.alert_json).unwrap();
        reported += v["dropped"].as_u64().unwrap();
    }
    assert!(
        reported >= N - 6 && reported <= st.dropped,
        "{reported} {st:?}"
    );
}

#[test]
fn alerts_arriving_together_share_one_transaction_and_a_flush_does_not_wait() {
    let (store, gate) = test_store();
    gate.send(()).unwrap();
    let sink = StoreSink::spawn(
        &store,
        WriterConfig {
            // Far longer than the test may take: only the flush ends the gathering.
            max_tx_delay: WAIT * 10,
            ..WriterConfig::default()
        },
    )
    .unwrap();
    let mut e = AlertEngine::new(
        EngineConfig {
            store_batch: 1,
            ..EngineConfig::default()
        },
        registry(),
    );
    e.set_store(sink.sender());
    for i in 0..10 {
        e.store_flow(flow_alert(i));
    }
    e.flush(WAIT).unwrap();
    let st = sink.stats();
    assert_eq!((st.committed, st.transactions), (10, 1));
    assert_eq!(store.rows.lock().len(), 10);
    sink.shutdown(WAIT).unwrap();
}
