//! `weir run --syslog` end to end: real `logger` (util-linux) over UDP and TCP, raw
//! RFC 3164 / RFC 5424 datagrams, the shared Suricata log over TCP, 1,000 malformed
//! messages over both transports, then SIGTERM and the counters in the summary.

use crate::common;
use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::time::Duration;

use crate::common::{logger, syslog_daemon as start};

#[test]
fn logger_raw_sockets_and_malformed_input() {
    let (weir, udp, tcp) = start(&[]);
    let (u, t) = (udp.to_string(), tcp.to_string());
    // Real logger: RFC 5424 (its default for remote) and RFC 3164, UDP and TCP.
    logger(&[
        "--udp",
        "-n",
        "127.0.0.1",
        "-P",
        &u,
        "-t",
        "suricata",
        r#"{"event_type":"alert"}"#,
    ]);
    logger(&[
        "--udp",
        "--rfc3164",
        "-n",
        "127.0.0.1",
        "-P",
        &u,
        "-t",
        "sshd",
        "Failed password for root",
    ]);
    logger(&[
        "--tcp",
        "-n",
        "127.0.0.1",
        "-P",
        &t,
        "-t",
        "suricata",
        r#"{"event_type":"flow"}"#,
    ]);
    logger(&[
        "--tcp",
        "--octet-count",
        "-n",
        "127.0.0.1",
        "-P",
        &t,
        "-t",
        "sudo",
        "pam_unix: auth failure",
    ]);

    // Raw datagrams in both formats.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{udp}");
    sock.send_to(
        b"<13>Nov 26 22:08:46 fw sshd[7]: Invalid user admin",
        &target,
    )
    .unwrap();
    sock.send_to(
        b"<165>1 2026-11-26T22:08:46Z fw dnsmasq - - - query A example.com",
        &target,
    )
    .unwrap();

    // The shared Suricata log over one TCP connection, newline framed.
    let eve = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/suricata-eve.log"
    ));
    let eve_lines = eve
        .as_ref()
        .map(|b| b.split(|&c| c == b'\n').filter(|l| !l.is_empty()).count())
        .unwrap_or(0);
    if let Ok(eve) = &eve {
        let mut s = TcpStream::connect(("127.0.0.1", tcp)).unwrap();
        s.write_all(eve).unwrap();
    } else {
        eprintln!("SKIPPED part: ../shared/data/suricata-eve.log not found");
    }

    // 1,000 malformed messages over UDP and TCP: counted, never fatal. Paced a little so
    // the kernel's UDP buffer does not overflow (drops there are outside weir's view).
    let mut s = TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    for i in 0..500u32 {
        let junk = format!("no priority here {i}\n");
        sock.send_to(junk.as_bytes(), &target).unwrap();
        s.write_all(format!("<999>bad priority {i}\n").as_bytes())
            .unwrap();
        if i % 50 == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    s.write_all(&[0xff; 100]).unwrap();
    drop(s);
    // Still serving after the junk, on both transports.
    sock.send_to(b"<13>Nov 26 22:10:00 fw after: still here", &target)
        .unwrap();
    TcpStream::connect(("127.0.0.1", tcp))
        .unwrap()
        .write_all(b"<13>Nov 26 22:10:00 fw after: still here\n")
        .unwrap();

    // No wait needed: at SIGTERM the listeners still read what the kernel holds and
    // the worker handles everything queued before it stops.
    let stats = weir.sigterm_json()["syslog"].clone();
    let producers = &stats["producers"];
    assert_eq!(
        producers["suricata"].as_u64().unwrap(),
        2 + eve_lines as u64,
        "{stats}"
    );
    assert_eq!(producers["sshd"], 2, "{stats}");
    assert_eq!(producers["sudo"], 1, "{stats}");
    assert_eq!(producers["dnsmasq"], 1, "{stats}");
    assert_eq!(producers["after"], 2, "{stats}");
    // 1,000 malformed lines, plus the trailing binary junk as one last frame.
    assert_eq!(stats["malformed"], 1001, "{stats}");
    assert_eq!(stats["queue_drops"], 0, "{stats}");
    // The built-in plugins handle suricata (suricata_collector), sshd and sudo
    // (host_log_collector); nothing handles dnsmasq.
    for p in ["suricata", "sshd", "sudo"] {
        assert!(stats["unhandled"].get(p).is_none(), "{p}: {stats}");
    }
    assert_eq!(stats["unhandled"]["dnsmasq"], 1, "{stats}");
    assert_eq!(stats["handler_errors"], 0, "{stats}");
}

/// The test plugin `tests/plugins/ids_events`: a Suricata syslog script that stores an
/// alert for every Eve `alert` event.
fn ids_plugin() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/plugins/ids_events").to_string()
}

#[test]
fn suricata_events_reach_a_lua_script_and_its_alerts_are_stored_then_reload() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let plugin = ids_plugin();
    // Without the built-in plugins: their suricata_collector also has `suricata.lua`.
    let (mut weir, udp, tcp) = start(&[
        "--plugins",
        &plugin,
        "--data-dir",
        d,
        "--no-builtin-plugins",
    ]);

    // Two alert events of our own over UDP with logger, then the real Eve log over TCP.
    for sig in ["ET SCAN Nmap", "ET POLICY curl"] {
        let event = format!(
            r#"{{"event_type":"alert","src_ip":"10.1.1.1","dest_ip":"10.1.1.2","alert":{{"signature":"{sig}"}}}}"#
        );
        logger(&[
            "--udp",
            "--rfc3164",
            "-n",
            "127.0.0.1",
            "-P",
            &udp.to_string(),
            "-t",
            "suricata",
            &event,
        ]);
    }
    let eve = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/suricata-eve.log"
    ));
    let eve_alerts = match &eve {
        Ok(b) => {
            TcpStream::connect(("127.0.0.1", tcp))
                .unwrap()
                .write_all(b)
                .unwrap();
            String::from_utf8_lossy(b)
                .matches(r#""event_type": "alert""#)
                .count() as u64
        }
        Err(_) => {
            eprintln!("SKIPPED part: ../shared/data/suricata-eve.log not found");
            0
        }
    };

    // `weir plugins reload` finds the daemon through its pid file; the syslog VM reloads.
    std::thread::sleep(Duration::from_millis(300));
    let o = common::weir(&["plugins", "reload", "--data-dir", d]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    weir.wait_for("syslog plugins reloaded");

    let run = weir.sigterm_json();
    let stats = &run["syslog"];
    assert!(
        stats["unhandled"].get("suricata").is_none(),
        "a script handles suricata: {stats}"
    );
    assert_eq!(stats["handler_errors"], 0, "{stats}");
    let stored = common::stdout(&common::weir(&[
        "alerts",
        "--past",
        "--json",
        "--data-dir",
        d,
    ]));
    let ids: Vec<serde_json::Value> = stored
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|a| a["alert_name"] == "alert_ids_event")
        .collect();
    assert_eq!(ids.len() as u64, 2 + eve_alerts, "{stored}");
    assert!(
        ids.iter()
            .any(|a| a["alert_json"].as_str().unwrap().contains("ET SCAN Nmap"))
    );
    assert!(
        ids.iter()
            .all(|a| a["alert_entity_val"] == "10.1.1.1@0" || eve_alerts > 0)
    );
    // The pid file is gone once weir has stopped.
    assert!(!data.join("weir.pid").exists());
}
