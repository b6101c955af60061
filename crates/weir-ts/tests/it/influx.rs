//! The InfluxDB backend against a real `influxd` (and a fake server for the 2.x API).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use weir_ts::*;

use crate::common::*;

fn count_points(client: &InfluxClient, from: u64, to: u64) -> usize {
    client
        .query(&Query::new("host:syn_received").range(from, to))
        .unwrap()
        .series
        .iter()
        .map(|s| s.points.len())
        .sum()
}

fn write_steps(w: &mut TsSender, s: &Arc<Schema>, steps: std::ops::Range<u64>, hosts: u64) {
    for step in steps {
        for h in 0..hosts {
            w.append(
                s,
                vec!["0".into(), format!("h{h}")],
                vec![(step * 60 * (h + 1)) as f64],
                T0 + 60 * step,
            )
            .unwrap();
        }
        w.end_step().unwrap();
    }
}

#[test]
fn an_outage_is_buffered_retried_and_reported() {
    let port = free_port();
    let mut cfg = InfluxConfig::v1(&format!("http://127.0.0.1:{port}"), "weir_outage");
    cfg.retry_initial = Duration::from_millis(20);
    cfg.retry_max = Duration::from_millis(200);
    cfg.timeout = Duration::from_secs(2);
    let backend = InfluxBackend::new(cfg.clone()).unwrap();
    let health = backend.health_handle();
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    let s = syn_schema();
    let mut w = sink.writer();
    write_steps(&mut w, &s, 0..5, 4);
    assert!(matches!(
        w.flush(Duration::from_millis(300)),
        Err(Error::Timeout(_))
    ));
    let h = health.get();
    assert_eq!(h.status, InfluxStatus::Retrying, "{h:?}");
    assert_eq!(h.buffered_points, 20);
    assert!(
        h.consecutive_failures >= 1 && h.last_error.is_some(),
        "{h:?}"
    );
    // The server comes up: the backlog is delivered by retries.
    let server = InfluxServer::start_on(port);
    w.flush(WAIT).unwrap();
    let h = health.get();
    assert_eq!(h.status, InfluxStatus::Healthy, "{h:?}\n{}", server.log());
    assert_eq!(
        (h.sent_points, h.buffered_points, h.dropped_points),
        (20, 0, 0)
    );
    let client = InfluxClient::new(cfg).with_schemas(registry());
    // 4 hosts × 4 rates (the first step of each host has none).
    assert_eq!(count_points(&client, T0, T0 + 600), 16);
    let series = client.list_series("host:syn_received", &[]).unwrap();
    assert_eq!(series.len(), 4);
    assert_eq!(series[0].last_ts, Some(T0 + 240));
    let top = client
        .top_k(&TopKQuery {
            schema: "host:syn_received".into(),
            metric: "syn".into(),
            k: 2,
            from: Some(T0),
            to: Some(T0 + 600),
            ..TopKQuery::default()
        })
        .unwrap();
    assert_eq!(top[0].tags[1].1, "h3");
    assert!((top[0].score - 4.0 * 60.0 * 4.0).abs() < 1e-6, "{top:?}");
    // ts_utils.delete: DROP SERIES through the sink.
    let filter = [("host".to_string(), "h3".to_string())];
    w.delete("host:", &filter, WAIT).unwrap();
    assert_eq!(
        client.list_series("host:syn_received", &[]).unwrap().len(),
        3
    );
    sink.shutdown(WAIT).unwrap();
}

#[test]
fn a_full_buffer_drops_the_oldest_and_counts_them() {
    let port = free_port();
    let mut cfg = InfluxConfig::v1(&format!("http://127.0.0.1:{port}"), "weir_full");
    cfg.retry_initial = Duration::from_secs(60);
    cfg.buffer_max_bytes = 2000;
    cfg.gzip = false;
    let backend = InfluxBackend::new(cfg).unwrap();
    let health = backend.health_handle();
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    let s = syn_schema();
    let mut w = sink.writer();
    write_steps(&mut w, &s, 0..20, 10);
    let _ = w.flush(Duration::from_millis(200));
    let h = health.get();
    assert!(h.dropped_points > 0, "{h:?}");
    assert!(h.buffered_bytes <= 2000, "{h:?}");
    assert_eq!(h.dropped_points + h.buffered_points, 200, "{h:?}");
    drop(w);
    let _ = sink.shutdown(Duration::from_millis(100));
}

/// A point not newer than its series' last one is refused and counted, as the embedded
/// store does (InfluxDB would overwrite the step's point with it).
#[test]
fn points_not_newer_than_the_last_are_refused() {
    let port = free_port();
    let mut cfg = InfluxConfig::v1(&format!("http://127.0.0.1:{port}"), "weir_order");
    cfg.retry_initial = Duration::from_secs(60);
    let mut backend = InfluxBackend::new(cfg).unwrap();
    let s = syn_schema();
    let p = |host: &str, v: f64, ts: u64| {
        Point::new(&s, vec!["0".into(), host.into()], vec![v], ts).unwrap()
    };
    let r = backend
        .write_batch(&[p("a", 1.0, T0), p("b", 1.0, T0), p("a", 2.0, T0 + 30)])
        .unwrap();
    assert_eq!((r.written, r.out_of_order), (2, 1), "{r:?}");
    let r = backend
        .write_batch(&[
            p("a", 3.0, T0 - 60),
            p("a", 4.0, T0 + 60),
            p("b", 4.0, T0 + 60),
        ])
        .unwrap();
    assert_eq!((r.written, r.out_of_order), (2, 1), "{r:?}");
    assert_eq!(backend.health_handle().get().buffered_points, 4);
}

/// The same points in the embedded store and in InfluxDB give the same chart data,
/// at the step and re-aggregated, for gauges and counters.
#[test]
fn influxdb_and_embedded_agree() {
    let server = InfluxServer::start();
    let mut reg = registry();
    let gauge = reg
        .define(
            Schema::new("iface:test_gauge", 60, "t")
                .unwrap()
                .with_tags(&["ifid"])
                .unwrap()
                .with_metrics(MetricKind::Gauge, &["v"])
                .unwrap(),
        )
        .unwrap()
        .0;
    let counter = reg.require("host:syn_received").unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    let mut emb = store.writer().unwrap();
    let client = InfluxClient::new(server.config("weir_diff")).with_schemas(reg);
    client.create_database().unwrap();
    let mut points = Vec::new();
    let mut x: u64 = 12345;
    let mut total = 0.0;
    let mut t = T0 + 60; // a 5-minute boundary
    assert_eq!(t % 300, 0);
    for _ in 0..40 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        t += if x >> 60 == 0 { 120 } else { 60 }; // some one-step gaps
        total += ((x >> 33) % 1000) as f64;
        let g = ((x >> 20) % 500) as f64 - 100.0;
        points.push(Point::new(&gauge, vec!["0".into()], vec![g], t).unwrap());
        points.push(Point::new(&counter, vec!["0".into(), "h".into()], vec![total], t).unwrap());
    }
    for p in &points {
        emb.push(p.clone()).unwrap();
    }
    emb.end_step().unwrap();
    client.write_points(&points).unwrap();
    let to = t + 60;
    // An aligned start, and one in the middle of the data (not a multiple of any step).
    for (schema, from) in ["iface:test_gauge", "host:syn_received"]
        .into_iter()
        .flat_map(|s| [(s, T0 + 60), (s, T0 + 60 + 430)])
    {
        for step in [60, 300, 900] {
            for agg in [Agg::Avg, Agg::Max, Agg::Min] {
                let q = Query::new(schema).range(from, to).step(step).agg(agg);
                let a = store.query(&q).unwrap();
                let b = client.query(&q).unwrap();
                assert_eq!(a.step_secs, b.step_secs);
                assert_eq!(a.series.len(), 1);
                assert_eq!(b.series.len(), 1, "{schema} {step} {agg:?}");
                assert!(!a.series[0].points.is_empty());
                let (pa, pb) = (&a.series[0].points, &b.series[0].points);
                let ta: Vec<u64> = pa.iter().map(|p| p.ts).collect();
                let tb: Vec<u64> = pb.iter().map(|p| p.ts).collect();
                assert_eq!(ta, tb, "{schema} from {from} {step} {agg:?}");
                for (x, y) in pa.iter().zip(pb) {
                    let (x, y) = (x.values[0].unwrap(), y.values[0].unwrap());
                    assert!((x - y).abs() < 1e-6, "{schema} {step} {agg:?}: {x} vs {y}");
                }
            }
        }
    }
}

/// 2.x: `/api/v2/write` with org, bucket, precision, a token and a gzipped body.
#[test]
fn v2_writes_carry_the_token_and_gzip() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(sock.try_clone().unwrap());
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push(line.trim_end().to_string());
        }
        let len: usize = head
            .iter()
            .find_map(|h| {
                h.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(|v| v.parse().unwrap())
            })
            .unwrap();
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        sock.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        (head, body)
    });
    let mut cfg = InfluxConfig::v1(&format!("http://127.0.0.1:{port}"), "unused");
    cfg.api = InfluxApi::V2 {
        org: "my org".into(),
        bucket: "weir".into(),
        token: "s3cr3t".into(),
    };
    let client = InfluxClient::new(cfg);
    let s = syn_schema();
    let p = Point::new(&s, vec!["0".into(), "10.0.0.1".into()], vec![42.0], T0 + 5).unwrap();
    client.write_points(&[p]).unwrap();
    let (head, body) = server.join().unwrap();
    assert!(
        head[0].starts_with("POST /api/v2/write?org=my%20org&bucket=weir&precision=s ")
            || head[0].starts_with("POST /api/v2/write?org=my+org&bucket=weir&precision=s "),
        "{head:?}"
    );
    let has = |h: &str| head.iter().any(|l| l.eq_ignore_ascii_case(h));
    assert!(has("authorization: Token s3cr3t"), "{head:?}");
    assert!(has("content-encoding: gzip"), "{head:?}");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(
        text,
        format!("host:syn_received,host=10.0.0.1,ifid=0 syn=42 {T0}\n")
    );
    let _ = Instant::now();
}

#[test]
fn parse_the_command_line_form() {
    let c = InfluxConfig::parse("http://127.0.0.1:8086/weir").unwrap();
    assert_eq!(c.url, "http://127.0.0.1:8086");
    assert_eq!(c.database(), "weir");
    assert!(InfluxConfig::parse("http://127.0.0.1:8086").is_err());
    assert!(InfluxConfig::parse("ftp://x/db").is_err());
}

/// Points/s through the InfluxDB backend (sink thread, gzip, 5000-line requests) to
/// a local `influxd`: 10,000 series × 20 steps. A measurement, not a check:
/// `cargo test -p weir-ts --release --test it -- --ignored influxdb_points_per_second --nocapture`
#[test]
#[ignore = "measurement; run by hand"]
fn influxdb_points_per_second() {
    let server = InfluxServer::start();
    let backend = InfluxBackend::new(server.config("weir_bench")).unwrap();
    let health = backend.health_handle();
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    let s = syn_schema();
    let mut w = sink.writer();
    let hosts: Vec<Vec<String>> = (0..10_000u64)
        .map(|h| {
            vec![
                "0".into(),
                format!("10.{}.{}.{}", h >> 16, (h >> 8) & 255, h & 255),
            ]
        })
        .collect();
    // Warm up: create the database and the series.
    for t in &hosts {
        w.append(&s, t.clone(), vec![0.0], T0).unwrap();
    }
    w.flush(WAIT).unwrap();
    let steps = 20u64;
    let start = Instant::now();
    for step in 1..=steps {
        for (h, t) in hosts.iter().enumerate() {
            w.append(
                &s,
                t.clone(),
                vec![(step * h as u64) as f64],
                T0 + 60 * step,
            )
            .unwrap();
        }
        w.end_step().unwrap();
    }
    w.flush(Duration::from_secs(600)).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let h = health.get();
    assert_eq!(h.sent_points, 10_000 * (steps + 1), "{h:?}");
    let n = 10_000 * steps;
    eprintln!(
        "influxdb: {n} points in {secs:.2} s = {:.0} points/s ({} requests)",
        n as f64 / secs,
        h.requests
    );
}

/// With a spool directory, an outage longer than the memory buffer loses nothing
/// that reached the spool, across a restart of the backend.
#[test]
fn the_spool_keeps_overflow_across_a_restart() {
    let port = free_port();
    let spool = tempfile::tempdir().unwrap();
    let mut cfg = InfluxConfig::v1(&format!("http://127.0.0.1:{port}"), "weir_spool");
    cfg.retry_initial = Duration::from_millis(20);
    cfg.retry_max = Duration::from_millis(100);
    cfg.timeout = Duration::from_secs(2);
    cfg.buffer_max_bytes = 1000;
    cfg.gzip = false;
    cfg.spool_dir = Some(spool.path().to_path_buf());
    let backend = InfluxBackend::new(cfg.clone()).unwrap();
    let health = backend.health_handle();
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    let s = syn_schema();
    let mut w = sink.writer();
    write_steps(&mut w, &s, 0..20, 10);
    let _ = w.flush(Duration::from_millis(300));
    let h = health.get();
    assert_eq!(h.dropped_points, 0, "{h:?}");
    assert!(h.spooled_points > 0 && h.buffered_bytes <= 1000, "{h:?}");
    assert_eq!(h.spooled_points + h.buffered_points, 200, "{h:?}");
    let spooled = h.spooled_points;
    drop(w);
    let _ = sink.shutdown(Duration::from_millis(100));
    // A new process: the spool is sent once the server is up; the memory buffer of
    // the first one is gone.
    let server = InfluxServer::start_on(port);
    let backend = InfluxBackend::new(cfg.clone()).unwrap();
    let health = backend.health_handle();
    assert_eq!(health.get().spooled_points, spooled);
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    sink.flush(WAIT).unwrap();
    let h = health.get();
    assert_eq!(
        (h.sent_points, h.spooled_points, h.dropped_points),
        (spooled, 0, 0),
        "{h:?}\n{}",
        server.log()
    );
    let client = InfluxClient::new(cfg);
    let v = client
        .influxql("SELECT count(\"syn\") FROM \"host:syn_received\"")
        .unwrap();
    assert_eq!(
        v.pointer("/results/0/series/0/values/0/1")
            .and_then(|x| x.as_u64()),
        Some(spooled)
    );
    assert_eq!(std::fs::read_dir(spool.path()).unwrap().count(), 0);
    sink.shutdown(WAIT).unwrap();
}
