//! Alert engine and store benchmarks.
//!
//! - `alerts_stored`: flow alerts/s through the engine, the writer thread and batched
//!   SQLite transactions (goal ≥ 100,000/s), against a baseline that applies the same
//!   rows with the same prepared INSERTs in one transaction, on the calling thread
//!   (`StoreWriter::write_batch`: rusqlite and nothing else).
//! - `engaged_100k`: trigger/release cycles/s with 100,000 alerts engaged (engine
//!   state only, and with the SQLite store behind it), and re-triggers of engaged
//!   alerts (the dedup path), against a plain `HashMap<String, _>` insert/remove of
//!   the same keys.
//!
//! Run: `cargo bench -p weir-benches --bench alerts -- --warm-up-time 1 --measurement-time 3`

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weir_alerts::{
    Action, AlertEngine, AlertKey, AlertRecord, AlertStore, EngineConfig, Entity, FlowAlert,
    Granularity, Notification, Registry, Severity, SqliteConfig, SqliteStore, StatusKey, StoreSink,
    TypeInfo, WriterConfig, builtin,
};

const BATCH: u64 = 20_000;
const ENGAGED: u64 = 100_000;
const CYCLES: u64 = 10_000;
const WAIT: Duration = Duration::from_secs(120);
const T0: u64 = 1_700_000_000;

fn flow_alert(i: u64) -> FlowAlert {
    let cli = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let mut f = FlowAlert::new(
        AlertKey(32768),
        StatusKey(59),
        Severity::Error,
        T0 + i / 1000,
        6,
        (&cli, 40000 + (i % 20000) as u16),
        ("192.0.2.80", 80),
    );
    f.l7_proto = "HTTP".into();
    f.l7_master_proto = "HTTP".into();
    f.proto_name = "TCP".into();
    f.cli2srv_bytes = 1000 + i;
    f.srv2cli_bytes = 50_000;
    f.score = 100;
    f.cli_score = 100;
    f.srv_score = 10;
    f.info = format!("http://example.invalid/file{i}.exe");
    f.alert_json = format!(r#"{{"protos.http.last_url":"/file{i}.exe"}}"#);
    f
}

fn registry() -> Arc<Registry> {
    Arc::new(Registry::with_builtins())
}

fn alerts_stored(c: &mut Criterion) {
    let mut g = c.benchmark_group("alerts_stored");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);

    let dir = tempfile_dir("engine");
    let store = SqliteStore::open_dir(&dir, SqliteConfig::default()).expect("open store");
    let sink = StoreSink::spawn(&store, WriterConfig::default()).expect("writer");
    let mut engine = AlertEngine::new(EngineConfig::default(), registry());
    engine.set_store(sink.sender());
    let mut next = 0u64;
    g.bench_function("engine_to_sqlite", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let batch: Vec<FlowAlert> = (next..next + BATCH).map(flow_alert).collect();
                next += BATCH;
                let start = Instant::now();
                for a in batch {
                    engine.store_flow(a);
                }
                engine.flush(WAIT).expect("flush");
                total += start.elapsed();
            }
            total
        })
    });
    let stats = engine.stats();
    assert_eq!(stats.store_dropped, 0, "no alert may be dropped: {stats:?}");
    drop(engine);
    sink.shutdown(WAIT).expect("shutdown");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);

    let dir = tempfile_dir("baseline");
    let store = SqliteStore::open_dir(&dir, SqliteConfig::default()).expect("open store");
    let mut writer = store.writer().expect("writer");
    let mut next = 0u64;
    g.bench_function("baseline_sqlite_batched_insert", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let batch: Vec<Arc<Notification>> = (next..next + BATCH)
                    .map(|i| {
                        Arc::new(Notification {
                            action: Action::Store,
                            record: AlertRecord::Flow(flow_alert(i)),
                        })
                    })
                    .collect();
                next += BATCH;
                let start = Instant::now();
                writer.write_batch(&batch).expect("insert");
                total += start.elapsed();
            }
            total
        })
    });
    drop(writer);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
}

fn host_keys() -> Vec<(Entity, TypeInfo)> {
    (0..ENGAGED)
        .map(|i| {
            let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
            let info = TypeInfo::new(builtin::CONNECTION_ISSUES, Severity::Warning)
                .granularity(Granularity::Min)
                .score(10);
            (Entity::host(ip, 0), info)
        })
        .collect()
}

fn engaged_100k(c: &mut Criterion) {
    let mut g = c.benchmark_group("engaged_100k");
    g.throughput(Throughput::Elements(CYCLES));
    g.sample_size(20);
    let keys = host_keys();

    // Engine state only.
    let mut engine = AlertEngine::new(EngineConfig::default(), registry());
    for (e, i) in &keys {
        engine.trigger(e.clone(), i.clone(), T0).expect("trigger");
    }
    let mut now = T0;
    let mut pos = 0usize;
    g.bench_function("trigger_release_cycle", |b| {
        b.iter(|| {
            now += 1;
            for _ in 0..CYCLES {
                let (e, i) = &keys[pos];
                pos = (pos + 1) % keys.len();
                black_box(engine.release(e.clone(), i.clone(), now).expect("release"));
                black_box(engine.trigger(e.clone(), i.clone(), now).expect("trigger"));
            }
        })
    });
    g.bench_function("retrigger_engaged", |b| {
        b.iter(|| {
            now += 1;
            for _ in 0..CYCLES {
                let (e, i) = &keys[pos];
                pos = (pos + 1) % keys.len();
                black_box(engine.trigger(e.clone(), i.clone(), now).expect("trigger"));
            }
        })
    });
    assert_eq!(engine.stats().engaged_now, ENGAGED);
    drop(engine);

    // Baseline: the same keys in a plain map.
    let strings: Vec<String> = keys
        .iter()
        .map(|(e, i)| format!("{}_{}_{}", i.alert_type.0, e.value, i.subtype))
        .collect();
    let mut map: HashMap<String, u64> = strings.iter().map(|s| (s.clone(), T0)).collect();
    g.bench_function("baseline_hashmap_remove_insert", |b| {
        b.iter(|| {
            now += 1;
            for _ in 0..CYCLES {
                let k = &strings[pos];
                pos = (pos + 1) % strings.len();
                black_box(map.remove(k.as_str()));
                black_box(map.insert(k.clone(), now));
            }
        })
    });

    // Engine + SQLite store: each cycle writes a past alert and an engaged row.
    let dir = tempfile_dir("cycles");
    let store = SqliteStore::open_dir(&dir, SqliteConfig::default()).expect("open store");
    let sink = StoreSink::spawn(&store, WriterConfig::default()).expect("writer");
    let mut engine = AlertEngine::new(EngineConfig::default(), registry());
    engine.set_store(sink.sender());
    for (e, i) in &keys {
        engine.trigger(e.clone(), i.clone(), T0).expect("trigger");
    }
    engine.flush(WAIT).expect("flush");
    g.bench_function("trigger_release_cycle_with_sqlite", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                now += 1;
                for _ in 0..CYCLES {
                    let (e, i) = &keys[pos];
                    pos = (pos + 1) % keys.len();
                    engine.release(e.clone(), i.clone(), now).expect("release");
                    engine.trigger(e.clone(), i.clone(), now).expect("trigger");
                }
                engine.flush(WAIT).expect("flush");
            }
            start.elapsed()
        })
    });
    assert_eq!(engine.stats().store_dropped, 0);
    drop(engine);
    sink.shutdown(WAIT).expect("shutdown");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
}

/// A fresh directory under the system temp dir, removed first if present.
fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("weir-bench-alerts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

criterion_group!(benches, alerts_stored, engaged_100k);
criterion_main!(benches);
