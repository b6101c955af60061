//! Timeseries benchmarks.
//!
//! - `ts_embedded/append_10k_series`: points/s appended to the embedded store, one
//!   step of 10,000 series per iteration (one transaction: rates, four archives
//!   consolidated, series state), through the synchronous `EmbeddedWriter`.
//! - `ts_embedded/sink_10k_series`: the same through the sink thread (`TsSender` →
//!   bounded channel → writer thread), waiting for the commit.
//! - `ts_embedded/baseline_sqlite_10k_rows`: the floor: the same number of rows
//!   upserted into a one-archive ring table clustered by slot like the store
//!   (`INSERT OR REPLACE`, WAL, one transaction, prepared statement) with rusqlite
//!   and nothing else; `..._series_major`: the same table clustered by series (one
//!   page written per series per step: the layout the store avoids).
//!
//! - `ts_influxdb/sink_10k_series`: points/s to a local InfluxDB (`influxd` from
//!   Debian's `influxdb` package, started on free 127.0.0.1 ports with its data in a
//!   temporary directory): one step of 10,000 series per iteration through the sink
//!   thread and the InfluxDB backend (line protocol, gzip, 5000-line requests), until
//!   the server accepted it. Skipped, saying so, without `influxd`.
//!
//! Run: `cargo bench -p weir-benches --bench ts -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weir_ts::{
    EmbeddedStore, InfluxBackend, InfluxClient, InfluxConfig, MetricKind, Schema, SchemaRegistry,
    SinkConfig, TsSink, TsWriter,
};

const SERIES: u64 = 10_000;
const T0: u64 = 1_700_000_040;

fn bench_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("weir-bench-ts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn schema() -> Arc<Schema> {
    let mut s = Schema::new("host:traffic_bench", 60, "bench").unwrap();
    s.add_tag("ifid").unwrap();
    s.add_tag("host").unwrap();
    s.add_metric("bytes_sent", MetricKind::Counter).unwrap();
    s.add_metric("bytes_rcvd", MetricKind::Counter).unwrap();
    let mut r = SchemaRegistry::new();
    r.define(s).unwrap().0
}

fn hosts() -> Vec<Vec<String>> {
    (0..SERIES)
        .map(|h| {
            vec![
                "0".to_string(),
                format!("10.{}.{}.{}", h >> 16, (h >> 8) & 255, h & 255),
            ]
        })
        .collect()
}

fn embedded(c: &mut Criterion) {
    let mut g = c.benchmark_group("ts_embedded");
    g.throughput(Throughput::Elements(SERIES));
    g.sample_size(20);
    let s = schema();
    let tags = hosts();

    let dir = bench_dir("append");
    let store = EmbeddedStore::open_dir(&dir).unwrap();
    let mut w = store.writer().unwrap();
    let mut step = 0u64;
    g.bench_function("append_10k_series", |b| {
        b.iter(|| {
            step += 1;
            for (h, t) in tags.iter().enumerate() {
                let v = (step * (h as u64 + 1)) as f64;
                w.append(&s, t.clone(), vec![v * 1000.0, v * 50.0], T0 + 60 * step)
                    .unwrap();
            }
            w.end_step().unwrap();
        });
    });
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);

    let dir = bench_dir("sink");
    let store = EmbeddedStore::open_dir(&dir).unwrap();
    let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
    let mut w = sink.writer();
    let mut step = 0u64;
    g.bench_function("sink_10k_series", |b| {
        b.iter(|| {
            step += 1;
            for (h, t) in tags.iter().enumerate() {
                let v = (step * (h as u64 + 1)) as f64;
                w.append(&s, t.clone(), vec![v * 1000.0, v * 50.0], T0 + 60 * step)
                    .unwrap();
            }
            w.flush(Duration::from_secs(120)).unwrap();
        });
    });
    let stats = sink.shutdown(Duration::from_secs(120)).unwrap();
    assert_eq!(stats.overflow + stats.failed, 0);
    let _ = std::fs::remove_dir_all(&dir);

    // Baselines: one row per point into a one-archive ring table, rusqlite and
    // nothing else; clustered by slot like the store (the floor), and by series (the
    // layout the store avoids: one page written per series and step).
    for (name, key) in [
        ("baseline_sqlite_10k_rows", "slot, series"),
        ("baseline_sqlite_10k_rows_series_major", "series, slot"),
    ] {
        let dir = bench_dir(name);
        let mut conn = rusqlite::Connection::open(dir.join("raw.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        conn.pragma_update(None, "cache_size", -32_768).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE ring(series INTEGER, slot INTEGER, ts INTEGER, data BLOB,
             PRIMARY KEY({key})) WITHOUT ROWID"
        ))
        .unwrap();
        let mut step = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                step += 1;
                let tx = conn.transaction().unwrap();
                {
                    let mut st = tx
                        .prepare_cached(
                            "INSERT OR REPLACE INTO ring(series, slot, ts, data) VALUES (?1, ?2, ?3, ?4)",
                        )
                        .unwrap();
                    for h in 0..SERIES {
                        let v = (step * (h + 1)) as f64;
                        let mut data = Vec::with_capacity(16);
                        data.extend_from_slice(&(v * 1000.0).to_le_bytes());
                        data.extend_from_slice(&(v * 50.0).to_le_bytes());
                        st.execute(rusqlite::params![
                            h as i64,
                            (step % 1440) as i64,
                            (T0 + 60 * step) as i64,
                            black_box(data)
                        ])
                        .unwrap();
                    }
                }
                tx.commit().unwrap();
            });
        });
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
    g.finish();
}

/// A local `influxd` on free ports, its data under `dir`, killed on drop.
struct Influxd(std::process::Child, String);

impl Influxd {
    fn start(dir: &std::path::Path) -> Option<Influxd> {
        let installed = std::process::Command::new("influxd")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            eprintln!("ts_influxdb: SKIPPED: `influxd` is not installed (run `cargo xtask setup`)");
            return None;
        }
        let port = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let (http, rpc, d) = (port(), port(), dir.display());
        let conf = dir.join("influxdb.conf");
        std::fs::write(
            &conf,
            format!(
                "reporting-disabled = true\nbind-address = \"127.0.0.1:{rpc}\"\n\
                 [meta]\n dir = \"{d}/meta\"\n[data]\n dir = \"{d}/data\"\n wal-dir = \"{d}/wal\"\n\
                 [http]\n bind-address = \"127.0.0.1:{http}\"\n log-enabled = false\n\
                 [monitor]\n store-enabled = false\n[logging]\n level = \"warn\"\n"
            ),
        )
        .unwrap();
        let child = std::process::Command::new("influxd")
            .args(["run", "-config"])
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let s = Influxd(child, format!("http://127.0.0.1:{http}"));
        let client = InfluxClient::new(InfluxConfig::v1(&s.1, "x"));
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while client.ping().is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "influxd did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(s)
    }
}

impl Drop for Influxd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn influxdb(c: &mut Criterion) {
    let dir = bench_dir("influxdb");
    let Some(server) = Influxd::start(&dir) else {
        return;
    };
    let mut g = c.benchmark_group("ts_influxdb");
    g.throughput(Throughput::Elements(SERIES));
    g.sample_size(10);
    let s = schema();
    let tags = hosts();
    let backend = InfluxBackend::new(InfluxConfig::v1(&server.1, "weir_bench")).unwrap();
    let health = backend.health_handle();
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    let mut w = sink.writer();
    let mut step = 0u64;
    g.bench_function("sink_10k_series", |b| {
        b.iter(|| {
            step += 1;
            for (h, t) in tags.iter().enumerate() {
                let v = (step * (h as u64 + 1)) as f64;
                w.append(&s, t.clone(), vec![v * 1000.0, v * 50.0], T0 + 60 * step)
                    .unwrap();
            }
            w.flush(Duration::from_secs(120)).unwrap();
        });
    });
    g.finish();
    let stats = sink.shutdown(Duration::from_secs(120)).unwrap();
    let h = health.get();
    assert_eq!(stats.overflow + stats.failed, 0);
    assert_eq!(
        h.dropped_points + h.rejected_points + h.buffered_points,
        0,
        "{h:?}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, embedded, influxdb);
criterion_main!(benches);
