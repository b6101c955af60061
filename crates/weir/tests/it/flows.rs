//! End-to-end tests of `weir flows` / `weir hosts` on the shared capture corpus,
//! including the agreement of weir's L7 master protocol with nDPI's labels.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Overall agreement (percent of the flows nDPI classifies whose master protocol weir
/// reports the same); the test fails below it. Measured 97.2% (6071 of 6247 flows) on
/// 2026-12-07 over the whole folder (all 506 nDPI captures and the ntopng ones), after
/// the long-tail dissector families, the service catalogue and nDPI's default ports;
/// 55.0% before. The floor is that, rounded down, minus about half a point; it only
/// goes up.
const MIN_AGREEMENT_PCT: f64 = 96.5;

/// Share of the flows both weir and nDPI report whose packet and byte counters are equal
/// both ways (percent); the test fails below it. Measured 95.5% (5960 of 6239) on
/// 2026-12-07 (the misses are mostly flows weir ends after 60 s of idleness and
/// nDPI keeps whole); the floor is the 95%, and only goes up.
const MIN_COUNTERS_PCT: f64 = 95.0;

fn pcaps() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/pcaps"
    ));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent", p.display());
        None
    }
}

fn weir(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(args)
        .output()
        .expect("weir runs")
}

fn flows_json(file: &Path) -> Vec<serde_json::Map<String, Value>> {
    let out = weir(&["flows", "--json", file.to_str().expect("utf-8 path")]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(m)) => m,
            other => panic!(
                "{}: not a JSON object line: {l:?} ({other:?})",
                file.display()
            ),
        })
        .collect()
}

/// A direction-free flow identity: L4 name and the two endpoints, sorted.
type Tuple = (String, (String, u16), (String, u16));

fn tuple(l4: &str, a: (String, u16), b: (String, u16)) -> Tuple {
    let l4 = match l4 {
        "IPv6-ICMP" | "ICMPV6" => "ICMPV6".to_string(),
        other => other.to_string(),
    };
    if a <= b { (l4, a, b) } else { (l4, b, a) }
}

fn endpoint(s: &str) -> Option<(String, u16)> {
    let (ip, port) = s.rsplit_once(':')?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip: std::net::IpAddr = ip.parse().ok()?;
    Some((ip.to_string(), port.parse().ok()?))
}

/// Packets and bytes one way and the other, as nDPI prints them
/// (`[6 pkts/540 bytes <-> 4 pkts/1234 bytes]`), from nDPI's first endpoint.
type Counters = [u64; 4];

fn counters(segment: &str) -> Option<Counters> {
    let w: Vec<&str> = segment.split_whitespace().collect();
    let n = |i: usize| {
        w.get(i)
            .map(|x| x.trim_start_matches("pkts/"))
            .and_then(|x| x.parse::<u64>().ok())
    };
    match (w.get(3), n(0), n(1), n(4), n(5)) {
        (Some(&"<->" | &"->"), Some(p1), Some(b1), Some(p2), Some(b2)) => Some([p1, b1, p2, b2]),
        _ => None,
    }
}

/// A flow line of an `.ndpi.out`: tuple, nDPI label such as `TLS.Google`, nDPI's first
/// endpoint and its counters.
type NdpiFlow = (Tuple, String, (String, u16), Option<Counters>);

/// The flow lines of an `.ndpi.out`.
fn ndpi_flows(out: &str) -> Vec<NdpiFlow> {
    let mut v = Vec::new();
    for line in out.lines() {
        let t = line.trim_start();
        let mut words = t.split_whitespace();
        let Some(n) = words.next() else { continue };
        if !n.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let (Some(l4), Some(a), Some(arrow), Some(b)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            continue;
        };
        if arrow != "<->" && arrow != "->" {
            continue;
        }
        let (Some(a), Some(b)) = (endpoint(a), endpoint(b)) else {
            continue;
        };
        let Some(start) = t.find("[proto: ") else {
            continue;
        };
        let rest = &t[start + 8..];
        let label = rest.split(']').next().unwrap_or("");
        let label = label.rsplit(':').next().unwrap_or(label);
        let name = label.split_once('/').map_or(label, |(_, n)| n);
        let c = t
            .split(['[', ']'])
            .find(|s| s.contains(" pkts/"))
            .and_then(counters);
        v.push((tuple(l4, a.clone(), b), name.to_string(), a, c));
    }
    v
}

fn master(label: &str) -> &str {
    label.split('.').next().unwrap_or(label)
}

#[test]
fn ndpi_agreement() {
    let Some(root) = pcaps() else { return };
    let mut outs: Vec<PathBuf> = Vec::new();
    for sub in ["ndpi", "ntopng-e2e"] {
        let Ok(rd) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.to_string_lossy().ends_with(".ndpi.out") {
                outs.push(p);
            }
        }
    }
    outs.sort();
    assert!(
        !outs.is_empty(),
        "no .ndpi.out files under {}",
        root.display()
    );
    let (mut total, mut found, mut agree, mut full) = (0usize, 0usize, 0usize, 0usize);
    let (mut counted, mut same_counters) = (0usize, 0usize);
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    for out in &outs {
        let capture = PathBuf::from(out.to_string_lossy().trim_end_matches(".ndpi.out"));
        if !capture.exists() {
            continue;
        }
        // nDPI prints some fuzzed payload bytes as they are: not always UTF-8.
        let text =
            String::from_utf8_lossy(&std::fs::read(out).expect("readable .ndpi.out")).into_owned();
        let all = ndpi_flows(&text);
        let ours: HashMap<Tuple, (String, (String, u16), Counters)> = flows_json(&capture)
            .into_iter()
            .filter_map(|m| {
                let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
                let n = |k: &str| {
                    m.get(k)
                        .and_then(Value::as_u64)
                        .and_then(|v| u16::try_from(v).ok())
                };
                let t = tuple(
                    &s("proto.l4")?,
                    (s("cli.ip")?, n("cli.port")?),
                    (s("srv.ip")?, n("srv.port")?),
                );
                let c = |k: &str| m.get(k).and_then(Value::as_u64).unwrap_or(0);
                let counters = [
                    c("cli2srv.packets"),
                    c("cli2srv.bytes"),
                    c("srv2cli.packets"),
                    c("srv2cli.bytes"),
                ];
                Some((
                    t,
                    (s("proto.ndpi")?, (s("cli.ip")?, n("cli.port")?), counters),
                ))
            })
            // A tuple weir saw twice (a flow that went idle and came back, a reused
            // port) is compared by its first flow, the one that saw the start, as nDPI
            // reports one flow per tuple.
            .fold(HashMap::new(), |mut m, (t, v)| {
                m.entry(t).or_insert(v);
                m
            });
        // Counters are compared on every flow both sides have, whatever its label.
        for (t, _, first, theirs) in &all {
            let (Some(theirs), Some((_, cli, mine))) = (theirs, ours.get(t)) else {
                continue;
            };
            counted += 1;
            let mine = if cli == first {
                *mine
            } else {
                [mine[2], mine[3], mine[0], mine[1]]
            };
            same_counters += usize::from(&mine == theirs);
        }
        let expected: Vec<_> = all
            .into_iter()
            .filter(|(_, l, _, _)| l != "Unknown")
            .map(|(t, l, _, _)| (t, l))
            .collect();
        let (mut f_found, mut f_agree) = (0, 0);
        for (t, label) in &expected {
            if let Some((ours, _, _)) = ours.get(t) {
                f_found += 1;
                full += usize::from(ours == label);
                if master(ours) == master(label) {
                    f_agree += 1;
                } else {
                    mismatches.push(format!(
                        "{}: {t:?}: nDPI {label}, weir {ours}",
                        capture.display()
                    ));
                }
            } else {
                mismatches.push(format!(
                    "{}: {t:?}: nDPI {label}, weir has no such flow",
                    capture.display()
                ));
            }
        }
        total += expected.len();
        found += f_found;
        agree += f_agree;
        let name = capture
            .strip_prefix(&root)
            .unwrap_or(&capture)
            .display()
            .to_string();
        rows.push((name, expected.len(), f_found, f_agree));
    }
    println!(
        "{:<52} {:>6} {:>6} {:>6} {:>7}",
        "capture", "nDPI", "found", "agree", "%"
    );
    for (name, n, f, a) in &rows {
        let pct = if *n == 0 {
            100.0
        } else {
            *a as f64 * 100.0 / *n as f64
        };
        println!("{name:<52} {n:>6} {f:>6} {a:>6} {pct:>6.1}%");
    }
    let pct = if total == 0 {
        100.0
    } else {
        agree as f64 * 100.0 / total as f64
    };
    println!(
        "{:<52} {total:>6} {found:>6} {agree:>6} {pct:>6.1}%",
        "TOTAL"
    );
    println!("(informative) full Master.App label equal to nDPI's: {full} of {total}");
    let counters_pct = if counted == 0 {
        100.0
    } else {
        same_counters as f64 * 100.0 / counted as f64
    };
    println!(
        "packet and byte counters equal to nDPI's both ways: {same_counters} of {counted} flows ({counters_pct:.1}%)"
    );
    for m in &mismatches {
        println!("  mismatch: {m}");
    }
    assert!(
        pct >= MIN_AGREEMENT_PCT,
        "nDPI agreement {pct:.1}% fell below {MIN_AGREEMENT_PCT}%"
    );
    assert!(
        counters_pct >= MIN_COUNTERS_PCT,
        "flows with nDPI's counters {counters_pct:.1}% fell below {MIN_COUNTERS_PCT}%"
    );
}

#[test]
fn http_flow_carries_get_info_keys() {
    let Some(root) = pcaps() else { return };
    let flows = flows_json(&root.join("ndpi/http.pcapng"));
    assert_eq!(flows.len(), 1);
    let f = &flows[0];
    for k in [
        "cli.ip",
        "cli.port",
        "srv.ip",
        "srv.port",
        "proto.l4",
        "proto.ndpi",
        "proto.ndpi_app",
        "proto.ndpi_cat",
        "vlan",
        "cli2srv.bytes",
        "srv2cli.bytes",
        "cli2srv.packets",
        "srv2cli.packets",
        "seen.first",
        "seen.last",
        "duration",
        "status_map",
        "score",
        "tcp.nw_latency.client",
        "tcp_established",
    ] {
        assert!(f.contains_key(k), "missing {k}: {f:?}");
    }
    assert_eq!(f["cli.ip"], "192.168.1.128");
    assert_eq!(f["cli.port"], 42170);
    assert_eq!(f["srv.port"], 80);
    assert_eq!(f["proto.ndpi"], "HTTP.Google");
    assert_eq!(f["proto.ndpi_app"], "Google");
    assert_eq!(f["cli2srv.packets"], 6);
    assert_eq!(f["srv2cli.packets"], 4);
    assert_eq!(f["protos.http.last_url"], "google.com/");
    assert_eq!(f["protos.http.last_return_code"], 301);
    assert_eq!(f["info"], "google.com/");
}

#[test]
fn tls_certificate_and_ja3() {
    let Some(root) = pcaps() else { return };
    let flows = flows_json(&root.join("ndpi/443-git.pcap"));
    let f = &flows[0];
    assert_eq!(f["proto.ndpi"], "TLS.Github");
    assert_eq!(f["protos.tls.client_requested_server_name"], "github.com");
    assert!(
        f["protos.tls.issuerDN"]
            .as_str()
            .is_some_and(|s| s.contains("DigiCert")),
        "{f:?}"
    );
    assert!(
        f.contains_key("protos.tls.ja3.client_hash")
            && f.contains_key("protos.tls.ja3.server_hash")
    );
    // Self-signed certificate on RDP over TLS: status bit 28.
    let flows = flows_json(&root.join("ndpi/rdp_over_tls.pcap"));
    let f = &flows[0];
    assert_eq!(f["proto.ndpi"], "TLS.RDP");
    assert_ne!(
        f["status_map"].as_u64().unwrap_or(0) & (1 << 28),
        0,
        "{f:?}"
    );
}

#[test]
fn quic_initial_is_decrypted_for_the_sni() {
    let Some(root) = pcaps() else { return };
    let flows = flows_json(&root.join("ndpi/google_meet.pcapng"));
    let quic = flows
        .iter()
        .find(|f| f["proto.l4"] == "UDP")
        .expect("a QUIC flow");
    assert_eq!(quic["proto.ndpi"], "QUIC.GoogleMeet");
    assert_eq!(quic["host_server_name"], "meet.google.com");
}

#[test]
fn every_capture_replays_without_crashing() {
    let Some(root) = pcaps() else { return };
    for sub in ["ndpi", "ntopng-e2e"] {
        let Ok(rd) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = p.to_string_lossy().to_string();
            if name.ends_with(".ndpi.out") || p.is_dir() {
                continue;
            }
            for cmd in ["flows", "hosts"] {
                let out = weir(&[cmd, "--json", &name]);
                assert!(
                    matches!(out.status.code(), Some(0 | 1)),
                    "{cmd} {name}: {:?} {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    assert!(
                        serde_json::from_str::<Value>(line).is_ok(),
                        "{cmd} {name}: bad line {line}"
                    );
                }
            }
        }
    }
}

#[test]
fn hosts_with_local_networks() {
    let Some(root) = pcaps() else { return };
    let f = root.join("ndpi/android.pcap");
    let out = weir(&[
        "hosts",
        "--json",
        "--local-net",
        "192.168.2.0/24",
        f.to_str().unwrap_or_default(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hosts: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let phone = hosts
        .iter()
        .find(|h| h["ip"] == "192.168.2.16")
        .expect("the phone");
    assert_eq!(phone["localhost"], true);
    assert!(
        phone["flows.as_client"].as_u64().unwrap_or(0) > 40,
        "{phone}"
    );
    assert!(
        phone["contacted_peers"].as_u64().unwrap_or(0) >= 5,
        "{phone}"
    );
    let google = hosts
        .iter()
        .find(|h| h["ip"] == "216.239.38.120")
        .expect("a server");
    assert_eq!(google["localhost"], false);
    assert!(google["flows.as_server"].as_u64().unwrap_or(0) >= 5);
    let flows = weir(&[
        "flows",
        "--json",
        "--local-net",
        "192.168.2.0/24",
        f.to_str().unwrap_or_default(),
    ]);
    let first: Value = serde_json::from_str(
        String::from_utf8_lossy(&flows.stdout)
            .lines()
            .next()
            .unwrap_or("{}"),
    )
    .unwrap_or(Value::Null);
    assert!(first.get("cli.localhost").is_some());
}
