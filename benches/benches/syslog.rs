//! Syslog message throughput: (a) parse only (`parse_syslog` and the producer), the
//! baseline; (b) parse + demultiplex + a no-op Lua `handleEvent` per producer;
//! (c) parse + demultiplex + the built-in plugins (suricata_collector,
//! host_log_collector) doing their real work. Same messages, same run.
//!
//! Messages: RFC 3164 and RFC 5424 lines from sshd, sudo, kernel and Suricata (Eve
//! alert, flow, http and dns events), cycled. A summary with messages/s and the ratio
//! to the baseline is printed once, then criterion measures the same cases.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weir_decode::{Timestamp, parse_syslog};
use weir_script::{Output, Runtime, ScriptConfig};

/// Messages per measured batch.
const BATCH: usize = 10_000;

fn messages() -> Vec<Vec<u8>> {
    let eve_alert = r#"{"timestamp": "2022-06-11T09:58:05.622914+0100", "flow_id": 1707007155208468, "in_iface": "eth1", "event_type": "alert", "src_ip": "172.16.253.146", "src_port": 1134, "dest_ip": "38.89.137.248", "dest_port": 1064, "proto": "TCP", "alert": {"action": "allowed", "gid": 1, "signature_id": 2019739, "rev": 3, "signature": "ET TROJAN W32/AlienSpy RAT Checkin", "category": "A Network Trojan was detected", "severity": 1}}"#;
    let eve_flow = r#"{"timestamp": "2022-06-11T09:58:11.000813+0100", "flow_id": 2111408389227837, "event_type": "flow", "src_ip": "192.168.1.90", "src_port": 58335, "dest_ip": "8.8.4.4", "dest_port": 53, "proto": "UDP", "app_proto": "dns", "flow": {"pkts_toserver": 2, "pkts_toclient": 0, "bytes_toserver": 158, "bytes_toclient": 0, "start": "2022-06-11T09:57:40.853309+0100", "end": "2022-06-11T09:57:40.853631+0100", "age": 0, "state": "new", "reason": "timeout", "alerted": false}}"#;
    let eve_http = r#"{"timestamp": "2022-06-11T09:57:56.622391+0100", "flow_id": 768367821880387, "src_ip": "172.16.0.1", "event_type": "http", "dest_port": 80, "src_port": 46350, "dest_ip": "192.168.10.50", "proto": "TCP", "tx_id": 56, "http": {"url": "/dv/login.php", "hostname": "205.174.165.68", "http_user_agent": "Mozilla/5.0", "http_content_type": "text/html", "http_method": "GET", "protocol": "HTTP/1.1", "length": 714, "status": 200}}"#;
    let eve_dns = r#"{"timestamp": "2022-06-11T09:58:10.100000+0100", "flow_id": 47, "event_type": "dns", "src_ip": "192.168.1.90", "src_port": 58336, "dest_ip": "8.8.4.4", "dest_port": 53, "proto": "UDP", "dns": {"type": "query", "id": 16000, "rrname": "example.com", "rrtype": "A", "tx_id": 0}}"#;
    let mut v = Vec::new();
    for (i, eve) in [eve_alert, eve_flow, eve_http, eve_dns].iter().enumerate() {
        v.push(format!(
            "<129>Jun 11 09:58:0{i} sensor1 suricata[3282]: {eve}"
        ));
    }
    v.push("<38>Nov 26 22:08:40 web1 sshd[7001]: Failed password for root from 203.0.113.9 port 40001 ssh2".into());
    v.push("<38>1 2026-11-26T22:08:48.000Z web1 sshd 7003 - - Invalid user test from 2001:db8::66 port 1022".into());
    v.push("<85>Nov 26 22:09:05 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id".into());
    v.push("<6>1 2026-11-26T22:10:05.000Z web1 kernel - - - e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex".into());
    v.into_iter().map(String::into_bytes).collect()
}

/// A plugin with one no-op syslog script per producer of [`messages`].
fn noop_plugin(dir: &Path) -> PathBuf {
    let root = dir.join("noop");
    let syslog = root.join("user_scripts/syslog");
    std::fs::create_dir_all(&syslog).expect("plugin dir");
    for p in ["suricata", "sshd", "sudo", "kernel"] {
        std::fs::write(
            syslog.join(format!("{p}.lua")),
            "local s = { hooks = {}, gui = { i18n_title = \"noop\", i18n_description = \"noop\" } }\n\
             function s.hooks.handleEvent(message) end\nreturn s\n",
        )
        .expect("script");
    }
    root
}

fn runtime(roots: Vec<PathBuf>) -> Runtime {
    let cfg = ScriptConfig {
        roots,
        output: Output::Discard,
        ..ScriptConfig::default()
    };
    let (rt, report) = Runtime::load(cfg).expect("runtime");
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    rt
}

/// Parse only: the message and its producer.
fn parse_only(msgs: &[Vec<u8>]) -> usize {
    let mut n = 0;
    for m in msgs {
        if let Ok(p) = parse_syslog(m) {
            n += p.default_producer().map_or(0, |s| s.len());
        }
    }
    n
}

/// Parse, find the producer, hand the content to its script (as the syslog worker).
fn through_lua(rt: &mut Runtime, msgs: &[Vec<u8>], now: Timestamp) -> usize {
    let mut handled = 0;
    for m in msgs {
        let Ok(p) = parse_syslog(m) else { continue };
        let producer = p.default_producer().unwrap_or_default();
        let content = String::from_utf8_lossy(p.content);
        let host = p.hostname.unwrap_or("127.0.0.1");
        if rt.syslog_event(now, &producer, &content, host, p.priority) {
            handled += 1;
        }
    }
    handled
}

fn batch() -> Vec<Vec<u8>> {
    messages().into_iter().cycle().take(BATCH).collect()
}

fn summary(msgs: &[Vec<u8>], noop: &mut Runtime, builtin: &mut Runtime) {
    let now = Timestamp(1_767_225_600_000_000);
    let rate = |f: &mut dyn FnMut() -> usize| {
        f(); // warm-up
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..10 {
            n += black_box(f()).min(1);
        }
        let secs = t.elapsed().as_secs_f64();
        black_box(n);
        (msgs.len() * 10) as f64 / secs
    };
    let base = rate(&mut || parse_only(msgs));
    let lua = rate(&mut || through_lua(noop, msgs, now));
    let real = rate(&mut || through_lua(builtin, msgs, now));
    println!("syslog summary ({} messages x 10):", msgs.len());
    println!("  parse only (baseline)                 {base:>12.0} msg/s");
    println!(
        "  parse + demux + no-op Lua handleEvent {lua:>12.0} msg/s  ({:.1}x the baseline's cost, {:.2} µs/msg)",
        base / lua,
        1e6 / lua
    );
    println!(
        "  parse + demux + built-in plugins      {real:>12.0} msg/s  ({:.1}x, {:.2} µs/msg)",
        base / real,
        1e6 / real
    );
    println!("  built-in plugins, per message kind:");
    for m in messages() {
        let one = vec![m.clone(); 2000];
        let r =
            rate(&mut || through_lua(builtin, &one, now)) * (one.len() as f64 / msgs.len() as f64);
        let text = String::from_utf8_lossy(&m);
        let head: String = text.chars().take(60).collect();
        println!("    {:>8.2} µs/msg  {head}", 1e6 / r);
    }
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("weir-bench-syslog-{}", std::process::id()));
    let noop_root = noop_plugin(&dir);
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    let mut noop = runtime(vec![noop_root]);
    let mut builtin = runtime(vec![
        plugins.join("suricata_collector"),
        plugins.join("host_log_collector"),
    ]);
    let msgs = batch();
    summary(&msgs, &mut noop, &mut builtin);
    let now = Timestamp(1_767_225_600_000_000);
    let mut g = c.benchmark_group("syslog");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    g.bench_function("parse_only", |b| b.iter(|| parse_only(black_box(&msgs))));
    g.bench_function("parse_demux_noop_lua", |b| {
        b.iter(|| through_lua(&mut noop, black_box(&msgs), now))
    });
    g.bench_function("parse_demux_builtin_plugins", |b| {
        b.iter(|| through_lua(&mut builtin, black_box(&msgs), now))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
