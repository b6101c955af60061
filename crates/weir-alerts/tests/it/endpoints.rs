//! Endpoints against real receivers on loopback: NDJSON files, syslog over UDP and
//! TCP, a webhook HTTP server that records posts and can be made to fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use weir_alerts::*;

use crate::common::*;

fn engine_with(ep: &EndpointHandle) -> AlertEngine {
    let mut e = AlertEngine::new(EngineConfig::default(), registry());
    e.add_endpoint(ep.sender());
    e
}

fn host_alerts(e: &mut AlertEngine, n: usize) {
    for i in 0..n {
        let sev = Severity::ALL[i % Severity::ALL.len()];
        e.store(
            Entity::host(format!("10.9.0.{i}"), 0),
            TypeInfo::new(builtin::CONNECTION_ISSUES, sev).params(serde_json::json!({"i": i})),
            T0 + i as u64,
        );
    }
}

#[test]
fn ndjson_file_writes_one_alert_per_line_and_rotates_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/alerts.ndjson");
    let mut cfg = NdjsonConfig::new(&path);
    cfg.max_bytes = 4096;
    cfg.keep = 2;
    let p2 = cfg.clone();
    let mut ecfg = EndpointConfig::new("file");
    ecfg.filter.min_severity = Severity::Debug;
    let ep = spawn_endpoint(ecfg, move || NdjsonFile::open(p2)).unwrap();
    let mut e = engine_with(&ep);
    for i in 0..100 {
        e.store_flow(flow_alert(i));
    }
    ep.flush(WAIT).unwrap();
    let files = [
        path.clone(),
        dir.path().join("out/alerts.ndjson.1"),
        dir.path().join("out/alerts.ndjson.2"),
    ];
    let mut lines = Vec::new();
    for f in &files {
        let meta = std::fs::metadata(f).unwrap();
        assert!(meta.len() <= 4096, "{f:?} is {} bytes", meta.len());
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let n: Notification = serde_json::from_str(line).unwrap();
            lines.push(n);
        }
    }
    assert!(!dir.path().join("out/alerts.ndjson.3").exists());
    // The newest lines are kept, in order, each a complete notification.
    let mut infos: Vec<u64> = lines
        .iter()
        .map(|n| match &n.record {
            AlertRecord::Flow(f) => f.info.parse().unwrap(),
            AlertRecord::Alert(_) => panic!("unexpected record"),
        })
        .collect();
    infos.sort_unstable();
    assert_eq!(*infos.last().unwrap(), 99);
    assert!(
        infos.windows(2).all(|w| w[1] == w[0] + 1),
        "contiguous: {infos:?}"
    );
    assert_eq!(ep.shutdown(WAIT).unwrap().delivered, 100);
}

#[test]
fn syslog_over_udp_sends_rfc5424_filtered_by_severity() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(WAIT)).unwrap();
    let addr = rx.local_addr().unwrap();
    let mut ecfg = EndpointConfig::new("syslog-udp");
    ecfg.filter.min_severity = Severity::Error;
    let ep = spawn_endpoint(ecfg, move || {
        Syslog::connect(SyslogConfig::new(addr, SyslogTransport::Udp))
    })
    .unwrap();
    let mut e = engine_with(&ep);
    host_alerts(&mut e, 8); // one per severity: error, critical, alert, emergency pass
    ep.flush(WAIT).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    for _ in 0..4 {
        let n = rx.recv(&mut buf).unwrap();
        got.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    // local0 = 16: PRI = 128 + syslog level (error 3 … emergency 0).
    let pris: Vec<&str> = got.iter().map(|m| &m[..m.find('>').unwrap() + 1]).collect();
    assert_eq!(pris, ["<131>", "<130>", "<129>", "<128>"]);
    let first = &got[0];
    assert!(
        first.starts_with("<131>1 2023-11-14T22:13:24Z - weir - store - {"),
        "{first}"
    );
    let json = &first[first.find('{').unwrap()..];
    let n: Notification = serde_json::from_str(json).unwrap();
    assert_eq!(n.record.entity().value, "10.9.0.4@0");
    assert_eq!(ep.shutdown(WAIT).unwrap().delivered, 4);
}

/// Reads RFC 6587 octet-counted frames from a TCP stream.
fn read_frames(stream: TcpStream, tx: Sender<String>) {
    let mut r = BufReader::new(stream);
    loop {
        let mut len = Vec::new();
        if r.read_until(b' ', &mut len).unwrap_or(0) == 0 {
            return;
        }
        let n: usize = std::str::from_utf8(&len[..len.len() - 1])
            .unwrap()
            .parse()
            .unwrap();
        let mut msg = vec![0u8; n];
        if r.read_exact(&mut msg).is_err() {
            return;
        }
        if tx.send(String::from_utf8(msg).unwrap()).is_err() {
            return;
        }
    }
}

#[test]
fn syslog_over_tcp_uses_octet_counting_and_survives_a_receiver_restart() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = unbounded();
    let (conn_tx, conn_rx) = unbounded::<TcpStream>();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { return };
            let _ = conn_tx.send(s.try_clone().unwrap());
            let tx = tx.clone();
            std::thread::spawn(move || read_frames(s, tx));
        }
    });
    let mut ecfg = EndpointConfig::new("syslog-tcp");
    ecfg.filter.entities = Some(vec![EntityKind::Flow]);
    let ep = spawn_endpoint(ecfg, move || {
        Syslog::connect(SyslogConfig::new(addr, SyslogTransport::Tcp))
    })
    .unwrap();
    let mut e = engine_with(&ep);
    host_alerts(&mut e, 3); // filtered out: not flows
    for i in 0..3 {
        e.store_flow(flow_alert(i));
    }
    ep.flush(WAIT).unwrap();
    let msgs: Vec<String> = (0..3).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
    for (i, m) in msgs.iter().enumerate() {
        assert!(m.starts_with("<13"), "{m}");
        let n: Notification = serde_json::from_str(&m[m.find('{').unwrap()..]).unwrap();
        let AlertRecord::Flow(f) = n.record else {
            panic!("{m}")
        };
        assert_eq!(f.info, i.to_string());
    }
    // The receiver drops the connection: the endpoint reconnects and nothing is lost.
    let first = conn_rx.recv_timeout(WAIT).unwrap();
    first.shutdown(std::net::Shutdown::Both).unwrap();
    drop(first);
    let deadline = Instant::now() + WAIT;
    let mut i = 3;
    let mut delivered_after = Vec::new();
    while delivered_after.len() < 2 && Instant::now() < deadline {
        e.store_flow(flow_alert(i));
        i += 1;
        ep.flush(WAIT).unwrap();
        while let Ok(m) = rx.try_recv() {
            delivered_after.push(m);
        }
        if delivered_after.len() < 2 {
            // Wait for the new connection's reader, bounded.
            if let Ok(m) = rx.recv_timeout(Duration::from_millis(200)) {
                delivered_after.push(m);
            }
        }
    }
    assert!(delivered_after.len() >= 2, "no delivery after reconnect");
    let st = ep.shutdown(WAIT).unwrap();
    assert_eq!(st.queued, i, "only flow alerts queued");
    assert!(
        st.failed <= 1,
        "at most the message in flight when the peer vanished: {st:?}"
    );
}

/// A minimal HTTP/1.1 server: records request bodies, answers 503 to the first
/// `fail_first` requests (or always, with `usize::MAX`), else 204.
struct HttpServer {
    addr: SocketAddr,
    bodies: Receiver<String>,
    requests: Arc<AtomicUsize>,
}

fn http_server(fail_first: usize, respond: bool) -> HttpServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = unbounded();
    let fails = Arc::new(AtomicUsize::new(fail_first));
    let requests = Arc::new(AtomicUsize::new(0));
    let reqs = Arc::clone(&requests);
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { return };
            let (tx, fails, reqs) = (tx.clone(), Arc::clone(&fails), Arc::clone(&reqs));
            std::thread::spawn(move || serve(s, &tx, &fails, &reqs, respond));
        }
    });
    HttpServer {
        addr,
        bodies: rx,
        requests,
    }
}

fn serve(
    s: TcpStream,
    tx: &Sender<String>,
    fails: &AtomicUsize,
    reqs: &AtomicUsize,
    respond: bool,
) {
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    loop {
        let mut len = 0usize;
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        assert!(line.starts_with("POST "), "{line}");
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        reqs.fetch_add(1, Ordering::AcqRel);
        if !respond {
            // A dead receiver: read, never answer.
            continue;
        }
        let failing = fails
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |f| f.checked_sub(1))
            .is_ok();
        let status = if failing {
            "503 Service Unavailable"
        } else {
            "204 No Content"
        };
        if !failing {
            let _ = tx.send(String::from_utf8(body).unwrap());
        }
        if w.write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n").as_bytes())
            .is_err()
        {
            return;
        }
    }
}

fn webhook(addr: SocketAddr, retries: u32, name: &str) -> EndpointHandle {
    let mut cfg = WebhookConfig::new(format!("http://{addr}/alerts"));
    cfg.max_retries = retries;
    cfg.backoff_initial = Duration::from_millis(10);
    cfg.backoff_max = Duration::from_millis(40);
    cfg.timeout = Duration::from_secs(2);
    spawn_endpoint(EndpointConfig::new(name), move || Webhook::new(cfg)).unwrap()
}

#[test]
fn webhook_retries_with_backoff_then_delivers() {
    let srv = http_server(2, true);
    let ep = webhook(srv.addr, 3, "hook");
    let mut e = engine_with(&ep);
    for i in 0..5 {
        e.store_flow(flow_alert(i));
    }
    ep.flush(WAIT).unwrap();
    let mut got = Vec::new();
    while let Ok(body) = srv.bodies.try_recv() {
        let v: Vec<Notification> = serde_json::from_str(&body).unwrap();
        got.extend(v);
    }
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|n| n.action == Action::Store));
    assert!(
        srv.requests.load(Ordering::Acquire) >= 3,
        "2 failures + success"
    );
    let st = ep.shutdown(WAIT).unwrap();
    assert_eq!((st.delivered, st.failed), (5, 0));
}

#[test]
fn webhook_gives_up_counts_and_reports() {
    let srv = http_server(usize::MAX, true);
    let d = db();
    let ep = webhook(srv.addr, 2, "down");
    let mut e = engine_for(&d);
    e.add_endpoint(ep.sender());
    e.store_flow(flow_alert(0));
    ep.flush(WAIT).unwrap();
    assert_eq!(srv.requests.load(Ordering::Acquire), 3, "1 try + 2 retries");
    assert_eq!(ep.stats().failed, 1);
    e.tick(T0 + 60);
    e.flush(WAIT).unwrap();
    let mut q = AlertQuery::past();
    q.alert_type = Some(builtin::DROPPED_ALERTS);
    let r = d.store.query(&q).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].entity(), &Entity::interface(0));
    ep.shutdown(WAIT).unwrap();
}

#[test]
fn a_dead_webhook_never_slows_alerting() {
    let srv = http_server(0, false);
    let mut cfg = WebhookConfig::new(format!("http://{}/", srv.addr));
    cfg.timeout = Duration::from_millis(300);
    cfg.max_retries = 0;
    let mut ecfg = EndpointConfig::new("dead");
    ecfg.queue_capacity = 16;
    let ep = spawn_endpoint(ecfg, move || Webhook::new(cfg)).unwrap();
    let d = db();
    let mut e = engine_for(&d);
    e.add_endpoint(ep.sender());
    let start = Instant::now();
    for i in 0..20_000 {
        e.store_flow(flow_alert(i));
    }
    let took = start.elapsed();
    // 20k alerts behind a receiver that never answers: the engine did not wait for it
    // (one request alone takes 300 ms to time out).
    assert!(took < Duration::from_secs(20), "{took:?}");
    let st = ep.stats();
    assert!(st.dropped >= 20_000 - 16 - 256 - 1, "{st:?}");
    e.flush(WAIT).unwrap();
    assert_eq!(d.store.count(AlertTable::Flow).unwrap(), 20_000);
    ep.shutdown(WAIT).unwrap();
}
