//! Ingest rate into ClickHouse: the history writer (batch ids, queue, background
//! thread, spool checks) against the same rows POSTed by a plain HTTP client, in the
//! same run, on the same server.
//!
//! ```text
//! cargo run --release -p weir-history --example clickhouse_ingest [-- URL [FLOWS]]
//! ```
//!
//! Without a URL it starts Debian's `clickhouse-server` on a free loopback port (the
//! test tooling's helper) and uses database `bench`.

#[path = "../tests/support/clickhouse.rs"]
mod server;

use std::time::{Duration, Instant};

use weir_history::FlowRecord;
use weir_history::clickhouse::writer::{self, WriterConfig};
use weir_history::clickhouse::{ClickHouseConfig, Client, tsv};

fn flow(i: u64) -> FlowRecord {
    let mut f = FlowRecord::empty();
    f.probe = "bench".into();
    f.interface = "eth0".into();
    f.l4 = 6;
    f.cli_ip = std::net::IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
    f.srv_ip = std::net::IpAddr::from([192, 0, 2, (i % 200) as u8]);
    f.cli_port = (1024 + i % 60_000) as u16;
    f.srv_port = 443;
    f.first_seen_us = 1_767_225_600_000_000 + i * 10;
    f.last_seen_us = f.first_seen_us + 1_500_000;
    f.cli2srv_bytes = 1200 + i % 777;
    f.srv2cli_bytes = 45_000 + i % 9999;
    f.cli2srv_packets = 12;
    f.srv2cli_packets = 40;
    f.l7_proto = "TLS.YouTube".into();
    f.category = "Media".into();
    f.info = "www.youtube.com".into();
    f
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args
        .get(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let _server;
    let url = match args.first() {
        Some(u) => u.clone(),
        None => {
            let Some(s) = server::ClickHouse::start() else {
                std::process::exit(2)
            };
            let u = format!("{}/bench", s.url);
            _server = s;
            u
        }
    };
    let cfg = ClickHouseConfig::from_url(&url).expect("URL");
    let client = Client::new(cfg.clone());
    let version = client.ensure_schema().expect("schema");
    let flows: Vec<FlowRecord> = (0..n).map(flow).collect();
    let table = client.table("flows");
    let count = || -> u64 {
        client
            .query(&format!("SELECT count() FROM {table}"))
            .expect("count")
            .trim()
            .parse()
            .expect("number")
    };
    client.query(&format!("TRUNCATE TABLE {table}")).ok();
    let before = count();

    // 1. The writer, as a probe uses it: chunks of 1024 flows from the "engine".
    let spool = tempfile::tempdir().expect("spool");
    let mut w = WriterConfig::new(cfg.clone(), "bench", spool.path());
    w.close_timeout = Duration::from_secs(120);
    let t = Instant::now();
    let sink = writer::start(w).expect("writer");
    let tx = sink.sender();
    for c in flows.chunks(1024) {
        tx.flows(c.to_vec());
    }
    drop(tx);
    let rep = sink.close();
    let writer_secs = t.elapsed().as_secs_f64();
    assert_eq!(rep.flows_written, n, "{rep:?}");
    assert_eq!(count() - before, n);

    // 2. Baseline: the same rows, encoded beforehand, POSTed in batches of 50 000.
    let bodies: Vec<Vec<u8>> = flows
        .chunks(50_000)
        .map(|c| {
            let mut b = Vec::new();
            for f in c {
                tsv::flow_row(&mut b, f, "baseline");
            }
            b
        })
        .collect();
    let t = Instant::now();
    for b in &bodies {
        client
            .insert("flows", tsv::FLOW_COLUMNS, b)
            .expect("insert");
    }
    let plain_secs = t.elapsed().as_secs_f64();
    assert_eq!(count() - before, 2 * n);

    let wr = n as f64 / writer_secs;
    let pr = n as f64 / plain_secs;
    println!("ClickHouse {}.{} at {url}, {n} flows", version.0, version.1);
    println!(
        "history writer : {wr:>10.0} flows/s ({writer_secs:.2} s, {} batches)",
        rep.batches_sent
    );
    println!(
        "plain HTTP POST: {pr:>10.0} flows/s ({plain_secs:.2} s, {} batches)",
        bodies.len()
    );
    println!("writer / plain : {:.2}", wr / pr);
}
