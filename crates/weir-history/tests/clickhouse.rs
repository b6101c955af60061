//! The ClickHouse writer and reader against a real `clickhouse-server` (started by
//! the test tooling: tests/support/clickhouse.rs). Skips loudly when the server is
//! not installed.

mod support;

use std::time::Duration;

use support::clickhouse::ClickHouse;
use weir_history::clickhouse::writer::{self, WriterConfig};
use weir_history::clickhouse::{ClickHouseConfig, ClickHouseReader};
use weir_history::{
    AlertRecord, FlowFilter, FlowQuery, FlowRecord, GroupBy, HistoryReader, Retention,
    SqliteHistory,
};

fn flow(i: u64, probe: &str) -> FlowRecord {
    let mut f = FlowRecord::empty();
    f.probe = probe.into();
    f.interface = "eth0".into();
    f.l4 = if i.is_multiple_of(3) { 17 } else { 6 };
    f.cli_ip = std::net::IpAddr::from([10, 0, (i % 7) as u8, 1]);
    f.srv_ip = if i.is_multiple_of(5) {
        "2001:db8::53".parse().unwrap()
    } else {
        std::net::IpAddr::from([192, 0, 2, (i % 11) as u8])
    };
    f.cli_port = (i % 60_000) as u16;
    f.srv_port = [53, 443, 80][(i % 3) as usize];
    f.first_seen_us = 1_700_000_000_000_000 + i * 1_000;
    f.last_seen_us = f.first_seen_us + 2_000_000;
    f.cli2srv_bytes = 100 + i % 13;
    f.srv2cli_bytes = 1000 + i % 17;
    f.cli2srv_packets = 2;
    f.srv2cli_packets = 3;
    f.l7_proto = ["DNS", "TLS.YouTube", "HTTP"][(i % 3) as usize].into();
    f.category = "Web".into();
    f.risks = i % 4;
    f.statuses = 1 << (i % 64);
    f.score = (i % 300) as u32;
    f.info = if i.is_multiple_of(9) {
        "tab\there\\".into()
    } else {
        "example.org".into()
    };
    f
}

fn alert(i: u64, probe: &str) -> AlertRecord {
    AlertRecord {
        probe: probe.into(),
        ifid: 0,
        kind: "flow".into(),
        action: "store".into(),
        alert_type: 12,
        alert_name: "alert_ndpi_tls_old_protocol_version".into(),
        severity: 4,
        entity: 4,
        entity_val: "flow".into(),
        tstamp: 1_700_000_000 + i,
        tstamp_end: 0,
        score: 50,
        cli_ip: "10.0.0.1".into(),
        srv_ip: "192.0.2.1".into(),
        json: format!("{{\"i\":{i},\"s\":\"a\\tb\"}}"),
    }
}

fn cfg(ch: &ClickHouse, db: &str) -> ClickHouseConfig {
    ClickHouseConfig::from_url(&format!("{}/{db}", ch.url)).unwrap()
}

fn writer_cfg(server: ClickHouseConfig, probe: &str, spool: &std::path::Path) -> WriterConfig {
    let mut w = WriterConfig::new(server, probe, spool);
    w.batch_rows = 1000;
    w.flush_interval = Duration::from_millis(100);
    w.close_timeout = Duration::from_secs(20);
    w
}

#[test]
fn clickhouse_and_sqlite_answer_the_same_queries() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let flows: Vec<FlowRecord> = (0..5000)
        .map(|i| flow(i, if i.is_multiple_of(2) { "a" } else { "b" }))
        .collect();
    let sink = writer::start(writer_cfg(cfg(&ch, "hist"), "a", spool.path())).unwrap();
    let tx = sink.sender();
    for chunk in flows.chunks(700) {
        tx.flows(chunk.to_vec());
    }
    tx.alerts((0..10).map(|i| alert(i, "a")).collect());
    drop(tx);
    let rep = sink.close();
    assert_eq!(rep.flows_written, 5000, "{rep:?}");
    assert_eq!(rep.alerts_written, 10, "{rep:?}");
    assert_eq!(rep.errors, 0, "{rep:?}");
    assert_eq!(ch.count("SELECT count() FROM hist.flows"), 5000);
    assert_eq!(
        ch.count("SELECT count() FROM hist.alerts WHERE probe = 'a'"),
        10
    );
    // The JSON of an alert survives escaping.
    let j = ch
        .sql("SELECT json FROM hist.alerts WHERE tstamp = 1700000003 FORMAT TabSeparatedRaw")
        .unwrap();
    assert_eq!(j.trim_end(), "{\"i\":3,\"s\":\"a\\tb\"}");

    let dir = tempfile::tempdir().unwrap();
    let mut sq = SqliteHistory::open_dir(dir.path(), Retention::default()).unwrap();
    sq.insert(&flows).unwrap();
    let sqr = sq.reader().unwrap();
    let chr = ClickHouseReader::new(cfg(&ch, "hist"));
    let filters = [
        FlowFilter::default(),
        FlowFilter {
            host: Some("2001:db8::53".into()),
            ..Default::default()
        },
        FlowFilter {
            l7: Some("youtube".into()),
            probe: Some("b".into()),
            ..Default::default()
        },
        FlowFilter {
            since: Some(1_700_000_003),
            until: Some(1_700_000_004),
            ..Default::default()
        },
    ];
    for f in &filters {
        let q = FlowQuery {
            filter: f.clone(),
            limit: 50,
            offset: 20,
        };
        let a = sqr.flows(&q).unwrap();
        let b = chr.flows(&q).unwrap();
        assert_eq!(a.total, b.total, "{f:?}");
        let key = |r: &FlowRecord| (r.last_seen_us, r.first_seen_us, r.probe.clone());
        let mut ak: Vec<_> = a.flows.iter().map(key).collect();
        let mut bk: Vec<_> = b.flows.iter().map(key).collect();
        ak.sort();
        bk.sort();
        assert_eq!(ak, bk, "{f:?}");
        for by in [
            GroupBy::Host,
            GroupBy::L7,
            GroupBy::ServerPort,
            GroupBy::Probe,
        ] {
            assert_eq!(
                sqr.top(f, by, 5).unwrap(),
                chr.top(f, by, 5).unwrap(),
                "{f:?} {by:?}"
            );
        }
    }
    // Every field round-trips through ClickHouse.
    let all = chr
        .flows(&FlowQuery {
            filter: FlowFilter::default(),
            limit: 10_000,
            offset: 0,
        })
        .unwrap();
    let mut got = all.flows;
    got.sort_by_key(|f| f.first_seen_us);
    assert_eq!(got, flows);
    assert_eq!(chr.probes().unwrap(), ["a", "b"]);
}

#[test]
fn refused_inserts_are_counted_spooled_and_sent_once_fixed() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    // Create the schema first, as the right user.
    let ok = cfg(&ch, "refused");
    weir_history::clickhouse::Client::new(ok.clone())
        .ensure_schema()
        .unwrap();

    // Wrong password.
    let mut bad = ok.clone();
    bad.user = Some("weir".into());
    bad.password = Some("wrong".into());
    let sink = writer::start(writer_cfg(bad, "p", spool.path())).unwrap();
    sink.sender()
        .flows((0..300).map(|i| flow(i, "p")).collect());
    let rep = sink.close();
    assert!(rep.errors > 0 && rep.flows_written == 0, "{rep:?}");
    assert!(
        rep.last_error.contains("password") || rep.last_error.contains("Authentication"),
        "{}",
        rep.last_error
    );
    assert!(
        rep.last_error.contains(&ch.url),
        "names the server: {}",
        rep.last_error
    );
    assert_eq!(rep.flows_dropped, 0);

    // A read-only user (the refused-insert case of a server that cannot write).
    let mut ro = ok.clone();
    ro.user = Some("reader".into());
    let sink = writer::start(writer_cfg(ro, "p", spool.path())).unwrap();
    sink.sender()
        .flows((300..500).map(|i| flow(i, "p")).collect());
    let rep = sink.close();
    assert!(rep.errors > 0 && rep.flows_written == 0, "{rep:?}");
    assert!(
        rep.last_error.to_lowercase().contains("readonly"),
        "{}",
        rep.last_error
    );
    assert_eq!(ch.count("SELECT count() FROM refused.flows"), 0);

    // Right credentials: the spooled batches of both runs go in, once.
    let mut good = ok;
    good.user = Some("weir".into());
    good.password = Some("secret".into());
    let sink = writer::start(writer_cfg(good, "p", spool.path())).unwrap();
    let rep = sink.close();
    assert_eq!(rep.flows_written, 500, "{rep:?}");
    assert_eq!(ch.count("SELECT count() FROM refused.flows"), 500);
    assert_eq!(
        ch.count("SELECT uniqExact(first_seen_us) FROM refused.flows"),
        500
    );
    assert_eq!(
        std::fs::read_dir(spool.path()).unwrap().count(),
        0,
        "spool emptied"
    );
}

#[test]
fn a_full_spool_drops_and_counts() {
    // No server at all on this port: everything goes to a tiny spool.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spool = tempfile::tempdir().unwrap();
    let server = ClickHouseConfig::from_url(&format!("http://127.0.0.1:{port}/x")).unwrap();
    let mut w = writer_cfg(server, "p", spool.path());
    w.spool_max_bytes = 20_000;
    w.batch_rows = 50;
    w.close_timeout = Duration::from_millis(300);
    let sink = writer::start(w).unwrap();
    sink.sender()
        .flows((0..1000).map(|i| flow(i, "p")).collect());
    let rep = sink.close();
    assert!(rep.flows_dropped > 0, "{rep:?}");
    assert!(rep.batches_spooled > 0, "{rep:?}");
    assert!(rep.spool_bytes <= 20_000, "{rep:?}");
    assert_eq!(
        rep.flows_dropped + rep.batches_spooled * 50,
        1000,
        "{rep:?}"
    );
    assert!(rep.last_error.contains("127.0.0.1"), "{}", rep.last_error);
}

#[test]
fn malformed_answers_are_clear_errors() {
    // A server that answers HTTP 200 with nonsense to everything.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut buf = [0u8; 65536];
                let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
                let _ = s.read(&mut buf);
                let body = "<html>not clickhouse</html>\tx\ty\n";
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    let server = ClickHouseConfig::from_url(&format!("http://127.0.0.1:{port}/x")).unwrap();
    let e = weir_history::clickhouse::Client::new(server.clone())
        .ensure_schema()
        .unwrap_err();
    assert!(e.to_string().contains("malformed"), "{e}");
    let r = ClickHouseReader::new(server.clone());
    let e = r.flows(&FlowQuery::default()).unwrap_err();
    assert!(e.to_string().contains("malformed"), "{e}");
    let e = r.top(&FlowFilter::default(), GroupBy::Host, 3).unwrap_err();
    assert!(e.to_string().contains("malformed"), "{e}");
    let spool = tempfile::tempdir().unwrap();
    let mut w = writer_cfg(server, "p", spool.path());
    w.close_timeout = Duration::from_millis(300);
    let sink = writer::start(w).unwrap();
    sink.sender().flows((0..10).map(|i| flow(i, "p")).collect());
    let rep = sink.close();
    assert!(rep.errors > 0 && rep.batches_spooled == 1, "{rep:?}");
}

#[test]
fn kill9_during_writes_loses_and_duplicates_nothing() {
    let Some(mut ch) = ClickHouse::start() else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let mut w = writer_cfg(cfg(&ch, "k9"), "p", spool.path());
    w.batch_rows = 200;
    w.flush_interval = Duration::from_millis(20);
    w.close_timeout = Duration::from_secs(60);
    let sink = writer::start(w).unwrap();
    let tx = sink.sender();
    let total = 30_000u64;
    for i in 0..total / 100 {
        tx.flows((i * 100..(i + 1) * 100).map(|j| flow(j, "p")).collect());
        std::thread::sleep(Duration::from_millis(2));
        if i == 100 {
            ch.kill9();
        }
        if i == 200 {
            ch.restart();
        }
    }
    drop(tx);
    let rep = sink.close();
    assert!(
        rep.batches_spooled > 0,
        "the server was down for a while: {rep:?}"
    );
    assert_eq!(rep.flows_written, total, "{rep:?}");
    assert_eq!(rep.flows_dropped, 0, "{rep:?}");
    assert_eq!(ch.count("SELECT count() FROM k9.flows"), total);
    assert_eq!(
        ch.count("SELECT uniqExact(first_seen_us) FROM k9.flows"),
        total
    );
}
