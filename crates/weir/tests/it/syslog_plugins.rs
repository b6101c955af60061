//! The built-in syslog plugins end to end, with the real `weir` binary and the real
//! `logger` (util-linux): Suricata Eve alerts that set flow statuses on flows of a
//! replayed capture (`weir run --pcap ... --syslog ...`), the shared real Eve log, host
//! logs becoming host alerts, and the overflow of the listener queue raising an alert.

use crate::common;
use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{logger, syslog_daemon as start};

/// `logger TRANSPORT -n 127.0.0.1 -P PORT -t TAG MESSAGE`.
fn log_to(transport: &str, port: &str, tag: &str, message: &str) {
    logger(&[transport, "-n", "127.0.0.1", "-P", port, "-t", tag, message]);
}

/// Alerts in the store of `data` (`weir alerts --json` with `filter`).
fn alerts(data: &str, filter: &str) -> Vec<Value> {
    let o = common::weir(&["alerts", filter, "--json", "--data-dir", data]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    common::stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Polls the store until `ok` holds for its alerts (a wait, not a timing check: the
/// daemon stores asynchronously; 60 s at most, then the test fails with what it saw).
fn wait_alerts(data: &str, filter: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let a = alerts(data, filter);
        if ok(&a) {
            return a;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "store never got there; {filter} alerts: {a:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn named<'a>(a: &'a [Value], name: &str) -> Vec<&'a Value> {
    a.iter().filter(|x| x["alert_name"] == name).collect()
}

fn json_of(a: &Value) -> Value {
    serde_json::from_str(a["alert_json"].as_str().unwrap()).unwrap()
}

/// An Eve `alert` event (Suricata's documented format).
fn eve_alert(
    ts: &str,
    src: (&str, u16),
    dst: (&str, u16),
    proto: &str,
    sig: &str,
    sev: u8,
) -> String {
    eve_alert_vlan(ts, src, dst, proto, sig, sev, 0)
}

/// [`eve_alert`] on a VLAN (Eve's `vlan` array; none when 0).
fn eve_alert_vlan(
    ts: &str,
    src: (&str, u16),
    dst: (&str, u16),
    proto: &str,
    sig: &str,
    sev: u8,
    vlan: u64,
) -> String {
    let mut ev = serde_json::json!({
        "timestamp": ts,
        "flow_id": 1_234_567,
        "in_iface": "eth0",
        "event_type": "alert",
        "src_ip": src.0, "src_port": src.1,
        "dest_ip": dst.0, "dest_port": dst.1,
        "proto": proto,
        "alert": {
            "action": "allowed", "gid": 1, "signature_id": 2_100_498, "rev": 7,
            "signature": sig, "category": "Potentially Bad Traffic", "severity": sev,
        },
    });
    if vlan != 0 {
        ev["vlan"] = serde_json::json!([vlan]);
    }
    ev.to_string()
}

/// Eve timestamp (UTC) of an epoch second.
fn eve_ts(epoch: u64) -> String {
    let days = epoch / 86_400;
    let secs = epoch % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.250000+0000",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn suricata_alerts_set_flow_statuses_on_flows_of_a_replayed_capture() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    // 20 s of traffic: every UDP flow is still tracked when the replay ends (idle
    // timeout 60 s), and weir keeps the table until it stops because syslog runs.
    let pcap = dir.path().join("c.pcap");
    let o = common::weir(&[
        "gen-pcap",
        "--flows",
        "20",
        "--seed",
        "3",
        "--scenario",
        "none",
        "--duration",
        "20",
        "--out",
        pcap.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let flows = common::weir(&["flows", pcap.to_str().unwrap(), "--json"]);
    let udp: Vec<Value> = common::stdout(&flows)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|f| f["proto.l4"] == "UDP")
        .collect();
    assert!(udp.len() >= 3, "the capture has UDP flows: {udp:?}");

    let p = pcap.to_str().unwrap();
    let (mut weir, _udp_port, tcp) = start(&["--pcap", p, "--data-dir", d]);
    weir.wait_for("flows kept for syslog flow statuses");
    let t = tcp.to_string();
    let mut expected = Vec::new();
    for (i, f) in udp.iter().enumerate() {
        let cli = (
            f["cli.ip"].as_str().unwrap(),
            f["cli.port"].as_u64().unwrap() as u16,
        );
        let srv = (
            f["srv.ip"].as_str().unwrap(),
            f["srv.port"].as_u64().unwrap() as u16,
        );
        // Every other event names the flow server → client: either direction matches.
        let (src, dst) = if i % 2 == 0 { (cli, srv) } else { (srv, cli) };
        let sig = format!("WEIR TEST signature {i}");
        let ts = eve_ts(f["seen.first"].as_u64().unwrap());
        log_to(
            "--tcp",
            &t,
            "suricata",
            &eve_alert_vlan(&ts, src, dst, "UDP", &sig, 1, f["vlan"].as_u64().unwrap()),
        );
        expected.push((sig, cli, srv));
    }
    // A tuple nobody tracks, and a tracked tuple at a time far from the flow's.
    let first = &expected[0];
    log_to(
        "--tcp",
        &t,
        "suricata",
        &eve_alert(
            &eve_ts(1_767_225_600),
            ("10.99.0.1", 1),
            ("10.99.0.2", 2),
            "TCP",
            "untracked",
            2,
        ),
    );
    log_to(
        "--tcp",
        &t,
        "suricata",
        &eve_alert(
            "2020-01-01T00:00:00.000000+0000",
            first.1,
            first.2,
            "UDP",
            "too old",
            2,
        ),
    );

    let n = expected.len();
    let flow_alerts = wait_alerts(d, "--flow", |a| named(a, "alert_external_alert").len() >= n);
    // Host alerts too: one per event, tracked or not.
    let past = wait_alerts(d, "--past", |a| {
        named(a, "alert_external_alert").len() >= n + 2
    });
    let run = weir.sigterm_json();
    assert_eq!(
        run["syslog"]["flow_statuses"],
        serde_json::json!({"requested": n + 2, "applied": n, "not_tracked": 2, "dropped": 0}),
        "{run}"
    );
    assert_eq!(run["syslog"]["handler_errors"], 0, "{run}");
    let flow_alerts = named(&flow_alerts, "alert_external_alert");
    assert_eq!(flow_alerts.len(), n, "{flow_alerts:#?}");
    for (sig, cli, srv) in &expected {
        let a = flow_alerts
            .iter()
            .find(|a| json_of(a)["signature"] == sig.as_str())
            .unwrap_or_else(|| panic!("no flow alert with {sig}: {flow_alerts:#?}"));
        assert_eq!(a["flow_status"], 10, "status_external_alert");
        assert_eq!(a["score"], 100, "Suricata severity 1 → flow score 100");
        assert_eq!(a["alert_severity"], 5, "severity 1 → error");
        assert_eq!(a["cli_addr"], cli.0);
        assert_eq!(a["srv_addr"], srv.0);
        assert_eq!(a["cli_port"], cli.1);
    }
    let past = named(&past, "alert_external_alert");
    assert!(
        past.iter().any(|a| a["alert_entity_val"] == "10.99.0.1@0"
            && json_of(a)["signature"] == "untracked"
            && a["alert_severity"] == 4),
        "the untracked event still raised its host alert: {past:#?}"
    );
}

#[test]
fn the_real_eve_log_through_suricata_collector() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/suricata-eve.log"
    );
    let Ok(eve) = std::fs::read(path) else {
        eprintln!(
            "SKIPPED: ../shared/data/suricata-eve.log not found; the Eve format is covered by plugins/suricata_collector/tests/eve_events"
        );
        return;
    };
    let text = String::from_utf8_lossy(&eve);
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    // What the plugin must make of it, read here independently.
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.find('{').and_then(|i| serde_json::from_str(&l[i..]).ok()))
        .collect();
    let ids: Vec<&Value> = events
        .iter()
        .filter(|e| e["event_type"] == "alert")
        .collect();
    let exe = events
        .iter()
        .filter(|e| {
            e["event_type"] == "fileinfo"
                && e["fileinfo"]["filename"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(".exe"))
        })
        .count();
    assert!(!ids.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let (weir, _, tcp) = start(&["--data-dir", d]);
    TcpStream::connect(("127.0.0.1", tcp))
        .unwrap()
        .write_all(&eve)
        .unwrap();
    let stored = wait_alerts(d, "--past", |a| {
        named(a, "alert_external_alert").len() >= ids.len()
    });
    let run = weir.sigterm_json();
    let stats = &run["syslog"];
    assert_eq!(stats["producers"]["suricata"], lines, "{stats}");
    assert!(stats["unhandled"].get("suricata").is_none(), "{stats}");
    assert_eq!(stats["handler_errors"], 0, "{stats}");
    assert_eq!(stats["malformed"], 0, "{stats}");
    // No packet interface: the flow-status requests could not be queued.
    assert_eq!(stats["flow_statuses"]["dropped"], ids.len(), "{stats}");
    let ext = named(&stored, "alert_external_alert");
    assert_eq!(ext.len(), ids.len(), "{ext:#?}");
    for e in &ids {
        let sig = e["alert"]["signature"].as_str().unwrap();
        let a = ext
            .iter()
            .find(|a| json_of(a)["signature"] == sig)
            .unwrap_or_else(|| panic!("no alert for {sig}"));
        let j = json_of(a);
        assert_eq!(j["signature_id"], e["alert"]["signature_id"]);
        assert_eq!(j["category"], e["alert"]["category"]);
        assert_eq!(j["suricata_severity"], e["alert"]["severity"]);
        assert_eq!(j["dst_ip"], e["dest_ip"]);
        assert_eq!(
            a["alert_entity_val"],
            format!("{}@0", e["src_ip"].as_str().unwrap())
        );
        let want = match e["alert"]["severity"].as_u64() {
            Some(1) => 5,
            Some(2) => 4,
            Some(3) => 3,
            _ => 2,
        };
        assert_eq!(a["alert_severity"], want);
    }
    assert_eq!(named(&stored, "alert_suspicious_file_transfer").len(), exe);
}

#[test]
fn host_logs_from_logger_and_raw_sockets_become_host_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let (weir, udp, tcp) = start(&["--data-dir", d]);
    let (u, t) = (udp.to_string(), tcp.to_string());
    // Five failed SSH passwords from one address: logger over UDP (RFC 5424, its
    // default for remote logging) and TCP (RFC 3164, octet counting).
    for i in 0..3 {
        logger(&[
            "--udp",
            "-n",
            "127.0.0.1",
            "-P",
            &u,
            "-t",
            "sshd",
            "--id=4242",
            &format!(
                "Failed password for root from 203.0.113.9 port {} ssh2",
                40000 + i
            ),
        ]);
    }
    for i in 3..5 {
        logger(&[
            "--tcp",
            "--rfc3164",
            "--octet-count",
            "-n",
            "127.0.0.1",
            "-P",
            &t,
            "-t",
            "sshd",
            &format!(
                "Failed password for invalid user admin from 203.0.113.9 port {} ssh2",
                40000 + i
            ),
        ]);
    }
    log_to(
        "--tcp",
        &t,
        "sudo",
        "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
    );
    // Raw datagrams: RFC 3164 and RFC 5424.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{udp}");
    sock.send_to(
        b"<84>Nov 26 22:09:10 db1 su[8123]: FAILED SU (to root) bob on pts/1",
        &target,
    )
    .unwrap();
    sock.send_to(
        b"<2>1 2026-11-26T22:10:00.000Z db1 kernel - - - Out of memory: Killed process 4242 (java) total-vm:8123456kB",
        &target,
    )
    .unwrap();
    let stored = wait_alerts(d, "--past", |a| named(a, "alert_host_log").len() >= 4);
    let run = weir.sigterm_json();
    let logs = named(&stored, "alert_host_log");
    let sub = |s: &str| logs.iter().find(|a| a["alert_subtype"] == s).copied();
    let ssh = sub("ssh_auth_failure").unwrap_or_else(|| panic!("{logs:#?}"));
    assert_eq!(ssh["alert_entity_val"], "203.0.113.9@0");
    assert_eq!(json_of(ssh)["count"], 5);
    let sudo = sub("sudo_command").unwrap();
    assert_eq!(json_of(sudo)["command"], "/usr/bin/id");
    assert_eq!(sub("su_failure").unwrap()["alert_entity_val"], "db1@0");
    let oom = sub("kernel_oom").unwrap();
    assert_eq!(json_of(oom)["process"], "java");
    assert_eq!(oom["alert_severity"], 5);
    assert_eq!(logs.len(), 4, "{logs:#?}");
    assert_eq!(run["syslog"]["producers"]["sshd"], 5, "{run}");
    assert_eq!(run["syslog"]["handler_errors"], 0, "{run}");
}

#[test]
fn a_full_queue_is_counted_and_raises_an_alert_released_when_it_drains() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    // A four-message queue, and a syslog script slow enough that a burst overflows it.
    let cfg = dir.path().join("weir.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = {:?}\n[sources]\nsyslog_queue = 4\n[plugins]\ninstruction_budget = 100000000\n",
            d.to_str().unwrap()
        ),
    )
    .unwrap();
    let plugin = dir.path().join("slow/user_scripts/syslog");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("slow.lua"),
        r#"local script = { hooks = {}, gui = { i18n_title = "Slow", i18n_description = "Slow" } }
function script.hooks.handleEvent(message)
   local x = 0
   for i = 1, 3000000 do x = x + i % 7 end
   return x
end
return script
"#,
    )
    .unwrap();
    let d = d.to_str().unwrap();
    let (weir, _, tcp) = start(&[
        "--config",
        cfg.to_str().unwrap(),
        "--data-dir",
        d,
        "--plugins",
        dir.path().join("slow").to_str().unwrap(),
    ]);
    let burst: String = (0..300)
        .map(|i| format!("<13>Nov 26 22:00:00 h slow: message {i}\n"))
        .collect();
    TcpStream::connect(("127.0.0.1", tcp))
        .unwrap()
        .write_all(burst.as_bytes())
        .unwrap();
    // Released (a past alert) once the worker has emptied the queue.
    let past = wait_alerts(d, "--past", |a| {
        a.iter().any(|x| x["alert_name"] == "alert_too_many_drops")
    });
    let run = weir.sigterm_json();
    let drops = past
        .iter()
        .find(|x| x["alert_name"] == "alert_too_many_drops")
        .unwrap();
    assert_eq!(drops["alert_subtype"], "syslog_queue");
    assert_eq!(drops["alert_entity"], 0, "interface entity");
    assert_eq!(drops["alert_entity_val"], "1000", "the syslog interface");
    assert!(json_of(drops)["drops"].as_u64().unwrap() > 0);
    assert_eq!(json_of(drops)["queue_size"], 4);
    let s = &run["syslog"];
    eprintln!("syslog counters after the burst: {s}");
    assert!(s["queue_drops"].as_u64().unwrap() > 0, "{s}");
    assert!(s["overflow_alerts"].as_u64().unwrap() >= 1, "{s}");
    assert_eq!(
        s["received"].as_u64().unwrap() + s["queue_drops"].as_u64().unwrap(),
        300,
        "every message was either handled or counted as dropped: {s}"
    );
}

/// A small deterministic generator (xorshift64*) for the junk.
struct Junk(u64);

impl Junk {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A line of random bytes that cannot be a syslog message: no `<` (so no `<PRI>`
    /// anywhere), no line break, and a first byte that is not a digit (so TCP reads it
    /// as one newline-framed message, not an octet count).
    fn line(&mut self) -> Vec<u8> {
        let len = 1 + (self.next() % 200) as usize;
        let mut v: Vec<u8> = (0..len)
            .map(|_| self.next() as u8)
            .filter(|b| !matches!(b, b'<' | b'\n' | b'\r'))
            .collect();
        v.insert(0, b'x');
        v
    }
}

#[test]
fn random_junk_over_udp_and_tcp_is_counted_and_the_daemon_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let (weir, udp, tcp) = start(&["--data-dir", d]);
    let mut junk = Junk(0x9e37_79b9_7f4a_7c15);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{udp}");
    let mut conn = TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    // 10 rounds of 50 junk datagrams and 50 junk TCP lines, each round closed by a valid
    // kernel line over UDP whose alert shows the round was read: the socket buffer never
    // holds more than one round (the kernel would drop datagrams weir never sees).
    for round in 1..=10u64 {
        for _ in 0..50 {
            sock.send_to(&junk.line(), &target).unwrap();
            let mut l = junk.line();
            l.push(b'\n');
            conn.write_all(&l).unwrap();
        }
        let marker = format!(
            "<2>Nov 26 22:10:00 db{round} kernel: Out of memory: Killed process {round} (marker)"
        );
        sock.send_to(marker.as_bytes(), &target).unwrap();
        wait_alerts(d, "--past", |a| {
            named(a, "alert_host_log").len() as u64 >= round
        });
    }
    // Arbitrary bytes (any framing) on another connection, then valid messages on both
    // transports: still served.
    let blob: Vec<u8> = (0..64 * 1024).map(|_| junk.next() as u8).collect();
    TcpStream::connect(("127.0.0.1", tcp))
        .unwrap()
        .write_all(&blob)
        .unwrap();
    conn.write_all(b"<13>Nov 26 22:10:00 fw after: still here\n")
        .unwrap();
    drop(conn);
    sock.send_to(b"<13>Nov 26 22:10:00 fw after: still here", &target)
        .unwrap();
    let run = weir.sigterm_json();
    let s = &run["syslog"];
    eprintln!("syslog counters after the junk: {s}");
    // Every message is counted: the 1,000 junk lines and the blob's frames as
    // malformed, the 12 valid ones by producer.
    let (received, malformed) = (
        s["received"].as_u64().unwrap(),
        s["malformed"].as_u64().unwrap(),
    );
    assert!(malformed >= 1000, "{s}");
    assert_eq!(received, malformed + 12, "{s}");
    assert_eq!(s["producers"]["after"], 2, "{s}");
    assert_eq!(s["producers"]["kernel"], 10, "{s}");
    assert_eq!(s["queue_drops"], 0, "{s}");
    assert_eq!(s["handler_errors"], 0, "{s}");
}

#[test]
fn host_log_rules_changed_with_weir_scripts_apply_to_the_running_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let (weir, udp, _) = start(&["--data-dir", d]);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{udp}");
    let disconnect =
        b"<38>Nov 26 22:08:40 web1 sshd[7001]: Disconnected from user alice 192.0.2.44 port 50022";
    // With the default rules a disconnection raises nothing; the kernel line after it
    // shows the running scripts have seen both.
    sock.send_to(disconnect, &target).unwrap();
    sock.send_to(
        b"<2>Nov 26 22:10:00 web1 kernel: Out of memory: Killed process 7 (marker)",
        &target,
    )
    .unwrap();
    let before = wait_alerts(d, "--past", |a| !named(a, "alert_host_log").is_empty());
    assert_eq!(named(&before, "alert_host_log").len(), 1, "{before:#?}");
    let o = common::weir(&[
        "scripts",
        "set",
        "syslog/sshd",
        "rules",
        r#"[{"name":"ssh_any_disconnect","patterns":["Disconnected from user (%S+) ([%x%.:]+)"],"fields":["user","source"],"threshold":1,"window":60,"entity":"source","severity":"notice"}]"#,
        "--data-dir",
        d,
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    // The runtime looks at scripts.toml when its clock enters a new second: send the
    // line until the new rule has matched it.
    let start = Instant::now();
    let stored = loop {
        sock.send_to(disconnect, &target).unwrap();
        let a = alerts(d, "--past");
        if named(&a, "alert_host_log").len() > 1 {
            break a;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never matched: {a:#?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let run = weir.sigterm_json();
    let a = named(&stored, "alert_host_log")
        .into_iter()
        .find(|a| a["alert_subtype"] == "ssh_any_disconnect")
        .unwrap();
    assert_eq!(a["alert_entity_val"], "192.0.2.44@0");
    assert_eq!(json_of(a)["user"], "alice");
    assert_eq!(run["syslog"]["handler_errors"], 0, "{run}");
}
